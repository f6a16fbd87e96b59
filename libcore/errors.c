/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * errors.c: the error record.
 */
#include <stdarg.h>
#include <stdio.h>

#include "errors.h"

/*
 * Fill the error record and return -1, so that callers can write
 * "return rtpc_err_set(err, ...);".
 */
int
rtpc_err_set(struct rtpc_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void
rtpc_err_clear(struct rtpc_err *err)
{
	err->code = RTPC_EXIT_OK;
	err->msg[0] = '\0';
}
