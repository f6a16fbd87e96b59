/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * floor-filter.c: the floor of Kamailio's exec path.  Put in place of
 * rtpp-manage (same name, same arguments, which it ignores), it prints
 * one fixed, valid rewritten SDP in base64, as "rtpp-manage --output
 * sdp-base64" does, and exits 0: every exec that a call makes still
 * happens, every SDP check of scripts/bench-kamailio passes, and no work
 * is done besides starting.  Linked like the tools.  The SDP (CRLF):
 *
 *	v=0
 *	o=uas 53655765 2353687637 IN IP4 127.0.0.4
 *	s=-
 *	c=IN IP4 127.0.0.4
 *	t=0 0
 *	m=audio 40000 RTP/AVP 0 101
 *	a=rtpmap:0 PCMU/8000
 *	a=rtpmap:101 telephone-event/8000
 *	a=fmtp:101 0-15
 *	a=sendrecv
 *	a=nortpproxy:yes
 */
#include <unistd.h>

static const char sdp_b64[] =
    "dj0wDQpvPXVhcyA1MzY1NTc2NSAyMzUzNjg3NjM3IElOIElQNCAxMjcuMC4wLjQN"
    "CnM9LQ0KYz1JTiBJUDQgMTI3LjAuMC40DQp0PTAgMA0KbT1hdWRpbyA0MDAwMCBS"
    "VFAvQVZQIDAgMTAxDQphPXJ0cG1hcDowIFBDTVUvODAwMA0KYT1ydHBtYXA6MTAx"
    "IHRlbGVwaG9uZS1ldmVudC84MDAwDQphPWZtdHA6MTAxIDAtMTUNCmE9c2VuZHJl"
    "Y3YNCmE9bm9ydHBwcm94eTp5ZXMNCg==\n";

int
main(void)
{
	size_t len = sizeof(sdp_b64) - 1;

	return write(1, sdp_b64, len) == (ssize_t)len ? 0 : 1;
}
