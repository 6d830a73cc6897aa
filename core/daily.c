/*
 * daily.c - the daily report (值班日报): what the duty day held, gathered
 * from the state tables for the sheet and for --json. The day runs from
 * shift.start to shift.start (duty_day_bounds). Only read: the report
 * stores nothing.
 *
 * What has no history in the state tables (shelters open, who is in
 * them) is given as it stands when the report is made; levels, report
 * clocks, risk points cleared and people moved are taken as they stood
 * at the day's end.
 */
#include "private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XSTR_(x) #x
#define XSTR(x) XSTR_(x)

static int64_t
num(const cJSON *o, const char *k)
{
	int64_t v = 0;

	jint(o, k, &v);
	return v;
}

/* A report clock of an incident received at received: due secs later,
 * met at done (0: not yet). The state (on_time, late, pending, overdue)
 * and by how many seconds it was or is late go on o as NAME_state and
 * NAME_late_secs, beside NAME_due_at. */
static void
clock_state(cJSON *o, const char *name, int64_t received, int secs,
	    int64_t done, int64_t now)
{
	int64_t due = received + secs, late = 0;
	const char *state;
	char k[40];

	if (done) {
		late = done > due ? done - due : 0;
		state = late ? "late" : "on_time";
	} else if (now > due) {
		late = now - due;
		state = "overdue";
	} else {
		state = "pending";
	}
	snprintf(k, sizeof k, "%s_due_at", name);
	jset_time(o, k, due);
	snprintf(k, sizeof k, "%s_state", name);
	cJSON_AddStringToObject(o, k, state);
	snprintf(k, sizeof k, "%s_late_secs", name);
	cJSON_AddNumberToObject(o, k, (double)late);
}

/* (1) Incidents received in the day, and those received before it still
 * open when it began (carried over, closed in it or not), each with its
 * reports and its clocks. */
static int
add_incidents(struct db *db, cJSON *r, int64_t from, int64_t to, int64_t now)
{
	cJSON *list = cJSON_AddArrayToObject(r, "incidents"), *sum, *o;
	int64_t n[9] = { 0 };
	int rc;

	if (!list || !(sum = cJSON_AddObjectToObject(r, "incident_counts")))
		return DD_E_NOMEM;
	rc = db_rows(db, list, "SELECT id, title, town, place, kind, severity, "
		     "status, received_at, dead, injured, missing, trapped, "
		     "evacuated, phone_at AS phone_done_at, written_at AS "
		     "written_done_at, received_at < ?1 AS carried, "
		     "(status_rank < 4 OR status_at >= ?2) AS open_at_end "
		     "FROM incidents WHERE deleted = 0 AND received_at IS NOT NULL "
		     "AND received_at < ?2 AND (received_at >= ?1 OR status_rank "
		     "< 4 OR status_at >= ?1) ORDER BY received_at, id", "ii",
		     from, to);
	cJSON_ArrayForEach(o, list) {
		int64_t received = 0, phone = 0, written = 0;
		cJSON *reps;

		if (rc)
			break;
		jtime(o, "received_at", &received);
		jtime(o, "phone_done_at", &phone);
		jtime(o, "written_done_at", &written);
		/* A report sent after the day's end is late by what it
		 * really was, not cut at the end. */
		clock_state(o, "phone", received, REPORT_PHONE_SECS, phone, now);
		clock_state(o, "written", received, REPORT_WRITTEN_SECS, written,
			    now);
		if (!(reps = cJSON_AddArrayToObject(o, "reports")))
			return DD_E_NOMEM;
		rc = db_rows(db, reps, "SELECT id, type, channel, at, signed_at, "
			     "signed_name, officer FROM reports WHERE incident = ? "
			     "ORDER BY at, id", "s", jstr(o, "id"));
		if (num(o, "carried"))
			n[1]++;
		else
			n[0]++;
		n[2] += strcmp(jstr(o, "phone_state"), "on_time") == 0;
		n[3] += strcmp(jstr(o, "phone_state"), "late") == 0 ||
			strcmp(jstr(o, "phone_state"), "overdue") == 0;
		n[4] += strcmp(jstr(o, "written_state"), "on_time") == 0;
		n[5] += strcmp(jstr(o, "written_state"), "late") == 0 ||
			strcmp(jstr(o, "written_state"), "overdue") == 0;
		n[6] += num(o, "open_at_end") != 0;
		n[7] += num(o, "dead");
		n[8] += num(o, "evacuated");
	}
	cJSON_AddNumberToObject(sum, "received", (double)n[0]);
	cJSON_AddNumberToObject(sum, "carried", (double)n[1]);
	cJSON_AddNumberToObject(sum, "phone_on_time", (double)n[2]);
	cJSON_AddNumberToObject(sum, "phone_late", (double)n[3]);
	cJSON_AddNumberToObject(sum, "written_on_time", (double)n[4]);
	cJSON_AddNumberToObject(sum, "written_late", (double)n[5]);
	cJSON_AddNumberToObject(sum, "open_at_end", (double)n[6]);
	cJSON_AddNumberToObject(sum, "dead", (double)n[7]);
	cJSON_AddNumberToObject(sum, "evacuated", (double)n[8]);
	return rc;
}

