/*
 * server_realm.c - the server's realms: each one's database, opened when
 * a station first names it and closed when no one uses a drill's; its
 * group commit, the sync of its log on a worker thread before anything
 * is answered, and its checkpoints.
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
 * is held: the transaction open then is committed, its connections are
 * not read, and no transaction begins until the round ends. The WAL
 * then holds nothing the database lacks, and the next transaction
 * starts it over from its beginning, so it stays about CKPT_FRAMES
 * long and each sync writes over blocks the file has, rather than
 * growing it (which makes every fdatasync write the inode too). Past
 * CKPT_HARD frames (rounds that keep failing) the loop checkpoints
 * itself, to bound the file. One round runs at a time in the whole
 * server, so that the workers stay free for the syncs every
 * acknowledgement waits for. */
#define CKPT_FRAMES 4000
#define CKPT_HARD 32768

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
	if (server_realm_lock(path, name, &r->lockfd, why, sizeof why) ||
	    realm_db_open(path, name, 1, &r->db, why, sizeof why) ||
	    station_identity(r->db, &si)) {
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
	r->ckpt.data = r->sync.data = r;
	db_wal_manual(r->db);
	r->pend_tail = &r->pend;
	if (replica_head(r->db, &r->committed)) {
		server_log(SLOG_ERROR, "realm %s: %s", name, db_errmsg(r->db));
		db_close(&r->db);
		server_realm_unlock(&r->lockfd);
		free(r);
		return NULL;
	}
	if ((r->sync_fd = db_wal_defer(r->db)) < 0)
		server_log(SLOG_WARN, "realm %s: %s; each commit waits for the "
			   "disk", name, db_errmsg(r->db));
	r->next = srv->realms;
	srv->realms = r;
	srv->nrealms++;
	return r;
}

/* A drill's realm no station is connected to and nothing is under way
 * in (a commit, a sync, a checkpoint round): closed, so that drills the
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
		if (c || strcmp(r->name, "live") == 0 || r->txn || r->syncing ||
		    r->ckpt_busy || r->hold || r->pend || r->spend) {
			pr = &r->next;
			continue;
		}
		*pr = r->next;
		srv->nrealms--;
		server_log(SLOG_INFO, "realm %s closed: no station connected",
			   r->name);
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
		/* Pushes left unanswered by a stop on a failed sync: their
		 * transaction is rolled back with the connection. */
		pending_list_free(r->pend);
		pending_list_free(r->spend);
		db_close(&r->ckpt_db);
		db_close(&r->db);
		server_realm_unlock(&r->lockfd);
		free(r);
	}
	srv->nrealms = 0;
}

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

static void realm_commit(struct realm *r);
static void realm_checkpoint(struct server *srv, struct realm *r);

/* The realm is no longer held: its connections are read again. */
static void
realm_release(struct realm *r)
{
	struct conn *c;

	r->hold = 0;
	for (c = r->srv->conns; c; c = c->next)
		if (c->realm == r && c->held) {
			c->held = 0;
			if (!c->paused)
				conn_read_start(c);
			conn_process(c);
		}
}

static void
ckpt_done(uv_work_t *w, int status)
{
	struct realm *r = w->data;
	struct server *srv = r->srv;
	/* Committed since the round looked, or left uncopied. */
	int left = db_wal_frames(r->db) - r->ckpt_copied, tail = r->ckpt_tail;

	r->ckpt_busy = 0;
	r->ckpt_tail = 0;
	srv->ckpt_rounds--;
	if (status != 0 || r->ckpt_rc) {
		server_log(SLOG_WARN, "realm %s: checkpoint: %s (tried again "
			   "later)", r->name, status ? uv_strerror(status)
			   : r->ckpt_err);
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
		r->ckpt_next = db_wal_frames(r->db) + CKPT_FRAMES / 4;
		realm_release(r);
		return;
	}
	/* Hold the realm for the tail: the open transaction is committed
	 * first (now, or when the sync running ends). */
	r->hold = 1;
	if (r->txn && !r->syncing)
		realm_commit(r);
	else
		realm_checkpoint(srv, r);
}

/* After a commit, or a round: start the round due, if any (see
 * CKPT_FRAMES). */
