/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * relays.c: the sets, the shared health state and a talker together,
 * for rtpp-ctl.
 */
#include <stdio.h>
#include <stdlib.h>

#include "errors.h"
#include "buf.h"
#include "config.h"
#include "healthfile.h"
#include "relays.h"
#include "talk.h"
#include "transport.h"

struct rtpc_relays {
	struct rtpc_pset	 ps;
	struct rtpc_state	 st;
	struct rtpc_talk	 talk;
};

/*
 * Open the configuration's sets (a usage error when they are wrong)
 * and the shared health state (when it cannot be used, warn says why
 * and the state is this run's memory only).
 */
struct rtpc_relays *
rtpc_relays_open(const struct rtpc_settings *set, rtpc_warn_fn warn,
    void *ctx, struct rtpc_err *err)
{
	struct rtpc_relays *r;
	struct rtpc_err e;
	char msg[600];

	if ((r = calloc(1, sizeof(*r))) == NULL) {
		rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
		return NULL;
	}
	if (rtpc_pset_build(&r->ps, set, err) == -1) {
		err->code = RTPC_EXIT_USAGE;
		free(r);
		return NULL;
	}
	rtpc_err_clear(&e);
	if (rtpc_state_open(&r->st, set->state_dir, &r->ps, &e) == -1 &&
	    warn != NULL) {
		snprintf(msg, sizeof(msg), "health state: %s", e.msg);
		warn(ctx, msg);
	}
	rtpc_talk_init(&r->talk, set, &r->ps, &r->st);
	r->talk.warn = warn;
	r->talk.warn_ctx = ctx;
	return r;
}

/* Show every datagram to trace. */
void
rtpc_relays_trace(struct rtpc_relays *r, rtpc_trace_fn trace, void *ctx)
{
	r->talk.tx.trace = trace;
	r->talk.tx.trace_ctx = ctx;
}

const struct rtpc_pset *
rtpc_relays_sets(const struct rtpc_relays *r)
{
	return &r->ps;
}

struct rtpc_state *
rtpc_relays_health(struct rtpc_relays *r)
{
	return &r->st;
}

/* Probe node n (version and capabilities), its health recorded. */
int
rtpc_relays_probe(struct rtpc_relays *r, const struct rtpc_node *n,
    struct rtpc_err *err)
{
	return rtpc_talk_probe(&r->talk, n, err);
}

/* Send one command to node n; its reply (at most sz bytes) in reply. */
int
rtpc_relays_send(struct rtpc_relays *r, const struct rtpc_node *n,
    const char *cmd, char *reply, size_t sz, long *rtt,
    struct rtpc_err *err)
{
	return rtpc_tx_send(&r->talk.tx, n, cmd, reply, sz, rtt, err);
}

/* Send one ng request (a bencoded dictionary) to the ng node n. */
int
rtpc_relays_send_ng(struct rtpc_relays *r, const struct rtpc_node *n,
    const char *req, size_t len, struct rtpc_buf *reply, long *rtt,
    struct rtpc_err *err)
{
	return rtpc_tx_send_ng(&r->talk.tx, n, req, len, reply, rtt, err);
}

/* Wait no longer than ms from now for any reply; 0: the usual. */
void
rtpc_relays_deadline(struct rtpc_relays *r, long ms)
{
	rtpc_tx_set_deadline(&r->talk.tx, ms);
}

/* Write back what was learnt (merged with what others wrote). */
int
rtpc_relays_save(struct rtpc_relays *r, struct rtpc_err *err)
{
	return rtpc_state_commit(&r->st, err);
}

void
rtpc_relays_close(struct rtpc_relays *r)
{
	if (r == NULL)
		return;
	rtpc_talk_free(&r->talk);
	rtpc_state_free(&r->st);
	rtpc_pset_free(&r->ps);
	free(r);
}
