/*
 * test_drill.c - scenarios checked with the line and field at fault,
 * injects firing on the drill's clock through the one path of change,
 * and expected actions scored on time, late or missed.
 */
#include "testlib.h"

struct opcount {
	const char *station;
	int64_t n;
};

static int
count_one(const struct op *op, void *ctx)
{
	struct opcount *c = ctx;

	c->n += strcmp(op->station, c->station) == 0;
	return 0;
}

/* How many operations of station db holds. */
static int64_t
ops_of(struct db *db, const char *station)
{
	struct opcount c = { station, 0 };

	assert_int_equal(op_each(db, 0, count_one, &c), 0);
	return c.n;
}

/* The id after id ("linhai-7" -> "linhai-8"), in one of two buffers. */
static const char *
id_after(const char *id)
{
	static char buf[2][64];
	static int slot;
	const char *dash = strrchr(id, '-');

	slot = !slot;
	assert_non_null(dash);
	snprintf(buf[slot], 64, "%.*s-%lld", (int)(dash - id), id,
		 atoll(dash + 1) + 1);
	return buf[slot];
}

static const char good[] =
	"{\n"
	" \"id\": \"t1\", \"title\": \"台风\", \"hazard\": \"typhoon\",\n"
	" \"injects\": [\n"
	"  {\"id\": \"warn\", \"at_min\": 0, \"kind\": \"warning\", \"fields\":\n"
	"   {\"hazard\": \"typhoon\", \"color\": \"blue\", \"text\": \"台风蓝色预警\",\n"
	"    \"towns\": [\"datian\", \"shangpan\"]}},\n"
	"  {\"id\": \"slide\", \"at_min\": 30, \"kind\": \"incident\", \"fields\":\n"
	"   {\"town\": \"datian\", \"title\": \"山体滑坡\", \"trapped\": 3}},\n"
	"  {\"id\": \"m02down\", \"at_min\": 40, \"kind\": \"team\", \"fields\":\n"
	"   {\"target\": \"m02\", \"status\": \"out_of_service\"}}\n"
	" ],\n"
	" \"expect\": [\n"
	"  {\"id\": \"iv\", \"title\": \"启动IV级\", \"after\": \"start\", \"within_min\": 20,\n"
	"   \"match\": {\"kind\": \"response.decide\", \"body\": {\"hazard\": \"typhoon\",\n"
	"    \"action\": \"start\", \"level\": 4}}},\n"
	"  {\"id\": \"first\", \"title\": \"首报\", \"after\": \"slide\", \"within_min\": 30,\n"
	"   \"about_inject\": true, \"match\": {\"kind\": \"incident.report\",\n"
	"    \"body\": {\"type\": \"first\"}}},\n"
	"  {\"id\": \"send\", \"title\": \"派出队伍\", \"after\": \"slide\", \"within_min\": 10,\n"
	"   \"about_inject\": true, \"match\": {\"kind\": \"dispatch.create\"}}\n"
	" ]\n"
	"}\n";

static void
malformed_scenarios(void **state)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "{\"id\": \"x\",\n \"title\": }", "line 2" },
		{ "[1]", "one JSON object" },
		{ "{\"id\":\"x\",\"title\":\"t\",\"hazard\":\"h\",\"injects\":{},"
		  "\"expect\":[]}", "arrays" },
		{ "{\"id\":\"x\",\"title\":\"t\",\"hazard\":\"h\",\"expect\":[],\n"
		  "\"injects\":[{\"id\":\"a\",\"at_min\":0,\"kind\":\"note\","
		  "\"fields\":{}},\n{\"id\":\"b\",\"at_min\":-5,\"kind\":\"note\","
		  "\"fields\":{}}]}", "line 3: injects[1].at_min" },
		{ "{\"id\":\"x\",\"title\":\"t\",\"hazard\":\"h\",\"expect\":[],"
		  "\"injects\":[{\"id\":\"a\",\"at_min\":0,\"kind\":\"flood\","
		  "\"fields\":{}}]}", "injects[0].kind" },
		{ "{\"id\":\"x\",\"title\":\"t\",\"hazard\":\"h\",\"expect\":[],"
		  "\"injects\":[{\"id\":\"a\",\"at_min\":0,\"kind\":\"note\","
		  "\"fields\":{}},{\"id\":\"a\",\"at_min\":1,\"kind\":\"note\","
		  "\"fields\":{}}]}", "injects[1].id: used twice" },
		{ "{\"id\":\"x\",\"title\":\"t\",\"hazard\":\"h\",\"injects\":[],"
		  "\"expect\":[{\"id\":\"e\",\"title\":\"t\",\"within_min\":5,"
		  "\"after\":\"nowhere\",\"match\":{\"kind\":\"log.add\"}}]}",
		  "expect[0].after" },
		{ "{\"id\":\"x\",\"title\":\"t\",\"hazard\":\"h\",\"injects\":[],"
		  "\"expect\":[{\"id\":\"e\",\"title\":\"t\",\"within_min\":5}]}",
		  "expect[0].match" },
	};
	char why[300];
	cJSON *s;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(drill_parse(bad[i].text, &s, why, sizeof why),
				 DD_E_INVALID);
		assert_null(s);
		if (!strstr(why, bad[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, why, bad[i].want);
	}
	assert_int_equal(drill_parse(good, &s, why, sizeof why), 0);
	cJSON_Delete(s);
}

