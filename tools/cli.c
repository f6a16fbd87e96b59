/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli.c: the tools' shared command line: one popt table of common
 * options, settings from (highest first) options, RTPP_* environment,
 * the config file and defaults, and the run of a call-path tool.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <arpa/inet.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
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

struct cli cli;

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
add_sock(const char *v)
{
	char **n = reallocarray(cli.socks, cli.nsocks + 1, sizeof(*n));

	if (n == NULL || (n[cli.nsocks] = strdup(v)) == NULL)
		err(1, NULL);
	cli.socks = n;
	cli.nsocks++;
}

/* One callback for every option of the shared tables. */
static void
cli_cb(poptContext pc, enum poptCallbackReason reason,
    const struct poptOption *o, const char *arg, void *data)
{
	static char **const strs[] = {
		[O_SET] = &cli.set, [O_CONFIG] = &cli.config,
		[O_STATE_DIR] = &cli.state_dir, [O_TOUT] = &cli.tout,
		[O_RETR] = &cli.retr, [O_DISABLE_TOUT] = &cli.disable_tout,
		[O_FORCE_SOCKET] = &cli.force_socket, [O_MARKER] = &cli.marker,
		[O_TIMEOUT_SOCKET] = &cli.timeout_socket, [O_ICE] = &cli.ice,
		[O_EXTRA_ID] = &cli.extra_id, [O_CALLID] = &cli.callid,
		[O_FTAG] = &cli.ftag, [O_TTAG] = &cli.ttag,
		[O_SOURCE_IP] = &cli.source_ip, [O_LOCAL_IP] = &cli.local_ip,
		[O_INPUT] = &cli.input, [O_OUTPUT] = &cli.output,
		[O_B64] = &cli.b64, [O_FAKE_REPLY] = &cli.fake_reply,
		[O_DEADLINE] = &cli.deadline,
	};

	(void)pc;
	(void)data;
	if (reason != POPT_CALLBACK_REASON_OPTION)
		return;
	switch (o->val) {
	case O_SOCK:
		add_sock(arg);
		break;
	case O_REQUEST:
		cli.kind = RTPC_KIND_REQUEST;
		break;
	case O_REPLY:
		cli.kind = RTPC_KIND_REPLY;
		break;
	case O_DRY_RUN:
		cli.dry_run = 1;
		break;
	case O_TRACE:
		cli.trace = 1;
		break;
	case O_PASSTHROUGH:
		cli.passthrough = 1;
		break;
	case O_KAMAILIO_ENV:
		cli.kamailio_env = 1;
		break;
	case O_EXPLAIN:
		cli.explain = 1;
		break;
	case O_VERSION:
		printf("%s (%s) %s\n", cli.prog, PACKAGE_NAME, PACKAGE_VERSION);
		if (fflush(stdout) == EOF || ferror(stdout))
			exit(1);
		exit(0);
	default:
		if (o->val > 0 && (size_t)o->val < sizeof(strs) / sizeof(strs[0])
		    && strs[o->val] != NULL)
			replace(strs[o->val], arg);
	}
}

#define CB	{ NULL, '\0', POPT_ARG_CALLBACK | POPT_CBFLAG_CONTINUE, \
		    (void *)(uintptr_t)cli_cb, 0, NULL, NULL }

struct poptOption cli_common_opts[] = {
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
	{ "nortpproxy-str", '\0', POPT_ARG_STRING, NULL, O_MARKER,
	    "marker line added to the SDP ('' for none; default "
	    "a=nortpproxy:yes)", "LINE" },
	{ "timeout-socket", '\0', POPT_ARG_STRING, NULL, O_TIMEOUT_SOCKET,
	    "ask the relay to report timed-out calls to SOCKET", "SOCKET" },
	{ "deadline", '\0', POPT_ARG_STRING, NULL, O_DEADLINE,
	    "give up after SECONDS in all, whatever the relays do (exit 3)",
	    "SECONDS" },
	{ "trace", '\0', POPT_ARG_NONE, NULL, O_TRACE,
	    "print every control datagram sent and received on stderr",
	    NULL },
	{ "version", '\0', POPT_ARG_NONE, NULL, O_VERSION,
	    "print the version and exit", NULL },
	POPT_TABLEEND
};