/* (2) The levels in force at the day's end and the decisions of the
 * day. A day not over yet has the level in force now (response_get,
 * which knows a conflict); a past one, each hazard's last decision made
 * before its end. */
static int
add_responses(struct db *db, cJSON *r, int64_t from, int64_t to, int64_t now)
{
	cJSON *in = cJSON_AddArrayToObject(r, "levels"), *dec, *all = NULL, *o;
	int rc;

	if (!in || !(dec = cJSON_AddArrayToObject(r, "decisions")))
		return DD_E_NOMEM;
	if (now < to) {
		if ((rc = state_list(db, LIST_RESPONSES, NULL, &all)))
			return rc;
		while ((o = cJSON_DetachItemFromArray(all, 0))) {
			if (num(o, "level") > 0)
				cJSON_AddItemToArray(in, o);
			else
				cJSON_Delete(o);
		}
		cJSON_Delete(all);
	} else if ((rc = db_rows(db, in, "SELECT d.hazard, d.level, d.id AS "
				 "decision, d.signed_by, d.at FROM decisions d "
				 "WHERE d.id = (SELECT id FROM decisions e WHERE "
				 "e.hazard = d.hazard AND e.at < ?1 ORDER BY e.at "
				 "DESC, e.id DESC LIMIT 1) AND d.level > 0 ORDER BY "
				 "d.hazard", "i", to))) {
		return rc;
	}
	cJSON_ArrayForEach(o, in)
		if (!cJSON_GetObjectItemCaseSensitive(o, "level_name"))
			cJSON_AddStringToObject(o, "level_name",
						level_name((int)num(o, "level")));
	return db_rows(db, dec, "SELECT id, hazard, action, level, signed_by, "
		       "note, at, officer FROM decisions WHERE at >= ?1 AND at < ?2 "
		       "ORDER BY at, id", "ii", from, to);
}

/* (3) Warnings issued in the day, each with its towns and how soon each
 * answered (the first answer of a town counts). */
static int
add_warnings(struct db *db, cJSON *r, int64_t from, int64_t to)
{
	cJSON *list = cJSON_AddArrayToObject(r, "warnings"), *o, *sum;
	int64_t warned = 0, answered = 0;
	int rc;

	if (!list || !(sum = cJSON_AddObjectToObject(r, "warning_counts")))
		return DD_E_NOMEM;
	rc = db_rows(db, list, "SELECT id, hazard, color, text, at, officer FROM "
		     "warnings WHERE text IS NOT NULL AND at >= ?1 AND at < ?2 "
		     "ORDER BY at, id", "ii", from, to);
	cJSON_ArrayForEach(o, list) {
		cJSON *towns, *t;
		int64_t n = 0, a = 0;

		if (rc)
			break;
		if (!(towns = cJSON_AddArrayToObject(o, "towns")))
			return DD_E_NOMEM;
		rc = db_rows(db, towns, "SELECT t.town, a.who, a.at AS answered_at, "
			     "a.at - w.at AS answer_secs FROM warning_towns t JOIN "
			     "warnings w ON w.id = t.warning LEFT JOIN answers a ON "
			     "a.id = (SELECT id FROM answers b WHERE b.warning = "
			     "t.warning AND b.town = t.town ORDER BY at, id LIMIT 1) "
			     "WHERE t.warning = ? ORDER BY t.town", "s", jstr(o, "id"));
		cJSON_ArrayForEach(t, towns) {
			n++;
			a += cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
						    t, "answered_at"));
		}
		cJSON_AddNumberToObject(o, "warned", (double)n);
		cJSON_AddNumberToObject(o, "answered", (double)a);
		cJSON_AddNumberToObject(o, "answer_rate_pct",
					n ? (double)(100 * a / n) : 100);
		warned += n;
		answered += a;
	}
	cJSON_AddNumberToObject(sum, "warnings", cJSON_GetArraySize(list));
	cJSON_AddNumberToObject(sum, "towns_warned", (double)warned);
	cJSON_AddNumberToObject(sum, "towns_answered", (double)answered);
	cJSON_AddNumberToObject(sum, "answer_rate_pct", warned ? (double)(
					100 * answered / warned) : 100);
	return rc;
}

