/*
 * cmd_people.c - the people on duty from a shell: the settings, the
 * directory (通讯录), the duty roster (排班) and its sheet, the call log
 * and the command station's spot checks (查岗).
 */
#include "tui/shell.h"
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/core.h"
#include "tui/tui.h"

/* ---- settings ---- */

static void
row_setting(struct shell *sh, const cJSON *o)
{
	const struct setting_def *d;
	const char *by;
	size_t i;

	shell_pad(sh, shell_str(o, "key"), 15);
	shell_pad(sh, shell_str(o, "value"), 7);
	by = shell_str(o, "set_by");
	shell_pad(sh, strcmp(by, "default") == 0 ? _("default")
		  : strcmp(by, "county") == 0 ? _("county") : by, 10);
	shell_pad(sh, cJSON_IsTrue(cJSON_GetObjectItem(o, "local"))
		  ? _("local") : _("county"), 7);
	for (i = 0; (d = setting_def(i)); i++)
		if (strcmp(d->key, shell_str(o, "key")) == 0)
			fprintf(sh->out, "%s", _(d->help));
	fputc('\n', sh->out);
}

static const struct shell_col setting_cols[] = {
	{ N_("KEY"), 15 }, { N_("VALUE"), 7 }, { N_("SET BY"), 10 },
	{ N_("SCOPE"), 7 }, { N_("MEANING"), 0 }, { NULL, 0 }
};

static int
cmd_setting(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *list = NULL, *o;
	int rc;

	if (strcmp(c->verb, "set") == 0) {
		if (a->npos != 2)
			return shell_usage(sh, c, "%s", "setting set needs KEY VALUE");
		return shell_fail(sh, setting_set(sh->db, a->pos[0], a->pos[1]));
	}
	if ((rc = setting_list(sh->db, &list)))
		return shell_fail(sh, rc);
	if (strcmp(c->verb, "get") == 0) {
		cJSON_ArrayForEach(o, list)
			if (strcmp(shell_str(o, "key"), a->pos[0]) == 0)
				break;
		if (!o) {
			cJSON_Delete(list);
			return shell_refuse(sh, "no setting '%s' (see dutydesk "
					    "setting list)", a->pos[0]);
		}
		if (opt(a, "json"))
			rc = shell_print_json(sh, o, 0);
		else
			fprintf(sh->out, "%s\n", shell_str(o, "value"));
	} else if (opt(a, "json")) {
		rc = shell_print_json(sh, list, 0);
	} else {
		shell_header(sh, setting_cols);
		cJSON_ArrayForEach(o, list)
			row_setting(sh, o);
	}
	cJSON_Delete(list);
	return shell_fail(sh, rc);
}

/* ---- the directory ---- */

/* The contact fields a verb's options give, under core's names. */
static cJSON *
contact_fields(const struct args *a)
{
	static const char *const names[][2] = {
		{ "name", "name" }, { "phone", "phones" }, { "unit", "unit" },
		{ "role", "role" }, { "town", "town" }, { "for", "for" },
	};
	cJSON *f = cJSON_CreateObject();
	size_t i;

	for (i = 0; f && i < sizeof names / sizeof names[0]; i++)
		if (opt(a, names[i][0]))
			cJSON_AddStringToObject(f, names[i][1], opt(a, names[i][0]));
	return f;
}

static int
cmd_contact_add(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = contact_fields(a);
	char id[64];
	int rc;

	(void)c;
	rc = f ? contact_add(sh->db, f, id) : DD_E_NOMEM;
	cJSON_Delete(f);
	return shell_made(sh, rc, id);
}

static int
cmd_contact_update(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = contact_fields(a);
	char id[64];
	int rc;

	if (!f)
		return shell_fail(sh, DD_E_NOMEM);
	if (strcmp(c->verb, "remove") == 0)
		cJSON_AddBoolToObject(f, "deleted", 1);
	/* A person may be named as anywhere else. */
	if ((rc = contact_find(sh->db, a->pos[0], id)) == 1)
		rc = contact_update(sh->db, id, f);
	else if (rc == 0)
		rc = DD_E_NOTFOUND;
	cJSON_Delete(f);
	return shell_fail(sh, rc);
}

