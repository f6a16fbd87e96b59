/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * encode.c: write the result of a run in its output form.
 */
#include "errors.h"
#include "text.h"
#include "base64.h"
#include "buf.h"
#include "encode.h"
#include "job.h"

/*
 * Append the message p (len bytes) to out in form `form': the message
 * itself, or the SDP body alone (sdp is its span in p; len 0 when there
 * is none), base64 lines of wrap characters for the base64 forms.
 */
int
rtpc_encode(enum rtpc_form form, size_t wrap, const char *p, size_t len,
    struct rtpc_span sdp, struct rtpc_buf *out, struct rtpc_err *err)
{
	if (form == RTPC_FORM_BODY || form == RTPC_FORM_BODY64) {
		p += sdp.off;
		len = sdp.len;
	}
	if (len == 0)
		;	/* nothing: no message, or no SDP asked for */
	else if (form == RTPC_FORM_BASE64 || form == RTPC_FORM_BODY64)
		rtpc_b64_encode(p, len, wrap, out);
	else
		rtpc_buf_add(out, p, len);
	if (out->toobig)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "output %s",
		    rtpc_buf_why(out));
	return 0;
}