/* A drill database of scenario text, started at started. */
static struct db *
drill_db_of(const char *name, const char *text, int64_t started, int speed)
{
	struct db *db = NULL;
	cJSON *s = NULL;
	char why[200], path[300];

	snprintf(path, sizeof path, "%s", tpath(name));
	unlink(path);
	assert_int_equal(db_open(path, DB_CREATE, &db), 0);
	db_set_clock(db, &test_clock);
	db_set_officer(db, "drill officer");
	assert_int_equal(station_init(db, "linhai", ROLE_COMMAND, "drill-t1", 1),
			 0);
	assert_int_equal(drill_parse(text, &s, why, sizeof why), 0);
	assert_int_equal(drill_setup(db, s, started, speed), 0);
	cJSON_Delete(s);
	return db;
}

static struct db *
drill_db(const char *name, int64_t started, int speed)
{
	return drill_db_of(name, good, started, speed);
}

static const char *
status_of(const cJSON *r, const char *id)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, cJSON_GetObjectItem(r, "actions"))
		if (strcmp(cJSON_GetObjectItem(a, "id")->valuestring, id) == 0)
			return cJSON_GetObjectItem(a, "status")->valuestring;
	return "?";
}

static void
injects_fire_on_the_drill_clock(void **state)
{
	/* Ten times faster; the times given are drill time. */
	struct db *db = drill_db("d1.db", T0, 10);
	cJSON *l = NULL;
	int fired;
	(void)state;

	assert_int_equal(drill_tick(db, T0, &fired), 0);
	assert_int_equal(fired, 1); /* the warning at minute 0 */
	assert_int_equal(drill_tick(db, T0 + 29 * 60, &fired), 0);
	assert_int_equal(fired, 0);
	assert_int_equal(drill_tick(db, T0 + 30 * 60, &fired), 0);
	assert_int_equal(fired, 1); /* the landslide at minute 30 */
	assert_int_equal(drill_tick(db, T0 + 40 * 60, &fired), 0);
	assert_int_equal(fired, 1); /* m02 out of service at 40 */
	assert_int_equal(drill_tick(db, T0 + 9999, &fired), 0);
	assert_int_equal(fired, 0); /* each fires once */
	assert_int_equal(state_list(db, LIST_INCIDENTS, NULL, &l), 0);
	assert_int_equal(cJSON_GetArraySize(l), 1);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(l, 0), "id")
			    ->valuestring, "drill-2");
	cJSON_Delete(l);
	assert_int_equal(state_list(db, LIST_WARNINGS, NULL, &l), 0);
	assert_int_equal(cJSON_GetArraySize(l), 1);
	cJSON_Delete(l);
	db_close(&db);
}

static void
scored_on_time_late_missed(void **state)
{
	struct db *db = drill_db("d2.db", T0, 1);
	cJSON *r = NULL;
	char id[64];
	int fired;
	(void)state;

	tclock_ms = (T0 + 10 * 60) * 1000; /* minute 10: the IV start */
	assert_int_equal(drill_tick(db, T0 + 10 * 60, &fired), 0);
	assert_int_equal(response_decide(db, "typhoon", RESP_START, 4, "指挥",
					 NULL, id), 0);
	tclock_ms = (T0 + 31 * 60) * 1000;
	assert_int_equal(drill_tick(db, T0 + 31 * 60, &fired), 0);
	assert_int_equal(fired, 1);
	/* The first report of the landslide 50 minutes after it: late. */
	tclock_ms = (T0 + 80 * 60) * 1000;
	assert_int_equal(incident_report(db, "drill-2", REPORT_FIRST, "phone",
					 "首报", 0, id), 0);
	/* No team dispatched: missed once its deadline passed. Neither
	 * warned town answered: two more actions missed. */
	assert_int_equal(drill_score(db, T0 + 81 * 60, &r), 0);
	assert_string_equal(status_of(r, "iv"), "on_time");
	assert_string_equal(status_of(r, "first"), "late");
	assert_string_equal(status_of(r, "send"), "missed");
	assert_string_equal(status_of(r, "drill-1/datian"), "missed");
	assert_string_equal(status_of(r, "drill-1/shangpan"), "missed");
	assert_int_equal((int)cJSON_GetObjectItem(r, "score")->valuedouble,
			 (100 + 50) / 5);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "finished")));
	{
		/* The bureau's figures: the landslide (received at minute 30)
		 * reported by phone at minute 80; two towns warned, none
		 * answered. */
		cJSON *fig = cJSON_GetObjectItem(r, "figures");
		assert_int_equal((int)cJSON_GetObjectItem(fig, "first_reports")
				 ->valuedouble, 1);
		assert_int_equal((int)cJSON_GetObjectItem(fig, "first_report_avg_min")
				 ->valuedouble, 50);
		assert_int_equal((int)cJSON_GetObjectItem(fig, "towns_warned")
				 ->valuedouble, 2);
		assert_int_equal((int)cJSON_GetObjectItem(fig, "answer_rate_pct")
				 ->valuedouble, 0);
		assert_int_equal((int)cJSON_GetObjectItem(fig, "turnouts")
				 ->valuedouble, 0);
	}
	cJSON_Delete(r);
	/* The same report before the deadline would count; a report of
	 * another incident never does. */
	db_close(&db);
}

