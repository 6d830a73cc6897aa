/*
 * record.c - Enter on a row shows its whole record on a page over the
 * panes: every field of an incident's phone log with its upward reports
 * and dispatches, a team with its dispatch, a warning with each town's
 * answer and its people, a log entry in full, and so on. Each pane has
 * a row in the table at the end that writes its record as "label\tvalue"
 * lines, read through core's own read functions; the page lines them
 * up, wraps and scrolls them, and prints them (overlay_page).
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A member of o as text: a string as it is, a number whole, "" for
 * null or absent. buf (n bytes) holds a number's digits. */
static const char *
val(const cJSON *o, const char *k, char *buf, size_t n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		snprintf(buf, n, "%.0f", v->valuedouble);
		return buf;
	}
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "1" : "0";
	return "";
}

/* A string member of o, "" when it is not one. */
static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* An ISO time member of o in the station's local time, or "". */
static const char *
when(const cJSON *o, const char *k, char out[20])
{
	int64_t t;

	out[0] = 0;
	if (*str(o, k) && time_parse_iso(str(o, k), &t) == 0)
		time_format_local(t, out);
	return out;
}

/* n bytes of what someone typed: a tab in it would start a value on the
 * page, so it is a space. */
static void
typed(FILE *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fputc(s[i] == '\t' ? ' ' : s[i], f);
}

/* One "label\tvalue" line ("-" for an empty value). A value of several
 * lines goes on below, under itself. */
static void
field(FILE *f, const char *label, const char *value)
{
	size_t n;

	if (!value || !*value)
		value = "-";
	typed(f, label, strlen(label));
	do {
		n = strcspn(value, "\n");
		fputc('\t', f);
		typed(f, value, n);
		fputc('\n', f);
		value += n;
	} while (*value && *++value);
}

/* The same under a heading: the label indented. */
static void
sub_field(FILE *f, const char *label, const char *value)
{
	char buf[160];

	snprintf(buf, sizeof buf, "  %s", label);
	field(f, buf, value);
}

static void
field_of(FILE *f, const char *label, const cJSON *o, const char *k)
{
	char buf[32];

	field(f, label, val(o, k, buf, sizeof buf));
}

static void
field_time(FILE *f, const char *label, const cJSON *o, const char *k)
{
	char buf[20];

	field(f, label, when(o, k, buf));
}

/* Text of several lines, each indented by indent spaces. */
static void
text_lines(FILE *f, int indent, const char *text)
{
	size_t n;

	while (text && *text) {
		n = strcspn(text, "\n");
		fprintf(f, "%*s", indent, "");
		typed(f, text, n);
		fputc('\n', f);
		text += n;
		if (*text)
			text++;
	}
}

/* "code name" of a town, team, depot or shelter (list l), the name as
 * the terminal shows it; the code alone when it is not found. */
static const char *
ref_label(struct db *db, enum list l, const char *code, char *buf, size_t n)
{
	cJSON *list = NULL, *o;

	snprintf(buf, n, "%s", code);
	if (!*code || state_list(db, l, NULL, &list))
		return buf;
	cJSON_ArrayForEach(o, list)
		if (strcmp(str(o, "id"), code) == 0 && *console_name(o))
			snprintf(buf, n, "%s %s", code, console_name(o));
	cJSON_Delete(list);
	return buf;
}

/* The steps of a dispatch, each with its time ("-": not yet). */
static void
dispatch_steps(FILE *f, const cJSON *d)
{
	static const struct { const char *status, *key; } steps[] = {
		{ "dispatched", "at" }, { "en_route", "en_route_at" },
		{ "on_scene", "on_scene_at" }, { "returning", "returning_at" },
		{ "available", "available_at" },
	};
	char label[64], at[20];
	size_t i;

	for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		snprintf(label, sizeof label, "    %s", word(W_TEAM_STATUS,
							   steps[i].status));
		field(f, label, when(d, steps[i].key, at));
	}
}

/* ---- incidents ---- */

/* A reporting clock: when it was due and when it was met. */
static void
report_clock(FILE *f, const char *label, const cJSON *inc, const char *due,
	     const char *done)
{
	char d[20], t[20], buf[120];

	when(inc, due, d);
	if (*when(inc, done, t))
		snprintf(buf, sizeof buf, _("due %s, made %s"), d, t);
	else
		snprintf(buf, sizeof buf, _("due %s, NOT YET"), d);
	field(f, label, buf);
}

