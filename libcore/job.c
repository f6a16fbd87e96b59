/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * job.c: one run of a call-path tool (rtpp-offer, rtpp-answer,
 * rtpp-destroy, rtpp-manage, rtpp-stream, rtpp-stat): the pipeline.
 * Each step takes the values the previous ones made; the request is
 * read, never written, and what happened goes in the result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "config.h"
#include "encode.h"
#include "healthfile.h"
#include "job.h"
#include "manage.h"
#include "message.h"
#include "ngcall.h"
#include "plan.h"
#include "reply.h"
#include "rewrite.h"
#include "sdp.h"
#include "talk.h"

/* Everything a run makes, freed in one place. */
struct run {
	const struct rtpc_request *q;
	struct rtpc_result *res;
	enum rtpc_op	 op;		/* the request's, or manage's choice */
	struct rtpc_flags flags;
	struct rtpc_msg	 msg;
	struct rtpc_plan plan;
	struct rtpc_pset ps;
	struct rtpc_state state;
	struct rtpc_talk talk;
	char		**replies;	/* borrowed from talk or fake */
	struct rtpc_ulreply *ul;	/* the U/L replies, judged */
	struct rtpc_buf	 ngreq;		/* the request for an ng node */
	struct rtpc_err	 ngerr;		/* why there is none */
	int		 ng_ok;
};

void
rtpc_job_init(struct rtpc_job *j, enum rtpc_op op,
    const struct rtpc_settings *set)
{
	memset(j, 0, sizeof(*j));
	j->req.op = op;
	j->req.set = set;
	rtpc_buf_init(&j->res.out, 0);
	rtpc_buf_init(&j->res.ex.before, 0);
	rtpc_buf_init(&j->res.ex.after, 0);
}

void
rtpc_job_free(struct rtpc_job *j)
{
	struct rtpc_result *res = &j->res;
	size_t i;

	for (i = 0; i < res->ex.ncmds; i++) {
		free(res->ex.cmds[i].sent);
		free(res->ex.cmds[i].reply);
	}
	free(res->ex.cmds);
	for (i = 0; i < RTPC_EXPLAIN_NODES; i++)
		free(res->ex.nodes[i].url);
	rtpc_buf_free(&res->ex.before);
	rtpc_buf_free(&res->ex.after);
	memset(&res->ex, 0, sizeof(res->ex));
	rtpc_buf_free(&res->out);
	free(res->reply);
	res->reply = NULL;
	free(res->json);
	res->json = NULL;
	free(res->node);
	res->node = NULL;
}

/* The addresses given by the user must be IP addresses. */
static int
check_addrs(const struct rtpc_request *q, struct rtpc_err *err)
{
	const struct {
		const char *what;
		const char *v;
	} a[] = {
		{ "ip argument", q->ip }, { "--local-ip", q->local_ip },
		{ "source address", q->source_ip },
	};
	size_t i;

	for (i = 0; i < sizeof(a) / sizeof(a[0]); i++)
		if (a[i].v != NULL && *a[i].v != '\0' &&
		    !rtpc_msg_is_ip(a[i].v))
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "%s '%.100s' is not an IP address", a[i].what,
			    a[i].v);
	return 0;
}

/* The request itself: the flags (an offer's for manage) and addresses. */
static int
check_request(struct run *r, struct rtpc_err *err)
{
	const struct rtpc_request *q = r->q;

	if (q->set->marker == NULL)	/* its default could not be copied */
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	if (rtpc_flags_parse(q->flags ? q->flags : "", q->op ==
	    RTPC_OP_MANAGE ? RTPC_OP_OFFER : q->op, &r->flags, err) == -1)
		return -1;
	return check_addrs(q, err);
}

/* Read and parse the input once; the SDP for the commands that use it. */
static int
read_input(struct run *r, const char *in, size_t len, struct rtpc_err *err)
{
	int rc = rtpc_msg_read(&r->msg, r->q, in, len, err);

	r->res->form = r->msg.form;
	if (rc == 0 && (rtpc_op_has_sdp(r->q->op) || r->q->op ==
	    RTPC_OP_MANAGE))
		rtpc_msg_take_sdp(&r->msg, r->q->set->marker);
	return rc;
}

