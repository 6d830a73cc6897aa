/*
 * cmd_station.c - the station and its link: init, status, link, link
 * refused and sync; and the database as a whole: export, backup and
 * restore.
 */
#include "tui/shell.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "sync/sync.h"
#include "tui/tui.h"

/* --pin PIN or --insecure (which stores "insecure": no TLS, on purpose;
 * the server must run with --insecure too): *pin is what to store, or
 * NULL when neither was given. 0, or the usage error or refusal. */
static int
pin_opt(struct shell *sh, const struct cmd *c, struct args *a,
	const char **pin)
{
	char why[160];

	*pin = opt(a, "pin");
	if (*pin && opt(a, "insecure"))
		return shell_usage(sh, c, "%s", "--pin and --insecure do not go "
				   "together");
	if (opt(a, "insecure"))
		*pin = LINK_PIN_INSECURE;
	else if (*pin && link_check_pin(*pin, why, sizeof why))
		return shell_refuse(sh, "%s", why);
	return 0;
}

/* The town a town station serves, from init --town: the one its code
 * names, if any, or the setting station.town, by its name or code. */
static int
init_town(struct shell *sh, const char *station, const char *town)
{
	char code[64], have[32];
	int rc;

	if ((rc = ref_find(sh->db, REF_TOWN, town, code)) <= 0)
		return rc < 0 ? rc : DD_E_NOTFOUND;
	if ((rc = station_town(sh->db, have)) < 0)
		return rc;
	if (rc > 0 && strcmp(have, code) != 0)
		return db_fail(sh->db, DD_E_INVALID, "station %s is named "
			       "after the town %s: --town %s does not agree",
			       station, have, town);
	return rc > 0 ? 0 : setting_set(sh->db, "station.town", code);
}

