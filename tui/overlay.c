/*
 * overlay.c - windows over the panes that take the keys until they
 * close: the keys of the pane in focus (?), the operations the server
 * refused (R), and a page of text that scrolls (a whole record, what a
 * ':' verb printed). Each kind is a row of the table at the end (open,
 * key, draw), so a new view over the panes is one more row.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

/* A bordered window over the panes, drawn anew each time. */
static WINDOW *
frame_at(int y, int x, int h, int w)
{
	WINDOW *win = newwin(h, w, y, x);

	if (!win)
		return NULL;
	werase(win);
	/* ASCII borders: box-drawing characters have an ambiguous width
	 * and misalign in many Chinese SSH clients. */
	wborder(win, '|', '|', '-', '-', '+', '+', '+', '+');
	return win;
}

static WINDOW *
frame_new(int h, int w)
{
	return frame_at(2, 4, h, w);
}

/* The big frame of the help and the pages: every line but the status
 * line and the message line, the whole width. */
static WINDOW *
frame_big(int *h, int *w)
{
	*h = LINES - 2;
	*w = COLS;
	return frame_at(1, 0, *h, *w);
}

/* A title on the top line of a frame w wide. */
static void
frame_title(WINDOW *win, int w, const char *title)
{
	wattron(win, A_BOLD);
	mvwaddstr(win, 0, 2, " ");
	text_put(win, title, w - 6, 0);
	waddstr(win, " ");
	wattroff(win, A_BOLD);
}

/* Close whatever is shown; the panes under it are repainted. */
static void
overlay_close(struct console_state *c)
{
	cJSON_Delete(c->refusals);
	c->refusals = NULL;
	free(c->page);
	c->page = NULL;
	wrap_free(&c->page_rows);
	c->page_width = 0;
	c->overlay = OVERLAY_NONE;
	c->all_dirty = 1;
	touchwin(stdscr);
}

/* ---- the keys of the pane in focus ---- */

/* The title of the help of pane p, in buf. */
static const char *
help_title(const struct console_state *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s: %s", _(c->panes[c->cur].ops->title),
		 _("keys (any key closes)"));
	return buf;
}