/* about_inject ties an answer to the warning the inject issued and a
 * team's step to the team the inject acted on; another warning's answer
 * or another team's step does not count. */
static void
about_warnings_and_teams(void **state)
{
	static const char text[] =
		"{\"id\": \"t2\", \"title\": \"t\", \"hazard\": \"typhoon\",\n"
		" \"injects\": [\n"
		"  {\"id\": \"warn\", \"at_min\": 0, \"kind\": \"warning\", \"fields\":\n"
		"   {\"hazard\": \"typhoon\", \"color\": \"blue\", \"text\": \"蓝色预警\",\n"
		"    \"towns\": [\"datian\"]}},\n"
		"  {\"id\": \"down\", \"at_min\": 0, \"kind\": \"team\", \"fields\":\n"
		"   {\"target\": \"m02\", \"status\": \"out_of_service\"}}\n"
		" ],\n"
		" \"expect\": [\n"
		"  {\"id\": \"ans\", \"title\": \"叫应\", \"after\": \"warn\", \"within_min\": 10,\n"
		"   \"about_inject\": true, \"match\": {\"kind\": \"warning.answer\"}},\n"
		"  {\"id\": \"back\", \"title\": \"恢复\", \"after\": \"down\", \"within_min\": 10,\n"
		"   \"about_inject\": true, \"match\": {\"kind\": \"team.status\",\n"
		"    \"body\": {\"status\": \"available\"}}}\n"
		" ]\n"
		"}\n";
	struct db *db = drill_db_of("about.db", text, T0, 1);
	cJSON *r = NULL, *towns;
	char id[64];
	int fired;
	(void)state;

	tclock_ms = T0 * 1000;
	assert_int_equal(drill_tick(db, T0, &fired), 0);
	assert_int_equal(fired, 2);
	/* Another warning of the room's own, answered, and another team
	 * back in service: neither is what the injects were about. */
	tclock_ms = (T0 + 2 * 60) * 1000;
	towns = cJSON_Parse("[\"datian\"]");
	assert_int_equal(warning_issue(db, "typhoon", "blue", "另一条", towns, id),
			 0);
	cJSON_Delete(towns);
	assert_int_equal(warning_answer(db, id, "datian", "值班员", id), 0);
	assert_int_equal(team_set_status(db, "m01", "out_of_service"), 0);
	assert_int_equal(team_set_status(db, "m01", "available"), 0);
	assert_int_equal(drill_score(db, T0 + 3 * 60, &r), 0);
	assert_string_equal(status_of(r, "ans"), "pending");
	assert_string_equal(status_of(r, "back"), "pending");
	cJSON_Delete(r);
	/* Then the inject's warning answered and its team back. */
	tclock_ms = (T0 + 5 * 60) * 1000;
	assert_int_equal(warning_answer(db, "drill-1", "datian", "值班员", id), 0);
	assert_int_equal(team_set_status(db, "m02", "available"), 0);
	assert_int_equal(drill_score(db, T0 + 11 * 60, &r), 0);
	assert_string_equal(status_of(r, "ans"), "on_time");
	assert_string_equal(status_of(r, "back"), "on_time");
	cJSON_Delete(r);
	db_close(&db);
}

static const char *
member_of(const cJSON *r, const char *id, const char *key)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, cJSON_GetObjectItem(r, "actions"))
		if (strcmp(cJSON_GetObjectItem(a, "id")->valuestring, id) == 0)
			return cJSON_IsString(cJSON_GetObjectItem(a, key))
			       ? cJSON_GetObjectItem(a, key)->valuestring : "-";
	return "?";
}

/* Each warned town's answer (叫应) is an expected action, due when the
 * town would count as silent (a red warning's: silent.red, 15 minutes
 * unless set): on time, late (half)
 * or missed (nothing), like any other. A drill done on time in all else
 * with most towns silent no longer scores well. An answer the scenario
 * expects itself keeps its own deadline and counts once. */
