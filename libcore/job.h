/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * job.h: one run of a call-path tool, step by step: read and parse the
 * input (message.c), decide (manage.c, rtpp-manage only), plan, talk,
 * judge the replies, rewrite, encode (encode.c).  The tool fills the
 * request; libcore fills the result or the error.
 */
#ifndef RTPC_JOB_H
#define RTPC_JOB_H

#include <stddef.h>

#include "errors.h"
#include "buf.h"
#include "config.h"

enum rtpc_op { RTPC_OP_OFFER, RTPC_OP_ANSWER, RTPC_OP_DESTROY,
	RTPC_OP_PLAY, RTPC_OP_STOP, RTPC_OP_RECORD, RTPC_OP_QUERY, RTPC_OP_INFO,
	RTPC_OP_MANAGE, RTPC_OP_NONE };

/* What the commands without SDP (P, S, R, Q) need besides the call. */
struct rtpc_extra {
	int		 uas;		/* P/S toward the callee side */
	const char	*prompt;	/* P */
	long		 count;		/* P: times to play, -1 = loop */
	const char	*counters;	/* Q: named counters, space separated */
	int		 verbose;	/* Q: Qv, name=value */
};

/* Nodes --explain tells about. */
#define RTPC_EXPLAIN_NODES	16

enum rtpc_form { RTPC_FORM_AUTO, RTPC_FORM_SDP, RTPC_FORM_SIP,
	RTPC_FORM_BASE64,
	RTPC_FORM_BODY,		/* output only: the SDP body alone */
	RTPC_FORM_BODY64	/* output only: the SDP body in base64 */
};

enum rtpc_kind { RTPC_KIND_AUTO, RTPC_KIND_REQUEST, RTPC_KIND_REPLY };

/* What --explain shows: nodes, commands, SDP before and after. */
struct rtpc_explain {
	struct {
		char	       *url;
		unsigned	weight;
		double		score;
		char		what[200];
	}		 nodes[RTPC_EXPLAIN_NODES];
	size_t		 nnodes;
	struct {
		char	*sent;
		char	*reply;
		long	 rtt_us;
	}		*cmds;
	size_t		 ncmds;
	struct rtpc_buf	 before;	/* the SDP as it came */
	struct rtpc_buf	 after;		/* the SDP as it goes */
};

/* What a tool asks: the run reads it and never changes it. */
struct rtpc_request {
	enum rtpc_op	 op;		/* MANAGE: rtpp-manage decides */
	const char	*flags;		/* the module's flags, or NULL */
	const char	*ip;		/* the module's ip_address, or NULL */
	const struct rtpc_settings *set;
	/* call data from options; each wins over the message */
	const char	*callid;
	const char	*ftag;
	const char	*ttag;
	const char	*source_ip;
	const char	*local_ip;
	/* Kamailio mode: from SIP_HF_*; they only fill what the input
	 * lacks, and must agree with a SIP message */
	const char	*env_callid;
	const char	*env_ftag;
	const char	*env_ttag;
	enum rtpc_kind	 kind;		/* for bare SDP */
	enum rtpc_form	 in_form;
	enum rtpc_form	 out_form;	/* AUTO: mirror the input */
	size_t		 b64_wrap;	/* base64 output line length */
	int		 dry_run;	/* print the commands, send nothing */
	const char	*fake_reply;	/* answer every command with this */
	struct rtpc_extra extra;	/* P, S, R, Q */
	int		 failure_route;	/* manage: in a failure route */
	int		 explain;	/* fill the result's ex */
	long		 deadline_ms;	/* the run's time; 0: none */
	rtpc_trace_fn	 trace;
	void		*trace_ctx;
	rtpc_warn_fn	 warn;
	void		*warn_ctx;
};

/* What happened. */
struct rtpc_result {
	struct rtpc_buf	 out;		/* the whole output; empty on failure */
	enum rtpc_form	 form;		/* the input form detected */
	char		*node;		/* the node that answered */
	int		 ncmds;
	int		 probes;
	char		*reply;		/* Q, I, G: the relay's reply */
	int		 ng;		/* an ng node answered Q or I: reply
					   is text made of its dictionary */
	char		*json;		/* ng: the whole dictionary in JSON */
	int		 from_first;	/* Q: the From-tag went first */
	enum rtpc_op	 did;		/* manage: what it decided */
	struct rtpc_explain ex;
};

struct rtpc_job {
	struct rtpc_request req;
	struct rtpc_result res;
};

void	 rtpc_job_init(struct rtpc_job *, enum rtpc_op,
	    const struct rtpc_settings *);
int	 rtpc_job_run(struct rtpc_job *, const char *, size_t,
	    struct rtpc_err *);
void	 rtpc_job_free(struct rtpc_job *);

#endif