/* The keys of the pane in focus as one text, "KEY\twhat" a line. */
static char *
help_text(const struct console_state *c)
{
	int n, i;
	char **lines = keys_help(c->panes[c->cur].ops, &n), *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	for (i = 0; lines && i < n; i++) {
		if (f)
			fprintf(f, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	if (f)
		fclose(f);
	return text;
}

/* The help in two columns, each key's text wrapped under itself: rows
 * starting with a key begin an entry, the rest go on its text. Returns
 * the columns needed (3: more than two, it does not fit). */
static int
help_place(const struct wrap *k, int rows, int *col_of, int *row_of)
{
	int i, j, col = 0, row = 0, len;

	for (i = 0; i < k->n; i = j) {
		for (j = i + 1; j < k->n && k->line[j][0] == ' '; j++)
			;
		len = j - i;
		if (row > 0 && row + len > rows) {
			col++;
			row = 0;
		}
		for (; i < j; i++) {
			col_of[i] = col;
			row_of[i] = row++;
		}
	}
	return col + 1;
}

/* Where the help goes: its rows in two columns, and under them the
 * realm of a county-wide drill. 0, or -1 when it does not fit. */
static int
help_layout(struct console_state *c, struct wrap *k, struct wrap *foot,
	    int **col_of, int **row_of)
{
	int h = LINES - 2, cw = (COLS - 6) / 2, rc = -1;
	char *text = help_text(c), buf[160];

	k->n = foot->n = 0;
	k->line = foot->line = NULL;
	*col_of = *row_of = NULL;
	if (!text || wrap_text(k, text, cw, 1, 12, !console_utf8) < 0)
		goto out;
	/* The realm of a county-wide drill, which the status line may not
	 * have room for: how the towns join stays one key away. */
	if (c->drill_county) {
		snprintf(buf, sizeof buf, _("towns join: dutydesk drill join %s"),
			 c->si.realm);
		if (wrap_text(foot, buf, COLS - 4, 0, 0, !console_utf8) < 0)
			goto out;
	}
	*col_of = calloc((size_t)k->n + 1, sizeof **col_of);
	*row_of = calloc((size_t)k->n + 1, sizeof **row_of);
	if (*col_of && *row_of &&
	    help_place(k, h - 2 - foot->n, *col_of, *row_of) <= 2)
		rc = 0;
out:
	free(text);
	return rc;
}

static void
help_free(struct wrap *k, struct wrap *foot, int *col_of, int *row_of)
{
	wrap_free(k);
	wrap_free(foot);
	free(col_of);
	free(row_of);
}

/* When the keys do not fit in two columns of this terminal, they open
 * as a page that scrolls instead. */
static int
help_open(struct console_state *c)
{
	struct wrap k, foot;
	int *col_of, *row_of, fits = help_layout(c, &k, &foot, &col_of,
						 &row_of) == 0;
	char title[200], *text;

	help_free(&k, &foot, col_of, row_of);
	if (fits)
		return 0;
	text = help_text(c);
	overlay_page(c, help_title(c, title, sizeof title), text, "keys", 1);
	free(text);
	return -1;
}

static void
help_key(struct console_state *c, int ch, int is_key)
{
	(void)ch;
	(void)is_key;
	overlay_close(c);
}

static void
help_draw(struct console_state *c)
{
	int h, w, i, cw = (COLS - 6) / 2, *col_of = NULL, *row_of = NULL;
	struct wrap k, foot;
	char title[200];
	WINDOW *win;

	if (help_layout(c, &k, &foot, &col_of, &row_of) < 0 ||
	    !(win = frame_big(&h, &w)))
		goto out;
	frame_title(win, w, help_title(c, title, sizeof title));
	for (i = 0; i < k.n && col_of[i] < 2; i++) {
		wmove(win, 1 + row_of[i], 2 + col_of[i] * (cw + 2));
		text_put(win, k.line[i], cw, 0);
	}
	wattron(win, A_BOLD);
	for (i = 0; i < foot.n; i++) {
		wmove(win, h - 1 - foot.n + i, 2);
		text_put(win, foot.line[i], w - 4, 0);
	}
	wattroff(win, A_BOLD);
	wnoutrefresh(win);
	delwin(win);
out:
	help_free(&k, &foot, col_of, row_of);
}

/* ---- the operations the server refused ---- */

/* A string member of a refusal, or "?" (an operation no longer held). */
static const char *
refusal_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : "?";
}

static int
refusals_open(struct console_state *c)
{
	cJSON *rows = NULL;
	int rc = replica_refusals(c->db, &rows, &c->refusals_upto);

	if (rc) {
		console_msg(1, _("cannot read the refusals: %s"),
			    db_why(c->db, rc));
		return -1;
	}
	if (cJSON_GetArraySize(rows) == 0) {
		cJSON_Delete(rows);
		console_msg(0, "%s", _("the server has refused none of this "
				       "station's operations"));
		return -1;
	}
	cJSON_Delete(c->refusals);
	c->refusals = rows;
	c->refusals_top = 0;
	return 0;
}

/* Scroll, mark seen, or close. */
static void
refusals_key(struct console_state *c, int ch, int is_key)
{
	enum req r = keys_lookup(NULL, ch, is_key);
	int n = cJSON_GetArraySize(c->refusals);
	int64_t marked = 0;
	int rc;

	if (r == REQ_DOWN || r == REQ_PAGE_DOWN) {
		if (c->refusals_top < n - 1)
			c->refusals_top++;
		c->all_dirty = 1;
		return;
	}
	if (r == REQ_UP || r == REQ_PAGE_UP) {
		if (c->refusals_top > 0)
			c->refusals_top--;
		c->all_dirty = 1;
		return;
	}
	overlay_close(c);
	if (r != REQ_SEEN)
		return;
	/* As far as the list showed: one that came meanwhile stays new. */
	if ((rc = replica_refusals_ack(c->db, c->refusals_upto, &marked))) {
		console_msg(1, _("cannot mark the refusals seen: %s"),
			    db_why(c->db, rc));
		return;
	}
	/* The link counts again, and the status line follows. */
	console_changed();
	alert_check_refused(c);
	console_msg(0, _("%lld refusal(s) marked seen; R lists them again"),
		    (long long)marked);
}

/* Two lines per refusal (what was refused, then why), so the reason is
 * whole even at 80 columns. */
static void
refusals_draw(struct console_state *c)
{
	int h = LINES - 4, w = COLS - 8, n = cJSON_GetArraySize(c->refusals);
	int fresh = 0, per = (h - 4) / 2, i = 0, row = 0;
	WINDOW *win = frame_new(h, w);
	const cJSON *o;
	char buf[400];

	if (!win)
		return;
	cJSON_ArrayForEach(o, c->refusals)
		fresh += !cJSON_IsTrue(cJSON_GetObjectItem(o, "seen"));
	wattron(win, A_BOLD);
	wmove(win, 0, 2);
	snprintf(buf, sizeof buf, _(" operations the server refused: %d, %d "
				    "new "), n, fresh);
	text_put(win, buf, w - 4, 0);
	wattroff(win, A_BOLD);
	cJSON_ArrayForEach(o, c->refusals) {
		const cJSON *seq = cJSON_GetObjectItem(o, "seq");
		int seen = cJSON_IsTrue(cJSON_GetObjectItem(o, "seen"));
		char when[20] = "-";
		int64_t t;

		if (i++ < c->refusals_top)
			continue;
		if (row >= per)
			break;
		if (time_parse_iso(refusal_str(o, "at"), &t) == 0)
			time_format_local(t, when);
		snprintf(buf, sizeof buf, "%s %s %.0f  %s  %s  %s  [%s]",
			 seen ? " " : "*", _("seq"), cJSON_IsNumber(seq)
			 ? seq->valuedouble : 0, when, refusal_str(o, "kind"),
			 refusal_str(o, "entity"), refusal_str(o, "code"));
		wmove(win, 2 + row * 2, 2);
		if (!seen)
			wattron(win, A_BOLD);
		text_put(win, buf, w - 4, 0);
		wattroff(win, A_BOLD);
		wmove(win, 3 + row * 2, 6);
		text_put(win, refusal_str(o, "message"), w - 8, 0);
		row++;
	}
	wmove(win, h - 2, 2);
	snprintf(buf, sizeof buf, "%s%s", n > c->refusals_top + per
		 ? _("more: j/Down  ") : "",
		 _("x: mark all seen (the REFUSED count clears)  other keys: "
		   "close"));
	text_put(win, buf, w - 4, 0);
	wnoutrefresh(win);
	delwin(win);
}

/* ---- a page of text: a whole record, a verb's output ---- */

#define PAGE_HINT N_("Up/Down PgUp/PgDn Home/End: scroll  p: print to a " \
		     "file  Esc/q: close")
