/*
 * pinyin.c - Han characters and Chinese punctuation in ASCII, for a
 * console in an ASCII locale. The readings are the customary mainland
 * ones of Unicode's Unihan database, one a character, packed 9 bits a
 * character by tools/pinyin_table.py into pinyin_table.h: a word read
 * two ways (银行, 长江) gets the character's usual reading, which is
 * still a reading an officer can say aloud and search for.
 */
#include "core/pinyin.h"

#include <string.h>

#include "core/pinyin_table.h"

int
pinyin_syllable(unsigned long cp, char out[PINYIN_MAX])
{
	unsigned long at;
	unsigned v;

	/* 〇 (a zero in dates and house numbers) is not in the block. */
	if (cp == 0x3007) {
		strcpy(out, "Ling");
		return 4;
	}
	if (cp < PINYIN_FIRST || cp > PINYIN_LAST)
		return 0;
	at = (cp - PINYIN_FIRST) * 9;
	v = (pinyin_bits[at / 8] | (unsigned)pinyin_bits[at / 8 + 1] << 8)
	    >> (at % 8) & 0x1ff;
	if (v == 0)
		return 0;
	memcpy(out, pinyin_syllables[v], PINYIN_MAX - 1);
	out[PINYIN_MAX - 1] = 0;
	out[0] = (char)(out[0] - 'a' + 'A');
	return (int)strlen(out);
}

/* Chinese punctuation outside the full-width block. */
static const struct {
	unsigned short cp;
	char ascii[4];
} punct[] = {
	{ 0x00b7, "." }, { 0x00d7, "x" }, { 0x2013, "-" }, { 0x2014, "-" },
	{ 0x2018, "'" }, { 0x2019, "'" }, { 0x201c, "\"" }, { 0x201d, "\"" },
	{ 0x2026, "..." }, { 0x2103, "C" }, { 0x2236, ":" }, { 0x3000, " " },
	{ 0x3001, "," }, { 0x3002, "." }, { 0x3008, "<" }, { 0x3009, ">" },
	{ 0x300a, "<" }, { 0x300b, ">" }, { 0x300c, "\"" }, { 0x300d, "\"" },
	{ 0x300e, "\"" }, { 0x300f, "\"" }, { 0x3010, "[" }, { 0x3011, "]" },
	{ 0x3014, "[" }, { 0x3015, "]" }, { 0x301c, "~" }, { 0x30fb, "." },
};

int
pinyin_punct(unsigned long cp, char out[PINYIN_MAX])
{
	size_t i;

	if (cp >= 0xff01 && cp <= 0xff5e) {
		/* The full-width forms of ASCII (３, Ａ, （). */
		out[0] = (char)(cp - 0xfee0);
		out[1] = 0;
		return 1;
	}
	for (i = 0; i < sizeof punct / sizeof punct[0]; i++)
		if (punct[i].cp == cp) {
			strcpy(out, punct[i].ascii);
			return (int)strlen(out);
		}
	return 0;
}

/* The code point of the UTF-8 sequence at s (its length in *len), or
 * -1 for a byte that starts none. */
static long
utf8_next(const unsigned char *s, int *len)
{
	long cp;
	int n, i;

	if (s[0] < 0x80) {
		*len = 1;
		return s[0];
	}
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;
	*len = 1;
	if (!n)
		return -1;
	cp = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	*len = n;
	return cp;
}

void
pinyin_of(const char *s, char *out, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	char syl[PINYIN_MAX];
	size_t o = 0;
	int len, k, prev_han = 0;

	if (n == 0)
		return;
	while (*p && o + 1 < n) {
		long cp = utf8_next(p, &len);
		p += len;
		if (cp < 0)
			continue;
		if (cp < 0x80) {
			out[o++] = (char)cp;
			prev_han = 0;
			continue;
		}
		if (!(k = pinyin_syllable((unsigned long)cp, syl)) &&
		    !(k = pinyin_punct((unsigned long)cp, syl)))
			continue;
		/* Syllables apart, as names are written ("Wu Wen Bin"). */
		if (o > 0 && out[o - 1] != ' ' && (prev_han || cp >= 0x3400) &&
		    o + 1 < n)
			out[o++] = ' ';
		if (o + (size_t)k >= n)
			break;
		memcpy(out + o, syl, (size_t)k);
		o += (size_t)k;
		prev_han = cp >= 0x3400;
	}
	out[o] = 0;
}
