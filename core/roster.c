/*
 * roster.c - the duty roster (排班): each station's shifts, a leader on
 * duty and one or two officers each, all of them contacts. A shift is a
 * record (fields last writer wins, taken off the roster by a mark); its
 * start is stored in UTC, worked out from the date and time of day in
 * the station's zone when it was made, so every replica agrees on it.
 */
#include "private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct field shift_schema[] = {
	{ "date", F_STR, 0, 0, 10, NULL },
	{ "start_at", F_TIME, 0, 0, 0, NULL },
	{ "hours", F_INT, 0, 1, 72, NULL },
	{ "leader", F_STR, 0, 0, 63, NULL },
	{ "officer1", F_STR, 0, 0, 63, NULL },
	{ "officer2", F_STR, 0, 0, 63, NULL },
	{ "deleted", F_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

int
apply_shift(struct db *db, const struct op *op)
{
	int create = strcmp(op->kind, "roster.add") == 0;
	int rc = record_put(db, op, "shifts", shift_schema, create, NULL);

	/* The roster is that of the station that made the shift, the one
	 * its id names ("<station>-<n>", and no station code has a '-'):
	 * the same whichever of its operations comes first, and kept by a
	 * drill's copy of the shift, which keeps the id. */
	if (!rc)
		rc = db_exec(db, "UPDATE shifts SET station = substr(?1, 1, "
			     "instr(?1, '-') - 1) WHERE id = ?1 AND station IS NULL "
			     "AND instr(?1, '-') > 1", "s", op->entity);
	return rc;
}

/* Is y-mo-d a day of the calendar? */
static int
date_ok(int y, int mo, int d)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 &&
	       d <= days[mo - 1] + (mo == 2 && leap);
}

/* A person for the roster: a contact, by id or by a name one contact
 * has; its id into id. */
static int
person(struct db *db, const char *who, const char *as, char id[64])
{
	int rc;

	if (!who || !*who)
		return db_fail(db, DD_E_INVALID, "a shift needs its %s", as);
	rc = contact_find(db, who, id);
	if (rc == 0)
		return db_fail(db, DD_E_NOTFOUND, "%s '%s' is not in the "
			       "directory (add them with dutydesk contact add)",
			       as, who);
	return rc < 0 ? rc : 0;
}

