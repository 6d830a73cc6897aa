/*
 * keys.c - the one key table: every key of the console maps to a request
 * here, and the '?' help of each pane is made from it. Both a letter and
 * a function key work where terminals eat one or the other.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTRL(c) ((c) & 0x1f)
#define ANY -1

struct keymap {
	int pane;       /* ANY, or the pane index */
	int ch;
	int is_key;     /* a curses KEY_ code rather than a character */
	enum req req;
	const char *name; /* how help shows the key */
};

static const struct keymap keymap[] = {
	{ ANY, 'q', 0, REQ_QUIT, "q" },
	{ ANY, KEY_F(10), 1, REQ_QUIT, "F10" },
	{ ANY, '?', 0, REQ_HELP, "?" },
	{ ANY, KEY_F(12), 1, REQ_HELP, "F12" },
	{ ANY, '\t', 0, REQ_NEXT_PANE, "Tab" },
	{ ANY, KEY_BTAB, 1, REQ_PREV_PANE, "S-Tab" },
	{ ANY, '1', 0, REQ_PANE_1, "1/F1" },
	{ ANY, KEY_F(1), 1, REQ_PANE_1, NULL },
	{ ANY, '2', 0, REQ_PANE_2, "2/F2" },
	{ ANY, KEY_F(2), 1, REQ_PANE_2, NULL },
	{ ANY, '3', 0, REQ_PANE_3, "3/F3" },
	{ ANY, KEY_F(3), 1, REQ_PANE_3, NULL },
	{ ANY, '4', 0, REQ_PANE_4, "4/F4" },
	{ ANY, KEY_F(4), 1, REQ_PANE_4, NULL },
	{ ANY, '5', 0, REQ_PANE_5, "5/F5" },
	{ ANY, KEY_F(5), 1, REQ_PANE_5, NULL },
	{ ANY, '6', 0, REQ_PANE_6, "6/F6" },
	{ ANY, KEY_F(6), 1, REQ_PANE_6, NULL },
	{ ANY, '7', 0, REQ_PANE_7, "7/F7" },
	{ ANY, KEY_F(7), 1, REQ_PANE_7, NULL },
	{ ANY, KEY_UP, 1, REQ_UP, "Up/k" },
	{ ANY, 'k', 0, REQ_UP, NULL },
	{ ANY, KEY_DOWN, 1, REQ_DOWN, "Down/j" },
	{ ANY, 'j', 0, REQ_DOWN, NULL },
	{ ANY, KEY_PPAGE, 1, REQ_PAGE_UP, "PgUp/^B" },
	{ ANY, CTRL('b'), 0, REQ_PAGE_UP, NULL },
	{ ANY, KEY_NPAGE, 1, REQ_PAGE_DOWN, "PgDn/^F" },
	{ ANY, CTRL('f'), 0, REQ_PAGE_DOWN, NULL },
	{ ANY, KEY_HOME, 1, REQ_FIRST, "Home/g" },
	{ ANY, 'g', 0, REQ_FIRST, NULL },
	{ ANY, KEY_END, 1, REQ_LAST, "End/G" },
	{ ANY, 'G', 0, REQ_LAST, NULL },
	{ ANY, '\n', 0, REQ_ENTER, "Enter" },
	{ ANY, '\r', 0, REQ_ENTER, NULL },
	{ ANY, KEY_ENTER, 1, REQ_ENTER, NULL },
	{ ANY, '/', 0, REQ_FILTER, "/" },
	{ ANY, ':', 0, REQ_COMMAND, ":" },
	{ ANY, CTRL('l'), 0, REQ_REDRAW, "^L" },
	{ ANY, 'x', 0, REQ_SEEN, "x" },
	{ ANY, 'R', 0, REQ_REFUSED, "R" },
	/* incidents */
	{ 0, 'a', 0, REQ_ADD, "a" },
	{ 0, KEY_IC, 1, REQ_ADD, NULL },
	{ 0, 'e', 0, REQ_EDIT, "e" },
	{ 0, 's', 0, REQ_STATUS, "s" },
	{ 0, 'r', 0, REQ_REPORT, "r" },
	{ 0, 'd', 0, REQ_DISPATCH, "d" },
	/* response levels */
	{ 1, 's', 0, REQ_START, "s" },
	{ 1, '+', 0, REQ_RAISE, "+/u" },
	{ 1, 'u', 0, REQ_RAISE, NULL },
	{ 1, '-', 0, REQ_LOWER, "-/l" },
	{ 1, 'l', 0, REQ_LOWER, NULL },
	{ 1, 'e', 0, REQ_END, "e" },
	{ 1, ' ', 0, REQ_TICK, "Space/t" },
	{ 1, 't', 0, REQ_TICK, NULL },
	/* teams */
	{ 2, 'd', 0, REQ_DISPATCH, "d" },
	{ 2, 's', 0, REQ_STATUS, "s" },
	/* supplies */
	{ 3, 'r', 0, REQ_RECEIVE, "r" },
	{ 3, 'i', 0, REQ_ISSUE, "i" },
	{ 3, 't', 0, REQ_TRANSFER, "t" },
	{ 3, 'c', 0, REQ_COUNT, "c" },
	/* shelters */
	{ 4, 'o', 0, REQ_OPEN, "o" },
	{ 4, 'i', 0, REQ_CHECKIN, "i/+" },
	{ 4, '+', 0, REQ_CHECKIN, NULL },
	{ 4, 'u', 0, REQ_CHECKOUT, "u/-" },
	{ 4, '-', 0, REQ_CHECKOUT, NULL },
	/* warnings */
	{ 5, 'a', 0, REQ_ADD, "a" },
	{ 5, 'r', 0, REQ_ANSWER, "r" },
	/* duty log */
	{ 6, 'a', 0, REQ_ADD, "a" },
	{ 6, 'z', 0, REQ_ZERO, "z" },
	{ 6, 'h', 0, REQ_HANDOVER, "h" },
	{ 6, 'p', 0, REQ_PRINT, "p" },
};

