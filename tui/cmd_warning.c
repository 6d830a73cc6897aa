/*
 * cmd_warning.c - warnings to the towns and their answers (叫应).
 */
#include "tui/shell.h"
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "core/pinyin.h"

static int
cmd_warning_issue(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *towns = cJSON_CreateArray(), *risks = NULL;
	const char *list = opt(a, "towns"), *hazard = opt(a, "hazard");
	char id[64], code[64];
	int64_t at = 0;
	int rc;

	if (!opt(a, "hazard") || !opt(a, "color") || !opt(a, "text")) {
		cJSON_Delete(towns);
		return shell_usage(sh, c, "%s", "a warning needs --hazard, "
				   "--color and --text");
	}
	if (opt(a, "at") && time_parse_local(opt(a, "at"), db_now(sh->db), &at)) {
		cJSON_Delete(towns);
		return shell_refuse(sh, "--at '%s': a time like 21:30 or "
				    "2026-12-02 21:30", opt(a, "at"));
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
	/* Risk points by code or name, between commas. */
	if (opt(a, "risks")) {
		char *copy = strdup(opt(a, "risks")), *save = NULL, *t;
		if (!(risks = cJSON_CreateArray()) || !copy) {
			free(copy);
			cJSON_Delete(towns);
			cJSON_Delete(risks);
			return shell_fail(sh, DD_E_NOMEM);
		}
		for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			cJSON_AddItemToArray(risks, cJSON_CreateString(t));
		free(copy);
		if (cJSON_GetArraySize(risks) == 0) {
			cJSON_Delete(towns);
			cJSON_Delete(risks);
			return shell_refuse(sh, "--risks '%s': risk point codes "
					    "between commas", opt(a, "risks"));
		}
	}
	rc = warning_issue_risks(sh->db, hazard, opt(a, "color"), opt(a, "text"),
				 towns, risks, at, id);
	cJSON_Delete(risks);
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

/* The minutes of a number of seconds, as the lists say them. */
static const char *
minutes(const cJSON *o, const char *k)
{
	static char buf[2][32];
	static int slot;

	slot = (slot + 1) % 2;
	snprintf(buf[slot], sizeof buf[slot], _("%.0f min"),
		 shell_num(o, k) / 60);
	return buf[slot];
}

/* People's names as the terminal can show them: as written in UTF-8,
 * in pinyin otherwise (the last two stay valid). */
static const char *
person(const struct shell *sh, const char *name)
{
	static char buf[2][256];
	static int slot;

	if (sh->utf8)
		return name;
	slot = (slot + 1) % 2;
	pinyin_of(name, buf[slot], sizeof buf[slot]);
	return buf[slot];
}

/* A town's line of the answer board: who answered it and when, or how
 * long it has been silent. */
static void
row_town(struct shell *sh, const cJSON *o)
{
	shell_pad(sh, shell_town(sh, shell_str(o, "town")), 14);
	if (*shell_str(o, "answered_at")) {
		fprintf(sh->out, _("answered %s by %s"),
			shell_time(o, "answered_at"),
			*shell_str(o, "answered_by")
			? person(sh, shell_str(o, "answered_by")) : "-");
	} else {
		fprintf(sh->out, "%s  ", _("NOT ANSWERED"));
		fprintf(sh->out, _("silent %s"), minutes(o, "silent_secs"));
	}
	fputc('\n', sh->out);
}

/* A person under their town: name, phone, and whether they answered
 * (the one whose name the answer carries) or, the town still silent,
 * have not. */
static void
row_person(struct shell *sh, const cJSON *o)
{
	const char *name = shell_str(o, "name");

	fputs("  ", sh->out);
	if (!*shell_str(o, "contact")) {
		fprintf(sh->out, "%s\n", _("(the directory names nobody)"));
		return;
	}
	shell_pad(sh, person(sh, name), 16);
	fputc(' ', sh->out);
	shell_pad(sh, shell_str(o, "phone"), 16);
	if (*shell_str(o, "answered_at"))
		fputs(strcmp(name, shell_str(o, "answered_by")) == 0
		      ? _("answered") : "", sh->out);
	else
		fputs(_("not answered"), sh->out);
	fputc('\n', sh->out);
}

/* One warning's answer board: a row per (town, person) with --json,
 * else each town with its people under it. */
static int
warning_board(struct shell *sh, const struct args *a, const char *id)
{
	cJSON *f = cJSON_CreateObject(), *list = NULL, *o;
	const char *last = "";
	int rc;

	if (!f)
		return shell_fail(sh, DD_E_NOMEM);
	cJSON_AddStringToObject(f, "warning", id);
	cJSON_AddNumberToObject(f, "now", (double)db_now(sh->db));
	rc = state_list(sh->db, LIST_CALLEES, f, &list);
	cJSON_Delete(f);
	if (rc)
		return shell_fail(sh, rc);
	if (opt(a, "json")) {
		rc = shell_print_json(sh, list, 0);
	} else {
		cJSON_ArrayForEach(o, list) {
			if (strcmp(shell_str(o, "town"), last) != 0)
				row_town(sh, o);
			last = cJSON_GetStringValue(cJSON_GetObjectItem(o, "town"));
			row_person(sh, o);
		}
	}
	cJSON_Delete(list);
	return shell_fail(sh, rc);
}

static int
cmd_warning_list(struct shell *sh, const struct cmd *c, struct args *a)
{
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
		return warning_board(sh, a, a->pos[0]);
	}
	return shell_list(sh, a, LIST_WARNINGS, NULL, row_warning,
			  (const struct shell_col[]){ { N_("ID"), 14 },
			  { N_("ISSUED"), 17 }, { N_("HAZARD"), 12 },
			  { N_("COLOUR"), 7 }, { N_("ANSWERED"), 0 }, { NULL, 0 } });
}

static void
row_callback(struct shell *sh, const cJSON *o)
{
	shell_pad(sh, shell_str(o, "warning"), 14);
	shell_pad(sh, shell_town(sh, shell_str(o, "town")), 14);
	shell_pad(sh, shell_word(sh, W_COLOR, shell_str(o, "color")), 7);
	shell_pad(sh, minutes(o, "silent_secs"), 9);
	shell_pad(sh, *shell_str(o, "last_call") ? shell_str(o, "last_call")
		  : "-", 14);
	fprintf(sh->out, "%s\n", *shell_str(o, "people")
		? person(sh, shell_str(o, "people")) : "-");
}

/* The towns silent past their limit (by colour), to call back. */
static int
cmd_warning_callbacks(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();

	(void)c;
	if (!f)
		return shell_fail(sh, DD_E_NOMEM);
	cJSON_AddNumberToObject(f, "now", (double)db_now(sh->db));
	return shell_list(sh, a, LIST_CALLBACKS, f, row_callback,
			  (const struct shell_col[]){ { N_("WARNING"), 14 },
			  { N_("TOWN"), 14 }, { N_("COLOUR"), 7 },
			  { N_("SILENT"), 9 }, { N_("LAST CALL"), 14 },
			  { N_("TO CALL"), 0 }, { NULL, 0 } });
}

const struct cmd cmd_warning_rows[] = {
	{ "warning", "issue", "hazard=,color=,text=,towns=,at=,risks=", 0, 0,
	  DB_WRITE, cmd_warning_issue,
	  "warning issue --hazard H --color blue|yellow|orange|red --text T "
	  "[--towns A,B] [--at TIME] [--risks CODE,CODE]",
	  "warn towns (all by default), sent now or at TIME before; prints the "
	  "warning id" },
	{ "warning", "answer", "who=", 2, 2, DB_WRITE, cmd_warning_answer,
	  "warning answer WARNING TOWN [--who NAME]", "a town answers (叫应)" },
	{ "warning", "list", "json", 0, 1, DB_READ, cmd_warning_list,
	  "warning list [WARNING] [--json]",
	  "warnings; one: each town's people, who answered, when" },
	{ "warning", "callbacks", "json", 0, 0, DB_READ, cmd_warning_callbacks,
	  "warning callbacks [--json]",
	  "towns silent past their limit: whom to call back" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
