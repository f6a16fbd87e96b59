/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * harness.c: a small benchmark driver for rtpp, independent of libcore.
 *
 *   harness run -n N [-j J] [-i FILE] -- CMD [ARG...]
 *	run CMD N times (J at a time) with stdin from FILE (or /dev/null),
 *	stdout to /dev/null; print one line of figures:
 *	"runs N fail F median_us M p99_us P mean_us A maxrss_kb R per_s S"
 *	"runs N fail F median_us M p99_us P mean_us A maxrss_kb R per_s S
 *	 minflt K"	(K: median minor page faults of one run, from wait4)
 *   harness pair -n N [-i FILE] [-I FILE] -- A [ARG...] -- B [ARG...]
 *	run A and B one after the other N times, in turn A first and B
 *	first, A's stdin from -i, B's from -I (or /dev/null); print the
 *	median of A's and B's run times, the median (and 10th, 90th
 *	percentile) of the N ratios A/B of each pair, and per run of each:
 *	median minor page faults, mean CPU time (user + system: exact, the
 *	scheduler's; their split is not, for runs shorter than a tick), peak
 *	RSS:
 *	"pairs N fail_a F fail_b F a_median_us M b_median_us M
 *	 ratio_median R ratio_p10 R ratio_p90 R a_minflt K b_minflt K
 *	 a_cpu_us C b_cpu_us C
 *	 a_maxrss_kb X b_maxrss_kb X"
 *	Interleaving makes both sides see the same load; the median of the
 *	pairwise ratios is robust to a busy machine.
 *   harness rtt -n N HOST PORT
 *	N round trips of a "V" command to an rtpproxy-protocol relay over
 *	UDP; print "rtts N fail F median_us M p99_us P"
 *
 * Only loopback addresses are accepted.  Every loop is bounded.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <err.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_ll_l(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

static void
stats(long long *v, int n, long long *med, long long *p99, long long *mean)
{
	long long sum = 0;
	int i;

	qsort(v, (size_t)n, sizeof(*v), cmp_ll);
	for (i = 0; i < n; i++)
		sum += v[i];
	*med = n ? v[n / 2] : 0;
	*p99 = n ? v[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] : 0;
	*mean = n ? sum / n : 0;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of n longs (sorts v). */
static long
median_l(long *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_ll_l);
	return n ? v[n / 2] : 0;
}

static pid_t
spawn(char **cmd, const char *in)
{
	pid_t pid = fork();
	int fd;

	if (pid != 0)
		return pid;
	fd = open(in ? in : "/dev/null", O_RDONLY);
	if (fd == -1)
		_exit(126);
	dup2(fd, 0);
	fd = open("/dev/null", O_WRONLY);
	dup2(fd, 1);
	dup2(fd, 2);
	execv(cmd[0], cmd);
	_exit(127);
}

static int
cmd_run(int n, int j, const char *in, char **cmd)
{
	long long *lat = calloc((size_t)n, sizeof(*lat)), *start;
	long *flt = calloc((size_t)n, sizeof(*flt));
	pid_t *pids;
	long maxrss = 0;
	int started = 0, done = 0, fail = 0, running = 0, k;
	long long t0, med, p99, mean;

	start = calloc((size_t)j, sizeof(*start));
	pids = calloc((size_t)j, sizeof(*pids));
	if (lat == NULL || flt == NULL || start == NULL || pids == NULL)
		err(1, NULL);
	t0 = now_us();
	while (done < n) {
		struct rusage ru;
		int status;
		pid_t pid;

		while (running < j && started < n) {
			for (k = 0; k < j && pids[k] != 0; k++)
				;
			start[k] = now_us();
			if ((pids[k] = spawn(cmd, in)) == -1)
				err(1, "fork");
			running++;
			started++;
		}
		if ((pid = wait4(-1, &status, 0, &ru)) == -1)
			err(1, "wait4");
		for (k = 0; k < j && pids[k] != pid; k++)
			;
		if (k == j)
			continue;
		flt[done] = ru.ru_minflt;
		lat[done++] = now_us() - start[k];
		pids[k] = 0;
		running--;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail++;
		if (ru.ru_maxrss > maxrss)
			maxrss = ru.ru_maxrss;
	}
	t0 = now_us() - t0;
	stats(lat, n, &med, &p99, &mean);
	printf("runs %d fail %d median_us %lld p99_us %lld mean_us %lld "
	    "maxrss_kb %ld per_s %.0f minflt %ld\n", n, fail, med, p99, mean,
	    maxrss, t0 > 0 ? n * 1e6 / (double)t0 : 0.0, median_l(flt, n));
	free(lat);
	free(flt);
	free(start);
	free(pids);
	return 0;
}

struct side {
	long long	*lat;
	long		*flt;
	long long	 cpu;
	long		 maxrss;
	int		 fail;
};

static long long
tv_us(const struct timeval *tv)
{
	return (long long)tv->tv_sec * 1000000 + tv->tv_usec;
}

/* One run of cmd, waited for; its figures go to slot i of s. */
static void
run_one(struct side *s, int i, char **cmd, const char *in)
{
	struct rusage ru;
	long long t = now_us();
	pid_t pid;
	int status;

	if ((pid = spawn(cmd, in)) == -1)
		err(1, "fork");
	if (wait4(pid, &status, 0, &ru) != pid)
		err(1, "wait4");
	s->lat[i] = now_us() - t;
	s->flt[i] = ru.ru_minflt;
	s->cpu += tv_us(&ru.ru_utime) + tv_us(&ru.ru_stime);
	if (ru.ru_maxrss > s->maxrss)
		s->maxrss = ru.ru_maxrss;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		s->fail++;
}

static int
cmd_pair(int n, const char *in_a, const char *in_b, char **a, char **b)
{
	struct side sa = { 0 }, sb = { 0 };
	double *ratio = calloc((size_t)n, sizeof(*ratio));
	long long med_a, med_b, p99, mean;
	int i;

	sa.lat = calloc((size_t)n, sizeof(*sa.lat));
	sb.lat = calloc((size_t)n, sizeof(*sb.lat));
	sa.flt = calloc((size_t)n, sizeof(*sa.flt));
	sb.flt = calloc((size_t)n, sizeof(*sb.flt));
	if (ratio == NULL || sa.lat == NULL || sb.lat == NULL ||
	    sa.flt == NULL || sb.flt == NULL)
		err(1, NULL);
	for (i = 0; i < n; i++) {
		if (i % 2 == 0) {
			run_one(&sa, i, a, in_a);
			run_one(&sb, i, b, in_b);
		} else {
			run_one(&sb, i, b, in_b);
			run_one(&sa, i, a, in_a);
		}
		ratio[i] = sb.lat[i] > 0 ?
		    (double)sa.lat[i] / (double)sb.lat[i] : 0.0;
	}
	qsort(ratio, (size_t)n, sizeof(*ratio), cmp_dbl);
	stats(sa.lat, n, &med_a, &p99, &mean);
	stats(sb.lat, n, &med_b, &p99, &mean);
	printf("pairs %d fail_a %d fail_b %d a_median_us %lld b_median_us %lld "
	    "ratio_median %.3f ratio_p10 %.3f ratio_p90 %.3f "
	    "a_minflt %ld b_minflt %ld a_cpu_us %lld b_cpu_us %lld "
	    "a_maxrss_kb %ld b_maxrss_kb %ld\n",
	    n, sa.fail, sb.fail, med_a, med_b, ratio[n / 2], ratio[n / 10],
	    ratio[(n * 9) / 10], median_l(sa.flt, n), median_l(sb.flt, n),
	    sa.cpu / n, sb.cpu / n, sa.maxrss, sb.maxrss);
	free(ratio);
	free(sa.lat);
	free(sb.lat);
	free(sa.flt);
	free(sb.flt);
	return 0;
}

static int
cmd_rtt(int n, const char *host, const char *port)
{
	struct sockaddr_in sin;
	long long *lat = calloc((size_t)n, sizeof(*lat)), med, p99, mean;
	char buf[512], cookie[32];
	int fd, i, got = 0, fail = 0;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(port));
	if (lat == NULL || inet_pton(AF_INET, host, &sin.sin_addr) != 1 ||
	    (ntohl(sin.sin_addr.s_addr) >> 24) != 127)
		errx(2, "%s: not a loopback address", host);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		err(1, "socket");
	for (i = 0; i < n; i++) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		long long t = now_us();
		int len = snprintf(cookie, sizeof(cookie), "h%d_%d", getpid(), i);
		ssize_t r;

		snprintf(buf, sizeof(buf), "%s V", cookie);
		if (send(fd, buf, strlen(buf), 0) == -1)
			err(1, "send");
		for (;;) {
			if (poll(&pfd, 1, 1000) <= 0) {
				fail++;
				break;
			}
			if ((r = recv(fd, buf, sizeof(buf), 0)) <= 0)
				break;
			if (r > len && memcmp(buf, cookie, (size_t)len) == 0 &&
			    buf[len] == ' ') {
				lat[got++] = now_us() - t;
				break;
			}
		}
	}
	stats(lat, got, &med, &p99, &mean);
	printf("rtts %d fail %d median_us %lld p99_us %lld\n", got, fail, med,
	    p99);
	free(lat);
	return fail ? 1 : 0;
}

