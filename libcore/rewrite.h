/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rewrite.h: the pure rewrite step: from the input buffer, its SIP and
 * SDP views and one reply per m= line to the output, as a list of
 * non-overlapping edits applied in one pass, Content-Length fixed.
 * rtpc_rewrite_body puts a relay's whole SDP (rtpengine's ng) in place
 * of the message's, the marker added and Content-Length fixed.
 */
#ifndef RTPC_REWRITE_H
#define RTPC_REWRITE_H

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "config.h"
#include "plan.h"
#include "reply.h"
#include "sdp.h"
#include "sip.h"

struct rtpc_rw {
	const char		*buf;
	size_t			 len;
	const struct rtpc_sip	*sip;		/* NULL for bare SDP */
	const struct rtpc_sdp	*sdp;
	const struct rtpc_ulreply *replies;	/* one per m= line, final */
	const struct rtpc_flags	*fl;
	const struct rtpc_settings *set;
	int			 add_marker;
	struct rtpc_span	 sdp_in;	/* the SDP in buf */
	struct rtpc_span	*sdp_out;	/* filled: the SDP in out */
};

int	 rtpc_rewrite(const struct rtpc_rw *, struct rtpc_buf *,
	    struct rtpc_err *);
int	 rtpc_rewrite_body(const struct rtpc_rw *, const char *, size_t,
	    struct rtpc_buf *, struct rtpc_err *);

#endif
