/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bencode.c: bencode encoder (value tree to bytes, keys sorted) and a
 * strict, non-recursive decoder (bytes to a tree of views).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "text.h"
#include "buf.h"
#include "bencode.h"

/* ---- encoder ---- */

struct rtpc_bval {
	enum rtpc_benc_type	 type;
	char			*key;	/* in a dictionary */
	size_t			 keylen;
	char			*str;
	size_t			 len;
	long long		 num;
	size_t			 count;
	struct rtpc_bval	*child;
	struct rtpc_bval	*last;	/* lists append here */
	struct rtpc_bval	*next;
	struct rtpc_bval	*root;
	int			 depth;	/* 1 for the root */
	int			 error;	/* root only: first errno */
};

static void
fail(struct rtpc_bval *v, int e)
{
	if (v != NULL && v->root->error == 0)
		v->root->error = e;
}

static struct rtpc_bval *
new_root(enum rtpc_benc_type type)
{
	struct rtpc_bval *v = calloc(1, sizeof(*v));

	if (v == NULL)
		return NULL;
	v->type = type;
	v->root = v;
	v->depth = 1;
	return v;
}

struct rtpc_bval *
rtpc_bval_dict(void)
{
	return new_root(RTPC_BENC_DICT);
}

struct rtpc_bval *
rtpc_bval_list(void)
{
	return new_root(RTPC_BENC_LIST);
}

void
rtpc_bval_free(struct rtpc_bval *v)
{
	struct rtpc_bval *c, *n;

	if (v == NULL)
		return;
	/* depth is bounded by RTPC_BENC_DEPTH_MAX, so recursion is too */
	for (c = v->child; c != NULL; c = n) {
		n = c->next;
		rtpc_bval_free(c);
	}
	free(v->key);
	free(v->str);
	free(v);
}

/* A new child of parent (not yet linked), or NULL with the cause kept. */
static struct rtpc_bval *
new_child(struct rtpc_bval *parent, enum rtpc_benc_type type,
    enum rtpc_benc_type ptype)
{
	struct rtpc_bval *v;

	if (parent == NULL)
		return NULL;
	if (parent->type != ptype) {
		fail(parent, EINVAL);
		return NULL;
	}
	if ((type == RTPC_BENC_LIST || type == RTPC_BENC_DICT) &&
	    parent->depth >= RTPC_BENC_DEPTH_MAX) {
		fail(parent, ELOOP);
		return NULL;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		fail(parent, ENOMEM);
		return NULL;
	}
	v->type = type;
	v->root = parent->root;
	v->depth = parent->depth + 1;
	return v;
}

static int
keycmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Link v into dictionary d under key, in sorted place; frees v on failure. */
static int
dict_link(struct rtpc_bval *d, const char *key, struct rtpc_bval *v)
{
	struct rtpc_bval **pp;
	size_t klen;
	int c;

	if (key == NULL) {
		fail(d, EINVAL);
		rtpc_bval_free(v);
		return -1;
	}
	klen = strlen(key);
	for (pp = &d->child; *pp != NULL; pp = &(*pp)->next) {
		c = keycmp((*pp)->key, (*pp)->keylen, key, klen);
		if (c == 0) {
			fail(d, EEXIST);
			rtpc_bval_free(v);
			return -1;
		}
		if (c > 0)
			break;
	}
	if ((v->key = rtpc_strndup(key, klen)) == NULL) {
		fail(d, ENOMEM);
		rtpc_bval_free(v);
		return -1;
	}
	v->keylen = klen;
	v->next = *pp;
	*pp = v;
	d->count++;
	return 0;
}

static void
list_link(struct rtpc_bval *l, struct rtpc_bval *v)
{
	if (l->last == NULL)
		l->child = v;
	else
		l->last->next = v;
	l->last = v;
	l->count++;
}

static struct rtpc_bval *
new_str(struct rtpc_bval *parent, enum rtpc_benc_type ptype, const void *s,
    size_t len)
{
	struct rtpc_bval *v;

	if (parent != NULL && s == NULL && len > 0) {
		fail(parent, EINVAL);
		return NULL;
	}
	if ((v = new_child(parent, RTPC_BENC_STR, ptype)) == NULL)
		return NULL;
	if ((v->str = malloc(len ? len : 1)) == NULL) {
		fail(parent, ENOMEM);
		free(v);
		return NULL;
	}
	if (len > 0)
		memcpy(v->str, s, len);
	v->len = len;
	return v;
}

