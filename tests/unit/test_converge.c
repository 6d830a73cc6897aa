/*
 * test_converge.c - replicas equal: operations from several stations,
 * made offline with partial exchanges in between, applied on separate
 * databases in many random orders, give byte-identical exports.
 */
#include "testlib.h"

#define NST 4
#define ORDERS 12

struct stn {
	struct db *db;
	int64_t ms;
	struct dd_clock clock;
	const char *code;
};

static int64_t
stn_now(void *ctx)
{
	return *(int64_t *)ctx;
}

static unsigned rng = 12345;

static unsigned
rnd(unsigned n)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 8) % n;
}

struct oplist {
	char **json;
	int n, cap;
};

static int
collect(const struct op *op, void *ctx)
{
	struct oplist *l = ctx;
	cJSON *j;

	if (strcmp(op->station, "seed") == 0)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->json = realloc(l->json, (size_t)l->cap * sizeof *l->json);
	}
	j = op_to_json(op);
	l->json[l->n++] = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return 0;
}

static void
oplist_free(struct oplist *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->json[i]);
	free(l->json);
	memset(l, 0, sizeof *l);
}

static int
apply_json(struct db *db, const char *s)
{
	cJSON *j = cJSON_Parse(s);
	struct op op;
	int rc;

	assert_non_null(j);
	assert_int_equal(op_from_json(j, &op), 0);
	rc = op_apply(db, &op);
	op_clear(&op);
	cJSON_Delete(j);
	return rc;
}

/* Give station b every operation a holds. */
static void
exchange(struct stn *a, struct stn *b)
{
	struct oplist l = { 0 };
	int i;

	assert_int_equal(op_each(a->db, 0, collect, &l), 0);
	for (i = 0; i < l.n; i++)
		assert_true(apply_json(b->db, l.json[i]) >= 0);
	oplist_free(&l);
}

static const char *const towns[] = { "datian", "gucheng", "shangpan",
	"duqiao", "taozhu" };
static const char *const teams[] = { "m01", "m02", "t-datian", "f-gucheng",
	"m10" };
static const char *const items[] = { "tent", "quilt", "raincoat" };
static const char *const depots[] = { "d-city", "d-datian", "d-gucheng" };
static const char *const hazards[] = { "typhoon", "flood" };

/* One random action as an officer would take it; refusals are fine
 * (they change nothing), the point is the mix. */
static void
act(struct stn *s)
{
	char id[64], other[64];
	cJSON *f, *list = NULL, *o;
	int n;

	s->ms += 1000 + rnd(60000);
	switch (rnd(11)) {
	case 0: case 1:
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "town", towns[rnd(5)]);
		cJSON_AddStringToObject(f, "title", "inject");
		cJSON_AddNumberToObject(f, "trapped", rnd(5));
		incident_add(s->db, f, id);
		cJSON_Delete(f);
		return;
	case 2: case 3: case 4:
		break; /* acts on an incident it knows, below */
	case 5:
		supply_move(s->db, (int)rnd(4), items[rnd(3)], depots[rnd(3)],
			    depots[rnd(3)], 1 + rnd(20), NULL, id);
		return;
	case 6:
		team_set_status(s->db, teams[rnd(5)], team_status_name(
					2 + (int)rnd(4)));
		return;
	case 7:
		if (rnd(2))
			shelter_set_open(s->db, "s001", (int)rnd(2));
		else
			shelter_occupy(s->db, "s001", rnd(2) ? 5 : -3);
		return;
	case 8: {
		/* A decision that fits what this station sees, so that two
		 * command stations make concurrent ones. */
		struct response_state rs;
		const char *h = hazards[rnd(2)];
		response_get(s->db, h, &rs);
		if (rs.conflict)
			response_decide(s->db, h, RESP_CONFIRM, 1 + (int)rnd(4),
					s->code, NULL, id);
		else if (rs.level == 0)
			response_decide(s->db, h, RESP_START, 4, s->code, NULL, id);
		else if (rs.level > 1 && rnd(2))
			response_decide(s->db, h, RESP_RAISE, rs.level - 1, s->code,
					NULL, id);
		else
			response_decide(s->db, h, rnd(2) ? RESP_END : RESP_LOWER,
					rs.level + 1, s->code, NULL, id);
		return;
	}
	case 9:
		if (rnd(2)) {
			warning_issue(s->db, "typhoon", "orange", "台风橙色预警", NULL, id);
		} else if (state_list(s->db, LIST_WARNINGS, NULL, &list) == 0 &&
			   (n = cJSON_GetArraySize(list)) > 0) {
			o = cJSON_GetArrayItem(list, (int)rnd((unsigned)n));
			warning_answer(s->db, cJSON_GetObjectItem(o, "id")->valuestring,
				       towns[rnd(5)], "村干部", id);
		}
		cJSON_Delete(list);
		return;
	case 10:
		log_add(s->db, "note", "值班记录", id);
		return;
	}
	if (state_list(s->db, LIST_INCIDENTS, NULL, &list) == 0 &&
	    (n = cJSON_GetArraySize(list)) > 0) {
		o = cJSON_GetArrayItem(list, (int)rnd((unsigned)n));
		snprintf(other, sizeof other, "%s",
			 cJSON_GetObjectItem(o, "id")->valuestring);
		switch (rnd(4)) {
		case 0:
			dispatch_create(s->db, teams[rnd(5)], other, id);
			break;
		case 1:
			incident_set_status(s->db, other, rnd(5) ? incident_status_name(
				1 + (int)rnd(4)) : "reopen");
			break;
		case 2:
			f = cJSON_CreateObject();
			cJSON_AddNumberToObject(f, "evacuated", rnd(100));
			cJSON_AddStringToObject(f, "place", s->code);
			incident_update(s->db, other, f);
			cJSON_Delete(f);
			break;
		default:
			incident_report(s->db, other, (int)rnd(3), rnd(2) ? "phone"
					: "written", "报告", 0, id);
		}
	}
	cJSON_Delete(list);
}

