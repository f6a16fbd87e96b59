/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * offers.c: rtpp-manage's late-offer memory (see offers.h).
 *
 * File layout (native byte order; the file never leaves the machine):
 *   header, HDR_SIZE bytes: magic, capacity, bucket count, hash key,
 *       head (how many entries were ever noted)
 *   ring, cap entries of two 64-bit words: key, then time << 32 | check
 *   index, nbuckets * WAYS 64-bit words: tag << 32 | (ring position + 1)
 *
 * An entry is the SipHash-2-4 of "CSeq LF Call-ID" under a random key
 * chosen when the store is made, so every entry has the same size
 * whatever the Call-ID, and nobody who cannot read the store can aim
 * Call-IDs at one bucket.  A note writes the ring entry at head % cap
 * (evicting the oldest entry) and points a free way of one of the key's
 * two buckets at it; an index word whose ring entry no longer carries
 * its tag, or has expired, is free.  A reader checks every word it
 * loads: an entry is taken only when its check matches and it reads the
 * same twice, so a half-written entry is never taken for another.
 */
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errors.h"
#include "offers.h"
#include "healthfile.h"

#define HDR_SIZE	4096
#define WAYS		16
#define MAGIC		"rtpp-offers 1\n"
#define CAP_MIN		16
#define CAP_MAX		(1u << 24)
#define LOCK_TRIES	20

struct hdr {
	char		 magic[16];
	uint32_t	 cap;
	uint32_t	 nbuckets;
	uint64_t	 k0, k1;
	uint64_t	 head;
};

struct store {
	int		 fd;
	unsigned char	*map;
	size_t		 size;
	struct hdr	*h;
	uint64_t	*ring;
	uint64_t	*index;
};

static uint64_t
rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND do {							\
	v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);	\
	v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);	\
} while (0)

/* SipHash-2-4 of the two strings a LF b, under the key k0, k1. */
static uint64_t
siphash2(uint64_t k0, uint64_t k1, const char *a, const char *b)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL;
	uint64_t v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t m = 0, total = 0;
	size_t la = strlen(a), lb = strlen(b), i;
	int fill = 0;

	for (i = 0; i < la + 1 + lb; i++) {
		unsigned char c = i < la ? (unsigned char)a[i] : i == la ?
		    '\n' : (unsigned char)b[i - la - 1];

		m |= (uint64_t)c << (8 * fill);
		if (++fill == 8) {
			v3 ^= m;
			SIPROUND;
			SIPROUND;
			v0 ^= m;
			m = 0;
			fill = 0;
		}
		total++;
	}
	m |= total << 56;
	v3 ^= m;
	SIPROUND;
	SIPROUND;
	v0 ^= m;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

/* The check word of an entry: nonzero, depends on key and time. */
static uint32_t
entry_check(uint64_t key, uint32_t t)
{
	uint64_t z = key ^ ((uint64_t)t * 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (uint32_t)z | 1;
}

static size_t
store_size(uint32_t cap, uint32_t nb)
{
	return HDR_SIZE + (size_t)cap * 16 + (size_t)nb * WAYS * 8;
}

static char *
join(const char *dir, const char *name)
{
	char *p;

	if (asprintf(&p, "%s/%s", dir, name) == -1)
		return NULL;
	return p;
}

/* Files are shared with the directory's group when it is shared. */
static mode_t
file_mode(const struct stat *dsb)
{
	return (dsb->st_mode & S_IWGRP) ? 0660 : 0600;
}

/*
 * The state directory, by the trust rule of the health state
 * (rtpc_state_distrust_dir); made (0700) when create is set, as for a
 * state_dir of one's own (the installation makes the default one).
 */
static int
trusted_dir(const char *dir, int create, struct stat *dsb,
    struct rtpc_err *err)
{
	const char *why = NULL;
	char buf[80];
	int fd;

	if (create && mkdir(dir, 0700) == -1 && errno != EEXIST)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s", dir,
		    strerror(errno));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd == -1)
		why = errno == ELOOP || errno == ENOTDIR ? "a symbolic link or "
		    "not a directory" : strerror(errno);
	else if (fstat(fd, dsb) == -1)
		why = strerror(errno);
	else
		why = rtpc_state_distrust_dir(dsb, buf, sizeof(buf));
	if (fd != -1)
		close(fd);
	if (why == NULL)
		return 0;
	return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s; not used", dir,
	    why);
}

/* Open (never blocking, never through a symlink) and check a file. */
static int
open_checked(const char *path, int flags, const struct stat *dsb,
    struct rtpc_err *err)
{
	struct stat sb;
	const char *why;
	char buf[80];
	int fd;

