/*
 * test_ids.c - a record id is created once. A copy restored from a
 * backup makes its ids a million past what the backup holds, clear of
 * what the lost copy made after it. Two copies restored from one backup
 * start at the same id; what each makes there offline, of every kind
 * that creates a record, reaches the county server in some order: the
 * first taken owns the id, the other is refused as conflict, listed on
 * the station that made it and gone from its state, and the server, both
 * copies and a third station end byte for byte the same whatever the
 * order of pushes and pulls.
 */
#include "testlib.h"
#include "core/private.h"

/* ---- a county server without the wire --------------------------------
 * What dutydeskd does with a push (replica_take in one transaction, then
 * an ack with the refusals) and a pull (what it took, in server order,
 * applied with the cursor in one transaction). */

#define BATCH 64

/* Operations as the wire carries them, gathered in a JSON array: a
 * station's outbox, or what the server took (with its sseq). */
static int
keep_op(const struct op *op, void *ctx)
{
	cJSON_AddItemToArray(ctx, op_to_json(op));
	return 0;
}

static int
keep_taken(const struct op *op, int64_t sseq, void *ctx)
{
	cJSON *j = op_to_json(op);
	char n[24];

	snprintf(n, sizeof n, "%lld", (long long)sseq);
	cJSON_AddStringToObject(j, "sseq", n);
	cJSON_AddItemToArray(ctx, j);
	return 0;
}

/* The server's state follows its log (dutydeskd's projection), here in
 * slices of three, so that a slice ends amid a push's operations. */
static void
project(struct db *srv)
{
	int64_t head = 0, upto = 0, was;

	assert_int_equal(replica_head(srv, &head), 0);
	do {
		was = upto;
		assert_int_equal(replica_project(srv, 3, &upto), 0);
	} while (upto < head && upto > was);
	assert_int_equal(upto, head);
}

/* Station st pushes its outbox (one incarnation's) and hears the ack. */
static void
push(struct db *srv, struct db *st)
{
	struct station_info si;
	struct refusal ref[BATCH];
	char code[BATCH][16], msg[BATCH][256];
	cJSON *ops = cJSON_CreateArray(), *j;
	int64_t sseq, upto = 0;
	int n = 0, rc;

	assert_int_equal(station_identity(st, &si), 0);
	assert_int_equal(op_each(st, 1, keep_op, ops), 0);
	assert_true(cJSON_GetArraySize(ops) <= BATCH);
	assert_int_equal(db_begin(srv), 0);
	cJSON_ArrayForEach(j, ops) {
		struct op op;
		assert_int_equal(op_from_json(j, &op), 0);
		assert_string_equal(op.incarnation, si.incarnation);
		rc = replica_take(srv, &op, si.role, &sseq);
		if (rc < 0)
			fail_msg("take %s: %s", op.entity, db_errmsg(srv));
		if (rc == 2) {
			snprintf(code[n], sizeof code[n], "%s", replica_refusal(srv));
			snprintf(msg[n], sizeof msg[n], "%s", db_errmsg(srv));
			ref[n].seq = op.seq;
			ref[n].code = code[n];
			ref[n].message = msg[n];
			n++;
		}
		op_clear(&op);
	}
	assert_int_equal(db_end(srv, 0), 0);
	cJSON_Delete(ops);
	project(srv);
	assert_int_equal(replica_have(srv, si.station, si.incarnation, &upto), 0);
	assert_int_equal(replica_ack(st, upto, ref, (size_t)n), 0);
}

/* Station st pulls what the server took since its cursor, in order; a
 * station applies all of it (a refusal fails the test, named). */
static void
pull(struct db *srv, struct db *st)
{
	int64_t after = 0;
	cJSON *ops, *j;

	for (;;) {
		assert_int_equal(replica_cursor(st, &after), 0);
		ops = cJSON_CreateArray();
		assert_int_equal(replica_each_after(srv, after, BATCH, keep_taken,
						    ops), 0);
		if (cJSON_GetArraySize(ops) == 0) {
			cJSON_Delete(ops);
			return;
		}
		assert_int_equal(db_begin(st), 0);
		cJSON_ArrayForEach(j, ops) {
			struct op op;
			assert_int_equal(op_from_json(j, &op), 0);
			if (op_apply(st, &op) < 0)
				fail_msg("apply %s %s: %s", op.kind, op.entity,
					 db_errmsg(st));
			op_clear(&op);
			after = atoll(tstr(j, "sseq"));
		}
		assert_int_equal(replica_set_cursor(st, after), 0);
		assert_int_equal(db_end(st, 0), 0);
		cJSON_Delete(ops);
	}
}

