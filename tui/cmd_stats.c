/*
 * cmd_stats.c - disaster statistics (灾情统计) from a shell: a town's
 * figures of a duty day set (stats set), and the day's figures per town
 * with the county total (stats).
 */
#include "tui/shell.h"
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tui/tui.h"

/* The options of stats set, in the order of the form, under the names
 * of core's fields. */
static const char *const options[STATS_NFIELDS] = { "affected", "dead",
	"missing", "relocated", "need-aid", "collapsed", "severe", "damaged",
	"crop-ha", "loss" };

static int
cmd_stats_set(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();
	const char *reason = opt(a, "reason");
	char what[80];
	int64_t v;
	int rc, i;

	if (!f)
		return shell_fail(sh, DD_E_NOMEM);
	for (i = 0; i < STATS_NFIELDS; i++) {
		const char *s = opt(a, options[i]);
		if (!s)
			continue;
		if (stats_parse(stats_fields[i], s, &v)) {
			snprintf(what, sizeof what, "--%s '%s'", options[i], s);
			cJSON_Delete(f);
			return shell_refuse(sh, stats_tenths(stats_fields[i])
					    ? _("%s: a number of 0 or more, with "
						"at most one decimal")
					    : _("%s: a whole number of 0 or more"),
					    what);
		}
		cJSON_AddNumberToObject(f, stats_fields[i], (double)v);
	}
	if (cJSON_GetArraySize(f) == 0) {
		cJSON_Delete(f);
		return shell_usage(sh, c, "%s", _("give at least one figure"));
	}
	if (reason && !*reason) {
		cJSON_Delete(f);
		return shell_usage(sh, c, "%s", _("--reason needs a text"));
	}
	rc = stats_set(sh->db, a->pos[0], opt(a, "date"), f, reason);
	cJSON_Delete(f);
	return shell_fail(sh, rc);
}

/* Column heads: short, as the form's are long; a legend below says
 * what they stand for. */
static const struct shell_col cols[] = {
	{ N_("TOWN"), 12 }, { N_("AFFECT"), 7 }, { N_("DEAD"), 4 },
	{ N_("MISS"), 4 }, { N_("MOVED"), 6 }, { N_("AID"), 6 },
	{ N_("COLL"), 5 }, { N_("SEV"), 5 }, { N_("DMG"), 5 },
	{ N_("CROP"), 7 }, { N_("LOSS"), 7 }, { NULL, 0 }
};

/* A right-aligned cell of width w, after one space. */
static void
cell(struct shell *sh, const char *s, int w)
{
	int pad = w - (int)strlen(s);

	fputc(' ', sh->out);
	while (pad-- > 0)
		fputc(' ', sh->out);
	fputs(s, sh->out);
}

static void
header(struct shell *sh)
{
	const struct shell_col *c;

	shell_pad(sh, _(cols[0].title), cols[0].width);
	for (c = cols + 1; c->title; c++) {
		/* Right-aligned over its numbers, measured as shown. */
		const char *t = _(c->title);
		int w = text_width(t);

		fputc(' ', sh->out);
		while (w++ < c->width)
			fputc(' ', sh->out);
		fputs(t, sh->out);
	}
	fputc('\n', sh->out);
}

static void
figures(struct shell *sh, const char *name, const cJSON *o)
{
	char buf[24];
	int i;

	shell_pad(sh, name, cols[0].width);
	for (i = 0; i < STATS_NFIELDS; i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o,
								  stats_fields[i]);
		if (cJSON_IsNumber(v))
			stats_format(stats_fields[i], (int64_t)v->valuedouble, buf);
		else
			snprintf(buf, sizeof buf, "-");
		cell(sh, buf, cols[i + 1].width);
	}
	fputc('\n', sh->out);
}

/* The day as a list prints it: an array of flat objects, a town's
 * figures a row each ("total" false), then the county total ("town"
 * null, "total" true, "towns" how many reported), each with the date. */
static cJSON *
rows_of(cJSON *day)
{
	cJSON *rows = cJSON_CreateArray(), *o, *t;
	const char *date = shell_str(day, "date");

	if (!rows)
		return NULL;
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(day, "towns"))
		cJSON_AddItemToArray(rows, cJSON_Duplicate(o, 1));
	if ((t = cJSON_Duplicate(cJSON_GetObjectItem(day, "total"), 1))) {
		cJSON_AddNullToObject(t, "town");
		cJSON_AddItemToArray(rows, t);
	}
	cJSON_ArrayForEach(o, rows) {
		cJSON_AddStringToObject(o, "date", date);
		cJSON_AddBoolToObject(o, "total", o == t);
	}
	return rows;
}

static int
cmd_stats(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *day = NULL, *o;
	int rc;

	(void)c;
	if ((rc = stats_day(sh->db, opt(a, "date"), opt(a, "town"), 0, &day)))
		return shell_fail(sh, rc);
	if (opt(a, "json")) {
		cJSON *rows = rows_of(day);
		rc = rows ? shell_print_json(sh, rows, 0) : shell_fail(sh, DD_E_NOMEM);
		cJSON_Delete(rows);
		cJSON_Delete(day);
		return rc;
	}
	fprintf(sh->out, _("Disaster statistics of %s"), shell_str(day, "date"));
	fputc('\n', sh->out);
	header(sh);
	cJSON_ArrayForEach(o, cJSON_GetObjectItem(day, "towns"))
		figures(sh, shell_town(sh, shell_str(o, "town")), o);
	figures(sh, _("TOTAL"), cJSON_GetObjectItem(day, "total"));
	fprintf(sh->out, "%s\n%s\n%s\n",
		_("AFFECT people affected; MOVED relocated; AID in need of aid"),
		_("houses: COLL collapsed, SEV severely, DMG generally damaged"),
		_("CROP crops hit (hectares); LOSS direct loss (10,000 yuan)"));
	cJSON_Delete(day);
	return 0;
}

#define SET_OPTS "date=,affected=,dead=,missing=,relocated=,need-aid=," \
	"collapsed=,severe=,damaged=,crop-ha=,loss=,reason="

const struct cmd cmd_stats_rows[] = {
	{ "stats", "set", SET_OPTS, 1, 1, DB_WRITE, cmd_stats_set,
	  "stats set TOWN [--date D] [--affected N] [--dead N] [--missing N] "
	  "[--relocated N] [--need-aid N] [--collapsed N] [--severe N] "
	  "[--damaged N] [--crop-ha X.Y] [--loss X.Y] [--reason TEXT]",
	  "a town's disaster figures (灾情统计) of a duty day" },
	{ "stats", NULL, "date=,town=,json", 0, 0, DB_READ, cmd_stats,
	  "stats [--date D] [--town T] [--json]",
	  "the day's disaster figures per town and the county total" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
