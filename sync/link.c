/*
 * link.c - the station's link to the county server: its lock beside the
 * database (DBPATH.link) and the note kept there, its settings (server
 * and key), the outbox it pushes from, the work that applies what came
 * in a few milliseconds at a time, the one-second beat, and the door
 * (link_open, link_status, link_poke, link_close). The connection is
 * link_conn.c, the frames link_proto.c; the lifetimes are told in
 * link_internal.h.
 */
#include "sync/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* Formatted aside first: callers may pass the old message as an
 * argument. */
void
link_vnote(struct link *l, const char *fmt, va_list ap)
{
	char buf[sizeof l->message];

	vsnprintf(buf, sizeof buf, fmt, ap);
	memcpy(l->message, buf, sizeof buf);
}

void
link_note(struct link *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	link_vnote(l, fmt, ap);
	va_end(ap);
}

int
link_check_settings(const char *server, const char *key, char *why, size_t w)
{
	char host[256], port[8];
	unsigned char k[SYNC_KEY_BYTES];

	if (server && msg_hostport(server, host, sizeof host, port,
					sizeof port)) {
		snprintf(why, w, "server '%.80s' is not HOST:PORT with a port "
			 "1..65535", server);
		return -1;
	}
	if (key && key_parse(key, k)) {
		snprintf(why, w, "the key is not 64 hex digits (as printed by "
			 "dutydeskd keygen)");
		return -1;
	}
	return 0;
}

int
link_check_pin(const char *pin, char *why, size_t w)
{
	if (pin && !tls_pin_ok(pin)) {
		snprintf(why, w, "the pin is not sha256: and 64 lowercase hex "
			 "digits (as printed by dutydeskd cert or dutydeskd pin)");
		return -1;
	}
	return 0;
}

/* ---- the lock and the note beside the database ---- */

static void
lock_path(const char *dbpath, char *out, size_t n)
{
	snprintf(out, n, "%s.link", dbpath);
}

/* 1 held by us, 0 held by another link, -1 no lock file can be made
 * (a read-only directory: run without one). */
static int
lock_take(struct link *l)
{
	char path[4200];

	if (l->lockfd < 0) {
		lock_path(l->dbpath, path, sizeof path);
		l->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (l->lockfd < 0)
			return -1;
	}
	if (flock(l->lockfd, LOCK_EX | LOCK_NB) == 0) {
		l->locked = 1;
		return 1;
	}
	return errno == EWOULDBLOCK ? 0 : -1;
}

