/*
 * drill.c - running a drill from a scenario file: its own database made
 * beside the live one (the live one is only read), county-wide over the
 * link when asked, a town's database joining such a drill, and the
 * after-action report as JSON and as plain text for any printer; and
 * the console on a drill database: the drill's clock (its speed, pause
 * and resume), the injects as their time comes, the report at the end.
 */
#include "tui/tui.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "sync/sync.h"
#include "tui/console.h"

static char *
read_file(const char *path, char *why, size_t wn)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f) {
		snprintf(why, wn, "cannot read %s", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && n < (4L << 20) &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		if (fread(buf, 1, (size_t)n, f) == (size_t)n) {
			buf[n] = 0;
		} else {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	if (!buf)
		snprintf(why, wn, "cannot read %s", path);
	return buf;
}

/* The station of the live database, and its link settings (server
 * empty when it has none; pin, of PIN_MAX bytes, empty when it has
 * none). The live database is opened read-only and
 * left byte for byte as it was (unless an older dutydesk wrote it: then
 * it is upgraded once, as every open does). */
/* Room for a pin, "sha256:" and 64 hex digits, or "insecure". */
#define PIN_MAX 80

static int
live_station(const char *live, struct station_info *si, char *server,
	     size_t sn, char *key, size_t kn, char *pin, char *why, size_t wn)
{
	struct db *db = NULL;
	int rc;

	if ((rc = db_open(live, DB_RDONLY, &db)) ||
	    (rc = station_identity(db, si)) ||
	    (rc = replica_link(db, server, sn, key, kn)) < 0) {
		snprintf(why, wn, "%s", db_why(db, rc));
		db_close(&db);
		return rc;
	}
	pin[0] = 0;
	if (rc == 0)
		server[0] = key[0] = 0;
	else if ((rc = replica_pin(db, pin, PIN_MAX)) < 0) {
		snprintf(why, wn, "%s", db_why(db, rc));
		db_close(&db);
		return rc;
	}
	db_close(&db);
	return 0;
}

/* Remove a database that was being made, with its companions. */
static void
remove_db(const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm", "-journal",
		".link", NULL };
	char p[4200];
	int i;

	for (i = 0; ext[i]; i++) {
		snprintf(p, sizeof p, "%s%s", path, ext[i]);
		remove(p);
	}
}

/* The people of the live database (its directory, the roster, the
 * county's settings) into the drill's database db, the live one opened
 * read-only: 叫应 by name is drilled with the names of the day. */
static int
copy_live(struct db *db, const char *live)
{
	struct db *ldb = NULL;
	int rc = db_open(live, DB_RDONLY, &ldb);

	if (rc)
		db_fail(db, rc, "%s: %s", live, db_why(ldb, rc));
	else
		rc = drill_copy_live(db, ldb);
	db_close(&ldb);
	return rc;
}

int
drill_prepare(const char *live, const char *file, int speed, int county,
	      char *out, size_t n, char *why, size_t wn)
{
	struct station_info si;
	struct db *db = NULL;
	cJSON *scenario = NULL;
	char *text, *copy, stamp[32], realm[40], server[256], key[128];
	char pin[PIN_MAX] = "";
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (!(text = read_file(file, why, wn)))
		return DD_E_INVALID;
	rc = drill_parse(text, &scenario, why, wn);
	free(text);
	if (rc) {
		/* Name the file with the line and field already said. */
		char tmp[400];
		snprintf(tmp, sizeof tmp, "%s: %s", file, why);
		snprintf(why, wn, "%s", tmp);
		return rc;
	}
	/* The station's code and role come from the live database, and for
	 * a county-wide drill its server and key; once the drill's database
	 * is made, its people (copy_live). */
	if ((rc = live_station(live, &si, server, sizeof server, key, sizeof key,
			 pin, why, wn))) {
		cJSON_Delete(scenario);
		return rc;
	}
	/* The command station runs a county-wide drill, over the link it
	 * has: the towns join it (drill join REALM). */
	if (county && (si.role != ROLE_COMMAND || !server[0])) {
		snprintf(why, wn, "%s", si.role != ROLE_COMMAND
			 ? "a county-wide drill is run by the command station; a "
			   "town joins one with 'dutydesk drill join REALM'"
			 : "a county-wide drill runs over the link, and this "
			   "station has no server (dutydesk link --server "
			   "HOST:PORT --key KEY)");
		cJSON_Delete(scenario);
		return DD_E_REFUSED;
	}
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
	snprintf(realm, sizeof realm, "drill-%s", stamp);
	copy = strdup(live);
	snprintf(out, n, "%s/drill-%.40s-%s.db", copy ? dirname(copy) : ".",
		 cJSON_GetObjectItem(scenario, "id")->valuestring, stamp);
	free(copy);
	/* A county-wide drill's database carries the station's server and
	 * key, and its link runs in the drill's realm (the hello names the
	 * database's realm, and the server holds each realm apart): the live
	 * realm never sees any of it. */
	if ((rc = db_open(out, DB_CREATE, &db)) ||
	    (rc = station_init(db, si.station, si.role, realm, 1)) ||
	    (rc = drill_setup(db, scenario, (int64_t)now, speed)) ||
	    (county && ((rc = replica_set_link(db, server, key)) ||
			(pin[0] && (rc = replica_set_pin(db, pin))) ||
			(rc = drill_announce(db)))) ||
	    (rc = copy_live(db, live))) {
		snprintf(why, wn, "%s: %s", out, db_why(db, rc));
		db_close(&db);
		remove_db(out);
	} else {
		db_close(&db);
	}
	cJSON_Delete(scenario);
	return rc;
}

int
drill_join_prepare(const char *live, const char *realm, int timeout_ms,
		   char *out, size_t n, char *why, size_t wn)
{
	struct station_info si, have;
	struct db *db = NULL;
	char server[256], key[128], msg[300], *copy, pin[PIN_MAX] = "";
	cJSON *sc = NULL;
	int64_t started;
	int rc, speed, mode = 0;

	if (strcmp(realm, "live") == 0 || !realm_is_drill(realm)) {
		snprintf(why, wn, "'%.40s' is not a drill's realm: drill join takes "
			 "the realm of a running drill (drill-..., as its command "
			 "station gives it)", realm);
		return DD_E_INVALID;
	}
	if ((rc = live_station(live, &si, server, sizeof server, key, sizeof key,
			 pin, why, wn)))
		return rc;
	if (!server[0]) {
		snprintf(why, wn, "a county-wide drill runs over the link, and this "
			 "station has no server (dutydesk link --server HOST:PORT "
			 "--key KEY)");
		return DD_E_REFUSED;
	}
	copy = strdup(live);
	snprintf(out, n, "%s/%s-%s.db", copy ? dirname(copy) : ".", realm,
		 si.station);
	free(copy);
	/* Joined before (the console was closed): the same database again,
	 * its link catching up as the console opens. */
	if (access(out, F_OK) == 0) {
		if ((rc = db_open(out, 0, &db)) == 0 &&
		    (rc = station_identity(db, &have)) == 0 &&
		    (mode = drill_county(db)) < 0)
			rc = mode;
		if (rc == 0 && (strcmp(have.realm, realm) != 0 ||
				mode != DRILL_COUNTY_JOINED ||
				strcmp(have.station, si.station) != 0))
			rc = DD_E_REFUSED;
		if (rc)
			snprintf(why, wn, "%s exists and is not this station's "
				 "database of drill %s", out, realm);
		db_close(&db);
		return rc;
	}
	/* The town's own drill database: its county reference data, its
	 * server and key, in the drill's realm; the people come from the
	 * command station, and its own records are numbered on from the
	 * live ones (copy_live). */
	if ((rc = db_open(out, DB_CREATE, &db)) ||
	    (rc = station_init(db, si.station, si.role, realm, 1)) ||
	    (rc = replica_set_link(db, server, key)) ||
	    (pin[0] && (rc = replica_set_pin(db, pin))) ||
	    (rc = drill_join(db)) || (rc = copy_live(db, live))) {
		snprintf(why, wn, "%s: %s", out, db_why(db, rc));
		goto fail;
	}
	db_close(&db);
	/* What the realm holds, the drill's setup first of all: its clock
	 * and speed are the command station's. */
	if ((rc = link_sync_once(out, timeout_ms, msg, sizeof msg))) {
		snprintf(why, wn, "%s", msg);
		goto fail;
	}
	if ((rc = db_open(out, 0, &db)) ||
	    (rc = drill_scenario(db, &sc, &started, &speed)) < 0) {
		snprintf(why, wn, "%s: %s", out, db_why(db, rc));
		goto fail;
	}
	cJSON_Delete(sc);
	if (rc == 0) {
		snprintf(why, wn, "no drill runs in realm %s on %s: nothing has "
			 "come from its command station", realm, server);
		rc = DD_E_NOTFOUND;
		goto fail;
	}
	db_close(&db);
	return 0;
fail:
	db_close(&db);
	remove_db(out);
	return rc;
}

static const char *
s_(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

int
drill_charset(const char *name)
{
	if (strcasecmp(name, "gb18030") == 0)
		return 1;
	if (strcasecmp(name, "utf-8") == 0 || strcasecmp(name, "utf8") == 0)
		return 0;
	return -1;
}

/* An action's status in the report's language, padded to width display
 * columns (a Chinese word is two columns a character). */
static void
status_cell(const char *status, int width, FILE *f)
{
	const char *w = strcmp(status, "on_time") == 0 ? _("on time")
		: strcmp(status, "late") == 0 ? _("late")
		: strcmp(status, "missed") == 0 ? _("missed")
		: strcmp(status, "pending") == 0 ? _("pending") : status;
	int n = text_width(w);

	fputs(w, f);
	while (n++ < width)
		fputc(' ', f);
}

/* An ISO UTC time of the report in the station's time zone, as the
 * console shows it ("-" for none). */
static const char *
local_of(const char *iso, char out[20])
{
	int64_t t;

	if (time_parse_iso(iso, &t) != 0)
		return "-";
	time_format_local(t, out);
	return out;
}

/* The zone's offset from UTC at t, "UTC+08:00", for the reader of a
 * printout made elsewhere. */
static void
zone_of(const char *iso, char out[16])
{
	char z[8] = "";
	int64_t t = 0;
	time_t tt;
	struct tm tm;

	time_parse_iso(iso, &t);
	tt = (time_t)t;
	if (!localtime_r(&tt, &tm) || strftime(z, sizeof z, "%z", &tm) != 5)
		snprintf(out, 16, "UTC");
	else
		snprintf(out, 16, "UTC%.3s:%.2s", z, z + 3);
}

/* The after-action report as plain text, its times local (the JSON
 * keeps them in ISO UTC). */
static void
drill_report_text(const cJSON *r, FILE *f)
{
	const cJSON *a;
	char t1[20], t2[20], zone[16];

	zone_of(s_(r, "started"), zone);
	fprintf(f, "DRILL  %s  (%s)\n", s_(r, "title"), s_(r, "scenario"));
	fprintf(f, "==============================================================\n");
	fprintf(f, "%s %s (%s)   %s x%.0f   %s %s\n\n", _("started"),
		local_of(s_(r, "started"), t1), zone, _("speed"),
		cJSON_GetObjectItem(r, "speed")->valuedouble, _("realm"),
		s_(r, "realm"));
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(r, "actions")) {
		const cJSON *late = cJSON_GetObjectItem(a, "late_min");
		fputs("  ", f);
		status_cell(s_(a, "status"), 8, f);
		fprintf(f, " %-16s ", s_(a, "id"));
		/* A town's answer to a warning, worded for the reader. */
		if (strcmp(s_(a, "kind"), "answer") == 0)
			fprintf(f, _("%s answers warning %s"), s_(a, "town_name"),
				s_(a, "warning"));
		else
			fputs(s_(a, "title"), f);
		fputc('\n', f);
		fprintf(f, "           %s %s, %s %s", _("due"),
			local_of(s_(a, "due"), t1), _("done"),
			local_of(s_(a, "done_at"), t2));
		if (*s_(a, "by"))
			fprintf(f, " %s %s", _("by"), s_(a, "by"));
		if (cJSON_IsNumber(late))
			fprintf(f, " (%s %.0f min)", _("late by"), late->valuedouble);
		fputc('\n', f);
	}
	{
		const cJSON *fig = cJSON_GetObjectItem(r, "figures");
		const cJSON *avg = cJSON_GetObjectItem(fig, "first_report_avg_min");
		fprintf(f, "\n%s %.0f%% (%.0f / %.0f)\n", _("warnings answered (叫应率)"),
			cJSON_GetObjectItem(fig, "answer_rate_pct")->valuedouble,
			cJSON_GetObjectItem(fig, "towns_answered")->valuedouble,
			cJSON_GetObjectItem(fig, "towns_warned")->valuedouble);
		fprintf(f, "%s %.0f / %.0f\n", _("turnouts on time"),
			cJSON_GetObjectItem(fig, "turnouts_on_time")->valuedouble,
			cJSON_GetObjectItem(fig, "turnouts")->valuedouble);
		if (cJSON_IsNumber(avg))
			fprintf(f, "%s %.0f min\n", _("time to the first phone report"),
				avg->valuedouble);
	}
	fprintf(f, "\n%s %.0f / 100: %.0f %s, %.0f %s, %.0f %s\n", _("score"),
		cJSON_GetObjectItem(r, "score")->valuedouble,
		cJSON_GetObjectItem(r, "on_time")->valuedouble, _("on time"),
		cJSON_GetObjectItem(r, "late")->valuedouble, _("late"),
		cJSON_GetObjectItem(r, "missed")->valuedouble, _("missed"));
}

int
drill_report_print(const cJSON *r, int gb18030, FILE *f)
{
	char *text = NULL;
	size_t n = 0;
	FILE *mem;
	int rc;

	if (!gb18030) {
		drill_report_text(r, f);
		return 0;
	}
	/* Written in UTF-8 first, then converted as the handover sheet is. */
	if (!(mem = open_memstream(&text, &n)))
		return DD_E_NOMEM;
	drill_report_text(r, mem);
	if (fclose(mem) != 0) {
		free(text);
		return DD_E_NOMEM;
	}
	rc = sheet_gb18030(text, n, f);
	free(text);
	return rc;
}

void
drill_report_path(const char *dbpath, const char *report, char *out,
		  size_t n)
{
	if (report && *report)
		snprintf(out, n, "%s", report);
	else
		snprintf(out, n, "%s.report", dbpath);
}

/* Both files of the report, PATH.json and PATH.txt; the text in GB18030
 * when gb18030 is set (the JSON is UTF-8 always, as JSON must be). */
static int
drill_write_report(const cJSON *r, const char *path, int gb18030, char *why,
		   size_t wn)
{
	char p[4200], *json = cJSON_Print(r);
	FILE *f;
	int bad = 0;

	if (!json)
		return DD_E_NOMEM;
	snprintf(p, sizeof p, "%s.json", path);
	if ((f = fopen(p, "w"))) {
		fputs(json, f);
		fputc('\n', f);
		bad |= fclose(f) != 0;
	} else {
		bad = 1;
	}
	free(json);
	snprintf(p, sizeof p, "%s.txt", path);
	if ((f = fopen(p, "w"))) {
		bad |= drill_report_print(r, gb18030, f) != 0;
		bad |= fclose(f) != 0;
	} else {
		bad = 1;
	}
	if (bad) {
		snprintf(why, wn, "cannot write %s", p);
		return DD_E_IO;
	}
	return 0;
}

/* ---- the console on a drill database ---- */

static int64_t
real_ms(void)
{
	return clock_real.now_ms(clock_real.ctx);
}

/* Drill time: from the start, speed times the wall clock, less pauses. */
static int64_t
drill_now_ms(void *ctx)
{
	struct console_state *c = ctx;
	int64_t real = c->drill_paused ? c->drill_paused_at : real_ms();

	return c->drill_start_ms + (real - c->drill_real0_ms - c->drill_pause_ms) *
	       c->drill_speed;
}

/* A drill database runs on the drill's clock, from the start its setup
 * gives; nothing happens on any other database. */
void
drill_clock_start(struct console_state *c, const struct console_args *args)
{
	cJSON *sc = NULL, *r = NULL;
	int64_t started = 0;
	int speed = 1;

	if (drill_scenario(c->db, &sc, &started, &speed) != 1) {
		cJSON_Delete(sc);
		return;
	}
	c->drill = 1;
	c->drill_speed = speed > 0 ? speed : 1;
	c->drill_start_ms = started * 1000;
	c->drill_real0_ms = started * 1000;
	c->drill_clock.now_ms = drill_now_ms;
	c->drill_clock.ctx = c;
	db_set_clock(c->db, &c->drill_clock);
	drill_report_path(args->dbpath, args->drill_report, c->drill_report,
			  sizeof c->drill_report);
	c->report_gb18030 = args->report_gb18030;
	if (drill_score(c->db, console_now(), &r) == 0)
		time_parse_iso(cJSON_GetObjectItem(r, "ends")->valuestring,
			       &c->drill_ends);
	cJSON_Delete(r);
	/* A county-wide drill: the towns need its realm to join. */
	c->drill_county = drill_county(c->db);
	if (c->drill_county == DRILL_COUNTY_RUN)
		console_msg(0, _("county-wide drill: towns join with "
				 "'dutydesk drill join %s'"), c->si.realm);
	else if (c->drill_county == DRILL_COUNTY_JOINED)
		console_msg(0, _("joined the county-wide drill %s"), c->si.realm);
	else
		c->drill_county = 0;
	cJSON_Delete(sc);
}

void
drill_clock_turn(struct console_state *c)
{
	int64_t now = console_now();
	cJSON *r = NULL;
	char why[4300];
	int fired = 0;

	if (!c->drill || c->drill_over || c->drill_paused)
		return;
	if (drill_tick(c->db, now, &fired) == 0 && fired) {
		console_changed();
		console_alert(_("drill: news has come in"));
	}
	if (now < c->drill_ends || drill_score(c->db, now, &r))
		return;
	c->drill_over = 1;
	if (drill_write_report(r, c->drill_report, c->report_gb18030, why,
			       sizeof why))
		console_msg(1, "%s", why);
	else
		console_msg(0, _("DRILL OVER: score %.0f; report in %s.txt"),
			    cJSON_GetObjectItem(r, "score")->valuedouble,
			    c->drill_report);
	cJSON_Delete(r);
	if (c->bell)
		beep();
}

int
drill_clock_command(struct console_state *c, const char *verb, char *msg,
		    size_t n)
{
	if (c->drill_county && strcmp(verb, "pause") == 0) {
		snprintf(msg, n, "%s", _("a county-wide drill runs on one clock "
					 "at every station: it cannot pause "
					 "here"));
		return 1;
	}
	if (strcmp(verb, "pause") == 0 && !c->drill_paused) {
		c->drill_paused_at = real_ms();
		c->drill_paused = 1;
		snprintf(msg, n, "%s", _("drill paused"));
		return 0;
	}
	if (strcmp(verb, "resume") == 0 && c->drill_paused) {
		c->drill_pause_ms += real_ms() - c->drill_paused_at;
		c->drill_paused = 0;
		snprintf(msg, n, "%s", _("drill resumed"));
		return 0;
	}
	return -1;
}
