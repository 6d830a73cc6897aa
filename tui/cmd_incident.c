/*
 * cmd_incident.c - incidents: take a report (接报), correct it, move it
 * along its lifecycle, record the upward reports, list and show them;
 * and import a ledger of them from CSV.
 */
#include "tui/shell.h"
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/core.h"
#include "tui/tui.h"

/* Options of incident add/update and the fields they fill. */
static const struct { const char *opt, *field; } inc_opts[] = {
	{ "title", "title" }, { "town", "town" }, { "place", "place" },
	{ "kind", "kind" }, { "severity", "severity" },
	{ "received", "received_at" }, { "cause", "cause" },
	{ "actions", "actions" }, { "trend", "trend" }, { "dead", "dead" },
	{ "injured", "injured" }, { "missing", "missing" },
	{ "trapped", "trapped" }, { "evacuated", "evacuated" },
	{ "caller-unit", "caller_unit" }, { "caller-name", "caller_name" },
	{ "caller-phone", "caller_phone" }, { "notified", "notified" },
	{ "recorder", "recorder" },
};

static cJSON *
inc_fields(const struct args *a)
{
	cJSON *f = cJSON_CreateObject();
	size_t i;

	for (i = 0; f && i < sizeof inc_opts / sizeof inc_opts[0]; i++) {
		const char *v = opt(a, inc_opts[i].opt);
		if (v)
			cJSON_AddStringToObject(f, inc_opts[i].field, v);
	}
	return f;
}

static int
cmd_incident_add(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = inc_fields(a);
	char id[64];
	int rc;

	if (!opt(a, "town") || (!opt(a, "title") && !opt(a, "place"))) {
		cJSON_Delete(f);
		return shell_usage(sh, c, "%s", "an incident needs --town and "
				   "--title or --place");
	}
	rc = incident_add(sh->db, f, id);
	cJSON_Delete(f);
	return shell_made(sh, rc, id);
}

static int
cmd_incident_update(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f;
	char inc[64];
	int rc;

	if ((rc = shell_ref(sh, REF_INCIDENT, a->pos[0], NULL, inc)))
		return rc;
	f = inc_fields(a);
	if (cJSON_GetArraySize(f) == 0) {
		cJSON_Delete(f);
		return shell_usage(sh, c, "%s", "nothing to change: give a "
				   "field option");
	}
	rc = incident_update(sh->db, inc, f);
	cJSON_Delete(f);
	return shell_fail(sh, rc);
}

static void
row_incident(struct shell *sh, const cJSON *o)
{
	const char *title = shell_str(o, "title");

	shell_pad(sh, shell_str(o, "id"), 14);
	shell_pad(sh, shell_time(o, "received_at"), 17);
	shell_pad(sh, shell_town(sh, shell_str(o, "town")), 12);
	shell_pad(sh, shell_word(sh, W_INCIDENT_STATUS, shell_str(o, "status")), 11);
	shell_pad(sh, *title ? title : shell_str(o, "place"), 30);
	fputc('\n', sh->out);
}

static int
cmd_incident_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();
	int64_t limit;
	int rc;

	(void)c;
	if (!opt(a, "all"))
		cJSON_AddNumberToObject(f, "open", 1);
	if ((rc = shell_filter_ref(sh, a, f, "town", REF_TOWN)))
		goto out;
	if (opt(a, "limit")) {
		if (shell_qty(opt(a, "limit"), 1, 1000000000, &limit)) {
			rc = shell_refuse(sh, "limit '%s' is not a positive number",
					  opt(a, "limit"));
			goto out;
		}
		cJSON_AddNumberToObject(f, "limit", (double)limit);
	}
	return shell_list(sh, a, LIST_INCIDENTS, f, row_incident,
			  (const struct shell_col[]){ { N_("ID"), 14 },
			  { N_("RECEIVED"), 17 }, { N_("TOWN"), 12 },
			  { N_("STATUS"), 11 }, { N_("TITLE"), 0 }, { NULL, 0 } });
out:
	cJSON_Delete(f);
	return rc;
}

