/*
 * pane_log.c - the duty log, newest first: notes, the daily zero report
 * and the shift handover signed by both officers.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/tui.h"

static const struct column cols[] = {
	{ N_("WHEN"), "at", 11, COL_TIME, 0 },
	{ N_("KIND"), "kind", 9, 0, W_LOG_KIND },
	{ N_("OFFICER"), "officer", 10, 0, W_OFFICER },
	{ N_("TEXT"), "text", 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const find[] = { "text", NULL };

static const struct keymap keymap[] = {
	{ 'a', 0, REQ_ADD, "a" },
	{ 'z', 0, REQ_ZERO, "z" },
	{ 'h', 0, REQ_HANDOVER, "h" },
	{ 'p', 0, REQ_PRINT, "p" },
	{ 0, 0, REQ_NONE, NULL }
};

static cJSON *
load(struct pane *p)
{
	cJSON *list = NULL, *out;
	int i;

	if (state_list(console_db(), LIST_LOG, NULL, &list)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		return NULL;
	}
	out = cJSON_CreateArray();
	for (i = cJSON_GetArraySize(list) - 1; i >= 0; i--) {
		cJSON *row = cJSON_Duplicate(cJSON_GetArrayItem(list, i), 1);
		char buf[512], *text;
		/* The text as the reader reads it (a zero report's, a
		 * handover's words composed in the interface language). */
		text = strdup(log_entry_text(row, buf, sizeof buf));
		cJSON_DeleteItemFromObjectCaseSensitive(row, "text");
		cJSON_AddStringToObject(row, "text", text ? text : "");
		free(text);
		cJSON_AddItemToArray(out, row);
	}
	cJSON_Delete(list);
	return view_filter(&p->view, p->ops->find, out);
}

