/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli.c: the tools' shared command line: small popt tables of shared
 * options that each tool includes as it needs them, settings from
 * (highest first) options, RTPP_* environment, the config file and
 * defaults, and the run of a call-path tool.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <popt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtpp.h"
#include "cli.h"

#ifndef RTPP_SYSCONFDIR
#define RTPP_SYSCONFDIR "/etc"
#endif

enum {
	O_SOCK = 1, O_SET, O_CONFIG, O_STATE_DIR, O_TOUT, O_RETR,
	O_DISABLE_TOUT, O_FORCE_SOCKET, O_MARKER, O_TIMEOUT_SOCKET, O_ICE,
	O_EXTRA_ID, O_CALLID, O_FTAG, O_TTAG, O_SOURCE_IP, O_LOCAL_IP,
	O_INPUT, O_OUTPUT, O_B64, O_REQUEST, O_REPLY, O_DRY_RUN,
	O_FAKE_REPLY, O_TRACE, O_PASSTHROUGH, O_KAMAILIO_ENV, O_VERSION,
	O_DEADLINE, O_EXPLAIN
};

static void
replace(char **dst, const char *v)
{
	free(*dst);
	if ((*dst = strdup(v)) == NULL)
		err(1, NULL);
}

static void
add_sock(struct cli_opts *c, const char *v)
{
	char **n = reallocarray(c->socks, c->nsocks + 1, sizeof(*n));

	if (n == NULL || (n[c->nsocks] = strdup(v)) == NULL)
		err(1, NULL);
	c->socks = n;
	c->nsocks++;
}

/* The field of an option that takes a string, or NULL. */
static char **
string_field(struct cli_opts *c, int val)
{
	switch (val) {
	case O_SET: return &c->set;
	case O_CONFIG: return &c->config;
	case O_STATE_DIR: return &c->state_dir;
	case O_TOUT: return &c->tout;
	case O_RETR: return &c->retr;
	case O_DISABLE_TOUT: return &c->disable_tout;
	case O_FORCE_SOCKET: return &c->force_socket;
	case O_MARKER: return &c->marker;
	case O_TIMEOUT_SOCKET: return &c->timeout_socket;
	case O_ICE: return &c->ice;
	case O_EXTRA_ID: return &c->extra_id;
	case O_CALLID: return &c->callid;
	case O_FTAG: return &c->ftag;
	case O_TTAG: return &c->ttag;
	case O_SOURCE_IP: return &c->source_ip;
	case O_LOCAL_IP: return &c->local_ip;
	case O_INPUT: return &c->input;
	case O_OUTPUT: return &c->output;
	case O_B64: return &c->b64;
	case O_FAKE_REPLY: return &c->fake_reply;
	case O_DEADLINE: return &c->deadline;
	default: return NULL;
	}
}

static void
print_version(const char *prog)
{
	printf("%s (%s) %s\n", prog, PACKAGE_NAME, PACKAGE_VERSION);
	if (fflush(stdout) == EOF || ferror(stdout))
		exit(1);
	exit(0);
}

/* One callback for every option of the shared tables; data is the run. */
static void
cli_cb(poptContext pc, enum poptCallbackReason reason,
    const struct poptOption *o, const char *arg, void *data)
{
	struct cli_run *cr = data;
	struct cli_opts *c = &cr->opts;
	char **field;

	(void)pc;
	if (reason != POPT_CALLBACK_REASON_OPTION)
		return;
	switch (o->val) {
	case O_SOCK:
		add_sock(c, arg);
		break;
	case O_REQUEST:
		c->kind = RTPC_KIND_REQUEST;
		break;
	case O_REPLY:
		c->kind = RTPC_KIND_REPLY;
		break;
	case O_DRY_RUN:
		c->dry_run = 1;
		break;
	case O_TRACE:
		c->trace = 1;
		break;
	case O_PASSTHROUGH:
		c->passthrough = 1;
		break;
	case O_KAMAILIO_ENV:
		c->kamailio_env = 1;
		break;
	case O_EXPLAIN:
		c->explain = 1;
		break;
	case O_VERSION:
		print_version(cr->prog);
		break;
	default:
		if ((field = string_field(c, o->val)) != NULL)
			replace(field, arg);
	}
}

/* The callback entry; cli_bind_table sets its data (descrip) to the run. */
#define CB	{ NULL, '\0', POPT_ARG_CALLBACK | POPT_CBFLAG_CONTINUE, \
		    (void *)(uintptr_t)cli_cb, 0, NULL, NULL }