static int
cmd_incident_show(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *inc = NULL;
	char id[64];
	int rc;

	(void)c;
	if ((rc = shell_ref(sh, REF_INCIDENT, a->pos[0], NULL, id)))
		return rc;
	rc = incident_get(sh->db, id, &inc);
	if (rc < 0)
		return shell_fail(sh, rc);
	if (rc == 0)
		return shell_refuse(sh, "no incident '%s'", a->pos[0]);
	if (opt(a, "json")) {
		shell_print_json(sh, inc, 1);
	} else {
		/* The record page of the console, laid out for 80 columns. */
		char *text = NULL;
		size_t n = 0;
		FILE *mem = open_memstream(&text, &n);
		struct wrap w = { NULL, 0 };
		int i;
		rc = mem ? record_incident(sh->db, id, mem) : DD_E_NOMEM;
		if (mem)
			fclose(mem);
		if (!rc && wrap_text(&w, text, 78, 1, 26, !sh->utf8) < 0)
			rc = DD_E_NOMEM;
		for (i = 0; !rc && i < w.n; i++)
			fprintf(sh->out, "%s\n", w.line[i]);
		wrap_free(&w);
		free(text);
		if (rc) {
			cJSON_Delete(inc);
			return shell_fail(sh, rc);
		}
	}
	cJSON_Delete(inc);
	return 0;
}

static int
cmd_incident_status(struct shell *sh, const struct cmd *c, struct args *a)
{
	char id[64];
	int rc;

	(void)c;
	if ((rc = shell_ref(sh, REF_INCIDENT, a->pos[0], NULL, id)))
		return rc;
	return shell_fail(sh, incident_set_status(sh->db, id, a->pos[1]));
}

/* The language of a report's text and sheet: Chinese (the forms go up
 * in Chinese) unless --lang en, here or before the command. */
static int
report_lang(struct shell *sh, const struct cmd *c, const struct args *a,
	    int *en)
{
	const char *l = opt(a, "lang"), *env = getenv("LANGUAGE");

	if (l && strcmp(l, "zh") && strcmp(l, "en"))
		return shell_usage(sh, c, "--lang is zh or en, not '%s'", l);
	*en = l ? strcmp(l, "en") == 0 : env && strncmp(env, "en", 2) == 0;
	return 0;
}

/* Options of one form of incident report given to another. */
static int
report_opts(struct shell *sh, const struct cmd *c, const struct args *a,
	    const char *allowed)
{
	static const char *const all[] = { "channel", "text", "at", "signed-by",
		"gb18030", "lang", NULL };
	char want[40];
	int i;

	for (i = 0; all[i]; i++) {
		snprintf(want, sizeof want, ",%s,", all[i]);
		if (opt(a, all[i]) && !strstr(allowed, want))
			return shell_usage(sh, c, "--%s does not go with this "
					   "report verb", all[i]);
	}
	return 0;
}

static int
cmd_report_sign(struct shell *sh, const struct cmd *c, struct args *a)
{
	int64_t at = 0;
	char id[64];
	int rc;

	if ((rc = report_opts(sh, c, a, ",signed-by,at,")))
		return rc;
	if (!opt(a, "signed-by") || !*opt(a, "signed-by"))
		return shell_usage(sh, c, "%s", "who signs? give --signed-by NAME");
	if (opt(a, "at") && time_parse_local(opt(a, "at"), db_now(sh->db), &at))
		return shell_refuse(sh, "'%s' is not a time (YYYY-MM-DD HH:MM)",
				    opt(a, "at"));
	rc = report_sign(sh->db, a->pos[1], opt(a, "signed-by"), at, id);
	return shell_made(sh, rc, id);
}

static int
cmd_report_sheet(struct shell *sh, const struct cmd *c, struct args *a)
{
	int en, rc;

	if ((rc = report_opts(sh, c, a, ",gb18030,lang,")) ||
	    (rc = report_lang(sh, c, a, &en)))
		return rc;
	return shell_fail(sh, sheet_report(sh->db, a->pos[1],
					   opt(a, "gb18030") != NULL, en,
					   sh->out));
}