static const struct form_field note_form[] = {
	{ N_("Text"), "text", FT_TEXT, 1, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static const struct form_field zero_form[] = {
	{ N_("Text (optional)"), "text", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static const struct form_field handover_form[] = {
	{ N_("Incoming officer"), "to", FT_TEXT, 1, NULL, 0, NULL },
	{ N_("Note"), "note", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_note(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	char id[64];
	int rc = log_add(console_db(), form_value(ctx, "kind"),
			 form_value(values, "text"), id);

	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("logged (%s)"), id);
	return 0;
}

/* Whom the officer was told is not on the roster: Enter again with the
 * same name hands over anyway (recorded as unrostered). */
static char off_roster[64];

/* The officers of the shift taking over now (roster_incoming). */
static const char *
next_officers(char *buf, size_t n)
{
	cJSON *s = NULL;
	const cJSON *o1, *o2;

	buf[0] = 0;
	if (roster_incoming(console_db(), console_now(), &s) == 1 &&
	    cJSON_IsString(o1 = cJSON_GetObjectItem(s, "officer1_name"))) {
		o2 = cJSON_GetObjectItem(s, "officer2_name");
		snprintf(buf, n, "%s%s%s", o1->valuestring,
			 cJSON_IsString(o2) ? ", " : "",
			 cJSON_IsString(o2) ? o2->valuestring : "");
	}
	cJSON_Delete(s);
	return buf;
}

static int
submit_handover(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *to = form_value(values, "to");
	char id[64], names[200];
	int rc = log_handover_as(console_db(), to, form_value(values, "note"),
				 strcmp(off_roster, to) == 0, id);

	(void)ctx;
	if (rc == DD_E_REFUSED) {
		/* The only refusal of a well-typed handover: the roster. The
		 * shell's message points at --unrostered; here the officer
		 * confirms with the key at hand. */
		snprintf(off_roster, sizeof off_roster, "%s", to);
		snprintf(msg, n, _("%s is not the next shift's officer (%s): "
				   "Enter again to confirm"), to,
			 next_officers(names, sizeof names));
		return rc;
	}
	off_roster[0] = 0;
	if (rc)
		return form_refused(rc, msg, n);
	/* From now on the console works as the incoming officer: what they
	 * record is theirs, and the status line says so. */
	db_set_officer(console_db(), form_value(values, "to"));
	snprintf(msg, n, _("handed over to %s (%s); the console now acts for "
			   "them"), form_value(values, "to"), id);
	return 0;
}

const char *
console_printer(void)
{
	const char *cmd = getenv("DUTYDESK_PRINT");

	if (cmd && *cmd)
		return cmd;
	return system("command -v lpr >/dev/null 2>&1") == 0 ? "lpr" : NULL;
}

/* The sheet of the selected handover (or the latest): to the printer,
 * and always into a file beside the database, so that a sheet the
 * printer lost can be printed again. */
static void
print_sheet(struct pane *p)
{
	const cJSON *row = view_selected(&p->view);
	const char *id = NULL, *enc = getenv("DUTYDESK_PRINT_ENCODING"), *cmd;
	const char *file;
	char path[4200], line[8600];
	FILE *f;
	int rc, st;

	if (row && strcmp(cJSON_GetObjectItem(row, "kind")->valuestring,
			  "handover") == 0)
		id = cJSON_GetObjectItem(row, "id")->valuestring;
	snprintf(path, sizeof path, "%s.handover-%s.txt", console_dbpath(),
		 id ? id : "latest");
	if (!(f = fopen(path, "w"))) {
		console_msg(1, _("cannot write %s"), path);
		return;
	}
	rc = sheet_handover(console_db(), id, enc && strcmp(enc, "gb18030") == 0,
			    f);
	if (fclose(f) != 0 && !rc)
		rc = DD_E_IO;
	if (rc) {
		console_msg(1, "%s", db_why(console_db(), rc));
		remove(path);
		return;
	}
	/* Beside the database: its name alone fits the message line. */
	file = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (!(cmd = console_printer())) {
		console_msg(0, _("no printer set (DUTYDESK_PRINT); the sheet is "
				 "%s beside the database"), file);
		return;
	}
	/* The command runs with the sheet on its stdin and its output
	 * away from the screen. */
	snprintf(line, sizeof line, "(%s) < '%s' >/dev/null 2>&1", cmd, path);
	st = strchr(path, '\'') ? -1 : system(line);
	if (st == 0)
		console_msg(0, _("handover sheet sent to the printer; a copy is "
				 "%s beside the database"), file);
	else
		console_msg(1, _("the printer command failed (%s); the sheet is "
				 "%s beside the database"), cmd, file);
}

static int
key(struct pane *p, enum req r)
{
	cJSON *ctx;

	switch (r) {
	case REQ_PRINT:
		print_sheet(p);
		return 0;
	case REQ_ADD:
	case REQ_ZERO:
		/* The kind of entry the form writes. */
		ctx = cJSON_CreateObject();
		cJSON_AddStringToObject(ctx, "kind", r == REQ_ZERO ? "zero" : "note");
		form_open(r == REQ_ZERO ? _("Daily zero report (零报告)")
			  : _("Duty log entry"), r == REQ_ZERO ? zero_form : note_form,
			  NULL, submit_note, ctx);
		cJSON_Delete(ctx);
		return 0;
	case REQ_HANDOVER: {
		/* The next shift's officer, as the roster has it. */
		cJSON *next = NULL, *init = cJSON_CreateObject();
		const cJSON *o;
		if (roster_incoming(console_db(), console_now(), &next) == 1 &&
		    init &&
		    cJSON_IsString(o = cJSON_GetObjectItem(next, "officer1_name")))
			cJSON_AddStringToObject(init, "to", o->valuestring);
		off_roster[0] = 0;
		form_open(_("Shift handover (交接班)"), handover_form, init,
			  submit_handover, NULL);
		cJSON_Delete(next);
		cJSON_Delete(init);
		return 0;
	}
	default:
		return -1;
	}
}

const struct pane_ops pane_log = {
	.title = N_("Log"), .cols = cols, .find = find, .keys = keymap,
	.load = load, .key = key,
};
