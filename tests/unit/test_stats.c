/*
 * test_stats.c - disaster statistics (灾情统计): what intake refuses (an
 * unknown town, a negative figure, a town setting another's, a county
 * change of a town's figure without a reason), the duty day, last
 * writer wins per (town, date, field), the same state and county total
 * whatever order the operations arrive in, and a tie of clock stamps
 * broken by the station.
 */
#include "testlib.h"

#define DAY "2026-11-28"

/* Set figures given as JSON text on db: the return of stats_set. */
static int
set(struct db *db, const char *town, const char *date, const char *figs,
    const char *reason)
{
	cJSON *f = cJSON_Parse(figs);
	int rc;

	assert_non_null(f);
	rc = stats_set(db, town, date, f, reason);
	cJSON_Delete(f);
	return rc;
}

static void
set_ok(struct db *db, const char *town, const char *figs, const char *reason)
{
	int rc = set(db, town, DAY, figs, reason);

	if (rc)
		fail_msg("stats_set %s %s: %s", town, figs, db_errmsg(db));
}

/* The day's figures on db, held. */
static cJSON *
day_of(struct db *db, const char *town)
{
	cJSON *d = NULL;

	assert_int_equal(stats_day(db, DAY, town, 0, &d), 0);
	return tkeep(d);
}

/* Figure field of town on db (-1: none). */
static int64_t
fig(struct db *db, const char *town, const char *field)
{
	cJSON *row = trow(cJSON_GetObjectItem(day_of(db, NULL), "towns"),
			  "town", town);
	const cJSON *v = row ? cJSON_GetObjectItem(row, field) : NULL;

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;
}

static int64_t
total(struct db *db, const char *field)
{
	return tnum(cJSON_GetObjectItem(day_of(db, NULL), "total"), field);
}

/* ---- intake ----------------------------------------------------------- */

static void
intake_refusals(void **state)
{
	struct db *t = tstation("datian", ROLE_TOWN, 1);
	const char *before;
	(void)state;

	before = texport_of(t);
	trefused(t, set(t, "nowhere", DAY, "{\"dead\":1}", NULL), DD_E_NOTFOUND,
		 "nowhere");
	trefused(t, set(t, "datian", DAY, "{\"dead\":-1}", NULL), DD_E_INVALID,
		 "dead");
	trefused(t, set(t, "datian", DAY, "{\"dead\":1.5}", NULL), DD_E_INVALID,
		 "dead");
	trefused(t, set(t, "datian", DAY, "{\"dead\":\"3\"}", NULL), DD_E_INVALID,
		 "dead");
	trefused(t, set(t, "datian", DAY, "{\"dead\":1000000000}", NULL),
		 DD_E_INVALID, "dead");
	trefused(t, set(t, "datian", DAY, "{\"wounded\":1}", NULL), DD_E_INVALID,
		 "wounded");
	trefused(t, set(t, "datian", DAY, "{}", NULL), DD_E_INVALID, "figure");
	trefused(t, set(t, "datian", "2026-02-30", "{\"dead\":1}", NULL),
		 DD_E_INVALID, "2026-02-30");
	trefused(t, set(t, "datian", "28/11/2026", "{\"dead\":1}", NULL),
		 DD_E_INVALID, "YYYY-MM-DD");
	/* A town station sets its own town alone. */
	trefused(t, set(t, "gucheng", DAY, "{\"dead\":1}", NULL), DD_E_ROLE,
		 "gucheng");
	trefused(t, set(t, "古城", DAY, "{\"dead\":1}", NULL), DD_E_ROLE,
		 "gucheng");
	assert_string_equal(texport_of(t), before);
	/* Its own, by name. */
	assert_int_equal(set(t, "大田", DAY, "{\"dead\":1,\"crop_ha\":125}",
			     NULL), 0);
	assert_int_equal(fig(t, "datian", "dead"), 1);
	assert_int_equal(fig(t, "datian", "crop_ha"), 125);
}

/* A town station whose code names no town serves the town set with
 * init --town. */
static void
intake_town_setting(void **state)
{
	struct db *t = tstation("dtzhan", ROLE_TOWN, 1);
	(void)state;

	trefused(t, set(t, "datian", DAY, "{\"dead\":1}", NULL), DD_E_ROLE,
		 "no town");
	assert_int_equal(setting_set(t, "station.town", "datian"), 0);
	set_ok(t, "datian", "{\"dead\":1}", NULL);
	trefused(t, set(t, "gucheng", DAY, "{\"dead\":1}", NULL), DD_E_ROLE,
		 NULL);
}

