/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-buf.c: the capped byte buffer (buf.h).  A failed append sticks,
 * so that a caller's one check at the end sees that the buffer holds
 * only a part of what was meant (issue 15: a failed allocation used to
 * leave a truncated m= line that went out with exit 0).  Out of memory
 * itself is exercised by tests/all-or-nothing.bats under ulimit -v.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"

static void
test_append(void)
{
	struct rtpc_buf b;

	rtpc_buf_init(&b, 16);
	is_int(rtpc_buf_add(&b, "abc", 3), 0, "add within the cap");
	is_int(rtpc_buf_printf(&b, "%d-%s", 42, "x"), 0, "printf within the cap");
	is_mem(b.data, b.len, "abc42-x", 7, "... both appended");
	is_int(b.data[b.len], '\0', "... NUL-terminated");
	is_int(rtpc_buf_add(&b, "0123456789", 10), -1, "an add over the cap fails");
	ok(b.toobig && !b.nomem, "... too big, not out of memory");
	is_str(rtpc_buf_why(&b), "too large", "... and says so");
	is_mem(b.data, b.len, "abc42-x", 7, "... nothing of it is appended");
	is_int(rtpc_buf_add(&b, "z", 1), -1,
	    "a small add after a failure fails too (the failure sticks)");
	is_int(rtpc_buf_addstr(&b, "z"), -1, "... addstr too");
	is_int(rtpc_buf_printf(&b, "%s", "z"), -1, "... printf too");
	is_mem(b.data, b.len, "abc42-x", 7, "... the buffer is unchanged");
	rtpc_buf_reset(&b);
	ok(!b.toobig && !b.nomem && b.len == 0, "reset clears the failure");
	is_int(rtpc_buf_add(&b, "ok", 2), 0, "... and appends work again");
	rtpc_buf_free(&b);
	ok(b.data == NULL && b.len == 0 && !b.toobig, "free leaves it empty");
}

static void
test_growth(void)
{
	struct rtpc_buf b;
	char chunk[1000];
	int i, bad = 0;

	memset(chunk, 'q', sizeof(chunk));
	rtpc_buf_init(&b, 0);
	for (i = 0; i < 5000; i++)
		if (rtpc_buf_add(&b, chunk, sizeof(chunk)) == -1)
			bad++;
	is_int(bad, 0, "5 MB in 1000-byte appends under the default cap");
	is_int(b.len, 5000000, "... all of it");
	ok(b.cap > b.len, "... with room for the NUL");
	rtpc_buf_free(&b);
}

/* printf formats into the room there is, and grows only when needed:
 * the cap holds either way, and a refused printf leaves nothing. */
static void
test_printf(void)
{
	struct rtpc_buf b;
	char want[3000];
	size_t n = 0;
	int i, bad = 0;

	rtpc_buf_init(&b, 10);
	is_int(rtpc_buf_add(&b, "abcdef", 6), 0, "6 bytes (the room is 256)");
	is_int(rtpc_buf_printf(&b, "%s", "12345"), -1, "a printf that fits "
	    "the room but not the cap fails");
	is_mem(b.data, b.len, "abcdef", 6, "... nothing of it is appended");
	is_int(b.data[b.len], '\0', "... NUL-terminated where it was");
	ok(b.toobig && !b.nomem, "... too big");
	rtpc_buf_free(&b);

	rtpc_buf_init(&b, 0);
	for (i = 0; i < 300; i++) {
		if (rtpc_buf_printf(&b, "%d,", i) == -1)
			bad++;
		n += (size_t)snprintf(want + n, sizeof(want) - n, "%d,", i);
	}
	is_int(bad, 0, "300 printfs, growing past the first room");
	is_mem(b.data, b.len, want, n, "... all of them in order");
	is_int(b.data[b.len], '\0', "... NUL-terminated");
	rtpc_buf_reset(&b);
	memset(want, 'w', 1000);
	is_int(rtpc_buf_printf(&b, "%.*s", 1000, want), 0, "one printf larger "
	    "than the room");
	ok(b.len == 1000 && memcmp(b.data, want, 1000) == 0 &&
	    b.data[1000] == '\0', "... whole");
	rtpc_buf_free(&b);
}

int
main(void)
{
	test_append();
	test_growth();
	test_printf();
	return done_testing();
}
