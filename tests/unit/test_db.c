/*
 * test_db.c - the station database: open, migrate, refuse what is not
 * ours or is newer, station init, backup and restore.
 */
#include "testlib.h"

#include <sqlite3.h>

static void
null_and_missing(void **state)
{
	struct db *db = NULL;
	(void)state;

	assert_int_equal(db_open(tpath("nonexistent/x.db"), 0, &db), DD_E_DB_OPEN);
	assert_non_null(db);
	assert_true(strlen(db_errmsg(db)) > 0);
	db_close(&db);
	assert_null(db);
	db_close(&db); /* twice is harmless */
	assert_string_equal(dd_strerror(0), "ok");
	assert_int_equal(dd_exitcode(DD_E_USAGE), EXIT_USAGE);
	assert_int_equal(dd_exitcode(DD_E_NOTFOUND), EXIT_REFUSED);
	assert_int_equal(dd_exitcode(DD_E_DISK_FULL), EXIT_DISK);
	assert_int_equal(dd_exitcode(DD_E_DB_NEWER), EXIT_ENV);
}

static void
not_ours(void **state)
{
	struct db *db = NULL;
	const char *p = tpath("junk.db");
	FILE *f = fopen(p, "w");
	(void)state;

	fputs("this is a text file, not a database\n", f);
	fclose(f);
	assert_int_equal(db_open(p, 0, &db), DD_E_DB_NOTOURS);
	db_close(&db);

	/* A real SQLite database of someone else's. */
	sqlite3 *h;
	p = tpath("other.db");
	assert_int_equal(sqlite3_open(p, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE t(x)", 0, 0, 0), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(db_open(p, 0, &db), DD_E_DB_NOTOURS);
	db_close(&db);
}

static void
newer_refused(void **state)
{
	struct db *db = tdb_new("newer", ROLE_TOWN, 0);
	const char *p = tpath("newer.db");
	sqlite3 *h;
	(void)state;

	db_close(&db);
	assert_int_equal(sqlite3_open(p, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 999", 0, 0, 0),
			 SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(db_open(p, 0, &db), DD_E_DB_NEWER);
	assert_non_null(strstr(db_errmsg(db), "999"));
	db_close(&db);
}

static void
init_once(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 0);
	struct station_info si;
	(void)state;

	assert_int_equal(station_info(db, &si), 0);
	assert_string_equal(si.station, "gucheng");
	assert_string_equal(si.realm, "live");
	assert_int_equal(si.role, ROLE_TOWN);
	assert_int_equal(strlen(si.incarnation), 16);
	assert_int_equal(si.ops, 0);
	assert_int_equal(station_init(db, "other", ROLE_TOWN, "live", 0),
			 DD_E_REFUSED);
	db_close(&db);

	assert_int_equal(db_open(tpath("bad.db"), DB_CREATE, &db), 0);
	assert_int_equal(station_init(db, "Bad Code", ROLE_TOWN, "live", 0),
			 DD_E_INVALID);
	assert_int_equal(station_init(db, "seed", ROLE_TOWN, "live", 0),
			 DD_E_INVALID);
	assert_int_equal(station_init(db, "ok", 7, "live", 0), DD_E_INVALID);
	assert_int_equal(station_info(db, &si), DD_E_DB_NOINIT);
	db_close(&db);
}

static void
codes(void **state)
{
	(void)state;
	assert_false(station_code_ok(NULL));
	assert_false(station_code_ok(""));
	assert_false(station_code_ok("a"));
	assert_false(station_code_ok("1abc"));
	assert_false(station_code_ok("Datian"));
	assert_false(station_code_ok("da-tian"));
	assert_false(station_code_ok("abcdefghijklmnopqrstuvwxy"));
	assert_true(station_code_ok("datian"));
	assert_true(station_code_ok("dt2"));
	assert_int_equal(role_parse("town"), ROLE_TOWN);
	assert_int_equal(role_parse("command"), ROLE_COMMAND);
	assert_int_equal(role_parse("admin"), 0);
	assert_int_equal(role_parse(NULL), 0);
}

/* db_why gives a failure's own detail, or the code's message: never the
 * detail an earlier transaction's failure left. */
static void
why_of_this_failure(void **state)
{
	struct db *db = tdb_new("shangpan", ROLE_TOWN, 0);
	char id[64];
	(void)state;

	assert_string_equal(db_why(NULL, DD_E_NOMEM), dd_strerror(DD_E_NOMEM));
	assert_int_equal(log_add(db, "note", "", id), DD_E_INVALID);
	assert_string_not_equal(db_why(db, DD_E_INVALID),
				dd_strerror(DD_E_INVALID));
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_end(db, 0), 0);
	assert_string_equal(db_why(db, DD_E_NOMEM), dd_strerror(DD_E_NOMEM));
	db_close(&db);
}

static void
seeded_reference(void **state)
{
	struct db *db = tdb_new("shangpan", ROLE_TOWN, 1);
	cJSON *l = NULL;
	char code[64];
	(void)state;

	assert_int_equal(state_list(db, LIST_TOWNS, NULL, &l), 0);
	assert_int_equal(cJSON_GetArraySize(l), 19);
	cJSON_Delete(l);
	assert_int_equal(state_list(db, LIST_SHELTERS, NULL, &l), 0);
	assert_int_equal(cJSON_GetArraySize(l), 283);
	cJSON_Delete(l);
	assert_int_equal(state_list(db, LIST_KINDS, NULL, &l), 0);
	assert_int_equal(cJSON_GetArraySize(l), 23);
	cJSON_Delete(l);
	assert_int_equal(state_list(db, LIST_TEAMS, NULL, &l), 0);
	assert_true(cJSON_GetArraySize(l) >= 58 + 19);
	cJSON_Delete(l);
	/* by code, Chinese name, pinyin in any case */
	assert_int_equal(ref_find(db, REF_TOWN, "datian", code), 1);
	assert_int_equal(ref_find(db, REF_TOWN, "大田街道", code), 1);
	assert_string_equal(code, "datian");
	assert_int_equal(ref_find(db, REF_TOWN, "DATIAN JIEDAO", code), 1);
	assert_string_equal(code, "datian");
	assert_int_equal(ref_find(db, REF_TOWN, "atlantis", code), 0);
	assert_non_null(strstr(db_errmsg(db), "atlantis"));
	assert_int_equal(ref_find(db, REF_TOWN, "", code), DD_E_INVALID);
	assert_int_equal(ref_find(db, REF_KIND, "relief tent", code), 1);
	assert_string_equal(code, "tent");
	db_close(&db);
}

static void
backup_restore(void **state)
{
	struct db *db = tdb_new("yongquan", ROLE_TOWN, 1), *copy = NULL;
	struct station_info a, b;
	char *x1, *x2;
	(void)state;

	assert_int_equal(station_info(db, &a), 0);
	unlink(tpath("backup.db"));
	assert_int_equal(db_backup(db, tpath("backup.db")), 0);
	assert_int_equal(db_backup(db, tpath("nodir/backup.db")), DD_E_DB_OPEN);
	assert_int_equal(db_open(tpath("backup.db"), 0, &copy), 0);
	x1 = texport(db);
	x2 = texport(copy);
	assert_string_equal(x1, x2);
	assert_int_equal(db_restore_mark(copy), 0);
	assert_int_equal(station_info(copy, &b), 0);
	assert_string_equal(a.station, b.station);
	assert_string_not_equal(a.incarnation, b.incarnation);
	free(x1);
	free(x2);
	db_close(&copy);
	db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(null_and_missing),
		cmocka_unit_test(not_ours),
		cmocka_unit_test(newer_refused),
		cmocka_unit_test(init_once),
		cmocka_unit_test(codes),
		cmocka_unit_test(why_of_this_failure),
		cmocka_unit_test(seeded_reference),
		cmocka_unit_test(backup_restore),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