int
rtpc_bdict_str(struct rtpc_bval *d, const char *key, const void *s,
    size_t len)
{
	struct rtpc_bval *v = new_str(d, RTPC_BENC_DICT, s, len);

	return v == NULL ? -1 : dict_link(d, key, v);
}

int
rtpc_bdict_cstr(struct rtpc_bval *d, const char *key, const char *s)
{
	if (s == NULL) {
		fail(d, EINVAL);
		return -1;
	}
	return rtpc_bdict_str(d, key, s, strlen(s));
}

int
rtpc_bdict_int(struct rtpc_bval *d, const char *key, long long n)
{
	struct rtpc_bval *v = new_child(d, RTPC_BENC_INT, RTPC_BENC_DICT);

	if (v == NULL)
		return -1;
	v->num = n;
	return dict_link(d, key, v);
}

static struct rtpc_bval *
bdict_container(struct rtpc_bval *d, const char *key, enum rtpc_benc_type t)
{
	struct rtpc_bval *v = new_child(d, t, RTPC_BENC_DICT);

	if (v == NULL || dict_link(d, key, v) == -1)
		return NULL;
	return v;
}

struct rtpc_bval *
rtpc_bdict_list(struct rtpc_bval *d, const char *key)
{
	return bdict_container(d, key, RTPC_BENC_LIST);
}

struct rtpc_bval *
rtpc_bdict_dict(struct rtpc_bval *d, const char *key)
{
	return bdict_container(d, key, RTPC_BENC_DICT);
}

int
rtpc_blist_str(struct rtpc_bval *l, const void *s, size_t len)
{
	struct rtpc_bval *v = new_str(l, RTPC_BENC_LIST, s, len);

	if (v == NULL)
		return -1;
	list_link(l, v);
	return 0;
}

int
rtpc_blist_cstr(struct rtpc_bval *l, const char *s)
{
	if (s == NULL) {
		fail(l, EINVAL);
		return -1;
	}
	return rtpc_blist_str(l, s, strlen(s));
}

int
rtpc_blist_int(struct rtpc_bval *l, long long n)
{
	struct rtpc_bval *v = new_child(l, RTPC_BENC_INT, RTPC_BENC_LIST);

	if (v == NULL)
		return -1;
	v->num = n;
	list_link(l, v);
	return 0;
}

static struct rtpc_bval *
blist_container(struct rtpc_bval *l, enum rtpc_benc_type t)
{
	struct rtpc_bval *v = new_child(l, t, RTPC_BENC_LIST);

	if (v != NULL)
		list_link(l, v);
	return v;
}

struct rtpc_bval *
rtpc_blist_list(struct rtpc_bval *l)
{
	return blist_container(l, RTPC_BENC_LIST);
}

struct rtpc_bval *
rtpc_blist_dict(struct rtpc_bval *l)
{
	return blist_container(l, RTPC_BENC_DICT);
}

size_t
rtpc_bval_count(const struct rtpc_bval *v)
{
	return v == NULL ? 0 : v->count;
}

static int
put_bytes(struct rtpc_buf *out, const char *s, size_t len)
{
	if (rtpc_buf_printf(out, "%zu:", len) == -1)
		return -1;
	return rtpc_buf_add(out, s, len);
}

static int
put_value(const struct rtpc_bval *v, struct rtpc_buf *out)
{
	const struct rtpc_bval *c;

	switch (v->type) {
	case RTPC_BENC_STR:
		return put_bytes(out, v->str, v->len);
	case RTPC_BENC_INT:
		return rtpc_buf_printf(out, "i%llde", v->num);
	case RTPC_BENC_LIST:
	case RTPC_BENC_DICT:
		if (rtpc_buf_add(out, v->type == RTPC_BENC_LIST ? "l" : "d",
		    1) == -1)
			return -1;
		for (c = v->child; c != NULL; c = c->next) {
			if (v->type == RTPC_BENC_DICT &&
			    put_bytes(out, c->key, c->keylen) == -1)
				return -1;
			if (put_value(c, out) == -1)
				return -1;
		}
		return rtpc_buf_add(out, "e", 1);
	}
	return -1;
}

