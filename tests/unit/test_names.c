/*
 * test_names.c - how an officer names a record (ref_find, ref_list,
 * ref_match): by code, Chinese name, a town's name without 街道/镇/乡,
 * pinyin in any case with or without spaces, or the start of any of
 * them when it names one record alone; an ambiguous name refused with
 * its candidates; an exact code always winning; and the pick lists the
 * console offers (a dispatch's teams, the incident's town's first).
 */
#include "testlib.h"

#include <locale.h>

/* The code what resolves to, or the test fails showing why not. */
static const char *
found(struct db *db, enum ref r, const char *what)
{
	static char code[64];
	int rc = ref_find(db, r, what, code);

	if (rc != 1)
		fail_msg("'%s': got %d (%s)", what, rc, db_errmsg(db));
	return code;
}

/* ---- edges first ------------------------------------------------------ */

static void
nothing_given(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	char code[64];

	(void)state;
	trefused(db, ref_find(db, REF_TOWN, "", code), DD_E_INVALID, "town");
	trefused(db, ref_find(db, REF_TOWN, NULL, code), DD_E_INVALID, "town");
	trefused(db, ref_find(db, REF_TOWN, "atlantis", code), 0, "atlantis");
	trefused(db, ref_find(db, REF_HAZARD, "volcano", code), 0, "volcano");
	assert_int_equal(ref_match(NULL, "datian"), 0);
}

/* ---- the ways to give a town --------------------------------------- */

static void
town_by_each_name(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);

	(void)state;
	assert_string_equal(found(db, REF_TOWN, "datian"), "datian");
	assert_string_equal(found(db, REF_TOWN, "大田街道"), "datian");
	assert_string_equal(found(db, REF_TOWN, "大田"), "datian");
	assert_string_equal(found(db, REF_TOWN, "汛桥"), "xunqiao");
	assert_string_equal(found(db, REF_TOWN, "Datian Jiedao"), "datian");
	assert_string_equal(found(db, REF_TOWN, "DATIANJIEDAO"), "datian");
	/* Prefixes: of the pinyin (spaces and case ignored), the Chinese
	 * name and the code. */
	assert_string_equal(found(db, REF_TOWN, "dati"), "datian");
	assert_string_equal(found(db, REF_TOWN, "Datian Jie"), "datian");
	assert_string_equal(found(db, REF_TOWN, "邵家"), "shaojiadu");
	assert_string_equal(found(db, REF_TOWN, "baishui"), "baishuiyang");
}

static void
ambiguous_lists_candidates(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	char code[64];

	(void)state;
	/* Outside a UTF-8 locale the candidates are named in pinyin. */
	setlocale(LC_CTYPE, "C");
	trefused(db, ref_find(db, REF_TOWN, "da", code), 0,
		 "datian Datian Jiedao, dayang Dayang Jiedao");
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		skip();
	trefused(db, ref_find(db, REF_TOWN, "da", code), 0, "datian 大田街道");
	trefused(db, ref_find(db, REF_TOWN, "da", code), 0, "dayang 大洋街道");
	trefused(db, ref_find(db, REF_TOWN, "大", code), 0, "datian 大田街道");
	/* Yongfeng and Yongquan share "yong". */
	trefused(db, ref_find(db, REF_TOWN, "yong", code), 0, "yongquan");
	assert_null(strstr(db_errmsg(db), "datian"));
	/* A long list is cut. */
	trefused(db, ref_find(db, REF_TEAM, "m", code), 0, "...");
	setlocale(LC_CTYPE, "C");
}

/* A town whose pinyin is another town's code: the code wins, and a
 * whole name beats the start of another. */
static void
exact_code_wins(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	struct op op;
	char code[64];

	(void)state;
	tmkop(&op, "seed", "0", 9001, 0, "seed", "town.put", "tianhu",
	      "{\"name\":\"天湖镇\",\"pinyin\":\"datian\"}");
	assert_int_equal(op_apply(db, &op), 1);
	op_clear(&op);
	assert_string_equal(found(db, REF_TOWN, "datian"), "datian");
	assert_string_equal(found(db, REF_TOWN, "天湖"), "tianhu");
	/* "dati" starts both datian's code and tianhu's pinyin. */
	trefused(db, ref_find(db, REF_TOWN, "dati", code), 0, "tianhu ");
	tmkop(&op, "seed", "0", 9002, 0, "seed", "town.put", "tian",
	      "{\"name\":\"田镇\",\"pinyin\":\"Tian Zhen\"}");
	assert_int_equal(op_apply(db, &op), 1);
	op_clear(&op);
	/* "tian" is one town's code and the start of another's. */
	assert_string_equal(found(db, REF_TOWN, "tian"), "tian");
}

