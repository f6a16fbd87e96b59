/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.c: settings, rtpproxy_sock parsing and the config file reader
 * (plain "key = value" files and Kamailio configs with modparam lines).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "errors.h"
#include "text.h"
#include "config.h"

#define CONFIG_FILE_MAX	(1024 * 1024)

/* Settings of ours, by the module's parameter names where it has them. */
static const char *const known_keys[] = {
	"rtpproxy_sock", "rtpproxy_tout", "rtpproxy_retr",
	"rtpproxy_disable_tout", "force_socket", "nortpproxy_str",
	"timeout_socket", "state_dir", "ice_candidate_priority",
	"extra_id", NULL
};

/* Module parameters that mean nothing outside Kamailio: accepted, unused. */
static const char *const module_only_keys[] = {
	"extra_id_pv", "db_url", "table_name", "ice_candidate_priority_avp",
	"rtp_inst_pvar", "timeout_tag_pv", NULL
};

static int
in_list(const char *const *list, const char *key)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, key) == 0)
			return 1;
	return 0;
}

int
rtpc_settings_known(const char *key)
{
	return in_list(known_keys, key);
}

void
rtpc_settings_init(struct rtpc_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->tout_ms = 1000;
	s->retr = 5;
	s->disable_tout = 60;
	s->marker = strdup(RTPC_DEFAULT_MARKER);
	s->ice = RTPC_ICE_OFF;
}

static void
free_socks(struct rtpc_settings *s)
{
	size_t i;

	for (i = 0; i < s->nsocks; i++)
		free(s->socks[i]);
	free(s->socks);
	s->socks = NULL;
	s->nsocks = 0;
}

void
rtpc_settings_free(struct rtpc_settings *s)
{
	free_socks(s);
	free(s->force_socket);
	free(s->marker);
	free(s->timeout_socket);
	free(s->state_dir);
	free(s->extra_id);
	memset(s, 0, sizeof(*s));
}

/*
 * Parse a duration in seconds with up to three decimals ("1", "0.25")
 * into milliseconds within [lo, hi] ms.  Returns -1 on bad syntax or
 * range.
 */
int
rtpc_parse_seconds(const char *v, long lo, long hi, long *ms)
{
	long whole = 0, frac = 0;
	int fdigits = 0;
	const char *p = v;

	if (*p == '\0')
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > 1000000)
			return -1;
	}
	if (*p == '.') {
		for (p++; isdigit((unsigned char)*p); p++) {
			if (++fdigits > 3)
				return -1;
			frac = frac * 10 + (*p - '0');
		}
		if (fdigits == 0)
			return -1;
	}
	if (*p != '\0' || p == v)
		return -1;
	while (fdigits++ < 3)
		frac *= 10;
	*ms = whole * 1000 + frac;
	return *ms < lo || *ms > hi ? -1 : 0;
}