/* ---- the people on duty ---- */

static const char *const people[] = { "王芳", "李明", "赵强", "陈静", "周涛",
	"吴雨桐" };
static const char *const roles[] = { "town_leader", "town_duty", "officer",
	"village" };

/* The id of a random row of list l at s (NULL when it is empty), into
 * out. */
static const char *
pick(struct stn *s, enum list l, const char *key, char out[64])
{
	cJSON *list = NULL, *o;
	int n;

	out[0] = 0;
	if (state_list(s->db, l, NULL, &list) == 0 &&
	    (n = cJSON_GetArraySize(list)) > 0) {
		o = cJSON_GetArrayItem(list, (int)rnd((unsigned)n));
		snprintf(out, 64, "%s", cJSON_GetObjectItem(o, key)->valuestring);
	}
	cJSON_Delete(list);
	return out[0] ? out : NULL;
}

/* One random action on the directory, the roster, the call log, the
 * spot checks, the settings or the warnings with their people, as an
 * officer of station s would take it; refusals are fine. */
static void
act_people(struct stn *s, int command)
{
	char id[64], who[64], other[64], buf[64];
	cJSON *f = cJSON_CreateObject();

	s->ms += 1000 + rnd(60000);
	switch (rnd(10)) {
	case 0: case 1:
		cJSON_AddStringToObject(f, "name", people[rnd(6)]);
		snprintf(buf, sizeof buf, "139%08u", rnd(100000000));
		cJSON_AddStringToObject(f, "phones", buf);
		cJSON_AddStringToObject(f, "role", roles[rnd(4)]);
		cJSON_AddStringToObject(f, "town", towns[rnd(2)]);
		contact_add(s->db, f, id);
		break;
	case 2:
		/* One field or a few of someone in the directory. */
		if (!pick(s, LIST_CONTACTS, "id", who))
			break;
		if (rnd(2)) {
			snprintf(buf, sizeof buf, "138%08u", rnd(100000000));
			cJSON_AddStringToObject(f, "phones", buf);
		}
		if (rnd(2))
			cJSON_AddStringToObject(f, "unit", s->code);
		if (rnd(3) == 0)
			cJSON_AddStringToObject(f, "role", roles[rnd(4)]);
		if (rnd(12) == 0)
			cJSON_AddBoolToObject(f, "deleted", 1);
		if (cJSON_GetArraySize(f) == 0)
			cJSON_AddStringToObject(f, "town", towns[rnd(5)]);
		contact_update(s->db, who, f);
		break;
	case 3:
		if (rnd(4) == 0 && pick(s, LIST_ROSTER, "id", who)) {
			roster_remove(s->db, who);
			break;
		}
		if (!pick(s, LIST_CONTACTS, "id", who) ||
		    !pick(s, LIST_CONTACTS, "id", other))
			break;
		snprintf(buf, sizeof buf, "2026-12-%02u", 1 + rnd(20));
		roster_add(s->db, buf, rnd(2) ? "20:00" : NULL, rnd(2) ? 12 : 0,
			   who, other, NULL, id);
		break;
	case 4:
		cJSON_AddStringToObject(f, "outcome", call_outcomes[rnd(4)]);
		if (rnd(2) && pick(s, LIST_WARNINGS, "id", other))
			cJSON_AddStringToObject(f, "warning", other);
		if (rnd(3) == 0)
			cJSON_AddBoolToObject(f, "incoming", 1);
		if (rnd(3) == 0) {
			snprintf(buf, sizeof buf, "0576-85%06u", rnd(1000000));
			call_log(s->db, buf, f, id);
		} else if (pick(s, LIST_CONTACTS, "id", who)) {
			call_log(s->db, who, f, id);
		}
		break;
	case 5:
		if (command)
			check_log(s->db, towns[rnd(5)], rnd(3) && pick(s,
				  LIST_CONTACTS, "id", who) ? who : NULL, 0, id);
		break;
	case 6:
		if (command) {
			snprintf(buf, sizeof buf, "%u", 5 + rnd(40));
			setting_set(s->db, rnd(2) ? "silent.red" : "silent.yellow",
				    buf);
		} else if (rnd(3)) {
			snprintf(buf, sizeof buf, "%02u:%02u", 6 + rnd(4),
				 rnd(2) * 30);
			setting_set(s->db, "shift.start", buf);
		} else {
			setting_set(s->db, "shift.start", "");
		}
		break;
	case 7: case 8:
		if (command && rnd(2)) {
			cJSON *t = cJSON_CreateArray();
			cJSON_AddItemToArray(t, cJSON_CreateString("datian"));
			cJSON_AddItemToArray(t, cJSON_CreateString("gucheng"));
			warning_issue(s->db, "typhoon", rnd(2) ? "red" : "blue",
				      "台风预警", t, id);
			cJSON_Delete(t);
		} else if (pick(s, LIST_WARNINGS, "id", other)) {
			warning_answer(s->db, other, towns[rnd(2)], rnd(2) &&
				       pick(s, LIST_CONTACTS, "id", who) ? who
				       : people[rnd(6)], id);
		}
		break;
	case 9:
		/* A handover to whoever comes, off the roster or not. */
		log_handover_as(s->db, people[rnd(6)], rnd(2) ? "交接" : NULL, 1,
				id);
		break;
	}
	cJSON_Delete(f);
}