static const char *
build_error(int e)
{
	switch (e) {
	case ENOMEM:
		return "out of memory";
	case EEXIST:
		return "a dictionary key was added twice";
	case ELOOP:
		return "lists and dictionaries nested too deep";
	default:
		return "a value was added with no key, no bytes or to the "
		    "wrong kind of container";
	}
}

/*
 * Append the bencoding of v to out.  Fails with the first error the
 * tree recorded while it was built, or when out is over its cap.
 */
int
rtpc_bval_encode(const struct rtpc_bval *v, struct rtpc_buf *out,
    struct rtpc_err *err)
{
	size_t before;

	if (v == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "bencode: out of memory");
	if (v->root->error != 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "bencode: %s",
		    build_error(v->root->error));
	before = out->len;
	if (put_value(v, out) == -1) {
		int toobig = out->toobig && !out->nomem;

		out->len = before;
		if (out->data != NULL)
			out->data[before] = '\0';
		if (toobig)
			return rtpc_err_set(err, RTPC_EXIT_FAIL,
			    "bencode: message longer than %zu bytes",
			    out->max);
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "bencode: out of memory");
	}
	return 0;
}

/* ---- decoder ---- */

struct frame {
	struct rtpc_benc	*node;	/* NULL while counting */
	struct rtpc_benc	*last;
	size_t			 start;	/* offset of its l or d */
	int			 dict;
	int			 havekey;
	const char		*key;
	size_t			 keylen;
};

struct parser {
	const char		*p;
	size_t			 len;
	size_t			 pos;
	struct rtpc_benc	*nodes;	/* NULL: only count */
	size_t			 n;
	const struct rtpc_benc	**scratch;
	struct rtpc_benc	 dummy;	/* new_node while counting */
	struct rtpc_err		*err;
};

static int
bad(struct parser *ps, size_t at, const char *what)
{
	return rtpc_err_set(ps->err, RTPC_EXIT_FAIL,
	    "malformed bencode at byte %zu: %s", at, what);
}

/* Digits of a non-negative decimal up to the byte stop; no leading 0. */
static int
parse_digits(struct parser *ps, char stop, unsigned long long max,
    unsigned long long *out)
{
	size_t start = ps->pos;
	unsigned long long v = 0;

	while (ps->pos < ps->len && ps->p[ps->pos] >= '0' &&
	    ps->p[ps->pos] <= '9') {
		unsigned d = (unsigned)(ps->p[ps->pos] - '0');

		if (v > (max - d) / 10)
			return bad(ps, start, "number too large");
		v = v * 10 + d;
		ps->pos++;
	}
	if (ps->pos == start)
		return bad(ps, start, "digits expected");
	if (ps->p[start] == '0' && ps->pos - start > 1)
		return bad(ps, start, "number with a leading zero");
	if (ps->pos >= ps->len)
		return bad(ps, ps->pos, "input ends inside a number");
	if (ps->p[ps->pos] != stop)
		return bad(ps, ps->pos, stop == ':' ?
		    "':' expected after a string length" :
		    "'e' expected after an integer");
	ps->pos++;
	*out = v;
	return 0;
}

static int
parse_int(struct parser *ps, long long *out)
{
	unsigned long long v;
	size_t start = ps->pos;
	int neg = 0;

	ps->pos++;		/* 'i' */
	if (ps->pos < ps->len && ps->p[ps->pos] == '-') {
		neg = 1;
		ps->pos++;
	}
	if (parse_digits(ps, 'e', neg ? (unsigned long long)LLONG_MAX + 1 :
	    (unsigned long long)LLONG_MAX, &v) == -1)
		return -1;
	if (neg && v == 0)
		return bad(ps, start, "integer -0");
	if (neg)
		*out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN :
		    -(long long)v;
	else
		*out = (long long)v;
	return 0;
}

static int
parse_str(struct parser *ps, const char **s, size_t *len)
{
	unsigned long long v;
	size_t start = ps->pos;

	if (parse_digits(ps, ':', (unsigned long long)RTPC_BENC_INPUT_MAX,
	    &v) == -1)
		return -1;
	if (v > ps->len - ps->pos)
		return bad(ps, start, "string runs past the end of the input");
	*s = ps->p + ps->pos;
	*len = (size_t)v;
	ps->pos += (size_t)v;
	return 0;
}

