/*
 * powerloss.h - what the power-loss library and its cut tool share: the
 * state directory's name and the records of a NAME.pending file.
 */
#ifndef POWERLOSS_H
#define POWERLOSS_H

#include <stdint.h>

/* Beside the matched files: the journal and the pending files. */
#define PL_STATE ".powerloss"

/* The page of the model's disk: in reorder mode the cut persists whole
 * pages of what was held. */
#define PL_PAGE 4096

enum { PL_WRITE = 1, PL_TRUNC = 2, PL_GROW = 3 };

/* One held change in NAME.pending, followed by len bytes of data for a
 * write. For a truncate or a grow, off is the new size and len is 0.
 * Records are appended in the order the program made the changes; the
 * file is emptied when the changes reach the real file at a sync. */
struct pl_rec {
	uint32_t kind;
	uint32_t len;
	int64_t off;
};

#endif
