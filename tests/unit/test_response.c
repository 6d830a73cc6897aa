/*
 * test_response.c - emergency response levels: level names, the rules
 * of a decision (start, raise, lower, end, confirm), the level in force
 * and its episode, the checklists and their ticks, and two command
 * stations deciding at once: a conflict that shows the more severe level
 * until one of them confirms.
 */
#include "testlib.h"

/* ---- what every test here shares ------------------------------------ */

static void
decide_ok(struct db *db, int action, int level, char id[64])
{
	int rc = response_decide(db, "flood", action, level, NULL, NULL, id);

	if (rc)
		fail_msg("%s flood %s: %d %s", response_action_name(action),
			 level_name(level), rc, db_errmsg(db));
}

static void
in_force(struct db *db, int level, int conflict, const char *decision,
	 const char *episode)
{
	struct response_state rs;

	assert_int_equal(response_get(db, "flood", &rs), 1);
	assert_string_equal(rs.hazard, "flood");
	assert_int_equal(rs.level, level);
	assert_int_equal(rs.conflict, conflict);
	assert_string_equal(rs.decision, decision);
	assert_string_equal(rs.episode, episode);
}

/* The "checked" rows of the flood response in the export. */
static cJSON *
export_checked(struct db *db)
{
	cJSON *x = NULL, *r;

	assert_int_equal(state_export(db, &x), 0);
	tkeep(x);
	r = trow(cJSON_GetObjectItemCaseSensitive(x, "responses"), "hazard",
		 "flood");
	assert_non_null(r);
	return cJSON_GetObjectItemCaseSensitive(r, "checked");
}

static void
tick_is(const cJSON *t, const char *episode, const char *item, int checked)
{
	assert_non_null(t);
	assert_string_equal(tstr(t, "episode"), episode);
	assert_string_equal(tstr(t, "item"), item);
	assert_int_equal(tnum(t, "checked"), checked);
}

/* ---- names -------------------------------------------------------------- */

static void
level_names(void **state)
{
	(void)state;

	assert_int_equal(level_parse(NULL), -1);
	assert_int_equal(level_parse(""), -1);
	assert_int_equal(level_parse("0"), -1);
	assert_int_equal(level_parse("5"), -1);
	assert_int_equal(level_parse("V"), -1);
	assert_int_equal(level_parse("IIII"), -1);
	assert_int_equal(level_parse("44"), -1);
	assert_int_equal(level_parse(" IV"), -1);
	assert_int_equal(level_parse("五级"), -1);
	assert_int_equal(level_parse("IV"), 4);
	assert_int_equal(level_parse("iv"), 4);
	assert_int_equal(level_parse("III"), 3);
	assert_int_equal(level_parse("II"), 2);
	assert_int_equal(level_parse("I"), 1);
	assert_int_equal(level_parse("4"), 4);
	assert_int_equal(level_parse("3"), 3);
	assert_int_equal(level_parse("2"), 2);
	assert_int_equal(level_parse("1"), 1);
	assert_int_equal(level_parse("四级"), 4);
	assert_int_equal(level_parse("三级"), 3);
	assert_int_equal(level_parse("二级"), 2);
	assert_int_equal(level_parse("一级"), 1);

	assert_string_equal(level_name(-1), "?");
	assert_string_equal(level_name(5), "?");
	assert_string_equal(level_name(0), "none");
	assert_string_equal(level_name(1), "I");
	assert_string_equal(level_name(2), "II");
	assert_string_equal(level_name(3), "III");
	assert_string_equal(level_name(4), "IV");
	/* Every name reads back as its level. */
	assert_int_equal(level_parse(level_name(3)), 3);

	assert_int_equal(response_action_parse(NULL), -1);
	assert_int_equal(response_action_parse("Raise"), -1);
	assert_int_equal(response_action_parse("start"), RESP_START);
	assert_int_equal(response_action_parse("raise"), RESP_RAISE);
	assert_int_equal(response_action_parse("lower"), RESP_LOWER);
	assert_int_equal(response_action_parse("end"), RESP_END);
	assert_int_equal(response_action_parse("confirm"), RESP_CONFIRM);
	assert_string_equal(response_action_name(RESP_CONFIRM), "confirm");
	assert_string_equal(response_action_name(-1), "?");
	assert_string_equal(response_action_name(RESP_CONFIRM + 1), "?");
}

