/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * talk.h: the only step with network I/O.  Goes along the call's order
 * of nodes (rtpc_health_order, skipping the nodes that may not take
 * it), learns capabilities once (remembered in the shared state), sends
 * the plan's commands, fails over to the next node on transport failure
 * and records health.  A node speaking rtpengine's ng protocol gets the
 * run's one ng request (ng_req) instead of the plan, and is probed with
 * ng's ping.
 */
#ifndef RTPC_TALK_H
#define RTPC_TALK_H

#include "errors.h"
#include "config.h"
#include "job.h"
#include "plan.h"
#include "health.h"
#include "transport.h"

/* What happened to one node of the call's order (for --explain). */
struct rtpc_talk_note {
	const struct rtpc_node	*node;
	double			 score;
	char			 what[200];
};

struct rtpc_talk {
	const struct rtpc_settings *set;
	const struct rtpc_pset	*ps;
	struct rtpc_state	*state;
	struct rtpc_tx		 tx;
	rtpc_warn_fn		 warn;
	void			*warn_ctx;
	/* the request for an ng node (its dictionary), or NULL: the run
	 * has none, and ng_err says why */
	const struct rtpc_buf	*ng_req;
	const struct rtpc_err	*ng_err;
	/* results */
	const struct rtpc_node	*used;		/* the node that answered */
	char			**replies;	/* one per command */
	char			**sent;		/* the commands as sent */
	struct rtpc_talk_note	 notes[RTPC_EXPLAIN_NODES];
	size_t			 nnotes;
	long			*rtts;		/* µs, one per command */
	int			 probes;	/* probe datagrams answered */
	struct rtpc_buf		 ng_reply;	/* ng: the reply's dictionary */
	long			 ng_rtt;	/* ng: µs */
};

void	 rtpc_talk_init(struct rtpc_talk *, const struct rtpc_settings *,
	    const struct rtpc_pset *, struct rtpc_state *);
int	 rtpc_talk_run(struct rtpc_talk *, const struct rtpc_plan *,
	    struct rtpc_err *);
int	 rtpc_talk_probe(struct rtpc_talk *, const struct rtpc_node *,
	    struct rtpc_err *);
int	 rtpc_talk_ng(struct rtpc_talk *, const struct rtpc_node *,
	    const struct rtpc_buf *, struct rtpc_buf *, long *,
	    struct rtpc_err *);
void	 rtpc_talk_results_free(struct rtpc_talk *, size_t);
void	 rtpc_talk_free(struct rtpc_talk *);

#endif
