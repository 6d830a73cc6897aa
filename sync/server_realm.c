/*
 * server_realm.c - the server's realms: each one's database, opened when
 * a station first names it and closed when no one uses a drill's; its
 * group commit, run on a worker thread (SQLite syncing the log itself)
 * before anything is answered; the pushes that wait meanwhile; and its
 * checkpoints.
 */
#include "sync/internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

/* Checkpoints: once the WAL holds CKPT_FRAMES frames, a round on a
 * worker thread (with a connection of its own) copies them into the
 * database while the loop goes on committing. What was committed
 * meanwhile is copied by a second, short round during which the realm
 * is held: the transaction open then is committed, pushes wait, and no
 * transaction begins until the round ends. The WAL then holds nothing
 * the database lacks, and the next transaction starts it over from its
 * beginning (SQLite syncs the new header before any frame overwrites an
 * old one), so it stays about CKPT_FRAMES long and each commit's sync
 * writes over blocks the file has, rather than growing it (which makes
 * every sync write the inode too). Past CKPT_HARD frames (rounds that
 * keep failing) the commit's worker checkpoints on the write
 * connection itself, to bound the file. One round runs at a time in the
 * whole server, so that the workers stay free for the commits every
 * acknowledgement waits for. The power-loss tests build with a small
 * CKPT_FRAMES (make CKPT_FRAMES=N), so that the log starts over often. */
#ifndef CKPT_FRAMES
#define CKPT_FRAMES 4000
#endif
#define CKPT_HARD 32768

/* The projection: the state tables follow the log on a worker, in
 * transactions of their own, so that an acknowledgement waits for the
 * log alone. A slice starts once the writer has had nothing to do for
 * PROJ_IDLE_MS, or, under a load that never leaves it idle, between two
 * groups once the state is PROJ_LAG_MS behind (the pushes that come
 * meanwhile wait, as they do for a commit). A slice applies at most
 * PROJ_IDLE_OPS operations (an idle writer: a push that comes waits for
 * little) or PROJ_LAG_OPS (behind). */
#define PROJ_IDLE_MS 5
#define PROJ_LAG_MS 500
#define PROJ_IDLE_OPS 1000
#define PROJ_LAG_OPS 20000
#define PROJ_WARN_MS 10000      /* this far behind is logged */
#define PROJ_RETRY_MS 1000      /* after a slice that failed */

static void realm_commit(struct realm *r);
static void realm_checkpoint(struct server *srv, struct realm *r);
static int realm_project(struct realm *r);
static void project_arm(struct server *srv);
static void project_rest(struct realm *r);
static void commit_failed(struct realm *r, struct pending *list,
			  const char *why);

/* ---- opening and closing ---- */

int
server_realm_path(const char *db, const char *realm, char *out, size_t n)
{
	int len = strcmp(realm, "live") == 0 ? snprintf(out, n, "%s", db)
		: snprintf(out, n, "%s.%s", db, realm);

	return len < 0 || (size_t)len >= n ? -1 : 0;
}

/* Open (create and seed when missing, if create) the server database of
 * a realm. 0 with *out set, or a negative code with why[] saying what
 * went wrong. */
static int
realm_db_open(const char *path, const char *realm, int create,
	      struct db **out, char *why, size_t w)
{
	struct station_info si;
	struct db *db = NULL;
	int rc;

	*out = NULL;
	if ((rc = db_open(path, create ? DB_CREATE : 0, &db))) {
		snprintf(why, w, "%s: %s", path, db_why(db, rc));
		goto out;
	}
	rc = station_identity(db, &si);
	if (rc == DD_E_DB_NOINIT && create) {
		/* A new server database: the pseudo-station "server" holds
		 * the seed, like every station, and its incarnation is the
		 * history id stations remember. */
		if ((rc = station_init(db, "server", ROLE_COMMAND, realm, 1))) {
			snprintf(why, w, "%s: cannot make the server database: %s",
				 path, db_why(db, rc));
			goto out;
		}
		server_log(SLOG_INFO, "created %s for realm %s", path, realm);
		rc = station_identity(db, &si);
	}
	if (rc) {
		snprintf(why, w, "%s: %s", path, db_why(db, rc));
		goto out;
	}
	if (strcmp(si.realm, realm) != 0) {
		snprintf(why, w, "%s holds realm '%s', not '%s'", path, si.realm,
			 realm);
		rc = DD_E_REALM;
		goto out;
	}
	*out = db;
	db = NULL;
out:
	db_close(&db);
	return rc;
}

