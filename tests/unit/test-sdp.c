/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-sdp.c: the SDP view (sdp.h): sessions, streams, port 0, c= at
 * session and media level, IPv6, hold, a=rtcp, a=candidate, /ttl, the
 * marker check, and errors with line numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "text.h"
#include "sdp.h"
#include "fixtures.h"
#include "tap.h"

static int
span_is(const char *b, struct rtpc_span s, const char *want, const char *name)
{
	return is_mem(b + s.off, s.len, want, strlen(want), "%s", name);
}

static int
parse(const char *b, struct rtpc_sdp *sdp, struct rtpc_err *err)
{
	rtpc_err_clear(err);
	return rtpc_sdp_parse(b, 0, strlen(b), sdp, err);
}

/* Offset of the n-th (1-based) occurrence of s in b, or -1. */
static long
offset_of(const char *b, const char *s, int n)
{
	const char *p = b;

	while ((p = strstr(p, s)) != NULL) {
		if (--n == 0)
			return p - b;
		p++;
	}
	return -1;
}

static void
test_a1(int use_crlf)
{
	char *b = eols(A1_OFFER, use_crlf);
	const char *e = use_crlf ? "CRLF" : "LF";
	struct rtpc_sdp sdp;
	struct rtpc_err err;
	const struct rtpc_sdp_stream *st;
	const struct rtpc_sdp_session *ss;
	const struct rtpc_sdp_addr *a;

	if (use_crlf)
		is_int(strlen(b), 220, "the A.1 offer is 220 bytes");
	is_int(parse(b, &sdp, &err), 0, "%s A.1 offer parses", e);
	is_str(sdp.eol, use_crlf ? "\r\n" : "\n", "%s: line end detected", e);
	is_int(sdp.nsessions, 1, "one session");
	is_int(sdp.nstreams, 1, "one stream");
	if (sdp.nstreams != 1 || sdp.nsessions != 1) {
		rtpc_sdp_free(&sdp);
		free(b);
		return;
	}
	ss = &sdp.sessions[0];
	st = &sdp.streams[0];
	ok(ss->o.present, "o= present");
	is_int(ss->o.af, 4, "o= IPv4");
	span_is(b, ss->o.fam, "IP4", "o= family span");
	span_is(b, ss->o.addr, "127.0.0.2", "o= address");
	is_int(ss->o.line, 2, "o= on line 2");
	ok(ss->c.present, "session c= present");
	span_is(b, ss->c.addr, "127.0.0.2", "session c= address");
	is_int(ss->c.line, 4, "session c= on line 4");
	is_int(ss->c.null, 0, "not on hold");
	is_int(ss->first, 0, "session's first stream 0");
	is_int(ss->nstreams, 1, "session has one stream");
	is_int(st->session, 0, "stream in session 0");
	is_int(st->line, 6, "m= on line 6");
	span_is(b, st->media, "audio", "media audio");
	span_is(b, st->port, "16000", "port 16000");
	span_is(b, st->proto, "RTP/AVP", "proto RTP/AVP");
	span_is(b, st->fmts, "0 8 101", "payload types");
	ok(!st->c.present, "no media-level c=");
	a = rtpc_sdp_stream_addr(&sdp, 0);
	ok(a == &ss->c, "the stream uses the session c=");
	is_int(st->nrtcp, 0, "no a=rtcp");
	is_int(st->ncand, 0, "no a=candidate");
	ok(rtpc_sdp_is_rtp(b, st), "RTP/AVP is RTP");
	is_int(sdp.end, strlen(b) - strlen(sdp.eol),
	    "end: after a=sendrecv, before its line end");
	is_int(sdp.limit, strlen(b), "limit: the whole body");
	rtpc_sdp_free(&sdp);
	free(b);
}

