/*
 * test_daily.c - the duty day and the daily report: a day runs from
 * shift.start to shift.start in the station's zone (a time before
 * shift.start belongs to the day before, across months and years); bad
 * dates are refused; daily_report gathers the day's report clocks, the
 * levels as they stood at a past day's end, written reports counted at
 * their signing, the disaster statistics per town and their county
 * total, and the risk points per town.
 */
#include "testlib.h"

#include "core/private.h"

static const char *
date_at(struct db *db, int64_t at)
{
	static char buf[4][11];
	static int slot;

	slot = (slot + 1) % 4;
	assert_int_equal(duty_date(db, at, buf[slot]), 0);
	return buf[slot];
}

static void
day_bounds(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	int64_t from, to, start;
	(void)state;

	/* T0 is 2026-11-28 20:00 at the station; shift.start 08:30. */
	assert_int_equal(time_parse_iso("2026-11-28T00:30:00Z", &start), 0);
	assert_int_equal(duty_day_bounds(db, "2026-11-28", &from, &to), 0);
	assert_int_equal(from, start);
	assert_int_equal(to, start + 86400);
	assert_string_equal(date_at(db, T0), "2026-11-28");
	/* 08:29:59 is the day before's; 08:30 begins the day. */
	assert_string_equal(date_at(db, start - 1), "2026-11-27");
	assert_string_equal(date_at(db, start), "2026-11-28");
	assert_string_equal(date_at(db, to - 1), "2026-11-28");
	assert_string_equal(date_at(db, to), "2026-11-29");
	/* Midnight at the station is still the day before's duty. */
	assert_string_equal(date_at(db, start - 1800 + 86400), "2026-11-28");
	/* Across a month and a year. */
	assert_int_equal(time_parse_iso("2026-12-01T00:00:00Z", &start), 0);
	assert_string_equal(date_at(db, start), "2026-11-30");
	assert_int_equal(time_parse_iso("2026-12-31T23:59:00Z", &start), 0);
	assert_string_equal(date_at(db, start), "2026-12-31"); /* 07:59 on 1 Jan */
	assert_int_equal(duty_day_bounds(db, "2026-12-31", &from, &to), 0);
	assert_string_equal(tiso(to), "2027-01-01T00:30:00Z");
	assert_int_equal(duty_day_bounds(db, "2028-02-29", &from, &to), 0);
	assert_string_equal(tiso(from), "2028-02-29T00:30:00Z");

	/* Another shift.start moves both. */
	assert_int_equal(setting_set(db, "shift.start", "18:00"), 0);
	assert_string_equal(date_at(db, T0), "2026-11-28");        /* 20:00 */
	assert_string_equal(date_at(db, T0 - 3 * 3600), "2026-11-27"); /* 17:00 */
	assert_int_equal(duty_day_bounds(db, "2026-11-28", &from, &to), 0);
	assert_string_equal(tiso(from), "2026-11-28T10:00:00Z");
	assert_string_equal(tiso(to), "2026-11-29T10:00:00Z");
	assert_int_equal(setting_set(db, "shift.start", "00:00"), 0);
	assert_string_equal(date_at(db, T0 + 4 * 3600 - 1), "2026-11-28");
	assert_string_equal(date_at(db, T0 + 4 * 3600), "2026-11-29");
}

static void
day_bad(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 0);
	static const char *const bad[] = { "", "2026-02-29", "2026-13-01",
		"2026-00-10", "2026-04-31", "2026-1-05", "2026-01-5 ", "26-01-05",
		"2026/01/05", "2026-01-05T", "abcd-ef-gh", "1969-12-31",
		"2026-01-+5", NULL };
	int64_t from = 7, to = 7;
	cJSON *r = NULL;
	int i;
	(void)state;

	trefused(db, duty_day_bounds(db, NULL, &from, &to), DD_E_INVALID,
		 "YYYY-MM-DD");
	for (i = 0; bad[i]; i++) {
		int rc = duty_day_bounds(db, bad[i], &from, &to);
		if (rc != DD_E_INVALID)
			fail_msg("'%s': %d", bad[i], rc);
		rc = daily_report(db, bad[i][0] ? bad[i] : "x", &r);
		if (rc != DD_E_INVALID || r)
			fail_msg("daily_report '%s': %d", bad[i], rc);
	}
	assert_int_equal(from, 7);
	assert_int_equal(to, 7);
}