/* The county changes a figure a town reported only with a reason; its
 * own figures, a town's figure set again to the same value and a figure
 * nobody reported need none. */
static void
county_reason(void **state)
{
	struct db *t = tstation("datian", ROLE_TOWN, 1);
	struct db *c = tstation("linhai", ROLE_COMMAND, 1);
	const char *before;
	cJSON *row;
	(void)state;

	set_ok(t, "datian", "{\"dead\":1,\"missing\":2}", NULL);
	tsend_all(t, c);
	before = texport_of(c);
	trefused(c, set(c, "datian", DAY, "{\"dead\":3}", NULL), DD_E_REFUSED,
		 "reason");
	trefused(c, set(c, "datian", DAY, "{\"dead\":3}", ""), DD_E_REFUSED,
		 "reason");
	assert_string_equal(texport_of(c), before);
	tclock_ms += 1000;
	/* Only the town's own values again: nothing is made. */
	before = texport_of(c);
	set_ok(c, "datian", "{\"missing\":2,\"dead\":1}", NULL);
	assert_string_equal(texport_of(c), before);
	set_ok(c, "datian", "{\"missing\":2,\"affected\":50}", NULL);
	set_ok(c, "gucheng", "{\"dead\":4}", NULL);
	set_ok(c, "gucheng", "{\"dead\":5}", NULL);
	set_ok(c, "datian", "{\"dead\":3}", "核实后更正");
	assert_int_equal(fig(c, "datian", "dead"), 3);
	row = trow(cJSON_GetObjectItem(day_of(c, NULL), "towns"), "town",
		   "datian");
	assert_string_equal(tstr(row, "dead_station"), "linhai");
	assert_string_equal(tstr(row, "dead_reason"), "核实后更正");
	/* The same value as the town's was left out: still the town's. */
	assert_string_equal(tstr(row, "missing_station"), "datian");
	assert_string_equal(tstr(row, "affected_station"), "linhai");
	assert_true(tis_null(row, "affected_reason") ||
		    !cJSON_GetObjectItem(row, "affected_reason"));
	assert_int_equal(total(c, "dead"), 8);
	assert_int_equal(tnum(cJSON_GetObjectItem(day_of(c, NULL), "total"),
			      "towns"), 2);
}

/* The day's list: the towns that reported, every town (all), or one
 * town by name; the total is the county's whichever. */
static void
day_listing(void **state)
{
	struct db *c = tstation("linhai", ROLE_COMMAND, 1);
	cJSON *d = NULL;
	(void)state;

	set_ok(c, "datian", "{\"dead\":1}", NULL);
	set_ok(c, "gucheng", "{\"dead\":2,\"loss\":15}", NULL);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(day_of(c, NULL),
								"towns")), 2);
	assert_int_equal(stats_day(c, DAY, NULL, 1, &d), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(tkeep(d),
								"towns")), 19);
	d = day_of(c, "大田");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(d, "towns")), 1);
	assert_int_equal(tnum(cJSON_GetObjectItem(d, "total"), "dead"), 3);
	/* A town that reported nothing, asked for by name: its row alone. */
	d = day_of(c, "xunqiao");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(d, "towns")), 1);
	assert_true(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(d, "towns"), 0), "dead") == NULL);
	d = NULL;
	trefused(c, stats_day(c, DAY, "nowhere", 0, &d), DD_E_NOTFOUND, NULL);
	assert_null(d);
	trefused(c, stats_day(c, "2026-11-31", NULL, 0, &d), DD_E_INVALID,
		 "2026-11-31");
	assert_int_equal(total(c, "loss"), 15);
}

/* ---- the duty day ------------------------------------------------------ */

