/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtpp-ctl: look at and steer the relay nodes, like the module's RPC
 * rtpproxy.list and rtpproxy.enable, plus ping, raw and which.
 * See rtpp-ctl(1).
 */
#include <err.h>
#include <popt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rtpp.h"
#include "cli.h"
#include "ctl.h"


/* rtpp-ctl's own options. */
struct ctl_opts {
	int	 json;
	char	*node;		/* raw */
	char	*exec;		/* watch */
	char	*wait;		/* ping, as given */
	long	 wait_ms;	/* ping, parsed */
	int	 max_hooks;	/* watch */
	int	 max;		/* watch */
	int	 for_s;		/* watch */
};

/* Everything a subcommand needs: the nodes, their sets and health. */
struct ctl {
	const struct ctl_opts	*o;
	struct rtpc_relays	*r;
	const struct rtpc_pset	*ps;
	struct rtpc_state	*st;
};

/* Capability dates ping asks about, with what they mean. */
static const struct {
	const char *date;
	const char *name;
} extra_caps[] = {
	{ "20071218", "copy" }, { "20080403", "query" },
	{ "20081224", "notify" }, { "20090810", "bridge" },
	{ "20141004", "counters" },
};

static int
ctl_open(struct ctl *c, struct cli_run *cr, const struct ctl_opts *o)
{
	struct rtpc_settings *set = &cr->settings;
	struct rtpc_err e;

	memset(c, 0, sizeof(*c));
	c->o = o;
	rtpc_err_clear(&e);
	if ((c->r = rtpc_relays_open(set, cli_warn, NULL, &e)) == NULL) {
		warnx("%s", e.msg);
		return e.code;
	}
	if (cr->opts.trace)
		rtpc_relays_trace(c->r, cli_trace,
		    (void *)(uintptr_t)cr->prog);
	c->ps = rtpc_relays_sets(c->r);
	c->st = rtpc_relays_health(c->r);
	return 0;
}

static void
ctl_close(struct ctl *c)
{
	rtpc_relays_close(c->r);
}

/* "rep,ptl", "none" or "unknown"; "ng" for an ng node that answered
 * (ng has no capability dates). */
static void
caps_str(const struct rtpc_node *n, const struct rtpc_health_view *v,
    char *buf, size_t sz)
{
	if (!v->caps)
		strlcpy(buf, "unknown", sz);
	else if (n->proto == RTPC_PROTO_NG)
		strlcpy(buf, "ng", sz);
	else if (!v->rep && !v->ptl)
		strlcpy(buf, "base", sz);
	else
		snprintf(buf, sz, "base%s%s", v->rep ? ",repacketize" : "",
		    v->ptl ? ",codecs" : "");
}

/* The health of a configured node (its record exists from the open). */
static void
view_of(struct ctl *c, const char *url, struct rtpc_health_view *v)
{
	if (rtpc_health_view(c->st, url, v) == -1)
		err(1, NULL);
}

/* Text from the state or the configuration, with control bytes, the
 * backslash and non-ASCII bytes as \xNN (a terminal shows them as such). */
static char *
esc_text(const char *s)
{
	size_t len = strlen(s), sz = len * 4 + 4;
	char *e = malloc(sz);

	if (e == NULL)
		err(1, NULL);
	rtpc_escape(e, sz, s, len);
	return e;
}