/* How many rows of name the export of db holds. */
static int
export_count(struct db *db, const char *name)
{
	cJSON *x = NULL;
	int n;

	assert_int_equal(state_export(db, &x), 0);
	n = cJSON_GetArraySize(cJSON_GetObjectItem(x, name));
	cJSON_Delete(x);
	return n;
}

/* The county server, as dutydeskd keeps it: its log (replica_take) and
 * the state projected from it. */
static int
take(const struct op *op, void *ctx)
{
	struct stn *srv = ctx;
	/* The role the server knows the pushing station by: the county and
	 * its stand-by desk are command stations. */
	int role = strcmp(op->station, "county") == 0 ||
		   strcmp(op->station, "beiyong") == 0 ? ROLE_COMMAND : ROLE_TOWN;
	int64_t sseq;
	int rc = replica_take(srv->db, op, role, &sseq);

	/* Nothing is refused (2): every operation passes the fixed grounds. */
	if (rc != 0 && rc != 1)
		fail_msg("the server took %s %s: %d (%s)", op->kind, op->entity, rc,
			 db_errmsg(srv->db));
	return 0;
}

/* Station s pushes what waits in its outbox to the server. */
static void
push(struct stn *s, struct stn *srv)
{
	assert_int_equal(db_begin(srv->db), 0);
	assert_int_equal(op_each(s->db, 1, take, srv), 0);
	assert_int_equal(db_end(srv->db, 0), 0);
	assert_int_equal(replica_project_all(srv->db), 0);
}

static int
relay(const struct op *op, int64_t sseq, void *ctx)
{
	struct db *db = ctx;
	(void)sseq;
	if (op_apply(db, op) < 0)
		fail_msg("pulled %s %s: %s", op->kind, op->entity, db_errmsg(db));
	return 0;
}

/* Station s pulls what the server took since it last pulled. */
static void
pull(struct stn *s, struct stn *srv, int64_t *cursor)
{
	int64_t head = 0;

	assert_int_equal(replica_head(srv->db, &head), 0);
	assert_int_equal(replica_each_after(srv->db, *cursor, 1000000, relay,
					    s->db), 0);
	*cursor = head;
}

/* A command station and two towns edit the directory, the roster, the
 * call log, the spot checks, the settings and the warnings' people
 * offline, sync through the county server in different orders, and
 * export the same bytes as the server; so do fresh replicas given
 * everything in random orders. */
