/*
 * core.h - the door of dutydesk's domain: the station database, the
 * operation (the one way state changes), the hybrid logical clock and
 * every domain module. No curses, no libuv, no sockets live behind it.
 *
 * Conventions. Functions that can fail return 0 or a negative code from
 * the DD_ERRORS table below; dd_strerror() gives its message and
 * db_errmsg() the detail of the last failure on a handle. Lookups return
 * 1 found, 0 not found, or a negative code. Times are UTC seconds since
 * the epoch (int64_t); the clock stamp of an operation is a hybrid
 * logical clock value (int64_t, see hlc_next()).
 */
#ifndef DUTYDESK_CORE_H
#define DUTYDESK_CORE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define DD_VERSION "0.2.0"

/* Exit codes shared by every program (dutydesk(1) and dutydeskd(8),
 * EXIT STATUS): scripts rely on them. */
enum { EXIT_OK = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_ENV = 3,
       EXIT_DISK = 4, EXIT_SERVER = 5 };

/* name, exit code, message */
/* Marks a message for translation where it is defined. */
#define DD_N_(s) s

#define DD_ERRORS(E) \
	E(USAGE,      EXIT_USAGE,   DD_N_("usage error")) \
	E(INVALID,    EXIT_REFUSED, DD_N_("invalid input")) \
	E(NOTFOUND,   EXIT_REFUSED, DD_N_("no such record")) \
	E(REFUSED,    EXIT_REFUSED, DD_N_("refused")) \
	E(ROLE,       EXIT_REFUSED, DD_N_("not allowed for this station's role")) \
	E(SCHEMA,     EXIT_REFUSED, DD_N_("malformed operation")) \
	E(REALM,      EXIT_REFUSED, DD_N_("operation belongs to another realm")) \
	E(CLOCK,      EXIT_REFUSED, DD_N_("operation stamped in the future")) \
	E(CONFLICT,   EXIT_REFUSED, DD_N_("operation clashes with what is stored")) \
	E(DB_OPEN,    EXIT_ENV,     DD_N_("cannot open database")) \
	E(DB_NOTOURS, EXIT_ENV,     DD_N_("not a dutydesk database")) \
	E(DB_NEWER,   EXIT_ENV,     DD_N_("database was written by a newer dutydesk")) \
	E(DB_NOINIT,  EXIT_ENV,     DD_N_("database has no station; run 'dutydesk init' first")) \
	E(DB_BUSY,    EXIT_ENV,     DD_N_("database is locked by another program")) \
	E(DB_CORRUPT, EXIT_ENV,     DD_N_("database is damaged")) \
	E(DB,         EXIT_ENV,     DD_N_("database error")) \
	E(ASSETS,     EXIT_ENV,     DD_N_("cannot read assets")) \
	E(SERVER,     EXIT_SERVER,  DD_N_("cannot reach the county server")) \
	E(DISK_FULL,  EXIT_DISK,    DD_N_("disk full")) \
	E(IO,         EXIT_DISK,    DD_N_("input/output error")) \
	E(NOMEM,      EXIT_DISK,    DD_N_("out of memory"))

enum dd_err {
	DD_OK = 0,
#define DD_ERR_ENUM(name, exit, msg) DD_E_##name,
	DD_ERR_FIRST_ = -100,
	DD_ERRORS(DD_ERR_ENUM)
#undef DD_ERR_ENUM
	DD_ERR_LAST_
};

/* The message of an error code. */
const char *dd_strerror(int err);
/* The process exit code an error code maps to (EXIT_OK for 0). */
int dd_exitcode(int err);
/* A 64-bit value as it is written in an operation and on the wire: its
 * decimal digits, no sign, no leading zero (but "0"), at most
 * 9223372036854775807. 0 with *v set (v may be NULL), or -1. */
int dd_parse_i64(const char *s, int64_t *v);

/* ---- time ------------------------------------------------------------ */

/* core never reads the wall clock itself: it is handed one of these. */
struct dd_clock {
	int64_t (*now_ms)(void *ctx);
	void *ctx;
};
/* The real clock (CLOCK_REALTIME). */
extern const struct dd_clock clock_real;
int64_t clock_now(const struct dd_clock *c); /* seconds */

/* "2026-11-28T21:35:56Z" <-> seconds. Returns 0 or DD_E_INVALID. */
int time_parse_iso(const char *s, int64_t *t);
void time_format_iso(int64_t t, char out[21]);
/* Station-local display ("2026-11-29 05:35") in the configured zone;
 * parse accepts "YYYY-MM-DD HH:MM[:SS]", "HH:MM" (today) or ISO UTC. */
void time_set_zone(const char *tz);
void time_format_local(int64_t t, char out[20]);
int time_parse_local(const char *s, int64_t today, int64_t *t);

/* ---- hybrid logical clock --------------------------------------------- */

/* A stamp is (milliseconds << 16) | counter. */
#define HLC_SKEW_MAX_MS (5 * 60 * 1000)
/* The next local stamp after last, at physical time now_ms. */
int64_t hlc_next(int64_t last, int64_t now_ms);
/* Fold a remote stamp into the local one. A remote stamp more than
 * HLC_SKEW_MAX_MS ahead of now is set aside (last is returned unchanged)
 * and *alarm is set, so a station with a clock years ahead cannot drag
 * every other station's clock with it. */
int64_t hlc_observe(int64_t last, int64_t remote, int64_t now_ms, int *alarm);

/* ---- the station database -------------------------------------------- */

struct db;

enum { DB_RDONLY = 1, DB_CREATE = 2 };
/* On failure *out still holds a handle (no connection) for db_errmsg();
 * db_close() it either way. A handle may move between threads but is
 * used by one at a time. Commits are durable when they return: WAL with
 * synchronous=FULL, SQLite making every sync itself. */
int db_open(const char *path, int flags, struct db **out);
void db_close(struct db **db);
/* The detail of the last failure on db ("unknown town 'xx'"), or "". */
const char *db_errmsg(const struct db *db);
/* Why rc happened, for a message: the handle's detail when it has one,
 * else the generic message of rc (db may be NULL). */
