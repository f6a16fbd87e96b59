/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test-bencode.c: the bencode codec (bencode.h): encoding with sorted
 * keys and sticky build errors, decoding of rtpengine's real replies,
 * strictness on malformed input, limits, lookups.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "buf.h"
#include "bencode.h"
#include "tap.h"

/* Encode v (then free it) and compare with want (wlen bytes). */
static void
enc_is_mem(struct rtpc_bval *v, const char *want, size_t wlen,
    const char *name)
{
	struct rtpc_buf b;
	struct rtpc_err err;

	rtpc_buf_init(&b, 0);
	rtpc_err_clear(&err);
	if (!ok(rtpc_bval_encode(v, &b, &err) == 0, "%s: encodes", name))
		diag("error: %s", err.msg);
	is_mem(b.data, b.len, want, wlen, "%s: bytes", name);
	rtpc_buf_free(&b);
	rtpc_bval_free(v);
}

static void
enc_is(struct rtpc_bval *v, const char *want, const char *name)
{
	enc_is_mem(v, want, strlen(want), name);
}

/* Encoding fails with a message containing sub; frees v. */
static void
enc_fails(struct rtpc_bval *v, const char *sub, const char *name)
{
	struct rtpc_buf b;
	struct rtpc_err err;

	rtpc_buf_init(&b, 0);
	rtpc_err_clear(&err);
	ok(rtpc_bval_encode(v, &b, &err) == -1, "%s: refused", name);
	like(err.msg, sub, "%s: says why", name);
	is_int(b.len, 0, "%s: nothing written", name);
	rtpc_buf_free(&b);
	rtpc_bval_free(v);
}

static void
test_encode(void)
{
	struct rtpc_bval *d, *l, *dd;
	static const char bin[] = { 'a', '\0', 'b', '\xff' };

	/* the ping of the reference: d7:command4:pinge */
	d = rtpc_bval_dict();
	rtpc_bdict_cstr(d, "command", "ping");
	enc_is(d, "d7:command4:pinge", "ping");

	/* keys come out sorted however they were added */
	d = rtpc_bval_dict();
	rtpc_bdict_cstr(d, "sdp", "x");
	rtpc_bdict_cstr(d, "command", "offer");
	rtpc_bdict_cstr(d, "from-tag", "f1");
	rtpc_bdict_cstr(d, "call-id", "c1");
	enc_is(d, "d7:call-id2:c17:command5:offer8:from-tag2:f13:sdp1:xe",
	    "keys sorted");

	/* raw byte order, a prefix first; uppercase before lowercase */
	d = rtpc_bval_dict();
	rtpc_bdict_int(d, "ab", 2);
	rtpc_bdict_int(d, "a", 1);
	rtpc_bdict_int(d, "ICE", 3);
	rtpc_bdict_int(d, "\xff", 4);
	rtpc_bdict_int(d, "", 0);
	enc_is(d, "d0:i0e3:ICEi3e1:ai1e2:abi2e1:\xffi4ee",
	    "byte order of keys, empty key first");

	/* integers: 0, negative, the extremes */
	l = rtpc_bval_list();
	rtpc_blist_int(l, 0);
	rtpc_blist_int(l, -42);
	rtpc_blist_int(l, 9223372036854775807LL);
	rtpc_blist_int(l, -9223372036854775807LL - 1);
	enc_is(l, "li0ei-42ei9223372036854775807ei-9223372036854775808ee",
	    "integers");

	/* byte strings with NUL and high bytes, empty strings */
	l = rtpc_bval_list();
	rtpc_blist_str(l, bin, sizeof(bin));
	rtpc_blist_str(l, "", 0);
	rtpc_blist_str(l, NULL, 0);
	enc_is_mem(l, "l4:a\0b\xff" "0:0:e", 12, "binary and empty strings");

	/* nesting: lists in dictionaries in lists, empty containers */
	d = rtpc_bval_dict();
	l = rtpc_bdict_list(d, "flags");
	rtpc_blist_cstr(l, "trust-address");
	rtpc_blist_cstr(l, "symmetric");
	dd = rtpc_blist_dict(l);
	rtpc_bdict_list(dd, "z");
	rtpc_blist_list(l);
	rtpc_bdict_dict(d, "e");
	enc_is(d, "d1:ede5:flagsl13:trust-address9:symmetricd1:zleeleee",
	    "nested and empty containers");
	is_int(rtpc_bval_count(NULL), 0, "count of NULL is 0");

	/* a list keeps its order */
	l = rtpc_bval_list();
	rtpc_blist_cstr(l, "b");
	rtpc_blist_cstr(l, "a");
	is_int(rtpc_bval_count(l), 2, "count of a list");
	enc_is(l, "l1:b1:ae", "list order kept");
}

