/*
 * console.c - the full-screen console: one thread, one libuv loop. Keys
 * come through uv_poll on stdin, the size through SIGWINCH, the clock and
 * outside changes through a one-second timer; each turn of the loop draws
 * what changed once, from a uv_prepare callback.
 */
#include "tui/console.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "sync/client.h"
#include "tui/tui.h"

#define NPANES 7
#define MIN_COLS 80
#define MIN_LINES 24

void form_offer_draft(cJSON *draft);

static const struct pane_ops *const pane_table[NPANES] = {
	&pane_incidents, &pane_response, &pane_teams, &pane_supplies,
	&pane_shelters, &pane_warnings, &pane_log,
};

static struct console {
	uv_loop_t loop;
	uv_poll_t input;
	uv_signal_t winch, term, hup, intr;
	uv_timer_t tick;
	uv_prepare_t draw;
	struct db *db;
	struct link *link;      /* NULL: no server set */
	char dbpath[4096];
	struct station_info si;
	struct pane panes[NPANES];
	int cur;                /* the pane with the focus */
	int slot[4];            /* wide layout: pane shown in each quadrant */
	int wide, too_small;
	WINDOW *status, *tabs, *msgwin;
	char msg[256];
	int msg_err, msg_dirty, status_dirty, all_dirty;
	int64_t data_version;
	int64_t last_minute;
	int fd_flags;
	int curses_on;
	int help;               /* the help overlay is shown */
	cJSON *refusals;        /* the refusals overlay is shown: its rows */
	int refusals_top;       /* its first row shown */
	int64_t refusals_upto;  /* the newest of them (what x marks seen) */
	int64_t refused_known;  /* the link's count at the last look */
	int prompt;             /* 0, ':' or '/' while the bottom line edits */
	char line[256];
	size_t line_len;
	int bell;               /* 0 off, 1 on, 2 quiet at night */
	int alerts;             /* alerts not yet seen */
	char top_level[32];     /* highest level in force, for the status */
	struct duty_counts counts; /* what needs the officer, last seen */
	/* A drill: its clock runs speed times faster from the start. */
	int drill, drill_speed, drill_paused, drill_over;
	int drill_county;       /* DRILL_COUNTY_RUN or _JOINED: over the link */
	int64_t drill_start_ms, drill_real0_ms, drill_pause_ms, drill_paused_at;
	int64_t drill_ends;
	struct dd_clock drill_clock;
	int counted;
	int quit;
} C;

static void refresh_top_level(void);
static void check_alerts(int announce);
static void open_link(void);
static void check_refused(void);

/* ---- what panes and forms call ---- */

struct db *
console_db(void)
{
	return C.db;
}

const char *
console_dbpath(void)
{
	return C.dbpath;
}

char console_drill_report[4096];

static int64_t
real_ms(void)
{
	return clock_real.now_ms(clock_real.ctx);
}

/* Drill time: from the start, speed times the wall clock, less pauses. */
static int64_t
drill_now_ms(void *ctx)
{
	int64_t real = C.drill_paused ? C.drill_paused_at : real_ms();

	(void)ctx;
	return C.drill_start_ms + (real - C.drill_real0_ms - C.drill_pause_ms) *
	       C.drill_speed;
}

const struct dd_clock *
console_clock(void)
{
	return C.drill && C.db ? &C.drill_clock : NULL;
}

int64_t
console_now(void)
{
	return C.drill ? drill_now_ms(NULL) / 1000 : (int64_t)time(NULL);
}

const char *
console_name(const cJSON *row)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(row, "name");
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(row, "pinyin");

	if (console_utf8 && cJSON_IsString(n) && *n->valuestring)
		return n->valuestring;
	if (cJSON_IsString(p) && *p->valuestring)
		return p->valuestring;
	return cJSON_IsString(n) ? n->valuestring : "";
}

void
console_msg(int error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(C.msg, sizeof C.msg, fmt, ap);
	va_end(ap);
	C.msg_err = error;
	C.msg_dirty = 1;
	if (error && C.bell)
		beep();
}

void
console_changed(void)
{
	int i;

	for (i = 0; i < NPANES; i++)
		C.panes[i].dirty = 1;
	C.status_dirty = 1;
	if (C.db) {
		db_data_version(C.db, &C.data_version);
		refresh_top_level();
		check_alerts(0);
	}
	/* What the officer just did goes to the server at once. */
	if (C.link)
		link_poke(C.link);
}

/* The link applied operations from elsewhere: show them now, and call
 * out what needs the officer, as for any outside change. */
static void
link_changed(void *ctx)
{
	int i;

	(void)ctx;
	for (i = 0; i < NPANES; i++)
		C.panes[i].dirty = 1;
	C.status_dirty = 1;
	db_data_version(C.db, &C.data_version);
	refresh_top_level();
	check_alerts(C.counted);
	check_refused();
}

static void
open_link(void)
{
	struct link_status st;
	int rc;

	if (C.link)
		return;
	rc = link_open(&C.loop, C.dbpath, db_officer(C.db), &C.link,
		       link_changed, NULL);
	if (rc) {
		console_msg(1, _("no link to the server: %s"), dd_strerror(rc));
		return;
	}
	if (!C.link)
		return;
	/* Refusals left from before this shift: said once, not rung. */
	link_status(C.link, &st);
	C.refused_known = st.refused;
	if (st.refused > 0 && !C.msg[0])
		console_msg(0, _("the server refused %lld operation(s) not yet "
				 "seen: R lists them"), (long long)st.refused);
}

/* The server refused more of our operations: call the officer, who
 * opens the list with R. */
