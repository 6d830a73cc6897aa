/*
 * test_incident.c - incidents: intake (incident_add), field edits
 * (incident_update), the lifecycle status with its reopen generation
 * (incident_set_status), the upward reports and their deadlines
 * (incident_report, incident_get), and how incident operations from
 * several stations merge: status as a maximum of (generation, rank),
 * fields last-writer-wins by (clock, station), and an operation applied
 * twice counting once.
 */
#include "testlib.h"

/* ---- what every test here shares ------------------------------------ */

/* JSON text to a held object; single quotes stand for double ones. */
static cJSON *
J(const char *text)
{
	char buf[4096];
	size_t i;

	assert_true(strlen(text) < sizeof buf);
	for (i = 0; text[i]; i++)
		buf[i] = text[i] == '\'' ? '"' : text[i];
	buf[i] = 0;
	return tkeep(cJSON_Parse(buf));
}

/* incident_get of an incident that must exist. */
static cJSON *
get(struct db *db, const char *id)
{
	cJSON *inc = NULL;

	assert_int_equal(incident_get(db, id, &inc), 1);
	return tkeep(inc);
}

/* A town leader in the directory: with no roster kept, one who may
 * sign a written report. */
static void
add_leader(struct db *db)
{
	char cid[64];

	assert_int_equal(contact_add(db, J("{'name':'张伟','phones':"
		"'13800001111','role':'town_leader','town':'datian'}"), cid), 0);
}

static int
count_incidents(struct db *db)
{
	return cJSON_GetArraySize(tlist(db, LIST_INCIDENTS));
}

/* An incident as an officer at station db would type it. */
static void
add_ok(struct db *db, const char *fields, char id[64])
{
	int rc = incident_add(db, J(fields), id);

	if (rc)
		fail_msg("incident_add %s: %d %s", fields, rc, db_errmsg(db));
}

/* A hand-made operation of another station, stamped off_ms after T0. */
static void
mkop(struct op *op, const char *st, int64_t seq, int64_t off_ms,
     const char *kind, const char *entity, const char *body)
{
	char officer[64];

	snprintf(officer, sizeof officer, "officer-%s", st);
	tmkop(op, st, "00000000c0ffee00", seq, (T0 * 1000 + off_ms) << 16,
	      officer, kind, entity, NULL);
	op->body = J(body); /* held: freed by the teardown */
}

static void
apply_ok(struct db *db, const struct op *op)
{
	int rc = op_apply(db, op);

	if (rc != 1)
		fail_msg("op_apply %s %s seq %lld: %d %s", op->kind, op->station,
			 (long long)op->seq, rc, db_errmsg(db));
}

/* The next permutation of p[0..n) in lexicographic order; 0 after the last. */
static int
next_perm(int *p, int n)
{
	int i = n - 2, j = n - 1, t;

	while (i >= 0 && p[i] >= p[i + 1])
		i--;
	if (i < 0)
		return 0;
	while (p[j] <= p[i])
		j--;
	t = p[i], p[i] = p[j], p[j] = t;
	for (i++, j = n - 1; i < j; i++, j--)
		t = p[i], p[i] = p[j], p[j] = t;
	return 1;
}

/* Apply ops in every order, each order to a fresh replica: every replica
 * must end byte-identical; the last one stays open for the caller. */
static struct db *
every_order(const struct op *ops, int n)
{
	int p[8], i, k = 0;
	const char *first = NULL;
	struct db *db = NULL;

	for (i = 0; i < n; i++)
		p[i] = i;
	do {
		char name[16];
		const char *x;

		if (db)
			tdrop(db);
		snprintf(name, sizeof name, "order%d", k++);
		db = tstation(name, ROLE_TOWN, 0);
		for (i = 0; i < n; i++)
			apply_ok(db, &ops[p[i]]);
		x = texport_of(db);
		if (!first)
			first = x;
		else if (strcmp(first, x) != 0)
			fail_msg("order %d gives another state:\n%s\n%s", k - 1,
				 first, x);
	} while (next_perm(p, n));
	return db;
}

/* ---- incident_add: edge and bad cases -------------------------------- */

static void
add_needs_town_and_title_or_place(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64] = "untouched";
	(void)state;

	trefused(db, incident_add(db, NULL, id), DD_E_INVALID, "town");
	trefused(db, incident_add(db, J("{}"), id), DD_E_INVALID, "town");
	trefused(db, incident_add(db, J("{'title':'山体滑坡'}"), id),
		 DD_E_INVALID, "town");
	trefused(db, incident_add(db, J("{'town':'datian'}"), id),
		 DD_E_INVALID, "title or a place");
	trefused(db, incident_add(db, J("{'town':'datian','kind':'flood'}"), id),
		 DD_E_INVALID, "title or a place");
	/* Not an object of fields at all. */
	trefused(db, incident_add(db, J("['datian','title']"), id),
		 DD_E_INVALID, NULL);
	assert_string_equal(id, "untouched");
	assert_int_equal(count_incidents(db), 0);

	/* A place alone is enough, and so is a title alone. */
	add_ok(db, "{'town':'datian','place':'大田桥'}", id);
	assert_string_equal(id, "datian-1");
	add_ok(db, "{'town':'datian','title':'内涝'}", id);
	assert_string_equal(id, "datian-2");
	assert_int_equal(count_incidents(db), 2);
}

/* A title of spaces, ASCII or full-width (U+3000, what Chinese input
 * methods type), is no title: refused at intake and on edit. */
