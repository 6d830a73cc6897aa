/*
 * pane_response.c - emergency response levels per hazard: the level in
 * force with its checklist's progress, who signed it and when, start /
 * raise / lower / end, the decision history, and the checklist of the
 * level in force, worked with a cursor of its own: c or Enter takes the
 * keys into it, Space ticks the item under the cursor, Esc gives the
 * keys back to the levels list.
 */
#include "tui/console.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

/* Decisions of the selected hazard shown above its checklist. */
#define HISTORY 2

/*
 * The checklist's cursor. The console has one response pane, so this is
 * its own state: whether the keys move the checklist's cursor (focus)
 * or the levels list, the hazard the cursor is on the checklist of, the
 * item under it (by code, so it stays on its item when ticks arrive or
 * the level changes) and its index, the first item shown, and how many
 * items the last draw showed whole (a page, for PgUp and PgDn).
 */
static struct {
	int focus;
	char hazard[32];
	char code[64];
	int sel, top, page;
} chk;

static const struct column cols[] = {
	{ N_("HAZARD"), "hazard", 15, 0, 0 },
	{ N_("NAME"), "name", 17, COL_NAME, 0 },
	{ N_("LEVEL"), "level_name", 9, 0, 0 },
	{ N_("SINCE"), "at", 11, COL_TIME, 0 },
	{ N_("SIGNED BY"), "signed_by", 12, 0, 0 },
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
	{ 'c', 0, REQ_CHECKLIST, "c/Enter" },
	{ ' ', 0, REQ_TICK, "Space/t" },
	{ 't', 0, REQ_TICK, NULL },
	{ 27, 0, REQ_BACK, "Esc/Left" },
	{ KEY_LEFT, 1, REQ_BACK, NULL },
	{ 0, 0, REQ_NONE, NULL }
};

/* A level as the row and the checklist's heading show it: with the
 * items ticked of its checklist, "III 3/16". */
static const char *
level_text(const char *hazard, int level, char *buf, size_t n)
{
	int done = 0, total = 0;

	if (level == 0)
		return "-";
	if (response_progress(console_db(), hazard, &done, &total) || !total)
		snprintf(buf, n, "%s", level_name(level));
	else
		snprintf(buf, n, "%s %d/%d", level_name(level), done, total);
	return buf;
}

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
		char lv[32];
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
		cJSON_AddStringToObject(h, "level_name", level_text(name, level,
					lv, sizeof lv));
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
	snprintf(msg, n, _("%s: %s %s (%s)"), console_hazard(hazard),
		 word(W_ACTION, response_action_name(action)),
		 action == RESP_END ? "" : lv, id);
	return 0;
}

/* ---- the checklist and its cursor ---- */

static const char *
code_of(const cJSON *it)
{
	return cJSON_GetObjectItem(it, "code")->valuestring;
}

/* An item's text in the terminal's language. */
static const char *
text_of(const cJSON *it)
{
	return cJSON_GetObjectItem(it, console_utf8 ? "text" : "text_en")
	       ->valuestring;
}

/* The cursor follows the selected hazard: on another one it starts
 * again at the top, and the keys go back to the levels list. */
static void
chk_follow(const char *hazard)
{
	if (!hazard)
		hazard = "";
	if (strcmp(chk.hazard, hazard) == 0)
		return;
	snprintf(chk.hazard, sizeof chk.hazard, "%s", hazard);
	chk.code[0] = 0;
	chk.sel = chk.top = chk.focus = 0;
}

/* Put the cursor on item i of list (kept inside it). */
static void
chk_set(const cJSON *list, int i)
{
	int n = cJSON_GetArraySize(list);
	const cJSON *it;

	if (i >= n)
		i = n - 1;
	if (i < 0)
		i = 0;
	chk.sel = i;
	it = cJSON_GetArrayItem(list, i);
	snprintf(chk.code, sizeof chk.code, "%s", it ? code_of(it) : "");
}

/* Find the cursor's item in a list read anew: by its code, or, when it
 * left the list (the level was lowered), where it was. */
static void
chk_find(const cJSON *list)
{
	const cJSON *it;
	int i = 0;

	cJSON_ArrayForEach(it, list) {
		if (chk.code[0] && strcmp(code_of(it), chk.code) == 0) {
			chk.sel = i;
			return;
		}
		i++;
	}
	chk_set(list, chk.sel);
}

