/*
 * report.c - the upward reports' texts and their sign-off: the text of
 * a first, follow-up or final report composed from the incident's
 * record, the leader on duty's signing of a written report (it counts
 * as sent when signed), the numbering of follow-ups, and the clock of
 * the follow-ups due at fixed times of day (followup.times).
 */
#include "private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct field sign_schema[] = {
	{ "report", F_STR, 1, 0, 63, NULL },
	{ "contact", F_STR, 1, 0, 63, NULL },
	{ "name", F_STR, 1, 0, 100, NULL },
	{ "at", F_TIME, 1, 0, 0, NULL },
	{ NULL, 0, 0, 0, 0, NULL }
};

/* ---- the signing, as every replica applies it ---- */

int
report_settle(struct db *db, const char *report)
{
	int rc;

	/* A written report counts at its earliest signing (by time, then
	 * id: the same on every replica, in whatever order the report and
	 * its sign-offs arrive). One made before sign-off existed counted
	 * when it was made (signed_at set, no signer): it stays so. */
	rc = db_exec(db, "UPDATE reports SET "
		     "signed_at = (SELECT at FROM signoffs WHERE report = ?1 "
		     "ORDER BY at, id LIMIT 1), "
		     "signed_by = (SELECT contact FROM signoffs WHERE report = ?1 "
		     "ORDER BY at, id LIMIT 1), "
		     "signed_name = (SELECT name FROM signoffs WHERE report = ?1 "
		     "ORDER BY at, id LIMIT 1) "
		     "WHERE id = ?1 AND channel = 'written' AND "
		     "NOT (signed_at IS NOT NULL AND signed_by IS NULL) AND "
		     "EXISTS (SELECT 1 FROM signoffs WHERE report = ?1)",
		     "s", report);
	/* The incident's written clock is met at its earliest counted
	 * written report (a minimum). */
	if (!rc)
		rc = db_exec(db, "UPDATE incidents SET written_at = "
			     "min(coalesce(written_at, (SELECT signed_at FROM reports "
			     "WHERE id = ?1)), (SELECT signed_at FROM reports WHERE "
			     "id = ?1)) WHERE id = (SELECT incident FROM reports WHERE "
			     "id = ?1 AND channel = 'written' AND signed_at IS NOT "
			     "NULL)", "s", report);
	return rc;
}

int
apply_report_sign(struct db *db, const struct op *op)
{
	const cJSON *b = op->body;
	int64_t at = 0;
	int rc;

	jtime(b, "at", &at);
	rc = db_exec(db, "INSERT OR IGNORE INTO signoffs(id, report, contact, "
		     "name, at, officer, station) VALUES(?, ?, ?, ?, ?, ?, ?)",
		     "ssssiss", op->entity, jstr(b, "report"), jstr(b, "contact"),
		     jstr(b, "name"), at, op->officer, op->station);
	return rc ? rc : report_settle(db, jstr(b, "report"));
}

/* ---- who may sign ---- */

/* The leader of a shift covering at: of this station, or a county
 * leader's (the command station's shift). 1 when contact is one of
 * them; *roster 1 when any roster is kept for here or the county. */
static int
leader_on_duty(struct db *db, const char *contact, int64_t at, int *roster,
	       char *who, size_t n)
{
	char self[32] = "";
	int64_t k = 0;
	int rc;

	if ((rc = meta_get_text(db, "station", self, sizeof self)) < 0)
		return rc;
	if ((rc = db_int(db, &k, "SELECT count(*) FROM shifts s WHERE s.deleted = "
			 "0 AND s.start_at IS NOT NULL AND (s.station = ?1 OR "
			 "EXISTS (SELECT 1 FROM contacts c WHERE c.id = s.leader "
			 "AND c.role = 'county_leader'))", "s", self)) < 0)
		return rc;
	*roster = k > 0;
	who[0] = 0;
	if (!*roster)
		return 0;
	/* Whom to name when someone else tries. */
	if ((rc = db_text(db, who, n, "SELECT group_concat(name, ', ') FROM "
			  "(SELECT DISTINCT c.name FROM shifts s JOIN contacts c ON "
			  "c.id = s.leader WHERE s.deleted = 0 AND s.start_at <= ?2 "
			  "AND s.start_at + s.hours * 3600 > ?2 AND (s.station = ?1 "
			  "OR c.role = 'county_leader') ORDER BY c.name)", "si", self,
			  at)) < 0)
		return rc;
	if ((rc = db_int(db, &k, "SELECT count(*) FROM shifts s JOIN contacts c "
			 "ON c.id = s.leader WHERE s.deleted = 0 AND s.leader = ?3 "
			 "AND s.start_at <= ?2 AND s.start_at + s.hours * 3600 > ?2 "
			 "AND (s.station = ?1 OR c.role = 'county_leader')", "sis",
			 self, at, contact)) < 0)
		return rc;
	return k > 0;
}