int
main(int argc, char **argv)
{
	const char *in = NULL, *in_b = NULL;
	int n = 100, j = 1, c, k;

	if (argc < 2)
		errx(2, "usage: harness run|rtt ...");
	optind = 2;
	while ((c = getopt(argc, argv, "n:j:i:I:")) != -1) {
		switch (c) {
		case 'n': n = atoi(optarg); break;
		case 'j': j = atoi(optarg); break;
		case 'i': in = optarg; break;
		case 'I': in_b = optarg; break;
		default: return 2;
		}
	}
	if (n < 1 || n > 1000000 || j < 1 || j > 256)
		errx(2, "-n 1..1000000, -j 1..256");
	if (strcmp(argv[1], "run") == 0 && optind < argc)
		return cmd_run(n, j, in, argv + optind);
	if (strcmp(argv[1], "pair") == 0 && optind < argc) {
		for (k = optind; k < argc && strcmp(argv[k], "--") != 0; k++)
			;
		if (k > optind && k + 1 < argc) {
			argv[k] = NULL;
			return cmd_pair(n, in, in_b, argv + optind, argv + k + 1);
		}
	}
	if (strcmp(argv[1], "rtt") == 0 && optind + 2 == argc)
		return cmd_rtt(n, argv[optind], argv[optind + 1]);
	errx(2, "usage: harness run [-n N] [-j J] [-i FILE] -- CMD... | "
	    "harness pair [-n N] [-i FILE] [-I FILE] -- A... -- B... | "
	    "harness rtt [-n N] HOST PORT");
}