static void
title_not_blank(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64];
	const char *before;
	(void)state;

	trefused(db, incident_add(db, J("{'town':'datian','title':''}"), id),
		 DD_E_INVALID, "title");
	trefused(db, incident_add(db, J("{'town':'datian','title':'   '}"), id),
		 DD_E_INVALID, "title");
	trefused(db, incident_add(db, J("{'town':'datian','title':'\u3000\u3000'}"),
				  id), DD_E_INVALID, "title");
	trefused(db, incident_add(db, J("{'town':'datian','title':' \u3000 ',"
					 "'place':'村口'}"), id), DD_E_INVALID,
		 "title");
	assert_int_equal(count_incidents(db), 0);
	add_ok(db, "{'town':'datian','title':'\u3000内涝 '}", id);
	before = texport_of(db);
	trefused(db, incident_update(db, id, J("{'title':'\u3000 '}")),
		 DD_E_INVALID, "title");
	assert_string_equal(texport_of(db), before);
}

static void
add_town_by_code_name_pinyin(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64];
	(void)state;

	add_ok(db, "{'town':'shangpan','title':'a'}", id);
	assert_string_equal(tstr(get(db, id), "town"), "shangpan");
	add_ok(db, "{'town':'上盘镇','title':'b'}", id);
	assert_string_equal(tstr(get(db, id), "town"), "shangpan");
	add_ok(db, "{'town':'shangpan zhen','title':'c'}", id);
	assert_string_equal(tstr(get(db, id), "town"), "shangpan");
	add_ok(db, "{'town':'SHANGPAN ZHEN','title':'d'}", id);
	assert_string_equal(tstr(get(db, id), "town"), "shangpan");
}

static void
add_unknown_town_named(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64] = "";
	(void)state;

	trefused(db, incident_add(db, J("{'town':'atlantis','title':'x'}"), id),
		 DD_E_NOTFOUND, "atlantis");
	trefused(db, incident_add(db, J("{'town':'','title':'x'}"), id),
		 DD_E_INVALID, NULL);
	trefused(db, incident_add(db, J("{'town':42,'title':'x'}"), id),
		 DD_E_INVALID, "town");
	assert_int_equal(count_incidents(db), 0);
}

static void
add_counts_whole_numbers(void **state)
{
	static const char *const bad[] = {
		"-1", "'-1'", "1000001", "2.5", "'abc'", "''", "'12abc'", "true",
		"null", "[1]", "1e7",
	};
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64], f[200];
	const char *const counts[] = { "dead", "injured", "missing", "trapped",
				       "evacuated" };
	size_t i, c;
	cJSON *inc;
	(void)state;

	for (c = 0; c < sizeof counts / sizeof counts[0]; c++) {
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			snprintf(f, sizeof f, "{'town':'datian','title':'t','%s':%s}",
				 counts[c], bad[i]);
			trefused(db, incident_add(db, J(f), id), DD_E_INVALID,
				 counts[c]);
		}
	}
	assert_int_equal(count_incidents(db), 0);

	add_ok(db, "{'town':'datian','title':'t','dead':0,'injured':1000000,"
	       "'missing':'7','trapped':3,'evacuated':120}", id);
	inc = get(db, id);
	assert_int_equal(tnum(inc, "dead"), 0);
	assert_int_equal(tnum(inc, "injured"), 1000000);
	assert_int_equal(tnum(inc, "missing"), 7);
	assert_int_equal(tnum(inc, "trapped"), 3);
	assert_int_equal(tnum(inc, "evacuated"), 120);
}

static void
add_severity_one_to_four(void **state)
{
	static const char *const bad[] = { "0", "5", "-1", "'x'", "1.5", "'0'" };
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64], f[200];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(f, sizeof f, "{'town':'datian','title':'t','severity':%s}",
			 bad[i]);
		trefused(db, incident_add(db, J(f), id), DD_E_INVALID, "severity");
	}
	assert_int_equal(count_incidents(db), 0);
	add_ok(db, "{'town':'datian','title':'t','severity':1}", id);
	assert_int_equal(tnum(get(db, id), "severity"), 1);
	add_ok(db, "{'town':'datian','title':'t','severity':'4'}", id);
	assert_int_equal(tnum(get(db, id), "severity"), 4);
}

static void
add_received_at(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64];
	cJSON *inc;
	(void)state;

	/* An hour ahead, a day ahead: a typo, not a report. */
	trefused(db, incident_add(db, J("{'town':'datian','title':'t',"
					 "'received_at':'2026-11-28T13:00:00Z'}"), id),
		 DD_E_INVALID, "future");
	trefused(db, incident_add(db, J("{'town':'datian','title':'t',"
					 "'received_at':'2026-11-29 20:00'}"), id),
		 DD_E_INVALID, "future");
	trefused(db, incident_add(db, J("{'town':'datian','title':'t',"
					 "'received_at':'yesterday'}"), id),
		 DD_E_INVALID, "received_at");
	trefused(db, incident_add(db, J("{'town':'datian','title':'t',"
					 "'received_at':1795867200}"), id),
		 DD_E_INVALID, "received_at");
	assert_int_equal(count_incidents(db), 0);

	/* ISO UTC, station-local (Asia/Shanghai, UTC+8), or now by default. */
	add_ok(db, "{'town':'datian','title':'t','received_at':"
	       "'2026-11-28T11:40:00Z'}", id);
	assert_string_equal(tstr(get(db, id), "received_at"),
			    "2026-11-28T11:40:00Z");
	add_ok(db, "{'town':'datian','title':'t','received_at':"
	       "'2026-11-28 19:35'}", id);
	assert_string_equal(tstr(get(db, id), "received_at"),
			    "2026-11-28T11:35:00Z");
	tclock_ms += 90 * 1000;
	add_ok(db, "{'town':'datian','title':'t'}", id);
	inc = get(db, id);
	assert_string_equal(tstr(inc, "received_at"), tiso(T0 + 90));
	assert_string_equal(tstr(inc, "recorder"), "tester");
	assert_string_equal(tstr(inc, "officer"), "tester");
	assert_string_equal(tstr(inc, "status"), "reported");
}

