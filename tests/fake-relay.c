/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fake-relay: a scriptable fake rtpproxy-protocol relay for tests.
 *
 *	fake-relay -l LISTEN -s SCRIPT -o LOG [-p PORTFILE] [-P PIDFILE]
 *	    [-t SECONDS]
 *	fake-relay -c -s SCRIPT		(check a script and exit)
 *
 * LISTEN is udp:ADDR:PORT, udp6:ADDR:PORT (ADDR may be in brackets) or
 * unix:PATH; only loopback addresses are accepted.  Over UDP a command is
 * one datagram "COOKIE COMMAND" and a reply "COOKIE REPLY\n"; over the
 * unix stream socket a command is what one connection sends until EOF, a
 * newline or 100 ms of quiet (1 s before the first byte), the reply is
 * "REPLY\n" and the connection is closed.  Every command is appended to
 * LOG as received (the cookie included), one a line, with bytes outside
 * 0x20-0x7e and the backslash written as \xNN.
 *
 * SCRIPT holds one rule a line, "[N*] PATTERN -> ACTION...", tried in
 * order: the first rule whose fnmatch(3) PATTERN matches the command
 * (trailing CR and LF removed) and that has uses left runs its actions.
 * Actions: reply TEXT (rest of line, a last word "exit" excepted; %p is
 * a port counting 30000, 30002, ..., %% a percent sign), silent,
 * delay MS, cookie WORD, stale N, raw WORD, truncate N, big N, exit.
 * Escapes \n \r \t \\ \xNN work in TEXT and WORD.  "default off"
 * turns off the built-in replies given when no rule matches (see
 * default_reply()).  The script is read again when it changes on disk.
 *
 * The relay stops on SIGTERM, SIGINT, SIGHUP or after -t SECONDS (300),
 * and removes its pid file (and its unix socket, except after "exit").
 *
 * This file uses only libc and POSIX on purpose: it must stay independent
 * of the product code it is used to test.
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* POSIX, st_mtim and err.h even with -std=c11 */
#endif

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define PORT_FIRST	30000		/* first port given by %p */
#define PORT_LAST	65534		/* %p wraps to PORT_FIRST after it */
#define MAX_DGRAM	65536		/* receive buffer for one datagram */
#define MAX_STREAM	65536		/* most bytes read from one connection */
#define STREAM_FIRST_MS	1000		/* wait for the first byte on unix */
#define STREAM_QUIET_MS	100		/* quiet time that ends a command */
#define STREAM_TOTAL_MS	5000		/* longest read of one command */
#define STREAM_WRITE_MS	2000		/* longest write stall on unix */
#define MAX_DELAY	3600000UL	/* ms */
#define MAX_STALE	10000UL
#define MAX_SIZE	1048576UL	/* for truncate and big */

/* A growable byte buffer. */
struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

enum act_kind {
	ACT_REPLY,
	ACT_SILENT,
	ACT_DELAY,
	ACT_COOKIE,
	ACT_STALE,
	ACT_RAW,
	ACT_TRUNCATE,
	ACT_BIG,
	ACT_EXIT
};

/*
 * One action of a rule.  For ACT_REPLY, text is the unexpanded source
 * (escapes and % expansions are done when sending, so %p counts);
 * for ACT_COOKIE and ACT_RAW it holds the decoded bytes.
 */
struct action {
	enum act_kind	 kind;
	unsigned long	 num;
	char		*text;
	size_t		 textlen;
};

struct rule {
	char		*pattern;
	struct action	*acts;
	size_t		 nacts;
	int		 limited;	/* has an N* prefix */
	unsigned long	 uses;		/* uses left, if limited */
};

struct script {
	struct rule	*rules;
	size_t		 nrules;
	int		 defaults;	/* built-in replies enabled */
};

/* Where the reply to the command being handled goes. */
struct peer {
	int			 fd;
	int			 stream;	/* unix stream, no cookie */
	struct sockaddr_storage	 sa;
	socklen_t		 salen;
	const char		*cookie;
	size_t			 cookielen;
};

static struct script		 script;
static struct stat		 script_st;
static const char		*script_path;
static int			 log_fd = -1;
static const char		*pid_path;
static char			*unix_path;
static unsigned int		 next_port = PORT_FIRST;
static struct timespec		 deadline;
static int			 sig_pipe[2] = { -1, -1 };
static int			 dying;		/* "exit" action ran */
static volatile sig_atomic_t	 quit;

static void	 usage(void) __attribute__((__noreturn__));

/* Print the usage message and exit. */
static void
usage(void)
{
	fprintf(stderr,
	    "usage: fake-relay -l listen -s script -o log [-p portfile] "
	    "[-P pidfile]\n"
	    "                  [-t seconds]\n"
	    "       fake-relay -c -s script\n"
	    "listen: udp:127.0.0.1:PORT, udp6:::1:PORT or unix:/path\n");
	exit(2);
}

