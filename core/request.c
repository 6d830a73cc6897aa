/*
 * request.c - requests between levels: a town asks the county for
 * supplies (a kind and a quantity) or a team (a kind), tied to an
 * incident or not. The request is made once (request.add); what happens
 * to it is a list of steps (request.step: approve, refuse, send,
 * receive), append-only, and its state is worked out from them, so every
 * replica holding the same steps shows the same state in any order.
 *
 * A decision (approve or refuse) may name in ref the decisions it
 * settles. The decisions in force are those no other decision settles:
 * all approvals, approved; all refusals, refused; both (made at once on
 * two stations), a conflict, listed with the others and shown as the
 * state "conflict" until a decision made after both settles it. A send
 * or a receive carries in ref the supply movement or the dispatch it
 * made in the same transaction.
 */
#include "private.h"

#include <libintl.h>
#include <stdio.h>
#include <string.h>

#define DD_C_(ctx, s) ctx "\004" s

#define QTY_MAX 1000000000LL

static const char *const step_names[] = { "approve", "refuse", "send",
	"receive", NULL };
/* The steps of the command station (request.step) and the one a town
 * takes too (request.receive): two kinds, so that the server and every
 * replica refuse a town's approval on the ground of role. */
static const char *const county_steps[] = { "approve", "refuse", "send",
	NULL };
static const char *const town_steps[] = { "receive", NULL };

static const char *const state_names[] = { "requested", "approved",
	"refused", "conflict", "sent", "received", NULL };

