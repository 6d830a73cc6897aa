/*
 * ref.c - reference data: towns, teams, depots, supply kinds, shelters.
 * Seeded from assets as operations of the pseudo-station "seed" with
 * fixed ids and clock 0, so every replica holds the same operations.
 */
#include "private.h"

#include "core/pinyin.h"

#include <ctype.h>
#include <langinfo.h>
#include <libintl.h>
#include <stdio.h>
#include <string.h>

static const char *const areas[] = { "city", "rural", NULL };
static const char *const team_kinds[] = { "municipal", "town", "fire",
	"social", "expert", NULL };

#define NAME_FIELDS \
	{ "name", F_STR, 0, 0, 200, NULL }, \
	{ "pinyin", F_STR, 0, 0, 200, NULL }, \
	{ "deleted", F_BOOL, 0, 0, 0, NULL }

const struct field town_schema[] = {
	NAME_FIELDS,
	{ "area", F_ENUM, 0, 0, 0, areas },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field team_schema[] = {
	NAME_FIELDS,
	{ "kind", F_ENUM, 0, 0, 0, team_kinds },
	{ "town", F_STR, 0, 0, 63, NULL },
	{ "members", F_INT, 0, 0, 100000, NULL },
	{ "leader", F_STR, 0, 0, 100, NULL },
	{ "phone", F_STR, 0, 0, 40, NULL },
	{ "speciality", F_STR, 0, 0, 200, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field depot_schema[] = {
	NAME_FIELDS,
	{ "town", F_STR, 0, 0, 63, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field kind_schema[] = {
	NAME_FIELDS,
	{ "name_en", F_STR, 0, 0, 200, NULL },
	{ "unit", F_STR, 0, 0, 40, NULL },
	{ "unit_en", F_STR, 0, 0, 40, NULL },
	{ "need_per_100", F_INT, 0, 0, 100000, NULL },
	{ "low", F_INT, 0, 0, 1000000000, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field shelter_schema[] = {
	NAME_FIELDS,
	{ "town", F_STR, 0, 0, 63, NULL },
	{ "capacity", F_INT, 0, 0, 1000000, NULL },
	{ "address", F_STR, 0, 0, 400, NULL },
	{ "manager", F_STR, 0, 0, 100, NULL },
	{ "phone", F_STR, 0, 0, 40, NULL },
	{ "open", F_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

struct reftable {
	const char *kind, *table;   /* NULL: not a table of reference data */
	const struct field *schema;
	const char *seedkey;
	/* Messages whole, so each language can say them its own way. */
	const char *none, *unknown, *ambiguous;
};

static const struct reftable reftables[REF_N] = {
	[REF_TOWN] = { "town.put", "towns", town_schema, "towns",
		DD_N_("no town given"), DD_N_("unknown town '%s'"),
		DD_N_("'%s' names more than one town: %s") },
	[REF_TEAM] = { "team.put", "teams", team_schema, "teams",
		DD_N_("no team given"), DD_N_("unknown team '%s'"),
		DD_N_("'%s' names more than one team: %s") },
	[REF_DEPOT] = { "depot.put", "depots", depot_schema, "depots",
		DD_N_("no depot given"), DD_N_("unknown depot '%s'"),
		DD_N_("'%s' names more than one depot: %s") },
	[REF_KIND] = { "supply_kind.put", "supply_kinds", kind_schema,
		"supply_kinds", DD_N_("no supply kind given"),
		DD_N_("unknown supply kind '%s'"),
		DD_N_("'%s' names more than one supply kind: %s") },
	[REF_SHELTER] = { "shelter.put", "shelters", shelter_schema, "shelters",
		DD_N_("no shelter given"), DD_N_("unknown shelter '%s'"),
		DD_N_("'%s' names more than one shelter: %s") },
	[REF_INCIDENT] = { NULL, NULL, NULL, NULL,
		DD_N_("no incident given"), DD_N_("unknown incident '%s'"),
		DD_N_("'%s' names more than one incident: %s") },
	[REF_HAZARD] = { NULL, NULL, NULL, NULL,
		DD_N_("no hazard given"), DD_N_("unknown hazard '%s'"),
		DD_N_("'%s' names more than one hazard: %s") },
	[REF_ITEM] = { NULL, NULL, NULL, NULL,
		DD_N_("no checklist item given"),
		DD_N_("no checklist item '%s' at the level in force"),
		DD_N_("'%s' names more than one checklist item: %s") },
};
/* The tables of reference data come first in enum ref. */
#define NREF (REF_SHELTER + 1)

int
apply_ref(struct db *db, const struct op *op)
{
	int i;

	for (i = 0; i < NREF; i++)
		if (strcmp(reftables[i].kind, op->kind) == 0)
			return record_put(db, op, reftables[i].table,
					  reftables[i].schema, 1, NULL);
	return db_fail(db, DD_E_SCHEMA, "no table for %s", op->kind);
}

/* ---- names: how an officer gives a record ---- */

void
name_fold(const char *s, char *out, size_t n)
{
	size_t k = 0;

	for (; s && *s && k + 1 < n; s++)
		if (*s != ' ')
			out[k++] = (char)tolower((unsigned char)*s);
	out[k] = 0;
}

static int
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A town's name without its 街道, 镇 or 乡 is what people say. */
static int
short_name_is(const char *name, const char *what)
{
	static const char *const suffixes[] = { "街道", "镇", "乡", NULL };
	size_t n = strlen(what);
	int i;

	if (strncmp(name, what, n) != 0)
		return 0;
	for (i = 0; suffixes[i]; i++)
		if (strcmp(name + n, suffixes[i]) == 0)
			return 1;
	return 0;
}

int
ref_match(const cJSON *entry, const char *what)
{
	static const char *const alt[] = { "pinyin", "en", NULL };
	const char *code = jstr(entry, "code"), *name = jstr(entry, "name");
	char w[256], f[256];
	int i, rank = 0;

	if (!what || !*what || !code)
		return 0;
	if (strcmp(code, what) == 0)
		return REF_MATCH_CODE;
	name_fold(what, w, sizeof w);
	if (name && (strcmp(name, what) == 0 || short_name_is(name, what)))
		return REF_MATCH_EXACT;
	for (i = 0; alt[i]; i++) {
		name_fold(jstr(entry, alt[i]), f, sizeof f);
		if (*f && *w && strcmp(f, w) == 0)
			return REF_MATCH_EXACT;
		if (*f && *w && starts(f, w))
			rank = REF_MATCH_PREFIX;
	}
	name_fold(code, f, sizeof f);
	if ((name && starts(name, what)) || (*w && starts(f, w)))
		rank = REF_MATCH_PREFIX;
	return rank;
}

/* "datian 大田街道, dayang 大洋街道": the entries of list that what
 * names at rank, for the message that asks which; outside a UTF-8
 * locale with their pinyin ("datian Datian Jiedao"), as the shell and
 * the console show names there. */
static void
candidates(const cJSON *list, const char *what, int rank, char *out,
	   size_t n)
{
	const char *cs = nl_langinfo(CODESET);
	int utf8 = cs && strcmp(cs, "UTF-8") == 0;
	const cJSON *e;
	size_t k = 0;
	int shown = 0;

	out[0] = 0;
	cJSON_ArrayForEach(e, list) {
		const char *name = jstr(e, "name"), *py = jstr(e, "pinyin");
		char one[300];
		size_t len;
		if (ref_match(e, what) != rank)
			continue;
		if (!utf8 && py && *py)
			name = py;
		len = (size_t)snprintf(one, sizeof one, "%s%s %s", k ? ", " : "",
				       jstr(e, "code"), name ? name : "");
		/* Whole candidates only, eight at most, and room for the
		 * message around them. */
		if (shown++ == 8 || len >= sizeof one || k + len + 6 >= n) {
			snprintf(out + k, n - k, ", ...");
			return;
		}
		memcpy(out + k, one, len + 1);
		k += len;
	}
}

int
ref_find_in(struct db *db, enum ref r, const cJSON *list, const char *what,
	    char code_out[64])
{
	const cJSON *e, *best = NULL;
	int rank = 0, count = 0;
	char names[360];

	if (!what || !*what)
		return db_fail(db, DD_E_INVALID, "%s", dgettext("dutydesk",
							 reftables[r].none));
	cJSON_ArrayForEach(e, list) {
		int m = ref_match(e, what);
		if (m == REF_MATCH_CODE) {
			best = e;
			count = 1;
			break;
		}
		if (m > rank) {
			rank = m;
			best = e;
			count = 0;
		}
		if (m && m == rank)
			count++;
	}
	if (!best)
		return db_fail(db, 0, reftables[r].unknown, what);
	if (count > 1) {
		candidates(list, what, rank, names, sizeof names);
		return db_fail(db, 0, reftables[r].ambiguous, what, names);
	}
	snprintf(code_out, 64, "%s", jstr(best, "code"));
	return 1;
}

/* One entry of a pick list. */
static int
add_entry(cJSON *list, const char *code, const char *name, const char *pinyin,
	  const char *en)
{
	cJSON *e = cJSON_CreateObject();

	if (!e || !cJSON_AddItemToArray(list, e))
		return DD_E_NOMEM;
	cJSON_AddStringToObject(e, "code", code ? code : "");
	cJSON_AddStringToObject(e, "name", name ? name : "");
	cJSON_AddStringToObject(e, "pinyin", pinyin ? pinyin : "");
	if (en)
		cJSON_AddStringToObject(e, "en", en);
	return 0;
}

static int
list_rows(struct db *db, enum ref r, const char *near, cJSON *list)
{
	static const char *const sql[] = {
		[REF_TOWN] = "SELECT id, name, pinyin, NULL FROM towns "
			"WHERE deleted = 0 ORDER BY id",
		[REF_TEAM] = "SELECT id, name, pinyin, NULL FROM teams "
			"WHERE deleted = 0 ORDER BY id",
		[REF_DEPOT] = "SELECT id, name, pinyin, NULL FROM depots "
			"WHERE deleted = 0 ORDER BY id",
		/* A supply kind shows its English name outside UTF-8. */
		[REF_KIND] = "SELECT id, name, name_en, pinyin FROM supply_kinds "
			"WHERE deleted = 0 ORDER BY id",
		[REF_SHELTER] = "SELECT id, name, pinyin, NULL FROM shelters "
			"WHERE deleted = 0 ORDER BY id",
		/* Open incidents first, the newest first. */
		[REF_INCIDENT] = "SELECT id, title, NULL, NULL FROM incidents "
			"WHERE deleted = 0 ORDER BY status = 'closed', "
			"received_at DESC, id",
	};
	static const char *const near_sql[] = {
		/* A dispatch offers the teams that can go, the incident's
		 * town's first. */
		[REF_TEAM] = "SELECT id, name, pinyin, NULL FROM teams "
			"WHERE deleted = 0 ORDER BY status <> 'available', "
			"town IS NOT (SELECT town FROM incidents WHERE id = ?1), id",
		/* An answer to a warning is from a town it went to, those
		 * that have not answered first. */
		[REF_TOWN] = "SELECT t.id, t.name, t.pinyin, NULL FROM towns t "
			"JOIN warning_towns w ON w.town = t.id AND w.warning = ?1 "
			"WHERE t.deleted = 0 ORDER BY EXISTS (SELECT 1 FROM answers "
			"a WHERE a.warning = ?1 AND a.town = t.id), t.id",
	};
	const char *q = near && r < (int)(sizeof near_sql / sizeof near_sql[0]) &&
			near_sql[r] ? near_sql[r] : sql[r];
	sqlite3_stmt *st;
	int rc = 0, s;

	st = db_prep(db, q);
	if (!st)
		return db_prep_err(db);
	if (q != sql[r])
		sqlite3_bind_text(st, 1, near, -1, SQLITE_TRANSIENT);
	while (!rc && (s = sqlite3_step(st)) == SQLITE_ROW)
		rc = add_entry(list, (const char *)sqlite3_column_text(st, 0),
			       (const char *)sqlite3_column_text(st, 1),
			       (const char *)sqlite3_column_text(st, 2),
			       (const char *)sqlite3_column_text(st, 3));
	if (!rc && s != SQLITE_DONE)
		rc = db_rc(db, s);
	db_reset(st);
	return rc;
}

/* Hazards and their checklists come from assets, not the database. */
static int
list_assets(struct db *db, enum ref r, const char *near, cJSON *list)
{
	struct response_state rs;
	cJSON *src = NULL;
	const cJSON *e;
	int rc = 0;

	if (r == REF_HAZARD) {
		rc = hazards_load(&src);
		cJSON_ArrayForEach(e, src)
			if (!rc)
				rc = add_entry(list, jstr(e, "hazard"), jstr(e, "name"),
					       jstr(e, "name_en"), NULL);
	} else if (near && (rc = response_get(db, near, &rs)) == 1 &&
		   rs.level > 0) {
		rc = checklist_load(near, rs.level, &src);
		cJSON_ArrayForEach(e, src)
			if (!rc)
				rc = add_entry(list, jstr(e, "code"), jstr(e, "text"),
					       jstr(e, "text_en"), NULL);
	}
	cJSON_Delete(src);
	return rc < 0 ? rc : 0;
}

int
ref_list(struct db *db, enum ref r, const char *near, cJSON **out)
{
	int rc;

	if (!(*out = cJSON_CreateArray()))
		return DD_E_NOMEM;
	rc = r == REF_HAZARD || r == REF_ITEM ? list_assets(db, r, near, *out)
		: list_rows(db, r, near, *out);
	if (rc) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

int
ref_find(struct db *db, enum ref r, const char *what, char code_out[64])
{
	/* The common cases in one indexed look-up: a code, or a whole name
	 * that names one record. */
	static const char *const sql[] = {
		[REF_TOWN] = "SELECT id FROM towns WHERE deleted = 0 AND (id = ?1 "
			"OR name = ?1 OR lower(pinyin) = lower(?1)) ORDER BY id LIMIT 2",
		[REF_TEAM] = "SELECT id FROM teams WHERE deleted = 0 AND (id = ?1 "
			"OR name = ?1 OR lower(pinyin) = lower(?1)) ORDER BY id LIMIT 2",
		[REF_DEPOT] = "SELECT id FROM depots WHERE deleted = 0 AND (id = ?1 "
			"OR name = ?1 OR lower(pinyin) = lower(?1)) ORDER BY id LIMIT 2",
		[REF_KIND] = "SELECT id FROM supply_kinds WHERE deleted = 0 AND "
			"(id = ?1 OR name = ?1 OR lower(pinyin) = lower(?1) OR "
			"lower(name_en) = lower(?1)) ORDER BY id LIMIT 2",
		[REF_SHELTER] = "SELECT id FROM shelters WHERE deleted = 0 AND "
			"(id = ?1 OR name = ?1 OR lower(pinyin) = lower(?1)) "
			"ORDER BY id LIMIT 2",
		[REF_INCIDENT] = "SELECT id FROM incidents WHERE deleted = 0 AND "
			"id = ?1",
	};
	sqlite3_stmt *st;
	cJSON *list = NULL;
	int rc, s, found = 0;

	if (!what || !*what || r == REF_ITEM)
		return ref_find_in(db, r, NULL, what, code_out);
	if (r < (int)(sizeof sql / sizeof sql[0]) && sql[r]) {
		if (!(st = db_prep(db, sql[r])))
			return db_prep_err(db);
		sqlite3_bind_text(st, 1, what, -1, SQLITE_TRANSIENT);
		while ((s = sqlite3_step(st)) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(st, 0);
			if (found++ == 0 || strcmp(id, what) == 0)
				snprintf(code_out, 64, "%s", id);
			if (strcmp(id, what) == 0) {
				found = 1;
				break;
			}
		}
		rc = (s == SQLITE_ROW || s == SQLITE_DONE) ? 0 : db_rc(db, s);
		db_reset(st);
		if (rc)
			return rc;
		if (found == 1)
			return 1;
	}
	/* A short name, a start, or a name that two records share. */
	if ((rc = ref_list(db, r, NULL, &list)))
		return rc;
	rc = ref_find_in(db, r, list, what, code_out);
	cJSON_Delete(list);
	return rc;
}

/* ---- the seed ---- */

struct seeder {
	struct db *db;
	char realm[40];
	int64_t seq;
};

static int
seed_op(struct seeder *s, const char *kind, const char *entity, cJSON *body)
{
	struct op op;
	int rc;

	memset(&op, 0, sizeof op);
	snprintf(op.station, sizeof op.station, "seed");
	snprintf(op.incarnation, sizeof op.incarnation, "0");
	op.seq = ++s->seq;
	op.hlc = 0;
	snprintf(op.realm, sizeof op.realm, "%s", s->realm);
	snprintf(op.officer, sizeof op.officer, "seed");
	snprintf(op.kind, sizeof op.kind, "%s", kind);
	if (entity)
		snprintf(op.entity, sizeof op.entity, "%s", entity);
	else
		snprintf(op.entity, sizeof op.entity, "seed-%lld", (long long)op.seq);
	op.body = body;
	rc = op_apply(s->db, &op);
	cJSON_Delete(body);
	if (rc < 0)
		return db_fail(s->db, rc, "seed %s %s: %s", kind, op.entity,
			       db_errmsg(s->db));
	return 0;
}

/* Copy the fields of a seed record that the schema knows. */
static cJSON *
seed_body(const cJSON *rec, const struct field *schema)
{
	cJSON *b = cJSON_CreateObject();
	const struct field *f;

	for (f = schema; b && f->name; f++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(rec, f->name);
		if (v && strcmp(f->name, "deleted") != 0)
			cJSON_AddItemToObject(b, f->name, cJSON_Duplicate(v, 1));
	}
	return b;
}

/* The people the seed names, as contacts after the rest of the seed:
 * each shelter's manager and each team's leader, with their phone. A
 * database seeded before schema 5 is given them at its upgrade, with the
 * same operations a new one gets. */
static int
seed_people(struct seeder *s, const cJSON *county)
{
	static const struct { const char *list, *who, *role; } from[] = {
		{ "shelters", "manager", "shelter_manager" },
		{ "teams", "leader", "team_leader" },
	};
	const cJSON *rec;
	char py[256];
	size_t i;
	int rc = 0;

	for (i = 0; i < sizeof from / sizeof from[0] && !rc; i++) {
		cJSON_ArrayForEach(rec, cJSON_GetObjectItemCaseSensitive(county,
							from[i].list)) {
			const char *name = jstr(rec, from[i].who);
			cJSON *body;
			if (!name || !*name || !jstr(rec, "phone"))
				continue;
			if (!(body = cJSON_CreateObject()))
				return DD_E_NOMEM;
			pinyin_of(name, py, sizeof py);
			cJSON_AddStringToObject(body, "name", name);
			cJSON_AddStringToObject(body, "pinyin", py);
			cJSON_AddStringToObject(body, "phones", jstr(rec, "phone"));
			cJSON_AddStringToObject(body, "unit", jstr(rec, "name")
						? jstr(rec, "name") : "");
			cJSON_AddStringToObject(body, "role", from[i].role);
			if (jstr(rec, "town"))
				cJSON_AddStringToObject(body, "town", jstr(rec, "town"));
			cJSON_AddStringToObject(body, "answers_for", jstr(rec, "code"));
			if ((rc = seed_op(s, "contact.add", NULL, body)))
				break;
		}
	}
	return rc;
}

int
seed_load(struct db *db)
{
	struct seeder s = { db, "", 0 };
	cJSON *county = NULL, *rec;
	int rc, i;

	if ((rc = assets_load_json("seed/county.json", &county)))
		return db_fail(db, rc, "cannot read %s/seed/county.json",
			       assets_dir());
	if ((rc = meta_get_text(db, "realm", s.realm, sizeof s.realm)) < 0)
		goto out;
	rc = 0;
	for (i = 0; i < NREF && !rc; i++) {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(county,
					reftables[i].seedkey);
		cJSON_ArrayForEach(rec, list) {
			const char *code = jstr(rec, "code");
			if (!code) {
				rc = db_fail(db, DD_E_ASSETS, "seed %s without code",
					     reftables[i].seedkey);
				break;
			}
			if ((rc = seed_op(&s, reftables[i].kind, code,
					  seed_body(rec, reftables[i].schema))))
				break;
		}
	}
	cJSON_ArrayForEach(rec, cJSON_GetObjectItemCaseSensitive(county, "stock")) {
		cJSON *body, *legs, *leg;
		int64_t qty;
		if (rc)
			break;
		if (!jstr(rec, "depot") || !jstr(rec, "item") ||
		    !jint(rec, "qty", &qty) || qty <= 0) {
			rc = db_fail(db, DD_E_ASSETS, "bad seed stock row");
			break;
		}
		body = cJSON_CreateObject();
		cJSON_AddStringToObject(body, "kind", "receive");
		legs = cJSON_AddArrayToObject(body, "legs");
		leg = cJSON_CreateObject();
		cJSON_AddStringToObject(leg, "depot", jstr(rec, "depot"));
		cJSON_AddStringToObject(leg, "item", jstr(rec, "item"));
		cJSON_AddNumberToObject(leg, "delta", (double)qty);
		cJSON_AddItemToArray(legs, leg);
		cJSON_AddStringToObject(body, "note", "opening stock");
		cJSON_AddStringToObject(body, "at", "1970-01-01T00:00:00Z");
		rc = seed_op(&s, "supply.move", NULL, body);
	}
	if (!rc)
		rc = seed_people(&s, county);
out:
	cJSON_Delete(county);
	return rc;
}

int
seed_upgrade_people(struct db *db)
{
	struct seeder s = { db, "", 0 };
	cJSON *county = NULL;
	int rc;

	/* Only a seeded database, after the seed it holds. */
	if ((rc = db_int(db, &s.seq, "SELECT max(seq) FROM ops WHERE station = "
			 "'seed'", NULL)) < 0)
		return rc;
	if (rc == 0 || s.seq == 0)
		return 0;
	if ((rc = meta_get_text(db, "realm", s.realm, sizeof s.realm)) <= 0)
		return rc;
	if ((rc = assets_load_json("seed/county.json", &county)))
		return db_fail(db, rc, "cannot read %s/seed/county.json",
			       assets_dir());
	rc = seed_people(&s, county);
	cJSON_Delete(county);
	return rc;
}