/* A push's answer that will not be given, freed with its operations. */
static void
pending_free(struct pending *p)
{
	opbatch_clear(&p->b);
	cJSON_Delete(p->ack);
	free(p);
}

static void
pending_list_free(struct pending *p)
{
	struct pending *next;

	for (; p; p = next) {
		next = p->next;
		pending_free(p);
	}
}

static void
waiting_list_free(struct waiting *w)
{
	struct waiting *next;

	for (; w; w = next) {
		next = w->next;
		opbatch_clear(&w->b);
		free(w);
	}
}

/* The realm name, open or opened now; NULL on error. A realm whose
 * database does not exist yet is made only when create says so; else
 * NULL with *missing set. */
struct realm *
realm_get(struct server *srv, const char *name, int create, int *missing)
{
	struct realm *r;
	struct station_info si;
	char path[4096], why[sizeof path + 300] = "";

	*missing = 0;
	for (r = srv->realms; r; r = r->next)
		if (strcmp(r->name, name) == 0)
			return r;
	if (srv->nrealms >= SERVER_MAX_REALMS) {
		server_log(SLOG_ERROR, "realm %s: already %d realms open", name,
			   srv->nrealms);
		return NULL;
	}
	if (server_realm_path(srv->o->db, name, path, sizeof path)) {
		server_log(SLOG_ERROR, "realm %s: path too long", name);
		return NULL;
	}
	if (!create && access(path, F_OK) != 0) {
		*missing = 1;
		return NULL;
	}
	if (realm_is_drill(name) && access(path, F_OK) != 0 &&
	    server_realm_each(srv->o->db, NULL, NULL) >= srv->o->max_realms) {
		*missing = 2;
		return NULL;
	}
	if (!(r = calloc(1, sizeof *r)))
		return NULL;
	/* create as asked: a drill realm removed since the check above
	 * (dutydeskd realm remove takes the lock) is not made again. */
	if (server_realm_lock(path, name, &r->lockfd, why, sizeof why) ||
	    realm_db_open(path, name, create, &r->db, why, sizeof why) ||
	    station_identity(r->db, &si)) {
		if (!create && access(path, F_OK) != 0)
			*missing = 1;
		else
			server_log(SLOG_ERROR, "realm %s: %s", name, why);
		db_close(&r->db);
		server_realm_unlock(&r->lockfd);
		free(r);
		return NULL;
	}
	snprintf(r->name, sizeof r->name, "%s", name);
	snprintf(r->history, sizeof r->history, "%s", si.incarnation);
	snprintf(r->path, sizeof r->path, "%s", path);
	r->srv = srv;
	r->ckpt.data = r->commit.data = r->proj.data = r;
	db_wal_manual(r->db);
	r->pend_tail = &r->pend;
	r->wait_tail = &r->wait;
	if (replica_head(r->db, &r->committed) ||
	    replica_projected(r->db, &r->projected) ||
	    db_open(path, DB_RDONLY, &r->rdb)) {
		server_log(SLOG_ERROR, "realm %s: %s", name,
			   db_errmsg(r->rdb ? r->rdb : r->db));
		db_close(&r->rdb);
		db_close(&r->db);
		server_realm_unlock(&r->lockfd);
		free(r);
		return NULL;
	}
	r->next = srv->realms;
	srv->realms = r;
	srv->nrealms++;
	if (r->projected < r->committed) {
		/* Left behind by the last run: brought up to the log. */
		r->lag_since = uv_now(&srv->loop);
		project_arm(srv);
	}
	return r;
}

/* A drill's realm no station is connected to and nothing is under way
 * in (a group, a commit, a checkpoint round): closed, so that drills the
 * server has seen over months do not fill SERVER_MAX_REALMS. Opened
 * again by the next station that names it. */
void
realm_close_idle(struct server *srv)
{
	struct realm **pr = &srv->realms, *r;
	struct conn *c;

	while ((r = *pr)) {
		for (c = srv->conns; c && c->realm != r; c = c->next)
			;
		if (c || strcmp(r->name, "live") == 0 || r->txn || r->committing ||
		    r->ckpt_busy || r->hold || r->pend || r->cpend || r->wait ||
		    r->projecting || r->projected < r->committed) {
			pr = &r->next;
			continue;
		}
		*pr = r->next;
		srv->nrealms--;
		server_log(SLOG_INFO, "realm %s closed: no station connected",
			   r->name);
		db_close(&r->rdb);
		db_close(&r->ckpt_db);
		db_close(&r->db);
		server_realm_unlock(&r->lockfd);
		free(r);
	}
}

