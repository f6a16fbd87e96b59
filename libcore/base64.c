/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * base64.c: decode (whitespace tolerant, strict otherwise) and encode
 * with optional line wrapping.
 */
#include <stdint.h>
#include <string.h>

#include "errors.h"
#include "base64.h"

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Value of a base64 digit, -1 for anything else. */
static int
b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static int
is_b64space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Decode s into out.  Whitespace anywhere is skipped; padding may only
 * end the data.  On error returns -1 and stores the offset of the bad
 * byte in *badoff.
 */
int
rtpc_b64_decode(const char *s, size_t len, struct rtpc_buf *out,
    size_t *badoff)
{
	uint32_t acc = 0;
	size_t i, n = 0, pad = 0;
	unsigned char o[3];
	int v;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_b64space(c))
			continue;
		if (c == '=') {
			if (n % 4 < 2)
				goto bad;
			pad++;
			n++;
			acc <<= 6;
			if (n % 4 == 0)
				break;
			continue;
		}
		if (pad > 0 || (v = b64val(c)) < 0)
			goto bad;
		acc = (acc << 6) | (uint32_t)v;
		n++;
		if (n % 4 == 0) {
			o[0] = (unsigned char)(acc >> 16);
			o[1] = (unsigned char)(acc >> 8);
			o[2] = (unsigned char)acc;
			if (rtpc_buf_add(out, o, 3) == -1)
				goto bad;
			acc = 0;
		}
	}
	if (pad > 0) {
		if (n % 4 != 0)		/* padding cut short: "Zg=" */
			goto bad;
		o[0] = (unsigned char)(acc >> 16);
		o[1] = (unsigned char)(acc >> 8);
		if (rtpc_buf_add(out, o, 3 - pad) == -1)
			goto bad;
		/* nothing but whitespace may follow the padding */
		for (i++; i < len; i++)
			if (!is_b64space((unsigned char)s[i]))
				goto bad;
		return 0;
	}
	if (n % 4 == 1)
		goto bad;
	if (n % 4 == 2) {
		o[0] = (unsigned char)(acc >> 4);
		if (rtpc_buf_add(out, o, 1) == -1)
			goto bad;
	} else if (n % 4 == 3) {
		o[0] = (unsigned char)(acc >> 10);
		o[1] = (unsigned char)(acc >> 2);
		if (rtpc_buf_add(out, o, 2) == -1)
			goto bad;
	}
	return 0;
bad:
	if (badoff != NULL)
		*badoff = i;
	return -1;
}

/*
 * Encode p into out, with a newline after every wrap characters (0: no
 * wrapping) and after the last line.
 */
int
rtpc_b64_encode(const void *p, size_t len, size_t wrap, struct rtpc_buf *out)
{
	const unsigned char *s = p;
	size_t i, col = 0;
	char q[4];

	for (i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		size_t k;

		if (i + 1 < len)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < len)
			v |= s[i + 2];
		q[0] = b64chars[(v >> 18) & 63];
		q[1] = b64chars[(v >> 12) & 63];
		q[2] = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? b64chars[v & 63] : '=';
		for (k = 0; k < 4; k++) {
			if (wrap > 0 && col == wrap) {
				if (rtpc_buf_add(out, "\n", 1) == -1)
					return -1;
				col = 0;
			}
			if (rtpc_buf_add(out, &q[k], 1) == -1)
				return -1;
			col++;
		}
	}
	return rtpc_buf_add(out, "\n", 1);
}

/* Does the text look like base64 (only the alphabet, '=' and spaces)? */
int
rtpc_b64_looks(const char *s, size_t len)
{
	size_t i, digits = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_b64space(c))
			continue;
		if (c != '=' && b64val(c) < 0)
			return 0;
		digits++;
	}
	return digits >= 4;
}