/* A copy of from's database file, opened as a database of its own and
 * held until the teardown: restored from a backup (restore: a new
 * incarnation, ids moved on) or the same state started again elsewhere. */
static struct db *
tcopy(struct db *from, const char *name, int restore)
{
	char side[600];
	const char *p = tpath(name);
	int i;

	for (i = 0; i < 8 && theld_db[i]; i++)
		;
	assert_true(i < 8);
	unlink(p);
	snprintf(side, sizeof side, "%s-wal", p);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", p);
	unlink(side);
	assert_int_equal(db_backup(from, p), 0);
	assert_int_equal(db_open(p, 0, &theld_db[i]), 0);
	db_set_clock(theld_db[i], &test_clock);
	db_set_officer(theld_db[i], "tester");
	if (restore)
		assert_int_equal(db_restore_mark(theld_db[i]), 0);
	return theld_db[i];
}

/* The county before the backup: the server, datian (a command station,
 * so that it may decide responses and issue warnings) with an incident
 * and a warning every station has, and gucheng. */
struct county {
	struct db *srv, *datian, *gucheng;
	char incident[64], warning[64], request[64], written[64];
};

/* The request every station has (county_up), whose steps shows reads;
 * and one sent already, whose receipt the copies take. */
static char the_request[64], the_sent[64];

static void
leader(struct db *db, const char *name)
{
	cJSON *f = tkeep(cJSON_CreateObject());
	char id[64];

	cJSON_AddStringToObject(f, "name", name);
	cJSON_AddStringToObject(f, "phones", "13800000001");
	cJSON_AddStringToObject(f, "role", "town_leader");
	cJSON_AddStringToObject(f, "town", "datian");
	assert_int_equal(contact_add(db, f, id), 0);
}

static void
county_up(struct county *k)
{
	cJSON *f = tkeep(cJSON_CreateObject());
	int changed;

	k->srv = tstation("county", ROLE_COMMAND, 1);
	k->datian = tstation("datian", ROLE_COMMAND, 1);
	k->gucheng = tstation("gucheng", ROLE_TOWN, 1);
	cJSON_AddStringToObject(f, "town", "datian");
	cJSON_AddStringToObject(f, "title", "山体滑坡");
	assert_int_equal(incident_add(k->datian, f, k->incident), 0);
	assert_int_equal(warning_issue(k->datian, "typhoon", "orange",
				       "台风橙色预警", NULL, k->warning), 0);
	f = tkeep(cJSON_CreateObject());
	cJSON_AddStringToObject(f, "code", "LH-DT-001");
	cJSON_AddStringToObject(f, "name", "樟坦山洪沟");
	cJSON_AddStringToObject(f, "kind", "torrent");
	cJSON_AddStringToObject(f, "town", "datian");
	cJSON_AddStringToObject(f, "people", "500");
	assert_int_equal(risk_put(k->datian, f, &changed), 0);
	assert_int_equal(changed, 1);
	/* A written report not yet signed, and two leaders who may sign
	 * it (no roster is kept). */
	assert_int_equal(incident_report(k->datian, k->incident, REPORT_FIRST,
					 "written", "书面首报", 0, k->written), 0);
	leader(k->datian, "张甲");
	leader(k->datian, "李乙");
	push(k->srv, k->datian);
	pull(k->srv, k->datian);
	pull(k->srv, k->gucheng);
}

/* ---- what the two copies make under one id ---------------------------- */

/* What tells the two copies' records apart. */
static const char *const mark[2] = { "甲", "乙" };

static void
make_incident(struct db *db, const struct county *k, int who, char id[64])
{
	cJSON *f = tkeep(cJSON_CreateObject());

	(void)k;
	cJSON_AddStringToObject(f, "town", "datian");
	cJSON_AddStringToObject(f, "title", mark[who]);
	assert_int_equal(incident_add(db, f, id), 0);
}

static void
make_report(struct db *db, const struct county *k, int who, char id[64])
{
	assert_int_equal(incident_report(db, k->incident, REPORT_FIRST, "phone",
					 mark[who], 0, id), 0);
}

static void
make_decision(struct db *db, const struct county *k, int who, char id[64])
{
	(void)k;
	assert_int_equal(response_decide(db, "typhoon", RESP_START, 4, "值班长",
					 mark[who], id), 0);
}

static const char *const teams[2] = { "m01", "m02" };

