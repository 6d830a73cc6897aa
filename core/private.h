/*
 * private.h - what the files of core/ share and nobody else calls.
 */
#ifndef DUTYDESK_CORE_PRIVATE_H
#define DUTYDESK_CORE_PRIVATE_H

#include "core.h"

#include <sqlite3.h>

#define APP_ID 0x44757479 /* "Duty" */
#define STMT_CACHE 512

struct stmt_slot {
	unsigned hash;
	char *sql;
	sqlite3_stmt *st;
};

struct db {
	sqlite3 *h;
	int rdonly;
	int depth;            /* nesting of db_begin() */
	struct dd_clock clock;
	char officer[64];
	char realm[40];       /* cached: a database's realm never changes */
	char self[32];        /* cached: the station's code and incarnation */
	char self_inc[17];    /* ("" until read; cleared when they change) */
	char path[4096];
	char refusal[16];     /* code of the last refusal by replica_take */
	int prep_err;         /* why the last db_prep failed */
	int64_t last_op;      /* row (ops.n) of the operation last stored */
	int wal_frames;       /* after the last commit (db_wal_manual) */
	/* Maxima that operations taken in leave to their transaction's
	 * commit (op_settle): the greatest clock stamp (0: none) and the
	 * greatest record number of each station (nseen of them). */
	int64_t seen_hlc;
	struct { char station[32]; int64_t n; } seen[4];
	int nseen;
	/* The head (heads.seq) of the incarnation last stored, as stored in
	 * the transaction under way: a catch-up's next operation is of the
	 * same incarnation. Forgotten at its end, and when an operation
	 * fails (a savepoint may undo what it wrote). */
	struct { char station[32]; char inc[17]; int64_t seq; } head;
	int head_known;
	char err[512];
	struct stmt_slot cache[STMT_CACHE];
};

/* Statements are prepared once per handle and cached by their text. The
 * caller must db_reset() the statement after use (a statement left
 * un-reset keeps a read snapshot open). NULL on error (detail set). */
sqlite3_stmt *db_prep(struct db *db, const char *sql);
void db_reset(sqlite3_stmt *st);
/* The error of the db_prep that just returned NULL. */
int db_prep_err(const struct db *db);
/* Map a SQLite result code to ours, recording the detail. */
int db_rc(struct db *db, int sqlite_rc);

/* Run one statement with arguments bound by a format: 's' text (NULL
 * binds NULL), 'i' int64_t, 'd' int. Returns 0 or a negative code. */
int db_exec(struct db *db, const char *sql, const char *fmt, ...);
/* Like db_exec for a query of one integer: 1 found, 0 no row. */
int db_int(struct db *db, int64_t *out, const char *sql, const char *fmt, ...);
/* One text column into buf: 1 found, 0 no row. */
int db_text(struct db *db, char *buf, size_t n, const char *sql,
	    const char *fmt, ...);
/* Texts are bound without a copy: step and reset st before they go. */
int db_bindv(struct db *db, sqlite3_stmt *st, const char *fmt, va_list ap);
/* Rows of a query as a JSON array of flat objects, columns by name.
 * Columns whose name ends in "_at" are shown as ISO times. */
int db_rows(struct db *db, cJSON *arr, const char *sql, const char *fmt, ...);
int db_rows_v(struct db *db, cJSON *arr, const char *sql, const char *fmt,
	      va_list ap);

int meta_get_text(struct db *db, const char *key, char *buf, size_t n);
int meta_set_text(struct db *db, const char *key, const char *value);
int meta_get_int(struct db *db, const char *key, int64_t *v);
int meta_set_int(struct db *db, const char *key, int64_t v);

/* The body of the warning.people of a warning to towns (codes): each
 * town's leaders and duty officers in the directory now, leaders first.
 * *out NULL when the directory names nobody (warning.c). */
int warning_people_body(struct db *db, const cJSON *towns, cJSON **out);

/* A database seeded before schema 5 gets the contacts a new seed holds
 * (the shelters' managers, the teams' leaders), as the same operations
 * of the seed; inside the upgrade's transaction (ref.c). */
