/*
 * test_risk.c - risk points (风险点): a point's fields are last writer
 * wins; people moved are the sum of the evacuations, whichever stations
 * made them and in whatever order they arrive; a point is cleared at
 * its earliest clearing; a warning's risk points bring their monitors.
 */
#include "testlib.h"

/* Point code of town with people at risk, monitored by who (a name and
 * a phone; NULL: none), made at db. */
static void
point(struct db *db, const char *code, const char *town, const char *people,
      const char *who, const char *phone)
{
	cJSON *f = tkeep(cJSON_CreateObject());
	int changed;

	cJSON_AddStringToObject(f, "code", code);
	cJSON_AddStringToObject(f, "name", code);
	cJSON_AddStringToObject(f, "kind", "地质灾害");
	cJSON_AddStringToObject(f, "town", town);
	cJSON_AddStringToObject(f, "people", people);
	if (who)
		cJSON_AddStringToObject(f, "monitor", who);
	if (phone)
		cJSON_AddStringToObject(f, "monitor_phone", phone);
	assert_int_equal(risk_put(db, f, &changed), 0);
	assert_int_equal(changed, 1);
}

/* Point code as db holds it (held). */
static cJSON *
held(struct db *db, const char *code)
{
	cJSON *r = NULL;

	assert_int_equal(risk_get(db, code, &r), 1);
	return tkeep(r);
}

/* Only the operations of one station pass: what it made itself, as
 * the server relays them one station's after another's. */
struct only {
	struct db *to;
	const char *station;
};

static int
send_own(const struct op *op, void *ctx)
{
	struct only *o = ctx;

	if (strcmp(op->station, o->station) != 0)
		return 0;
	if (op_apply(o->to, op) < 0)
		fail_msg("apply %s %s: %s", op->kind, op->entity,
			 db_errmsg(o->to));
	return 0;
}

static void
send_from(struct db *from, const char *station, struct db *to)
{
	struct only o = { to, station };

	assert_int_equal(op_each(from, 0, send_own, &o), 0);
}

/* Bad input is refused at intake and leaves nothing behind. */
static void
intake_refusals(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	const char *before;
	cJSON *f;
	char id[64];
	int changed;
	int64_t n;
	(void)state;

	point(db, "LH-DT-001", "datian", "40", NULL, NULL);
	before = texport_of(db);
	n = tnops(db);
	trefused(db, risk_evacuate(db, "LH-DT-001", 0, id), DD_E_INVALID, NULL);
	trefused(db, risk_evacuate(db, "LH-DT-001", -5, id), DD_E_INVALID, NULL);
	trefused(db, risk_evacuate(db, "LH-DT-001", RISK_PEOPLE_MAX + 1, id),
		 DD_E_INVALID, NULL);
	trefused(db, risk_evacuate(db, "LH-XX-001", 3, id), DD_E_NOTFOUND,
		 "LH-XX-001");
	trefused(db, risk_evacuate(db, NULL, 3, id), DD_E_NOTFOUND, NULL);
	trefused(db, risk_clear(db, "nowhere", id), DD_E_NOTFOUND, NULL);
	f = tkeep(cJSON_CreateObject());
	cJSON_AddStringToObject(f, "code", "LH-DT-002");
	cJSON_AddStringToObject(f, "name", "x");
	cJSON_AddStringToObject(f, "kind", "typhoon");
	cJSON_AddStringToObject(f, "town", "datian");
	trefused(db, risk_put(db, f, &changed), DD_E_INVALID, "typhoon");
	cJSON_ReplaceItemInObject(f, "kind", cJSON_CreateString("水库"));
	cJSON_ReplaceItemInObject(f, "town", cJSON_CreateString("nowhere"));
	trefused(db, risk_put(db, f, &changed), DD_E_NOTFOUND, NULL);
	cJSON_ReplaceItemInObject(f, "town", cJSON_CreateString("大田"));
	cJSON_AddStringToObject(f, "people", "-1");
	trefused(db, risk_put(db, f, &changed), DD_E_INVALID, "-1");
	cJSON_ReplaceItemInObject(f, "code", cJSON_CreateString("a b"));
	trefused(db, risk_put(db, f, &changed), DD_E_INVALID, NULL);
	assert_int_equal(tnops(db), n);
	assert_string_equal(texport_of(db), before);
	/* A put with nothing new is no operation. */
	cJSON_ReplaceItemInObject(f, "code", cJSON_CreateString("LH-DT-001"));
	cJSON_DeleteItemFromObject(f, "people");
	cJSON_ReplaceItemInObject(f, "name", cJSON_CreateString("LH-DT-001"));
	cJSON_ReplaceItemInObject(f, "kind", cJSON_CreateString("地灾"));
	assert_int_equal(risk_put(db, f, &changed), 0);
	assert_int_equal(changed, 0);
	assert_int_equal(tnops(db), n);
	/* The kinds, by code or label. */
	assert_string_equal(risk_kind_parse("Torrent"), "torrent");
	assert_string_equal(risk_kind_parse("山塘"), "reservoir");
	assert_string_equal(risk_kind_parse("地质灾害"), "geological");
	assert_null(risk_kind_parse("flood"));
	assert_null(risk_kind_parse(NULL));
}

