/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * buf.c: growable, capped byte buffer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "buf.h"

void
rtpc_buf_init(struct rtpc_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max ? max : (size_t)RTPC_INPUT_MAX * 2;
}

/*
 * Make room for n more bytes plus a NUL; -1 when over the cap or ENOMEM.
 * A failure sticks: the buffer holds a part of what was meant, so every
 * later append fails too and the caller's one check at the end sees it.
 */
static int
reserve(struct rtpc_buf *b, size_t n)
{
	size_t want, ncap;
	char *p;

	if (b->toobig || n > b->max || b->len > b->max - n) {
		b->toobig = 1;
		return -1;
	}
	want = b->len + n + 1;
	if (want <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < want && ncap <= (size_t)-1 / 2)
		ncap *= 2;
	if (ncap < want)
		ncap = want;
	if ((p = realloc(b->data, ncap)) == NULL) {
		b->toobig = b->nomem = 1;
		return -1;
	}
	b->data = p;
	b->cap = ncap;
	return 0;
}

int
rtpc_buf_add(struct rtpc_buf *b, const void *p, size_t n)
{
	if (reserve(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
rtpc_buf_addstr(struct rtpc_buf *b, const char *s)
{
	return rtpc_buf_add(b, s, strlen(s));
}

int
rtpc_buf_printf(struct rtpc_buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t avail = b->cap > b->len ? b->cap - b->len : 0;
	int n;

	if (b->toobig)
		return -1;
	/* format into the room there is; a second pass only to grow */
	va_start(ap, fmt);
	n = vsnprintf(avail > 0 ? b->data + b->len : NULL, avail, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < avail) {
		if ((size_t)n <= b->max && b->len <= b->max - (size_t)n) {
			b->len += (size_t)n;
			return 0;
		}
		b->data[b->len] = '\0';
		b->toobig = 1;
		return -1;
	}
	if (avail > 0)
		b->data[b->len] = '\0';
	if (n < 0) {
		b->toobig = b->nomem = 1;
		return -1;
	}
	if (reserve(b, (size_t)n) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
rtpc_buf_reset(struct rtpc_buf *b)
{
	b->len = 0;
	b->toobig = b->nomem = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Why an append failed, for an error message. */
const char *
rtpc_buf_why(const struct rtpc_buf *b)
{
	return b->nomem ? "out of memory" : "too large";
}

void
rtpc_buf_free(struct rtpc_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->toobig = b->nomem = 0;
}
