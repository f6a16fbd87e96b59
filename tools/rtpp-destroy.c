/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtpp-destroy: what Kamailio's rtpproxy_destroy() (unforce_rtp_proxy()) does, as a filter.
 * See rtpp-destroy(1).
 */
#include "cli.h"

int
main(int argc, char **argv)
{
	struct cli_run cr;
	const struct poptOption table[] = {
		CLI_INCLUDE(cli_no_opts, CLI_FLAGS_HELP_DESTROY),
		CLI_INCLUDE(cr.tables.input, CLI_HEAD_INPUT),
		CLI_INCLUDE(cr.tables.output, CLI_HEAD_OUTPUT),
		CLI_INCLUDE(cr.tables.callpath, CLI_HEAD_CALLPATH),
		CLI_INCLUDE(cr.tables.call, CLI_HEAD_CALL),
		CLI_INCLUDE(cr.tables.relay, CLI_HEAD_RELAY),
		CLI_INCLUDE(cr.tables.help, CLI_HEAD_HELP),
		POPT_TABLEEND
	};

	cli_init(&cr, "rtpp-destroy", RTPC_OP_DESTROY);
	return cli_callpath(&cr, argc, argv, table);
}