int
report_sign(struct db *db, const char *report, const char *who, int64_t at,
	    char id_out[64])
{
	cJSON *body = cJSON_CreateObject();
	char contact[64], name[128] = "", channel[16] = "", leaders[400];
	char when[20], bound[20];
	int64_t made = 0, signed_at = 0, role_ok = 0, now;
	int rc, roster = 0;

	if (!body)
		return DD_E_NOMEM;
	if ((rc = db_begin(db)))
		goto out;
	now = clock_now(&db->clock);
	if (!at)
		at = now;
	if ((rc = db_text(db, channel, sizeof channel, "SELECT channel FROM "
			  "reports WHERE id = ?", "s", report ? report : "")) <= 0) {
		if (rc == 0)
			rc = db_fail(db, DD_E_NOTFOUND, "no report '%s'",
				     report ? report : "");
		goto end;
	}
	if (strcmp(channel, "written") != 0) {
		rc = db_fail(db, DD_E_REFUSED, "report %s was made by phone: only "
			     "a written report is signed", report);
		goto end;
	}
	if ((rc = db_int(db, &signed_at, "SELECT coalesce(signed_at, 0) FROM "
			 "reports WHERE id = ?", "s", report)) < 0)
		goto end;
	if (signed_at) {
		time_format_local(signed_at, when);
		rc = db_fail(db, DD_E_REFUSED, "report %s is already signed (%s)",
			     report, when);
		goto end;
	}
	if ((rc = db_int(db, &made, "SELECT at FROM reports WHERE id = ?", "s",
			 report)) < 0)
		goto end;
	if (at < made || at > now + 300) {
		time_format_local(at, when);
		time_format_local(at < made ? made : now, bound);
		if (at < made)
			rc = db_fail(db, DD_E_INVALID, "signing time %s is before "
				     "the report was made (%s)", when, bound);
		else
			rc = db_fail(db, DD_E_INVALID, "signing time %s is more "
				     "than 5 minutes ahead of now (%s)", when, bound);
		goto end;
	}
	if ((rc = contact_find(db, who, contact)) <= 0) {
		rc = rc < 0 ? rc : DD_E_NOTFOUND;
		goto end;
	}
	if ((rc = leader_on_duty(db, contact, at, &roster, leaders,
				 sizeof leaders)) < 0)
		goto end;
	if (roster && rc == 0) {
		if (*leaders)
			rc = db_fail(db, DD_E_REFUSED, "only the leader on duty or "
				     "the county leader on duty may sign: %s",
				     leaders);
		else
			rc = db_fail(db, DD_E_REFUSED, "only the leader on duty or "
				     "the county leader on duty may sign, and the "
				     "roster has none now");
		goto end;
	}
	if (!roster) {
		if ((rc = db_int(db, &role_ok, "SELECT count(*) FROM contacts WHERE "
				 "id = ? AND role IN ('town_leader', "
				 "'county_leader')", "s", contact)) < 0)
			goto end;
		if (!role_ok) {
			rc = db_fail(db, DD_E_REFUSED, "only a town or county leader "
				     "in the directory may sign (no roster is kept)");
			goto end;
		}
	}
	if ((rc = db_text(db, name, sizeof name, "SELECT name FROM contacts "
			  "WHERE id = ?", "s", contact)) < 0)
		goto end;
	cJSON_AddStringToObject(body, "report", report);
	cJSON_AddStringToObject(body, "contact", contact);
	cJSON_AddStringToObject(body, "name", name);
	jset_time(body, "at", at);
	if (!(rc = id_next(db, id_out)))
		rc = op_submit(db, "report.sign", id_out, body);
end:
	rc = db_end(db, rc);
out:
	cJSON_Delete(body);
	return rc;
}

