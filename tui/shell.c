/*
 * shell.c - the subcommands: every action of the console from a shell,
 * for scripts, tests and administrators. A command that creates a record
 * prints its id alone on its output stream (stdout from a shell);
 * messages go to its error stream. Exit codes are core's: 0 done,
 * 1 refused, 2 usage, 3 and up the environment.
 */
#include "tui/shell.h"

#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "sync/client.h"
#include "tui/console.h"
#include "tui/tui.h"

static const struct cmd commands[];

/* Is the verb on a terminal (stdin and its output both)? A memory
 * stream, a file or a pipe is not. */
int
shell_on_terminal(const struct shell *sh)
{
	int fd = fileno(sh->out);
	return isatty(0) && fd >= 0 && isatty(fd);
}

/* ---- init, status, backup, export ---- */

static int
cmd_init(struct shell *sh, const struct cmd *c, struct args *a)
{
	const char *station = opt(a, "station"), *role = opt(a, "role");
	const char *seed = opt(a, "seed"), *realm = opt(a, "realm");
	const char *server = opt(a, "server"), *key = opt(a, "key");
	int r = role_parse(role ? role : "town"), rc;
	char why[160];
	struct stat st;

	if (!station)
		return shell_usage(sh, c, "%s", "init needs --station CODE");
	if (!r)
		return shell_refuse(sh, "role '%s' is not town or command", role);
	if (seed && strcmp(seed, "county") != 0 && strcmp(seed, "none") != 0)
		return shell_refuse(sh, "seed '%s' is not county or none", seed);
	if (!server != !key)
		return shell_usage(sh, c, "%s", "--server and --key go together");
	if (server && link_check_settings(server, key, why, sizeof why))
		return shell_refuse(sh, "%s", why);
	/* The live link settings never go into a drill's database. */
	if (server && realm && strcmp(realm, "live") != 0)
		return shell_refuse(sh, "a %s database never carries the live link settings "
			      "(--server is for realm live)", realm);
	if (stat(sh->dbpath, &st) == 0 && st.st_size > 0)
		return shell_refuse(sh, "%s already exists; a station database is made once",
			      sh->dbpath);
	if ((rc = db_open(sh->dbpath, DB_CREATE, &sh->db)))
		return shell_fail(sh, rc);
	rc = station_init(sh->db, station, r, realm ? realm : "live",
			  !seed || strcmp(seed, "county") == 0);
	if (!rc && server)
		rc = replica_set_link(sh->db, server, key);
	if (rc) {
		int code = shell_fail(sh, rc);
		db_close(&sh->db);
		unlink(sh->dbpath);
		return code;
	}
	fprintf(sh->err, "dutydesk: station %s (%s) ready in %s%s%s\n", station,
		role_name(r), sh->dbpath, server ? ", linked to " : "",
		server ? server : "");
	return 0;
}

/* ---- the link to the county server ---- */

static int
cmd_link(struct shell *sh, const struct cmd *c, struct args *a)
{
	const char *server = opt(a, "server"), *key = opt(a, "key");
	char old_server[256], old_key[128], why[160];
	struct station_info si;
	int rc;

	if (!server && !key)
		return shell_usage(sh, c, "%s", "link needs --server HOST:PORT and/or --key KEY");
	if (link_check_settings(server, key, why, sizeof why))
		return shell_refuse(sh, "%s", why);
	if ((rc = station_identity(sh->db, &si)))
		return shell_fail(sh, rc);
	if (strcmp(si.realm, "live") != 0)
		return shell_refuse(sh, "this is a %s database: a drill never carries the "
			      "live link settings", si.realm);
	if ((rc = replica_link(sh->db, old_server, sizeof old_server, old_key,
			       sizeof old_key)) < 0)
		return shell_fail(sh, rc);
	if (rc == 0 && (!server || !key))
		return shell_usage(sh, c, "%s", "the first link needs both --server and --key");
	if ((rc = replica_set_link(sh->db, server ? server : old_server,
				   key ? key : old_key)))
		return shell_fail(sh, rc);
	fprintf(sh->err, "dutydesk: station %s now syncs with %s\n", si.station,
		server ? server : old_server);
	return 0;
}

static int
cmd_sync(struct shell *sh, const struct cmd *c, struct args *a)
{
	const char *t = opt(a, "timeout");
	char server[256], key[128], msg[256];
	int64_t secs = 30;
	int rc;

	if (t && shell_qty(t, 1, 3600, &secs))
		return shell_usage(sh, c, "--timeout '%s' is not 1..3600 seconds", t);
	if ((rc = replica_link(sh->db, server, sizeof server, key, sizeof key)) < 0)
		return shell_fail(sh, rc);
	if (rc == 0)
		return shell_refuse(sh, "%s", "no server is set for this station (dutydesk "
			      "link --server HOST:PORT --key KEY)");
	/* The link opens its own connection; this one is not needed. */
	db_close(&sh->db);
	rc = link_sync_once(sh->dbpath, (int)secs * 1000, msg, sizeof msg);
	fprintf(sh->err, "dutydesk: %s%s\n", rc == 0 ? "sync: " : "", msg);
	/* An unreachable or failing server is DD_E_SERVER: exit 5. */
	return rc == 0 ? 0 : dd_exitcode(rc);
}

static void
row_refusal(struct shell *sh, const cJSON *o)
{
	shell_pad(sh, shell_str(o, "seq"), 6);
	shell_pad(sh, shell_time(o, "at"), 17);
	shell_pad(sh, *shell_str(o, "kind") ? shell_str(o, "kind") : "?", 19);
	shell_pad(sh, *shell_str(o, "entity") ? shell_str(o, "entity") : "?", 14);
	shell_pad(sh, *shell_str(o, "code") ? shell_str(o, "code") : "?", 9);
	fprintf(sh->out, "%s%s\n", shell_str(o, "message"),
	       cJSON_IsTrue(cJSON_GetObjectItem(o, "seen")) ? "" : "  (new)");
}

/* What the server refused of this station's operations, and why; --ack
 * clears the count the status line shows, and the list stays. */
static int
cmd_link_refused(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *list = NULL, *o;
	int64_t n = 0;
	int rc;

	if (opt(a, "ack")) {
		if (opt(a, "json"))
			return shell_usage(sh, c, "%s", "--ack and --json do not go together");
		/* Opened to read, like the list: acknowledging writes. */
		db_close(&sh->db);
		if ((rc = db_open(sh->dbpath, 0, &sh->db)))
			return shell_fail(sh, rc);
		db_set_officer(sh->db, sh->officer);
		if ((rc = replica_refusals_ack(sh->db, 0, &n)))
			return shell_fail(sh, rc);
		fprintf(sh->err, "dutydesk: %lld refusal(s) acknowledged by %s; "
			"the list is kept\n", (long long)n, sh->officer);
		return 0;
	}
	if ((rc = replica_refusals(sh->db, &list, NULL)))
		return shell_fail(sh, rc);
	if (opt(a, "json")) {
		rc = shell_print_json(sh, list, 0);
	} else if (cJSON_GetArraySize(list) > 0) {
		fprintf(sh->out, "SEQ   MADE             KIND               RECORD        "
		       "CODE     MESSAGE\n");
		cJSON_ArrayForEach(o, list)
			row_refusal(sh, o);
	}
	cJSON_Delete(list);
	return shell_fail(sh, rc);
}

