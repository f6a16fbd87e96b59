/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-rewrite.c: the rewrite step (rewrite.h): parse, rewrite with
 * canned replies, compare the exact output.  Expected texts come from
 * the module reference (Appendix A, §6.2, §6.3), with the toolkit's
 * deliberate difference: o= is rewritten only with flag o.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "buf.h"
#include "config.h"
#include "plan.h"
#include "reply.h"
#include "rewrite.h"
#include "sdp.h"
#include "sip.h"
#include "fixtures.h"
#include "tap.h"

/* A final reply for one m= line, as the job hands it over. */
struct rep {
	long		 port;
	const char	*addr;
	int		 skip;
};

static struct rtpc_settings set;

/*
 * Rewrite in (a SIP message when is_sip, else bare SDP) with flags and
 * one reply per m= line.  Returns rc; *out is malloc'd on success.
 */
static int
rw(const char *in, int is_sip, const char *flags, const struct rep *reps,
    int nreps, int add_marker, char **out, struct rtpc_err *err)
{
	struct rtpc_sip sip;
	struct rtpc_sdp sdp;
	struct rtpc_flags fl;
	struct rtpc_ulreply ul[16];
	struct rtpc_rw r;
	struct rtpc_buf b;
	size_t off = 0, len = strlen(in);
	int k, rc;

	*out = NULL;
	rtpc_err_clear(err);
	if (rtpc_flags_parse(flags, RTPC_OP_OFFER, &fl, err) == -1)
		return -2;
	if (is_sip) {
		if (rtpc_sip_parse(in, strlen(in), &sip, err) == -1 ||
		    rtpc_sip_find_sdp(in, &sip, err) == -1) {
			diag("test SIP does not parse: %s", err->msg);
			return -2;
		}
		off = sip.sdp.off;
		len = sip.sdp.len;
	}
	if (rtpc_sdp_parse(in, off, len, &sdp, err) == -1) {
		diag("test SDP does not parse: %s", err->msg);
		return -2;
	}
	if (sdp.nstreams != nreps) {
		diag("test has %d replies for %d streams", nreps, sdp.nstreams);
		rtpc_sdp_free(&sdp);
		return -2;
	}
	memset(ul, 0, sizeof(ul));
	for (k = 0; k < nreps; k++) {
		ul[k].port = reps[k].port;
		ul[k].skip = reps[k].skip;
		strlcpy(ul[k].addr, reps[k].addr ? reps[k].addr : "",
		    sizeof(ul[k].addr));
		ul[k].af = strchr(ul[k].addr, ':') ? 6 : 4;
	}
	memset(&r, 0, sizeof(r));
	r.buf = in;
	r.len = strlen(in);
	r.sip = is_sip ? &sip : NULL;
	r.sdp = &sdp;
	r.replies = ul;
	r.fl = &fl;
	r.set = &set;
	r.add_marker = add_marker;
	rtpc_buf_init(&b, 0);
	rc = rtpc_rewrite(&r, &b, err);
	if (rc == 0)
		*out = b.data ? b.data : strdup("");
	else
		rtpc_buf_free(&b);
	rtpc_sdp_free(&sdp);
	return rc;
}

/* Rewrite and compare with want; in and want are LF texts, turned into
 * CRLF when use_crlf. */
static void
check(const char *in, int is_sip, int use_crlf, const char *flags,
    const struct rep *reps, int nreps, int add_marker, const char *want,
    const char *name)
{
	char *i = eols(in, use_crlf), *w = eols(want, use_crlf), *got;
	struct rtpc_err err;
	int rc = rw(i, is_sip, flags, reps, nreps, add_marker, &got, &err);

	if (!is_int(rc, 0, "%s (%s): rewritten", name,
	    use_crlf ? "CRLF" : "LF"))
		diag("error: %s", err.msg);
	is_str(got, w, "%s (%s): exact output", name,
	    use_crlf ? "CRLF" : "LF");
	free(got);
	free(i);
	free(w);
}

