/*
 * contact.c - the directory (通讯录), the call log and the command
 * station's spot checks (查岗). A contact is a record like the reference
 * data: its fields are last writer wins, and it is never deleted but
 * marked so. Calls and checks are append-only: a correction is a new
 * entry.
 */
#include "private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pinyin.h"

const char *const contact_roles[] = { "town_leader", "town_duty", "village",
	"shelter_manager", "team_leader", "risk_monitor", "county_leader",
	"officer", NULL };

/* What an officer may type for a role besides its code: its Chinese
 * label (as the Chinese console shows it) and its English one. */
static const char *const role_labels[][2] = {
	{ "镇街领导", "town leader" },
	{ "镇街值班员", "town duty officer" },
	{ "村社负责人", "village head" },
	{ "避灾场所管理员", "shelter manager" },
	{ "队伍负责人", "team leader" },
	{ "风险点监测员", "risk monitor" },
	{ "县级领导", "county leader" },
	{ "值班员", "duty officer" },
};

const char *const call_outcomes[] = { "answered", "no_answer", "busy",
	"left_message", NULL };

const struct field contact_schema[] = {
	{ "name", F_STR, 0, 0, 100, NULL },
	{ "pinyin", F_STR, 0, 0, 200, NULL },
	{ "phones", F_STR, 0, 0, 200, NULL },
	{ "unit", F_STR, 0, 0, 200, NULL },
	{ "role", F_ENUM, 0, 0, 0, contact_roles },
	{ "town", F_STR, 0, 0, 63, NULL },
	{ "answers_for", F_STR, 0, 0, 63, NULL },
	{ "deleted", F_BOOL, 0, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field call_schema[] = {
	{ "contact", F_STR, 0, 0, 63, NULL },
	{ "name", F_STR, 0, 0, 100, NULL },
	{ "number", F_STR, 0, 0, 40, NULL },
	{ "outcome", F_ENUM, 1, 0, 0, call_outcomes },
	{ "incoming", F_BOOL, 0, 0, 0, NULL },
	{ "incident", F_STR, 0, 0, 63, NULL },
	{ "warning", F_STR, 0, 0, 63, NULL },
	{ "note", F_STR, 0, 0, 2000, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct field spot_schema[] = {
	{ "town", F_STR, 1, 0, 63, NULL },
	{ "who", F_STR, 0, 0, 63, NULL },
	{ "name", F_STR, 0, 0, 100, NULL },
	{ "answered", F_BOOL, 1, 0, 0, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

int
apply_contact(struct db *db, const struct op *op)
{
	return record_put(db, op, "contacts", contact_schema,
			  strcmp(op->kind, "contact.add") == 0, NULL);
}

int
apply_call(struct db *db, const struct op *op)
{
	const cJSON *b = op->body;
	int64_t at = 0;

	jtime(b, "at", &at);
	return db_exec(db, "INSERT OR IGNORE INTO calls(id, contact, name, number, "
		       "outcome, incoming, incident, warning, note, at, officer, "
		       "station) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		       "sssssdsssiss", op->entity, jstr(b, "contact"),
		       jstr(b, "name"), jstr(b, "number"), jstr(b, "outcome"),
		       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "incoming")),
		       jstr(b, "incident"), jstr(b, "warning"), jstr(b, "note"), at,
		       op->officer, op->station);
}

int
apply_spot_check(struct db *db, const struct op *op)
{
	const cJSON *b = op->body;
	int64_t at = 0;

	jtime(b, "at", &at);
	return db_exec(db, "INSERT OR IGNORE INTO checks(id, town, who, name, "
		       "answered, at, officer, station) VALUES(?, ?, ?, ?, ?, ?, ?, "
		       "?)", "ssssdiss", op->entity, jstr(b, "town"), jstr(b, "who"),
		       jstr(b, "name"),
		       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "answered")),
		       at, op->officer, op->station);
}

const char *
contact_role_parse(const char *s)
{
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; contact_roles[i]; i++)
		if (strcmp(s, contact_roles[i]) == 0 ||
		    strcmp(s, role_labels[i][0]) == 0 ||
		    strcasecmp(s, role_labels[i][1]) == 0)
			return contact_roles[i];
	return NULL;
}

/* phones as typed ("138 0000 1111; 0576-8500"), separated by ';', ',',
 * '、' or '，', into out as "13800001111;0576-8500": each with digits
 * (at least three), and '-', '+' or spaces, which are dropped but for a
 * '-' or a leading '+'. 1 good, 0 not. */
static int
phones_norm(const char *in, char *out, size_t n)
{
	size_t o = 0;
	int digits = 0, count = 0;
	const char *p = in;

	for (;;) {
		int sep = !*p || *p == ';' || *p == ',';
		int sepw = !strncmp(p, "、", 3) || !strncmp(p, "，", 3) ||
			   !strncmp(p, "；", 3);
		if (sep || sepw) {
			if (digits > 0 && digits < 3)
				return 0;
			if (digits) {
				count++;
				if (o + 1 >= n)
					return 0;
				out[o++] = ';';
			}
			digits = 0;
			if (!*p)
				break;
			p += sepw ? 3 : 1;
			continue;
		}
		if (isdigit((unsigned char)*p) || *p == '-' ||
		    (*p == '+' && (o == 0 || out[o - 1] == ';'))) {
			if (o + 2 >= n)
				return 0;
			digits += isdigit((unsigned char)*p) != 0;
			out[o++] = *p;
		} else if (*p != ' ' && *p != '(' && *p != ')') {
			return 0;
		}
		p++;
	}
	if (o > 0 && out[o - 1] == ';')
		o--;
	out[o] = 0;
	return count > 0;
}

/* A contact's fields as an officer gave them, checked against the
 * directory and made into an operation's body. create: name, a phone
 * and the role are needed. */
static int
contact_body(struct db *db, const cJSON *in, int create, cJSON *body)
{
	const char *name = jstr(in, "name"), *phones = jstr(in, "phones");
	const char *role = jstr(in, "role"), *town = jstr(in, "town");
	const char *unit = jstr(in, "unit"), *forid = jstr(in, "for");
	char buf[256], code[64];
	int rc;

	if (!forid)
		forid = jstr(in, "answers_for");
	if (name || create) {
		char nm[104];
		size_t len;
		/* Spaces around a name (a spreadsheet's cell) are not part of
		 * it: the person is found by the name alone. */
		while (name && *name == ' ')
			name++;
		len = name ? strlen(name) : 0;
		while (len > 0 && name[len - 1] == ' ')
			len--;
		if (!len || len > 100)
			return db_fail(db, DD_E_INVALID, "a contact needs a name "
				       "(100 bytes at most)");
		snprintf(nm, sizeof nm, "%.*s", (int)len, name);
		cJSON_AddStringToObject(body, "name", nm);
		pinyin_of(nm, buf, sizeof buf);
		cJSON_AddStringToObject(body, "pinyin", buf);
	}
	if (phones || create) {
		if (!phones || !phones_norm(phones, buf, 201))
			return db_fail(db, DD_E_INVALID, "phone '%s': one or more "
				       "numbers of digits (and - or +), separated by "
				       "';'", phones ? phones : "");
		cJSON_AddStringToObject(body, "phones", buf);
	}
	if (role || create) {
		const char *r = contact_role_parse(role);
		if (!r)
			return db_fail(db, DD_E_INVALID, "role '%s': one of "
				       "town_leader, town_duty, village, "
				       "shelter_manager, team_leader, risk_monitor, "
				       "county_leader, officer", role ? role : "");
		cJSON_AddStringToObject(body, "role", r);
	}
	if (unit) {
		if (strlen(unit) > 200)
			return db_fail(db, DD_E_INVALID, "unit: 200 bytes at most");
		cJSON_AddStringToObject(body, "unit", unit);
	}
	if (town) {
		if (!*town) {
			cJSON_AddStringToObject(body, "town", "");
		} else if ((rc = ref_find(db, REF_TOWN, town, code)) <= 0) {
			return rc < 0 ? rc : DD_E_NOTFOUND;
		} else {
			cJSON_AddStringToObject(body, "town", code);
		}
	}
	if (forid && *forid) {
		/* The shelter or the team the person answers for. */
		if ((rc = db_text(db, code, sizeof code, "SELECT id FROM shelters "
				  "WHERE id = ?1 AND deleted = 0 UNION ALL SELECT id "
				  "FROM teams WHERE id = ?1 AND deleted = 0", "s",
				  forid)) < 0)
			return rc;
		if (rc == 0 && (rc = ref_find(db, REF_SHELTER, forid, code)) < 0)
			return rc;
		if (rc == 0 && (rc = ref_find(db, REF_TEAM, forid, code)) < 0)
			return rc;
		if (rc == 0)
			return db_fail(db, DD_E_NOTFOUND, "--for '%s' names no "
				       "shelter or team", forid);
		cJSON_AddStringToObject(body, "answers_for", code);
	} else if (forid) {
		cJSON_AddStringToObject(body, "answers_for", "");
	}
	return 0;
}

int
contact_add(struct db *db, const cJSON *fields, char id_out[64])
{
	cJSON *body = cJSON_CreateObject();
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if (!(rc = db_begin(db))) {
		if (!(rc = contact_body(db, fields, 1, body)) &&
		    !(rc = id_next(db, id_out)))
			rc = op_submit(db, "contact.add", id_out, body);
		rc = db_end(db, rc);
	}
	cJSON_Delete(body);
	return rc;
}

int
contact_update(struct db *db, const char *id, const cJSON *fields)
{
	cJSON *body = cJSON_CreateObject();
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if (!(rc = db_begin(db))) {
		if ((rc = db_int(db, NULL, "SELECT 1 FROM contacts WHERE id = ? AND "
				 "name IS NOT NULL", "s", id)) <= 0)
			rc = rc < 0 ? rc : db_fail(db, DD_E_NOTFOUND, "no contact "
						   "'%s'", id);
		else if (!(rc = contact_body(db, fields, 0, body)) &&
			 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fields,
								       "deleted")))
			cJSON_AddBoolToObject(body, "deleted", 1);
		if (!rc && cJSON_GetArraySize(body) == 0)
			rc = db_fail(db, DD_E_INVALID, "nothing to change");
		if (!rc)
			rc = op_submit(db, "contact.update", id, body);
		rc = db_end(db, rc);
	}
	cJSON_Delete(body);
	return rc;
}