static void
make_dispatch(struct db *db, const struct county *k, int who, char id[64])
{
	assert_int_equal(dispatch_create(db, teams[who], k->incident, id), 0);
}

/* A stocktake: what each copy counted becomes the stock. */
static const char *const counted[2] = { "111", "222" };

static void
make_movement(struct db *db, const struct county *k, int who, char id[64])
{
	(void)k;
	assert_int_equal(supply_move(db, MOVE_COUNT, "tent", "d-datian", NULL,
				     atoll(counted[who]), NULL, id), 0);
}

static void
make_warning(struct db *db, const struct county *k, int who, char id[64])
{
	(void)k;
	assert_int_equal(warning_issue(db, "flood", "blue", mark[who], NULL, id),
			 0);
}

static void
make_answer(struct db *db, const struct county *k, int who, char id[64])
{
	assert_int_equal(warning_answer(db, k->warning, "datian", mark[who], id),
			 0);
}

static void
make_log(struct db *db, const struct county *k, int who, char id[64])
{
	(void)k;
	assert_int_equal(log_add(db, "note", mark[who], id), 0);
}

static void
make_contact(struct db *db, const struct county *k, int who, char id[64])
{
	cJSON *f = tkeep(cJSON_CreateObject());

	(void)k;
	cJSON_AddStringToObject(f, "name", mark[who]);
	cJSON_AddStringToObject(f, "phones", "13800000000");
	cJSON_AddStringToObject(f, "role", "town_duty");
	cJSON_AddStringToObject(f, "town", "datian");
	assert_int_equal(contact_add(db, f, id), 0);
}

static const char *const dates[2] = { "2026-12-10", "2026-12-20" };

static void
make_shift(struct db *db, const struct county *k, int who, char id[64])
{
	cJSON *people = tlist(db, LIST_CONTACTS);

	(void)k;
	assert_int_equal(roster_add(db, dates[who], NULL, 0,
				    tstr(cJSON_GetArrayItem(people, 0), "id"),
				    tstr(cJSON_GetArrayItem(people, 1), "id"),
				    NULL, id), 0);
}

static void
make_call(struct db *db, const struct county *k, int who, char id[64])
{
	cJSON *f = tkeep(cJSON_CreateObject());

	(void)k;
	cJSON_AddStringToObject(f, "outcome", "answered");
	cJSON_AddStringToObject(f, "note", mark[who]);
	assert_int_equal(call_log(db, "0576-85000000", f, id), 0);
}

static const char *const checked[2] = { "datian", "gucheng" };

static void
make_check(struct db *db, const struct county *k, int who, char id[64])
{
	(void)k;
	assert_int_equal(check_log(db, checked[who], NULL, 0, id), 0);
}

static void
make_request(struct db *db, const struct county *k, int who, char id[64])
{
	(void)k;
	assert_int_equal(request_add(db, NULL, NULL, 0, "fire", NULL, mark[who],
				     id), 0);
}

/* An evacuation from a risk point: what each copy moved becomes the
 * point's people moved. */
static const char *const moved[2] = { "31", "42" };

static void
make_evacuation(struct db *db, const struct county *k, int who, char id[64])
{
	(void)k;
	assert_int_equal(risk_evacuate(db, "LH-DT-001", atoll(moved[who]), id),
			 0);
}

/* A request every station has, for the steps the copies take. */
static void
county_request(struct county *k)
{
	assert_int_equal(request_add(k->datian, NULL, "tent", 5, NULL, NULL,
				     NULL, k->request), 0);
	snprintf(the_request, sizeof the_request, "%s", k->request);
	push(k->srv, k->datian);
	pull(k->srv, k->datian);
	pull(k->srv, k->gucheng);
}

static void
make_request_step(struct db *db, const struct county *k, int who, char id[64])
{
	assert_int_equal(request_refuse(db, k->request, mark[who], id), 0);
}

/* A team asked for, approved and sent, every station holding it: a
 * team's receipt moves no stock, so the receipt is the copy's first id. */
static void
county_sent(struct county *k)
{
	char step[64], ref[64];

	assert_int_equal(request_add(k->datian, NULL, NULL, 0, "fire",
				     k->incident, NULL, the_sent), 0);
	assert_int_equal(request_approve(k->datian, the_sent, 0, NULL,
					 "f-gucheng", step), 0);
	assert_int_equal(request_send(k->datian, the_sent, NULL, step, ref), 0);
	push(k->srv, k->datian);
	pull(k->srv, k->datian);
	pull(k->srv, k->gucheng);
}

