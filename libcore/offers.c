/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * offers.c: rtpp-manage's late-offer memory (moved out of state.c).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "buf.h"
#include "offers.h"
#include "state.h"

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

/*
 * Late offers: rtpp-manage remembers each INVITE that came without SDP
 * ("<time> <cseq> <call-id>" lines in <dir>/offers), so that a reply
 * with SDP to it is known to be an offer (U) and not an answer (L).
 * Entries older than OFFERS_TTL are dropped when the file is rewritten.
 */
#define OFFERS_TTL	600
#define OFFERS_MAX	(256 * 1024)

static char *
offers_path(const char *dir)
{
	char *p = NULL;
	char *d = dir ? strdup(dir) : rtpc_state_default_dir();

	if (d != NULL && asprintf(&p, "%s/offers", d) == -1)
		p = NULL;
	free(d);
	return p;
}

/* Read the whole offers file (NULL when missing or unreadable). */
static char *
offers_read(const char *path, size_t *len)
{
	struct stat sb;
	char *buf;
	ssize_t r;
	int fd;

	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size > OFFERS_MAX * 2 ||
	    (buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		return NULL;
	}
	while (*len < (size_t)sb.st_size &&
	    (r = read(fd, buf + *len, (size_t)sb.st_size - *len)) > 0)
		*len += (size_t)r;
	close(fd);
	buf[*len] = '\0';
	return buf;
}

/* Is "<cseq> <callid>" in the file, younger than OFFERS_TTL? */
int
rtpc_offers_known(const char *dir, const char *callid, const char *cseq)
{
	char *path, *buf, *line, *save = NULL;
	long long now = rtpc_now();
	size_t len;
	int found = 0;

	if (dir != NULL && *dir == '\0')
		return 0;
	if ((path = offers_path(dir)) == NULL)
		return 0;
	buf = offers_read(path, &len);
	free(path);
	if (buf == NULL)
		return 0;
	for (line = strtok_r(buf, "\n", &save); line != NULL && !found;
	    line = strtok_r(NULL, "\n", &save)) {
		char *a = strchr(line, ' '), *b2;

		if (a == NULL || (b2 = strchr(a + 1, ' ')) == NULL)
			continue;
		*a = *b2 = '\0';
		found = now - atoll(line) < OFFERS_TTL &&
		    strcmp(a + 1, cseq) == 0 && strcmp(b2 + 1, callid) == 0;
	}
	free(buf);
	return found;
}

/* Remember an INVITE without SDP; rewrite the file when it grows. */
int
rtpc_offers_note(const char *dir, const char *callid, const char *cseq,
    struct rtpc_err *err)
{
	struct rtpc_state st;
	char *path, *line = NULL;
	long long now = rtpc_now();
	int lfd, fd, rc = -1;
	struct stat sb;

	if (dir != NULL && *dir == '\0')
		return 0;
	memset(&st, 0, sizeof(st));
	if ((path = offers_path(dir)) == NULL ||
	    (st.dir = dir ? strdup(dir) : rtpc_state_default_dir()) == NULL ||
	    asprintf(&st.lockpath, "%s.lock", path) == -1 ||
	    asprintf(&line, "%lld %s %s\n", now, cseq, callid) == -1) {
		free(path);
		free(st.dir);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	if ((lfd = lock_state(&st, err)) == -1)
		goto out;
	if (stat(path, &sb) == 0 && sb.st_size > OFFERS_MAX) {
		/* keep only the young entries */
		size_t len, i = 0;
		char *buf = offers_read(path, &len);
		struct rtpc_buf keep;

		rtpc_buf_init(&keep, OFFERS_MAX * 2);
		while (buf != NULL && i < len) {
			char *nl = memchr(buf + i, '\n', len - i);
			size_t ll = nl ? (size_t)(nl - (buf + i)) + 1 : len - i;

			if (now - atoll(buf + i) < OFFERS_TTL)
				rtpc_buf_add(&keep, buf + i, ll);
			i += ll;
		}
		free(buf);
		fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
		if (fd != -1) {
			/* losing old entries is harmless: they are hints */
			if (keep.len > 0 && write(fd, keep.data, keep.len) !=
			    (ssize_t)keep.len && ftruncate(fd, 0) == -1)
				unlink(path);
			close(fd);
		}
		rtpc_buf_free(&keep);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd == -1)
		rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s", path,
		    strerror(errno));
	else {
		if (write(fd, line, strlen(line)) == (ssize_t)strlen(line))
			rc = 0;
		else
			rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: write failed",
			    path);
		close(fd);
	}
	close(lfd);
out:
	free(line);
	free(path);
	free(st.dir);
	free(st.lockpath);
	return rc;
}
