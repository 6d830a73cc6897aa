/*
 * main.c - dutydesk: the console, and the same actions from a shell.
 */
#include "tui/tui.h"

#include <locale.h>
#include <signal.h>

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	/* Past a file-size limit a write must fail with EFBIG and be
	 * reported as a full disk, not kill the process mid-transaction. */
	signal(SIGXFSZ, SIG_IGN);
	return shell_main(argc, argv);
}
