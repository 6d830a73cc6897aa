/*
 * shell.c - the subcommands: every action of the console from a shell,
 * for scripts, tests and administrators. This file reads the global
 * options, finds the verb in the nouns' tables (tui/cmd_*.c), opens the
 * database the way its row asks and runs it; help is made from the rows.
 * A command that creates a record prints its id alone on its output
 * stream (stdout from a shell); messages go to its error stream. Exit
 * codes are core's: 0 done, 1 refused, 2 usage, 3 and up the environment.
 */
#include "tui/shell.h"

#include <langinfo.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core.h"
#include "tui/console.h"
#include "tui/tui.h"

/* fileno() of a memory stream is -1: never a terminal. */
int
shell_on_terminal(const struct shell *sh)
{
	int fd = fileno(sh->out);
	return isatty(0) && fd >= 0 && isatty(fd);
}

/* Each noun's rows, in the order help lists them. */
static const struct cmd *const tables[] = {
	cmd_station_rows, cmd_incident_rows, cmd_response_rows, cmd_team_rows,
	cmd_supply_rows, cmd_warning_rows, cmd_log_rows, cmd_people_rows,
	cmd_board_rows, cmd_stats_rows, cmd_request_rows, cmd_risk_rows,
	cmd_report_rows, cmd_drill_rows, cmd_store_rows, NULL
};

/* The row of noun and verb, else the noun's row without a verb (a noun
 * that is a command itself: dispatch, handover); NULL when neither.
 * *known says whether any row has the noun. */
static const struct cmd *
find_row(const char *noun, const char *verb, int *known)
{
	const struct cmd *c, *bare = NULL;
	int t;

	*known = 0;
	for (t = 0; tables[t]; t++) {
		for (c = tables[t]; c->noun; c++) {
			if (strcmp(c->noun, noun) != 0)
				continue;
			*known = 1;
			if (c->verb && verb && strcmp(c->verb, verb) == 0)
				return c;
			if (!c->verb && !bare)
				bare = c;
		}
	}
	return bare;
}

