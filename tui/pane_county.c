/*
 * pane_county.c - pane 9, the county at a glance: one pane that shows
 * one of its lists at a time, v going from one to the next.
 */
#include "tui/console.h"

#include <string.h>

/* The lists of pane 9, in the order v shows them. */
const struct pane_ops *const county_views[] = {
	/* the town board */
	&pane_board,

	/* disaster statistics */
	&pane_stats,

	/* requests between levels */
	&pane_requests,

	/* risk points */
	&pane_risk,
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