static void
check_refused(void)
{
	struct link_status st;
	char what[160];

	if (!C.link)
		return;
	link_status(C.link, &st);
	if (st.refused > C.refused_known) {
		snprintf(what, sizeof what, _("the server refused %lld "
			 "operation(s): R lists them"),
			 (long long)(st.refused - C.refused_known));
		C.refused_known = st.refused;
		console_alert(what);
	}
	if (st.refused != C.refused_known) {
		C.refused_known = st.refused;
		C.status_dirty = 1;
	}
}

/* The link as the status line shows it. */
static void
link_text(char *buf, size_t n)
{
	struct link_status st;
	char since[8] = "--:--";
	struct tm tm;
	time_t t;
	size_t len;

	if (!C.link) {
		snprintf(buf, n, "%s", _("no server"));
		return;
	}
	link_status(C.link, &st);
	switch (st.state) {
	case LINK_ONLINE:
		if (st.queued)
			snprintf(buf, n, _("online, %lld queued"), (long long)st.queued);
		else
			snprintf(buf, n, "%s", _("online"));
		break;
	case LINK_STOPPED:
		snprintf(buf, n, _("stopped: %s"), st.message);
		break;
	default:
		t = (time_t)st.offline_since;
		if (t && localtime_r(&t, &tm))
			strftime(since, sizeof since, "%H:%M", &tm);
		snprintf(buf, n, _("offline since %s, %lld queued"), since,
			 (long long)st.queued);
	}
	len = strlen(buf);
	if (st.skew_known && (st.skew_ms > 2000 || st.skew_ms < -2000) &&
	    len < n)
		snprintf(buf + len, n - len, _(", clock %+llds from server"),
			 (long long)(st.skew_ms / 1000));
}

static int
night(void)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_hour >= 22 || tm.tm_hour < 7;
}

void
console_alert(const char *what)
{
	C.alerts++;
	C.status_dirty = 1;
	if (C.bell == 1 || (C.bell == 2 && !night()))
		beep();
	console_msg(0, "%s %s", _("ATTENTION:"), what);
}

/* ---- the terminal ---- */

static void
restore_terminal(void)
{
	if (C.curses_on) {
		endwin();
		C.curses_on = 0;
	}
	/* libuv made fd 0 non-blocking; the shell after us expects it not. */
	if (C.fd_flags >= 0)
		fcntl(0, F_SETFL, C.fd_flags);
}

static void
windows_free(void)
{
	int i;

	for (i = 0; i < NPANES; i++) {
		if (C.panes[i].win)
			delwin(C.panes[i].win);
		C.panes[i].win = NULL;
		C.panes[i].redraw = 1;
	}
	if (C.status)
		delwin(C.status);
	if (C.tabs)
		delwin(C.tabs);
	if (C.msgwin)
		delwin(C.msgwin);
	C.status = C.tabs = C.msgwin = NULL;
}

static void
layout(void)
{
	int i, h, w, ph;

	C.too_small = COLS < MIN_COLS || LINES < MIN_LINES;
	C.wide = COLS >= 160 && LINES >= 48;
	windows_free();
	clearok(curscr, TRUE);
	C.all_dirty = C.status_dirty = C.msg_dirty = 1;
	if (C.too_small)
		return;
	C.status = newwin(1, COLS, 0, 0);
	C.tabs = newwin(1, COLS, 1, 0);
	C.msgwin = newwin(1, COLS, LINES - 1, 0);
	ph = LINES - 3;
	if (!C.wide) {
		C.panes[C.cur].win = newwin(ph, COLS, 2, 0);
		return;
	}
	/* Four panes at once: two rows of two. */
	h = ph / 2;
	w = COLS / 2;
	for (i = 0; i < 4; i++) {
		struct pane *p = &C.panes[C.slot[i]];
		p->win = newwin(i < 2 ? h : ph - h, i % 2 ? COLS - w : w - 1,
				2 + (i < 2 ? 0 : h), i % 2 ? w : 0);
	}
}

static int
visible(int i)
{
	int k;

	if (C.too_small)
		return 0;
	if (!C.wide)
		return i == C.cur;
	for (k = 0; k < 4; k++)
		if (C.slot[k] == i)
			return 1;
	return 0;
}

static void
show_pane(int i)
{
	int k;

	if (i < 0 || i >= NPANES)
		return;
	if (C.wide) {
		for (k = 0; k < 4 && C.slot[k] != i; k++)
			;
		if (k == 4) {
			/* Put it where the focus is. */
			for (k = 0; k < 4 && C.slot[k] != C.cur; k++)
				;
			if (k == 4)
				k = 0;
			C.slot[k] = i;
		}
	}
	C.cur = i;
	C.help = 0;
	layout();
}

/* ---- drawing ---- */

/* The status line's clock: the date too when it fits (width is what the
 * rest of the line takes). */
static void
status_clock(char *out, size_t n, int width)
{
	time_t t = (time_t)console_now();
	struct tm tm;
	size_t k;

	localtime_r(&t, &tm);
	strftime(out, n, width + 19 + 10 <= COLS ? "%Y-%m-%d %H:%M:%S"
		 : "%H:%M:%S", &tm);
	k = strlen(out);
	if (C.drill)
		snprintf(out + k, n - k, " x%d%s", C.drill_speed, C.drill_paused
			 ? _(" PAUSED") : C.drill_over ? _(" OVER") : "");
}

