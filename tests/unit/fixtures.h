/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fixtures.h: test vectors shared by the unit tests: the SDP bodies
 * of the module reference's Appendix A.1 (rtpengine 10.5 behind
 * Kamailio 5.6.3), written with LF in files under tests/unit/fixtures
 * read at run time; crlf() gives the captured CRLF form.  Plus small
 * helpers to build inputs.
 */
#ifndef RTPP_FIXTURES_H
#define RTPP_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Strings the tests keep to the end: listed here, so that a leak checker
 * sees them reachable.
 */
static char *kept_strings[64];

static inline char *
keep_string(char *s)
{
	size_t i;

	for (i = 0; i < sizeof(kept_strings) / sizeof(kept_strings[0]); i++)
		if (kept_strings[i] == NULL)
			return kept_strings[i] = s;
	fprintf(stderr, "Bail out! more than %zu kept strings\n", i);
	exit(1);
}

/*
 * The text of the fixture file NAME, read once: from $UNIT_FIXTURES
 * (make check passes the source tree's tests/unit/fixtures, which works
 * out of tree too), else tests/unit/fixtures below the current directory.
 */
static inline const char *
fixture(const char *name)
{
	static const char *names[16], *texts[16];
	const char *dir = getenv("UNIT_FIXTURES");
	char path[4096], *text;
	size_t i, len = 0, cap = 1024, n;
	FILE *f;

	for (i = 0; i < 16 && names[i] != NULL; i++)
		if (strcmp(names[i], name) == 0)
			return texts[i];
	if (dir == NULL || *dir == '\0')
		dir = "tests/unit/fixtures";
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (i == 16 || (f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "Bail out! fixture %s: cannot read\n", path);
		exit(1);
	}
	if ((text = malloc(cap)) == NULL)
		abort();
	while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (len + 1 == cap && (text = realloc(text, cap *= 2)) == NULL)
			abort();
	}
	fclose(f);
	text[len] = '\0';
	names[i] = name;
	return texts[i] = keep_string(text);
}

/* a, b and c in one string, kept to the end. */
static inline const char *
joined(const char *a, const char *b, const char *c)
{
	size_t sz = strlen(a) + strlen(b) + strlen(c) + 1;
	char *s;

	if ((s = malloc(sz)) == NULL)
		abort();
	snprintf(s, sz, "%s%s%s", a, b, c);
	return keep_string(s);
}

/* The UAC's offer in the INVITE (220 bytes with CRLF). */
#define A1_OFFER fixture("a1-offer.sdp")

/* The same offer as the UAS received it (238 bytes with CRLF). */
#define A1_OFFER_OUT fixture("a1-offer-out.sdp")

/* The UAS's answer in the 200 OK (196 bytes with CRLF). */
#define A1_ANSWER fixture("a1-answer.sdp")

/* The same answer as the UAC received it (214 bytes with CRLF). */
#define A1_ANSWER_OUT fixture("a1-answer-out.sdp")

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