static void
add_control_characters(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64];
	(void)state;

	trefused(db, incident_add(db, J("{'town':'datian','title':'路面\\u0001塌陷'}"),
				  id), DD_E_INVALID, "title");
	trefused(db, incident_add(db, J("{'town':'datian','title':'t',"
					 "'place':'\\u001b[2J'}"), id),
		 DD_E_INVALID, "place");
	trefused(db, incident_add(db, J("{'town':'datian','title':'t',"
					 "'caller_name':'a\\rb'}"), id),
		 DD_E_INVALID, "caller_name");
	assert_int_equal(count_incidents(db), 0);
	/* Newlines and tabs are text, not control. */
	add_ok(db, "{'town':'datian','title':'t','actions':'一\\n二\\t三'}", id);
	assert_string_equal(tstr(get(db, id), "actions"), "一\n二\t三");
}

static void
add_unknown_or_malformed_fields(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64], *longtitle, *f;
	(void)state;

	trefused(db, incident_add(db, J("{'town':'datian','title':'t',"
					 "'colour':'red'}"), id),
		 DD_E_INVALID, "colour");
	trefused(db, incident_add(db, J("{'town':'datian','title':'t',"
					 "'deleted':true}"), id),
		 DD_E_INVALID, "deleted");
	trefused(db, incident_add(db, J("{'town':'datian','title':5}"), id),
		 DD_E_INVALID, "title");
	trefused(db, incident_add(db, J("{'town':'datian','title':null}"), id),
		 DD_E_INVALID, "title");
	longtitle = malloc(2002);
	assert_non_null(longtitle);
	tkeep_str(longtitle);
	memset(longtitle, 'x', 2001);
	longtitle[2001] = 0;
	f = malloc(2100);
	assert_non_null(f);
	tkeep_str(f);
	snprintf(f, 2100, "{'town':'datian','title':'%s'}", longtitle);
	trefused(db, incident_add(db, J(f), id), DD_E_INVALID, "too long");
	assert_int_equal(count_incidents(db), 0);
}

static void
add_ids_increment(void **state)
{
	struct db *db = tstation("shangpan", ROLE_TOWN, 1);
	char id[64];
	(void)state;

	add_ok(db, "{'town':'shangpan','title':'one'}", id);
	assert_string_equal(id, "shangpan-1");
	/* A refused add takes no number. */
	assert_int_equal(incident_add(db, J("{'town':'x y','title':'no'}"), id),
			 DD_E_NOTFOUND);
	add_ok(db, "{'town':'shangpan','title':'two'}", id);
	assert_string_equal(id, "shangpan-2");
	add_ok(db, "{'town':'shangpan','title':'three'}", id);
	assert_string_equal(id, "shangpan-3");
	assert_string_equal(tstr(get(db, "shangpan-2"), "title"), "two");
	assert_int_equal(count_incidents(db), 3);
}

/* ---- incident_get ----------------------------------------------------- */

static void
get_missing(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	cJSON *inc = (cJSON *)&inc; /* not NULL, to see it cleared */
	char id[64];
	(void)state;

	assert_int_equal(incident_get(db, "datian-1", &inc), 0);
	assert_null(inc);
	assert_int_equal(incident_get(db, NULL, &inc), 0);
	assert_null(inc);
	add_ok(db, "{'town':'datian','title':'t'}", id);
	assert_int_equal(incident_get(db, "datian-2", &inc), 0);
	assert_null(inc);
	assert_int_equal(incident_get(db, "datian-", &inc), 0);
	assert_null(inc);
	assert_int_equal(incident_get(db, "datian-1", &inc), 1);
	tkeep(inc);
	assert_string_equal(tstr(inc, "id"), "datian-1");
}

/* ---- incident_update -------------------------------------------------- */

static void
update_bad(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64];
	const char *before;
	(void)state;

	trefused(db, incident_update(db, "datian-9", J("{'title':'x'}")),
		 DD_E_NOTFOUND, "datian-9");
	trefused(db, incident_update(db, NULL, J("{'title':'x'}")),
		 DD_E_NOTFOUND, NULL);
	add_ok(db, "{'town':'datian','title':'内涝','place':'大田桥'}", id);
	before = texport_of(db);
	trefused(db, incident_update(db, id, J("{}")), DD_E_INVALID, "nothing");
	trefused(db, incident_update(db, id, NULL), DD_E_INVALID, "nothing");
	trefused(db, incident_update(db, id, J("{'colour':'red'}")), DD_E_INVALID,
		 "colour");
	trefused(db, incident_update(db, id, J("{'town':'atlantis'}")),
		 DD_E_NOTFOUND, "atlantis");
	trefused(db, incident_update(db, id, J("{'title':'new','dead':-3}")),
		 DD_E_INVALID, "dead");
	trefused(db, incident_update(db, id, J("{'severity':9}")), DD_E_INVALID,
		 "severity");
	trefused(db, incident_update(db, id, J("{'received_at':'2027-01-01 00:00'}")),
		 DD_E_INVALID, "future");
	trefused(db, incident_update(db, id, J("{'title':'a\\u0007b'}")),
		 DD_E_INVALID, "title");
	/* Nothing of a refused update is kept, not even its valid fields. */
	assert_string_equal(texport_of(db), before);
}

