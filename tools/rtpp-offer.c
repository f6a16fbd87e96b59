/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtpp-offer: what Kamailio's rtpproxy_offer() does, as a filter.
 * See rtpp-offer(1).
 */
#include "cli.h"

int
main(int argc, char **argv)
{
	return cli_callpath(argc, argv, RTPC_OP_OFFER, "rtpp-offer");
}