static void
people_orders(void **state)
{
	static const char *const codes[3] = { "county", "datian", "gucheng" };
	struct stn st[3], srv;
	int64_t cursor[3] = { 0, 0, 0 };
	struct oplist all = { 0 };
	char *ref = NULL;
	int i, r, k;
	(void)state;

	time_set_zone("Asia/Shanghai");
	for (i = 0; i < 3; i++) {
		st[i].code = codes[i];
		st[i].ms = T0 * 1000 + i * 7919;
		st[i].clock.now_ms = stn_now;
		st[i].clock.ctx = &st[i].ms;
		st[i].db = tdb_new(codes[i], i == 0 ? ROLE_COMMAND : ROLE_TOWN, 1);
		db_set_clock(st[i].db, &st[i].clock);
	}
	srv.code = "server";
	srv.ms = T0 * 1000 + 24 * 3600 * 1000LL;
	srv.clock.now_ms = stn_now;
	srv.clock.ctx = &srv.ms;
	srv.db = tdb_new("server", ROLE_COMMAND, 1);
	db_set_clock(srv.db, &srv.clock);
	/* Rounds of offline work; between them one station pushes or pulls,
	 * so each works on what it has heard of so far. */
	for (r = 0; r < 14; r++) {
		for (k = 0; k < 25; k++) {
			i = (int)rnd(3);
			act_people(&st[i], i == 0);
		}
		for (k = 0; k < 2; k++) {
			i = (int)rnd(3);
			if (rnd(2))
				push(&st[i], &srv);
			else
				pull(&st[i], &srv, &cursor[i]);
		}
	}
	/* Everyone syncs, in an order of its own: each pushes, then each
	 * pulls, the stations taken at random. */
	for (k = 0; k < 2; k++) {
		int order[3] = { 0, 1, 2 };
		for (i = 2; i > 0; i--) {
			int j = (int)rnd((unsigned)i + 1), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (i = 0; i < 3; i++) {
			if (k == 0)
				push(&st[order[i]], &srv);
			else
				pull(&st[order[i]], &srv, &cursor[order[i]]);
		}
	}
	ref = texport(srv.db);
	for (i = 0; i < 3; i++) {
		char *x = texport(st[i].db);
		assert_string_equal(ref, x);
		free(x);
	}
	/* The mix holds what matters. */
	assert_true(export_count(srv.db, "contacts") > 100 + 10);
	assert_true(export_count(srv.db, "roster") >= 5);
	assert_true(export_count(srv.db, "calls") >= 5);
	assert_true(export_count(srv.db, "checks") >= 2);
	assert_true(export_count(srv.db, "settings") >= 3);
	assert_non_null(strstr(ref, "\"unrostered\":1"));
	assert_non_null(strstr(ref, "\"people\":[{"));
	assert_int_equal(op_each(st[0].db, 0, collect, &all), 0);
	for (r = 0; r < ORDERS / 2; r++) {
		char name[16];
		struct db *rep;
		char *x;

		for (i = all.n - 1; i > 0; i--) {
			int j = (int)rnd((unsigned)i + 1);
			char *t = all.json[i];
			all.json[i] = all.json[j];
			all.json[j] = t;
		}
		snprintf(name, sizeof name, "prep%d", r);
		rep = tdb_new(name, ROLE_TOWN, 1);
		for (i = 0; i < all.n; i++)
			assert_int_equal(apply_json(rep, all.json[i]), 1);
		x = texport(rep);
		assert_string_equal(ref, x);
		free(x);
		db_close(&rep);
	}
	free(ref);
	oplist_free(&all);
	for (i = 0; i < 3; i++)
		db_close(&st[i].db);
	db_close(&srv.db);
}

/* ---- risk points ---- */

static const char *const risk_codes[] = { "LH-DT-001", "LH-DT-002",
	"LH-GC-001", "LH-GC-002", "LH-SP-001" };

/* One random action on the risk points as an officer of station s would
 * take it: the county puts points and warns naming them, anyone moves
 * people out and clears; refusals (a point not heard of yet, cleared
 * already) are fine. */
static void
act_risk(struct stn *s, int command)
{
	char id[64], code[64], buf[32];
	cJSON *f;

	s->ms += 1000 + rnd(60000);
	switch (rnd(6)) {
	case 0: case 1:
		if (!command)
			break;
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "code", risk_codes[rnd(5)]);
		cJSON_AddStringToObject(f, "name", rnd(2) ? "樟坦山洪沟" : "南坦滑坡");
		cJSON_AddStringToObject(f, "kind", rnd(2) ? "山洪" : "geological");
		cJSON_AddStringToObject(f, "town", rnd(2) ? "datian" : "gucheng");
		snprintf(buf, sizeof buf, "%u", rnd(300));
		cJSON_AddStringToObject(f, "people", buf);
		if (rnd(2))
			cJSON_AddStringToObject(f, "village", rnd(2) ? "樟坦村" : "南坦村");
		if (rnd(2)) {
			cJSON_AddStringToObject(f, "monitor", people[rnd(6)]);
			snprintf(buf, sizeof buf, "1380000%04u", rnd(3));
			cJSON_AddStringToObject(f, "monitor_phone", buf);
		}
		risk_put(s->db, f, &(int){ 0 });
		cJSON_Delete(f);
		break;
	case 2: case 3:
		risk_evacuate(s->db, risk_codes[rnd(5)], 1 + rnd(40), id);
		break;
	case 4:
		risk_clear(s->db, risk_codes[rnd(5)], code);
		break;
	case 5:
		if (command) {
			cJSON *r = cJSON_CreateArray();
			cJSON_AddItemToArray(r, cJSON_CreateString(risk_codes[rnd(5)]));
			warning_issue_risks(s->db, "flood", "orange", "洪水预警", NULL,
					    r, 0, id);
			cJSON_Delete(r);
		}
		break;
	}
}