/* A.1's offer as the toolkit writes it without flag o: o= kept. */
#define A1_OFFER_OUT_KEEP_O fixture("a1-offer-out-keep-o.sdp")

#define A1_ANSWER_OUT_KEEP_O fixture("a1-answer-out-keep-o.sdp")

static void
test_appendix_a(void)
{
	static const struct rep offer[] = { { 31000, "127.0.0.1", 0 } };
	static const struct rep answer[] = { { 31016, "127.0.0.1", 0 } };
	char *s;

	s = crlf(A1_OFFER_OUT);
	is_int(strlen(s), 238, "the module's A.1 offer output is 238 bytes");
	free(s);
	s = crlf(A1_ANSWER_OUT);
	is_int(strlen(s), 214, "the module's A.1 answer output is 214 bytes");
	free(s);

	/* with flag o: byte for byte what the module produced */
	check(A1_OFFER, 0, 1, "o", offer, 1, 1, A1_OFFER_OUT,
	    "A.1 offer with flag o = the module's output");
	check(A1_ANSWER, 0, 1, "o", answer, 1, 1, A1_ANSWER_OUT,
	    "A.1 answer with flag o = the module's output");
	/* without: o= untouched, everything else the same */
	check(A1_OFFER, 0, 1, "", offer, 1, 1, A1_OFFER_OUT_KEEP_O,
	    "A.1 offer without o: o= kept");
	check(A1_ANSWER, 0, 1, "", answer, 1, 1, A1_ANSWER_OUT_KEEP_O,
	    "A.1 answer without o: o= kept");
	/* LF bodies get an LF marker */
	check(A1_OFFER, 0, 0, "", offer, 1, 1, A1_OFFER_OUT_KEEP_O,
	    "A.1 offer in LF: marker ends in LF");
	/* A.2 and A.3: the same SDPs, other ports */
	{
		static const struct rep a3[] = { { 31022, "127.0.0.1", 0 } };
		char *want = strdup(A1_ANSWER_OUT);
		char *p = strstr(want, "31016");

		memcpy(p, "31022", 5);
		check(A1_ANSWER, 0, 1, "aro", a3, 1, 1, want,
		    "A.3 answer with flags aro");
		free(want);
	}
}

#define INVITE_HEAD \
	"INVITE sip:svc@127.0.0.1:5060 SIP/2.0\n" \
	"Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-15483-1-0\n" \
	"From: sipp <sip:sipp@127.0.0.1:5070>;tag=15483-uac-1\n" \
	"To: svc <sip:svc@127.0.0.1:5060>\n" \
	"Call-ID: 1-15483@127.0.0.1\n" \
	"CSeq: 1 INVITE\n" \
	"Contact: sip:sipp@127.0.0.1:5070\n" \
	"Max-Forwards: 70\n" \
	"Content-Type: application/sdp\n"