static int
incident_record(struct db *db, const cJSON *row, FILE *f, char *title,
		size_t tn, char *name, size_t nn)
{
	/* The phone log's fields in the order of the intake form. */
	static const struct { const char *label, *key; } fields[] = {
		{ N_("Place"), "place" }, { N_("Kind"), "kind" },
		{ N_("Severity 1-4"), "severity" }, { N_("Received"), "received_at" },
		{ N_("Cause"), "cause" }, { N_("Actions"), "actions" },
		{ N_("Trend"), "trend" }, { N_("Dead"), "dead" },
		{ N_("Injured"), "injured" }, { N_("Missing"), "missing" },
		{ N_("Trapped"), "trapped" }, { N_("Evacuated"), "evacuated" },
		{ N_("Caller unit"), "caller_unit" },
		{ N_("Caller name"), "caller_name" },
		{ N_("Caller phone"), "caller_phone" },
		{ N_("Notified"), "notified" }, { N_("Recorder"), "recorder" },
	};
	const char *id = str(row, "id");
	cJSON *inc = NULL, *r;
	char buf[200], at[20];
	size_t i;
	int rc = incident_get(db, id, &inc);

	if (rc != 1)
		return rc < 0 ? rc : DD_E_NOTFOUND;
	snprintf(title, tn, _("Incident %s"), id);
	snprintf(name, nn, "record-%s", id);
	field(f, _("ID"), id);
	field_of(f, _("Title"), inc, "title");
	field(f, _("Status"), word(W_INCIDENT_STATUS, str(inc, "status")));
	field_time(f, _("Status since"), inc, "status_at");
	if (cJSON_GetObjectItem(inc, "reopened") &&
	    cJSON_GetObjectItem(inc, "reopened")->valuedouble > 0)
		field_of(f, _("Reopened"), inc, "reopened");
	field(f, _("Town"), ref_label(db, LIST_TOWNS, str(inc, "town"), buf,
				      sizeof buf));
	for (i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		if (strcmp(fields[i].key, "received_at") == 0)
			field_time(f, _(fields[i].label), inc, fields[i].key);
		else
			field_of(f, _(fields[i].label), inc, fields[i].key);
	}
	field(f, _("Taken by"), word(W_OFFICER, str(inc, "officer")));
	report_clock(f, _("Phone report"), inc, "phone_due_at", "phone_done_at");
	report_clock(f, _("Written report"), inc, "written_due_at",
		     "written_done_at");
	/* The fixed-time follow-up owed next (followup.times), if any. */
	if (*when(inc, "followup_due_at", at)) {
		int64_t due = 0;
		time_parse_iso(str(inc, "followup_due_at"), &due);
		snprintf(buf, sizeof buf, due < console_now() ? _("due %s, LATE")
			 : _("due %s"), at);
		field(f, _("Follow-up"), buf);
	}

	fputc('\n', f);
	fprintf(f, _("Upward reports: %d"),
		cJSON_GetArraySize(cJSON_GetObjectItem(inc, "reports")));
	fputc('\n', f);
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(inc, "reports")) {
		/* Follow-ups are numbered as shown: 续报一, 续报二 ... */
		const cJSON *num = cJSON_GetObjectItem(r, "number");
		char label[48];
		if (!cJSON_IsNumber(num))
			snprintf(label, sizeof label, "%s",
				 word(W_REPORT_TYPE, str(r, "type")));
		else if (words_chinese())
			report_label("followup", (int)num->valuedouble, 0, label);
		else
			snprintf(label, sizeof label, "%s %d",
				 word(W_REPORT_TYPE, "followup"),
				 (int)num->valuedouble);
		fprintf(f, "  %s  %s  %s  ", when(r, "at", at), label,
			word(W_CHANNEL, str(r, "channel")));
		fprintf(f, _("recorded by %s"),
			word(W_OFFICER, str(r, "officer")));
		fprintf(f, "  (%s)\n", str(r, "id"));
		if (strcmp(str(r, "channel"), "written") == 0) {
			fprintf(f, "    ");
			if (*str(r, "signed_name"))
				fprintf(f, _("signed by %s at %s"),
					str(r, "signed_name"),
					when(r, "signed_at", at));
			else if (*when(r, "signed_at", at))
				fprintf(f, _("counted at %s"), at);
			else
				fprintf(f, "%s", _("NOT SIGNED: counts once the "
					"leader on duty signs it"));
			fputc('\n', f);
		}
		text_lines(f, 4, str(r, "text"));
	}
	fputc('\n', f);
	fprintf(f, _("Dispatches: %d"),
		cJSON_GetArraySize(cJSON_GetObjectItem(inc, "dispatches")));
	fputc('\n', f);
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(inc, "dispatches")) {
		fprintf(f, "  %s  %s %s\n", str(r, "id"), _("team"),
			ref_label(db, LIST_TEAMS, str(r, "team"), buf, sizeof buf));
		dispatch_steps(f, r);
	}
	cJSON_Delete(inc);
	return 0;
}

