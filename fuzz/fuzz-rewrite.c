/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz-rewrite: the whole offer/answer/manage pipeline without network
 * (rtpc_job_run with a canned reply): read the form, parse SIP and SDP,
 * plan, "talk", rewrite, encode.  When it succeeds the output must parse
 * again with the same streams, carry the reply's port on every live m=
 * line, and keep every line the rewrite has no business touching.
 *
 * Input: two control bytes (operation, reply, flags, options), then
 * the message.  Errors must be one line without control bytes; every
 * a=rtcp of a live stream must become the reply's port + 1 (<= 65535).
 */
#include <strings.h>

#include "fuzz.h"
#include "base64.h"
#include "job.h"
#include "reply.h"
#include "sdp.h"
#include "sip.h"

static const char *const replies[] = { "31000 127.0.0.1 4",
	"40000 2001:db8::10 6", "40000", "0 0.0.0.0", "E72",
	"31000 0.0.0.0", "65535 192.0.2.1", "7 ::" };
static const char *const flagsets[] = { "", "o", "c", "f", "r", "a", "x",
	"l", "co", "fco", "z20", "1", "3", "b", "t", "ie" };
static const enum rtpc_op ops[] = { RTPC_OP_OFFER, RTPC_OP_ANSWER,
	RTPC_OP_MANAGE, RTPC_OP_DESTROY };


/* The operation the job ran (rtpp-manage's choice for manage). */
static enum rtpc_op
did(const struct rtpc_job *j)
{
	return j->req.op == RTPC_OP_MANAGE ? j->res.did : j->req.op;
}

/* The message the job worked on: the input without leading blank
 * space, or the decoded base64. */
