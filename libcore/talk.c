/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * talk.c: capability probes, sending and failover along the call's
 * order of nodes (order.c), recording what it sees in the health state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "config.h"
#include "plan.h"
#include "reply.h"
#include "healthfile.h"
#include "ng.h"
#include "talk.h"
#include "transport.h"

void
rtpc_talk_init(struct rtpc_talk *t, const struct rtpc_settings *set,
    const struct rtpc_pset *ps, struct rtpc_state *st)
{
	memset(t, 0, sizeof(*t));
	t->set = set;
	t->ps = ps;
	t->state = st;
	rtpc_buf_init(&t->ng_reply, 0);
	rtpc_tx_init(&t->tx, set->tout_ms, set->retr, set->force_socket);
}

static void
free_replies(struct rtpc_talk *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (t->replies != NULL)
			free(t->replies[i]);
		if (t->sent != NULL)
			free(t->sent[i]);
	}
	free(t->replies);
	free(t->sent);
	free(t->rtts);
	t->replies = NULL;
	t->sent = NULL;
	t->rtts = NULL;
}

/* Free what rtpc_talk_run returned for a plan of n commands. */
void
rtpc_talk_results_free(struct rtpc_talk *t, size_t n)
{
	free_replies(t, n);
}

/* Note what happened to a node, for --explain. */
static void
note(struct rtpc_talk *t, const struct rtpc_order_entry *e, const char *what)
{
	const struct rtpc_node *n = e->node;
	size_t i;

	for (i = 0; i < t->nnotes; i++)
		if (t->notes[i].node == n)
			break;
	if (i == t->nnotes) {
		if (t->nnotes == RTPC_EXPLAIN_NODES)
			return;
		t->notes[t->nnotes].node = n;
		t->notes[t->nnotes].score = e->score;
		t->notes[t->nnotes].what[0] = '\0';
		t->nnotes++;
	}
	if (t->notes[i].what[0] != '\0')
		strlcat(t->notes[i].what, "; ", sizeof(t->notes[i].what));
	strlcat(t->notes[i].what, what, sizeof(t->notes[i].what));
}

void
rtpc_talk_free(struct rtpc_talk *t)
{
	/* replies are freed by count in rtpc_talk_run's caller via n */
	rtpc_buf_free(&t->ng_reply);
	rtpc_tx_close(&t->tx);
}

static void
warn(struct rtpc_talk *t, const char *what, const char *detail)
{
	char msg[600];

	if (t->warn == NULL)
		return;
	snprintf(msg, sizeof(msg), "%s: %s", what, detail);
	t->warn(t->warn_ctx, msg);
}

/* Record a transport failure: down for rtpproxy_disable_tout. */
static void
fail(struct rtpc_talk *t, const struct rtpc_node *n, const char *why)
{
	rtpc_health_fail(t->state, n->url, t->set->disable_tout, why);
}

/* One probe: send cmd, return the reply in buf. */
static int
probe1(struct rtpc_talk *t, const struct rtpc_node *n, const char *cmd,
    char *buf, size_t sz, long *rtt, struct rtpc_err *err)
{
	if (rtpc_tx_send(&t->tx, n, cmd, buf, sz, rtt, err) == -1)
		return -1;
	t->probes++;
	return 0;
}


/*
 * One ng exchange with node n: req is the request's dictionary, reply
 * gets the reply's (the transport adds and matches the cookie).
 */
int
rtpc_talk_ng(struct rtpc_talk *t, const struct rtpc_node *n,
    const struct rtpc_buf *req, struct rtpc_buf *reply, long *rtt,
    struct rtpc_err *err)
{
	return rtpc_tx_send_ng(&t->tx, n, req->data, req->len, reply, rtt,
	    err);
}

/*
 * Probe an ng node: ping must be answered pong.  ng has no capability
 * dates: every command the tools send exists in every rtpengine that
 * speaks ng, so the node counts as able to do everything.
 */
