/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * manage.c: rtpproxy_manage's decision table.
 */
#include <stdio.h>
#include <string.h>

#include "errors.h"
#include "text.h"
#include "job.h"
#include "manage.h"
#include "message.h"
#include "offers.h"
#include "plan.h"
#include "sip.h"

static int
is_one_of(const char *b, struct rtpc_span s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (rtpc_span_eq(b, s, *list))
			return 1;
	return 0;
}

/* The late-offer memory is a hint: when it fails, warn and go on. */
static void
offers_warn(const struct rtpc_request *q, const struct rtpc_err *e)
{
	char msg[600];

	if (q->warn == NULL)
		return;
	snprintf(msg, sizeof(msg), "late-offer memory: %s", e->msg);
	q->warn(q->warn_ctx, msg);
}

static void
offers_note(const struct rtpc_request *q, const char *callid,
    const char *cseq)
{
	struct rtpc_err e;

	rtpc_err_clear(&e);
	if (rtpc_offers_note(q->set->state_dir, callid, cseq, &e) == -1)
		offers_warn(q, &e);
}

static int
offers_known(const struct rtpc_request *q, const char *callid,
    const char *cseq)
{
	struct rtpc_err e;
	int rc;

	rtpc_err_clear(&e);
	if ((rc = rtpc_offers_known(q->set->state_dir, callid, cseq, &e)) ==
	    -1) {
		offers_warn(q, &e);
		return 0;
	}
	return rc;
}

/*
 * An INVITE: an offer with SDP; without, nothing is sent and the
 * INVITE is remembered, so that its 1xx/2xx with SDP is taken for the
 * late offer it is.  In a failure route the call is over.
 */
static int
decide_invite(const struct rtpc_request *q, const struct rtpc_msg *m,
    int sdp, const char *cseq, enum rtpc_op *op, struct rtpc_err *err)
{
	const char *callid = m->call.callid;

	if (q->failure_route) {
		*op = sdp ? RTPC_OP_DESTROY : RTPC_OP_NONE;
		return 0;
	}
	if (sdp) {
		*op = RTPC_OP_OFFER;
		return 0;
	}
	if (callid != NULL && rtpc_token_safe(callid, strlen(callid)))
		offers_note(q, callid, cseq);
	return rtpc_err_set(err, RTPC_EXIT_FAIL, "INVITE without SDP: "
	    "nothing sent (its 2xx with SDP will be the offer)");
}

/*
 * rtpproxy_manage's decision table, from the method, the status and
 * the CSeq method.  A 1xx/2xx with SDP to an INVITE is a late offer
 * (U) when this machine saw that INVITE without SDP, else an answer.
 * m has its SDP taken (rtpc_msg_take_sdp).
 */
int
rtpc_manage_decide(const struct rtpc_request *q, const struct rtpc_msg *m,
    enum rtpc_op *op, struct rtpc_err *err)
{
	static const char *const handled[] = { "INVITE", "ACK", "CANCEL",
	    "BYE", "UPDATE", "PRACK", NULL };
	static const char *const ends[] = { "BYE", "CANCEL", NULL };
	static const char *const upd[] = { "UPDATE", "PRACK", NULL };
	const char *b = m->buf;
	const struct rtpc_sip *s = &m->sip;
	struct rtpc_span meth = s->is_request ? s->method : s->cseq_method;
	char cseq[16], esc[64];
	int sdp;

	if (!m->call.is_sip)
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "rtpp-manage needs a SIP message");
	if (!is_one_of(b, s->cseq_method, handled)) {
		rtpc_escape(esc, sizeof(esc), b + s->cseq_method.off,
		    s->cseq_method.len);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "nothing to do for "
		    "CSeq method %s", esc);
	}
	if (is_one_of(b, meth, ends) || (!s->is_request && s->status >= 300)) {
		*op = RTPC_OP_DESTROY;
		return 0;
	}
	/* a broken message is an error, not "without SDP" */
	if (m->sdp_state == RTPC_MSG_SDP_BROKEN) {
		*err = m->sdp_err;
		return -1;
	}
	sdp = m->sdp_state == RTPC_MSG_SDP_OK;
	snprintf(cseq, sizeof(cseq), "%.*s", (int)s->cseq.len, b + s->cseq.off);
	if (s->is_request && rtpc_span_eq(b, meth, "INVITE"))
		return decide_invite(q, m, sdp, cseq, op, err);
	if (!sdp) {
		rtpc_escape(esc, sizeof(esc), b + meth.off, meth.len);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s %s without SDP: "
		    "nothing to do", s->is_request ? "request" : "reply to",
		    esc);
	}
	if (s->is_request) {
		*op = rtpc_span_eq(b, meth, "ACK") ? RTPC_OP_ANSWER :
		    RTPC_OP_OFFER;
		return 0;
	}
	if (is_one_of(b, meth, upd) || m->call.callid == NULL ||
	    !offers_known(q, m->call.callid, cseq))
		*op = RTPC_OP_ANSWER;
	else
		*op = RTPC_OP_OFFER;
	return 0;
}