/* ---- response levels ---- */

/* The checklist of the level in force, with who ticked what and when. */
static int
checklist(struct db *db, FILE *f, const struct response_state *rs)
{
	cJSON *list = NULL, *ticks = NULL, *flt = cJSON_CreateObject(), *it, *t;
	char at[20];
	int rc;

	cJSON_AddStringToObject(flt, "episode", rs->episode);
	if ((rc = checklist_load(rs->hazard, rs->level, &list)) ||
	    (rc = state_list(db, LIST_TICKS, flt, &ticks)))
		goto out;
	fprintf(f, "\n");
	fprintf(f, _("Checklist of level %s"), word(W_LEVEL, level_name(rs->level)));
	fprintf(f, "\n");
	cJSON_ArrayForEach(it, list) {
		const cJSON *tick = NULL;
		cJSON_ArrayForEach(t, ticks)
			if (strcmp(str(t, "item"), str(it, "code")) == 0)
				tick = t;
		/* The code and who ticked it, then its text under it. */
		fprintf(f, "  [%c] %s", tick && cJSON_GetObjectItem(tick,
			"checked")->valuedouble ? 'x' : ' ', str(it, "code"));
		if (tick) {
			fprintf(f, "  ");
			fprintf(f, _("ticked by %s"),
				word(W_OFFICER, str(tick, "officer")));
			fprintf(f, "  %s", when(tick, "at", at));
		}
		fprintf(f, "\n");
		text_lines(f, 6, str(it, console_utf8 ? "text" : "text_en"));
	}
out:
	cJSON_Delete(flt);
	cJSON_Delete(list);
	cJSON_Delete(ticks);
	return rc;
}

static int
response_record(struct db *db, const cJSON *row, FILE *f, char *title,
		size_t tn, char *name, size_t nn)
{
	const char *hazard = str(row, "hazard");
	struct response_state rs;
	cJSON *flt = cJSON_CreateObject(), *list = NULL, *d;
	char at[20];
	int rc;

	memset(&rs, 0, sizeof rs);
	snprintf(title, tn, _("Response: %s"), console_name(row));
	snprintf(name, nn, "record-%s", hazard);
	field(f, _("Hazard"), console_hazard(hazard));
	field(f, _("Name"), console_name(row));
	if ((rc = response_get(db, hazard, &rs)) < 0)
		goto out;
	field(f, _("Level"), rs.level ? word(W_LEVEL, level_name(rs.level)) : "");
	field(f, _("State"), str(row, "state"));
	field_of(f, _("Signed by"), row, "signed_by");
	field_time(f, _("Since"), row, "at");
	cJSON_AddStringToObject(flt, "hazard", hazard);
	if ((rc = state_list(db, LIST_DECISIONS, flt, &list)))
		goto out;
	fputc('\n', f);
	fprintf(f, _("Decisions: %d"), cJSON_GetArraySize(list));
	fputc('\n', f);
	cJSON_ArrayForEach(d, list) {
		fprintf(f, "  %s  %s %s  %s %s  (%s)\n", when(d, "at", at),
			word(W_ACTION, str(d, "action")),
			word(W_LEVEL, level_name((int)cJSON_GetObjectItem(d,
						 "level")->valuedouble)),
			_("signed by"), *str(d, "signed_by") ? str(d, "signed_by")
			: "-", str(d, "id"));
		text_lines(f, 4, str(d, "note"));
	}
	rc = rs.level > 0 && *rs.episode ? checklist(db, f, &rs) : 0;
out:
	cJSON_Delete(flt);
	cJSON_Delete(list);
	return rc;
}

/* ---- teams ---- */

