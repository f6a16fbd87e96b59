/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * message.h: the input of a call-path run, read and parsed once into
 * one value: its form, the SIP start line and headers, the call data
 * (message, Kamailio's environment and options merged), the SDP body
 * and whether it carries the marker.
 */
#ifndef RTPC_MESSAGE_H
#define RTPC_MESSAGE_H

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "job.h"
#include "plan.h"
#include "sdp.h"
#include "sip.h"

/* How far the SDP of the message could be taken. */
enum rtpc_msg_sdp {
	RTPC_MSG_SDP_OK,	/* parsed into sdp */
	RTPC_MSG_SDP_BROKEN,	/* no Content-Type, or a cut message */
	RTPC_MSG_SDP_NONE,	/* no SDP body (sdp_err says why) */
	RTPC_MSG_SDP_BAD	/* an SDP body that does not parse */
};

struct rtpc_msg {
	enum rtpc_form	 form;		/* the input form detected */
	enum rtpc_form	 inner;		/* SIP, SDP, or AUTO: empty */
	const char	*buf;		/* the message (decoded from base64) */
	size_t		 len;		/* up to the end of its body */
	struct rtpc_sip	 sip;
	struct rtpc_call call;
	struct rtpc_span body;		/* where the marker is looked for */
	struct rtpc_span sdp_span;	/* the SDP in buf; len 0: none */
	enum rtpc_msg_sdp sdp_state;
	struct rtpc_err	 sdp_err;	/* why sdp_state is not OK */
	struct rtpc_sdp	 sdp;
	int		 marker;	/* the body has the marker */
	/* storage */
	struct rtpc_buf	 dec;		/* decoded base64 input */
	char		*own[8];	/* strings copied out of the message */
	int		 nown;
	int		 nomem;		/* a copy failed */
};

int	 rtpc_msg_read(struct rtpc_msg *, const struct rtpc_request *,
	    const char *, size_t, struct rtpc_err *);
void	 rtpc_msg_take_sdp(struct rtpc_msg *, const char *);
int	 rtpc_msg_sdp_check(const struct rtpc_msg *, const struct rtpc_flags *,
	    const char *, struct rtpc_err *);
int	 rtpc_msg_is_ip(const char *);
void	 rtpc_msg_free(struct rtpc_msg *);

#endif
