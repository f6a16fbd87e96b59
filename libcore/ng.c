/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ng.c: rtpengine's ng protocol: the module's flag letters as ng
 * options, requests as bencoded dictionaries behind a cookie, and the
 * parsing of replies.
 */
#include <ctype.h>
#include <string.h>

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "bencode.h"
#include "ng.h"

/*
 * The module's flag letters over ng (offer and answer unless said).
 * rtpp(7) shows this table; test-ng checks that every letter is in it.
 * No letter is without a counterpart, but two are not sent as options:
 * f (the marker is a local matter; rtpengine ignores a "force" flag)
 * and t outside delete (ignored, as by the module).
 */
const struct rtpc_ng_letter rtpc_ng_letters[] = {
	{ '1', "via-branch = branch of the 1st Via; the Call-ID goes "
	    "unchanged" },
	{ '2', "via-branch = branch of the 2nd Via" },
	{ '3', "via-branch = branch of Via 1 in a request, Via 2 in a "
	    "reply" },
	{ 'a', "flags asymmetric, trust-address" },
	{ 'b', "via-branch = the extra id (when no 1, 2 or 3)" },
	{ 'c', "replace session-connection" },
	{ 'e', "direction external (with i: in letter order, at most 2)" },
	{ 'f', "not sent: the marker is ignored here (rtpengine ignores "
	    "a force flag)" },
	{ 'i', "direction internal (with e: in letter order, at most 2)" },
	{ 'l', "command answer instead of offer: only an existing call" },
	{ 'o', "replace origin" },
	{ 'r', "flags trust-address (without r or a: SIP-source-address "
	    "and received from = the SIP source address, when known)" },
	{ 't', "delete: no to-tag; offer, answer: ignored" },
	{ 'w', "flags symmetric" },
	{ 'x', "address family = the other family than the media's "
	    "(IPv4 media: IP6, IPv6 media: IP4), once" },
	{ 'z', "ptime = N (z1 to z999); delete: ignored with its digits" },
	{ '\0', NULL }
};

static const char *const cmd_names[] = {
	[RTPC_NG_PING] = "ping",
	[RTPC_NG_OFFER] = "offer",
	[RTPC_NG_ANSWER] = "answer",
	[RTPC_NG_DELETE] = "delete",
	[RTPC_NG_QUERY] = "query",
	[RTPC_NG_LIST] = "list",
	[RTPC_NG_STATISTICS] = "statistics",
	[RTPC_NG_START_RECORDING] = "start recording",
	[RTPC_NG_STOP_RECORDING] = "stop recording",
	[RTPC_NG_PLAY_MEDIA] = "play media",
	[RTPC_NG_STOP_MEDIA] = "stop media"
};

/* What a command must carry: C call-id, F from-tag, T to-tag, S sdp,
 * M file. */
static const char *const cmd_needs[] = {
	[RTPC_NG_PING] = "",
	[RTPC_NG_OFFER] = "CFS",
	[RTPC_NG_ANSWER] = "CFTS",
	[RTPC_NG_DELETE] = "C",
	[RTPC_NG_QUERY] = "C",
	[RTPC_NG_LIST] = "",
	[RTPC_NG_STATISTICS] = "",
	[RTPC_NG_START_RECORDING] = "C",
	[RTPC_NG_STOP_RECORDING] = "C",
	[RTPC_NG_PLAY_MEDIA] = "CFM",
	[RTPC_NG_STOP_MEDIA] = "CF"
};

#define NCMDS	(sizeof(cmd_names) / sizeof(cmd_names[0]))

const char *
rtpc_ng_cmd_name(enum rtpc_ng_cmd cmd)
{
	if ((size_t)cmd >= NCMDS)
		return NULL;
	return cmd_names[cmd];
}

static int
add_direction(struct rtpc_ng_opts *o, const char *dir, const char *s,
    struct rtpc_err *err)
{
	if (o->ndirection >= 2)
		return rtpc_err_set(err, RTPC_EXIT_USAGE, "flags '%s': more "
		    "than two directions (i, e)", s);
	o->direction[o->ndirection++] = dir;
	return 0;
}