static void
answers_are_expected_actions(void **state)
{
	static const char text[] =
		"{\"id\": \"t3\", \"title\": \"t\", \"hazard\": \"typhoon\",\n"
		" \"injects\": [\n"
		"  {\"id\": \"warn\", \"at_min\": 0, \"kind\": \"warning\", \"fields\":\n"
		"   {\"hazard\": \"typhoon\", \"color\": \"red\", \"text\": \"红色预警\",\n"
		"    \"towns\": [\"datian\", \"shangpan\", \"taozhu\", \"duqiao\"]}}\n"
		" ],\n"
		" \"expect\": [\n"
		"  {\"id\": \"iv\", \"title\": \"启动IV级\", \"within_min\": 20,\n"
		"   \"match\": {\"kind\": \"response.decide\"}},\n"
		"  {\"id\": \"ans-duqiao\", \"title\": \"杜桥叫应\", \"after\": \"warn\",\n"
		"   \"within_min\": 5, \"match\": {\"kind\": \"warning.answer\",\n"
		"    \"body\": {\"warning\": \"drill-1\", \"town\": \"duqiao\"}}}\n"
		" ]\n"
		"}\n";
	struct db *db = drill_db_of("answers.db", text, T0, 1);
	cJSON *r = NULL, *fig;
	char id[64];
	int fired;
	(void)state;

	assert_int_equal(drill_tick(db, T0, &fired), 0);
	assert_int_equal(fired, 1);
	tclock_ms = (T0 + 2 * 60) * 1000;
	assert_int_equal(response_decide(db, "typhoon", RESP_START, 4, "指挥",
					 NULL, id), 0);
	tclock_ms = (T0 + 3 * 60) * 1000;
	assert_int_equal(warning_answer(db, "drill-1", "datian", "值班员", id), 0);
	/* Before the silent limit, a town not yet answering is pending. */
	assert_int_equal(drill_score(db, T0 + 5 * 60, &r), 0);
	assert_string_equal(status_of(r, "drill-1/datian"), "on_time");
	assert_string_equal(status_of(r, "drill-1/taozhu"), "pending");
	assert_string_equal(member_of(r, "drill-1/taozhu", "due"),
			    tiso(T0 + 15 * 60));
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r, "finished")));
	cJSON_Delete(r);
	tclock_ms = (T0 + 8 * 60) * 1000;
	assert_int_equal(warning_answer(db, "drill-1", "duqiao", NULL, id), 0);
	tclock_ms = (T0 + 25 * 60) * 1000;
	assert_int_equal(warning_answer(db, "drill-1", "shangpan", NULL, id), 0);
	assert_int_equal(drill_score(db, T0 + 60 * 60, &r), 0);
	assert_string_equal(status_of(r, "iv"), "on_time");
	assert_string_equal(status_of(r, "ans-duqiao"), "late");
	assert_string_equal(status_of(r, "drill-1/duqiao"), "?");
	assert_string_equal(status_of(r, "drill-1/datian"), "on_time");
	assert_string_equal(member_of(r, "drill-1/datian", "by"), "linhai");
	assert_string_equal(member_of(r, "drill-1/datian", "kind"), "answer");
	assert_string_equal(member_of(r, "drill-1/datian", "town"), "datian");
	assert_string_equal(status_of(r, "drill-1/shangpan"), "late");
	assert_string_equal(member_of(r, "drill-1/shangpan", "done_at"),
			    tiso(T0 + 25 * 60));
	assert_string_equal(status_of(r, "drill-1/taozhu"), "missed");
	assert_string_equal(member_of(r, "drill-1/taozhu", "done_at"), "-");
	/* Two on time, two late, one missed of five. */
	assert_int_equal((int)cJSON_GetObjectItem(r, "score")->valuedouble,
			 (2 * 100 + 2 * 50) / 5);
	assert_int_equal((int)cJSON_GetObjectItem(r, "on_time")->valuedouble, 2);
	assert_int_equal((int)cJSON_GetObjectItem(r, "late")->valuedouble, 2);
	assert_int_equal((int)cJSON_GetObjectItem(r, "missed")->valuedouble, 1);
	fig = cJSON_GetObjectItem(r, "figures");
	assert_int_equal((int)cJSON_GetObjectItem(fig, "answer_rate_pct")
			 ->valuedouble, 75);
	cJSON_Delete(r);
	db_close(&db);
}

/* A team that reaches the scene with no en route step recorded still
 * turned out: its turnout runs to the scene. */
static void
turnout_counts_a_skipped_en_route(void **state)
{
	struct db *db = drill_db("turnout.db", T0, 1);
	cJSON *r = NULL, *fig;
	char id[64];
	int fired;
	(void)state;

	assert_int_equal(drill_tick(db, T0 + 30 * 60, &fired), 0);
	assert_int_equal(fired, 2);
	tclock_ms = (T0 + 31 * 60) * 1000;
	assert_int_equal(dispatch_create(db, "t-datian", "drill-2", id), 0);
	tclock_ms = (T0 + 36 * 60) * 1000;
	assert_int_equal(team_set_status(db, "t-datian", "on_scene"), 0);
	assert_int_equal(drill_score(db, T0 + 40 * 60, &r), 0);
	fig = cJSON_GetObjectItem(r, "figures");
	assert_int_equal((int)cJSON_GetObjectItem(fig, "turnouts")->valuedouble,
			 1);
	assert_int_equal((int)cJSON_GetObjectItem(fig, "turnouts_on_time")
			 ->valuedouble, 1);
	cJSON_Delete(r);
	db_close(&db);
}

/* A drill is over once its last deadline and its last inject have both
 * passed: a twist after every deadline still happens. */
