/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pset.c: proxy sets from rtpproxy_sock values,
 * "[N ==] url[=weight] ...", with the module's URL schemes and
 * ng:HOST:PORT or ng:[IPv6]:PORT for rtpengine's ng protocol.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "errors.h"
#include "text.h"
#include "config.h"

static void
node_free(struct rtpc_node *n)
{
	free(n->url);
	free(n->host);
	free(n->port);
	free(n->path);
}

void
rtpc_pset_free(struct rtpc_pset *ps)
{
	size_t i;

	for (i = 0; i < ps->nnodes; i++)
		node_free(&ps->nodes[i]);
	free(ps->nodes);
	ps->nodes = NULL;
	ps->nnodes = 0;
}

static int
all_digits(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Split host[:port] (udp) or host:port at the last colon (udp6, as the
 * module does), or [v6]:port (which the module cannot read). */
static int
split_hostport(struct rtpc_node *n, const char *hp, int v6)
{
	const char *colon = NULL, *host = hp;
	size_t hlen;

	if (v6 && *hp == '[') {
		const char *rb = strchr(hp, ']');

		if (rb == NULL || (rb[1] != '\0' && rb[1] != ':'))
			return -1;
		host = hp + 1;
		hlen = (size_t)(rb - host);
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = strrchr(hp, ':');
		hlen = colon ? (size_t)(colon - hp) : strlen(hp);
	}
	if (hlen == 0)
		return -1;
	if ((n->host = rtpc_strndup(host, hlen)) == NULL)
		return -1;
	if (colon == NULL || colon[1] == '\0')
		n->port = strdup("22222");
	else
		n->port = strdup(colon + 1);
	return n->port == NULL ? -1 : 0;
}

/*
 * The scheme of a token that names none the module knows: letters,
 * digits, '+', '-', '.' before a colon, the first a letter (RFC 3986).
 * A plain path ("/run/rtpproxy.sock", "./s") has none.
 */
static size_t
other_scheme(const char *u)
{
	size_t i = 0;

	if (!isalpha((unsigned char)u[0]))
		return 0;
	while (isalnum((unsigned char)u[i]) || u[i] == '+' || u[i] == '-' ||
	    u[i] == '.')
		i++;
	return u[i] == ':' ? i : 0;
}

/* An address literal of the family, or a host name. */
static int
good_host(const char *h, int v6)
{
	unsigned char a[16];
	size_t i, label = 0;
	int alpha = 0;

	if (inet_pton(v6 ? AF_INET6 : AF_INET, h, a) == 1)
		return 1;
	if (*h == '\0' || strlen(h) > 253)
		return 0;
	for (i = 0; h[i] != '\0'; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return 0;
		alpha |= isalpha(c);
		if (++label > 63)
			return 0;
	}
	/* digits and dots only must be an IPv4 address */
	return alpha;
}

/*
 * A URL that cannot be right: a usage error that says what was
 * probably meant, so that a typo never looks like a relay down.
 */
static int
bad_url(const char *where, const char *url, const char *why,
    const char *scheme, const char *rest, struct rtpc_err *err)
{
	while (*rest == '/')
		rest++;
	if (*rest == '\0')
		rest = "127.0.0.1:22222";
	return rtpc_err_set(err, RTPC_EXIT_USAGE, "%s'%s': %s (did you mean "
	    "%s:%s?)", where, url, why, scheme, rest);
}

/*
 * ng:HOST:PORT or ng:[IPv6]:PORT: rtpengine's ng protocol over UDP, the
 * family from the host (an IPv6 literal in brackets).  The port has no
 * default: rtpengine's ng listener has none.
 */
static int
parse_ng(struct rtpc_node *n, const char *rest, const char *where,
    struct rtpc_err *err)
{
	const char *hint = "ng:127.0.0.1:2223", *colon;
	long port;
	char *end;

	if (strncmp(rest, "//", 2) == 0)
		return bad_url(where, n->url, "no '//' after the scheme", "ng",
		    rest, err);
	n->scheme = *rest == '[' ? RTPC_UDP6 : RTPC_UDP;
	if (n->scheme == RTPC_UDP && strchr(rest, ':') != strrchr(rest, ':'))
		return bad_url(where, n->url, "an IPv6 address goes in "
		    "brackets", "ng", "[::1]:2223", err);
	colon = strrchr(rest, ':');
	if (n->scheme == RTPC_UDP6 && colon != NULL && colon[-1] != ']')
		colon = NULL;
	if (colon == NULL || colon[1] == '\0' ||
	    split_hostport(n, rest, n->scheme == RTPC_UDP6) == -1)
		return rtpc_err_set(err, RTPC_EXIT_USAGE, "%s'%s': expected "
		    "ng:HOST:PORT or ng:[IPv6]:PORT (as in %s)", where, n->url,
		    hint);
	if (!good_host(n->host, n->scheme == RTPC_UDP6))
		return bad_url(where, n->url, "bad host: neither an address "
		    "nor a host name", "ng", n->scheme == RTPC_UDP6 ?
		    "[::1]:2223" : "127.0.0.1:2223", err);
	port = strtol(n->port, &end, 10);
	if (!all_digits(n->port, strlen(n->port)) || *end != '\0' ||
	    port < 1 || port > 65535) {
		char why[80];

		snprintf(why, sizeof(why), "bad port '%.20s', not 1-65535",
		    n->port);
		return bad_url(where, n->url, why, "ng", n->scheme ==
		    RTPC_UDP6 ? "[::1]:2223" : "127.0.0.1:2223", err);
	}
	return 0;
}

/* Parse one "url[=weight]" token into n. */
static int
parse_node(struct rtpc_node *n, const char *tok, size_t len,
    const char *where, struct rtpc_err *err)
{
	const char *eq = memchr(tok, '=', len);
	size_t ulen = eq ? (size_t)(eq - tok) : len;
	const char *rest;
	size_t slen;
	long port;
	char *end;

	memset(n, 0, sizeof(*n));
	n->weight = 1;
	if (eq != NULL) {
		size_t wl = len - ulen - 1;
		unsigned long w;

		if (!all_digits(eq + 1, wl) || wl > 6)
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "%sbad weight in '%.*s'", where, (int)len, tok);
		w = strtoul(eq + 1, NULL, 10);
		n->weight = (unsigned)w;
	}
	if ((n->url = rtpc_strndup(tok, ulen)) == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	if (strncasecmp(n->url, "udp6:", 5) == 0) {
		n->scheme = RTPC_UDP6;
		rest = n->url + 5;
	} else if (strncasecmp(n->url, "udp:", 4) == 0) {
		n->scheme = RTPC_UDP;
		rest = n->url + 4;
	} else if (strncasecmp(n->url, "unix:", 5) == 0) {
		n->scheme = RTPC_UNIX;
		rest = n->url + 5;
	} else if (strncasecmp(n->url, "ng:", 3) == 0) {
		n->proto = RTPC_PROTO_NG;
		rest = n->url + 3;
		return parse_ng(n, rest, where, err);
	} else if ((slen = other_scheme(n->url)) > 0) {
		char why[80];

		snprintf(why, sizeof(why), strncasecmp(n->url, "tcp:", 4) ==
		    0 ? "the rtpproxy protocol has no tcp: transport" :
		    "unknown scheme '%.*s:' (udp:, udp6:, unix:, ng: or a "
		    "socket path)", (int)(slen < 20 ? slen : 20), n->url);
		return bad_url(where, n->url, why, strchr(n->url + slen + 1,
		    '[') != NULL ? "udp6" : "udp", n->url + slen + 1, err);
	} else {
		n->scheme = RTPC_UNIX;
		rest = n->url;
	}
	if (n->scheme != RTPC_UNIX && strncmp(rest, "//", 2) == 0)
		return bad_url(where, n->url, "no '//' after the scheme",
		    n->scheme == RTPC_UDP6 ? "udp6" : "udp", rest, err);
	if (n->scheme == RTPC_UNIX) {
		struct sockaddr_un sun;

		if (*rest == '\0' || strlen(rest) >= sizeof(sun.sun_path))
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "%s'%s': unix socket path empty or longer than %zu "
			    "bytes", where, n->url, sizeof(sun.sun_path) - 1);
		if ((n->path = strdup(rest)) == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
		return 0;
	}
	if (n->scheme == RTPC_UDP && (*rest == '[' ||
	    strchr(rest, ':') != strrchr(rest, ':')))
		return bad_url(where, n->url, "an IPv6 address needs udp6:",
		    "udp6", rest, err);
	if (split_hostport(n, rest, n->scheme == RTPC_UDP6) == -1)
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "%s'%s': expected host[:port]", where, n->url);
	if (!good_host(n->host, n->scheme == RTPC_UDP6)) {
		char hint[300];

		snprintf(hint, sizeof(hint), "%s:%s", n->scheme == RTPC_UDP6 ?
		    "::1" : "127.0.0.1", n->port);
		return bad_url(where, n->url, "bad host: neither an address "
		    "nor a host name", n->scheme == RTPC_UDP6 ? "udp6" : "udp",
		    hint, err);
	}
	port = strtol(n->port, &end, 10);
	if (!all_digits(n->port, strlen(n->port)) || *end != '\0' ||
	    port < 1 || port > 65535) {
		char hint[300], why[80];

		snprintf(hint, sizeof(hint), n->scheme == RTPC_UDP6 &&
		    strchr(n->host, ':') ? "[%s]:22222" : "%s:22222", n->host);
		snprintf(why, sizeof(why), "bad port '%.20s', not 1-65535",
		    n->port);
		return bad_url(where, n->url, why, n->scheme == RTPC_UDP6 ?
		    "udp6" : "udp", hint, err);
	}
	return 0;
}

