/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-health: the shared health state as two runs and an operator use
 * it at once (several handles on one directory in one process): merged
 * field by field, the operator's verdict never lost, one re-test claim,
 * records of other configurations kept, long URLs, the bounded lock,
 * the trust checks.
 */
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "errors.h"
#include "config.h"
#include "healthfile.h"
#include "tap.h"

static char dir[256];

/*
 * fstat is wrapped (-Wl,--wrap=fstat): while replace_before_fstat is
 * above zero, each fstat of a linked regular file first puts a copy of
 * DIR/health in its place by rename, as a concurrent run's write does between a reader's open
 * and its fstat.
 */
static int replace_before_fstat;
int __real_fstat(int, struct stat *);
int __wrap_fstat(int, struct stat *);

static void
replace_health(void)
{
	char from[300], tmp[310], cmd[700];

	snprintf(from, sizeof(from), "%s/health", dir);
	snprintf(tmp, sizeof(tmp), "%s/health.copy", dir);
	snprintf(cmd, sizeof(cmd), "cp -p '%s' '%s'", from, tmp);
	if (system(cmd) != 0 || rename(tmp, from) == -1)
		fprintf(stderr, "replace_health failed\n");
}

int
__wrap_fstat(int fd, struct stat *sb)
{
	if (replace_before_fstat > 0 && __real_fstat(fd, sb) == 0 &&
	    S_ISREG(sb->st_mode) && sb->st_nlink == 1) {
		replace_before_fstat--;
		replace_health();
	}
	return __real_fstat(fd, sb);
}

static void
pset(struct rtpc_pset *ps, const char *v)
{
	struct rtpc_err e;

	memset(ps, 0, sizeof(*ps));
	if (rtpc_pset_parse(ps, v, NULL, &e) == -1) {
		fprintf(stderr, "pset: %s\n", e.msg);
		exit(1);
	}
}

static int
sopen(struct rtpc_state *st, const struct rtpc_pset *ps)
{
	struct rtpc_err e;

	rtpc_err_clear(&e);
	return rtpc_state_open(st, dir, ps, &e);
}

static int
commit(struct rtpc_state *st)
{
	struct rtpc_err e;

	rtpc_err_clear(&e);
	return rtpc_state_commit(st, &e);
}

static void
verdict(const struct rtpc_pset *ps, const char *url, int admin)
{
	struct rtpc_state op;
	struct rtpc_err e;

	sopen(&op, ps);
	rtpc_err_clear(&e);
	if ((admin == RTPC_ADMIN_NONE ? rtpc_health_enable(&op, url, &e) :
	    admin == RTPC_ADMIN_DISABLED ? rtpc_health_disable(&op, url, &e) :
	    rtpc_health_drain(&op, url, &e)) == -1)
		fprintf(stderr, "verdict: %s\n", e.msg);
	rtpc_state_free(&op);
}

/* The record of url as a fresh run reads it. */
static struct rtpc_nstate
fresh(const struct rtpc_pset *ps, const char *url)
{
	struct rtpc_state st;
	struct rtpc_nstate n;

	sopen(&st, ps);
	n = *rtpc_state_node(&st, url);
	n.url = NULL;
	rtpc_state_free(&st);
	return n;
}

