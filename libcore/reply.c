/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reply.c: relay reply parsing.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "text.h"
#include "reply.h"

#define REPLY_TOKENS	10

static const struct {
	int code;
	const char *what;
} ecodes[] = {
	{ 0, "unknown command" }, { 1, "wrong number of arguments" },
	{ 2, "command takes no modifiers" }, { 3, "bad sub-command" },
	{ 5, "syntax error" }, { 8, "refused: rtpengine's answer to any failure" },
	{ 10, "bad %-encoding in the notify tag" },
	{ 9, "bad G modifier" },
	{ 11, "E/I without bridging" }, { 12, "E/I without bridging" },
	{ 13, "Z ptime out of range" }, { 14, "bad codec list" },
	{ 17, "P count is not a number" }, { 18, "bad I modifier" },
	{ 19, "bad Q modifier" }, { 25, "G reply too big" },
	{ 26, "Q reply too big" }, { 35, "unknown modifier" },
	{ 36, "no local address for that family" },
	{ 37, "bad remote address or port" }, { 50, "session not found" },
	{ 60, "playback failed" }, { 62, "unknown counter" },
	{ 65, "copy or record failed" }, { 68, "unknown G counter" },
	{ 71, "cannot create a listener (out of ports?)" },
	{ 72, "cannot create a session (out of ports?)" },
	{ 75, "notifications are disabled on the relay" },
	{ 98, "overload protection" }, { 99, "shutting down" },
};

const char *
rtpc_ecode_str(int code)
{
	size_t i;

	for (i = 0; i < sizeof(ecodes) / sizeof(ecodes[0]); i++)
		if (ecodes[i].code == code)
			return ecodes[i].what;
	if (code >= 81 && code <= 89)
		return "relay out of memory";
	return "error";
}

/* Is the reply "E<digits>"?  Stores the code. */
int
rtpc_reply_error(const char *r, int *code)
{
	const char *p;

	if (r[0] != 'E' || !isdigit((unsigned char)r[1]))
		return 0;
	for (p = r + 1; isdigit((unsigned char)*p); p++)
		if (p - r > 6)
			return 0;
	if (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
		return 0;
	*code = atoi(r + 1);
	return 1;
}

/*
 * Parse a U/L reply: 1 token "port", 2 "port addr" (IPv4), 3 or more
 * "port addr 6" (IPv6 when the third starts with 6).  The port must be
 * decimal 0..65535 (the caller decides whether 0 is usable); the
 * address must parse.
 */
int
rtpc_reply_parse_ul(const char *r, struct rtpc_ulreply *u,
    struct rtpc_err *err)
{
	const char *tok[REPLY_TOKENS];
	size_t tlen[REPLY_TOKENS];
	int n = 0, code;
	const char *p = r;
	char esc[128];
	unsigned char bin[16];
	size_t i;

	memset(u, 0, sizeof(*u));
	rtpc_escape(esc, sizeof(esc), r, strlen(r));
	if (rtpc_reply_error(r, &code))
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "relay said E%d (%s)", code, rtpc_ecode_str(code));
	while (*p != '\0' && n < REPLY_TOKENS) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		tok[n] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\r' &&
		    *p != '\n')
			p++;
		tlen[n] = (size_t)(p - tok[n]);
		n++;
	}
	if (n == 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "relay sent an empty "
		    "reply");
	if (tlen[0] > 5)
		goto bad;
	for (i = 0; i < tlen[0]; i++) {
		if (!isdigit((unsigned char)tok[0][i]))
			goto bad;
		u->port = u->port * 10 + (tok[0][i] - '0');
	}
	if (u->port > 65535)
		goto bad;
	u->af = 4;
	if (n >= 2) {
		if (tlen[1] >= sizeof(u->addr))
			goto bad;
		memcpy(u->addr, tok[1], tlen[1]);
		u->addr[tlen[1]] = '\0';
		if (n >= 3 && tok[2][0] == '6')
			u->af = 6;
		if (inet_pton(AF_INET, u->addr, bin) != 1 &&
		    inet_pton(AF_INET6, u->addr, bin) != 1)
			goto bad;
		/* trust the address's own syntax over the family token */
		u->af = strchr(u->addr, ':') ? 6 : 4;
	}
	return 0;
bad:
	return rtpc_err_set(err, RTPC_EXIT_FAIL, "unusable reply '%s'", esc);
}

/*
 * Judge the reply to a U/L command: port0_ok when the stream's own port
 * is 0 (a held stream), for which a port of 0 is the expected answer.
 */
enum rtpc_ul_verdict
rtpc_reply_judge_ul(const char *r, int port0_ok, struct rtpc_ulreply *u,
    struct rtpc_err *err)
{
	if (rtpc_reply_parse_ul(r, u, err) == -1)
		return RTPC_UL_BAD;
	if (u->port == 65535)
		return RTPC_UL_PORT_MAX;
	if (u->port == 0 && port0_ok) {
		u->skip = 1;
		return RTPC_UL_HELD;
	}
	return u->port == 0 ? RTPC_UL_NO_PORT : RTPC_UL_OK;
}

/*
 * Does this verdict stop the call's remaining streams?  Like the
 * module, the first stream that fails stops them (the relay would keep
 * sessions for a failed call).
 */
int
rtpc_ul_stops(enum rtpc_ul_verdict v)
{
	return v == RTPC_UL_BAD || v == RTPC_UL_NO_PORT;
}
