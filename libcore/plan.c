/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * plan.c: flags parsing and the commands for offer, answer and destroy,
 * with the module's tag order, ;N media indexes and modifiers (and
 * without its Z/6 accumulation bug).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "config.h"
#include "plan.h"
#include "sdp.h"

static int
add_mod(struct rtpc_flags *fl, char m)
{
	size_t n = strlen(fl->mods);

	if (n + 1 >= sizeof(fl->mods))
		return -1;
	fl->mods[n] = m;
	fl->mods[n + 1] = '\0';
	return 0;
}

/*
 * Parse the module's flags string.  For destroy only 1 2 3 b t count;
 * the offer letters are ignored, as in the module.  Unknown letters are
 * usage errors.
 */
int
rtpc_flags_parse(const char *s, enum rtpc_op op, struct rtpc_flags *fl,
    struct rtpc_err *err)
{
	const char *p;

	memset(fl, 0, sizeof(*fl));
	for (p = s; *p != '\0'; p++) {
		char c = (char)tolower((unsigned char)*p);
		int offer_only = 0;

		switch (c) {
		case '1': case '2': case '3':
			fl->via = c - '0';
			break;
		case 'b':
			fl->b = 1;
			break;
		case 't':
			fl->t = 1;
			break;
		case 'a':
			offer_only = 1;
			fl->a = 1;
			if (op != RTPC_OP_DESTROY && add_mod(fl, 'A') == -1)
				goto toolong;
			break;
		case 'i': case 'e': case 'w':
			offer_only = 1;
			if (op != RTPC_OP_DESTROY &&
			    add_mod(fl, c == 'w' ? 'S' : (char)toupper(c)) == -1)
				goto toolong;
			break;
		case 'r': fl->r = 1; offer_only = 1; break;
		case 'f': fl->f = 1; offer_only = 1; break;
		case 'c': fl->c = 1; offer_only = 1; break;
		case 'o': fl->o = 1; offer_only = 1; break;
		case 'x': fl->x = 1; offer_only = 1; break;
		case 'l': fl->l = 1; offer_only = 1; break;
		case 'z': {
			int n = 0, digits = 0;

			offer_only = 1;
			while (isdigit((unsigned char)p[1])) {
				/* destroy skips any number of digits */
				if (digits < 4)
					n = n * 10 + (p[1] - '0');
				p++;
				if (++digits > 3 && op != RTPC_OP_DESTROY)
					return rtpc_err_set(err, RTPC_EXIT_USAGE,
					    "flags '%s': z takes 1 to 999", s);
			}
			if (op == RTPC_OP_DESTROY)
				break;	/* ignored with its digits, like a */
			if (digits == 0 || n < 1)
				return rtpc_err_set(err, RTPC_EXIT_USAGE,
				    "flags '%s': z needs a ptime, as in z20",
				    s);
			fl->z = n;
			break;
		}
		default:
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "flags '%s': unknown flag '%c'", s, *p);
		}
		(void)offer_only;
	}
	if (op == RTPC_OP_DESTROY) {
		/* offer letters mean nothing to D */
		fl->a = fl->r = fl->f = fl->c = fl->o = fl->x = fl->l = 0;
		fl->z = 0;
		fl->mods[0] = '\0';
	}
	return 0;
toolong:
	return rtpc_err_set(err, RTPC_EXIT_USAGE, "flags '%s': too long", s);
}

void
rtpc_plan_free(struct rtpc_plan *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++) {
		free(pl->cmds[i].clist);
		free(pl->cmds[i].rest);
		free(pl->cmds[i].notify);
	}
	free(pl->cmds);
	free(pl->callid);
	memset(pl, 0, sizeof(*pl));
}

/* Offer and answer work on SDP; every other command needs only the call. */
int
rtpc_op_has_sdp(enum rtpc_op op)
{
	return op == RTPC_OP_OFFER || op == RTPC_OP_ANSWER;
}

/*
 * Refuse values that would break the whitespace-separated protocol; a
 * tag may not hold ';' either, which separates it from its media number
 * (RFC 3261 tags are tokens, without ';').
 */