static void
test_sip(void)
{
	static const struct rep offer[] = { { 31000, "127.0.0.1", 0 } };
	int use_crlf;

	for (use_crlf = 0; use_crlf <= 1; use_crlf++) {
		char *in = sipmsg(INVITE_HEAD "Content-Length: %zu\n",
		    A1_OFFER, use_crlf);
		char *want = sipmsg(INVITE_HEAD "Content-Length: %zu\n",
		    A1_OFFER_OUT_KEEP_O, use_crlf);
		char *got;
		struct rtpc_err err;

		is_int(rw(in, 1, "", offer, 1, 1, &got, &err), 0,
		    "INVITE (%s) rewritten", use_crlf ? "CRLF" : "LF");
		is_str(got, want, "... body rewritten, Content-Length %s",
		    use_crlf ? "220 -> 238" : "209 -> 226");
		if (use_crlf)
			like(got, "\r\nContent-Length: 238\r\n",
			    "... Content-Length: 238 as in Appendix A");
		free(got);
		free(in);
		free(want);
	}
	{
		/* compact l:, with spaces */
		char *in = sipmsg(INVITE_HEAD "l:   %zu\n", A1_OFFER, 1);
		char *want = sipmsg(INVITE_HEAD "l:   %zu\n",
		    A1_OFFER_OUT_KEEP_O, 1);
		char *got;
		struct rtpc_err err;

		is_int(rw(in, 1, "", offer, 1, 1, &got, &err), 0,
		    "INVITE with l: rewritten");
		is_str(got, want, "... l: 238, spacing kept");
		free(got);
		free(in);
		free(want);
	}
	{
		/* no Content-Length: none is added */
		char *in = sipmsg(INVITE_HEAD, A1_OFFER, 1);
		char *want = sipmsg(INVITE_HEAD, A1_OFFER_OUT_KEEP_O, 1);
		char *got;
		struct rtpc_err err;

		is_int(rw(in, 1, "", offer, 1, 1, &got, &err), 0,
		    "INVITE without Content-Length rewritten");
		is_str(got, want, "... no Content-Length added");
		free(got);
		free(in);
		free(want);
	}
	{
		/* Content-Length shorter than what follows: the rest is
		 * not body and stays as it is, after the new body */
		char *sdp = crlf(A1_OFFER), *out = crlf(A1_OFFER_OUT_KEEP_O);
		size_t sz = strlen(INVITE_HEAD) * 2 + strlen(out) + 100;
		char *in = malloc(sz), *want = malloc(sz), *h = crlf(INVITE_HEAD);
		char *got;
		struct rtpc_err err;

		snprintf(in, sz, "%sContent-Length: %zu\r\n\r\n%sTRAILER", h,
		    strlen(sdp), sdp);
		snprintf(want, sz, "%sContent-Length: %zu\r\n\r\n%sTRAILER", h,
		    strlen(out), out);
		is_int(rw(in, 1, "", offer, 1, 1, &got, &err), 0,
		    "INVITE with bytes after the body rewritten");
		is_str(got, want, "... they stay after the body");
		free(got);
		free(in);
		free(want);
		free(h);
		free(sdp);
		free(out);
	}
}

#define MP_BODY(bd, sdp) joined( \
	"--" bd "\n" \
	"Content-Type: application/isup; version=itu-t92+\n" \
	"\n" \
	"\x01\x02isup\n" \
	"--" bd "\n" \
	"Content-Type: application/sdp\n" \
	"\n", \
	sdp, "\n--" bd "--\n")

static void
test_multipart(void)
{
	static const struct rep offer[] = { { 31000, "127.0.0.1", 0 } };
	int use_crlf;

	for (use_crlf = 0; use_crlf <= 1; use_crlf++) {
		static const char head[] =
		    "INVITE sip:svc@127.0.0.1:5060 SIP/2.0\n"
		    "Call-ID: mp@h\n"
		    "From: <sip:a@b>;tag=f\n"
		    "CSeq: 1 INVITE\n"
		    "Content-Type: multipart/mixed;boundary=b1\n"
		    "Content-Length: %zu\n";
		char *in = sipmsg(head, MP_BODY("b1", A1_OFFER), use_crlf);
		char *want = sipmsg(head, MP_BODY("b1", A1_OFFER_OUT_KEEP_O),
		    use_crlf);
		char *got;
		struct rtpc_err err;

		is_int(rw(in, 1, "", offer, 1, 1, &got, &err), 0,
		    "multipart (%s) rewritten", use_crlf ? "CRLF" : "LF");
		if (err.msg[0])
			diag("%s", err.msg);
		is_str(got, want, "... only the SDP part changes; "
		    "Content-Length counts the whole body");
		free(got);
		free(in);
		free(want);
	}
}

