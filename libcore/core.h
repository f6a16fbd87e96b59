/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * core.h: what every libcore unit shares: exit statuses, the error
 * record that libcore fills instead of printing, and byte spans.
 *
 * libcore never prints and never exits.  A function that fails returns
 * -1 (or NULL) and fills the caller's struct rtpc_err with the exit
 * status the tool should use and one lowercase line naming the cause.
 */
#ifndef RTPC_CORE_H
#define RTPC_CORE_H

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

/* A region of an input buffer: offset and length. */
struct rtpc_span {
	size_t	off;
	size_t	len;
};

/* Largest input a tool accepts (a SIP message or SDP body). */
#define RTPC_INPUT_MAX	(4u * 1024 * 1024)

int	 rtpc_err_set(struct rtpc_err *, int, const char *, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
void	 rtpc_err_clear(struct rtpc_err *);
int	 rtpc_token_safe(const char *, size_t);
void	 rtpc_escape(char *, size_t, const char *, size_t);
size_t	 rtpc_escape_one(const char *, size_t, char[5], size_t *);
size_t	 rtpc_utf8_len(const unsigned char *, size_t);
char	*rtpc_strndup(const char *, size_t);

#endif
