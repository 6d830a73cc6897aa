/*
 * json.c - JSON in core: the helpers that read untrusted bodies (every
 * member checked for its type and range), and an operation in the forms
 * it travels in and is stored in: its JSON object (the wire, the export)
 * and a row of the log, with the log read in order.
 */
#include "private.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON helpers for untrusted bodies ---- */

const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Integers travel as JSON numbers within +-2^53 (exact in a double);
 * never trust valueint, which clamps. */
int
jint(const cJSON *o, const char *k, int64_t *v)
{
	return jint_of(cJSON_GetObjectItemCaseSensitive(o, k), v);
}

int
jint_of(const cJSON *n, int64_t *v)
{
	double d;

	if (!cJSON_IsNumber(n))
		return 0;
	d = n->valuedouble;
	if (d != d || d > 9007199254740992.0 || d < -9007199254740992.0 ||
	    d != (double)(int64_t)d)
		return 0;
	*v = (int64_t)d;
	return 1;
}

int
jtime(const cJSON *o, const char *k, int64_t *v)
{
	return jtime_of(cJSON_GetObjectItemCaseSensitive(o, k), v);
}

int
jtime_of(const cJSON *t, int64_t *v)
{
	return cJSON_IsString(t) && time_parse_iso(t->valuestring, v) == 0;
}

void
jset_time(cJSON *o, const char *k, int64_t t)
{
	char buf[21];

	time_format_iso(t, buf);
	cJSON_AddStringToObject(o, k, buf);
}

int
str_in(const char *s, const char *const *names)
{
	int i;

	for (i = 0; s && names[i]; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* ---- operations as JSON ---- */

cJSON *
op_to_json(const struct op *op)
{
	cJSON *j = cJSON_CreateObject();
	char buf[24];

	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "station", op->station);
	cJSON_AddStringToObject(j, "incarnation", op->incarnation);
	snprintf(buf, sizeof buf, "%" PRId64, op->seq);
	cJSON_AddStringToObject(j, "seq", buf);
	snprintf(buf, sizeof buf, "%" PRId64, op->hlc);
	cJSON_AddStringToObject(j, "hlc", buf);
	cJSON_AddStringToObject(j, "realm", op->realm);
	cJSON_AddStringToObject(j, "officer", op->officer);
	cJSON_AddStringToObject(j, "kind", op->kind);
	cJSON_AddStringToObject(j, "entity", op->entity);
	cJSON_AddItemToObject(j, "body", op->body ? cJSON_Duplicate(op->body, 1)
						  : cJSON_CreateObject());
	return j;
}

static int
copy_str(const cJSON *j, const char *k, char *dst, size_t n)
{
	const char *s = jstr(j, k);

	if (!s || strlen(s) >= n)
		return -1;
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

static int
copy_i64(const cJSON *j, const char *k, int64_t *v)
{
	const char *s = jstr(j, k);

	return s ? dd_parse_i64(s, v) : -1;
}

int
dd_parse_i64(const char *s, int64_t *v)
{
	int64_t n = 0;
	const char *p;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9' || n > (INT64_MAX - (*p - '0')) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	if (v)
		*v = n;
	return 0;
}

int
op_from_json(const cJSON *j, struct op *op)
{
	const cJSON *body = cJSON_GetObjectItemCaseSensitive(j, "body");

	memset(op, 0, sizeof *op);
	if (!cJSON_IsObject(j) || !cJSON_IsObject(body) ||
	    copy_str(j, "station", op->station, sizeof op->station) ||
	    copy_str(j, "incarnation", op->incarnation, sizeof op->incarnation) ||
	    copy_i64(j, "seq", &op->seq) || copy_i64(j, "hlc", &op->hlc) ||
	    copy_str(j, "realm", op->realm, sizeof op->realm) ||
	    copy_str(j, "officer", op->officer, sizeof op->officer) ||
	    copy_str(j, "kind", op->kind, sizeof op->kind) ||
	    copy_str(j, "entity", op->entity, sizeof op->entity))
		return DD_E_SCHEMA;
	op->body = cJSON_Duplicate(body, 1);
	return op->body ? 0 : DD_E_NOMEM;
}

void
op_clear(struct op *op)
{
	cJSON_Delete(op->body);
	op->body = NULL;
}

int
op_from_row(sqlite3_stmt *st, struct op *op)
{
	const char *body = (const char *)sqlite3_column_text(st, 8);

	memset(op, 0, sizeof *op);
	snprintf(op->station, sizeof op->station, "%s", sqlite3_column_text(st, 0));
	snprintf(op->incarnation, sizeof op->incarnation, "%s",
		 sqlite3_column_text(st, 1));
	op->seq = sqlite3_column_int64(st, 2);
	op->hlc = sqlite3_column_int64(st, 3);
	snprintf(op->realm, sizeof op->realm, "%s", sqlite3_column_text(st, 4));
	snprintf(op->officer, sizeof op->officer, "%s", sqlite3_column_text(st, 5));
	snprintf(op->kind, sizeof op->kind, "%s", sqlite3_column_text(st, 6));
	snprintf(op->entity, sizeof op->entity, "%s", sqlite3_column_text(st, 7));
	op->body = cJSON_Parse(body ? body : "{}");
	return op->body ? 0 : DD_E_DB_CORRUPT;
}

int
op_rows(struct db *db, sqlite3_stmt *st, int sseq_col,
	int (*fn)(const struct op *op, int64_t sseq, void *ctx), void *ctx)
{
	int rc = 0, s;

	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct op op;
		if ((rc = op_from_row(st, &op)))
			break;
		rc = fn(&op, sseq_col >= 0 ? sqlite3_column_int64(st, sseq_col) : 0,
			ctx);
		op_clear(&op);
		if (rc)
			break;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = db_rc(db, s);
	db_reset(st);
	return rc;
}

/* op_each's function, called through op_rows. */
struct each {
	int (*fn)(const struct op *, void *);
	void *ctx;
};

static int
each_one(const struct op *op, int64_t sseq, void *ctx)
{
	struct each *e = ctx;

	(void)sseq;
	return e->fn(op, e->ctx);
}

int
op_each(struct db *db, int outbox, int (*fn)(const struct op *, void *),
	void *ctx)
{
	sqlite3_stmt *st = db_prep(db, outbox
		? "SELECT station, incarnation, seq, hlc, realm, officer, kind, "
		  "entity, body FROM ops WHERE local = 1 AND acked = 0 ORDER BY seq"
		: "SELECT station, incarnation, seq, hlc, realm, officer, kind, "
		  "entity, body FROM ops ORDER BY n");
	struct each e = { fn, ctx };

	return st ? op_rows(db, st, -1, each_one, &e) : db_prep_err(db);
}