static void
row_contact(struct shell *sh, const cJSON *o)
{
	shell_pad(sh, shell_str(o, "id"), 14);
	shell_pad(sh, shell_name(sh, o), 12);
	shell_pad(sh, shell_word(sh, W_CONTACT_ROLE, shell_str(o, "role")), 16);
	shell_pad(sh, shell_town(sh, shell_str(o, "town")), 10);
	shell_pad(sh, shell_str(o, "unit"), 24);
	fprintf(sh->out, "%s\n", shell_str(o, "phones"));
}

static const struct shell_col contact_cols[] = {
	{ N_("ID"), 14 }, { N_("NAME"), 12 }, { N_("ROLE"), 16 },
	{ N_("TOWN"), 10 }, { N_("UNIT"), 24 }, { N_("PHONES"), 0 },
	{ NULL, 0 }
};

static int
cmd_contact_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();
	const char *role = opt(a, "role");
	int rc;

	(void)c;
	if (!f)
		return shell_fail(sh, DD_E_NOMEM);
	if ((rc = shell_filter_ref(sh, a, f, "town", REF_TOWN))) {
		cJSON_Delete(f);
		return rc;
	}
	if (role && !contact_role_parse(role)) {
		cJSON_Delete(f);
		return shell_refuse(sh, "no role '%s' (town_leader, town_duty, "
				    "village, shelter_manager, team_leader, "
				    "risk_monitor, county_leader, officer)", role);
	}
	if (role)
		cJSON_AddStringToObject(f, "role", contact_role_parse(role));
	return shell_list(sh, a, LIST_CONTACTS, f, row_contact, contact_cols);
}

static int
cmd_contact_find(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *list = NULL, *o;
	int rc;

	(void)c;
	if ((rc = contact_search(sh->db, a->pos[0], &list)))
		return shell_fail(sh, rc);
	if (opt(a, "json")) {
		rc = shell_print_json(sh, list, 0);
	} else {
		shell_header(sh, contact_cols);
		cJSON_ArrayForEach(o, list)
			row_contact(sh, o);
	}
	cJSON_Delete(list);
	return shell_fail(sh, rc);
}

static int
cmd_contact_show(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *p = NULL, *o;
	char id[64];
	int rc;

	(void)c;
	if ((rc = contact_find(sh->db, a->pos[0], id)) == 1)
		rc = contact_get(sh->db, id, &p);
	if (rc <= 0)
		return shell_fail(sh, rc < 0 ? rc : DD_E_NOTFOUND);
	rc = 0;
	if (opt(a, "json")) {
		rc = shell_print_json(sh, p, 0);
	} else {
		fprintf(sh->out, "%s  %s\n", shell_str(p, "id"), shell_name(sh, p));
		fprintf(sh->out, "  %s: %s\n", _("Role"),
			shell_word(sh, W_CONTACT_ROLE, shell_str(p, "role")));
		fprintf(sh->out, "  %s: %s\n", _("Phones"), shell_str(p, "phones"));
		fprintf(sh->out, "  %s: %s\n", _("Unit"), shell_str(p, "unit"));
		fprintf(sh->out, "  %s: %s\n", _("Town"),
			shell_town(sh, shell_str(p, "town")));
		cJSON_ArrayForEach(o, cJSON_GetObjectItem(p, "answers"))
			fprintf(sh->out, "  %s: %s %s\n", _("Answers for"),
				shell_str(o, "id"), shell_name(sh, o));
		cJSON_ArrayForEach(o, cJSON_GetObjectItem(p, "calls"))
			fprintf(sh->out, "  %s %s %s %s\n", shell_time(o, "at"),
				shell_str(o, "id"),
				shell_word(sh, W_CALL_OUTCOME, shell_str(o, "outcome")),
				shell_str(o, "note"));
		cJSON_ArrayForEach(o, cJSON_GetObjectItem(p, "warnings"))
			fprintf(sh->out, "  %s %s %s %s\n", shell_time(o, "at"),
				shell_str(o, "warning"),
				shell_word(sh, W_COLOR, shell_str(o, "color")),
				shell_town(sh, shell_str(o, "town")));
	}
	cJSON_Delete(p);
	return shell_fail(sh, rc);
}

