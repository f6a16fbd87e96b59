/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtpp.h: libcore as the tools see it, the one libcore header they
 * include.  What it offers:
 *
 *   errors.h	exit statuses and the error record (libcore never prints)
 *   text.h	the escaping rule for text shown to people, spans
 *   buf.h	capped byte buffers (RTPC_INPUT_MAX)
 *   config.h	settings, the config file, proxy sets
 *   plan.h	the operations (enum rtpc_op) and what P, S, R, Q need
 *   job.h	a call-path run: request, result, rtpc_job_run
 *   health.h	the shared health state and its API (rtpp-ctl)
 *   talk.h	probing a node (rtpp-ctl ping)
 *   transport.h	one command to one node (rtpp-ctl raw), traces
 *
 * Every other libcore header (sip, sdp, message, manage, reply,
 * rewrite, encode, select, offers, base64, bencode, ng) is libcore's
 * own: the tools do not include it (tests/layout.bats checks).
 */
#ifndef RTPC_RTPP_H
#define RTPC_RTPP_H

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "config.h"
#include "plan.h"
#include "job.h"
#include "health.h"
#include "talk.h"
#include "transport.h"

char	*rtpc_tag_dup(const char *);

#endif