static void
test_inside_buffer(void)
{
	/* offsets are into the caller's whole buffer */
	static const char pre[] = "SIP/2.0 200 OK\r\nl: 196\r\n\r\n";
	char *sdp = crlf(A1_ANSWER);
	size_t n = strlen(pre) + strlen(sdp);
	char *b = malloc(n + 1);
	struct rtpc_sdp s;
	struct rtpc_err err;

	snprintf(b, n + 1, "%s%s", pre, sdp);
	rtpc_err_clear(&err);
	is_int(rtpc_sdp_parse(b, strlen(pre), strlen(sdp), &s, &err), 0,
	    "SDP inside a bigger buffer parses");
	if (s.nstreams == 1) {
		span_is(b, s.streams[0].port, "18000", "... port span is "
		    "absolute");
		is_int(s.streams[0].port.off, offset_of(b, "18000", 1),
		    "... at the right offset");
	}
	is_int(s.end, n - 2, "... end is absolute");
	is_int(s.limit, n, "... limit is absolute");
	rtpc_sdp_free(&s);

	/* a body that stops short of the buffer's end */
	rtpc_err_clear(&err);
	is_int(rtpc_sdp_parse(b, strlen(pre), strlen(sdp) - 2, &s, &err), 0,
	    "SDP without its last line end parses");
	is_int(s.end, n - 2, "... end after the text");
	is_int(s.limit, n - 2, "... limit is where the body stops");
	rtpc_sdp_free(&s);
	free(b);
	free(sdp);
}

static void
test_streams(void)
{
	static const char text[] =
	    "v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 10.0.0.1\n"
	    "t=0 0\n"
	    "a=rtcp:9999\n"				/* session level: ignored */
	    "m=audio 7000 RTP/SAVPF 0 8\n"
	    "c=IN IP4 10.0.0.6\n"
	    "a=rtcp:7001 IN IP4 10.0.0.6\n"
	    "a=candidate:1 1 UDP 2130706431 10.0.0.6 7000 typ host\n"
	    "a=candidate:1 2 UDP 2130706430 10.0.0.6 7001 typ host\n"
	    "a=candidate:2 1 UDP 1694498815 192.0.2.3 7000 typ srflx\n"
	    "m=video 0 RTP/AVP 96\n"
	    "a=rtpmap:96 H264/90000\n"
	    "m=image 5004/2 udptl t38\n"
	    "c=IN IP4 224.2.1.1/127\n"
	    "m=application 9 TCP/MRCPv2 1\n"
	    "m=audio 7010 UDP/TLS/RTP/SAVPF 111\n"
	    "m=audio 7020 RTP/AVP\n";
	struct rtpc_sdp sdp;
	struct rtpc_err err;
	const struct rtpc_sdp_stream *s;

	is_int(parse(text, &sdp, &err), 0, "six streams parse");
	if (err.msg[0])
		diag("%s", err.msg);
	is_int(sdp.nstreams, 6, "... six");
	if (sdp.nstreams != 6) {
		rtpc_sdp_free(&sdp);
		return;
	}
	s = sdp.streams;
	ok(s[0].c.present, "stream 1 has its own c=");
	span_is(text, s[0].c.addr, "10.0.0.6", "... 10.0.0.6");
	is_int(s[0].c.line, 8, "... on line 8");
	ok(rtpc_sdp_stream_addr(&sdp, 0) == &s[0].c, "... and uses it");
	is_int(s[0].nrtcp, 1, "stream 1 has one a=rtcp (not the session's)");
	if (s[0].nrtcp == 1)
		span_is(text, s[0].rtcp[0], "7001 IN IP4 10.0.0.6",
		    "... its value after the colon");
	is_int(s[0].ncand, 3, "stream 1 has three candidates");
	is_int(s[0].lastcand, offset_of(text, "a=candidate:2 1", 1),
	    "... the last one's line start");
	ok(rtpc_sdp_is_rtp(text, &s[0]), "RTP/SAVPF is RTP");

	span_is(text, s[1].port, "0", "stream 2: port 0");
	ok(!s[1].c.present, "... no own c=");
	ok(rtpc_sdp_stream_addr(&sdp, 1) == &sdp.sessions[0].c,
	    "... uses the session c=");
	is_int(s[1].ncand, 0, "... no candidates");
	is_int(s[1].nrtcp, 0, "... no a=rtcp");

	span_is(text, s[2].port, "5004", "stream 3: port without /2");
	span_is(text, s[2].portfield, "5004/2", "... the port field with it");
	span_is(text, s[2].c.field, "224.2.1.1/127",
	    "... c= field with the /ttl");
	span_is(text, s[2].proto, "udptl", "... proto udptl");
	span_is(text, s[2].c.addr, "224.2.1.1", "... c= without /ttl");
	ok(!rtpc_sdp_is_rtp(text, &s[2]), "... not RTP");

	span_is(text, s[3].proto, "TCP/MRCPv2", "stream 4: TCP/MRCPv2");
	ok(!rtpc_sdp_is_rtp(text, &s[3]), "... not RTP");
	ok(rtpc_sdp_is_rtp(text, &s[4]),
	    "UDP/TLS/RTP/SAVPF is RTP (the module sends its codecs)");
	span_is(text, s[5].fmts, "", "stream 6: no payload types");
	is_int(s[5].line, 19, "... m= on line 19");
	rtpc_sdp_free(&sdp);
}

