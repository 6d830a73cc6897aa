/*
 * pane_supplies.c - stock per kind and depot, low stock and negative
 * balances marked, receive / issue / transfer / stocktake, and how many
 * evacuees the whole stock can serve.
 */
#include "tui/console.h"

#include <stdio.h>
#include <string.h>

static const struct column cols[] = {
	{ N_("ITEM"), "item", 10, 0, 0 },
	{ N_("NAME"), "name", 14, COL_NAME, 0 },
	{ N_("DEPOT"), "depot_label", 20, 0, 0 },
	{ N_("QTY"), "qty", 8, COL_RIGHT, 0 },
	{ N_("LOW AT"), "low", 7, COL_RIGHT, 0 },
	{ N_("STATE"), "state", 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const find[] = { "item", "depot", "depot_label", "name",
	NULL };

static const struct keymap keymap[] = {
	{ 'r', 0, REQ_RECEIVE, "r" },
	{ 'i', 0, REQ_ISSUE, "i" },
	{ 't', 0, REQ_TRANSFER, "t" },
	{ 'c', 0, REQ_COUNT, "c" },
	{ 0, 0, REQ_NONE, NULL }
};

/* How many evacuees stock can serve: the scarcest kind that evacuees
 * need decides. For the whole stock and for the rows shown (filtered). */
struct serve {
	long long n;        /* -1: no kind evacuees need is stocked */
	char by[128];       /* the kind that decides, as shown */
};
static struct serve serve_all, serve_shown;

static void
serve_count(const cJSON *kinds, const cJSON *rows, struct serve *sv)
{
	const cJSON *k, *r;

	sv->n = -1;
	sv->by[0] = '\0';
	cJSON_ArrayForEach(k, kinds) {
		double need = cJSON_GetObjectItem(k, "need_per_100")->valuedouble;
		long long total = 0, can;
		if (need <= 0)
			continue;
		cJSON_ArrayForEach(r, rows)
			if (!cJSON_IsTrue(cJSON_GetObjectItem(r, "total")) &&
			    strcmp(cJSON_GetObjectItem(r, "item")->valuestring,
				   cJSON_GetObjectItem(k, "id")->valuestring) == 0 &&
			    cJSON_GetObjectItem(r, "qty")->valuedouble > 0)
				total += (long long)cJSON_GetObjectItem(r, "qty")
					 ->valuedouble;
		can = (long long)(total * 100 / need);
		if (sv->n < 0 || can < sv->n) {
			sv->n = can;
			snprintf(sv->by, sizeof sv->by, "%s", console_name(k));
		}
	}
}

/* A depot as the column shows it: its name without 应急物资 in Chinese
 * (古城街道储备点), its code otherwise. */
static void
depot_label(const cJSON *depots, const char *code, char *out, size_t n)
{
	const cJSON *d;
	const char *name, *cut;

	snprintf(out, n, "%s", code);
	if (!console_utf8 || !words_chinese())
		return;
	cJSON_ArrayForEach(d, depots) {
		if (strcmp(cJSON_GetObjectItem(d, "id")->valuestring, code) != 0 ||
		    !cJSON_IsString(cJSON_GetObjectItem(d, "name")))
			continue;
		name = cJSON_GetObjectItem(d, "name")->valuestring;
		if ((cut = strstr(name, "应急物资")))
			snprintf(out, n, "%.*s%s", (int)(cut - name), name,
				 cut + strlen("应急物资"));
		else
			snprintf(out, n, "%s", name);
	}
}

/* The town of a depot (null for the county's) on its stock row, for
 * the console's town filter. */
static void
depot_town(const cJSON *depots, const char *code, cJSON *row)
{
	const cJSON *d;

	cJSON_ArrayForEach(d, depots)
		if (strcmp(cJSON_GetObjectItem(d, "id")->valuestring, code) == 0) {
			cJSON_AddItemToObject(row, "town", cJSON_Duplicate(
				cJSON_GetObjectItem(d, "town"), 1));
			return;
		}
	cJSON_AddNullToObject(row, "town");
}

/* The row heading a kind's group: its total over the depots shown. */
static cJSON *
total_row(const cJSON *first, long long qty, int depots, int low)
{
	cJSON *t = cJSON_CreateObject();
	char buf[96];

	snprintf(buf, sizeof buf, "%s@", cJSON_GetObjectItem(first, "item")
		 ->valuestring);
	cJSON_AddStringToObject(t, "id", buf);
	cJSON_AddItemToObject(t, "item", cJSON_Duplicate(
		cJSON_GetObjectItem(first, "item"), 1));
	cJSON_AddItemToObject(t, "name", cJSON_Duplicate(
		cJSON_GetObjectItem(first, "name"), 1));
	cJSON_AddItemToObject(t, "pinyin", cJSON_Duplicate(
		cJSON_GetObjectItem(first, "pinyin"), 1));
	snprintf(buf, sizeof buf, _("total, %d depots"), depots);
	cJSON_AddStringToObject(t, "depot_label", buf);
	cJSON_AddNumberToObject(t, "qty", (double)qty);
	if (low)
		snprintf(buf, sizeof buf, _("%d low"), low);
	cJSON_AddStringToObject(t, "state", low ? buf : "");
	cJSON_AddBoolToObject(t, "total", 1);
	return t;
}

/* A supply kind's name as the terminal shows it: Chinese, or the
 * English one where pinyin would be shown. */
static void
english_name(cJSON *row)
{
	if (!console_utf8)
		cJSON_ReplaceItemInObject(row, "pinyin", cJSON_Duplicate(
			cJSON_GetObjectItem(row, "name_en"), 1));
}

/* Stock grouped by kind, each group headed by its total; the depots by
 * name. */
static cJSON *
load(struct pane *p)
{
	cJSON *list = NULL, *depots = NULL, *kinds = NULL, *out, *row, *r;
	char id[160], label[160];

	if (state_list(console_db(), LIST_STOCK, NULL, &list) ||
	    state_list(console_db(), LIST_DEPOTS, NULL, &depots) ||
	    state_list(console_db(), LIST_KINDS, NULL, &kinds)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		cJSON_Delete(list);
		cJSON_Delete(depots);
		cJSON_Delete(kinds);
		return NULL;
	}
	cJSON_ArrayForEach(row, list) {
		const char *item = cJSON_GetObjectItem(row, "item")->valuestring;
		const char *depot = cJSON_GetObjectItem(row, "depot")->valuestring;
		/* The view keeps the selection by id. */
		snprintf(id, sizeof id, "%s@%s", item, depot);
		cJSON_AddStringToObject(row, "id", id);
		depot_label(depots, depot, label, sizeof label);
		cJSON_AddStringToObject(row, "depot_label", label);
		depot_town(depots, depot, row);
		cJSON_AddStringToObject(row, "state",
			cJSON_GetObjectItem(row, "negative")->valuedouble ? _("NEGATIVE")
			: cJSON_GetObjectItem(row, "is_low")->valuedouble ? _("low")
			: "");
		english_name(row);
	}
	cJSON_ArrayForEach(row, kinds)
		english_name(row);
	serve_count(kinds, list, &serve_all);
	list = view_filter(&p->view, p->ops->find, list);
	serve_count(kinds, list, &serve_shown);
	/* Rows come ordered by kind: a total before each kind's rows. */
	out = cJSON_CreateArray();
	while ((row = cJSON_GetArrayItem(list, 0))) {
		const char *item = cJSON_GetObjectItem(row, "item")->valuestring;
		long long qty = 0;
		int n = 0, low = 0;
		cJSON_ArrayForEach(r, list) {
			if (strcmp(cJSON_GetObjectItem(r, "item")->valuestring, item))
				break;
			qty += (long long)cJSON_GetObjectItem(r, "qty")->valuedouble;
			low += cJSON_GetObjectItem(r, "is_low")->valuedouble != 0;
			n++;
		}
		cJSON_AddItemToArray(out, total_row(row, qty, n, low));
		while (n-- > 0)
			cJSON_AddItemToArray(out, cJSON_DetachItemFromArray(list, 0));
	}
	cJSON_Delete(list);
	cJSON_Delete(depots);
	cJSON_Delete(kinds);
	return out;
}

static int
style(const cJSON *row, void *ctx)
{
	(void)ctx;
	if (cJSON_IsTrue(cJSON_GetObjectItem(row, "total")))
		return A_BOLD;
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

/* A supply kind's name and unit as the officer reads them ("救灾帐篷
 * 顶"); the code when no kind has it. */
static void
kind_label(const char *code, char *out, size_t n)
{
	cJSON *kinds = NULL, *k;

	snprintf(out, n, "%s", code);
	if (state_list(console_db(), LIST_KINDS, NULL, &kinds))
		return;
	cJSON_ArrayForEach(k, kinds) {
		const cJSON *unit = cJSON_GetObjectItem(k, console_utf8
							? "unit" : "unit_en");
		if (strcmp(cJSON_GetObjectItem(k, "id")->valuestring, code))
			continue;
		snprintf(out, n, "%s%s%s", console_name(k),
			 cJSON_IsString(unit) ? " " : "",
			 cJSON_IsString(unit) ? unit->valuestring : "");
	}
	cJSON_Delete(kinds);
}

static int
submit_move(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	static const char *const done[] = { N_("received"), N_("issued"),
		N_("transferred"), N_("counted") };
	int move_kind = (int)cJSON_GetObjectItem(ctx, "kind")->valuedouble;
	long long qty = 0;
	char id[64], kind[160];
	int rc;

	sscanf(form_value(values, "qty"), "%lld", &qty);
	rc = supply_move(console_db(), move_kind, form_value(values, "item"),
			 form_value(values, "depot"), form_value(values, "to"),
			 qty, form_value(values, "note"), id);
	if (rc)
		return form_refused(rc, msg, n);
	kind_label(form_value(values, "item"), kind, sizeof kind);
	snprintf(msg, n, _("%s %lld %s (%s)"), _(done[move_kind]), qty, kind, id);
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
		/* A kind's total row names no depot. */
		if (cJSON_IsString(cJSON_GetObjectItem(row, "depot")))
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

/* How many evacuees the stock can serve: the whole stock, and when a
 * filter is set, the rows shown as well. */
static void
draw_extra(struct pane *p, WINDOW *win)
{
	char buf[400];
	int h, w;

	getmaxyx(win, h, w);
	view_rule(win, p->ops->extra_lines);
	if (p->view.filter[0])
		snprintf(buf, sizeof buf, _("the rows shown can serve %lld evacuees "
			 "(limited by %s); the whole stock %lld"),
			 serve_shown.n < 0 ? 0 : serve_shown.n, serve_shown.by,
			 serve_all.n < 0 ? 0 : serve_all.n);
	else
		snprintf(buf, sizeof buf, _("the whole stock can serve %lld "
			 "evacuees (limited by %s)"), serve_all.n < 0 ? 0
			 : serve_all.n, serve_all.by);
	wmove(win, h - 1, 0);
	text_put(win, buf, w, 1);
}

const struct pane_ops pane_supplies = {
	.title = N_("Supplies"), .cols = cols, .find = find, .keys = keymap,
	.load = load, .key = key, .style = style,
	.draw_extra = draw_extra, .extra_lines = 2,
};