static int
cmd_init(struct shell *sh, const struct cmd *c, struct args *a)
{
	const char *station = opt(a, "station"), *role = opt(a, "role");
	const char *seed = opt(a, "seed"), *realm = opt(a, "realm");
	const char *server = opt(a, "server"), *key = opt(a, "key");
	const char *town = opt(a, "town"), *pin;
	int r = role_parse(role ? role : "town"), rc;
	char why[160];
	struct stat st;

	if (!station)
		return shell_usage(sh, c, "%s", "init needs --station CODE");
	if (!r)
		return shell_refuse(sh, "role '%s' is not town or command", role);
	if (seed && strcmp(seed, "county") != 0 && strcmp(seed, "none") != 0)
		return shell_refuse(sh, "seed '%s' is not county or none", seed);
	if (town && r != ROLE_TOWN)
		return shell_refuse(sh, "%s", "--town is for a town station: "
				    "the command station serves the county");
	if (!server != !key)
		return shell_usage(sh, c, "%s", "--server and --key go together");
	if (server && link_check_settings(server, key, why, sizeof why))
		return shell_refuse(sh, "%s", why);
	if ((rc = pin_opt(sh, c, a, &pin)))
		return rc;
	if (pin && !server)
		return shell_usage(sh, c, "%s", "--pin and --insecure go with "
				   "--server");
	/* The live link settings never go into a drill's database. */
	if (server && realm && strcmp(realm, "live") != 0)
		return shell_refuse(sh, "a %s database never carries the live "
				    "link settings (--server is for realm live)",
				    realm);
	if (stat(sh->dbpath, &st) == 0 && st.st_size > 0)
		return shell_refuse(sh, "%s already exists; a station database "
				    "is made once", sh->dbpath);
	if ((rc = db_open(sh->dbpath, DB_CREATE, &sh->db)))
		return shell_fail(sh, rc);
	rc = station_init(sh->db, station, r, realm ? realm : "live",
			  !seed || strcmp(seed, "county") == 0);
	if (!rc && town)
		rc = init_town(sh, station, town);
	if (!rc && server)
		rc = replica_set_link(sh->db, server, key);
	if (!rc && pin)
		rc = replica_set_pin(sh->db, pin);
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

static int
cmd_link(struct shell *sh, const struct cmd *c, struct args *a)
{
	const char *server = opt(a, "server"), *key = opt(a, "key"), *pin;
	char old_server[256], old_key[128], why[160];
	struct station_info si;
	int rc;

	if ((rc = pin_opt(sh, c, a, &pin)))
		return rc;
	if (!server && !key && !pin)
		return shell_usage(sh, c, "%s", "link needs --server HOST:PORT, "
				   "--key KEY and/or --pin PIN");
	if (link_check_settings(server, key, why, sizeof why))
		return shell_refuse(sh, "%s", why);
	if ((rc = station_identity(sh->db, &si)))
		return shell_fail(sh, rc);
	if (strcmp(si.realm, "live") != 0)
		return shell_refuse(sh, "this is a %s database: a drill never "
				    "carries the live link settings", si.realm);
	if ((rc = replica_link(sh->db, old_server, sizeof old_server, old_key,
			       sizeof old_key)) < 0)
		return shell_fail(sh, rc);
	if (rc == 0 && (!server || !key))
		return shell_usage(sh, c, "%s", "the first link needs both "
				   "--server and --key");
	if ((server || key) &&
	    (rc = replica_set_link(sh->db, server ? server : old_server,
				   key ? key : old_key)))
		return shell_fail(sh, rc);
	if (pin && (rc = replica_set_pin(sh->db, pin)))
		return shell_fail(sh, rc);
	fprintf(sh->err, "dutydesk: station %s now syncs with %s%s%s\n",
		si.station, server ? server : old_server, pin ? ", pin " : "",
		pin ? pin : "");
	return 0;
}

static int
cmd_sync(struct shell *sh, const struct cmd *c, struct args *a)
{
	const char *t = opt(a, "timeout");
	char server[256], key[128], msg[400];
	int64_t secs = 30;
	int rc;

	if (t && shell_qty(t, 1, 3600, &secs))
		return shell_usage(sh, c, "--timeout '%s' is not 1..3600 "
				   "seconds", t);
	if ((rc = replica_link(sh->db, server, sizeof server, key, sizeof key)) < 0)
		return shell_fail(sh, rc);
	if (rc == 0)
		return shell_refuse(sh, "%s", "no server is set for this "
				    "station (dutydesk link --server HOST:PORT "
				    "--key KEY)");
	/* The link opens its own connection; this one is not needed. */
	db_close(&sh->db);
	rc = link_sync_once(sh->dbpath, (int)secs * 1000, msg, sizeof msg);
	fprintf(sh->err, "dutydesk: %s%s\n", rc == 0 ? "sync: " : "", msg);
	/* An unreachable or failing server is DD_E_SERVER: exit 5. */
	return rc == 0 ? 0 : dd_exitcode(rc);
}

/* A field of a refusal, "?" when the server did not say. */
static const char *
said(const cJSON *o, const char *k)
{
	const char *s = shell_str(o, k);
	return *s ? s : "?";
}

/* A refusal's row; the record column is width wide, so an id is never
 * cut (a restored station's ids have seven digits). */
static void
row_refusal(struct shell *sh, const cJSON *o, int width)
{
	shell_pad(sh, shell_str(o, "seq"), 6);
	shell_pad(sh, shell_time(o, "at"), 17);
	shell_pad(sh, said(o, "kind"), 19);
	shell_pad(sh, said(o, "entity"), width);
	shell_pad(sh, said(o, "code"), 9);
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
			return shell_usage(sh, c, "%s", "--ack and --json do "
					   "not go together");
		/* Opened to read, like the list: acknowledging writes. */
		db_close(&sh->db);
		if ((rc = db_open(sh->dbpath, 0, &sh->db)))
			return shell_fail(sh, rc);
		db_set_officer(sh->db, shell_officer(sh->db, sh->officer,
						     sh->who, sizeof sh->who));
		if ((rc = replica_refusals_ack(sh->db, 0, &n)))
			return shell_fail(sh, rc);
		fprintf(sh->err, "dutydesk: %lld refusal(s) acknowledged by %s; "
			"the list is kept\n", (long long)n, db_officer(sh->db));
		return 0;
	}
	if ((rc = replica_refusals(sh->db, &list, NULL)))
		return shell_fail(sh, rc);
	if (opt(a, "json")) {
		rc = shell_print_json(sh, list, 0);
	} else if (cJSON_GetArraySize(list) > 0) {
		int width = 14, w;
		cJSON_ArrayForEach(o, list)
			if ((w = text_width(said(o, "entity")) + 1) > width)
				width = w;
		fprintf(sh->out, "SEQ   MADE             KIND               "
			"%-*sCODE     MESSAGE\n", width, "RECORD");
		cJSON_ArrayForEach(o, list)
			row_refusal(sh, o, width);
	}
	cJSON_Delete(list);
	return shell_fail(sh, rc);
}

