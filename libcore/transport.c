/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * transport.c: UDP and unix-socket transport for control commands.
 * A transport failure is reported with RTPC_EXIT_NORELAY so that the
 * caller disables the node and moves on; anything else is
 * RTPC_EXIT_FAIL.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "buf.h"
#include "config.h"
#include "transport.h"

/* Monotonic time in milliseconds. */
static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * 32 random bits for the cookie.  It must be unique, not secret: one
 * getrandom(2) is enough (arc4random would first fill a 1 KB keystream
 * and map two pages, a tenth of a short run's own work); when no
 * entropy is at hand yet, the time in nanoseconds.
 */
static unsigned
cookie_salt(void)
{
	struct timespec ts;
	unsigned u;

	if (getrandom(&u, sizeof(u), GRND_NONBLOCK) == (ssize_t)sizeof(u))
		return u;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned)ts.tv_nsec ^ (unsigned)ts.tv_sec;
}

void
rtpc_tx_init(struct rtpc_tx *tx, long tout_ms, int retr, const char *fs)
{
	memset(tx, 0, sizeof(*tx));
	tx->tout_ms = tout_ms;
	tx->retr = retr;
	tx->force_socket = fs;
	/* never reuse a cookie: relays cache replies by cookie alone */
	snprintf(tx->prefix, sizeof(tx->prefix), "%ld_%08x",
	    (long)getpid(), cookie_salt());
}

/*
 * Give the whole run ms milliseconds: no command waits past that, so a
 * silent node is found out (and recorded) before the tool's own hard
 * deadline kills the run.
 */
void
rtpc_tx_set_deadline(struct rtpc_tx *tx, long ms)
{
	tx->end_ms = ms > 0 ? now_ms() + ms : 0;
}

/* Is the run's time up? */
int
rtpc_tx_expired(const struct rtpc_tx *tx)
{
	return tx->end_ms > 0 && now_ms() >= tx->end_ms;
}

void
rtpc_tx_close(struct rtpc_tx *tx)
{
	size_t i;

	for (i = 0; i < tx->nsocks; i++)
		close(tx->socks[i].fd);
	free(tx->socks);
	free(tx->obuf);
	free(tx->ibuf);
	tx->socks = NULL;
	tx->nsocks = tx->socks_cap = 0;
	tx->obuf = tx->ibuf = NULL;
	tx->ocap = tx->icap = 0;
}

static void
trace(struct rtpc_tx *tx, int dir, const struct rtpc_node *n, const char *d,
    size_t len)
{
	if (tx->trace != NULL)
		tx->trace(tx->trace_ctx, dir, n->url, d, len);
}

/* Bind to force_socket ("addr" or "addr:port", "[v6]:port"). */
static int
bind_source(int fd, int family, const char *fs, struct rtpc_err *err)
{
	struct addrinfo hints, *res;
	char host[128], *port = NULL;
	int rc;

	strlcpy(host, fs, sizeof(host));
	if (host[0] == '[') {
		char *rb = strchr(host, ']');

		if (rb == NULL)
			goto bad;
		*rb = '\0';
		if (rb[1] == ':')
			port = rb + 2;
		memmove(host, host + 1, strlen(host + 1) + 1);
	} else if (strchr(host, ':') == strrchr(host, ':') &&
	    (port = strchr(host, ':')) != NULL)
		*port++ = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if (getaddrinfo(host, port ? port : "0", &hints, &res) != 0)
		goto bad;
	rc = bind(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (rc == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "force_socket %s: bind: %s", fs, strerror(errno));
	return 0;
bad:
	return rtpc_err_set(err, RTPC_EXIT_USAGE,
	    "force_socket '%s': not an address of the node's family", fs);
}

/*
 * A numeric address of the node's family as a socket address, without
 * getaddrinfo (its code and its stack stay untouched in the usual
 * case).  Returns 0, or -1 for anything else (a name, a scope id).
 */
static int
numeric_addr(const struct rtpc_node *n, struct sockaddr_storage *ss,
    socklen_t *sslen)
{
	const char *e = NULL;
	long long port;

	port = strtonum(n->port, 1, 65535, &e);
	if (e != NULL)
		return -1;
	memset(ss, 0, sizeof(*ss));
	if (n->scheme == RTPC_UDP6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, n->host, &s6->sin6_addr) != 1)
			return -1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*sslen = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, n->host, &s4->sin_addr) != 1)
			return -1;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*sslen = sizeof(*s4);
	}
	return 0;
}

