/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * health.h: the health unit's API.  For every node of the configuration
 * the shared state (health.c, healthfile.h) says whether it may take a
 * command and why not, in what order a call's set tries its nodes
 * (order.c), and keeps the operator's verdicts (enable, disable, drain)
 * and the failures the runs see.
 */
#ifndef RTPC_HEALTH_H
#define RTPC_HEALTH_H

#include <stddef.h>

#include "errors.h"
#include "config.h"

struct rtpc_state;	/* the shared state, opened by libcore */

/* Why a node may take a command now, or why not. */
enum rtpc_health_reason {
	RTPC_HEALTH_UP,		/* in service */
	RTPC_HEALTH_DUE,	/* down, its time is up: one run re-tests it */
	RTPC_HEALTH_DISABLED,	/* by the operator */
	RTPC_HEALTH_DRAINING,	/* by the operator: no new call */
	RTPC_HEALTH_DOWN	/* a failure, until its time is up */
};

/* Where a reason is shown: each says it its own way. */
enum rtpc_health_text {
	RTPC_HEALTH_TEXT_STATE,		/* rtpp-ctl list: one word */
	RTPC_HEALTH_TEXT_WHICH,		/* rtpp-ctl which */
	RTPC_HEALTH_TEXT_SKIPPED	/* --explain: why a node was skipped */
};

/* A node of a call's order, best first. */
struct rtpc_order_entry {
	const struct rtpc_node	*node;
	double			 score;
	enum rtpc_health_reason	 reason;
};

/* A node's health as rtpp-ctl list and ping show it. */
struct rtpc_health_view {
	enum rtpc_health_reason	 state;		/* for a new call */
	int			 disabled;	/* takes no call at all */
	long long		 recheck;	/* 0, end of down time, -1 */
	int			 caps;		/* capabilities learnt */
	int			 rep;
	int			 ptl;
	long			 rtt_us;
	char			 lasterr[160];
};

/*
 * What a node can do, as probing learnt it (remembered in the health
 * file, learnt again after a failure).  ntf and qry are -1 until asked:
 * they are asked only when a run needs them.
 */
struct rtpc_health_caps {
	int	 known;		/* probed: rep and ptl hold */
	int	 rep;		/* VF 20071116: repacketizing (z) */
	int	 ptl;		/* VF 20081102: codec list (prompts) */
	int	 ntf;		/* VF 20081224: notifications */
	int	 qry;		/* VF 20080403: statistics (Q) */
};

enum rtpc_health_reason rtpc_health_reason(struct rtpc_state *,
	    const char *, int);
const char *rtpc_health_str(enum rtpc_health_reason, enum rtpc_health_text);
int	 rtpc_health_usable(enum rtpc_health_reason);
size_t	 rtpc_health_order(struct rtpc_state *, const struct rtpc_pset *,
	    int, const char *, int, struct rtpc_order_entry *);
int	 rtpc_health_view(struct rtpc_state *, const char *,
	    struct rtpc_health_view *);
const char *rtpc_health_file(const struct rtpc_state *);
int	 rtpc_health_shared(const struct rtpc_state *);
int	 rtpc_health_enable(struct rtpc_state *, const char *,
	    struct rtpc_err *);
int	 rtpc_health_disable(struct rtpc_state *, const char *,
	    struct rtpc_err *);
int	 rtpc_health_drain(struct rtpc_state *, const char *,
	    struct rtpc_err *);
void	 rtpc_health_fail(struct rtpc_state *, const char *, long,
	    const char *);
int	 rtpc_health_caps(struct rtpc_state *, const char *,
	    struct rtpc_health_caps *);
int	 rtpc_health_probed(struct rtpc_state *, const char *,
	    const struct rtpc_health_caps *, long);
int	 rtpc_health_learn_query(struct rtpc_state *, const char *, int);
int	 rtpc_health_draining(struct rtpc_state *, const char *);
void	 rtpc_health_rtt(struct rtpc_state *, const char *, long);

long long rtpc_now(void);
long long rtpc_mono_ms(void);

#endif
