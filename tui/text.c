/*
 * text.c - display width of UTF-8 text: CJK is two columns wide and is
 * never cut inside a character.
 */
#include "tui/tui.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "tui/console.h"

/* Decode one UTF-8 character; returns its length (1 on a bad byte). */
static int
utf8_next(const char *s, wchar_t *wc)
{
	mbstate_t st;
	size_t n;

	memset(&st, 0, sizeof st);
	n = mbrtowc(wc, s, strlen(s), &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*wc = (wchar_t)(unsigned char)*s;
		return 1;
	}
	return (int)n;
}

static int
char_width(wchar_t wc)
{
	int w = wcwidth(wc);
	return w < 0 ? 1 : w;
}

int
text_width(const char *s)
{
	int w = 0;
	wchar_t wc;

	while (s && *s) {
		s += utf8_next(s, &wc);
		w += char_width(wc);
	}
	return w;
}

/* ---- in a curses window ---- */

/* Set from the locale by term.c when the console starts. */
int console_utf8 = 1;

void
text_put(WINDOW *win, const char *s, int width, int pad)
{
	int w = 0, n, cw;
	wchar_t wc;

	while (s && *s && w < width) {
		n = utf8_next(s, &wc);
		if (wc == '\n' || wc == '\t')
			wc = ' ';
		if (!console_utf8 && (wc > 0x7e || wc < 0x20)) {
			/* An ASCII terminal gets a placeholder per character. */
			waddch(win, '?');
			s += n;
			w++;
			continue;
		}
		cw = char_width(wc);
		if (w + cw > width)
			break;
		if (wc < 0x20)
			waddch(win, ' ');
		else if (n == 1)
			waddch(win, (chtype)(unsigned char)*s);
		else
			waddnstr(win, s, n);
		s += n;
		w += cw;
	}
	while (pad && w++ < width)
		waddch(win, ' ');
}
