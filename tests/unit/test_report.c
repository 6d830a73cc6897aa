/*
 * test_report.c - the upward reports' sign-off and texts: who may sign
 * (report_sign), a written report's clock met at its signing, the
 * sign-off and its report arriving in either order (and two sign-offs
 * made apart) ending in the same state, a report made before sign-off
 * existed counting when made, the follow-ups' numbering, the composed
 * text, and the follow-ups due at fixed times (followup_due,
 * duty_counts).
 */
#include "testlib.h"

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

static cJSON *
get(struct db *db, const char *id)
{
	cJSON *inc = NULL;

	assert_int_equal(incident_get(db, id, &inc), 1);
	return tkeep(inc);
}

static void
contact(struct db *db, const char *name, const char *role, char id[64])
{
	char f[300];

	snprintf(f, sizeof f, "{'name':'%s','phones':'13800001111','role':'%s',"
		 "'town':'datian'}", name, role);
	assert_int_equal(contact_add(db, J(f), id), 0);
}

/* An incident of severity sev received at T0 - 1 hour. */
static void
incident(struct db *db, int sev, char id[64])
{
	char f[200];

	snprintf(f, sizeof f, "{'town':'datian','title':'厂房起火',"
		 "'severity':%d,'received_at':'2026-11-28T11:00:00Z'}", sev);
	assert_int_equal(incident_add(db, J(f), id), 0);
}

/* The operations station made, as JSON, in the order it made them. */
struct made {
	const char *station;
	cJSON *ops;
};

static int
keep_op(const struct op *op, void *ctx)
{
	struct made *m = ctx;

	if (strcmp(op->station, m->station) == 0)
		cJSON_AddItemToArray(m->ops, op_to_json(op));
	return 0;
}

static cJSON *
made_by(struct db *db, const char *station)
{
	struct made m = { station, tkeep(cJSON_CreateArray()) };

	assert_int_equal(op_each(db, 0, keep_op, &m), 0);
	return m.ops;
}

/* Apply ops[order[i]] to db for each i (order ends with -1). */
static void
apply_in(struct db *db, const cJSON *ops, const int *order)
{
	struct op op;

	for (; *order >= 0; order++) {
		assert_int_equal(op_from_json(cJSON_GetArrayItem(ops, *order), &op),
				 0);
		if (op_apply(db, &op) < 0)
			fail_msg("apply %s %s: %s", op.kind, op.entity,
				 db_errmsg(db));
		op_clear(&op);
	}
}

/* ---- who may sign ---- */

static void
sign_refusals(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char inc[64], phone[64], written[64], cid[64], sid[64];
	int64_t n = tnops(db);
	(void)state;

	incident(db, 2, inc);
	assert_int_equal(incident_report(db, inc, REPORT_FIRST, "phone", "首报",
					 0, phone), 0);
	assert_int_equal(incident_report(db, inc, REPORT_FIRST, "written",
					 "书面首报", 0, written), 0);
	contact(db, "李娜", "town_duty", cid);
	n = tnops(db);
	/* Nobody in the directory of that name; one who is no leader. */
	assert_int_equal(report_sign(db, written, "赵六", 0, sid), DD_E_NOTFOUND);
	assert_int_equal(report_sign(db, written, "李娜", 0, sid), DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "leader"));
	/* A phone report needs none; an unknown report. */
	contact(db, "张伟", "town_leader", cid);
	n = tnops(db);
	assert_int_equal(report_sign(db, phone, "张伟", 0, sid), DD_E_REFUSED);
	assert_int_equal(report_sign(db, "datian-99", "张伟", 0, sid),
			 DD_E_NOTFOUND);
	assert_int_equal(report_sign(db, NULL, "张伟", 0, sid), DD_E_NOTFOUND);
	/* Before the report was made; ahead of now. */
	assert_int_equal(report_sign(db, written, "张伟", T0 - 60, sid),
			 DD_E_INVALID);
	assert_int_equal(report_sign(db, written, "张伟", T0 + 3600, sid),
			 DD_E_INVALID);
	assert_int_equal(tnops(db), n);
	assert_int_equal(report_sign(db, written, "张伟", 0, sid), 0);
	assert_int_equal(report_sign(db, written, "张伟", 0, sid), DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "already signed"));
	assert_int_equal(tnops(db), n + 1);
}

