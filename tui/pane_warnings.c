/*
 * pane_warnings.c - warnings issued to towns and their answers (叫应):
 * who has answered, how late, and the answer rate; and on b its other
 * face, the call-back list: the towns silent past their limit (by the
 * warning's colour), the people to call with their phones, the calls
 * made, a form to log the call-back and the town's answer. The pane
 * swaps its ops between the two faces, so its keys, its help and the
 * record page follow the face shown.
 */
#include "tui/console.h"

#include <stdio.h>
#include <string.h>

static const struct column cols[] = {
	{ N_("ID"), "id", 12, COL_ID, 0 },
	{ N_("ISSUED"), "at", 11, COL_TIME, 0 },
	{ N_("HAZARD"), "hazard", 10, COL_HAZARD, 0 },
	{ N_("COLOUR"), "color", 7, 0, W_COLOR },
	{ N_("ANSWERED"), "rate", 9, COL_RIGHT, 0 },
	{ N_("TEXT"), "text", 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const find[] = { "text", "hazard", NULL };

static const struct keymap keymap[] = {
	{ 'a', 0, REQ_ADD, "a" },
	{ 'r', 0, REQ_ANSWER, "r" },
	{ 'b', 0, REQ_CALLBACKS, "b" },
	{ 0, 0, REQ_NONE, NULL }
};

/* While the console shows one town: the warnings that went to it, by
 * the towns of each (town_codes). Both lists come in the order of the
 * warnings' ids: one pass. */
static void
town_codes(cJSON *rows)
{
	cJSON *pairs = NULL, *row, *t;
	char buf[1024];
	size_t len;

	if (state_list(console_db(), LIST_ANSWERS, NULL, &pairs))
		return;
	t = pairs->child;
	cJSON_ArrayForEach(row, rows) {
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(row, "id"));
		buf[0] = 0;
		len = 0;
		for (; id && t; t = t->next) {
			const char *w = cJSON_GetStringValue(cJSON_GetObjectItem(t,
								"warning"));
			const char *town = cJSON_GetStringValue(cJSON_GetObjectItem(t,
								   "town"));
			int c = w ? strcmp(w, id) : -1;
			if (c > 0)
				break;
			if (c == 0 && town && len < sizeof buf)
				len += (size_t)snprintf(buf + len, sizeof buf - len,
							"%s%s", len ? " " : "", town);
		}
		cJSON_AddStringToObject(row, "town_codes", buf);
	}
	cJSON_Delete(pairs);
}

static cJSON *
load(struct pane *p)
{
	cJSON *list = NULL, *row, *out, *tmp;
	int64_t at;
	int n, i;
	char buf[32];

	if (state_list(console_db(), LIST_WARNINGS, NULL, &list)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		return NULL;
	}
	if (console_town_only())
		town_codes(list);
	/* Newest first. */
	out = cJSON_CreateArray();
	n = cJSON_GetArraySize(list);
	for (i = n - 1; i >= 0; i--) {
		row = cJSON_GetArrayItem(list, i);
		snprintf(buf, sizeof buf, "%.0f/%.0f",
			 cJSON_GetObjectItem(row, "answered")->valuedouble,
			 cJSON_GetObjectItem(row, "towns")->valuedouble);
		tmp = cJSON_Duplicate(row, 1);
		cJSON_AddStringToObject(tmp, "rate", buf);
		/* When its towns go silent (the limit of its colour), worked
		 * out here: the rows load again each minute, and drawing one
		 * asks the database nothing. */
		if (time_parse_iso(cJSON_GetStringValue(cJSON_GetObjectItem(row,
							"at")), &at) == 0)
			cJSON_AddNumberToObject(tmp, "silent_from", (double)(at +
				warning_silent_secs(console_db(), cJSON_GetStringValue(
					cJSON_GetObjectItem(row, "color")))));
		cJSON_AddItemToArray(out, tmp);
	}
	cJSON_Delete(list);
	return view_filter(&p->view, p->ops->find, out);
}

static int
style(const cJSON *row, void *ctx)
{
	const cJSON *from = cJSON_GetObjectItem(row, "silent_from");

	(void)ctx;
	if (cJSON_GetObjectItem(row, "answered")->valuedouble <
	    cJSON_GetObjectItem(row, "towns")->valuedouble &&
	    cJSON_IsNumber(from) && console_now() > from->valuedouble)
		return A_BOLD | (has_colors() ? COLOR_PAIR(1) : A_UNDERLINE);
	return 0;
}

static const char *const colors[] = { "blue", "yellow", "orange", "red", NULL };

static const struct form_field issue_form[] = {
	{ N_("Hazard"), "hazard", FT_PICK, 1, NULL, REF_HAZARD, NULL },
	{ N_("Colour"), "color", FT_CHOICE, 1, colors, 0, NULL },
	{ N_("Text"), "text", FT_TEXT, 1, NULL, 0, NULL },
	{ N_("Towns (a,b; empty: all)"), "towns", FT_PICKS, 0, NULL,
	  REF_TOWN, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static const struct form_field answer_form[] = {
	{ N_("Town"), "town", FT_PICK, 1, NULL, REF_TOWN, "id" },
	{ N_("Who answered"), "who", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_issue(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	cJSON *towns = cJSON_CreateArray();
	char list[512], *t, *save = NULL;
	char id[64];
	int rc;

	(void)ctx;
	snprintf(list, sizeof list, "%s", form_value(values, "towns"));
	for (t = strtok_r(list, ",，", &save); t; t = strtok_r(NULL, ",，", &save))
		cJSON_AddItemToArray(towns, cJSON_CreateString(t));
	rc = warning_issue(console_db(), form_value(values, "hazard"),
			   form_value(values, "color"), form_value(values, "text"),
			   towns, id);
	cJSON_Delete(towns);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("warning %s issued"), id);
	return 0;
}

static int
submit_answer(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *warning = form_value(ctx, "id");
	char id[64];
	int rc = warning_answer(console_db(), warning, form_value(values, "town"),
				form_value(values, "who"), id);

	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("%s answered %s"),
		 console_town(form_value(values, "town"), 0), warning);
	return 0;
}

static void face(struct pane *p, const struct pane_ops *ops);

static int
key(struct pane *p, enum req r)
{
	const cJSON *row = view_selected(&p->view);
	cJSON *init;

	if (r == REQ_ADD) {
		init = cJSON_CreateObject();
		cJSON_AddStringToObject(init, "hazard", "typhoon");
		cJSON_AddStringToObject(init, "color", "blue");
		form_open(_("Issue a warning"), issue_form, init, submit_issue, NULL);
		cJSON_Delete(init);
		return 0;
	}
	if (r == REQ_CALLBACKS) {
		face(p, &pane_callbacks);
		return 0;
	}
	if (r != REQ_ANSWER)
		return -1;
	if (!row) {
		console_msg(1, "%s", _("no warning selected"));
		return 0;
	}
	/* The answer is to the warning selected as the form opens. */
	form_open(_("Record an answer (叫应)"), answer_form, NULL, submit_answer,
		  row);
	return 0;
}

/* The answer board of the selected warning: town by town. */
static void
draw_extra(struct pane *p, WINDOW *win)
{
	const cJSON *row = view_selected(&p->view);
	cJSON *f, *list = NULL, *a;
	int h, w, y, x = 0;

	getmaxyx(win, h, w);
	y = view_rule(win, p->ops->extra_lines);
	if (!row)
		return;
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "warning", cJSON_GetObjectItem(row, "id")
				->valuestring);
	if (state_list(console_db(), LIST_ANSWERS, f, &list)) {
		cJSON_Delete(f);
		return;
	}
	cJSON_Delete(f);
	y++;
	cJSON_ArrayForEach(a, list) {
		const cJSON *secs = cJSON_GetObjectItem(a, "answer_secs");
		char buf[32];
		if (cJSON_IsNumber(secs))
			snprintf(buf, sizeof buf, "%3.0fm", secs->valuedouble / 60);
		else
			snprintf(buf, sizeof buf, "%s", _("NONE"));
		if (y >= h)
			break;
		wmove(win, y, x);
		if (!cJSON_IsNumber(secs))
			wattron(win, A_BOLD);
		text_put(win, console_town(cJSON_GetStringValue(
			cJSON_GetObjectItem(a, "town")), 1), 11, 1);
		waddch(win, ' ');
		text_put(win, buf, 7, 1);
		wattroff(win, A_BOLD);
		x += 20;
		if (x + 19 > w) {
			x = 0;
			y++;
		}
	}
	cJSON_Delete(list);
}

const struct pane_ops pane_warnings = {
	.title = N_("Warnings"), .cols = cols, .find = find, .keys = keymap,
	.load = load, .key = key, .style = style,
	.draw_extra = draw_extra, .extra_lines = 6,
};

/* ---- the call-back list ---- */

/* The row each face had selected, to come back to it. */
static char face_sel[2][sizeof ((struct view *)0)->sel_id];

/* Show the other face of pane p: its rows load again, its tab and its
 * keys change with it. */
static void
face(struct pane *p, const struct pane_ops *ops)
{
	int to = ops == &pane_callbacks;

	memcpy(face_sel[!to], p->view.sel_id, sizeof face_sel[!to]);
	memcpy(p->view.sel_id, face_sel[to], sizeof p->view.sel_id);
	p->view.sel = p->view.top = 0;
	p->view.filter[0] = 0;
	p->ops = ops;
	p->dirty = p->redraw = 1;
	if (to)
		console_msg(0, "%s", _("towns to call back: c logs a call, "
				       "r the answer, b the warnings"));
}

static const struct column callback_cols[] = {
	{ N_("WARNING"), "warning", 12, COL_ID, 0 },
	{ N_("TOWN"), "town", 9, COL_TOWN, 0 },
	{ N_("COLOUR"), "color", 7, 0, W_COLOR },
	{ N_("SILENT"), "silent", 7, COL_RIGHT, 0 },
	{ N_("LAST CALL"), "last", 15, 0, 0 },
	{ N_("TO CALL"), "people", 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const callback_find[] = { "warning", "town", "people",
	NULL };

static const struct keymap callback_keymap[] = {
	{ 'c', 0, REQ_CALLBACK, "c" },
	{ 'r', 0, REQ_ANSWER, "r" },
	{ 'b', 0, REQ_WARNINGS, "b/Esc" },
	{ 27, 0, REQ_WARNINGS, NULL },
	{ 0, 0, REQ_NONE, NULL }
};

/* A call as the list says it: its outcome in words and its time. */
static void
call_text(const cJSON *call, char *buf, size_t n)
{
	char at[20] = "";
	int64_t t;
	const char *iso = cJSON_GetStringValue(cJSON_GetObjectItem(call, "at"));

	if (iso && time_parse_iso(iso, &t) == 0)
		time_format_local(t, at);
	/* The hour and minute are enough on the list: "21:05". */
	snprintf(buf, n, "%s %s", word(W_CALL_OUTCOME, cJSON_GetStringValue(
		 cJSON_GetObjectItem(call, "outcome"))), strlen(at) > 11
		 ? at + 11 : at);
}

/* The call with id among calls, NULL when none is. */
static const cJSON *
call_of(const cJSON *calls, const char *id)
{
	const cJSON *c;

	cJSON_ArrayForEach(c, calls)
		if (id && strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(c, "id")),
				 id) == 0)
			return c;
	return NULL;
}

static cJSON *
callback_load(struct pane *p)
{
	cJSON *f = cJSON_CreateObject(), *list = NULL, *calls = NULL, *row;
	char buf[64];

	cJSON_AddNumberToObject(f, "now", (double)console_now());
	if (state_list(console_db(), LIST_CALLBACKS, f, &list) ||
	    state_list(console_db(), LIST_CALLS, NULL, &calls)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		cJSON_Delete(f);
		cJSON_Delete(list);
		return NULL;
	}
	cJSON_Delete(f);
	cJSON_ArrayForEach(row, list) {
		const char *w = cJSON_GetStringValue(cJSON_GetObjectItem(row,
								 "warning"));
		const char *t = cJSON_GetStringValue(cJSON_GetObjectItem(row,
								 "town"));
		const cJSON *c = call_of(calls, cJSON_GetStringValue(
			cJSON_GetObjectItem(row, "last_call")));
		/* A row is a town of a warning: its id says both. */
		snprintf(buf, sizeof buf, "%s %s", w, t);
		cJSON_AddStringToObject(row, "id", buf);
		snprintf(buf, sizeof buf, "%.0fm", cJSON_GetObjectItem(row,
			 "silent_secs")->valuedouble / 60);
		cJSON_AddStringToObject(row, "silent", buf);
		if (c)
			call_text(c, buf, sizeof buf);
		else
			snprintf(buf, sizeof buf, "%s", _("none yet"));
		cJSON_AddStringToObject(row, "last", buf);
		if (!cJSON_IsString(cJSON_GetObjectItem(row, "people")))
			cJSON_ReplaceItemInObject(row, "people", cJSON_CreateString(
				_("(the directory names nobody)")));
	}
	cJSON_Delete(calls);
	return view_filter(&p->view, p->ops->find, list);
}

static int
callback_style(const cJSON *row, void *ctx)
{
	(void)row;
	(void)ctx;
	return A_BOLD;
}

/* The people who answer for the town of row, as the warning named them
 * (LIST_CALLEES, caller frees); NULL on error. */
static cJSON *
people_of(const cJSON *row)
{
	cJSON *f = cJSON_CreateObject(), *list = NULL, *out, *o, *next;
	const char *town = cJSON_GetStringValue(cJSON_GetObjectItem(row, "town"));

	cJSON_AddStringToObject(f, "warning", cJSON_GetStringValue(
		cJSON_GetObjectItem(row, "warning")));
	cJSON_AddNumberToObject(f, "now", (double)console_now());
	if (state_list(console_db(), LIST_CALLEES, f, &list))
		list = NULL;
	cJSON_Delete(f);
	if (!list)
		return NULL;
	out = list;
	for (o = out->child; o; o = next) {
		next = o->next;
		if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(o, "town")),
			   town) != 0 ||
		    !cJSON_IsString(cJSON_GetObjectItem(o, "contact")))
			cJSON_Delete(cJSON_DetachItemViaPointer(out, o));
	}
	return out;
}