/* rtpp-manage: choose the operation, and take its flags. */
static int
decide(struct run *r, struct rtpc_err *err)
{
	const struct rtpc_request *q = r->q;

	r->op = q->op;
	if (q->op != RTPC_OP_MANAGE)
		return 0;
	if (rtpc_manage_decide(q, &r->msg, &r->op, err) == -1)
		return -1;
	r->res->did = r->op;
	if (r->op == RTPC_OP_NONE)
		return 0;
	return rtpc_flags_parse(q->flags ? q->flags : "", r->op, &r->flags,
	    err);
}

static int
plan(struct run *r, struct rtpc_err *err)
{
	const struct rtpc_msg *m = &r->msg;

	if (r->op == RTPC_OP_DESTROY || rtpc_op_has_sdp(r->op))
		return rtpc_plan_build(r->op, &r->flags, &m->call, m->buf,
		    &m->sdp, r->q->set, &r->plan, err);
	return rtpc_plan_other(r->op, &m->call, &r->q->extra, &r->plan, err);
}

/*
 * The same for a node that speaks ng: one request for the call, sent
 * instead of the plan if the call's node is an ng node.  When it cannot
 * be made, that fails the run only if such a node is chosen (talk says
 * why then), so that a set of rtpproxy nodes never sees what ng would
 * refuse.
 */
static void
plan_ng(struct run *r)
{
	const struct rtpc_msg *m = &r->msg;
	struct rtpc_ngcall_sdp sdp, *sp = NULL;

	rtpc_buf_init(&r->ngreq, 0);
	rtpc_err_clear(&r->ngerr);
	if (rtpc_op_has_sdp(r->op)) {
		sdp.p = m->buf + m->sdp_span.off;
		sdp.len = m->sdp_span.len;
		sdp.af = m->sdp.nstreams > 0 ?
		    rtpc_sdp_stream_addr(&m->sdp, 0)->af : 4;
		sp = &sdp;
	}
	r->ng_ok = rtpc_ngcall_build(r->op, r->q->flags, &m->call, sp, r->q,
	    &r->ngreq, &r->ngerr) == 0;
}

/* --dry-run: the commands as a relay with every capability gets them. */
static int
dry_run(struct run *r, struct rtpc_err *err)
{
	const struct rtpc_caps all = { 1, 1, 1 };
	struct rtpc_buf *out = &r->res->out;
	size_t i;

	for (i = 0; i < r->plan.n; i++) {
		rtpc_cmd_render(&r->plan.cmds[i], &all, out);
		rtpc_buf_add(out, "\n", 1);
	}
	r->res->ncmds = (int)r->plan.n;
	if (out->toobig)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "output %s",
		    rtpc_buf_why(out));
	return 0;
}

