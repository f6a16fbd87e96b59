/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl-watch.c: "rtpp-ctl watch": listen on the timeout notification
 * socket (timeout_socket: unix:/path or tcp:host:port), take the
 * relays' persistent connections and report each timed-out call.
 *
 * A relay writes "<notify tag>\n" for each session whose ttl ran out;
 * the tag rtpp sends in U is "<call-id> <from-tag>", %-encoded, which
 * the relay decodes before writing it.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "rtpp.h"
#include "cli.h"
#include "ctl.h"

#define CONNS_MAX	64
#define LINE_MAX_	4096

struct conn {
	int	fd;
	int	skipping;	/* dropping the rest of an over-long line */
	size_t	len;
	char	buf[LINE_MAX_];
};

/* Set by SIGINT and SIGTERM: a signal handler has nothing else to write. */
static volatile sig_atomic_t stopping;

/* One run of watch: its options and what its hooks did. */
struct watch_run {
	const struct ctl_watch	*w;
	int			 hooks_running;	/* started, not yet reaped */
	unsigned long		 hooks_dropped;	/* notifications that got none */
	unsigned long		 hooks_nul;	/* not run: a NUL in the line */
	int			 stdout_failed;	/* nobody reads us any more */
};

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * Listen on unix:/path (replacing a stale socket) or tcp:host:port.
 * Returns the socket, -1 when it cannot be opened, -2 when the
 * specification itself is wrong.
 */
static int
listen_on(const char *spec)
{
	int fd;

	if (strncasecmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un sun;
		struct stat sb;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlcpy(sun.sun_path, spec + 5, sizeof(sun.sun_path)) >=
		    sizeof(sun.sun_path)) {
			warnx("%s: path too long", spec);
			return -1;
		}
		if (lstat(sun.sun_path, &sb) == 0 && S_ISSOCK(sb.st_mode))
			unlink(sun.sun_path);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd == -1 || bind(fd, (struct sockaddr *)&sun,
		    sizeof(sun)) == -1 || listen(fd, 16) == -1) {
			warn("%s", spec);
			if (fd != -1)
				close(fd);
			return -1;
		}
		return fd;
	}
	if (strncasecmp(spec, "tcp:", 4) == 0) {
		struct addrinfo hints, *res;
		char host[256], *colon;
		int one = 1, gai;

		strlcpy(host, spec + 4, sizeof(host));
		if ((colon = strrchr(host, ':')) == NULL) {
			warnx("%s: expected tcp:host:port", spec);
			return -2;
		}
		*colon = '\0';
		if (host[0] == '[' && colon > host + 1 && colon[-1] == ']')
			colon[-1] = '\0';	/* tcp:[::1]:port */
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
		if ((gai = getaddrinfo(host[0] == '[' ? host + 1 : host,
		    colon + 1, &hints, &res)) != 0) {
			warnx("%s: %s", spec, gai_strerror(gai));
			return -1;
		}
		fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd != -1)
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
			    sizeof(one));
		if (fd == -1 || bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
		    listen(fd, 16) == -1) {
			warn("%s", spec);
			if (fd != -1)
				close(fd);
			freeaddrinfo(res);
			return -1;
		}
		freeaddrinfo(res);
		return fd;
	}
	warnx("timeout socket '%s': expected unix:/path or tcp:host:port",
	    spec);
	return -2;
}

static void
reap_hooks(struct watch_run *r)
{
	while (r->hooks_running > 0 && waitpid(-1, NULL, WNOHANG) > 0)
		r->hooks_running--;
}

/* In the child: signals as a freshly started program has them. */
static void
default_signals(void)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);	/* fails for KILL, STOP */
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Run cmd (no shell) with the call's data in its environment. */
static void
run_hook(struct watch_run *r, const char *tag, const char *cid,
    const char *ft)
{
	const char *cmd = r->w->exec;
	pid_t pid = fork();

	if (pid == -1) {
		warn("fork");
		r->hooks_dropped++;
		return;
	}
	if (pid == 0) {
		default_signals();
		/* keep our stdout a clean stream of notifications */
		dup2(STDERR_FILENO, STDOUT_FILENO);
		setenv("RTPP_NOTIFY_TAG", tag, 1);
		setenv("RTPP_CALL_ID", cid, 1);
		setenv("RTPP_FROM_TAG", ft, 1);
		execlp(cmd, cmd, (char *)NULL);
		warn("%s", cmd);
		_exit(127);
	}
	r->hooks_running++;
}

/*
 * The --exec hook of one line (call-id is its first clen bytes): at
 * most --max-hooks run at once; a line beyond that gets none, counted
 * and reported (the first at once, the total at the end).
 */
static void
hook(struct watch_run *r, const char *line, size_t n, size_t clen)
{
	char *tag, *cid, *ft;

	reap_hooks(r);
	if (memchr(line, '\0', n) != NULL) {
		if (r->hooks_nul++ == 0)
			warnx("watch: a notification holds a NUL byte: no hook "
			    "run for it (nor for any other such)");
		return;
	}
	if (r->hooks_running >= r->w->max_hooks) {
		if (r->hooks_dropped++ == 0)
			warnx("watch: %d hooks running (--max-hooks): no hook "
			    "for this notification; the total is reported at "
			    "the end", r->hooks_running);
		return;
	}
	tag = rtpc_strndup(line, n);
	cid = rtpc_strndup(line, clen);
	ft = rtpc_strndup(clen < n ? line + clen + 1 : "", clen < n ?
	    n - clen - 1 : 0);
	if (tag == NULL || cid == NULL || ft == NULL) {
		warn(NULL);
		r->hooks_dropped++;
	} else
		run_hook(r, tag, cid, ft);
	free(tag);
	free(cid);
	free(ft);
}

