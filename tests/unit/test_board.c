/*
 * test_board.c - the town board (board_rows): a row for every town of the
 * seed; open incidents and the late among them, on the same clocks as the
 * status line's LATE; warnings unanswered and those silent past their
 * colour's limit; when each town's station was last heard from, by its
 * code or by its station.town, as operations arrive from it; the order
 * (late, silent, oldest heard, code); and the requests and risk points of
 * schema 6, made through their own functions (a conflict of an approval
 * and a refusal is open, as request_list says).
 */
#include "testlib.h"

#include "core/private.h"

/* JSON text to a held object; single quotes stand for double ones. */
static cJSON *
J(const char *text)
{
	char buf[1024];
	size_t i;

	assert_true(strlen(text) < sizeof buf);
	for (i = 0; text[i]; i++)
		buf[i] = text[i] == '\'' ? '"' : text[i];
	buf[i] = 0;
	return tkeep(cJSON_Parse(buf));
}

static cJSON *
board(struct db *db)
{
	cJSON *rows = NULL;

	assert_int_equal(board_rows(db, &rows), 0);
	return tkeep(rows);
}

static const char *
code_at(cJSON *rows, int i)
{
	return tstr(cJSON_GetArrayItem(rows, i), "town");
}

static void
add_incident(struct db *db, const char *fields, char id[64])
{
	int rc = incident_add(db, J(fields), id);

	if (rc)
		fail_msg("incident_add %s: %d %s", fields, rc, db_errmsg(db));
}

static void
quiet_county(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	cJSON *rows = board(db), *r;
	int n = 0;
	(void)state;

	assert_int_equal(cJSON_GetArraySize(rows), 19);
	cJSON_ArrayForEach(r, rows) {
		assert_int_equal(tnum(r, "open"), 0);
		assert_int_equal(tnum(r, "late"), 0);
		assert_int_equal(tnum(r, "teams_out"), 0);
		assert_true(tis_null(r, "last_heard_at"));
		/* Never heard from, all: by code. */
		if (n > 0)
			assert_true(strcmp(code_at(rows, n - 1), tstr(r, "town")) < 0);
		n++;
	}
}

/* The county hears from datian (its code) and from xq (a station of
 * another code serving xunqiao, by its setting station.town) as their
 * operations arrive; the one heard from longest ago comes first of the
 * heard, after every town never heard from. */
static void
last_heard(void **state)
{
	struct db *cmd = tstation("county", ROLE_COMMAND, 1);
	struct db *dt = tstation("datian", ROLE_TOWN, 1);
	struct db *xq = tstation("xq", ROLE_TOWN, 1);
	cJSON *rows, *r;
	char id[64];
	int64_t t;
	(void)state;

	tclock_ms = (T0 + 600) * 1000;
	assert_int_equal(setting_set(xq, "station.town", "xunqiao"), 0);
	tclock_ms = (T0 + 1200) * 1000;
	add_incident(dt, "{'town': 'datian', 'title': 'a'}", id);
	/* The county holds nothing of them yet. */
	r = trow(board(cmd), "town", "datian");
	assert_true(tis_null(r, "last_heard_at"));
	assert_true(tis_null(r, "heard_station"));

	tsend_all(dt, cmd);
	tsend_all(xq, cmd);
	rows = board(cmd);
	r = trow(rows, "town", "datian");
	assert_string_equal(tstr(r, "heard_station"), "datian");
	assert_int_equal(time_parse_iso(tstr(r, "last_heard_at"), &t), 0);
	assert_int_equal(t, T0 + 1200);
	r = trow(rows, "town", "xunqiao");
	assert_string_equal(tstr(r, "heard_station"), "xq");
	assert_int_equal(time_parse_iso(tstr(r, "last_heard_at"), &t), 0);
	assert_int_equal(t, T0 + 600);
	/* The two heard last, the older first; datian's incident is open
	 * but not late yet. */
	assert_string_equal(code_at(rows, 17), "xunqiao");
	assert_string_equal(code_at(rows, 18), "datian");
	assert_true(tis_null(trow(rows, "town", "gucheng"), "last_heard_at"));

	/* Something newer from xq: it is heard from later than datian now. */
	tclock_ms = (T0 + 1800) * 1000;
	assert_int_equal(setting_set(xq, "shift.start", "09:00"), 0);
	tsend_all(xq, cmd);
	rows = board(cmd);
	assert_string_equal(code_at(rows, 17), "datian");
	assert_string_equal(code_at(rows, 18), "xunqiao");
	r = trow(rows, "town", "xunqiao");
	assert_int_equal(time_parse_iso(tstr(r, "last_heard_at"), &t), 0);
	assert_int_equal(t, T0 + 1800);
}