static int
set_node(struct rtpc_result *res, const char *url, struct rtpc_err *err)
{
	free(res->node);
	if ((res->node = strdup(url)) == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	return 0;
}

/* --fake-reply: every command gets the same canned reply. */
static int
fake_talk(struct run *r, struct rtpc_err *err)
{
	size_t i;

	r->replies = calloc(r->plan.n ? r->plan.n : 1, sizeof(char *));
	if (r->replies == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	for (i = 0; i < r->plan.n; i++)
		r->replies[i] = (char *)(uintptr_t)r->q->fake_reply;
	return set_node(r->res, "fake", err);
}

/* Open the sets and the shared health state for talking. */
static int
open_relays(struct run *r, struct rtpc_err *err)
{
	const struct rtpc_request *q = r->q;
	struct rtpc_err serr;
	char msg[600];

	if (rtpc_pset_build(&r->ps, q->set, err) == -1)
		return -1;
	if (!rtpc_pset_has_set(&r->ps, q->set->set))
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "no proxy set %d in the configuration", q->set->set);
	rtpc_err_clear(&serr);
	if (rtpc_state_open(&r->state, q->set->state_dir, &r->ps, &serr) == -1
	    && q->warn != NULL) {
		snprintf(msg, sizeof(msg), "health state: %s", serr.msg);
		q->warn(q->warn_ctx, msg);
	}
	rtpc_talk_init(&r->talk, q->set, &r->ps, &r->state);
	/* stop waiting a little before the hard deadline, so that a silent
	 * node is recorded as down and later runs skip it */
	if (q->deadline_ms > 0)
		rtpc_tx_set_deadline(&r->talk.tx, q->deadline_ms -
		    (q->deadline_ms / 10 < 100 ? q->deadline_ms / 10 : 100));
	r->talk.tx.trace = q->trace;
	r->talk.tx.trace_ctx = q->trace_ctx;
	r->talk.warn = q->warn;
	r->talk.warn_ctx = q->warn_ctx;
	return 0;
}

/* Send the plan to the relay (or take the canned reply): r->replies. */
static int
talk(struct run *r, struct rtpc_err *err)
{
	r->res->ncmds = (int)r->plan.n;
	if (r->q->fake_reply != NULL)
		return fake_talk(r, err);
	if (open_relays(r, err) == -1)
		return -1;
	r->talk.ng_req = r->ng_ok ? &r->ngreq : NULL;
	r->talk.ng_err = &r->ngerr;
	if (rtpc_talk_run(&r->talk, &r->plan, err) == -1)
		return -1;
	r->replies = r->talk.replies;
	r->res->probes = r->talk.probes;
	return set_node(r->res, r->talk.used->url, err);
}

/* The address when the relay answered only a port. */
static const char *
default_addr(const struct run *r)
{
	const char *local = r->q->local_ip;
	const struct rtpc_node *used = r->talk.used;

	if (local != NULL && *local != '\0')
		return local;
	if (used != NULL && used->host != NULL && rtpc_msg_is_ip(used->host))
		return used->host;
	return NULL;
}

/* The error for the reply to m= line k+1 (sdp line `line'). */
static int
ul_failed(const struct run *r, int k, int line, enum rtpc_ul_verdict v,
    struct rtpc_err *err)
{
	const char *node = r->res->node;
	char msg[sizeof(err->msg)];

	if (v == RTPC_UL_PORT_MAX)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "%s, m= line %d (sdp line %d): relay returned port "
		    "65535, which leaves no port for RTCP", node, k + 1,
		    line);
	if (v == RTPC_UL_NO_PORT)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "%s, m= line %d (sdp line %d): relay returned "
		    "port 0 (%s)", node, k + 1, line,
		    r->op == RTPC_OP_ANSWER ? "it does not know the "
		    "call?" : "out of ports?");
	strlcpy(msg, err->msg, sizeof(msg));
	return rtpc_err_set(err, RTPC_EXIT_FAIL,
	    "%s, m= line %d (sdp line %d): %s", node, k + 1, line, msg);
}

/* The address a stream's media goes to, from its judged reply u. */
static int
stream_addr(const struct run *r, int k, struct rtpc_ulreply *u,
    struct rtpc_err *err)
{
	const char *ip = r->q->ip, *a;

	/* a null address for a stream not on hold means "none" (rtpengine
	 * answers 0.0.0.0 for a second m= line) */
	if (u->addr[0] != '\0' && !rtpc_sdp_stream_addr(&r->msg.sdp, k)->null &&
	    rtpc_addr_null(u->addr, strlen(u->addr), u->af))
		u->addr[0] = '\0';
	if (ip != NULL && *ip != '\0')
		a = ip;
	else if (u->addr[0] != '\0')
		a = u->addr;
	else if ((a = default_addr(r)) == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "%s answered only a port; give the address with "
		    "--local-ip or the ip argument", r->res->node);
	if (a != u->addr)
		strlcpy(u->addr, a, sizeof(u->addr));
	u->af = strchr(u->addr, ':') != NULL ? 6 : 4;
	return 0;
}