static void
test_encode_errors(void)
{
	struct rtpc_bval *d, *l, *c;
	struct rtpc_buf b;
	struct rtpc_err err;
	int i;

	/* a duplicate key is refused at once and remembered */
	d = rtpc_bval_dict();
	is_int(rtpc_bdict_cstr(d, "k", "1"), 0, "first key added");
	is_int(rtpc_bdict_cstr(d, "k", "2"), -1, "same key again: -1");
	is_int(rtpc_bval_count(d), 1, "... not added");
	is_int(rtpc_bdict_cstr(d, "l", "3"), 0, "a later key still adds");
	enc_fails(d, "added twice", "duplicate key");

	/* wrong container, NULL key, NULL string */
	d = rtpc_bval_dict();
	is_int(rtpc_blist_cstr(d, "x"), -1, "list call on a dictionary");
	enc_fails(d, "wrong kind", "list call on a dictionary");
	d = rtpc_bval_dict();
	is_int(rtpc_bdict_int(d, NULL, 1), -1, "NULL key");
	enc_fails(d, "no key", "NULL key");
	d = rtpc_bval_dict();
	is_int(rtpc_bdict_cstr(d, "k", NULL), -1, "NULL string");
	enc_fails(d, "no bytes", "NULL string");
	l = rtpc_bval_list();
	is_int(rtpc_blist_str(l, NULL, 3), -1, "NULL bytes with a length");
	enc_fails(l, "no bytes", "NULL bytes");

	/* calls on NULL (a failed container) fail quietly */
	ok(rtpc_bdict_cstr(NULL, "k", "v") == -1, "dict call on NULL: -1");
	ok(rtpc_blist_int(NULL, 1) == -1, "list call on NULL: -1");
	ok(rtpc_bdict_list(NULL, "k") == NULL, "container on NULL: NULL");
	rtpc_err_clear(&err);
	rtpc_buf_init(&b, 0);
	ok(rtpc_bval_encode(NULL, &b, &err) == -1, "encoding NULL fails");
	like(err.msg, "out of memory", "... as the failed allocation it is");

	/* depth: 32 levels are fine, the 33rd is refused */
	l = rtpc_bval_list();
	for (c = l, i = 1; i < RTPC_BENC_DEPTH_MAX; i++)
		c = rtpc_blist_list(c);
	ok(c != NULL, "32 nested lists build");
	ok(rtpc_blist_list(c) == NULL, "a 33rd level is refused");
	ok(rtpc_blist_int(c, 7) == 0, "a scalar at level 32 is fine");
	enc_fails(l, "too deep", "nesting too deep");

	/* the output cap: the buffer is left as it was */
	d = rtpc_bval_dict();
	rtpc_bdict_cstr(d, "sdp", "0123456789012345678901234567890123456789");
	rtpc_buf_init(&b, 32);
	rtpc_buf_addstr(&b, "cookie ");
	rtpc_err_clear(&err);
	ok(rtpc_bval_encode(d, &b, &err) == -1, "over the buffer's cap");
	like(err.msg, "longer than 32 bytes", "... says the cap");
	is_str(b.data, "cookie ", "... the buffer keeps what it had");
	rtpc_buf_free(&b);
	rtpc_bval_free(d);
	rtpc_bval_free(NULL);
}

/* Decode s (length len); returns rc, fills doc and err. */
static int
dec(const char *s, size_t len, struct rtpc_benc_doc *doc,
    struct rtpc_err *err)
{
	rtpc_err_clear(err);
	return rtpc_benc_decode(s, len, doc, err);
}

#define DEC(s, doc, err)	dec((s), sizeof(s) - 1, (doc), (err))