static void
over_after_the_last_inject(void **state)
{
	static const char from[] = "\"m02down\", \"at_min\": 40";
	char text[sizeof good + 8], *at;
	struct db *db;
	cJSON *r = NULL;
	(void)state;

	/* The team breaks down at minute 75, after the last deadline (60). */
	snprintf(text, sizeof text, "%s", good);
	at = strstr(text, from);
	assert_non_null(at);
	memcpy(at + sizeof from - 3, "75", 2);
	db = drill_db_of("late-twist.db", text, T0, 1);
	assert_int_equal(drill_score(db, T0 + 61 * 60, &r), 0);
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r, "finished")));
	cJSON_Delete(r);
	assert_int_equal(drill_score(db, T0 + 75 * 60, &r), 0);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "finished")));
	cJSON_Delete(r);
	db_close(&db);
}

static void
scored_before_anything_fired(void **state)
{
	struct db *db = drill_db("d3.db", T0, 1);
	cJSON *r = NULL;
	(void)state;

	/* At the very start nothing has fired: every action is pending. */
	assert_int_equal(drill_score(db, T0, &r), 0);
	assert_non_null(r);
	assert_string_equal(status_of(r, "iv"), "pending");
	assert_string_equal(status_of(r, "send"), "pending");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r, "finished")));
	cJSON_Delete(r);
	db_close(&db);
}

/* A town's database that joined the drill of realm drill-t1. */
static struct db *
joined_db(const char *name, const char *station)
{
	struct db *db = NULL;
	char path[300];

	snprintf(path, sizeof path, "%s", tpath(name));
	unlink(path);
	assert_int_equal(db_open(path, DB_CREATE, &db), 0);
	db_set_clock(db, &test_clock);
	db_set_officer(db, "town officer");
	assert_int_equal(station_init(db, station, ROLE_TOWN, "drill-t1", 1), 0);
	assert_int_equal(drill_join(db), 0);
	return db;
}

static const char *
by_of(const cJSON *r, const char *id)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, cJSON_GetObjectItem(r, "actions"))
		if (strcmp(cJSON_GetObjectItem(a, "id")->valuestring, id) == 0)
			return cJSON_IsString(cJSON_GetObjectItem(a, "by"))
			       ? cJSON_GetObjectItem(a, "by")->valuestring : "-";
	return "?";
}

static void
county_drill_travels(void **state)
{
	struct db *cmd = drill_db("c1.db", T0, 10);
	struct db *town = joined_db("c2.db", "datian");
	struct station_info si;
	cJSON *r = NULL, *s = NULL;
	int64_t started = 0;
	int fired, speed = 0;
	char id[64];
	(void)state;

	/* The setup and the injects wait in the command station's outbox
	 * (the link pushes them), numbered without a hole. */
	assert_int_equal(drill_announce(cmd), 0);
	assert_int_equal(drill_county(cmd), DRILL_COUNTY_RUN);
	assert_int_equal(drill_tick(cmd, T0 + 30 * 60, &fired), 0);
	assert_int_equal(fired, 2);
	assert_int_equal(station_info(cmd, &si), 0);
	assert_int_equal(si.queued, 3);
	/* The town learns the drill from what it pulls, and fires nothing. */
	assert_int_equal(drill_county(town), DRILL_COUNTY_JOINED);
	assert_int_equal(drill_scenario(town, &s, &started, &speed), 0);
	assert_int_equal(tsend_all(cmd, town), 3);
	assert_int_equal(drill_scenario(town, &s, &started, &speed), 1);
	cJSON_Delete(s);
	assert_int_equal(started, T0);
	assert_int_equal(speed, 10);
	assert_int_equal(drill_tick(town, T0 + 9999, &fired), 0);
	assert_int_equal(fired, 0);
	/* The town reports the landslide (drill-2) five minutes after it:
	 * on time at the command station, done by datian. */
	tclock_ms = (T0 + 35 * 60) * 1000;
	assert_int_equal(incident_report(town, "drill-2", REPORT_FIRST, "phone",
					 "首报", 0, id), 0);
	assert_int_equal(tsend_all(town, cmd), 1);
	assert_int_equal(drill_score(cmd, T0 + 100 * 60, &r), 0);
	assert_string_equal(status_of(r, "first"), "on_time");
	assert_string_equal(by_of(r, "first"), "datian");
	assert_string_equal(status_of(r, "send"), "missed");
	cJSON_Delete(r);
	/* The town's own report says the same, its injects come by time. */
	assert_int_equal(drill_score(town, T0 + 100 * 60, &r), 0);
	assert_string_equal(status_of(r, "first"), "on_time");
	assert_string_equal(status_of(r, "send"), "missed");
	cJSON_Delete(r);
	db_close(&town);
	db_close(&cmd);
}

