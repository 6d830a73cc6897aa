/*
 * supply.c - emergency supplies. Only movements are stored and synced
 * (receive, issue, transfer as one operation with two legs, stocktake as
 * a delta); stock is their sum, so concurrent offline issues from two
 * offices both count. A negative balance is an alarm, not a rejection.
 */
#include "private.h"

#include <stdio.h>
#include <string.h>

static const char *const move_kinds[] = { "receive", "issue", "transfer",
	"count", NULL };

const struct field move_schema[] = {
	{ "kind", F_ENUM, 1, 0, 0, move_kinds },
	{ "legs", F_LEGS, 1, 0, 0, NULL },
	{ "note", F_STR, 0, 0, 2000, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

#define QTY_MAX 1000000000LL

/* The shape each kind of movement must have; checked on every replica
 * from the body alone, so it is a ground of form, not of state. */
int
check_supply(struct db *db, const struct op *op)
{
	const cJSON *legs = cJSON_GetObjectItemCaseSensitive(op->body, "legs");
	int kind = str_in(jstr(op->body, "kind"), move_kinds);
	const cJSON *a = cJSON_GetArrayItem(legs, 0), *b = cJSON_GetArrayItem(legs, 1);
	int64_t da = 0, db_ = 0;
	int n = cJSON_GetArraySize(legs);

	jint(a, "delta", &da);
	if (b)
		jint(b, "delta", &db_);
	switch (kind) {
	case MOVE_RECEIVE:
		if (n == 1 && da > 0)
			return 0;
		break;
	case MOVE_ISSUE:
		if (n == 1 && da < 0)
			return 0;
		break;
	case MOVE_TRANSFER:
		if (n == 2 && da < 0 && db_ == -da &&
		    strcmp(jstr(a, "item"), jstr(b, "item")) == 0 &&
		    strcmp(jstr(a, "depot"), jstr(b, "depot")) != 0)
			return 0;
		break;
	case MOVE_COUNT:
		if (n == 1)
			return 0;
		break;
	}
	return db_fail(db, DD_E_SCHEMA, "legs do not fit a %s", move_kinds[kind]);
}

int
apply_supply(struct db *db, const struct op *op)
{
	const cJSON *legs = cJSON_GetObjectItemCaseSensitive(op->body, "legs");
	const cJSON *l;
	int kind = str_in(jstr(op->body, "kind"), move_kinds), rc, n = 0;
	int64_t at = 0;

	jtime(op->body, "at", &at);
	rc = db_exec(db, "INSERT OR IGNORE INTO movements(id, kind, at, note, "
		     "officer, station) VALUES(?, ?, ?, ?, ?, ?)", "ssisss",
		     op->entity, move_kinds[kind], at, jstr(op->body, "note"),
		     op->officer, op->station);
	cJSON_ArrayForEach(l, legs) {
		int64_t d = 0;
		if (rc)
			break;
		jint(l, "delta", &d);
		rc = db_exec(db, "INSERT INTO legs(movement, n, depot, item, delta) "
			     "VALUES(?, ?, ?, ?, ?)", "sdssi", op->entity, n++,
			     jstr(l, "depot"), jstr(l, "item"), d);
		if (!rc)
			rc = db_exec(db, "INSERT INTO stock(depot, item, qty) "
				     "VALUES(?1, ?2, ?3) ON CONFLICT(depot, item) DO "
				     "UPDATE SET qty = qty + ?3", "ssi",
				     jstr(l, "depot"), jstr(l, "item"), d);
	}
	return rc;
}

int64_t
supply_stock(struct db *db, const char *depot, const char *item)
{
	int64_t q = 0;

	if (db_int(db, &q, "SELECT qty FROM stock WHERE depot = ? AND item = ?",
		   "ss", depot, item) <= 0)
		return 0;
	return q;
}

static void
add_leg(cJSON *legs, const char *depot, const char *item, int64_t delta)
{
	cJSON *l = cJSON_CreateObject();

	cJSON_AddStringToObject(l, "depot", depot);
	cJSON_AddStringToObject(l, "item", item);
	cJSON_AddNumberToObject(l, "delta", (double)delta);
	cJSON_AddItemToArray(legs, l);
}

int
supply_move(struct db *db, int kind, const char *item, const char *depot,
	    const char *to_depot, int64_t qty, const char *note, char id_out[64])
{
	char icode[64], dcode[64], tcode[64];
	cJSON *body = cJSON_CreateObject(), *legs;
	int64_t have;
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if (kind < MOVE_RECEIVE || kind > MOVE_COUNT) {
		rc = db_fail(db, DD_E_INVALID, "unknown movement");
		goto end;
	}
	if (qty < (kind == MOVE_COUNT ? 0 : 1) || qty > QTY_MAX) {
		rc = db_fail(db, DD_E_INVALID, kind == MOVE_COUNT
			     ? "a count is a whole number from 0 up"
			     : "quantity must be a whole number from 1 to 1000000000");
		goto end;
	}
	if ((rc = ref_find(db, REF_KIND, item, icode)) <= 0 ||
	    (rc = ref_find(db, REF_DEPOT, depot, dcode)) <= 0) {
		rc = rc < 0 ? rc : DD_E_NOTFOUND;
		goto end;
	}
	if (kind == MOVE_TRANSFER) {
		if ((rc = ref_find(db, REF_DEPOT, to_depot, tcode)) <= 0) {
			rc = rc < 0 ? rc : DD_E_NOTFOUND;
			goto end;
		}
		if (strcmp(tcode, dcode) == 0) {
			rc = db_fail(db, DD_E_INVALID, "a transfer needs two depots");
			goto end;
		}
	}
	rc = 0;
	have = supply_stock(db, dcode, icode);
	if ((kind == MOVE_ISSUE || kind == MOVE_TRANSFER) && qty > have) {
		rc = db_fail(db, DD_E_REFUSED, "%s holds %lld %s; cannot take %lld",
			     dcode, (long long)have, icode, (long long)qty);
		goto end;
	}
	cJSON_AddStringToObject(body, "kind", move_kinds[kind]);
	legs = cJSON_AddArrayToObject(body, "legs");
	switch (kind) {
	case MOVE_RECEIVE: add_leg(legs, dcode, icode, qty); break;
	case MOVE_ISSUE:   add_leg(legs, dcode, icode, -qty); break;
	case MOVE_COUNT:   add_leg(legs, dcode, icode, qty - have); break;
	case MOVE_TRANSFER:
		add_leg(legs, dcode, icode, -qty);
		add_leg(legs, tcode, icode, qty);
		break;
	}
	if (note && *note)
		cJSON_AddStringToObject(body, "note", note);
	jset_time(body, "at", clock_now(&db->clock));
	if (!(rc = id_next(db, id_out)))
		rc = op_submit(db, "supply.move", id_out, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}