/* Late on the clocks of duty_counts (one incident late on both counts
 * once), and the order: late, then silent, then by code. */
static void
late_and_silent(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	struct duty_counts c;
	cJSON *rows, *r;
	char id[64], first[64], dy[64], ans[64];
	(void)state;

	add_incident(db, "{'town': 'huixi', 'title': 'a', 'dead': 2}", first);
	tclock_ms = (T0 + 10 * 60) * 1000;
	add_incident(db, "{'town': 'huixi', 'title': 'b', 'trapped': 4, "
		     "'evacuated': 30}", id);
	add_incident(db, "{'town': 'yanjiang', 'title': 'c'}", id);
	add_incident(db, "{'town': 'dayang', 'title': 'd', 'injured': 1}", dy);
	assert_int_equal(incident_report(db, dy, REPORT_FIRST, "phone", NULL, 0,
					 id), 0);
	assert_int_equal(warning_issue(db, "typhoon", "red", "x",
				       J("['gucheng', 'youxi']"), id), 0);
	assert_int_equal(warning_answer(db, id, "youxi", NULL, ans), 0);
	tclock_ms = (T0 + 20 * 60) * 1000;
	assert_int_equal(warning_issue(db, "flood", "blue", "y",
				       J("['taozhu']"), id), 0);
	/* 35 minutes on: the phone clocks of all but dayang's have run out
	 * (huixi's first 45 minutes ago); gucheng silent past red's 15;
	 * taozhu's blue warning 25 minutes old. */
	tclock_ms = (T0 + 45 * 60) * 1000;
	rows = board(db);
	assert_string_equal(code_at(rows, 0), "huixi");
	assert_string_equal(code_at(rows, 1), "yanjiang");
	assert_string_equal(code_at(rows, 2), "gucheng");
	assert_string_equal(code_at(rows, 3), "baishuiyang");
	r = trow(rows, "town", "huixi");
	assert_int_equal(tnum(r, "open"), 2);
	assert_int_equal(tnum(r, "late"), 2);
	assert_int_equal(tnum(r, "dead"), 2);
	assert_int_equal(tnum(r, "trapped"), 4);
	assert_int_equal(tnum(r, "evacuated"), 30);
	r = trow(rows, "town", "dayang");
	assert_int_equal(tnum(r, "late"), 0);
	assert_int_equal(tnum(r, "injured"), 1);
	r = trow(rows, "town", "gucheng");
	assert_int_equal(tnum(r, "unanswered"), 1);
	assert_int_equal(tnum(r, "silent"), 1);
	assert_int_equal(tnum(trow(rows, "town", "youxi"), "unanswered"), 0);
	/* Blue's 30 minutes have not run out. */
	r = trow(rows, "town", "taozhu");
	assert_int_equal(tnum(r, "unanswered"), 1);
	assert_int_equal(tnum(r, "silent"), 0);
	/* The board's late add up to the status line's LATE. */
	assert_int_equal(duty_counts(db, T0 + 45 * 60, &c), 0);
	{
		int64_t sum = 0;
		cJSON_ArrayForEach(r, rows)
			sum += tnum(r, "late");
		assert_int_equal(sum, c.late);
	}
	/* An hour and a half on, dayang's written report is late too, and
	 * closing huixi's first takes it off. */
	tclock_ms = (T0 + 90 * 60) * 1000;
	assert_int_equal(incident_set_status(db, first, "closed"), 0);
	rows = board(db);
	assert_int_equal(tnum(trow(rows, "town", "dayang"), "late"), 1);
	r = trow(rows, "town", "huixi");
	assert_int_equal(tnum(r, "open"), 1);
	assert_int_equal(tnum(r, "late"), 1);
	assert_int_equal(tnum(r, "dead"), 0);
}

