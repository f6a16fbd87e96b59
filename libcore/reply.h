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

int	 rtpc_reply_error(const char *, int *);
int	 rtpc_reply_parse_ul(const char *, struct rtpc_ulreply *,
	    struct rtpc_err *);
const char *rtpc_ecode_str(int);

#endif
