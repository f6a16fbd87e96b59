/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * transport.h: sending one control command to one node and reading its
 * reply.  UDP: a fresh cookie per command, the same datagram resent up
 * to retr times tout apart, replies matched by cookie, stale datagrams
 * dropped, one total deadline.  Unix: one stream connection per
 * command, no cookie, the same deadline.
 */
#ifndef RTPC_TRANSPORT_H
#define RTPC_TRANSPORT_H

#include <stddef.h>

#include "errors.h"
#include "config.h"

#define RTPC_NG_DGRAM_MAX 65507	/* the largest UDP payload over IPv4 */

struct rtpc_buf;

struct rtpc_tx {
	long		 tout_ms;
	int		 retr;
	const char	*force_socket;
	rtpc_trace_fn	 trace;
	void		*trace_ctx;
	long long	 end_ms;	/* monotonic end of the run; 0: none */
	char		 prefix[40];	/* cookie prefix: pid and random */
	unsigned	 seq;
	struct {
		const struct rtpc_node *node;
		int fd;
	}		*socks;		/* open UDP sockets, one per node */
	size_t		 nsocks;
	size_t		 socks_cap;
	char		*obuf;		/* the datagram going out */
	size_t		 ocap;
	char		*ibuf;		/* the datagram coming in */
	size_t		 icap;
};

void	 rtpc_tx_init(struct rtpc_tx *, long, int, const char *);
void	 rtpc_tx_close(struct rtpc_tx *);
void	 rtpc_tx_set_deadline(struct rtpc_tx *, long);
int	 rtpc_tx_expired(const struct rtpc_tx *);
int	 rtpc_tx_send(struct rtpc_tx *, const struct rtpc_node *, const char *,
	    char *, size_t, long *, struct rtpc_err *);
int	 rtpc_tx_send_ng(struct rtpc_tx *, const struct rtpc_node *,
	    const char *, size_t, struct rtpc_buf *, long *, struct rtpc_err *);

#endif