/* Every tool: the relays, the settings and the run's limits. */
static const struct poptOption relay_opts[] = {
	CB,
	{ "sock", '\0', POPT_ARG_STRING, NULL, O_SOCK,
	    "relay node(s), as rtpproxy_sock: [N ==] URL[=WEIGHT] ... "
	    "(repeatable)", "VALUE" },
	{ "set", '\0', POPT_ARG_STRING, NULL, O_SET,
	    "use proxy set N (default 0)", "N" },
	{ "config", '\0', POPT_ARG_STRING, NULL, O_CONFIG,
	    "read settings from FILE (default " RTPP_SYSCONFDIR "/rtpp.conf)",
	    "FILE" },
	{ "state-dir", '\0', POPT_ARG_STRING, NULL, O_STATE_DIR,
	    "directory of the shared relay health state ('' for none)",
	    "DIR" },
	{ "tout", '\0', POPT_ARG_STRING, NULL, O_TOUT,
	    "wait SECONDS for each reply (rtpproxy_tout, default 1)",
	    "SECONDS" },
	{ "retr", '\0', POPT_ARG_STRING, NULL, O_RETR,
	    "send each command at most N times (rtpproxy_retr, default 5)",
	    "N" },
	{ "disable-tout", '\0', POPT_ARG_STRING, NULL, O_DISABLE_TOUT,
	    "skip a failed node for SECONDS (rtpproxy_disable_tout, "
	    "default 60)", "SECONDS" },
	{ "force-socket", '\0', POPT_ARG_STRING, NULL, O_FORCE_SOCKET,
	    "send control datagrams from this local address", "ADDR" },
	{ "deadline", '\0', POPT_ARG_STRING, NULL, O_DEADLINE,
	    "give up after SECONDS in all, whatever the relays do (exit 3)",
	    "SECONDS" },
	{ "trace", '\0', POPT_ARG_NONE, NULL, O_TRACE,
	    "print every control datagram sent and received on stderr",
	    NULL },
	POPT_TABLEEND
};

/* Every tool: which call. */
static const struct poptOption call_opts[] = {
	CB,
	{ "call-id", '\0', POPT_ARG_STRING, NULL, O_CALLID,
	    "Call-ID of the call (wins over the message)", "ID" },
	{ "from-tag", '\0', POPT_ARG_STRING, NULL, O_FTAG,
	    "From-tag (wins over the message)", "TAG" },
	{ "to-tag", '\0', POPT_ARG_STRING, NULL, O_TTAG,
	    "To-tag ('' for none; wins over the message)", "TAG" },
	{ "kamailio-env", '\0', POPT_ARG_NONE, NULL, O_KAMAILIO_ENV,
	    "Kamailio exec's SIP_HF_CALLID, SIP_HF_FROM, SIP_HF_TO fill what "
	    "bare SDP lacks (a SIP message must agree with them); SIP_SRCIP "
	    "is the source address", NULL },
	POPT_TABLEEND
};

/* Every tool: where the input comes from, and whether a relay is asked. */
static const struct poptOption input_opts[] = {
	CB,
	{ "input", '\0', POPT_ARG_STRING, NULL, O_INPUT,
	    "input form: auto, sdp, sip or base64 (default auto)", "FORM" },
	{ "b64", '\0', POPT_ARG_STRING, NULL, O_B64,
	    "take the message as base64 from this argument, not stdin",
	    "DATA" },
	{ "dry-run", '\0', POPT_ARG_NONE, NULL, O_DRY_RUN,
	    "print the commands that would be sent; send nothing", NULL },
	{ "fake-reply", '\0', POPT_ARG_STRING, NULL, O_FAKE_REPLY,
	    "answer every command with REPLY instead of asking a relay",
	    "REPLY" },
	POPT_TABLEEND
};

/* The tools whose commands depend on the side bare SDP came from. */
static const struct poptOption kind_opts[] = {
	CB,
	{ "request", '\0', POPT_ARG_NONE, NULL, O_REQUEST,
	    "bare SDP comes from a request (INVITE offer, ACK answer)", NULL },
	{ "reply", '\0', POPT_ARG_NONE, NULL, O_REPLY,
	    "bare SDP comes from a reply (200 OK offer or answer)", NULL },
	POPT_TABLEEND
};

/* The tools that write the message out. */
static const struct poptOption output_opts[] = {
	CB,
	{ "output", '\0', POPT_ARG_STRING, NULL, O_OUTPUT,
	    "output form: same, plain, base64, sdp (the body alone) or "
	    "sdp-base64 (default same)", "FORM" },
	{ "passthrough", '\0', POPT_ARG_NONE, NULL, O_PASSTHROUGH,
	    "on failure write the input unchanged (the status still says "
	    "why)", NULL },
	POPT_TABLEEND
};

/* The tools that send U or L and rewrite the SDP. */
static const struct poptOption sdp_opts[] = {
	CB,
	{ "source-ip", '\0', POPT_ARG_STRING, NULL, O_SOURCE_IP,
	    "address the SIP message came from (sent in U/L)", "ADDR" },
	{ "local-ip", '\0', POPT_ARG_STRING, NULL, O_LOCAL_IP,
	    "address to use when the relay answers only a port", "ADDR" },
	{ "ice", '\0', POPT_ARG_STRING, NULL, O_ICE,
	    "add ICE relay candidates: off, high or low priority "
	    "(default off)", "PRIO" },
	{ "nortpproxy-str", '\0', POPT_ARG_STRING, NULL, O_MARKER,
	    "marker line added to the SDP ('' for none; default "
	    "a=nortpproxy:yes)", "LINE" },
	POPT_TABLEEND
};

