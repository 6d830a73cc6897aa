/*
 * test_op.c - the operation, the one path of every change: its JSON
 * form (64-bit values as strings), and op_apply's fixed grounds for
 * refusing what arrives from elsewhere (schema, the sender's own ids,
 * the seed's kinds, realm). A refused operation writes nothing; an
 * operation already held is applied once only.
 *
 * json_test_suite uses the public JSONTestSuite corpus (Nicolas
 * Seriot, MIT) from ../shared/data/JSONTestSuite/test_parsing beside the
 * repository, or from $DUTYDESK_JSON_SUITE; without it that test is
 * skipped.
 */
#include "testlib.h"
#include "core/private.h"

#include <dirent.h>
#include <inttypes.h>

#define INC "0123456789abcdef"
#define AT "\"at\":\"2026-11-28T12:00:00Z\""

/* An operation of gucheng's as another station receives it. */
static void
mkop(struct op *op, const char *kind, const char *entity, const char *body)
{
	tmkop(op, "gucheng", INC, 1, tclock_ms << 16, "王", kind, entity, body);
}

#define OPEN_BODY "{\"title\":\"内涝\",\"town\":\"datian\"," \
	"\"received_at\":\"2026-11-28T12:00:00Z\"}"

static int
capture_cb(const struct op *op, void *ctx)
{
	cJSON **j = ctx;

	cJSON_Delete(*j);
	*j = op_to_json(op);
	return 0;
}

/* ---- JSON form ---- */

static void
json_round_trip(void **state)
{
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 0);
	struct db *other = tdb_new("datian", ROLE_TOWN, 0);
	struct station_info si;
	struct op op, back;
	cJSON *j = NULL, *k;
	char id[64] = "", want[24], *text, *x;
	const char *end = NULL;
	(void)state;

	tclock_ms = T0 * 1000;
	assert_int_equal(log_add(db, "note", "河头镇雨量站报 45mm", id), 0);
	assert_int_equal(station_info(db, &si), 0);
	assert_int_equal(op_each(db, 1, capture_cb, &j), 0);
	assert_non_null(j);

	/* Every field, 64-bit values as decimal strings. */
	assert_string_equal(tstr(j, "station"), "gucheng");
	assert_string_equal(tstr(j, "incarnation"), si.incarnation);
	assert_string_equal(tstr(j, "seq"), "1");
	snprintf(want, sizeof want, "%" PRId64, (int64_t)(T0 * 1000) << 16);
	assert_string_equal(tstr(j, "hlc"), want);
	assert_string_equal(tstr(j, "realm"), "live");
	assert_string_equal(tstr(j, "officer"), "tester");
	assert_string_equal(tstr(j, "kind"), "log.add");
	assert_string_equal(tstr(j, "entity"), "gucheng-1");
	assert_string_equal(tstr(cJSON_GetObjectItemCaseSensitive(j, "body"),
				 "text"), "河头镇雨量站报 45mm");

	/* Through text, as on the wire, and back. */
	text = cJSON_PrintUnformatted(j);
	k = cJSON_ParseWithLengthOpts(text, strlen(text) + 1, &end, 1);
	assert_non_null(k);
	assert_int_equal(op_from_json(k, &back), 0);
	assert_string_equal(back.station, "gucheng");
	assert_string_equal(back.incarnation, si.incarnation);
	assert_int_equal(back.seq, 1);
	assert_int_equal(back.hlc, (int64_t)(T0 * 1000) << 16);
	assert_string_equal(back.realm, "live");
	assert_string_equal(back.officer, "tester");
	assert_string_equal(back.kind, "log.add");
	assert_string_equal(back.entity, "gucheng-1");
	assert_true(cJSON_Compare(back.body, cJSON_GetObjectItemCaseSensitive(
		j, "body"), 1));
	/* The body is a copy: freeing the JSON leaves it whole. */
	cJSON_Delete(k);
	assert_string_equal(tstr(back.body, "kind"), "note");

	/* Another station applies it and shows the same entry. */
	assert_int_equal(op_apply(other, &back), 1);
	op_clear(&back);
	assert_null(back.body);
	x = texport(other);
	assert_non_null(strstr(x, "河头镇雨量站报 45mm"));
	free(x);
	free(text);
	cJSON_Delete(j);

	/* The largest 64-bit values survive exactly, where a double would
	 * round them (sync/PROTOCOL.md: 0 to 9223372036854775807). */
	mkop(&op, "log.add", "gucheng-7", "{\"kind\":\"note\",\"text\":\"x\"," AT "}");
	op.seq = INT64_MAX;
	op.hlc = 1234567890123456789LL;
	j = op_to_json(&op);
	assert_string_equal(tstr(j, "seq"), "9223372036854775807");
	assert_string_equal(tstr(j, "hlc"), "1234567890123456789");
	assert_int_equal(op_from_json(j, &back), 0);
	assert_int_equal(back.seq, INT64_MAX);
	assert_int_equal(back.hlc, 1234567890123456789LL);
	op_clear(&back);
	cJSON_Delete(j);
	/* No body is sent as an empty object. */
	op_clear(&op);
	j = op_to_json(&op);
	assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "body")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
		j, "body")), 0);
	cJSON_Delete(j);
	db_close(&db);
	db_close(&other);
}

