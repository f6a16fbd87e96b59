/*
 * state.c: the shared health state file.
 *
 * Format, one line per node after a header line:
 *   rtpp-state 1
 *   node URL disabled=D until=T caps=C rep=R ptl=P ntf=N qry=Q learnt=T rtt=US
 *        rttat=T testing=PID:T err=PCT-ENCODED
 * Unknown fields are ignored; a line that does not parse is skipped.
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

#include "core.h"
#include "buf.h"
#include "config.h"
#include "plan.h"
#include "state.h"

#define STATE_MAX	(256 * 1024)
#define STATE_MAGIC	"rtpp-state 1"

long long
rtpc_now(void)
{
	return (long long)time(NULL);
}

/*
 * The default state directory: $RUNTIME_DIRECTORY (systemd), /run/rtpp
 * for root, else $XDG_RUNTIME_DIR/rtpp, else /tmp/rtpp-UID.
 */
char *
rtpc_state_default_dir(void)
{
	const char *rd = getenv("RUNTIME_DIRECTORY");
	char buf[512];

	if (rd != NULL && *rd == '/')
		return strdup(rd);
	if (geteuid() == 0)
		return strdup("/run/rtpp");
	rd = getenv("XDG_RUNTIME_DIR");
	if (rd != NULL && *rd == '/') {
		snprintf(buf, sizeof(buf), "%s/rtpp", rd);
		return strdup(buf);
	}
	snprintf(buf, sizeof(buf), "/tmp/rtpp-%lu", (unsigned long)geteuid());
	return strdup(buf);
}

/* FNV-1a over the node list: one state file per configuration. */
static uint64_t
config_hash(const struct rtpc_pset *ps)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < ps->nnodes; i++) {
		const char *p;

		for (p = ps->nodes[i].url; *p != '\0'; p++) {
			h ^= (unsigned char)*p;
			h *= 1099511628211ULL;
		}
		h ^= ' ';
		h *= 1099511628211ULL;
	}
	return h;
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

struct rtpc_nstate *
rtpc_state_node(struct rtpc_state *st, const char *url)
{
	struct rtpc_nstate *n;
	size_t i;

	for (i = 0; i < st->n; i++)
		if (strcmp(st->nodes[i].url, url) == 0)
			return &st->nodes[i];
	n = reallocarray(st->nodes, st->n + 1, sizeof(*n));
	if (n == NULL)
		return NULL;
	st->nodes = n;
	n = &st->nodes[st->n++];
	memset(n, 0, sizeof(*n));
	strlcpy(n->url, url, sizeof(n->url));
	return n;
}

/* Parse one "node ..." line into a record (found by URL). */
static void
parse_line(struct rtpc_state *st, char *line)
{
	struct rtpc_nstate tmp, *n;
	char *tok, *save = NULL;

	if (strncmp(line, "node ", 5) != 0)
		return;
	memset(&tmp, 0, sizeof(tmp));
	tok = strtok_r(line + 5, " ", &save);
	if (tok == NULL || strlcpy(tmp.url, tok, sizeof(tmp.url)) >=
	    sizeof(tmp.url))
		return;
	while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
		char *v = strchr(tok, '=');

		if (v == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(tok, "disabled") == 0)
			tmp.disabled = atoi(v);
		else if (strcmp(tok, "until") == 0)
			tmp.until = atoll(v);
		else if (strcmp(tok, "caps") == 0)
			tmp.caps = atoi(v);
		else if (strcmp(tok, "rep") == 0)
			tmp.rep = atoi(v);
		else if (strcmp(tok, "ptl") == 0)
			tmp.ptl = atoi(v);
		else if (strcmp(tok, "ntf") == 0) {
			tmp.ntf_known = *v != '-';
			tmp.ntf = atoi(v) > 0;
		} else if (strcmp(tok, "qry") == 0) {
			tmp.qry_known = *v != '-';
			tmp.qry = atoi(v) > 0;
		}
		else if (strcmp(tok, "learnt") == 0)
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
	if (tmp.disabled < 0 || tmp.disabled > RTPC_DISABLED_ADMIN)
		tmp.disabled = RTPC_DISABLED_NO;
	if ((n = rtpc_state_node(st, tmp.url)) == NULL)
		return;
	if (!n->changed) {
		*n = tmp;
		return;
	}
	if (!n->health_changed) {
		/* this run only learnt capabilities or a round-trip time:
		 * another run's (or the operator's) health verdict stands */
		n->disabled = tmp.disabled;
		n->until = tmp.until;
		n->testing_pid = tmp.testing_pid;
		n->testing_until = tmp.testing_until;
		strlcpy(n->lasterr, tmp.lasterr, sizeof(n->lasterr));
	}
}

