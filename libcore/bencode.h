/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bencode.h: the bencoding of rtpengine's ng protocol.
 *
 * Encoder: build a value tree (dictionaries, lists, byte strings,
 * integers) with the rtpc_bval_* calls, then write it with
 * rtpc_bval_encode.  Dictionary keys come out in the sorted order that
 * bencode requires whatever the order they were added in.  A failed
 * call (out of memory, duplicate key, nesting too deep, NULL argument)
 * returns -1 or NULL and is also remembered in the tree, so a builder
 * may check every call or only the final rtpc_bval_encode, which then
 * fails with the first cause.  Calls on a NULL parent fail quietly.
 *
 * Decoder: rtpc_benc_decode parses one complete value into a tree of
 * nodes; strings are views into the input (binary-safe, not
 * NUL-terminated), so the input must outlive the tree.  It is strict:
 * integers without a leading zero, no "-0", no "ie", string lengths
 * that stay inside the input, nothing after the value, at most
 * RTPC_BENC_DEPTH_MAX levels of lists and dictionaries and
 * RTPC_BENC_NODES_MAX values.  Dictionary keys in any order are
 * accepted (rtpengine 10.5 itself sends "sdp" before "result"); a
 * duplicate key is refused, since a lookup would be ambiguous.  The
 * parser uses no recursion.
 */
#ifndef RTPC_BENCODE_H
#define RTPC_BENCODE_H

#include <stddef.h>

#include "errors.h"
#include "buf.h"

#define RTPC_BENC_DEPTH_MAX	32
#define RTPC_BENC_NODES_MAX	65536
#define RTPC_BENC_INPUT_MAX	(1024u * 1024)

enum rtpc_benc_type {
	RTPC_BENC_STR = 1,
	RTPC_BENC_INT,
	RTPC_BENC_LIST,
	RTPC_BENC_DICT
};

/* ---- encoder ---- */

struct rtpc_bval;		/* opaque */

struct rtpc_bval *rtpc_bval_dict(void);
struct rtpc_bval *rtpc_bval_list(void);
void	 rtpc_bval_free(struct rtpc_bval *);

int	 rtpc_bdict_str(struct rtpc_bval *, const char *, const void *,
	    size_t);
int	 rtpc_bdict_cstr(struct rtpc_bval *, const char *, const char *);
int	 rtpc_bdict_int(struct rtpc_bval *, const char *, long long);
struct rtpc_bval *rtpc_bdict_list(struct rtpc_bval *, const char *);
struct rtpc_bval *rtpc_bdict_dict(struct rtpc_bval *, const char *);

int	 rtpc_blist_str(struct rtpc_bval *, const void *, size_t);
int	 rtpc_blist_cstr(struct rtpc_bval *, const char *);
int	 rtpc_blist_int(struct rtpc_bval *, long long);
struct rtpc_bval *rtpc_blist_list(struct rtpc_bval *);
struct rtpc_bval *rtpc_blist_dict(struct rtpc_bval *);

size_t	 rtpc_bval_count(const struct rtpc_bval *);
int	 rtpc_bval_encode(const struct rtpc_bval *, struct rtpc_buf *,
	    struct rtpc_err *);

/* ---- decoder ---- */

struct rtpc_benc {
	enum rtpc_benc_type	 type;
	const char		*key;	/* in a dictionary: its key */
	size_t			 keylen;
	const char		*str;	/* STR: the bytes (a view) */
	size_t			 len;
	long long		 num;	/* INT */
	size_t			 count;	/* LIST, DICT: elements */
	const struct rtpc_benc	*child;	/* LIST, DICT: the first */
	const struct rtpc_benc	*next;	/* next element of the parent */
};

struct rtpc_benc_doc {
	struct rtpc_benc	*nodes;	/* nodes[0] is the root */
	size_t			 n;
};

int	 rtpc_benc_decode(const char *, size_t, struct rtpc_benc_doc *,
	    struct rtpc_err *);
void	 rtpc_benc_doc_free(struct rtpc_benc_doc *);
const struct rtpc_benc *rtpc_benc_root(const struct rtpc_benc_doc *);

/* Lookups: NULL or -1 when the node is not a dictionary, the key is
 * absent or the value has another type. */
const struct rtpc_benc *rtpc_benc_get(const struct rtpc_benc *,
	    const char *);
const struct rtpc_benc *rtpc_benc_get_list(const struct rtpc_benc *,
	    const char *);
const struct rtpc_benc *rtpc_benc_get_dict(const struct rtpc_benc *,
	    const char *);
int	 rtpc_benc_get_str(const struct rtpc_benc *, const char *,
	    const char **, size_t *);
int	 rtpc_benc_get_int(const struct rtpc_benc *, const char *,
	    long long *);
int	 rtpc_benc_str_is(const struct rtpc_benc *, const char *);
char	*rtpc_benc_strdup(const struct rtpc_benc *);

#endif
