/*
 * drill.c - drills from scenario files: a timeline of injects that enter
 * through the one path of change as operations of the pseudo-station
 * "drill", and the actions expected of the room, matched afterwards
 * against the operation log and scored. A drill lives in its own
 * database, in its own realm; the live database is only read.
 *
 * A county-wide drill is the same drill with the link up, in its realm:
 * the command station's drill database makes the drill's setup and its
 * injects as operations to push (station "drill"), and the towns that
 * join the realm learn the drill from the setup they pull, fire nothing
 * themselves, and send their actions back through the server.
 */
#include "private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRILL_STATION "drill"
#define DRILL_INC "0000000000000000"

static const char *const inject_kinds[] = { "warning", "incident", "team",
	"shelter", "supply", "note", NULL };

/* The line of byte offset off in text (1-based). */
static int
line_of(const char *text, size_t off)
{
	int line = 1;
	size_t i;

	for (i = 0; i < off && text[i]; i++)
		line += text[i] == '\n';
	return line;
}

/* The line where the n-th object of array name starts, found by walking
 * the text: enough to point an author at the right place. */
static int
line_of_item(const char *text, const char *name, int n)
{
	char key[64];
	const char *p;
	int depth = 0, k = -1;

	snprintf(key, sizeof key, "\"%s\"", name);
	if (!(p = strstr(text, key)) || !(p = strchr(p, '[')))
		return 0;
	for (p++; *p; p++) {
		if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			continue;
		}
		if (*p == '{' && depth++ == 0 && ++k == n)
			return line_of(text, (size_t)(p - text));
		if (*p == '}')
			depth--;
		if (*p == ']' && depth == 0)
			break;
	}
	return 0;
}

static int
bad(char *why, size_t n, const char *text, const char *arr, int i,
    const char *fmt, const char *field)
{
	char what[200];

	snprintf(what, sizeof what, fmt, field);
	if (arr)
		snprintf(why, n, "line %d: %s[%d].%s", line_of_item(text, arr, i), arr,
			 i, what);
	else
		snprintf(why, n, "%s", what);
	return DD_E_INVALID;
}

static int
str_ok(const cJSON *o, const char *k)
{
	const char *s = jstr(o, k);
	return s && *s && strlen(s) < 400;
}

int
drill_parse(const char *text, cJSON **out, char *why, size_t n)
{
	const char *end = NULL;
	cJSON *s, *it;
	int i, k;

	*out = NULL;
	s = cJSON_ParseWithOpts(text, &end, 1);
	if (!s) {
		snprintf(why, n, "line %d: not valid JSON", end ? line_of(text,
			 (size_t)(end - text)) : 1);
		return DD_E_INVALID;
	}
	if (!cJSON_IsObject(s)) {
		snprintf(why, n, "line 1: a scenario is one JSON object");
		goto fail;
	}
	if (!str_ok(s, "id") || !str_ok(s, "title") || !str_ok(s, "hazard")) {
		bad(why, n, text, NULL, 0, "%s: id, title and hazard are required "
		    "text", "scenario");
		goto fail;
	}
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(s, "injects")) ||
	    !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(s, "expect"))) {
		bad(why, n, text, NULL, 0, "%s: injects and expect must be arrays",
		    "scenario");
		goto fail;
	}
	i = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(s, "injects")) {
		int64_t at;
		if (!cJSON_IsObject(it)) {
			bad(why, n, text, "injects", i, "%s: not an object", "");
			goto fail;
		}
		if (!str_ok(it, "id")) {
			bad(why, n, text, "injects", i, "%s: missing", "id");
			goto fail;
		}
		if (!jint(it, "at_min", &at) || at < 0 || at > 7 * 24 * 60) {
			bad(why, n, text, "injects", i, "%s: minutes from the start, a "
			    "whole number", "at_min");
			goto fail;
		}
		if (str_in(jstr(it, "kind"), inject_kinds) < 0) {
			bad(why, n, text, "injects", i, "%s: warning, incident, team, "
			    "shelter, supply or note", "kind");
			goto fail;
		}
		if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(it, "fields"))) {
			bad(why, n, text, "injects", i, "%s: an object", "fields");
			goto fail;
		}
		/* Ids are unique: expectations refer to injects by id. */
		for (k = 0; k < i; k++)
			if (strcmp(jstr(cJSON_GetArrayItem(cJSON_GetObjectItem(s,
				"injects"), k), "id"), jstr(it, "id")) == 0) {
				bad(why, n, text, "injects", i, "%s: used twice", "id");
				goto fail;
			}
		i++;
	}
	i = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(s, "expect")) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(it, "match");
		const char *after = jstr(it, "after");
		int64_t within;
		if (!cJSON_IsObject(it) || !str_ok(it, "id") || !str_ok(it, "title")) {
			bad(why, n, text, "expect", i, "%s: id and title are required",
			    "id");
			goto fail;
		}
		if (!jint(it, "within_min", &within) || within < 0 ||
		    within > 7 * 24 * 60) {
			bad(why, n, text, "expect", i, "%s: the deadline in minutes after "
			    "its trigger", "within_min");
			goto fail;
		}
		if (after && strcmp(after, "start") != 0) {
			const cJSON *inj;
			int found = 0;
			cJSON_ArrayForEach(inj, cJSON_GetObjectItem(s, "injects"))
				found |= strcmp(jstr(inj, "id"), after) == 0;
			if (!found) {
				bad(why, n, text, "expect", i, "%s: names no inject", "after");
				goto fail;
			}
		}
		if (!cJSON_IsObject(m) || !str_ok(m, "kind")) {
			bad(why, n, text, "expect", i, "%s: an object with the operation "
			    "kind", "match");
			goto fail;
		}
		i++;
	}
	*out = s;
	return 0;
