/*
 * status.c - the console's top line: DRILL in a drill, the station, the
 * operations the server refused and those held back for its upgrade,
 * the officer, the clock (the drill's,
 * with its speed), the highest response level in force, the link, and
 * the counts of what is late and of alerts not yet seen. The link says
 * when the server announced a change of its key.
 */
#include "tui/console.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sync/sync.h"
#include "tui/tui.h"

/* The link as the status line shows it. */
static void
link_text(struct console_state *c, char *buf, size_t n)
{
	struct link_status st;
	char since[8] = "--:--";
	struct tm tm;
	time_t t;
	size_t len;

	if (!c->link) {
		snprintf(buf, n, "%s", _("no server"));
		return;
	}
	link_status(c->link, &st);
	switch (st.state) {
	case LINK_ONLINE:
		if (st.queued)
			snprintf(buf, n, _("online, %lld queued"), (long long)st.queued);
		else
			snprintf(buf, n, "%s", _("online"));
		break;
	case LINK_STOPPED:
		/* The one a duty officer cannot read past: said in the
		 * officer's language, with what to do. */
		if (st.server_old)
			snprintf(buf, n, "%s", _("stopped: the county server is "
				 "older than this station; upgrade it first"));
		else if (st.no_pin)
			snprintf(buf, n, "%s", _("stopped: no pin for the server "
				 "(dutydesk link --pin PIN)"));
		else
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
	if (st.insecure && len < n)
		snprintf(buf + len, n - len, "%s", _(", insecure"));
	/* The server announced its next key (dutydesk status names both
	 * pins): the station will follow it without anyone's help. */
	len = strlen(buf);
	if (st.pin_next[0] && len < n)
		snprintf(buf + len, n - len, "%s", _(", new key announced"));
	len = strlen(buf);
	if (st.skew_known && (st.skew_ms > 2000 || st.skew_ms < -2000) &&
	    len < n)
		snprintf(buf + len, n - len, _(", clock %+llds from server"),
			 (long long)(st.skew_ms / 1000));
}

/* The status line's clock: the date too when it fits (width is what the
 * rest of the line takes). */
static void
status_clock(struct console_state *c, char *out, size_t n, int width)
{
	time_t t = (time_t)console_now();
	struct tm tm;
	size_t k;

	localtime_r(&t, &tm);
	strftime(out, n, width + 19 + 10 <= COLS ? "%Y-%m-%d %H:%M:%S"
		 : "%H:%M:%S", &tm);
	k = strlen(out);
	if (c->drill)
		snprintf(out + k, n - k, " x%d%s", c->drill_speed, c->drill_paused
			 ? _(" PAUSED") : c->drill_over ? _(" OVER") : "");
}

void
status_draw(struct console_state *c)
{
	char clock[40], buf[512], link[200];
	int used;

	werase(c->status);
	wattrset(c->status, A_REVERSE);
	wmove(c->status, 0, 0);
	if (strcmp(c->si.realm, "live") != 0) {
		wattron(c->status, A_BOLD | A_BLINK);
		waddstr(c->status, " DRILL");
		wattroff(c->status, A_BLINK);
		wattron(c->status, A_REVERSE);
	}
	link_text(c, link, sizeof link);
	snprintf(buf, sizeof buf, " %s | ", c->si.station);
	text_put(c->status, buf, COLS, 0);
	/* Operations the server refused stay here, applied locally: the
	 * officer must know, so the count comes first, where 80 columns
	 * never cut it, until someone has looked at them (R). */
	if (c->link) {
		struct link_status st;
		link_status(c->link, &st);
		if (st.refused > 0) {
			snprintf(buf, sizeof buf, _("%lld REFUSED (R)"),
				 (long long)st.refused);
			wattron(c->status, A_BOLD);
			text_put(c->status, buf, COLS, 0);
			wattroff(c->status, A_BOLD);
			text_put(c->status, " | ", COLS, 0);
		}
		/* Likewise what waits, unsent, for the county server to be
		 * upgraded: the officer's work has not reached the county. */
		if (st.held > 0) {
			snprintf(buf, sizeof buf, _("%lld WAIT FOR SERVER UPGRADE"),
				 (long long)st.held);
			wattron(c->status, A_BOLD);
			text_put(c->status, buf, COLS, 0);
			wattroff(c->status, A_BOLD);
			text_put(c->status, " | ", COLS, 0);
		}
	}
	/* What comes first must show at 80 columns: the link's state in a
	 * drill too, so the date goes when the line is full. */
	snprintf(buf, sizeof buf, "%s %s | %s | %s %s | %s", _("officer"),
		 db_officer(c->db), "00:00:00", _("level"), c->top_level[0]
		 ? c->top_level : _("none"), link);
	used = getcurx(c->status) + text_width(buf) - 8;
	status_clock(c, clock, sizeof clock, used);
	snprintf(buf, sizeof buf, "%s %s | %s | %s %s | %s", _("officer"),
		 db_officer(c->db), clock, _("level"), c->top_level[0]
		 ? c->top_level : _("none"), link);
	text_put(c->status, buf, COLS, 0);
	if (c->counts.phone_late + c->counts.written_late +
	    c->counts.unanswered_late > 0) {
		snprintf(buf, sizeof buf, " | %s %lld", _("LATE"), (long long)(
			 c->counts.phone_late + c->counts.written_late +
			 c->counts.unanswered_late));
		wattron(c->status, A_BOLD);
		text_put(c->status, buf, COLS, 0);
	}
	if (c->alerts) {
		snprintf(buf, sizeof buf, " | %d %s", c->alerts, _("alert(s): x"));
		wattron(c->status, A_BOLD);
		text_put(c->status, buf, COLS, 0);
	}
	/* A county-wide drill's realm, for the towns to join: last, as it
	 * was also said when the drill began. */
	if (c->drill_county) {
		wattrset(c->status, A_REVERSE);
		snprintf(buf, sizeof buf, " | %s", c->si.realm);
		text_put(c->status, buf, COLS, 0);
	}
	{
		int y, x;
		getyx(c->status, y, x);
		(void)y;
		while (x++ < COLS)
			waddch(c->status, ' ');
	}
	wattrset(c->status, A_NORMAL);
	wnoutrefresh(c->status);
}

void
status_refresh_level(struct console_state *c)
{
	cJSON *resp = NULL, *r;
	int best = 0;

	c->top_level[0] = 0;
	if (state_list(c->db, LIST_RESPONSES, NULL, &resp) != 0)
		return;
	cJSON_ArrayForEach(r, resp) {
		int lv = (int)cJSON_GetObjectItem(r, "level")->valuedouble;
		if (lv > 0 && (best == 0 || lv < best)) {
			best = lv;
			snprintf(c->top_level, sizeof c->top_level, "%s %s",
				 cJSON_GetObjectItem(r, "hazard")->valuestring,
				 level_name(lv));
		}
	}
	cJSON_Delete(resp);
}