static void
test_ports(void)
{
	static const char in[] =
	    "v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 10.0.0.1\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n"
	    "a=rtcp:7001\n"
	    "m=video 0 RTP/AVP 96\n"
	    "c=IN IP4 10.0.0.2\n"
	    "m=audio 9 RTP/AVP 8\n";
	static const struct rep r1[] = { { 40000, "192.0.2.10", 0 },
	    { 40002, "192.0.2.10", 0 }, { 40004, "192.0.2.10", 0 } };
	static const struct rep r2[] = { { 40000, "192.0.2.10", 0 },
	    { 0, "", 1 }, { 40004, "192.0.2.10", 0 } };

	check(in, 0, 1, "", r1, 3, 1,
	    "v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 192.0.2.10\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "a=rtcp:40001\n"
	    "m=video 0 RTP/AVP 96\n"
	    "c=IN IP4 192.0.2.10\n"
	    "m=audio 40004 RTP/AVP 8\n"
	    "a=nortpproxy:yes\n",
	    "an m= port of 0 stays 0, its c= still rewritten");
	check(in, 0, 1, "", r2, 3, 1,
	    "v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 192.0.2.10\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "a=rtcp:40001\n"
	    "m=video 0 RTP/AVP 96\n"
	    "c=IN IP4 10.0.0.2\n"
	    "m=audio 40004 RTP/AVP 8\n"
	    "a=nortpproxy:yes\n",
	    "a skipped port-0 stream is left alone");
	/* a port in the 5-digit range replaces a 1-digit one */
	{
		static const struct rep r[] = { { 65535, "192.0.2.10", 0 } };

		check("v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 10.0.0.1\n"
		    "m=audio 9 RTP/AVP 0\n", 0, 0, "", r, 1, 0,
		    "v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 192.0.2.10\n"
		    "m=audio 65535 RTP/AVP 0\n",
		    "port 9 -> 65535, no marker when not asked");
	}
	/* m= with a port count: the relay gave one port, the count goes */
	{
		static const struct rep r[] = { { 40000, "192.0.2.10", 0 } };

		check("v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 10.0.0.1\n"
		    "m=audio 7000/2 RTP/AVP 0\n", 0, 0, "", r, 1, 0,
		    "v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 192.0.2.10\n"
		    "m=audio 40000 RTP/AVP 0\n", "port/count: count dropped");
	}
}

/* The module's rules for odd but valid lines (issue 15, point 7). */
static void
test_rules(void)
{
	static const struct rep r4[] = { { 40000, "192.0.2.10", 0 } };
	static const struct rep r6[] = { { 40000, "2001:db8::10", 0 } };

	check("v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 224.2.1.1/127\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 1, "", r4, 1, 0,
	    "v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 192.0.2.10\n"
	    "m=audio 40000 RTP/AVP 0\n", "multicast /ttl dropped with the "
	    "address");
	check("v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 224.2.1.1/127/3\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 1, "", r4, 1, 0,
	    "v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 192.0.2.10\n"
	    "m=audio 40000 RTP/AVP 0\n", "multicast /ttl/count dropped");
	check("v=0\no=- 1 1 IN IP6 2001:db8::1\nc=IN IP6 ff15::101/3\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 1, "", r6, 1, 0,
	    "v=0\no=- 1 1 IN IP6 2001:db8::1\nc=IN IP6 2001:db8::10\n"
	    "m=audio 40000 RTP/AVP 0\n", "IPv6 multicast /count dropped");
	check("v=0\no=- 1 1 IN IP6 2001:db8::1\nc=IN IP6 ff15::101/3\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 1, "", r4, 1, 0,
	    "v=0\no=- 1 1 IN IP6 2001:db8::1\nc=IN IP4 192.0.2.10\n"
	    "m=audio 40000 RTP/AVP 0\n", "family change drops the suffix too");
	check("v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 0.0.0.0/127\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 1, "", r4, 1, 0,
	    "v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 0.0.0.0/127\n"
	    "m=audio 40000 RTP/AVP 0\n", "a null address stays whole (hold)");
	check("v=0\no=-  1  1  IN  IP4  10.0.0.1\nc=IN  IP4  10.0.0.1\n"
	    "m=audio  7000  RTP/AVP  0\n", 0, 1, "o", r4, 1, 0,
	    "v=0\no=-  1  1  IN  IP4  192.0.2.10\nc=IN  IP4  192.0.2.10\n"
	    "m=audio  40000  RTP/AVP  0\n", "runs of spaces between fields");
	check("v=0\no=-\t1 1 IN IP4 10.0.0.1 \nc=IN IP4\t10.0.0.1\t\n"
	    "m=audio\t7000 RTP/AVP 0 \na=rtcp:7001 \n", 0, 1, "o", r4, 1, 0,
	    "v=0\no=-\t1 1 IN IP4 192.0.2.10 \nc=IN IP4\t192.0.2.10\t\n"
	    "m=audio\t40000 RTP/AVP 0 \na=rtcp:40001 \n",
	    "tabs between fields; each rewritten value keeps its line's "
	    "trailing blanks");
	check("v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 10.0.0.1\n"
	    "m=audio 7000 RTP/AVP 0\na=rtcp:7001 IN IP4 10.0.0.1\t \n", 0, 1,
	    "", r4, 1, 0,
	    "v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 192.0.2.10\n"
	    "m=audio 40000 RTP/AVP 0\na=rtcp:40001\t \n",
	    "a=rtcp: with an address: the value goes, the blanks stay");
}