/* An incident received at recv (seconds), its id in id. */
static void
incident_at(struct db *db, const char *town, int64_t recv, char id[64])
{
	cJSON *f = cJSON_CreateObject();
	char at[21];

	time_format_iso(recv, at);
	cJSON_AddStringToObject(f, "town", town);
	cJSON_AddStringToObject(f, "title", "test");
	cJSON_AddStringToObject(f, "received_at", at);
	assert_int_equal(incident_add(db, f, id), 0);
	cJSON_Delete(f);
}

static const cJSON *
find(const cJSON *arr, const char *k, const char *v)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, arr)
		if (strcmp(tstr(o, k), v) == 0)
			return o;
	fail_msg("no %s %s", k, v);
	return NULL;
}

static void
report_clocks(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	char a[64], b[64], c[64], rep[64];
	cJSON *r = NULL;
	const cJSON *o;
	(void)state;

	incident_at(db, "hetou", T0 - 3600, a);
	assert_int_equal(incident_report(db, a, REPORT_FIRST, "phone", NULL,
					 T0 - 3600 + 40 * 60, rep), 0);
	incident_at(db, "datian", T0 - 600, b);
	assert_int_equal(incident_report(db, b, REPORT_FIRST, "phone", NULL,
					 T0 - 300, rep), 0);
	tclock_ms += 3600 * 1000; /* 21:00 */
	incident_at(db, "gucheng", T0 + 3600 - 60, c);
	assert_int_equal(daily_report(db, NULL, &r), 0);
	tkeep(r);
	assert_string_equal(tstr(r, "date"), "2026-11-28");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r, "over")));
	o = find(cJSON_GetObjectItem(r, "incidents"), "id", a);
	assert_string_equal(tstr(o, "phone_state"), "late");
	assert_int_equal(tnum(o, "phone_late_secs"), 600);
	assert_string_equal(tstr(o, "written_state"), "overdue");
	assert_int_equal(tnum(o, "written_late_secs"), 3600);
	o = find(cJSON_GetObjectItem(r, "incidents"), "id", b);
	assert_string_equal(tstr(o, "phone_state"), "on_time");
	assert_int_equal(tnum(o, "phone_late_secs"), 0);
	assert_string_equal(tstr(o, "written_state"), "overdue");
	assert_int_equal(tnum(o, "written_late_secs"), 600);
	/* A clock not run out yet. */
	o = find(cJSON_GetObjectItem(r, "incidents"), "id", c);
	assert_string_equal(tstr(o, "phone_state"), "pending");
	assert_int_equal(tnum(o, "phone_late_secs"), 0);
	assert_string_equal(tstr(o, "phone_due_at"), tiso(T0 + 3600 - 60 + 1800));
	o = cJSON_GetObjectItem(r, "incident_counts");
	assert_int_equal(tnum(o, "received"), 3);
	assert_int_equal(tnum(o, "phone_late"), 1);
	assert_int_equal(tnum(o, "phone_on_time"), 1);
	/* The next day: all carried, still open; one closed in it is there,
	 * not open at its end; the day after, it is gone. */
	tclock_ms += 86400 * 1000;
	assert_int_equal(incident_set_status(db, a, "closed"), 0);
	assert_int_equal(daily_report(db, "2026-11-29", &r), 0);
	tkeep(r);
	o = cJSON_GetObjectItem(r, "incident_counts");
	assert_int_equal(tnum(o, "received"), 0);
	assert_int_equal(tnum(o, "carried"), 3);
	assert_int_equal(tnum(o, "open_at_end"), 2);
	o = find(cJSON_GetObjectItem(r, "incidents"), "id", a);
	assert_int_equal(tnum(o, "open_at_end"), 0);
	assert_int_equal(tnum(o, "carried"), 1);
	tclock_ms += 86400 * 1000;
	assert_int_equal(daily_report(db, "2026-11-30", &r), 0);
	tkeep(r);
	assert_int_equal(tnum(cJSON_GetObjectItem(r, "incident_counts"),
			      "carried"), 2);
	/* The 28th, looked at later: all three open at its end. */
	assert_int_equal(daily_report(db, "2026-11-28", &r), 0);
	tkeep(r);
	assert_int_equal(tnum(cJSON_GetObjectItem(r, "incident_counts"),
			      "open_at_end"), 3);
	/* The day before: nothing. */
	assert_int_equal(daily_report(db, "2026-11-27", &r), 0);
	tkeep(r);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "incidents")),
			 0);
}

