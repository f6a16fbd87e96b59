/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-plan.c: flags and the commands the module would send (plan.h),
 * checked against the command lines of the module reference: §4.1's
 * tag table, modifiers, Z and c<list> with and without capabilities,
 * ;N indexes, branch flags, D, and refused tokens.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "config.h"
#include "plan.h"
#include "sdp.h"
#include "fixtures.h"
#include "tap.h"

static struct rtpc_settings set;

/* A call as a SIP message would give it. */
static struct rtpc_call
mkcall(const char *callid, const char *ftag, const char *ttag, int is_request,
    const char *source_ip)
{
	struct rtpc_call c;

	memset(&c, 0, sizeof(c));
	c.callid = callid;
	c.ftag = ftag;
	c.ttag = ttag;
	c.is_request = is_request;
	c.is_sip = 1;
	c.source_ip = source_ip;
	return c;
}

/*
 * Plan op with flags on the SDP text (LF, sent as CRLF; NULL for
 * destroy) and render every command for a node with capabilities rep
 * and ptl, one per line without the final newline.  Returns the
 * plan's rc; *out is malloc'd (or NULL on failure).
 */
static int
run(enum rtpc_op op, const char *flags, const struct rtpc_call *call,
    const char *sdptext, int rep, int ptl, char **out, struct rtpc_err *err)
{
	struct rtpc_flags fl;
	struct rtpc_sdp sdp;
	struct rtpc_plan pl;
	struct rtpc_buf b;
	char *text = sdptext ? crlf(sdptext) : NULL;
	size_t i;
	int rc;

	*out = NULL;
	memset(&sdp, 0, sizeof(sdp));
	rtpc_err_clear(err);
	if (rtpc_flags_parse(flags, op, &fl, err) == -1) {
		free(text);
		return -1;
	}
	if (text != NULL && rtpc_sdp_parse(text, 0, strlen(text), &sdp,
	    err) == -1) {
		diag("test SDP does not parse: %s", err->msg);
		free(text);
		return -2;
	}
	rc = rtpc_plan_build(op, &fl, call, text, text ? &sdp : NULL, &set,
	    &pl, err);
	if (rc == 0) {
		rtpc_buf_init(&b, 0);
		for (i = 0; i < pl.n; i++) {
			struct rtpc_caps caps = { rep, ptl, 1 };

			if (i > 0)
				rtpc_buf_add(&b, "\n", 1);
			rtpc_cmd_render(&pl.cmds[i], &caps, &b);
		}
		*out = b.data ? b.data : strdup("");
		rtpc_plan_free(&pl);
	}
	rtpc_sdp_free(&sdp);
	free(text);
	return rc;
}

/* Expect the commands (lines joined by '\n'). */
static void
expect(enum rtpc_op op, const char *flags, const struct rtpc_call *call,
    const char *sdptext, int rep, int ptl, const char *want, const char *name)
{
	struct rtpc_err err;
	char *got;
	int rc = run(op, flags, call, sdptext, rep, ptl, &got, &err);

	if (!is_int(rc, 0, "%s: planned", name))
		diag("error: %s", err.msg);
	is_str(got, want, "%s", name);
	free(got);
}

/* Expect a refusal whose message contains want, with exit status code. */
static void
refuse(enum rtpc_op op, const char *flags, const struct rtpc_call *call,
    const char *sdptext, int code, const char *want, const char *name)
{
	struct rtpc_err err;
	char *got;
	int rc = run(op, flags, call, sdptext, 1, 1, &got, &err);

	is_int(rc, -1, "%s: refused", name);
	if (got != NULL)
		diag("planned anyway: %s", got);
	free(got);
	is_int(err.code, code, "... exit status %d", code);
	like(err.msg, want, "... saying '%s'", want);
}

#define SDP1 fixture("plan-sdp1.sdp")

#define SDP1_V6 fixture("plan-sdp1-v6.sdp")