static void
test_rtcp(void)
{
	static const struct rep r[] = { { 40034, "192.0.2.10", 0 } };

	/* §6.3: a=rtcp:7001 IN IP4 10.0.0.6 -> a=rtcp:40035 */
	check("v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.6\n"
	    "s=-\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n"
	    "c=IN IP4 10.0.0.6\n"
	    "a=rtcp:7001 IN IP4 10.0.0.6\n", 0, 1, "", r, 1, 1,
	    "v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.6\n"
	    "s=-\n"
	    "t=0 0\n"
	    "m=audio 40034 RTP/AVP 0\n"
	    "c=IN IP4 192.0.2.10\n"
	    "a=rtcp:40035\n"
	    "a=nortpproxy:yes\n",
	    "a=rtcp -> port+1, address dropped, marker after it");
	/* the result ends the way §6.2 shows */
	{
		char *in = crlf("v=0\no=- 1 1 IN IP4 10.0.0.6\n"
		    "c=IN IP4 10.0.0.6\nm=audio 7000 RTP/AVP 0\n"
		    "a=rtcp:7001\n"), *got;
		static const struct rep r2[] = { { 40000, "192.0.2.10", 0 } };
		struct rtpc_err err;
		static const char tail[] = "a=rtcp:40001\r\na=nortpproxy:yes\r\n";

		rw(in, 0, "", r2, 1, 1, &got, &err);
		ok(got != NULL && strlen(got) > strlen(tail) &&
		    strcmp(got + strlen(got) - strlen(tail), tail) == 0,
		    "ends …a=rtcp:40001\\r\\na=nortpproxy:yes\\r\\n");
		free(got);
		free(in);
	}
	/* a=rtcp-mux is not a=rtcp */
	check("v=0\no=- 1 1 IN IP4 10.0.0.6\nc=IN IP4 10.0.0.6\n"
	    "m=audio 7000 RTP/AVP 0\na=rtcp-mux\n", 0, 0, "", r, 1, 0,
	    "v=0\no=- 1 1 IN IP4 10.0.0.6\nc=IN IP4 192.0.2.10\n"
	    "m=audio 40034 RTP/AVP 0\na=rtcp-mux\n", "a=rtcp-mux untouched");
}

