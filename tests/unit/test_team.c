/*
 * test_team.c - rescue teams and dispatch: status names, sending a team
 * to an incident (dispatch_create), moving it on step by step
 * (team_set_status) with each step timed on the dispatch against the
 * 5/10-minute turnout target, and two stations sending the same team at
 * once: a conflict both see, with the same members, that a person
 * acknowledges.
 */
#include "testlib.h"

/* ---- what every test here shares ------------------------------------ */


/* The JSON as text, held. */
static const char *
text_of(const cJSON *j)
{
	return tkeep_str(cJSON_PrintUnformatted(j));
}

static void
tick(int secs)
{
	tclock_ms += (int64_t)secs * 1000;
}

static cJSON *
team(struct db *db, const char *code)
{
	cJSON *t = trow(tlist(db, LIST_TEAMS), "id", code);

	if (!t)
		fail_msg("no team %s", code);
	return t;
}

static cJSON *
dispatch(struct db *db, const char *id)
{
	cJSON *d = trow(tlist(db, LIST_DISPATCHES), "id", id);

	if (!d)
		fail_msg("no dispatch %s", id);
	return d;
}

static void
incident(struct db *db, const char *town, char id[64])
{
	cJSON *f = tkeep(cJSON_CreateObject());
	int rc;

	cJSON_AddStringToObject(f, "town", town);
	cJSON_AddStringToObject(f, "title", "山体滑坡，有人员被困");
	rc = incident_add(db, f, id);
	if (rc)
		fail_msg("incident_add: %s", db_errmsg(db));
}

static void
status_ok(struct db *db, const char *t, const char *status)
{
	int rc = team_set_status(db, t, status);

	if (rc)
		fail_msg("%s %s: %d %s", t, status, rc, db_errmsg(db));
}

/* ---- names ------------------------------------------------------------- */

static void
status_names(void **state)
{
	(void)state;

	assert_int_equal(team_status_parse(NULL), -1);
	assert_int_equal(team_status_parse(""), -1);
	assert_int_equal(team_status_parse("Available"), -1);
	assert_int_equal(team_status_parse("en route"), -1);
	assert_int_equal(team_status_parse("back"), -1);
	assert_int_equal(team_status_parse("available"), TEAM_AVAILABLE);
	assert_int_equal(team_status_parse("dispatched"), TEAM_DISPATCHED);
	assert_int_equal(team_status_parse("en_route"), TEAM_EN_ROUTE);
	assert_int_equal(team_status_parse("on_scene"), TEAM_ON_SCENE);
	assert_int_equal(team_status_parse("returning"), TEAM_RETURNING);
	assert_int_equal(team_status_parse("out_of_service"), TEAM_OUT_OF_SERVICE);
	assert_string_equal(team_status_name(-1), "?");
	assert_string_equal(team_status_name(TEAM_NSTATUS), "?");
	assert_string_equal(team_status_name(TEAM_AVAILABLE), "available");
	assert_string_equal(team_status_name(TEAM_DISPATCHED), "dispatched");
	assert_string_equal(team_status_name(TEAM_EN_ROUTE), "en_route");
	assert_string_equal(team_status_name(TEAM_ON_SCENE), "on_scene");
	assert_string_equal(team_status_name(TEAM_RETURNING), "returning");
	assert_string_equal(team_status_name(TEAM_OUT_OF_SERVICE),
			    "out_of_service");
	assert_int_equal(TURNOUT_CITY_SECS, 300);
	assert_int_equal(TURNOUT_RURAL_SECS, 600);
}

/* ---- dispatch_create ----------------------------------------------------- */

