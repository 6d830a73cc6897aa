/*
 * test_replica.c - what sync asks of a database: the server takes
 * operations in order with a server sequence, records refusals so their
 * sequence numbers stay used, and hands them out after a cursor; a
 * station marks acknowledgements and starts over on a new server history.
 */
#include "testlib.h"

struct bag {
	struct op ops[64];
	int n;
};

static int
keep(const struct op *op, void *ctx)
{
	struct bag *b = ctx;
	cJSON *j = op_to_json(op);

	assert_true(b->n < 64);
	assert_int_equal(op_from_json(j, &b->ops[b->n++]), 0);
	cJSON_Delete(j);
	return 0;
}

static void
bag_free(struct bag *b)
{
	int i;

	for (i = 0; i < b->n; i++)
		op_clear(&b->ops[i]);
	b->n = 0;
}

static int64_t seen[64];
static int nseen;

static int
collect_sseq(const struct op *op, int64_t sseq, void *ctx)
{
	(void)op;
	(void)ctx;
	seen[nseen++] = sseq;
	return 0;
}

static void
server_takes_in_order(void **state)
{
	struct db *srv = tdb_new("server", ROLE_COMMAND, 1);
	struct db *town = tdb_new("datian", ROLE_TOWN, 1);
	struct bag b = { .n = 0 };
	cJSON *f = cJSON_CreateObject();
	int64_t have, sseq, head;
	char id[64];
	int i;
	(void)state;

	cJSON_AddStringToObject(f, "town", "datian");
	cJSON_AddStringToObject(f, "title", "内涝");
	for (i = 0; i < 3; i++)
		assert_int_equal(incident_add(town, f, id), 0);
	cJSON_Delete(f);
	assert_int_equal(op_each(town, 1, keep, &b), 0);
	assert_int_equal(b.n, 3);
	assert_int_equal(replica_have(srv, "datian", b.ops[0].incarnation, &have), 0);
	assert_int_equal(have, 0);
	assert_int_equal(db_begin(srv), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(replica_take(srv, &b.ops[i], ROLE_TOWN, &sseq), 1);
		assert_int_equal(sseq, i + 1);
	}
	/* Held already: taken once. */
	assert_int_equal(replica_take(srv, &b.ops[1], ROLE_TOWN, &sseq), 0);
	assert_int_equal(db_end(srv, 0), 0);
	assert_int_equal(replica_have(srv, "datian", b.ops[0].incarnation, &have), 0);
	assert_int_equal(have, 3);
	assert_int_equal(replica_head(srv, &head), 0);
	assert_int_equal(head, 3);
	nseen = 0;
	assert_int_equal(replica_each_after(srv, 1, 10, collect_sseq, NULL), 0);
	assert_int_equal(nseen, 2);
	assert_int_equal(seen[0], 2);
	assert_int_equal(seen[1], 3);
	/* The station hears the ack. */
	assert_int_equal(replica_ack(town, 2, NULL, 0), 0);
	bag_free(&b);
	assert_int_equal(op_each(town, 1, keep, &b), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.ops[0].seq, 3);
	bag_free(&b);
	db_close(&srv);
	db_close(&town);
}