static void
update_fields(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64];
	cJSON *inc;
	(void)state;

	add_ok(db, "{'town':'datian','title':'内涝','place':'大田桥',"
	       "'trapped':2}", id);
	tclock_ms += 60 * 1000;
	assert_int_equal(incident_update(db, id, J("{'town':'Shangpan Zhen',"
		"'trapped':'0','evacuated':35,'trend':'水位回落'}")), 0);
	inc = get(db, id);
	assert_string_equal(tstr(inc, "town"), "shangpan");
	assert_string_equal(tstr(inc, "title"), "内涝");
	assert_string_equal(tstr(inc, "place"), "大田桥");
	assert_int_equal(tnum(inc, "trapped"), 0);
	assert_int_equal(tnum(inc, "evacuated"), 35);
	assert_string_equal(tstr(inc, "trend"), "水位回落");
	/* The last writer wins: a later edit of the same field replaces it. */
	tclock_ms += 60 * 1000;
	assert_int_equal(incident_update(db, id, J("{'trend':'稳定'}")), 0);
	tclock_ms += 60 * 1000;
	assert_int_equal(incident_update(db, id, J("{'trend':'好转'}")), 0);
	assert_string_equal(tstr(get(db, id), "trend"), "好转");
	/* The officer who opened it stays. */
	assert_string_equal(tstr(get(db, id), "officer"), "tester");
}

/* ---- incident_set_status ---------------------------------------------- */

static void
status_bad(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64];
	(void)state;

	trefused(db, incident_set_status(db, "datian-7", "verified"),
		 DD_E_NOTFOUND, "datian-7");
	trefused(db, incident_set_status(db, NULL, "verified"), DD_E_NOTFOUND,
		 NULL);
	add_ok(db, "{'town':'datian','title':'t'}", id);
	trefused(db, incident_set_status(db, id, "finished"), DD_E_INVALID,
		 "finished");
	trefused(db, incident_set_status(db, id, NULL), DD_E_INVALID, "status");
	trefused(db, incident_set_status(db, id, ""), DD_E_INVALID, "status");
	trefused(db, incident_set_status(db, id, "Verified"), DD_E_INVALID, NULL);
	/* Already reported; reopen only after closed. */
	trefused(db, incident_set_status(db, id, "reported"), DD_E_REFUSED,
		 "reported");
	trefused(db, incident_set_status(db, id, "reopen"), DD_E_REFUSED,
		 "not closed");
	assert_string_equal(tstr(get(db, id), "status"), "reported");
}

static void
status_forward_only(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64];
	cJSON *inc;
	(void)state;

	add_ok(db, "{'town':'datian','title':'t'}", id);
	tclock_ms += 60 * 1000;
	assert_int_equal(incident_set_status(db, id, "verified"), 0);
	inc = get(db, id);
	assert_string_equal(tstr(inc, "status"), "verified");
	assert_string_equal(tstr(inc, "status_at"), tiso(T0 + 60));
	trefused(db, incident_set_status(db, id, "verified"), DD_E_REFUSED,
		 "already verified");
	trefused(db, incident_set_status(db, id, "reported"), DD_E_REFUSED,
		 "forward");
	/* Forward may skip a step. */
	tclock_ms += 60 * 1000;
	assert_int_equal(incident_set_status(db, id, "controlled"), 0);
	trefused(db, incident_set_status(db, id, "responding"), DD_E_REFUSED,
		 "forward");
	trefused(db, incident_set_status(db, id, "reopen"), DD_E_REFUSED,
		 "not closed");
	tclock_ms += 60 * 1000;
	assert_int_equal(incident_set_status(db, id, "closed"), 0);
	inc = get(db, id);
	assert_string_equal(tstr(inc, "status"), "closed");
	assert_string_equal(tstr(inc, "status_at"), tiso(T0 + 180));
	assert_int_equal(tnum(inc, "reopened"), 0);
	trefused(db, incident_set_status(db, id, "closed"), DD_E_REFUSED, NULL);
	trefused(db, incident_set_status(db, id, "verified"), DD_E_REFUSED,
		 "reopen");
	assert_string_equal(tstr(get(db, id), "status"), "closed");
}

static void
status_reopen_bumps_generation(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64];
	cJSON *inc;
	(void)state;

	add_ok(db, "{'town':'datian','title':'t'}", id);
	assert_int_equal(incident_set_status(db, id, "closed"), 0);
	tclock_ms += 600 * 1000;
	assert_int_equal(incident_set_status(db, id, "reopen"), 0);
	inc = get(db, id);
	assert_string_equal(tstr(inc, "status"), "verified");
	assert_int_equal(tnum(inc, "reopened"), 1);
	assert_string_equal(tstr(inc, "status_at"), tiso(T0 + 600));
	trefused(db, incident_set_status(db, id, "reopen"), DD_E_REFUSED,
		 "not closed");
	trefused(db, incident_set_status(db, id, "verified"), DD_E_REFUSED, NULL);
	/* The new generation moves forward again, and can be reopened again. */
	assert_int_equal(incident_set_status(db, id, "responding"), 0);
	assert_int_equal(incident_set_status(db, id, "closed"), 0);
	assert_int_equal(incident_set_status(db, id, "reopen"), 0);
	inc = get(db, id);
	assert_string_equal(tstr(inc, "status"), "verified");
	assert_int_equal(tnum(inc, "reopened"), 2);
}

/* ---- incident_report and the deadlines -------------------------------- */

