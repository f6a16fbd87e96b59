/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * health.c: the shared health state file.
 *
 * One file for the machine, DIR/health, one line per node after a
 * header line:
 *   rtpp-health 1
 *   node URL admin=A opgen=G down=D until=T caps=C rep=R ptl=P ntf=N
 *        qry=Q learnt=T rtt=US rttat=T testing=PID:T err=PCT-ENCODED
 * Unknown fields are ignored; a line that does not parse is skipped.
 * A URL holds no blank (the configuration splits on them).
 *
 * Trust, as ssh and sudo check their files: the directory must be a
 * directory (not a symlink) owned by the user or root and not writable
 * by others; writable by its group only when it is set-group-ID (the
 * installed, group-shared layout: every member of that group may change
 * the state).  A file in it must be a regular file with one link, not
 * writable by others, owned by the user or root, or, in a group-shared
 * directory, belonging to the directory's group.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "config.h"
#include "healthfile.h"

#ifndef RTPC_STATE_DIR
#define RTPC_STATE_DIR	"/run/rtpp"
#endif

#define STATE_MAX	(256 * 1024)
#define STATE_MAGIC	"rtpp-health 1"
#define STATE_NAME	"health"
#define LOCK_NAME	"health.lock"

long long
rtpc_now(void)
{
	return (long long)time(NULL);
}

long long
rtpc_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The default state directory, set when rtpp is built (make install
 * creates it): the same for the proxy's user and for root. */
char *
rtpc_state_default_dir(void)
{
	return strdup(RTPC_STATE_DIR);
}

static int
pct_decode(char *s)
{
	char *o = s;

	for (; *s != '\0'; s++) {
		if (*s == '%' && isxdigit((unsigned char)s[1]) &&
		    isxdigit((unsigned char)s[2])) {
			char hx[3] = { s[1], s[2], '\0' };

			*o++ = (char)strtol(hx, NULL, 16);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return 0;
}

/*
 * May the node take a command now?  new_call: the command starts a call
 * (an offer without To-tag), which a draining node does not take.
 */
static enum rtpc_health_reason
reason_of(const struct rtpc_nstate *ns, int new_call, long long now)
{
	if (ns->admin == RTPC_ADMIN_DISABLED)
		return RTPC_HEALTH_DISABLED;
	if (ns->admin == RTPC_ADMIN_DRAINING && new_call)
		return RTPC_HEALTH_DRAINING;
	if (!ns->down)
		return RTPC_HEALTH_UP;
	return ns->until > now ? RTPC_HEALTH_DOWN : RTPC_HEALTH_DUE;
}

/* The reason for node url now (a node without a record is down). */
enum rtpc_health_reason
rtpc_health_reason(struct rtpc_state *st, const char *url, int new_call)
{
	struct rtpc_nstate *ns = rtpc_state_node(st, url);

	if (ns == NULL)
		return RTPC_HEALTH_DOWN;
	return reason_of(ns, new_call, rtpc_now());
}

/* Usable for a call: in service, or due for a re-test. */
int
rtpc_health_usable(enum rtpc_health_reason r)
{
	return r == RTPC_HEALTH_UP || r == RTPC_HEALTH_DUE;
}

/* Every way a reason is said, in one table. */
static const struct {
	const char	*state;
	const char	*which;
	const char	*skipped;
} reason_text[] = {
	[RTPC_HEALTH_UP] = { "enabled", "enabled", "in service" },
	[RTPC_HEALTH_DUE] = { "enabled", "enabled",
	    "skipped: another run is re-testing it" },
	[RTPC_HEALTH_DISABLED] = { "disabled", "disabled by operator",
	    "skipped: disabled by the operator" },
	[RTPC_HEALTH_DRAINING] = { "draining", "draining",
	    "skipped: draining (no new calls)" },
	[RTPC_HEALTH_DOWN] = { "down", "disabled after a failure",
	    "skipped: disabled after a failure" },
};

const char *
rtpc_health_str(enum rtpc_health_reason r, enum rtpc_health_text how)
{
	if ((size_t)r >= sizeof(reason_text) / sizeof(reason_text[0]))
		return "?";
	switch (how) {
	case RTPC_HEALTH_TEXT_STATE:
		return reason_text[r].state;
	case RTPC_HEALTH_TEXT_WHICH:
		return reason_text[r].which;
	case RTPC_HEALTH_TEXT_SKIPPED:
		return reason_text[r].skipped;
	}
	return "?";
}

/* A node's health as rtpp-ctl shows it; -1 when out of memory. */
int
rtpc_health_view(struct rtpc_state *st, const char *url,
    struct rtpc_health_view *v)
{
	struct rtpc_nstate *ns = rtpc_state_node(st, url);
	enum rtpc_health_reason any;
	long long now = rtpc_now();

	if (ns == NULL)
		return -1;
	memset(v, 0, sizeof(*v));
	v->state = reason_of(ns, 1, now);
	/* a draining node still serves its calls */
	any = reason_of(ns, 0, now);
	v->disabled = any == RTPC_HEALTH_DISABLED || any == RTPC_HEALTH_DOWN;
	/* the module's "recheck" */
	if (ns->admin == RTPC_ADMIN_DISABLED)
		v->recheck = -1;
	else if (ns->down)
		v->recheck = ns->until;
	v->caps = ns->caps;
	v->rep = ns->rep;
	v->ptl = ns->ptl;
	v->rtt_us = ns->rtt_us;
	strlcpy(v->lasterr, ns->lasterr, sizeof(v->lasterr));
	return 0;
}

/* The state file in use, or NULL when the state is memory only. */
const char *
rtpc_health_file(const struct rtpc_state *st)
{
	return st->path;
}

/* Is the state directory shared with its group? */
int
rtpc_health_shared(const struct rtpc_state *st)
{
	return st->shared;
}

static struct rtpc_nstate *
find_node(const struct rtpc_state *st, const char *url)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->nodes[i]->url, url) == 0)
			return st->nodes[i];
	return NULL;
}

