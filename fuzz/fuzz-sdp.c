/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz-sdp: rtpc_sdp_parse on arbitrary bytes.  Every span of the view
 * must lie inside the body, and the helpers that read the view must not
 * read outside it.
 */
#include "fuzz.h"
#include "sdp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *b = (const char *)data;
	struct rtpc_sdp sdp;
	struct rtpc_err err;
	int i;

	rtpc_sdp_has_marker(b, 0, size, "a=nortpproxy:yes");
	if (rtpc_sdp_parse(b, 0, size, &sdp, &err) == -1) {
		CHECK(err.code == RTPC_EXIT_FAIL && err.msg[0] != '\0');
		CHECK(sdp.streams == NULL && sdp.sessions == NULL);
		return 0;
	}
	CHECK(sdp.nsessions > 0 && sdp.nstreams > 0);
	CHECK(sdp.nstreams <= RTPC_SDP_STREAMS_MAX);
	CHECK(sdp.end <= size && sdp.limit == size);
	CHECK(strcmp(sdp.eol, "\n") == 0 || strcmp(sdp.eol, "\r\n") == 0);
	for (i = 0; i < sdp.nsessions; i++) {
		const struct rtpc_sdp_session *ss = &sdp.sessions[i];

		CHECK(ss->o.present && ss->first + ss->nstreams <= sdp.nstreams);
		CHECK_SPAN(ss->o.addr, 0, size);
		if (ss->c.present)
			CHECK_SPAN(ss->c.addr, 0, size);
	}
	for (i = 0; i < sdp.nstreams; i++) {
		const struct rtpc_sdp_stream *st = &sdp.streams[i];
		const struct rtpc_sdp_addr *a = rtpc_sdp_stream_addr(&sdp, i);
		size_t k;
		long port;

		CHECK(st->session >= 0 && st->session < sdp.nsessions);
		CHECK_SPAN(st->media, 0, size);
		CHECK_SPAN(st->port, 0, size);
		CHECK_SPAN(st->proto, 0, size);
		CHECK_SPAN(st->fmts, 0, size);
		CHECK(st->port.len >= 1 && st->port.len <= 5);
		for (port = 0, k = 0; k < st->port.len; k++)
			port = port * 10 + (b[st->port.off + k] - '0');
		CHECK(port <= 65535);
		CHECK(a->present && (a->af == 4 || a->af == 6));
		CHECK_SPAN(a->addr, 0, size);
		for (k = 0; k < st->nrtcp; k++)
			CHECK_SPAN(st->rtcp[k], 0, size);
		CHECK(st->ncand == 0 || st->lastcand < size);
		rtpc_sdp_is_rtp(b, st);
	}
	rtpc_sdp_free(&sdp);
	return 0;
}
