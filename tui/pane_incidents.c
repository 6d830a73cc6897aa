/*
 * pane_incidents.c - open incidents, most urgent first, with their age
 * and the reporting clocks (first report by phone within 30 minutes, in
 * writing within 1 hour); intake form with the duty phone-log fields.
 */
#include "tui/console.h"
#include "tui/tui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The newest open incidents and every late one up to these counts: the
 * screen shows a few dozen, and the most urgent are among them. */
#define LOAD_NEWEST 200
#define LOAD_LATE 100

static const struct column cols[] = {
	{ N_("ID"), "id", 14, COL_ID, 0 },
	{ N_("AGE"), "received_at", 5, COL_AGE | COL_RIGHT, 0 },
	{ N_("TOWN"), "town", 10, COL_TOWN, 0 },
	{ N_("STATUS"), "status", 10, 0, W_INCIDENT_STATUS },
	{ N_("PHONE"), "phone_clock", 6, 0, 0 },
	{ N_("WRITTEN"), "written_clock", 7, 0, 0 },
	/* TRANSLATORS: the column of the fixed-time follow-up's clock. */
	{ N_("FOLLOW"), "followup_clock", 6, COL_WIDE, 0 },
	{ N_("TITLE"), "title", 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const find[] = { "id", "title", "place", "town", "kind",
	"status", NULL };

/* The incident the intake form just recorded: the list selects it as it
 * loads next, so that what is said of it (c saves its caller) acts on
 * it. */
static char just_taken[64];

static const struct keymap keymap[] = {
	{ 'a', 0, REQ_ADD, "a" },
	{ KEY_IC, 1, REQ_ADD, NULL },
	{ 'e', 0, REQ_EDIT, "e" },
	{ 's', 0, REQ_STATUS, "s" },
	{ 'r', 0, REQ_REPORT, "r" },
	{ 'd', 0, REQ_DISPATCH, "d" },
	{ 'c', 0, REQ_CALLER, "c" },
	{ 'S', 0, REQ_SIGN, "S" },
	{ 'p', 0, REQ_SHEET, "p" },
	{ 0, 0, REQ_NONE, NULL }
};

/* "ok", minutes left, or LATE: one reporting clock of a row. */
static int
clock_cell(cJSON *row, const char *done_key, int64_t due, const char *key)
{
	const cJSON *done = cJSON_GetObjectItemCaseSensitive(row, done_key);
	int64_t left = due - console_now();
	char buf[32];

	if (cJSON_IsString(done)) {
		cJSON_AddStringToObject(row, key, _("ok"));
		return 0;
	}
	if (left < 0) {
		cJSON_AddStringToObject(row, key, _("LATE"));
		return 1;
	}
	snprintf(buf, sizeof buf, "%lldm", (long long)(left / 60));
	cJSON_AddStringToObject(row, key, buf);
	return 0;
}

/* Add the rows of list l with filter f that the view's filter keeps to
 * v (skipping ids already in), up to max in all. */
static int
gather(const struct pane *p, enum list l, cJSON *f, cJSON **v, int *n,
       int max)
{
	cJSON *list = NULL, *row;
	int i, dup;

	if (state_list(console_db(), l, f, &list)) {
		cJSON_Delete(f);
		return -1;
	}
	cJSON_Delete(f);
	/* Filtered before the count, so that max counts rows shown. */
	view_filter(&p->view, p->ops->find, list);
	while (*n < max && (row = cJSON_DetachItemFromArray(list, 0))) {
		const char *id = cJSON_GetObjectItem(row, "id")->valuestring;
		for (dup = 0, i = 0; i < *n && !dup; i++)
			dup = strcmp(cJSON_GetObjectItem(v[i], "id")->valuestring,
				     id) == 0;
		if (dup)
			cJSON_Delete(row);
		else
			v[(*n)++] = row;
	}
	cJSON_Delete(list);
	return 0;
}

static cJSON *
load(struct pane *p)
{
	cJSON *f, *out, *v[LOAD_NEWEST + LOAD_LATE];
	int64_t now = console_now();
	int n = 0, i;

	f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "open", 1);
	cJSON_AddNumberToObject(f, "limit", LOAD_NEWEST);
	/* One town's newest, while the console shows it alone. */
	if (console_town_only())
		cJSON_AddStringToObject(f, "town", console_town_only());
	if (gather(p, LIST_INCIDENTS, f, v, &n, LOAD_NEWEST) == 0) {
		f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "phone_before", (double)(now -
					REPORT_PHONE_SECS));
		cJSON_AddNumberToObject(f, "written_before", (double)(now -
					REPORT_WRITTEN_SECS));
		cJSON_AddNumberToObject(f, "limit", LOAD_LATE);
		gather(p, LIST_LATE, f, v, &n, LOAD_NEWEST + LOAD_LATE);
	}
	for (i = 0; i < n; i++) {
		int64_t rec = 0;
		int late;
		time_parse_iso(cJSON_GetObjectItem(v[i], "received_at")->valuestring,
			       &rec);
		late = clock_cell(v[i], "phone_done_at", rec + REPORT_PHONE_SECS,
				  "phone_clock");
		late |= clock_cell(v[i], "written_done_at", rec + REPORT_WRITTEN_SECS,
				   "written_clock");
		/* The fixed-time follow-up owed next, when one is. */
		if (cJSON_IsString(cJSON_GetObjectItem(v[i], "followup_due_at"))) {
			int64_t due = 0;
			time_parse_iso(cJSON_GetObjectItem(v[i],
				       "followup_due_at")->valuestring, &due);
			late |= clock_cell(v[i], "", due, "followup_clock");
		}
		cJSON_AddNumberToObject(v[i], "late", late);
	}
	incident_order(v, (size_t)n, now);
	if (just_taken[0]) {
		snprintf(p->view.sel_id, sizeof p->view.sel_id, "%s", just_taken);
		just_taken[0] = 0;
	}
	out = cJSON_CreateArray();
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(out, v[i]);
	return out;
}