/* The record of a node, made when missing; pointers stay valid. */
struct rtpc_nstate *
rtpc_state_node(struct rtpc_state *st, const char *url)
{
	struct rtpc_nstate **nn, *n;

	if ((n = find_node(st, url)) != NULL)
		return n;
	nn = reallocarray(st->nodes, st->n + 1, sizeof(*nn));
	if (nn == NULL)
		return NULL;
	st->nodes = nn;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	if ((n->url = strdup(url)) == NULL) {
		free(n);
		return NULL;
	}
	st->nodes[st->n++] = n;
	return n;
}

/*
 * Forget what this run learnt when the file already says it: another
 * run learnt the same capabilities, refreshed the round-trip time less
 * than RTPC_RTT_FRESH seconds ago, or saw the same failure.  A herd of runs
 * meeting a node first then writes once, not once each.
 */
static void
drop_known(struct rtpc_nstate *n, const struct rtpc_nstate *f)
{
	if ((n->dirty & RTPC_NS_CAPS) && f->caps == n->caps &&
	    f->rep == n->rep && f->ptl == n->ptl &&
	    f->ntf_known == n->ntf_known && f->ntf == n->ntf &&
	    f->qry_known == n->qry_known && f->qry == n->qry)
		n->dirty &= ~RTPC_NS_CAPS;
	if ((n->dirty & RTPC_NS_RTT) && n->rtt_at - f->rtt_at < RTPC_RTT_FRESH)
		n->dirty &= ~RTPC_NS_RTT;
	if ((n->dirty & RTPC_NS_HEALTH) && !(n->dirty & RTPC_NS_ADMIN) &&
	    f->down == n->down && f->testing_pid == n->testing_pid &&
	    f->testing_until == n->testing_until &&
	    (!n->down || f->until >= n->until - 1))
		n->dirty &= ~RTPC_NS_HEALTH;
}

/*
 * Merge one "node ..." line into the records.  What this run changed
 * (its dirty groups) stays; everything else is taken from the file.  A
 * run's health observation made before the operator's latest verdict
 * (the file's opgen moved since the run read it) is dropped: the
 * operator's verdict wins.
 */