fail:
	cJSON_Delete(s);
	return DD_E_INVALID;
}

/* ---- the drill database ---- */

/* The drill's own operations, in order: the setup (in a county-wide
 * drill), then each inject that was taken. Numbered from what is
 * stored, so an inject skipped as malformed leaves no hole a server
 * would wait on. */
static int
next_seq(struct db *db, int64_t *seq)
{
	int rc = db_int(db, seq, "SELECT seq FROM heads WHERE station = ? AND "
			"incarnation = ?", "ss", DRILL_STATION, DRILL_INC);

	if (rc == 0)
		*seq = 0;
	++*seq;
	return rc < 0 ? rc : 0;
}

int
drill_county(struct db *db)
{
	char mode[16] = "";
	int rc = meta_get_text(db, "drill_county", mode, sizeof mode);

	if (rc < 0)
		return rc;
	return strcmp(mode, "run") == 0 ? DRILL_COUNTY_RUN
		: strcmp(mode, "joined") == 0 ? DRILL_COUNTY_JOINED : DRILL_LOCAL;
}

const struct field drill_setup_schema[] = {
	{ "scenario", F_STR, 1, 0, 512 * 1024, NULL },
	{ "started", F_TIME, 1, 0, 0, NULL },
	{ "speed", F_INT, 1, 1, 10000, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* The setup of a drill comes from the drill alone, with a scenario every
 * replica reads alike. */
int
check_drill_setup(struct db *db, const struct op *op)
{
	char why[300];
	cJSON *s = NULL;

	if (strcmp(op->station, DRILL_STATION) != 0)
		return db_fail(db, DD_E_SCHEMA, "drill.setup comes from the drill "
			       "only, not from '%s'", op->station);
	if (drill_parse(jstr(op->body, "scenario"), &s, why, sizeof why))
		return db_fail(db, DD_E_SCHEMA, "drill.setup: the scenario: %s", why);
	cJSON_Delete(s);
	return 0;
}

/* Every replica of the realm learns the drill: its scenario, its start
 * and its speed (what a joining town's console runs on). What has fired
 * is the firing database's own business. */
int
apply_drill_setup(struct db *db, const struct op *op)
{
	int64_t started = 0, speed = 1, fired;
	int rc;

	jtime(op->body, "started", &started);
	jint(op->body, "speed", &speed);
	if ((rc = meta_set_text(db, "drill_scenario", jstr(op->body, "scenario"))) ||
	    (rc = meta_set_int(db, "drill_started", started)) ||
	    (rc = meta_set_int(db, "drill_speed", speed)))
		return rc;
	if ((rc = meta_get_int(db, "drill_fired", &fired)) < 0)
		return rc;
	return rc == 0 ? meta_set_int(db, "drill_fired", 0) : 0;
}

int
drill_announce(struct db *db)
{
	cJSON *scenario = NULL;
	int64_t started = 0;
	int speed = 1, rc;
	struct op op;
	char *text;

	if ((rc = drill_scenario(db, &scenario, &started, &speed)) <= 0)
		return rc < 0 ? rc : db_fail(db, DD_E_NOTFOUND, "not a drill "
					     "database");
	text = cJSON_PrintUnformatted(scenario);
	cJSON_Delete(scenario);
	memset(&op, 0, sizeof op);
	if (!text || !(op.body = cJSON_CreateObject())) {
		free(text);
		return DD_E_NOMEM;
	}
	cJSON_AddStringToObject(op.body, "scenario", text);
	free(text);
	jset_time(op.body, "started", started);
	cJSON_AddNumberToObject(op.body, "speed", speed);
	snprintf(op.station, sizeof op.station, DRILL_STATION);
	snprintf(op.incarnation, sizeof op.incarnation, DRILL_INC);
	op.hlc = (started * 1000) << 16;
	snprintf(op.officer, sizeof op.officer, "drill");
	snprintf(op.kind, sizeof op.kind, "drill.setup");
	snprintf(op.entity, sizeof op.entity, "drill-0");
	if ((rc = meta_get_text(db, "realm", op.realm, sizeof op.realm)) < 0 ||
	    (rc = db_begin(db))) {
		op_clear(&op);
		return rc;
	}
	if (!(rc = next_seq(db, &op.seq)) &&
	    (rc = op_apply_as(db, &op, 1)) >= 0)
		rc = meta_set_text(db, "drill_county", "run");
	op_clear(&op);
	return db_end(db, rc);
}

int
drill_join(struct db *db)
{
	return meta_set_text(db, "drill_county", "joined");
}

int64_t
drill_time_ms(struct db *db, int64_t real_ms)
{
	int64_t started = 0, speed = 1;

	/* Before the setup has arrived the drill has no clock of its own. */
	if (meta_get_int(db, "drill_started", &started) != 1 ||
	    meta_get_int(db, "drill_speed", &speed) != 1 || speed < 1)
		return real_ms;
	return started * 1000 + (real_ms - started * 1000) * speed;
}

/* ---- the live people ---- */

/* One operation of the drill carrying live state into db, stamped at
 * the drill's start (what the officers do in the drill comes later and
 * wins), applied as the drill's others are: waiting in the outbox too
 * in the database that runs a county-wide drill (local). One this
 * version cannot take (a later version's role) is left out. */
static int
copy_op(struct db *db, const char *kind, const char *entity, cJSON *body,
	int64_t started, int local)
{
	struct op op;
	int rc;

	memset(&op, 0, sizeof op);
	snprintf(op.station, sizeof op.station, DRILL_STATION);
	snprintf(op.incarnation, sizeof op.incarnation, DRILL_INC);
	op.hlc = (started * 1000) << 16;
	snprintf(op.realm, sizeof op.realm, "%s", db->realm);
	snprintf(op.officer, sizeof op.officer, "drill");
	snprintf(op.kind, sizeof op.kind, "%s", kind);
	snprintf(op.entity, sizeof op.entity, "%s", entity);
	op.body = body;
	if ((rc = next_seq(db, &op.seq)))
		return rc;
	rc = op_apply_as(db, &op, local);
	return rc < 0 && rc != DD_E_SCHEMA ? rc : 0;
}

/* A contact of live as the body of a contact.update that makes it in a
 * drill: every field it has. */
static cJSON *
contact_copy(const cJSON *row)
{
	static const char *const text[] = { "name", "pinyin", "phones", "unit",
		"role", "town", "answers_for", NULL };
	cJSON *b = cJSON_CreateObject();
	int64_t deleted = 0;
	int i;

	for (i = 0; b && text[i]; i++)
		if (jstr(row, text[i]))
			cJSON_AddStringToObject(b, text[i], jstr(row, text[i]));
	jint(row, "deleted", &deleted);
	if (b)
		cJSON_AddBoolToObject(b, "deleted", deleted == 1);
	return b;
}

#define COPY_CONTACT "SELECT id, name, pinyin, phones, unit, role, town, " \
	"answers_for, deleted = 1 AS deleted FROM contacts WHERE name IS NOT NULL "

/* Does db hold contact id as the body b of its copy would make it? 1
 * yes, 0 no, negative on error. */
static int
holds_as(struct db *db, const char *id, const cJSON *b)
{
	cJSON *mine = cJSON_CreateArray(), *m = NULL;
	char *x = NULL, *y = NULL;
	int rc;

	if (!mine)
		return DD_E_NOMEM;
	if (!(rc = db_rows(db, mine, COPY_CONTACT "AND id = ?", "s", id)) &&
	    cJSON_GetArraySize(mine) == 1) {
		m = contact_copy(cJSON_GetArrayItem(mine, 0));
		x = cJSON_PrintUnformatted(b);
		y = cJSON_PrintUnformatted(m);
		rc = !m || !x || !y ? DD_E_NOMEM : strcmp(x, y) == 0;
	}
	free(x);
	free(y);
	cJSON_Delete(m);
	cJSON_Delete(mine);
	return rc;
}

/* The directory: each contact of live that the drill does not hold as it
 * is (the seed's are there already, unless live changed them). */
static int
copy_contacts(struct db *db, struct db *live, int64_t started, int local)
{
	cJSON *rows = cJSON_CreateArray(), *r;
	int rc;

	if (!rows)
		return DD_E_NOMEM;
	if ((rc = db_rows(live, rows, COPY_CONTACT "ORDER BY id", NULL)))
		rc = db_fail(db, rc, "the live directory: %s", db_errmsg(live));
	for (r = rc ? NULL : rows->child; r && !rc; r = r->next) {
		cJSON *b = contact_copy(r);
		if (!b)
			rc = DD_E_NOMEM;
		else if ((rc = holds_as(db, jstr(r, "id"), b)) == 0)
			rc = copy_op(db, "contact.update", jstr(r, "id"), b, started,
				     local);
		else if (rc == 1)
			rc = 0;
		cJSON_Delete(b);
	}
	cJSON_Delete(rows);
	return rc;
}

/* Each row of live's query sql (fail: the message when it cannot be
 * read, with live's error) as an
 * operation kind of the drill on the row's id: its other columns, text
 * as text and numbers as numbers, are the body; with stamp, an "at" of
 * the drill's start too. */
static int
copy_rows(struct db *db, struct db *live, int64_t started, int local,
	  const char *kind, const char *sql, const char *fail, int stamp)
{
	cJSON *rows = cJSON_CreateArray(), *r, *c;
	int rc;

	if (!rows)
		return DD_E_NOMEM;
	if ((rc = db_rows(live, rows, sql, NULL)))
		rc = db_fail(db, rc, fail, db_errmsg(live));
	for (r = rc ? NULL : rows->child; r && !rc; r = r->next) {
		cJSON *b = cJSON_CreateObject();
		if (!b) {
			rc = DD_E_NOMEM;
			break;
		}
		cJSON_ArrayForEach(c, r) {
			if (strcmp(c->string, "id") == 0)
				continue;
			if (cJSON_IsString(c))
				cJSON_AddStringToObject(b, c->string, c->valuestring);
			else if (cJSON_IsNumber(c))
				cJSON_AddNumberToObject(b, c->string, c->valuedouble);
		}
		if (stamp)
			jset_time(b, "at", started);
		rc = copy_op(db, kind, jstr(r, "id"), b, started, local);
		cJSON_Delete(b);
	}
	cJSON_Delete(rows);
	return rc;
}

/* What a drill takes of the live day beside the directory: every
 * station's duty roster (each shift keeps its id, which names the
 * station whose roster it is), the county's settings (a silent limit,
 * the start of a shift), and the county's risk points as they are, by
 * their live codes: what they are, not what has happened to them.
 * People moved and clearings are the live event's; a drill starts with
 * every point to be evacuated and cleared by the officers it trains. */
static int
copy_day(struct db *db, struct db *live, int64_t started, int local)
{
	int rc;

	if ((rc = copy_rows(db, live, started, local, "roster.update",
			    "SELECT id, date, start_at, hours, leader, officer1, "
			    "officer2 FROM shifts WHERE deleted = 0 AND start_at "
			    "IS NOT NULL ORDER BY id", DD_N_("the live roster: %s"), 0)) ||
	    (rc = copy_rows(db, live, started, local, "setting.set",
			    "SELECT key AS id, key, value FROM settings WHERE "
			    "scope = 'county' AND value <> '' ORDER BY key",
			    DD_N_("the live settings: %s"), 1)))
		return rc;
	return copy_rows(db, live, started, local, "risk.put",
			 "SELECT id, name, pinyin, kind, town, village, people, "
			 "monitor FROM risk_points WHERE name IS NOT NULL AND "
			 "deleted = 0 ORDER BY id", DD_N_("the live risk points: %s"), 0);
}

int
drill_copy_live(struct db *db, struct db *live)
{
	char self[32] = "";
	int64_t started = 0, n = 0;
	int rc, county;

	if ((county = drill_county(db)) < 0)
		return county;
	if ((rc = meta_get_int(db, "drill_started", &started)) < 0)
		return rc;
	if (rc == 0 && county != DRILL_COUNTY_JOINED)
		return db_fail(db, DD_E_NOTFOUND, "not a drill database");
	if (!db->realm[0] &&
	    (rc = meta_get_text(db, "realm", db->realm, sizeof db->realm)) < 0)
		return rc;
	if ((rc = meta_get_text(db, "station", self, sizeof self)) < 0 ||
	    (rc = db_int(live, &n, "SELECT n FROM counters WHERE station = ?",
			 "s", self)) < 0)
		return rc;
	if ((rc = db_begin(db)))
		return rc;
	/* The drill holds live ids: this station's own records in the drill
	 * are numbered on from its live ones, so none is made twice. */
	rc = db_exec(db, "INSERT INTO counters(station, n) VALUES(?1, ?2) ON "
		     "CONFLICT(station) DO UPDATE SET n = max(n, ?2)", "si", self,
		     n);
	/* A town that joined a county-wide drill gets the people from the
	 * command station that runs it, with the drill's setup. */
	if (!rc && county != DRILL_COUNTY_JOINED &&
	    !(rc = copy_contacts(db, live, started, county == DRILL_COUNTY_RUN)))
		rc = copy_day(db, live, started, county == DRILL_COUNTY_RUN);
	return db_end(db, rc);
}

int
drill_setup(struct db *db, const cJSON *scenario, int64_t started, int speed)
{
	char *text = cJSON_PrintUnformatted(scenario);
	int rc;

	if (!text)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)) == 0) {
		if (!(rc = meta_set_text(db, "drill_scenario", text)) &&
		    !(rc = meta_set_int(db, "drill_started", started)) &&
		    !(rc = meta_set_int(db, "drill_speed", speed > 0 ? speed : 1)))
			rc = meta_set_int(db, "drill_fired", 0);
		rc = db_end(db, rc);
	}
	free(text);
	return rc;
}