/* Each copy's receipt is signed by its own officer. */
static void
make_request_receive(struct db *db, const struct county *k, int who,
		     char id[64])
{
	char ref[64];

	(void)k;
	db_set_officer(db, mark[who]);
	assert_int_equal(request_receive(db, the_sent, NULL, id, ref), 0);
}

/* Each copy's leader signs the one written report. */
static const char *const signers[2] = { "张甲", "李乙" };

static void
make_signoff(struct db *db, const struct county *k, int who, char id[64])
{
	assert_int_equal(report_sign(db, k->written, signers[who], 0, id), 0);
}

/* Each kind that creates a record: how a copy makes one, and where it
 * shows (the list, the row of the id, the field that holds the maker's
 * mark; for the stocktake, the stock of tents at d-datian). */
static const struct maker {
	const char *kind;
	void (*make)(struct db *db, const struct county *k, int who, char id[64]);
	enum list list;
	const char *field;
	const char *const *value;
} makers[] = {
	{ "incident.open", make_incident, LIST_INCIDENTS, "title", mark },
	{ "incident.report", make_report, LIST_REPORTS, "text", mark },
	{ "response.decide", make_decision, LIST_DECISIONS, "note", mark },
	{ "dispatch.create", make_dispatch, LIST_DISPATCHES, "team", teams },
	{ "supply.move", make_movement, LIST_STOCK, NULL, counted },
	{ "warning.issue", make_warning, LIST_WARNINGS, "text", mark },
	{ "warning.answer", make_answer, LIST_ANSWERS, "who", mark },
	{ "log.add", make_log, LIST_LOG, "text", mark },
	{ "contact.add", make_contact, LIST_CONTACTS, "name", mark },
	{ "roster.add", make_shift, LIST_ROSTER, "date", dates },
	{ "call.log", make_call, LIST_CALLS, "note", mark },
	{ "check.log", make_check, LIST_CHECKS, "town", checked },
	/* Not a state_list: request_list, or the steps of the_request. */
	{ "request.add", make_request, LIST_N, "note", mark },
	{ "request.step", make_request_step, LIST_N, "reason", mark },
	{ "request.receive", make_request_receive, LIST_N, "officer", mark },
	/* LIST_N: the people moved of risk point LH-DT-001. */
	{ "risk.evacuate", make_evacuation, LIST_N, NULL, moved },
	{ "report.sign", make_signoff, LIST_SIGNOFFS, "name", signers },
};
#define NMAKERS (sizeof makers / sizeof makers[0])
_Static_assert(NMAKERS == 17, "main runs same_id_twice for each maker");

/* Replica db shows record id as made by copy who, and nothing as the
 * other copy made it. */
static void
shows(struct db *db, const struct maker *m, const char *id, int who)
{
	char qty[24];
	cJSON *list, *row;

	if (m->list == LIST_STOCK) {
		snprintf(qty, sizeof qty, "%lld",
			 (long long)supply_stock(db, "d-datian", "tent"));
		assert_string_equal(qty, m->value[who]);
		return;
	}
	if (m->list == LIST_N && strcmp(m->kind, "risk.evacuate") == 0) {
		assert_int_equal(risk_get(db, "LH-DT-001", &row), 1);
		tkeep(row);
		assert_int_equal(tnum(row, "moved"), atoll(m->value[who]));
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(row,
								       "moves")), 1);
		return;
	}
	if (m->list == LIST_N) {
		if (strcmp(m->kind, "request.add") == 0)
			assert_int_equal(request_list(db, NULL, NULL, 0, &list), 0);
		else
			assert_int_equal(request_steps(db, strcmp(m->kind,
				"request.receive") ? the_request : the_sent, &list), 0);
		tkeep(list);
	} else {
		list = tlist(db, m->list);
	}
	if (!(row = trow(list, "id", id)))
		fail_msg("%s: no %s in the list", m->kind, id);
	assert_string_equal(tstr(row, m->field), m->value[who]);
	assert_null(trow(list, m->field, m->value[!who]));
}

/* ---- the tests ------------------------------------------------------- */

/* Every kind the table of kinds marks as creating a record has a maker
 * here, so a kind added later is tested as soon as it exists. */
static void
every_creating_kind_covered(void **state)
{
	const char *name;
	size_t i, j, creating = 0;
	int creates;
	(void)state;

	for (i = 0; (name = op_kind_name(i, &creates)); i++) {
		for (j = 0; j < NMAKERS && strcmp(makers[j].kind, name); j++)
			;
		if (creates && j == NMAKERS)
			fail_msg("%s creates a record: give it a maker here", name);
		if (!creates && j < NMAKERS)
			fail_msg("%s creates no record", name);
		creating += creates != 0;
	}
	assert_int_equal(creating, NMAKERS);
	assert_null(op_kind_name(i + 1, NULL));
}