static void
parse_line(struct rtpc_state *st, char *line)
{
	struct rtpc_nstate tmp, *n;
	char *tok, *save = NULL, *url;

	if (strncmp(line, "node ", 5) != 0)
		return;
	memset(&tmp, 0, sizeof(tmp));
	if ((url = strtok_r(line + 5, " ", &save)) == NULL)
		return;
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		char *v = strchr(tok, '=');

		if (v == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(tok, "admin") == 0)
			tmp.admin = atoi(v);
		else if (strcmp(tok, "opgen") == 0)
			tmp.opgen = strtoull(v, NULL, 10);
		else if (strcmp(tok, "down") == 0)
			tmp.down = atoi(v) != 0;
		else if (strcmp(tok, "until") == 0)
			tmp.until = atoll(v);
		else if (strcmp(tok, "caps") == 0)
			tmp.caps = atoi(v) != 0;
		else if (strcmp(tok, "rep") == 0)
			tmp.rep = atoi(v) != 0;
		else if (strcmp(tok, "ptl") == 0)
			tmp.ptl = atoi(v) != 0;
		else if (strcmp(tok, "ntf") == 0) {
			tmp.ntf_known = *v != '-';
			tmp.ntf = atoi(v) > 0;
		} else if (strcmp(tok, "qry") == 0) {
			tmp.qry_known = *v != '-';
			tmp.qry = atoi(v) > 0;
		} else if (strcmp(tok, "learnt") == 0)
			tmp.learnt = atoll(v);
		else if (strcmp(tok, "rtt") == 0)
			tmp.rtt_us = atol(v);
		else if (strcmp(tok, "rttat") == 0)
			tmp.rtt_at = atoll(v);
		else if (strcmp(tok, "testing") == 0) {
			char *c = strchr(v, ':');

			tmp.testing_pid = atol(v);
			tmp.testing_until = c ? atoll(c + 1) : 0;
		} else if (strcmp(tok, "err") == 0) {
			strlcpy(tmp.lasterr, v, sizeof(tmp.lasterr));
			pct_decode(tmp.lasterr);
		}
	}
	if (tmp.admin < RTPC_ADMIN_NONE || tmp.admin > RTPC_ADMIN_DRAINING)
		tmp.admin = RTPC_ADMIN_NONE;
	if ((n = rtpc_state_node(st, url)) == NULL)
		return;
	drop_known(n, &tmp);
	if (!(n->dirty & RTPC_NS_ADMIN)) {
		if ((n->dirty & RTPC_NS_HEALTH) && tmp.opgen != n->seen_opgen)
			n->dirty &= ~RTPC_NS_HEALTH;
		n->admin = tmp.admin;
	}
	n->opgen = tmp.opgen;
	/* what this run sees from now on is seen under this verdict */
	if (!(n->dirty & RTPC_NS_HEALTH))
		n->seen_opgen = tmp.opgen;
	if (!(n->dirty & (RTPC_NS_HEALTH | RTPC_NS_ADMIN))) {
		n->down = tmp.down;
		n->until = tmp.until;
		n->testing_pid = tmp.testing_pid;
		n->testing_until = tmp.testing_until;
		memcpy(n->lasterr, tmp.lasterr, sizeof(n->lasterr));
	}
	if (!(n->dirty & RTPC_NS_CAPS)) {
		n->caps = tmp.caps;
		n->rep = tmp.rep;
		n->ptl = tmp.ptl;
		n->ntf_known = tmp.ntf_known;
		n->ntf = tmp.ntf;
		n->qry_known = tmp.qry_known;
		n->qry = tmp.qry;
		n->learnt = tmp.learnt;
	}
	if (!(n->dirty & RTPC_NS_RTT)) {
		n->rtt_us = tmp.rtt_us;
		n->rtt_at = tmp.rtt_at;
	}
}

/*
 * The trust rule of the state directory (see the top comment and
 * rtpp.conf(5)), shared with the late-offer memory: why a directory
 * with these attributes may not be used, or NULL.
 */
const char *
rtpc_state_distrust_dir(const struct stat *sb, char *why, size_t sz)
{
	if (!S_ISDIR(sb->st_mode))
		return "not a directory";
	if (sb->st_uid != geteuid() && sb->st_uid != 0) {
		snprintf(why, sz, "owned by uid %lu, neither you nor root",
		    (unsigned long)sb->st_uid);
		return why;
	}
	if (sb->st_mode & S_IWOTH)
		return "writable by others";
	if ((sb->st_mode & S_IWGRP) && !(sb->st_mode & S_ISGID))
		return "writable by its group but not set-group-ID (not a "
		    "shared state directory)";
	return NULL;
}

