/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * oneshot.c: the floor for one run of a filter that talks to a relay:
 * start, read stdin whole, open a UDP socket, do COUNT control round
 * trips (each waits for its reply), write what was read to stdout, exit.
 *   oneshot PORT [COUNT [COMMAND]] <in >out
 * COUNT defaults to 1; COMMAND defaults to "V" and may hold one %d,
 * replaced by the round trip's number.  This is what rtpp-offer and
 * rtpp-answer must do at the least, without parsing, rewriting, options,
 * configuration or state.  Built the same way as the tools (same libc,
 * same static or dynamic link), by "make bench".
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Copy t into dst with its first "%d" replaced by n. */
static void
subst(char *dst, size_t sz, const char *t, int n)
{
	const char *p = strstr(t, "%d");

	if (p == NULL)
		snprintf(dst, sz, "%s", t);
	else
		snprintf(dst, sz, "%.*s%d%s", (int)(p - t), t, n, p + 2);
}

/* Read fd 0 to its end; return the bytes in a malloc'd buffer. */
static char *
slurp(size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap), *nb;
	ssize_t r;

	if (b == NULL)
		return NULL;
	for (;;) {
		if (n == cap) {
			if (cap > (1u << 24) || (nb = realloc(b, cap * 2)) == NULL)
				break;
			b = nb;
			cap *= 2;
		}
		if ((r = read(0, b + n, cap - n)) <= 0) {
			if (r == 0) {
				*len = n;
				return b;
			}
			break;
		}
		n += (size_t)r;
	}
	free(b);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	char buf[512], cmd[256], *in;
	size_t inlen, off;
	ssize_t w;
	int fd, n, i, count;

	if (argc < 2)
		return 2;
	count = argc > 2 ? atoi(argv[2]) : 1;
	if (count < 1 || count > 1000)
		return 2;
	if ((in = slurp(&inlen)) == NULL)
		return 1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return 1;
	for (i = 0; i < count; i++) {
		subst(cmd, sizeof(cmd), argc > 3 ? argv[3] : "V", i + 1);
		n = snprintf(buf, sizeof(buf), "%d_%d %s", (int)getpid(), i,
		    cmd);
		if (send(fd, buf, (size_t)n, 0) != n)
			return 1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 2000) != 1 ||
		    recv(fd, buf, sizeof(buf), 0) <= 0)
			return 1;
	}
	for (off = 0; off < inlen; off += (size_t)w)
		if ((w = write(1, in + off, inlen - off)) <= 0)
			return 1;
	free(in);
	return 0;
}