/* The tools that send U (asking for notifications) or listen for them. */
static const struct poptOption notify_opts[] = {
	CB,
	{ "timeout-socket", '\0', POPT_ARG_STRING, NULL, O_TIMEOUT_SOCKET,
	    "the relay reports timed-out calls to SOCKET", "SOCKET" },
	POPT_TABLEEND
};

/* The tools that take FLAGS (offer, answer, destroy, manage). */
static const struct poptOption callpath_opts[] = {
	CB,
	{ "extra-id", '\0', POPT_ARG_STRING, NULL, O_EXTRA_ID,
	    "value that flag b appends to the Call-ID", "VALUE" },
	{ "explain", '\0', POPT_ARG_NONE, NULL, O_EXPLAIN,
	    "after the run, report on stderr the node chosen and why, each "
	    "command and reply with its time, and the SDP diff", NULL },
	POPT_TABLEEND
};

/* Every tool: --version and popt's --help, --usage. */
static const struct poptOption help_opts[] = {
	CB,
	{ "version", '\0', POPT_ARG_NONE, NULL, O_VERSION,
	    "print the version and exit", NULL },
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, poptHelpOptions, 0, NULL,
	    NULL },
	POPT_TABLEEND
};

const struct poptOption cli_no_opts[] = {
	POPT_TABLEEND
};

/* Copy a shared table into the run, its callback bound to the run. */
static void
bind_table(struct poptOption *dst, const struct poptOption *src,
    size_t srcsize, struct cli_run *cr)
{
	memcpy(dst, src, srcsize);
	dst[0].descrip = (const char *)cr;
}