int
drill_scenario(struct db *db, cJSON **scenario, int64_t *started, int *speed)
{
	char *text;
	int64_t sp = 1, len = 0;
	int rc;

	*scenario = NULL;
	/* Its length in bytes, not characters: the scenario is Chinese. */
	if ((rc = db_int(db, &len, "SELECT length(CAST(value AS BLOB)) FROM meta "
			 "WHERE key = 'drill_scenario'", NULL)) <= 0)
		return rc;
	if (!(text = malloc((size_t)len + 1)))
		return DD_E_NOMEM;
	rc = meta_get_text(db, "drill_scenario", text, (size_t)len + 1);
	if (rc == 1)
		*scenario = cJSON_Parse(text);
	free(text);
	if (rc < 0)
		return rc;
	if (!*scenario)
		return DD_E_DB_CORRUPT;
	meta_get_int(db, "drill_started", started);
	meta_get_int(db, "drill_speed", &sp);
	*speed = (int)sp;
	return 1;
}

/* The operation an inject becomes. */
static int
inject_op(struct db *db, const cJSON *inj, int index, int64_t at,
	  int64_t seq, struct op *op)
{
	const char *kind = jstr(inj, "kind");
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(inj, "fields");
	cJSON *b = cJSON_Duplicate(f, 1);
	char when[21];

	memset(op, 0, sizeof *op);
	snprintf(op->station, sizeof op->station, DRILL_STATION);
	snprintf(op->incarnation, sizeof op->incarnation, DRILL_INC);
	op->seq = seq;
	op->hlc = (at * 1000) << 16;
	snprintf(op->realm, sizeof op->realm, "%s", db->realm);
	snprintf(op->officer, sizeof op->officer, "drill");
	snprintf(op->entity, sizeof op->entity, "drill-%d", index + 1);
	time_format_iso(at, when);
	if (!b)
		return DD_E_NOMEM;
	if (strcmp(kind, "incident") == 0) {
		snprintf(op->kind, sizeof op->kind, "incident.open");
		cJSON_DeleteItemFromObject(b, "received_at");
		cJSON_AddStringToObject(b, "received_at", when);
	} else if (strcmp(kind, "warning") == 0) {
		snprintf(op->kind, sizeof op->kind, "warning.issue");
		cJSON_DeleteItemFromObject(b, "at");
		cJSON_AddStringToObject(b, "at", when);
	} else if (strcmp(kind, "note") == 0) {
		snprintf(op->kind, sizeof op->kind, "log.add");
		cJSON_AddStringToObject(b, "kind", "note");
		cJSON_AddStringToObject(b, "at", when);
	} else if (strcmp(kind, "supply") == 0) {
		snprintf(op->kind, sizeof op->kind, "supply.move");
		cJSON_AddStringToObject(b, "at", when);
	} else {
		/* team and shelter injects act on an existing record, named in
		 * fields.target and taken out of the body. */
		const char *target = jstr(f, "target");
		snprintf(op->kind, sizeof op->kind, strcmp(kind, "team") == 0
			 ? "team.status" : "shelter.occupy");
		snprintf(op->entity, sizeof op->entity, "%s", target ? target : "");
		cJSON_DeleteItemFromObject(b, "target");
		cJSON_AddStringToObject(b, "at", when);
	}
	op->body = b;
	return 0;
}