/*
 * The same for a file in a directory checked so: a regular file with
 * one link, ours or root's (or, in a shared directory, of its group),
 * writable by the group only in a shared directory of that group.
 */
const char *
rtpc_state_distrust_file(const struct stat *sb, const struct stat *dir,
    char *why, size_t sz)
{
	int grp = (dir->st_mode & S_IWGRP) && sb->st_gid == dir->st_gid;

	if (!S_ISREG(sb->st_mode) || sb->st_nlink != 1)
		return "not a regular file with one link";
	if (sb->st_uid != geteuid() && sb->st_uid != 0 && !grp) {
		snprintf(why, sz, "owned by uid %lu, neither you nor root",
		    (unsigned long)sb->st_uid);
		return why;
	}
	if ((sb->st_mode & S_IWOTH) || ((sb->st_mode & S_IWGRP) && !grp))
		return "writable by others";
	return NULL;
}

/*
 * Open dfd/name as it is now and fstat it.  A file that another run
 * replaced (renamed a new one over it) between our open and our fstat
 * has no link left: the name then holds the new file, so open again.
 * Returns the descriptor or -1 with errno set.
 */
int
rtpc_state_open_current(int dfd, const char *name, int flags, mode_t mode,
    struct stat *sb)
{
	int fd, tries;

	for (tries = 0; tries < RTPC_REOPEN_TRIES; tries++) {
		fd = openat(dfd, name, flags | O_NONBLOCK | O_NOFOLLOW |
		    O_CLOEXEC, mode);
		if (fd == -1)
			return -1;
		if (fstat(fd, sb) == -1) {
			int e = errno;

			close(fd);
			errno = e;
			return -1;
		}
		if (sb->st_nlink != 0 || tries + 1 == RTPC_REOPEN_TRIES)
			return fd;
		close(fd);
	}
	errno = ESTALE;
	return -1;
}

/*
 * Open and check the state directory.  A missing directory is made
 * (mode 0700) when create is set and it is not the built-in default,
 * which the installation makes.  Sets errno ENOENT for a missing one.
 */
static int
open_dir(struct rtpc_state *st, int create, struct rtpc_err *err)
{
	struct stat sb;
	const char *why;
	char buf[80];
	int fd;

	fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1 && errno == ENOENT && create && !st->isdefault) {
		if (mkdir(st->dir, 0700) == -1 && errno != EEXIST)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "state directory %s: %s", st->dir,
			    strerror(errno));
		fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC);
	}
	if (fd == -1) {
		int e = errno;

		if (e == ENOENT && st->isdefault)
			rtpc_err_set(err, RTPC_EXIT_FAIL, "state directory %s: "
			    "missing (made by the installation; see "
			    "rtpp.conf(5), state_dir); health not shared",
			    st->dir);
		else
			rtpc_err_set(err, RTPC_EXIT_FAIL, "state directory "
			    "%s: %s; not used", st->dir, e == ELOOP ||
			    e == ENOTDIR ? "a symbolic link or not a "
			    "directory" : strerror(e));
		errno = e;
		return -1;
	}
	if (fstat(fd, &sb) == -1)
		why = strerror(errno);
	else
		why = rtpc_state_distrust_dir(&sb, buf, sizeof(buf));
	if (why != NULL) {
		close(fd);
		rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "state directory %s: %s; not used", st->dir, why);
		errno = EPERM;	/* not a missing directory, whatever came before */
		return -1;
	}
	st->dsb = sb;
	st->shared = (sb.st_mode & S_IWGRP) != 0;
	st->gid = (unsigned)sb.st_gid;
	st->dfd = fd;
	st->dfd_ok = 1;
	return 0;
}

/* Check a file opened in the state directory (see the top comment). */
static int
check_file(const struct rtpc_state *st, const struct stat *sb,
    const char *name, struct rtpc_err *err)
{
	const char *why;
	char buf[80];

	why = rtpc_state_distrust_file(sb, &st->dsb, buf, sizeof(buf));
	if (why != NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s/%s: %s; not used",
		    st->dir, name, why);
	if (sb->st_size > STATE_MAX)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s/%s: larger than "
		    "%d bytes; not used", st->dir, name, STATE_MAX);
	return 0;
}

