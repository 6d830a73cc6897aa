/*
 * cmd_response.c - emergency response levels per hazard: the decisions
 * (start, raise, lower, end, confirm), what is in force and the
 * checklist of the level.
 */
#include "tui/shell.h"

#include <stdio.h>
#include <string.h>

#include "core/core.h"

static int
cmd_response_decide(struct shell *sh, const struct cmd *c, struct args *a)
{
	int action = response_action_parse(c->verb), level = 0, rc;
	char id[64], hazard[64];

	if ((rc = shell_ref(sh, REF_HAZARD, a->pos[0], NULL, hazard)))
		return rc;
	if (action != RESP_END) {
		if (a->npos < 2)
			return shell_usage(sh, c, "%s", "give the level: IV, "
					   "III, II or I");
		if (action == RESP_CONFIRM && strcmp(a->pos[1], "none") == 0)
			level = 0;
		else if ((level = level_parse(a->pos[1])) < 0)
			return shell_refuse(sh, "level '%s' does not exist "
					    "(IV, III, II or I)", a->pos[1]);
	}
	rc = response_decide(sh->db, hazard, action, level, opt(a, "signed-by"),
			     opt(a, "note"), id);
	return shell_made(sh, rc, id);
}

/* A level with its checklist's progress, "III 3/16"; "-" for none. */
static const char *
level_text(struct shell *sh, const char *hazard, int level, char *buf,
	   size_t n)
{
	int done = 0, total = 0;

	if (level == 0)
		return "-";
	if (response_progress(sh->db, hazard, &done, &total) == 0 && total)
		snprintf(buf, n, "%s %d/%d", level_name(level), done, total);
	else
		snprintf(buf, n, "%s", level_name(level));
	return buf;
}

static int
show_response(struct shell *sh, const char *hazard)
{
	struct response_state rs;
	cJSON *list = NULL, *f, *it;
	char lv[32];
	int rc = response_get(sh->db, hazard, &rs);

	if (rc < 0)
		return shell_fail(sh, rc);
	fprintf(sh->out, "%s: %s%s\n", hazard, rs.level ? level_text(sh, hazard,
		rs.level, lv, sizeof lv) : "none",
		rs.conflict ? "  CONFLICT: confirm a level" : "");
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "hazard", hazard);
	rc = state_list(sh->db, LIST_DECISIONS, f, &list);
	cJSON_Delete(f);
	if (rc)
		return shell_fail(sh, rc);
	cJSON_ArrayForEach(it, list)
		fprintf(sh->out, "  %s  %-14s %-7s %-4s signed %s\n",
			shell_time(it, "at"), shell_str(it, "id"),
			shell_str(it, "action"),
			level_name((int)shell_num(it, "level")),
			shell_str(it, "signed_by"));
	cJSON_Delete(list);
	if (rs.level == 0)
		return 0;
	/* The items with their ticks, as the console's checklist shows them. */
	if ((rc = response_checklist(sh->db, hazard, &list)))
		return shell_fail(sh, rc);
	fprintf(sh->out, "checklist (level %s):\n", level_name(rs.level));
	cJSON_ArrayForEach(it, list)
		fprintf(sh->out, "  [%c] %-12s %s\n",
			cJSON_IsTrue(cJSON_GetObjectItem(it, "checked")) ? 'x' : ' ',
			shell_str(it, "code"),
			shell_str(it, sh->utf8 ? "text" : "text_en"));
	cJSON_Delete(list);
	return 0;
}

static int
cmd_response_show(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *hz = NULL, *h;
	char hazard[64];
	int rc;

	(void)c;
	if (a->npos == 1) {
		if ((rc = shell_ref(sh, REF_HAZARD, a->pos[0], NULL, hazard)))
			return rc;
		a->pos[0] = hazard;
	}
	if (opt(a, "json")) {
		/* One hazard given: only its row (none when never decided). */
		cJSON *out = cJSON_CreateArray();
		if ((rc = state_list(sh->db, LIST_RESPONSES, NULL, &hz))) {
			cJSON_Delete(out);
			return shell_fail(sh, rc);
		}
		while ((h = cJSON_DetachItemFromArray(hz, 0))) {
			if (a->npos == 1 && strcmp(shell_str(h, "hazard"),
						   a->pos[0]) != 0)
				cJSON_Delete(h);
			else
				cJSON_AddItemToArray(out, h);
		}
		shell_print_json(sh, out, 0);
		cJSON_Delete(out);
		cJSON_Delete(hz);
		return 0;
	}
	if (a->npos == 1)
		return show_response(sh, a->pos[0]);
	if ((rc = hazards_load(&hz))) {
		cJSON_Delete(hz);
		return shell_fail(sh, rc);
	}
	cJSON_ArrayForEach(h, hz) {
		struct response_state rs;
		char lv[32];
		if ((rc = response_get(sh->db, shell_str(h, "hazard"), &rs)) < 0)
			break;
		rc = 0;
		fprintf(sh->out, "%-16s %-10s %s%s\n", shell_str(h, "hazard"),
			sh->utf8 ? shell_str(h, "name") : shell_str(h, "name_en"),
			level_text(sh, shell_str(h, "hazard"), rs.level, lv,
				   sizeof lv), rs.conflict ? "  CONFLICT" : "");
	}
	cJSON_Delete(hz);
	return shell_fail(sh, rc);
}

static int
cmd_response_check(struct shell *sh, const struct cmd *c, struct args *a)
{
	char hazard[64], item[64];
	int rc;

	(void)c;
	if ((rc = shell_ref(sh, REF_HAZARD, a->pos[0], NULL, hazard)) ||
	    (rc = shell_ref(sh, REF_ITEM, a->pos[1], hazard, item)))
		return rc;
	return shell_fail(sh, response_check(sh->db, hazard, item,
					     !opt(a, "undo")));
}

const struct cmd cmd_response_rows[] = {
	{ "response", "start", "signed-by=,note=", 2, 2, DB_WRITE,
	  cmd_response_decide, "response start HAZARD LEVEL [--signed-by NAME]",
	  "start a response (启动)" },
	{ "response", "raise", "signed-by=,note=", 2, 2, DB_WRITE,
	  cmd_response_decide, "response raise HAZARD LEVEL [--signed-by NAME]",
	  "raise the level (提升)" },
	{ "response", "lower", "signed-by=,note=", 2, 2, DB_WRITE,
	  cmd_response_decide, "response lower HAZARD LEVEL [--signed-by NAME]",
	  "lower the level (降低)" },
	{ "response", "end", "signed-by=,note=", 1, 1, DB_WRITE,
	  cmd_response_decide, "response end HAZARD [--signed-by NAME]",
	  "end the response (解除)" },
	{ "response", "confirm", "signed-by=,note=", 2, 2, DB_WRITE,
	  cmd_response_decide, "response confirm HAZARD LEVEL|none",
	  "settle conflicting decisions" },
	{ "response", "show", "json", 0, 1, DB_READ, cmd_response_show,
	  "response show [HAZARD] [--json]",
	  "levels in force; one hazard: history and checklist" },
	{ "response", "check", "undo", 2, 2, DB_WRITE, cmd_response_check,
	  "response check HAZARD ITEM [--undo]", "tick a checklist item" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
