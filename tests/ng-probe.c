/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ng-probe: send one ng command built by libcore (ng.h) to a relay and
 * print its reply, for tests/ng.bats against the real rtpengine.
 *
 *	ng-probe [-D] [-w MS] [-c CALLID] [-f FROMTAG] [-t TOTAG] [-b BRANCH]
 *	    [-s SDPFILE] [-F LETTERS] [-A 4|6] [-M ADDR] [-R ADDR]
 *	    [-I remove|force|force-relay|default] [-m FILE] [-n REPEAT]
 *	    [-S OUTFILE] [-r RAW] [-T] HOST PORT COMMAND
 *
 * COMMAND is an ng command name ("ping", "offer", "start recording").
 * -F passes the module's flag letters through rtpc_ng_flags (-A gives
 * the media's family for x); -r sends "COOKIE RAW" instead of a built
 * request.  Output: the reply's dictionary flattened, one "path=value"
 * line per string or integer (lists and dictionaries by path, bytes
 * outside 0x20-0x7e as \xNN, CR and LF as \r and \n), first "result=";
 * -S writes the reply's sdp to OUTFILE as it came; -D prints the request
 * first, as "request=" and the datagram, escaped the same way.
 * -T sends through libcore's transport (rtpc_tx_send_ng: its cookie,
 * resends and reply matching) instead of this program's own socket code;
 * -D then prints the dictionary without a cookie.
 * Exit: 0 ok/pong, 1 error reply or unusable reply (the message on
 * stderr), 2 usage, 3 no reply within -w ms (default 2000).
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "buf.h"
#include "bencode.h"
#include "config.h"
#include "ng.h"
#include "transport.h"

static const char *
cmd_arg(const char *s, enum rtpc_ng_cmd *cmd)
{
	int i;

	for (i = 0; rtpc_ng_cmd_name((enum rtpc_ng_cmd)i) != NULL; i++)
		if (strcmp(rtpc_ng_cmd_name((enum rtpc_ng_cmd)i), s) == 0) {
			*cmd = (enum rtpc_ng_cmd)i;
			return s;
		}
	return NULL;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct rtpc_buf b;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	rtpc_buf_init(&b, 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (rtpc_buf_add(&b, chunk, n) == -1) {
			fclose(f);
			rtpc_buf_free(&b);
			return NULL;
		}
	fclose(f);
	if (b.data == NULL && rtpc_buf_add(&b, "", 0) == -1)
		return NULL;
	*len = b.len;
	return b.data;
}

static void
put_escaped(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r')
			fputs("\\r", stdout);
		else if (c == '\n')
			fputs("\\n", stdout);
		else if (c == '\\')
			fputs("\\\\", stdout);
		else if (c < 0x20 || c > 0x7e)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/* Print every leaf under v as PATH=VALUE; depth is bounded by the
 * decoder's limit. */
static void
flatten(const struct rtpc_benc *v, struct rtpc_buf *path)
{
	const struct rtpc_benc *c;
	size_t at = path->len, i = 0;

	switch (v->type) {
	case RTPC_BENC_STR:
		put_escaped(path->data, path->len);
		putchar('=');
		put_escaped(v->str, v->len);
		putchar('\n');
		return;
	case RTPC_BENC_INT:
		put_escaped(path->data, path->len);
		printf("=%lld\n", v->num);
		return;
	case RTPC_BENC_LIST:
	case RTPC_BENC_DICT:
		for (c = v->child; c != NULL; c = c->next, i++) {
			if (at == 0 && v->type == RTPC_BENC_DICT &&
			    rtpc_benc_str_is(&(struct rtpc_benc){ .type =
			    RTPC_BENC_STR, .str = c->key, .len = c->keylen },
			    "result"))
				continue;	/* printed first */
			if (at > 0 && rtpc_buf_add(path, ".", 1) == -1)
				return;
			if (v->type == RTPC_BENC_DICT ?
			    rtpc_buf_add(path, c->key, c->keylen) == -1 :
			    rtpc_buf_printf(path, "%zu", i) == -1)
				return;
			flatten(c, path);
			path->len = at;
			path->data[at] = '\0';
		}
		return;
	}
}

static int
udp_connect(const char *host, const char *port)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype, 0)) == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Send the request (again after a third of the time without a reply,
 * as rtpengine answers a resent cookie from its cache) and wait for
 * the datagram with our cookie.  Returns its length, or -1. */