static int
cmd_status(struct shell *sh, const struct cmd *c, struct args *a)
{
	struct station_info si;
	cJSON *resp = NULL, *inc = NULL, *r, *filter;
	char server[256], key[128];
	int64_t last_sync = 0, refused = 0;
	int rc, linked;

	(void)c;
	if ((rc = station_info(sh->db, &si)))
		return shell_fail(sh, rc);
	if ((linked = replica_link(sh->db, server, sizeof server, key,
				   sizeof key)) < 0)
		return shell_fail(sh, linked);
	link_note_read(sh->dbpath, &last_sync);
	/* The refusals no officer has acknowledged, from the database. */
	if ((rc = replica_refusals_unseen(sh->db, &refused)))
		return shell_fail(sh, rc);
	filter = cJSON_CreateObject();
	cJSON_AddNumberToObject(filter, "open", 1);
	if ((rc = state_list(sh->db, LIST_RESPONSES, NULL, &resp)) ||
	    (rc = state_list(sh->db, LIST_INCIDENTS, filter, &inc))) {
		cJSON_Delete(filter);
		cJSON_Delete(resp);
		return shell_fail(sh, rc);
	}
	cJSON_Delete(filter);
	if (opt(a, "json")) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "station", si.station);
		cJSON_AddStringToObject(o, "role", role_name(si.role));
		cJSON_AddStringToObject(o, "realm", si.realm);
		cJSON_AddStringToObject(o, "incarnation", si.incarnation);
		cJSON_AddNumberToObject(o, "operations", (double)si.ops);
		cJSON_AddNumberToObject(o, "queued", (double)si.queued);
		if (linked) {
			char iso[21];
			cJSON_AddStringToObject(o, "server", server);
			cJSON_AddNumberToObject(o, "refused", (double)refused);
			if (last_sync) {
				time_format_iso(last_sync, iso);
				cJSON_AddStringToObject(o, "last_sync", iso);
			} else {
				cJSON_AddNullToObject(o, "last_sync");
			}
		} else {
			cJSON_AddNullToObject(o, "server");
		}
		cJSON_AddNumberToObject(o, "open_incidents", cJSON_GetArraySize(inc));
		cJSON_AddItemToObject(o, "responses", resp);
		resp = NULL;
		shell_print_json(sh, o, 1);
		cJSON_Delete(o);
	} else {
		fprintf(sh->out, "station   %s (%s), realm %s\n", si.station,
		       role_name(si.role), si.realm);
		fprintf(sh->out, "officer   %s\n", db_officer(sh->db));
		fprintf(sh->out, "database  %s, %lld operations, %lld queued%s\n",
		       sh->dbpath, (long long)si.ops, (long long)si.queued,
		       linked ? "" : " (offline)");
		if (linked) {
			char when[20] = "never";
			if (last_sync)
				time_format_local(last_sync, when);
			fprintf(sh->out, "link      %s, %lld queued, %lld refused, last sync %s\n",
			       server, (long long)si.queued, (long long)refused, when);
		} else {
			fprintf(sh->out, "link      none (an offline station; dutydesk link "
			       "--server HOST:PORT --key KEY)\n");
		}
		fprintf(sh->out, "incidents %d open\n", cJSON_GetArraySize(inc));
		fprintf(sh->out, "response ");
		int any = 0;
		cJSON_ArrayForEach(r, resp) {
			if (shell_num(r, "level") > 0) {
				fprintf(sh->out, " %s %s%s", shell_str(r, "hazard"), shell_str(r, "level_name"),
				       cJSON_IsTrue(cJSON_GetObjectItem(r, "conflict"))
				       ? " (CONFLICT)" : "");
				any = 1;
			}
		}
		fprintf(sh->out, "%s\n", any ? "" : " none in force");
	}
	cJSON_Delete(resp);
	cJSON_Delete(inc);
	return 0;
}

static int
cmd_backup(struct shell *sh, const struct cmd *c, struct args *a)
{
	struct stat st;

	(void)c;
	if (stat(a->pos[0], &st) == 0)
		return shell_refuse(sh, "%s exists; choose a new file for the backup",
			      a->pos[0]);
	return shell_fail(sh, db_backup(sh->db, a->pos[0]));
}

static int
cmd_restore(struct shell *sh, const struct cmd *c, struct args *a)
{
	struct db *from = NULL;
	struct stat st;
	int rc;

	(void)c;
	if (stat(sh->dbpath, &st) == 0 && st.st_size > 0)
		return shell_refuse(sh, "%s exists; restore into a new database file "
			      "(--db NEW)", sh->dbpath);
	rc = db_open(a->pos[0], DB_RDONLY, &from);
	if (rc) {
		fprintf(sh->err, "dutydesk: %s\n", db_errmsg(from));
		db_close(&from);
		return dd_exitcode(rc);
	}
	rc = db_backup(from, sh->dbpath);
	if (rc) {
		fprintf(sh->err, "dutydesk: %s\n", db_errmsg(from));
		db_close(&from);
		return dd_exitcode(rc);
	}
	db_close(&from);
	if ((rc = db_open(sh->dbpath, 0, &sh->db)) ||
	    (rc = db_restore_mark(sh->db)))
		return shell_fail(sh, rc);
	fprintf(sh->err, "dutydesk: restored %s into %s with a new incarnation\n",
		a->pos[0], sh->dbpath);
	return 0;
}

static int
cmd_export(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *x = NULL, *part;
	int rc;

	(void)c;
	if ((rc = state_export(sh->db, &x)))
		return shell_fail(sh, rc);
	if (opt(a, "json")) {
		rc = shell_print_json(sh, x, 1);
		cJSON_Delete(x);
		return shell_fail(sh, rc);
	}
	/* For a person: how much of each, and the digest to compare. */
	cJSON_ArrayForEach(part, x) {
		if (cJSON_IsArray(part))
			fprintf(sh->out, "%-14s %d\n", part->string, cJSON_GetArraySize(part));
		else if (cJSON_IsString(part))
			fprintf(sh->out, "%-14s %s\n", part->string, part->valuestring);
	}
	cJSON_Delete(x);
	return 0;
}

/* ---- incidents ---- */

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
		return shell_usage(sh, c, "%s", "an incident needs --town and --title or "
			     "--place");
	}
	rc = incident_add(sh->db, f, id);
	cJSON_Delete(f);
	if (rc)
		return shell_fail(sh, rc);
	shell_print_id(sh, id);
	return 0;
}

