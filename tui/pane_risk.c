/*
 * pane_risk.c - the county's risk points (风险点), a list of pane 9:
 * code, name, town, people at risk, people moved, when cleared, kind.
 * m moves people out of the selected point (a form asks how many), c
 * marks it cleared (c again to confirm), Enter shows its page (its
 * monitor, phone and moves: record.c). Under the list, the selected
 * point's town: points cleared of its total, people moved of those at
 * risk, and the county's.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct column cols[] = {
	{ N_("CODE"), "id", 11, COL_ID, 0 },
	{ N_("NAME"), "name", 15, COL_NAME, 0 },
	{ N_("TOWN"), "town", 11, COL_TOWN, 0 },
	{ N_("AT RISK"), "people", 8, COL_RIGHT, 0 },
	{ N_("MOVED"), "moved", 7, COL_RIGHT, 0 },
	{ N_("CLEARED"), "cleared_at", 11, COL_TIME, 0 },
	{ N_("KIND"), "kind", 0, 0, W_RISK_KIND },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const find[] = { "id", "name", "pinyin", "town",
	"village", "monitor_name", "kind_words", NULL };

static const struct keymap keymap[] = {
	{ 'v', 0, REQ_VIEW, "v" },
	{ 'm', 0, REQ_EVACUATE, "m" },
	{ 'c', 0, REQ_CLEAR, "c" },
	{ 0, 0, REQ_NONE, NULL }
};

/* A string member of o, "" when it is not one. */
static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The point c was pressed on once: c again on it clears it. */
static char clear_pending[64];

/* What the line under the list says, added up as the rows load (every
 * point, before a filter): per town, and the county's (town ""). */
struct sums {
	char town[32];
	int64_t points, cleared, people, moved;
};
static struct sums sums[64];
static int nsums;

static struct sums *
sums_of(const char *town)
{
	int i;

	for (i = 0; i < nsums; i++)
		if (strcmp(sums[i].town, town) == 0)
			return &sums[i];
	if (nsums == (int)(sizeof sums / sizeof sums[0]))
		return NULL;
	memset(&sums[nsums], 0, sizeof sums[nsums]);
	snprintf(sums[nsums].town, sizeof sums[nsums].town, "%s", town);
	return &sums[nsums++];
}

/* A count of row, 0 when it has none. */
static int64_t
count(const cJSON *row, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(row, k);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static void
sums_add(const char *town, const cJSON *row)
{
	struct sums *t = sums_of(town);

	if (!t)
		return;
	t->points++;
	t->cleared += *str(row, "cleared_at") != 0;
	t->people += count(row, "people");
	t->moved += count(row, "moved");
}

static cJSON *
load(struct pane *p)
{
	cJSON *list = NULL, *row;

	nsums = 0;
	if (risk_list(console_db(), NULL, &list)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		return NULL;
	}
	/* The kind as the reader says it, for '/'. */
	cJSON_ArrayForEach(row, list) {
		cJSON_AddStringToObject(row, "kind_words",
					word(W_RISK_KIND, str(row, "kind")));
		sums_add("", row);
		sums_add(str(row, "town"), row);
	}
	return view_filter(&p->view, p->ops->find, list);
}

/* A cleared point is done with: it steps back. */
static int
style(const cJSON *row, void *ctx)
{
	(void)ctx;
	return *str(row, "cleared_at") ? A_DIM : 0;
}

/* ---- moving people out ---- */

static const struct form_field evacuate_form[] = {
	{ N_("People moved now"), "n", FT_INT, 1, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_evacuate(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *code = str(ctx, "point");
	char id[64], *end;
	long long k = strtoll(form_value(values, "n"), &end, 10);
	int rc;

	if (*end || k < 1 || k > RISK_PEOPLE_MAX) {
		snprintf(msg, n, _("people moved: a whole number from 1 to %d"),
			 RISK_PEOPLE_MAX);
		return DD_E_INVALID;
	}
	if ((rc = risk_evacuate(console_db(), code, k, id)))
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("%lld people moved out of %s (%s)"), k, code, id);
	return 0;
}

static void
open_evacuate(const cJSON *row)
{
	cJSON *ctx = cJSON_CreateObject();
	char title[200];

	cJSON_AddStringToObject(ctx, "point", str(row, "id"));
	snprintf(title, sizeof title, _("People moved out of %s %s"),
		 str(row, "id"), console_name(row));
	form_open(title, evacuate_form, NULL, submit_evacuate, ctx);
	cJSON_Delete(ctx);
}

/* ---- clearing ---- */

static void
clear_point(const cJSON *row)
{
	const char *code = str(row, "id");
	char done[64];
	int rc;

	if (*str(row, "cleared_at")) {
		clear_pending[0] = 0;
		console_msg(1, _("%s is cleared already"), code);
		return;
	}
	if (strcmp(clear_pending, code) != 0) {
		snprintf(clear_pending, sizeof clear_pending, "%s", code);
		console_msg(0, _("c again to mark %s %s cleared"), code,
			    console_name(row));
		return;
	}
	clear_pending[0] = 0;
	if ((rc = risk_clear(console_db(), code, done))) {
		console_msg(1, "%s", db_why(console_db(), rc));
		return;
	}
	console_msg(0, _("%s is cleared"), done);
	console_changed();
}

static int
key(struct pane *p, enum req r)
{
	const cJSON *row = view_selected(&p->view);

	if (r != REQ_CLEAR)
		clear_pending[0] = 0;
	switch (r) {
	case REQ_VIEW:
		county_view_next(p);
		return 0;
	case REQ_EVACUATE:
	case REQ_CLEAR:
		if (!row) {
			console_msg(1, "%s", _("no row selected"));
			return 0;
		}
		if (r == REQ_EVACUATE)
			open_evacuate(row);
		else
			clear_point(row);
		return 0;
	default:
		return -1;
	}
}

/* The selected point's town, then the county: cleared of the points,
 * moved of the people at risk. */
static void
draw_extra(struct pane *p, WINDOW *win)
{
	const cJSON *row = view_selected(&p->view);
	const struct sums *t;
	char buf[300];
	int h, w, y;

	/* Added up at load: a draw asks the database nothing. */
	getmaxyx(win, h, w);
	y = view_rule(win, p->ops->extra_lines);
	(void)h;
	if (row && *str(row, "town") && (t = sums_of(str(row, "town")))) {
		snprintf(buf, sizeof buf, _("%s: %lld of %lld points cleared, "
			 "%lld of %lld people moved"),
			 console_town(str(row, "town"), 1), (long long)t->cleared,
			 (long long)t->points, (long long)t->moved,
			 (long long)t->people);
		wmove(win, y + 1, 0);
		text_put(win, buf, w, 1);
	}
	if ((t = sums_of(""))) {
		snprintf(buf, sizeof buf, _("county: %lld of %lld points cleared, "
			 "%lld of %lld people moved"), (long long)t->cleared,
			 (long long)t->points, (long long)t->moved,
			 (long long)t->people);
		wmove(win, y + 2, 0);
		text_put(win, buf, w, 1);
	}
}

const struct pane_ops pane_risk = {
	.title = N_("Risks"), .cols = cols, .find = find, .keys = keymap,
	.load = load, .key = key, .style = style, .draw_extra = draw_extra,
	.extra_lines = 3,
};
