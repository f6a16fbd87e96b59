/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-base64.c: RFC 4648 base64 decode and encode (base64.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "buf.h"
#include "tap.h"

/* RFC 4648 section 10 test vectors. */
static const struct {
	const char *plain;
	const char *b64;
} vectors[] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

#define NVEC	(sizeof(vectors) / sizeof(vectors[0]))

/* Decode s; returns rc, leaves the result in out (caller frees). */
static int
dec(const char *s, struct rtpc_buf *out, size_t *bad)
{
	rtpc_buf_init(out, 0);
	*bad = (size_t)-1;
	return rtpc_b64_decode(s, strlen(s), out, bad);
}

static void
test_vectors(void)
{
	size_t i, bad;

	for (i = 0; i < NVEC; i++) {
		struct rtpc_buf b;
		char want[32];
		int rc;

		/* encoding always ends with one newline */
		rtpc_buf_init(&b, 0);
		rc = rtpc_b64_encode(vectors[i].plain, strlen(vectors[i].plain),
		    0, &b);
		snprintf(want, sizeof(want), "%s\n", vectors[i].b64);
		is_int(rc, 0, "encode '%s' succeeds", vectors[i].plain);
		is_mem(b.data, b.len, want, strlen(want),
		    "encode '%s' -> '%s'", vectors[i].plain, vectors[i].b64);
		rtpc_buf_free(&b);

		rc = dec(vectors[i].b64, &b, &bad);
		is_int(rc, 0, "decode '%s' succeeds", vectors[i].b64);
		is_mem(b.data ? b.data : "", b.len, vectors[i].plain,
		    strlen(vectors[i].plain), "decode '%s' -> '%s'",
		    vectors[i].b64, vectors[i].plain);
		rtpc_buf_free(&b);
	}
}

static void
test_whitespace(void)
{
	static const char *const forms[] = {
		"Zm9v\nYmFy\n", "Zm9v\r\nYmFy\r\n", "  Zm9v YmFy\t",
		"Z m 9 v Y m F y", "\nZm9vYmFy",
	};
	size_t i, bad;
	struct rtpc_buf b;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		int rc = dec(forms[i], &b, &bad);

		is_int(rc, 0, "whitespace form %zu decodes", i);
		is_mem(b.data, b.len, "foobar", 6,
		    "whitespace form %zu gives foobar", i);
		rtpc_buf_free(&b);
	}
	/* whitespace around and inside the padding */
	is_int(dec("Zg= =\n", &b, &bad), 0, "space between pad characters");
	is_mem(b.data, b.len, "f", 1, "... decodes to f");
	rtpc_buf_free(&b);
	is_int(dec("Zm8=\r\n\r\n", &b, &bad), 0,
	    "blank lines after the padding");
	is_mem(b.data, b.len, "fo", 2, "... decodes to fo");
	rtpc_buf_free(&b);
}

static void
test_errors(void)
{
	static const struct {
		const char *in;
		size_t badoff;
		const char *what;
	} bad[] = {
		{ "Zm9v!mFy", 4, "a byte outside the alphabet" },
		{ "Zm9v-_Fy", 4, "the URL-safe alphabet" },
		{ "=Zm9", 0, "padding first" },
		{ "Z===", 1, "padding after one digit" },
		{ "Zg==Zg==", 4, "data after the padding" },
		{ "Zg=a", 3, "a digit after one pad character" },
		{ "Zm9vY", 5, "a dangling single digit" },
		{ "Zm9vYmFy\x01", 8, "a control byte" },
	};
	size_t i, off;
	struct rtpc_buf b;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = dec(bad[i].in, &b, &off);

		is_int(rc, -1, "refuses %s", bad[i].what);
		is_int(off, bad[i].badoff, "... and names byte %zu",
		    bad[i].badoff);
		rtpc_buf_free(&b);
	}
	/*
	 * "Zg=" is a quantum with only one of its two pad characters: it
	 * must be refused (or at worst decode to "f"), never produce
	 * other bytes.
	 */
	{
		int rc = dec("Zg=", &b, &off);

		is_int(rc, -1, "truncated padding 'Zg=' is refused");
		is_int(off, 3, "... at its end (byte 3)");
		if (rc == 0)
			diag("decoded to %zu bytes, first 0x%02x", b.len,
			    b.len ? (unsigned char)b.data[0] : 0);
		rtpc_buf_free(&b);
	}
	{
		int rc = dec("Zm9vYg", &b, &off);

		/* 6 digits: 4 bytes, unpadded; if accepted, must be exact */
		ok(rc == -1 || (b.len == 4 && memcmp(b.data, "foob", 4) == 0),
		    "unpadded 'Zm9vYg' is refused or decodes to foob");
		rtpc_buf_free(&b);
	}
	{
		int rc = dec("Zm9vYmE", &b, &off);

		/* 7 digits: 5 bytes, unpadded; if accepted, must be exact */
		ok(rc == -1 || (b.len == 5 && memcmp(b.data, "fooba", 5) == 0),
		    "unpadded 'Zm9vYmE' is refused or decodes to fooba");
		rtpc_buf_free(&b);
	}
}