static void
json_refusals(void **state)
{
	static const char *const fields[] = { "station", "incarnation", "seq",
		"hlc", "realm", "officer", "kind", "entity", "body" };
	static const struct { const char *k, *v; } bad[] = {
		{ "seq", "1" },                      /* a number, not a string */
		{ "hlc", "117693" },
		{ "seq", "\"-1\"" },                 /* negative */
		{ "hlc", "\"-117693\"" },
		{ "seq", "\"9223372036854775808\"" }, /* INT64_MAX + 1 */
		{ "hlc", "\"99999999999999999999\"" },
		{ "seq", "\"01\"" },                 /* a leading zero */
		{ "seq", "\"\"" },
		{ "seq", "\"12a\"" },
		{ "seq", "\" 1\"" },
		{ "seq", "\"+1\"" },
		{ "seq", "\"1.0\"" },
		{ "seq", "null" },
		{ "station", "5" },
		{ "kind", "[\"incident.open\"]" },
		{ "body", "[]" },                    /* a non-object body */
		{ "body", "\"{}\"" },
		{ "body", "null" },
		{ "body", "7" },
		/* over-long strings: one more than each buffer holds */
		{ "station", "\"abcdefghijabcdefghijabcdefghijab\"" },
		{ "incarnation", "\"0123456789abcdef0\"" },
		{ "realm", "\"drill-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"" },
		{ "kind", "\"incident.open.aaaaaaaaaaaaaaaaaa\"" },
	};
	struct op good, op;
	cJSON *j;
	char big[80];
	size_t i;
	int rc;
	(void)state;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		mkop(&good, "incident.open", "gucheng-1", OPEN_BODY);
		j = op_to_json(&good);
		op_clear(&good);
		cJSON_ReplaceItemInObjectCaseSensitive(j, bad[i].k,
						       cJSON_Parse(bad[i].v));
		rc = op_from_json(j, &op);
		if (rc != DD_E_SCHEMA)
			fprintf(stderr, "accepted %s = %s\n", bad[i].k, bad[i].v);
		cJSON_Delete(j);
		op_clear(&op);
		assert_int_equal(rc, DD_E_SCHEMA);
	}
	/* Each field missing. */
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		mkop(&good, "incident.open", "gucheng-1", OPEN_BODY);
		j = op_to_json(&good);
		op_clear(&good);
		cJSON_DeleteItemFromObjectCaseSensitive(j, fields[i]);
		rc = op_from_json(j, &op);
		cJSON_Delete(j);
		op_clear(&op);
		assert_int_equal(rc, DD_E_SCHEMA);
	}
	/* officer and entity: 64 bytes do not fit. */
	memset(big, 'x', 64);
	big[64] = 0;
	mkop(&good, "incident.open", "gucheng-1", OPEN_BODY);
	j = op_to_json(&good);
	op_clear(&good);
	cJSON_ReplaceItemInObjectCaseSensitive(j, "officer", cJSON_CreateString(big));
	assert_int_equal(op_from_json(j, &op), DD_E_SCHEMA);
	assert_null(op.body);
	cJSON_ReplaceItemInObjectCaseSensitive(j, "officer", cJSON_CreateString("x"));
	cJSON_ReplaceItemInObjectCaseSensitive(j, "entity", cJSON_CreateString(big));
	assert_int_equal(op_from_json(j, &op), DD_E_SCHEMA);
	assert_null(op.body);
	/* The same JSON with both fixed is accepted, so each refusal above
	 * was for its one field. */
	cJSON_ReplaceItemInObjectCaseSensitive(j, "entity",
					       cJSON_CreateString("gucheng-1"));
	assert_int_equal(op_from_json(j, &op), 0);
	op_clear(&op);
	cJSON_Delete(j);

	/* Not an object at all. */
	assert_int_equal(op_from_json(NULL, &op), DD_E_SCHEMA);
	assert_null(op.body);
	j = cJSON_Parse("[{\"station\":\"gucheng\"}]");
	assert_int_equal(op_from_json(j, &op), DD_E_SCHEMA);
	assert_null(op.body);
	cJSON_Delete(j);
}