int seed_upgrade_people(struct db *db);

/* ---- operations (op.c) ---- */

/* Make, check and apply a local operation. Must be called inside
 * db_begin(); allocates sequence and clock stamp from what is stored.
 * The caller fills kind, entity and body; the rest is set here. */
int op_local(struct db *db, struct op *op);
/* op_apply, storing the operation as local (1: in the outbox, as a
 * county drill's own operations are in the database that runs it). */
int op_apply_as(struct db *db, const struct op *op, int local);
/* op_apply without the state: the operation is checked and stored in
 * the log (the server's intake; its state is the projection). */
int op_take(struct db *db, const struct op *op);
/* Write what the operations taken in since the last call left to the
 * commit: the greatest clock stamp into meta 'hlc', each station's
 * greatest record number into counters (each a maximum, so written once
 * per transaction with the same result as once per operation). db_end
 * calls it before COMMIT; whatever reads or sets those inside a
 * transaction calls it first. */
int op_settle(struct db *db);
/* Apply an operation held in the log to the state (a replay). */
int op_project(struct db *db, const struct op *op);
/* op_local() for an operation of kind on entity with body (not freed). */
int op_submit(struct db *db, const char *kind, const char *entity, cJSON *body);
/* An operation from a row of (station, incarnation, seq, hlc, realm,
 * officer, kind, entity, body); the caller clears it. */
int op_from_row(sqlite3_stmt *st, struct op *op);
/* Each row of st (prepared, bound) as an operation to fn, with the
 * server sequence in column sseq_col (-1: none, 0 given); stops at fn's
 * first non-zero answer, which it returns. st is reset. */
int op_rows(struct db *db, sqlite3_stmt *st, int sseq_col,
	    int (*fn)(const struct op *op, int64_t sseq, void *ctx), void *ctx);
/* A fresh record id "<station>-<n>" allocated inside the transaction. */
int id_next(struct db *db, char out[64]);
/* The time an operation's body says it happened ("at"), else now. */
int64_t op_at(const struct op *op);
/* Empty every state table and apply again every operation held, in the
 * order held, but for creations of ours that do not own their record id
 * (creators) and that the server has not taken. For a station whose own
 * creation lost its id to one the server took first: the state is then
 * that of the operations held without it. As long as applying the whole
 * log once (a fifth of a second for 30,000 operations); inside a
 * transaction. */
int state_rebuild(struct db *db);

/* Field types of operation bodies, checked before anything applies. */
enum ftype { F_STR, F_INT, F_TIME, F_BOOL, F_ENUM, F_STRS, F_LEGS,
	     F_PEOPLE };
struct field {
	const char *name;
	enum ftype t;
	int req;
	int64_t min, max;           /* INT: range; STR: max bytes */
	const char *const *enums;   /* F_ENUM: NULL-terminated names */
};
int schema_check(struct db *db, const struct field *f, const cJSON *body);
/* The body schema of kind i (op_kind_name's order) and who may make
 * it: a town station, the command station, the seed. NULL past the
 * last. */
const struct field *op_kind_schema(size_t i, int *town, int *command,
				   int *seed);

/* Last writer wins on (table, id, field), ordered by the operation's
 * (clock, station, incarnation, seq). Returns 1 when op wins, 0 when
 * an earlier-applied later write keeps the field, negative on error. */
int lww_claim(struct db *db, const struct op *op, const char *table,
	      const char *id, const char *field);
/* Apply every field of body present in fields to table row id under
 * the LWW rule. create: the operation makes the record (one insert when
 * the row is new); otherwise a bare row is made if needed. by: with
 * create, a column set to the operation's officer (NULL: none), in that
 * insert or on the row found. */
int record_put(struct db *db, const struct op *op, const char *table,
	       const struct field *fields, int create, const char *by);

/* ---- per-module appliers, one per kind (tables in op.c) ----
 * Every ground for refusing an operation is checked before anything is
 * written (schema_check and a kind's check); an applier then fails only
 * on a database error, which aborts the whole transaction. So a refused
 * operation inside a batch leaves nothing behind. */
