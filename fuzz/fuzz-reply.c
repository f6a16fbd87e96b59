/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz-reply: the relay reply parsers (rtpc_reply_parse_ul,
 * rtpc_reply_error, rtpc_ecode_str) on arbitrary text, as the transport
 * hands it over: a C string of at most RTPC_REPLY_MAX bytes.
 */
#include "fuzz.h"
#include "reply.h"
#include "transport.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtpc_ulreply u;
	struct rtpc_err err;
	char *s;
	int code = -1, iserr;

	if (size > RTPC_REPLY_MAX || (s = fuzz_cstr(data, size)) == NULL)
		return 0;
	iserr = rtpc_reply_error(s, &code);
	if (iserr) {
		CHECK(s[0] == 'E' && code >= 0 && code <= 9999999);
		CHECK(rtpc_ecode_str(code) != NULL);
	}
	if (rtpc_reply_parse_ul(s, &u, &err) == 0) {
		CHECK(!iserr);
		CHECK(u.port >= 0 && u.port <= 65535);
		CHECK(memchr(u.addr, '\0', sizeof(u.addr)) != NULL);
		CHECK(u.af == 4 || u.af == 6);
		CHECK(u.addr[0] == '\0' || (u.af == 6) ==
		    (strchr(u.addr, ':') != NULL));
	} else {
		CHECK(err.code == RTPC_EXIT_FAIL && err.msg[0] != '\0');
		CHECK(strlen(err.msg) < sizeof(err.msg));
		CHECK(strchr(err.msg, '\n') == NULL);
	}
	free(s);
	return 0;
}