struct poptOption cli_call_opts[] = {
	CB,
	{ "call-id", '\0', POPT_ARG_STRING, NULL, O_CALLID,
	    "Call-ID of the call (wins over the message)", "ID" },
	{ "from-tag", '\0', POPT_ARG_STRING, NULL, O_FTAG,
	    "From-tag (wins over the message)", "TAG" },
	{ "to-tag", '\0', POPT_ARG_STRING, NULL, O_TTAG,
	    "To-tag ('' for none; wins over the message)", "TAG" },
	{ "extra-id", '\0', POPT_ARG_STRING, NULL, O_EXTRA_ID,
	    "value that flag b appends to the Call-ID", "VALUE" },
	{ "kamailio-env", '\0', POPT_ARG_NONE, NULL, O_KAMAILIO_ENV,
	    "Kamailio exec's SIP_HF_CALLID, SIP_HF_FROM, SIP_HF_TO fill what "
	    "bare SDP lacks (a SIP message must agree with them); SIP_SRCIP "
	    "is the source address", NULL },
	POPT_TABLEEND
};

/* Only for the tools that rewrite SDP (offer, answer, destroy, manage). */
struct poptOption cli_explain_opts[] = {
	CB,
	{ "explain", '\0', POPT_ARG_NONE, NULL, O_EXPLAIN,
	    "after the run, report on stderr the node chosen and why, each "
	    "command and reply with its time, and the SDP diff", NULL },
	POPT_TABLEEND
};

static struct poptOption no_opts[] = {
	POPT_TABLEEND
};

/* What --help says about the FLAGS argument (the module's letters). */
#define FLAGS_HELP_OFFER \
	"FLAGS, the module's flags string, letters in any case ('' for " \
	"none):\n" \
	"  1 2 3  append Via 1, 2 or 3's branch to the Call-ID\n" \
	"  a      asymmetric UA (A), send the SDP's address (as r)\n" \
	"  b      append --extra-id to the Call-ID\n" \
	"  c      rewrite the session c= too when every m= has its own\n" \
	"  e i    bridge interfaces (E, I)\n" \
	"  f      ignore the nortpproxy_str marker\n" \
	"  l      lookup only: L instead of U (offer)\n" \
	"  o      rewrite o= too\n" \
	"  r      send the SDP's address, not the SIP source address\n" \
	"  t      (destroy only: leave out the To-tag)\n" \
	"  w      force symmetric RTP (S)\n" \
	"  x      bridge IPv4 and IPv6 (IE or EI)\n" \
	"  z<N>   re-packetize to N ms (Z<N>)\n" \
	"IP, the module's ip_address: the address to write into the SDP " \
	"('' for none)"
#define FLAGS_HELP_DESTROY \
	"FLAGS, the module's flags string ('' for none; the offer letters " \
	"are\naccepted and ignored):\n" \
	"  1 2 3  append Via 1, 2 or 3's branch to the Call-ID\n" \
	"  b      append --extra-id to the Call-ID\n" \
	"  t      leave out the To-tag: delete the whole call"