/* The county and two towns put, evacuate and clear risk points and
 * warn naming them, offline, sync through the server in random orders,
 * and export the same bytes as the server; so do fresh replicas given
 * everything in random orders (an evacuation before its point). */
static void
risk_orders(void **state)
{
	static const char *const codes[3] = { "county", "datian", "gucheng" };
	struct stn st[3], srv;
	int64_t cursor[3] = { 0, 0, 0 };
	struct oplist all = { 0 };
	char *ref = NULL;
	int i, r, k;
	(void)state;

	for (i = 0; i < 3; i++) {
		st[i].code = codes[i];
		st[i].ms = T0 * 1000 + i * 7919;
		st[i].clock.now_ms = stn_now;
		st[i].clock.ctx = &st[i].ms;
		st[i].db = tdb_new(codes[i], i == 0 ? ROLE_COMMAND : ROLE_TOWN, 1);
		db_set_clock(st[i].db, &st[i].clock);
	}
	srv.code = "server";
	srv.ms = T0 * 1000 + 24 * 3600 * 1000LL;
	srv.clock.now_ms = stn_now;
	srv.clock.ctx = &srv.ms;
	srv.db = tdb_new("server", ROLE_COMMAND, 1);
	db_set_clock(srv.db, &srv.clock);
	for (r = 0; r < 8; r++) {
		for (k = 0; k < 20; k++) {
			i = (int)rnd(3);
			act_risk(&st[i], i == 0);
		}
		for (k = 0; k < 2; k++) {
			i = (int)rnd(3);
			if (rnd(2))
				push(&st[i], &srv);
			else
				pull(&st[i], &srv, &cursor[i]);
		}
	}
	for (k = 0; k < 2; k++)
		for (i = 0; i < 3; i++) {
			int j = (k + i * 2) % 3;
			if (k == 0)
				push(&st[j], &srv);
			else
				pull(&st[j], &srv, &cursor[j]);
		}
	ref = texport(srv.db);
	for (i = 0; i < 3; i++) {
		char *x = texport(st[i].db);
		assert_string_equal(ref, x);
		free(x);
	}
	/* The mix holds what matters. */
	assert_true(export_count(srv.db, "risk_points") >= 3);
	assert_non_null(strstr(ref, "\"moves\":[{"));
	assert_non_null(strstr(ref, "\"risks\":[{"));
	assert_non_null(strstr(ref, "\"cleared_at\":\""));
	assert_int_equal(op_each(st[0].db, 0, collect, &all), 0);
	for (r = 0; r < ORDERS / 4; r++) {
		char name[16];
		struct db *rep;
		char *x;

		for (i = all.n - 1; i > 0; i--) {
			int j = (int)rnd((unsigned)i + 1);
			char *t = all.json[i];
			all.json[i] = all.json[j];
			all.json[j] = t;
		}
		snprintf(name, sizeof name, "rrep%d", r);
		rep = tdb_new(name, ROLE_TOWN, 1);
		for (i = 0; i < all.n; i++)
			assert_int_equal(apply_json(rep, all.json[i]), 1);
		x = texport(rep);
		assert_string_equal(ref, x);
		free(x);
		db_close(&rep);
	}
	free(ref);
	oplist_free(&all);
	for (i = 0; i < 3; i++)
		db_close(&st[i].db);
	db_close(&srv.db);
}


/* ---- requests between levels ---- */

/* One random step of a request as station s would take it: a town asks
 * or receives, a command station approves, refuses or sends; refusals
 * at intake are fine. Two command stations deciding offline make
 * concurrent approvals and refusals. */