/* The people who must answer a warning the drill injected (w), named
 * as warning_issue names them: each warned town's leaders and duty
 * officers in the directory (the live one's, copied at the setup), in
 * an operation of the drill with it. */
static int
inject_people(struct db *db, const struct op *w, int local)
{
	cJSON *body;
	struct op op;
	int rc = warning_people_body(db, cJSON_GetObjectItemCaseSensitive(w->body,
							"towns"), &body);

	if (rc || !body)
		return rc;
	op = *w;
	op.body = body;
	snprintf(op.kind, sizeof op.kind, "warning.people");
	if (!(rc = next_seq(db, &op.seq)) &&
	    (rc = op_apply_as(db, &op, local)) >= 0)
		rc = 0;
	cJSON_Delete(body);
	return rc;
}

int
drill_tick(struct db *db, int64_t now, int *fired)
{
	cJSON *s = NULL;
	const cJSON *inj;
	int64_t started = 0, done = 0;
	int speed = 1, rc, i = 0, county;

	*fired = 0;
	/* A town that joined a county-wide drill gets the injects from the
	 * command station that runs it, through the server. */
	if ((county = drill_county(db)) < 0)
		return county;
	if (county == DRILL_COUNTY_JOINED)
		return 0;
	if ((rc = drill_scenario(db, &s, &started, &speed)) <= 0)
		return rc;
	if (!db->realm[0] &&
	    (rc = meta_get_text(db, "realm", db->realm, sizeof db->realm)) < 0)
		goto out;
	if ((rc = meta_get_int(db, "drill_fired", &done)) < 0 ||
	    (rc = db_begin(db)))
		goto out;
	rc = 0;
	/* Everything here is in drill time: the caller's clock runs speed
	 * times faster from the start (core is handed it, like every
	 * clock); an inject fires once its minute has come, in order. */
	cJSON_ArrayForEach(inj, cJSON_GetObjectItemCaseSensitive(s, "injects")) {
		int64_t at_min = 0, at, seq = 0;
		struct op op;
		jint(inj, "at_min", &at_min);
		at = started + at_min * 60;
		if (i++ < done)
			continue;
		if (at > now)
			break;
		if ((rc = next_seq(db, &seq)) ||
		    (rc = inject_op(db, inj, i - 1, at, seq, &op)))
			break;
		/* In the database that runs a county-wide drill, the drill's
		 * operations also wait in the outbox, for the link to push. */
		rc = op_apply_as(db, &op, county == DRILL_COUNTY_RUN);
		if (rc == 1 && strcmp(op.kind, "warning.issue") == 0)
			rc = inject_people(db, &op, county == DRILL_COUNTY_RUN);
		op_clear(&op);
		/* A refused inject (a team that does not exist here) is skipped,
		 * so one bad line does not stop the drill. */
		if (rc < 0 && rc != DD_E_SCHEMA)
			break;
		rc = 0;
		(*fired)++;
		if ((rc = meta_set_int(db, "drill_fired", i)))
			break;
	}
	rc = db_end(db, rc);
out:
	cJSON_Delete(s);
	return rc;
}