static void
test_sessions(void)
{
	static const char text[] =
	    "v=0\r\n"
	    "o=a 1 1 IN IP4 10.0.0.1\r\n"
	    "s=-\r\n"
	    "c=IN IP4 10.0.0.1\r\n"
	    "t=0 0\r\n"
	    "m=audio 7000 RTP/AVP 0\r\n"
	    "m=audio 7002 RTP/AVP 8\r\n"
	    "v=0\r\n"
	    "o=b 2 2 IN IP6 2001:db8::2\r\n"
	    "s=-\r\n"
	    "t=0 0\r\n"
	    "m=audio 8000 RTP/AVP 0\r\n"
	    "c=IN IP6 2001:db8::5\r\n";
	struct rtpc_sdp sdp;
	struct rtpc_err err;

	is_int(parse(text, &sdp, &err), 0, "two sessions parse");
	if (err.msg[0])
		diag("%s", err.msg);
	is_int(sdp.nsessions, 2, "... two sessions");
	is_int(sdp.nstreams, 3, "... three streams in all");
	if (sdp.nsessions == 2 && sdp.nstreams == 3) {
		is_int(sdp.sessions[0].first, 0, "session 1 starts at 0");
		is_int(sdp.sessions[0].nstreams, 2, "... with 2 streams");
		is_int(sdp.sessions[1].first, 2, "session 2 starts at 2");
		is_int(sdp.sessions[1].nstreams, 1, "... with 1 stream");
		is_int(sdp.streams[2].session, 1, "stream 3 in session 2");
		is_int(sdp.sessions[1].o.af, 6, "session 2 o= is IPv6");
		span_is(text, sdp.sessions[1].o.addr, "2001:db8::2",
		    "... 2001:db8::2");
		ok(!sdp.sessions[1].c.present, "session 2 has no session c=");
		is_int(sdp.streams[2].c.af, 6, "stream 3 c= is IPv6");
		span_is(text, sdp.streams[2].c.fam, "IP6", "... family span");
		span_is(text, sdp.streams[2].c.addr, "2001:db8::5",
		    "... 2001:db8::5");
		is_int(sdp.streams[2].c.line, 13, "... on line 13");
	}
	rtpc_sdp_free(&sdp);
}

static void
test_hold(void)
{
	static const struct {
		const char *c;
		int af;
		int null;
	} cases[] = {
		{ "IN IP4 0.0.0.0", 4, 1 }, { "IN IP6 ::", 6, 1 },
		{ "IN IP6 0:0:0:0:0:0:0:0", 6, 1 }, { "IN IP6 ::0", 6, 1 },
		{ "IN IP6 ::1", 6, 0 }, { "IN IP4 10.0.0.0", 4, 0 },
		{ "IN IP4 0.0.0.1", 4, 0 }, { "IN IP6 2001:db8::", 6, 0 },
		{ "IN IP4 0.0.0.0/127", 4, 1 },
	};
	char buf[256];
	struct rtpc_sdp sdp;
	struct rtpc_err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\n"
		    "s=-\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\nc=%s\r\n",
		    cases[i].c);
		is_int(parse(buf, &sdp, &err), 0, "c=%s parses", cases[i].c);
		if (sdp.nstreams == 1) {
			is_int(sdp.streams[0].c.af, cases[i].af, "... IPv%d",
			    cases[i].af);
			is_int(sdp.streams[0].c.null, cases[i].null,
			    "... %s", cases[i].null ? "on hold" : "not null");
		}
		rtpc_sdp_free(&sdp);
	}
	ok(rtpc_addr_null("0.0.0.0", 7, 4), "addr_null: 0.0.0.0");
	ok(!rtpc_addr_null("0.0.0.00", 8, 4), "addr_null: 0.0.0.00 is not");
	ok(rtpc_addr_null("::", 2, 6), "addr_null: ::");
	ok(!rtpc_addr_null("", 0, 6), "addr_null: empty is not");
	ok(!rtpc_addr_null("::ffff:0.0.0.0", 14, 6),
	    "addr_null: ::ffff:0.0.0.0 is not (only 0 and :)");
}