/* Teams out at the town their dispatch sent them to; shelters open. */
static void
teams_and_shelters(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	cJSON *rows, *r;
	char inc[64], id[64];
	(void)state;

	add_incident(db, "{'town': 'huixi', 'title': 'a'}", inc);
	assert_int_equal(dispatch_create(db, "m06", inc, id), 0);
	assert_int_equal(dispatch_create(db, "t-huixi", inc, id), 0);
	assert_int_equal(dispatch_create(db, "f-huixi", inc, id), 0);
	assert_int_equal(team_set_status(db, "f-huixi", "available"), 0);
	assert_int_equal(shelter_set_open(db, "s003", 1), 0);
	assert_int_equal(shelter_occupy(db, "s003", 60), 0);
	assert_int_equal(shelter_set_open(db, "s006", 1), 0);
	rows = board(db);
	r = trow(rows, "town", "huixi");
	assert_int_equal(tnum(r, "teams_out"), 2);
	assert_int_equal(tnum(trow(rows, "town", "gucheng"), "teams_out"), 0);
	r = trow(rows, "town", "gucheng");
	assert_int_equal(tnum(r, "sheltered"), 60);
	assert_int_equal(tnum(r, "capacity"), 180);
}

/* A risk point of town made through risk_put (people NULL: none given,
 * counted 0). */
static void
put_point(struct db *db, const char *code, const char *town,
	  const char *people)
{
	cJSON *f = tkeep(cJSON_CreateObject());
	int changed = 0;

	cJSON_AddStringToObject(f, "code", code);
	cJSON_AddStringToObject(f, "name", code);
	cJSON_AddStringToObject(f, "kind", "geological");
	cJSON_AddStringToObject(f, "town", town);
	if (people)
		cJSON_AddStringToObject(f, "people", people);
	if (risk_put(db, f, &changed))
		fail_msg("risk_put %s: %s", code, db_errmsg(db));
	assert_int_equal(changed, 1);
}

/* Open requests and risk points, made through their own functions
 * (request add/approve/refuse/send/receive, risk put/evacuate/clear)
 * and counted as request_list and risk_list count them. */