/* (4) Teams sent in the day and their turnout: to the first step after
 * the dispatch (en route, or on scene), against the target of the
 * incident's town (TURNOUT_CITY_SECS in a city town, else
 * TURNOUT_RURAL_SECS). */
static int
add_dispatches(struct db *db, cJSON *r, int64_t from, int64_t to)
{
	cJSON *list = cJSON_AddArrayToObject(r, "dispatches"), *o, *sum;
	int64_t out = 0, ontime = 0;
	int rc;

	if (!list || !(sum = cJSON_AddObjectToObject(r, "turnout_counts")))
		return DD_E_NOMEM;
	rc = db_rows(db, list, "SELECT d.id, d.team, tm.name AS team_name, "
		     "tm.pinyin AS team_pinyin, d.incident, i.town, d.at, "
		     "coalesce(d.en_route_at, d.on_scene_at) - d.at AS "
		     "turnout_secs, CASE tw.area WHEN 'city' THEN "
		     XSTR(TURNOUT_CITY_SECS) " ELSE " XSTR(TURNOUT_RURAL_SECS)
		     " END AS target_secs FROM dispatches d LEFT JOIN teams tm ON "
		     "tm.id = d.team LEFT JOIN incidents i ON i.id = d.incident "
		     "LEFT JOIN towns tw ON tw.id = i.town WHERE d.team IS NOT NULL "
		     "AND d.at >= ?1 AND d.at < ?2 ORDER BY d.at, d.id", "ii", from,
		     to);
	cJSON_ArrayForEach(o, list) {
		int64_t took;
		if (!jint(o, "turnout_secs", &took)) {
			cJSON_AddNullToObject(o, "on_time");
			continue;
		}
		out++;
		ontime += took <= num(o, "target_secs");
		cJSON_AddBoolToObject(o, "on_time", took <= num(o, "target_secs"));
	}
	cJSON_AddNumberToObject(sum, "dispatches", cJSON_GetArraySize(list));
	cJSON_AddNumberToObject(sum, "turnouts", (double)out);
	cJSON_AddNumberToObject(sum, "on_time", (double)ontime);
	return rc;
}

/* (5) Shelters open and who is in them, as they stand now. */
static int
add_shelters(struct db *db, cJSON *r)
{
	cJSON *list = cJSON_AddArrayToObject(r, "shelters"), *o, *sum;
	int64_t people = 0, cap = 0;
	int rc;

	if (!list || !(sum = cJSON_AddObjectToObject(r, "shelter_counts")))
		return DD_E_NOMEM;
	rc = db_rows(db, list, "SELECT id, name, pinyin, town, capacity, "
		     "occupancy FROM shelters WHERE deleted = 0 AND open = 1 "
		     "ORDER BY id", NULL);
	cJSON_ArrayForEach(o, list) {
		people += num(o, "occupancy");
		cap += num(o, "capacity");
	}
	cJSON_AddNumberToObject(sum, "open", cJSON_GetArraySize(list));
	cJSON_AddNumberToObject(sum, "people", (double)people);
	cJSON_AddNumberToObject(sum, "capacity", (double)cap);
	return rc;
}

/* (6) The disaster statistics of the date: each town's winning figures
 * (table stats holds one per town, date and field) and their sum. */
