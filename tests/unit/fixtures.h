/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fixtures.h: test vectors shared by the unit tests: the SDP bodies
 * of the module reference's Appendix A.1 (rtpengine 10.5 behind
 * Kamailio 5.6.3), written with LF; crlf() gives the captured CRLF
 * form.  Plus small helpers to build inputs.
 */
#ifndef RTPP_FIXTURES_H
#define RTPP_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The UAC's offer in the INVITE (220 bytes with CRLF). */
#define A1_OFFER \
	"v=0\n" \
	"o=uac 53655765 2353687637 IN IP4 127.0.0.2\n" \
	"s=-\n" \
	"c=IN IP4 127.0.0.2\n" \
	"t=0 0\n" \
	"m=audio 16000 RTP/AVP 0 8 101\n" \
	"a=rtpmap:0 PCMU/8000\n" \
	"a=rtpmap:8 PCMA/8000\n" \
	"a=rtpmap:101 telephone-event/8000\n" \
	"a=fmtp:101 0-15\n" \
	"a=sendrecv\n"

/* The same offer as the UAS received it (238 bytes with CRLF). */
#define A1_OFFER_OUT \
	"v=0\n" \
	"o=uac 53655765 2353687637 IN IP4 127.0.0.1\n" \
	"s=-\n" \
	"c=IN IP4 127.0.0.1\n" \
	"t=0 0\n" \
	"m=audio 31000 RTP/AVP 0 8 101\n" \
	"a=rtpmap:0 PCMU/8000\n" \
	"a=rtpmap:8 PCMA/8000\n" \
	"a=rtpmap:101 telephone-event/8000\n" \
	"a=fmtp:101 0-15\n" \
	"a=sendrecv\n" \
	"a=nortpproxy:yes\n"

/* The UAS's answer in the 200 OK (196 bytes with CRLF). */
#define A1_ANSWER \
	"v=0\n" \
	"o=uas 53655765 2353687637 IN IP4 127.0.0.3\n" \
	"s=-\n" \
	"c=IN IP4 127.0.0.3\n" \
	"t=0 0\n" \
	"m=audio 18000 RTP/AVP 0 101\n" \
	"a=rtpmap:0 PCMU/8000\n" \
	"a=rtpmap:101 telephone-event/8000\n" \
	"a=fmtp:101 0-15\n" \
	"a=sendrecv\n"

/* The same answer as the UAC received it (214 bytes with CRLF). */
#define A1_ANSWER_OUT \
	"v=0\n" \
	"o=uas 53655765 2353687637 IN IP4 127.0.0.1\n" \
	"s=-\n" \
	"c=IN IP4 127.0.0.1\n" \
	"t=0 0\n" \
	"m=audio 31016 RTP/AVP 0 101\n" \
	"a=rtpmap:0 PCMU/8000\n" \
	"a=rtpmap:101 telephone-event/8000\n" \
	"a=fmtp:101 0-15\n" \
	"a=sendrecv\n" \
	"a=nortpproxy:yes\n"

/* Every LF of s becomes CRLF.  The caller frees. */
static inline char *
crlf(const char *s)
{
	size_t n = 0, i, o = 0;
	char *p;

	for (i = 0; s[i] != '\0'; i++)
		n += s[i] == '\n' ? 2 : 1;
	if ((p = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\n')
			p[o++] = '\r';
		p[o++] = s[i];
	}
	p[o] = '\0';
	return p;
}

/* A copy of s, with CRLF line ends when use_crlf.  The caller frees. */
static inline char *
eols(const char *s, int use_crlf)
{
	char *p;

	if (use_crlf)
		return crlf(s);
	if ((p = strdup(s)) == NULL)
		abort();
	return p;
}

/*
 * A SIP message: head (LF; "%zu" where the Content-Length goes, at
 * most once) + blank line + body, all with CRLF when use_crlf.
 */
static inline char *
sipmsg(const char *head, const char *body, int use_crlf)
{
	char *h = eols(head, use_crlf), *b = eols(body, use_crlf), *m;
	const char *blank = use_crlf ? "\r\n" : "\n";
	size_t hl, sz;

	sz = strlen(h) + 32 + strlen(blank) + strlen(b) + 1;
	if ((m = malloc(sz)) == NULL)
		abort();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(m, sz, h, strlen(b));
#pragma GCC diagnostic pop
	hl = strlen(m);
	snprintf(m + hl, sz - hl, "%s%s", blank, b);
	free(h);
	free(b);
	return m;
}

#endif