static int
probe_ng(struct rtpc_talk *t, const struct rtpc_node *n,
    struct rtpc_err *err)
{
	/* an ng relay does what the tools ask of it: no VF to learn */
	static const struct rtpc_health_caps all = { .known = 1, .rep = 1,
	    .ptl = 1, .ntf = -1, .qry = 1 };
	static const char ping[] = "d7:command4:pinge";
	struct rtpc_ng_reply rep;
	struct rtpc_buf req;
	struct rtpc_err perr;
	char esc[128];
	long rtt;
	int rc;

	rtpc_buf_init(&req, 0);
	rc = rtpc_buf_addstr(&req, ping);
	if (rc == 0)
		rc = rtpc_talk_ng(t, n, &req, &t->ng_reply, &rtt, err);
	rtpc_buf_free(&req);
	if (rc == -1)
		goto fail;
	t->probes++;
	rtpc_err_clear(&perr);
	rc = rtpc_ng_reply_dict(t->ng_reply.data, t->ng_reply.len, &rep,
	    &perr);
	if (rc == 0 && rep.result != RTPC_NG_RES_PONG)
		rc = -1;
	rtpc_ng_reply_free(&rep);
	if (rc == -1) {
		rtpc_escape(esc, sizeof(esc), t->ng_reply.data,
		    t->ng_reply.len);
		rtpc_err_set(err, RTPC_EXIT_NORELAY, "%s: not an ng relay "
		    "(ping answered '%s')", n->url, esc);
		goto fail;
	}
	if (rtpc_health_probed(t->state, n->url, &all, rtt) == -1 ||
	    rtpc_health_learn_query(t->state, n->url, 1) == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	return 0;
fail:
	fail(t, n, err->msg);
	return -1;
}

/*
 * Probe a node: V must be 20040107 and VF 20050322 must be 1 (several
 * streams per call); VF 20071116 (Z) and VF 20081102 (codec list) are
 * optional.  An ng node answers ping instead.  A node that fails is
 * disabled like a transport failure.
 */
int
rtpc_talk_probe(struct rtpc_talk *t, const struct rtpc_node *n,
    struct rtpc_err *err)
{
	struct rtpc_health_caps caps = { .ntf = -1, .qry = -1 };
	char r[RTPC_REPLY_MAX], esc[128];
	long rtt;

	if (n->proto == RTPC_PROTO_NG)
		return probe_ng(t, n, err);
	if (probe1(t, n, "V", r, sizeof(r), &rtt, err) == -1)
		goto fail;
	if (strcmp(r, "20040107") != 0) {
		rtpc_escape(esc, sizeof(esc), r, strlen(r));
		rtpc_err_set(err, RTPC_EXIT_NORELAY,
		    "%s: not an rtpproxy-protocol relay (V answered '%s')",
		    n->url, esc);
		goto fail;
	}
	if (probe1(t, n, "VF 20050322", r, sizeof(r), &rtt, err) == -1)
		goto fail;
	if (strcmp(r, "1") != 0) {
		rtpc_escape(esc, sizeof(esc), r, strlen(r));
		rtpc_err_set(err, RTPC_EXIT_NORELAY,
		    "%s: relay lacks capability 20050322 (answered '%s')",
		    n->url, esc);
		goto fail;
	}
	if (probe1(t, n, "VF 20071116", r, sizeof(r), &rtt, err) == -1)
		goto fail;
	caps.rep = strcmp(r, "1") == 0;
	if (probe1(t, n, "VF 20081102", r, sizeof(r), &rtt, err) == -1)
		goto fail;
	caps.ptl = strcmp(r, "1") == 0;
	/* notifications matter only when a timeout socket is configured */
	if (t->set->timeout_socket != NULL) {
		if (probe1(t, n, "VF 20081224", r, sizeof(r), &rtt, err) == -1)
			goto fail;
		caps.ntf = strcmp(r, "1") == 0;
	}
	if (rtpc_health_probed(t->state, n->url, &caps, rtt) == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	return 0;
fail:
	fail(t, n, err->msg);
	return -1;
}

/*
 * Can node n answer Q (VF 20080403)?  rtpengine 10.5 answers 0 and,
 * once sent a Q, answers no later command of the call: never send it
 * one.  Asked once and remembered in the state like the other
 * capabilities.  Returns 1, 0 (err says why, nothing sent) or -1.
 */
static int
has_query(struct rtpc_talk *t, const struct rtpc_node *n,
    struct rtpc_err *err)
{
	struct rtpc_health_caps caps;
	char r[RTPC_REPLY_MAX], esc[64];
	long rtt;