/* ---- op_apply refusals ---- */

struct bad_op {
	const char *what;
	const char *station, *kind, *entity, *realm, *officer, *inc, *body;
	int64_t seq, hlc;
	int err;
};

#define S DD_E_SCHEMA
#define OPEN "incident.open"
#define LOG "log.add"
#define NOTE_BODY "{\"kind\":\"note\",\"text\":\"x\"," AT "}"

static const struct bad_op bad_ops[] = {
	{ "unknown kind", 0, "incident.explode", "gucheng-1", 0, 0, 0,
	  OPEN_BODY, 0, 0, S },
	{ "empty kind", 0, "", "gucheng-1", 0, 0, 0, OPEN_BODY, 0, 0, S },
	{ "unknown body field", 0, OPEN, "gucheng-1", 0, 0, 0,
	  "{\"title\":\"x\",\"colour\":\"red\"}", 0, 0, S },
	{ "body field in another case", 0, OPEN, "gucheng-1", 0, 0, 0,
	  "{\"Title\":\"x\"}", 0, 0, S },
	{ "string as number", 0, OPEN, "gucheng-1", 0, 0, 0,
	  "{\"title\":5}", 0, 0, S },
	{ "number as string", 0, OPEN, "gucheng-1", 0, 0, 0,
	  "{\"title\":\"x\",\"severity\":\"2\"}", 0, 0, S },
	{ "fractional number", 0, OPEN, "gucheng-1", 0, 0, 0,
	  "{\"title\":\"x\",\"severity\":2.5}", 0, 0, S },
	{ "number out of range", 0, OPEN, "gucheng-1", 0, 0, 0,
	  "{\"title\":\"x\",\"dead\":1000001}", 0, 0, S },
	{ "bad time", 0, OPEN, "gucheng-1", 0, 0, 0,
	  "{\"title\":\"x\",\"received_at\":\"yesterday\"}", 0, 0, S },
	{ "bool as string", 0, OPEN, "gucheng-1", 0, 0, 0,
	  "{\"title\":\"x\",\"deleted\":\"yes\"}", 0, 0, S },
	{ "body an array", 0, OPEN, "gucheng-1", 0, 0, 0, "[]", 0, 0, S },
	{ "no body", 0, OPEN, "gucheng-1", 0, 0, 0, NULL, 0, 0, S },
	{ "required field missing", 0, LOG, "gucheng-1", 0, 0, 0,
	  "{\"kind\":\"note\",\"text\":\"x\"}", 0, 0, S },
	{ "enum out of list", 0, LOG, "gucheng-1", 0, 0, 0,
	  "{\"kind\":\"gossip\",\"text\":\"x\"," AT "}", 0, 0, S },
	/* new ids belong to the station that made them */
	{ "id of another station", 0, OPEN, "datian-5", 0, 0, 0, OPEN_BODY,
	  0, 0, S },
	{ "id number 0", 0, OPEN, "gucheng-0", 0, 0, 0, OPEN_BODY, 0, 0, S },
	{ "id with a leading zero", 0, OPEN, "gucheng-07", 0, 0, 0, OPEN_BODY, 0,
	  0, S },
	{ "id of 13 digits", 0, OPEN, "gucheng-1000000000000", 0, 0, 0,
	  OPEN_BODY, 0, 0, S },
	{ "id without number", 0, OPEN, "gucheng-", 0, 0, 0, OPEN_BODY, 0, 0,
	  S },
	{ "id with letters", 0, OPEN, "gucheng-1a", 0, 0, 0, OPEN_BODY, 0, 0,
	  S },
	{ "id of a longer name", 0, OPEN, "gucheng2-1", 0, 0, 0, OPEN_BODY, 0,
	  0, S },
	{ "log id of another station", 0, LOG, "datian-5", 0, 0, 0, NOTE_BODY,
	  0, 0, S },
	/* the seed sends reference data and opening stock, nothing else */
	{ "seed opens an incident", "seed", OPEN, "seed-900", 0, 0, 0,
	  OPEN_BODY, 0, 0, S },
	{ "seed writes the log", "seed", LOG, "seed-901", 0, 0, 0, NOTE_BODY,
	  0, 0, S },
	{ "seed warns", "seed", "warning.issue", "seed-902", 0, 0, 0,
	  "{\"hazard\":\"typhoon\",\"color\":\"red\",\"text\":\"x\","
	  "\"towns\":[\"datian\"]," AT "}", 0, 0, S },
	/* realm */
	{ "drill op in live", 0, OPEN, "gucheng-1", "drill-2026", 0, 0,
	  OPEN_BODY, 0, 0, DD_E_REALM },
	{ "empty realm", 0, OPEN, "gucheng-1", "", 0, 0, OPEN_BODY, 0, 0,
	  DD_E_REALM },
	/* envelope */
	{ "station in capitals", "Gucheng", OPEN, "Gucheng-1", 0, 0, 0,
	  OPEN_BODY, 0, 0, S },
	{ "empty station", "", OPEN, "-1", 0, 0, 0, OPEN_BODY, 0, 0, S },
	{ "empty incarnation", 0, OPEN, "gucheng-1", 0, 0, "", OPEN_BODY, 0,
	  0, S },
	{ "incarnation with a space", 0, OPEN, "gucheng-1", 0, 0, "0123 567",
	  OPEN_BODY, 0, 0, S },
	{ "seq 0", 0, OPEN, "gucheng-1", 0, 0, 0, OPEN_BODY, -7, 0, S },
	{ "negative seq", 0, OPEN, "gucheng-1", 0, 0, 0, OPEN_BODY, -5, 0, S },
	{ "negative hlc", 0, OPEN, "gucheng-1", 0, 0, 0, OPEN_BODY, 0, -1, S },
	{ "entity with a space", 0, "incident.update", "datian 5", 0, 0, 0,
	  "{\"title\":\"x\"}", 0, 0, S },
	{ "empty entity", 0, "incident.update", "", 0, 0, 0,
	  "{\"title\":\"x\"}", 0, 0, S },
	/* over-long strings */
	{ "title over 2000 bytes", 0, OPEN, "gucheng-1", 0, 0, 0, "LONGTITLE",
	  0, 0, S },
	{ "town over 63 bytes", 0, OPEN, "gucheng-1", 0, 0, 0,
	  "{\"title\":\"x\",\"town\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaa\"}", 0, 0, S },
	/* control characters */
	{ "escape in title", 0, OPEN, "gucheng-1", 0, 0, 0,
	  "{\"title\":\"a\\u001b[2Jb\"}", 0, 0, S },
	{ "bell in log text", 0, LOG, "gucheng-1", 0, 0, 0,
	  "{\"kind\":\"note\",\"text\":\"a\\u0007\"," AT "}", 0, 0, S },
	{ "carriage return in title", 0, OPEN, "gucheng-1", 0, 0, 0,
	  "{\"title\":\"a\\rb\"}", 0, 0, S },
	{ "escape in officer", 0, OPEN, "gucheng-1", 0, "a\x1b[2J", 0,
	  OPEN_BODY, 0, 0, S },
	{ "escape in a town list", 0, "warning.issue", "gucheng-1", 0, 0, 0,
	  "{\"hazard\":\"typhoon\",\"color\":\"red\",\"text\":\"x\","
	  "\"towns\":[\"da\\u001btian\"]," AT "}", 0, 0, S },
};

