/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz-pset: one rtpproxy_sock value ("[N ==] url[=weight] ...") through
 * rtpc_pset_parse (appending to a set that already has a node, as a
 * second value does), then node choice on the result.
 */
#include <sys/un.h>

#include "fuzz.h"
#include "config.h"
#include "select.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtpc_origin o = { "fuzz.conf", 3 };
	struct rtpc_pset ps = { NULL, 0 };
	const struct rtpc_node *sel[64];
	struct rtpc_err err;
	size_t i, n;
	char *s;

	if (size > 4096 || (s = fuzz_cstr(data, size)) == NULL)
		return 0;
	CHECK(rtpc_pset_parse(&ps, "udp:127.0.0.1:22222", NULL, &err) == 0);
	if (rtpc_pset_parse(&ps, s, &o, &err) == -1)
		CHECK((err.code == RTPC_EXIT_USAGE ||
		    err.code == RTPC_EXIT_FAIL) && err.msg[0] != '\0');
	for (i = 0; i < ps.nnodes; i++) {
		const struct rtpc_node *nd = &ps.nodes[i];

		CHECK(nd->url != NULL && nd->index == (int)i);
		if (nd->scheme == RTPC_UNIX) {
			CHECK(nd->path != NULL && *nd->path != '\0' &&
			    strlen(nd->path) < sizeof(((struct sockaddr_un *)
			    0)->sun_path));
		} else {
			long port;

			CHECK(nd->host != NULL && *nd->host != '\0');
			CHECK(nd->port != NULL);
			port = strtol(nd->port, NULL, 10);
			CHECK(port >= 1 && port <= 65535);
		}
	}
	n = rtpc_pset_select(&ps, ps.nnodes ? ps.nodes[ps.nnodes - 1].setid :
	    0, sel, sizeof(sel) / sizeof(sel[0]));
	CHECK(n >= 1 || ps.nnodes == 0);
	n = rtpc_select_order(s, sel, n);
	(void)rtpc_pset_has_set(&ps, 7);
	rtpc_pset_free(&ps);
	free(s);
	return 0;
}
