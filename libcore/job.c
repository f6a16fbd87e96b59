/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * job.c: one run of rtpp-offer, rtpp-answer or rtpp-destroy.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "text.h"
#include "base64.h"
#include "buf.h"
#include "config.h"
#include "job.h"
#include "offers.h"
#include "plan.h"
#include "reply.h"
#include "rewrite.h"
#include "sdp.h"
#include "sip.h"
#include "health.h"
#include "talk.h"

/* Everything a run allocates, freed in one place. */
struct run {
	struct rtpc_buf	 dec;		/* decoded base64 input */
	struct rtpc_sip	 sip;
	struct rtpc_sdp	 sdp;
	struct rtpc_call call;
	char		*own[8];	/* strings copied out of the message */
	int		 nown;
	int		 nomem;		/* a copy failed */
	struct rtpc_plan plan;
	struct rtpc_pset ps;
	struct rtpc_state state;
	struct rtpc_talk talk;
	struct rtpc_ulreply *ul;
	char		**replies;	/* borrowed from talk or fake */
};

void
rtpc_job_init(struct rtpc_job *j, enum rtpc_op op,
    const struct rtpc_settings *set)
{
	memset(j, 0, sizeof(*j));
	j->op = op;
	j->set = set;
	rtpc_buf_init(&j->out, 0);
	rtpc_buf_init(&j->ex.before, 0);
	rtpc_buf_init(&j->ex.after, 0);
}

void
rtpc_job_free(struct rtpc_job *j)
{
	size_t i;

	for (i = 0; i < j->ex.ncmds; i++) {
		free(j->ex.cmds[i].sent);
		free(j->ex.cmds[i].reply);
	}
	free(j->ex.cmds);
	for (i = 0; i < RTPC_TALK_NOTES; i++)
		free(j->ex.nodes[i].url);
	rtpc_buf_free(&j->ex.before);
	rtpc_buf_free(&j->ex.after);
	memset(&j->ex, 0, sizeof(j->ex));
	rtpc_buf_free(&j->out);
	free(j->reply);
	j->reply = NULL;
	free(j->node);
	j->node = NULL;
}

/* Offer and answer work on SDP; every other command needs only the call. */
static int
needs_sdp(enum rtpc_op op)
{
	return op == RTPC_OP_OFFER || op == RTPC_OP_ANSWER;
}

/* Copy a span out of the message (NULL for an empty span). */
static const char *
own_span(struct run *r, const char *b, struct rtpc_span s)
{
	char *p;

	if (s.len == 0 || r->nown == (int)(sizeof(r->own) / sizeof(r->own[0])))
		return NULL;
	if ((p = rtpc_strndup(b + s.off, s.len)) == NULL) {
		r->nomem = 1;
		return NULL;
	}
	r->own[r->nown++] = p;
	return p;
}

static int
is_ip_literal(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
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

/*
 * Work out the input form and where the message is: msg and mlen
 * point at it (decoded when base64); inner is SIP or SDP, or AUTO for
 * an empty input.
 */
static int
read_form(struct rtpc_job *j, struct run *r, const char *in, size_t len,
    const char **msg, size_t *mlen, enum rtpc_form *inner,
    struct rtpc_err *err)
{
	enum rtpc_form f = j->in_form;
	size_t bad;

	*msg = in;
	*mlen = len;
	*inner = RTPC_FORM_AUTO;
	if (f == RTPC_FORM_AUTO) {
		size_t skip = lead_ws(in, len);

		if (skip == len) {
			j->form = RTPC_FORM_AUTO;
			return 0;
		}
		f = sniff(in + skip, len - skip);
		if (f != RTPC_FORM_AUTO) {
			/* blank lines before a message are not part of it */
			*msg = in + skip;
			*mlen = len - skip;
		}
		if (f == RTPC_FORM_AUTO) {
			if (!rtpc_b64_looks(in, len))
				return rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "input is neither SDP, a SIP message nor "
				    "base64");
			f = RTPC_FORM_BASE64;
		}
	}
	j->form = f;
	if (f == RTPC_FORM_BASE64) {
		rtpc_buf_init(&r->dec, RTPC_INPUT_MAX);
		if (rtpc_b64_decode(in, len, &r->dec, &bad) == -1)
			return r->dec.toobig ? rtpc_err_set(err,
			    RTPC_EXIT_FAIL, "base64 input: %s",
			    rtpc_buf_why(&r->dec)) : rtpc_err_set(err,
			    RTPC_EXIT_FAIL, "base64 input: bad data at byte %zu",
			    bad + 1);
		*msg = r->dec.data ? r->dec.data : "";
		*mlen = r->dec.len;
		*inner = sniff(*msg, *mlen);
		if (*inner == RTPC_FORM_AUTO && *mlen > 0)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "base64 input decodes to neither SDP nor a SIP "
			    "message");
		return 0;
	}
	*inner = f;
	return 0;
}