/* Read the file into the records not changed by this run. */
static int
read_file(struct rtpc_state *st, struct rtpc_err *err)
{
	char *buf, *line, *save = NULL;
	struct stat sb;
	ssize_t r;
	size_t got = 0;
	int fd;

	fd = open(st->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd == -1) {
		if (errno == ENOENT)
			return 0;
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s", st->path,
		    strerror(errno));
	}
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > STATE_MAX) {
		close(fd);
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "%s: not a regular file of at most %d bytes", st->path,
		    STATE_MAX);
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
	if (got > 0 && (strncmp(buf, STATE_MAGIC, strlen(STATE_MAGIC)) != 0 ||
	    memchr(buf, '\0', got) != NULL)) {
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
 * Open the state of this configuration.  dir NULL means the default
 * directory, "" means no state file at all.  On failure the state is
 * left usable in memory and err says why (a warning for the caller).
 */
int
rtpc_state_open(struct rtpc_state *st, const char *dir,
    const struct rtpc_pset *ps, struct rtpc_err *err)
{
	char name[64];
	size_t i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < ps->nnodes; i++)
		if (rtpc_state_node(st, ps->nodes[i].url) == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
	if (dir != NULL && *dir == '\0')
		return 0;
	st->dir = dir ? strdup(dir) : rtpc_state_default_dir();
	if (st->dir == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	snprintf(name, sizeof(name), "/state-%016llx",
	    (unsigned long long)config_hash(ps));
	if (asprintf(&st->path, "%s%s", st->dir, name) == -1 ||
	    asprintf(&st->lockpath, "%s%s.lock", st->dir, name) == -1) {
		st->path = st->lockpath = NULL;
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	return read_file(st, err);
}

/* Create the directory if missing (mode 0700), refusing symlinks. */
static int
ensure_dir(const char *dir, struct rtpc_err *err)
{
	struct stat sb;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "state directory %s: %s", dir, strerror(errno));
	if (lstat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode))
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "state directory %s: not a directory", dir);
	return 0;
}

static int
lock_state(struct rtpc_state *st, struct rtpc_err *err)
{
	int fd;

	if (ensure_dir(st->dir, err) == -1)
		return -1;
	fd = open(st->lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s",
		    st->lockpath, strerror(errno));
	if (flock(fd, LOCK_EX) == -1) {
		close(fd);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: lock: %s",
		    st->lockpath, strerror(errno));
	}
	return fd;
}

static void
format_node(struct rtpc_buf *b, const struct rtpc_nstate *n)
{
	rtpc_buf_printf(b, "node %s disabled=%d until=%lld caps=%d rep=%d "
	    "ptl=%d ntf=%d qry=%d learnt=%lld rtt=%ld rttat=%lld "
	    "testing=%ld:%lld err=", n->url, n->disabled, n->until, n->caps,
	    n->rep, n->ptl, n->ntf_known ? n->ntf : -1,
	    n->qry_known ? n->qry : -1, n->learnt, n->rtt_us, n->rtt_at,
	    n->testing_pid, n->testing_until);
	rtpc_pct_encode(n->lasterr, b);
	rtpc_buf_add(b, "\n", 1);
}

/* Write all records to a temporary file and rename it into place. */
static int
write_file(struct rtpc_state *st, struct rtpc_err *err)
{
	struct rtpc_buf b;
	char *tmp = NULL;
	size_t i;
	int fd, rc = -1;

	rtpc_buf_init(&b, STATE_MAX);
	rtpc_buf_addstr(&b, STATE_MAGIC "\n");
	for (i = 0; i < st->n; i++)
		format_node(&b, &st->nodes[i]);
	if (b.toobig || asprintf(&tmp, "%s.%ld", st->path, (long)getpid()) ==
	    -1) {
		rtpc_buf_free(&b);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1)
		rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s", tmp,
		    strerror(errno));
	else if (write(fd, b.data, b.len) != (ssize_t)b.len) {
		rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: write failed", tmp);
		close(fd);
		unlink(tmp);
	} else if (close(fd) == -1 || rename(tmp, st->path) == -1) {
		rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s", st->path,
		    strerror(errno));
		unlink(tmp);
	} else
		rc = 0;
	free(tmp);
	rtpc_buf_free(&b);
	return rc;
}

/*
 * Write back the records this run changed, merged with what other runs
 * wrote meanwhile (their records win for nodes this run left alone).
 */
int
rtpc_state_commit(struct rtpc_state *st, struct rtpc_err *err)
{
	size_t i;
	int lfd, rc, any = 0;

	for (i = 0; i < st->n; i++)
		any |= st->nodes[i].changed;
	if (!any || st->path == NULL)
		return 0;
	if ((lfd = lock_state(st, err)) == -1)
		return -1;
	/* a file that cannot be read is replaced (the open warned) */
	(void)read_file(st, err);
	rc = write_file(st, err);
	close(lfd);
	for (i = 0; i < st->n; i++)
		st->nodes[i].changed = st->nodes[i].health_changed = 0;
	return rc;
}

/*
 * Claim the re-test of a disabled node whose time is up, so that only
 * one run probes it.  Returns 1 when this run got it, 0 when another
 * run holds it (or it is no longer due), -1 on error (then the caller
 * may test it anyway).
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
	if (read_file(st, err) == -1) {
		close(lfd);
		return -1;
	}
	n = rtpc_state_node(st, url);
	if (n != NULL && n->disabled == RTPC_DISABLED_UNTIL &&
	    n->until <= now && (n->testing_until < now ||
	    n->testing_pid == (long)getpid())) {
		n->testing_pid = (long)getpid();
		n->testing_until = now + hold;
		n->changed = n->health_changed = 1;
		got = write_file(st, err) == 0;
		n->changed = n->health_changed = 0;
	}
	close(lfd);
	return got;
}

void
rtpc_state_free(struct rtpc_state *st)
{
	free(st->dir);
	free(st->path);
	free(st->lockpath);
	free(st->nodes);
	memset(st, 0, sizeof(*st));
}
