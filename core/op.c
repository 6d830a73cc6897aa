/*
 * op.c - the operation: the one path of every change. A local command,
 * a seed record or an operation received from the server all come
 * through here: checked for form, applied to the state tables and
 * appended to the operation log in one transaction.
 */
#include "private.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- schema ---- */

static int
text_ok(const char *s, int64_t max)
{
	size_t n = strlen(s);
	const unsigned char *p;

	if ((int64_t)n > (max ? max : 4000))
		return 0;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 && *p != '\n' && *p != '\t')
			return 0;
	return 1;
}

static int
legs_ok(const cJSON *legs)
{
	const cJSON *l;
	int n = 0;

	if (!cJSON_IsArray(legs))
		return 0;
	cJSON_ArrayForEach(l, legs) {
		int64_t d;
		const char *dep = jstr(l, "depot"), *item = jstr(l, "item");
		if (!cJSON_IsObject(l) || !dep || !item || !jint(l, "delta", &d) ||
		    !text_ok(dep, 63) || !text_ok(item, 63) || !*dep || !*item ||
		    d < -1000000000 || d > 1000000000 || cJSON_GetArraySize(l) != 3)
			return 0;
		n++;
	}
	return n >= 1 && n <= 2;
}

/* The people a warning names: at most max objects of exactly town,
 * contact (non-empty codes), name and phone (strings). */
static int
people_ok(const cJSON *people, int64_t max)
{
	const cJSON *p;
	int n = 0;

	if (!cJSON_IsArray(people) || cJSON_GetArraySize(people) > max)
		return 0;
	cJSON_ArrayForEach(p, people) {
		const char *town = jstr(p, "town"), *contact = jstr(p, "contact");
		const char *name = jstr(p, "name"), *phone = jstr(p, "phone");
		if (!cJSON_IsObject(p) || !town || !contact || !name || !phone ||
		    !*town || !*contact || !text_ok(town, 63) ||
		    !text_ok(contact, 63) || !text_ok(name, 100) ||
		    !text_ok(phone, 200) || cJSON_GetArraySize(p) != 4)
			return 0;
		n++;
	}
	return 1;
}

/* The most fields a schema may have (the largest has fewer). */
#define FIELDS_MAX 64

/* The member of body that each field of f names, into at (NULL: absent),
 * in one pass over body: the first of its name, as
 * cJSON_GetObjectItemCaseSensitive would find it. strict: a member no
 * field names is refused (schema_check); otherwise it is passed over.
 * Returns the number of fields, or negative. */
static int
fields_find(struct db *db, const struct field *f, const cJSON *body,
	    const cJSON *at[FIELDS_MAX], int strict)
{
	const cJSON *v;
	int i, n;

	for (n = 0; f[n].name; n++) {
		if (n == FIELDS_MAX)
			return db_fail(db, DD_E_DB, "a schema of more than %d "
				       "fields", FIELDS_MAX);
		at[n] = NULL;
	}
	cJSON_ArrayForEach(v, body) {
		for (i = 0; i < n; i++)
			if (v->string && v->string[0] == f[i].name[0] &&
			    strcmp(v->string, f[i].name) == 0)
				break;
		if (i < n && !at[i])
			at[i] = v;
		else if (i == n && strict)
			return db_fail(db, DD_E_SCHEMA, "unknown field '%s'",
				       v->string ? v->string : "?");
	}
	return n;
}

int
schema_check(struct db *db, const struct field *f, const cJSON *body)
{
	const cJSON *at[FIELDS_MAX], *v;
	int i, n;

	if (!cJSON_IsObject(body))
		return db_fail(db, DD_E_SCHEMA, "body is not an object");
	/* Unknown fields are refused: a peer cannot smuggle data past us. */
	if ((n = fields_find(db, f, body, at, 1)) < 0)
		return n;
	for (i = 0; i < n; i++, f++) {
		int64_t k;
		if (!(v = at[i])) {
			if (f->req)
				return db_fail(db, DD_E_SCHEMA,
					       "field '%s' is missing", f->name);
			continue;
		}
		switch (f->t) {
		case F_STR:
			if (!cJSON_IsString(v) || !text_ok(v->valuestring, f->max))
				goto bad;
			break;
		case F_INT:
			if (!jint_of(v, &k) || k < f->min || k > f->max)
				goto bad;
			break;
		case F_TIME:
			if (!jtime_of(v, &k))
				goto bad;
			break;
		case F_BOOL:
			if (!cJSON_IsBool(v))
				goto bad;
			break;
		case F_ENUM:
			if (!cJSON_IsString(v) || str_in(v->valuestring, f->enums) < 0)
				goto bad;
			break;
		case F_STRS: {
			const cJSON *s;
			if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) > f->max)
				goto bad;
			cJSON_ArrayForEach(s, v)
				if (!cJSON_IsString(s) || !text_ok(s->valuestring, 63) ||
				    !*s->valuestring)
					goto bad;
			break;
		}
		case F_LEGS:
			if (!legs_ok(v))
				goto bad;
			break;
		case F_PEOPLE:
			if (!people_ok(v, f->max))
				goto bad;
			break;
		}
	}
	return 0;
