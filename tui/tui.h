/*
 * tui.h - the door of the console: the shell subcommands and, later, the
 * full-screen console. Depends on core (and on sync's client API).
 */
#ifndef DUTYDESK_TUI_H
#define DUTYDESK_TUI_H

/* Run dutydesk with its command line; returns the process exit code. */
int shell_main(int argc, char **argv);

/* Print s padded or cut to width display columns (CJK counts two). */
void text_pad(const char *s, int width);
/* The display width of a UTF-8 string. */
int text_width(const char *s);

#endif
