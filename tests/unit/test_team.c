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

/* Everything a test opens is held here and released by its teardown, so
 * an assertion that fails (and leaves the test by longjmp) leaks nothing. */
static struct db *held_db[8];
static cJSON *held_json[128];
static char *held_str[32];
static int n_json, n_str;

static int
fresh(void **state)
{
	(void)state;
	tclock_ms = T0 * 1000;
	return 0;
}

static int
release(void **state)
{
	int i;
	(void)state;

	for (i = 0; i < 8; i++)
		db_close(&held_db[i]);
	for (i = 0; i < n_json; i++)
		cJSON_Delete(held_json[i]);
	for (i = 0; i < n_str; i++)
		free(held_str[i]);
	n_json = n_str = 0;
	return 0;
}

static struct db *
station(const char *code, int role, int seed)
{
	int i;

	for (i = 0; i < 8 && held_db[i]; i++)
		;
	assert_true(i < 8);
	held_db[i] = tdb_new(code, role, seed);
	return held_db[i];
}

static cJSON *
keep(cJSON *j)
{
	assert_non_null(j);
	assert_true(n_json < (int)(sizeof held_json / sizeof held_json[0]));
	held_json[n_json++] = j;
	return j;
}

static const char *
export_of(struct db *db)
{
	char *s = texport(db);

	assert_non_null(s);
	assert_true(n_str < (int)(sizeof held_str / sizeof held_str[0]));
	held_str[n_str++] = s;
	return s;
}

static const char *
text_of(const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);

	assert_non_null(s);
	assert_true(n_str < (int)(sizeof held_str / sizeof held_str[0]));
	held_str[n_str++] = s;
	return s;
}

static const char *
iso(int64_t t)
{
	static char buf[8][21];
	static int slot;

	slot = (slot + 1) % 8;
	time_format_iso(t, buf[slot]);
	return buf[slot];
}

static void
tick(int secs)
{
	tclock_ms += (int64_t)secs * 1000;
}

static const char *
str_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsString(v))
		fail_msg("'%s' is not a string", k);
	return v->valuestring;
}

static int64_t
num_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!cJSON_IsNumber(v))
		fail_msg("'%s' is not a number", k);
	return (int64_t)v->valuedouble;
}

static int
is_null(const cJSON *o, const char *k)
{
	return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, k));
}

static void
refused(struct db *db, int rc, int want, const char *words)
{
	if (rc != want)
		fail_msg("got %d (%s), want %d", rc, db_errmsg(db), want);
	if (words && !strstr(db_errmsg(db), words))
		fail_msg("message '%s' does not mention '%s'", db_errmsg(db), words);
}

static cJSON *
list(struct db *db, enum list l)
{
	cJSON *out = NULL;

	assert_int_equal(state_list(db, l, NULL, &out), 0);
	return keep(out);
}

/* The element of arr whose key is value, or NULL. */
static cJSON *
row(cJSON *arr, const char *key, const char *value)
{
	cJSON *o;

	cJSON_ArrayForEach(o, arr) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
		if (cJSON_IsString(v) && strcmp(v->valuestring, value) == 0)
			return o;
	}
	return NULL;
}

static cJSON *
team(struct db *db, const char *code)
{
	cJSON *t = row(list(db, LIST_TEAMS), "id", code);

	if (!t)
		fail_msg("no team %s", code);
	return t;
}

static cJSON *
dispatch(struct db *db, const char *id)
{
	cJSON *d = row(list(db, LIST_DISPATCHES), "id", id);

	if (!d)
		fail_msg("no dispatch %s", id);
	return d;
}

