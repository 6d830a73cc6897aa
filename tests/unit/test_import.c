/*
 * test_import.c - loading an incident ledger kept in a spreadsheet: a
 * CSV file with a header row of INCIDENT_FIELDS names, loaded in one
 * transaction, all rows or none; a refusal names the line.
 *
 * Times in the files are station-local (Asia/Shanghai, UTC+8); the test
 * clock stands at 2026-11-28 20:00 there.
 */
#include "testlib.h"

/* Write bytes to a file of the test directory; its path. */
static const char *
csv(const char *name, const char *bytes, size_t n)
{
	const char *p = tpath(name);
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	return p;
}

#define CSV(name, text) csv(name, text, sizeof text - 1)

/* Import a file that must be refused with err; nothing may be loaded
 * and db_errmsg() must hold want. */
static void
refused(struct db *db, const char *path, int err, const char *want)
{
	int64_t before = tnops(db), count = 99;
	cJSON *ids = cJSON_CreateArray();

	assert_int_equal(import_incidents_csv(db, path, &count, ids), err);
	assert_int_equal(count, 0);
	assert_int_equal(cJSON_GetArraySize(ids), 0);
	cJSON_Delete(ids);
	if (!strstr(db_errmsg(db), want))
		fprintf(stderr, "message: %s\nwanted: %s\n", db_errmsg(db), want);
	assert_non_null(strstr(db_errmsg(db), want));
	assert_int_equal(tnops(db), before);
	assert_int_equal(tcount(db, LIST_INCIDENTS), 0);
}

/* ---- refusals ---- */

static void
missing_file(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	const char *p = tpath("no-such-ledger.csv");
	int64_t count = 99;
	(void)state;

	assert_int_equal(import_incidents_csv(db, p, &count, NULL), DD_E_INVALID);
	assert_int_equal(count, 0);
	assert_non_null(strstr(db_errmsg(db), "no-such-ledger.csv"));
	db_close(&db);
}

static void
empty_file(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	(void)state;

	refused(db, csv("empty.csv", "", 0), DD_E_INVALID, "no header row");
	db_close(&db);
}

static void
bad_row_loads_nothing(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	char id[64] = "";
	cJSON *f;
	(void)state;

	tclock_ms = T0 * 1000;
	refused(db, CSV("bad-town.csv",
			"title,town\n"
			"内涝,gucheng\n"
			"滑坡,atlantis\n"
			"火灾,datian\n"),
		DD_E_NOTFOUND, "line 3: unknown town 'atlantis'");
	/* Not even an id was spent on the rows rolled back. */
	f = cJSON_Parse("{\"title\":\"t\",\"town\":\"gucheng\"}");
	assert_int_equal(incident_add(db, f, id), 0);
	cJSON_Delete(f);
	assert_string_equal(id, "gucheng-1");
	db_close(&db);
}

/* A row that spans two lines (a line break inside quotes) counts both,
 * so the bad row after it is named by its real line. */
static void
bad_row_after_multiline_field(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	(void)state;

	refused(db, CSV("bad-multiline.csv",
			"title,town,cause\n"
			"内涝,gucheng,\"第一行\n第二行\"\n"
			"滑坡,atlantis,\n"),
		DD_E_NOTFOUND, "line 4: unknown town 'atlantis'");
	db_close(&db);
}

static void
bad_value_names_line_and_field(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	(void)state;

	refused(db, CSV("bad-severity.csv",
			"title,town,severity\n"
			"内涝,gucheng,2\n"
			"滑坡,datian,high\n"),
		DD_E_INVALID, "line 3: severity");
	db_close(&db);
}

static void
wrong_field_count(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	(void)state;

	refused(db, CSV("too-many.csv",
			"title,town\n"
			"内涝,gucheng,extra\n"),
		DD_E_INVALID, "line 2: 3 fields, the header has 2");
	refused(db, CSV("too-few.csv",
			"title,town\n"
			"内涝,gucheng\n"
			"滑坡\n"),
		DD_E_INVALID, "line 3: 1 fields, the header has 2");
	db_close(&db);
}