/* One SDP error: the text, the message wanted. */
static void
bad(const char *text, size_t len, const char *want, const char *what)
{
	struct rtpc_sdp sdp;
	struct rtpc_err err;

	rtpc_err_clear(&err);
	is_int(rtpc_sdp_parse(text, 0, len, &sdp, &err), -1, "refuses %s",
	    what);
	is_int(err.code, RTPC_EXIT_FAIL, "... bad input (exit 1)");
	like(err.msg, want, "... saying '%s'", want);
	is_int(sdp.nstreams, 0, "... and leaves nothing allocated");
}

#define BAD(text, want, what)	bad(text, sizeof(text) - 1, want, what)

static void
test_errors(void)
{
	BAD("", "empty", "an empty body");
	BAD("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\n"
	    "t=0 0\r\nm=audio 7000 RTP/AVP 0\r\na=x\0y\r\n", "NUL",
	    "a NUL byte");
	BAD("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\rx\r\nc=IN IP4 1.2.3.4\r\n"
	    "m=audio 7000 RTP/AVP 0\r\n", "sdp line 3: bare CR",
	    "a bare CR in line 3");
	BAD("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n"
	    "m=audio 7000 RTP/AVP 0\r", "sdp line 4: bare CR",
	    "a CR without LF at the very end");
	BAD("o=- 1 1 IN IP4 1.2.3.4\nv=0\n", "sdp line 1",
	    "o= before v=");
	BAD("V=0\n", "sdp line 1", "V= in capitals");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nhello\n", "sdp line 3",
	    "a line that is not type=value");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nx\n", "sdp line 3",
	    "a one-byte line");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\n\nc=IN IP4 1.2.3.4\n"
	    "m=audio 7000 RTP/AVP 0\n", "sdp line 4: blank line",
	    "a blank line in the middle");
	BAD("v=0\ns=-\nc=IN IP4 1.2.3.4\nm=audio 7000 RTP/AVP 0\n",
	    "no o= line", "a session without o=");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nc=IN IP4 1.2.3.4\nt=0 0\n",
	    "no m= line", "no m= line");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\nt=0 0\n"
	    "m=audio 7000 RTP/AVP 0\nc=IN IP4 1.2.3.4\n"
	    "m=video 7002 RTP/AVP 96\n",
	    "sdp line 7: m= line without a c= line",
	    "an m= without c= (no session c=)");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 300.1.1.1\n"
	    "m=audio 7000 RTP/AVP 0\n", "sdp line 3: bad c=",
	    "an IPv4 octet of 300");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 2001:db8::1\n"
	    "m=audio 7000 RTP/AVP 0\n", "sdp line 3: bad c=",
	    "an IPv6 address with IP4");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP6 10.0.0.1\n"
	    "m=audio 7000 RTP/AVP 0\n", "sdp line 3: bad c=",
	    "an IPv4 address with IP6");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP7 1.2.3.4\n"
	    "m=audio 7000 RTP/AVP 0\n", "sdp line 3: bad c=", "family IP7");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 bad_host\n"
	    "m=audio 7000 RTP/AVP 0\n", "sdp line 3: bad c=",
	    "a host name with '_'");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 10.0.0.1:5\n"
	    "m=audio 7000 RTP/AVP 0\n", "sdp line 3: bad c=",
	    "an address with a port");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=ATM NSAP 1.2.3.4\n"
	    "m=audio 7000 RTP/AVP 0\n", "sdp line 3: bad c=",
	    "network type ATM");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=\nm=audio 7000 RTP/AVP 0\n",
	    "sdp line 3: bad c=", "an empty c=");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 1.2.3.4\n"
	    "c=IN IP4 1.2.3.5\nm=audio 7000 RTP/AVP 0\n",
	    "sdp line 4: second c=", "two session c= lines");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nm=audio 7000 RTP/AVP 0\n"
	    "c=IN IP4 1.2.3.4\nc=IN IP4 1.2.3.5\n",
	    "sdp line 5: second c=", "two c= lines in one stream");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\no=- 1 1 IN IP4 1.2.3.4\n",
	    "sdp line 3: unexpected o=", "two o= lines");
	BAD("v=0\nc=IN IP4 1.2.3.4\nm=audio 7000 RTP/AVP 0\n"
	    "o=- 1 1 IN IP4 1.2.3.4\n", "sdp line 4: unexpected o=",
	    "o= after m=");
	BAD("v=0\no=- 1 IN IP4 1.2.3.4\n", "sdp line 2: bad o=",
	    "an o= with too few fields");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4 extra\n", "sdp line 2: bad o=",
	    "an o= with a field too many");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 1.2.3.4\n"
	    "m=audio x RTP/AVP 0\n", "sdp line 4: bad m=", "port x");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 1.2.3.4\n"
	    "m=audio 70000 RTP/AVP 0\n", "sdp line 4: bad m=", "port 70000");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 1.2.3.4\n"
	    "m=audio -1 RTP/AVP 0\n", "sdp line 4: bad m=", "port -1");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 1.2.3.4\n"
	    "m=audio 7000\n", "sdp line 4: bad m=", "an m= without proto");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 1.2.3.4\n"
	    "m=audio\n", "sdp line 4: bad m=", "an m= with only the media");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 1.2.3.4\n"
	    "m= 7000 RTP/AVP 0\n", "sdp line 4: bad m=",
	    "an m= without the media");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 1.2.3.4\n"
	    "m=audio 7000/ RTP/AVP 0\n", "sdp line 4: bad m=",
	    "a port count without digits");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 1.2.3.4\n"
	    "m=audio 7000/2x RTP/AVP 0\n", "sdp line 4: bad m=",
	    "a port count with junk");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 224.2.1.1/\n"
	    "m=audio 7000 RTP/AVP 0\n", "sdp line 3: bad c=",
	    "a '/' without a TTL");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 224.2.1.1/1/2/3\n"
	    "m=audio 7000 RTP/AVP 0\n", "sdp line 3: bad c=",
	    "three slash groups");
	BAD("v=0\no=- 1 1 IN IP4 1.2.3.4/3\nc=IN IP4 1.2.3.4\n"
	    "m=audio 7000 RTP/AVP 0\n", "sdp line 2: bad o=",
	    "a TTL in o=");
}

