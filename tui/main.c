/*
 * main.c - dutydesk: the console, and the same actions from a shell.
 */
#include "tui/tui.h"

#include <libintl.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

/* Translations: beside the binary in the build tree, else installed. */
static void
find_translations(void)
{
	char exe[PATH_MAX], dir[PATH_MAX + 32];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	if (n > 0) {
		exe[n] = 0;
		if ((slash = strrchr(exe, '/'))) {
			*slash = 0;
			snprintf(dir, sizeof dir, "%s/locale", exe);
			if (access(dir, R_OK) == 0) {
				bindtextdomain("dutydesk", dir);
				return;
			}
			snprintf(dir, sizeof dir, "%s/../share/locale/zh_CN", exe);
			if (access(dir, R_OK) == 0) {
				snprintf(dir, sizeof dir, "%s/../share/locale", exe);
				bindtextdomain("dutydesk", dir);
				return;
			}
		}
	}
	bindtextdomain("dutydesk", LOCALEDIR);
}

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	find_translations();
	bind_textdomain_codeset("dutydesk", "UTF-8");
	textdomain("dutydesk");
	/* Past a file-size limit a write must fail with EFBIG and be
	 * reported as a full disk, not kill the process mid-transaction. */
	signal(SIGXFSZ, SIG_IGN);
	return shell_main(argc, argv);
}