int
roster_add(struct db *db, const char *date, const char *start, int hours,
	   const char *leader, const char *officer1, const char *officer2,
	   char id_out[64])
{
	char when[40], hhmm[16], lead[64], o1[64], o2[64] = "", self[32];
	cJSON *body = NULL;
	int64_t at, end;
	int rc, y, mo, d, used = 0;

	if ((rc = db_begin(db)))
		return rc;
	if (!date || sscanf(date, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 ||
	    date[used] || strlen(date) != 10 || !date_ok(y, mo, d)) {
		rc = db_fail(db, DD_E_INVALID, "date '%s': YYYY-MM-DD",
			     date ? date : "");
		goto end;
	}
	if (!start || !*start) {
		int m = setting_shift_start(db);
		snprintf(hhmm, sizeof hhmm, "%02d:%02d", m / 60, m % 60);
		start = hhmm;
	}
	if (hours == 0)
		hours = (int)setting_int(db, "shift.hours", 24);
	if (hours < 1 || hours > 72) {
		rc = db_fail(db, DD_E_INVALID, "a shift lasts 1 to 72 hours");
		goto end;
	}
	snprintf(when, sizeof when, "%s %s", date, start);
	if (strlen(start) != 5 || time_parse_local(when, 0, &at)) {
		rc = db_fail(db, DD_E_INVALID, "start '%s': a time of day like "
			     "08:30", start);
		goto end;
	}
	end = at + (int64_t)hours * 3600;
	if ((rc = person(db, leader, "leader on duty", lead)) ||
	    (rc = person(db, officer1, "duty officer", o1)) ||
	    (officer2 && *officer2 &&
	     (rc = person(db, officer2, "second duty officer", o2))))
		goto end;
	if (*o2 && strcmp(o1, o2) == 0) {
		rc = db_fail(db, DD_E_INVALID, "the two duty officers are one "
			     "person (%s)", o1);
		goto end;
	}
	if ((rc = meta_get_text(db, "station", self, sizeof self)) < 0)
		goto end;
	/* Shifts of one station never overlap: at any time one leader and
	 * one pair of officers are on duty. */
	{
		char other[64] = "";
		rc = db_text(db, other, sizeof other, "SELECT id FROM shifts WHERE "
			     "station = ? AND deleted = 0 AND start_at < ? AND "
			     "start_at + hours * 3600 > ? ORDER BY start_at LIMIT 1",
			     "sii", self, end, at);
		if (rc < 0)
			goto end;
		if (rc > 0) {
			char date2[16] = "";
			db_text(db, date2, sizeof date2, "SELECT date FROM shifts "
				"WHERE id = ?", "s", other);
			rc = db_fail(db, DD_E_REFUSED, "the shift overlaps shift %s "
				     "of %s", other, date2);
			goto end;
		}
	}
	if (!(body = cJSON_CreateObject())) {
		rc = DD_E_NOMEM;
		goto end;
	}
	cJSON_AddStringToObject(body, "date", date);
	jset_time(body, "start_at", at);
	cJSON_AddNumberToObject(body, "hours", hours);
	cJSON_AddStringToObject(body, "leader", lead);
	cJSON_AddStringToObject(body, "officer1", o1);
	if (*o2)
		cJSON_AddStringToObject(body, "officer2", o2);
	if (!(rc = id_next(db, id_out)))
		rc = op_submit(db, "roster.add", id_out, body);
end:
	cJSON_Delete(body);
	return db_end(db, rc);
}

int
roster_remove(struct db *db, const char *id)
{
	char self[32] = "", owner[32] = "";
	cJSON *body;
	int rc;

	if ((rc = db_begin(db)))
		return rc;
	if ((rc = db_int(db, NULL, "SELECT 1 FROM shifts WHERE id = ? AND "
			 "deleted = 0 AND start_at IS NOT NULL", "s", id)) <= 0) {
		rc = rc < 0 ? rc : db_fail(db, DD_E_NOTFOUND, "no shift '%s'", id);
		return db_end(db, rc);
	}
	/* A station keeps its own roster. */
	if ((rc = meta_get_text(db, "station", self, sizeof self)) < 0 ||
	    (rc = db_text(db, owner, sizeof owner, "SELECT station FROM shifts "
			  "WHERE id = ?", "s", id)) < 0)
		return db_end(db, rc);
	if (strcmp(owner, self) != 0)
		return db_end(db, db_fail(db, DD_E_REFUSED, "shift %s is on the "
					  "roster of %s, not this station's", id,
					  owner));
	if (!(body = cJSON_CreateObject()))
		return db_end(db, DD_E_NOMEM);
	cJSON_AddBoolToObject(body, "deleted", 1);
	rc = op_submit(db, "roster.update", id, body);
	cJSON_Delete(body);
	return db_end(db, rc);
}

int
roster_at(struct db *db, const char *station, int64_t at, int next,
	  cJSON **out)
{
	cJSON *rows = cJSON_CreateArray();
	char self[32] = "";
	int rc;

	*out = NULL;
	if (!rows)
		return DD_E_NOMEM;
	if (!station) {
		if ((rc = meta_get_text(db, "station", self, sizeof self)) < 0)
			goto out;
		station = self;
	}
	rc = db_rows(db, rows, next ? SHIFT_SQL "WHERE s.station = ?1 AND "
		     "s.deleted = 0 AND s.start_at >= ?2 ORDER BY s.start_at "
		     "LIMIT 1" : SHIFT_SQL "WHERE s.station = ?1 AND s.deleted = 0 "
		     "AND s.start_at <= ?2 AND s.start_at + s.hours * 3600 > ?2 "
		     "ORDER BY s.start_at DESC LIMIT 1", "si", station, at);
	if (!rc && cJSON_GetArraySize(rows) == 1) {
		*out = cJSON_DetachItemFromArray(rows, 0);
		rc = 1;
	}
out:
	cJSON_Delete(rows);
	return rc;
}

int
roster_incoming(struct db *db, int64_t at, cJSON **out)
{
	return roster_at(db, NULL, at - ROSTER_HANDOVER_LATE, 1, out);
}

/* ---- import ---- */

static const char *const roster_csv[] = { "date", "start", "hours", "leader",
	"officer1", "officer2", NULL };

static int
roster_row(struct db *db, const cJSON *f, char id[64], void *ctx)
{
	const char *h = jstr(f, "hours");
	int64_t hours = 0;

	(void)ctx;
	if (h && (dd_parse_i64(h, &hours) || hours < 1 || hours > 72))
		return db_fail(db, DD_E_INVALID, "hours '%s': 1 to 72", h);
	return roster_add(db, jstr(f, "date"), jstr(f, "start"), (int)hours,
			  jstr(f, "leader"), jstr(f, "officer1"),
			  jstr(f, "officer2"), id);
}

int
import_roster_csv(struct db *db, const char *path, int charset,
		  int64_t *count, cJSON *ids)
{
	const struct csv_kind k = { roster_csv, "roster", roster_row, NULL };

	return import_csv(db, path, charset, &k, count, ids);
}
