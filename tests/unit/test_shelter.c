/*
 * test_shelter.c - shelters: opening and closing (last writer wins),
 * occupancy as signed deltas so check-ins at two offices add up.
 *
 * The seed gives 283 shelters, all closed; s035 is 大田街道中心学校.
 */
#include "testlib.h"

/* A column of the LIST_SHELTERS row of shelter id. */
static int64_t
shelter_num(struct db *db, const char *id, const char *col)
{
	cJSON *list = NULL, *row;
	const cJSON *v;
	int64_t n = -999999;

	assert_int_equal(state_list(db, LIST_SHELTERS, NULL, &list), 0);
	cJSON_ArrayForEach(row, list) {
		const cJSON *rid = cJSON_GetObjectItemCaseSensitive(row, "id");
		if (cJSON_IsString(rid) && strcmp(rid->valuestring, id) == 0) {
			v = cJSON_GetObjectItemCaseSensitive(row, col);
			assert_true(cJSON_IsNumber(v));
			n = (int64_t)v->valuedouble;
		}
	}
	cJSON_Delete(list);
	assert_int_not_equal(n, -999999);
	return n;
}

/* ---- refusals ---- */

static void
unknown_shelter_refused(void **state)
{
	struct db *db = tdb_new("datian", ROLE_TOWN, 1);
	int64_t before = tnops(db);
	(void)state;

	assert_int_equal(shelter_set_open(db, "s999", 1), DD_E_NOTFOUND);
	assert_non_null(strstr(db_errmsg(db), "s999"));
	assert_int_equal(shelter_occupy(db, "s999", 5), DD_E_NOTFOUND);
	assert_int_equal(shelter_set_open(db, NULL, 1), DD_E_INVALID);
	assert_int_equal(shelter_occupy(db, "", 5), DD_E_INVALID);
	assert_int_equal(tnops(db), before);
	db_close(&db);
}

static void
open_and_close_rules(void **state)
{
	struct db *db = tdb_new("datian", ROLE_TOWN, 1);
	int64_t before = tnops(db);
	(void)state;

	/* Seeded shelters start closed: closing one again is refused. */
	assert_int_equal(shelter_num(db, "s035", "open"), 0);
	assert_int_equal(shelter_set_open(db, "s035", 0), DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "already closed"));
	assert_int_equal(tnops(db), before);

	/* By Chinese name. */
	assert_int_equal(shelter_set_open(db, "大田街道中心学校", 1), 0);
	assert_int_equal(shelter_num(db, "s035", "open"), 1);
	assert_int_equal(tnops(db), before + 1);
	assert_int_equal(shelter_set_open(db, "s035", 1), DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "already open"));
	assert_int_equal(tnops(db), before + 1);

	/* Not closed while people are inside. */
	assert_int_equal(shelter_occupy(db, "s035", 30), 0);
	assert_int_equal(shelter_set_open(db, "s035", 0), DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "30 people"));
	assert_int_equal(shelter_num(db, "s035", "open"), 1);
	assert_int_equal(tnops(db), before + 2);

	assert_int_equal(shelter_occupy(db, "s035", -30), 0);
	assert_int_equal(shelter_set_open(db, "s035", 0), 0);
	assert_int_equal(shelter_num(db, "s035", "open"), 0);
	assert_int_equal(shelter_num(db, "s035", "occupancy"), 0);
	assert_int_equal(tnops(db), before + 4);
	db_close(&db);
}

static void
checkin_to_closed_refused(void **state)
{
	struct db *db = tdb_new("datian", ROLE_TOWN, 1);
	int64_t before = tnops(db);
	(void)state;

	assert_int_equal(shelter_occupy(db, "s035", 1), DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "closed"));
	assert_int_equal(shelter_num(db, "s035", "occupancy"), 0);
	assert_int_equal(tnops(db), before);
	db_close(&db);
}

