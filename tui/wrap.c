/*
 * wrap.c - text laid out in rows that fit a width, for the pages and the
 * help over the panes: a row is never cut, it goes on below. Widths are
 * those text_put() draws: CJK two columns, and in an ASCII terminal the
 * pinyin (or stand-in) it writes for each character it cannot show.
 */
#include "tui/console.h"
#include "tui/tui.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The columns text_put() takes for the first n bytes of s, drawn as a
 * row of their own (in ASCII a character's pinyin, and the space
 * between syllables, depend on its neighbours). */
static int
row_width(const char *s, size_t n)
{
	char buf[1024];

	if (n >= sizeof buf)
		n = sizeof buf - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return text_width(buf);
}

/* The display width of the first n bytes of s. */
static int
width_of(const char *s, size_t n, int ascii)
{
	const char *end = s + n;
	int w = 0, cw;

	if (ascii)
		return row_width(s, n);
	while (s < end && *s) {
		s += text_next(s, &cw);
		w += cw;
	}
	return w;
}

/* Add a row: indent spaces, then n bytes of s, without trailing spaces. */
static int
add_row(struct wrap *w, int indent, const char *s, size_t n)
{
	char **grown, *row;

	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (!(grown = realloc(w->line, (size_t)(w->n + 1) * sizeof *grown)))
		return -1;
	w->line = grown;
	if (!(row = malloc((size_t)indent + n + 1)))
		return -1;
	memset(row, ' ', (size_t)indent);
	memcpy(row + indent, s, n);
	row[indent + n] = 0;
	w->line[w->n++] = row;
	return 0;
}

/* Where the row that starts at s ends to fit avail columns: at a space,
 * or beside a wide (CJK) character, else at the last character that
 * fits (a long word or number is broken rather than cut). */
static const char *
row_end(const char *s, int avail, int ascii)
{
	const char *p = s, *brk = NULL;
	int used = 0, cw, n, prev_wide = 0;

	while (*p) {
		/* Where to break is read from the text (a space, a wide
		 * character); how much fits, from what is drawn. */
		n = text_next(p, &cw);
		if ((ascii ? row_width(s, (size_t)(p + n - s))
		     : used + cw) > avail) {
			if (*p == ' ')
				return p;
			if (brk && brk > s)
				return brk;
			/* Nothing fits (a wide character in one column): take
			 * one, or the text would never end. */
			return p > s ? p : p + n;
		}
		if (*p == ' ' || cw == 2 || prev_wide)
			brk = p;
		prev_wide = cw == 2;
		used += cw;
		p += n;
	}
	return p;
}

/* The rest of a line from s on, in rows of width columns that start
 * with hang spaces. */
static int
wrap_rest(struct wrap *w, const char *s, int width, int hang, int ascii)
{
	const char *end;

	for (;;) {
		while (*s == ' ')
			s++;
		if (!*s)
			return 0;
		end = row_end(s, width - hang, ascii);
		if (add_row(w, hang, s, (size_t)(end - s)) < 0)
			return -1;
		s = end;
	}
}

/* One line of text: head (already laid out, headw columns wide) then
 * body, in rows of width columns; rows after the first start with hang
 * spaces. */
static int
wrap_one(struct wrap *w, const char *head, int headw, const char *body,
	 int width, int hang, int ascii)
{
	size_t hn = strlen(head), bn;
	const char *end;
	char *row;
	int rc;

	if (hang > width / 2)
		hang = 0;
	if (headw >= width) {
		/* A head too long to share a row goes on rows of its own. */
		if (wrap_one(w, "", 0, head, width, 0, ascii) < 0)
			return -1;
		return wrap_rest(w, body, width, hang, ascii);
	}
	end = row_end(body, width - headw, ascii);
	bn = (size_t)(end - body);
	if (!(row = malloc(hn + bn + 1)))
		return -1;
	memcpy(row, head, hn);
	memcpy(row + hn, body, bn);
	rc = add_row(w, 0, row, hn + bn);
	free(row);
	return rc < 0 ? -1 : wrap_rest(w, end, width, hang, ascii);
}

/* The widest label of the "label\tvalue" lines of text. */
static int
widest_label(const char *text, int ascii)
{
	const char *line = text, *tab, *nl;
	int max = 0, lw;

	for (; *line; line = *nl ? nl + 1 : nl) {
		nl = line + strcspn(line, "\n");
		tab = memchr(line, '\t', (size_t)(nl - line));
		if (tab && (lw = width_of(line, (size_t)(tab - line), ascii)) > max)
			max = lw;
	}
	return max;
}

int
wrap_text(struct wrap *w, const char *text, int width, int labels,
	  int label_max, int ascii)
{
	char *copy = strdup(text ? text : ""), *line, *nl, *tab, *p, *head;
	int col = 0, rc = 0;

	w->line = NULL;
	w->n = 0;
	if (!copy)
		return -1;
	if (width < 4)
		width = 4;
	if (labels) {
		col = widest_label(copy, ascii);
		col = (col > label_max ? label_max : col) + 2;
	}
	for (line = copy; rc == 0 && line; line = nl) {
		if ((nl = strchr(line, '\n')))
			*nl++ = 0;
		if (!nl && !*line)
			break;
		tab = labels ? strchr(line, '\t') : NULL;
		if (tab) {
			int lw;
			*tab = 0;
			lw = width_of(line, strlen(line), ascii);
			/* The label padded to the column of the values. */
			if (!(head = malloc(strlen(line) + (size_t)col + 2))) {
				rc = -1;
				break;
			}
			strcpy(head, line);
			p = head + strlen(head);
			do
				*p++ = ' ';
			while (++lw < col);
			*p = 0;
			for (p = tab + 1; *p; p++)
				if (*p == '\t')
					*p = ' ';
			rc = wrap_one(w, head, lw, tab + 1, width, col, ascii);
			free(head);
		} else {
			size_t lead = strspn(line, " \t");
			/* A verb's JSON is indented by tabs: two spaces each. */
			char spaces[64];
			int sw = 0;
			size_t i;
			for (i = 0; i < lead && sw < (int)sizeof spaces - 3; i++) {
				spaces[sw++] = ' ';
				if (line[i] == '\t')
					spaces[sw++] = ' ';
			}
			spaces[sw] = 0;
			for (p = line + lead; *p; p++)
				if (*p == '\t')
					*p = ' ';
			rc = wrap_one(w, spaces, sw, line + lead, width, sw, ascii);
		}
	}
	free(copy);
	if (rc)
		wrap_free(w);
	return rc;
}

void
wrap_free(struct wrap *w)
{
	int i;

	for (i = 0; i < w->n; i++)
		free(w->line[i]);
	free(w->line);
	w->line = NULL;
	w->n = 0;
}
