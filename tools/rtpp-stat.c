/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rtpp-stat: the statistics of a call (Q), like the module's $rtpstat,
 * or the relay's global counters (I, or G with named counters).
 * See rtpp-stat(1).
 */
#include <ctype.h>
#include <err.h>
#include <popt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rtpp.h"
#include "cli.h"

/* rtpp-stat's own options. */
struct stat_opts {
	int	 json;
	int	 global;
	int	 verbose;
	char	*counters;	/* as given, then cleaned */
};

/* A token as a JSON number when it is one, else as a string. */
static void
json_val(const char *s, size_t n)
{
	size_t i = (n > 0 && s[0] == '-') ? 1 : 0, dots = 0;

	for (; i < n; i++)
		if (s[i] == '.')
			dots++;
		else if (!isdigit((unsigned char)s[i]))
			break;
	if (n > 0 && i == n && dots <= 1 && s[n - 1] != '.' && s[0] != '.' &&
	    !(n > 1 && s[0] == '0' && s[1] != '.'))
		fwrite(s, 1, n, stdout);
	else
		cli_json_strn(s, n);
}

/* Split on spaces, tabs and newlines; at most max tokens. */
static int
tokens(const char *s, const char **tok, size_t *len, int max)
{
	int n = 0;

	while (*s != '\0' && n < max) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (*s == '\0')
			break;
		tok[n] = s;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\n' &&
		    *s != '\r')
			s++;
		len[n] = (size_t)(s - tok[n]);
		n++;
	}
	return n;
}

/*
 * The reply as JSON: name=value pairs become keys; the plain Q reply
 * gets the names of sippy's five fields, relative to the call's
 * parties; named counters get their names.
 */
static void
print_json(const struct stat_opts *so, const char *reply, int from_first)
{
	static const char *const q5[] = { "ttl", NULL, NULL, "relayed",
	    "dropped" };
	const char *tok[64], *ctok[64];
	size_t len[64], clen[64];
	int n = tokens(reply, tok, len, 64), nc = 0, i;

	if (so->counters != NULL)
		nc = tokens(so->counters, ctok, clen, 64);
	printf("{\"raw\":");
	cli_json_strn(reply, strlen(reply));
	for (i = 0; i < n; i++) {
		const char *eq = memchr(tok[i], '=', len[i]);

		putchar(',');
		if (eq != NULL) {
			cli_json_strn(tok[i], (size_t)(eq - tok[i]));
			putchar(':');
			json_val(eq + 1, len[i] - (size_t)(eq - tok[i]) - 1);
			continue;
		}
		if (i < nc)
			cli_json_strn(ctok[i], clen[i]);
		else if (nc == 0 && n == 5 && !so->global) {
			const char *name = q5[i];

			if (i == 1 || i == 2)
				name = (i == 1) == from_first ?
				    "pkts_from_caller" : "pkts_from_callee";
			printf("\"%s\"", name);
		} else
			printf("\"field%d\"", i + 1);
		putchar(':');
		json_val(tok[i], len[i]);
	}
	printf("}\n");
}

/* Counter names: letters, digits and '_', separated by spaces or commas. */
static char *
clean_counters(const char *v)
{
	char *c = strdup(v), *p;

	char *o;

	if (c == NULL)
		err(1, NULL);
	for (p = o = c; *p != '\0'; p++) {
		if (*p == ',' || *p == ' ') {
			/* one space between names, none at the ends */
			if (o > c && o[-1] != ' ')
				*o++ = ' ';
		} else if (isalnum((unsigned char)*p) || *p == '_')
			*o++ = *p;
		else {
			free(c);
			return NULL;
		}
	}
	if (o > c && o[-1] == ' ')
		o--;
	*o = '\0';
	if (*c == '\0') {
		free(c);
		return NULL;
	}
	return c;
}

int
main(int argc, char **argv)
{
	struct cli_run cr;
	struct stat_opts so = { 0 };
	const struct poptOption own[] = {
		{ "json", '\0', POPT_ARG_NONE, &so.json, 0,
		    "print the reply as one JSON object with named fields", NULL },
		{ "global", '\0', POPT_ARG_NONE, &so.global, 0,
		    "the relay's global statistics (I, or G with --counters) "
		    "instead of a call's", NULL },
		{ "counters", '\0', POPT_ARG_STRING, &so.counters, 0,
		    "ask for these named counters (comma or space separated)",
		    "NAMES" },
		{ "verbose", '\0', POPT_ARG_NONE, &so.verbose, 0,
		    "ask for name=value pairs (Qv, Gv)", NULL },
		POPT_TABLEEND
	};
	const struct poptOption table[] = {
		CLI_INCLUDE(own, "Options:"),
		CLI_INCLUDE(cr.tables.input, CLI_HEAD_INPUT),
		CLI_INCLUDE(cr.tables.kind, CLI_HEAD_KIND),
		CLI_INCLUDE(cr.tables.call, CLI_HEAD_CALL),
		CLI_INCLUDE(cr.tables.relay, CLI_HEAD_RELAY),
		CLI_INCLUDE(cr.tables.help, CLI_HEAD_HELP),
		POPT_TABLEEND
	};
	char *clean = NULL;
	int rc;

	cli_init(&cr, "rtpp-stat", RTPC_OP_QUERY);
	rc = cli_start(&cr, argc, argv, table, "[OPTION...] [< MESSAGE]");
	if (rc == 0)
		rc = cli_no_more_args(&cr);
	if (rc == 0 && so.counters != NULL &&
	    (clean = clean_counters(so.counters)) == NULL) {
		warnx("--counters '%s': names are letters, digits and _",
		    so.counters);
		rc = RTPC_EXIT_USAGE;
	}
	free(so.counters);
	so.counters = clean;
	if (rc != 0)
		return cli_end(&cr, rc);
	cr.job.req.extra.counters = so.counters;
	cr.job.req.extra.verbose = so.verbose;
	if (so.global) {
		cr.job.req.op = RTPC_OP_INFO;
		cr.job.req.callid = cr.job.req.callid ? cr.job.req.callid : "-";
	}
	rc = cli_exec(&cr, so.global ? CLI_INPUT_NONE : CLI_INPUT_NOT_TTY);
	if (rc == 0 && cr.job.req.dry_run)
		rc = cli_output(&cr, rc);
	else if (rc == 0 && so.json && cr.job.res.ng)
		printf("%s\n", cr.job.res.json);
	else if (rc == 0 && so.json)
		print_json(&so, cr.job.res.reply, cr.job.res.from_first);
	else if (rc == 0) {
		cli_put_text(stdout, cr.job.res.reply, strlen(cr.job.res.reply),
		    so.global ? CLI_TEXT_LINES : 0);
		putchar('\n');
	}
	if (rc == 0 && (fflush(stdout) == EOF || ferror(stdout))) {
		warn("stdout");
		rc = RTPC_EXIT_FAIL;
	}
	free(so.counters);
	return cli_end(&cr, rc);
}