static int
cmd_list(struct ctl *c)
{
	size_t i;
	char caps[64];
	int uw = 3, cw = 4;
	const char *file = rtpc_health_file(c->st);
	struct rtpc_health_view v;

	/* columns as wide as their longest value */
	for (i = 0; i < c->ps->nnodes; i++) {
		char *u = esc_text(c->ps->nodes[i].url);

		view_of(c, c->ps->nodes[i].url, &v);
		caps_str(&c->ps->nodes[i], &v, caps, sizeof(caps));
		if ((int)strlen(u) > uw)
			uw = (int)strlen(u);
		if ((int)strlen(caps) > cw)
			cw = (int)strlen(caps);
		free(u);
	}
	if (c->o->json)
		printf("[");
	else
		printf("%-5s %-*s %5s %8s %-8s %6s %10s %-*s %8s  %s\n",
		    "SETID", uw, "URL", "INDEX", "DISABLED", "STATE", "WEIGHT",
		    "RECHECK", cw, "CAPS", "RTT_US", "LAST_ERROR");
	for (i = 0; i < c->ps->nnodes; i++) {
		const struct rtpc_node *n = &c->ps->nodes[i];
		const char *word;
		char *u, *e;

		view_of(c, n->url, &v);
		caps_str(n, &v, caps, sizeof(caps));
		word = rtpc_health_str(v.state, RTPC_HEALTH_TEXT_STATE);
		if (c->o->json) {
			printf("%s{\"setid\":%d,\"url\":", i ? "," : "",
			    n->setid);
			cli_json_str(n->url);
			printf(",\"index\":%d,\"disabled\":%d,\"state\":",
			    n->index, v.disabled);
			cli_json_str(word);
			printf(",\"weight\":%u,\"recheck\":%lld,\"caps\":",
			    n->weight, v.recheck);
			cli_json_str(caps);
			printf(",\"rtt_us\":%ld,\"last_error\":", v.rtt_us);
			cli_json_str(v.lasterr);
			printf(",\"state_file\":");
			if (file != NULL)
				cli_json_str(file);
			else
				printf("null");
			printf("}");
			continue;
		}
		u = esc_text(n->url);
		e = esc_text(v.lasterr[0] ? v.lasterr : "-");
		printf("%-5d %-*s %5d %8d %-8s %6u %10lld %-*s %8ld  %s\n",
		    n->setid, uw, u, n->index, v.disabled, word, n->weight,
		    v.recheck, cw, caps, v.rtt_us, e);
		free(u);
		free(e);
	}
	if (c->o->json)
		printf("]\n");
	else if (file != NULL) {
		char *w = esc_text(file);

		printf("state file: %s%s\n", w, rtpc_health_shared(c->st) ?
		    " (shared with its group)" : "");
		free(w);
	} else
		printf("state file: none (this run's memory only)\n");
	return 0;
}

/* Is url one of the configuration's nodes?  Warns when not. */
static int
known_url(const struct ctl *c, const char *url)
{
	size_t i;

	for (i = 0; i < c->ps->nnodes; i++)
		if (strcmp(c->ps->nodes[i].url, url) == 0)
			return 1;
	warnx("%s: no such node in the configuration", url);
	return 0;
}

enum verdict { VERDICT_ENABLE, VERDICT_DISABLE, VERDICT_DRAIN };

/* Write the operator's verdict on url. */
static int
set_verdict(struct ctl *c, const char *url, enum verdict v)
{
	static const char *const state[] = { "enabled", "disabled",
	    "draining" };
	struct rtpc_err e;
	int rc;

	if (!known_url(c, url))
		return RTPC_EXIT_FAIL;
	rtpc_err_clear(&e);
	if (v == VERDICT_ENABLE)
		rc = rtpc_health_enable(c->st, url, &e);
	else if (v == VERDICT_DISABLE)
		rc = rtpc_health_disable(c->st, url, &e);
	else
		rc = rtpc_health_drain(c->st, url, &e);
	if (rc == -1) {
		warnx("%s", e.msg);
		return e.code == RTPC_EXIT_USAGE ? RTPC_EXIT_USAGE :
		    RTPC_EXIT_FAIL;
	}
	if (c->o->json) {
		printf("{\"url\":");
		cli_json_str(url);
		printf(",\"disabled\":%d,\"state\":\"%s\",\"recheck\":%d}\n",
		    v == VERDICT_DISABLE, state[v], v == VERDICT_DISABLE ?
		    -1 : 0);
	}
	return 0;
}

/* enable URL N: 0 disables, any N > 0 enables (as the module's RPC). */
static int
cmd_enable(struct ctl *c, const char *url, const char *how)
{
	const char *p = how;

	if (*p == '+')
		p++;
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p)) {
		warnx("enable: '%s' is not a number (0 disables, more enables)",
		    how);
		return RTPC_EXIT_USAGE;
	}
	return set_verdict(c, url, strspn(p, "0") == strlen(p) ?
	    VERDICT_DISABLE : VERDICT_ENABLE);
}