/* ---- numbering and texts ---- */

const char *
report_label(const char *type, int n, int en, char out[48])
{
	static const char *const digit[] = { "", "一", "二", "三", "四", "五",
		"六", "七", "八", "九" };

	if (type && strcmp(type, "first") == 0)
		snprintf(out, 48, "%s", en ? "First report" : "首报");
	else if (type && strcmp(type, "final") == 0)
		snprintf(out, 48, "%s", en ? "Final report" : "终报");
	else if (en)
		snprintf(out, 48, "Follow-up %d", n);
	else if (n < 1 || n > 99)
		snprintf(out, 48, "续报%d", n);
	else if (n < 10)
		snprintf(out, 48, "续报%s", digit[n]);
	else
		/* 十, 十一 .. 十九, 二十, 二十一 .. 九十九 */
		snprintf(out, 48, "续报%s十%s", n / 10 > 1 ? digit[n / 10] : "",
			 digit[n % 10]);
	return out;
}

int
report_number(struct db *db, const char *report, int64_t *n)
{
	/* Follow-ups are numbered by (time made, id) within the incident,
	 * when shown: one that arrives late takes its place in the count. */
	return db_int(db, n, "SELECT count(*) FROM reports r, reports me WHERE "
		      "me.id = ?1 AND me.type = 'followup' AND r.incident = "
		      "me.incident AND r.type = 'followup' AND (r.at, r.id) <= "
		      "(me.at, me.id)", "s", report);
}

/* Append to a growing text. */
struct buf {
	char *s;
	size_t n, cap;
	int oom;
};

static void
add(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
add(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (b->oom)
		return;
	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0,
			      fmt, ap);
		va_end(ap);
		if (k < 0) {
			b->oom = 1;
			return;
		}
		if (b->s && b->n + (size_t)k < b->cap) {
			b->n += (size_t)k;
			return;
		}
		{
			size_t cap = (b->cap ? b->cap : 256) * 2 + (size_t)k;
			char *p = realloc(b->s, cap);
			if (!p) {
				b->oom = 1;
				return;
			}
			b->s = p;
			b->cap = cap;
		}
	}
}

static const char *
js(const cJSON *o, const char *k)
{
	const char *s = jstr(o, k);
	return s ? s : "";
}

/* The full stop a line typed without one needs. */
static const char *
stop(const char *s, int en)
{
	size_t n = strlen(s);

	if ((n >= 3 && (strcmp(s + n - 3, "。") == 0 ||
			strcmp(s + n - 3, "！") == 0)) ||
	    (n >= 1 && strchr(".!?", s[n - 1])))
		return "";
	return en ? "." : "。";
}

static const char *
local(const cJSON *o, const char *k, char out[20])
{
	int64_t t;

	if (!jtime(o, k, &t))
		return "-";
	time_format_local(t, out);
	return out;
}

