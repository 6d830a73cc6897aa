/*
 * team.c - rescue teams and their dispatch to incidents. A team's status
 * is one last-writer-wins register fed by dispatches and status steps;
 * each step of a dispatch is timed on the dispatch. A dispatch names the
 * team's previous dispatch it knew of, so two stations sending the same
 * team at once is a conflict a person sees.
 */
#include "private.h"

#include <stdio.h>
#include <string.h>

const char *const team_status_names[] = { "available", "dispatched",
	"en_route", "on_scene", "returning", "out_of_service", NULL };

const struct field dispatch_schema[] = {
	{ "team", F_STR, 1, 0, 63, NULL },
	{ "incident", F_STR, 1, 0, 63, NULL },
	{ "follows", F_STR, 1, 0, 63, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field team_status_schema[] = {
	{ "status", F_ENUM, 1, 0, 0, team_status_names },
	{ "dispatch", F_STR, 0, 0, 63, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const char *
team_status_name(int s)
{
	return s >= 0 && s < TEAM_NSTATUS ? team_status_names[s] : "?";
}

int
team_status_parse(const char *s)
{
	return str_in(s, team_status_names);
}

static int
team_claim(struct db *db, const struct op *op, const char *team,
	   const char *status, const char *dispatch, int64_t at)
{
	int rc;

	if ((rc = db_exec(db, "INSERT OR IGNORE INTO teams(id) VALUES(?)", "s",
			  team)))
		return rc;
	rc = lww_claim(db, op, "teams", team, "status");
	if (rc <= 0)
		return rc;
	return db_exec(db, "UPDATE teams SET status = ?, status_at = ?, "
		       "dispatch = ? WHERE id = ?", "siss", status, at, dispatch,
		       team);
}

int
apply_dispatch(struct db *db, const struct op *op)
{
	const char *team = jstr(op->body, "team");
	int64_t at = 0;
	int rc;

	jtime(op->body, "at", &at);
	rc = db_exec(db, "INSERT INTO dispatches(id, team, incident, follows, at, "
		     "officer, station) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) "
		     "ON CONFLICT(id) DO UPDATE SET team = ?2, incident = ?3, "
		     "follows = ?4, at = ?5, officer = ?6, station = ?7",
		     "ssssiss", op->entity, team, jstr(op->body, "incident"),
		     jstr(op->body, "follows"), at, op->officer, op->station);
	if (rc == 0)
		rc = team_claim(db, op, team, "dispatched", op->entity, at);
	return rc;
}

int
apply_team_status(struct db *db, const struct op *op)
{
	static const char *const step_sql[] = {
		[TEAM_AVAILABLE] = "UPDATE dispatches SET available_at = ? WHERE id = ?",
		[TEAM_EN_ROUTE] = "UPDATE dispatches SET en_route_at = ? WHERE id = ?",
		[TEAM_ON_SCENE] = "UPDATE dispatches SET on_scene_at = ? WHERE id = ?",
		[TEAM_RETURNING] = "UPDATE dispatches SET returning_at = ? WHERE id = ?",
	};
	const char *status = jstr(op->body, "status");
	const char *dispatch = jstr(op->body, "dispatch");
	int s = team_status_parse(status);
	int64_t at = 0;
	int rc = 0;

	jtime(op->body, "at", &at);
	if (dispatch && *dispatch && s >= 0 && s < (int)(sizeof step_sql /
	    sizeof step_sql[0]) && step_sql[s]) {
		if ((rc = db_exec(db, "INSERT OR IGNORE INTO dispatches(id) VALUES(?)",
				  "s", dispatch)))
			return rc;
		rc = lww_claim(db, op, "dispatches", dispatch, status);
		if (rc < 0)
			return rc;
		if (rc == 1 && (rc = db_exec(db, step_sql[s], "is", at, dispatch)))
			return rc;
	}
	return team_claim(db, op, op->entity, status,
			  s == TEAM_AVAILABLE || s == TEAM_OUT_OF_SERVICE ||
			  !dispatch || !*dispatch ? NULL : dispatch, at);
}

static int
team_state(struct db *db, const char *team, int *status, char disp[64])
{
	sqlite3_stmt *st = db_prep(db, "SELECT status, dispatch FROM teams "
				   "WHERE id = ?");
	int s;

	if (!st)
		return db_prep_err(db);
	sqlite3_bind_text(st, 1, team, -1, SQLITE_TRANSIENT);
	s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		const unsigned char *d = sqlite3_column_text(st, 1);
		*status = team_status_parse((const char *)sqlite3_column_text(st, 0));
		snprintf(disp, 64, "%s", d ? (const char *)d : "");
	}
	db_reset(st);
	return s == SQLITE_ROW ? 1 : s == SQLITE_DONE ? 0 : db_rc(db, s);
}

int
dispatch_create(struct db *db, const char *team, const char *incident,
		char id_out[64])
{
	char code[64], disp[64], follows[64] = "";
	cJSON *body = cJSON_CreateObject();
	int64_t rank = 0;
	int rc, status = 0;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = ref_find(db, REF_TEAM, team, code)) <= 0) {
		rc = rc < 0 ? rc : DD_E_NOTFOUND;
		goto end;
	}
	rc = db_int(db, &rank, "SELECT status_rank FROM incidents WHERE id = ? "
		    "AND deleted = 0 AND received_at IS NOT NULL", "s",
		    incident ? incident : "");
	if (rc <= 0) {
		rc = rc < 0 ? rc : db_fail(db, DD_E_NOTFOUND, "no incident '%s'",
					   incident ? incident : "");
		goto end;
	}
	if (rank == INC_CLOSED) {
		rc = db_fail(db, DD_E_REFUSED, "incident %s is closed", incident);
		goto end;
	}
	if ((rc = team_state(db, code, &status, disp)) < 0)
		goto end;
	if (status != TEAM_AVAILABLE) {
		rc = db_fail(db, DD_E_REFUSED, "team %s is %s%s%s", code,
			     status == TEAM_OUT_OF_SERVICE ? "out of service"
			     : "already out (", status == TEAM_OUT_OF_SERVICE ? ""
			     : team_status_name(status),
			     status == TEAM_OUT_OF_SERVICE ? "" : ")");
		goto end;
	}
	if ((rc = db_text(db, follows, sizeof follows, "SELECT id FROM dispatches "
			  "WHERE team = ? ORDER BY at DESC, id DESC LIMIT 1", "s",
			  code)) < 0)
		goto end;
	cJSON_AddStringToObject(body, "team", code);
	cJSON_AddStringToObject(body, "incident", incident);
	cJSON_AddStringToObject(body, "follows", follows);
	jset_time(body, "at", clock_now(&db->clock));
	if (!(rc = id_next(db, id_out)))
		rc = op_submit(db, "dispatch.create", id_out, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}

int
team_set_status(struct db *db, const char *team, const char *status)
{
	char code[64], disp[64] = "";
	cJSON *body = cJSON_CreateObject();
	int rc, cur = 0, want = team_status_parse(status);

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = ref_find(db, REF_TEAM, team, code)) <= 0) {
		rc = rc < 0 ? rc : DD_E_NOTFOUND;
		goto end;
	}
	if ((rc = team_state(db, code, &cur, disp)) < 0)
		goto end;
	rc = 0;
	if (want < 0 || want == TEAM_DISPATCHED) {
		rc = db_fail(db, DD_E_INVALID, "status is en_route, on_scene, "
			     "returning, available or out_of_service%s",
			     want == TEAM_DISPATCHED ? " (use dispatch to send a team)"
			     : "");
	} else if (want == cur) {
		rc = db_fail(db, DD_E_REFUSED, "team %s is already %s", code,
			     team_status_name(cur));
	} else if (want == TEAM_OUT_OF_SERVICE) {
		if (cur != TEAM_AVAILABLE)
			rc = db_fail(db, DD_E_REFUSED, "team %s is out (%s); bring it "
				     "back first", code, team_status_name(cur));
	} else if (cur == TEAM_OUT_OF_SERVICE && want != TEAM_AVAILABLE) {
		rc = db_fail(db, DD_E_REFUSED, "team %s is out of service; bring it "
			     "back to available first", code);
	} else if (cur == TEAM_AVAILABLE) {
		rc = db_fail(db, DD_E_REFUSED, "team %s is not out; dispatch it to "
			     "an incident first", code);
	} else if (want != TEAM_AVAILABLE && want <= cur) {
		rc = db_fail(db, DD_E_REFUSED, "team %s is already %s; steps only "
			     "move forward", code, team_status_name(cur));
	}
	if (rc)
		goto end;
	cJSON_AddStringToObject(body, "status", team_status_names[want]);
	if (disp[0])
		cJSON_AddStringToObject(body, "dispatch", disp);
	jset_time(body, "at", clock_now(&db->clock));
	rc = op_submit(db, "team.status", code, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}