static void
draw_status(void)
{
	char clock[40], buf[512], link[200];
	int used;

	werase(C.status);
	wattrset(C.status, A_REVERSE);
	wmove(C.status, 0, 0);
	if (strcmp(C.si.realm, "live") != 0) {
		wattron(C.status, A_BOLD | A_BLINK);
		waddstr(C.status, " DRILL");
		wattroff(C.status, A_BLINK);
		wattron(C.status, A_REVERSE);
	}
	link_text(link, sizeof link);
	snprintf(buf, sizeof buf, " %s | ", C.si.station);
	text_put(C.status, buf, COLS, 0);
	/* Operations the server refused stay here, applied locally: the
	 * officer must know, so the count comes first, where 80 columns
	 * never cut it, until someone has looked at them (R). */
	if (C.link) {
		struct link_status st;
		link_status(C.link, &st);
		if (st.refused > 0) {
			snprintf(buf, sizeof buf, _("%lld REFUSED (R)"),
				 (long long)st.refused);
			wattron(C.status, A_BOLD);
			text_put(C.status, buf, COLS, 0);
			wattroff(C.status, A_BOLD);
			text_put(C.status, " | ", COLS, 0);
		}
	}
	/* What comes first must show at 80 columns: the link's state in a
	 * drill too, so the date goes when the line is full. */
	snprintf(buf, sizeof buf, "%s %s | %s | %s %s | %s", _("officer"),
		 db_officer(C.db), "00:00:00", _("level"), C.top_level[0]
		 ? C.top_level : _("none"), link);
	used = getcurx(C.status) + text_width(buf) - 8;
	status_clock(clock, sizeof clock, used);
	snprintf(buf, sizeof buf, "%s %s | %s | %s %s | %s", _("officer"),
		 db_officer(C.db), clock, _("level"), C.top_level[0]
		 ? C.top_level : _("none"), link);
	text_put(C.status, buf, COLS, 0);
	if (C.counts.phone_late + C.counts.written_late +
	    C.counts.unanswered_late > 0) {
		snprintf(buf, sizeof buf, " | %s %lld", _("LATE"), (long long)(
			 C.counts.phone_late + C.counts.written_late +
			 C.counts.unanswered_late));
		wattron(C.status, A_BOLD);
		text_put(C.status, buf, COLS, 0);
	}
	if (C.alerts) {
		snprintf(buf, sizeof buf, " | %d %s", C.alerts, _("alert(s): x"));
		wattron(C.status, A_BOLD);
		text_put(C.status, buf, COLS, 0);
	}
	/* A county-wide drill's realm, for the towns to join: last, as it
	 * was also said when the drill began. */
	if (C.drill_county) {
		wattrset(C.status, A_REVERSE);
		snprintf(buf, sizeof buf, " | %s", C.si.realm);
		text_put(C.status, buf, COLS, 0);
	}
	{
		int y, x;
		getyx(C.status, y, x);
		(void)y;
		while (x++ < COLS)
			waddch(C.status, ' ');
	}
	wattrset(C.status, A_NORMAL);
	wnoutrefresh(C.status);
}

static void
draw_tabs(void)
{
	int i;

	werase(C.tabs);
	wmove(C.tabs, 0, 0);
	for (i = 0; i < NPANES; i++) {
		char buf[64];
		snprintf(buf, sizeof buf, " %d %s ", i + 1, _(pane_table[i]->title));
		if (i == C.cur)
			wattron(C.tabs, A_REVERSE | A_BOLD);
		else if (visible(i))
			wattron(C.tabs, A_BOLD);
		text_put(C.tabs, buf, COLS, 0);
		wattrset(C.tabs, A_NORMAL);
	}
	wnoutrefresh(C.tabs);
}

static void
draw_msg(void)
{
	werase(C.msgwin);
	wmove(C.msgwin, 0, 0);
	if (C.prompt) {
		char buf[300];
		snprintf(buf, sizeof buf, "%c%s", C.prompt, C.line);
		text_put(C.msgwin, buf, COLS - 1, 0);
		curs_set(1);
	} else {
		if (C.msg_err)
			wattron(C.msgwin, A_BOLD);
		text_put(C.msgwin, C.msg[0] ? C.msg
			 : _("? keys  Tab/1-7 panes  : command  q quit"), COLS - 1, 0);
		wattroff(C.msgwin, A_BOLD);
	}
	wnoutrefresh(C.msgwin);
}

static void
draw_help(void)
{
	int n, i, h = LINES - 4, w = COLS - 8;
	char **lines = keys_help(pane_table[C.cur], &n);
	WINDOW *win = newwin(h, w, 2, 4);

	if (!win || !lines)
		goto out;
	werase(win);
	/* ASCII borders: box-drawing characters have an ambiguous width
	 * and misalign in many Chinese SSH clients. */
	wborder(win, '|', '|', '-', '-', '+', '+', '+', '+');
	wattron(win, A_BOLD);
	mvwaddstr(win, 0, 2, " ");
	text_put(win, _(pane_table[C.cur]->title), w - 6, 0);
	waddstr(win, ": ");
	text_put(win, _("keys (any key closes)"), w - 20, 0);
	wattroff(win, A_BOLD);
	/* Two columns when they do not fit in one. */
	for (i = 0; i < n; i++) {
		int col = i / (h - 2), row = i % (h - 2);
		if (col > 1)
			break;
		wmove(win, 1 + row, 2 + col * (w / 2));
		text_put(win, lines[i], w / 2 - 3, 0);
	}
	/* The realm of a county-wide drill, which the status line may not
	 * have room for: how the towns join stays one key away. */
	if (C.drill_county) {
		char buf[160];
		snprintf(buf, sizeof buf, _(" towns join: dutydesk drill join %s "),
			 C.si.realm);
		wmove(win, h - 1, 2);
		wattron(win, A_BOLD);
		text_put(win, buf, w - 4, 0);
		wattroff(win, A_BOLD);
	}
	wnoutrefresh(win);
out:
	for (i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
	if (win)
		delwin(win);
}

/* A string member of a refusal, or "?" (an operation no longer held). */
static const char *
refusal_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : "?";
}

