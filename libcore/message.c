/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * message.c: read the input of a call-path run once: its form (SDP, a
 * SIP message, base64 of either), the SIP view, the call data, and,
 * for the commands that work on SDP, the SDP body and the marker.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "text.h"
#include "base64.h"
#include "buf.h"
#include "job.h"
#include "message.h"
#include "plan.h"
#include "rtpp.h"
#include "sdp.h"
#include "sip.h"

int
rtpc_msg_is_ip(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/*
 * The tag of a From or To header value given alone (Kamailio's exec
 * module passes them in SIP_HF_FROM and SIP_HF_TO), copied; NULL when
 * there is none or no memory.
 */
char *
rtpc_tag_dup(const char *v)
{
	struct rtpc_span s = rtpc_sip_value_tag(v, strlen(v));

	return s.len > 0 ? rtpc_strndup(v + s.off, s.len) : NULL;
}

/* Copy a span out of the message (NULL for an empty span). */
static const char *
own_span(struct rtpc_msg *m, struct rtpc_span s)
{
	char *p;

	if (s.len == 0 || m->nown == (int)(sizeof(m->own) / sizeof(m->own[0])))
		return NULL;
	if ((p = rtpc_strndup(m->buf + s.off, s.len)) == NULL) {
		m->nomem = 1;
		return NULL;
	}
	m->own[m->nown++] = p;
	return p;
}

/* Skip leading blank lines and spaces (a shell may add them). */
static size_t
lead_ws(const char *in, size_t len)
{
	size_t i = 0;

	while (i < len && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' ||
	    in[i] == '\n'))
		i++;
	return i;
}

/* SIP or SDP by their first bytes; 0 when neither. */
static enum rtpc_form
sniff(const char *b, size_t len)
{
	if (rtpc_sip_detect(b, len))
		return RTPC_FORM_SIP;
	if (len >= 2 && b[0] == 'v' && b[1] == '=')
		return RTPC_FORM_SDP;
	return RTPC_FORM_AUTO;
}

/* Decode base64 input into m->dec; the message is what it holds. */
static int
read_base64(struct rtpc_msg *m, const char *in, size_t len,
    struct rtpc_err *err)
{
	size_t bad;

	rtpc_buf_init(&m->dec, RTPC_INPUT_MAX);
	if (rtpc_b64_decode(in, len, &m->dec, &bad) == -1)
		return m->dec.toobig ? rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "base64 input: %s", rtpc_buf_why(&m->dec)) :
		    rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "base64 input: bad data at byte %zu", bad + 1);
	m->buf = m->dec.data ? m->dec.data : "";
	m->len = m->dec.len;
	m->inner = sniff(m->buf, m->len);
	if (m->inner == RTPC_FORM_AUTO && m->len > 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "base64 input decodes to neither SDP nor a SIP message");
	return 0;
}

/*
 * Work out the input form and where the message is: m->buf and m->len
 * (decoded when base64); m->inner is SIP or SDP, or AUTO for an empty
 * input.
 */
static int
read_form(struct rtpc_msg *m, enum rtpc_form f, const char *in, size_t len,
    struct rtpc_err *err)
{
	m->buf = in;
	m->len = len;
	m->inner = RTPC_FORM_AUTO;
	if (f == RTPC_FORM_AUTO) {
		size_t skip = lead_ws(in, len);

		if (skip == len)
			return 0;
		f = sniff(in + skip, len - skip);
		if (f != RTPC_FORM_AUTO) {
			/* blank lines before a message are not part of it */
			m->buf = in + skip;
			m->len = len - skip;
		}
		if (f == RTPC_FORM_AUTO) {
			if (!rtpc_b64_looks(in, len))
				return rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "input is neither SDP, a SIP message nor "
				    "base64");
			f = RTPC_FORM_BASE64;
		}
	}
	m->form = f;
	if (f == RTPC_FORM_BASE64)
		return read_base64(m, in, len, err);
	m->inner = f;
	return 0;
}

/* Fill the call data from the SIP view. */
static void
call_from_sip(struct rtpc_msg *m)
{
	const struct rtpc_sip *s = &m->sip;
	int i;

	m->call.is_sip = 1;
	m->call.callid = own_span(m, s->callid);
	m->call.ftag = own_span(m, s->ftag);
	m->call.ttag = own_span(m, s->ttag);
	m->call.is_request = s->is_request;
	m->call.is_ack = s->is_request && rtpc_span_eq(m->buf, s->method,
	    "ACK");
	m->call.nvia = s->nvia;
	for (i = 0; i < RTPC_SIP_VIAS && i < s->nvia; i++)
		m->call.branch[i] = own_span(m, s->via[i].branch);
	/* the top Via names the sender of a request only: a reply's source
	 * is not in the message (use --source-ip, else its SDP address) */
	if (s->nvia > 0 && s->is_request) {
		const char *a = own_span(m, s->via[0].received);

		if (a == NULL || !rtpc_msg_is_ip(a))
			a = own_span(m, s->via[0].host);
		if (a != NULL && rtpc_msg_is_ip(a))
			m->call.source_ip = a;
	}
}

