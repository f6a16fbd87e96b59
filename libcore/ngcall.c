/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ngcall.c: the run's one ng request, from the same call data, flags
 * and options as the plan (the module's letters through rtpc_ng_flags),
 * and the judging of its reply.
 */
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "bencode.h"
#include "config.h"
#include "job.h"
#include "ng.h"
#include "ngcall.h"
#include "plan.h"

static enum rtpc_ng_cmd
ng_cmd(enum rtpc_op op)
{
	switch (op) {
	case RTPC_OP_OFFER:	return RTPC_NG_OFFER;
	case RTPC_OP_ANSWER:	return RTPC_NG_ANSWER;
	case RTPC_OP_DESTROY:	return RTPC_NG_DELETE;
	case RTPC_OP_PLAY:	return RTPC_NG_PLAY_MEDIA;
	case RTPC_OP_STOP:	return RTPC_NG_STOP_MEDIA;
	case RTPC_OP_RECORD:	return RTPC_NG_START_RECORDING;
	case RTPC_OP_QUERY:	return RTPC_NG_QUERY;
	default:		return RTPC_NG_STATISTICS;
	}
}

/* The via-branch the letters 1, 2, 3 or b ask for (NULL: none). */
static int
via_branch(const struct rtpc_ng_opts *o, const struct rtpc_call *call,
    const struct rtpc_settings *set, const char **br, struct rtpc_err *err)
{
	int v;

	*br = NULL;
	if (o->via == 0) {
		if (o->extra_id && set->extra_id != NULL &&
		    *set->extra_id != '\0')
			*br = set->extra_id;
		return 0;
	}
	/* 3: Via 1 in a request, Via 2 in a reply, as over rtpproxy */
	v = o->via == 3 ? (call->is_request ? 1 : 2) : o->via;
	if (!call->is_sip)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "flag %d needs a SIP "
		    "message with Via headers", o->via);
	if (v > call->nvia || call->branch[v - 1] == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "flag %d: Via %d has "
		    "no branch", o->via, v);
	*br = call->branch[v - 1];
	return 0;
}

/* The --ice setting (ice_candidate_priority) as ng's ICE key. */
static enum rtpc_ng_ice
ng_ice(enum rtpc_ice ice)
{
	return ice == RTPC_ICE_OFF ? RTPC_NG_ICE_UNSET : RTPC_NG_ICE_FORCE;
}

/*
 * The ng request for operation op (its dictionary, into out).  P and S
 * toward the callee (--uas) name the To-tag's party; a prompt's count
 * of -1 (loop) is sent as rtpengine's largest repeat count.
 */
int
rtpc_ngcall_build(enum rtpc_op op, const char *flags,
    const struct rtpc_call *call, const struct rtpc_ngcall_sdp *sdp,
    const struct rtpc_request *q, struct rtpc_buf *out,
    struct rtpc_err *err)
{
	struct rtpc_ng_opts o;
	struct rtpc_ng_req r;
	const struct rtpc_extra *x = &q->extra;

	memset(&r, 0, sizeof(r));
	r.cmd = ng_cmd(op);
	if (op == RTPC_OP_INFO && x->counters != NULL && *x->counters != '\0')
		return rtpc_err_set(err, RTPC_EXIT_USAGE, "--counters: ng's "
		    "statistics has no named counters (--json shows them all)");
	if (op == RTPC_OP_INFO)
		return rtpc_ng_encode(&r, out, err);
	if (rtpc_ng_flags(flags, r.cmd, sdp != NULL ? sdp->af : 4, &o,
	    err) == -1)
		return -1;
	r.call_id = call->callid;
	r.from_tag = call->ftag;
	r.to_tag = call->ttag;
	if ((op == RTPC_OP_PLAY || op == RTPC_OP_STOP) && x->uas) {
		if (call->ttag == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "uas needs a To-tag");
		r.from_tag = call->ttag;
		r.to_tag = call->ftag;
	}
	if (via_branch(&o, call, q->set, &r.via_branch, err) == -1)
		return -1;
	if (sdp != NULL) {
		r.sdp = sdp->p;
		r.sdplen = sdp->len;
		o.media_address = q->ip != NULL && *q->ip != '\0' ? q->ip :
		    NULL;
		o.ice = ng_ice(q->set->ice);
	}
	r.opts = &o;
	if (op == RTPC_OP_QUERY && x->counters != NULL && *x->counters != '\0')
		return rtpc_err_set(err, RTPC_EXIT_USAGE, "--counters: ng's "
		    "query has no named counters (--json shows them all)");
	if (op == RTPC_OP_PLAY) {
		r.file = x->prompt;
		r.repeat = x->count < 0 ? 2147483647LL : x->count;
		if (r.file == NULL)
			return rtpc_err_set(err, RTPC_EXIT_USAGE, "no prompt");
	}
	return rtpc_ng_encode(&r, out, err);
}

