/*
 * oneshot.c: the floor for one run of a tool: start, send one control
 * command over UDP to a loopback relay, wait for its reply, exit.
 *   oneshot PORT [COMMAND]   (COMMAND defaults to "V"; %d = pid)
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

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	struct pollfd pfd;
	char buf[512], cmd[256];
	int fd, n;

	if (argc < 2)
		return 2;
	snprintf(cmd, sizeof(cmd), argc > 2 ? argv[2] : "V", (int)getpid());
	n = snprintf(buf, sizeof(buf), "%d_1 %s", (int)getpid(), cmd);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    send(fd, buf, (size_t)n, 0) != n)
		return 1;
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 2000) != 1 || recv(fd, buf, sizeof(buf), 0) <= 0)
		return 1;
	return 0;
}
