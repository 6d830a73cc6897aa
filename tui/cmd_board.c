/*
 * cmd_board.c - the town board from a shell: `dutydesk board [--json]`,
 * the rows of the console's board (pane 9) in the same order, one line
 * of at most 80 columns per town.
 */
#include "tui/shell.h"
#include "tui/console.h"

#include <stdio.h>

#include "core/core.h"

/* The console's columns, each with the space after it. */
static const struct shell_col board_cols[] = {
	{ N_("TOWN"), 12 }, { N_("OPEN"), 5 }, { N_("LATE"), 5 },
	{ N_("CASUALTY"), 9 }, { N_("EVAC"), 5 }, { N_("SHELTER"), 9 },
	{ N_("TEAM"), 5 }, { N_("WARN"), 5 }, { N_("REQ"), 5 }, { N_("RISK"), 6 },
	{ N_("MOVED"), 9 }, { N_("HEARD"), 0 }, { NULL, 0 }
};

/* A number right-aligned in width - 1 columns, and the space after. */
static void
right(struct shell *sh, const cJSON *o, const char *k, int width)
{
	fprintf(sh->out, "%*s ", width - 1, shell_str(o, k));
}

static void
row_board(struct shell *sh, const cJSON *o)
{
	const char *town = shell_str(o, "town");

	/* The short name in Chinese (大田), the code otherwise: what the
	 * shell takes back. */
	shell_pad(sh, sh->utf8 && words_chinese() ? names_town(sh->db, town, 1)
		  : town, 12);
	right(sh, o, "open", 5);
	right(sh, o, "late", 5);
	shell_pad(sh, shell_str(o, "casualties"), 9);
	right(sh, o, "evacuated", 5);
	shell_pad(sh, shell_str(o, "shelter"), 9);
	right(sh, o, "teams_out", 5);
	right(sh, o, "unanswered", 5);
	right(sh, o, "requests", 5);
	shell_pad(sh, shell_str(o, "risk"), 6);
	shell_pad(sh, shell_str(o, "moved"), 9);
	fprintf(sh->out, "%s\n", shell_str(o, "heard"));
}

static int
cmd_board(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *rows = NULL, *o;
	int rc;

	(void)c;
	if ((rc = board_rows(sh->db, &rows)))
		return shell_fail(sh, rc);
	if (opt(a, "json")) {
		rc = shell_print_json(sh, rows, 0);
	} else {
		int64_t now = db_now(sh->db);
		shell_header(sh, board_cols);
		cJSON_ArrayForEach(o, rows) {
			board_cells(o, now);
			row_board(sh, o);
		}
	}
	cJSON_Delete(rows);
	return shell_fail(sh, rc);
}

const struct cmd cmd_board_rows[] = {
	{ "board", NULL, "json", 0, 0, DB_READ, cmd_board, "board [--json]",
	  "the town board: per town, late reports, casualties, people moved "
	  "and sheltered, teams out, warnings unanswered, requests, risk "
	  "points, last heard" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