/* The order of what happens once both copies have made their record: 1
 * and 2 a copy pushes, a and b a copy pulls, c gucheng pulls. The copy
 * that pushes first owns the id; the other hears its refusal before or
 * after it pulls the owner's creation. */
static const char *const orders[] = {
	"12abc", "21bac", "1b2ac", "2a1bc", "c1ab2", "a2cb1", "b1c2a",
};
#define NORDERS (sizeof orders / sizeof orders[0])

/* The seed of the random orders: the same ones every run. */
static unsigned order_seed = 4242;

/* The county after the backup, started again from it for each order:
 * the server, gucheng, and two copies of datian restored from the one
 * backup. */
struct scene {
	struct db *srv, *gucheng, *copy[2];
};

static void
scene_up(const struct county *k, struct scene *s)
{
	s->srv = tcopy(k->srv, "srv.db", 0);
	s->gucheng = tcopy(k->gucheng, "gucheng2.db", 0);
	s->copy[0] = tcopy(k->datian, "copy1.db", 1);
	s->copy[1] = tcopy(k->datian, "copy2.db", 1);
}

/* The county syncs in order, then once more all round; returns which
 * copy pushed first. */
static int
scene_sync(struct scene *s, const char *order)
{
	const char *p;
	int first = -1;

	for (p = order; *p; p++) {
		if ((*p == '1' || *p == '2') && first < 0)
			first = *p - '1';
		switch (*p) {
		case '1': push(s->srv, s->copy[0]); break;
		case '2': push(s->srv, s->copy[1]); break;
		case 'a': pull(s->srv, s->copy[0]); break;
		case 'b': pull(s->srv, s->copy[1]); break;
		case 'c': pull(s->srv, s->gucheng); break;
		}
	}
	push(s->srv, s->copy[0]);
	push(s->srv, s->copy[1]);
	pull(s->srv, s->copy[0]);
	pull(s->srv, s->copy[1]);
	pull(s->srv, s->gucheng);
	assert_true(first >= 0);
	return first;
}

/* The server, both copies and gucheng export the same bytes; the copy
 * that lost lists n refusals, each a conflict over an id of its own, and
 * the owner none. Returns the loser's list. */
static cJSON *
scene_agrees(struct scene *s, int first, int n)
{
	const char *x = texport_of(s->srv);
	cJSON *list, *o;

	assert_string_equal(texport_of(s->copy[0]), x);
	assert_string_equal(texport_of(s->copy[1]), x);
	assert_string_equal(texport_of(s->gucheng), x);
	assert_int_equal(replica_refusals(s->copy[first], &list, NULL), 0);
	assert_int_equal(cJSON_GetArraySize(tkeep(list)), 0);
	assert_int_equal(replica_refusals(s->copy[!first], &list, NULL), 0);
	assert_int_equal(cJSON_GetArraySize(tkeep(list)), n);
	cJSON_ArrayForEach(o, list) {
		assert_string_equal(tstr(o, "code"), "conflict");
		assert_non_null(strstr(tstr(o, "message"), tstr(o, "entity")));
	}
	return list;
}

static void
scene_down(struct scene *s)
{
	tdrop(s->srv);
	tdrop(s->gucheng);
	tdrop(s->copy[0]);
	tdrop(s->copy[1]);
}

/* One kind, one order: two copies of datian restored from one backup
 * each make a record under the same id, and the county syncs. */
static void
clash(const struct county *k, const struct maker *m, const char *order)
{
	struct scene s;
	char id[2][64];
	cJSON *lost;
	int who, first;

	scene_up(k, &s);
	for (who = 0; who < 2; who++)
		m->make(s.copy[who], k, who, id[who]);
	/* Both restored from one backup: the same first id, a million past
	 * what the backup holds (datian-1 and datian-2). */
	assert_string_equal(id[0], "datian-2000001");
	assert_string_equal(id[1], id[0]);
	for (who = 0; who < 2; who++)
		shows(s.copy[who], m, id[0], who);
	first = scene_sync(&s, order);
	/* The first copy to push owns the id everywhere; the other's
	 * creation is refused as conflict, listed where it was made. */
	shows(s.srv, m, id[0], first);
	shows(s.copy[0], m, id[0], first);
	shows(s.copy[1], m, id[0], first);
	shows(s.gucheng, m, id[0], first);
	lost = scene_agrees(&s, first, 1);
	assert_string_equal(tstr(cJSON_GetArrayItem(lost, 0), "kind"), m->kind);
	assert_string_equal(tstr(cJSON_GetArrayItem(lost, 0), "entity"), id[0]);
	scene_down(&s);
}