static void
test_wrap(void)
{
	unsigned char in[100];
	struct rtpc_buf b, d;
	size_t i, bad, col, maxcol;
	int lines;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 + 3);
	rtpc_buf_init(&b, 0);
	is_int(rtpc_b64_encode(in, sizeof(in), 76, &b), 0,
	    "encode 100 bytes wrapped at 76");
	/* 100 bytes -> 136 characters: one line of 76 and one of 60 */
	is_int(b.len, 136 + 2, "... 136 characters and two newlines");
	lines = 0;
	maxcol = col = 0;
	for (i = 0; i < b.len; i++) {
		if (b.data[i] == '\n') {
			lines++;
			if (col > maxcol)
				maxcol = col;
			col = 0;
		} else
			col++;
	}
	is_int(lines, 2, "... on two lines");
	is_int(maxcol, 76, "... no line longer than 76");
	ok(b.len > 0 && b.data[b.len - 1] == '\n', "... ends with a newline");
	is_int(dec(b.data, &d, &bad), 0, "wrapped text decodes");
	is_mem(d.data, d.len, (const char *)in, sizeof(in),
	    "... to the same bytes");
	rtpc_buf_free(&d);
	rtpc_buf_free(&b);

	/* 57 bytes -> exactly 76 characters: one newline, not two */
	rtpc_buf_init(&b, 0);
	rtpc_b64_encode(in, 57, 76, &b);
	is_int(b.len, 77, "57 bytes at wrap 76: one full line");
	ok(b.len == 77 && b.data[76] == '\n' && memchr(b.data, '\n', 76) ==
	    NULL, "... with a single final newline");
	rtpc_buf_free(&b);

	/* wrap 4 puts every quantum on its own line */
	rtpc_buf_init(&b, 0);
	rtpc_b64_encode("foobar", 6, 4, &b);
	is_str(b.data, "Zm9v\nYmFy\n", "wrap 4 splits per quantum");
	rtpc_buf_free(&b);
}

static void
test_roundtrip(void)
{
	unsigned char in[300];
	size_t n, i, bad;
	int fails = 0;
	static const size_t wraps[] = { 0, 1, 60, 76 };
	size_t w;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)((i * 131 + 17) & 0xff);
	for (w = 0; w < sizeof(wraps) / sizeof(wraps[0]); w++)
		for (n = 0; n <= sizeof(in); n++) {
			struct rtpc_buf e, d;

			rtpc_buf_init(&e, 0);
			rtpc_buf_init(&d, 0);
			if (rtpc_b64_encode(in, n, wraps[w], &e) != 0 ||
			    rtpc_b64_decode(e.data, e.len, &d, &bad) != 0 ||
			    d.len != n || (n > 0 && memcmp(d.data, in, n) != 0))
				fails++;
			rtpc_buf_free(&e);
			rtpc_buf_free(&d);
		}
	is_int(fails, 0, "round trip of 0..300 bytes, wraps 0/1/60/76");

	/* every byte value survives */
	for (i = 0; i < 256; i++)
		in[i] = (unsigned char)i;
	{
		struct rtpc_buf e, d;

		rtpc_buf_init(&e, 0);
		rtpc_buf_init(&d, 0);
		rtpc_b64_encode(in, 256, 0, &e);
		is_int(rtpc_b64_decode(e.data, e.len, &d, &bad), 0,
		    "all 256 byte values decode");
		is_mem(d.data, d.len, (const char *)in, 256,
		    "... to the same bytes");
		rtpc_buf_free(&e);
		rtpc_buf_free(&d);
	}
}

static void
test_cap(void)
{
	struct rtpc_buf b;
	size_t bad;

	/* a buffer capped at 4 bytes cannot take "foobar" */
	rtpc_buf_init(&b, 4);
	is_int(rtpc_b64_decode("Zm9vYmFy", 8, &b, &bad), -1,
	    "decode into a 4-byte capped buffer fails");
	ok(b.toobig, "... and marks the buffer too big");
	rtpc_buf_free(&b);
	rtpc_buf_init(&b, 6);
	is_int(rtpc_b64_decode("Zm9vYmFy", 8, &b, &bad), 0,
	    "decode into a 6-byte capped buffer works");
	rtpc_buf_free(&b);
}

static void
test_looks(void)
{
	static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\n";
	static const char sip[] = "INVITE sip:a@b SIP/2.0\r\n";

	ok(rtpc_b64_looks("Zm9vYmFy", 8), "looks: plain base64");
	ok(rtpc_b64_looks("Zm9v\nYmFy\n", 10), "looks: wrapped base64");
	ok(rtpc_b64_looks("Zg==", 4), "looks: padded base64");
	ok(!rtpc_b64_looks(sdp, strlen(sdp)), "looks: SDP is not base64");
	ok(!rtpc_b64_looks(sip, strlen(sip)), "looks: SIP is not base64");
	ok(!rtpc_b64_looks("", 0), "looks: empty is not base64");
	ok(!rtpc_b64_looks("abc", 3), "looks: 3 digits are too few");
	ok(!rtpc_b64_looks("Zm9v-YmFy", 9), "looks: '-' is not base64");
}

int
main(void)
{
	test_vectors();
	test_whitespace();
	test_errors();
	test_wrap();
	test_roundtrip();
	test_cap();
	test_looks();
	return done_testing();
}
