/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-plan-other.c: the commands without SDP (plan.h,
 * rtpc_plan_other): R (start_recording), Q ($rtpstat), P and S
 * (stream2uac/uas and their stop), checked against §4.3-4.6 of the
 * module reference and the spec's deliberate differences 5-7.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "buf.h"
#include "plan.h"
#include "tap.h"

static struct rtpc_call
mkcall(const char *ttag, int is_request)
{
	struct rtpc_call c;

	memset(&c, 0, sizeof(c));
	c.callid = "cid";
	c.ftag = "F";
	c.ttag = ttag;
	c.is_request = is_request;
	c.is_sip = 1;
	c.source_ip = "10.0.0.1";
	return c;
}

static struct rtpc_extra
mkextra(int uas, const char *prompt, long count)
{
	struct rtpc_extra x;

	memset(&x, 0, sizeof(x));
	x.uas = uas;
	x.prompt = prompt;
	x.count = count;
	return x;
}

/* Plan op; returns rc; *out is the rendered command (malloc'd). */
static int
run(enum rtpc_op op, const struct rtpc_call *c, const struct rtpc_extra *x,
    char **out, int *need_ptl, struct rtpc_err *err)
{
	struct rtpc_plan pl;
	struct rtpc_buf b;
	const struct rtpc_caps all = { 1, 1, 1 };
	int rc;
	size_t i;

	*out = NULL;
	rtpc_err_clear(err);
	rc = rtpc_plan_other(op, c, x, &pl, err);
	if (rc == 0) {
		rtpc_buf_init(&b, 0);
		for (i = 0; i < pl.n; i++) {
			if (i > 0)
				rtpc_buf_add(&b, "\n", 1);
			rtpc_cmd_render(&pl.cmds[i], &all, &b);
		}
		*out = b.data;
		if (need_ptl != NULL)
			*need_ptl = pl.need_ptl;
		rtpc_plan_free(&pl);
	}
	return rc;
}

static void
expect(enum rtpc_op op, const struct rtpc_call *c, const struct rtpc_extra *x,
    const char *want, const char *name)
{
	struct rtpc_err err;
	char *got;

	if (!is_int(run(op, c, x, &got, NULL, &err), 0, "%s: planned", name))
		diag("error: %s", err.msg);
	is_str(got, want, "%s", name);
	free(got);
}

static void
refuse(enum rtpc_op op, const struct rtpc_call *c, const struct rtpc_extra *x,
    int code, const char *name)
{
	struct rtpc_err err;
	char *got;

	is_int(run(op, c, x, &got, NULL, &err), -1, "%s: refused", name);
	if (got != NULL)
		diag("planned anyway: %s", got);
	free(got);
	is_int(err.code, code, "... exit status %d", code);
}

static void
test_record(void)
{
	struct rtpc_extra x = mkextra(0, NULL, 0);
	struct rtpc_call c;

	c = mkcall("T", 1);
	expect(RTPC_OP_RECORD, &c, &x, "R cid F T", "R in a request: F T");
	c = mkcall(NULL, 1);
	expect(RTPC_OP_RECORD, &c, &x, "R cid F",
	    "R in a request without a To-tag: F");
	c = mkcall("T", 0);
	expect(RTPC_OP_RECORD, &c, &x, "R cid T F", "R in a reply: T F");
	c = mkcall(NULL, 0);
	refuse(RTPC_OP_RECORD, &c, &x, RTPC_EXIT_FAIL,
	    "R in a reply without a To-tag");
	c = mkcall("T", 1);
	c.branch[0] = "z9hG4bK1";
	c.nvia = 1;
	expect(RTPC_OP_RECORD, &c, &x, "R cid F T", "R: no branch suffix");
}

static void
test_query(void)
{
	struct rtpc_extra x = mkextra(0, NULL, 0);
	struct rtpc_call c;

	/* difference 5: ;1 on both tags, not only the first */
	c = mkcall("T", 1);
	expect(RTPC_OP_QUERY, &c, &x, "Q cid F;1 T;1",
	    "Q in a request: F;1 T;1");
	c = mkcall("T", 0);
	expect(RTPC_OP_QUERY, &c, &x, "Q cid T;1 F;1",
	    "Q in a reply: T;1 F;1");
	c = mkcall(NULL, 1);
	expect(RTPC_OP_QUERY, &c, &x, "Q cid F;1",
	    "Q without a To-tag: F;1, as U sends it");
	c = mkcall(NULL, 0);
	refuse(RTPC_OP_QUERY, &c, &x, RTPC_EXIT_FAIL,
	    "Q in a reply without a To-tag");
}