static void
incident(struct db *db, const char *town, char id[64])
{
	cJSON *f = keep(cJSON_CreateObject());
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

struct xfer {
	struct db *to;
	int err;
	char msg[400];
};

static int
xfer_one(const struct op *op, void *ctx)
{
	struct xfer *x = ctx;
	int rc = op_apply(x->to, op);

	if (rc < 0) {
		x->err = rc;
		snprintf(x->msg, sizeof x->msg, "%s %s: %s", op->kind, op->entity,
			 db_errmsg(x->to));
		return 1;
	}
	return 0;
}

/* What the server would do between two stations: each gets every
 * operation the other holds. */
static void
relay(struct db *from, struct db *to)
{
	struct xfer x = { to, 0, "" };
	int rc = op_each(from, 0, xfer_one, &x);

	if (x.err)
		fail_msg("apply %s", x.msg);
	assert_int_equal(rc, 0);
}

static void
exchange(struct db *a, struct db *b)
{
	relay(a, b);
	relay(b, a);
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
	struct db *db = station("gucheng", ROLE_TOWN, 1);
	char inc[64], id[64] = "untouched";
	const char *before;
	(void)state;

	incident(db, "gucheng", inc);
	before = export_of(db);
	refused(db, dispatch_create(db, "t-atlantis", inc, id), DD_E_NOTFOUND,
		"t-atlantis");
	refused(db, dispatch_create(db, NULL, inc, id), DD_E_INVALID, "team");
	refused(db, dispatch_create(db, "", inc, id), DD_E_INVALID, "team");
	refused(db, dispatch_create(db, "t-gucheng", "gucheng-9", id),
		DD_E_NOTFOUND, "gucheng-9");
	refused(db, dispatch_create(db, "t-gucheng", NULL, id), DD_E_NOTFOUND,
		"incident");
	refused(db, dispatch_create(db, "t-gucheng", "", id), DD_E_NOTFOUND,
		"incident");
	assert_string_equal(id, "untouched");
	assert_string_equal(export_of(db), before);

	/* A closed incident takes no more teams. */
	assert_int_equal(incident_set_status(db, inc, "closed"), 0);
	refused(db, dispatch_create(db, "t-gucheng", inc, id), DD_E_REFUSED,
		"closed");
	assert_int_equal(cJSON_GetArraySize(list(db, LIST_DISPATCHES)), 0);
	assert_string_equal(str_of(team(db, "t-gucheng"), "status"), "available");
	/* Reopened, it takes them again. */
	assert_int_equal(incident_set_status(db, inc, "reopen"), 0);
	assert_int_equal(dispatch_create(db, "t-gucheng", inc, id), 0);
}

static void
dispatch_sends_the_team(void **state)
{
	struct db *db = station("gucheng", ROLE_TOWN, 1);
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
	assert_string_equal(str_of(t, "status"), "dispatched");
	assert_string_equal(str_of(t, "dispatch"), "gucheng-2");
	assert_string_equal(str_of(t, "incident"), "gucheng-1");
	assert_string_equal(str_of(t, "status_at"), iso(T0 + 60));
	d = dispatch(db, "gucheng-2");
	assert_string_equal(str_of(d, "team"), "t-gucheng");
	assert_string_equal(str_of(d, "incident"), "gucheng-1");
	assert_string_equal(str_of(d, "at"), iso(T0 + 60));
	assert_true(is_null(d, "en_route_at"));
	assert_true(is_null(d, "turnout_secs"));
	assert_int_equal(num_of(d, "target_secs"), 300);
	assert_string_equal(str_of(d, "officer"), "tester");
	assert_string_equal(str_of(d, "station"), "gucheng");

	/* The incident lists it too. */
	assert_int_equal(incident_get(db, inc, &got), 1);
	keep(got);
	subs = cJSON_GetObjectItemCaseSensitive(got, "dispatches");
	assert_int_equal(cJSON_GetArraySize(subs), 1);
	assert_string_equal(str_of(cJSON_GetArrayItem(subs, 0), "id"), "gucheng-2");
	assert_string_equal(str_of(cJSON_GetArrayItem(subs, 0), "team"),
			    "t-gucheng");

	/* A team that is out is not sent again, by any of its names. */
	refused(db, dispatch_create(db, "t-gucheng", inc, id2), DD_E_REFUSED,
		"already out");
	refused(db, dispatch_create(db, "gucheng jiedao zonghe jiuyuandui", inc,
				    id2), DD_E_REFUSED, "already out");
	status_ok(db, "t-gucheng", "en_route");
	refused(db, dispatch_create(db, "t-gucheng", inc, id2), DD_E_REFUSED,
		"en_route");
	assert_int_equal(cJSON_GetArraySize(list(db, LIST_DISPATCHES)), 1);

	/* Another team, by pinyin, to the same incident. */
	assert_int_equal(dispatch_create(db, "Gucheng Jiedao Zhuanzhi Xiaofangdui",
					 inc, id2), 0);
	assert_string_equal(id2, "gucheng-3");
	assert_string_equal(str_of(dispatch(db, id2), "team"), "f-gucheng");
}

/* ---- team_set_status --------------------------------------------------- */

static void
status_bad(void **state)
{
	struct db *db = station("gucheng", ROLE_TOWN, 1);
	const char *before;
	(void)state;

	before = export_of(db);
	refused(db, team_set_status(db, "t-atlantis", "en_route"), DD_E_NOTFOUND,
		"t-atlantis");
	refused(db, team_set_status(db, NULL, "en_route"), DD_E_INVALID, "team");
	refused(db, team_set_status(db, "t-gucheng", "bogus"), DD_E_INVALID,
		"en_route");
	refused(db, team_set_status(db, "t-gucheng", NULL), DD_E_INVALID, NULL);
	refused(db, team_set_status(db, "t-gucheng", "dispatched"), DD_E_INVALID,
		"dispatch");
	/* An available team is not out: no steps before a dispatch. */
	refused(db, team_set_status(db, "t-gucheng", "en_route"), DD_E_REFUSED,
		"dispatch it");
	refused(db, team_set_status(db, "t-gucheng", "on_scene"), DD_E_REFUSED,
		"dispatch it");
	refused(db, team_set_status(db, "t-gucheng", "returning"), DD_E_REFUSED,
		"dispatch it");
	refused(db, team_set_status(db, "t-gucheng", "available"), DD_E_REFUSED,
		"already available");
	assert_string_equal(export_of(db), before);
}

static void
steps_forward_timed_city(void **state)
{
	struct db *db = station("gucheng", ROLE_TOWN, 1);
	char inc[64], id[64], again[64];
	cJSON *d, *t, *x = NULL, *dl;
	(void)state;

	incident(db, "gucheng", inc);
	tick(60);
	assert_int_equal(dispatch_create(db, "t-gucheng", inc, id), 0);
	refused(db, team_set_status(db, "t-gucheng", "dispatched"), DD_E_INVALID,
		NULL);
	refused(db, team_set_status(db, "t-gucheng", "out_of_service"),
		DD_E_REFUSED, "back");
	tick(240);
	status_ok(db, "t-gucheng", "en_route");
	t = team(db, "t-gucheng");
	assert_string_equal(str_of(t, "status"), "en_route");
	assert_string_equal(str_of(t, "dispatch"), id);
	assert_string_equal(str_of(t, "status_at"), iso(T0 + 300));
	refused(db, team_set_status(db, "t-gucheng", "en_route"), DD_E_REFUSED,
		"already en_route");
	tick(600);
	status_ok(db, "t-gucheng", "on_scene");
	refused(db, team_set_status(db, "t-gucheng", "en_route"), DD_E_REFUSED,
		"forward");
	refused(db, team_set_status(db, "t-gucheng", "on_scene"), DD_E_REFUSED,
		"already");
	refused(db, team_set_status(db, "t-gucheng", "out_of_service"),
		DD_E_REFUSED, NULL);
	tick(2700);
	status_ok(db, "t-gucheng", "returning");
	refused(db, team_set_status(db, "t-gucheng", "on_scene"), DD_E_REFUSED,
		"forward");
	refused(db, team_set_status(db, "t-gucheng", "en_route"), DD_E_REFUSED,
		"forward");
	tick(600);
	status_ok(db, "t-gucheng", "available");

	d = dispatch(db, id);
	assert_string_equal(str_of(d, "at"), iso(T0 + 60));
	assert_string_equal(str_of(d, "en_route_at"), iso(T0 + 300));
	assert_string_equal(str_of(d, "on_scene_at"), iso(T0 + 900));
	assert_string_equal(str_of(d, "returning_at"), iso(T0 + 3600));
	assert_string_equal(str_of(d, "available_at"), iso(T0 + 4200));
	assert_int_equal(num_of(d, "turnout_secs"), 240);
	assert_int_equal(num_of(d, "target_secs"), TURNOUT_CITY_SECS);
	t = team(db, "t-gucheng");
	assert_string_equal(str_of(t, "status"), "available");
	assert_true(is_null(t, "dispatch"));
	assert_true(is_null(t, "incident"));
	assert_string_equal(str_of(t, "status_at"), iso(T0 + 4200));

	/* Back, it can be sent again; the new dispatch names the last one. */
	tick(100);
	assert_int_equal(dispatch_create(db, "t-gucheng", inc, again), 0);
	assert_int_equal(state_export(db, &x), 0);
	keep(x);
	dl = cJSON_GetObjectItemCaseSensitive(x, "dispatches");
	assert_string_equal(str_of(row(dl, "id", id), "follows"), "");
	assert_string_equal(str_of(row(dl, "id", again), "follows"), id);
	/* The steps of the first dispatch are not touched by the second. */
	assert_string_equal(str_of(dispatch(db, id), "en_route_at"),
			    iso(T0 + 300));
	assert_true(is_null(dispatch(db, again), "en_route_at"));
}

static void
steps_timed_rural(void **state)
{
	struct db *db = station("shangpan", ROLE_TOWN, 1);
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
	assert_string_equal(str_of(d, "at"), iso(T0));
	assert_string_equal(str_of(d, "en_route_at"), iso(T0 + 700));
	assert_string_equal(str_of(d, "on_scene_at"), iso(T0 + 1900));
	assert_true(is_null(d, "returning_at"));
	assert_string_equal(str_of(d, "available_at"), iso(T0 + 5500));
	assert_int_equal(num_of(d, "turnout_secs"), 700);
	assert_int_equal(num_of(d, "target_secs"), TURNOUT_RURAL_SECS);
	assert_string_equal(str_of(team(db, "t-shangpan"), "status"), "available");
}

static void
out_of_service_only_from_available(void **state)
{
	struct db *db = station("gucheng", ROLE_TOWN, 1);
	char inc[64], id[64];
	cJSON *t;
	(void)state;

	incident(db, "gucheng", inc);
	tick(60);
	status_ok(db, "f-gucheng", "out_of_service");
	t = team(db, "f-gucheng");
	assert_string_equal(str_of(t, "status"), "out_of_service");
	assert_string_equal(str_of(t, "status_at"), iso(T0 + 60));
	assert_true(is_null(t, "dispatch"));
	refused(db, dispatch_create(db, "f-gucheng", inc, id), DD_E_REFUSED,
		"out of service");
	refused(db, team_set_status(db, "f-gucheng", "out_of_service"),
		DD_E_REFUSED, "already");
	/* Not dispatched, so no step of a dispatch either. */
	refused(db, team_set_status(db, "f-gucheng", "en_route"), DD_E_REFUSED,
		NULL);
	refused(db, team_set_status(db, "f-gucheng", "on_scene"), DD_E_REFUSED,
		NULL);
	refused(db, team_set_status(db, "f-gucheng", "returning"), DD_E_REFUSED,
		NULL);
	assert_string_equal(str_of(team(db, "f-gucheng"), "status"),
			    "out_of_service");
	/* Back in service, then it can be sent. */
	tick(60);
	status_ok(db, "f-gucheng", "available");
	assert_string_equal(str_of(team(db, "f-gucheng"), "status"), "available");
	assert_int_equal(dispatch_create(db, "f-gucheng", inc, id), 0);
	refused(db, team_set_status(db, "f-gucheng", "out_of_service"),
		DD_E_REFUSED, "back");
	assert_string_equal(str_of(team(db, "f-gucheng"), "status"), "dispatched");
}

/* ---- two stations sending one team ------------------------------------ */

static void
concurrent_dispatch_is_a_conflict(void **state)
{
	struct db *a = station("gucheng", ROLE_TOWN, 1);
	struct db *b = station("county", ROLE_COMMAND, 1);
	char inc[64], ida[64], idb[64];
	cJSON *ca, *cb, *c;
	(void)state;

	incident(a, "gucheng", inc);
	exchange(a, b);

	/* Offline from each other, both send water rescue team 6. */
	tick(60);
	assert_int_equal(dispatch_create(a, "m06", inc, ida), 0);
	assert_string_equal(ida, "gucheng-2");
	tick(30);
	assert_int_equal(dispatch_create(b, "m06", inc, idb), 0);
	assert_string_equal(idb, "county-1");
	assert_int_equal(cJSON_GetArraySize(list(a, LIST_CONFLICTS)), 0);
	assert_int_equal(cJSON_GetArraySize(list(b, LIST_CONFLICTS)), 0);
	exchange(a, b);

	ca = list(a, LIST_CONFLICTS);
	cb = list(b, LIST_CONFLICTS);
	assert_int_equal(cJSON_GetArraySize(ca), 1);
	c = cJSON_GetArrayItem(ca, 0);
	assert_string_equal(str_of(c, "id"), "dispatch:m06:");
	assert_string_equal(str_of(c, "kind"), "dispatch");
	assert_string_equal(str_of(c, "subject"), "m06");
	assert_string_equal(str_of(c, "members"), "county-1 gucheng-2");
	assert_true(is_null(c, "acked_by"));
	assert_true(is_null(c, "acked_at"));
	assert_string_equal(text_of(ca), text_of(cb));
	/* Both dispatches are kept; the team follows the later one. */
	assert_int_equal(cJSON_GetArraySize(list(a, LIST_DISPATCHES)), 2);
	assert_string_equal(str_of(team(a, "m06"), "dispatch"), "county-1");
	assert_string_equal(str_of(team(b, "m06"), "dispatch"), "county-1");
	assert_string_equal(str_of(team(a, "m06"), "status"), "dispatched");
	assert_string_equal(export_of(a), export_of(b));

	/* A person has seen it. */
	refused(a, conflict_ack(a, "dispatch:m07:"), DD_E_NOTFOUND,
		"dispatch:m07:");
	refused(a, conflict_ack(a, NULL), DD_E_NOTFOUND, NULL);
	tick(30);
	db_set_officer(a, "陈值班");
	assert_int_equal(conflict_ack(a, "dispatch:m06:"), 0);
	c = cJSON_GetArrayItem(list(a, LIST_CONFLICTS), 0);
	assert_string_equal(str_of(c, "acked_by"), "陈值班");
	assert_string_equal(str_of(c, "acked_at"), iso(T0 + 120));
	exchange(a, b);
	ca = list(a, LIST_CONFLICTS);
	cb = list(b, LIST_CONFLICTS);
	assert_int_equal(cJSON_GetArraySize(cb), 1);
	c = cJSON_GetArrayItem(cb, 0);
	assert_string_equal(str_of(c, "id"), "dispatch:m06:");
	assert_string_equal(str_of(c, "members"), "county-1 gucheng-2");
	assert_string_equal(str_of(c, "acked_by"), "陈值班");
	assert_string_equal(str_of(c, "acked_at"), iso(T0 + 120));
	assert_string_equal(text_of(ca), text_of(cb));
	assert_string_equal(export_of(a), export_of(b));
}

static void
concurrent_dispatch_after_an_earlier_one(void **state)
{
	struct db *a = station("gucheng", ROLE_TOWN, 1);
	struct db *b = station("dayang", ROLE_TOWN, 1);
	char inc[64], first[64], ida[64], idb[64];
	cJSON *cl;
	(void)state;

	incident(a, "gucheng", inc);
	assert_int_equal(dispatch_create(a, "c01", inc, first), 0);
	assert_string_equal(first, "gucheng-2");
	tick(600);
	status_ok(a, "c01", "available");
	exchange(a, b);
	assert_string_equal(str_of(team(b, "c01"), "status"), "available");

	tick(60);
	assert_int_equal(dispatch_create(b, "c01", inc, idb), 0);
	tick(1);
	assert_int_equal(dispatch_create(a, "c01", inc, ida), 0);
	exchange(b, a);

	cl = list(a, LIST_CONFLICTS);
	assert_int_equal(cJSON_GetArraySize(cl), 1);
	assert_string_equal(str_of(cJSON_GetArrayItem(cl, 0), "id"),
			    "dispatch:c01:gucheng-2");
	assert_string_equal(str_of(cJSON_GetArrayItem(cl, 0), "members"),
			    "dayang-1 gucheng-3");
	assert_string_equal(text_of(cl), text_of(list(b, LIST_CONFLICTS)));
	assert_string_equal(str_of(team(b, "c01"), "dispatch"), ida);
	assert_string_equal(export_of(a), export_of(b));
}

#define T(f) cmocka_unit_test_setup_teardown(f, fresh, release)

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
		T(out_of_service_only_from_available),
		T(concurrent_dispatch_is_a_conflict),
		T(concurrent_dispatch_after_an_earlier_one),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tcleanup();
	return rc;
}