static int
cmd_incident_report(struct shell *sh, const struct cmd *c, struct args *a)
{
	static const char *const types[] = { "first", "followup", "final" };
	const char *ch = opt(a, "channel"), *text = opt(a, "text");
	char *composed = NULL;
	int64_t at = 0;
	char id[64], inc[64];
	int t, rc, en;

	if (strcmp(a->pos[0], "sign") == 0)
		return cmd_report_sign(sh, c, a);
	if (strcmp(a->pos[0], "sheet") == 0)
		return cmd_report_sheet(sh, c, a);
	for (t = 0; t < 3 && strcmp(a->pos[0], types[t]) != 0; t++)
		;
	if (t == 3)
		return shell_refuse(sh, "report '%s' is not first, followup, "
				    "final, sign or sheet", a->pos[0]);
	if ((rc = report_opts(sh, c, a, ",channel,text,at,lang,")) ||
	    (rc = report_lang(sh, c, a, &en)))
		return rc;
	if (opt(a, "at") && time_parse_local(opt(a, "at"), db_now(sh->db), &at))
		return shell_refuse(sh, "'%s' is not a time (YYYY-MM-DD HH:MM)",
				    opt(a, "at"));
	if ((rc = shell_ref(sh, REF_INCIDENT, a->pos[1], NULL, inc)))
		return rc;
	/* No text given: the one composed from the record. */
	if (!text) {
		if ((rc = report_compose(sh->db, inc, t, en, &composed)))
			return shell_fail(sh, rc);
		text = composed;
	}
	rc = incident_report(sh->db, inc, t, ch ? ch : "phone", text, at, id);
	free(composed);
	return shell_made(sh, rc, id);
}

static int
cmd_import(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *ids, *id;
	int64_t n = 0;
	int rc, cs;

	if (strcmp(a->pos[0], "incidents") != 0)
		return shell_usage(sh, c, "cannot import '%s'; only incidents",
				   a->pos[0]);
	if ((rc = shell_encoding(sh, c, a, &cs)))
		return rc;
	ids = cJSON_CreateArray();
	rc = ids ? import_incidents_csv(sh->db, a->pos[1], cs, &n, ids) : DD_E_NOMEM;
	if (rc) {
		cJSON_Delete(ids);
		return shell_fail(sh, rc);
	}
	/* Like every creating command: the new ids alone, in file order. */
	cJSON_ArrayForEach(id, ids)
		shell_print_id(sh, id->valuestring);
	cJSON_Delete(ids);
	fprintf(sh->err, "dutydesk: imported %lld incidents\n", (long long)n);
	return 0;
}

#define INC_OPTS "title=,town=,place=,kind=,severity=,received=,cause=," \
	"actions=,trend=,dead=,injured=,missing=,trapped=,evacuated=," \
	"caller-unit=,caller-name=,caller-phone=,notified=,recorder="

const struct cmd cmd_incident_rows[] = {
	{ "incident", "add", INC_OPTS, 0, 0, DB_WRITE, cmd_incident_add,
	  "incident add --town TOWN --title TEXT [--place P] [--kind K] "
	  "[--severity 1-4] [--received TIME] [--dead N] ... [--caller-name N]",
	  "take a report (接报): prints the new incident id" },
	{ "incident", "list", "all,town=,limit=,json", 0, 0, DB_READ,
	  cmd_incident_list, "incident list [--all] [--town T] [--limit N] [--json]",
	  "open incidents, newest first" },
	{ "incident", "show", "json", 1, 1, DB_READ, cmd_incident_show,
	  "incident show ID [--json]", "one incident with its reports and deadlines" },
	{ "incident", "status", "", 2, 2, DB_WRITE, cmd_incident_status,
	  "incident status ID reported|verified|responding|controlled|closed|reopen",
	  "move an incident along its lifecycle" },
	{ "incident", "update", INC_OPTS, 1, 1, DB_WRITE, cmd_incident_update,
	  "incident update ID --FIELD VALUE ...", "correct or add fields" },
	{ "incident", "report", "channel=,text=,at=,signed-by=,gb18030,lang=",
	  2, 2, DB_WRITE, cmd_incident_report,
	  "incident report first|followup|final ID [--channel phone|written] "
	  "[--text T] [--at TIME] [--lang zh|en] | sign REPORT --signed-by NAME "
	  "[--at TIME] | sheet REPORT [--gb18030] [--lang zh|en]",
	  "an upward report (首报/续报/终报), its sign-off (签发), its sheet" },
	{ "import", NULL, "encoding=", 2, 2, DB_WRITE, cmd_import,
	  "import incidents FILE.csv [--encoding utf-8|gb18030]",
	  "load a ledger (UTF-8 or GB18030); all rows or none" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