const struct field request_schema[] = {
	{ "town", F_STR, 1, 0, 63, NULL },
	{ "item", F_STR, 0, 0, 63, NULL },
	{ "qty", F_INT, 0, 1, QTY_MAX, NULL },
	{ "team_kind", F_STR, 0, 0, 63, NULL },
	{ "incident", F_STR, 0, 0, 63, NULL },
	{ "note", F_STR, 0, 0, 2000, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

#define STEP_FIELDS \
	{ "qty", F_INT, 0, 1, QTY_MAX, NULL }, \
	{ "depot", F_STR, 0, 0, 63, NULL }, \
	{ "team", F_STR, 0, 0, 63, NULL }, \
	{ "reason", F_STR, 0, 0, 2000, NULL }, \
	{ "ref", F_STR, 0, 0, 2000, NULL }, \
	{ "at", F_TIME, 1, 0, 0, NULL }, \
	{ NULL, 0, 0, 0, 0, NULL }

const struct field request_step_schema[] = {
	{ "request", F_STR, 1, 0, 63, NULL },
	{ "step", F_ENUM, 1, 0, 0, county_steps },
	STEP_FIELDS
};

const struct field request_receive_schema[] = {
	{ "request", F_STR, 1, 0, 63, NULL },
	{ "step", F_ENUM, 1, 0, 0, town_steps },
	STEP_FIELDS
};
#undef STEP_FIELDS

/* The states in the reader's language. */
static const char *const state_words[] = {
	DD_C_("request state", "requested"), DD_C_("request state", "approved"),
	DD_C_("request state", "refused"), DD_C_("request state", "conflict"),
	DD_C_("request state", "sent"), DD_C_("request state", "received"),
};

const char *
request_state_name(int s)
{
	return s >= 0 && s < RQ_NSTATE ? state_names[s] : "?";
}

const char *
request_state_word(const char *code)
{
	const char *t;
	int s = str_in(code, state_names);

	if (s < 0)
		return code ? code : "";
	t = dgettext("dutydesk", state_words[s]);
	/* Untranslated: gettext gives the message back, context and all. */
	return t == state_words[s] ? strchr(t, '\004') + 1 : t;
}

/* A request asks for supplies (item and qty) or a team (team_kind),
 * never both: a ground of form, checked from the body alone. */
int
check_request(struct db *db, const struct op *op)
{
	const char *item = jstr(op->body, "item");
	const char *kind = jstr(op->body, "team_kind");
	int64_t qty;
	int has_qty = jint(op->body, "qty", &qty);

	if (item && *item && has_qty && !kind)
		return 0;
	if (kind && *kind && !item && !has_qty)
		return 0;
	return db_fail(db, DD_E_SCHEMA, "a request is an item with a qty or a "
		       "team_kind");
}

int
apply_request(struct db *db, const struct op *op)
{
	int64_t at = 0, qty = 0;
	int has_qty = jint(op->body, "qty", &qty);

	jtime(op->body, "at", &at);
	return db_exec(db, "INSERT OR IGNORE INTO requests(id, town, item, qty, "
		       "team_kind, incident, note, at, officer, station) VALUES(?1, "
		       "?2, ?3, CASE WHEN ?4 THEN ?5 END, ?6, ?7, ?8, ?9, ?10, ?11)",
		       "sssdisssiss", op->entity, jstr(op->body, "town"),
		       jstr(op->body, "item"), has_qty, qty,
		       jstr(op->body, "team_kind"), jstr(op->body, "incident"),
		       jstr(op->body, "note"), at, op->officer, op->station);
}

int
apply_request_step(struct db *db, const struct op *op)
{
	int64_t at = 0, qty = 0;
	int has_qty = jint(op->body, "qty", &qty);

	jtime(op->body, "at", &at);
	return db_exec(db, "INSERT OR IGNORE INTO request_steps(id, request, "
		       "step, qty, depot, team, reason, ref, at, officer, station) "
		       "VALUES(?1, ?2, ?3, CASE WHEN ?4 THEN ?5 END, ?6, ?7, ?8, ?9, "
		       "?10, ?11, ?12)", "sssdissssiss", op->entity,
		       jstr(op->body, "request"), jstr(op->body, "step"), has_qty,
		       qty, jstr(op->body, "depot"), jstr(op->body, "team"),
		       jstr(op->body, "reason"), jstr(op->body, "ref"), at,
		       op->officer, op->station);
}

/* The decisions in force: those no other decision of the request names
 * in its ref (the ids it settles, space-separated). */
#define LIVE_SQL "WITH " REQUEST_LIVE_CTE

/* ?1 town, ?2 request id (NULL: any), ?3 now. The approval shown is the
 * latest in force (by time, then id); what was sent, the first send. */
static const char list_sql[] = LIVE_SQL
	"SELECT r.id, r.town, r.item, r.qty, r.team_kind, r.incident, r.note, "
	"r.at, r.officer, r.station, k.name AS item_name, k.name_en AS "
	"item_en, k.unit, k.unit_en, max(0, ?3 - r.at) AS age_secs, "
	"(SELECT count(*) FROM live l WHERE l.request = r.id AND l.step = "
	"'approve') AS approves, (SELECT count(*) FROM live l WHERE l.request = "
	"r.id AND l.step = 'refuse') AS refuses, (SELECT count(*) FROM "
	"request_steps s WHERE s.request = r.id AND s.step = 'send') AS sends, "
	"(SELECT count(*) FROM request_steps s WHERE s.request = r.id AND "
	"s.step = 'receive') AS receives, (SELECT min(at) FROM request_steps s "
	"WHERE s.request = r.id AND s.step IN ('approve', 'refuse')) AS "
	"answered_at, a.qty AS approved_qty, a.depot, a.team, "
	"(SELECT group_concat(reason, '; ') FROM (SELECT reason FROM live l "
	"WHERE l.request = r.id AND l.step = 'refuse' ORDER BY l.at, l.id)) AS "
	"reason, (SELECT ref FROM request_steps s WHERE s.request = r.id AND "
	"s.step = 'send' ORDER BY s.at, s.id LIMIT 1) AS sent_ref, "
	"(SELECT qty FROM request_steps s WHERE s.request = r.id AND "
	"s.step = 'send' ORDER BY s.at, s.id LIMIT 1) AS sent_qty, "
	"(SELECT group_concat(id, ' ') FROM (SELECT id FROM live l WHERE "
	"l.request = r.id ORDER BY l.id)) AS decisions "
	"FROM requests r LEFT JOIN supply_kinds k ON k.id = r.item "
	"LEFT JOIN live a ON a.id = (SELECT id FROM live l "
	"WHERE l.request = r.id AND l.step = 'approve' ORDER BY l.at DESC, "
	"l.id DESC LIMIT 1) WHERE r.at IS NOT NULL AND (?1 IS NULL OR r.town = "
	"?1) AND (?2 IS NULL OR r.id = ?2) ORDER BY r.at, length(r.id), r.id";

static int
state_of(const cJSON *o)
{
	if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "receives")) > 0)
		return RQ_RECEIVED;
	if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "sends")) > 0)
		return RQ_SENT;
	if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "approves")) > 0)
		return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o,
			"refuses")) > 0 ? RQ_CONFLICT : RQ_APPROVED;
	if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "refuses")) > 0)
		return RQ_REFUSED;
	return RQ_REQUESTED;
}

