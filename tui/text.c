/*
 * text.c - UTF-8 text on the officer's terminal, whatever its charset.
 * Text inside dutydesk is always UTF-8; the terminal takes one of three:
 * UTF-8; a Chinese multibyte charset such as GB18030 or GBK (many
 * Chinese SSH clients run one), where curses turns each character into
 * the locale's bytes as it writes it; or ASCII, where Chinese shows as
 * toneless pinyin, one capitalised syllable a character ("大田街道" is
 * "Da Tian Jie Dao": without a dictionary the words cannot be told
 * apart, so every syllable stands alone). CJK is two columns wide and
 * no character is ever cut.
 */
#include "tui/tui.h"

#include <ctype.h>
#include <langinfo.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui/console.h"
#include "core/pinyin.h"

/* TEXT_ANY: until the console starts, text is measured as a UTF-8
 * terminal would show it, whatever the locale (the shell pads its
 * tables that way). */
enum text_mode { TEXT_ANY, TEXT_UTF8, TEXT_LOCAL, TEXT_ASCII };

static enum text_mode mode = TEXT_ANY;
int console_utf8 = 1;

void
text_init(void)
{
	const char *cs = nl_langinfo(CODESET);

	if (cs && strcmp(cs, "UTF-8") == 0)
		mode = TEXT_UTF8;
	else if (MB_CUR_MAX > 1)
		mode = TEXT_LOCAL;
	else
		mode = TEXT_ASCII;
	console_utf8 = mode != TEXT_ASCII;
}

/* Decode one UTF-8 character; a bad byte is U+FFFD and one byte long.
 * The locale is not asked: it may be GB18030 or C. */
static int
utf8_decode(const char *s, unsigned long *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned long c;
	int n, i;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2, c = u[0] & 0x1f;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3, c = u[0] & 0x0f;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4, c = u[0] & 0x07;
	else
		goto bad;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto bad;
		c = c << 6 | (u[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff))
	    || (c >= 0xd800 && c <= 0xdfff))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = 0xfffd;
	return 1;
}

