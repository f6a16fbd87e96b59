/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz-config: a config file's text (plain "key = value" or Kamailio
 * modparam lines) through rtpc_config_parse, then the proxy sets built
 * from the settings it left.
 */
#include "fuzz.h"
#include "config.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtpc_settings s;
	struct rtpc_pset ps;
	struct rtpc_err err;
	long ms;
	char *v;

	rtpc_settings_init(&s);
	if (rtpc_config_parse(&s, (const char *)data, size, "fuzz.conf",
	    &err) == -1) {
		CHECK((err.code == RTPC_EXIT_USAGE ||
		    err.code == RTPC_EXIT_FAIL) && err.msg[0] != '\0');
	} else {
		CHECK(s.marker != NULL);
		CHECK(s.tout_ms >= 1 && s.tout_ms <= 3600 * 1000);
		CHECK(s.retr >= 1 && s.retr <= 100);
		CHECK(strchr(s.marker, '\n') == NULL);
		/* a blank rtpproxy_sock value adds no node, as in the module */
		if (rtpc_pset_build(&ps, &s, &err) == 0)
			rtpc_pset_free(&ps);
	}
	rtpc_settings_free(&s);
	/* the duration syntax of rtpproxy_tout and --deadline */
	if (size <= 64 && (v = fuzz_cstr(data, size)) != NULL) {
		if (rtpc_parse_seconds(v, 1, 3600 * 1000, &ms) == 0)
			CHECK(ms >= 1 && ms <= 3600 * 1000);
		free(v);
	}
	return 0;
}