static void
test_decode_replies(void)
{
	/* replies of rtpengine 10.5 as the reference shows them */
	static const char offer[] =
	    "d3:sdp136:v=0\r\no=- 1 1 IN IP4 127.0.0.2\r\ns=-\r\n"
	    "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n"
	    "a=rtpmap:0 PCMU/8000\r\na=sendrecv\r\na=rtcp:30001\r\n"
	    "6:result2:oke";
	static const char query[] =
	    "d7:createdi1796544748e10:created_usi54059e4:SSRCde"
	    "4:tagsd2:f1d3:tag2:f16:mediasld5:indexi1e4:type5:audio"
	    "7:streamsld10:local porti30012e5:statsd7:packetsi12e"
	    "5:bytesi2064eeeeeeee6:totalsd3:RTPd7:packetsi12eee"
	    "6:result2:oke";
	struct rtpc_benc_doc doc;
	struct rtpc_err err;
	const struct rtpc_benc *r, *v, *m;
	char *dup;
	const char *s;
	size_t len;
	long long n;

	is_int(DEC("d6:result4:ponge", &doc, &err), 0, "pong decodes");
	r = rtpc_benc_root(&doc);
	is_int(r->type, RTPC_BENC_DICT, "... a dictionary");
	is_int(r->count, 1, "... of one key");
	ok(rtpc_benc_str_is(rtpc_benc_get(r, "result"), "pong"),
	    "... result is pong");
	ok(!rtpc_benc_str_is(rtpc_benc_get(r, "result"), "pon"),
	    "... and not a prefix of it");
	rtpc_benc_doc_free(&doc);

	/* the offer's reply: "sdp" before "result", unsorted as sent */
	is_int(DEC(offer, &doc, &err), 0, "offer reply (unsorted) decodes");
	r = rtpc_benc_root(&doc);
	is_int(rtpc_benc_get_str(r, "sdp", &s, &len), 0, "... has sdp");
	is_int(len, 136, "... of 136 bytes");
	ok(s == offer + 10, "... a view into the input");
	dup = rtpc_benc_strdup(rtpc_benc_get(r, "sdp"));
	ok(dup != NULL && strlen(dup) == 136 && memcmp(dup, s, 136) == 0,
	    "strdup copies the string with a NUL after it");
	free(dup);
	ok(rtpc_benc_strdup(r) == NULL, "strdup of a dictionary: NULL");
	ok(rtpc_benc_get_int(r, "sdp", &n) == -1, "sdp is not an integer");
	ok(rtpc_benc_get_list(r, "sdp") == NULL, "nor a list");
	ok(rtpc_benc_get(r, "nothing") == NULL, "absent key: NULL");
	ok(rtpc_benc_get(rtpc_benc_get(r, "sdp"), "x") == NULL,
	    "lookup in a string: NULL");
	rtpc_benc_doc_free(&doc);

	/* the query's nesting */
	is_int(DEC(query, &doc, &err), 0, "query reply decodes");
	r = rtpc_benc_root(&doc);
	is_int(rtpc_benc_get_int(r, "created", &n), 0, "created");
	is_int(n, 1796544748, "... its value");
	v = rtpc_benc_get_dict(r, "SSRC");
	ok(v != NULL && v->count == 0 && v->child == NULL,
	    "empty dictionary SSRC");
	v = rtpc_benc_get_dict(rtpc_benc_get_dict(r, "tags"), "f1");
	m = rtpc_benc_get_list(v, "medias");
	ok(m != NULL && m->count == 1, "tags.f1.medias is a list of one");
	m = rtpc_benc_get_list(m->child, "streams");
	is_int(rtpc_benc_get_int(m->child, "local port", &n), 0,
	    "streams[0].local port");
	is_int(n, 30012, "... 30012");
	is_int(rtpc_benc_get_int(rtpc_benc_get_dict(m->child, "stats"),
	    "bytes", &n), 0, "streams[0].stats.bytes");
	is_int(n, 2064, "... 2064");
	v = rtpc_benc_get_dict(rtpc_benc_get_dict(r, "totals"), "RTP");
	is_int(rtpc_benc_get_int(v, "packets", &n), 0, "totals.RTP.packets");
	is_int(n, 12, "... 12");
	rtpc_benc_doc_free(&doc);
	rtpc_benc_doc_free(&doc);	/* twice is harmless */
}

