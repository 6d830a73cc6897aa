/*
 * sheet_daily.c - the daily report (值班日报) as a plain-text sheet sent
 * upward: the county, the duty day and its bounds, then one section
 * after each form feed (incidents and their report clocks, levels and
 * decisions, warnings and their answers, teams sent and their turnout,
 * shelters, disaster statistics, zero reports, the roster, risk
 * points), and lines for the signatures. Made from daily_report()'s
 * JSON; at most 80 columns a line, UTF-8 or GB18030.
 */
#include "tui/tui.h"

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

static long long
n_(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

static const cJSON *
a_(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* A time of the report in the station's zone, without the year
 * ("12-02 09:10"); "-" when absent. Four stay valid. */
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
	return buf[slot] + 5;
}

/* The same with the year. */
static const char *
when_full(const cJSON *o, const char *k)
{
	static char buf[2][20];
	static int slot;
	int64_t t;

	if (time_parse_iso(s_(o, k), &t))
		return "-";
	slot = (slot + 1) % 2;
	time_format_local(t, buf[slot]);
	return buf[slot];
}

/* A length of time in minutes, or hours and minutes. */
static const char *
dur(long long secs)
{
	static char buf[4][48];
	static int slot;
	long long m = secs / 60;

	slot = (slot + 1) % 4;
	if (m < 60)
		snprintf(buf[slot], sizeof buf[slot], _("%lld min"), m);
	else
		snprintf(buf[slot], sizeof buf[slot], _("%lld h %lld min"),
			 m / 60, m % 60);
	return buf[slot];
}

/* s padded to w display columns (on the right when right is set, with
 * a space before it whatever its width). */
static void
col(FILE *f, const char *s, int w, int right)
{
	int n = text_width(s);

	if (right)
		fprintf(f, "%*s%s", n < w ? w - n : 1, "", s);
	else
		fprintf(f, "%s%*s", s, n < w ? w - n : 0, "");
}

/* Sections begin on a page of their own: a form feed, then the title. */
static void
section(FILE *f, const char *title)
{
	fprintf(f, "\f\n");
	sheet_wrapped(f, 0, title);
}

static void
none(FILE *f)
{
	fprintf(f, "  %s\n", _("none"));
}

/* A report clock: on time, late by how much, owed and overdue, or not
 * due yet. */
static void
clock_line(FILE *f, const cJSON *r, const char *what, const char *name)
{
	char k[40], done[40], line[256];
	const char *state;

	snprintf(k, sizeof k, "%s_state", name);
	state = s_(r, k);
	snprintf(done, sizeof done, "%s_done_at", name);
	snprintf(k, sizeof k, "%s_late_secs", name);
	if (strcmp(state, "on_time") == 0)
		snprintf(line, sizeof line, _("%s: on time (%s)"), what,
			 when(r, done));
	else if (strcmp(state, "late") == 0)
		snprintf(line, sizeof line, _("%s: LATE by %s (%s)"), what,
			 dur(n_(r, k)), when(r, done));
	else if (strcmp(state, "overdue") == 0)
		snprintf(line, sizeof line, _("%s: NOT SENT, overdue by %s"), what,
			 dur(n_(r, k)));
	else {
		snprintf(k, sizeof k, "%s_due_at", name);
		snprintf(line, sizeof line, _("%s: due by %s"), what, when(r, k));
	}
	sheet_wrapped(f, 4, line);
}

static void
incidents(struct db *db, FILE *f, const cJSON *r)
{
	const cJSON *c = a_(r, "incident_counts"), *i, *rep;
	char line[1024];

	snprintf(line, sizeof line, _("1. Incidents (received %lld, carried over "
				      "%lld, open at the day's end %lld)"),
		 n_(c, "received"), n_(c, "carried"), n_(c, "open_at_end"));
	section(f, line);
	cJSON_ArrayForEach(i, a_(r, "incidents")) {
		snprintf(line, sizeof line, "%s  %s  %s  %s  %s%s", s_(i, "id"),
			 when(i, "received_at"), names_town(db, s_(i, "town"), 0),
			 word(W_INCIDENT_STATUS, s_(i, "status")),
			 *s_(i, "title") ? s_(i, "title") : s_(i, "place"),
			 n_(i, "carried") ? _("  (carried over)") : "");
		sheet_wrapped(f, 2, line);
		if (n_(i, "dead") || n_(i, "injured") || n_(i, "missing") ||
		    n_(i, "trapped") || n_(i, "evacuated")) {
			snprintf(line, sizeof line, "%s %lld  %s %lld  %s %lld  %s "
				 "%lld  %s %lld", _("dead"), n_(i, "dead"),
				 _("injured"), n_(i, "injured"), _("missing"),
				 n_(i, "missing"), _("trapped"), n_(i, "trapped"),
				 _("evacuated"), n_(i, "evacuated"));
			sheet_wrapped(f, 4, line);
		}
		clock_line(f, i, _("phone report"), "phone");
		clock_line(f, i, _("written report"), "written");
		cJSON_ArrayForEach(rep, a_(i, "reports")) {
			int written = strcmp(s_(rep, "channel"), "written") == 0;
			char signed_[160] = "";
			if (written && *s_(rep, "signed_at"))
				snprintf(signed_, sizeof signed_, _(", signed %s %s"),
					 when(rep, "signed_at"), s_(rep, "signed_name"));
			else if (written)
				snprintf(signed_, sizeof signed_, "%s",
					 _(", not signed yet"));
			snprintf(line, sizeof line, _("report: %s %s %s%s"),
				 word(W_REPORT_TYPE, s_(rep, "type")),
				 word(W_CHANNEL, s_(rep, "channel")), when(rep, "at"),
				 signed_);
			sheet_wrapped(f, 6, line);
		}
	}
	if (!cJSON_GetArraySize(a_(r, "incidents")))
		none(f);
	snprintf(line, sizeof line, _("Phone reports on time %lld, late %lld; "
				      "written reports on time %lld, late %lld."),
		 n_(c, "phone_on_time"), n_(c, "phone_late"),
		 n_(c, "written_on_time"), n_(c, "written_late"));
	fprintf(f, "\n");
	sheet_wrapped(f, 2, line);
}

static void
responses(FILE *f, const cJSON *r)
{
	const cJSON *o;
	char line[1024];

	section(f, _("2. Emergency response levels"));
	fprintf(f, "  %s\n", _("In force at the day's end:"));
	cJSON_ArrayForEach(o, a_(r, "levels")) {
		snprintf(line, sizeof line, "%s %s  %s %s  %s %s%s",
			 console_hazard(s_(o, "hazard")), s_(o, "level_name"),
			 _("since"), when(o, "at"), _("signed by"),
			 s_(o, "signed_by"),
			 cJSON_IsTrue(a_(o, "conflict"))
			 ? _("  CONFLICT: to confirm") : "");
		sheet_wrapped(f, 4, line);
	}
	if (!cJSON_GetArraySize(a_(r, "levels")))
		fprintf(f, "    %s\n", _("none"));
	fprintf(f, "  %s\n", _("Decisions of the day:"));
	cJSON_ArrayForEach(o, a_(r, "decisions")) {
		snprintf(line, sizeof line, "%s  %s  %s %s  %s %s", when(o, "at"),
			 console_hazard(s_(o, "hazard")),
			 word(W_ACTION, s_(o, "action")),
			 strcmp(s_(o, "action"), "end") == 0 ? ""
			 : level_name((int)n_(o, "level")), _("signed by"),
			 s_(o, "signed_by"));
		sheet_wrapped(f, 4, line);
	}
	if (!cJSON_GetArraySize(a_(r, "decisions")))
		fprintf(f, "    %s\n", _("none"));
}

static void
warnings(struct db *db, FILE *f, const cJSON *r)
{
	const cJSON *c = a_(r, "warning_counts"), *w, *t;
	char line[1024];

	snprintf(line, sizeof line, _("3. Warnings and answers: %lld "
				      "issued, %lld of %lld towns answered "
				      "(%lld%%)"),
		 n_(c, "warnings"), n_(c, "towns_answered"),
		 n_(c, "towns_warned"), n_(c, "answer_rate_pct"));
	section(f, line);
	cJSON_ArrayForEach(w, a_(r, "warnings")) {
		snprintf(line, sizeof line, _("%s  %s  %s %s  answered %lld of "
					      "%lld (%lld%%)"), s_(w, "id"),
			 when(w, "at"), console_hazard(s_(w, "hazard")),
			 word(W_COLOR, s_(w, "color")), n_(w, "answered"),
			 n_(w, "warned"), n_(w, "answer_rate_pct"));
		sheet_wrapped(f, 2, line);
		cJSON_ArrayForEach(t, a_(w, "towns")) {
			if (*s_(t, "answered_at"))
				snprintf(line, sizeof line, _("%s: answered after %s "
							      "(%s) by %s"),
					 names_town(db, s_(t, "town"), 0),
					 dur(n_(t, "answer_secs")),
					 when(t, "answered_at"), s_(t, "who"));
			else
				snprintf(line, sizeof line, _("%s: NOT ANSWERED"),
					 names_town(db, s_(t, "town"), 0));
			sheet_wrapped(f, 4, line);
		}
	}
	if (!cJSON_GetArraySize(a_(r, "warnings")))
		none(f);
}

static void
dispatches(struct db *db, FILE *f, const cJSON *r)
{
	const cJSON *c = a_(r, "turnout_counts"), *d;
	char line[1024], took[96];

	snprintf(line, sizeof line, _("4. Teams sent: %lld, on time %lld of "
				      "%lld that set out (5 min city, 10 min "
				      "rural)"),
		 n_(c, "dispatches"), n_(c, "on_time"), n_(c, "turnouts"));
	section(f, line);
	cJSON_ArrayForEach(d, a_(r, "dispatches")) {
		const cJSON *ot = a_(d, "on_time");
		if (cJSON_IsBool(ot))
			snprintf(took, sizeof took, _("turnout %s of %s, %s"),
				 dur(n_(d, "turnout_secs")),
				 dur(n_(d, "target_secs")),
				 cJSON_IsTrue(ot) ? _("on time") : _("LATE"));
		else
			snprintf(took, sizeof took, "%s", _("not set out yet"));
		snprintf(line, sizeof line, "%s  %s  %s  %s  %s", when(d, "at"),
			 s_(d, "team"), s_(d, "team_name"), s_(d, "incident"),
			 names_town(db, s_(d, "town"), 1));
		sheet_wrapped(f, 2, line);
		sheet_wrapped(f, 4, took);
	}
	if (!cJSON_GetArraySize(a_(r, "dispatches")))
		none(f);
}

static void
shelters(struct db *db, FILE *f, const cJSON *r)
{
	const cJSON *c = a_(r, "shelter_counts"), *s;
	char line[1024];

	snprintf(line, sizeof line, _("5. Shelters open now: %lld, %lld people "
				      "in them (room for %lld)"),
		 n_(c, "open"), n_(c, "people"), n_(c, "capacity"));
	section(f, line);
	cJSON_ArrayForEach(s, a_(r, "shelters")) {
		snprintf(line, sizeof line, "%s  %s  %s  %lld/%lld", s_(s, "id"),
			 console_name(s), names_town(db, s_(s, "town"), 1),
			 n_(s, "occupancy"), n_(s, "capacity"));
		sheet_wrapped(f, 2, line);
	}
	if (!cJSON_GetArraySize(a_(r, "shelters")))
		none(f);
	snprintf(line, sizeof line, _("People evacuated in the day's incidents: "
				      "%lld"), n_(a_(r, "incident_counts"),
						  "evacuated"));
	sheet_wrapped(f, 2, line);
}

/* The statistics' columns: the field, its heading (N_()) and width. */
static const struct {
	const char *field, *title;
	int width, tenths;
} stat_cols[] = {
	{ "affected", N_("affect"), 7, 0 },
	{ "dead", N_("dead"), 5, 0 },
	{ "missing", N_("miss"), 5, 0 },
	{ "relocated", N_("moved"), 6, 0 },
	{ "need_aid", N_("aid"), 6, 0 },
	{ "collapsed", N_("coll."), 6, 0 },
	{ "severe", N_("sev."), 6, 0 },
	{ "damaged", N_("dam."), 6, 0 },
	{ "crop_ha", N_("crop ha"), 8, 1 },
	{ "loss", N_("loss"), 9, 1 },
};
#define NSTAT (sizeof stat_cols / sizeof stat_cols[0])

/* A row of the statistics: a line of its own, wrapped should figures
 * too big for their columns push it past 80. */
static void
stat_row(FILE *f, const char *name, const cJSON *o)
{
	char v[32], *row = NULL;
	size_t i, n = 0;
	FILE *m = open_memstream(&row, &n);

	if (!m)
		return;
	fprintf(m, "  ");
	col(m, name, 12, 0);
	for (i = 0; i < NSTAT; i++) {
		long long x = n_(o, stat_cols[i].field);
		if (stat_cols[i].tenths)
			snprintf(v, sizeof v, "%s%lld.%lld", x < 0 ? "-" : "",
				 llabs(x / 10), llabs(x % 10));
		else
			snprintf(v, sizeof v, "%lld", x);
		col(m, v, stat_cols[i].width, 1);
	}
	fclose(m);
	sheet_wrapped(f, 0, row);
	free(row);
}

static void
stats(struct db *db, FILE *f, const cJSON *r)
{
	const cJSON *st = a_(r, "stats"), *t;
	char line[512];
	size_t i;

	snprintf(line, sizeof line, _("6. Disaster statistics of %s"),
		 s_(r, "date"));
	section(f, line);
	if (!cJSON_GetArraySize(a_(st, "towns"))) {
		none(f);
		return;
	}
	fprintf(f, "  ");
	col(f, _("town"), 12, 0);
	for (i = 0; i < NSTAT; i++)
		col(f, _(stat_cols[i].title), stat_cols[i].width, 1);
	fprintf(f, "\n");
	cJSON_ArrayForEach(t, a_(st, "towns"))
		stat_row(f, names_town(db, s_(t, "town"), 1), t);
	stat_row(f, _("county"), a_(st, "total"));
	sheet_wrapped(f, 2, _("affect: people affected; moved: relocated in an "
			      "emergency; aid: in need of emergency aid; coll., "
			      "sev., dam.: houses collapsed, severely and "
			      "generally damaged; crop ha: crops hit, hectares; "
			      "loss: direct loss, 10,000 yuan."));
}

static void
town_list(struct db *db, FILE *f, const char *title, const cJSON *codes,
	  const char *key)
{
	char *line = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&line, &n);
	const cJSON *o, *e;
	int count = 0;

	if (!m)
		return;
	cJSON_ArrayForEach(o, codes) {
		const char *code = key ? s_(o, key) : (cJSON_IsString(o)
						      ? o->valuestring : "");
		int seen = 0;
		if (key && !*code)
			code = s_(o, "station"); /* a station serving no town */
		/* A town that filed twice is named once. */
		for (e = codes->child; key && e != o; e = e->next)
			seen |= strcmp(*s_(e, key) ? s_(e, key) : s_(e, "station"),
				       code) == 0;
		if (seen)
			continue;
		fprintf(m, "%s%s", count++ ? "  " : "", names_town(db, code, 1));
	}
	fclose(m);
	{
		char *all = NULL;
		if (asprintf(&all, "%s (%d): %s", title, count,
			     count ? line : _("none")) >= 0)
			sheet_wrapped(f, 2, all);
		free(all);
	}
	free(line);
}

