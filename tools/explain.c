/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * explain.c: --explain, a short report for people at a terminal, on
 * stderr after the run: which node was chosen and why, each command and
 * reply with its round-trip time, and a line diff of the SDP before and
 * after (coloured only on a terminal, and never with NO_COLOR set).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rtpp.h"
#include "cli.h"

#define DIFF_LINES_MAX	2000

struct lines {
	const char	**p;
	size_t		 *len;
	size_t		  n;
};

static int
use_colour(void)
{
	const char *t = getenv("TERM");

	return isatty(STDERR_FILENO) && getenv("NO_COLOR") == NULL &&
	    t != NULL && strcmp(t, "dumb") != 0;
}

/* Split text into lines (without their CR/LF); 0 on success. */
static int
split(const char *s, size_t len, struct lines *l)
{
	size_t i = 0;

	l->n = 0;
	l->p = calloc(DIFF_LINES_MAX, sizeof(*l->p));
	l->len = calloc(DIFF_LINES_MAX, sizeof(*l->len));
	if (l->p == NULL || l->len == NULL)
		return -1;
	while (i < len) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - s) : len, k = e;

		if (l->n == DIFF_LINES_MAX)
			return -1;
		if (k > i && s[k - 1] == '\r')
			k--;
		l->p[l->n] = s + i;
		l->len[l->n++] = k - i;
		i = e + 1;
	}
	return 0;
}

static int
same(const struct lines *a, size_t i, const struct lines *b, size_t k)
{
	return a->len[i] == b->len[k] &&
	    memcmp(a->p[i], b->p[k], a->len[i]) == 0;
}

static void
line(int colour, const char *c, char mark, const char *p, size_t n)
{
	fprintf(stderr, "    %s%c%.*s%s\n", colour ? c : "", mark, (int)n, p,
	    colour ? "\033[0m" : "");
}

/* A line diff by longest common subsequence (SDPs are small). */
static void
diff(const struct rtpc_buf *before, const struct rtpc_buf *after)
{
	struct lines a, b;
	unsigned short *t;
	size_t i, k, w;
	int colour = use_colour();

	if (split(before->data ? before->data : "", before->len, &a) == -1 ||
	    split(after->data ? after->data : "", after->len, &b) == -1 ||
	    (t = calloc((a.n + 1) * (b.n + 1), sizeof(*t))) == NULL) {
		fprintf(stderr, "    (too large to show)\n");
		goto out;
	}
	w = b.n + 1;
	for (i = a.n; i-- > 0;)
		for (k = b.n; k-- > 0;)
			t[i * w + k] = same(&a, i, &b, k) ?
			    (unsigned short)(t[(i + 1) * w + k + 1] + 1) :
			    (t[(i + 1) * w + k] > t[i * w + k + 1] ?
			    t[(i + 1) * w + k] : t[i * w + k + 1]);
	for (i = 0, k = 0; i < a.n || k < b.n;) {
		if (i < a.n && k < b.n && same(&a, i, &b, k)) {
			line(0, "", ' ', a.p[i], a.len[i]);
			i++, k++;
		} else if (i < a.n && (k == b.n ||
		    t[(i + 1) * w + k] >= t[i * w + k + 1])) {
			line(colour, "\033[31m", '-', a.p[i], a.len[i]);
			i++;
		} else {
			line(colour, "\033[32m", '+', b.p[k], b.len[k]);
			k++;
		}
	}
	free(t);
out:
	free(a.p);
	free(a.len);
	free(b.p);
	free(b.len);
}

static const char *
op_name(enum rtpc_op op)
{
	switch (op) {
	case RTPC_OP_OFFER: return "offer (U)";
	case RTPC_OP_ANSWER: return "answer (L)";
	case RTPC_OP_DESTROY: return "delete (D)";
	case RTPC_OP_NONE: return "nothing";
	default: return "other";
	}
}

/* Print the report of a finished run on stderr. */
void
cli_explain(const struct cli_run *cr, int rc)
{
	const struct rtpc_job *j = &cr->job;
	char esc[RTPC_REPLY_MAX * 4];
	size_t i;

	fprintf(stderr, "%s: explain (exit %d)\n", cr->prog, rc);
	if (cr->tool_op == RTPC_OP_MANAGE)
		fprintf(stderr, "  decided: %s\n", op_name(j->res.did));
	if (j->req.fake_reply != NULL)
		fprintf(stderr, "  relay: none asked (--fake-reply)\n");
	else if (j->res.ex.nnodes == 0)
		fprintf(stderr, "  relay: none asked\n");
	else
		fprintf(stderr, "  nodes of set %d in this call's order "
		    "(rendezvous hash of the Call-ID, weighted):\n",
		    j->req.set->set);
	for (i = 0; i < j->res.ex.nnodes; i++)
		fprintf(stderr, "    %zu. %-28s weight %-3u score %-10.4f %s\n",
		    i + 1, j->res.ex.nodes[i].url, j->res.ex.nodes[i].weight,
		    j->res.ex.nodes[i].score, j->res.ex.nodes[i].what);
	if (j->res.ex.ncmds > 0)
		fprintf(stderr, "  commands:\n");
	for (i = 0; i < j->res.ex.ncmds; i++) {
		const char *s = j->res.ex.cmds[i].sent, *r = j->res.ex.cmds[i].reply;

		if (s == NULL)
			continue;
		rtpc_escape(esc, sizeof(esc), s, strlen(s));
		fprintf(stderr, "    > %s\n", esc);
		if (r != NULL) {
			rtpc_escape(esc, sizeof(esc), r, strlen(r));
			fprintf(stderr, "    < %s  (%ld us)\n", esc,
			    j->res.ex.cmds[i].rtt_us);
		}
	}
	if (j->res.ex.before.len > 0 || j->res.ex.after.len > 0) {
		fprintf(stderr, "  sdp:\n");
		diff(&j->res.ex.before, &j->res.ex.after);
	}
}