/* The addresses given by the user must be IP addresses. */
static int
check_addrs(const struct rtpc_job *j, struct rtpc_err *err)
{
	const struct {
		const char *what;
		const char *v;
	} a[] = {
		{ "ip argument", j->ip }, { "--local-ip", j->local_ip },
		{ "source address", j->source_ip },
	};
	size_t i;

	for (i = 0; i < sizeof(a) / sizeof(a[0]); i++)
		if (a[i].v != NULL && *a[i].v != '\0' && !is_ip_literal(a[i].v))
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "%s '%.100s' is not an IP address", a[i].what,
			    a[i].v);
	return 0;
}

/* Fill the call data from the SIP view. */
static void
call_from_sip(struct run *r, const char *b)
{
	const struct rtpc_sip *m = &r->sip;
	int i;

	r->call.is_sip = 1;
	r->call.callid = own_span(r, b, m->callid);
	r->call.ftag = own_span(r, b, m->ftag);
	r->call.ttag = own_span(r, b, m->ttag);
	r->call.is_request = m->is_request;
	r->call.is_ack = m->is_request && rtpc_span_eq(b, m->method, "ACK");
	r->call.nvia = m->nvia;
	for (i = 0; i < RTPC_SIP_VIAS && i < m->nvia; i++)
		r->call.branch[i] = own_span(r, b, m->via[i].branch);
	/* the top Via names the sender of a request only: a reply's source
	 * is not in the message (use --source-ip, else its SDP address) */
	if (m->nvia > 0 && m->is_request) {
		const char *s = own_span(r, b, m->via[0].received);

		if (s == NULL || !is_ip_literal(s))
			s = own_span(r, b, m->via[0].host);
		if (s != NULL && is_ip_literal(s))
			r->call.source_ip = s;
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
call_from_env(const struct rtpc_job *j, struct run *r, struct rtpc_err *err)
{
	const struct {
		const char	*what;
		const char	*var;
		const char	*env;
		const char	*opt;
		const char	**have;
	} f[] = {
		{ "Call-ID", "SIP_HF_CALLID", j->env_callid, j->callid,
		    &r->call.callid },
		{ "From-tag", "SIP_HF_FROM", j->env_ftag, j->ftag,
		    &r->call.ftag },
		{ "To-tag", "SIP_HF_TO", j->env_ttag, j->ttag, &r->call.ttag },
	};
	char m[128], e[128];
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *have = *f[i].have;

		if (f[i].env == NULL || f[i].opt != NULL)
			continue;	/* nothing to fill, or an option wins */
		if (!r->call.is_sip) {
			*f[i].have = f[i].env;
			continue;
		}
		if (have != NULL && strcmp(have, f[i].env) == 0)
			continue;
		rtpc_escape(m, sizeof(m), have ? have : "", have ?
		    strlen(have) : 0);
		rtpc_escape(e, sizeof(e), f[i].env, strlen(f[i].env));
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "the message's %s "
		    "%s%s%s and %s's %s'%s' differ (a header of another "
		    "name may have set %s); nothing sent", f[i].what,
		    have ? "'" : "(none)", m, have ? "'" : "", f[i].var,
		    i == 0 ? "" : "tag ", e, f[i].var);
	}
	return 0;
}