int
contact_find(struct db *db, const char *who, char id_out[64])
{
	cJSON *rows = cJSON_CreateArray(), *o;
	const char *w = who ? who : "";
	char sq[256], list[400] = "";
	size_t m = 0;
	int rc, n;

	if (!rows)
		return DD_E_NOMEM;
	name_fold(w, sq, sizeof sq);
	/* An id always names its contact; else the whole name, Chinese or
	 * pinyin (spaces and case ignored). */
	rc = db_rows(db, rows, "SELECT c.id, c.name, c.role, t.name AS town FROM "
		     "contacts c LEFT JOIN towns t ON t.id = c.town WHERE "
		     "c.deleted = 0 AND c.name IS NOT NULL AND (c.id = ?1 OR "
		     "c.name = ?1 OR (?2 <> '' AND replace(lower(c.pinyin), ' ', "
		     "'') = ?2)) ORDER BY c.id = ?1 DESC, c.id", "ss", w, sq);
	n = cJSON_GetArraySize(rows);
	if (!rc && n > 0 && strcmp(jstr(rows->child, "id"), w) == 0)
		n = 1;
	if (rc) {
		/* the database's error, as it is */
	} else if (n == 1) {
		snprintf(id_out, 64, "%s", jstr(rows->child, "id"));
		rc = 1;
	} else if (n == 0) {
		db_fail(db, DD_E_NOTFOUND, "no contact '%s' in the directory", w);
	} else {
		/* Each with its id and what tells them apart: the town, else
		 * the role. */
		cJSON_ArrayForEach(o, rows)
			if (m < sizeof list)
				m += (size_t)snprintf(list + m, sizeof list - m,
						      "%s%s %s (%s)",
						      o == rows->child ? "" : ", ",
						      jstr(o, "id"), jstr(o, "name"),
						      jstr(o, "town") ? jstr(o, "town")
						      : word(W_CONTACT_ROLE,
							     jstr(o, "role")));
		rc = db_fail(db, DD_E_REFUSED, "'%s' names more than one contact: "
			     "%s", w, list);
	}
	cJSON_Delete(rows);
	return rc;
}