static void
test_hold(void)
{
	static const struct rep v4[] = { { 40000, "192.0.2.10", 0 } };
	static const struct rep v6[] = { { 40000, "2001:db8::10", 0 } };

	check("v=0\n"
	    "o=- 1 2 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 0.0.0.0\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n"
	    "a=sendonly\n", 0, 1, "", v4, 1, 1,
	    "v=0\n"
	    "o=- 1 2 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 0.0.0.0\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "a=sendonly\n"
	    "a=nortpproxy:yes\n",
	    "hold: c=IN IP4 0.0.0.0 is kept, the port changes");
	check("v=0\n"
	    "o=- 1 2 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 0.0.0.0\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 1, "o", v4, 1, 1,
	    "v=0\n"
	    "o=- 1 2 IN IP4 0.0.0.0\n"
	    "s=-\n"
	    "c=IN IP4 0.0.0.0\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "a=nortpproxy:yes\n",
	    "hold with flag o: o= becomes 0.0.0.0");
	check("v=0\n"
	    "o=- 1 2 IN IP6 2001:db8::1\n"
	    "s=-\n"
	    "c=IN IP6 ::\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 1, "", v6, 1, 1,
	    "v=0\n"
	    "o=- 1 2 IN IP6 2001:db8::1\n"
	    "s=-\n"
	    "c=IN IP6 ::\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "a=nortpproxy:yes\n",
	    "IPv6 hold: c=IN IP6 :: is kept");
	check("v=0\n"
	    "o=- 1 2 IN IP6 2001:db8::1\n"
	    "s=-\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n"
	    "c=IN IP6 0:0:0:0:0:0:0:0\n", 0, 1, "", v6, 1, 0,
	    "v=0\n"
	    "o=- 1 2 IN IP6 2001:db8::1\n"
	    "s=-\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "c=IN IP6 0:0:0:0:0:0:0:0\n",
	    "IPv6 hold written long: kept as written");
	check("v=0\n"
	    "o=- 1 2 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 0.0.0.0\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 1, "", v6, 1, 1,
	    "v=0\n"
	    "o=- 1 2 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP6 ::\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "a=nortpproxy:yes\n",
	    "IPv4 hold answered in IPv6: c=IN IP6 ::");
	check("v=0\n"
	    "o=- 1 2 IN IP6 2001:db8::1\n"
	    "s=-\n"
	    "c=IN IP6 0:0:0:0:0:0:0:0\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 0, "", v4, 1, 0,
	    "v=0\n"
	    "o=- 1 2 IN IP6 2001:db8::1\n"
	    "s=-\n"
	    "c=IN IP4 0.0.0.0\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n",
	    "IPv6 hold answered in IPv4: c=IN IP4 0.0.0.0");
}

static void
test_families(void)
{
	static const struct rep v4[] = { { 40000, "192.0.2.10", 0 } };
	static const struct rep v6[] = { { 40000, "2001:db8::10", 0 } };

	check("v=0\n"
	    "o=- 1 1 IN IP6 2001:db8::5\n"
	    "s=-\n"
	    "c=IN IP6 2001:db8::5\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 1, "o", v4, 1, 1,
	    "v=0\n"
	    "o=- 1 1 IN IP4 192.0.2.10\n"
	    "s=-\n"
	    "c=IN IP4 192.0.2.10\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "a=nortpproxy:yes\n",
	    "IPv6 -> IPv4: IN IP6 2001:db8::5 -> IN IP4 192.0.2.10");
	check("v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.5\n"
	    "s=-\n"
	    "c=IN IP4 10.0.0.5\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 1, "o", v6, 1, 1,
	    "v=0\n"
	    "o=- 1 1 IN IP6 2001:db8::10\n"
	    "s=-\n"
	    "c=IN IP6 2001:db8::10\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "a=nortpproxy:yes\n",
	    "IPv4 -> IPv6: IN IP4 10.0.0.5 -> IN IP6 2001:db8::10");
	check("v=0\n"
	    "o=- 1 1 IN IP6 2001:db8::5\n"
	    "s=-\n"
	    "c=IN IP6 2001:db8::5\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 0, "", v6, 1, 0,
	    "v=0\n"
	    "o=- 1 1 IN IP6 2001:db8::5\n"
	    "s=-\n"
	    "c=IN IP6 2001:db8::10\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n",
	    "IPv6 -> IPv6: only the address");
	/* o= with a family change only with o; o= keeps its own family
	 * without it */
	check("v=0\n"
	    "o=- 1 1 IN IP6 2001:db8::5\n"
	    "s=-\n"
	    "c=IN IP6 2001:db8::5\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 0, "", v4, 1, 0,
	    "v=0\n"
	    "o=- 1 1 IN IP6 2001:db8::5\n"
	    "s=-\n"
	    "c=IN IP4 192.0.2.10\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n",
	    "IPv6 -> IPv4 without o: o= untouched");
}