static void
test_play(void)
{
	struct rtpc_extra uac = mkextra(0, "/srv/prompts/hello", 3);
	struct rtpc_extra uas = mkextra(1, "/srv/prompts/hello", 3);
	struct rtpc_extra loop = mkextra(0, "/p", -1);
	struct rtpc_call c;
	struct rtpc_err err;
	char *got;
	int need = 0;

	c = mkcall("T", 1);
	expect(RTPC_OP_PLAY, &c, &uac, "P3 cid /srv/prompts/hello session F;1 T;1",
	    "P toward the caller (uac): F;1 T;1");
	expect(RTPC_OP_PLAY, &c, &uas, "P3 cid /srv/prompts/hello session T;1 F;1",
	    "P toward the callee (uas): T;1 F;1");
	c = mkcall("T", 0);
	expect(RTPC_OP_PLAY, &c, &uac, "P3 cid /srv/prompts/hello session F;1 T;1",
	    "P uac in a reply: the same order");
	expect(RTPC_OP_PLAY, &c, &uas, "P3 cid /srv/prompts/hello session T;1 F;1",
	    "P uas in a reply: the same order");
	c = mkcall(NULL, 1);
	expect(RTPC_OP_PLAY, &c, &loop, "P-1 cid /p session F;1",
	    "P uac without a To-tag, count -1: no trailing space");
	refuse(RTPC_OP_PLAY, &c, &uas, RTPC_EXIT_FAIL,
	    "P uas without a To-tag");
	c = mkcall("T", 1);
	is_int(run(RTPC_OP_PLAY, &c, &uac, &got, &need, &err), 0, "P planned");
	ok(need, "... needs the ptl capability (VF 20081102)");
	free(got);
	{
		struct rtpc_extra bad = mkextra(0, "/srv/a prompt", 1);

		refuse(RTPC_OP_PLAY, &c, &bad, RTPC_EXIT_FAIL,
		    "a prompt with a space (difference 7)");
		bad.prompt = "/srv/a\nU x";
		refuse(RTPC_OP_PLAY, &c, &bad, RTPC_EXIT_FAIL,
		    "a prompt with a line feed");
	}
}

static void
test_stop(void)
{
	struct rtpc_extra uac = mkextra(0, NULL, 0);
	struct rtpc_extra uas = mkextra(1, NULL, 0);
	struct rtpc_call c;

	c = mkcall("T", 1);
	expect(RTPC_OP_STOP, &c, &uac, "S cid F;1 T;1", "S uac: F;1 T;1");
	expect(RTPC_OP_STOP, &c, &uas, "S cid T;1 F;1", "S uas: T;1 F;1");
	c = mkcall(NULL, 1);
	expect(RTPC_OP_STOP, &c, &uac, "S cid F;1",
	    "S uac without a To-tag: no trailing space");
	refuse(RTPC_OP_STOP, &c, &uas, RTPC_EXIT_FAIL,
	    "S uas without a To-tag");
}

static void
test_hostile(void)
{
	struct rtpc_extra x = mkextra(0, "/p", 1);
	struct rtpc_call c = mkcall("T", 1);
	static const enum rtpc_op ops[] = { RTPC_OP_RECORD, RTPC_OP_QUERY,
	    RTPC_OP_PLAY, RTPC_OP_STOP };
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		c = mkcall("T", 1);
		c.callid = "c id";
		refuse(ops[i], &c, &x, RTPC_EXIT_FAIL,
		    "a Call-ID with a space");
		c = mkcall("T\r\n", 1);
		refuse(ops[i], &c, &x, RTPC_EXIT_FAIL, "a To-tag with CRLF");
	}
}

int
main(void)
{
	test_record();
	test_query();
	test_play();
	test_stop();
	test_hostile();
	return done_testing();
}
