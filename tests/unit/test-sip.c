/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-sip.c: the SIP message view (sip.h): start line, Call-ID,
 * From/To tags, CSeq, Via, Content-Type, Content-Length, folded lines,
 * LF and CRLF, multipart/mixed bodies, and the errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "text.h"
#include "sip.h"
#include "fixtures.h"
#include "tap.h"

/* The INVITE of Appendix A.1, as sipp sends it. */
#define INVITE_HEAD \
	"INVITE sip:svc@127.0.0.1:5060 SIP/2.0\n" \
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-15483-1-0\n" \
	"From: sipp <sip:sipp@127.0.0.1:5070>;tag=15483-uac-1\n" \
	"To: svc <sip:svc@127.0.0.1:5060>\n" \
	"Call-ID: 1-15483@127.0.0.1\n" \
	"CSeq: 1 INVITE\n" \
	"Contact: sip:sipp@127.0.0.1:5070\n" \
	"Max-Forwards: 70\n" \
	"Subject: Performance Test\n" \
	"Content-Type: application/sdp\n" \
	"Content-Length: %zu\n"

/* The 200 OK to it, as Kamailio relays it to the UAC. */
#define OK_HEAD \
	"SIP/2.0 200 OK\n" \
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-15483-1-0\n" \
	"From: sipp <sip:sipp@127.0.0.1:5070>;tag=15483-uac-1\n" \
	"To: svc <sip:svc@127.0.0.1:5060>;tag=15475-uas-1\n" \
	"Call-ID: 1-15483@127.0.0.1\n" \
	"CSeq: 1 INVITE\n" \
	"Contact: <sip:127.0.0.1:5080;transport=UDP>\n" \
	"Content-Type: application/sdp\n" \
	"Content-Length: %zu\n"

/* A minimal request head around the header lines under test. */
#define MINI(hdrs) \
	"OPTIONS sip:a@b SIP/2.0\n" \
	"Call-ID: c1\n" \
	"From: <sip:a@b>;tag=f1\n" \
	"CSeq: 1 OPTIONS\n" \
	hdrs

static int
span_is(const char *b, struct rtpc_span s, const char *want, const char *name)
{
	return is_mem(b + s.off, s.len, want, strlen(want), "%s", name);
}

static int
parse(const char *b, struct rtpc_sip *m, struct rtpc_err *err)
{
	rtpc_err_clear(err);
	return rtpc_sip_parse(b, strlen(b), m, err);
}

/* Parse and find the SDP, as the commands that rewrite SDP do. */
static int
parse_sdp(const char *b, struct rtpc_sip *m, struct rtpc_err *err)
{
	if (parse(b, m, err) == -1)
		return -1;
	return rtpc_sip_find_sdp(b, m, err);
}

static void
test_invite(int use_crlf)
{
	const char *e = use_crlf ? "CRLF" : "LF";
	char *msg = sipmsg(INVITE_HEAD, A1_OFFER, use_crlf);
	char *sdp = eols(A1_OFFER, use_crlf);
	struct rtpc_sip m;
	struct rtpc_err err;
	char want[32];

	is_int(parse(msg, &m, &err), 0, "%s INVITE parses", e);
	if (err.msg[0])
		diag("%s", err.msg);
	is_int(m.is_request, 1, "%s: a request", e);
	span_is(msg, m.method, "INVITE", "method INVITE");
	span_is(msg, m.callid, "1-15483@127.0.0.1", "Call-ID");
	span_is(msg, m.ftag, "15483-uac-1", "From-tag");
	is_int(m.ttag.len, 0, "no To-tag");
	span_is(msg, m.cseq_method, "INVITE", "CSeq method");
	is_int(m.nvia, 1, "one Via");
	span_is(msg, m.via[0].host, "127.0.0.1", "Via host");
	span_is(msg, m.via[0].branch, "z9hG4bK-15483-1-0", "Via branch");
	is_int(m.via[0].received.len, 0, "no received=");
	span_is(msg, m.ctype, "application/sdp", "Content-Type");
	is_int(m.has_clen, 1, "has Content-Length");
	snprintf(want, sizeof(want), "%zu", strlen(sdp));
	span_is(msg, m.clen, want, "Content-Length digits");
	is_int(m.body_len, strlen(sdp), "body length");
	is_int(m.body_off, strlen(msg) - strlen(sdp), "body after the "
	    "blank line");
	is_int(m.sdp.off, m.body_off, "the SDP is the body");
	is_int(m.sdp.len, m.body_len, "... all of it");
	is_int(m.multipart, 0, "not multipart");
	if (use_crlf)
		is_int(m.body_len, 220, "the A.1 offer is 220 bytes");
	free(msg);
	free(sdp);
}