bad:
	return db_fail(db, DD_E_SCHEMA, "field '%s' has a bad value", f->name);
}

/* ---- last writer wins ---- */

static int
has_base(const char *table)
{
	static const char *const records[] = { "towns", "teams", "depots",
		"supply_kinds", "shelters", "incidents", "contacts", "shifts",
		NULL };
	return str_in(table, records) >= 0;
}

int
lww_claim(struct db *db, const struct op *op, const char *table,
	  const char *id, const char *field)
{
	char sql[900];
	int rc;

	/* The upsert only overwrites a stamp that the operation beats, so
	 * changes() tells whether this operation now owns the field. On a
	 * record, a field set by the creating operation has no lww row: its
	 * stamp is the record's own (b_*). */
	snprintf(sql, sizeof sql,
		"INSERT INTO lww(tbl, id, field, hlc, station, inc, seq) "
		"SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE %s%s%s%s%s "
		"ON CONFLICT(tbl, id, field) DO UPDATE SET hlc = excluded.hlc, "
		"station = excluded.station, inc = excluded.inc, seq = excluded.seq "
		"WHERE (excluded.hlc, excluded.station, excluded.inc, excluded.seq) "
		"> (lww.hlc, lww.station, lww.inc, lww.seq)",
		has_base(table) ? "NOT EXISTS (SELECT 1 FROM " : "1",
		has_base(table) ? table : "",
		has_base(table) ? " WHERE id = ?2 AND b_hlc IS NOT NULL AND " : "",
		has_base(table) ? field : "",
		has_base(table) ? " IS NOT NULL AND (b_hlc, b_station, b_inc, b_seq) "
				  ">= (?4, ?5, ?6, ?7))" : "");
	rc = db_exec(db, sql, "sssissi", table, id, field, op->hlc, op->station,
		     op->incarnation, op->seq);
	if (rc)
		return rc;
	return sqlite3_changes(db->h) > 0;
}

/* Bind v, the body's member for field f, as parameter i: NULL when
 * absent. Texts here (of the body, of the operation) are bound without
 * a copy: each statement is stepped and reset before the operation goes. */
static int
bind_field(struct db *db, sqlite3_stmt *st, int i, const struct field *f,
	   const cJSON *v)
{
	int64_t n = 0;
	int rc;

	if (!v)
		rc = sqlite3_bind_null(st, i);
	else if (f->t == F_INT)
		rc = jint_of(v, &n) ? sqlite3_bind_int64(st, i, n)
				    : sqlite3_bind_null(st, i);
	else if (f->t == F_BOOL)
		rc = sqlite3_bind_int(st, i, cJSON_IsTrue(v));
	else if (f->t == F_TIME)
		rc = jtime_of(v, &n) ? sqlite3_bind_int64(st, i, n)
				     : sqlite3_bind_null(st, i);
	else
		rc = sqlite3_bind_text(st, i, v->valuestring, -1, SQLITE_STATIC);
	return rc == SQLITE_OK ? 0 : db_rc(db, rc);
}

/* The insert that creates a record of table, built once per table: its
 * fields, the column by (if any) and the operation's stamp. */
static const char *
create_sql(const char *table, const struct field *fields, const char *by)
{
	static struct { const char *table; char sql[1600]; } made[12];
	char vals[800];
	const struct field *f;
	size_t n, m;
	int i, slot;

	for (slot = 0; slot < 12 && made[slot].table; slot++)
		if (strcmp(made[slot].table, table) == 0)
			return made[slot].sql;
	if (slot == 12)
		return NULL;
	n = (size_t)snprintf(made[slot].sql, sizeof made[slot].sql,
			     "INSERT INTO %s(id", table);
	m = (size_t)snprintf(vals, sizeof vals, "?1");
	for (f = fields, i = 2; f->name; f++, i++) {
		n += (size_t)snprintf(made[slot].sql + n, sizeof made[slot].sql - n,
				      ", %s", f->name);
		/* Columns with a default take it when the field is absent. */
		m += (size_t)snprintf(vals + m, sizeof vals - m, f->t == F_BOOL
				      ? ", coalesce(?%d, 0)" : ", ?%d", i);
		if (n >= sizeof made[slot].sql || m >= sizeof vals)
			return NULL;
	}
	if (by) {
		n += (size_t)snprintf(made[slot].sql + n, sizeof made[slot].sql - n,
				      ", %s", by);
		m += (size_t)snprintf(vals + m, sizeof vals - m, ", ?%d", i + 4);
		if (n >= sizeof made[slot].sql || m >= sizeof vals)
			return NULL;
	}
	n += (size_t)snprintf(made[slot].sql + n, sizeof made[slot].sql - n,
			      ", b_hlc, b_station, b_inc, b_seq) VALUES(%s, ?%d, "
			      "?%d, ?%d, ?%d) ON CONFLICT(id) DO NOTHING", vals, i,
			      i + 1, i + 2, i + 3);
	if (n >= sizeof made[slot].sql)
		return NULL;
	made[slot].table = table;
	return made[slot].sql;
}

/* Create the record in one insert, stamped with the operation, with
 * column by (if any) set to its officer. Returns 1 created, 0 the row
 * exists already, negative on error. */