/*
 * Read the module's flags string for an ng command (see the table
 * above).  media_af is the family of the SDP's media address (4 or 6),
 * which x needs.  Unknown letters and z without 1 to 999 are usage
 * errors, as over the rtpproxy protocol; for delete only 1 2 3 b t
 * count and the other letters are ignored, as by the module.
 */
int
rtpc_ng_flags(const char *s, enum rtpc_ng_cmd cmd, int media_af,
    struct rtpc_ng_opts *o, struct rtpc_err *err)
{
	const char *p;
	char esc[64];
	int sdp = cmd == RTPC_NG_OFFER || cmd == RTPC_NG_ANSWER;

	memset(o, 0, sizeof(*o));
	if (s == NULL)
		return 0;
	rtpc_escape(esc, sizeof(esc), s, strlen(s));
	for (p = s; *p != '\0'; p++) {
		char c = (char)tolower((unsigned char)*p);

		switch (c) {
		case '1': case '2': case '3':
			o->via = c - '0';
			break;
		case 'b':
			o->extra_id = 1;
			break;
		case 't':
			if (cmd == RTPC_NG_DELETE)
				o->no_to_tag = 1;
			break;
		case 'a':
			o->flags |= RTPC_NG_FL_ASYMMETRIC | RTPC_NG_FL_TRUST;
			break;
		case 'r':
			o->flags |= RTPC_NG_FL_TRUST;
			break;
		case 'w':
			o->flags |= RTPC_NG_FL_SYMMETRIC;
			break;
		case 'i': case 'e':
			if (sdp && add_direction(o, c == 'i' ? "internal" :
			    "external", esc, err) == -1)
				return -1;
			break;
		case 'c':
			o->replace |= RTPC_NG_RP_SESSCONN;
			break;
		case 'o':
			o->replace |= RTPC_NG_RP_ORIGIN;
			break;
		case 'f':
			o->force = 1;
			break;
		case 'l':
			o->lookup = 1;
			break;
		case 'x':
			o->family = media_af == 6 ? 4 : 6;
			break;
		case 'z': {
			int n = 0, digits = 0;

			while (isdigit((unsigned char)p[1])) {
				if (++digits > 3 && cmd != RTPC_NG_DELETE)
					return rtpc_err_set(err,
					    RTPC_EXIT_USAGE, "flags '%s': z "
					    "takes 1 to 999", esc);
				if (digits <= 3)
					n = n * 10 + (p[1] - '0');
				p++;
			}
			if (cmd == RTPC_NG_DELETE)
				break;
			if (digits == 0 || n < 1)
				return rtpc_err_set(err, RTPC_EXIT_USAGE,
				    "flags '%s': z needs a ptime, as in z20",
				    esc);
			o->ptime = n;
			break;
		}
		default:
			if (isprint((unsigned char)*p))
				return rtpc_err_set(err, RTPC_EXIT_USAGE,
				    "flags '%s': unknown flag '%c'", esc, *p);
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "flags '%s': unknown flag byte 0x%02x", esc,
			    (unsigned char)*p);
		}
	}
	if (!sdp) {
		/* offer letters mean nothing to the other commands */
		int via = o->via, b = o->extra_id, t = o->no_to_tag;

		memset(o, 0, sizeof(*o));
		o->via = via;
		o->extra_id = b;
		o->no_to_tag = t;
	}
	return 0;
}

/* A cookie we send: 1 to RTPC_NG_COOKIE_MAX bytes, no space or control
 * byte (the reply is matched on it). */
int
rtpc_ng_cookie_ok(const char *cookie)
{
	size_t len;

	if (cookie == NULL)
		return 0;
	len = strlen(cookie);
	return len <= RTPC_NG_COOKIE_MAX && rtpc_token_safe(cookie, len);
}

static int
need(const char *what, const char *v, const char *cmd, struct rtpc_err *err)
{
	if (v != NULL && v[0] != '\0')
		return 0;
	return rtpc_err_set(err, RTPC_EXIT_FAIL, "ng %s: no %s", cmd, what);
}

