/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz.h: what the fuzz targets share: CHECK() aborts with a message
 * (libFuzzer reports it as a crash and keeps the input), span checks,
 * and a NUL-terminated copy of the input for the C-string parsers.
 */
#ifndef RTPP_FUZZ_H
#define RTPP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "text.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,	\
		    __LINE__, #c);					\
		abort();						\
	}								\
} while (0)

/* Does the span lie inside [lo, hi)? */
static inline int
fuzz_span_in(struct rtpc_span s, size_t lo, size_t hi)
{
	return s.off >= lo && hi >= lo && s.len <= hi - lo &&
	    s.off - lo <= hi - lo - s.len;
}

#define CHECK_SPAN(s, lo, hi)	CHECK(fuzz_span_in((s), (lo), (hi)))

/* A malloc'd copy of data with a NUL after it (NULL on ENOMEM). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s != NULL) {
		if (size > 0)
			memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