static void
dispatch_bad(void **state)
{
	struct db *db = tstation("gucheng", ROLE_TOWN, 1);
	char inc[64], id[64] = "untouched";
	const char *before;
	(void)state;

	incident(db, "gucheng", inc);
	before = texport_of(db);
	trefused(db, dispatch_create(db, "t-atlantis", inc, id), DD_E_NOTFOUND,
		 "t-atlantis");
	trefused(db, dispatch_create(db, NULL, inc, id), DD_E_INVALID, "team");
	trefused(db, dispatch_create(db, "", inc, id), DD_E_INVALID, "team");
	trefused(db, dispatch_create(db, "t-gucheng", "gucheng-9", id),
		 DD_E_NOTFOUND, "gucheng-9");
	trefused(db, dispatch_create(db, "t-gucheng", NULL, id), DD_E_NOTFOUND,
		 "incident");
	trefused(db, dispatch_create(db, "t-gucheng", "", id), DD_E_NOTFOUND,
		 "incident");
	assert_string_equal(id, "untouched");
	assert_string_equal(texport_of(db), before);

	/* A closed incident takes no more teams. */
	assert_int_equal(incident_set_status(db, inc, "closed"), 0);
	trefused(db, dispatch_create(db, "t-gucheng", inc, id), DD_E_REFUSED,
		 "closed");
	assert_int_equal(cJSON_GetArraySize(tlist(db, LIST_DISPATCHES)), 0);
	assert_string_equal(tstr(team(db, "t-gucheng"), "status"), "available");
	/* Reopened, it takes them again. */
	assert_int_equal(incident_set_status(db, inc, "reopen"), 0);
	assert_int_equal(dispatch_create(db, "t-gucheng", inc, id), 0);
}

static void
dispatch_sends_the_team(void **state)
{
	struct db *db = tstation("gucheng", ROLE_TOWN, 1);
	char inc[64], id[64], id2[64];
	cJSON *t, *d, *got = NULL, *subs;
	(void)state;

	incident(db, "gucheng", inc);
	assert_string_equal(inc, "gucheng-1");
	tick(60);
	/* By Chinese name: the code is what is recorded. */
	assert_int_equal(dispatch_create(db, "古城街道综合救援队", inc, id), 0);
	assert_string_equal(id, "gucheng-2");
	t = team(db, "t-gucheng");
	assert_string_equal(tstr(t, "status"), "dispatched");
	assert_string_equal(tstr(t, "dispatch"), "gucheng-2");
	assert_string_equal(tstr(t, "incident"), "gucheng-1");
	assert_string_equal(tstr(t, "status_at"), tiso(T0 + 60));
	d = dispatch(db, "gucheng-2");
	assert_string_equal(tstr(d, "team"), "t-gucheng");
	assert_string_equal(tstr(d, "incident"), "gucheng-1");
	assert_string_equal(tstr(d, "at"), tiso(T0 + 60));
	assert_true(tis_null(d, "en_route_at"));
	assert_true(tis_null(d, "turnout_secs"));
	assert_int_equal(tnum(d, "target_secs"), 300);
	assert_string_equal(tstr(d, "officer"), "tester");
	assert_string_equal(tstr(d, "station"), "gucheng");

	/* The incident lists it too. */
	assert_int_equal(incident_get(db, inc, &got), 1);
	tkeep(got);
	subs = cJSON_GetObjectItemCaseSensitive(got, "dispatches");
	assert_int_equal(cJSON_GetArraySize(subs), 1);
	assert_string_equal(tstr(cJSON_GetArrayItem(subs, 0), "id"), "gucheng-2");
	assert_string_equal(tstr(cJSON_GetArrayItem(subs, 0), "team"),
			    "t-gucheng");

	/* A team that is out is not sent again, by any of its names. */
	trefused(db, dispatch_create(db, "t-gucheng", inc, id2), DD_E_REFUSED,
		 "already out");
	trefused(db, dispatch_create(db, "gucheng jiedao zonghe jiuyuandui", inc,
				     id2), DD_E_REFUSED, "already out");
	status_ok(db, "t-gucheng", "en_route");
	trefused(db, dispatch_create(db, "t-gucheng", inc, id2), DD_E_REFUSED,
		 "en_route");
	assert_int_equal(cJSON_GetArraySize(tlist(db, LIST_DISPATCHES)), 1);

	/* Another team, by pinyin, to the same incident. */
	assert_int_equal(dispatch_create(db, "Gucheng Jiedao Zhuanzhi Xiaofangdui",
					 inc, id2), 0);
	assert_string_equal(id2, "gucheng-3");
	assert_string_equal(tstr(dispatch(db, id2), "team"), "f-gucheng");
}