/* Options win over the message. */
static void
call_overrides(const struct rtpc_job *j, struct run *r)
{
	if (j->callid != NULL)
		r->call.callid = j->callid;
	if (j->ftag != NULL)
		r->call.ftag = j->ftag;
	if (j->ttag != NULL)
		r->call.ttag = *j->ttag != '\0' ? j->ttag : NULL;
	if (j->source_ip != NULL)
		r->call.source_ip = *j->source_ip ? j->source_ip : NULL;
	if (j->kind == RTPC_KIND_REQUEST)
		r->call.is_request = 1;
	else if (j->kind == RTPC_KIND_REPLY)
		r->call.is_request = r->call.is_ack = 0;
	if (!r->call.is_sip && r->call.is_request)
		r->call.is_ack = j->op == RTPC_OP_ANSWER;
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
 * body then ends inside a line of its SDP (m->sdp found), the message
 * was cut, not the SDP written wrong: say so with both lengths.
 */
static int
check_cut(const char *b, const struct rtpc_sip *m, struct rtpc_err *err)
{
	size_t end = m->body_off + m->body_len;

	if (m->after_body > 0 && m->sdp.len > 0 &&
	    m->sdp.off + m->sdp.len == end && b[end - 1] != '\n' &&
	    !only_eols(b + end, m->after_body))
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "Content-Length %zu ends the body inside an SDP line, "
		    "but %zu bytes follow the headers", m->body_len,
		    m->body_len + m->after_body);
	return 0;
}

/* A body needs a Content-Type, as the module has it. */
static int
check_ctype(const struct rtpc_sip *m, struct rtpc_err *err)
{
	if (m->body_len > 0 && m->ctype.len == 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "sip message has a body but no Content-Type");
	return 0;
}

/* The SDP of a SIP message: the body as Content-Type and Content-Length
 * say. */
static int
sip_sdp(const char *b, struct rtpc_sip *m, struct rtpc_err *err)
{
	char esc[128];

	if (check_ctype(m, err) == -1)
		return -1;
	if (m->ctype.len > 0 && !m->multipart &&
	    !rtpc_span_eq(b, m->ctype, "application/sdp")) {
		rtpc_escape(esc, sizeof(esc), b + m->ctype.off, m->ctype.len);
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "Content-Type %s is not application/sdp", esc);
	}
	if (m->body_len == 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "sip message has no body");
	if (rtpc_sip_find_sdp(b, m, err) == -1)
		return -1;
	return check_cut(b, m, err);
}

/* Find and parse the SDP of the message; check the marker. */
static int
take_sdp(struct rtpc_job *j, struct run *r, const char *b, size_t len,
    const struct rtpc_flags *fl, struct rtpc_err *err)
{
	struct rtpc_sip *m = &r->sip;
	size_t off = 0, blen = len;

	if (r->call.is_sip) {
		if (sip_sdp(b, m, err) == -1)
			return -1;
		off = m->sdp.off;
		blen = m->sdp.len;
	}
	if (!fl->f && rtpc_sdp_has_marker(b, r->call.is_sip ?
	    m->body_off : 0, r->call.is_sip ? m->body_len : len,
	    j->set->marker))
		return rtpc_err_set(err, RTPC_EXIT_PROXIED,
		    "already proxied: the body has '%s' (flag f sends anyway)",
		    j->set->marker);
	if (rtpc_sdp_parse(b, off, blen, &r->sdp, err) == -1) {
		size_t n = strlen(err->msg);

		if (r->call.is_sip && m->after_body > 0 && m->has_clen)
			snprintf(err->msg + n, sizeof(err->msg) - n,
			    " (the body ends at Content-Length %zu; %zu more "
			    "bytes not read)", m->body_len, m->after_body);
		return -1;
	}
	return 0;
}