/* ---- scoring ---- */

struct matchctx {
	const cJSON *match;
	const char *incident; /* the record an expectation is about, or NULL */
	int64_t from;
	int64_t best;
	char by[32];          /* the station whose operation it was */
};

static int
body_matches(const cJSON *want, const cJSON *body)
{
	const cJSON *w;

	cJSON_ArrayForEach(w, want) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, w->string);
		if (!v)
			return 0;
		if (cJSON_IsString(w) && !(cJSON_IsString(v) &&
					   strcmp(w->valuestring, v->valuestring) == 0))
			return 0;
		if (cJSON_IsNumber(w) && !(cJSON_IsNumber(v) &&
					   w->valuedouble == v->valuedouble))
			return 0;
		if (cJSON_IsBool(w) && cJSON_IsTrue(w) != cJSON_IsTrue(v))
			return 0;
	}
	return 1;
}

/* Does an operation's body name record as what it is about: a report or
 * dispatch its incident, an answer its warning, a step its team? */
static int
about(const cJSON *body, const char *record)
{
	static const char *const refs[] = { "incident", "warning", "team",
		"shelter", NULL };
	int i;

	for (i = 0; refs[i]; i++)
		if (jstr(body, refs[i]) && strcmp(jstr(body, refs[i]), record) == 0)
			return 1;
	return 0;
}