/* Ask one node for V, the capabilities and a few optional dates. */
static int
ping_node(struct ctl *c, const struct rtpc_node *n, int first)
{
	struct rtpc_health_view v;
	char r[RTPC_REPLY_MAX], caps[256];
	struct rtpc_err e;
	size_t i;
	long rtt;
	int ok;

	rtpc_err_clear(&e);
	ok = rtpc_relays_probe(c->r, n, &e) == 0;
	view_of(c, n->url, &v);
	caps[0] = '\0';
	if (ok) {
		caps_str(n, &v, caps, sizeof(caps));
		for (i = 0; n->proto != RTPC_PROTO_NG &&
		    i < sizeof(extra_caps) / sizeof(extra_caps[0]); i++) {
			char cmd[32];

			snprintf(cmd, sizeof(cmd), "VF %s", extra_caps[i].date);
			if (rtpc_relays_send(c->r, n, cmd, r, sizeof(r), &rtt,
			    &e) == 0 && strcmp(r, "1") == 0) {
				strlcat(caps, ",", sizeof(caps));
				strlcat(caps, extra_caps[i].name, sizeof(caps));
			}
		}
	}
	if (c->o->json) {
		printf("%s{\"url\":", first ? "" : ",");
		cli_json_str(n->url);
		printf(",\"ok\":%s,\"rtt_us\":%ld,\"caps\":", ok ? "true" :
		    "false", ok ? v.rtt_us : 0L);
		cli_json_str(caps);
		printf(",\"error\":");
		cli_json_str(ok ? "" : e.msg);
		printf("}");
	} else {
		char *u = esc_text(n->url), *m = esc_text(e.msg);

		if (ok)
			printf("%-32s ok %8ld us  %s\n", u, v.rtt_us, caps);
		else
			printf("%-32s FAILED  %s\n", u, m);
		free(u);
		free(m);
	}
	return ok;
}

/* Is node i one that "ping URL..." asks (each URL once)? */
static int
ping_wanted(const struct ctl *c, const char **urls, size_t i)
{
	const struct rtpc_node *n = &c->ps->nodes[i];
	int want = urls[0] == NULL;
	size_t k;

	for (k = 0; urls[k] != NULL; k++)
		want |= strcmp(n->url, urls[k]) == 0;
	/* a node listed in several sets is pinged once */
	for (k = 0; k < i; k++)
		if (strcmp(c->ps->nodes[k].url, n->url) == 0)
			want = 0;
	return want;
}

/*
 * --wait: probe the nodes asked, quietly, every 100 ms until one of
 * them answers or ms milliseconds have passed; then the usual report.
 */
static void
ping_wait(struct ctl *c, const char **urls, long ms)
{
	struct timespec nap = { 0, 100 * 1000 * 1000 };
	long long end = rtpc_mono_ms() + ms, left;
	struct rtpc_err e;
	size_t i;

	for (;;) {
		for (i = 0; i < c->ps->nnodes; i++) {
			if (!ping_wanted(c, urls, i) || rtpc_mono_ms() >= end)
				continue;
			/* a silent node costs no more than the time left */
			rtpc_relays_deadline(c->r, (long)(end -
			    rtpc_mono_ms()));
			rtpc_err_clear(&e);
			if (rtpc_relays_probe(c->r, &c->ps->nodes[i], &e) == 0)
				goto out;
		}
		if ((left = end - rtpc_mono_ms()) <= 0)
			break;
		if (left < 100)
			nap.tv_nsec = (long)left * 1000 * 1000;
		nanosleep(&nap, NULL);
	}
out:
	rtpc_relays_deadline(c->r, 0);
}

static int
cmd_ping(struct ctl *c, const char **urls)
{
	struct rtpc_err e;
	size_t i, k;
	int bad = 0, first = 1;

	for (k = 0; urls[k] != NULL; k++) {
		for (i = 0; i < c->ps->nnodes; i++)
			if (strcmp(c->ps->nodes[i].url, urls[k]) == 0)
				break;
		if (i == c->ps->nnodes) {
			warnx("%s: no such node in the configuration", urls[k]);
			return RTPC_EXIT_FAIL;
		}
	}
	if (c->o->wait_ms > 0)
		ping_wait(c, urls, c->o->wait_ms);
	if (c->o->json)
		printf("[");
	for (i = 0; i < c->ps->nnodes; i++) {
		if (!ping_wanted(c, urls, i))
			continue;
		bad += !ping_node(c, &c->ps->nodes[i], first);
		first = 0;
	}
	if (c->o->json)
		printf("]\n");
	rtpc_err_clear(&e);
	if (rtpc_relays_save(c->r, &e) == -1)
		warnx("health state not saved: %s", e.msg);
	return bad ? RTPC_EXIT_NORELAY : 0;
}

