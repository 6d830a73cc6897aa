/*
 * response.c - emergency response levels per hazard. Decisions are
 * append-only and each names the decisions it follows; the level in
 * force is derived from the heads (decisions nobody follows yet), so it
 * is the same whatever order the decisions arrived in. Two heads that
 * disagree are a conflict: the more severe level shows until a command
 * station confirms one.
 */
#include "private.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Words of the operation body; marked so the console can say them. */
static const char *const actions[] = { DD_N_("start"), DD_N_("raise"),
	DD_N_("lower"), DD_N_("end"), DD_N_("confirm"), NULL };

const struct field decide_schema[] = {
	{ "hazard", F_STR, 1, 0, 31, NULL },
	{ "action", F_ENUM, 1, 0, 0, actions },
	{ "level", F_INT, 1, 0, 4, NULL },
	{ "follows", F_STRS, 1, 0, 16, NULL },
	{ "signed_by", F_STR, 0, 0, 100, NULL },
	{ "note", F_STR, 0, 0, 2000, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field check_schema[] = {
	{ "episode", F_STR, 1, 0, 63, NULL },
	{ "item", F_STR, 1, 0, 63, NULL },
	{ "checked", F_BOOL, 1, 0, 0, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const char *
level_name(int level)
{
	static const char *const n[] = { "none", "I", "II", "III", "IV" };
	return level >= 0 && level <= 4 ? n[level] : "?";
}

int
level_parse(const char *s)
{
	static const char *const roman[] = { "", "I", "II", "III", "IV" };
	static const char *const zh[] = { "", "一级", "二级", "三级", "四级" };
	int i;

	for (i = 1; s && i <= 4; i++)
		if (strcasecmp(s, roman[i]) == 0 || strcmp(s, zh[i]) == 0 ||
		    (s[0] == '0' + i && s[1] == 0))
			return i;
	return -1;
}

const char *
response_action_name(int a)
{
	return a >= 0 && a <= RESP_CONFIRM ? actions[a] : "?";
}

int
response_action_parse(const char *s)
{
	return str_in(s, actions);
}

int
apply_response(struct db *db, const struct op *op)
{
	const char *hazard = jstr(op->body, "hazard");
	const cJSON *follows = cJSON_GetObjectItemCaseSensitive(op->body, "follows");
	const cJSON *f;
	int64_t level = 0, at = 0;
	int rc;

	jint(op->body, "level", &level);
	jtime(op->body, "at", &at);
	if (strcmp(jstr(op->body, "action"), "end") == 0)
		level = 0;
	rc = db_exec(db, "INSERT OR IGNORE INTO decisions(id, hazard, action, "
		     "level, signed_by, note, at, officer, station) "
		     "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)", "sssississ", op->entity,
		     hazard, jstr(op->body, "action"), level,
		     jstr(op->body, "signed_by"), jstr(op->body, "note"), at,
		     op->officer, op->station);
	/* The first decision of a hazard follows the root "". */
	if (!rc && cJSON_GetArraySize(follows) == 0)
		rc = db_exec(db, "INSERT OR IGNORE INTO follows(decision, hazard, "
			     "follows) VALUES(?, ?, '')", "ss", op->entity, hazard);
	cJSON_ArrayForEach(f, follows) {
		if (rc)
			break;
		rc = db_exec(db, "INSERT OR IGNORE INTO follows(decision, hazard, "
			     "follows) VALUES(?, ?, ?)", "sss", op->entity, hazard,
			     f->valuestring);
	}
	return rc;
}

int
apply_response_check(struct db *db, const struct op *op)
{
	int64_t at = 0;
	int rc;

	jtime(op->body, "at", &at);
	rc = lww_claim(db, op, "ticks", op->entity, "checked");
	if (rc <= 0)
		return rc;
	return db_exec(db, "INSERT INTO ticks(episode, item, checked, officer, at) "
		       "VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(episode, item) DO "
		       "UPDATE SET checked = ?3, officer = ?4, at = ?5", "ssisi",
		       jstr(op->body, "episode"), jstr(op->body, "item"),
		       (int64_t)cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			       op->body, "checked")), op->officer, at);
}

/* The heads of a hazard's decisions, most severe level in force first. */
static const char heads_sql[] =
	"SELECT id, level FROM decisions d WHERE hazard = ?1 AND NOT EXISTS "
	"(SELECT 1 FROM follows f WHERE f.hazard = ?1 AND f.follows = d.id) "
	"ORDER BY level = 0, level, id";

int
response_get(struct db *db, const char *hazard, struct response_state *rs)
{
	sqlite3_stmt *st = db_prep(db, heads_sql);
	int s, n = 0, rc = 0, first = -1, disagree = 0;

	memset(rs, 0, sizeof *rs);
	if (!hazard)
		return 0;
	snprintf(rs->hazard, sizeof rs->hazard, "%s", hazard);
	if (!st)
		return db_prep_err(db);
	sqlite3_bind_text(st, 1, hazard, -1, SQLITE_TRANSIENT);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		int level = sqlite3_column_int(st, 1);
		if (n++ == 0) {
			first = level;
			snprintf(rs->decision, sizeof rs->decision, "%s",
				 sqlite3_column_text(st, 0));
		} else if (level != first) {
			disagree = 1;
		}
	}
	if (s != SQLITE_DONE)
		rc = db_rc(db, s);
	db_reset(st);
	if (rc || n == 0)
		return rc ? rc : 0;
	rs->level = first;
	rs->conflict = disagree;
	if (first > 0) {
		/* The episode is the nearest start behind the decision. */
		rc = db_text(db, rs->episode, sizeof rs->episode,
			"WITH RECURSIVE up(id, depth) AS (SELECT ?1, 0 UNION "
			"SELECT f.follows, up.depth + 1 FROM follows f JOIN up "
			"ON f.decision = up.id WHERE up.depth < 10000) "
			"SELECT d.id FROM decisions d JOIN up ON d.id = up.id "
			"WHERE d.action = 'start' ORDER BY up.depth, d.id LIMIT 1",
			"s", rs->decision);
		if (rc < 0)
			return rc;
	}
	return 1;
}

static int
hazard_ok(const char *h)
{
	size_t i, n = h ? strlen(h) : 0;

	if (n == 0 || n > 31)
		return 0;
	for (i = 0; i < n; i++)
		if (!((h[i] >= 'a' && h[i] <= 'z') || h[i] == '_'))
			return 0;
	return 1;
}

static int
hazard_file(const char *hazard, cJSON **out)
{
	char rel[64];

	*out = NULL;
	if (!hazard_ok(hazard))
		return DD_E_NOTFOUND;
	snprintf(rel, sizeof rel, "checklists/%s.json", hazard);
	return assets_load_json(rel, out) ? DD_E_NOTFOUND : 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
hazards_load(cJSON **out)
{
	char dir[4200], *names[64];
	struct dirent *e;
	DIR *d;
	int n = 0, i;

	*out = cJSON_CreateArray();
	snprintf(dir, sizeof dir, "%s/checklists", assets_dir());
	if (!*out)
		return DD_E_NOMEM;
	if (!(d = opendir(dir)))
		return DD_E_ASSETS;
	while ((e = readdir(d)) && n < 64) {
		size_t len = strlen(e->d_name);
		if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0 &&
		    (names[n] = strndup(e->d_name, len - 5)))
			n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], cmp_names);
	for (i = 0; i < n; i++) {
		cJSON *h = NULL, *o;
		if (hazard_file(names[i], &h) == 0 && (o = cJSON_CreateObject())) {
			cJSON_AddStringToObject(o, "hazard", names[i]);
			cJSON_AddStringToObject(o, "name", jstr(h, "name") ?
						jstr(h, "name") : names[i]);
			cJSON_AddStringToObject(o, "name_en", jstr(h, "name_en") ?
						jstr(h, "name_en") : names[i]);
			cJSON_AddItemToArray(*out, o);
		}
		cJSON_Delete(h);
		free(names[i]);
	}
	return 0;
}