/* seq and hlc in the table: 0 keeps the default; -7 means 0. */
static void
bad_op_build(const struct bad_op *b, struct op *op)
{
	mkop(op, b->kind, b->entity, NULL);
	if (b->station)
		snprintf(op->station, sizeof op->station, "%s", b->station);
	if (b->realm)
		snprintf(op->realm, sizeof op->realm, "%s", b->realm);
	if (b->officer)
		snprintf(op->officer, sizeof op->officer, "%s", b->officer);
	if (b->inc)
		snprintf(op->incarnation, sizeof op->incarnation, "%s", b->inc);
	if (b->seq)
		op->seq = b->seq == -7 ? 0 : b->seq;
	if (b->hlc)
		op->hlc = b->hlc;
	if (b->body && strcmp(b->body, "LONGTITLE") == 0) {
		char t[2002];
		memset(t, 'x', 2001);
		t[2001] = 0;
		op->body = cJSON_CreateObject();
		cJSON_AddStringToObject(op->body, "title", t);
	} else if (b->body) {
		op->body = cJSON_Parse(b->body);
		assert_non_null(op->body);
	}
}

static void
apply_refusals(void **state)
{
	struct db *db = tdb_new("datian", ROLE_TOWN, 0);
	struct station_info s0, s1;
	struct op op;
	char *x0 = texport(db), *x1;
	size_t i;
	int rc;
	(void)state;

	assert_int_equal(station_info(db, &s0), 0);
	for (i = 0; i < sizeof bad_ops / sizeof bad_ops[0]; i++) {
		bad_op_build(&bad_ops[i], &op);
		rc = op_apply(db, &op);
		op_clear(&op);
		if (rc != bad_ops[i].err)
			fprintf(stderr, "%s: got %d (%s)\n", bad_ops[i].what, rc,
				db_errmsg(db));
		assert_int_equal(rc, bad_ops[i].err);
	}
	/* Nothing written: no operation, no state, the clock unmoved. */
	assert_int_equal(station_info(db, &s1), 0);
	assert_int_equal(s1.ops, s0.ops);
	assert_int_equal(s1.hlc, s0.hlc);
	assert_int_equal(s1.seq, s0.seq);
	x1 = texport(db);
	assert_string_equal(x0, x1);
	free(x1);

	/* The good operation the cases were cut from is applied; editing
	 * another station's incident is fine, since only new ids must be
	 * the sender's; the seed may send reference data. */
	mkop(&op, OPEN, "gucheng-1", OPEN_BODY);
	assert_int_equal(op_apply(db, &op), 1);
	op_clear(&op);
	mkop(&op, "incident.update", "datian-5", "{\"title\":\"x\"}");
	op.seq = 2;
	assert_int_equal(op_apply(db, &op), 1);
	op_clear(&op);
	mkop(&op, "depot.put", "d-new", "{\"name\":\"新库\",\"town\":\"datian\"}");
	snprintf(op.station, sizeof op.station, "seed");
	snprintf(op.incarnation, sizeof op.incarnation, "0");
	op.hlc = 0;
	assert_int_equal(op_apply(db, &op), 1);
	op_clear(&op);
	assert_int_equal(tnops(db), s0.ops + 3);
	free(x0);
	db_close(&db);
}

