/*
 * cmd_request.c - requests between levels: a town asks the county for
 * supplies or a team; the county approves or refuses and sends; the
 * town receives.
 */
#include "tui/shell.h"
#include "tui/console.h"

#include <stdio.h>
#include <string.h>

#include "core/core.h"

/* What a request asks for, as a list shows it: the item's name (its
 * code under a terminal without Chinese) and quantity, or the team
 * kind. */
static const char *
request_what(struct shell *sh, const cJSON *o, char *buf, size_t n)
{
	if (*shell_str(o, "item"))
		snprintf(buf, n, "%s x%s", sh->utf8 && words_chinese() &&
			 *shell_str(o, "item_name") ? shell_str(o, "item_name")
			 : shell_str(o, "item"), shell_str(o, "qty"));
	else
		snprintf(buf, n, "%s", shell_word(sh, W_TEAM_KIND,
						  shell_str(o, "team_kind")));
	return buf;
}

static void
row_request(struct shell *sh, const cJSON *o)
{
	char what[128], age[32];
	long long secs = (long long)shell_num(o, "age_secs");

	shell_pad(sh, shell_str(o, "id"), 14);
	shell_pad(sh, shell_town(sh, shell_str(o, "town")), 10);
	shell_pad(sh, request_what(sh, o, what, sizeof what), 20);
	shell_pad(sh, *shell_str(o, "incident") ? shell_str(o, "incident") : "-",
		  14);
	shell_pad(sh, request_state_word(shell_str(o, "state")), 10);
	if (secs < 3600)
		snprintf(age, sizeof age, "%lldm", secs / 60);
	else
		snprintf(age, sizeof age, "%lldh%02lldm", secs / 3600,
			 secs / 60 % 60);
	fprintf(sh->out, "%s%s\n", age, cJSON_IsTrue(
		cJSON_GetObjectItemCaseSensitive(o, "late")) ? _(" LATE") : "");
}

static int
cmd_request_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	static const struct shell_col header[] = { { N_("ID"), 14 },
		{ N_("TOWN"), 10 }, { N_("WHAT"), 20 }, { N_("INCIDENT"), 14 },
		{ N_("STATE"), 10 }, { N_("AGE"), 0 }, { NULL, 0 } };
	char town[64];
	cJSON *list = NULL, *o;
	int rc;

	(void)c;
	if (opt(a, "town") && (rc = shell_ref(sh, REF_TOWN, opt(a, "town"), NULL,
					      town)))
		return rc;
	if ((rc = request_list(sh->db, opt(a, "town") ? town : NULL, NULL,
			       opt(a, "open") != NULL, &list)))
		return shell_fail(sh, rc);
	if (opt(a, "json")) {
		rc = shell_print_json(sh, list, 0);
	} else {
		shell_header(sh, header);
		cJSON_ArrayForEach(o, list)
			row_request(sh, o);
	}
	cJSON_Delete(list);
	return shell_fail(sh, rc);
}

static int
cmd_request_show(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *list = NULL, *steps = NULL, *o;
	char what[128];
	int rc;

	(void)c;
	if ((rc = request_list(sh->db, NULL, a->pos[0], 0, &list)))
		return shell_fail(sh, rc);
	if (!list->child) {
		cJSON_Delete(list);
		return shell_refuse(sh, "no request '%s'", a->pos[0]);
	}
	if ((rc = request_steps(sh->db, a->pos[0], &steps)))
		goto out;
	o = list->child;
	if (opt(a, "json")) {
		cJSON_AddItemToObject(o, "steps", steps);
		steps = NULL;
		rc = shell_print_json(sh, o, 0);
		goto out;
	}
	fprintf(sh->out, "%s  %s  %s  %s\n", shell_str(o, "id"),
		shell_town(sh, shell_str(o, "town")),
		request_what(sh, o, what, sizeof what),
		request_state_word(shell_str(o, "state")));
	if (*shell_str(o, "incident"))
		fprintf(sh->out, "  %s: %s\n", _("Incident"),
			shell_str(o, "incident"));
	if (*shell_str(o, "note"))
		fprintf(sh->out, "  %s: %s\n", _("Note"), shell_str(o, "note"));
	fprintf(sh->out, "  %s  %s %s\n", shell_time(o, "at"), _("Asked"),
		shell_str(o, "officer"));
	cJSON_ArrayForEach(o, steps) {
		fprintf(sh->out, "  %s  %s", shell_time(o, "at"),
			request_state_word(strcmp(shell_str(o, "step"), "approve")
			== 0 ? "approved" : strcmp(shell_str(o, "step"), "refuse")
			== 0 ? "refused" : strcmp(shell_str(o, "step"), "send") == 0
			? "sent" : "received"));
		if (*shell_str(o, "qty"))
			fprintf(sh->out, " x%s", shell_str(o, "qty"));
		if (*shell_str(o, "depot"))
			fprintf(sh->out, " %s", shell_str(o, "depot"));
		if (*shell_str(o, "team"))
			fprintf(sh->out, " %s", shell_str(o, "team"));
		if (*shell_str(o, "reason"))
			fprintf(sh->out, " (%s)", shell_str(o, "reason"));
		if (*shell_str(o, "ref") && strcmp(shell_str(o, "step"), "send")
		    == 0)
			fprintf(sh->out, " %s", shell_str(o, "ref"));
		fprintf(sh->out, "  %s %s\n", shell_str(o, "id"),
			shell_str(o, "officer"));
	}
out:
	cJSON_Delete(steps);
	cJSON_Delete(list);
	return shell_fail(sh, rc);
}