static int
cmd_incident_update(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = inc_fields(a);
	int rc;

	if (cJSON_GetArraySize(f) == 0) {
		cJSON_Delete(f);
		return shell_usage(sh, c, "%s", "nothing to change: give a field option");
	}
	rc = incident_update(sh->db, a->pos[0], f);
	cJSON_Delete(f);
	return shell_fail(sh, rc);
}

static void
row_incident(struct shell *sh, const cJSON *o)
{
	(void)sh;
	shell_pad(sh, shell_str(o, "id"), 14);
	shell_pad(sh, shell_time(o, "received_at"), 17);
	shell_pad(sh, shell_str(o, "town"), 12);
	shell_pad(sh, shell_str(o, "status"), 11);
	shell_pad(sh, *shell_str(o, "title") ? shell_str(o, "title") : shell_str(o, "place"), 30);
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
			  "ID            RECEIVED         TOWN        STATUS     TITLE");
out:
	cJSON_Delete(f);
	return rc;
}

static int
cmd_incident_show(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *inc = NULL, *r;
	int rc = incident_get(sh->db, a->pos[0], &inc);

	(void)c;
	if (rc < 0)
		return shell_fail(sh, rc);
	if (rc == 0)
		return shell_refuse(sh, "no incident '%s'", a->pos[0]);
	if (opt(a, "json")) {
		shell_print_json(sh, inc, 1);
	} else {
		static const char *const keys[] = { "id", "title", "status", "town",
			"place", "kind", "severity", "cause", "actions", "trend",
			"dead", "injured", "missing", "trapped", "evacuated",
			"caller_unit", "caller_name", "caller_phone", "notified",
			"recorder", NULL };
		int i;
		for (i = 0; keys[i]; i++)
			if (*shell_str(inc, keys[i]))
				fprintf(sh->out, "%-13s %s\n", keys[i], shell_str(inc, keys[i]));
		fprintf(sh->out, "%-13s %s\n", "received", shell_time(inc, "received_at"));
		fprintf(sh->out, "%-13s due %s, %s\n", "phone report",
		       shell_time(inc, "phone_due_at"), *shell_str(inc, "phone_done_at")
		       ? shell_time(inc, "phone_done_at") : "NOT YET");
		fprintf(sh->out, "%-13s due %s, %s\n", "written",
		       shell_time(inc, "written_due_at"), *shell_str(inc, "written_done_at")
		       ? shell_time(inc, "written_done_at") : "NOT YET");
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(inc, "reports"))
			fprintf(sh->out, "report        %s %s %s %s\n", shell_time(r, "at"),
			       shell_str(r, "type"), shell_str(r, "channel"), shell_str(r, "text"));
		cJSON_ArrayForEach(r, cJSON_GetObjectItem(inc, "dispatches"))
			fprintf(sh->out, "dispatch      %s team %s at %s\n", shell_str(r, "id"),
			       shell_str(r, "team"), shell_time(r, "at"));
	}
	cJSON_Delete(inc);
	return 0;
}

static int
cmd_incident_status(struct shell *sh, const struct cmd *c, struct args *a)
{
	(void)c;
	return shell_fail(sh, incident_set_status(sh->db, a->pos[0], a->pos[1]));
}

static int
cmd_incident_report(struct shell *sh, const struct cmd *c, struct args *a)
{
	static const char *const types[] = { "first", "followup", "final" };
	const char *ch = opt(a, "channel");
	int64_t at = 0;
	char id[64];
	int t, rc;

	(void)c;
	for (t = 0; t < 3 && strcmp(a->pos[0], types[t]) != 0; t++)
		;
	if (t == 3)
		return shell_refuse(sh, "report '%s' is not first, followup or final",
			      a->pos[0]);
	if (opt(a, "at") && time_parse_local(opt(a, "at"), time(NULL), &at))
		return shell_refuse(sh, "'%s' is not a time (YYYY-MM-DD HH:MM)", opt(a, "at"));
	rc = incident_report(sh->db, a->pos[1], t, ch ? ch : "phone",
			     opt(a, "text"), at, id);
	if (rc)
		return shell_fail(sh, rc);
	shell_print_id(sh, id);
	return 0;
}

static int
cmd_import(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *ids = cJSON_CreateArray(), *id;
	int64_t n = 0;
	int rc;

	if (strcmp(a->pos[0], "incidents") != 0) {
		cJSON_Delete(ids);
		return shell_usage(sh, c, "cannot import '%s'; only incidents", a->pos[0]);
	}
	rc = ids ? import_incidents_csv(sh->db, a->pos[1], &n, ids) : DD_E_NOMEM;
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

/* ---- response levels ---- */

static int
cmd_response_decide(struct shell *sh, const struct cmd *c, struct args *a)
{
	int action = response_action_parse(c->verb), level = 0, rc;
	char id[64];

	if (action != RESP_END) {
		if (a->npos < 2)
			return shell_usage(sh, c, "%s", "give the level: IV, III, II or I");
		if (action == RESP_CONFIRM && strcmp(a->pos[1], "none") == 0)
			level = 0;
		else if ((level = level_parse(a->pos[1])) < 0)
			return shell_refuse(sh, "level '%s' does not exist (IV, III, II or I)",
				      a->pos[1]);
	}
	rc = response_decide(sh->db, a->pos[0], action, level, opt(a, "signed-by"),
			     opt(a, "note"), id);
	if (rc)
		return shell_fail(sh, rc);
	shell_print_id(sh, id);
	return 0;
}

static int
show_response(struct shell *sh, const char *hazard)
{
	struct response_state rs;
	cJSON *list = NULL, *ticks = NULL, *f, *it, *t;
	int rc = response_get(sh->db, hazard, &rs);

	if (rc < 0)
		return shell_fail(sh, rc);
	fprintf(sh->out, "%s: %s%s\n", hazard, rs.level ? level_name(rs.level) : "none",
	       rs.conflict ? "  CONFLICT: confirm a level" : "");
	f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "hazard", hazard);
	rc = state_list(sh->db, LIST_DECISIONS, f, &list);
	cJSON_Delete(f);
	if (rc)
		return shell_fail(sh, rc);
	cJSON_ArrayForEach(it, list)
		fprintf(sh->out, "  %s  %-14s %-7s %-4s signed %s\n", shell_time(it, "at"),
		       shell_str(it, "id"), shell_str(it, "action"),
		       level_name((int)shell_num(it, "level")), shell_str(it, "signed_by"));
	cJSON_Delete(list);
	if (rs.level == 0)
		return 0;
	if (checklist_load(hazard, rs.level, &list) == 0) {
		cJSON *f2 = cJSON_CreateObject();
		cJSON_AddStringToObject(f2, "episode", rs.episode);
		rc = state_list(sh->db, LIST_TICKS, f2, &ticks);
		cJSON_Delete(f2);
		if (rc) {
			cJSON_Delete(list);
			return shell_fail(sh, rc);
		}
		fprintf(sh->out, "checklist (level %s):\n", level_name(rs.level));
		cJSON_ArrayForEach(it, list) {
			int done = 0;
			cJSON_ArrayForEach(t, ticks)
				if (strcmp(shell_str(t, "item"), shell_str(it, "code")) == 0)
					done = shell_num(t, "checked") != 0;
			fprintf(sh->out, "  [%c] %-12s %s\n", done ? 'x' : ' ', shell_str(it, "code"),
			       sh->utf8 ? shell_str(it, "text") : shell_str(it, "text_en"));
		}
		cJSON_Delete(ticks);
		cJSON_Delete(list);
	}
	return 0;
}

