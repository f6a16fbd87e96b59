/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz-ng: the bencode decoder and rtpengine ng replies and flags.
 *
 * The input is decoded (rtpc_benc_decode): on success every string
 * lies inside the input, the counts match the children, no dictionary
 * holds a key twice, the depth stays within the limit, and encoding the
 * tree again gives bytes that decode to the same tree (byte for byte
 * the input when its keys were sorted).  It is parsed as a reply
 * datagram (rtpc_ng_reply_parse) with no cookie and with the cookie
 * "k1": ok and pong only with a dictionary, an error is one line with
 * status 1.  Its first 64 bytes are read as flag letters
 * (rtpc_ng_flags) for offer and delete; accepted flags build an offer
 * whose dictionary decodes again.
 */
#include "fuzz.h"
#include "bencode.h"
#include "buf.h"
#include "ng.h"

static const uint8_t *in_lo, *in_hi;

static int
in_input(const char *p, size_t len)
{
	const uint8_t *u = (const uint8_t *)p;

	return len == 0 || (u >= in_lo && u <= in_hi && len <=
	    (size_t)(in_hi - u));
}

/* Check one node and its subtree; returns its node count. */
static size_t
check_node(const struct rtpc_benc *v, int depth, int *sorted)
{
	const struct rtpc_benc *c, *d;
	size_t n = 1, count = 0;

	/* depth counts lists and dictionaries; a scalar sits one below */
	CHECK(depth <= RTPC_BENC_DEPTH_MAX + (v->type == RTPC_BENC_STR ||
	    v->type == RTPC_BENC_INT));
	switch (v->type) {
	case RTPC_BENC_STR:
		CHECK(in_input(v->str, v->len));
		break;
	case RTPC_BENC_INT:
		break;
	case RTPC_BENC_LIST:
	case RTPC_BENC_DICT:
		for (c = v->child; c != NULL; c = c->next) {
			count++;
			if (v->type == RTPC_BENC_DICT) {
				CHECK(c->key != NULL && in_input(c->key,
				    c->keylen));
				for (d = c->next; d != NULL; d = d->next)
					CHECK(d->keylen != c->keylen ||
					    memcmp(d->key, c->key,
					    c->keylen) != 0);
				if (c->next != NULL) {
					size_t m = c->keylen < c->next->keylen ?
					    c->keylen : c->next->keylen;
					int k = memcmp(c->key, c->next->key, m);

					if (k > 0 || (k == 0 &&
					    c->keylen > c->next->keylen))
						*sorted = 0;
				}
			} else
				CHECK(c->key == NULL);
			n += check_node(c, depth + 1, sorted);
		}
		CHECK(count == v->count);
		break;
	default:
		CHECK(0);
	}
	return n;
}

/* Copy a decoded value into an encoder tree under parent. */
static void
copy_into(struct rtpc_bval *parent, const char *key,
    const struct rtpc_benc *v)
{
	const struct rtpc_benc *c;
	struct rtpc_bval *b = NULL;
	int dict = key != NULL;

	switch (v->type) {
	case RTPC_BENC_STR:
		if (dict)
			rtpc_bdict_str(parent, key, v->str, v->len);
		else
			rtpc_blist_str(parent, v->str, v->len);
		return;
	case RTPC_BENC_INT:
		if (dict)
			rtpc_bdict_int(parent, key, v->num);
		else
			rtpc_blist_int(parent, v->num);
		return;
	case RTPC_BENC_LIST:
		b = dict ? rtpc_bdict_list(parent, key) :
		    rtpc_blist_list(parent);
		break;
	case RTPC_BENC_DICT:
		b = dict ? rtpc_bdict_dict(parent, key) :
		    rtpc_blist_dict(parent);
		break;
	}
	for (c = v->child; c != NULL && b != NULL; c = c->next) {
		char *k = NULL;

		if (v->type == RTPC_BENC_DICT) {
			/* keys with a NUL cannot go through the C-string API */
			if (memchr(c->key, '\0', c->keylen) != NULL)
				continue;
			if ((k = rtpc_strndup(c->key, c->keylen)) == NULL)
				return;
		}
		copy_into(b, k, c);
		free(k);
	}
}

static int
has_nul_key(const struct rtpc_benc *v)
{
	const struct rtpc_benc *c;

	for (c = v->child; c != NULL; c = c->next) {
		if (c->key != NULL && memchr(c->key, '\0', c->keylen) != NULL)
			return 1;
		if (has_nul_key(c))
			return 1;
	}
	return 0;
}