static int
cmd_status(struct shell *sh, const struct cmd *c, struct args *a)
{
	struct station_info si;
	cJSON *resp = NULL, *inc = NULL, *acked = NULL, *shift = NULL, *r;
	struct duty_counts dc;
	cJSON *filter;
	char server[256], key[128], held_kind[32] = "", pin[LINK_PIN_MAX] = "";
	char pin_next[LINK_PIN_MAX] = "";
	int64_t last_sync = 0, refused = 0, held = 0;
	int rc, linked;

	(void)c;
	if ((rc = station_info(sh->db, &si)))
		return shell_fail(sh, rc);
	if ((linked = replica_link(sh->db, server, sizeof server, key,
				   sizeof key)) < 0)
		return shell_fail(sh, linked);
	if (linked && ((rc = replica_pin(sh->db, pin, sizeof pin)) < 0 ||
		       (rc = replica_pin_next(sh->db, pin_next,
					      sizeof pin_next)) < 0))
		return shell_fail(sh, rc);
	link_note_read(sh->dbpath, &last_sync);
	/* The refusals no officer has acknowledged, from the database. */
	if ((rc = replica_refusals_unseen(sh->db, &refused)))
		return shell_fail(sh, rc);
	/* What waits for the county server's upgrade, as its last welcome
	 * listed the kinds it knows. */
	if (linked && (rc = link_held_read(sh->db, sh->dbpath, &held,
					   held_kind)))
		return shell_fail(sh, rc);
	filter = cJSON_CreateObject();
	cJSON_AddNumberToObject(filter, "open", 1);
	if ((rc = state_list(sh->db, LIST_RESPONSES, NULL, &resp)) ||
	    (rc = state_list(sh->db, LIST_INCIDENTS, filter, &inc)) ||
	    (opt(a, "json") && (rc = replica_acked(sh->db, &acked)))) {
		cJSON_Delete(filter);
		cJSON_Delete(resp);
		cJSON_Delete(inc);
		return shell_fail(sh, rc);
	}
	cJSON_Delete(filter);
	if ((rc = duty_counts(sh->db, db_now(sh->db), &dc))) {
		cJSON_Delete(resp);
		cJSON_Delete(inc);
		cJSON_Delete(acked);
		return shell_fail(sh, rc);
	}
	/* The shift on the roster covering now. */
	if ((rc = roster_at(sh->db, NULL, db_now(sh->db), 0, &shift)) < 0) {
		cJSON_Delete(resp);
		cJSON_Delete(inc);
		cJSON_Delete(acked);
		return shell_fail(sh, rc);
	}
	if (opt(a, "json")) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "station", si.station);
		cJSON_AddStringToObject(o, "role", role_name(si.role));
		cJSON_AddStringToObject(o, "realm", si.realm);
		cJSON_AddStringToObject(o, "incarnation", si.incarnation);
		cJSON_AddNumberToObject(o, "operations", (double)si.ops);
		cJSON_AddNumberToObject(o, "queued", (double)si.queued);
		cJSON_AddItemToObject(o, "acked", acked);
		acked = NULL;
		cJSON_AddStringToObject(o, "officer", db_officer(sh->db));
		if (shift)
			cJSON_AddItemToObject(o, "on_duty", shift);
		else
			cJSON_AddNullToObject(o, "on_duty");
		shift = NULL;
		if (linked) {
			char iso[21];
			cJSON *h;
			cJSON_AddStringToObject(o, "server", server);
			if (pin[0])
				cJSON_AddStringToObject(o, "pin", pin);
			else
				cJSON_AddNullToObject(o, "pin");
			/* The server announced a change of key. */
			if (pin_next[0])
				cJSON_AddStringToObject(o, "pin_next", pin_next);
			else
				cJSON_AddNullToObject(o, "pin_next");
			cJSON_AddNumberToObject(o, "refused", (double)refused);
			h = cJSON_AddObjectToObject(o, "held_for_upgrade");
			cJSON_AddNumberToObject(h, "count", (double)held);
			if (held_kind[0])
				cJSON_AddStringToObject(h, "first_kind", held_kind);
			else
				cJSON_AddNullToObject(h, "first_kind");
			if (last_sync) {
				time_format_iso(last_sync, iso);
				cJSON_AddStringToObject(o, "last_sync", iso);
			} else {
				cJSON_AddNullToObject(o, "last_sync");
			}
		} else {
			cJSON_AddNullToObject(o, "server");
		}
		cJSON_AddNumberToObject(o, "open_incidents",
					cJSON_GetArraySize(inc));
		/* Incidents with a report overdue (each once), and those
		 * whose fixed-time follow-up is. */
		cJSON_AddNumberToObject(o, "late_incidents", (double)dc.late);
		cJSON_AddNumberToObject(o, "followup_late",
					(double)dc.followup_late);
		cJSON_AddItemToObject(o, "responses", resp);
		resp = NULL;
		shell_print_json(sh, o, 1);
		cJSON_Delete(o);
	} else {
		fprintf(sh->out, "station   %s (%s), realm %s\n", si.station,
			role_name(si.role), si.realm);
		fprintf(sh->out, "officer   %s\n", db_officer(sh->db));
		if (shift)
			fprintf(sh->out, "on duty   leader %s, officers %s%s%s "
				"(shift %s of %s)\n", shell_str(shift,
				"leader_name"), shell_str(shift, "officer1_name"),
				*shell_str(shift, "officer2_name") ? ", " : "",
				shell_str(shift, "officer2_name"),
				shell_str(shift, "id"), shell_str(shift, "date"));
		else
			fprintf(sh->out, "on duty   no shift on the roster "
				"covers now\n");
		fprintf(sh->out, "database  %s, %lld operations, %lld queued%s\n",
			sh->dbpath, (long long)si.ops, (long long)si.queued,
			linked ? "" : " (offline)");
		if (linked) {
			char when[20] = "never";
			if (last_sync)
				time_format_local(last_sync, when);
			fprintf(sh->out, "link      %s, %lld queued, %lld "
				"refused, last sync %s\n", server,
				(long long)si.queued, (long long)refused, when);
			fprintf(sh->out, "pin       %s\n", !pin[0]
				? "none: the link stops (dutydesk link --pin PIN)"
				: strcmp(pin, LINK_PIN_INSECURE) == 0
				? "insecure (no TLS: the server runs with --insecure)"
				: pin);
			if (pin_next[0])
				fprintf(sh->out, "pin next  %s (the server's "
					"next key, announced; taken when it "
					"moves)\n", pin_next);
			if (held)
				fprintf(sh->out, "held      %lld operation(s) wait "
					"for the county server's upgrade (it does "
					"not know %s)\n", (long long)held,
					held_kind);
		} else {
			fprintf(sh->out, "link      none (an offline station; "
				"dutydesk link --server HOST:PORT --key KEY)\n");
		}
		fprintf(sh->out, "incidents %d open", cJSON_GetArraySize(inc));
		if (dc.late)
			fprintf(sh->out, ", LATE %lld (a follow-up overdue: %lld)",
				(long long)dc.late, (long long)dc.followup_late);
		fputc('\n', sh->out);
		fprintf(sh->out, "response ");
		int any = 0;
		cJSON_ArrayForEach(r, resp) {
			if (shell_num(r, "level") > 0) {
				fprintf(sh->out, " %s %s%s", shell_str(r, "hazard"),
					shell_str(r, "level_name"),
					cJSON_IsTrue(cJSON_GetObjectItem(r, "conflict"))
					? " (CONFLICT)" : "");
				any = 1;
			}
		}
		fprintf(sh->out, "%s\n", any ? "" : " none in force");
	}
	cJSON_Delete(shift);
	cJSON_Delete(resp);
	cJSON_Delete(inc);
	cJSON_Delete(acked);
	return 0;
}

