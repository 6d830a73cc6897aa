/*
 * cmd_risk.c - the county's risk points (风险点) from a shell: the list
 * loaded from the office's spreadsheet, people moved out of a point and
 * a point cleared.
 */
#include "tui/shell.h"
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

static int
cmd_risk_import(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *ids, *id;
	int64_t n = 0, made = 0, changed = 0;
	int rc, cs;

	if ((rc = shell_encoding(sh, c, a, &cs)))
		return rc;
	if (!(ids = cJSON_CreateArray()))
		return shell_fail(sh, DD_E_NOMEM);
	rc = import_risks_csv(sh->db, a->pos[0], cs, &n, &made, &changed, ids);
	if (rc) {
		cJSON_Delete(ids);
		return shell_fail(sh, rc);
	}
	/* The codes of the points made or changed, one a line. */
	cJSON_ArrayForEach(id, ids)
		shell_print_id(sh, id->valuestring);
	cJSON_Delete(ids);
	fprintf(sh->err, "dutydesk: imported %lld risk points (%lld new, %lld "
		"changed, %lld as they were)\n", (long long)n, (long long)made,
		(long long)changed, (long long)(n - made - changed));
	return 0;
}

static void
row_risk(struct shell *sh, const cJSON *o)
{
	char buf[32];

	shell_pad(sh, shell_str(o, "id"), 13);
	fputc(' ', sh->out);
	shell_pad(sh, shell_name(sh, o), 18);
	fputc(' ', sh->out);
	shell_pad(sh, shell_word(sh, W_RISK_KIND, shell_str(o, "kind")), 10);
	fputc(' ', sh->out);
	shell_pad(sh, shell_town(sh, shell_str(o, "town")), 12);
	fputc(' ', sh->out);
	snprintf(buf, sizeof buf, "%s/%s", shell_str(o, "moved"),
		 shell_str(o, "people"));
	shell_pad(sh, buf, 11);
	fputc(' ', sh->out);
	shell_pad(sh, *shell_str(o, "cleared_at") ? shell_time(o, "cleared_at")
		  : "-", 16);
	fputc(' ', sh->out);
	if (*shell_str(o, "monitor_name")) {
		cJSON *m = cJSON_CreateObject();
		char phone[64];
		/* The monitor's name as the terminal shows names; the first
		 * phone. */
		cJSON_AddStringToObject(m, "name", shell_str(o, "monitor_name"));
		cJSON_AddStringToObject(m, "pinyin", shell_str(o,
							       "monitor_pinyin"));
		snprintf(phone, sizeof phone, "%s", shell_str(o, "monitor_phone"));
		phone[strcspn(phone, ";")] = 0;
		fprintf(sh->out, "%s %s", shell_name(sh, m), phone);
		cJSON_Delete(m);
	}
	fputc('\n', sh->out);
}

static const struct shell_col risk_cols[] = {
	{ N_("CODE"), 14 }, { N_("NAME"), 19 }, { N_("KIND"), 11 },
	{ N_("TOWN"), 13 }, { N_("MOVED/TOTAL"), 12 }, { N_("CLEARED"), 17 },
	{ N_("MONITOR"), 0 }, { NULL, 0 }
};

static int
cmd_risk_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *list = NULL, *o;
	char town[64];
	int rc;

	(void)c;
	if (opt(a, "town")) {
		if ((rc = ref_find(sh->db, REF_TOWN, opt(a, "town"), town)) != 1)
			return shell_fail(sh, rc < 0 ? rc : DD_E_NOTFOUND);
	}
	if ((rc = risk_list(sh->db, opt(a, "town") ? town : NULL, &list)))
		return shell_fail(sh, rc);
	if (opt(a, "json")) {
		/* For scripts: the code under its own name too, and cleared
		 * as a yes or no. */
		cJSON_ArrayForEach(o, list) {
			cJSON_AddStringToObject(o, "code", shell_str(o, "id"));
			cJSON_AddBoolToObject(o, "cleared", *shell_str(o,
								    "cleared_at") != 0);
		}
		rc = shell_print_json(sh, list, 0);
	} else {
		shell_header(sh, risk_cols);
		cJSON_ArrayForEach(o, list)
			row_risk(sh, o);
	}
	cJSON_Delete(list);
	return shell_fail(sh, rc);
}

static int
cmd_risk_show(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *r = NULL, *m;
	char code[64];
	int rc;

	(void)c;
	if ((rc = risk_find(sh->db, a->pos[0], code)) != 1)
		return shell_fail(sh, rc < 0 ? rc : DD_E_NOTFOUND);
	if ((rc = risk_get(sh->db, code, &r)) != 1)
		return shell_fail(sh, rc < 0 ? rc : DD_E_NOTFOUND);
	if (opt(a, "json")) {
		rc = shell_print_json(sh, r, 0);
		cJSON_Delete(r);
		return shell_fail(sh, rc);
	}
	shell_header(sh, risk_cols);
	row_risk(sh, r);
	if (*shell_str(r, "village"))
		fprintf(sh->out, "%s %s\n", _("Village:"), shell_str(r, "village"));
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(r, "moves"))
		fprintf(sh->out, "  %s  %-14s %6s  %s\n", shell_time(m, "moved_at"),
			shell_str(m, "id"), shell_str(m, "n"),
			shell_str(m, "station"));
	cJSON_Delete(r);
	return 0;
}

static int
cmd_risk_evacuate(struct shell *sh, const struct cmd *c, struct args *a)
{
	char id[64];
	int64_t n;

	(void)c;
	if (shell_qty(a->pos[1], 1, RISK_PEOPLE_MAX, &n))
		return shell_refuse(sh, "people moved '%s': a whole number from 1 "
				    "to 1000000", a->pos[1]);
	return shell_made(sh, risk_evacuate(sh->db, a->pos[0], n, id), id);
}

static int
cmd_risk_clear(struct shell *sh, const struct cmd *c, struct args *a)
{
	char code[64];

	(void)c;
	return shell_fail(sh, risk_clear(sh->db, a->pos[0], code));
}

const struct cmd cmd_risk_rows[] = {
	{ "risk", "import", "encoding=", 1, 1, DB_WRITE, cmd_risk_import,
	  "risk import FILE.csv [--encoding utf-8|gb18030]",
	  "load code,name,kind,town,village,people,monitor,monitor_phone; all "
	  "rows or none, a code held already is updated" },
	{ "risk", "list", "town=,json", 0, 0, DB_READ, cmd_risk_list,
	  "risk list [--town T] [--json]",
	  "the risk points (风险点), people moved and cleared" },
	{ "risk", "show", "json", 1, 1, DB_READ, cmd_risk_show,
	  "risk show CODE [--json]", "a risk point with its monitor and moves" },
	{ "risk", "evacuate", "", 2, 2, DB_WRITE, cmd_risk_evacuate,
	  "risk evacuate CODE N", "N more people moved out of a risk point" },
	{ "risk", "clear", "", 1, 1, DB_WRITE, cmd_risk_clear,
	  "risk clear CODE", "mark a risk point cleared" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