int
checklist_load(const char *hazard, int level, cJSON **out)
{
	cJSON *h = NULL, *levels;
	int rc, l;

	*out = NULL;
	if ((rc = hazard_file(hazard, &h)))
		return rc;
	*out = cJSON_CreateArray();
	levels = cJSON_GetObjectItemCaseSensitive(h, "levels");
	/* A level's checklist holds its own items and every lower level's. */
	for (l = 4; l >= level && l >= 1 && *out; l--) {
		const cJSON *it;
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(levels,
								level_name(l))) {
			cJSON *o = cJSON_CreateObject();
			if (!o || !jstr(it, "code"))
				continue;
			cJSON_AddStringToObject(o, "code", jstr(it, "code"));
			cJSON_AddStringToObject(o, "level", level_name(l));
			cJSON_AddStringToObject(o, "text", jstr(it, "text") ?
						jstr(it, "text") : "");
			cJSON_AddStringToObject(o, "text_en", jstr(it, "text_en") ?
						jstr(it, "text_en") : "");
			cJSON_AddItemToArray(*out, o);
		}
	}
	cJSON_Delete(h);
	return *out ? 0 : DD_E_NOMEM;
}

int
response_checklist(struct db *db, const char *hazard, cJSON **out)
{
	struct response_state rs;
	cJSON *it;
	int rc;

	*out = NULL;
	if ((rc = response_get(db, hazard, &rs)) < 0)
		return rc;
	if (rs.level == 0 || !rs.episode[0]) {
		*out = cJSON_CreateArray();
		return *out ? 0 : DD_E_NOMEM;
	}
	if ((rc = checklist_load(hazard, rs.level, out)))
		return rc;
	/* Ticks belong to the episode, so those made at a lower level count
	 * after a raise; an item off the list (after a lower) is not shown. */
	cJSON_ArrayForEach(it, *out) {
		int64_t checked = 0;
		rc = db_int(db, &checked, "SELECT checked FROM ticks WHERE "
			    "episode = ?1 AND item = ?2", "ss", rs.episode,
			    jstr(it, "code"));
		if (rc < 0) {
			cJSON_Delete(*out);
			*out = NULL;
			return rc;
		}
		cJSON_AddBoolToObject(it, "checked", rc == 1 && checked != 0);
	}
	return 0;
}