static void
fuzz_decode(const uint8_t *data, size_t size)
{
	struct rtpc_benc_doc doc, again;
	struct rtpc_err err;
	struct rtpc_bval *root;
	struct rtpc_buf b;
	const struct rtpc_benc *r;
	int sorted = 1;
	size_t n;

	rtpc_err_clear(&err);
	if (rtpc_benc_decode((const char *)data, size, &doc, &err) == -1) {
		CHECK(err.code == RTPC_EXIT_FAIL && err.msg[0] != '\0');
		CHECK(doc.nodes == NULL && doc.n == 0);
		return;
	}
	r = rtpc_benc_root(&doc);
	CHECK(r != NULL);
	n = check_node(r, 1, &sorted);
	CHECK(n == doc.n);
	/* re-encode containers (scalars at the root have no builder) */
	if ((r->type == RTPC_BENC_DICT || r->type == RTPC_BENC_LIST) &&
	    !has_nul_key(r)) {
		const struct rtpc_benc *c;

		root = r->type == RTPC_BENC_DICT ? rtpc_bval_dict() :
		    rtpc_bval_list();
		for (c = r->child; c != NULL && root != NULL; c = c->next) {
			char *k = NULL;

			if (c->key != NULL &&
			    (k = rtpc_strndup(c->key, c->keylen)) == NULL)
				break;
			copy_into(root, k, c);
			free(k);
		}
		rtpc_buf_init(&b, 0);
		if (root != NULL && rtpc_bval_encode(root, &b, &err) == 0) {
			if (sorted)
				CHECK(b.len == size &&
				    memcmp(b.data, data, size) == 0);
			CHECK(rtpc_benc_decode(b.data, b.len, &again,
			    &err) == 0);
			CHECK(again.n == doc.n);
			rtpc_benc_doc_free(&again);
		}
		rtpc_buf_free(&b);
		rtpc_bval_free(root);
	}
	rtpc_benc_doc_free(&doc);
}

static void
check_reply(const char *cookie, const uint8_t *data, size_t size)
{
	struct rtpc_ng_reply r;
	struct rtpc_err err;
	const char *s;
	size_t len;

	rtpc_err_clear(&err);
	if (rtpc_ng_reply_parse(cookie, (const char *)data, size, &r,
	    &err) == 0) {
		CHECK(r.result == RTPC_NG_RES_OK ||
		    r.result == RTPC_NG_RES_PONG);
		CHECK(r.dict != NULL && r.dict->type == RTPC_BENC_DICT);
		if (rtpc_ng_reply_sdp(&r, &s, &len) == 0)
			CHECK(in_input(s, len));
	} else {
		CHECK(r.result == RTPC_NG_RES_ERROR ||
		    r.result == RTPC_NG_RES_BAD);
		CHECK(err.code == RTPC_EXIT_FAIL && err.msg[0] != '\0');
		CHECK(strlen(err.msg) < sizeof(err.msg));
		for (s = err.msg; *s != '\0'; s++)
			CHECK((unsigned char)*s >= 0x20 &&
			    (unsigned char)*s != 0x7f);
		if (r.result == RTPC_NG_RES_BAD)
			CHECK(r.doc.nodes == NULL);
	}
	if (r.reason != NULL)
		CHECK(in_input(r.reason, r.reasonlen));
	if (r.warning != NULL)
		CHECK(in_input(r.warning, r.warninglen));
	rtpc_ng_reply_free(&r);
}

static void
check_flags(const uint8_t *data, size_t size)
{
	struct rtpc_ng_opts o;
	struct rtpc_ng_req rq;
	struct rtpc_err err;
	struct rtpc_buf b;
	struct rtpc_benc_doc doc;
	char *s;

	if ((s = fuzz_cstr(data, size < 64 ? size : 64)) == NULL)
		return;
	rtpc_err_clear(&err);
	if (rtpc_ng_flags(s, RTPC_NG_DELETE, 4, &o, &err) == 0)
		CHECK(o.flags == 0 && o.ndirection == 0 && o.ptime == 0);
	else
		CHECK(err.code == RTPC_EXIT_USAGE);
	if (rtpc_ng_flags(s, RTPC_NG_OFFER, data[0] & 1 ? 6 : 4, &o,
	    &err) == 0) {
		CHECK(o.ndirection >= 0 && o.ndirection <= 2);
		CHECK(o.ptime >= 0 && o.ptime <= 999);
		CHECK(o.via >= 0 && o.via <= 3);
		memset(&rq, 0, sizeof(rq));
		rq.cmd = RTPC_NG_OFFER;
		rq.call_id = "c";
		rq.from_tag = "f";
		rq.to_tag = "t";
		rq.sdp = s;
		rq.sdplen = size < 64 ? size : 64;
		rq.opts = &o;
		rtpc_buf_init(&b, 0);
		CHECK(rtpc_ng_build("k", &rq, &b, &err) == 0);
		CHECK(b.len > 2 && memcmp(b.data, "k ", 2) == 0);
		CHECK(rtpc_benc_decode(b.data + 2, b.len - 2, &doc,
		    &err) == 0);
		CHECK(rtpc_benc_root(&doc)->type == RTPC_BENC_DICT);
		rtpc_benc_doc_free(&doc);
		rtpc_buf_free(&b);
	} else
		CHECK(err.code == RTPC_EXIT_USAGE && err.msg[0] != '\0');
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	in_lo = data;
	in_hi = data + size;
	fuzz_decode(data, size);
	check_reply(NULL, data, size);
	check_reply("k1", data, size);
	if (size > 0)
		check_flags(data, size);
	return 0;
}