/* Keep fd as the node's socket. */
static int
udp_keep(struct rtpc_tx *tx, const struct rtpc_node *n, int fd,
    struct rtpc_err *err)
{
	if (tx->nsocks == tx->socks_cap) {
		size_t cap = tx->socks_cap ? tx->socks_cap * 2 : 4;
		void *p = reallocarray(tx->socks, cap, sizeof(*tx->socks));

		if (p == NULL) {
			close(fd);
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
		}
		tx->socks = p;
		tx->socks_cap = cap;
	}
	tx->socks[tx->nsocks].node = n;
	tx->socks[tx->nsocks].fd = fd;
	tx->nsocks++;
	return fd;
}

/* A new socket connected to ss (bound to force_socket if given). */
static int
udp_connect(struct rtpc_tx *tx, const struct rtpc_node *n,
    const struct sockaddr *sa, socklen_t salen, struct rtpc_err *err)
{
	int fd;

	fd = socket(sa->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "socket: %s",
		    strerror(errno));
	if (tx->force_socket != NULL &&
	    bind_source(fd, sa->sa_family, tx->force_socket, err) == -1) {
		close(fd);
		return -1;
	}
	if (connect(fd, sa, salen) == -1) {
		close(fd);
		return rtpc_err_set(err, RTPC_EXIT_NORELAY, "%s: connect: %s",
		    n->url, strerror(errno));
	}
	return fd;
}

/*
 * Open (or reuse) the connected UDP socket of a node; *reused says
 * whether an earlier command of this run used it.
 */
static int
udp_socket(struct rtpc_tx *tx, const struct rtpc_node *n, int *reused,
    struct rtpc_err *err)
{
	struct addrinfo hints, *res;
	struct sockaddr_storage ss;
	socklen_t sslen;
	size_t i;
	int fd, gai;

	for (i = 0; i < tx->nsocks; i++)
		if (tx->socks[i].node == n) {
			*reused = 1;
			return tx->socks[i].fd;
		}
	*reused = 0;
	if (numeric_addr(n, &ss, &sslen) == 0) {
		fd = udp_connect(tx, n, (struct sockaddr *)&ss, sslen, err);
		return fd == -1 ? -1 : udp_keep(tx, n, fd, err);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = n->scheme == RTPC_UDP6 ? AF_INET6 : AF_INET;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	gai = getaddrinfo(n->host, n->port, &hints, &res);
	if (gai == EAI_NONAME) {
		/* a host name: resolve it only now that it is needed */
		hints.ai_flags = AI_NUMERICSERV;
		gai = getaddrinfo(n->host, n->port, &hints, &res);
	}
	if (gai != 0)
		return rtpc_err_set(err, RTPC_EXIT_NORELAY, "%s: %s", n->url,
		    gai_strerror(gai));
	fd = udp_connect(tx, n, res->ai_addr, res->ai_addrlen, err);
	freeaddrinfo(res);
	return fd == -1 ? -1 : udp_keep(tx, n, fd, err);
}

/*
 * Close the socket of a node whose transport failed: the run moves on
 * to another node and keeps at most one socket per node it still uses.
 */
static void
udp_forget(struct rtpc_tx *tx, const struct rtpc_node *n)
{
	size_t i;

	for (i = 0; i < tx->nsocks; i++)
		if (tx->socks[i].node == n) {
			close(tx->socks[i].fd);
			tx->socks[i] = tx->socks[--tx->nsocks];
			return;
		}
}

/* Drop datagrams already waiting: they answer someone else's cookie. */
static void
drain(int fd)
{
	char junk[64];
	int i;

	for (i = 0; i < 1000; i++)
		if (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) < 0)
			break;
}

/* Copy the reply text (after the cookie) without trailing CR/LF. */
static void
take_reply(const char *d, size_t len, char *reply, size_t rsz)
{
	while (len > 0 && (d[len - 1] == '\n' || d[len - 1] == '\r'))
		len--;
	if (len >= rsz)
		len = rsz - 1;
	memcpy(reply, d, len);
	reply[len] = '\0';
}

/*
 * The run's two datagram buffers, allocated once and grown on demand
 * (off the stack: a short run then touches fewer pages).
 */
static int
tx_room(struct rtpc_tx *tx, size_t out, size_t in, struct rtpc_err *err)
{
	char *p;

	if (out > tx->ocap) {
		if ((p = realloc(tx->obuf, out)) == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
		tx->obuf = p;
		tx->ocap = out;
	}
	if (in > tx->icap) {
		if ((p = realloc(tx->ibuf, in)) == NULL)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "out of memory");
		tx->ibuf = p;
		tx->icap = in;
	}
	return 0;
}

/* Put "COOKIE " before the body in tx->obuf; the cookie's length. */
static size_t
put_cookie(struct rtpc_tx *tx)
{
	int c = snprintf(tx->obuf, tx->ocap, "%s_%u ", tx->prefix,
	    tx->seq++);

	return (size_t)c - 1;
}