/* ---- response_decide: bad input and roles ------------------------------ */

static void
decide_bad_input(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	struct response_state rs;
	char id[64] = "untouched";
	(void)state;

	trefused(db, response_decide(db, "earthquake", RESP_START, 4, NULL, NULL,
				     id), DD_E_NOTFOUND, "earthquake");
	trefused(db, response_decide(db, NULL, RESP_START, 4, NULL, NULL, id),
		 DD_E_NOTFOUND, NULL);
	trefused(db, response_decide(db, "", RESP_START, 4, NULL, NULL, id),
		 DD_E_NOTFOUND, NULL);
	trefused(db, response_decide(db, "FLOOD", RESP_START, 4, NULL, NULL, id),
		 DD_E_NOTFOUND, NULL);
	/* A hazard is a name, never a path into assets/. */
	trefused(db, response_decide(db, "../seed/county", RESP_START, 4, NULL,
				     NULL, id), DD_E_NOTFOUND, NULL);
	trefused(db, response_decide(db, "flood", RESP_START, 0, NULL, NULL, id),
		 DD_E_INVALID, "level");
	trefused(db, response_decide(db, "flood", RESP_START, 5, NULL, NULL, id),
		 DD_E_INVALID, "level");
	trefused(db, response_decide(db, "flood", RESP_START, -1, NULL, NULL, id),
		 DD_E_INVALID, "level");
	trefused(db, response_decide(db, "flood", 9, 4, NULL, NULL, id),
		 DD_E_INVALID, NULL);
	trefused(db, response_decide(db, "flood", -1, 4, NULL, NULL, id),
		 DD_E_INVALID, NULL);
	assert_string_equal(id, "untouched");
	assert_int_equal(response_get(db, "flood", &rs), 0);
	assert_int_equal(response_get(db, "earthquake", &rs), 0);
	assert_int_equal(cJSON_GetArraySize(tlist(db, LIST_DECISIONS)), 0);
}

static void
decide_town_role_refused(void **state)
{
	struct db *town = tstation("gucheng", ROLE_TOWN, 1);
	struct db *cmd = tstation("county", ROLE_COMMAND, 1);
	struct response_state rs;
	char id[64];
	(void)state;

	trefused(town, response_decide(town, "flood", RESP_START, 4, NULL, NULL,
				       id), DD_E_ROLE, NULL);
	assert_int_equal(response_get(town, "flood", &rs), 0);
	assert_int_equal(cJSON_GetArraySize(tlist(town, LIST_DECISIONS)), 0);

	/* A town sees the county's decision but may not act on it. */
	decide_ok(cmd, RESP_START, 4, id);
	tsend_all(cmd, town);
	in_force(town, 4, 0, id, id);
	trefused(town, response_decide(town, "flood", RESP_RAISE, 3, NULL, NULL,
				       id), DD_E_ROLE, NULL);
	trefused(town, response_decide(town, "flood", RESP_END, 0, NULL, NULL, id),
		 DD_E_ROLE, NULL);
	trefused(town, response_check(town, "flood", "fl4-duty", 1), DD_E_ROLE,
		 NULL);
	assert_int_equal(cJSON_GetArraySize(tlist(town, LIST_DECISIONS)), 1);
}

/* ---- response_decide: the rules ----------------------------------------- */