static void
test_appendix_a(void)
{
	struct rtpc_call c;

	/* A.1: rtpengine has neither rep nor ptl */
	c = mkcall("1-15483@127.0.0.1", "15483-uac-1", NULL, 1, "127.0.0.1");
	expect(RTPC_OP_OFFER, "", &c, A1_OFFER, 0, 0,
	    "U 1-15483@127.0.0.1 127.0.0.1 16000 15483-uac-1;1",
	    "A.1 offer on the INVITE");
	c = mkcall("1-15483@127.0.0.1", "15483-uac-1", "15475-uas-1", 0,
	    "127.0.0.1");
	expect(RTPC_OP_ANSWER, "", &c, A1_ANSWER, 0, 0,
	    "L 1-15483@127.0.0.1 127.0.0.1 18000 15483-uac-1;1 15475-uas-1;1",
	    "A.1 answer in the 200 OK");
	c = mkcall("1-15483@127.0.0.1", "15483-uac-1", "15475-uas-1", 1,
	    "127.0.0.1");
	expect(RTPC_OP_DESTROY, "", &c, NULL, 0, 0,
	    "D 1-15483@127.0.0.1 15483-uac-1 15475-uas-1",
	    "A.1 destroy on the BYE");

	/* A.3: flags ar send the SDP's own address */
	c = mkcall("1-16016@127.0.0.1", "16016-uac-1", NULL, 1, "127.0.0.1");
	expect(RTPC_OP_OFFER, "ar", &c,
	    "v=0\no=uac 1 1 IN IP4 127.0.0.2\ns=-\nc=IN IP4 127.0.0.2\n"
	    "t=0 0\nm=audio 16000 RTP/AVP 0 8 101\n", 0, 0,
	    "UA 1-16016@127.0.0.1 127.0.0.2 16000 16016-uac-1;1",
	    "A.3 offer with ar");
	c = mkcall("1-16016@127.0.0.1", "16016-uac-1", "16008-uas-1", 0,
	    "127.0.0.1");
	expect(RTPC_OP_ANSWER, "ar", &c,
	    "v=0\no=uas 1 1 IN IP4 127.0.0.3\ns=-\nc=IN IP4 127.0.0.3\n"
	    "t=0 0\nm=audio 18000 RTP/AVP 0 101\n", 0, 0,
	    "LA 1-16016@127.0.0.1 127.0.0.3 18000 16016-uac-1;1 16008-uas-1;1",
	    "A.3 answer with ar");

	/* §4.1's first row, against a node with ptl */
	c = mkcall("cid", "ft1", NULL, 1, "127.0.0.5");
	expect(RTPC_OP_OFFER, "", &c,
	    "v=0\no=- 1 1 IN IP4 10.0.0.9\ns=-\nc=IN IP4 10.0.0.9\nt=0 0\n"
	    "m=audio 7000 RTP/AVP 0 8 101\n", 1, 1,
	    "Uc0,8,101 cid 127.0.0.5 7000 ft1;1",
	    "offer on an initial INVITE, node with ptl");
}