/*
 * Kamailio mode: the exec module's SIP_HF_* variables only fill what
 * the input lacks (bare SDP).  A SIP message always carries its own
 * Call-ID and tags, and any header whose name maps to the same
 * variable (a "CallID" header before the real Call-ID) could have set
 * the environment: when the two differ nothing is sent.
 */
static int
call_from_env(const struct rtpc_request *q, struct rtpc_msg *m,
    struct rtpc_err *err)
{
	const struct {
		const char	*what;
		const char	*var;
		const char	*env;
		const char	*opt;
		const char	**have;
	} f[] = {
		{ "Call-ID", "SIP_HF_CALLID", q->env_callid, q->callid,
		    &m->call.callid },
		{ "From-tag", "SIP_HF_FROM", q->env_ftag, q->ftag,
		    &m->call.ftag },
		{ "To-tag", "SIP_HF_TO", q->env_ttag, q->ttag, &m->call.ttag },
	};
	char mv[128], e[128];
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *have = *f[i].have;

		if (f[i].env == NULL || f[i].opt != NULL)
			continue;	/* nothing to fill, or an option wins */
		if (!m->call.is_sip) {
			*f[i].have = f[i].env;
			continue;
		}
		if (have != NULL && strcmp(have, f[i].env) == 0)
			continue;
		rtpc_escape(mv, sizeof(mv), have ? have : "", have ?
		    strlen(have) : 0);
		rtpc_escape(e, sizeof(e), f[i].env, strlen(f[i].env));
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "the message's %s "
		    "%s%s%s and %s's %s'%s' differ (a header of another "
		    "name may have set %s); nothing sent", f[i].what,
		    have ? "'" : "(none)", mv, have ? "'" : "", f[i].var,
		    i == 0 ? "" : "tag ", e, f[i].var);
	}
	return 0;
}

/* Options win over the message. */
static void
call_overrides(const struct rtpc_request *q, struct rtpc_msg *m)
{
	if (q->callid != NULL)
		m->call.callid = q->callid;
	if (q->ftag != NULL)
		m->call.ftag = q->ftag;
	if (q->ttag != NULL)
		m->call.ttag = *q->ttag != '\0' ? q->ttag : NULL;
	if (q->source_ip != NULL)
		m->call.source_ip = *q->source_ip ? q->source_ip : NULL;
	if (q->kind == RTPC_KIND_REQUEST)
		m->call.is_request = 1;
	else if (q->kind == RTPC_KIND_REPLY)
		m->call.is_request = m->call.is_ack = 0;
	if (!m->call.is_sip && m->call.is_request)
		m->call.is_ack = q->op == RTPC_OP_ANSWER;
}

/*
 * Read the input: its form, the SIP message and the call data.  m is
 * filled as far as it got (m->form at least) even on failure; free it
 * with rtpc_msg_free in any case.
 */
int
rtpc_msg_read(struct rtpc_msg *m, const struct rtpc_request *q,
    const char *in, size_t len, struct rtpc_err *err)
{
	memset(m, 0, sizeof(*m));
	rtpc_buf_init(&m->dec, RTPC_INPUT_MAX);
	if (read_form(m, q->in_form, in, len, err) == -1)
		return -1;
	if (m->inner == RTPC_FORM_SIP) {
		if (rtpc_sip_parse(m->buf, m->len, &m->sip, err) == -1)
			return -1;
		call_from_sip(m);
		if (m->nomem)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
		/* what follows Content-Length is not written out either */
		m->len = m->sip.body_off + m->sip.body_len;
	} else if (m->inner == RTPC_FORM_AUTO && rtpc_op_has_sdp(q->op))
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "no input: give an SDP body or a SIP message on stdin");
	else
		/* bare SDP: an offer is an INVITE's, an answer a 2xx's */
		m->call.is_request = q->op != RTPC_OP_ANSWER;
	if (call_from_env(q, m, err) == -1)
		return -1;
	call_overrides(q, m);
	return 0;
}