static void
levels_at_day_end(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	char id[64];
	cJSON *r = NULL;
	const cJSON *l;
	(void)state;

	assert_int_equal(response_decide(db, "typhoon", RESP_START, 4, "张局长",
					 NULL, id), 0);
	tclock_ms += 86400 * 1000; /* the next day, 20:00 */
	assert_int_equal(response_decide(db, "typhoon", RESP_RAISE, 3, "张局长",
					 NULL, id), 0);
	/* The 28th ended with IV in force; its decision was the start. */
	assert_int_equal(daily_report(db, "2026-11-28", &r), 0);
	tkeep(r);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r, "over")));
	l = cJSON_GetObjectItem(r, "levels");
	assert_int_equal(cJSON_GetArraySize(l), 1);
	assert_int_equal(tnum(cJSON_GetArrayItem(l, 0), "level"), 4);
	l = cJSON_GetObjectItem(r, "decisions");
	assert_int_equal(cJSON_GetArraySize(l), 1);
	assert_string_equal(tstr(cJSON_GetArrayItem(l, 0), "action"), "start");
	/* Today: III in force, raised today. */
	assert_int_equal(daily_report(db, NULL, &r), 0);
	tkeep(r);
	assert_string_equal(tstr(r, "date"), "2026-11-29");
	l = cJSON_GetObjectItem(r, "levels");
	assert_int_equal(tnum(cJSON_GetArrayItem(l, 0), "level"), 3);
	assert_string_equal(tstr(cJSON_GetArrayItem(cJSON_GetObjectItem(
				r, "decisions"), 0), "action"), "raise");
	/* Ended the day after: nothing in force at its end. */
	tclock_ms += 86400 * 1000;
	assert_int_equal(response_decide(db, "typhoon", RESP_END, 0, "张局长",
					 NULL, id), 0);
	tclock_ms += 86400 * 1000;
	assert_int_equal(daily_report(db, "2026-11-30", &r), 0);
	tkeep(r);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r, "levels")), 0);
}

/* A written report counts at its signing: made in time but signed late
 * it is late; signed in time, on time; of two, the one signed first
 * counts, whichever was made first and in whatever order the signings
 * arrive at another station. */