/* ---- applied once ---- */

struct again {
	struct db *db;
	int held, other;
};

static int
again_cb(const struct op *op, void *ctx)
{
	struct again *a = ctx;
	int rc = op_apply(a->db, op);

	if (rc == 0)
		a->held++;
	else
		a->other++;
	return 0;
}

static void
apply_twice(void **state)
{
	struct db *db = tdb_new("datian", ROLE_TOWN, 0);
	struct again a = { db, 0, 0 };
	struct op op;
	char id[64] = "", *x0, *x1;
	int64_t before = tnops(db);
	(void)state;

	mkop(&op, LOG, "gucheng-1", NOTE_BODY);
	assert_int_equal(op_apply(db, &op), 1);
	x0 = texport(db);
	assert_int_equal(op_apply(db, &op), 0);
	op_clear(&op);
	/* Same identity, other content: still the one already held. */
	mkop(&op, LOG, "gucheng-1", "{\"kind\":\"note\",\"text\":\"changed\","
	     AT "}");
	assert_int_equal(op_apply(db, &op), 0);
	op_clear(&op);
	assert_int_equal(tnops(db), before + 1);
	x1 = texport(db);
	assert_string_equal(x0, x1);
	free(x0);
	free(x1);

	/* A station's own operations coming back (the server's relay). */
	assert_int_equal(log_add(db, "note", "mine", id), 0);
	assert_int_equal(log_add(db, "zero", NULL, id), 0);
	assert_int_equal(op_each(db, 0, again_cb, &a), 0);
	assert_int_equal(a.held, 3);
	assert_int_equal(a.other, 0);
	assert_int_equal(tnops(db), before + 3);
	db_close(&db);
}

