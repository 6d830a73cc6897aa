/*
 * pane_response.c - emergency response levels per hazard: the level in
 * force, who signed it and when, start / raise / lower / end, the
 * decision history and the checklist of the level in force.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decisions of the selected hazard shown above its checklist. */
#define HISTORY 3

static const struct column cols[] = {
	{ N_("HAZARD"), "hazard", 15, 0, 0 },
	{ N_("NAME"), "name", 17, COL_NAME, 0 },
	{ N_("LEVEL"), "level_name", 6, 0, 0 },
	{ N_("SINCE"), "at", 11, COL_TIME, 0 },
	{ N_("SIGNED BY"), "signed_by", 14, 0, 0 },
	{ N_("STATE"), "state", 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

/* What the officer reads in a row (the name as shown, the state in the
 * officer's language), the hazard's code, and its English name. */
static const char *const find[] = { "hazard", "name", "name_en",
	"level_name", "signed_by", "state", NULL };

static const struct keymap keymap[] = {
	{ 's', 0, REQ_START, "s" },
	{ '+', 0, REQ_RAISE, "+/u" },
	{ 'u', 0, REQ_RAISE, NULL },
	{ '-', 0, REQ_LOWER, "-/l" },
	{ 'l', 0, REQ_LOWER, NULL },
	{ 'e', 0, REQ_END, "e" },
	{ ' ', 0, REQ_TICK, "Space/t" },
	{ 't', 0, REQ_TICK, NULL },
	{ 0, 0, REQ_NONE, NULL }
};

static cJSON *
load(struct pane *p)
{
	cJSON *hz = NULL, *resp = NULL, *h, *r;

	if (hazards_load(&hz) ||
	    state_list(console_db(), LIST_RESPONSES, NULL, &resp)) {
		cJSON_Delete(hz);
		console_msg(1, "%s", _("cannot read hazards or responses"));
		return NULL;
	}
	cJSON_ArrayForEach(h, hz) {
		const char *name = cJSON_GetObjectItem(h, "hazard")->valuestring;
		int level = 0, conflict = 0;
		cJSON_AddStringToObject(h, "id", name);
		/* In an ASCII terminal the English name stands for pinyin. */
		cJSON_AddStringToObject(h, "pinyin",
			cJSON_GetObjectItem(h, "name_en")->valuestring);
		cJSON_ArrayForEach(r, resp) {
			if (strcmp(cJSON_GetObjectItem(r, "hazard")->valuestring,
				   name) != 0)
				continue;
			level = (int)cJSON_GetObjectItem(r, "level")->valuedouble;
			conflict = cJSON_IsTrue(cJSON_GetObjectItem(r, "conflict"));
			if (level > 0) {
				cJSON_AddItemToObject(h, "at", cJSON_Duplicate(
					cJSON_GetObjectItem(r, "at"), 1));
				cJSON_AddItemToObject(h, "signed_by", cJSON_Duplicate(
					cJSON_GetObjectItem(r, "signed_by"), 1));
			}
		}
		cJSON_AddNumberToObject(h, "level", level);
		cJSON_AddStringToObject(h, "level_name", level ? level_name(level)
					: "-");
		cJSON_AddStringToObject(h, "state", conflict
			? _("CONFLICT: confirm a level (:response confirm)")
			: level ? _("in force") : "");
		cJSON_AddBoolToObject(h, "conflict", conflict);
	}
	cJSON_Delete(resp);
	return view_filter(&p->view, p->ops->find, hz);
}

static int
style(const cJSON *row, void *ctx)
{
	(void)ctx;
	if (cJSON_IsTrue(cJSON_GetObjectItem(row, "conflict")))
		return A_BOLD | (has_colors() ? COLOR_PAIR(1) : A_UNDERLINE);
	if (cJSON_GetObjectItem(row, "level")->valuedouble > 0)
		return A_BOLD;
	return 0;
}

static const char *const levels[] = { "IV", "III", "II", "I", NULL };

static const struct form_field decide_form[] = {
	{ N_("Level"), "level", FT_CHOICE, 1, levels, 0, NULL },
	{ N_("Signed by"), "signed_by", FT_TEXT, 1, NULL, 0, NULL },
	{ N_("Note"), "note", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static const struct form_field end_form[] = {
	{ N_("Signed by"), "signed_by", FT_TEXT, 1, NULL, 0, NULL },
	{ N_("Note"), "note", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

/* The items are those of the checklist in force, in the form's ctx. */
static const struct form_field tick_form[] = {
	{ N_("Item"), "item", FT_PICK, 1, NULL, REF_ITEM, "hazard" },
	{ N_("Done? yes/no"), "done", FT_CHOICE, 1, (const char *const[]){ "yes",
	  "no", NULL }, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_decide(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *lv = form_value(values, "level");
	const char *hazard = form_value(ctx, "hazard");
	int action = (int)cJSON_GetObjectItem(ctx, "action")->valuedouble;
	char id[64];
	int rc;

	rc = response_decide(console_db(), hazard, action,
			     action == RESP_END ? 0 : level_parse(lv),
			     form_value(values, "signed_by"),
			     form_value(values, "note"), id);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("%s: %s %s (%s)"), hazard,
		 _(response_action_name(action)), action == RESP_END ? "" : lv, id);
	return 0;
}

static int
submit_tick(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *item = form_value(values, "item");
	int done = strcmp(form_value(values, "done"), "yes") == 0;
	int rc = response_check(console_db(), form_value(ctx, "hazard"), item,
				done);

	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, done ? _("%s ticked") : _("%s unticked"), item);
	return 0;
}

static int
key(struct pane *p, enum req r)
{
	const cJSON *row = view_selected(&p->view);
	const char *hazard;
	struct response_state rs;
	cJSON *init, *ctx, *list = NULL, *items, *it;
	int action;

	if (!row)
		return r == REQ_START || r == REQ_RAISE || r == REQ_LOWER ||
		       r == REQ_END || r == REQ_TICK ? 0 : -1;
	hazard = cJSON_GetObjectItem(row, "hazard")->valuestring;
	init = cJSON_CreateObject();
	cJSON_AddStringToObject(init, "signed_by", db_officer(console_db()));
	/* What the submit needs: the hazard, and the decision or the items. */
	ctx = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx, "hazard", hazard);
	response_get(console_db(), hazard, &rs);
	switch (r) {
	case REQ_START:
	case REQ_RAISE:
	case REQ_LOWER:
		action = r == REQ_START ? RESP_START : r == REQ_RAISE ? RESP_RAISE
			 : RESP_LOWER;
		if (rs.conflict)
			action = RESP_CONFIRM;
		cJSON_AddNumberToObject(ctx, "action", action);
		cJSON_AddStringToObject(init, "level", level_name(
			r == REQ_START || rs.level == 0 ? 4 : r == REQ_RAISE
			? (rs.level > 1 ? rs.level - 1 : 1)
			: (rs.level < 4 ? rs.level + 1 : 4)));
		form_open(_(action == RESP_START ? N_("Start a response (启动)")
			    : action == RESP_RAISE ? N_("Raise the level (提升)")
			    : action == RESP_LOWER ? N_("Lower the level (降低)")
			    : N_("Confirm a level")), decide_form, init,
			  submit_decide, ctx);
		break;
	case REQ_END:
		cJSON_AddNumberToObject(ctx, "action", RESP_END);
		form_open(_("End the response (解除)"), end_form, init,
			  submit_decide, ctx);
		break;
	case REQ_TICK:
	case REQ_ENTER:
		if (rs.level == 0) {
			console_msg(1, "%s", _("no response in force for this hazard"));
			break;
		}
		items = cJSON_AddArrayToObject(ctx, "item");
		if (checklist_load(hazard, rs.level, &list) == 0)
			cJSON_ArrayForEach(it, list)
				cJSON_AddItemToArray(items, cJSON_Duplicate(
					cJSON_GetObjectItem(it, "code"), 1));
		cJSON_Delete(list);
		if (!cJSON_GetArraySize(items))
			break;
		cJSON_AddItemToObject(init, "item", cJSON_Duplicate(
			cJSON_GetArrayItem(items, 0), 1));
		cJSON_AddStringToObject(init, "done", "yes");
		form_open(_("Checklist item"), tick_form, init, submit_tick, ctx);
		break;
	default:
		cJSON_Delete(init);
		cJSON_Delete(ctx);
		return -1;
	}
	cJSON_Delete(init);
	cJSON_Delete(ctx);
	return 0;
}

/* The checklist of the selected hazard's level, with its ticks. */
static void
draw_extra(struct pane *p, WINDOW *win)
{
	const cJSON *row = view_selected(&p->view);
	struct response_state rs;
	cJSON *list = NULL, *f, *it, *ticks = NULL, *t;
	int h, w, y;

	getmaxyx(win, h, w);
	y = view_rule(win, p->ops->extra_lines);
	if (!row)
		return;
	/* The last decisions first: who decided what, and when. */
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "hazard", cJSON_GetObjectItem(row, "hazard")
				->valuestring);
	if (state_list(console_db(), LIST_DECISIONS, f, &list) == 0) {
		int n = cJSON_GetArraySize(list), k;
		for (k = n > HISTORY ? n - HISTORY : 0; k < n; k++) {
			const cJSON *d = cJSON_GetArrayItem(list, k);
			char buf[300], at[20];
			int64_t when = 0;
			time_parse_iso(cJSON_GetObjectItem(d, "at")->valuestring, &when);
			time_format_local(when, at);
			snprintf(buf, sizeof buf, "%s  %-8s %-4s %s %s  (%s)", at,
				 cJSON_GetObjectItem(d, "action")->valuestring,
				 level_name((int)cJSON_GetObjectItem(d, "level")
					    ->valuedouble), _("signed by"),
				 cJSON_IsString(cJSON_GetObjectItem(d, "signed_by"))
				 ? cJSON_GetObjectItem(d, "signed_by")->valuestring : "",
				 cJSON_GetObjectItem(d, "id")->valuestring);
			wmove(win, ++y, 0);
			text_put(win, buf, w, 1);
		}
	}
	cJSON_Delete(f);
	cJSON_Delete(list);
	list = NULL;
	if (response_get(console_db(), cJSON_GetObjectItem(row, "hazard")
			 ->valuestring, &rs) != 1 || rs.level == 0) {
		wmove(win, ++y, 0);
		text_put(win, _("no response in force: s starts one"), w, 1);
		return;
	}
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "episode", rs.episode);
	if (checklist_load(rs.hazard, rs.level, &list) ||
	    state_list(console_db(), LIST_TICKS, f, &ticks)) {
		cJSON_Delete(f);
		cJSON_Delete(list);
		return;
	}
	cJSON_Delete(f);
	y++;
	cJSON_ArrayForEach(it, list) {
		char buf[400];
		int done = 0;
		if (y >= h)
			break;
		cJSON_ArrayForEach(t, ticks)
			if (strcmp(cJSON_GetObjectItem(t, "item")->valuestring,
				   cJSON_GetObjectItem(it, "code")->valuestring) == 0)
				done = cJSON_GetObjectItem(t, "checked")->valuedouble != 0;
		snprintf(buf, sizeof buf, "[%c] %-4s %-12s %s", done ? 'x' : ' ',
			 cJSON_GetObjectItem(it, "level")->valuestring,
			 cJSON_GetObjectItem(it, "code")->valuestring,
			 cJSON_GetObjectItem(it, console_utf8 ? "text" : "text_en")
			 ->valuestring);
		wmove(win, y++, 0);
		text_put(win, buf, w, 1);
	}
	cJSON_Delete(list);
	cJSON_Delete(ticks);
}

const struct pane_ops pane_response = {
	.title = N_("Response"), .cols = cols, .find = find, .keys = keymap,
	.load = load, .key = key, .style = style,
	.draw_extra = draw_extra, .extra_lines = 12,
};
