/*
 * warning.c - warnings issued to towns and their answers (叫应). Both
 * are append-only; a town's answer time is its first answer. The people
 * who must answer for each town (its town_leader and town_duty contacts)
 * are named when the warning is issued, in an operation of their own
 * made with it (warning.people), so every replica shows the same names
 * whatever the directory later becomes.
 */
#include "private.h"

#include <stdio.h>
#include <string.h>

static const char *const colors[] = { "blue", "yellow", "orange", "red", NULL };

const struct field warning_schema[] = {
	{ "hazard", F_STR, 1, 0, 31, NULL },
	{ "color", F_ENUM, 1, 0, 0, colors },
	{ "text", F_STR, 1, 0, 4000, NULL },
	{ "towns", F_STRS, 1, 0, 256, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field answer_schema[] = {
	{ "warning", F_STR, 1, 0, 63, NULL },
	{ "town", F_STR, 1, 0, 63, NULL },
	{ "who", F_STR, 0, 0, 100, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field people_schema[] = {
	{ "people", F_PEOPLE, 1, 0, 4096, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

int
apply_warning_people(struct db *db, const struct op *op)
{
	const cJSON *p;
	int rc = 0, n = 0;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(op->body, "people")) {
		if ((rc = db_exec(db, "INSERT OR IGNORE INTO warning_people(warning, "
				  "town, contact, name, phone, n) VALUES(?, ?, ?, ?, "
				  "?, ?)", "sssssd", op->entity, jstr(p, "town"),
				  jstr(p, "contact"), jstr(p, "name"), jstr(p, "phone"),
				  n++)))
			break;
	}
	return rc;
}

int64_t
warning_silent_secs(struct db *db, const char *color)
{
	char key[32];

	/* A named key: setting_int gives its default when it is not set. */
	snprintf(key, sizeof key, "silent.%s", color && str_in(color, colors) >= 0
		 ? color : "blue");
	return setting_int(db, key, 30) * 60;
}

int
apply_warning(struct db *db, const struct op *op)
{
	const cJSON *t;
	int64_t at = 0;
	int rc;

	jtime(op->body, "at", &at);
	rc = db_exec(db, "INSERT OR IGNORE INTO warnings(id, hazard, color, text, "
		     "at, officer, station) VALUES(?, ?, ?, ?, ?, ?, ?)", "ssssiss",
		     op->entity, jstr(op->body, "hazard"), jstr(op->body, "color"),
		     jstr(op->body, "text"), at, op->officer, op->station);
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(op->body, "towns")) {
		if (rc)
			break;
		rc = db_exec(db, "INSERT OR IGNORE INTO warning_towns(warning, town) "
			     "VALUES(?, ?)", "ss", op->entity, t->valuestring);
	}
	return rc;
}

int
apply_warning_answer(struct db *db, const struct op *op)
{
	int64_t at = 0;

	jtime(op->body, "at", &at);
	return db_exec(db, "INSERT OR IGNORE INTO answers(id, warning, town, who, "
		       "at, officer) VALUES(?, ?, ?, ?, ?, ?)", "ssssis", op->entity,
		       jstr(op->body, "warning"), jstr(op->body, "town"),
		       jstr(op->body, "who"), at, op->officer);
}

static int
hazard_name_ok(const char *h)
{
	size_t i, n = h ? strlen(h) : 0;

	for (i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || h[i] == '_'))
			return 0;
	return n > 0 && n < 32;
}

int
warning_people_body(struct db *db, const cJSON *towns, cJSON **out)
{
	cJSON *body = cJSON_CreateObject(), *people, *rows = cJSON_CreateArray();
	const cJSON *t, *r;
	int rc = 0;

	*out = NULL;
	if (!body || !rows || !(people = cJSON_AddArrayToObject(body, "people"))) {
		rc = DD_E_NOMEM;
		goto out;
	}
	cJSON_ArrayForEach(t, towns) {
		if ((rc = db_rows(db, rows, "SELECT town, id AS contact, name, "
				  "coalesce(phones, '') AS phone FROM contacts WHERE "
				  "town = ? AND deleted = 0 AND name IS NOT NULL AND "
				  "role IN ('town_leader', 'town_duty') ORDER BY role "
				  "<> 'town_leader', id", "s", t->valuestring)))
			goto out;
	}
	/* The rows are of the fields the schema of warning.people takes. */
	cJSON_ArrayForEach(r, rows) {
		cJSON *p = cJSON_CreateObject();
		if (!p || !cJSON_AddItemToArray(people, p)) {
			cJSON_Delete(p);
			rc = DD_E_NOMEM;
			goto out;
		}
		cJSON_AddStringToObject(p, "town", jstr(r, "town"));
		cJSON_AddStringToObject(p, "contact", jstr(r, "contact"));
		cJSON_AddStringToObject(p, "name", jstr(r, "name"));
		cJSON_AddStringToObject(p, "phone", jstr(r, "phone"));
	}
	if (cJSON_GetArraySize(people) > 0) {
		*out = body;
		body = NULL;
	}
out:
	cJSON_Delete(rows);
	cJSON_Delete(body);
	return rc;
}

/* The people of warning id, as an operation of the warning: those of
 * its towns, then the monitors of the risk points it names (points:
 * codes, or NULL), each under their point's town. */
static int
name_people(struct db *db, const char *id, const cJSON *towns,
	    const cJSON *points)
{
	cJSON *body;
	int rc = warning_people_body(db, towns, &body);

	if (!rc && !body && cJSON_GetArraySize(points) > 0 &&
	    (!(body = cJSON_CreateObject()) ||
	     !cJSON_AddArrayToObject(body, "people")))
		rc = DD_E_NOMEM;
	if (!rc && body && points)
		rc = risk_warning_people(db, points, cJSON_GetObjectItemCaseSensitive(
					 body, "people"));
	if (!rc && body && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
						body, "people")) > 0)
		rc = op_submit(db, "warning.people", id, body);
	cJSON_Delete(body);
	return rc;
}

int
warning_issue(struct db *db, const char *hazard, const char *color,
	      const char *text, const cJSON *towns, char id_out[64])
{
	return warning_issue_at(db, hazard, color, text, towns, 0, id_out);
}

int
warning_issue_at(struct db *db, const char *hazard, const char *color,
		 const char *text, const cJSON *towns, int64_t at,
		 char id_out[64])
{
	return warning_issue_risks(db, hazard, color, text, towns, NULL, at,
				   id_out);
}

int
warning_issue_risks(struct db *db, const char *hazard, const char *color,
		    const char *text, const cJSON *towns, const cJSON *risks,
		    int64_t at, char id_out[64])
{
	int64_t now = clock_now(&db->clock);
	cJSON *body = cJSON_CreateObject(), *list, *points = NULL, *rb = NULL;
	const cJSON *t;
	char code[64];
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if (!hazard_name_ok(hazard)) {
		rc = db_fail(db, DD_E_INVALID, "hazard is a word like typhoon, flood, "
			     "rainstorm");
	} else if (str_in(color, colors) < 0) {
		rc = db_fail(db, DD_E_INVALID, "colour is blue, yellow, orange or red");
	} else if (!text || !*text || strlen(text) > 4000) {
		rc = db_fail(db, DD_E_INVALID, "a warning needs its text (4000 bytes "
			     "at most)");
	} else if (at > now) {
		rc = db_fail(db, DD_E_INVALID, "a warning cannot be sent later "
			     "than now");
	}
	if (rc)
		goto end;
	cJSON_AddStringToObject(body, "hazard", hazard);
	cJSON_AddStringToObject(body, "color", color);
	cJSON_AddStringToObject(body, "text", text);
	list = cJSON_AddArrayToObject(body, "towns");
	if (cJSON_GetArraySize(towns) == 0) {
		rc = db_rows(db, list, "SELECT id FROM towns WHERE deleted = 0 "
			     "ORDER BY id", NULL);
		/* db_rows gives objects; keep only the codes. */
		{
			cJSON *o, *codes = cJSON_CreateArray();
			cJSON_ArrayForEach(o, list)
				cJSON_AddItemToArray(codes, cJSON_CreateString(jstr(o, "id")));
			cJSON_ReplaceItemInObjectCaseSensitive(body, "towns", codes);
			list = codes;
		}
		if (!rc && cJSON_GetArraySize(list) == 0)
			rc = db_fail(db, DD_E_REFUSED, "no towns to warn");
	}
	cJSON_ArrayForEach(t, towns) {
		if (rc)
			break;
		if (!cJSON_IsString(t) ||
		    (rc = ref_find(db, REF_TOWN, t->valuestring, code)) <= 0) {
			rc = rc < 0 ? rc : DD_E_NOTFOUND;
			break;
		}
		rc = 0;
		cJSON_AddItemToArray(list, cJSON_CreateString(code));
	}
	/* The risk points it names: their towns are warned too. */
	if (!rc && cJSON_GetArraySize(risks) > 0) {
		if (!(rb = cJSON_CreateObject()) ||
		    !(points = cJSON_AddArrayToObject(rb, "points")))
			rc = DD_E_NOMEM;
		else
			rc = risk_warning_points(db, risks, points, list);
	}
	jset_time(body, "at", at ? at : now);
	if (!rc && !(rc = id_next(db, id_out)))
		rc = op_submit(db, "warning.issue", id_out, body);
	if (!rc && points)
		rc = op_submit(db, "warning.risks", id_out, rb);
	if (!rc)
		rc = name_people(db, id_out, list, points);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(rb);
	cJSON_Delete(body);
	return rc;
}

int
warning_answer(struct db *db, const char *warning, const char *town,
	       const char *who, char id_out[64])
{
	cJSON *body = cJSON_CreateObject();
	char code[64];
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = db_int(db, NULL, "SELECT 1 FROM warnings WHERE id = ? AND "
			 "text IS NOT NULL", "s", warning ? warning : "")) <= 0) {
		rc = rc < 0 ? rc : db_fail(db, DD_E_NOTFOUND, "no warning '%s'",
					   warning ? warning : "");
		goto end;
	}
	if ((rc = ref_find(db, REF_TOWN, town, code)) <= 0) {
		rc = rc < 0 ? rc : DD_E_NOTFOUND;
		goto end;
	}
	if ((rc = db_int(db, NULL, "SELECT 1 FROM warning_towns WHERE warning = ? "
			 "AND town = ?", "ss", warning, code)) <= 0) {
		rc = rc < 0 ? rc : db_fail(db, DD_E_REFUSED, "warning %s was not "
					   "sent to %s", warning, code);
		goto end;
	}
	if ((rc = db_int(db, NULL, "SELECT 1 FROM answers WHERE warning = ? AND "
			 "town = ?", "ss", warning, code)) != 0) {
		rc = rc < 0 ? rc : db_fail(db, DD_E_REFUSED, "%s has already "
					   "answered warning %s", code, warning);
		goto end;
	}
	/* A person in the directory is written by name; one not in it, as
	 * typed; a name two contacts share, refused. */
	if (who && *who) {
		char contact[64], name[128];
		if ((rc = contact_find(db, who, contact)) < 0)
			goto end;
		if (rc == 1 && (rc = db_text(db, name, sizeof name, "SELECT name "
					    "FROM contacts WHERE id = ?", "s",
					    contact)) < 0)
			goto end;
		if (rc == 1)
			who = name[0] ? name : who;
		rc = 0;
		if (strlen(who) > 100) {
			rc = db_fail(db, DD_E_INVALID, "--who: 100 bytes at most");
			goto end;
		}
		cJSON_AddStringToObject(body, "who", who);
	}
	cJSON_AddStringToObject(body, "warning", warning);
	cJSON_AddStringToObject(body, "town", code);
	jset_time(body, "at", clock_now(&db->clock));
	if (!(rc = id_next(db, id_out)))
		rc = op_submit(db, "warning.answer", id_out, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}