/*
 * Parse one rtpproxy_sock value and append its nodes to ps.  An empty
 * or all-blank value adds nothing, as in the module.
 */
int
rtpc_pset_parse(struct rtpc_pset *ps, const char *v,
    const struct rtpc_origin *o, struct rtpc_err *err)
{
	const char *eqeq = strstr(v, "=="), *p;
	char where[300];
	int setid = 0, added = 0;

	if (o != NULL && o->what != NULL && o->line > 0)
		snprintf(where, sizeof(where), "%s:%d: rtpproxy_sock: ",
		    o->what, o->line);
	else if (o != NULL && o->what != NULL)
		snprintf(where, sizeof(where), "%s: rtpproxy_sock: ", o->what);
	else
		snprintf(where, sizeof(where), "rtpproxy_sock: ");
	p = v;
	if (eqeq != NULL) {
		const char *a = v, *b = eqeq;

		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if (!all_digits(a, (size_t)(b - a)) || b - a > 6)
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "%sbad set id in '%s'", where, v);
		setid = atoi(a);
		p = eqeq + 2;
	}
	for (;;) {
		struct rtpc_node *nn;
		size_t len;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		for (len = 0; p[len] != '\0' && !isspace((unsigned char)p[len]);
		    len++)
			;
		nn = reallocarray(ps->nodes, ps->nnodes + 1, sizeof(*nn));
		if (nn == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
		ps->nodes = nn;
		if (parse_node(&nn[ps->nnodes], p, len, where, err) == -1) {
			node_free(&nn[ps->nnodes]);
			return -1;
		}
		nn[ps->nnodes].setid = setid;
		nn[ps->nnodes].index = (int)ps->nnodes;
		ps->nnodes++;
		added++;
		p += len;
	}
	if (eqeq != NULL && added == 0)
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "%sno node after '==' in '%s'", where, v);
	return 0;
}

