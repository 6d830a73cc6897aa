/*
 * tui.h - the door of the console: the shell subcommands and, later, the
 * full-screen console. Depends on core (and on sync's client API).
 */
#ifndef DUTYDESK_TUI_H
#define DUTYDESK_TUI_H

/* Run dutydesk with its command line; returns the process exit code. */
int shell_main(int argc, char **argv);

#include <stdio.h>

struct db;
/* Write the shift handover sheet of handover id (NULL: the latest) to
 * out, in UTF-8 or GB18030. */
int sheet_handover(struct db *db, const char *id, int gb18030, FILE *out);

/* Print s padded or cut to width display columns (CJK counts two). */
void text_pad(const char *s, int width);
/* The display width of a UTF-8 string. */
int text_width(const char *s);

#endif