static const struct form_field call_form[] = {
	{ N_("Whom"), "to", FT_CHOICE, 1, NULL, 0, NULL },
	{ N_("Outcome"), "outcome", FT_CHOICE, 1, call_outcomes, 0, NULL },
	{ N_("Note"), "note", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

/* A town the directory named nobody for: a number or a name typed. */
static const struct form_field call_form_typed[] = {
	{ N_("Whom (name or number)"), "to", FT_TEXT, 1, NULL, 0, NULL },
	{ N_("Outcome"), "outcome", FT_CHOICE, 1, call_outcomes, 0, NULL },
	{ N_("Note"), "note", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

/* ctx: the warning, and the people to choose from ("to", names) with
 * their contacts ("ids", in the same order). */
static int
submit_call(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *to = form_value(values, "to");
	const cJSON *names = cJSON_GetObjectItem(ctx, "to"), *nm;
	cJSON *f = cJSON_CreateObject();
	char id[64];
	int rc, i = 0;

	/* A name chosen is called as the contact the warning named. */
	cJSON_ArrayForEach(nm, names) {
		if (strcmp(nm->valuestring, to) == 0) {
			to = cJSON_GetStringValue(cJSON_GetArrayItem(
				cJSON_GetObjectItem(ctx, "ids"), i));
			break;
		}
		i++;
	}
	cJSON_AddStringToObject(f, "outcome", form_value(values, "outcome"));
	cJSON_AddStringToObject(f, "warning", form_value(ctx, "warning"));
	if (*form_value(values, "note"))
		cJSON_AddStringToObject(f, "note", form_value(values, "note"));
	rc = call_log(console_db(), to, f, id);
	cJSON_Delete(f);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("call %s to %s logged: r records the answer"), id,
		 form_value(values, "to"));
	return 0;
}

static void
open_call(const cJSON *row)
{
	cJSON *people = people_of(row), *ctx = cJSON_CreateObject(), *o;
	cJSON *names, *ids, *init = cJSON_CreateObject();
	char title[160];

	cJSON_AddStringToObject(ctx, "warning", cJSON_GetStringValue(
		cJSON_GetObjectItem(row, "warning")));
	names = cJSON_AddArrayToObject(ctx, "to");
	ids = cJSON_AddArrayToObject(ctx, "ids");
	cJSON_ArrayForEach(o, people) {
		cJSON_AddItemToArray(names, cJSON_Duplicate(cJSON_GetObjectItem(o,
							    "name"), 1));
		cJSON_AddItemToArray(ids, cJSON_Duplicate(cJSON_GetObjectItem(o,
							  "contact"), 1));
	}
	if (cJSON_GetArraySize(names) > 0)
		cJSON_AddStringToObject(init, "to", cJSON_GetArrayItem(names, 0)
					->valuestring);
	cJSON_AddStringToObject(init, "outcome", "answered");
	snprintf(title, sizeof title, _("Call back %s"), console_town(
		 cJSON_GetStringValue(cJSON_GetObjectItem(row, "town")), 1));
	form_open(title, cJSON_GetArraySize(names) > 0 ? call_form
		  : call_form_typed, init, submit_call, ctx);
	cJSON_Delete(init);
	cJSON_Delete(ctx);
	cJSON_Delete(people);
}

static int
callback_key(struct pane *p, enum req r)
{
	const cJSON *row = view_selected(&p->view);
	cJSON *init, *ctx;

	if (r == REQ_WARNINGS) {
		face(p, &pane_warnings);
		return 0;
	}
	if (r != REQ_CALLBACK && r != REQ_ANSWER)
		return -1;
	if (!row) {
		console_msg(1, "%s", _("no town to call back"));
		return 0;
	}
	if (r == REQ_CALLBACK) {
		open_call(row);
		return 0;
	}
	/* The answer of the town selected, to its warning. */
	init = cJSON_CreateObject();
	ctx = cJSON_CreateObject();
	cJSON_AddStringToObject(init, "town", cJSON_GetStringValue(
		cJSON_GetObjectItem(row, "town")));
	cJSON_AddStringToObject(ctx, "id", cJSON_GetStringValue(
		cJSON_GetObjectItem(row, "warning")));
	form_open(_("Record an answer (叫应)"), answer_form, init, submit_answer,
		  ctx);
	cJSON_Delete(init);
	cJSON_Delete(ctx);
	return 0;
}

/* Under the list: the people of the selected town with their phones,
 * and the last call made to each about the warning. */
static void
callback_extra(struct pane *p, WINDOW *win)
{
	const cJSON *row = view_selected(&p->view);
	cJSON *people, *f, *calls = NULL, *o, *c;
	char buf[64];
	int h, w, y;

	getmaxyx(win, h, w);
	y = view_rule(win, p->ops->extra_lines);
	if (!row || !(people = people_of(row)))
		return;
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "warning", cJSON_GetStringValue(
		cJSON_GetObjectItem(row, "warning")));
	if (state_list(console_db(), LIST_CALLS, f, &calls))
		calls = NULL;
	cJSON_Delete(f);
	if (!people->child && y + 1 < h) {
		wmove(win, y + 1, 0);
		text_put(win, _("(the directory names nobody)"), w, 1);
	}
	cJSON_ArrayForEach(o, people) {
		const char *contact = cJSON_GetStringValue(cJSON_GetObjectItem(o,
								       "contact"));
		const cJSON *last = NULL;
		if (++y >= h)
			break;
		cJSON_ArrayForEach(c, calls)
			if (strcmp(contact, cJSON_GetStringValue(cJSON_GetObjectItem(
				   c, "contact")) ? cJSON_GetStringValue(
				   cJSON_GetObjectItem(c, "contact")) : "") == 0)
				last = c;
		/* Name, the last call, then every phone whole in what is
		 * left: a number cut short cannot be dialled. */
		wmove(win, y, 0);
		text_put(win, cJSON_GetStringValue(cJSON_GetObjectItem(o, "name")),
			 12, 1);
		waddch(win, ' ');
		if (last)
			call_text(last, buf, sizeof buf);
		else
			snprintf(buf, sizeof buf, "%s", _("not called back yet"));
		text_put(win, buf, 20, 1);
		waddch(win, ' ');
		text_put(win, cJSON_GetStringValue(cJSON_GetObjectItem(o, "phone")),
			 w - 34 > 0 ? w - 34 : 0, 0);
	}
	cJSON_Delete(calls);
	cJSON_Delete(people);
}

const struct pane_ops pane_callbacks = {
	.title = N_("Call back"), .cols = callback_cols, .find = callback_find,
	.keys = callback_keymap, .load = callback_load, .key = callback_key,
	.style = callback_style, .draw_extra = callback_extra, .extra_lines = 5,
};