static int
team_record(struct db *db, const cJSON *row, FILE *f, char *title,
	    size_t tn, char *name, size_t nn)
{
	const char *id = str(row, "id"), *dispatch = str(row, "dispatch");
	cJSON *flt = cJSON_CreateObject(), *list = NULL, *d, *inc = NULL;
	char buf[200];
	int rc = 0;

	snprintf(title, tn, _("Team %s"), id);
	snprintf(name, nn, "record-%s", id);
	field(f, _("ID"), id);
	field(f, _("Name"), console_name(row));
	field(f, _("Kind"), word(W_TEAM_KIND, str(row, "kind")));
	field(f, _("Town"), ref_label(db, LIST_TOWNS, str(row, "town"), buf,
				      sizeof buf));
	field_of(f, _("Members"), row, "members");
	field_of(f, _("Leader"), row, "leader");
	field_of(f, _("Phone"), row, "phone");
	field_of(f, _("Speciality"), row, "speciality");
	field(f, _("Status"), word(W_TEAM_STATUS, str(row, "status")));
	field_time(f, _("Status since"), row, "status_at");
	fprintf(f, "\n%s\n", _("Current dispatch"));
	if (!*dispatch) {
		fprintf(f, "  %s\n", _("none"));
		goto out;
	}
	cJSON_AddStringToObject(flt, "team", id);
	if ((rc = state_list(db, LIST_DISPATCHES, flt, &list)))
		goto out;
	cJSON_ArrayForEach(d, list) {
		if (strcmp(str(d, "id"), dispatch) != 0)
			continue;
		sub_field(f, _("Dispatch"), dispatch);
		sub_field(f, _("Incident"), str(d, "incident"));
		if (incident_get(db, str(d, "incident"), &inc) == 1) {
			sub_field(f, _("Title"), str(inc, "title"));
			sub_field(f, _("Place"), str(inc, "place"));
		}
		sub_field(f, _("Sent by"), word(W_OFFICER, str(d, "officer")));
		dispatch_steps(f, d);
	}
out:
	cJSON_Delete(inc);
	cJSON_Delete(flt);
	cJSON_Delete(list);
	return rc;
}

/* ---- supplies ---- */

static int
supply_record(struct db *db, const cJSON *row, FILE *f, char *title,
	      size_t tn, char *name, size_t nn)
{
	const char *item = str(row, "item"), *depot = str(row, "depot");
	cJSON *list = NULL, *d;
	char buf[200];
	int rc;

	if (*depot)
		snprintf(title, tn, _("Supplies: %s at %s"), item, depot);
	else
		snprintf(title, tn, _("Supplies: %s in every depot"), item);
	snprintf(name, nn, "record-%s-%s", item, depot);
	field(f, _("Item"), item);
	field(f, _("Name"), console_name(row));
	/* The unit in English where the terminal cannot show Chinese. */
	if ((rc = state_list(db, LIST_KINDS, NULL, &list)))
		return rc;
	cJSON_ArrayForEach(d, list)
		if (strcmp(str(d, "id"), item) == 0)
			field(f, _("Unit"), str(d, console_utf8 || !*str(d, "unit_en")
						 ? "unit" : "unit_en"));
	cJSON_Delete(list);
	list = NULL;
	field_of(f, _("Quantity"), row, "qty");
	field_of(f, _("Low at"), row, "low");
	field_of(f, _("State"), row, "state");
	if (!*depot) {
		/* A kind's total: what each depot holds of it. */
		cJSON *flt = cJSON_CreateObject();
		cJSON_AddStringToObject(flt, "item", item);
		rc = state_list(db, LIST_STOCK, flt, &list);
		cJSON_Delete(flt);
		if (rc)
			return rc;
		fprintf(f, "\n");
		cJSON_ArrayForEach(d, list)
			field_of(f, str(d, "depot"), d, "qty");
		cJSON_Delete(list);
		return 0;
	}
	field(f, _("Depot"), depot);
	if ((rc = state_list(db, LIST_DEPOTS, NULL, &list)))
		return rc;
	cJSON_ArrayForEach(d, list) {
		if (strcmp(str(d, "id"), depot) != 0)
			continue;
		field(f, _("Depot name"), console_name(d));
		field(f, _("Town"), ref_label(db, LIST_TOWNS, str(d, "town"), buf,
					      sizeof buf));
	}
	cJSON_Delete(list);
	return 0;
}

/* ---- shelters ---- */