/* Three stations move people out of one point offline, and two of them
 * clear it; every order of arrival (one station's operations after
 * another's, even before the point itself) gives the same state. */
static void
evacuations_converge(void **state)
{
	static const char *const orders[][3] = {
		{ "linhai", "datian", "gucheng" }, { "linhai", "gucheng", "datian" },
		{ "datian", "linhai", "gucheng" }, { "datian", "gucheng", "linhai" },
		{ "gucheng", "linhai", "datian" }, { "gucheng", "datian", "linhai" },
	};
	struct db *cty = tstation("linhai", ROLE_COMMAND, 1);
	struct db *dt = tstation("datian", ROLE_TOWN, 1);
	struct db *gc = tstation("gucheng", ROLE_TOWN, 1);
	struct db *by[3];
	const char *first = NULL;
	int64_t pts, clr, ppl, mv;
	char id[64], code[64];
	size_t o;
	int i, j;
	(void)state;

	point(cty, "LH-DT-001", "datian", "120", NULL, NULL);
	point(cty, "LH-GC-001", "gucheng", "35", NULL, NULL);
	tsend_all(cty, dt);
	tsend_all(cty, gc);
	/* Offline, each on its own. */
	assert_int_equal(risk_evacuate(cty, "LH-DT-001", 10, id), 0);
	tclock_ms += 60000;
	assert_int_equal(risk_evacuate(dt, "LH-DT-001", 25, id), 0);
	assert_int_equal(risk_evacuate(dt, "LH-DT-001", 5, id), 0);
	assert_int_equal(risk_evacuate(gc, "LH-DT-001", 7, id), 0);
	assert_int_equal(risk_evacuate(gc, "LH-GC-001", 35, id), 0);
	tclock_ms += 60000;
	assert_int_equal(risk_clear(gc, "LH-DT-001", code), 0);
	assert_string_equal(code, "LH-DT-001");
	tclock_ms += 60000;
	assert_int_equal(risk_clear(dt, "LH-DT-001", code), 0);
	assert_int_equal(risk_clear(cty, "lh-gc-001", code), 0);
	assert_string_equal(code, "LH-GC-001");
	by[0] = cty;
	by[1] = dt;
	by[2] = gc;
	for (o = 0; o < sizeof orders / sizeof orders[0]; o++) {
		char name[8];
		struct db *r;
		snprintf(name, sizeof name, "r%zu", o + 1);
		r = tstation(name, ROLE_COMMAND, 1);
		for (i = 0; i < 3; i++)
			for (j = 0; j < 3; j++)
				if (strcmp(orders[o][i], j == 0 ? "linhai" : j == 1
					   ? "datian" : "gucheng") == 0)
					send_from(by[j], orders[o][i], r);
		assert_int_equal(tnum(held(r, "LH-DT-001"), "moved"), 47);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(held(r,
				 "LH-DT-001"), "moves")), 4);
		/* Cleared at gucheng's, the earlier of the two. */
		assert_string_equal(tstr(held(r, "LH-DT-001"), "cleared_at"),
				    tiso(T0 + 120));
		assert_int_equal(risk_town_counts(r, NULL, &pts, &clr, &ppl, &mv),
				 0);
		assert_int_equal(pts, 2);
		assert_int_equal(clr, 2);
		assert_int_equal(ppl, 155);
		assert_int_equal(mv, 82);
		assert_int_equal(risk_town_counts(r, "gucheng", &pts, &clr, &ppl,
						  &mv), 0);
		assert_true(pts == 1 && clr == 1 && ppl == 35 && mv == 35);
		/* Everything again changes nothing. */
		if (!first) {
			first = texport_of(r);
		} else {
			assert_string_equal(texport_of(r), first);
		}
		send_from(dt, "datian", r);
		assert_string_equal(texport_of(r), first);
		tdrop(r);
	}
	/* The three stations agree with them once they have synced. */
	texchange(cty, dt);
	texchange(cty, gc);
	texchange(dt, gc);
	assert_string_equal(texport_of(cty), first);
	assert_string_equal(texport_of(dt), first);
	assert_string_equal(texport_of(gc), first);
	/* A point held cleared is not cleared again; people still move. */
	trefused(dt, risk_clear(dt, "LH-DT-001", code), DD_E_REFUSED,
		 "cleared already");
	assert_int_equal(risk_evacuate(dt, "LH-DT-001", 1, id), 0);
}