static struct rtpc_benc *
new_node(struct parser *ps, enum rtpc_benc_type type)
{
	struct rtpc_benc *nd;

	if (ps->n >= RTPC_BENC_NODES_MAX) {
		bad(ps, ps->pos, "too many values");
		return NULL;
	}
	if (ps->nodes == NULL) {
		ps->n++;
		return &ps->dummy;
	}
	nd = &ps->nodes[ps->n++];
	memset(nd, 0, sizeof(*nd));
	nd->type = type;
	return nd;
}

static int
scratch_cmp(const void *a, const void *b)
{
	const struct rtpc_benc *x = *(const struct rtpc_benc *const *)a;
	const struct rtpc_benc *y = *(const struct rtpc_benc *const *)b;

	return keycmp(x->key, x->keylen, y->key, y->keylen);
}

/* Refuse a dictionary that holds a key twice (sorts a copy of its keys). */
static int
check_dup_keys(struct parser *ps, const struct frame *f)
{
	const struct rtpc_benc *c;
	size_t i, k = 0;

	if (ps->nodes == NULL || f->node->count < 2)
		return 0;
	for (c = f->node->child; c != NULL; c = c->next)
		ps->scratch[k++] = c;
	qsort(ps->scratch, k, sizeof(ps->scratch[0]), scratch_cmp);
	for (i = 1; i < k; i++)
		if (scratch_cmp(&ps->scratch[i - 1], &ps->scratch[i]) == 0)
			return bad(ps, f->start, "dictionary with a "
			    "duplicate key");
	return 0;
}

static void
attach(struct frame *f, struct rtpc_benc *nd)
{
	if (f->node == NULL)
		return;
	if (f->last == NULL)
		f->node->child = nd;
	else
		f->last->next = nd;
	f->last = nd;
	f->node->count++;
	if (f->dict) {
		nd->key = f->key;
		nd->keylen = f->keylen;
	}
}

/*
 * One pass over the input.  With ps->nodes NULL it only counts the
 * values (and checks the syntax); the second pass fills the nodes.
 */
static int
parse(struct parser *ps)
{
	struct frame stack[RTPC_BENC_DEPTH_MAX];
	int depth = 0;

	for (;;) {
		struct frame *top = depth > 0 ? &stack[depth - 1] : NULL;
		struct rtpc_benc *nd;
		size_t at = ps->pos;
		char c;

		if (ps->pos >= ps->len)
			return bad(ps, ps->pos, depth > 0 ?
			    "input ends inside a list or dictionary" :
			    "empty input");
		c = ps->p[ps->pos];
		if (top != NULL && c == 'e') {
			if (top->dict && top->havekey)
				return bad(ps, at, "dictionary key without "
				    "a value");
			if (top->dict && check_dup_keys(ps, top) == -1)
				return -1;
			ps->pos++;
			if (--depth == 0)
				break;
			continue;
		}
		if (top != NULL && top->dict && !top->havekey) {
			if (c < '0' || c > '9')
				return bad(ps, at, "dictionary key is not a "
				    "string");
			if (parse_str(ps, &top->key, &top->keylen) == -1)
				return -1;
			top->havekey = 1;
			continue;
		}
		if (c == 'i') {
			long long v = 0;

			if (parse_int(ps, &v) == -1 ||
			    (nd = new_node(ps, RTPC_BENC_INT)) == NULL)
				return -1;
			if (ps->nodes != NULL)
				nd->num = v;
		} else if (c >= '0' && c <= '9') {
			const char *s = NULL;
			size_t len = 0;

			if (parse_str(ps, &s, &len) == -1 ||
			    (nd = new_node(ps, RTPC_BENC_STR)) == NULL)
				return -1;
			if (ps->nodes != NULL) {
				nd->str = s;
				nd->len = len;
			}
		} else if (c == 'l' || c == 'd') {
			if (depth >= RTPC_BENC_DEPTH_MAX)
				return bad(ps, at, "lists and dictionaries "
				    "nested too deep");
			if ((nd = new_node(ps, c == 'l' ? RTPC_BENC_LIST :
			    RTPC_BENC_DICT)) == NULL)
				return -1;
		} else
			return bad(ps, at, "not a bencoded value");
		if (top != NULL) {
			if (ps->nodes != NULL)
				attach(top, nd);
			top->havekey = 0;
		}
		if (c == 'l' || c == 'd') {
			ps->pos = at + 1;
			memset(&stack[depth], 0, sizeof(stack[depth]));
			stack[depth].node = ps->nodes != NULL ? nd : NULL;
			stack[depth].start = at;
			stack[depth].dict = c == 'd';
			depth++;
		} else if (depth == 0)
			break;
	}
	if (ps->pos != ps->len)
		return bad(ps, ps->pos, "bytes after the value");
	return 0;
}