/* One kind (the test's state, a row of makers): the fixed orders, and
 * two more at random. */
static void
same_id_twice(void **state)
{
	const struct maker *m = *state;
	struct county k;
	char order[6];
	size_t o;
	int r;

	county_up(&k);
	if (m->make == make_request_step)
		county_request(&k);
	if (m->make == make_request_receive)
		county_sent(&k);
	for (o = 0; o < NORDERS; o++)
		clash(&k, m, orders[o]);
	for (r = 0; r < 2; r++) {
		snprintf(order, sizeof order, "12abc");
		for (o = 4; o > 0; o--) {
			size_t j = (size_t)rand_r(&order_seed) % (o + 1);
			char t = order[o];
			order[o] = order[j];
			order[j] = t;
		}
		clash(&k, m, order);
	}
}

/* What a copy did to its record after making it (changed it, sent a
 * team to it) is not lost with the record: it applies to the record
 * that owns the id, alike everywhere. Its dispatch took the next id,
 * which the other copy's took too: refused as well. */
static void
later_changes_follow_the_owner(void **state)
{
	static const char *const order[] = { "12abc", "1b2ac", "2a1bc", "c21ab" };
	struct county k;
	struct scene s;
	char id[2][64], did[64];
	cJSON *f, *row;
	size_t o;
	int who, first;
	(void)state;

	county_up(&k);
	for (o = 0; o < sizeof order / sizeof order[0]; o++) {
		scene_up(&k, &s);
		for (who = 0; who < 2; who++) {
			make_incident(s.copy[who], &k, who, id[who]);
			f = tkeep(cJSON_CreateObject());
			cJSON_AddStringToObject(f, "place", teams[who]);
			assert_int_equal(incident_update(s.copy[who], id[who], f), 0);
			assert_int_equal(dispatch_create(s.copy[who], teams[who],
							 id[who], did), 0);
			assert_string_equal(did, "datian-2000002");
		}
		first = scene_sync(&s, order[o]);
		scene_agrees(&s, first, 1 + 1);
		/* Both changes reached the owner's incident; one of them won
		 * the place, the same one everywhere (scene_agrees). */
		row = trow(tlist(s.srv, LIST_INCIDENTS), "id", id[0]);
		assert_non_null(row);
		assert_string_equal(tstr(row, "title"), mark[first]);
		row = trow(tlist(s.srv, LIST_DISPATCHES), "team", teams[first]);
		assert_non_null(row);
		assert_string_equal(tstr(row, "incident"), id[0]);
		assert_null(trow(tlist(s.srv, LIST_DISPATCHES), "team",
				 teams[!first]));
		scene_down(&s);
	}
}

/* The lost copy made records after the backup and synced them; the
 * copy restored from the backup makes its own a million further on: no
 * id is taken twice, nothing is refused, and all end the same. */
static void
restore_moves_ids_on(void **state)
{
	struct county k;
	struct db *copy;
	cJSON *list;
	char id[64], mine[64];
	int i;
	(void)state;

	county_up(&k);
	copy = tcopy(k.datian, "restored.db", 1);
	for (i = 0; i < 3; i++)
		assert_int_equal(log_add(k.datian, "note", "备份之后", id), 0);
	/* After the county's five records: an incident, a warning, a
	 * written report and its two leaders. */
	assert_string_equal(id, "datian-8");
	push(k.srv, k.datian);
	assert_int_equal(log_add(copy, "note", "恢复之后", mine), 0);
	assert_string_equal(mine, "datian-2000001");
	push(k.srv, copy);
	pull(k.srv, copy);
	pull(k.srv, k.datian);
	pull(k.srv, k.gucheng);
	assert_int_equal(replica_refusals(copy, &list, NULL), 0);
	assert_int_equal(cJSON_GetArraySize(tkeep(list)), 0);
	list = tlist(copy, LIST_LOG);
	assert_non_null(trow(list, "id", "datian-8"));
	assert_non_null(trow(list, "id", "datian-2000001"));
	assert_string_equal(texport_of(copy), texport_of(k.srv));
	assert_string_equal(texport_of(k.datian), texport_of(k.srv));
	assert_string_equal(texport_of(k.gucheng), texport_of(k.srv));
	/* A second restore moves on by another million from there. */
	tdrop(copy);
	copy = tcopy(k.datian, "restored2.db", 1);
	assert_int_equal(log_add(copy, "note", "再次恢复", mine), 0);
	assert_string_equal(mine, "datian-4000001");
}