int
report_compose(struct db *db, const char *incident, int type, int en,
	       char **out)
{
	cJSON *inc = NULL, *d;
	struct buf b = { NULL, 0, 0, 0 };
	char t1[20], t2[20], town[128] = "";
	static const char *const counts[] = { "dead", "injured", "missing",
		"trapped" };
	static const char *const counts_zh[] = { "死亡", "受伤", "失踪",
		"被困" };
	int64_t now = clock_now(&db->clock), v;
	int rc, teams = 0, i, n;

	*out = NULL;
	if ((rc = incident_get(db, incident, &inc)) <= 0)
		return rc < 0 ? rc : db_fail(db, DD_E_NOTFOUND, "no incident '%s'",
					    incident ? incident : "");
	if ((rc = db_text(db, town, sizeof town, en ? "SELECT coalesce(pinyin, "
			  "name, id) FROM towns WHERE id = ?" : "SELECT coalesce("
			  "name, id) FROM towns WHERE id = ?", "s",
			  js(inc, "town"))) < 0)
		goto out;
	rc = 0;
	time_format_local(now, t2);
	if (type != REPORT_FIRST)
		add(&b, en ? "As of %s.\n" : "截至%s。\n", t2);
	add(&b, en ? "Received: %s.\n" : "接报时间：%s。\n",
	    local(inc, "received_at", t1));
	add(&b, en ? "Place: %s %s.\n" : "地点：%s%s。\n", town, js(inc, "place"));
	add(&b, en ? "What happened: %s" : "事件：%s",
	    *js(inc, "title") ? js(inc, "title") : js(inc, "place"));
	if (*js(inc, "kind"))
		add(&b, en ? " (%s)" : "（%s）", js(inc, "kind"));
	if (*js(inc, "cause"))
		add(&b, en ? "; cause: %s" : "；原因：%s", js(inc, "cause"));
	add(&b, en ? ".\n" : "。\n");
	/* Only the figures the record holds: a figure nobody has given is
	 * not sent upward as a zero. */
	for (i = 0, n = 0; i < 4; i++) {
		if (!jint(inc, counts[i], &v))
			continue;
		if (en)
			add(&b, "%s%lld %s", n ? ", " : "Casualties: ",
			    (long long)v, counts[i]);
		else
			add(&b, "%s%s%lld人", n ? "，" : "伤亡：", counts_zh[i],
			    (long long)v);
		n++;
	}
	add(&b, "%s", n ? (en ? ".\n" : "。\n") : (en ? "Casualties: not "
	    "known yet.\n" : "伤亡：待核实。\n"));
	if (jint(inc, "evacuated", &v))
		add(&b, en ? "People moved: %lld.\n" : "转移群众：%lld人。\n",
		    (long long)v);
	if (*js(inc, "actions"))
		add(&b, en ? "Actions: %s%s\n" : "处置措施：%s%s\n",
		    js(inc, "actions"), stop(js(inc, "actions"), en));
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(inc, "dispatches")) {
		char name[128] = "";
		if (!jstr(d, "team"))
			continue;
		if ((rc = db_text(db, name, sizeof name, en ? "SELECT coalesce("
				  "pinyin, name, id) FROM teams WHERE id = ?" :
				  "SELECT coalesce(name, id) FROM teams WHERE id = ?",
				  "s", jstr(d, "team"))) < 0)
			goto out;
		rc = 0;
		add(&b, "%s%s%s", teams++ ? (en ? ", " : "、") :
		    (en ? "Teams sent: " : "出动队伍："), *name ? name :
		    jstr(d, "team"), "");
		add(&b, en ? " (%s)" : "（%s出动）", local(d, "at", t1));
	}
	if (teams)
		add(&b, en ? ".\n" : "。\n");
	if (*js(inc, "trend"))
		add(&b, en ? "Next steps: %s%s\n" : "下一步：%s%s\n",
		    js(inc, "trend"), stop(js(inc, "trend"), en));
	if (type == REPORT_FINAL)
		add(&b, en ? "The incident is dealt with; this is the final "
		    "report.\n" : "事件已处置完毕，特此终报。\n");
	if (b.oom) {
		rc = DD_E_NOMEM;
		goto out;
	}
	/* The form and the operation keep 4000 bytes: a long record is cut
	 * at a whole character, for the officer to shorten. */
	if (b.n > 4000) {
		size_t cut = 4000;
		while (cut > 0 && ((unsigned char)b.s[cut] & 0xc0) == 0x80)
			cut--;
		b.s[cut] = 0;
	}
	*out = b.s;
	b.s = NULL;
out:
	free(b.s);
	cJSON_Delete(inc);
	return rc;
}

/* ---- the follow-ups due at fixed times ---- */

/* The first time of day of times (n of them, minutes after midnight,
 * in order) at or after t, in the local zone. */
