/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtpp.h: libcore as the tools see it, the one libcore header they
 * include.  What it offers:
 *
 *   errors.h	exit statuses, the error record (libcore never prints),
 *		the warning and trace callbacks
 *   text.h	the escaping rule for text shown to people, spans
 *   buf.h	capped byte buffers (RTPC_INPUT_MAX)
 *   config.h	settings, the config file, proxy sets and their nodes
 *   job.h	a call-path run: the operations, request, result and
 *		rtpc_job_run
 *   health.h	the health API: a node's reason, a call's order of
 *		nodes, the operator's verdicts
 *   relays.h	rtpp-ctl's handle: the sets and their health, a probe,
 *		one command to one node
 *
 * Every other libcore header (sip, sdp, message, manage, plan, talk,
 * transport, reply, rewrite, encode, select, healthfile, offers,
 * base64, bencode, ng, ngcall) is libcore's own: the tools do not include it
 * (tests/layout.bats checks).
 */
#ifndef RTPC_RTPP_H
#define RTPC_RTPP_H

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "config.h"
#include "job.h"
#include "health.h"
#include "relays.h"

/* The tag= of a From or To header value (Kamailio's SIP_HF_FROM/TO). */
char	*rtpc_tag_dup(const char *);

#endif
