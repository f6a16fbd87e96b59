/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtpp-manage: what Kamailio's rtpproxy_manage() does, as a filter:
 * offer, answer or delete, chosen from the message's method, status and
 * CSeq method.  See rtpp-manage(1).
 */
#include <popt.h>

#include "cli.h"

static int failure_route;

int
main(int argc, char **argv)
{
	struct poptOption own[] = {
		{ "failure-route", '\0', POPT_ARG_NONE, &failure_route, 0,
		    "the message is handled in a failure route (an INVITE with "
		    "SDP is deleted)", NULL },
		POPT_TABLEEND
	};
	struct cli_run cr;
	int rc;

	rc = cli_start(&cr, argc, argv, "rtpp-manage", RTPC_OP_MANAGE, own,
	    "[OPTION...] [FLAGS [IP]] < MESSAGE");
	if (rc != 0)
		return cli_end(&cr, rc);
	cr.job.req.flags = poptGetArg(cr.pc);
	cr.job.req.ip = poptGetArg(cr.pc);
	cr.job.req.failure_route = failure_route;
	if ((rc = cli_no_more_args(&cr)) != 0 ||
	    (rc = cli_flags_not_ip(cr.job.req.flags, cr.job.req.ip, 1)) != 0)
		return cli_end(&cr, rc);
	rc = cli_exec(&cr, 0);
	rc = cli_output(&cr, rc);
	if (cli.explain)
		cli_explain(&cr.job, rc);
	return cli_end(&cr, rc);
}
