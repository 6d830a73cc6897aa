/*
 * pane_board.c - the town board (镇街态势), the first list of pane 9: a
 * row per town, those with a report late first, then those silent after
 * a warning, then those heard from longest ago (board_rows' order). Enter
 * on a town shows only that town in every other pane (the console's town
 * filter); * shows every town again. Late towns stand out in colour (bold
 * in monochrome), silent ones in bold.
 */
#include "tui/console.h"

#include <stdio.h>
#include <string.h>

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

/* "a/b", or "-" when both are 0. */
static void
pair(cJSON *row, const char *key, double a, double b)
{
	char buf[48];

	if (a == 0 && b == 0)
		snprintf(buf, sizeof buf, "-");
	else
		snprintf(buf, sizeof buf, "%.0f/%.0f", a, b);
	cJSON_AddStringToObject(row, key, buf);
}

void
board_cells(cJSON *row, int64_t now)
{
	const cJSON *heard = cJSON_GetObjectItemCaseSensitive(row,
							      "last_heard_at");
	double dead = num(row, "dead"), inj = num(row, "injured"),
	       miss = num(row, "missing"), trap = num(row, "trapped"),
	       in = num(row, "sheltered"), cap = num(row, "capacity");
	char buf[64];
	int64_t t, m;

	if (dead || inj || miss || trap)
		snprintf(buf, sizeof buf, "%.0f/%.0f/%.0f/%.0f", dead, inj, miss,
			 trap);
	else
		snprintf(buf, sizeof buf, "-");
	cJSON_AddStringToObject(row, "casualties", buf);
	/* People in its open shelters, and how full they are. */
	if (cap > 0)
		snprintf(buf, sizeof buf, "%.0f %.0f%%", in, in * 100 / cap);
	else if (in > 0)
		snprintf(buf, sizeof buf, "%.0f", in);
	else
		snprintf(buf, sizeof buf, "-");
	cJSON_AddStringToObject(row, "shelter", buf);
	pair(row, "risk", num(row, "risk_cleared"), num(row, "risk_points"));
	pair(row, "moved", num(row, "risk_moved"), num(row, "risk_people"));
	if (!cJSON_IsString(heard) || time_parse_iso(heard->valuestring, &t)) {
		/* TRANSLATORS: the town board: its station was never heard
		 * from (at most 5 columns). */
		cJSON_AddStringToObject(row, "heard", _("never"));
		return;
	}
	m = (now - t) / 60;
	if (m < 0)
		m = 0;
	if (m < 60)
		snprintf(buf, sizeof buf, "%lldm", (long long)m);
	else if (m < 48 * 60)
		snprintf(buf, sizeof buf, "%lldh%02lld", (long long)(m / 60),
			 (long long)(m % 60));
	else
		snprintf(buf, sizeof buf, "%lldd", (long long)(m / 1440));
	cJSON_AddStringToObject(row, "heard", buf);
}

/* 80 columns, the last (HEARD) five wide: ten for a town's short name
 * or, on an ASCII terminal, its code (baishuiyang loses its last
 * letter), the rest as narrow as a two-character Chinese head allows. */
static const struct column cols[] = {
	{ N_("TOWN"), "id", 11, COL_TOWN, 0 },
	/* TRANSLATORS: the town board's heads are at most 4 columns wide
	 * (2 Chinese characters), but RISK 5, CASUALTY, SHELTER and MOVED
	 * 8, HEARD 5. */
	{ N_("OPEN"), "open", 4, COL_RIGHT, 0 },
	{ N_("LATE"), "late", 4, COL_RIGHT, 0 },
	{ N_("CASUALTY"), "casualties", 8, 0, 0 },
	{ N_("EVAC"), "evacuated", 4, COL_RIGHT, 0 },
	{ N_("SHELTER"), "shelter", 7, 0, 0 },
	{ N_("TEAM"), "teams_out", 4, COL_RIGHT, 0 },
	{ N_("WARN"), "unanswered", 4, COL_RIGHT, 0 },
	{ N_("REQ"), "requests", 4, COL_RIGHT, 0 },
	{ N_("RISK"), "risk", 5, 0, 0 },
	{ N_("MOVED"), "moved", 8, 0, 0 },
	{ N_("HEARD"), "heard", 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const find[] = { "id", "name", "pinyin", NULL };

static const struct keymap keymap[] = {
	{ '\n', 0, REQ_TOWN, "Enter" },
	{ '\r', 0, REQ_TOWN, NULL },
	{ KEY_ENTER, 1, REQ_TOWN, NULL },
	{ 'v', 0, REQ_VIEW, "v" },
	{ 0, 0, REQ_NONE, NULL }
};

static cJSON *
load(struct pane *p)
{
	cJSON *list = NULL, *row;
	int64_t now = console_now();

	if (board_rows(console_db(), &list)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		return NULL;
	}
	/* The row's town is its id (the selection stays on it), not a
	 * "town" the console's town filter would match: the board shows
	 * every town, to pick another. */
	cJSON_ArrayForEach(row, list) {
		cJSON *town = cJSON_DetachItemFromObjectCaseSensitive(row, "town");
		cJSON_AddItemToObject(row, "id", town);
		board_cells(row, now);
	}
	return view_filter(&p->view, p->ops->find, list);
}

static int
style(const cJSON *row, void *ctx)
{
	(void)ctx;
	if (num(row, "late") > 0)
		return A_BOLD | (has_colors() ? COLOR_PAIR(1) : A_UNDERLINE);
	if (num(row, "silent") > 0)
		return A_BOLD;
	return 0;
}

static int
key(struct pane *p, enum req r)
{
	const cJSON *row = view_selected(&p->view);

	switch (r) {
	case REQ_VIEW:
		county_view_next(p);
		return 0;
	case REQ_TOWN:
		if (!row) {
			console_msg(1, "%s", _("no row selected"));
			return 0;
		}
		console_town_only_set(cJSON_GetStringValue(
			cJSON_GetObjectItemCaseSensitive(row, "id")));
		return 0;
	default:
		return -1;
	}
}

const struct pane_ops pane_board = {
	.title = N_("board"), .cols = cols, .find = find, .keys = keymap,
	.load = load, .key = key, .style = style,
};