static void
test_reply(int use_crlf)
{
	const char *e = use_crlf ? "CRLF" : "LF";
	char *msg = sipmsg(OK_HEAD, A1_ANSWER, use_crlf);
	struct rtpc_sip m;
	struct rtpc_err err;

	is_int(parse(msg, &m, &err), 0, "%s 200 OK parses", e);
	is_int(m.is_request, 0, "%s: a reply", e);
	is_int(m.status, 200, "status 200");
	span_is(msg, m.ftag, "15483-uac-1", "From-tag");
	span_is(msg, m.ttag, "15475-uas-1", "To-tag");
	span_is(msg, m.cseq_method, "INVITE", "CSeq method of the reply");
	if (use_crlf)
		is_int(m.body_len, 196, "the A.1 answer is 196 bytes");
	free(msg);
}

static void
test_start_lines(void)
{
	static const struct {
		const char *line;
		int req;
		int status;
		const char *method;
	} good[] = {
		{ "SIP/2.0 180 Ringing", 0, 180, NULL },
		{ "SIP/2.0 183 Session Progress", 0, 183, NULL },
		{ "SIP/2.0 486 Busy Here", 0, 486, NULL },
		{ "SIP/2.0 200 ", 0, 200, NULL },
		{ "ACK sip:svc@127.0.0.1:5060 SIP/2.0", 1, 0, "ACK" },
		{ "BYE sip:svc@127.0.0.1:5060 SIP/2.0", 1, 0, "BYE" },
		{ "UPDATE sips:a@[2001:db8::1]:5061;transport=tls SIP/2.0", 1,
		    0, "UPDATE" },
	};
	static const char *const bad[] = {
		"SIP/2.0 2x0 OK", "SIP/2.0 20 OK", "SIP/2.0 099 Odd",
		"SIP/2.0 2000 OK", "invite sip:a@b SIP/2.0",
		"INVITE sip:a@b SIP/3.0", "INVITE sip:a@b", "INVITE",
		"HTTP/1.1 200 OK", " INVITE sip:a@b SIP/2.0",
	};
	char buf[512];
	struct rtpc_sip m;
	struct rtpc_err err;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(buf, sizeof(buf), "%s\r\nCall-ID: c\r\n"
		    "From: <sip:a@b>;tag=f\r\nCSeq: 1 INVITE\r\n\r\n",
		    good[i].line);
		is_int(parse(buf, &m, &err), 0, "start line '%s'",
		    good[i].line);
		is_int(m.is_request, good[i].req, "... request %d",
		    good[i].req);
		if (good[i].method)
			span_is(buf, m.method, good[i].method, "... method");
		else
			is_int(m.status, good[i].status, "... status %d",
			    good[i].status);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "%s\r\nCall-ID: c\r\n"
		    "From: <sip:a@b>;tag=f\r\nCSeq: 1 INVITE\r\n\r\n", bad[i]);
		is_int(parse(buf, &m, &err), -1, "refuses start line '%s'",
		    bad[i]);
		like(err.msg, "line 1", "... naming line 1");
	}

	ok(rtpc_sip_detect("INVITE sip:a@b SIP/2.0\r\nx", 25),
	    "detect: a CRLF request");
	ok(rtpc_sip_detect("ACK sip:a@b SIP/2.0\n", 20), "detect: an LF ACK");
	ok(rtpc_sip_detect("SIP/2.0 200 OK\r\n", 16), "detect: a reply");
	ok(!rtpc_sip_detect("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n", 29),
	    "detect: SDP is not SIP");
	ok(!rtpc_sip_detect("", 0), "detect: empty is not SIP");
	ok(!rtpc_sip_detect("dj1=", 4), "detect: base64 is not SIP");
}

static void
test_compact(void)
{
	/* every compact form, and odd case and spacing of names */
	static const char head[] =
	    "SIP/2.0 200 OK\n"
	    "v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKc1;received=192.0.2.7\n"
	    "f: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
	    "t: <sip:bob@biloxi.example.com>;tag=a6c85cf\n"
	    "i: a84b4c76e66710@pc33.atlanta.example.com\n"
	    "CSEQ : 314159 INVITE\n"
	    "c: Application/SDP\n"
	    "l: %zu\n";
	char *msg = sipmsg(head, A1_ANSWER, 1);
	struct rtpc_sip m;
	struct rtpc_err err;

	is_int(parse(msg, &m, &err), 0, "compact headers parse");
	if (err.msg[0])
		diag("%s", err.msg);
	span_is(msg, m.callid, "a84b4c76e66710@pc33.atlanta.example.com",
	    "i: Call-ID");
	span_is(msg, m.ftag, "1928301774", "f: From-tag");
	span_is(msg, m.ttag, "a6c85cf", "t: To-tag");
	span_is(msg, m.cseq_method, "INVITE", "CSEQ with a space before ':'");
	span_is(msg, m.via[0].branch, "z9hG4bKc1", "v: branch");
	span_is(msg, m.via[0].received, "192.0.2.7", "v: received");
	span_is(msg, m.ctype, "Application/SDP", "c: Content-Type");
	ok(rtpc_span_eq(msg, m.ctype, "application/sdp"),
	    "... compares case-insensitively");
	is_int(m.has_clen, 1, "l: Content-Length");
	is_int(m.body_len, 196, "... 196");
	free(msg);
}