static void
help(FILE *f, const char *noun)
{
	const struct cmd *c;
	int t;

	if (!noun)
		fprintf(f, "usage: dutydesk [--db FILE] [--officer NAME] [--lang zh|en] "
			"[COMMAND ...]\n\nWithout a command: the station summary.\n\n"
			"Commands:\n");
	for (t = 0; tables[t]; t++) {
		for (c = tables[t]; c->noun; c++) {
			if (noun && strcmp(noun, c->noun) == 0)
				fprintf(f, "usage: dutydesk %s\n  %s\n", c->usage,
					c->help);
			else if (!noun)
				fprintf(f, "  %-58s %s\n", c->usage, c->help);
		}
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

/* The command the words from argv[*i] name, *i moved past them; NULL
 * when help was printed or the words name no command (*rc then has the
 * exit code). */
static const struct cmd *
find_command(struct shell *sh, int argc, char **argv, int *i, int *rc)
{
	const char *noun = argv[*i], *next = *i + 1 < argc ? argv[*i + 1] : NULL;
	const struct cmd *c;
	int known;

	*rc = 0;
	if (!(c = find_row(noun, next, &known))) {
		if (known && has_help(argc - *i, argv + *i)) {
			help(sh->out, noun);
			return NULL;
		}
		if (known)
			fprintf(sh->err, "dutydesk: %s %s? (see dutydesk %s --help)\n",
				noun, next ? next : "what", noun);
		else
			fprintf(sh->err, "dutydesk: unknown command '%s' (see "
				"dutydesk --help)\n", noun);
		*rc = EXIT_USAGE;
		return NULL;
	}
	*i += c->verb ? 2 : 1;
	if (has_help(argc - *i, argv + *i)) {
		/* A noun that is also a command (dispatch, handover) shows
		 * all its forms. */
		if (!c->verb)
			help(sh->out, c->noun);
		else
			fprintf(sh->out, "usage: dutydesk %s\n  %s\n", c->usage,
				c->help);
		return NULL;
	}
	return c;
}

/* No station at the database path: say how to make one. */
static int
no_station(struct shell *sh)
{
	fprintf(sh->err, "dutydesk: no database at %s; make one with "
		"'dutydesk --db %s init --station CODE'\n", sh->dbpath,
		sh->dbpath);
	return EXIT_ENV;
}

/* Open the station database for c (read-only when it only reads), as
 * the officer, on the drill's clock inside a drill console. */
static int
open_station(struct shell *sh, const struct cmd *c)
{
	struct station_info si;
	struct stat st;
	int rc;

	/* An empty file is no station yet: say so and leave it empty for
	 * init, rather than lay a schema into it. */
	if (stat(sh->dbpath, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size == 0) {
		fprintf(sh->err, "dutydesk: %s is empty; make a station in it "
			"with 'dutydesk --db %s init --station CODE'\n",
			sh->dbpath, sh->dbpath);
		return EXIT_ENV;
	}
	if (access(sh->dbpath, F_OK) != 0)
		return no_station(sh);
	rc = db_open(sh->dbpath, c->dbmode == DB_READ ? DB_RDONLY : 0, &sh->db);
	if (!rc)
		rc = station_identity(sh->db, &si);
	if (rc)
		return shell_fail(sh, rc);
	/* A verb typed on a drill console's ':' line happens in drill
	 * time, like everything else in the drill. */
	if (console_clock())
		db_set_clock(sh->db, console_clock());
	db_set_officer(sh->db, shell_officer(sh->db, sh->officer, sh->who,
					     sizeof sh->who));
	return 0;
}

/* Who is at the keyboard when no one said: the login name, from the
 * environment or else the password database; "-" when neither knows. */
static const char *
login_name(void)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if (!u || !*u)
		u = getenv("LOGNAME");
	if ((!u || !*u) && (pw = getpwuid(getuid())) && *pw->pw_name)
		u = pw->pw_name;
	return u && *u ? u : "-";
}

const char *
shell_officer(struct db *db, const char *given, char *buf, size_t n)
{
	cJSON *s = NULL;

	if (given && *given)
		return given;
	/* The first officer of the shift on the roster covering now. */
	if (roster_at(db, NULL, db_now(db), 0, &s) == 1 &&
	    cJSON_IsString(cJSON_GetObjectItem(s, "officer1_name")) &&
	    strlen(cJSON_GetObjectItem(s, "officer1_name")->valuestring) < 64) {
		snprintf(buf, n, "%s",
			 cJSON_GetObjectItem(s, "officer1_name")->valuestring);
		cJSON_Delete(s);
		return buf;
	}
	cJSON_Delete(s);
	return login_name();
}

int
shell_run(int argc, char **argv, FILE *out, FILE *err)
{
	struct shell sh = { NULL, NULL, 0, NULL, out, err, "" };
	const struct cmd *c;
	const char *lang = NULL, *tz = getenv("DUTYDESK_TZ");
	struct args a;
	int i = 1, rc, known;

	const char *cs = nl_langinfo(CODESET);
	sh.utf8 = cs && strcmp(cs, "UTF-8") == 0;
	/* Global options come before the command (see OPTIONS in
	 * assets/man/dutydesk.1). */
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
	if (lang) {
		/* gettext reads LANGUAGE before the locale's own language. */
		setenv("LANGUAGE", strcmp(lang, "zh") == 0 ? "zh_CN" : "en", 1);
		sh.utf8 = sh.utf8 && strcmp(lang, "zh") == 0;
	}
	if (!sh.dbpath)
		sh.dbpath = default_db();
	/* --officer, else DUTYDESK_OFFICER, else the roster's (once the
	 * database is open), else the login name: shell_officer(). */
	if (!sh.officer)
		sh.officer = getenv("DUTYDESK_OFFICER");
	if (sh.officer && !*sh.officer)
		sh.officer = NULL;
	if (sh.officer && strlen(sh.officer) > 63) {
		fprintf(err, "dutydesk: officer name is too long\n");
		return EXIT_USAGE;
	}
	time_set_zone(tz);

	if (i >= argc && shell_on_terminal(&sh)) {
		/* On a terminal and with no command: the console. */
		if (access(sh.dbpath, F_OK) != 0)
			return no_station(&sh);
		return console_main(&(struct console_args){ sh.dbpath,
						     sh.officer, NULL, 0, err });
	}
	/* Elsewhere, no command is the station summary. */
	if (i >= argc)
		c = find_row("status", NULL, &known);
	else if (!(c = find_command(&sh, argc, argv, &i, &rc)))
		return rc;
	if ((rc = shell_args_parse(&sh, c, argc - i, argv + i, &a)) == 0 &&
	    (c->dbmode == DB_NONE || (rc = open_station(&sh, c)) == 0))
		rc = c->fn(&sh, c, &a);
	shell_args_free(&a);
	db_close(&sh.db);
	return rc;
}

int
shell_main(int argc, char **argv)
{
	return shell_run(argc, argv, stdout, stderr);
}
