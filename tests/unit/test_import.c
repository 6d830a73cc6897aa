/*
 * test_import.c - loading an incident ledger kept in a spreadsheet: a
 * CSV file with a header row of INCIDENT_FIELDS names, loaded in one
 * transaction, all rows or none; a refusal names the line.
 *
 * Times in the files are station-local (Asia/Shanghai, UTC+8); the test
 * clock stands at 2026-11-28 20:00 there.
 */
#include "testlib.h"

#include <iconv.h>

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
refused_as(struct db *db, const char *path, int charset, int err,
	   const char *want)
{
	int64_t before = tnops(db), count = 99;
	cJSON *ids = cJSON_CreateArray();

	assert_int_equal(import_incidents_csv(db, path, charset, &count, ids),
			 err);
	assert_int_equal(count, 0);
	assert_int_equal(cJSON_GetArraySize(ids), 0);
	cJSON_Delete(ids);
	if (!strstr(db_errmsg(db), want))
		fprintf(stderr, "message: %s\nwanted: %s\n", db_errmsg(db), want);
	assert_non_null(strstr(db_errmsg(db), want));
	assert_int_equal(tnops(db), before);
	assert_int_equal(tcount(db, LIST_INCIDENTS), 0);
}

static void
refused(struct db *db, const char *path, int err, const char *want)
{
	refused_as(db, path, CSV_AUTO, err, want);
}

/* utf8 converted to GB18030, as a spreadsheet on Chinese Windows saves
 * it; malloc'd, its length in *n. */
static char *
to_gb18030(const char *utf8, size_t *n)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	size_t inleft = strlen(utf8), outleft = 4 * inleft + 4;
	char *in = (char *)utf8, *out = malloc(outleft), *o = out;

	assert_true(cd != (iconv_t)-1);
	assert_non_null(out);
	assert_true(iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1);
	assert_int_equal(inleft, 0);
	iconv_close(cd);
	*n = (size_t)(o - out);
	return out;
}

/* ---- refusals ---- */

static void
missing_file(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	const char *p = tpath("no-such-ledger.csv");
	int64_t count = 99;
	(void)state;

	assert_int_equal(import_incidents_csv(db, p, CSV_AUTO, &count, NULL), DD_E_INVALID);
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
		DD_E_INVALID, "line 1: unknown incident field 'colour'");
	/* deleted is a field of the operation, never of a ledger. */
	refused(db, CSV("deleted.csv",
			"title,town,deleted\n"
			"内涝,gucheng,1\n"),
		DD_E_INVALID, "line 1: unknown incident field 'deleted'");
	refused(db, CSV("twice.csv",
			"title,town,title\n"
			"内涝,gucheng,滑坡\n"),
		DD_E_INVALID, "line 1: field 'title' twice");
	db_close(&db);
}

/* A header cut short inside quotes is line 1's fault. */
static void
malformed_header(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	(void)state;

	refused(db, CSV("bad-head.csv", "title,\"town\n"),
		DD_E_INVALID, "line 1: malformed CSV");
	db_close(&db);
}

/* Bytes that are neither UTF-8 nor GB18030 are named by their line: a
 * GB18030 lead byte followed by a comma, and one cut off at the end. */
static void
neither_utf8_nor_gb18030(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	size_t n;
	char *gb = to_gb18030("title,town\n内涝,gucheng\n滑坡,gucheng\n", &n);
	char *buf = malloc(n + 16);
	(void)state;

	assert_non_null(buf);
	memcpy(buf, gb, n);
	memcpy(buf + n, "\xC4,gucheng\n", 10);
	refused(db, csv("lone-lead.csv", buf, n + 10), DD_E_INVALID,
		"line 4: neither UTF-8 nor GB18030");
	/* The last row's 滑坡 loses its last byte. */
	refused(db, csv("cut.csv", gb, n - strlen(",gucheng\n") - 1),
		DD_E_INVALID, "line 3: neither UTF-8 nor GB18030");
	/* Told it is UTF-8, the good GB18030 file is refused at its first
	 * Chinese byte. */
	refused_as(db, csv("gb-as-utf8.csv", gb, n), CSV_UTF8, DD_E_INVALID,
		   "line 2: not UTF-8");
	free(buf);
	free(gb);
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
	rc = import_incidents_csv(db, p, CSV_AUTO, &count, NULL);
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
		"title,town,place\r\n"), CSV_AUTO, &count, NULL), 0);
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
		"\r\n"), CSV_AUTO, &count, NULL), 0);
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
		"\"滑坡\",\"括苍镇\""), CSV_AUTO, &count, ids), 0);
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

/* The same ledger saved as GB18030 loads the same records as in UTF-8:
 * Chinese town names resolve, Chinese text is stored as UTF-8. */