static void
test_connection(void)
{
	static const struct rep two[] = { { 40000, "192.0.2.10", 0 },
	    { 40002, "192.0.2.20", 0 } };
	static const char own_and_session[] =
	    "v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 10.0.0.1\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n"
	    "c=IN IP4 10.0.0.2\n"
	    "m=video 7002 RTP/AVP 96\n"
	    "c=IN IP4 10.0.0.3\n";

	check(own_and_session, 0, 1, "", two, 2, 0,
	    "v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 10.0.0.1\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "c=IN IP4 192.0.2.10\n"
	    "m=video 40002 RTP/AVP 96\n"
	    "c=IN IP4 192.0.2.20\n",
	    "every stream has its own c=: the session c= stays");
	check(own_and_session, 0, 1, "c", two, 2, 0,
	    "v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 192.0.2.10\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "c=IN IP4 192.0.2.10\n"
	    "m=video 40002 RTP/AVP 96\n"
	    "c=IN IP4 192.0.2.20\n",
	    "flag c: the session c= too, with the first stream's address");
	check(own_and_session, 0, 1, "co", two, 2, 0,
	    "v=0\n"
	    "o=- 1 1 IN IP4 192.0.2.10\n"
	    "s=-\n"
	    "c=IN IP4 192.0.2.10\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "c=IN IP4 192.0.2.10\n"
	    "m=video 40002 RTP/AVP 96\n"
	    "c=IN IP4 192.0.2.20\n",
	    "flags co: o= gets the first stream's address");
	check("v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 10.0.0.1\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n"
	    "c=IN IP4 10.0.0.2\n"
	    "m=video 7002 RTP/AVP 96\n", 0, 1, "", two, 2, 0,
	    "v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 192.0.2.20\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "c=IN IP4 192.0.2.10\n"
	    "m=video 40002 RTP/AVP 96\n",
	    "a stream without c= rewrites the session c=");
	check("v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 10.0.0.1\n"
	    "t=0 0\n"
	    "m=audio 7000 RTP/AVP 0\n"
	    "m=video 7002 RTP/AVP 96\n", 0, 1, "", two, 2, 0,
	    "v=0\n"
	    "o=- 1 1 IN IP4 10.0.0.1\n"
	    "s=-\n"
	    "c=IN IP4 192.0.2.10\n"
	    "t=0 0\n"
	    "m=audio 40000 RTP/AVP 0\n"
	    "m=video 40002 RTP/AVP 96\n",
	    "two streams on the session c=: rewritten once, by the first");
	{
		static const struct rep three[] = {
		    { 40000, "192.0.2.10", 0 }, { 40002, "192.0.2.20", 0 },
		    { 40004, "2001:db8::30", 0 } };

		check("v=0\n"
		    "o=a 1 1 IN IP4 10.0.0.1\n"
		    "c=IN IP4 10.0.0.1\n"
		    "m=audio 7000 RTP/AVP 0\n"
		    "m=audio 7002 RTP/AVP 0\n"
		    "v=0\n"
		    "o=b 2 2 IN IP4 10.0.0.2\n"
		    "c=IN IP4 10.0.0.2\n"
		    "m=audio 8000 RTP/AVP 8\n", 0, 1, "o", three, 3, 1,
		    "v=0\n"
		    "o=a 1 1 IN IP4 192.0.2.10\n"
		    "c=IN IP4 192.0.2.10\n"
		    "m=audio 40000 RTP/AVP 0\n"
		    "m=audio 40002 RTP/AVP 0\n"
		    "v=0\n"
		    "o=b 2 2 IN IP6 2001:db8::30\n"
		    "c=IN IP6 2001:db8::30\n"
		    "m=audio 40004 RTP/AVP 8\n"
		    "a=nortpproxy:yes\n",
		    "two SDP sessions: o= and c= once per session, one "
		    "marker at the end");
	}
}