static void
other_kinds(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	cJSON *f = cJSON_CreateObject();
	char id[64];

	(void)state;
	assert_string_equal(found(db, REF_KIND, "relief tent"), "tent");
	assert_string_equal(found(db, REF_KIND, "救灾帐篷"), "tent");
	assert_string_equal(found(db, REF_KIND, "救灾"), "tent");
	assert_string_equal(found(db, REF_DEPOT, "d-dat"), "d-datian");
	assert_string_equal(found(db, REF_TEAM, "m02"), "m02");
	assert_string_equal(found(db, REF_HAZARD, "geo"), "geological");
	assert_string_equal(found(db, REF_HAZARD, "防台"), "typhoon");
	assert_string_equal(found(db, REF_HAZARD, "海上"), "marine_typhoon");
	cJSON_AddStringToObject(f, "town", "大田");
	cJSON_AddStringToObject(f, "title", "内涝");
	assert_int_equal(incident_add(db, f, id), 0);
	cJSON_Delete(f);
	assert_string_equal(found(db, REF_INCIDENT, id), id);
	assert_string_equal(found(db, REF_INCIDENT, "内涝"), id);
}

/* ---- pick lists -------------------------------------------------------- */

static void
dispatch_offers_the_towns_teams_first(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	cJSON *f = cJSON_CreateObject(), *teams = NULL, *all = NULL, *t;
	char id[64], did[64];
	int seen_other = 0;

	(void)state;
	cJSON_AddStringToObject(f, "town", "datian");
	cJSON_AddStringToObject(f, "title", "内涝");
	assert_int_equal(incident_add(db, f, id), 0);
	cJSON_Delete(f);
	/* m02, of datian, is out: it goes after every available team. */
	assert_int_equal(dispatch_create(db, "m02", id, did), 0);
	assert_int_equal(ref_list(db, REF_TEAM, id, &teams), 0);
	tkeep(teams);
	assert_int_equal(ref_list(db, REF_TEAM, NULL, &all), 0);
	tkeep(all);
	assert_int_equal(cJSON_GetArraySize(teams), cJSON_GetArraySize(all));
	assert_string_equal(tstr(cJSON_GetArrayItem(teams, 0), "code"), "f-datian");
	assert_string_equal(tstr(cJSON_GetArrayItem(all, 0), "code"), "c01");
	cJSON_ArrayForEach(t, teams) {
		const char *code = tstr(t, "code");
		cJSON *row = trow(tlist(db, LIST_TEAMS), "id", code);
		int here = strcmp(tstr(row, "town"), "datian") == 0 &&
			   strcmp(tstr(row, "status"), "available") == 0;
		if (!here)
			seen_other = 1;
		else if (seen_other)
			fail_msg("%s of datian after another town's team", code);
	}
	assert_string_equal(tstr(cJSON_GetArrayItem(teams,
		cJSON_GetArraySize(teams) - 1), "code"), "m02");
}

static void
checklist_items_of_the_level_in_force(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	cJSON *items = NULL, *e;
	char id[64], code[64];
	const char *first;

	(void)state;
	assert_int_equal(ref_list(db, REF_ITEM, "typhoon", &items), 0);
	assert_int_equal(cJSON_GetArraySize(items), 0);
	cJSON_Delete(items);
	assert_int_equal(response_decide(db, "typhoon", RESP_START, 4, "li",
					 "", id), 0);
	assert_int_equal(ref_list(db, REF_ITEM, "typhoon", &items), 0);
	tkeep(items);
	assert_true(cJSON_GetArraySize(items) > 0);
	first = tstr(cJSON_GetArrayItem(items, 0), "code");
	assert_int_equal(ref_find_in(db, REF_ITEM, items, first, code), 1);
	assert_string_equal(code, first);
	cJSON_ArrayForEach(e, items)
		assert_int_equal(ref_match(e, tstr(e, "code")), REF_MATCH_CODE);
	trefused(db, ref_find_in(db, REF_ITEM, items, "zzz", code), 0, "zzz");
}

/* An answer's town is picked among the warning's towns, those that have
 * not answered first; another town is not offered. */
static void
answer_offers_the_warnings_towns(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	cJSON *towns = cJSON_CreateArray(), *list = NULL;
	char w[64], id[64], code[64];

	(void)state;
	cJSON_AddItemToArray(towns, cJSON_CreateString("datian"));
	cJSON_AddItemToArray(towns, cJSON_CreateString("hetou"));
	cJSON_AddItemToArray(towns, cJSON_CreateString("kuocang"));
	assert_int_equal(warning_issue(db, "typhoon", "red", "台风红色预警", towns,
				       w), 0);
	cJSON_Delete(towns);
	assert_int_equal(warning_answer(db, w, "datian", "王", id), 0);
	assert_int_equal(ref_list(db, REF_TOWN, w, &list), 0);
	tkeep(list);
	assert_int_equal(cJSON_GetArraySize(list), 3);
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 0), "code"), "hetou");
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 1), "code"), "kuocang");
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 2), "code"), "datian");
	assert_int_equal(ref_find_in(db, REF_TOWN, list, "河头", code), 1);
	assert_string_equal(code, "hetou");
	trefused(db, ref_find_in(db, REF_TOWN, list, "dayang", code), 0,
		 "dayang");
}

#define T(f) cmocka_unit_test_setup_teardown(f, tfresh, trelease)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(nothing_given),
		T(town_by_each_name),
		T(ambiguous_lists_candidates),
		T(exact_code_wins),
		T(other_kinds),
		T(dispatch_offers_the_towns_teams_first),
		T(checklist_items_of_the_level_in_force),
		T(answer_offers_the_warnings_towns),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tcleanup();
	return rc;
}
