/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state-store: what a run pays for the shared health state with the
 * store rtpp uses (a text file, read without a lock, written under a
 * bounded flock and renamed into place) and with the two embedded
 * stores considered instead, LMDB and SQLite (WAL).  Each figure is the
 * median (and 90th percentile) of N repetitions in one process of what
 * one run does once: open the store and read the records of three
 * nodes (every run), or open it and write one change (a run that saw a
 * failure).  Not built by make (it needs liblmdb-dev and
 * libsqlite3-dev); from a built tree:
 *
 *	cc -O2 -Ilibcore -o bench/state-store bench/state-store.c \
 *	    libcore/libcore.a -llmdb -lsqlite3 -lbsd -lm
 *	bench/state-store "$(mktemp -d)"
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>
#include <sqlite3.h>

#include "errors.h"
#include "config.h"
#include "healthfile.h"

#define N	3000

static long long t[N];
static const char *urls[] = { "udp:127.0.0.1:22222",
	"udp:127.0.0.1:22223", "udp:127.0.0.1:22224" };
static const char rec[] = "admin=0 opgen=0 down=0 until=0 caps=1 rep=0 "
    "ptl=0 ntf=-1 learnt=1 rtt=100 rttat=1 testing=0:0 err=";

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *name)
{
	qsort(t, N, sizeof(t[0]), cmp);
	printf("%-40s median %7lld us  p90 %7lld us\n", name, t[N / 2],
	    t[N * 9 / 10]);
}

static void
file_store(const char *w, const struct rtpc_pset *ps)
{
	struct rtpc_state st;
	struct rtpc_err e;
	char dir[512];
	int i, k;

	snprintf(dir, sizeof(dir), "%s/file", w);
	rtpc_state_open(&st, dir, ps, &e);
	for (k = 0; k < 3; k++) {
		struct rtpc_nstate *n = rtpc_state_node(&st, urls[k]);

		n->caps = 1;
		n->rtt_us = 100;
		n->dirty |= RTPC_NS_CAPS;
	}
	rtpc_state_commit(&st, &e);
	rtpc_state_free(&st);
	for (i = 0; i < N; i++) {
		long long a = now_us();

		rtpc_state_open(&st, dir, ps, &e);
		rtpc_state_free(&st);
		t[i] = now_us() - a;
	}
	report("file: open, check, read");
	for (i = 0; i < N; i++) {
		struct rtpc_nstate *n;
		long long a;

		rtpc_state_open(&st, dir, ps, &e);
		n = rtpc_state_node(&st, urls[0]);
		n->down = 1;
		n->until = now_us();
		n->dirty |= RTPC_NS_HEALTH;
		a = now_us();
		rtpc_state_commit(&st, &e);
		t[i] = now_us() - a;
		rtpc_state_free(&st);
	}
	report("file: commit (lock, re-read, write)");
}