	fd = rtpc_state_open_current(AT_FDCWD, path, flags, file_mode(dsb),
	    &sb);
	if (fd == -1) {
		if (errno == ENOENT && !(flags & O_CREAT))
			return -2;
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s", path,
		    strerror(errno));
	}
	if ((why = rtpc_state_distrust_file(&sb, dsb, buf,
	    sizeof(buf))) != NULL) {
		rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s; not used", path,
		    why);
		close(fd);
		return -1;
	}
	return fd;
}

static void
store_close(struct store *s)
{
	if (s->map != NULL && s->map != MAP_FAILED)
		munmap(s->map, s->size);
	if (s->fd >= 0)
		close(s->fd);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

/*
 * Open and map the store.  Returns 0, -2 when there is none (or it is
 * not a store: then *bad is set), -1 when it may not be used.
 */
static int
store_open(struct store *s, const char *path, int rw, int *bad,
    const struct stat *dsb, struct rtpc_err *err)
{
	struct hdr h;
	struct stat sb;

	memset(s, 0, sizeof(*s));
	*bad = 0;
	s->fd = open_checked(path, rw ? O_RDWR : O_RDONLY, dsb, err);
	if (s->fd < 0)
		return s->fd;
	if (fstat(s->fd, &sb) == -1 || pread(s->fd, &h, sizeof(h), 0) !=
	    (ssize_t)sizeof(h) || memcmp(h.magic, MAGIC, sizeof(MAGIC)) != 0 ||
	    h.cap < CAP_MIN || h.cap > CAP_MAX || h.nbuckets == 0 ||
	    (h.nbuckets & (h.nbuckets - 1)) != 0 || h.nbuckets > CAP_MAX ||
	    (uint64_t)sb.st_size != store_size(h.cap, h.nbuckets)) {
		*bad = 1;
		store_close(s);
		return -2;
	}
	s->size = (size_t)sb.st_size;
	s->map = mmap(NULL, s->size, rw ? PROT_READ | PROT_WRITE : PROT_READ,
	    MAP_SHARED, s->fd, 0);
	if (s->map == MAP_FAILED) {
		store_close(s);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: mmap: %s", path,
		    strerror(errno));
	}
	s->h = (struct hdr *)(void *)s->map;
	s->ring = (uint64_t *)(void *)(s->map + HDR_SIZE);
	s->index = s->ring + (size_t)h.cap * 2;
	return 0;
}

/* Is the store mapped still the one at path? */
static int
same_file(const struct store *s, const char *path)
{
	struct stat a, b;

	return fstat(s->fd, &a) == 0 && lstat(path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Make an empty store of cap entries and move it into place. */
static int
store_create(const char *path, uint32_t cap, const struct stat *dsb,
    struct rtpc_err *err)
{
	struct hdr h;
	char *tmp;
	int fd, rc = -1;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, MAGIC, sizeof(MAGIC));
	h.cap = cap;
	h.nbuckets = 1;
	/* four index ways per entry: two-choice buckets stay far from full */
	while (h.nbuckets * WAYS < cap * 4)
		h.nbuckets <<= 1;
	arc4random_buf(&h.k0, sizeof(h.k0));
	arc4random_buf(&h.k1, sizeof(h.k1));
	if (asprintf(&tmp, "%s.%ld.tmp", path, (long)getpid()) == -1)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	(void)unlink(tmp);
	fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, file_mode(dsb));
	if (fd == -1)
		rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s", tmp,
		    strerror(errno));
	else if (fchmod(fd, file_mode(dsb)) == -1 ||	/* whatever the umask */
	    ftruncate(fd, (off_t)store_size(cap, h.nbuckets)) == -1 ||
	    pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    rename(tmp, path) == -1) {
		rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s", path,
		    strerror(errno));
		(void)unlink(tmp);
	} else
		rc = 0;
	if (fd != -1)
		close(fd);
	free(tmp);
	return rc;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/*
 * Take the writers' lock, waiting at most RTPC_OFFERS_LOCK_MS.  On a
 * machine so busy that this process is not scheduled for that long,
 * it still tries LOCK_TRIES times before giving up, so that CPU
 * starvation alone does not lose notes.
 */
static int
lock_take(const char *dir, const struct stat *dsb, struct rtpc_err *err)
{
	struct timespec t0, nap = { 0, 200 * 1000 };
	char *path;
	int fd, tries = 0;

	if ((path = join(dir, RTPC_OFFERS_FILE ".lock")) == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	fd = open_checked(path, O_RDWR | O_CREAT, dsb, err);
	if (fd < 0) {
		free(path);
		return -1;
	}
	(void)fchmod(fd, file_mode(dsb));	/* whatever the umask */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if ((errno != EWOULDBLOCK && errno != EINTR) ||
		    (++tries >= LOCK_TRIES &&
		    ms_since(&t0) >= RTPC_OFFERS_LOCK_MS)) {
			rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: %s", path,
			    errno == EWOULDBLOCK ? "held by another process; "
			    "gave up waiting" : strerror(errno));
			close(fd);
			free(path);
			return -1;
		}
		nanosleep(&nap, NULL);
	}
	free(path);
	return fd;
}

