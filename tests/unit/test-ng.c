/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-ng.c: rtpengine's ng protocol (ng.h): the module's flag letters
 * as ng options, the requests byte for byte (the reference's own
 * datagrams among them), and the parsing of replies: ok, pong, error
 * with its error-reason, and replies that are not replies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "buf.h"
#include "bencode.h"
#include "ng.h"
#include "tap.h"

/*
 * Allocation failures: the test links with -Wl,--wrap for malloc,
 * calloc and realloc, so libcore's calls come here; fail_after >= 0
 * lets that many succeed and fails the rest.
 */
static long fail_after = -1;

void	*__real_malloc(size_t);
void	*__real_calloc(size_t, size_t);
void	*__real_realloc(void *, size_t);
void	*__wrap_malloc(size_t);
void	*__wrap_calloc(size_t, size_t);
void	*__wrap_realloc(void *, size_t);

static int
alloc_fails(void)
{
	if (fail_after < 0)
		return 0;
	if (fail_after == 0)
		return 1;
	fail_after--;
	return 0;
}

void *
__wrap_malloc(size_t n)
{
	return alloc_fails() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t m)
{
	return alloc_fails() ? NULL : __real_calloc(n, m);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : __real_realloc(p, n);
}

#define SDP_A	"v=0\r\no=- 1 1 IN IP4 127.0.0.2\r\ns=-\r\n" \
		"c=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 16000 RTP/AVP 0\r\n"

static int
flags(const char *s, enum rtpc_ng_cmd cmd, int af, struct rtpc_ng_opts *o,
    struct rtpc_err *err)
{
	rtpc_err_clear(err);
	return rtpc_ng_flags(s, cmd, af, o, err);
}

static void
test_letters(void)
{
	const struct rtpc_ng_letter *l;
	const char *p;
	int found, n = 0;

	/* every letter of the module is in the table, and nothing else */
	for (p = "123abcefilortwxz"; *p != '\0'; p++) {
		found = 0;
		for (l = rtpc_ng_letters; l->letter != '\0'; l++)
			if (l->letter == *p && l->ng != NULL && l->ng[0] != '\0')
				found = 1;
		ok(found, "letter '%c' has a row in the table", *p);
	}
	for (l = rtpc_ng_letters; l->letter != '\0'; l++)
		n++;
	is_int(n, 16, "the table has 16 rows");

	is_str(rtpc_ng_cmd_name(RTPC_NG_START_RECORDING), "start recording",
	    "command name with a space");
	is_str(rtpc_ng_cmd_name(RTPC_NG_STOP_MEDIA), "stop media",
	    "last command name");
	ok(rtpc_ng_cmd_name((enum rtpc_ng_cmd)99) == NULL,
	    "unknown command: NULL");
}

