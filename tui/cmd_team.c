/*
 * cmd_team.c - rescue teams and their dispatch (调度): the status board,
 * a team moving on, sending a team and the turnout of each dispatch.
 */
#include "tui/shell.h"
#include "tui/console.h"

#include <stdio.h>
#include <string.h>

#include "core/core.h"

static void
row_team(struct shell *sh, const cJSON *o)
{
	shell_pad(sh, shell_str(o, "id"), 14);
	shell_pad(sh, shell_name(sh, o), 36);
	shell_pad(sh, shell_word(sh, W_TEAM_KIND, shell_str(o, "kind")), 10);
	shell_pad(sh, shell_town(sh, shell_str(o, "town")), 12);
	shell_pad(sh, shell_word(sh, W_TEAM_STATUS, shell_str(o, "status")), 15);
	fprintf(sh->out, "%s\n", shell_str(o, "incident"));
}

static int
cmd_team_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	static const char *const kinds[] = { "municipal", "town", "fire",
		"social", "expert", NULL };
	cJSON *f = cJSON_CreateObject();
	int k, rc;

	(void)c;
	if ((rc = shell_filter_ref(sh, a, f, "town", REF_TOWN)))
		goto out;
	if (opt(a, "kind")) {
		for (k = 0; kinds[k] && strcmp(kinds[k], opt(a, "kind")); k++)
			;
		if (!kinds[k]) {
			rc = shell_refuse(sh, "kind '%s' is municipal, town, fire, "
					  "social or expert", opt(a, "kind"));
			goto out;
		}
		cJSON_AddStringToObject(f, "kind", opt(a, "kind"));
	}
	if (opt(a, "status")) {
		if (team_status_parse(opt(a, "status")) < 0) {
			rc = shell_refuse(sh, "status '%s' does not exist "
					  "(available, dispatched, en_route, "
					  "on_scene, returning, out_of_service)",
					  opt(a, "status"));
			goto out;
		}
		cJSON_AddStringToObject(f, "status", opt(a, "status"));
	}
	return shell_list(sh, a, LIST_TEAMS, f, row_team,
			  (const struct shell_col[]){ { N_("ID"), 14 },
			  { N_("NAME"), 36 }, { N_("KIND"), 10 }, { N_("TOWN"), 12 },
			  { N_("STATUS"), 15 }, { N_("INCIDENT"), 0 }, { NULL, 0 } });
out:
	cJSON_Delete(f);
	return rc;
}

static int
cmd_team_status(struct shell *sh, const struct cmd *c, struct args *a)
{
	(void)c;
	return shell_fail(sh, team_set_status(sh->db, a->pos[0], a->pos[1]));
}

static int
cmd_dispatch(struct shell *sh, const struct cmd *c, struct args *a)
{
	char id[64], inc[64];
	int rc;

	(void)c;
	if ((rc = shell_ref(sh, REF_INCIDENT, a->pos[1], NULL, inc)))
		return rc;
	rc = dispatch_create(sh->db, a->pos[0], inc, id);
	return shell_made(sh, rc, id);
}

static void
row_dispatch(struct shell *sh, const cJSON *o)
{
	double turnout = shell_num(o, "turnout_secs");
	double target = shell_num(o, "target_secs");

	shell_pad(sh, shell_str(o, "id"), 14);
	shell_pad(sh, shell_str(o, "team"), 12);
	shell_pad(sh, shell_str(o, "incident"), 14);
	shell_pad(sh, shell_time(o, "at"), 17);
	if (*shell_str(o, "turnout_secs"))
		fprintf(sh->out, _("turnout %.0fs / %.0fs%s"), turnout, target,
			turnout > target ? _(" LATE") : "");
	fputc('\n', sh->out);
}

static int
cmd_dispatch_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();

	(void)c;
	if (opt(a, "incident")) {
		cJSON *inc = NULL;
		int rc = incident_get(sh->db, opt(a, "incident"), &inc);
		cJSON_Delete(inc);
		if (rc <= 0) {
			cJSON_Delete(f);
			if (rc < 0)
				return shell_fail(sh, rc);
			return shell_refuse(sh, "no incident '%s'",
					    opt(a, "incident"));
		}
		cJSON_AddStringToObject(f, "incident", opt(a, "incident"));
	}
	return shell_list(sh, a, LIST_DISPATCHES, f, row_dispatch,
			  (const struct shell_col[]){ { N_("ID"), 14 },
			  { N_("TEAM"), 12 }, { N_("INCIDENT"), 14 },
			  { N_("DISPATCHED"), 0 }, { NULL, 0 } });
}

const struct cmd cmd_team_rows[] = {
	{ "team", "list", "town=,kind=,status=,json", 0, 0, DB_READ,
	  cmd_team_list, "team list [--town T] [--kind K] [--status S] [--json]",
	  "the status board of all teams" },
	{ "team", "status", "", 2, 2, DB_WRITE, cmd_team_status,
	  "team status TEAM en_route|on_scene|returning|available|out_of_service",
	  "move a team on" },
	{ "dispatch", "list", "incident=,json", 0, 0, DB_READ, cmd_dispatch_list,
	  "dispatch list [--incident ID] [--json]", "dispatches and turnout" },
	{ "dispatch", NULL, "", 2, 2, DB_WRITE, cmd_dispatch,
	  "dispatch TEAM INCIDENT", "send a team (调度): prints the dispatch id" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
