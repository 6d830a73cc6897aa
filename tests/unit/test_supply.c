/*
 * test_supply.c - supplies: only movements are stored and synced
 * (receive, issue, transfer as one operation with two legs, stocktake
 * as a delta); stock is their sum, so concurrent offline issues from two
 * offices both count and a negative balance is an alarm, not a refusal.
 *
 * The seed gives d-gucheng 10 relief tents (low mark 4), d-city 115, and
 * d-gucheng no cotton-padded coats at all.
 */
#include "testlib.h"

/* The one LIST_STOCK row of depot and item (caller frees the list). */
static cJSON *
stock_row(struct db *db, const char *depot, const char *item, cJSON **list)
{
	cJSON *f = cJSON_CreateObject();

	cJSON_AddStringToObject(f, "depot", depot);
	cJSON_AddStringToObject(f, "item", item);
	assert_int_equal(state_list(db, LIST_STOCK, f, list), 0);
	cJSON_Delete(f);
	assert_int_equal(cJSON_GetArraySize(*list), 1);
	return cJSON_GetArrayItem(*list, 0);
}

/* The body of the last local operation (caller frees). */
static int
last_cb(const struct op *op, void *ctx)
{
	cJSON **body = ctx;

	cJSON_Delete(*body);
	*body = cJSON_Duplicate(op->body, 1);
	return 0;
}

static cJSON *
last_body(struct db *db)
{
	cJSON *body = NULL;

	assert_int_equal(op_each(db, 1, last_cb, &body), 0);
	assert_non_null(body);
	return body;
}

/* ---- refusals ---- */

static void
bad_quantity_refused(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	static const int64_t bad[] = { 0, -1, -10, INT64_MIN, 1000000001LL,
				       INT64_MAX };
	char id[64] = "";
	int64_t before = tnops(db);
	char *x0 = texport(db), *x1;
	size_t i;
	int k;
	(void)state;

	for (k = MOVE_RECEIVE; k <= MOVE_TRANSFER; k++)
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
			assert_int_equal(supply_move(db, k, "tent", "d-gucheng",
						     k == MOVE_TRANSFER ? "d-city"
						     : NULL, bad[i], NULL, id),
					 DD_E_INVALID);
	/* A count may be 0 (the depot is empty) but never below. */
	assert_int_equal(supply_move(db, MOVE_COUNT, "tent", "d-gucheng", NULL,
				     -1, NULL, id), DD_E_INVALID);
	assert_int_equal(supply_move(db, MOVE_COUNT, "tent", "d-gucheng", NULL,
				     1000000001LL, NULL, id), DD_E_INVALID);
	assert_int_equal(supply_move(db, -1, "tent", "d-gucheng", NULL, 1, NULL,
				     id), DD_E_INVALID);
	assert_int_equal(supply_move(db, MOVE_COUNT + 1, "tent", "d-gucheng",
				     NULL, 1, NULL, id), DD_E_INVALID);
	assert_int_equal(tnops(db), before);
	assert_int_equal(supply_stock(db, "d-gucheng", "tent"), 10);
	x1 = texport(db);
	assert_string_equal(x0, x1);
	free(x0);
	free(x1);
	db_close(&db);
}

static void
unknown_item_or_depot_refused(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	char id[64] = "";
	int64_t before = tnops(db);
	(void)state;

	assert_int_equal(supply_move(db, MOVE_RECEIVE, "unobtainium",
				     "d-gucheng", NULL, 5, NULL, id), DD_E_NOTFOUND);
	assert_non_null(strstr(db_errmsg(db), "unobtainium"));
	assert_int_equal(supply_move(db, MOVE_RECEIVE, "tent", "d-atlantis", NULL,
				     5, NULL, id), DD_E_NOTFOUND);
	assert_non_null(strstr(db_errmsg(db), "d-atlantis"));
	assert_int_equal(supply_move(db, MOVE_TRANSFER, "tent", "d-city",
				     "d-atlantis", 5, NULL, id), DD_E_NOTFOUND);
	assert_non_null(strstr(db_errmsg(db), "d-atlantis"));
	/* Nothing named at all is bad input, not a lookup miss. */
	assert_int_equal(supply_move(db, MOVE_RECEIVE, NULL, "d-gucheng", NULL, 5,
				     NULL, id), DD_E_INVALID);
	assert_int_equal(supply_move(db, MOVE_RECEIVE, "tent", NULL, NULL, 5,
				     NULL, id), DD_E_INVALID);
	assert_int_equal(supply_move(db, MOVE_RECEIVE, "", "d-gucheng", NULL, 5,
				     NULL, id), DD_E_INVALID);
	assert_int_equal(supply_move(db, MOVE_TRANSFER, "tent", "d-city", NULL,
				     5, NULL, id), DD_E_INVALID);
	assert_int_equal(tnops(db), before);
	assert_int_equal(supply_stock(db, "d-city", "tent"), 115);
	assert_int_equal(supply_stock(db, "d-atlantis", "tent"), 0);
	db_close(&db);
}