static void
test_tag_table(void)
{
	struct rtpc_call c;

	c = mkcall("cid", "F", NULL, 1, "10.0.0.1");
	expect(RTPC_OP_OFFER, "", &c, SDP1, 0, 0, "U cid 10.0.0.1 7000 F;1",
	    "offer on an initial INVITE: F;1");
	c = mkcall("cid", "F", "T", 1, "10.0.0.1");
	expect(RTPC_OP_OFFER, "", &c, SDP1, 0, 0,
	    "U cid 10.0.0.1 7000 F;1 T;1", "offer on a re-INVITE: F;1 T;1");
	c = mkcall("cid", "F", "T", 0, "10.0.0.1");
	expect(RTPC_OP_OFFER, "", &c, SDP1, 0, 0,
	    "U cid 10.0.0.1 7000 T;1 F;1", "offer in a 200 OK: T;1 F;1");
	c = mkcall("cid", "F", "T", 0, "10.0.0.1");
	expect(RTPC_OP_ANSWER, "", &c, SDP1, 0, 0,
	    "L cid 10.0.0.1 7000 F;1 T;1", "answer in a 200 OK: F;1 T;1");
	c = mkcall("cid", "F", "T", 1, "10.0.0.1");
	c.is_ack = 1;
	expect(RTPC_OP_ANSWER, "", &c, SDP1, 0, 0,
	    "L cid 10.0.0.1 7000 T;1 F;1", "answer in an ACK: T;1 F;1");
	c = mkcall("cid", "F", "T", 1, "10.0.0.1");
	expect(RTPC_OP_OFFER, "l", &c, SDP1, 0, 0,
	    "L cid 10.0.0.1 7000 T;1 F;1", "flag l in a request: L T;1 F;1");
	c = mkcall("cid", "F", "T", 0, "10.0.0.1");
	expect(RTPC_OP_OFFER, "L", &c, SDP1, 0, 0,
	    "L cid 10.0.0.1 7000 F;1 T;1", "flag L in a reply: L F;1 T;1");

	/* what needs a To-tag */
	c = mkcall("cid", "F", NULL, 0, "10.0.0.1");
	refuse(RTPC_OP_OFFER, "", &c, SDP1, RTPC_EXIT_FAIL, "To-tag",
	    "offer in a reply without a To-tag");
	refuse(RTPC_OP_ANSWER, "", &c, SDP1, RTPC_EXIT_FAIL, "To-tag",
	    "answer without a To-tag");
	c = mkcall("cid", "F", NULL, 1, "10.0.0.1");
	refuse(RTPC_OP_OFFER, "l", &c, SDP1, RTPC_EXIT_FAIL, "To-tag",
	    "flag l without a To-tag");
	/* answer only in a reply or an ACK; never with l */
	c = mkcall("cid", "F", "T", 1, "10.0.0.1");
	refuse(RTPC_OP_ANSWER, "", &c, SDP1, RTPC_EXIT_FAIL, "ACK",
	    "answer in an INVITE");
	c = mkcall("cid", "F", "T", 0, "10.0.0.1");
	{
		struct rtpc_err err;
		char *got;

		is_int(run(RTPC_OP_ANSWER, "l", &c, SDP1, 1, 1, &got, &err), -1,
		    "answer with flag l is refused (the module returns -1)");
		free(got);
	}
}

static void
test_modifiers(void)
{
	struct rtpc_call c = mkcall("cid", "F", NULL, 1, "10.0.0.1");
	struct rtpc_call bare = mkcall("cid", "F", NULL, 1, NULL);

	bare.is_sip = 0;
	expect(RTPC_OP_OFFER, "iew", &c, SDP1, 0, 0,
	    "UIES cid 10.0.0.1 7000 F;1", "iew -> IES");
	expect(RTPC_OP_OFFER, "wei", &c, SDP1, 0, 0,
	    "USEI cid 10.0.0.1 7000 F;1", "wei -> SEI, in flag order");
	expect(RTPC_OP_OFFER, "aiew", &c, SDP1, 0, 0,
	    "UAIES cid 192.0.2.5 7000 F;1",
	    "aiew -> AIES, and a sends the SDP address");
	expect(RTPC_OP_OFFER, "WaIE", &c, SDP1, 0, 0,
	    "USAIE cid 192.0.2.5 7000 F;1", "capitals: WaIE -> SAIE");
	expect(RTPC_OP_OFFER, "r", &c, SDP1, 0, 0,
	    "U cid 192.0.2.5 7000 F;1", "r sends the SDP address, no modifier");
	expect(RTPC_OP_OFFER, "", &bare, SDP1, 0, 0,
	    "U cid 192.0.2.5 7000 F;1",
	    "no source address known: the SDP address");
	expect(RTPC_OP_OFFER, "x", &c, SDP1, 0, 0,
	    "UIE cid 10.0.0.1 7000 F;1", "x on IPv4 media -> IE");
	expect(RTPC_OP_OFFER, "x", &bare, SDP1_V6, 0, 0,
	    "UEI6 cid 2001:db8::5 7000 F;1", "x on IPv6 media -> EI6");
	expect(RTPC_OP_OFFER, "xX", &c, SDP1, 0, 0,
	    "UIE cid 10.0.0.1 7000 F;1", "x twice -> IE once");
	expect(RTPC_OP_OFFER, "ix", &c, SDP1, 0, 0,
	    "UIIE cid 10.0.0.1 7000 F;1", "ix -> I then IE");
	expect(RTPC_OP_OFFER, "xw", &bare, SDP1_V6, 0, 0,
	    "USEI6 cid 2001:db8::5 7000 F;1",
	    "xw on IPv6: the letters, then EI, then 6");
	expect(RTPC_OP_OFFER, "", &bare, SDP1_V6, 0, 0,
	    "U6 cid 2001:db8::5 7000 F;1", "IPv6 media -> 6");
	expect(RTPC_OP_OFFER, "z20", &c, SDP1, 1, 0,
	    "UZ20 cid 10.0.0.1 7000 F;1", "z20 with rep -> Z20");
	expect(RTPC_OP_OFFER, "z20", &c, SDP1, 0, 1,
	    "Uc0,8,101 cid 10.0.0.1 7000 F;1", "z20 without rep: no Z");
	expect(RTPC_OP_OFFER, "xz20", &bare, SDP1_V6, 1, 1,
	    "UEI6Z20c0 cid 2001:db8::5 7000 F;1",
	    "order: modifiers, x, 6, Z, c");
	expect(RTPC_OP_OFFER, "", &c, SDP1, 1, 0,
	    "U cid 10.0.0.1 7000 F;1", "c<list> needs ptl");
	expect(RTPC_OP_OFFER, "", &c, SDP1, 0, 1,
	    "Uc0,8,101 cid 10.0.0.1 7000 F;1", "c<list> with ptl");
	/* options that change nothing in U/L */
	expect(RTPC_OP_OFFER, "fcot", &c, SDP1, 1, 1,
	    "Uc0,8,101 cid 10.0.0.1 7000 F;1", "f c o t add no modifier");
}

