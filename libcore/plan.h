/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * plan.h: flags and the pure planning step: from a message view, the
 * flags and the settings to the control commands the module would
 * send, one per m= line (U/L) or one D.
 */
#ifndef RTPC_PLAN_H
#define RTPC_PLAN_H

#include "errors.h"
#include "buf.h"
#include "config.h"
#include "job.h"
#include "sdp.h"

struct rtpc_flags {
	char	mods[64];	/* A I E S in the order of the flags */
	int	via;		/* 1, 2, 3: append that Via's branch */
	int	b;		/* append extra_id */
	int	r, a, f, c, o, t, x, l;
	int	z;		/* re-packetize to this ptime; 0 = none */
};

/* What the plan knows about the call and the message. */
struct rtpc_call {
	const char	*callid;
	const char	*ftag;
	const char	*ttag;		/* NULL when absent */
	int		 is_request;
	int		 is_ack;	/* request is an ACK */
	int		 is_sip;	/* came from a SIP message */
	const char	*branch[3];	/* Via 1..3 branches, NULL if none */
	int		 nvia;
	const char	*source_ip;	/* NULL: use the SDP's address */
};

struct rtpc_cmd {
	char	 letter;	/* 'U', 'L' or 'D' */
	char	 mods[80];	/* modifiers except Z and c */
	int	 z;		/* Z<n> when the node can; 0 = none */
	char	*clist;		/* payload types for c<list>, or NULL */
	char	*rest;		/* " CID ADDR PORT TAGS..." */
	char	*notify;	/* " SOCKET TAG" when the node can, or NULL */
	int	 stream;	/* index of the m= line, -1 for D */
	int	 af;		/* family of the address sent (4 or 6) */
	int	 port0_ok;	/* U/L for a stream of port 0: a reply of
				   port 0 is no failure */
};

struct rtpc_plan {
	struct rtpc_cmd	*cmds;
	size_t		 n;
	char		*callid;	/* raw Call-ID: chooses the node */
	int		 need_ptl;	/* node must have VF 20081102 */
	int		 new_call;	/* an offer without To-tag */
	int		 need_query;	/* node must have VF 20080403 (Q) */
	int		 from_first;	/* the From-tag went first */
};

int	 rtpc_op_has_sdp(enum rtpc_op);
int	 rtpc_flags_parse(const char *, enum rtpc_op, struct rtpc_flags *,
	    struct rtpc_err *);
int	 rtpc_plan_build(enum rtpc_op, const struct rtpc_flags *,
	    const struct rtpc_call *, const char *, const struct rtpc_sdp *,
	    const struct rtpc_settings *, struct rtpc_plan *,
	    struct rtpc_err *);
int	 rtpc_plan_other(enum rtpc_op, const struct rtpc_call *,
	    const struct rtpc_extra *, struct rtpc_plan *, struct rtpc_err *);
void	 rtpc_plan_free(struct rtpc_plan *);
/* What a node can do, as far as rendering a command goes. */
struct rtpc_caps {
	int	rep;		/* VF 20071116: Z */
	int	ptl;		/* VF 20081102: codec list */
	int	ntf;		/* VF 20081224: timeout notifications */
};

int	 rtpc_cmd_render(const struct rtpc_cmd *, const struct rtpc_caps *,
	    struct rtpc_buf *);
int	 rtpc_cmd_needs_caps(const struct rtpc_cmd *);

#endif