int check_supply(struct db *db, const struct op *op);
int apply_ref(struct db *db, const struct op *op);
/* s in lower case without its spaces, into out: how a name in pinyin is
 * compared (ref.c), for every lookup by name. */
void name_fold(const char *s, char *out, size_t n);
/* Whether an open incident (a row of incidents) is late, with phone
 * and written its deadlines now (received before phone: the phone report
 * is owed; before written: the written one): the one definition of LATE
 * that lists by town read (board.c). duty_counts counts the same from
 * its partial indexes; a clock added to one goes in the other (the
 * fixed-time follow-ups, worked out in C by followup_counts, are added
 * to both). */
#define INCIDENT_LATE_SQL(phone, written) "((phone_at IS NULL AND " \
	"received_at < " phone ") OR (written_at IS NULL AND received_at < " \
	written "))"
int apply_incident(struct db *db, const struct op *op);
int apply_incident_status(struct db *db, const struct op *op);
int apply_incident_report(struct db *db, const struct op *op);
int apply_response(struct db *db, const struct op *op);
int apply_response_check(struct db *db, const struct op *op);
int apply_dispatch(struct db *db, const struct op *op);
int apply_team_status(struct db *db, const struct op *op);
int apply_supply(struct db *db, const struct op *op);
int apply_shelter_occupy(struct db *db, const struct op *op);
int apply_warning(struct db *db, const struct op *op);
int apply_warning_answer(struct db *db, const struct op *op);
int apply_log(struct db *db, const struct op *op);
int apply_conflict_ack(struct db *db, const struct op *op);
int apply_setting_county(struct db *db, const struct op *op);
int apply_setting_local(struct db *db, const struct op *op);
int check_setting_local(struct db *db, const struct op *op);
int apply_contact(struct db *db, const struct op *op);
int apply_shift(struct db *db, const struct op *op);
int apply_call(struct db *db, const struct op *op);
int apply_spot_check(struct db *db, const struct op *op);
int apply_warning_people(struct db *db, const struct op *op);
int apply_log_mark(struct db *db, const struct op *op);
/* The county picture (schema 6): disaster statistics, */
extern const struct field stats_schema[];
int check_stats(struct db *db, const struct op *op);
int apply_stats(struct db *db, const struct op *op);

/* report sign-off, */
int apply_report_sign(struct db *db, const struct op *op);
/* Report id's signing from its sign-offs (the earliest, by time then
 * id) and its incident's written clock from it: either order of the
 * report and its sign-offs ends the same. */
int report_settle(struct db *db, const char *report);
extern const struct field sign_schema[];

/* requests between levels, */
int check_request(struct db *db, const struct op *op);
int apply_request(struct db *db, const struct op *op);
int apply_request_step(struct db *db, const struct op *op);
extern const struct field request_schema[], request_step_schema[],
	request_receive_schema[];
/* A common table expression "live": the decisions in force (approvals
 * and refusals no other decision of the request names in its ref, the
 * ids it settles). */
#define REQUEST_LIVE_CTE "live AS (SELECT s.* FROM request_steps s WHERE " \
	"s.step IN ('approve', 'refuse') AND NOT EXISTS (SELECT 1 FROM " \
	"request_steps t WHERE t.request = s.request AND t.step IN " \
	"('approve', 'refuse') AND instr(' ' || coalesce(t.ref, '') || ' ', " \
	"' ' || s.id || ' ') > 0)) "
/* Request r (an alias of requests) is open, as request_list says it:
 * neither received nor refused (refusals in force and no approval in
 * force, nothing sent); a conflict of both is open. Needs "live". */
#define REQUEST_OPEN_SQL(r) "(NOT EXISTS (SELECT 1 FROM request_steps x " \
	"WHERE x.request = " r ".id AND x.step = 'receive') AND (EXISTS " \
	"(SELECT 1 FROM request_steps x WHERE x.request = " r ".id AND " \
	"x.step = 'send') OR EXISTS (SELECT 1 FROM live l WHERE l.request = " \
	r ".id AND l.step = 'approve') OR NOT EXISTS (SELECT 1 FROM live l " \
	"WHERE l.request = " r ".id AND l.step = 'refuse')))"