static void
test_streams(void)
{
	/* the reference's rz30 example: 6 and Z never accumulate */
	static const char three[] =
	    "v=0\n"
	    "o=- 1 1 IN IP6 2001:db8::5\n"
	    "s=-\n"
	    "c=IN IP6 2001:db8::5\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n"
	    "m=video 7002 RTP/AVP 96\n"
	    "m=audio 7004 RTP/AVP 8\n"
	    "c=IN IP4 10.1.1.1\n";
	static const char mixed[] =
	    "v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 10.0.0.1\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVPF 0\n"
	    "m=video 0 RTP/AVP 96\n"
	    "m=image 5004 udptl t38\n"
	    "m=application 9 TCP/MRCPv2 1\n"
	    "m=audio 7010 UDP/TLS/RTP/SAVPF 111\n"
	    "m=audio 7020 RTP/SAVP\n"
	    "m=audio 7030 RTP/SAVPF 0\t8 \n";
	static const char two_sessions[] =
	    "v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "c=IN IP4 10.0.0.1\n"
	    "m=audio 7000 RTP/AVP 0\n"
	    "m=audio 7002 RTP/AVP 0\n"
	    "v=0\n"
	    "o=- 2 2 IN IP4 10.0.0.2\n"
	    "c=IN IP4 10.0.0.2\n"
	    "m=audio 8000 RTP/AVP 8\n";
	struct rtpc_call c = mkcall("cid", "F", NULL, 1, "10.0.0.1");
	struct rtpc_call bare = mkcall("cid", "F", NULL, 1, NULL);

	bare.is_sip = 0;
	expect(RTPC_OP_OFFER, "rz30", &c, three, 1, 1,
	    "U6Z30c0 cid 2001:db8::5 7000 F;1\n"
	    "U6Z30c96 cid 2001:db8::5 7002 F;2\n"
	    "UZ30c8 cid 10.1.1.1 7004 F;3",
	    "rz30 on three streams: Z once each, 6 only on IPv6 streams");
	expect(RTPC_OP_OFFER, "rz30", &c, three, 0, 0,
	    "U6 cid 2001:db8::5 7000 F;1\n"
	    "U6 cid 2001:db8::5 7002 F;2\n"
	    "U cid 10.1.1.1 7004 F;3", "... to a node without rep or ptl");
	expect(RTPC_OP_OFFER, "", &c, mixed, 0, 1,
	    "Uc0 cid 10.0.0.1 7000 F;1\n"
	    "Uc96 cid 10.0.0.1 0 F;2\n"
	    "U cid 10.0.0.1 5004 F;3\n"
	    "U cid 10.0.0.1 9 F;4\n"
	    "Uc111 cid 10.0.0.1 7010 F;5\n"
	    "U cid 10.0.0.1 7020 F;6\n"
	    "Uc0,8 cid 10.0.0.1 7030 F;7",
	    "one command per m= line: port 0 sent as 0, c only for RTP "
	    "profiles with payload types");
	expect(RTPC_OP_OFFER, "", &bare, two_sessions, 0, 0,
	    "U cid 10.0.0.1 7000 F;1\n"
	    "U cid 10.0.0.1 7002 F;2\n"
	    "U cid 10.0.0.2 8000 F;3",
	    "N counts across SDP sessions");
	{
		struct rtpc_call t = mkcall("cid", "F", "T", 0, "10.0.0.1");

		expect(RTPC_OP_ANSWER, "", &t, two_sessions, 0, 0,
		    "L cid 10.0.0.1 7000 F;1 T;1\n"
		    "L cid 10.0.0.1 7002 F;2 T;2\n"
		    "L cid 10.0.0.1 8000 F;3 T;3",
		    "both tags carry ;N");
	}
}