/* ---- team_set_status --------------------------------------------------- */

static void
status_bad(void **state)
{
	struct db *db = tstation("gucheng", ROLE_TOWN, 1);
	const char *before;
	(void)state;

	before = texport_of(db);
	trefused(db, team_set_status(db, "t-atlantis", "en_route"), DD_E_NOTFOUND,
		 "t-atlantis");
	trefused(db, team_set_status(db, NULL, "en_route"), DD_E_INVALID, "team");
	trefused(db, team_set_status(db, "t-gucheng", "bogus"), DD_E_INVALID,
		 "en_route");
	trefused(db, team_set_status(db, "t-gucheng", NULL), DD_E_INVALID, NULL);
	trefused(db, team_set_status(db, "t-gucheng", "dispatched"), DD_E_INVALID,
		 "dispatch");
	/* An available team is not out: no steps before a dispatch. */
	trefused(db, team_set_status(db, "t-gucheng", "en_route"), DD_E_REFUSED,
		 "dispatch it");
	trefused(db, team_set_status(db, "t-gucheng", "on_scene"), DD_E_REFUSED,
		 "dispatch it");
	trefused(db, team_set_status(db, "t-gucheng", "returning"), DD_E_REFUSED,
		 "dispatch it");
	trefused(db, team_set_status(db, "t-gucheng", "available"), DD_E_REFUSED,
		 "already available");
	assert_string_equal(texport_of(db), before);
}

static void
steps_forward_timed_city(void **state)
{
	struct db *db = tstation("gucheng", ROLE_TOWN, 1);
	char inc[64], id[64], again[64];
	cJSON *d, *t, *x = NULL, *dl;
	(void)state;

	incident(db, "gucheng", inc);
	tick(60);
	assert_int_equal(dispatch_create(db, "t-gucheng", inc, id), 0);
	trefused(db, team_set_status(db, "t-gucheng", "dispatched"), DD_E_INVALID,
		 NULL);
	trefused(db, team_set_status(db, "t-gucheng", "out_of_service"),
		 DD_E_REFUSED, "back");
	tick(240);
	status_ok(db, "t-gucheng", "en_route");
	t = team(db, "t-gucheng");
	assert_string_equal(tstr(t, "status"), "en_route");
	assert_string_equal(tstr(t, "dispatch"), id);
	assert_string_equal(tstr(t, "status_at"), tiso(T0 + 300));
	trefused(db, team_set_status(db, "t-gucheng", "en_route"), DD_E_REFUSED,
		 "already en_route");
	tick(600);
	status_ok(db, "t-gucheng", "on_scene");
	trefused(db, team_set_status(db, "t-gucheng", "en_route"), DD_E_REFUSED,
		 "forward");
	trefused(db, team_set_status(db, "t-gucheng", "on_scene"), DD_E_REFUSED,
		 "already");
	trefused(db, team_set_status(db, "t-gucheng", "out_of_service"),
		 DD_E_REFUSED, NULL);
	tick(2700);
	status_ok(db, "t-gucheng", "returning");
	trefused(db, team_set_status(db, "t-gucheng", "on_scene"), DD_E_REFUSED,
		 "forward");
	trefused(db, team_set_status(db, "t-gucheng", "en_route"), DD_E_REFUSED,
		 "forward");
	tick(600);
	status_ok(db, "t-gucheng", "available");

	d = dispatch(db, id);
	assert_string_equal(tstr(d, "at"), tiso(T0 + 60));
	assert_string_equal(tstr(d, "en_route_at"), tiso(T0 + 300));
	assert_string_equal(tstr(d, "on_scene_at"), tiso(T0 + 900));
	assert_string_equal(tstr(d, "returning_at"), tiso(T0 + 3600));
	assert_string_equal(tstr(d, "available_at"), tiso(T0 + 4200));
	assert_int_equal(tnum(d, "turnout_secs"), 240);
	assert_int_equal(tnum(d, "target_secs"), TURNOUT_CITY_SECS);
	t = team(db, "t-gucheng");
	assert_string_equal(tstr(t, "status"), "available");
	assert_true(tis_null(t, "dispatch"));
	assert_true(tis_null(t, "incident"));
	assert_string_equal(tstr(t, "status_at"), tiso(T0 + 4200));

	/* Back, it can be sent again; the new dispatch names the last one. */
	tick(100);
	assert_int_equal(dispatch_create(db, "t-gucheng", inc, again), 0);
	assert_int_equal(state_export(db, &x), 0);
	tkeep(x);
	dl = cJSON_GetObjectItemCaseSensitive(x, "dispatches");
	assert_string_equal(tstr(trow(dl, "id", id), "follows"), "");
	assert_string_equal(tstr(trow(dl, "id", again), "follows"), id);
	/* The steps of the first dispatch are not touched by the second. */
	assert_string_equal(tstr(dispatch(db, id), "en_route_at"),
			    tiso(T0 + 300));
	assert_true(tis_null(dispatch(db, again), "en_route_at"));
}