static int
match_op(const struct op *op, void *ctx)
{
	struct matchctx *m = ctx;
	int64_t at = op_at(op);

	if (strcmp(op->station, DRILL_STATION) == 0 || strcmp(op->station,
							     "seed") == 0)
		return 0;
	if (strcmp(op->kind, jstr(m->match, "kind")) != 0 || at < m->from)
		return 0;
	if (!body_matches(cJSON_GetObjectItemCaseSensitive(m->match, "body"),
			  op->body))
		return 0;
	if (m->incident && strcmp(op->entity, m->incident) != 0 &&
	    !about(op->body, m->incident))
		return 0;
	if (m->best == 0 || at < m->best) {
		m->best = at;
		snprintf(m->by, sizeof m->by, "%s", op->station);
	}
	return 0;
}

/* What the actions came to, and when the last of the scenario's own
 * falls due. */
struct tally {
	int total, on_time, late, missed;
	int64_t end;
};

/* Fill in an action's due and done times and its status: done by due
 * is on time, done after it late, not done missed once due has passed
 * (pending before). */
static void
action_status(cJSON *a, int64_t due, int64_t done, const char *by,
	      int64_t now, struct tally *t)
{
	const char *status;
	char when[21];

	time_format_iso(due, when);
	cJSON_AddStringToObject(a, "due", when);
	if (done) {
		time_format_iso(done, when);
		cJSON_AddStringToObject(a, "done_at", when);
		cJSON_AddStringToObject(a, "by", by);
	} else {
		cJSON_AddNullToObject(a, "done_at");
		cJSON_AddNullToObject(a, "by");
	}
	if (done && done <= due) {
		status = "on_time";
		t->on_time++;
	} else if (done) {
		status = "late";
		t->late++;
		cJSON_AddNumberToObject(a, "late_min", (double)((done - due) / 60));
	} else {
		status = now > due ? "missed" : "pending";
		t->missed += now > due;
	}
	cJSON_AddStringToObject(a, "status", status);
	t->total++;
}

