/*
 * state.h: relay health and capabilities shared by every run on the
 * machine: one small text file per configuration in the state
 * directory, replaced atomically (write + rename) under a lock file.
 * Readers take no lock.  A state that cannot be read or written makes
 * the run behave like a fresh process (the caller warns), never fail.
 */
#ifndef RTPC_STATE_H
#define RTPC_STATE_H

#include "core.h"
#include "config.h"

#define RTPC_DISABLED_NO	0
#define RTPC_DISABLED_UNTIL	1	/* transport failure, until a time */
#define RTPC_DISABLED_ADMIN	2	/* operator: until enabled again */

struct rtpc_nstate {
	char		 url[256];
	int		 disabled;
	long long	 until;		/* epoch seconds, for DISABLED_UNTIL */
	int		 caps;		/* capabilities learnt */
	int		 rep;		/* VF 20071116 */
	int		 ptl;		/* VF 20081102 */
	int		 ntf_known;	/* VF 20081224 was asked */
	int		 ntf;		/* VF 20081224 */
	int		 qry_known;	/* VF 20080403 was asked */
	int		 qry;		/* VF 20080403 (Q) */
	long long	 learnt;	/* when caps were learnt */
	long		 rtt_us;	/* last round trip */
	long long	 rtt_at;
	long		 testing_pid;	/* run re-testing it */
	long long	 testing_until;
	char		 lasterr[160];
	int		 changed;	/* to be written back */
	int		 health_changed; /* disabled/until set by this run */
};

struct rtpc_state {
	char		*dir;
	char		*path;		/* NULL: no state (memory only) */
	char		*lockpath;
	struct rtpc_nstate *nodes;
	size_t		 n;
};

int	 rtpc_state_open(struct rtpc_state *, const char *,
	    const struct rtpc_pset *, struct rtpc_err *);
struct rtpc_nstate *rtpc_state_node(struct rtpc_state *, const char *);
int	 rtpc_state_commit(struct rtpc_state *, struct rtpc_err *);
int	 rtpc_state_claim(struct rtpc_state *, const char *, long long,
	    struct rtpc_err *);
void	 rtpc_state_free(struct rtpc_state *);
char	*rtpc_state_default_dir(void);
long long rtpc_now(void);

#endif
