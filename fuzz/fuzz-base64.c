/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz-base64: round trips.  Any bytes encode and decode back to
 * themselves (wrapped or not); whatever decodes re-encodes to text that
 * decodes to the same bytes.  The first byte picks the wrap width.
 */
#include "fuzz.h"
#include "base64.h"
#include "buf.h"

static void
roundtrip(const char *p, size_t len, size_t wrap)
{
	struct rtpc_buf enc, dec;
	size_t i, bad;

	rtpc_buf_init(&enc, 0);
	rtpc_buf_init(&dec, 0);
	CHECK(rtpc_b64_encode(p, len, wrap, &enc) == 0);
	CHECK(enc.len > 0 && enc.data[enc.len - 1] == '\n');
	for (i = 0; i < enc.len; i++)
		CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		    "0123456789+/=\n", enc.data[i]) != NULL && enc.data[i]);
	CHECK(rtpc_b64_looks(enc.data, enc.len) == (len > 0));
	CHECK(rtpc_b64_decode(enc.data, enc.len, &dec, &bad) == 0);
	CHECK(dec.len == len && (len == 0 || memcmp(dec.data, p, len) == 0));
	rtpc_buf_free(&enc);
	rtpc_buf_free(&dec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtpc_buf dec;
	size_t wrap, bad = (size_t)-1;

	if (size == 0)
		return 0;
	wrap = data[0] % 4 == 0 ? 0 : data[0] % 77;
	data++, size--;
	roundtrip((const char *)data, size, wrap);
	rtpc_buf_init(&dec, 0);
	if (rtpc_b64_decode((const char *)data, size, &dec, &bad) == 0) {
		CHECK(dec.len <= size / 4 * 3 + 2);
		roundtrip(dec.data ? dec.data : "", dec.len, 76);
	} else
		CHECK(bad <= size);
	(void)rtpc_b64_looks((const char *)data, size);
	rtpc_buf_free(&dec);
	return 0;
}