static int64_t
next_time(int64_t t, const int *times, int n)
{
	time_t tt = (time_t)t;
	struct tm day, tm;
	int off, i;

	if (!localtime_r(&tt, &day))
		return t;
	for (off = 0; off < 3; off++)
		for (i = 0; i < n; i++) {
			time_t r;
			tm = day;
			tm.tm_mday += off;
			tm.tm_hour = times[i] / 60;
			tm.tm_min = times[i] % 60;
			tm.tm_sec = 0;
			tm.tm_isdst = -1;
			r = mktime(&tm);
			if (r != (time_t)-1 && (int64_t)r >= t)
				return (int64_t)r;
		}
	return t + 86400;
}

int
followup_due(struct db *db, const char *incident, int64_t *due)
{
	int times[24], n;
	int64_t sev = 0, first = 0, last = 0, final = 0, start, met;
	int rc;

	*due = 0;
	if ((n = setting_times(db, "followup.times", times, 24)) <= 0)
		return 0;
	/* Severity 1 to 3, open, with a first report counted (by phone, or
	 * written when signed): its earliest is incidents' phone_at or
	 * written_at. */
	if ((rc = db_int(db, &sev, "SELECT coalesce(severity, 9) FROM incidents "
			 "WHERE id = ? AND deleted = 0 AND status_rank < 4", "s",
			 incident)) <= 0 || sev < 1 || sev > 3)
		return rc < 0 ? rc : 0;
	if ((rc = db_int(db, &first, "SELECT coalesce(min(coalesce(phone_at, "
			 "written_at), coalesce(written_at, phone_at)), 0) FROM "
			 "incidents WHERE id = ?", "s", incident)) < 0)
		return rc;
	if (!first)
		return 0;
	/* Until a final report counts; a report counts by phone when made,
	 * written when signed. */
	if ((rc = db_int(db, &final, "SELECT count(*) FROM reports WHERE "
			 "incident = ? AND type = 'final' AND (channel = 'phone' OR "
			 "signed_at IS NOT NULL)", "s", incident)) < 0)
		return rc;
	if (final)
		return 0;
	if ((rc = db_int(db, &last, "SELECT coalesce(max(CASE channel WHEN "
			 "'phone' THEN at ELSE signed_at END), 0) FROM reports "
			 "WHERE incident = ? AND type = 'followup'", "s",
			 incident)) < 0)
		return rc;
	/* The first due time is the first of the times at least an hour
	 * after the first report. A follow-up meets the first due time at
	 * or after it (made after the one before); the next is then due. */
	start = next_time(first + 3600, times, n);
	if (!last) {
		*due = start;
		return 1;
	}
	met = next_time(last > start ? last : start, times, n);
	*due = next_time(met + 1, times, n);
	return 1;
}

int
followup_rows(struct db *db, cJSON *rows)
{
	cJSON *r;
	int64_t due;
	int rc;

	cJSON_ArrayForEach(r, rows) {
		const char *id = jstr(r, "id"), *status = jstr(r, "status");
		int64_t sev = 0, t;
		if (!id)
			continue;
		/* What the row says already spares most rows the queries: no
		 * follow-up is owed by a closed incident, one of severity 4
		 * or none, or one without a report counted. */
		jint(r, "severity", &sev);
		if (sev < 1 || sev > 3 || (status && strcmp(status, "closed") == 0) ||
		    (!jtime(r, "phone_done_at", &t) &&
		     !jtime(r, "written_done_at", &t)))
			rc = 0;
		else if ((rc = followup_due(db, id, &due)) < 0)
			return rc;
		cJSON_DeleteItemFromObjectCaseSensitive(r, "followup_due_at");
		if (rc)
			jset_time(r, "followup_due_at", due);
		else
			cJSON_AddNullToObject(r, "followup_due_at");
	}
	return 0;
}

