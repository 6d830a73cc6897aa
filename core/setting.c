/*
 * setting.c - the named settings of the duty room. The command station
 * sets a key for the county (setting.set); a town may set its own value
 * of a key marked local (setting.local). Each (scope, key) is last
 * writer wins; the value in force at a station is its own value of a
 * local key, else the county's, else the default. The county's scope is
 * "county", a station's "@" and its code: a station code may be
 * "county" too, and its own value must never pass for the county's.
 */
#include "private.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	{ "station.town", "", 1,
	  DD_N_("the town this station serves, when its code names none") },
	{ "followup.times", "08:00,17:00", 0,
	  DD_N_("times of day a follow-up report of a grave incident is due") },
	{ "request.alert", "30", 0,
	  DD_N_("minutes a town's request may wait for the county's answer") },
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

/* A list of times of day separated by commas, at most 8, each after the
 * one before: 0 when it is one. */
static int
times_bad(const char *s)
{
	char t[6];
	int n = 0, last = -1, m;

	do {
		if (strlen(s) < 5 || (s[5] && s[5] != ',') ||
		    (s[5] == ',' && !s[6]))
			return 1;
		memcpy(t, s, 5);
		t[5] = 0;
		if ((m = hhmm(t)) <= last || ++n > 8)
			return 1;
		last = m;
		s += s[5] ? 6 : 5;
	} while (*s);
	return 0;
}

int
setting_times(struct db *db, const char *key, int *out, int max)
{
	char buf[208], t[6];
	const char *s = buf;
	int n = 0;

	if (setting_get(db, key, buf, sizeof buf) <= 0 || times_bad(buf))
		return 0;
	while (*s && n < max) {
		memcpy(t, s, 5);
		t[5] = 0;
		out[n++] = hhmm(t);
		s += s[5] ? 6 : 5;
	}
	return n;
}

