/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ng.h: rtpengine's ng control protocol as pure functions.
 *
 * A request is one datagram, "COOKIE SP BENCODED-DICTIONARY"; the reply
 * repeats the cookie and a space, then a dictionary whose "result" is
 * "ok", "pong" or "error" (with "error-reason").  Nothing here touches
 * a socket: rtpc_ng_build writes a request into a buffer and
 * rtpc_ng_reply_parse reads a reply datagram.
 */
#ifndef RTPC_NG_H
#define RTPC_NG_H

#include <stddef.h>

#include "errors.h"
#include "buf.h"
#include "bencode.h"

#define RTPC_NG_COOKIE_MAX	64	/* bytes of a cookie we send */

enum rtpc_ng_cmd {
	RTPC_NG_PING,
	RTPC_NG_OFFER,
	RTPC_NG_ANSWER,
	RTPC_NG_DELETE,
	RTPC_NG_QUERY,
	RTPC_NG_LIST,
	RTPC_NG_STATISTICS,
	RTPC_NG_START_RECORDING,
	RTPC_NG_STOP_RECORDING,
	RTPC_NG_PLAY_MEDIA,
	RTPC_NG_STOP_MEDIA
};

/* Bits of rtpc_ng_opts.flags: words of the ng "flags" list. */
#define RTPC_NG_FL_ASYMMETRIC	0x01	/* "asymmetric" */
#define RTPC_NG_FL_SYMMETRIC	0x02	/* "symmetric" */
#define RTPC_NG_FL_TRUST	0x04	/* "trust-address" */

/* Bits of rtpc_ng_opts.replace: words of the ng "replace" list. */
#define RTPC_NG_RP_ORIGIN	0x01	/* "origin" */
#define RTPC_NG_RP_SESSCONN	0x02	/* "session-connection" */

/* The ng "ICE" key. */
enum rtpc_ng_ice {
	RTPC_NG_ICE_UNSET,	/* not sent: rtpengine's default */
	RTPC_NG_ICE_REMOVE,	/* "remove" */
	RTPC_NG_ICE_FORCE,	/* "force" */
	RTPC_NG_ICE_FORCE_RELAY,	/* "force-relay" */
	RTPC_NG_ICE_DEFAULT	/* "default" */
};

/*
 * Options of offer and answer.  The first group is sent as it is; the
 * second says what the module's letters ask of the caller, who fills
 * in the values only it knows (which Via branch, the extra id, which
 * command, whether the marker counts).
 */
struct rtpc_ng_opts {
	unsigned	 flags;		/* RTPC_NG_FL_* */
	unsigned	 replace;	/* RTPC_NG_RP_* */
	const char	*direction[2];	/* "internal", "external" */
	int		 ndirection;	/* 0: no "direction" */
	int		 family;	/* "address family": 4, 6; 0: none */
	int		 ptime;		/* "ptime" in ms; 0: none */
	enum rtpc_ng_ice ice;
	const char	*media_address;	/* "media address", or NULL */
	const char	*received_from;	/* "received from" (with flag
					   "SIP-source-address"), or NULL */

	int		 via;		/* 1, 2, 3: via-branch from Via N */
	int		 extra_id;	/* b: via-branch from extra_id */
	int		 lookup;	/* l: "answer" instead of "offer" */
	int		 force;		/* f: ignore the marker (local) */
	int		 no_to_tag;	/* t: delete without to-tag */
};

/* One request; NULL or 0 fields are not sent. */
struct rtpc_ng_req {
	enum rtpc_ng_cmd	 cmd;
	const char		*call_id;
	const char		*from_tag;
	const char		*to_tag;
	const char		*via_branch;
	const char		*sdp;	/* offer, answer */
	size_t			 sdplen;
	const struct rtpc_ng_opts *opts;	/* offer, answer */
	const char		*file;	/* play media */
	long long		 repeat;	/* play media "repeat-times" */
	long long		 limit;		/* list "limit" */
};

enum rtpc_ng_result {
	RTPC_NG_RES_NONE,	/* nothing parsed yet */
	RTPC_NG_RES_OK,		/* "ok" */
	RTPC_NG_RES_PONG,	/* "pong" */
	RTPC_NG_RES_ERROR,	/* "error" or any other result */
	RTPC_NG_RES_BAD		/* not a reply: wrong cookie, no dictionary,
				   no result */
};

/* A parsed reply; reason and warning are views into the datagram. */
struct rtpc_ng_reply {
	struct rtpc_benc_doc	 doc;
	const struct rtpc_benc	*dict;	/* the reply's dictionary */
	enum rtpc_ng_result	 result;
	const char		*reason;	/* error-reason, or NULL */
	size_t			 reasonlen;
	const char		*warning;	/* "warning", or NULL */
	size_t			 warninglen;
};

/* The module's flag letters and what they become; see ng.c. */
struct rtpc_ng_letter {
	char		 letter;
	const char	*ng;	/* the ng side, or how it is handled */
};
extern const struct rtpc_ng_letter rtpc_ng_letters[];

const char *rtpc_ng_cmd_name(enum rtpc_ng_cmd);
int	 rtpc_ng_flags(const char *, enum rtpc_ng_cmd, int,
	    struct rtpc_ng_opts *, struct rtpc_err *);
int	 rtpc_ng_cookie_ok(const char *);
struct rtpc_bval *rtpc_ng_request(const struct rtpc_ng_req *,
	    struct rtpc_err *);
int	 rtpc_ng_frame(const char *, const struct rtpc_bval *,
	    struct rtpc_buf *, struct rtpc_err *);
int	 rtpc_ng_build(const char *, const struct rtpc_ng_req *,
	    struct rtpc_buf *, struct rtpc_err *);
int	 rtpc_ng_encode(const struct rtpc_ng_req *, struct rtpc_buf *,
	    struct rtpc_err *);

int	 rtpc_ng_reply_cookie(const char *, const char *, size_t);
int	 rtpc_ng_reply_parse(const char *, const char *, size_t,
	    struct rtpc_ng_reply *, struct rtpc_err *);
int	 rtpc_ng_reply_dict(const char *, size_t, struct rtpc_ng_reply *,
	    struct rtpc_err *);
int	 rtpc_ng_reply_sdp(const struct rtpc_ng_reply *, const char **,
	    size_t *);
void	 rtpc_ng_reply_free(struct rtpc_ng_reply *);

#endif