/* The state cannot be trusted: memory only from now on. */
static int
distrust(struct rtpc_state *st)
{
	free(st->path);
	st->path = NULL;
	return -2;
}

/*
 * Read the file into the records (merging, see parse_line).  -1: not
 * an rtpp state file (it will be replaced); -2: not to be trusted (the
 * state is memory only from now on).
 */
static int
read_file(struct rtpc_state *st, struct rtpc_err *err)
{
	char *buf, *line, *save = NULL;
	struct stat sb;
	ssize_t r;
	size_t got = 0;
	int fd;

	fd = rtpc_state_open_current(st->dfd, STATE_NAME, O_RDONLY, 0, &sb);
	if (fd == -1) {
		if (errno == ENOENT)
			return 0;
		rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s; not used",
		    st->path, errno == ELOOP ? "a symbolic link" :
		    strerror(errno));
		return distrust(st);
	}
	if (check_file(st, &sb, STATE_NAME, err) == -1) {
		close(fd);
		return distrust(st);
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	while (got < (size_t)sb.st_size &&
	    (r = read(fd, buf + got, (size_t)sb.st_size - got)) > 0)
		got += (size_t)r;
	close(fd);
	buf[got] = '\0';
	if (got > 0 && (strncmp(buf, STATE_MAGIC "\n",
	    strlen(STATE_MAGIC) + 1) != 0 || memchr(buf, '\0', got) != NULL)) {
		free(buf);
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "%s: not an rtpp state file; ignored", st->path);
	}
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		parse_line(st, line);
	free(buf);
	return 0;
}

/*
 * Open the shared state and make a record for every node of the
 * configuration.  dir NULL means the default directory, "" means no
 * state file at all.  On failure the state is left usable in memory and
 * err says why (a warning for the caller).
 */
int
rtpc_state_open(struct rtpc_state *st, const char *dir,
    const struct rtpc_pset *ps, struct rtpc_err *err)
{
	size_t i;
	int rc;

	memset(st, 0, sizeof(*st));
	st->dfd = -1;
	for (i = 0; i < ps->nnodes; i++)
		if (rtpc_state_node(st, ps->nodes[i].url) == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
	if (dir != NULL && *dir == '\0')
		return 0;
	st->isdefault = dir == NULL;
	st->dir = dir ? strdup(dir) : rtpc_state_default_dir();
	if (st->dir == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	if (asprintf(&st->path, "%s/" STATE_NAME, st->dir) == -1 ||
	    asprintf(&st->lockpath, "%s/" LOCK_NAME, st->dir) == -1) {
		st->path = st->lockpath = NULL;
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	if (open_dir(st, 0, err) == -1) {
		if (errno == ENOENT && !st->isdefault)
			return 0;	/* made on the first write */
		distrust(st);
		return -1;
	}
	rc = read_file(st, err);
	return rc < 0 ? -1 : 0;
}

static void
pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Take the lock: at most RTPC_STATE_LOCK_MS, never past the deadline.
 * The lock file is opened read-only and non-blocking (a FIFO planted
 * there cannot stall the run) and checked like the state file.
 */
static int
lock_state(struct rtpc_state *st, struct rtpc_err *err)
{
	long long start = rtpc_mono_ms();
	long long bound = st->lock_ms > 0 ? st->lock_ms : RTPC_STATE_LOCK_MS;
	struct stat sb;
	const char *name;
	int fd;

	if (!st->dfd_ok && open_dir(st, 1, err) == -1)
		return -1;
	name = strrchr(st->lockpath, '/');
	name = name != NULL ? name + 1 : st->lockpath;
	fd = rtpc_state_open_current(st->dfd, name, O_RDONLY | O_CREAT,
	    st->shared ? 0640 : 0600, &sb);
	if (fd == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s",
		    st->lockpath, errno == ELOOP ? "a symbolic link" :
		    strerror(errno));
	if (check_file(st, &sb, name, err) == -1) {
		close(fd);
		return -1;
	}
	/* whatever the creator's umask, the group may lock it */
	if (st->shared && sb.st_uid == geteuid() &&
	    (sb.st_mode & 0777) != 0640)
		(void)fchmod(fd, 0640);
	if (st->end_ms > 0 && st->end_ms - start < bound)
		bound = st->end_ms - start;
	for (;;) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		if (rtpc_mono_ms() - start >= bound) {
			close(fd);
			return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: held by "
			    "another process for %lld ms", st->lockpath,
			    rtpc_mono_ms() - start);
		}
		pause_ms(1);
	}
	close(fd);
	return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: lock: %s",
	    st->lockpath, strerror(errno));
}