static void
test_tags(void)
{
	static const struct {
		const char *from;
		const char *tag;	/* NULL: no tag */
		const char *what;
	} cases[] = {
		{ "<sip:a@b>;tag=abc", "abc", "plain tag" },
		{ "\"Bob <;tag=fake>\" <sip:bob@b;tag=uri>;tag=real", "real",
		    "quoted display name with '<' and ';tag=', URI tag" },
		{ "\"a \\\"<x>\\\" b\" <sip:a@b>;tag=t1", "t1",
		    "escaped quotes in the display name" },
		{ "<sip:svc@h;tag=inuri>", NULL,
		    "tag inside the URI is a URI parameter" },
		{ "<sip:svc@h;tag=inuri>;x=1", NULL,
		    "URI tag and another header parameter" },
		{ "sip:svc@h;tag=abc", "abc",
		    "no angle brackets: parameters belong to the header" },
		{ "<sip:a@b>;TAG=Up", "Up", "TAG in capitals" },
		{ "<sip:a@b> ; tag = sp1 ;lr", "sp1", "spaces around ; and =" },
		{ "<sip:a@b>;tag=abc;x-y=z", "abc", "tag before another param" },
		{ "<sip:a@b>;x-tag=no;tag=yes", "yes", "x-tag is not tag" },
		{ "<sip:a@b>;tagx=no", NULL, "tagx is not tag" },
		{ "<sip:a@b>;tag", NULL, "tag without a value" },
		{ "<sip:a@b>;tag=", NULL, "tag with an empty value" },
		{ "Anonymous <sip:anonymous@anonymous.invalid>;tag=9fxced76sl",
		    "9fxced76sl", "token display name" },
	};
	char buf[600];
	struct rtpc_sip m;
	struct rtpc_err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "SIP/2.0 200 OK\r\n"
		    "Call-ID: c\r\nFrom: <sip:x@y>;tag=f\r\nTo: %s\r\n"
		    "CSeq: 1 INVITE\r\n\r\n", cases[i].from);
		is_int(parse(buf, &m, &err), 0, "To: %s", cases[i].what);
		if (cases[i].tag)
			span_is(buf, m.ttag, cases[i].tag, "... tag");
		else
			is_int(m.ttag.len, 0, "... no tag");

		/* the same through the exec module's SIP_HF_TO form */
		{
			const char *v = cases[i].from;
			struct rtpc_span t = rtpc_sip_value_tag(v, strlen(v));

			if (cases[i].tag)
				span_is(v, t, cases[i].tag,
				    "... value_tag finds it too");
			else
				is_int(t.len, 0, "... value_tag: no tag");
		}
	}
}

static void
test_cseq(void)
{
	static const struct {
		const char *v;
		const char *method;	/* NULL: an error */
	} cases[] = {
		{ "102 ACK", "ACK" }, { "1  BYE", "BYE" },
		{ "4711\tCANCEL", "CANCEL" }, { "INVITE", NULL },
		{ "1", NULL }, { "x1 INVITE", NULL }, { "", NULL },
	};
	char buf[300];
	struct rtpc_sip m;
	struct rtpc_err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "ACK sip:a@b SIP/2.0\r\nCall-ID: c\r\n"
		    "From: <sip:a@b>;tag=f\r\nCSeq: %s\r\n\r\n", cases[i].v);
		if (cases[i].method) {
			is_int(parse(buf, &m, &err), 0, "CSeq '%s'",
			    cases[i].v);
			span_is(buf, m.cseq_method, cases[i].method,
			    "... method");
		} else {
			is_int(parse(buf, &m, &err), -1, "refuses CSeq '%s'",
			    cases[i].v);
			like(err.msg, "line 4", "... naming line 4");
		}
	}
}