static void
test_tolerated(void)
{
	struct rtpc_sdp sdp;
	struct rtpc_err err;
	const char *sp = "v=0\no=-  1\t1  IN  IP4\t 1.2.3.4 \n"
	    "c=IN\tIP4  224.2.1.1/127/2\t\nm=audio  7000/2 \t RTP/AVP  0\t8 \n";

	is_int(parse(sp, &sdp, &err), 0, "runs of spaces and tabs between "
	    "the fields of o=, c= and m= (the module takes them)");
	if (sdp.nstreams == 1) {
		span_is(sp, sdp.sessions[0].o.addr, "1.2.3.4", "... o= address");
		span_is(sp, sdp.sessions[0].c.addr, "224.2.1.1",
		    "... c= address");
		span_is(sp, sdp.sessions[0].c.field, "224.2.1.1/127/2",
		    "... c= field");
		span_is(sp, sdp.streams[0].port, "7000", "... port");
		span_is(sp, sdp.streams[0].portfield, "7000/2",
		    "... port field");
		span_is(sp, sdp.streams[0].proto, "RTP/AVP", "... proto");
		span_is(sp, sdp.streams[0].fmts, "0\t8",
		    "... payload types without the trailing blanks");
	}
	rtpc_sdp_free(&sdp);

	is_int(parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n"
	    "m=audio 7000 RTP/AVP 0\r\n\r\n\r\n", &sdp, &err), 0,
	    "blank lines at the end are tolerated");
	is_int(sdp.end, strlen("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n"
	    "c=IN IP4 1.2.3.4\r\nm=audio 7000 RTP/AVP 0"),
	    "... end is after the last text");
	rtpc_sdp_free(&sdp);

	is_int(parse("v=0\no=- 1 1 IN IP4 1.2.3.4\nc=IN IP4 1.2.3.4\n"
	    "m=audio 7000 RTP/AVP 0", &sdp, &err), 0,
	    "no line end after the last line");
	is_int(sdp.end, strlen("v=0\no=- 1 1 IN IP4 1.2.3.4\n"
	    "c=IN IP4 1.2.3.4\nm=audio 7000 RTP/AVP 0"), "... end is the end");
	rtpc_sdp_free(&sdp);

	/* mixed line ends: line 1 decides */
	is_int(parse("v=0\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 1.2.3.4\r\n"
	    "m=audio 7000 RTP/AVP 0\r\n", &sdp, &err), 0,
	    "mixed line ends parse");
	is_str(sdp.eol, "\n", "... line 1's LF is the line end used");
	rtpc_sdp_free(&sdp);

	/* unknown line types and attributes pass through */
	is_int(parse("v=0\no=- 1 1 IN IP4 1.2.3.4\ns=-\ni=info\nu=http://x\n"
	    "e=a@b\nb=AS:64\nc=IN IP4 1.2.3.4\nt=0 0\nr=1 2 3\nz=0 0\n"
	    "k=clear:x\na=group:BUNDLE 0\nm=audio 7000 RTP/AVP 0\n"
	    "a=rtcp-mux\na=rtcp-fb:* nack\na=candidatex:1\n", &sdp, &err), 0,
	    "every other line type is accepted");
	if (sdp.nstreams == 1) {
		is_int(sdp.streams[0].nrtcp, 0,
		    "... a=rtcp-mux and a=rtcp-fb are not a=rtcp");
		is_int(sdp.streams[0].ncand, 0,
		    "... a=candidatex is not a=candidate");
	}
	rtpc_sdp_free(&sdp);
}

