/*
 * term.c - the terminal under the console: curses set up on it (UTF-8,
 * a Chinese legacy charset or ASCII from the locale, colours, a short
 * ESC delay), and given back as it was on every way out: a normal end,
 * exit(), a fatal signal.
 */
#include "tui/console.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

/* Static, not in the console's state: the exit and fatal-signal paths
 * that restore the terminal take no argument. */
static struct {
	int fd_flags;   /* fd 0's flags before libuv made it non-blocking */
	int curses_on;
} T = { -1, 0 };

/* A terminal with no alternate screen to leave (vt100 has no rmcup)
 * would keep the console's last screen under the shell's prompt: clear
 * it, which leaves the cursor at the top left for the shell. */
static void
term_clear_on_leave(void)
{
	const char *rmcup = tigetstr("rmcup"), *clear = tigetstr("clear");

	if ((rmcup == NULL || rmcup == (char *)-1 || !*rmcup) &&
	    clear && clear != (char *)-1) {
		putp(clear);
		fflush(stdout);
	}
}

void
term_restore(void)
{
	if (T.curses_on) {
		endwin();
		term_clear_on_leave();
		T.curses_on = 0;
	}
	/* libuv made fd 0 non-blocking; the shell after us expects it not. */
	if (T.fd_flags >= 0)
		fcntl(0, F_SETFL, T.fd_flags);
}

void
term_hangup(void)
{
	T.curses_on = 0; /* nobody to restore the screen for */
}

/* A crash must not leave the officer's terminal in raw mode: restore it,
 * then die of the same signal (htop does the same in its fail path). */
static void
fatal_signal(int sig)
{
	term_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The keys terminals send whatever their terminfo entry says: PuTTY and
 * tmux send ESC [1~ and ESC [4~ for Home and End, and a vt100 entry
 * names no PgUp or PgDn. Unknown, a sequence would arrive as its
 * characters, and its digit would switch panes. */
static void
add_keys(void)
{
	static const struct {
		const char *seq;
		int key;
	} keys[] = {
		{ "\033[1~", KEY_HOME }, { "\033[7~", KEY_HOME },
		{ "\033[H", KEY_HOME }, { "\033OH", KEY_HOME },
		{ "\033[4~", KEY_END }, { "\033[8~", KEY_END },
		{ "\033[F", KEY_END }, { "\033OF", KEY_END },
		{ "\033[5~", KEY_PPAGE }, { "\033[6~", KEY_NPAGE },
		{ "\033[2~", KEY_IC }, { "\033[3~", KEY_DC },
	};
	size_t i;

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (key_defined(keys[i].seq) <= 0)
			define_key(keys[i].seq, keys[i].key);
}

int
term_start(FILE *err)
{
	T.fd_flags = fcntl(0, F_GETFL);
	text_init();
	if (!newterm(NULL, stdout, stdin)) {
		fprintf(err, "dutydesk: cannot use terminal type '%s'\n",
			getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	T.curses_on = 1;
	atexit(term_restore);
	signal(SIGSEGV, fatal_signal);
	signal(SIGBUS, fatal_signal);
	signal(SIGABRT, fatal_signal);
	signal(SIGFPE, fatal_signal);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	add_keys();
	nodelay(stdscr, TRUE);
	/* Short, so ESC feels instant, but long enough that a function
	 * key's sequence does not split over a slow SSH link. */
	set_escdelay(100);
	curs_set(0);
	/* Nothing is drawn on stdscr, but keys are read through it, and
	 * wget_wch refreshes a window not yet refreshed: the first key
	 * would blank the screen over the panes. */
	wnoutrefresh(stdscr);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_RED, -1);
		init_pair(2, COLOR_YELLOW, -1);
		init_pair(3, COLOR_GREEN, -1);
	}
	return 0;
}
