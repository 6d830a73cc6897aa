/*
 * test_wal.c - the write-ahead log as core/db.c runs it for the county
 * server: checkpoints run by the caller (db_wal_manual, db_checkpoint),
 * large and small commits, a transaction that spills and rolls back
 * beside another connection. What is committed must read back the same
 * through a plain SQLite connection.
 */
#include "testlib.h"
#include "core/private.h"

#include <sqlite3.h>

/* Through a connection of SQLite's own: how many rows in table, and
 * whether the file is sound. */
static int64_t
plain_count(const char *path, const char *table)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	char sql[128];
	int64_t n = -1;

	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

static void
add_incidents(struct db *db, int n)
{
	char id[64], fields[200];
	cJSON *f;
	int i;

	for (i = 0; i < n; i++) {
		snprintf(fields, sizeof fields, "{\"title\":\"road cut %d\","
			 "\"town\":\"datian\",\"kind\":\"road\",\"severity\":2}", i);
		f = cJSON_Parse(fields);
		if (incident_add(db, f, id))
			fail_msg("incident_add: %s", db_errmsg(db));
		cJSON_Delete(f);
	}
}

/* One large transaction (the seed alone is several hundred pages), then
 * many small commits: every page reads back through a plain connection
 * while the log still holds it, and after a checkpoint that copies the
 * whole log. */
static void
commits_read_back(void **state)
{
	struct db *db = tdb_new("datian", ROLE_TOWN, 1);
	char path[600];
	int frames = -1, copied = -2;
	(void)state;

	snprintf(path, sizeof path, "%s", tpath("datian.db"));
	assert_int_equal(plain_count(path, "shelters"), 283);
	assert_int_equal(db_begin(db), 0);
	add_incidents(db, 1500);
	assert_int_equal(db_end(db, 0), 0);
	add_incidents(db, 50);
	assert_int_equal(plain_count(path, "incidents"), 1550);
	db_wal_manual(db);
	assert_int_equal(db_checkpoint(db, &frames, &copied), 0);
	assert_int_equal(copied, frames);
	assert_int_equal(plain_count(path, "incidents"), 1550);
	db_close(&db);
	assert_int_equal(plain_count(path, "incidents"), 1550);
}

/* A transaction too big for its page cache writes pages to the log
 * before it commits, then rolls back; nothing of it may come out later
 * over the frames another connection committed at the same place in
 * the file. */
static void
rolled_back_spill_stays_out(void **state)
{
	struct db *a = tdb_new("dayang", ROLE_TOWN, 0), *b = NULL;
	char path[600];
	int64_t n = 0;
	int frames, copied;
	(void)state;

	snprintf(path, sizeof path, "%s", tpath("dayang.db"));
	assert_int_equal(db_exec(a, "CREATE TABLE t(x)", NULL), 0);
	assert_int_equal(db_open(path, 0, &b), 0);
	/* The log starts over: a's pages and then b's go to its start. */
	assert_int_equal(db_checkpoint(b, &frames, &copied), 0);
	assert_int_equal(copied, frames);
	db_cache_kb(a, 40);
	assert_int_equal(db_exec(a, "BEGIN", NULL), 0);
	assert_int_equal(db_exec(a, "INSERT INTO t SELECT randomblob(900) FROM "
				 "(WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT "
				 "i + 1 FROM c WHERE i < 120) SELECT i FROM c)", NULL), 0);
	assert_int_equal(db_exec(a, "ROLLBACK", NULL), 0);
	assert_int_equal(db_exec(b, "INSERT INTO t SELECT hex(randomblob(450)) "
				 "FROM (WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL "
				 "SELECT i + 1 FROM c WHERE i < 300) SELECT i FROM c)",
				 NULL), 0);
	assert_int_equal(plain_count(path, "t"), 300);
	/* a reads and closes: nothing of its rolled-back run comes out. */
	assert_int_equal(db_int(a, &n, "SELECT count(*) FROM t", NULL), 1);
	assert_int_equal(n, 300);
	db_close(&a);
	assert_int_equal(plain_count(path, "t"), 300);
	db_close(&b);
	assert_int_equal(plain_count(path, "t"), 300);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(commits_read_back),
		cmocka_unit_test(rolled_back_spill_stays_out),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