/*
 * The reply's dictionary: 0 when the relay did it, with its SDP in
 * *sdp (offer, answer; NULL otherwise) and its "warning" in warning
 * (escaped; empty when none); -1 with err saying why: the
 * relay's error-reason, or a reply that does not parse (exit 1 either
 * way: the node is not at fault).
 */
int
rtpc_ngcall_judge(const struct rtpc_buf *reply, const char *node,
    const char **sdp, size_t *sdplen, char *warning, size_t wsz,
    struct rtpc_err *err)
{
	struct rtpc_ng_reply r;
	char msg[sizeof(err->msg)];
	int rc;

	*sdp = NULL;
	*sdplen = 0;
	warning[0] = '\0';
	rc = rtpc_ng_reply_dict(reply->data, reply->len, &r, err);
	if (rc == 0 && r.warning != NULL)
		rtpc_escape(warning, wsz, r.warning, r.warninglen);
	if (rc == 0 && rtpc_ng_reply_sdp(&r, sdp, sdplen) == -1) {
		*sdp = NULL;
		*sdplen = 0;
	}
	rtpc_ng_reply_free(&r);
	if (rc == -1) {
		strlcpy(msg, err->msg, sizeof(msg));
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s", node, msg);
	}
	return 0;
}

/* s as a JSON string: control bytes, '"', '\\' and bytes above 0x7e
 * escaped (a relay's bytes need not be UTF-8). */