	if (rtpc_health_caps(t->state, n->url, &caps) == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	if (caps.qry == 1)
		return 1;
	if (caps.qry == 0)
		strlcpy(r, "0", sizeof(r));
	else {
		if (probe1(t, n, "VF 20080403", r, sizeof(r), &rtt, err) == -1)
			return -1;
		if (rtpc_health_learn_query(t->state, n->url,
		    strcmp(r, "1") == 0) == -1)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
		if (strcmp(r, "1") == 0)
			return 1;
	}
	rtpc_escape(esc, sizeof(esc), r, strlen(r));
	rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: relay lacks capability 20080403 "
	    "(statistics query Q; answered '%s'); nothing sent", n->url, esc);
	return 0;
}

/*
 * Is node n usable now for this plan?  *why says why not; a node due
 * for a re-test is usable when this run claims the re-test (*test).
 */
static int
usable(struct rtpc_talk *t, const struct rtpc_node *n,
    const struct rtpc_plan *pl, enum rtpc_health_reason *why, int *test)
{
	struct rtpc_err cerr;
	long long hold;
	int got;

	*test = 0;
	*why = rtpc_health_reason(t->state, n->url, pl->new_call);
	if (*why != RTPC_HEALTH_DUE)
		return *why == RTPC_HEALTH_UP;
	hold = (t->set->tout_ms * t->set->retr * 4) / 1000 + 2;
	rtpc_err_clear(&cerr);
	got = rtpc_state_claim(t->state, n->url, hold, &cerr);
	if (got == -1)
		warn(t, "health state", cerr.msg);
	if (got == 0)
		return 0;
	*test = 1;
	return 1;
}

/*
 * On a draining node, is this the reply to a command of a call that is
 * not there (a call made since the drain began, on another node)?
 * rtpproxy answers E50; rtpengine E8 to D and port 0 to L.
 */
static int
not_here(const struct rtpc_cmd *c, const char *r)
{
	if (strcmp(r, "E50") == 0)
		return 1;
	if (c->letter == 'D' && strcmp(r, "E8") == 0)
		return 1;
	return c->letter == 'L' && (strcmp(r, "0") == 0 ||
	    strncmp(r, "0 ", 2) == 0);
}

static int
plan_needs_caps(const struct rtpc_plan *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++)
		if (rtpc_cmd_needs_caps(&pl->cmds[i]))
			return 1;
	return 0;
}

/* Does the reply to c stop the call's remaining commands? */
static int
stops(const struct rtpc_cmd *c, const char *r)
{
	struct rtpc_ulreply u;

	if (c->letter != 'U' && c->letter != 'L')
		return 0;
	return rtpc_ul_stops(rtpc_reply_judge_ul(r, c->port0_ok, &u, NULL));
}

/* Send every command of the plan to node n; 1: the call is not on
 * this draining node (nothing was changed there). */
static int
send_all(struct rtpc_talk *t, const struct rtpc_node *n,
    const struct rtpc_plan *pl, struct rtpc_err *err)
{
	struct rtpc_health_caps hc;
	char r[RTPC_REPLY_MAX];
	struct rtpc_caps caps;
	struct rtpc_buf cmd;
	size_t i;
	int warned = 0, draining;

	if (rtpc_health_caps(t->state, n->url, &hc) == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	draining = rtpc_health_draining(t->state, n->url);
	caps.rep = hc.rep;
	caps.ptl = hc.ptl;
	caps.ntf = hc.ntf == 1;
	rtpc_buf_init(&cmd, 0);
	for (i = 0; i < pl->n; i++) {
		const struct rtpc_cmd *c = &pl->cmds[i];

		rtpc_buf_reset(&cmd);
		if (rtpc_cmd_render(c, &caps, &cmd) == -1) {
			int nomem = cmd.nomem;

			rtpc_buf_free(&cmd);
			return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s", nomem ?
			    "out of memory" : "command too long");
		}
		if (c->z > 0 && !caps.rep && !(warned & 1)) {
			warned |= 1;
			warn(t, n->url, "relay cannot re-packetize; Z dropped");
		}
		if (c->notify != NULL && !caps.ntf && !(warned & 2)) {
			warned |= 2;
			warn(t, n->url, "relay cannot send timeout notifications "
			    "(no capability 20081224); timeout socket dropped");
		}
		free(t->sent[i]);
		t->sent[i] = strdup(cmd.data);
		if (rtpc_tx_send(&t->tx, n, cmd.data, r, sizeof(r),
		    &t->rtts[i], err) == -1) {
			rtpc_buf_free(&cmd);
			return -1;
		}
		if (i == 0 && draining && not_here(c, r)) {
			rtpc_buf_free(&cmd);
			return 1;
		}
		free(t->replies[i]);
		if ((t->replies[i] = strdup(r)) == NULL) {
			rtpc_buf_free(&cmd);
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
		}
		if (stops(c, r))
			break;
	}
	rtpc_buf_free(&cmd);
	if (pl->n > 0)
		rtpc_health_rtt(t->state, n->url, t->rtts[0]);
	return 0;
}

static int
starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return s != NULL && len >= n && memcmp(s, prefix, n) == 0;
}

