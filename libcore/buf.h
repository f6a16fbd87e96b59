/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * buf.h: a growable byte buffer with a hard size cap (the output of the
 * rewrite step and of base64 coding).
 */
#ifndef RTPC_BUF_H
#define RTPC_BUF_H

#include <stddef.h>

/* Largest input a tool accepts (a SIP message or SDP body). */
#define RTPC_INPUT_MAX	(4u * 1024 * 1024)

struct rtpc_buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;		/* hard limit; 0 means RTPC_INPUT_MAX * 2 */
	int	 toobig;	/* set once an append failed: over max, or
				   out of memory (then nomem is set too);
				   every later append fails as well */
	int	 nomem;
};

void	 rtpc_buf_init(struct rtpc_buf *, size_t);
int	 rtpc_buf_add(struct rtpc_buf *, const void *, size_t);
int	 rtpc_buf_addstr(struct rtpc_buf *, const char *);
int	 rtpc_buf_printf(struct rtpc_buf *, const char *, ...)
	    __attribute__((__format__(__printf__, 2, 3)));
void	 rtpc_buf_reset(struct rtpc_buf *);
const char *rtpc_buf_why(const struct rtpc_buf *);
void	 rtpc_buf_free(struct rtpc_buf *);

#endif
