/*
 * keys.c - keys to requests: the keys every pane shares are here, each
 * pane's own in its pane_ops. A pane's own keys are looked up first, and
 * its '?' help is made from both tables. Both a letter and a function
 * key work where terminals eat one or the other.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTRL(c) ((c) & 0x1f)

/* The keys of every pane; each pane's own are in its pane_ops. */
static const struct keymap keymap[] = {
	{ 'q', 0, REQ_QUIT, "q" },
	{ KEY_F(10), 1, REQ_QUIT, "F10" },
	{ '?', 0, REQ_HELP, "?" },
	{ KEY_F(12), 1, REQ_HELP, "F12" },
	{ '\t', 0, REQ_NEXT_PANE, "Tab" },
	{ KEY_BTAB, 1, REQ_PREV_PANE, "S-Tab" },
	{ '1', 0, REQ_PANE_1, "1/F1" },
	{ KEY_F(1), 1, REQ_PANE_1, NULL },
	{ '2', 0, REQ_PANE_2, "2/F2" },
	{ KEY_F(2), 1, REQ_PANE_2, NULL },
	{ '3', 0, REQ_PANE_3, "3/F3" },
	{ KEY_F(3), 1, REQ_PANE_3, NULL },
	{ '4', 0, REQ_PANE_4, "4/F4" },
	{ KEY_F(4), 1, REQ_PANE_4, NULL },
	{ '5', 0, REQ_PANE_5, "5/F5" },
	{ KEY_F(5), 1, REQ_PANE_5, NULL },
	{ '6', 0, REQ_PANE_6, "6/F6" },
	{ KEY_F(6), 1, REQ_PANE_6, NULL },
	{ '7', 0, REQ_PANE_7, "7/F7" },
	{ KEY_F(7), 1, REQ_PANE_7, NULL },
	{ '8', 0, REQ_PANE_8, "8/F8" },
	{ KEY_F(8), 1, REQ_PANE_8, NULL },
	{ '9', 0, REQ_PANE_9, "9/F9" },
	{ KEY_F(9), 1, REQ_PANE_9, NULL },
	{ KEY_UP, 1, REQ_UP, "Up/k" },
	{ 'k', 0, REQ_UP, NULL },
	{ KEY_DOWN, 1, REQ_DOWN, "Down/j" },
	{ 'j', 0, REQ_DOWN, NULL },
	{ KEY_PPAGE, 1, REQ_PAGE_UP, "PgUp/^B" },
	{ CTRL('b'), 0, REQ_PAGE_UP, NULL },
	{ KEY_NPAGE, 1, REQ_PAGE_DOWN, "PgDn/^F" },
	{ CTRL('f'), 0, REQ_PAGE_DOWN, NULL },
	{ KEY_HOME, 1, REQ_FIRST, "Home/g" },
	{ 'g', 0, REQ_FIRST, NULL },
	{ KEY_END, 1, REQ_LAST, "End/G" },
	{ 'G', 0, REQ_LAST, NULL },
	{ '\n', 0, REQ_ENTER, "Enter" },
	{ '\r', 0, REQ_ENTER, NULL },
	{ KEY_ENTER, 1, REQ_ENTER, NULL },
	{ '/', 0, REQ_FILTER, "/" },
	{ ':', 0, REQ_COMMAND, ":" },
	{ CTRL('l'), 0, REQ_REDRAW, "^L" },
	{ 'x', 0, REQ_SEEN, "x" },
	{ 'R', 0, REQ_REFUSED, "R" },
	{ '*', 0, REQ_ALL_TOWNS, "*" },
	{ 'D', 0, REQ_DAILY, "D" },
	{ 0, 0, REQ_NONE, NULL }
};

static const char *const req_helps[] = {
#define REQ_HELP_STR(name, help) help,
	REQ_LIST(REQ_HELP_STR)
#undef REQ_HELP_STR
};

const char *
req_help(enum req r)
{
	return r < REQ_N ? req_helps[r] : "";
}

/* The request ch means in table k (NULL: none), REQ_NONE if none. */
static enum req
lookup(const struct keymap *k, int ch, int is_key)
{
	for (; k && k->req != REQ_NONE; k++)
		if (k->ch == ch && k->is_key == is_key)
			return k->req;
	return REQ_NONE;
}

enum req
keys_lookup(const struct pane_ops *pane, int ch, int is_key)
{
	enum req r = lookup(pane ? pane->keys : NULL, ch, is_key);

	return r != REQ_NONE ? r : lookup(keymap, ch, is_key);
}

static int
count(const struct keymap *k)
{
	int n = 0;

	while (k && k[n].req != REQ_NONE)
		n++;
	return n;
}

/* Add a help line "KEY\twhat it does" for each shown key of table k to
 * lines, but for the keys of over: the help overlay lines the texts up
 * and wraps them to fit. */
static void
help_lines(const struct keymap *k, const struct keymap *over, char **lines,
	   int *n)
{
	const struct keymap *o;
	char buf[160];

	for (; k && k->req != REQ_NONE; k++) {
		if (!k->name)
			continue;
		/* A key the pane gives a meaning of its own (Enter on the
		 * board) is told once, with that meaning. */
		for (o = over; o && o->req != REQ_NONE; o++)
			if (o->ch == k->ch && o->is_key == k->is_key)
				break;
		if (o && o->req != REQ_NONE)
			continue;
		snprintf(buf, sizeof buf, "%s\t%s", k->name, _(req_help(k->req)));
		lines[(*n)++] = strdup(buf);
	}
}

char **
keys_help(const struct pane_ops *pane, int *n)
{
	const struct keymap *own = pane ? pane->keys : NULL;
	char **lines = calloc((size_t)(count(own) + count(keymap) + 1),
			      sizeof *lines);

	*n = 0;
	if (!lines)
		return NULL;
	/* The pane's own keys first, then those of every pane. */
	help_lines(own, NULL, lines, n);
	help_lines(keymap, own, lines, n);
	return lines;
}
