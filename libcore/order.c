/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * order.c: the nodes of a set in a call's order (rendezvous hashing of
 * the Call-ID, select.c), each with the health reason it may or may not
 * take the call for.
 */
#include <stddef.h>

#include "errors.h"
#include "config.h"
#include "health.h"
#include "select.h"

/*
 * Fill out[] (room for RTPC_SET_NODES_MAX) with set setid's nodes, best
 * first for callid; new_call: the command starts a call.  Returns the
 * number of nodes, 0 when the configuration has no such set.
 */
size_t
rtpc_health_order(struct rtpc_state *st, const struct rtpc_pset *ps,
    int setid, const char *callid, int new_call,
    struct rtpc_order_entry *out)
{
	const struct rtpc_node *nodes[RTPC_SET_NODES_MAX];
	size_t n, i;

	n = rtpc_pset_select(ps, setid, nodes, RTPC_SET_NODES_MAX);
	rtpc_select_order(callid, nodes, n);
	for (i = 0; i < n; i++) {
		out[i].node = nodes[i];
		out[i].score = rtpc_select_score(callid, nodes[i]);
		out[i].reason = rtpc_health_reason(st, nodes[i]->url,
		    new_call);
	}
	return n;
}