/* Columns a contact is listed with. */
#define CONTACT_COLS "c.id, c.name, c.pinyin, c.phones, c.unit, c.role, " \
	"c.town, c.answers_for AS for"

int
contact_search(struct db *db, const char *text, cJSON **out)
{
	char sq[256], digits[64];
	size_t d = 0;
	const char *p;
	int rc;

	if (!(*out = cJSON_CreateArray()))
		return DD_E_NOMEM;
	name_fold(text ? text : "", sq, sizeof sq);
	for (p = text ? text : ""; *p && d + 1 < sizeof digits; p++)
		if (isdigit((unsigned char)*p))
			digits[d++] = *p;
	digits[d] = 0;
	if (!*sq)
		return 0;
	rc = db_rows(db, *out, "SELECT " CONTACT_COLS " FROM contacts c LEFT "
		     "JOIN towns t ON t.id = c.town WHERE c.deleted = 0 AND "
		     "c.name IS NOT NULL AND (instr(c.name, ?1) OR "
		     "instr(replace(lower(c.pinyin), ' ', ''), ?2) OR "
		     "(length(?3) >= 3 AND instr(replace(c.phones, '-', ''), ?3)) "
		     "OR instr(c.unit, ?1) OR c.town = ?2 OR instr(t.name, ?1) OR "
		     "instr(replace(lower(t.pinyin), ' ', ''), ?2)) ORDER BY c.id",
		     "sss", text, sq, digits);
	if (rc) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

int
contact_by_phone(struct db *db, const char *phone, cJSON **out)
{
	char digits[64];
	size_t d = 0;
	const char *p;
	cJSON *rows;
	int rc;

	*out = NULL;
	for (p = phone ? phone : ""; *p && d + 1 < sizeof digits; p++)
		if (isdigit((unsigned char)*p))
			digits[d++] = *p;
	digits[d] = 0;
	if (d < 3)
		return 0;
	if (!(rows = cJSON_CreateArray()))
		return DD_E_NOMEM;
	/* One of the phones, whole: ';' around each. */
	rc = db_rows(db, rows, "SELECT " CONTACT_COLS " FROM contacts c WHERE "
		     "c.deleted = 0 AND c.name IS NOT NULL AND instr(';' || "
		     "replace(replace(c.phones, '-', ''), '+', '') || ';', ';' || ?1 "
		     "|| ';') ORDER BY c.id LIMIT 1", "s", digits);
	if (!rc && cJSON_GetArraySize(rows) == 1) {
		*out = cJSON_DetachItemFromArray(rows, 0);
		rc = 1;
	}
	cJSON_Delete(rows);
	return rc;
}

int
contact_get(struct db *db, const char *id, cJSON **out)
{
	cJSON *rows = cJSON_CreateArray(), *c;
	int rc;

	*out = NULL;
	if (!rows)
		return DD_E_NOMEM;
	if ((rc = db_rows(db, rows, "SELECT " CONTACT_COLS ", c.deleted FROM "
			  "contacts c WHERE c.id = ? AND c.name IS NOT NULL", "s",
			  id)) || cJSON_GetArraySize(rows) == 0) {
		cJSON_Delete(rows);
		return rc;
	}
	c = cJSON_DetachItemFromArray(rows, 0);
	cJSON_Delete(rows);
	/* What it answers for, by name; its calls; the warnings that named
	 * it. */
	if ((rc = db_rows(db, cJSON_AddArrayToObject(c, "answers"), "SELECT "
			  "'shelter' AS what, id, name FROM shelters WHERE id = ?1 "
			  "UNION ALL SELECT 'team', id, name FROM teams WHERE id = "
			  "?1", "s", jstr(c, "for") ? jstr(c, "for") : "")) ||
	    (rc = db_rows(db, cJSON_AddArrayToObject(c, "calls"), "SELECT id, "
			  "at, outcome, incoming, number, incident, warning, note, "
			  "officer FROM calls WHERE contact = ? ORDER BY at, id",
			  "s", id)) ||
	    (rc = db_rows(db, cJSON_AddArrayToObject(c, "warnings"), "SELECT "
			  "p.warning, p.town, w.color, w.hazard, w.at FROM "
			  "warning_people p JOIN warnings w ON w.id = p.warning "
			  "WHERE p.contact = ? ORDER BY w.at, p.warning", "s", id))) {
		cJSON_Delete(c);
		return rc;
	}
	*out = c;
	return 1;
}

/* ---- import ---- */

static const char *const contact_csv[] = { "name", "phones", "unit", "role",
	"town", "for", NULL };

static int
contact_row(struct db *db, const cJSON *fields, char id[64], void *ctx)
{
	(void)ctx;
	return contact_add(db, fields, id);
}

int
import_contacts_csv(struct db *db, const char *path, int charset,
		    int64_t *count, cJSON *ids)
{
	const struct csv_kind k = { contact_csv, "contact", contact_row, NULL };

	return import_csv(db, path, charset, &k, count, ids);
}

/* ---- calls and checks ---- */

/* A number as typed: digits, and '-', '+', spaces; 3 digits at least. */
static int
number_like(const char *s)
{
	int digits = 0;

	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			digits++;
		else if (*s != '-' && *s != '+' && *s != ' ')
			return 0;
	}
	return digits >= 3;
}

