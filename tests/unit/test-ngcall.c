/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-ngcall.c: a run's ng request (ngcall.c) byte for byte from the
 * call data, the module's letters and the options; the judging of a
 * reply; the Q line and the JSON made of a query reply; and rewrite.c's
 * rtpc_rewrite_body (the relay's SDP in place of the body).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "buf.h"
#include "config.h"
#include "job.h"
#include "ngcall.h"
#include "plan.h"
#include "rewrite.h"
#include "sip.h"
#include "text.h"
#include "tap.h"

static struct rtpc_settings set;

static void
request(struct rtpc_request *q)
{
	memset(q, 0, sizeof(*q));
	q->set = &set;
}

static void
call(struct rtpc_call *c)
{
	memset(c, 0, sizeof(*c));
	c->callid = "c1";
	c->ftag = "f1";
	c->is_request = 1;
	c->is_sip = 1;
	c->branch[0] = "z9hG4bK-1";
	c->branch[1] = "z9hG4bK-2";
	c->nvia = 2;
}

/* The request's dictionary for op with flags, or "ERR code msg". */
static const char *
build(enum rtpc_op op, const char *flags, const struct rtpc_call *c,
    const struct rtpc_ngcall_sdp *sdp, const struct rtpc_request *q)
{
	static char out[2048];
	struct rtpc_buf b;
	struct rtpc_err err;

	rtpc_buf_init(&b, 0);
	rtpc_err_clear(&err);
	if (rtpc_ngcall_build(op, flags, c, sdp, q, &b, &err) == -1)
		snprintf(out, sizeof(out), "ERR %d %s", err.code, err.msg);
	else
		snprintf(out, sizeof(out), "%s", b.data);
	rtpc_buf_free(&b);
	return out;
}

static void
test_build(void)
{
	struct rtpc_request q;
	struct rtpc_call c;
	struct rtpc_ngcall_sdp sdp = { "v=0\r\n", 5, 4 };

	request(&q);
	call(&c);
	is_str(build(RTPC_OP_OFFER, "", &c, &sdp, &q),
	    "d7:call-id2:c17:command5:offer8:from-tag2:f13:sdp5:v=0\r\ne",
	    "offer: call-id, from-tag, sdp");
	q.ip = "192.0.2.9";
	set.ice = RTPC_ICE_HIGH;
	is_str(build(RTPC_OP_OFFER, "2oz20", &c, &sdp, &q),
	    "d3:ICE5:force7:call-id2:c17:command5:offer8:from-tag2:f1"
	    "13:media address9:192.0.2.95:ptimei20e7:replacel6:origine"
	    "3:sdp5:v=0\r\n10:via-branch9:z9hG4bK-2e",
	    "offer 2oz20 with the ip argument and --ice high");
	set.ice = RTPC_ICE_OFF;
	q.ip = NULL;
	c.is_request = 0;
	c.ttag = "t1";
	is_str(build(RTPC_OP_ANSWER, "3", &c, &sdp, &q),
	    "d7:call-id2:c17:command6:answer8:from-tag2:f13:sdp5:v=0\r\n"
	    "6:to-tag2:t110:via-branch9:z9hG4bK-2e",
	    "answer 3 in a reply: Via 2's branch");
	is_str(build(RTPC_OP_DESTROY, "t", &c, NULL, &q),
	    "d7:call-id2:c17:command6:delete8:from-tag2:f1e",
	    "delete t: no to-tag");
	q.extra.uas = 1;
	q.extra.prompt = "/p.wav";
	q.extra.count = -1;
	is_str(build(RTPC_OP_PLAY, "", &c, NULL, &q),
	    "d7:call-id2:c17:command10:play media4:file6:/p.wav"
	    "8:from-tag2:t112:repeat-timesi2147483647e6:to-tag2:f1e",
	    "play media toward the callee, in a loop: the tags swap");
	q.extra.counters = "a b";
	like(build(RTPC_OP_QUERY, "", &c, NULL, &q), "ERR 2 --counters",
	    "query with counters: a usage error");
	like(build(RTPC_OP_INFO, "", &c, NULL, &q), "ERR 2 --counters",
	    "statistics with counters: a usage error");
	q.extra.counters = NULL;
	is_str(build(RTPC_OP_INFO, "", &c, NULL, &q),
	    "d7:command10:statisticse", "statistics");
	is_str(build(RTPC_OP_RECORD, "", &c, NULL, &q),
	    "d7:call-id2:c17:command15:start recording8:from-tag2:f1"
	    "6:to-tag2:t1e", "start recording");
	c.nvia = 1;
	like(build(RTPC_OP_OFFER, "2", &c, &sdp, &q),
	    "ERR 1 flag 2: Via 2 has no branch", "flag 2 with one Via");
	like(build(RTPC_OP_OFFER, "iei", &c, &sdp, &q), "ERR 2 ",
	    "three directions: a usage error");
}

static int
judge(const char *reply, const char **sdp, size_t *len, char *w,
    struct rtpc_err *err)
{
	struct rtpc_buf b;
	int rc;

	rtpc_buf_init(&b, 0);
	rtpc_buf_addstr(&b, reply);
	rtpc_err_clear(err);
	rc = rtpc_ngcall_judge(&b, "ng:n", sdp, len, w, 200, err);
	rtpc_buf_free(&b);
	return rc;
}

static void
test_judge(void)
{
	struct rtpc_err err;
	const char *sdp;
	size_t len;
	char w[200];

	is_int(judge("d6:result2:oke", &sdp, &len, w, &err), 0, "ok");
	ok(sdp == NULL, "... no sdp");
	is_int(judge("d6:result5:error12:error-reason3:bade", &sdp, &len, w,
	    &err), -1, "error");
	is_str(err.msg, "ng:n: relay error: bad", "... relay error: REASON");
	is_int(err.code, RTPC_EXIT_FAIL, "... exit 1");
	is_int(judge("notbencode", &sdp, &len, w, &err), -1, "garbage");
	like(err.msg, "ng:n: relay reply does not parse: ", "... says so");
	is_int(err.code, RTPC_EXIT_FAIL, "... exit 1 (not a relay down)");
	is_int(judge("d6:result2:ok7:warning4:hmm!e", &sdp, &len, w, &err),
	    0, "ok with a warning");
	is_str(w, "hmm!", "... the warning");
}

static void
test_report(void)
{
	static const char q[] = "d4:tagsd"
	    "2:f1d6:mediasld7:streamsld5:flagsl3:RTPe5:statsd7:packetsi7eee"
	    "d5:flagsl4:RTCPe5:statsd7:packetsi2eeeeeee"
	    "2:t1d6:mediasld7:streamsld5:flagsl3:RTPe5:statsd7:packetsi5eeeeeee"
	    "e6:totalsd3:RTPd6:errorsi1e7:packetsi12eee6:result2:oke";
	struct rtpc_buf text, json;
	struct rtpc_err err;

	rtpc_buf_init(&text, 0);
	rtpc_buf_init(&json, 0);
	is_int(rtpc_ngcall_report(q, strlen(q), 1, "f1", "t1", &text, &json,
	    &err), 0, "query report");
	is_str(text.data, "- 7 5 12 1", "... the Q line: RTP only, per party");
	like(json.data, "\"totals\":{\"RTP\":{\"errors\":1,\"packets\":12}}",
	    "... the JSON");
	rtpc_buf_reset(&text);
	rtpc_buf_reset(&json);
	is_int(rtpc_ngcall_report(q, strlen(q), 1, "t1", NULL, &text, &json,
	    &err), 0, "query report without the second tag");
	is_str(text.data, "- 5 7 12 1", "... the other tag found");
	rtpc_buf_reset(&text);
	rtpc_buf_reset(&json);
	is_int(rtpc_ngcall_report("d1:ad2:b i3eee", 14, 0, NULL, NULL, &text,
	    &json, &err), 0, "statistics report");
	is_str(text.data, "a.b_=3", "... name=number, blanks as _");
	is_str(json.data, "{\"a\":{\"b \":3}}", "... the JSON");
	rtpc_buf_free(&text);
	rtpc_buf_free(&json);
}

static void
test_body(void)
{
	static const char msg[] = "INVITE sip:a@b SIP/2.0\r\nContent-Length: 5"
	    "\r\n\r\nv=0\r\n";
	const char *relay = "v=0\r\nc=IN IP4 1.2.3.4\r\n";
	struct rtpc_sip sip;
	const char *cl = strstr(msg, "Content-Length: ") + 16;
	struct rtpc_rw rw;
	struct rtpc_buf out;
	struct rtpc_err err;
	struct rtpc_span so;

	rtpc_err_clear(&err);
	memset(&sip, 0, sizeof(sip));
	sip.has_clen = 1;
	sip.clen.off = (size_t)(cl - msg);
	sip.clen.len = 1;
	sip.body_off = sizeof(msg) - 1 - 5;
	sip.body_len = 5;
	memset(&rw, 0, sizeof(rw));
	rw.buf = msg;
	rw.len = sizeof(msg) - 1;
	rw.sip = &sip;
	rw.set = &set;
	rw.add_marker = 1;
	rw.sdp_in.off = sip.body_off;
	rw.sdp_in.len = sip.body_len;
	rw.sdp_out = &so;
	rtpc_buf_init(&out, 0);
	is_int(rtpc_rewrite_body(&rw, relay, strlen(relay), &out, &err), 0,
	    "body replaced");
	is_str(out.data, "INVITE sip:a@b SIP/2.0\r\nContent-Length: 41\r\n\r\n"
	    "v=0\r\nc=IN IP4 1.2.3.4\r\na=nortpproxy:yes\r\n",
	    "... the marker last, Content-Length fixed");
	is_int(so.len, 41, "... the SDP's span in the output");
	rtpc_buf_reset(&out);
	rw.add_marker = 0;
	is_int(rtpc_rewrite_body(&rw, "v=0", 3, &out, &err), 0,
	    "no marker, no final line end");
	is_str(out.data, "INVITE sip:a@b SIP/2.0\r\nContent-Length: 3\r\n\r\n"
	    "v=0", "... as the relay wrote it");
	rtpc_buf_free(&out);
}

int
main(void)
{
	rtpc_settings_init(&set);
	test_build();
	test_judge();
	test_report();
	test_body();
	rtpc_settings_free(&set);
	return done_testing();
}
