/*
 * cmd_warning.c - warnings to the towns and their answers (叫应).
 */
#include "tui/shell.h"
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

static int
cmd_warning_issue(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *towns = cJSON_CreateArray();
	const char *list = opt(a, "towns"), *hazard = opt(a, "hazard");
	char id[64], code[64];
	int rc;

	if (!opt(a, "hazard") || !opt(a, "color") || !opt(a, "text")) {
		cJSON_Delete(towns);
		return shell_usage(sh, c, "%s", "a warning needs --hazard, "
				   "--color and --text");
	}
	if (list) {
		char *copy = strdup(list), *save = NULL, *t;
		for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			cJSON_AddItemToArray(towns, cJSON_CreateString(t));
		free(copy);
	}
	/* A hazard with a checklist may be named as any of them is (防台风);
	 * a warning may also be of a hazard without one (a word). */
	if (ref_find(sh->db, REF_HAZARD, hazard, code) == 1)
		hazard = code;
	rc = warning_issue(sh->db, hazard, opt(a, "color"),
			   opt(a, "text"), towns, id);
	cJSON_Delete(towns);
	return shell_made(sh, rc, id);
}

static int
cmd_warning_answer(struct shell *sh, const struct cmd *c, struct args *a)
{
	char id[64];
	int rc;

	(void)c;
	rc = warning_answer(sh->db, a->pos[0], a->pos[1], opt(a, "who"), id);
	return shell_made(sh, rc, id);
}

static void
row_warning(struct shell *sh, const cJSON *o)
{
	shell_pad(sh, shell_str(o, "id"), 14);
	shell_pad(sh, shell_time(o, "at"), 17);
	shell_pad(sh, shell_hazard(sh, shell_str(o, "hazard")), 12);
	shell_pad(sh, shell_word(sh, W_COLOR, shell_str(o, "color")), 7);
	fprintf(sh->out, "%3s/%-3s ", shell_str(o, "answered"),
		shell_str(o, "towns"));
	shell_pad(sh, _("answered"), 10);
	shell_pad(sh, shell_str(o, "text"), 30);
	fputc('\n', sh->out);
}

static void
row_answer(struct shell *sh, const cJSON *o)
{
	shell_pad(sh, shell_town(sh, shell_str(o, "town")), 14);
	if (*shell_str(o, "id"))
		fprintf(sh->out, "%s  %s (%ss)\n", shell_time(o, "at"),
			shell_str(o, "who"), shell_str(o, "answer_secs"));
	else
		fprintf(sh->out, "%s\n", _("NOT ANSWERED"));
}

static int
cmd_warning_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f;

	(void)c;
	if (a->npos == 1) {
		cJSON *all = NULL, *w;
		int found = 0, rc = state_list(sh->db, LIST_WARNINGS, NULL, &all);
		if (rc)
			return shell_fail(sh, rc);
		cJSON_ArrayForEach(w, all)
			found |= strcmp(shell_str(w, "id"), a->pos[0]) == 0;
		cJSON_Delete(all);
		if (!found)
			return shell_refuse(sh, "no warning '%s'", a->pos[0]);
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "warning", a->pos[0]);
		return shell_list(sh, a, LIST_ANSWERS, f, row_answer, NULL);
	}
	return shell_list(sh, a, LIST_WARNINGS, NULL, row_warning,
			  (const struct shell_col[]){ { N_("ID"), 14 },
			  { N_("ISSUED"), 17 }, { N_("HAZARD"), 12 },
			  { N_("COLOUR"), 7 }, { N_("ANSWERED"), 0 }, { NULL, 0 } });
}

const struct cmd cmd_warning_rows[] = {
	{ "warning", "issue", "hazard=,color=,text=,towns=", 0, 0, DB_WRITE,
	  cmd_warning_issue,
	  "warning issue --hazard H --color blue|yellow|orange|red --text T "
	  "[--towns A,B]", "warn towns (all by default); prints the warning id" },
	{ "warning", "answer", "who=", 2, 2, DB_WRITE, cmd_warning_answer,
	  "warning answer WARNING TOWN [--who NAME]", "a town answers (叫应)" },
	{ "warning", "list", "json", 0, 1, DB_READ, cmd_warning_list,
	  "warning list [WARNING] [--json]", "warnings; one: who answered, when" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
