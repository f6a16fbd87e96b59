/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-select.c: weighted rendezvous hashing of the Call-ID (select.h):
 * weights are ratios, removing a node moves only its calls, weight-0
 * nodes are standbys, the choice is the same on every run.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "select.h"
#include "tap.h"

#define NCALLS	100000

static struct rtpc_node
mknode(const char *url, unsigned weight, int index)
{
	struct rtpc_node n;

	memset(&n, 0, sizeof(n));
	n.url = (char *)(uintptr_t)url;	/* never freed or written */
	n.weight = weight;
	n.index = index;
	return n;
}

/* A Call-ID of the kinds seen in the field. */
static void
callid(char *buf, size_t sz, int i)
{
	switch (i % 4) {
	case 0:
		snprintf(buf, sz, "%d-%d@127.0.0.1", i / 4 + 1, 15483 + i % 97);
		break;
	case 1:
		snprintf(buf, sz, "a84b4c76e66710%08x@pc33.atlanta.example.com",
		    (unsigned)i * 2654435761u);
		break;
	case 2:
		snprintf(buf, sz, "callid-%d-%d@host", i, i % 7919);
		break;
	default:
		snprintf(buf, sz, "%08x-%04x-4%03x-b%03x-%012x", (unsigned)i,
		    (unsigned)i & 0xffff, (unsigned)i % 4096, (unsigned)i % 3001,
		    (unsigned)i * 40503u);
		break;
	}
}

/* The node chosen first for key among nodes[0..n). */
static const struct rtpc_node *
first(const char *key, const struct rtpc_node *const *nodes, size_t n)
{
	const struct rtpc_node *tmp[16];

	memcpy(tmp, nodes, n * sizeof(*tmp));
	rtpc_select_order(key, tmp, n);
	return tmp[0];
}

static void
test_shares(void)
{
	struct rtpc_node a = mknode("udp:10.0.0.1:22222", 1, 0);
	struct rtpc_node b = mknode("udp:10.0.0.2:22222", 2, 1);
	struct rtpc_node c = mknode("udp:10.0.0.3:22222", 7, 2);
	const struct rtpc_node *all[3] = { &a, &b, &c };
	const struct rtpc_node *ac[2] = { &a, &c };
	long cnt[3] = { 0, 0, 0 }, moved_wrong = 0, moved = 0, to_a = 0;
	char key[128];
	int i;

	for (i = 0; i < NCALLS; i++) {
		const struct rtpc_node *f, *g;

		callid(key, sizeof(key), i);
		f = first(key, all, 3);
		cnt[f->index]++;
		/* remove b: only b's calls may move */
		g = first(key, ac, 2);
		if (f != &b && g != f)
			moved_wrong++;
		if (f == &b) {
			moved++;
			if (g == &a)
				to_a++;
		}
	}
	diag("shares: %.2f%% %.2f%% %.2f%%", cnt[0] * 100.0 / NCALLS,
	    cnt[1] * 100.0 / NCALLS, cnt[2] * 100.0 / NCALLS);
	ok(fabs(cnt[0] * 100.0 / NCALLS - 10.0) <= 1.0,
	    "weight 1 of 10 gets 10%% +- 1 (%.2f%%)", cnt[0] * 100.0 / NCALLS);
	ok(fabs(cnt[1] * 100.0 / NCALLS - 20.0) <= 1.0,
	    "weight 2 of 10 gets 20%% +- 1 (%.2f%%)", cnt[1] * 100.0 / NCALLS);
	ok(fabs(cnt[2] * 100.0 / NCALLS - 70.0) <= 1.0,
	    "weight 7 of 10 gets 70%% +- 1 (%.2f%%)", cnt[2] * 100.0 / NCALLS);
	is_int(moved_wrong, 0, "removing a node moves none of the others' "
	    "calls");
	is_int(moved, cnt[1], "... every one of its own calls goes elsewhere");
	/* its calls spread like the rest: a gets 1/8 of them */
	ok(moved > 0 && fabs(to_a * 100.0 / moved - 12.5) <= 1.5,
	    "... to the others by their weights (1:7 -> %.2f%% to a)",
	    moved ? to_a * 100.0 / moved : 0.0);
}

static void
test_large_weights(void)
{
	/* the module's hash ignores all but 8 bits; weights must still be
	 * ratios when they add up to more than 256 */
	struct rtpc_node a = mknode("udp:192.0.2.1", 300, 0);
	struct rtpc_node b = mknode("udp:192.0.2.2", 700, 1);
	struct rtpc_node c = mknode("unix:/run/rtpp.sock", 1, 2);
	struct rtpc_node d = mknode("udp:192.0.2.4", 1, 3);
	const struct rtpc_node *ab[2] = { &a, &b };
	const struct rtpc_node *cd[2] = { &c, &d };
	long na = 0, nc = 0;
	char key[128];
	int i;

	for (i = 0; i < NCALLS; i++) {
		callid(key, sizeof(key), i);
		if (first(key, ab, 2) == &a)
			na++;
		if (first(key, cd, 2) == &c)
			nc++;
	}
	ok(fabs(na * 100.0 / NCALLS - 30.0) <= 1.0,
	    "weights 300:700 give 30%% +- 1 (%.2f%%)", na * 100.0 / NCALLS);
	ok(fabs(nc * 100.0 / NCALLS - 50.0) <= 1.0,
	    "equal weights give 50%% +- 1 (%.2f%%)", nc * 100.0 / NCALLS);
}