/* risk points. */
extern const struct field risk_schema[], risk_move_schema[],
	risk_clear_schema[], warning_risks_schema[];
int apply_risk(struct db *db, const struct op *op);
int apply_risk_evacuate(struct db *db, const struct op *op);
int apply_risk_clear(struct db *db, const struct op *op);
int apply_warning_risks(struct db *db, const struct op *op);
/* A warning's risk points (risks: codes or names) as their codes into
 * points, each point's town added to towns when not there (codes). */
int risk_warning_points(struct db *db, const cJSON *risks, cJSON *points,
			cJSON *towns);
/* The monitors of points (codes) appended to people (warning.people's
 * array), each under their point's town, none twice. */
int risk_warning_people(struct db *db, const cJSON *points, cJSON *people);

int check_drill_setup(struct db *db, const struct op *op);
int apply_drill_setup(struct db *db, const struct op *op);
/* Now on the clock of the drill held by db (its setup's start and
 * speed), from the wall clock's real_ms; real_ms when it holds none. */
int64_t drill_time_ms(struct db *db, int64_t real_ms);

extern const struct field incident_fields[];
/* The body each kind of operation must have, one table per kind, next to
 * the code that applies it (op.c's table of kinds names them). */
extern const struct field town_schema[], team_schema[], depot_schema[],
	kind_schema[], shelter_schema[], incident_schema[], status_schema[],
	report_schema[], decide_schema[], check_schema[], dispatch_schema[],
	team_status_schema[], move_schema[], occupy_schema[], warning_schema[],
	answer_schema[], log_schema[], ack_schema[], drill_setup_schema[],
	setting_schema[], contact_schema[], shift_schema[], call_schema[],
	spot_schema[], people_schema[], mark_schema[];
extern const char *const team_status_names[];
extern const char *const incident_status_names[];

/* A shift with its people's names and phones (roster.c, export.c). */
#define SHIFT_SQL "SELECT s.id, s.station, s.date, s.start_at, " \
	"s.start_at + s.hours * 3600 AS end_at, s.hours, s.leader, " \
	"l.name AS leader_name, l.phones AS leader_phone, l.pinyin AS " \
	"leader_pinyin, s.officer1, a.name AS officer1_name, a.phones AS " \
	"officer1_phone, a.pinyin AS officer1_pinyin, s.officer2, b.name AS " \
	"officer2_name, b.phones AS officer2_phone, b.pinyin AS " \
	"officer2_pinyin FROM shifts s " \
	"LEFT JOIN contacts l ON l.id = s.leader LEFT JOIN contacts a ON " \
	"a.id = s.officer1 LEFT JOIN contacts b ON b.id = s.officer2 "

/* ---- import (import.c) ---- */

/* A kind of CSV list: the names its header may hold (what names them
 * in a message: "incident"), and what makes a record of one row (the
 * header's names with the row's non-empty values), id_out its id ("":
 * none to list). */
struct csv_kind {
	const char *const *names;
	const char *what;
	int (*row)(struct db *db, const cJSON *fields, char id_out[64],
		   void *ctx);
	void *ctx;
};
/* Load path as k says, in one transaction: all rows or none; a bad
 * row's message names its line (the header is line 1). */
int import_csv(struct db *db, const char *path, int charset,
	       const struct csv_kind *k, int64_t *count, cJSON *ids);

/* Small JSON helpers on untrusted bodies (case-sensitive, typed). */
const char *jstr(const cJSON *o, const char *k);   /* NULL if absent */
int jint(const cJSON *o, const char *k, int64_t *v); /* 1 present */
int jtime(const cJSON *o, const char *k, int64_t *v);
/* jint and jtime of a member already found (NULL: absent). */
int jint_of(const cJSON *n, int64_t *v);
int jtime_of(const cJSON *t, int64_t *v);
void jset_time(cJSON *o, const char *k, int64_t t);
int str_in(const char *s, const char *const *names); /* index or -1 */

#endif