struct poptOption cli_io_opts[] = {
	CB,
	{ "source-ip", '\0', POPT_ARG_STRING, NULL, O_SOURCE_IP,
	    "address the SIP message came from (sent in U/L)", "ADDR" },
	{ "local-ip", '\0', POPT_ARG_STRING, NULL, O_LOCAL_IP,
	    "address to use when the relay answers only a port", "ADDR" },
	{ "request", '\0', POPT_ARG_NONE, NULL, O_REQUEST,
	    "bare SDP comes from a request (INVITE offer, ACK answer)", NULL },
	{ "reply", '\0', POPT_ARG_NONE, NULL, O_REPLY,
	    "bare SDP comes from a reply (200 OK offer or answer)", NULL },
	{ "input", '\0', POPT_ARG_STRING, NULL, O_INPUT,
	    "input form: auto, sdp, sip or base64 (default auto)", "FORM" },
	{ "output", '\0', POPT_ARG_STRING, NULL, O_OUTPUT,
	    "output form: same, plain, base64, sdp (the body alone) or "
	    "sdp-base64 (default same)", "FORM" },
	{ "b64", '\0', POPT_ARG_STRING, NULL, O_B64,
	    "take the message as base64 from this argument, not stdin",
	    "DATA" },
	{ "ice", '\0', POPT_ARG_STRING, NULL, O_ICE,
	    "add ICE relay candidates: off, high or low priority "
	    "(default off)", "PRIO" },
	{ "passthrough", '\0', POPT_ARG_NONE, NULL, O_PASSTHROUGH,
	    "on failure write the input unchanged (the status still says "
	    "why)", NULL },
	{ "dry-run", '\0', POPT_ARG_NONE, NULL, O_DRY_RUN,
	    "print the commands that would be sent; send nothing", NULL },
	{ "fake-reply", '\0', POPT_ARG_STRING, NULL, O_FAKE_REPLY,
	    "answer every command with REPLY instead of asking a relay",
	    "REPLY" },
	POPT_TABLEEND
};

void
cli_free(struct cli *c)
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
	rtpc_settings_free(&c->set_);
}

static const struct {
	const char *env;
	const char *key;
} envmap[] = {
	{ "RTPP_SOCK", "rtpproxy_sock" },
	{ "RTPP_TOUT", "rtpproxy_tout" },
	{ "RTPP_RETR", "rtpproxy_retr" },
	{ "RTPP_DISABLE_TOUT", "rtpproxy_disable_tout" },
	{ "RTPP_FORCE_SOCKET", "force_socket" },
	{ "RTPP_NORTPPROXY_STR", "nortpproxy_str" },
	{ "RTPP_TIMEOUT_SOCKET", "timeout_socket" },
	{ "RTPP_STATE_DIR", "state_dir" },
};

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
cli_settings(struct cli *c, struct rtpc_settings *s)
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
		cfg = getenv("RTPP_CONFIG");
	if (cfg != NULL && *cfg != '\0') {
		if (rtpc_config_load(s, cfg, 1, &e) == -1)
			goto fail;
	} else if (cfg == NULL) {
		snprintf(path, sizeof(path), "%s/rtpp.conf", RTPP_SYSCONFDIR);
		if (rtpc_config_load(s, path, 0, &e) == -1)
			goto fail;
	}
	for (i = 0; i < sizeof(envmap) / sizeof(envmap[0]); i++) {
		env.what = envmap[i].env;
		if ((v = getenv(envmap[i].env)) != NULL &&
		    rtpc_settings_set(s, envmap[i].key, v, 2, &env, &e) == -1)
			goto fail;
	}
	if ((v = getenv("RTPP_SET")) != NULL &&
	    parse_set(v, "RTPP_SET", &s->set, &e) == -1)
		goto fail;
	opt.what = "--sock";
	for (i = 0; i < c->nsocks; i++)
		if (rtpc_settings_set(s, "rtpproxy_sock", c->socks[i], 3, &opt,
		    &e) == -1)
			goto fail;
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		opt.what = opts[i].opt;
		if (opts[i].val != NULL && rtpc_settings_set(s, opts[i].key,
		    opts[i].val, 3, &opt, &e) == -1)
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

	(void)ctx;
	rtpc_escape(esc, sizeof(esc), d, len);
	fprintf(stderr, "%s: %c %s %s\n", cli.prog, dir, url, esc);
}

