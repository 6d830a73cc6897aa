/*
 * incident.c - incidents: intake with the duty phone-log fields, field
 * edits (last writer wins), the lifecycle status with its reopen
 * generation, and the upward reports with their deadlines.
 */
#include "private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const incident_status_names[] = { "reported", "verified",
	"responding", "controlled", "closed", NULL };
static const char *const report_types[] = { "first", "followup", "final",
	NULL };
static const char *const channels[] = { "phone", "written", NULL };

/* Counts are bounded so a typo cannot report a million dead. */
#define COUNT_MAX 1000000

/* Field types of INCIDENT_FIELDS as schema entries. */
#define T_TYPE_STR F_STR, 0, 0, 2000
#define T_TYPE_REF F_STR, 0, 0, 63
#define T_TYPE_INT F_INT, 0, 0, COUNT_MAX
#define T_TYPE_TIME F_TIME, 0, 0, 0

const struct field incident_schema[] = {
#define F_INC(name, type) { #name, T_TYPE_##type, NULL },
	INCIDENT_FIELDS(F_INC)
#undef F_INC
	{ "deleted", F_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field status_schema[] = {
	{ "status", F_ENUM, 1, 0, 0, incident_status_names },
	{ "gen", F_INT, 1, 0, 1000000, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field report_schema[] = {
	{ "incident", F_STR, 1, 0, 63, NULL },
	{ "type", F_ENUM, 1, 0, 0, report_types },
	{ "channel", F_ENUM, 1, 0, 0, channels },
	{ "text", F_STR, 0, 0, 4000, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ "sign", F_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const char *
incident_status_name(int s)
{
	return s >= 0 && s < INC_NSTATUS ? incident_status_names[s] : "?";
}

int
incident_status_parse(const char *s)
{
	return str_in(s, incident_status_names);
}

int
apply_incident(struct db *db, const struct op *op)
{
	int open = strcmp(op->kind, "incident.open") == 0;

	/* Who opened an incident is the officer of its opening. */
	return record_put(db, op, "incidents", incident_schema, open,
			  open ? "opened_by" : NULL);
}

int
apply_incident_status(struct db *db, const struct op *op)
{
	int64_t gen = 0, at = 0;
	int rank = str_in(jstr(op->body, "status"), incident_status_names);
	int rc;

	jint(op->body, "gen", &gen);
	jtime(op->body, "at", &at);
	if ((rc = db_exec(db, "INSERT OR IGNORE INTO incidents(id) VALUES(?)",
			  "s", op->entity)))
		return rc;
	/* A status only moves forward: (reopen generation, lifecycle rank)
	 * is a maximum, so a closed incident never slides back silently and
	 * every order of arrival ends in the same status. */
	return db_exec(db, "UPDATE incidents SET status = ?2, status_gen = ?3, "
		"status_rank = ?4, status_at = ?5, st_hlc = ?6, st_station = ?7, "
		"st_inc = ?8, st_seq = ?9 WHERE id = ?1 AND "
		"(?3, ?4, ?6, ?7, ?8, ?9) > "
		"(status_gen, status_rank, st_hlc, st_station, st_inc, st_seq)",
		"ssiiiissi", op->entity, incident_status_names[rank], gen,
		(int64_t)rank, at, op->hlc, op->station, op->incarnation,
		op->seq);
}

int
apply_incident_report(struct db *db, const struct op *op)
{
	int64_t at = 0;
	const char *inc = jstr(op->body, "incident");
	int phone = strcmp(jstr(op->body, "channel"), "phone") == 0;
	/* A written report made before sign-off existed has no "sign": it
	 * counted when it was made, as it did then. */
	int owed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(op->body,
								 "sign"));
	int rc;

	jtime(op->body, "at", &at);
	rc = db_exec(db, "INSERT OR IGNORE INTO reports(id, incident, type, "
		     "channel, text, at, officer, signed_at) VALUES(?1, ?2, ?3, "
		     "?4, ?5, ?6, ?7, CASE WHEN ?8 THEN ?6 END)", "sssssisd",
		     op->entity, inc, jstr(op->body, "type"),
		     jstr(op->body, "channel"), jstr(op->body, "text"), at,
		     op->officer, !phone && !owed);
	/* The earliest counted report per channel is kept on the incident
	 * (a minimum, so any order of arrival agrees) for the duty clocks'
	 * indexes: by phone when made, written when signed (its sign-off
	 * may have arrived first). */
	if (!rc)
		rc = db_exec(db, "INSERT OR IGNORE INTO incidents(id) VALUES(?)",
			     "s", inc);
	if (!rc && phone)
		rc = db_exec(db, "UPDATE incidents SET phone_at = min(coalesce("
			     "phone_at, ?1), ?1) WHERE id = ?2", "is", at, inc);
	else if (!rc)
		rc = report_settle(db, op->entity);
	return rc;
}

static int
field_type(const char *name)
{
	const struct field *f;

	for (f = incident_schema; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f->t;
	return -1;
}

static int
parse_count(struct db *db, const cJSON *v, const char *name, int64_t *n)
{
	char *end;

	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d != (double)(int64_t)d)
			goto bad;
		*n = (int64_t)d;
	} else if (cJSON_IsString(v) && *v->valuestring) {
		errno = 0;
		*n = strtoll(v->valuestring, &end, 10);
		if (errno || *end)
			goto bad;
	} else {
		goto bad;
	}
	if (strcmp(name, "severity") == 0 ? (*n < 1 || *n > 4)
					  : (*n < 0 || *n > COUNT_MAX))
		goto bad;
	return 0;
bad:
	return db_fail(db, DD_E_INVALID, strcmp(name, "severity") == 0
		       ? "severity must be 1 (most severe) to 4"
		       : "%s must be a whole number from 0 to 1000000", name);
}

/* Nothing but ASCII spaces and full-width spaces (U+3000, which
 * Chinese input methods type): a title of these says nothing. */
static int
blank(const char *s)
{
	while (*s == ' ' || strncmp(s, "\xe3\x80\x80", 3) == 0)
		s += *s == ' ' ? 1 : 3;
	return *s == 0;
}

/* Turn what an officer typed into an operation body: every key known,
 * towns resolved, times and numbers parsed. */
static int
fields_to_body(struct db *db, const cJSON *in, cJSON *body)
{
	const cJSON *v;
	char code[64];
	int64_t n;
	int rc;

	cJSON_ArrayForEach(v, in) {
		const char *k = v->string;
		int t = k ? field_type(k) : -1;

		if (t < 0 || strcmp(k, "deleted") == 0)
			return db_fail(db, DD_E_INVALID, "unknown incident field '%s'",
				       k ? k : "?");
		if (t == F_INT) {
			if ((rc = parse_count(db, v, k, &n)))
				return rc;
			cJSON_AddNumberToObject(body, k, (double)n);
			continue;
		}
		if (!cJSON_IsString(v))
			return db_fail(db, DD_E_INVALID, "%s must be text", k);
		if (strlen(v->valuestring) > 2000)
			return db_fail(db, DD_E_INVALID, "%s is too long (2000 bytes "
				       "at most)", k);
		if (strcmp(k, "title") == 0 && blank(v->valuestring))
			return db_fail(db, DD_E_INVALID, "the title is blank; "
				       "say in a few words what happened");
		if (t == F_TIME) {
			if (time_parse_local(v->valuestring, clock_now(&db->clock), &n))
				return db_fail(db, DD_E_INVALID, "%s: '%s' is not a time "
					       "(YYYY-MM-DD HH:MM)", k, v->valuestring);
			if (n > clock_now(&db->clock) + 300)
				return db_fail(db, DD_E_INVALID, "%s is in the future", k);
			jset_time(body, k, n);
		} else if (strcmp(k, "town") == 0) {
			if ((rc = ref_find(db, REF_TOWN, v->valuestring, code)) <= 0)
				return rc < 0 ? rc : DD_E_NOTFOUND;
			cJSON_AddStringToObject(body, k, code);
		} else {
			const unsigned char *p;
			for (p = (const unsigned char *)v->valuestring; *p; p++)
				if (*p < 0x20 && *p != '\n' && *p != '\t')
					return db_fail(db, DD_E_INVALID,
						       "%s holds a control character", k);
			cJSON_AddStringToObject(body, k, v->valuestring);
		}
	}
	return 0;
}

int
incident_add(struct db *db, const cJSON *fields, char id_out[64])
{
	cJSON *body = cJSON_CreateObject();
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	rc = fields_to_body(db, fields, body);
	if (!rc && !jstr(body, "town"))
		rc = db_fail(db, DD_E_INVALID, "an incident needs a town");
	if (!rc && !jstr(body, "title") && !jstr(body, "place"))
		rc = db_fail(db, DD_E_INVALID, "an incident needs a title or a place");
	if (!rc && !jstr(body, "received_at"))
		jset_time(body, "received_at", clock_now(&db->clock));
	if (!rc && !jstr(body, "recorder"))
		cJSON_AddStringToObject(body, "recorder", db->officer);
	if (!rc)
		rc = id_next(db, id_out);
	if (!rc)
		rc = op_submit(db, "incident.open", id_out, body);
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}

static int
incident_exists(struct db *db, const char *id, int64_t *gen, int64_t *rank)
{
	sqlite3_stmt *st = db_prep(db, "SELECT status_gen, status_rank FROM "
				   "incidents WHERE id = ? AND deleted = 0 AND "
				   "received_at IS NOT NULL");
	int s;

	if (!id)
		return db_fail(db, DD_E_NOTFOUND, "no incident given");
	if (!st)
		return db_prep_err(db);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		if (gen)
			*gen = sqlite3_column_int64(st, 0);
		if (rank)
			*rank = sqlite3_column_int64(st, 1);
	}
	db_reset(st);
	if (s == SQLITE_ROW)
		return 1;
	if (s != SQLITE_DONE)
		return db_rc(db, s);
	return db_fail(db, DD_E_NOTFOUND, "no incident '%s'", id);
}

int
incident_update(struct db *db, const char *id, const cJSON *fields)
{
	cJSON *body = cJSON_CreateObject();
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	rc = incident_exists(db, id, NULL, NULL);
	if (rc == 1)
		rc = fields_to_body(db, fields, body);
	if (!rc && cJSON_GetArraySize(body) == 0)
		rc = db_fail(db, DD_E_INVALID, "nothing to change");
	if (!rc)
		rc = op_submit(db, "incident.update", id, body);
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}

int
incident_set_status(struct db *db, const char *id, const char *status)
{
	cJSON *body = cJSON_CreateObject();
	int64_t gen = 0, rank = 0;
	int want, rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = incident_exists(db, id, &gen, &rank)) != 1)
		goto end;
	rc = 0;
	if (status && strcmp(status, "reopen") == 0) {
		if (rank != INC_CLOSED) {
			rc = db_fail(db, DD_E_REFUSED, "incident %s is not closed", id);
			goto end;
		}
		gen++;
		want = INC_VERIFIED;
	} else if ((want = incident_status_parse(status)) < 0) {
		rc = db_fail(db, DD_E_INVALID, "unknown status '%s' (reported, "
			     "verified, responding, controlled, closed, reopen)",
			     status ? status : "");
		goto end;
	} else if (want <= rank) {
		rc = db_fail(db, DD_E_REFUSED, "incident %s is already %s; a status "
			     "only moves forward (use reopen after closed)", id,
			     incident_status_name((int)rank));
		goto end;
	}
	cJSON_AddStringToObject(body, "status", incident_status_names[want]);
	cJSON_AddNumberToObject(body, "gen", (double)gen);
	jset_time(body, "at", clock_now(&db->clock));
	rc = op_submit(db, "incident.status", id, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}

/* A report time is a fact typed in: before the incident was received,
 * or more than five minutes ahead of now (the clock's allowance), it is
 * a typo and would show a deadline met before the call came. */
static int
report_time_check(struct db *db, const char *id, int64_t at)
{
	int64_t received = 0, now = clock_now(&db->clock);
	char when[20], bound[20];
	int rc;

	if ((rc = db_int(db, &received, "SELECT received_at FROM incidents "
			 "WHERE id = ?", "s", id)) < 0)
		return rc;
	time_format_local(at, when);
	if (at < received) {
		time_format_local(received, bound);
		return db_fail(db, DD_E_INVALID, "report time %s is before the "
			       "incident was received (%s)", when, bound);
	}
	if (at > now + 300) {
		time_format_local(now, bound);
		return db_fail(db, DD_E_INVALID, "report time %s is more than 5 "
			       "minutes ahead of now (%s)", when, bound);
	}
	return 0;
}

int
incident_report(struct db *db, const char *id, int type, const char *channel,
		const char *text, int64_t at, char id_out[64])
{
	cJSON *body = cJSON_CreateObject();
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = incident_exists(db, id, NULL, NULL)) != 1)
		goto end;
	rc = 0;
	if (type < REPORT_FIRST || type > REPORT_FINAL) {
		rc = db_fail(db, DD_E_INVALID, "report is first, followup or final");
		goto end;
	}
	if (str_in(channel, channels) < 0) {
		rc = db_fail(db, DD_E_INVALID, "report channel is phone or written");
		goto end;
	}
	if (text && strlen(text) > 4000) {
		rc = db_fail(db, DD_E_INVALID, "report text is too long");
		goto end;
	}
	if (at && (rc = report_time_check(db, id, at)))
		goto end;
	cJSON_AddStringToObject(body, "incident", id);
	cJSON_AddStringToObject(body, "type", report_types[type]);
	cJSON_AddStringToObject(body, "channel", channel);
	if (text)
		cJSON_AddStringToObject(body, "text", text);
	jset_time(body, "at", at ? at : clock_now(&db->clock));
	/* A written report counts once the leader on duty signs it. */
	if (strcmp(channel, "written") == 0)
		cJSON_AddBoolToObject(body, "sign", 1);
	if (!(rc = id_next(db, id_out)))
		rc = op_submit(db, "incident.report", id_out, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}

int
incident_get(struct db *db, const char *id, cJSON **out)
{
	cJSON *arr = cJSON_CreateArray(), *inc, *sub;
	int64_t received = 0, phone = 0, written = 0, due = 0;
	int rc;

	*out = NULL;
	if (!arr)
		return DD_E_NOMEM;
	rc = db_rows(db, arr, "SELECT id, title, town, place, kind, severity, "
		"received_at, cause, actions, trend, dead, injured, missing, trapped, "
		"evacuated, caller_unit, caller_name, caller_phone, notified, "
		"recorder, status, status_gen AS reopened, status_at, "
		"opened_by AS officer FROM incidents i WHERE id = ? AND "
		"deleted = 0 AND received_at IS NOT NULL", "s", id);
	if (rc || cJSON_GetArraySize(arr) == 0) {
		cJSON_Delete(arr);
		return rc ? rc : 0;
	}
	inc = cJSON_DetachItemFromArray(arr, 0);
	cJSON_Delete(arr);
	jtime(inc, "received_at", &received);
	/* Deadlines of the duty rules, and when they were met. */
	db_int(db, &phone, "SELECT phone_at FROM incidents WHERE id = ?", "s", id);
	db_int(db, &written, "SELECT written_at FROM incidents WHERE id = ?", "s",
	       id);
	jset_time(inc, "phone_due_at", received + REPORT_PHONE_SECS);
	jset_time(inc, "written_due_at", received + REPORT_WRITTEN_SECS);
	if (phone)
		jset_time(inc, "phone_done_at", phone);
	else
		cJSON_AddNullToObject(inc, "phone_done_at");
	if (written)
		jset_time(inc, "written_done_at", written);
	else
		cJSON_AddNullToObject(inc, "written_done_at");
	if ((rc = followup_due(db, id, &due)) == 1)
		jset_time(inc, "followup_due_at", due);
	else if (rc == 0)
		cJSON_AddNullToObject(inc, "followup_due_at");
	rc = rc < 0 ? rc : 0;
	/* Each report with its number among the follow-ups (by time made,
	 * then id) and its signing; a written one counts when signed. */
	sub = cJSON_AddArrayToObject(inc, "reports");
	if (!rc)
		rc = db_rows(db, sub, "SELECT r.id, r.type, r.channel, r.text, "
			     "r.at, r.officer, CASE WHEN r.type = 'followup' THEN "
			     "(SELECT count(*) FROM reports f WHERE f.incident = "
			     "r.incident AND f.type = 'followup' AND (f.at, f.id) <= "
			     "(r.at, r.id)) END AS number, r.signed_at, r.signed_by, "
			     "r.signed_name, CASE WHEN r.channel = 'phone' THEN r.at "
			     "ELSE r.signed_at END AS counted_at FROM reports r WHERE "
			     "r.incident = ? ORDER BY r.at, r.id", "s", id);
	sub = cJSON_AddArrayToObject(inc, "dispatches");
	if (!rc)
		rc = db_rows(db, sub, "SELECT id, team, at, en_route_at, on_scene_at, "
			     "returning_at, available_at FROM dispatches WHERE "
			     "incident = ? ORDER BY at, id", "s", id);
	if (rc) {
		cJSON_Delete(inc);
		return rc;
	}
	*out = inc;
	return 1;
}

/* ---- the clocks that run out next ---- */

int
incident_due_soon(struct db *db, int64_t now, int64_t *phone, int64_t *written)
{
	int rc;

	/* Received at most REPORT_SOON_SECS before the clock runs out and
	 * not yet past it (that is late); each count reads the partial
	 * index of its clock. */
	if ((rc = db_int(db, phone, "SELECT count(*) FROM incidents WHERE "
			 "status_rank < 4 AND deleted = 0 AND phone_at IS NULL AND "
			 "received_at BETWEEN ? AND ?", "ii", now - REPORT_PHONE_SECS,
			 now - REPORT_PHONE_SECS + REPORT_SOON_SECS)) < 0 ||
	    (rc = db_int(db, written, "SELECT count(*) FROM incidents WHERE "
			 "status_rank < 4 AND deleted = 0 AND written_at IS NULL AND "
			 "received_at BETWEEN ? AND ?", "ii", now - REPORT_WRITTEN_SECS,
			 now - REPORT_WRITTEN_SECS + REPORT_SOON_SECS)) < 0)
		return rc;
	return 0;
}

/* A row with the keys incident_order sorts it by. */
struct ranked {
	cJSON *row;
	int late;       /* a clock has run out */
	int severity;   /* 1 most severe; 9 when none was given */
	int running;    /* a clock still runs (left is its time) */
	int64_t left;   /* seconds to the nearer deadline, < 0 past it */
	int64_t received;
};

/* The time left on one clock of a row: 1 if it runs (not done). */
static int
clock_left(const cJSON *row, const char *done_key, int64_t due, int64_t now,
	   int64_t *left)
{
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(row, done_key)))
		return 0;
	*left = due - now;
	return 1;
}

