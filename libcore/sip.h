/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sip.h: the view of a SIP message that the toolkit needs: start line,
 * Call-ID, From/To tags, CSeq, the first Via headers, Content-Type,
 * Content-Length and where the SDP body is.  The parser records spans
 * into the caller's buffer; it copies and edits nothing.
 */
#ifndef RTPC_SIP_H
#define RTPC_SIP_H

#include "errors.h"
#include "text.h"

#define RTPC_SIP_VIAS	3	/* flags 1, 2 and 3 look this deep */

struct rtpc_via {
	struct rtpc_span host;		/* sent-by host, without brackets */
	struct rtpc_span branch;	/* len 0 when absent */
	struct rtpc_span received;	/* len 0 when absent */
};

struct rtpc_sip {
	int		is_request;
	struct rtpc_span method;	/* request method */
	int		status;		/* reply status code */
	struct rtpc_span callid;
	struct rtpc_span ftag;
	struct rtpc_span ttag;		/* len 0 when absent */
	struct rtpc_span cseq;		/* the CSeq number */
	struct rtpc_span cseq_method;
	struct rtpc_via	via[RTPC_SIP_VIAS];
	int		nvia;		/* how many Via values, capped */
	struct rtpc_span ctype;		/* media type, len 0 when absent */
	int		has_clen;
	struct rtpc_span clen;		/* the digits of Content-Length */
	size_t		body_off;	/* first byte after the blank line */
	size_t		body_len;	/* as Content-Length says */
	size_t		after_body;	/* bytes after it: not the message's */
	struct rtpc_span ctype_full;	/* Content-Type with its parameters */
	struct rtpc_span sdp;		/* the SDP inside the body (multipart:
					   len 0 until rtpc_sip_find_sdp) */
	int		multipart;
};

int	 rtpc_sip_detect(const char *, size_t);
int	 rtpc_sip_parse(const char *, size_t, struct rtpc_sip *,
	    struct rtpc_err *);
int	 rtpc_sip_find_sdp(const char *, struct rtpc_sip *,
	    struct rtpc_err *);
int	 rtpc_span_eq(const char *, struct rtpc_span, const char *);
struct rtpc_span rtpc_sip_value_tag(const char *, size_t);

#endif
