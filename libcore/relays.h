/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * relays.h: the configuration's nodes with their shared health, as an
 * operator's tool (rtpp-ctl) uses them: the proxy sets, the health
 * state for the health API (health.h), a probe of a node, one command
 * sent to a node, and saving what was learnt.
 */
#ifndef RTPC_RELAYS_H
#define RTPC_RELAYS_H

#include <stddef.h>

#include "errors.h"
#include "buf.h"
#include "config.h"
#include "health.h"

struct rtpc_relays;

struct rtpc_relays *rtpc_relays_open(const struct rtpc_settings *,
	    rtpc_warn_fn, void *, struct rtpc_err *);
void	 rtpc_relays_trace(struct rtpc_relays *, rtpc_trace_fn, void *);
const struct rtpc_pset *rtpc_relays_sets(const struct rtpc_relays *);
struct rtpc_state *rtpc_relays_health(struct rtpc_relays *);
int	 rtpc_relays_probe(struct rtpc_relays *, const struct rtpc_node *,
	    struct rtpc_err *);
int	 rtpc_relays_send(struct rtpc_relays *, const struct rtpc_node *,
	    const char *, char *, size_t, long *, struct rtpc_err *);
int	 rtpc_relays_send_ng(struct rtpc_relays *, const struct rtpc_node *,
	    const char *, size_t, struct rtpc_buf *, long *,
	    struct rtpc_err *);
void	 rtpc_relays_deadline(struct rtpc_relays *, long);
int	 rtpc_relays_save(struct rtpc_relays *, struct rtpc_err *);
void	 rtpc_relays_close(struct rtpc_relays *);

#endif
