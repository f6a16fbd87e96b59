/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-offers.c: the late-offer memory (offers.h): 100,000 entries
 * within the TTL kept, the oldest evicted first at the bound, the TTL,
 * long Call-IDs that take one entry each, stores that are not ours or
 * not files refused without blocking, a held lock waited for only
 * briefly.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "offers.h"
#include "healthfile.h"
#include "tap.h"

#define CSEQ	"1"

static char dir[64];

static void
id_of(char *buf, size_t sz, const char *prefix, long i)
{
	snprintf(buf, sz, "%s%ld@example.com", prefix, i);
}

static long
count(const char *d, const char *prefix, long first, long last)
{
	struct rtpc_err e;
	char id[64];
	long i, n = 0;

	for (i = first; i <= last; i++) {
		id_of(id, sizeof(id), prefix, i);
		if (rtpc_offers_known(d, id, CSEQ, &e) == 1)
			n++;
	}
	return n;
}

static int
fill(const char *d, const char *prefix, long first, long last,
    long long at)
{
	struct rtpc_err e;
	char id[64];
	long i;

	for (i = first; i <= last; i++) {
		id_of(id, sizeof(id), prefix, i);
		if (rtpc_offers_note_at(d, id, CSEQ, at, &e) == -1) {
			diag("%s", e.msg);
			return -1;
		}
	}
	return 0;
}

