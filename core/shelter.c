/*
 * shelter.c - shelters: attributes last-writer-wins (open/closed among
 * them), occupancy as signed deltas so check-ins at two offices add up.
 */
#include "private.h"

#include <stdio.h>
#include <string.h>

const struct field occupy_schema[] = {
	{ "delta", F_INT, 1, -1000000, 1000000, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

int
apply_shelter_occupy(struct db *db, const struct op *op)
{
	int64_t d = 0;
	int rc;

	jint(op->body, "delta", &d);
	if ((rc = db_exec(db, "INSERT OR IGNORE INTO shelters(id) VALUES(?)", "s",
			  op->entity)))
		return rc;
	return db_exec(db, "UPDATE shelters SET occupancy = occupancy + ? "
		       "WHERE id = ?", "is", d, op->entity);
}

static int
shelter_state(struct db *db, const char *what, char code[64], int64_t *open,
	      int64_t *occ)
{
	int rc = ref_find(db, REF_SHELTER, what, code);

	if (rc <= 0)
		return rc < 0 ? rc : DD_E_NOTFOUND;
	if ((rc = db_int(db, open, "SELECT open FROM shelters WHERE id = ?", "s",
			 code)) < 0 ||
	    (rc = db_int(db, occ, "SELECT occupancy FROM shelters WHERE id = ?",
			 "s", code)) < 0)
		return rc;
	return 0;
}

int
shelter_set_open(struct db *db, const char *shelter, int open)
{
	char code[64];
	cJSON *body = cJSON_CreateObject();
	int64_t is_open = 0, occ = 0;
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = shelter_state(db, shelter, code, &is_open, &occ)))
		goto end;
	if (!!is_open == !!open) {
		rc = db_fail(db, DD_E_REFUSED, "shelter %s is already %s", code,
			     open ? "open" : "closed");
		goto end;
	}
	if (!open && occ > 0) {
		rc = db_fail(db, DD_E_REFUSED, "shelter %s still holds %lld people; "
			     "check them out first", code, (long long)occ);
		goto end;
	}
	cJSON_AddBoolToObject(body, "open", open);
	rc = op_submit(db, "shelter.put", code, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}

int
shelter_occupancy(struct db *db, const char *shelter, int64_t *people,
		  int64_t *capacity)
{
	char code[64];
	int rc = ref_find(db, REF_SHELTER, shelter, code);

	*people = *capacity = 0;
	if (rc <= 0)
		return rc;
	if ((rc = db_int(db, people, "SELECT occupancy FROM shelters WHERE "
			 "id = ?", "s", code)) < 0 ||
	    (rc = db_int(db, capacity, "SELECT coalesce(capacity, 0) FROM "
			 "shelters WHERE id = ?", "s", code)) < 0)
		return rc;
	return 1;
}

int
shelter_occupy(struct db *db, const char *shelter, int64_t delta)
{
	char code[64];
	cJSON *body = cJSON_CreateObject();
	int64_t open = 0, occ = 0;
	int rc;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = shelter_state(db, shelter, code, &open, &occ)))
		goto end;
	if (delta == 0 || delta > 1000000 || delta < -1000000) {
		rc = db_fail(db, DD_E_INVALID, "number of people must be from 1 to "
			     "1000000");
	} else if (delta > 0 && !open) {
		rc = db_fail(db, DD_E_REFUSED, "shelter %s is closed; open it first",
			     code);
	} else if (delta < 0 && occ + delta < 0) {
		rc = db_fail(db, DD_E_REFUSED, "shelter %s holds %lld people; cannot "
			     "check out %lld", code, (long long)occ, (long long)-delta);
	}
	if (rc)
		goto end;
	cJSON_AddNumberToObject(body, "delta", (double)delta);
	jset_time(body, "at", clock_now(&db->clock));
	rc = op_submit(db, "shelter.occupy", code, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}