static void
decide_rules(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	char start[64], id[64];
	(void)state;

	/* Nothing in force: only start. */
	trefused(db, response_decide(db, "flood", RESP_RAISE, 3, NULL, NULL, id),
		 DD_E_REFUSED, "start one");
	trefused(db, response_decide(db, "flood", RESP_LOWER, 4, NULL, NULL, id),
		 DD_E_REFUSED, NULL);
	trefused(db, response_decide(db, "flood", RESP_END, 0, NULL, NULL, id),
		 DD_E_REFUSED, NULL);
	trefused(db, response_decide(db, "flood", RESP_CONFIRM, 4, NULL, NULL, id),
		 DD_E_REFUSED, "no conflict");
	decide_ok(db, RESP_START, 4, start);
	assert_string_equal(start, "county-1");
	in_force(db, 4, 0, "county-1", "county-1");

	/* Started: no second start, raise only upward, lower only downward. */
	trefused(db, response_decide(db, "flood", RESP_START, 2, NULL, NULL, id),
		 DD_E_REFUSED, "already");
	trefused(db, response_decide(db, "flood", RESP_RAISE, 4, NULL, NULL, id),
		 DD_E_REFUSED, "not above");
	trefused(db, response_decide(db, "flood", RESP_LOWER, 4, NULL, NULL, id),
		 DD_E_REFUSED, "not below");
	trefused(db, response_decide(db, "flood", RESP_RAISE, 0, NULL, NULL, id),
		 DD_E_INVALID, "level");
	tclock_ms += 60 * 1000;
	decide_ok(db, RESP_RAISE, 2, id);
	assert_string_equal(id, "county-2");
	in_force(db, 2, 0, "county-2", "county-1");
	trefused(db, response_decide(db, "flood", RESP_RAISE, 3, NULL, NULL, id),
		 DD_E_REFUSED, "not above");
	trefused(db, response_decide(db, "flood", RESP_RAISE, 2, NULL, NULL, id),
		 DD_E_REFUSED, "not above");
	trefused(db, response_decide(db, "flood", RESP_LOWER, 1, NULL, NULL, id),
		 DD_E_REFUSED, "not below");
	trefused(db, response_decide(db, "flood", RESP_LOWER, 2, NULL, NULL, id),
		 DD_E_REFUSED, "not below");
	trefused(db, response_decide(db, "flood", RESP_LOWER, 5, NULL, NULL, id),
		 DD_E_INVALID, "level");
	tclock_ms += 60 * 1000;
	decide_ok(db, RESP_LOWER, 3, id);
	assert_string_equal(id, "county-3");
	in_force(db, 3, 0, "county-3", "county-1");
	trefused(db, response_decide(db, "flood", RESP_CONFIRM, 3, NULL, NULL, id),
		 DD_E_REFUSED, "no conflict");

	/* Ended: the level is 0, the hazard is still known (1). */
	tclock_ms += 60 * 1000;
	decide_ok(db, RESP_END, 0, id);
	assert_string_equal(id, "county-4");
	in_force(db, 0, 0, "county-4", "");
	trefused(db, response_decide(db, "flood", RESP_END, 0, NULL, NULL, id),
		 DD_E_REFUSED, NULL);
	trefused(db, response_decide(db, "flood", RESP_RAISE, 1, NULL, NULL, id),
		 DD_E_REFUSED, NULL);
	trefused(db, response_decide(db, "flood", RESP_LOWER, 4, NULL, NULL, id),
		 DD_E_REFUSED, NULL);

	/* A new start is a new episode. */
	tclock_ms += 60 * 1000;
	decide_ok(db, RESP_START, 3, id);
	assert_string_equal(id, "county-5");
	in_force(db, 3, 0, "county-5", "county-5");

	/* Hazards are independent. */
	assert_int_equal(response_decide(db, "typhoon", RESP_START, 4, NULL, NULL,
					 id), 0);
	assert_string_equal(id, "county-6");
	in_force(db, 3, 0, "county-5", "county-5");
}