static void
duty_day(void **state)
{
	struct db *t = tstation("datian", ROLE_TOWN, 1);
	char d[11];
	cJSON *day = NULL;
	(void)state;

	/* T0 is 20:00 at the station: its own day. */
	assert_int_equal(duty_date(t, T0, d), 0);
	assert_string_equal(d, "2026-11-28");
	/* 07:00 the next morning is still the shift of the 28th... */
	assert_int_equal(duty_date(t, T0 + 11 * 3600, d), 0);
	assert_string_equal(d, "2026-11-28");
	/* ...until shift.start, 08:30. */
	assert_int_equal(duty_date(t, T0 + 12 * 3600 + 30 * 60, d), 0);
	assert_string_equal(d, "2026-11-29");
	assert_int_equal(setting_set(t, "shift.start", "06:00"), 0);
	assert_int_equal(duty_date(t, T0 + 11 * 3600, d), 0);
	assert_string_equal(d, "2026-11-29");
	/* No date given: today's duty day. */
	tclock_ms = (T0 + 11 * 3600) * 1000;
	assert_int_equal(set(t, "datian", NULL, "{\"dead\":1}", NULL), 0);
	assert_int_equal(stats_day(t, NULL, NULL, 0, &day), 0);
	assert_string_equal(tstr(tkeep(day), "date"), "2026-11-29");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(day, "towns")),
			 1);
}

/* ---- merge ------------------------------------------------------------- */

/* Last writer wins field by field: a later report of one figure leaves
 * the others as they were. */
static void
lww_per_field(void **state)
{
	struct db *a = tstation("datian", ROLE_TOWN, 1);
	struct db *c = tstation("linhai", ROLE_COMMAND, 1);
	(void)state;

	set_ok(a, "datian", "{\"dead\":1,\"affected\":100}", NULL);
	tclock_ms += 1000;
	tsend_all(a, c);
	set_ok(c, "datian", "{\"dead\":2}", "县里核实");
	tclock_ms += 1000;
	/* The town, not yet having the county's change, sets affected. */
	set_ok(a, "datian", "{\"affected\":120}", NULL);
	texchange(a, c);
	assert_int_equal(fig(a, "datian", "dead"), 2);
	assert_int_equal(fig(a, "datian", "affected"), 120);
	assert_int_equal(fig(c, "datian", "dead"), 2);
	assert_int_equal(fig(c, "datian", "affected"), 120);
	assert_string_equal(texport_of(a), texport_of(c));
	/* Another day is another figure. */
	assert_int_equal(set(a, "datian", "2026-11-27", "{\"dead\":9}", NULL), 0);
	assert_int_equal(fig(a, "datian", "dead"), 2);
}

/* Operations of three stations made offline, applied to fresh replicas
 * in six orders: byte-identical exports and the same county total. */
static void
orders_converge(void **state)
{
	static const int orders[6][3] = { { 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 } };
	struct db *s[3], *r;
	const char *first = NULL;
	int64_t dead0 = -1, loss0 = -1;
	int i, k;
	(void)state;

	s[0] = tstation("datian", ROLE_TOWN, 1);
	s[1] = tstation("gucheng", ROLE_TOWN, 1);
	s[2] = tstation("linhai", ROLE_COMMAND, 1);
	set_ok(s[0], "datian", "{\"dead\":1,\"affected\":100,\"loss\":305}", NULL);
	set_ok(s[1], "gucheng", "{\"dead\":2,\"collapsed\":3}", NULL);
	set_ok(s[2], "datian", "{\"dead\":4,\"loss\":500}", NULL);
	tclock_ms += 500;
	set_ok(s[1], "gucheng", "{\"dead\":7}", NULL);
	set_ok(s[2], "gucheng", "{\"damaged\":11}", NULL);
	tclock_ms += 500;
	set_ok(s[0], "datian", "{\"loss\":310}", NULL);
	for (k = 0; k < 6; k++) {
		char name[32];
		snprintf(name, sizeof name, "replica%d", k);
		r = tstation(name, ROLE_TOWN, 1);
		for (i = 0; i < 3; i++)
			tsend_all(s[orders[k][i]], r);
		if (!first) {
			first = texport_of(r);
			dead0 = total(r, "dead");
			loss0 = total(r, "loss");
		} else {
			assert_string_equal(texport_of(r), first);
			assert_int_equal(total(r, "dead"), dead0);
			assert_int_equal(total(r, "loss"), loss0);
		}
		tdrop(r);
	}
	/* datian: the county's dead (later than the town's first report),
	 * the town's later loss; gucheng: its own later dead. */
	assert_int_equal(dead0, 4 + 7);
	assert_int_equal(loss0, 310);
}

/* ---- random operations, random interleavings ---- */

static unsigned rnd_state = 12345;

static unsigned
rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) % n;
}

struct oplist {
	struct op op[200];
	int n;
};

