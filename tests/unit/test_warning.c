/*
 * test_warning.c - warnings issued to towns and their answers (叫应):
 * only a command station warns; a town's answer time is its first
 * answer; both are append-only and replicate like everything else.
 */
#include "testlib.h"

static cJSON *
towns(const char *json)
{
	cJSON *t = cJSON_Parse(json);

	assert_non_null(t);
	return t;
}

/* The LIST_ANSWERS row of one town of a warning, in *list (caller frees). */
static cJSON *
answer_row(struct db *db, const char *warning, const char *town, cJSON **list)
{
	cJSON *f = cJSON_CreateObject(), *row, *found = NULL;

	cJSON_AddStringToObject(f, "warning", warning);
	assert_int_equal(state_list(db, LIST_ANSWERS, f, list), 0);
	cJSON_Delete(f);
	cJSON_ArrayForEach(row, *list)
		if (strcmp(tstr(row, "town"), town) == 0)
			found = row;
	assert_non_null(found);
	return found;
}

/* ---- warning_issue refusals ---- */

static void
town_station_may_not_warn(void **state)
{
	struct db *db = tdb_new("datian", ROLE_TOWN, 1);
	cJSON *t = towns("[\"datian\"]");
	char id[64] = "";
	int64_t before = tnops(db);
	(void)state;

	assert_int_equal(warning_issue(db, "typhoon", "red", "台风红色预警", t, id),
			 DD_E_ROLE);
	assert_int_equal(tnops(db), before);
	assert_int_equal(tcount(db, LIST_WARNINGS), 0);
	/* The refused id is not spent. */
	assert_int_equal(log_add(db, "note", "x", id), 0);
	assert_string_equal(id, "datian-1");
	cJSON_Delete(t);
	db_close(&db);
}

static void
bad_warning_refused(void **state)
{
	struct db *db = tdb_new("county", ROLE_COMMAND, 1);
	cJSON *ok = towns("[\"datian\"]");
	cJSON *unknown = towns("[\"datian\", \"atlantis\"]");
	cJSON *notstr = towns("[\"datian\", 5]");
	char id[64] = "", *long_text;
	int64_t before = tnops(db);
	(void)state;

	long_text = malloc(4002);
	memset(long_text, 'x', 4001);
	long_text[4001] = 0;

	assert_int_equal(warning_issue(db, "", "red", "t", ok, id), DD_E_INVALID);
	assert_int_equal(warning_issue(db, NULL, "red", "t", ok, id), DD_E_INVALID);
	assert_int_equal(warning_issue(db, "Typhoon!", "red", "t", ok, id),
			 DD_E_INVALID);
	assert_int_equal(warning_issue(db, "typhoon", "purple", "t", ok, id),
			 DD_E_INVALID);
	assert_non_null(strstr(db_errmsg(db), "colour"));
	assert_int_equal(warning_issue(db, "typhoon", "Red", "t", ok, id),
			 DD_E_INVALID);
	assert_int_equal(warning_issue(db, "typhoon", NULL, "t", ok, id),
			 DD_E_INVALID);
	assert_int_equal(warning_issue(db, "typhoon", "red", "", ok, id),
			 DD_E_INVALID);
	assert_int_equal(warning_issue(db, "typhoon", "red", NULL, ok, id),
			 DD_E_INVALID);
	assert_int_equal(warning_issue(db, "typhoon", "red", long_text, ok, id),
			 DD_E_INVALID);
	assert_int_equal(warning_issue(db, "typhoon", "red", "t", unknown, id),
			 DD_E_NOTFOUND);
	assert_non_null(strstr(db_errmsg(db), "atlantis"));
	assert_int_equal(warning_issue(db, "typhoon", "red", "t", notstr, id),
			 DD_E_NOTFOUND);
	assert_int_equal(tnops(db), before);
	assert_int_equal(tcount(db, LIST_WARNINGS), 0);
	free(long_text);
	cJSON_Delete(ok);
	cJSON_Delete(unknown);
	cJSON_Delete(notstr);
	db_close(&db);
}

/* ---- warning_issue behaviour ---- */