/* The scenario's own expected actions, each against its trigger. */
static int
score_expected(struct db *db, const cJSON *s, int64_t started, int64_t now,
	       int joined, cJSON *acts, struct tally *t)
{
	const cJSON *e;
	int rc = 0;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(s, "expect")) {
		const char *after = jstr(e, "after");
		struct matchctx m = { cJSON_GetObjectItemCaseSensitive(e, "match"),
				      NULL, started, 0, "" };
		int64_t within = 0, trigger = started;
		char entity[64] = "";
		cJSON *a;
		int fired = 1, i = 0;
		const cJSON *inj;

		jint(e, "within_min", &within);
		/* The trigger is the start, or the time the named inject fired;
		 * about_inject ties the action to the record it made. */
		if (after && strcmp(after, "start") != 0) {
			cJSON_ArrayForEach(inj, cJSON_GetObjectItem(s, "injects")) {
				if (strcmp(jstr(inj, "id"), after) == 0) {
					int64_t at_min = 0, done = 0;
					jint(inj, "at_min", &at_min);
					trigger = started + at_min * 60;
					meta_get_int(db, "drill_fired", &done);
					/* A town that joined fires nothing: an inject has
					 * come once its time has (the same clock). */
					fired = joined ? now >= trigger : i < done;
					/* The record it made, or the team or shelter
					 * it acted on. */
					snprintf(entity, sizeof entity, "%s",
						 jstr(cJSON_GetObjectItem(inj, "fields"),
						      "target") ? jstr(cJSON_GetObjectItem(
						      inj, "fields"), "target") : "");
					if (!entity[0])
						snprintf(entity, sizeof entity, "drill-%d",
							 i + 1);
				}
				i++;
			}
		}
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "about_inject")))
			m.incident = entity;
		m.from = trigger;
		if (fired && (rc = op_each(db, 0, match_op, &m)))
			break;
		if (!(a = cJSON_CreateObject()) || !cJSON_AddItemToArray(acts, a)) {
			cJSON_Delete(a);
			return DD_E_NOMEM;
		}
		cJSON_AddStringToObject(a, "id", jstr(e, "id"));
		cJSON_AddStringToObject(a, "title", jstr(e, "title"));
		action_status(a, trigger + within * 60, m.best, m.by, now, t);
		if (trigger + within * 60 > t->end)
			t->end = trigger + within * 60;
	}
	return rc;
}

static int
same(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* Does the scenario expect this town's answer to this warning itself?
 * Then its own deadline holds and the answer is not counted twice. */
static int
expected_answer(const cJSON *s, const char *warning, const char *town)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(s, "expect")) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "match");
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(m, "body");
		if (same(jstr(m, "kind"), "warning.answer") &&
		    same(jstr(b, "warning"), warning) && same(jstr(b, "town"), town))
			return 1;
	}
	return 0;
}

/* Every warned town's answer (叫应) is an expected action too, due when
 * the town would count as silent (its colour's silent limit after the
 * warning, as on the status line): a room that lets towns stay silent cannot
 * score well. Its id is WARNING/TOWN; the first answer is the one that
 * counts, and the station that sent it is who did it. */
static int
score_answers(struct db *db, const cJSON *s, int64_t now, cJSON *acts,
	      struct tally *t)
{
	cJSON *rows = cJSON_CreateArray(), *r;
	int rc;

	if (!rows)
		return DD_E_NOMEM;
	rc = db_rows(db, rows, "SELECT t.warning, t.town, tw.name AS town_name, "
		     "w.color, w.at AS warned_at, a.at AS done_at, (SELECT station FROM ops "
		     "o WHERE o.entity = a.id AND o.kind = 'warning.answer' ORDER "
		     "BY n LIMIT 1) AS station FROM warning_towns t JOIN warnings w "
		     "ON w.id = t.warning LEFT JOIN towns tw ON tw.id = t.town LEFT "
		     "JOIN answers a ON a.id = (SELECT id FROM answers b WHERE "
		     "b.warning = t.warning AND b.town = t.town ORDER BY at, id "
		     "LIMIT 1) WHERE w.text IS NOT NULL ORDER BY w.at, t.warning, "
		     "t.town", NULL);
	cJSON_ArrayForEach(r, rows) {
		const char *w = jstr(r, "warning"), *town = jstr(r, "town");
		const char *name = jstr(r, "town_name") ? jstr(r, "town_name") : town;
		int64_t warned = 0, done = 0;
		char id[130], title[200];
		cJSON *a;

		if (rc || expected_answer(s, w, town))
			continue;
		jtime(r, "warned_at", &warned);
		jtime(r, "done_at", &done);
		if (!(a = cJSON_CreateObject()) || !cJSON_AddItemToArray(acts, a)) {
			cJSON_Delete(a);
			rc = DD_E_NOMEM;
			break;
		}
		snprintf(id, sizeof id, "%s/%s", w, town);
		/* The title in the scenarios' language: it is data, like
		 * theirs; the text report words it for the reader. */
		snprintf(title, sizeof title, "%s叫应预警 %s", name, w);
		cJSON_AddStringToObject(a, "id", id);
		cJSON_AddStringToObject(a, "title", title);
		cJSON_AddStringToObject(a, "kind", "answer");
		cJSON_AddStringToObject(a, "warning", w);
		cJSON_AddStringToObject(a, "town", town);
		cJSON_AddStringToObject(a, "town_name", name);
		action_status(a, warned + warning_silent_secs(db, jstr(r, "color")),
			      done,
			      jstr(r, "station") ? jstr(r, "station") : "", now, t);
	}
	cJSON_Delete(rows);
	return rc;
}

/* The figures the bureau tracks, over everything in the drill. A
 * turnout is what the dispatch list says it is. */
