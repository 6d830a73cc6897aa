/*
 * stats.c - disaster statistics (灾情统计): the figures of the national
 * natural-disaster statistics form, per town and duty day. Each figure
 * is a row of its own (town, date, field) holding the stamp of the
 * operation that set it: the later stamp wins, field by field, so any
 * order of arrival converges, and the county total, a sum of each
 * town's winning figures, is the same on every replica.
 */
#include "private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libintl.h>

const char *const stats_fields[] = { "affected", "dead", "missing",
	"relocated", "need_aid", "collapsed", "severe", "damaged", "crop_ha",
	"loss", NULL };

/* What each figure is called in a message, in the reader's language. */
static const char *const labels[] = { DD_N_("people affected"),
	DD_N_("dead"), DD_N_("missing"), DD_N_("relocated"),
	DD_N_("in need of aid"), DD_N_("houses collapsed"),
	DD_N_("houses severely damaged"), DD_N_("houses generally damaged"),
	DD_N_("crops hit"), DD_N_("direct loss") };

static const char *
label(const char *field)
{
	int i = str_in(field, stats_fields);

	return i < 0 ? field : dgettext("dutydesk", labels[i]);
}

const struct field stats_schema[] = {
	{ "town", F_STR, 1, 0, 63, NULL },
	{ "date", F_STR, 1, 0, 10, NULL },
	{ "affected", F_INT, 0, 0, STATS_MAX, NULL },
	{ "dead", F_INT, 0, 0, STATS_MAX, NULL },
	{ "missing", F_INT, 0, 0, STATS_MAX, NULL },
	{ "relocated", F_INT, 0, 0, STATS_MAX, NULL },
	{ "need_aid", F_INT, 0, 0, STATS_MAX, NULL },
	{ "collapsed", F_INT, 0, 0, STATS_MAX, NULL },
	{ "severe", F_INT, 0, 0, STATS_MAX, NULL },
	{ "damaged", F_INT, 0, 0, STATS_MAX, NULL },
	{ "crop_ha", F_INT, 0, 0, STATS_MAX, NULL },
	{ "loss", F_INT, 0, 0, STATS_MAX, NULL },
	{ "reason", F_STR, 0, 0, 500, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

int
stats_tenths(const char *field)
{
	return field && (strcmp(field, "crop_ha") == 0 ||
			 strcmp(field, "loss") == 0);
}

static int
field_known(const char *name)
{
	return name && str_in(name, stats_fields) >= 0;
}

/* "YYYY-MM-DD" naming a day of the calendar. */
static int
date_ok(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int y, mo, d, used = 0;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || s[used] ||
	    y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return 0;
	return !(mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400)));
}

/* The grounds that depend on the body alone, the same on every replica:
 * the town is the entity, the date a date, and at least one figure. */
int
check_stats(struct db *db, const struct op *op)
{
	const char *town = jstr(op->body, "town");
	size_t i;

	if (!town || strcmp(town, op->entity) != 0)
		return db_fail(db, DD_E_SCHEMA, "stats.set: town must be the "
			       "entity");
	if (!date_ok(jstr(op->body, "date")))
		return db_fail(db, DD_E_SCHEMA, "stats.set: date: YYYY-MM-DD");
	for (i = 0; stats_fields[i]; i++)
		if (cJSON_GetObjectItemCaseSensitive(op->body, stats_fields[i]))
			return 0;
	return db_fail(db, DD_E_SCHEMA, "stats.set: no figure");
}

/* Each figure the body holds replaces the stored one when the
 * operation's stamp (clock, station, incarnation, seq) is greater: last
 * writer wins per (town, date, field), whatever the order of arrival. */
int
apply_stats(struct db *db, const struct op *op)
{
	const char *date = jstr(op->body, "date"), *reason = jstr(op->body,
								   "reason");
	int64_t at = op_at(op), v;
	size_t i;
	int rc;

	for (i = 0; stats_fields[i]; i++) {
		if (!jint(op->body, stats_fields[i], &v))
			continue;
		rc = db_exec(db, "INSERT INTO stats(town, date, field, value, "
			     "reason, at, officer, hlc, station, inc, seq) "
			     "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
			     "ON CONFLICT(town, date, field) DO UPDATE SET "
			     "value = excluded.value, reason = excluded.reason, "
			     "at = excluded.at, officer = excluded.officer, "
			     "hlc = excluded.hlc, station = excluded.station, "
			     "inc = excluded.inc, seq = excluded.seq WHERE "
			     "(excluded.hlc, excluded.station, excluded.inc, "
			     "excluded.seq) > (stats.hlc, stats.station, "
			     "stats.inc, stats.seq)", "sssisisissi", op->entity,
			     date, stats_fields[i], v, reason, at, op->officer,
			     op->hlc, op->station, op->incarnation, op->seq);
		if (rc)
			return rc;
	}
	return 0;
}