static void
test_flags(void)
{
	struct rtpc_ng_opts o;
	struct rtpc_err err;

	is_int(flags("", RTPC_NG_OFFER, 4, &o, &err), 0, "no flags");
	ok(o.flags == 0 && o.replace == 0 && o.ndirection == 0 &&
	    o.family == 0 && o.ptime == 0 && o.via == 0, "... no options");
	is_int(flags(NULL, RTPC_NG_OFFER, 4, &o, &err), 0, "NULL flags");

	is_int(flags("a", RTPC_NG_OFFER, 4, &o, &err), 0, "a");
	is_int(o.flags, RTPC_NG_FL_ASYMMETRIC | RTPC_NG_FL_TRUST,
	    "... asymmetric and trust-address");
	is_int(flags("R", RTPC_NG_OFFER, 4, &o, &err), 0, "R (upper case)");
	is_int(o.flags, RTPC_NG_FL_TRUST, "... trust-address");
	is_int(flags("w", RTPC_NG_ANSWER, 4, &o, &err), 0, "w");
	is_int(o.flags, RTPC_NG_FL_SYMMETRIC, "... symmetric");
	is_int(flags("co", RTPC_NG_OFFER, 4, &o, &err), 0, "co");
	is_int(o.replace, RTPC_NG_RP_ORIGIN | RTPC_NG_RP_SESSCONN,
	    "... replace origin and session-connection");

	is_int(flags("ei", RTPC_NG_OFFER, 4, &o, &err), 0, "ei");
	is_int(o.ndirection, 2, "... two directions");
	is_str(o.direction[0], "external", "... external first");
	is_str(o.direction[1], "internal", "... then internal");
	is_int(flags("I", RTPC_NG_OFFER, 4, &o, &err), 0, "I alone");
	is_int(o.ndirection, 1, "... one direction");
	is_int(flags("iei", RTPC_NG_OFFER, 4, &o, &err), -1,
	    "three directions refused");
	is_int(err.code, RTPC_EXIT_USAGE, "... usage error");
	like(err.msg, "more than two directions", "... says why");

	is_int(flags("x", RTPC_NG_OFFER, 4, &o, &err), 0, "x, IPv4 media");
	is_int(o.family, 6, "... address family IP6");
	is_int(flags("xx", RTPC_NG_OFFER, 6, &o, &err), 0, "xx, IPv6 media");
	is_int(o.family, 4, "... address family IP4, once");

	is_int(flags("z20", RTPC_NG_OFFER, 4, &o, &err), 0, "z20");
	is_int(o.ptime, 20, "... ptime 20");
	is_int(flags("Z999", RTPC_NG_ANSWER, 4, &o, &err), 0, "Z999");
	is_int(o.ptime, 999, "... ptime 999");
	is_int(flags("z", RTPC_NG_OFFER, 4, &o, &err), -1, "bare z");
	like(err.msg, "z needs a ptime", "... says so");
	is_int(flags("z0", RTPC_NG_OFFER, 4, &o, &err), -1, "z0");
	is_int(flags("z1000", RTPC_NG_OFFER, 4, &o, &err), -1, "z1000");
	like(err.msg, "1 to 999", "... says the range");
	is_int(flags("z1000t", RTPC_NG_DELETE, 4, &o, &err), 0,
	    "delete ignores z with its digits");
	is_int(o.no_to_tag, 1, "... and still reads the t after it");
	/* fuzz/regress/ng/delete-z-digits-overflow: no int overflow */
	is_int(flags("z99999999999999999999", RTPC_NG_DELETE, 4, &o, &err), 0,
	    "delete ignores z with 20 digits");
	is_int(o.ptime, 0, "... no ptime");

	is_int(flags("1", RTPC_NG_OFFER, 4, &o, &err), 0, "1");
	is_int(o.via, 1, "... Via 1");
	is_int(flags("23", RTPC_NG_OFFER, 4, &o, &err), 0, "23");
	is_int(o.via, 3, "... the last one wins");
	is_int(flags("b", RTPC_NG_OFFER, 4, &o, &err), 0, "b");
	is_int(o.extra_id, 1, "... extra id");
	is_int(flags("fl", RTPC_NG_OFFER, 4, &o, &err), 0, "fl");
	ok(o.force && o.lookup, "... force and lookup");
	is_int(flags("t", RTPC_NG_OFFER, 4, &o, &err), 0, "t on offer");
	is_int(o.no_to_tag, 0, "... ignored");

	is_int(flags("q", RTPC_NG_OFFER, 4, &o, &err), -1, "unknown q");
	is_int(err.code, RTPC_EXIT_USAGE, "... usage error");
	like(err.msg, "unknown flag 'q'", "... names it");
	is_int(flags("a\x01", RTPC_NG_OFFER, 4, &o, &err), -1,
	    "control byte");
	like(err.msg, "0x01", "... shown as hex");
	like(err.msg, "a\\x01", "... the flags escaped");

	/* delete: only 1 2 3 b t count, the rest is ignored */
	is_int(flags("acefilorwxz20t2b", RTPC_NG_DELETE, 4, &o, &err), 0,
	    "delete with every letter");
	ok(o.flags == 0 && o.replace == 0 && o.ndirection == 0 &&
	    o.family == 0 && o.ptime == 0 && !o.lookup && !o.force,
	    "... offer letters dropped");
	ok(o.no_to_tag && o.via == 2 && o.extra_id, "... t, 2, b kept");
	is_int(flags("q", RTPC_NG_DELETE, 4, &o, &err), -1,
	    "unknown letter refused for delete too");
}

