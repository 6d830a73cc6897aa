/*
 * test_text.c - text on the officer's terminal: pinyin and ASCII
 * stand-ins from the generated table, display widths in each of the
 * three charsets (UTF-8, GB18030, ASCII), and UTF-8 to wide characters
 * and back whatever the locale (a GBK terminal's input is stored as
 * UTF-8).
 */
#include "testlib.h"

#include <locale.h>
#include <wchar.h>

#include "tui/text.c"

/* Switch the locale and the text mode; 0 when the locale is missing. */
static int
use_locale(const char *name)
{
	if (!setlocale(LC_ALL, name))
		return 0;
	text_init();
	return 1;
}

/* ---- before the console starts ---- */

/* The shell measures what it prints as a UTF-8 terminal shows it,
 * whatever the locale. Runs first: text_init() has not been called. */
static void
width_before_the_console(void **state)
{
	(void)state;

	setlocale(LC_ALL, "C");
	assert_int_equal(text_width("大田"), 4);
	assert_int_equal(text_width("3号"), 3);
	assert_int_equal(console_utf8, 1);
}

/* ---- the table ---- */

static void
syllable_none_outside_the_block(void **state)
{
	char s[PINYIN_MAX];
	(void)state;

	assert_int_equal(pinyin_syllable('A', s), 0);
	assert_int_equal(pinyin_syllable(0x4dff, s), 0);  /* before the block */
	assert_int_equal(pinyin_syllable(0x3400, s), 0);  /* Extension A */
	assert_int_equal(pinyin_syllable(0xa000, s), 0);  /* after it */
	assert_int_equal(pinyin_syllable(0x20000, s), 0); /* Extension B */
	assert_int_equal(pinyin_syllable(0xffffffffUL, s), 0);
}

static void
syllable_readings(void **state)
{
	static const struct {
		unsigned long cp;
		const char *py;
	} t[] = {
		{ 0x4e00, "Yi" },     /* 一, the first of the block */
		{ 0x5927, "Da" },     /* 大 */
		{ 0x7530, "Tian" },   /* 田 */
		{ 0x8857, "Jie" },    /* 街 */
		{ 0x9053, "Dao" },    /* 道 */
		{ 0x58ee, "Zhuang" }, /* 壮: six letters, the longest */
		{ 0x5973, "Nv" },     /* 女: u-umlaut as v */
		{ 0x5415, "Lv" },     /* 吕 */
		{ 0x7565, "Lve" },    /* 略 */
		{ 0x4e34, "Lin" },    /* 临 */
		{ 0x6d77, "Hai" },    /* 海 */
		{ 0x3007, "Ling" },   /* 〇 */
		{ 0x9fa5, "Yu" },     /* 龥, the last of GBK's */
	};
	char s[PINYIN_MAX];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		assert_int_equal(pinyin_syllable(t[i].cp, s), strlen(t[i].py));
		assert_string_equal(s, t[i].py);
	}
}

static void
punctuation(void **state)
{
	char s[PINYIN_MAX];
	(void)state;

	assert_int_equal(pinyin_punct('a', s), 0);
	assert_int_equal(pinyin_punct(0x5927, s), 0);
	assert_int_equal(pinyin_punct(0xff0c, s), 1);
	assert_string_equal(s, ",");
	assert_int_equal(pinyin_punct(0x2026, s), 3);
	assert_string_equal(s, "...");
	assert_int_equal(pinyin_punct(0xff13, s), 1); /* ３ */
	assert_string_equal(s, "3");
	assert_int_equal(pinyin_punct(0xff5e, s), 1); /* ～ */
	assert_string_equal(s, "~");
	assert_int_equal(pinyin_punct(0x3010, s), 1); /* 【 */
	assert_string_equal(s, "[");
}

/* ---- widths in each charset ---- */

static void
width_ascii_is_the_pinyin(void **state)
{
	wchar_t w[16];
	(void)state;

	assert_true(use_locale("C"));
	assert_int_equal(console_utf8, 0);
	assert_int_equal(text_width(NULL), 0);
	assert_int_equal(text_width(""), 0);
	assert_int_equal(text_width("abc"), 3);
	/* "Da Tian Jie Dao" */
	assert_int_equal(text_width("大田街道"), 15);
	/* "3 Hao Cang Ku" */
	assert_int_equal(text_width("3号仓库"), 13);
	/* "Min Fang Jin Shui, 3 Hao" */
	assert_int_equal(text_width("民房进水，３号"), 24);
	/* "A Qu (Dong)" */
	assert_int_equal(text_width("A区（东）"), 10);
	/* "?": no stand-in for an emoji or a bad byte */
	assert_int_equal(text_width("\xf0\x9f\x98\x80"), 1);
	assert_int_equal(text_width("\xff"), 1);
	/* A line break is a space. */
	assert_int_equal(text_width("a\nb"), 3);
	/* The same from wide characters, and for a prefix. */
	assert_int_equal(text_to_wcs(w, 16, "大田街道"), 4);
	assert_int_equal(text_wcs_width(w, 4), 15);
	assert_int_equal(text_wcs_width(w, 2), 7);
	assert_int_equal(text_wcs_width(w, 0), 0);
}