static void
zero(struct db *db, FILE *f, const cJSON *r)
{
	const cJSON *z = a_(r, "zero_reports");

	section(f, _("7. Zero reports"));
	town_list(db, f, _("Filed"), a_(z, "filed"), "town");
	town_list(db, f, _("Not filed"), a_(z, "not_filed"), NULL);
}

static void
person(FILE *f, const char *role, const cJSON *s, const char *who)
{
	char name[32], phone[32], line[512];

	snprintf(name, sizeof name, "%s_name", who);
	snprintf(phone, sizeof phone, "%s_phone", who);
	if (!*s_(s, name))
		return;
	snprintf(line, sizeof line, "%s %s  %s", role, s_(s, name),
		 s_(s, phone));
	sheet_wrapped(f, 4, line);
}

static void
roster(FILE *f, const cJSON *r)
{
	const cJSON *s;

	section(f, _("8. On duty"));
	cJSON_ArrayForEach(s, a_(r, "roster")) {
		fprintf(f, "  %s %s %s\n", when_full(s, "start_at"), _("to"),
			when_full(s, "end_at"));
		person(f, _("Leader on duty:"), s, "leader");
		person(f, _("Duty officer:"), s, "officer1");
		person(f, _("Duty officer:"), s, "officer2");
	}
	if (!cJSON_GetArraySize(a_(r, "roster")))
		fprintf(f, "  %s\n", _("No shift on the roster in these days."));
}

