/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctl.h: parts of rtpp-ctl kept in their own files.
 */
#ifndef RTPP_CTL_H
#define RTPP_CTL_H

#define CTL_MAX_HOOKS	16	/* default of --max-hooks */

struct ctl_watch {
	const char	*socket;	/* unix:/path or tcp:host:port */
	int		 json;
	const char	*exec;		/* run for each notification */
	int		 max_hooks;	/* hooks running at once, at most */
	int		 max;		/* stop after this many; 0 = never */
	int		 for_s;		/* stop after this long; 0 = never */
	void		(*ready)(void);
};

int	 ctl_watch(const struct ctl_watch *);

#endif