/* What is wrong with value for key (NULL: nothing). */
static const char *
value_bad(const char *key, const char *value)
{
	int64_t v;

	if (strcmp(key, "shift.start") == 0)
		return hhmm(value) >= 0 ? NULL : "a time of day like 08:30";
	if (strcmp(key, "followup.times") == 0)
		return times_bad(value) ? "times of day like 08:00,17:00" : NULL;
	if (strcmp(key, "station.town") == 0)
		return station_code_ok(value) ? NULL : "a town's code";
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
	char id[100];
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
	char scope[40];

	snprintf(scope, sizeof scope, "@%s", op->station);
	return apply_setting(db, op, scope);
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

/* The value in force for d into buf, and who set it into by ("county",
 * this station's code or "default"): the station's own of a local key,
 * else the county's, else the default. A value this version finds bad (a
 * later version's) is passed over for the next. */
static int
lookup(struct db *db, const struct setting_def *d, char *buf, size_t n,
       char by[40])
{
	char scope[40] = "@";
	int rc;

	if ((rc = meta_get_text(db, "station", scope + 1, sizeof scope - 1)) < 0)
		return rc;
	if (d->local) {
		rc = db_text(db, buf, n, "SELECT value FROM settings WHERE scope = ? "
			     "AND key = ?", "ss", scope, d->key);
		if (rc < 0)
			return rc;
		if (rc > 0 && *buf && !value_bad(d->key, buf)) {
			snprintf(by, 40, "%s", scope + 1);
			return 1;
		}
	}
	rc = db_text(db, buf, n, "SELECT value FROM settings WHERE scope = "
		     "'county' AND key = ?", "s", d->key);
	if (rc < 0)
		return rc;
	if (rc > 0 && *buf && !value_bad(d->key, buf)) {
		snprintf(by, 40, "county");
		return 1;
	}
	snprintf(buf, n, "%s", d->def);
	snprintf(by, 40, "default");
	return 1;
}

int
setting_get(struct db *db, const char *key, char *buf, size_t n)
{
	const struct setting_def *d = def_of(key ? key : "");
	char by[40];

	return d ? lookup(db, d, buf, n, by) : 0;
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
		return db_fail(db, DD_E_INVALID, "%s needs a value", key);
	if (*value && value_bad(key, value))
		return db_fail(db, DD_E_INVALID, "%s is %s", key,
			       value_bad(key, value));
	if (!*value && si.role == ROLE_COMMAND)
		return db_fail(db, DD_E_INVALID, "%s needs a value", key);
	if (strcmp(key, "station.town") == 0) {
		if (si.role == ROLE_COMMAND)
			return db_fail(db, DD_E_ROLE, "station.town is a town "
				       "station's: the command station serves the "
				       "county");
		int64_t one;
		if (*value && (rc = db_int(db, &one, "SELECT 1 FROM towns "
					   "WHERE id = ? AND deleted = 0", "s",
					   value)) <= 0)
			return rc < 0 ? rc : db_fail(db, DD_E_NOTFOUND,
						     "no town '%s'", value);
	}
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
	char value[208], by[40];
	size_t i;
	int rc = 0;

	if (!(*out = cJSON_CreateArray()))
		return DD_E_NOMEM;
	for (i = 0; i < NDEFS && !rc; i++) {
		cJSON *o = cJSON_CreateObject();
		if (!o) {
			rc = DD_E_NOMEM;
			break;
		}
		cJSON_AddItemToArray(*out, o);
		if ((rc = lookup(db, &defs[i], value, sizeof value, by)) < 0)
			break;
		rc = 0;
		cJSON_AddStringToObject(o, "key", defs[i].key);
		cJSON_AddStringToObject(o, "value", value);
		cJSON_AddStringToObject(o, "default", defs[i].def);
		cJSON_AddStringToObject(o, "set_by", by);
		cJSON_AddBoolToObject(o, "local", defs[i].local);
	}
	if (rc) {
		cJSON_Delete(*out);
		*out = NULL;
	}
	return rc;
}

/* ---- the duty day ---- */

/* The local time of y-mo-d at minute m of the day (mday may run over
 * the month: mktime folds it), or -1. */
static int64_t
local_at(int y, int mo, int d, int m)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = m / 60;
	tm.tm_min = m % 60;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	return t == (time_t)-1 ? -1 : (int64_t)t;
}

int
duty_day_bounds(struct db *db, const char *date, int64_t *from, int64_t *to)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int y, mo, d, used = 0, leap, m = setting_shift_start(db);

	if (!date || strlen(date) != 10 || date[4] != '-' || date[7] != '-' ||
	    sscanf(date, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 ||
	    used != 10 || !isdigit((unsigned char)date[5]) ||
	    !isdigit((unsigned char)date[8]))
		return db_fail(db, DD_E_INVALID, "date '%s': YYYY-MM-DD",
			       date ? date : "");
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap))
		return db_fail(db, DD_E_INVALID, "date '%s' is not a day of the "
			       "calendar", date);
	*from = local_at(y, mo, d, m);
	*to = local_at(y, mo, d + 1, m);
	if (*from < 0 || *to <= *from)
		return db_fail(db, DD_E_INVALID, "date '%s' is out of range",
			       date);
	return 0;
}

int
duty_date(struct db *db, int64_t at, char out[11])
{
	time_t t = (time_t)at;
	struct tm tm;
	int64_t start;

	if (!localtime_r(&t, &tm))
		return DD_E_INVALID;
	start = local_at(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 setting_shift_start(db));
	/* Before the shift starts, the duty day is still yesterday's. */
	if (start >= 0 && at < start) {
		tm.tm_mday -= 1;
		tm.tm_hour = 12;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (!localtime_r(&t, &tm))
			return DD_E_INVALID;
	}
	if (strftime(out, 11, "%Y-%m-%d", &tm) != 10)
		return DD_E_INVALID;
	return 0;
}
