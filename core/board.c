/*
 * board.c - the town board: one row per town of what the county must
 * look at now (late reports, casualties, people moved and sheltered,
 * teams out, warnings unanswered, open requests, risk points, and when
 * the town's station was last heard from), in the order the command
 * station works through them. One query: each table is read once,
 * grouped by town, never once per town.
 */
#include "private.h"

#include <stdlib.h>
#include <string.h>

/*
 * ?1 and ?2: the phone and written deadlines as they stand now (an
 * incident received before ?1 owes its phone report, before ?2 its
 * written one); ?3 now, ?4 .. ?7 the silent limits of red, orange,
 * yellow and blue; ?8 the incidents whose fixed-time follow-up is
 * overdue (a JSON array: followup_counts works them out, as duty_counts
 * counts them).
 *
 * A town station's operations are those of the station whose code is
 * the town's, or whose setting station.town names it (as station_town
 * says it on that station); the newest of them is its head's, the
 * highest sequence held of each incarnation (heads), so the log is not
 * read beyond one row per incarnation.
 */
static const char board_sql[] =
	"WITH inc AS (SELECT town, count(*) AS open, "
	"sum(" INCIDENT_LATE_SQL("?1", "?2") " OR id IN (SELECT value FROM "
	"json_each(?8))) AS late, "
	"sum(coalesce(dead, 0)) AS dead, sum(coalesce(injured, 0)) AS injured, "
	"sum(coalesce(missing, 0)) AS missing, "
	"sum(coalesce(trapped, 0)) AS trapped, "
	"sum(coalesce(evacuated, 0)) AS evacuated FROM incidents WHERE "
	"status_rank < 4 AND deleted = 0 AND received_at IS NOT NULL "
	"GROUP BY town), "
	"sh AS (SELECT town, sum(occupancy) AS sheltered, "
	"sum(coalesce(capacity, 0)) AS capacity FROM shelters WHERE "
	"deleted = 0 AND open = 1 GROUP BY town), "
	/* A team is out at the town its current dispatch sent it to. */
	"tm AS (SELECT i.town, count(*) AS teams_out FROM teams t JOIN "
	"dispatches d ON d.id = t.dispatch JOIN incidents i ON i.id = "
	"d.incident WHERE t.deleted = 0 AND t.status NOT IN ('available', "
	"'out_of_service') GROUP BY i.town), "
	"wn AS (SELECT t.town, count(*) AS unanswered, sum(w.at < ?3 - CASE "
	"w.color WHEN 'red' THEN ?4 WHEN 'orange' THEN ?5 WHEN 'yellow' THEN "
	"?6 ELSE ?7 END) AS silent FROM warning_towns t JOIN warnings w ON "
	"w.id = t.warning WHERE NOT EXISTS (SELECT 1 FROM answers a WHERE "
	"a.warning = t.warning AND a.town = t.town) GROUP BY t.town), "
	/* Open as request_list says: neither received nor refused; an
	 * approval and a refusal in force at once (a conflict) is open. */
	REQUEST_LIVE_CTE ", "
	"rq AS (SELECT town, count(*) AS requests FROM requests r WHERE "
	"r.at IS NOT NULL AND " REQUEST_OPEN_SQL("r") " GROUP BY town), "
	/* The points risk_list holds: one held bare (a change or a move
	 * that arrived before the point) is not one yet. */
	"rk AS (SELECT town, count(*) AS risk_points, count(cleared_at) AS "
	"risk_cleared, sum(coalesce(people, 0)) AS risk_people, sum(moved) AS "
	"risk_moved FROM risk_points WHERE deleted = 0 AND name IS NOT NULL "
	"GROUP BY town), "
	"st AS (SELECT CASE WHEN EXISTS (SELECT 1 FROM towns x WHERE x.id = "
	"h.station) THEN h.station ELSE (SELECT value FROM settings s WHERE "
	"s.scope = '@' || h.station AND s.key = 'station.town') END AS town, "
	"h.station, o.hlc FROM heads h JOIN ops o ON o.n = h.n), "
	"heard AS (SELECT town, station, max(hlc) AS hlc FROM st WHERE town IS "
	"NOT NULL GROUP BY town) "
	"SELECT tw.id AS town, tw.name, tw.pinyin, "
	"coalesce(inc.open, 0) AS open, coalesce(inc.late, 0) AS late, "
	"coalesce(inc.dead, 0) AS dead, coalesce(inc.injured, 0) AS injured, "
	"coalesce(inc.missing, 0) AS missing, "
	"coalesce(inc.trapped, 0) AS trapped, "
	"coalesce(inc.evacuated, 0) AS evacuated, "
	"coalesce(sh.sheltered, 0) AS sheltered, "
	"coalesce(sh.capacity, 0) AS capacity, "
	"coalesce(tm.teams_out, 0) AS teams_out, "
	"coalesce(wn.unanswered, 0) AS unanswered, "
	"coalesce(wn.silent, 0) AS silent, "
	"coalesce(rq.requests, 0) AS requests, "
	"coalesce(rk.risk_points, 0) AS risk_points, "
	"coalesce(rk.risk_cleared, 0) AS risk_cleared, "
	"coalesce(rk.risk_people, 0) AS risk_people, "
	"coalesce(rk.risk_moved, 0) AS risk_moved, "
	"heard.station AS heard_station, "
	"(heard.hlc >> 16) / 1000 AS last_heard_at "
	"FROM towns tw LEFT JOIN inc ON inc.town = tw.id "
	"LEFT JOIN sh ON sh.town = tw.id LEFT JOIN tm ON tm.town = tw.id "
	"LEFT JOIN wn ON wn.town = tw.id LEFT JOIN rq ON rq.town = tw.id "
	"LEFT JOIN rk ON rk.town = tw.id LEFT JOIN heard ON heard.town = tw.id "
	"WHERE tw.deleted = 0 "
	/* Late reports first, then the silent towns, then the one heard
	 * from longest ago (never: before any), then by code. */
	"ORDER BY late DESC, silent DESC, heard.hlc IS NOT NULL, heard.hlc, "
	"tw.id";

int
board_rows(struct db *db, cJSON **out)
{
	int64_t now = clock_now(&db->clock), late, soon, alone;
	cJSON *fu = cJSON_CreateArray();
	char *ids = NULL;
	int rc;

	if (!(*out = cJSON_CreateArray()) || !fu) {
		cJSON_Delete(fu);
		cJSON_Delete(*out);
		*out = NULL;
		return DD_E_NOMEM;
	}
	rc = followup_counts(db, now, &late, &soon, &alone, fu);
	if (!rc && !(ids = cJSON_PrintUnformatted(fu)))
		rc = DD_E_NOMEM;
	if (!rc)
		rc = db_rows(db, *out, board_sql, "iiiiiiis",
			     now - REPORT_PHONE_SECS, now - REPORT_WRITTEN_SECS,
			     now, warning_silent_secs(db, "red"),
			     warning_silent_secs(db, "orange"),
			     warning_silent_secs(db, "yellow"),
			     warning_silent_secs(db, "blue"), ids);
	free(ids);
	cJSON_Delete(fu);
	if (rc) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}