static void
decide_records_who_and_what_it_follows(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	cJSON *decs, *resp, *d;
	char id[64];
	(void)state;

	assert_int_equal(response_decide(db, "flood", RESP_START, 4, NULL, NULL,
					 id), 0);
	tclock_ms += 600 * 1000;
	assert_int_equal(response_decide(db, "flood", RESP_RAISE, 3, "王指挥",
					 "水位超警", id), 0);
	decs = tlist(db, LIST_DECISIONS);
	assert_int_equal(cJSON_GetArraySize(decs), 2);
	d = trow(decs, "id", "county-1");
	assert_non_null(d);
	assert_string_equal(tstr(d, "action"), "start");
	assert_int_equal(tnum(d, "level"), 4);
	assert_string_equal(tstr(d, "signed_by"), "tester");
	assert_string_equal(tstr(d, "at"), tiso(T0));
	assert_string_equal(tstr(d, "follows"), "");
	d = trow(decs, "id", "county-2");
	assert_non_null(d);
	assert_string_equal(tstr(d, "action"), "raise");
	assert_int_equal(tnum(d, "level"), 3);
	assert_string_equal(tstr(d, "signed_by"), "王指挥");
	assert_string_equal(tstr(d, "note"), "水位超警");
	assert_string_equal(tstr(d, "at"), tiso(T0 + 600));
	assert_string_equal(tstr(d, "follows"), "county-1");
	assert_string_equal(tstr(d, "station"), "county");

	resp = trow(tlist(db, LIST_RESPONSES), "hazard", "flood");
	assert_non_null(resp);
	assert_int_equal(tnum(resp, "level"), 3);
	assert_string_equal(tstr(resp, "level_name"), "III");
	assert_string_equal(tstr(resp, "decision"), "county-2");
	assert_string_equal(tstr(resp, "episode"), "county-1");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(resp,
								   "conflict")));
	assert_string_equal(tstr(resp, "signed_by"), "王指挥");
	assert_string_equal(tstr(resp, "at"), tiso(T0 + 600));
}

/* ---- checklists ------------------------------------------------------ */

static void
checklists(void **state)
{
	cJSON *l = NULL, *it, *hz = NULL;
	int n, levels[5] = { 0 };
	(void)state;

	assert_int_equal(checklist_load("earthquake", 4, &l), DD_E_NOTFOUND);
	assert_null(l);
	assert_int_equal(checklist_load(NULL, 4, &l), DD_E_NOTFOUND);
	assert_null(l);
	assert_int_equal(checklist_load("../seed/county", 4, &l), DD_E_NOTFOUND);
	assert_null(l);

	assert_int_equal(checklist_load("flood", 4, &l), 0);
	tkeep(l);
	assert_int_equal(cJSON_GetArraySize(l), 7);
	assert_string_equal(tstr(cJSON_GetArrayItem(l, 0), "code"), "fl4-duty");
	cJSON_ArrayForEach(it, l)
		assert_string_equal(tstr(it, "level"), "IV");

	/* Level III holds its own items and IV's, lower levels first. */
	assert_int_equal(checklist_load("flood", 3, &l), 0);
	tkeep(l);
	assert_int_equal(cJSON_GetArraySize(l), 14);
	assert_non_null(trow(l, "code", "fl4-duty"));
	assert_non_null(trow(l, "code", "fl4-ready"));
	it = trow(l, "code", "fl3-consult");
	assert_non_null(it);
	assert_string_equal(tstr(it, "level"), "III");
	assert_string_equal(tstr(it, "text"), "防指副指挥主持会商，部署防御工作");
	assert_true(strlen(tstr(it, "text_en")) > 0);
	assert_string_equal(tstr(trow(l, "code", "fl4-duty"), "level"), "IV");
	assert_null(trow(l, "code", "fl2-consult"));
	assert_string_equal(tstr(cJSON_GetArrayItem(l, 0), "level"), "IV");
	assert_string_equal(tstr(cJSON_GetArrayItem(l, 13), "level"), "III");

	assert_int_equal(checklist_load("flood", 1, &l), 0);
	tkeep(l);
	assert_int_equal(cJSON_GetArraySize(l), 28);
	cJSON_ArrayForEach(it, l) {
		int lv = level_parse(tstr(it, "level"));
		assert_in_range(lv, 1, 4);
		levels[lv]++;
	}
	assert_int_equal(levels[1], 7);
	assert_int_equal(levels[4], 7);
	assert_int_equal(checklist_load("typhoon", 2, &l), 0);
	tkeep(l);
	assert_int_equal(cJSON_GetArraySize(l), 8 + 8 + 7);

	assert_int_equal(hazards_load(&hz), 0);
	tkeep(hz);
	n = cJSON_GetArraySize(hz);
	assert_int_equal(n, 5);
	it = trow(hz, "hazard", "flood");
	assert_non_null(it);
	assert_string_equal(tstr(it, "name"), "防汛");
	assert_string_equal(tstr(it, "name_en"), "Flood");
	assert_string_equal(tstr(cJSON_GetArrayItem(hz, 0), "hazard"), "flood");
}