static void
empty_town_list_warns_every_town(void **state)
{
	struct db *db = tdb_new("county", ROLE_COMMAND, 1);
	cJSON *none = towns("[]"), *list = NULL, *row, *f;
	char id[64] = "", id2[64] = "";
	int64_t before = tnops(db);
	(void)state;

	tclock_ms = T0 * 1000;
	assert_int_equal(warning_issue(db, "typhoon", "orange", "台风橙色预警",
				       none, id), 0);
	assert_string_equal(id, "county-1");
	assert_int_equal(warning_issue(db, "rainstorm", "blue", "暴雨蓝色预警",
				       NULL, id2), 0);
	assert_string_equal(id2, "county-2");
	assert_int_equal(tnops(db), before + 2);

	assert_int_equal(state_list(db, LIST_WARNINGS, NULL, &list), 0);
	assert_int_equal(cJSON_GetArraySize(list), 2);
	row = cJSON_GetArrayItem(list, 0);
	assert_string_equal(tstr(row, "id"), "county-1");
	assert_string_equal(tstr(row, "hazard"), "typhoon");
	assert_string_equal(tstr(row, "color"), "orange");
	assert_string_equal(tstr(row, "text"), "台风橙色预警");
	assert_string_equal(tstr(row, "at"), "2026-11-28T12:00:00Z");
	assert_string_equal(tstr(row, "officer"), "tester");
	assert_string_equal(tstr(row, "station"), "county");
	assert_int_equal(tnum(row, "towns"), 19);
	assert_int_equal(tnum(row, "answered"), 0);
	assert_int_equal(tnum(cJSON_GetArrayItem(list, 1), "towns"), 19);
	cJSON_Delete(list);

	/* Every town is listed, none answered yet. */
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "warning", "county-1");
	assert_int_equal(state_list(db, LIST_ANSWERS, f, &list), 0);
	cJSON_Delete(f);
	assert_int_equal(cJSON_GetArraySize(list), 19);
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 0), "town"), "baishuiyang");
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 18), "town"), "youxi");
	cJSON_ArrayForEach(row, list) {
		assert_true(tis_null(row, "id"));
		assert_true(tis_null(row, "answer_secs"));
	}
	cJSON_Delete(list);
	cJSON_Delete(none);
	db_close(&db);
}

static void
named_towns_resolved(void **state)
{
	struct db *db = tdb_new("county", ROLE_COMMAND, 1);
	cJSON *t = towns("[\"datian\", \"古城街道\", \"shangpan zhen\", "
			 "\"datian\"]");
	cJSON *x = NULL, *w, *wt;
	char id[64] = "";
	(void)state;

	assert_int_equal(warning_issue(db, "flood", "yellow", "洪水黄色预警", t,
				       id), 0);
	assert_int_equal(state_export(db, &x), 0);
	w = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(x, "warnings"), 0);
	assert_string_equal(tstr(w, "id"), id);
	wt = cJSON_GetObjectItemCaseSensitive(w, "towns");
	assert_int_equal(cJSON_GetArraySize(wt), 3);
	assert_string_equal(tstr(cJSON_GetArrayItem(wt, 0), "town"), "datian");
	assert_string_equal(tstr(cJSON_GetArrayItem(wt, 1), "town"), "gucheng");
	assert_string_equal(tstr(cJSON_GetArrayItem(wt, 2), "town"), "shangpan");
	cJSON_Delete(x);
	cJSON_Delete(t);
	db_close(&db);
}

/* ---- warning_answer ---- */

static void
answer_refusals(void **state)
{
	struct db *db = tdb_new("county", ROLE_COMMAND, 1);
	cJSON *t = towns("[\"datian\", \"gucheng\"]");
	char id[64] = "", ans[64] = "";
	int64_t before;
	(void)state;

	assert_int_equal(warning_issue(db, "typhoon", "red", "台风红色预警", t,
				       id), 0);
	before = tnops(db);
	assert_int_equal(warning_answer(db, "county-99", "datian", "王", ans),
			 DD_E_NOTFOUND);
	assert_non_null(strstr(db_errmsg(db), "county-99"));
	assert_int_equal(warning_answer(db, NULL, "datian", "王", ans),
			 DD_E_NOTFOUND);
	assert_int_equal(warning_answer(db, id, "atlantis", "王", ans),
			 DD_E_NOTFOUND);
	assert_int_equal(warning_answer(db, id, NULL, "王", ans), DD_E_INVALID);
	/* xiaozhi was not warned. */
	assert_int_equal(warning_answer(db, id, "xiaozhi", "王", ans),
			 DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "xiaozhi"));
	assert_int_equal(tnops(db), before);

	assert_int_equal(warning_answer(db, id, "大田街道", "王", ans), 0);
	assert_int_equal(tnops(db), before + 1);
	/* A town answers once; a second answer, by code or name, is refused. */
	assert_int_equal(warning_answer(db, id, "datian", "李", ans),
			 DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "already answered"));
	assert_int_equal(warning_answer(db, id, "Datian Jiedao", NULL, ans),
			 DD_E_REFUSED);
	assert_int_equal(tnops(db), before + 1);
	cJSON_Delete(t);
	db_close(&db);
}