#define BIND(cr, name) do {						\
	_Static_assert(sizeof(name##_opts) <= sizeof((cr)->tables.name),	\
	    #name "_opts: more entries than CLI_TABLE_MAX");		\
	bind_table((cr)->tables.name, name##_opts, sizeof(name##_opts),	\
	    (cr));							\
} while (0)

/*
 * Make a run ready: the standard descriptors open, no SIGPIPE, the
 * shared tables bound to it.  The tool's table, which includes them,
 * can be set up before or after.
 */
static void	env_read(const char **);

void
cli_init(struct cli_run *cr, const char *prog, enum rtpc_op op)
{
	cli_std_fds();
	signal(SIGPIPE, SIG_IGN);
	memset(cr, 0, sizeof(*cr));
	cr->prog = prog;
	cr->tool_op = op;
	env_read(cr->env);
	BIND(cr, relay);
	BIND(cr, call);
	BIND(cr, input);
	BIND(cr, kind);
	BIND(cr, output);
	BIND(cr, sdp);
	BIND(cr, notify);
	BIND(cr, callpath);
	BIND(cr, help);
	rtpc_buf_init(&cr->in, RTPC_PASSTHROUGH_MAX);
}

static void
opts_free(struct cli_opts *c)
{
	size_t i;

	for (i = 0; i < c->nsocks; i++)
		free(c->socks[i]);
	free(c->socks);
	free(c->set);
	free(c->config);
	free(c->state_dir);
	free(c->tout);
	free(c->retr);
	free(c->disable_tout);
	free(c->force_socket);
	free(c->marker);
	free(c->timeout_socket);
	free(c->ice);
	free(c->extra_id);
	free(c->callid);
	free(c->ftag);
	free(c->ttag);
	free(c->source_ip);
	free(c->local_ip);
	free(c->input);
	free(c->output);
	free(c->b64);
	free(c->fake_reply);
	free(c->deadline);
}

/* The sources of a setting, for rtpc_settings_set: a higher one wins
 * (libcore's config file reader gives its lines SOURCE_FILE). */
enum setting_source {
	SOURCE_FILE = 1,
	SOURCE_ENVIRONMENT = 2,
	SOURCE_OPTION = 3
};

/* rtpc_config_load: is a missing file an error? */
enum { CONFIG_MAY_BE_MISSING, CONFIG_MUST_EXIST };

extern char **environ;

/* By env_var; the RTPP_* ones first, then the SIP_* ones. */
static const char *const env_names[ENV_COUNT] = {
	"RTPP_SOCK", "RTPP_TOUT", "RTPP_RETR", "RTPP_DISABLE_TOUT",
	"RTPP_FORCE_SOCKET", "RTPP_NORTPPROXY_STR", "RTPP_TIMEOUT_SOCKET",
	"RTPP_STATE_DIR", "RTPP_CONFIG", "RTPP_SET", "SIP_HF_CALLID",
	"SIP_HF_FROM", "SIP_HF_TO", "SIP_SRCIP"
};

/* The settings the environment gives, in the order they are applied. */
static const struct {
	enum cli_env	 var;
	const char	*key;
} envmap[] = {
	{ ENV_RTPP_SOCK, "rtpproxy_sock" },
	{ ENV_RTPP_TOUT, "rtpproxy_tout" },
	{ ENV_RTPP_RETR, "rtpproxy_retr" },
	{ ENV_RTPP_DISABLE_TOUT, "rtpproxy_disable_tout" },
	{ ENV_RTPP_FORCE_SOCKET, "force_socket" },
	{ ENV_RTPP_NORTPPROXY_STR, "nortpproxy_str" },
	{ ENV_RTPP_TIMEOUT_SOCKET, "timeout_socket" },
	{ ENV_RTPP_STATE_DIR, "state_dir" },
};

/* Does entry begin with the n bytes of prefix?  A NUL in entry stops it. */
static inline int
env_prefix(const char *entry, const char *prefix, size_t n)
{
	size_t k;

	/* unrolled, a prefix is a few compares with constants: this runs
	 * for every SIP_HF_* header */
#if defined(__GNUC__) && __GNUC__ >= 8 && !defined(__clang__)
#pragma GCC unroll 8
#endif
	for (k = 0; k < n; k++)
		if (entry[k] != prefix[k])
			return 0;
	return 1;
}

/* The value in entry ("NAME=value") when NAME is name, else NULL. */
static const char *
env_entry_value(const char *entry, const char *name)
{
	while (*name != '\0' && *entry == *name) {
		entry++;
		name++;
	}
	return *name == '\0' && *entry == '=' ? entry + 1 : NULL;
}

/*
 * If entry is one of env_names not seen yet, note its value.  Kamailio's
 * SIP_HF_* headers can be many: an entry costs its group's prefix and
 * a byte per name of the group (they differ at once).
 */
static void
env_note(const char *entry, const char **vals)
{
	size_t i, end, skip;
	const char *v;

	if (entry[0] == 'R' && env_prefix(entry, "RTPP_", 5)) {
		i = ENV_RTPP_SOCK;
		end = ENV_SIP_HF_CALLID;
		skip = 5;
	} else if (entry[0] == 'S' && env_prefix(entry, "SIP_HF_", 7)) {
		i = ENV_SIP_HF_CALLID;
		end = ENV_SIP_SRCIP;
		skip = 7;
	} else if (entry[0] == 'S' && env_prefix(entry, "SIP_", 4)) {
		i = ENV_SIP_SRCIP;
		end = ENV_COUNT;
		skip = 4;
	} else
		return;
	for (; i < end; i++) {
		if (entry[skip] != env_names[i][skip] ||
		    (v = env_entry_value(entry + skip,
		    env_names[i] + skip)) == NULL)
			continue;
		/* the first one wins, as with getenv */
		if (vals[i] == NULL)
			vals[i] = v;
		return;
	}
}

/*
 * The values of env_names, as getenv would give them, from one pass
 * over environ: a getenv is a pass over the whole environment, and
 * under Kamailio's exec module that holds every SIP header (SIP_HF_*).
 */
static void
env_read(const char **vals)
{
	char **ep;

	for (ep = environ; ep != NULL && *ep != NULL; ep++)
		env_note(*ep, vals);
}

/* Parse --set / RTPP_SET: a decimal set id. */
static int
parse_set(const char *v, const char *what, int *out, struct rtpc_err *e)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < 0 || n > 999999)
		return rtpc_err_set(e, RTPC_EXIT_USAGE,
		    "%s: '%s' is not a set number", what, v);
	*out = (int)n;
	return 0;
}

/*
 * Build the settings: defaults, then the config file, then the
 * environment, then the options, each overriding the one before.
 */
int
cli_settings(const struct cli_opts *c, const char *const *env_vals,
    struct rtpc_settings *s)
{
	struct rtpc_origin env = { "environment", 0 };
	struct rtpc_origin opt = { "option", 0 };
	const char *cfg = c->config, *v;
	struct rtpc_err e;
	char path[512];
	size_t i;
	const struct {
		const char *key;
		const char *opt;
		const char *val;
	} opts[] = {
		{ "rtpproxy_tout", "--tout", c->tout },
		{ "rtpproxy_retr", "--retr", c->retr },
		{ "rtpproxy_disable_tout", "--disable-tout", c->disable_tout },
		{ "force_socket", "--force-socket", c->force_socket },
		{ "nortpproxy_str", "--nortpproxy-str", c->marker },
		{ "timeout_socket", "--timeout-socket", c->timeout_socket },
		{ "state_dir", "--state-dir", c->state_dir },
		{ "ice_candidate_priority", "--ice", c->ice },
		{ "extra_id", "--extra-id", c->extra_id },
	};