static void
act_request(struct stn *s, int command)
{
	static const char *const kinds[] = { "fire", "town", "municipal" };
	char id[64], step[64], ref[64];
	cJSON *list = NULL, *o;
	int n;

	s->ms += 1000 + rnd(60000);
	if (!command && rnd(3) == 0) {
		if (rnd(3))
			request_add(s->db, NULL, items[rnd(3)], 1 + rnd(5), NULL,
				    NULL, NULL, id);
		else
			request_add(s->db, NULL, NULL, 0, kinds[rnd(3)], NULL,
				    "急", id);
		return;
	}
	if (request_list(s->db, NULL, NULL, 1, &list) == 0 &&
	    (n = cJSON_GetArraySize(list)) > 0) {
		o = cJSON_GetArrayItem(list, (int)rnd((unsigned)n));
		snprintf(id, sizeof id, "%s", cJSON_GetObjectItem(o, "id")->valuestring);
		if (!command)
			request_receive(s->db, id, NULL, step, ref);
		else if (rnd(3) == 0)
			request_refuse(s->db, id, s->code, step);
		else if (rnd(2) == 0)
			request_send(s->db, id, NULL, step, ref);
		else if (cJSON_IsString(cJSON_GetObjectItem(o, "item")))
			request_approve(s->db, id, 0, depots[rnd(3)], NULL, step);
		else
			request_approve(s->db, id, 0, NULL, teams[rnd(5)], step);
	}
	cJSON_Delete(list);
}

/* Two command stations (the county and its stand-by) and two towns work
 * on requests offline, sync through the county server in different
 * orders, and export the same bytes as the server; so do fresh replicas
 * given everything in random orders. */