static void
rank_row(struct ranked *k, cJSON *row, int64_t now)
{
	const cJSON *sev = cJSON_GetObjectItemCaseSensitive(row, "severity");
	int64_t left, due;

	memset(k, 0, sizeof *k);
	k->row = row;
	k->severity = cJSON_IsNumber(sev) ? (int)sev->valuedouble : 9;
	jtime(row, "received_at", &k->received);
	if (clock_left(row, "phone_done_at", k->received + REPORT_PHONE_SECS, now,
		       &left)) {
		k->running = 1;
		k->left = left;
	}
	if (clock_left(row, "written_done_at", k->received +
		       REPORT_WRITTEN_SECS, now, &left) &&
	    (!k->running || left < k->left)) {
		k->running = 1;
		k->left = left;
	}
	/* The fixed-time follow-up's clock, when one is due. */
	if (jtime(row, "followup_due_at", &due) &&
	    (!k->running || due - now < k->left)) {
		k->running = 1;
		k->left = due - now;
	}
	k->late = k->running && k->left < 0;
}

static int
ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->late != y->late)
		return x->late ? -1 : 1;
	if (x->severity != y->severity)
		return x->severity < y->severity ? -1 : 1;
	if (x->running != y->running)
		return x->running ? -1 : 1;
	if (x->running && x->left != y->left)
		return x->left < y->left ? -1 : 1;
	if (x->received != y->received)
		return x->received > y->received ? -1 : 1;
	/* The same second: the list's own order (newest id first). */
	return strcmp(jstr(y->row, "id") ? jstr(y->row, "id") : "",
		      jstr(x->row, "id") ? jstr(x->row, "id") : "");
}

int
incident_order(cJSON **rows, size_t n, int64_t now)
{
	struct ranked *k;
	size_t i;

	if (n == 0)
		return 0;
	if (!(k = malloc(n * sizeof *k)))
		return DD_E_NOMEM;
	for (i = 0; i < n; i++)
		rank_row(&k[i], rows[i], now);
	qsort(k, n, sizeof *k, ranked_cmp);
	for (i = 0; i < n; i++)
		rows[i] = k[i].row;
	free(k);
	return 0;
}