/* --dry-run: the commands as a relay with every capability gets them. */
static int
dry_run(struct rtpc_job *j, struct run *r, struct rtpc_err *err)
{
	const struct rtpc_caps all = { 1, 1, 1 };
	size_t i;

	for (i = 0; i < r->plan.n; i++) {
		rtpc_cmd_render(&r->plan.cmds[i], &all, &j->out);
		rtpc_buf_add(&j->out, "\n", 1);
	}
	j->ncmds = (int)r->plan.n;
	if (j->out.toobig)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "output %s",
		    rtpc_buf_why(&j->out));
	return 0;
}

/* Talk to the relay (or take the canned reply); fills r->replies. */
static int
talk(struct rtpc_job *j, struct run *r, struct rtpc_err *err)
{
	struct rtpc_err serr;
	size_t i;

	j->ncmds = (int)r->plan.n;
	if (j->fake_reply != NULL) {
		r->replies = calloc(r->plan.n ? r->plan.n : 1, sizeof(char *));
		if (r->replies == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
		for (i = 0; i < r->plan.n; i++)
			r->replies[i] = (char *)(uintptr_t)j->fake_reply;
		free(j->node);
		if ((j->node = strdup("fake")) == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
		return 0;
	}
	if (rtpc_pset_build(&r->ps, j->set, err) == -1)
		return -1;
	if (!rtpc_pset_has_set(&r->ps, j->set->set))
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "no proxy set %d in the configuration", j->set->set);
	rtpc_err_clear(&serr);
	if (rtpc_state_open(&r->state, j->set->state_dir, &r->ps, &serr) == -1
	    && j->warn != NULL) {
		char msg[600];

		snprintf(msg, sizeof(msg), "health state: %s", serr.msg);
		j->warn(j->warn_ctx, msg);
	}
	rtpc_talk_init(&r->talk, j->set, &r->ps, &r->state);
	/* stop waiting a little before the hard deadline, so that a silent
	 * node is recorded as down and later runs skip it */
	if (j->deadline_ms > 0)
		rtpc_tx_set_deadline(&r->talk.tx, j->deadline_ms -
		    (j->deadline_ms / 10 < 100 ? j->deadline_ms / 10 : 100));
	r->talk.tx.trace = j->trace;
	r->talk.tx.trace_ctx = j->trace_ctx;
	r->talk.warn = j->warn;
	r->talk.warn_ctx = j->warn_ctx;
	if (rtpc_talk_run(&r->talk, &r->plan, err) == -1)
		return -1;
	r->replies = r->talk.replies;
	j->probes = r->talk.probes;
	free(j->node);
	if ((j->node = strdup(r->talk.used->url)) == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	return 0;
}

/* The address when the relay answered only a port. */
static const char *
default_addr(const struct rtpc_job *j, const struct run *r)
{
	if (j->local_ip != NULL && *j->local_ip != '\0')
		return j->local_ip;
	if (r->talk.used != NULL && r->talk.used->host != NULL &&
	    is_ip_literal(r->talk.used->host))
		return r->talk.used->host;
	return NULL;
}

/* The error for the reply to m= line k+1 (sdp line `line'). */
static int
ul_failed(const struct rtpc_job *j, int k, int line, enum rtpc_ul_verdict v,
    struct rtpc_err *err)
{
	char msg[sizeof(err->msg)];

	if (v == RTPC_UL_PORT_MAX)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "%s, m= line %d (sdp line %d): relay returned port "
		    "65535, which leaves no port for RTCP", j->node, k + 1,
		    line);
	if (v == RTPC_UL_NO_PORT)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "%s, m= line %d (sdp line %d): relay returned "
		    "port 0 (%s)", j->node, k + 1, line,
		    j->op == RTPC_OP_ANSWER ? "it does not know the "
		    "call?" : "out of ports?");
	strlcpy(msg, err->msg, sizeof(msg));
	return rtpc_err_set(err, RTPC_EXIT_FAIL,
	    "%s, m= line %d (sdp line %d): %s", j->node, k + 1, line, msg);
}

