/*
 * layout.c - the console's windows for the terminal's size: the status
 * line, the tabs, the panes and the message line. At 80x24 one pane
 * shows at a time under its tab; at 160x48 and up, four, two rows of
 * two; below 80x24, a notice.
 */
#include "tui/console.h"

#include <stdio.h>
#include <sys/ioctl.h>

#include "tui/tui.h"

#define MIN_COLS 80
#define MIN_LINES 24

void
layout_free(struct console_state *c)
{
	int i;

	for (i = 0; i < CONSOLE_PANES; i++) {
		if (c->panes[i].win)
			delwin(c->panes[i].win);
		c->panes[i].win = NULL;
		c->panes[i].redraw = 1;
	}
	if (c->status)
		delwin(c->status);
	if (c->tabs)
		delwin(c->tabs);
	if (c->msgwin)
		delwin(c->msgwin);
	c->status = c->tabs = c->msgwin = NULL;
}

void
layout_make(struct console_state *c)
{
	int i, h, w, ph;

	c->too_small = COLS < MIN_COLS || LINES < MIN_LINES;
	c->wide = COLS >= 160 && LINES >= 48;
	layout_free(c);
	clearok(curscr, TRUE);
	c->all_dirty = c->status_dirty = c->msg_dirty = 1;
	if (c->too_small)
		return;
	c->status = newwin(1, COLS, 0, 0);
	c->tabs = newwin(1, COLS, 1, 0);
	c->msgwin = newwin(1, COLS, LINES - 1, 0);
	ph = LINES - 3;
	if (!c->wide) {
		c->panes[c->cur].win = newwin(ph, COLS, 2, 0);
		return;
	}
	/* Four panes at once: two rows of two. */
	h = ph / 2;
	w = COLS / 2;
	for (i = 0; i < 4; i++) {
		struct pane *p = &c->panes[c->slot[i]];
		p->win = newwin(i < 2 ? h : ph - h, i % 2 ? COLS - w : w - 1,
				2 + (i < 2 ? 0 : h), i % 2 ? w : 0);
	}
}

void
layout_resize(struct console_state *c)
{
	struct winsize ws;

	/* libuv's handler replaced ncurses' own: read the size ourselves. */
	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	layout_make(c);
}

int
layout_visible(const struct console_state *c, int i)
{
	int k;

	if (c->too_small)
		return 0;
	if (!c->wide)
		return i == c->cur;
	for (k = 0; k < 4; k++)
		if (c->slot[k] == i)
			return 1;
	return 0;
}

/* The tabs fit COLS: a space either side of each when all fit that way
 * (nine English titles do not at 80 columns), else one between two;
 * and if that is still too wide, the longest titles but the shown pane's
 * cut a column at a time (the number, what the officer types, is never
 * cut). tw gets each
 * title's width; returns the spaces either side of a tab. */
static int
tabs_fit(const struct console_state *c, int tw[CONSOLE_PANES])
{
	int i, sp, total = 0, widest;

	for (i = 0; i < CONSOLE_PANES; i++) {
		tw[i] = text_width(_(c->panes[i].ops->title));
		/* "N title": the number, a space and the title. */
		total += tw[i] + 2;
	}
	sp = total + 2 * CONSOLE_PANES <= COLS;
	/* One between two tabs, and one before the first. */
	total += sp ? 2 * CONSOLE_PANES : CONSOLE_PANES;
	while (total > COLS) {
		/* The pane shown keeps its whole title: where the officer is. */
		for (widest = c->cur == 0, i = widest + 1; i < CONSOLE_PANES; i++)
			if (i != c->cur && tw[i] > tw[widest])
				widest = i;
		if (tw[widest] == 0)
			break;
		tw[widest]--;
		total--;
	}
	return sp;
}

void
layout_draw_tabs(struct console_state *c)
{
	int i, tw[CONSOLE_PANES], sp = tabs_fit(c, tw);

	werase(c->tabs);
	wmove(c->tabs, 0, 0);
	for (i = 0; i < CONSOLE_PANES; i++) {
		char num[8];
		if (!sp && i > 0)
			text_put(c->tabs, " ", COLS, 0);
		if (i == c->cur)
			wattron(c->tabs, A_REVERSE | A_BOLD);
		else if (layout_visible(c, i))
			wattron(c->tabs, A_BOLD);
		snprintf(num, sizeof num, "%s%d ", sp || i == 0 ? " " : "", i + 1);
		text_put(c->tabs, num, COLS, 0);
		text_put(c->tabs, _(c->panes[i].ops->title), tw[i], 1);
		if (sp)
			text_put(c->tabs, " ", COLS, 0);
		wattrset(c->tabs, A_NORMAL);
	}
	wnoutrefresh(c->tabs);
}

void
layout_draw_small(void)
{
	char buf[160];

	werase(stdscr);
	snprintf(buf, sizeof buf, _("terminal too small: %dx%d, need %dx%d"),
		 COLS, LINES, MIN_COLS, MIN_LINES);
	move(LINES / 2, 0);
	text_put(stdscr, buf, COLS, 0);
	wnoutrefresh(stdscr);
}
