/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * healthfile.h: libcore's side of the health unit (health.h is the
 * API): relay health, capabilities and the operator's verdict,
 * shared by every run and every rtpp-ctl on the machine: one record per
 * node (keyed by its URL, whatever set, order or weight it appears in)
 * in one small text file of the state directory, replaced atomically
 * (write + rename) under a lock file.  Readers take no lock; a writer
 * re-reads under the lock and changes only what it learnt.  The lock
 * is waited for at most RTPC_STATE_LOCK_MS (and never past the run's
 * deadline).  A state that cannot be trusted, read or written makes the
 * run behave like a fresh process (the caller warns), never fail.
 */
#ifndef RTPC_HEALTHFILE_H
#define RTPC_HEALTHFILE_H

#include <sys/stat.h>

#include "errors.h"
#include "config.h"
#include "health.h"

/* The operator's verdict: only rtpp-ctl sets it, no run changes it. */
#define RTPC_ADMIN_NONE		0	/* in service */
#define RTPC_ADMIN_DISABLED	1	/* no call at all until enabled */
#define RTPC_ADMIN_DRAINING	2	/* no new call; calls there stay */

/* What a run changed in a record; written back field group by group. */
#define RTPC_NS_HEALTH	0x1	/* down, until, lasterr, testing */
#define RTPC_NS_CAPS	0x2	/* caps, rep, ptl, ntf, qry, learnt */
#define RTPC_NS_RTT	0x4	/* rtt_us, rtt_at */
#define RTPC_NS_ADMIN	0x8	/* the operator's verdict */

#define RTPC_STATE_LOCK_MS	30	/* longest wait for the lock */
#define RTPC_VERDICT_LOCK_MS	1000	/* an operator's longest wait */
#define RTPC_REOPEN_TRIES	8	/* opens of a file replaced meanwhile */
#define RTPC_RTT_FRESH		10	/* seconds a round-trip time stays fresh */

struct rtpc_nstate {
	char		*url;
	int		 admin;		/* RTPC_ADMIN_* */
	unsigned long long opgen;	/* counts the operator's verdicts */
	int		 down;		/* failed, skipped until `until' */
	long long	 until;		/* epoch seconds */
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
	unsigned	 dirty;		/* RTPC_NS_*: to be written back */
	unsigned long long seen_opgen;	/* opgen when this run read it */
};

struct rtpc_state {
	char		*dir;
	char		*path;		/* NULL: no state (memory only) */
	char		*lockpath;
	int		 dfd;		/* the directory, once checked */
	int		 dfd_ok;
	int		 isdefault;	/* dir is the built-in default */
	struct stat	 dsb;		/* the directory, as checked */
	int		 shared;	/* the directory is group-shared */
	unsigned	 gid;		/* its group, when shared */
	long long	 end_ms;	/* monotonic: never wait past; 0: none */
	long		 lock_ms;	/* longest wait for the lock; 0: default */
	struct rtpc_nstate **nodes;	/* stable pointers */
	size_t		 n;
};

int	 rtpc_state_open(struct rtpc_state *, const char *,
	    const struct rtpc_pset *, struct rtpc_err *);
struct rtpc_nstate *rtpc_state_node(struct rtpc_state *, const char *);
int	 rtpc_state_commit(struct rtpc_state *, struct rtpc_err *);
int	 rtpc_state_claim(struct rtpc_state *, const char *, long long,
	    struct rtpc_err *);
void	 rtpc_state_free(struct rtpc_state *);

const char *rtpc_state_distrust_dir(const struct stat *, char *, size_t);
const char *rtpc_state_distrust_file(const struct stat *,
	    const struct stat *, char *, size_t);
int	 rtpc_state_open_current(int, const char *, int, mode_t,
	    struct stat *);
char	*rtpc_state_default_dir(void);

#endif