int
request_list(struct db *db, const char *town, const char *id, int open,
	     cJSON **out)
{
	static const char *const counts[] = { "approves", "refuses", "sends",
		"receives" };
	cJSON *arr = cJSON_CreateArray(), *o, *next;
	int64_t now = clock_now(&db->clock);
	int64_t alert = setting_int(db, "request.alert", 30) * 60;
	int rc;
	size_t i;

	*out = NULL;
	if (!arr)
		return DD_E_NOMEM;
	if ((rc = db_rows(db, arr, list_sql, "ssi", town, id, now))) {
		cJSON_Delete(arr);
		return rc;
	}
	for (o = arr->child; o; o = next) {
		int s = state_of(o);
		int64_t age = (int64_t)cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(o, "age_secs"));
		next = o->next;
		if (open && (s == RQ_RECEIVED || s == RQ_REFUSED)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(arr, o));
			continue;
		}
		for (i = 0; i < sizeof counts / sizeof counts[0]; i++)
			cJSON_DeleteItemFromObjectCaseSensitive(o, counts[i]);
		cJSON_AddStringToObject(o, "state", state_names[s]);
		cJSON_AddBoolToObject(o, "open", s != RQ_RECEIVED &&
				      s != RQ_REFUSED);
		/* Unanswered past the limit: late, an alert at the county. */
		cJSON_AddBoolToObject(o, "late", s == RQ_REQUESTED && age >= alert);
	}
	*out = arr;
	return 0;
}

