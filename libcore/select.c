/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * select.c: weighted rendezvous hashing.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "select.h"

/* FNV-1a over key and url, then the splitmix64 finaliser. */
static uint64_t
hash2(const char *key, const char *url)
{
	uint64_t h = 14695981039346656037ULL;
	const char *p;

	for (p = key; *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	h ^= 0xff;
	h *= 1099511628211ULL;
	for (p = url; *p != '\0'; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

/*
 * The node's score for this key: -w / ln(u) with u uniform in (0, 1),
 * so that the highest score wins with probability w / sum(w).  Standby
 * nodes (weight 0) score below every weighted node: -1 + u.
 */
double
rtpc_select_score(const char *key, const struct rtpc_node *n)
{
	double u = ((double)(hash2(key, n->url) >> 11) + 0.5) /
	    9007199254740992.0;

	if (n->weight == 0)
		return -1.0 + u;
	return -(double)n->weight / log(u);
}

/*
 * Sort nodes[0..n) into this key's order of preference, best first.
 * Returns n.
 */
size_t
rtpc_select_order(const char *key, const struct rtpc_node **nodes, size_t n)
{
	double score[RTPC_SET_NODES_MAX];
	size_t i, j;

	if (n > RTPC_SET_NODES_MAX)
		n = RTPC_SET_NODES_MAX;
	for (i = 0; i < n; i++)
		score[i] = rtpc_select_score(key, nodes[i]);
	/* insertion sort: sets are small */
	for (i = 1; i < n; i++) {
		const struct rtpc_node *nd = nodes[i];
		double s = score[i];

		for (j = i; j > 0 && score[j - 1] < s; j--) {
			nodes[j] = nodes[j - 1];
			score[j] = score[j - 1];
		}
		nodes[j] = nd;
		score[j] = s;
	}
	return n;
}
