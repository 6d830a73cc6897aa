/*
 * pane_stats.c - disaster statistics (灾情统计) in pane 9: every town's
 * figures of one duty day (today's unless d chose another), the county
 * total on the first row. e opens the form that sets the selected
 * town's figures: a town station its own town alone (the others are
 * there to read); the command station any, with a reason when it
 * changes what a town reported. Enter shows who reported each figure,
 * when and why.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The day chosen with d ("" today's duty day) and the one shown; this
 * station's town as the last load found it ("" for the command
 * station). */
static char chosen[11], shown[11], mine[32];

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/* The heads are the shell's (dutydesk stats); the form and the page
 * say each figure in full. */
static const struct column cols[] = {
	{ N_("TOWN"), "town", 11, COL_TOWN, 0 },
	{ N_("AFFECT"), "s_affected", 7, COL_RIGHT, 0 },
	{ N_("DEAD"), "s_dead", 4, COL_RIGHT, 0 },
	{ N_("MISS"), "s_missing", 4, COL_RIGHT, 0 },
	{ N_("MOVED"), "s_relocated", 6, COL_RIGHT, 0 },
	{ N_("AID"), "s_need_aid", 6, COL_RIGHT, 0 },
	{ N_("COLL"), "s_collapsed", 5, COL_RIGHT, 0 },
	{ N_("SEV"), "s_severe", 5, COL_RIGHT, 0 },
	{ N_("DMG"), "s_damaged", 5, COL_RIGHT, 0 },
	{ N_("CROP"), "s_crop_ha", 7, COL_RIGHT, 0 },
	{ N_("LOSS"), "s_loss", 7, COL_RIGHT, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const find[] = { "town", "name", "pinyin", NULL };

static const struct keymap keymap[] = {
	{ 'v', 0, REQ_VIEW, "v" },
	{ 'e', 0, REQ_EDIT, "e" },
	{ 'd', 0, REQ_DATE, "d" },
	{ 0, 0, REQ_NONE, NULL }
};

/* What the officer calls each figure, in the form's order. */
static const char *const labels[STATS_NFIELDS] = {
	N_("People affected"), N_("Dead"), N_("Missing"),
	N_("Relocated (urgent)"), N_("In need of aid"),
	N_("Houses collapsed"), N_("Houses severely damaged"),
	N_("Houses generally damaged"), N_("Crops hit (hectares)"),
	N_("Direct loss (10,000 yuan)")
};

/* Each figure of row as a cell ("-": none reported). */
static void
cells(cJSON *row)
{
	char key[40], buf[24];
	int i;

	for (i = 0; i < STATS_NFIELDS; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(row,
								  stats_fields[i]);
		if (cJSON_IsNumber(v))
			stats_format(stats_fields[i], (int64_t)v->valuedouble, buf);
		else
			snprintf(buf, sizeof buf, "-");
		snprintf(key, sizeof key, "s_%s", stats_fields[i]);
		cJSON_AddStringToObject(row, key, buf);
	}
}

/* This station's town ("" for the command station). */
static const char *
own_town(void)
{
	static char town[32];

	if (console_db() == NULL || station_town(console_db(), town) <= 0)
		town[0] = 0;
	return town;
}

static cJSON *
load(struct pane *p)
{
	cJSON *day = NULL, *rows, *towns, *total, *row;
	char label[40];

	if (stats_day(console_db(), chosen, NULL, 1, &day)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		return NULL;
	}
	snprintf(shown, sizeof shown, "%s", str(day, "date"));
	snprintf(mine, sizeof mine, "%s", own_town());
	towns = cJSON_DetachItemFromObject(day, "towns");
	total = cJSON_DetachItemFromObject(day, "total");
	cJSON_Delete(day);
	if (!(rows = cJSON_CreateArray()) || !towns || !total) {
		cJSON_Delete(rows);
		cJSON_Delete(towns);
		cJSON_Delete(total);
		return NULL;
	}
	/* The county total first, where it is always in sight, with the
	 * day shown (its month and day: the year is today's or the page
	 * says it). Every town fits under it at 80x24. */
	snprintf(label, sizeof label, "%s %s", _("TOTAL"), shown + 5);
	cJSON_AddStringToObject(total, "town", label);
	cJSON_AddBoolToObject(total, "total", 1);
	/* The selection stays on its row across reloads and days. */
	cJSON_AddStringToObject(total, "id", "");
	cells(total);
	cJSON_AddItemToArray(rows, total);
	/* A filter narrows the towns; the total stays. */
	towns = view_filter(&p->view, p->ops->find, towns);
	while (towns && (row = cJSON_DetachItemFromArray(towns, 0))) {
		cJSON_AddStringToObject(row, "id", str(row, "town"));
		cells(row);
		cJSON_AddItemToArray(rows, row);
	}
	cJSON_Delete(towns);
	return rows;
}

static int
style(const cJSON *row, void *ctx)
{
	(void)ctx;
	if (cJSON_IsTrue(cJSON_GetObjectItem(row, "total")))
		return A_BOLD;
	if (*mine && strcmp(str(row, "town"), mine) == 0)
		return A_BOLD;
	return 0;
}

/* ---- the form ---- */

static const struct form_field town_form[] = {
	{ N_("People affected"), "affected", FT_INT, 0, NULL, 0, NULL },
	{ N_("Dead"), "dead", FT_INT, 0, NULL, 0, NULL },
	{ N_("Missing"), "missing", FT_INT, 0, NULL, 0, NULL },
	{ N_("Relocated (urgent)"), "relocated", FT_INT, 0, NULL, 0, NULL },
	{ N_("In need of aid"), "need_aid", FT_INT, 0, NULL, 0, NULL },
	{ N_("Houses collapsed"), "collapsed", FT_INT, 0, NULL, 0, NULL },
	{ N_("Houses severely damaged"), "severe", FT_INT, 0, NULL, 0, NULL },
	{ N_("Houses generally damaged"), "damaged", FT_INT, 0, NULL, 0, NULL },
	{ N_("Crops hit (hectares, 12.5)"), "crop_ha", FT_TEXT, 0, NULL, 0,
	  NULL },
	{ N_("Direct loss (10,000 yuan, 12.5)"), "loss", FT_TEXT, 0, NULL, 0,
	  NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

/* The command station's form: the same, and why it changes a town's
 * figure. */
static const struct form_field county_form[] = {
	{ N_("People affected"), "affected", FT_INT, 0, NULL, 0, NULL },
	{ N_("Dead"), "dead", FT_INT, 0, NULL, 0, NULL },
	{ N_("Missing"), "missing", FT_INT, 0, NULL, 0, NULL },
	{ N_("Relocated (urgent)"), "relocated", FT_INT, 0, NULL, 0, NULL },
	{ N_("In need of aid"), "need_aid", FT_INT, 0, NULL, 0, NULL },
	{ N_("Houses collapsed"), "collapsed", FT_INT, 0, NULL, 0, NULL },
	{ N_("Houses severely damaged"), "severe", FT_INT, 0, NULL, 0, NULL },
	{ N_("Houses generally damaged"), "damaged", FT_INT, 0, NULL, 0, NULL },
	{ N_("Crops hit (hectares, 12.5)"), "crop_ha", FT_TEXT, 0, NULL, 0,
	  NULL },
	{ N_("Direct loss (10,000 yuan, 12.5)"), "loss", FT_TEXT, 0, NULL, 0,
	  NULL },
	{ N_("Reason (changing a town's figure)"), "reason", FT_TEXT, 0, NULL,
	  0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

/* Only the figures typed or changed are sent: one left as it was keeps
 * who reported it. An emptied field is not a figure either. */
static int
submit(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const cJSON *was = cJSON_GetObjectItem(ctx, "was");
	cJSON *f = cJSON_CreateObject();
	const char *reason = form_value(values, "reason");
	int64_t v;
	int i, rc;

	if (!f)
		return form_refused(DD_E_NOMEM, msg, n);
	for (i = 0; i < STATS_NFIELDS; i++) {
		const char *s = form_value(values, stats_fields[i]);
		if (!*s || strcmp(s, str(was, stats_fields[i])) == 0)
			continue;
		if (stats_parse(stats_fields[i], s, &v)) {
			snprintf(msg, n, _("%s: a number of 0 or more, with at "
					   "most one decimal"), _(labels[i]));
			cJSON_Delete(f);
			return -1;
		}
		cJSON_AddNumberToObject(f, stats_fields[i], (double)v);
	}
	if (cJSON_GetArraySize(f) == 0) {
		cJSON_Delete(f);
		snprintf(msg, n, "%s", _("no figure changed"));
		return -1;
	}
	rc = stats_set(console_db(), str(ctx, "town"), str(ctx, "date"), f,
		       *reason ? reason : NULL);
	cJSON_Delete(f);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("figures of %s on %s are set"),
		 console_town(str(ctx, "town"), 0), str(ctx, "date"));
	return 0;
}

static void
open_form(const cJSON *row)
{
	cJSON *init = cJSON_CreateObject(), *ctx = cJSON_CreateObject();
	cJSON *was = cJSON_AddObjectToObject(ctx, "was");
	const char *town = str(row, "town");
	char title[160], key[40];
	int i;

	for (i = 0; i < STATS_NFIELDS; i++) {
		const char *s;
		snprintf(key, sizeof key, "s_%s", stats_fields[i]);
		s = str(row, key);
		if (!*s || strcmp(s, "-") == 0)
			continue;
		cJSON_AddStringToObject(init, stats_fields[i], s);
		cJSON_AddStringToObject(was, stats_fields[i], s);
	}
	cJSON_AddStringToObject(ctx, "town", town);
	cJSON_AddStringToObject(ctx, "date", shown);
	snprintf(title, sizeof title, _("Disaster figures (灾情统计): %s, %s"),
		 console_town(town, 0), shown);
	form_open(title, *own_town() ? town_form : county_form, init, submit,
		  ctx);
	cJSON_Delete(init);
	cJSON_Delete(ctx);
}

static const struct form_field date_form[] = {
	{ N_("Day (YYYY-MM-DD; empty: today)"), "date", FT_TEXT, 0, NULL, 0,
	  NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_date(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *d = form_value(values, "date");
	cJSON *day = NULL;
	int rc;

	(void)ctx;
	if ((rc = stats_day(console_db(), d, NULL, 0, &day)))
		return form_refused(rc, msg, n);
	cJSON_Delete(day);
	snprintf(chosen, sizeof chosen, "%s", d);
	return 0;
}

static int
key(struct pane *p, enum req r)
{
	const cJSON *row = view_selected(&p->view);
	cJSON *init;

	switch (r) {
	case REQ_VIEW:
		county_view_next(p);
		return 0;
	case REQ_DATE:
		init = cJSON_CreateObject();
		cJSON_AddStringToObject(init, "date", chosen);
		form_open(_("Disaster figures of another day"), date_form, init,
			  submit_date, NULL);
		cJSON_Delete(init);
		return 0;
	case REQ_EDIT:
		if (!row || cJSON_IsTrue(cJSON_GetObjectItem(row, "total"))) {
			console_msg(1, "%s", _("select a town"));
			return 0;
		}
		/* Told before the form opens, by core's own rule; the town
		 * by its name. */
		if (stats_may_set(console_db(), str(row, "town"))) {
			if (*own_town())
				console_msg(1, _("a town station sets its own "
						 "town's figures only (%s)"),
					    console_town(own_town(), 0));
			else
				console_msg(1, "%s", db_errmsg(console_db()));
			return 0;
		}
		open_form(row);
		return 0;
	default:
		return -1;
	}
}

const struct pane_ops pane_stats = {
	.title = N_("Stats"), .cols = cols, .find = find,
	.keys = keymap, .load = load, .key = key, .style = style,
};

/* ---- the page ---- */

int
pane_stats_record(struct db *db, const cJSON *row, FILE *f, char *title,
		  size_t tn, char *name, size_t nn)
{
	const char *town = str(row, "town");
	char key[40], at[20], buf[400];
	int64_t t;
	int i;

	(void)db;
	if (cJSON_IsTrue(cJSON_GetObjectItem(row, "total"))) {
		snprintf(title, tn, _("County total of %s"), shown);
		snprintf(name, nn, "stats-%s", shown);
	} else {
		snprintf(title, tn, _("Disaster figures of %s on %s"),
			 console_town(town, 0), shown);
		snprintf(name, nn, "stats-%s-%s", town, shown);
	}
	for (i = 0; i < STATS_NFIELDS; i++) {
		const char *by, *reason;
		snprintf(key, sizeof key, "s_%s", stats_fields[i]);
		fprintf(f, "%s\t%s", _(labels[i]), str(row, key));
		snprintf(key, sizeof key, "%s_station", stats_fields[i]);
		by = str(row, key);
		if (*by) {
			snprintf(key, sizeof key, "%s_at", stats_fields[i]);
			at[0] = 0;
			if (time_parse_iso(str(row, key), &t) == 0)
				time_format_local(t, at);
			snprintf(key, sizeof key, "%s_officer", stats_fields[i]);
			snprintf(buf, sizeof buf, _("reported by %s (%s) at %s"),
				 by, word(W_OFFICER, str(row, key)), at);
			fprintf(f, "  %s", buf);
			snprintf(key, sizeof key, "%s_reason", stats_fields[i]);
			reason = str(row, key);
			if (*reason)
				fprintf(f, _("; why: %s"), reason);
		}
		fputc('\n', f);
	}
	return 0;
}