static int
check_req(const struct rtpc_ng_req *r, enum rtpc_ng_cmd cmd,
    struct rtpc_err *err)
{
	const char *name = rtpc_ng_cmd_name(cmd), *n;

	if (name == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "ng: unknown "
		    "command %d", (int)cmd);
	for (n = cmd_needs[cmd]; *n != '\0'; n++) {
		int rc = 0;

		switch (*n) {
		case 'C':
			rc = need("call-id", r->call_id, name, err);
			break;
		case 'F':
			rc = need("from-tag", r->from_tag, name, err);
			break;
		case 'T':
			rc = need("to-tag", r->to_tag, name, err);
			break;
		case 'M':
			rc = need("file", r->file, name, err);
			break;
		case 'S':
			if (r->sdp == NULL || r->sdplen == 0)
				rc = rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "ng %s: no sdp", name);
			break;
		}
		if (rc == -1)
			return -1;
	}
	return 0;
}

/* Add a string key when the value is set. */
static void
opt_str(struct rtpc_bval *d, const char *key, const char *v)
{
	if (v != NULL)
		rtpc_bdict_cstr(d, key, v);
}

static void
add_opts(struct rtpc_bval *d, const struct rtpc_ng_opts *o)
{
	static const char *const ice[] = {
		[RTPC_NG_ICE_REMOVE] = "remove",
		[RTPC_NG_ICE_FORCE] = "force",
		[RTPC_NG_ICE_FORCE_RELAY] = "force-relay",
		[RTPC_NG_ICE_DEFAULT] = "default"
	};
	struct rtpc_bval *l;
	int i;

	if (o->flags != 0 || o->received_from != NULL) {
		l = rtpc_bdict_list(d, "flags");
		if (o->flags & RTPC_NG_FL_ASYMMETRIC)
			rtpc_blist_cstr(l, "asymmetric");
		if (o->flags & RTPC_NG_FL_SYMMETRIC)
			rtpc_blist_cstr(l, "symmetric");
		if (o->flags & RTPC_NG_FL_TRUST)
			rtpc_blist_cstr(l, "trust-address");
		else if (o->received_from != NULL)
			rtpc_blist_cstr(l, "SIP-source-address");
	}
	if (o->replace != 0) {
		l = rtpc_bdict_list(d, "replace");
		if (o->replace & RTPC_NG_RP_ORIGIN)
			rtpc_blist_cstr(l, "origin");
		if (o->replace & RTPC_NG_RP_SESSCONN)
			rtpc_blist_cstr(l, "session-connection");
	}
	if (o->ndirection > 0) {
		l = rtpc_bdict_list(d, "direction");
		for (i = 0; i < o->ndirection && i < 2; i++)
			rtpc_blist_cstr(l, o->direction[i]);
	}
	if (o->family == 4 || o->family == 6)
		rtpc_bdict_cstr(d, "address family",
		    o->family == 6 ? "IP6" : "IP4");
	if (o->ptime > 0)
		rtpc_bdict_int(d, "ptime", o->ptime);
	if (o->ice > RTPC_NG_ICE_UNSET && o->ice <= RTPC_NG_ICE_DEFAULT)
		rtpc_bdict_cstr(d, "ICE", ice[o->ice]);
	opt_str(d, "media address", o->media_address);
	if (o->received_from != NULL && !(o->flags & RTPC_NG_FL_TRUST)) {
		l = rtpc_bdict_list(d, "received from");
		rtpc_blist_cstr(l, strchr(o->received_from, ':') != NULL ?
		    "IP6" : "IP4");
		rtpc_blist_cstr(l, o->received_from);
	}
}

/*
 * The request's dictionary, for the caller to add keys to or to frame.
 * An offer with opts->lookup goes as "answer" (the module's l), and
 * needs a to-tag as every answer does; a
 * delete with opts->no_to_tag leaves the to-tag out (t).  The tags are
 * the From and To header tags of the dialog, whoever sends the message
 * (rtpengine tells the sides apart by which tag it has seen offer).
 */