/* The refusals overlay: two lines per refusal (what was refused, then
 * why), so the reason is whole even at 80 columns. */
static void
draw_refusals(void)
{
	int h = LINES - 4, w = COLS - 8, n = cJSON_GetArraySize(C.refusals);
	int fresh = 0, per = (h - 4) / 2, i = 0, row = 0;
	WINDOW *win = newwin(h, w, 2, 4);
	const cJSON *o;
	char buf[400];

	if (!win)
		return;
	cJSON_ArrayForEach(o, C.refusals)
		fresh += !cJSON_IsTrue(cJSON_GetObjectItem(o, "seen"));
	werase(win);
	wborder(win, '|', '|', '-', '-', '+', '+', '+', '+');
	wattron(win, A_BOLD);
	wmove(win, 0, 2);
	snprintf(buf, sizeof buf, _(" operations the server refused: %d, %d "
				    "new "), n, fresh);
	text_put(win, buf, w - 4, 0);
	wattroff(win, A_BOLD);
	cJSON_ArrayForEach(o, C.refusals) {
		const cJSON *seq = cJSON_GetObjectItem(o, "seq");
		int seen = cJSON_IsTrue(cJSON_GetObjectItem(o, "seen"));
		char when[20] = "-";
		int64_t t;

		if (i++ < C.refusals_top)
			continue;
		if (row >= per)
			break;
		if (time_parse_iso(refusal_str(o, "at"), &t) == 0)
			time_format_local(t, when);
		snprintf(buf, sizeof buf, "%s %s %.0f  %s  %s  %s  [%s]",
			 seen ? " " : "*", _("seq"), cJSON_IsNumber(seq)
			 ? seq->valuedouble : 0, when, refusal_str(o, "kind"),
			 refusal_str(o, "entity"), refusal_str(o, "code"));
		wmove(win, 2 + row * 2, 2);
		if (!seen)
			wattron(win, A_BOLD);
		text_put(win, buf, w - 4, 0);
		wattroff(win, A_BOLD);
		wmove(win, 3 + row * 2, 6);
		text_put(win, refusal_str(o, "message"), w - 8, 0);
		row++;
	}
	wmove(win, h - 2, 2);
	snprintf(buf, sizeof buf, "%s%s", n > C.refusals_top + per
		 ? _("more: j/Down  ") : "",
		 _("x: mark all seen (the REFUSED count clears)  other keys: "
		   "close"));
	text_put(win, buf, w - 4, 0);
	wnoutrefresh(win);
	delwin(win);
}

/* Open the refusals overlay (R, or :link refused). */
static void
refusals_open(void)
{
	cJSON *rows = NULL;
	int rc = replica_refusals(C.db, &rows, &C.refusals_upto);

	if (rc) {
		console_msg(1, _("cannot read the refusals: %s"),
			    db_why(C.db, rc));
		return;
	}
	if (cJSON_GetArraySize(rows) == 0) {
		cJSON_Delete(rows);
		console_msg(0, "%s", _("the server has refused none of this "
				       "station's operations"));
		return;
	}
	cJSON_Delete(C.refusals);
	C.refusals = rows;
	C.refusals_top = 0;
	C.all_dirty = 1;
}

static void
refusals_close(void)
{
	cJSON_Delete(C.refusals);
	C.refusals = NULL;
	C.all_dirty = 1;
	touchwin(stdscr);
}

/* A key in the refusals overlay: scroll, mark seen, or close. */
static void
refusals_key(int ch, int is_key)
{
	enum req r = keys_lookup(NULL, ch, is_key);
	int n = cJSON_GetArraySize(C.refusals);
	int64_t marked = 0;
	int rc;

	if (r == REQ_DOWN || r == REQ_PAGE_DOWN) {
		if (C.refusals_top < n - 1)
			C.refusals_top++;
		C.all_dirty = 1;
		return;
	}
	if (r == REQ_UP || r == REQ_PAGE_UP) {
		if (C.refusals_top > 0)
			C.refusals_top--;
		C.all_dirty = 1;
		return;
	}
	refusals_close();
	if (r != REQ_SEEN)
		return;
	/* As far as the list showed: one that came meanwhile stays new. */
	if ((rc = replica_refusals_ack(C.db, C.refusals_upto, &marked))) {
		console_msg(1, _("cannot mark the refusals seen: %s"),
			    db_why(C.db, rc));
		return;
	}
	/* The link counts again, and the status line follows. */
	console_changed();
	check_refused();
	console_msg(0, _("%lld refusal(s) marked seen; R lists them again"),
		    (long long)marked);
}

static void
draw_small(void)
{
	char buf[160];

	werase(stdscr);
	snprintf(buf, sizeof buf, _("terminal too small: %dx%d, need %dx%d"),
		 COLS, LINES, MIN_COLS, MIN_LINES);
	mvaddnstr(LINES / 2, 0, buf, COLS);
	wnoutrefresh(stdscr);
}

static void
pane_reload(struct pane *p)
{
	cJSON *rows;

	/* Free the old rows first (the selection is kept by id), so two
	 * lists are never held at once, and give the memory back. */
	cJSON_Delete(p->view.rows);
	p->view.rows = NULL;
	rows = p->ops->load(p);
	view_set_rows(&p->view, rows ? rows : cJSON_CreateArray());
	malloc_trim(0);
	p->dirty = 0;
	p->redraw = 1;
}

