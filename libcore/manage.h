/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * manage.h: rtpp-manage's decision, made on the parsed message before
 * the pipeline starts: which operation the module's rtpproxy_manage
 * would run, with the late-offer memory (offers.c) for the replies.
 */
#ifndef RTPC_MANAGE_H
#define RTPC_MANAGE_H

#include "errors.h"
#include "job.h"
#include "message.h"
#include "plan.h"

int	 rtpc_manage_decide(const struct rtpc_request *,
	    const struct rtpc_msg *, enum rtpc_op *, struct rtpc_err *);

#endif