static int
check_token(const char *what, const char *v, struct rtpc_err *err)
{
	char esc[128];

	if (v != NULL && rtpc_token_safe(v, strlen(v)) &&
	    strstr(what, "tag") != NULL && strchr(v, ';') != NULL) {
		rtpc_escape(esc, sizeof(esc), v, strlen(v));
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s '%s' contains "
		    "';', which separates a tag from its media number; not "
		    "sent", what, esc);
	}
	if (v == NULL || rtpc_token_safe(v, strlen(v)))
		return 0;
	rtpc_escape(esc, sizeof(esc), v, strlen(v));
	return rtpc_err_set(err, RTPC_EXIT_FAIL,
	    "%s '%s' is empty or contains spaces or control characters; "
	    "not sent", what, esc);
}

/* Every command needs a Call-ID and a From-tag that are safe to send. */
static int
check_call(const struct rtpc_call *call, struct rtpc_err *err)
{
	if (call->callid == NULL)
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "no Call-ID: give a SIP message or --call-id");
	if (call->ftag == NULL)
		return rtpc_err_set(err, call->is_sip ? RTPC_EXIT_FAIL :
		    RTPC_EXIT_USAGE, call->is_sip ? "sip message has no "
		    "From-tag" : "no From-tag: give a SIP message or --from-tag");
	if (check_token("call-id", call->callid, err) == -1 ||
	    check_token("from-tag", call->ftag, err) == -1 ||
	    check_token("to-tag", call->ttag, err) == -1)
		return -1;
	return 0;
}

/* The Call-ID as sent: raw, or with ;branch (flags 1-3) or ;extra_id. */
static int
callid_sent(const struct rtpc_flags *fl, const struct rtpc_call *call,
    const struct rtpc_settings *set, struct rtpc_buf *out,
    struct rtpc_err *err)
{
	rtpc_buf_addstr(out, call->callid);
	if (fl->via > 0) {
		/* 1 and 2 name a Via; 3 means Via 1 in a request, Via 2 in a
		 * reply (the branch of the request as this proxy sent it) */
		int v = fl->via == 3 ? (call->is_request ? 1 : 2) : fl->via;
		const char *br;

		if (!call->is_sip)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "flag %d needs a SIP message with Via headers",
			    fl->via);
		if (v > call->nvia)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "flag %d: the message has only %d Via value%s",
			    fl->via, call->nvia, call->nvia == 1 ? "" : "s");
		br = call->branch[v - 1];
		if (br == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "flag %d: Via %d has no branch", fl->via, v);
		if (check_token("via branch", br, err) == -1)
			return -1;
		return rtpc_buf_printf(out, ";%s", br);
	}
	if (fl->b && set->extra_id != NULL && *set->extra_id != '\0')
		return rtpc_buf_printf(out, ";%s", set->extra_id);
	return 0;
}

/* The family of an address literal: 6 if it has a colon. */
static int
addr_af(const char *a)
{
	return strchr(a, ':') != NULL ? 6 : 4;
}

/*
 * The payload types of an m= line joined with commas in *out (NULL when
 * there are none); -1 when out of memory.
 */
static int
payload_list(const char *b, const struct rtpc_sdp_stream *st, char **out)
{
	struct rtpc_buf o;
	size_t i = st->fmts.off, end = st->fmts.off + st->fmts.len;

	*out = NULL;
	rtpc_buf_init(&o, 0);
	while (i < end) {
		size_t s;

		while (i < end && (b[i] == ' ' || b[i] == '\t'))
			i++;
		s = i;
		while (i < end && b[i] != ' ' && b[i] != '\t')
			i++;
		if (i > s) {
			if (o.len > 0)
				rtpc_buf_add(&o, ",", 1);
			rtpc_buf_add(&o, b + s, i - s);
		}
	}
	if (o.toobig) {
		rtpc_buf_free(&o);
		return -1;
	}
	if (o.len == 0)
		rtpc_buf_free(&o);
	*out = o.data;
	return 0;
}

static int
add_cmd(struct rtpc_plan *pl, struct rtpc_cmd *c)
{
	struct rtpc_cmd *n;

	n = reallocarray(pl->cmds, pl->n + 1, sizeof(*n));
	if (n == NULL)
		return -1;
	pl->cmds = n;
	pl->cmds[pl->n++] = *c;
	return 0;
}

