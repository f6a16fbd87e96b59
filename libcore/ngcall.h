/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ngcall.h: what a run of a call-path tool asks of a node that speaks
 * rtpengine's ng protocol: one request for the whole call (offer,
 * answer, delete, play media, stop media, start recording, query,
 * statistics) instead of the plan's commands, and what its reply means.
 */
#ifndef RTPC_NGCALL_H
#define RTPC_NGCALL_H

#include <stddef.h>

#include "errors.h"
#include "buf.h"
#include "config.h"
#include "job.h"
#include "plan.h"

/* The run's SDP for offer and answer: where it is and its family. */
struct rtpc_ngcall_sdp {
	const char	*p;
	size_t		 len;
	int		 af;		/* the first stream's: 4 or 6 */
};

int	 rtpc_ngcall_build(enum rtpc_op, const char *,
	    const struct rtpc_call *, const struct rtpc_ngcall_sdp *,
	    const struct rtpc_request *, struct rtpc_buf *,
	    struct rtpc_err *);
int	 rtpc_ngcall_report(const char *, size_t, int, const char *,
	    const char *, struct rtpc_buf *, struct rtpc_buf *,
	    struct rtpc_err *);
int	 rtpc_ngcall_judge(const struct rtpc_buf *, const char *,
	    const char **, size_t *, char *, size_t, struct rtpc_err *);

#endif