/* date, or today's duty day when none is given, into out. */
static int
day_of(struct db *db, const char *date, char out[11])
{
	if (!date || !*date)
		return duty_date(db, db_now(db), out);
	if (!date_ok(date))
		return db_fail(db, DD_E_INVALID, "date '%s': YYYY-MM-DD", date);
	snprintf(out, 11, "%s", date);
	return 0;
}

/* Who may set town's figures here: a town station its own town, the
 * command station any. */
static int
may_set(struct db *db, const struct station_info *si, const char *town)
{
	char own[32];
	int rc;

	if (si->role == ROLE_COMMAND)
		return 0;
	if ((rc = station_town(db, own)) < 0)
		return rc;
	if (rc == 0)
		return db_fail(db, DD_E_ROLE, "this station serves no town (set "
			       "one with dutydesk init --town T)");
	if (strcmp(own, town) != 0)
		return db_fail(db, DD_E_ROLE, "a town station sets its own town's "
			       "figures only (%s), not %s's", own, town);
	return 0;
}

int
stats_may_set(struct db *db, const char *town)
{
	struct station_info si;
	int rc = station_identity(db, &si);

	return rc ? rc : may_set(db, &si, town);
}

/* The command station changes a figure a town reported: it must say
 * why. The same value again changes nothing: it is left out (1), so the
 * figure stays the town's, and needs no reason. 0: the figure goes in. */
static int
county_change(struct db *db, const struct station_info *si,
	      const char *town, const char *date, const char *field,
	      int64_t v, const char *reason)
{
	char by[32] = "";
	int64_t old;
	int rc;

	if (si->role != ROLE_COMMAND)
		return 0;
	rc = db_int(db, &old, "SELECT value FROM stats WHERE town = ? AND "
		    "date = ? AND field = ?", "sss", town, date, field);
	if (rc <= 0)
		return rc;
	if ((rc = db_text(db, by, sizeof by, "SELECT station FROM stats WHERE "
			  "town = ? AND date = ? AND field = ?", "sss", town,
			  date, field)) < 0)
		return rc;
	if (strcmp(by, si->station) == 0)
		return 0;
	if (old == v)
		return 1;
	if (reason && *reason)
		return 0;
	return db_fail(db, DD_E_REFUSED, "%s of %s on %s was reported by %s "
		       "(%lld): a change by the county needs a reason",
		       label(field), town, date, by, (long long)old);
}

int
stats_set(struct db *db, const char *town, const char *date,
	  const cJSON *figures, const char *reason)
{
	struct station_info si;
	cJSON *body = cJSON_CreateObject();
	const cJSON *f;
	char code[64], day[11];
	int64_t v;
	int rc, kept = 0;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	if ((rc = station_identity(db, &si)))
		goto end;
	if ((rc = ref_find(db, REF_TOWN, town ? town : "", code)) <= 0) {
		rc = rc < 0 ? rc : DD_E_NOTFOUND;
		goto end;
	}
	if ((rc = may_set(db, &si, code)) || (rc = day_of(db, date, day)))
		goto end;
	cJSON_AddStringToObject(body, "town", code);
	cJSON_AddStringToObject(body, "date", day);
	cJSON_ArrayForEach(f, figures) {
		if (!field_known(f->string)) {
			rc = db_fail(db, DD_E_INVALID, "no figure '%s' (%s)",
				     f->string ? f->string : "", "affected, dead, "
				     "missing, relocated, need_aid, collapsed, "
				     "severe, damaged, crop_ha, loss");
			goto end;
		}
		if (!jint_of(f, &v) || v < 0 || v > STATS_MAX) {
			rc = db_fail(db, DD_E_INVALID, "%s: a whole number from "
				     "0 to %d", label(f->string), STATS_MAX);
			goto end;
		}
		if (cJSON_GetObjectItemCaseSensitive(body, f->string)) {
			rc = db_fail(db, DD_E_INVALID, "%s given twice",
				     label(f->string));
			goto end;
		}
		if ((rc = county_change(db, &si, code, day, f->string, v,
					reason)) < 0)
			goto end;
		if (rc == 0)
			cJSON_AddNumberToObject(body, f->string, (double)v);
		else
			kept++;
		rc = 0;
	}
	if (cJSON_GetArraySize(body) == 2) {
		/* Every figure given is a town's, as it stands: nothing to
		 * make. */
		rc = kept ? 0 : db_fail(db, DD_E_INVALID, "no figure given");
		goto end;
	}
	if (reason && *reason) {
		if (strlen(reason) > 500) {
			rc = db_fail(db, DD_E_INVALID, "the reason is longer than "
				     "500 bytes");
			goto end;
		}
		cJSON_AddStringToObject(body, "reason", reason);
	}
	jset_time(body, "at", db_now(db));
	rc = op_submit(db, "stats.set", code, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}

/* A town's row of the day: its figures with who set each and when. */
static int
town_figures(struct db *db, const char *day, cJSON *row, cJSON *total,
	     const char *town)
{
	sqlite3_stmt *st;
	char key[40], iso[21];
	int s, rc = 0, any = 0;

	if (!(st = db_prep(db, "SELECT field, value, station, officer, at, "
			   "reason FROM stats WHERE town = ? AND date = ?")))
		return db_prep_err(db);
	if (sqlite3_bind_text(st, 1, town, -1, SQLITE_STATIC) ||
	    sqlite3_bind_text(st, 2, day, -1, SQLITE_STATIC)) {
		rc = db_rc(db, sqlite3_errcode(db->h));
		goto out;
	}
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		const char *field = (const char *)sqlite3_column_text(st, 0);
		const char *txt;
		int64_t v = sqlite3_column_int64(st, 1);
		cJSON *sum;

		if (!field || !field_known(field))
			continue;
		any = 1;
		if (row) {
			cJSON_AddNumberToObject(row, field, (double)v);
			snprintf(key, sizeof key, "%s_station", field);
			txt = (const char *)sqlite3_column_text(st, 2);
			cJSON_AddStringToObject(row, key, txt ? txt : "");
			snprintf(key, sizeof key, "%s_officer", field);
			txt = (const char *)sqlite3_column_text(st, 3);
			cJSON_AddStringToObject(row, key, txt ? txt : "");
			snprintf(key, sizeof key, "%s_at", field);
			time_format_iso(sqlite3_column_int64(st, 4), iso);
			cJSON_AddStringToObject(row, key, iso);
			if ((txt = (const char *)sqlite3_column_text(st, 5))) {
				snprintf(key, sizeof key, "%s_reason", field);
				cJSON_AddStringToObject(row, key, txt);
			}
		}
		sum = cJSON_GetObjectItemCaseSensitive(total, field);
		cJSON_SetNumberHelper(sum, sum->valuedouble + (double)v);
	}
	if (s != SQLITE_DONE)
		rc = db_rc(db, s);
out:
	db_reset(st);
	return rc ? rc : any;
}

