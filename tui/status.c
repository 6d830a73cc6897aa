/*
 * status.c - the console's top line: DRILL in a drill, the station, the
 * operations the server refused and those held back for its upgrade,
 * the officer, the leader and officer the roster has on duty now (or
 * that no shift covers now), the clock (the drill's,
 * with its speed), the highest response level in force with its
 * checklist's progress ("typhoon III 3/16"), the link, and
 * the counts of what is late and of alerts not yet seen, and the town
 * every pane shows alone, when one does. The link says
 * when the server announced a change of its key.
 */
#include "tui/console.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sync/sync.h"
#include "tui/tui.h"

/* The link as the status line shows it (st NULL: none configured). */
static void
link_text(const struct link_status *st, char *buf, size_t n)
{
	char since[8] = "--:--";
	struct tm tm;
	time_t t;
	size_t len;

	if (!st) {
		snprintf(buf, n, "%s", _("no server"));
		return;
	}
	switch (st->state) {
	case LINK_ONLINE:
		if (st->queued)
			snprintf(buf, n, _("online, %lld queued"), (long long)st->queued);
		else
			snprintf(buf, n, "%s", _("online"));
		break;
	case LINK_STOPPED:
		/* The one a duty officer cannot read past: said in the
		 * officer's language, with what to do. */
		if (st->server_old)
			snprintf(buf, n, "%s", _("stopped: the county server is "
				 "older than this station; upgrade it first"));
		else if (st->no_pin)
			snprintf(buf, n, "%s", _("stopped: no pin for the server "
				 "(dutydesk link --pin PIN)"));
		else
			snprintf(buf, n, _("stopped: %s"), st->message);
		break;
	default:
		t = (time_t)st->offline_since;
		if (t && localtime_r(&t, &tm))
			strftime(since, sizeof since, "%H:%M", &tm);
		snprintf(buf, n, _("offline since %s, %lld queued"), since,
			 (long long)st->queued);
	}
	len = strlen(buf);
	if (st->insecure && len < n)
		snprintf(buf + len, n - len, "%s", _(", insecure"));
	/* The server announced its next key (dutydesk status names both
	 * pins): the station will follow it without anyone's help. */
	len = strlen(buf);
	if (st->pin_next[0] && len < n)
		snprintf(buf + len, n - len, "%s", _(", new key announced"));
	len = strlen(buf);
	if (st->skew_known && (st->skew_ms > 2000 || st->skew_ms < -2000) &&
	    len < n)
		snprintf(buf + len, n - len, _(", clock %+llds from server"),
			 (long long)(st->skew_ms / 1000));
}

/* The status line's items, in the order they stand. drop says when an
 * item goes on a narrow line: the lowest first, 0 never. */
enum { ITEM_MAX = 14 };
struct item {
	char text[256];
	int attr;
	int drop;
};

static struct item *
item_add(struct item *it, int *n, int attr, int drop)
{
	struct item *i = &it[(*n)++];

	i->text[0] = 0;
	i->attr = attr;
	i->drop = drop;
	return i;
}

/* The width of the line with the items kept: " | " between them; the
 * first (the station) follows DRILL after one space. */
static int
line_width(const struct item *it, int n, int lead)
{
	int w = lead, k;

	for (k = 0; k < n; k++)
		if (it[k].drop >= 0)
			w += text_width(it[k].text) + (k ? 3 : 0);
	return w;
}