static ssize_t
exchange(int fd, const struct rtpc_buf *req, const char *cookie,
    char *rbuf, size_t rsize, int wait_ms)
{
	long long deadline = now_ms() + wait_ms, next = 0;
	int sends = 0, loops;

	for (loops = 0; loops < 10000; loops++) {
		long long t = now_ms();
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (t >= deadline)
			return -1;
		if (t >= next && sends < 3) {
			if (send(fd, req->data, req->len, 0) == -1 &&
			    errno != ECONNREFUSED)
				return -1;
			sends++;
			next = t + wait_ms / 3;
		}
		if (poll(&pfd, 1, (int)((sends < 3 ? next : deadline) - t)) <= 0)
			continue;
		if ((n = recv(fd, rbuf, rsize, 0)) == -1)
			continue;
		if (rtpc_ng_reply_cookie(cookie, rbuf, (size_t)n))
			return n;
	}
	return -1;
}

/* The request through libcore's transport; the reply's dictionary in
 * rb.  Returns 0, 3 when no reply came, 2 otherwise. */
static int
via_transport(const char *host, const char *port, const struct rtpc_buf *req,
    int wait_ms, struct rtpc_buf *rb, struct rtpc_err *err)
{
	struct rtpc_pset ps;
	struct rtpc_tx tx;
	char url[300];
	long rtt;
	int rc;

	snprintf(url, sizeof(url), strchr(host, ':') != NULL ?
	    "udp6:[%s]:%s" : "udp:%s:%s", host, port);
	memset(&ps, 0, sizeof(ps));
	if (rtpc_pset_parse(&ps, url, NULL, err) == -1)
		return 2;
	rtpc_tx_init(&tx, wait_ms / 3 > 0 ? wait_ms / 3 : 1, 3, NULL);
	rc = rtpc_tx_send_ng(&tx, &ps.nodes[0], req->data, req->len, rb,
	    &rtt, err);
	rtpc_tx_close(&tx);
	rtpc_pset_free(&ps);
	if (rc == 0)
		return 0;
	return err->code == RTPC_EXIT_NORELAY ? 3 : 2;
}

static int	show_reply(struct rtpc_ng_reply *, int, const char *,
		    struct rtpc_err *);