static void
report_bad(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64], rid[64] = "untouched", *longtext;
	const char *before;
	(void)state;

	trefused(db, incident_report(db, "datian-5", REPORT_FIRST, "phone", "x", 0,
				     rid), DD_E_NOTFOUND, "datian-5");
	add_ok(db, "{'town':'datian','title':'t'}", id);
	before = texport_of(db);
	trefused(db, incident_report(db, id, 3, "phone", "x", 0, rid),
		 DD_E_INVALID, "first");
	trefused(db, incident_report(db, id, -1, "phone", "x", 0, rid),
		 DD_E_INVALID, "first");
	trefused(db, incident_report(db, id, REPORT_FIRST, "fax", "x", 0, rid),
		 DD_E_INVALID, "channel");
	trefused(db, incident_report(db, id, REPORT_FIRST, NULL, "x", 0, rid),
		 DD_E_INVALID, "channel");
	trefused(db, incident_report(db, id, REPORT_FIRST, "Phone", "x", 0, rid),
		 DD_E_INVALID, "channel");
	longtext = malloc(4002);
	assert_non_null(longtext);
	tkeep_str(longtext);
	memset(longtext, 'r', 4001);
	longtext[4001] = 0;
	trefused(db, incident_report(db, id, REPORT_FIRST, "written", longtext, 0,
				     rid), DD_E_INVALID, "too long");
	assert_string_equal(rid, "untouched");
	/* A control character in the text is refused like any bad input. */
	assert_int_equal(dd_exitcode(incident_report(db, id, REPORT_FIRST, "phone",
						     "a\033[2Jb", 0, rid)),
			 EXIT_REFUSED);
	assert_string_equal(texport_of(db), before);
}

/* A report time before the incident was received, or more than five
 * minutes ahead of now, is a typo: refused, nothing stored. */
static void
report_time_bounds(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64], rid[64] = "untouched";
	const char *before;
	(void)state;

	add_ok(db, "{'town':'datian','title':'t','received_at':"
	       "'2026-11-28T11:40:00Z'}", id);
	before = texport_of(db);
	trefused(db, incident_report(db, id, REPORT_FIRST, "phone", "x",
				     T0 - 21 * 60, rid), DD_E_INVALID,
		 "before the incident was received");
	trefused(db, incident_report(db, id, REPORT_FIRST, "written", "x",
				     T0 - 26LL * 365 * 86400, rid), DD_E_INVALID,
		 "before the incident was received");
	trefused(db, incident_report(db, id, REPORT_FIRST, "phone", "x",
				     T0 + 301, rid), DD_E_INVALID,
		 "more than 5 minutes ahead");
	trefused(db, incident_report(db, id, REPORT_FIRST, "phone", "x",
				     T0 + 73LL * 365 * 86400, rid), DD_E_INVALID,
		 "more than 5 minutes ahead");
	assert_string_equal(rid, "untouched");
	assert_string_equal(texport_of(db), before);

	/* The edges are allowed: the moment of receipt, five minutes ahead. */
	assert_int_equal(incident_report(db, id, REPORT_FIRST, "phone", "x",
					 T0 - 20 * 60, rid), 0);
	assert_int_equal(incident_report(db, id, REPORT_FOLLOWUP, "phone", "x",
					 T0 + 300, rid), 0);
}

static void
report_deadlines(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64], rid[64], sid[64];
	cJSON *inc, *reps, *r;
	(void)state;

	add_ok(db, "{'town':'datian','title':'t','received_at':"
	       "'2026-11-28T11:40:00Z'}", id);
	assert_string_equal(id, "datian-1");
	inc = get(db, id);
	assert_string_equal(tstr(inc, "phone_due_at"), "2026-11-28T12:10:00Z");
	assert_string_equal(tstr(inc, "written_due_at"), "2026-11-28T12:40:00Z");
	assert_true(tis_null(inc, "phone_done_at"));
	assert_true(tis_null(inc, "written_done_at"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
				 inc, "reports")), 0);

	/* A follow-up by phone at 11:58, then the first phone report,
	 * entered late with its real time 11:50: done is the earliest. */
	assert_int_equal(incident_report(db, id, REPORT_FOLLOWUP, "phone", "续报",
					 T0 - 120, rid), 0);
	assert_string_equal(rid, "datian-2");
	assert_int_equal(incident_report(db, id, REPORT_FIRST, "phone", "首报",
					 T0 - 600, rid), 0);
	assert_string_equal(rid, "datian-3");
	inc = get(db, id);
	assert_string_equal(tstr(inc, "phone_done_at"), "2026-11-28T11:50:00Z");
	assert_true(tis_null(inc, "written_done_at"));

	/* The written report, made now (at = 0), 40 minutes after receipt. */
	tclock_ms += 20 * 60 * 1000;
	assert_int_equal(incident_report(db, id, REPORT_FINAL, "written", NULL, 0,
					 rid), 0);
	assert_string_equal(rid, "datian-4");
	/* A written report counts once the leader on duty signs it (no
	 * roster here: a town leader of the directory), here at once. */
	assert_true(tis_null(get(db, id), "written_done_at"));
	add_leader(db);
	assert_int_equal(report_sign(db, rid, "张伟", 0, sid), 0);
	inc = get(db, id);
	assert_string_equal(tstr(inc, "phone_due_at"), "2026-11-28T12:10:00Z");
	assert_string_equal(tstr(inc, "written_due_at"), "2026-11-28T12:40:00Z");
	assert_string_equal(tstr(inc, "phone_done_at"), "2026-11-28T11:50:00Z");
	assert_string_equal(tstr(inc, "written_done_at"), "2026-11-28T12:20:00Z");
	reps = cJSON_GetObjectItemCaseSensitive(inc, "reports");
	assert_int_equal(cJSON_GetArraySize(reps), 3);
	r = cJSON_GetArrayItem(reps, 0);
	assert_string_equal(tstr(r, "id"), "datian-3");
	assert_string_equal(tstr(r, "type"), "first");
	assert_string_equal(tstr(r, "channel"), "phone");
	assert_string_equal(tstr(r, "text"), "首报");
	assert_string_equal(tstr(r, "at"), "2026-11-28T11:50:00Z");
	assert_string_equal(tstr(r, "officer"), "tester");
	r = cJSON_GetArrayItem(reps, 1);
	assert_string_equal(tstr(r, "id"), "datian-2");
	assert_string_equal(tstr(r, "type"), "followup");
	r = cJSON_GetArrayItem(reps, 2);
	assert_string_equal(tstr(r, "id"), "datian-4");
	assert_string_equal(tstr(r, "type"), "final");
	assert_string_equal(tstr(r, "channel"), "written");
	assert_true(tis_null(r, "text"));
	assert_string_equal(tstr(r, "at"), "2026-11-28T12:20:00Z");

	/* Deadlines follow the time received when it is corrected. */
	assert_int_equal(incident_update(db, id, J("{'received_at':"
		"'2026-11-28T11:00:00Z'}")), 0);
	inc = get(db, id);
	assert_string_equal(tstr(inc, "phone_due_at"), "2026-11-28T11:30:00Z");
	assert_string_equal(tstr(inc, "written_due_at"), "2026-11-28T12:00:00Z");
}