static void
written_signed(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	struct db *b = tstation("beiyong", ROLE_COMMAND, 1);
	char late[64], ontime[64], two[64], w1[64], w2[64], wa[64], wb[64];
	char sid[64], lid[64];
	cJSON *f = tkeep(cJSON_CreateObject()), *r = NULL;
	const cJSON *o;
	int i;
	(void)state;

	cJSON_AddStringToObject(f, "name", "张局长");
	cJSON_AddStringToObject(f, "phones", "13500001111");
	cJSON_AddStringToObject(f, "role", "county_leader");
	assert_int_equal(contact_add(db, f, lid), 0);
	incident_at(db, "hetou", T0 - 2 * 3600, late);
	incident_at(db, "datian", T0 - 2 * 3600, ontime);
	incident_at(db, "gucheng", T0 - 2 * 3600, two);
	assert_int_equal(incident_report(db, late, REPORT_FOLLOWUP, "written",
					 NULL, T0 - 2 * 3600 + 40 * 60, w1), 0);
	assert_int_equal(incident_report(db, ontime, REPORT_FOLLOWUP, "written",
					 NULL, T0 - 2 * 3600 + 40 * 60, w2), 0);
	assert_int_equal(incident_report(db, two, REPORT_FOLLOWUP, "written",
					 NULL, T0 - 2 * 3600 + 40 * 60, wa), 0);
	assert_int_equal(incident_report(db, two, REPORT_FOLLOWUP, "written",
					 NULL, T0 - 2 * 3600 + 50 * 60, wb), 0);
	/* Unsigned, none is sent: all overdue. */
	assert_int_equal(daily_report(db, NULL, &r), 0);
	tkeep(r);
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(r, "incidents")) {
		assert_string_equal(tstr(o, "written_state"), "overdue");
		assert_true(tis_null(o, "written_done_at"));
	}
	tsend_all(db, b);
	/* Signed 80 minutes after: late by 20. */
	assert_int_equal(report_sign(db, w1, "张局长", T0 - 2 * 3600 + 80 * 60,
				     sid), 0);
	/* Signed 45 minutes after: on time. */
	assert_int_equal(report_sign(db, w2, "张局长", T0 - 2 * 3600 + 45 * 60,
				     sid), 0);
	/* The first made signed last (90), the second first (55): 55. */
	assert_int_equal(report_sign(db, wa, "张局长", T0 - 2 * 3600 + 90 * 60,
				     sid), 0);
	assert_int_equal(report_sign(b, wb, "张局长", T0 - 2 * 3600 + 55 * 60,
				     sid), 0);
	texchange(db, b);
	for (i = 0; i < 2; i++) {
		struct db *s = i ? b : db;
		assert_int_equal(daily_report(s, NULL, &r), 0);
		tkeep(r);
		o = find(cJSON_GetObjectItem(r, "incidents"), "id", late);
		assert_string_equal(tstr(o, "written_state"), "late");
		assert_int_equal(tnum(o, "written_late_secs"), 20 * 60);
		assert_string_equal(tstr(o, "written_done_at"),
				    tiso(T0 - 2 * 3600 + 80 * 60));
		o = find(cJSON_GetObjectItem(r, "incidents"), "id", ontime);
		assert_string_equal(tstr(o, "written_state"), "on_time");
		assert_int_equal(tnum(o, "written_late_secs"), 0);
		o = find(cJSON_GetObjectItem(r, "incidents"), "id", two);
		assert_string_equal(tstr(o, "written_state"), "on_time");
		assert_string_equal(tstr(o, "written_done_at"),
				    tiso(T0 - 2 * 3600 + 55 * 60));
		o = cJSON_GetObjectItem(r, "incident_counts");
		assert_int_equal(tnum(o, "written_on_time"), 2);
		assert_int_equal(tnum(o, "written_late"), 1);
	}
	assert_string_equal(texport_of(db), texport_of(b));
}

/* Figures (JSON text) of town for date set on db through stats_set. */
static void
figures(struct db *db, const char *town, const char *date, const char *figs)
{
	cJSON *f = tkeep(cJSON_Parse(figs));
	int rc;

	assert_non_null(f);
	if ((rc = stats_set(db, town, date, f, NULL)))
		fail_msg("stats_set %s %s: %d %s", town, figs, rc, db_errmsg(db));
}

/* A risk point of town with people at risk, made through risk_put. */
static void
point(struct db *db, const char *code, const char *town, const char *people)
{
	cJSON *f = tkeep(cJSON_CreateObject());
	int changed = 0;

	cJSON_AddStringToObject(f, "code", code);
	cJSON_AddStringToObject(f, "name", code);
	cJSON_AddStringToObject(f, "kind", "山洪");
	cJSON_AddStringToObject(f, "town", town);
	cJSON_AddStringToObject(f, "people", people);
	if (risk_put(db, f, &changed))
		fail_msg("risk_put %s: %s", code, db_errmsg(db));
	assert_int_equal(changed, 1);
}

/* Statistics set by a town station (its own town, synced up) and by the
 * county (another town, another day), and risk points put, evacuated and
 * cleared through their functions, before and after the day's end. */
