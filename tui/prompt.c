/*
 * prompt.c - the console's bottom line: the last message, or the prompt
 * being typed on it. ':' runs a shell verb line (the same verbs as
 * `dutydesk VERB ...` from a shell) and shows what it wrote (a page over
 * the panes when it is more than a line), '/' filters the pane in focus.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/tui.h"

void
prompt_start(struct console_state *c, int which)
{
	c->prompt = which;
	c->line[0] = 0;
	c->line_len = 0;
	c->msg_dirty = 1;
}

/* ---- the ':' command line runs the shell verbs ---- */

/* The first line of what a verb wrote (n bytes at buf), without the
 * program's name, into msg unless msg already holds one. */
static void
first_line(const char *buf, size_t n, char *msg, size_t mn)
{
	size_t len;

	if (msg[0] || !buf || !n)
		return;
	len = strcspn(buf, "\n");
	if (strncmp(buf, "dutydesk: ", 10) == 0 && len >= 10) {
		buf += 10;
		len -= 10;
	}
	snprintf(msg, mn, "%.*s", (int)len, buf);
}

/* The lines of n bytes at buf (a last line without its \n counts). */
static int
count_lines(const char *buf, size_t n)
{
	int lines = 0;
	size_t i;

	for (i = 0; buf && i < n; i++)
		lines += buf[i] == '\n' || i == n - 1;
	return lines;
}

/* More than a line from a verb is shown whole on a page over the panes:
 * what it printed, then its messages. */
static void
show_page(struct console_state *c, const char *line, const char *obuf,
	  size_t on, const char *ebuf, size_t en)
{
	char *text = NULL, title[300];
	size_t len = 0;
	FILE *f;

	if (count_lines(obuf, on) + count_lines(ebuf, en) < 2 ||
	    !(f = open_memstream(&text, &len)))
		return;
	if (on)
		fprintf(f, "%.*s%s", (int)on, obuf, obuf[on - 1] == '\n' ? "" : "\n");
	if (en)
		fprintf(f, "%.*s", (int)en, ebuf);
	if (fclose(f) == 0) {
		snprintf(title, sizeof title, ":%s", line);
		overlay_page(c, title, text, "output", 0);
	}
	free(text);
}

/* Run a shell verb line inside the console (the ':' command line). */
static int
prompt_command(struct console_state *c, const char *line, char *msg,
	       size_t n)
{
	char *copy, *argv[40], *p, *obuf = NULL, *ebuf = NULL;
	size_t on = 0, en = 0;
	int argc = 0, rc;
	FILE *out, *err;

	/* The drill's own verbs: its clock stops and goes on. */
	if (strncmp(line, "drill ", 6) == 0 && c->drill &&
	    (rc = drill_clock_command(c, line + 6, msg, n)) >= 0)
		return rc;
	/* The list of refusals needs more than the message line: it opens
	 * the overlay R opens (--json and --ack go to the shell verb). */
	if (strcmp(line, "link refused") == 0) {
		snprintf(msg, n, "%s", overlay_open(c, OVERLAY_REFUSALS) == 0
			 ? _("x marks them seen") : c->msg);
		return 0;
	}
	if (!(copy = strdup(line)))
		return 1;
	argv[argc++] = "dutydesk";
	argv[argc++] = "--db";
	argv[argc++] = c->dbpath;
	argv[argc++] = "--officer";
	argv[argc++] = (char *)db_officer(c->db);
	/* Words split on spaces; "double quotes" keep spaces together. */
	for (p = copy; *p && argc < 38;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (*p == '"') {
			argv[argc++] = ++p;
			while (*p && *p != '"')
				p++;
		} else {
			argv[argc++] = p;
			while (*p && *p != ' ')
				p++;
		}
		if (*p)
			*p++ = 0;
	}
	argv[argc] = NULL;
	/* The verb writes to streams in memory, so the screen stays whole;
	 * its first message, else the first line it printed, is shown, and
	 * when it wrote more than a line, all of it on a page. */
	msg[0] = 0;
	out = open_memstream(&obuf, &on);
	err = open_memstream(&ebuf, &en);
	if (!out || !err) {
		snprintf(msg, n, "%s", dd_strerror(DD_E_NOMEM));
		rc = 1;
	} else {
		rc = shell_run(argc, argv, out, err);
	}
	if (out)
		fclose(out);
	if (err)
		fclose(err);
	first_line(ebuf, en, msg, n);
	first_line(obuf, on, msg, n);
	show_page(c, line, obuf, on, ebuf, en);
	free(obuf);
	free(ebuf);
	if (!msg[0])
		snprintf(msg, n, rc ? _("refused") : _("done"));
	free(copy);
	return rc;
}

/* Returns 1 when a ':' line ran (data may have changed), else 0. */
int
prompt_key(struct console_state *c, int ch, int is_key)
{
	char msg[256] = "";
	int ran = 0;

	if (!is_key && (ch == '\n' || ch == '\r')) {
		if (c->prompt == ':') {
			if (c->line[0]) {
				int rc = prompt_command(c, c->line, msg, sizeof msg);
				console_msg(rc != 0, "%s", msg);
				ran = 1;
			}
		} else {
			struct pane *p = &c->panes[c->cur];
			snprintf(p->view.filter, sizeof p->view.filter, "%.*s",
				 (int)sizeof p->view.filter - 1, c->line);
			p->dirty = 1;
			console_msg(0, c->line[0] ? _("filter: %s") : "%s", c->line);
		}
		c->prompt = 0;
	} else if (!is_key && ch == 27) {
		c->prompt = 0;
		console_msg(0, "%s", "");
	} else if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 ||
								  ch == 8))) {
		/* Remove one whole UTF-8 character. */
		while (c->line_len > 0 &&
		       ((unsigned char)c->line[--c->line_len] & 0xc0) == 0x80)
			;
		c->line[c->line_len] = 0;
	} else if (!is_key && ch >= 0x20) {
		/* The line is UTF-8 whatever the terminal's charset. */
		wchar_t wc[2] = { (wchar_t)ch, 0 };
		char mb[8];
		size_t n = text_from_wcs(mb, sizeof mb, wc, 1);
		if (n && c->line_len + n < sizeof c->line) {
			memcpy(c->line + c->line_len, mb, n);
			c->line_len += n;
			c->line[c->line_len] = 0;
		}
	}
	c->msg_dirty = 1;
	return ran;
}

void
prompt_draw(struct console_state *c)
{
	werase(c->msgwin);
	wmove(c->msgwin, 0, 0);
	if (c->prompt) {
		char buf[300];
		snprintf(buf, sizeof buf, "%c%s", c->prompt, c->line);
		text_put(c->msgwin, buf, COLS - 1, 0);
		curs_set(1);
	} else {
		if (c->msg_err)
			wattron(c->msgwin, A_BOLD);
		text_put(c->msgwin, c->msg[0] ? c->msg
			 : _("? keys  Tab/1-9 panes  : command  q quit"), COLS - 1, 0);
		wattroff(c->msgwin, A_BOLD);
	}
	wnoutrefresh(c->msgwin);
}
