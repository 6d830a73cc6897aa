/*
 * pane_requests.c - requests between levels, a list of pane 9: at a
 * town station its own town's, at the county every town's; the open
 * ones first (the oldest, most pressing, on top), then those done,
 * newest first. A town asks (a); the county approves (y), refuses (n)
 * and sends (s); the town, or the county for it, receives (r). Enter
 * shows a request with its steps.
 */
#include "tui/console.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static const struct column cols[] = {
	{ N_("ID"), "id", 14, COL_ID, 0 },
	{ N_("TOWN"), "town", 11, COL_TOWN, 0 },
	{ N_("WHAT"), "what", 14, 0, 0 },
	{ N_("INCIDENT"), "incident", 14, COL_ID, 0 },
	{ N_("STATE"), "state_word", 9, 0, 0 },
	{ N_("AGE"), "at", 0, COL_AGE, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const find[] = { "id", "town", "what", "incident",
	"state_word", "note", NULL };

static const struct keymap keymap[] = {
	{ 'v', 0, REQ_VIEW, "v" },
	{ 'a', 0, REQ_ADD, "a" },
	{ KEY_IC, 1, REQ_ADD, NULL },
	{ 'y', 0, REQ_APPROVE, "y" },
	{ 'n', 0, REQ_DENY, "n" },
	{ 's', 0, REQ_SEND, "s" },
	{ 'r', 0, REQ_ARRIVED, "r" },
	{ 0, 0, REQ_NONE, NULL }
};

/* This station's town, "" at the county. */
static const char *
own_town(void)
{
	static char town[32];

	if (station_town(console_db(), town) != 1)
		town[0] = 0;
	return town;
}

/* A step's form title naming the request it acts on: its id and what
 * it asks for. */
static const char *
titled(const char *what, const cJSON *row)
{
	static char t[200];

	snprintf(t, sizeof t, "%s %s: %s", what, str(row, "id"),
		 str(row, "what"));
	return t;
}

static int
command_station(void)
{
	struct station_info si;

	return station_identity(console_db(), &si) == 0 &&
	       si.role == ROLE_COMMAND;
}

/* What a request asks for as this terminal shows it: the kind's
 * Chinese name, else its code (what the shell takes back), and the
 * quantity; or the team kind in words. */
static void
what_of(const cJSON *row, char *buf, size_t n)
{
	if (*str(row, "item"))
		snprintf(buf, n, "%s x%.0f", console_utf8 && words_chinese() &&
			 *str(row, "item_name") ? str(row, "item_name")
			 : str(row, "item"), cJSON_GetNumberValue(
			 cJSON_GetObjectItemCaseSensitive(row, "qty")));
	else
		snprintf(buf, n, "%s", word(W_TEAM_KIND, str(row, "team_kind")));
}

static cJSON *
load(struct pane *p)
{
	const char *town = command_station() ? NULL : own_town();
	cJSON *list = NULL, *out, *row;
	char what[160];
	int i, pass;

	if (request_list(console_db(), town && *town ? town : NULL, NULL, 0,
			 &list)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		return NULL;
	}
	out = cJSON_CreateArray();
	/* Open ones oldest first, then the rest newest first. */
	for (pass = 0; pass < 2; pass++) {
		int n = cJSON_GetArraySize(list);
		for (i = 0; i < n; i++) {
			const cJSON *in = cJSON_GetArrayItem(list, pass ? n - 1 - i
							     : i);
			int open = cJSON_IsTrue(cJSON_GetObjectItem(in, "open"));
			char state[96];
			if (open != !pass)
				continue;
			row = cJSON_Duplicate(in, 1);
			what_of(row, what, sizeof what);
			cJSON_AddStringToObject(row, "what", what);
			snprintf(state, sizeof state, "%s%s",
				 request_state_word(str(row, "state")),
				 cJSON_IsTrue(cJSON_GetObjectItem(row, "late"))
				 ? "!" : "");
			cJSON_AddStringToObject(row, "state_word", state);
			cJSON_AddItemToArray(out, row);
		}
	}
	cJSON_Delete(list);
	return view_filter(&p->view, p->ops->find, out);
}

/* Late and in conflict stand out; done ones step back. */
static int
style(const cJSON *row, void *ctx)
{
	(void)ctx;
	if (cJSON_IsTrue(cJSON_GetObjectItem(row, "late")) ||
	    strcmp(str(row, "state"), "conflict") == 0)
		return A_BOLD;
	if (!cJSON_IsTrue(cJSON_GetObjectItem(row, "open")))
		return A_DIM;
	return 0;
}

/* ---- forms ---- */

static const char *const team_kinds[] = { "municipal", "town", "fire",
	"social", "expert", NULL };

static const struct form_field add_form[] = {
	{ N_("Item"), "item", FT_PICK, 0, NULL, REF_KIND, NULL },
	{ N_("Quantity"), "qty", FT_INT, 0, NULL, 0, NULL },
	{ N_("Or a team of kind"), "team_kind", FT_CHOICE, 0, team_kinds, 0,
	  NULL },
	{ N_("Incident"), "incident", FT_PICK, 0, NULL, REF_INCIDENT, NULL },
	{ N_("Note"), "note", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

/* The same at the county, which names the town. */
static const struct form_field add_form_county[] = {
	{ N_("Town"), "town", FT_PICK, 1, NULL, REF_TOWN, NULL },
	{ N_("Item"), "item", FT_PICK, 0, NULL, REF_KIND, NULL },
	{ N_("Quantity"), "qty", FT_INT, 0, NULL, 0, NULL },
	{ N_("Or a team of kind"), "team_kind", FT_CHOICE, 0, team_kinds, 0,
	  NULL },
	{ N_("Incident"), "incident", FT_PICK, 0, NULL, REF_INCIDENT, NULL },
	{ N_("Note"), "note", FT_TEXT, 0, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_add(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *item = form_value(values, "item");
	const char *kind = form_value(values, "team_kind");
	char id[64];
	int rc;

	(void)ctx;
	if (!*item == !*kind) {
		snprintf(msg, n, "%s", _("ask for an item and its quantity, or "
			 "for a team"));
		return DD_E_INVALID;
	}
	if (*item && !*form_value(values, "qty")) {
		snprintf(msg, n, "%s", _("Quantity: required"));
		return DD_E_INVALID;
	}
	rc = request_add(console_db(), form_value(values, "town"),
			 *item ? item : NULL, atoll(form_value(values, "qty")),
			 *kind ? kind : NULL, form_value(values, "incident"),
			 form_value(values, "note"), id);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("request %s sent to the county"), id);
	return 0;
}

static const struct form_field approve_supplies[] = {
	{ N_("Depot"), "depot", FT_PICK, 1, NULL, REF_DEPOT, NULL },
	{ N_("Quantity"), "qty", FT_INT, 1, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

/* Teams available near the request's incident first. */
static const struct form_field approve_team[] = {
	{ N_("Team"), "team", FT_PICK, 1, NULL, REF_TEAM, "incident" },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_approve(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *id = str(ctx, "id");
	char step[64];
	int rc;

	rc = request_approve(console_db(), id, atoll(form_value(values, "qty")),
			     form_value(values, "depot"),
			     form_value(values, "team"), step);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("request %s approved (%s)"), id, step);
	return 0;
}

static const struct form_field refuse_form[] = {
	{ N_("Reason"), "reason", FT_TEXT, 1, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_refuse(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *id = str(ctx, "id");
	char step[64];
	int rc;

	rc = request_refuse(console_db(), id, form_value(values, "reason"), step);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("request %s refused (%s)"), id, step);
	return 0;
}

static const struct form_field send_form[] = {
	{ N_("Incident"), "incident", FT_PICK, 1, NULL, REF_INCIDENT, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_send(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *id = str(ctx, "id");
	char step[64], ref[64];
	int rc;

	rc = request_send(console_db(), id, form_value(values, "incident"), step,
			  ref);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("request %s sent (%s)"), id, ref);
	return 0;
}

static const struct form_field receive_form[] = {
	{ N_("Into depot"), "depot", FT_PICK, 1, NULL, REF_DEPOT, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_receive(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *id = str(ctx, "id");
	char step[64], ref[64];
	int rc;

	rc = request_receive(console_db(), id, form_value(values, "depot"), step,
			     ref);
	if (rc)
		return form_refused(rc, msg, n);
	snprintf(msg, n, _("request %s received (%s)"), id, step);
	return 0;
}

/* A step taken at once, without a form (a send that needs nothing more,
 * a team's arrival): its result on the message line. */
static void
step_now(struct pane *p, const char *id, int send)
{
	char step[64], ref[64];
	int rc = send ? request_send(console_db(), id, NULL, step, ref)
		      : request_receive(console_db(), id, NULL, step, ref);

	if (rc) {
		console_msg(1, "%s", db_why(console_db(), rc));
		return;
	}
	console_msg(0, send ? _("request %s sent (%s)")
		    : _("request %s received (%s)"), id, send ? ref : step);
	console_changed();
	p->dirty = 1;
}

static int
key(struct pane *p, enum req r)
{
	const cJSON *row = view_selected(&p->view);
	cJSON *init, *ctx;
	char town[64];

	if (r == REQ_VIEW) {
		county_view_next(p);
		return 0;
	}
	if (r == REQ_ADD) {
		form_open(_("Request to the county"), command_station()
			  ? add_form_county : add_form, NULL, submit_add, NULL);
		return 0;
	}
	if (r != REQ_APPROVE && r != REQ_DENY && r != REQ_SEND &&
	    r != REQ_ARRIVED)
		return -1;
	if (!row) {
		console_msg(1, "%s", _("no row selected"));
		return 0;
	}
	/* Said before a form opens, not after it is filled in. */
	if (r != REQ_ARRIVED && !command_station()) {
		console_msg(1, "%s", _("only the command station approves, "
				       "refuses and sends a request"));
		return 0;
	}
	init = cJSON_CreateObject();
	ctx = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx, "id", str(row, "id"));
	cJSON_AddStringToObject(ctx, "incident", str(row, "incident"));
	switch (r) {
	case REQ_APPROVE:
		if (*str(row, "item")) {
			snprintf(town, sizeof town, "%.0f", cJSON_GetNumberValue(
				 cJSON_GetObjectItem(row, "qty")));
			cJSON_AddStringToObject(init, "qty", town);
			form_open(titled(_("Approve the request"), row),
				  approve_supplies, init, submit_approve, ctx);
		} else {
			form_open(titled(_("Approve the request"), row),
				  approve_team, init, submit_approve, ctx);
		}
		break;
	case REQ_DENY:
		form_open(titled(_("Refuse the request"), row), refuse_form, NULL,
			  submit_refuse, ctx);
		break;
	case REQ_SEND:
		if (*str(row, "item") || *str(row, "incident"))
			step_now(p, str(row, "id"), 1);
		else
			form_open(titled(_("Send the team to an incident"), row),
				  send_form, NULL, submit_send, ctx);
		break;
	default:
		if (*str(row, "item")) {
			snprintf(town, sizeof town, "d-%s", str(row, "town"));
			cJSON_AddStringToObject(init, "depot", town);
			form_open(titled(_("Receive what was sent"), row),
				  receive_form, init, submit_receive, ctx);
		} else {
			step_now(p, str(row, "id"), 0);
		}
	}
	cJSON_Delete(init);
	cJSON_Delete(ctx);
	return 0;
}

/* Enter: the request and each of its steps, on a page. */
int
pane_request_record(struct db *db, const cJSON *row, FILE *f, char *title,
		    size_t tn, char *name, size_t nn)
{
	static const char *const done[] = { "approved", "refused", "sent",
		"received" };
	static const char *const steps[] = { "approve", "refuse", "send",
		"receive", NULL };
	cJSON *list = NULL, *s;
	char what[160], at[20];
	int64_t t;
	int rc, k;

	if ((rc = request_steps(db, str(row, "id"), &list)))
		return rc;
	what_of(row, what, sizeof what);
	snprintf(title, tn, _("Request %s"), str(row, "id"));
	snprintf(name, nn, "request-%s", str(row, "id"));
	fprintf(f, "%s\t%s\n", _("Town"), console_town(str(row, "town"), 0));
	fprintf(f, "%s\t%s\n", _("Asks for"), what);
	if (*str(row, "incident"))
		fprintf(f, "%s\t%s\n", _("Incident"), str(row, "incident"));
	if (*str(row, "note"))
		fprintf(f, "%s\t%s\n", _("Note"), str(row, "note"));
	fprintf(f, "%s\t%s\n", _("State"), request_state_word(str(row, "state")));
	if (strcmp(str(row, "state"), "conflict") == 0)
		fprintf(f, "\t%s\n", _("approved and refused at once on two "
			"stations: y or n decides it"));
	at[0] = 0;
	if (time_parse_iso(str(row, "at"), &t) == 0)
		time_format_local(t, at);
	fprintf(f, "%s\t%s %s (%s)\n", _("Asked"), at, str(row, "officer"),
		str(row, "station"));
	cJSON_ArrayForEach(s, list) {
		for (k = 0; steps[k] && strcmp(steps[k], str(s, "step")); k++)
			;
		at[0] = 0;
		if (time_parse_iso(str(s, "at"), &t) == 0)
			time_format_local(t, at);
		fprintf(f, "%s\t%s %s (%s)", steps[k] ? request_state_word(done[k])
			: str(s, "step"),
			at, str(s, "officer"), str(s, "station"));
		if (cJSON_IsNumber(cJSON_GetObjectItem(s, "qty")))
			fprintf(f, " x%.0f", cJSON_GetNumberValue(
				cJSON_GetObjectItem(s, "qty")));
		if (*str(s, "depot"))
			fprintf(f, " %s", str(s, "depot"));
		if (*str(s, "team"))
			fprintf(f, " %s", str(s, "team"));
		if (*str(s, "reason"))
			fprintf(f, " %s", str(s, "reason"));
		if (*str(s, "ref") && (k == RSTEP_SEND || k == RSTEP_RECEIVE))
			fprintf(f, " %s", str(s, "ref"));
		fprintf(f, "  %s\n", str(s, "id"));
	}
	cJSON_Delete(list);
	return 0;
}

const struct pane_ops pane_requests = {
	.title = N_("Requests"), .cols = cols, .find = find, .keys = keymap,
	.load = load, .key = key, .style = style,
};