int
response_progress(struct db *db, const char *hazard, int *done, int *total)
{
	cJSON *list = NULL, *it;
	int rc;

	*done = *total = 0;
	if ((rc = response_checklist(db, hazard, &list)))
		return rc;
	cJSON_ArrayForEach(it, list) {
		++*total;
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "checked")))
			++*done;
	}
	cJSON_Delete(list);
	return 0;
}

static int
heads_json(struct db *db, const char *hazard, cJSON *arr)
{
	sqlite3_stmt *st = db_prep(db, heads_sql);
	int s, rc = 0;

	if (!st)
		return db_prep_err(db);
	sqlite3_bind_text(st, 1, hazard, -1, SQLITE_TRANSIENT);
	while ((s = sqlite3_step(st)) == SQLITE_ROW)
		cJSON_AddItemToArray(arr, cJSON_CreateString(
			(const char *)sqlite3_column_text(st, 0)));
	if (s != SQLITE_DONE)
		rc = db_rc(db, s);
	db_reset(st);
	return rc;
}

int
response_decide(struct db *db, const char *hazard, int action, int level,
		const char *signed_by, const char *note, char id_out[64])
{
	struct response_state rs;
	cJSON *body = cJSON_CreateObject(), *hf = NULL;
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = hazard_file(hazard, &hf))) {
		rc = db_fail(db, DD_E_NOTFOUND, "unknown hazard '%s' (see "
			     "'dutydesk response show')", hazard ? hazard : "");
		goto out;
	}
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = response_get(db, hazard, &rs)) < 0)
		goto end;
	rc = 0;
	if (rs.conflict && action != RESP_CONFIRM) {
		rc = db_fail(db, DD_E_REFUSED, "%s has conflicting decisions; "
			     "confirm a level first (response confirm)", hazard);
		goto end;
	}
	switch (action) {
	case RESP_START:
		if (rs.level > 0)
			rc = db_fail(db, DD_E_REFUSED, "%s is already at level %s; "
				     "raise or lower it", hazard, level_name(rs.level));
		break;
	case RESP_RAISE:
		if (rs.level == 0)
			rc = db_fail(db, DD_E_REFUSED, "no %s response in force; "
				     "start one", hazard);
		else if (level >= rs.level)
			rc = db_fail(db, DD_E_REFUSED, "level %s is not above %s (I is "
				     "the highest)", level_name(level),
				     level_name(rs.level));
		break;
	case RESP_LOWER:
		if (rs.level == 0)
			rc = db_fail(db, DD_E_REFUSED, "no %s response in force", hazard);
		else if (level <= rs.level)
			rc = db_fail(db, DD_E_REFUSED, "level %s is not below %s (IV "
				     "is the lowest)", level_name(level),
				     level_name(rs.level));
		break;
	case RESP_END:
		if (rs.level == 0)
			rc = db_fail(db, DD_E_REFUSED, "no %s response in force", hazard);
		level = 0;
		break;
	case RESP_CONFIRM:
		if (!rs.conflict)
			rc = db_fail(db, DD_E_REFUSED, "%s has no conflict to confirm",
				     hazard);
		break;
	default:
		rc = db_fail(db, DD_E_INVALID, "unknown action");
	}
	if (!rc && action != RESP_END && !(action == RESP_CONFIRM && level == 0) &&
	    (level < 1 || level > 4))
		rc = db_fail(db, DD_E_INVALID, "level must be IV, III, II or I");
	if (rc)
		goto end;
	cJSON_AddStringToObject(body, "hazard", hazard);
	cJSON_AddStringToObject(body, "action", actions[action]);
	cJSON_AddNumberToObject(body, "level", level);
	if ((rc = heads_json(db, hazard, cJSON_AddArrayToObject(body, "follows"))))
		goto end;
	cJSON_AddStringToObject(body, "signed_by", signed_by && *signed_by
				? signed_by : db->officer);
	if (note && *note)
		cJSON_AddStringToObject(body, "note", note);
	jset_time(body, "at", clock_now(&db->clock));
	if ((rc = id_next(db, id_out)))
		goto end;
	rc = op_submit(db, "response.decide", id_out, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(hf);
	cJSON_Delete(body);
	return rc;
}

