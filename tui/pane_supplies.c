/*
 * pane_supplies.c - stock per kind and depot, low stock and negative
 * balances marked, receive / issue / transfer / stocktake, and how many
 * evacuees the whole stock can serve.
 */
#include "tui/console.h"

#include <stdio.h>
#include <string.h>

static const struct column cols[] = {
	{ N_("ITEM"), "item", 10, 0 },
	{ N_("NAME"), "name", 20, COL_NAME },
	{ N_("DEPOT"), "depot", 15, 0 },
	{ N_("QTY"), "qty", 8, COL_RIGHT },
	{ N_("LOW AT"), "low", 7, COL_RIGHT },
	{ N_("STATE"), "state", 0, 0 },
	{ NULL, NULL, 0, 0 }
};

static const char *const find[] = { "item", "depot", "name", NULL };

static const struct keymap keymap[] = {
	{ 'r', 0, REQ_RECEIVE, "r" },
	{ 'i', 0, REQ_ISSUE, "i" },
	{ 't', 0, REQ_TRANSFER, "t" },
	{ 'c', 0, REQ_COUNT, "c" },
	{ 0, 0, REQ_NONE, NULL }
};

static cJSON *
load(struct pane *p)
{
	cJSON *list = NULL, *out, *row;
	char id[160];

	if (state_list(console_db(), LIST_STOCK, NULL, &list)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		return NULL;
	}
	out = cJSON_CreateArray();
	while ((row = cJSON_DetachItemFromArray(list, 0))) {
		const char *item = cJSON_GetObjectItem(row, "item")->valuestring;
		const char *depot = cJSON_GetObjectItem(row, "depot")->valuestring;
		/* The view keeps the selection by id. */
		snprintf(id, sizeof id, "%s@%s", item, depot);
		cJSON_AddStringToObject(row, "id", id);
		cJSON_AddStringToObject(row, "state",
			cJSON_GetObjectItem(row, "negative")->valuedouble ? _("NEGATIVE")
			: cJSON_GetObjectItem(row, "is_low")->valuedouble ? _("low")
			: "");
		/* Chinese name, or the English one where pinyin is shown. */
		if (!console_utf8)
			cJSON_ReplaceItemInObject(row, "pinyin", cJSON_Duplicate(
				cJSON_GetObjectItem(row, "name_en"), 1));
		cJSON_AddItemToArray(out, row);
	}
	cJSON_Delete(list);
	return view_filter(&p->view, p->ops->find, out);
}

static int
style(const cJSON *row, void *ctx)
{
	(void)ctx;
	if (cJSON_GetObjectItem(row, "negative")->valuedouble)
		return A_BOLD | (has_colors() ? COLOR_PAIR(1) : A_UNDERLINE);
	if (cJSON_GetObjectItem(row, "is_low")->valuedouble)
		return has_colors() ? COLOR_PAIR(2) : A_BOLD;
	return 0;
}

static const struct form_field move_form[] = {
	{ N_("Item"), "item", FT_PICK, 1, NULL, REF_KIND, NULL },
	{ N_("Depot"), "depot", FT_PICK, 1, NULL, REF_DEPOT, NULL },
	{ N_("Quantity"), "qty", FT_INT, 1, NULL, 0, NULL },
	{ N_("Note"), "note", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static const struct form_field transfer_form[] = {
	{ N_("Item"), "item", FT_PICK, 1, NULL, REF_KIND, NULL },
	{ N_("From depot"), "depot", FT_PICK, 1, NULL, REF_DEPOT, NULL },
	{ N_("To depot"), "to", FT_PICK, 1, NULL, REF_DEPOT, NULL },
	{ N_("Quantity"), "qty", FT_INT, 1, NULL, 0, NULL },
	{ N_("Note"), "note", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_move(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	static const char *const done[] = { N_("received"), N_("issued"),
		N_("transferred"), N_("counted") };
	int move_kind = (int)cJSON_GetObjectItem(ctx, "kind")->valuedouble;
	long long qty = 0;
	char id[64];
	int rc;

	sscanf(form_value(values, "qty"), "%lld", &qty);
	rc = supply_move(console_db(), move_kind, form_value(values, "item"),
			 form_value(values, "depot"), form_value(values, "to"),
			 qty, form_value(values, "note"), id);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, "%s %lld %s (%s)", _(done[move_kind]), qty,
		 form_value(values, "item"), id);
	return 0;
}

static int
key(struct pane *p, enum req r)
{
	static const char *const titles[] = { N_("Receive stock"),
		N_("Issue stock"), N_("Transfer between depots (调拨)"),
		N_("Stocktake: what was counted") };
	const cJSON *row = view_selected(&p->view);
	cJSON *init, *ctx;
	int move_kind;

	switch (r) {
	case REQ_RECEIVE: move_kind = MOVE_RECEIVE; break;
	case REQ_ISSUE: move_kind = MOVE_ISSUE; break;
	case REQ_TRANSFER: move_kind = MOVE_TRANSFER; break;
	case REQ_COUNT: move_kind = MOVE_COUNT; break;
	default: return -1;
	}
	init = cJSON_CreateObject();
	if (row) {
		cJSON_AddStringToObject(init, "item",
			cJSON_GetObjectItem(row, "item")->valuestring);
		cJSON_AddStringToObject(init, "depot",
			cJSON_GetObjectItem(row, "depot")->valuestring);
	}
	/* Which move the form makes. */
	ctx = cJSON_CreateObject();
	cJSON_AddNumberToObject(ctx, "kind", move_kind);
	form_open(_(titles[move_kind]), move_kind == MOVE_TRANSFER ? transfer_form
		  : move_form, init, submit_move, ctx);
	cJSON_Delete(ctx);
	cJSON_Delete(init);
	return 0;
}

/* How many evacuees the stock of every depot together can serve: the
 * scarcest kind that evacuees need decides. */
static void
draw_extra(struct pane *p, WINDOW *win)
{
	cJSON *kinds = NULL, *k, *r;
	int h, w;
	long long serve = -1;
	const char *by = "";
	char buf[200];

	getmaxyx(win, h, w);
	view_rule(win, p->ops->extra_lines);
	if (state_list(console_db(), LIST_KINDS, NULL, &kinds))
		return;
	cJSON_ArrayForEach(k, kinds) {
		double need = cJSON_GetObjectItem(k, "need_per_100")->valuedouble;
		long long total = 0, can;
		if (need <= 0)
			continue;
		cJSON_ArrayForEach(r, p->view.rows)
			if (strcmp(cJSON_GetObjectItem(r, "item")->valuestring,
				   cJSON_GetObjectItem(k, "id")->valuestring) == 0 &&
			    cJSON_GetObjectItem(r, "qty")->valuedouble > 0)
				total += (long long)cJSON_GetObjectItem(r, "qty")
					 ->valuedouble;
		can = (long long)(total * 100 / need);
		if (serve < 0 || can < serve) {
			serve = can;
			by = cJSON_GetObjectItem(k, "id")->valuestring;
		}
	}
	snprintf(buf, sizeof buf, _("the stock shown can serve %lld evacuees "
		 "(limited by %s)"), serve < 0 ? 0 : serve, by);
	wmove(win, h - 1, 0);
	text_put(win, buf, w, 1);
	cJSON_Delete(kinds);
}

const struct pane_ops pane_supplies = {
	.title = N_("Supplies"), .cols = cols, .find = find, .keys = keymap,
	.load = load, .key = key, .style = style,
	.draw_extra = draw_extra, .extra_lines = 2,
};
