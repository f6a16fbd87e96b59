/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.h: settings (the module's parameter names), proxy sets parsed
 * from rtpproxy_sock values, and the config file reader.
 *
 * Sources, highest first: command line, environment, config file,
 * built-in defaults.  The tool applies them in the reverse order with
 * rtpc_settings_set(), so each later call wins.
 */
#ifndef RTPC_CONFIG_H
#define RTPC_CONFIG_H

#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>

#include "errors.h"

#define RTPC_DEFAULT_SOCK	"udp:127.0.0.1:22222"
#define RTPC_DEFAULT_PORT	22222
#define RTPC_DEFAULT_MARKER	"a=nortpproxy:yes"
#define RTPC_SET_NODES_MAX	64	/* nodes of a set that take calls */
#define RTPC_REPLY_MAX		4096	/* the longest reply of a node */

enum rtpc_scheme { RTPC_UDP, RTPC_UDP6, RTPC_UNIX };

/* The control protocol a node speaks. */
enum rtpc_proto {
	RTPC_PROTO_RTPP,	/* rtpproxy's: udp:, udp6:, unix: */
	RTPC_PROTO_NG		/* rtpengine's ng: ng: (over UDP) */
};

struct rtpc_node {
	int		 setid;
	char		*url;		/* as written, without =weight */
	unsigned	 weight;
	enum rtpc_scheme scheme;	/* ng: RTPC_UDP or RTPC_UDP6 */
	enum rtpc_proto	 proto;
	char		*host;		/* udp/udp6: host text */
	char		*port;		/* udp/udp6: port text */
	char		*path;		/* unix: socket path */
	int		 index;		/* global, 0-based, config order */
};

struct rtpc_pset {
	struct rtpc_node *nodes;
	size_t		  nnodes;
};

/* Where a setting came from, for error messages. */
struct rtpc_origin {
	const char	*what;		/* "option", "environment", file name */
	int		 line;		/* 0 when not from a file */
};

enum rtpc_ice { RTPC_ICE_OFF, RTPC_ICE_HIGH, RTPC_ICE_LOW };

struct rtpc_settings {
	char	**socks;		/* rtpproxy_sock values, in order */
	size_t	  nsocks;
	int	  socks_prio;		/* priority of the source that set them */
	long	  tout_ms;		/* rtpproxy_tout */
	int	  retr;			/* rtpproxy_retr */
	long	  disable_tout;		/* rtpproxy_disable_tout, seconds */
	char	 *force_socket;
	char	 *marker;		/* nortpproxy_str: escapes decoded,
					   trailing CR/LF stripped */
	char	 *timeout_socket;
	char	 *state_dir;
	enum rtpc_ice ice;		/* ice_candidate_priority */
	char	 *extra_id;		/* value used by flag b */
	int	  set;			/* proxy set chosen with --set */
};

void	 rtpc_settings_init(struct rtpc_settings *);
void	 rtpc_settings_free(struct rtpc_settings *);
int	 rtpc_settings_set(struct rtpc_settings *, const char *, const char *,
	    int, const struct rtpc_origin *, struct rtpc_err *);
int	 rtpc_settings_known(const char *);
int	 rtpc_config_load(struct rtpc_settings *, const char *, int,
	    struct rtpc_err *);
int	 rtpc_config_parse(struct rtpc_settings *, const char *, size_t,
	    const char *, struct rtpc_err *);

int	 rtpc_pset_parse(struct rtpc_pset *, const char *,
	    const struct rtpc_origin *, struct rtpc_err *);
int	 rtpc_pset_build(struct rtpc_pset *, const struct rtpc_settings *,
	    struct rtpc_err *);
void	 rtpc_pset_free(struct rtpc_pset *);
size_t	 rtpc_pset_select(const struct rtpc_pset *, int,
	    const struct rtpc_node **, size_t);
int	 rtpc_pset_has_set(const struct rtpc_pset *, int);

int	 rtpc_parse_seconds(const char *, long, long, long *);
char	*rtpc_cfg_unescape(char *);

#endif