static void
drill_operations_stay_in_drills(void **state)
{
	struct db *live = tdb_new("livecmd", ROLE_COMMAND, 0);
	struct db *town = joined_db("c3.db", "datian");
	struct op op;
	(void)state;

	/* An operation of the drill in the live realm: no replica takes it. */
	tmkop(&op, "drill", "0000000000000000", 1, (T0 * 1000) << 16, "drill",
	      "log.add", "drill-1", "{\"kind\":\"note\",\"text\":\"x\","
	      "\"at\":\"2026-11-28T12:00:00Z\"}");
	trefused(live, op_apply(live, &op), DD_E_SCHEMA, "not a drill's");
	/* A drill's setup comes from the drill, not from a station. */
	snprintf(op.realm, sizeof op.realm, "drill-t1");
	snprintf(op.station, sizeof op.station, "linhai");
	snprintf(op.kind, sizeof op.kind, "drill.setup");
	snprintf(op.entity, sizeof op.entity, "drill-0");
	cJSON_Delete(op.body);
	op.body = cJSON_Parse("{\"scenario\":\"{}\",\"started\":"
			      "\"2026-11-28T12:00:00Z\",\"speed\":1}");
	trefused(town, op_apply(town, &op), DD_E_SCHEMA, "from the drill only");
	op_clear(&op);
	assert_false(realm_is_drill("live"));
	assert_false(realm_is_drill("drill-"));
	assert_false(realm_is_drill("drill-A1"));
	assert_true(realm_is_drill("drill-20261128120000"));
	db_close(&town);
	db_close(&live);
}

static void
not_a_drill(void **state)
{
	struct db *db = tdb_new("plain", ROLE_TOWN, 0);
	cJSON *r = NULL;
	int fired;
	(void)state;

	assert_int_equal(drill_tick(db, T0, &fired), 0);
	assert_int_equal(fired, 0);
	assert_int_equal(drill_score(db, T0, &r), DD_E_NOTFOUND);
	assert_null(r);
	db_close(&db);
}

/* ---- the live people in a drill ---- */

/* A contact added to db with contact_add: its id, in one of eight
 * buffers that take turns. */
static const char *
person(struct db *db, const char *name, const char *phone, const char *role,
       const char *town)
{
	static char ids[8][64];
	static int slot;
	cJSON *f = cJSON_CreateObject();

	slot = (slot + 1) % 8;
	cJSON_AddStringToObject(f, "name", name);
	cJSON_AddStringToObject(f, "phones", phone);
	cJSON_AddStringToObject(f, "role", role);
	if (town)
		cJSON_AddStringToObject(f, "town", town);
	assert_int_equal(contact_add(db, f, ids[slot]), 0);
	cJSON_Delete(f);
	return ids[slot];
}

/* Member name of db's export as JSON text (caller frees), without the
 * mark a drill database's records carry. */
static char *
part(struct db *db, const char *name)
{
	cJSON *x = NULL, *o;
	char *t;

	assert_int_equal(state_export(db, &x), 0);
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(x, name))
		cJSON_DeleteItemFromObject(o, "drill");
	t = cJSON_PrintUnformatted(cJSON_GetObjectItem(x, name));
	cJSON_Delete(x);
	return t;
}

/* The names a warning of db names for town, ", " between them. */
static const char *
named(struct db *db, const char *warning, const char *town)
{
	static char buf[300];
	cJSON *f = cJSON_CreateObject(), *l = NULL, *o;
	size_t n = 0;

	buf[0] = 0;
	cJSON_AddStringToObject(f, "warning", warning);
	assert_int_equal(state_list(db, LIST_CALLEES, f, &l), 0);
	cJSON_ArrayForEach(o, l)
		if (strcmp(cJSON_GetObjectItem(o, "town")->valuestring, town) == 0 &&
		    cJSON_IsString(cJSON_GetObjectItem(o, "name")))
			n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s",
					      n ? ", " : "", cJSON_GetObjectItem(o,
					      "name")->valuestring);
	cJSON_Delete(l);
	cJSON_Delete(f);
	return buf;
}

/* A risk point of 30 people at risk in town, watched by monitor (a name,
 * with a phone or not). */
static void
risk_point(struct db *db, const char *code, const char *town,
	   const char *monitor, const char *phone)
{
	cJSON *f = cJSON_CreateObject();
	int changed;

	cJSON_AddStringToObject(f, "code", code);
	cJSON_AddStringToObject(f, "name", code);
	cJSON_AddStringToObject(f, "kind", "山洪");
	cJSON_AddStringToObject(f, "town", town);
	cJSON_AddStringToObject(f, "people", "30");
	cJSON_AddStringToObject(f, "monitor", monitor);
	if (phone)
		cJSON_AddStringToObject(f, "monitor_phone", phone);
	assert_int_equal(risk_put(db, f, &changed), 0);
	assert_int_equal(changed, 1);
	cJSON_Delete(f);
}

/* A live county: the command station linhai and the town datian, with
 * people in the directory, a shift on each roster covering T0, a seed's
 * shelter manager with a new phone, someone taken out of the directory,
 * and a silent limit of the county's. */