#define NKEYS (sizeof keymap / sizeof keymap[0])

static const char *const req_helps[] = {
#define REQ_HELP_STR(name, help) help,
	REQ_LIST(REQ_HELP_STR)
#undef REQ_HELP_STR
};

static const char *const req_names[] = {
#define REQ_NAME_STR(name, help) #name,
	REQ_LIST(REQ_NAME_STR)
#undef REQ_NAME_STR
};

const char *
req_help(enum req r)
{
	return r < REQ_N ? req_helps[r] : "";
}

const char *
req_name(enum req r)
{
	return r < REQ_N ? req_names[r] : "";
}

enum req
keys_lookup(int pane, int ch, int is_key)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keymap[i].pane == pane && keymap[i].ch == ch &&
		    keymap[i].is_key == is_key)
			return keymap[i].req;
	for (i = 0; i < NKEYS; i++)
		if (keymap[i].pane == ANY && keymap[i].ch == ch &&
		    keymap[i].is_key == is_key)
			return keymap[i].req;
	return REQ_NONE;
}

char **
keys_help(int pane, int *n)
{
	char **lines = calloc(NKEYS + 1, sizeof *lines);
	size_t i;
	int pass;

	*n = 0;
	if (!lines)
		return NULL;
	/* The pane's own keys first, then those of every pane. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < NKEYS; i++) {
			char buf[160];
			if (!keymap[i].name || (pass == 0 ? keymap[i].pane != pane
						: keymap[i].pane != ANY))
				continue;
			snprintf(buf, sizeof buf, "%-9s %s", keymap[i].name,
				 _(req_help(keymap[i].req)));
			lines[(*n)++] = strdup(buf);
		}
	}
	return lines;
}