/*
 * One notification line of n bytes: "<call-id> <from-tag>", or a
 * foreign tag.  Text output escapes it (cli_put_text), JSON keeps it
 * exact.
 */
static void
report(struct watch_run *r, const char *line, size_t n)
{
	const struct ctl_watch *w = r->w;
	const char *sp = memchr(line, ' ', n);
	size_t clen = sp ? (size_t)(sp - line) : n;
	const char *ft = sp ? sp + 1 : "";
	size_t flen = sp ? n - clen - 1 : 0;

	if (w->json) {
		printf("{\"event\":\"timeout\",\"time\":%lld,\"call_id\":",
		    (long long)time(NULL));
		cli_json_strn(line, clen);
		printf(",\"from_tag\":");
		cli_json_strn(ft, flen);
		printf(",\"tag\":");
		cli_json_strn(line, n);
		printf("}\n");
	} else {
		fputs("timeout call-id=", stdout);
		cli_put_text(stdout, line, clen, 0);
		fputs(" from-tag=", stdout);
		cli_put_text(stdout, ft, flen, 0);
		putchar('\n');
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		warn("stdout");
		r->stdout_failed = 1;
	}
	if (w->exec != NULL)
		hook(r, line, n, clen);
}

/*
 * Take the complete lines out of a connection's buffer, reporting at
 * most max - *seen of them (max 0: no limit).
 */
static void
take_lines(struct watch_run *r, struct conn *c, int *seen)
{
	const struct ctl_watch *w = r->w;
	char *nl;

	while ((nl = memchr(c->buf, '\n', c->len)) != NULL) {
		size_t n = (size_t)(nl - c->buf);
		char line[LINE_MAX_];

		memcpy(line, c->buf, n);
		line[n] = '\0';
		memmove(c->buf, nl + 1, c->len - n - 1);
		c->len -= n + 1;
		if (c->skipping) {
			c->skipping = 0;	/* the end of the long line */
			continue;
		}
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n > 0 && (w->max == 0 || *seen < w->max)) {
			report(r, line, n);
			(*seen)++;
		}
	}
	if (c->len == sizeof(c->buf)) {
		if (!c->skipping)
			warnx("notification longer than %zu bytes dropped",
			    sizeof(c->buf) - 1);
		c->skipping = 1;
		c->len = 0;
	}
}

static void
close_conn(struct conn *cs, int *n, int i)
{
	close(cs[i].fd);
	cs[i] = cs[--*n];
}

/*
 * Listen until stopped (SIGINT/SIGTERM), or until --max notifications
 * or --for seconds when given.  Returns the exit status.
 */
int
ctl_watch(const struct ctl_watch *w)
{
	static struct conn cs[CONNS_MAX];
	struct pollfd pfd[CONNS_MAX + 1];
	struct sigaction sa;
	struct watch_run run = { .w = w };
	long long end = w->for_s > 0 ? (long long)time(NULL) + w->for_s : 0;
	int lfd, n = 0, seen = 0, i;

	if (w->socket == NULL || *w->socket == '\0') {
		warnx("watch: no timeout socket: set timeout_socket or "
		    "--timeout-socket");
		return RTPC_EXIT_USAGE;
	}
	if ((lfd = listen_on(w->socket)) < 0)
		return lfd == -2 ? RTPC_EXIT_USAGE : RTPC_EXIT_FAIL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (w->ready != NULL)
		w->ready();
	while (!stopping && !run.stdout_failed &&
	    (w->max == 0 || seen < w->max)) {
		int wait = 1000;

		reap_hooks(&run);
		if (end > 0 && (long long)time(NULL) >= end)
			break;
		pfd[0].fd = lfd;
		pfd[0].events = POLLIN;
		for (i = 0; i < n; i++) {
			pfd[i + 1].fd = cs[i].fd;
			pfd[i + 1].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)n + 1, wait) <= 0)
			continue;
		for (i = n - 1; i >= 0; i--) {
			ssize_t r;

			if (!(pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(cs[i].fd, cs[i].buf + cs[i].len,
			    sizeof(cs[i].buf) - cs[i].len);
			if (r <= 0) {
				close_conn(cs, &n, i);	/* the relay reconnects */
				continue;
			}
			cs[i].len += (size_t)r;
			take_lines(&run, &cs[i], &seen);
		}
		if (pfd[0].revents & POLLIN) {
			int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

			if (fd == -1)
				continue;
			if (n == CONNS_MAX) {
				close(fd);
				continue;
			}
			cs[n].fd = fd;
			cs[n].len = 0;
			cs[n].skipping = 0;
			n++;
		}
	}
	for (i = n - 1; i >= 0; i--)
		close_conn(cs, &n, i);
	close(lfd);
	reap_hooks(&run);
	if (run.hooks_dropped > 0)
		warnx("watch: %lu notification%s got no hook: --max-hooks %d "
		    "were running", run.hooks_dropped, run.hooks_dropped == 1 ?
		    "" : "s", w->max_hooks);
	if (run.hooks_nul > 0)
		warnx("watch: %lu notification%s with a NUL byte got no hook",
		    run.hooks_nul, run.hooks_nul == 1 ? "" : "s");
	if (strncasecmp(w->socket, "unix:", 5) == 0)
		unlink(w->socket + 5);
	return run.stdout_failed ? RTPC_EXIT_FAIL : 0;
}