/* U/L: every stream's reply judged into an address and a port. */
static int
judge_streams(struct run *r, struct rtpc_err *err)
{
	const struct rtpc_sdp *sdp = &r->msg.sdp;
	enum rtpc_ul_verdict v;
	int k;

	r->ul = calloc((size_t)sdp->nstreams, sizeof(*r->ul));
	if (r->ul == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	for (k = 0; k < sdp->nstreams; k++) {
		v = rtpc_reply_judge_ul(r->replies[k],
		    r->plan.cmds[k].port0_ok, &r->ul[k], err);
		if (v == RTPC_UL_HELD)
			continue;
		if (v != RTPC_UL_OK)
			return ul_failed(r, k, sdp->streams[k].line, v, err);
		if (stream_addr(r, k, &r->ul[k], err) == -1)
			return -1;
	}
	return 0;
}

/* D, P, S, R, Q, I: anything but E<n> is fine; Q and I keep the reply. */
static int
judge_call(struct run *r, struct rtpc_err *err)
{
	int code;

	if (r->plan.n > 0 && rtpc_reply_error(r->replies[0], &code))
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "%s: relay said E%d (%s)", r->res->node, code,
		    rtpc_ecode_str(code));
	if (r->op != RTPC_OP_QUERY && r->op != RTPC_OP_INFO)
		return 0;
	r->res->from_first = r->plan.from_first;
	if ((r->res->reply = strdup(r->replies[0])) == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	return 0;
}

/* Where the message's SDP is, for the output (none: len 0). */
static struct rtpc_span
sdp_span(struct rtpc_msg *m)
{
	struct rtpc_span none = { 0, 0 };

	if (m->call.is_sip) {
		/* a BYE's body does not matter; --output sdp shows its SDP
		 * part when it has one */
		(void)rtpc_sip_find_sdp(m->buf, &m->sip, NULL);
		return m->sip.sdp;
	}
	if (m->inner == RTPC_FORM_SDP)
		none.len = m->len;
	return none;
}

/* Write p (len bytes, SDP at sdp) in the output form asked. */
static int
encode(struct run *r, const char *p, size_t len, struct rtpc_span sdp,
    struct rtpc_err *err)
{
	const struct rtpc_request *q = r->q;
	enum rtpc_form f = q->out_form != RTPC_FORM_AUTO ? q->out_form :
	    r->res->form;

	return rtpc_encode(f, q->b64_wrap, p, len, sdp, &r->res->out, err);
}

/* --explain: the SDP before and after. */
static int
keep_sdp(struct run *r, struct rtpc_span in, const struct rtpc_buf *b,
    struct rtpc_span out, struct rtpc_err *err)
{
	struct rtpc_explain *ex = &r->res->ex;

	rtpc_buf_add(&ex->before, r->msg.buf + in.off, in.len);
	rtpc_buf_add(&ex->after, b->data + out.off, out.len);
	if (ex->before.toobig || ex->after.toobig)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "--explain: out of memory");
	return 0;
}

/* What both ways of rewriting need: the message, the settings, where
 * its SDP is and where the new one's position goes, the marker. */
static void
rw_init(const struct run *r, struct rtpc_rw *rw, struct rtpc_span *out)
{
	const struct rtpc_msg *m = &r->msg;

	memset(rw, 0, sizeof(*rw));
	rw->buf = m->buf;
	rw->len = m->len;
	rw->sip = m->call.is_sip ? &m->sip : NULL;
	rw->set = r->q->set;
	rw->sdp_in = m->sdp_span;
	rw->sdp_out = out;
	rw->add_marker = *r->q->set->marker != '\0' && !m->marker;
}

/* The rewritten message (rc: how its rewrite went), kept for --explain
 * and encoded in the output form; frees b. */
static int
emit(struct run *r, int rc, struct rtpc_buf *b, struct rtpc_span out,
    struct rtpc_err *err)
{
	if (rc == 0 && r->q->explain)
		rc = keep_sdp(r, r->msg.sdp_span, b, out, err);
	if (rc == 0)
		rc = encode(r, b->data, b->len, out, err);
	rtpc_buf_free(b);
	return rc;
}