/* Parse a decimal integer in [lo, hi]; -1 on any junk. */
static int
parse_long(const char *v, long lo, long hi, long *out)
{
	char *end;
	long n;

	errno = 0;
	if (*v == '\0' || isspace((unsigned char)*v))
		return -1;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

static int
set_string(char **dst, const char *v)
{
	char *p = strdup(v);

	if (p == NULL)
		return -1;
	free(*dst);
	*dst = p;
	return 0;
}

/* "file:12: " or "option --x: " prefix for an error message. */
static void
origin_prefix(char *buf, size_t sz, const struct rtpc_origin *o)
{
	if (o == NULL || o->what == NULL)
		buf[0] = '\0';
	else if (o->line > 0)
		snprintf(buf, sz, "%s:%d: ", o->what, o->line);
	else
		snprintf(buf, sz, "%s: ", o->what);
}

/*
 * Decode the escapes that Kamailio's cfg parser decodes in a string
 * (\r \n \t \\ \"), in place; any other backslash stays as it is.
 */
char *
rtpc_cfg_unescape(char *v)
{
	char *r = v, *w = v;

	while (*r != '\0') {
		if (*r == '\\' && r[1] != '\0' && strchr("rnt\\\"", r[1])) {
			r++;
			*w++ = *r == 'r' ? '\r' : *r == 'n' ? '\n' :
			    *r == 't' ? '\t' : *r;
			r++;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	return v;
}

/*
 * The marker as the module takes nortpproxy_str: escapes decoded, the
 * trailing CR/LF stripped (the rewrite ends the line like the body's
 * other lines).  1 when a line break is left inside: the marker is one
 * SDP line.
 */
static int
set_marker(struct rtpc_settings *s, const char *v)
{
	char *m;
	size_t n;

	if ((m = strdup(v)) == NULL)
		return -1;
	rtpc_cfg_unescape(m);
	n = strlen(m);
	while (n > 0 && (m[n - 1] == '\r' || m[n - 1] == '\n'))
		m[--n] = '\0';
	if (strpbrk(m, "\r\n") != NULL) {
		free(m);
		return 1;
	}
	free(s->marker);
	s->marker = m;
	return 0;
}

static int
set_ice(struct rtpc_settings *s, const char *v)
{
	if (strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0)
		s->ice = RTPC_ICE_OFF;
	else if (strcasecmp(v, "high") == 0 || strcmp(v, "1") == 0)
		s->ice = RTPC_ICE_HIGH;
	else if (strcasecmp(v, "low") == 0 || strcmp(v, "2") == 0)
		s->ice = RTPC_ICE_LOW;
	else
		return -1;
	return 0;
}

static int
add_sock(struct rtpc_settings *s, const char *v, int prio)
{
	char **n;

	if (prio > s->socks_prio)
		free_socks(s);
	s->socks_prio = prio;
	n = reallocarray(s->socks, s->nsocks + 1, sizeof(*n));
	if (n == NULL)
		return -1;
	s->socks = n;
	if ((s->socks[s->nsocks] = strdup(v)) == NULL)
		return -1;
	s->nsocks++;
	return 0;
}

/*
 * Set one setting by its parameter name.  prio orders the sources for
 * rtpproxy_sock, which is repeatable: values from a higher source
 * replace those of a lower one, values from the same source add up.
 */
int
rtpc_settings_set(struct rtpc_settings *s, const char *key, const char *v,
    int prio, const struct rtpc_origin *o, struct rtpc_err *err)
{
	char pfx[300];
	long n;
	int rc = 0;

	origin_prefix(pfx, sizeof(pfx), o);
	if (strcmp(key, "rtpproxy_sock") == 0) {
		struct rtpc_pset check = { NULL, 0 };

		n = rtpc_pset_parse(&check, v, o, err);
		rtpc_pset_free(&check);
		if (n == -1)
			return -1;
		rc = add_sock(s, v, prio);
	} else if (strcmp(key, "rtpproxy_tout") == 0) {
		if (rtpc_parse_seconds(v, 1, 3600 * 1000, &n) == -1)
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "%srtpproxy_tout: '%s' is not a number of seconds "
			    "between 0.001 and 3600", pfx, v);
		s->tout_ms = n;
	} else if (strcmp(key, "rtpproxy_retr") == 0) {
		if (parse_long(v, 1, 100, &n) == -1)
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "%srtpproxy_retr: '%s' is not an integer between 1 "
			    "and 100", pfx, v);
		s->retr = (int)n;
	} else if (strcmp(key, "rtpproxy_disable_tout") == 0) {
		if (parse_long(v, -1, 86400 * 365, &n) == -1)
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "%srtpproxy_disable_tout: '%s' is not an integer "
			    "between -1 and 31536000", pfx, v);
		s->disable_tout = n;
	} else if (strcmp(key, "force_socket") == 0) {
		rc = *v == '\0' ? (free(s->force_socket),
		    s->force_socket = NULL, 0) : set_string(&s->force_socket, v);
	} else if (strcmp(key, "nortpproxy_str") == 0) {
		if ((rc = set_marker(s, v)) == 1)
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "%snortpproxy_str: a line break inside the marker "
			    "(it is one SDP line)", pfx);
	} else if (strcmp(key, "timeout_socket") == 0) {
		if (*v != '\0' && !rtpc_token_safe(v, strlen(v)))
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "%stimeout_socket: '%s' contains spaces or control "
			    "characters", pfx, v);
		rc = *v == '\0' ? (free(s->timeout_socket),
		    s->timeout_socket = NULL, 0) :
		    set_string(&s->timeout_socket, v);
	} else if (strcmp(key, "state_dir") == 0) {
		rc = set_string(&s->state_dir, v);
	} else if (strcmp(key, "ice_candidate_priority") == 0) {
		if (set_ice(s, v) == -1)
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "%sice_candidate_priority: '%s' is not off, high "
			    "or low", pfx, v);
	} else if (strcmp(key, "extra_id") == 0) {
		if (*v != '\0' && !rtpc_token_safe(v, strlen(v)))
			return rtpc_err_set(err, RTPC_EXIT_USAGE,
			    "%sextra_id: '%s' contains spaces or control "
			    "characters", pfx, v);
		rc = set_string(&s->extra_id, v);
	} else {
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "%sunknown setting '%s'", pfx, key);
	}
	if (rc == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	return 0;
}

/* Trim spaces and tabs on both ends, in place. */
static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * Take a quoted string ("..." or '...') or a bare word from *pp,
 * NUL-terminate it in place and store in *term the separator that
 * followed it (',' or ')', consumed) or '\0'.  Returns NULL on a
 * missing quote.  A backslash escapes a double quote inside "...";
 * escapes are left for the setting to decode (nortpproxy_str does).
 */