/* What raw prints: the reply (escaped), or in JSON with its node,
 * command and round trip. */
static void
raw_report(const struct ctl *c, const struct rtpc_node *n, const char *cmd,
    const char *reply, size_t len, long rtt)
{
	if (c->o->json) {
		printf("{\"url\":");
		cli_json_str(n->url);
		printf(",\"command\":");
		cli_json_str(cmd);
		printf(",\"reply\":");
		cli_json_str(reply);
		printf(",\"rtt_us\":%ld}\n", rtt);
	} else {
		cli_put_text(stdout, reply, len, 0);
		putchar('\n');
	}
}

/* raw to an ng node: COMMAND is the bencoded dictionary, and so is
 * the reply shown. */
static int
raw_ng(struct ctl *c, const struct rtpc_node *n, const char *cmd)
{
	struct rtpc_buf r;
	struct rtpc_err e;
	long rtt;

	rtpc_buf_init(&r, 0);
	rtpc_err_clear(&e);
	if (rtpc_relays_send_ng(c->r, n, cmd, strlen(cmd), &r, &rtt,
	    &e) == -1) {
		rtpc_buf_free(&r);
		warnx("%s", e.msg);
		return e.code;
	}
	raw_report(c, n, cmd, r.data, r.len, rtt);
	rtpc_buf_free(&r);
	return 0;
}

static int
cmd_raw(struct ctl *c, const char *cmd, int setid)
{
	const struct rtpc_node *nodes[RTPC_SET_NODES_MAX], *n = NULL;
	char r[RTPC_REPLY_MAX];
	struct rtpc_err e;
	size_t i, nn;
	long rtt;

	if (strcmp(cmd, "VF") == 0 || (strncmp(cmd, "VF ", 3) == 0 &&
	    strspn(cmd + 3, " ") == strlen(cmd + 3))) {
		warnx("raw: 'VF' needs a date (a bare VF crashes rtpengine 10.5)");
		return RTPC_EXIT_USAGE;
	}
	if (c->o->node != NULL) {
		for (i = 0; i < c->ps->nnodes && n == NULL; i++)
			if (strcmp(c->ps->nodes[i].url, c->o->node) == 0)
				n = &c->ps->nodes[i];
		if (n == NULL) {
			warnx("%s: no such node in the configuration", c->o->node);
			return RTPC_EXIT_FAIL;
		}
	} else {
		nn = rtpc_pset_select(c->ps, setid, nodes,
		    RTPC_SET_NODES_MAX);
		if (nn == 0) {
			warnx("no proxy set %d in the configuration", setid);
			return RTPC_EXIT_USAGE;
		}
		n = nodes[0];
	}
	rtpc_err_clear(&e);
	if (n->proto == RTPC_PROTO_NG)
		return raw_ng(c, n, cmd);
	if (rtpc_relays_send(c->r, n, cmd, r, sizeof(r), &rtt, &e) == -1) {
		warnx("%s", e.msg);
		return e.code;
	}
	raw_report(c, n, cmd, r, strlen(r), rtt);
	return 0;
}