static void
steps_timed_rural(void **state)
{
	struct db *db = tstation("shangpan", ROLE_TOWN, 1);
	char inc[64], id[64];
	cJSON *d;
	(void)state;

	incident(db, "上盘镇", inc);
	assert_int_equal(dispatch_create(db, "t-shangpan", inc, id), 0);
	tick(700);
	status_ok(db, "t-shangpan", "en_route");
	tick(1200);
	status_ok(db, "t-shangpan", "on_scene");
	/* Straight back from the scene. */
	tick(3600);
	status_ok(db, "t-shangpan", "available");
	d = dispatch(db, id);
	assert_string_equal(tstr(d, "at"), tiso(T0));
	assert_string_equal(tstr(d, "en_route_at"), tiso(T0 + 700));
	assert_string_equal(tstr(d, "on_scene_at"), tiso(T0 + 1900));
	assert_true(tis_null(d, "returning_at"));
	assert_string_equal(tstr(d, "available_at"), tiso(T0 + 5500));
	assert_int_equal(tnum(d, "turnout_secs"), 700);
	assert_int_equal(tnum(d, "target_secs"), TURNOUT_RURAL_SECS);
	assert_string_equal(tstr(team(db, "t-shangpan"), "status"), "available");
}

/* A team that reaches the scene before anyone records it en route is
 * taken, and its turnout runs to the first step recorded after the
 * dispatch: on the scene. */
static void
turnout_when_en_route_is_skipped(void **state)
{
	struct db *db = tstation("gucheng", ROLE_TOWN, 1);
	char inc[64], id[64];
	cJSON *d;
	(void)state;

	incident(db, "gucheng", inc);
	assert_int_equal(dispatch_create(db, "t-gucheng", inc, id), 0);
	tick(420);
	status_ok(db, "t-gucheng", "on_scene");
	assert_string_equal(tstr(team(db, "t-gucheng"), "status"), "on_scene");
	d = dispatch(db, id);
	assert_true(tis_null(d, "en_route_at"));
	assert_string_equal(tstr(d, "on_scene_at"), tiso(T0 + 420));
	assert_int_equal(tnum(d, "turnout_secs"), 420);
	assert_int_equal(tnum(d, "target_secs"), TURNOUT_CITY_SECS);
	/* Steps still only move forward. */
	trefused(db, team_set_status(db, "t-gucheng", "en_route"), DD_E_REFUSED,
		 "forward");
	tick(600);
	status_ok(db, "t-gucheng", "returning");
	assert_int_equal(tnum(dispatch(db, id), "turnout_secs"), 420);
}