/* D CID F[ T]: never swapped, T left out with flag t. */
static int
plan_destroy(const struct rtpc_flags *fl, const struct rtpc_call *call,
    const char *cid, struct rtpc_plan *pl, struct rtpc_err *err)
{
	struct rtpc_cmd c;
	struct rtpc_buf r;

	memset(&c, 0, sizeof(c));
	rtpc_buf_init(&r, 0);
	c.letter = 'D';
	c.stream = -1;
	rtpc_buf_printf(&r, " %s %s", cid, call->ftag);
	if (call->ttag != NULL && !fl->t)
		rtpc_buf_printf(&r, " %s", call->ttag);
	c.rest = r.data;
	/* a part of the command (D without its To-tag) must never go out */
	if (r.toobig || c.rest == NULL || add_cmd(pl, &c) == -1) {
		free(c.rest);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	return 0;
}

/*
 * Which tag comes first.  Offer: the sender's (From in a request, To in
 * a reply); answer and flag l: the other way round.
 */
static int
from_first(enum rtpc_op op, const struct rtpc_flags *fl,
    const struct rtpc_call *call)
{
	int offerer_sends = op == RTPC_OP_OFFER && !fl->l;

	return offerer_sends == call->is_request;
}

static int
check_roles(enum rtpc_op op, const struct rtpc_flags *fl,
    const struct rtpc_call *call, struct rtpc_err *err)
{
	if (op == RTPC_OP_ANSWER && fl->l)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "flag l works only with an offer");
	if (op == RTPC_OP_ANSWER && call->is_request && !call->is_ack)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "an answer in a request must be in an ACK");
	if (call->ttag != NULL)
		return 0;
	if (op == RTPC_OP_ANSWER)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "an answer needs a To-tag");
	if (fl->l)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "flag l needs a To-tag");
	if (!call->is_request)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "an offer in a reply needs a To-tag");
	return 0;
}

/* One U or L for stream k. */
static int
plan_stream(enum rtpc_op op, const struct rtpc_flags *fl,
    const struct rtpc_call *call, const char *cid, const char *b,
    const struct rtpc_sdp *sdp, int k, const struct rtpc_settings *set,
    struct rtpc_plan *pl, struct rtpc_err *err)
{
	const struct rtpc_sdp_stream *st = &sdp->streams[k];
	const struct rtpc_sdp_addr *sa = rtpc_sdp_stream_addr(sdp, k);
	const char *t1, *t2;
	char addr[64];
	struct rtpc_cmd c;
	struct rtpc_buf r;
	int n = k + 1;