static void
checkout_more_than_present_refused(void **state)
{
	struct db *db = tdb_new("datian", ROLE_TOWN, 1);
	int64_t before;
	(void)state;

	assert_int_equal(shelter_set_open(db, "s035", 1), 0);
	assert_int_equal(shelter_occupy(db, "s035", 5), 0);
	before = tnops(db);
	assert_int_equal(shelter_occupy(db, "s035", -6), DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "holds 5 people"));
	assert_int_equal(shelter_occupy(db, "s036", -1), DD_E_REFUSED);
	assert_int_equal(shelter_num(db, "s035", "occupancy"), 5);
	assert_int_equal(tnops(db), before);
	/* Everyone may leave. */
	assert_int_equal(shelter_occupy(db, "s035", -5), 0);
	assert_int_equal(shelter_num(db, "s035", "occupancy"), 0);
	db_close(&db);
}

static void
bad_delta_refused(void **state)
{
	struct db *db = tdb_new("datian", ROLE_TOWN, 1);
	int64_t before;
	(void)state;

	assert_int_equal(shelter_set_open(db, "s035", 1), 0);
	before = tnops(db);
	assert_int_equal(shelter_occupy(db, "s035", 0), DD_E_INVALID);
	assert_int_equal(shelter_occupy(db, "s035", 1000001), DD_E_INVALID);
	assert_int_equal(shelter_occupy(db, "s035", -1000001), DD_E_INVALID);
	assert_int_equal(shelter_occupy(db, "s035", INT64_MIN), DD_E_INVALID);
	assert_int_equal(tnops(db), before);
	assert_int_equal(shelter_num(db, "s035", "occupancy"), 0);
	db_close(&db);
}

/* ---- behaviour ---- */

/* Two offices check people into the same shelter while offline: after
 * they swap operations both count everyone, and check-outs likewise. */
static void
occupancy_adds_up_across_stations(void **state)
{
	struct db *a = tdb_new("datian", ROLE_TOWN, 1);
	struct db *b = tdb_new("county", ROLE_COMMAND, 1);
	char *xa, *xb;
	(void)state;

	assert_int_equal(shelter_set_open(a, "s035", 1), 0);
	assert_int_equal(tsend_all(a, b), 1);
	assert_int_equal(shelter_num(b, "s035", "open"), 1);

	assert_int_equal(shelter_occupy(a, "s035", 30), 0);
	tclock_ms += 1000;
	assert_int_equal(shelter_occupy(b, "s035", 20), 0);
	assert_int_equal(shelter_occupy(b, "s035", 7), 0);
	assert_int_equal(shelter_num(a, "s035", "occupancy"), 30);
	assert_int_equal(shelter_num(b, "s035", "occupancy"), 27);
	assert_int_equal(tsend_all(a, b), 1);
	assert_int_equal(tsend_all(b, a), 2);
	assert_int_equal(shelter_num(a, "s035", "occupancy"), 57);
	assert_int_equal(shelter_num(b, "s035", "occupancy"), 57);

	assert_int_equal(shelter_occupy(a, "s035", -10), 0);
	tclock_ms += 1000;
	assert_int_equal(shelter_occupy(b, "s035", -15), 0);
	assert_int_equal(tsend_all(b, a), 1);
	assert_int_equal(tsend_all(a, b), 1);
	assert_int_equal(shelter_num(a, "s035", "occupancy"), 32);
	assert_int_equal(shelter_num(b, "s035", "occupancy"), 32);
	/* Other shelters are untouched. */
	assert_int_equal(shelter_num(a, "s036", "occupancy"), 0);

	xa = texport(a);
	xb = texport(b);
	assert_string_equal(xa, xb);
	free(xa);
	free(xb);
	db_close(&a);
	db_close(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unknown_shelter_refused),
		cmocka_unit_test(open_and_close_rules),
		cmocka_unit_test(checkin_to_closed_refused),
		cmocka_unit_test(checkout_more_than_present_refused),
		cmocka_unit_test(bad_delta_refused),
		cmocka_unit_test(occupancy_adds_up_across_stations),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