static struct db *
live_county(struct db **town_out, char live_last[64], char town_last[64])
{
	struct db *live = tdb_new("linhai", ROLE_COMMAND, 1);
	struct db *town = tdb_new("datian", ROLE_TOWN, 1);
	char lead[64], off[64], id[64], gone[64];
	cJSON *f;

	time_set_zone("Asia/Shanghai");
	snprintf(lead, 64, "%s", person(live, "郑国强", "13800000001",
					"county_leader", NULL));
	snprintf(off, 64, "%s", person(live, "王芳", "13800000002", "officer",
				       NULL));
	person(live, "吴雨桐", "13805761234", "town_leader", "datian");
	person(live, "林一鸣", "13905761111", "town_duty", "datian");
	person(live, "葛丽", "15900001111", "town_duty", "shangpan");
	snprintf(gone, 64, "%s", person(live, "周涛", "13700000000", "town_duty",
					"datian"));
	f = cJSON_CreateObject();
	cJSON_AddBoolToObject(f, "deleted", 1);
	assert_int_equal(contact_update(live, gone, f), 0);
	cJSON_Delete(f);
	assert_int_equal(contact_find(live, "吴文斌", id), 1);
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "phones", "13312345678");
	assert_int_equal(contact_update(live, id, f), 0);
	cJSON_Delete(f);
	assert_int_equal(setting_set(live, "silent.blue", "20"), 0);
	/* Two risk points, one with people moved, the other cleared. */
	risk_point(live, "LH-DT-001", "datian", "林一鸣", NULL);
	risk_point(live, "LH-SP-001", "shangpan", "葛丽", "159-0000-1111");
	assert_int_equal(risk_evacuate(live, "LH-DT-001", 20, id), 0);
	assert_int_equal(risk_clear(live, "LH-SP-001", id), 0);
	assert_int_equal(roster_add(live, "2026-11-28", "08:30", 24, lead, off,
				    NULL, live_last), 0);
	/* The town's roster, made at the town. */
	texchange(live, town);
	assert_int_equal(roster_add(town, "2026-11-28", "08:00", 24, "林一鸣",
				    "吴雨桐", NULL, town_last), 0);
	texchange(town, live);
	*town_out = town;
	return live;
}

static void
drill_carries_the_people(void **state)
{
	char live_last[64], town_last[64];
	struct db *town, *live = live_county(&town, live_last, town_last);
	struct db *db = drill_db("p1.db", T0, 1);
	struct station_info si;
	cJSON *s = NULL;
	char *a, *b, id[64];
	int fired;
	(void)state;

	assert_int_equal(drill_copy_live(db, live), 0);
	/* The drill holds the directory and every roster as live does, ids
	 * and all, made by the drill, not by the officer. */
	a = part(live, "contacts");
	b = part(db, "contacts");
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = part(live, "roster");
	b = part(db, "roster");
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_int_equal(station_info(db, &si), 0);
	assert_int_equal(si.queued, 0);
	assert_int_equal(ops_of(db, "linhai"), 0);
	/* Six contacts, a seed's changed one (not the others, the drill's
	 * seed holds them as they are), two shifts, a setting, two risk
	 * points. */
	assert_int_equal(ops_of(db, "drill"), 6 + 1 + 2 + 1 + 2);
	/* The risk points by their live codes and monitors, as they are:
	 * the live people moved and clearing are not the drill's. */
	{
		cJSON *lr = NULL, *dr = NULL;
		int i;
		assert_int_equal(risk_list(live, NULL, &lr), 0);
		assert_int_equal(risk_list(db, NULL, &dr), 0);
		assert_int_equal(cJSON_GetArraySize(dr), 2);
		for (i = 0; i < 2; i++) {
			cJSON *l = cJSON_GetArrayItem(lr, i);
			cJSON *d = cJSON_GetArrayItem(dr, i);
			static const char *const same[] = { "id", "name", "kind",
				"town", "monitor", "monitor_name", NULL };
			const char *const *k;
			for (k = same; *k; k++)
				assert_string_equal(cJSON_GetObjectItem(l, *k)->valuestring,
						    cJSON_GetObjectItem(d, *k)->valuestring);
			assert_int_equal(cJSON_GetObjectItem(d, "people")->valuedouble,
					 30);
			assert_int_equal(cJSON_GetObjectItem(d, "moved")->valuedouble,
					 0);
			assert_true(cJSON_IsNull(cJSON_GetObjectItem(d, "cleared_at")));
		}
		assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(lr, 0),
						     "moved")->valuedouble, 20);
		cJSON_Delete(lr);
		cJSON_Delete(dr);
	}
	/* Who is on duty now, at the command station and at datian. */
	assert_int_equal(roster_at(db, NULL, T0, 0, &s), 1);
	assert_string_equal(cJSON_GetObjectItem(s, "officer1_name")->valuestring,
			    "王芳");
	cJSON_Delete(s);
	assert_int_equal(roster_at(db, "datian", T0, 0, &s), 1);
	assert_string_equal(cJSON_GetObjectItem(s, "leader_name")->valuestring,
			    "林一鸣");
	cJSON_Delete(s);
	/* The county's silent limit holds in the drill. */
	assert_int_equal(warning_silent_secs(db, "blue"), 20 * 60);
	/* The warning the drill injects, and one the officer issues, name
	 * the towns' people of the live directory (not the one taken out). */
	assert_int_equal(drill_tick(db, T0, &fired), 0);
	assert_int_equal(fired, 1);
	assert_string_equal(named(db, "drill-1", "datian"), "吴雨桐, 林一鸣");
	assert_string_equal(named(db, "drill-1", "shangpan"), "葛丽");
	{
		cJSON *t = cJSON_CreateArray();
		cJSON_AddItemToArray(t, cJSON_CreateString("datian"));
		assert_int_equal(warning_issue(db, "typhoon", "orange", "台风橙色预警",
					       t, id), 0);
		cJSON_Delete(t);
	}
	assert_string_equal(named(db, id, "datian"), "吴雨桐, 林一鸣");
	/* The records the drill station makes are numbered past its live
	 * ones (the warning above was the first). */
	assert_string_equal(id, id_after(live_last));
	/* And 叫应 by name: the town's leader answers. */
	assert_int_equal(warning_answer(db, "drill-1", "datian", "wu yu tong", id),
			 0);
	db_close(&db);
	db_close(&town);
	db_close(&live);
	time_set_zone(NULL);
}