int
request_steps(struct db *db, const char *id, cJSON **out)
{
	cJSON *arr = cJSON_CreateArray();
	int rc;

	*out = NULL;
	if (!arr)
		return DD_E_NOMEM;
	if ((rc = db_rows(db, arr, "SELECT id, step, qty, depot, team, reason, "
			  "ref, at, officer, station FROM request_steps WHERE "
			  "request = ? ORDER BY at, CASE step WHEN 'send' THEN 1 "
			  "WHEN 'receive' THEN 2 ELSE 0 END, length(id), id", "s",
			  id))) {
		cJSON_Delete(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

/* ---- intake ---- */

/* A team kind by its code or its name (in the interface language, or
 * in Chinese whatever the language). */
int
request_team_kind(const char *s, char code_out[16])
{
	static const struct { const char *code, *zh; } kinds[] = {
		{ "municipal", "市级专业队" }, { "town", "镇街综合队" },
		{ "fire", "专职消防队" }, { "social", "社会力量" },
		{ "expert", "专家组" },
	};
	size_t i;

	if (!s)
		return 0;
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(s, kinds[i].code) == 0 || strcmp(s, kinds[i].zh) == 0 ||
		    strcmp(s, word(W_TEAM_KIND, kinds[i].code)) == 0) {
			snprintf(code_out, 16, "%s", kinds[i].code);
			return 1;
		}
	return 0;
}

/* What the intake checks need of a request: the row of request_list. */
static int
request_get(struct db *db, const char *id, cJSON **row, int *state)
{
	cJSON *list = NULL;
	int rc;

	*row = NULL;
	if ((rc = request_list(db, NULL, id ? id : "", 0, &list)))
		return rc;
	if (!list->child) {
		cJSON_Delete(list);
		return db_fail(db, DD_E_NOTFOUND, "no request '%s'", id ? id : "");
	}
	*row = cJSON_DetachItemFromArray(list, 0);
	cJSON_Delete(list);
	*state = str_in(jstr(*row, "state"), state_names);
	return 0;
}

static int
is_command(struct db *db, int *yes)
{
	struct station_info si;
	int rc = station_identity(db, &si);

	*yes = si.role == ROLE_COMMAND;
	return rc;
}

int
request_add(struct db *db, const char *town, const char *item, int64_t qty,
	    const char *team_kind, const char *incident, const char *note,
	    char id_out[64])
{
	char own[32], tcode[64], icode[64], kcode[16], inc[64];
	cJSON *body = cJSON_CreateObject();
	int rc, cmd = 0, mine;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = is_command(db, &cmd)) || (mine = station_town(db, own)) < 0) {
		rc = rc ? rc : mine;
		goto end;
	}
	if (!(item && *item) == !(team_kind && *team_kind)) {
		rc = db_fail(db, DD_E_INVALID, "a request asks for supplies "
			     "(--item and --qty) or a team (--team-kind)");
		goto end;
	}
	if (town && *town) {
		if ((rc = ref_find(db, REF_TOWN, town, tcode)) <= 0) {
			rc = rc < 0 ? rc : DD_E_NOTFOUND;
			goto end;
		}
		if (!cmd && (!mine || strcmp(tcode, own) != 0)) {
			rc = db_fail(db, DD_E_ROLE, "a town station asks for its "
				     "own town only");
			goto end;
		}
	} else if (mine == 1) {
		snprintf(tcode, sizeof tcode, "%s", own);
	} else {
		rc = db_fail(db, DD_E_INVALID, "this station serves no town: give "
			     "the town the request is for (--town)");
		goto end;
	}
	cJSON_AddStringToObject(body, "town", tcode);
	if (item && *item) {
		if (qty < 1 || qty > QTY_MAX) {
			rc = db_fail(db, DD_E_INVALID, "quantity must be a whole "
				     "number from 1 to 1000000000");
			goto end;
		}
		if ((rc = ref_find(db, REF_KIND, item, icode)) <= 0) {
			rc = rc < 0 ? rc : DD_E_NOTFOUND;
			goto end;
		}
		cJSON_AddStringToObject(body, "item", icode);
		cJSON_AddNumberToObject(body, "qty", (double)qty);
	} else {
		if (qty) {
			rc = db_fail(db, DD_E_INVALID, "a team is asked for without "
				     "a quantity");
			goto end;
		}
		if (!request_team_kind(team_kind, kcode)) {
			rc = db_fail(db, DD_E_NOTFOUND, "no team kind '%s' (municipal, "
				     "town, fire, social, expert)", team_kind);
			goto end;
		}
		cJSON_AddStringToObject(body, "team_kind", kcode);
	}
	if (incident && *incident) {
		if ((rc = ref_find(db, REF_INCIDENT, incident, inc)) <= 0) {
			rc = rc < 0 ? rc : DD_E_NOTFOUND;
			goto end;
		}
		cJSON_AddStringToObject(body, "incident", inc);
	}
	if (note && *note)
		cJSON_AddStringToObject(body, "note", note);
	jset_time(body, "at", clock_now(&db->clock));
	if (!(rc = id_next(db, id_out)))
		rc = op_submit(db, "request.add", id_out, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}

/* Submit a step of request id with body (its step, request and at are
 * added here). */
static int
step_submit(struct db *db, const char *id, int step, cJSON *body,
	    char id_out[64])
{
	int rc;

	cJSON_AddStringToObject(body, "request", id);
	cJSON_AddStringToObject(body, "step", step_names[step]);
	jset_time(body, "at", clock_now(&db->clock));
	if (!(rc = id_next(db, id_out)))
		rc = op_submit(db, step == RSTEP_RECEIVE ? "request.receive"
			       : "request.step", id_out, body);
	return rc;
}

/* The checks every step shares: the request exists, the station may take
 * the step (the county decides and sends; the asking town or the county
 * receives), and the state allows it. */
static int
step_begin(struct db *db, const char *id, int step, cJSON **row)
{
	char own[32];
	int rc, state = 0, cmd = 0, mine;

	if ((rc = request_get(db, id, row, &state)) || (rc = is_command(db, &cmd)))
		return rc;
	if (step != RSTEP_RECEIVE && !cmd)
		return db_fail(db, DD_E_ROLE, "only the command station approves, "
			       "refuses and sends a request");
	if (step == RSTEP_RECEIVE && !cmd) {
		if ((mine = station_town(db, own)) < 0)
			return mine;
		if (!mine || strcmp(own, jstr(*row, "town")) != 0)
			return db_fail(db, DD_E_ROLE, "request %s is %s's: only its "
				       "town or the county receives it", id,
				       jstr(*row, "town"));
	}
	switch (step) {
	case RSTEP_APPROVE:
	case RSTEP_REFUSE:
		if (state == RQ_REQUESTED || state == RQ_CONFLICT)
			return 0;
		if (state == RQ_APPROVED || state == RQ_REFUSED)
			return db_fail(db, DD_E_REFUSED, "request %s is already %s",
				       id, request_state_word(state_names[state]));
		return db_fail(db, DD_E_REFUSED, "request %s is already %s; it is "
			       "past deciding", id,
			       request_state_word(state_names[state]));
	case RSTEP_SEND:
		if (state == RQ_APPROVED)
			return 0;
		if (state == RQ_CONFLICT)
			return db_fail(db, DD_E_REFUSED, "request %s was both approved "
				       "and refused: approve or refuse it again first",
				       id);
		if (state == RQ_SENT || state == RQ_RECEIVED)
			return db_fail(db, DD_E_REFUSED, "request %s is already sent",
				       id);
		return db_fail(db, DD_E_REFUSED, "request %s is not approved", id);
	default:
		if (state == RQ_SENT)
			return 0;
		if (state == RQ_RECEIVED)
			return db_fail(db, DD_E_REFUSED, "request %s is already "
				       "received", id);
		return db_fail(db, DD_E_REFUSED, "request %s is not sent yet", id);
	}
}

/* A decision names the decisions in force it settles (a conflict). */
static void
add_settles(cJSON *body, const cJSON *row)
{
	const char *d = jstr(row, "decisions");

	if (d && *d)
		cJSON_AddStringToObject(body, "ref", d);
}

int
request_approve(struct db *db, const char *id, int64_t qty, const char *depot,
		const char *team, char id_out[64])
{
	char code[64];
	cJSON *body = cJSON_CreateObject(), *row = NULL;
	char status[32] = "";
	int64_t have, want = 0;
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = step_begin(db, id, RSTEP_APPROVE, &row)))
		goto end;
	if (jstr(row, "item")) {
		jint(row, "qty", &want);
		if (team && *team) {
			rc = db_fail(db, DD_E_INVALID, "request %s asks for supplies: "
				     "approve it from a depot (--depot)", id);
			goto end;
		}
		if (!depot || !*depot) {
			rc = db_fail(db, DD_E_INVALID, "give the depot that sends it "
				     "(--depot)");
			goto end;
		}
		if (qty < 0 || qty > QTY_MAX) {
			rc = db_fail(db, DD_E_INVALID, "quantity must be a whole "
				     "number from 1 to 1000000000");
			goto end;
		}
		if (qty == 0)
			qty = want;
		if ((rc = ref_find(db, REF_DEPOT, depot, code)) <= 0) {
			rc = rc < 0 ? rc : DD_E_NOTFOUND;
			goto end;
		}
		have = supply_stock(db, code, jstr(row, "item"));
		if (have < qty) {
			rc = db_fail(db, DD_E_REFUSED, "%s holds %lld %s; cannot "
				     "approve %lld", code, (long long)have,
				     jstr(row, "item"), (long long)qty);
			goto end;
		}
		cJSON_AddNumberToObject(body, "qty", (double)qty);
		cJSON_AddStringToObject(body, "depot", code);
	} else {
		if ((depot && *depot) || qty) {
			rc = db_fail(db, DD_E_INVALID, "request %s asks for a team: "
				     "approve it with --team", id);
			goto end;
		}
		if (!team || !*team) {
			rc = db_fail(db, DD_E_INVALID, "give the team to send (--team)");
			goto end;
		}
		if ((rc = ref_find(db, REF_TEAM, team, code)) <= 0) {
			rc = rc < 0 ? rc : DD_E_NOTFOUND;
			goto end;
		}
		if ((rc = db_text(db, status, sizeof status, "SELECT status FROM "
				  "teams WHERE id = ?", "s", code)) < 0)
			goto end;
		if (rc == 1 && strcmp(status, "available") != 0) {
			rc = db_fail(db, DD_E_REFUSED, "team %s is not available (%s)",
				     code, word(W_TEAM_STATUS, status));
			goto end;
		}
		cJSON_AddStringToObject(body, "team", code);
	}
	add_settles(body, row);
	rc = step_submit(db, id, RSTEP_APPROVE, body, id_out);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(row);
	cJSON_Delete(body);
	return rc;
}