/* Make room for n more bytes in b. */
static void
buf_grow(struct buf *b, size_t n)
{
	size_t	 ncap;
	char	*p;

	if (b->cap - b->len > n)
		return;
	if (n > SIZE_MAX / 2 - b->len)
		errx(1, "buffer too large");
	ncap = b->cap ? b->cap : 128;
	while (ncap - b->len <= n)
		ncap *= 2;
	if ((p = realloc(b->data, ncap)) == NULL)
		err(1, "realloc");
	b->data = p;
	b->cap = ncap;
}

/* Append n bytes to b; the contents are always NUL-terminated. */
static void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* Append one byte to b. */
static void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

/* Append a NUL-terminated string to b. */
static void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Release the memory of b. */
static void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Milliseconds left until the deadline, 0 when it has passed. */
static int
ms_left(void)
{
	struct timespec	 now;
	long long	 ms;

	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		err(1, "clock_gettime");
	ms = (long long)(deadline.tv_sec - now.tv_sec) * 1000 +
	    (deadline.tv_nsec - now.tv_nsec) / 1000000;
	if (ms <= 0)
		return (0);
	if (ms > INT_MAX)
		return (INT_MAX);
	return ((int)ms);
}

/* Signal handler: ask the main loop to stop and wake up its poll(2). */
static void
on_signal(int sig)
{
	int	 saved = errno;
	char	 c = 0;

	(void)sig;
	quit = 1;
	if (write(sig_pipe[1], &c, 1) == -1) {
		/* Nothing to do: the pipe is full, poll will wake anyway. */
	}
	errno = saved;
}

/* Set O_NONBLOCK and FD_CLOEXEC on fd. */
static void
set_nonblock(int fd)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		err(1, "fcntl O_NONBLOCK");
	if ((fl = fcntl(fd, F_GETFD)) == -1 ||
	    fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1)
		err(1, "fcntl FD_CLOEXEC");
}

/*
 * Sleep for ms milliseconds, waking for signals and the deadline.
 * Return 0 after a full sleep, -1 if the relay must stop.
 */
static int
sleep_ms(unsigned long ms)
{
	struct timespec	 end, now;
	struct pollfd	 pfd;
	long long	 left;
	int		 t;

	if (clock_gettime(CLOCK_MONOTONIC, &end) == -1)
		err(1, "clock_gettime");
	end.tv_sec += (time_t)(ms / 1000);
	end.tv_nsec += (long)(ms % 1000) * 1000000;
	if (end.tv_nsec >= 1000000000) {
		end.tv_sec++;
		end.tv_nsec -= 1000000000;
	}
	for (;;) {
		if (quit || ms_left() == 0)
			return (-1);
		if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
			err(1, "clock_gettime");
		left = (long long)(end.tv_sec - now.tv_sec) * 1000 +
		    (end.tv_nsec - now.tv_nsec + 999999) / 1000000;
		if (left <= 0)
			return (0);
		t = ms_left();
		if (left < t)
			t = (int)left;
		pfd.fd = sig_pipe[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, t) == -1 && errno != EINTR)
			err(1, "poll");
	}
}

/* Write a small file atomically: write a temporary file, rename it. */
static void
write_file_atomic(const char *path, const char *content)
{
	char	 tmp[PATH_MAX];
	size_t	 len = strlen(content);
	ssize_t	 n;
	int	 fd, r;

	r = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (r < 0 || (size_t)r >= sizeof(tmp))
		errx(1, "%s: path too long", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1)
		err(1, "%s", tmp);
	while (len > 0) {
		if ((n = write(fd, content, len)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "%s", tmp);
		}
		content += n;
		len -= (size_t)n;
	}
	if (close(fd) == -1)
		err(1, "%s", tmp);
	if (rename(tmp, path) == -1)
		err(1, "rename %s", path);
}

/* Value of one hexadecimal digit, or -1. */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/*
 * Decode the script text src into out: the escapes \n \r \t \\ \xNN
 * always, and if expand is set the expansions %p (next port; when dry is
 * set, a placeholder that does not use up a port) and %%.
 * Return NULL on success or a message describing the error.
 */
static const char *
decode(const char *src, int expand, int dry, struct buf *out)
{
	const char	*s;
	char		 pbuf[16];
	int		 hi, lo;

	for (s = src; *s != '\0'; s++) {
		if (*s == '\\') {
			s++;
			switch (*s) {
			case 'n':
				buf_addc(out, '\n');
				break;
			case 'r':
				buf_addc(out, '\r');
				break;
			case 't':
				buf_addc(out, '\t');
				break;
			case '\\':
				buf_addc(out, '\\');
				break;
			case 'x':
				if ((hi = hexval((unsigned char)s[1])) == -1 ||
				    (lo = hexval((unsigned char)s[2])) == -1)
					return ("\\x needs two hex digits");
				buf_addc(out, (char)(hi * 16 + lo));
				s += 2;
				break;
			case '\0':
				return ("backslash at end of text");
			default:
				return ("unknown escape");
			}
		} else if (*s == '%' && expand) {
			s++;
			switch (*s) {
			case '%':
				buf_addc(out, '%');
				break;
			case 'p':
				snprintf(pbuf, sizeof(pbuf), "%u",
				    dry ? PORT_FIRST : next_port);
				buf_adds(out, pbuf);
				if (!dry && (next_port += 2) > PORT_LAST)
					next_port = PORT_FIRST;
				break;
			case '\0':
				return ("% at end of text (use %%)");
			default:
				return ("unknown % expansion (use %%)");
			}
		} else
			buf_addc(out, *s);
	}
	return (NULL);
}

