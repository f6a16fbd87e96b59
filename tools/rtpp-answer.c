/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtpp-answer: what Kamailio's rtpproxy_answer() does, as a filter.
 * See rtpp-answer(1).
 */
#include "cli.h"

int
main(int argc, char **argv)
{
	return cli_callpath(argc, argv, RTPC_OP_ANSWER, "rtpp-answer");
}