static int
utf8_encode(unsigned long c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xc0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c >= 0xd800 && c <= 0xdfff)
		c = 0xfffd;
	if (c < 0x10000) {
		out[0] = (char)(0xe0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3f));
		out[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	if (c > 0x10ffff)
		return utf8_encode(0xfffd, out);
	out[0] = (char)(0xf0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3f));
	out[2] = (char)(0x80 | (c >> 6 & 0x3f));
	out[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

size_t
text_to_wcs(wchar_t *out, size_t n, const char *s)
{
	unsigned long cp;
	size_t k = 0;

	while (s && *s && k + 1 < n) {
		s += utf8_decode(s, &cp);
		out[k++] = (wchar_t)cp;
	}
	if (n)
		out[k] = 0;
	return k;
}

size_t
text_from_wcs(char *out, size_t n, const wchar_t *w, size_t len)
{
	char one[4];
	size_t k = 0;
	int m;

	for (; len && *w; w++, len--) {
		m = utf8_encode((unsigned long)*w, one);
		if (k + (size_t)m >= n)
			break;
		memcpy(out + k, one, (size_t)m);
		k += (size_t)m;
	}
	if (n)
		out[k] = 0;
	return k;
}

/* ---- characters as the terminal shows them ---- */

/* One character of the text as this terminal shows it: the character
 * itself (wc), or an ASCII stand-in (ascii: pinyin with the space that
 * parts it from its neighbours, punctuation, '?'). */
struct glyph {
	wchar_t wc;
	char ascii[PINYIN_MAX + 2];
	int width;
};

/* Text read a character at a time, from UTF-8 (s) or wide characters
 * (w, n), remembering what came last: a syllable and a letter or digit
 * next to it are parted by a space ("3 Hao", "Da Tian"), and so is a
 * word after a Chinese comma or stop, whose own width held that space
 * ("Jin Shui, Cang Ku"). */
struct walk {
	const char *s;
	const wchar_t *w;
	size_t n;
	int after_alnum, after_syllable, after_stop;
};

static int
walk_cp(struct walk *k, unsigned long *cp)
{
	if (k->s) {
		if (!*k->s)
			return 0;
		k->s += utf8_decode(k->s, cp);
		return 1;
	}
	if (!k->w || !k->n || !*k->w)
		return 0;
	*cp = (unsigned long)*k->w++;
	k->n--;
	return 1;
}

/* Columns of a character shown as itself: wcwidth where the locale
 * knows it (its answer is the one curses goes by), else (TEXT_ANY in a
 * locale that does not) two for the East Asian wide ranges. */
static int
wide_width(unsigned long c)
{
	int w = wcwidth((wchar_t)c);

	if (w >= 0)
		return w;
	return (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
	       (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	       (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	       (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd)
	       ? 2 : 1;
}

/* The terminal can show c as itself: in UTF-8 when the locale knows
 * its width (not an unassigned code point); in a legacy charset when
 * the locale also has bytes for it (GBK has no emoji). */
static int
shows(unsigned long c)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;

	switch (mode) {
	case TEXT_ANY:
		return 1;
	case TEXT_UTF8:
		return wcwidth((wchar_t)c) >= 0;
	case TEXT_LOCAL:
		memset(&st, 0, sizeof st);
		return wcwidth((wchar_t)c) > 0 &&
		       wcrtomb(mb, (wchar_t)c, &st) != (size_t)-1;
	default:
		return 0;
	}
}

/* Chinese punctuation that a space follows in ASCII. */
static int
is_stop(unsigned long c)
{
	return c == 0x3001 || c == 0x3002 || c == 0xff0c || c == 0xff1a ||
	       c == 0xff1b || c == 0xff01 || c == 0xff1f;
}

/* c in ASCII: itself, its pinyin, its punctuation, or '?'. */
static void
stand_in(struct walk *k, unsigned long c, struct glyph *g)
{
	char s[PINYIN_MAX];
	int syllable = 0, word;

	if (c < 0x80)
		s[0] = (char)c, s[1] = 0;
	else if (pinyin_syllable(c, s))
		syllable = 1;
	else if (!pinyin_punct(c, s))
		strcpy(s, "?");
	word = syllable || isalnum((unsigned char)s[0]);
	snprintf(g->ascii, sizeof g->ascii, "%s%s",
		 word && (k->after_syllable || k->after_stop ||
			  (syllable && k->after_alnum)) ? " " : "", s);
	k->after_syllable = syllable;
	k->after_alnum = isalnum((unsigned char)s[strlen(s) - 1]);
	k->after_stop = is_stop(c);
	g->width = (int)strlen(g->ascii);
}

static int
walk_next(struct walk *k, struct glyph *g)
{
	unsigned long c;

	if (!walk_cp(k, &c))
		return 0;
	g->wc = 0;
	g->ascii[0] = 0;
	/* Line breaks, tabs and other controls take one column each. */
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		c = ' ';
	if (c < 0x80 || !shows(c)) {
		stand_in(k, c, g);
		return 1;
	}
	g->wc = (wchar_t)c;
	g->width = wide_width(c);
	k->after_alnum = k->after_syllable = k->after_stop = 0;
	return 1;
}

static int
walk_width(struct walk *k)
{
	struct glyph g;
	int w = 0;

	while (walk_next(k, &g))
		w += g.width;
	return w;
}

int
text_next(const char *s, int *w)
{
	unsigned long c;
	int n = utf8_decode(s, &c);

	*w = c < 0x20 ? 1 : wide_width(c);
	return n;
}

int
text_width(const char *s)
{
	struct walk k = { s ? s : "", NULL, 0, 0, 0, 0 };

	return walk_width(&k);
}

int
text_wcs_width(const wchar_t *w, size_t n)
{
	struct walk k = { NULL, w, n, 0, 0, 0 };

	return walk_width(&k);
}

/* ---- in a curses window ---- */

void
text_put(WINDOW *win, const char *s, int width, int pad)
{
	struct walk k = { s ? s : "", NULL, 0, 0, 0, 0 };
	struct glyph g;
	int w = 0;

	while (w < width && walk_next(&k, &g)) {
		if (g.ascii[0]) {
			/* A syllable is cut like any ASCII word. */
			int n = g.width < width - w ? g.width : width - w;
			waddnstr(win, g.ascii, n);
			w += n;
			continue;
		}
		if (w + g.width > width)
			break;
		/* curses turns it into the locale's bytes as it writes. */
		waddnwstr(win, &g.wc, 1);
		w += g.width;
	}
	while (pad && w++ < width)
		waddch(win, ' ');
}