static void
test_via(void)
{
	static const char head[] =
	    "BYE sip:a@b SIP/2.0\n"
	    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1;rport=5060;"
	    "received=203.0.113.9, SIP/2.0/TCP proxy.example.com;branch=z9hG4bK2\n"
	    "Max-Forwards: 69\n"
	    "v: SIP/2.0/UDP [2001:db8::1]:5060;received=192.0.2.1;branch=z9hG4bK3\n"
	    "Via: SIP/2.0/UDP 10.0.0.4;branch=z9hG4bK4\n"
	    "Call-ID: c\n"
	    "From: <sip:a@b>;tag=f\n"
	    "To: <sip:b@c>;tag=t\n"
	    "CSeq: 2 BYE\n"
	    "Content-Length: 0\n";
	char *msg = sipmsg(head, "", 1);
	struct rtpc_sip m;
	struct rtpc_err err;

	is_int(parse(msg, &m, &err), 0, "four Vias in three headers parse");
	is_int(m.nvia, 4, "... counted: 4");
	span_is(msg, m.via[0].host, "10.0.0.1", "Via 1 host");
	span_is(msg, m.via[0].branch, "z9hG4bK1", "Via 1 branch");
	span_is(msg, m.via[0].received, "203.0.113.9", "Via 1 received "
	    "after rport");
	span_is(msg, m.via[1].host, "proxy.example.com",
	    "Via 2 host (second value of the first header)");
	span_is(msg, m.via[1].branch, "z9hG4bK2", "Via 2 branch");
	is_int(m.via[1].received.len, 0, "Via 2 has no received");
	span_is(msg, m.via[2].host, "2001:db8::1",
	    "Via 3 host, IPv6 without brackets");
	span_is(msg, m.via[2].branch, "z9hG4bK3", "Via 3 branch after "
	    "received");
	span_is(msg, m.via[2].received, "192.0.2.1", "Via 3 received");
	is_int(m.body_len, 0, "Content-Length 0: empty body");
	free(msg);

	/* spaces around ;, = and the comma; no branch at all */
	msg = sipmsg("ACK sip:a@b SIP/2.0\n"
	    "Via: SIP/2.0/UDP 10.0.0.1:5060 ; branch = z9hG4bKsp ,"
	    "SIP/2.0/UDP 10.0.0.2\n"
	    "Call-ID: c\nFrom: <sip:a@b>;tag=f\nCSeq: 1 ACK\n", "", 0);
	is_int(parse(msg, &m, &err), 0, "Via with spaces parses");
	is_int(m.nvia, 2, "... two values");
	span_is(msg, m.via[0].host, "10.0.0.1", "... host");
	span_is(msg, m.via[0].branch, "z9hG4bKsp", "... branch despite "
	    "the spaces");
	span_is(msg, m.via[1].host, "10.0.0.2", "... second host");
	is_int(m.via[1].branch.len, 0, "... second has no branch");
	free(msg);

	/* an empty value between commas is skipped */
	msg = sipmsg("ACK sip:a@b SIP/2.0\n"
	    "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKe1, ,"
	    "SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKe2\n"
	    "Call-ID: c\nFrom: <sip:a@b>;tag=f\nCSeq: 1 ACK\n", "", 0);
	is_int(parse(msg, &m, &err), 0, "Via with an empty value parses");
	is_int(m.nvia, 2, "... two values, the empty one skipped");
	span_is(msg, m.via[1].branch, "z9hG4bKe2", "... second branch");
	free(msg);

	/* no Via at all is fine (bare messages from tests) */
	msg = sipmsg(MINI(""), "", 0);
	is_int(parse(msg, &m, &err), 0, "a message without Via parses");
	is_int(m.nvia, 0, "... nvia 0");
	free(msg);
}

static void
test_folded(void)
{
	static const char head[] =
	    "INVITE sip:a@b SIP/2.0\n"
	    "Subject: a long\n"
	    "  subject\n"
	    "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKa,\n"
	    " SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb\n"
	    "From: <sip:a@b>\n"
	    "\t;tag=folded\n"
	    "To: <sip:b@c>\n"
	    "Call-ID:\n"
	    " fold-1@host\n"
	    "CSeq: 1\n"
	    " INVITE\n"
	    "Content-Type: application/sdp\n"
	    "Content-Length:\n"
	    "   %zu\n";
	int use_crlf;

	for (use_crlf = 0; use_crlf <= 1; use_crlf++) {
		char *msg = sipmsg(head, A1_OFFER, use_crlf);
		struct rtpc_sip m;
		struct rtpc_err err;
		const char *e = use_crlf ? "CRLF" : "LF";

		is_int(parse(msg, &m, &err), 0, "%s folded headers parse", e);
		if (err.msg[0])
			diag("%s", err.msg);
		is_int(m.nvia, 2, "%s: a Via folded after the comma: 2 values",
		    e);
		span_is(msg, m.via[1].branch, "z9hG4bKb", "... second branch");
		span_is(msg, m.ftag, "folded", "a From-tag on a continuation "
		    "line");
		span_is(msg, m.callid, "fold-1@host", "a Call-ID on a "
		    "continuation line");
		span_is(msg, m.cseq_method, "INVITE", "a CSeq method on a "
		    "continuation line");
		is_int(m.body_len, strlen(msg) - m.body_off,
		    "a folded Content-Length");
		free(msg);
	}
}

