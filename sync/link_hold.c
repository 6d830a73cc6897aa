/*
 * link_hold.c - what a station holds back for the county server's
 * upgrade (sync/PROTOCOL.md, "Versions"): the operation kinds the
 * server's welcome listed, and the walk of the outbox that holds back,
 * in each incarnation, the first operation of a kind the server does
 * not know and every one after it. Sequence numbers arrive in order and
 * the ack says "up to", so nothing after a held operation may go: a
 * server that refused it would spend its number and lose the work.
 */
#include "sync/internal.h"

#include <stdio.h>
#include <string.h>

void
kindset_finish(struct kindset *ks)
{
	const char *mine;
	size_t i;

	ks->known = 1;
	/* Whether anything can be held at all: the outbox holds only kinds
	 * this build makes, so a server that knows them all holds nothing
	 * back, and the outbox need not be walked after every ack. */
	ks->missing = 0;
	for (i = 0; (mine = op_kind_name(i, NULL)); i++)
		if (!kindset_has(ks, mine))
			ks->missing = 1;
}

void
kindset_set(struct kindset *ks, const cJSON *kinds)
{
	const cJSON *k;

	ks->known = 0;
	ks->n = 0;
	cJSON_ArrayForEach(k, kinds)
		if (ks->n < SYNC_KINDS_MAX)
			snprintf(ks->name[ks->n++], sizeof ks->name[0], "%s",
				 k->valuestring);
	kindset_finish(ks);
}

int
kindset_has(const struct kindset *ks, const char *kind)
{
	int i;

	if (!ks->known)
		return 1;
	for (i = 0; i < ks->n; i++)
		if (strcmp(ks->name[i], kind) == 0)
			return 1;
	return 0;
}

void
hold_start(struct hold *h, const struct kindset *ks)
{
	h->ks = ks;
	h->n = 0;
	h->count = 0;
	h->first[0] = 0;
}

int
hold_op(struct hold *h, const char *inc, const char *kind)
{
	int i;

	for (i = 0; i < h->n; i++)
		if (strcmp(h->inc[i], inc) == 0)
			goto held;
	/* More incarnations held than the walk can name (a station
	 * restored over and over): every other one is held too, which
	 * sends nothing out of order and holds only what will go later. */
	if (h->n == HOLD_INCS)
		goto held;
	if (kindset_has(h->ks, kind))
		return 0;
	snprintf(h->inc[h->n++], sizeof h->inc[0], "%s", inc);
	if (!h->first[0])
		snprintf(h->first, sizeof h->first, "%s", kind);
held:
	h->count++;
	return 1;
}

static int
count_cb(const char *inc, int64_t seq, const char *kind, void *ctx)
{
	(void)seq;
	hold_op(ctx, inc, kind);
	return 0;
}

/* Walk the outbox of db against ks: *count and kind of the first. */
static int
held_walk(struct db *db, const struct kindset *ks, int64_t *count,
	  char kind[32])
{
	struct hold h;
	int rc = 0;

	hold_start(&h, ks);
	if (ks->known && ks->missing)
		rc = replica_outbox_kinds(db, count_cb, &h);
	*count = rc < 0 ? 0 : h.count;
	snprintf(kind, 32, "%s", rc < 0 ? "" : h.first);
	return rc < 0 ? rc : 0;
}

int
link_held_scan(struct link *l)
{
	return held_walk(l->db, &l->kinds, &l->held, l->held_kind);
}

int
link_held_read(struct db *db, const char *dbpath, int64_t *count,
	       char kind[32])
{
	struct kindset ks;

	link_note_kinds(dbpath, &ks);
	return held_walk(db, &ks, count, kind);
}