static void
out_of_service_only_from_available(void **state)
{
	struct db *db = tstation("gucheng", ROLE_TOWN, 1);
	char inc[64], id[64];
	cJSON *t;
	(void)state;

	incident(db, "gucheng", inc);
	tick(60);
	status_ok(db, "f-gucheng", "out_of_service");
	t = team(db, "f-gucheng");
	assert_string_equal(tstr(t, "status"), "out_of_service");
	assert_string_equal(tstr(t, "status_at"), tiso(T0 + 60));
	assert_true(tis_null(t, "dispatch"));
	trefused(db, dispatch_create(db, "f-gucheng", inc, id), DD_E_REFUSED,
		 "out of service");
	trefused(db, team_set_status(db, "f-gucheng", "out_of_service"),
		 DD_E_REFUSED, "already");
	/* Not dispatched, so no step of a dispatch either. */
	trefused(db, team_set_status(db, "f-gucheng", "en_route"), DD_E_REFUSED,
		 NULL);
	trefused(db, team_set_status(db, "f-gucheng", "on_scene"), DD_E_REFUSED,
		 NULL);
	trefused(db, team_set_status(db, "f-gucheng", "returning"), DD_E_REFUSED,
		 NULL);
	assert_string_equal(tstr(team(db, "f-gucheng"), "status"),
			    "out_of_service");
	/* Back in service, then it can be sent. */
	tick(60);
	status_ok(db, "f-gucheng", "available");
	assert_string_equal(tstr(team(db, "f-gucheng"), "status"), "available");
	assert_int_equal(dispatch_create(db, "f-gucheng", inc, id), 0);
	trefused(db, team_set_status(db, "f-gucheng", "out_of_service"),
		 DD_E_REFUSED, "back");
	assert_string_equal(tstr(team(db, "f-gucheng"), "status"), "dispatched");
}

/* ---- two stations sending one team ------------------------------------ */

