/*
 * pane_shelters.c - shelters: capacity, occupancy, open or closed; open
 * and close, people checked in and out.
 */
#include "tui/console.h"

#include <stdio.h>

static const struct column cols[] = {
	{ N_("ID"), "id", 5, COL_ID, 0 },
	{ N_("NAME"), "name", 30, COL_NAME, 0 },
	{ N_("TOWN"), "town", 11, COL_TOWN, 0 },
	{ N_("PEOPLE"), "occupancy", 6, COL_RIGHT, 0 },
	{ N_("CAP"), "capacity", 5, COL_RIGHT, 0 },
	{ N_("STATE"), "state", 0, 0, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const char *const find[] = { "id", "name", "town", NULL };

static const struct keymap keymap[] = {
	{ 'o', 0, REQ_OPEN, "o" },
	{ 'i', 0, REQ_CHECKIN, "i/+" },
	{ '+', 0, REQ_CHECKIN, NULL },
	{ 'u', 0, REQ_CHECKOUT, "u/-" },
	{ '-', 0, REQ_CHECKOUT, NULL },
	{ 0, 0, REQ_NONE, NULL }
};

static cJSON *
load(struct pane *p)
{
	cJSON *list = NULL, *out, *row;

	if (state_list(console_db(), LIST_SHELTERS, NULL, &list)) {
		console_msg(1, "%s", db_errmsg(console_db()));
		return NULL;
	}
	out = cJSON_CreateArray();
	while ((row = cJSON_DetachItemFromArray(list, 0))) {
		double occ = cJSON_GetObjectItem(row, "occupancy")->valuedouble;
		double cap = cJSON_GetObjectItem(row, "capacity")->valuedouble;
		cJSON_AddStringToObject(row, "state",
			!cJSON_GetObjectItem(row, "open")->valuedouble ? _("closed")
			: cap > 0 && occ > cap ? _("OVER CAPACITY") : _("open"));
		cJSON_AddItemToArray(out, row);
	}
	cJSON_Delete(list);
	return view_filter(&p->view, p->ops->find, out);
}

static int
style(const cJSON *row, void *ctx)
{
	(void)ctx;
	if (!cJSON_GetObjectItem(row, "open")->valuedouble)
		return 0;
	if (cJSON_GetObjectItem(row, "capacity")->valuedouble > 0 &&
	    cJSON_GetObjectItem(row, "occupancy")->valuedouble >
	    cJSON_GetObjectItem(row, "capacity")->valuedouble)
		return A_BOLD | (has_colors() ? COLOR_PAIR(1) : A_UNDERLINE);
	return A_BOLD;
}

static const struct form_field people_form[] = {
	{ N_("People"), "n", FT_INT, 1, NULL, 0, NULL },
	{ NULL, NULL, 0, 0, NULL, 0, NULL }
};

static int
submit_people(cJSON *values, char *msg, size_t n, const cJSON *ctx)
{
	const char *shelter = form_value(ctx, "id");
	int sign = (int)cJSON_GetObjectItem(ctx, "sign")->valuedouble;
	long long k = 0;
	int64_t people, cap;
	int rc;

	sscanf(form_value(values, "n"), "%lld", &k);
	rc = shelter_occupy(console_db(), shelter, sign * k);
	if (rc)
		return form_refused(rc, msg, n);
	if (sign > 0 && shelter_occupancy(console_db(), shelter, &people,
					  &cap) == 1 && cap > 0 && people > cap)
		snprintf(msg, n, _("%lld people checked in at %s: now %lld, %lld "
				   "over its capacity"), k, shelter,
			 (long long)people, (long long)(people - cap));
	else
		snprintf(msg, n, sign > 0 ? _("%lld people checked in at %s")
			 : _("%lld people checked out of %s"), k, shelter);
	return 0;
}

static int
key(struct pane *p, enum req r)
{
	const cJSON *row = view_selected(&p->view);
	const char *shelter;
	cJSON *ctx;
	int rc, open;

	if (r != REQ_OPEN && r != REQ_CHECKIN && r != REQ_CHECKOUT)
		return -1;
	if (!row) {
		console_msg(1, "%s", _("no shelter selected"));
		return 0;
	}
	shelter = cJSON_GetObjectItem(row, "id")->valuestring;
	if (r == REQ_OPEN) {
		open = !cJSON_GetObjectItem(row, "open")->valuedouble;
		rc = shelter_set_open(console_db(), shelter, open);
		if (rc)
			console_msg(1, "%s", db_errmsg(console_db()));
		else
			console_msg(0, open ? _("shelter %s opened")
				    : _("shelter %s closed"), shelter);
		console_changed();
		return 0;
	}
	/* The shelter selected as the form opens, and which way. */
	ctx = cJSON_CreateObject();
	cJSON_AddStringToObject(ctx, "id", shelter);
	cJSON_AddNumberToObject(ctx, "sign", r == REQ_CHECKIN ? 1 : -1);
	form_open(r == REQ_CHECKIN ? _("Check people in") : _("Check people out"),
		  people_form, NULL, submit_people, ctx);
	cJSON_Delete(ctx);
	return 0;
}

const struct pane_ops pane_shelters = {
	.title = N_("Shelters"), .cols = cols, .find = find, .keys = keymap,
	.load = load, .key = key, .style = style,
};