static int
cmd_response_show(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *hz = NULL, *h;
	int rc;

	(void)c;
	if (a->npos == 1) {
		cJSON *list = NULL;
		if (checklist_load(a->pos[0], 4, &list) != 0)
			return shell_refuse(sh, "unknown hazard '%s'", a->pos[0]);
		cJSON_Delete(list);
	}
	if (opt(a, "json")) {
		/* One hazard given: only its row (none when never decided). */
		cJSON *out = cJSON_CreateArray();
		if ((rc = state_list(sh->db, LIST_RESPONSES, NULL, &hz))) {
			cJSON_Delete(out);
			return shell_fail(sh, rc);
		}
		while ((h = cJSON_DetachItemFromArray(hz, 0))) {
			if (a->npos == 1 && strcmp(shell_str(h, "hazard"), a->pos[0]) != 0)
				cJSON_Delete(h);
			else
				cJSON_AddItemToArray(out, h);
		}
		shell_print_json(sh, out, 0);
		cJSON_Delete(out);
		cJSON_Delete(hz);
		return 0;
	}
	if (a->npos == 1)
		return show_response(sh, a->pos[0]);
	if ((rc = hazards_load(&hz))) {
		cJSON_Delete(hz);
		return shell_fail(sh, rc);
	}
	cJSON_ArrayForEach(h, hz) {
		struct response_state rs;
		if ((rc = response_get(sh->db, shell_str(h, "hazard"), &rs)) < 0)
			break;
		rc = 0;
		fprintf(sh->out, "%-16s %-10s %s%s\n", shell_str(h, "hazard"),
		       sh->utf8 ? shell_str(h, "name") : shell_str(h, "name_en"),
		       rs.level ? level_name(rs.level) : "-",
		       rs.conflict ? "  CONFLICT" : "");
	}
	cJSON_Delete(hz);
	return shell_fail(sh, rc);
}

static int
cmd_response_check(struct shell *sh, const struct cmd *c, struct args *a)
{
	(void)c;
	return shell_fail(sh, response_check(sh->db, a->pos[0], a->pos[1],
				       !opt(a, "undo")));
}

/* ---- teams and dispatch ---- */

static void
row_team(struct shell *sh, const cJSON *o)
{
	shell_pad(sh, shell_str(o, "id"), 14);
	shell_pad(sh, shell_name(sh, o), 36);
	shell_pad(sh, shell_str(o, "kind"), 10);
	shell_pad(sh, shell_str(o, "town"), 12);
	shell_pad(sh, shell_str(o, "status"), 15);
	fprintf(sh->out, "%s\n", shell_str(o, "incident"));
}

static int
cmd_team_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	static const char *const kinds[] = { "municipal", "town", "fire",
		"social", "expert", NULL };
	cJSON *f = cJSON_CreateObject();
	int k, rc;

	(void)c;
	if ((rc = shell_filter_ref(sh, a, f, "town", REF_TOWN)))
		goto out;
	if (opt(a, "kind")) {
		for (k = 0; kinds[k] && strcmp(kinds[k], opt(a, "kind")); k++)
			;
		if (!kinds[k]) {
			rc = shell_refuse(sh, "kind '%s' is municipal, town, fire, "
					  "social or expert", opt(a, "kind"));
			goto out;
		}
		cJSON_AddStringToObject(f, "kind", opt(a, "kind"));
	}
	if (opt(a, "status")) {
		if (team_status_parse(opt(a, "status")) < 0) {
			rc = shell_refuse(sh, "status '%s' does not exist (available, "
					  "dispatched, en_route, on_scene, returning, "
					  "out_of_service)", opt(a, "status"));
			goto out;
		}
		cJSON_AddStringToObject(f, "status", opt(a, "status"));
	}
	return shell_list(sh, a, LIST_TEAMS, f, row_team,
			  "ID            NAME                                KIND"
			  "      TOWN        STATUS         INCIDENT");
out:
	cJSON_Delete(f);
	return rc;
}

static int
cmd_team_status(struct shell *sh, const struct cmd *c, struct args *a)
{
	(void)c;
	return shell_fail(sh, team_set_status(sh->db, a->pos[0], a->pos[1]));
}

static int
cmd_dispatch(struct shell *sh, const struct cmd *c, struct args *a)
{
	char id[64];
	int rc;

	(void)c;
	rc = dispatch_create(sh->db, a->pos[0], a->pos[1], id);
	if (rc)
		return shell_fail(sh, rc);
	shell_print_id(sh, id);
	return 0;
}

static void
row_dispatch(struct shell *sh, const cJSON *o)
{
	(void)sh;
	shell_pad(sh, shell_str(o, "id"), 14);
	shell_pad(sh, shell_str(o, "team"), 12);
	shell_pad(sh, shell_str(o, "incident"), 14);
	shell_pad(sh, shell_time(o, "at"), 17);
	if (*shell_str(o, "turnout_secs"))
		fprintf(sh->out, "turnout %.0fs / %.0fs%s", shell_num(o, "turnout_secs"),
		       shell_num(o, "target_secs"), shell_num(o, "turnout_secs") >
		       shell_num(o, "target_secs") ? " LATE" : "");
	fputc('\n', sh->out);
}

static int
cmd_dispatch_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();

	(void)c;
	if (opt(a, "incident")) {
		cJSON *inc = NULL;
		int rc = incident_get(sh->db, opt(a, "incident"), &inc);
		cJSON_Delete(inc);
		if (rc <= 0) {
			cJSON_Delete(f);
			return rc < 0 ? shell_fail(sh, rc) : shell_refuse(sh, "no incident '%s'",
							      opt(a, "incident"));
		}
		cJSON_AddStringToObject(f, "incident", opt(a, "incident"));
	}
	return shell_list(sh, a, LIST_DISPATCHES, f, row_dispatch,
			 "ID            TEAM        INCIDENT      DISPATCHED");
}

/* ---- supplies ---- */

static void
row_stock(struct shell *sh, const cJSON *o)
{
	shell_pad(sh, shell_str(o, "item"), 12);
	shell_pad(sh, sh->utf8 ? shell_str(o, "name") : shell_str(o, "name_en"), 22);
	shell_pad(sh, shell_str(o, "depot"), 16);
	fprintf(sh->out, "%8s %s%s\n", shell_str(o, "qty"), shell_num(o, "negative") ? " NEGATIVE" : "",
	       !shell_num(o, "negative") && shell_num(o, "is_low") ? " LOW" : "");
}