static void
sign_by_the_leader_on_duty(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char inc[64], w[64], cid[64], sid[64], shift[64];
	cJSON *who = NULL;
	(void)state;

	incident(db, 2, inc);
	assert_int_equal(incident_report(db, inc, REPORT_FIRST, "written", "x",
					 0, w), 0);
	contact(db, "张伟", "town_leader", cid);
	contact(db, "陈明", "town_leader", cid);
	contact(db, "王五", "officer", cid);
	/* A roster kept, but no shift covers now: nobody may sign. */
	assert_int_equal(roster_add(db, "2026-12-05", "08:30", 24, "陈明", "王五",
				    NULL, shift), 0);
	assert_int_equal(report_sign(db, w, "陈明", 0, sid), DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "none now"));
	assert_int_equal(report_signers(db, T0, &who), 0);
	assert_int_equal(cJSON_GetArraySize(who), 0);
	cJSON_Delete(who);
	/* A shift from 19:30 local (11:30Z) for 24 hours led by 陈明. */
	assert_int_equal(roster_add(db, "2026-11-28", "19:30", 24, "陈明", "王五",
				    NULL, shift), 0);
	assert_int_equal(report_signers(db, T0, &who), 0);
	assert_int_equal(cJSON_GetArraySize(who), 1);
	assert_string_equal(tstr(cJSON_GetArrayItem(who, 0), "name"), "陈明");
	cJSON_Delete(who);
	/* A town leader off duty may not; the one on duty may. */
	assert_int_equal(report_sign(db, w, "张伟", 0, sid), DD_E_REFUSED);
	assert_non_null(strstr(db_errmsg(db), "陈明"));
	assert_int_equal(report_sign(db, w, "陈明", 0, sid), 0);
}

/* ---- the written clock ---- */

static void
written_clock_met_when_signed(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char inc[64], w[64], cid[64], sid[64];
	cJSON *i, *r;
	(void)state;

	incident(db, 2, inc);
	/* Made at 11:20Z, signed at 11:50Z: the clock (due 12:00Z) is met
	 * at 11:50, when it went out. */
	assert_int_equal(incident_report(db, inc, REPORT_FIRST, "written", "x",
					 T0 - 40 * 60, w), 0);
	assert_true(tis_null(get(db, inc), "written_done_at"));
	contact(db, "张伟", "town_leader", cid);
	assert_int_equal(report_sign(db, w, "张伟", T0 - 10 * 60, sid), 0);
	i = get(db, inc);
	assert_string_equal(tstr(i, "written_done_at"), "2026-11-28T11:50:00Z");
	r = cJSON_GetArrayItem(cJSON_GetObjectItem(i, "reports"), 0);
	assert_string_equal(tstr(r, "at"), "2026-11-28T11:20:00Z");
	assert_string_equal(tstr(r, "signed_at"), "2026-11-28T11:50:00Z");
	assert_string_equal(tstr(r, "signed_by"), cid);
	assert_string_equal(tstr(r, "signed_name"), "张伟");
	assert_string_equal(tstr(r, "counted_at"), "2026-11-28T11:50:00Z");
}

/* ---- merging ---- */

/* The sign-off before its report, after it, and the incident last: the
 * same export. */
static void
sign_and_report_in_any_order(void **state)
{
	struct db *a = tstation("datian", ROLE_TOWN, 1);
	struct db *b, *c;
	char inc[64], w[64], cid[64], sid[64];
	char *xa, *xb, *xc;
	cJSON *ops;
	/* 0 incident.open, 1 incident.report, 2 contact.add, 3 report.sign */
	static const int forward[] = { 0, 1, 2, 3, -1 };
	static const int backward[] = { 3, 2, 1, 0, -1 };
	(void)state;

	incident(a, 2, inc);
	assert_int_equal(incident_report(a, inc, REPORT_FIRST, "written", "x",
					 0, w), 0);
	contact(a, "张伟", "town_leader", cid);
	assert_int_equal(report_sign(a, w, "张伟", 0, sid), 0);
	ops = made_by(a, "datian");
	assert_int_equal(cJSON_GetArraySize(ops), 4);
	b = tstation("gucheng", ROLE_TOWN, 1);
	c = tstation("linhai", ROLE_COMMAND, 1);
	apply_in(b, ops, forward);
	apply_in(c, ops, backward);
	assert_string_equal(tstr(get(c, inc), "written_done_at"),
			    tstr(get(a, inc), "written_done_at"));
	xa = texport(a);
	xb = texport(b);
	xc = texport(c);
	assert_string_equal(xb, xa);
	assert_string_equal(xc, xa);
	free(xa);
	free(xb);
	free(xc);
}

