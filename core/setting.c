/*
 * setting.c - the named settings of the duty room. The command station
 * sets a key for the county (setting.set); a town may set its own value
 * of a key marked local (setting.local). Each (scope, key) is last
 * writer wins; the value in force at a station is its own value of a
 * local key, else the county's, else the default.
 */
#include "private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct setting_def defs[] = {
	{ "shift.start", "08:30", 1, DD_N_("when a duty shift starts (HH:MM)") },
	{ "shift.hours", "24", 1, DD_N_("how long a duty shift lasts (hours)") },
	{ "silent.red", "15", 0,
	  DD_N_("minutes a town may leave a red warning unanswered") },
	{ "silent.orange", "15", 0,
	  DD_N_("minutes a town may leave an orange warning unanswered") },
	{ "silent.yellow", "30", 0,
	  DD_N_("minutes a town may leave a yellow warning unanswered") },
	{ "silent.blue", "30", 0,
	  DD_N_("minutes a town may leave a blue warning unanswered") },
};
#define NDEFS (sizeof defs / sizeof defs[0])

const struct field setting_schema[] = {
	{ "key", F_STR, 1, 0, 40, NULL },
	{ "value", F_STR, 1, 0, 200, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

const struct setting_def *
setting_def(size_t i)
{
	return i < NDEFS ? &defs[i] : NULL;
}

static const struct setting_def *
def_of(const char *key)
{
	size_t i;

	for (i = 0; i < NDEFS; i++)
		if (strcmp(defs[i].key, key) == 0)
			return &defs[i];
	return NULL;
}

/* "HH:MM" as minutes after midnight, or -1. */
static int
hhmm(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' ||
	    s[1] < '0' || s[1] > '9' || s[3] < '0' || s[3] > '5' ||
	    s[4] < '0' || s[4] > '9')
		return -1;
	int m = ((s[0] - '0') * 10 + s[1] - '0') * 60 + (s[3] - '0') * 10 +
		s[4] - '0';
	return m < 24 * 60 ? m : -1;
}

/* What is wrong with value for key (NULL: nothing). */
static const char *
value_bad(const char *key, const char *value)
{
	int64_t v;

	if (strcmp(key, "shift.start") == 0)
		return hhmm(value) >= 0 ? NULL : "a time of day like 08:30";
	if (dd_parse_i64(value, &v))
		v = -1;
	if (strcmp(key, "shift.hours") == 0)
		return v >= 1 && v <= 72 ? NULL
		       : "a whole number of hours from 1 to 72";
	return v >= 1 && v <= 24 * 60 ? NULL
	       : "a whole number of minutes from 1 to 1440";
}

/* The scope of a setting.set operation is the county; of a
 * setting.local, the station that made it. */
static int
apply_setting(struct db *db, const struct op *op, const char *scope)
{
	const char *key = jstr(op->body, "key"), *value = jstr(op->body, "value");
	char id[80];
	int rc;

	snprintf(id, sizeof id, "%s:%s", scope, key);
	if ((rc = lww_claim(db, op, "settings", id, "value")) <= 0)
		return rc;
	return db_exec(db, "INSERT INTO settings(id, scope, key, value) "
		       "VALUES(?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
		       "value = excluded.value", "ssss", id, scope, key, value);
}

int
apply_setting_county(struct db *db, const struct op *op)
{
	return apply_setting(db, op, "county");
}

int
apply_setting_local(struct db *db, const struct op *op)
{
	return apply_setting(db, op, op->station);
}

/* A station's own value is kept for the keys it may override only; a
 * key this dutydesk does not know (a later one's) is kept as sent. */
int
check_setting_local(struct db *db, const struct op *op)
{
	const struct setting_def *d = def_of(jstr(op->body, "key"));

	if (d && !d->local)
		return db_fail(db, DD_E_ROLE, "setting %s is the county's", d->key);
	return 0;
}

int
setting_get(struct db *db, const char *key, char *buf, size_t n)
{
	const struct setting_def *d = def_of(key);
	char self[32] = "";
	int rc;

	if (!d)
		return 0;
	if ((rc = meta_get_text(db, "station", self, sizeof self)) < 0)
		return rc;
	/* The station's own value (non-empty) of a local key, else the
	 * county's. */
	rc = db_text(db, buf, n, "SELECT value FROM settings WHERE key = ?1 AND "
		     "value <> '' AND (scope = 'county' OR (?3 AND scope = ?2)) "
		     "ORDER BY scope = 'county' LIMIT 1", "ssd", key, self,
		     d->local);
	if (rc < 0)
		return rc;
	if (rc == 0 || value_bad(key, buf))
		snprintf(buf, n, "%s", d->def);
	return 1;
}

int64_t
setting_int(struct db *db, const char *key, int64_t def)
{
	char buf[208];
	int64_t v;

	if (setting_get(db, key, buf, sizeof buf) <= 0 || dd_parse_i64(buf, &v))
		return def;
	return v;
}

int
setting_shift_start(struct db *db)
{
	char buf[208];
	int m;

	if (setting_get(db, "shift.start", buf, sizeof buf) <= 0 ||
	    (m = hhmm(buf)) < 0)
		return 8 * 60 + 30;
	return m;
}

int
setting_set(struct db *db, const char *key, const char *value)
{
	const struct setting_def *d = def_of(key ? key : "");
	struct station_info si;
	cJSON *body;
	int rc;

	if (!d)
		return db_fail(db, DD_E_INVALID, "no setting '%s' (see dutydesk "
			       "setting list)", key ? key : "");
	if ((rc = station_identity(db, &si)))
		return rc;
	if (si.role != ROLE_COMMAND && !d->local)
		return db_fail(db, DD_E_ROLE, "%s is set by the command station "
			       "for the county", key);
	if (!value)
		return DD_E_INVALID;
	if (*value && value_bad(key, value))
		return db_fail(db, DD_E_INVALID, "%s is %s", key,
			       value_bad(key, value));
	if (!*value && si.role == ROLE_COMMAND)
		return db_fail(db, DD_E_INVALID, "%s needs a value", key);
	if (!(body = cJSON_CreateObject()))
		return DD_E_NOMEM;
	cJSON_AddStringToObject(body, "key", key);
	cJSON_AddStringToObject(body, "value", value);
	jset_time(body, "at", clock_now(&db->clock));
	if (!(rc = db_begin(db)))
		rc = db_end(db, op_submit(db, si.role == ROLE_COMMAND ?
					  "setting.set" : "setting.local", key,
					  body));
	cJSON_Delete(body);
	return rc;
}

int
setting_list(struct db *db, cJSON **out)
{
	char self[32] = "", value[208], by[40];
	size_t i;
	int rc = 0;

	if (!(*out = cJSON_CreateArray()))
		return DD_E_NOMEM;
	if ((rc = meta_get_text(db, "station", self, sizeof self)) < 0)
		goto out;
	rc = 0;
	for (i = 0; i < NDEFS && !rc; i++) {
		cJSON *o = cJSON_CreateObject();
		if (!o) {
			rc = DD_E_NOMEM;
			break;
		}
		cJSON_AddItemToArray(*out, o);
		if ((rc = setting_get(db, defs[i].key, value, sizeof value)) < 0)
			break;
		rc = db_text(db, by, sizeof by, "SELECT scope FROM settings WHERE "
			     "key = ?1 AND value <> '' AND (scope = 'county' OR "
			     "(?3 AND scope = ?2)) ORDER BY scope = 'county' LIMIT 1",
			     "ssd", defs[i].key, self, defs[i].local);
		if (rc < 0)
			break;
		if (rc == 0)
			snprintf(by, sizeof by, "default");
		rc = 0;
		cJSON_AddStringToObject(o, "key", defs[i].key);
		cJSON_AddStringToObject(o, "value", value);
		cJSON_AddStringToObject(o, "default", defs[i].def);
		cJSON_AddStringToObject(o, "set_by", by);
		cJSON_AddBoolToObject(o, "local", defs[i].local);
	}
out:
	if (rc) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}
