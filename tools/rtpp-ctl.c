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

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "config.h"
#include "select.h"
#include "health.h"
#include "talk.h"
#include "transport.h"
#include "cli.h"
#include "ctl.h"

#define NODES_MAX	64
#define VERDICT_LOCK_MS	1000	/* longest wait of enable and drain */

static int json, max_n, for_s, max_hooks = CTL_MAX_HOOKS;
static char *node_url, *exec_cmd, *wait_arg;
static long wait_ms;

/* Everything a subcommand needs: sets, state and a talker. */
struct ctl {
	struct rtpc_pset	 ps;
	struct rtpc_state	 st;
	struct rtpc_talk	 talk;
	int			 state_ok;
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
ctl_open(struct ctl *c, struct rtpc_settings *set)
{
	struct rtpc_err e;

	memset(c, 0, sizeof(*c));
	rtpc_err_clear(&e);
	if (rtpc_pset_build(&c->ps, set, &e) == -1) {
		warnx("%s", e.msg);
		return RTPC_EXIT_USAGE;
	}
	if (rtpc_state_open(&c->st, set->state_dir, &c->ps, &e) == -1)
		warnx("health state: %s", e.msg);
	else
		c->state_ok = 1;
	rtpc_talk_init(&c->talk, set, &c->ps, &c->st);
	c->talk.warn = cli_warn;
	if (cli.trace)
		c->talk.tx.trace = cli_trace;
	return 0;
}

static void
ctl_close(struct ctl *c)
{
	rtpc_talk_free(&c->talk);
	rtpc_state_free(&c->st);
	rtpc_pset_free(&c->ps);
}

/* "rep,ptl", "none" or "unknown". */
static void
caps_str(const struct rtpc_nstate *ns, char *buf, size_t sz)
{
	if (!ns->caps)
		strlcpy(buf, "unknown", sz);
	else if (!ns->rep && !ns->ptl)
		strlcpy(buf, "base", sz);
	else
		snprintf(buf, sz, "base%s%s", ns->rep ? ",repacketize" : "",
		    ns->ptl ? ",codecs" : "");
}

/* The module's "recheck": 0, the time it ends, or -1 for ever. */
static long long
recheck(const struct rtpc_nstate *ns)
{
	if (ns->admin == RTPC_ADMIN_DISABLED)
		return -1;
	if (ns->down)
		return ns->until;
	return 0;
}

/* Takes no call at all (a draining node still serves its calls). */
static int
is_disabled(const struct rtpc_nstate *ns)
{
	enum rtpc_avail a = rtpc_state_avail(ns, 0, rtpc_now());

	return a == RTPC_AVAIL_DISABLED || a == RTPC_AVAIL_DOWN;
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

/* The state file in use, "(none)" when the state is memory only. */
static const char *
state_where(const struct ctl *c)
{
	return c->st.path != NULL ? c->st.path : NULL;
}

static int
cmd_list(struct ctl *c)
{
	size_t i;
	char caps[64];
	int uw = 3, cw = 4;
	long long now = rtpc_now();

	/* columns as wide as their longest value */
	for (i = 0; i < c->ps.nnodes; i++) {
		struct rtpc_nstate *ns = rtpc_state_node(&c->st,
		    c->ps.nodes[i].url);
		char *u = esc_text(c->ps.nodes[i].url);

		if (ns == NULL)
			err(1, NULL);
		caps_str(ns, caps, sizeof(caps));
		if ((int)strlen(u) > uw)
			uw = (int)strlen(u);
		if ((int)strlen(caps) > cw)
			cw = (int)strlen(caps);
		free(u);
	}
	if (json)
		printf("[");
	else
		printf("%-5s %-*s %5s %8s %-8s %6s %10s %-*s %8s  %s\n",
		    "SETID", uw, "URL", "INDEX", "DISABLED", "STATE", "WEIGHT",
		    "RECHECK", cw, "CAPS", "RTT_US", "LAST_ERROR");
	for (i = 0; i < c->ps.nnodes; i++) {
		const struct rtpc_node *n = &c->ps.nodes[i];
		struct rtpc_nstate *ns = rtpc_state_node(&c->st, n->url);
		char *u, *e;

		if (ns == NULL)
			err(1, NULL);
		caps_str(ns, caps, sizeof(caps));
		if (json) {
			printf("%s{\"setid\":%d,\"url\":", i ? "," : "",
			    n->setid);
			cli_json_str(n->url);
			printf(",\"index\":%d,\"disabled\":%d,\"state\":",
			    n->index, is_disabled(ns));
			cli_json_str(rtpc_state_word(ns, now));
			printf(",\"weight\":%u,\"recheck\":%lld,\"caps\":",
			    n->weight, recheck(ns));
			cli_json_str(caps);
			printf(",\"rtt_us\":%ld,\"last_error\":", ns->rtt_us);
			cli_json_str(ns->lasterr);
			printf(",\"state_file\":");
			if (state_where(c) != NULL)
				cli_json_str(state_where(c));
			else
				printf("null");
			printf("}");
			continue;
		}
		u = esc_text(n->url);
		e = esc_text(ns->lasterr[0] ? ns->lasterr : "-");
		printf("%-5d %-*s %5d %8d %-8s %6u %10lld %-*s %8ld  %s\n",
		    n->setid, uw, u, n->index, is_disabled(ns),
		    rtpc_state_word(ns, now), n->weight, recheck(ns), cw, caps,
		    ns->rtt_us, e);
		free(u);
		free(e);
	}
	if (json)
		printf("]\n");
	else if (state_where(c) != NULL) {
		char *w = esc_text(state_where(c));

		printf("state file: %s%s\n", w, c->st.shared ?
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

	for (i = 0; i < c->ps.nnodes; i++)
		if (strcmp(c->ps.nodes[i].url, url) == 0)
			return 1;
	warnx("%s: no such node in the configuration", url);
	return 0;
}

/* Write the operator's verdict on url. */
static int
set_verdict(struct ctl *c, const char *url, int admin)
{
	struct rtpc_err e;

	if (!known_url(c, url))
		return RTPC_EXIT_FAIL;
	if (c->st.path == NULL && c->st.dir == NULL) {
		warnx("%s needs a state directory (--state-dir)",
		    admin == RTPC_ADMIN_DRAINING ? "drain" : "enable");
		return RTPC_EXIT_USAGE;
	}
	if (c->st.path == NULL) {
		/* the state could not be used: the open said why */
		warnx("%s: not changed: the state in %s cannot be used", url,
		    c->st.dir);
		return RTPC_EXIT_FAIL;
	}
	/* an operator may wait longer than a run for the lock */
	c->st.lock_ms = VERDICT_LOCK_MS;
	rtpc_err_clear(&e);
	if (rtpc_state_verdict(&c->st, url, admin, &e) == -1) {
		warnx("%s", e.msg);
		return RTPC_EXIT_FAIL;
	}
	if (json) {
		printf("{\"url\":");
		cli_json_str(url);
		printf(",\"disabled\":%d,\"state\":\"%s\",\"recheck\":%d}\n",
		    admin == RTPC_ADMIN_DISABLED, admin == RTPC_ADMIN_DISABLED ?
		    "disabled" : admin == RTPC_ADMIN_DRAINING ? "draining" :
		    "enabled", admin == RTPC_ADMIN_DISABLED ? -1 : 0);
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
	    RTPC_ADMIN_DISABLED : RTPC_ADMIN_NONE);
}

/* Ask one node for V, the capabilities and a few optional dates. */
static int
ping_node(struct ctl *c, const struct rtpc_node *n, int first)
{
	struct rtpc_nstate *ns = rtpc_state_node(&c->st, n->url);
	char r[RTPC_REPLY_MAX], caps[256];
	struct rtpc_err e;
	size_t i;
	long rtt;
	int ok;

	if (ns == NULL)
		err(1, NULL);
	rtpc_err_clear(&e);
	ok = rtpc_talk_probe(&c->talk, n, &e) == 0;
	caps[0] = '\0';
	if (ok) {
		caps_str(ns, caps, sizeof(caps));
		for (i = 0; i < sizeof(extra_caps) / sizeof(extra_caps[0]); i++) {
			char cmd[32];

			snprintf(cmd, sizeof(cmd), "VF %s", extra_caps[i].date);
			if (rtpc_tx_send(&c->talk.tx, n, cmd, r, sizeof(r), &rtt,
			    &e) == 0 && strcmp(r, "1") == 0) {
				strlcat(caps, ",", sizeof(caps));
				strlcat(caps, extra_caps[i].name, sizeof(caps));
			}
		}
	}
	if (json) {
		printf("%s{\"url\":", first ? "" : ",");
		cli_json_str(n->url);
		printf(",\"ok\":%s,\"rtt_us\":%ld,\"caps\":", ok ? "true" :
		    "false", ok ? ns->rtt_us : 0L);
		cli_json_str(caps);
		printf(",\"error\":");
		cli_json_str(ok ? "" : e.msg);
		printf("}");
	} else {
		char *u = esc_text(n->url), *m = esc_text(e.msg);

		if (ok)
			printf("%-32s ok %8ld us  %s\n", u, ns->rtt_us, caps);
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
	const struct rtpc_node *n = &c->ps.nodes[i];
	int want = urls[0] == NULL;
	size_t k;

	for (k = 0; urls[k] != NULL; k++)
		want |= strcmp(n->url, urls[k]) == 0;
	/* a node listed in several sets is pinged once */
	for (k = 0; k < i; k++)
		if (strcmp(c->ps.nodes[k].url, n->url) == 0)
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
		for (i = 0; i < c->ps.nnodes; i++) {
			if (!ping_wanted(c, urls, i) || rtpc_mono_ms() >= end)
				continue;
			/* a silent node costs no more than the time left */
			rtpc_tx_set_deadline(&c->talk.tx, (long)(end -
			    rtpc_mono_ms()));
			rtpc_err_clear(&e);
			if (rtpc_talk_probe(&c->talk, &c->ps.nodes[i], &e) == 0)
				goto out;
		}
		if ((left = end - rtpc_mono_ms()) <= 0)
			break;
		if (left < 100)
			nap.tv_nsec = (long)left * 1000 * 1000;
		nanosleep(&nap, NULL);
	}
out:
	rtpc_tx_set_deadline(&c->talk.tx, 0);
}

static int
cmd_ping(struct ctl *c, const char **urls)
{
	struct rtpc_err e;
	size_t i, k;
	int bad = 0, first = 1;

	for (k = 0; urls[k] != NULL; k++) {
		for (i = 0; i < c->ps.nnodes; i++)
			if (strcmp(c->ps.nodes[i].url, urls[k]) == 0)
				break;
		if (i == c->ps.nnodes) {
			warnx("%s: no such node in the configuration", urls[k]);
			return RTPC_EXIT_FAIL;
		}
	}
	if (wait_ms > 0)
		ping_wait(c, urls, wait_ms);
	if (json)
		printf("[");
	for (i = 0; i < c->ps.nnodes; i++) {
		if (!ping_wanted(c, urls, i))
			continue;
		bad += !ping_node(c, &c->ps.nodes[i], first);
		first = 0;
	}
	if (json)
		printf("]\n");
	rtpc_err_clear(&e);
	if (rtpc_state_commit(&c->st, &e) == -1)
		warnx("health state not saved: %s", e.msg);
	return bad ? RTPC_EXIT_NORELAY : 0;
}

static int
cmd_raw(struct ctl *c, const char *cmd, int setid)
{
	const struct rtpc_node *nodes[NODES_MAX], *n = NULL;
	char r[RTPC_REPLY_MAX];
	struct rtpc_err e;
	size_t i, nn;
	long rtt;

	if (strcmp(cmd, "VF") == 0 || (strncmp(cmd, "VF ", 3) == 0 &&
	    strspn(cmd + 3, " ") == strlen(cmd + 3))) {
		warnx("raw: 'VF' needs a date (a bare VF crashes rtpengine 10.5)");
		return RTPC_EXIT_USAGE;
	}
	if (node_url != NULL) {
		for (i = 0; i < c->ps.nnodes && n == NULL; i++)
			if (strcmp(c->ps.nodes[i].url, node_url) == 0)
				n = &c->ps.nodes[i];
		if (n == NULL) {
			warnx("%s: no such node in the configuration", node_url);
			return RTPC_EXIT_FAIL;
		}
	} else {
		nn = rtpc_pset_select(&c->ps, setid, nodes, NODES_MAX);
		if (nn == 0) {
			warnx("no proxy set %d in the configuration", setid);
			return RTPC_EXIT_USAGE;
		}
		n = nodes[0];
	}
	rtpc_err_clear(&e);
	if (rtpc_tx_send(&c->talk.tx, n, cmd, r, sizeof(r), &rtt, &e) == -1) {
		warnx("%s", e.msg);
		return e.code;
	}
	if (json) {
		printf("{\"url\":");
		cli_json_str(n->url);
		printf(",\"command\":");
		cli_json_str(cmd);
		printf(",\"reply\":");
		cli_json_str(r);
		printf(",\"rtt_us\":%ld}\n", rtt);
	} else {
		cli_put_text(stdout, r, strlen(r), 0);
		putchar('\n');
	}
	return 0;
}

/* The report for one call; set[] (n nodes) is the set in its own order. */
static int
which_one(struct ctl *c, const char *callid, int setid,
    const struct rtpc_node *const *set, size_t n)
{
	const struct rtpc_node *nodes[NODES_MAX];
	const char *chosen = NULL;
	long long now = rtpc_now();
	size_t i;

	memcpy(nodes, set, n * sizeof(nodes[0]));
	rtpc_select_order(callid, nodes, n);
	/* where a new call goes (a node due for a re-test counts) */
	for (i = 0; i < n && chosen == NULL; i++) {
		struct rtpc_nstate *ns = rtpc_state_node(&c->st, nodes[i]->url);
		enum rtpc_avail a;

		if (ns == NULL)
			err(1, NULL);
		a = rtpc_state_avail(ns, 1, now);
		if (a == RTPC_AVAIL_YES || a == RTPC_AVAIL_DUE)
			chosen = nodes[i]->url;
	}
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
		struct rtpc_nstate *ns = rtpc_state_node(&c->st, nodes[i]->url);
		double sc = rtpc_select_score(callid, nodes[i]);
		enum rtpc_avail a = rtpc_state_avail(ns, 1, now);
		const char *why = a == RTPC_AVAIL_DUE ?
		    rtpc_avail_str(RTPC_AVAIL_YES) : rtpc_avail_str(a);

		if ((a == RTPC_AVAIL_YES || a == RTPC_AVAIL_DUE) &&
		    nodes[i]->weight == 0)
			why = "standby";

		if (json) {
			printf("%s{\"url\":", i ? "," : "");
			cli_json_str(nodes[i]->url);
			printf(",\"weight\":%u,\"score\":%.6f,\"state\":",
			    nodes[i]->weight, sc);
			cli_json_str(why);
			printf("}");
		} else
			printf("  %zu. %-32s weight %-4u score %12.6f  %s\n",
			    i + 1, nodes[i]->url, nodes[i]->weight, sc, why);
	}
	if (json)
		printf("]}\n");
	return chosen ? 0 : RTPC_EXIT_NORELAY;
}

/* One report per Call-ID; exit 3 when any of them has no node. */
static int
cmd_which(struct ctl *c, const char **callids, int setid)
{
	const struct rtpc_node *set[NODES_MAX];
	size_t n;
	int rc = 0;

	n = rtpc_pset_select(&c->ps, setid, set, NODES_MAX);
	if (n == 0) {
		warnx("no proxy set %d in the configuration", setid);
		return RTPC_EXIT_USAGE;
	}
	for (; *callids != NULL; callids++)
		if (which_one(c, *callids, setid, set, n) != 0)
			rc = RTPC_EXIT_NORELAY;
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

	cr->job.op = RTPC_OP_RECORD;
	rc = cli_exec(cr, 1);
	if (rc == 0 && cr->job.dry_run)
		return cli_output(cr, rc);
	return rc;
}

static int
cmd_watch(void)
{
	struct ctl_watch w;

	memset(&w, 0, sizeof(w));
	w.socket = cli.set_.timeout_socket;
	w.json = json;
	w.exec = exec_cmd;
	w.max_hooks = max_hooks;
	w.max = max_n;
	w.for_s = for_s;
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
	struct poptOption own[] = {
		{ "json", '\0', POPT_ARG_NONE, &json, 0,
		    "print JSON instead of text (watch: one object per line)",
		    NULL },
		{ "node", '\0', POPT_ARG_STRING, &node_url, 0,
		    "raw: send to this node (default: the set's first)", "URL" },
		{ "exec", '\0', POPT_ARG_STRING, &exec_cmd, 0,
		    "watch: run CMD for each timed-out call (no shell; data in "
		    "RTPP_CALL_ID, RTPP_FROM_TAG, RTPP_NOTIFY_TAG)", "CMD" },
		{ "wait", '\0', POPT_ARG_STRING, &wait_arg, 0,
		    "ping: retry for up to SECONDS until a node answers, then "
		    "report", "SECONDS" },
		{ "max-hooks", '\0', POPT_ARG_INT, &max_hooks, 0,
		    "watch: run at most N --exec hooks at once; notifications "
		    "beyond get none, counted and reported (default 16)", "N" },
		{ "max", '\0', POPT_ARG_INT, &max_n, 0,
		    "watch: stop after N notifications", "N" },
		{ "for", '\0', POPT_ARG_INT, &for_s, 0,
		    "watch: stop after SECONDS", "SECONDS" },
		POPT_TABLEEND
	};
	const char *args[66];
	struct cli_run cr;
	struct ctl c;
	size_t k;
	int n = 0, rc;

	rc = cli_start(&cr, argc, argv, "rtpp-ctl", RTPC_OP_RECORD, own,
	    "[OPTION...] list | enable URL 0|1 | drain URL | ping [URL...] | raw COMMAND "
	    "| which CALL-ID... | record | watch");
	if (rc != 0) {
		free(node_url);
		free(exec_cmd);
		free(wait_arg);
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
	} else if (max_n < 0 || for_s < 0)
		rc = usage_error("--max and --for take positive numbers");
	else if (max_hooks < 1 || max_hooks > 10000)
		rc = usage_error("--max-hooks takes a number from 1 to 10000");
	else if (wait_arg != NULL && rtpc_parse_seconds(wait_arg, 1,
	    3600 * 1000, &wait_ms) == -1)
		rc = usage_error("--wait takes seconds from 0.001 to 3600");
	else if (strcmp(args[0], "record") == 0)
		rc = cmd_record(&cr);
	else if (strcmp(args[0], "watch") == 0)
		rc = finish(cmd_watch());
	else if ((rc = ctl_open(&c, &cli.set_)) == 0) {
		if (strcmp(args[0], "list") == 0)
			rc = cmd_list(&c);
		else if (strcmp(args[0], "enable") == 0)
			rc = cmd_enable(&c, args[1], args[2]);
		else if (strcmp(args[0], "drain") == 0)
			rc = set_verdict(&c, args[1], RTPC_ADMIN_DRAINING);
		else if (strcmp(args[0], "ping") == 0)
			rc = cmd_ping(&c, args + 1);
		else if (strcmp(args[0], "raw") == 0)
			rc = cmd_raw(&c, args[1], cli.set_.set);
		else
			rc = cmd_which(&c, args + 1, cli.set_.set);
		rc = finish(rc);
		ctl_close(&c);
	}
	free(node_url);
	free(exec_cmd);
	free(wait_arg);
	return cli_end(&cr, rc);
}
