/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sdp.h: the view of an SDP body (RFC 8866) that the rewrite needs:
 * sessions (one per v= line), their o= and c= lines, and per m= line
 * its port, transport, payload types, c=, a=rtcp and a=candidate lines.
 * Offsets are into the caller's whole buffer; nothing is copied.
 */
#ifndef RTPC_SDP_H
#define RTPC_SDP_H

#include "errors.h"
#include "text.h"

#define RTPC_SDP_STREAMS_MAX	1024
#define RTPC_SDP_LINES_MAX	100000

/* An address field: "IN IP4 addr" at the end of a c= or o= line. */
struct rtpc_sdp_addr {
	int		 present;
	struct rtpc_span fam;		/* "IP4"/"IP6" */
	struct rtpc_span addr;		/* the address (c=: before any /ttl) */
	struct rtpc_span field;		/* the address with its /ttl[/n]: what
					   a rewrite replaces */
	int		 af;		/* 4 or 6 */
	int		 null;		/* 0.0.0.0, or only '0' and ':' */
	int		 line;		/* line number in the input */
};

struct rtpc_sdp_stream {
	int		 session;	/* index into sessions */
	int		 line;		/* line number of m= */
	struct rtpc_span media;		/* "audio" */
	struct rtpc_span port;		/* port digits */
	struct rtpc_span portfield;	/* the port with any /count */
	struct rtpc_span proto;		/* "RTP/AVP" */
	struct rtpc_span fmts;		/* payload types, space separated */
	struct rtpc_sdp_addr c;		/* the stream's own c= */
	struct rtpc_span *rtcp;		/* values of a=rtcp: lines */
	size_t		 nrtcp;
	int		 ncand;		/* a=candidate lines */
	size_t		 lastcand;	/* offset of the last one's start */
};

struct rtpc_sdp_session {
	struct rtpc_sdp_addr o;		/* from o= */
	struct rtpc_sdp_addr c;		/* session-level c= */
	int		 first;		/* first stream index */
	int		 nstreams;
};

struct rtpc_sdp {
	struct rtpc_sdp_session	*sessions;
	int			 nsessions;
	struct rtpc_sdp_stream	*streams;
	int			 nstreams;
	const char		*eol;	/* "\r\n" or "\n", from line 1 */
	size_t			 end;	/* offset after the last line's text */
	size_t			 limit;	/* offset after the body */
};

int	 rtpc_sdp_parse(const char *, size_t, size_t, struct rtpc_sdp *,
	    struct rtpc_err *);
void	 rtpc_sdp_free(struct rtpc_sdp *);
const struct rtpc_sdp_addr *rtpc_sdp_stream_addr(const struct rtpc_sdp *,
	    int);
int	 rtpc_sdp_is_rtp(const char *, const struct rtpc_sdp_stream *);
int	 rtpc_sdp_has_marker(const char *, size_t, size_t, const char *);
int	 rtpc_addr_null(const char *, size_t, int);

#endif