static void
requests_and_risk(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	struct db *b = tstation("beiyong", ROLE_COMMAND, 1);
	char x1[64], x2[64], x3[64], x4[64], x5[64], x6[64], inc[64];
	char step[64], ref[64], code[64], sa[64], sb[64];
	cJSON *rows, *r, *body, *open = NULL;
	int64_t n;
	(void)state;

	add_incident(db, "{'town': 'datian', 'title': 'a'}", inc);
	/* x1 approved, x4 waiting: open; x2 refused, x3 received. */
	assert_int_equal(request_add(db, "datian", "bed", 10, NULL, NULL, NULL,
				     x1), 0);
	assert_int_equal(request_add(db, "datian", "bed", 5, NULL, NULL, NULL,
				     x2), 0);
	assert_int_equal(request_add(db, "datian", NULL, 0, "fire", inc, NULL,
				     x3), 0);
	assert_int_equal(request_add(db, "datian", "food", 1, NULL, NULL, NULL,
				     x4), 0);
	assert_int_equal(request_add(db, "hetou", "bed", 1, NULL, NULL, NULL,
				     x5), 0);
	assert_int_equal(request_approve(db, x1, 0, "d-city", NULL, step), 0);
	assert_int_equal(request_refuse(db, x2, "库存不足", step), 0);
	assert_int_equal(request_approve(db, x3, 0, NULL, "f-datian", step), 0);
	assert_int_equal(request_send(db, x3, NULL, step, ref), 0);
	assert_int_equal(request_receive(db, x3, NULL, step, ref), 0);

	put_point(db, "r1", "datian", "30");
	put_point(db, "r2", "datian", "8");
	put_point(db, "r3", "datian", NULL);
	put_point(db, "r4", "hetou", "5");
	put_point(db, "r5", "datian", "100");
	assert_int_equal(risk_evacuate(db, "r1", 12, step), 0);
	assert_int_equal(risk_evacuate(db, "r2", 8, step), 0);
	assert_int_equal(risk_clear(db, "r2", code), 0);
	assert_string_equal(code, "r2");
	assert_int_equal(risk_evacuate(db, "r5", 40, step), 0);
	/* r5 taken off the list: a risk.put marking it deleted, the one
	 * path a removal takes (no verb removes a point yet). */
	body = tkeep(cJSON_CreateObject());
	cJSON_AddBoolToObject(body, "deleted", 1);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_end(db, op_submit(db, "risk.put", "r5", body)), 0);

	rows = board(db);
	r = trow(rows, "town", "datian");
	assert_int_equal(tnum(r, "requests"), 2);
	assert_int_equal(tnum(r, "risk_points"), 3);
	assert_int_equal(tnum(r, "risk_cleared"), 1);
	assert_int_equal(tnum(r, "risk_people"), 38);
	assert_int_equal(tnum(r, "risk_moved"), 20);
	r = trow(rows, "town", "hetou");
	assert_int_equal(tnum(r, "requests"), 1);
	assert_int_equal(tnum(r, "risk_points"), 1);
	assert_int_equal(tnum(r, "risk_people"), 5);
	assert_int_equal(tnum(r, "risk_moved"), 0);
	/* The same counts as risk_town_counts and request_list give. */
	assert_int_equal(risk_town_counts(db, "datian", &n, &(int64_t){ 0 },
					  &(int64_t){ 0 }, &(int64_t){ 0 }), 0);
	assert_int_equal(n, 3);
	assert_int_equal(request_list(db, "datian", NULL, 1, &open), 0);
	tkeep(open);
	assert_int_equal(cJSON_GetArraySize(open), 2);

	/* An approval and a refusal made at once on two command stations:
	 * a conflict, open until settled, on the board as in the list. */
	assert_int_equal(request_add(db, "datian", "tent", 2, NULL, NULL, NULL,
				     x6), 0);
	tsend_all(db, b);
	assert_int_equal(request_approve(db, x6, 0, "d-city", NULL, sa), 0);
	assert_int_equal(request_refuse(b, x6, "另行调拨", sb), 0);
	texchange(db, b);
	assert_string_equal(tstr(trow(tlist(db, LIST_CONFLICTS), "subject", x6),
				 "kind"), "request");
	assert_int_equal(tnum(trow(board(db), "town", "datian"), "requests"), 3);
	assert_int_equal(tnum(trow(board(b), "town", "datian"), "requests"), 3);
	/* Settled by a refusal: closed everywhere. */
	assert_int_equal(request_refuse(b, x6, "另行调拨", step), 0);
	texchange(db, b);
	assert_int_equal(tnum(trow(board(db), "town", "datian"), "requests"), 2);
	assert_int_equal(tnum(trow(board(b), "town", "datian"), "requests"), 2);
	assert_string_equal(texport_of(db), texport_of(b));
}

/* op_each's callback: the risk.put operations that carry no name (a
 * change of a few fields) alone, applied to ctx. */
static int
send_nameless_put(const struct op *op, void *ctx)
{
	if (strcmp(op->kind, "risk.put") != 0 ||
	    cJSON_GetObjectItemCaseSensitive(op->body, "name"))
		return 0;
	if (op_apply(ctx, op) < 0)
		fail_msg("apply %s %s: %s", op->kind, op->entity,
			 db_errmsg(ctx));
	return 0;
}

/* A point whose change of town and people arrives before the point
 * itself (the relay's order): held bare, without its name, it is not on
 * the board until the point arrives, as risk_list and the daily report
 * leave it out. */
