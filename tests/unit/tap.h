/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tap.h: a tiny TAP producer for the unit tests.
 *
 *	ok(cond, fmt, ...)		one test point
 *	is_int(got, want, fmt, ...)	integers (long long)
 *	is_str(got, want, fmt, ...)	C strings, NULL allowed
 *	is_mem(got, glen, want, wlen, fmt, ...)	byte strings
 *	like(got, sub, fmt, ...)	got contains sub
 *	diag(fmt, ...)			a "# " comment line
 *	return done_testing();		prints "1..N"; 1 if anything failed
 *
 * A failed test prints what was expected and what came, escaped, as
 * TAP comments.  Everything goes to stdout, in order.
 */
#ifndef RTPP_TAP_H
#define RTPP_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count;
static int tap_failed;

static inline void
tap_vname(int pass, const char *file, int line, const char *fmt,
    va_list ap) __attribute__((__format__(__printf__, 4, 0)));
static inline void
tap_vname(int pass, const char *file, int line, const char *fmt,
    va_list ap)
{
	tap_count++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	vprintf(fmt, ap);
	putchar('\n');
	if (!pass)
		printf("#   Failed test at %s line %d.\n", file, line);
	fflush(stdout);
}

/* Print bytes as a C-like quoted string on one comment line. */
static inline void
tap_show(const char *label, const char *s, size_t len)
{
	size_t i;

	printf("#   %8s: ", label);
	if (s == NULL) {
		printf("NULL\n");
		return;
	}
	putchar('\'');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r')
			printf("\\r");
		else if (c == '\n')
			printf("\\n");
		else if (c == '\t')
			printf("\\t");
		else if (c == '\\' || c == '\'')
			printf("\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	printf("' (%zu bytes)\n", len);
}

static inline int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
    __attribute__((__format__(__printf__, 4, 5)));
static inline int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vname(pass, file, line, fmt, ap);
	va_end(ap);
	return pass;
}

static inline int
tap_is_int(long long got, long long want, const char *file, int line,
    const char *fmt, ...) __attribute__((__format__(__printf__, 5, 6)));
static inline int
tap_is_int(long long got, long long want, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;
	int pass = got == want;

	va_start(ap, fmt);
	tap_vname(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass)
		printf("#        got: %lld\n#   expected: %lld\n", got, want);
	return pass;
}

static inline int
tap_is_mem(const char *got, size_t glen, const char *want, size_t wlen,
    const char *file, int line, const char *fmt, ...)
    __attribute__((__format__(__printf__, 7, 8)));
static inline int
tap_is_mem(const char *got, size_t glen, const char *want, size_t wlen,
    const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int pass;

	if (got == NULL || want == NULL)
		pass = got == want;
	else
		pass = glen == wlen && memcmp(got, want, glen) == 0;
	va_start(ap, fmt);
	tap_vname(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass) {
		tap_show("got", got, glen);
		tap_show("expected", want, wlen);
		if (got != NULL && want != NULL) {
			size_t i = 0;

			while (i < glen && i < wlen && got[i] == want[i])
				i++;
			printf("#   first difference at byte %zu\n", i);
		}
	}
	return pass;
}

static inline int
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *fmt, ...) __attribute__((__format__(__printf__, 5, 6)));
static inline int
tap_is_str(const char *got, const char *want, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;
	char name[512];

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	return tap_is_mem(got, got ? strlen(got) : 0, want,
	    want ? strlen(want) : 0, file, line, "%s", name);
}

static inline int
tap_like(const char *got, const char *sub, const char *file, int line,
    const char *fmt, ...) __attribute__((__format__(__printf__, 5, 6)));
static inline int
tap_like(const char *got, const char *sub, const char *file, int line,
    const char *fmt, ...)
{
	va_list ap;
	int pass = got != NULL && strstr(got, sub) != NULL;

	va_start(ap, fmt);
	tap_vname(pass, file, line, fmt, ap);
	va_end(ap);
	if (!pass) {
		tap_show("got", got, got ? strlen(got) : 0);
		tap_show("wanted in", sub, strlen(sub));
	}
	return pass;
}

static inline void
diag(const char *fmt, ...) __attribute__((__format__(__printf__, 1, 2)));
static inline void
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_count);
	if (tap_failed > 0)
		printf("# failed %d of %d tests\n", tap_failed, tap_count);
	fflush(stdout);
	return tap_failed > 0 || tap_count == 0 ? 1 : 0;
}

#define ok(cond, ...)	tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...) \
	tap_is_int((long long)(got), (long long)(want), __FILE__, __LINE__, \
	    __VA_ARGS__)
#define is_str(got, want, ...) \
	tap_is_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
#define is_mem(got, glen, want, wlen, ...) \
	tap_is_mem((got), (glen), (want), (wlen), __FILE__, __LINE__, \
	    __VA_ARGS__)
#define like(got, sub, ...) \
	tap_like((got), (sub), __FILE__, __LINE__, __VA_ARGS__)

#endif
