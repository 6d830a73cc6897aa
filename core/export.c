/*
 * export.c - reading state: the lists every pane and list subcommand
 * shows, and the export whose digest proves two replicas equal.
 */
#include "private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

static const char *const list_sql[LIST_N] = {
	[LIST_TOWNS] = "SELECT id, name, pinyin, area FROM towns WHERE "
		"deleted = 0 ORDER BY id",
	[LIST_TEAMS] = "SELECT t.id, t.name, t.pinyin, t.kind, t.town, t.members, "
		"t.leader, t.phone, t.speciality, t.status, t.status_at, t.dispatch, "
		"d.incident FROM teams t LEFT JOIN dispatches d ON d.id = t.dispatch "
		"WHERE t.deleted = 0 AND (?1 IS NULL OR t.town = ?1) AND "
		"(?2 IS NULL OR t.kind = ?2) AND (?3 IS NULL OR t.status = ?3) "
		"ORDER BY t.id",
	[LIST_DEPOTS] = "SELECT id, name, pinyin, town FROM depots WHERE "
		"deleted = 0 ORDER BY id",
	[LIST_KINDS] = "SELECT id, name, pinyin, name_en, unit, unit_en, "
		"need_per_100, low FROM supply_kinds WHERE deleted = 0 ORDER BY id",
	[LIST_STOCK] = "SELECT s.item, s.depot, s.qty, k.name, k.pinyin, "
		"k.name_en, k.unit, k.low, (s.qty < coalesce(k.low, 0)) AS is_low, "
		"(s.qty < 0) AS negative FROM stock s LEFT JOIN supply_kinds k ON "
		"k.id = s.item WHERE (?1 IS NULL OR s.depot = ?1) AND "
		"(?2 IS NULL OR s.item = ?2) ORDER BY s.item, s.depot",
	[LIST_SHELTERS] = "SELECT id, name, pinyin, town, capacity, occupancy, "
		"open, address, manager, phone FROM shelters WHERE deleted = 0 AND "
		"(?1 IS NULL OR town = ?1) AND (?2 IS NULL OR open = ?2) ORDER BY id",
	/* Newest first by the received index; the report columns are
	 * looked up for the page only. */
	[LIST_INCIDENTS] = "SELECT id, received_at, town, place, title, kind, "
		"severity, status, dead, injured, missing, trapped, evacuated, "
		"phone_at AS phone_done_at, written_at AS written_done_at FROM "
		"incidents WHERE received_at IS NOT NULL AND deleted = 0 AND "
		"(?1 IS NULL OR status_rank < 4) AND (?2 IS NULL OR town = ?2) "
		"ORDER BY received_at DESC, id DESC LIMIT coalesce(?3, -1)",
	/* Open incidents owing a report past its deadline (?1 phone, ?2
	 * written), newest first; each half reads its partial index. */
	[LIST_LATE] = "SELECT id, received_at, town, place, title, kind, "
		"severity, status, dead, injured, missing, trapped, evacuated, "
		"phone_at AS phone_done_at, written_at AS written_done_at FROM "
		"incidents WHERE id IN (SELECT id FROM (SELECT id, received_at "
		"FROM incidents WHERE status_rank < 4 AND deleted = 0 AND "
		"phone_at IS NULL AND received_at < ?1 ORDER BY received_at DESC "
		"LIMIT coalesce(?3, -1)) UNION SELECT id FROM (SELECT id, "
		"received_at FROM incidents WHERE status_rank < 4 AND deleted = 0 "
		"AND written_at IS NULL AND received_at < ?2 ORDER BY received_at "
		"DESC LIMIT coalesce(?3, -1))) ORDER BY received_at DESC, id DESC",
	/* Turnout runs to the first step after the dispatch: en route, or
	 * on scene when en route was never recorded. */
	[LIST_DISPATCHES] = "SELECT d.id, d.team, d.incident, d.at, "
		"d.en_route_at, d.on_scene_at, d.returning_at, d.available_at, "
		"coalesce(d.en_route_at, d.on_scene_at) - d.at AS turnout_secs, "
		"CASE tw.area WHEN 'city' THEN "
		"300 ELSE 600 END AS target_secs, d.officer, d.station FROM "
		"dispatches d LEFT JOIN incidents i ON i.id = d.incident LEFT JOIN "
		"towns tw ON tw.id = i.town WHERE d.team IS NOT NULL AND "
		"(?1 IS NULL OR d.incident = ?1) AND (?2 IS NULL OR d.team = ?2) "
		"ORDER BY d.id",
	[LIST_DECISIONS] = "SELECT d.id, d.hazard, d.action, d.level, "
		"d.signed_by, d.note, d.at, d.officer, d.station, (SELECT "
		"group_concat(follows, ' ') FROM (SELECT follows FROM follows f "
		"WHERE f.decision = d.id ORDER BY follows)) AS follows FROM "
		"decisions d WHERE (?1 IS NULL OR d.hazard = ?1) ORDER BY d.id",
	[LIST_WARNINGS] = "SELECT w.id, w.hazard, w.color, w.text, w.at, "
		"w.officer, w.station, (SELECT count(*) FROM warning_towns t WHERE "
		"t.warning = w.id) AS towns, (SELECT count(DISTINCT town) FROM "
		"answers a WHERE a.warning = w.id) AS answered FROM warnings w "
		"WHERE w.text IS NOT NULL ORDER BY w.id",
	[LIST_ANSWERS] = "SELECT t.warning, t.town, a.id, a.who, a.at, "
		"a.at - w.at AS answer_secs FROM warning_towns t JOIN warnings w ON "
		"w.id = t.warning LEFT JOIN answers a ON a.id = (SELECT id FROM "
		"answers b WHERE b.warning = t.warning AND b.town = t.town ORDER BY "
		"at, id LIMIT 1) WHERE (?1 IS NULL OR t.warning = ?1) ORDER BY "
		"t.warning, t.town",
	[LIST_LOG] = "SELECT id, at, kind, text, to_officer, officer, station, "
		"EXISTS (SELECT 1 FROM log_marks m WHERE m.log = log.id AND "
		"m.mark = 'unrostered') AS unrostered FROM log ORDER BY at, id",
	[LIST_CONFLICTS] =
		"SELECT c.id, c.kind, c.subject, c.members, a.officer AS acked_by, "
		"a.at AS acked_at FROM ("
		"SELECT 'dispatch:' || team || ':' || follows AS id, 'dispatch' AS "
		"kind, team AS subject, (SELECT group_concat(id, ' ') FROM (SELECT "
		"id FROM dispatches e WHERE e.team = d.team AND e.follows = d.follows "
		"ORDER BY id)) AS members FROM dispatches d WHERE follows IS NOT "
		"NULL GROUP BY team, follows HAVING count(*) > 1 "
		"UNION ALL "
		"SELECT 'response:' || f.hazard || ':' || f.follows, 'response', "
		"f.hazard, (SELECT group_concat(decision, ' ') FROM (SELECT decision "
		"FROM follows g WHERE g.hazard = f.hazard AND g.follows = f.follows "
		"ORDER BY decision)) FROM follows f JOIN decisions x ON x.id = "
		"f.decision GROUP BY f.hazard, f.follows HAVING "
		"count(DISTINCT x.level) > 1 "
		/* A request both approved and refused (at once, on two
		 * stations): its decisions, whatever settled them since. */
		"UNION ALL "
		"SELECT 'request:' || s.request, 'request', s.request, (SELECT "
		"group_concat(id, ' ') FROM (SELECT id FROM request_steps t WHERE "
		"t.request = s.request AND t.step IN ('approve', 'refuse') ORDER BY "
		"id)) FROM request_steps s WHERE s.step IN ('approve', 'refuse') "
		"GROUP BY s.request HAVING count(DISTINCT s.step) > 1 "
		/* One sent twice or received twice (on two stations at
		 * once): the stock moved twice, for a person to put right. */
		"UNION ALL "
		"SELECT 'request:' || s.request || ':' || s.step, 'request', "
		"s.request, (SELECT group_concat(id, ' ') FROM (SELECT id FROM "
		"request_steps t WHERE t.request = s.request AND t.step = s.step "
		"ORDER BY id)) FROM request_steps s WHERE s.step IN ('send', "
		"'receive') GROUP BY s.request, s.step HAVING count(*) > 1"
		") c LEFT JOIN conflict_acks a ON "
		"a.id = c.id ORDER BY c.id",
	[LIST_REPORTS] = "SELECT id, incident, type, channel, text, at, officer, "
		"signed_at, signed_by, signed_name FROM reports WHERE (?1 IS NULL "
		"OR incident = ?1) ORDER BY at, id",
	/* Sign-offs of written reports, each as made (the report counts at
	 * the earliest). */
	[LIST_SIGNOFFS] = "SELECT id, report, contact, name, at, officer, "
		"station FROM signoffs WHERE (?1 IS NULL OR report = ?1) ORDER BY "
		"at, id",
	[LIST_TICKS] = "SELECT episode, item, checked, officer, at FROM ticks "
		"WHERE (?1 IS NULL OR episode = ?1) ORDER BY episode, item",
	[LIST_CONTACTS] = "SELECT id, name, pinyin, phones, unit, role, town, "
		"answers_for AS for FROM contacts WHERE deleted = 0 AND name IS NOT "
		"NULL AND (?1 IS NULL OR town = ?1) AND (?2 IS NULL OR role = ?2) "
		"ORDER BY town IS NULL, town, role, id",
	[LIST_ROSTER] = SHIFT_SQL "WHERE s.deleted = 0 AND s.start_at IS NOT "
		"NULL AND (?1 IS NULL OR s.date >= ?1) AND (?2 IS NULL OR s.date <= "
		"?2) AND (?3 IS NULL OR s.station = ?3) ORDER BY s.station, "
		"s.start_at, s.id",
	[LIST_CALLS] = "SELECT c.id, c.at, c.contact, c.name, c.number, "
		"c.outcome, c.incoming, c.incident, c.warning, c.note, c.officer, "
		"c.station, k.town FROM calls c LEFT JOIN contacts k ON k.id = "
		"c.contact WHERE (?1 IS NULL OR c.incident = ?1) AND (?2 IS NULL OR "
		"c.warning = ?2) AND (?3 IS NULL OR c.contact = ?3) ORDER BY c.at, "
		"c.id",
	/* The last spot check of each town. */
	[LIST_CHECKS] = "SELECT c.town, c.id, c.at, c.answered, c.who, c.name, "
		"c.officer, c.station FROM checks c WHERE c.id = (SELECT id FROM "
		"checks d WHERE d.town = c.town ORDER BY at DESC, id DESC LIMIT 1) "
		"ORDER BY c.town",
	/* One row per warned town and person who must answer for it (a town
	 * the directory named nobody for: one row without a person). */
	[LIST_CALLEES] = "SELECT t.warning, t.town, p.contact, p.name, p.phone, "
		"w.color, coalesce((SELECT max(c.at) FROM calls c WHERE c.warning = "
		"t.warning AND c.contact = p.contact AND c.incoming = 0), w.at) AS "
		"called_at, a.who AS answered_by, a.at AS answered_at, CASE WHEN "
		"a.id IS NULL THEN max(0, ?2 - w.at) END AS silent_secs FROM "
		"warning_towns t JOIN warnings w ON w.id = t.warning LEFT JOIN "
		"warning_people p ON p.warning = t.warning AND p.town = t.town LEFT "
		"JOIN answers a ON a.id = (SELECT id FROM answers b WHERE b.warning "
		"= t.warning AND b.town = t.town ORDER BY at, id LIMIT 1) WHERE "
		"(?1 IS NULL OR t.warning = ?1) ORDER BY t.warning, t.town, p.n",
	/* Towns silent past their limit (?2 .. ?5: the limits of red, orange,
	 * yellow and blue), to call back: whom, and the last call made. */
	[LIST_CALLBACKS] = "SELECT t.warning, t.town, w.color, w.hazard, w.at, "
		"?1 - w.at AS silent_secs, (SELECT group_concat(name, ', ') FROM "
		"(SELECT name FROM warning_people p WHERE p.warning = t.warning AND "
		"p.town = t.town ORDER BY n)) AS people, (SELECT c.id FROM calls c "
		"WHERE c.warning = t.warning AND (c.contact IN (SELECT contact FROM "
		"warning_people p WHERE p.warning = t.warning AND p.town = t.town) "
		"OR c.contact IN (SELECT id FROM contacts WHERE town = t.town)) "
		"ORDER BY c.at DESC, c.id DESC LIMIT 1) AS last_call FROM "
		"warning_towns t JOIN warnings w ON w.id = t.warning WHERE NOT "
		"EXISTS (SELECT 1 FROM answers a WHERE a.warning = t.warning AND "
		"a.town = t.town) AND w.at < ?1 - CASE w.color WHEN 'red' THEN ?2 "
		"WHEN 'orange' THEN ?3 WHEN 'yellow' THEN ?4 ELSE ?5 END ORDER BY "
		"w.at, t.warning, t.town",
};