static int
style(const cJSON *row, void *ctx)
{
	(void)ctx;
	if (cJSON_GetObjectItem(row, "late")->valuedouble)
		return A_BOLD | (has_colors() ? COLOR_PAIR(1) : A_UNDERLINE);
	return 0;
}

/* ---- forms ---- */

static const char *const statuses[] = { "verified", "responding",
	"controlled", "closed", "reopen", NULL };
static const char *const report_types[] = { "first", "followup", "final",
	NULL };
static const char *const channels[] = { "phone", "written", NULL };

static const struct form_field intake[] = {
	{ N_("Town"), "town", FT_PICK, 1, NULL, REF_TOWN, NULL },
	{ N_("Title"), "title", FT_TEXT, 1, NULL, 0, NULL },
	{ N_("Place"), "place", FT_TEXT, 0, NULL, 0, NULL },
	{ N_("Kind"), "kind", FT_TEXT, 0, NULL, 0, NULL },
	{ N_("Severity 1-4"), "severity", FT_INT, 0, NULL, 0, NULL },
	{ N_("Received"), "received_at", FT_TIME, 0, NULL, 0, NULL },
	{ N_("Cause"), "cause", FT_TEXT, 0, NULL, 0, NULL },
	{ N_("Actions"), "actions", FT_TEXT, 0, NULL, 0, NULL },
	{ N_("Trend"), "trend", FT_TEXT, 0, NULL, 0, NULL },
	{ N_("Dead"), "dead", FT_INT, 0, NULL, 0, NULL },
	{ N_("Injured"), "injured", FT_INT, 0, NULL, 0, NULL },
	{ N_("Missing"), "missing", FT_INT, 0, NULL, 0, NULL },
	{ N_("Trapped"), "trapped", FT_INT, 0, NULL, 0, NULL },
	{ N_("Evacuated"), "evacuated", FT_INT, 0, NULL, 0, NULL },
	{ N_("Caller unit"), "caller_unit", FT_TEXT, 0, NULL, 0, NULL },
	{ N_("Caller name"), "caller_name", FT_TEXT, 0, NULL, 0, NULL },
	{ N_("Caller phone"), "caller_phone", FT_TEXT, 0, NULL, 0, NULL },
	{ N_("Notified"), "notified", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static const struct form_field status_form[] = {
	{ N_("New status"), "status", FT_CHOICE, 1, statuses, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static const struct form_field report_form[] = {
	{ N_("Report"), "type", FT_CHOICE, 1, report_types, 0, NULL },
	{ N_("Channel"), "channel", FT_CHOICE, 1, channels, 0, NULL },
	{ N_("Text"), "text", FT_LONG, 0, NULL, 0, NULL },
	{ N_("Reported at"), "at", FT_TIME, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

/* Only the fields typed (empty ones are left out). */
static cJSON *
typed(const cJSON *values)
{
	cJSON *o = cJSON_CreateObject();
	const cJSON *v;

	cJSON_ArrayForEach(v, values)
		if (cJSON_IsString(v) && *v->valuestring)
			cJSON_AddStringToObject(o, v->string, v->valuestring);
	return o;
}

/* The caller's phone typed at intake, looked up in the directory: the
 * caller's name and unit to fill in when they are empty (the form
 * takes only those), and a word on whom it found or that it found
 * nobody, which c saves once the call is recorded. */
static cJSON *
caller_fill(const char *key, const cJSON *values, char *msg, size_t n)
{
	const char *phone = form_value(values, "caller_phone");
	cJSON *c = NULL, *fill;
	const cJSON *v;

	if (strcmp(key, "caller_phone") != 0 || !*phone)
		return NULL;
	if (contact_by_phone(console_db(), phone, &c) != 1) {
		snprintf(msg, n, "%s", _("this number is not in the directory; "
				      "after saving, c adds the caller"));
		return NULL;
	}
	fill = cJSON_CreateObject();
	v = cJSON_GetObjectItem(c, "name");
	if (cJSON_IsString(v))
		cJSON_AddStringToObject(fill, "caller_name", v->valuestring);
	v = cJSON_GetObjectItem(c, "unit");
	if (cJSON_IsString(v) && *v->valuestring)
		cJSON_AddStringToObject(fill, "caller_unit", v->valuestring);
	snprintf(msg, n, _("caller found in the directory: %s (%s)"),
		 console_name(c), cJSON_GetObjectItem(c, "id")->valuestring);
	cJSON_Delete(c);
	return fill;
}

static int
submit_intake(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	cJSON *f = typed(values), *fill;
	const cJSON *v;
	char id[64], why[8];
	int rc, known = !*form_value(values, "caller_phone");

	(void)ctx;
	/* Saved straight from the phone's field (^D): the directory fills
	 * the caller in all the same. */
	if (!known && (fill = caller_fill("caller_phone", values, why,
					  sizeof why))) {
		known = 1;
		cJSON_ArrayForEach(v, fill)
			if (!*form_value(values, v->string))
				cJSON_AddStringToObject(f, v->string,
							v->valuestring);
		cJSON_Delete(fill);
	}
	rc = incident_add(console_db(), f, id);
	cJSON_Delete(f);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(just_taken, sizeof just_taken, "%s", id);
	if (known)
		snprintf(msg, n, _("incident %s recorded"), id);
	else
		snprintf(msg, n, _("incident %s recorded; c saves the caller in "
				   "the directory"), id);
	return 0;
}

/* The caller of an incident into the directory: the contact form with
 * the name, phone, unit and town the intake recorded. */
static void
save_caller(const char *id)
{
	static const struct { const char *from, *to; } keep[] = {
		{ "caller_name", "name" }, { "caller_phone", "phones" },
		{ "caller_unit", "unit" }, { "town", "town" },
	};
	cJSON *inc = NULL, *init;
	const cJSON *v;
	size_t i;

	if (incident_get(console_db(), id, &inc) != 1)
		return;
	v = cJSON_GetObjectItem(inc, "caller_phone");
	if (!cJSON_IsString(v) || !*v->valuestring) {
		console_msg(1, _("incident %s has no caller's phone"), id);
		cJSON_Delete(inc);
		return;
	}
	init = cJSON_CreateObject();
	for (i = 0; i < sizeof keep / sizeof keep[0]; i++) {
		v = cJSON_GetObjectItem(inc, keep[i].from);
		if (cJSON_IsString(v))
			cJSON_AddStringToObject(init, keep[i].to, v->valuestring);
	}
	pane_contact_add(init);
	cJSON_Delete(init);
	cJSON_Delete(inc);
}

static int
submit_edit(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *id = form_value(ctx, "id");
	cJSON *f = cJSON_CreateObject();
	const cJSON *v;
	int rc;

	/* Only what the officer changed from the record the form opened
	 * with (its ctx) becomes the update. */
	cJSON_ArrayForEach(v, values) {
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(ctx, v->string);
		char was[64] = "";
		if (cJSON_IsNumber(b))
			snprintf(was, sizeof was, "%.0f", b->valuedouble);
		if (*v->valuestring && strcmp(v->valuestring, cJSON_IsString(b)
					      ? b->valuestring : was) != 0)
			cJSON_AddStringToObject(f, v->string, v->valuestring);
	}
	rc = cJSON_GetArraySize(f) ? incident_update(console_db(), id, f) : 0;
	cJSON_Delete(f);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("incident %s updated"), id);
	return 0;
}

static int
submit_status(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *s = cJSON_GetObjectItem(values, "status")->valuestring;
	const char *id = form_value(ctx, "id");
	int rc = incident_set_status(console_db(), id, s);

	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("incident %s: %s"), id, word(W_INCIDENT_STATUS, s));
	return 0;
}

static int
submit_report(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *type = cJSON_GetObjectItem(values, "type")->valuestring;
	const char *inc = form_value(ctx, "id");
	char id[64];
	const char *when = form_value(values, "at");
	int64_t at = 0;
	int t = strcmp(type, "first") == 0 ? REPORT_FIRST
		: strcmp(type, "followup") == 0 ? REPORT_FOLLOWUP : REPORT_FINAL;
	int rc;

	/* Empty is now; the form has checked the time's form, and core
	 * refuses one before the incident's receipt or ahead of now. */
	if (*when)
		time_parse_local(when, console_now(), &at);
	rc = incident_report(console_db(), inc, t,
			     cJSON_GetObjectItem(values, "channel")->valuestring,
			     cJSON_GetObjectItem(values, "text")->valuestring,
			     at, id);

	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("%s report of %s recorded"),
		 word(W_REPORT_TYPE, type), inc);
	return 0;
}

static const struct form_field sign_form[] = {
	{ N_("Written report"), "report", FT_CHOICE, 1, NULL, 0, NULL },
	{ N_("Signed by"), "signer", FT_CHOICE, 1, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_sign(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *signer = strrchr(form_value(values, "signer"), ' ');
	char report[64], id[64];
	int rc;

	(void)ctx;
	/* The choices are "ID label time" and "name ID": the ids are what
	 * is signed and who signs (two leaders may share a name). */
	snprintf(report, sizeof report, "%s", form_value(values, "report"));
	report[strcspn(report, " ")] = 0;
	rc = report_sign(console_db(), report, signer ? signer + 1 : "", 0, id);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("report %s signed: it counts as sent"), report);
	return 0;
}

/* Sign a written report of incident id: its reports not yet signed (the
 * latest first) and the people who may sign now to choose from. */
void
incident_sign_open(const char *id)
{
	cJSON *inc = NULL, *ctx = cJSON_CreateObject(), *reports, *signers,
	      *who = NULL, *r;

	reports = cJSON_AddArrayToObject(ctx, "report");
	signers = cJSON_AddArrayToObject(ctx, "signer");
	if (incident_get(console_db(), id, &inc) == 1)
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(inc, "reports"))
			if (strcmp(form_value(r, "channel"), "written") == 0 &&
			    !cJSON_IsString(cJSON_GetObjectItem(r, "signed_at"))) {
				char label[48], at[20], c[160];
				int64_t t = 0;
				time_parse_iso(form_value(r, "at"), &t);
				time_format_local(t, at);
				report_label(form_value(r, "type"), (int)cJSON_GetNumberValue(
					cJSON_GetObjectItem(r, "number")), 0, label);
				snprintf(c, sizeof c, "%s %s %.5s", form_value(r, "id"),
					 console_utf8 ? label : form_value(r, "type"),
					 at + 11);
				cJSON_InsertItemInArray(reports, 0,
							cJSON_CreateString(c));
			}
	if (report_signers(console_db(), console_now(), &who) == 0)
		cJSON_ArrayForEach(r, who) {
			char c[160];
			snprintf(c, sizeof c, "%s %s", form_value(r, "name"),
				 form_value(r, "id"));
			cJSON_AddItemToArray(signers, cJSON_CreateString(c));
		}
	cJSON_Delete(who);
	cJSON_Delete(inc);
	if (cJSON_GetArraySize(reports) == 0)
		console_msg(1, _("incident %s has no written report waiting to "
				 "be signed"), id);
	else if (cJSON_GetArraySize(signers) == 0)
		console_msg(1, "%s", _("nobody may sign now: no leader on duty on "
				       "the roster, or no leader in the directory"));
	else {
		/* The latest report and the first who may sign, to start. */
		cJSON *init = cJSON_CreateObject();
		cJSON_AddStringToObject(init, "report",
					cJSON_GetArrayItem(reports, 0)->valuestring);
		cJSON_AddStringToObject(init, "signer",
					cJSON_GetArrayItem(signers, 0)->valuestring);
		form_open(_("Sign a written report (签发)"), sign_form, init,
			  submit_sign, ctx);
		cJSON_Delete(init);
	}
	cJSON_Delete(ctx);
}

/* The sheet of incident id's latest report: always into a file beside
 * the database, and to the printer when there is one. */
void
incident_print_report(const char *id)
{
	const char *enc = getenv("DUTYDESK_PRINT_ENCODING"), *cmd, *file;
	cJSON *inc = NULL, *last = NULL, *r;
	char path[4200], line[8600], rep[64] = "";
	FILE *f;
	int rc, st;

	if (incident_get(console_db(), id, &inc) == 1)
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(inc, "reports"))
			last = r;
	if (last)
		snprintf(rep, sizeof rep, "%s", form_value(last, "id"));
	cJSON_Delete(inc);
	if (!*rep) {
		console_msg(1, _("incident %s has no report yet"), id);
		return;
	}
	snprintf(path, sizeof path, "%s.report-%s.txt", console_dbpath(), rep);
	if (!(f = fopen(path, "w"))) {
		console_msg(1, _("cannot write %s"), path);
		return;
	}
	rc = sheet_report(console_db(), rep, enc && strcmp(enc, "gb18030") == 0,
			  0, f);
	if (fclose(f) != 0 && !rc)
		rc = DD_E_IO;
	if (rc) {
		console_msg(1, "%s", db_why(console_db(), rc));
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
		console_msg(0, _("report sheet sent to the printer; a copy is %s "
				 "beside the database"), file);
	else
		console_msg(1, _("the printer command failed (%s); the sheet is "
				 "%s beside the database"), cmd, file);
}

/* The report form of incident id as it opens: the next report's type
 * (a first, then follow-ups) and its text composed from the record in
 * the language of the forms sent up (Chinese), on the field's one line
 * for the officer to edit. */
static cJSON *
report_init(const char *id)
{
	cJSON *init = cJSON_CreateObject(), *inc = NULL, *r;
	const char *type = "first";
	char *text = NULL, *p, *q;

	if (incident_get(console_db(), id, &inc) == 1)
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(inc, "reports"))
			type = "followup";
	cJSON_Delete(inc);
	cJSON_AddStringToObject(init, "type", type);
	cJSON_AddStringToObject(init, "channel", "phone");
	if (report_compose(console_db(), id, strcmp(type, "first") == 0 ?
			   REPORT_FIRST : REPORT_FOLLOWUP, 0, &text) == 0) {
		/* Its lines end in 。: joined, they read as one paragraph. */
		for (p = q = text; *p; p++)
			if (*p != '\n')
				*q++ = *p;
			else if (q > text && p[1] && (unsigned char)q[-1] < 0x80)
				*q++ = ' ';
		*q = 0;
		cJSON_AddStringToObject(init, "text", text);
	}
	free(text);
	return init;
}

static int
key(struct pane *p, enum req r)
{
	const cJSON *row = view_selected(&p->view);
	cJSON *full = NULL, *init;
	const cJSON *v;

	if (r == REQ_ADD) {
		init = cJSON_CreateObject();
		form_open(_("New incident (接报)"), intake, init, submit_intake, NULL);
		form_on_leave(caller_fill);
		cJSON_Delete(init);
		return 0;
	}
	if (r != REQ_EDIT && r != REQ_STATUS && r != REQ_REPORT &&
	    r != REQ_DISPATCH && r != REQ_ENTER && r != REQ_CALLER &&
	    r != REQ_SIGN && r != REQ_SHEET)
		return -1;
	if (!row) {
		console_msg(1, "%s", _("no incident selected"));
		return 0;
	}
	/* Each form acts on the row selected as it opens (its ctx). */
	switch (r) {
	case REQ_EDIT:
		if (incident_get(console_db(), cJSON_GetObjectItem(row, "id")
				 ->valuestring, &full) != 1)
			return 0;
		/* The form shows what is recorded now, local times. */
		init = cJSON_CreateObject();
		cJSON_ArrayForEach(v, full) {
			char buf[32];
			if (cJSON_IsString(v) && strcmp(v->string, "received_at") == 0) {
				int64_t t;
				time_parse_iso(v->valuestring, &t);
				time_format_local(t, buf);
				cJSON_AddStringToObject(init, v->string, buf);
			} else if (cJSON_IsString(v)) {
				cJSON_AddStringToObject(init, v->string, v->valuestring);
			} else if (cJSON_IsNumber(v)) {
				snprintf(buf, sizeof buf, "%.0f", v->valuedouble);
				cJSON_AddStringToObject(init, v->string, buf);
			}
		}
		cJSON_Delete(full);
		form_open(_("Edit incident"), intake, init, submit_edit, init);
		cJSON_Delete(init);
		return 0;
	case REQ_STATUS:
		form_open(_("Incident status"), status_form, NULL, submit_status, row);
		return 0;
	case REQ_REPORT:
		init = report_init(cJSON_GetObjectItem(row, "id")->valuestring);
		form_open(_("Upward report (首报/续报/终报)"), report_form, init,
			  submit_report, row);
		cJSON_Delete(init);
		return 0;
	case REQ_DISPATCH:
		pane_dispatch(NULL, cJSON_GetObjectItem(row, "id")->valuestring);
		return 0;
	case REQ_CALLER:
		save_caller(cJSON_GetObjectItem(row, "id")->valuestring);
		return 0;
	case REQ_SIGN:
		incident_sign_open(cJSON_GetObjectItem(row, "id")->valuestring);
		return 0;
	case REQ_SHEET:
		incident_print_report(cJSON_GetObjectItem(row, "id")->valuestring);
		return 0;
	default:
		return 0;
	}
}

/* The selected incident in a few lines under the list. */
static void
draw_extra(struct pane *p, WINDOW *win)
{
	const cJSON *row = view_selected(&p->view);
	cJSON *inc = NULL, *r;
	int w = getmaxx(win), y = view_rule(win, p->ops->extra_lines);
	char buf[512];

	if (!row || incident_get(console_db(),
				 cJSON_GetObjectItem(row, "id")->valuestring,
				 &inc) != 1)
		return;
	snprintf(buf, sizeof buf, "%s %s  %s: %s  %s: %s",
		 cJSON_GetObjectItem(inc, "id")->valuestring,
		 cJSON_IsString(cJSON_GetObjectItem(inc, "place"))
		 ? cJSON_GetObjectItem(inc, "place")->valuestring : "",
		 _("caller"), cJSON_IsString(cJSON_GetObjectItem(inc, "caller_name"))
		 ? cJSON_GetObjectItem(inc, "caller_name")->valuestring : "-",
		 _("trend"), cJSON_IsString(cJSON_GetObjectItem(inc, "trend"))
		 ? cJSON_GetObjectItem(inc, "trend")->valuestring : "-");
	wmove(win, y + 1, 0);
	text_put(win, buf, w, 1);
	snprintf(buf, sizeof buf, "%s %.0f  %s %.0f  %s %.0f  %s %.0f  %s %.0f",
		 _("dead"), cJSON_GetObjectItem(inc, "dead")->valuedouble,
		 _("injured"), cJSON_GetObjectItem(inc, "injured")->valuedouble,
		 _("missing"), cJSON_GetObjectItem(inc, "missing")->valuedouble,
		 _("trapped"), cJSON_GetObjectItem(inc, "trapped")->valuedouble,
		 _("evacuated"), cJSON_GetObjectItem(inc, "evacuated")->valuedouble);
	/* The fixed-time follow-up owed next: its column shows only in a
	 * wide window, so it is said here too. */
	if (cJSON_IsString(cJSON_GetObjectItem(inc, "followup_due_at"))) {
		int64_t due = 0;
		char at[20];
		size_t k = strlen(buf);
		time_parse_iso(cJSON_GetObjectItem(inc, "followup_due_at")
			       ->valuestring, &due);
		time_format_local(due, at);
		snprintf(buf + k, sizeof buf - k, "  %s %s%s", _("follow-up by"),
			 at + 11, due < console_now() ? _(" LATE") : "");
	}
	wmove(win, y + 2, 0);
	text_put(win, buf, w, 1);
	wmove(win, y + 3, 0);
	buf[0] = 0;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(inc, "reports")) {
		size_t k = strlen(buf);
		snprintf(buf + k, sizeof buf - k, "%s/%s ",
			 word(W_REPORT_TYPE, cJSON_GetObjectItem(r, "type")
			      ->valuestring),
			 word(W_CHANNEL, cJSON_GetObjectItem(r, "channel")
			      ->valuestring));
	}
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(inc, "dispatches")) {
		size_t k = strlen(buf);
		snprintf(buf + k, sizeof buf - k, "%s:%s ", _("team"),
			 cJSON_GetObjectItem(r, "team")->valuestring);
	}
	text_put(win, buf[0] ? buf : _("no report, no team yet"), w, 1);
	cJSON_Delete(inc);
}

const struct pane_ops pane_incidents = {
	.title = N_("Incidents"), .cols = cols, .find = find, .keys = keymap,
	.load = load, .key = key, .style = style,
	.draw_extra = draw_extra, .extra_lines = 4,
};