const char *db_why(const struct db *db, int rc);
/* Set the detail and return err, for callers that refuse input. */
int db_fail(struct db *db, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void db_set_clock(struct db *db, const struct dd_clock *c);
/* Now on the database's clock, in seconds. */
int64_t db_now(struct db *db);
/* The page cache of this connection, in KiB. */
void db_cache_kb(struct db *db, int kb);
/* A number that moves when another connection (a shell command, a second
 * console, the sync link) commits to the database; the console polls it
 * to show outside changes without a key press. */
int db_data_version(struct db *db, int64_t *v);
/* Checkpoints run by the caller (the server, from a worker thread with a
 * connection of its own) instead of by whichever commit crosses the
 * threshold: db_wal_manual() stops the automatic ones on db and
 * db_wal_frames() then says how many frames its last commit left in the
 * write-ahead log. db_checkpoint() copies what it can into the database
 * without waiting for anyone: *frames is the log as it found it, *copied
 * how many of its frames the database now holds (the log starts over at
 * the next transaction begun when that is all of them). */
void db_wal_manual(struct db *db);
int db_wal_frames(const struct db *db);
int db_checkpoint(struct db *db, int *frames, int *copied);
void db_set_officer(struct db *db, const char *officer);
const char *db_officer(const struct db *db);

enum { ROLE_TOWN = 1, ROLE_COMMAND = 2 };
struct station_info {
	char station[32];
	char incarnation[17];
	char realm[40];
	int role;
	int64_t seq;     /* last local sequence */
	int64_t hlc;     /* last clock stamp */
	int64_t ops;     /* operations held */
	int64_t queued;  /* local operations not yet acknowledged */
};
int station_info(struct db *db, struct station_info *si);
/* The same without the two counts (ops, queued), which scan the log. */
int station_identity(struct db *db, struct station_info *si);
/* Make a new station database: station code, role, realm ("live"),
 * seeded from assets (seed = 1) or empty. */
int station_init(struct db *db, const char *station, int role,
		 const char *realm, int seed);
const char *role_name(int role);
/* The town this station serves: its code when that names a town, else
 * its setting station.town (dutydesk init --town). 1 and the town's code
 * in town, 0 none (the command station), negative. */
int station_town(struct db *db, char town[32]);

/* ---- words (words.c): codes said in the reader's language ---- */

/* The catalogues of codes records store. */
enum words {
	W_NONE, W_INCIDENT_STATUS, W_TEAM_STATUS, W_TEAM_KIND, W_AREA,
	W_COLOR, W_LOG_KIND, W_REPORT_TYPE, W_CHANNEL, W_MOVE_KIND,
	W_ACTION, W_ROLE, W_OP_KIND, W_OFFICER,
	W_SHELTER_STATE, W_LEVEL, W_CONTACT_ROLE, W_CALL_OUTCOME,
	W_RISK_KIND, W_N
};
/* code in the interface language (a code it does not know, as it is). */
const char *word(enum words w, const char *code);
/* The interface language is Chinese. */
int words_chinese(void);
int role_parse(const char *s);
/* A station code: 2..24 chars of [a-z0-9], starting with a letter. */
int station_code_ok(const char *s);
/* Codes of pseudo-stations no real station may take: seed (reference
 * data), drill (a drill's injects), server (the county server). */
int station_reserved(const char *s);
/* A drill's realm: "drill-" and 1 to 33 more of [a-z0-9-], not ending in
 * -wal, -shm or -journal (a realm has at most 39 characters). The live realm is "live"; nothing else is a
 * realm of ours. */
int realm_is_drill(const char *realm);
/* A realm name as it may be written: "live" or a drill's. */
int realm_name_ok(const char *realm);

/* Online backup to path. restore gives the copy a new incarnation, and
 * moves its record ids on to the next million past a million more than
 * the highest it holds (datian-42 -> datian-2000001): records the lost
 * copy made after the backup keep their ids unless it made over a
 * million of them. */
int db_backup(struct db *db, const char *path);
int db_restore_mark(struct db *db);

/* ---- assets ------------------------------------------------------------ */

/* Where assets/ lives: $DUTYDESK_ASSETS, else beside the executable's
 * build tree, else the installed data directory. */
const char *assets_dir(void);
void assets_set_dir(const char *dir);
/* Read a JSON asset file relative to assets_dir(). Caller frees. */
int assets_load_json(const char *rel, cJSON **out);

/* ---- operations ----------------------------------------------------- */

/* An operation, as stored and as carried over the wire. */
struct op {
	char station[32];
	char incarnation[17];
	int64_t seq;
	int64_t hlc;
	char realm[40];
	char officer[64];
	char kind[32];
	char entity[64];
	cJSON *body; /* owned by whoever filled the struct */
};

/* Apply an operation received from elsewhere (another station through
 * the server, a test). In one transaction: checks its form, role and
 * realm, applies it to the state tables and appends it to the log.
 * Returns 1 applied, 0 already held, negative on refusal or error.
 * Inside a transaction opened with db_begin() it joins it. */
int op_apply(struct db *db, const struct op *op);
/* The JSON form of an operation and back (64-bit values as strings). */
cJSON *op_to_json(const struct op *op);
int op_from_json(const cJSON *j, struct op *op); /* body is a copy */
void op_clear(struct op *op);
/* Iterate the operation log in the order it was stored here, or only local
 * operations not yet acknowledged (outbox = 1). The callback returns
 * nonzero to stop. */
int op_each(struct db *db, int outbox,
	    int (*fn)(const struct op *op, void *ctx), void *ctx);

/* Explicit transactions for batches (BEGIN IMMEDIATE). db_end commits
 * when rc == 0, rolls back otherwise, and returns rc or the commit's
 * error. */
int db_begin(struct db *db);
int db_end(struct db *db, int rc);

/* ---- reference data ---------------------------------------------------- */

/* What an officer names (a town, team, depot, supply kind, shelter,
 * incident, hazard or checklist item) given as any of: its code; its
 * Chinese name; a town's name without 街道, 镇 or 乡 (大田 for 大田街道);
 * its pinyin (or English name) in any case, spaces ignored; or the start
 * of its name, pinyin or code when that names one record alone. An
 * exact code always wins. */
enum ref { REF_TOWN, REF_TEAM, REF_DEPOT, REF_KIND, REF_SHELTER,
	   REF_INCIDENT, REF_HAZARD, REF_ITEM, REF_N };
/* Resolve what; code_out gets the code. Returns 1 found, 0 not found or
 * ambiguous (the message, in db_errmsg, lists the candidates by code and
 * name), negative error. A checklist item is looked for with ref_list
 * and ref_find_in (it belongs to a hazard). */
int ref_find(struct db *db, enum ref r, const char *what, char code_out[64]);
/* The records of r an officer picks from, as a JSON array of {code,
 * name, pinyin} in the order to offer them (caller frees); pinyin is
 * what an ASCII terminal shows (English for a supply kind, a hazard or
 * a checklist item; a supply kind's pinyin is then under "en"). near: for a
 * team, the incident it is for (available teams of the incident's town
 * first, then other available ones); for a town, a warning (the towns
 * it went to, those that have not answered first); for a checklist
 * item, the hazard (the items of its level in force); else NULL. */
int ref_list(struct db *db, enum ref r, const char *near, cJSON **out);
/* ref_find among list (from ref_list). */
int ref_find_in(struct db *db, enum ref r, const cJSON *list,
		const char *what, char code_out[64]);
/* How well what names one entry of ref_list: REF_MATCH_CODE, _EXACT (a
 * whole name), _PREFIX (the start of one), or 0; for narrowing a list
 * as the officer types. */
enum { REF_MATCH_PREFIX = 1, REF_MATCH_EXACT, REF_MATCH_CODE };
int ref_match(const cJSON *entry, const char *what);
/* Load the county seed from assets/seed/county.json as operations of
 * the pseudo-station "seed" with fixed ids and clock 0. */
int seed_load(struct db *db);

/* ---- incidents --------------------------------------------------------- */

enum { INC_REPORTED, INC_VERIFIED, INC_RESPONDING, INC_CONTROLLED,
       INC_CLOSED, INC_NSTATUS };
const char *incident_status_name(int s);
int incident_status_parse(const char *s);

#define INCIDENT_FIELDS(F) \
	F(title,        STR)  F(town,     REF)  F(place,   STR) \
	F(kind,         STR)  F(severity, INT)  F(received_at, TIME) \
	F(cause,        STR)  F(actions,  STR)  F(trend,   STR) \
	F(dead,         INT)  F(injured,  INT)  F(missing, INT) \
	F(trapped,      INT)  F(evacuated, INT) \
	F(caller_unit,  STR)  F(caller_name, STR) F(caller_phone, STR) \
	F(notified,     STR)  F(recorder, STR)

/* Fields are given as a JSON object of the names above (values: strings
 * for STR/REF/TIME in local form or ISO, numbers for INT). The town is
 * resolved by code or name. id_out receives the new id. */
int incident_add(struct db *db, const cJSON *fields, char id_out[64]);
int incident_update(struct db *db, const char *id, const cJSON *fields);
/* status: a name, or "reopen" to start a new generation. */
int incident_set_status(struct db *db, const char *id, const char *status);
enum { REPORT_FIRST, REPORT_FOLLOWUP, REPORT_FINAL };
int incident_report(struct db *db, const char *id, int type,
		    const char *channel, const char *text, int64_t at,
		    char id_out[64]);
/* Deadlines of the upward reports, from the time an incident was
 * received: the first by phone within 30 minutes, the written one within
 * the hour. */
#define REPORT_PHONE_SECS (30 * 60)
#define REPORT_WRITTEN_SECS (60 * 60)
/* A clock is due soon from this long before it runs out. */
#define REPORT_SOON_SECS (5 * 60)
/* Open incidents whose phone or written clock runs out within
 * REPORT_SOON_SECS of now (not yet past it: that is late). */
int incident_due_soon(struct db *db, int64_t now, int64_t *phone,
		      int64_t *written);
/* Order open-incident rows (as LIST_INCIDENTS gives them) for the duty
 * officer: those with a report overdue first, then by severity (1 first,
 * none given last), then by the time left on the nearer clock still
 * running (the nearest deadline first; none running last), then the
 * newest. 0 or DD_E_NOMEM (rows untouched). */
int incident_order(cJSON **rows, size_t n, int64_t now);

/* ---- report texts and sign-off (report.c) ---- */

/* The leader on duty (who: a contact's id or name) signs written report
 * report at time at (0: now): it counts as sent, and meets the written
 * clock, from then. With a roster kept for this station or the county,
 * only the leader of this station's shift covering at or a county
 * leader's covering it may sign; with none, a town or county leader of
 * the directory. A phone report needs no signing and one signed
 * already is refused. id_out: the sign-off's id. */
int report_sign(struct db *db, const char *report, const char *who,
		int64_t at, char id_out[64]);
/* Who may sign at time at, as report_sign decides: [{id, name}]. */
int report_signers(struct db *db, int64_t at, cJSON **out);
/* The text of a type (REPORT_FIRST..) report of incident composed from
 * its record: time received, place, what happened, casualties, people
 * moved, actions and teams sent, next steps; Chinese, English when en.
 * *out is the caller's to free (at most 4000 bytes). */
int report_compose(struct db *db, const char *incident, int type, int en,
		   char **out);
/* How report (a follow-up) is numbered among its incident's by time
 * made and id, from 1 (0: not a follow-up). */
int report_number(struct db *db, const char *report, int64_t *n);
/* 首报, 续报一 .. (n-th follow-up), 终报; in English when en. */
const char *report_label(const char *type, int n, int en, char out[48]);
/* One report as its sheet shows it: the report's row with incident,
 * number, label_zh, signed_at, signed_by, signed_name. 1 found. */
int report_get(struct db *db, const char *report, cJSON **out);
/* The follow-up due next at a fixed time (setting followup.times, in
 * the local zone) of an open incident of severity 1 to 3 with a report
 * counted: each time from the first at least an hour after that report
 * is met by a follow-up counted (phone when made, written when signed)
 * after the time before it and by it; none is due once a final report
 * counts. 1 with *due set, 0 none due. */
int followup_due(struct db *db, const char *incident, int64_t *due);
/* Set followup_due_at (a time, or null) on each incident row (by id). */
int followup_rows(struct db *db, cJSON *rows);
/* Open incidents whose follow-up is overdue (late), due within
 * REPORT_SOON_SECS (soon), and overdue but late on no other clock
 * (late_alone); late_ids (NULL: not wanted) gets the ids of the
 * overdue ones. */
int followup_counts(struct db *db, int64_t now, int64_t *late,
		    int64_t *soon, int64_t *late_alone, cJSON *late_ids);

/* ---- response levels ---------------------------------------------------- */

/* Levels: 4 = IV (lowest) .. 1 = I (highest); 0 = none in force. */
const char *level_name(int level);
int level_parse(const char *s);
enum { RESP_START, RESP_RAISE, RESP_LOWER, RESP_END, RESP_CONFIRM };
const char *response_action_name(int a);
int response_action_parse(const char *s);
/* Decide: checks the action against the level in force, names the
 * decisions it follows (the current heads) and records who signed. */
int response_decide(struct db *db, const char *hazard, int action, int level,
		    const char *signed_by, const char *note, char id_out[64]);
/* Level in force: 1 found (level may be 0 after an end), 0 never. */
struct response_state {
	char hazard[32];
	int level;
	int conflict;
	char decision[64];
	char episode[64]; /* the start decision of the episode in force */
};
int response_get(struct db *db, const char *hazard, struct response_state *rs);
/* Tick (checked = 1) or untick a checklist item of the episode in force. */
int response_check(struct db *db, const char *hazard, const char *item,
		   int checked);
/* The checklist in force for hazard: checklist_load's items at the
 * level in force, each with "checked" (true or false) from the ticks of
 * the episode in force; an empty array when no response is in force.
 * Caller frees. */
int response_checklist(struct db *db, const char *hazard, cJSON **out);
/* Of the checklist in force for hazard, how many items are ticked
 * (*done) of how many (*total); both 0 when no response is in force. */
int response_progress(struct db *db, const char *hazard, int *done,
		      int *total);
/* The hazards known from assets/checklists (a JSON array, caller frees). */
int hazards_load(cJSON **out);
/* The full checklist of hazard at level (its items and every lower
 * level's), as a JSON array of {code, level, text, text_en}. */
int checklist_load(const char *hazard, int level, cJSON **out);

/* ---- teams and dispatch ------------------------------------------------- */

enum { TEAM_AVAILABLE, TEAM_DISPATCHED, TEAM_EN_ROUTE, TEAM_ON_SCENE,
       TEAM_RETURNING, TEAM_OUT_OF_SERVICE, TEAM_NSTATUS };
const char *team_status_name(int s);
int team_status_parse(const char *s);
/* Turnout targets by town area. */
#define TURNOUT_CITY_SECS (5 * 60)
#define TURNOUT_RURAL_SECS (10 * 60)
int dispatch_create(struct db *db, const char *team, const char *incident,
		    char id_out[64]);
/* Move a team on: en_route, on_scene, returning, available (back) or
 * out_of_service. Steps of a dispatch are timed on the dispatch. */
int team_set_status(struct db *db, const char *team, const char *status);

/* ---- supplies ------------------------------------------------------------ */

enum { MOVE_RECEIVE, MOVE_ISSUE, MOVE_TRANSFER, MOVE_COUNT };
/* qty > 0 for receive/issue/transfer; for count, qty is what was
 * counted and the stored delta is qty minus the stock held here. */
int supply_move(struct db *db, int kind, const char *item, const char *depot,
		const char *to_depot, int64_t qty, const char *note,
		char id_out[64]);
int64_t supply_stock(struct db *db, const char *depot, const char *item);

/* ---- requests between levels (request.c) ------------------------------ */

/* A town asks the county for supplies or a team; the county approves or
 * refuses, sends, and the town receives. The state is worked out from
 * the steps (append-only): both an approval and a refusal in force
 * (made at once on two stations) is RQ_CONFLICT until a later decision
 * settles it; a send or a receive goes past any decision. */
enum { RQ_REQUESTED, RQ_APPROVED, RQ_REFUSED, RQ_CONFLICT, RQ_SENT,
       RQ_RECEIVED, RQ_NSTATE };
enum { RSTEP_APPROVE, RSTEP_REFUSE, RSTEP_SEND, RSTEP_RECEIVE };
const char *request_state_name(int s);
/* A state's code (request_list's "state") in the interface language. */
const char *request_state_word(const char *code);
/* A team kind by code or name into code_out: 1, or 0 unknown. */
int request_team_kind(const char *s, char code_out[16]);
/* Ask for item x qty or for a team of team_kind (one of them), for town
 * (NULL: this station's town; another town only at the command
 * station), tied to incident or not (NULL). */
int request_add(struct db *db, const char *town, const char *item, int64_t qty,
		const char *team_kind, const char *incident, const char *note,
		char id_out[64]);
/* The command station's steps: approve from depot (qty 0: as asked; the
 * depot must hold it) or with team (available); refuse with a reason;
 * send (the depot's issue or the team's dispatch to the request's
 * incident, or to incident when it names none, made in the same
 * transaction; ref_out its id). id_out: the step's id. */
int request_approve(struct db *db, const char *id, int64_t qty,
		    const char *depot, const char *team, char id_out[64]);
int request_refuse(struct db *db, const char *id, const char *reason,
		   char id_out[64]);
int request_send(struct db *db, const char *id, const char *incident,
		 char id_out[64], char ref_out[64]);
/* The asking town (or the county) receives what was sent, into depot
 * (NULL: the town's, d-<town>); once only. */
int request_receive(struct db *db, const char *id, const char *depot,
		    char id_out[64], char ref_out[64]);
/* Requests (town and id NULL: all), oldest first, as flat objects: id,
 * town, item, qty, team_kind, incident, note, at, age_secs, state, open,
 * late (unanswered for request.alert minutes), approved_qty, depot,
 * team, reason, sent_ref, sent_qty, answered_at. open: only those neither
 * received nor refused. */
int request_list(struct db *db, const char *town, const char *id, int open,
		 cJSON **out);
/* The steps of request id, in order. */
int request_steps(struct db *db, const char *id, cJSON **out);

/* ---- shelters ---------------------------------------------------------- */

int shelter_set_open(struct db *db, const char *shelter, int open);
/* delta > 0 check-in, < 0 check-out. A check-in above the capacity is
 * taken (the office records who is there); shelter_occupancy() says by
 * how much, for the officer to be told. */
int shelter_occupy(struct db *db, const char *shelter, int64_t delta);
/* People in a shelter now and its capacity (0: none recorded): 1 found,
 * 0 not, negative. */
int shelter_occupancy(struct db *db, const char *shelter, int64_t *people,
		      int64_t *capacity);

/* ---- warnings and their answers (叫应) --------------------------------- */

/* towns: JSON array of town codes or names; empty means every town. */
int warning_issue(struct db *db, const char *hazard, const char *color,
		  const char *text, const cJSON *towns, char id_out[64]);
/* The same for a warning sent at at (0: now), earlier than it is
 * recorded (passed on by phone, say): its towns' silence counts from
 * then. A time ahead of now is refused. */
int warning_issue_at(struct db *db, const char *hazard, const char *color,
		     const char *text, const cJSON *towns, int64_t at,
		     char id_out[64]);
int warning_answer(struct db *db, const char *warning, const char *town,
		   const char *who, char id_out[64]);

/* The silent limit of a warning of colour (blue .. red): how long a warned
 * town may leave it unanswered before it is late (settings silent.*). */
int64_t warning_silent_secs(struct db *db, const char *color);

/* ---- settings ---------------------------------------------------------- */

/* The named keys, their defaults and which a town may override (local),
 * as dutydesk(1) lists them. A key the command station sets holds for
 * the county; a town's own value of a local key holds at that town. */
struct setting_def {
	const char *key, *def;
	int local;
	const char *help; /* DD_N_() */
};
/* The i-th named key, NULL past the last. */
const struct setting_def *setting_def(size_t i);
/* The value in force here for key (the town's own, else the county's,
 * else the default) into buf; 1 found, 0 no such key, negative. */
int setting_get(struct db *db, const char *key, char *buf, size_t n);
/* The same as a whole number (minutes, hours); def when unset or bad. */
int64_t setting_int(struct db *db, const char *key, int64_t def);
/* The time of day of shift.start, in minutes after midnight. */
int setting_shift_start(struct db *db);
/* The duty day (值班日): date D (YYYY-MM-DD) runs from shift.start on D
 * to shift.start on D + 1, in the station's zone; what is kept or
 * reported per day (disaster statistics, the daily report) uses it.
 * duty_day_bounds: its start and end (end excluded) in *from and *to; a
 * date that is not a day of the calendar is DD_E_INVALID. duty_date: the
 * duty day at at into out (a time before shift.start belongs to the day
 * before). */
int duty_day_bounds(struct db *db, const char *date, int64_t *from,
		    int64_t *to);
int duty_date(struct db *db, int64_t at, char out[11]);
/* A list of times of day (followup.times) as minutes after midnight
 * into out, at most max, in order: how many (0 when unset or bad). */
int setting_times(struct db *db, const char *key, int *out, int max);
/* Set key for the county (command station) or, for a local key, for
 * this station (a town); the value is checked for the key ("08:30",
 * whole minutes). An empty value drops this station's own value. */
int setting_set(struct db *db, const char *key, const char *value);
/* Every named key: {key, value, default, set_by ("county", the
 * station's code, or "default"), local}. Caller frees. */
int setting_list(struct db *db, cJSON **out);

/* ---- the daily report (值班日报, daily.c) ------------------------------ */

/* What duty day date (YYYY-MM-DD; NULL: the one holding now) held, as
 * one JSON object (caller frees): date, from, to (the day's bounds),
 * made_at, over (the day has ended), station, realm, county {code,
 * name, pinyin}; incidents (received in the day, or before it and
 * still open when it began: carried; open_at_end; each report clock's
 * NAME_due_at, NAME_state on_time|late|pending|overdue and
 * NAME_late_secs; its reports with signed_at) and incident_counts; levels in force at the day's end and
 * the decisions of the day; warnings of the day with their towns'
 * answers (warned, answered, answer_rate_pct) and warning_counts;
 * dispatches of the day with turnout_secs, target_secs, on_time and
 * turnout_counts; shelters open now and shelter_counts; stats {towns,
 * total} of the date (crop_ha and loss in tenths); zero_reports {filed,
 * not_filed, towns, towns_filed}; roster (this station's shifts over
 * the day); risk_points per town and risk_counts. Stores nothing. */
int daily_report(struct db *db, const char *date, cJSON **out);

/* ---- the directory (通讯录) -------------------------------------------- */

/* Roles of a contact, by code: town_leader, town_duty, village,
 * shelter_manager, team_leader, risk_monitor, county_leader, officer. */
extern const char *const contact_roles[];
/* A role given by code, Chinese label or English label: its code, or
 * NULL. */
const char *contact_role_parse(const char *s);
/* fields: name, phones (one or more, ';' or ',' between), unit, role,
 * town (code or name), for (a shelter or team code). The name's pinyin
 * is kept with it for finding. */
int contact_add(struct db *db, const cJSON *fields, char id_out[64]);
int contact_update(struct db *db, const char *id, const cJSON *fields);
/* A person named by a contact's id, or a name (Chinese, or pinyin with
 * spaces and case ignored) only one contact has: 1 with id_out set; 0
 * when none has it; DD_E_REFUSED when several have it (the message
 * lists them with their ids); negative on error. */
int contact_find(struct db *db, const char *who, char id_out[64]);
/* Contacts whose name (Chinese or pinyin, spaces and case ignored),
 * any part of a phone, unit or town (code or name) holds text. */
int contact_search(struct db *db, const char *text, cJSON **out);
/* The contact one of whose phones is phone (digits compared): 1 with
 * *out set (caller frees), 0 none. */
int contact_by_phone(struct db *db, const char *phone, cJSON **out);
/* A contact with the calls made to or by it and what it answers for
 * (its shelter or team, and the warnings it was named in): 1 found. */
int contact_get(struct db *db, const char *id, cJSON **out);
/* Header name,phones,unit,role,town,for (phones separated by ';'). */
int import_contacts_csv(struct db *db, const char *path, int charset,
			int64_t *count, cJSON *ids);

/* ---- the duty roster (排班) ---------------------------------------------- */

/* A shift of this station's roster on date (YYYY-MM-DD), starting at
 * start (HH:MM; NULL: shift.start) for hours (0: shift.hours), with its
 * leader on duty and one or two officers (people, as contact_find takes
 * them; officer2 may be NULL). An overlapping shift, an unknown or
 * ambiguous person: refused, nothing stored. */
int roster_add(struct db *db, const char *date, const char *start,
	       int hours, const char *leader, const char *officer1,
	       const char *officer2, char id_out[64]);
/* Take a shift off the roster. */
int roster_remove(struct db *db, const char *id);
/* The shift of station (NULL: this one) covering at: 1 with *out an
 * object {id, station, date, start_at, end_at, hours, leader,
 * leader_name, leader_phone, officer1, officer1_name, officer1_phone,
 * officer2, ...}; 0 when no shift covers it. next: the first shift
 * starting at or after at instead. */
int roster_at(struct db *db, const char *station, int64_t at, int next,
	      cJSON **out);
/* The shift a handover at at passes the duty to: the first of this
 * station's roster starting two hours before at or later (a handover
 * comes at the change of shift, sometimes late). As roster_at. */
#define ROSTER_HANDOVER_LATE (2 * 3600)
int roster_incoming(struct db *db, int64_t at, cJSON **out);
/* Header date,start,hours,leader,officer1,officer2. */
int import_roster_csv(struct db *db, const char *path, int charset,
		      int64_t *count, cJSON *ids);

/* ---- calls and spot checks ---------------------------------------------- */

enum { CALL_ANSWERED, CALL_NO_ANSWER, CALL_BUSY, CALL_LEFT_MESSAGE };
extern const char *const call_outcomes[];
/* A call to (or, incoming, from) to: a contact's id or name, or a bare
 * number (a contact's number is found as that contact). fields: outcome
 * (required), incoming (bool), incident, warning, note, at (a time). */
int call_log(struct db *db, const char *to, const cJSON *fields,
	     char id_out[64]);
/* The command station calls a town's duty phone: who answered (a
 * person; NULL: nobody did), at (0: now). */
int check_log(struct db *db, const char *town, const char *who, int64_t at,
	      char id_out[64]);

/* ---- disaster statistics (灾情统计) -------------------------------------- */

/* The figures of the national natural-disaster statistics form kept per
 * town and duty day, in the order the form has them: people affected,
 * dead, missing, relocated (紧急转移安置), in need of aid (需紧急生活救
 * 助); houses collapsed, severely and generally damaged; crops hit
 * (crop_ha, in tenths of a hectare) and direct loss (loss, in tenths of
 * 10,000 yuan). NULL-terminated. */
extern const char *const stats_fields[];
#define STATS_NFIELDS 10
/* The largest figure taken (a tenth for crop_ha and loss). */
#define STATS_MAX 999999999
/* A figure kept in tenths (crop_ha, loss)? */
int stats_tenths(const char *field);
/* A figure of field as typed into v: a whole number, or for a field
 * kept in tenths one with at most one decimal ("12.5" is 125). 0, or
 * DD_E_INVALID (negative, not a number, too large). */
int stats_parse(const char *field, const char *text, int64_t *v);
/* A figure of field as it is read: whole, or "12.5" for tenths. */
void stats_format(const char *field, int64_t v, char out[24]);
/* Set figures of town (code or name) for date (YYYY-MM-DD; NULL or "":
 * today's duty day, duty_date()): figures is an object of field names
 * to whole numbers (tenths for crop_ha and loss), at least one. A town
 * station sets its own town alone; the command station any, and a
 * reason is needed when it changes a figure a town station reported.
 * Unknown town or field, a negative or too large figure: refused,
 * nothing stored. Each figure keeps who set it and when; last writer
 * wins per (town, date, field). */
int stats_set(struct db *db, const char *town, const char *date,
	      const cJSON *figures, const char *reason);
/* May this station set town's (a code) figures: 0, or DD_E_ROLE with
 * why (a town station sets its own town alone), as stats_set decides. */
int stats_may_set(struct db *db, const char *town);
/* The figures of date (NULL or "": today's duty day): *out an object
 * {date, towns: [...], total: {...}}. Each town row: town, name,
 * pinyin, and per field its value (absent when none was reported) with
 * FIELD_station, FIELD_officer, FIELD_at (ISO) and FIELD_reason (when
 * given); towns in code order, those with a figure (all: every town).
 * town (code or name, NULL: all) keeps that one alone. total: each
 * field's sum over the towns' figures (every town, whatever town
 * says), and towns (how many reported). Caller frees. */
int stats_day(struct db *db, const char *date, const char *town, int all,
	      cJSON **out);

/* ---- duty log ------------------------------------------------------------ */

int log_add(struct db *db, const char *kind, const char *text,
	    char id_out[64]);
/* Shift handover: the outgoing officer is db_officer(), to_officer
 * signs in; note is the outgoing officer's own words (may be NULL). */
int log_handover(struct db *db, const char *to_officer, const char *note,
		 char id_out[64]);
/* The same to someone other than the next shift's officer on the
 * roster (unrostered = 1): recorded as such. */
int log_handover_as(struct db *db, const char *to_officer, const char *note,
		    int unrostered, char id_out[64]);
/* An entry of LIST_LOG as the reader reads it: its text, or for a zero
 * report or a handover the words for it in the interface language
 * (buf holds them when composed). */
const char *log_entry_text(const cJSON *entry, char *buf, size_t n);
/* A conflict seen by a person: mark it acknowledged. */
int conflict_ack(struct db *db, const char *conflict);

/* ---- reading state --------------------------------------------------- */

/* Lists, each a JSON array of flat objects (caller frees). filter may
 * be NULL; its keys depend on the list ("open": 1, "town": code, ...). */
enum list { LIST_TOWNS, LIST_TEAMS, LIST_DEPOTS, LIST_KINDS, LIST_STOCK,
	    LIST_SHELTERS, LIST_INCIDENTS, LIST_DISPATCHES, LIST_RESPONSES,
	    LIST_DECISIONS, LIST_WARNINGS, LIST_ANSWERS, LIST_LOG,
	    LIST_CONFLICTS, LIST_REPORTS, LIST_TICKS, LIST_LATE,
	    LIST_CONTACTS, LIST_ROSTER, LIST_CALLS, LIST_CHECKS, LIST_CALLEES,
	    LIST_CALLBACKS, LIST_SIGNOFFS, LIST_N };
int state_list(struct db *db, enum list l, const cJSON *filter, cJSON **out);
/* What needs the officer now, counted in a few indexed queries. */
struct duty_counts {
	int64_t open;            /* open incidents */
	int64_t phone_late;      /* no phone report 30 minutes after intake */
	int64_t written_late;    /* no written report after 1 hour */
	int64_t late;            /* incidents with either clock overdue
				  * (one late on both counts once) */
	int64_t teams_out;       /* teams not available or out of service */
	int64_t unanswered_late; /* towns silent past their limit (by colour) */
	int64_t phone_soon;      /* phone report due within 5 minutes */
	int64_t written_soon;    /* written report due within 5 minutes */
	int64_t followup_late;   /* a fixed-time follow-up overdue */
	int64_t followup_soon;   /* a fixed-time follow-up due within 5 min */
	char newest[64];         /* the incident that arrived last */
};
int duty_counts(struct db *db, int64_t now, struct duty_counts *c);
/* The incident that arrived last (duty_counts' newest) alone: cheap at
 * any size. "" when there is none. */
int duty_newest(struct db *db, char out[64]);
/* The town board: one row per town (a JSON array of flat objects,
 * caller frees) with town (its code), name, pinyin, open (open
 * incidents), late (of those, with a report past its deadline), dead,
 * injured, missing, trapped, evacuated (of the open incidents),
 * sheltered and capacity (its open shelters), teams_out (teams sent to
 * its incidents and not back), unanswered (warnings it has not
 * answered), silent (of those, past their silent limit), requests
 * (open), risk_points, risk_cleared, risk_people, risk_moved, and
 * last_heard_at (the newest operation held of the town's station,
 * heard_station; null when it was never heard from). Ordered by late
 * (most first), silent (most first), last heard (never, then the
 * oldest), code. */
int board_rows(struct db *db, cJSON **out);
/* One incident with its reports and dispatches. 1 found, 0 not. */
int incident_get(struct db *db, const char *id, cJSON **out);
/* The replicated state as `dutydesk export --json` prints it: the
 * arrays of dutydesk(1), sorted by id, and their digest. */
int state_export(struct db *db, cJSON **out);
/* Server: state_export in one snapshot, once the projection holds the
 * whole log (replica_project); tried every 50 ms for up to wait_ms,
 * then DD_E_DB_BUSY with *behind the operations it lacks. */
int state_export_server(struct db *db, int wait_ms, cJSON **out,
			int64_t *behind);

/* ---- replication (what sync needs of a database) ------------------------ */

/* May a station of role make operations of kind? */
int op_kind_allowed(const char *kind, int role);
/* The i-th kind of operation, NULL past the last; *creates (if not
 * NULL) says whether it creates a record: its entity is a fresh
 * "<station>-<n>", and an id created before by another operation is
 * refused (conflict) on every replica, the creation first in server
 * order owning it. */
const char *op_kind_name(size_t i, int *creates);
/* Server: the last sequence held (taken or refused) for station and
 * incarnation (0 if none). */
int replica_have(struct db *db, const char *station, const char *inc,
		 int64_t *seq);
/* The digest of an operation both ends compute to tell whether they
 * hold the same one (the welcome's last_digest): 64 lowercase hex digits
 * of SHA-256 over a canonical form of all its members, the body walked
 * member by member (sync/PROTOCOL.md gives the form). */
void replica_op_digest(const struct op *op, char hex[65]);
/* Server: the last operation stored for station and incarnation (a
 * refused one is not stored): its seq and digest. 1 found, 0 none. */
int replica_last(struct db *db, const char *station, const char *inc,
		 int64_t *seq, char hex[65]);
/* The digest of this station's own operation (station, incarnation,
 * seq), made here: 1 found, 0 not held. */
int replica_digest(struct db *db, const char *station, const char *inc,
		   int64_t seq, char hex[65]);
/* Server: the highest server sequence given so far. */
int replica_head(struct db *db, int64_t *head);
/* Server, inside db_begin(): take an operation from an authenticated
 * station of role into the log (its state comes with the projection,
 * replica_project). 1 taken (*sseq its server sequence), 0 already
 * held, 2 refused on a fixed ground and recorded (message in
 * db_errmsg), negative on a database error. */
int replica_take(struct db *db, const struct op *op, int role, int64_t *sseq);
/* Server: the state tables are a projection of the log, in server
 * order. replica_projected: the last server sequence the state holds.
 * replica_project: apply up to limit operations past it in one
 * transaction (or the caller's), the cursor moved in it; *upto is
 * where it stands after. */
int replica_projected(struct db *db, int64_t *upto);
int replica_project(struct db *db, int limit, int64_t *upto);
/* replica_project until the state holds the whole log, in slices. */
int replica_project_all(struct db *db);
/* The code of the last refusal (role, realm, schema, clock, conflict). */
const char *replica_refusal(const struct db *db);
/* Server: operations with a server sequence above after, in order. */
int replica_each_after(struct db *db, int64_t after, int limit,
		       int (*fn)(const struct op *op, int64_t sseq, void *ctx),
		       void *ctx);
/* One operation of ours the server refused, as its ack names it: the
 * operation's seq, the code of the ground (role, schema, ...; NULL when
 * none was given) and the message (NULL: "refused"). The strings belong
 * to the caller. */
struct refusal {
	int64_t seq;
	const char *code;
	const char *message;
};
/* Station: the server holds our operations up to upto and refused the n
 * in r (stored beside the operations we hold; r may be NULL when n is
 * 0). A creation of ours refused as conflict leaves the state here (it
 * stays in the log, listed): the record id is another's. */
int replica_ack(struct db *db, int64_t upto, const struct refusal *r,
		size_t n);
/* The same for operations of an earlier incarnation of this station
 * (made before it was restored from a backup). */
int replica_ack_inc(struct db *db, const char *incarnation, int64_t upto,
		    const struct refusal *r, size_t n);
/* Station: the operations of this station the server refused, in the
 * order the refusals came, as flat objects {seq, incarnation, kind,
 * entity, officer, at (when the operation was made), code, message,
 * seen (an officer acknowledged it)}; a county-wide drill's own
 * operations (the pseudo-station drill's) count as this station's.
 * *upto (if given) marks the newest listed, for replica_refusals_ack.
 * Caller frees. */
int replica_refusals(struct db *db, cJSON **out, int64_t *upto);
/* Station: the outbox, from its index (no operation is read): *first
 * the lowest sequence waiting under incarnation inc (0: none), *others
 * how many wait under another (made before a restore, or a county-wide
 * drill's own), *drill of those not under station (the drill's). */
int replica_outbox(struct db *db, const char *inc, const char *station,
		   int64_t *first, int64_t *others, int64_t *drill);
/* Station: the outbox walked in sequence order without the operations'
 * bodies: fn(incarnation, seq, kind, ctx) for each operation waiting;
 * fn returns nonzero to stop, and that is returned (or a negative code
 * of the database). */
int replica_outbox_kinds(struct db *db,
			 int (*fn)(const char *inc, int64_t seq,
				   const char *kind, void *ctx),
			 void *ctx);
/* Station: per incarnation of this station, the last sequence the server
 * acknowledged (taken or refused): a JSON array of {incarnation, upto},
 * the current incarnation first, then the others (from before a
 * restore) by name; an incarnation nothing of which was acknowledged
 * yet has upto 0. Caller frees *out. */
int replica_acked(struct db *db, cJSON **out);
/* Station: how many refusals no officer has acknowledged yet. */
int replica_refusals_unseen(struct db *db, int64_t *n);
/* Station: the officer on duty has seen every refusal so far, or as far
 * as the list that gave upto (> 0) showed: the count clears, the list is
 * kept; *n how many that marked. */
int replica_refusals_ack(struct db *db, int64_t upto, int64_t *n);
/* Station: the last server sequence applied (inside a batch's
 * transaction, set it with the operations it covers). */
int replica_cursor(struct db *db, int64_t *after);
int replica_set_cursor(struct db *db, int64_t after);
/* Station: note the server's history; *changed when it differs from the
 * one known (cursor reset, our operations offered again). */
int replica_history(struct db *db, const char *history, int *changed);
/* Station: pull everything again and offer all our operations again
 * (the server was put back without a new history). */
int replica_reset(struct db *db);
/* Station: the link settings, HOST:PORT and the key (64 hex digits).
 * replica_link: 1 set, 0 none. */
int replica_set_link(struct db *db, const char *server, const char *key);
int replica_link(struct db *db, char *server, size_t n, char *key, size_t kn);
/* The county server's pinned key, "sha256:" and 64 hex digits (or
 * "insecure": the link runs without TLS, on purpose): set, and read
 * (1 set, 0 none, negative on error). */
int replica_set_pin(struct db *db, const char *pin);
int replica_pin(struct db *db, char *pin, size_t n);
/* During a change of the server's key, the pin the server announced as
 * its next (sync/PROTOCOL.md, "pins"): replica_set_pins stores the
 * current pin and the next ("" or NULL: none) in one transaction;
 * replica_set_pin(db, pin) is replica_set_pins(db, pin, NULL), as a pin
 * set by hand starts afresh. replica_pin_next: 1 set, 0 none, negative
 * on error. */
int replica_set_pins(struct db *db, const char *pin, const char *next);
int replica_pin_next(struct db *db, char *pin, size_t n);

/* ---- drills ------------------------------------------------------------ */

/* Parse and check a scenario (JSON text). On a fault, why names the line
 * and the field ("line 12: injects[3].at_min: ..."). */
int drill_parse(const char *text, cJSON **out, char *why, size_t n);
/* Make db (a new station database in a drill realm) a drill of scenario
 * that started at started (seconds). Drill time runs speed times faster
 * than the wall clock from then: the db's clock and the now given to
 * drill_tick and drill_score are drill time. */
int drill_setup(struct db *db, const cJSON *scenario, int64_t started,
		int speed);
/* The scenario of a drill database: 1 with it, 0 not a drill. */
int drill_scenario(struct db *db, cJSON **scenario, int64_t *started,
		   int *speed);
/* Fire the injects whose time has come by now, as operations of the
 * pseudo-station "drill" through op_apply (a warning with the people of
 * the directory who must answer it). *fired counts them. A town's
 * database that joined a county-wide drill fires nothing. */
int drill_tick(struct db *db, int64_t now, int *fired);
/* Match each expected action with the operation log: the report object
 * {scenario, title, started, speed, actions: [{id, title, due, done_at,
 * by (the station that did it), status}], figures: {answer rate,
 * turnouts on time, average minutes to the first phone report}, score,
 * on_time, late, missed, ends, finished}. */
int drill_score(struct db *db, int64_t now, cJSON **report);

/* Give db (a drill database, after drill_setup, and drill_announce when
 * it runs a county-wide drill) the people of the live database live:
 * its directory, every station's duty roster and the county's settings,
 * as operations of the pseudo-station "drill" that keep the live ids
 * (contact.update, roster.update, setting.set), so that a warning in the
 * drill names the people of the live directory; and the county's risk
 * points (risk.put, by their live codes), without the people moved out
 * of them or their clearing, which the drill's officers do afresh. A town's database that
 * joined a county-wide drill gets them from the command station instead.
 * In either, this station's own records are numbered on from its live
 * ones', so no live id is made again. live is only read. */
int drill_copy_live(struct db *db, struct db *live);

/* County-wide drills: the database that runs one (a command station's,
 * with the link up in the drill's realm) or a town's that joined one. */
enum { DRILL_LOCAL, DRILL_COUNTY_RUN, DRILL_COUNTY_JOINED };
/* The kind of drill db holds (DRILL_LOCAL also for no drill at all). */
int drill_county(struct db *db);
/* Make db (a drill database set up by drill_setup) run a county-wide
 * drill: the setup becomes an operation of the pseudo-station "drill"
 * (kind drill.setup) waiting in the outbox, and so does every inject
 * drill_tick fires from now on, for the link to push to the realm. */
int drill_announce(struct db *db);
/* Mark db as a town's that joined a county-wide drill: drill_tick fires
 * nothing there (the injects arrive over the link) and the drill's
 * scenario, start and speed come with the drill.setup it pulls. */
int drill_join(struct db *db);

/* ---- risk points (风险点) ------------------------------------------------ */

/* The county's risk points, each a record by its code (1 to 32 letters,
 * digits, '-', '_', '.'): name, kind (risk_kinds: geological, torrent,
 * reservoir), town, village, people at risk, monitor (a contact); people
 * moved out of it (the sum of its evacuations) and when it was cleared
 * (the earliest clearing). */
#define RISK_PEOPLE_MAX 1000000
extern const char *const risk_kinds[];
/* A kind as typed: its code (any case) or a Chinese label (地质灾害,
 * 地灾, 山洪, 水库, 山塘 ...); NULL when it is none. */
const char *risk_kind_parse(const char *s);
/* A point named by its code (any case), or its whole name (Chinese, or
 * pinyin with spaces and case ignored) when one point alone has it: 1
 * with code_out set; 0 none (message set); negative error, DD_E_REFUSED
 * for a name two points share (the message lists them). */
int risk_find(struct db *db, const char *what, char code_out[64]);
/* Make or change point fields.code with the fields given (strings, as a
 * spreadsheet's cells: name, kind, town, village, people, monitor,
 * monitor_phone); only those that differ from what is held are
 * submitted. A code names the point held in any case, spaces around it
 * dropped. The monitor is the contact one of whose phones is
 * monitor_phone, else the contact named monitor; one not in the
 * directory with a phone is added as a risk_monitor of the point's town
 * in the same transaction. *changed: 0 nothing to change, 1 made, 2
 * changed. */
int risk_put(struct db *db, const cJSON *fields, int *changed);
/* Load a CSV of risk points (header: code, name, kind, town, village,
 * people, monitor, monitor_phone) in one transaction: all rows or none,
 * a bad row named by its line. A code held already is updated. ids gets
 * the codes made or changed, *made and *changed how many of each. */
int import_risks_csv(struct db *db, const char *path, int charset,
		     int64_t *count, int64_t *made, int64_t *changed,
		     cJSON *ids);
/* n people moved out of point (risk_find's names) now: id_out gets the
 * evacuation's id. Allowed with or without a response in force, and
 * after the point was cleared (people found later still count). */
int risk_evacuate(struct db *db, const char *point, int64_t n,
		  char id_out[64]);
/* Mark point cleared now (code gets its code); a point cleared already
 * is refused. */
int risk_clear(struct db *db, const char *point, char code[64]);
/* The live points (of town, NULL: all), sorted by town and code: id,
 * name, pinyin, kind, town, village, people, moved, cleared_at, monitor,
 * monitor_name, monitor_pinyin, monitor_phone. */
int risk_list(struct db *db, const char *town, cJSON **out);
/* One point as risk_list gives it, with its moves [{id, n, moved_at,
 * officer, station}] and the warnings that named it; 1 found, 0 not. */
int risk_get(struct db *db, const char *code, cJSON **out);
/* The risk points of town (NULL: the county): how many, how many
 * cleared, people at risk and people moved; for the board and the daily
 * report. */
int risk_town_counts(struct db *db, const char *town, int64_t *points,
		     int64_t *cleared, int64_t *people, int64_t *moved);
/* warning_issue_at naming risk points too (risks: an array of codes or
 * names; NULL or empty: none): the points' towns are warned with the
 * towns given, the points go with the warning (warning.risks) and their
 * monitors are among the people who must answer it, under their point's
 * town, all in one transaction. */
int warning_issue_risks(struct db *db, const char *hazard, const char *color,
			const char *text, const cJSON *towns,
			const cJSON *risks, int64_t at, char id_out[64]);

/* ---- import -------------------------------------------------------------- */

/* How the bytes of a file to import are read: CSV_AUTO as UTF-8 when
 * they are well-formed UTF-8 (a byte-order mark or not) and as GB18030
 * otherwise (what spreadsheets on Chinese Windows save); the others as
 * they say, whatever the bytes look like. */
enum { CSV_AUTO, CSV_UTF8, CSV_GB18030 };

/* Load a CSV ledger of incidents (header row names INCIDENT_FIELDS) in
 * one transaction; *count gets the rows loaded and ids (an array, or
 * NULL) their new ids in file order. On a bad row nothing is loaded, ids
 * is left empty, and the message names the line (the header is line 1)
 * and the field; bytes not in the charset are refused by line too. */
int import_incidents_csv(struct db *db, const char *path, int charset,
			 int64_t *count, cJSON *ids);

#endif