static int
add_stats(struct db *db, cJSON *r, const char *date)
{
	cJSON *rows = cJSON_CreateArray(), *st, *towns, *total, *o, *t = NULL;
	const char *last = "";
	int rc, i;

	if (!rows || !(st = cJSON_AddObjectToObject(r, "stats")) ||
	    !(towns = cJSON_AddArrayToObject(st, "towns")) ||
	    !(total = cJSON_AddObjectToObject(st, "total"))) {
		cJSON_Delete(rows);
		return DD_E_NOMEM;
	}
	rc = db_rows(db, rows, "SELECT town, field, value FROM stats WHERE "
		     "date = ? ORDER BY town, field", "s", date);
	for (i = 0; stats_fields[i]; i++)
		cJSON_AddNumberToObject(total, stats_fields[i], 0);
	cJSON_ArrayForEach(o, rows) {
		const char *town = jstr(o, "town"), *field = jstr(o, "field");
		cJSON *v;
		if (!town || !field || str_in(field, stats_fields) < 0)
			continue; /* a field of a later version */
		if (strcmp(town, last) != 0) {
			if (!(t = cJSON_CreateObject()) ||
			    !cJSON_AddItemToArray(towns, t)) {
				cJSON_Delete(t);
				rc = DD_E_NOMEM;
				break;
			}
			cJSON_AddStringToObject(t, "town", town);
			for (i = 0; stats_fields[i]; i++)
				cJSON_AddNumberToObject(t, stats_fields[i], 0);
			last = town;
		}
		cJSON_SetNumberValue(cJSON_GetObjectItemCaseSensitive(t, field),
				     (double)num(o, "value"));
		v = cJSON_GetObjectItemCaseSensitive(total, field);
		cJSON_SetNumberValue(v, v->valuedouble + (double)num(o, "value"));
	}
	cJSON_Delete(rows);
	return rc;
}

/* (7) Zero reports of the day: which towns filed one (the town of the
 * station that wrote it: its code when that names a town, else its
 * station.town) and which did not. */
static int
add_zero(struct db *db, cJSON *r, int64_t from, int64_t to)
{
	cJSON *z = cJSON_AddObjectToObject(r, "zero_reports"), *filed, *not,
	      *towns = NULL, *o, *t;
	int rc;

	if (!z || !(filed = cJSON_AddArrayToObject(z, "filed")) ||
	    !(not = cJSON_AddArrayToObject(z, "not_filed")))
		return DD_E_NOMEM;
	rc = db_rows(db, filed, "SELECT l.id, l.at, l.officer, l.station, "
		     "coalesce((SELECT id FROM towns WHERE id = l.station AND "
		     "deleted = 0), (SELECT value FROM settings WHERE scope = '@' "
		     "|| l.station AND key = 'station.town' AND value != '')) AS "
		     "town FROM log l WHERE l.kind = 'zero' AND l.at >= ?1 AND "
		     "l.at < ?2 ORDER BY l.at, l.id", "ii", from, to);
	if (!rc)
		rc = state_list(db, LIST_TOWNS, NULL, &towns);
	cJSON_ArrayForEach(t, towns) {
		int did = 0;
		cJSON_ArrayForEach(o, filed)
			if (jstr(o, "town") && strcmp(jstr(o, "town"),
						      jstr(t, "id")) == 0)
				did = 1;
		if (!did)
			cJSON_AddItemToArray(not, cJSON_CreateString(jstr(t, "id")));
	}
	cJSON_AddNumberToObject(z, "towns", cJSON_GetArraySize(towns));
	cJSON_AddNumberToObject(z, "towns_filed", cJSON_GetArraySize(towns) -
				cJSON_GetArraySize(not));
	cJSON_Delete(towns);
	return rc;
}

/* (8) This station's shifts that cover part of the day. */
static int
add_roster(struct db *db, cJSON *r, const char *station, int64_t from,
	   int64_t to)
{
	cJSON *list = cJSON_AddArrayToObject(r, "roster");

	if (!list)
		return DD_E_NOMEM;
	return db_rows(db, list, SHIFT_SQL "WHERE s.deleted = 0 AND s.start_at "
		       "IS NOT NULL AND s.station = ?1 AND s.start_at < ?3 AND "
		       "s.start_at + s.hours * 3600 > ?2 ORDER BY s.start_at, s.id",
		       "sii", station, from, to);
}