static void
test_capabilities(void)
{
	struct rtpc_flags fl;
	struct rtpc_err err;
	struct rtpc_sdp sdp;
	struct rtpc_plan pl;
	struct rtpc_call c = mkcall("cid", "F", NULL, 1, "10.0.0.1");
	char *t = crlf("v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 10.0.0.1\n"
	    "m=audio 7000 RTP/AVP 0\nm=image 7002 udptl t38\n");

	rtpc_sdp_parse(t, 0, strlen(t), &sdp, &err);
	rtpc_flags_parse("", RTPC_OP_OFFER, &fl, &err);
	if (is_int(rtpc_plan_build(RTPC_OP_OFFER, &fl, &c, t, &sdp, &set, &pl,
	    &err), 0, "plan for needs_caps") && pl.n == 2) {
		ok(rtpc_cmd_needs_caps(&pl.cmds[0]),
		    "an RTP stream with a codec list needs caps");
		ok(!rtpc_cmd_needs_caps(&pl.cmds[1]),
		    "a udptl stream without z does not");
		is_int(pl.cmds[0].stream, 0, "stream index 0");
		is_int(pl.cmds[1].stream, 1, "stream index 1");
		is_int(pl.cmds[0].af, 4, "family of the address sent: 4");
		is_int(pl.cmds[0].letter, 'U', "letter U");
		is_str(pl.callid, "cid", "the plan's Call-ID");
		rtpc_plan_free(&pl);
	}
	rtpc_flags_parse("z20", RTPC_OP_OFFER, &fl, &err);
	if (is_int(rtpc_plan_build(RTPC_OP_OFFER, &fl, &c, t, &sdp, &set, &pl,
	    &err), 0, "plan with z20") && pl.n == 2) {
		ok(rtpc_cmd_needs_caps(&pl.cmds[1]), "with z every command "
		    "needs caps");
		rtpc_plan_free(&pl);
	}
	c.source_ip = "2001:db8::1";
	rtpc_flags_parse("", RTPC_OP_OFFER, &fl, &err);
	if (is_int(rtpc_plan_build(RTPC_OP_OFFER, &fl, &c, t, &sdp, &set, &pl,
	    &err), 0, "plan with an IPv6 source") && pl.n == 2) {
		is_int(pl.cmds[0].af, 6, "family of the address sent: 6");
		rtpc_plan_free(&pl);
	}
	rtpc_sdp_free(&sdp);
	free(t);
}