/* Build a request with cookie and compare it with want. */
static void
build_is(const char *cookie, const struct rtpc_ng_req *r, const char *want,
    size_t wlen, const char *name)
{
	struct rtpc_buf b;
	struct rtpc_err err;

	rtpc_buf_init(&b, 0);
	rtpc_err_clear(&err);
	if (!ok(rtpc_ng_build(cookie, r, &b, &err) == 0, "%s: builds", name))
		diag("error: %s", err.msg);
	is_mem(b.data, b.len, want, wlen, "%s: bytes", name);
	rtpc_buf_free(&b);
}

#define BUILD_IS(c, r, w, n)	build_is((c), (r), (w), sizeof(w) - 1, (n))

static void
build_fails(const char *cookie, const struct rtpc_ng_req *r,
    const char *sub, const char *name)
{
	struct rtpc_buf b;
	struct rtpc_err err;

	rtpc_buf_init(&b, 0);
	rtpc_err_clear(&err);
	ok(rtpc_ng_build(cookie, r, &b, &err) == -1, "%s: refused", name);
	like(err.msg, sub, "%s: says '%s'", name, sub);
	is_int(b.len, 0, "%s: nothing written", name);
	rtpc_buf_free(&b);
}

static void
test_build(void)
{
	struct rtpc_ng_req r;
	struct rtpc_ng_opts o;
	struct rtpc_err err;

	/* the reference's ping and offer, byte for byte */
	memset(&r, 0, sizeof(r));
	r.cmd = RTPC_NG_PING;
	BUILD_IS("c1", &r, "c1 d7:command4:pinge", "ping");

	memset(&r, 0, sizeof(r));
	r.cmd = RTPC_NG_OFFER;
	r.call_id = "c1";
	r.from_tag = "f1";
	r.sdp = SDP_A;
	r.sdplen = sizeof(SDP_A) - 1;
	BUILD_IS("k1", &r, "k1 d7:call-id2:c17:command5:offer8:from-tag2:f1"
	    "3:sdp88:" SDP_A "e", "offer of the reference");

	r.cmd = RTPC_NG_ANSWER;
	r.to_tag = "t1";
	BUILD_IS("k2", &r, "k2 d7:call-id2:c17:command6:answer8:from-tag2:f1"
	    "3:sdp88:" SDP_A "6:to-tag2:t1e", "answer with to-tag");

	/* an offer with every option */
	flags("a1coiez30", RTPC_NG_OFFER, 4, &o, &err);
	o.media_address = "192.0.2.1";
	o.ice = RTPC_NG_ICE_REMOVE;
	o.family = 6;
	memset(&r, 0, sizeof(r));
	r.cmd = RTPC_NG_OFFER;
	r.call_id = "c1";
	r.from_tag = "f1";
	r.via_branch = "z9hG4bK1";
	r.sdp = "v=0\r\n";
	r.sdplen = 5;
	r.opts = &o;
	BUILD_IS("k3", &r, "k3 d3:ICE6:remove14:address family3:IP6"
	    "7:call-id2:c17:command5:offer"
	    "9:directionl8:internal8:externale"
	    "5:flagsl10:asymmetric13:trust-addresse8:from-tag2:f1"
	    "13:media address9:192.0.2.1"
	    "5:ptimei30e7:replacel6:origin18:session-connectione"
	    "3:sdp5:v=0\r\n10:via-branch8:z9hG4bK1e", "offer with options");

	/* the SIP source goes as received from, with SIP-source-address */
	flags("", RTPC_NG_OFFER, 4, &o, &err);
	o.received_from = "2001:db8::1";
	BUILD_IS("k4", &r, "k4 d7:call-id2:c17:command5:offer"
	    "5:flagsl18:SIP-source-addresse8:from-tag2:f1"
	    "13:received froml3:IP611:2001:db8::1e"
	    "3:sdp5:v=0\r\n10:via-branch8:z9hG4bK1e",
	    "offer with the SIP source address");
	/* ... but not with r, which trusts the SDP */
	flags("r", RTPC_NG_OFFER, 4, &o, &err);
	o.received_from = "192.0.2.9";
	o.ice = RTPC_NG_ICE_FORCE;
	BUILD_IS("k5", &r, "k5 d3:ICE5:force7:call-id2:c17:command5:offer"
	    "5:flagsl13:trust-addresse8:from-tag2:f1"
	    "3:sdp5:v=0\r\n10:via-branch8:z9hG4bK1e",
	    "r: trust-address, no received from");

	/* l: the offer goes as answer */
	flags("l", RTPC_NG_OFFER, 4, &o, &err);
	r.to_tag = "t1";
	r.via_branch = NULL;
	BUILD_IS("k6", &r, "k6 d7:call-id2:c17:command6:answer8:from-tag2:f1"
	    "3:sdp5:v=0\r\n6:to-tag2:t1e", "l: answer instead of offer");

	/* delete, with and without t */
	memset(&r, 0, sizeof(r));
	r.cmd = RTPC_NG_DELETE;
	r.call_id = "c1";
	r.from_tag = "f1";
	r.to_tag = "t1";
	BUILD_IS("k7", &r, "k7 d7:call-id2:c17:command6:delete8:from-tag2:f1"
	    "6:to-tag2:t1e", "delete");
	flags("t", RTPC_NG_DELETE, 4, &o, &err);
	r.opts = &o;
	BUILD_IS("k8", &r, "k8 d7:call-id2:c17:command6:delete"
	    "8:from-tag2:f1e", "delete with t: no to-tag");

	/* the commands without SDP */
	memset(&r, 0, sizeof(r));
	r.call_id = "c1";
	r.cmd = RTPC_NG_QUERY;
	BUILD_IS("q", &r, "q d7:call-id2:c17:command5:querye", "query");
	r.cmd = RTPC_NG_START_RECORDING;
	BUILD_IS("r", &r, "r d7:call-id2:c17:command15:start recordinge",
	    "start recording");
	r.cmd = RTPC_NG_STOP_RECORDING;
	BUILD_IS("s", &r, "s d7:call-id2:c17:command14:stop recordinge",
	    "stop recording");
	r.cmd = RTPC_NG_PLAY_MEDIA;
	r.from_tag = "f1";
	r.file = "/tmp/p.wav";
	r.repeat = 3;
	BUILD_IS("p", &r, "p d7:call-id2:c17:command10:play media"
	    "4:file10:/tmp/p.wav8:from-tag2:f112:repeat-timesi3ee",
	    "play media");
	r.cmd = RTPC_NG_STOP_MEDIA;
	BUILD_IS("m", &r, "m d7:call-id2:c17:command10:stop media"
	    "8:from-tag2:f1e", "stop media (no file sent)");
	memset(&r, 0, sizeof(r));
	r.cmd = RTPC_NG_LIST;
	r.limit = 10;
	BUILD_IS("l", &r, "l d7:command4:list5:limiti10ee", "list");
	r.cmd = RTPC_NG_STATISTICS;
	BUILD_IS("g", &r, "g d7:command10:statisticse", "statistics");

	/* binary-safe: a Call-ID with a space, an SDP with a NUL */
	memset(&r, 0, sizeof(r));
	r.cmd = RTPC_NG_OFFER;
	r.call_id = "a b";
	r.from_tag = "f";
	r.sdp = "x\0y";
	r.sdplen = 3;
	BUILD_IS("k9", &r, "k9 d7:call-id3:a b7:command5:offer8:from-tag1:f"
	    "3:sdp3:x\0ye", "bytes sent as they are");
}