int
request_refuse(struct db *db, const char *id, const char *reason,
	       char id_out[64])
{
	cJSON *body = cJSON_CreateObject(), *row = NULL;
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = step_begin(db, id, RSTEP_REFUSE, &row)))
		goto end;
	if (!reason || !*reason) {
		rc = db_fail(db, DD_E_INVALID, "say why it is refused (--reason)");
		goto end;
	}
	cJSON_AddStringToObject(body, "reason", reason);
	add_settles(body, row);
	rc = step_submit(db, id, RSTEP_REFUSE, body, id_out);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(row);
	cJSON_Delete(body);
	return rc;
}

int
request_send(struct db *db, const char *id, const char *incident,
	     char id_out[64], char ref_out[64])
{
	char note[96], inc[64];
	cJSON *body = cJSON_CreateObject(), *row = NULL;
	const char *to;
	int64_t qty = 0;
	int rc;

	if (!body)
		return DD_E_NOMEM;
	*ref_out = 0;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = step_begin(db, id, RSTEP_SEND, &row)))
		goto end;
	if (jstr(row, "item")) {
		jint(row, "approved_qty", &qty);
		snprintf(note, sizeof note, "request %s", id);
		/* The depot's issue and the step in one transaction: the
		 * stock leaves only with the request sent. */
		if ((rc = supply_move(db, MOVE_ISSUE, jstr(row, "item"),
				      jstr(row, "depot"), NULL, qty, note, ref_out)))
			goto end;
		cJSON_AddNumberToObject(body, "qty", (double)qty);
		cJSON_AddStringToObject(body, "depot", jstr(row, "depot"));
	} else {
		to = jstr(row, "incident");
		if (incident && *incident) {
			if ((rc = ref_find(db, REF_INCIDENT, incident, inc)) <= 0) {
				rc = rc < 0 ? rc : DD_E_NOTFOUND;
				goto end;
			}
			to = inc;
		}
		if (!to || !*to) {
			rc = db_fail(db, DD_E_INVALID, "request %s names no incident: "
				     "a team is sent to one (--incident)", id);
			goto end;
		}
		if ((rc = dispatch_create(db, jstr(row, "team"), to, ref_out)))
			goto end;
		cJSON_AddStringToObject(body, "team", jstr(row, "team"));
	}
	cJSON_AddStringToObject(body, "ref", ref_out);
	rc = step_submit(db, id, RSTEP_SEND, body, id_out);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(row);
	cJSON_Delete(body);
	return rc;
}