static void
draw_pane(struct pane *p, int focused)
{
	int h, w;
	WINDOW *list;

	if (!p->win)
		return;
	getmaxyx(p->win, h, w);
	if (p->ops->draw_extra && p->ops->extra_lines > 0 && h > p->ops->extra_lines + 4) {
		list = derwin(p->win, h - p->ops->extra_lines, w, 0, 0);
		if (list) {
			view_draw(&p->view, list, p->ops->cols, p->ops->style, p);
			delwin(list);
		}
		p->ops->draw_extra(p, p->win);
	} else {
		view_draw(&p->view, p->win, p->ops->cols, p->ops->style, p);
	}
	if (C.wide && focused) {
		/* The focused quadrant is marked on its header. */
		mvwchgat(p->win, 0, 0, w, A_REVERSE | A_BOLD, 0, NULL);
	}
	wnoutrefresh(p->win);
	p->redraw = 0;
}

static void
draw_all(void)
{
	int i;

	if (C.too_small) {
		draw_small();
		doupdate();
		return;
	}
	for (i = 0; i < NPANES; i++) {
		struct pane *p = &C.panes[i];
		if (!visible(i))
			continue;
		if (p->dirty)
			pane_reload(p);
		if (p->redraw || C.all_dirty) {
			draw_pane(p, i == C.cur);
		} else if (p->win && (C.help || C.refusals || form_active())) {
			/* Under an overlay the pane's content stands: repaint it
			 * from its window, without asking the database again. */
			touchwin(p->win);
			wnoutrefresh(p->win);
		}
	}
	if (C.status_dirty || C.all_dirty) {
		draw_status();
		draw_tabs();
	}
	if (C.msg_dirty || C.all_dirty || C.prompt)
		draw_msg();
	if (C.help)
		draw_help();
	if (C.refusals)
		draw_refusals();
	if (form_active())
		form_draw();
	else if (!C.prompt)
		curs_set(0);
	C.all_dirty = C.status_dirty = C.msg_dirty = 0;
	doupdate();
}

static void
on_prepare(uv_prepare_t *h)
{
	(void)h;
	draw_all();
}

/* ---- keys ---- */

static int
pane_height(void)
{
	struct pane *p = &C.panes[C.cur];
	int h = 1, w;

	if (p->win)
		getmaxyx(p->win, h, w);
	(void)w;
	return h - 1 - (p->ops->draw_extra ? p->ops->extra_lines : 0);
}

static void
prompt_key(int ch, int is_key)
{
	char msg[256] = "";

	if (!is_key && (ch == '\n' || ch == '\r')) {
		if (C.prompt == ':') {
			if (C.line[0]) {
				int rc = console_command(C.line, msg, sizeof msg);
				console_msg(rc != 0, "%s", msg);
				/* ':link' may have given this station a server. */
				open_link();
				console_changed();
			}
		} else {
			struct pane *p = &C.panes[C.cur];
			snprintf(p->view.filter, sizeof p->view.filter, "%.*s",
				 (int)sizeof p->view.filter - 1, C.line);
			p->dirty = 1;
			console_msg(0, C.line[0] ? _("filter: %s") : "%s", C.line);
		}
		C.prompt = 0;
	} else if (!is_key && ch == 27) {
		C.prompt = 0;
		console_msg(0, "%s", "");
	} else if ((is_key && ch == KEY_BACKSPACE) || (!is_key && (ch == 127 ||
								  ch == 8))) {
		/* Remove one whole UTF-8 character. */
		while (C.line_len > 0 &&
		       ((unsigned char)C.line[--C.line_len] & 0xc0) == 0x80)
			;
		C.line[C.line_len] = 0;
	} else if (!is_key && ch >= 0x20) {
		char mb[8];
		mbstate_t st;
		size_t n;
		memset(&st, 0, sizeof st);
		n = wcrtomb(mb, (wchar_t)ch, &st);
		if (n != (size_t)-1 && C.line_len + n < sizeof C.line) {
			memcpy(C.line + C.line_len, mb, n);
			C.line_len += n;
			C.line[C.line_len] = 0;
		}
	}
	C.msg_dirty = 1;
}

static void
handle_key(int ch, int is_key)
{
	struct pane *p = &C.panes[C.cur];
	enum req r;

	if (form_active()) {
		form_key(ch, is_key);
		/* Typing redraws the form alone; when it closes, everything. */
		if (!form_active())
			C.all_dirty = 1;
		return;
	}
	if (C.prompt) {
		prompt_key(ch, is_key);
		return;
	}
	if (C.refusals) {
		refusals_key(ch, is_key);
		return;
	}
	if (C.help) {
		C.help = 0;
		C.all_dirty = 1;
		touchwin(stdscr);
		return;
	}
	if (is_key && ch == KEY_RESIZE)
		return;
	r = keys_lookup(p->ops, ch, is_key);
	switch (r) {
	case REQ_NONE:
		return;
	case REQ_QUIT:
		C.quit = 1;
		uv_stop(&C.loop);
		return;
	case REQ_HELP:
		C.help = 1;
		C.all_dirty = 1;
		return;
	case REQ_NEXT_PANE:
	case REQ_PREV_PANE:
		if (C.wide) {
			int k;
			for (k = 0; k < 4 && C.slot[k] != C.cur; k++)
				;
			k = (k + (r == REQ_NEXT_PANE ? 1 : 3)) % 4;
			C.cur = C.slot[k];
			C.all_dirty = 1;
		} else {
			show_pane((C.cur + (r == REQ_NEXT_PANE ? 1 : NPANES - 1)) %
				  NPANES);
		}
		return;
	case REQ_PANE_1: case REQ_PANE_2: case REQ_PANE_3: case REQ_PANE_4:
	case REQ_PANE_5: case REQ_PANE_6: case REQ_PANE_7:
		show_pane(r - REQ_PANE_1);
		return;
	case REQ_UP: case REQ_DOWN: case REQ_PAGE_UP: case REQ_PAGE_DOWN:
	case REQ_FIRST: case REQ_LAST:
		view_move(&p->view, r, pane_height());
		p->redraw = 1;
		return;
	case REQ_FILTER:
	case REQ_COMMAND:
		C.prompt = r == REQ_FILTER ? '/' : ':';
		C.line[0] = 0;
		C.line_len = 0;
		C.msg_dirty = 1;
		return;
	case REQ_REDRAW:
		clearok(curscr, TRUE);
		C.all_dirty = 1;
		return;
	case REQ_SEEN:
		C.alerts = 0;
		C.status_dirty = 1;
		console_msg(0, "%s", _("alerts marked seen"));
		return;
	case REQ_REFUSED:
		refusals_open();
		return;
	default:
		if (!p->ops->key || p->ops->key(p, r) < 0)
			console_msg(1, _("'%s' does nothing here; ? shows the keys"),
				    _(req_help(r)));
		p->redraw = 1;
		C.all_dirty = 1;
	}
}