/* Release the memory of rule r. */
static void
free_rule(struct rule *r)
{
	size_t	 i;

	for (i = 0; i < r->nacts; i++)
		free(r->acts[i].text);
	free(r->acts);
	free(r->pattern);
	r->acts = NULL;
	r->nacts = 0;
	r->pattern = NULL;
}

/* Release the memory of the rules of sc. */
static void
free_script(struct script *sc)
{
	size_t	 i;

	for (i = 0; i < sc->nrules; i++)
		free_rule(&sc->rules[i]);
	free(sc->rules);
	sc->rules = NULL;
	sc->nrules = 0;
}

/* Skip spaces and tabs. */
static char *
skip_ws(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return (s);
}

/* Cut the next space-separated token off *sp and return it, or NULL. */
static char *
next_token(char **sp)
{
	char	*s = skip_ws(*sp), *t;

	if (*s == '\0')
		return (NULL);
	t = s;
	while (*s != '\0' && *s != ' ' && *s != '\t')
		s++;
	if (*s != '\0')
		*s++ = '\0';
	*sp = s;
	return (t);
}

/* Parse a decimal number no larger than max; return -1 if invalid. */
static int
parse_ulong(const char *s, unsigned long max, unsigned long *res)
{
	unsigned long	 v;
	char		*end;

	if (s == NULL || !isdigit((unsigned char)*s))
		return (-1);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return (-1);
	*res = v;
	return (0);
}

/* realloc(3) an array of n elements of size sz, exiting on failure. */
static void *
xrealloc_array(void *p, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz)
		errx(1, "array too large");
	if ((p = realloc(p, n * sz)) == NULL)
		err(1, "realloc");
	return (p);
}

