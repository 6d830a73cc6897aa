/*
 * alert.c - what needs the officer: a new incident from elsewhere, a
 * reporting clock about to run out (5 minutes before) and run out,
 * a fixed-time follow-up about to fall due and overdue, a town
 * silent past its limit after a warning, operations the
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
	if (n->followup_soon + n->followup_late > c->counts.followup_soon +
	    c->counts.followup_late && n->followup_soon > 0) {
		snprintf(what, sizeof what, _("follow-up report due within %d "
			 "minutes for %lld incident(s)"), REPORT_SOON_SECS / 60,
			 (long long)n->followup_soon);
		alert_ring(c, what);
	}
}

/* The towns on the call-back list now (silent past their limit, by the
 * warning's colour), keyed "WARNING/TOWN", into a new object. */
static cJSON *
silent_now(struct console_state *c, int64_t now)
{
	cJSON *f = cJSON_CreateObject(), *list = NULL, *o, *keys = NULL;
	char key[160];

	if (!f)
		return NULL;
	cJSON_AddNumberToObject(f, "now", (double)now);
	if (state_list(c->db, LIST_CALLBACKS, f, &list) == 0 &&
	    (keys = cJSON_CreateObject()))
		cJSON_ArrayForEach(o, list) {
			snprintf(key, sizeof key, "%s/%s", cJSON_GetStringValue(
				 cJSON_GetObjectItem(o, "warning")),
				 cJSON_GetStringValue(cJSON_GetObjectItem(o, "town")));
			cJSON_AddStringToObject(keys, key, cJSON_GetStringValue(
				cJSON_GetObjectItem(o, "town")));
		}
	cJSON_Delete(f);
	cJSON_Delete(list);
	return keys;
}

/* A town is called out once, when it is first seen on the call-back
 * list: as its limit passes, or when a warning whose limit has passed
 * already arrives (from a station that was offline, say). One answered
 * in the meantime has left the list; the list seen is kept to compare. */
static void
silent_towns(struct console_state *c, const struct duty_counts *n,
	     int64_t now)
{
	cJSON *keys, *k;
	const char *town = NULL, *warning = NULL;
	char what[200], w[80], *slash;
	int count = 0;

	if (n->unanswered_late == 0) {
		cJSON_Delete(c->silent_seen);
		c->silent_seen = NULL;
		return;
	}
	if (!(keys = silent_now(c, now)))
		return;
	cJSON_ArrayForEach(k, keys)
		if (!cJSON_GetObjectItemCaseSensitive(c->silent_seen, k->string) &&
		    count++ == 0) {
			town = k->valuestring;
			warning = k->string;
		}
	if (count == 1) {
		/* The key is WARNING/TOWN: the warning is before the slash. */
		snprintf(w, sizeof w, "%s", warning);
		if ((slash = strrchr(w, '/')))
			*slash = 0;
		snprintf(what, sizeof what, _("%s has not answered warning %s "
			 "in time: b in pane 6 lists whom to call back"),
			 console_town(town, 1), w);
		alert_ring(c, what);
	} else if (count > 1) {
		snprintf(what, sizeof what, _("%d towns have not answered a "
			 "warning in time: b in pane 6 lists them"), count);
		alert_ring(c, what);
	}
	cJSON_Delete(c->silent_seen);
	c->silent_seen = keys;
}

/* The requests from the towns unanswered past request.alert, keyed by
 * id, into a new object; at the county only (a town waits for the
 * answer, it does not give it). */
static cJSON *
late_requests_now(struct console_state *c)
{
	cJSON *list = NULL, *o, *keys;

	if (c->si.role != ROLE_COMMAND || !(keys = cJSON_CreateObject()))
		return NULL;
	if (request_list(c->db, NULL, NULL, 1, &list) == 0)
		cJSON_ArrayForEach(o, list)
			if (cJSON_IsTrue(cJSON_GetObjectItem(o, "late")))
				cJSON_AddStringToObject(keys, cJSON_GetStringValue(
					cJSON_GetObjectItem(o, "id")),
					cJSON_GetStringValue(cJSON_GetObjectItem(o,
					"town")));
	cJSON_Delete(list);
	return keys;
}

/* A request is called out once, as it goes late (or arrives late from
 * a station that was offline); one answered since has left the list. */
static void
late_requests(struct console_state *c)
{
	cJSON *keys = late_requests_now(c), *k;
	const char *id = NULL, *town = NULL;
	char what[200];
	int count = 0;

	if (!keys)
		return;
	cJSON_ArrayForEach(k, keys)
		if (!cJSON_GetObjectItemCaseSensitive(c->requests_seen, k->string) &&
		    count++ == 0) {
			id = k->string;
			town = k->valuestring;
		}
	if (count == 1) {
		snprintf(what, sizeof what, _("request %s from %s unanswered for "
			 "%lld minutes: pane 9 lists it"), id, console_town(town, 1),
			 (long long)setting_int(c->db, "request.alert", 30));
		alert_ring(c, what);
	} else if (count > 1) {
		snprintf(what, sizeof what, _("%d requests from the towns "
			 "unanswered in time: pane 9 lists them"), count);
		alert_ring(c, what);
	}
	cJSON_Delete(c->requests_seen);
	c->requests_seen = keys;
}

/* The officer's own actions only move the baseline (a town that went
 * silent meanwhile is still called out at the next look). */
void
alert_check(struct console_state *c, int announce)
{
	struct duty_counts n;
	int64_t now = console_now();
	char what[160];

	if (duty_counts(c->db, now, &n))
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
	if (announce && n.followup_late > c->counts.followup_late) {
		snprintf(what, sizeof what, _("follow-up report late for %lld "
			 "incident(s)"), (long long)n.followup_late);
		alert_ring(c, what);
	}
	if (announce)
		silent_towns(c, &n, now);
	if (announce)
		late_requests(c);
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
	/* Towns silent already when the console opens are on the list. */
	cJSON_Delete(c->silent_seen);
	c->silent_seen = silent_now(c, console_now());
	/* So are requests late already. */
	cJSON_Delete(c->requests_seen);
	c->requests_seen = late_requests_now(c);
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
