/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * offers-tool.c: drive the late-offer memory (libcore/offers.c) from
 * the bats tests and measure it.
 *
 *	offers-tool create DIR CAP		an empty store of CAP entries
 *	offers-tool fill DIR PREFIX FIRST LAST [AGE]
 *		note Call-IDs PREFIX<i>, CSeq number 1, i = FIRST..LAST,
 *		as noted AGE seconds ago (default 0); goes on after a
 *		failure and exits 1 if any failed
 *	offers-tool count DIR PREFIX FIRST LAST	how many of them are known
 *	offers-tool bench DIR N			microseconds per known, note
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "errors.h"
#include "offers.h"
#include "healthfile.h"

#define CSEQ	"1"

static long
num(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0) {
		fprintf(stderr, "offers-tool: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static double
now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int
main(int argc, char **argv)
{
	struct rtpc_err e;
	char id[64];
	long i, n = 0;

	rtpc_err_clear(&e);
	if (argc == 4 && strcmp(argv[1], "create") == 0) {
		if (rtpc_offers_create(argv[2], (uint32_t)num(argv[3]), &e) ==
		    -1)
			goto fail;
		return 0;
	}
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "fill") == 0) {
		long long at = rtpc_now() - (argc == 7 ? num(argv[6]) : 0);

		/* go on after a failure (a lock held too long): report
		 * how many failed at the end */
		for (i = num(argv[4]); i <= num(argv[5]); i++) {
			snprintf(id, sizeof(id), "%s%ld", argv[3], i);
			if (rtpc_offers_note_at(argv[2], id, CSEQ, at, &e) == -1)
				n++;
		}
		if (n == 0)
			return 0;
		fprintf(stderr, "offers-tool: %ld notes failed, the last: %s\n",
		    n, e.msg);
		return 1;
	}
	if (argc == 6 && strcmp(argv[1], "count") == 0) {
		for (i = num(argv[4]); i <= num(argv[5]); i++) {
			int k;

			snprintf(id, sizeof(id), "%s%ld", argv[3], i);
			if ((k = rtpc_offers_known(argv[2], id, CSEQ, &e)) ==
			    -1)
				goto fail;
			n += k;
		}
		printf("%ld\n", n);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "bench") == 0) {
		long rounds = num(argv[3]);
		double t0, t1, t2;

		t0 = now_us();
		for (i = 0; i < rounds; i++) {
			snprintf(id, sizeof(id), "bench-%ld", i);
			n += rtpc_offers_known(argv[2], id, CSEQ, &e) == 1;
		}
		t1 = now_us();
		for (i = 0; i < rounds; i++) {
			snprintf(id, sizeof(id), "bench-note-%ld", i);
			if (rtpc_offers_note(argv[2], id, CSEQ, &e) == -1)
				goto fail;
		}
		t2 = now_us();
		printf("known %.1f us note %.1f us (%ld of %ld known)\n",
		    (t1 - t0) / rounds, (t2 - t1) / rounds, n, rounds);
		return 0;
	}
	fprintf(stderr, "usage: offers-tool create|fill|count|bench ...\n");
	return 2;
fail:
	fprintf(stderr, "offers-tool: %s\n", e.msg);
	return 1;
}