static int
unwrap(const char *p, size_t len, enum rtpc_form form, struct rtpc_buf *b)
{
	rtpc_buf_init(b, RTPC_INPUT_MAX);
	if (form == RTPC_FORM_BASE64)
		return rtpc_b64_decode(p, len, b, NULL);
	while (len > 0 && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++, len--;
	return rtpc_buf_add(b, p, len);
}

/* May the rewrite change or add this line (without its LF)? */
static int
changeable(const char *l, size_t n, const char *marker)
{
	const char *c;
	size_t k;

	if (n > 0 && l[n - 1] == '\r')
		n--;
	if (n >= 2 && l[1] == '=' && (l[0] == 'm' || l[0] == 'c' ||
	    l[0] == 'o'))
		return 1;
	if ((n >= 7 && memcmp(l, "a=rtcp:", 7) == 0) ||
	    (n > 0 && (l[0] == ' ' || l[0] == '\t')) ||
	    (n == strlen(marker) && memcmp(l, marker, n) == 0))
		return 1;
	if (n >= 12 && memcmp(l, "a=candidate:", 12) == 0)
		for (k = 12; k + 10 <= n; k++)
			if (memcmp(l + k, " typ relay", 10) == 0)
				return 1;
	if ((c = memchr(l, ':', n)) != NULL) {	/* Content-Length */
		for (k = (size_t)(c - l); k > 0 && (l[k - 1] == ' ' ||
		    l[k - 1] == '\t'); k--)
			;
		if ((k == 1 && (l[0] == 'l' || l[0] == 'L')) ||
		    (k == 14 && strncasecmp(l, "content-length", 14) == 0))
			return 1;
	}
	return 0;
}

/* The next line that must not change, from *pos; 0 at the end. */
static int
next_kept(const char *b, size_t len, size_t *pos, const char *marker,
    const char **l, size_t *n)
{
	while (*pos <= len) {
		const char *nl = memchr(b + *pos, '\n', len - *pos);
		size_t e = nl ? (size_t)(nl - b) : len;

		*l = b + *pos;
		*n = e - *pos;
		*pos = e + 1;
		if (!changeable(*l, *n, marker)) {
			if (*n > 0 && (*l)[*n - 1] == '\r')
				(*n)--;
			return 1;
		}
	}
	return 0;
}

/* The SDP of a message and its view. */
static int
view(const char *b, size_t len, struct rtpc_sip *m, struct rtpc_sdp *sdp)
{
	size_t off = 0;

	if (rtpc_sip_detect(b, len)) {
		if (rtpc_sip_parse(b, len, m, NULL) == -1 ||
		    rtpc_sip_find_sdp(b, m, NULL) == -1)
			return -1;
		off = m->sdp.off;
		len = m->sdp.len;
	} else {	/* bare SDP: the "body" is all of it */
		memset(m, 0, sizeof(*m));
		m->body_len = len;
	}
	return rtpc_sdp_parse(b, off, len, sdp, NULL);
}

/* Destroy, and manage when it does nothing: the message goes through,
 * without what follows its Content-Length. */
static void
same_message(const char *in, size_t inlen, const char *out, size_t outlen,
    enum rtpc_form form)
{
	struct rtpc_buf a, b;
	struct rtpc_sip m;
	size_t alen;

	if (form == RTPC_FORM_AUTO) {	/* no input at all */
		CHECK(outlen == 0);
		return;
	}
	CHECK(unwrap(in, inlen, form, &a) == 0);
	CHECK(unwrap(out, outlen, form, &b) == 0);
	alen = a.len;
	if (a.len > 0 && rtpc_sip_detect(a.data, a.len) &&
	    rtpc_sip_parse(a.data, a.len, &m, NULL) == 0)
		alen = m.body_off + m.body_len;
	CHECK(alen == b.len && (alen == 0 || memcmp(a.data, b.data,
	    alen) == 0));
	rtpc_buf_free(&a);
	rtpc_buf_free(&b);
}

static void
rw_check(const char *in, size_t inlen, const char *out, size_t outlen,
    enum rtpc_form form, const struct rtpc_ulreply *u, const char *marker)
{
	struct rtpc_buf a, b;
	struct rtpc_sip ma, mb;
	struct rtpc_sdp sa, sb;
	size_t pa = 0, pb = 0, na, nb, ea, eb;
	const char *la, *lb;
	int k, more;

	CHECK(unwrap(in, inlen, form, &a) == 0);
	CHECK(unwrap(out, outlen, form, &b) == 0);
	if (a.data == NULL || b.data == NULL)
		abort();
	CHECK(view(a.data, a.len, &ma, &sa) == 0);
	CHECK(view(b.data, b.len, &mb, &sb) == 0);
	CHECK(sa.nstreams == sb.nstreams && sa.nsessions == sb.nsessions);
	/* bytes after the Content-Length body are not written */
	ea = ma.body_off + ma.body_len;
	eb = mb.body_off + mb.body_len;
	CHECK(b.len == eb);
	for (k = 0; k < sb.nstreams; k++) {
		struct rtpc_span p = sb.streams[k].port, q = sa.streams[k].port;
		long port = 0;
		size_t i;
		char rtcp[16];

		for (i = 0; i < p.len; i++)
			port = port * 10 + (b.data[p.off + i] - '0');
		if (q.len == 1 && a.data[q.off] == '0')
			CHECK(port == 0);
		else
			CHECK(port == u->port);
		if (q.len == 1 && a.data[q.off] == '0' && u->port == 0)
			continue;	/* a port-0 stream left alone */
		/* every a=rtcp of the stream is now the RTCP port, <= 65535 */
		snprintf(rtcp, sizeof(rtcp), "%ld", u->port + 1);
		CHECK(u->port + 1 <= 65535);
		for (i = 0; i < sb.streams[k].nrtcp; i++)
			CHECK(sb.streams[k].rtcp[i].len == strlen(rtcp) &&
			    memcmp(b.data + sb.streams[k].rtcp[i].off, rtcp,
			    strlen(rtcp)) == 0);
	}
	do {
		more = next_kept(a.data, ea, &pa, marker, &la, &na);
		CHECK(more == next_kept(b.data, eb, &pb, marker, &lb, &nb));
		CHECK(!more || (na == nb && memcmp(la, lb, na) == 0));
	} while (more);
	rtpc_sdp_free(&sa);
	rtpc_sdp_free(&sb);
	rtpc_buf_free(&a);
	rtpc_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtpc_settings set;
	struct rtpc_job j;
	struct rtpc_err err;
	struct rtpc_ulreply u;
	const char *msg;
	uint8_t c0, c1;
	size_t k;

	if (size < 2 || size > 256 * 1024)
		return 0;
	c0 = data[0], c1 = data[1];
	msg = (const char *)data + 2;
	size -= 2;
	rtpc_settings_init(&set);
	CHECK(rtpc_settings_set(&set, "state_dir", "", 3, NULL, &err) == 0);
	CHECK(rtpc_settings_set(&set, "ice_candidate_priority",
	    (const char *[]){ "off", "high", "low", "off" }[c1 >> 6], 3, NULL,
	    &err) == 0);
	rtpc_job_init(&j, ops[c0 & 3], &set);
	j.req.fake_reply = replies[(c0 >> 2) & 7];
	j.req.flags = flagsets[c1 & 15];
	j.req.kind = (enum rtpc_kind)((c0 >> 5) % 3);
	j.req.local_ip = c1 & 16 ? "198.51.100.99" : NULL;
	j.req.ip = (c1 & 32) && (c0 & 128) ? "2001:db8::99" : NULL;
	j.req.b64_wrap = 60;
	if (size >= 2 && msg[0] == 'v' && msg[1] == '=') {
		j.req.callid = "fz-call";
		j.req.ftag = "fz-from";
		j.req.ttag = c0 & 128 ? "fz-to" : NULL;
	}
	rtpc_err_clear(&err);
	if (rtpc_job_run(&j, msg, size, &err) == -1) {
		CHECK(j.res.out.len == 0);
		CHECK(err.code >= 1 && err.code <= 4 && err.msg[0] != '\0');
		/* one line, no raw control byte */
		for (k = 0; err.msg[k] != '\0'; k++)
			CHECK((unsigned char)err.msg[k] >= 0x20 &&
			    err.msg[k] != 0x7f);
	} else if (did(&j) == RTPC_OP_NONE || did(&j) == RTPC_OP_DESTROY) {
		same_message(msg, size, j.res.out.data, j.res.out.len, j.res.form);
	} else {
		CHECK(rtpc_reply_parse_ul(j.req.fake_reply, &u, NULL) == 0);
		rw_check(msg, size, j.res.out.data, j.res.out.len, j.res.form, &u,
		    set.marker);
	}
	rtpc_job_free(&j);
	rtpc_settings_free(&set);
	return 0;
}