static int
shelter_record(struct db *db, const cJSON *row, FILE *f, char *title,
	       size_t tn, char *name, size_t nn)
{
	const char *id = str(row, "id");
	const cJSON *open = cJSON_GetObjectItem(row, "open");
	char buf[200];

	snprintf(title, tn, _("Shelter %s"), id);
	snprintf(name, nn, "record-%s", id);
	field(f, _("ID"), id);
	field(f, _("Name"), console_name(row));
	field(f, _("Town"), ref_label(db, LIST_TOWNS, str(row, "town"), buf,
				      sizeof buf));
	field_of(f, _("Address"), row, "address");
	field_of(f, _("Manager"), row, "manager");
	field_of(f, _("Phone"), row, "phone");
	field(f, _("State"), word(W_SHELTER_STATE, cJSON_IsNumber(open) &&
				  open->valuedouble ? "open" : "closed"));
	field_of(f, _("People"), row, "occupancy");
	field_of(f, _("Capacity"), row, "capacity");
	return 0;
}

/* ---- warnings ---- */

/* The people named for town (rows of LIST_CALLEES) under it: each with
 * a phone, and whether they answered (the one the answer names) or, the
 * town silent, have not. */
static void
town_people(FILE *f, const cJSON *people, const char *town, int answered)
{
	const cJSON *p;
	char line[300];
	int any = 0;

	cJSON_ArrayForEach(p, people) {
		if (strcmp(str(p, "town"), town) != 0 || !*str(p, "contact"))
			continue;
		any = 1;
		snprintf(line, sizeof line, "%s  %s  %s", str(p, "name"),
			 *str(p, "phone") ? str(p, "phone") : "-",
			 !answered ? _("not answered")
			 : strcmp(str(p, "name"), str(p, "answered_by")) == 0
			 ? _("answered") : "");
		text_lines(f, 4, line);
	}
	if (!any)
		text_lines(f, 4, _("(the directory names nobody)"));
}

static int
warning_record(struct db *db, const cJSON *row, FILE *f, char *title,
	       size_t tn, char *name, size_t nn)
{
	const char *id = str(row, "id");
	cJSON *flt = cJSON_CreateObject(), *list = NULL, *people = NULL, *a;
	char buf[200], at[20], n1[32], n2[32];
	int64_t limit = warning_silent_secs(db, str(row, "color")), issued = 0;
	int rc;

	snprintf(title, tn, _("Warning %s"), id);
	snprintf(name, nn, "record-%s", id);
	field(f, _("ID"), id);
	field_time(f, _("Issued"), row, "at");
	field(f, _("Hazard"), console_hazard(str(row, "hazard")));
	field(f, _("Colour"), word(W_COLOR, str(row, "color")));
	snprintf(buf, sizeof buf, _("%lld min"), (long long)limit / 60);
	field(f, _("Silent limit"), buf);
	field(f, _("Issued by"), word(W_OFFICER, str(row, "officer")));
	field_of(f, _("Station"), row, "station");
	field_of(f, _("Text"), row, "text");
	cJSON_AddStringToObject(flt, "warning", id);
	if ((rc = state_list(db, LIST_ANSWERS, flt, &list)))
		goto out;
	cJSON_AddNumberToObject(flt, "now", (double)console_now());
	if ((rc = state_list(db, LIST_CALLEES, flt, &people)))
		goto out;
	time_parse_iso(str(row, "at"), &issued);
	fputc('\n', f);
	fprintf(f, _("Towns answered: %s of %s"), val(row, "answered",
		n1, sizeof n1), val(row, "towns", n2, sizeof n2));
	fputc('\n', f);
	cJSON_ArrayForEach(a, list) {
		char line[200];
		const char *town = ref_label(db, LIST_TOWNS, str(a, "town"), buf,
					     sizeof buf);
		int64_t silent = console_now() - issued;
		if (*str(a, "at"))
			snprintf(line, sizeof line, _("%s by %s, after %.0f min"),
				 when(a, "at", at), *str(a, "who") ? str(a, "who")
				 : "-", cJSON_GetObjectItem(a, "answer_secs")
				 ->valuedouble / 60);
		else if (silent > limit)
			snprintf(line, sizeof line, _("NOT ANSWERED, silent %lld "
				 "min: on the call-back list (b)"),
				 (long long)silent / 60);
		else
			snprintf(line, sizeof line, _("NOT ANSWERED, silent %lld "
				 "min"), (long long)(silent > 0 ? silent : 0) / 60);
		/* A town's name is long: its answer goes on under it, then
		 * its people. */
		fprintf(f, "  %s\n", town);
		text_lines(f, 4, line);
		town_people(f, people, str(a, "town"), *str(a, "at") != 0);
	}
out:
	cJSON_Delete(flt);
	cJSON_Delete(list);
	cJSON_Delete(people);
	return rc;
}

