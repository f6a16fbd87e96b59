/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli.h: what the tools share: the common popt table, settings from
 * options, environment and config file, reading stdin, writing stdout,
 * and the one error line.
 */
#ifndef RTPP_CLI_H
#define RTPP_CLI_H

#include <popt.h>
#include <stdio.h>

#include "rtpp.h"

/* The largest input --passthrough echoes whole when it is too large to
 * handle (over RTPC_INPUT_MAX); above it nothing is written. */
#define RTPC_PASSTHROUGH_MAX	(64u * 1024 * 1024)

/* Option values as given; NULL when not given. */
struct cli {
	const char	*prog;
	char		**socks;
	size_t		 nsocks;
	char		*set;
	char		*config;
	char		*state_dir;
	char		*tout;
	char		*retr;
	char		*disable_tout;
	char		*force_socket;
	char		*marker;
	char		*timeout_socket;
	char		*ice;
	char		*extra_id;
	char		*callid;
	char		*ftag;
	char		*ttag;
	char		*source_ip;
	char		*local_ip;
	char		*input;
	char		*output;
	char		*b64;
	int		 kind;
	int		 dry_run;
	char		*fake_reply;
	int		 trace;
	int		 passthrough;
	int		 kamailio_env;
	int		 version;
	char		*deadline;
	int		 explain;
	struct rtpc_settings set_;
};

/* One run of a tool that works on a message. */
struct cli_run {
	poptContext	 pc;
	struct rtpc_job	 job;
	struct rtpc_buf	 in;
	int		 in_whole;	/* in holds the whole input */
	char		*ftag;
	char		*ttag;
};

extern struct cli cli;
extern struct poptOption cli_common_opts[];
extern struct poptOption cli_call_opts[];
extern struct poptOption cli_io_opts[];
extern struct poptOption cli_explain_opts[];

void	 cli_std_fds(void);
int	 cli_callpath(int, char **, enum rtpc_op, const char *);
int	 cli_start(struct cli_run *, int, char **, const char *, enum rtpc_op,
	    struct poptOption *, const char *);
int	 cli_no_more_args(struct cli_run *);
int	 cli_flags_not_ip(const char *, const char *, int);
int	 cli_exec(struct cli_run *, int);
int	 cli_output(struct cli_run *, int);
int	 cli_end(struct cli_run *, int);
int	 cli_settings(struct cli *, struct rtpc_settings *);
void	 cli_trace(void *, int, const char *, const char *, size_t);
void	 cli_warn(void *, const char *);
void	 cli_free(struct cli *);
void	 cli_explain(const struct rtpc_job *, int);
int	 cli_takes_value(const char *);
#define CLI_TEXT_LINES	1	/* cli_put_text: LF passes */
void	 cli_put_text(FILE *, const char *, size_t, int);
void	 cli_json_str(const char *);
void	 cli_json_strn(const char *, size_t);

#endif