static void
format_node(struct rtpc_buf *b, const struct rtpc_nstate *n)
{
	rtpc_buf_printf(b, "node %s admin=%d opgen=%llu down=%d until=%lld "
	    "caps=%d rep=%d ptl=%d ntf=%d qry=%d learnt=%lld rtt=%ld "
	    "rttat=%lld testing=%ld:%lld err=", n->url, n->admin, n->opgen,
	    n->down, n->until, n->caps, n->rep, n->ptl,
	    n->ntf_known ? n->ntf : -1, n->qry_known ? n->qry : -1,
	    n->learnt, n->rtt_us, n->rtt_at, n->testing_pid,
	    n->testing_until);
	rtpc_pct_encode(n->lasterr, b);
	rtpc_buf_add(b, "\n", 1);
}

/* Write all records to a temporary file and rename it into place. */
static int
write_file(struct rtpc_state *st, struct rtpc_err *err)
{
	struct rtpc_buf b;
	char tmp[64];
	size_t i;
	int fd, rc = -1;

	rtpc_buf_init(&b, STATE_MAX);
	rtpc_buf_addstr(&b, STATE_MAGIC "\n");
	for (i = 0; i < st->n; i++)
		format_node(&b, st->nodes[i]);
	if (b.toobig) {
		rtpc_buf_free(&b);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: more than %d "
		    "bytes of records; not saved", st->path, STATE_MAX);
	}
	snprintf(tmp, sizeof(tmp), STATE_NAME ".%ld.tmp", (long)getpid());
	(void)unlinkat(st->dfd, tmp, 0);	/* left by a killed run */
	fd = openat(st->dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, 0600);
	if (fd == -1) {
		rtpc_err_set(err, RTPC_EXIT_FAIL, "%s/%s: %s", st->dir, tmp,
		    strerror(errno));
		rtpc_buf_free(&b);
		return -1;
	}
	/* the group of a shared directory (others would refuse the file) */
	if ((st->shared && fchown(fd, (uid_t)-1, (gid_t)st->gid) == -1) ||
	    fchmod(fd, st->shared ? 0640 : 0600) == -1 ||
	    write(fd, b.data, b.len) != (ssize_t)b.len) {
		rtpc_err_set(err, RTPC_EXIT_FAIL, "%s/%s: write failed",
		    st->dir, tmp);
		close(fd);
		unlinkat(st->dfd, tmp, 0);
	} else if (close(fd) == -1 ||
	    renameat(st->dfd, tmp, st->dfd, STATE_NAME) == -1) {
		rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s", st->path,
		    strerror(errno));
		unlinkat(st->dfd, tmp, 0);
	} else
		rc = 0;
	rtpc_buf_free(&b);
	return rc;
}

/* After a write: nothing pending, the verdicts seen are the file's. */
static void
written(struct rtpc_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		st->nodes[i]->dirty = 0;
		st->nodes[i]->seen_opgen = st->nodes[i]->opgen;
	}
}

static unsigned
pending(const struct rtpc_state *st)
{
	unsigned any = 0;
	size_t i;

	for (i = 0; i < st->n; i++)
		any |= st->nodes[i]->dirty;
	return any;
}

/*
 * Write back what this run changed, merged under the lock with what
 * other runs and the operator wrote meanwhile (see parse_line).  An
 * operator's verdict counts one more verdict for its node.  Learnt
 * capabilities and round-trip times are a cache: when the lock cannot
 * be had in time they are dropped without a word; a health observation
 * or a verdict that cannot be saved is an error (a warning).
 */