static void
test_content_length(void)
{
	struct rtpc_sip m;
	struct rtpc_err err;
	char *msg;

	/* duplicate, also across long and compact names */
	msg = sipmsg(MINI("Content-Length: 0\nContent-Length: 0\n"), "", 1);
	is_int(parse(msg, &m, &err), -1, "two Content-Length headers refused");
	like(err.msg, "line 6", "... naming the second, line 6");
	like(err.msg, "content-length", "... and the header");
	free(msg);
	msg = sipmsg(MINI("l: 3\nContent-Length: 3\n"), "abc", 1);
	is_int(parse(msg, &m, &err), -1, "l: and Content-Length: refused");
	free(msg);
	msg = sipmsg(MINI("Call-ID: c2\n"), "", 1);
	is_int(parse(msg, &m, &err), -1, "two Call-ID headers refused");
	like(err.msg, "call-id", "... naming the header");
	free(msg);

	/* beyond the end of the input */
	msg = sipmsg(MINI("Content-Length: 500\n"), "v=0\n", 1);
	is_int(parse(msg, &m, &err), -1, "Content-Length past the end refused");
	like(err.msg, "500", "... naming 500");
	is_int(err.code, RTPC_EXIT_FAIL, "... bad input (exit 1)");
	free(msg);
	msg = sipmsg(MINI("Content-Length: 1234567890\n"), "v=0\n", 1);
	is_int(parse(msg, &m, &err), -1, "a 10-digit Content-Length refused");
	free(msg);
	msg = sipmsg(MINI("Content-Length: 99999999999999999999999\n"), "", 1);
	is_int(parse(msg, &m, &err), -1, "a huge Content-Length refused");
	free(msg);
	msg = sipmsg(MINI("Content-Length: 12a\n"), "", 1);
	is_int(parse(msg, &m, &err), -1, "Content-Length 12a refused");
	like(err.msg, "line 5", "... naming line 5");
	free(msg);
	msg = sipmsg(MINI("Content-Length: -1\n"), "", 1);
	is_int(parse(msg, &m, &err), -1, "Content-Length -1 refused");
	free(msg);
	msg = sipmsg(MINI("Content-Length:\n"), "", 1);
	is_int(parse(msg, &m, &err), -1, "an empty Content-Length refused");
	free(msg);

	/* shorter than what follows: the body is what it says */
	msg = sipmsg(MINI("Content-Length: 5\n"), "v=0\r\nJUNK", 0);
	is_int(parse(msg, &m, &err), 0, "Content-Length shorter than the rest");
	is_int(m.body_len, 5, "... body is 5 bytes");
	is_int(m.sdp.len, 5, "... and so is the SDP");
	free(msg);

	/* none: the body is everything after the blank line */
	msg = sipmsg(MINI(""), "v=0\n", 0);
	is_int(parse(msg, &m, &err), 0, "no Content-Length");
	is_int(m.has_clen, 0, "... has_clen 0");
	is_int(m.body_len, 4, "... body is the rest");
	free(msg);

	/* leading and trailing spaces around the value */
	msg = sipmsg(MINI("Content-Length:    4  \n"), "v=0\n", 0);
	is_int(parse(msg, &m, &err), 0, "Content-Length with spaces");
	span_is(msg, m.clen, "4", "... the digits only");
	free(msg);
}

static void
test_errors(void)
{
	static const struct {
		const char *msg;
		const char *want;
		const char *what;
	} bad[] = {
		{ "INVITE sip:a@b SIP/2.0\r\nCall-ID: c\r\n", "blank line",
		    "no blank line" },
		{ "INVITE sip:a@b SIP/2.0\r\nCall-ID: c\r\nFrom: <sip:a@b>;tag=f",
		    "blank line", "no final line end" },
		{ "INVITE sip:a@b SIP/2.0\r\nCall-ID c\r\n\r\n", "line 2",
		    "a header without a colon" },
		{ "INVITE sip:a@b SIP/2.0\r\nCall-ID: c\r\n: x\r\n\r\n", "line 3",
		    "an empty header name" },
		{ "INVITE sip:a@b SIP/2.0\r\nCall-ID: c\r\n  : x\r\n\r\n",
		    "From", "spaces and a colon (a continuation, not a header)" },
		{ "INVITE sip:a@b SIP/2.0\r\n folded\r\nCall-ID: c\r\n\r\n",
		    "line 2", "a continuation line first" },
		{ "INVITE sip:a@b SIP/2.0\r\nCall-ID: c\r\nSubject: a\rb\r\n"
		    "\r\n", "line 3", "a bare CR" },
		{ "INVITE sip:a@b SIP/2.0\r\nFrom: <sip:a@b>;tag=f\r\n"
		    "CSeq: 1 INVITE\r\n\r\n", "Call-ID", "no Call-ID" },
		{ "INVITE sip:a@b SIP/2.0\r\nCall-ID:   \r\n"
		    "From: <sip:a@b>;tag=f\r\nCSeq: 1 INVITE\r\n\r\n",
		    "Call-ID", "an empty Call-ID" },
		{ "INVITE sip:a@b SIP/2.0\r\nCall-ID: c\r\n"
		    "CSeq: 1 INVITE\r\n\r\n", "From", "no From" },
		{ "INVITE sip:a@b SIP/2.0\r\nCall-ID: c\r\n"
		    "From: <sip:a@b>;tag=f\r\n\r\n", "CSeq", "no CSeq" },
		{ "", "blank line", "empty input" },
	};
	struct rtpc_sip m;
	struct rtpc_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(parse(bad[i].msg, &m, &err), -1, "refuses %s",
		    bad[i].what);
		like(err.msg, bad[i].want, "... saying '%s'", bad[i].want);
	}

	{
		static const char nul[] = "INVITE sip:a@b SIP/2.0\r\nCall-ID: "
		    "c\0d\r\nFrom: <sip:a@b>;tag=f\r\nCSeq: 1 INVITE\r\n\r\n";

		rtpc_err_clear(&err);
		is_int(rtpc_sip_parse(nul, sizeof(nul) - 1, &m, &err), -1,
		    "refuses a NUL byte");
		like(err.msg, "NUL", "... saying NUL");
	}

	/* too many headers */
	{
		size_t sz = 300 * 16 + 200, o;
		char *big = malloc(sz);
		int k;

		o = (size_t)snprintf(big, sz, "INVITE sip:a@b SIP/2.0\r\n"
		    "Call-ID: c\r\nFrom: <sip:a@b>;tag=f\r\nCSeq: 1 INVITE\r\n");
		for (k = 0; k < 300; k++)
			o += (size_t)snprintf(big + o, sz - o, "X-H%d: v\r\n",
			    k);
		snprintf(big + o, sz - o, "\r\n");
		is_int(parse(big, &m, &err), -1, "refuses 303 headers");
		like(err.msg, "headers", "... saying there are too many");
		free(big);
	}

	/* headers the toolkit does not read may repeat */
	{
		char *msg = sipmsg(MINI("Record-Route: <sip:p1;lr>\n"
		    "Record-Route: <sip:p2;lr>\nX-Foo: 1\nX-Foo: 2\n"), "", 1);

		is_int(parse(msg, &m, &err), 0, "repeated other headers are "
		    "fine");
		free(msg);
	}
}

