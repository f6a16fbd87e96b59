/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sdp.c: SDP parser.  Lines end in LF or CRLF; a bare CR, a NUL byte or
 * a line that is not "<letter>=" is an error naming the line.  Fields of
 * o=, c= and m= are separated by runs of spaces or tabs, as the module's
 * parser takes them.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "text.h"
#include "sdp.h"

static struct rtpc_span
mkspan(size_t off, size_t len)
{
	struct rtpc_span s = { off, len };

	return s;
}

static int
is_sp(char c)
{
	return c == ' ' || c == '\t';
}

static size_t
skip_sp(const char *b, size_t p, size_t e)
{
	while (p < e && is_sp(b[p]))
		p++;
	return p;
}

static size_t
skip_token(const char *b, size_t p, size_t e)
{
	while (p < e && !is_sp(b[p]))
		p++;
	return p;
}

/* Skip "/<digits>" groups (a multicast TTL and count, a port count);
 * (size_t)-1 when a '/' is not followed by digits. */
static size_t
skip_slashes(const char *b, size_t p, size_t e, int most)
{
	while (most-- > 0 && p < e && b[p] == '/') {
		size_t s = ++p;

		while (p < e && isdigit((unsigned char)b[p]))
			p++;
		if (p == s || p - s > 5)
			return (size_t)-1;
	}
	return p;
}

/*
 * Is the address null (hold): 0.0.0.0 for IPv4, only '0' and ':' for
 * IPv6, as the module tests it?
 */
int
rtpc_addr_null(const char *a, size_t len, int af)
{
	size_t i;

	if (af == 4)
		return len == 7 && memcmp(a, "0.0.0.0", 7) == 0;
	for (i = 0; i < len; i++)
		if (a[i] != '0' && a[i] != ':')
			return 0;
	return len > 0;
}

/* Check an address literal of the given family (4 or 6). */
static int
addr_valid(const char *a, size_t len, int af)
{
	char tmp[64];
	unsigned char out[16];

	if (len == 0 || len >= sizeof(tmp))
		return 0;
	memcpy(tmp, a, len);
	tmp[len] = '\0';
	return inet_pton(af == 4 ? AF_INET : AF_INET6, tmp, out) == 1;
}

/* A domain name, which RFC 8866 allows in o= and c= (and the module
 * takes): letters, digits, '-' and '.', with at least one letter. */
static int
addr_fqdn(const char *a, size_t len)
{
	size_t i;
	int alpha = 0;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		if (isalpha((unsigned char)a[i]))
			alpha = 1;
		else if (!isdigit((unsigned char)a[i]) && a[i] != '-' &&
		    a[i] != '.')
			return 0;
	}
	return alpha;
}

/*
 * Parse "IN IP4 addr" from the tokens starting at p (within the line
 * [p, e)).  For c= a multicast "/ttl[/count]" (IPv6: "/count") is left
 * out of the address span and kept in the field span: the relay's
 * unicast address takes no suffix.
 */
static int
parse_addr(const char *b, size_t p, size_t e, int is_c,
    struct rtpc_sdp_addr *a)
{
	size_t s, fe;

	p = skip_sp(b, p, e);
	if (e - p < 3 || strncmp(b + p, "IN", 2) != 0 || !is_sp(b[p + 2]))
		return -1;
	p = skip_sp(b, p + 2, e);
	if (e - p < 4 || (strncmp(b + p, "IP4", 3) != 0 &&
	    strncmp(b + p, "IP6", 3) != 0) || !is_sp(b[p + 3]))
		return -1;
	a->fam = mkspan(p, 3);
	a->af = b[p + 2] == '4' ? 4 : 6;
	p = skip_sp(b, p + 3, e);
	s = p;
	while (p < e && !is_sp(b[p]) && !(is_c && b[p] == '/'))
		p++;
	a->addr = mkspan(s, p - s);
	fe = is_c ? skip_slashes(b, p, e, 2) : p;
	if (fe == (size_t)-1 || (fe < e && !is_sp(b[fe])))
		return -1;
	a->field = mkspan(s, fe - s);
	if (!addr_valid(b + s, p - s, a->af) && !addr_fqdn(b + s, p - s))
		return -1;
	a->null = rtpc_addr_null(b + s, p - s, a->af);
	a->present = 1;
	return 0;
}

/* o=<user> <sess-id> <sess-version> IN IP4 <addr>: skip three tokens. */
static int
parse_origin(const char *b, size_t p, size_t e, struct rtpc_sdp_addr *a)
{
	int k;

	for (k = 0; k < 3; k++) {
		p = skip_sp(b, p, e);
		if (p == e)
			return -1;
		p = skip_token(b, p, e);
	}
	if (parse_addr(b, p, e, 0, a) == -1)
		return -1;
	/* nothing may follow the address */
	return skip_sp(b, a->addr.off + a->addr.len, e) == e ? 0 : -1;
}

/*
 * m=<media> <port>[/<count>] <proto> <fmt> ...  The count goes with the
 * port (portfield): the relay gets one port and the rewrite drops it.
 */