struct rtpc_bval *
rtpc_ng_request(const struct rtpc_ng_req *r, struct rtpc_err *err)
{
	const struct rtpc_ng_opts *o = r->opts;
	struct rtpc_bval *d;
	enum rtpc_ng_cmd cmd = r->cmd;
	int sdp;

	if (cmd == RTPC_NG_OFFER && o != NULL && o->lookup)
		cmd = RTPC_NG_ANSWER;
	if (check_req(r, cmd, err) == -1)
		return NULL;
	sdp = cmd == RTPC_NG_OFFER || cmd == RTPC_NG_ANSWER;
	if ((d = rtpc_bval_dict()) == NULL) {
		rtpc_err_set(err, RTPC_EXIT_FAIL, "ng: out of memory");
		return NULL;
	}
	rtpc_bdict_cstr(d, "command", rtpc_ng_cmd_name(cmd));
	opt_str(d, "call-id", r->call_id);
	opt_str(d, "from-tag", r->from_tag);
	if (!(cmd == RTPC_NG_DELETE && o != NULL && o->no_to_tag))
		opt_str(d, "to-tag", r->to_tag);
	opt_str(d, "via-branch", r->via_branch);
	if (sdp) {
		rtpc_bdict_str(d, "sdp", r->sdp, r->sdplen);
		if (o != NULL)
			add_opts(d, o);
	}
	if (cmd == RTPC_NG_PLAY_MEDIA) {
		rtpc_bdict_cstr(d, "file", r->file);
		if (r->repeat != 0)
			rtpc_bdict_int(d, "repeat-times", r->repeat);
	}
	if (cmd == RTPC_NG_LIST && r->limit > 0)
		rtpc_bdict_int(d, "limit", r->limit);
	return d;
}

/* out = cookie, space, the bencoded dictionary (appended). */
int
rtpc_ng_frame(const char *cookie, const struct rtpc_bval *d,
    struct rtpc_buf *out, struct rtpc_err *err)
{
	size_t before = out->len;

	if (!rtpc_ng_cookie_ok(cookie))
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "ng: bad cookie "
		    "(1 to %d bytes, no space or control byte)",
		    RTPC_NG_COOKIE_MAX);
	if (rtpc_buf_addstr(out, cookie) == -1 ||
	    rtpc_buf_add(out, " ", 1) == -1) {
		out->len = before;
		if (out->data != NULL)
			out->data[before] = '\0';
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "ng: %s",
		    out->nomem ? "out of memory" : "message too long");
	}
	if (rtpc_bval_encode(d, out, err) == -1) {
		out->len = before;
		if (out->data != NULL)
			out->data[before] = '\0';
		return -1;
	}
	return 0;
}

/* out = the request's bencoded dictionary alone (appended), for a
 * transport that adds the cookie itself. */
int
rtpc_ng_encode(const struct rtpc_ng_req *r, struct rtpc_buf *out,
    struct rtpc_err *err)
{
	struct rtpc_bval *d;
	int rc;

	if ((d = rtpc_ng_request(r, err)) == NULL)
		return -1;
	rc = rtpc_bval_encode(d, out, err);
	rtpc_bval_free(d);
	return rc;
}

int
rtpc_ng_build(const char *cookie, const struct rtpc_ng_req *r,
    struct rtpc_buf *out, struct rtpc_err *err)
{
	struct rtpc_bval *d;
	int rc;

	if (!rtpc_ng_cookie_ok(cookie))
		return rtpc_ng_frame(cookie, NULL, out, err);
	if ((d = rtpc_ng_request(r, err)) == NULL)
		return -1;
	rc = rtpc_ng_frame(cookie, d, out, err);
	rtpc_bval_free(d);
	return rc;
}

/* Does the datagram start with "cookie "?  (A reply to another request
 * is not an error: the transport keeps waiting for its own.) */
int
rtpc_ng_reply_cookie(const char *cookie, const char *p, size_t len)
{
	size_t clen = strlen(cookie);

	return len > clen && memcmp(p, cookie, clen) == 0 && p[clen] == ' ';
}