/* Two stations sign one report apart: both keep both sign-offs, and the
 * report is signed at the earlier on each. */
static void
two_signoffs_the_earliest_counts(void **state)
{
	struct db *a = tstation("datian", ROLE_TOWN, 1);
	struct db *b = tstation("linhai", ROLE_COMMAND, 1);
	char inc[64], w[64], c1[64], c2[64], s1[64], s2[64];
	char *xa, *xb;
	cJSON *r;
	(void)state;

	incident(a, 2, inc);
	assert_int_equal(incident_report(a, inc, REPORT_FIRST, "written", "x",
					 T0 - 30 * 60, w), 0);
	contact(a, "张伟", "town_leader", c1);
	texchange(a, b);
	contact(b, "陈局长", "county_leader", c2);
	assert_int_equal(report_sign(a, w, "张伟", T0 - 5 * 60, s1), 0);
	assert_int_equal(report_sign(b, w, "陈局长", T0 - 20 * 60, s2), 0);
	texchange(a, b);
	texchange(a, b);
	xa = texport(a);
	xb = texport(b);
	assert_string_equal(xa, xb);
	free(xa);
	free(xb);
	r = cJSON_GetArrayItem(cJSON_GetObjectItem(get(a, inc), "reports"), 0);
	assert_string_equal(tstr(r, "signed_name"), "陈局长");
	assert_string_equal(tstr(get(a, inc), "written_done_at"),
			    "2026-11-28T11:40:00Z");
	{
		cJSON *x = NULL;
		assert_int_equal(state_export(a, &x), 0);
		tkeep(x);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(x,
					 "signoffs")), 2);
	}
}

/* A written report from before sign-off existed (no "sign" in its
 * body) counted when made; a sign-off changes nothing, in either order. */
static void
old_written_report_counts_when_made(void **state)
{
	struct db *a = tstation("datian", ROLE_TOWN, 1);
	struct db *b = tstation("linhai", ROLE_COMMAND, 1);
	struct op rep, sig;
	char inc[64];
	char *xa, *xb;
	cJSON *r;
	(void)state;

	incident(a, 2, inc);
	texchange(a, b);
	memset(&rep, 0, sizeof rep);
	snprintf(rep.station, sizeof rep.station, "gucheng");
	snprintf(rep.incarnation, sizeof rep.incarnation, "0123456789abcdef");
	snprintf(rep.realm, sizeof rep.realm, "live");
	snprintf(rep.officer, sizeof rep.officer, "old");
	snprintf(rep.kind, sizeof rep.kind, "incident.report");
	snprintf(rep.entity, sizeof rep.entity, "gucheng-1");
	rep.seq = 1;
	rep.hlc = (T0 - 1800) * 1000 << 16;
	rep.body = J("{'incident':'datian-1','type':'first','channel':"
		     "'written','at':'2026-11-28T11:30:00Z'}");
	sig = rep;
	snprintf(sig.kind, sizeof sig.kind, "report.sign");
	snprintf(sig.entity, sizeof sig.entity, "gucheng-2");
	sig.seq = 2;
	sig.hlc = rep.hlc + (1 << 16);
	sig.body = J("{'report':'gucheng-1','contact':'gucheng-9','name':"
		     "'某人','at':'2026-11-28T11:20:00Z'}");
	assert_int_equal(op_apply(a, &rep), 1);
	assert_int_equal(op_apply(a, &sig), 1);
	/* The other order needs the report's sequence first on the wire;
	 * a replica's state does not: apply them as the server relays. */
	assert_int_equal(op_apply(b, &rep), 1);
	assert_int_equal(op_apply(b, &sig), 1);
	r = cJSON_GetArrayItem(cJSON_GetObjectItem(get(a, inc), "reports"), 0);
	assert_string_equal(tstr(r, "signed_at"), "2026-11-28T11:30:00Z");
	assert_true(tis_null(r, "signed_by"));
	assert_string_equal(tstr(get(a, inc), "written_done_at"),
			    "2026-11-28T11:30:00Z");
	xa = texport(a);
	xb = texport(b);
	assert_string_equal(xa, xb);
	free(xa);
	free(xb);
}