/* A town of the call-back list: its warning's record. */
static int
callback_record(struct db *db, const cJSON *row, FILE *f, char *title,
		size_t tn, char *name, size_t nn)
{
	cJSON *list = NULL, *w;
	int rc = state_list(db, LIST_WARNINGS, NULL, &list);

	if (rc)
		return rc;
	rc = DD_E_NOTFOUND;
	cJSON_ArrayForEach(w, list)
		if (strcmp(str(w, "id"), str(row, "warning")) == 0)
			rc = warning_record(db, w, f, title, tn, name, nn);
	cJSON_Delete(list);
	return rc;
}

/* ---- the duty log ---- */

static int
log_record(struct db *db, const cJSON *row, FILE *f, char *title,
	   size_t tn, char *name, size_t nn)
{
	const char *id = str(row, "id");

	(void)db;
	snprintf(title, tn, _("Log entry %s"), id);
	snprintf(name, nn, "record-%s", id);
	field(f, _("ID"), id);
	field_time(f, _("When"), row, "at");
	field(f, _("Kind"), word(W_LOG_KIND, str(row, "kind")));
	field(f, _("Officer"), word(W_OFFICER, str(row, "officer")));
	field_of(f, _("Station"), row, "station");
	if (*str(row, "to_officer"))
		field_of(f, _("Handed to"), row, "to_officer");
	fprintf(f, "\n");
	text_lines(f, 0, str(row, "text"));
	return 0;
}

/* ---- the people on duty ---- */

/* A warning's or an incident's id with what it was: "linhai-3 台风 红色". */
static const char *
warning_label(const cJSON *w, char *buf, size_t n)
{
	snprintf(buf, n, "%s %s %s", str(w, "warning"),
		 console_hazard(str(w, "hazard")), word(W_COLOR, str(w, "color")));
	return buf;
}

/* The shifts of the roster person id stands on, as leader or officer. */
static int
contact_shifts(struct db *db, const char *id, FILE *f)
{
	cJSON *list = NULL, *s;
	char at[20];
	int rc, n = 0;

	if ((rc = state_list(db, LIST_ROSTER, NULL, &list)))
		return rc;
	fprintf(f, "\n%s\n", _("On the roster"));
	cJSON_ArrayForEach(s, list) {
		const char *as = strcmp(str(s, "leader"), id) == 0
			? _("leader on duty")
			: strcmp(str(s, "officer1"), id) == 0 ||
			  strcmp(str(s, "officer2"), id) == 0
			? _("duty officer") : NULL;
		if (!as)
			continue;
		fprintf(f, "  %s  %s  (%s)\n", when(s, "start_at", at), as,
			str(s, "id"));
		n++;
	}
	if (!n)
		fprintf(f, "  %s\n", _("none"));
	cJSON_Delete(list);
	return 0;
}

/* A person's page: who they are and how to reach them, what they
 * answer for, the shifts they stand, their calls and the warnings that
 * named them. */
static int
contact_page(struct db *db, const char *id, FILE *f, char *title, size_t tn,
	     char *name, size_t nn)
{
	cJSON *c = NULL, *r;
	char buf[200], at[20], *p;
	int rc = contact_get(db, id, &c);

	if (rc != 1)
		return rc < 0 ? rc : DD_E_NOTFOUND;
	snprintf(title, tn, _("Contact %s"), id);
	snprintf(name, nn, "record-%s", id);
	field(f, _("ID"), id);
	field(f, _("Full name"), console_name(c));
	field(f, _("Role"), word(W_CONTACT_ROLE, str(c, "role")));
	field(f, _("Unit"), str(c, "unit"));
	field(f, _("Town"), ref_label(db, LIST_TOWNS, str(c, "town"), buf,
				      sizeof buf));
	/* Each phone on a line of its own: a number is read out whole. */
	snprintf(buf, sizeof buf, "%s", str(c, "phones"));
	for (p = buf; (p = strchr(p, ';')); )
		*p = '\n';
	field(f, _("Phones"), buf);
	buf[0] = 0;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(c, "answers"))
		snprintf(buf, sizeof buf, "%s %s", str(r, "id"), console_name(r));
	field(f, _("Answers for"), buf);

	if ((rc = contact_shifts(db, id, f)))
		goto out;
	fputc('\n', f);
	fprintf(f, _("Calls: %d"),
		cJSON_GetArraySize(cJSON_GetObjectItem(c, "calls")));
	fputc('\n', f);
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(c, "calls")) {
		const cJSON *in = cJSON_GetObjectItem(r, "incoming");
		fprintf(f, "  %s  %s  %s  %s", when(r, "at", at),
			cJSON_IsNumber(in) && in->valuedouble ? _("incoming")
			: _("outgoing"),
			str(r, "number"), word(W_CALL_OUTCOME, str(r, "outcome")));
		if (*str(r, "incident") || *str(r, "warning"))
			fprintf(f, "  %s", *str(r, "incident") ? str(r, "incident")
				: str(r, "warning"));
		fprintf(f, "  (%s)\n", str(r, "id"));
		text_lines(f, 4, str(r, "note"));
	}
	fputc('\n', f);
	fprintf(f, _("Warnings that named them: %d"),
		cJSON_GetArraySize(cJSON_GetObjectItem(c, "warnings")));
	fputc('\n', f);
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(c, "warnings")) {
		fprintf(f, "  %s  %s\n", when(r, "at", at),
			warning_label(r, buf, sizeof buf));
		fprintf(f, "    %s\n", console_town(str(r, "town"), 0));
	}