/* Parse the U/L replies into final addresses and ports. */
static int
take_replies(struct rtpc_job *j, struct run *r, struct rtpc_err *err)
{
	enum rtpc_ul_verdict v;
	int k;

	r->ul = calloc((size_t)r->sdp.nstreams, sizeof(*r->ul));
	if (r->ul == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	for (k = 0; k < r->sdp.nstreams; k++) {
		struct rtpc_ulreply *u = &r->ul[k];
		const struct rtpc_sdp_stream *st = &r->sdp.streams[k];
		const char *a;

		v = rtpc_reply_judge_ul(r->replies[k],
		    r->plan.cmds[k].port0_ok, u, err);
		if (v == RTPC_UL_HELD)
			continue;
		if (v != RTPC_UL_OK)
			return ul_failed(j, k, st->line, v, err);
		/* a null address for a stream not on hold means "none" (rtpengine
		 * answers 0.0.0.0 for a second m= line) */
		if (u->addr[0] != '\0' && !rtpc_sdp_stream_addr(&r->sdp, k)->null &&
		    rtpc_addr_null(u->addr, strlen(u->addr), u->af))
			u->addr[0] = '\0';
		if (j->ip != NULL && *j->ip != '\0')
			a = j->ip;
		else if (u->addr[0] != '\0')
			a = u->addr;
		else if ((a = default_addr(j, r)) == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "%s answered only a port; give the address with "
			    "--local-ip or the ip argument", j->node);
		if (a != u->addr)
			strlcpy(u->addr, a, sizeof(u->addr));
		u->af = strchr(u->addr, ':') != NULL ? 6 : 4;
	}
	return 0;
}

/* The reply to D, P, S, R or Q: anything but E<n> is fine. */
static int
check_destroy(struct rtpc_job *j, struct run *r, struct rtpc_err *err)
{
	int code;

	if (r->plan.n > 0 && rtpc_reply_error(r->replies[0], &code))
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "%s: relay said E%d (%s)", j->node, code,
		    rtpc_ecode_str(code));
	return 0;
}

/*
 * Write the result in the output form: the mirror of the input, or the
 * SDP body alone (sdp is its span in p; len 0 when there is none).
 */
static int
emit(struct rtpc_job *j, const char *p, size_t len, struct rtpc_span sdp,
    struct rtpc_err *err)
{
	enum rtpc_form of = j->out_form != RTPC_FORM_AUTO ? j->out_form :
	    j->form;

	if (of == RTPC_FORM_BODY || of == RTPC_FORM_BODY64) {
		p += sdp.off;
		len = sdp.len;
	}
	if (len == 0)
		;	/* nothing: no message, or no SDP asked for */
	else if (of == RTPC_FORM_BASE64 || of == RTPC_FORM_BODY64)
		rtpc_b64_encode(p, len, j->b64_wrap, &j->out);
	else
		rtpc_buf_add(&j->out, p, len);
	if (j->out.toobig)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "output %s",
		    rtpc_buf_why(&j->out));
	return 0;
}

/* Does the message carry an SDP body that parses? */
static int
has_sdp(struct run *r, const char *b)
{
	struct rtpc_sdp sdp;
	struct rtpc_sip *m = &r->sip;

	if (sip_sdp(b, m, NULL) == -1)
		return 0;
	if (rtpc_sdp_parse(b, m->sdp.off, m->sdp.len, &sdp, NULL) == -1)
		return 0;
	rtpc_sdp_free(&sdp);
	return 1;
}