static void
width_utf8_cjk_is_two(void **state)
{
	(void)state;

	if (!use_locale("zh_CN.UTF-8") && !use_locale("C.UTF-8"))
		skip();
	assert_int_equal(console_utf8, 1);
	assert_int_equal(text_width("大田街道"), 8);
	assert_int_equal(text_width("3号仓库"), 7);
	assert_int_equal(text_width("民房进水，３号"), 14);
	/* An unassigned code point is a '?', not a width curses guesses. */
	assert_int_equal(text_width("a\xcd\xb8" "b"), 3);
}

static void
width_gb18030(void **state)
{
	(void)state;

	if (!use_locale("zh_CN.GB18030"))
		skip();
	assert_int_equal(console_utf8, 1);
	assert_int_equal(text_width("大田街道"), 8);
	/* A double-byte character is two columns in a GB terminal. */
	assert_int_equal(text_width("·"), 2);
	assert_int_equal(text_width("\xf0\x9f\x98\x80"), 1);
}

static void
width_gbk_has_no_extension_a(void **state)
{
	(void)state;

	if (!use_locale("zh_CN.GBK"))
		skip();
	assert_int_equal(console_utf8, 1);
	assert_int_equal(text_width("大田"), 4);
	/* 㐀 (U+3400) is not in GBK: "?" after "Da ". */
	assert_int_equal(text_width("大㐀"), 3);
}

/* ---- UTF-8 and wide characters ---- */

static void
wcs_round_trip_in_any_locale(void **state)
{
	static const char *const locales[] = {
		"C", "zh_CN.GB18030", "zh_CN.GBK", "zh_CN.UTF-8",
	};
	const char *s = "大田街道 3号\xf0\x9f\x98\x80";
	wchar_t w[32];
	char back[64];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof locales / sizeof locales[0]; i++) {
		if (!use_locale(locales[i]))
			continue;
		assert_int_equal(text_to_wcs(w, 32, s), 8);
		assert_int_equal(w[0], 0x5927);
		assert_int_equal(w[7], 0x1f600);
		assert_int_equal(text_from_wcs(back, sizeof back, w, 32),
				 strlen(s));
		assert_string_equal(back, s);
	}
}

static void
wcs_bounds_and_bad_bytes(void **state)
{
	wchar_t w[4];
	char out[8];
	(void)state;

	assert_true(use_locale("C"));
	assert_int_equal(text_to_wcs(w, 4, NULL), 0);
	assert_int_equal(w[0], 0);
	/* At most n - 1, then the NUL. */
	assert_int_equal(text_to_wcs(w, 4, "abcdef"), 3);
	assert_int_equal(w[3], 0);
	/* A bad byte, a truncated character, an overlong form. */
	assert_int_equal(text_to_wcs(w, 4, "\xff\xe5\xa4\xc0\x80"), 3);
	assert_int_equal(w[0], 0xfffd);
	assert_int_equal(w[1], 0xfffd);
	/* Never half a character: 大 is three bytes, one is left. */
	w[0] = 'a', w[1] = 0x5927, w[2] = 0;
	assert_int_equal(text_from_wcs(out, 3, w, 2), 1);
	assert_string_equal(out, "a");
	assert_int_equal(text_from_wcs(out, 8, w, 1), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(width_before_the_console),
		cmocka_unit_test(syllable_none_outside_the_block),
		cmocka_unit_test(syllable_readings),
		cmocka_unit_test(punctuation),
		cmocka_unit_test(width_ascii_is_the_pinyin),
		cmocka_unit_test(width_utf8_cjk_is_two),
		cmocka_unit_test(width_gb18030),
		cmocka_unit_test(width_gbk_has_no_extension_a),
		cmocka_unit_test(wcs_round_trip_in_any_locale),
		cmocka_unit_test(wcs_bounds_and_bad_bytes),
	};

	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	tcleanup();
	return rc;
}
