/*
 * form.c - the one form every pane uses: labelled fields edited in
 * place (wide characters, measured by display width), checked field by
 * field, submitted through the pane's function, kept open with the
 * reason when refused. A small editor of our own rather than the form
 * library: fields here are short lines, and owning the buffer makes the
 * draft kept on a dropped link a plain copy. A field that names a record
 * (a town, a team...) offers a list under it that typing narrows.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/tui.h"

#define FIELDS_MAX 24
/* The most a field holds (a report's text, FT_LONG), and what the
 * officer may type in any other. */
#define FIELD_LEN 4000
#define SHORT_LEN 200
/* Entries a pick list shows at once (it scrolls), and most it sorts. */
#define PICK_ROWS 6
#define PICK_MAX 512

static struct {
	int active;
	char title[80];
	const struct form_field *fields;
	int n, cur;
	wchar_t buf[FIELDS_MAX][FIELD_LEN + 1];
	int len[FIELDS_MAX], pos[FIELDS_MAX];
	form_submit_fn *fn;
	form_leave_fn *leave;   /* fills fields as the cursor leaves one */
	cJSON *ctx;             /* owned: a copy of form_open's */
	cJSON *picks[FIELDS_MAX]; /* a pick field's list, read when first shown */
	int popen;              /* the current pick field shows its list */
	int psel, ptop;         /* its selection and first row shown */
	char msg[256];
	WINDOW *win;
} F;

static cJSON *pending_draft;

static void pick_reset(void);

int
form_active(void)
{
	return F.active;
}

/* The most field i holds: a long text's 4000, any other's 200. */
static int
field_max(int i)
{
	return F.fields && F.fields[i].type == FT_LONG ? FIELD_LEN : SHORT_LEN;
}

/* Fields hold wide characters; values are UTF-8 whatever the locale. */
static void
set_text(int i, const char *s)
{
	F.len[i] = F.pos[i] = (int)text_to_wcs(F.buf[i],
					       (size_t)field_max(i) + 1, s);
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

static const char *choice_word(const char *code);
static const char *choice_code(const struct form_field *f, const char *text);

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
		const char *s = cJSON_IsString(v) ? v->valuestring : "";
		set_text(i, fields[i].type == FT_CHOICE ? choice_word(s) : s);
		/* A long text opens at its start, to be read and edited. */
		if (fields[i].type == FT_LONG)
			F.pos[i] = 0;
	}
	if (values != initial) {
		cJSON_Delete(pending_draft);
		pending_draft = NULL;
	}
	F.active = 1;
	/* A list opens on an empty field: what is there already (a draft,
	 * the record's own value) is not hidden under one. */
	F.popen = F.n && F.len[0] == 0;
	if (F.n)
		pick_reset();
	curs_set(1);
}

void
form_close(void)
{
	int i;

	if (F.win) {
		delwin(F.win);
		F.win = NULL;
	}
	if (F.active)
		curs_set(0);
	F.active = 0;
	cJSON_Delete(F.ctx);
	F.ctx = NULL;
	for (i = 0; i < FIELDS_MAX; i++) {
		cJSON_Delete(F.picks[i]);
		F.picks[i] = NULL;
	}
}

static cJSON *values(void);

void
form_on_leave(form_leave_fn *fn)
{
	F.leave = fn;
}

/* The cursor left field i: the empty fields the pane's hook fills in
 * take its values, and its message says where they came from. */
static void
leave_field(int i)
{
	cJSON *vals, *fill;
	char msg[256] = "";
	int k;

	if (!F.leave)
		return;
	vals = values();
	fill = vals ? F.leave(F.fields[i].key, vals, msg, sizeof msg) : NULL;
	for (k = 0; fill && k < F.n; k++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(fill,
								  F.fields[k].key);
		if (cJSON_IsString(v) && *v->valuestring && F.len[k] == 0)
			set_text(k, v->valuestring);
	}
	if (msg[0])
		snprintf(F.msg, sizeof F.msg, "%s", msg);
	cJSON_Delete(fill);
	cJSON_Delete(vals);
}