static void
taking_more_than_held_refused(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	char id[64] = "";
	int64_t before = tnops(db);
	char *x0 = texport(db), *x1;
	(void)state;

	assert_int_equal(supply_move(db, MOVE_ISSUE, "tent", "d-gucheng", NULL,
				     11, NULL, id), DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "d-gucheng holds 10 tent"));
	assert_int_equal(supply_move(db, MOVE_TRANSFER, "tent", "d-gucheng",
				     "d-city", 11, NULL, id), DD_E_REFUSED);
	/* d-gucheng never held a coat: no row is the same as none. */
	assert_int_equal(supply_move(db, MOVE_ISSUE, "coat", "d-gucheng", NULL, 1,
				     NULL, id), DD_E_REFUSED);
	assert_int_equal(tnops(db), before);
	assert_int_equal(supply_stock(db, "d-gucheng", "tent"), 10);
	assert_int_equal(supply_stock(db, "d-city", "tent"), 115);
	x1 = texport(db);
	assert_string_equal(x0, x1);
	free(x0);
	free(x1);

	/* Exactly what is held may go. */
	assert_int_equal(supply_move(db, MOVE_ISSUE, "tent", "d-gucheng", NULL,
				     10, NULL, id), 0);
	assert_int_equal(supply_stock(db, "d-gucheng", "tent"), 0);
	assert_int_equal(supply_move(db, MOVE_ISSUE, "tent", "d-gucheng", NULL, 1,
				     NULL, id), DD_E_REFUSED);
	db_close(&db);
}

static void
transfer_needs_two_depots(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	char id[64] = "";
	int64_t before = tnops(db);
	(void)state;

	assert_int_equal(supply_move(db, MOVE_TRANSFER, "tent", "d-city",
				     "d-city", 1, NULL, id), DD_E_INVALID);
	/* The same depot by code and by its Chinese name. */
	assert_int_equal(supply_move(db, MOVE_TRANSFER, "tent", "d-gucheng",
				     "古城街道应急物资储备点", 1, NULL, id),
			 DD_E_INVALID);
	assert_int_equal(tnops(db), before);
	assert_int_equal(supply_stock(db, "d-city", "tent"), 115);
	db_close(&db);
}

/* ---- behaviour ---- */

static void
receive_and_issue_sum(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	char id[64] = "";
	int64_t before = tnops(db);
	(void)state;

	assert_int_equal(supply_move(db, MOVE_RECEIVE, "tent", "d-gucheng", NULL,
				     5, "from the province", id), 0);
	assert_string_equal(id, "gucheng-1");
	assert_int_equal(supply_stock(db, "d-gucheng", "tent"), 15);
	/* By English name, Chinese depot name, any case. */
	assert_int_equal(supply_move(db, MOVE_ISSUE, "Relief Tent",
				     "古城街道应急物资储备点", NULL, 3, NULL, id), 0);
	assert_string_equal(id, "gucheng-2");
	assert_int_equal(supply_stock(db, "d-gucheng", "tent"), 12);
	/* A depot that held none gets a row on its first receipt. */
	assert_int_equal(supply_move(db, MOVE_RECEIVE, "coat", "d-gucheng", NULL,
				     1000000000LL, NULL, id), 0);
	assert_int_equal(supply_stock(db, "d-gucheng", "coat"), 1000000000LL);
	assert_int_equal(tnops(db), before + 3);
	assert_int_equal(supply_stock(db, "d-gucheng", "unobtainium"), 0);
	db_close(&db);
}

