/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * transport.c: UDP and unix-socket transport for control commands.
 * A transport failure is reported with RTPC_EXIT_NORELAY so that the
 * caller disables the node and moves on; anything else is
 * RTPC_EXIT_FAIL.
 */
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

void
rtpc_tx_init(struct rtpc_tx *tx, long tout_ms, int retr, const char *fs)
{
	memset(tx, 0, sizeof(*tx));
	tx->tout_ms = tout_ms;
	tx->retr = retr;
	tx->force_socket = fs;
	/* never reuse a cookie: relays cache replies by cookie alone */
	snprintf(tx->prefix, sizeof(tx->prefix), "%ld_%08x",
	    (long)getpid(), arc4random());
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
	tx->socks = NULL;
	tx->nsocks = tx->socks_cap = 0;
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

/* Open (or reuse) the connected UDP socket of a node. */
static int
udp_socket(struct rtpc_tx *tx, const struct rtpc_node *n,
    struct rtpc_err *err)
{
	struct addrinfo hints, *res;
	size_t i;
	int fd, gai;

	for (i = 0; i < tx->nsocks; i++)
		if (tx->socks[i].node == n)
			return tx->socks[i].fd;
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
	fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		freeaddrinfo(res);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "socket: %s",
		    strerror(errno));
	}
	if (tx->force_socket != NULL &&
	    bind_source(fd, res->ai_family, tx->force_socket, err) == -1) {
		freeaddrinfo(res);
		close(fd);
		return -1;
	}
	if (connect(fd, res->ai_addr, res->ai_addrlen) == -1) {
		freeaddrinfo(res);
		close(fd);
		return rtpc_err_set(err, RTPC_EXIT_NORELAY, "%s: connect: %s",
		    n->url, strerror(errno));
	}
	freeaddrinfo(res);
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

static int
udp_send(struct rtpc_tx *tx, const struct rtpc_node *n, const char *cmd,
    char *reply, size_t rsz, long *rtt_us, struct rtpc_err *err)
{
	char dgram[RTPC_REPLY_MAX + 64], in[RTPC_REPLY_MAX + 1];
	char cookie[64];
	size_t clen, dlen;
	long long start, deadline, next_send;
	int fd, sent = 0, stale = 0;

	if ((fd = udp_socket(tx, n, err)) == -1)
		return -1;
	clen = (size_t)snprintf(cookie, sizeof(cookie), "%s_%u", tx->prefix,
	    tx->seq++);
	dlen = (size_t)snprintf(dgram, sizeof(dgram), "%s %s", cookie, cmd);
	if (dlen >= sizeof(dgram))
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "command longer than %zu bytes", sizeof(dgram) - 1);
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
		ssize_t got;
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
		got = recv(fd, in, sizeof(in), MSG_TRUNC);
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return rtpc_err_set(err, RTPC_EXIT_NORELAY,
			    "%s: %s", n->url, strerror(errno));
		}
		/* the cookie first: a foreign datagram of any size is stale */
		trace(tx, '<', n, in, (size_t)got < sizeof(in) - 1 ?
		    (size_t)got : sizeof(in) - 1);
		if ((size_t)got > clen && memcmp(in, cookie, clen) == 0 &&
		    (in[clen] == ' ' || in[clen] == '\t')) {
			size_t k = clen;

			if ((size_t)got > sizeof(in) - 1)
				return rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "%s: reply longer than %zu bytes", n->url,
				    sizeof(in) - 1);

			*rtt_us += (long)now_us();
			while (k < (size_t)got && (in[k] == ' ' ||
			    in[k] == '\t'))
				k++;
			if (memchr(in + k, '\0', (size_t)got - k) != NULL)
				return rtpc_err_set(err, RTPC_EXIT_FAIL,
				    "%s: reply holds a NUL byte", n->url);
			take_reply(in + k, (size_t)got - k, reply, rsz);
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