/*
 * Send the datagram in tx->obuf (dlen bytes, its cookie clen bytes
 * long) until a datagram with the same cookie comes back or the time is
 * up.  On success the reply's bytes after the cookie and its blanks are
 * tx->ibuf[*at, *at + *got).
 */
static int
udp_exchange(struct rtpc_tx *tx, const struct rtpc_node *n, size_t dlen,
    size_t clen, size_t *at, size_t *got, long *rtt_us, struct rtpc_err *err)
{
	const char *dgram = tx->obuf, *cookie = tx->obuf;
	char *in = tx->ibuf;
	size_t insz = tx->icap;
	long long start, deadline, next_send;
	int fd, reused, sent = 0, stale = 0;

	if ((fd = udp_socket(tx, n, &reused, err)) == -1)
		return -1;
	if (reused)	/* a new socket has nothing waiting */
		drain(fd);
	start = now_ms();
	deadline = start + tx->tout_ms * tx->retr;
	if (tx->end_ms > 0 && deadline > tx->end_ms)
		deadline = tx->end_ms;
	next_send = start;
	*rtt_us = 0;
	for (;;) {
		long long t = now_ms();
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t r;
		int wait;

		if (t >= deadline)
			break;
		if (t >= next_send) {
			if (sent == tx->retr)
				break;
			trace(tx, '>', n, dgram, dlen);
			/* the round trip counts from the last send; the relay
			 * may answer before send() returns */
			*rtt_us = (long)-now_us();
			if (send(fd, dgram, dlen, 0) == -1 && errno != EINTR)
				return rtpc_err_set(err, RTPC_EXIT_NORELAY,
				    "%s: send: %s", n->url, strerror(errno));
			sent++;
			next_send = t + tx->tout_ms;
		}
		wait = (int)((next_send < deadline ? next_send : deadline) -
		    now_ms());
		if (wait < 0)
			wait = 0;
		if (poll(&pfd, 1, wait) <= 0)
			continue;
		r = recv(fd, in, insz, MSG_TRUNC);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return rtpc_err_set(err, RTPC_EXIT_NORELAY,
			    "%s: %s", n->url, strerror(errno));
		}
		/* the cookie first: a foreign datagram of any size is stale */
		trace(tx, '<', n, in, (size_t)r < insz - 1 ?
		    (size_t)r : insz - 1);
		if ((size_t)r > clen && memcmp(in, cookie, clen) == 0 &&
		    (in[clen] == ' ' || in[clen] == '\t')) {
			size_t k = clen;

			if ((size_t)r > insz - 1)
				return rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "%s: reply longer than %zu bytes", n->url,
				    insz - 1);
			*rtt_us += (long)now_us();
			while (k < (size_t)r && (in[k] == ' ' ||
			    in[k] == '\t'))
				k++;
			*at = k;
			*got = (size_t)r - k;
			return 0;
		}
		if (++stale > 10000)
			break;
		/* a stale or foreign datagram: keep waiting, same deadline */
	}
	return rtpc_err_set(err, RTPC_EXIT_NORELAY,
	    "%s: no reply after %d tr%s in %ld ms", n->url, sent,
	    sent == 1 ? "y" : "ies", (long)(now_ms() - start));
}

/* A text command: "COOKIE CMD" out, "COOKIE REPLY" back. */
static int
udp_send(struct rtpc_tx *tx, const struct rtpc_node *n, const char *cmd,
    char *reply, size_t rsz, long *rtt_us, struct rtpc_err *err)
{
	const size_t dmax = RTPC_REPLY_MAX + 64;
	size_t clen, dlen, len = strlen(cmd), at, got;

	if (tx_room(tx, dmax, RTPC_REPLY_MAX + 1, err) == -1)
		return -1;
	clen = put_cookie(tx);
	if (clen + 1 + len >= dmax)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "command longer than %zu bytes", dmax - 1);
	memcpy(tx->obuf + clen + 1, cmd, len + 1);
	dlen = clen + 1 + len;
	if (udp_exchange(tx, n, dlen, clen, &at, &got, rtt_us, err) == -1)
		return -1;
	if (memchr(tx->ibuf + at, '\0', got) != NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "%s: reply holds a NUL byte", n->url);
	take_reply(tx->ibuf + at, got, reply, rsz);
	return 0;
}

/*
 * An ng request: "COOKIE " and the bencoded dictionary out, the same
 * cookie and the reply's dictionary back; the reply's bytes (binary)
 * go to reply.  Over UDP only, as rtpengine listens for ng.
 */
