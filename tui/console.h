/*
 * console.h - what the files of the full-screen console share: the
 * screen, the key table, the shared list view, the form, and the panes,
 * each a small table of functions and columns.
 */
#ifndef DUTYDESK_TUI_CONSOLE_H
#define DUTYDESK_TUI_CONSOLE_H

#include <stdint.h>

#include <curses.h>
#include <libintl.h>

#include "core/core.h"

#define _(s) gettext(s)
#define N_(s) (s)

/* ---- requests: every key maps to one through the key table ---- */

#define REQ_LIST(R) \
	R(NONE,      "") \
	R(QUIT,      N_("quit")) \
	R(HELP,      N_("keys of this pane")) \
	R(NEXT_PANE, N_("next pane")) \
	R(PREV_PANE, N_("previous pane")) \
	R(PANE_1,    N_("incidents")) \
	R(PANE_2,    N_("response levels")) \
	R(PANE_3,    N_("teams and dispatch")) \
	R(PANE_4,    N_("supplies")) \
	R(PANE_5,    N_("shelters")) \
	R(PANE_6,    N_("warnings and answers")) \
	R(PANE_7,    N_("duty log")) \
	R(PANE_8,    N_("people on duty")) \
	R(PANE_9,    N_("the county at a glance")) \
	R(UP,        N_("move up")) \
	R(DOWN,      N_("move down")) \
	R(PAGE_UP,   N_("page up")) \
	R(PAGE_DOWN, N_("page down")) \
	R(FIRST,     N_("first row")) \
	R(LAST,      N_("last row")) \
	R(ENTER,     N_("the whole record")) \
	R(FILTER,    N_("filter the list")) \
	R(COMMAND,   N_("command line (shell verbs)")) \
	R(REDRAW,    N_("repaint the screen")) \
	R(ADD,       N_("new record")) \
	R(EDIT,      N_("edit")) \
	R(STATUS,    N_("change status")) \
	R(REPORT,    N_("upward report")) \
	R(DISPATCH,  N_("dispatch a team")) \
	R(START,     N_("start a response")) \
	R(RAISE,     N_("raise the level")) \
	R(LOWER,     N_("lower the level")) \
	R(END,       N_("end the response")) \
	R(TICK,      N_("tick/untick the item")) \
	R(CHECKLIST, N_("into the checklist")) \
	R(BACK,      N_("back to the levels")) \
	R(RECEIVE,   N_("receive stock")) \
	R(ISSUE,     N_("issue stock")) \
	R(TRANSFER,  N_("transfer stock")) \
	R(COUNT,     N_("stocktake")) \
	R(OPEN,      N_("open or close")) \
	R(CHECKIN,   N_("check people in")) \
	R(CHECKOUT,  N_("check people out")) \
	R(ANSWER,    N_("record a town's answer")) \
	R(CALLBACKS, N_("towns to call back (silent too long)")) \
	R(CALLBACK,  N_("log a call-back to the town")) \
	R(WARNINGS,  N_("back to the warnings")) \
	R(ZERO,      N_("daily zero report")) \
	R(HANDOVER,  N_("shift handover")) \
	R(PRINT,     N_("print the handover sheet")) \
	R(SEEN,      N_("mark alerts seen")) \
	R(REFUSED,   N_("refused operations")) \
	R(VIEW,      N_("the next list of this pane")) \
	R(CALL,      N_("log a call")) \
	R(CALLER,    N_("save the caller as a contact")) \
	R(TOWN,      N_("show only this town in every pane")) \
	R(ALL_TOWNS, N_("show every town again")) \
	R(DATE,      N_("another day")) \
	R(DAILY,     N_("the daily report (p prints)")) \
	R(APPROVE,   N_("approve the request")) \
	R(DENY,      N_("refuse the request")) \
	R(SEND,      N_("send what was approved")) \
	R(ARRIVED,   N_("receive what was sent")) \
	R(EVACUATE,  N_("people moved out of the risk point")) \
	R(CLEAR,     N_("mark the risk point cleared")) \
	R(SIGN,      N_("sign a written report")) \
	R(SHEET,     N_("print a report sheet"))