/* The encoding option of an import: *cs CSV_AUTO, _UTF8 or _GB18030. */
int
shell_encoding(struct shell *sh, const struct cmd *c, const struct args *a,
	       int *cs)
{
	const char *enc = opt(a, "encoding");

	*cs = CSV_AUTO;
	if (enc && (strcasecmp(enc, "utf-8") == 0 || strcasecmp(enc, "utf8") == 0))
		*cs = CSV_UTF8;
	else if (enc && strcasecmp(enc, "gb18030") == 0)
		*cs = CSV_GB18030;
	else if (enc)
		return shell_usage(sh, c, "encoding '%s' is utf-8 or gb18030", enc);
	return 0;
}

/* contact import and roster import: the new ids alone, in file order. */
static int
cmd_import_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *ids, *id;
	int64_t n = 0;
	int rc, cs, roster = strcmp(c->noun, "roster") == 0;

	if ((rc = shell_encoding(sh, c, a, &cs)))
		return rc;
	if (!(ids = cJSON_CreateArray()))
		return shell_fail(sh, DD_E_NOMEM);
	rc = roster ? import_roster_csv(sh->db, a->pos[0], cs, &n, ids)
		    : import_contacts_csv(sh->db, a->pos[0], cs, &n, ids);
	if (rc) {
		cJSON_Delete(ids);
		return shell_fail(sh, rc);
	}
	cJSON_ArrayForEach(id, ids)
		shell_print_id(sh, id->valuestring);
	cJSON_Delete(ids);
	fprintf(sh->err, "dutydesk: imported %lld %s\n", (long long)n,
		roster ? "shifts" : "contacts");
	return 0;
}

/* ---- the roster ---- */

static int
cmd_roster_add(struct shell *sh, const struct cmd *c, struct args *a)
{
	const char *officers = opt(a, "officer"), *hours = opt(a, "hours");
	char o1[128] = "", *o2 = NULL, *comma, id[64];
	int64_t h = 0;

	if (!opt(a, "leader") || !officers)
		return shell_usage(sh, c, "%s", "a shift needs --leader NAME and "
				   "--officer NAME[,NAME]");
	/* "A,B": a comma (ASCII or Chinese) between the two. */
	snprintf(o1, sizeof o1, "%s", officers);
	if ((comma = strpbrk(o1, ",")) || (comma = strstr(o1, "，"))) {
		o2 = comma + (*comma == ',' ? 1 : 3);
		*comma = 0;
		if (strchr(o2, ',') || strstr(o2, "，"))
			return shell_refuse(sh, "a shift has one or two duty "
					    "officers, not %s", officers);
	}
	if (hours && shell_qty(hours, 1, 72, &h))
		return shell_refuse(sh, "--hours '%s': a whole number from 1 to 72",
				    hours);
	return shell_made(sh, roster_add(sh->db, a->pos[0], opt(a, "start"),
					 (int)h, opt(a, "leader"), o1, o2, id), id);
}

static const char *
hhmm(const cJSON *o, const char *k)
{
	const char *t = shell_time(o, k);
	return strlen(t) >= 16 ? t + 11 : t;
}

/* A person of a shift (leader, officer1, officer2) as the terminal
 * can show the name: Chinese, or pinyin outside a UTF-8 locale. */
static const char *
shift_person(const struct shell *sh, const cJSON *o, const char *who)
{
	char k[32];
	const char *name, *pinyin;

	snprintf(k, sizeof k, "%s_name", who);
	name = shell_str(o, k);
	snprintf(k, sizeof k, "%s_pinyin", who);
	pinyin = shell_str(o, k);
	return sh->utf8 || !*pinyin ? name : pinyin;
}