static void
test_build_errors(void)
{
	struct rtpc_ng_req r;
	struct rtpc_ng_opts o;
	struct rtpc_buf b;
	struct rtpc_err err;
	char longc[RTPC_NG_COOKIE_MAX + 2];

	memset(&r, 0, sizeof(r));
	r.cmd = RTPC_NG_OFFER;
	r.call_id = "c1";
	r.from_tag = "f1";
	build_fails("k", &r, "ng offer: no sdp", "offer without sdp");
	r.sdp = "v=0\r\n";
	r.sdplen = 5;
	r.from_tag = "";
	build_fails("k", &r, "ng offer: no from-tag", "empty from-tag");
	r.from_tag = "f1";
	r.cmd = RTPC_NG_ANSWER;
	build_fails("k", &r, "ng answer: no to-tag", "answer without to-tag");
	flags("l", RTPC_NG_OFFER, 4, &o, &err);
	r.opts = &o;
	r.cmd = RTPC_NG_OFFER;
	build_fails("k", &r, "ng answer: no to-tag",
	    "offer with l (sent as answer) without to-tag");
	r.opts = NULL;
	r.cmd = RTPC_NG_QUERY;
	r.call_id = NULL;
	build_fails("k", &r, "ng query: no call-id", "query without call-id");
	r.cmd = RTPC_NG_PLAY_MEDIA;
	r.call_id = "c1";
	build_fails("k", &r, "ng play media: no file", "play without file");
	r.cmd = (enum rtpc_ng_cmd)42;
	build_fails("k", &r, "unknown command", "unknown command");

	r.cmd = RTPC_NG_PING;
	build_fails("", &r, "bad cookie", "empty cookie");
	build_fails("a b", &r, "bad cookie", "cookie with a space");
	build_fails("a\n", &r, "bad cookie", "cookie with a newline");
	build_fails(NULL, &r, "bad cookie", "NULL cookie");
	memset(longc, 'c', sizeof(longc) - 1);
	longc[sizeof(longc) - 1] = '\0';
	build_fails(longc, &r, "bad cookie", "65-byte cookie");
	longc[RTPC_NG_COOKIE_MAX] = '\0';
	ok(rtpc_ng_cookie_ok(longc), "64-byte cookie is fine");

	/* the buffer's cap: refused, buffer as it was */
	r.cmd = RTPC_NG_OFFER;
	r.sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.2\r\n";
	r.sdplen = strlen(r.sdp);
	rtpc_buf_init(&b, 40);
	rtpc_err_clear(&err);
	ok(rtpc_ng_build("k", &r, &b, &err) == -1, "over the cap: refused");
	like(err.msg, "longer than 40 bytes", "... says so");
	is_int(b.len, 0, "... nothing left in the buffer");
	rtpc_buf_free(&b);
}