/* The filter keys each list takes, bound as ?1, ?2, ?3 in order. */
static const char *const list_keys[LIST_N][3] = {
	[LIST_TEAMS] = { "town", "kind", "status" },
	[LIST_STOCK] = { "depot", "item", NULL },
	[LIST_SHELTERS] = { "town", "open", NULL },
	[LIST_INCIDENTS] = { "open", "town", "limit" },
	[LIST_LATE] = { "phone_before", "written_before", "limit" },
	[LIST_DISPATCHES] = { "incident", "team", NULL },
	[LIST_DECISIONS] = { "hazard", NULL, NULL },
	[LIST_ANSWERS] = { "warning", NULL, NULL },
	[LIST_REPORTS] = { "incident", NULL, NULL },
	[LIST_SIGNOFFS] = { "report", NULL, NULL },
	[LIST_TICKS] = { "episode", NULL, NULL },
	[LIST_CONTACTS] = { "town", "role", NULL },
	[LIST_ROSTER] = { "from", "to", "station" },
	[LIST_CALLS] = { "incident", "warning", "contact" },
	[LIST_CALLEES] = { "warning", "now", NULL },
};

/* The silent limits, red to blue, bound after now (LIST_CALLBACKS). */
static int
bind_limits(struct db *db, sqlite3_stmt *st, int from)
{
	static const char *const by[] = { "red", "orange", "yellow", "blue" };
	int i, rc;

	for (i = 0; i < 4; i++)
		if ((rc = sqlite3_bind_int64(st, from + i,
					     warning_silent_secs(db, by[i]))))
			return db_rc(db, rc);
	return 0;
}