/* ---- numbering and texts ---- */

static void
labels(void **state)
{
	char out[48];
	(void)state;

	assert_string_equal(report_label("first", 0, 0, out), "首报");
	assert_string_equal(report_label("final", 0, 0, out), "终报");
	assert_string_equal(report_label("followup", 1, 0, out), "续报一");
	assert_string_equal(report_label("followup", 9, 0, out), "续报九");
	assert_string_equal(report_label("followup", 10, 0, out), "续报十");
	assert_string_equal(report_label("followup", 11, 0, out), "续报十一");
	assert_string_equal(report_label("followup", 20, 0, out), "续报二十");
	assert_string_equal(report_label("followup", 99, 0, out), "续报九十九");
	assert_string_equal(report_label("followup", 100, 0, out), "续报100");
	assert_string_equal(report_label("followup", 3, 1, out), "Follow-up 3");
	assert_string_equal(report_label("first", 0, 1, out), "First report");
}

static void
followups_numbered_by_time(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char inc[64], r1[64], r2[64], r3[64];
	int64_t n;
	(void)state;

	incident(db, 2, inc);
	/* Made in the order 2, 3, 1 of their times. */
	assert_int_equal(incident_report(db, inc, REPORT_FOLLOWUP, "phone", "b",
					 T0 - 20 * 60, r2), 0);
	assert_int_equal(incident_report(db, inc, REPORT_FOLLOWUP, "phone", "c",
					 T0 - 10 * 60, r3), 0);
	assert_int_equal(incident_report(db, inc, REPORT_FOLLOWUP, "phone", "a",
					 T0 - 30 * 60, r1), 0);
	assert_int_equal(report_number(db, r1, &n), 1);
	assert_int_equal(n, 1);
	assert_int_equal(report_number(db, r2, &n), 1);
	assert_int_equal(n, 2);
	assert_int_equal(report_number(db, r3, &n), 1);
	assert_int_equal(n, 3);
}

static void
composed_text(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char id[64];
	char *t = NULL;
	(void)state;

	assert_int_equal(incident_add(db, J("{'town':'datian','title':'厂房起火',"
		"'place':'工业园','dead':2,'evacuated':30,'actions':'扑救',"
		"'received_at':'2026-11-28T11:00:00Z'}"), id), 0);
	assert_int_equal(report_compose(db, id, REPORT_FIRST, 0, &t), 0);
	assert_non_null(strstr(t, "接报时间：2026-11-28 19:00。"));
	assert_non_null(strstr(t, "地点：大田街道工业园。"));
	assert_non_null(strstr(t, "死亡2人"));
	assert_non_null(strstr(t, "转移群众：30人。"));
	assert_non_null(strstr(t, "处置措施：扑救。"));
	assert_null(strstr(t, "截至"));
	free(t);
	assert_int_equal(report_compose(db, id, REPORT_FINAL, 1, &t), 0);
	assert_non_null(strstr(t, "As of 2026-11-28 20:00."));
	assert_non_null(strstr(t, "final report"));
	free(t);
	assert_int_equal(report_compose(db, "datian-99", REPORT_FIRST, 0, &t),
			 DD_E_NOTFOUND);
	assert_null(t);
}

/* ---- the follow-ups due at fixed times ---- */

/* The town board's late, added up over the towns, are n: the status
 * line's LATE, the follow-ups overdue among them. */
static void
board_late_is(struct db *db, int64_t n)
{
	cJSON *rows = NULL, *r;
	int64_t sum = 0;

	assert_int_equal(board_rows(db, &rows), 0);
	cJSON_ArrayForEach(r, rows)
		sum += tnum(r, "late");
	cJSON_Delete(rows);
	assert_int_equal(sum, n);
}

