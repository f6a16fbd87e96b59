/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sip.c: a small SIP message parser (RFC 3261 syntax, long and compact
 * header names, folded header lines, multipart/mixed bodies).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "text.h"
#include "sip.h"

#define HEADERS_MAX	256

static int
is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Case-insensitive compare of a span with a C string. */
int
rtpc_span_eq(const char *buf, struct rtpc_span s, const char *str)
{
	size_t n = strlen(str);

	return s.len == n && strncasecmp(buf + s.off, str, n) == 0;
}

static struct rtpc_span
span(size_t off, size_t len)
{
	struct rtpc_span s = { off, len };

	return s;
}

/* Trim whitespace from both ends of a span. */
static struct rtpc_span
trim_span(const char *b, struct rtpc_span s)
{
	while (s.len > 0 && is_ws(b[s.off]))
		s.off++, s.len--;
	while (s.len > 0 && is_ws(b[s.off + s.len - 1]))
		s.len--;
	return s;
}

/* Does the buffer start with a SIP request or status line? */
int
rtpc_sip_detect(const char *b, size_t len)
{
	size_t i = 0;

	if (len >= 8 && strncmp(b, "SIP/2.0 ", 8) == 0)
		return 1;
	while (i < len && i < 32 && isupper((unsigned char)b[i]))
		i++;
	if (i == 0 || i >= len || b[i] != ' ')
		return 0;
	for (; i < len && b[i] != '\n'; i++)
		;
	return i >= 8 && (strncmp(b + i - 8, " SIP/2.0", 8) == 0 ||
	    (b[i - 1] == '\r' && i >= 9 && strncmp(b + i - 9, " SIP/2.0", 8) == 0));
}

/* Line number (1-based) of an offset, for messages. */
static int
line_of(const char *b, size_t off)
{
	int n = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (b[i] == '\n')
			n++;
	return n;
}

static int
parse_start(const char *b, struct rtpc_span l, struct rtpc_sip *m,
    struct rtpc_err *err)
{
	const char *p = b + l.off;
	size_t i;

	if (l.len >= 12 && strncmp(p, "SIP/2.0 ", 8) == 0) {
		if (!isdigit((unsigned char)p[8]) ||
		    !isdigit((unsigned char)p[9]) ||
		    !isdigit((unsigned char)p[10]) ||
		    (l.len > 11 && p[11] != ' '))
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "sip line 1: bad status line");
		m->status = (p[8] - '0') * 100 + (p[9] - '0') * 10 +
		    (p[10] - '0');
		if (m->status < 100)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "sip line 1: bad status code");
		return 0;
	}
	for (i = 0; i < l.len && p[i] != ' '; i++)
		if (!isupper((unsigned char)p[i]))
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "sip line 1: bad request line");
	if (i == 0 || l.len < i + 10 ||
	    strncmp(p + l.len - 8, " SIP/2.0", 8) != 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "sip line 1: bad request line");
	m->is_request = 1;
	m->method = span(l.off, i);
	return 0;
}

/*
 * Find the value of parameter name (";name=value") in s, where the
 * parameters start at s.off.  Stops at a comma.
 */
static struct rtpc_span
find_param(const char *b, struct rtpc_span s, const char *name)
{
	size_t i = s.off, end = s.off + s.len, nl = strlen(name);

	while (i < end) {
		size_t k, vs;

		if (b[i] != ';') {
			i++;
			continue;
		}
		for (i++; i < end && is_ws(b[i]); i++)
			;
		if (end - i < nl || strncasecmp(b + i, name, nl) != 0)
			continue;
		k = i + nl;
		while (k < end && is_ws(b[k]))
			k++;
		if (k >= end || b[k] != '=') {
			if (k >= end || b[k] == ';')
				return span(k, 0);
			continue;
		}
		for (k++; k < end && is_ws(b[k]); k++)
			;
		vs = k;
		if (k < end && b[k] == '"') {
			for (k++; k < end && b[k] != '"'; k++)
				;
			return span(vs + 1, k > vs + 1 ? k - vs - 1 : 0);
		}
		while (k < end && b[k] != ';' && b[k] != ',' && !is_ws(b[k]))
			k++;
		return span(vs, k - vs);
	}
	return span(end, 0);
}