static void
row_shift(struct shell *sh, const cJSON *o)
{
	char who[300];

	fprintf(sh->out, "%-14s %s %s-%s  ", shell_str(o, "id"),
		shell_str(o, "date"), hhmm(o, "start_at"), hhmm(o, "end_at"));
	/* A name whole: pinyin runs to 16 columns ("Ou Yang Xiao Hong"). */
	shell_pad(sh, shift_person(sh, o, "leader"), 17);
	fputc(' ', sh->out);
	snprintf(who, sizeof who, "%s%s", shift_person(sh, o, "officer1"),
		 *shell_str(o, "officer2_name") ? ", " : "");
	fprintf(sh->out, "%s%s\n", who, shift_person(sh, o, "officer2"));
}

static const struct shell_col shift_cols[] = {
	{ N_("ID"), 15 }, { N_("DATE"), 11 }, { N_("HOURS"), 13 },
	{ N_("LEADER"), 18 }, { N_("OFFICERS"), 0 }, { NULL, 0 }
};

/* The --from and --to dates of a roster verb into filter f. */
static int
date_range(struct shell *sh, const struct args *a, cJSON *f)
{
	const char *k[] = { "from", "to" };
	int i, y, m, d, used;

	for (i = 0; i < 2; i++) {
		const char *v = opt(a, k[i]);
		if (!v)
			continue;
		used = 0;
		if (sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 || v[used] ||
		    strlen(v) != 10)
			return shell_refuse(sh, "'%s' is not a date (YYYY-MM-DD)", v);
		cJSON_AddStringToObject(f, k[i], v);
	}
	return 0;
}

static int
cmd_roster_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();
	int rc;

	(void)c;
	if (!f)
		return shell_fail(sh, DD_E_NOMEM);
	if ((rc = date_range(sh, a, f))) {
		cJSON_Delete(f);
		return rc;
	}
	if (opt(a, "station"))
		cJSON_AddStringToObject(f, "station", opt(a, "station"));
	return shell_list(sh, a, LIST_ROSTER, f, row_shift, shift_cols);
}

static int
cmd_roster_sheet(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();
	int rc;

	(void)c;
	if (!f)
		return shell_fail(sh, DD_E_NOMEM);
	if (!(rc = date_range(sh, a, f)))
		rc = shell_fail(sh, sheet_roster(sh->db, opt(a, "from"), opt(a, "to"),
						 opt(a, "gb18030") != NULL,
						 sh->out));
	cJSON_Delete(f);
	return rc;
}

static int
cmd_roster_remove(struct shell *sh, const struct cmd *c, struct args *a)
{
	(void)c;
	return shell_fail(sh, roster_remove(sh->db, a->pos[0]));
}

/* Who is on duty now: the shift covering now, or the next. */
static int
cmd_roster_now(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *s = NULL;
	int rc, next = 0;

	(void)c;
	rc = roster_at(sh->db, NULL, db_now(sh->db), 0, &s);
	if (rc == 0 && (rc = roster_at(sh->db, NULL, db_now(sh->db), 1, &s)) == 1)
		next = 1;
	if (rc < 0)
		return shell_fail(sh, rc);
	if (opt(a, "json")) {
		cJSON *o = s ? s : cJSON_CreateObject();
		cJSON_AddBoolToObject(o, "on_duty", s && !next);
		rc = shell_print_json(sh, o, 0);
		cJSON_Delete(o);
		return shell_fail(sh, rc);
	}
	if (!s)
		fprintf(sh->out, "%s\n", _("No shift on the roster covers now."));
	else {
		fprintf(sh->out, "%s%s\n", next ? _("No shift covers now; the next: ")
			: "", shell_str(s, "date"));
		row_shift(sh, s);
	}
	cJSON_Delete(s);
	return 0;
}

/* ---- calls and spot checks ---- */