/*
 * An ng node: the run's one ng request instead of the plan; the reply
 * in t->ng_reply, judged by the caller.  1: the call is not on this
 * draining node (rtpengine answers "Unknown call-id", or ok to a delete
 * with the warning "Call-ID not found or tags didn't match").
 */
static int
send_ng(struct rtpc_talk *t, const struct rtpc_node *n,
    const struct rtpc_plan *pl, struct rtpc_err *err)
{
	struct rtpc_ng_reply rep;
	struct rtpc_err perr;
	int gone = 0;

	if (t->ng_req == NULL)
		return rtpc_err_set(err, t->ng_err != NULL ? t->ng_err->code :
		    RTPC_EXIT_USAGE, "%s: %s", n->url, t->ng_err != NULL ?
		    t->ng_err->msg : "no ng counterpart");
	if (rtpc_talk_ng(t, n, t->ng_req, &t->ng_reply, &t->ng_rtt,
	    err) == -1)
		return -1;
	if (pl->n > 0) {	/* for --explain: the exchange as command 1 */
		free(t->sent[0]);
		free(t->replies[0]);
		t->sent[0] = strdup(t->ng_req->data);
		t->replies[0] = strdup(t->ng_reply.data);
		t->rtts[0] = t->ng_rtt;
	}
	if (rtpc_health_draining(t->state, n->url)) {
		rtpc_err_clear(&perr);
		if (rtpc_ng_reply_dict(t->ng_reply.data, t->ng_reply.len, &rep,
		    &perr) == -1)
			gone = rep.result == RTPC_NG_RES_ERROR &&
			    starts(rep.reason, rep.reasonlen, "Unknown call");
		else
			gone = starts(rep.warning, rep.warninglen,
			    "Call-ID not found");
		rtpc_ng_reply_free(&rep);
		if (gone)
			return 1;
	}
	rtpc_health_rtt(t->state, n->url, t->ng_rtt);
	return 0;
}

/*
 * Run the plan on the first usable node of the call's order; on a
 * transport failure disable that node and start again on the next.
 */
int
rtpc_talk_run(struct rtpc_talk *t, const struct rtpc_plan *pl,
    struct rtpc_err *err)
{
	struct rtpc_order_entry order[RTPC_SET_NODES_MAX];
	const struct rtpc_node *node;
	struct rtpc_err serr;
	size_t n, i;
	int rc, tried = 0, caps = plan_needs_caps(pl) || pl->need_ptl;
	int notify = pl->n > 0 && pl->cmds[0].notify != NULL;