	rtpc_err_clear(&e);
	rtpc_settings_init(s);
	if (cfg == NULL)
		cfg = env_vals[ENV_RTPP_CONFIG];
	if (cfg != NULL && *cfg != '\0') {
		if (rtpc_config_load(s, cfg, CONFIG_MUST_EXIST, &e) == -1)
			goto fail;
	} else if (cfg == NULL) {
		snprintf(path, sizeof(path), "%s/rtpp.conf", RTPP_SYSCONFDIR);
		if (rtpc_config_load(s, path, CONFIG_MAY_BE_MISSING, &e) == -1)
			goto fail;
	}
	for (i = 0; i < sizeof(envmap) / sizeof(envmap[0]); i++) {
		env.what = env_names[envmap[i].var];
		if ((v = env_vals[envmap[i].var]) != NULL &&
		    rtpc_settings_set(s, envmap[i].key, v,
		    SOURCE_ENVIRONMENT, &env, &e) == -1)
			goto fail;
	}
	if ((v = env_vals[ENV_RTPP_SET]) != NULL &&
	    parse_set(v, "RTPP_SET", &s->set, &e) == -1)
		goto fail;
	opt.what = "--sock";
	for (i = 0; i < c->nsocks; i++)
		if (rtpc_settings_set(s, "rtpproxy_sock", c->socks[i],
		    SOURCE_OPTION, &opt, &e) == -1)
			goto fail;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		opt.what = opts[i].opt;
		if (opts[i].val != NULL && rtpc_settings_set(s, opts[i].key,
		    opts[i].val, SOURCE_OPTION, &opt, &e) == -1)
			goto fail;
	}
	if (c->set != NULL && parse_set(c->set, "--set", &s->set, &e) == -1)
		goto fail;
	return 0;
fail:
	warnx("%s", e.msg);
	return e.code ? e.code : RTPC_EXIT_USAGE;
}

/*
 * Relay or state text written for people: rtpc_escape_one's rule, and
 * with CLI_TEXT_LINES a LF passes too (multi-line replies such as I).
 * JSON output does not use this: cli_json_strn keeps it exact.
 */
void
cli_put_text(FILE *fp, const char *s, size_t n, int flags)
{
	size_t i = 0, used, k;
	char one[5];

	while (i < n) {
		if (s[i] == '\n' && (flags & CLI_TEXT_LINES)) {
			putc('\n', fp);
			i++;
			continue;
		}
		k = rtpc_escape_one(s + i, n - i, one, &used);
		fwrite(one, 1, k, fp);
		i += used;
	}
}

/*
 * Write s[0..n) as a JSON string: quotes, backslashes and control bytes
 * escaped, valid UTF-8 passed through, any other byte as \u00XX (so
 * the document stays valid whatever a relay or a message sent).
 */
void
cli_json_strn(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k;

	putchar('"');
	while (i < n) {
		unsigned char c = p[i];

		if (c == '"' || c == '\\') {
			printf("\\%c", c);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			printf("\\u%04x", c);
			i++;
		} else if ((k = rtpc_utf8_len(p + i, n - i)) == 0) {
			printf("\\u%04x", c);
			i++;
		} else {
			fwrite(p + i, 1, k, stdout);
			i += k;
		}
	}
	putchar('"');
}

void
cli_json_str(const char *s)
{
	cli_json_strn(s, strlen(s));
}

/* --trace: one line per datagram, stable enough to grep or diff. */
void
cli_trace(void *ctx, int dir, const char *url, const char *d, size_t len)
{
	char esc[RTPC_REPLY_MAX * 4 + 8];

	rtpc_escape(esc, sizeof(esc), d, len);
	fprintf(stderr, "%s: %c %s %s\n", (const char *)ctx, dir, url, esc);
}

void
cli_warn(void *ctx, const char *msg)
{
	(void)ctx;
	warnx("%s", msg);
}

/*
 * The first read's room, then doubled: the size the input buffer had
 * for a typical message before, so the heap keeps its shape; 2 KB costs
 * musl a page fault per run more (a new size class), 4 KB glibc one.
 */
#define STDIN_FIRST_ROOM	1024

/*
 * Make room in b for at least one more byte to read (and the NUL after
 * it), never beyond max + 1 bytes of input: one over max tells that the
 * input is too large.  -1 when out of memory.
 */
static int
stdin_room(struct rtpc_buf *b, size_t max)
{
	size_t ncap;
	char *p;

	if (b->len + 1 < b->cap)
		return 0;
	ncap = b->cap ? b->cap * 2 : STDIN_FIRST_ROOM;
	if (ncap > max + 2)
		ncap = max + 2;
	if ((p = realloc(b->data, ncap)) == NULL)
		return -1;
	b->data = p;
	b->cap = ncap;
	return 0;
}

/*
 * Read all of stdin straight into b, at most max bytes (more is an
 * error: 1, "too large"); -1 on a read error or when out of memory.
 * b stays NUL-terminated, as rtpc_buf_add keeps it.
 */
static int
read_stdin(struct rtpc_buf *b, size_t max)
{
	ssize_t n;

	for (;;) {
		if (stdin_room(b, max) == -1) {
			warnx("stdin: out of memory");
			return -1;
		}
		n = read(STDIN_FILENO, b->data + b->len, b->cap - 1 - b->len);
		if (n == 0)
			return 0;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EBADF)
				return 0;
			warn("stdin");
			return -1;
		}
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		if (b->len > max) {
			warnx("stdin: input larger than %zu bytes", max);
			return 1;
		}
	}
}

