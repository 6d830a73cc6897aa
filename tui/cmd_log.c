/*
 * cmd_log.c - the duty log (notes and the zero report), the shift
 * handover and its sheet, and the conflicts a person should see.
 */
#include "tui/shell.h"

#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "tui/tui.h"

static int
cmd_log_add(struct shell *sh, const struct cmd *c, struct args *a)
{
	char id[64];
	int rc = log_add(sh->db, strcmp(c->verb, "zero") == 0 ? "zero" : "note",
			 a->npos ? a->pos[0] : NULL, id);

	return shell_made(sh, rc, id);
}

static void
row_log(struct shell *sh, const cJSON *o)
{
	char buf[512];

	fprintf(sh->out, "%s  ", shell_time(o, "at"));
	shell_pad(sh, shell_word(sh, W_LOG_KIND, shell_str(o, "kind")), 10);
	shell_pad(sh, shell_word(sh, W_OFFICER, shell_str(o, "officer")), 11);
	fprintf(sh->out, "%s\n", log_entry_text(o, buf, sizeof buf));
}

static int
cmd_handover(struct shell *sh, const struct cmd *c, struct args *a)
{
	char id[64];
	int rc;

	if (!opt(a, "to"))
		return shell_usage(sh, c, "%s", "handover needs the incoming "
				   "officer: --to NAME");
	rc = log_handover_as(sh->db, opt(a, "to"), opt(a, "note"),
			     opt(a, "unrostered") != NULL, id);
	return shell_made(sh, rc, id);
}

static int
cmd_handover_sheet(struct shell *sh, const struct cmd *c, struct args *a)
{
	(void)c;
	return shell_fail(sh, sheet_handover(sh->db, a->npos ? a->pos[0] : NULL,
					     opt(a, "gb18030") != NULL, sh->out));
}

static void
row_conflict(struct shell *sh, const cJSON *o)
{
	const char *acked = shell_str(o, "acked_by");

	fprintf(sh->out, "%-32s %-9s %s%s%s\n", shell_str(o, "id"),
		shell_str(o, "kind"), shell_str(o, "members"),
		*acked ? "  acknowledged by " : "", acked);
}

/* log list and conflict list: the whole list, without a header. */
static int
cmd_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	if (strcmp(c->noun, "log") == 0)
		return shell_list(sh, a, LIST_LOG, NULL, row_log, NULL);
	return shell_list(sh, a, LIST_CONFLICTS, NULL, row_conflict, NULL);
}

static int
cmd_conflict_ack(struct shell *sh, const struct cmd *c, struct args *a)
{
	(void)c;
	return shell_fail(sh, conflict_ack(sh->db, a->pos[0]));
}

const struct cmd cmd_log_rows[] = {
	{ "log", "add", "", 1, 1, DB_WRITE, cmd_log_add,
	  "log add TEXT", "a duty log entry" },
	{ "log", "zero", "", 0, 1, DB_WRITE, cmd_log_add,
	  "log zero [TEXT]", "the daily zero report (零报告)" },
	{ "log", "list", "json", 0, 0, DB_READ, cmd_list,
	  "log list [--json]", "the duty log" },
	{ "handover", "sheet", "gb18030", 0, 1, DB_READ, cmd_handover_sheet,
	  "handover sheet [ID] [--gb18030]",
	  "the handover as a plain-text sheet to print (the latest by default)" },
	{ "handover", NULL, "to=,note=,unrostered", 0, 0, DB_WRITE, cmd_handover,
	  "handover --to NAME [--note T] [--unrostered]",
	  "shift handover (交接班) signed by --officer and NAME; --unrostered "
	  "when NAME is not the next shift's officer on the roster" },
	{ "conflict", "list", "json", 0, 0, DB_READ, cmd_list,
	  "conflict list [--json]", "conflicts a person should see" },
	{ "conflict", "ack", "", 1, 1, DB_WRITE, cmd_conflict_ack,
	  "conflict ack ID", "mark a conflict as seen" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