	memset(&c, 0, sizeof(c));
	c.letter = (op == RTPC_OP_OFFER && !fl->l) ? 'U' : 'L';
	c.stream = k;
	c.port0_ok = st->port.len == 1 && b[st->port.off] == '0';
	strlcpy(c.mods, fl->mods, sizeof(c.mods));
	/* x: the bridging direction of the whole call, from the family of
	 * its first stream, as the module decides it */
	if (fl->x)
		strlcat(c.mods, rtpc_sdp_stream_addr(sdp, 0)->af == 6 ? "EI" :
		    "IE", sizeof(c.mods));
	if (sa->af == 6)
		strlcat(c.mods, "6", sizeof(c.mods));
	c.z = fl->z;
	if (rtpc_sdp_is_rtp(b, st) && payload_list(b, st, &c.clist) == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	if (fl->r || fl->a || call->source_ip == NULL)
		snprintf(addr, sizeof(addr), "%.*s", (int)sa->addr.len,
		    b + sa->addr.off);
	else
		strlcpy(addr, call->source_ip, sizeof(addr));
	c.af = addr_af(addr);
	if (from_first(op, fl, call)) {
		t1 = call->ftag;
		t2 = call->ttag;
	} else {
		t1 = call->ttag;
		t2 = call->ftag;
	}
	rtpc_buf_init(&r, 0);
	rtpc_buf_printf(&r, " %s %s %.*s %s;%d", cid, addr, (int)st->port.len,
	    b + st->port.off, t1, n);
	if (t2 != NULL)
		rtpc_buf_printf(&r, " %s;%d", t2, n);
	if (c.letter == 'U' && set->timeout_socket != NULL) {
		struct rtpc_buf tag, nt;

		/* the notify tag names the call: "<call-id> <from-tag>" */
		rtpc_buf_init(&tag, 0);
		rtpc_buf_init(&nt, 0);
		rtpc_buf_printf(&tag, "%s %s", call->callid, call->ftag);
		rtpc_buf_printf(&nt, " %s ", set->timeout_socket);
		if (!tag.toobig)
			rtpc_pct_encode(tag.data, &nt);
		if (tag.toobig || nt.toobig)
			r.toobig = 1;	/* fail the command below */
		rtpc_buf_free(&tag);
		c.notify = nt.data;
	}
	c.rest = r.data;
	if (r.toobig || c.rest == NULL || add_cmd(pl, &c) == -1) {
		free(c.rest);
		free(c.clist);
		free(c.notify);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	return 0;
}

/*
 * Build the plan.  b and sdp may be NULL for destroy.  The caller has
 * already checked the marker.
 */
int
rtpc_plan_build(enum rtpc_op op, const struct rtpc_flags *fl,
    const struct rtpc_call *call, const char *b, const struct rtpc_sdp *sdp,
    const struct rtpc_settings *set, struct rtpc_plan *pl,
    struct rtpc_err *err)
{
	struct rtpc_buf cid;
	int k, rc = 0;

	memset(pl, 0, sizeof(*pl));
	if (check_call(call, err) == -1)
		return -1;
	if (op != RTPC_OP_DESTROY && check_roles(op, fl, call, err) == -1)
		return -1;
	if (op != RTPC_OP_DESTROY && call->source_ip != NULL &&
	    check_token("source address", call->source_ip, err) == -1)
		return -1;
	rtpc_buf_init(&cid, 0);
	if (callid_sent(fl, call, set, &cid, err) == -1 || cid.toobig) {
		if (cid.toobig)
			rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
		rtpc_buf_free(&cid);
		return -1;
	}
	if ((pl->callid = strdup(call->callid)) == NULL) {
		rtpc_buf_free(&cid);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	pl->new_call = op == RTPC_OP_OFFER && (call->ttag == NULL ||
	    *call->ttag == '\0');
	if (op == RTPC_OP_DESTROY)
		rc = plan_destroy(fl, call, cid.data, pl, err);
	else
		for (k = 0; k < sdp->nstreams && rc == 0; k++)
			rc = plan_stream(op, fl, call, cid.data, b, sdp, k, set,
			    pl, err);
	rtpc_buf_free(&cid);
	if (rc == -1)
		rtpc_plan_free(pl);
	return rc;
}

/* Does the command change with the node's capabilities? */
int
rtpc_cmd_needs_caps(const struct rtpc_cmd *c)
{
	return c->z > 0 || c->clist != NULL || c->notify != NULL;
}

/*
 * The command text for a node: Z<n> only with the re-packetization
 * capability, c<list> only with the codec-list one, the notify socket
 * and tag only with the notification one (a relay without it, such as
 * rtpengine 10.5, misreads a U that carries them).
 */
int
rtpc_cmd_render(const struct rtpc_cmd *c, const struct rtpc_caps *caps,
    struct rtpc_buf *out)
{
	rtpc_buf_add(out, &c->letter, 1);
	rtpc_buf_addstr(out, c->mods);
	if (c->z > 0 && caps->rep)
		rtpc_buf_printf(out, "Z%d", c->z);
	if (c->clist != NULL && caps->ptl)
		rtpc_buf_printf(out, "c%s", c->clist);
	rtpc_buf_addstr(out, c->rest);
	if (c->notify != NULL && caps->ntf)
		rtpc_buf_addstr(out, c->notify);
	return out->toobig ? -1 : 0;
}

/* Append " t1[;1][ t2[;1]]" in the given order; t2 may be NULL. */
static void
add_tags(struct rtpc_buf *b, const char *t1, const char *t2, int idx)
{
	rtpc_buf_printf(b, " %s%s", t1, idx ? ";1" : "");
	if (t2 != NULL)
		rtpc_buf_printf(b, " %s%s", t2, idx ? ";1" : "");
}

/* The relay's global statistics: I, or G[v] with named counters. */
static int
plan_info(const struct rtpc_extra *x, struct rtpc_plan *pl,
    struct rtpc_err *err)
{
	struct rtpc_cmd c;
	struct rtpc_buf r;

	memset(&c, 0, sizeof(c));
	rtpc_buf_init(&r, 0);
	c.stream = -1;
	if (x->counters != NULL && *x->counters != '\0') {
		c.letter = 'G';
		rtpc_buf_printf(&r, " %s", x->counters);
	} else {
		c.letter = 'I';
		rtpc_buf_addstr(&r, "");
	}
	if (x->verbose)
		strlcpy(c.mods, c.letter == 'G' ? "v" : "l", sizeof(c.mods));
	c.rest = r.data;
	pl->callid = strdup("-");
	if (r.toobig || c.rest == NULL || pl->callid == NULL ||
	    add_cmd(pl, &c) == -1) {
		free(c.rest);
		rtpc_plan_free(pl);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	return 0;
}

/*
 * Plan P (play), S (stop playing), R (record) or Q (query) for the call.
 * P and S: uac sends F;1 T;1, uas T;1 F;1 (needs a To-tag).  R and Q:
 * F T in a request, T F in a reply (needs a To-tag); Q with ;1 on every
 * tag (the module leaves it off the second).
 */
int
rtpc_plan_other(enum rtpc_op op, const struct rtpc_call *call,
    const struct rtpc_extra *x, struct rtpc_plan *pl, struct rtpc_err *err)
{
	struct rtpc_cmd c;
	struct rtpc_buf r;
	int ffirst;

	memset(pl, 0, sizeof(*pl));
	memset(&c, 0, sizeof(c));
	if (op == RTPC_OP_INFO)
		return plan_info(x, pl, err);
	if (check_call(call, err) == -1)
		return -1;
	if (op == RTPC_OP_PLAY || op == RTPC_OP_STOP) {
		ffirst = !x->uas;
		if (x->uas && call->ttag == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "uas needs a To-tag");
		pl->need_ptl = 1;
	} else {
		pl->need_query = op == RTPC_OP_QUERY;
		ffirst = call->is_request;
		if (!ffirst && call->ttag == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "a reply needs a To-tag");
	}
	rtpc_buf_init(&r, 0);
	c.stream = -1;
	pl->from_first = ffirst;
	switch (op) {
	case RTPC_OP_PLAY:
		if (check_token("prompt", x->prompt, err) == -1 ||
		    x->prompt == NULL) {
			rtpc_buf_free(&r);
			return x->prompt == NULL ? rtpc_err_set(err,
			    RTPC_EXIT_USAGE, "no prompt") : -1;
		}
		c.letter = 'P';
		snprintf(c.mods, sizeof(c.mods), "%ld", x->count);
		rtpc_buf_printf(&r, " %s %s session", call->callid, x->prompt);
		break;
	case RTPC_OP_STOP:
		c.letter = 'S';
		rtpc_buf_printf(&r, " %s", call->callid);
		break;
	case RTPC_OP_RECORD:
		c.letter = 'R';
		rtpc_buf_printf(&r, " %s", call->callid);
		break;
	default:
		c.letter = 'Q';
		if (x->verbose)
			strlcpy(c.mods, "v", sizeof(c.mods));
		rtpc_buf_printf(&r, " %s", call->callid);
		break;
	}
	if (ffirst)
		add_tags(&r, call->ftag, call->ttag, op != RTPC_OP_RECORD);
	else
		add_tags(&r, call->ttag, call->ftag, op != RTPC_OP_RECORD);
	if (op == RTPC_OP_QUERY && x->counters != NULL && *x->counters) {
		if (call->ttag == NULL) {
			rtpc_buf_free(&r);
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "named counters need a To-tag");
		}
		rtpc_buf_printf(&r, " %s", x->counters);
	}
	c.rest = r.data;
	pl->callid = strdup(call->callid);
	if (r.toobig || c.rest == NULL || pl->callid == NULL ||
	    add_cmd(pl, &c) == -1) {
		free(c.rest);
		rtpc_plan_free(pl);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	return 0;
}