static void
usage(void)
{
	fprintf(stderr, "usage: ng-probe [-D] [-w ms] [-c callid] [-f fromtag] "
	    "[-t totag] [-b branch] [-s sdpfile] [-F letters] [-A 4|6] "
	    "[-M addr] [-R addr] [-I ice] [-m file] [-n repeat] "
	    "[-S outfile] [-r raw] [-T] host port command\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct rtpc_ng_req rq;
	struct rtpc_ng_opts opts;
	struct rtpc_ng_reply rep;
	struct rtpc_err err;
	struct rtpc_buf req;
	const char *letters = NULL, *raw = NULL, *sdpfile = NULL;
	const char *outfile = NULL, *media = NULL, *recv_from = NULL;
	const char *ice = NULL;
	char cookie[64], *sdp = NULL, *rbuf;
	size_t sdplen = 0;
	ssize_t n;
	int ch, fd, wait_ms = 2000, af = 4, rc, dump = 0, viatx = 0;

	memset(&rq, 0, sizeof(rq));
	while ((ch = getopt(argc, argv, "Dw:c:f:t:b:s:F:A:M:R:I:m:n:S:r:T")) != -1) {
		switch (ch) {
		case 'D': dump = 1; break;
		case 'w': wait_ms = atoi(optarg); break;
		case 'c': rq.call_id = optarg; break;
		case 'f': rq.from_tag = optarg; break;
		case 't': rq.to_tag = optarg; break;
		case 'b': rq.via_branch = optarg; break;
		case 's': sdpfile = optarg; break;
		case 'F': letters = optarg; break;
		case 'A': af = atoi(optarg); break;
		case 'M': media = optarg; break;
		case 'R': recv_from = optarg; break;
		case 'I': ice = optarg; break;
		case 'm': rq.file = optarg; break;
		case 'n': rq.repeat = atoll(optarg); break;
		case 'S': outfile = optarg; break;
		case 'r': raw = optarg; break;
		case 'T': viatx = 1; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3 || wait_ms < 1 || wait_ms > 60000 ||
	    cmd_arg(argv[2], &rq.cmd) == NULL)
		usage();
	if (sdpfile != NULL && (sdp = read_file(sdpfile, &sdplen)) == NULL) {
		fprintf(stderr, "ng-probe: %s: cannot read\n", sdpfile);
		return 2;
	}
	rq.sdp = sdp;
	rq.sdplen = sdplen;
	rtpc_err_clear(&err);
	if (rtpc_ng_flags(letters, rq.cmd, af, &opts, &err) == -1) {
		fprintf(stderr, "ng-probe: %s\n", err.msg);
		return err.code;
	}
	opts.media_address = media;
	opts.received_from = recv_from;
	if (ice != NULL)
		opts.ice = strcmp(ice, "remove") == 0 ? RTPC_NG_ICE_REMOVE :
		    strcmp(ice, "force") == 0 ? RTPC_NG_ICE_FORCE :
		    strcmp(ice, "force-relay") == 0 ?
		    RTPC_NG_ICE_FORCE_RELAY : RTPC_NG_ICE_DEFAULT;
	rq.opts = &opts;
	snprintf(cookie, sizeof(cookie), "p%ld-%lld", (long)getpid(),
	    now_ms());
	rtpc_buf_init(&req, 65536);
	if (viatx)
		rc = raw != NULL ? rtpc_buf_addstr(&req, raw) : rtpc_ng_encode(&rq,
		    &req, &err);
	else if (raw != NULL)
		rc = rtpc_buf_printf(&req, "%s %s", cookie, raw) == -1 ?
		    rtpc_err_set(&err, 2, "raw request too long") : 0;
	else
		rc = rtpc_ng_build(cookie, &rq, &req, &err);
	free(sdp);
	if (rc == -1) {
		fprintf(stderr, "ng-probe: %s\n", err.msg);
		rtpc_buf_free(&req);
		return 2;
	}
	if (dump) {
		fputs("request=", stdout);
		put_escaped(req.data, req.len);
		putchar('\n');
	}
	if (viatx) {
		struct rtpc_buf rb;

		rtpc_buf_init(&rb, 0);
		rc = via_transport(argv[0], argv[1], &req, wait_ms, &rb, &err);
		rtpc_buf_free(&req);
		if (rc != 0) {
			fprintf(stderr, "ng-probe: %s\n", err.msg);
			rtpc_buf_free(&rb);
			return rc;
		}
		rc = rtpc_ng_reply_dict(rb.data, rb.len, &rep, &err);
		rc = show_reply(&rep, rc, outfile, &err);
		rtpc_buf_free(&rb);
		return rc;
	}
	if ((fd = udp_connect(argv[0], argv[1])) == -1) {
		fprintf(stderr, "ng-probe: %s:%s: cannot connect\n", argv[0],
		    argv[1]);
		rtpc_buf_free(&req);
		return 2;
	}
	if ((rbuf = malloc(65536)) == NULL)
		return 2;
	n = exchange(fd, &req, cookie, rbuf, 65536, wait_ms);
	close(fd);
	rtpc_buf_free(&req);
	if (n == -1) {
		fprintf(stderr, "ng-probe: no reply within %d ms\n", wait_ms);
		free(rbuf);
		return 3;
	}
	rc = rtpc_ng_reply_parse(cookie, rbuf, (size_t)n, &rep, &err);
	rc = show_reply(&rep, rc, outfile, &err);
	free(rbuf);
	return rc;
}

/* Print the parsed reply (rc: the parse's result), write its SDP to
 * outfile; the exit status.  Frees the reply. */
static int
show_reply(struct rtpc_ng_reply *rep, int rc, const char *outfile,
    struct rtpc_err *err)
{
	struct rtpc_buf path;
	const char *s;
	size_t len;

	if (rep->dict != NULL) {
		if (rtpc_benc_get_str(rep->dict, "result", &s, &len) == 0) {
			fputs("result=", stdout);
			put_escaped(s, len);
			putchar('\n');
		}
		rtpc_buf_init(&path, 0);
		if (rtpc_buf_add(&path, "", 0) == 0)
			flatten(rep->dict, &path);
		rtpc_buf_free(&path);
	}
	if (rc == 0 && outfile != NULL &&
	    rtpc_ng_reply_sdp(rep, &s, &len) == 0) {
		FILE *f = fopen(outfile, "wb");

		if (f == NULL || fwrite(s, 1, len, f) != len ||
		    fclose(f) != 0)
			rc = rtpc_err_set(err, 2, "%s: cannot write",
			    outfile);
	}
	if (rc == -1)
		fprintf(stderr, "ng-probe: %s\n", err->msg);
	rtpc_ng_reply_free(rep);
	fflush(stdout);
	return rc == 0 ? 0 : 1;
}