static int
record_create(struct db *db, const struct op *op, const char *table,
	      const struct field *fields, const cJSON *const *at,
	      const char *by)
{
	const char *sql = create_sql(table, fields, by);
	const struct field *f;
	sqlite3_stmt *st;
	int i, rc, s;

	if (!sql)
		return db_fail(db, DD_E_DB, "no insert for %s", table);
	if (!(st = db_prep(db, sql)))
		return db_prep_err(db);
	rc = sqlite3_bind_text(st, 1, op->entity, -1, SQLITE_STATIC) ? DD_E_DB : 0;
	for (f = fields, i = 2; !rc && f->name; f++, i++)
		rc = bind_field(db, st, i, f, at[i - 2]);
	if (!rc && (sqlite3_bind_int64(st, i, op->hlc) ||
		    sqlite3_bind_text(st, i + 1, op->station, -1, SQLITE_STATIC) ||
		    sqlite3_bind_text(st, i + 2, op->incarnation, -1,
				      SQLITE_STATIC) ||
		    sqlite3_bind_int64(st, i + 3, op->seq) ||
		    (by && sqlite3_bind_text(st, i + 4, op->officer, -1,
					     SQLITE_STATIC))))
		rc = db_rc(db, sqlite3_errcode(db->h));
	if (!rc) {
		s = sqlite3_step(st);
		rc = s == SQLITE_DONE ? sqlite3_changes(db->h) > 0 : db_rc(db, s);
	}
	db_reset(st);
	return rc;
}