static void
lmdb_store(const char *w)
{
	char dir[512];
	MDB_env *env;
	MDB_txn *tx;
	MDB_dbi dbi;
	MDB_val key, v;
	int i, k;

	snprintf(dir, sizeof(dir), "%s/lmdb", w);
	mkdir(dir, 0700);
	mdb_env_create(&env);
	mdb_env_set_mapsize(env, 1 << 20);
	if (mdb_env_open(env, dir, 0, 0600) != 0) {
		puts("lmdb: cannot open");
		return;
	}
	mdb_txn_begin(env, NULL, 0, &tx);
	mdb_dbi_open(tx, NULL, 0, &dbi);
	for (k = 0; k < 3; k++) {
		key.mv_size = strlen(urls[k]);
		key.mv_data = (void *)urls[k];
		v.mv_size = sizeof(rec);
		v.mv_data = (void *)rec;
		mdb_put(tx, dbi, &key, &v, 0);
	}
	mdb_txn_commit(tx);
	mdb_env_close(env);
	for (i = 0; i < N; i++) {
		long long a = now_us();

		mdb_env_create(&env);
		mdb_env_set_mapsize(env, 1 << 20);
		mdb_env_open(env, dir, 0, 0600);
		mdb_txn_begin(env, NULL, MDB_RDONLY, &tx);
		mdb_dbi_open(tx, NULL, 0, &dbi);
		for (k = 0; k < 3; k++) {
			key.mv_size = strlen(urls[k]);
			key.mv_data = (void *)urls[k];
			mdb_get(tx, dbi, &key, &v);
		}
		mdb_txn_abort(tx);
		mdb_env_close(env);
		t[i] = now_us() - a;
	}
	report("lmdb: open, read txn (3 gets)");
	for (i = 0; i < N; i++) {
		long long a = now_us();

		mdb_env_create(&env);
		mdb_env_set_mapsize(env, 1 << 20);
		mdb_env_open(env, dir, 0, 0600);
		mdb_txn_begin(env, NULL, 0, &tx);
		mdb_dbi_open(tx, NULL, 0, &dbi);
		key.mv_size = strlen(urls[0]);
		key.mv_data = (void *)urls[0];
		v.mv_size = sizeof(rec);
		v.mv_data = (void *)rec;
		mdb_put(tx, dbi, &key, &v, 0);
		mdb_txn_commit(tx);
		mdb_env_close(env);
		t[i] = now_us() - a;
	}
	report("lmdb: open, write txn (synced)");
}

static void
sqlite_store(const char *w)
{
	char path[512], q[300];
	sqlite3_stmt *s;
	sqlite3 *db;
	int i, k;

	snprintf(path, sizeof(path), "%s/health.db", w);
	sqlite3_open(path, &db);
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; CREATE TABLE node(url "
	    "TEXT PRIMARY KEY, admin INT, opgen INT, down INT, until INT, "
	    "caps INT, rep INT, ptl INT, ntf INT, learnt INT, rtt INT, "
	    "rttat INT, tpid INT, tuntil INT, err TEXT);", NULL, NULL, NULL);
	for (k = 0; k < 3; k++) {
		snprintf(q, sizeof(q), "INSERT INTO node VALUES('%s', 0, 0, "
		    "0, 0, 1, 0, 0, -1, 1, 100, 1, 0, 0, '')", urls[k]);
		sqlite3_exec(db, q, NULL, NULL, NULL);
	}
	sqlite3_close(db);
	for (i = 0; i < N; i++) {
		long long a = now_us();

		sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
		sqlite3_busy_timeout(db, 30);
		sqlite3_prepare_v2(db, "SELECT * FROM node WHERE url IN "
		    "(?, ?, ?)", -1, &s, NULL);
		for (k = 0; k < 3; k++)
			sqlite3_bind_text(s, k + 1, urls[k], -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW)
			;
		sqlite3_finalize(s);
		sqlite3_close(db);
		t[i] = now_us() - a;
	}
	report("sqlite (WAL): open, select 3 rows");
	for (i = 0; i < N; i++) {
		long long a = now_us();

		sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
		sqlite3_busy_timeout(db, 30);
		sqlite3_exec(db, "BEGIN IMMEDIATE; UPDATE node SET down = 1 "
		    "WHERE url = 'udp:127.0.0.1:22222'; COMMIT;", NULL, NULL,
		    NULL);
		sqlite3_close(db);
		t[i] = now_us() - a;
	}
	report("sqlite (WAL): open, write txn");
}

int
main(int argc, char **argv)
{
	struct rtpc_pset ps;
	struct rtpc_err e;

	if (argc != 2) {
		fprintf(stderr, "usage: state-store EMPTY-DIRECTORY\n");
		return 2;
	}
	memset(&ps, 0, sizeof(ps));
	if (rtpc_pset_parse(&ps, "udp:127.0.0.1:22222 udp:127.0.0.1:22223 "
	    "udp:127.0.0.1:22224", NULL, &e) == -1)
		return 1;
	file_store(argv[1], &ps);
	lmdb_store(argv[1]);
	sqlite_store(argv[1]);
	rtpc_pset_free(&ps);
	return 0;
}
