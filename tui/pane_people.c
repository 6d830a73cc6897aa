/*
 * pane_people.c - the people on duty, in one pane that shows one of
 * three lists, v going from one to the next: the directory (通讯录:
 * name, role in words, town, phone, unit), this station's duty roster
 * (排班: date, start, hours, leader on duty, officers) and the call log
 * (newest first: when, which way, who, the number, the outcome, the
 * incident or warning it was about). Each list is a pane table of its
 * own; the pane takes the next one's table. A person or a shift is
 * added and a call logged through the shared form; Enter shows a
 * person's page (record.c).
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string member of o, "" when it is not one. */
static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* ---- the directory ---- */

static const struct column dir_cols[] = {
	{ N_("ID"), "id", 11, COL_ID, 0 },
	{ N_("FULL NAME"), "name", 14, COL_NAME, 0 },
	/* "town duty officer", whole */
	{ N_("ROLE"), "role", 17, 0, W_CONTACT_ROLE },
	{ N_("TOWN"), "town", 11, COL_TOWN, 0 },
	{ N_("TELEPHONE"), "phone", 13, COL_ID, 0 },
	{ N_("UNIT"), "unit", 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const dir_find[] = { "id", "name", "pinyin", "phones",
	"unit", "role", "town", NULL };

/* Keys of the three lists: v goes on to the next, a adds a person (a
 * shift in the roster), l logs a call (to the person selected, or again
 * to the one called). */
static const struct keymap keymap[] = {
	{ 'v', 0, REQ_VIEW, "v" },
	{ 'a', 0, REQ_ADD, "a" },
	{ KEY_IC, 1, REQ_ADD, NULL },
	{ 'l', 0, REQ_CALL, "l" },
	{ 0, 0, REQ_NONE, NULL }
};

static cJSON *
dir_load(struct pane *p)
{
	cJSON *list = NULL, *row;
	char phone[64];

	if (state_list(console_db(), LIST_CONTACTS, NULL, &list)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		return NULL;
	}
	/* The first phone in the list, whole; the page shows them all. */
	cJSON_ArrayForEach(row, list) {
		snprintf(phone, sizeof phone, "%s", str(row, "phones"));
		phone[strcspn(phone, ";")] = 0;
		cJSON_AddStringToObject(row, "phone", phone);
	}
	return view_filter(&p->view, p->ops->find, list);
}

/* ---- the roster ---- */

static const struct column roster_cols[] = {
	{ N_("ID"), "id", 11, COL_ID, 0 },
	{ N_("DATE"), "date", 10, 0, 0 },
	{ N_("START"), "start", 5, 0, 0 },
	{ N_("HOURS"), "hours", 5, COL_RIGHT, 0 },
	{ N_("LEADER"), "leader_name", 15, 0, 0 },
	{ N_("OFFICERS"), "officers", 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const roster_find[] = { "id", "date", "leader_name",
	"officers", NULL };

static cJSON *
roster_load(struct pane *p)
{
	cJSON *list = NULL, *f = cJSON_CreateObject(), *row;
	struct station_info si;
	int64_t t;
	char at[20], buf[256];

	/* This station's roster: the one its status line reads. */
	if (station_identity(console_db(), &si) == 0)
		cJSON_AddStringToObject(f, "station", si.station);
	if (state_list(console_db(), LIST_ROSTER, f, &list)) {
		cJSON_Delete(f);
		console_msg(1, "%s", db_errmsg(console_db()));
		return NULL;
	}
	cJSON_Delete(f);
	cJSON_ArrayForEach(row, list) {
		at[0] = 0;
		if (time_parse_iso(str(row, "start_at"), &t) == 0)
			time_format_local(t, at);
		cJSON_AddStringToObject(row, "start", at[0] ? at + 11 : "");
		snprintf(buf, sizeof buf, "%s%s%s", str(row, "officer1_name"),
			 *str(row, "officer2_name") ? _(", ") : "",
			 str(row, "officer2_name"));
		cJSON_AddStringToObject(row, "officers", buf);
	}
	return view_filter(&p->view, p->ops->find, list);
}

/* The shift on duty now stands out. */
static int
roster_style(const cJSON *row, void *ctx)
{
	int64_t s, e, now = console_now();

	(void)ctx;
	if (time_parse_iso(str(row, "start_at"), &s) == 0 &&
	    time_parse_iso(str(row, "end_at"), &e) == 0 && s <= now && now < e)
		return A_BOLD;
	return 0;
}

/* ---- the call log ---- */

static const struct column call_cols[] = {
	{ N_("WHEN"), "at", 11, COL_TIME, 0 },
	{ N_("WAY"), "way", 8, 0, 0 },
	{ N_("WHO"), "name", 15, COL_NAME, 0 },
	{ N_("NUMBER"), "number", 13, COL_ID, 0 },
	{ N_("OUTCOME"), "outcome", 14, 0, W_CALL_OUTCOME },
	{ N_("ABOUT"), "about", 0, COL_ID, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const call_find[] = { "name", "number", "outcome",
	"about", "note", "town", NULL };

static cJSON *
call_load(struct pane *p)
{
	cJSON *list = NULL, *out, *row;
	int i;

	if (state_list(console_db(), LIST_CALLS, NULL, &list)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		return NULL;
	}
	/* Newest first, as the duty log. */
	out = cJSON_CreateArray();
	for (i = cJSON_GetArraySize(list) - 1; i >= 0; i--) {
		const cJSON *in;
		row = cJSON_Duplicate(cJSON_GetArrayItem(list, i), 1);
		in = cJSON_GetObjectItemCaseSensitive(row, "incoming");
		cJSON_AddStringToObject(row, "way", (cJSON_IsNumber(in) &&
			in->valuedouble) || cJSON_IsTrue(in) ? _("incoming")
			: _("outgoing"));
		cJSON_AddStringToObject(row, "about", *str(row, "incident")
					? str(row, "incident")
					: str(row, "warning"));
		cJSON_AddItemToArray(out, row);
	}
	cJSON_Delete(list);
	return view_filter(&p->view, p->ops->find, out);
}

/* ---- forms ---- */

static const struct form_field contact_form[] = {
	{ N_("Full name"), "name", FT_TEXT, 1, NULL, 0, NULL },
	{ N_("Phones (; between)"), "phones", FT_TEXT, 1, NULL, 0, NULL },
	{ N_("Unit"), "unit", FT_TEXT, 0, NULL, 0, NULL },
	{ N_("Role"), "role", FT_CHOICE, 1, contact_roles, 0, NULL },
	{ N_("Town"), "town", FT_PICK, 0, NULL, REF_TOWN, NULL },
	{ N_("Answers for"), "for", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_contact(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	cJSON *f = cJSON_CreateObject();
	const cJSON *v;
	char id[64];
	int rc;

	(void)ctx;
	/* Only what was typed: an empty field is not a value. */
	cJSON_ArrayForEach(v, values)
		if (cJSON_IsString(v) && *v->valuestring)
			cJSON_AddStringToObject(f, v->string, v->valuestring);
	rc = contact_add(console_db(), f, id);
	cJSON_Delete(f);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("%s is in the directory (%s)"),
		 form_value(values, "name"), id);
	return 0;
}

void
pane_contact_add(const cJSON *initial)
{
	form_open(_("New contact (通讯录)"), contact_form, initial,
		  submit_contact, NULL);
}

/* A shift on the roster: people as the directory names them (a name
 * or an id), one or two officers. */
static const struct form_field shift_form[] = {
	{ N_("Date (YYYY-MM-DD)"), "date", FT_TEXT, 1, NULL, 0, NULL },
	{ N_("Start (empty: as set)"), "start", FT_TEXT, 0, NULL, 0, NULL },
	{ N_("Hours (empty: as set)"), "hours", FT_INT, 0, NULL, 0, NULL },
	{ N_("Leader on duty"), "leader", FT_TEXT, 1, NULL, 0, NULL },
	{ N_("Duty officer"), "officer1", FT_TEXT, 1, NULL, 0, NULL },
	{ N_("Second officer"), "officer2", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_shift(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *o2 = form_value(values, "officer2");
	char id[64];
	int rc;

	(void)ctx;
	rc = roster_add(console_db(), form_value(values, "date"),
			form_value(values, "start"),
			atoi(form_value(values, "hours")),
			form_value(values, "leader"),
			form_value(values, "officer1"), *o2 ? o2 : NULL, id);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("shift %s is on the roster"), id);
	return 0;
}

/* The shift form, on today's date at the station. */
static void
open_shift(void)
{
	cJSON *init = cJSON_CreateObject();
	char today[20];

	time_format_local(console_now(), today);
	today[10] = 0;
	cJSON_AddStringToObject(init, "date", today);
	form_open(_("New shift (排班)"), shift_form, init, submit_shift, NULL);
	cJSON_Delete(init);
}

/* Which way a call went: words known when the form opens, kept in its
 * ctx (the form offers the strings under the field's key). */
static const struct form_field call_form[] = {
	{ N_("To or from"), "to", FT_TEXT, 1, NULL, 0, NULL },
	{ N_("Outcome"), "outcome", FT_CHOICE, 1, call_outcomes, 0, NULL },
	{ N_("Way"), "way", FT_CHOICE, 1, NULL, 0, NULL },
	{ N_("Incident"), "incident", FT_PICK, 0, NULL, REF_INCIDENT, NULL },
	{ N_("Warning"), "warning", FT_TEXT, 0, NULL, 0, NULL },
	{ N_("Note"), "note", FT_TEXT, 0, NULL, 0, NULL },
	{ N_("At (empty: now)"), "at", FT_TIME, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_call(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	cJSON *f = cJSON_CreateObject();
	const char *when = form_value(values, "at");
	char id[64], iso[21];
	int64_t at;
	int rc;

	(void)ctx;
	cJSON_AddStringToObject(f, "outcome", form_value(values, "outcome"));
	if (strcmp(form_value(values, "way"), _("incoming")) == 0)
		cJSON_AddBoolToObject(f, "incoming", 1);
	if (*form_value(values, "incident"))
		cJSON_AddStringToObject(f, "incident", form_value(values,
								  "incident"));
	if (*form_value(values, "warning"))
		cJSON_AddStringToObject(f, "warning", form_value(values,
								 "warning"));
	if (*form_value(values, "note"))
		cJSON_AddStringToObject(f, "note", form_value(values, "note"));
	/* The form has checked the time's form; core takes it in UTC. */
	if (*when && time_parse_local(when, console_now(), &at) == 0) {
		time_format_iso(at, iso);
		cJSON_AddStringToObject(f, "at", iso);
	}
	rc = call_log(console_db(), form_value(values, "to"), f, id);
	cJSON_Delete(f);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("call to %s logged (%s)"), form_value(values, "to"),
		 id);
	return 0;
}

/* The call form, to the person (or number) of the row selected: a
 * person in the directory, the one a call was with (about the same
 * incident or warning: a call back), nobody on the roster. */
static void
open_call(struct pane *p, const cJSON *row)
{
	cJSON *init = cJSON_CreateObject(), *ctx = cJSON_CreateObject();
	cJSON *ways = cJSON_AddArrayToObject(ctx, "way");

	cJSON_AddItemToArray(ways, cJSON_CreateString(_("outgoing")));
	cJSON_AddItemToArray(ways, cJSON_CreateString(_("incoming")));
	cJSON_AddStringToObject(init, "outcome", "answered");
	cJSON_AddStringToObject(init, "way", _("outgoing"));
	if (row && p->ops == &pane_directory) {
		cJSON_AddStringToObject(init, "to", str(row, "id"));
	} else if (row && p->ops == &pane_calls) {
		cJSON_AddStringToObject(init, "to", *str(row, "contact")
					? str(row, "contact")
					: str(row, "number"));
		cJSON_AddStringToObject(init, "incident", str(row, "incident"));
		cJSON_AddStringToObject(init, "warning", str(row, "warning"));
	}
	form_open(_("Log a call (通话记录)"), call_form, init, submit_call,
		  ctx);
	cJSON_Delete(init);
	cJSON_Delete(ctx);
}

/* The next list in the same pane: its table, a fresh selection and no
 * filter (a filter of one list means nothing in another). */
static void
next_list(struct pane *p)
{
	p->ops = p->ops == &pane_directory ? &pane_roster
		 : p->ops == &pane_roster ? &pane_calls : &pane_directory;
	cJSON_Delete(p->view.rows);
	memset(&p->view, 0, sizeof p->view);
	p->dirty = 1;
	p->redraw = 1;
}

static int
key(struct pane *p, enum req r)
{
	switch (r) {
	case REQ_VIEW:
		next_list(p);
		return 0;
	case REQ_ADD:
		if (p->ops == &pane_roster)
			open_shift();
		else
			pane_contact_add(NULL);
		return 0;
	case REQ_CALL:
		open_call(p, view_selected(&p->view));
		return 0;
	default:
		return -1;
	}
}

const struct pane_ops pane_directory = {
	.title = N_("Persons"), .cols = dir_cols, .find = dir_find,
	.keys = keymap, .load = dir_load, .key = key,
};

const struct pane_ops pane_roster = {
	.title = N_("Roster"), .cols = roster_cols, .find = roster_find,
	.keys = keymap, .load = roster_load, .key = key, .style = roster_style,
};

const struct pane_ops pane_calls = {
	.title = N_("Calls"), .cols = call_cols, .find = call_find,
	.keys = keymap, .load = call_load, .key = key,
};
