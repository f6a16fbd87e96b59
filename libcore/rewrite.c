/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rewrite.c: SDP mangling as the module does it (m= port, a=rtcp, c=,
 * o= with flag o only, ICE relay candidates, the marker) and the
 * Content-Length of a SIP message.
 */
#include <stdarg.h>
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

struct edit {
	size_t	 off;
	size_t	 len;
	char	*text;
	size_t	 seq;
};

struct edits {
	struct edit	*e;
	size_t		 n;
	int		 nomem;
};

static void
edit_add(struct edits *es, size_t off, size_t len, const char *fmt, ...)
    __attribute__((__format__(__printf__, 4, 5)));

static void
edit_add(struct edits *es, size_t off, size_t len, const char *fmt, ...)
{
	struct edit *n;
	va_list ap;
	char *t;

	va_start(ap, fmt);
	if (vasprintf(&t, fmt, ap) == -1) {
		va_end(ap);
		es->nomem = 1;
		return;
	}
	va_end(ap);
	n = reallocarray(es->e, es->n + 1, sizeof(*n));
	if (n == NULL) {
		free(t);
		es->nomem = 1;
		return;
	}
	es->e = n;
	n[es->n].off = off;
	n[es->n].len = len;
	n[es->n].text = t;
	n[es->n].seq = es->n;
	es->n++;
}

static void
edits_free(struct edits *es)
{
	size_t i;

	for (i = 0; i < es->n; i++)
		free(es->e[i].text);
	free(es->e);
}

