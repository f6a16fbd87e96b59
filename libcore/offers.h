/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * offers.h: rtpp-manage's memory of the INVITEs that came without SDP,
 * so that a reply with SDP to one of them is known to be a late offer
 * (U) and not an answer (L).
 *
 * One fixed-size file per state directory ("late-offers"): a ring of
 * fixed-size entries (a keyed hash of CSeq and Call-ID, and the time)
 * in the order they were noted, so that the oldest is evicted first
 * and no entry can be larger than another, plus a hash index into the
 * ring.  Every entry is written with single aligned 64-bit stores into
 * a shared mapping and validated on reading, so readers take no lock
 * and never see a half-written entry.  Writers serialise on a lock file
 * with a bounded wait.  The directory and the files follow the trust
 * rule of the health state (rtpc_state_distrust_dir and _file; in a
 * group-shared directory the files are the group's too).  A store that
 * cannot be used (not to be trusted, not a regular file, locked too
 * long) makes the run behave as without memory; the caller warns.
 */
#ifndef RTPC_OFFERS_H
#define RTPC_OFFERS_H

#include <stdint.h>

#include "errors.h"

#define RTPC_OFFERS_TTL		600		/* seconds an entry counts */
#define RTPC_OFFERS_CAP		131072		/* entries of a new store */
#define RTPC_OFFERS_LOCK_MS	30		/* longest wait for the lock */
#define RTPC_OFFERS_FILE	"late-offers"

int	 rtpc_offers_note(const char *, const char *, const char *,
	    struct rtpc_err *);
int	 rtpc_offers_known(const char *, const char *, const char *,
	    struct rtpc_err *);
/* for tests and tuning: create an empty store of cap entries */
int	 rtpc_offers_create(const char *, uint32_t, struct rtpc_err *);
/* for tests: note with a given time (epoch seconds) */
int	 rtpc_offers_note_at(const char *, const char *, const char *,
	    long long, struct rtpc_err *);

#endif