static void
refusals_use_up_their_seq(void **state)
{
	struct db *srv = tdb_new("server2", ROLE_COMMAND, 1);
	struct op op;
	int64_t have, sseq, head = 0;
	(void)state;

	/* A town station may not decide a response: refused and recorded. */
	tmkop(&op, "gucheng", "00000000000000ab", 1, (T0 * 1000) << 16, "x",
	      "response.decide", "gucheng-1", "{\"hazard\":\"typhoon\","
	      "\"action\":\"start\",\"level\":4,\"follows\":[],\"at\":"
	      "\"2026-11-28T12:00:00Z\"}");
	assert_int_equal(db_begin(srv), 0);
	assert_int_equal(replica_take(srv, &op, ROLE_TOWN, &sseq), 2);
	assert_non_null(strstr(db_errmsg(srv), "town"));
	assert_string_equal(replica_refusal(srv), "role");
	/* A command station may. */
	op.seq = 2;
	snprintf(op.entity, sizeof op.entity, "gucheng-2");
	assert_int_equal(replica_take(srv, &op, ROLE_COMMAND, &sseq), 1);
	assert_int_equal(db_end(srv, 0), 0);
	assert_int_equal(replica_have(srv, "gucheng", op.incarnation, &have), 0);
	assert_int_equal(have, 2);
	assert_int_equal(replica_head(srv, &head), 0);
	assert_int_equal(head, 1);
	/* Stamped an hour ahead of the server's clock: refused, its seq
	 * used up, so it cannot win fields for an hour. */
	op.seq = 3;
	snprintf(op.entity, sizeof op.entity, "gucheng-3");
	op.hlc = ((T0 + 3600) * 1000) << 16;
	assert_int_equal(db_begin(srv), 0);
	assert_int_equal(replica_take(srv, &op, ROLE_COMMAND, &sseq), 2);
	assert_string_equal(replica_refusal(srv), "clock");
	assert_int_equal(db_end(srv, 0), 0);
	assert_int_equal(replica_have(srv, "gucheng", op.incarnation, &have), 0);
	assert_int_equal(have, 3);
	/* Within the allowed skew: taken. */
	op.seq = 4;
	snprintf(op.entity, sizeof op.entity, "gucheng-4");
	op.hlc = ((T0 + 60) * 1000) << 16;
	assert_int_equal(db_begin(srv), 0);
	assert_int_equal(replica_take(srv, &op, ROLE_COMMAND, &sseq), 1);
	assert_int_equal(db_end(srv, 0), 0);
	/* Outside a transaction: refused by the layer, not applied. */
	op.seq = 5;
	assert_true(replica_take(srv, &op, ROLE_COMMAND, &sseq) < 0);
	op_clear(&op);
	db_close(&srv);
}

static struct op
move_op(const char *inc, int64_t seq, const char *entity)
{
	struct op op;

	tmkop(&op, "gucheng", inc, seq, ((T0 * 1000) << 16) + seq, "x",
	      "supply.move", entity, "{\"kind\":\"issue\",\"legs\":[{"
	      "\"depot\":\"d-gucheng\",\"item\":\"tent\",\"delta\":-1}],"
	      "\"at\":\"2026-11-28T12:00:00Z\"}");
	return op;
}

static void
a_clash_spoils_only_itself(void **state)
{
	struct db *srv = tdb_new("server3", ROLE_COMMAND, 1);
	struct op a = move_op("00000000000000aa", 1, "gucheng-1");
	struct op b = move_op("00000000000000bb", 1, "gucheng-1");
	struct op c = move_op("00000000000000bb", 2, "gucheng-2");
	int64_t sseq, have, before = supply_stock(srv, "d-gucheng", "tent");
	(void)state;

	/* The same movement id from a later incarnation cannot be stored:
	 * it alone is refused, and what the transaction took stays. */
	assert_int_equal(db_begin(srv), 0);
	assert_int_equal(replica_take(srv, &a, ROLE_TOWN, &sseq), 1);
	assert_int_equal(replica_take(srv, &b, ROLE_TOWN, &sseq), 2);
	assert_string_equal(replica_refusal(srv), "conflict");
	assert_int_equal(replica_take(srv, &c, ROLE_TOWN, &sseq), 1);
	assert_int_equal(db_end(srv, 0), 0);
	/* Taken into the log only: the stock moves with the projection. */
	assert_int_equal(supply_stock(srv, "d-gucheng", "tent"), before);
	assert_int_equal(replica_project_all(srv), 0);
	assert_int_equal(supply_stock(srv, "d-gucheng", "tent"), before - 2);
	assert_int_equal(replica_have(srv, "gucheng", "00000000000000bb", &have), 0);
	assert_int_equal(have, 2);
	op_clear(&a);
	op_clear(&b);
	op_clear(&c);
	db_close(&srv);
}