int
request_receive(struct db *db, const char *id, const char *depot,
		char id_out[64], char ref_out[64])
{
	char want[64], code[64], note[96];
	cJSON *body = cJSON_CreateObject(), *row = NULL;
	int64_t qty = 0;
	int rc;

	if (!body)
		return DD_E_NOMEM;
	*ref_out = 0;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = step_begin(db, id, RSTEP_RECEIVE, &row)))
		goto end;
	if (jstr(row, "item")) {
		/* The town's own depot unless told: the seed's are d-<town>. */
		if (depot && *depot)
			snprintf(want, sizeof want, "%s", depot);
		else
			snprintf(want, sizeof want, "d-%s", jstr(row, "town"));
		if ((rc = ref_find(db, REF_DEPOT, want, code)) <= 0) {
			rc = rc < 0 ? rc : DD_E_NOTFOUND;
			goto end;
		}
		/* What was sent arrives. */
		jint(row, "sent_qty", &qty);
		snprintf(note, sizeof note, "request %s", id);
		if ((rc = supply_move(db, MOVE_RECEIVE, jstr(row, "item"), code,
				      NULL, qty, note, ref_out)))
			goto end;
		cJSON_AddNumberToObject(body, "qty", (double)qty);
		cJSON_AddStringToObject(body, "depot", code);
		cJSON_AddStringToObject(body, "ref", ref_out);
	} else if (depot && *depot) {
		rc = db_fail(db, DD_E_INVALID, "request %s is for a team: no depot "
			     "receives it", id);
		goto end;
	}
	rc = step_submit(db, id, RSTEP_RECEIVE, body, id_out);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(row);
	cJSON_Delete(body);
	return rc;
}