static void
test_operator_wins(void)
{
	struct rtpc_pset ps;
	struct rtpc_state run;
	struct rtpc_nstate *n, f;
	const char *a = "udp:127.0.0.1:1001";

	pset(&ps, "udp:127.0.0.1:1001 udp:127.0.0.1:1002");
	/* a run reads, then the operator disables, then the run, which saw
	 * the node fail and then come back, writes */
	sopen(&run, &ps);
	verdict(&ps, a, RTPC_ADMIN_DISABLED);
	n = rtpc_state_node(&run, a);
	n->down = 0;
	n->caps = 1;
	n->dirty |= RTPC_NS_HEALTH | RTPC_NS_CAPS;
	is_int(commit(&run), 0, "the run's write succeeds");
	f = fresh(&ps, a);
	is_int(f.admin, RTPC_ADMIN_DISABLED, "the operator's disable stands");
	is_int(f.caps, 1, "what the run learnt about capabilities is kept");
	rtpc_state_free(&run);

	/* a run saw a failure before the operator enabled the node: the
	 * observation is older than the verdict and dropped */
	sopen(&run, &ps);
	verdict(&ps, a, RTPC_ADMIN_NONE);
	n = rtpc_state_node(&run, a);
	n->down = 1;
	n->until = rtpc_now() + 60;
	n->dirty |= RTPC_NS_HEALTH;
	commit(&run);
	f = fresh(&ps, a);
	is_int(f.admin, RTPC_ADMIN_NONE, "enabled by the operator");
	is_int(f.down, 0, "a failure seen before the enable does not undo it");
	rtpc_state_free(&run);

	/* a failure seen after the enable is recorded */
	sopen(&run, &ps);
	n = rtpc_state_node(&run, a);
	n->down = 1;
	n->until = rtpc_now() + 60;
	n->dirty |= RTPC_NS_HEALTH;
	commit(&run);
	f = fresh(&ps, a);
	is_int(f.down, 1, "a failure seen after the enable is recorded");
	rtpc_state_free(&run);

	/* draining is a verdict too, and enabling ends the failure's time */
	verdict(&ps, a, RTPC_ADMIN_DRAINING);
	f = fresh(&ps, a);
	is_int(f.admin, RTPC_ADMIN_DRAINING, "draining recorded");
	is_int(f.down, 1, "draining leaves the failure's time alone");
	verdict(&ps, a, RTPC_ADMIN_NONE);
	f = fresh(&ps, a);
	ok(f.admin == RTPC_ADMIN_NONE && f.down == 0 && f.until == 0,
	    "enable ends both the drain and the failure's time");
	ok(f.opgen >= 4, "every verdict counted (%llu)", f.opgen);
	rtpc_pset_free(&ps);
}

static void
test_merge(void)
{
	struct rtpc_pset p1, p2;
	struct rtpc_state x, y;
	struct rtpc_nstate *n, f;
	const char *b = "udp:127.0.0.1:1002", *c = "udp:127.0.0.1:1003";

	/* two configurations naming b in other orders, with weights */
	pset(&p1, "udp:127.0.0.1:1002=3 udp:127.0.0.1:1003");
	pset(&p2, "1 == udp:127.0.0.1:1003 udp:127.0.0.1:1002=0");
	sopen(&x, &p1);
	sopen(&y, &p2);
	n = rtpc_state_node(&x, b);
	n->caps = 1;
	n->rep = 1;
	n->dirty |= RTPC_NS_CAPS;
	n = rtpc_state_node(&y, b);
	n->down = 1;
	n->until = rtpc_now() + 60;
	strlcpy(n->lasterr, "b: no reply", sizeof(n->lasterr));
	n->dirty |= RTPC_NS_HEALTH;
	n = rtpc_state_node(&y, c);
	n->rtt_us = 1234;
	n->rtt_at = rtpc_now();
	n->dirty |= RTPC_NS_RTT;
	commit(&x);
	commit(&y);
	f = fresh(&p1, b);
	ok(f.caps == 1 && f.rep == 1, "one run's capabilities kept");
	ok(f.down == 1 && strcmp(f.lasterr, "b: no reply") == 0,
	    "the other run's failure of the same node kept");
	is_int(fresh(&p1, c).rtt_us, 1234, "a node of both configurations: "
	    "one record");
	rtpc_state_free(&x);
	rtpc_state_free(&y);
	/* a third configuration that does not name b keeps its record */
	rtpc_pset_free(&p2);
	pset(&p2, "udp:127.0.0.1:1009");
	sopen(&x, &p2);
	n = rtpc_state_node(&x, "udp:127.0.0.1:1009");
	n->down = 1;
	n->until = rtpc_now() + 5;
	n->dirty |= RTPC_NS_HEALTH;
	commit(&x);
	rtpc_state_free(&x);
	f = fresh(&p1, b);
	ok(f.caps == 1 && f.down == 1, "a write by another configuration keeps "
	    "the records it does not name");
	rtpc_pset_free(&p1);
	rtpc_pset_free(&p2);
}