/* The first phone of contact id into out. */
static int
first_phone(struct db *db, const char *id, char *out, size_t n)
{
	char *semi;
	int rc = db_text(db, out, n, "SELECT phones FROM contacts WHERE id = ?",
			 "s", id);

	if (rc <= 0)
		out[0] = 0;
	if ((semi = strchr(out, ';')))
		*semi = 0;
	return rc < 0 ? rc : 0;
}

int
call_log(struct db *db, const char *to, const cJSON *fields, char id_out[64])
{
	const char *outcome = jstr(fields, "outcome"), *inc = jstr(fields, "incident");
	const char *warn = jstr(fields, "warning"), *note = jstr(fields, "note");
	cJSON *body = cJSON_CreateObject(), *found = NULL;
	char contact[64] = "", name[128] = "", number[48] = "", code[64];
	int64_t at;
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if (str_in(outcome ? outcome : "", call_outcomes) < 0) {
		rc = db_fail(db, DD_E_INVALID, "outcome is answered, no_answer, busy "
			     "or left_message");
		goto end;
	}
	/* A bare number is the contact who has it, or nobody known. */
	if (to && number_like(to)) {
		size_t o = 0;
		const char *p;
		for (p = to; *p && o + 1 < sizeof number; p++)
			if (*p != ' ')
				number[o++] = *p;
		number[o] = 0;
		if ((rc = contact_by_phone(db, to, &found)) < 0)
			goto end;
		if (rc == 1) {
			snprintf(contact, sizeof contact, "%s", jstr(found, "id"));
			snprintf(name, sizeof name, "%s", jstr(found, "name"));
		}
		rc = 0;
	} else {
		if ((rc = contact_find(db, to ? to : "", contact)) <= 0) {
			rc = rc < 0 ? rc : DD_E_NOTFOUND;
			goto end;
		}
		rc = 0;
		if ((rc = db_text(db, name, sizeof name, "SELECT name FROM contacts "
				  "WHERE id = ?", "s", contact)) < 0 ||
		    (rc = first_phone(db, contact, number, sizeof number)))
			goto end;
	}
	if (inc && *inc) {
		if ((rc = ref_find(db, REF_INCIDENT, inc, code)) <= 0) {
			rc = rc < 0 ? rc : DD_E_NOTFOUND;
			goto end;
		}
		cJSON_AddStringToObject(body, "incident", code);
	}
	if (warn && *warn) {
		if ((rc = db_int(db, NULL, "SELECT 1 FROM warnings WHERE id = ? AND "
				 "text IS NOT NULL", "s", warn)) <= 0) {
			rc = rc < 0 ? rc : db_fail(db, DD_E_NOTFOUND, "no warning "
						   "'%s'", warn);
			goto end;
		}
		rc = 0;
		cJSON_AddStringToObject(body, "warning", warn);
	}
	if (note && strlen(note) > 2000) {
		rc = db_fail(db, DD_E_INVALID, "a note has 2000 bytes at most");
		goto end;
	}
	if (*contact)
		cJSON_AddStringToObject(body, "contact", contact);
	if (*name)
		cJSON_AddStringToObject(body, "name", name);
	if (*number)
		cJSON_AddStringToObject(body, "number", number);
	cJSON_AddStringToObject(body, "outcome", outcome);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fields, "incoming")))
		cJSON_AddBoolToObject(body, "incoming", 1);
	if (note && *note)
		cJSON_AddStringToObject(body, "note", note);
	if (!jtime(fields, "at", &at))
		at = clock_now(&db->clock);
	jset_time(body, "at", at);
	if (!(rc = id_next(db, id_out)))
		rc = op_submit(db, "call.log", id_out, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(found);
	cJSON_Delete(body);
	return rc;
}

int
check_log(struct db *db, const char *town, const char *who, int64_t at,
	  char id_out[64])
{
	cJSON *body = cJSON_CreateObject();
	char code[64], contact[64], name[128] = "";
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = ref_find(db, REF_TOWN, town ? town : "", code)) <= 0) {
		rc = rc < 0 ? rc : DD_E_NOTFOUND;
		goto end;
	}
	cJSON_AddStringToObject(body, "town", code);
	if (who) {
		if ((rc = contact_find(db, who, contact)) <= 0) {
			rc = rc < 0 ? rc : DD_E_NOTFOUND;
			goto end;
		}
		if ((rc = db_text(db, name, sizeof name, "SELECT name FROM "
				  "contacts WHERE id = ?", "s", contact)) < 0)
			goto end;
		cJSON_AddStringToObject(body, "who", contact);
		cJSON_AddStringToObject(body, "name", name);
	}
	cJSON_AddBoolToObject(body, "answered", who != NULL);
	jset_time(body, "at", at ? at : clock_now(&db->clock));
	if (!(rc = id_next(db, id_out)))
		rc = op_submit(db, "check.log", id_out, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}