static void
test_branches(void)
{
	struct rtpc_call c = mkcall("cid", "F", "T", 1, "10.0.0.1");
	struct rtpc_settings saved = set;

	c.branch[0] = "z9hG4bK1";
	c.branch[1] = "z9hG4bK2";
	c.branch[2] = "z9hG4bK3";
	c.nvia = 3;
	expect(RTPC_OP_OFFER, "1", &c, SDP1, 0, 0,
	    "U cid;z9hG4bK1 10.0.0.1 7000 F;1 T;1", "flag 1: Via 1's branch");
	expect(RTPC_OP_OFFER, "2", &c, SDP1, 0, 0,
	    "U cid;z9hG4bK2 10.0.0.1 7000 F;1 T;1", "flag 2: Via 2's branch");
	/* 3: Via 1 in a request, Via 2 in a reply (Kamailio 5.6.3) */
	expect(RTPC_OP_OFFER, "3", &c, SDP1, 0, 0,
	    "U cid;z9hG4bK1 10.0.0.1 7000 F;1 T;1", "flag 3 in a request: "
	    "Via 1's branch");
	c.is_request = 0;
	expect(RTPC_OP_ANSWER, "3", &c, SDP1, 0, 0,
	    "L cid;z9hG4bK2 10.0.0.1 7000 F;1 T;1", "flag 3 in a reply: "
	    "Via 2's branch");
	c.is_request = 1;
	expect(RTPC_OP_DESTROY, "2", &c, NULL, 0, 0,
	    "D cid;z9hG4bK2 F T", "flag 2 on D");
	{
		struct rtpc_err err;
		struct rtpc_flags fl;
		struct rtpc_plan pl;

		rtpc_flags_parse("1", RTPC_OP_DESTROY, &fl, &err);
		if (is_int(rtpc_plan_build(RTPC_OP_DESTROY, &fl, &c, NULL, NULL,
		    &set, &pl, &err), 0, "plan D with flag 1")) {
			is_str(pl.callid, "cid", "... the node is chosen by "
			    "the raw Call-ID");
			rtpc_plan_free(&pl);
		}
	}
	c.nvia = 1;
	refuse(RTPC_OP_OFFER, "2", &c, SDP1, RTPC_EXIT_FAIL, "Via",
	    "flag 2 with one Via");
	c.nvia = 3;
	c.branch[0] = NULL;
	refuse(RTPC_OP_OFFER, "3", &c, SDP1, RTPC_EXIT_FAIL, "branch",
	    "flag 3 when Via 1 has no branch");
	c.branch[0] = "z9hG4bK1";
	c.is_sip = 0;
	refuse(RTPC_OP_OFFER, "1", &c, SDP1, RTPC_EXIT_FAIL, "Via",
	    "flag 1 without a SIP message");
	c.is_sip = 1;

	/* b: extra_id, silently ignored when unset; the branch wins */
	expect(RTPC_OP_OFFER, "b", &c, SDP1, 0, 0,
	    "U cid 10.0.0.1 7000 F;1 T;1", "b without extra_id is ignored");
	set.extra_id = (char *)(uintptr_t)"leg7";
	expect(RTPC_OP_OFFER, "b", &c, SDP1, 0, 0,
	    "U cid;leg7 10.0.0.1 7000 F;1 T;1", "b appends extra_id");
	expect(RTPC_OP_OFFER, "b1", &c, SDP1, 0, 0,
	    "U cid;z9hG4bK1 10.0.0.1 7000 F;1 T;1", "the branch wins over b");
	expect(RTPC_OP_DESTROY, "b", &c, NULL, 0, 0, "D cid;leg7 F T",
	    "b on D");
	set = saved;
}

static void
test_destroy(void)
{
	struct rtpc_call c = mkcall("cid", "F", NULL, 1, "10.0.0.1");
	struct rtpc_flags fl;
	struct rtpc_err err;

	expect(RTPC_OP_DESTROY, "", &c, NULL, 0, 0, "D cid F",
	    "D without a To-tag");
	c.ttag = "T";
	expect(RTPC_OP_DESTROY, "", &c, NULL, 1, 1, "D cid F T",
	    "D with a To-tag");
	expect(RTPC_OP_DESTROY, "t", &c, NULL, 0, 0, "D cid F",
	    "D with flag t leaves out the To-tag");
	c.is_request = 0;
	expect(RTPC_OP_DESTROY, "", &c, NULL, 0, 0, "D cid F T",
	    "D in a reply: tags never swapped");
	expect(RTPC_OP_DESTROY, "aiewrfcoxlz20", &c, NULL, 1, 1, "D cid F T",
	    "D ignores every offer letter");
	is_int(rtpc_flags_parse("aiewxz20", RTPC_OP_DESTROY, &fl, &err), 0,
	    "D flags with offer letters parse");
	is_str(fl.mods, "", "... no modifiers kept");
	is_int(fl.z, 0, "... no z kept");
	refuse(RTPC_OP_DESTROY, "ieq", &c, NULL, RTPC_EXIT_USAGE, "'q'",
	    "D with ieq (q is unknown)");
	c.ftag = NULL;
	refuse(RTPC_OP_DESTROY, "", &c, NULL, RTPC_EXIT_FAIL, "From-tag",
	    "D on a SIP message without a From-tag (bad input)");
	c.is_sip = 0;
	refuse(RTPC_OP_DESTROY, "", &c, NULL, RTPC_EXIT_USAGE, "From-tag",
	    "D without a From-tag and no SIP message (usage)");
	c.ftag = "F";
	c.callid = NULL;
	refuse(RTPC_OP_DESTROY, "", &c, NULL, RTPC_EXIT_USAGE, "Call-ID",
	    "D without a Call-ID");
}