static void
test_claim(void)
{
	struct rtpc_pset ps;
	struct rtpc_state x, y;
	struct rtpc_nstate *n;
	struct rtpc_err e;
	const char *a = "udp:127.0.0.1:1004";

	pset(&ps, a);
	sopen(&x, &ps);
	n = rtpc_state_node(&x, a);
	n->down = 1;
	n->until = rtpc_now() - 1;
	n->dirty |= RTPC_NS_HEALTH;
	commit(&x);
	sopen(&y, &ps);
	is_int(rtpc_state_claim(&x, a, 10, &e), 1, "the first run gets the re-test");
	/* another run is another process */
	{
		pid_t pid = fork();
		int ws;

		if (pid == 0)
			_exit(rtpc_state_claim(&y, a, 10, &e) + 1);
		waitpid(pid, &ws, 0);
		is_int(WIFEXITED(ws) ? WEXITSTATUS(ws) - 1 : -9, 0,
		    "another run does not");
	}
	is_int(rtpc_state_claim(&y, a, 10, &e), 1, "the same run may claim "
	    "again (its own claim)");
	rtpc_state_free(&x);
	rtpc_state_free(&y);
	verdict(&ps, a, RTPC_ADMIN_DISABLED);
	sopen(&x, &ps);
	n = rtpc_state_node(&x, a);
	n->testing_until = 0;
	is_int(rtpc_state_claim(&x, a, 10, &e), 0, "a node the operator "
	    "disabled is never re-tested");
	rtpc_state_free(&x);
	rtpc_pset_free(&ps);
}

static void
test_long_url(void)
{
	struct rtpc_pset ps;
	struct rtpc_state st;
	struct rtpc_nstate *n1, *n2;
	char url[700], cfg[800];

	memset(url, 0, sizeof(url));
	strlcpy(url, "udp:127.0.0.1:", sizeof(url));
	memset(url + strlen(url), '0', 600);
	strlcat(url, "22222", sizeof(url));
	snprintf(cfg, sizeof(cfg), "%s udp:127.0.0.1:1005", url);
	pset(&ps, cfg);
	sopen(&st, &ps);
	n1 = rtpc_state_node(&st, url);
	n2 = rtpc_state_node(&st, url);
	{
		size_t i, same = 0;

		for (i = 0; i < st.n; i++)
			same += strcmp(st.nodes[i]->url, url) == 0;
		ok(n1 == n2 && same == 1, "a 619-byte URL: one record, found "
		    "again");
	}
	ok(strcmp(n1->url, url) == 0, "the URL kept whole");
	rtpc_state_free(&st);
	verdict(&ps, url, RTPC_ADMIN_DISABLED);
	is_int(fresh(&ps, url).admin, RTPC_ADMIN_DISABLED,
	    "the long URL's verdict read back");
	rtpc_pset_free(&ps);
}

static void
test_bounded_lock(void)
{
	struct rtpc_pset ps;
	struct rtpc_state st;
	struct rtpc_nstate *n;
	struct rtpc_err e;
	char lock[300];
	long long t0, t;
	int fd;

	pset(&ps, "udp:127.0.0.1:1006");
	snprintf(lock, sizeof(lock), "%s/health.lock", dir);
	fd = open(lock, O_RDONLY | O_CREAT, 0600);
	ok(fd != -1 && flock(fd, LOCK_EX) == 0, "another holder takes the lock");
	sopen(&st, &ps);
	n = rtpc_state_node(&st, "udp:127.0.0.1:1006");
	n->down = 1;
	n->until = rtpc_now() + 9;
	n->dirty |= RTPC_NS_HEALTH;
	t0 = rtpc_mono_ms();
	rtpc_err_clear(&e);
	is_int(rtpc_state_commit(&st, &e), -1, "the commit gives up");
	t = rtpc_mono_ms() - t0;
	/* the upper margin is for a loaded machine's scheduling, not the
	 * code: it waits no more than the bound, never for the holder */
	ok(t >= RTPC_STATE_LOCK_MS - 1 && t < RTPC_STATE_LOCK_MS + 500,
	    "after about %d ms (%lld)", RTPC_STATE_LOCK_MS, t);
	ok(strstr(e.msg, "held by another process") != NULL, "and says why: %s",
	    e.msg);
	/* a deadline 5 ms away shortens a 2 s wait */
	st.lock_ms = 2000;
	st.end_ms = rtpc_mono_ms() + 5;
	t0 = rtpc_mono_ms();
	is_int(rtpc_state_commit(&st, &e), -1, "with a deadline: gives up");
	t = rtpc_mono_ms() - t0;
	ok(t < 1000, "never past the deadline, far short of the bound "
	    "(%lld ms)", t);
	st.lock_ms = 0;
	/* capabilities alone are a cache: dropped quietly */
	n->dirty = RTPC_NS_CAPS;
	n->caps = 1;
	st.end_ms = 0;
	is_int(rtpc_state_commit(&st, &e), 0, "capabilities alone: no error");
	close(fd);
	rtpc_state_free(&st);
	rtpc_pset_free(&ps);
}

