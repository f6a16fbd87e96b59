/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli.h: what the tools share: small popt tables of shared options that
 * each tool includes as it needs them, settings from options,
 * environment and config file, reading stdin, writing stdout, and the
 * one error line.
 */
#ifndef RTPP_CLI_H
#define RTPP_CLI_H

#include <popt.h>
#include <stdint.h>
#include <stdio.h>

#include "rtpp.h"

/* The largest input --passthrough echoes whole when it is too large to
 * handle (over RTPC_INPUT_MAX); above it nothing is written. */
#define RTPC_PASSTHROUGH_MAX	(64u * 1024 * 1024)

/* Values of the shared options as given; NULL when not given. */
struct cli_opts {
	/* relays and settings */
	char		**socks;
	size_t		 nsocks;
	char		*set;
	char		*config;
	char		*state_dir;
	char		*tout;
	char		*retr;
	char		*disable_tout;
	char		*force_socket;
	char		*deadline;
	int		 trace;
	/* call data */
	char		*callid;
	char		*ftag;
	char		*ttag;
	int		 kamailio_env;
	/* input and output */
	char		*input;
	char		*b64;
	int		 dry_run;
	char		*fake_reply;
	enum rtpc_kind	 kind;
	char		*output;
	int		 passthrough;
	/* SDP rewriting */
	char		*source_ip;
	char		*local_ip;
	char		*ice;
	char		*marker;
	char		*timeout_socket;
	/* flags and report */
	char		*extra_id;
	int		 explain;
};

/*
 * The shared option tables, each a copy bound to one run's cli_opts
 * (popt hands the callback entry's descrip to the callback).  A tool
 * includes the ones it uses with POPT_ARG_INCLUDE_TABLE and the
 * heading CLI_HEAD_*: rtpp(7) documents each table under its heading.
 */
#define CLI_HEAD_RELAY		"Relays and settings:"
#define CLI_HEAD_CALL		"Call data:"
#define CLI_HEAD_INPUT		"Input:"
#define CLI_HEAD_KIND		"Request or reply:"
#define CLI_HEAD_OUTPUT		"Output:"
#define CLI_HEAD_SDP		"SDP rewriting:"
#define CLI_HEAD_NOTIFY		"Timeout notifications:"
#define CLI_HEAD_CALLPATH	"Flags and report:"
#define CLI_HEAD_HELP		"Help options:"

#define CLI_TABLE_MAX	12	/* entries of the largest table, both ends included */

struct cli_tables {
	struct poptOption relay[CLI_TABLE_MAX];		/* every tool */
	struct poptOption call[CLI_TABLE_MAX];		/* every tool */
	struct poptOption input[CLI_TABLE_MAX];		/* every tool */
	struct poptOption kind[CLI_TABLE_MAX];		/* bare SDP's side */
	struct poptOption output[CLI_TABLE_MAX];	/* writes the message */
	struct poptOption sdp[CLI_TABLE_MAX];		/* rewrites the SDP */
	struct poptOption notify[CLI_TABLE_MAX];	/* timeout_socket */
	struct poptOption callpath[CLI_TABLE_MAX];	/* takes FLAGS */
	struct poptOption help[CLI_TABLE_MAX];		/* every tool */
};

#define CLI_INCLUDE(table, heading) \
	{ NULL, '\0', POPT_ARG_INCLUDE_TABLE, (void *)(uintptr_t)(table), 0, \
	    (heading), NULL }

/* What --help says about the FLAGS argument (the module's letters). */
#define CLI_FLAGS_HELP_OFFER \
	"FLAGS, the module's flags string, letters in any case ('' for " \
	"none):\n" \
	"  1 2 3  append Via 1, 2 or 3's branch to the Call-ID\n" \
	"  a      asymmetric UA (A), send the SDP's address (as r)\n" \
	"  b      append --extra-id to the Call-ID\n" \
	"  c      rewrite the session c= too when every m= has its own\n" \
	"  e i    bridge interfaces (E, I)\n" \
	"  f      ignore the nortpproxy_str marker\n" \
	"  l      lookup only: L instead of U (offer)\n" \
	"  o      rewrite o= too\n" \
	"  r      send the SDP's address, not the SIP source address\n" \
	"  t      (destroy only: leave out the To-tag)\n" \
	"  w      force symmetric RTP (S)\n" \
	"  x      bridge IPv4 and IPv6 (IE or EI)\n" \
	"  z<N>   re-packetize to N ms (Z<N>)\n" \
	"IP, the module's ip_address: the address to write into the SDP " \
	"('' for none)"
#define CLI_FLAGS_HELP_DESTROY \
	"FLAGS, the module's flags string ('' for none; the offer letters " \
	"are\naccepted and ignored):\n" \
	"  1 2 3  append Via 1, 2 or 3's branch to the Call-ID\n" \
	"  b      append --extra-id to the Call-ID\n" \
	"  t      leave out the To-tag: delete the whole call"

/* A table with no option: its heading is text for --help. */
extern const struct poptOption cli_no_opts[];

/* How a tool takes its input. */
enum cli_input {
	CLI_INPUT_STDIN,	/* stdin, even a terminal */
	CLI_INPUT_NOT_TTY,	/* stdin unless it is a terminal */
	CLI_INPUT_NONE		/* no input at all (unless --b64) */
};

/* One run of a tool: its options, settings and job. */
/* The environment variables a run reads. */
enum cli_env {
	ENV_RTPP_SOCK, ENV_RTPP_TOUT, ENV_RTPP_RETR, ENV_RTPP_DISABLE_TOUT,
	ENV_RTPP_FORCE_SOCKET, ENV_RTPP_NORTPPROXY_STR,
	ENV_RTPP_TIMEOUT_SOCKET, ENV_RTPP_STATE_DIR, ENV_RTPP_CONFIG,
	ENV_RTPP_SET, ENV_SIP_HF_CALLID, ENV_SIP_HF_FROM, ENV_SIP_HF_TO,
	ENV_SIP_SRCIP, ENV_COUNT
};

struct cli_run {
	const char	*prog;
	const char	*env[ENV_COUNT];	/* by cli_env; NULL: not set */
	enum rtpc_op	 tool_op;	/* what the tool does (before manage decides) */
	struct cli_opts	 opts;
	struct cli_tables tables;
	struct rtpc_settings settings;
	poptContext	 pc;
	struct rtpc_job	 job;
	struct rtpc_buf	 in;
	int		 in_whole;	/* in holds the whole input */
	char		*ftag;
	char		*ttag;
};

void	 cli_std_fds(void);
void	 cli_init(struct cli_run *, const char *, enum rtpc_op);
int	 cli_callpath(struct cli_run *, int, char **,
	    const struct poptOption *);
int	 cli_start(struct cli_run *, int, char **, const struct poptOption *,
	    const char *);
int	 cli_no_more_args(struct cli_run *);
int	 cli_flags_not_ip(const struct cli_run *, int);
int	 cli_exec(struct cli_run *, enum cli_input);
int	 cli_output(struct cli_run *, int);
int	 cli_end(struct cli_run *, int);
int	 cli_settings(const struct cli_opts *, const char *const *,
	    struct rtpc_settings *);
void	 cli_trace(void *, int, const char *, const char *, size_t);
void	 cli_warn(void *, const char *);
void	 cli_explain(const struct cli_run *, int);
int	 cli_takes_value(const struct poptOption *, const char *);
#define CLI_TEXT_LINES	1	/* cli_put_text: LF passes */
void	 cli_put_text(FILE *, const char *, size_t, int);
void	 cli_json_str(const char *);
void	 cli_json_strn(const char *, size_t);

#endif