static int
cmd_supply_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();
	int rc;

	(void)c;
	if ((rc = shell_filter_ref(sh, a, f, "depot", REF_DEPOT)) ||
	    (rc = shell_filter_ref(sh, a, f, "item", REF_KIND))) {
		cJSON_Delete(f);
		return rc;
	}
	return shell_list(sh, a, LIST_STOCK, f, row_stock,
			  "ITEM        NAME                  DEPOT                QTY");
}

static int
cmd_supply_move(struct shell *sh, const struct cmd *c, struct args *a)
{
	static const char *const verbs[] = { "receive", "issue", "transfer",
		"count" };
	const char *depot = opt(a, "depot"), *to = NULL;
	int kind, rc;
	int64_t qty;
	char id[64];

	for (kind = 0; kind < 4 && strcmp(verbs[kind], c->verb) != 0; kind++)
		;
	if (kind == MOVE_TRANSFER) {
		depot = opt(a, "from");
		to = opt(a, "to");
		if (!depot || !to)
			return shell_usage(sh, c, "%s", "transfer needs --from DEPOT and --to DEPOT");
	} else if (!depot) {
		return shell_usage(sh, c, "%s", "give the depot: --depot DEPOT");
	}
	if (shell_qty(a->pos[1], kind == MOVE_COUNT ? 0 : 1, 1000000000, &qty))
		return shell_refuse(sh, "quantity '%s' must be a whole number from 1 to "
			      "1000000000 (a count may be 0)", a->pos[1]);
	rc = supply_move(sh->db, kind, a->pos[0], depot, to, qty, opt(a, "note"),
			 id);
	if (rc)
		return shell_fail(sh, rc);
	shell_print_id(sh, id);
	return 0;
}

/* ---- shelters ---- */

static void
row_shelter(struct shell *sh, const cJSON *o)
{
	shell_pad(sh, shell_str(o, "id"), 7);
	shell_pad(sh, shell_name(sh, o), 36);
	shell_pad(sh, shell_str(o, "town"), 12);
	fprintf(sh->out, "%6s/%-6s %s\n", shell_str(o, "occupancy"), shell_str(o, "capacity"),
	       shell_num(o, "open") ? "open" : "closed");
}

static int
cmd_shelter_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f = cJSON_CreateObject();
	int rc;

	(void)c;
	if ((rc = shell_filter_ref(sh, a, f, "town", REF_TOWN))) {
		cJSON_Delete(f);
		return rc;
	}
	if (opt(a, "open"))
		cJSON_AddNumberToObject(f, "open", 1);
	return shell_list(sh, a, LIST_SHELTERS, f, row_shelter,
			  "ID     NAME                                TOWN         "
			  "PEOPLE/CAP");
}

static int
cmd_shelter_open(struct shell *sh, const struct cmd *c, struct args *a)
{
	return shell_fail(sh, shelter_set_open(sh->db, a->pos[0],
					 strcmp(c->verb, "open") == 0));
}

static int
cmd_shelter_occupy(struct shell *sh, const struct cmd *c, struct args *a)
{
	int64_t n, people, cap;
	int in = strcmp(c->verb, "checkin") == 0, rc;

	if (shell_qty(a->pos[1], 1, 1000000, &n))
		return shell_refuse(sh, "number of people '%s' must be from 1 to 1000000",
			      a->pos[1]);
	if ((rc = shelter_occupy(sh->db, a->pos[0], in ? n : -n)))
		return shell_fail(sh, rc);
	/* Taken, since they are there; but the officer must know. */
	if (in && shelter_occupancy(sh->db, a->pos[0], &people, &cap) == 1 &&
	    cap > 0 && people > cap)
		fprintf(sh->err, "dutydesk: shelter %s now holds %lld people, %lld "
			"over its capacity of %lld\n", a->pos[0], (long long)people,
			(long long)(people - cap), (long long)cap);
	return 0;
}

/* ---- warnings ---- */

static int
cmd_warning_issue(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *towns = cJSON_CreateArray();
	const char *list = opt(a, "towns");
	char id[64];
	int rc;

	if (!opt(a, "hazard") || !opt(a, "color") || !opt(a, "text")) {
		cJSON_Delete(towns);
		return shell_usage(sh, c, "%s", "a warning needs --hazard, --color and --text");
	}
	if (list) {
		char *copy = strdup(list), *save = NULL, *t;
		for (t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			cJSON_AddItemToArray(towns, cJSON_CreateString(t));
		free(copy);
	}
	rc = warning_issue(sh->db, opt(a, "hazard"), opt(a, "color"),
			   opt(a, "text"), towns, id);
	cJSON_Delete(towns);
	if (rc)
		return shell_fail(sh, rc);
	shell_print_id(sh, id);
	return 0;
}

static int
cmd_warning_answer(struct shell *sh, const struct cmd *c, struct args *a)
{
	char id[64];
	int rc;

	(void)c;
	rc = warning_answer(sh->db, a->pos[0], a->pos[1], opt(a, "who"), id);
	if (rc)
		return shell_fail(sh, rc);
	shell_print_id(sh, id);
	return 0;
}

static void
row_warning(struct shell *sh, const cJSON *o)
{
	(void)sh;
	shell_pad(sh, shell_str(o, "id"), 14);
	shell_pad(sh, shell_time(o, "at"), 17);
	shell_pad(sh, shell_str(o, "hazard"), 12);
	shell_pad(sh, shell_str(o, "color"), 7);
	fprintf(sh->out, "%3s/%-3s answered  ", shell_str(o, "answered"), shell_str(o, "towns"));
	shell_pad(sh, shell_str(o, "text"), 30);
	fputc('\n', sh->out);
}

static void
row_answer(struct shell *sh, const cJSON *o)
{
	(void)sh;
	shell_pad(sh, shell_str(o, "town"), 14);
	if (*shell_str(o, "id"))
		fprintf(sh->out, "%s  %s (%ss)\n", shell_time(o, "at"), shell_str(o, "who"),
		       shell_str(o, "answer_secs"));
	else
		fprintf(sh->out, "NOT ANSWERED\n");
}

static int
cmd_warning_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	cJSON *f;

	(void)c;
	if (a->npos == 1) {
		cJSON *all = NULL, *w;
		int found = 0, rc = state_list(sh->db, LIST_WARNINGS, NULL, &all);
		if (rc)
			return shell_fail(sh, rc);
		cJSON_ArrayForEach(w, all)
			found |= strcmp(shell_str(w, "id"), a->pos[0]) == 0;
		cJSON_Delete(all);
		if (!found)
			return shell_refuse(sh, "no warning '%s'", a->pos[0]);
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "warning", a->pos[0]);
		return shell_list(sh, a, LIST_ANSWERS, f, row_answer, NULL);
	}
	return shell_list(sh, a, LIST_WARNINGS, NULL, row_warning,
			 "ID            ISSUED           HAZARD      COLOUR "
			 "ANSWERED");
}

/* ---- duty log, handover, conflicts ---- */