/* A reader whose file is replaced between its open and its fstat. */
static void
test_replaced_while_opening(void)
{
	struct rtpc_pset ps;
	struct rtpc_state st;
	struct rtpc_err e;
	const char *a = "udp:127.0.0.1:1008";

	pset(&ps, a);
	verdict(&ps, a, RTPC_ADMIN_DRAINING);
	replace_before_fstat = 1;
	rtpc_err_clear(&e);
	is_int(rtpc_state_open(&st, dir, &ps, &e), 0, "a file replaced "
	    "once while opening: read (%s)", e.msg);
	ok(st.path != NULL, "and the state is still the file's");
	is_int(rtpc_state_node(&st, a)->admin, RTPC_ADMIN_DRAINING,
	    "the replacement's record is read");
	rtpc_state_free(&st);
	replace_before_fstat = 1000;
	rtpc_err_clear(&e);
	rtpc_state_open(&st, dir, &ps, &e);
	ok(st.path == NULL && strstr(e.msg, "one link") != NULL,
	    "replaced at every open: refused, bounded (%s)", e.msg);
	ok(replace_before_fstat == 1000 - RTPC_REOPEN_TRIES,
	    "after %d opens", RTPC_REOPEN_TRIES);
	replace_before_fstat = 0;
	rtpc_state_free(&st);
	rtpc_pset_free(&ps);
}

static void
test_trust(void)
{
	struct rtpc_pset ps;
	struct rtpc_state st;
	struct rtpc_err e;
	char sub[300];

	pset(&ps, "udp:127.0.0.1:1007");
	snprintf(sub, sizeof(sub), "%s/open", dir);
	mkdir(sub, 0700);
	chmod(sub, 0777);
	rtpc_err_clear(&e);
	errno = ENOENT;		/* left by an earlier call: not "missing" */
	is_int(rtpc_state_open(&st, sub, &ps, &e), -1, "a world-writable "
	    "directory is refused");
	ok(st.path == NULL, "and the state is memory only");
	ok(strstr(e.msg, "writable by others") != NULL, "%s", e.msg);
	rtpc_state_free(&st);
	chmod(sub, 02770);
	is_int(rtpc_state_open(&st, sub, &ps, &e), 0, "set-group-ID and "
	    "group-writable: shared, used");
	ok(st.shared == 1, "known as shared");
	rtpc_state_free(&st);
	rtpc_pset_free(&ps);
}

/* The API rtpp-ctl and talk use: reasons, their words, order, view. */
static void
test_api(void)
{
	struct rtpc_order_entry o[RTPC_SET_NODES_MAX];
	struct rtpc_health_view v;
	struct rtpc_pset ps;
	struct rtpc_state st;
	struct rtpc_err e;
	const char *a = "udp:127.0.0.1:1101", *b = "udp:127.0.0.1:1102";
	const char *c = "udp:127.0.0.1:1103";
	size_t n, i;

	is_str(rtpc_health_str(RTPC_HEALTH_DOWN, RTPC_HEALTH_TEXT_STATE),
	    "down", "a failure is \"down\" in rtpp-ctl list");
	is_str(rtpc_health_str(RTPC_HEALTH_DISABLED, RTPC_HEALTH_TEXT_WHICH),
	    "disabled by operator", "and in rtpp-ctl which");
	is_str(rtpc_health_str(RTPC_HEALTH_DRAINING,
	    RTPC_HEALTH_TEXT_SKIPPED), "skipped: draining (no new calls)",
	    "and in --explain");
	is_str(rtpc_health_str(RTPC_HEALTH_DUE, RTPC_HEALTH_TEXT_STATE),
	    "enabled", "a node due for a re-test is listed as enabled");
	ok(rtpc_health_usable(RTPC_HEALTH_DUE) &&
	    !rtpc_health_usable(RTPC_HEALTH_DOWN), "due is usable, down not");

	pset(&ps, "udp:127.0.0.1:1101 udp:127.0.0.1:1102 "
	    "udp:127.0.0.1:1103");
	verdict(&ps, a, RTPC_ADMIN_DISABLED);
	verdict(&ps, b, RTPC_ADMIN_DRAINING);
	sopen(&st, &ps);
	rtpc_health_fail(&st, c, 60, "timed out");
	n = rtpc_health_order(&st, &ps, 0, "call-1", 1, o);
	is_int(n, 3, "the set's three nodes in the call's order");
	for (i = 0; i < n; i++) {
		const char *u = o[i].node->url;

		ok(o[i].reason == (strcmp(u, a) == 0 ? RTPC_HEALTH_DISABLED :
		    strcmp(u, b) == 0 ? RTPC_HEALTH_DRAINING :
		    RTPC_HEALTH_DOWN), "%s: its reason", u);
		ok(i == 0 || o[i - 1].score >= o[i].score, "%s: best first", u);
	}
	n = rtpc_health_order(&st, &ps, 0, "call-1", 0, o);
	for (i = 0; i < n; i++)
		if (strcmp(o[i].node->url, b) == 0)
			is_int(o[i].reason, RTPC_HEALTH_UP,
			    "a draining node takes a call it has");
	is_int(rtpc_health_order(&st, &ps, 7, "call-1", 1, o), 0,
	    "no such set: no nodes");
	is_int(rtpc_health_view(&st, c, &v), 0, "view of a failed node");
	ok(v.state == RTPC_HEALTH_DOWN && v.disabled && v.recheck > 0 &&
	    strcmp(v.lasterr, "timed out") == 0, "down, disabled until "
	    "its recheck, with its error");
	rtpc_health_view(&st, b, &v);
	ok(v.state == RTPC_HEALTH_DRAINING && !v.disabled && v.recheck == 0,
	    "draining is not disabled");
	rtpc_health_view(&st, a, &v);
	is_int(v.recheck, -1, "disabled by the operator: recheck -1");
	rtpc_state_free(&st);

	/* verdicts need a state that can be written */
	memset(&st, 0, sizeof(st));
	rtpc_err_clear(&e);
	rtpc_state_open(&st, "", &ps, &e);
	is_int(rtpc_health_drain(&st, a, &e), -1, "no state directory");
	is_int(e.code, RTPC_EXIT_USAGE, "a usage error");
	is_str(e.msg, "drain needs a state directory (--state-dir)",
	    "naming the command");
	rtpc_state_free(&st);
	rtpc_pset_free(&ps);
}

