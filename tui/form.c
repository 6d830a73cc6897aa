/*
 * form.c - the one form every pane uses: labelled fields edited in
 * place (wide characters, measured by display width), checked field by
 * field, submitted through the pane's function, kept open with the
 * reason when refused. A small editor of our own rather than the form
 * library: fields here are short lines, and owning the buffer makes the
 * draft kept on a dropped link a plain copy.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/tui.h"

#define FIELDS_MAX 24
#define FIELD_LEN 200

static struct {
	int active;
	char title[80];
	const struct form_field *fields;
	int n, cur;
	wchar_t buf[FIELDS_MAX][FIELD_LEN + 1];
	int len[FIELDS_MAX], pos[FIELDS_MAX];
	form_submit_fn *fn;
	cJSON *ctx;             /* owned: a copy of form_open's */
	char msg[256];
	WINDOW *win;
} F;

static cJSON *pending_draft;

int
form_active(void)
{
	return F.active;
}

/* Fields hold wide characters; values are UTF-8 whatever the locale. */
static void
set_text(int i, const char *s)
{
	F.len[i] = F.pos[i] = (int)text_to_wcs(F.buf[i], FIELD_LEN + 1, s);
}

static void
get_text(int i, char *out, size_t n)
{
	text_from_wcs(out, n, F.buf[i], FIELD_LEN);
}

void
form_offer_draft(cJSON *draft)
{
	cJSON_Delete(pending_draft);
	pending_draft = draft;
}

void
form_open(const char *title, const struct form_field *fields,
	  const cJSON *initial, form_submit_fn *fn, const cJSON *ctx)
{
	const cJSON *values = initial;
	int i;

	form_close();
	memset(&F, 0, sizeof F);
	snprintf(F.title, sizeof F.title, "%s", title);
	F.fields = fields;
	for (F.n = 0; fields[F.n].label && F.n < FIELDS_MAX; F.n++)
		;
	F.fn = fn;
	F.ctx = ctx ? cJSON_Duplicate(ctx, 1) : NULL;
	if (pending_draft) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(pending_draft,
								  "title");
		if (cJSON_IsString(t) && strcmp(t->valuestring, title) == 0) {
			values = cJSON_GetObjectItemCaseSensitive(pending_draft,
								  "values");
			snprintf(F.msg, sizeof F.msg, "%s",
				 _("draft restored from the last session"));
		}
	}
	for (i = 0; i < F.n; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(values,
								  fields[i].key);
		set_text(i, cJSON_IsString(v) ? v->valuestring : "");
	}
	if (values != initial) {
		cJSON_Delete(pending_draft);
		pending_draft = NULL;
	}
	F.active = 1;
	curs_set(1);
}

void
form_close(void)
{
	if (F.win) {
		delwin(F.win);
		F.win = NULL;
	}
	if (F.active)
		curs_set(0);
	F.active = 0;
	cJSON_Delete(F.ctx);
	F.ctx = NULL;
}

static cJSON *
values(void)
{
	cJSON *o = cJSON_CreateObject();
	char buf[FIELD_LEN * 4 + 1];
	int i;

	for (i = 0; o && i < F.n; i++) {
		get_text(i, buf, sizeof buf);
		cJSON_AddStringToObject(o, F.fields[i].key, buf);
	}
	return o;
}

cJSON *
form_snapshot(void)
{
	cJSON *o;

	if (!F.active)
		return NULL;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "title", F.title);
	cJSON_AddItemToObject(o, "values", values());
	return o;
}

/* The k-th word choice field f accepts, NULL past the last. */
static const char *
choice(const struct form_field *f, int k)
{
	const cJSON *w;

	if (f->choices)
		return f->choices[k];
	w = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(F.ctx, f->key),
			       k);
	return cJSON_IsString(w) ? w->valuestring : NULL;
}