int
stats_day(struct db *db, const char *date, const char *town, int all,
	  cJSON **out)
{
	cJSON *res = cJSON_CreateObject(), *towns = NULL, *rows, *total, *t;
	char day[11], code[64] = "";
	int rc, reported = 0;
	size_t i;

	*out = NULL;
	if (!res)
		return DD_E_NOMEM;
	if ((rc = day_of(db, date, day)))
		goto out;
	if (town && (rc = ref_find(db, REF_TOWN, town, code)) <= 0) {
		rc = rc < 0 ? rc : DD_E_NOTFOUND;
		goto out;
	}
	cJSON_AddStringToObject(res, "date", day);
	rows = cJSON_AddArrayToObject(res, "towns");
	total = cJSON_AddObjectToObject(res, "total");
	if (!rows || !total) {
		rc = DD_E_NOMEM;
		goto out;
	}
	for (i = 0; stats_fields[i]; i++)
		cJSON_AddNumberToObject(total, stats_fields[i], 0);
	if ((rc = state_list(db, LIST_TOWNS, NULL, &towns)))
		goto out;
	cJSON_ArrayForEach(t, towns) {
		const char *id = jstr(t, "id");
		int mine = !*code || strcmp(code, id) == 0;
		cJSON *row = mine ? cJSON_CreateObject() : NULL;

		if (mine && !row) {
			rc = DD_E_NOMEM;
			goto out;
		}
		if (row) {
			cJSON_AddStringToObject(row, "town", id);
			cJSON_AddStringToObject(row, "name", jstr(t, "name")
						? jstr(t, "name") : id);
			cJSON_AddStringToObject(row, "pinyin", jstr(t, "pinyin")
						? jstr(t, "pinyin") : id);
		}
		if ((rc = town_figures(db, day, row, total, id)) < 0) {
			cJSON_Delete(row);
			goto out;
		}
		reported += rc;
		if (row && (rc || all || *code))
			cJSON_AddItemToArray(rows, row);
		else
			cJSON_Delete(row);
	}
	rc = 0;
	cJSON_AddNumberToObject(total, "towns", reported);
	*out = res;
	res = NULL;
out:
	cJSON_Delete(towns);
	cJSON_Delete(res);
	return rc;
}

int
stats_parse(const char *field, const char *text, int64_t *v)
{
	const char *p = text;
	int64_t n = 0;
	int digits = 0, tenths = stats_tenths(field);

	if (!p)
		return DD_E_INVALID;
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		if ((n = n * 10 + (*p - '0')) > STATS_MAX)
			return DD_E_INVALID;
	if (!digits)
		return DD_E_INVALID;
	if (tenths) {
		n *= 10;
		if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
			n += p[1] - '0';
			p += 2;
		}
		if (n > STATS_MAX)
			return DD_E_INVALID;
	}
	if (*p)
		return DD_E_INVALID;
	*v = n;
	return 0;
}

void
stats_format(const char *field, int64_t v, char out[24])
{
	if (stats_tenths(field))
		snprintf(out, 24, "%lld.%lld", (long long)(v / 10),
			 (long long)(v % 10));
	else
		snprintf(out, 24, "%lld", (long long)v);
}