static int
is_one_of(const char *b, struct rtpc_span s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (rtpc_span_eq(b, s, *list))
			return 1;
	return 0;
}

/* The late-offer memory is a hint: when it fails, warn and go on. */
static void
offers_warn(const struct rtpc_job *j, const struct rtpc_err *e)
{
	char msg[600];

	if (j->warn == NULL)
		return;
	snprintf(msg, sizeof(msg), "late-offer memory: %s", e->msg);
	j->warn(j->warn_ctx, msg);
}

static void
offers_note(const struct rtpc_job *j, const char *callid, const char *cseq)
{
	struct rtpc_err e;

	rtpc_err_clear(&e);
	if (rtpc_offers_note(j->set->state_dir, callid, cseq, &e) == -1)
		offers_warn(j, &e);
}

static int
offers_known(const struct rtpc_job *j, const char *callid, const char *cseq)
{
	struct rtpc_err e;
	int rc;

	rtpc_err_clear(&e);
	if ((rc = rtpc_offers_known(j->set->state_dir, callid, cseq, &e)) ==
	    -1) {
		offers_warn(j, &e);
		return 0;
	}
	return rc;
}

/*
 * rtpproxy_manage's decision table, from the method, the status and
 * the CSeq method.  A 1xx/2xx with SDP to an INVITE is a late offer
 * (U) when this machine saw that INVITE without SDP, else an answer.
 */
static int
manage_decide(struct rtpc_job *j, struct run *r, const char *b,
    enum rtpc_op *op, struct rtpc_err *err)
{
	static const char *const handled[] = { "INVITE", "ACK", "CANCEL",
	    "BYE", "UPDATE", "PRACK", NULL };
	static const char *const ends[] = { "BYE", "CANCEL", NULL };
	static const char *const upd[] = { "UPDATE", "PRACK", NULL };
	const struct rtpc_sip *m = &r->sip;
	struct rtpc_span meth = m->is_request ? m->method : m->cseq_method;
	char cseq[16], esc[64];
	int sdp;

	if (!r->call.is_sip)
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "rtpp-manage needs a SIP message");
	if (!is_one_of(b, m->cseq_method, handled)) {
		rtpc_escape(esc, sizeof(esc), b + m->cseq_method.off,
		    m->cseq_method.len);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "nothing to do for "
		    "CSeq method %s", esc);
	}
	if (is_one_of(b, meth, ends) || (!m->is_request && m->status >= 300)) {
		*op = RTPC_OP_DESTROY;
		return 0;
	}
	/* a broken message is an error, not "without SDP" */
	if (check_ctype(m, err) == -1 || ((rtpc_span_eq(b, m->ctype,
	    "application/sdp") || (m->multipart &&
	    rtpc_sip_find_sdp(b, &r->sip, NULL) == 0)) &&
	    check_cut(b, m, err) == -1))
		return -1;
	sdp = has_sdp(r, b);
	snprintf(cseq, sizeof(cseq), "%.*s", (int)m->cseq.len, b + m->cseq.off);
	if (m->is_request && rtpc_span_eq(b, meth, "INVITE")) {
		if (j->failure_route) {
			*op = sdp ? RTPC_OP_DESTROY : RTPC_OP_NONE;
			return 0;
		}
		if (sdp) {
			*op = RTPC_OP_OFFER;
			return 0;
		}
		if (r->call.callid != NULL && rtpc_token_safe(r->call.callid,
		    strlen(r->call.callid)))
			offers_note(j, r->call.callid, cseq);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "INVITE without SDP: "
		    "nothing sent (its 2xx with SDP will be the offer)");
	}
	if (!sdp) {
		rtpc_escape(esc, sizeof(esc), b + meth.off, meth.len);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s %s without SDP: "
		    "nothing to do", m->is_request ? "request" : "reply to",
		    esc);
	}
	if (m->is_request) {
		*op = rtpc_span_eq(b, meth, "ACK") ? RTPC_OP_ANSWER :
		    RTPC_OP_OFFER;
		return 0;
	}
	if (is_one_of(b, meth, upd) || r->call.callid == NULL ||
	    !offers_known(j, r->call.callid, cseq))
		*op = RTPC_OP_ANSWER;
	else
		*op = RTPC_OP_OFFER;
	return 0;
}

