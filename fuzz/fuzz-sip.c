/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz-sip: rtpc_sip_detect, rtpc_sip_parse and rtpc_sip_find_sdp on
 * arbitrary bytes (NUL bytes included: a body part may be binary), then
 * the SDP parser on the body the SIP view points at (an SDP that does
 * not start the buffer), and the tag of a lone From/To value.
 */
#include "fuzz.h"
#include "sdp.h"
#include "sip.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *b = (const char *)data;
	struct rtpc_sip m;
	struct rtpc_sdp sdp;
	struct rtpc_err err;
	struct rtpc_span t;
	int i;

	t = rtpc_sip_value_tag(b, size);
	CHECK_SPAN(t, 0, size);
	rtpc_sip_detect(b, size);
	if (rtpc_sip_parse(b, size, &m, &err) == -1) {
		CHECK(err.code == RTPC_EXIT_FAIL && err.msg[0] != '\0');
		return 0;
	}
	CHECK(m.callid.len > 0);
	CHECK_SPAN(m.callid, 0, size);
	CHECK_SPAN(m.ftag, 0, size);
	CHECK_SPAN(m.ttag, 0, size);
	CHECK_SPAN(m.cseq, 0, size);
	CHECK_SPAN(m.cseq_method, 0, size);
	CHECK_SPAN(m.ctype, 0, size);
	CHECK_SPAN(m.clen, 0, size);
	CHECK(m.is_request || (m.status >= 100 && m.status <= 999));
	CHECK(m.nvia >= 0);
	for (i = 0; i < m.nvia && i < RTPC_SIP_VIAS; i++) {
		CHECK_SPAN(m.via[i].host, 0, size);
		CHECK_SPAN(m.via[i].branch, 0, size);
		CHECK_SPAN(m.via[i].received, 0, size);
	}
	CHECK(m.body_off <= size && m.body_len <= size - m.body_off);
	CHECK(m.body_off + m.body_len + m.after_body == size);
	CHECK_SPAN(m.sdp, m.body_off, m.body_off + m.body_len);
	if (rtpc_sip_parse(b, size, &m, NULL) != 0)	/* same again */
		abort();
	if (rtpc_sip_find_sdp(b, &m, &err) == -1) {
		CHECK(m.multipart && err.msg[0] != '\0');
		return 0;
	}
	CHECK_SPAN(m.sdp, m.body_off, m.body_off + m.body_len);
	if (rtpc_sdp_parse(b, m.sdp.off, m.sdp.len, &sdp, &err) == 0) {
		CHECK(sdp.end <= m.sdp.off + m.sdp.len);
		for (i = 0; i < sdp.nstreams; i++)
			CHECK_SPAN(sdp.streams[i].port, m.sdp.off,
			    m.sdp.off + m.sdp.len);
		rtpc_sdp_free(&sdp);
	}
	return 0;
}