static int
take_one(const struct op *op, void *ctx)
{
	struct db *srv = ctx;
	int64_t sseq;
	int rc = replica_take(srv, op, ROLE_COMMAND, &sseq);

	if (rc != 1)
		fail_msg("the server took %s %s: %d (%s)", op->kind, op->entity, rc,
			 db_errmsg(srv));
	return 0;
}

static int
relay_one(const struct op *op, int64_t sseq, void *ctx)
{
	(void)sseq;
	if (op_apply(ctx, op) != 1)
		fail_msg("relayed %s %s: %s", op->kind, op->entity,
			 db_errmsg(ctx));
	return 0;
}

/* The outbox of cmd pushed to a county server of the drill's realm (its
 * log and projection) and relayed from it to town: how many it took. */
static int64_t
via_server(struct db *cmd, struct db *town)
{
	struct db *srv = NULL;
	const char *path = tpath("srv-drill.db");
	int64_t head = 0;

	unlink(path);
	assert_int_equal(db_open(path, DB_CREATE, &srv), 0);
	db_set_clock(srv, &test_clock);
	assert_int_equal(station_init(srv, "server", ROLE_COMMAND, "drill-t1", 1),
			 0);
	assert_int_equal(db_begin(srv), 0);
	assert_int_equal(op_each(cmd, 1, take_one, srv), 0);
	assert_int_equal(db_end(srv, 0), 0);
	assert_int_equal(replica_project_all(srv), 0);
	assert_int_equal(replica_head(srv, &head), 0);
	assert_int_equal(replica_each_after(srv, 0, 100000, relay_one, town), 0);
	db_close(&srv);
	return head;
}

static void
county_drill_carries_the_people(void **state)
{
	char live_last[64], town_last[64];
	struct db *town, *live;
	struct db *cmd, *joined;
	struct station_info si;
	char *a, *b, id[64];
	int fired;
	int64_t n;
	(void)state;

	tclock_ms = T0 * 1000;
	live = live_county(&town, live_last, town_last);
	cmd = drill_db("p2.db", T0, 1);
	joined = joined_db("p3.db", "datian");

	/* The command station that runs it pushes the people with the
	 * setup, as the drill's; the town that joins copies nothing, and
	 * gets them from what it pulls. */
	assert_int_equal(drill_announce(cmd), 0);
	assert_int_equal(drill_copy_live(cmd, live), 0);
	assert_int_equal(station_info(cmd, &si), 0);
	n = si.queued;
	assert_true(n > 5);
	assert_int_equal(drill_copy_live(joined, town), 0);
	assert_int_equal(tnops(joined), ops_of(joined, "seed"));
	assert_int_equal(drill_tick(cmd, T0, &fired), 0);
	assert_int_equal(station_info(cmd, &si), 0);
	assert_int_equal(si.queued, n + 2);
	/* Through the county server, which takes every one of them from
	 * the command station and relays them. */
	assert_int_equal(via_server(cmd, joined), n + 2);
	a = part(cmd, "contacts");
	b = part(joined, "contacts");
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_string_equal(named(joined, "drill-1", "datian"), "吴雨桐, 林一鸣");
	/* The town's next record is past its live ones; its answer names
	 * its leader and reaches the command station. */
	assert_int_equal(warning_answer(joined, "drill-1", "datian", "吴雨桐", id),
			 0);
	assert_string_equal(id, id_after(town_last));
	assert_int_equal(tsend_all(joined, cmd), 1);
	a = texport(cmd);
	b = texport(joined);
	assert_string_equal(a, b);
	free(a);
	free(b);
	db_close(&joined);
	db_close(&cmd);
	db_close(&town);
	db_close(&live);
	time_set_zone(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(malformed_scenarios),
		cmocka_unit_test(not_a_drill),
		cmocka_unit_test(scored_before_anything_fired),
		cmocka_unit_test(over_after_the_last_inject),
		cmocka_unit_test(about_warnings_and_teams),
		cmocka_unit_test(answers_are_expected_actions),
		cmocka_unit_test(turnout_counts_a_skipped_en_route),
		cmocka_unit_test(injects_fire_on_the_drill_clock),
		cmocka_unit_test(scored_on_time_late_missed),
		cmocka_unit_test(county_drill_travels),
		cmocka_unit_test(drill_operations_stay_in_drills),
		cmocka_unit_test(drill_carries_the_people),
		cmocka_unit_test(county_drill_carries_the_people),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