static void
test_decode_values(void)
{
	struct rtpc_benc_doc doc;
	struct rtpc_err err;
	const struct rtpc_benc *r;

	is_int(DEC("i0e", &doc, &err), 0, "i0e");
	is_int(rtpc_benc_root(&doc)->num, 0, "... 0");
	rtpc_benc_doc_free(&doc);
	is_int(DEC("i-9223372036854775808e", &doc, &err), 0, "LLONG_MIN");
	ok(rtpc_benc_root(&doc)->num == -9223372036854775807LL - 1,
	    "... its value");
	rtpc_benc_doc_free(&doc);
	is_int(DEC("i9223372036854775807e", &doc, &err), 0, "LLONG_MAX");
	ok(rtpc_benc_root(&doc)->num == 9223372036854775807LL,
	    "... its value");
	rtpc_benc_doc_free(&doc);
	is_int(DEC("0:", &doc, &err), 0, "empty string");
	is_int(rtpc_benc_root(&doc)->len, 0, "... length 0");
	rtpc_benc_doc_free(&doc);
	is_int(DEC("5:a\0b\r\xff", &doc, &err), 0, "binary string");
	r = rtpc_benc_root(&doc);
	is_mem(r->str, r->len, "a\0b\r\xff", 5, "... bytes kept");
	rtpc_benc_doc_free(&doc);
	is_int(DEC("le", &doc, &err), 0, "empty list");
	is_int(rtpc_benc_root(&doc)->count, 0, "... no element");
	rtpc_benc_doc_free(&doc);
	is_int(DEC("de", &doc, &err), 0, "empty dictionary");
	rtpc_benc_doc_free(&doc);
	is_int(DEC("l1:ai1eli2eedee", &doc, &err), 0, "mixed list");
	r = rtpc_benc_root(&doc);
	is_int(r->count, 4, "... 4 elements");
	ok(r->child->next->next->type == RTPC_BENC_LIST &&
	    r->child->next->next->child->num == 2, "... nested list [2]");
	ok(r->child->next->next->next->next == NULL, "... then the end");
	ok(rtpc_benc_get(r, "a") == NULL, "lookup in a list: NULL");
	rtpc_benc_doc_free(&doc);
	is_int(DEC("d1:bi1e1:ai2ee", &doc, &err), 0,
	    "unsorted keys accepted (rtpengine sends them)");
	r = rtpc_benc_root(&doc);
	is_mem(r->child->key, r->child->keylen, "b", 1,
	    "... kept in input order");
	rtpc_benc_doc_free(&doc);
}

/* Malformed input: refused, with a message naming the byte. */
static void
bad(const char *s, size_t len, const char *sub, const char *name)
{
	struct rtpc_benc_doc doc;
	struct rtpc_err err;

	ok(dec(s, len, &doc, &err) == -1, "refused: %s", name);
	like(err.msg, sub, "... says '%s'", sub);
	is_int(err.code, RTPC_EXIT_FAIL, "... exit status 1");
	ok(doc.nodes == NULL && doc.n == 0, "... no tree");
}

#define BAD(s, sub, name)	bad((s), sizeof(s) - 1, (sub), (name))