int
rtpc_state_commit(struct rtpc_state *st, struct rtpc_err *err)
{
	struct rtpc_err lerr;
	size_t i;
	int lfd, rc;

	if (pending(st) == 0 || st->path == NULL)
		return 0;
	/* lock-free first: often another run already wrote the same */
	if (st->dfd_ok && (read_file(st, err) == -2 || pending(st) == 0))
		return st->path == NULL ? -1 : 0;
	rtpc_err_clear(&lerr);
	if ((lfd = lock_state(st, &lerr)) == -1) {
		if (!(pending(st) & (RTPC_NS_HEALTH | RTPC_NS_ADMIN))) {
			written(st);
			return 0;
		}
		*err = lerr;
		return -1;
	}
	/* a file that is not a state file is replaced (the open warned) */
	if (read_file(st, err) == -2) {
		close(lfd);
		return -1;
	}
	if (pending(st) == 0) {
		close(lfd);
		return 0;
	}
	for (i = 0; i < st->n; i++)
		if (st->nodes[i]->dirty & RTPC_NS_ADMIN)
			st->nodes[i]->opgen++;
	rc = write_file(st, err);
	close(lfd);
	if (rc == 0)
		written(st);
	return rc;
}

/*
 * Claim the re-test of a node down after a failure whose time is up, so
 * that only one run probes it.  Returns 1 when this run got it, 0 when
 * another run holds it (or it is no longer due), -1 on error (then the
 * caller may test it anyway).
 */
int
rtpc_state_claim(struct rtpc_state *st, const char *url, long long hold,
    struct rtpc_err *err)
{
	struct rtpc_nstate *n;
	long long now = rtpc_now();
	int lfd, got = 0;

	if (st->path == NULL)
		return 1;
	if ((lfd = lock_state(st, err)) == -1)
		return -1;
	if (read_file(st, err) == -2) {
		close(lfd);
		return -1;
	}
	n = rtpc_state_node(st, url);
	if (n != NULL && n->down && n->until <= now &&
	    n->admin != RTPC_ADMIN_DISABLED && (n->testing_until < now ||
	    n->testing_pid == (long)getpid())) {
		n->testing_pid = (long)getpid();
		n->testing_until = now + hold;
		n->seen_opgen = n->opgen;
		n->dirty |= RTPC_NS_HEALTH;
		got = write_file(st, err) == 0;
		if (got)
			written(st);
	}
	close(lfd);
	return got;
}

/*
 * The operator's verdict on a node (RTPC_ADMIN_*), written at once; an
 * operator may wait longer than a run for the lock.  Enabling also ends
 * a failure's down time, as the module's RPC does.  verb names the
 * command for the error when there is no state directory.
 */
static int
verdict(struct rtpc_state *st, const char *url, int admin, const char *verb,
    struct rtpc_err *err)
{
	struct rtpc_nstate *n;

	if (st->path == NULL && st->dir == NULL)
		return rtpc_err_set(err, RTPC_EXIT_USAGE, "%s needs a state "
		    "directory (--state-dir)", verb);
	if (st->path == NULL)	/* the open said why */
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: not changed: "
		    "the state in %s cannot be used", url, st->dir);
	if ((n = rtpc_state_node(st, url)) == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	st->lock_ms = RTPC_VERDICT_LOCK_MS;
	n->admin = admin;
	n->dirty |= RTPC_NS_ADMIN;
	if (admin == RTPC_ADMIN_NONE) {
		n->down = 0;
		n->until = 0;
		n->testing_pid = 0;
		n->testing_until = 0;
		n->dirty |= RTPC_NS_HEALTH;
	}
	return rtpc_state_commit(st, err);
}

int
rtpc_health_enable(struct rtpc_state *st, const char *url,
    struct rtpc_err *err)
{
	return verdict(st, url, RTPC_ADMIN_NONE, "enable", err);
}

int
rtpc_health_disable(struct rtpc_state *st, const char *url,
    struct rtpc_err *err)
{
	return verdict(st, url, RTPC_ADMIN_DISABLED, "enable", err);
}

int
rtpc_health_drain(struct rtpc_state *st, const char *url,
    struct rtpc_err *err)
{
	return verdict(st, url, RTPC_ADMIN_DRAINING, "drain", err);
}

