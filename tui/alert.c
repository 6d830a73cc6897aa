/*
 * alert.c - what needs the officer: a new incident from elsewhere, a
 * reporting clock about to run out (5 minutes before) and run out,
 * towns silent after a warning, operations the
 * server refused. Each rings the bell (DUTYDESK_BELL: on by default,
 * off, or night-off for quiet from 22:00 to 07:00), says what on the
 * message line, and is counted on the status line until x.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sync/sync.h"

void
alert_init(struct console_state *c)
{
	const char *bell = getenv("DUTYDESK_BELL");

	c->bell = !bell || strcmp(bell, "on") == 0 ? 1
		  : strcmp(bell, "night-off") == 0 ? 2 : 0;
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
alert_ring(struct console_state *c, const char *what)
{
	c->alerts++;
	c->status_dirty = 1;
	if (c->bell == 1 || (c->bell == 2 && !night()))
		beep();
	console_msg(0, "%s %s", _("ATTENTION:"), what);
}

void
alert_seen(struct console_state *c)
{
	c->alerts = 0;
	c->status_dirty = 1;
	console_msg(0, "%s", _("alerts marked seen"));
}

static void
new_incident(struct console_state *c, const char *newest, const char *before)
{
	char what[160];

	if (newest[0] && strcmp(newest, before) != 0) {
		snprintf(what, sizeof what, _("new incident %s"), newest);
		alert_ring(c, what);
	}
}

/* A clock of an incident is called out once as it comes within
 * REPORT_SOON_SECS of running out: the incidents that have reached that
 * point (due soon, or late since) grow by one. One reported or closed
 * in the meantime leaves them; none comes back on its own. */
static void
due_soon(struct console_state *c, const struct duty_counts *n)
{
	char what[160];

	if (n->phone_soon + n->phone_late > c->counts.phone_soon +
	    c->counts.phone_late && n->phone_soon > 0) {
		snprintf(what, sizeof what, _("first report due within %d minutes "
			 "for %lld incident(s)"), REPORT_SOON_SECS / 60,
			 (long long)n->phone_soon);
		alert_ring(c, what);
	}
	if (n->written_soon + n->written_late > c->counts.written_soon +
	    c->counts.written_late && n->written_soon > 0) {
		snprintf(what, sizeof what, _("written report due within %d "
			 "minutes for %lld incident(s)"), REPORT_SOON_SECS / 60,
			 (long long)n->written_soon);
		alert_ring(c, what);
	}
}

/* The officer's own actions only move the baseline. */
void
alert_check(struct console_state *c, int announce)
{
	struct duty_counts n;
	char what[160];

	if (duty_counts(c->db, console_now(), &n))
		return;
	if (announce)
		new_incident(c, n.newest, c->counts.newest);
	if (announce)
		due_soon(c, &n);
	if (announce && n.phone_late > c->counts.phone_late) {
		snprintf(what, sizeof what, _("first report late for %lld "
			 "incident(s)"), (long long)n.phone_late);
		alert_ring(c, what);
	}
	if (announce && n.written_late > c->counts.written_late) {
		snprintf(what, sizeof what, _("written report late for %lld "
			 "incident(s)"), (long long)n.written_late);
		alert_ring(c, what);
	}
	if (announce && n.unanswered_late > c->counts.unanswered_late) {
		snprintf(what, sizeof what, _("%lld town(s) have not answered a "
			 "warning"), (long long)n.unanswered_late);
		alert_ring(c, what);
	}
	if (memcmp(&n, &c->counts, sizeof n) != 0)
		c->status_dirty = 1;
	c->counts = n;
}

void
alert_baseline(struct console_state *c)
{
	char shown[sizeof c->counts.newest];

	memcpy(shown, c->counts.newest, sizeof shown);
	alert_check(c, 0);
	new_incident(c, c->counts.newest, shown);
}

/* The officer opens the list with R. */
void
alert_check_refused(struct console_state *c)
{
	struct link_status st;
	char what[160];

	if (!c->link)
		return;
	link_status(c->link, &st);
	if (st.refused > c->refused_known) {
		snprintf(what, sizeof what, _("the server refused %lld "
			 "operation(s): R lists them"),
			 (long long)(st.refused - c->refused_known));
		c->refused_known = st.refused;
		alert_ring(c, what);
	}
	if (st.refused != c->refused_known) {
		c->refused_known = st.refused;
		c->status_dirty = 1;
	}
}