static void
request_orders(void **state)
{
	static const char *const codes[4] = { "county", "beiyong", "datian",
		"gucheng" };
	struct stn st[4], srv;
	int64_t cursor[4] = { 0, 0, 0, 0 };
	struct oplist all = { 0 };
	char *ref = NULL;
	int i, r, k;
	(void)state;

	for (i = 0; i < 4; i++) {
		st[i].code = codes[i];
		st[i].ms = T0 * 1000 + i * 7919;
		st[i].clock.now_ms = stn_now;
		st[i].clock.ctx = &st[i].ms;
		st[i].db = tdb_new(codes[i], i < 2 ? ROLE_COMMAND : ROLE_TOWN, 1);
		db_set_clock(st[i].db, &st[i].clock);
	}
	srv.code = "server";
	srv.ms = T0 * 1000 + 24 * 3600 * 1000LL;
	srv.clock.now_ms = stn_now;
	srv.clock.ctx = &srv.ms;
	srv.db = tdb_new("server", ROLE_COMMAND, 1);
	db_set_clock(srv.db, &srv.clock);
	for (r = 0; r < 14; r++) {
		for (k = 0; k < 20; k++) {
			i = (int)rnd(4);
			act_request(&st[i], i < 2);
		}
		for (k = 0; k < 3; k++) {
			i = (int)rnd(4);
			if (rnd(2))
				push(&st[i], &srv);
			else
				pull(&st[i], &srv, &cursor[i]);
		}
	}
	for (k = 0; k < 2; k++) {
		int order[4] = { 0, 1, 2, 3 };
		for (i = 3; i > 0; i--) {
			int j = (int)rnd((unsigned)i + 1), t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		for (i = 0; i < 4; i++) {
			if (k == 0)
				push(&st[order[i]], &srv);
			else
				pull(&st[order[i]], &srv, &cursor[order[i]]);
		}
	}
	ref = texport(srv.db);
	for (i = 0; i < 4; i++) {
		char *x = texport(st[i].db);
		assert_string_equal(ref, x);
		free(x);
	}
	/* The mix holds what matters: requests received, and a conflict. */
	assert_true(export_count(srv.db, "requests") >= 10);
	assert_non_null(strstr(ref, "\"step\":\"receive\""));
	assert_non_null(strstr(ref, "\"kind\":\"request\""));
	assert_int_equal(op_each(st[0].db, 0, collect, &all), 0);
	for (r = 0; r < ORDERS / 2; r++) {
		char name[16];
		struct db *rep;
		char *x;

		for (i = all.n - 1; i > 0; i--) {
			int j = (int)rnd((unsigned)i + 1);
			char *t = all.json[i];
			all.json[i] = all.json[j];
			all.json[j] = t;
		}
		snprintf(name, sizeof name, "rrep%d", r);
		rep = tdb_new(name, ROLE_TOWN, 1);
		for (i = 0; i < all.n; i++)
			assert_int_equal(apply_json(rep, all.json[i]), 1);
		x = texport(rep);
		assert_string_equal(ref, x);
		free(x);
		db_close(&rep);
	}
	free(ref);
	oplist_free(&all);
	for (i = 0; i < 4; i++)
		db_close(&st[i].db);
	db_close(&srv.db);
}

/* The phones, unit and role of contact id at db, "phones|unit|role". */
static const char *
contact_fields(struct db *db, const char *id)
{
	static char buf[2][300];
	static int slot;
	cJSON *c = NULL;

	slot = !slot;
	assert_int_equal(contact_get(db, id, &c), 1);
	snprintf(buf[slot], sizeof buf[slot], "%s|%s|%s",
		 cJSON_GetObjectItem(c, "phones")->valuestring,
		 cJSON_IsString(cJSON_GetObjectItem(c, "unit"))
		 ? cJSON_GetObjectItem(c, "unit")->valuestring : "",
		 cJSON_GetObjectItem(c, "role")->valuestring);
	cJSON_Delete(c);
	return buf[slot];
}

/* One contact edited on two stations at once: field by field, the last
 * writer wins, and a tie goes the same way everywhere. */
static void
contact_edited_twice(void **state)
{
	struct db *cmd = tdb_new("county", ROLE_COMMAND, 1);
	struct db *a = tdb_new("datian", ROLE_TOWN, 1);
	struct db *b = tdb_new("gucheng", ROLE_TOWN, 1);
	struct stn sc = { cmd, 0, { 0 }, "county" }, sa = { a, 0, { 0 }, "datian" },
		   sb = { b, 0, { 0 }, "gucheng" };
	cJSON *f = cJSON_CreateObject();
	char id[64];
	(void)state;

	tclock_ms = T0 * 1000;
	cJSON_AddStringToObject(f, "name", "陈静");
	cJSON_AddStringToObject(f, "phones", "13900000001");
	cJSON_AddStringToObject(f, "unit", "大田街道");
	cJSON_AddStringToObject(f, "role", "town_duty");
	cJSON_AddStringToObject(f, "town", "datian");
	assert_int_equal(contact_add(cmd, f, id), 0);
	cJSON_Delete(f);
	exchange(&sc, &sa);
	exchange(&sc, &sb);
	/* Offline, datian changes the phone and the unit; a minute later
	 * gucheng the unit and the role. */
	tclock_ms += 60000;
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "phones", "13900000002");
	cJSON_AddStringToObject(f, "unit", "大田街道应急办");
	assert_int_equal(contact_update(a, id, f), 0);
	cJSON_Delete(f);
	tclock_ms += 60000;
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "unit", "大田街道办");
	cJSON_AddStringToObject(f, "role", "town_leader");
	assert_int_equal(contact_update(b, id, f), 0);
	cJSON_Delete(f);
	/* The county hears from gucheng first, datian from the county. */
	exchange(&sb, &sc);
	exchange(&sa, &sc);
	exchange(&sc, &sa);
	exchange(&sc, &sb);
	assert_string_equal(contact_fields(cmd, id),
			    "13900000002|大田街道办|town_leader");
	assert_string_equal(contact_fields(a, id), contact_fields(cmd, id));
	assert_string_equal(contact_fields(b, id), contact_fields(cmd, id));
	/* Both at the same instant: a tie, broken by the station alike on
	 * every replica, whichever order the edits come in. */
	tclock_ms += 60000;
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "phones", "13900000003");
	assert_int_equal(contact_update(a, id, f), 0);
	cJSON_Delete(f);
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "phones", "13900000004");
	assert_int_equal(contact_update(b, id, f), 0);
	cJSON_Delete(f);
	exchange(&sa, &sc);
	exchange(&sb, &sc);
	exchange(&sb, &sa);
	exchange(&sa, &sb);
	assert_string_equal(contact_fields(a, id), contact_fields(b, id));
	assert_string_equal(contact_fields(cmd, id), contact_fields(b, id));
	{
		char *xa = texport(a), *xb = texport(b), *xc = texport(cmd);
		assert_string_equal(xa, xb);
		assert_string_equal(xa, xc);
		free(xa);
		free(xb);
		free(xc);
	}
	db_close(&a);
	db_close(&b);
	db_close(&cmd);
}

