/*
 * testlib.h - what every unit test shares: cmocka, a clock the test
 * sets, and station databases as real files in a fresh directory; the
 * small lookups and checks the tests all make; holders a teardown
 * releases; and the exchange of operations between two stations.
 */
#ifndef DUTYDESK_TESTLIB_H
#define DUTYDESK_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/core.h"

/* 2026-11-28T12:00:00Z; tests move it with tclock_ms. */
#define T0 1795867200LL
static int64_t tclock_ms = T0 * 1000;

static int64_t
tclock_now(void *ctx)
{
	(void)ctx;
	return tclock_ms;
}

static const struct dd_clock test_clock = { tclock_now, NULL };

static char tdir_path[256];

/* A path inside this test run's own temporary directory. */
static __attribute__((unused)) const char *
tpath(const char *name)
{
	static char buf[8][512];
	static int slot;

	if (!tdir_path[0]) {
		snprintf(tdir_path, sizeof tdir_path, "/tmp/dutydesk-test-XXXXXX");
		if (!mkdtemp(tdir_path))
			abort();
		assets_set_dir(getenv("DUTYDESK_ASSETS") ? getenv("DUTYDESK_ASSETS")
							 : "assets");
	}
	slot = (slot + 1) % 8;
	snprintf(buf[slot], sizeof buf[slot], "%s/%s", tdir_path, name);
	return buf[slot];
}

/* A new station database file (removed first if it exists). */
static __attribute__((unused)) struct db *
tdb_new(const char *station, int role, int seed)
{
	char name[128];
	const char *p;
	struct db *db = NULL;
	int rc;

	snprintf(name, sizeof name, "%s.db", station);
	p = tpath(name);
	unlink(p);
	snprintf(name, sizeof name, "%s-wal", p);
	unlink(name);
	snprintf(name, sizeof name, "%s-shm", p);
	unlink(name);
	rc = db_open(p, DB_CREATE, &db);
	if (rc)
		fprintf(stderr, "open: %s\n", db_errmsg(db));
	assert_int_equal(rc, 0);
	db_set_clock(db, &test_clock);
	db_set_officer(db, "tester");
	rc = station_init(db, station, role, "live", seed);
	if (rc)
		fprintf(stderr, "init: %s\n", db_errmsg(db));
	assert_int_equal(rc, 0);
	return db;
}

/* The export of a database as one string (caller frees). */
static __attribute__((unused)) char *
texport(struct db *db)
{
	cJSON *x = NULL;
	char *s;

	assert_int_equal(state_export(db, &x), 0);
	s = cJSON_PrintUnformatted(x);
	cJSON_Delete(x);
	return s;
}

/* The number of operations a station holds: a refused command must
 * leave it as it was, and each command that is taken adds one. */
static __attribute__((unused)) int64_t
tnops(struct db *db)
{
	struct station_info si;

	assert_int_equal(station_info(db, &si), 0);
	return si.ops;
}

/* The string at key k of object o (a row of state_list, an incident...);
 * the test fails, naming k, where there is none, so a missing field is
 * not read as NULL. */
static __attribute__((unused)) const char *
tstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsString(v))
		fail_msg("'%s' is not a string", k);
	return v->valuestring;
}

/* The number at key k of object o, as a whole number; the test fails,
 * naming k, where there is none. */
static __attribute__((unused)) int64_t
tnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(v))
		fail_msg("'%s' is not a number", k);
	return (int64_t)v->valuedouble;
}

/* Whether key k of object o is JSON null: how the state shows a field
 * not set (a key that is absent is not null). */
static __attribute__((unused)) int
tis_null(const cJSON *o, const char *k)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* How many rows a state_list list has, for a test that holds nothing
 * (the list is freed at once). */
static __attribute__((unused)) int
tcount(struct db *db, enum list l)
{
	cJSON *list = NULL;
	int n;

	assert_int_equal(state_list(db, l, NULL, &list), 0);
	n = cJSON_GetArraySize(list);
	cJSON_Delete(list);
	return n;
}

/* A hand-made operation, as a station receives one from another: its
 * envelope in the live realm, and its body parsed from JSON text (NULL:
 * none; the test fails if it does not parse). op_clear() frees it. */
static __attribute__((unused)) void
tmkop(struct op *op, const char *station, const char *inc, int64_t seq,
      int64_t hlc, const char *officer, const char *kind, const char *entity,
      const char *body)
{
	memset(op, 0, sizeof *op);
	snprintf(op->station, sizeof op->station, "%s", station);
	snprintf(op->incarnation, sizeof op->incarnation, "%s", inc);
	op->seq = seq;
	op->hlc = hlc;
	snprintf(op->realm, sizeof op->realm, "live");
	snprintf(op->officer, sizeof op->officer, "%s", officer);
	snprintf(op->kind, sizeof op->kind, "%s", kind);
	snprintf(op->entity, sizeof op->entity, "%s", entity);
	if (body) {
		op->body = cJSON_Parse(body);
		assert_non_null(op->body);
	}
}

/* A refusal is checked by its code and by what it tells the officer:
 * rc must be want and db_errmsg() must mention words (unless NULL); a
 * failure shows the code and message that came instead. */
static __attribute__((unused)) void
trefused(struct db *db, int rc, int want, const char *words)
{
	if (rc != want)
		fail_msg("got %d (%s), want %d", rc, db_errmsg(db), want);
	if (words && !strstr(db_errmsg(db), words))
		fail_msg("message '%s' does not mention '%s'", db_errmsg(db), words);
}

