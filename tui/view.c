/*
 * view.c - the one list view every pane uses: columns, selection kept by
 * id when the data changes, scrolling, width-aware cells.
 */
#include "tui/console.h"
#include "tui/tui.h"

#include <stdio.h>
#include <string.h>

static const char *
row_id(const cJSON *row)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(row, "id");
	return cJSON_IsString(id) ? id->valuestring : "";
}

void
view_set_rows(struct view *v, cJSON *rows)
{
	int i = 0, n, h = v->height > 0 ? v->height : 1;
	const cJSON *r;

	if (v->rows != rows)
		cJSON_Delete(v->rows);
	v->rows = rows;
	n = cJSON_GetArraySize(rows);
	/* Keep the selection on the same record, and the scroll where it
	 * was, so rows added above show rather than push the view. */
	if (v->sel_id[0]) {
		cJSON_ArrayForEach(r, rows) {
			if (strcmp(row_id(r), v->sel_id) == 0) {
				v->sel = i;
				break;
			}
			i++;
		}
	}
	if (v->sel >= n)
		v->sel = n > 0 ? n - 1 : 0;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + h)
		v->top = v->sel - h + 1;
	if (v->top < 0)
		v->top = 0;
	r = cJSON_GetArrayItem(rows, v->sel);
	snprintf(v->sel_id, sizeof v->sel_id, "%s", r ? row_id(r) : "");
}

/* Whether filter is in one of the fields of row that find names; the
 * name as the NAME column shows it, so that what is on the screen is
 * what the officer finds. */
static int
match(const cJSON *row, const char *const *find, const char *filter)
{
	for (; *find; find++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, *find);
		const char *s = strcmp(*find, "name") == 0 ? console_name(row)
				: cJSON_IsString(v) ? v->valuestring : NULL;
		int w;
		if (!s)
			continue;
		if (strstr(s, filter) || strstr(console_town(s, 0), filter) ||
		    strstr(console_hazard(s), filter))
			return 1;
		/* A code is found by its words too, in whichever catalogue
		 * knows it (word() gives others back the code). */
		for (w = W_NONE + 1; w < W_N; w++)
			if (strstr(word((enum words)w, s), filter))
				return 1;
	}
	return 0;
}

/* Whether row belongs to town (the console's town filter): by its
 * "town_codes" (codes between spaces: a warning's towns, a team's own
 * and the one it is sent to) when it has them, else by its "town"; a
 * row with neither is the county's, shown whatever the town. */
static int
of_town(const cJSON *row, const char *town)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(row, "town");
	const char *s, *codes;
	size_t n = strlen(town);

	codes = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(row,
							      "town_codes"));
	if (!codes && t)
		return cJSON_IsString(t) && strcmp(t->valuestring, town) == 0;
	if (!codes)
		return 1;
	for (s = codes; (s = strstr(s, town)); s += n)
		if ((s == codes || s[-1] == ' ') && (s[n] == ' ' || !s[n]))
			return 1;
	return 0;
}

cJSON *
view_filter(const struct view *v, const char *const *find, cJSON *rows)
{
	const char *town = console_town_only();
	cJSON *r, *next;

	if ((!v->filter[0] || !find) && !town)
		return rows;
	for (r = rows ? rows->child : NULL; r; r = next) {
		next = r->next;
		if ((town && !of_town(r, town)) ||
		    (v->filter[0] && find && !match(r, find, v->filter)))
			cJSON_Delete(cJSON_DetachItemViaPointer(rows, r));
	}
	return rows;
}

const cJSON *
view_selected(const struct view *v)
{
	return cJSON_GetArrayItem(v->rows, v->sel);
}

void
view_move(struct view *v, enum req r, int height)
{
	int n = cJSON_GetArraySize(v->rows);
	const cJSON *row;

	if (height < 1)
		height = 1;
	switch (r) {
	case REQ_UP:        v->sel--; break;
	case REQ_DOWN:      v->sel++; break;
	case REQ_PAGE_UP:   v->sel -= height; v->top -= height; break;
	case REQ_PAGE_DOWN: v->sel += height; v->top += height; break;
	case REQ_FIRST:     v->sel = 0; break;
	case REQ_LAST:      v->sel = n - 1; break;
	default: break;
	}
	if (v->sel >= n)
		v->sel = n - 1;
	if (v->sel < 0)
		v->sel = 0;
	if (v->top > n - height)
		v->top = n - height;
	if (v->top < 0)
		v->top = 0;
	if (v->sel < v->top)
		v->top = v->sel;
	if (v->sel >= v->top + height)
		v->top = v->sel - height + 1;
	row = view_selected(v);
	snprintf(v->sel_id, sizeof v->sel_id, "%s", row ? row_id(row) : "");
}