static int
bind_filter(struct db *db, sqlite3_stmt *st, enum list l, const cJSON *filter)
{
	int i, rc = SQLITE_OK;

	for (i = 0; i < 3 && list_keys[l][i]; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(filter,
								  list_keys[l][i]);
		if (cJSON_IsString(v))
			rc = sqlite3_bind_text(st, i + 1, v->valuestring, -1,
					       SQLITE_TRANSIENT);
		else if (cJSON_IsNumber(v))
			rc = sqlite3_bind_int64(st, i + 1, (int64_t)v->valuedouble);
		else if (cJSON_IsBool(v))
			rc = sqlite3_bind_int(st, i + 1, cJSON_IsTrue(v));
		if (rc != SQLITE_OK)
			return db_rc(db, rc);
	}
	return 0;
}

/* LIST_CALLBACKS: now (the filter's, else the clock's) and the limits. */
static int
bind_now(struct db *db, sqlite3_stmt *st, const cJSON *filter)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(filter, "now");
	int64_t now = cJSON_IsNumber(v) ? (int64_t)v->valuedouble
		      : clock_now(&db->clock);
	int rc = sqlite3_bind_int64(st, 1, now);

	return rc ? db_rc(db, rc) : bind_limits(db, st, 2);
}

static int
list_responses(struct db *db, cJSON *arr)
{
	sqlite3_stmt *st = db_prep(db, "SELECT DISTINCT hazard FROM decisions "
				   "ORDER BY hazard");
	int s, rc = 0;

	if (!st)
		return db_prep_err(db);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 0);
		struct response_state rs;
		cJSON *o;
		/* response_get uses other statements; this one stays open. */
		if ((rc = response_get(db, h, &rs)) < 0)
			break;
		rc = 0;
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "hazard", h);
		cJSON_AddNumberToObject(o, "level", rs.level);
		cJSON_AddStringToObject(o, "level_name", level_name(rs.level));
		cJSON_AddStringToObject(o, "decision", rs.decision);
		cJSON_AddStringToObject(o, "episode", rs.episode);
		cJSON_AddBoolToObject(o, "conflict", rs.conflict);
		cJSON_AddItemToArray(arr, o);
	}
	if (!rc && s != SQLITE_DONE)
		rc = db_rc(db, s);
	db_reset(st);
	if (rc)
		return rc;
	/* Who signed the decision in force, and when. */
	cJSON *o;
	cJSON_ArrayForEach(o, arr) {
		cJSON *d = cJSON_CreateArray();
		rc = db_rows(db, d, "SELECT signed_by, at FROM decisions WHERE "
			     "id = ?", "s", jstr(o, "decision"));
		if (!rc && cJSON_GetArraySize(d) == 1) {
			cJSON *row = cJSON_GetArrayItem(d, 0);
			cJSON_AddItemToObject(o, "signed_by", cJSON_DetachItemFromObject(
						      row, "signed_by"));
			cJSON_AddItemToObject(o, "at", cJSON_DetachItemFromObject(
						      row, "at"));
		}
		cJSON_Delete(d);
		if (rc)
			break;
	}
	return rc;
}