/* The tag of a From or To value: header parameters follow "<...>". */
static struct rtpc_span
addr_tag(const char *b, struct rtpc_span v)
{
	size_t i, end = v.off + v.len;
	int inq = 0;

	for (i = v.off; i < end; i++) {
		if (b[i] == '"' && (i == v.off || b[i - 1] != '\\'))
			inq = !inq;
		else if (!inq && b[i] == '<') {
			while (i < end && b[i] != '>')
				i++;
			return find_param(b, span(i, end - i), "tag");
		}
	}
	return find_param(b, v, "tag");
}

/* Parse the Via values of one header line (comma-separated). */
static int
parse_via(const char *b, struct rtpc_span v, struct rtpc_sip *m)
{
	size_t i = v.off, end = v.off + v.len;

	while (i < end) {
		size_t vend = i, hs, he;
		struct rtpc_via *via;
		int inq = 0;

		while (vend < end && (inq || b[vend] != ',')) {
			if (b[vend] == '"')
				inq = !inq;
			vend++;
		}
		while (i < vend && is_ws(b[i]))
			i++;
		if (i == vend) {	/* empty value between commas */
			i = vend + 1;
			continue;
		}
		if (m->nvia < RTPC_SIP_VIAS) {
			via = &m->via[m->nvia];
			/* sent-protocol, then whitespace, then sent-by */
			while (i < vend && !is_ws(b[i]))
				i++;
			while (i < vend && is_ws(b[i]))
				i++;
			hs = i;
			if (i < vend && b[i] == '[') {
				hs = ++i;
				while (i < vend && b[i] != ']')
					i++;
				he = i;
			} else {
				while (i < vend && b[i] != ':' && b[i] != ';' &&
				    !is_ws(b[i]))
					i++;
				he = i;
			}
			via->host = span(hs, he - hs);
			via->branch = find_param(b, span(i, vend - i), "branch");
			via->received = find_param(b, span(i, vend - i),
			    "received");
		}
		if (m->nvia < 1000)
			m->nvia++;
		i = vend + 1;
	}
	return 0;
}

struct hdr {
	const char *lname;
	const char *sname;
};

enum { H_CALLID, H_FROM, H_TO, H_CSEQ, H_VIA, H_CTYPE, H_CLEN, H_OTHER };

static const struct hdr hdrs[] = {
	{ "call-id", "i" }, { "from", "f" }, { "to", "t" }, { "cseq", NULL },
	{ "via", "v" }, { "content-type", "c" }, { "content-length", "l" },
};

static int
hdr_kind(const char *b, struct rtpc_span name)
{
	int k;

	for (k = 0; k < H_OTHER; k++)
		if (rtpc_span_eq(b, name, hdrs[k].lname) ||
		    (hdrs[k].sname != NULL && rtpc_span_eq(b, name, hdrs[k].sname)))
			return k;
	return H_OTHER;
}

/* The media type of a Content-Type value (before any parameter). */
static struct rtpc_span
media_type(const char *b, struct rtpc_span v)
{
	size_t i = v.off;

	while (i < v.off + v.len && b[i] != ';')
		i++;
	return trim_span(b, span(v.off, i - v.off));
}

