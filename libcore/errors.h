/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * errors.h: exit statuses, the error record that libcore fills instead
 * of printing, and the callbacks through which it reports warnings and
 * traces.
 *
 * libcore never prints and never exits.  A function that fails returns
 * -1 (or NULL) and fills the caller's struct rtpc_err with the exit
 * status the tool should use and one lowercase line naming the cause.
 */
#ifndef RTPC_ERRORS_H
#define RTPC_ERRORS_H

#include <stddef.h>

enum rtpc_exit {
	RTPC_EXIT_OK = 0,	/* done */
	RTPC_EXIT_FAIL = 1,	/* bad input, E reply, unusable reply */
	RTPC_EXIT_USAGE = 2,	/* usage or configuration error */
	RTPC_EXIT_NORELAY = 3,	/* every node down or timed out */
	RTPC_EXIT_PROXIED = 4	/* marker present, nothing sent */
};

struct rtpc_err {
	int	code;		/* an enum rtpc_exit value */
	char	msg[512];
};

/* A warning, one line without the program name. */
typedef void (*rtpc_warn_fn)(void *, const char *);

/* Called for every datagram sent ('>') or received ('<'). */
typedef void (*rtpc_trace_fn)(void *, int, const char *, const char *,
    size_t);

int	 rtpc_err_set(struct rtpc_err *, int, const char *, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
void	 rtpc_err_clear(struct rtpc_err *);

#endif