int
state_list(struct db *db, enum list l, const cJSON *filter, cJSON **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = cJSON_CreateArray();
	if (!*out)
		return DD_E_NOMEM;
	if (l == LIST_RESPONSES) {
		rc = list_responses(db, *out);
	} else if (l < 0 || l >= LIST_N || !list_sql[l]) {
		rc = DD_E_INVALID;
	} else if (!(st = db_prep(db, list_sql[l]))) {
		rc = db_prep_err(db);
	} else if ((rc = bind_filter(db, st, l, filter)) == 0 &&
		   (l != LIST_CALLBACKS || (rc = bind_now(db, st, filter)) == 0)) {
		/* db_rows binds nothing more; the filter is already bound. */
		rc = db_rows(db, *out, list_sql[l], "");
		/* The follow-ups due at fixed times follow the local day:
		 * worked out per row, not in SQL. */
		if (!rc && (l == LIST_INCIDENTS || l == LIST_LATE))
			rc = followup_rows(db, *out);
	} else {
		db_reset(st);
	}
	if (rc) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

_Static_assert(REPORT_WRITTEN_SECS >= REPORT_PHONE_SECS,
	       "duty_counts' late adds the written clock to the phone one");

int
duty_counts(struct db *db, int64_t now, struct duty_counts *c)
{
	int64_t alone = 0;
	int rc;

	memset(c, 0, sizeof *c);
	/* Each count reads one partial index, never the table. */
	if ((rc = db_int(db, &c->open, "SELECT count(*) FROM incidents WHERE "
			 "status_rank < 4 AND deleted = 0 AND received_at IS NOT "
			 "NULL", NULL)) < 0 ||
	    (rc = db_int(db, &c->phone_late, "SELECT count(*) FROM incidents "
			 "WHERE status_rank < 4 AND deleted = 0 AND phone_at IS NULL "
			 "AND received_at < ?", "i", now - REPORT_PHONE_SECS)) < 0 ||
	    (rc = db_int(db, &c->written_late, "SELECT count(*) FROM incidents "
			 "WHERE status_rank < 4 AND deleted = 0 AND written_at IS "
			 "NULL AND received_at < ?", "i",
			 now - REPORT_WRITTEN_SECS)) < 0 ||
	    /* The written clock runs out after the phone one, so an
	     * incident late on both is among phone_late already: add
	     * those late on the written report alone. */
	    (rc = db_int(db, &c->late, "SELECT count(*) FROM incidents "
			 "WHERE status_rank < 4 AND deleted = 0 AND written_at IS "
			 "NULL AND received_at < ? AND phone_at IS NOT NULL", "i",
			 now - REPORT_WRITTEN_SECS)) < 0 ||
	    (rc = db_int(db, &c->teams_out, "SELECT count(*) FROM teams WHERE "
			 "status NOT IN ('available', 'out_of_service')", NULL)) < 0 ||
	    (rc = db_int(db, &c->unanswered_late, "SELECT count(*) FROM "
			 "warning_towns t JOIN warnings w ON w.id = t.warning WHERE "
			 "w.at < ?1 - CASE w.color WHEN 'red' THEN ?2 WHEN 'orange' "
			 "THEN ?3 WHEN 'yellow' THEN ?4 ELSE ?5 END AND NOT EXISTS "
			 "(SELECT 1 FROM answers a WHERE a.warning = t.warning AND "
			 "a.town = t.town)", "iiiii", now,
			 warning_silent_secs(db, "red"),
			 warning_silent_secs(db, "orange"),
			 warning_silent_secs(db, "yellow"),
			 warning_silent_secs(db, "blue"))) < 0 ||
	    (rc = incident_due_soon(db, now, &c->phone_soon,
				    &c->written_soon)) < 0 ||
	    (rc = followup_counts(db, now, &c->followup_late,
				  &c->followup_soon, &alone, NULL)) < 0 ||
	    (rc = duty_newest(db, c->newest)) < 0)
		return rc;
	/* An incident late on its fixed-time follow-up alone counts too. */
	c->late += c->phone_late + alone;
	return 0;
}

int
duty_newest(struct db *db, char out[64])
{
	int rc;

	out[0] = 0;
	rc = db_text(db, out, 64, "SELECT id FROM incidents WHERE rowid = "
		     "(SELECT max(rowid) FROM incidents)", NULL);
	return rc < 0 ? rc : 0;
}

/* ---- export ---- */

static int
add_rows(struct db *db, cJSON *obj, const char *name, const char *sql)
{
	cJSON *arr = cJSON_AddArrayToObject(obj, name);
	return arr ? db_rows(db, arr, sql, NULL) : DD_E_NOMEM;
}

/* Nest the rows a query gives for each element's id under key. */
static int
nest(struct db *db, cJSON *arr, const char *idkey, const char *key,
     const char *sql)
{
	cJSON *o;
	int rc = 0;

	cJSON_ArrayForEach(o, arr) {
		cJSON *sub = cJSON_AddArrayToObject(o, key);
		if (!sub)
			return DD_E_NOMEM;
		if ((rc = db_rows(db, sub, sql, "s", jstr(o, idkey))))
			break;
	}
	return rc;
}

/* Every record object under node, nested ones too (an incident's
 * reports, a warning's answers), says it belongs to a drill. */
static int
mark_drill(cJSON *node)
{
	cJSON *c;
	int rc;

	cJSON_ArrayForEach(c, node) {
		if (cJSON_IsObject(c) && cJSON_IsArray(node) &&
		    !cJSON_AddBoolToObject(c, "drill", 1))
			return DD_E_NOMEM;
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && (rc = mark_drill(c)))
			return rc;
	}
	return 0;
}

