/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * encode.h: the output of a call-path run in the form asked: the
 * message as it came (SIP or bare SDP), base64 of it, or its SDP body
 * alone, plain or in base64.
 */
#ifndef RTPC_ENCODE_H
#define RTPC_ENCODE_H

#include <stddef.h>

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "job.h"

int	 rtpc_encode(enum rtpc_form, size_t, const char *, size_t,
	    struct rtpc_span, struct rtpc_buf *, struct rtpc_err *);

#endif