/*
 * Build every set from the settings; with no rtpproxy_sock at all, set 0
 * holds the relays' usual default, udp:127.0.0.1:22222.
 */
int
rtpc_pset_build(struct rtpc_pset *ps, const struct rtpc_settings *s,
    struct rtpc_err *err)
{
	size_t i;

	ps->nodes = NULL;
	ps->nnodes = 0;
	if (s->nsocks == 0)
		return rtpc_pset_parse(ps, RTPC_DEFAULT_SOCK, NULL, err);
	for (i = 0; i < s->nsocks; i++)
		if (rtpc_pset_parse(ps, s->socks[i], NULL, err) == -1) {
			rtpc_pset_free(ps);
			return -1;
		}
	return 0;
}

int
rtpc_pset_has_set(const struct rtpc_pset *ps, int setid)
{
	size_t i;

	for (i = 0; i < ps->nnodes; i++)
		if (ps->nodes[i].setid == setid)
			return 1;
	return 0;
}

/* The nodes of one set, in config order; returns how many (at most max). */
size_t
rtpc_pset_select(const struct rtpc_pset *ps, int setid,
    const struct rtpc_node **out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < ps->nnodes && n < max; i++)
		if (ps->nodes[i].setid == setid)
			out[n++] = &ps->nodes[i];
	return n;
}