static void
stats_and_risk(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	struct db *ht = tstation("hetou", ROLE_TOWN, 1);
	const cJSON *s, *t;
	cJSON *r = NULL;
	struct op op;
	char id[64], code[64];
	int64_t from, to;
	(void)state;

	figures(ht, "hetou", "2026-11-28", "{\"affected\": 120, \"loss\": 125}");
	tsend_all(ht, db);
	figures(db, "datian", "2026-11-28", "{\"affected\": 30, \"crop_ha\": 7}");
	figures(db, "datian", "2026-11-27", "{\"affected\": 999}");
	/* A field of no known name (a later version's) is refused at intake
	 * and counts nowhere. */
	tmkop(&op, "hetou", "i9", 99, (T0 * 1000) << 16, "x", "stats.set",
	      "datian", "{\"town\": \"datian\", \"date\": \"2026-11-28\", "
	      "\"later\": 5, \"at\": \"2026-11-28T12:00:00Z\"}");
	trefused(db, op_apply(db, &op), DD_E_SCHEMA, "later");
	op_clear(&op);
	assert_int_equal(duty_day_bounds(db, "2026-11-28", &from, &to), 0);
	point(db, "r1", "hetou", "100");
	point(db, "r2", "hetou", "50");
	point(db, "r3", "datian", "10");
	/* A minute before the day's end: r1 cleared, 60 moved out of it. */
	tclock_ms = (to - 60) * 1000;
	assert_int_equal(risk_evacuate(db, "r1", 60, id), 0);
	assert_int_equal(risk_clear(db, "r1", code), 0);
	/* A minute after: r3 cleared, 5 out of r2, both the next day's. */
	tclock_ms = (to + 60) * 1000;
	assert_int_equal(risk_clear(db, "r3", code), 0);
	assert_int_equal(risk_evacuate(db, "r2", 5, id), 0);
	assert_int_equal(daily_report(db, "2026-11-28", &r), 0);
	tkeep(r);
	s = cJSON_GetObjectItem(r, "stats");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(s, "towns")), 2);
	t = find(cJSON_GetObjectItem(s, "towns"), "town", "hetou");
	assert_int_equal(tnum(t, "affected"), 120);
	assert_int_equal(tnum(t, "loss"), 125);
	assert_int_equal(tnum(t, "dead"), 0);
	t = cJSON_GetObjectItem(s, "total");
	assert_int_equal(tnum(t, "affected"), 150);
	assert_int_equal(tnum(t, "crop_ha"), 7);
	assert_null(cJSON_GetObjectItem(t, "later"));
	assert_int_equal(cJSON_GetArraySize(t), STATS_NFIELDS);
	/* Risk points as they stood at the day's end. */
	t = find(cJSON_GetObjectItem(r, "risk_points"), "town", "hetou");
	assert_int_equal(tnum(t, "points"), 2);
	assert_int_equal(tnum(t, "cleared"), 1);
	assert_int_equal(tnum(t, "people"), 150);
	assert_int_equal(tnum(t, "moved"), 60);
	t = find(cJSON_GetObjectItem(r, "risk_points"), "town", "datian");
	assert_int_equal(tnum(t, "cleared"), 0);
	t = cJSON_GetObjectItem(r, "risk_counts");
	assert_int_equal(tnum(t, "points"), 3);
	assert_int_equal(tnum(t, "moved"), 60);
	/* The next day has what came after: both cleared, 65 moved; and
	 * the 27th its own figure alone. */
	assert_int_equal(daily_report(db, "2026-11-29", &r), 0);
	tkeep(r);
	t = cJSON_GetObjectItem(r, "risk_counts");
	assert_int_equal(tnum(t, "cleared"), 2);
	assert_int_equal(tnum(t, "moved"), 65);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
		cJSON_GetObjectItem(r, "stats"), "towns")), 0);
	assert_int_equal(daily_report(db, "2026-11-27", &r), 0);
	tkeep(r);
	t = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "stats"), "total");
	assert_int_equal(tnum(t, "affected"), 999);
}

/* The report stores nothing. */
static void
reads_only(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	char *before, *after, id[64];
	int64_t n;
	cJSON *r = NULL;
	(void)state;

	incident_at(db, "hetou", T0 - 60, id);
	before = texport(db);
	n = tnops(db);
	assert_int_equal(daily_report(db, NULL, &r), 0);
	cJSON_Delete(r);
	after = texport(db);
	assert_string_equal(before, after);
	assert_int_equal(tnops(db), n);
	free(before);
	free(after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tfresh, trelease)
		T(day_bounds),
		T(day_bad),
		T(report_clocks),
		T(levels_at_day_end),
		T(written_signed),
		T(stats_and_risk),
		T(reads_only),
#undef T
	};
	int rc;

	time_set_zone("Asia/Shanghai");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