int
rtpc_benc_decode(const char *p, size_t len, struct rtpc_benc_doc *doc,
    struct rtpc_err *err)
{
	struct parser ps;

	memset(doc, 0, sizeof(*doc));
	if (p == NULL && len > 0)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "bencode: no input");
	if (len > RTPC_BENC_INPUT_MAX)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "bencode: input "
		    "longer than %u bytes", RTPC_BENC_INPUT_MAX);
	memset(&ps, 0, sizeof(ps));
	ps.p = p;
	ps.len = len;
	ps.err = err;
	if (parse(&ps) == -1)
		return -1;
	/* second pass: the same walk, now filling exactly n nodes */
	doc->nodes = calloc(ps.n, sizeof(*doc->nodes));
	ps.scratch = calloc(ps.n, sizeof(*ps.scratch));
	if (doc->nodes == NULL || ps.scratch == NULL) {
		free(ps.scratch);
		rtpc_benc_doc_free(doc);
		return rtpc_err_set(err, RTPC_EXIT_FAIL,
		    "bencode: out of memory");
	}
	ps.pos = 0;
	ps.n = 0;
	ps.nodes = doc->nodes;
	if (parse(&ps) == -1) {
		free(ps.scratch);
		rtpc_benc_doc_free(doc);
		return -1;
	}
	free(ps.scratch);
	doc->n = ps.n;
	return 0;
}

void
rtpc_benc_doc_free(struct rtpc_benc_doc *doc)
{
	free(doc->nodes);
	doc->nodes = NULL;
	doc->n = 0;
}

const struct rtpc_benc *
rtpc_benc_root(const struct rtpc_benc_doc *doc)
{
	return doc->n > 0 ? &doc->nodes[0] : NULL;
}

const struct rtpc_benc *
rtpc_benc_get(const struct rtpc_benc *d, const char *key)
{
	const struct rtpc_benc *c;
	size_t klen;

	if (d == NULL || d->type != RTPC_BENC_DICT || key == NULL)
		return NULL;
	klen = strlen(key);
	for (c = d->child; c != NULL; c = c->next)
		if (c->keylen == klen && memcmp(c->key, key, klen) == 0)
			return c;
	return NULL;
}

static const struct rtpc_benc *
get_typed(const struct rtpc_benc *d, const char *key, enum rtpc_benc_type t)
{
	const struct rtpc_benc *v = rtpc_benc_get(d, key);

	return v != NULL && v->type == t ? v : NULL;
}

const struct rtpc_benc *
rtpc_benc_get_list(const struct rtpc_benc *d, const char *key)
{
	return get_typed(d, key, RTPC_BENC_LIST);
}

const struct rtpc_benc *
rtpc_benc_get_dict(const struct rtpc_benc *d, const char *key)
{
	return get_typed(d, key, RTPC_BENC_DICT);
}

int
rtpc_benc_get_str(const struct rtpc_benc *d, const char *key,
    const char **s, size_t *len)
{
	const struct rtpc_benc *v = get_typed(d, key, RTPC_BENC_STR);

	if (v == NULL)
		return -1;
	*s = v->str;
	*len = v->len;
	return 0;
}

int
rtpc_benc_get_int(const struct rtpc_benc *d, const char *key, long long *n)
{
	const struct rtpc_benc *v = get_typed(d, key, RTPC_BENC_INT);

	if (v == NULL)
		return -1;
	*n = v->num;
	return 0;
}

/* Is v the byte string s exactly? */
int
rtpc_benc_str_is(const struct rtpc_benc *v, const char *s)
{
	size_t len = strlen(s);

	return v != NULL && v->type == RTPC_BENC_STR && v->len == len &&
	    memcmp(v->str, s, len) == 0;
}

/* A NUL-terminated copy of a string value; NULL if not a string or on
 * ENOMEM.  (The bytes may hold a NUL; callers that care use str/len.) */
char *
rtpc_benc_strdup(const struct rtpc_benc *v)
{
	if (v == NULL || v->type != RTPC_BENC_STR)
		return NULL;
	return rtpc_strndup(v->str, v->len);
}