static void
run_free(struct run *r, const struct rtpc_job *j)
{
	int i;

	rtpc_buf_free(&r->dec);
	rtpc_sdp_free(&r->sdp);
	for (i = 0; i < r->nown; i++)
		free(r->own[i]);
	if (r->replies != NULL && r->replies != r->talk.replies)
		free(r->replies);
	rtpc_talk_results_free(&r->talk, r->plan.n);
	rtpc_talk_free(&r->talk);
	rtpc_plan_free(&r->plan);
	rtpc_state_free(&r->state);
	rtpc_pset_free(&r->ps);
	free(r->ul);
	(void)j;
}

static int
run_steps(struct rtpc_job *j, struct run *r, const char *in, size_t len,
    struct rtpc_err *err)
{
	struct rtpc_flags fl;
	enum rtpc_form inner;
	struct rtpc_span sdp_in, sdp_out = { 0, 0 };
	const char *b;
	size_t blen;

	if (j->set->marker == NULL)	/* its default could not be copied */
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	if (rtpc_flags_parse(j->flags ? j->flags : "", j->op ==
	    RTPC_OP_MANAGE ? RTPC_OP_OFFER : j->op, &fl, err) == -1)
		return -1;
	if (check_addrs(j, err) == -1)
		return -1;
	if (read_form(j, r, in, len, &b, &blen, &inner, err) == -1)
		return -1;
	if (inner == RTPC_FORM_SIP) {
		if (rtpc_sip_parse(b, blen, &r->sip, err) == -1)
			return -1;
		call_from_sip(r, b);
		if (r->nomem)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
		/* what follows Content-Length is not written out either */
		blen = r->sip.body_off + r->sip.body_len;
	} else if (inner == RTPC_FORM_AUTO && needs_sdp(j->op))
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "no input: give an SDP body or a SIP message on stdin");
	else
		/* bare SDP: an offer is an INVITE's, an answer a 2xx's */
		r->call.is_request = j->op != RTPC_OP_ANSWER;
	if (call_from_env(j, r, err) == -1)
		return -1;
	call_overrides(j, r);
	sdp_in.off = 0;
	sdp_in.len = 0;
	if (j->op == RTPC_OP_MANAGE) {
		if (manage_decide(j, r, b, &j->op, err) == -1)
			return -1;
		j->did = j->op;
		if (j->op == RTPC_OP_NONE)
			return emit(j, b, blen, r->sip.sdp, err);
		if (rtpc_flags_parse(j->flags ? j->flags : "", j->op, &fl,
		    err) == -1)
			return -1;
	}
	if (needs_sdp(j->op) && take_sdp(j, r, b, blen, &fl, err) == -1)
		return -1;
	if (r->call.is_sip)
		sdp_in = r->sip.sdp;
	else if (inner == RTPC_FORM_SDP)
		sdp_in.len = blen;
	if (j->op <= RTPC_OP_DESTROY) {
		if (rtpc_plan_build(j->op, &fl, &r->call, b, &r->sdp, j->set,
		    &r->plan, err) == -1)
			return -1;
	} else if (rtpc_plan_other(j->op, &r->call, &j->extra, &r->plan,
	    err) == -1)
		return -1;
	if (j->dry_run)
		return dry_run(j, r, err);
	if (talk(j, r, err) == -1)
		return -1;
	if (j->op == RTPC_OP_QUERY || j->op == RTPC_OP_INFO) {
		if (check_destroy(j, r, err) == -1)
			return -1;
		j->from_first = r->plan.from_first;
		if ((j->reply = strdup(r->replies[0])) == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
		return 0;
	}
	if (!needs_sdp(j->op)) {
		if (check_destroy(j, r, err) == -1)
			return -1;
		/* the body does not matter here; --output sdp shows its SDP
		 * part when it has one */
		if (r->call.is_sip && rtpc_sip_find_sdp(b, &r->sip, NULL) == 0)
			sdp_in = r->sip.sdp;
		return emit(j, b, blen, sdp_in, err);
	}
	if (take_replies(j, r, err) == -1)
		return -1;
	{
		struct rtpc_rw rw;
		struct rtpc_buf tmp;
		int rc;

		memset(&rw, 0, sizeof(rw));
		rw.buf = b;
		rw.len = blen;
		rw.sip = r->call.is_sip ? &r->sip : NULL;
		rw.sdp = &r->sdp;
		rw.replies = r->ul;
		rw.fl = &fl;
		rw.set = j->set;
		rw.sdp_in = sdp_in;
		rw.sdp_out = &sdp_out;
		rw.add_marker = *j->set->marker != '\0' &&
		    !rtpc_sdp_has_marker(b, rw.sip ? r->sip.body_off : 0,
		    rw.sip ? r->sip.body_len : blen, j->set->marker);
		rtpc_buf_init(&tmp, 0);
		rc = rtpc_rewrite(&rw, &tmp, err);
		if (rc == 0 && j->explain) {
			rtpc_buf_add(&j->ex.before, b + sdp_in.off, sdp_in.len);
			rtpc_buf_add(&j->ex.after, tmp.data + sdp_out.off,
			    sdp_out.len);
			if (j->ex.before.toobig || j->ex.after.toobig)
				rc = rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "--explain: out of memory");
		}
		if (rc == 0)
			rc = emit(j, tmp.data, tmp.len, sdp_out, err);
		rtpc_buf_free(&tmp);
		return rc;
	}
}