/* ---- response_check ----------------------------------------------------- */

static void
check_bad(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	char id[64];
	(void)state;

	trefused(db, response_check(db, "flood", "fl4-duty", 1), DD_E_REFUSED,
		 "no flood response");
	trefused(db, response_check(db, "earthquake", "fl4-duty", 1), DD_E_REFUSED,
		 NULL);
	trefused(db, response_check(db, NULL, "fl4-duty", 1), DD_E_REFUSED, NULL);
	decide_ok(db, RESP_START, 4, id);
	trefused(db, response_check(db, "flood", "fl3-consult", 1), DD_E_NOTFOUND,
		 "fl3-consult");
	trefused(db, response_check(db, "flood", "nope", 1), DD_E_NOTFOUND, "nope");
	trefused(db, response_check(db, "flood", "", 1), DD_E_NOTFOUND, NULL);
	trefused(db, response_check(db, "flood", NULL, 1), DD_E_NOTFOUND, NULL);
	trefused(db, response_check(db, "flood", "ty4-duty", 1), DD_E_NOTFOUND,
		 NULL);
	assert_int_equal(cJSON_GetArraySize(export_checked(db)), 0);
	decide_ok(db, RESP_END, 0, id);
	trefused(db, response_check(db, "flood", "fl4-duty", 1), DD_E_REFUSED,
		 "no flood response");
}

static void
check_ticks_stay_with_the_episode(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	char start[64], id[64];
	cJSON *ch;
	(void)state;

	decide_ok(db, RESP_START, 4, start);
	tclock_ms += 60 * 1000;
	assert_int_equal(response_check(db, "flood", "fl4-duty", 1), 0);
	assert_int_equal(response_check(db, "flood", "fl4-warn", 1), 0);
	tclock_ms += 60 * 1000;
	assert_int_equal(response_check(db, "flood", "fl4-warn", 0), 0);
	ch = export_checked(db);
	assert_int_equal(cJSON_GetArraySize(ch), 2);
	tick_is(cJSON_GetArrayItem(ch, 0), start, "fl4-duty", 1);
	tick_is(cJSON_GetArrayItem(ch, 1), start, "fl4-warn", 0);
	assert_string_equal(tstr(cJSON_GetArrayItem(ch, 0), "at"), tiso(T0 + 60));
	assert_string_equal(tstr(cJSON_GetArrayItem(ch, 1), "at"), tiso(T0 + 120));
	assert_string_equal(tstr(cJSON_GetArrayItem(ch, 0), "officer"), "tester");

	/* Raised to III: the same episode, so IV's ticks are still there and
	 * III's items can now be ticked. */
	tclock_ms += 60 * 1000;
	decide_ok(db, RESP_RAISE, 3, id);
	in_force(db, 3, 0, id, start);
	ch = export_checked(db);
	assert_int_equal(cJSON_GetArraySize(ch), 2);
	tick_is(cJSON_GetArrayItem(ch, 0), start, "fl4-duty", 1);
	tick_is(cJSON_GetArrayItem(ch, 1), start, "fl4-warn", 0);
	assert_int_equal(response_check(db, "flood", "fl3-evac", 1), 0);
	assert_int_equal(response_check(db, "flood", "fl4-warn", 1), 0);
	ch = export_checked(db);
	assert_int_equal(cJSON_GetArraySize(ch), 3);
	tick_is(cJSON_GetArrayItem(ch, 0), start, "fl3-evac", 1);
	tick_is(cJSON_GetArrayItem(ch, 1), start, "fl4-duty", 1);
	tick_is(cJSON_GetArrayItem(ch, 2), start, "fl4-warn", 1);

	/* Lowered back to IV: III's items are off the list again, the ticks
	 * made stay recorded. */
	tclock_ms += 60 * 1000;
	decide_ok(db, RESP_LOWER, 4, id);
	trefused(db, response_check(db, "flood", "fl3-evac", 0), DD_E_NOTFOUND,
		 NULL);
	assert_int_equal(cJSON_GetArraySize(export_checked(db)), 3);
}

