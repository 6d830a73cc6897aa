/*
 * test_log.c - the duty log: notes and the daily zero report (append-
 * only), the shift handover that records what was open at the moment,
 * and acknowledging a conflict a person has seen.
 */
#include "testlib.h"

/* A zero report without words of its own stores none: the reader's
 * language says it (here the messages' own, English). */
#define ZERO_TEXT "zero report: nothing happened this shift"

/* The text of a log row as a reader reads it. */
static const char *
shown(const cJSON *row)
{
	static char buf[512];
	return log_entry_text(row, buf, sizeof buf);
}

/* The LIST_LOG row with id, in *list (caller frees). */
static cJSON *
log_row(struct db *db, const char *id, cJSON **list)
{
	cJSON *row, *found = NULL;

	assert_int_equal(state_list(db, LIST_LOG, NULL, list), 0);
	cJSON_ArrayForEach(row, *list)
		if (strcmp(tstr(row, "id"), id) == 0)
			found = row;
	assert_non_null(found);
	return found;
}

static char *
filled(size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, 'x', n);
	s[n] = 0;
	return s;
}

/* ---- log_add ---- */

static void
add_refusals(void **state)
{
	struct db *db = tdb_new("hetou", ROLE_TOWN, 0);
	char id[64] = "", *big = filled(8001);
	int64_t before = tnops(db);
	(void)state;

	assert_int_equal(log_add(db, NULL, "text", id), DD_E_INVALID);
	assert_int_equal(log_add(db, "bogus", "text", id), DD_E_INVALID);
	/* A handover has its own door, with its summary. */
	assert_int_equal(log_add(db, "handover", "text", id), DD_E_INVALID);
	assert_int_equal(log_add(db, "Note", "text", id), DD_E_INVALID);
	assert_int_equal(log_add(db, "note", "", id), DD_E_INVALID);
	assert_non_null(strstr(db_errmsg(db), "text"));
	assert_int_equal(log_add(db, "note", NULL, id), DD_E_INVALID);
	assert_int_equal(log_add(db, "note", big, id), DD_E_INVALID);
	assert_int_equal(log_add(db, "zero", big, id), DD_E_INVALID);
	assert_int_equal(tnops(db), before);
	free(big);
	db_close(&db);
}

static void
add_note_and_zero(void **state)
{
	struct db *db = tdb_new("hetou", ROLE_TOWN, 0);
	cJSON *list = NULL, *row;
	char id[64] = "", *max = filled(8000);
	int64_t before = tnops(db);
	(void)state;

	tclock_ms = T0 * 1000;
	assert_int_equal(log_add(db, "note", "河头镇雨量站报 45mm", id), 0);
	assert_string_equal(id, "hetou-1");
	row = log_row(db, id, &list);
	assert_string_equal(tstr(row, "kind"), "note");
	assert_string_equal(tstr(row, "text"), "河头镇雨量站报 45mm");
	assert_string_equal(tstr(row, "at"), "2026-11-28T12:00:00Z");
	assert_string_equal(tstr(row, "officer"), "tester");
	assert_string_equal(tstr(row, "station"), "hetou");
	assert_true(tis_null(row, "to_officer"));
	cJSON_Delete(list);

	/* A zero report needs no text; an empty one is the same. */
	tclock_ms += 60 * 1000;
	assert_int_equal(log_add(db, "zero", NULL, id), 0);
	row = log_row(db, id, &list);
	assert_string_equal(tstr(row, "kind"), "zero");
	assert_false(cJSON_IsString(cJSON_GetObjectItem(row, "text")));
	assert_string_equal(shown(row), ZERO_TEXT);
	assert_string_equal(tstr(row, "at"), "2026-11-28T12:01:00Z");
	cJSON_Delete(list);
	assert_int_equal(log_add(db, "zero", "", id), 0);
	row = log_row(db, id, &list);
	assert_string_equal(shown(row), ZERO_TEXT);
	cJSON_Delete(list);
	assert_int_equal(log_add(db, "zero", "全镇平安", id), 0);
	row = log_row(db, id, &list);
	assert_string_equal(tstr(row, "text"), "全镇平安");
	cJSON_Delete(list);

	/* 8000 bytes is the most a note may hold. */
	assert_int_equal(log_add(db, "note", max, id), 0);
	assert_string_equal(id, "hetou-5");
	assert_int_equal(tnops(db), before + 5);
	free(max);
	db_close(&db);
}

