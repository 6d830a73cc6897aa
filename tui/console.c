/*
 * console.c - the full-screen console: one thread, one libuv loop. Keys
 * come through uv_poll on stdin, the size through SIGWINCH, the clock and
 * outside changes through a one-second timer; each turn of the loop draws
 * what changed once, from a uv_prepare callback. Here: start and stop,
 * the loop's callbacks, the panes and the key dispatch; the terminal,
 * layout, status line, overlays, alerts, prompt, drafts and the drill's
 * clock are each in a file of their own (tui/console.h lists them).
 */
#include "tui/console.h"
#include "tui/shell.h"

#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <uv.h>

#include "sync/sync.h"

static const struct pane_ops *const pane_table[CONSOLE_PANES] = {
	&pane_incidents, &pane_response, &pane_teams, &pane_supplies,
	&pane_shelters, &pane_warnings, &pane_log, &pane_directory,
	NULL, /* pane 9: the first of county_views */
};

static struct console_state console;

/* The loop and its handles. */
static struct {
	uv_loop_t loop;
	uv_poll_t input;
	uv_signal_t winch, term, hup, intr;
	uv_timer_t tick;
	uv_prepare_t draw;
} handles;

/* ---- what panes and forms call ---- */

struct db *
console_db(void)
{
	return console.db;
}

const char *
console_dbpath(void)
{
	return console.dbpath;
}

const char *
console_town_only(void)
{
	return console.town_only[0] ? console.town_only : NULL;
}

void
console_town_only_set(const char *town)
{
	int i;

	snprintf(console.town_only, sizeof console.town_only, "%s",
		 town ? town : "");
	for (i = 0; i < CONSOLE_PANES; i++)
		console.panes[i].dirty = 1;
	console.status_dirty = 1;
	if (console.town_only[0])
		console_msg(0, _("every pane shows %s alone; * shows every town"),
			    console_town(console.town_only, 1));
	else
		console_msg(0, "%s", _("every town shows again"));
}

const struct dd_clock *
console_clock(void)
{
	return console.drill && console.db ? &console.drill_clock : NULL;
}

int64_t
console_now(void)
{
	return console.drill ? console.drill_clock.now_ms(console.drill_clock.ctx)
			       / 1000 : (int64_t)time(NULL);
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
	vsnprintf(console.msg, sizeof console.msg, fmt, ap);
	va_end(ap);
	console.msg_err = error;
	console.msg_dirty = 1;
	if (error && console.bell)
		beep();
}

void
console_changed(void)
{
	int i;

	for (i = 0; i < CONSOLE_PANES; i++)
		console.panes[i].dirty = 1;
	console.status_dirty = 1;
	if (console.db) {
		db_data_version(console.db, &console.data_version);
		status_refresh_level(&console);
		alert_check(&console, 0);
	}
	/* What the officer just did goes to the server at once. */
	if (console.link)
		link_poke(console.link);
}

void
console_alert(const char *what)
{
	alert_ring(&console, what);
}

/* The link applied operations from elsewhere: show them now, and call
 * out what needs the officer, as for any outside change. */
static void
link_changed(void *ctx)
{
	int i;

	(void)ctx;
	for (i = 0; i < CONSOLE_PANES; i++)
		console.panes[i].dirty = 1;
	console.status_dirty = 1;
	db_data_version(console.db, &console.data_version);
	status_refresh_level(&console);
	if (console.counted)
		alert_check(&console, 1);
	alert_check_refused(&console);
}