/* ---- merging operations from several stations ------------------------- */

#define OPEN_BODY "{'town':'gucheng','title':'山体滑坡','received_at':" \
	"'2026-11-28T11:50:00Z'}"

static void
merge_status_is_a_maximum(void **state)
{
	struct op ops[4];
	struct db *db;
	cJSON *inc;
	(void)state;

	mkop(&ops[0], "aaa", 1, 0, "incident.open", "aaa-1", OPEN_BODY);
	mkop(&ops[1], "aaa", 2, 1000, "incident.status", "aaa-1",
	     "{'status':'verified','gen':0,'at':'2026-11-28T12:00:01Z'}");
	mkop(&ops[2], "bbb", 1, 2000, "incident.status", "aaa-1",
	     "{'status':'closed','gen':0,'at':'2026-11-28T12:00:02Z'}");
	/* A later clock does not pull the status back to a lower rank. */
	mkop(&ops[3], "ccc", 1, 3000, "incident.status", "aaa-1",
	     "{'status':'responding','gen':0,'at':'2026-11-28T12:00:03Z'}");
	db = every_order(ops, 4);
	inc = get(db, "aaa-1");
	assert_string_equal(tstr(inc, "status"), "closed");
	assert_int_equal(tnum(inc, "reopened"), 0);
	assert_string_equal(tstr(inc, "status_at"), "2026-11-28T12:00:02Z");
	assert_string_equal(tstr(inc, "officer"), "officer-aaa");
	assert_string_equal(tstr(inc, "title"), "山体滑坡");
}

static void
merge_reopen_beats_concurrent_close(void **state)
{
	struct op ops[4];
	struct db *db;
	cJSON *inc;
	(void)state;

	mkop(&ops[0], "aaa", 1, 0, "incident.open", "aaa-1", OPEN_BODY);
	mkop(&ops[1], "aaa", 2, 10000, "incident.status", "aaa-1",
	     "{'status':'closed','gen':0,'at':'2026-11-28T12:00:10Z'}");
	/* bbb saw it closed and reopened it, though bbb's clock runs behind;
	 * ccc, not having seen the reopen, closes the old generation later. */
	mkop(&ops[2], "bbb", 1, 5000, "incident.status", "aaa-1",
	     "{'status':'verified','gen':1,'at':'2026-11-28T12:00:05Z'}");
	mkop(&ops[3], "ccc", 1, 20000, "incident.status", "aaa-1",
	     "{'status':'closed','gen':0,'at':'2026-11-28T12:00:20Z'}");
	db = every_order(ops, 4);
	inc = get(db, "aaa-1");
	assert_string_equal(tstr(inc, "status"), "verified");
	assert_int_equal(tnum(inc, "reopened"), 1);
	assert_string_equal(tstr(inc, "status_at"), "2026-11-28T12:00:05Z");
}

static void
merge_fields_last_writer_wins(void **state)
{
	struct op ops[4];
	struct db *db;
	cJSON *inc;
	(void)state;

	mkop(&ops[0], "aaa", 1, 0, "incident.open", "aaa-1", OPEN_BODY);
	mkop(&ops[1], "bbb", 1, 5000, "incident.update", "aaa-1",
	     "{'title':'bbb title','place':'bbb place','dead':1}");
	/* Later by clock: wins title only; place stays bbb's. */
	mkop(&ops[2], "aaa", 2, 6000, "incident.update", "aaa-1",
	     "{'title':'aaa title'}");
	/* The same clock as bbb's: the station breaks the tie (ccc > bbb). */
	mkop(&ops[3], "ccc", 1, 5000, "incident.update", "aaa-1",
	     "{'dead':2}");
	db = every_order(ops, 4);
	inc = get(db, "aaa-1");
	assert_string_equal(tstr(inc, "title"), "aaa title");
	assert_string_equal(tstr(inc, "place"), "bbb place");
	assert_int_equal(tnum(inc, "dead"), 2);
	assert_string_equal(tstr(inc, "town"), "gucheng");
}