static char *
take_value(char **pp, char *term)
{
	char *p = *pp, *v, q;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '"' || *p == '\'') {
		q = *p++;
		v = p;
		while (*p != '\0' && *p != q)
			p += q == '"' && *p == '\\' && p[1] != '\0' ? 2 : 1;
		if (*p == '\0')
			return NULL;
		*p++ = '\0';
	} else {
		v = p;
		while (*p != '\0' && *p != ',' && *p != ')' && *p != ' ' &&
		    *p != '\t')
			p++;
		if (*p == ' ' || *p == '\t')
			*p++ = '\0';
	}
	while (*p == ' ' || *p == '\t')
		p++;
	*term = *p;
	if (*p == ',' || *p == ')')
		*p++ = '\0';
	*pp = p;
	return v;
}

/* modparam("rtpproxy", "name", value) on one line. */
static int
parse_modparam(struct rtpc_settings *s, char *line,
    const struct rtpc_origin *o, struct rtpc_err *err)
{
	char *p = line + strlen("modparam"), *mod, *key, *val, t1, t2, t3;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '(')
		goto bad;
	if ((mod = take_value(&p, &t1)) == NULL || t1 != ',' ||
	    (key = take_value(&p, &t2)) == NULL || t2 != ',' ||
	    (val = take_value(&p, &t3)) == NULL || t3 != ')')
		goto bad;
	if (strcmp(mod, "rtpproxy") != 0)
		return 0;
	if (in_list(module_only_keys, key))
		return 0;
	if (!in_list(known_keys, key) || strcmp(key, "state_dir") == 0 ||
	    strcmp(key, "extra_id") == 0 ||
	    strcmp(key, "ice_candidate_priority") == 0)
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "%s:%d: unknown rtpproxy parameter '%s'", o->what, o->line,
		    key);
	return rtpc_settings_set(s, key, val, 1, o, err);
bad:
	return rtpc_err_set(err, RTPC_EXIT_USAGE,
	    "%s:%d: cannot read modparam line", o->what, o->line);
}

/* "key = value" line of a plain config file. */
static int
parse_plain(struct rtpc_settings *s, char *line, const struct rtpc_origin *o,
    struct rtpc_err *err)
{
	char *eq = strchr(line, '='), *key, *val;
	size_t n;

	if (eq == NULL)
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "%s:%d: expected 'key = value'", o->what, o->line);
	*eq = '\0';
	key = trim(line);
	val = trim(eq + 1);
	n = strlen(val);
	if (n >= 2 && (val[0] == '"' || val[0] == '\'') && val[n - 1] == val[0]) {
		val[n - 1] = '\0';
		val++;
	}
	if (!in_list(known_keys, key))
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "%s:%d: unknown setting '%s'", o->what, o->line, key);
	return rtpc_settings_set(s, key, val, 1, o, err);
}

/* A Kamailio config has modparam or loadmodule lines. */
static int
is_kamailio(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *l = buf + i;
		const char *nl = memchr(l, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - l) : len - i;

		while (ll > 0 && (*l == ' ' || *l == '\t'))
			l++, ll--;
		if ((ll >= 8 && strncmp(l, "modparam", 8) == 0) ||
		    (ll >= 10 && strncmp(l, "loadmodule", 10) == 0))
			return 1;
		i += (nl ? (size_t)(nl - (buf + i)) + 1 : len - i);
	}
	return 0;
}

/*
 * Parse a config file's text.  In a Kamailio config only
 * modparam("rtpproxy", ...) lines are read; a plain file must hold only
 * comments, blank lines and known "key = value" settings.
 */
int
rtpc_config_parse(struct rtpc_settings *s, const char *buf, size_t len,
    const char *name, struct rtpc_err *err)
{
	struct rtpc_origin o = { name, 0 };
	int kam = is_kamailio(buf, len);
	size_t i = 0;

	if (memchr(buf, '\0', len) != NULL)
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "%s: contains a NUL byte", name);
	while (i < len) {
		const char *l = buf + i;
		const char *nl = memchr(l, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - l) : len - i;
		char *line, *t;
		int rc = 0;

		o.line++;
		i += ll + (nl ? 1 : 0);
		if ((line = rtpc_strndup(l, ll)) == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
		t = trim(line);
		if (*t == '\0' || *t == '#' || (*t == '/' && t[1] == '/'))
			;
		else if (strncmp(t, "modparam", 8) == 0)
			rc = parse_modparam(s, t, &o, err);
		else if (!kam)
			rc = parse_plain(s, t, &o, err);
		free(line);
		if (rc == -1)
			return -1;
	}
	return 0;
}

/*
 * Read and parse a config file.  A missing file is an error only when
 * required (named with --config or RTPP_CONFIG).
 */
int
rtpc_config_load(struct rtpc_settings *s, const char *path, int required,
    struct rtpc_err *err)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT && !required)
			return 0;
		return rtpc_err_set(err, RTPC_EXIT_USAGE, "%s: %s", path,
		    strerror(errno));
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > CONFIG_FILE_MAX) {
		close(fd);
		return rtpc_err_set(err, RTPC_EXIT_USAGE,
		    "%s: not a regular file of at most %d bytes", path,
		    CONFIG_FILE_MAX);
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	while (got < (size_t)st.st_size &&
	    (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	rc = rtpc_config_parse(s, buf, got, path, err);
	free(buf);
	return rc;
}