static void
answers_counted_and_timed(void **state)
{
	struct db *db = tdb_new("county", ROLE_COMMAND, 1);
	cJSON *t = towns("[\"datian\", \"gucheng\", \"shangpan\"]");
	cJSON *list = NULL, *row;
	char id[64] = "", ans[64] = "";
	(void)state;

	tclock_ms = T0 * 1000;
	assert_int_equal(warning_issue(db, "typhoon", "red", "台风红色预警", t,
				       id), 0);
	tclock_ms += 90 * 1000;
	assert_int_equal(warning_answer(db, id, "datian", "大田值班员王", ans), 0);
	assert_string_equal(ans, "county-2");
	tclock_ms += 300 * 1000;
	assert_int_equal(warning_answer(db, id, "gucheng", NULL, ans), 0);

	assert_int_equal(state_list(db, LIST_WARNINGS, NULL, &list), 0);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_int_equal(tnum(cJSON_GetArrayItem(list, 0), "towns"), 3);
	assert_int_equal(tnum(cJSON_GetArrayItem(list, 0), "answered"), 2);
	cJSON_Delete(list);

	row = answer_row(db, id, "datian", &list);
	assert_string_equal(tstr(row, "warning"), id);
	assert_string_equal(tstr(row, "id"), "county-2");
	assert_string_equal(tstr(row, "who"), "大田值班员王");
	assert_string_equal(tstr(row, "at"), "2026-11-28T12:01:30Z");
	assert_int_equal(tnum(row, "answer_secs"), 90);
	cJSON_Delete(list);
	row = answer_row(db, id, "gucheng", &list);
	assert_true(tis_null(row, "who"));
	assert_int_equal(tnum(row, "answer_secs"), 390);
	cJSON_Delete(list);
	row = answer_row(db, id, "shangpan", &list);
	assert_true(tis_null(row, "id"));
	assert_true(tis_null(row, "answer_secs"));
	cJSON_Delete(list);
	cJSON_Delete(t);
	db_close(&db);
}

/* The county warns; datian's own station answers at once while the
 * county, not yet seeing it, records a phoned answer later. Both answers
 * are kept; the town's answer time is its first. */
static void
answers_replicate_first_one_counts(void **state)
{
	struct db *cty = tdb_new("county", ROLE_COMMAND, 1);
	struct db *dt = tdb_new("datian", ROLE_TOWN, 1);
	cJSON *t = towns("[\"datian\", \"gucheng\"]"), *list = NULL, *row;
	char id[64] = "", ans[64] = "";
	char *xa, *xb;
	(void)state;

	tclock_ms = T0 * 1000;
	assert_int_equal(warning_issue(cty, "typhoon", "red", "台风红色预警", t,
				       id), 0);
	assert_int_equal(tsend_all(cty, dt), 1);
	assert_int_equal(tcount(dt, LIST_WARNINGS), 1);

	tclock_ms += 60 * 1000;
	assert_int_equal(warning_answer(dt, id, "datian", "王", ans), 0);
	assert_string_equal(ans, "datian-1");
	tclock_ms += 60 * 1000;
	assert_int_equal(warning_answer(cty, id, "datian", "电话 王", ans), 0);
	assert_string_equal(ans, "county-2");

	assert_int_equal(tsend_all(dt, cty), 1);
	assert_int_equal(tsend_all(cty, dt), 1);
	assert_int_equal(state_list(cty, LIST_WARNINGS, NULL, &list), 0);
	assert_int_equal(tnum(cJSON_GetArrayItem(list, 0), "answered"), 1);
	cJSON_Delete(list);
	row = answer_row(cty, id, "datian", &list);
	assert_string_equal(tstr(row, "id"), "datian-1");
	assert_int_equal(tnum(row, "answer_secs"), 60);
	cJSON_Delete(list);
	row = answer_row(dt, id, "datian", &list);
	assert_string_equal(tstr(row, "id"), "datian-1");
	assert_int_equal(tnum(row, "answer_secs"), 60);
	cJSON_Delete(list);

	xa = texport(cty);
	xb = texport(dt);
	assert_string_equal(xa, xb);
	free(xa);
	free(xb);
	cJSON_Delete(t);
	db_close(&cty);
	db_close(&dt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(town_station_may_not_warn),
		cmocka_unit_test(bad_warning_refused),
		cmocka_unit_test(empty_town_list_warns_every_town),
		cmocka_unit_test(named_towns_resolved),
		cmocka_unit_test(answer_refusals),
		cmocka_unit_test(answers_counted_and_timed),
		cmocka_unit_test(answers_replicate_first_one_counts),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