int
state_export(struct db *db, cJSON **out)
{
	cJSON *x = cJSON_CreateObject(), *arr, *o;
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1], *text, realm[40] = "";
	int rc;

	*out = NULL;
	if (!x)
		return DD_E_NOMEM;
	/* A drill's export says so first and on every record, so no copy of
	 * it can pass for the live state; the live export has neither mark
	 * and stays as it always was. The realm is replicated (every replica
	 * of a realm holds the same), so two replicas still print the same
	 * bytes. */
	if ((rc = meta_get_text(db, "realm", realm, sizeof realm)) < 0)
		goto out;
	rc = 0;
	if (realm_is_drill(realm) &&
	    (!cJSON_AddBoolToObject(x, "drill", 1) ||
	     !cJSON_AddStringToObject(x, "realm", realm))) {
		rc = DD_E_NOMEM;
		goto out;
	}
	/* Everything here is replicated state, sorted by id: two replicas
	 * that hold the same operations print the same bytes. */
	if ((rc = add_rows(db, x, "towns", "SELECT id, name, pinyin, area, deleted "
			   "FROM towns ORDER BY id")) ||
	    (rc = add_rows(db, x, "teams", "SELECT id, name, pinyin, kind, town, "
			   "members, leader, phone, speciality, deleted, status, "
			   "status_at, dispatch FROM teams ORDER BY id")) ||
	    (rc = add_rows(db, x, "depots", "SELECT id, name, pinyin, town, deleted "
			   "FROM depots ORDER BY id")) ||
	    (rc = add_rows(db, x, "supply_kinds", "SELECT id, name, pinyin, "
			   "name_en, unit, unit_en, need_per_100, low, deleted FROM "
			   "supply_kinds ORDER BY id")) ||
	    (rc = add_rows(db, x, "stock", "SELECT item, depot, qty FROM stock "
			   "ORDER BY item, depot")) ||
	    (rc = add_rows(db, x, "shelters", "SELECT id, name, pinyin, town, "
			   "capacity, address, manager, phone, open, occupancy, "
			   "deleted FROM shelters ORDER BY id")) ||
	    (rc = add_rows(db, x, "incidents", "SELECT id, title, town, place, kind, "
			   "severity, received_at, cause, actions, trend, dead, "
			   "injured, missing, trapped, evacuated, caller_unit, "
			   "caller_name, caller_phone, notified, recorder, deleted, "
			   "status, status_gen, status_at, opened_by AS officer "
			   "FROM incidents i ORDER BY id")))
		goto out;
	arr = cJSON_GetObjectItemCaseSensitive(x, "incidents");
	if ((rc = nest(db, arr, "id", "reports", "SELECT id, type, channel, text, "
		       "at, officer, signed_at, signed_by, signed_name FROM reports "
		       "WHERE incident = ? ORDER BY id")) ||
	    (rc = add_rows(db, x, "dispatches", "SELECT id, team, incident, "
			   "follows, at, en_route_at, on_scene_at, returning_at, "
			   "available_at, officer, station FROM dispatches ORDER BY "
			   "id")))
		goto out;
	arr = cJSON_AddArrayToObject(x, "responses");
	if ((rc = list_responses(db, arr)))
		goto out;
	cJSON_ArrayForEach(o, arr)
		cJSON_DeleteItemFromObject(o, "level_name");
	if ((rc = nest(db, arr, "hazard", "decisions", "SELECT id, action, level, "
		       "signed_by, note, at, officer, station, (SELECT "
		       "group_concat(follows, ' ') FROM (SELECT follows FROM follows "
		       "f WHERE f.decision = d.id ORDER BY follows)) AS follows FROM "
		       "decisions d WHERE hazard = ? ORDER BY id")) ||
	    (rc = nest(db, arr, "hazard", "checked", "SELECT t.episode, t.item, "
		       "t.checked, t.officer, t.at FROM ticks t JOIN decisions d ON "
		       "d.id = t.episode WHERE d.hazard = ? ORDER BY t.episode, "
		       "t.item")) ||
	    (rc = add_rows(db, x, "warnings", "SELECT id, hazard, color, text, at, "
			   "officer, station FROM warnings ORDER BY id")))
		goto out;
	arr = cJSON_GetObjectItemCaseSensitive(x, "warnings");
	if ((rc = nest(db, arr, "id", "towns", "SELECT town FROM warning_towns "
		       "WHERE warning = ? ORDER BY town")) ||
	    (rc = nest(db, arr, "id", "answers", "SELECT id, town, who, at, officer "
		       "FROM answers WHERE warning = ? ORDER BY id")) ||
	    (rc = nest(db, arr, "id", "people", "SELECT town, contact, name, phone "
		       "FROM warning_people WHERE warning = ? ORDER BY n")) ||
	    (rc = nest(db, arr, "id", "risks", "SELECT point FROM warning_risks "
		       "WHERE warning = ? ORDER BY point")) ||
	    (rc = add_rows(db, x, "log", "SELECT id, kind, text, to_officer, at, "
			   "officer, station, EXISTS (SELECT 1 FROM log_marks m "
			   "WHERE m.log = log.id AND m.mark = 'unrostered') AS "
			   "unrostered FROM log ORDER BY id")) ||
	    (rc = add_rows(db, x, "settings", "SELECT scope, key, value FROM "
			   "settings ORDER BY scope, key")) ||
	    (rc = add_rows(db, x, "contacts", "SELECT id, name, pinyin, phones, "
			   "unit, role, town, answers_for AS for, deleted FROM "
			   "contacts ORDER BY id")) ||
	    (rc = add_rows(db, x, "roster", "SELECT id, station, date, start_at, "
			   "hours, leader, officer1, officer2, deleted FROM shifts "
			   "ORDER BY id")) ||
	    (rc = add_rows(db, x, "calls", "SELECT id, at, contact, name, number, "
			   "outcome, incoming, incident, warning, note, officer, "
			   "station FROM calls ORDER BY id")) ||
	    (rc = add_rows(db, x, "checks", "SELECT id, town, who, name, answered, "
			   "at, officer, station FROM checks ORDER BY id")) ||
	    (rc = add_rows(db, x, "stats", "SELECT town, date, field, value, "
			   "reason, at, officer, station FROM stats ORDER BY town, "
			   "date, field")) ||
	    (rc = add_rows(db, x, "signoffs", "SELECT id, report, contact, name, "
			   "at, officer, station FROM signoffs ORDER BY id")) ||
	    (rc = add_rows(db, x, "requests", "SELECT id, town, item, qty, "
			   "team_kind, incident, note, at, officer, station FROM "
			   "requests ORDER BY id")))
		goto out;
	arr = cJSON_GetObjectItemCaseSensitive(x, "requests");
	if ((rc = nest(db, arr, "id", "steps", "SELECT id, step, qty, depot, team, "
		       "reason, ref, at, officer, station FROM request_steps WHERE "
		       "request = ? ORDER BY id")) ||
	    (rc = add_rows(db, x, "risk_points", "SELECT id, name, pinyin, kind, "
			   "town, village, people, monitor, moved, cleared_at, "
			   "deleted FROM risk_points ORDER BY id")))
		goto out;
	arr = cJSON_GetObjectItemCaseSensitive(x, "risk_points");
	if ((rc = nest(db, arr, "id", "moves", "SELECT id, n, at, officer, station "
		       "FROM risk_moves WHERE point = ? ORDER BY id")))
		goto out;
	arr = cJSON_AddArrayToObject(x, "conflicts");
	if ((rc = db_rows(db, arr, list_sql[LIST_CONFLICTS], NULL)) ||
	    (realm_is_drill(realm) && (rc = mark_drill(x))))
		goto out;
	text = cJSON_PrintUnformatted(x);
	if (!text) {
		rc = DD_E_NOMEM;
		goto out;
	}
	crypto_hash_sha256(hash, (const unsigned char *)text, strlen(text));
	free(text);
	sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
	cJSON_AddStringToObject(x, "digest", hex);
out:
	if (rc)
		cJSON_Delete(x);
	else
		*out = x;
	return rc;
}

int
state_export_server(struct db *db, int wait_ms, cJSON **out, int64_t *behind)
{
	struct timespec nap = { 0, 50 * 1000000L };
	int64_t head, projected;
	int waited = 0, rc, end;

	*out = NULL;
	*behind = 0;
	for (;;) {
		/* One snapshot: the log's head, the projection's cursor and
		 * the state, read in the same read transaction. */
		if ((rc = db_exec(db, "BEGIN", NULL)))
			return rc;
		if ((rc = replica_head(db, &head)) == 0 &&
		    (rc = replica_projected(db, &projected)) == 0) {
			*behind = head - projected;
			if (*behind <= 0)
				rc = state_export(db, out);
		}
		end = db_exec(db, "COMMIT", NULL);
		if (rc || (rc = end) || *behind <= 0)
			break;
		if (waited >= wait_ms)
			return db_fail(db, DD_E_DB_BUSY, "the state is %lld "
				       "operations behind the log",
				       (long long)*behind);
		nanosleep(&nap, NULL);
		waited += 50;
	}
	if (rc) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}