static int
cmd_request_add(struct shell *sh, const struct cmd *c, struct args *a)
{
	const char *item = opt(a, "item"), *kind = opt(a, "team-kind");
	char id[64];
	int64_t qty = 0;

	if (!item == !kind)
		return shell_usage(sh, c, "%s", "ask for supplies (--item ITEM "
				   "--qty N) or a team (--team-kind KIND)");
	if (item && !opt(a, "qty"))
		return shell_usage(sh, c, "%s", "give the quantity: --qty N");
	if (kind && opt(a, "qty"))
		return shell_usage(sh, c, "%s", "a team is asked for without "
				   "--qty");
	if (item && shell_qty(opt(a, "qty"), 1, 1000000000, &qty))
		return shell_refuse(sh, "quantity '%s' must be a whole number "
				    "from 1 to 1000000000", opt(a, "qty"));
	return shell_made(sh, request_add(sh->db, opt(a, "town"), item, qty, kind,
					  opt(a, "incident"), opt(a, "note"), id),
			  id);
}

static int
cmd_request_approve(struct shell *sh, const struct cmd *c, struct args *a)
{
	const char *depot = opt(a, "depot"), *team = opt(a, "team");
	char id[64];
	int64_t qty = 0;

	if (!depot == !team)
		return shell_usage(sh, c, "%s", "approve from a depot (--depot D) "
				   "or with a team (--team T)");
	if (opt(a, "qty") && shell_qty(opt(a, "qty"), 1, 1000000000, &qty))
		return shell_refuse(sh, "quantity '%s' must be a whole number "
				    "from 1 to 1000000000", opt(a, "qty"));
	return shell_made(sh, request_approve(sh->db, a->pos[0], qty, depot,
					      team, id), id);
}

static int
cmd_request_refuse(struct shell *sh, const struct cmd *c, struct args *a)
{
	char id[64];

	if (!opt(a, "reason") || !*opt(a, "reason"))
		return shell_usage(sh, c, "%s", "say why: --reason TEXT");
	return shell_made(sh, request_refuse(sh->db, a->pos[0], opt(a, "reason"),
					     id), id);
}

static int
cmd_request_send(struct shell *sh, const struct cmd *c, struct args *a)
{
	char id[64], ref[64];
	int rc;

	(void)c;
	rc = strcmp(c->verb, "send") == 0
		? request_send(sh->db, a->pos[0], opt(a, "incident"), id, ref)
		: request_receive(sh->db, a->pos[0], opt(a, "depot"), id, ref);
	return shell_made(sh, rc, id);
}

const struct cmd cmd_request_rows[] = {
	{ "request", "list", "open,town=,json", 0, 0, DB_READ, cmd_request_list,
	  "request list [--open] [--town T] [--json]",
	  "requests between levels and their state" },
	{ "request", "show", "json", 1, 1, DB_READ, cmd_request_show,
	  "request show ID [--json]", "a request and its steps" },
	{ "request", "add", "item=,qty=,team-kind=,incident=,note=,town=", 0, 0,
	  DB_WRITE, cmd_request_add, "request add --item I --qty N | "
	  "--team-kind K [--incident ID] [--note T] [--town T]",
	  "ask the county for supplies or a team" },
	{ "request", "approve", "qty=,depot=,team=", 1, 1, DB_WRITE,
	  cmd_request_approve, "request approve ID [--qty N] --depot D | --team T",
	  "approve a request (command station)" },
	{ "request", "refuse", "reason=", 1, 1, DB_WRITE, cmd_request_refuse,
	  "request refuse ID --reason TEXT", "refuse a request (command station)" },
	{ "request", "send", "incident=", 1, 1, DB_WRITE, cmd_request_send,
	  "request send ID [--incident I]",
	  "send what was approved: the depot issues it or the team is dispatched" },
	{ "request", "receive", "depot=", 1, 1, DB_WRITE, cmd_request_send,
	  "request receive ID [--depot D]",
	  "the town receives what was sent (into its depot)" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
