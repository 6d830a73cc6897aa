/*
 * pane_teams.c - the status board of every team: where each is sent and
 * since when, dispatch to an incident, each status step, and turnout
 * against 5 minutes (city) / 10 minutes (rural) as an on-time rate.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct column cols[] = {
	{ N_("TEAM"), "id", 13, COL_ID, 0 },
	{ N_("NAME"), "name", 24, COL_NAME, 0 },
	{ N_("KIND"), "kind", 9, COL_WIDE, W_TEAM_KIND },
	{ N_("TOWN"), "town", 9, COL_TOWN, 0 },
	{ N_("STATUS"), "status", 10, 0, W_TEAM_STATUS },
	{ N_("FOR"), "status_at", 5, COL_AGE | COL_RIGHT, 0 },
	{ N_("INCIDENT"), "incident", 0, COL_ID, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const find[] = { "id", "name", "pinyin", "kind", "town",
	"status", "incident", NULL };

static const struct keymap keymap[] = {
	{ 'd', 0, REQ_DISPATCH, "d" },
	{ 's', 0, REQ_STATUS, "s" },
	{ 0, 0, REQ_NONE, NULL }
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* While the console shows one town: the teams of that town and those
 * sent to its incidents (the board's teams out), by their town_codes.
 * The town's incidents are looked up sorted, not walked for each team. */
static void
town_codes(cJSON *list, const char *town)
{
	cJSON *f = cJSON_CreateObject(), *inc = NULL, *row;
	const char **ids = NULL;
	char buf[80];
	size_t n = 0;

	cJSON_AddStringToObject(f, "town", town);
	if (state_list(console_db(), LIST_INCIDENTS, f, &inc) == 0 &&
	    (ids = malloc(((size_t)cJSON_GetArraySize(inc) + 1) * sizeof *ids))) {
		cJSON_ArrayForEach(row, inc)
			if (cJSON_GetStringValue(cJSON_GetObjectItem(row, "id")))
				ids[n++] = cJSON_GetObjectItem(row, "id")->valuestring;
		qsort(ids, n, sizeof *ids, cmp_str);
		cJSON_ArrayForEach(row, list) {
			const char *id = cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(row, "incident"));
			const char *own = cJSON_GetStringValue(
				cJSON_GetObjectItemCaseSensitive(row, "town"));
			int sent = id && bsearch(&id, ids, n, sizeof *ids, cmp_str);
			snprintf(buf, sizeof buf, "%s%s%s", own ? own : "",
				 sent ? " " : "", sent ? town : "");
			cJSON_AddStringToObject(row, "town_codes", buf);
		}
	}
	free(ids);
	cJSON_Delete(inc);
	cJSON_Delete(f);
}

static cJSON *
load(struct pane *p)
{
	cJSON *list = NULL;

	if (state_list(console_db(), LIST_TEAMS, NULL, &list)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		return NULL;
	}
	if (console_town_only())
		town_codes(list, console_town_only());
	return view_filter(&p->view, p->ops->find, list);
}

/* A team sent but not yet on its way past the rural target is late. */
static int
style(const cJSON *row, void *ctx)
{
	const char *s = cJSON_GetObjectItem(row, "status")->valuestring;
	const cJSON *at = cJSON_GetObjectItem(row, "status_at");
	int64_t t;

	(void)ctx;
	if (strcmp(s, "dispatched") == 0 && cJSON_IsString(at) &&
	    time_parse_iso(at->valuestring, &t) == 0 &&
	    console_now() - t > TURNOUT_RURAL_SECS)
		return A_BOLD | (has_colors() ? COLOR_PAIR(1) : A_UNDERLINE);
	if (strcmp(s, "available") != 0)
		return A_BOLD;
	return 0;
}

static const char *const steps[] = { "en_route", "on_scene", "returning",
	"available", "out_of_service", NULL };

/* A dispatch form asks for what it was not given: the incident to send
 * a team to, or the team to send to an incident. */