/* Every realm, at the end. */
void
realm_close_all(struct server *srv)
{
	struct realm *r;

	while ((r = srv->realms)) {
		srv->realms = r->next;
		/* A stop: the state is brought up to the log, so that the
		 * file holds it whole (a start would do it too). */
		if (!srv->fatal && !r->txn && !r->committing && !r->projecting)
			project_rest(r);
		/* Pushes left unanswered by a stop on a failed commit: their
		 * transaction is rolled back with the connection. */
		pending_list_free(r->pend);
		pending_list_free(r->cpend);
		waiting_list_free(r->wait);
		db_close(&r->rdb);
		db_close(&r->ckpt_db);
		db_close(&r->db);
		server_realm_unlock(&r->lockfd);
		free(r);
	}
	srv->nrealms = 0;
}


/* A push (frame) not taken: its station offers it again. */
static void
answer_busy(struct conn *c, uint64_t frame)
{
	conn_error(c, "busy", "the server cannot take this frame now; try "
		   "again later", frame, NULL, 0);
}

/* ---- pushes that wait for the next group ---- */

int
realm_wait(struct realm *r, struct conn *c, struct opbatch *b,
	   const char *station, const char *inc)
{
	struct waiting *w = calloc(1, sizeof *w);

	if (!w)
		return -1;
	w->c = c;
	w->conn_id = c->id;
	snprintf(w->station, sizeof w->station, "%s", station);
	snprintf(w->inc, sizeof w->inc, "%s", inc);
	w->b = *b;
	memset(b, 0, sizeof *b);
	*r->wait_tail = w;
	r->wait_tail = &w->next;
	c->waiting = 1;
	conn_read_stop(c);
	return 0;
}

/* The connection of a push that waited reads again. */
static void
waiting_done(struct server *srv, struct waiting *w)
{
	struct conn *c = w->c;

	if (conn_alive(srv, c, w->conn_id)) {
		c->waiting = 0;
		if (!c->paused)
			conn_read_start(c);
		conn_process(c);
	}
	opbatch_clear(&w->b);
	free(w);
}

/* Take the waiting pushes, in the order they came, into a new group,
 * as long as the write connection is the loop's and the group sound.
 * Their connections are read again once every push before theirs is
 * taken, so that nothing they send overtakes a push still waiting. A
 * push whose connection is gone is dropped: its station was told
 * nothing and offers it again. */
static void
realm_drain(struct realm *r)
{
	struct server *srv = r->srv;
	struct waiting *w, *taken = NULL, **tail = &taken;

	while ((w = r->wait) && !r->committing && !r->projecting && !r->hold &&
	       !r->txn_rc && !srv->fatal) {
		if (!(r->wait = w->next))
			r->wait_tail = &r->wait;
		w->next = NULL;
		if (conn_alive(srv, w->c, w->conn_id))
			proto_push_take(w->c, &w->b);
		*tail = w;
		tail = &w->next;
	}
	while ((w = taken)) {
		taken = w->next;
		waiting_done(srv, w);
	}
}

/* A group that was not committed: the pushes waiting behind it from
 * the same incarnation of a station followed what it held, so they are
 * answered busy too (the station offers them again, in order). */
static void
realm_drop_after(struct realm *r, const struct pending *list)
{
	struct waiting **pw = &r->wait, *w, *drop = NULL, **tail = &drop;
	const struct pending *p;

	while ((w = *pw)) {
		for (p = list; p; p = p->next)
			if (strcmp(p->station, w->station) == 0 &&
			    strcmp(p->inc, w->inc) == 0)
				break;
		if (!p) {
			pw = &w->next;
			continue;
		}
		*pw = w->next;
		w->next = NULL;
		*tail = w;
		tail = &w->next;
	}
	r->wait_tail = pw;
	while ((w = drop)) {
		drop = w->next;
		if (conn_alive(r->srv, w->c, w->conn_id))
			answer_busy(w->c, w->c->fr.count);
		waiting_done(r->srv, w);
	}
}

/* ---- checkpoints ---- */

/* On the worker thread: one checkpoint round on the realm's second
 * connection (opened here the first time). Touches nothing but r's
 * ckpt_* members, which the loop leaves alone while ckpt_busy. */
