/*
 * risk.c - the county's risk points (风险点): places where people live
 * under a landslide slope, beside a mountain torrent or below a
 * reservoir or pond. A point is a record by its code, like the
 * reference data: its fields are last writer wins (risk.put). People
 * moved out of it are counts added (risk.evacuate, append-only), so two
 * stations' evacuations made offline both count; a point is cleared at
 * its earliest risk.clear, a minimum that any order agrees on. A warning
 * may name risk points (warning.risks), and their monitors are then
 * among the people who must answer it.
 */
#include "private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/pinyin.h"

const char *const risk_kinds[] = { "geological", "torrent", "reservoir",
	NULL };

const struct field risk_schema[] = {
	{ "name", F_STR, 0, 0, 100, NULL },
	{ "pinyin", F_STR, 0, 0, 200, NULL },
	{ "kind", F_ENUM, 0, 0, 0, risk_kinds },
	{ "town", F_STR, 0, 0, 63, NULL },
	{ "village", F_STR, 0, 0, 100, NULL },
	{ "people", F_INT, 0, 0, RISK_PEOPLE_MAX, NULL },
	{ "monitor", F_STR, 0, 0, 63, NULL },
	{ "deleted", F_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field risk_move_schema[] = {
	{ "point", F_STR, 1, 0, 63, NULL },
	{ "n", F_INT, 1, 1, RISK_PEOPLE_MAX, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field risk_clear_schema[] = {
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field warning_risks_schema[] = {
	{ "points", F_STRS, 1, 0, 1000, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* ---- apply ---- */

/* Every field on its own, last writer wins by its stamp in lww. Not as
 * a record's creation (b_*): a put is no creation, and the first put a
 * replica happens to hold may be a later one of a few fields, whose
 * stamp must not stand for the fields it does not carry. */
int
apply_risk(struct db *db, const struct op *op)
{
	return record_put(db, op, "risk_points", risk_schema, 0, NULL);
}

/* An evacuation or a clearing may arrive before the point itself (a
 * town's evacuation relayed before the county's import): the row is
 * made bare, and the point's risk.put fills it in whenever it comes. */
static int
point_row(struct db *db, const char *code)
{
	return db_exec(db, "INSERT OR IGNORE INTO risk_points(id) VALUES(?)", "s",
		       code);
}

int
apply_risk_evacuate(struct db *db, const struct op *op)
{
	const char *point = jstr(op->body, "point");
	int64_t n = 0, at = 0;
	int rc;

	jint(op->body, "n", &n);
	jtime(op->body, "at", &at);
	if ((rc = db_exec(db, "INSERT OR IGNORE INTO risk_moves(id, point, n, at, "
			  "officer, station) VALUES(?, ?, ?, ?, ?, ?)", "ssiiss",
			  op->entity, point, n, at, op->officer, op->station)))
		return rc;
	/* Counted once: a replay of the same evacuation adds nothing. */
	if (sqlite3_changes(db->h) == 0)
		return 0;
	if ((rc = point_row(db, point)))
		return rc;
	return db_exec(db, "UPDATE risk_points SET moved = moved + ? WHERE id = ?",
		       "is", n, point);
}

int
apply_risk_clear(struct db *db, const struct op *op)
{
	int64_t at = 0;
	int rc;

	jtime(op->body, "at", &at);
	if ((rc = point_row(db, op->entity)))
		return rc;
	return db_exec(db, "UPDATE risk_points SET cleared_at = min(coalesce("
		       "cleared_at, ?1), ?1) WHERE id = ?2", "is", at, op->entity);
}

int
apply_warning_risks(struct db *db, const struct op *op)
{
	const cJSON *p;
	int rc = 0;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(op->body, "points"))
		if ((rc = db_exec(db, "INSERT OR IGNORE INTO warning_risks(warning, "
				  "point) VALUES(?, ?)", "ss", op->entity,
				  p->valuestring)))
			break;
	return rc;
}

/* ---- names ---- */

const char *
risk_kind_parse(const char *s)
{
	static const struct { const char *label, *code; } labels[] = {
		{ "地质灾害", "geological" }, { "地灾", "geological" },
		{ "地质灾害隐患点", "geological" }, { "地质", "geological" },
		{ "山洪", "torrent" }, { "山洪灾害", "torrent" },
		{ "山洪沟", "torrent" },
		{ "水库", "reservoir" }, { "山塘", "reservoir" },
		{ "水库山塘", "reservoir" }, { "水库(山塘)", "reservoir" },
		{ "水库（山塘）", "reservoir" },
	};
	size_t i;

	if (!s)
		return NULL;
	while (*s == ' ')
		s++;
	for (i = 0; risk_kinds[i]; i++)
		if (strcasecmp(s, risk_kinds[i]) == 0)
			return risk_kinds[i];
	for (i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(s, labels[i].label) == 0)
			return labels[i].code;
	return NULL;
}

/* A code as an office writes it: 1 to 32 of letters, digits, '-', '_'
 * and '.'. */
static int
code_ok(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++, n++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return 0;
	return n >= 1 && n <= 32;
}

int
risk_find(struct db *db, const char *what, char code_out[64])
{
	cJSON *rows = cJSON_CreateArray(), *o;
	const char *w = what ? what : "";
	char sq[256], list[400] = "";
	size_t m = 0;
	int rc, n;

	if (!rows)
		return DD_E_NOMEM;
	name_fold(w, sq, sizeof sq);
	/* Its code always names it (in any case); else its whole name,
	 * Chinese or pinyin. */
	rc = db_rows(db, rows, "SELECT id, name FROM risk_points WHERE name IS "
		     "NOT NULL AND deleted = 0 AND (id = ?1 COLLATE NOCASE OR "
		     "name = ?1 OR (?2 <> '' AND replace(lower(pinyin), ' ', '') "
		     "= ?2)) ORDER BY id = ?1 COLLATE NOCASE DESC, id", "ss", w, sq);
	n = cJSON_GetArraySize(rows);
	if (!rc && n > 1 && strcasecmp(jstr(rows->child, "id"), w) == 0)
		n = 1;
	if (rc) {
		/* the database's error, as it is */
	} else if (n == 1) {
		snprintf(code_out, 64, "%s", jstr(rows->child, "id"));
		rc = 1;
	} else if (n == 0) {
		rc = db_fail(db, DD_E_NOTFOUND, "no risk point '%s'", w);
	} else {
		cJSON_ArrayForEach(o, rows)
			if (m < sizeof list)
				m += (size_t)snprintf(list + m, sizeof list - m,
						      "%s%s %s",
						      o == rows->child ? "" : ", ",
						      jstr(o, "id"), jstr(o, "name"));
		rc = db_fail(db, DD_E_REFUSED, "'%s' names more than one risk "
			     "point: %s", w, list);
	}
	cJSON_Delete(rows);
	return rc;
}

/* ---- a point put ---- */

/* A count of people as a spreadsheet's cell holds it: digits only
 * ("007" is 7), spaces around them dropped. */
static int
people_parse(const char *s, int64_t *v)
{
	char digits[16];
	size_t n = 0;

	while (*s == ' ')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		if (n < sizeof digits - 1)
			digits[n++] = *s;
		else
			return -1;
	while (*s == ' ')
		s++;
	if (*s || n == 0)
		return -1;
	digits[n] = 0;
	*v = strtoll(digits, NULL, 10);
	return *v > RISK_PEOPLE_MAX ? -1 : 0;
}

/* The monitor of a point, as given: a phone names the contact who has
 * it (or, with a name, one added as risk_monitor of the point's town);
 * a name alone names a contact in the directory. id gets the contact's
 * id ("" when neither is given). */
static int
monitor_of(struct db *db, const char *name, const char *phone,
	   const char *town, const char *village, char id[64])
{
	cJSON *found = NULL, *f;
	int rc;

	id[0] = 0;
	if (name && !*name)
		name = NULL;
	if (phone && !*phone)
		phone = NULL;
	if (!name && !phone)
		return 0;
	if (phone) {
		if ((rc = contact_by_phone(db, phone, &found)) < 0)
			return rc;
		if (rc == 1) {
			snprintf(id, 64, "%s", jstr(found, "id"));
			cJSON_Delete(found);
			return 0;
		}
		if (!name)
			return db_fail(db, DD_E_INVALID, "monitor_phone %s is no "
				       "contact's and no monitor name is given",
				       phone);
		/* Not in the directory: the monitor joins it. */
		if (!(f = cJSON_CreateObject()))
			return DD_E_NOMEM;
		cJSON_AddStringToObject(f, "name", name);
		cJSON_AddStringToObject(f, "phones", phone);
		cJSON_AddStringToObject(f, "role", "risk_monitor");
		cJSON_AddStringToObject(f, "town", town);
		if (village && *village)
			cJSON_AddStringToObject(f, "unit", village);
		rc = contact_add(db, f, id);
		cJSON_Delete(f);
		return rc;
	}
	if ((rc = contact_find(db, name, id)) < 0)
		return rc;
	if (rc == 0)
		return db_fail(db, DD_E_NOTFOUND, "monitor '%s' is not in the "
			       "directory: give monitor_phone to add them", name);
	return 0;
}

static int
put(struct db *db, const cJSON *in, int *changed, char used[64])
{
	const char *code = jstr(in, "code"), *name = jstr(in, "name");
	const char *kind = jstr(in, "kind"), *town = jstr(in, "town");
	const char *village = jstr(in, "village"), *people = jstr(in, "people");
	cJSON *body = cJSON_CreateObject(), *old = cJSON_CreateArray(), *was;
	char buf[256], tcode[64], monitor[64], held[64], trimmed[64];
	int64_t n = 0;
	int rc, create;

	*changed = 0;
	if (!body || !old) {
		rc = DD_E_NOMEM;
		goto out;
	}
	/* Spaces around a code (a spreadsheet's cell) are not part of it. */
	if (code) {
		size_t len;
		while (*code == ' ')
			code++;
		len = strlen(code);
		while (len > 0 && code[len - 1] == ' ')
			len--;
		snprintf(trimmed, sizeof trimmed, "%.*s", (int)(len < 63 ? len : 63),
			 code);
		code = len < 63 ? trimmed : code;
	}
	if (!code_ok(code)) {
		rc = db_fail(db, DD_E_INVALID, "code '%s': 1 to 32 letters, digits, "
			     "'-', '_' or '.'", code ? code : "");
		goto out;
	}
	/* A code is one whatever its case: the point held keeps the
	 * spelling it was made with. */
	if ((rc = db_rows(db, old, "SELECT id, name, kind, town, village, "
			  "people, monitor, deleted FROM risk_points WHERE id = ?1 "
			  "COLLATE NOCASE AND name IS NOT NULL ORDER BY id = ?1 DESC, "
			  "id LIMIT 1", "s", code)))
		goto out;
	was = cJSON_GetArrayItem(old, 0);
	create = was == NULL;
	if (was) {
		snprintf(held, sizeof held, "%s", jstr(was, "id"));
		code = held;
	}
	if (create && (!name || !*name || !kind || !town)) {
		rc = db_fail(db, DD_E_INVALID, "a new risk point %s needs its name, "
			     "kind and town", code);
		goto out;
	}
	if (name) {
		if (!*name || strlen(name) > 100) {
			rc = db_fail(db, DD_E_INVALID, "name: 1 to 100 bytes");
			goto out;
		}
		if (create || strcmp(name, jstr(was, "name")) != 0) {
			cJSON_AddStringToObject(body, "name", name);
			pinyin_of(name, buf, sizeof buf);
			cJSON_AddStringToObject(body, "pinyin", buf);
		}
	}
	if (kind) {
		const char *k = risk_kind_parse(kind);
		if (!k) {
			rc = db_fail(db, DD_E_INVALID, "kind '%s': geological (地质"
				     "灾害), torrent (山洪) or reservoir (水库)",
				     kind);
			goto out;
		}
		if (create || !jstr(was, "kind") || strcmp(k, jstr(was, "kind")))
			cJSON_AddStringToObject(body, "kind", k);
	}
	if (town) {
		if ((rc = ref_find(db, REF_TOWN, town, tcode)) <= 0) {
			rc = rc < 0 ? rc : DD_E_NOTFOUND;
			goto out;
		}
		if (create || !jstr(was, "town") || strcmp(tcode, jstr(was, "town")))
			cJSON_AddStringToObject(body, "town", tcode);
	} else {
		snprintf(tcode, sizeof tcode, "%s", jstr(was, "town"));
	}
	rc = 0;
	if (village) {
		if (strlen(village) > 100) {
			rc = db_fail(db, DD_E_INVALID, "village: 100 bytes at most");
			goto out;
		}
		if (create || !jstr(was, "village") ||
		    strcmp(village, jstr(was, "village")))
			cJSON_AddStringToObject(body, "village", village);
	}
	if (people) {
		int64_t had = -1;
		if (people_parse(people, &n)) {
			rc = db_fail(db, DD_E_INVALID, "people '%s': a whole number "
				     "from 0 to %d", people, RISK_PEOPLE_MAX);
			goto out;
		}
		jint(was, "people", &had);
		if (create || had != n)
			cJSON_AddNumberToObject(body, "people", (double)n);
	} else if (create) {
		cJSON_AddNumberToObject(body, "people", 0);
	}
	if ((rc = monitor_of(db, jstr(in, "monitor"), jstr(in, "monitor_phone"),
			     tcode, village ? village : jstr(was, "village"),
			     monitor)))
		goto out;
	if (*monitor && (create || !jstr(was, "monitor") ||
			 strcmp(monitor, jstr(was, "monitor"))))
		cJSON_AddStringToObject(body, "monitor", monitor);
	if (!create) {
		int64_t del = 0;
		jint(was, "deleted", &del);
		if (del)
			cJSON_AddBoolToObject(body, "deleted", 0);
	}
	snprintf(used, 64, "%s", code);
	if (cJSON_GetArraySize(body) == 0)
		goto out;
	if (!(rc = op_submit(db, "risk.put", code, body)))
		*changed = create ? 1 : 2;
out:
	cJSON_Delete(old);
	cJSON_Delete(body);
	return rc;
}

int
risk_put(struct db *db, const cJSON *in, int *changed)
{
	char used[64];
	int rc;

	*changed = 0;
	if ((rc = db_begin(db)))
		return rc;
	return db_end(db, put(db, in, changed, used));
}

/* ---- import ---- */

static const char *const risk_csv[] = { "code", "name", "kind", "town",
	"village", "people", "monitor", "monitor_phone", NULL };

struct import_tally {
	int64_t made, changed;
	cJSON *seen;    /* the codes of the rows so far, in upper case */
};

static int
risk_row(struct db *db, const cJSON *fields, char id[64], void *ctx)
{
	struct import_tally *t = ctx;
	const char *code = jstr(fields, "code");
	char up[64], used[64];
	size_t i;
	int rc, changed;

	/* Within one file a code twice is a mistake in it, not a change:
	 * the second row would silently win. */
	while (code && *code == ' ')
		code++;
	for (i = 0; code && code[i] && i + 1 < sizeof up; i++)
		up[i] = (char)toupper((unsigned char)code[i]);
	while (i > 0 && up[i - 1] == ' ')
		i--;
	up[i] = 0;
	if (code && cJSON_GetObjectItemCaseSensitive(t->seen, up))
		return db_fail(db, DD_E_INVALID, "code %s is in the file twice",
			       code);
	if ((rc = put(db, fields, &changed, used)))
		return rc;
	if (!cJSON_AddTrueToObject(t->seen, up))
		return DD_E_NOMEM;
	if (changed) {
		snprintf(id, 64, "%s", used);
		if (changed == 1)
			t->made++;
		else
			t->changed++;
	}
	return 0;
}

int
import_risks_csv(struct db *db, const char *path, int charset, int64_t *count,
		 int64_t *made, int64_t *changed, cJSON *ids)
{
	struct import_tally t = { 0, 0, cJSON_CreateObject() };
	const struct csv_kind k = { risk_csv, "risk point", risk_row, &t };
	int rc;

	*made = *changed = 0;
	if (!t.seen)
		return DD_E_NOMEM;
	if ((rc = import_csv(db, path, charset, &k, count, ids)) == 0) {
		*made = t.made;
		*changed = t.changed;
	}
	cJSON_Delete(t.seen);
	return rc;
}

/* ---- evacuate and clear ---- */

/* The point what names, live (not deleted): 1, else refused. */
static int
point_of(struct db *db, const char *what, char code[64])
{
	int rc = risk_find(db, what, code);

	return rc == 0 ? DD_E_NOTFOUND : rc;
}

int
risk_evacuate(struct db *db, const char *point, int64_t n, char id_out[64])
{
	cJSON *body = cJSON_CreateObject();
	char code[64];
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if (n < 1 || n > RISK_PEOPLE_MAX) {
		rc = db_fail(db, DD_E_INVALID, "people moved: a whole number from 1 "
			     "to %d", RISK_PEOPLE_MAX);
	} else if ((rc = point_of(db, point, code)) == 1) {
		cJSON_AddStringToObject(body, "point", code);
		cJSON_AddNumberToObject(body, "n", (double)n);
		jset_time(body, "at", clock_now(&db->clock));
		if (!(rc = id_next(db, id_out)))
			rc = op_submit(db, "risk.evacuate", id_out, body);
	}
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}

int
risk_clear(struct db *db, const char *point, char code[64])
{
	cJSON *body = cJSON_CreateObject();
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = point_of(db, point, code)) == 1) {
		rc = db_int(db, NULL, "SELECT 1 FROM risk_points WHERE id = ? AND "
			    "cleared_at IS NOT NULL", "s", code);
		if (rc == 1)
			rc = db_fail(db, DD_E_REFUSED, "risk point %s is cleared "
				     "already", code);
		if (rc == 0) {
			jset_time(body, "at", clock_now(&db->clock));
			rc = op_submit(db, "risk.clear", code, body);
		}
	}
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}

/* ---- reading ---- */

#define RISK_COLS "r.id, r.name, r.pinyin, r.kind, r.town, r.village, " \
	"coalesce(r.people, 0) AS people, r.moved, r.cleared_at, " \
	"r.monitor, c.name AS monitor_name, c.pinyin AS monitor_pinyin, " \
	"c.phones AS monitor_phone "

int
risk_list(struct db *db, const char *town, cJSON **out)
{
	int rc;

	if (!(*out = cJSON_CreateArray()))
		return DD_E_NOMEM;
	rc = db_rows(db, *out, "SELECT " RISK_COLS "FROM risk_points r LEFT JOIN "
		     "contacts c ON c.id = r.monitor WHERE r.name IS NOT NULL AND "
		     "r.deleted = 0 AND (?1 IS NULL OR r.town = ?1) ORDER BY "
		     "r.town, r.id", "s", town);
	if (rc) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

int
risk_get(struct db *db, const char *code, cJSON **out)
{
	cJSON *rows = cJSON_CreateArray(), *r;
	int rc;

	*out = NULL;
	if (!rows)
		return DD_E_NOMEM;
	if ((rc = db_rows(db, rows, "SELECT " RISK_COLS "FROM risk_points r LEFT "
			  "JOIN contacts c ON c.id = r.monitor WHERE r.id = ? AND "
			  "r.name IS NOT NULL", "s", code)) ||
	    cJSON_GetArraySize(rows) == 0) {
		cJSON_Delete(rows);
		return rc;
	}
	r = cJSON_DetachItemFromArray(rows, 0);
	cJSON_Delete(rows);
	if ((rc = db_rows(db, cJSON_AddArrayToObject(r, "moves"), "SELECT id, n, "
			  "at AS moved_at, officer, station FROM risk_moves WHERE "
			  "point = ? ORDER BY at, id", "s", code)) ||
	    (rc = db_rows(db, cJSON_AddArrayToObject(r, "warnings"), "SELECT "
			  "w.id, w.hazard, w.color, w.at AS issued_at FROM "
			  "warning_risks x JOIN warnings w ON w.id = x.warning "
			  "WHERE x.point = ? ORDER BY w.at, w.id", "s", code))) {
		cJSON_Delete(r);
		return rc;
	}
	*out = r;
	return 1;
}

int
risk_town_counts(struct db *db, const char *town, int64_t *points,
		 int64_t *cleared, int64_t *people, int64_t *moved)
{
	sqlite3_stmt *st;
	int rc, s;

	*points = *cleared = *people = *moved = 0;
	if (!(st = db_prep(db, "SELECT count(*), count(cleared_at), "
			   "coalesce(sum(people), 0), coalesce(sum(moved), 0) FROM "
			   "risk_points WHERE name IS NOT NULL AND deleted = 0 AND "
			   "(?1 IS NULL OR town = ?1)")))
		return db_prep_err(db);
	rc = town ? sqlite3_bind_text(st, 1, town, -1, SQLITE_STATIC)
		  : sqlite3_bind_null(st, 1);
	if (rc != SQLITE_OK) {
		rc = db_rc(db, rc);
	} else if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		*points = sqlite3_column_int64(st, 0);
		*cleared = sqlite3_column_int64(st, 1);
		*people = sqlite3_column_int64(st, 2);
		*moved = sqlite3_column_int64(st, 3);
		rc = 0;
	} else {
		rc = db_rc(db, s);
	}
	db_reset(st);
	return rc;
}

/* ---- a warning's risk points ---- */

int
risk_warning_points(struct db *db, const cJSON *risks, cJSON *points,
		    cJSON *towns)
{
	const cJSON *r;
	char code[64], town[64];
	int rc = 0;

	cJSON_ArrayForEach(r, risks) {
		const cJSON *p;
		int dup = 0;
		if (!cJSON_IsString(r) || (rc = point_of(db, r->valuestring,
							 code)) != 1)
			return cJSON_IsString(r) ? rc : DD_E_INVALID;
		cJSON_ArrayForEach(p, points)
			dup |= strcmp(p->valuestring, code) == 0;
		if (dup)
			continue;
		if (cJSON_GetArraySize(points) >= 1000)
			return db_fail(db, DD_E_INVALID, "a warning names 1000 risk "
				       "points at most");
		cJSON_AddItemToArray(points, cJSON_CreateString(code));
		/* The point's town is warned too. */
		if ((rc = db_text(db, town, sizeof town, "SELECT town FROM "
				  "risk_points WHERE id = ?", "s", code)) < 0)
			return rc;
		dup = 0;
		cJSON_ArrayForEach(p, towns)
			dup |= strcmp(p->valuestring, town) == 0;
		if (rc == 1 && *town && !dup)
			cJSON_AddItemToArray(towns, cJSON_CreateString(town));
	}
	return 0;
}

int
risk_warning_people(struct db *db, const cJSON *points, cJSON *people)
{
	const cJSON *p;
	cJSON *rows = cJSON_CreateArray(), *r;
	int rc = 0;

	if (!rows)
		return DD_E_NOMEM;
	cJSON_ArrayForEach(p, points)
		if ((rc = db_rows(db, rows, "SELECT r.town, c.id AS contact, c.name, "
				  "coalesce(c.phones, '') AS phone FROM risk_points r "
				  "JOIN contacts c ON c.id = r.monitor WHERE r.id = ? "
				  "AND c.deleted = 0 AND c.name IS NOT NULL AND "
				  "r.town IS NOT NULL", "s", p->valuestring)))
			goto out;
	cJSON_ArrayForEach(r, rows) {
		const cJSON *q;
		cJSON *o;
		int dup = 0;
		/* One person once under a town. */
		cJSON_ArrayForEach(q, people)
			dup |= strcmp(jstr(q, "town"), jstr(r, "town")) == 0 &&
			       strcmp(jstr(q, "contact"), jstr(r, "contact")) == 0;
		if (dup)
			continue;
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(people, o)) {
			cJSON_Delete(o);
			rc = DD_E_NOMEM;
			goto out;
		}
		cJSON_AddStringToObject(o, "town", jstr(r, "town"));
		cJSON_AddStringToObject(o, "contact", jstr(r, "contact"));
		cJSON_AddStringToObject(o, "name", jstr(r, "name"));
		cJSON_AddStringToObject(o, "phone", jstr(r, "phone"));
	}
out:
	cJSON_Delete(rows);
	return rc;
}