int
record_put(struct db *db, const struct op *op, const char *table,
	   const struct field *fields, int create, const char *by)
{
	const cJSON *at[FIELDS_MAX];
	char sql[160];
	const struct field *f;
	int i, rc;

	if ((rc = fields_find(db, fields, op->body, at, 0)) < 0)
		return rc;
	if (create) {
		rc = record_create(db, op, table, fields, at, by);
		if (rc != 0)
			return rc < 0 ? rc : 0;
		if (by) {
			snprintf(sql, sizeof sql, "UPDATE %s SET %s = ? WHERE id = ?",
				 table, by);
			if ((rc = db_exec(db, sql, "ss", op->officer, op->entity)))
				return rc;
		}
	} else {
		snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO %s(id) VALUES(?)",
			 table);
		if ((rc = db_exec(db, sql, "s", op->entity)))
			return rc;
	}
	/* The record exists: each field on its own, last writer wins. */
	for (f = fields, i = 0; f->name; f++, i++) {
		sqlite3_stmt *st;
		if (!at[i])
			continue;
		rc = lww_claim(db, op, table, op->entity, f->name);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		snprintf(sql, sizeof sql, "UPDATE %s SET %s = ?2 WHERE id = ?1",
			 table, f->name);
		if (!(st = db_prep(db, sql)))
			return db_prep_err(db);
		rc = sqlite3_bind_text(st, 1, op->entity, -1, SQLITE_STATIC)
		     ? db_rc(db, sqlite3_errcode(db->h))
		     : bind_field(db, st, 2, f, at[i]);
		if (!rc) {
			int s = sqlite3_step(st);
			rc = s == SQLITE_DONE ? 0 : db_rc(db, s);
		}
		db_reset(st);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- the kinds of operation ---- */

enum { R_TOWN = 1, R_CMD = 2, R_ALL = 3, R_SEED = 4 };

struct kind {
	const char *name;
	int roles;
	/* The operation creates a record: entity is a fresh "<station>-<n>",
	 * and no other operation may create that id again (id_claim). */
	int newid;
	const struct field *schema;
	int (*apply)(struct db *db, const struct op *op);
	int (*check)(struct db *db, const struct op *op); /* beyond schema */
	/* Applied when the server takes it, not only by the projection:
	 * what it sets (a drill's clock) is read by the server's intake. */
	int intake;
};

static const struct kind kinds[] = {
	{ "town.put",         R_CMD | R_SEED, 0, town_schema,     apply_ref, NULL, 0 },
	{ "team.put",         R_CMD | R_SEED, 0, team_schema,     apply_ref, NULL, 0 },
	{ "depot.put",        R_CMD | R_SEED, 0, depot_schema,    apply_ref, NULL, 0 },
	{ "supply_kind.put",  R_CMD | R_SEED, 0, kind_schema,     apply_ref, NULL, 0 },
	{ "shelter.put",      R_ALL | R_SEED, 0, shelter_schema,  apply_ref, NULL, 0 },
	{ "incident.open",    R_ALL, 1, incident_schema, apply_incident, NULL, 0 },
	{ "incident.update",  R_ALL, 0, incident_schema, apply_incident, NULL, 0 },
	{ "incident.status",  R_ALL, 0, status_schema,   apply_incident_status, NULL, 0 },
	{ "incident.report",  R_ALL, 1, report_schema,   apply_incident_report, NULL, 0 },
	{ "response.decide",  R_CMD, 1, decide_schema,   apply_response, NULL, 0 },
	{ "response.check",   R_CMD, 0, check_schema,    apply_response_check, NULL, 0 },
	{ "dispatch.create",  R_ALL, 1, dispatch_schema, apply_dispatch, NULL, 0 },
	{ "team.status",      R_ALL, 0, team_status_schema, apply_team_status, NULL, 0 },
	{ "supply.move",      R_ALL | R_SEED, 1, move_schema, apply_supply,
	  check_supply, 0 },
	{ "shelter.occupy",   R_ALL, 0, occupy_schema,   apply_shelter_occupy, NULL, 0 },
	{ "warning.issue",    R_CMD, 1, warning_schema,  apply_warning, NULL, 0 },
	{ "warning.answer",   R_ALL, 1, answer_schema,   apply_warning_answer, NULL, 0 },
	{ "log.add",          R_ALL, 1, log_schema,      apply_log, NULL, 0 },
	{ "conflict.ack",     R_ALL, 0, ack_schema,      apply_conflict_ack, NULL, 0 },
	/* The people on duty (schema 5). */
	{ "setting.set",      R_CMD, 0, setting_schema, apply_setting_county, NULL, 0 },
	{ "setting.local",    R_ALL, 0, setting_schema, apply_setting_local,
	  check_setting_local, 0 },
	{ "contact.add",      R_ALL | R_SEED, 1, contact_schema, apply_contact, NULL, 0 },
	{ "contact.update",   R_ALL, 0, contact_schema, apply_contact, NULL, 0 },
	{ "roster.add",       R_ALL, 1, shift_schema,   apply_shift, NULL, 0 },
	{ "roster.update",    R_ALL, 0, shift_schema,   apply_shift, NULL, 0 },
	{ "call.log",         R_ALL, 1, call_schema,    apply_call, NULL, 0 },
	{ "check.log",        R_CMD, 1, spot_schema,    apply_spot_check, NULL, 0 },
	{ "warning.people",   R_CMD, 0, people_schema,  apply_warning_people, NULL, 0 },
	{ "log.mark",         R_ALL, 0, mark_schema,    apply_log_mark, NULL, 0 },
	/* The county picture (schema 6): disaster statistics, */
	{ "stats.set",        R_ALL, 0, stats_schema,   apply_stats, check_stats, 0 },

	/* report sign-off, */
	{ "report.sign",      R_ALL, 1, sign_schema,    apply_report_sign, NULL, 0 },

	/* requests between levels, */
	{ "request.add",      R_ALL, 1, request_schema, apply_request,
	  check_request, 0 },
	{ "request.step",     R_CMD, 1, request_step_schema, apply_request_step,
	  NULL, 0 },
	{ "request.receive",  R_ALL, 1, request_receive_schema,
	  apply_request_step, NULL, 0 },

	/* risk points. */
	{ "risk.put",         R_CMD, 0, risk_schema,       apply_risk, NULL, 0 },
	{ "risk.evacuate",    R_ALL, 1, risk_move_schema,  apply_risk_evacuate,
	  NULL, 0 },
	{ "risk.clear",       R_ALL, 0, risk_clear_schema, apply_risk_clear,
	  NULL, 0 },
	{ "warning.risks",    R_CMD, 0, warning_risks_schema, apply_warning_risks,
	  NULL, 0 },

	/* A county-wide drill's setup, from the pseudo-station drill (pushed
	 * by the command station that runs it). */
	{ "drill.setup",      R_CMD, 0, drill_setup_schema, apply_drill_setup,
	  check_drill_setup, 1 },
};

static const struct kind *
kind_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

int
op_kind_allowed(const char *kind, int role)
{
	const struct kind *k = kind_find(kind);

	return k && (k->roles & (role == ROLE_COMMAND ? R_CMD : R_TOWN));
}

const char *
op_kind_name(size_t i, int *creates)
{
	if (i >= sizeof kinds / sizeof kinds[0])
		return NULL;
	if (creates)
		*creates = kinds[i].newid;
	return kinds[i].name;
}

const struct field *
op_kind_schema(size_t i, int *town, int *command, int *seed)
{
	if (i >= sizeof kinds / sizeof kinds[0])
		return NULL;
	*town = (kinds[i].roles & R_TOWN) != 0;
	*command = (kinds[i].roles & R_CMD) != 0;
	*seed = (kinds[i].roles & R_SEED) != 0;
	return kinds[i].schema;
}

/* The counter n of an id "<station>-<n>", or -1. */
static int64_t
id_number(const char *station, const char *id)
{
	size_t n = strlen(station);
	int64_t v;

	/* Its number as the wire writes numbers (no leading zero: datian-07
	 * and datian-7 would be two ids of one number), at most 12 digits. */
	if (strncmp(id, station, n) != 0 || id[n] != '-' ||
	    dd_parse_i64(id + n + 1, &v) || v > 999999999999LL)
		return -1;
	return v;
}

static int
ident_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	const unsigned char *p;

	if (n == 0 || n > max)
		return 0;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

/* The fixed grounds every replica checks before it applies anything:
 * form of the envelope and body, realm, and that new ids belong to the
 * station that made them. */
static int
op_check(struct db *db, const struct op *op, const struct kind **kout)
{
	const struct kind *k = kind_find(op->kind);
	int rc;

	if (!k)
		return db_fail(db, DD_E_SCHEMA, "unknown operation kind '%s'",
			       op->kind);
	if (!station_code_ok(op->station) && strcmp(op->station, "seed") != 0)
		return db_fail(db, DD_E_SCHEMA, "bad station '%s'", op->station);
	if (strcmp(op->station, "seed") == 0 && !(k->roles & R_SEED))
		return db_fail(db, DD_E_SCHEMA, "'%s' cannot come from seed",
			       op->kind);
	if (!ident_ok(op->incarnation, 16) || op->seq < 1 || op->hlc < 0 ||
	    !ident_ok(op->entity, 63) || !text_ok(op->officer, 63))
		return db_fail(db, DD_E_SCHEMA, "bad operation envelope");
	if (k->newid && id_number(op->station, op->entity) < 1)
		return db_fail(db, DD_E_SCHEMA, "id '%s' is not of station '%s'",
			       op->entity, op->station);
	/* The realm of a database never changes once made: read it once. */
	if (!db->realm[0]) {
		rc = meta_get_text(db, "realm", db->realm, sizeof db->realm);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return db_fail(db, DD_E_DB_NOINIT, "database has no station");
	}
	if (strcmp(db->realm, op->realm) != 0)
		return db_fail(db, DD_E_REALM, "operation of realm '%s' in a '%s' "
			       "database", op->realm, db->realm);
	/* What the drill makes (its setup, its injects) exists in a drill's
	 * realm only: no replica ever lets it into the live state. */
	if (strcmp(op->station, "drill") == 0 && !realm_is_drill(op->realm))
		return db_fail(db, DD_E_SCHEMA, "an operation of the drill in realm "
			       "'%s', not a drill's", op->realm);
	if ((rc = schema_check(db, k->schema, op->body)) ||
	    (k->check && (rc = k->check(db, op))))
		return rc;
	*kout = k;
	return 0;
}

/* Where op stands among what is held of its incarnation, by the last
 * sequence held (*head) and the gaps below it (schema step 2); when it
 * is new below the head, *lo..*hi is the gap it falls in. Reads only, so
 * a refusal decided after it leaves nothing behind. Returns 1 held, 0
 * new, negative on error. */
static int
op_where(struct db *db, const struct op *op, int64_t *head, int64_t *lo,
	 int64_t *hi)
{
	int rc;

	*head = *lo = *hi = 0;
	if (db->head_known && strcmp(db->head.station, op->station) == 0 &&
	    strcmp(db->head.inc, op->incarnation) == 0)
		*head = db->head.seq;
	else if ((rc = db_int(db, head, "SELECT seq FROM heads WHERE station = ? "
			      "AND incarnation = ?", "ss", op->station,
			      op->incarnation)) < 0)
		return rc;
	if (op->seq > *head)
		return 0;
	if ((rc = db_int(db, lo, "SELECT lo FROM gaps WHERE station = ? AND "
			 "incarnation = ? AND lo <= ? ORDER BY lo DESC LIMIT 1",
			 "ssi", op->station, op->incarnation, op->seq)) < 0 ||
	    (rc == 1 && (rc = db_int(db, hi, "SELECT hi FROM gaps WHERE "
				     "station = ? AND incarnation = ? AND lo = ?",
				     "ssi", op->station, op->incarnation, *lo)) < 0))
		return rc;
	return rc == 0 || *hi < op->seq;
}

/* A new op is held from now on: the gap it was in (op_where) is made
 * smaller, or the one it opens above the head is recorded. Exact
 * whatever order operations arrive in. */
static int
op_hold(struct db *db, const struct op *op, int64_t head, int64_t lo,
	int64_t hi)
{
	int rc;

	if (op->seq > head)
		return head + 1 < op->seq
		       ? db_exec(db, "INSERT INTO gaps(station, incarnation, lo, hi) "
				 "VALUES(?, ?, ?, ?)", "ssii", op->station,
				 op->incarnation, head + 1, op->seq - 1)
		       : 0;
	if ((rc = db_exec(db, "DELETE FROM gaps WHERE station = ? AND "
			  "incarnation = ? AND lo = ?", "ssi", op->station,
			  op->incarnation, lo)) ||
	    (lo < op->seq && (rc = db_exec(db, "INSERT INTO gaps(station, "
					   "incarnation, lo, hi) VALUES(?, ?, ?, ?)",
					   "ssii", op->station, op->incarnation,
					   lo, op->seq - 1))) ||
	    (op->seq < hi && (rc = db_exec(db, "INSERT INTO gaps(station, "
					   "incarnation, lo, hi) VALUES(?, ?, ?, ?)",
					   "ssii", op->station, op->incarnation,
					   op->seq + 1, hi))))
		return rc;
	return 0;
}

/* The operation that created record id, as "station/incarnation/seq"
 * (the creators table, schema step 3): 1 found, 0 nobody yet, negative
 * on error. */
#define WHO_MAX 80

static int
creator_of(struct db *db, const char *id, char who[WHO_MAX])
{
	return db_text(db, who, WHO_MAX, "SELECT station || '/' || incarnation "
		       "|| '/' || seq FROM creators WHERE id = ?", "s", id);
}

/* Whether op is the operation who names. */
static int
creator_is(const char *who, const struct op *op)
{
	char me[WHO_MAX];

	snprintf(me, sizeof me, "%s/%s/%" PRId64, op->station, op->incarnation,
		 op->seq);
	return strcmp(who, me) == 0;
}

/* The fixed ground `conflict`: a record id is created once, by the
 * creation first in server order, on every replica. The server takes
 * the first that comes and refuses the others; a station applies what
 * it pulls in server order, and so refuses the same ones. Its own
 * creations are the exception: one the server has not taken yet is not
 * first in server order when a pulled operation creates the same id (the
 * server took that one, and will refuse ours), so ours leaves the state
 * (state_rebuild) and the pulled one owns the id. local: op is this
 * station's own, which never displaces anything. Writes only when op
 * creates the id (its last ground of refusal passed): as its creator,
 * in the one statement that finds the id free. Returns 0 (op creates
 * the id), DD_E_CONFLICT, negative. */
static int
id_claim(struct db *db, const struct op *op, int local)
{
	char who[WHO_MAX];
	int64_t taken = 1;
	int rc;

	if ((rc = db_exec(db, "INSERT OR IGNORE INTO creators(id, station, "
			  "incarnation, seq) VALUES(?, ?, ?, ?)", "sssi",
			  op->entity, op->station, op->incarnation, op->seq)))
		return rc;
	if (sqlite3_changes(db->h) > 0)
		return 0;
	if ((rc = creator_of(db, op->entity, who)) <= 0 || creator_is(who, op))
		return rc < 0 ? rc : 0;
	/* The creator is one of ours the server has not taken: it gives way. */
	if (!local && (rc = db_int(db, &taken, "SELECT o.acked = 1 AND o.refused "
				   "IS NULL FROM creators c JOIN ops o ON o.local = 1 "
				   "AND o.station = c.station AND o.incarnation = "
				   "c.incarnation AND o.seq = c.seq WHERE c.id = ?",
				   "s", op->entity)) < 0)
		return rc;
	if (!taken) {
		if ((rc = db_exec(db, "UPDATE creators SET station = ?, incarnation "
				  "= ?, seq = ? WHERE id = ?", "ssis", op->station,
				  op->incarnation, op->seq, op->entity)))
			return rc;
		return state_rebuild(db);
	}
	return db_fail(db, DD_E_CONFLICT, "record id %s is taken: operation %s "
		       "(station/incarnation/seq) created it first", op->entity, who);
}

/* Append op to the log unless it is held already (0). A creation
 * (newid) is checked against the ids created before (id_claim) and
 * recorded as the creator of its id. Nothing is written before every
 * ground of refusal has been checked. Returns 1 stored, 0 held,
 * negative on refusal or error. */
static int
op_store(struct db *db, const struct op *op, int newid, int local)
{
	char *body;
	int64_t head, lo, hi;
	int rc;

	if ((rc = op_where(db, op, &head, &lo, &hi)))
		return rc < 0 ? rc : 0;
	if ((newid && (rc = id_claim(db, op, local))) ||
	    (rc = op_hold(db, op, head, lo, hi)))
		return rc;
	if (!(body = cJSON_PrintUnformatted(op->body)))
		return DD_E_NOMEM;
	rc = db_exec(db, "INSERT INTO ops(station, incarnation, seq, hlc, realm, "
		     "officer, kind, entity, body, local) "
		     "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		     "ssiisssssd", op->station, op->incarnation, op->seq, op->hlc,
		     op->realm, op->officer, op->kind, op->entity, body, local);
	free(body);
	if (rc)
		return rc;
	db->last_op = sqlite3_last_insert_rowid(db->h);
	if (op->seq > head &&
	    (rc = db_exec(db, "INSERT INTO heads(station, incarnation, seq, n) "
			  "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(station, incarnation) "
			  "DO UPDATE SET seq = ?3, n = ?4", "ssii", op->station,
			  op->incarnation, op->seq, db->last_op)))
		return rc;
	snprintf(db->head.station, sizeof db->head.station, "%s", op->station);
	snprintf(db->head.inc, sizeof db->head.inc, "%s", op->incarnation);
	db->head.seq = op->seq > head ? op->seq : head;
	db->head_known = 1;
	return 1;
}

/* A station's greatest record number is at least n. */
static int
counter_raise(struct db *db, const char *station, int64_t n)
{
	return db_exec(db, "INSERT INTO counters(station, n) VALUES(?1, ?2) "
		       "ON CONFLICT(station) DO UPDATE SET n = max(n, ?2)", "si",
		       station, n);
}

int
op_settle(struct db *db)
{
	int rc, i;

	if (db->seen_hlc &&
	    (rc = db_exec(db, "UPDATE meta SET value = max(value, ?) WHERE "
			  "key = 'hlc'", "i", db->seen_hlc)))
		return rc;
	db->seen_hlc = 0;
	for (i = 0; i < db->nseen; i++)
		if ((rc = counter_raise(db, db->seen[i].station, db->seen[i].n)))
			return rc;
	db->nseen = 0;
	return 0;
}

/* What op, taken in, leaves to the commit (op_settle): its clock stamp
 * (stamp: unless it was set aside) and, when its entity is an id of its
 * station's, that id's number (any operation's: every id taken in is
 * counted). Recorded once op is stored and applied whole: an operation
 * undone (a savepoint rolled back after it failed) leaves nothing. */
static int
op_seen(struct db *db, const struct op *op, int stamp)
{
	int64_t n = id_number(op->station, op->entity);
	int i, rc;

	if (stamp && op->hlc > db->seen_hlc)
		db->seen_hlc = op->hlc;
	if (n <= 0)
		return 0;
	for (i = 0; i < db->nseen; i++)
		if (strcmp(db->seen[i].station, op->station) == 0)
			break;
	if (i == db->nseen) {
		if (i == (int)(sizeof db->seen / sizeof db->seen[0])) {
			if ((rc = op_settle(db)))
				return rc;
			i = 0;
		}
		snprintf(db->seen[i].station, sizeof db->seen[i].station, "%s",
			 op->station);
		db->seen[i].n = n;
		db->nseen = i + 1;
	} else if (n > db->seen[i].n) {
		db->seen[i].n = n;
	}
	return 0;
}

/* Apply one operation held to the state, as a replay does (the
 * server's projection and state_rebuild). A creation that does not own
 * its record id is left out when it is one of ours the server has not
 * taken (it gave way to a pulled one, or was refused as conflict); any
 * other (two creations of one id taken before schema 3 made ids single)
 * is applied as it was then. */
int
op_project(struct db *db, const struct op *op)
{
	const struct kind *k = kind_find(op->kind);
	char who[WHO_MAX];
	int64_t taken = 0;
	int owns = 1;

	/* Left out: a creation of ours the server has not taken, unless it
	 * owns its id. Whether another owns the id, or nobody does any more
	 * (ours was the owner the upgrade to schema 3 chose, then refused),
	 * another station's creation is applied. */
	if (k && k->newid && (owns = creator_of(db, op->entity, who)) >= 0 &&
	    !(owns == 1 && creator_is(who, op)) &&
	    (owns = db_int(db, &taken, "SELECT acked = 1 AND refused IS NULL "
			   "FROM ops WHERE local = 1 AND station = ? AND "
			   "incarnation = ? AND seq = ?", "ssi", op->station,
			   op->incarnation, op->seq)) >= 0)
		owns = owns == 0 || taken;
	if (owns < 0)
		return owns;
	return k && owns ? k->apply(db, op) : 0;
}

/* op_each's function for a replay: each operation held, projected. */
static int
replay_one(const struct op *op, void *db)
{
	return op_project(db, op);
}

int
state_rebuild(struct db *db)
{
	/* What is not state: the log and what it keeps of each incarnation,
	 * refusals, counters, creators, the station's settings. Every other
	 * table is made by applying operations. */
	static const char *const log_side[] = { "meta", "ops", "heads", "gaps",
		"refused", "counters", "creators", NULL };
	char names[64][64], sql[96];
	sqlite3_stmt *st;
	int n = 0, i, rc = 0, s;

	if (!(st = db_prep(db, "SELECT name FROM sqlite_master WHERE type = "
			   "'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'")))
		return db_prep_err(db);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (str_in(name, log_side) >= 0)
			continue;
		if (n == 64 || strlen(name) >= sizeof names[0]) {
			rc = db_fail(db, DD_E_DB, "state table %s: too many", name);
			break;
		}
		snprintf(names[n++], sizeof names[0], "%s", name);
	}
	if (!rc && s != SQLITE_ROW && s != SQLITE_DONE)
		rc = db_rc(db, s);
	db_reset(st);
	for (i = 0; i < n && !rc; i++) {
		snprintf(sql, sizeof sql, "DELETE FROM \"%.63s\"", names[i]);
		rc = db_exec(db, sql, NULL);
	}
	if (rc)
		return rc;
	/* In the order held: any order gives the same state. */
	rc = op_each(db, 0, replay_one, db);
	/* On the server the state now holds the whole log: its projection
	 * has reached the head. */
	if (!rc)
		rc = db_exec(db, "UPDATE meta SET value = (SELECT coalesce("
			     "max(server_seq), 0) FROM ops) WHERE key = 'projected'", NULL);
	return rc;
}