enum req {
#define REQ_ENUM(name, help) REQ_##name,
	REQ_LIST(REQ_ENUM)
#undef REQ_ENUM
	REQ_N
};

const char *req_help(enum req r);

/* One row of a key table: the console's own in keys.c, and each pane's
 * in its pane_ops. A table ends with a row whose req is REQ_NONE. */
struct keymap {
	int ch;
	int is_key;       /* a curses KEY_ code rather than a character */
	enum req req;
	const char *name; /* how help shows the key; NULL: not shown */
};

struct pane_ops;

/* The request a key means in pane: its own keys first, then the
 * console's (pane NULL: the console's alone). */
enum req keys_lookup(const struct pane_ops *pane, int ch, int is_key);
/* The help text lines for pane, its own keys first, each "KEY\twhat it
 * does" (caller frees the lines and the array). */
char **keys_help(const struct pane_ops *pane, int *n);

/* ---- the shared list view ---- */

/* COL_TOWN: a town's code shown as its name in the reader's language;
 * COL_HAZARD: a hazard's code as its name; COL_ID: an id, shown whole
 * or not at all (a cut id typed back names nothing); COL_WIDE: only in
 * a window of WIDE_COLS columns or more. */
enum { COL_RIGHT = 1, COL_TIME = 2, COL_NAME = 4, COL_AGE = 8,
	COL_TOWN = 16, COL_HAZARD = 32, COL_ID = 64, COL_WIDE = 128 };
#define WIDE_COLS 100

struct column {
	const char *title;  /* N_() */
	const char *key;    /* field of the row object */
	int width;          /* display columns; 0: take what is left */
	int flags;
	enum words words;   /* a code of this catalogue, said in words */
};

struct view {
	cJSON *rows;         /* owned */
	int sel, top;        /* selected row, first visible row */
	int height;          /* rows shown at the last draw */
	char sel_id[64];     /* selection kept by id across reloads */
	char filter[128];
};

void view_set_rows(struct view *v, cJSON *rows);
/* Drop from rows (an array, kept and returned) those whose fields named
 * in find (NULL-terminated) do not hold the text of v->filter; an empty
 * filter keeps them all. "name" is searched as the terminal shows it
 * (console_name). A pane's load passes its rows through here. While the
 * console shows one town (console_town_only), it drops too the rows of
 * other towns: a row whose "town_codes" (codes between spaces) lacks
 * the town's, else whose "town" is another town's code (or null); a
 * row with neither (a county-wide one) stays. */
cJSON *view_filter(const struct view *v, const char *const *find,
		   cJSON *rows);
void view_move(struct view *v, enum req r, int height);
const cJSON *view_selected(const struct view *v);
/* Draw header and rows into win; style(row) gives attributes per row. */
void view_draw(struct view *v, WINDOW *win, const struct column *cols,
	       int (*style)(const cJSON *row, void *ctx), void *ctx);
/* Start the area under a pane's list, its last lines of win: a rule on
 * its first line and the rest cleared. Returns the rule's line. */
int view_rule(WINDOW *win, int lines);

/* ---- text ---- */

/* Write s into win at the cursor, cut to width display columns (never
 * inside a character), padded with spaces when pad is set. In a
 * Chinese legacy charset (GB18030, GBK) curses writes each character in
 * it; what the terminal cannot show (all but ASCII in an ASCII locale)
 * is written as pinyin or an ASCII stand-in. */
void text_put(WINDOW *win, const char *s, int width, int pad);
/* wrap.c: text in rows that fit width columns (as text_put() measures
 * them; ascii: as an ASCII terminal shows it), for the pages over the
 * panes: a row too long goes on below, never cut. Lines end at \n; with
 * labels, a line "label\tvalue" puts its value in the column after the
 * widest label (at most label_max wide) and its next rows under it; a
 * line's leading spaces indent its next rows too. 0, or -1 out of
 * memory. wrap_free() frees the rows. */
struct wrap {
	char **line;
	int n;
};
int wrap_text(struct wrap *w, const char *text, int width, int labels,
	      int label_max, int ascii);
void wrap_free(struct wrap *w);
/* Choose how text is shown from the locale's charset: UTF-8, another
 * multibyte charset, or ASCII. term.c calls it as the console starts. */