/* The clock: the drill's, with its speed; date said or not. */
static void
status_clock(struct console_state *c, char *out, size_t n, int date)
{
	time_t t = (time_t)console_now();
	struct tm tm;
	size_t k;

	localtime_r(&t, &tm);
	strftime(out, n, date ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S", &tm);
	k = strlen(out);
	if (c->drill)
		snprintf(out + k, n - k, " x%d%s", c->drill_speed, c->drill_paused
			 ? _(" PAUSED") : c->drill_over ? _(" OVER") : "");
}

/* The shift the status line names, read again once a minute of the
 * console's clock and when the data changed (status_refresh_level). */
static struct {
	int64_t minute;
	int covered;
	char leader[128], o1[128], o2[128];
} shift = { -1, 0, "", "", "" };

/* A string member of o into out ("" when it is not one). */
static void
copy_str(const cJSON *o, const char *k, char *out, size_t n)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	snprintf(out, n, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

/* The shift of the roster covering now, as the status line says it:
 * its leader and the officer on duty (1), or that none covers now (0).
 * The officer is the console's own when it is the shift's second, else
 * the first: the line has no room for three names (the roster pane
 * shows them all). *same: the console's officer is the one named. */
static int
shift_text(struct console_state *c, char *out, size_t n, int *same)
{
	int64_t now = console_now();
	const char *me = db_officer(c->db), *who;
	cJSON *s = NULL;

	if (now / 60 != shift.minute) {
		shift.minute = now / 60;
		shift.covered = roster_at(c->db, NULL, now, 0, &s) == 1;
		copy_str(s, "leader_name", shift.leader, sizeof shift.leader);
		copy_str(s, "officer1_name", shift.o1, sizeof shift.o1);
		copy_str(s, "officer2_name", shift.o2, sizeof shift.o2);
		cJSON_Delete(s);
	}
	*same = 0;
	if (!shift.covered) {
		snprintf(out, n, "%s", _("no shift on the roster now"));
		return 0;
	}
	who = me && *shift.o2 && strcmp(me, shift.o2) == 0 ? shift.o2
	      : shift.o1;
	*same = me && strcmp(me, who) == 0;
	/* TRANSLATORS: the status line: the leader on duty (带班领导) and
	 * the officer of the shift now. */
	snprintf(out, n, _("leader %s, on duty %s"), shift.leader, who);
	return 1;
}

/*
 * What must show at 80 columns, in either language: the refused count,
 * LATE and the alert count are never dropped. When the line is too
 * narrow the date goes first, then whole items from the right of the
 * officer's attention: that no shift covers now, clock (not a drill's),
 * realm, officer, the shift's leader and officer, level, link, silent
 * towns, and last the town every pane shows alone. An item is shown
 * whole or not at all.
 */
void
status_draw(struct console_state *c)
{
	struct item it[ITEM_MAX], *clk, *i;
	struct link_status st;
	char link[200], shift_now[256];
	int n = 0, lead = 0, k, drop, covered, same = 0;

	/* The drop order; the silent towns, not in the list, go
	 * after the link, since LATE and the alerts call them out too. */
	enum { D_NOSHIFT = 1, D_CLOCK, D_REALM, D_OFFICER, D_SHIFT, D_LEVEL,
	       D_LINK, D_SILENT, D_TOWN };

	werase(c->status);
	wattrset(c->status, A_REVERSE);
	wmove(c->status, 0, 0);
	if (strcmp(c->si.realm, "live") != 0) {
		wattron(c->status, A_BOLD | A_BLINK);
		waddch(c->status, ' ');
		/* TRANSLATORS: the status line's banner in a drill. */
		text_put(c->status, _("DRILL"), 10, 0);
		wattroff(c->status, A_BLINK);
		wattron(c->status, A_REVERSE);
	}
	lead = getcurx(c->status) + 1;
	snprintf(item_add(it, &n, A_REVERSE, 0)->text, sizeof it[0].text,
		 "%s", c->si.station);
	/* Operations the server refused stay here, applied locally: the
	 * officer must know, so the count comes first until someone has
	 * looked at them (R); likewise what waits, unsent, for the county
	 * server to be upgraded. */
	if (c->link) {
		link_status(c->link, &st);
		if (st.refused > 0)
			snprintf(item_add(it, &n, A_BOLD, 0)->text,
				 sizeof it[0].text, _("%lld REFUSED (R)"),
				 (long long)st.refused);
		if (st.held > 0)
			snprintf(item_add(it, &n, A_BOLD, 0)->text,
				 sizeof it[0].text,
				 _("%lld WAIT FOR SERVER UPGRADE"),
				 (long long)st.held);
	}
	/* Every pane shows one town alone: dropped last of all, as a list
	 * that leaves the rest of the county out must say so. */
	if (c->town_only[0])
		/* TRANSLATORS: the status line while every pane shows one town;
		 * * is the key that shows every town again. */
		snprintf(item_add(it, &n, A_BOLD, D_TOWN)->text, sizeof it[0].text,
			 _("town: %s (* clears)"), console_town(c->town_only, 1));
	/* The officer at the console, unless the shift on the roster names
	 * them already. */
	covered = shift_text(c, shift_now, sizeof shift_now, &same);
	if (!same)
		snprintf(item_add(it, &n, A_REVERSE, D_OFFICER)->text,
			 sizeof it[0].text, "%s %s", _("officer"),
			 db_officer(c->db));
	snprintf(item_add(it, &n, A_REVERSE, covered ? D_SHIFT
			  : D_NOSHIFT)->text, sizeof it[0].text, "%s", shift_now);
	/* In a drill the clock is the drill's, with its speed and whether
	 * it is paused or over: the drill's state, never dropped. */
	clk = item_add(it, &n, A_REVERSE, c->drill ? 0 : D_CLOCK);
	status_clock(c, clk->text, sizeof clk->text, 1);
	snprintf(item_add(it, &n, A_REVERSE, D_LEVEL)->text, sizeof it[0].text,
		 "%s %s", _("level"), c->top_level[0] ? c->top_level : _("none"));
	link_text(c->link ? &st : NULL, link, sizeof link);
	snprintf(item_add(it, &n, A_REVERSE, D_LINK)->text, sizeof it[0].text,
		 "%s", link);
	/* LATE counts incidents, each once however many of its clocks ran
	 * out; the towns silent after a warning are counted apart. */
	if (c->counts.late > 0)
		snprintf(item_add(it, &n, A_BOLD, 0)->text, sizeof it[0].text,
			 "%s %lld", _("LATE"), (long long)c->counts.late);
	if (c->counts.unanswered_late > 0)
		snprintf(item_add(it, &n, A_BOLD, D_SILENT)->text,
			 sizeof it[0].text, _("%lld SILENT"),
			 (long long)c->counts.unanswered_late);
	if (c->alerts)
		snprintf(item_add(it, &n, A_BOLD, 0)->text, sizeof it[0].text,
			 "%d %s", c->alerts, _("alert(s): x"));
	/* A county-wide drill's realm, for the towns to join: last, as it
	 * was also said when the drill began. */
	if (c->drill_county)
		snprintf(item_add(it, &n, A_REVERSE, D_REALM)->text,
			 sizeof it[0].text, "%s", c->si.realm);

	/* The date goes before anything else does. */
	if (line_width(it, n, lead) > COLS)
		status_clock(c, clk->text, sizeof clk->text, 0);
	for (drop = D_NOSHIFT; line_width(it, n, lead) > COLS && drop <= D_TOWN;
	     drop++) {
		for (k = 0; k < n; k++)
			if (it[k].drop == drop)
				it[k].drop = -1;
	}
	for (k = 0; k < n; k++) {
		i = &it[k];
		if (i->drop < 0)
			continue;
		wattrset(c->status, A_REVERSE | (i->attr & A_BOLD));
		text_put(c->status, k ? " | " : " ", COLS, 0);
		text_put(c->status, i->text, COLS - getcurx(c->status), 0);
	}
	/* Padded from the width written, not the cursor: a one-line
	 * window's cursor stays on the last column once it is written, and
	 * a pad from there would blank it. */
	wattrset(c->status, A_REVERSE);
	for (k = line_width(it, n, lead); k < COLS; k++)
		waddch(c->status, ' ');
	wattrset(c->status, A_NORMAL);
	wnoutrefresh(c->status);
}

void
status_refresh_level(struct console_state *c)
{
	cJSON *resp = NULL, *r;
	char hazard[32] = "";
	int best = 0, done = 0, total = 0;

	/* The roster may have changed too. */
	shift.minute = -1;
	c->top_level[0] = 0;
	if (state_list(c->db, LIST_RESPONSES, NULL, &resp) != 0)
		return;
	cJSON_ArrayForEach(r, resp) {
		int lv = (int)cJSON_GetObjectItem(r, "level")->valuedouble;
		if (lv > 0 && (best == 0 || lv < best)) {
			best = lv;
			snprintf(hazard, sizeof hazard, "%s",
				 cJSON_GetObjectItem(r, "hazard")->valuestring);
		}
	}
	cJSON_Delete(resp);
	if (!best)
		return;
	/* Its checklist's progress goes with the level, in the same item,
	 * so the two are shown or dropped together. */
	if (response_progress(c->db, hazard, &done, &total) == 0 && total)
		snprintf(c->top_level, sizeof c->top_level, "%s %s %d/%d",
			 console_hazard(hazard), level_name(best), done, total);
	else
		snprintf(c->top_level, sizeof c->top_level, "%s %s",
			 console_hazard(hazard), level_name(best));
}