int
id_next(struct db *db, char out[64])
{
	char station[32];
	int64_t n = 0;
	int rc;

	if ((rc = op_settle(db)) ||
	    (rc = meta_get_text(db, "station", station, sizeof station)) < 0)
		return rc;
	if (rc == 0)
		return db_fail(db, DD_E_DB_NOINIT, "database has no station");
	if ((rc = db_int(db, &n, "SELECT n FROM counters WHERE station = ?", "s",
			 station)) < 0)
		return rc;
	snprintf(out, 64, "%s-%" PRId64, station, n + 1);
	return counter_raise(db, station, n + 1);
}

int64_t
op_at(const struct op *op)
{
	int64_t t;

	if (jtime(op->body, "at", &t))
		return t;
	return (op->hlc >> 16) / 1000;
}

int
op_local(struct db *db, struct op *op)
{
	const struct kind *k;
	int64_t seq = 0, hlc = 0, role = 0;
	int rc;

	if (db->depth == 0)
		return db_fail(db, DD_E_DB, "op_local outside a transaction");
	if ((rc = op_settle(db)))
		return rc;
	if ((rc = meta_get_text(db, "station", op->station, sizeof op->station)) <= 0 ||
	    (rc = meta_get_text(db, "incarnation", op->incarnation,
				sizeof op->incarnation)) <= 0 ||
	    (rc = meta_get_text(db, "realm", op->realm, sizeof op->realm)) <= 0 ||
	    (rc = meta_get_int(db, "seq", &seq)) <= 0 ||
	    (rc = meta_get_int(db, "hlc", &hlc)) <= 0 ||
	    (rc = meta_get_int(db, "role", &role)) <= 0)
		return rc < 0 ? rc : db_fail(db, DD_E_DB_NOINIT,
					     "database has no station");
	op->seq = seq + 1;
	op->hlc = hlc_next(hlc, db->clock.now_ms(db->clock.ctx));
	snprintf(op->officer, sizeof op->officer, "%s", db->officer);
	if ((rc = op_check(db, op, &k)))
		return rc;
	if (!op_kind_allowed(op->kind, (int)role))
		return db_fail(db, DD_E_ROLE, "a %s station may not %s (%s)",
			       word(W_ROLE, role_name((int)role)),
			       word(W_OP_KIND, op->kind), op->kind);
	if ((rc = op_store(db, op, k->newid, 1)) != 1)
		return rc < 0 ? rc : db_fail(db, DD_E_DB, "sequence %lld of %s "
					     "is taken", (long long)op->seq,
					     op->station);
	if ((id_number(op->station, op->entity) > 0 &&
	     (rc = counter_raise(db, op->station,
				 id_number(op->station, op->entity)))) ||
	    (rc = k->apply(db, op)) ||
	    (rc = meta_set_int(db, "seq", op->seq)) ||
	    (rc = meta_set_int(db, "hlc", op->hlc)))
		return rc;
	return 0;
}