/* The bytes of s that make its next line of at most width columns. A
 * word that does not fit starts the next line; text without blanks
 * (Chinese) breaks between any two characters. Never none, so a line
 * always moves on. */
static size_t
wrap_len(const char *s, int width)
{
	size_t at = 0, blank = 0;
	int w = 0, len = 1, cw;

	while (s[at]) {
		len = text_next(s + at, &cw);
		if (w + cw > width)
			break;
		if (s[at] == ' ')
			blank = at;
		w += cw;
		at += (size_t)len;
	}
	if (!s[at])
		return at;
	if (at == 0)
		return (size_t)len;
	return s[at] != ' ' && blank > 0 ? blank : at;
}

/* The rest of s after a line of n bytes, without the blanks the line
 * broke at. */
static const char *
wrap_next(const char *s, size_t n)
{
	for (s += n; *s == ' '; s++)
		;
	return s;
}

/* How an item is laid out: the widths of its code column and its text. */
struct chk_layout {
	int codew, textw;
};

static struct chk_layout
chk_layout(const cJSON *list, int w)
{
	struct chk_layout l = { 4, 0 };
	const cJSON *it;

	cJSON_ArrayForEach(it, list)
		if (text_width(code_of(it)) > l.codew)
			l.codew = text_width(code_of(it));
	if (l.codew > 16)
		l.codew = 16;
	/* "> [x] III code " */
	l.textw = w - (2 + 4 + 4 + l.codew + 1);
	if (l.textw < 8)
		l.textw = 8;
	return l;
}

/* The lines item i of list takes. */
static int
item_lines(const cJSON *list, int i, const struct chk_layout *l)
{
	const char *s = text_of(cJSON_GetArrayItem(list, i));
	int n = 0;

	do {
		s = wrap_next(s, wrap_len(s, l->textw));
		n++;
	} while (*s);
	return n;
}

/* Scroll so that the cursor's item shows whole in area lines, moving the
 * first item shown as little as it can; no blank lines are left at the
 * bottom while items above are hidden. */
static void
chk_scroll(const cJSON *list, const struct chk_layout *l, int area)
{
	int n = cJSON_GetArraySize(list), used, i;

	if (chk.top > chk.sel)
		chk.top = chk.sel;
	for (;;) {
		for (used = 0, i = chk.top; i <= chk.sel; i++)
			used += item_lines(list, i, l);
		if (used <= area || chk.top >= chk.sel)
			break;
		chk.top++;
	}
	for (;;) {
		for (used = 0, i = chk.top - 1; i < n && i >= 0; i++)
			used += item_lines(list, i, l);
		if (chk.top == 0 || used > area)
			break;
		chk.top--;
	}
	if (chk.top < 0)
		chk.top = 0;
}

/* Draw one item from line y, no further than line h; its lines drawn. */
static int
draw_item(WINDOW *win, int y, int h, const cJSON *it, int cursor,
	  const struct chk_layout *l)
{
	const char *s = text_of(it);
	char head[128], part[1024];
	int w = getmaxx(win), k = 0;

	snprintf(head, sizeof head, "%s[%c] %-3s %-*s ", cursor ? "> " : "  ",
		 cJSON_IsTrue(cJSON_GetObjectItem(it, "checked")) ? 'x' : ' ',
		 cJSON_GetObjectItem(it, "level")->valuestring, l->codew,
		 code_of(it));
	if (cursor)
		wattron(win, A_REVERSE);
	do {
		size_t n = wrap_len(s, l->textw);
		if (n >= sizeof part)
			n = sizeof part - 1;
		memcpy(part, s, n);
		part[n] = 0;
		wmove(win, y + k, 0);
		if (k == 0)
			text_put(win, head, w, 0);
		else
			wprintw(win, "%*s", w - l->textw, "");
		text_put(win, part, l->textw, 1);
		s = wrap_next(s, n);
		k++;
	} while (*s && y + k < h);
	wattroff(win, A_REVERSE);
	return k;
}