/* Copy what --explain shows out of the run before it is freed. */
static void
keep_explain(struct rtpc_job *j, const struct run *r)
{
	const struct rtpc_talk *t = &r->talk;
	size_t i;

	for (i = 0; i < t->nnotes && i < RTPC_TALK_NOTES; i++) {
		free(j->ex.nodes[i].url);
		j->ex.nodes[i].url = strdup(t->notes[i].node->url);
		j->ex.nodes[i].weight = t->notes[i].node->weight;
		j->ex.nodes[i].score = t->notes[i].score;
		strlcpy(j->ex.nodes[i].what, t->notes[i].what,
		    sizeof(j->ex.nodes[i].what));
	}
	j->ex.nnodes = i;
	if (t->sent == NULL || r->plan.n == 0)
		return;
	if ((j->ex.cmds = calloc(r->plan.n, sizeof(*j->ex.cmds))) == NULL)
		return;
	for (i = 0; i < r->plan.n; i++) {
		j->ex.cmds[i].sent = t->sent[i] ? strdup(t->sent[i]) : NULL;
		j->ex.cmds[i].reply = t->replies[i] ? strdup(t->replies[i]) :
		    NULL;
		j->ex.cmds[i].rtt_us = t->rtts[i];
	}
	j->ex.ncmds = r->plan.n;
}

/*
 * Run the job on the input.  On success j->out holds the whole output;
 * on failure it is empty and err says why.
 */
int
rtpc_job_run(struct rtpc_job *j, const char *in, size_t len,
    struct rtpc_err *err)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof(r));
	rtpc_buf_init(&r.dec, RTPC_INPUT_MAX);
	rc = run_steps(j, &r, in, len, err);
	if (rc == -1)
		rtpc_buf_reset(&j->out);
	if (j->explain)
		keep_explain(j, &r);
	run_free(&r, j);
	return rc;
}
