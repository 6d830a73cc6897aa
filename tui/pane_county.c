/*
 * pane_county.c - pane 9, the county at a glance: one pane that shows
 * one of its lists at a time, v going from one to the next.
 */
#include "tui/console.h"

#include <string.h>

/* Until the lists land: an empty one. */
static cJSON *
none_load(struct pane *p)
{
	(void)p;
	return cJSON_CreateArray();
}

static const struct column none_cols[] = {
	{ N_("ID"), "id", 11, COL_ID, 0 },
	{ NULL, NULL, 0, 0, 0 }
};

static const struct keymap none_keys[] = {
	{ 'v', 0, REQ_VIEW, "v" },
	{ 0, 0, REQ_NONE, NULL }
};

static int
none_key(struct pane *p, enum req r)
{
	if (r != REQ_VIEW)
		return -1;
	county_view_next(p);
	return 0;
}

static const struct pane_ops pane_county_none = {
	N_("county"), none_cols, NULL, none_keys, none_load,
	none_key, NULL, NULL, 0
};

/* The lists of pane 9, in the order v shows them. */
const struct pane_ops *const county_views[] = {
	/* the town board */
	&pane_board,

	/* disaster statistics */

	/* requests between levels */

	/* risk points */

	&pane_county_none,
	NULL
};

void
county_view_next(struct pane *p)
{
	size_t i;

	for (i = 0; county_views[i] && county_views[i] != p->ops; i++)
		;
	p->ops = county_views[i] && county_views[i + 1] ? county_views[i + 1]
						       : county_views[0];
	/* Selection and filter start afresh: those of one list mean
	 * nothing in another. */
	cJSON_Delete(p->view.rows);
	memset(&p->view, 0, sizeof p->view);
	p->dirty = p->redraw = 1;
}