static void
test_content_type(void)
{
	struct rtpc_sip m;
	struct rtpc_err err;
	char *msg;

	msg = sipmsg(MINI("Content-Type: application/sdp; charset=utf-8\n"),
	    "", 1);
	is_int(parse(msg, &m, &err), 0, "Content-Type with a parameter");
	span_is(msg, m.ctype, "application/sdp", "... media type only");
	free(msg);
	msg = sipmsg(MINI("Content-Type:   application/sdp  \n"), "", 1);
	is_int(parse(msg, &m, &err), 0, "Content-Type with spaces");
	span_is(msg, m.ctype, "application/sdp", "... trimmed");
	free(msg);
	msg = sipmsg(MINI(""), "", 1);
	parse(msg, &m, &err);
	is_int(m.ctype.len, 0, "no Content-Type: empty span");
	free(msg);
}

/* An ISUP part, then the SDP, as in SIP-I/SIP-T. */
#define MP_BODY(bd, sdp) joined( \
	"--" bd "\n" \
	"Content-Type: application/isup; version=itu-t92+\n" \
	"Content-Disposition: signal; handling=optional\n" \
	"\n" \
	"\x01\x02\x03isup\n" \
	"--" bd "\n" \
	"Content-Type: application/sdp\n" \
	"\n", \
	sdp, "\n--" bd "--\n")