static void
open_link(void)
{
	struct link_status st;
	int rc;

	if (console.link)
		return;
	rc = link_open(&handles.loop, console.dbpath, db_officer(console.db),
		       &console.link, link_changed, NULL);
	if (rc) {
		console_msg(1, _("no link to the server: %s"), dd_strerror(rc));
		return;
	}
	if (!console.link)
		return;
	/* Refusals left from before this shift: said once, not rung. */
	link_status(console.link, &st);
	console.refused_known = st.refused;
	if (st.refused > 0 && !console.msg[0])
		console_msg(0, _("the server refused %lld operation(s) not yet "
				 "seen: R lists them"), (long long)st.refused);
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
	if (console.wide && focused) {
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

	if (console.too_small) {
		layout_draw_small();
		doupdate();
		return;
	}
	for (i = 0; i < CONSOLE_PANES; i++) {
		struct pane *p = &console.panes[i];
		if (!layout_visible(&console, i))
			continue;
		if (p->dirty)
			pane_reload(p);
		if (p->redraw || console.all_dirty) {
			draw_pane(p, i == console.cur);
		} else if (p->win && (console.overlay || form_active())) {
			/* Under an overlay the pane's content stands: repaint it
			 * from its window, without asking the database again. */
			touchwin(p->win);
			wnoutrefresh(p->win);
		}
	}
	if (console.status_dirty || console.all_dirty) {
		status_draw(&console);
		layout_draw_tabs(&console);
	}
	if (console.msg_dirty || console.all_dirty || console.prompt)
		prompt_draw(&console);
	overlay_draw(&console);
	if (form_active())
		form_draw();
	else if (!console.prompt)
		curs_set(0);
	console.all_dirty = console.status_dirty = console.msg_dirty = 0;
	doupdate();
}

static void
on_prepare(uv_prepare_t *h)
{
	(void)h;
	draw_all();
}

/* ---- keys ---- */

/* Give pane i the focus; in the wide layout it takes the focused
 * quadrant unless it is on the screen already. */
static void
show_pane(int i)
{
	int k;

	if (i < 0 || i >= CONSOLE_PANES)
		return;
	if (console.wide) {
		for (k = 0; k < 4 && console.slot[k] != i; k++)
			;
		if (k == 4) {
			/* Put it where the focus is. */
			for (k = 0; k < 4 && console.slot[k] != console.cur; k++)
				;
			if (k == 4)
				k = 0;
			console.slot[k] = i;
		}
	}
	console.cur = i;
	if (console.overlay == OVERLAY_HELP)
		console.overlay = OVERLAY_NONE;
	layout_make(&console);
}

static int
pane_height(void)
{
	struct pane *p = &console.panes[console.cur];
	int h = 1, w;

	if (p->win)
		getmaxyx(p->win, h, w);
	(void)w;
	return h - 1 - (p->ops->draw_extra ? p->ops->extra_lines : 0);
}

static void
handle_key(int ch, int is_key)
{
	struct pane *p = &console.panes[console.cur];
	enum req r;

	if (form_active()) {
		form_key(ch, is_key);
		/* Typing redraws the form alone; when it closes, everything. */
		if (!form_active())
			console.all_dirty = 1;
		return;
	}
	if (console.prompt) {
		/* ':link' may have given this station a server. */
		if (prompt_key(&console, ch, is_key)) {
			open_link();
			console_changed();
		}
		return;
	}
	if (console.overlay) {
		overlay_key(&console, ch, is_key);
		return;
	}
	if (is_key && ch == KEY_RESIZE)
		return;
	r = keys_lookup(console.panes[console.cur].ops, ch, is_key);
	switch (r) {
	case REQ_NONE:
		return;
	case REQ_QUIT:
		console.quit = 1;
		uv_stop(&handles.loop);
		return;
	case REQ_HELP:
		overlay_open(&console, OVERLAY_HELP);
		return;
	case REQ_NEXT_PANE:
	case REQ_PREV_PANE:
		if (console.wide) {
			int k;
			for (k = 0; k < 4 && console.slot[k] != console.cur; k++)
				;
			k = (k + (r == REQ_NEXT_PANE ? 1 : 3)) % 4;
			console.cur = console.slot[k];
			console.all_dirty = 1;
		} else {
			show_pane((console.cur + (r == REQ_NEXT_PANE ? 1
						 : CONSOLE_PANES - 1)) % CONSOLE_PANES);
		}
		return;
	case REQ_PANE_1: case REQ_PANE_2: case REQ_PANE_3: case REQ_PANE_4:
	case REQ_PANE_5: case REQ_PANE_6: case REQ_PANE_7: case REQ_PANE_8:
	case REQ_PANE_9:
		show_pane(r - REQ_PANE_1);
		return;
	case REQ_UP: case REQ_DOWN: case REQ_PAGE_UP: case REQ_PAGE_DOWN:
	case REQ_FIRST: case REQ_LAST:
		/* A pane with a cursor of its own (the response checklist)
		 * moves it while that has the keys. */
		if (!p->ops->key || p->ops->key(p, r) < 0)
			view_move(&p->view, r, pane_height());
		p->redraw = 1;
		return;
	case REQ_FILTER:
	case REQ_COMMAND:
		prompt_start(&console, r == REQ_FILTER ? '/' : ':');
		return;
	case REQ_REDRAW:
		clearok(curscr, TRUE);
		console.all_dirty = 1;
		return;
	case REQ_SEEN:
		alert_seen(&console);
		return;
	case REQ_REFUSED:
		overlay_open(&console, OVERLAY_REFUSALS);
		return;
	case REQ_ALL_TOWNS:
		if (console.town_only[0])
			console_town_only_set(NULL);
		else
			console_msg(0, "%s", _("every town shows already"));
		return;
	case REQ_DAILY:
		daily_open(&console);
		return;
	case REQ_ENTER:
		/* The whole record of the selected row, in every pane. */
		record_open(&console);
		return;
	default:
		if (!p->ops->key || p->ops->key(p, r) < 0)
			console_msg(1, _("'%s' does nothing here; ? shows the keys"),
				    _(req_help(r)));
		p->redraw = 1;
		console.all_dirty = 1;
	}
}

static void
on_input(uv_poll_t *h, int status, int events)
{
	wint_t wc;
	int rc;

	(void)h;
	(void)events;
	while ((rc = wget_wch(stdscr, &wc)) != ERR)
		handle_key((int)wc, rc == KEY_CODE_YES);
	/* The window closed (end of input, a read error; its SIGHUP may
	 * come later or never): keep what was being typed, and go. */
	if (draft_terminal_gone(console.dbpath, status)) {
		term_hangup();
		console.quit = 1;
		uv_stop(&handles.loop);
	}
}

/* ---- signals and the clock ---- */

static void
on_winch(uv_signal_t *h, int sig)
{
	(void)h;
	(void)sig;
	layout_resize(&console);
}

static void
on_signal(uv_signal_t *h, int sig)
{
	(void)h;
	/* A dropped link (SIGHUP) or a stop: keep what was being typed. */
	draft_save(console.dbpath);
	if (sig == SIGHUP)
		term_hangup();
	console.quit = 1;
	uv_stop(&handles.loop);
}

static void
on_tick(uv_timer_t *h)
{
	int64_t v = 0, minute;
	int i;

	(void)h;
	drill_clock_turn(&console);
	alert_check_refused(&console);
	minute = console_now() / 60;
	console.status_dirty = 1; /* the clock */
	/* The first counts are taken after the first paint, so it is not
	 * held up: the baseline later alerts compare with. */
	if (!console.counted) {
		console.counted = 1;
		console.last_minute = minute;
		alert_baseline(&console);
	}
	/* Another program committed: show it without a key press. */
	if (db_data_version(console.db, &v) == 0 && v != console.data_version) {
		console.data_version = v;
		for (i = 0; i < CONSOLE_PANES; i++)
			console.panes[i].dirty = 1;
		status_refresh_level(&console);
		alert_check(&console, 1);
	}
	/* Ages and deadlines move by the minute: the rows are loaded
	 * again, as the minutes left on a clock (and the order they give
	 * the incidents) are worked out when they load. */
	if (minute != console.last_minute) {
		console.last_minute = minute;
		for (i = 0; i < CONSOLE_PANES; i++)
			console.panes[i].dirty = 1;
		alert_check(&console, 1);
	}
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

int
console_main(const struct console_args *args)
{
	int rc, i;

	memset(&console, 0, sizeof console);
	memset(&handles, 0, sizeof handles);
	snprintf(console.dbpath, sizeof console.dbpath, "%s", args->dbpath);
	alert_init(&console);
	if (!isatty(0) || !isatty(1)) {
		fprintf(args->err, "dutydesk: the console needs a terminal; see "
			"dutydesk --help for the shell commands\n");
		return EXIT_USAGE;
	}
	if ((rc = db_open(args->dbpath, 0, &console.db)) ||
	    (rc = station_identity(console.db, &console.si))) {
		fprintf(args->err, "dutydesk: %s\n", db_why(console.db, rc));
		db_close(&console.db);
		return dd_exitcode(rc);
	}
	drill_clock_start(&console, args);
	/* After the clock: the roster's officer is the one on duty now. */
	db_set_officer(console.db, shell_officer(console.db, args->officer,
						 console.officer,
						 sizeof console.officer));
	/* The incident the first screen shows as the newest: one that comes
	 * after it is called out, even before the first counts. */
	duty_newest(console.db, console.counts.newest);
	db_data_version(console.db, &console.data_version);
	status_refresh_level(&console);
	/* A small page cache: the console reads a screenful at a time. */
	db_cache_kb(console.db, 512);
	for (i = 0; i < CONSOLE_PANES; i++) {
		console.panes[i].ops = pane_table[i] ? pane_table[i]
				       : county_views[0];
		console.panes[i].dirty = 1;
	}
	for (i = 0; i < 4; i++)
		console.slot[i] = i;
	if (term_start(args->err) < 0) {
		db_close(&console.db);
		return EXIT_ENV;
	}
	layout_make(&console);
	draft_load(console.dbpath);

	uv_loop_init(&handles.loop);
	uv_poll_init(&handles.loop, &handles.input, 0);
	uv_poll_start(&handles.input, UV_READABLE, on_input);
	uv_signal_init(&handles.loop, &handles.winch);
	uv_signal_start(&handles.winch, on_winch, SIGWINCH);
	uv_signal_init(&handles.loop, &handles.term);
	uv_signal_start(&handles.term, on_signal, SIGTERM);
	uv_signal_init(&handles.loop, &handles.hup);
	uv_signal_start(&handles.hup, on_signal, SIGHUP);
	uv_signal_init(&handles.loop, &handles.intr);
	uv_signal_start(&handles.intr, on_signal, SIGINT);
	uv_timer_init(&handles.loop, &handles.tick);
	uv_timer_start(&handles.tick, on_tick, 1000, 1000);
	uv_prepare_init(&handles.loop, &handles.draw);
	uv_prepare_start(&handles.draw, on_prepare);
	open_link();

	uv_run(&handles.loop, UV_RUN_DEFAULT);

	/* The link closes its own handles (and frees itself in their
	 * callbacks) before the rest are walked. */
	link_close(console.link);
	console.link = NULL;
	uv_walk(&handles.loop, walk_close, NULL);
	uv_run(&handles.loop, UV_RUN_DEFAULT);
	rc = uv_loop_close(&handles.loop);
	form_close();
	overlay_free(&console);
	for (i = 0; i < CONSOLE_PANES; i++)
		cJSON_Delete(console.panes[i].view.rows);
	layout_free(&console);
	cJSON_Delete(console.silent_seen);
	cJSON_Delete(console.requests_seen);
	term_restore();
	db_close(&console.db);
	form_offer_draft(NULL);
	return rc == 0 ? 0 : EXIT_ENV;
}
