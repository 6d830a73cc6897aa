/*
 * link_once.c - one sync for scripts and tests, on a loop of its own:
 * connect, push everything, pull until caught up, close
 * (link_sync_once).
 */
#include "sync/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void
link_finish(struct link *l, int rc)
{
	if (!l->once || l->once->done)
		return;
	l->once->done = 1;
	l->once->rc = rc;
	snprintf(l->once->msg, sizeof l->once->msg, "%s", l->message);
	uv_idle_stop(&l->work);
	uv_stop(l->loop);
}

void
link_done(struct link *l)
{
	if (!l->once || l->once->done || l->phase != LINK_PH_SYNC || !l->live ||
	    l->pend_head != l->npend || l->push_inflight || l->outbox_more)
		return;
	if (l->held)
		/* Not everything went: a script must not take this station
		 * for synced, and what it needs is the server upgraded. */
		snprintf(l->message, sizeof l->message, "pushed %" PRId64 ", pulled %"
			 PRId64 ", refused %" PRId64 "; %" PRId64 " held until the "
			 "county server is upgraded (it does not know %.31s)",
			 l->pushed, l->pulled, l->refused_now, l->held, l->held_kind);
	else if (l->refused_now)
		snprintf(l->message, sizeof l->message, "pushed %" PRId64 ", pulled %"
			 PRId64 ", refused %" PRId64 " (%.100s)", l->pushed, l->pulled,
			 l->refused_now, l->first_refusal);
	else
		snprintf(l->message, sizeof l->message, "pushed %" PRId64 ", pulled %"
			 PRId64 ", refused 0", l->pushed, l->pulled);
	link_finish(l, l->refused_now || l->held ? DD_E_REFUSED : 0);
}

static void
on_deadline(uv_timer_t *h)
{
	struct link *l = h->data;
	char why[sizeof l->message];

	snprintf(why, sizeof why, "%s", l->message);
	link_note(l, "no sync within the time allowed%s%.120s", why[0] ? ": " : "",
		  why);
	link_drop(l);
	link_finish(l, DD_E_SERVER);
}

static void
on_deadline_closed(uv_handle_t *h)
{
	(void)h;
}

int
link_sync_once(const char *dbpath, int timeout_ms, char *msg, size_t n)
{
	struct link_once once;
	struct link *l = NULL;
	uv_loop_t loop;
	uv_timer_t deadline;
	int rc;

	memset(&once, 0, sizeof once);
	if (uv_loop_init(&loop)) {
		snprintf(msg, n, "cannot make an event loop");
		return DD_E_NOMEM;
	}
	rc = link_new(&loop, dbpath, NULL, &once, NULL, NULL, &l);
	if (rc || !l) {
		if (!rc) {
			snprintf(once.msg, sizeof once.msg, "no server is set for this "
				 "station (dutydesk link --server HOST:PORT --key KEY)");
			rc = DD_E_REFUSED;
		}
		goto out;
	}
	if (!l->locked) {
		snprintf(once.msg, sizeof once.msg, "the link of this database is "
			 "held by a running console, which syncs it already");
		rc = DD_E_DB_BUSY;
		goto close;
	}
	if (l->state == LINK_STOPPED) {
		snprintf(once.msg, sizeof once.msg, "%s", l->message);
		rc = DD_E_REFUSED;
		goto close;
	}
	uv_timer_init(&loop, &deadline);
	deadline.data = l;
	uv_timer_start(&deadline, on_deadline, (uint64_t)timeout_ms, 0);
	if (!once.done)
		uv_run(&loop, UV_RUN_DEFAULT);
	uv_close((uv_handle_t *)&deadline, on_deadline_closed);
	if (!once.done) {
		/* The loop ran dry without an answer (cannot happen while the
		 * beat timer runs; kept for safety). */
		snprintf(once.msg, sizeof once.msg, "sync ended without an answer");
		once.rc = DD_E_SERVER;
	}
	rc = once.rc;
close:
	link_close(l);
out:
	/* Run until every handle and request of the link has closed (a
	 * uv_stop() left from the exchange ends the first run early). */
	while (uv_run(&loop, UV_RUN_DEFAULT) != 0)
		;
	if (uv_loop_close(&loop) != 0 && !rc) {
		snprintf(once.msg, sizeof once.msg, "the sync left a handle open");
		rc = DD_E_IO;
	}
	snprintf(msg, n, "%s", once.msg);
	return rc;
}