void text_init(void);
/* The display width of the first n characters of w, as text_put shows
 * them. */
int text_wcs_width(const wchar_t *w, size_t n);
/* UTF-8 into wide characters and back, whatever the locale: out gets
 * at most n - 1 of them (bytes), and a NUL; returns how many. */
size_t text_to_wcs(wchar_t *out, size_t n, const char *s);
size_t text_from_wcs(char *out, size_t n, const wchar_t *w, size_t len);
/* The terminal can show Chinese (in UTF-8 or a legacy charset): set by
 * text_init(); when not, names show in pinyin and text in ASCII. */
extern int console_utf8;

/* ---- forms ---- */

/* FT_LONG: a text of up to 4000 characters (a report's), edited on its
 * one line that scrolls with the cursor; other texts take 200. */
enum ftype_ui { FT_TEXT, FT_INT, FT_TIME, FT_CHOICE, FT_PICK, FT_PICKS,
		FT_LONG };

struct form_field {
	const char *label;     /* N_() */
	const char *key;       /* key in the values object */
	int type;
	int required;
	/* FT_CHOICE: the accepted words; NULL: the strings of the array
	 * under this field's key in the form's ctx (words known at open). */
	const char *const *choices;
	/* FT_PICK (one record) and FT_PICKS (several, by commas): what is
	 * picked (enum ref) from a list that typing narrows, and the key of
	 * the form's ctx whose value ref_list() takes as near (NULL: none).
	 * The submit gets the codes. */
	int ref;
	const char *near;
};

/* values: what was typed, a JSON object of strings keyed by field key;
 * ctx: the form's copy of the ctx it was opened with (NULL: none). */
typedef int form_submit_fn(cJSON *values, char *msg, size_t n,
			   const cJSON *ctx);

/* Open a modal form. Enter on the last field (or F2) submits through fn;
 * a refusal keeps the form open with the message; Esc cancels. The form
 * keeps a copy of ctx, what its submit needs besides the values (the
 * row it acts on, say), and frees it when it closes. */
void form_open(const char *title, const struct form_field *fields,
	       const cJSON *initial, form_submit_fn *fn, const cJSON *ctx);
int form_active(void);
void form_key(int ch, int is_key);
void form_draw(void);
/* The half-typed form as JSON (title and values) to keep as a draft,
 * or NULL when no form is open. Caller frees. */
cJSON *form_snapshot(void);
/* A draft kept from a form the link dropped under (form takes it; NULL
 * drops it): the next form of the same title opens with its values. */
void form_offer_draft(cJSON *draft);
void form_close(void);
/* Called as the cursor leaves field key of the open form, with what is
 * typed so far: it returns the fields to fill in (a JSON object of
 * strings; NULL: none), of which the form takes those still empty, and
 * may say why in msg. Set after form_open(); the form forgets it when it
 * closes. */
typedef cJSON *form_leave_fn(const char *key, const cJSON *values,
			     char *msg, size_t n);
void form_on_leave(form_leave_fn *fn);
/* For submit functions: put core's message for rc into msg, return rc. */
int form_refused(int rc, char *msg, size_t n);
/* The string value of key in a form's values ("" when absent). */
const char *form_value(const cJSON *values, const char *key);

/* ---- panes ---- */

struct pane;

struct pane_ops {
	const char *title;       /* N_() */
	const struct column *cols;
	/* The row fields the '/' filter searches (see view_filter). */
	const char *const *find;
	/* The pane's own keys, looked up before the console's. */
	const struct keymap *keys;
	/* Read the rows to show from core (called when data changed),
	 * through view_filter. */
	cJSON *(*load)(struct pane *p);
	/* A pane request on the selected row; 0 handled, -1 not a pane key. */
	int (*key)(struct pane *p, enum req r);
	/* Extra lines drawn under the list (checklist, detail), optional. */
	void (*draw_extra)(struct pane *p, WINDOW *win);
	int (*style)(const cJSON *row, void *ctx);
	int extra_lines;
};

struct pane {
	const struct pane_ops *ops;
	struct view view;
	WINDOW *win;
	int dirty;      /* data to reload */
	int redraw;     /* screen to redraw */
};

