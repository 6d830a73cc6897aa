/*
 * pane_warnings.c - warnings issued to towns and their answers (叫应):
 * who has answered, how late, and the answer rate.
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
	{ 0, 0, REQ_NONE, NULL }
};

static cJSON *
load(struct pane *p)
{
	cJSON *list = NULL, *row, *out, *tmp;
	int n, i;
	char buf[32];

	if (state_list(console_db(), LIST_WARNINGS, NULL, &list)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		return NULL;
	}
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
		cJSON_AddItemToArray(out, tmp);
	}
	cJSON_Delete(list);
	return view_filter(&p->view, p->ops->find, out);
}

static int
style(const cJSON *row, void *ctx)
{
	int64_t at;

	(void)ctx;
	if (cJSON_GetObjectItem(row, "answered")->valuedouble <
	    cJSON_GetObjectItem(row, "towns")->valuedouble &&
	    time_parse_iso(cJSON_GetObjectItem(row, "at")->valuestring, &at) == 0 &&
	    console_now() - at > warning_silent_secs(console_db(),
		    cJSON_GetStringValue(cJSON_GetObjectItem(row, "color"))))
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