static void
unknown_header_field(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	(void)state;

	refused(db, CSV("colour.csv",
			"title,town,colour\n"
			"内涝,gucheng,red\n"),
		DD_E_INVALID, "line 2: unknown incident field 'colour'");
	/* deleted is a field of the operation, never of a ledger. */
	refused(db, CSV("deleted.csv",
			"title,town,deleted\n"
			"内涝,gucheng,1\n"),
		DD_E_INVALID, "'deleted'");
	db_close(&db);
}

static void
field_too_long(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	size_t n = 9000, head = sizeof "title,town\n" - 1;
	char *buf = malloc(head + n + sizeof ",gucheng\n");
	(void)state;

	assert_non_null(buf);
	memcpy(buf, "title,town\n", head);
	memset(buf + head, 'x', n);
	memcpy(buf + head + n, ",gucheng\n", sizeof ",gucheng\n");
	refused(db, csv("long.csv", buf, strlen(buf)), DD_E_INVALID,
		"line 2: malformed CSV");
	free(buf);
	db_close(&db);
}

/* The quote opened on line 3 is never closed: the refusal names line
 * 3, where the bad row starts (the file has only four lines). */
static void
unclosed_quote(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	const char *p = CSV("unclosed.csv",
			    "title,town\n"
			    "内涝,gucheng\n"
			    "\"滑坡,datian\n"
			    "火灾,datian\n");
	int64_t before = tnops(db), after, count = 99;
	char msg[512];
	int rc, loaded;
	(void)state;

	/* Everything is released before the first assertion, so a failure
	 * here leaks nothing under valgrind. */
	rc = import_incidents_csv(db, p, &count, NULL);
	snprintf(msg, sizeof msg, "%s", db_errmsg(db));
	after = tnops(db);
	loaded = tcount(db, LIST_INCIDENTS);
	db_close(&db);
	assert_int_equal(rc, DD_E_INVALID);
	assert_int_equal(count, 0);
	assert_int_equal(after, before);
	assert_int_equal(loaded, 0);
	if (!strstr(msg, "line 3: malformed CSV"))
		fprintf(stderr, "message: %s\n", msg);
	assert_non_null(strstr(msg, "line 3: malformed CSV"));
}

/* ---- behaviour ---- */

static void
header_only_loads_nothing(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	int64_t count = 99, before = tnops(db);
	(void)state;

	assert_int_equal(import_incidents_csv(db, CSV("header.csv",
		"title,town,place\r\n"), &count, NULL), 0);
	assert_int_equal(count, 0);
	assert_int_equal(tnops(db), before);
	db_close(&db);
}

/* What a spreadsheet saves: a UTF-8 byte-order mark, CRLF line ends,
 * quoted fields holding commas, doubled quotes and a line break, towns
 * by Chinese name, code and pinyin, empty cells, a blank last line. */