/* What is held is known by the last sequence of each incarnation and
 * the gaps below it: exact whatever order the operations come in. A
 * second station given the same operations in order ends the same.
 * batch: all in one transaction, as a catch-up's slice applies them,
 * each followed by one of another incarnation, and a refused one amid
 * them (the head of the last stored is known within the transaction). */
static void
held_order(int batch)
{
	static const int order[] = { 5, 2, 5, 9, 1, 3, 2, 7, 4, 6, 8, 9, 1 };
	static const int fresh[] = { 1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0 };
	struct db *db = tdb_new("datian", ROLE_TOWN, 0);
	struct db *inorder = tdb_new("taozhu", ROLE_TOWN, 0);
	int64_t before = tnops(db);
	char id[64], *x0, *x1;
	struct op op;
	size_t i;

	if (batch)
		assert_int_equal(db_begin(db), 0);
	for (i = 0; i < sizeof order / sizeof order[0]; i++) {
		snprintf(id, sizeof id, "gucheng-%d", order[i]);
		mkop(&op, LOG, id, NOTE_BODY);
		op.seq = order[i];
		assert_int_equal(op_apply(db, &op), fresh[i]);
		if (batch && i == 6) {
			/* Refused: its station's next sequence, a bad body. */
			op.seq = 10;
			cJSON_AddStringToObject(op.body, "smuggled", "x");
			assert_int_equal(op_apply(db, &op), DD_E_SCHEMA);
		}
		op_clear(&op);
		if (batch) {
			snprintf(id, sizeof id, "gucheng-%d", 100 + (int)i);
			mkop(&op, LOG, id, NOTE_BODY);
			snprintf(op.incarnation, sizeof op.incarnation,
				 "00000000000000cc");
			op.seq = (int64_t)(sizeof order / sizeof order[0] - i);
			assert_int_equal(op_apply(db, &op), 1);
			op_clear(&op);
		}
	}
	if (batch) {
		assert_int_equal(db_end(db, 0), 0);
		before += sizeof order / sizeof order[0];
	}
	assert_int_equal(tnops(db), before + 9);
	for (i = 1; i <= 9; i++) {
		snprintf(id, sizeof id, "gucheng-%zu", i);
		mkop(&op, LOG, id, NOTE_BODY);
		op.seq = (int64_t)i;
		assert_int_equal(op_apply(db, &op), 0);
		assert_int_equal(op_apply(inorder, &op), 1);
		op_clear(&op);
	}
	assert_int_equal(tnops(db), before + 9);
	x0 = texport(db);
	x1 = texport(inorder);
	assert_non_null(strstr(x0, "gucheng-9"));
	if (!batch)
		assert_string_equal(x0, x1);
	free(x0);
	free(x1);
	db_close(&db);
	db_close(&inorder);
}

static void
held_in_any_order(void **state)
{
	(void)state;
	held_order(0);
}

static void
held_in_any_order_in_one_transaction(void **state)
{
	(void)state;
	held_order(1);
}

/* An operation under this station's own name and incarnation that the
 * station does not hold can only be forged or damaged: the station is
 * the sole author of that sequence. It is refused, and the station's own
 * next command still gets sequence 1 and id datian-1. One under its name
 * but from an earlier incarnation (a copy restored from backup, ops made
 * after the backup) is genuine and is applied. */