static void
many_orders(void **state)
{
	static const char *const codes[NST] = { "county", "hq", "datian",
		"gucheng" };
	struct stn st[NST];
	struct oplist all = { 0 };
	char *ref = NULL;
	int i, r, k, applied;
	(void)state;

	for (i = 0; i < NST; i++) {
		st[i].code = codes[i];
		st[i].ms = T0 * 1000 + i * 7919;
		st[i].clock.now_ms = stn_now;
		st[i].clock.ctx = &st[i].ms;
		st[i].db = tdb_new(codes[i], i < 2 ? ROLE_COMMAND : ROLE_TOWN, 1);
		db_set_clock(st[i].db, &st[i].clock);
	}
	/* Rounds of offline work with partial exchanges in between, so that
	 * later operations refer to other stations' records. */
	for (r = 0; r < 10; r++) {
		for (k = 0; k < 30; k++)
			act(&st[rnd(NST)]);
		i = (int)rnd(NST);
		exchange(&st[i], &st[(i + 1) % NST]);
	}
	/* Every station gets everything, in its own order. */
	for (i = 0; i < NST; i++)
		for (k = 0; k < NST; k++)
			if (i != k)
				exchange(&st[k], &st[i]);
	ref = texport(st[0].db);
	for (i = 1; i < NST; i++) {
		char *x = texport(st[i].db);
		assert_string_equal(ref, x);
		free(x);
	}
	assert_int_equal(op_each(st[0].db, 0, collect, &all), 0);
	/* The mix must hold the cases that matter. */
	assert_true(all.n > 150);
	{
		cJSON *l = NULL;
		assert_int_equal(state_list(st[0].db, LIST_CONFLICTS, NULL, &l), 0);
		assert_true(cJSON_GetArraySize(l) >= 1);
		cJSON_Delete(l);
		assert_int_equal(state_list(st[0].db, LIST_DECISIONS, NULL, &l), 0);
		assert_true(cJSON_GetArraySize(l) >= 4);
		cJSON_Delete(l);
	}
	/* Fresh replicas, each applying the whole set in a random order. */
	for (r = 0; r < ORDERS; r++) {
		char name[16];
		struct db *rep;
		char *x;

		for (i = all.n - 1; i > 0; i--) {
			int j = (int)rnd((unsigned)i + 1);
			char *t = all.json[i];
			all.json[i] = all.json[j];
			all.json[j] = t;
		}
		snprintf(name, sizeof name, "rep%d", r);
		rep = tdb_new(name, ROLE_TOWN, 1);
		applied = 0;
		for (i = 0; i < all.n; i++) {
			int rc = apply_json(rep, all.json[i]);
			assert_true(rc >= 0);
			applied += rc;
		}
		assert_int_equal(applied, all.n);
		/* A second delivery of everything changes nothing. */
		for (i = 0; i < all.n; i += 7)
			assert_int_equal(apply_json(rep, all.json[i]), 0);
		x = texport(rep);
		assert_string_equal(ref, x);
		free(x);
		db_close(&rep);
	}
	free(ref);
	oplist_free(&all);
	for (i = 0; i < NST; i++)
		db_close(&st[i].db);
}

static void
seeds_alike(void **state)
{
	struct db *a = tdb_new("aa", ROLE_TOWN, 1);
	struct db *b = tdb_new("bbb", ROLE_COMMAND, 1);
	char *xa = texport(a), *xb = texport(b);
	(void)state;

	/* Reference data and opening stock are seed operations with fixed
	 * ids and clock 0: whoever seeds holds the same. */
	assert_string_equal(xa, xb);
	assert_non_null(strstr(xa, "\"digest\""));
	free(xa);
	free(xb);
	db_close(&a);
	db_close(&b);
}

static void
offline_issues_both_count(void **state)
{
	struct db *a = tdb_new("ia", ROLE_TOWN, 1);
	struct db *b = tdb_new("ib", ROLE_TOWN, 1);
	struct stn sa = { a, 0, { 0 }, "ia" }, sb = { b, 0, { 0 }, "ib" };
	int64_t before = supply_stock(a, "d-datian", "tent");
	char id[64];
	(void)state;

	assert_true(before >= 2);
	assert_int_equal(supply_move(a, MOVE_ISSUE, "tent", "d-datian", NULL,
				     before, NULL, id), 0);
	assert_int_equal(supply_move(b, MOVE_ISSUE, "tent", "d-datian", NULL,
				     before - 1, NULL, id), 0);
	exchange(&sa, &sb);
	exchange(&sb, &sa);
	assert_int_equal(supply_stock(a, "d-datian", "tent"), -(before - 1));
	assert_int_equal(supply_stock(b, "d-datian", "tent"), -(before - 1));
	db_close(&a);
	db_close(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seeds_alike),
		cmocka_unit_test(offline_issues_both_count),
		cmocka_unit_test(many_orders),
		cmocka_unit_test(people_orders),
		cmocka_unit_test(risk_orders),
		cmocka_unit_test(contact_edited_twice),
		cmocka_unit_test(request_orders),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