int
response_check(struct db *db, const char *hazard, const char *item, int checked)
{
	struct response_state rs;
	cJSON *list = NULL, *it, *body = NULL;
	int rc, found = 0;
	struct op op;

	if ((rc = db_begin(db)))
		return rc;
	if ((rc = response_get(db, hazard, &rs)) < 0)
		goto end;
	if (rs.level == 0 || !rs.episode[0]) {
		rc = db_fail(db, DD_E_REFUSED, "no %s response in force",
			     hazard ? hazard : "");
		goto end;
	}
	if ((rc = checklist_load(hazard, rs.level, &list))) {
		rc = db_fail(db, rc, "no checklist for %s", hazard);
		goto end;
	}
	cJSON_ArrayForEach(it, list)
		if (item && strcmp(jstr(it, "code"), item) == 0)
			found = 1;
	if (!found) {
		rc = db_fail(db, DD_E_NOTFOUND, "no item '%s' on the level %s %s "
			     "checklist", item ? item : "", level_name(rs.level),
			     hazard);
		goto end;
	}
	memset(&op, 0, sizeof op);
	snprintf(op.kind, sizeof op.kind, "response.check");
	if ((size_t)snprintf(op.entity, sizeof op.entity, "%s/%s", rs.episode,
			     item) >= sizeof op.entity) {
		rc = db_fail(db, DD_E_INVALID, "item code too long");
		goto end;
	}
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "episode", rs.episode);
	cJSON_AddStringToObject(body, "item", item);
	cJSON_AddBoolToObject(body, "checked", checked);
	jset_time(body, "at", clock_now(&db->clock));
	op.body = body;
	rc = op_local(db, &op);
end:
	cJSON_Delete(list);
	cJSON_Delete(body);
	return db_end(db, rc);
}