static int
edit_cmp(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/*
 * Point an address field at the relay: same family, replace the address
 * (a null address stays: hold is kept); other family, replace from the
 * family digit on.  A multicast /ttl goes with the old address.
 */
static void
addr_edit(struct edits *es, const struct rtpc_sdp_addr *a, const char *addr,
    int af)
{
	if (!a->present)
		return;
	if (a->af == af) {
		if (!a->null)
			edit_add(es, a->field.off, a->field.len, "%s", addr);
		return;
	}
	edit_add(es, a->fam.off + 2, a->field.off + a->field.len -
	    (a->fam.off + 2), "%d %s", af, addr);
}

/* The ICE relay candidates, inserted before the last candidate line. */
static void
ice_edit(struct edits *es, const struct rtpc_rw *rw,
    const struct rtpc_sdp_stream *st, const char *addr, long port)
{
	unsigned long p1, p2;
	char digits[64];
	size_t i, o = 0;

	if (rw->set->ice == RTPC_ICE_OFF || st->ncand == 0)
		return;
	if (rw->set->ice == RTPC_ICE_HIGH) {
		p1 = 2197815295UL;
		p2 = 2197815294UL;
	} else {
		p1 = 16777215UL;
		p2 = 16777214UL;
	}
	for (i = 0; addr[i] != '\0' && o + 1 < sizeof(digits); i++)
		if (addr[i] >= '0' && addr[i] <= '9')
			digits[o++] = addr[i];
	digits[o] = '\0';
	edit_add(es, st->lastcand, 0,
	    "a=candidate:%s 2 UDP %lu %s %ld typ relay%s"
	    "a=candidate:%s 1 UDP %lu %s %ld typ relay%s",
	    digits, p2, addr, port + 1, rw->sdp->eol,
	    digits, p1, addr, port, rw->sdp->eol);
}

/* Apply the edits of one stream. */
static void
stream_edits(struct edits *es, const struct rtpc_rw *rw, int k,
    int *cdone, int *odone, const char **first_addr, int *first_af)
{
	const struct rtpc_sdp *sdp = rw->sdp;
	const struct rtpc_sdp_stream *st = &sdp->streams[k];
	const struct rtpc_sdp_session *ss = &sdp->sessions[st->session];
	const struct rtpc_ulreply *r = &rw->replies[k];
	const struct rtpc_sdp_addr *sa = rtpc_sdp_stream_addr(sdp, k);
	const char *addr = r->addr;
	size_t i;

	if (r->skip)
		return;
	if (sa->null)
		addr = r->af == 6 ? "::" : "0.0.0.0";
	if (first_addr[st->session] == NULL) {
		first_addr[st->session] = addr;
		first_af[st->session] = r->af;
	}
	if (!(st->port.len == 1 && rw->buf[st->port.off] == '0'))
		edit_add(es, st->portfield.off, st->portfield.len, "%ld",
		    r->port);
	for (i = 0; i < st->nrtcp; i++)
		edit_add(es, st->rtcp[i].off, st->rtcp[i].len, "%ld",
		    r->port + 1);
	if (st->c.present)
		addr_edit(es, &st->c, addr, r->af);
	else if (!cdone[st->session]) {
		addr_edit(es, &ss->c, addr, r->af);
		cdone[st->session] = 1;
	}
	if (rw->fl->o && !odone[st->session]) {
		addr_edit(es, &ss->o, addr, r->af);
		odone[st->session] = 1;
	}
	ice_edit(es, rw, st, addr, r->port);
}

/* Copy the buffer with the edits applied into out. */
static int
apply(const char *buf, size_t len, struct edits *es, struct rtpc_buf *out)
{
	size_t pos = 0, i;

	qsort(es->e, es->n, sizeof(*es->e), edit_cmp);
	for (i = 0; i < es->n; i++) {
		const struct edit *e = &es->e[i];

		if (e->off < pos || e->off + e->len > len)
			return -1;	/* overlapping edits: a bug */
		rtpc_buf_add(out, buf + pos, e->off - pos);
		rtpc_buf_addstr(out, e->text);
		pos = e->off + e->len;
	}
	rtpc_buf_add(out, buf + pos, len - pos);
	return out->toobig ? -1 : 0;
}

/* Where the SDP ends up in the output, from the edits' length changes. */
static void
locate_sdp(const struct rtpc_rw *rw, const struct edits *es)
{
	size_t lo = rw->sdp_in.off, hi = lo + rw->sdp_in.len, i;
	long long before = 0, inside = 0;

	for (i = 0; i < es->n; i++) {
		long long d = (long long)strlen(es->e[i].text) -
		    (long long)es->e[i].len;

		if (es->e[i].off < lo)
			before += d;
		else if (es->e[i].off <= hi)
			inside += d;
	}
	rw->sdp_out->off = (size_t)((long long)lo + before);
	rw->sdp_out->len = (size_t)((long long)rw->sdp_in.len + inside);
}

/*
 * The edits done: Content-Length from the edits inside the body, where
 * the SDP lands in the output, the edits applied in one pass into out
 * and freed.
 */
static int
finish(const struct rtpc_rw *rw, struct edits *es, struct rtpc_buf *out,
    struct rtpc_err *err)
{
	int rc;

	if (rw->sip != NULL && rw->sip->has_clen && !es->nomem) {
		size_t i, lo = rw->sip->body_off, hi = lo + rw->sip->body_len;
		long long blen = (long long)rw->sip->body_len;

		for (i = 0; i < es->n; i++)
			if (es->e[i].off >= lo && es->e[i].off <= hi)
				blen += (long long)strlen(es->e[i].text) -
				    (long long)es->e[i].len;
		edit_add(es, rw->sip->clen.off, rw->sip->clen.len, "%lld",
		    blen);
	}
	if (rw->sdp_out != NULL && !es->nomem)
		locate_sdp(rw, es);
	rc = es->nomem ? -1 : apply(rw->buf, rw->len, es, out);
	edits_free(es);
	if (rc == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "cannot build the output (out of memory or too large)");
	return 0;
}

int
rtpc_rewrite(const struct rtpc_rw *rw, struct rtpc_buf *out,
    struct rtpc_err *err)
{
	const struct rtpc_sdp *sdp = rw->sdp;
	struct edits es = { NULL, 0, 0 };
	int *cdone, *odone, *first_af, k, s, rc;
	const char **first_addr;

	cdone = calloc((size_t)sdp->nsessions, sizeof(*cdone));
	odone = calloc((size_t)sdp->nsessions, sizeof(*odone));
	first_af = calloc((size_t)sdp->nsessions, sizeof(*first_af));
	first_addr = calloc((size_t)sdp->nsessions, sizeof(*first_addr));
	if (cdone == NULL || odone == NULL || first_af == NULL ||
	    first_addr == NULL)
		es.nomem = 1;
	for (k = 0; k < sdp->nstreams && !es.nomem; k++)
		stream_edits(&es, rw, k, cdone, odone, first_addr, first_af);
	/* flag c: the session c= too, when every stream has its own */
	for (s = 0; rw->fl->c && !es.nomem && s < sdp->nsessions; s++)
		if (!cdone[s] && first_addr[s] != NULL)
			addr_edit(&es, &sdp->sessions[s].c, first_addr[s],
			    first_af[s]);
	if (rw->add_marker)
		edit_add(&es, sdp->end, 0, "%s%s", sdp->eol, rw->set->marker);
	rc = finish(rw, &es, out, err);
	free(cdone);
	free(odone);
	free(first_af);
	free(first_addr);
	return rc;
}

/*
 * The relay's SDP (len bytes at sdp) in place of the message's
 * (rw->sdp_in), with the marker as its last line when rw->add_marker;
 * the Content-Length of a SIP message fixed.  Only rw->buf, len, sip,
 * set, add_marker, sdp_in and sdp_out count.
 */
int
rtpc_rewrite_body(const struct rtpc_rw *rw, const char *sdp, size_t len,
    struct rtpc_buf *out, struct rtpc_err *err)
{
	struct edits es = { NULL, 0, 0 };
	const char *eol = memmem(sdp, len, "\r\n", 2) != NULL ? "\r\n" : "\n";
	int ends = len > 0 && sdp[len - 1] == '\n';

	edit_add(&es, rw->sdp_in.off, rw->sdp_in.len, "%.*s%s%s%s", (int)len,
	    sdp, rw->add_marker && !ends ? eol : "", rw->add_marker ?
	    rw->set->marker : "", rw->add_marker && ends ? eol : "");
	return finish(rw, &es, out, err);
}