/* The same where p sends the page to the printer (c->page_print). */
#define PAGE_HINT_PRINT N_("Up/Down PgUp/PgDn Home/End: scroll  p: print  " \
			   "Esc/q: close")
/* The width of a printed page, in columns. */
#define PRINT_WIDTH 78

int
overlay_page(struct console_state *c, const char *title, const char *text,
	     const char *name, int labels)
{
	char *copy = strdup(text ? text : ""), *p;

	if (!copy)
		return -1;
	overlay_close(c);
	c->page = copy;
	snprintf(c->page_title, sizeof c->page_title, "%s", title);
	snprintf(c->page_name, sizeof c->page_name, "%s", name);
	/* A file name beside the database: nothing that leaves its folder. */
	for (p = c->page_name; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '-' && *p != '_')
			*p = '_';
	c->page_labels = labels;
	c->page_print = NULL;
	c->page_top = 0;
	c->overlay = OVERLAY_PAGE;
	c->all_dirty = 1;
	return 0;
}

static int
page_open(struct console_state *c)
{
	return c->page ? 0 : -1;
}

/* The page laid out for this terminal: its rows (wrapped again only
 * when the width changed: a verb's output may be long), the hint's, and
 * how many of the page's rows show at once. */
static const struct wrap *
page_layout(struct console_state *c, struct wrap *hint, int *shown)
{
	int w = COLS - 4;

	if (c->page_width != w) {
		wrap_free(&c->page_rows);
		c->page_width = 0;
		if (wrap_text(&c->page_rows, c->page, w, c->page_labels, w / 3,
			      !console_utf8) < 0)
			return NULL;
		c->page_width = w;
	}
	if (wrap_text(hint, c->page_print ? _(PAGE_HINT_PRINT) : _(PAGE_HINT), w,
		      0, 0, !console_utf8) < 0)
		return NULL;
	*shown = LINES - 4 - hint->n;
	if (*shown < 1)
		*shown = 1;
	return &c->page_rows;
}

/* Write the page to DBPATH.NAME.txt, for the office printer: a record
 * laid out on a page's width, a verb's output as it printed it. */