/* --at TIME as seconds into *at (0: not given). */
static int
at_option(struct shell *sh, const struct args *a, int64_t *at)
{
	const char *v = opt(a, "at");

	*at = 0;
	if (v && time_parse_local(v, db_now(sh->db), at))
		return shell_refuse(sh, "--at '%s': a time like 21:30 or "
				    "2026-12-02 21:30", v);
	return 0;
}

static int
cmd_call(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();
	char id[64];
	int64_t at;
	int rc;

	if (!f)
		return shell_fail(sh, DD_E_NOMEM);
	if (!opt(a, "outcome")) {
		cJSON_Delete(f);
		return shell_usage(sh, c, "%s", "a call needs its --outcome "
				   "(answered, no_answer, busy, left_message)");
	}
	if ((rc = at_option(sh, a, &at))) {
		cJSON_Delete(f);
		return rc;
	}
	cJSON_AddStringToObject(f, "outcome", opt(a, "outcome"));
	if (opt(a, "incoming"))
		cJSON_AddBoolToObject(f, "incoming", 1);
	if (opt(a, "incident"))
		cJSON_AddStringToObject(f, "incident", opt(a, "incident"));
	if (opt(a, "warning"))
		cJSON_AddStringToObject(f, "warning", opt(a, "warning"));
	if (opt(a, "note"))
		cJSON_AddStringToObject(f, "note", opt(a, "note"));
	if (at) {
		char iso[21];
		time_format_iso(at, iso);
		cJSON_AddStringToObject(f, "at", iso);
	}
	rc = call_log(sh->db, a->pos[0], f, id);
	cJSON_Delete(f);
	return shell_made(sh, rc, id);
}

static void
row_call(struct shell *sh, const cJSON *o)
{
	fprintf(sh->out, "%s  %-14s ", shell_time(o, "at"), shell_str(o, "id"));
	shell_pad(sh, cJSON_IsTrue(cJSON_GetObjectItem(o, "incoming"))
		  ? _("in") : _("out"), 5);
	shell_pad(sh, *shell_str(o, "name") ? shell_name(sh, o) : "-", 10);
	shell_pad(sh, shell_str(o, "number"), 14);
	shell_pad(sh, shell_word(sh, W_CALL_OUTCOME, shell_str(o, "outcome")), 10);
	fprintf(sh->out, "%s %s\n", shell_str(o, "incident"),
		shell_str(o, "warning"));
}

static int
cmd_call_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();

	(void)c;
	if (!f)
		return shell_fail(sh, DD_E_NOMEM);
	if (opt(a, "incident"))
		cJSON_AddStringToObject(f, "incident", opt(a, "incident"));
	if (opt(a, "warning"))
		cJSON_AddStringToObject(f, "warning", opt(a, "warning"));
	return shell_list(sh, a, LIST_CALLS, f, row_call, NULL);
}

static int
cmd_check(struct shell *sh, const struct cmd *c, struct args *a)
{
	const char *who = opt(a, "who");
	char id[64];
	int64_t at;
	int rc;

	if ((who != NULL) == (opt(a, "no-answer") != NULL))
		return shell_usage(sh, c, "%s", "say who answered (--who NAME) or "
				   "that nobody did (--no-answer)");
	if ((rc = at_option(sh, a, &at)))
		return rc;
	return shell_made(sh, check_log(sh->db, a->pos[0], who, at, id), id);
}

static void
row_check(struct shell *sh, const cJSON *o)
{
	shell_pad(sh, shell_town(sh, shell_str(o, "town")), 12);
	fprintf(sh->out, "%s  %-14s ", shell_time(o, "at"), shell_str(o, "id"));
	fprintf(sh->out, "%s\n", cJSON_IsTrue(cJSON_GetObjectItem(o, "answered"))
		? shell_name(sh, o) : _("no answer"));
}

static int
cmd_check_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	(void)c;
	return shell_list(sh, a, LIST_CHECKS, NULL, row_check, NULL);
}

#define CONTACT_OPTS "name=,phone=,unit=,role=,town=,for="

