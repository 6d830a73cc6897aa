/*
 * server_status.c - what the running server publishes for the
 * administrator (dutydeskd(8), FILES): what only it knows (its
 * stations, with their last push and pull; each open realm's
 * projection, WAL and last commit; its own pid, version, address and
 * start) in a small JSON file beside the live database, FILE.status,
 * rewritten from the sweep timer and removed at a stop.
 *
 * `dutydeskd status` reads it (server_view.c). The file is not an
 * interface: the output of `dutydeskd status --json` is.
 */
#include "sync/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <uv.h>

#define STATUS_MIN_MS 1000      /* at most one write a second */
#define STATUS_BEAT_MS 10000    /* and one at least this often */

/* ---- the file, written on the loop ---- */

/* A time of the loop's clock (uv_now) as wall-clock ms. */
static int64_t
wall_ms(const struct server *srv, uint64_t t)
{
	return t ? srv->status.offset + (int64_t)t : 0;
}

static cJSON *
status_realm(const struct server *srv, const struct realm *r)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "realm", r->name);
	msg_add_i64(o, "committed", r->committed);
	msg_add_i64(o, "projected", r->projected);
	msg_add_time(o, "behind_since", r->projected < r->committed
		     ? wall_ms(srv, r->lag_since) / 1000 : 0);
	cJSON_AddNumberToObject(o, "wal_frames", r->frames);
	msg_add_time(o, "last_commit", r->st_commit_ms / 1000);
	return o;
}

static cJSON *
status_station(const struct server *srv, const struct conn *c)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "station", c->station);
	cJSON_AddStringToObject(o, "role", role_name(c->role));
	cJSON_AddStringToObject(o, "realm", c->realm->name);
	cJSON_AddStringToObject(o, "peer", c->peer);
	msg_add_time(o, "connected", wall_ms(srv, c->t_start) / 1000);
	msg_add_time(o, "last_push", c->push_ms / 1000);
	if (c->push_ms)
		msg_add_i64(o, "push_upto", c->push_upto);
	else
		cJSON_AddNullToObject(o, "push_upto");
	msg_add_time(o, "last_pull", c->pull_ms / 1000);
	msg_add_time(o, "caught_up", c->live_ms / 1000);
	/* Live, it is sent every operation once committed. */
	msg_add_i64(o, "cursor", c->live ? c->realm->committed : c->cursor);
	cJSON_AddBoolToObject(o, "live", c->live);
	return o;
}

/* What the file says, less the time it is written: NULL when out of
 * memory. */
static cJSON *
status_build(const struct server *srv)
{
	const struct realm *r;
	const struct conn *c;
	cJSON *o = cJSON_CreateObject(), *realms, *stations, *x;

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "pid", (double)getpid());
	cJSON_AddStringToObject(o, "version", DD_VERSION);
	cJSON_AddNumberToObject(o, "protocol", SYNC_VERSION);
	cJSON_AddStringToObject(o, "listen", srv->listen_name);
	msg_add_time(o, "started", srv->started_ms / 1000);
	cJSON_AddNumberToObject(o, "connections", srv->nconn);
	cJSON_AddBoolToObject(o, "stopping", srv->stopping);
	realms = cJSON_AddArrayToObject(o, "realms");
	stations = cJSON_AddArrayToObject(o, "stations");
	if (!realms || !stations)
		goto oom;
	for (r = srv->realms; r; r = r->next) {
		if (!(x = status_realm(srv, r)))
			goto oom;
		cJSON_AddItemToArray(realms, x);
	}
	for (c = srv->conns; c; c = c->next) {
		if (c->state != C_READY || !c->realm)
			continue;
		if (!(x = status_station(srv, c)))
			goto oom;
		cJSON_AddItemToArray(stations, x);
	}
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

/* 0, or -1 with errno set. */
static int
write_all(int fd, const char *s, size_t n)
{
	ssize_t k;

	while (n > 0) {
		if ((k = write(fd, s, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Write text and a newline to path through a temporary file in the
 * same directory and a rename, so a reader finds the old file or the
 * new one, whole. Never synced: the file is not data, only a view of
 * the running server; after a power cut no server holds the lock and
 * the reader ignores whatever is left. 0, or -1 with errno set. */
static int
status_store(const char *path, const char *text)
{
	char tmp[sizeof ((struct server_status *)0)->path + 8];
	int fd, e;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		       O_NOFOLLOW, 0600)) < 0)
		return -1;
	/* Made by an earlier run with another mode: never readable by
	 * others, whatever the umask. */
	if (fchmod(fd, 0600) != 0 || write_all(fd, text, strlen(text)) != 0 ||
	    write_all(fd, "\n", 1) != 0)
		goto fail;
	e = close(fd);
	fd = -1;
	if (e == 0 && rename(tmp, path) == 0)
		return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	errno = e;
	return -1;
}

/* When each realm's log last grew: the time of its last group (the
 * loop's clock, made wall time) once its head has moved since the last
 * sweep. A realm just opened has no such time until its first commit. */
static void
status_commits(struct server *srv)
{
	struct realm *r;

	for (r = srv->realms; r; r = r->next) {
		if (!r->st_seen) {
			r->st_seen = 1;
			r->st_head = r->committed;
		} else if (r->committed != r->st_head) {
			r->st_head = r->committed;
			r->st_commit_ms = wall_ms(srv, r->active_at);
		}
	}
}

void
status_sweep(struct server *srv)
{
	struct server_status *st = &srv->status;
	uint64_t now = uv_now(&srv->loop);
	int64_t off = sync_now_ms() - (int64_t)now;
	char *text = NULL, *full = NULL;
	cJSON *o = NULL;

	if (!st->path[0])
		return;
	/* One offset from the loop's clock to the wall clock, kept while
	 * the two agree within a second, so that the times written do not
	 * move by a rounding from one write to the next. */
	if (!st->offset || off - st->offset > 1000 || st->offset - off > 1000)
		st->offset = off;
	status_commits(srv);
	if (st->tried_at && now - st->tried_at < STATUS_MIN_MS)
		return;
	if (!(o = status_build(srv)) || !(text = cJSON_PrintUnformatted(o)))
		goto out;
	if (!st->failing && st->last && strcmp(text, st->last) == 0 &&
	    now - st->tried_at < STATUS_BEAT_MS)
		goto out;
	st->tried_at = now;
	msg_add_time(o, "written", sync_now_ms() / 1000);
	if (!(full = cJSON_PrintUnformatted(o)))
		goto out;
	if (status_store(st->path, full) != 0) {
		if (!st->failing)
			server_log(SLOG_WARN, "cannot write the status file %s: %s "
				   "(dutydeskd status shows less)", st->path,
				   strerror(errno));
		st->failing = 1;
		goto out;
	}
	if (st->failing)
		server_log(SLOG_INFO, "the status file %s is written again",
			   st->path);
	st->failing = 0;
	st->wrote = 1;
	cJSON_free(st->last);
	st->last = text;
	text = NULL;
out:
	cJSON_free(full);
	cJSON_free(text);
	cJSON_Delete(o);
}

void
status_remove(struct server *srv)
{
	struct server_status *st = &srv->status;
	char tmp[sizeof st->path + 8];

	/* Only a file of ours: a server that could not start leaves the
	 * file of the one that runs. */
	if (st->wrote) {
		unlink(st->path);
		snprintf(tmp, sizeof tmp, "%s.tmp", st->path);
		unlink(tmp);
	}
	st->wrote = 0;
	cJSON_free(st->last);
	st->last = NULL;
}