/* Store one header; duplicates of single-valued headers are errors. */
static int
take_header(const char *b, int kind, struct rtpc_span name,
    struct rtpc_span v, struct rtpc_sip *m, int *seen, struct rtpc_span *ct,
    struct rtpc_err *err)
{
	/* line_of() reads from the start of the message: call it for an
	 * error only, never per header (256 headers after a 4 MB line) */
	if (kind != H_VIA && kind != H_OTHER && seen[kind]++)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "sip line %d: second %s header", line_of(b, name.off),
		    hdrs[kind].lname);
	switch (kind) {
	case H_CALLID:
		m->callid = v;
		break;
	case H_FROM:
		m->ftag = addr_tag(b, v);
		break;
	case H_TO:
		m->ttag = addr_tag(b, v);
		break;
	case H_CSEQ: {
		size_t i = v.off, end = v.off + v.len, ms;

		while (i < end && isdigit((unsigned char)b[i]))
			i++;
		if (i == v.off || i == end || !is_ws(b[i]) || i - v.off > 10)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "sip line %d: bad CSeq", line_of(b, name.off));
		m->cseq = span(v.off, i - v.off);
		while (i < end && is_ws(b[i]))
			i++;
		ms = i;
		while (i < end && !is_ws(b[i]))
			i++;
		m->cseq_method = span(ms, i - ms);
		if (m->cseq_method.len == 0)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "sip line %d: bad CSeq", line_of(b, name.off));
		break;
	}
	case H_VIA:
		parse_via(b, v, m);
		break;
	case H_CTYPE:
		*ct = v;
		m->ctype = media_type(b, v);
		break;
	case H_CLEN: {
		size_t i;
		unsigned long n = 0;

		if (v.len == 0 || v.len > 9)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "sip line %d: bad Content-Length",
			    line_of(b, name.off));
		for (i = 0; i < v.len; i++) {
			if (!isdigit((unsigned char)b[v.off + i]))
				return rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "sip line %d: bad Content-Length",
				    line_of(b, name.off));
			n = n * 10 + (unsigned long)(b[v.off + i] - '0');
		}
		m->has_clen = 1;
		m->clen = v;
		m->body_len = n;
		break;
	}
	}
	return 0;
}

/*
 * Find the first application/sdp part of a multipart body.  The
 * boundary comes from the Content-Type parameters in ct.
 */
static int
find_sdp_part(const char *b, struct rtpc_span ct, struct rtpc_sip *m,
    struct rtpc_err *err)
{
	struct rtpc_span bd = find_param(b, ct, "boundary");
	size_t i = m->body_off, end = m->body_off + m->body_len;
	char delim[80];
	size_t dl;

	if (bd.len == 0 || bd.len > 70)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "multipart body without a usable boundary parameter");
	dl = (size_t)snprintf(delim, sizeof(delim), "--%.*s", (int)bd.len,
	    b + bd.off);
	for (;;) {
		size_t ps, hs, k, pe;
		int is_sdp = 0;
		const char *hit = NULL;

		/* a delimiter line starts the body or follows a LF */
		for (k = i; k + dl <= end; k++)
			if ((k == m->body_off || b[k - 1] == '\n') &&
			    memcmp(b + k, delim, dl) == 0) {
				hit = b + k;
				break;
			}
		if (hit == NULL)
			break;
		k += dl;
		if (k + 2 <= end && b[k] == '-' && b[k + 1] == '-')
			break;	/* close delimiter */
		while (k < end && b[k] != '\n')
			k++;
		hs = ++k;
		/* part headers up to a blank line */
		while (k < end && b[k] != '\n' && !(b[k] == '\r' &&
		    k + 1 < end && b[k + 1] == '\n')) {
			size_t ls = k, colon;

			while (k < end && b[k] != '\n')
				k++;
			for (colon = ls; colon < k && b[colon] != ':'; colon++)
				;
			if (colon < k) {
				struct rtpc_span nm = trim_span(b,
				    span(ls, colon - ls));
				struct rtpc_span vv = trim_span(b,
				    span(colon + 1, k - colon - 1));

				if ((rtpc_span_eq(b, nm, "content-type") ||
				    rtpc_span_eq(b, nm, "c")) &&
				    rtpc_span_eq(b, media_type(b, vv),
				    "application/sdp"))
					is_sdp = 1;
			}
			k++;
		}
		(void)hs;
		if (k < end && b[k] == '\r')
			k++;
		ps = k + 1;
		if (ps > end)
			break;
		/* the part ends at the CRLF before the next delimiter */
		for (pe = ps; pe + dl <= end; pe++)
			if (b[pe - 1] == '\n' && memcmp(b + pe, delim, dl) == 0)
				break;
		if (pe + dl > end)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "multipart body: part without a closing delimiter");
		i = pe;
		if (pe > ps && b[pe - 1] == '\n')
			pe--;
		if (pe > ps && b[pe - 1] == '\r')
			pe--;
		if (is_sdp) {
			m->sdp = span(ps, pe - ps);
			return 0;
		}
	}
	return rtpc_err_set(err, RTPC_EXIT_FAIL,
	    "multipart body has no application/sdp part");
}