/* U/L: the message with its SDP rewritten, in the output form. */
static int
rewrite(struct run *r, struct rtpc_err *err)
{
	struct rtpc_span out = { 0, 0 };
	struct rtpc_rw rw;
	struct rtpc_buf b;
	int rc;

	rw_init(r, &rw, &out);
	rw.sdp = &r->msg.sdp;
	rw.replies = r->ul;
	rw.fl = &r->flags;
	rtpc_buf_init(&b, 0);
	rc = rtpc_rewrite(&rw, &b, err);	/* fills out */
	return emit(r, rc, &b, out, err);
}

/* Did an ng node answer (its reply in talk.ng_reply)? */
static int
by_ng(const struct run *r)
{
	return r->q->fake_reply == NULL && r->talk.used != NULL &&
	    r->talk.used->proto == RTPC_PROTO_NG;
}

/* ng: the reply judged; a warning of the relay's is passed on. */
static int
judge_ng(struct run *r, const char **sdp, size_t *len, struct rtpc_err *err)
{
	char w[200], msg[300];

	if (rtpc_ngcall_judge(&r->talk.ng_reply, r->res->node, sdp, len, w,
	    sizeof(w), err) == -1)
		return -1;
	if (w[0] != '\0' && r->q->warn != NULL) {
		snprintf(msg, sizeof(msg), "%s: relay warning: %s",
		    r->res->node, w);
		r->q->warn(r->q->warn_ctx, msg);
	}
	return 0;
}

/*
 * ng: the relay rewrote the SDP itself; its SDP goes in place of the
 * message's, in the output form.
 */
static int
replace_body(struct run *r, struct rtpc_err *err)
{
	struct rtpc_span out = { 0, 0 };
	struct rtpc_rw rw;
	struct rtpc_buf b;
	const char *sdp;
	size_t len;
	int rc;

	if (judge_ng(r, &sdp, &len, err) == -1)
		return -1;
	if (sdp == NULL || len == 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: relay reply "
		    "has no sdp", r->res->node);
	rw_init(r, &rw, &out);
	rtpc_buf_init(&b, 0);
	rc = rtpc_rewrite_body(&rw, sdp, len, &b, err);	/* fills out */
	return emit(r, rc, &b, out, err);
}

/* ng: the reply to a command without SDP; query and statistics keep
 * what the tool prints: the text (reply) and the whole dictionary in
 * JSON (json). */
static int
judge_ng_call(struct run *r, struct rtpc_err *err)
{
	const struct rtpc_call *c = &r->msg.call;
	struct rtpc_buf text, json;
	const char *sdp;
	size_t len;
	int ff = r->plan.from_first, rc;

	if (judge_ng(r, &sdp, &len, err) == -1)
		return -1;
	if (r->op != RTPC_OP_QUERY && r->op != RTPC_OP_INFO)
		return 0;
	if (r->q->extra.verbose && r->q->warn != NULL)
		r->q->warn(r->q->warn_ctx, "--verbose ignored over ng (--json "
		    "shows every counter)");
	r->res->ng = 1;
	r->res->from_first = ff;
	rtpc_buf_init(&text, 0);
	rtpc_buf_init(&json, 0);
	rc = rtpc_ngcall_report(r->talk.ng_reply.data, r->talk.ng_reply.len,
	    r->op == RTPC_OP_QUERY, ff ? c->ftag : c->ttag, ff ? c->ttag :
	    c->ftag, &text, &json, err);
	if (rc == 0 && ((r->res->reply = strdup(text.data ? text.data :
	    "")) == NULL || (r->res->json = strdup(json.data ? json.data :
	    "")) == NULL))
		rc = rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	rtpc_buf_free(&text);
	rtpc_buf_free(&json);
	return rc;
}