static void
own_name_not_held_refused(void **state)
{
	struct db *db = tdb_new("datian", ROLE_TOWN, 0);
	struct station_info si, s1, s2;
	struct op op;
	char id[64] = "", id2[64] = "";
	int rc_forged, rc_local, rc_old, rc_next;
	(void)state;

	/* Everything runs and is released before the first assertion, so a
	 * failure here leaks nothing under valgrind. */
	assert_int_equal(station_info(db, &si), 0);
	mkop(&op, LOG, "datian-1", "{\"kind\":\"note\",\"text\":\"forged\"," AT "}");
	snprintf(op.station, sizeof op.station, "datian");
	snprintf(op.incarnation, sizeof op.incarnation, "%s", si.incarnation);
	rc_forged = op_apply(db, &op);
	op_clear(&op);
	rc_local = log_add(db, "note", "mine", id);
	memset(&s1, 0, sizeof s1);
	station_info(db, &s1);

	mkop(&op, LOG, "datian-7", "{\"kind\":\"note\",\"text\":\"before the "
	     "restore\"," AT "}");
	snprintf(op.station, sizeof op.station, "datian");
	snprintf(op.incarnation, sizeof op.incarnation, "feedfacefeedface");
	op.seq = 7;
	rc_old = op_apply(db, &op);
	op_clear(&op);
	rc_next = log_add(db, "note", "after", id2);
	memset(&s2, 0, sizeof s2);
	station_info(db, &s2);
	db_close(&db);

	if (rc_forged >= 0 || rc_local != 0)
		fprintf(stderr, "forged own op: apply %d, next local %d\n",
			rc_forged, rc_local);
	assert_true(rc_forged < 0);
	assert_int_equal(rc_local, 0);
	assert_string_equal(id, "datian-1");
	assert_int_equal(s1.seq, 1);
	assert_int_equal(s1.ops, si.ops + 1);
	assert_int_equal(rc_old, 1);
	/* Ids keep clear of the earlier incarnation's. */
	assert_int_equal(rc_next, 0);
	assert_string_equal(id2, "datian-8");
	assert_int_equal(s2.ops, si.ops + 3);
}

/* ---- the JSONTestSuite corpus ---- */

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = 0;
			*len = (size_t)n;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Every file of the corpus, valid JSON or not, goes through the reader
 * the wire uses; an object goes on to op_from_json and op_apply, and also
 * in as the body of an otherwise good operation. None of it may crash
 * or be applied. */