/* A zero report says nothing happened: refused while an incident is open
 * or a response level is in force, naming them; nothing stored. */
static void
zero_refused_while_open(void **state)
{
	struct db *db = tdb_new("county", ROLE_COMMAND, 1);
	cJSON *f = cJSON_Parse("{\"title\":\"山体滑坡\",\"town\":\"hetou\"}");
	char id[64] = "", inc[64] = "";
	int64_t before;
	(void)state;

	assert_non_null(f);
	assert_int_equal(incident_add(db, f, inc), 0);
	assert_int_equal(incident_add(db, f, id), 0);
	before = tnops(db);
	assert_int_equal(log_add(db, "zero", NULL, id), DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "county-1, county-2"));
	assert_int_equal(log_add(db, "zero", "全镇平安", id), DD_E_REFUSED);
	assert_int_equal(tnops(db), before);
	/* Another station's zero report, received: applied as it came (the
	 * refusal is at intake, where it was made, not here). */
	{
		struct op op;
		tmkop(&op, "hetou", "00000000000000aa", 1, (T0 * 1000) << 16,
		      "x", "log.add", "hetou-1", "{\"kind\":\"zero\","
		      "\"at\":\"2026-11-28T12:00:00Z\"}");
		assert_int_equal(op_apply(db, &op), 1);
		assert_int_equal(tnops(db), before + 1);
		op_clear(&op);
		before = tnops(db);
	}
	assert_int_equal(incident_set_status(db, "county-1", "closed"), 0);
	assert_int_equal(incident_set_status(db, "county-2", "closed"), 0);

	assert_int_equal(response_decide(db, "typhoon", RESP_START, 4, "张局长",
					 NULL, id), 0);
	before = tnops(db);
	assert_int_equal(log_add(db, "zero", NULL, id), DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "typhoon IV"));
	assert_null(strstr(db_errmsg(db), "county-1"));
	assert_int_equal(tnops(db), before);
	assert_int_equal(response_decide(db, "typhoon", RESP_END, 0, "张局长",
					 NULL, id), 0);

	/* Nothing open, nothing in force: the zero report goes through. */
	assert_int_equal(log_add(db, "zero", NULL, id), 0);
	cJSON_Delete(f);
	db_close(&db);
}

/* ---- log_handover ---- */

static void
handover_refusals(void **state)
{
	struct db *db = tdb_new("hetou", ROLE_TOWN, 0);
	char id[64] = "", *big = filled(4001), *name = filled(64);
	int64_t before = tnops(db);
	(void)state;

	assert_int_equal(log_handover(db, NULL, NULL, id), DD_E_INVALID);
	assert_non_null(strstr(db_errmsg(db), "--to"));
	assert_int_equal(log_handover(db, "", NULL, id), DD_E_INVALID);
	assert_int_equal(log_handover(db, name, NULL, id), DD_E_INVALID);
	/* Not to oneself. */
	assert_int_equal(log_handover(db, "tester", NULL, id), DD_E_INVALID);
	assert_non_null(strstr(db_errmsg(db), "tester"));
	assert_int_equal(log_handover(db, "li", big, id), DD_E_INVALID);
	assert_int_equal(tnops(db), before);
	free(big);
	free(name);
	db_close(&db);
}

static void
handover_with_nothing_open(void **state)
{
	struct db *db = tdb_new("hetou", ROLE_TOWN, 1);
	cJSON *list = NULL, *row;
	char id[64] = "";
	int64_t before = tnops(db);
	(void)state;

	assert_int_equal(log_handover(db, "li", NULL, id), 0);
	assert_int_equal(tnops(db), before + 1);
	row = log_row(db, id, &list);
	assert_string_equal(tstr(row, "kind"), "handover");
	assert_string_equal(tstr(row, "to_officer"), "li");
	assert_string_equal(tstr(row, "officer"), "tester");
	assert_false(cJSON_IsString(cJSON_GetObjectItem(row, "text")));
	assert_string_equal(shown(row), "handover tester -> li");
	cJSON_Delete(list);
	db_close(&db);
}