static void
risk_point_partial(void **state)
{
	struct db *a = tstation("county", ROLE_COMMAND, 1);
	struct db *b = tstation("beiyong", ROLE_COMMAND, 1);
	cJSON *rows, *list = NULL, *r;
	int64_t n, c, p, m;
	(void)state;

	put_point(a, "p1", "datian", "30");
	r = tkeep(cJSON_CreateObject());
	cJSON_AddStringToObject(r, "code", "p1");
	cJSON_AddStringToObject(r, "town", "hetou");
	cJSON_AddStringToObject(r, "people", "40");
	assert_int_equal(risk_put(a, r, &(int){ 0 }), 0);
	assert_int_equal(op_each(a, 0, send_nameless_put, b), 0);
	assert_int_equal(risk_list(b, NULL, &list), 0);
	tkeep(list);
	assert_int_equal(cJSON_GetArraySize(list), 0);
	assert_int_equal(risk_town_counts(b, "hetou", &n, &c, &p, &m), 0);
	assert_int_equal(n, 0);
	rows = board(b);
	r = trow(rows, "town", "hetou");
	assert_int_equal(tnum(r, "risk_points"), 0);
	assert_int_equal(tnum(r, "risk_people"), 0);
	/* The point arrives: at hetou with 40, on both. */
	tsend_all(a, b);
	r = trow(board(b), "town", "hetou");
	assert_int_equal(tnum(r, "risk_points"), 1);
	assert_int_equal(tnum(r, "risk_people"), 40);
	assert_int_equal(tnum(trow(board(b), "town", "datian"), "risk_points"), 0);
	assert_string_equal(texport_of(a), texport_of(b));
}

/* A request's decisions made at once on two stations, and settled later:
 * open as long as request list shows it open (conflict, approved, sent),
 * closed once a refusal in force stands alone. */
static void
requests_decided_twice(void **state)
{
	struct db *db = tstation("county", ROLE_COMMAND, 1);
	sqlite3 *h;
	cJSON *rows;
	(void)state;

	assert_int_equal(sqlite3_open(tpath("county.db"), &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
		"INSERT INTO requests(id, town, item, qty, at) VALUES"
		" ('x-1', 'datian', 'bed', 1, 1), ('x-2', 'datian', 'bed', 1, 1),"
		" ('x-3', 'datian', 'bed', 1, 1), ('x-4', 'datian', 'bed', 1, 1),"
		" ('x-5', 'hetou', 'bed', 1, 1);"
		"INSERT INTO request_steps(id, request, step, ref, at) VALUES"
		/* x-1: approved and refused at once, a conflict: open. */
		" ('s-1', 'x-1', 'approve', NULL, 2), ('s-2', 'x-1', 'refuse', NULL, 2),"
		/* x-2: its refusal settled by an approval, then sent: open. */
		" ('s-3', 'x-2', 'refuse', NULL, 2), ('s-4', 'x-2', 'approve', 's-3', 3),"
		" ('s-5', 'x-2', 'send', NULL, 4),"
		/* x-3: a conflict settled by an approval: open. */
		" ('s-6', 'x-3', 'approve', NULL, 2), ('s-7', 'x-3', 'refuse', NULL, 2),"
		" ('s-8', 'x-3', 'approve', 's-6 s-7', 3),"
		/* x-4: a conflict settled by a refusal: closed. */
		" ('s-9', 'x-4', 'approve', NULL, 2), ('s-10', 'x-4', 'refuse', NULL, 2),"
		" ('s-11', 'x-4', 'refuse', 's-9 s-10', 3),"
		/* x-5: approved, its approval then refused: closed. */
		" ('s-12', 'x-5', 'approve', NULL, 2), ('s-13', 'x-5', 'refuse', 's-12', 3);",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	rows = board(db);
	assert_int_equal(tnum(trow(rows, "town", "datian"), "requests"), 3);
	assert_int_equal(tnum(trow(rows, "town", "hetou"), "requests"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tfresh, trelease)
		T(quiet_county),
		T(last_heard),
		T(late_and_silent),
		T(teams_and_shelters),
		T(requests_and_risk),
		T(requests_decided_twice),
		T(risk_point_partial),
#undef T
	};
	int rc;

	time_set_zone("Asia/Shanghai");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