static void
test_fqdn(void)
{
	/* RFC 3264 section 10.1's offer: domain names in o= and c= */
	static const char text[] =
	    "v=0\r\n"
	    "o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\n"
	    "s=\r\n"
	    "c=IN IP4 host.atlanta.example.com\r\n"
	    "t=0 0\r\n"
	    "m=audio 49170 RTP/AVP 0 8 97\r\n"
	    "a=rtpmap:0 PCMU/8000\r\n"
	    "m=video 51372 RTP/AVP 31 32\r\n"
	    "a=rtpmap:31 H261/90000\r\n";
	struct rtpc_sdp sdp;
	struct rtpc_err err;

	is_int(parse(text, &sdp, &err), 0,
	    "RFC 3264's offer with domain names parses");
	if (err.msg[0])
		diag("%s", err.msg);
	if (sdp.nsessions == 1) {
		span_is(text, sdp.sessions[0].o.addr,
		    "host.atlanta.example.com", "... o= address");
		span_is(text, sdp.sessions[0].c.addr,
		    "host.atlanta.example.com", "... c= address");
		is_int(sdp.sessions[0].c.null, 0, "... not on hold");
		is_int(sdp.sessions[0].c.af, 4, "... IP4");
	}
	rtpc_sdp_free(&sdp);
	is_int(parse("v=0\no=- 1 1 IN IP6 host6.example.com\n"
	    "c=IN IP6 host6.example.com\nm=audio 7000 RTP/AVP 0\n", &sdp,
	    &err), 0, "a domain name with IP6 parses");
	if (sdp.nstreams == 1)
		is_int(sdp.sessions[0].c.af, 6, "... IP6");
	rtpc_sdp_free(&sdp);
}

static void
test_many_streams(void)
{
	size_t sz = 64 + 1025 * 32, o;
	char *b = malloc(sz);
	struct rtpc_sdp sdp;
	struct rtpc_err err;
	int k;

	o = (size_t)snprintf(b, sz, "v=0\no=- 1 1 IN IP4 1.2.3.4\n"
	    "c=IN IP4 1.2.3.4\n");
	for (k = 0; k < 1024; k++)
		o += (size_t)snprintf(b + o, sz - o, "m=audio %d RTP/AVP 0\n",
		    2000 + 2 * k);
	is_int(parse(b, &sdp, &err), 0, "1024 m= lines are accepted");
	is_int(sdp.nstreams, 1024, "... 1024 streams");
	rtpc_sdp_free(&sdp);
	snprintf(b + o, sz - o, "m=audio 9 RTP/AVP 0\n");
	is_int(parse(b, &sdp, &err), -1, "1025 m= lines are refused");
	like(err.msg, "sdp line 1028: too many m= lines",
	    "... naming the 1025th m= line, line 1028");
	free(b);
}