/* A handover keeps the officer's note as it was typed, and is read with
 * who handed over to whom. */
static void
handover_keeps_note(void **state)
{
	struct db *db = tdb_new("county", ROLE_COMMAND, 1);
	cJSON *list = NULL, *row;
	char id[64] = "";
	(void)state;

	assert_int_equal(log_handover(db, "李四", "注意河头镇水位", id), 0);
	row = log_row(db, id, &list);
	assert_string_equal(tstr(row, "kind"), "handover");
	assert_string_equal(tstr(row, "to_officer"), "李四");
	/* What passed over is the sheet's (tests/shell/handover.sh). */
	assert_string_equal(tstr(row, "text"), "注意河头镇水位");
	assert_string_equal(shown(row), "handover tester -> 李四: 注意河头镇水位");
	cJSON_Delete(list);
	db_close(&db);
}

/* ---- conflict_ack ---- */

static void
ack_unknown_conflict_refused(void **state)
{
	struct db *db = tdb_new("hetou", ROLE_TOWN, 1);
	int64_t before = tnops(db);
	(void)state;

	assert_int_equal(conflict_ack(db, "dispatch:m01:"), DD_E_NOTFOUND);
	assert_non_null(strstr(db_errmsg(db), "dispatch:m01:"));
	assert_int_equal(conflict_ack(db, NULL), DD_E_NOTFOUND);
	assert_int_equal(conflict_ack(db, ""), DD_E_NOTFOUND);
	assert_int_equal(tnops(db), before);
	db_close(&db);
}

/* Two offices send team m01 at once: a conflict both see, which one
 * officer acknowledges for everyone. */
static void
ack_known_conflict(void **state)
{
	struct db *a = tdb_new("gucheng", ROLE_TOWN, 1);
	struct db *b = tdb_new("datian", ROLE_TOWN, 1);
	cJSON *f = cJSON_Parse("{\"title\":\"内涝\",\"town\":\"gucheng\"}");
	cJSON *list = NULL, *row;
	char inc[64] = "", id[64] = "";
	char *xa, *xb;
	(void)state;

	assert_non_null(f);
	assert_int_equal(incident_add(a, f, inc), 0);
	assert_int_equal(tsend_all(a, b), 1);
	assert_int_equal(dispatch_create(a, "m01", inc, id), 0);
	assert_string_equal(id, "gucheng-2");
	tclock_ms += 1000;
	assert_int_equal(dispatch_create(b, "m01", inc, id), 0);
	assert_string_equal(id, "datian-1");
	assert_int_equal(tsend_all(a, b), 1);
	assert_int_equal(tsend_all(b, a), 1);

	assert_int_equal(state_list(a, LIST_CONFLICTS, NULL, &list), 0);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	row = cJSON_GetArrayItem(list, 0);
	assert_string_equal(tstr(row, "id"), "dispatch:m01:");
	assert_string_equal(tstr(row, "kind"), "dispatch");
	assert_string_equal(tstr(row, "members"), "datian-1 gucheng-2");
	assert_true(tis_null(row, "acked_by"));
	cJSON_Delete(list);

	db_set_officer(b, "officer_b");
	assert_int_equal(conflict_ack(b, "dispatch:m01:"), 0);
	assert_int_equal(tsend_all(b, a), 1);
	assert_int_equal(state_list(a, LIST_CONFLICTS, NULL, &list), 0);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	assert_string_equal(tstr(cJSON_GetArrayItem(list, 0), "acked_by"),
			    "officer_b");
	cJSON_Delete(list);
	xa = texport(a);
	xb = texport(b);
	assert_string_equal(xa, xb);
	free(xa);
	free(xb);
	cJSON_Delete(f);
	db_close(&a);
	db_close(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_refusals),
		cmocka_unit_test(add_note_and_zero),
		cmocka_unit_test(zero_refused_while_open),
		cmocka_unit_test(handover_refusals),
		cmocka_unit_test(handover_with_nothing_open),
		cmocka_unit_test(handover_keeps_note),
		cmocka_unit_test(ack_unknown_conflict_refused),
		cmocka_unit_test(ack_known_conflict),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