static void
followups_due_at_fixed_times(void **state)
{
	struct db *db = tstation("datian", ROLE_TOWN, 1);
	char inc[64], low[64], r[64], cid[64], sid[64];
	struct duty_counts c;
	int64_t due;
	(void)state;

	incident(db, 2, inc);
	incident(db, 4, low);
	/* No report yet: nothing is due. */
	assert_int_equal(followup_due(db, inc, &due), 0);
	/* The first by phone at 19:10 local, in writing signed at 19:20:
	 * the first time an hour after is 08:00 the next day. */
	assert_int_equal(incident_report(db, inc, REPORT_FIRST, "phone", "x",
					 T0 - 50 * 60, r), 0);
	assert_int_equal(incident_report(db, inc, REPORT_FIRST, "written", "x",
					 T0 - 45 * 60, r), 0);
	contact(db, "张伟", "town_leader", cid);
	assert_int_equal(report_sign(db, r, "张伟", T0 - 40 * 60, sid), 0);
	assert_int_equal(incident_report(db, low, REPORT_FIRST, "phone", "x",
					 T0 - 50 * 60, r), 0);
	assert_int_equal(followup_due(db, inc, &due), 1);
	assert_int_equal(due, T0 + 12 * 3600);       /* 08:00 local */
	assert_int_equal(followup_due(db, low, &due), 0); /* severity 4 */

	/* 07:56: due within 5 minutes. */
	tclock_ms = (T0 + 12 * 3600 - 4 * 60) * 1000;
	assert_int_equal(duty_counts(db, tclock_ms / 1000, &c), 0);
	assert_int_equal(c.followup_soon, 1);
	assert_int_equal(c.followup_late, 0);
	assert_int_equal(c.late, 1);    /* low: no written report */
	/* 08:30: late, and counted among the late incidents. */
	tclock_ms = (T0 + 12 * 3600 + 30 * 60) * 1000;
	assert_int_equal(duty_counts(db, tclock_ms / 1000, &c), 0);
	assert_int_equal(c.followup_late, 1);
	assert_int_equal(c.late, 2);
	board_late_is(db, 2);
	/* A follow-up at 08:30 meets 17:00; the next is due 08:00 after. */
	assert_int_equal(incident_report(db, inc, REPORT_FOLLOWUP, "phone", "x",
					 0, r), 0);
	assert_int_equal(followup_due(db, inc, &due), 1);
	assert_int_equal(due, T0 + 36 * 3600);
	assert_int_equal(duty_counts(db, tclock_ms / 1000, &c), 0);
	assert_int_equal(c.late, 1);
	assert_int_equal(c.followup_late, 0);
	/* One unsigned in writing does not count; once signed it does. */
	tclock_ms = (T0 + 33 * 3600) * 1000;         /* 05:00, 2 days on */
	assert_int_equal(incident_report(db, inc, REPORT_FOLLOWUP, "written",
					 "x", 0, r), 0);
	assert_int_equal(followup_due(db, inc, &due), 1);
	assert_int_equal(due, T0 + 36 * 3600);
	assert_int_equal(report_sign(db, r, "张伟", 0, sid), 0);
	assert_int_equal(followup_due(db, inc, &due), 1);
	assert_int_equal(due, T0 + 45 * 3600);       /* 17:00 */
	/* The final report ends it. */
	assert_int_equal(incident_report(db, inc, REPORT_FINAL, "phone", "x", 0,
					 r), 0);
	assert_int_equal(followup_due(db, inc, &due), 0);
}

int
main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, tfresh, trelease)
	const struct CMUnitTest tests[] = {
		T(sign_refusals),
		T(sign_by_the_leader_on_duty),
		T(written_clock_met_when_signed),
		T(sign_and_report_in_any_order),
		T(two_signoffs_the_earliest_counts),
		T(old_written_report_counts_when_made),
		T(labels),
		T(followups_numbered_by_time),
		T(composed_text),
		T(followups_due_at_fixed_times),
	};
	int rc;

	time_set_zone("Asia/Shanghai");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
