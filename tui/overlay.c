/*
 * overlay.c - windows over the panes that take the keys until they
 * close: the keys of the pane in focus (?) and the operations the server
 * refused (R). Each kind is a row of the table at the end (open, key,
 * draw), so a new view over the panes is one more row.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>

/* A bordered window over the panes, drawn anew each time. */
static WINDOW *
frame_new(int h, int w)
{
	WINDOW *win = newwin(h, w, 2, 4);

	if (!win)
		return NULL;
	werase(win);
	/* ASCII borders: box-drawing characters have an ambiguous width
	 * and misalign in many Chinese SSH clients. */
	wborder(win, '|', '|', '-', '-', '+', '+', '+', '+');
	return win;
}

/* Close whatever is shown; the panes under it are repainted. */
static void
overlay_close(struct console_state *c)
{
	cJSON_Delete(c->refusals);
	c->refusals = NULL;
	c->overlay = OVERLAY_NONE;
	c->all_dirty = 1;
	touchwin(stdscr);
}

/* ---- the keys of the pane in focus ---- */

static int
help_open(struct console_state *c)
{
	(void)c;
	return 0;
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
	int n, i, h = LINES - 4, w = COLS - 8;
	char **lines = keys_help(c->panes[c->cur].ops, &n);
	WINDOW *win = frame_new(h, w);

	if (!win || !lines)
		goto out;
	wattron(win, A_BOLD);
	mvwaddstr(win, 0, 2, " ");
	text_put(win, _(c->panes[c->cur].ops->title), w - 6, 0);
	waddstr(win, ": ");
	text_put(win, _("keys (any key closes)"), w - 20, 0);
	wattroff(win, A_BOLD);
	/* Two columns when they do not fit in one. */
	for (i = 0; i < n; i++) {
		int col = i / (h - 2), row = i % (h - 2);
		if (col > 1)
			break;
		wmove(win, 1 + row, 2 + col * (w / 2));
		text_put(win, lines[i], w / 2 - 3, 0);
	}
	/* The realm of a county-wide drill, which the status line may not
	 * have room for: how the towns join stays one key away. */
	if (c->drill_county) {
		char buf[160];
		snprintf(buf, sizeof buf, _(" towns join: dutydesk drill join %s "),
			 c->si.realm);
		wmove(win, h - 1, 2);
		wattron(win, A_BOLD);
		text_put(win, buf, w - 4, 0);
		wattroff(win, A_BOLD);
	}
	wnoutrefresh(win);
out:
	for (i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
	if (win)
		delwin(win);
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

/* ---- the table ---- */

static const struct {
	/* Load what it shows: 0, or -1 with the message line saying why. */
	int (*open)(struct console_state *c);
	void (*key)(struct console_state *c, int ch, int is_key);
	void (*draw)(struct console_state *c);
} overlays[OVERLAY_N] = {
	[OVERLAY_HELP] = { help_open, help_key, help_draw },
	[OVERLAY_REFUSALS] = { refusals_open, refusals_key, refusals_draw },
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
	c->overlay = OVERLAY_NONE;
}