static void
gb18030_file_loads_like_utf8(void **state)
{
	static const char ledger[] =
		"title,town,place,cause\r\n"
		"厂房火灾,大田街道,\"江南大道, 12号\",电线老化\r\n"
		"渔船搁浅,上盘镇,上盘码头,大风\r\n"
		"山体滑坡,括苍镇,\"括苍\n山脚\",暴雨\r\n";
	struct db *u = tdb_new("gucheng", ROLE_TOWN, 1);
	struct db *g = tdb_new("gucheng", ROLE_TOWN, 1);
	int64_t nu = 0, ng = 0;
	size_t n;
	char *gb = to_gb18030(ledger, &n), *xu, *xg;
	const char *p = csv("gb.csv", gb, n);
	cJSON *inc = NULL;
	(void)state;

	tclock_ms = T0 * 1000;
	assert_int_equal(import_incidents_csv(u, CSV("utf8.csv", ledger),
					      CSV_AUTO, &nu, NULL), 0);
	assert_int_equal(import_incidents_csv(g, p, CSV_AUTO, &ng, NULL), 0);
	assert_int_equal(nu, 3);
	assert_int_equal(ng, 3);
	/* Told, it loads the same. */
	assert_int_equal(import_incidents_csv(g, p, CSV_GB18030, &ng, NULL), 0);
	assert_int_equal(ng, 3);
	assert_int_equal(incident_get(g, "gucheng-1", &inc), 1);
	assert_string_equal(tstr(inc, "town"), "datian");
	assert_string_equal(tstr(inc, "title"), "厂房火灾");
	assert_string_equal(tstr(inc, "place"), "江南大道, 12号");
	cJSON_Delete(inc);
	assert_int_equal(incident_get(g, "gucheng-3", &inc), 1);
	assert_string_equal(tstr(inc, "town"), "kuocang");
	assert_string_equal(tstr(inc, "place"), "括苍\n山脚");
	cJSON_Delete(inc);
	assert_int_equal(incident_get(g, "gucheng-5", &inc), 1);
	assert_string_equal(tstr(inc, "town"), "shangpan");
	assert_string_equal(tstr(inc, "cause"), "大风");
	cJSON_Delete(inc);
	/* Record for record the same as the UTF-8 twin's. */
	for (int i = 1; i <= 3; i++) {
		cJSON *a = NULL, *b = NULL;
		char id[32];
		snprintf(id, sizeof id, "gucheng-%d", i);
		assert_int_equal(incident_get(u, id, &a), 1);
		assert_int_equal(incident_get(g, id, &b), 1);
		xu = cJSON_PrintUnformatted(a);
		xg = cJSON_PrintUnformatted(b);
		assert_string_equal(xu, xg);
		free(xu);
		free(xg);
		cJSON_Delete(a);
		cJSON_Delete(b);
	}
	free(gb);
	db_close(&u);
	db_close(&g);
}

/* Excel's "CSV UTF-8" starts with a byte-order mark; the first header
 * cell may then be quoted, and the mark is no part of it. */
static void
utf8_with_bom(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	cJSON *inc = NULL;
	int64_t count = 0;
	(void)state;

	assert_int_equal(import_incidents_csv(db, CSV("bom.csv",
		"\xEF\xBB\xBF\"title\",\"town\"\r\n"
		"\"内涝\",\"古城街道\"\r\n"), CSV_AUTO, &count, NULL), 0);
	assert_int_equal(count, 1);
	assert_int_equal(incident_get(db, "gucheng-1", &inc), 1);
	assert_string_equal(tstr(inc, "title"), "内涝");
	assert_string_equal(tstr(inc, "town"), "gucheng");
	cJSON_Delete(inc);
	/* Told it is UTF-8, the same. */
	assert_int_equal(import_incidents_csv(db, tpath("bom.csv"), CSV_UTF8,
					      &count, NULL), 0);
	assert_int_equal(count, 1);
	db_close(&db);
}

/* --encoding gb18030 is obeyed whatever the bytes look like: a UTF-8
 * file whose bytes also happen to be GB18030 is read as GB18030, so its
 * Chinese comes out as other characters. A Chinese town name then names
 * no town and the import is refused; text fields would be stored as
 * read. Left to choose, the same file is UTF-8. */
static void
forced_gb18030_on_utf8(void **state)
{
	/* 内涝 and 大田街道 in UTF-8 are 6 and 12 bytes that pair into
	 * GB18030 characters. */
	static const char ledger[] = "title,town\n内涝,大田街道\n";
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	const char *p = CSV("both.csv", ledger);
	cJSON *inc = NULL;
	int64_t count = 0;
	(void)state;

	refused_as(db, p, CSV_GB18030, DD_E_NOTFOUND, "line 2: unknown town");
	assert_int_equal(import_incidents_csv(db, CSV("both-code.csv",
		"title,town\n内涝,datian\n"), CSV_GB18030, &count, NULL), 0);
	assert_int_equal(incident_get(db, "gucheng-1", &inc), 1);
	assert_string_not_equal(tstr(inc, "title"), "内涝");
	/* 0xE586 0x85E6 0xB69D in GB18030. */
	assert_string_equal(tstr(inc, "title"), "鍐呮稘");
	cJSON_Delete(inc);
	assert_int_equal(import_incidents_csv(db, p, CSV_AUTO, &count, NULL), 0);
	assert_int_equal(incident_get(db, "gucheng-2", &inc), 1);
	assert_string_equal(tstr(inc, "title"), "内涝");
	assert_string_equal(tstr(inc, "town"), "datian");
	cJSON_Delete(inc);
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
		cmocka_unit_test(malformed_header),
		cmocka_unit_test(neither_utf8_nor_gb18030),
		cmocka_unit_test(field_too_long),
		cmocka_unit_test(unclosed_quote),
		cmocka_unit_test(header_only_loads_nothing),
		cmocka_unit_test(good_file_loads_every_row),
		cmocka_unit_test(last_row_without_newline),
		cmocka_unit_test(gb18030_file_loads_like_utf8),
		cmocka_unit_test(utf8_with_bom),
		cmocka_unit_test(forced_gb18030_on_utf8),
	};
	int rc;

	time_set_zone("Asia/Shanghai");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