void
cli_warn(void *ctx, const char *msg)
{
	(void)ctx;
	warnx("%s", msg);
}

/*
 * Read all of stdin, at most max bytes (more is an error: 1, "too
 * large"); -1 on a read error or when out of memory.
 */
static int
read_stdin(struct rtpc_buf *b, size_t max)
{
	char chunk[65536];
	ssize_t n;

	for (;;) {
		n = read(STDIN_FILENO, chunk, sizeof(chunk));
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
		if (b->len + (size_t)n > max) {
			warnx("stdin: input larger than %zu bytes", max);
			return 1;
		}
		if (rtpc_buf_add(b, chunk, (size_t)n) == -1) {
			warnx("stdin: out of memory");
			return -1;
		}
	}
}

/* Write everything and close stdout; a failed write is an error. */
static int
write_out(const char *p, size_t len)
{
	if (len > 0 && fwrite(p, 1, len, stdout) != len)
		goto fail;
	if (fflush(stdout) == EOF || ferror(stdout))
		goto fail;
	if (fclose(stdout) == EOF)
		goto fail;
	return 0;
fail:
	warn("stdout");
	return -1;
}

static int
parse_form(const char *v, int out, enum rtpc_form *f)
{
	if (v == NULL || strcmp(v, out ? "same" : "auto") == 0)
		*f = RTPC_FORM_AUTO;
	else if (!out && strcmp(v, "sdp") == 0)
		*f = RTPC_FORM_SDP;
	else if (!out && strcmp(v, "sip") == 0)
		*f = RTPC_FORM_SIP;
	else if (out && strcmp(v, "plain") == 0)
		*f = RTPC_FORM_SDP;
	else if (out && strcmp(v, "sdp") == 0)
		*f = RTPC_FORM_BODY;
	else if (out && strcmp(v, "sdp-base64") == 0)
		*f = RTPC_FORM_BODY64;
	else if (strcmp(v, "base64") == 0)
		*f = RTPC_FORM_BASE64;
	else {
		warnx("--%s: '%s' is not one of %s", out ? "output" : "input",
		    v, out ? "same, plain, base64, sdp, sdp-base64" :
		    "auto, sdp, sip, base64");
		return -1;
	}
	return 0;
}

/*
 * Kamailio exec's environment.  SIP_HF_CALLID, SIP_HF_FROM and SIP_HF_TO
 * come from headers, so they only fill what the input lacks (libcore
 * refuses a SIP message that disagrees with them).  SIP_SRCIP is the
 * packet's source, set by Kamailio and not by any header: it is the
 * source address, as in the module, unless --source-ip is given.
 */
static void
kamailio_env(struct rtpc_job *j, char **ftag, char **ttag)
{
	const char *v;

	j->req.env_callid = getenv("SIP_HF_CALLID");
	if ((v = getenv("SIP_HF_FROM")) != NULL &&
	    (*ftag = rtpc_tag_dup(v)) != NULL)
		j->req.env_ftag = *ftag;
	if ((v = getenv("SIP_HF_TO")) != NULL &&
	    (*ttag = rtpc_tag_dup(v)) != NULL)
		j->req.env_ttag = *ttag;
	if (j->req.source_ip == NULL && (v = getenv("SIP_SRCIP")) != NULL)
		j->req.source_ip = v;
}

/* Parse the command line; returns the leftover arguments' context. */
static poptContext
parse_args(int argc, char **argv, const struct poptOption *table,
    const char *usage)
{
	poptContext pc;
	int rc;

	pc = poptGetContext(cli.prog, argc, (const char **)argv, table, 0);
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

/*
 * Is arg a long option of the shared tables that takes a value in the
 * next argument ("--from-tag", not "--from-tag=x")?
 */
int
cli_takes_value(const char *arg)
{
	const struct poptOption *tables[] = { cli_common_opts, cli_call_opts,
	    cli_io_opts };
	size_t t;

	if (strncmp(arg, "--", 2) != 0 || strchr(arg, '=') != NULL)
		return 0;
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		const struct poptOption *o;

		for (o = tables[t]; o->longName != NULL || o->argInfo != 0; o++)
			if (o->longName != NULL &&
			    strcmp(o->longName, arg + 2) == 0)
				return (o->argInfo & POPT_ARG_MASK) ==
				    POPT_ARG_STRING;
	}
	return 0;
}