static void
json_test_suite(void **state)
{
	const char *dir = getenv("DUTYDESK_JSON_SUITE");
	struct db *db;
	struct dirent *e;
	DIR *d;
	char path[4096], *x0, *x1;
	int64_t before, seq = 0;
	int files = 0, objects = 0, y_objects = 0, y_objects_parsed = 0;
	(void)state;

	if (!dir || !*dir)
		dir = "../shared/data/JSONTestSuite/test_parsing";
	d = opendir(dir);
	if (!d) {
		print_message("JSONTestSuite corpus absent (%s); skipped\n", dir);
		skip();
	}
	db = tdb_new("datian", ROLE_TOWN, 0);
	before = tnops(db);
	x0 = texport(db);
	while ((e = readdir(d))) {
		const char *end = NULL;
		size_t len = 0;
		char *buf;
		cJSON *j;
		struct op op;
		int rc;

		if (!strstr(e->d_name, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		buf = slurp(path, &len);
		assert_non_null(buf);
		files++;
		/* With require_null_terminated, cJSON wants the terminating
		 * NUL inside the length it is given. */
		j = cJSON_ParseWithLengthOpts(buf, len + 1, &end, 1);
		if (strncmp(e->d_name, "y_object", 8) == 0) {
			y_objects++;
			y_objects_parsed += cJSON_IsObject(j);
		}
		if (cJSON_IsObject(j)) {
			objects++;
			rc = op_from_json(j, &op);
			if (rc == 0) {
				rc = op_apply(db, &op);
				op_clear(&op);
				if (rc > 0)
					fprintf(stderr, "%s was applied\n", e->d_name);
				assert_true(rc <= 0);
			} else {
				assert_int_equal(rc, DD_E_SCHEMA);
				assert_null(op.body);
			}
			/* The object as the body of a log entry. */
			mkop(&op, LOG, "gucheng-1", NULL);
			op.seq = ++seq;
			snprintf(op.entity, sizeof op.entity, "gucheng-%lld",
				 (long long)seq);
			op.body = cJSON_Duplicate(j, 1);
			rc = op_apply(db, &op);
			op_clear(&op);
			if (rc != DD_E_SCHEMA)
				fprintf(stderr, "%s as a body: %d\n", e->d_name, rc);
			assert_int_equal(rc, DD_E_SCHEMA);
		}
		cJSON_Delete(j);
		free(buf);
	}
	closedir(d);
	/* The corpus holds 318 files; each of its y_object files is an
	 * object the reader must accept, so the paths above were taken. */
	assert_true(files >= 300);
	assert_true(y_objects >= 12);
	assert_int_equal(y_objects_parsed, y_objects);
	assert_true(objects >= y_objects);
	assert_int_equal(tnops(db), before);
	x1 = texport(db);
	assert_string_equal(x0, x1);
	free(x0);
	free(x1);
	db_close(&db);
}

/* ---- the bodies, as sync/PROTOCOL.md gives them ---- */

/* The line PROTOCOL.md gives member f of kind's body, as the schema
 * the code checks says it. */
static void
member_line(char *out, size_t n, const char *kind, const struct field *f)
{
	char what[400] = "";
	size_t k;

	switch (f->t) {
	case F_STR:
		snprintf(what, sizeof what, "a string of at most %lld bytes",
			 (long long)(f->max ? f->max : 4000));
		break;
	case F_INT:
		snprintf(what, sizeof what, "an integer from %lld to %lld",
			 (long long)f->min, (long long)f->max);
		break;
	case F_TIME:
		snprintf(what, sizeof what, "a time");
		break;
	case F_BOOL:
		snprintf(what, sizeof what, "true or false");
		break;
	case F_ENUM:
		snprintf(what, sizeof what, "one of");
		for (k = 0; f->enums[k]; k++)
			snprintf(what + strlen(what), sizeof what - strlen(what),
				 "%s `%s`", k ? "," : "", f->enums[k]);
		break;
	case F_STRS:
		snprintf(what, sizeof what, "an array of at most %lld names",
			 (long long)f->max);
		break;
	case F_LEGS:
		snprintf(what, sizeof what, "an array of 1 or 2 legs");
		break;
	case F_PEOPLE:
		snprintf(what, sizeof what, "an array of at most %lld people",
			 (long long)f->max);
		break;
	}
	snprintf(out, n, "- `%s` `%s`: %s%s", kind, f->name, what,
		 f->req ? ", required" : "");
}

/* Every member of every kind's body is in sync/PROTOCOL.md as the code
 * checks it, and every kind's line says who may make it: a peer written
 * from the document alone makes bodies the server takes. */
static void
bodies_as_documented(void **state)
{
	const struct field *f;
	char line[600], *doc;
	size_t i, lines = 0;
	int town, cmd, seed, creates;
	FILE *p = fopen("sync/PROTOCOL.md", "r");
	long len;
	(void)state;

	if (!p)
		skip();
	assert_int_equal(fseek(p, 0, SEEK_END), 0);
	len = ftell(p);
	rewind(p);
	doc = malloc((size_t)len + 1);
	assert_int_equal(fread(doc, 1, (size_t)len, p), (size_t)len);
	doc[len] = 0;
	fclose(p);
	for (i = 0; (f = op_kind_schema(i, &town, &cmd, &seed)); i++) {
		const char *kind = op_kind_name(i, &creates);
		snprintf(line, sizeof line, "`%s`: made by %s%s%s%s\n", kind,
			 town && cmd ? "any station" : cmd ? "the command station"
			 : "a town station", seed ? " and the seed" : "",
			 creates ? "; creates a record" : "",
			 f->name ? "; its body:" : "; its body is `{}`");
		if (!strstr(doc, line))
			fail_msg("sync/PROTOCOL.md lacks the line: %s", line);
		for (; f->name; f++, lines++) {
			member_line(line, sizeof line, kind, f);
			strcat(line, "\n");
			if (!strstr(doc, line))
				fail_msg("sync/PROTOCOL.md lacks the line: %s", line);
		}
	}
	assert_true(i >= 20);
	assert_true(lines >= 40);
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_round_trip),
		cmocka_unit_test(json_refusals),
		cmocka_unit_test(apply_refusals),
		cmocka_unit_test(apply_twice),
		cmocka_unit_test(held_in_any_order),
		cmocka_unit_test(held_in_any_order_in_one_transaction),
		cmocka_unit_test(own_name_not_held_refused),
		cmocka_unit_test(json_test_suite),
		cmocka_unit_test(bodies_as_documented),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