static void
ckpt_work(uv_work_t *w)
{
	struct realm *r = w->data;
	int frames;

	r->ckpt_err[0] = 0;
	r->ckpt_copied = 0;
	if (!r->ckpt_db && (r->ckpt_rc = db_open(r->path, 0, &r->ckpt_db))) {
		snprintf(r->ckpt_err, sizeof r->ckpt_err, "%s",
			 db_why(r->ckpt_db, r->ckpt_rc));
		db_close(&r->ckpt_db);
		return;
	}
	if ((r->ckpt_rc = db_checkpoint(r->ckpt_db, &frames,
					&r->ckpt_copied)))
		snprintf(r->ckpt_err, sizeof r->ckpt_err, "%s",
			 db_errmsg(r->ckpt_db));
}

/* The realm is no longer held: the pushes that waited are taken. */
static void
realm_release(struct realm *r)
{
	r->hold = 0;
	realm_drain(r);
}

static void
ckpt_done(uv_work_t *w, int status)
{
	struct realm *r = w->data;
	struct server *srv = r->srv;
	/* Committed since the round looked, or left uncopied. */
	int left = r->frames - r->ckpt_copied, tail = r->ckpt_tail;

	r->ckpt_busy = 0;
	r->ckpt_tail = 0;
	srv->ckpt_rounds--;
	if (status != 0 || r->ckpt_rc) {
		server_log(SLOG_WARN, "realm %s: checkpoint: %s (tried again "
			   "later)", r->name, status ? uv_strerror(status)
			   : r->ckpt_err);
		/* Not again after every commit: after CKPT_FRAMES / 4 more. */
		r->ckpt_next = r->frames + CKPT_FRAMES / 4;
		if (r->hold)
			realm_release(r);
		return;
	}
	if (left <= 0 || srv->stopping) {
		/* All in the database: the next transaction starts the log
		 * over. */
		r->ckpt_next = 0;
		if (r->hold)
			realm_release(r);
		return;
	}
	if (tail) {
		/* Something pins the log (a reader of an older snapshot, such
		 * as an export running): the pushes go on, and the next round
		 * waits for CKPT_FRAMES / 4 more frames. */
		server_log(SLOG_DEBUG, "realm %s: %d frames still to copy after a "
			   "held round", r->name, left);
		r->ckpt_next = r->frames + CKPT_FRAMES / 4;
		realm_release(r);
		return;
	}
	/* Hold the realm for the tail: the open transaction is committed
	 * first (now, or when the commit running ends). */
	r->hold = 1;
	if (r->txn && !r->committing)
		realm_commit(r);
	else
		realm_checkpoint(srv, r);
}

/* After a commit, or a round: start the round due, if any (see
 * CKPT_FRAMES). */
static void
realm_checkpoint(struct server *srv, struct realm *r)
{
	int frames = r->frames;

	if (r->ckpt_busy)
		return;
	if (r->hold) {
		/* The tail round, once nothing is left uncommitted. */
		if (r->txn || r->committing || r->projecting)
			return;
	} else if (srv->stopping || srv->ckpt_rounds > 0 ||
		   frames < CKPT_FRAMES || frames < r->ckpt_next) {
		return;
	}
	if (uv_queue_work(&srv->loop, &r->ckpt, ckpt_work, ckpt_done) == 0) {
		r->ckpt_busy = 1;
		r->ckpt_tail = r->hold;
		srv->ckpt_rounds++;
	} else if (r->hold) {
		realm_release(r);
	}
}

/* ---- the projection ---- */

/* On the worker thread, with the write connection handed over by the
 * loop: one slice of the projection, in a transaction of its own
 * (SQLite syncs it like any other). Touches nothing of r but db and the
 * proj_* members. */
static void
proj_work(uv_work_t *w)
{
	struct realm *r = w->data;

	r->proj_rc = replica_project(r->db, r->proj_limit, &r->proj_upto);
	r->proj_frames = db_wal_frames(r->db);
}

/* Said once when the state falls PROJ_WARN_MS behind the log, and
 * again once it has caught up. */
static void
lag_check(struct realm *r, uint64_t now)
{
	if (r->lag_since && !r->lag_warned &&
	    now - r->lag_since > PROJ_WARN_MS) {
		server_log(SLOG_WARN, "realm %s: the state is %.0f s behind the "
			   "log (%" PRId64 " operations to apply)", r->name,
			   (double)(now - r->lag_since) / 1000,
			   r->committed - r->projected);
		r->lag_warned = 1;
	} else if (!r->lag_since && r->lag_warned) {
		server_log(SLOG_INFO, "realm %s: the state has caught up with "
			   "the log", r->name);
		r->lag_warned = 0;
	}
}