#define ICE_IN fixture("ice.sdp")

static void
test_ice(void)
{
	static const struct rep r[] = { { 40000, "192.0.2.10", 0 },
	    { 40002, "192.0.2.10", 0 } };

	set.ice = RTPC_ICE_LOW;
	check(ICE_IN, 0, 1, "", r, 2, 1,
	    fixture("ice-low.out.sdp"),
	    "ICE low: two relay candidates before the last candidate line");
	set.ice = RTPC_ICE_HIGH;
	check(ICE_IN, 0, 0, "", r, 2, 0,
	    fixture("ice-high.out.sdp"),
	    "ICE high priorities");
	set.ice = RTPC_ICE_OFF;
	check(ICE_IN, 0, 0, "", r, 2, 0,
	    fixture("ice-off.out.sdp"),
	    "ICE off: candidates untouched");
	{
		static const struct rep r6[] = {
		    { 40000, "2001:db8::10", 0 } };

		set.ice = RTPC_ICE_LOW;
		check("v=0\no=- 1 1 IN IP6 2001:db8::6\nc=IN IP6 2001:db8::6\n"
		    "m=audio 7000 RTP/AVP 0\n"
		    "a=candidate:1 1 UDP 2130706431 2001:db8::6 7000 typ host\n",
		    0, 0, "", r6, 1, 0,
		    "v=0\no=- 1 1 IN IP6 2001:db8::6\nc=IN IP6 2001:db8::10\n"
		    "m=audio 40000 RTP/AVP 0\n"
		    "a=candidate:2001810 2 UDP 16777214 2001:db8::10 40001 typ "
		    "relay\n"
		    "a=candidate:2001810 1 UDP 16777215 2001:db8::10 40000 typ "
		    "relay\n"
		    "a=candidate:1 1 UDP 2130706431 2001:db8::6 7000 typ host\n",
		    "ICE with IPv6: foundation is the address's digits");
		set.ice = RTPC_ICE_OFF;
	}
}

static void
test_marker(void)
{
	static const struct rep r[] = { { 40000, "192.0.2.10", 0 } };
	char *saved = set.marker;

	check("v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 10.0.0.1\n"
	    "m=audio 7000 RTP/AVP 0", 0, 1, "", r, 1, 1,
	    "v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 192.0.2.10\n"
	    "m=audio 40000 RTP/AVP 0\na=nortpproxy:yes",
	    "no final line end: the marker is still a line of its own");
	check("v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 10.0.0.1\n"
	    "m=audio 7000 RTP/AVP 0\n\n", 0, 1, "", r, 1, 1,
	    "v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 192.0.2.10\n"
	    "m=audio 40000 RTP/AVP 0\na=nortpproxy:yes\n\n",
	    "trailing blank line: the marker goes before it");
	set.marker = (char *)(uintptr_t)"a=proxied:yes";
	check("v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 10.0.0.1\n"
	    "m=audio 7000 RTP/AVP 0\n", 0, 1, "", r, 1, 1,
	    "v=0\no=- 1 1 IN IP4 10.0.0.1\nc=IN IP4 192.0.2.10\n"
	    "m=audio 40000 RTP/AVP 0\na=proxied:yes\n",
	    "nortpproxy_str is the marker written");
	set.marker = saved;
}

int
main(void)
{
	rtpc_settings_init(&set);
	test_appendix_a();
	test_sip();
	test_multipart();
	test_ports();
	test_rtcp();
	test_hold();
	test_families();
	test_connection();
	test_ice();
	test_rules();
	test_marker();
	rtpc_settings_free(&set);
	return done_testing();
}