/* Parse a reply (sizeof - 1 bytes); returns rc. */
static int
rep(const char *cookie, const char *s, size_t len, struct rtpc_ng_reply *r,
    struct rtpc_err *err)
{
	rtpc_err_clear(err);
	return rtpc_ng_reply_parse(cookie, s, len, r, err);
}

#define REP(c, s, r, e)	rep((c), (s), sizeof(s) - 1, (r), (e))

static void
test_reply(void)
{
	static const char offer[] = "k1 d3:sdp136:v=0\r\no=- 1 1 IN IP4 "
	    "127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	    "m=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
	    "a=sendrecv\r\na=rtcp:30001\r\n6:result2:oke";
	struct rtpc_ng_reply r;
	struct rtpc_err err;
	const char *s;
	size_t len;
	long long n;

	is_int(REP("c1", "c1 d6:result4:ponge", &r, &err), 0, "pong");
	is_int(r.result, RTPC_NG_RES_PONG, "... result pong");
	ok(r.reason == NULL && r.warning == NULL, "... no reason, warning");
	rtpc_ng_reply_free(&r);

	is_int(REP("k1", offer, &r, &err), 0, "offer reply");
	is_int(r.result, RTPC_NG_RES_OK, "... result ok");
	is_int(rtpc_ng_reply_sdp(&r, &s, &len), 0, "... has an sdp");
	is_int(len, 136, "... of 136 bytes");
	like(strstr(s, "m=audio 30000 ") != NULL ? "yes" : "no", "yes",
	    "... with the relay's port");
	rtpc_ng_reply_free(&r);
	rtpc_ng_reply_free(&r);

	/* delete answers with statistics */
	is_int(REP("k5", "k5 d7:createdi5e6:totalsd3:RTPd7:packetsi7eee"
	    "6:result2:oke", &r, &err), 0, "delete reply with statistics");
	is_int(rtpc_benc_get_int(rtpc_benc_get_dict(rtpc_benc_get_dict(
	    r.dict, "totals"), "RTP"), "packets", &n), 0, "... totals");
	is_int(n, 7, "... 7 packets");
	ok(rtpc_ng_reply_sdp(&r, &s, &len) == -1, "... no sdp");
	rtpc_ng_reply_free(&r);

	/* errors of the relay */
	is_int(REP("k6", "k6 d6:result5:error12:error-reason15:Unknown "
	    "call-ide", &r, &err), -1, "error reply");
	is_int(r.result, RTPC_NG_RES_ERROR, "... result error");
	is_str(err.msg, "relay error: Unknown call-id", "... its reason");
	is_int(err.code, RTPC_EXIT_FAIL, "... exit status 1");
	is_mem(r.reason, r.reasonlen, "Unknown call-id", 15,
	    "... reason kept as a view");
	rtpc_ng_reply_free(&r);
	is_int(REP("k8", "k8 d6:result5:error12:error-reason22:Invalid NG "
	    "data formate", &r, &err), -1, "error to 'notbencode'");
	is_str(err.msg, "relay error: Invalid NG data format", "... reason");
	rtpc_ng_reply_free(&r);
	is_int(REP("k", "k d6:result5:errore", &r, &err), -1,
	    "error without error-reason");
	is_str(err.msg, "relay error (no error-reason)", "... says so");
	is_int(r.result, RTPC_NG_RES_ERROR, "... still an error reply");
	rtpc_ng_reply_free(&r);
	is_int(REP("k", "k d6:result5:error12:error-reason4:a\nb\x01" "e", &r,
	    &err), -1, "reason with control bytes");
	is_str(err.msg, "relay error: a\\x0ab\\x01", "... escaped, one line");
	rtpc_ng_reply_free(&r);
	is_int(REP("k", "k d6:result10:load limit7:message4:busye", &r,
	    &err), -1, "result 'load limit'");
	is_int(r.result, RTPC_NG_RES_ERROR, "... an error");
	is_str(err.msg, "relay result 'load limit'", "... named");
	is_mem(r.reason, r.reasonlen, "busy", 4, "... message as reason");
	rtpc_ng_reply_free(&r);
	is_int(REP("k", "k d6:result2:ok7:warning4:oopse", &r, &err), 0,
	    "ok with a warning");
	is_mem(r.warning, r.warninglen, "oops", 4, "... warning kept");
	rtpc_ng_reply_free(&r);

	/* replies that are not replies */
	is_int(REP("k1", "k2 d6:result2:oke", &r, &err), -1, "other cookie");
	is_int(r.result, RTPC_NG_RES_BAD, "... not a reply to us");
	like(err.msg, "cookie", "... says so");
	is_int(REP("k1", "k1d6:result2:oke", &r, &err), -1,
	    "cookie without a space");
	is_int(REP("k1", "k10 d6:result2:oke", &r, &err), -1,
	    "cookie with our cookie as prefix");
	is_int(REP("k1", "k1 notbencode", &r, &err), -1, "not bencode");
	is_int(r.result, RTPC_NG_RES_BAD, "... bad");
	like(err.msg, "relay reply does not parse: malformed bencode at "
	    "byte 0", "... says where");
	is_int(err.code, RTPC_EXIT_FAIL, "... exit status 1");
	is_int(REP("k1", "k1 d6:result2:okeXX", &r, &err), -1,
	    "trailing garbage");
	like(err.msg, "bytes after the value", "... says so");
	is_int(REP("k1", "k1 l6:resulte", &r, &err), -1, "a list");
	like(err.msg, "not a dictionary", "... says so");
	ok(r.doc.nodes == NULL, "... nothing kept");
	is_int(REP("k1", "k1 d3:sdp1:xe", &r, &err), -1, "no result");
	like(err.msg, "no result", "... says so");
	is_int(REP("k1", "k1 d6:resulti1ee", &r, &err), -1,
	    "integer result");
	like(err.msg, "no result", "... no string result");
	is_int(REP("k1", "k1 ", &r, &err), -1, "empty after the cookie");
	is_int(REP("k1", "", &r, &err), -1, "empty datagram");
	is_int(REP("k1", "k1 d6:result2:ok6:result2:oke", &r, &err), -1,
	    "duplicate result");
	like(err.msg, "duplicate key", "... refused");

	/* NULL cookie: take the reply's own */
	is_int(REP(NULL, "anything d6:result4:ponge", &r, &err), 0,
	    "any cookie when none is given");
	rtpc_ng_reply_free(&r);
	is_int(REP(NULL, " d6:result4:ponge", &r, &err), -1,
	    "empty cookie refused");
	is_int(REP(NULL, "nospace", &r, &err), -1, "no space: no cookie");

	ok(rtpc_ng_reply_cookie("k1", "k1 x", 4), "cookie match");
	ok(!rtpc_ng_reply_cookie("k1", "k1", 2), "cookie without space");
	ok(!rtpc_ng_reply_cookie("k1", "k1x ", 4), "longer cookie");
	ok(!rtpc_ng_reply_cookie("k1", "k1 x", 1), "length respected");
}