static void
transfer_is_one_operation(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	cJSON *body, *legs, *a, *b;
	char id[64] = "";
	int64_t before = tnops(db);
	(void)state;

	assert_int_equal(supply_move(db, MOVE_TRANSFER, "tent", "d-city",
				     "d-gucheng", 4, NULL, id), 0);
	assert_int_equal(tnops(db), before + 1);
	assert_int_equal(supply_stock(db, "d-city", "tent"), 111);
	assert_int_equal(supply_stock(db, "d-gucheng", "tent"), 14);

	body = last_body(db);
	assert_string_equal(tstr(body, "kind"), "transfer");
	legs = cJSON_GetObjectItemCaseSensitive(body, "legs");
	assert_int_equal(cJSON_GetArraySize(legs), 2);
	a = cJSON_GetArrayItem(legs, 0);
	b = cJSON_GetArrayItem(legs, 1);
	assert_string_equal(tstr(a, "depot"), "d-city");
	assert_string_equal(tstr(a, "item"), "tent");
	assert_int_equal(tnum(a, "delta"), -4);
	assert_string_equal(tstr(b, "depot"), "d-gucheng");
	assert_string_equal(tstr(b, "item"), "tent");
	assert_int_equal(tnum(b, "delta"), 4);
	cJSON_Delete(body);
	db_close(&db);
}

static void
count_stores_the_delta(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	cJSON *body;
	char id[64] = "";
	int64_t before = tnops(db);
	(void)state;

	/* Counted 7 where 10 were held: the operation carries -3. */
	assert_int_equal(supply_move(db, MOVE_COUNT, "tent", "d-gucheng", NULL, 7,
				     "stocktake", id), 0);
	body = last_body(db);
	assert_string_equal(tstr(body, "kind"), "count");
	assert_string_equal(tstr(body, "note"), "stocktake");
	assert_int_equal(cJSON_GetArraySize(
		cJSON_GetObjectItemCaseSensitive(body, "legs")), 1);
	assert_int_equal(tnum(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		body, "legs"), 0), "delta"), -3);
	cJSON_Delete(body);
	assert_int_equal(supply_stock(db, "d-gucheng", "tent"), 7);

	/* A count that agrees stores 0; an empty depot counts 0. */
	assert_int_equal(supply_move(db, MOVE_COUNT, "tent", "d-gucheng", NULL, 7,
				     NULL, id), 0);
	body = last_body(db);
	assert_int_equal(tnum(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		body, "legs"), 0), "delta"), 0);
	cJSON_Delete(body);
	assert_int_equal(supply_move(db, MOVE_COUNT, "tent", "d-gucheng", NULL, 0,
				     NULL, id), 0);
	assert_int_equal(supply_stock(db, "d-gucheng", "tent"), 0);

	/* Found stock nobody had booked in. */
	assert_int_equal(supply_move(db, MOVE_COUNT, "coat", "d-gucheng", NULL, 5,
				     NULL, id), 0);
	body = last_body(db);
	assert_int_equal(tnum(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
		body, "legs"), 0), "delta"), 5);
	cJSON_Delete(body);
	assert_int_equal(supply_stock(db, "d-gucheng", "coat"), 5);
	assert_int_equal(tnops(db), before + 4);
	db_close(&db);
}

static void
stock_list_flags(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	cJSON *list = NULL, *row;
	char id[64] = "";
	(void)state;

	row = stock_row(db, "d-gucheng", "tent", &list);
	assert_string_equal(tstr(row, "item"), "tent");
	assert_string_equal(tstr(row, "depot"), "d-gucheng");
	assert_int_equal(tnum(row, "qty"), 10);
	assert_int_equal(tnum(row, "low"), 4);
	assert_int_equal(tnum(row, "is_low"), 0);
	assert_int_equal(tnum(row, "negative"), 0);
	cJSON_Delete(list);

	/* 4 is the low mark: still not low; 3 is. */
	assert_int_equal(supply_move(db, MOVE_ISSUE, "tent", "d-gucheng", NULL, 6,
				     NULL, id), 0);
	row = stock_row(db, "d-gucheng", "tent", &list);
	assert_int_equal(tnum(row, "qty"), 4);
	assert_int_equal(tnum(row, "is_low"), 0);
	cJSON_Delete(list);
	assert_int_equal(supply_move(db, MOVE_ISSUE, "tent", "d-gucheng", NULL, 1,
				     NULL, id), 0);
	row = stock_row(db, "d-gucheng", "tent", &list);
	assert_int_equal(tnum(row, "qty"), 3);
	assert_int_equal(tnum(row, "is_low"), 1);
	assert_int_equal(tnum(row, "negative"), 0);
	cJSON_Delete(list);
	db_close(&db);
}

/* Two offices seeded alike each issue 6 of d-gucheng's 10 tents while
 * offline. Both issues count: once they have swapped operations both
 * hold -2, flagged negative, and export the same bytes. */