/* A time as the state shows it (ISO 8601 UTC), in one of eight buffers
 * that take turns, so that several can stand in one assertion. */
static __attribute__((unused)) const char *
tiso(int64_t t)
{
	static char buf[8][21];
	static int slot;

	slot = (slot + 1) % 8;
	time_format_iso(t, buf[slot]);
	return buf[slot];
}

/* ---- held until the teardown ------------------------------------------
 * Everything a test opens is held here and released by trelease, its
 * teardown, so an assertion that fails (and leaves the test by longjmp)
 * leaks nothing. Tests that use them run with
 * cmocka_unit_test_setup_teardown(f, tfresh, trelease). */
static __attribute__((unused)) struct db *theld_db[8];
static __attribute__((unused)) cJSON *theld_json[128];
static __attribute__((unused)) char *theld_str[64];
static __attribute__((unused)) int tn_json, tn_str;

/* Setup: each test starts with the clock at T0, whatever the one before
 * moved it to. */
static __attribute__((unused)) int
tfresh(void **state)
{
	(void)state;
	tclock_ms = T0 * 1000;
	return 0;
}

/* Teardown: close and free all that is held, passed or failed. */
static __attribute__((unused)) int
trelease(void **state)
{
	int i;
	(void)state;

	for (i = 0; i < 8; i++)
		db_close(&theld_db[i]);
	for (i = 0; i < tn_json; i++)
		cJSON_Delete(theld_json[i]);
	for (i = 0; i < tn_str; i++)
		free(theld_str[i]);
	tn_json = tn_str = 0;
	return 0;
}

/* A new station database (tdb_new) that the teardown closes. */
static __attribute__((unused)) struct db *
tstation(const char *code, int role, int seed)
{
	int i;

	for (i = 0; i < 8 && theld_db[i]; i++)
		;
	assert_true(i < 8);
	theld_db[i] = tdb_new(code, role, seed);
	return theld_db[i];
}

/* Close a held station before the test ends (a loop over many replicas). */
static __attribute__((unused)) void
tdrop(struct db *db)
{
	int i;

	for (i = 0; i < 8; i++)
		if (theld_db[i] == db)
			db_close(&theld_db[i]);
}

/* j, which must not be NULL, held for the teardown to free, so that a
 * test can use what a call returns without a variable to free. */
static __attribute__((unused)) cJSON *
tkeep(cJSON *j)
{
	assert_non_null(j);
	assert_true(tn_json < (int)(sizeof theld_json / sizeof theld_json[0]));
	theld_json[tn_json++] = j;
	return j;
}

/* The same for a string (malloc'd) the test keeps. */
static __attribute__((unused)) const char *
tkeep_str(char *s)
{
	assert_non_null(s);
	assert_true(tn_str < (int)(sizeof theld_str / sizeof theld_str[0]));
	theld_str[tn_str++] = s;
	return s;
}

/* The export as one string (texport), held: tests compare states
 * before and after with it. */
static __attribute__((unused)) const char *
texport_of(struct db *db)
{
	return tkeep_str(texport(db));
}

/* A state_list list, held, so that it can be read in an expression. */
static __attribute__((unused)) cJSON *
tlist(struct db *db, enum list l)
{
	cJSON *out = NULL;

	assert_int_equal(state_list(db, l, NULL, &out), 0);
	return tkeep(out);
}

/* The first element of arr whose key is the string value, or NULL: a
 * row of a list by its id (or another key). */
static __attribute__((unused)) cJSON *
trow(cJSON *arr, const char *key, const char *value)
{
	cJSON *o;

	cJSON_ArrayForEach(o, arr) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
		if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
			return o;
	}
	return NULL;
}

/* ---- between stations -------------------------------------------------- */

/* Where tsend_one applies each operation, how many it took, and the
 * first one refused, named for the failure message. */
struct tsend {
	struct db *to;
	int applied, err;
	char msg[400];
};

/* op_each's callback: stops at the first refusal (op_apply < 0) so the
 * test names the operation rather than only a count. */
static __attribute__((unused)) int
tsend_one(const struct op *op, void *ctx)
{
	struct tsend *x = ctx;
	int rc = op_apply(x->to, op);

	if (rc < 0) {
		x->err = rc;
		snprintf(x->msg, sizeof x->msg, "%s %s: %s", op->kind, op->entity,
			 db_errmsg(x->to));
		return 1;
	}
	x->applied += rc;
	return 0;
}

/* What the server would do, without the wire: station to gets every
 * operation station from holds. One that to refuses fails the test,
 * named; returns how many were new to it (already held counts 0). */
static __attribute__((unused)) int
tsend_all(struct db *from, struct db *to)
{
	struct tsend x = { to, 0, 0, "" };
	int rc = op_each(from, 0, tsend_one, &x);

	if (x.err)
		fail_msg("apply %s", x.msg);
	assert_int_equal(rc, 0);
	return x.applied;
}

/* Two stations each given everything the other holds, as after both
 * have synced. */
static __attribute__((unused)) void
texchange(struct db *a, struct db *b)
{
	tsend_all(a, b);
	tsend_all(b, a);
}

static void
tcleanup(void)
{
	char cmd[300];

	if (tdir_path[0] && !getenv("DUTYDESK_KEEP")) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tdir_path);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tdir_path);
	}
}

#endif