static void
test_marker(void)
{
	static const char *const mk = "a=nortpproxy:yes";
	char *marked = crlf(A1_OFFER_OUT), *plain = crlf(A1_OFFER);

	is_int(strlen(marked), 238, "the A.1 proxied offer is 238 bytes");
	ok(rtpc_sdp_has_marker(marked, 0, strlen(marked), mk),
	    "marker found after a line end");
	ok(!rtpc_sdp_has_marker(plain, 0, strlen(plain), mk),
	    "no marker in the original offer");
	ok(!rtpc_sdp_has_marker(mk, 0, strlen(mk), mk),
	    "marker at offset 0 has no CR or LF before it");
	ok(rtpc_sdp_has_marker("v=0\ra=nortpproxy:yes", 0, 20, mk),
	    "marker after a lone CR counts");
	ok(!rtpc_sdp_has_marker("v=0\nx a=nortpproxy:yes\n", 0, 23, mk),
	    "marker inside a line does not count");
	ok(rtpc_sdp_has_marker("v=0\na=nortpproxy:yes-and-more\n", 0, 30, mk),
	    "marker as a line prefix counts (the module compares a prefix)");
	ok(!rtpc_sdp_has_marker(marked, 0, strlen(marked) - 10, mk),
	    "marker cut off by the length does not count");
	ok(!rtpc_sdp_has_marker(marked, 0, strlen(marked), ""),
	    "an empty marker never matches");
	free(marked);
	free(plain);
}

static int
inside(struct rtpc_span s, size_t len)
{
	return s.off <= len && s.len <= len - s.off;
}

/*
 * Every prefix of an SDP, in a heap buffer of exactly that size (so
 * valgrind or ASan see any read past the end): it fails with a message
 * and frees everything, or its spans are inside the input.
 */
static void
test_prefixes(void)
{
	char *text = crlf("v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "c=IN IP4 10.0.0.1\n"
	    "m=audio 7000/2 RTP/SAVPF 0 8\n"
	    "c=IN IP6 ::\n"
	    "a=rtcp:7001 IN IP4 10.0.0.6\n"
	    "a=candidate:1 1 UDP 1 10.0.0.6 7000 typ host\n"
	    "m=video 0 RTP/AVP 96\n"
	    "c=IN IP4 224.2.1.1/127\n"
	    "v=0\n"
	    "o=b 2 2 IN IP6 2001:db8::2\n"
	    "m=audio 8000 RTP/AVP\n"
	    "c=IN IP6 2001:db8::5\n");
	size_t n = strlen(text), len;
	int bad = 0, good = 0;

	for (len = 0; len <= n; len++) {
		char *b = malloc(len ? len : 1);
		struct rtpc_sdp sdp;
		struct rtpc_err err;
		int k;

		memcpy(b, text, len);
		rtpc_err_clear(&err);
		if (rtpc_sdp_parse(b, 0, len, &sdp, &err) == 0) {
			good++;
			if (sdp.end > sdp.limit || sdp.limit != len)
				bad++;
			for (k = 0; k < sdp.nstreams; k++) {
				const struct rtpc_sdp_stream *st = &sdp.streams[k];

				if (!inside(st->port, len) ||
				    !inside(st->proto, len) ||
				    !inside(st->fmts, len) ||
				    !inside(rtpc_sdp_stream_addr(&sdp, k)->addr,
				    len) || (st->nrtcp > 0 &&
				    !inside(st->rtcp[0], len)))
					bad++;
			}
			rtpc_sdp_free(&sdp);
		} else if (err.msg[0] == '\0' || sdp.nstreams != 0)
			bad++;
		rtpc_sdp_has_marker(b, 0, len, "a=nortpproxy:yes");
		free(b);
	}
	is_int(bad, 0, "all %zu prefixes parse inside their bounds or fail "
	    "cleanly", n + 1);
	ok(good >= 3, "... and the complete ones parse (%d)", good);
	free(text);
}

int
main(void)
{
	test_a1(1);
	test_a1(0);
	test_inside_buffer();
	test_streams();
	test_sessions();
	test_hold();
	test_errors();
	test_tolerated();
	test_fqdn();
	test_many_streams();
	test_marker();
	test_prefixes();
	return done_testing();
}