int
rtpc_tx_send_ng(struct rtpc_tx *tx, const struct rtpc_node *n,
    const char *req, size_t len, struct rtpc_buf *reply, long *rtt_us,
    struct rtpc_err *err)
{
	size_t clen, at, got;

	if (n->scheme == RTPC_UNIX)
		return rtpc_err_set(err, RTPC_EXIT_USAGE, "%s: ng is spoken "
		    "over UDP only", n->url);
	if (len > RTPC_NG_DGRAM_MAX - 64)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: request longer "
		    "than %d bytes", n->url, RTPC_NG_DGRAM_MAX - 64);
	if (tx_room(tx, len + 64, RTPC_NG_DGRAM_MAX + 1, err) == -1)
		return -1;
	clen = put_cookie(tx);
	memcpy(tx->obuf + clen + 1, req, len);
	if (udp_exchange(tx, n, clen + 1 + len, clen, &at, &got, rtt_us,
	    err) == -1) {
		if (err->code == RTPC_EXIT_NORELAY)
			udp_forget(tx, n);
		return -1;
	}
	rtpc_buf_reset(reply);
	if (rtpc_buf_add(reply, tx->ibuf + at, got) == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	return 0;
}

static int
unix_send(struct rtpc_tx *tx, const struct rtpc_node *n, const char *cmd,
    char *reply, size_t rsz, long *rtt_us, struct rtpc_err *err)
{
	struct sockaddr_un sun;
	char in[RTPC_REPLY_MAX + 1];
	size_t got = 0, len = strlen(cmd), off = 0;
	long long start = now_ms(), deadline;
	long long us = now_us();
	int fd, rc = -1;

	deadline = start + tx->tout_ms * tx->retr;
	if (tx->end_ms > 0 && deadline > tx->end_ms)
		deadline = tx->end_ms;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, n->path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		return rtpc_err_set(err, RTPC_EXIT_USAGE, "%s: path too long",
		    n->url);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "socket: %s",
		    strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 &&
	    errno != EINPROGRESS) {
		rtpc_err_set(err, RTPC_EXIT_NORELAY, "%s: connect: %s", n->url,
		    strerror(errno));
		goto out;
	}
	trace(tx, '>', n, cmd, len);
	while (now_ms() < deadline) {
		struct pollfd pfd = { fd, off < len ? POLLOUT : POLLIN, 0 };
		ssize_t r;

		if (poll(&pfd, 1, (int)(deadline - now_ms())) <= 0)
			continue;
		if (off < len) {
			r = write(fd, cmd + off, len - off);
			if (r < 0 && errno != EAGAIN && errno != EINTR) {
				rtpc_err_set(err, RTPC_EXIT_NORELAY,
				    "%s: write: %s", n->url, strerror(errno));
				goto out;
			}
			if (r > 0)
				off += (size_t)r;
			continue;
		}
		r = read(fd, in + got, sizeof(in) - 1 - got);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0) {
			rtpc_err_set(err, RTPC_EXIT_NORELAY, "%s: read: %s",
			    n->url, strerror(errno));
			goto out;
		}
		got += (size_t)r;
		if (r == 0 || memchr(in, '\n', got) != NULL) {
			trace(tx, '<', n, in, got);
			if (got == 0) {
				rtpc_err_set(err, RTPC_EXIT_NORELAY,
				    "%s: connection closed without a reply",
				    n->url);
				goto out;
			}
			if (memchr(in, '\0', got) != NULL) {
				rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "%s: reply holds a NUL byte", n->url);
				goto out;
			}
			take_reply(in, got, reply, rsz);
			*rtt_us = (long)(now_us() - us);
			rc = 0;
			goto out;
		}
		if (got == sizeof(in) - 1) {
			rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "%s: reply longer than %zu bytes", n->url,
			    sizeof(in) - 1);
			goto out;
		}
	}
	rtpc_err_set(err, RTPC_EXIT_NORELAY, "%s: no reply within %ld ms",
	    n->url, (long)(now_ms() - start));
out:
	close(fd);
	return rc;
}

/*
 * Send cmd (without cookie) to node n; on success the reply text after
 * the cookie is in reply and the round-trip time in *rtt_us.
 */
int
rtpc_tx_send(struct rtpc_tx *tx, const struct rtpc_node *n, const char *cmd,
    char *reply, size_t rsz, long *rtt_us, struct rtpc_err *err)
{
	if (n->scheme == RTPC_UNIX)
		return unix_send(tx, n, cmd, reply, rsz, rtt_us, err);
	if (udp_send(tx, n, cmd, reply, rsz, rtt_us, err) == -1) {
		if (err->code == RTPC_EXIT_NORELAY)
			udp_forget(tx, n);
		return -1;
	}
	return 0;
}