/*
 * Parse a SIP message.  The body is Content-Length bytes after the
 * blank line (or everything after it without Content-Length); a
 * Content-Length past the end of the input is an error.  A NUL byte is
 * an error in the head only: body parts may be binary (SIP-I's ISUP).
 */
int
rtpc_sip_parse(const char *b, size_t len, struct rtpc_sip *m,
    struct rtpc_err *err)
{
	int seen[H_OTHER] = { 0 };
	struct rtpc_span ct = { 0, 0 };
	size_t i = 0, nhdr = 0;
	int first = 1, have_name = 0, kind = H_OTHER;
	struct rtpc_span name = { 0, 0 }, val = { 0, 0 };

	memset(m, 0, sizeof(*m));
	for (;;) {
		size_t ls = i, le;
		const char *nl;

		if (i >= len)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "sip message has no blank line after the headers");
		nl = memchr(b + i, '\n', len - i);
		if (nl == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "sip message has no blank line after the headers");
		le = (size_t)(nl - b);
		i = le + 1;
		if (le > ls && b[le - 1] == '\r')
			le--;
		if (memchr(b + ls, '\r', le - ls) != NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "sip line %d: bare CR", line_of(b, ls));
		/* the head is text; only a body part may be binary */
		if (memchr(b + ls, '\0', le - ls) != NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "sip line %d: NUL byte", line_of(b, ls));
		if (first) {
			if (parse_start(b, span(ls, le - ls), m, err) == -1)
				return -1;
			first = 0;
			continue;
		}
		if (le > ls && (b[ls] == ' ' || b[ls] == '\t')) {
			if (!have_name)
				return rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "sip line %d: continuation line without "
				    "a header", line_of(b, ls));
			val.len = le - val.off;	/* folded header line */
			continue;
		}
		if (have_name && take_header(b, kind, name,
		    trim_span(b, val), m, seen, &ct, err) == -1)
			return -1;
		have_name = 0;
		if (le == ls)
			break;
		{
			const char *c = memchr(b + ls, ':', le - ls);

			if (c == NULL)
				return rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "sip line %d: header without a colon",
				    line_of(b, ls));
			name = trim_span(b, span(ls, (size_t)(c - b) - ls));
			if (name.len == 0)
				return rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "sip line %d: empty header name",
				    line_of(b, ls));
			val = span((size_t)(c - b) + 1, le - (size_t)(c - b) - 1);
			kind = hdr_kind(b, name);
			have_name = 1;
			if (++nhdr > HEADERS_MAX)
				return rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "sip message has more than %d headers",
				    HEADERS_MAX);
		}
	}
	/* RFC 3261 18.3: the body is Content-Length bytes; what follows
	 * them is not part of the message */
	m->body_off = i;
	if (!m->has_clen)
		m->body_len = len - i;
	else if (m->body_len > len - i)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "Content-Length %zu but the body has %zu bytes",
		    m->body_len, len - i);
	m->after_body = len - i - m->body_len;
	if (!seen[H_CALLID] || m->callid.len == 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "sip message has no Call-ID");
	if (!seen[H_FROM])
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "sip message has no From header");
	if (!seen[H_CSEQ])
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "sip message has no CSeq header");
	m->sdp = span(m->body_off, m->body_len);
	m->ctype_full = ct;
	if (m->ctype.len > 0 && rtpc_span_eq(b, m->ctype, "multipart/mixed")) {
		m->multipart = 1;
		m->sdp = span(m->body_off, 0);
	}
	return 0;
}

/*
 * Find the SDP of a parsed message: the whole body, or the first
 * application/sdp part of a multipart/mixed body (m->sdp).  Only the
 * commands that rewrite SDP need it: a BYE's body may be anything.
 */
int
rtpc_sip_find_sdp(const char *b, struct rtpc_sip *m, struct rtpc_err *err)
{
	if (!m->multipart || m->body_len == 0)
		return 0;
	return find_sdp_part(b, m->ctype_full, m, err);
}

/*
 * The tag of a From or To header value given alone (as Kamailio's exec
 * module passes it in SIP_HF_FROM / SIP_HF_TO).  len 0 when absent.
 */
struct rtpc_span
rtpc_sip_value_tag(const char *v, size_t len)
{
	return addr_tag(v, span(0, len));
}
