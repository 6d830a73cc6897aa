/*
 * cmd_supply.c - supplies per depot (in, out, transfer, stocktake) and
 * the shelters with the people in them.
 */
#include "tui/shell.h"
#include "tui/console.h"

#include <stdio.h>
#include <string.h>

#include "core/core.h"

static void
row_stock(struct shell *sh, const cJSON *o)
{
	int negative = shell_num(o, "negative") != 0;

	shell_pad(sh, shell_str(o, "item"), 12);
	shell_pad(sh, shell_str(o, sh->utf8 ? "name" : "name_en"), 22);
	shell_pad(sh, shell_str(o, "depot"), 16);
	fprintf(sh->out, "%8s %s%s\n", shell_str(o, "qty"),
		negative ? _(" NEGATIVE") : "",
		!negative && shell_num(o, "is_low") ? _(" LOW") : "");
}

static int
cmd_supply_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();
	int rc;

	(void)c;
	if ((rc = shell_filter_ref(sh, a, f, "depot", REF_DEPOT)) ||
	    (rc = shell_filter_ref(sh, a, f, "item", REF_KIND))) {
		cJSON_Delete(f);
		return rc;
	}
	return shell_list(sh, a, LIST_STOCK, f, row_stock,
			  (const struct shell_col[]){ { N_("ITEM"), 12 },
			  { N_("NAME"), 22 }, { N_("DEPOT"), 21 }, { N_("QTY"), 0 },
			  { NULL, 0 } });
}

static int
cmd_supply_move(struct shell *sh, const struct cmd *c, struct args *a)
{
	static const char *const verbs[] = { "receive", "issue", "transfer",
		"count" };
	const char *depot = opt(a, "depot"), *to = NULL;
	int kind, rc;
	int64_t qty;
	char id[64];

	for (kind = 0; kind < 4 && strcmp(verbs[kind], c->verb) != 0; kind++)
		;
	if (kind == MOVE_TRANSFER) {
		depot = opt(a, "from");
		to = opt(a, "to");
		if (!depot || !to)
			return shell_usage(sh, c, "%s", "transfer needs --from "
					   "DEPOT and --to DEPOT");
	} else if (!depot) {
		return shell_usage(sh, c, "%s", "give the depot: --depot DEPOT");
	}
	if (shell_qty(a->pos[1], kind == MOVE_COUNT ? 0 : 1, 1000000000, &qty))
		return shell_refuse(sh, "quantity '%s' must be a whole number "
				    "from 1 to 1000000000 (a count may be 0)",
				    a->pos[1]);
	rc = supply_move(sh->db, kind, a->pos[0], depot, to, qty, opt(a, "note"),
			 id);
	return shell_made(sh, rc, id);
}

static void
row_shelter(struct shell *sh, const cJSON *o)
{
	shell_pad(sh, shell_str(o, "id"), 7);
	shell_pad(sh, shell_name(sh, o), 36);
	shell_pad(sh, shell_town(sh, shell_str(o, "town")), 12);
	fprintf(sh->out, "%6s/%-6s %s\n", shell_str(o, "occupancy"),
		shell_str(o, "capacity"), shell_word(sh, W_SHELTER_STATE,
		shell_num(o, "open") ? "open" : "closed"));
}

static int
cmd_shelter_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();
	int rc;

	(void)c;
	if ((rc = shell_filter_ref(sh, a, f, "town", REF_TOWN))) {
		cJSON_Delete(f);
		return rc;
	}
	if (opt(a, "open"))
		cJSON_AddNumberToObject(f, "open", 1);
	return shell_list(sh, a, LIST_SHELTERS, f, row_shelter,
			  (const struct shell_col[]){ { N_("ID"), 7 },
			  { N_("NAME"), 36 }, { N_("TOWN"), 13 },
			  { N_("PEOPLE/CAP"), 0 }, { NULL, 0 } });
}

static int
cmd_shelter_open(struct shell *sh, const struct cmd *c, struct args *a)
{
	return shell_fail(sh, shelter_set_open(sh->db, a->pos[0],
					       strcmp(c->verb, "open") == 0));
}

static int
cmd_shelter_occupy(struct shell *sh, const struct cmd *c, struct args *a)
{
	int64_t n, people, cap;
	int in = strcmp(c->verb, "checkin") == 0, rc;

	if (shell_qty(a->pos[1], 1, 1000000, &n))
		return shell_refuse(sh, "number of people '%s' must be from 1 "
				    "to 1000000", a->pos[1]);
	if ((rc = shelter_occupy(sh->db, a->pos[0], in ? n : -n)))
		return shell_fail(sh, rc);
	/* Taken, since they are there; but the officer must know. */
	if (in && shelter_occupancy(sh->db, a->pos[0], &people, &cap) == 1 &&
	    cap > 0 && people > cap)
		fprintf(sh->err, "dutydesk: shelter %s now holds %lld people, %lld "
			"over its capacity of %lld\n", a->pos[0], (long long)people,
			(long long)(people - cap), (long long)cap);
	return 0;
}

const struct cmd cmd_supply_rows[] = {
	{ "supply", "list", "depot=,item=,json", 0, 0, DB_READ, cmd_supply_list,
	  "supply list [--depot D] [--item I] [--json]", "stock per kind and depot" },
	{ "supply", "receive", "depot=,note=", 2, 2, DB_WRITE, cmd_supply_move,
	  "supply receive ITEM QTY --depot D [--note T]", "stock coming in" },
	{ "supply", "issue", "depot=,note=", 2, 2, DB_WRITE, cmd_supply_move,
	  "supply issue ITEM QTY --depot D [--note T]", "stock going out" },
	{ "supply", "transfer", "from=,to=,note=", 2, 2, DB_WRITE,
	  cmd_supply_move, "supply transfer ITEM QTY --from D --to D",
	  "move stock between depots (调拨)" },
	{ "supply", "count", "depot=,note=", 2, 2, DB_WRITE, cmd_supply_move,
	  "supply count ITEM QTY --depot D", "stocktake: record what was counted" },
	{ "shelter", "list", "town=,open,json", 0, 0, DB_READ, cmd_shelter_list,
	  "shelter list [--town T] [--open] [--json]", "shelters and occupancy" },
	{ "shelter", "open", "", 1, 1, DB_WRITE, cmd_shelter_open,
	  "shelter open SHELTER", "open a shelter" },
	{ "shelter", "close", "", 1, 1, DB_WRITE, cmd_shelter_open,
	  "shelter close SHELTER", "close a shelter" },
	{ "shelter", "checkin", "", 2, 2, DB_WRITE, cmd_shelter_occupy,
	  "shelter checkin SHELTER N", "N people arrive" },
	{ "shelter", "checkout", "", 2, 2, DB_WRITE, cmd_shelter_occupy,
	  "shelter checkout SHELTER N", "N people leave" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