static void
proj_done(uv_work_t *w, int status)
{
	struct realm *r = w->data;
	struct server *srv = r->srv;
	uint64_t now = uv_now(&srv->loop);

	r->projecting = 0;
	if (status == 0 && r->proj_rc == DD_E_IO) {
		/* As for a group: what the disk holds is uncertain. */
		commit_failed(r, NULL, db_why(r->db, r->proj_rc));
		return;
	}
	if (status != 0 || r->proj_rc) {
		/* Nothing of the slice stays: it is tried again; the log and
		 * its acknowledgements go on meanwhile. */
		server_log(SLOG_ERROR, "realm %s: the state cannot be brought up "
			   "to the log: %s (tried again in %d s)", r->name,
			   status ? uv_strerror(status) : db_why(r->db, r->proj_rc),
			   PROJ_RETRY_MS / 1000);
		r->proj_retry_at = now + PROJ_RETRY_MS;
	} else {
		r->projected = r->proj_upto;
		r->frames = r->proj_frames;
		if (r->projected >= r->committed)
			r->lag_since = 0;
	}
	lag_check(r, now);
	realm_checkpoint(srv, r);
	realm_drain(r);
	if (r->projected < r->committed)
		project_arm(srv);
}

/* Start a slice of the projection if the writer is free and the state
 * behind the log (see PROJ_IDLE_MS). 1 started. */
static int
realm_project(struct realm *r)
{
	struct server *srv = r->srv;
	uint64_t now = uv_now(&srv->loop);
	int64_t behind = r->committed - r->projected;
	int lagging = r->lag_since && now - r->lag_since >= PROJ_LAG_MS;

	if (behind <= 0 || r->txn || r->committing || r->projecting ||
	    r->hold || srv->fatal || srv->stopping || now < r->proj_retry_at)
		return 0;
	if (!lagging && (r->wait || now - r->active_at < PROJ_IDLE_MS))
		return 0;
	r->proj_limit = (int)(behind < (lagging ? PROJ_LAG_OPS : PROJ_IDLE_OPS)
			      ? behind : lagging ? PROJ_LAG_OPS : PROJ_IDLE_OPS);
	if (uv_queue_work(&srv->loop, &r->proj, proj_work, proj_done) != 0)
		return 0;
	r->projecting = 1;
	return 1;
}

/* The timer: each realm behind projects if its writer is free, and the
 * timer is set again while one is behind and waits. */
static void
on_project(uv_timer_t *t)
{
	struct server *srv = t->data;
	struct realm *r;
	int again = 0;

	for (r = srv->realms; r; r = r->next) {
		lag_check(r, uv_now(&srv->loop));
		if (r->projected < r->committed && !realm_project(r) &&
		    !r->projecting)
			again = 1;
	}
	if (again)
		project_arm(srv);
}

static void
project_arm(struct server *srv)
{
	uv_handle_t *h = (uv_handle_t *)&srv->project;

	if (h->type == UV_TIMER && !uv_is_closing(h) && !uv_is_active(h) &&
	    !srv->stopping) {
		srv->project.data = srv;
		uv_timer_start(&srv->project, on_project, PROJ_IDLE_MS, 0);
	}
}

/* At a stop, on the loop's thread, everything else done: the rest. */
static void
project_rest(struct realm *r)
{
	int rc = replica_project_all(r->db);

	if (rc)
		server_log(SLOG_WARN, "realm %s: the state is behind the log: %s "
			   "(brought up at the next start)", r->name,
			   db_why(r->db, rc));
}

/* ---- the group commit ---- */

/* Answer the pushes of list, whose commit ended with rc: their acks and
 * relays, or "busy". */
static void
realm_answer(struct server *srv, struct realm *r, struct pending *list,
	     int rc)
{
	struct pending *p;

	while ((p = list)) {
		int alive = conn_alive(srv, p->c, p->conn_id);
		list = p->next;
		if (rc == 0) {
			if (alive && conn_send(p->c, p->ack, THEN_NOTHING) == 0 &&
			    p->gap[0])
				conn_error(p->c, "gap", p->gap, p->frame, p->gap_field, 0);
			proto_relay(srv, r, alive ? p->c : NULL, &p->b);
		} else if (alive) {
			answer_busy(p->c, p->frame);
		}
		pending_free(p);
	}
}