/* A cell's text: strings as they are, numbers whole, times local. */
static const char *
cell(const cJSON *row, const struct column *c, char *buf, size_t n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, c->key);
	int64_t t;

	if (c->flags & COL_NAME)
		return console_name(row);
	if (cJSON_IsNumber(v)) {
		snprintf(buf, n, "%.0f", v->valuedouble);
		return buf;
	}
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "*" : "";
	if (!cJSON_IsString(v))
		return "";
	if (c->words)
		return word(c->words, v->valuestring);
	if (c->flags & COL_TOWN)
		return console_town(v->valuestring, 1);
	if (c->flags & COL_HAZARD)
		return console_hazard(v->valuestring);
	if ((c->flags & (COL_TIME | COL_AGE)) && time_parse_iso(v->valuestring,
								&t) == 0) {
		if (c->flags & COL_AGE) {
			int64_t m = (console_now() - t) / 60;
			if (m < 0)
				m = 0;
			if (m < 60)
				snprintf(buf, n, "%lldm", (long long)m);
			else if (m < 48 * 60)
				snprintf(buf, n, "%lldh%02lld", (long long)(m / 60),
					 (long long)(m % 60));
			else
				snprintf(buf, n, "%lldd", (long long)(m / 1440));
		} else {
			char full[20];
			time_format_local(t, full);
			snprintf(buf, n, "%s", full + 5); /* MM-DD HH:MM */
		}
		return buf;
	}
	return v->valuestring;
}

int
view_rule(WINDOW *win, int lines)
{
	int y = getmaxy(win) - lines;

	/* What the last selection drew there goes, however long it was. */
	wmove(win, y, 0);
	wclrtobot(win);
	whline(win, '-', getmaxx(win));
	return y;
}

static void
put_cell(WINDOW *win, const char *s, int width, int flags)
{
	int w = text_width(s);

	if ((flags & COL_ID) && w > width)
		s = "";
	if ((flags & COL_RIGHT) && w < width) {
		wprintw(win, "%*s", width - w, "");
		text_put(win, s, w, 0);
	} else {
		text_put(win, s, width, 1);
	}
}

/* A column kept for wide windows is left out of narrow ones. */
static int
col_shown(const struct column *c, int width)
{
	return !(c->flags & COL_WIDE) || width >= WIDE_COLS;
}

void
view_draw(struct view *v, WINDOW *win, const struct column *cols,
	  int (*style)(const cJSON *row, void *ctx), void *ctx)
{
	int h, w, y, x, i, n = cJSON_GetArraySize(v->rows), fixed = 0, ncol = 0;
	const struct column *c;
	char buf[64];

	getmaxyx(win, h, w);
	v->height = h - 1;
	werase(win);
	for (c = cols; c->title; c++, ncol++)
		if (col_shown(c, w))
			fixed += c->width + 1;
	/* Header */
	wattron(win, A_BOLD | A_UNDERLINE);
	wmove(win, 0, 0);
	for (c = cols, x = 0; c->title && x < w; c++) {
		int cw = c->width ? c->width : w - fixed;
		if (!col_shown(c, w))
			continue;
		if (cw > w - x)
			cw = w - x;
		put_cell(win, _(c->title), cw, c->flags & COL_RIGHT);
		x += cw;
		if (x < w) {
			waddch(win, ' ');
			x++;
		}
	}
	wattroff(win, A_BOLD | A_UNDERLINE);
	if (n == 0) {
		wmove(win, 2, 1);
		text_put(win, _("(nothing here)"), w - 1, 0);
		return;
	}
	for (y = 1, i = v->top; y < h && i < n; y++, i++) {
		const cJSON *row = cJSON_GetArrayItem(v->rows, i);
		int attr = style ? style(row, ctx) : 0;
		if (i == v->sel)
			attr |= A_REVERSE;
		wattrset(win, attr);
		wmove(win, y, 0);
		for (c = cols, x = 0; c->title && x < w; c++) {
			int cw = c->width ? c->width : w - fixed;
			if (!col_shown(c, w))
				continue;
			if (cw > w - x)
				cw = w - x;
			put_cell(win, cell(row, c, buf, sizeof buf), cw,
				 c->flags);
			x += cw;
			if (x < w) {
				waddch(win, ' ');
				x++;
			}
		}
		wattrset(win, A_NORMAL);
	}
}