int
followup_counts(struct db *db, int64_t now, int64_t *late, int64_t *soon,
		int64_t *late_alone, cJSON *late_ids)
{
	cJSON *rows = cJSON_CreateArray(), *r;
	int64_t due, t;
	int rc;

	*late = *soon = *late_alone = 0;
	if (!rows)
		return DD_E_NOMEM;
	/* Few incidents are open, severe and reported at once: each is
	 * worked out (the due times follow the local day). */
	rc = db_rows(db, rows, "SELECT id, received_at, phone_at, written_at "
		     "FROM incidents WHERE status_rank < 4 AND deleted = 0 AND "
		     "severity BETWEEN 1 AND 3 AND (phone_at IS NOT NULL OR "
		     "written_at IS NOT NULL)", NULL);
	cJSON_ArrayForEach(r, rows) {
		if (rc)
			break;
		if ((rc = followup_due(db, jstr(r, "id"), &due)) < 0)
			break;
		if (rc == 0)
			continue;
		rc = 0;
		if (due < now) {
			int64_t received = 0;
			(*late)++;
			if (late_ids && !cJSON_AddItemToArray(late_ids,
					cJSON_CreateString(jstr(r, "id")))) {
				rc = DD_E_NOMEM;
				break;
			}
			jtime(r, "received_at", &received);
			/* Not already late on its phone or written clock. */
			if ((jtime(r, "phone_at", &t) ||
			     received >= now - REPORT_PHONE_SECS) &&
			    (jtime(r, "written_at", &t) ||
			     received >= now - REPORT_WRITTEN_SECS))
				(*late_alone)++;
		} else if (due <= now + REPORT_SOON_SECS) {
			(*soon)++;
		}
	}
	cJSON_Delete(rows);
	return rc < 0 ? rc : 0;
}

int
report_get(struct db *db, const char *report, cJSON **out)
{
	cJSON *rows = cJSON_CreateArray();
	int rc;

	*out = NULL;
	if (!rows)
		return DD_E_NOMEM;
	rc = db_rows(db, rows, "SELECT r.id, r.incident, r.type, r.channel, "
		     "r.text, r.at, r.officer, CASE WHEN r.type = 'followup' THEN "
		     "(SELECT count(*) FROM reports f WHERE f.incident = r.incident "
		     "AND f.type = 'followup' AND (f.at, f.id) <= (r.at, r.id)) END "
		     "AS number, r.signed_at, r.signed_by, r.signed_name, CASE WHEN "
		     "r.channel = 'phone' THEN r.at ELSE r.signed_at END AS "
		     "counted_at FROM reports r WHERE r.id = ?", "s",
		     report ? report : "");
	if (!rc && cJSON_GetArraySize(rows) == 1) {
		*out = cJSON_DetachItemFromArray(rows, 0);
		rc = 1;
	}
	cJSON_Delete(rows);
	return rc;
}

int
report_signers(struct db *db, int64_t at, cJSON **out)
{
	cJSON *rows = cJSON_CreateArray();
	char self[32] = "";
	int64_t k = 0;
	int rc;

	*out = NULL;
	if (!rows)
		return DD_E_NOMEM;
	if ((rc = meta_get_text(db, "station", self, sizeof self)) < 0 ||
	    (rc = db_int(db, &k, "SELECT count(*) FROM shifts s WHERE s.deleted = "
			 "0 AND s.start_at IS NOT NULL AND (s.station = ?1 OR "
			 "EXISTS (SELECT 1 FROM contacts c WHERE c.id = s.leader "
			 "AND c.role = 'county_leader'))", "s", self)) < 0)
		goto out;
	/* As report_sign decides: the leaders on duty when a roster is
	 * kept, else the directory's town and county leaders. */
	rc = k > 0 ? db_rows(db, rows, "SELECT DISTINCT c.id, c.name FROM shifts "
			     "s JOIN contacts c ON c.id = s.leader WHERE s.deleted = "
			     "0 AND s.start_at <= ?2 AND s.start_at + s.hours * 3600 "
			     "> ?2 AND (s.station = ?1 OR c.role = 'county_leader') "
			     "ORDER BY c.id", "si", self, at)
		   : db_rows(db, rows, "SELECT id, name FROM contacts WHERE deleted "
			     "= 0 AND name IS NOT NULL AND role IN ('town_leader', "
			     "'county_leader') ORDER BY id", NULL);
out:
	if (rc < 0) {
		cJSON_Delete(rows);
		return rc;
	}
	*out = rows;
	return 0;
}