/* --deadline: the run is over, whatever it was doing; nothing printed. */
static void
deadline_hit(int sig)
{
	static const char tail[] = ": deadline reached; gave up\n";
	const char *p = cli.prog ? cli.prog : "rtpp";

	(void)sig;
	(void)!write(STDERR_FILENO, p, strlen(p));
	(void)!write(STDERR_FILENO, tail, sizeof(tail) - 1);
	_exit(RTPC_EXIT_NORELAY);
}

static int
arm_deadline(const char *v, long *out)
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
	signal(SIGALRM, deadline_hit);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = ms / 1000;
	it.it_value.tv_usec = (ms % 1000) * 1000;
	setitimer(ITIMER_REAL, &it, NULL);
	return 0;
}

/* Past this point the result is written whatever the clock says. */
static void
disarm_deadline(void)
{
	struct itimerval it;

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
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		int nfd;

		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		nfd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (nfd != fd) {
			/* nothing can be reported safely: stderr is shut */
			_exit(RTPC_EXIT_FAIL);
		}
	}
}

/*
 * Start a run: parse the command line (the tool's own options first),
 * build the settings and the job from the options.  Returns 0, or the
 * exit status after reporting the problem.
 */
int
cli_start(struct cli_run *cr, int argc, char **argv, const char *prog,
    enum rtpc_op op, struct poptOption *own, const char *usage)
{
	struct poptOption table[] = {
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, own, 0,
		    "Options:", NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, no_opts, 0,
		    op == RTPC_OP_DESTROY ? FLAGS_HELP_DESTROY : op <=
		    RTPC_OP_DESTROY || op == RTPC_OP_MANAGE ? FLAGS_HELP_OFFER :
		    NULL, NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, cli_io_opts, 0,
		    "Input and output:", NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, op <= RTPC_OP_DESTROY ||
		    op == RTPC_OP_MANAGE ? cli_explain_opts : no_opts, 0,
		    NULL, NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, cli_call_opts, 0,
		    "Call data:", NULL },
		{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, cli_common_opts, 0,
		    "Relays and settings:", NULL },
		POPT_AUTOHELP
		POPT_TABLEEND
	};
	enum rtpc_form inf, outf;
	int rc;

	cli_std_fds();
	memset(cr, 0, sizeof(*cr));
	cli.prog = prog;
	signal(SIGPIPE, SIG_IGN);
	if (own == NULL) {
		/* no own options: the flags help goes first */
		table[0] = table[1];
		table[1].arg = no_opts;
		table[1].descrip = NULL;
	}
	cr->pc = parse_args(argc, argv, table, usage);
	rtpc_buf_init(&cr->in, RTPC_PASSTHROUGH_MAX);
	rtpc_job_init(&cr->job, op, &cli.set_);
	if (parse_form(cli.input, 0, &inf) == -1 ||
	    parse_form(cli.output, 1, &outf) == -1)
		return RTPC_EXIT_USAGE;
	if ((rc = arm_deadline(cli.deadline, &cr->job.req.deadline_ms)) != 0)
		return rc;
	if ((rc = cli_settings(&cli, &cli.set_)) != 0)
		return rc;
	cr->job.req.callid = cli.callid;
	cr->job.req.ftag = cli.ftag;
	cr->job.req.ttag = cli.ttag;
	cr->job.req.source_ip = cli.source_ip;
	cr->job.req.local_ip = cli.local_ip;
	cr->job.req.kind = (enum rtpc_kind)cli.kind;
	cr->job.req.in_form = inf;
	cr->job.req.out_form = outf;
	cr->job.req.dry_run = cli.dry_run;
	cr->job.req.fake_reply = cli.fake_reply;
	cr->job.req.explain = cli.explain;
	cr->job.req.warn = cli_warn;
	if (cli.trace)
		cr->job.req.trace = cli_trace;
	if (cli.kamailio_env)
		kamailio_env(&cr->job, &cr->ftag, &cr->ttag);
	return 0;
}