/* Check each field as typed; the first wrong one gets the cursor. */
static int
check(cJSON *vals)
{
	int i;

	for (i = 0; i < F.n; i++) {
		const struct form_field *f = &F.fields[i];
		const char *v = cJSON_GetObjectItemCaseSensitive(vals, f->key)
				->valuestring;
		int64_t t;
		char *end;

		if (!*v) {
			if (f->required) {
				snprintf(F.msg, sizeof F.msg, _("%s: required"),
					 _(f->label));
				F.cur = i;
				return -1;
			}
			continue;
		}
		if (f->type == FT_INT) {
			long long n = strtoll(v, &end, 10);
			if (*end || n < 0 || n > 1000000000) {
				snprintf(F.msg, sizeof F.msg, _("%s: a whole number, "
					 "0 or more"), _(f->label));
				F.cur = i;
				return -1;
			}
		} else if (f->type == FT_TIME &&
			   time_parse_local(v, console_now(), &t)) {
			snprintf(F.msg, sizeof F.msg, _("%s: a time like 2026-11-28 "
				 "21:30 or 21:30"), _(f->label));
			F.cur = i;
			return -1;
		} else if (f->type == FT_CHOICE) {
			const char *w;
			int k, ok = 0;
			for (k = 0; (w = choice(f, k)); k++)
				ok |= strcmp(w, v) == 0;
			if (!ok) {
				snprintf(F.msg, sizeof F.msg, _("%s: one of the words "
					 "shown (Left/Right to choose)"), _(f->label));
				F.cur = i;
				return -1;
			}
		}
	}
	return 0;
}

static void
submit(void)
{
	cJSON *vals = values();
	char msg[256] = "";

	if (check(vals) == 0) {
		if (F.fn(vals, msg, sizeof msg, F.ctx) == 0) {
			form_close();
			if (msg[0])
				console_msg(0, "%s", msg);
			console_changed();
		} else {
			snprintf(F.msg, sizeof F.msg, "%s", msg);
		}
	}
	cJSON_Delete(vals);
}

static void
cycle_choice(int dir)
{
	const struct form_field *f = &F.fields[F.cur];
	char cur[FIELD_LEN * 4 + 1];
	int k, n, at = -1;

	for (n = 0; choice(f, n); n++)
		;
	if (n == 0)
		return;
	get_text(F.cur, cur, sizeof cur);
	for (k = 0; k < n; k++)
		if (strcmp(choice(f, k), cur) == 0)
			at = k;
	at = at < 0 ? 0 : (at + dir + n) % n;
	set_text(F.cur, choice(f, at));
}

void
form_key(int ch, int is_key)
{
	int i = F.cur;
	wchar_t *b = F.buf[i];

	if (!F.active)
		return;
	F.msg[0] = 0;
	if (is_key) {
		switch (ch) {
		case KEY_UP: case KEY_BTAB:
			F.cur = (F.cur + F.n - 1) % F.n;
			return;
		case KEY_DOWN:
			F.cur = (F.cur + 1) % F.n;
			return;
		case KEY_LEFT:
			if (F.fields[i].type == FT_CHOICE)
				cycle_choice(-1);
			else if (F.pos[i] > 0)
				F.pos[i]--;
			return;
		case KEY_RIGHT:
			if (F.fields[i].type == FT_CHOICE)
				cycle_choice(1);
			else if (F.pos[i] < F.len[i])
				F.pos[i]++;
			return;
		case KEY_HOME:
			F.pos[i] = 0;
			return;
		case KEY_END:
			F.pos[i] = F.len[i];
			return;
		case KEY_BACKSPACE:
			goto backspace;
		case KEY_DC:
			if (F.pos[i] < F.len[i]) {
				wmemmove(b + F.pos[i], b + F.pos[i] + 1,
					 (size_t)(F.len[i] - F.pos[i]));
				F.len[i]--;
			}
			return;
		case KEY_ENTER:
			goto enter;
		case KEY_F(2):
			submit();
			return;
		}
		return;
	}
	switch (ch) {
	case 27: /* Esc */
		form_close();
		console_msg(0, "%s", _("cancelled"));
		return;
	case '\t':
		F.cur = (F.cur + 1) % F.n;
		return;
	case '\n': case '\r':
	enter:
		if (F.cur == F.n - 1)
			submit();
		else
			F.cur++;
		return;
	case 4: /* ^D: done */
		submit();
		return;
	case 21: /* ^U: clear the field */
		F.len[i] = F.pos[i] = 0;
		b[0] = 0;
		return;
	case 127: case 8:
	backspace:
		if (F.pos[i] > 0) {
			wmemmove(b + F.pos[i] - 1, b + F.pos[i],
				 (size_t)(F.len[i] - F.pos[i] + 1));
			F.pos[i]--;
			F.len[i]--;
		}
		return;
	}
	if (ch < 0x20 || F.len[i] >= FIELD_LEN)
		return;
	wmemmove(b + F.pos[i] + 1, b + F.pos[i], (size_t)(F.len[i] - F.pos[i] + 1));
	b[F.pos[i]++] = (wchar_t)ch;
	F.len[i]++;
}