/* The checklist in force, each item with its tick, and the progress
 * the console shows beside the level. */
static void
progress_is(struct db *db, const char *hazard, int done, int total)
{
	int d = -1, t = -1;

	assert_int_equal(response_progress(db, hazard, &d, &t), 0);
	assert_int_equal(d, done);
	assert_int_equal(t, total);
}

static int
checked_of(struct db *db, const char *item)
{
	cJSON *l = NULL, *it;
	int found = -1;

	assert_int_equal(response_checklist(db, "flood", &l), 0);
	cJSON_ArrayForEach(it, l)
		if (strcmp(tstr(it, "code"), item) == 0)
			found = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it,
							"checked"));
	cJSON_Delete(l);
	return found;
}

static void
checklist_in_force_and_progress(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	cJSON *l = NULL;
	char id[64];
	(void)state;

	/* Nothing in force, an unknown hazard, none at all: no items. */
	assert_int_equal(response_checklist(db, "flood", &l), 0);
	assert_int_equal(cJSON_GetArraySize(l), 0);
	cJSON_Delete(l);
	assert_int_equal(response_checklist(db, "earthquake", &l), 0);
	assert_int_equal(cJSON_GetArraySize(l), 0);
	cJSON_Delete(l);
	assert_int_equal(response_checklist(db, NULL, &l), 0);
	assert_int_equal(cJSON_GetArraySize(l), 0);
	cJSON_Delete(l);
	progress_is(db, "flood", 0, 0);

	decide_ok(db, RESP_START, 4, id);
	progress_is(db, "flood", 0, 7);
	assert_int_equal(checked_of(db, "fl4-duty"), 0);
	assert_int_equal(response_check(db, "flood", "fl4-duty", 1), 0);
	assert_int_equal(checked_of(db, "fl4-duty"), 1);
	assert_int_equal(checked_of(db, "fl4-warn"), 0);
	progress_is(db, "flood", 1, 7);
	progress_is(db, "typhoon", 0, 0);

	/* Raised: IV's tick counts among III's fourteen items. */
	tclock_ms += 60 * 1000;
	decide_ok(db, RESP_RAISE, 3, id);
	progress_is(db, "flood", 1, 14);
	assert_int_equal(response_check(db, "flood", "fl3-evac", 1), 0);
	assert_int_equal(response_check(db, "flood", "fl3-consult", 1), 0);
	progress_is(db, "flood", 3, 14);
	assert_int_equal(response_check(db, "flood", "fl4-duty", 0), 0);
	assert_int_equal(checked_of(db, "fl4-duty"), 0);
	progress_is(db, "flood", 2, 14);
	assert_int_equal(response_checklist(db, "flood", &l), 0);
	assert_int_equal(cJSON_GetArraySize(l), 14);
	assert_string_equal(tstr(cJSON_GetArrayItem(l, 13), "level"), "III");
	cJSON_Delete(l);

	/* Lowered: III's ticks are off the list and out of the count. */
	tclock_ms += 60 * 1000;
	decide_ok(db, RESP_LOWER, 4, id);
	progress_is(db, "flood", 0, 7);
	assert_int_equal(checked_of(db, "fl3-evac"), -1);

	/* Ended: nothing in force, nothing to count. */
	tclock_ms += 60 * 1000;
	decide_ok(db, RESP_END, 0, id);
	progress_is(db, "flood", 0, 0);
}

