/*
 * ref.c - reference data: towns, teams, depots, supply kinds, shelters.
 * Seeded from assets as operations of the pseudo-station "seed" with
 * fixed ids and clock 0, so every replica holds the same operations.
 */
#include "private.h"

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
	const char *kind, *table;
	const struct field *schema;
	const char *seedkey;
	/* Messages whole, so each language can say them its own way. */
	const char *none, *unknown, *ambiguous;
};

static const struct reftable reftables[] = {
	[REF_TOWN] = { "town.put", "towns", town_schema, "towns",
		DD_N_("no town given"), DD_N_("unknown town '%s'"),
		DD_N_("'%s' names more than one town; use its code") },
	[REF_TEAM] = { "team.put", "teams", team_schema, "teams",
		DD_N_("no team given"), DD_N_("unknown team '%s'"),
		DD_N_("'%s' names more than one team; use its code") },
	[REF_DEPOT] = { "depot.put", "depots", depot_schema, "depots",
		DD_N_("no depot given"), DD_N_("unknown depot '%s'"),
		DD_N_("'%s' names more than one depot; use its code") },
	[REF_KIND] = { "supply_kind.put", "supply_kinds", kind_schema,
		"supply_kinds", DD_N_("no supply kind given"),
		DD_N_("unknown supply kind '%s'"),
		DD_N_("'%s' names more than one supply kind; use its code") },
	[REF_SHELTER] = { "shelter.put", "shelters", shelter_schema, "shelters",
		DD_N_("no shelter given"), DD_N_("unknown shelter '%s'"),
		DD_N_("'%s' names more than one shelter; use its code") },
};
#define NREF ((int)(sizeof reftables / sizeof reftables[0]))

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

int
ref_find(struct db *db, enum ref r, const char *what, char code_out[64])
{
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
	};
	sqlite3_stmt *st;
	int rc, s, found = 0;

	if (!what || !*what)
		return db_fail(db, DD_E_INVALID, "%s", dgettext("dutydesk",
							 reftables[r].none));
	st = db_prep(db, sql[r]);
	if (!st)
		return db_prep_err(db);
	sqlite3_bind_text(st, 1, what, -1, SQLITE_TRANSIENT);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		/* An exact code always wins over a name that matches two. */
		if (strcmp(id, what) == 0) {
			snprintf(code_out, 64, "%s", id);
			found = 1;
			break;
		}
		if (found++ == 0)
			snprintf(code_out, 64, "%s", id);
	}
	rc = (s == SQLITE_ROW || s == SQLITE_DONE) ? 0 : db_rc(db, s);
	db_reset(st);
	if (rc)
		return rc;
	if (found == 0)
		return db_fail(db, 0, reftables[r].unknown, what);
	if (found > 1)
		return db_fail(db, 0, reftables[r].ambiguous, what);
	return 1;
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
out:
	cJSON_Delete(county);
	return rc;
}
