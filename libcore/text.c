/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * text.c: string helpers shared by libcore: the token rule of the
 * control protocol, escaping for people, UTF-8 lengths, %-encoding.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "text.h"

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

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0. */
size_t
rtpc_utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;

	if (n == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/*
 * The one escaping rule for text from a relay, a message or the state
 * shown to people (errors, traces, rtpp-stat, rtpp-ctl raw, list and
 * watch): printable ASCII and valid UTF-8 other than the C1 controls
 * pass, the backslash becomes \\, every other byte (control bytes,
 * ESC, CR, LF, NUL, DEL, C1, invalid UTF-8) becomes \xNN, so that no
 * text can forge a line or drive a terminal.  Renders what starts at
 * s[0] into out (at most 5 bytes, not terminated); returns the length
 * written and sets *used to the input bytes taken.
 */
size_t
rtpc_escape_one(const char *s, size_t n, char out[5], size_t *used)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;

	*used = 1;
	if (p[0] == '\\') {
		out[0] = out[1] = '\\';
		return 2;
	}
	if (p[0] >= 0x20 && p[0] < 0x7f) {
		out[0] = (char)p[0];
		return 1;
	}
	if (p[0] >= 0x80 && (k = rtpc_utf8_len(p, n)) > 1 &&
	    !(p[0] == 0xc2 && p[1] < 0xa0)) {
		memcpy(out, p, k);
		*used = k;
		return k;
	}
	snprintf(out, 5, "\\x%02x", p[0]);
	return 4;
}

/*
 * Write the escaped rendering of s (rtpc_escape_one) into dst.  Always
 * NUL-terminates; truncates with "..." when dst is too small.
 */
void
rtpc_escape(char *dst, size_t dstsz, const char *s, size_t len)
{
	size_t i = 0, o = 0, used, k;
	char one[5];

	if (dstsz == 0)
		return;
	while (i < len) {
		k = rtpc_escape_one(s + i, len - i, one, &used);
		if (o + k + 4 > dstsz) {
			if (o + 3 < dstsz) {
				memcpy(dst + o, "...", 3);
				o += 3;
			}
			break;
		}
		memcpy(dst + o, one, k);
		o += k;
		i += used;
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

/* Unreserved characters of RFC 3986 plus a few safe ones stay as they
 * are; every other byte becomes %XX. */
int
rtpc_pct_encode(const char *s, struct rtpc_buf *out)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || strchr("-._~@", c) != NULL) {
			if (rtpc_buf_add(out, s, 1) == -1)
				return -1;
		} else if (rtpc_buf_printf(out, "%%%02X", c) == -1)
			return -1;
	}
	return 0;
}