/* Append an action to rule r. */
static struct action *
add_action(struct rule *r, enum act_kind kind)
{
	struct action	*a;

	a = xrealloc_array(r->acts, r->nacts + 1, sizeof(*r->acts));
	r->acts = a;
	a = &r->acts[r->nacts++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	return (a);
}

/*
 * Parse the actions in s into r.  "reply" takes the rest of the line,
 * except a last word "exit", which is the exit action; "cookie" and "raw"
 * take one word (escapes allowed, \x20 for a space); "delay", "stale",
 * "truncate" and "big" take a number.  Return NULL or an error message.
 */
static const char *
parse_actions(char *s, struct rule *r)
{
	struct action	*a;
	struct buf	 b = { NULL, 0, 0 };
	const char	*msg;
	char		*word, *arg, *e;
	unsigned long	 max;
	int		 has_exit;

	while ((word = next_token(&s)) != NULL) {
		if (r->nacts > 0 && r->acts[r->nacts - 1].kind == ACT_EXIT)
			return ("exit must be the last action");
		if (strcmp(word, "reply") == 0) {
			s = skip_ws(s);
			has_exit = 0;
			e = s + strlen(s);
			if (e - s >= 4 && strcmp(e - 4, "exit") == 0 &&
			    (e - s == 4 || e[-5] == ' ' || e[-5] == '\t')) {
				has_exit = 1;
				e -= 4;
				while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
					e--;
				*e = '\0';
			}
			if ((msg = decode(s, 1, 1, &b)) != NULL) {
				buf_free(&b);
				return (msg);
			}
			buf_free(&b);
			a = add_action(r, ACT_REPLY);
			if ((a->text = strdup(s)) == NULL)
				err(1, "strdup");
			if (has_exit)
				add_action(r, ACT_EXIT);
			return (NULL);
		} else if (strcmp(word, "silent") == 0) {
			add_action(r, ACT_SILENT);
		} else if (strcmp(word, "exit") == 0) {
			add_action(r, ACT_EXIT);
		} else if (strcmp(word, "cookie") == 0 ||
		    strcmp(word, "raw") == 0) {
			if ((arg = next_token(&s)) == NULL)
				return ("missing text");
			if ((msg = decode(arg, 0, 0, &b)) != NULL) {
				buf_free(&b);
				return (msg);
			}
			a = add_action(r, word[0] == 'c' ? ACT_COOKIE : ACT_RAW);
			if (b.data == NULL)
				buf_add(&b, "", 0);
			a->text = b.data;
			a->textlen = b.len;
			b.data = NULL;
			buf_free(&b);
		} else {
			if (strcmp(word, "delay") == 0) {
				a = add_action(r, ACT_DELAY);
				max = MAX_DELAY;
			} else if (strcmp(word, "stale") == 0) {
				a = add_action(r, ACT_STALE);
				max = MAX_STALE;
			} else if (strcmp(word, "truncate") == 0) {
				a = add_action(r, ACT_TRUNCATE);
				max = MAX_SIZE;
			} else if (strcmp(word, "big") == 0) {
				a = add_action(r, ACT_BIG);
				max = MAX_SIZE;
			} else
				return ("unknown action");
			if (parse_ulong(next_token(&s), max, &a->num) == -1)
				return ("missing or invalid number");
		}
	}
	if (r->nacts == 0)
		return ("no action");
	return (NULL);
}

/*
 * Parse one script line into sc.  Lines are "[N*] PATTERN -> ACTIONS",
 * "default off", "default on", blank, or comments starting with "#".
 * Trailing spaces, tabs, CR and LF are ignored.  The arrow is the first
 * "->" with blanks (or the line's end) on both sides.
 * Return NULL or an error message.
 */
static const char *
parse_line(char *line, struct script *sc)
{
	struct rule	 r, *nr;
	const char	*msg;
	char		*s, *e, *arrow, *pat, *p;
	unsigned long	 n;

	e = line + strlen(line);
	while (e > line && (e[-1] == '\n' || e[-1] == '\r' ||
	    e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	s = skip_ws(line);
	if (*s == '\0' || *s == '#')
		return (NULL);

	for (arrow = strstr(s, "->"); arrow != NULL;
	    arrow = strstr(arrow + 1, "->")) {
		if (arrow > s && (arrow[-1] == ' ' || arrow[-1] == '\t') &&
		    (arrow[2] == '\0' || arrow[2] == ' ' || arrow[2] == '\t'))
			break;
	}
	if (arrow == NULL) {
		p = s;
		if ((pat = next_token(&p)) != NULL &&
		    strcmp(pat, "default") == 0 &&
		    (pat = next_token(&p)) != NULL && next_token(&p) == NULL) {
			if (strcmp(pat, "off") == 0) {
				sc->defaults = 0;
				return (NULL);
			}
			if (strcmp(pat, "on") == 0) {
				sc->defaults = 1;
				return (NULL);
			}
		}
		return ("expected \"PATTERN -> ACTIONS\" or \"default off\"");
	}

	memset(&r, 0, sizeof(r));
	e = arrow;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	pat = s;
	/* An "N*" prefix, then blanks, then a non-empty pattern. */
	for (p = pat; isdigit((unsigned char)*p); p++)
		continue;
	if (p > pat && p[0] == '*' && (p[1] == ' ' || p[1] == '\t') &&
	    *skip_ws(p + 1) != '\0') {
		*p = '\0';
		if (parse_ulong(pat, ULONG_MAX, &n) == -1)
			return ("invalid use count");
		r.limited = 1;
		r.uses = n;
		pat = skip_ws(p + 1);
	}
	if (*pat == '\0')
		return ("empty pattern");

	if ((msg = parse_actions(arrow + 2, &r)) != NULL) {
		free_rule(&r);
		return (msg);
	}
	if ((r.pattern = strdup(pat)) == NULL)
		err(1, "strdup");
	nr = xrealloc_array(sc->rules, sc->nrules + 1, sizeof(*sc->rules));
	sc->rules = nr;
	sc->rules[sc->nrules++] = r;
	return (NULL);
}

/*
 * Check the last rule of sc.  The order of its actions is right by
 * construction (reply takes the rest of the line, nothing follows exit);
 * what is left to refuse is a rule both silent and replying.
 */
static const char *
check_rule(const struct script *sc)
{
	const struct rule	*r = &sc->rules[sc->nrules - 1];
	size_t			 i;
	int			 reply = 0, silent = 0;

	for (i = 0; i < r->nacts; i++) {
		if (r->acts[i].kind == ACT_REPLY)
			reply = 1;
		if (r->acts[i].kind == ACT_SILENT)
			silent = 1;
	}
	if (reply && silent)
		return ("silent and reply in one rule");
	return (NULL);
}

/*
 * Read the script from fp into sc.  Errors are reported with the path
 * and line number.  Return 0 or -1.
 */
static int
parse_script(FILE *fp, const char *path, struct script *sc)
{
	const char	*msg;
	char		*line = NULL;
	size_t		 cap = 0, before;
	int		 lineno = 0, rc = 0;

	memset(sc, 0, sizeof(*sc));
	sc->defaults = 1;
	while (getline(&line, &cap, fp) != -1) {
		lineno++;
		before = sc->nrules;
		if ((msg = parse_line(line, sc)) == NULL && sc->nrules > before)
			msg = check_rule(sc);
		if (msg != NULL) {
			warnx("%s:%d: %s", path, lineno, msg);
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		warn("%s", path);
		rc = -1;
	}
	free(line);
	if (rc == -1)
		free_script(sc);
	return (rc);
}

/* Return 1 if a and b describe the same version of a file. */
static int
same_file(const struct stat *a, const struct stat *b)
{
	return (a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec);
}

/*
 * Load the script if it changed since it was last read (or at startup,
 * when initial is set, where errors are fatal).  A script that does not
 * parse later on is reported and the previous rules are kept.
 */
static void
load_script(int initial)
{
	struct script	 ns;
	struct stat	 st;
	FILE		*fp;

	if ((fp = fopen(script_path, "r")) == NULL) {
		if (initial)
			err(1, "%s", script_path);
		warn("%s: keeping the previous rules", script_path);
		return;
	}
	if (fstat(fileno(fp), &st) == -1)
		err(1, "fstat %s", script_path);
	if (!initial && same_file(&st, &script_st)) {
		fclose(fp);
		return;
	}
	script_st = st;
	if (parse_script(fp, script_path, &ns) == -1) {
		fclose(fp);
		if (initial)
			exit(1);
		warnx("%s: keeping the previous rules", script_path);
		return;
	}
	fclose(fp);
	free_script(&script);
	script = ns;
}

/* Append a line to the log: the bytes p[0..n) escaped, then a newline. */
static void
log_command(const char *p, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	struct buf		 b = { NULL, 0, 0 };
	size_t			 i, off;
	ssize_t			 w;
	unsigned char		 c;

	buf_grow(&b, n * 4 + 1);
	for (i = 0; i < n; i++) {
		c = (unsigned char)p[i];
		if (c >= 0x20 && c <= 0x7e && c != '\\')
			buf_addc(&b, (char)c);
		else {
			buf_addc(&b, '\\');
			buf_addc(&b, 'x');
			buf_addc(&b, hex[c >> 4]);
			buf_addc(&b, hex[c & 0xf]);
		}
	}
	buf_addc(&b, '\n');
	for (off = 0; off < b.len; off += (size_t)w) {
		if ((w = write(log_fd, b.data + off, b.len - off)) == -1) {
			if (errno == EINTR) {
				w = 0;
				continue;
			}
			warn("write log");
			break;
		}
	}
	buf_free(&b);
}

/*
 * Write all of p[0..n) to a non-blocking stream socket, waiting at most
 * STREAM_WRITE_MS for each stall.  Return 0 or -1.
 */
static int
stream_write(int fd, const char *p, size_t n)
{
	struct pollfd	 pfd[2];
	ssize_t		 w;
	int		 t;

	while (n > 0) {
		if ((w = write(fd, p, n)) >= 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			warn("write to unix client");
			return (-1);
		}
		if (quit || (t = ms_left()) == 0)
			return (-1);
		if (t > STREAM_WRITE_MS)
			t = STREAM_WRITE_MS;
		pfd[0].fd = fd;
		pfd[0].events = POLLOUT;
		pfd[1].fd = sig_pipe[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, t) == -1 && errno != EINTR)
			err(1, "poll");
		if (pfd[0].revents == 0 && pfd[1].revents == 0) {
			warnx("unix client does not read, reply dropped");
			return (-1);
		}
	}
	return (0);
}

/* Send one message to the peer: a datagram, or bytes on the stream. */
static void
peer_send(struct peer *pe, const char *p, size_t n)
{
	if (pe->stream) {
		(void)stream_write(pe->fd, p, n);
		return;
	}
	if (sendto(pe->fd, p, n, 0, (struct sockaddr *)&pe->sa,
	    pe->salen) == -1)
		warn("sendto (%zu bytes)", n);
}

/*
 * Build and send a reply: the cookie (UDP, or a "cookie" action on
 * unix), a space, the expanded text and a newline, then padded by "big"
 * (before the newline) and cut by "truncate".  big and trunc are 0 when
 * unset; cookie is NULL when there is no cookie override.
 */
static void
send_reply(struct peer *pe, const char *text, const char *cookie,
    size_t cookielen, unsigned long big, unsigned long trunc, int has_trunc)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*msg;

	if (cookie == NULL && !pe->stream) {
		cookie = pe->cookie;
		cookielen = pe->cookielen;
	}
	if (cookie != NULL) {
		buf_add(&b, cookie, cookielen);
		buf_addc(&b, ' ');
	}
	if ((msg = decode(text, 1, 0, &b)) != NULL)
		warnx("reply: %s", msg);	/* checked when parsed */
	while (big > 0 && b.len + 1 < big)
		buf_addc(&b, 'x');
	buf_addc(&b, '\n');
	if (has_trunc && b.len > trunc)
		b.len = trunc;
	peer_send(pe, b.data, b.len);
	buf_free(&b);
}

/*
 * Run the actions of a rule.  Return 1 if the relay must exit now
 * ("exit" action, signal or deadline during a delay), else 0.
 */
static int
run_actions(struct peer *pe, const struct action *acts, size_t n)
{
	const char	*cookie = NULL;
	char		 stale[32];
	size_t		 i, cookielen = 0;
	unsigned long	 big = 0, trunc = 0, j;
	int		 has_trunc = 0, len;

	for (i = 0; i < n; i++) {
		switch (acts[i].kind) {
		case ACT_REPLY:
			send_reply(pe, acts[i].text, cookie, cookielen, big,
			    trunc, has_trunc);
			break;
		case ACT_SILENT:
			break;
		case ACT_DELAY:
			if (sleep_ms(acts[i].num) == -1)
				return (1);
			break;
		case ACT_COOKIE:
			cookie = acts[i].text;
			cookielen = acts[i].textlen;
			break;
		case ACT_STALE:
			for (j = 1; j <= acts[i].num; j++) {
				len = snprintf(stale, sizeof(stale),
				    "stale%lu 0\n", j);
				peer_send(pe, stale, (size_t)len);
			}
			break;
		case ACT_RAW:
			peer_send(pe, acts[i].text, acts[i].textlen);
			break;
		case ACT_TRUNCATE:
			has_trunc = 1;
			trunc = acts[i].num;
			break;
		case ACT_BIG:
			big = acts[i].num;
			break;
		case ACT_EXIT:
			dying = 1;
			return (1);
		}
	}
	return (0);
}

/* Case-insensitive comparison of a whole token with a keyword. */
static int
token_is(const char *tok, size_t len, const char *kw)
{
	return (strlen(kw) == len && strncasecmp(tok, kw, len) == 0);
}

/* The built-in reply text (unexpanded) for cmd, or NULL for none. */
static const char *
default_reply(const char *cmd)
{
	const char	*t0, *t1;
	size_t		 l0, l1;

	t0 = cmd + strspn(cmd, " \t");
	l0 = strcspn(t0, " \t");
	t1 = t0 + l0 + strspn(t0 + l0, " \t");
	l1 = strcspn(t1, " \t");
	if (token_is(t0, l0, "V"))
		return ("20040107");
	if (token_is(t0, l0, "VF")) {
		if (token_is(t1, l1, "20040107") ||
		    token_is(t1, l1, "20050322") ||
		    token_is(t1, l1, "20060704"))
			return ("1");
		return ("0");
	}
	switch (l0 > 0 ? toupper((unsigned char)*t0) : 0) {
	case 'U':
	case 'L':
		return ("%p 127.0.0.1");
	case 'D':
	case 'R':
	case 'P':
	case 'S':
		return ("0");
	case 'Q':
		return ("60 0 0 0 0");
	default:
		return ("E1");
	}
}

/*
 * Handle one received command: log it, reload the script if needed, and
 * answer by the first matching rule with uses left or by the defaults.
 * raw[0..n) is what was received; pe->cookie is set for UDP.
 * Return 1 if the relay must exit now.
 */
static int
handle_command(struct peer *pe, const char *raw, size_t n)
{
	struct rule	*r;
	const char	*p, *text;
	char		*cmd;
	size_t		 i, len;
	int		 rc = 0;

	log_command(raw, n);
	load_script(0);

	if (pe->stream)
		p = raw;
	else if ((p = memchr(raw, ' ', n)) != NULL)
		p++;
	else
		p = raw + n;
	len = n - (size_t)(p - raw);
	if ((cmd = malloc(len + 1)) == NULL)
		err(1, "malloc");
	memcpy(cmd, p, len);
	cmd[len] = '\0';
	len = strlen(cmd);			/* stop at a NUL byte */
	while (len > 0 && (cmd[len - 1] == '\n' || cmd[len - 1] == '\r'))
		cmd[--len] = '\0';

	for (i = 0; i < script.nrules; i++) {
		r = &script.rules[i];
		if (r->limited && r->uses == 0)
			continue;
		if (fnmatch(r->pattern, cmd, 0) != 0)
			continue;
		if (r->limited)
			r->uses--;
		rc = run_actions(pe, r->acts, r->nacts);
		free(cmd);
		return (rc);
	}
	if (script.defaults && (text = default_reply(cmd)) != NULL)
		send_reply(pe, text, NULL, 0, 0, 0, 0);
	free(cmd);
	return (rc);
}

/* Receive one datagram and handle it.  Return 1 to exit. */
static int
handle_udp(int fd, char *rbuf)
{
	struct peer	 pe;
	const char	*sp;
	ssize_t		 n;
	size_t		 clen;

	memset(&pe, 0, sizeof(pe));
	pe.fd = fd;
	pe.salen = sizeof(pe.sa);
	n = recvfrom(fd, rbuf, MAX_DGRAM, 0, (struct sockaddr *)&pe.sa,
	    &pe.salen);
	if (n == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			warn("recvfrom");
		return (0);
	}
	if (n == 0)
		return (0);
	/* The cookie is the first token; all of it if there is no space. */
	if ((sp = memchr(rbuf, ' ', (size_t)n)) != NULL)
		clen = (size_t)(sp - rbuf);
	else {
		clen = (size_t)n;
		while (clen > 0 && (rbuf[clen - 1] == '\n' ||
		    rbuf[clen - 1] == '\r'))
			clen--;
	}
	pe.cookie = rbuf;
	pe.cookielen = clen;
	return (handle_command(&pe, rbuf, (size_t)n));
}

/*
 * Accept one unix connection, read one command (until EOF, a newline,
 * STREAM_QUIET_MS of quiet after some data, STREAM_FIRST_MS without any,
 * STREAM_TOTAL_MS in all or MAX_STREAM bytes), answer and close it.
 * Return 1 to exit.
 */
static int
handle_unix(int lfd, char *rbuf)
{
	struct peer	 pe;
	struct pollfd	 pfd[2];
	struct timespec	 start, now;
	long long	 spent;
	size_t		 got = 0;
	ssize_t		 n;
	int		 fd, rc = 0, t;

	if ((fd = accept(lfd, NULL, NULL)) == -1) {
		if (errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR && errno != ECONNABORTED)
			warn("accept");
		return (0);
	}
	set_nonblock(fd);
	if (clock_gettime(CLOCK_MONOTONIC, &start) == -1)
		err(1, "clock_gettime");
	while (got < MAX_STREAM && !quit) {
		if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
			err(1, "clock_gettime");
		spent = (long long)(now.tv_sec - start.tv_sec) * 1000 +
		    (now.tv_nsec - start.tv_nsec) / 1000000;
		if (spent >= STREAM_TOTAL_MS || (t = ms_left()) == 0)
			break;
		if (t > STREAM_TOTAL_MS - spent)
			t = (int)(STREAM_TOTAL_MS - spent);
		if (t > (got == 0 ? STREAM_FIRST_MS : STREAM_QUIET_MS))
			t = got == 0 ? STREAM_FIRST_MS : STREAM_QUIET_MS;
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = sig_pipe[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, t) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (pfd[1].revents != 0 || pfd[0].revents == 0)
			break;
		n = read(fd, rbuf + got, MAX_STREAM - got);
		if (n == -1) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			warn("read from unix client");
			break;
		}
		if (n == 0)
			break;
		if (memchr(rbuf + got, '\n', (size_t)n) != NULL) {
			got += (size_t)n;
			break;
		}
		got += (size_t)n;
	}
	if (got > 0 && !quit) {
		memset(&pe, 0, sizeof(pe));
		pe.fd = fd;
		pe.stream = 1;
		rc = handle_command(&pe, rbuf, got);
	}
	close(fd);
	return (rc);
}

/*
 * Split "HOST:PORT" at the last colon (HOST may be in brackets), parse
 * it for family and refuse anything but a loopback address.
 */
static void
parse_inet(const char *spec, int family, struct sockaddr_storage *ss,
    socklen_t *sslen)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const char		*colon;
	char			 host[INET6_ADDRSTRLEN + 2], *h;
	unsigned long		 port;
	size_t			 hlen;

	if ((colon = strrchr(spec, ':')) == NULL)
		errx(1, "%s: missing port", spec);
	if (parse_ulong(colon + 1, 65535, &port) == -1)
		errx(1, "%s: invalid port", spec);
	hlen = (size_t)(colon - spec);
	if (hlen >= sizeof(host))
		errx(1, "%s: invalid address", spec);
	memcpy(host, spec, hlen);
	host[hlen] = '\0';
	h = host;
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host[hlen - 1] = '\0';
		h++;
	}
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, h, &sin->sin_addr) != 1)
			errx(1, "%s: invalid IPv4 address", spec);
		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127)
			errx(1, "%s: not a loopback address", h);
		*sslen = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, h, &sin6->sin6_addr) != 1)
			errx(1, "%s: invalid IPv6 address", spec);
		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr))
			errx(1, "%s: not a loopback address", h);
		*sslen = sizeof(*sin6);
	}
}

