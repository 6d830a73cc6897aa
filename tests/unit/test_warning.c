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

/* ---- the people who answer for a town (叫应 with names) ---- */

/* A contact of the directory, made through core; its id in id. */
static void
contact(struct db *db, const char *name, const char *phone, const char *role,
	const char *town, char id[64])
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "name", name);
	cJSON_AddStringToObject(f, "phones", phone);
	cJSON_AddStringToObject(f, "role", role);
	if (town)
		cJSON_AddStringToObject(f, "town", town);
	assert_int_equal(contact_add(db, f, id), 0);
	cJSON_Delete(f);
}

/* LIST_CALLEES of warning at now (caller frees). */
static cJSON *
callees(struct db *db, const char *warning, int64_t now)
{
	cJSON *f = cJSON_CreateObject(), *list = NULL;

	cJSON_AddStringToObject(f, "warning", warning);
	cJSON_AddNumberToObject(f, "now", (double)now);
	assert_int_equal(state_list(db, LIST_CALLEES, f, &list), 0);
	cJSON_Delete(f);
	return list;
}

/* LIST_CALLBACKS at now (caller frees). */
static cJSON *
callbacks(struct db *db, int64_t now)
{
	cJSON *f = cJSON_CreateObject(), *list = NULL;

	cJSON_AddNumberToObject(f, "now", (double)now);
	assert_int_equal(state_list(db, LIST_CALLBACKS, f, &list), 0);
	cJSON_Delete(f);
	return list;
}

/* The towns' leaders and duty officers are named in the warning's
 * operation as it is issued: leader first, then duty officers, nobody
 * else of the town, and a row without a person for a town the directory
 * names nobody for. Later changes to the directory change none of it,
 * here or on a station the warning reaches after them. */
static void
people_named_and_kept(void **state)
{
	struct db *cty = tdb_new("county", ROLE_COMMAND, 1);
	struct db *dt = tdb_new("datian", ROLE_TOWN, 1);
	cJSON *t = towns("[\"datian\", \"gucheng\", \"shangpan\"]"), *list, *x = NULL;
	cJSON *f, *p, *w;
	char duty[64], lead[64], vil[64], gu[64], sp[64], id[64] = "";
	char *before, *xa, *xb;
	(void)state;

	tclock_ms = T0 * 1000;
	contact(cty, "王五", "13800000001", "town_duty", "datian", duty);
	contact(cty, "陈镇长", "13800000002", "town_leader", "大田街道", lead);
	contact(cty, "村支书", "13800000003", "village", "datian", vil);
	contact(cty, "赵六", "13800000004", "town duty officer", "gucheng", gu);
	assert_int_equal(warning_issue(cty, "typhoon", "red", "台风红色预警", t,
				       id), 0);
	list = callees(cty, id, T0 + 60);
	assert_int_equal(cJSON_GetArraySize(list), 4);
	p = cJSON_GetArrayItem(list, 0);
	assert_string_equal(tstr(p, "town"), "datian");
	assert_string_equal(tstr(p, "contact"), lead);
	assert_string_equal(tstr(p, "name"), "陈镇长");
	assert_string_equal(tstr(p, "phone"), "13800000002");
	assert_string_equal(tstr(p, "called_at"), "2026-11-28T12:00:00Z");
	assert_int_equal(tnum(p, "silent_secs"), 60);
	assert_true(tis_null(p, "answered_by"));
	p = cJSON_GetArrayItem(list, 1);
	assert_string_equal(tstr(p, "contact"), duty);
	assert_string_equal(tstr(p, "name"), "王五");
	p = cJSON_GetArrayItem(list, 2);
	assert_string_equal(tstr(p, "town"), "gucheng");
	assert_string_equal(tstr(p, "contact"), gu);
	p = cJSON_GetArrayItem(list, 3);
	assert_string_equal(tstr(p, "town"), "shangpan");
	assert_true(tis_null(p, "contact"));
	assert_true(tis_null(p, "name"));
	assert_int_equal(tnum(p, "silent_secs"), 60);
	cJSON_Delete(list);
	before = texport(cty);
	x = cJSON_Parse(before);
	w = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(x, "warnings"), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(w,
			 "people")), 3);
	cJSON_Delete(x);
	free(before);

	/* The directory changes: a name, a duty officer leaves, shangpan
	 * gets one. The warning's people stay as they were named. */
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "name", "王小五");
	cJSON_AddStringToObject(f, "phones", "13900000009");
	assert_int_equal(contact_update(cty, duty, f), 0);
	cJSON_Delete(f);
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "role", "village");
	assert_int_equal(contact_update(cty, gu, f), 0);
	cJSON_Delete(f);
	contact(cty, "林晓东", "13800000005", "town_duty", "shangpan", sp);
	list = callees(cty, id, T0 + 60);
	assert_int_equal(cJSON_GetArraySize(list), 4);
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 1), "name"), "王五");
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 1), "phone"),
			    "13800000001");
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 2), "contact"), gu);
	assert_true(tis_null(cJSON_GetArrayItem(list, 3), "contact"));
	cJSON_Delete(list);

	/* A town station that gets it all later shows the same names. */
	assert_true(tsend_all(cty, dt) > 1);
	list = callees(dt, id, T0 + 60);
	assert_int_equal(cJSON_GetArraySize(list), 4);
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 1), "name"), "王五");
	assert_true(tis_null(cJSON_GetArrayItem(list, 3), "contact"));
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

