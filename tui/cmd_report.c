/*
 * cmd_report.c - the reports that leave the room: the daily report
 * (值班日报) of a duty day, as a sheet to print or as JSON.
 */
#include "tui/shell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "tui/tui.h"

static int
cmd_report_daily(struct shell *sh, const struct cmd *c, struct args *a)
{
	const char *lang = opt(a, "lang"), *date = opt(a, "date");
	cJSON *r = NULL;
	int rc;

	if (lang && strcmp(lang, "zh") && strcmp(lang, "en"))
		return shell_usage(sh, c, "--lang '%s' is zh or en", lang);
	if (date && !*date)
		return shell_refuse(sh, "%s", "--date needs a day: YYYY-MM-DD");
	if (opt(a, "json") && opt(a, "gb18030"))
		return shell_usage(sh, c, "%s", "--json is UTF-8: it takes no "
				   "--gb18030");
	/* As the global --lang: gettext reads LANGUAGE first. */
	if (lang)
		setenv("LANGUAGE", strcmp(lang, "zh") == 0 ? "zh_CN" : "en", 1);
	if (!opt(a, "json"))
		return shell_fail(sh, sheet_daily(sh->db, date,
						  opt(a, "gb18030") != NULL,
						  sh->out));
	if ((rc = daily_report(sh->db, date, &r)))
		return shell_fail(sh, rc);
	rc = shell_print_json(sh, r, 0);
	cJSON_Delete(r);
	return shell_fail(sh, rc);
}

const struct cmd cmd_report_rows[] = {
	{ "report", "daily", "date=,json,gb18030,lang=", 0, 0, DB_READ,
	  cmd_report_daily,
	  "report daily [--date D] [--json] [--gb18030] [--lang zh|en]",
	  "the daily report (值班日报) of the duty day D (from shift.start; "
	  "by default the one now), a sheet to print or JSON" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