static void
on_input(uv_poll_t *h, int status, int events)
{
	wint_t wc;
	int rc;

	(void)h;
	(void)events;
	if (status < 0) {
		/* The terminal is gone. */
		C.quit = 1;
		uv_stop(&C.loop);
		return;
	}
	while ((rc = wget_wch(stdscr, &wc)) != ERR)
		handle_key((int)wc, rc == KEY_CODE_YES);
}

/* ---- signals and the clock ---- */

static void
on_winch(uv_signal_t *h, int sig)
{
	struct winsize ws;

	(void)h;
	(void)sig;
	/* libuv's handler replaced ncurses' own: read the size ourselves. */
	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	layout();
}

static void
save_draft(void)
{
	cJSON *d = form_snapshot();
	char path[4200], *s;
	FILE *f;

	if (!d)
		return;
	snprintf(path, sizeof path, "%s.draft", C.dbpath);
	s = cJSON_PrintUnformatted(d);
	f = s ? fopen(path, "w") : NULL;
	if (f) {
		fputs(s, f);
		fputc('\n', f);
		fflush(f);
		fsync(fileno(f));
		fclose(f);
	}
	free(s);
	cJSON_Delete(d);
}

static void
load_draft(void)
{
	char path[4200], buf[16384];
	FILE *f;
	size_t n;
	cJSON *d;

	snprintf(path, sizeof path, "%s.draft", C.dbpath);
	if (!(f = fopen(path, "r")))
		return;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	unlink(path);
	d = cJSON_ParseWithLength(buf, n);
	if (cJSON_IsObject(d) && cJSON_IsString(cJSON_GetObjectItem(d, "title"))) {
		console_msg(0, _("a half-typed form was kept: %s (press a on its "
				 "pane to go on)"), cJSON_GetObjectItem(d, "title")
			    ->valuestring);
		form_offer_draft(d);
	} else {
		cJSON_Delete(d);
	}
}

static void
on_signal(uv_signal_t *h, int sig)
{
	(void)h;
	/* A dropped link (SIGHUP) or a stop: keep what was being typed. */
	save_draft();
	if (sig == SIGHUP)
		C.curses_on = 0; /* nobody to restore the screen for */
	C.quit = 1;
	uv_stop(&C.loop);
}

static void
refresh_top_level(void)
{
	cJSON *resp = NULL, *r;
	int best = 0;

	C.top_level[0] = 0;
	if (state_list(C.db, LIST_RESPONSES, NULL, &resp) != 0)
		return;
	cJSON_ArrayForEach(r, resp) {
		int lv = (int)cJSON_GetObjectItem(r, "level")->valuedouble;
		if (lv > 0 && (best == 0 || lv < best)) {
			best = lv;
			snprintf(C.top_level, sizeof C.top_level, "%s %s",
				 cJSON_GetObjectItem(r, "hazard")->valuestring,
				 level_name(lv));
		}
	}
	cJSON_Delete(resp);
}

/* Ring for what arrived or went late since the last look: a new
 * incident from elsewhere, a reporting clock run out, towns silent after
 * a warning. The officer's own actions only move the baseline. */
static void
check_alerts(int announce)
{
	struct duty_counts n;
	char what[160];

	if (duty_counts(C.db, console_now(), &n))
		return;
	if (announce && n.newest[0] && strcmp(n.newest, C.counts.newest) != 0) {
		snprintf(what, sizeof what, _("new incident %s"), n.newest);
		console_alert(what);
	}
	if (announce && n.phone_late > C.counts.phone_late) {
		snprintf(what, sizeof what, _("first report late for %lld "
			 "incident(s)"), (long long)n.phone_late);
		console_alert(what);
	}
	if (announce && n.written_late > C.counts.written_late) {
		snprintf(what, sizeof what, _("written report late for %lld "
			 "incident(s)"), (long long)n.written_late);
		console_alert(what);
	}
	if (announce && n.unanswered_late > C.counts.unanswered_late) {
		snprintf(what, sizeof what, _("%lld town(s) have not answered a "
			 "warning"), (long long)n.unanswered_late);
		console_alert(what);
	}
	if (memcmp(&n, &C.counts, sizeof n) != 0)
		C.status_dirty = 1;
	C.counts = n;
}

