/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * oneshot.c: the floor for one run of a tool: start, send one control
 * command over UDP to a loopback relay, wait for its reply, exit.
 *   oneshot PORT [COUNT [COMMAND]]
 * COUNT round trips in a row (default 1); COMMAND defaults to "V" and
 * may hold one %d, replaced by the round trip's number.
 * Built the same way as the tools (same libc, same static/dynamic link).
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

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	char buf[512], cmd[256];
	int fd, n, i, count;

	if (argc < 2)
		return 2;
	count = argc > 2 ? atoi(argv[2]) : 1;
	if (count < 1 || count > 1000)
		return 2;
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
	return 0;
}
