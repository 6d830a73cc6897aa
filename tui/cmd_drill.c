/*
 * cmd_drill.c - drills (演练): run one from a scenario or join the
 * county's, each in the console on a drill database beside the live
 * one, and print a drill's after-action report.
 */
#include "tui/shell.h"

#include <stdio.h>
#include <unistd.h>

#include "core/core.h"
#include "tui/console.h"
#include "tui/tui.h"

/* A drill runs in the console, beside a live database: 0 when it can. */
static int
drill_where(struct shell *sh, const struct cmd *c)
{
	if (!shell_on_terminal(sh))
		return shell_usage(sh, c, "%s", "a drill runs in the console: "
				   "a terminal");
	if (access(sh->dbpath, F_OK) != 0)
		return shell_refuse(sh, "no live database at %s", sh->dbpath);
	return 0;
}

/* The console on a prepared drill database (prepared: rc and why). */
static int
drill_console(struct shell *sh, int rc, const char *path, const char *why,
	      const char *report, int gb18030)
{
	struct console_args ca = { path, sh->officer, report, gb18030,
				   sh->err };

	if (rc) {
		fprintf(sh->err, "dutydesk: %s\n", why);
		return dd_exitcode(rc);
	}
	rc = console_main(&ca);
	fprintf(sh->err, "dutydesk: drill database %s%s%s%s\n", path,
		report ? "; report " : "", report ? report : "",
		report ? ".txt and .json" : "");
	return rc;
}

static int
cmd_drill_run(struct shell *sh, const struct cmd *c, struct args *a)
{
	char path[4200], why[600], report[4096] = "";
	int64_t speed = 1;
	int rc, gb = 0;

	if (opt(a, "speed") && shell_qty(opt(a, "speed"), 1, 10000, &speed))
		return shell_refuse(sh, "speed '%s' must be a whole number "
				    "from 1 to 10000", opt(a, "speed"));
	if (opt(a, "report-charset") &&
	    (gb = drill_charset(opt(a, "report-charset"))) < 0)
		return shell_refuse(sh, "charset '%s' is utf-8 or gb18030",
				    opt(a, "report-charset"));
	if ((rc = drill_where(sh, c)))
		return rc;
	rc = drill_prepare(sh->dbpath, a->pos[0], (int)speed,
			   opt(a, "county") != NULL, path, sizeof path, why,
			   sizeof why);
	if (!rc)
		drill_report_path(path, opt(a, "report"), report, sizeof report);
	return drill_console(sh, rc, path, why, report, gb);
}

static int
cmd_drill_join(struct shell *sh, const struct cmd *c, struct args *a)
{
	char path[4200], why[600];
	int64_t t = 30;
	int rc;

	if (opt(a, "timeout") && shell_qty(opt(a, "timeout"), 1, 3600, &t))
		return shell_usage(sh, c, "--timeout '%s' is not 1..3600 seconds",
				   opt(a, "timeout"));
	/* Never the live realm, nor anything but a drill's. */
	if (!realm_is_drill(a->pos[0]))
		return shell_refuse(sh, "'%s' is not a drill's realm: drill "
				    "join takes the realm of a running drill "
				    "(drill-..., as its command station gives "
				    "it)", a->pos[0]);
	if ((rc = drill_where(sh, c)))
		return rc;
	rc = drill_join_prepare(sh->dbpath, a->pos[0], (int)t * 1000, path,
				sizeof path, why, sizeof why);
	return drill_console(sh, rc, path, why, NULL, 0);
}

static int
cmd_drill_report(struct shell *sh, const struct cmd *c, struct args *a)
{
	struct db *db = NULL;
	cJSON *r = NULL;
	int rc, gb = 0;

	if (opt(a, "charset") && (gb = drill_charset(opt(a, "charset"))) < 0)
		return shell_refuse(sh, "charset '%s' is utf-8 or gb18030",
				    opt(a, "charset"));
	if (gb && opt(a, "json"))
		return shell_usage(sh, c, "%s", "the JSON report is UTF-8 (as "
				   "JSON must be); --charset is for the text");
	if ((rc = db_open(a->pos[0], DB_RDONLY, &db)) ||
	    (rc = drill_score(db, (int64_t)1 << 40, &r))) {
		fprintf(sh->err, "dutydesk: %s\n", db_why(db, rc));
		db_close(&db);
		return dd_exitcode(rc);
	}
	if (opt(a, "json"))
		rc = shell_print_json(sh, r, 1);
	else
		rc = drill_report_print(r, gb, sh->out);
	cJSON_Delete(r);
	db_close(&db);
	if (rc)
		fprintf(sh->err, "dutydesk: %s\n", dd_strerror(rc));
	return dd_exitcode(rc);
}

const struct cmd cmd_drill_rows[] = {
	{ "drill", "run", "speed=,report=,report-charset=,county", 1, 1, DB_NONE,
	  cmd_drill_run, "drill run FILE [--speed N] [--report PATH] "
	  "[--report-charset utf-8|gb18030] [--county]",
	  "a drill from a scenario, in its own database (演练); --county: "
	  "county-wide over the link" },
	{ "drill", "join", "timeout=", 1, 1, DB_NONE, cmd_drill_join,
	  "drill join REALM [--timeout SECONDS]",
	  "a town joins the county-wide drill its command station runs" },
	{ "drill", "report", "json,charset=", 1, 1, DB_NONE, cmd_drill_report,
	  "drill report DRILLDB [--json | --charset utf-8|gb18030]",
	  "the after-action report of a drill" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