/* A drill's turn: injects whose time has come, and at the end the
 * after-action report, written once. */
static void
drill_turn(void)
{
	int64_t now = console_now();
	cJSON *r = NULL;
	char why[300];
	int fired = 0;

	if (!C.drill || C.drill_over || C.drill_paused)
		return;
	if (drill_tick(C.db, now, &fired) == 0 && fired) {
		console_changed();
		console_alert(_("drill: news has come in"));
	}
	if (now < C.drill_ends || drill_score(C.db, now, &r))
		return;
	C.drill_over = 1;
	if (drill_write_report(r, console_drill_report, why, sizeof why))
		console_msg(1, "%s", why);
	else
		console_msg(0, _("DRILL OVER: score %.0f; report in %s.txt"),
			    cJSON_GetObjectItem(r, "score")->valuedouble,
			    console_drill_report);
	cJSON_Delete(r);
	if (C.bell)
		beep();
}

static void
on_tick(uv_timer_t *h)
{
	int64_t v = 0, minute;
	int i;

	(void)h;
	drill_turn();
	check_refused();
	minute = console_now() / 60;
	C.status_dirty = 1; /* the clock */
	/* The first counts are taken after the first paint, as the baseline
	 * that later alerts compare with. */
	if (!C.counted) {
		C.counted = 1;
		C.last_minute = minute;
		check_alerts(0);
	}
	/* Another program committed: show it without a key press. */
	if (db_data_version(C.db, &v) == 0 && v != C.data_version) {
		C.data_version = v;
		for (i = 0; i < NPANES; i++)
			C.panes[i].dirty = 1;
		refresh_top_level();
		check_alerts(1);
	}
	/* Ages and deadlines move by the minute. */
	if (minute != C.last_minute) {
		C.last_minute = minute;
		for (i = 0; i < NPANES; i++)
			C.panes[i].redraw = 1;
		check_alerts(1);
	}
}

/* ---- the ':' command line runs the shell verbs ---- */

int
console_command(const char *line, char *msg, size_t n)
{
	char *copy, *argv[40], *p, *save = NULL, path[64];
	int argc = 0, rc, out, err, fd1, fd2, i;
	FILE *f;
	char buf[512];

	/* The drill's own verbs: its clock stops and goes on. */
	if (strncmp(line, "drill ", 6) == 0 && C.drill) {
		if (C.drill_county && strcmp(line + 6, "pause") == 0) {
			snprintf(msg, n, "%s", _("a county-wide drill runs on one clock "
						 "at every station: it cannot pause "
						 "here"));
			return 1;
		}
		if (strcmp(line + 6, "pause") == 0 && !C.drill_paused) {
			C.drill_paused_at = real_ms();
			C.drill_paused = 1;
			snprintf(msg, n, "%s", _("drill paused"));
			return 0;
		}
		if (strcmp(line + 6, "resume") == 0 && C.drill_paused) {
			C.drill_pause_ms += real_ms() - C.drill_paused_at;
			C.drill_paused = 0;
			snprintf(msg, n, "%s", _("drill resumed"));
			return 0;
		}
	}
	/* The list of refusals needs more than the message line: it opens
	 * the overlay R opens (--json and --ack go to the shell verb). */
	if (strcmp(line, "link refused") == 0) {
		refusals_open();
		snprintf(msg, n, "%s", C.refusals ? _("x marks them seen") : C.msg);
		return 0;
	}
	if (!(copy = strdup(line)))
		return 1;
	argv[argc++] = "dutydesk";
	argv[argc++] = "--db";
	argv[argc++] = C.dbpath;
	argv[argc++] = "--officer";
	argv[argc++] = (char *)db_officer(C.db);
	/* Words split on spaces; "double quotes" keep spaces together. */
	for (p = copy; *p && argc < 38;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (*p == '"') {
			argv[argc++] = ++p;
			while (*p && *p != '"')
				p++;
		} else {
			argv[argc++] = p;
			while (*p && *p != ' ')
				p++;
		}
		if (*p)
			*p++ = 0;
	}
	(void)save;
	argv[argc] = NULL;
	/* The shell command writes to stdout and stderr: catch both in
	 * files while it runs, so the screen stays whole. */
	snprintf(path, sizeof path, "/tmp/dutydesk-cmd-XXXXXX");
	out = mkstemp(path);
	if (out >= 0)
		unlink(path);
	snprintf(path, sizeof path, "/tmp/dutydesk-err-XXXXXX");
	err = mkstemp(path);
	if (err >= 0)
		unlink(path);
	if (out < 0 || err < 0) {
		snprintf(msg, n, "%s", _("cannot run the command (no temporary file)"));
		free(copy);
		return 1;
	}
	fflush(stdout);
	fflush(stderr);
	fd1 = dup(1);
	fd2 = dup(2);
	dup2(out, 1);
	dup2(err, 2);
	rc = shell_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(fd1, 1);
	dup2(fd2, 2);
	close(fd1);
	close(fd2);
	msg[0] = 0;
	for (i = 0; i < 2; i++) {
		int fd = i == 0 ? err : out;
		lseek(fd, 0, SEEK_SET);
		f = fdopen(fd, "r");
		if (f && fgets(buf, sizeof buf, f) && !msg[0]) {
			buf[strcspn(buf, "\n")] = 0;
			snprintf(msg, n, "%s", strncmp(buf, "dutydesk: ", 10) == 0
				 ? buf + 10 : buf);
		}
		if (f)
			fclose(f);
		else
			close(fd);
	}
	if (!msg[0])
		snprintf(msg, n, rc ? _("refused") : _("done"));
	free(copy);
	return rc;
}