static void
test_standby(void)
{
	struct rtpc_node a = mknode("udp:10.0.0.1", 1, 0);
	struct rtpc_node z = mknode("udp:10.0.0.9", 0, 1);
	struct rtpc_node y = mknode("udp:10.0.0.8", 0, 2);
	struct rtpc_node big = mknode("udp:10.0.0.7", 1000, 3);
	const struct rtpc_node *nodes[4];
	long zfirst = 0, zlast = 0, yfirst = 0;
	char key[128];
	int i;

	for (i = 0; i < 20000; i++) {
		callid(key, sizeof(key), i);
		/* standbys listed first on purpose: order must not matter */
		nodes[0] = &z;
		nodes[1] = &y;
		nodes[2] = &a;
		rtpc_select_order(key, nodes, 3);
		if (nodes[0] != &a)
			zfirst++;
		if (nodes[0] == &a && nodes[1] == &y)
			yfirst++;
		nodes[0] = &big;
		nodes[1] = &z;
		nodes[2] = &a;
		rtpc_select_order(key, nodes, 3);
		if (nodes[2] == &z)
			zlast++;
	}
	is_int(zfirst, 0, "a weight-0 node never comes before a weighted one");
	ok(yfirst > 0 && yfirst < 20000,
	    "two standbys are ordered by the hash between themselves (%ld)",
	    yfirst);
	is_int(zlast, 20000, "a standby comes after every weighted node, "
	    "even weight 1 next to weight 1000");

	nodes[0] = &z;
	is_int(rtpc_select_order("1-15483@127.0.0.1", nodes, 1), 1,
	    "a standby alone: one node in the order");
	ok(nodes[0] == &z, "... it is used when it is the only one");
	ok(rtpc_select_score("x", &z) < rtpc_select_score("x", &a),
	    "standby score below a weighted score");
}

static void
test_stable(void)
{
	struct rtpc_node n[5];
	const struct rtpc_node *o1[5], *o2[5];
	static const char *const urls[5] = {
		"udp:10.0.0.1:22222", "udp:10.0.0.2:22222", "udp6:::1:22222",
		"unix:/run/a.sock", "udp:rtp.example.com",
	};
	int i, k, same = 1, perm = 1, indep = 1;
	char key[128];

	for (i = 0; i < 5; i++)
		n[i] = mknode(urls[i], (unsigned)(i + 1), i);
	for (k = 0; k < 1000; k++) {
		int seen[5] = { 0 };

		callid(key, sizeof(key), k);
		for (i = 0; i < 5; i++) {
			o1[i] = &n[i];
			o2[4 - i] = &n[i];	/* reversed input */
		}
		if (rtpc_select_order(key, o1, 5) != 5)
			perm = 0;
		rtpc_select_order(key, o2, 5);
		for (i = 0; i < 5; i++) {
			if (o1[i] != o2[i])
				indep = 0;
			seen[o1[i]->index]++;
		}
		for (i = 0; i < 5; i++)
			if (seen[i] != 1)
				perm = 0;
		/* scores depend on the key and url only */
		if (rtpc_select_score(key, &n[0]) !=
		    rtpc_select_score(key, &n[0]))
			same = 0;
	}
	ok(indep, "the order does not depend on the order of the input");
	ok(perm, "the order is a permutation of all the nodes");
	ok(same, "scores are deterministic");

	/* the same Call-ID always picks the same node: every command of a
	 * call reaches it (and another run computes the same) */
	{
		const struct rtpc_node *p[3] = { &n[0], &n[1], &n[2] };
		const struct rtpc_node *q[3] = { &n[2], &n[0], &n[1] };

		rtpc_select_order("1-15483@127.0.0.1", p, 3);
		rtpc_select_order("1-15483@127.0.0.1", q, 3);
		ok(p[0] == q[0] && p[1] == q[1] && p[2] == q[2],
		    "one Call-ID, one order");
	}
	/* the weight, not the index, matters: same url, same score */
	{
		struct rtpc_node x = mknode("udp:10.0.0.1:22222", 1, 7);

		ok(rtpc_select_score("abc", &x) == rtpc_select_score("abc",
		    &n[0]), "the score does not depend on the index");
		x.weight = 3;
		ok(rtpc_select_score("abc", &x) > rtpc_select_score("abc",
		    &n[0]), "a higher weight gives a higher score");
	}
	is_int(rtpc_select_order("k", o1, 0), 0, "no nodes: empty order");
}

int
main(void)
{
	test_shares();
	test_large_weights();
	test_standby();
	test_stable();
	return done_testing();
}