int
op_submit(struct db *db, const char *kind, const char *entity, cJSON *body)
{
	struct op op;

	memset(&op, 0, sizeof op);
	snprintf(op.kind, sizeof op.kind, "%s", kind);
	snprintf(op.entity, sizeof op.entity, "%s", entity);
	op.body = body;
	return op_local(db, &op);
}

/* Only this station writes under its own name and incarnation: such an
 * operation from elsewhere is either one we made (already held) or a
 * forgery that would take a sequence number from us. Operations of an
 * earlier incarnation (before a restore) are ours to get back. */
static int
own_name(struct db *db, const struct op *op)
{
	int rc;

	/* Read once per connection: only station_init and a restore change
	 * them, on this connection, and they clear the copy. */
	if (!db->self[0] &&
	    ((rc = meta_get_text(db, "station", db->self, sizeof db->self)) < 0 ||
	     (rc = meta_get_text(db, "incarnation", db->self_inc,
				 sizeof db->self_inc)) < 0)) {
		db->self[0] = 0;
		return rc;
	}
	if (strcmp(db->self, op->station) != 0 ||
	    strcmp(db->self_inc, op->incarnation) != 0)
		return 0;
	rc = db_int(db, NULL, "SELECT 1 FROM ops WHERE local = 1 AND station = ? "
		    "AND incarnation = ? AND seq = ?", "ssi", op->station,
		    op->incarnation, op->seq);
	if (rc < 0)
		return rc;
	return rc == 1 ? 0 : db_fail(db, DD_E_SCHEMA, "operation %s/%lld under "
				     "this station's own name was not made here",
				     op->station, (long long)op->seq);
}