/* An id created twice by one incarnation (a damaged or forged station:
 * ours never does it) is refused the same way, on the server and on a
 * station that gets both, and the second leaves nothing behind. */
static void
one_incarnation_twice(void **state)
{
	struct db *srv = tstation("county", ROLE_COMMAND, 1);
	struct db *st = tstation("gucheng", ROLE_TOWN, 1);
	struct op a, b;
	const char *before;
	int64_t sseq, n;
	(void)state;

	tmkop(&a, "datian", "00000000000000aa", 1, (T0 * 1000) << 16, "x",
	      "log.add", "datian-1", "{\"kind\":\"note\",\"text\":\"first\","
	      "\"at\":\"2026-11-28T12:00:00Z\"}");
	tmkop(&b, "datian", "00000000000000aa", 2, ((T0 * 1000) << 16) + 1, "x",
	      "incident.open", "datian-1", "{\"town\":\"datian\",\"title\":"
	      "\"second\",\"received_at\":\"2026-11-28T12:00:00Z\"}");
	assert_int_equal(db_begin(srv), 0);
	assert_int_equal(replica_take(srv, &a, ROLE_TOWN, &sseq), 1);
	assert_int_equal(replica_take(srv, &b, ROLE_TOWN, &sseq), 2);
	assert_string_equal(replica_refusal(srv), "conflict");
	assert_non_null(strstr(db_errmsg(srv), "datian-1"));
	assert_int_equal(db_end(srv, 0), 0);
	project(srv);
	assert_int_equal(replica_have(srv, "datian", "00000000000000aa", &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(op_apply(st, &a), 1);
	before = texport_of(st);
	n = tnops(st);
	trefused(st, op_apply(st, &b), DD_E_CONFLICT, "datian-1");
	assert_int_equal(tnops(st), n);
	assert_string_equal(texport_of(st), before);
	/* The first, delivered again, is held as ever. */
	assert_int_equal(op_apply(st, &a), 0);
	assert_string_equal(texport_of(st), texport_of(srv));
	op_clear(&a);
	op_clear(&b);
}

/* A station upgraded to schema 3 holding two creations of one id, ours
 * not yet taken and another's pulled: the upgrade made the first stored
 * (ours) the owner. When the server refuses ours as conflict, the other
 * station's record stays in the state (it used to leave with ours: an id
 * with no owner left was skipped by the replay). */
static void
owner_refused_after_upgrade(void **state)
{
	struct db *st = tstation("datian", ROLE_COMMAND, 1);
	struct station_info si;
	struct refusal r = { 0, "conflict", "taken" };
	struct op x;
	char id[64];
	cJSON *list;
	(void)state;

	assert_int_equal(station_identity(st, &si), 0);
	assert_int_equal(log_add(st, "note", "ours", id), 0);
	tmkop(&x, "datian", "00000000000000bb", 1, (T0 * 1000) << 16, "x",
	      "log.add", id, "{\"kind\":\"note\",\"text\":\"theirs\","
	      "\"at\":\"2026-11-28T12:00:00Z\"}");
	assert_int_equal(db_begin(st), 0);
	assert_int_equal(op_apply(st, &x), 1);
	assert_int_equal(db_end(st, 0), 0);
	op_clear(&x);
	/* What schema step 3 makes of it on a station: the first stored owns. */
	assert_int_equal(db_exec(st, "UPDATE creators SET station = ?1, "
				 "incarnation = ?2, seq = (SELECT seq FROM ops WHERE "
				 "local = 1 AND entity = ?3) WHERE id = ?3", "sss",
				 si.station, si.incarnation, id), 0);
	assert_int_equal(db_int(st, &r.seq, "SELECT seq FROM ops WHERE local = 1 "
				"AND entity = ?", "s", id), 1);
	assert_int_equal(replica_ack(st, r.seq, &r, 1), 0);
	list = tlist(st, LIST_LOG);
	assert_non_null(trow(list, "text", "theirs"));
	assert_null(trow(list, "text", "ours"));
}

/* Operations taken in within one transaction (a slice of a catch-up)
 * leave the station's clock and every station's greatest record number
 * as when each is taken in on its own: written once at the commit, and
 * seen inside the transaction by whatever reads them (a local operation
 * made there stamps past them and numbers its id past its station's).
 * More stations than are kept waiting; a stamp set aside is not taken. */
static void
batch_leaves_clock_and_counters(void **state)
{
	static const char *const stations[] = { "gucheng", "duqiao",
		"shangpan", "taozhu", "baiyun", "xiaoxi", "datian" };
	struct db *one = tstation("linhai", ROLE_COMMAND, 0);
	struct db *batch = tstation("linhai", ROLE_COMMAND, 0);
	struct db *dbs[2] = { one, batch };
	struct station_info si;
	int64_t want_hlc = 0, a, b;
	char id[64], entity[64];
	struct op x;
	int d, i;
	(void)state;

	assert_int_equal(db_begin(batch), 0);
	for (i = 0; i < 21; i++) {
		const char *st = stations[i % 7];
		/* Numbers up and down; the fifth stamp far ahead. */
		int64_t n = 1 + (i * 37) % 11, hlc = ((T0 * 1000 - 1000 * (i % 5))
						       << 16) + i;
		if (i == 5)
			hlc = ((T0 + 86400) * 1000) << 16;
		else if (hlc > want_hlc)
			want_hlc = hlc;
		snprintf(entity, sizeof entity, "%s-%lld", st, (long long)n);
		for (d = 0; d < 2; d++) {
			tmkop(&x, st, "00000000000000aa", 1 + i / 7, hlc, "x",
			      "log.add", entity, "{\"kind\":\"note\",\"text\":"
			      "\"t\",\"at\":\"2026-11-28T12:00:00Z\"}");
			assert_int_equal(op_apply(dbs[d], &x), 1);
			op_clear(&x);
		}
	}
	/* Inside the transaction: the clock as taken in, and a local
	 * operation past it. */
	assert_int_equal(station_identity(batch, &si), 0);
	assert_int_equal(si.hlc, want_hlc);
	assert_int_equal(station_identity(one, &si), 0);
	assert_int_equal(si.hlc, want_hlc);
	assert_int_equal(db_end(batch, 0), 0);
	for (i = 0; i < 7; i++) {
		assert_int_equal(db_int(one, &a, "SELECT n FROM counters WHERE "
					"station = ?", "s", stations[i]), 1);
		assert_int_equal(db_int(batch, &b, "SELECT n FROM counters WHERE "
					"station = ?", "s", stations[i]), 1);
		assert_int_equal(a, b);
	}
	assert_string_equal(texport_of(one), texport_of(batch));
	/* A local operation inside a transaction of taken-in ones. */
	assert_int_equal(db_begin(batch), 0);
	tmkop(&x, "gucheng", "00000000000000aa", 4, want_hlc + 5, "x", "log.add",
	      "gucheng-40", "{\"kind\":\"note\",\"text\":\"t\",\"at\":"
	      "\"2026-11-28T12:00:00Z\"}");
	assert_int_equal(op_apply(batch, &x), 1);
	op_clear(&x);
	tmkop(&x, "linhai", "00000000000000aa", 1, want_hlc + 9, "x", "log.add",
	      "linhai-77", "{\"kind\":\"note\",\"text\":\"t\",\"at\":"
	      "\"2026-11-28T12:00:00Z\"}");
	assert_int_equal(op_apply(batch, &x), 1);
	op_clear(&x);
	assert_int_equal(log_add(batch, "note", "here", id), 0);
	assert_string_equal(id, "linhai-78");
	assert_int_equal(station_identity(batch, &si), 0);
	assert_true(si.hlc > want_hlc + 9);
	assert_int_equal(db_end(batch, 0), 0);
	assert_int_equal(db_int(batch, &b, "SELECT n FROM counters WHERE "
				"station = 'gucheng'", NULL), 1);
	assert_int_equal(b, 40);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tfresh, trelease)
/* A test of same_id_twice for makers[i], named by its kind. */
#define REUSED(i) { makers[i].kind, same_id_twice, tfresh, trelease, \
		    (void *)&makers[i] }

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(every_creating_kind_covered),
		T(one_incarnation_twice),
		T(restore_moves_ids_on),
		T(later_changes_follow_the_owner),
		T(owner_refused_after_upgrade),
		T(batch_leaves_clock_and_counters),
		REUSED(0), REUSED(1), REUSED(2), REUSED(3),
		REUSED(4), REUSED(5), REUSED(6), REUSED(7),
		REUSED(8), REUSED(9), REUSED(10), REUSED(11),
		REUSED(12), REUSED(13), REUSED(14), REUSED(15), REUSED(16),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tcleanup();
	return rc;
}