	n = rtpc_health_order(t->state, t->ps, t->set->set, pl->callid,
	    pl->new_call, order);
	if (n == 0)
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "no proxy set %d in the configuration", t->set->set);
	t->replies = calloc(pl->n ? pl->n : 1, sizeof(*t->replies));
	t->sent = calloc(pl->n ? pl->n : 1, sizeof(*t->sent));
	t->rtts = calloc(pl->n ? pl->n : 1, sizeof(*t->rtts));
	if (t->replies == NULL || t->rtts == NULL || t->sent == NULL) {
		free_replies(t, 0);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	t->state->end_ms = t->tx.end_ms;
	for (i = 0; i < n; i++) {
		struct rtpc_health_caps hc;
		enum rtpc_health_reason why_not;
		char why[200];
		int test, q, ng;

		/* out of time: the nodes left untried are not at fault */
		if (rtpc_tx_expired(&t->tx)) {
			if (tried > 0 && err->code == RTPC_EXIT_NORELAY)
				break;
			rtpc_err_set(err, RTPC_EXIT_NORELAY,
			    "deadline reached before any node was tried");
			tried = -1;
			break;
		}

		node = order[i].node;
		ng = node->proto == RTPC_PROTO_NG;
		if (!usable(t, node, pl, &why_not, &test)) {
			note(t, &order[i], rtpc_health_str(why_not,
			    RTPC_HEALTH_TEXT_SKIPPED));
			continue;
		}
		tried++;
		if (test)
			note(t, &order[i], "re-tested");
		if (rtpc_health_caps(t->state, node->url, &hc) == -1) {
			rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
			break;
		}
		if ((test || (!ng && ((caps && !hc.known) ||
		    (notify && hc.ntf < 0)))) &&
		    rtpc_talk_probe(t, node, err) == -1) {
			snprintf(why, sizeof(why), "probe failed: %.180s", err->msg);
			note(t, &order[i], why);
			continue;
		}
		if (!ng && pl->need_ptl && rtpc_health_caps(t->state,
		    node->url, &hc) == 0 && !hc.ptl) {
			rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: relay lacks "
			    "capability 20081102 (prompts); nothing sent",
			    node->url);
			note(t, &order[i], "lacks capability 20081102");
			break;
		}
		if (!ng && pl->need_query &&
		    (q = has_query(t, node, err)) != 1) {
			if (q == 0) {
				note(t, &order[i],
				    "lacks capability 20080403");
				break;
			}
			snprintf(why, sizeof(why), "probe failed: %.180s",
			    err->msg);
			note(t, &order[i], why);
			if (err->code != RTPC_EXIT_NORELAY)
				break;
			fail(t, node, err->msg);
			continue;
		}
		rc = ng ? send_ng(t, node, pl, err) :
		    send_all(t, node, pl, err);
		if (rc == 0) {
			t->used = node;
			note(t, &order[i], "used");
			break;
		}
		if (rc == 1) {
			note(t, &order[i],
			    "draining: the call is not there");
			rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: draining, and the "
			    "call is not there", node->url);
			continue;
		}
		snprintf(why, sizeof(why), "failed: %.180s", err->msg);
		note(t, &order[i], why);
		if (err->code != RTPC_EXIT_NORELAY)
			break;
		fail(t, node, err->msg);
	}
	rtpc_err_clear(&serr);
	if (rtpc_state_commit(t->state, &serr) == -1)
		warn(t, "health state not saved", serr.msg);
	if (t->used != NULL)
		return 0;
	if (tried == 0)
		rtpc_err_set(err, RTPC_EXIT_NORELAY,
		    "no relay available: every node of set %d is disabled",
		    t->set->set);
	else if (tried < 0)
		;	/* the deadline message stands */
	else if (err->code == RTPC_EXIT_NORELAY) {
		char msg[sizeof(err->msg)];

		strlcpy(msg, err->msg, sizeof(msg));
		rtpc_err_set(err, RTPC_EXIT_NORELAY, "no relay available: %.450s",
		    msg);
	}
	free_replies(t, pl->n);
	return -1;
}