/*
 * Create and bind the listening socket described by spec; write the
 * bound port to portfile (UDP only) if it is not NULL.  Set *stream for
 * a unix socket.  Return the socket.
 */
static int
open_listen(const char *spec, const char *portfile, int *stream)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_un	 sun;
	struct stat		 st;
	socklen_t		 sslen;
	char			 pbuf[16];
	int			 fd, family, on = 1;

	if (strncmp(spec, "unix:", 5) == 0) {
		*stream = 1;
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (spec[5] == '\0')
			errx(1, "%s: missing path", spec);
		if (strlen(spec + 5) >= sizeof(sun.sun_path))
			errx(1, "%s: path too long", spec);
		memcpy(sun.sun_path, spec + 5, strlen(spec + 5) + 1);
		if (lstat(sun.sun_path, &st) == 0) {
			if (!S_ISSOCK(st.st_mode))
				errx(1, "%s: exists and is not a socket",
				    sun.sun_path);
			if (unlink(sun.sun_path) == -1)
				err(1, "unlink %s", sun.sun_path);
		}
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			err(1, "socket");
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			err(1, "bind %s", sun.sun_path);
		if ((unix_path = strdup(sun.sun_path)) == NULL)
			err(1, "strdup");
		if (listen(fd, 64) == -1)
			err(1, "listen");
		set_nonblock(fd);
		return (fd);
	}

	*stream = 0;
	if (strncmp(spec, "udp:", 4) == 0) {
		family = AF_INET;
		parse_inet(spec + 4, family, &ss, &sslen);
	} else if (strncmp(spec, "udp6:", 5) == 0) {
		family = AF_INET6;
		parse_inet(spec + 5, family, &ss, &sslen);
	} else
		errx(1, "%s: expected udp:, udp6: or unix:", spec);
	if ((fd = socket(family, SOCK_DGRAM, 0)) == -1)
		err(1, "socket");
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
	    &on, sizeof(on)) == -1)
		err(1, "setsockopt IPV6_V6ONLY");
	if (bind(fd, (struct sockaddr *)&ss, sslen) == -1)
		err(1, "bind %s", spec);
	sslen = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) == -1)
		err(1, "getsockname");
	set_nonblock(fd);
	if (portfile != NULL) {
		snprintf(pbuf, sizeof(pbuf), "%u\n", ntohs(family == AF_INET ?
		    ((struct sockaddr_in *)&ss)->sin_port :
		    ((struct sockaddr_in6 *)&ss)->sin6_port));
		write_file_atomic(portfile, pbuf);
	}
	return (fd);
}