/* The checklist in force of hazard, from line y to the window's end. */
static void
draw_checklist(WINDOW *win, int y, const char *hazard)
{
	cJSON *list = NULL;
	struct chk_layout l;
	int h = getmaxy(win), i, n, k;

	if (response_checklist(console_db(), hazard, &list) ||
	    !(n = cJSON_GetArraySize(list))) {
		cJSON_Delete(list);
		chk.focus = 0;
		wmove(win, y, 0);
		text_put(win, _("no response in force: s starts one"),
			 getmaxx(win), 1);
		return;
	}
	l = chk_layout(list, getmaxx(win));
	chk_find(list);
	chk_scroll(list, &l, h - y);
	chk.page = 0;
	for (i = chk.top; i < n && y < h; i++) {
		k = draw_item(win, y, h, cJSON_GetArrayItem(list, i),
			      chk.focus && i == chk.sel, &l);
		if (k == item_lines(list, i, &l))
			chk.page++;
		y += k;
	}
	cJSON_Delete(list);
}

/* Move the checklist's cursor; -1 when the keys are the list's. */
static int
chk_move(const char *hazard, enum req r)
{
	cJSON *list = NULL;
	int page = chk.page > 1 ? chk.page - 1 : 1, n;

	if (!chk.focus)
		return -1;
	if (response_checklist(console_db(), hazard, &list) ||
	    !(n = cJSON_GetArraySize(list))) {
		/* The response ended under the cursor. */
		cJSON_Delete(list);
		chk.focus = 0;
		return -1;
	}
	chk_find(list);
	switch (r) {
	case REQ_UP:        chk_set(list, chk.sel - 1); break;
	case REQ_DOWN:      chk_set(list, chk.sel + 1); break;
	case REQ_PAGE_UP:   chk_set(list, chk.sel - page); break;
	case REQ_PAGE_DOWN:
		chk_set(list, chk.sel + page);
		/* The next page starts with the cursor's item. */
		chk.top = chk.sel;
		break;
	case REQ_FIRST:     chk_set(list, 0); break;
	default:            chk_set(list, n - 1); break;
	}
	cJSON_Delete(list);
	return 0;
}

/* Give the keys to the checklist of hazard, if a response is in force. */
static int
chk_enter(const char *hazard)
{
	struct response_state rs;

	if (response_get(console_db(), hazard, &rs) != 1 || rs.level == 0) {
		console_msg(1, "%s", _("no response in force for this hazard"));
		return 0;
	}
	chk.focus = 1;
	console_msg(0, "%s", _("checklist: Up/Down move, Space ticks or unticks, "
			       "Esc back to the levels"));
	return 0;
}

/* Tick the item under the cursor, or untick it, as a shell's
 * 'dutydesk response check' would. */
static int
chk_tick(const char *hazard)
{
	cJSON *list = NULL;
	const cJSON *it;
	char code[64];
	int checked, rc, done = 0, total = 0;

	if (response_checklist(console_db(), hazard, &list) ||
	    !cJSON_GetArraySize(list)) {
		cJSON_Delete(list);
		chk.focus = 0;
		console_msg(1, "%s", _("no response in force for this hazard"));
		return 0;
	}
	chk_find(list);
	it = cJSON_GetArrayItem(list, chk.sel);
	checked = cJSON_IsTrue(cJSON_GetObjectItem(it, "checked"));
	snprintf(code, sizeof code, "%s", code_of(it));
	cJSON_Delete(list);
	rc = response_check(console_db(), hazard, code, !checked);
	if (rc) {
		console_msg(1, "%s", db_why(console_db(), rc));
		return 0;
	}
	response_progress(console_db(), hazard, &done, &total);
	console_msg(0, checked ? _("%s unticked: %d of %d done")
		    : _("%s ticked: %d of %d done"), code, done, total);
	console_changed();
	return 0;
}

/* The form of a decision (start, raise, lower, end; confirm when the
 * hazard has a conflict) on hazard. */