static void
merge_tie_broken_by_station(void **state)
{
	struct op ops[2];
	struct db *db;
	(void)state;

	/* Two stations, same clock stamp, no open: the higher station code
	 * wins whichever arrives first. */
	mkop(&ops[0], "zzz", 1, 7000, "incident.update", "aaa-1",
	     "{'title':'zzz'}");
	mkop(&ops[1], "aab", 1, 7000, "incident.update", "aaa-1",
	     "{'title':'aab'}");
	db = every_order(ops, 2);
	{
		struct op open;
		mkop(&open, "aaa", 1, 0, "incident.open", "aaa-1",
		     "{'town':'gucheng','title':'first','received_at':"
		     "'2026-11-28T11:50:00Z'}");
		apply_ok(db, &open);
	}
	/* The open is older than both edits: it does not take the title back. */
	assert_string_equal(tstr(get(db, "aaa-1"), "title"), "zzz");
}

static void
merge_open_is_a_writer_too(void **state)
{
	struct op ops[3];
	struct db *db;
	cJSON *inc;
	(void)state;

	/* bbb's clock runs behind aaa's: its edit is older than the open
	 * for the field both wrote, and still counts for the others. */
	mkop(&ops[0], "aaa", 1, 10000, "incident.open", "aaa-1",
	     "{'town':'gucheng','title':'open title','dead':1,'received_at':"
	     "'2026-11-28T11:50:00Z'}");
	mkop(&ops[1], "bbb", 1, 4000, "incident.update", "aaa-1",
	     "{'title':'bbb title','place':'bbb place','dead':5}");
	mkop(&ops[2], "ccc", 1, 20000, "incident.update", "aaa-1",
	     "{'dead':9}");
	db = every_order(ops, 3);
	inc = get(db, "aaa-1");
	assert_string_equal(tstr(inc, "title"), "open title");
	assert_string_equal(tstr(inc, "place"), "bbb place");
	assert_int_equal(tnum(inc, "dead"), 9);
}

struct collect {
	struct op ops[16];
	int n;
};

static int
collect_one(const struct op *op, void *ctx)
{
	struct collect *c = ctx;
	cJSON *j;

	if (c->n >= 16)
		return 1;
	/* Through the wire form and back, as the server would relay it. */
	j = tkeep(op_to_json(op));
	if (op_from_json(j, &c->ops[c->n]))
		return 1;
	tkeep(c->ops[c->n].body);
	c->n++;
	return 0;
}

static void
apply_twice_counts_once(void **state)
{
	struct db *a = tstation("aaa", ROLE_TOWN, 1), *b = tstation("bbb", ROLE_TOWN, 1);
	struct collect c;
	const char *before;
	char id[64];
	int i;
	(void)state;

	add_ok(a, "{'town':'gucheng','title':'t'}", id);
	assert_int_equal(incident_set_status(a, id, "verified"), 0);
	assert_int_equal(incident_update(a, id, J("{'dead':1}")), 0);
	c.n = 0;
	assert_int_equal(op_each(a, 1, collect_one, &c), 0);
	assert_int_equal(c.n, 3);
	for (i = 0; i < c.n; i++)
		assert_int_equal(op_apply(b, &c.ops[i]), 1);
	before = texport_of(b);
	assert_string_equal(before, texport_of(a));
	/* Again, in another order: already held, nothing changes. */
	for (i = c.n - 1; i >= 0; i--)
		assert_int_equal(op_apply(b, &c.ops[i]), 0);
	assert_string_equal(texport_of(b), before);
	/* And a station's own operation handed back to it. */
	for (i = 0; i < c.n; i++)
		assert_int_equal(op_apply(a, &c.ops[i]), 0);
	assert_string_equal(texport_of(a), before);
}

static void
apply_twice_hand_made(void **state)
{
	struct db *db = tstation("order0", ROLE_TOWN, 0);
	struct op open, st;
	const char *before;
	(void)state;

	mkop(&open, "aaa", 1, 0, "incident.open", "aaa-1", OPEN_BODY);
	mkop(&st, "bbb", 1, 1000, "incident.status", "aaa-1",
	     "{'status':'verified','gen':0,'at':'2026-11-28T12:00:01Z'}");
	assert_int_equal(op_apply(db, &open), 1);
	assert_int_equal(op_apply(db, &st), 1);
	before = texport_of(db);
	assert_int_equal(op_apply(db, &st), 0);
	assert_int_equal(op_apply(db, &open), 0);
	assert_string_equal(texport_of(db), before);
	assert_string_equal(tstr(get(db, "aaa-1"), "status"), "verified");
}

/* ---- the clocks that run out next ---------------------------------- */

/* A clock is due soon from 5 minutes before it runs out, not a second
 * earlier, until it runs out (then it is late); a report made or the
 * incident closed takes it off. */
static void
due_soon_from_five_minutes_before(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	struct duty_counts c;
	int64_t phone = -1, written = -1;
	char id[64], rid[64];
	(void)state;

	/* Received at T0: the phone clock runs out at T0 + 30 min, the
	 * written one at T0 + 60 min. */
	add_ok(db, "{'town':'datian','title':'t','received_at':"
	       "'2026-11-28T12:00:00Z'}", id);
	assert_int_equal(incident_due_soon(db, T0 + 25 * 60 - 1, &phone,
					   &written), 0);
	assert_int_equal(phone, 0);
	assert_int_equal(written, 0);
	assert_int_equal(incident_due_soon(db, T0 + 25 * 60, &phone, &written),
			 0);
	assert_int_equal(phone, 1);
	assert_int_equal(written, 0);
	assert_int_equal(duty_counts(db, T0 + 30 * 60, &c), 0);
	assert_int_equal(c.phone_soon, 1);
	assert_int_equal(c.phone_late, 0);
	/* Past its deadline it is late, no longer due soon. */
	assert_int_equal(duty_counts(db, T0 + 30 * 60 + 1, &c), 0);
	assert_int_equal(c.phone_soon, 0);
	assert_int_equal(c.phone_late, 1);
	assert_int_equal(duty_counts(db, T0 + 55 * 60 - 1, &c), 0);
	assert_int_equal(c.written_soon, 0);
	assert_int_equal(duty_counts(db, T0 + 55 * 60, &c), 0);
	assert_int_equal(c.written_soon, 1);
	assert_int_equal(duty_counts(db, T0 + 60 * 60 + 1, &c), 0);
	assert_int_equal(c.written_soon, 0);
	assert_int_equal(c.written_late, 1);
	/* The first report made: its clock is done. */
	tclock_ms = (T0 + 20 * 60) * 1000;
	assert_int_equal(incident_report(db, id, REPORT_FIRST, "phone", NULL, 0,
					 rid), 0);
	assert_int_equal(incident_due_soon(db, T0 + 27 * 60, &phone, &written),
			 0);
	assert_int_equal(phone, 0);
	assert_int_equal(incident_set_status(db, id, "closed"), 0);
	assert_int_equal(incident_due_soon(db, T0 + 57 * 60, &phone, &written),
			 0);
	assert_int_equal(written, 0);
}

