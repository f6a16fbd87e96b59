/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ngcall.c: the run's one ng request, from the same call data, flags
 * and options as the plan (the module's letters through rtpc_ng_flags),
 * and the judging of its reply.
 */
#include <string.h>

#include "errors.h"
#include "text.h"
#include "buf.h"
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
 * *sdp (offer, answer; NULL otherwise); -1 with err saying why: the
 * relay's error-reason, or a reply that does not parse (exit 1 either
 * way: the node is not at fault).
 */
int
rtpc_ngcall_judge(const struct rtpc_buf *reply, const char *node,
    const char **sdp, size_t *sdplen, struct rtpc_err *err)
{
	struct rtpc_ng_reply r;
	char msg[sizeof(err->msg)];
	int rc;

	*sdp = NULL;
	*sdplen = 0;
	rc = rtpc_ng_reply_dict(reply->data, reply->len, &r, err);
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