static int
cmd_log_add(struct shell *sh, const struct cmd *c, struct args *a)
{
	char id[64];
	int rc = log_add(sh->db, strcmp(c->verb, "zero") == 0 ? "zero" : "note",
			 a->npos ? a->pos[0] : NULL, id);

	if (rc)
		return shell_fail(sh, rc);
	shell_print_id(sh, id);
	return 0;
}

static void
row_log(struct shell *sh, const cJSON *o)
{
	(void)sh;
	fprintf(sh->out, "%s  %-9s %-10s %s\n", shell_time(o, "at"), shell_str(o, "kind"),
	       shell_str(o, "officer"), shell_str(o, "text"));
}

static int
cmd_log_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	(void)c;
	return shell_list(sh, a, LIST_LOG, NULL, row_log, NULL);
}

static int
cmd_handover(struct shell *sh, const struct cmd *c, struct args *a)
{
	char id[64];
	int rc;

	if (!opt(a, "to"))
		return shell_usage(sh, c, "%s", "handover needs the incoming officer: --to NAME");
	rc = log_handover(sh->db, opt(a, "to"), opt(a, "note"), id);
	if (rc)
		return shell_fail(sh, rc);
	shell_print_id(sh, id);
	return 0;
}

static int
cmd_handover_sheet(struct shell *sh, const struct cmd *c, struct args *a)
{
	(void)c;
	return shell_fail(sh, sheet_handover(sh->db, a->npos ? a->pos[0] : NULL,
				       opt(a, "gb18030") != NULL, sh->out));
}

/* A drill runs in the console, beside a live database: 0 when it can. */
static int
drill_where(struct shell *sh, const struct cmd *c)
{
	if (!shell_on_terminal(sh))
		return shell_usage(sh, c, "%s", "a drill runs in the console: a terminal");
	if (access(sh->dbpath, F_OK) != 0)
		return shell_refuse(sh, "no live database at %s", sh->dbpath);
	return 0;
}

/* The console on a prepared drill database (prepared: rc and why). */
static int
drill_console(struct shell *sh, int rc, const char *path, const char *why,
	      const char *report)
{
	if (rc) {
		fprintf(sh->err, "dutydesk: %s\n", why);
		return dd_exitcode(rc);
	}
	rc = console_main(path, sh->officer);
	fprintf(sh->err, "dutydesk: drill database %s%s%s%s\n", path,
		report ? "; report " : "", report ? report : "",
		report ? ".txt and .json" : "");
	return rc;
}

static int
cmd_drill_run(struct shell *sh, const struct cmd *c, struct args *a)
{
	char path[4200], why[600];
	int64_t speed = 1;
	int rc;

	if (opt(a, "speed") && shell_qty(opt(a, "speed"), 1, 10000, &speed))
		return shell_refuse(sh, "speed '%s' must be a whole number from 1 to 10000",
			      opt(a, "speed"));
	if (opt(a, "report-charset") &&
	    (drill_report_gb18030 = drill_charset(opt(a, "report-charset"))) < 0)
		return shell_refuse(sh, "charset '%s' is utf-8 or gb18030",
			      opt(a, "report-charset"));
	if ((rc = drill_where(sh, c)))
		return rc;
	rc = drill_prepare(sh->dbpath, a->pos[0], (int)speed,
			   opt(a, "county") != NULL, path, sizeof path, why,
			   sizeof why);
	if (!rc && opt(a, "report"))
		snprintf(console_drill_report, sizeof console_drill_report, "%s",
			 opt(a, "report"));
	return drill_console(sh, rc, path, why, console_drill_report);
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
		return shell_refuse(sh, "'%s' is not a drill's realm: drill join takes the "
			      "realm of a running drill (drill-..., as its command "
			      "station gives it)", a->pos[0]);
	if ((rc = drill_where(sh, c)))
		return rc;
	rc = drill_join_prepare(sh->dbpath, a->pos[0], (int)t * 1000, path,
				sizeof path, why, sizeof why);
	return drill_console(sh, rc, path, why, NULL);
}