static void
page_print(struct console_state *c)
{
	const char *enc = getenv("DUTYDESK_PRINT_ENCODING");
	char path[4200], *text = NULL;
	size_t len = 0;
	struct wrap body = { NULL, 0 };
	FILE *mem = open_memstream(&text, &len), *f;
	int i, rc = -1;

	snprintf(path, sizeof path, "%s.%s.txt", c->dbpath, c->page_name);
	if (!mem)
		goto out;
	fprintf(mem, "%s\n\n", c->page_title);
	if (c->page_labels && wrap_text(&body, c->page, PRINT_WIDTH, 1,
					PRINT_WIDTH / 3, 0) == 0)
		for (i = 0; i < body.n; i++)
			fprintf(mem, "%s\n", body.line[i]);
	else
		fputs(c->page, mem);
	if (fclose(mem) != 0)
		goto out;
	if (!(f = fopen(path, "w")))
		goto out;
	if (enc && strcmp(enc, "gb18030") == 0)
		rc = sheet_gb18030(text, len, f);
	else
		rc = fwrite(text, 1, len, f) == len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
out:
	if (rc)
		console_msg(1, _("cannot write %s"), path);
	else
		/* The name alone fits the line; the directory is the
		 * database's, which the officer knows. */
		console_msg(0, _("written to %s beside the database"),
			    strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
	wrap_free(&body);
	free(text);
}

/* Scroll, print, or close (Esc or q); other keys do nothing. */
static void
page_key(struct console_state *c, int ch, int is_key)
{
	enum req r = keys_lookup(NULL, ch, is_key);
	const struct wrap *body;
	struct wrap hint;
	int shown, last;

	if (!is_key && (ch == 27 || ch == 'q')) {
		overlay_close(c);
		return;
	}
	if (!is_key && ch == 'p') {
		if (c->page_print)
			c->page_print(c);
		else
			page_print(c);
		return;
	}
	/* On an incident's record page: sign a written report of it (S),
	 * or print its latest report's sheet (P). */
	if (!is_key && (ch == 'S' || ch == 'P') &&
	    strncmp(c->page_name, "record-", 7) == 0) {
		char id[80];
		cJSON *inc = NULL;
		snprintf(id, sizeof id, "%s", c->page_name + 7);
		if (incident_get(c->db, id, &inc) == 1) {
			cJSON_Delete(inc);
			if (ch == 'S') {
				overlay_close(c);
				incident_sign_open(id);
			} else {
				incident_print_report(id);
			}
		}
		return;
	}
	if (!(body = page_layout(c, &hint, &shown)))
		return;
	last = body->n > shown ? body->n - shown : 0;
	wrap_free(&hint);
	switch (r) {
	case REQ_UP:        c->page_top--; break;
	case REQ_DOWN:      c->page_top++; break;
	case REQ_PAGE_UP:   c->page_top -= shown; break;
	case REQ_PAGE_DOWN: c->page_top += shown; break;
	case REQ_FIRST:     c->page_top = 0; break;
	case REQ_LAST:      c->page_top = last; break;
	default:            return;
	}
	if (c->page_top > last)
		c->page_top = last;
	if (c->page_top < 0)
		c->page_top = 0;
}

static void
page_draw(struct console_state *c)
{
	const struct wrap *body;
	struct wrap hint;
	int h, w, shown, i, drawn;
	char pos[48];
	WINDOW *win;

	if (!(body = page_layout(c, &hint, &shown)))
		return;
	/* The terminal may have grown since the last key. */
	if (c->page_top > body->n - shown)
		c->page_top = body->n > shown ? body->n - shown : 0;
	if ((win = frame_big(&h, &w))) {
		frame_title(win, w, c->page_title);
		for (i = 0; i < shown && c->page_top + i < body->n; i++) {
			wmove(win, 1 + i, 2);
			text_put(win, body->line[c->page_top + i], w - 4, 0);
		}
		drawn = i;
		for (i = 0; i < hint.n; i++) {
			wmove(win, h - 1 - hint.n + i, 2);
			text_put(win, hint.line[i], w - 4, 0);
		}
		/* Where the page stands, on its bottom line. */
		snprintf(pos, sizeof pos, " %d-%d/%d ", body->n ? c->page_top + 1 : 0,
			 c->page_top + drawn, body->n);
		mvwaddstr(win, h - 1, w - 2 - (int)strlen(pos), pos);
		wnoutrefresh(win);
		delwin(win);
	}
	wrap_free(&hint);
}

/* ---- the table ---- */

static const struct {
	/* Load what it shows: 0, or -1 with the message line saying why. */
	int (*open)(struct console_state *c);
	void (*key)(struct console_state *c, int ch, int is_key);
	void (*draw)(struct console_state *c);
} overlays[OVERLAY_N] = {
	[OVERLAY_HELP] = { help_open, help_key, help_draw },
	[OVERLAY_REFUSALS] = { refusals_open, refusals_key, refusals_draw },
	[OVERLAY_PAGE] = { page_open, page_key, page_draw },
};

int
overlay_open(struct console_state *c, enum overlay which)
{
	if (which <= OVERLAY_NONE || which >= OVERLAY_N ||
	    overlays[which].open(c) < 0)
		return -1;
	c->overlay = which;
	c->all_dirty = 1;
	return 0;
}

void
overlay_key(struct console_state *c, int ch, int is_key)
{
	if (c->overlay > OVERLAY_NONE && c->overlay < OVERLAY_N)
		overlays[c->overlay].key(c, ch, is_key);
}

void
overlay_draw(struct console_state *c)
{
	if (c->overlay > OVERLAY_NONE && c->overlay < OVERLAY_N)
		overlays[c->overlay].draw(c);
}

void
overlay_free(struct console_state *c)
{
	cJSON_Delete(c->refusals);
	c->refusals = NULL;
	free(c->page);
	c->page = NULL;
	wrap_free(&c->page_rows);
	c->overlay = OVERLAY_NONE;
}
