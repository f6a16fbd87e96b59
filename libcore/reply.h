/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reply.h: parsing relay replies: "port [addr [4|6]]" for U/L, "E<n>",
 * "0", and the meaning of the sippy error codes.
 */
#ifndef RTPC_REPLY_H
#define RTPC_REPLY_H

#include "errors.h"

struct rtpc_ulreply {
	long	port;		/* 0..65535 */
	char	addr[64];	/* empty when the relay gave only a port */
	int	af;		/* 4 or 6, from the reply's family token */
	int	skip;		/* port-0 stream answered with port 0 */
};

/* What a U/L reply means for its stream. */
enum rtpc_ul_verdict {
	RTPC_UL_OK,		/* a port (and maybe an address) */
	RTPC_UL_HELD,		/* port 0 for a stream of port 0 */
	RTPC_UL_BAD,		/* E<n> or not a reply: err says why */
	RTPC_UL_NO_PORT,	/* port 0 for a stream that has a port */
	RTPC_UL_PORT_MAX	/* 65535: no port left for RTCP */
};

int	 rtpc_reply_error(const char *, int *);
enum rtpc_ul_verdict rtpc_reply_judge_ul(const char *, int,
	    struct rtpc_ulreply *, struct rtpc_err *);
int	 rtpc_ul_stops(enum rtpc_ul_verdict);
int	 rtpc_reply_parse_ul(const char *, struct rtpc_ulreply *,
	    struct rtpc_err *);
const char *rtpc_ecode_str(int);

#endif