/* ---- two command stations deciding at once ------------------------------ */

static void
concurrent_disagree_is_a_conflict(void **state)
{
	struct db *a = tstation("county", ROLE_COMMAND, 1);
	struct db *b = tstation("backup", ROLE_COMMAND, 1);
	cJSON *cl, *c, *d;
	char id[64], bid[64];
	(void)state;

	decide_ok(a, RESP_START, 4, id);
	assert_string_equal(id, "county-1");
	texchange(a, b);
	in_force(b, 4, 0, "county-1", "county-1");

	/* Offline from each other, both decide after county-1. */
	tclock_ms += 60 * 1000;
	decide_ok(a, RESP_RAISE, 3, id);
	assert_string_equal(id, "county-2");
	tclock_ms += 30 * 1000;
	decide_ok(b, RESP_RAISE, 2, bid);
	assert_string_equal(bid, "backup-1");
	in_force(a, 3, 0, "county-2", "county-1");
	in_force(b, 2, 0, "backup-1", "county-1");
	texchange(a, b);

	/* The more severe level shows, flagged, on both. */
	in_force(a, 2, 1, "backup-1", "county-1");
	in_force(b, 2, 1, "backup-1", "county-1");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		trow(tlist(a, LIST_RESPONSES), "hazard", "flood"), "conflict")));
	cl = tlist(b, LIST_CONFLICTS);
	assert_int_equal(cJSON_GetArraySize(cl), 1);
	c = cJSON_GetArrayItem(cl, 0);
	assert_string_equal(tstr(c, "id"), "response:flood:county-1");
	assert_string_equal(tstr(c, "kind"), "response");
	assert_string_equal(tstr(c, "subject"), "flood");
	assert_string_equal(tstr(c, "members"), "backup-1 county-2");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(c, "acked_by")));
	assert_string_equal(texport_of(a), texport_of(b));

	/* Until someone confirms a level, nothing else is decided. */
	trefused(a, response_decide(a, "flood", RESP_RAISE, 1, NULL, NULL, id),
		 DD_E_REFUSED, "conflict");
	trefused(a, response_decide(a, "flood", RESP_LOWER, 4, NULL, NULL, id),
		 DD_E_REFUSED, "conflict");
	trefused(b, response_decide(b, "flood", RESP_END, 0, NULL, NULL, id),
		 DD_E_REFUSED, "conflict");
	trefused(b, response_decide(b, "flood", RESP_START, 4, NULL, NULL, id),
		 DD_E_REFUSED, "conflict");
	trefused(a, response_decide(a, "flood", RESP_CONFIRM, 7, NULL, NULL, id),
		 DD_E_INVALID, "level");

	/* The county confirms III (the less severe one): that is in force. */
	tclock_ms += 60 * 1000;
	assert_int_equal(response_decide(a, "flood", RESP_CONFIRM, 3, "王指挥",
					 NULL, id), 0);
	assert_string_equal(id, "county-3");
	in_force(a, 3, 0, "county-3", "county-1");
	d = trow(tlist(a, LIST_DECISIONS), "id", "county-3");
	assert_non_null(d);
	assert_string_equal(tstr(d, "action"), "confirm");
	assert_string_equal(tstr(d, "follows"), "backup-1 county-2");
	texchange(a, b);
	in_force(b, 3, 0, "county-3", "county-1");
	assert_string_equal(texport_of(a), texport_of(b));

	/* The conflict stays listed for the record, and decisions go on. */
	cl = tlist(a, LIST_CONFLICTS);
	assert_int_equal(cJSON_GetArraySize(cl), 1);
	assert_string_equal(tstr(cJSON_GetArrayItem(cl, 0), "id"),
			    "response:flood:county-1");
	decide_ok(b, RESP_RAISE, 2, bid);
	in_force(b, 2, 0, "backup-2", "county-1");
}

