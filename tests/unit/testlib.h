/*
 * testlib.h - what every unit test shares: cmocka, a clock the test
 * sets, and station databases as real files in a fresh directory.
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