extern const struct pane_ops pane_incidents, pane_response, pane_teams,
	pane_supplies, pane_shelters, pane_warnings, pane_log;
/* The people on duty (pane_people.c): one pane that shows the
 * directory, the roster or the call log, v going from one to the next. */
extern const struct pane_ops pane_directory, pane_roster, pane_calls;

/* Open the form that saves a person in the directory, with what is
 * known of them already (name, phones, unit, town; NULL: nothing). */
void pane_contact_add(const cJSON *initial);
/* The warnings pane's other face (pane_warnings.c): the towns silent
 * past their limit, to call back. b swaps the pane's ops between the
 * two. */
extern const struct pane_ops pane_callbacks;

/* The county picture, pane 9 (pane_county.c): one pane that shows one
 * of its lists, v going from one to the next (county_view_next). */
extern const struct pane_ops *const county_views[];
void county_view_next(struct pane *p);
/* The town board, */
extern const struct pane_ops pane_board;
/* The display cells of a row of board_rows (casualties, shelter, risk,
 * moved, heard: its last-heard age at now, or that it never was), which
 * the pane and `dutydesk board` show alike. */
void board_cells(cJSON *row, int64_t now);

/* disaster statistics (pane_stats.c): the figures of a duty day per
 * town and the county total; e sets a town's, d goes to another day.
 * pane_stats_record writes a town's page (Enter): each figure with who
 * reported it, when and why. */
extern const struct pane_ops pane_stats;
int pane_stats_record(struct db *db, const cJSON *row, FILE *f, char *title,
		      size_t tn, char *name, size_t nn);

/* requests between levels, */
extern const struct pane_ops pane_requests;
/* The page of a request and its steps (Enter; record.c's table). */
int pane_request_record(struct db *db, const cJSON *row, FILE *f,
			char *title, size_t tn, char *name, size_t nn);

/* risk points (pane_risk.c). */
extern const struct pane_ops pane_risk;


/* Open the dispatch form of a team, which asks for the incident, or of
 * an incident (team NULL), which asks for the team: the one form that
 * the teams and the incidents panes share. */
void pane_dispatch(const char *team, const char *incident);
/* Incident id's written reports to sign (the sign-off form), and its
 * latest report's sheet to print: the incidents pane's S and p, also
 * on the incident's record page. */
void incident_sign_open(const char *id);
void incident_print_report(const char *id);

/* ---- the console itself ---- */