static char *
sub(const char *name)
{
	static char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static double
ms_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void
test_basic(const char *d)
{
	struct rtpc_err e;

	is_int(rtpc_offers_known(d, "a@b", CSEQ, &e), 0,
	    "nothing known before the first note (no store yet)");
	ok(rtpc_offers_note(d, "a@b", CSEQ, &e) == 0, "note");
	is_int(rtpc_offers_known(d, "a@b", CSEQ, &e), 1, "known after it");
	is_int(rtpc_offers_known(d, "a@b", "2", &e), 0,
	    "per CSeq: another CSeq of the call is not known");
	is_int(rtpc_offers_known(d, "a@c", CSEQ, &e), 0,
	    "another Call-ID is not known");
	is_int(rtpc_offers_known("", "a@b", CSEQ, &e), 0,
	    "no state directory: no memory");
}

static void
test_ttl(const char *d)
{
	long long now = rtpc_now();

	fill(d, "old-", 1, 1, now - RTPC_OFFERS_TTL - 1);
	fill(d, "young-", 1, 1, now - RTPC_OFFERS_TTL + 30);
	is_int(count(d, "old-", 1, 1), 0, "an entry past the TTL is gone");
	is_int(count(d, "young-", 1, 1), 1, "one within the TTL is kept");
}

static void
test_many(const char *d)
{
	long long now = rtpc_now();
	struct stat sb;

	/* spread over the TTL, the oldest almost expired */
	ok(fill(d, "m-", 1, 50000, now - RTPC_OFFERS_TTL + 60) == 0 &&
	    fill(d, "m-", 50001, 100000, now) == 0, "100,000 notes");
	is_int(count(d, "m-", 1, 100000), 100000,
	    "all 100,000 entries within the TTL are known");
	if (stat(sub(RTPC_OFFERS_FILE), &sb) == -1)
		sb.st_size = -1;
	ok(sb.st_size > 0 && sb.st_size < 8 << 20,
	    "the store stays a fixed size below 8 MiB (%lld bytes)",
	    (long long)sb.st_size);
}

static void
test_bound(const char *d)
{
	struct rtpc_err e;

	ok(rtpc_offers_create(d, 1000, &e) == 0, "a store of 1000 entries");
	fill(d, "b-", 1, 1000, rtpc_now());
	is_int(count(d, "b-", 1, 1000), 1000, "full: all 1000 known");
	fill(d, "b-", 1001, 1001, rtpc_now());
	is_int(count(d, "b-", 1, 1), 0, "one more: the oldest is evicted");
	is_int(count(d, "b-", 2, 1001), 1000, "and only the oldest");
	fill(d, "b-", 1002, 1500, rtpc_now());
	is_int(count(d, "b-", 1, 500), 0,
	    "499 more: the 500 oldest are gone");
	is_int(count(d, "b-", 501, 1500), 1000, "the 1000 newest are kept");
}

static void
test_long_callids(const char *d)
{
	struct rtpc_err e;
	char *big;
	int i, known = 0;

	ok(rtpc_offers_create(d, 1000, &e) == 0, "a store of 1000 entries");
	fill(d, "v-", 1, 900, rtpc_now());
	if ((big = malloc(45001)) == NULL)
		abort();
	for (i = 0; i < 13; i++) {
		memset(big, 'a' + i, 45000);
		big[45000] = '\0';
		if (rtpc_offers_note(d, big, CSEQ, &e) == -1)
			diag("%s", e.msg);
	}
	for (i = 0; i < 13; i++) {
		memset(big, 'a' + i, 45000);
		known += rtpc_offers_known(d, big, CSEQ, &e) == 1;
	}
	free(big);
	is_int(known, 13, "13 Call-IDs of 45 kB are known");
	is_int(count(d, "v-", 1, 900), 900,
	    "and take one entry each: the 900 others are all kept");
}

static void
test_trust(const char *d)
{
	struct rtpc_err e;
	double t0;
	int fd, lfd;

	fill(d, "t-", 1, 1, rtpc_now());
	chmod(sub(RTPC_OFFERS_FILE), 0602);
	rtpc_err_clear(&e);
	is_int(rtpc_offers_known(d, "t-1@example.com", CSEQ, &e), -1,
	    "a store writable by others is refused");
	like(e.msg, "writable by others", "and says why");
	is_int(rtpc_offers_note(d, "t-2@example.com", CSEQ, &e), -1,
	    "also for writing");
	chmod(sub(RTPC_OFFERS_FILE), 0600);

	unlink(sub(RTPC_OFFERS_FILE));
	ok(mkfifo(sub(RTPC_OFFERS_FILE), 0600) == 0, "a FIFO as the store");
	t0 = ms_now();
	is_int(rtpc_offers_known(d, "t-1@example.com", CSEQ, &e), -1,
	    "is refused");
	like(e.msg, "not a regular file", "as not a regular file");
	is_int(rtpc_offers_note(d, "t-1@example.com", CSEQ, &e), -1,
	    "also for writing");
	ok(ms_now() - t0 < 1000, "without blocking");
	unlink(sub(RTPC_OFFERS_FILE));

	ok(symlink("/etc/passwd", sub(RTPC_OFFERS_FILE)) == 0,
	    "a symlink as the store");
	is_int(rtpc_offers_known(d, "t-1@example.com", CSEQ, &e), -1,
	    "is refused");
	unlink(sub(RTPC_OFFERS_FILE));

	chmod(d, 0777);
	is_int(rtpc_offers_note(d, "t-1@example.com", CSEQ, &e), -1,
	    "a directory writable by others is refused");
	like(e.msg, "writable by others", "and says why");
	chmod(d, 0700);

	fill(d, "l-", 1, 1, rtpc_now());
	lfd = open(sub(RTPC_OFFERS_FILE ".lock"), O_RDWR);
	ok(lfd != -1 && flock(lfd, LOCK_EX) == 0, "another holds the lock");
	t0 = ms_now();
	is_int(rtpc_offers_note(d, "l-2@example.com", CSEQ, &e), -1,
	    "a note gives up");
	ok(ms_now() - t0 < RTPC_OFFERS_LOCK_MS + 200,
	    "after a bounded wait (%.1f ms)", ms_now() - t0);
	like(e.msg, "gave up waiting", "and says why");
	is_int(count(d, "l-", 1, 1), 1, "readers take no lock");
	close(lfd);
	ok(rtpc_offers_note(d, "l-2@example.com", CSEQ, &e) == 0,
	    "once released, notes work again");
	fd = open(sub(RTPC_OFFERS_FILE), O_WRONLY | O_TRUNC);
	close(fd);
	is_int(rtpc_offers_known(d, "l-2@example.com", CSEQ, &e), 0,
	    "a truncated store is no store (nothing known, no crash)");
	ok(rtpc_offers_note(d, "l-3@example.com", CSEQ, &e) == 0 &&
	    count(d, "l-", 3, 3) == 1, "and the next note makes a new one");
}

static void
fresh_dir(const char *name)
{
	snprintf(dir, sizeof(dir), "/tmp/test-offers-%ld-%s", (long)getpid(),
	    name);
	mkdir(dir, 0700);
}

static void
rm_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
}

int
main(void)
{
	fresh_dir("basic");
	test_basic(dir);
	test_ttl(dir);
	rm_dir();
	fresh_dir("many");
	test_many(dir);
	rm_dir();
	fresh_dir("bound");
	test_bound(dir);
	rm_dir();
	fresh_dir("long");
	test_long_callids(dir);
	rm_dir();
	fresh_dir("trust");
	test_trust(dir);
	rm_dir();
	return done_testing();
}