const struct cmd cmd_people_rows[] = {
	{ "setting", "list", "json", 0, 0, DB_READ, cmd_setting,
	  "setting list [--json]", "the settings in force here" },
	{ "setting", "get", "json", 1, 1, DB_READ, cmd_setting,
	  "setting get KEY [--json]", "one setting's value" },
	{ "setting", "set", "", 2, 2, DB_WRITE, cmd_setting,
	  "setting set KEY VALUE",
	  "set a key for the county (command station) or a local one here" },
	{ "contact", "add", CONTACT_OPTS, 0, 0, DB_WRITE, cmd_contact_add,
	  "contact add --name N --phone P[;P] --role R [--unit U] [--town T] "
	  "[--for ID]", "add a person to the directory (通讯录)" },
	{ "contact", "update", CONTACT_OPTS, 1, 1, DB_WRITE, cmd_contact_update,
	  "contact update ID [--name N] [--phone P] [--role R] ...",
	  "change a contact" },
	{ "contact", "remove", "", 1, 1, DB_WRITE, cmd_contact_update,
	  "contact remove ID", "take a contact out of the directory" },
	{ "contact", "list", "town=,role=,json", 0, 0, DB_READ, cmd_contact_list,
	  "contact list [--town T] [--role R] [--json]", "the directory" },
	{ "contact", "find", "json", 1, 1, DB_READ, cmd_contact_find,
	  "contact find TEXT [--json]",
	  "by name (Chinese or pinyin), part of a phone, unit or town" },
	{ "contact", "show", "json", 1, 1, DB_READ, cmd_contact_show,
	  "contact show ID [--json]",
	  "a person with their calls and what they answer for" },
	{ "contact", "import", "encoding=", 1, 1, DB_WRITE, cmd_import_list,
	  "contact import FILE.csv [--encoding utf-8|gb18030]",
	  "load name,phones,unit,role,town,for; all rows or none" },
	{ "roster", "add", "leader=,officer=,start=,hours=", 1, 1, DB_WRITE,
	  cmd_roster_add, "roster add DATE --leader NAME --officer NAME[,NAME] "
	  "[--start HH:MM] [--hours N]", "a shift on the duty roster (排班)" },
	{ "roster", "list", "from=,to=,station=,json", 0, 0, DB_READ,
	  cmd_roster_list, "roster list [--from DATE] [--to DATE] [--station S] "
	  "[--json]", "the duty roster" },
	{ "roster", "now", "json", 0, 0, DB_READ, cmd_roster_now,
	  "roster now [--json]", "the shift on duty now (or the next)" },
	{ "roster", "remove", "", 1, 1, DB_WRITE, cmd_roster_remove,
	  "roster remove ID", "take a shift off this station's roster" },
	{ "roster", "import", "encoding=", 1, 1, DB_WRITE, cmd_import_list,
	  "roster import FILE.csv [--encoding utf-8|gb18030]",
	  "load date,start,hours,leader,officer1,officer2; all rows or none" },
	{ "roster", "sheet", "from=,to=,gb18030", 0, 0, DB_READ, cmd_roster_sheet,
	  "roster sheet [--from DATE] [--to DATE] [--gb18030]",
	  "the roster to print and send upward, with phones" },
	{ "call", "list", "incident=,warning=,json", 0, 0, DB_READ, cmd_call_list,
	  "call list [--incident ID] [--warning ID] [--json]", "the call log" },
	{ "call", NULL, "outcome=,incoming,incident=,warning=,note=,at=", 1, 1,
	  DB_WRITE, cmd_call, "call TO --outcome answered|no_answer|busy|"
	  "left_message [--incoming] [--incident ID] [--warning ID] [--note T] "
	  "[--at TIME]", "log a duty call to or from a contact or a number" },
	{ "check", "list", "json", 0, 0, DB_READ, cmd_check_list,
	  "check list [--json]", "the last spot check of each town" },
	{ "check", NULL, "who=,no-answer,at=", 1, 1, DB_WRITE, cmd_check,
	  "check TOWN --who NAME | --no-answer [--at TIME]",
	  "a spot check (查岗) of a town's duty phone" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