/* Check op, store it, and apply it to the state when apply says so
 * (else only a kind the intake reads: see struct kind). */
static int
op_enter(struct db *db, const struct op *op, int local, int apply)
{
	const struct kind *k;
	int rc, end, alarm = 0;

	if ((rc = db_begin(db)))
		return rc;
	/* Checked first (no writes), then stored; 0 from op_store means it
	 * was already held and is applied once only. */
	if ((rc = op_check(db, op, &k)) || (rc = own_name(db, op)) ||
	    (rc = op_store(db, op, k->newid, local)) <= 0)
		goto out;
	if ((apply || k->intake) && (rc = k->apply(db, op)))
		goto out;
	/* A stamp set aside raises the alarm, and leaves the clock alone;
	 * any other is left to the commit with the station's record
	 * number (op_seen). */
	hlc_observe(0, op->hlc, db->clock.now_ms(db->clock.ctx), &alarm);
	if (alarm && (rc = meta_set_text(db, "clock_alarm", op->station)))
		goto out;
	if ((rc = op_seen(db, op, !alarm)))
		goto out;
	rc = 1;
out:
	if (rc < 0) {
		db->head_known = 0;
		return db_end(db, rc);
	}
	end = db_end(db, 0);
	return end < 0 ? end : rc;
}

int
op_apply_as(struct db *db, const struct op *op, int local)
{
	return op_enter(db, op, local, 1);
}

int
op_apply(struct db *db, const struct op *op)
{
	return op_enter(db, op, 0, 1);
}

int
op_take(struct db *db, const struct op *op)
{
	return op_enter(db, op, 0, 0);
}
