/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * offers.h: rtpp-manage's memory of the INVITEs that came without SDP,
 * so that a reply with SDP to one of them is known to be a late offer
 * (U) and not an answer (L).
 */
#ifndef RTPC_OFFERS_H
#define RTPC_OFFERS_H

#include "core.h"

int	 rtpc_offers_note(const char *, const char *, const char *,
	    struct rtpc_err *);
int	 rtpc_offers_known(const char *, const char *, const char *);

#endif
