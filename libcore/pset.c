/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pset.c: proxy sets from rtpproxy_sock values,
 * "[N ==] url[=weight] ...", with the module's URL schemes.
 */
#include <sys/un.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core.h"
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

/* Parse one "url[=weight]" token into n. */
static int
parse_node(struct rtpc_node *n, const char *tok, size_t len,
    const char *where, struct rtpc_err *err)
{
	const char *eq = memchr(tok, '=', len);
	size_t ulen = eq ? (size_t)(eq - tok) : len;
	const char *rest;
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
	} else {
		n->scheme = RTPC_UNIX;
		rest = n->url;
	}
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
	if (split_hostport(n, rest, n->scheme == RTPC_UDP6) == -1)
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "%s'%s': expected host[:port]", where, n->url);
	port = strtol(n->port, &end, 10);
	if (!all_digits(n->port, strlen(n->port)) || *end != '\0' ||
	    port < 1 || port > 65535)
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "%s'%s': bad port '%s'", where, n->url, n->port);
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