static void
risk(struct db *db, FILE *f, const cJSON *r)
{
	const cJSON *c = a_(r, "risk_counts"), *o;
	char line[512];

	snprintf(line, sizeof line, _("9. Risk points at the day's end: "
				      "%lld of %lld cleared, %lld of %lld people "
				      "moved"),
		 n_(c, "cleared"), n_(c, "points"), n_(c, "moved"),
		 n_(c, "people"));
	section(f, line);
	cJSON_ArrayForEach(o, a_(r, "risk_points")) {
		fprintf(f, "  ");
		col(f, names_town(db, s_(o, "town"), 1), 10, 0);
		snprintf(line, sizeof line, _("cleared %lld of %lld, moved %lld of "
					      "%lld people"),
			 n_(o, "cleared"), n_(o, "points"), n_(o, "moved"),
			 n_(o, "people"));
		fprintf(f, "%s\n", line);
	}
	if (!cJSON_GetArraySize(a_(r, "risk_points")))
		none(f);
}

static int
write_daily(struct db *db, const cJSON *r, FILE *f)
{
	const cJSON *county = a_(r, "county"), *shift;
	char line[512];

	if (strcmp(s_(r, "realm"), "live") != 0)
		fprintf(f, "*** %s (%s) ***\n", _("DRILL: NOT A REAL SHIFT"),
			s_(r, "realm"));
	snprintf(line, sizeof line, "%s  %s", words_chinese()
		 ? s_(county, "name") : s_(county, "pinyin"),
		 _("DAILY DUTY REPORT"));
	sheet_wrapped(f, 0, line);
	snprintf(line, sizeof line, _("Date: %s (from %s to %s)"), s_(r, "date"),
		 when_full(r, "from"), when_full(r, "to"));
	sheet_wrapped(f, 0, line);
	snprintf(line, sizeof line, _("Station: %s    made at %s%s"),
		 s_(r, "station"), when_full(r, "made_at"),
		 cJSON_IsTrue(a_(r, "over")) ? "" : _("  (the day is not over)"));
	sheet_wrapped(f, 0, line);
	fprintf(f, "==============================================================\n");
	incidents(db, f, r);
	responses(f, r);
	warnings(db, f, r);
	dispatches(db, f, r);
	shelters(db, f, r);
	stats(db, f, r);
	zero(db, f, r);
	roster(f, r);
	risk(db, f, r);
	/* Signatures: the last shift of the day's, named. */
	shift = cJSON_GetArrayItem(a_(r, "roster"),
				   cJSON_GetArraySize(a_(r, "roster")) - 1);
	fprintf(f, "\n%s %s ________________\n", _("Duty officer signs:"),
		shift ? s_(shift, "officer1_name") : "");
	fprintf(f, "%s %s ________________\n", _("Leader on duty signs:"),
		shift ? s_(shift, "leader_name") : "");
	return 0;
}