static void
good_file_loads_every_row(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	cJSON *inc = NULL;
	int64_t count = 0, before = tnops(db);
	(void)state;

	tclock_ms = T0 * 1000;
	assert_int_equal(import_incidents_csv(db, CSV("ledger.csv",
		"\xEF\xBB\xBFreceived_at,town,place,title,severity,trapped,cause\r\n"
		"2026-11-28 08:30,大田街道,\"江南大道, 12号\","
		"\"\"\"红星\"\" 厂房火灾\",2,3,\"电线老化\n引燃纸箱\"\r\n"
		"2026-11-28 09:05,gucheng,古城路,内涝,4,,\r\n"
		"2026-11-28 10:40,Shangpan Zhen,上盘码头,渔船搁浅,3,0,大风\r\n"
		"\r\n"), &count, NULL), 0);
	assert_int_equal(count, 3);
	assert_int_equal(tnops(db), before + 3);
	assert_int_equal(tcount(db, LIST_INCIDENTS), 3);

	assert_int_equal(incident_get(db, "gucheng-1", &inc), 1);
	assert_string_equal(tstr(inc, "received_at"), "2026-11-28T00:30:00Z");
	assert_string_equal(tstr(inc, "town"), "datian");
	assert_string_equal(tstr(inc, "place"), "江南大道, 12号");
	assert_string_equal(tstr(inc, "title"), "\"红星\" 厂房火灾");
	assert_int_equal(tnum(inc, "severity"), 2);
	assert_int_equal(tnum(inc, "trapped"), 3);
	assert_string_equal(tstr(inc, "cause"), "电线老化\n引燃纸箱");
	assert_string_equal(tstr(inc, "recorder"), "tester");
	assert_string_equal(tstr(inc, "status"), "reported");
	cJSON_Delete(inc);

	assert_int_equal(incident_get(db, "gucheng-2", &inc), 1);
	assert_string_equal(tstr(inc, "received_at"), "2026-11-28T01:05:00Z");
	assert_string_equal(tstr(inc, "town"), "gucheng");
	assert_string_equal(tstr(inc, "title"), "内涝");
	assert_int_equal(tnum(inc, "severity"), 4);
	assert_true(tis_null(inc, "trapped"));
	assert_true(tis_null(inc, "cause"));
	cJSON_Delete(inc);

	assert_int_equal(incident_get(db, "gucheng-3", &inc), 1);
	assert_string_equal(tstr(inc, "received_at"), "2026-11-28T02:40:00Z");
	assert_string_equal(tstr(inc, "town"), "shangpan");
	assert_string_equal(tstr(inc, "place"), "上盘码头");
	assert_int_equal(tnum(inc, "trapped"), 0);
	assert_string_equal(tstr(inc, "cause"), "大风");
	cJSON_Delete(inc);
	assert_int_equal(incident_get(db, "gucheng-4", &inc), 0);
	assert_null(inc);
	db_close(&db);
}

/* A file with LF line ends and no newline after its last row. */
static void
last_row_without_newline(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	cJSON *inc = NULL, *ids = cJSON_CreateArray();
	int64_t count = 0;
	char *x;
	(void)state;


	assert_int_equal(import_incidents_csv(db, CSV("lf.csv",
		"title,town\n"
		"内涝,gucheng\n"
		"\"滑坡\",\"括苍镇\""), &count, ids), 0);
	assert_int_equal(count, 2);
	/* The new ids, in file order. */
	assert_int_equal(cJSON_GetArraySize(ids), 2);
	assert_string_equal(cJSON_GetArrayItem(ids, 0)->valuestring, "gucheng-1");
	assert_string_equal(cJSON_GetArrayItem(ids, 1)->valuestring, "gucheng-2");
	cJSON_Delete(ids);
	assert_int_equal(incident_get(db, "gucheng-2", &inc), 1);
	assert_string_equal(tstr(inc, "title"), "滑坡");
	assert_string_equal(tstr(inc, "town"), "kuocang");
	cJSON_Delete(inc);
	x = texport(db);
	assert_non_null(strstr(x, "\"title\":\"滑坡\""));
	free(x);
	db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(missing_file),
		cmocka_unit_test(empty_file),
		cmocka_unit_test(bad_row_loads_nothing),
		cmocka_unit_test(bad_row_after_multiline_field),
		cmocka_unit_test(bad_value_names_line_and_field),
		cmocka_unit_test(wrong_field_count),
		cmocka_unit_test(unknown_header_field),
		cmocka_unit_test(field_too_long),
		cmocka_unit_test(unclosed_quote),
		cmocka_unit_test(header_only_loads_nothing),
		cmocka_unit_test(good_file_loads_every_row),
		cmocka_unit_test(last_row_without_newline),
	};
	int rc;

	time_set_zone("Asia/Shanghai");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