/* Read ring entry pos; 0 when it is empty or being written. */
static int
ring_get(const struct store *s, uint32_t pos, uint64_t *key, uint32_t *t)
{
	const uint64_t *e = s->ring + (size_t)pos * 2;
	uint64_t m1, k, m2;

	m1 = __atomic_load_n(&e[1], __ATOMIC_ACQUIRE);
	k = __atomic_load_n(&e[0], __ATOMIC_ACQUIRE);
	m2 = __atomic_load_n(&e[1], __ATOMIC_ACQUIRE);
	if (m1 == 0 || m1 != m2 || (uint32_t)m1 != entry_check(k,
	    (uint32_t)(m1 >> 32)))
		return 0;
	*key = k;
	*t = (uint32_t)(m1 >> 32);
	return 1;
}

static void
ring_put(struct store *s, uint32_t pos, uint64_t key, uint32_t t)
{
	uint64_t *e = s->ring + (size_t)pos * 2;

	__atomic_store_n(&e[1], 0, __ATOMIC_RELEASE);
	__atomic_store_n(&e[0], key, __ATOMIC_RELEASE);
	__atomic_store_n(&e[1], (uint64_t)t << 32 | entry_check(key, t),
	    __ATOMIC_RELEASE);
}

static int
fresh(uint32_t t, long long now)
{
	return now - (long long)t < RTPC_OFFERS_TTL && (long long)t <= now + 60;
}

/*
 * What index word w says: 2 it points at a fresh entry of key, 1 at a
 * fresh entry of another key, 0 it is free.  *t gets the entry's time.
 */
static int
index_word(const struct store *s, uint64_t w, uint64_t key, long long now,
    uint32_t *t)
{
	uint64_t k;
	uint32_t pos;

	if (w == 0 || (uint32_t)w == 0 || (uint32_t)w > s->h->cap)
		return 0;
	pos = (uint32_t)w - 1;
	if (!ring_get(s, pos, &k, t) || (k >> 32) != (w >> 32) ||
	    !fresh(*t, now))
		return 0;
	return k == key ? 2 : 1;
}

static void
buckets(const struct store *s, uint64_t key, uint32_t b[2])
{
	uint32_t mask = s->h->nbuckets - 1;

	b[0] = (uint32_t)key & mask;
	b[1] = (uint32_t)(key >> 24) & mask;
}

static uint64_t
key_of(const struct store *s, const char *callid, const char *cseq)
{
	uint64_t k = siphash2(s->h->k0, s->h->k1, cseq, callid);

	return k != 0 ? k : 1;
}

static int
store_find(const struct store *s, uint64_t key, long long now)
{
	uint32_t b[2], t;
	int i, w;

	buckets(s, key, b);
	for (i = 0; i < 2; i++)
		for (w = 0; w < WAYS; w++) {
			uint64_t x = __atomic_load_n(&s->index[(size_t)b[i] *
			    WAYS + w], __ATOMIC_ACQUIRE);

			if ((x >> 32) == (key >> 32) &&
			    index_word(s, x, key, now, &t) == 2)
				return 1;
		}
	return 0;
}

/* Write the entry into the ring and point the index at it. */
static void
store_add(struct store *s, uint64_t key, long long now)
{
	uint64_t head = __atomic_load_n(&s->h->head, __ATOMIC_ACQUIRE);
	uint32_t pos = (uint32_t)(head % s->h->cap), b[2], t, oldest = 0;
	size_t slot = SIZE_MAX, same = SIZE_MAX, old = SIZE_MAX;
	int live[2] = { 0, 0 }, i, w, any_free[2] = { 0, 0 };
	size_t free_at[2] = { 0, 0 };

	ring_put(s, pos, key, (uint32_t)now);
	buckets(s, key, b);
	for (i = 0; i < 2; i++)
		for (w = 0; w < WAYS; w++) {
			size_t at = (size_t)b[i] * WAYS + w;

			switch (index_word(s, s->index[at], key, now, &t)) {
			case 2:
				same = at;
				break;
			case 1:
				live[i]++;
				if (old == SIZE_MAX || t < oldest) {
					old = at;
					oldest = t;
				}
				break;
			default:
				if (!any_free[i]) {
					any_free[i] = 1;
					free_at[i] = at;
				}
			}
		}
	if (same != SIZE_MAX)
		slot = same;
	else if (any_free[0] && (!any_free[1] || live[0] <= live[1]))
		slot = free_at[0];
	else if (any_free[1])
		slot = free_at[1];
	else
		slot = old;	/* both full of fresh entries: lose the oldest */
	__atomic_store_n(&s->index[slot], (key >> 32) << 32 |
	    (uint64_t)(pos + 1), __ATOMIC_RELEASE);
	__atomic_store_n(&s->h->head, head + 1, __ATOMIC_RELEASE);
}