/*
 * Record a transport failure: down for disable_tout seconds (negative:
 * due for a re-test at once), capabilities to be learnt again.
 */
void
rtpc_health_fail(struct rtpc_state *st, const char *url, long disable_tout,
    const char *why)
{
	struct rtpc_nstate *ns = rtpc_state_node(st, url);
	long long now = rtpc_now();

	if (ns == NULL)
		return;
	ns->down = 1;
	ns->until = disable_tout < 0 ? now : now + disable_tout;
	ns->caps = 0;	/* learn again when it comes back */
	ns->ntf_known = 0;
	ns->qry_known = 0;
	ns->testing_pid = 0;
	ns->testing_until = 0;
	strlcpy(ns->lasterr, why, sizeof(ns->lasterr));
	ns->dirty |= RTPC_NS_HEALTH | RTPC_NS_CAPS;
}

/* What node url can do, as far as known; -1 when out of memory. */
int
rtpc_health_caps(struct rtpc_state *st, const char *url,
    struct rtpc_health_caps *c)
{
	struct rtpc_nstate *ns = rtpc_state_node(st, url);

	memset(c, 0, sizeof(*c));
	if (ns == NULL)
		return -1;
	c->known = ns->caps;
	c->rep = ns->rep;
	c->ptl = ns->ptl;
	c->ntf = ns->ntf_known ? ns->ntf : -1;
	c->qry = ns->qry_known ? ns->qry : -1;
	return 0;
}

/*
 * A probe of url passed: its capabilities (ntf -1: not asked, then
 * what was known stays), its round-trip time, and up again if it was
 * down or being re-tested.
 */
int
rtpc_health_probed(struct rtpc_state *st, const char *url,
    const struct rtpc_health_caps *c, long rtt_us)
{
	struct rtpc_nstate *ns = rtpc_state_node(st, url);

	if (ns == NULL)
		return -1;
	if (c->ntf >= 0) {
		ns->ntf_known = 1;
		ns->ntf = c->ntf;
	}
	ns->caps = 1;
	ns->rep = c->rep;
	ns->ptl = c->ptl;
	ns->learnt = rtpc_now();
	ns->dirty |= RTPC_NS_CAPS | RTPC_NS_RTT;
	if (ns->down || ns->testing_pid != 0) {
		ns->down = 0;			/* back after a re-test */
		ns->until = 0;
		ns->testing_pid = 0;
		ns->testing_until = 0;
		ns->dirty |= RTPC_NS_HEALTH;
	}
	ns->rtt_us = rtt_us;
	ns->rtt_at = ns->learnt;
	return 0;
}

/* What VF 20080403 (Q) answered on url. */
int
rtpc_health_learn_query(struct rtpc_state *st, const char *url, int qry)
{
	struct rtpc_nstate *ns = rtpc_state_node(st, url);

	if (ns == NULL)
		return -1;
	ns->qry_known = 1;
	ns->qry = qry != 0;
	ns->dirty |= RTPC_NS_CAPS;
	return 0;
}

/* Has the operator drained url (it keeps its calls, takes no new one)? */
int
rtpc_health_draining(struct rtpc_state *st, const char *url)
{
	struct rtpc_nstate *ns = rtpc_state_node(st, url);

	return ns != NULL && ns->admin == RTPC_ADMIN_DRAINING;
}

/* A command's round trip on url: kept when the last is RTPC_RTT_FRESH
 * seconds old (a run writes the file for that once in a while only). */
void
rtpc_health_rtt(struct rtpc_state *st, const char *url, long rtt_us)
{
	struct rtpc_nstate *ns = rtpc_state_node(st, url);
	long long now = rtpc_now();

	if (ns == NULL || now - ns->rtt_at < RTPC_RTT_FRESH)
		return;
	ns->rtt_us = rtt_us;
	ns->rtt_at = now;
	ns->dirty |= RTPC_NS_RTT;
}

void
rtpc_state_free(struct rtpc_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++) {
		free(st->nodes[i]->url);
		free(st->nodes[i]);
	}
	if (st->dfd_ok)
		close(st->dfd);
	free(st->dir);
	free(st->path);
	free(st->lockpath);
	free(st->nodes);
	memset(st, 0, sizeof(*st));
	st->dfd = -1;
}