static int
add_figures(struct db *db, cJSON *r)
{
	int64_t warned = 0, answered = 0, out = 0, ontime = 0, reported = 0,
		secs = 0;
	cJSON *fig = cJSON_AddObjectToObject(r, "figures"), *list = NULL, *d;
	int rc;

	if ((rc = db_int(db, &warned, "SELECT count(*) FROM warning_towns",
			 NULL)) < 0 ||
	    (rc = db_int(db, &answered, "SELECT count(*) FROM warning_towns t "
			 "WHERE EXISTS (SELECT 1 FROM answers a WHERE a.warning = "
			 "t.warning AND a.town = t.town)", NULL)) < 0 ||
	    (rc = db_int(db, &reported, "SELECT count(*) FROM incidents WHERE "
			 "phone_at IS NOT NULL AND received_at IS NOT NULL",
			 NULL)) < 0 ||
	    (rc = db_int(db, &secs, "SELECT coalesce(sum(phone_at - "
			 "received_at), 0) FROM incidents WHERE phone_at IS NOT "
			 "NULL AND received_at IS NOT NULL", NULL)) < 0 ||
	    (rc = state_list(db, LIST_DISPATCHES, NULL, &list)) < 0)
		return rc;
	cJSON_ArrayForEach(d, list) {
		int64_t took, target;
		if (!jint(d, "turnout_secs", &took))
			continue;
		out++;
		ontime += jint(d, "target_secs", &target) && took <= target;
	}
	cJSON_Delete(list);
	cJSON_AddNumberToObject(fig, "towns_warned", (double)warned);
	cJSON_AddNumberToObject(fig, "towns_answered", (double)answered);
	cJSON_AddNumberToObject(fig, "answer_rate_pct", warned ? (double)(
				100 * answered / warned) : 100);
	cJSON_AddNumberToObject(fig, "turnouts", (double)out);
	cJSON_AddNumberToObject(fig, "turnouts_on_time", (double)ontime);
	cJSON_AddNumberToObject(fig, "first_reports", (double)reported);
	if (reported)
		cJSON_AddNumberToObject(fig, "first_report_avg_min",
					(double)(secs / reported / 60));
	else
		cJSON_AddNullToObject(fig, "first_report_avg_min");
	return 0;
}

int
drill_score(struct db *db, int64_t now, cJSON **report)
{
	cJSON *s = NULL, *r = NULL, *acts;
	const cJSON *e;
	struct tally t = { 0, 0, 0, 0, 0 };
	int64_t started = 0;
	int speed = 1, rc, joined;
	char when[21];

	*report = NULL;
	if ((rc = drill_scenario(db, &s, &started, &speed)) <= 0)
		return rc < 0 ? rc : db_fail(db, DD_E_NOTFOUND, "not a drill "
					     "database");
	if ((joined = drill_county(db)) < 0) {
		rc = joined;
		goto out;
	}
	joined = joined == DRILL_COUNTY_JOINED;
	/* The realm is cached only once an operation was checked here. */
	if (!db->realm[0] &&
	    (rc = meta_get_text(db, "realm", db->realm, sizeof db->realm)) < 0)
		goto out;
	if (!(r = cJSON_CreateObject())) {
		rc = DD_E_NOMEM;
		goto out;
	}
	cJSON_AddStringToObject(r, "scenario", jstr(s, "id"));
	cJSON_AddStringToObject(r, "title", jstr(s, "title"));
	time_format_iso(started, when);
	cJSON_AddStringToObject(r, "started", when);
	cJSON_AddNumberToObject(r, "speed", speed);
	cJSON_AddStringToObject(r, "realm", db->realm);
	acts = cJSON_AddArrayToObject(r, "actions");
	if ((rc = score_expected(db, s, started, now, joined, acts, &t)) ||
	    (rc = score_answers(db, s, now, acts, &t)) ||
	    (rc = add_figures(db, r)))
		goto out;
	/* The drill is over when its last deadline and its last inject have
	 * both passed: a late twist of the scenario still happens, and the
	 * towns a warning inject calls have their time to answer. Answers
	 * to the room's own warnings do not move the end. */
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(s, "injects")) {
		int64_t at_min = 0, at;
		jint(e, "at_min", &at_min);
		at = started + at_min * 60;
		if (same(jstr(e, "kind"), "warning"))
			at += warning_silent_secs(db, jstr(e, "color"));
		if (at > t.end)
			t.end = at;
	}
	/* On time counts whole, late half, missed nothing. */
	cJSON_AddNumberToObject(r, "score", t.total ? (100 * t.on_time + 50 *
				t.late) / t.total : 100);
	cJSON_AddNumberToObject(r, "on_time", t.on_time);
	cJSON_AddNumberToObject(r, "late", t.late);
	cJSON_AddNumberToObject(r, "missed", t.missed);
	time_format_iso(t.end, when);
	cJSON_AddStringToObject(r, "ends", when);
	cJSON_AddBoolToObject(r, "finished", now >= t.end);
	*report = r;
	r = NULL;
out:
	cJSON_Delete(r);
	cJSON_Delete(s);
	return rc;
}