static int
parse_mline(const char *b, size_t p, size_t e, struct rtpc_sdp_stream *st)
{
	size_t s, pe;
	long port = 0;

	s = p;
	p = skip_token(b, p, e);
	st->media = mkspan(s, p - s);
	if (st->media.len == 0 || p == e)
		return -1;
	s = p = skip_sp(b, p, e);
	while (p < e && isdigit((unsigned char)b[p])) {
		port = port * 10 + (b[p] - '0');
		if (port > 65535)
			return -1;
		p++;
	}
	if (p == s || p - s > 5)
		return -1;
	st->port = mkspan(s, p - s);
	if ((pe = skip_slashes(b, p, e, 1)) == (size_t)-1)
		return -1;
	st->portfield = mkspan(s, pe - s);
	p = pe;
	if (p == e || !is_sp(b[p]))
		return -1;
	s = p = skip_sp(b, p, e);
	p = skip_token(b, p, e);
	st->proto = mkspan(s, p - s);
	if (st->proto.len == 0)
		return -1;
	p = skip_sp(b, p, e);
	while (e > p && is_sp(b[e - 1]))
		e--;
	st->fmts = mkspan(p, e - p);
	return 0;
}

void
rtpc_sdp_free(struct rtpc_sdp *sdp)
{
	int i;

	for (i = 0; i < sdp->nstreams; i++)
		free(sdp->streams[i].rtcp);
	free(sdp->streams);
	free(sdp->sessions);
	memset(sdp, 0, sizeof(*sdp));
}

static int
fail(struct rtpc_err *err, int line, const char *what)
{
	return rtpc_err_set(err, RTPC_EXIT_FAIL, "sdp line %d: %s", line,
	    what);
}

static int
add_session(struct rtpc_sdp *sdp)
{
	struct rtpc_sdp_session *n;

	n = reallocarray(sdp->sessions, (size_t)sdp->nsessions + 1,
	    sizeof(*n));
	if (n == NULL)
		return -1;
	sdp->sessions = n;
	memset(&n[sdp->nsessions], 0, sizeof(*n));
	n[sdp->nsessions].first = sdp->nstreams;
	sdp->nsessions++;
	return 0;
}

static int
add_stream(struct rtpc_sdp *sdp)
{
	struct rtpc_sdp_stream *n;

	n = reallocarray(sdp->streams, (size_t)sdp->nstreams + 1, sizeof(*n));
	if (n == NULL)
		return -1;
	sdp->streams = n;
	memset(&n[sdp->nstreams], 0, sizeof(*n));
	n[sdp->nstreams].session = sdp->nsessions - 1;
	sdp->nstreams++;
	sdp->sessions[sdp->nsessions - 1].nstreams++;
	return 0;
}

static int
add_rtcp(struct rtpc_sdp_stream *st, struct rtpc_span v)
{
	struct rtpc_span *n;

	n = reallocarray(st->rtcp, st->nrtcp + 1, sizeof(*n));
	if (n == NULL)
		return -1;
	st->rtcp = n;
	n[st->nrtcp++] = v;
	return 0;
}

/* Handle one "x=value" line; p..e is the value. */
static int
take_line(const char *b, char type, size_t ls, size_t p, size_t e, int line,
    struct rtpc_sdp *sdp, struct rtpc_err *err)
{
	struct rtpc_sdp_session *ss;
	struct rtpc_sdp_stream *st;

	if (type == 'v') {
		if (add_session(sdp) == -1)
			return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
		return 0;
	}
	if (sdp->nsessions == 0)
		return fail(err, line, "expected v= first");
	ss = &sdp->sessions[sdp->nsessions - 1];
	st = ss->nstreams > 0 ? &sdp->streams[sdp->nstreams - 1] : NULL;
	switch (type) {
	case 'o':
		if (st != NULL || ss->o.present)
			return fail(err, line, "unexpected o= line");
		if (parse_origin(b, p, e, &ss->o) == -1)
			return fail(err, line, "bad o= line");
		ss->o.line = line;
		break;
	case 'c': {
		struct rtpc_sdp_addr *a = st ? &st->c : &ss->c;

		if (a->present)
			return fail(err, line, "second c= line");
		if (parse_addr(b, p, e, 1, a) == -1)
			return fail(err, line, "bad c= line");
		a->line = line;
		break;
	}
	case 'm':
		if (sdp->nstreams >= RTPC_SDP_STREAMS_MAX)
			return fail(err, line, "too many m= lines");
		if (add_stream(sdp) == -1)
			return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
		st = &sdp->streams[sdp->nstreams - 1];
		st->line = line;
		if (parse_mline(b, p, e, st) == -1)
			return fail(err, line, "bad m= line");
		break;
	case 'a':
		if (st == NULL)
			break;
		if (e - p >= 5 && strncmp(b + p, "rtcp:", 5) == 0) {
			/* the value is replaced; trailing blanks stay */
			while (e > p + 5 && is_sp(b[e - 1]))
				e--;
			if (add_rtcp(st, mkspan(p + 5, e - p - 5)) == -1)
				return rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "out of memory");
		} else if (e - p >= 10 && strncmp(b + p, "candidate:", 10) == 0) {
			st->ncand++;
			st->lastcand = ls;
		}
		break;
	}
	return 0;
}