/* Two command stations change one point at once: field by field, the
 * later write. */
static void
put_last_writer_wins(void **state)
{
	struct db *a = tstation("linhai", ROLE_COMMAND, 1);
	struct db *b = tstation("linhai2", ROLE_COMMAND, 1);
	cJSON *f;
	int changed;
	(void)state;

	point(a, "LH-DT-001", "datian", "10", NULL, NULL);
	tsend_all(a, b);
	f = tkeep(cJSON_CreateObject());
	cJSON_AddStringToObject(f, "code", "LH-DT-001");
	cJSON_AddStringToObject(f, "people", "99");
	tclock_ms += 1000;
	assert_int_equal(risk_put(b, f, &changed), 0);
	assert_int_equal(changed, 2);
	f = tkeep(cJSON_CreateObject());
	cJSON_AddStringToObject(f, "code", "LH-DT-001");
	cJSON_AddStringToObject(f, "people", "50");
	cJSON_AddStringToObject(f, "village", "樟坦村");
	tclock_ms += 1000;
	assert_int_equal(risk_put(a, f, &changed), 0);
	texchange(a, b);
	assert_int_equal(tnum(held(a, "LH-DT-001"), "people"), 50);
	assert_string_equal(tstr(held(b, "LH-DT-001"), "village"), "樟坦村");
	assert_string_equal(texport_of(a), texport_of(b));
	/* A town may not put a point. */
	{
		struct db *t = tstation("datian", ROLE_TOWN, 1);
		tsend_all(a, t);
		cJSON_ReplaceItemInObject(f, "people", cJSON_CreateString("77"));
		trefused(t, risk_put(t, f, &changed), DD_E_ROLE, NULL);
	}
}

/* A warning naming risk points: their towns are warned, their monitors
 * are among its people, under their point's town, once. */
static void
warning_names_monitors(void **state)
{
	struct db *db = tstation("linhai", ROLE_COMMAND, 1);
	cJSON *towns = tkeep(cJSON_CreateArray()), *risks = tkeep(cJSON_CreateArray());
	cJSON *f, *l = NULL, *o, *x = NULL;
	char id[64], mon[64];
	int n = 0, found = 0;
	(void)state;

	point(db, "LH-KC-001", "kuocang", "18", "黄明亮", "15800548325");
	point(db, "LH-KC-002", "kuocang", "60", "15800548325", "15800548325");
	assert_int_equal(contact_find(db, "黄明亮", mon), 1);
	cJSON_AddItemToArray(towns, cJSON_CreateString("古城"));
	cJSON_AddItemToArray(risks, cJSON_CreateString("LH-KC-001"));
	cJSON_AddItemToArray(risks, cJSON_CreateString("lh-kc-002"));
	trefused(db, warning_issue_risks(db, "flood", "red", "t", towns,
					 tkeep(cJSON_Parse("[\"LH-XX-1\"]")), 0, id),
		 DD_E_NOTFOUND, NULL);
	assert_int_equal(warning_issue_risks(db, "flood", "red", "洪水红色预警",
					     towns, risks, 0, id), 0);
	f = tkeep(cJSON_CreateObject());
	cJSON_AddStringToObject(f, "warning", id);
	assert_int_equal(state_list(db, LIST_CALLEES, f, &l), 0);
	tkeep(l);
	cJSON_ArrayForEach(o, l) {
		n++;
		if (cJSON_IsString(cJSON_GetObjectItem(o, "contact")) &&
		    strcmp(tstr(o, "contact"), mon) == 0) {
			assert_string_equal(tstr(o, "town"), "kuocang");
			found++;
		}
	}
	assert_int_equal(found, 1);
	assert_int_equal(state_export(db, &x), 0);
	tkeep(x);
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(x, "warnings")) {
		cJSON *r = cJSON_GetObjectItem(o, "risks");
		if (strcmp(tstr(o, "id"), id) != 0)
			continue;
		assert_int_equal(cJSON_GetArraySize(r), 2);
		assert_string_equal(tstr(cJSON_GetArrayItem(r, 1), "point"),
				    "LH-KC-002");
	}
	/* kuocang was warned as well as 古城. */
	assert_int_equal(warning_answer(db, id, "kuocang", NULL, mon), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(intake_refusals, tfresh, trelease),
		cmocka_unit_test_setup_teardown(evacuations_converge, tfresh,
						trelease),
		cmocka_unit_test_setup_teardown(put_last_writer_wins, tfresh,
						trelease),
		cmocka_unit_test_setup_teardown(warning_names_monitors, tfresh,
						trelease),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tcleanup();
	return rc;
}