/* The report for one call: where a new call goes, and the order. */
static int
which_one(const char *callid, int setid, const struct rtpc_order_entry *o,
    size_t n, int json)
{
	const char *chosen = NULL;
	size_t i;

	/* a node due for a re-test counts */
	for (i = 0; i < n && chosen == NULL; i++)
		if (rtpc_health_usable(o[i].reason))
			chosen = o[i].node->url;
	if (json) {
		printf("{\"call_id\":");
		cli_json_str(callid);
		printf(",\"set\":%d,\"node\":", setid);
		if (chosen != NULL)
			cli_json_str(chosen);
		else
			printf("null");
		printf(",\"order\":[");
	} else
		printf("call %s, set %d: %s\n", callid, setid, chosen ? chosen :
		    "no node available");
	for (i = 0; i < n; i++) {
		const struct rtpc_node *nd = o[i].node;
		const char *why = rtpc_health_str(o[i].reason,
		    RTPC_HEALTH_TEXT_WHICH);

		if (rtpc_health_usable(o[i].reason) && nd->weight == 0)
			why = "standby";
		if (json) {
			printf("%s{\"url\":", i ? "," : "");
			cli_json_str(nd->url);
			printf(",\"weight\":%u,\"score\":%.6f,\"state\":",
			    nd->weight, o[i].score);
			cli_json_str(why);
			printf("}");
		} else
			printf("  %zu. %-32s weight %-4u score %12.6f  %s\n",
			    i + 1, nd->url, nd->weight, o[i].score, why);
	}
	if (json)
		printf("]}\n");
	return chosen ? 0 : RTPC_EXIT_NORELAY;
}

/* One report per Call-ID; exit 3 when any of them has no node. */
static int
cmd_which(struct ctl *c, const char **callids, int setid)
{
	struct rtpc_order_entry o[RTPC_SET_NODES_MAX];
	size_t n;
	int rc = 0;

	for (; *callids != NULL; callids++) {
		n = rtpc_health_order(c->st, c->ps, setid, *callids, 1, o);
		if (n == 0) {
			warnx("no proxy set %d in the configuration", setid);
			return RTPC_EXIT_USAGE;
		}
		if (which_one(*callids, setid, o, n, c->o->json) != 0)
			rc = RTPC_EXIT_NORELAY;
	}
	return rc;
}

static int
finish(int rc)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warn("stdout");
		return RTPC_EXIT_FAIL;
	}
	return rc;
}

static int
usage_error(const char *msg)
{
	warnx("%s (try --help)", msg);
	return RTPC_EXIT_USAGE;
}

/* R for the call of the message on stdin (or the call options). */
static int
cmd_record(struct cli_run *cr)
{
	int rc;

	cr->job.req.op = RTPC_OP_RECORD;
	rc = cli_exec(cr, CLI_INPUT_NOT_TTY);
	if (rc == 0 && cr->job.req.dry_run)
		return cli_output(cr, rc);
	return rc;
}

static int
cmd_watch(const struct ctl_opts *o, const struct rtpc_settings *set)
{
	struct ctl_watch w;

	memset(&w, 0, sizeof(w));
	w.socket = set->timeout_socket;
	w.json = o->json;
	w.exec = o->exec;
	w.max_hooks = o->max_hooks;
	w.max = o->max;
	w.for_s = o->for_s;
	return ctl_watch(&w);
}

static const struct {
	const char	*name;
	int		 min, max;	/* arguments after the name */
	const char	*usage;
} subs[] = {
	{ "list", 0, 0, "list" },
	{ "enable", 2, 2, "enable URL 0|1" },
	{ "drain", 1, 1, "drain URL" },
	{ "ping", 0, 64, "ping [URL...]" },
	{ "raw", 1, 1, "raw 'COMMAND'" },
	{ "which", 1, 64, "which CALL-ID..." },
	{ "record", 0, 0, "record [< MESSAGE]" },
	{ "watch", 0, 0, "watch" },
};