out:
	cJSON_Delete(c);
	return rc;
}

static int
contact_record(struct db *db, const cJSON *row, FILE *f, char *title,
	       size_t tn, char *name, size_t nn)
{
	return contact_page(db, str(row, "id"), f, title, tn, name, nn);
}

/* A person on a shift: the name and every phone. */
static void
shift_person(FILE *f, const char *label, const cJSON *s, const char *who)
{
	char k[32], buf[400];
	size_t i;

	snprintf(k, sizeof k, "%s_name", who);
	if (!*str(s, k))
		return;
	/* The id too: it names the person in a command whatever the name. */
	snprintf(buf, sizeof buf, "%s (%s)", str(s, k), str(s, who));
	snprintf(k, sizeof k, "%s_phone", who);
	i = strlen(buf);
	snprintf(buf + i, sizeof buf - i, "\n%s", str(s, k));
	for (; buf[i]; i++)
		if (buf[i] == ';')
			buf[i] = '\n';
	field(f, label, buf);
}

static int
shift_record(struct db *db, const cJSON *row, FILE *f, char *title,
	     size_t tn, char *name, size_t nn)
{
	const char *id = str(row, "id");

	(void)db;
	snprintf(title, tn, _("Shift %s"), id);
	snprintf(name, nn, "record-%s", id);
	field(f, _("ID"), id);
	field_time(f, _("Starts"), row, "start_at");
	field_time(f, _("Ends"), row, "end_at");
	shift_person(f, _("Leader on duty"), row, "leader");
	shift_person(f, _("Duty officer"), row, "officer1");
	shift_person(f, _("Duty officer"), row, "officer2");
	return 0;
}

/* A call: the page of the person it was with; a bare number, the call
 * alone. */
static int
call_record(struct db *db, const cJSON *row, FILE *f, char *title,
	    size_t tn, char *name, size_t nn)
{
	const char *id = str(row, "id");
	const cJSON *in = cJSON_GetObjectItem(row, "incoming");

	if (*str(row, "contact"))
		return contact_page(db, str(row, "contact"), f, title, tn, name,
				    nn);
	snprintf(title, tn, _("Call %s"), id);
	snprintf(name, nn, "record-%s", id);
	field(f, _("ID"), id);
	field_time(f, _("When"), row, "at");
	field(f, _("Way"), cJSON_IsNumber(in) && in->valuedouble ? _("incoming")
	      : _("outgoing"));
	field_of(f, _("Number"), row, "number");
	field(f, _("Outcome"), word(W_CALL_OUTCOME, str(row, "outcome")));
	field_of(f, _("Incident"), row, "incident");
	field_of(f, _("Warning"), row, "warning");
	field(f, _("Officer"), word(W_OFFICER, str(row, "officer")));
	field_of(f, _("Note"), row, "note");
	return 0;
}

/* The incident's record as the page shows it, for `incident show`. */
int
record_incident(struct db *db, const char *id, FILE *f)
{
	cJSON *row = cJSON_CreateObject();
	char title[160], name[160];
	int rc;

	if (!row)
		return DD_E_NOMEM;
	cJSON_AddStringToObject(row, "id", id);
	rc = incident_record(db, row, f, title, sizeof title, name, sizeof name);
	cJSON_Delete(row);
	return rc;
}

/* ---- the county picture ---- */

/* A risk point's page: what and where it is, its monitor and how to
 * reach them, the people moved out of it one by one, and the warnings
 * that named it. */