static void
concurrent_issues_go_negative(void **state)
{
	struct db *a = tdb_new("gucheng", ROLE_TOWN, 1);
	struct db *b = tdb_new("datian", ROLE_TOWN, 1);
	cJSON *list = NULL, *row;
	char id[64] = "";
	char *xa, *xb;
	(void)state;

	assert_int_equal(supply_move(a, MOVE_ISSUE, "tent", "d-gucheng", NULL, 6,
				     "to s001", id), 0);
	assert_string_equal(id, "gucheng-1");
	tclock_ms += 1000;
	assert_int_equal(supply_move(b, MOVE_ISSUE, "tent", "d-gucheng", NULL, 6,
				     "to s002", id), 0);
	assert_string_equal(id, "datian-1");
	assert_int_equal(supply_stock(a, "d-gucheng", "tent"), 4);
	assert_int_equal(supply_stock(b, "d-gucheng", "tent"), 4);

	assert_int_equal(tsend_all(a, b), 1);
	assert_int_equal(tsend_all(b, a), 1);
	assert_int_equal(tsend_all(a, b), 0);

	assert_int_equal(supply_stock(a, "d-gucheng", "tent"), -2);
	assert_int_equal(supply_stock(b, "d-gucheng", "tent"), -2);
	row = stock_row(a, "d-gucheng", "tent", &list);
	assert_int_equal(tnum(row, "qty"), -2);
	assert_int_equal(tnum(row, "negative"), 1);
	assert_int_equal(tnum(row, "is_low"), 1);
	cJSON_Delete(list);
	row = stock_row(b, "d-gucheng", "tent", &list);
	assert_int_equal(tnum(row, "negative"), 1);
	cJSON_Delete(list);
	assert_int_equal(tnops(a), tnops(b));
	xa = texport(a);
	xb = texport(b);
	assert_string_equal(xa, xb);
	free(xa);
	free(xb);
	db_close(&a);
	db_close(&b);
}

/* ---- hostile operations ---- */

static void
mkop(struct op *op, int64_t seq, const char *body)
{
	char entity[64];

	snprintf(entity, sizeof entity, "datian-%lld", (long long)seq);
	tmkop(op, "datian", "00112233aabbccdd", seq, tclock_ms << 16, "mallory",
	      "supply.move", entity, body);
}

#define AT ",\"at\":\"2026-11-28T12:00:00Z\"}"
#define LEG(dep, item, d) "{\"depot\":\"" dep "\",\"item\":\"" item \
	"\",\"delta\":" d "}"

/* A supply.move whose legs do not fit its kind is malformed: every
 * replica refuses it from the body alone and nothing is written. */