static void
realm_checkpoint(struct server *srv, struct realm *r)
{
	int frames = db_wal_frames(r->db), copied, rc;

	if (r->ckpt_busy)
		return;
	if (r->hold) {
		/* The tail round, once nothing is left uncommitted. */
		if (r->txn)
			return;
	} else if (frames >= CKPT_HARD) {
		if ((rc = db_checkpoint(r->db, &frames, &copied)))
			server_log(SLOG_WARN, "realm %s: checkpoint: %s", r->name,
				   db_errmsg(r->db));
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

/* Answer the pushes of list, whose commit (and sync) ended with rc:
 * their acks and relays, or "busy". */
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
			conn_error(p->c, "busy", "the server cannot take this frame "
				   "now; try again later", p->frame, NULL, 0);
		}
		pending_free(p);
	}
}

static void
sync_work(uv_work_t *w)
{
	struct realm *r = w->data;

	r->sync_err = fdatasync(r->sync_fd) == 0 ? 0 : errno;
}

/* The log could not be made durable. What it holds is uncertain (Linux
 * marks pages whose write failed clean, so a later sync would say all
 * is well): nothing more is acknowledged; the server stops, and at the
 * next start SQLite's recovery says what is really on disk. Stations
 * offer again whatever they were not told was taken. */
static void
sync_failed(struct realm *r, struct pending *list, const char *why)
{
	struct server *srv = r->srv;

	server_log(SLOG_ERROR, "realm %s: the write-ahead log cannot be synced "
		   "to disk: %s; stopping (check the disk, then start again)",
		   r->name, why);
	realm_answer(srv, r, list, DD_E_IO);
	srv->fatal = EXIT_DISK;
	server_stop(srv);
}

static void
sync_done(uv_work_t *w, int status)
{
	struct realm *r = w->data;
	struct pending *list = r->spend;

	r->spend = NULL;
	r->syncing = 0;
	if (status != 0 || r->sync_err != 0) {
		sync_failed(r, list, status ? uv_strerror(status)
			    : strerror(r->sync_err));
		return;
	}
	r->committed = r->sync_head;
	/* What arrived during the sync is the next group: committed, and
	 * its sync started, before this group's acks go out, so the disk
	 * works while the loop writes them. Acks and relays still leave in
	 * commit order: the next group's wait for its own sync. */
	if (r->txn)
		realm_commit(r);
	realm_answer(r->srv, r, list, 0);
}

/* Commit the realm's open transaction; answer its pushes once the log
 * is on disk. */
static void
realm_commit(struct realm *r)
{
	struct server *srv = r->srv;
	struct pending *list = r->pend;
	int64_t head = r->committed;
	int rc = r->txn_rc;

	/* The head is read inside the transaction, so that the commit is the
	 * last step that can fail. */
	if (rc == 0 && (rc = replica_head(r->db, &head)))
		server_log(SLOG_ERROR, "realm %s: %s", r->name, db_errmsg(r->db));
	rc = db_end(r->db, rc);
	r->txn = 0;
	r->pend = NULL;
	r->pend_tail = &r->pend;
	if (rc) {
		server_log(SLOG_ERROR, "realm %s: commit failed: %s", r->name,
			   db_why(r->db, rc));
		realm_answer(srv, r, list, rc);
		/* A hold waiting for this commit goes on to its round. */
		realm_checkpoint(srv, r);
		return;
	}
	if (r->sync_fd >= 0) {
		r->spend = list;
		r->sync_head = head;
		if ((rc = uv_queue_work(&srv->loop, &r->sync, sync_work,
					sync_done)) == 0) {
			r->syncing = 1;
			realm_checkpoint(srv, r);
		} else {
			r->spend = NULL;
			sync_failed(r, list, uv_strerror(rc));
		}
		return;
	}
	r->committed = head;
	realm_answer(srv, r, list, 0);
	realm_checkpoint(srv, r);
}

/* The check phase: commit each realm's transaction, unless a sync is
 * running; then it is committed when that sync ends. */
void
realm_commit_turn(struct server *srv)
{
	struct realm *r;

	if (srv->fatal)
		return;
	for (r = srv->realms; r; r = r->next)
		if (r->txn && !r->syncing)
			realm_commit(r);
}