/* The ids of rows in order, space-separated. */
static const char *
ids_of(cJSON **rows, int n)
{
	static char buf[512];
	size_t k = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < n; i++)
		k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? " " : "",
				      tstr(rows[i], "id"));
	return buf;
}

/* The incidents list: a report overdue first, then by severity, and
 * within a severity the nearest deadline first (not the newest). */
static void
order_by_time_left_within_severity(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	cJSON *list, *rows[8];
	char id[64], rid[64];
	int n = 0;
	(void)state;

	tclock_ms = (T0 + 2 * 3600) * 1000;
	/* datian-1: severity 2, received 20 minutes ago: 10 left. */
	add_ok(db, "{'town':'datian','title':'a','severity':2,'received_at':"
	       "'2026-11-28T13:40:00Z'}", id);
	/* datian-2: severity 2, received 2 minutes ago: 28 left. */
	add_ok(db, "{'town':'datian','title':'b','severity':2,'received_at':"
	       "'2026-11-28T13:58:00Z'}", id);
	/* datian-3: severity 2, received 40 minutes ago, phoned in: 20
	 * left on the written clock. */
	add_ok(db, "{'town':'datian','title':'c','severity':2,'received_at':"
	       "'2026-11-28T13:20:00Z'}", id);
	assert_int_equal(incident_report(db, id, REPORT_FIRST, "phone", NULL,
					 T0 + 3600 + 25 * 60, rid), 0);
	/* datian-5: severity 1, received just now: severity comes first. */
	add_ok(db, "{'town':'datian','title':'d','severity':1,'received_at':"
	       "'2026-11-28T14:00:00Z'}", id);
	/* datian-6: severity 3, received 50 minutes ago, no report: late. */
	add_ok(db, "{'town':'datian','title':'e','severity':3,'received_at':"
	       "'2026-11-28T13:10:00Z'}", id);
	/* datian-7: no severity, received 25 minutes ago: last of all but
	 * the late one, whatever its clock. */
	add_ok(db, "{'town':'datian','title':'f','received_at':"
	       "'2026-11-28T13:35:00Z'}", id);
	list = tlist(db, LIST_INCIDENTS);
	while (n < 8 && cJSON_GetArraySize(list) > 0)
		rows[n++] = tkeep(cJSON_DetachItemFromArray(list, 0));
	assert_int_equal(n, 6);
	assert_int_equal(incident_order(rows, (size_t)n, T0 + 2 * 3600), 0);
	assert_string_equal(ids_of(rows, n),
			    "datian-6 datian-5 datian-1 datian-3 datian-2 datian-7");
	/* Both clocks done: after those of its severity still running. */
	assert_int_equal(incident_report(db, "datian-1", REPORT_FIRST, "written",
					 NULL, 0, rid), 0);
	assert_int_equal(incident_report(db, "datian-1", REPORT_FIRST, "phone",
					 NULL, 0, rid), 0);
	n = 0;
	list = tlist(db, LIST_INCIDENTS);
	while (n < 8 && cJSON_GetArraySize(list) > 0)
		rows[n++] = tkeep(cJSON_DetachItemFromArray(list, 0));
	assert_int_equal(incident_order(rows, (size_t)n, T0 + 2 * 3600), 0);
	assert_string_equal(ids_of(rows, n),
			    "datian-6 datian-5 datian-3 datian-2 datian-1 datian-7");
	assert_int_equal(incident_order(rows, 0, T0), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tfresh, trelease)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(add_needs_town_and_title_or_place),
		T(title_not_blank),
		T(add_town_by_code_name_pinyin),
		T(add_unknown_town_named),
		T(add_counts_whole_numbers),
		T(add_severity_one_to_four),
		T(add_received_at),
		T(add_control_characters),
		T(add_unknown_or_malformed_fields),
		T(add_ids_increment),
		T(get_missing),
		T(update_bad),
		T(update_fields),
		T(status_bad),
		T(status_forward_only),
		T(status_reopen_bumps_generation),
		T(report_bad),
		T(report_time_bounds),
		T(report_deadlines),
		T(due_soon_from_five_minutes_before),
		T(order_by_time_left_within_severity),
		T(merge_status_is_a_maximum),
		T(merge_reopen_beats_concurrent_close),
		T(merge_fields_last_writer_wins),
		T(merge_tie_broken_by_station),
		T(merge_open_is_a_writer_too),
		T(apply_twice_counts_once),
		T(apply_twice_hand_made),
	};
	int rc;

	time_set_zone("Asia/Shanghai");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