/* ---- start and stop ---- */

static void
close_cb(uv_handle_t *h)
{
	(void)h;
}

static void
walk_close(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (!uv_is_closing(h))
		uv_close(h, close_cb);
}

static void
atexit_restore(void)
{
	restore_terminal();
}

/* A crash must not leave the officer's terminal in raw mode: restore it,
 * then die of the same signal (htop does the same in its fail path). */
static void
fatal_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

int
console_main(const char *dbpath, const char *officer)
{
	const char *bell = getenv("DUTYDESK_BELL");
	int rc, i;

	memset(&C, 0, sizeof C);
	C.fd_flags = fcntl(0, F_GETFL);
	snprintf(C.dbpath, sizeof C.dbpath, "%s", dbpath);
	C.bell = !bell || strcmp(bell, "on") == 0 ? 1
		 : strcmp(bell, "night-off") == 0 ? 2 : 0;
	if (!isatty(0) || !isatty(1)) {
		fprintf(stderr, "dutydesk: the console needs a terminal; see "
			"dutydesk --help for the shell commands\n");
		return EXIT_USAGE;
	}
	if ((rc = db_open(dbpath, 0, &C.db)) ||
	    (rc = station_identity(C.db, &C.si))) {
		fprintf(stderr, "dutydesk: %s\n", db_why(C.db, rc));
		db_close(&C.db);
		return dd_exitcode(rc);
	}
	db_set_officer(C.db, officer);
	{
		/* A drill database runs on the drill's clock. */
		cJSON *sc = NULL, *r = NULL;
		int64_t started = 0;
		int speed = 1;
		if (drill_scenario(C.db, &sc, &started, &speed) == 1) {
			C.drill = 1;
			C.drill_speed = speed > 0 ? speed : 1;
			C.drill_start_ms = started * 1000;
			C.drill_real0_ms = started * 1000;
			C.drill_clock.now_ms = drill_now_ms;
			db_set_clock(C.db, &C.drill_clock);
			if (!console_drill_report[0])
				snprintf(console_drill_report,
					 sizeof console_drill_report, "%s.report",
					 dbpath);
			if (drill_score(C.db, console_now(), &r) == 0)
				time_parse_iso(cJSON_GetObjectItem(r, "ends")
					       ->valuestring, &C.drill_ends);
			cJSON_Delete(r);
			/* A county-wide drill: the towns need its realm to join. */
			C.drill_county = drill_county(C.db);
			if (C.drill_county == DRILL_COUNTY_RUN)
				console_msg(0, _("county-wide drill: towns join with "
						 "'dutydesk drill join %s'"), C.si.realm);
			else if (C.drill_county == DRILL_COUNTY_JOINED)
				console_msg(0, _("joined the county-wide drill %s"),
					    C.si.realm);
			else
				C.drill_county = 0;
		}
		cJSON_Delete(sc);
	}
	db_data_version(C.db, &C.data_version);
	refresh_top_level();
	/* A small page cache: the console reads a screenful at a time. */
	db_cache_kb(C.db, 512);
	for (i = 0; i < NPANES; i++) {
		C.panes[i].ops = pane_table[i];
		C.panes[i].dirty = 1;
	}
	for (i = 0; i < 4; i++)
		C.slot[i] = i;
	if (!newterm(NULL, stdout, stdin)) {
		fprintf(stderr, "dutydesk: cannot use terminal type '%s'\n",
			getenv("TERM") ? getenv("TERM") : "");
		db_close(&C.db);
		return EXIT_ENV;
	}
	C.curses_on = 1;
	atexit(atexit_restore);
	signal(SIGSEGV, fatal_signal);
	signal(SIGBUS, fatal_signal);
	signal(SIGABRT, fatal_signal);
	signal(SIGFPE, fatal_signal);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(100);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_RED, -1);
		init_pair(2, COLOR_YELLOW, -1);
		init_pair(3, COLOR_GREEN, -1);
	}
	layout();
	load_draft();

	uv_loop_init(&C.loop);
	uv_poll_init(&C.loop, &C.input, 0);
	uv_poll_start(&C.input, UV_READABLE, on_input);
	uv_signal_init(&C.loop, &C.winch);
	uv_signal_start(&C.winch, on_winch, SIGWINCH);
	uv_signal_init(&C.loop, &C.term);
	uv_signal_start(&C.term, on_signal, SIGTERM);
	uv_signal_init(&C.loop, &C.hup);
	uv_signal_start(&C.hup, on_signal, SIGHUP);
	uv_signal_init(&C.loop, &C.intr);
	uv_signal_start(&C.intr, on_signal, SIGINT);
	uv_timer_init(&C.loop, &C.tick);
	uv_timer_start(&C.tick, on_tick, 1000, 1000);
	uv_prepare_init(&C.loop, &C.draw);
	uv_prepare_start(&C.draw, on_prepare);
	open_link();

	uv_run(&C.loop, UV_RUN_DEFAULT);

	/* The link closes its own handles (and frees itself in their
	 * callbacks) before the rest are walked. */
	link_close(C.link);
	C.link = NULL;
	uv_walk(&C.loop, walk_close, NULL);
	uv_run(&C.loop, UV_RUN_DEFAULT);
	rc = uv_loop_close(&C.loop);
	form_close();
	cJSON_Delete(C.refusals);
	C.refusals = NULL;
	for (i = 0; i < NPANES; i++)
		cJSON_Delete(C.panes[i].view.rows);
	windows_free();
	restore_terminal();
	db_close(&C.db);
	form_offer_draft(NULL);
	return rc == 0 ? 0 : EXIT_ENV;
}