/* Check what the module requires: o=, an m= and a c= for every m=. */
static int
check_complete(const struct rtpc_sdp *sdp, struct rtpc_err *err)
{
	int i, k;

	if (sdp->nsessions == 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "sdp has no v= line");
	if (sdp->nstreams == 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "sdp has no m= line");
	for (i = 0; i < sdp->nsessions; i++) {
		const struct rtpc_sdp_session *ss = &sdp->sessions[i];

		if (!ss->o.present)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "sdp session %d has no o= line", i + 1);
		for (k = ss->first; k < ss->first + ss->nstreams; k++)
			if (!sdp->streams[k].c.present && !ss->c.present)
				return rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "sdp line %d: m= line without a c= line",
				    sdp->streams[k].line);
	}
	return 0;
}

/*
 * Parse the SDP in b[off, off + len).  All offsets in the result are
 * into b.
 */
int
rtpc_sdp_parse(const char *b, size_t off, size_t len, struct rtpc_sdp *sdp,
    struct rtpc_err *err)
{
	size_t i = off, end = off + len;
	int line = 0;

	memset(sdp, 0, sizeof(*sdp));
	sdp->eol = "\r\n";
	sdp->limit = end;
	if (len == 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "empty sdp body");
	if (memchr(b + off, '\0', len) != NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "sdp contains a NUL byte");
	while (i < end) {
		const char *nl = memchr(b + i, '\n', end - i);
		size_t ls = i, le = nl ? (size_t)(nl - b) : end;
		int rc;

		i = nl ? le + 1 : end;
		line++;
		if (line == 1)
			sdp->eol = (le > ls && b[le - 1] == '\r') ? "\r\n" : "\n";
		if (le > ls && b[le - 1] == '\r' && nl != NULL)
			le--;
		if (memchr(b + ls, '\r', le - ls) != NULL)
			rc = fail(err, line, "bare CR");
		else if (le == ls)
			/* blank lines are tolerated only at the end */
			rc = 0;
		else if (le - ls < 2 || b[ls + 1] != '=' ||
		    !islower((unsigned char)b[ls]))
			rc = fail(err, line, "not a <type>=<value> line");
		else if (line > RTPC_SDP_LINES_MAX)
			rc = fail(err, line, "too many lines");
		else {
			rc = take_line(b, b[ls], ls, ls + 2, le, line, sdp, err);
			sdp->end = le;
		}
		if (rc == -1) {
			rtpc_sdp_free(sdp);
			return -1;
		}
		if (le == ls) {
			/* only blank lines may follow a blank line */
			size_t k;

			for (k = i; k < end; k++)
				if (b[k] != '\r' && b[k] != '\n') {
					rtpc_sdp_free(sdp);
					return fail(err, line, "blank line");
				}
			break;
		}
	}
	if (check_complete(sdp, err) == -1) {
		rtpc_sdp_free(sdp);
		return -1;
	}
	return 0;
}

/* The c= that applies to stream k: its own, else the session's. */
const struct rtpc_sdp_addr *
rtpc_sdp_stream_addr(const struct rtpc_sdp *sdp, int k)
{
	const struct rtpc_sdp_stream *st = &sdp->streams[k];

	return st->c.present ? &st->c : &sdp->sessions[st->session].c;
}

/* Is the transport one of the RTP profiles the module sends codecs for? */
int
rtpc_sdp_is_rtp(const char *b, const struct rtpc_sdp_stream *st)
{
	static const char *const rtp[] = { "RTP/AVP", "RTP/AVPF", "RTP/SAVP",
	    "RTP/SAVPF", "UDP/TLS/RTP/SAVP", "UDP/TLS/RTP/SAVPF", NULL };
	int i;

	for (i = 0; rtp[i] != NULL; i++)
		if (st->proto.len == strlen(rtp[i]) &&
		    strncasecmp(b + st->proto.off, rtp[i], st->proto.len) == 0)
			return 1;
	return 0;
}

/* Is the marker in b[off, off+len) at the start of a line (after CR or
 * LF), as the module checks it? */
int
rtpc_sdp_has_marker(const char *b, size_t off, size_t len, const char *mk)
{
	const char *p, *end = b + off + len, *q;
	size_t ml = strlen(mk);

	if (ml == 0 || len < 2)
		return 0;
	/* memmem over the whole SDP, then the line start (not the first
	 * byte): a byte-by-byte scan costs more than the rest of parsing */
	for (p = b + off + 1; p < end &&
	    (q = memmem(p, (size_t)(end - p), mk, ml)) != NULL; p = q + 1)
		if (q[-1] == '\n' || q[-1] == '\r')
			return 1;
	return 0;
}