int
sheet_daily(struct db *db, const char *date, int gb18030, FILE *out)
{
	cJSON *r = NULL;
	int rc;

	if ((rc = daily_report(db, date, &r)))
		return rc;
	rc = sheet_write(db, write_daily, r, gb18030, out);
	cJSON_Delete(r);
	return rc;
}

/* ---- in the console ---- */

/* p on the daily report's page: the sheet (DUTYDESK_PRINT_ENCODING
 * gb18030 or UTF-8) into DBPATH.daily-DATE.txt, then to the printer. */
static void
daily_print(struct console_state *c)
{
	const char *enc = getenv("DUTYDESK_PRINT_ENCODING"), *cmd, *file;
	const char *date = c->page_name + strlen("daily-");
	char path[4200], line[8600];
	FILE *f;
	int rc, st;

	snprintf(path, sizeof path, "%s.%s.txt", c->dbpath, c->page_name);
	if (!(f = fopen(path, "w"))) {
		console_msg(1, _("cannot write %s"), path);
		return;
	}
	rc = sheet_daily(c->db, date, enc && strcmp(enc, "gb18030") == 0, f);
	if (fclose(f) != 0 && !rc)
		rc = DD_E_IO;
	if (rc) {
		console_msg(1, "%s", db_why(c->db, rc));
		remove(path);
		return;
	}
	file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (!(cmd = console_printer())) {
		console_msg(0, _("no printer set (DUTYDESK_PRINT); the sheet is "
				 "%s beside the database"), file);
		return;
	}
	snprintf(line, sizeof line, "(%s) < '%s' >/dev/null 2>&1", cmd, path);
	st = strchr(path, '\'') ? -1 : system(line);
	if (st == 0)
		console_msg(0, _("daily report sent to the printer; a copy is %s "
				 "beside the database"), file);
	else
		console_msg(1, _("the printer command failed (%s); the sheet is "
				 "%s beside the database"), cmd, file);
}

void
daily_open(struct console_state *c)
{
	char date[11], title[160], name[32], *text = NULL, *page = NULL, *p;
	size_t n = 0;
	FILE *m;
	int rc;

	if (duty_date(c->db, console_now(), date)) {
		console_msg(1, "%s", _("cannot tell today's duty day"));
		return;
	}
	if (!(m = open_memstream(&text, &n)))
		return;
	rc = sheet_daily(c->db, date, 0, m);
	fclose(m);
	if (rc) {
		console_msg(1, "%s", db_why(c->db, rc));
		free(text);
		return;
	}
	/* On the screen a form feed is a rule between the sections. */
	if (!(m = open_memstream(&page, &n))) {
		free(text);
		return;
	}
	for (p = text; *p; p++)
		if (*p == '\f')
			fputs("----------------------------------------", m);
		else
			fputc(*p, m);
	fclose(m);
	snprintf(title, sizeof title, "%s %s", _("Daily report"), date);
	snprintf(name, sizeof name, "daily-%s", date);
	if (overlay_page(c, title, page, name, 0) == 0)
		c->page_print = daily_print;
	free(page);
	free(text);
}