static int
cmd_backup(struct shell *sh, const struct cmd *c, struct args *a)
{
	struct stat st;

	(void)c;
	if (stat(a->pos[0], &st) == 0)
		return shell_refuse(sh, "%s exists; choose a new file for the "
				    "backup", a->pos[0]);
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
		return shell_refuse(sh, "%s exists; restore into a new "
				    "database file (--db NEW)", sh->dbpath);
	rc = db_open(a->pos[0], DB_RDONLY, &from);
	if (!rc)
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
	fprintf(sh->err, "dutydesk: restored %s into %s with a new "
		"incarnation\n", a->pos[0], sh->dbpath);
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
			fprintf(sh->out, "%-14s %d\n", part->string,
				cJSON_GetArraySize(part));
		else if (cJSON_IsString(part))
			fprintf(sh->out, "%-14s %s\n", part->string,
				part->valuestring);
	}
	cJSON_Delete(x);
	return 0;
}

const struct cmd cmd_station_rows[] = {
	{ "init", NULL,
	  "station=,role=,seed=,realm=,server=,key=,pin=,insecure,town=",
	  0, 0, DB_NONE, cmd_init, "init --station CODE [--role town|command] "
	  "[--town T] [--seed county|none] [--server HOST:PORT --key KEY "
	  "--pin PIN]",
	  "make a new station database (seeded with the county by default)" },
	{ "status", NULL, "json", 0, 0, DB_READ, cmd_status,
	  "status [--json]", "station, queue, link and what is in force" },
	{ "link", NULL, "server=,key=,pin=,insecure", 0, 0, DB_WRITE, cmd_link,
	  "link --server HOST:PORT --key KEY --pin PIN",
	  "set or change the county server this station syncs with" },
	{ "link", "refused", "json,ack", 0, 0, DB_READ, cmd_link_refused,
	  "link refused [--json] [--ack]",
	  "operations the server refused and why; --ack clears the count" },
	{ "sync", NULL, "timeout=", 0, 0, DB_READ, cmd_sync,
	  "sync [--timeout SECONDS]",
	  "push the queue, pull until caught up (exit 5: no server)" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};

/* The database as a whole; help lists these last. */
const struct cmd cmd_store_rows[] = {
	{ "export", NULL, "json", 0, 0, DB_READ, cmd_export,
	  "export [--json]", "the replicated state (--json), or its counts and digest" },
	{ "backup", NULL, "", 1, 1, DB_READ, cmd_backup,
	  "backup FILE", "online copy of the database" },
	{ "restore", NULL, "", 1, 1, DB_NONE, cmd_restore,
	  "--db NEW restore BACKUP", "a backup as a new database (new incarnation)" },
	{ NULL, NULL, NULL, 0, 0, 0, NULL, NULL, NULL }
};