/* Risk points per town at the day's end: cleared of all, people moved
 * of the people at risk. */
static int
add_risk(struct db *db, cJSON *r, int64_t to)
{
	cJSON *list = cJSON_AddArrayToObject(r, "risk_points"), *o, *sum;
	int64_t n[4] = { 0 };
	int rc;

	if (!list || !(sum = cJSON_AddObjectToObject(r, "risk_counts")))
		return DD_E_NOMEM;
	rc = db_rows(db, list, "SELECT p.town, count(*) AS points, "
		     "sum(p.cleared_at IS NOT NULL AND p.cleared_at < ?1) AS "
		     "cleared, coalesce(sum(p.people), 0) AS people, "
		     "coalesce(sum((SELECT sum(m.n) FROM risk_moves m WHERE "
		     "m.point = p.id AND m.at < ?1)), 0) AS moved FROM risk_points "
		     "p WHERE p.deleted = 0 AND p.name IS NOT NULL AND p.town IS "
		     "NOT NULL GROUP BY p.town ORDER BY p.town", "i", to);
	cJSON_ArrayForEach(o, list) {
		n[0] += num(o, "points");
		n[1] += num(o, "cleared");
		n[2] += num(o, "people");
		n[3] += num(o, "moved");
	}
	cJSON_AddNumberToObject(sum, "points", (double)n[0]);
	cJSON_AddNumberToObject(sum, "cleared", (double)n[1]);
	cJSON_AddNumberToObject(sum, "people", (double)n[2]);
	cJSON_AddNumberToObject(sum, "moved", (double)n[3]);
	return rc;
}

/* The county the seed describes (its code, name and pinyin), or the
 * station's code when there is no seed to read. */
static void
add_county(cJSON *r, const char *station)
{
	cJSON *seed = NULL, *c = NULL;

	if (assets_load_json("seed/county.json", &seed) == 0)
		c = cJSON_DetachItemFromObjectCaseSensitive(seed, "county");
	cJSON_Delete(seed);
	if (!cJSON_IsObject(c)) {
		cJSON_Delete(c);
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "code", station);
		cJSON_AddStringToObject(c, "name", station);
		cJSON_AddStringToObject(c, "pinyin", station);
	}
	cJSON_AddItemToObject(r, "county", c);
}

int
daily_report(struct db *db, const char *date, cJSON **out)
{
	struct station_info si;
	char day[11];
	int64_t from, to, now = db_now(db);
	cJSON *r = NULL;
	int rc;

	*out = NULL;
	if (!date || !*date) {
		if ((rc = duty_date(db, now, day)))
			return db_fail(db, rc, "cannot tell today's duty day");
	} else {
		snprintf(day, sizeof day, "%.10s", date);
		if (strlen(date) != 10)
			return db_fail(db, DD_E_INVALID, "date '%s': YYYY-MM-DD",
				       date);
	}
	if ((rc = duty_day_bounds(db, day, &from, &to)) ||
	    (rc = station_identity(db, &si)))
		return rc;
	if (!(r = cJSON_CreateObject()))
		return DD_E_NOMEM;
	cJSON_AddStringToObject(r, "date", day);
	jset_time(r, "from", from);
	jset_time(r, "to", to);
	jset_time(r, "made_at", now);
	cJSON_AddBoolToObject(r, "over", now >= to);
	cJSON_AddStringToObject(r, "station", si.station);
	cJSON_AddStringToObject(r, "realm", si.realm);
	add_county(r, si.station);
	if ((rc = add_incidents(db, r, from, to, now)) ||
	    (rc = add_responses(db, r, from, to, now)) ||
	    (rc = add_warnings(db, r, from, to)) ||
	    (rc = add_dispatches(db, r, from, to)) ||
	    (rc = add_shelters(db, r)) || (rc = add_stats(db, r, day)) ||
	    (rc = add_zero(db, r, from, to)) ||
	    (rc = add_roster(db, r, si.station, from, to)) ||
	    (rc = add_risk(db, r, to))) {
		cJSON_Delete(r);
		return rc;
	}
	*out = r;
	return 0;
}