/* On a worker thread, with the write connection handed over by the
 * loop: COMMIT, which writes the group's frames to the log and syncs
 * it (synchronous=FULL), or ROLLBACK when a database error spoilt the
 * group. Touches nothing of r but db and the commit_* members. */
static void
commit_work(uv_work_t *w)
{
	struct realm *r = w->data;
	int64_t head = r->committed;
	int rc = r->txn_rc, frames, copied;

	/* The head is read inside the transaction, so that the commit is the
	 * last step that can fail. */
	if (rc == 0)
		rc = replica_head(r->db, &head);
	r->commit_rc = db_end(r->db, rc);
	r->commit_head = head;
	r->commit_ckpt_rc = 0;
	if (r->commit_rc == 0 && db_wal_frames(r->db) >= CKPT_HARD)
		r->commit_ckpt_rc = db_checkpoint(r->db, &frames, &copied);
	r->commit_frames = db_wal_frames(r->db);
}

/* The log could not be written or synced. What it holds is uncertain
 * (Linux marks pages whose write failed clean, so a later sync would
 * say all is well): nothing more is acknowledged; the server stops, and
 * at the next start SQLite's recovery says what is really on disk.
 * Stations offer again whatever they were not told was taken. */
static void
commit_failed(struct realm *r, struct pending *list, const char *why)
{
	struct server *srv = r->srv;

	server_log(SLOG_ERROR, "realm %s: the write-ahead log cannot be written "
		   "to disk: %s; stopping (check the disk, then start again)",
		   r->name, why);
	realm_answer(srv, r, list, DD_E_IO);
	srv->fatal = EXIT_DISK;
	server_stop(srv);
}

/* The commit returned: the write connection is the loop's again. The
 * pushes that waited make the next group, whose commit starts at once,
 * then this group's pushes are answered. */
static void
commit_done(uv_work_t *w, int status)
{
	struct realm *r = w->data;
	struct server *srv = r->srv;
	struct pending *list = r->cpend;
	int rc = r->commit_rc, spoilt = r->txn_rc;

	r->cpend = NULL;
	r->committing = 0;
	if (status != 0) {
		/* The work never ran (it is never cancelled): roll back here. */
		rc = db_end(r->db, db_fail(r->db, DD_E_DB, "%s",
					   uv_strerror(status)));
	}
	r->txn = 0;
	r->txn_rc = 0;
	r->frames = r->commit_frames;
	if (r->commit_ckpt_rc)
		server_log(SLOG_WARN, "realm %s: checkpoint: %s", r->name,
			   db_errmsg(r->db));
	if (rc == DD_E_IO && !spoilt) {
		commit_failed(r, list, db_why(r->db, rc));
		return;
	}
	if (rc) {
		server_log(SLOG_ERROR, "realm %s: group not committed: %s",
			   r->name, db_why(r->db, rc));
		realm_drop_after(r, list);
	} else {
		r->committed = r->commit_head;
	}
	r->active_at = uv_now(&srv->loop);
	if (!r->lag_since && r->projected < r->committed)
		r->lag_since = r->active_at;
	/* The next group is taken and its commit started before this one's
	 * acks and relays go out, so that the disk works while the loop
	 * writes them. They still leave in commit order: the next group's
	 * wait for their own commit. A projection far behind goes first. */
	realm_checkpoint(srv, r);
	realm_project(r);
	realm_drain(r);
	if (r->txn && !r->committing && !srv->fatal)
		realm_commit(r);
	realm_answer(srv, r, list, rc);
	if (r->projected < r->committed)
		project_arm(srv);
}

/* Hand the realm's open transaction to a worker to commit; its pushes
 * are answered when the commit returns. */
static void
realm_commit(struct realm *r)
{
	struct server *srv = r->srv;
	int rc;

	r->cpend = r->pend;
	r->pend = NULL;
	r->pend_tail = &r->pend;
	r->committing = 1;
	r->commit_ckpt_rc = 0;
	r->commit_frames = r->frames;
	if ((rc = uv_queue_work(&srv->loop, &r->commit, commit_work,
				commit_done)) != 0)
		commit_done(&r->commit, rc);
}

/* The check phase: commit each realm's group, unless a commit is
 * running; then the pushes that came meanwhile wait for it to end. */
void
realm_commit_turn(struct server *srv)
{
	struct realm *r;

	if (srv->fatal)
		return;
	for (r = srv->realms; r; r = r->next)
		if (r->txn && !r->committing)
			realm_commit(r);
}