struct db *console_db(void);
/* A one-line message on the bottom line (error or confirmation). */
void console_msg(int error, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* After this console changed data: every pane reloads. */
void console_changed(void);
/* Ring the bell for something that needs the officer (if enabled). */
void console_alert(const char *what);
/* Now, in seconds, from the loop's clock. */
int64_t console_now(void);
/* The drill's clock while a console runs a drill (pauses and all), for
 * the verbs its ':' command line runs; NULL otherwise. */
const struct dd_clock *console_clock(void);
/* A name as this terminal can show it (Chinese or pinyin). */
const char *console_name(const cJSON *row);
/* A town's code as the reader says it: its Chinese name without 街道,
 * 镇 or 乡 (short) or whole, in Chinese on a terminal that shows it;
 * the code otherwise, and for a code no town has. */
const char *console_town(const char *code, int shortname);
/* console_town on db (a sheet, a shell verb: not the console's). */
const char *names_town(struct db *db, const char *code, int shortname);
/* A hazard's code as its Chinese name in a Chinese console that shows
 * it; the code otherwise (and when no checklist names it). */
const char *console_hazard(const char *code);
/* The database file, for files written beside it. */
const char *console_dbpath(void);
/* The console's town filter: the town (a code) every pane shows alone,
 * chosen on the town board; NULL when every town shows. Setting it (NULL
 * or "": every town) reloads every pane and the status line says it. */
const char *console_town_only(void);
void console_town_only_set(const char *town);

/* What the shell hands the console when it opens it. */
struct console_args {
	const char *dbpath;
	const char *officer;
	/* A drill's report goes to PATH.txt and PATH.json; NULL: beside the
	 * database, DBPATH.report.txt and .json. */
	const char *drill_report;
	int report_gb18030;     /* the text report in GB18030, not UTF-8 */
	FILE *err;              /* why the console cannot open (the shell's
				 * stream for messages) */
};

int console_main(const struct console_args *args);

/* ---- the console's own state, shared by its files ---- */

#define CONSOLE_PANES 9

struct link;

/* The overlays over the panes (overlay.c). */
enum overlay { OVERLAY_NONE, OVERLAY_HELP, OVERLAY_REFUSALS, OVERLAY_PAGE,
	       OVERLAY_N };

/* One console runs at a time; console.c owns it (with the loop and its
 * handles) and hands it to the other console files (term.c keeps the
 * terminal's own state). */
struct console_state {
	struct db *db;
	struct link *link;      /* NULL: no server set */
	char dbpath[4096];
	char officer[64];       /* the officer on duty, from the roster */
	struct station_info si;
	int64_t data_version;
	int64_t last_minute;
	int counted;            /* the first counts are taken */
	int quit;
	/* Panes and layout (layout.c). */
	struct pane panes[CONSOLE_PANES];
	int cur;                /* the pane with the focus */
	int slot[4];            /* wide layout: pane shown in each quadrant */
	int wide, too_small;
	WINDOW *status, *tabs, *msgwin;
	int status_dirty, all_dirty;
	/* The bottom line: a message, or the prompt (prompt.c). */
	char msg[256];
	int msg_err, msg_dirty;
	int prompt;             /* 0, ':' or '/' while the bottom line edits */
	char line[256];
	size_t line_len;
	/* Overlays over the panes (overlay.c). */
	enum overlay overlay;   /* the one shown, or none */
	cJSON *refusals;        /* the refusals overlay: its rows */
	int refusals_top;       /* its first row shown */
	int64_t refusals_upto;  /* the newest of them (what x marks seen) */
	char *page;             /* the page overlay: its text (owned) */
	char page_title[160];
	char page_name[80];     /* p writes it to DBPATH.NAME.txt */
	int page_labels;        /* "label\tvalue" lines line their values up */
	int page_top;           /* its first line shown */
	struct wrap page_rows;  /* the page wrapped at page_width, kept
				 * until the width or the page changes */
	int page_width;
	/* What p does on the page instead of writing it beside the
	 * database (NULL: that); overlay_page() clears it. */
	void (*page_print)(struct console_state *c);
	/* Alerts and the bell (alert.c), and what the status line shows. */
	int bell;               /* 0 off, 1 on, 2 quiet at night */
	int alerts;             /* alerts not yet seen */
	int64_t refused_known;  /* the link's refusal count at the last look */
	char top_level[64];     /* highest level in force and its progress */
	struct duty_counts counts; /* what needs the officer, last seen */
	char town_only[32];     /* the town filter ("": every town) */
	cJSON *silent_seen;     /* the call-back list as last seen, keyed
				 * WARNING/TOWN: a town new on it is
				 * called out */
	cJSON *requests_seen;   /* requests late as last seen, keyed by
				 * id: one new on it is called out */
	/* A drill (drill.c): its clock runs speed times faster from the
	 * start, less the pauses. */
	int drill, drill_speed, drill_paused, drill_over;
	int drill_county;       /* DRILL_COUNTY_RUN or _JOINED: over the link */
	int64_t drill_start_ms, drill_real0_ms, drill_pause_ms, drill_paused_at;
	int64_t drill_ends;
	struct dd_clock drill_clock;
	char drill_report[4096];
	int report_gb18030;
};

/* term.c: the terminal. Start curses on it (colours, key timing, the
 * restore on every exit and on a fatal signal); 0, or -1 after saying
 * why on stderr. */
int term_start(FILE *err);
/* Give the terminal back as it was: curses off, fd 0 blocking again. */
void term_restore(void);
/* The terminal is gone (SIGHUP): nothing left to repaint on exit. */
void term_hangup(void);

/* layout.c: the windows for the terminal's size. One pane with its
 * tabs at 80x24, four at 160x48 and up, a notice when too small. */
void layout_make(struct console_state *c);
void layout_free(struct console_state *c);
/* The terminal changed size (SIGWINCH): read it and lay out again. */
void layout_resize(struct console_state *c);
/* Pane i is on the screen. */
int layout_visible(const struct console_state *c, int i);
void layout_draw_tabs(struct console_state *c);
void layout_draw_small(void);

/* status.c: the top line. */
void status_draw(struct console_state *c);
/* Find the highest response level in force again. */
void status_refresh_level(struct console_state *c);

/* overlay.c: a window over the panes that takes the keys until it
 * closes: the keys of a pane (?), the server's refusals (R), or a page
 * of text (a whole record, a verb's output). */
/* Show one; 0 when shown, -1 when there is nothing to show (the
 * message line says why). */
int overlay_open(struct console_state *c, enum overlay which);
/* Show text (UTF-8, lines ended by \n) on a page over the panes that
 * scrolls, wrapped at its width, never cut; title goes on its frame,
 * and p writes it to DBPATH.NAME.txt (name: letters, digits, - and _).
 * With labels, a line "label\tvalue" shows the value beside the label,
 * every value of the page starting in one column. 0 or -1. */
int overlay_page(struct console_state *c, const char *title,
		 const char *text, const char *name, int labels);
void overlay_key(struct console_state *c, int ch, int is_key);
void overlay_draw(struct console_state *c);
/* Free what the overlay holds (at the console's end). */
void overlay_free(struct console_state *c);

/* sheet_daily.c: D shows the daily report of the duty day now on a
 * page; p there prints it (console_printer) with a copy beside the
 * database, DBPATH.daily-DATE.txt. */
void daily_open(struct console_state *c);
/* pane_log.c: the printer command, DUTYDESK_PRINT (a command that reads
 * the sheet on its stdin), else lpr when it is on PATH; NULL: none. */
const char *console_printer(void);

/* record.c: Enter shows the whole record of the selected row of the
 * pane in focus on a page (overlay_page); 0, or -1 with the message
 * line saying why not. */
int record_open(struct console_state *c);
/* Incident id's record, as "label\tvalue" lines (wrap_text lays them
 * out): what `incident show` prints. 0, or the error. */
int record_incident(struct db *db, const char *id, FILE *f);

/* alert.c: what needs the officer rings the bell (DUTYDESK_BELL: on,
 * off, night-off) and is counted until x. */
void alert_init(struct console_state *c);
void alert_ring(struct console_state *c, const char *what);
/* Ring for what arrived or went late since the last look; announce 0
 * only moves the baseline. */
void alert_check(struct console_state *c, int announce);
/* The first counts, the baseline: only an incident newer than the one
 * the first screen showed (counts.newest, kept at the start) rings. */
void alert_baseline(struct console_state *c);
/* Ring when the server refused more of this station's operations. */
void alert_check_refused(struct console_state *c);
void alert_seen(struct console_state *c);

/* prompt.c: the bottom line, and the ':' and '/' prompt on it. */
void prompt_start(struct console_state *c, int which);
/* A key while the prompt is open; 1 when a ':' line ran (data may have
 * changed, the station may have a server now), else 0. */
int prompt_key(struct console_state *c, int ch, int is_key);
void prompt_draw(struct console_state *c);

/* draft.c: a half-typed form kept in DBPATH.draft when the console is
 * stopped or its terminal hangs up, and offered at the next start (the
 * form keeps the offered draft until a form of its title opens). */
void draft_save(const char *dbpath);
void draft_load(const char *dbpath);
/* After reading the keys: 1 when the terminal is gone (the input's
 * poll status < 0, or it hung up), with the draft kept. */
int draft_terminal_gone(const char *dbpath, int status);

/* drill.c: the console on a drill database runs on the drill's clock. */
void drill_clock_start(struct console_state *c,
		       const struct console_args *args);
/* A turn of the loop: injects whose time has come, and at the end the
 * report, written once. */
void drill_clock_turn(struct console_state *c);
/* ':drill pause' and ':drill resume' (verb is what follows "drill ");
 * 0 done, 1 refused, -1 not a verb of the drill's clock. */
int drill_clock_command(struct console_state *c, const char *verb,
			char *msg, size_t n);

#endif
