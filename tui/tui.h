/*
 * tui.h - the door of tui/, what main.c calls: the shell's entry, which
 * runs a subcommand or, on a terminal and with none, opens the
 * full-screen console (console_main; the console's files share
 * tui/console.h); the shift handover sheet (sheet.c); drills from a
 * scenario file, alone or county-wide, and their after-action reports
 * (drill.c); the display width of UTF-8 text (text.c). Depends on core
 * and on sync's client API.
 */
#ifndef DUTYDESK_TUI_H
#define DUTYDESK_TUI_H

#include <stdio.h>

/* Run one dutydesk command line (argv[0] is the program) and return its
 * exit code. Whatever a verb prints goes to out and every message to
 * err; the shell writes nothing to stdout or stderr itself. The console
 * (which draws on the terminal) opens only when stdin and out are a
 * terminal: on a memory stream, a file or a pipe, no command means the
 * station summary, and a drill is refused. */
int shell_run(int argc, char **argv, FILE *out, FILE *err);
/* shell_run on stdout and stderr: dutydesk's main. */
int shell_main(int argc, char **argv);

#include <cjson/cJSON.h>

/* ---- the shift handover sheet (sheet.c) ---- */

struct db;
/* Write the shift handover sheet of handover id (NULL: the latest) to
 * out, in UTF-8 or GB18030. */
int sheet_handover(struct db *db, const char *id, int gb18030, FILE *out);
/* Write the duty roster of this station from date from to date to
 * (YYYY-MM-DD; NULL: open) to out, with each person's phone, in UTF-8
 * or GB18030: the sheet sent upward before a holiday. */
int sheet_roster(struct db *db, const char *from, const char *to, int gb18030,
		 FILE *out);
/* Write the sheet of upward report id (首报, 续报N or 终报 with its
 * incident, time, text and signing) to out: Chinese, English when en;
 * UTF-8 or GB18030; at most 80 columns. */
int sheet_report(struct db *db, const char *id, int gb18030, int en,
		 FILE *out);
/* Write n bytes of UTF-8 text to out in GB18030, for printers and
 * systems that need it (every Unicode character has a form there). */
int sheet_gb18030(const char *in, size_t n, FILE *out);

/* For the files of the sheets: text after indent spaces, wrapped at 80
 * columns as UTF-8 (the rows after the first keep the indent); and a
 * sheet made whole by fn(db, arg, f) written to out in UTF-8 or GB18030,
 * nothing written when making it fails. */
void sheet_wrapped(FILE *f, int indent, const char *text);
int sheet_write(struct db *db, int (*fn)(struct db *, const cJSON *, FILE *),
		const void *arg, int gb18030, FILE *out);

/* ---- the daily report (sheet_daily.c) ---- */

/* Write the daily report (值班日报) of duty day date (YYYY-MM-DD; NULL:
 * the one holding now) to out, in UTF-8 or GB18030: a header with the
 * county, the date and the day's bounds, then each section after a form
 * feed, and lines for the officer's and the leader's signatures. Every
 * line at most 80 columns. */
int sheet_daily(struct db *db, const char *date, int gb18030, FILE *out);

/* ---- drills (drill.c) ---- */

/* Make a drill database beside the live one from a scenario file (the
 * live database only read); out gets its path. On a bad scenario the
 * message names the file, the line and the field, and nothing is made.
 * county: a command station's county-wide drill, whose database carries
 * the live one's server and key and links in the drill's realm. */
int drill_prepare(const char *live, const char *file, int speed, int county,
		  char *out, size_t n, char *why, size_t wn);
/* A town's database of the county-wide drill in realm, beside the live
 * one (only read): made from the county's reference data with the live
 * one's server and key, synced once to learn the drill, or the one made
 * by an earlier join. Refused for a realm that is not a drill's, for a
 * station without a server, and when the server has no drill there
 * (then nothing is left behind). */
int drill_join_prepare(const char *live, const char *realm, int timeout_ms,
		       char *out, size_t n, char *why, size_t wn);
/* The plain-text report to f, in UTF-8 or GB18030. */
int drill_report_print(const cJSON *r, int gb18030, FILE *f);
/* Where the console on drill database dbpath writes its report: report,
 * or beside the database (DBPATH.report) when it is NULL or empty. */
void drill_report_path(const char *dbpath, const char *report, char *out,
		       size_t n);
/* A charset named by a user: 0 UTF-8, 1 GB18030, -1 neither. */
int drill_charset(const char *name);

/* ---- text (text.c) ---- */

/* The display width of a UTF-8 string: as a UTF-8 terminal shows it,
 * and once the console runs, as its terminal does (pinyin in ASCII). */
int text_width(const char *s);
/* The next character of UTF-8 text s, whatever the locale: its length
 * in bytes, and in *w its width shown as itself (CJK two columns). */
int text_next(const char *s, int *w);

#endif