static char *
dir_or_default(const char *dir)
{
	return dir != NULL ? strdup(dir) : rtpc_state_default_dir();
}

int
rtpc_offers_create(const char *dir, uint32_t cap, struct rtpc_err *err)
{
	struct stat dsb;
	char *path;
	int rc;

	if (cap < CAP_MIN || cap > CAP_MAX)
		return rtpc_err_set(err, RTPC_EXIT_USAGE, "late-offer memory: "
		    "capacity %u not between %u and %u", cap, CAP_MIN,
		    CAP_MAX);
	if (trusted_dir(dir, 1, &dsb, err) == -1)
		return -1;
	if ((path = join(dir, RTPC_OFFERS_FILE)) == NULL)
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	rc = store_create(path, cap, &dsb, err);
	free(path);
	return rc;
}

/*
 * Remember an INVITE without SDP at time now.  Returns 0, or -1 with
 * err set when the memory cannot be written (the caller warns).
 */
int
rtpc_offers_note_at(const char *dir, const char *callid, const char *cseq,
    long long now, struct rtpc_err *err)
{
	struct store s;
	struct stat dsb;
	char *d, *path = NULL;
	int lfd = -1, rc = -1, bad;

	if (dir != NULL && *dir == '\0')
		return 0;
	if ((d = dir_or_default(dir)) == NULL ||
	    (path = join(d, RTPC_OFFERS_FILE)) == NULL) {
		free(d);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	if (trusted_dir(d, dir != NULL, &dsb, err) == -1)
		goto out;
	/* map the store before the lock, so that the lock is held only
	 * for the few stores of the note itself */
	rc = store_open(&s, path, 1, &bad, &dsb, err);
	if (rc == -1 || (lfd = lock_take(d, &dsb, err)) == -1) {
		if (rc == 0)
			store_close(&s);
		rc = -1;
		goto out;
	}
	if (rc == 0 && !same_file(&s, path)) {
		store_close(&s);	/* replaced meanwhile */
		rc = store_open(&s, path, 1, &bad, &dsb, err);
	}
	if (rc == -2) {
		if (store_create(path, RTPC_OFFERS_CAP, &dsb, err) == -1) {
			rc = -1;
			goto out;
		}
		rc = store_open(&s, path, 1, &bad, &dsb, err);
		if (rc == -2)
			rtpc_err_set(err, RTPC_EXIT_FAIL, "%s: not a "
			    "late-offer store", path);
	}
	if (rc != 0) {
		rc = -1;
		goto out;
	}
	store_add(&s, key_of(&s, callid, cseq), now);
	close(lfd);
	lfd = -1;
	store_close(&s);
out:
	if (lfd != -1)
		close(lfd);
	free(path);
	free(d);
	return rc;
}

int
rtpc_offers_note(const char *dir, const char *callid, const char *cseq,
    struct rtpc_err *err)
{
	return rtpc_offers_note_at(dir, callid, cseq, rtpc_now(), err);
}

/*
 * Was "<cseq> <callid>" noted less than RTPC_OFFERS_TTL ago?  Returns
 * 1 or 0; -1 with err set when the memory may not be read (the caller
 * warns and takes it as not known).  Takes no lock.
 */
int
rtpc_offers_known(const char *dir, const char *callid, const char *cseq,
    struct rtpc_err *err)
{
	struct store s;
	struct stat dsb;
	char *d, *path = NULL;
	int rc, bad;

	if (dir != NULL && *dir == '\0')
		return 0;
	if ((d = dir_or_default(dir)) == NULL ||
	    (path = join(d, RTPC_OFFERS_FILE)) == NULL) {
		free(d);
		return rtpc_err_set(err, RTPC_EXIT_FAIL, "out of memory");
	}
	if (access(d, F_OK) == -1 && errno == ENOENT)
		rc = 0;		/* no directory yet: nothing noted */
	else if ((rc = trusted_dir(d, 0, &dsb, err)) == 0) {
		rc = store_open(&s, path, 0, &bad, &dsb, err);
		if (rc == 0) {
			rc = store_find(&s, key_of(&s, callid, cseq),
			    rtpc_now());
			store_close(&s);
		} else if (rc == -2)
			rc = 0;
	}
	free(path);
	free(d);
	return rc;
}
