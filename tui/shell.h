/*
 * shell.h - inside the shell (tui/shell.c, tui/shell_args.c and the
 * nouns' tui/cmd_*.c): what a verb runs with, the rows of the command
 * table each noun contributes, and the helpers every verb shares. The
 * door to the shell is shell_run() in tui/tui.h.
 */
#ifndef DUTYDESK_SHELL_H
#define DUTYDESK_SHELL_H

#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "core/core.h"

#define MAX_POS 8
#define MAX_OPTS 32

/* A verb's words after its noun and verb: positionals, then options
 * with their values (NULL for a flag). The option names are copies that
 * shell_args_free() frees. */
struct args {
	int npos, nopt;
	const char *pos[MAX_POS];
	struct { const char *name, *val; } opt[MAX_OPTS];
};

/* What a verb runs with: the station database (open as its row asks),
 * who signs, and the two streams it writes to. */
struct shell {
	const char *dbpath;
	const char *officer;
	int utf8;
	struct db *db;
	FILE *out, *err;    /* what a verb prints; its messages */
	char who[64];       /* the officer on duty, from the roster */
};

struct cmd;
typedef int cmd_fn(struct shell *sh, const struct cmd *c, struct args *a);

/* How the database is opened before a verb runs. */
enum { DB_NONE, DB_READ, DB_WRITE };

/* One row of the command table: the words that call a verb, what it
 * takes, and its line of help (help is made from the rows). */
struct cmd {
	const char *noun, *verb;
	const char *opts;   /* "name=" takes a value, "name" is a flag */
	int minpos, maxpos;
	int dbmode;
	cmd_fn *fn;
	const char *usage, *help;
};

/* Each noun's rows, ended by a row without a noun; help lists them in
 * the order tui/shell.c names the tables. */
extern const struct cmd cmd_station_rows[];   /* init, status, link, sync */
extern const struct cmd cmd_incident_rows[];  /* incident, import */
extern const struct cmd cmd_response_rows[];
extern const struct cmd cmd_team_rows[];      /* team, dispatch */
extern const struct cmd cmd_supply_rows[];    /* supply, shelter */
extern const struct cmd cmd_warning_rows[];
extern const struct cmd cmd_log_rows[];       /* log, handover, conflict */
extern const struct cmd cmd_drill_rows[];
extern const struct cmd cmd_store_rows[];     /* export, backup, restore */
extern const struct cmd cmd_people_rows[];    /* setting, contact, roster,
					       * call, check */
/* The county picture: */
extern const struct cmd cmd_stats_rows[];     /* stats */

extern const struct cmd cmd_request_rows[];   /* request */

extern const struct cmd cmd_risk_rows[];      /* risk */

extern const struct cmd cmd_board_rows[];     /* board */

extern const struct cmd cmd_report_rows[];    /* report daily */


/* ---- the words of a verb (shell_args.c) ---- */

/* Split argv into a's positionals and the options c declares; on a
 * word c does not take, says so with c's usage and returns EXIT_USAGE.
 * Call shell_args_free(a) after, whatever it returned. */
int shell_args_parse(struct shell *sh, const struct cmd *c, int argc,
		     char **argv, struct args *a);
void shell_args_free(struct args *a);
/* The value of option name ("" for a flag; the last given wins), or
 * NULL when it was not given. */
const char *opt(const struct args *a, const char *name);
/* The --encoding of an import: *cs CSV_AUTO, CSV_UTF8 or CSV_GB18030;
 * a usage error for anything else (cmd_people.c). */
int shell_encoding(struct shell *sh, const struct cmd *c, const struct args *a,
		   int *cs);
/* A whole number typed by a user: digits only, within lo..hi; 0 or -1. */
int shell_qty(const char *s, int64_t lo, int64_t hi, int64_t *v);

/* ---- what a verb says (shell_args.c) ---- */

/* A usage error: "dutydesk: " fmt (with what), then c's usage, on one
 * line; returns EXIT_USAGE. */
int shell_usage(struct shell *sh, const struct cmd *c, const char *fmt,
		const char *what);
/* A refusal of input the user typed, in its own words; EXIT_REFUSED. */
int shell_refuse(struct shell *sh, const char *fmt, const char *what);
/* core's message for rc (the database's detail when it has one) and
 * its exit code; 0 says nothing and returns 0. */
int shell_fail(struct shell *sh, int rc);
/* what names a record of r (a hazard, an incident, a checklist item of
 * hazard near, ...) as ref_find takes it: out gets its code and 0 is
 * returned, or the refusal is said (the candidates of an ambiguous name
 * listed) and its exit code returned. */
int shell_ref(struct shell *sh, enum ref r, const char *what, const char *near,
	       char out[64]);

/* ---- what a verb prints (shell_args.c) ---- */

/* The id a creating command made, alone on its line. */
void shell_print_id(struct shell *sh, const char *id);
/* How a creating verb ends: core's failure for rc, else the id it made
 * (shell_print_id) and 0. */
int shell_made(struct shell *sh, int rc, const char *id);
int shell_print_json(struct shell *sh, cJSON *j, int pretty);
/* s padded or cut to width display columns (CJK counts two). */
void shell_pad(struct shell *sh, const char *s, int width);
/* A field of a row as text ("" when absent; numbers whole, booleans
 * yes or no); the last four numbers stay valid. */
const char *shell_str(const cJSON *o, const char *k);
double shell_num(const cJSON *o, const char *k);
/* A name as the terminal can show it: Chinese in a UTF-8 locale,
 * pinyin otherwise. */
const char *shell_name(const struct shell *sh, const cJSON *o);
/* An ISO time field shown in the station's zone ("-" when absent); the
 * last four stay valid. */
const char *shell_time(const cJSON *o, const char *k);

/* ---- lists (shell_args.c) ---- */

typedef void shell_row_fn(struct shell *sh, const cJSON *o);
/* The list l under filter (taken and freed) as JSON with --json, else
 * header (if any) and a line from row for each record. */
/* A column of a list's header: its title (N_()) and width (0: the last). */
struct shell_col {
	const char *title;
	int width;
};
int shell_list(struct shell *sh, const struct args *a, enum list l,
	       cJSON *filter, shell_row_fn *row, const struct shell_col *header);
/* The header line of a list (nothing when header is NULL). */
void shell_header(struct shell *sh, const struct shell_col *header);
/* A code as a list shows it: its words in a Chinese locale that shows
 * Chinese, the code itself otherwise (what the shell takes back). */
const char *shell_word(const struct shell *sh, enum words w, const char *code);
/* A hazard's code the same way: its Chinese name, or the code. */
const char *shell_hazard(const struct shell *sh, const char *code);
/* A town's code the same way: its Chinese name, or the code. */
const char *shell_town(struct shell *sh, const char *code);
/* The option name (--town, --depot, --item) names a record of r by code
 * or name: put its code in the list filter f under the same name. 0
 * when the option is absent or found; else the message is said and the
 * exit code returned (f is the caller's to free). */
int shell_filter_ref(struct shell *sh, const struct args *a, cJSON *f,
		     const char *name, enum ref r);

/* ---- where the shell runs (shell.c) ---- */

/* Who signs what is done on db: given (--officer or DUTYDESK_OFFICER)
 * when it is, else the first officer of the shift on the roster
 * covering now (into buf), else the login name. */
const char *shell_officer(struct db *db, const char *given, char *buf,
			  size_t n);

/* Are stdin and the verb's output a terminal? A memory stream, a file
 * or a pipe is not (a ':' line in the console gives one). */
int shell_on_terminal(const struct shell *sh);

#endif