/* The part of a field that fits width columns around the cursor. */
static int
field_view(int i, int width, char *out, size_t n, int *cursor_col)
{
	int start = 0, w;

	/* Columns as text_put shows them (pinyin in an ASCII locale). */
	for (;;) {
		w = text_wcs_width(F.buf[i] + start, (size_t)(F.pos[i] - start));
		if (w < width || start >= F.pos[i])
			break;
		start++;
	}
	*cursor_col = w;
	text_from_wcs(out, n, F.buf[i] + start, FIELD_LEN);
	return 0;
}

void
form_draw(void)
{
	int h, w, y, x, i, lw = 14, cy = 0, cx = 0;
	char buf[FIELD_LEN * 4 + 1];

	if (!F.active)
		return;
	h = F.n + 5;
	w = COLS - 4 < 76 ? COLS - 4 : 76;
	if (h > LINES - 2)
		h = LINES - 2;
	if (w < 30 || h < 5)
		return;
	if (F.win)
		delwin(F.win);
	y = (LINES - h) / 2;
	x = (COLS - w) / 2;
	F.win = newwin(h, w, y, x);
	if (!F.win)
		return;
	werase(F.win);
	/* ASCII borders: box-drawing characters have an ambiguous width
	 * and misalign in many Chinese SSH clients. */
	wborder(F.win, '|', '|', '-', '-', '+', '+', '+', '+');
	wattron(F.win, A_BOLD);
	mvwaddch(F.win, 0, 2, ' ');
	text_put(F.win, F.title, w - 6, 0);
	waddch(F.win, ' ');
	wattroff(F.win, A_BOLD);
	for (i = 0; i < F.n && i + 1 < h - 3; i++) {
		const struct form_field *f = &F.fields[i];
		int col;
		wmove(F.win, i + 1, 2);
		if (f->required)
			wattron(F.win, A_BOLD);
		text_put(F.win, _(f->label), lw, 1);
		wattroff(F.win, A_BOLD);
		field_view(i, w - lw - 6, buf, sizeof buf, &col);
		wattron(F.win, A_UNDERLINE);
		text_put(F.win, buf, w - lw - 5, 1);
		wattroff(F.win, A_UNDERLINE);
		if (i == F.cur) {
			cy = i + 1;
			cx = 2 + lw + col;
		}
	}
	/* What the current field accepts, or why the form was refused. */
	wmove(F.win, h - 3, 2);
	if (F.msg[0]) {
		wattron(F.win, A_BOLD);
		text_put(F.win, F.msg, w - 4, 1);
		wattroff(F.win, A_BOLD);
	} else if (F.fields[F.cur].type == FT_CHOICE) {
		const char *c;
		/* As many words as fit on the line; Left/Right reach all. */
		for (i = 0; (c = choice(&F.fields[F.cur], i)) &&
		     getcurx(F.win) + text_width(c) < w - 2; i++) {
			text_put(F.win, c, w - 4, 0);
			waddch(F.win, ' ');
		}
	}
	mvwaddstr(F.win, h - 2, 2, "");
	text_put(F.win, _("Enter: next/save  ^D/F2: save  Esc: cancel"), w - 4, 1);
	wmove(F.win, cy, cx);
	wnoutrefresh(F.win);
}

int
form_refused(int rc, char *msg, size_t n)
{
	snprintf(msg, n, "%s", db_why(console_db(), rc));
	return rc;
}

const char *
form_value(const cJSON *values, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(values, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}
