/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * select.h: node choice by weighted rendezvous (highest random weight)
 * hashing of the Call-ID: every command of a call goes to the same node
 * while it is up; removing a node moves only its calls; weights are
 * true ratios; weight-0 nodes are standbys after every weighted node.
 */
#ifndef RTPC_SELECT_H
#define RTPC_SELECT_H

#include <stddef.h>

#include "config.h"

size_t	 rtpc_select_order(const char *, const struct rtpc_node **, size_t);
double	 rtpc_select_score(const char *, const struct rtpc_node *);

#endif