static void
test_flags(void)
{
	struct rtpc_flags fl;
	struct rtpc_err err;

	is_int(rtpc_flags_parse("", RTPC_OP_OFFER, &fl, &err), 0, "no flags");
	ok(fl.mods[0] == '\0' && fl.via == 0 && !fl.b && !fl.r && !fl.a &&
	    !fl.f && !fl.c && !fl.o && !fl.t && !fl.x && !fl.l && fl.z == 0,
	    "... all off");
	is_int(rtpc_flags_parse("RFCOXLTB", RTPC_OP_OFFER, &fl, &err), 0,
	    "capital letters");
	ok(fl.r && fl.f && fl.c && fl.o && fl.x && fl.l && fl.t && fl.b,
	    "... r f c o x l t b all set");
	is_int(rtpc_flags_parse("AIEW", RTPC_OP_ANSWER, &fl, &err), 0,
	    "AIEW for an answer");
	is_str(fl.mods, "AIES", "... modifiers AIES");
	ok(fl.a, "... a set");
	is_int(rtpc_flags_parse("z20", RTPC_OP_OFFER, &fl, &err), 0, "z20");
	is_int(fl.z, 20, "... 20");
	is_int(rtpc_flags_parse("Z30", RTPC_OP_OFFER, &fl, &err), 0, "Z30");
	is_int(fl.z, 30, "... 30");
	is_int(rtpc_flags_parse("z999", RTPC_OP_OFFER, &fl, &err), 0, "z999");
	is_int(fl.z, 999, "... 999");
	is_int(rtpc_flags_parse("z20x", RTPC_OP_OFFER, &fl, &err), 0, "z20x");
	ok(fl.z == 20 && fl.x, "... z 20 and x");
	is_int(rtpc_flags_parse("2", RTPC_OP_OFFER, &fl, &err), 0, "2");
	is_int(fl.via, 2, "... Via 2");

	static const struct {
		const char *flags;
		const char *want;
	} bad[] = {
		{ "q", "'q'" }, { "arq", "'q'" }, { "4", "'4'" },
		{ "d", "'d'" }, { "s", "'s'" }, { " ", "' '" }, { "a-r", "'-'" },
		{ "z", "z" }, { "z0", "z" }, { "z1000", "z" }, { "zx", "z" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rtpc_err_clear(&err);
		is_int(rtpc_flags_parse(bad[i].flags, RTPC_OP_OFFER, &fl,
		    &err), -1, "flags '%s' refused", bad[i].flags);
		ok(err.code != RTPC_EXIT_OK, "... with a failure status");
		like(err.msg, bad[i].want, "... naming %s", bad[i].want);
	}
	rtpc_err_clear(&err);
	is_int(rtpc_flags_parse("q", RTPC_OP_DESTROY, &fl, &err), -1,
	    "q refused for destroy too");
	{
		char many[100];

		memset(many, 'i', sizeof(many) - 1);
		many[sizeof(many) - 1] = '\0';
		rtpc_err_clear(&err);
		is_int(rtpc_flags_parse(many, RTPC_OP_OFFER, &fl, &err), -1,
		    "99 modifier letters are refused");
		like(err.msg, "too long", "... as too long");
		is_int(rtpc_flags_parse(many, RTPC_OP_DESTROY, &fl, &err), 0,
		    "... but mean nothing to D");
	}
}

static void
test_hostile(void)
{
	static const struct {
		const char *callid, *ftag, *ttag, *src;
		const char *want;
		const char *what;
	} bad[] = {
		{ "a b", "F", "T", "10.0.0.1", "call-id", "a Call-ID with a space" },
		{ "a\tb", "F", "T", "10.0.0.1", "\\x09", "a Call-ID with a tab" },
		{ "ab\r\n", "F", "T", "10.0.0.1", "\\x0d\\x0a",
		    "a Call-ID with CRLF" },
		{ "", "F", "T", "10.0.0.1", "call-id", "an empty Call-ID" },
		{ "a\x7f", "F", "T", "10.0.0.1", "call-id", "a Call-ID with DEL" },
		{ "cid", "F F", "T", "10.0.0.1", "from-tag",
		    "a From-tag with a space" },
		{ "cid", "F\x01", "T", "10.0.0.1", "\\x01",
		    "a From-tag with a control byte" },
		{ "cid", "F", "T\nU 1 2 3", "10.0.0.1", "to-tag",
		    "a To-tag with a line feed" },
		{ "cid", "F", "", "10.0.0.1", "to-tag", "an empty To-tag" },
		{ "cid", "F", "T", "10.0.0.1 6", "source address",
		    "a source address with a space" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rtpc_call c = mkcall(bad[i].callid, bad[i].ftag,
		    bad[i].ttag, 1, bad[i].src);

		refuse(RTPC_OP_OFFER, "", &c, SDP1, RTPC_EXIT_FAIL, bad[i].want,
		    bad[i].what);
		if (strcmp(bad[i].want, "source address") != 0)
			refuse(RTPC_OP_DESTROY, "", &c, NULL, RTPC_EXIT_FAIL,
			    bad[i].want, "... and for D");
	}
	{
		struct rtpc_call c = mkcall("cid", "F", "T", 1, "10.0.0.1");

		c.branch[0] = "z9hG4bK 1";
		c.nvia = 1;
		refuse(RTPC_OP_OFFER, "1", &c, SDP1, RTPC_EXIT_FAIL, "branch",
		    "a Via branch with a space");
	}
}

static void
test_timeout_socket(void)
{
	struct rtpc_settings saved = set;
	struct rtpc_call c = mkcall("c1@h", "f1", NULL, 1, "10.0.0.1");
	struct rtpc_err err;
	char *got;
	static const char pfx[] = "U c1@h 10.0.0.1 7000 f1;1 unix:/run/n.sock ";

	set.timeout_socket = (char *)(uintptr_t)"unix:/run/n.sock";
	is_int(run(RTPC_OP_OFFER, "", &c, SDP1, 0, 0, &got, &err), 0,
	    "offer with timeout_socket");
	ok(got != NULL && strncmp(got, pfx, strlen(pfx)) == 0,
	    "... the socket follows the tags, even without a To-tag");
	if (got != NULL && strlen(got) > strlen(pfx)) {
		const char *tag = got + strlen(pfx);

		ok(rtpc_token_safe(tag, strlen(tag)),
		    "... then one notify tag token");
	} else
		ok(0, "... then one notify tag token");
	free(got);
	c.ttag = "t1";
	is_int(run(RTPC_OP_OFFER, "", &c, SDP1, 0, 0, &got, &err), 0,
	    "re-INVITE offer with timeout_socket");
	like(got, "f1;1 t1;1 unix:/run/n.sock ", "... after both tags");
	free(got);
	c.is_request = 0;
	expect(RTPC_OP_ANSWER, "", &c, SDP1, 0, 0,
	    "L c1@h 10.0.0.1 7000 f1;1 t1;1", "L never carries the socket");
	set = saved;

	{
		struct rtpc_buf b;

		rtpc_buf_init(&b, 0);
		rtpc_pct_encode("c1@h f1", &b);
		is_str(b.data, "c1@h%20f1", "pct_encode: space -> %%20");
		rtpc_buf_reset(&b);
		rtpc_pct_encode("a/b;c=d%-._~", &b);
		is_str(b.data, "a%2Fb%3Bc%3Dd%25-._~",
		    "pct_encode: reserved bytes encoded, unreserved kept");
		rtpc_buf_reset(&b);
		rtpc_pct_encode("\x01\xff", &b);
		is_str(b.data, "%01%FF", "pct_encode: control and high bytes");
		rtpc_buf_free(&b);
	}
}

int
main(void)
{
	rtpc_settings_init(&set);
	test_appendix_a();
	test_tag_table();
	test_modifiers();
	test_streams();
	test_capabilities();
	test_branches();
	test_destroy();
	test_flags();
	test_hostile();
	test_timeout_socket();
	rtpc_settings_free(&set);
	return done_testing();
}