static void
test_decode_bad(void)
{
	char *deep, *many;
	size_t i;
	struct rtpc_benc_doc doc;
	struct rtpc_err err;

	BAD("", "empty input", "empty input");
	BAD("i01e", "leading zero", "integer with a leading zero");
	BAD("i-0e", "-0", "integer -0");
	BAD("i-01e", "leading zero", "negative with a leading zero");
	BAD("ie", "digits expected", "integer without digits");
	BAD("i-e", "digits expected", "integer '-' alone");
	BAD("i+1e", "digits expected", "integer with '+'");
	BAD("i1", "ends inside a number", "integer without 'e'");
	BAD("i1x", "'e' expected", "integer with junk");
	BAD("i9223372036854775808e", "too large", "LLONG_MAX + 1");
	BAD("i-9223372036854775809e", "too large", "LLONG_MIN - 1");
	BAD("i99999999999999999999999e", "too large", "huge integer");
	BAD("01:a", "leading zero", "string length with a leading zero");
	BAD("5:abc", "past the end", "string longer than the input");
	BAD("99999999999999999999:a", "too large", "huge string length");
	BAD("3", "ends inside a number", "length without ':'");
	BAD("3x", "':' expected", "length with junk");
	BAD("-1:a", "not a bencoded value", "negative length");
	BAD("x", "not a bencoded value", "junk");
	BAD("i1ei2e", "bytes after the value", "two values");
	BAD("d6:result2:okee", "bytes after the value",
	    "trailing 'e' after a dictionary");
	BAD("d6:result2:ok", "ends inside", "unterminated dictionary");
	BAD("l", "ends inside", "unterminated list");
	BAD("di1ei2ee", "key is not a string", "integer key");
	BAD("dlei1ee", "key is not a string", "list key");
	BAD("d1:ae", "key without a value", "key without value");
	BAD("d1:ai1e1:ai2ee", "duplicate key", "duplicate key");
	BAD("d1:bi1e1:ai1e1:bi2ee", "duplicate key",
	    "duplicate key, not adjacent");
	BAD("e", "not a bencoded value", "a lone 'e'");
	BAD("4:ab\0", "past the end", "string with NUL, short");

	/* depth: 32 nested lists are fine, 33 are refused */
	deep = malloc(200);
	for (i = 0; i < 32; i++)
		deep[i] = 'l';
	for (i = 0; i < 32; i++)
		deep[32 + i] = 'e';
	is_int(dec(deep, 64, &doc, &err), 0, "32 nested lists decode");
	rtpc_benc_doc_free(&doc);
	for (i = 0; i < 33; i++)
		deep[i] = 'l';
	for (i = 0; i < 33; i++)
		deep[33 + i] = 'e';
	bad(deep, 66, "nested too deep", "33 nested lists");
	/* a string or an integer inside the 32nd list is not a level */
	for (i = 0; i < 32; i++)
		deep[i] = 'l';
	memcpy(deep + 32, "i7e1:x", 6);
	for (i = 0; i < 32; i++)
		deep[38 + i] = 'e';
	is_int(dec(deep, 70, &doc, &err), 0, "scalars inside 32 nested "
	    "lists decode");
	is_int((int)doc.n, 34, "as 34 values");
	rtpc_benc_doc_free(&doc);
	/* deep input without end: refused at level 33 */
	memset(deep, 'l', 200);
	bad(deep, 200, "nested too deep", "200 bytes of 'l'");
	free(deep);

	/* count: RTPC_BENC_NODES_MAX values pass, one more is refused */
	many = malloc(2 + 3 * (size_t)RTPC_BENC_NODES_MAX);
	many[0] = 'l';
	for (i = 0; i < RTPC_BENC_NODES_MAX - 1; i++)
		memcpy(many + 1 + 3 * i, "i0e", 3);
	many[1 + 3 * i] = 'e';
	is_int(dec(many, 2 + 3 * i, &doc, &err), 0,
	    "%d values decode", RTPC_BENC_NODES_MAX);
	is_int(rtpc_benc_root(&doc)->count, RTPC_BENC_NODES_MAX - 1,
	    "... all counted");
	rtpc_benc_doc_free(&doc);
	memcpy(many + 1 + 3 * i, "i0e", 3);
	many[1 + 3 * (i + 1)] = 'e';
	bad(many, 2 + 3 * (i + 1), "too many values", "one value more");
	free(many);

	rtpc_err_clear(&err);
	ok(rtpc_benc_decode(NULL, 3, &doc, &err) == -1, "NULL input");
	ok(rtpc_benc_decode("i1e", RTPC_BENC_INPUT_MAX + 1, &doc, &err) ==
	    -1, "input over the limit");
	like(err.msg, "longer than", "... says so");
}

/* What the encoder writes, the decoder reads back the same. */
static void
test_round_trip(void)
{
	struct rtpc_bval *d, *l;
	struct rtpc_buf b;
	struct rtpc_benc_doc doc;
	struct rtpc_err err;
	const struct rtpc_benc *r, *v;
	const char *s;
	size_t len;
	long long n;

	d = rtpc_bval_dict();
	rtpc_bdict_str(d, "sdp", "v=0\r\n\0x", 7);
	rtpc_bdict_int(d, "ptime", -20);
	l = rtpc_bdict_list(d, "replace");
	rtpc_blist_cstr(l, "origin");
	rtpc_blist_cstr(l, "session-connection");
	rtpc_buf_init(&b, 0);
	rtpc_err_clear(&err);
	is_int(rtpc_bval_encode(d, &b, &err), 0, "round trip: encode");
	is_int(dec(b.data, b.len, &doc, &err), 0, "round trip: decode");
	r = rtpc_benc_root(&doc);
	is_int(rtpc_benc_get_str(r, "sdp", &s, &len), 0, "... sdp");
	is_mem(s, len, "v=0\r\n\0x", 7, "... bytes with NUL");
	is_int(rtpc_benc_get_int(r, "ptime", &n), 0, "... ptime");
	is_int(n, -20, "... -20");
	v = rtpc_benc_get_list(r, "replace");
	ok(v != NULL && v->count == 2 &&
	    rtpc_benc_str_is(v->child, "origin") &&
	    rtpc_benc_str_is(v->child->next, "session-connection"),
	    "... replace list in order");
	rtpc_benc_doc_free(&doc);
	rtpc_buf_free(&b);
	rtpc_bval_free(d);
}

int
main(void)
{
	test_encode();
	test_encode_errors();
	test_decode_replies();
	test_decode_values();
	test_decode_bad();
	test_round_trip();
	return done_testing();
}