static int
reply_bad(struct rtpc_ng_reply *r, struct rtpc_err *err, const char *what)
{
	r->result = RTPC_NG_RES_BAD;
	return rtpc_err_set(err, RTPC_EXIT_FAIL, "relay reply does not "
	    "parse: %s", what);
}

/*
 * Parse a reply datagram to the request sent with cookie (NULL: take
 * whatever cookie it has).  0 for "ok" and "pong"; -1 otherwise, with
 * r->result saying which: RTPC_NG_RES_ERROR (the relay refused; err
 * holds its error-reason) or RTPC_NG_RES_BAD (not a usable reply).
 * The reply keeps views into p: free it with rtpc_ng_reply_free, and
 * keep p until then.
 */
int
rtpc_ng_reply_parse(const char *cookie, const char *p, size_t len,
    struct rtpc_ng_reply *r, struct rtpc_err *err)
{
	const char *sp;
	size_t off;

	memset(r, 0, sizeof(*r));
	if (cookie != NULL) {
		if (!rtpc_ng_reply_cookie(cookie, p, len))
			return reply_bad(r, err, "not for this request's "
			    "cookie");
		off = strlen(cookie) + 1;
	} else {
		if ((sp = memchr(p, ' ', len)) == NULL || sp == p)
			return reply_bad(r, err, "no cookie");
		off = (size_t)(sp - p) + 1;
	}
	return rtpc_ng_reply_dict(p + off, len - off, r, err);
}

/*
 * The same for a reply's dictionary alone (the transport matched and
 * removed the cookie).
 */
int
rtpc_ng_reply_dict(const char *p, size_t len, struct rtpc_ng_reply *r,
    struct rtpc_err *err)
{
	struct rtpc_err derr;
	const struct rtpc_benc *res;
	char esc[256];

	memset(r, 0, sizeof(*r));
	rtpc_err_clear(&derr);
	if (rtpc_benc_decode(p, len, &r->doc, &derr) == -1)
		return reply_bad(r, err, derr.msg);
	r->dict = rtpc_benc_root(&r->doc);
	if (r->dict->type != RTPC_BENC_DICT) {
		rtpc_ng_reply_free(r);
		return reply_bad(r, err, "not a dictionary");
	}
	if (rtpc_benc_get_str(r->dict, "warning", &r->warning,
	    &r->warninglen) == -1)
		r->warning = NULL;
	if ((res = rtpc_benc_get(r->dict, "result")) == NULL ||
	    res->type != RTPC_BENC_STR) {
		rtpc_ng_reply_free(r);
		return reply_bad(r, err, "no result");
	}
	if (rtpc_benc_str_is(res, "ok")) {
		r->result = RTPC_NG_RES_OK;
		return 0;
	}
	if (rtpc_benc_str_is(res, "pong")) {
		r->result = RTPC_NG_RES_PONG;
		return 0;
	}
	r->result = RTPC_NG_RES_ERROR;
	if (rtpc_benc_str_is(res, "error")) {
		if (rtpc_benc_get_str(r->dict, "error-reason", &r->reason,
		    &r->reasonlen) == -1) {
			r->reason = NULL;
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "relay error (no error-reason)");
		}
		rtpc_escape(esc, sizeof(esc), r->reason, r->reasonlen);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "relay error: %s",
		    esc);
	}
	/* e.g. "load limit": refused all the same */
	rtpc_escape(esc, sizeof(esc), res->str, res->len);
	if (rtpc_benc_get_str(r->dict, "message", &r->reason,
	    &r->reasonlen) == -1)
		r->reason = NULL;
	return rtpc_err_set(err, RTPC_EXIT_FAIL, "relay result '%s'", esc);
}

/* The reply's "sdp", or -1 when it has none. */
int
rtpc_ng_reply_sdp(const struct rtpc_ng_reply *r, const char **s,
    size_t *len)
{
	return rtpc_benc_get_str(r->dict, "sdp", s, len);
}

void
rtpc_ng_reply_free(struct rtpc_ng_reply *r)
{
	rtpc_benc_doc_free(&r->doc);
	r->dict = NULL;
}
