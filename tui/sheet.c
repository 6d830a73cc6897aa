/*
 * sheet.c - the shift handover as a plain-text sheet for any printer:
 * who hands over to whom and when, the leader on duty, what stays open
 * (incidents, responses in force, teams out, towns that have not
 * answered), and lines for both signatures; and the duty roster sent
 * upward, with each person's phone. UTF-8, or GB18030 for printers that
 * need it.
 */
#include "tui/tui.h"

#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/console.h"

static const char *
s_(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static const char *
when(const cJSON *o, const char *k)
{
	static char buf[4][20];
	static int slot;
	int64_t t;

	if (time_parse_iso(s_(o, k), &t))
		return "-";
	slot = (slot + 1) % 4;
	time_format_local(t, buf[slot]);
	return buf[slot];
}

#define SHEET_COLS 80

/* text after indent spaces, wrapped at SHEET_COLS (wrap_text: an
 * English word is not split, Chinese breaks between characters; the
 * rows after the first keep the indent). Measured as UTF-8, whatever
 * the terminal: the sheet goes to paper. */
static void
wrapped(FILE *f, int indent, const char *text)
{
	struct wrap w = { NULL, 0 };
	char *line;
	int i;

	if (asprintf(&line, "%*s%s", indent, "", text) < 0)
		return;
	if (wrap_text(&w, line, SHEET_COLS, 0, 0, 0) == 0)
		for (i = 0; i < w.n; i++)
			fprintf(f, "%s\n", w.line[i]);
	wrap_free(&w);
	free(line);
}

void
sheet_wrapped(FILE *f, int indent, const char *text)
{
	wrapped(f, indent, text);
}

/* A report clock of incident r: sent (when), owed (due when), or late. */
static void
clock_line(FILE *f, const cJSON *r, const char *what, const char *done_key,
	   int secs, int64_t now)
{
	int64_t received, due;
	char at[20];

	if (time_parse_iso(s_(r, "received_at"), &received))
		return;
	due = received + secs;
	if (*s_(r, done_key)) {
		fprintf(f, "    %s: %s %s\n", what, _("reported at"), when(r, done_key));
		return;
	}
	time_format_local(due, at);
	fprintf(f, "    %s: %s %s%s\n", what, _("due by"), at,
		due < now ? _("  OVERDUE") : "");
}

static int
overdue(const cJSON *r, int64_t now)
{
	int64_t received, due;

	if (time_parse_iso(s_(r, "received_at"), &received))
		return 0;
	return (!*s_(r, "phone_done_at") && received + REPORT_PHONE_SECS < now) ||
		(!*s_(r, "written_done_at") && received + REPORT_WRITTEN_SECS < now) ||
		(time_parse_iso(s_(r, "followup_due_at"), &due) == 0 && due < now);
}

static int64_t
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static void
incident_lines(struct db *db, FILE *f, const cJSON *r, int64_t now)
{
	char line[512];

	snprintf(line, sizeof line, "%s  %s  %s  %s  %s", s_(r, "id"),
		 when(r, "received_at"), names_town(db, s_(r, "town"), 0),
		 word(W_INCIDENT_STATUS, s_(r, "status")),
		 *s_(r, "title") ? s_(r, "title") : s_(r, "place"));
	wrapped(f, 2, line);
	if (num(r, "dead") || num(r, "injured") || num(r, "missing") ||
	    num(r, "trapped") || num(r, "evacuated"))
		fprintf(f, "    %s %lld  %s %lld  %s %lld  %s %lld  %s %lld\n",
			_("dead"), (long long)num(r, "dead"), _("injured"),
			(long long)num(r, "injured"), _("missing"),
			(long long)num(r, "missing"), _("trapped"),
			(long long)num(r, "trapped"), _("evacuated"),
			(long long)num(r, "evacuated"));
	clock_line(f, r, _("phone report"), "phone_done_at", REPORT_PHONE_SECS, now);
	clock_line(f, r, _("written report"), "written_done_at",
		   REPORT_WRITTEN_SECS, now);
	/* The fixed-time follow-up owed next (severity 1 to 3). */
	{
		int64_t due;
		char at[20];
		if (time_parse_iso(s_(r, "followup_due_at"), &due) == 0) {
			time_format_local(due, at);
			fprintf(f, "    %s: %s %s%s\n", _("follow-up report"),
				_("due by"), at, due < now ? _("  OVERDUE") : "");
		}
	}
}

/* Open incidents, the overdue ones first, each with its casualties and
 * its report clocks; then the casualties of them all. */
static int
sheet_incidents(struct db *db, FILE *f, int64_t now)
{
	cJSON *filter = cJSON_CreateObject(), *list = NULL, *r;
	int64_t sum[5] = { 0 };
	static const char *const keys[] = { "dead", "injured", "missing",
		"trapped", "evacuated" };
	int rc, pass, i;

	cJSON_AddNumberToObject(filter, "open", 1);
	rc = state_list(db, LIST_INCIDENTS, filter, &list);
	cJSON_Delete(filter);
	if (rc)
		return rc;
	fprintf(f, "%s (%d)\n", _("Open incidents"), cJSON_GetArraySize(list));
	for (pass = 1; pass >= 0; pass--)
		cJSON_ArrayForEach(r, list)
			if (overdue(r, now) == pass)
				incident_lines(db, f, r, now);
	cJSON_ArrayForEach(r, list)
		for (i = 0; i < 5; i++)
			sum[i] += num(r, keys[i]);
	fprintf(f, "  %s: %s %lld  %s %lld  %s %lld  %s %lld  %s %lld\n",
		_("All open incidents"), _("dead"), (long long)sum[0],
		_("injured"), (long long)sum[1], _("missing"), (long long)sum[2],
		_("trapped"), (long long)sum[3], _("evacuated"), (long long)sum[4]);
	cJSON_Delete(list);
	return 0;
}

static int
sheet_shelters(struct db *db, FILE *f)
{
	cJSON *filter = cJSON_CreateObject(), *list = NULL, *r;
	int64_t people = 0;
	int rc, n = 0;

	cJSON_AddNumberToObject(filter, "open", 1);
	rc = state_list(db, LIST_SHELTERS, filter, &list);
	cJSON_Delete(filter);
	if (rc)
		return rc;
	cJSON_ArrayForEach(r, list)
		people += num(r, "occupancy");
	fprintf(f, "\n%s (%d, %s %lld)\n", _("Shelters open"),
		cJSON_GetArraySize(list), _("people in them"), (long long)people);
	cJSON_ArrayForEach(r, list) {
		char line[512];
		snprintf(line, sizeof line, "%s  %s  %s  %lld/%lld", s_(r, "id"),
			 console_name(r), names_town(db, s_(r, "town"), 1),
			 (long long)num(r, "occupancy"), (long long)num(r, "capacity"));
		wrapped(f, 2, line);
		n++;
	}
	if (!n)
		fprintf(f, "  %s\n", _("none"));
	cJSON_Delete(list);
	return 0;
}

/* The checklist items of the episode in force not ticked yet. */
static int
unticked(struct db *db, const cJSON *resp, FILE *f)
{
	struct response_state rs;
	cJSON *items = NULL, *ticks = NULL, *filter, *it, *t;
	int rc, n = 0;

	if ((rc = response_get(db, s_(resp, "hazard"), &rs)) < 0)
		return rc;
	if (!rs.episode[0])
		return 0;
	if (checklist_load(rs.hazard, rs.level, &items))
		return 0; /* no checklist for this hazard */
	filter = cJSON_CreateObject();
	cJSON_AddStringToObject(filter, "episode", rs.episode);
	rc = state_list(db, LIST_TICKS, filter, &ticks);
	cJSON_Delete(filter);
	if (rc)
		cJSON_Delete(items), items = NULL;
	cJSON_ArrayForEach(it, items) {
		int done = 0;
		cJSON_ArrayForEach(t, ticks)
			if (strcmp(s_(t, "item"), s_(it, "code")) == 0)
				done = num(t, "checked") != 0;
		if (done)
			continue;
		if (!n++)
			fprintf(f, "    %s\n", _("not ticked yet:"));
		{
			char line[1024];
			snprintf(line, sizeof line, "[ ] %s %s", s_(it, "code"),
				 (words_chinese() || !*s_(it, "text_en"))
				 ? s_(it, "text") : s_(it, "text_en"));
			wrapped(f, 6, line);
		}
	}
	cJSON_Delete(items);
	cJSON_Delete(ticks);
	return rc;
}

static int
sheet_responses(struct db *db, FILE *f)
{
	cJSON *list = NULL, *r;
	int rc, n = 0;

	if ((rc = state_list(db, LIST_RESPONSES, NULL, &list)))
		return rc;
	fprintf(f, "\n%s\n", _("Responses in force"));
	cJSON_ArrayForEach(r, list) {
		if (num(r, "level") <= 0)
			continue;
		fprintf(f, "  %s %s, %s %s, %s %s%s\n",
			console_hazard(s_(r, "hazard")), level_name((int)num(r, "level")),
			_("since"), when(r, "at"), _("signed by"), s_(r, "signed_by"),
			cJSON_IsTrue(cJSON_GetObjectItem(r, "conflict"))
			? _("  CONFLICT: to confirm") : "");
		if ((rc = unticked(db, r, f)))
			break;
		n++;
	}
	if (!n && !rc)
		fprintf(f, "  %s\n", _("none"));
	cJSON_Delete(list);
	return rc;
}

static int
sheet_teams(struct db *db, FILE *f)
{
	cJSON *list = NULL, *r;
	int rc, n = 0;

	if ((rc = state_list(db, LIST_TEAMS, NULL, &list)))
		return rc;
	fprintf(f, "\n%s\n", _("Teams out"));
	cJSON_ArrayForEach(r, list) {
		char line[512];
		if (strcmp(s_(r, "status"), "available") == 0 ||
		    strcmp(s_(r, "status"), "out_of_service") == 0)
			continue;
		snprintf(line, sizeof line, "%s  %s  %s  %s  %s %s", s_(r, "id"),
			 console_name(r), word(W_TEAM_STATUS, s_(r, "status")),
			 s_(r, "incident"), _("since"), when(r, "status_at"));
		wrapped(f, 2, line);
		n++;
	}
	if (!n)
		fprintf(f, "  %s\n", _("none"));
	cJSON_Delete(list);
	return 0;
}

static int
sheet_unanswered(struct db *db, FILE *f)
{
	cJSON *list = NULL, *r;
	int rc, n = 0;

	if ((rc = state_list(db, LIST_ANSWERS, NULL, &list)))
		return rc;
	fprintf(f, "\n%s\n", _("Towns that have not answered a warning (叫应)"));
	cJSON_ArrayForEach(r, list) {
		if (*s_(r, "id"))
			continue;
		fprintf(f, "  %-14s %s\n", s_(r, "warning"),
			names_town(db, s_(r, "town"), 0));
		n++;
	}
	if (!n)
		fprintf(f, "  %s\n", _("none"));
	cJSON_Delete(list);
	return 0;
}

/* A person's phones as the directory has them ("" when it has nobody
 * of that name, or several). */
static const char *
phones_of(struct db *db, const char *who, char *buf, size_t n)
{
	cJSON *c = NULL;
	char id[64];

	buf[0] = 0;
	if (contact_find(db, who, id) == 1 && contact_get(db, id, &c) == 1)
		snprintf(buf, n, "%s", s_(c, "phones"));
	cJSON_Delete(c);
	return buf;
}

/* Who hands over to whom, with their phones, and the leader on duty of
 * the shift the handover falls in; an unrostered handover says so. */
static int
shift_people(struct db *db, const cJSON *entry, FILE *f)
{
	cJSON *s = NULL;
	char ph[256];
	int64_t at = 0;
	int rc;

	time_parse_iso(s_(entry, "at"), &at);
	/* The shift taking over, else the one the handover falls in. */
	if ((rc = roster_incoming(db, at, &s)) < 0)
		return rc;
	if (rc == 0 && (rc = roster_at(db, NULL, at, 0, &s)) < 0)
		return rc;
	if (s)
		fprintf(f, "%s %s  %s\n", _("Leader on duty:"),
			s_(s, "leader_name"), s_(s, "leader_phone"));
	fprintf(f, "%s %s  %s\n", _("Outgoing:"), s_(entry, "officer"),
		phones_of(db, s_(entry, "officer"), ph, sizeof ph));
	fprintf(f, "%s %s  %s%s\n", _("Incoming:"), s_(entry, "to_officer"),
		phones_of(db, s_(entry, "to_officer"), ph, sizeof ph),
		cJSON_IsTrue(cJSON_GetObjectItem(entry, "unrostered")) ||
		num(entry, "unrostered") ? _("  (not on the roster)") : "");
	cJSON_Delete(s);
	return 0;
}

static int
write_sheet(struct db *db, const cJSON *entry, FILE *f)
{
	struct station_info si;
	int64_t now = db_now(db);
	int rc;

	if ((rc = station_identity(db, &si)))
		return rc;
	/* A drill's printout says so before anything else. */
	if (strcmp(si.realm, "live") != 0)
		fprintf(f, "*** %s (%s) ***\n", _("DRILL: NOT A REAL SHIFT"),
			si.realm);
	fprintf(f, "%s  %s\n", si.station, _("SHIFT HANDOVER SHEET (交接班记录)"));
	fprintf(f, "==============================================================\n");
	fprintf(f, "%s %s\n", _("Time:"), when(entry, "at"));
	if ((rc = shift_people(db, entry, f)))
		return rc;
	if (*s_(entry, "text")) {
		char line[8300];
		snprintf(line, sizeof line, "%s %s", _("Note:"), s_(entry, "text"));
		wrapped(f, 0, line);
	}
	fprintf(f, "%s\n\n", _("What stands at the time this sheet is printed:"));
	if ((rc = sheet_incidents(db, f, now)) || (rc = sheet_shelters(db, f)) ||
	    (rc = sheet_responses(db, f)) || (rc = sheet_teams(db, f)) ||
	    (rc = sheet_unanswered(db, f)))
		return rc;
	fprintf(f, "\n%s ________________\n%s ________________\n",
		_("Outgoing officer signs:"), _("Incoming officer signs:"));
	return 0;
}

/* Convert UTF-8 text to GB18030 (every Unicode character has a form). */
int
sheet_gb18030(const char *in, size_t n, FILE *out)
{
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	char buf[4096], *src = (char *)in, *dst;
	size_t left = n, room;

	if (cd == (iconv_t)-1)
		return DD_E_IO;
	while (left > 0) {
		dst = buf;
		room = sizeof buf;
		if (iconv(cd, &src, &left, &dst, &room) == (size_t)-1 &&
		    errno != E2BIG) {
			iconv_close(cd);
			return DD_E_INVALID;
		}
		fwrite(buf, 1, sizeof buf - room, out);
	}
	iconv_close(cd);
	return 0;
}

/* A sheet made whole by fn, then written to out in UTF-8 or GB18030:
 * nothing is written when making it fails. */
int
sheet_write(struct db *db, int (*fn)(struct db *, const cJSON *, FILE *),
	    const void *arg, int gb18030, FILE *out)
{
	char *text = NULL;
	size_t n = 0;
	FILE *mem = open_memstream(&text, &n);
	int rc;

	if (!mem)
		return DD_E_NOMEM;
	rc = fn(db, arg, mem);
	fclose(mem);
	if (!rc) {
		if (gb18030)
			rc = sheet_gb18030(text, n, out);
		else
			fwrite(text, 1, n, out);
	}
	free(text);
	return rc;
}

int
sheet_handover(struct db *db, const char *id, int gb18030, FILE *out)
{
	cJSON *log = NULL, *r, *entry = NULL;
	int rc;

	if ((rc = state_list(db, LIST_LOG, NULL, &log)))
		return rc;
	cJSON_ArrayForEach(r, log)
		if (strcmp(s_(r, "kind"), "handover") == 0 &&
		    (!id || strcmp(s_(r, "id"), id) == 0))
			entry = r; /* the last one, or the one asked for */
	if (!entry) {
		cJSON_Delete(log);
		return db_fail(db, DD_E_NOTFOUND, id ? "no handover '%s'"
			       : "no handover recorded yet%s", id ? id : "");
	}
	rc = sheet_write(db, write_sheet, entry, gb18030, out);
	cJSON_Delete(log);
	return rc;
}

/* ---- the duty roster ---- */

struct range {
	const char *from, *to;
};

static void
person_line(FILE *f, const char *role, const cJSON *s, const char *who)
{
	char k[32];

	snprintf(k, sizeof k, "%s_name", who);
	if (!*s_(s, k))
		return;
	fprintf(f, "  %s  %s", role, s_(s, k));
	snprintf(k, sizeof k, "%s_phone", who);
	fprintf(f, "  %s\n", s_(s, k));
}

static int
write_roster(struct db *db, const cJSON *arg, FILE *f)
{
	const struct range *r = (const void *)arg;
	struct station_info si;
	cJSON *flt = cJSON_CreateObject(), *list = NULL, *s;
	int rc;

	if (!flt)
		return DD_E_NOMEM;
	if ((rc = station_identity(db, &si)))
		goto out;
	cJSON_AddStringToObject(flt, "station", si.station);
	if (r->from)
		cJSON_AddStringToObject(flt, "from", r->from);
	if (r->to)
		cJSON_AddStringToObject(flt, "to", r->to);
	if ((rc = state_list(db, LIST_ROSTER, flt, &list)))
		goto out;
	if (strcmp(si.realm, "live") != 0)
		fprintf(f, "*** %s (%s) ***\n", _("DRILL: NOT A REAL SHIFT"),
			si.realm);
	fprintf(f, "%s  %s\n", si.station, _("DUTY ROSTER (值班表)"));
	fprintf(f, "%s %s %s %s\n", _("From"), r->from ? r->from : "-",
		_("to"), r->to ? r->to : "-");
	fprintf(f, "==============================================================\n");
	cJSON_ArrayForEach(s, list) {
		fprintf(f, "\n%s  %s %s %s\n", s_(s, "date"), when(s, "start_at"),
			_("to"), when(s, "end_at"));
		person_line(f, _("Leader on duty:"), s, "leader");
		person_line(f, _("Duty officer:"), s, "officer1");
		person_line(f, _("Duty officer:"), s, "officer2");
	}
	if (cJSON_GetArraySize(list) == 0)
		fprintf(f, "%s\n", _("No shift on the roster in these days."));
	fprintf(f, "\n%s ________________   %s ________________\n",
		_("Signed:"), _("Date:"));
out:
	cJSON_Delete(flt);
	cJSON_Delete(list);
	return rc;
}

int
sheet_roster(struct db *db, const char *from, const char *to, int gb18030,
	     FILE *out)
{
	const struct range r = { from, to };

	return sheet_write(db, write_roster, (const void *)&r, gb18030, out);
}

/* ---- an upward report ---- */

struct report_arg {
	const char *id;
	int en;
};

/* The name of town code in Chinese, or its pinyin in English. */
static void
town_name(struct db *db, const char *code, int en, char *out, size_t n)
{
	cJSON *towns = NULL, *t;

	snprintf(out, n, "%s", code);
	if (state_list(db, LIST_TOWNS, NULL, &towns))
		return;
	cJSON_ArrayForEach(t, towns)
		if (strcmp(s_(t, "id"), code) == 0 &&
		    *s_(t, en ? "pinyin" : "name"))
			snprintf(out, n, "%s", s_(t, en ? "pinyin" : "name"));
	cJSON_Delete(towns);
}

/* The sheet's words are chosen by its own language (the forms go up in
 * Chinese whatever the console's), not the interface's. */
#define L(zh_, en_) (a->en ? (en_) : (zh_))

static int
write_report(struct db *db, const cJSON *arg, FILE *f)
{
	const struct report_arg *a = (const void *)arg;
	struct station_info si;
	cJSON *r = NULL, *inc = NULL;
	char label[48], town[128], line[8300];
	int64_t n = 0;
	int rc;

	if ((rc = station_identity(db, &si)))
		return rc;
	if ((rc = report_get(db, a->id, &r)) <= 0)
		return rc < 0 ? rc : db_fail(db, DD_E_NOTFOUND, "no report '%s'",
					    a->id);
	if ((rc = incident_get(db, s_(r, "incident"), &inc)) < 0)
		goto out;
	rc = 0;
	n = num(r, "number");
	report_label(s_(r, "type"), (int)n, a->en, label);
	town_name(db, inc ? s_(inc, "town") : "", a->en, town, sizeof town);
	if (strcmp(si.realm, "live") != 0)
		fprintf(f, "*** %s (%s) ***\n", L("演练：非真实事件",
			"DRILL: NOT A REAL INCIDENT"), si.realm);
	fprintf(f, "%s  %s  %s\n", si.station, L("突发事件信息报告",
		"INCIDENT REPORT"), label);
	fprintf(f, "==============================================================\n");
	snprintf(line, sizeof line, "%s%s  %s  %s", L("事件：", "Incident: "),
		 s_(r, "incident"), town, inc ? (*s_(inc, "title") ?
		 s_(inc, "title") : s_(inc, "place")) : "");
	wrapped(f, 0, line);
	fprintf(f, "%s%s  %s%s\n", L("报告时间：", "Made at: "), when(r, "at"),
		L("报送方式：", "Sent by: "), strcmp(s_(r, "channel"), "phone") == 0
		? L("电话", "phone") : L("书面", "writing"));
	fprintf(f, "%s%s  %s%s\n", L("报告编号：", "Report: "), s_(r, "id"),
		L("值班员：", "Officer: "), s_(r, "officer"));
	fprintf(f, "\f");
	/* The text as the officer wrote it, each of its lines wrapped. */
	{
		char *text = strdup(s_(r, "text")), *p, *nl;
		if (!text) {
			rc = DD_E_NOMEM;
			goto out;
		}
		for (p = text; p && *p; p = nl) {
			if ((nl = strchr(p, '\n')))
				*nl++ = 0;
			if (*p)
				wrapped(f, 0, p);
			else
				fputc('\n', f);
		}
		if (!*text)
			fprintf(f, "%s\n", L("（无正文）", "(no text)"));
		free(text);
	}
	fprintf(f, "\f");
	if (strcmp(s_(r, "channel"), "phone") == 0)
		fprintf(f, "%s%s\n", L("签发：", "Signed: "),
			L("电话报告，无需签发", "a phone report needs no signing"));
	else if (*s_(r, "signed_at") && *s_(r, "signed_name"))
		fprintf(f, "%s%s  %s%s\n", L("签发人：", "Signed by: "),
			s_(r, "signed_name"), L("签发时间：", "at "),
			when(r, "signed_at"));
	else if (*s_(r, "signed_at"))
		fprintf(f, "%s%s\n", L("签发时间：", "Signed at: "),
			when(r, "signed_at"));
	else
		fprintf(f, "%s%s\n", L("签发：", "Signed: "),
			L("未签发", "NOT SIGNED"));
out:
	cJSON_Delete(inc);
	cJSON_Delete(r);
	return rc;
}

#undef L

int
sheet_report(struct db *db, const char *id, int gb18030, int en, FILE *out)
{
	const struct report_arg a = { id, en };

	return sheet_write(db, write_report, (const void *)&a, gb18030, out);
}