/* Copy what --explain shows out of the run before it is freed. */
static void
keep_explain(struct run *r)
{
	struct rtpc_explain *ex = &r->res->ex;
	const struct rtpc_talk *t = &r->talk;
	size_t i;

	for (i = 0; i < t->nnotes && i < RTPC_EXPLAIN_NODES; i++) {
		free(ex->nodes[i].url);
		ex->nodes[i].url = strdup(t->notes[i].node->url);
		ex->nodes[i].weight = t->notes[i].node->weight;
		ex->nodes[i].score = t->notes[i].score;
		strlcpy(ex->nodes[i].what, t->notes[i].what,
		    sizeof(ex->nodes[i].what));
	}
	ex->nnodes = i;
	if (t->sent == NULL || r->plan.n == 0)
		return;
	if ((ex->cmds = calloc(r->plan.n, sizeof(*ex->cmds))) == NULL)
		return;
	for (i = 0; i < r->plan.n; i++) {
		ex->cmds[i].sent = t->sent[i] ? strdup(t->sent[i]) : NULL;
		ex->cmds[i].reply = t->replies[i] ? strdup(t->replies[i]) :
		    NULL;
		ex->cmds[i].rtt_us = t->rtts[i];
	}
	ex->ncmds = r->plan.n;
}

static void
run_free(struct run *r)
{
	if (r->replies != NULL && r->replies != r->talk.replies)
		free(r->replies);
	rtpc_talk_results_free(&r->talk, r->plan.n);
	rtpc_talk_free(&r->talk);
	rtpc_plan_free(&r->plan);
	rtpc_state_free(&r->state);
	rtpc_pset_free(&r->ps);
	rtpc_msg_free(&r->msg);
	rtpc_buf_free(&r->ngreq);
	free(r->ul);
}

/* Offer and answer: the SDP's streams through the relay. */
static int
run_media(struct run *r, struct rtpc_err *err)
{
	if (rtpc_msg_sdp_check(&r->msg, &r->flags, r->q->set->marker,
	    err) == -1 ||
	    plan(r, err) == -1)
		return -1;
	plan_ng(r);
	if (r->q->dry_run)
		return dry_run(r, err);
	if (talk(r, err) == -1)
		return -1;
	if (by_ng(r))
		return replace_body(r, err);
	if (judge_streams(r, err) == -1)
		return -1;
	return rewrite(r, err);
}

/*
 * D, P, S, R, Q, I: one command for the call, no SDP; the message goes
 * out as it came (Q and I: the reply, which the tool prints).
 */
static int
run_call(struct run *r, struct rtpc_err *err)
{
	struct rtpc_msg *m = &r->msg;

	if (plan(r, err) == -1)
		return -1;
	plan_ng(r);
	if (r->q->dry_run)
		return dry_run(r, err);
	if (talk(r, err) == -1 ||
	    (by_ng(r) ? judge_ng_call(r, err) : judge_call(r, err)) == -1)
		return -1;
	if (r->op == RTPC_OP_QUERY || r->op == RTPC_OP_INFO)
		return 0;
	return encode(r, m->buf, m->len, sdp_span(m), err);
}

/* The pipeline, one step a line. */
static int
run_steps(struct run *r, const char *in, size_t len, struct rtpc_err *err)
{
	struct rtpc_msg *m = &r->msg;

	if (check_request(r, err) == -1 ||
	    read_input(r, in, len, err) == -1 ||
	    decide(r, err) == -1)
		return -1;
	if (r->op == RTPC_OP_NONE)	/* rtpp-manage: nothing to do */
		return encode(r, m->buf, m->len, m->sip.sdp, err);
	if (rtpc_op_has_sdp(r->op))
		return run_media(r, err);
	return run_call(r, err);
}

/*
 * Run the job on the input.  On success the result's out holds the
 * whole output; on failure it is empty and err says why.
 */
int
rtpc_job_run(struct rtpc_job *j, const char *in, size_t len,
    struct rtpc_err *err)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.q = &j->req;
	r.res = &j->res;
	rc = run_steps(&r, in, len, err);
	if (rc == -1)
		rtpc_buf_reset(&j->res.out);
	if (j->req.explain)
		keep_explain(&r);
	run_free(&r);
	return rc;
}