static void
json_str(struct rtpc_buf *out, const char *s, size_t len)
{
	size_t i;

	rtpc_buf_add(out, "\"", 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			rtpc_buf_printf(out, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			rtpc_buf_printf(out, "\\u%04x", c);
		else
			rtpc_buf_add(out, s + i, 1);
	}
	rtpc_buf_add(out, "\"", 1);
}

static void
json_val(struct rtpc_buf *out, const struct rtpc_benc *v)
{
	const struct rtpc_benc *c;

	switch (v->type) {
	case RTPC_BENC_INT:
		rtpc_buf_printf(out, "%lld", v->num);
		break;
	case RTPC_BENC_LIST:
	case RTPC_BENC_DICT:
		rtpc_buf_add(out, v->type == RTPC_BENC_LIST ? "[" : "{", 1);
		for (c = v->child; c != NULL; c = c->next) {
			if (c != v->child)
				rtpc_buf_add(out, ",", 1);
			if (v->type == RTPC_BENC_DICT) {
				json_str(out, c->key, c->keylen);
				rtpc_buf_add(out, ":", 1);
			}
			json_val(out, c);
		}
		rtpc_buf_add(out, v->type == RTPC_BENC_LIST ? "]" : "}", 1);
		break;
	default:
		json_str(out, v->str, v->len);
		break;
	}
}

/* Every number of a dictionary as "path.to.key=N" lines. */
static void
flatten(struct rtpc_buf *out, const struct rtpc_benc *v, char *path,
    size_t at, size_t sz)
{
	const struct rtpc_benc *c;
	size_t i = 0;

	if (v->type == RTPC_BENC_INT) {
		rtpc_buf_printf(out, "%s%s=%lld", out->len > 0 ? "\n" : "",
		    path, v->num);
		return;
	}
	if (v->type != RTPC_BENC_LIST && v->type != RTPC_BENC_DICT)
		return;
	for (c = v->child; c != NULL; c = c->next, i++) {
		int n;

		if (v->type == RTPC_BENC_DICT)
			n = snprintf(path + at, sz - at, "%s%.*s", at ? "." : "",
			    (int)c->keylen, c->key);
		else
			n = snprintf(path + at, sz - at, "%s%zu", at ? "." : "",
			    i);
		if (n < 0 || (size_t)n >= sz - at)
			continue;
		for (char *p = path + at; *p != '\0'; p++)
			if (*p == ' ' || (unsigned char)*p < 0x21)
				*p = '_';
		flatten(out, c, path, at + (size_t)n, sz);
		path[at] = '\0';
	}
}

/* RTP packets the relay received from the party of tag (its streams'
 * "stats"), or -1 when the reply has no such tag. */
static long long
tag_packets(const struct rtpc_benc *dict, const char *tag)
{
	const struct rtpc_benc *tags, *t, *medias, *m, *streams, *st, *stats,
	    *fl, *f;
	long long sum = 0, n;

	if (tag == NULL || (tags = rtpc_benc_get_dict(dict, "tags")) == NULL ||
	    (t = rtpc_benc_get(tags, tag)) == NULL ||
	    (medias = rtpc_benc_get_list(t, "medias")) == NULL)
		return -1;
	for (m = medias->child; m != NULL; m = m->next) {
		if ((streams = rtpc_benc_get_list(m, "streams")) == NULL)
			continue;
		for (st = streams->child; st != NULL; st = st->next) {
			int rtp = 0;

			if ((fl = rtpc_benc_get_list(st, "flags")) != NULL)
				for (f = fl->child; f != NULL; f = f->next)
					rtp |= rtpc_benc_str_is(f, "RTP");
			if (rtp && (stats = rtpc_benc_get_dict(st, "stats")) !=
			    NULL && rtpc_benc_get_int(stats, "packets", &n) == 0)
				sum += n;
		}
	}
	return sum;
}

/* The dialog's other tag when the message has none (an INVITE's
 * query): the one tag of the reply that is not first. */
static const char *
other_tag(const struct rtpc_benc *d, const char *first, char *buf,
    size_t sz)
{
	const struct rtpc_benc *tags, *t, *found = NULL;

	if ((tags = rtpc_benc_get_dict(d, "tags")) == NULL)
		return NULL;
	for (t = tags->child; t != NULL; t = t->next) {
		if (first != NULL && t->keylen == strlen(first) &&
		    memcmp(t->key, first, t->keylen) == 0)
			continue;
		if (found != NULL)
			return NULL;
		found = t;
	}
	if (found == NULL || found->keylen >= sz ||
	    memchr(found->key, '\0', found->keylen) != NULL)
		return NULL;
	memcpy(buf, found->key, found->keylen);
	buf[found->keylen] = '\0';
	return buf;
}

/*
 * A query's reply as the Q line of rtpproxy: TTL, packets from the
 * first party, from the second, relayed, dropped.  rtpengine has no
 * TTL to give (it drops a call itself after its --timeout): "-".
 * A party's packets are those of its tag's RTP streams (the relay
 * counts what it receives from the party there); relayed and dropped
 * are the call's RTP totals (packets, errors).
 */
static void
qline(struct rtpc_buf *out, const struct rtpc_benc *d, const char *first,
    const char *second)
{
	const struct rtpc_benc *tot, *rtp;
	char other[256];
	long long a, b, relayed = 0, dropped = 0;

	if (first == NULL)
		first = other_tag(d, second, other, sizeof(other));
	else if (second == NULL)
		second = other_tag(d, first, other, sizeof(other));
	a = tag_packets(d, first);
	b = tag_packets(d, second);

	if ((tot = rtpc_benc_get_dict(d, "totals")) != NULL &&
	    (rtp = rtpc_benc_get_dict(tot, "RTP")) != NULL) {
		(void)rtpc_benc_get_int(rtp, "packets", &relayed);
		(void)rtpc_benc_get_int(rtp, "errors", &dropped);
	}
	rtpc_buf_printf(out, "- %lld %lld %lld %lld", a < 0 ? 0 : a,
	    b < 0 ? 0 : b, relayed, dropped);
}

/*
 * What the tool prints of a query or statistics reply: text (the Q line
 * for query, "name=N" lines for statistics) and JSON (the whole
 * dictionary).  first and second are the tags in the order the Q line
 * gives their parties.
 */
int
rtpc_ngcall_report(const char *p, size_t len, int query, const char *first,
    const char *second, struct rtpc_buf *text, struct rtpc_buf *json,
    struct rtpc_err *err)
{
	struct rtpc_benc_doc doc;
	const struct rtpc_benc *d;
	char path[512];

	if (rtpc_benc_decode(p, len, &doc, err) == -1)
		return -1;
	d = rtpc_benc_root(&doc);
	json_val(json, d);
	path[0] = '\0';
	if (query)
		qline(text, d, first, second);
	else
		flatten(text, d, path, 0, sizeof(path));
	rtpc_benc_doc_free(&doc);
	if (text->toobig || json->toobig)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "output %s",
		    rtpc_buf_why(text->toobig ? text : json));
	return 0;
}
