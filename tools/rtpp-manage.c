/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtpp-manage: what Kamailio's rtpproxy_manage() does, as a filter:
 * offer, answer or delete, chosen from the message's method, status and
 * CSeq method.  See rtpp-manage(1).
 */
#include <popt.h>

#include "cli.h"

int
main(int argc, char **argv)
{
	struct cli_run cr;
	int failure_route = 0, rc;
	const struct poptOption own[] = {
		{ "failure-route", '\0', POPT_ARG_NONE, &failure_route, 0,
		    "the message is handled in a failure route (an INVITE with "
		    "SDP is deleted)", NULL },
		POPT_TABLEEND
	};
	const struct poptOption table[] = {
		CLI_INCLUDE(own, "Options:"),
		CLI_INCLUDE(cli_no_opts, CLI_FLAGS_HELP_OFFER),
		CLI_INCLUDE(cr.tables.input, CLI_HEAD_INPUT),
		CLI_INCLUDE(cr.tables.kind, CLI_HEAD_KIND),
		CLI_INCLUDE(cr.tables.output, CLI_HEAD_OUTPUT),
		CLI_INCLUDE(cr.tables.sdp, CLI_HEAD_SDP),
		CLI_INCLUDE(cr.tables.notify, CLI_HEAD_NOTIFY),
		CLI_INCLUDE(cr.tables.callpath, CLI_HEAD_CALLPATH),
		CLI_INCLUDE(cr.tables.call, CLI_HEAD_CALL),
		CLI_INCLUDE(cr.tables.relay, CLI_HEAD_RELAY),
		CLI_INCLUDE(cr.tables.help, CLI_HEAD_HELP),
		POPT_TABLEEND
	};

	cli_init(&cr, "rtpp-manage", RTPC_OP_MANAGE);
	rc = cli_start(&cr, argc, argv, table,
	    "[OPTION...] [FLAGS [IP]] < MESSAGE");
	if (rc != 0)
		return cli_end(&cr, rc);
	cr.job.req.flags = poptGetArg(cr.pc);
	cr.job.req.ip = poptGetArg(cr.pc);
	cr.job.req.failure_route = failure_route;
	if ((rc = cli_no_more_args(&cr)) != 0 ||
	    (rc = cli_flags_not_ip(&cr, 1)) != 0)
		return cli_end(&cr, rc);
	rc = cli_exec(&cr, CLI_INPUT_STDIN);
	rc = cli_output(&cr, rc);
	if (cr.opts.explain)
		cli_explain(&cr, rc);
	return cli_end(&cr, rc);
}