static int
cmd_drill_report(struct shell *sh, const struct cmd *c, struct args *a)
{
	struct db *db = NULL;
	cJSON *r = NULL;
	int rc, gb = 0;

	(void)sh;
	if (opt(a, "charset") && (gb = drill_charset(opt(a, "charset"))) < 0)
		return shell_refuse(sh, "charset '%s' is utf-8 or gb18030", opt(a, "charset"));
	if (gb && opt(a, "json"))
		return shell_usage(sh, c, "%s", "the JSON report is UTF-8 (as JSON must be); "
			     "--charset is for the text");
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

static void
row_conflict(struct shell *sh, const cJSON *o)
{
	(void)sh;
	fprintf(sh->out, "%-32s %-9s %s%s%s\n", shell_str(o, "id"), shell_str(o, "kind"), shell_str(o, "members"),
	       *shell_str(o, "acked_by") ? "  acknowledged by " : "", shell_str(o, "acked_by"));
}

static int
cmd_conflict_list(struct shell *sh, const struct cmd *c, struct args *a)
{
	(void)c;
	return shell_list(sh, a, LIST_CONFLICTS, NULL, row_conflict, NULL);
}

static int
cmd_conflict_ack(struct shell *sh, const struct cmd *c, struct args *a)
{
	(void)c;
	return shell_fail(sh, conflict_ack(sh->db, a->pos[0]));
}

/* ---- the table ---- */

#define INC_OPTS "title=,town=,place=,kind=,severity=,received=,cause=," \
	"actions=,trend=,dead=,injured=,missing=,trapped=,evacuated=," \
	"caller-unit=,caller-name=,caller-phone=,notified=,recorder="

static const struct cmd commands[] = {
	{ "init", NULL, "station=,role=,seed=,realm=,server=,key=", 0, 0, DB_NONE,
	  cmd_init, "init --station CODE [--role town|command] [--seed county|none] "
	  "[--server HOST:PORT --key KEY]",
	  "make a new station database (seeded with the county by default)" },
	{ "status", NULL, "json", 0, 0, DB_READ, cmd_status,
	  "status [--json]", "station, queue, link and what is in force" },
	{ "link", NULL, "server=,key=", 0, 0, DB_WRITE, cmd_link,
	  "link --server HOST:PORT --key KEY",
	  "set or change the county server this station syncs with" },
	{ "link", "refused", "json,ack", 0, 0, DB_READ, cmd_link_refused,
	  "link refused [--json] [--ack]",
	  "operations the server refused and why; --ack clears the count" },
	{ "sync", NULL, "timeout=", 0, 0, DB_READ, cmd_sync,
	  "sync [--timeout SECONDS]",
	  "push the queue, pull until caught up (exit 5: no server)" },
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
	{ "incident", "report", "channel=,text=,at=", 2, 2, DB_WRITE,
	  cmd_incident_report,
	  "incident report first|followup|final ID [--channel phone|written] "
	  "[--text T] [--at TIME]",
	  "record an upward report (首报/续报/终报)" },
	{ "import", NULL, "", 2, 2, DB_WRITE, cmd_import,
	  "import incidents FILE.csv", "load a ledger; all rows or none" },
	{ "response", "start", "signed-by=,note=", 2, 2, DB_WRITE,
	  cmd_response_decide, "response start HAZARD LEVEL [--signed-by NAME]",
	  "start a response (启动)" },
	{ "response", "raise", "signed-by=,note=", 2, 2, DB_WRITE,
	  cmd_response_decide, "response raise HAZARD LEVEL [--signed-by NAME]",
	  "raise the level (提升)" },
	{ "response", "lower", "signed-by=,note=", 2, 2, DB_WRITE,
	  cmd_response_decide, "response lower HAZARD LEVEL [--signed-by NAME]",
	  "lower the level (降低)" },
	{ "response", "end", "signed-by=,note=", 1, 1, DB_WRITE,
	  cmd_response_decide, "response end HAZARD [--signed-by NAME]",
	  "end the response (解除)" },
	{ "response", "confirm", "signed-by=,note=", 2, 2, DB_WRITE,
	  cmd_response_decide, "response confirm HAZARD LEVEL|none",
	  "settle conflicting decisions" },
	{ "response", "show", "json", 0, 1, DB_READ, cmd_response_show,
	  "response show [HAZARD] [--json]",
	  "levels in force; one hazard: history and checklist" },
	{ "response", "check", "undo", 2, 2, DB_WRITE, cmd_response_check,
	  "response check HAZARD ITEM [--undo]", "tick a checklist item" },
	{ "team", "list", "town=,kind=,status=,json", 0, 0, DB_READ,
	  cmd_team_list, "team list [--town T] [--kind K] [--status S] [--json]",
	  "the status board of all teams" },
	{ "team", "status", "", 2, 2, DB_WRITE, cmd_team_status,
	  "team status TEAM en_route|on_scene|returning|available|out_of_service",
	  "move a team on" },
	{ "dispatch", "list", "incident=,json", 0, 0, DB_READ, cmd_dispatch_list,
	  "dispatch list [--incident ID] [--json]", "dispatches and turnout" },
	{ "dispatch", NULL, "", 2, 2, DB_WRITE, cmd_dispatch,
	  "dispatch TEAM INCIDENT", "send a team (调度): prints the dispatch id" },
	{ "supply", "list", "depot=,item=,json", 0, 0, DB_READ, cmd_supply_list,
	  "supply list [--depot D] [--item I] [--json]", "stock per kind and depot" },
	{ "supply", "receive", "depot=,note=", 2, 2, DB_WRITE, cmd_supply_move,
	  "supply receive ITEM QTY --depot D [--note T]", "stock coming in" },
	{ "supply", "issue", "depot=,note=", 2, 2, DB_WRITE, cmd_supply_move,
	  "supply issue ITEM QTY --depot D [--note T]", "stock going out" },
	{ "supply", "transfer", "from=,to=,note=", 2, 2, DB_WRITE,
	  cmd_supply_move, "supply transfer ITEM QTY --from D --to D",
	  "move stock between depots (调拨)" },
	{ "supply", "count", "depot=,note=", 2, 2, DB_WRITE, cmd_supply_move,
	  "supply count ITEM QTY --depot D", "stocktake: record what was counted" },
	{ "shelter", "list", "town=,open,json", 0, 0, DB_READ, cmd_shelter_list,
	  "shelter list [--town T] [--open] [--json]", "shelters and occupancy" },
	{ "shelter", "open", "", 1, 1, DB_WRITE, cmd_shelter_open,
	  "shelter open SHELTER", "open a shelter" },
	{ "shelter", "close", "", 1, 1, DB_WRITE, cmd_shelter_open,
	  "shelter close SHELTER", "close a shelter" },
	{ "shelter", "checkin", "", 2, 2, DB_WRITE, cmd_shelter_occupy,
	  "shelter checkin SHELTER N", "N people arrive" },
	{ "shelter", "checkout", "", 2, 2, DB_WRITE, cmd_shelter_occupy,
	  "shelter checkout SHELTER N", "N people leave" },
	{ "warning", "issue", "hazard=,color=,text=,towns=", 0, 0, DB_WRITE,
	  cmd_warning_issue,
	  "warning issue --hazard H --color blue|yellow|orange|red --text T "
	  "[--towns A,B]", "warn towns (all by default); prints the warning id" },
	{ "warning", "answer", "who=", 2, 2, DB_WRITE, cmd_warning_answer,
	  "warning answer WARNING TOWN [--who NAME]", "a town answers (叫应)" },
	{ "warning", "list", "json", 0, 1, DB_READ, cmd_warning_list,
	  "warning list [WARNING] [--json]", "warnings; one: who answered, when" },
	{ "log", "add", "", 1, 1, DB_WRITE, cmd_log_add,
	  "log add TEXT", "a duty log entry" },
	{ "log", "zero", "", 0, 1, DB_WRITE, cmd_log_add,
	  "log zero [TEXT]", "the daily zero report (零报告)" },
	{ "log", "list", "json", 0, 0, DB_READ, cmd_log_list,
	  "log list [--json]", "the duty log" },
	{ "handover", "sheet", "gb18030", 0, 1, DB_READ, cmd_handover_sheet,
	  "handover sheet [ID] [--gb18030]",
	  "the handover as a plain-text sheet to print (the latest by default)" },
	{ "handover", NULL, "to=,note=", 0, 0, DB_WRITE, cmd_handover,
	  "handover --to NAME [--note T]",
	  "shift handover (交接班) signed by --officer and NAME" },
	{ "conflict", "list", "json", 0, 0, DB_READ, cmd_conflict_list,
	  "conflict list [--json]", "conflicts a person should see" },
	{ "conflict", "ack", "", 1, 1, DB_WRITE, cmd_conflict_ack,
	  "conflict ack ID", "mark a conflict as seen" },
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
	{ "export", NULL, "json", 0, 0, DB_READ, cmd_export,
	  "export [--json]", "the replicated state (--json), or its counts and digest" },
	{ "backup", NULL, "", 1, 1, DB_READ, cmd_backup,
	  "backup FILE", "online copy of the database" },
	{ "restore", NULL, "", 1, 1, DB_NONE, cmd_restore,
	  "--db NEW restore BACKUP", "a backup as a new database (new incarnation)" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};

static void
help(FILE *f, const char *noun)
{
	const struct cmd *c;

	if (!noun)
		fprintf(f, "usage: dutydesk [--db FILE] [--officer NAME] [--lang zh|en] "
			"[COMMAND ...]\n\nWithout a command: the station summary.\n\n"
			"Commands:\n");
	for (c = commands; c->noun; c++) {
		if (noun && strcmp(noun, c->noun) == 0)
			fprintf(f, "usage: dutydesk %s\n  %s\n", c->usage, c->help);
		else if (!noun)
			fprintf(f, "  %-58s %s\n", c->usage, c->help);
	}
	if (!noun)
		fprintf(f, "\nExit: 0 done, 1 refused, 2 usage, 3 database, 4 disk "
			"full, 5 no server.\nEnvironment: DUTYDESK_DB, DUTYDESK_OFFICER, "
			"DUTYDESK_ASSETS, DUTYDESK_TZ.\n");
}

static const char *
default_db(void)
{
	static char path[4096];
	const char *env = getenv("DUTYDESK_DB"), *home = getenv("HOME");
	const char *xdg = getenv("XDG_DATA_HOME");

	if (env && *env)
		return env;
	if (xdg && *xdg)
		snprintf(path, sizeof path, "%s/dutydesk/station.db", xdg);
	else
		snprintf(path, sizeof path, "%s/.local/share/dutydesk/station.db",
			 home ? home : ".");
	return path;
}

static int
has_help(int argc, char **argv)
{
	int i;

	for (i = 0; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

int
shell_run(int argc, char **argv, FILE *out, FILE *err)
{
	struct shell sh = { NULL, NULL, 0, NULL, out, err };
	const struct cmd *c = NULL, *k;
	const char *lang = NULL, *tz = getenv("DUTYDESK_TZ");
	struct args a;
	int i = 1, rc;

	const char *cs = nl_langinfo(CODESET);
	sh.utf8 = cs && strcmp(cs, "UTF-8") == 0;
	/* Global options come before the command (DESIGN: Interfaces). */
	for (; i < argc && (strncmp(argv[i], "--", 2) == 0 ||
			    strcmp(argv[i], "-h") == 0); i++) {
		const char *o = argv[i];
		if (strcmp(o, "--version") == 0) {
			fprintf(out, "dutydesk %s\n", DD_VERSION);
			return 0;
		}
		if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
			help(out, NULL);
			return 0;
		}
		if (i + 1 >= argc || (strcmp(o, "--db") && strcmp(o, "--officer") &&
				      strcmp(o, "--lang"))) {
			fprintf(err, "dutydesk: unknown or incomplete option '%s' "
				"(see dutydesk --help)\n", o);
			return EXIT_USAGE;
		}
		if (strcmp(o, "--db") == 0)
			sh.dbpath = argv[++i];
		else if (strcmp(o, "--officer") == 0)
			sh.officer = argv[++i];
		else
			lang = argv[++i];
	}
	if (lang && strcmp(lang, "zh") && strcmp(lang, "en")) {
		fprintf(err, "dutydesk: --lang is zh or en\n");
		return EXIT_USAGE;
	}
	console_utf8 = sh.utf8;
	if (lang) {
		/* gettext reads LANGUAGE before the locale's own language. */
		setenv("LANGUAGE", strcmp(lang, "zh") == 0 ? "zh_CN" : "en", 1);
		sh.utf8 = sh.utf8 && strcmp(lang, "zh") == 0;
	}
	if (!sh.dbpath)
		sh.dbpath = default_db();
	if (!sh.officer)
		sh.officer = getenv("DUTYDESK_OFFICER");
	if (!sh.officer || !*sh.officer)
		sh.officer = getenv("USER");
	if (!sh.officer || !*sh.officer)
		sh.officer = "duty";
	if (strlen(sh.officer) > 63) {
		fprintf(err, "dutydesk: officer name is too long\n");
		return EXIT_USAGE;
	}
	time_set_zone(tz);

	if (i >= argc && shell_on_terminal(&sh)) {
		/* On a terminal and with no command: the console. */
		if (access(sh.dbpath, F_OK) != 0) {
			fprintf(err, "dutydesk: no database at %s; make one with "
				"'dutydesk --db %s init --station CODE'\n", sh.dbpath,
				sh.dbpath);
			return EXIT_ENV;
		}
		return console_main(sh.dbpath, sh.officer);
	}
	if (i >= argc) {
		static const struct cmd status = { "status", NULL, "", 0, 0,
			DB_READ, cmd_status, "", "" };
		c = &status;
	} else {
		for (k = commands; k->noun; k++) {
			if (strcmp(k->noun, argv[i]) != 0)
				continue;
			if (k->verb && i + 1 < argc && strcmp(k->verb, argv[i + 1]) == 0) {
				c = k;
				break;
			}
			if (!k->verb && !c)
				c = k;
		}
		if (!c) {
			for (k = commands; k->noun; k++)
				if (strcmp(k->noun, argv[i]) == 0)
					break;
			if (k->noun && has_help(argc - i, argv + i)) {
				help(out, argv[i]);
				return 0;
			}
			if (k->noun)
				fprintf(err, "dutydesk: %s %s? (see dutydesk %s --help)\n",
					argv[i], i + 1 < argc ? argv[i + 1] : "what",
					argv[i]);
			else
				fprintf(err, "dutydesk: unknown command '%s' (see "
					"dutydesk --help)\n", argv[i]);
			return EXIT_USAGE;
		}
		i += c->verb ? 2 : 1;
		if (has_help(argc - i, argv + i)) {
			/* A noun that is also a command (dispatch, handover) shows
			 * all its forms. */
			if (!c->verb)
				help(out, c->noun);
			else
				fprintf(out, "usage: dutydesk %s\n  %s\n", c->usage, c->help);
			return 0;
		}
	}
	if ((rc = shell_args_parse(&sh, c, argc - i, argv + i, &a))) {
		shell_args_free(&a);
		return rc;
	}
	if (c->dbmode != DB_NONE) {
		struct station_info si;
		struct stat st;
		/* An empty file is no station yet: say so and leave it empty
		 * for init, rather than lay a schema into it. */
		if (stat(sh.dbpath, &st) == 0 && S_ISREG(st.st_mode) &&
		    st.st_size == 0) {
			fprintf(err, "dutydesk: %s is empty; make a station in it "
				"with 'dutydesk --db %s init --station CODE'\n",
				sh.dbpath, sh.dbpath);
			shell_args_free(&a);
			return EXIT_ENV;
		}
		if (access(sh.dbpath, F_OK) != 0) {
			fprintf(err, "dutydesk: no database at %s; make one with "
				"'dutydesk --db %s init --station CODE'\n", sh.dbpath,
				sh.dbpath);
			shell_args_free(&a);
			return EXIT_ENV;
		}
		rc = db_open(sh.dbpath, c->dbmode == DB_READ ? DB_RDONLY : 0, &sh.db);
		if (!rc)
			rc = station_identity(sh.db, &si);
		if (rc) {
			rc = shell_fail(&sh, rc);
			goto out;
		}
		db_set_officer(sh.db, sh.officer);
		/* A verb typed on a drill console's ':' line happens in drill
		 * time, like everything else in the drill. */
		if (console_clock())
			db_set_clock(sh.db, console_clock());
	}
	rc = c->fn(&sh, c, &a);
out:
	shell_args_free(&a);
	db_close(&sh.db);
	return rc;
}

int
shell_main(int argc, char **argv)
{
	return shell_run(argc, argv, stdout, stderr);
}