/*
 * "rtpp-offer 192.0.2.1": an address where the flags go would be read
 * as flag letters; say what went wrong instead.
 */
int
cli_flags_not_ip(const char *flags, const char *ip, int takes_ip)
{
	unsigned char a[16];

	if (flags == NULL || ip != NULL || (inet_pton(AF_INET, flags, a) != 1
	    && inet_pton(AF_INET6, flags, a) != 1))
		return 0;
	if (takes_ip)
		warnx("'%s' is an address, not a flags string: the flags come "
		    "first ('' for none): %s '' %s", flags, cli.prog, flags);
	else
		warnx("'%s' is an address, not a flags string; %s takes no "
		    "address", flags, cli.prog);
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
 * Read the input (--b64, else stdin; a terminal is not read when the
 * input is optional (1), nothing is read when there is none (2)) and
 * run the job.  Returns the exit status.
 */
int
cli_exec(struct cli_run *cr, int input_optional)
{
	struct rtpc_err e;
	int rc;

	if (cli.b64 != NULL) {
		cr->job.req.in_form = RTPC_FORM_BASE64;
		if (rtpc_buf_add(&cr->in, cli.b64, strlen(cli.b64)) == -1) {
			warnx("--b64: %s", rtpc_buf_why(&cr->in));
			return RTPC_EXIT_FAIL;
		}
	} else if (input_optional != 2 &&
	    !(input_optional && isatty(STDIN_FILENO))) {
		/* --passthrough echoes an input too large to handle, whole:
		 * read up to its own cap, refuse above RTPC_INPUT_MAX */
		rc = read_stdin(&cr->in, cli.passthrough ?
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
	disarm_deadline();
	if (rc == 0)
		return write_out(cr->job.res.out.data, cr->job.res.out.len) == -1 ?
		    RTPC_EXIT_FAIL : 0;
	/* all or nothing: a part of the input is never written */
	if (cli.passthrough && cr->in_whole)
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
	cli_free(&cli);
	return rc;
}

/*
 * The whole run of rtpp-offer, rtpp-answer and rtpp-destroy: arguments
 * "[flags [ip]]" (destroy: "[flags]"), stdin in, stdout out.
 */
int
cli_callpath(int argc, char **argv, enum rtpc_op op, const char *prog)
{
	const char *usage = op == RTPC_OP_DESTROY ? "[OPTION...] [FLAGS] "
	    "< MESSAGE" : "[OPTION...] [FLAGS [IP]] < MESSAGE";
	struct cli_run cr;
	int rc;

	if ((rc = cli_start(&cr, argc, argv, prog, op, NULL, usage)) != 0)
		return cli_end(&cr, rc);
	cr.job.req.flags = poptGetArg(cr.pc);
	if (op != RTPC_OP_DESTROY)
		cr.job.req.ip = poptGetArg(cr.pc);
	if ((rc = cli_no_more_args(&cr)) != 0 ||
	    (rc = cli_flags_not_ip(cr.job.req.flags, cr.job.req.ip,
	    op != RTPC_OP_DESTROY)) != 0)
		return cli_end(&cr, rc);
	rc = cli_exec(&cr, op == RTPC_OP_DESTROY);
	rc = cli_output(&cr, rc);
	if (cli.explain)
		cli_explain(&cr.job, rc);
	return cli_end(&cr, rc);
}
