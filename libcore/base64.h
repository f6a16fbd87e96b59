/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * base64.h: RFC 4648 base64 (standard alphabet, padding), for the
 * Kamailio-friendly input and output form.
 */
#ifndef RTPC_BASE64_H
#define RTPC_BASE64_H

#include <stddef.h>

#include "buf.h"

int	 rtpc_b64_decode(const char *, size_t, struct rtpc_buf *, size_t *);
int	 rtpc_b64_encode(const void *, size_t, size_t, struct rtpc_buf *);
int	 rtpc_b64_looks(const char *, size_t);

#endif
