/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtpp-destroy: what Kamailio's rtpproxy_destroy() (unforce_rtp_proxy()) does, as a filter.
 * See rtpp-destroy(1).
 */
#include "cli.h"

int
main(int argc, char **argv)
{
	return cli_callpath(argc, argv, RTPC_OP_DESTROY, "rtpp-destroy");
}