static void
decide(const char *hazard, enum req r)
{
	struct response_state rs;
	struct station_info si;
	cJSON *init, *ctx;
	int action;

	/* A town station is told before it types a form it cannot send. */
	if (station_identity(console_db(), &si) == 0 &&
	    !op_kind_allowed("response.decide", si.role)) {
		console_msg(1, _("only the command station decides response "
				 "levels; %s is a town station"), si.station);
		return;
	}
	init = cJSON_CreateObject();
	ctx = cJSON_CreateObject();

	cJSON_AddStringToObject(init, "signed_by", db_officer(console_db()));
	/* What the submit needs: the hazard and the decision. */
	cJSON_AddStringToObject(ctx, "hazard", hazard);
	response_get(console_db(), hazard, &rs);
	if (r == REQ_END) {
		cJSON_AddNumberToObject(ctx, "action", RESP_END);
		form_open(_("End the response (解除)"), end_form, init,
			  submit_decide, ctx);
	} else {
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
	}
	cJSON_Delete(init);
	cJSON_Delete(ctx);
}

/* The movement keys are the checklist's while it has the focus, the
 * levels list's otherwise (-1 hands them back to the console). */
static int
key(struct pane *p, enum req r)
{
	const cJSON *row = view_selected(&p->view);

	chk_follow(row ? cJSON_GetObjectItem(row, "hazard")->valuestring : NULL);
	switch (r) {
	case REQ_UP: case REQ_DOWN: case REQ_PAGE_UP: case REQ_PAGE_DOWN:
	case REQ_FIRST: case REQ_LAST:
		return row ? chk_move(chk.hazard, r) : -1;
	case REQ_BACK:
		chk.focus = 0;
		return 0;
	case REQ_TICK:
		if (row && chk.focus)
			return chk_tick(chk.hazard);
		/* On the levels list, Space goes into the checklist. */
		/* fall through */
	case REQ_CHECKLIST: case REQ_ENTER:
		return row ? chk_enter(chk.hazard) : 0;
	case REQ_START: case REQ_RAISE: case REQ_LOWER: case REQ_END:
		if (row)
			decide(chk.hazard, r);
		return 0;
	default:
		return -1;
	}
}

/* Under the list: a rule with the hazard, its level and progress and
 * how to work its checklist; its last decisions; the checklist. */
static void
draw_extra(struct pane *p, WINDOW *win)
{
	const cJSON *row = view_selected(&p->view);
	cJSON *list = NULL, *f;
	char head[200];
	int w = getmaxx(win), y;

	y = view_rule(win, p->ops->extra_lines);
	chk_follow(row ? cJSON_GetObjectItem(row, "hazard")->valuestring : NULL);
	if (!row)
		return;
	snprintf(head, sizeof head, " %s %s  %s ", console_name(row),
		 cJSON_GetObjectItem(row, "level_name")->valuestring,
		 chk.focus ? _("Space ticks, Esc back")
		 : _("c: into the checklist"));
	wmove(win, y, 2);
	text_put(win, head, w - 2, 0);
	/* The last decisions first: who decided what, and when. */
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "hazard", chk.hazard);
	if (state_list(console_db(), LIST_DECISIONS, f, &list) == 0) {
		int n = cJSON_GetArraySize(list), k;
		for (k = n > HISTORY ? n - HISTORY : 0; k < n; k++) {
			const cJSON *d = cJSON_GetArrayItem(list, k);
			char buf[300], at[20];
			int64_t when = 0;
			time_parse_iso(cJSON_GetObjectItem(d, "at")->valuestring, &when);
			time_format_local(when, at);
			/* The action in the officer's language (core marks
			 * its words for translation). */
			snprintf(buf, sizeof buf, "%s  %-8s %-4s %s %s  (%s)", at,
				 word(W_ACTION, cJSON_GetObjectItem(d, "action")
				      ->valuestring),
				 word(W_LEVEL, level_name((int)cJSON_GetObjectItem(d,
				      "level")->valuedouble)), _("signed by"),
				 cJSON_IsString(cJSON_GetObjectItem(d, "signed_by"))
				 ? cJSON_GetObjectItem(d, "signed_by")->valuestring : "",
				 cJSON_GetObjectItem(d, "id")->valuestring);
			wmove(win, ++y, 0);
			text_put(win, buf, w, 1);
		}
	}
	cJSON_Delete(f);
	cJSON_Delete(list);
	draw_checklist(win, y + 1, chk.hazard);
}

const struct pane_ops pane_response = {
	.title = N_("Response"), .cols = cols, .find = find, .keys = keymap,
	.load = load, .key = key, .style = style,
	.draw_extra = draw_extra, .extra_lines = 14,
};