/*
 * Write everything to stdout with write(2) and close it; a failed write
 * or close is an error.  No stdio: its first write costs an fstat and an
 * ioctl, and the output is one finished buffer.
 */
static int
write_out(const char *p, size_t len)
{
	ssize_t n;

	/* whatever a tool printed with stdio goes first */
	if (fflush(stdout) == EOF)
		goto fail;
	while (len > 0) {
		if ((n = write(STDOUT_FILENO, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(STDOUT_FILENO) == -1)
		goto fail;
	return 0;
fail:
	warn("stdout");
	return -1;
}

/* The words of --input and --output, in the order the error lists them. */
struct form_word {
	const char	*word;
	enum rtpc_form	 form;
};

static const struct form_word input_forms[] = {
	{ "auto", RTPC_FORM_AUTO }, { "sdp", RTPC_FORM_SDP },
	{ "sip", RTPC_FORM_SIP }, { "base64", RTPC_FORM_BASE64 },
	{ NULL, RTPC_FORM_AUTO }
};

static const struct form_word output_forms[] = {
	{ "same", RTPC_FORM_AUTO }, { "plain", RTPC_FORM_SDP },
	{ "base64", RTPC_FORM_BASE64 }, { "sdp", RTPC_FORM_BODY },
	{ "sdp-base64", RTPC_FORM_BODY64 }, { NULL, RTPC_FORM_AUTO }
};

/* The value of --opt, one of words (the first when not given). */
static int
parse_form(const char *opt, const char *v, const struct form_word *words,
    enum rtpc_form *f)
{
	const struct form_word *w;
	char list[80] = "";

	*f = words[0].form;
	if (v == NULL)
		return 0;
	for (w = words; w->word != NULL; w++) {
		if (strcmp(v, w->word) == 0) {
			*f = w->form;
			return 0;
		}
		if (w != words)
			strlcat(list, ", ", sizeof(list));
		strlcat(list, w->word, sizeof(list));
	}
	warnx("--%s: '%s' is not one of %s", opt, v, list);
	return -1;
}

/*
 * Kamailio exec's environment.  SIP_HF_CALLID, SIP_HF_FROM and SIP_HF_TO
 * come from headers, so they only fill what the input lacks (libcore
 * refuses a SIP message that disagrees with them).  SIP_SRCIP is the
 * packet's source, set by Kamailio and not by any header: it is the
 * source address, as in the module, unless --source-ip is given.
 */
static void
kamailio_env(const char *const *env_vals, struct rtpc_job *j, char **ftag,
    char **ttag)
{
	const char *v;

	j->req.env_callid = env_vals[ENV_SIP_HF_CALLID];
	if ((v = env_vals[ENV_SIP_HF_FROM]) != NULL &&
	    (*ftag = rtpc_tag_dup(v)) != NULL)
		j->req.env_ftag = *ftag;
	if ((v = env_vals[ENV_SIP_HF_TO]) != NULL &&
	    (*ttag = rtpc_tag_dup(v)) != NULL)
		j->req.env_ttag = *ttag;
	if (j->req.source_ip == NULL &&
	    (v = env_vals[ENV_SIP_SRCIP]) != NULL)
		j->req.source_ip = v;
}

/* Parse the command line; returns the leftover arguments' context. */
static poptContext
parse_args(const char *prog, int argc, char **argv,
    const struct poptOption *table, const char *usage)
{
	poptContext pc;
	int rc;

	pc = poptGetContext(prog, argc, (const char **)argv, table, 0);
	poptSetOtherOptionHelp(pc, usage);
	while ((rc = poptGetNextOpt(pc)) > 0)
		;
	if (rc < -1) {
		warnx("%s: %s (try --help)",
		    poptBadOption(pc, POPT_BADOPTION_NOALIAS),
		    poptStrerror(rc));
		poptFreeContext(pc);
		exit(RTPC_EXIT_USAGE);
	}
	return pc;
}

/* Does option o take a value? */
static int
takes_value(const struct poptOption *o)
{
	switch (o->argInfo & POPT_ARG_MASK) {
	case POPT_ARG_NONE:
	case POPT_ARG_VAL:
	case POPT_ARG_CALLBACK:
	case POPT_ARG_INCLUDE_TABLE:
	case POPT_ARG_INTL_DOMAIN:
		return 0;
	default:
		return 1;
	}
}

/* The option of table (and the tables it includes) named name, or NULL. */
static const struct poptOption *
find_long(const struct poptOption *table, const char *name)
{
	const struct poptOption *o, *found;

	for (o = table; o->longName != NULL || o->shortName != '\0' ||
	    o->arg != NULL; o++) {
		if ((o->argInfo & POPT_ARG_MASK) == POPT_ARG_INCLUDE_TABLE) {
			if ((found = find_long(o->arg, name)) != NULL)
				return found;
		} else if (o->longName != NULL && strcmp(o->longName, name) == 0)
			return o;
	}
	return NULL;
}

/*
 * Is arg a long option of table that takes a value in the next
 * argument ("--from-tag", not "--from-tag=x")?
 */
int
cli_takes_value(const struct poptOption *table, const char *arg)
{
	const struct poptOption *o;

	if (strncmp(arg, "--", 2) != 0 || strchr(arg, '=') != NULL)
		return 0;
	return (o = find_long(table, arg + 2)) != NULL && takes_value(o);
}

/* The tool's name, for deadline_hit: a signal handler takes no argument. */
static const char *deadline_prog = "rtpp";

/* --deadline: the run is over, whatever it was doing; nothing printed. */
static void
deadline_hit(int sig)
{
	static const char tail[] = ": deadline reached; gave up\n";
	const char *p = deadline_prog;

	(void)sig;
	(void)!write(STDERR_FILENO, p, strlen(p));
	(void)!write(STDERR_FILENO, tail, sizeof(tail) - 1);
	_exit(RTPC_EXIT_NORELAY);
}

static int
arm_deadline(const char *prog, const char *v, long *out)
{
	struct itimerval it;
	long ms;

	*out = 0;
	if (v == NULL)
		return 0;
	if (rtpc_parse_seconds(v, 1, 3600 * 1000, &ms) == -1) {
		warnx("--deadline: '%s' is not a number of seconds between "
		    "0.001 and 3600", v);
		return RTPC_EXIT_USAGE;
	}
	*out = ms;
	deadline_prog = prog;
	signal(SIGALRM, deadline_hit);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
	return 0;
}

/*
 * Past this point the result is written whatever the clock says.  ms:
 * the deadline arm_deadline set (0: no timer, nothing to disarm).
 */
static void
disarm_deadline(long ms)
{
	struct itimerval it;

	if (ms <= 0)
		return;
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * Make sure descriptors 0, 1 and 2 are open (on /dev/null when not), so
 * that no socket or file of the run becomes stdout or stderr and gets
 * report or trace lines.  Done first thing in every tool.
 */
void
cli_std_fds(void)
{
	struct pollfd pfd[3];
	int fd, n;

	/* one poll tells all three: POLLNVAL marks a closed one */
	for (fd = 0; fd <= 2; fd++) {
		pfd[fd].fd = fd;
		pfd[fd].events = 0;
		pfd[fd].revents = 0;
	}
	if ((n = poll(pfd, 3, 0)) == 0)
		return;
	for (fd = 0; fd <= 2; fd++) {
		int nfd;

		/* when poll failed, fcntl asks each */
		if (n > 0 && !(pfd[fd].revents & POLLNVAL))
			continue;
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd != fd) {
			/* nothing can be reported safely: stderr is shut */
			_exit(RTPC_EXIT_FAIL);
		}
	}
}

/* The job's request from the options and the settings. */
static void
fill_job(struct cli_run *cr, enum rtpc_form inf, enum rtpc_form outf)
{
	const struct cli_opts *o = &cr->opts;

	cr->job.req.callid = o->callid;
	cr->job.req.ftag = o->ftag;
	cr->job.req.ttag = o->ttag;
	cr->job.req.source_ip = o->source_ip;
	cr->job.req.local_ip = o->local_ip;
	cr->job.req.kind = o->kind;
	cr->job.req.in_form = inf;
	cr->job.req.out_form = outf;
	cr->job.req.dry_run = o->dry_run;
	cr->job.req.fake_reply = o->fake_reply;
	cr->job.req.explain = o->explain;
	cr->job.req.warn = cli_warn;
	if (o->trace) {
		cr->job.req.trace = cli_trace;
		cr->job.req.trace_ctx = (void *)(uintptr_t)cr->prog;
	}
	if (o->kamailio_env)
		kamailio_env(cr->env, &cr->job, &cr->ftag, &cr->ttag);
}

/*
 * Start a run made ready by cli_init: parse the command line with the
 * tool's table, build the settings and the job from the options.
 * Returns 0, or the exit status after reporting the problem.
 */
int
cli_start(struct cli_run *cr, int argc, char **argv,
    const struct poptOption *table, const char *usage)
{
	enum rtpc_form inf, outf;
	int rc;

	cr->pc = parse_args(cr->prog, argc, argv, table, usage);
	rtpc_job_init(&cr->job, cr->tool_op, &cr->settings);
	if (parse_form("input", cr->opts.input, input_forms, &inf) == -1 ||
	    parse_form("output", cr->opts.output, output_forms, &outf) == -1)
		return RTPC_EXIT_USAGE;
	if ((rc = arm_deadline(cr->prog, cr->opts.deadline,
	    &cr->job.req.deadline_ms)) != 0)
		return rc;
	if ((rc = cli_settings(&cr->opts, cr->env, &cr->settings)) != 0)
		return rc;
	fill_job(cr, inf, outf);
	return 0;
}

/*
 * "rtpp-offer 192.0.2.1": an address where the flags go would be read
 * as flag letters; say what went wrong instead.
 */
int
cli_flags_not_ip(const struct cli_run *cr, int takes_ip)
{
	const char *flags = cr->job.req.flags, *ip = cr->job.req.ip;
	unsigned char a[16];

	if (flags == NULL || ip != NULL || (inet_pton(AF_INET, flags, a) != 1
	    && inet_pton(AF_INET6, flags, a) != 1))
		return 0;
	if (takes_ip)
		warnx("'%s' is an address, not a flags string: the flags come "
		    "first ('' for none): %s '' %s", flags, cr->prog, flags);
	else
		warnx("'%s' is an address, not a flags string; %s takes no "
		    "address", flags, cr->prog);
	return RTPC_EXIT_USAGE;
}

/* Leftover arguments beyond what the tool takes are usage errors. */
int
cli_no_more_args(struct cli_run *cr)
{
	const char *extra = poptGetArg(cr->pc);

	if (extra == NULL)
		return 0;
	warnx("unexpected argument '%s' (try --help)", extra);
	return RTPC_EXIT_USAGE;
}

/*
 * Read the input as the tool takes it (--b64 always wins) and run the
 * job.  Returns the exit status.
 */
int
cli_exec(struct cli_run *cr, enum cli_input how)
{
	const struct cli_opts *o = &cr->opts;
	struct rtpc_err e;
	int rc;

	if (o->b64 != NULL) {
		cr->job.req.in_form = RTPC_FORM_BASE64;
		if (rtpc_buf_add(&cr->in, o->b64, strlen(o->b64)) == -1) {
			warnx("--b64: %s", rtpc_buf_why(&cr->in));
			return RTPC_EXIT_FAIL;
		}
	} else if (how == CLI_INPUT_STDIN ||
	    (how == CLI_INPUT_NOT_TTY && !isatty(STDIN_FILENO))) {
		/* --passthrough echoes an input too large to handle, whole:
		 * read up to its own cap, refuse above RTPC_INPUT_MAX */
		rc = read_stdin(&cr->in, o->passthrough ?
		    RTPC_PASSTHROUGH_MAX : RTPC_INPUT_MAX);
		if (rc != 0)
			return RTPC_EXIT_FAIL;
		if (cr->in.len > RTPC_INPUT_MAX) {
			cr->in_whole = 1;
			warnx("stdin: input larger than %u bytes",
			    RTPC_INPUT_MAX);
			return RTPC_EXIT_FAIL;
		}
	}
	cr->in_whole = 1;
	rtpc_err_clear(&e);
	if (rtpc_job_run(&cr->job, cr->in.data ? cr->in.data : "",
	    cr->in.len, &e) == -1) {
		warnx("%s", e.msg);
		return e.code ? e.code : RTPC_EXIT_FAIL;
	}
	return 0;
}

/* Write the job's output; on failure the input with --passthrough. */
int
cli_output(struct cli_run *cr, int rc)
{
	disarm_deadline(cr->job.req.deadline_ms);
	if (rc == 0)
		return write_out(cr->job.res.out.data, cr->job.res.out.len) == -1 ?
		    RTPC_EXIT_FAIL : 0;
	/* all or nothing: a part of the input is never written */
	if (cr->opts.passthrough && cr->in_whole)
		(void)write_out(cr->in.data, cr->in.len);
	return rc;
}

/* Free everything of the run; returns rc for "return cli_end(...)". */
int
cli_end(struct cli_run *cr, int rc)
{
	rtpc_job_free(&cr->job);
	rtpc_buf_free(&cr->in);
	free(cr->ftag);
	free(cr->ttag);
	if (cr->pc != NULL)
		poptFreeContext(cr->pc);
	opts_free(&cr->opts);
	rtpc_settings_free(&cr->settings);
	return rc;
}

/*
 * The whole run of rtpp-offer, rtpp-answer and rtpp-destroy, whose
 * table the tool composed: arguments "[flags [ip]]" (destroy:
 * "[flags]"), stdin in, stdout out.
 */
int
cli_callpath(struct cli_run *cr, int argc, char **argv,
    const struct poptOption *table)
{
	int destroy = cr->tool_op == RTPC_OP_DESTROY;
	const char *usage = destroy ? "[OPTION...] [FLAGS] < MESSAGE" :
	    "[OPTION...] [FLAGS [IP]] < MESSAGE";
	int rc;

	if ((rc = cli_start(cr, argc, argv, table, usage)) != 0)
		return cli_end(cr, rc);
	cr->job.req.flags = poptGetArg(cr->pc);
	if (!destroy)
		cr->job.req.ip = poptGetArg(cr->pc);
	if ((rc = cli_no_more_args(cr)) != 0 ||
	    (rc = cli_flags_not_ip(cr, !destroy)) != 0)
		return cli_end(cr, rc);
	rc = cli_exec(cr, destroy ? CLI_INPUT_NOT_TTY : CLI_INPUT_STDIN);
	rc = cli_output(cr, rc);
	if (cr->opts.explain)
		cli_explain(cr, rc);
	return cli_end(cr, rc);
}
