/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtpp-stream: play a prompt to one side of a call (P), or stop it (S),
 * like the module's rtpproxy_stream2uac/uas and rtpproxy_stop_stream2*.
 * Needs a relay with capability 20081102.  See rtpp-stream(1).
 */
#include <err.h>
#include <errno.h>
#include <popt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* COUNT: an integer, -1 or "loop" meaning loop for ever. */
static int
parse_count(const char *v, long *out)
{
	char *end;
	long n;

	if (strcmp(v, "loop") == 0) {
		*out = -1;
		return 0;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < -1 || n == 0 ||
	    n > 1000000)
		return -1;
	*out = n;
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli_run cr;
	int stop = 0, rc, i;
	const struct poptOption own[] = {
		{ "stop", '\0', POPT_ARG_NONE, &stop, 0,
		    "stop playing (S) instead of playing (P)", NULL },
		POPT_TABLEEND
	};
	const struct poptOption table[] = {
		CLI_INCLUDE(own, "Options:"),
		CLI_INCLUDE(cr.tables.input, CLI_HEAD_INPUT),
		CLI_INCLUDE(cr.tables.output, CLI_HEAD_OUTPUT),
		CLI_INCLUDE(cr.tables.call, CLI_HEAD_CALL),
		CLI_INCLUDE(cr.tables.relay, CLI_HEAD_RELAY),
		CLI_INCLUDE(cr.tables.help, CLI_HEAD_HELP),
		POPT_TABLEEND
	};
	const char *side, *prompt = NULL, *count = NULL;

	cli_init(&cr, "rtpp-stream", RTPC_OP_PLAY);
	/* "-1" is a count, not an option, unless it is an option's value */
	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-1") == 0 && !(i > 1 &&
		    cli_takes_value(table, argv[i - 1])))
			argv[i] = (char *)(uintptr_t)"loop";
	rc = cli_start(&cr, argc, argv, table,
	    "[OPTION...] uac|uas PROMPT [COUNT] | --stop uac|uas");
	if (rc != 0)
		return cli_end(&cr, rc);
	side = poptGetArg(cr.pc);
	if (!stop) {
		prompt = poptGetArg(cr.pc);
		count = poptGetArg(cr.pc);
	}
	if (side == NULL || (strcmp(side, "uac") != 0 &&
	    strcmp(side, "uas") != 0)) {
		warnx("first argument must be uac or uas (try --help)");
		return cli_end(&cr, RTPC_EXIT_USAGE);
	}
	if (!stop && prompt == NULL) {
		warnx("no prompt given (try --help)");
		return cli_end(&cr, RTPC_EXIT_USAGE);
	}
	cr.job.req.extra.count = 1;
	if (count != NULL && parse_count(count, &cr.job.req.extra.count) == -1) {
		warnx("count '%s' is not -1 or loop, or a number from 1 to "
		    "1000000", count);
		return cli_end(&cr, RTPC_EXIT_USAGE);
	}
	if ((rc = cli_no_more_args(&cr)) != 0)
		return cli_end(&cr, rc);
	cr.job.req.op = stop ? RTPC_OP_STOP : RTPC_OP_PLAY;
	cr.job.req.extra.uas = strcmp(side, "uas") == 0;
	cr.job.req.extra.prompt = prompt;
	rc = cli_exec(&cr, CLI_INPUT_NOT_TTY);
	return cli_end(&cr, cli_output(&cr, rc));
}