/* Are the bytes all line ends (a stack's trailing CRLF)? */
static int
only_eols(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

/*
 * Bytes after Content-Length are not the body (RFC 3261 18.3); when the
 * body then ends inside a line of its SDP (s->sdp found), the message
 * was cut, not the SDP written wrong: say so with both lengths.
 */
static int
check_cut(const char *b, const struct rtpc_sip *s, struct rtpc_err *err)
{
	size_t end = s->body_off + s->body_len;

	if (s->after_body > 0 && s->sdp.len > 0 &&
	    s->sdp.off + s->sdp.len == end && b[end - 1] != '\n' &&
	    !only_eols(b + end, s->after_body))
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "Content-Length %zu ends the body inside an SDP line, "
		    "but %zu bytes follow the headers", s->body_len,
		    s->body_len + s->after_body);
	return 0;
}

/*
 * The SDP of a SIP message: the body as Content-Type and Content-Length
 * say.  A body without Content-Type and a cut message are broken (an
 * error whatever the command); anything else is just no SDP.
 */
static int
sip_sdp(struct rtpc_msg *m, struct rtpc_err *err)
{
	const char *b = m->buf;
	struct rtpc_sip *s = &m->sip;
	char esc[128];

	m->sdp_state = RTPC_MSG_SDP_BROKEN;
	if (s->body_len > 0 && s->ctype.len == 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "sip message has a body but no Content-Type");
	m->sdp_state = RTPC_MSG_SDP_NONE;
	if (s->ctype.len > 0 && !s->multipart &&
	    !rtpc_span_eq(b, s->ctype, "application/sdp")) {
		rtpc_escape(esc, sizeof(esc), b + s->ctype.off, s->ctype.len);
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "Content-Type %s is not application/sdp", esc);
	}
	if (s->body_len == 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "sip message has no body");
	if (rtpc_sip_find_sdp(b, s, err) == -1)
		return -1;
	m->sdp_state = RTPC_MSG_SDP_BROKEN;
	return check_cut(b, s, err);
}

/*
 * Take the SDP of the message (the commands that work on SDP, and
 * rtpp-manage's decision): find and parse it once, and look for the
 * marker in the body.  What went wrong is kept in m->sdp_state and
 * m->sdp_err for the step that needs the SDP.
 */
void
rtpc_msg_take_sdp(struct rtpc_msg *m, const char *marker)
{
	struct rtpc_err *err = &m->sdp_err;
	const struct rtpc_sip *s = &m->sip;

	rtpc_err_clear(err);
	m->body.off = 0;
	m->body.len = m->len;
	m->sdp_span = m->body;
	if (m->call.is_sip) {
		if (sip_sdp(m, err) == -1)
			return;
		m->body.off = s->body_off;
		m->body.len = s->body_len;
		m->sdp_span = s->sdp;
	}
	m->marker = rtpc_sdp_has_marker(m->buf, m->body.off, m->body.len,
	    marker);
	if (rtpc_sdp_parse(m->buf, m->sdp_span.off, m->sdp_span.len, &m->sdp,
	    err) == -1) {
		size_t n = strlen(err->msg);

		if (m->call.is_sip && s->after_body > 0 && s->has_clen)
			snprintf(err->msg + n, sizeof(err->msg) - n,
			    " (the body ends at Content-Length %zu; %zu more "
			    "bytes not read)", s->body_len, s->after_body);
		m->sdp_state = RTPC_MSG_SDP_BAD;
		return;
	}
	m->sdp_state = RTPC_MSG_SDP_OK;
}

/*
 * May an offer or answer go ahead on this message's SDP?  A body that
 * is not SDP fails first, then the marker (flag f sends anyway), then
 * an SDP that does not parse.
 */
int
rtpc_msg_sdp_check(const struct rtpc_msg *m, const struct rtpc_flags *fl,
    const char *marker, struct rtpc_err *err)
{
	if (m->sdp_state == RTPC_MSG_SDP_BROKEN ||
	    m->sdp_state == RTPC_MSG_SDP_NONE) {
		*err = m->sdp_err;
		return -1;
	}
	if (!fl->f && m->marker)
		return rtpc_err_set(err, RTPC_EXIT_PROXIED,
		    "already proxied: the body has '%s' (flag f sends anyway)",
		    marker);
	if (m->sdp_state == RTPC_MSG_SDP_BAD) {
		*err = m->sdp_err;
		return -1;
	}
	return 0;
}

void
rtpc_msg_free(struct rtpc_msg *m)
{
	int i;

	rtpc_buf_free(&m->dec);
	rtpc_sdp_free(&m->sdp);
	for (i = 0; i < m->nown; i++)
		free(m->own[i]);
	memset(m, 0, sizeof(*m));
}