static void
concurrent_dispatch_is_a_conflict(void **state)
{
	struct db *a = tstation("gucheng", ROLE_TOWN, 1);
	struct db *b = tstation("county", ROLE_COMMAND, 1);
	char inc[64], ida[64], idb[64];
	cJSON *ca, *cb, *c;
	(void)state;

	incident(a, "gucheng", inc);
	texchange(a, b);

	/* Offline from each other, both send water rescue team 6. */
	tick(60);
	assert_int_equal(dispatch_create(a, "m06", inc, ida), 0);
	assert_string_equal(ida, "gucheng-2");
	tick(30);
	assert_int_equal(dispatch_create(b, "m06", inc, idb), 0);
	assert_string_equal(idb, "county-1");
	assert_int_equal(cJSON_GetArraySize(tlist(a, LIST_CONFLICTS)), 0);
	assert_int_equal(cJSON_GetArraySize(tlist(b, LIST_CONFLICTS)), 0);
	texchange(a, b);

	ca = tlist(a, LIST_CONFLICTS);
	cb = tlist(b, LIST_CONFLICTS);
	assert_int_equal(cJSON_GetArraySize(ca), 1);
	c = cJSON_GetArrayItem(ca, 0);
	assert_string_equal(tstr(c, "id"), "dispatch:m06:");
	assert_string_equal(tstr(c, "kind"), "dispatch");
	assert_string_equal(tstr(c, "subject"), "m06");
	assert_string_equal(tstr(c, "members"), "county-1 gucheng-2");
	assert_true(tis_null(c, "acked_by"));
	assert_true(tis_null(c, "acked_at"));
	assert_string_equal(text_of(ca), text_of(cb));
	/* Both dispatches are kept; the team follows the later one. */
	assert_int_equal(cJSON_GetArraySize(tlist(a, LIST_DISPATCHES)), 2);
	assert_string_equal(tstr(team(a, "m06"), "dispatch"), "county-1");
	assert_string_equal(tstr(team(b, "m06"), "dispatch"), "county-1");
	assert_string_equal(tstr(team(a, "m06"), "status"), "dispatched");
	assert_string_equal(texport_of(a), texport_of(b));

	/* A person has seen it. */
	trefused(a, conflict_ack(a, "dispatch:m07:"), DD_E_NOTFOUND,
		 "dispatch:m07:");
	trefused(a, conflict_ack(a, NULL), DD_E_NOTFOUND, NULL);
	tick(30);
	db_set_officer(a, "陈值班");
	assert_int_equal(conflict_ack(a, "dispatch:m06:"), 0);
	c = cJSON_GetArrayItem(tlist(a, LIST_CONFLICTS), 0);
	assert_string_equal(tstr(c, "acked_by"), "陈值班");
	assert_string_equal(tstr(c, "acked_at"), tiso(T0 + 120));
	texchange(a, b);
	ca = tlist(a, LIST_CONFLICTS);
	cb = tlist(b, LIST_CONFLICTS);
	assert_int_equal(cJSON_GetArraySize(cb), 1);
	c = cJSON_GetArrayItem(cb, 0);
	assert_string_equal(tstr(c, "id"), "dispatch:m06:");
	assert_string_equal(tstr(c, "members"), "county-1 gucheng-2");
	assert_string_equal(tstr(c, "acked_by"), "陈值班");
	assert_string_equal(tstr(c, "acked_at"), tiso(T0 + 120));
	assert_string_equal(text_of(ca), text_of(cb));
	assert_string_equal(texport_of(a), texport_of(b));
}

static void
concurrent_dispatch_after_an_earlier_one(void **state)
{
	struct db *a = tstation("gucheng", ROLE_TOWN, 1);
	struct db *b = tstation("dayang", ROLE_TOWN, 1);
	char inc[64], first[64], ida[64], idb[64];
	cJSON *cl;
	(void)state;

	incident(a, "gucheng", inc);
	assert_int_equal(dispatch_create(a, "c01", inc, first), 0);
	assert_string_equal(first, "gucheng-2");
	tick(600);
	status_ok(a, "c01", "available");
	texchange(a, b);
	assert_string_equal(tstr(team(b, "c01"), "status"), "available");

	tick(60);
	assert_int_equal(dispatch_create(b, "c01", inc, idb), 0);
	tick(1);
	assert_int_equal(dispatch_create(a, "c01", inc, ida), 0);
	texchange(b, a);

	cl = tlist(a, LIST_CONFLICTS);
	assert_int_equal(cJSON_GetArraySize(cl), 1);
	assert_string_equal(tstr(cJSON_GetArrayItem(cl, 0), "id"),
			    "dispatch:c01:gucheng-2");
	assert_string_equal(tstr(cJSON_GetArrayItem(cl, 0), "members"),
			    "dayang-1 gucheng-3");
	assert_string_equal(text_of(cl), text_of(tlist(b, LIST_CONFLICTS)));
	assert_string_equal(tstr(team(b, "c01"), "dispatch"), ida);
	assert_string_equal(texport_of(a), texport_of(b));
}

#define T(f) cmocka_unit_test_setup_teardown(f, tfresh, trelease)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(status_names),
		T(dispatch_bad),
		T(dispatch_sends_the_team),
		T(status_bad),
		T(steps_forward_timed_city),
		T(steps_timed_rural),
		T(turnout_when_en_route_is_skipped),
		T(out_of_service_only_from_available),
		T(concurrent_dispatch_is_a_conflict),
		T(concurrent_dispatch_after_an_earlier_one),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tcleanup();
	return rc;
}