static int
keep_op(const struct op *op, void *ctx)
{
	struct oplist *l = ctx;
	cJSON *j;

	if (strcmp(op->kind, "stats.set") != 0)
		return 0;
	j = op_to_json(op);
	assert_true(l->n < 200);
	assert_int_equal(op_from_json(j, &l->op[l->n++]), 0);
	cJSON_Delete(j);
	return 0;
}

/* Three stations set random figures of five towns over two days, some
 * after seeing the others' (a partial sync midway); every operation is
 * then delivered to fresh replicas in random interleavings (each
 * station's in its own order, as the server relays them): the exports
 * are byte-identical and so is the county total. */
static void
random_interleavings(void **state)
{
	static const char *const towns[] = { "datian", "gucheng", "duqiao",
		"taozhu", "shangpan" };
	static const char *const days[] = { "2026-11-27", DAY };
	struct db *s[3];
	struct oplist *ops = calloc(3, sizeof *ops);
	const char *first = NULL;
	int64_t total0[STATS_NFIELDS];
	int i, k, r, f;
	(void)state;

	assert_non_null(ops);
	s[0] = tstation("datian", ROLE_TOWN, 1);
	s[1] = tstation("gucheng", ROLE_TOWN, 1);
	s[2] = tstation("linhai", ROLE_COMMAND, 1);
	for (i = 0; i < 90; i++) {
		int who = (int)rnd(3);
		const char *town = who == 0 ? "datian" : who == 1 ? "gucheng"
				   : towns[rnd(5)];
		char figs[200];
		cJSON *j;
		snprintf(figs, sizeof figs, "{\"%s\":%u,\"%s\":%u}",
			 stats_fields[rnd(STATS_NFIELDS)], rnd(50),
			 stats_fields[rnd(STATS_NFIELDS)], rnd(50));
		/* The same figure twice in one body is refused: fine. */
		j = cJSON_Parse(figs);
		tclock_ms += 1 + rnd(3) * 1000;
		stats_set(s[who], town, days[rnd(2)], j,
			  rnd(2) ? "核实" : NULL);
		cJSON_Delete(j);
		if (i == 45) {
			texchange(s[0], s[2]);
			texchange(s[1], s[2]);
		}
	}
	for (i = 0; i < 3; i++) {
		int self;
		assert_int_equal(op_each(s[i], 0, keep_op, &ops[i]), 0);
		/* Only each station's own, in its order. */
		for (k = 0, self = 0; k < ops[i].n; k++) {
			if (strcmp(ops[i].op[k].station, i == 0 ? "datian" : i == 1
				   ? "gucheng" : "linhai") == 0)
				ops[i].op[self++] = ops[i].op[k];
			else
				op_clear(&ops[i].op[k]);
		}
		ops[i].n = self;
	}
	assert_true(ops[0].n + ops[1].n + ops[2].n > 40);
	for (r = 0; r < 5; r++) {
		char name[32];
		int next[3] = { 0, 0, 0 }, left = ops[0].n + ops[1].n + ops[2].n;
		struct db *x;
		snprintf(name, sizeof name, "shuffle%d", r);
		x = tstation(name, ROLE_TOWN, 1);
		while (left > 0) {
			i = (int)rnd(3);
			if (next[i] == ops[i].n)
				continue;
			assert_int_equal(op_apply(x, &ops[i].op[next[i]++]), 1);
			left--;
		}
		if (!first) {
			first = texport_of(x);
			for (f = 0; f < STATS_NFIELDS; f++)
				total0[f] = total(x, stats_fields[f]);
		} else {
			assert_string_equal(texport_of(x), first);
			for (f = 0; f < STATS_NFIELDS; f++)
				assert_int_equal(total(x, stats_fields[f]), total0[f]);
		}
		tdrop(x);
	}
	/* The stations themselves, once all have everything, agree too. */
	texchange(s[0], s[2]);
	texchange(s[1], s[2]);
	texchange(s[0], s[2]);
	assert_string_equal(texport_of(s[0]), first);
	assert_string_equal(texport_of(s[1]), first);
	assert_string_equal(texport_of(s[2]), first);
	for (i = 0; i < 3; i++)
		for (k = 0; k < ops[i].n; k++)
			op_clear(&ops[i].op[k]);
	free(ops);
}

/* Two stations set one figure with the same clock stamp: the greater
 * station wins, in either order. */