static int
risk_record(struct db *db, const cJSON *row, FILE *f, char *title,
	    size_t tn, char *name, size_t nn)
{
	cJSON *r = NULL, *m;
	char buf[200], at[20], *p;
	int rc = risk_get(db, str(row, "id"), &r);

	if (rc != 1)
		return rc < 0 ? rc : DD_E_NOTFOUND;
	snprintf(title, tn, _("Risk point %s"), str(r, "id"));
	snprintf(name, nn, "record-%s", str(r, "id"));
	field(f, _("Code"), str(r, "id"));
	field(f, _("Name"), console_name(r));
	field(f, _("Kind"), word(W_RISK_KIND, str(r, "kind")));
	field(f, _("Town"), ref_label(db, LIST_TOWNS, str(r, "town"), buf,
				      sizeof buf));
	field(f, _("Village"), str(r, "village"));
	field_of(f, _("People at risk"), r, "people");
	field_of(f, _("People moved"), r, "moved");
	field(f, _("Cleared"), *str(r, "cleared_at") ? when(r, "cleared_at", at)
	      : _("not yet"));
	if (*str(r, "monitor")) {
		cJSON *who = cJSON_CreateObject();
		cJSON_AddStringToObject(who, "name", str(r, "monitor_name"));
		cJSON_AddStringToObject(who, "pinyin", str(r, "monitor_pinyin"));
		field(f, _("Monitor"), console_name(who));
		cJSON_Delete(who);
	} else {
		field(f, _("Monitor"), "");
	}
	/* Each phone on a line of its own: a number is read out whole. */
	snprintf(buf, sizeof buf, "%s", str(r, "monitor_phone"));
	for (p = buf; (p = strchr(p, ';')); )
		*p = '\n';
	field(f, _("Phones"), buf);
	fputc('\n', f);
	fprintf(f, _("Moves: %d"),
		cJSON_GetArraySize(cJSON_GetObjectItem(r, "moves")));
	fputc('\n', f);
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(r, "moves"))
		fprintf(f, "  %s  %6s  %s %s (%s)\n", when(m, "moved_at", at),
			val(m, "n", buf, sizeof buf), str(m, "station"),
			str(m, "officer"), str(m, "id"));
	fputc('\n', f);
	fprintf(f, _("Warnings that named it: %d"),
		cJSON_GetArraySize(cJSON_GetObjectItem(r, "warnings")));
	fputc('\n', f);
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(r, "warnings"))
		fprintf(f, "  %s  %s %s %s\n", when(m, "issued_at", at),
			str(m, "id"), console_hazard(str(m, "hazard")),
			word(W_COLOR, str(m, "color")));
	cJSON_Delete(r);
	return 0;
}

/* ---- the table ---- */

typedef int record_fn(struct db *db, const cJSON *row, FILE *f, char *title,
		      size_t tn, char *name, size_t nn);

static const struct {
	const struct pane_ops *pane;
	record_fn *write;
} records[] = {
	{ &pane_incidents, incident_record },
	{ &pane_response, response_record },
	{ &pane_teams, team_record },
	{ &pane_supplies, supply_record },
	{ &pane_shelters, shelter_record },
	{ &pane_warnings, warning_record },
	{ &pane_callbacks, callback_record },
	{ &pane_log, log_record },
	{ &pane_directory, contact_record },
	{ &pane_roster, shift_record },
	{ &pane_calls, call_record },
	{ &pane_stats, pane_stats_record },
	{ &pane_requests, pane_request_record },
	{ &pane_risk, risk_record },
};

int
record_open(struct console_state *c)
{
	const struct pane *p = &c->panes[c->cur];
	const cJSON *row = view_selected(&p->view);
	char title[160] = "", name[80] = "record", *text = NULL;
	size_t i, len = 0;
	FILE *f;
	int rc = -1;

	for (i = 0; i < sizeof records / sizeof records[0] &&
	     records[i].pane != p->ops; i++)
		;
	if (i == sizeof records / sizeof records[0] || !row) {
		console_msg(1, "%s", _("no row selected"));
		return -1;
	}
	if (!(f = open_memstream(&text, &len))) {
		console_msg(1, "%s", dd_strerror(DD_E_NOMEM));
		return -1;
	}
	rc = records[i].write(c->db, row, f, title, sizeof title, name,
			      sizeof name);
	if (fclose(f) != 0 && !rc)
		rc = DD_E_NOMEM;
	if (rc)
		console_msg(1, _("cannot read the record: %s"), db_why(c->db, rc));
	else
		rc = overlay_page(c, title, text, name, 1);
	free(text);
	return rc ? -1 : 0;
}