static void
test_multipart(void)
{
	int use_crlf;
	struct rtpc_sip m;
	struct rtpc_err err;

	for (use_crlf = 0; use_crlf <= 1; use_crlf++) {
		const char *e = use_crlf ? "CRLF" : "LF";
		char *msg = sipmsg("INVITE sip:a@b SIP/2.0\n"
		    "Call-ID: mp1\nFrom: <sip:a@b>;tag=f\nCSeq: 1 INVITE\n"
		    "Content-Type: multipart/mixed;boundary=unique-boundary-1\n"
		    "Content-Length: %zu\n",
		    MP_BODY("unique-boundary-1", A1_OFFER), use_crlf);
		char *sdp = eols(A1_OFFER, use_crlf);

		is_int(parse_sdp(msg, &m, &err), 0, "%s multipart/mixed parses",
		    e);
		if (err.msg[0])
			diag("%s", err.msg);
		is_int(m.multipart, 1, "... multipart");
		span_is(msg, m.ctype, "multipart/mixed", "... media type");
		/* the CRLF before the delimiter belongs to the delimiter */
		is_mem(msg + m.sdp.off, m.sdp.len, sdp, strlen(sdp),
		    "... the SDP is the second part, up to the delimiter's "
		    "line end");
		ok(m.sdp.off > m.body_off && m.sdp.off + m.sdp.len <
		    m.body_off + m.body_len, "... inside the body");
		free(msg);
		free(sdp);
	}

	/* quoted boundary, compact c: in the part, SDP part first */
	{
		char *msg = sipmsg("SIP/2.0 200 OK\n"
		    "Call-ID: mp2\nFrom: <sip:a@b>;tag=f\nTo: <sip:b@c>;tag=t\n"
		    "CSeq: 1 INVITE\n"
		    "Content-Type: multipart/mixed; boundary=\"b 1\"\n"
		    "Content-Length: %zu\n",
		    joined("--b 1\n"
		    "c: application/sdp\n"
		    "\n",
		    A1_ANSWER,
		    "\n--b 1\n"
		    "Content-Type: text/plain\n"
		    "\n"
		    "hello\n"
		    "--b 1--\n"), 1);
		char *sdp = crlf(A1_ANSWER);

		is_int(parse_sdp(msg, &m, &err), 0, "quoted boundary parses");
		if (err.msg[0])
			diag("%s", err.msg);
		is_mem(msg + m.sdp.off, m.sdp.len, sdp, strlen(sdp),
		    "... the SDP is the first part");
		free(msg);
		free(sdp);
	}

	/* errors */
	{
		char *msg = sipmsg("INVITE sip:a@b SIP/2.0\n"
		    "Call-ID: mp3\nFrom: <sip:a@b>;tag=f\nCSeq: 1 INVITE\n"
		    "Content-Type: multipart/mixed\n"
		    "Content-Length: %zu\n",
		    MP_BODY("xyz", A1_OFFER), 1);

		is_int(parse(msg, &m, &err), 0, "multipart without a boundary: "
		    "the message parses (a BYE's body does not matter)");
		is_int(parse_sdp(msg, &m, &err), -1, "multipart without a boundary "
		    "refused where the SDP is wanted");
		like(err.msg, "boundary", "... saying boundary");
		free(msg);
	}
	{
		char *msg = sipmsg("INVITE sip:a@b SIP/2.0\n"
		    "Call-ID: mp4\nFrom: <sip:a@b>;tag=f\nCSeq: 1 INVITE\n"
		    "Content-Type: multipart/mixed;boundary=xyz\n"
		    "Content-Length: %zu\n",
		    "--xyz\nContent-Type: text/plain\n\nhello\n--xyz--\n", 1);

		is_int(parse(msg, &m, &err), 0, "multipart without an SDP part: "
		    "the message parses");
		is_int(m.sdp.len, 0, "... no SDP span yet");
		is_int(parse_sdp(msg, &m, &err), -1, "multipart without an SDP part "
		    "refused where the SDP is wanted");
		like(err.msg, "application/sdp", "... saying so");
		free(msg);
	}
	{
		char *msg = sipmsg("INVITE sip:a@b SIP/2.0\n"
		    "Call-ID: mp5\nFrom: <sip:a@b>;tag=f\nCSeq: 1 INVITE\n"
		    "Content-Type: multipart/mixed;boundary=xyz\n"
		    "Content-Length: %zu\n",
		    joined("--xyz\nContent-Type: application/sdp\n\n", A1_OFFER, ""), 1);

		is_int(parse_sdp(msg, &m, &err), -1, "multipart part without a "
		    "closing delimiter refused");
		like(err.msg, "delimiter", "... saying so");
		free(msg);
	}
	{
		char *msg = sipmsg("INVITE sip:a@b SIP/2.0\n"
		    "Call-ID: mp6\nFrom: <sip:a@b>;tag=f\nCSeq: 1 INVITE\n"
		    "Content-Type: multipart/mixed;boundary=other\n"
		    "Content-Length: %zu\n",
		    MP_BODY("xyz", A1_OFFER), 1);

		is_int(parse_sdp(msg, &m, &err), -1, "multipart whose boundary "
		    "never appears refused");
		free(msg);
	}
}

/*
 * NUL bytes: refused in the head (start line and headers), taken in the
 * body, whose parts may be binary (SIP-I's application/ISUP).
 */
static void
test_nul(void)
{
	static const char isup[] = "\x01\x00\x60\x01\x0a\x00\x02\x0d\x0a"
	    "\xff\x00";
	static const char h1[] = "INVITE sip:a@b\0x SIP/2.0\r\n";
	static const char h2[] = "INVITE sip:a@b SIP/2.0\r\nSubject: a\0b\r\n";
	static const char h3[] = "INVITE sip:a@b SIP/2.0\r\nSubject: a\r\n"
	    " \0folded\r\n";
	static const char *const heads[] = { h1, h2, h3 };
	static const size_t hlen[] = { sizeof(h1) - 1, sizeof(h2) - 1,
	    sizeof(h3) - 1 };
	const char *rest = "Call-ID: n@h\r\nFrom: <sip:a@b>;tag=f\r\n"
	    "CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
	struct rtpc_sip m;
	struct rtpc_err err;
	char buf[512];
	size_t i, n;
	int hl;

	for (i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		memcpy(buf, heads[i], hlen[i]);
		n = hlen[i] + strlen(rest);
		memcpy(buf + hlen[i], rest, strlen(rest));
		rtpc_err_clear(&err);
		is_int(rtpc_sip_parse(buf, n, &m, &err), -1, "NUL in head "
		    "line %zu refused", i + 1);
		like(err.msg, "NUL byte", "... saying so");
	}
	/* a binary body part after an SDP part */
	hl = snprintf(buf, sizeof(buf), "BYE sip:a@b SIP/2.0\r\n"
	    "Call-ID: n@h\r\nFrom: <sip:a@b>;tag=f\r\nCSeq: 2 BYE\r\n"
	    "Content-Type: application/ISUP;version=itu-t92+\r\n"
	    "Content-Length: %zu\r\n\r\n", sizeof(isup) - 1);
	memcpy(buf + hl, isup, sizeof(isup) - 1);
	rtpc_err_clear(&err);
	is_int(rtpc_sip_parse(buf, (size_t)hl + sizeof(isup) - 1, &m, &err), 0,
	    "a binary ISUP body with NUL bytes parses");
	is_int(m.body_len, sizeof(isup) - 1, "... all of it is the body");
}