/* What probing learns, through the API talk uses, kept for the next run. */
static void
test_caps_api(void)
{
	struct rtpc_health_caps c, in = { .rep = 1, .ptl = 0, .ntf = -1,
	    .qry = -1 };
	struct rtpc_health_view v;
	struct rtpc_pset ps;
	struct rtpc_state st;
	const char *a = "udp:127.0.0.1:1201";

	pset(&ps, a);
	sopen(&st, &ps);
	is_int(rtpc_health_caps(&st, a, &c), 0, "caps of a new node");
	ok(!c.known && c.ntf == -1 && c.qry == -1, "nothing known, nothing "
	    "asked");
	rtpc_health_fail(&st, a, 60, "timed out");
	ok(rtpc_health_probed(&st, a, &in, 1234) == 0, "a probe passed");
	rtpc_health_view(&st, a, &v);
	ok(v.state == RTPC_HEALTH_UP && v.rtt_us == 1234, "up again, with "
	    "the probe's round trip");
	is_int(rtpc_health_learn_query(&st, a, 0), 0, "Q answered 0");
	rtpc_health_rtt(&st, a, 99);
	is_int(commit(&st), 0, "saved");
	rtpc_state_free(&st);

	sopen(&st, &ps);
	rtpc_health_caps(&st, a, &c);
	ok(c.known && c.rep == 1 && c.ptl == 0 && c.ntf == -1 && c.qry == 0,
	    "the next run knows them (rep %d ptl %d ntf %d qry %d)", c.rep,
	    c.ptl, c.ntf, c.qry);
	rtpc_health_view(&st, a, &v);
	is_int(v.rtt_us, 1234, "a fresh round trip is not replaced");
	ok(!rtpc_health_draining(&st, a), "not draining");
	rtpc_state_free(&st);
	verdict(&ps, a, RTPC_ADMIN_DRAINING);
	sopen(&st, &ps);
	ok(rtpc_health_draining(&st, a), "drained by the operator");
	rtpc_health_fail(&st, a, 60, "timed out");
	rtpc_health_caps(&st, a, &c);
	ok(!c.known && c.qry == -1, "a failure forgets what was learnt");
	rtpc_state_free(&st);
	rtpc_pset_free(&ps);
}

int
main(void)
{
	char tmpl[] = "/tmp/test-health.XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return 1;
	umask(022);
	snprintf(dir, sizeof(dir), "%s/s", tmpl);
	test_operator_wins();
	test_merge();
	test_claim();
	test_long_url();
	test_bounded_lock();
	test_replaced_while_opening();
	test_trust();
	test_api();
	test_caps_api();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
		if (system(cmd) != 0)
			return 1;
	}
	return done_testing();
}
