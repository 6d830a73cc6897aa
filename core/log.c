/*
 * log.c - the duty log (append-only; corrections are new entries), the
 * daily zero report, the shift handover, and acknowledging conflicts.
 */
#include "private.h"

#include <libintl.h>
#include <stdio.h>
#include <string.h>

static const char *const log_kinds[] = { "note", "zero", "handover", NULL };

const struct field log_schema[] = {
	{ "kind", F_ENUM, 1, 0, 0, log_kinds },
	{ "text", F_STR, 0, 0, 8000, NULL },
	{ "to", F_STR, 0, 0, 63, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field ack_schema[] = {
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

int
apply_log(struct db *db, const struct op *op)
{
	int64_t at = 0;

	jtime(op->body, "at", &at);
	return db_exec(db, "INSERT OR IGNORE INTO log(id, kind, text, to_officer, "
		       "at, officer, station) VALUES(?, ?, ?, ?, ?, ?, ?)",
		       "ssssiss", op->entity, jstr(op->body, "kind"),
		       jstr(op->body, "text"), jstr(op->body, "to"), at,
		       op->officer, op->station);
}

int
apply_conflict_ack(struct db *db, const struct op *op)
{
	int64_t at = 0;
	int rc = lww_claim(db, op, "conflict_acks", op->entity, "ack");

	if (rc <= 0)
		return rc;
	jtime(op->body, "at", &at);
	return db_exec(db, "INSERT INTO conflict_acks(id, officer, at) "
		       "VALUES(?1, ?2, ?3) ON CONFLICT(id) DO UPDATE SET "
		       "officer = ?2, at = ?3", "ssi", op->entity, op->officer, at);
}

static int
add_entry(struct db *db, const char *kind, const char *text, const char *to,
	  char id_out[64])
{
	cJSON *body = cJSON_CreateObject();
	int rc;

	if (!body)
		return DD_E_NOMEM;
	cJSON_AddStringToObject(body, "kind", kind);
	if (text)
		cJSON_AddStringToObject(body, "text", text);
	if (to)
		cJSON_AddStringToObject(body, "to", to);
	jset_time(body, "at", clock_now(&db->clock));
	if (!(rc = id_next(db, id_out)))
		rc = op_submit(db, "log.add", id_out, body);
	cJSON_Delete(body);
	return rc;
}

/* A zero report says nothing happened this shift: not while an incident
 * is open or a response level is in force. Names them, so the officer
 * sees what to close or end first. */
static int
zero_allowed(struct db *db)
{
	char open[512] = "", levels[512] = "";
	cJSON *resp = NULL, *r;
	size_t n = 0;
	int rc;

	if ((rc = db_text(db, open, sizeof open, "SELECT group_concat(id, ', ') "
			  "FROM (SELECT id FROM incidents WHERE status_rank < 4 "
			  "AND deleted = 0 AND received_at IS NOT NULL ORDER BY "
			  "received_at, id LIMIT 20)", NULL)) < 0 ||
	    (rc = state_list(db, LIST_RESPONSES, NULL, &resp)) < 0)
		goto out;
	rc = 0;
	cJSON_ArrayForEach(r, resp) {
		int64_t level = 0;
		jint(r, "level", &level);
		if (level > 0 && n < sizeof levels)
			n += (size_t)snprintf(levels + n, sizeof levels - n, "%s%s %s",
					      n ? ", " : "", jstr(r, "hazard"),
					      level_name((int)level));
	}
	if (*open && *levels)
		rc = db_fail(db, DD_E_REFUSED, "no zero report while incidents are "
			     "open (%s) and responses are in force (%s)", open, levels);
	else if (*open)
		rc = db_fail(db, DD_E_REFUSED, "no zero report while incidents are "
			     "open (%s)", open);
	else if (*levels)
		rc = db_fail(db, DD_E_REFUSED, "no zero report while responses are "
			     "in force (%s)", levels);
out:
	cJSON_Delete(resp);
	return rc;
}

int
log_add(struct db *db, const char *kind, const char *text, char id_out[64])
{
	int rc;

	if (!kind || (strcmp(kind, "note") != 0 && strcmp(kind, "zero") != 0))
		return db_fail(db, DD_E_INVALID, "a log entry is a note or a zero "
			       "report");
	if (strcmp(kind, "note") == 0 && (!text || !*text))
		return db_fail(db, DD_E_INVALID, "a note needs its text");
	if (text && strlen(text) > 8000)
		return db_fail(db, DD_E_INVALID, "text is too long (8000 bytes at "
			       "most)");
	if ((rc = db_begin(db)))
		return rc;
	if (strcmp(kind, "zero") == 0 && (rc = zero_allowed(db)))
		return db_end(db, rc);
	/* A zero report without words of its own says so in the reader's
	 * language when shown (log_entry_text). */
	rc = add_entry(db, kind, text && *text ? text : NULL, NULL, id_out);
	return db_end(db, rc);
}

const char *
log_entry_text(const cJSON *entry, char *buf, size_t n)
{
	const char *kind = jstr(entry, "kind"), *text = jstr(entry, "text");

	if (!kind)
		return text ? text : "";
	if (strcmp(kind, "zero") == 0 && (!text || !*text))
		return dgettext("dutydesk", "zero report: nothing happened this "
				"shift");
	/* Before 0.2.0 a handover's text was a sentence of its own, kept
	 * as it was written. */
	if (strcmp(kind, "handover") == 0 && jstr(entry, "to_officer") &&
	    (!text || strncmp(text, "交接班 handover ", 17) != 0)) {
		snprintf(buf, n, dgettext("dutydesk", "handover %s -> %s%s%s"),
			 jstr(entry, "officer") ? jstr(entry, "officer") : "",
			 jstr(entry, "to_officer"), text && *text ? ": " : "",
			 text ? text : "");
		return buf;
	}
	return text ? text : "";
}

const struct field mark_schema[] = {
	{ "mark", F_ENUM, 1, 0, 0, (const char *const[]){ "unrostered", NULL } },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

int
apply_log_mark(struct db *db, const struct op *op)
{
	return db_exec(db, "INSERT OR IGNORE INTO log_marks(log, mark) VALUES(?, "
		       "?)", "ss", op->entity, jstr(op->body, "mark"));
}

/* Is to an officer of the shift taking over now (roster_incoming)? 1
 * yes or no roster ahead to say, 0 no (*names says whom it expected),
 * negative. */
static int
rostered(struct db *db, const char *to, char *names, size_t n)
{
	cJSON *s = NULL;
	const char *o1, *o2;
	int rc = roster_incoming(db, clock_now(&db->clock), &s);

	if (rc <= 0)
		return rc < 0 ? rc : 1;
	o1 = jstr(s, "officer1_name");
	o2 = jstr(s, "officer2_name");
	rc = (o1 && strcmp(o1, to) == 0) || (o2 && strcmp(o2, to) == 0) ||
	     strcmp(jstr(s, "officer1") ? jstr(s, "officer1") : "", to) == 0 ||
	     strcmp(jstr(s, "officer2") ? jstr(s, "officer2") : "", to) == 0;
	snprintf(names, n, "%s%s%s", o1 ? o1 : "", o2 ? ", " : "", o2 ? o2 : "");
	cJSON_Delete(s);
	return rc;
}

int
log_handover(struct db *db, const char *to, const char *note, char id_out[64])
{
	return log_handover_as(db, to, note, 0, id_out);
}

int
log_handover_as(struct db *db, const char *to, const char *note,
		int unrostered, char id_out[64])
{
	char names[300] = "";
	cJSON *mark;
	int rc, on;

	if (!to || !*to || strlen(to) > 63)
		return db_fail(db, DD_E_INVALID, "handover needs the incoming "
			       "officer (--to NAME)");
	if (strcmp(to, db->officer) == 0)
		return db_fail(db, DD_E_INVALID, "the incoming officer must be "
			       "someone else than %s", db->officer);
	if (note && strlen(note) > 4000)
		return db_fail(db, DD_E_INVALID, "note is too long");
	if ((rc = db_begin(db)))
		return rc;
	if ((on = rostered(db, to, names, sizeof names)) < 0)
		return db_end(db, on);
	if (!on && !unrostered)
		return db_end(db, db_fail(db, DD_E_REFUSED, "%s is not on the "
					  "roster for the next shift (%s); hand "
					  "over anyway with --unrostered", to,
					  names));
	/* The entry keeps who, to whom and the officer's own words; what
	 * passed to the next shift is on the handover sheet, in the
	 * reader's language. */
	rc = add_entry(db, "handover", note && *note ? note : NULL, to, id_out);
	if (!rc && !on) {
		if (!(mark = cJSON_CreateObject()))
			return db_end(db, DD_E_NOMEM);
		cJSON_AddStringToObject(mark, "mark", "unrostered");
		jset_time(mark, "at", clock_now(&db->clock));
		rc = op_submit(db, "log.mark", id_out, mark);
		cJSON_Delete(mark);
	}
	return db_end(db, rc);
}

int
conflict_ack(struct db *db, const char *conflict)
{
	cJSON *list = NULL, *c, *body = NULL;
	int rc, found = 0;

	if ((rc = db_begin(db)))
		return rc;
	if ((rc = state_list(db, LIST_CONFLICTS, NULL, &list)))
		goto end;
	cJSON_ArrayForEach(c, list)
		if (conflict && strcmp(jstr(c, "id"), conflict) == 0)
			found = 1;
	if (!found) {
		rc = db_fail(db, DD_E_NOTFOUND, "no conflict '%s'",
			     conflict ? conflict : "");
		goto end;
	}
	body = cJSON_CreateObject();
	jset_time(body, "at", clock_now(&db->clock));
	rc = op_submit(db, "conflict.ack", conflict, body);
end:
	cJSON_Delete(list);
	cJSON_Delete(body);
	return db_end(db, rc);
}