/* RFC 3261 18.3: the body is Content-Length bytes, the rest is not. */
static void
test_after_body(void)
{
	const char *msg = "SIP/2.0 200 OK\r\nCall-ID: a@h\r\n"
	    "From: <sip:a@b>;tag=f\r\nTo: <sip:b@c>;tag=t\r\nCSeq: 1 INVITE\r\n"
	    "Content-Length: 4\r\n\r\nv=0\ngarbage";
	const char *nocl = "SIP/2.0 200 OK\r\nCall-ID: a@h\r\n"
	    "From: <sip:a@b>;tag=f\r\nCSeq: 1 INVITE\r\n\r\nv=0\ntail";
	struct rtpc_sip m;
	struct rtpc_err err;

	is_int(parse(msg, &m, &err), 0, "bytes after Content-Length: parses");
	is_int(m.body_len, 4, "... the body is Content-Length bytes");
	is_int(m.after_body, 7, "... the 7 bytes after it are counted apart");
	is_int(m.sdp.len, 4, "... and are not in the SDP span");
	is_int(parse(nocl, &m, &err), 0, "no Content-Length: parses");
	is_int(m.body_len, 8, "... the body runs to the end");
	is_int(m.after_body, 0, "... nothing after it");
}

/* Is the span inside [0, len)? */
static int
inside(struct rtpc_span s, size_t len)
{
	return s.off <= len && s.len <= len - s.off;
}

/*
 * Every prefix of a message, in a heap buffer of exactly that size (no
 * NUL after it, so valgrind or ASan see any read past the end): the
 * parser either fails with a message or gives spans inside the input.
 */
static void
test_prefixes(void)
{
	char *msgs[2];
	int k;

	msgs[0] = sipmsg(INVITE_HEAD, A1_OFFER, 1);
	msgs[1] = sipmsg("SIP/2.0 200 OK\n"
	    "v: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1;received=1.2.3.4"
	    ", SIP/2.0/UDP h;branch=z2\n"
	    "f: \"A \\\" <\" <sip:a@b;tag=u>;tag=ft\nt: sip:b@c;tag=tt\n"
	    "i: c@h\nCSeq: 1 INVITE\n"
	    "c: multipart/mixed;boundary=\"b1\"\nl: %zu\n",
	    joined("--b1\nc: application/sdp\n\n", A1_ANSWER, "\n--b1--\n"), 1);
	for (k = 0; k < 2; k++) {
		size_t n = strlen(msgs[k]), len;
		int bad = 0, good = 0;

		for (len = 0; len <= n; len++) {
			char *b = malloc(len ? len : 1);
			struct rtpc_sip m;
			struct rtpc_err err;
			int i;

			memcpy(b, msgs[k], len);
			rtpc_err_clear(&err);
			if (rtpc_sip_parse(b, len, &m, &err) == 0) {
				good++;
				if (!inside(m.callid, len) ||
				    !inside(m.ftag, len) || !inside(m.ttag, len) ||
				    !inside(m.cseq_method, len) ||
				    !inside(m.ctype, len) || !inside(m.sdp, len) ||
				    m.body_off + m.body_len > len)
					bad++;
				for (i = 0; i < m.nvia && i < RTPC_SIP_VIAS; i++)
					if (!inside(m.via[i].host, len) ||
					    !inside(m.via[i].branch, len))
						bad++;
			} else if (err.msg[0] == '\0')
				bad++;
			rtpc_sip_detect(b, len);
			free(b);
		}
		is_int(bad, 0, "message %d: all %zu prefixes parse inside "
		    "their bounds or fail with a message", k + 1, n + 1);
		ok(good > 0, "... and some of them parse (%d)", good);
	}
	free(msgs[0]);
	free(msgs[1]);
}

int
main(void)
{
	test_invite(1);
	test_invite(0);
	test_reply(1);
	test_reply(0);
	test_start_lines();
	test_compact();
	test_tags();
	test_cseq();
	test_via();
	test_folded();
	test_content_length();
	test_errors();
	test_content_type();
	test_multipart();
	test_nul();
	test_after_body();
	test_prefixes();
	return done_testing();
}