/* --who takes a person of the directory (by id or name) and stores the
 * name; a name two contacts share is refused, listing both, and nothing
 * is stored. The one who answered is the person whose name the answer
 * carries. */
static void
answer_by_name(void **state)
{
	struct db *db = tdb_new("county", ROLE_COMMAND, 1);
	cJSON *t = towns("[\"datian\", \"gucheng\"]"), *list;
	char a[64], b[64], g[64], id[64] = "", ans[64] = "";
	int64_t before;
	(void)state;

	tclock_ms = T0 * 1000;
	contact(db, "王五", "13800000001", "town_duty", "datian", a);
	contact(db, "王五", "13800000002", "town_leader", "gucheng", b);
	contact(db, "赵六", "13800000004", "town_duty", "gucheng", g);
	assert_int_equal(warning_issue(db, "typhoon", "red", "台风红色预警", t,
				       id), 0);
	before = tnops(db);
	assert_int_equal(warning_answer(db, id, "datian", "王五", ans),
			 DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), a));
	assert_non_null(strstr(db_errmsg(db), b));
	assert_null(strchr(db_errmsg(db), '\n'));
	assert_int_equal(tnops(db), before);
	tclock_ms += 120 * 1000;
	assert_int_equal(warning_answer(db, id, "datian", a, ans), 0);
	assert_int_equal(warning_answer(db, id, "gucheng", "zhao liu", ans), 0);
	list = callees(db, id, T0 + 300);
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 0), "answered_by"), "王五");
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 0), "answered_at"),
			    "2026-11-28T12:02:00Z");
	assert_true(tis_null(cJSON_GetArrayItem(list, 0), "silent_secs"));
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 2), "answered_by"), "赵六");
	cJSON_Delete(list);
	cJSON_Delete(t);
	db_close(&db);
}

/* The silent limit by colour: 15 minutes red and orange, 30 yellow and
 * blue, as the settings say; a town is late once past it. */
static void
silent_limits_by_colour(void **state)
{
	struct db *db = tdb_new("county", ROLE_COMMAND, 1);
	cJSON *t = towns("[\"datian\"]"), *t2 = towns("[\"gucheng\", \"shangpan\"]");
	struct duty_counts n;
	char r[64], y[64];
	(void)state;

	assert_int_equal(warning_silent_secs(db, "red"), 15 * 60);
	assert_int_equal(warning_silent_secs(db, "orange"), 15 * 60);
	assert_int_equal(warning_silent_secs(db, "yellow"), 30 * 60);
	assert_int_equal(warning_silent_secs(db, "blue"), 30 * 60);
	tclock_ms = T0 * 1000;
	assert_int_equal(warning_issue(db, "typhoon", "red", "台风红色预警", t,
				       r), 0);
	assert_int_equal(warning_issue(db, "rainstorm", "yellow", "暴雨黄色预警",
				       t2, y), 0);
	assert_int_equal(duty_counts(db, T0 + 15 * 60, &n), 0);
	assert_int_equal(n.unanswered_late, 0);
	assert_int_equal(duty_counts(db, T0 + 15 * 60 + 1, &n), 0);
	assert_int_equal(n.unanswered_late, 1);
	assert_int_equal(duty_counts(db, T0 + 30 * 60 + 1, &n), 0);
	assert_int_equal(n.unanswered_late, 3);

	/* The county changes a limit: it holds at once. */
	assert_int_equal(setting_set(db, "silent.yellow", "10"), 0);
	assert_int_equal(warning_silent_secs(db, "yellow"), 10 * 60);
	assert_int_equal(warning_silent_secs(db, "blue"), 30 * 60);
	assert_int_equal(duty_counts(db, T0 + 10 * 60 + 1, &n), 0);
	assert_int_equal(n.unanswered_late, 2);
	assert_int_equal(setting_set(db, "silent.red", "5"), 0);
	assert_int_equal(duty_counts(db, T0 + 10 * 60 + 1, &n), 0);
	assert_int_equal(n.unanswered_late, 3);
	cJSON_Delete(t);
	cJSON_Delete(t2);
	db_close(&db);
}

