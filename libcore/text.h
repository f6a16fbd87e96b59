/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * text.h: byte spans and the string helpers shared by libcore: the
 * protocol's token rule, the one escaping rule for text shown to
 * people, UTF-8 lengths and %-encoding.
 */
#ifndef RTPC_TEXT_H
#define RTPC_TEXT_H

#include <stddef.h>

struct rtpc_buf;

/* A region of an input buffer: offset and length. */
struct rtpc_span {
	size_t	off;
	size_t	len;
};

int	 rtpc_token_safe(const char *, size_t);
void	 rtpc_escape(char *, size_t, const char *, size_t);
size_t	 rtpc_escape_one(const char *, size_t, char[5], size_t *);
size_t	 rtpc_utf8_len(const unsigned char *, size_t);
char	*rtpc_strndup(const char *, size_t);
int	 rtpc_pct_encode(const char *, struct rtpc_buf *);

#endif
