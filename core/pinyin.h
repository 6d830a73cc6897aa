/*
 * pinyin.h - Chinese text in ASCII for a terminal that cannot show it
 * (for text.c, and for matching names typed in pinyin): the pinyin of a Han
 * character, and an ASCII stand-in for Chinese punctuation and the
 * full-width forms. No curses, no locale: code points in, ASCII out.
 */
#ifndef DUTYDESK_PINYIN_H
#define DUTYDESK_PINYIN_H

#include <stddef.h>

/* The longest syllable ("zhuang") and its NUL. */
#define PINYIN_MAX 7

/* Write the toneless pinyin of Han character cp into out, capitalised
 * ("Tian"; u-umlaut as v: "Lv"), and return its length; 0 when cp is
 * not a character of the table (U+4E00..U+9FFF, and U+3007). */
int pinyin_syllable(unsigned long cp, char out[PINYIN_MAX]);

/* Write the ASCII stand-in of punctuation or a full-width form ("，"
 * ",", "…" "...", "３" "3") into out and return its length; 0 when cp
 * has none. */
int pinyin_punct(unsigned long cp, char out[PINYIN_MAX]);

/* s (UTF-8) in ASCII: each Han character's syllable, apart from the
 * next ("Wu Wen Bin"), punctuation as pinyin_punct gives it, ASCII as
 * it is, anything else dropped; cut to fit n. */
void pinyin_of(const char *s, char *out, size_t n);

#endif