/* The call-back list: the towns past their limit and not answered, with
 * their people and the last call made about the warning; a call logged
 * with the warning shows there as the last call (and as when the person
 * was called). An answer takes the town off the list. */
static void
callbacks_and_linked_calls(void **state)
{
	struct db *db = tdb_new("county", ROLE_COMMAND, 1);
	cJSON *t = towns("[\"datian\", \"gucheng\"]"), *blue = towns("[\"datian\"]");
	cJSON *list, *row, *f;
	char d1[64], d2[64], g1[64], id[64] = "", w2[64], ans[64], call[64],
	     call2[64];
	(void)state;

	tclock_ms = T0 * 1000;
	contact(db, "陈镇长", "13800000002", "town_leader", "datian", d1);
	contact(db, "王五", "13800000001", "town_duty", "datian", d2);
	contact(db, "赵六", "13800000004", "town_duty", "gucheng", g1);
	assert_int_equal(warning_issue(db, "typhoon", "orange", "台风橙色预警", t,
				       id), 0);
	assert_int_equal(warning_issue(db, "rainstorm", "blue", "暴雨蓝色预警",
				       blue, w2), 0);
	list = callbacks(db, T0 + 15 * 60);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	cJSON_Delete(list);
	list = callbacks(db, T0 + 16 * 60);
	assert_int_equal(cJSON_GetArraySize(list), 2);
	row = cJSON_GetArrayItem(list, 0);
	assert_string_equal(tstr(row, "warning"), id);
	assert_string_equal(tstr(row, "town"), "datian");
	assert_string_equal(tstr(row, "color"), "orange");
	assert_int_equal(tnum(row, "silent_secs"), 16 * 60);
	assert_string_equal(tstr(row, "people"), "陈镇长, 王五");
	assert_true(tis_null(row, "last_call"));
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 1), "town"), "gucheng");
	cJSON_Delete(list);

	/* The officer calls datian's duty officer back about the warning. */
	tclock_ms = (T0 + 17 * 60) * 1000;
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "outcome", "no_answer");
	cJSON_AddStringToObject(f, "warning", id);
	assert_int_equal(call_log(db, "王五", f, call), 0);
	/* A call about another warning is not this one's. */
	cJSON_ReplaceItemInObject(f, "warning", cJSON_CreateString(w2));
	assert_int_equal(call_log(db, "陈镇长", f, call2), 0);
	cJSON_Delete(f);
	list = callbacks(db, T0 + 18 * 60);
	assert_int_equal(cJSON_GetArraySize(list), 2);
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 0), "last_call"), call);
	assert_true(tis_null(cJSON_GetArrayItem(list, 1), "last_call"));
	cJSON_Delete(list);
	list = callees(db, id, T0 + 18 * 60);
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 0), "called_at"),
			    "2026-11-28T12:00:00Z");
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 1), "called_at"),
			    "2026-11-28T12:17:00Z");
	cJSON_Delete(list);

	/* Datian answers: gucheng alone is left; at 31 minutes the blue
	 * warning's datian joins it. */
	assert_int_equal(warning_answer(db, id, "datian", d2, ans), 0);
	list = callbacks(db, T0 + 18 * 60);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 0), "town"), "gucheng");
	cJSON_Delete(list);
	list = callbacks(db, T0 + 31 * 60);
	assert_int_equal(cJSON_GetArraySize(list), 2);
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 1), "warning"), w2);
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 1), "last_call"), call2);
	cJSON_Delete(list);
	cJSON_Delete(t);
	cJSON_Delete(blue);
	db_close(&db);
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
		cmocka_unit_test(people_named_and_kept),
		cmocka_unit_test(answer_by_name),
		cmocka_unit_test(silent_limits_by_colour),
		cmocka_unit_test(callbacks_and_linked_calls),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