static void
hostile_moves_refused(void **state)
{
	static const char *const bad[] = {
		/* a transfer with one leg */
		"{\"kind\":\"transfer\",\"legs\":[" LEG("d-city", "tent", "-5") "]" AT,
		/* a receive that takes away */
		"{\"kind\":\"receive\",\"legs\":[" LEG("d-city", "tent", "-5") "]" AT,
		/* a receive of nothing */
		"{\"kind\":\"receive\",\"legs\":[" LEG("d-city", "tent", "0") "]" AT,
		/* an issue that adds */
		"{\"kind\":\"issue\",\"legs\":[" LEG("d-city", "tent", "5") "]" AT,
		/* a leg with an extra field */
		"{\"kind\":\"receive\",\"legs\":[{\"depot\":\"d-city\",\"item\":"
		"\"tent\",\"delta\":5,\"price\":9}]" AT,
		/* a fractional delta */
		"{\"kind\":\"receive\",\"legs\":[" LEG("d-city", "tent", "1.5") "]" AT,
		/* a delta as a string */
		"{\"kind\":\"receive\",\"legs\":[" LEG("d-city", "tent", "\"5\"") "]" AT,
		/* a delta over the limit */
		"{\"kind\":\"receive\",\"legs\":[" LEG("d-city", "tent",
							"1000000001") "]" AT,
		/* a leg with no item */
		"{\"kind\":\"receive\",\"legs\":[{\"depot\":\"d-city\",\"delta\":5,"
		"\"qty\":5}]" AT,
		/* a transfer that does not balance */
		"{\"kind\":\"transfer\",\"legs\":[" LEG("d-city", "tent", "-5") ","
		LEG("d-gucheng", "tent", "4") "]" AT,
		/* a transfer that changes the item */
		"{\"kind\":\"transfer\",\"legs\":[" LEG("d-city", "tent", "-5") ","
		LEG("d-gucheng", "bed", "5") "]" AT,
		/* a transfer within one depot */
		"{\"kind\":\"transfer\",\"legs\":[" LEG("d-city", "tent", "-5") ","
		LEG("d-city", "tent", "5") "]" AT,
		/* a transfer that gives first */
		"{\"kind\":\"transfer\",\"legs\":[" LEG("d-city", "tent", "5") ","
		LEG("d-gucheng", "tent", "-5") "]" AT,
		/* a count with two legs */
		"{\"kind\":\"count\",\"legs\":[" LEG("d-city", "tent", "-5") ","
		LEG("d-gucheng", "tent", "5") "]" AT,
		/* no legs, three legs, legs not an array, a leg not an object */
		"{\"kind\":\"count\",\"legs\":[]" AT,
		"{\"kind\":\"receive\",\"legs\":[" LEG("d-city", "tent", "1") ","
		LEG("d-city", "bed", "1") "," LEG("d-city", "quilt", "1") "]" AT,
		"{\"kind\":\"receive\",\"legs\":" LEG("d-city", "tent", "1") AT,
		"{\"kind\":\"receive\",\"legs\":[5]" AT,
		/* an unknown kind of movement, a missing kind */
		"{\"kind\":\"steal\",\"legs\":[" LEG("d-city", "tent", "-5") "]" AT,
		"{\"legs\":[" LEG("d-city", "tent", "5") "]" AT,
	};
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	struct op op;
	int64_t before = tnops(db);
	char *x0 = texport(db), *x1;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc;
		mkop(&op, 1, bad[i]);
		rc = op_apply(db, &op);
		if (rc != DD_E_SCHEMA)
			fprintf(stderr, "case %zu: %s\n", i, bad[i]);
		assert_int_equal(rc, DD_E_SCHEMA);
		op_clear(&op);
	}
	assert_int_equal(tnops(db), before);
	x1 = texport(db);
	assert_string_equal(x0, x1);
	free(x1);

	/* The same envelope with well-formed legs is applied, so the
	 * refusals above were for the legs and nothing else. */
	mkop(&op, 1, "{\"kind\":\"transfer\",\"legs\":[" LEG("d-city", "tent",
		"-5") "," LEG("d-gucheng", "tent", "5") "]" AT);
	assert_int_equal(op_apply(db, &op), 1);
	op_clear(&op);
	assert_int_equal(tnops(db), before + 1);
	assert_int_equal(supply_stock(db, "d-city", "tent"), 110);
	assert_int_equal(supply_stock(db, "d-gucheng", "tent"), 15);
	free(x0);
	db_close(&db);
}

/* A leg must name a depot and an item: an empty code is malformed, not
 * a new depot called "". */
static void
hostile_leg_empty_code(void **state)
{
	static const char *const bad[] = {
		"{\"kind\":\"receive\",\"legs\":[" LEG("", "tent", "5") "]" AT,
		"{\"kind\":\"receive\",\"legs\":[" LEG("d-city", "", "5") "]" AT,
	};
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	struct op op;
	int64_t before = tnops(db), after, phantom;
	int rc[2];
	size_t i;
	(void)state;

	/* Everything is released before the first assertion, so a failure
	 * here leaks nothing under valgrind. */
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		mkop(&op, (int64_t)i + 1, bad[i]);
		rc[i] = op_apply(db, &op);
		op_clear(&op);
	}
	after = tnops(db);
	phantom = supply_stock(db, "", "tent");
	db_close(&db);
	assert_int_equal(rc[0], DD_E_SCHEMA);
	assert_int_equal(rc[1], DD_E_SCHEMA);
	assert_int_equal(after, before);
	assert_int_equal(phantom, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_quantity_refused),
		cmocka_unit_test(unknown_item_or_depot_refused),
		cmocka_unit_test(taking_more_than_held_refused),
		cmocka_unit_test(transfer_needs_two_depots),
		cmocka_unit_test(receive_and_issue_sum),
		cmocka_unit_test(transfer_is_one_operation),
		cmocka_unit_test(count_stores_the_delta),
		cmocka_unit_test(stock_list_flags),
		cmocka_unit_test(concurrent_issues_go_negative),
		cmocka_unit_test(hostile_moves_refused),
		cmocka_unit_test(hostile_leg_empty_code),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