static void
concurrent_starts_disagree(void **state)
{
	struct db *a = tstation("county", ROLE_COMMAND, 1);
	struct db *b = tstation("backup", ROLE_COMMAND, 1);
	cJSON *cl;
	char id[64];
	(void)state;

	/* Both start from nothing, never having heard of each other. */
	decide_ok(a, RESP_START, 4, id);
	tclock_ms += 1000;
	decide_ok(b, RESP_START, 1, id);
	texchange(a, b);
	in_force(a, 1, 1, "backup-1", "backup-1");
	in_force(b, 1, 1, "backup-1", "backup-1");
	cl = tlist(a, LIST_CONFLICTS);
	assert_int_equal(cJSON_GetArraySize(cl), 1);
	assert_string_equal(tstr(cJSON_GetArrayItem(cl, 0), "id"),
			    "response:flood:");
	assert_string_equal(tstr(cJSON_GetArrayItem(cl, 0), "members"),
			    "backup-1 county-1");
	assert_int_equal(response_decide(b, "flood", RESP_CONFIRM, 4, NULL, NULL,
					 id), 0);
	texchange(a, b);
	in_force(a, 4, 0, "backup-2", "backup-1");
	assert_string_equal(texport_of(a), texport_of(b));
}

static void
concurrent_agree_is_no_conflict(void **state)
{
	struct db *a = tstation("county", ROLE_COMMAND, 1);
	struct db *b = tstation("backup", ROLE_COMMAND, 1);
	cJSON *cl, *c, *d;
	char id[64];
	(void)state;

	decide_ok(a, RESP_START, 4, id);
	texchange(a, b);
	tclock_ms += 60 * 1000;
	decide_ok(a, RESP_RAISE, 3, id);
	tclock_ms += 30 * 1000;
	decide_ok(b, RESP_RAISE, 3, id);
	texchange(a, b);

	in_force(a, 3, 0, "backup-1", "county-1");
	in_force(b, 3, 0, "backup-1", "county-1");
	cl = tlist(a, LIST_CONFLICTS);
	cJSON_ArrayForEach(c, cl)
		if (strncmp(tstr(c, "id"), "response:", 9) == 0)
			fail_msg("unexpected conflict %s", tstr(c, "id"));
	assert_int_equal(cJSON_GetArraySize(cl), 0);
	assert_string_equal(texport_of(a), texport_of(b));

	/* Nothing to confirm; the next decision follows both. */
	trefused(a, response_decide(a, "flood", RESP_CONFIRM, 3, NULL, NULL, id),
		 DD_E_REFUSED, "no conflict");
	tclock_ms += 60 * 1000;
	decide_ok(a, RESP_RAISE, 2, id);
	assert_string_equal(id, "county-3");
	in_force(a, 2, 0, "county-3", "county-1");
	d = trow(tlist(a, LIST_DECISIONS), "id", "county-3");
	assert_non_null(d);
	assert_string_equal(tstr(d, "follows"), "backup-1 county-2");
}

#define T(f) cmocka_unit_test_setup_teardown(f, tfresh, trelease)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(level_names),
		T(decide_bad_input),
		T(decide_town_role_refused),
		T(decide_rules),
		T(decide_records_who_and_what_it_follows),
		T(checklists),
		T(check_bad),
		T(check_ticks_stay_with_the_episode),
		T(checklist_in_force_and_progress),
		T(concurrent_disagree_is_a_conflict),
		T(concurrent_starts_disagree),
		T(concurrent_agree_is_no_conflict),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tcleanup();
	return rc;
}