int
link_note_read(const char *dbpath, int64_t *last_sync)
{
	char path[4200], buf[128];
	long long a = 0;
	ssize_t n;
	int fd;

	*last_sync = 0;
	lock_path(dbpath, path, sizeof path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	if (sscanf(buf, "last_sync %lld", &a) != 1)
		return 0;
	*last_sync = a;
	return 1;
}

/* The note's size: the last sync, and the kinds the server knows. */
#define NOTE_MAX (64 + SYNC_KINDS_MAX * 32)

/* What a person asks about the link later (dutydesk status): kept in the
 * lock file, which only the holder writes. A line "last_sync SECONDS",
 * then "kinds" and the kinds of the server's last welcome, each after a
 * space. */
void
link_note_write(struct link *l)
{
	char buf[NOTE_MAX];
	size_t n;
	int i;

	if (!l->locked || l->lockfd < 0)
		return;
	n = (size_t)snprintf(buf, sizeof buf, "last_sync %lld\n",
			     (long long)l->last_sync);
	if (l->kinds.known) {
		n += (size_t)snprintf(buf + n, sizeof buf - n, "kinds");
		for (i = 0; i < l->kinds.n; i++)
			n += (size_t)snprintf(buf + n, sizeof buf - n, " %s",
					      l->kinds.name[i]);
		n += (size_t)snprintf(buf + n, sizeof buf - n, "\n");
	}
	if (pwrite(l->lockfd, buf, n, 0) == (ssize_t)n)
		(void)!ftruncate(l->lockfd, (off_t)n);
}

void
link_note_kinds(const char *dbpath, struct kindset *ks)
{
	char path[4200], buf[NOTE_MAX + 1], *line, *end, *k, *save = NULL;
	ssize_t n;
	int fd;

	memset(ks, 0, sizeof *ks);
	lock_path(dbpath, path, sizeof path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	/* A whole line only: the holder may be rewriting the note. */
	if (!(line = strstr(buf, "\nkinds")) || !(end = strchr(line + 1, '\n')) ||
	    (line[6] != ' ' && line[6] != '\n'))
		return;
	*end = 0;
	for (k = strtok_r(line + 6, " ", &save); k; k = strtok_r(NULL, " ", &save)) {
		if (ks->n == SYNC_KINDS_MAX || !msg_kind_ok(k)) {
			memset(ks, 0, sizeof *ks);
			return;
		}
		snprintf(ks->name[ks->n++], sizeof ks->name[0], "%s", k);
	}
	kindset_finish(ks);
}

/* The refusals no officer has acknowledged yet, as the status line
 * counts them: read again whenever the database may have changed (an
 * officer acknowledges them with another connection). */
void
link_refused_recount(struct link *l)
{
	int64_t n;

	if (l->db && replica_refusals_unseen(l->db, &n) == 0)
		l->refused = n;
}

/* ---- the settings and the outbox ---- */

/* 1 settings read and valid, 0 none, -1 invalid (message set). */
int
link_settings_load(struct link *l)
{
	char server[256], key[128];
	int rc = replica_link(l->db, server, sizeof server, key, sizeof key);

	if (rc < 0) {
		link_note(l, "cannot read the link settings: %s", db_why(l->db, rc));
		return -1;
	}
	if (rc == 0)
		return 0;
	snprintf(l->server, sizeof l->server, "%s", server);
	memcpy(l->key_hex, key, sizeof l->key_hex - 1);
	l->key_hex[sizeof l->key_hex - 1] = 0;
	if (msg_hostport(server, l->host, sizeof l->host, l->port,
			      sizeof l->port)) {
		link_note(l, "the server '%.60s' is not HOST:PORT", server);
		return -1;
	}
	if (strlen(key) != SYNC_HEX - 1 || key_parse(key, l->key)) {
		link_note(l, "the stored key is not 64 hex digits");
		return -1;
	}
	/* The server is known by its pin alone: without one the link
	 * would have to trust whatever key answers. */
	l->pin[0] = 0;
	l->pin_next[0] = 0;
	l->no_pin = 0;
	if ((rc = replica_pin(l->db, l->pin, sizeof l->pin)) < 0) {
		link_note(l, "cannot read the link settings: %s", db_why(l->db, rc));
		return -1;
	}
	if (rc == 0 || !l->pin[0]) {
		l->pin[0] = 0;
		l->no_pin = 1;
		link_note(l, "no pin for the server (dutydesk link --pin PIN, "
			  "the pin dutydeskd pin prints on the server)");
		return -1;
	}
	if (strcmp(l->pin, LINK_PIN_INSECURE) != 0 && !tls_pin_ok(l->pin)) {
		link_note(l, "the stored pin is not sha256: and 64 hex digits");
		return -1;
	}
	/* The next pin the server announced: one that is not a pin is
	 * forgotten rather than trusted (the server says it again). */
	if ((rc = replica_pin_next(l->db, l->pin_next, sizeof l->pin_next)) < 0) {
		link_note(l, "cannot read the link settings: %s", db_why(l->db, rc));
		return -1;
	}
	if (!tls_pin_ok(l->pin_next) || strcmp(l->pin, LINK_PIN_INSECURE) == 0 ||
	    strcmp(l->pin_next, l->pin) == 0)
		l->pin_next[0] = 0;
	return 1;
}

/* How many of another incarnation wait (made before a restore, or a
 * county-wide drill's setup and injects, which this command station
 * delivers alike; in a drill's realm they grow as injects fire), and
 * where the acknowledged prefix of our own operations ends. */
int
link_outbox_count(struct link *l, int64_t *first)
{
	return replica_outbox(l->db, l->si.incarnation, l->si.station, first,
			      &l->stranded, &l->stranded_drill);
}

int
link_outbox_scan(struct link *l)
{
	int64_t first;
	int rc;

	if ((rc = station_identity(l->db, &l->si)) ||
	    (rc = link_outbox_count(l, &first)))
		return rc;
	l->seq = l->si.seq;
	l->acked_upto = first ? first - 1 : l->si.seq;
	return 0;
}

void
link_refresh_seq(struct link *l)
{
	struct station_info si;

	if (station_identity(l->db, &si) == 0 &&
	    strcmp(si.incarnation, l->si.incarnation) == 0)
		l->seq = si.seq;
}

/* ---- what came in ---- */

void
link_pend_clear(struct link *l)
{
	size_t i;

	for (i = l->pend_head; i < l->npend; i++)
		op_clear(&l->pend[i].op);
	l->npend = l->pend_head = 0;
}

void
link_caught_up(struct link *l)
{
	l->last_sync = (int64_t)time(NULL);
	link_note_write(l);
	link_done(l);
}

/* Apply one slice of what came in: a few milliseconds in one
 * transaction, the cursor with it. */
static int
apply_slice(struct link *l)
{
	/* A slice is bounded by time, not by count: a console keeps its
	 * keyboard (a few ms per slice); a one-shot sync has nobody waiting
	 * and takes longer slices, so fewer commits. */
	uint64_t t0 = uv_hrtime(), budget = (l->once ? 100 : LINK_APPLY_MS)
					     * 1000000ULL;
	size_t i, end = l->npend;
	int64_t top = 0, applied = 0, rejected = 0;
	char first[120] = "";
	int rc;

	if ((rc = db_begin(l->db)))
		goto out;
	for (i = l->pend_head; i < end; i++) {
		if (i > l->pend_head && (i - l->pend_head) % 16 == 0 &&
		    uv_hrtime() - t0 > budget) {
			end = i;
			break;
		}
		struct link_pend *p = &l->pend[i];
		rc = op_apply(l->db, &p->op);
		if (rc == 1) {
			applied++;
		} else if (rc < 0 && dd_exitcode(rc) == EXIT_REFUSED) {
			/* Refused on a fixed ground, as the server should have:
			 * nothing was written; it is skipped and said. */
			if (!rejected)
				snprintf(first, sizeof first, "%s/%" PRId64 ": %s",
					 p->op.station, p->op.seq, db_why(l->db, rc));
			rejected++;
		} else if (rc < 0) {
			break;
		}
		rc = 0;
		if (p->sseq > top)
			top = p->sseq;
	}
	if (!rc && top)
		rc = replica_set_cursor(l->db, top);
	rc = db_end(l->db, rc);
out:
	if (rc) {
		link_fail(l, "cannot apply what the server sent: %s", db_why(l->db, rc));
		return rc;
	}
	for (i = l->pend_head; i < end; i++)
		op_clear(&l->pend[i].op);
	l->pend_head = end;
	l->pulled += applied;
	if (applied)
		l->change_due = 1;
	if (rejected) {
		l->rejected += rejected;
		link_note(l, "%" PRId64 " operation(s) from the server could not be "
			  "applied: %.100s", l->rejected, first);
	}
	return 0;
}

static void
on_work(uv_idle_t *h)
{
	struct link *l = h->data;
	uint64_t now = uv_now(l->loop);

	if (l->closing || (l->once && l->once->done)) {
		uv_idle_stop(h);
		return;
	}
	if (l->pend_head < l->npend && apply_slice(l))
		return;
	if (l->pend_head == l->npend && l->npend) {
		l->npend = l->pend_head = 0;
		link_resume(l);
		if (l->live)
			link_caught_up(l);
	}
	if (l->once && l->once->done)
		return;
	/* The console reloads what it shows: not after every slice of a
	 * long catch-up, but a few times a second and at its end. */
	if (l->change_due && (l->npend == 0 || now - l->last_change_ms >= 250)) {
		l->change_due = 0;
		l->last_change_ms = now;
		if (l->on_change)
			l->on_change(l->ctx);
	}
	if (l->push_wanted) {
		l->push_wanted = 0;
		link_refresh_seq(l);
		link_push(l);
	}
	if (l->npend == 0 && !l->push_wanted && !l->change_due)
		uv_idle_stop(h);
}

void
link_work(struct link *l)
{
	uv_idle_start(&l->work, on_work);
}

/* ---- the state ---- */

void
link_offline(struct link *l)
{
	if (l->state == LINK_ONLINE || !l->offline_since)
		l->offline_since = (int64_t)time(NULL);
}

/* ---- timers ---- */

static void
on_beat(uv_timer_t *h)
{
	struct link *l = h->data;
	uint64_t now = uv_now(l->loop);
	int64_t v;

	if (l->closing || (l->once && l->once->done))
		return;
	/* Another console held the link: take it over when it goes. */
	if (!l->locked && now - l->lock_try_ms >= 5000) {
		l->lock_try_ms = now;
		if (lock_take(l) == 1) {
			l->state = LINK_OFFLINE;
			l->message[0] = 0;
			link_connect(l);
		}
	}
	/* Another program made an operation: count it and send it. */
	if (db_data_version(l->db, &v) == 0 && v != l->data_version) {
		l->data_version = v;
		link_refused_recount(l);
		l->push_wanted = 1;
		link_work(l);
	}
	link_timeouts(l, now);
}

void
link_maybe_free(struct link *l)
{
	if (l->closing && l->refs == 0) {
		tls_ctx_free(&l->tls);
		free(l);
	}
}

static void
on_handle_closed(uv_handle_t *h)
{
	struct link *l = h->data;

	l->refs--;
	link_maybe_free(l);
}

/* ---- the door ---- */

int
link_new(uv_loop_t *loop, const char *dbpath, const char *officer,
	 struct link_once *once, void (*on_change)(void *), void *ctx,
	 struct link **out)
{
	struct link *l;
	int rc, held;

	*out = NULL;
	if (!(l = calloc(1, sizeof *l)))
		return DD_E_NOMEM;
	l->loop = loop;
	l->lockfd = -1;
	l->once = once;
	l->on_change = on_change;
	l->ctx = ctx;
	l->backoff_ms = LINK_BACKOFF_MIN_MS;
	l->rnd = (unsigned)time(NULL) ^ (unsigned)getpid();
	snprintf(l->dbpath, sizeof l->dbpath, "%s", dbpath);
	if ((rc = db_open(dbpath, 0, &l->db)) ||
	    (rc = station_identity(l->db, &l->si))) {
		if (once)
			snprintf(once->msg, sizeof once->msg, "%s", db_why(l->db, rc));
		goto fail;
	}
	if (officer)
		db_set_officer(l->db, officer);
	rc = link_settings_load(l);
	if (rc == 0)
		goto fail; /* an offline station */
	rc = 0;
	if (l->message[0]) {
		/* Bad settings: said at once, tried again when changed. */
		l->state = LINK_STOPPED;
		snprintf(l->stop_server, sizeof l->stop_server, "%s", l->server);
		snprintf(l->stop_key, sizeof l->stop_key, "%s", l->key_hex);
		snprintf(l->stop_pin, sizeof l->stop_pin, "%s", l->pin);
	}
	if ((rc = link_outbox_scan(l))) {
		if (once)
			snprintf(once->msg, sizeof once->msg, "%s", db_why(l->db, rc));
		goto fail;
	}
	/* What the server knew at the last welcome: until the next one,
	 * what waits for its upgrade is shown as held. */
	link_note_kinds(dbpath, &l->kinds);
	link_held_scan(l);
	db_data_version(l->db, &l->data_version);
	signal(SIGPIPE, SIG_IGN);
	uv_timer_init(loop, &l->beat);
	uv_timer_init(loop, &l->retry);
	uv_idle_init(loop, &l->work);
	l->beat.data = l->retry.data = l->work.data = l;
	l->refs = 3;
	uv_timer_start(&l->beat, on_beat, 1000, 1000);
	link_note_read(dbpath, &l->last_sync);
	replica_refusals_unseen(l->db, &l->refused);
	held = lock_take(l);
	l->lock_try_ms = uv_now(loop);
	l->offline_since = (int64_t)time(NULL);
	if (held == 0) {
		l->state = LINK_STOPPED;
		link_note(l, "link held by another console");
	} else {
		if (held < 0)
			l->locked = 1; /* no lock can be made: run without */
		if (l->state != LINK_STOPPED) {
			l->state = LINK_CONNECTING;
			link_connect(l);
		}
	}
	*out = l;
	return 0;
fail:
	db_close(&l->db);
	free(l);
	return rc;
}

int
link_open(uv_loop_t *loop, const char *dbpath, const char *officer,
	  struct link **out, void (*on_change)(void *ctx), void *ctx)
{
	return link_new(loop, dbpath, officer, NULL, on_change, ctx, out);
}

void
link_status(const struct link *l, struct link_status *st)
{
	memset(st, 0, sizeof *st);
	st->state = l->state;
	st->offline_since = l->offline_since;
	st->queued = l->seq - l->acked_upto + l->stranded;
	if (st->queued < 0)
		st->queued = 0;
	st->refused = l->refused;
	st->pushed = l->pushed;
	st->pulled = l->pulled;
	st->last_sync = l->last_sync;
	st->held = l->held;
	snprintf(st->held_kind, sizeof st->held_kind, "%s", l->held_kind);
	st->server_old = l->state == LINK_STOPPED && l->server_old;
	st->skew_known = l->skew_known;
	st->skew_ms = l->skew_ms;
	snprintf(st->server, sizeof st->server, "%s", l->server);
	snprintf(st->message, sizeof st->message, "%s", l->message);
	snprintf(st->pin, sizeof st->pin, "%s", l->pin);
	snprintf(st->pin_next, sizeof st->pin_next, "%s", l->pin_next);
	st->insecure = strcmp(l->pin, LINK_PIN_INSECURE) == 0;
	st->no_pin = l->state == LINK_STOPPED && l->no_pin;
}

void
link_poke(struct link *l)
{
	char server[256], key[128], pin[LINK_PIN_MAX] = "";
	int changed;

	if (!l || l->closing)
		return;
	link_refresh_seq(l);
	link_refused_recount(l);
	if (!l->locked)
		return; /* another console's link: the beat takes over later */
	/* Settings changed since (dutydesk link): a stopped link starts
	 * again, a running one goes to the new server now. */
	changed = replica_link(l->db, server, sizeof server, key, sizeof key) == 1 &&
		replica_pin(l->db, pin, sizeof pin) >= 0 &&
		(strcmp(server, l->state == LINK_STOPPED ? l->stop_server
			: l->server) ||
		 strcmp(key, l->state == LINK_STOPPED ? l->stop_key : l->key_hex) ||
		 strcmp(pin, l->state == LINK_STOPPED ? l->stop_pin : l->pin));
	if (changed) {
		link_offline(l);
		link_drop(l);
		if (l->gai) {
			/* Resolving the old name: start over when it is done. */
			l->reresolve = 1;
			return;
		}
		uv_timer_stop(&l->retry);
		l->state = LINK_OFFLINE;
		l->message[0] = 0;
		l->backoff_ms = LINK_BACKOFF_MIN_MS;
		link_connect(l);
		return;
	}
	if (l->state == LINK_STOPPED)
		return;
	l->push_wanted = 1;
	link_work(l);
}

void
link_close(struct link *l)
{
	if (!l || l->closing)
		return;
	l->closing = 1;
	link_drop(l);
	link_pend_clear(l);
	free(l->pend);
	l->pend = NULL;
	l->pend_cap = 0;
	if (l->gai)
		uv_cancel((uv_req_t *)l->gai);
	uv_close((uv_handle_t *)&l->beat, on_handle_closed);
	uv_close((uv_handle_t *)&l->retry, on_handle_closed);
	uv_close((uv_handle_t *)&l->work, on_handle_closed);
	if (l->lockfd >= 0)
		close(l->lockfd);
	l->lockfd = -1;
	l->locked = 0;
	db_close(&l->db);
}