/* Install the signal handlers and the self-pipe they write to. */
static void
setup_signals(void)
{
	struct sigaction	 sa;

	if (pipe(sig_pipe) == -1)
		err(1, "pipe");
	set_nonblock(sig_pipe[0]);
	set_nonblock(sig_pipe[1]);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
		err(1, "sigaction");
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		err(1, "sigaction");
}

int
main(int argc, char *argv[])
{
	struct pollfd	 pfd[2];
	const char	*listen_spec = NULL, *log_path = NULL;
	const char	*port_path = NULL;
	char		*rbuf, pbuf[32];
	unsigned long	 secs = 300;
	int		 ch, check = 0, fd, stream, stop = 0;

	while ((ch = getopt(argc, argv, "cl:o:P:p:s:t:")) != -1) {
		switch (ch) {
		case 'c':
			check = 1;
			break;
		case 'l':
			listen_spec = optarg;
			break;
		case 'o':
			log_path = optarg;
			break;
		case 'P':
			pid_path = optarg;
			break;
		case 'p':
			port_path = optarg;
			break;
		case 's':
			script_path = optarg;
			break;
		case 't':
			if (parse_ulong(optarg, 86400, &secs) == -1 ||
			    secs == 0)
				errx(1, "-t %s: expected 1 to 86400", optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || script_path == NULL)
		usage();
	if (check) {
		load_script(1);
		free_script(&script);
		return (0);
	}
	if (listen_spec == NULL || log_path == NULL)
		usage();

	if (clock_gettime(CLOCK_MONOTONIC, &deadline) == -1)
		err(1, "clock_gettime");
	deadline.tv_sec += (time_t)secs;
	setup_signals();
	load_script(1);
	if ((log_fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT, 0644))
	    == -1)
		err(1, "%s", log_path);
	fd = open_listen(listen_spec, port_path, &stream);
	if ((rbuf = malloc(MAX_DGRAM > MAX_STREAM ? MAX_DGRAM : MAX_STREAM))
	    == NULL)
		err(1, "malloc");
	if (pid_path != NULL) {
		snprintf(pbuf, sizeof(pbuf), "%ld\n", (long)getpid());
		write_file_atomic(pid_path, pbuf);
	}

	while (!quit && !stop && ms_left() > 0) {
		pfd[0].fd = fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = sig_pipe[0];
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, ms_left()) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (pfd[1].revents != 0)
			break;
		if (pfd[0].revents == 0)
			continue;
		stop = stream ? handle_unix(fd, rbuf) : handle_udp(fd, rbuf);
	}

	/*
	 * An "exit" action plays a dying node: the unix socket file is left
	 * behind, as after a crash.  The pid file goes in all cases, so that
	 * the test helpers can see the relay is gone.
	 */
	close(fd);
	if (unix_path != NULL && !dying)
		(void)unlink(unix_path);
	if (pid_path != NULL)
		(void)unlink(pid_path);
	close(log_fd);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	free(unix_path);
	free(rbuf);
	free_script(&script);
	return (0);
}