int
main(int argc, char **argv)
{
	struct cli_run cr;
	struct ctl_opts o = { .max_hooks = CTL_MAX_HOOKS };
	const struct poptOption own[] = {
		{ "json", '\0', POPT_ARG_NONE, &o.json, 0,
		    "print JSON instead of text (watch: one object per line)",
		    NULL },
		{ "node", '\0', POPT_ARG_STRING, &o.node, 0,
		    "raw: send to this node (default: the set's first)", "URL" },
		{ "exec", '\0', POPT_ARG_STRING, &o.exec, 0,
		    "watch: run CMD for each timed-out call (no shell; data in "
		    "RTPP_CALL_ID, RTPP_FROM_TAG, RTPP_NOTIFY_TAG)", "CMD" },
		{ "wait", '\0', POPT_ARG_STRING, &o.wait, 0,
		    "ping: retry for up to SECONDS until a node answers, then "
		    "report", "SECONDS" },
		{ "max-hooks", '\0', POPT_ARG_INT, &o.max_hooks, 0,
		    "watch: run at most N --exec hooks at once; notifications "
		    "beyond get none, counted and reported (default 16)", "N" },
		{ "max", '\0', POPT_ARG_INT, &o.max, 0,
		    "watch: stop after N notifications", "N" },
		{ "for", '\0', POPT_ARG_INT, &o.for_s, 0,
		    "watch: stop after SECONDS", "SECONDS" },
		POPT_TABLEEND
	};
	const struct poptOption table[] = {
		CLI_INCLUDE(own, "Options:"),
		CLI_INCLUDE(cr.tables.input, CLI_HEAD_INPUT),
		CLI_INCLUDE(cr.tables.kind, CLI_HEAD_KIND),
		CLI_INCLUDE(cr.tables.call, CLI_HEAD_CALL),
		CLI_INCLUDE(cr.tables.notify, CLI_HEAD_NOTIFY),
		CLI_INCLUDE(cr.tables.relay, CLI_HEAD_RELAY),
		CLI_INCLUDE(cr.tables.help, CLI_HEAD_HELP),
		POPT_TABLEEND
	};
	const char *args[66];
	struct ctl c;
	size_t k;
	int n = 0, rc;

	cli_init(&cr, "rtpp-ctl", RTPC_OP_RECORD);
	rc = cli_start(&cr, argc, argv, table,
	    "[OPTION...] list | enable URL 0|1 | drain URL | ping [URL...] | raw COMMAND "
	    "| which CALL-ID... | record | watch");
	if (rc != 0) {
		free(o.node);
		free(o.exec);
		free(o.wait);
		return cli_end(&cr, rc);
	}
	while (n < 65 && (args[n] = poptGetArg(cr.pc)) != NULL)
		n++;
	args[n] = NULL;
	for (k = 0; k < sizeof(subs) / sizeof(subs[0]); k++)
		if (args[0] != NULL && strcmp(args[0], subs[k].name) == 0)
			break;
	if (args[0] == NULL)
		rc = usage_error("a subcommand is needed");
	else if (poptPeekArg(cr.pc) != NULL)
		rc = usage_error("too many arguments");
	else if (k == sizeof(subs) / sizeof(subs[0])) {
		warnx("unknown subcommand '%s' (try --help)", args[0]);
		rc = RTPC_EXIT_USAGE;
	} else if (n - 1 < subs[k].min || n - 1 > subs[k].max) {
		warnx("usage: %s (try --help)", subs[k].usage);
		rc = RTPC_EXIT_USAGE;
	} else if (o.max < 0 || o.for_s < 0)
		rc = usage_error("--max and --for take positive numbers");
	else if (o.max_hooks < 1 || o.max_hooks > 10000)
		rc = usage_error("--max-hooks takes a number from 1 to 10000");
	else if (o.wait != NULL && rtpc_parse_seconds(o.wait, 1,
	    3600 * 1000, &o.wait_ms) == -1)
		rc = usage_error("--wait takes seconds from 0.001 to 3600");
	else if (strcmp(args[0], "record") == 0)
		rc = cmd_record(&cr);
	else if (strcmp(args[0], "watch") == 0)
		rc = finish(cmd_watch(&o, &cr.settings));
	else if ((rc = ctl_open(&c, &cr, &o)) == 0) {
		if (strcmp(args[0], "list") == 0)
			rc = cmd_list(&c);
		else if (strcmp(args[0], "enable") == 0)
			rc = cmd_enable(&c, args[1], args[2]);
		else if (strcmp(args[0], "drain") == 0)
			rc = set_verdict(&c, args[1], VERDICT_DRAIN);
		else if (strcmp(args[0], "ping") == 0)
			rc = cmd_ping(&c, args + 1);
		else if (strcmp(args[0], "raw") == 0)
			rc = cmd_raw(&c, args[1], cr.settings.set);
		else
			rc = cmd_which(&c, args + 1, cr.settings.set);
		rc = finish(rc);
		ctl_close(&c);
	}
	free(o.node);
	free(o.exec);
	free(o.wait);
	return cli_end(&cr, rc);
}