static const struct form_field incident_field[] = {
	{ N_("Incident"), "incident", FT_PICK, 1, NULL, REF_INCIDENT, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static const struct form_field team_field[] = {
	{ N_("Team"), "team", FT_PICK, 1, NULL, REF_TEAM, "incident" },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static const struct form_field status_form[] = {
	{ N_("New status"), "status", FT_CHOICE, 1, steps, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_dispatch(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *team = form_value(ctx, "team");
	const char *inc = form_value(ctx, "incident");
	char id[64];
	int rc;

	if (!*team)
		team = form_value(values, "team");
	if (!*inc)
		inc = form_value(values, "incident");
	rc = dispatch_create(console_db(), team, inc, id);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("team %s dispatched to %s (%s)"), team, inc, id);
	return 0;
}

void
pane_dispatch(const char *team, const char *incident)
{
	cJSON *ctx = cJSON_CreateObject();

	if (team)
		cJSON_AddStringToObject(ctx, "team", team);
	else
		cJSON_AddStringToObject(ctx, "incident", incident);
	form_open(team ? _("Dispatch this team to incident") : _("Dispatch a team"),
		  team ? incident_field : team_field, NULL, submit_dispatch, ctx);
	cJSON_Delete(ctx);
}

static int
submit_status(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *s = form_value(values, "status");
	const char *team = form_value(ctx, "id");
	int rc = team_set_status(console_db(), team, s);

	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("team %s: %s"), team, word(W_TEAM_STATUS, s));
	return 0;
}

static int
key(struct pane *p, enum req r)
{
	const cJSON *row = view_selected(&p->view);
	cJSON *init;
	int cur;

	if (r != REQ_DISPATCH && r != REQ_STATUS)
		return -1;
	if (!row) {
		console_msg(1, "%s", _("no team selected"));
		return 0;
	}
	if (r == REQ_DISPATCH) {
		pane_dispatch(cJSON_GetObjectItem(row, "id")->valuestring, NULL);
		return 0;
	}
	/* Offer the next step as the default. */
	cur = team_status_parse(cJSON_GetObjectItem(row, "status")->valuestring);
	init = cJSON_CreateObject();
	cJSON_AddStringToObject(init, "status", cur == TEAM_DISPATCHED ? "en_route"
		: cur == TEAM_EN_ROUTE ? "on_scene" : cur == TEAM_ON_SCENE
		? "returning" : "available");
	/* The status of the team selected as the form opens (its ctx). */
	form_open(_("Team status"), status_form, init, submit_status, row);
	cJSON_Delete(init);
	return 0;
}

/* The steps of the selected team's dispatch with their times, and
 * turnout on time over every dispatch that has set out. */
static void
draw_extra(struct pane *p, WINDOW *win)
{
	const cJSON *row = view_selected(&p->view);
	cJSON *list = NULL, *d;
	int h, w, total = 0, ontime = 0, out = 0;
	char buf[300];

	getmaxyx(win, h, w);
	view_rule(win, p->ops->extra_lines);
	if (state_list(console_db(), LIST_DISPATCHES, NULL, &list))
		return;
	buf[0] = 0;
	cJSON_ArrayForEach(d, list) {
		const cJSON *t = cJSON_GetObjectItem(d, "turnout_secs");
		if (cJSON_IsNumber(t)) {
			total++;
			ontime += t->valuedouble <= cJSON_GetObjectItem(d, "target_secs")
				  ->valuedouble;
		} else {
			out++;
		}
		if (row && cJSON_IsString(cJSON_GetObjectItem(row, "dispatch")) &&
		    strcmp(cJSON_GetObjectItem(row, "dispatch")->valuestring,
			   cJSON_GetObjectItem(d, "id")->valuestring) == 0) {
			static const char *const keys[] = { "at", "en_route_at",
				"on_scene_at", "returning_at", NULL };
			static const char *const names[] = { N_("sent"),
				N_("en route"), N_("on scene"), N_("returning") };
			size_t k = 0;
			int i;
			for (i = 0; keys[i]; i++) {
				const cJSON *v = cJSON_GetObjectItem(d, keys[i]);
				char at[20] = "-";
				int64_t tt;
				if (cJSON_IsString(v) && time_parse_iso(v->valuestring,
									&tt) == 0)
					time_format_local(tt, at);
				k += (size_t)snprintf(buf + k, sizeof buf - k, "%s %s  ",
						      _(names[i]), at[0] == '-' ? "-"
						      : at + 11);
				if (k >= sizeof buf)
					break;
			}
			if (cJSON_IsNumber(t) && k < sizeof buf)
				snprintf(buf + k, sizeof buf - k, _("turnout %.0f min "
					 "(target %.0f)"), t->valuedouble / 60,
					 cJSON_GetObjectItem(d, "target_secs")->valuedouble
					 / 60);
		}
	}
	cJSON_Delete(list);
	wmove(win, h - 2, 0);
	text_put(win, buf[0] ? buf : _("not sent anywhere"), w, 1);
	if (total)
		snprintf(buf, sizeof buf, _("turnout on time (5 min city, 10 min "
			 "rural): %d of %d (%d%%); %d waiting to set out"),
			 ontime, total, 100 * ontime / total, out);
	else
		snprintf(buf, sizeof buf, _("no turnout yet; %d waiting to set out"),
			 out);
	wmove(win, h - 1, 0);
	text_put(win, buf, w, 1);
}

const struct pane_ops pane_teams = {
	.title = N_("Teams"), .cols = cols, .find = find, .keys = keymap,
	.load = load, .key = key, .style = style,
	.draw_extra = draw_extra, .extra_lines = 3,
};