/* What was typed; a choice as its code (the field shows its word). */
static cJSON *
values(void)
{
	cJSON *o = cJSON_CreateObject();
	char buf[FIELD_LEN * 4 + 1];
	const char *code;
	int i;

	for (i = 0; o && i < F.n; i++) {
		get_text(i, buf, sizeof buf);
		code = F.fields[i].type == FT_CHOICE
		       ? choice_code(&F.fields[i], buf) : NULL;
		cJSON_AddStringToObject(o, F.fields[i].key, code ? code : buf);
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

/* A choice as the officer reads it: its words in the catalogue that
 * knows its code (a code none knows, as it is). */
static const char *
choice_word(const char *code)
{
	int w;

	for (w = W_NONE + 1; w < W_N; w++) {
		const char *t = word((enum words)w, code);
		if (t != code)
			return t;
	}
	return code;
}

/* The code of field f's choice that text names (its code or its
 * words), NULL when none does. */
static const char *
choice_code(const struct form_field *f, const char *text)
{
	const char *c;
	int k;

	for (k = 0; (c = choice(f, k)); k++)
		if (strcmp(c, text) == 0 || strcmp(choice_word(c), text) == 0)
			return c;
	return NULL;
}

/* ---- pick lists ---- */

static int
is_pick(const struct form_field *f)
{
	return f->type == FT_PICK || f->type == FT_PICKS;
}

/* The list field i picks from, read when first needed; when it cannot
 * be read it is empty, and what is typed is checked on submit. */
static const cJSON *
pick_list(int i)
{
	const struct form_field *f = &F.fields[i];
	const char *near = f->near ? form_value(F.ctx, f->near) : "";

	if (!F.picks[i] && ref_list(console_db(), (enum ref)f->ref,
				    *near ? near : NULL, &F.picks[i]))
		F.picks[i] = cJSON_CreateArray();
	return F.picks[i];
}

static const char *
code_of(const cJSON *e)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(e, "code");

	return cJSON_IsString(c) ? c->valuestring : "";
}

/* Where the name being typed starts: after the last comma in a field
 * of several, past the spaces. */
static int
pick_start(int i)
{
	int k = 0;

	if (F.fields[i].type == FT_PICKS)
		for (k = F.len[i]; k > 0 && F.buf[i][k - 1] != L',' &&
		     F.buf[i][k - 1] != L'\xff0c'; k--)
			;
	while (k < F.len[i] && F.buf[i][k] == L' ')
		k++;
	return k;
}

static void
pick_query(int i, char *out, size_t n)
{
	const wchar_t *p = F.buf[i] + pick_start(i);
	mbstate_t st;
	size_t k;

	memset(&st, 0, sizeof st);
	k = wcsrtombs(out, &p, n - 1, &st);
	out[k == (size_t)-1 ? 0 : k] = 0;
}

/* The entry whose code the field holds (one picked, or the record's
 * own), or -1. */
static int
pick_at(int i)
{
	const cJSON *e;
	char q[FIELD_LEN * 4 + 1];
	int k = 0;

	pick_query(i, q, sizeof q);
	cJSON_ArrayForEach(e, pick_list(i)) {
		if (strcmp(code_of(e), q) == 0)
			return k;
		k++;
	}
	return -1;
}

/* A list shown anew starts on the entry the field holds, or the first. */
static void
pick_reset(void)
{
	int at = is_pick(&F.fields[F.cur]) ? pick_at(F.cur) : -1;

	F.psel = at > 0 ? at : 0;
	F.ptop = 0;
}

/* The entries the name being typed fits, in idx: codes first, then
 * whole names, then starts, each in the list's order. Nothing typed,
 * or a code whole: all of them, to choose another. */
static int
pick_matches(int i, int *idx, int max)
{
	const cJSON *list = pick_list(i), *e;
	char q[FIELD_LEN * 4 + 1];
	int n = 0, k, rank;

	pick_query(i, q, sizeof q);
	if (pick_at(i) >= 0)
		q[0] = 0;
	for (rank = REF_MATCH_CODE; rank >= REF_MATCH_PREFIX; rank--) {
		k = 0;
		cJSON_ArrayForEach(e, list) {
			if (n < max && (!q[0] ? rank == REF_MATCH_CODE
					: ref_match(e, q) == rank))
				idx[n++] = k;
			k++;
		}
	}
	return n;
}

/* The selection kept inside the n entries shown. */
static void
pick_clamp(int n)
{
	if (F.psel >= n)
		F.psel = n - 1;
	if (F.psel < 0)
		F.psel = 0;
}

/* The selected entry's code in place of the name being typed. */
static void
pick_take(int i, const cJSON *e)
{
	const char *c = code_of(e);
	int at = pick_start(i);
	mbstate_t st;
	size_t n;

	memset(&st, 0, sizeof st);
	n = mbsrtowcs(F.buf[i] + at, &c, (size_t)(FIELD_LEN - at), &st);
	if (n == (size_t)-1)
		n = 0;
	F.len[i] = F.pos[i] = at + (int)n;
	F.buf[i][F.len[i]] = 0;
}

/* Enter on a pick field takes the selected entry (in a field that may
 * stay empty, once something is typed or an arrow moved); 1 when the cursor
 * stays (a field of several, or the last field: a second Enter saves),
 * 0 when Enter goes on as in any field (taken already, or nothing
 * to take). */
static int
pick_enter(int i)
{
	int idx[PICK_MAX], n = pick_matches(i, idx, PICK_MAX);
	char q[FIELD_LEN * 4 + 1];
	const cJSON *e;

	pick_query(i, q, sizeof q);
	if (!F.popen || n == 0 || (!q[0] && F.fields[i].type == FT_PICKS))
		return 0;
	/* Nothing typed in a field that may stay empty (a request's
	 * incident): Enter leaves it empty unless an arrow chose. */
	if (!q[0] && !F.fields[i].required && F.psel == 0)
		return 0;
	pick_clamp(n);
	e = cJSON_GetArrayItem(pick_list(i), idx[F.psel]);
	if (strcmp(code_of(e), q) == 0)
		return 0;
	pick_take(i, e);
	F.popen = 0;
	return F.fields[i].type == FT_PICKS || i == F.n - 1;
}

/* Arrows and pages move in the list; 1 when the key was the list's. */
static int
pick_key(int i, int ch)
{
	int idx[PICK_MAX], n = pick_matches(i, idx, PICK_MAX);

	if (!F.popen) {
		/* Down opens a list that was not shown. */
		F.popen = ch == KEY_DOWN;
		return F.popen;
	}
	switch (ch) {
	case KEY_UP:
		/* Up from the first entry goes to the field above. */
		if (F.psel == 0 || n == 0)
			return 0;
		F.psel--;
		return 1;
	case KEY_DOWN:
		F.psel++;
		break;
	case KEY_NPAGE:
		F.psel += PICK_ROWS;
		break;
	case KEY_PPAGE:
		F.psel -= PICK_ROWS;
		break;
	default:
		return 0;
	}
	pick_clamp(n);
	return 1;
}

/* The names typed in pick field i replaced by their codes in vals
 * (several joined by commas); -1 with the message when one names no
 * record or more than one. */
static int
pick_resolve(int i, cJSON *vals)
{
	const struct form_field *f = &F.fields[i];
	char text[FIELD_LEN * 4 + 1], out[FIELD_LEN * 4 + 1] = "", code[64];
	char *part, *end, *p;
	size_t k = 0;
	int rc;

	snprintf(text, sizeof text, "%s", form_value(vals, f->key));
	/* A full-width comma (what a Chinese input method types) is one. */
	while ((p = strstr(text, "\xef\xbc\x8c"))) {
		*p = ',';
		memmove(p + 1, p + 3, strlen(p + 3) + 1);
	}
	for (part = text; part; part = end) {
		if ((end = f->type == FT_PICKS ? strchr(part, ',') : NULL))
			*end++ = 0;
		while (*part == ' ')
			part++;
		for (p = part + strlen(part); p > part && p[-1] == ' '; p--)
			p[-1] = 0;
		if (!*part)
			continue;
		rc = ref_find_in(console_db(), (enum ref)f->ref, pick_list(i),
				 part, code);
		if (rc != 1) {
			snprintf(F.msg, sizeof F.msg, "%s", db_why(console_db(),
							     rc ? rc : DD_E_NOTFOUND));
			return -1;
		}
		k += (size_t)snprintf(out + k, sizeof out - k, "%s%s", k ? "," : "",
				      code);
		if (k >= sizeof out)
			k = sizeof out - 1;
	}
	cJSON_ReplaceItemInObjectCaseSensitive(vals, f->key,
					       cJSON_CreateString(out));
	return 0;
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
		} else if (is_pick(f) && pick_resolve(i, vals)) {
			F.cur = i;
			return -1;
		} else if (f->type == FT_CHOICE) {
			if (!choice_code(f, v)) {
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
	const char *code;
	int k, n, at = -1;

	for (n = 0; choice(f, n); n++)
		;
	if (n == 0)
		return;
	get_text(F.cur, cur, sizeof cur);
	code = choice_code(f, cur);
	for (k = 0; k < n && code; k++)
		if (strcmp(choice(f, k), code) == 0)
			at = k;
	at = at < 0 ? 0 : (at + dir + n) % n;
	set_text(F.cur, choice_word(choice(f, at)));
}

static void
edit_key(int ch, int is_key)
{
	int i = F.cur;
	wchar_t *b = F.buf[i];

	F.msg[0] = 0;
	if (is_key) {
		if (is_pick(&F.fields[i]) && pick_key(i, ch))
			return;
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
		if (is_pick(&F.fields[i]) && pick_enter(i))
			return;
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
	if (ch < 0x20 || F.len[i] >= field_max(i))
		return;
	wmemmove(b + F.pos[i] + 1, b + F.pos[i], (size_t)(F.len[i] - F.pos[i] + 1));
	b[F.pos[i]++] = (wchar_t)ch;
	F.len[i]++;
}

void
form_key(int ch, int is_key)
{
	int cur = F.cur, len = F.len[F.cur];
	/* Enter changes the text only to take an entry, which closes the
	 * list. */
	int enter = is_key ? ch == KEY_ENTER : ch == '\n' || ch == '\r';

	if (!F.active)
		return;
	edit_key(ch, is_key);
	if (!F.active)
		return;
	if (F.cur != cur)
		leave_field(cur);
	/* A pick list starts over on another field or another name; it
	 * opens on an empty field and as the officer types. */
	if (F.cur != cur)
		F.popen = F.len[F.cur] == 0;
	else if (F.len[F.cur] != len && !enter)
		F.popen = 1;
	if (F.cur != cur || F.len[F.cur] != len)
		pick_reset();
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

/* The label column: as wide as the longest label, so none is cut, but
 * never more than half the form, so the values keep room. */
static int
label_width(int w)
{
	int i, lw = 0;

	for (i = 0; i < F.n; i++)
		if (text_width(_(F.fields[i].label)) + 2 > lw)
			lw = text_width(_(F.fields[i].label)) + 2;
	return lw > w / 2 ? w / 2 : lw;
}

static int
has_pick(void)
{
	int i;

	for (i = 0; i < F.n; i++)
		if (is_pick(&F.fields[i]))
			return 1;
	return 0;
}

/* One entry of a pick list: its code, then its name as this terminal
 * shows it. */
static void
pick_row(const cJSON *e, int cw, int width)
{
	const char *code = code_of(e);

	text_put(F.win, code, cw, 1);
	waddch(F.win, ' ');
	text_put(F.win, console_name(e), width - cw - 1, 1);
}

/* After a code picked (or typed whole), the name it stands for, so the
 * officer sees what the code means. */
static void
picked_name(int i, int x, int right)
{
	const cJSON *e;
	char q[FIELD_LEN * 4 + 1];

	pick_query(i, q, sizeof q);
	if (!q[0] || x >= right)
		return;
	cJSON_ArrayForEach(e, pick_list(i))
		if (strcmp(code_of(e), q) == 0) {
			wmove(F.win, getcury(F.win), x);
			wattron(F.win, A_DIM);
			text_put(F.win, console_name(e), right - x, 0);
			wattroff(F.win, A_DIM);
			return;
		}
}

/* The current pick field's list in a box under its line y (over it when
 * there is more room there), from column x to the form's right edge:
 * the entries that fit, scrolled to keep the selection in view, and on
 * the bottom border which entry of how many is selected. */
static void
draw_pick(int y, int x, int w, int h)
{
	int idx[PICK_MAX], n = pick_matches(F.cur, idx, PICK_MAX);
	int below = h - 4 - y, above = y - 1, rows, by, cw = 0, k;
	const cJSON *list = pick_list(F.cur);
	char where[32];

	rows = n < PICK_ROWS ? (n ? n : 1) : PICK_ROWS;
	if (rows + 2 > below && above > below)
		rows = rows + 2 > above ? above - 2 : rows;
	else if (rows + 2 > below)
		rows = below - 2;
	if (rows < 1)
		return;
	by = rows + 2 <= below ? y + 1 : y - rows - 2;
	pick_clamp(n);
	if (F.psel < F.ptop)
		F.ptop = F.psel;
	if (F.psel >= F.ptop + rows)
		F.ptop = F.psel - rows + 1;
	for (k = 0; k < n; k++) {
		int c = text_width(code_of(cJSON_GetArrayItem(list, idx[k])));
		if (c > cw)
			cw = c;
	}
	mvwaddch(F.win, by, x, '+');
	whline(F.win, '-', w - x - 2);
	mvwaddch(F.win, by, w - 2, '+');
	for (k = 0; k < rows; k++) {
		mvwaddch(F.win, by + 1 + k, x, '|');
		if (F.ptop + k == F.psel && n)
			wattron(F.win, A_REVERSE);
		if (F.ptop + k < n)
			pick_row(cJSON_GetArrayItem(list, idx[F.ptop + k]), cw,
				 w - x - 3);
		else
			text_put(F.win, n ? "" : _("(nothing matches)"), w - x - 3, 1);
		wattroff(F.win, A_REVERSE);
		mvwaddch(F.win, by + 1 + k, w - 2, '|');
	}
	mvwaddch(F.win, by + rows + 1, x, '+');
	whline(F.win, '-', w - x - 2);
	mvwaddch(F.win, by + rows + 1, w - 2, '+');
	if (n > rows) {
		snprintf(where, sizeof where, " %d/%d ", F.psel + 1, n);
		mvwaddstr(F.win, by + rows + 1, w - 3 - (int)strlen(where), where);
	}
}

void
form_draw(void)
{
	int h, w, y, x, i, lw, cy = 0, cx = 0;
	char buf[FIELD_LEN * 4 + 1];
	const struct form_field *cur;

	if (!F.active)
		return;
	/* A form that picks has room for the list under its fields. */
	h = F.n + 5 + (has_pick() ? PICK_ROWS + 2 : 0);
	w = COLS - 4 < 76 ? COLS - 4 : 76;
	if (h > LINES - 2)
		h = LINES - 2;
	if (w < 30 || h < 5)
		return;
	lw = label_width(w);
	cur = &F.fields[F.cur];
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
		if (f->type == FT_PICK && !(i == F.cur && F.popen))
			picked_name(i, 2 + lw + text_width(buf) + 2, w - 2);
		if (i == F.cur) {
			cy = i + 1;
			cx = 2 + lw + col;
		}
	}
	if (is_pick(cur) && F.popen && cy)
		draw_pick(cy, 1 + lw, w, h);
	/* What the current field accepts, or why the form was refused. */
	wmove(F.win, h - 3, 2);
	if (F.msg[0]) {
		wattron(F.win, A_BOLD);
		text_put(F.win, F.msg, w - 4, 1);
		wattroff(F.win, A_BOLD);
	} else if (is_pick(cur) && !F.popen) {
		text_put(F.win, _("Down: the list to pick from (typing narrows it)"),
			 w - 4, 1);
	} else if (is_pick(cur)) {
		text_put(F.win, cur->type == FT_PICKS
			 ? _("type to narrow, Up/Down to choose, Enter takes; "
			     "a comma for one more")
			 : _("type to narrow, Up/Down to choose, Enter takes"),
			 w - 4, 1);
	} else if (cur->type == FT_CHOICE) {
		const char *c;
		/* As many words as fit on the line; Left/Right reach all. */
		for (i = 0; (c = choice(cur, i)) &&
		     getcurx(F.win) + text_width(choice_word(c)) < w - 2; i++) {
			text_put(F.win, choice_word(c), w - 4, 0);
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