static void
new_history_starts_over(void **state)
{
	struct db *town = tdb_new("shangpan", ROLE_TOWN, 1);
	struct bag b = { .n = 0 };
	int64_t cur;
	char id[64];
	int changed;
	(void)state;

	assert_int_equal(log_add(town, "note", "值班", id), 0);
	assert_int_equal(replica_history(town, "aaaa", &changed), 0);
	assert_false(changed); /* the first one we meet */
	assert_int_equal(db_begin(town), 0);
	assert_int_equal(replica_set_cursor(town, 77), 0);
	assert_int_equal(db_end(town, 0), 0);
	assert_int_equal(replica_ack(town, 1, NULL, 0), 0);
	assert_int_equal(op_each(town, 1, keep, &b), 0);
	assert_int_equal(b.n, 0);
	assert_int_equal(replica_history(town, "aaaa", &changed), 0);
	assert_false(changed);
	assert_int_equal(replica_cursor(town, &cur), 0);
	assert_int_equal(cur, 77);
	/* Another server history: pull from 0, offer everything again. */
	assert_int_equal(replica_history(town, "bbbb", &changed), 0);
	assert_true(changed);
	assert_int_equal(replica_cursor(town, &cur), 0);
	assert_int_equal(cur, 0);
	assert_int_equal(op_each(town, 1, keep, &b), 0);
	assert_int_equal(b.n, 1);
	bag_free(&b);
	db_close(&town);
}