/*
 * Every allocation of a request and of a reply's parse fails in turn:
 * each run either succeeds with the same bytes or reports "out of
 * memory"; ASan and valgrind see to it that nothing leaks.
 */
static void
test_alloc_failures(void)
{
	static const char reply[] = "k1 d3:sdp5:v=0\r\n6:result2:ok"
	    "6:totalsd3:RTPd7:packetsi7eeee";
	struct rtpc_ng_req r;
	struct rtpc_ng_opts o;
	struct rtpc_ng_reply rp;
	struct rtpc_buf b, want;
	struct rtpc_err err;
	long n;
	int rc, oom = 0, same = 0, bad = 0, tries = 0;

	memset(&r, 0, sizeof(r));
	r.cmd = RTPC_NG_OFFER;
	r.call_id = "c1";
	r.from_tag = "f1";
	r.via_branch = "z9hG4bK1";
	r.sdp = SDP_A;
	r.sdplen = sizeof(SDP_A) - 1;
	flags("a1coiez30", RTPC_NG_OFFER, 4, &o, &err);
	o.received_from = "192.0.2.1";
	o.media_address = "192.0.2.2";
	o.ice = RTPC_NG_ICE_FORCE;
	o.flags &= ~(unsigned)RTPC_NG_FL_TRUST;
	r.opts = &o;
	rtpc_buf_init(&want, 0);
	is_int(rtpc_ng_build("k1", &r, &want, &err), 0,
	    "reference request without failures");
	for (n = 0; n < 200; n++) {
		rtpc_buf_init(&b, 0);
		rtpc_err_clear(&err);
		fail_after = n;
		rc = rtpc_ng_build("k1", &r, &b, &err);
		fail_after = -1;
		tries++;
		if (rc == 0) {
			if (b.len == want.len &&
			    memcmp(b.data, want.data, b.len) == 0)
				same++;
			else
				bad++;
			rtpc_buf_free(&b);
			break;
		}
		if (strstr(err.msg, "out of memory") != NULL)
			oom++;
		else {
			bad++;
			diag("allocation %ld: %s", n, err.msg);
		}
		rtpc_buf_free(&b);
	}
	ok(tries > 20, "a request takes many allocations (%d tried)", tries);
	is_int(oom, tries - 1, "every failed allocation said out of memory");
	is_int(same, 1, "the first run with enough memory built the request");
	is_int(bad, 0, "no other outcome");
	rtpc_buf_free(&want);

	oom = same = bad = tries = 0;
	for (n = 0; n < 20; n++) {
		rtpc_err_clear(&err);
		fail_after = n;
		rc = rtpc_ng_reply_parse("k1", reply, sizeof(reply) - 1, &rp,
		    &err);
		fail_after = -1;
		tries++;
		if (rc == 0) {
			same += rp.result == RTPC_NG_RES_OK;
			rtpc_ng_reply_free(&rp);
			break;
		}
		if (rp.result == RTPC_NG_RES_BAD &&
		    strstr(err.msg, "out of memory") != NULL)
			oom++;
		else
			bad++;
		rtpc_ng_reply_free(&rp);
	}
	is_int(oom, tries - 1, "reply: failed allocations said out of "
	    "memory (%d tried)", tries);
	is_int(same, 1, "reply: then parsed");
	is_int(bad, 0, "reply: no other outcome");
}