static void
tie_by_station(void **state)
{
	struct db *x = tstation("yyy", ROLE_TOWN, 1);
	struct db *y = tstation("zzz", ROLE_TOWN, 1);
	struct op a, b;
	int64_t hlc = (T0 * 1000) << 16;
	(void)state;

	tmkop(&a, "aaa", "1111111111111111", 1, hlc, "甲", "stats.set", "datian",
	      "{\"town\":\"datian\",\"date\":\"" DAY "\",\"dead\":1,"
	      "\"at\":\"2026-11-28T12:00:00Z\"}");
	tmkop(&b, "bbb", "2222222222222222", 1, hlc, "乙", "stats.set", "datian",
	      "{\"town\":\"datian\",\"date\":\"" DAY "\",\"dead\":2,"
	      "\"at\":\"2026-11-28T12:00:00Z\"}");
	assert_int_equal(op_apply(x, &a), 1);
	assert_int_equal(op_apply(x, &b), 1);
	assert_int_equal(op_apply(y, &b), 1);
	assert_int_equal(op_apply(y, &a), 1);
	assert_int_equal(fig(x, "datian", "dead"), 2);
	assert_int_equal(fig(y, "datian", "dead"), 2);
	assert_string_equal(texport_of(x), texport_of(y));
	op_clear(&a);
	op_clear(&b);
}

/* What a replica refuses on the body alone, whoever sent it. */
static void
wire_refusals(void **state)
{
	struct db *x = tstation("datian", ROLE_TOWN, 1);
	static const char *const bodies[] = {
		/* town is not the entity */
		"{\"town\":\"gucheng\",\"date\":\"" DAY "\",\"dead\":1,"
		"\"at\":\"2026-11-28T12:00:00Z\"}",
		/* no figure */
		"{\"town\":\"datian\",\"date\":\"" DAY "\","
		"\"at\":\"2026-11-28T12:00:00Z\"}",
		/* a negative figure */
		"{\"town\":\"datian\",\"date\":\"" DAY "\",\"dead\":-1,"
		"\"at\":\"2026-11-28T12:00:00Z\"}",
		/* not a date */
		"{\"town\":\"datian\",\"date\":\"2026-13-01\",\"dead\":1,"
		"\"at\":\"2026-11-28T12:00:00Z\"}",
		/* no time */
		"{\"town\":\"datian\",\"date\":\"" DAY "\",\"dead\":1}",
	};
	const char *before = texport_of(x);
	struct op op;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
		tmkop(&op, "gucheng", "1111111111111111", (int64_t)i + 1,
		      (T0 * 1000) << 16, "甲", "stats.set", "datian", bodies[i]);
		if (op_apply(x, &op) != DD_E_SCHEMA)
			fail_msg("body %zu taken: %s", i, db_errmsg(x));
		op_clear(&op);
	}
	assert_string_equal(texport_of(x), before);
}

/* Typed figures: whole numbers, tenths with one decimal. */
static void
parse_figures(void **state)
{
	int64_t v = -1;
	char buf[24];
	(void)state;

	assert_int_equal(stats_parse("dead", "12", &v), 0);
	assert_int_equal(v, 12);
	assert_int_equal(stats_parse("crop_ha", "12.5", &v), 0);
	assert_int_equal(v, 125);
	assert_int_equal(stats_parse("loss", "7", &v), 0);
	assert_int_equal(v, 70);
	assert_int_equal(stats_parse("dead", "1.5", &v), DD_E_INVALID);
	assert_int_equal(stats_parse("dead", "-1", &v), DD_E_INVALID);
	assert_int_equal(stats_parse("dead", "", &v), DD_E_INVALID);
	assert_int_equal(stats_parse("dead", "x", &v), DD_E_INVALID);
	assert_int_equal(stats_parse("loss", "1.25", &v), DD_E_INVALID);
	assert_int_equal(stats_parse("loss", "1.", &v), DD_E_INVALID);
	assert_int_equal(stats_parse("dead", "99999999999999999999", &v),
			 DD_E_INVALID);
	stats_format("loss", 125, buf);
	assert_string_equal(buf, "12.5");
	stats_format("dead", 125, buf);
	assert_string_equal(buf, "125");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tfresh, trelease)
		T(parse_figures),
		T(intake_refusals),
		T(intake_town_setting),
		T(county_reason),
		T(day_listing),
		T(duty_day),
		T(lww_per_field),
		T(orders_converge),
		T(random_interleavings),
		T(tie_by_station),
		T(wire_refusals),
#undef T
	};
	int rc;

	time_set_zone("Asia/Shanghai");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