static void
refusals_listed_until_seen(void **state)
{
	struct db *town = tdb_new("shitang", ROLE_TOWN, 1);
	/* The server refused 2 (and names 9, which this station never
	 * made: not listed); later 3; then 2 again, without a message. */
	const struct refusal two[] = { { 2, "schema", "bad body" },
				       { 9, "role", "no" } };
	const struct refusal later = { 3, "role", "later" };
	const struct refusal again = { 2, "schema", NULL };
	cJSON *list = NULL, *o;
	int64_t n = -1, upto = -1;
	char id[64];
	int i;
	(void)state;

	for (i = 0; i < 3; i++)
		assert_int_equal(log_add(town, "note", "值班", id), 0);
	{
		/* The outbox from its index: 1..3 wait, none of another
		 * incarnation; 1 acknowledged, 2 is the first waiting. */
		struct station_info si;
		int64_t first, others, drill;
		assert_int_equal(station_identity(town, &si), 0);
		assert_int_equal(replica_outbox(town, si.incarnation, si.station,
						&first, &others, &drill), 0);
		assert_int_equal(first, 1);
		assert_int_equal(others, 0);
		assert_int_equal(replica_ack(town, 1, NULL, 0), 0);
		assert_int_equal(replica_outbox(town, si.incarnation, si.station,
						&first, &others, &drill), 0);
		assert_int_equal(first, 2);
		assert_int_equal(replica_outbox(town, "0000000000000000", si.station,
						&first, &others, &drill), 0);
		assert_int_equal(first, 0);
		assert_int_equal(others, 2);
		assert_int_equal(drill, 0);
	}
	assert_int_equal(replica_refusals(town, &list, NULL), 0);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	cJSON_Delete(list);
	assert_int_equal(replica_refusals_unseen(town, &n), 0);
	assert_int_equal(n, 0);
	/* Nothing new: an acknowledgement marks nothing. */
	assert_int_equal(replica_refusals_ack(town, 0, &n), 0);
	assert_int_equal(n, 0);
	/* The server refused 2 (and names 9, which this station never made:
	 * not listed). */
	assert_int_equal(replica_ack(town, 3, two, 2), 0);
	assert_int_equal(replica_refusals_unseen(town, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(replica_refusals(town, &list, &upto), 0);
	assert_int_equal(cJSON_GetArraySize(list), 1);
	o = cJSON_GetArrayItem(list, 0);
	assert_int_equal(tnum(o, "seq"), 2);
	assert_string_equal(tstr(o, "code"), "schema");
	assert_string_equal(tstr(o, "message"), "bad body");
	assert_string_equal(tstr(o, "kind"), "log.add");
	assert_string_equal(tstr(o, "entity"), "shitang-2");
	assert_int_equal(strlen(tstr(o, "at")), 20);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(o, "seen")));
	cJSON_Delete(list);
	/* Another refusal comes while the officer reads that list: marking
	 * what the list showed leaves it new. */
	assert_int_equal(replica_ack(town, 3, &later, 1), 0);
	assert_int_equal(replica_refusals_ack(town, upto, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(replica_refusals_unseen(town, &n), 0);
	assert_int_equal(n, 1);
	/* Seen: the count clears, the list stays. */
	assert_int_equal(replica_refusals_ack(town, 0, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(replica_refusals_unseen(town, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(replica_refusals(town, &list, NULL), 0);
	assert_int_equal(cJSON_GetArraySize(list), 2);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 0),
						     "seen")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(list, 1),
						     "seen")));
	cJSON_Delete(list);
	/* The same refusal heard again is not a new one. */
	assert_int_equal(replica_ack(town, 3, &again, 1), 0);
	assert_int_equal(replica_refusals_unseen(town, &n), 0);
	assert_int_equal(n, 0);
	db_close(&town);
}

static void
digest_of_an_operation(void **state)
{
	struct op a = move_op("00000000000000aa", 7, "gucheng-7");
	struct op b = move_op("00000000000000aa", 7, "gucheng-7");
	char da[65], db_[65];
	(void)state;

	/* The body is walked, not hashed as text: escapes and number
	 * spellings that parse alike give the same digest. */
	cJSON_Delete(b.body);
	b.body = cJSON_Parse("{\"kind\":\"\\u0069ssue\",\"legs\":[{\"depot\":"
			     "\"d-gucheng\",\"item\":\"tent\",\"delta\":-1.0}],"
			     "\"at\":\"2026-11-28T12:00:00Z\"}");
	assert_non_null(b.body);
	replica_op_digest(&a, da);
	replica_op_digest(&b, db_);
	assert_int_equal(strlen(da), 64);
	assert_string_equal(da, db_);
	/* Any member changed changes it: the stamp, the body. */
	b.hlc++;
	replica_op_digest(&b, db_);
	assert_string_not_equal(da, db_);
	b.hlc--;
	cJSON_ReplaceItemInObjectCaseSensitive(b.body, "at",
		cJSON_CreateString("2026-11-28T12:00:01Z"));
	replica_op_digest(&b, db_);
	assert_string_not_equal(da, db_);
	op_clear(&a);
	op_clear(&b);
}

static void
link_settings(void **state)
{
	struct db *town = tdb_new("yongfeng", ROLE_TOWN, 0);
	char server[128], key[80];
	(void)state;

	assert_int_equal(replica_link(town, server, sizeof server, key, sizeof key),
			 0);
	assert_int_equal(replica_set_link(town, "127.0.0.1:7000", "ab"), 0);
	assert_int_equal(replica_link(town, server, sizeof server, key, sizeof key),
			 1);
	assert_string_equal(server, "127.0.0.1:7000");
	assert_string_equal(key, "ab");
	db_close(&town);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(link_settings),
		cmocka_unit_test(server_takes_in_order),
		cmocka_unit_test(refusals_use_up_their_seq),
		cmocka_unit_test(a_clash_spoils_only_itself),
		cmocka_unit_test(new_history_starts_over),
		cmocka_unit_test(refusals_listed_until_seen),
		cmocka_unit_test(digest_of_an_operation),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