/* Without the cookie: what rtpc_tx_send_ng sends and hands back. */
static void
test_no_cookie(void)
{
	struct rtpc_ng_req rq;
	struct rtpc_ng_reply rp;
	struct rtpc_err err;
	struct rtpc_buf b;
	static const char err_reply[] =
	    "d12:error-reason15:Unknown call-id6:result5:errore";

	memset(&rq, 0, sizeof(rq));
	rq.cmd = RTPC_NG_PING;
	rtpc_buf_init(&b, 0);
	rtpc_err_clear(&err);
	is_int(rtpc_ng_encode(&rq, &b, &err), 0, "encode: ping");
	is_mem(b.data, b.len, "d7:command4:pinge", 17, "... the dictionary "
	    "alone");
	rtpc_buf_free(&b);
	is_int(rtpc_ng_reply_dict("d6:result4:ponge", 16, &rp, &err), 0,
	    "reply_dict: pong");
	is_int(rp.result, RTPC_NG_RES_PONG, "... is pong");
	rtpc_ng_reply_free(&rp);
	is_int(rtpc_ng_reply_dict(err_reply, sizeof(err_reply) - 1, &rp,
	    &err), -1, "reply_dict: an error");
	is_str(err.msg, "relay error: Unknown call-id", "... its reason");
	rtpc_ng_reply_free(&rp);
	is_int(rtpc_ng_reply_dict("k1 d6:result4:ponge", 19, &rp, &err), -1,
	    "reply_dict: a cookie is not taken off");
	is_int(rp.result, RTPC_NG_RES_BAD, "... the reply does not parse");
	rtpc_ng_reply_free(&rp);
}

int
main(void)
{
	test_no_cookie();
	test_letters();
	test_flags();
	test_build();
	test_build_errors();
	test_reply();
	test_alloc_failures();
	return done_testing();
}
