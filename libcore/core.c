/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * core.c: the error record and small string helpers shared by libcore.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

/*
 * Fill the error record and return -1, so that callers can write
 * "return rtpc_err_set(err, ...);".
 */
int
rtpc_err_set(struct rtpc_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void
rtpc_err_clear(struct rtpc_err *err)
{
	err->code = RTPC_EXIT_OK;
	err->msg[0] = '\0';
}

/*
 * A token may go into a control command only if it cannot break the
 * whitespace-separated protocol: no space, no control byte, no DEL,
 * and not empty.
 */
int
rtpc_token_safe(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

/*
 * Write a printable rendering of s into dst: bytes outside 0x20-0x7e
 * and the backslash become \xNN.  Always NUL-terminates; truncates
 * with "..." when dst is too small.
 */
void
rtpc_escape(char *dst, size_t dstsz, const char *s, size_t len)
{
	size_t i, o = 0;

	if (dstsz == 0)
		return;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t need = (c < 0x20 || c > 0x7e || c == '\\') ? 4 : 1;

		if (o + need + 4 > dstsz) {
			if (o + 3 < dstsz) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		if (need == 4)
			o += (size_t)snprintf(dst + o, dstsz - o, "\\x%02x", c);
		else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
}

/* strndup that never reads past len and returns NULL only on ENOMEM. */
char *
rtpc_strndup(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}
