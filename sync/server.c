/*
 * server.c - the county sync server: one libuv loop, one thread. Each
 * connection has a framer, a state (hello, auth, ready, closing) and, once
 * authenticated, a station, a realm and a place in that realm's relay.
 * Every frame is checked whole before it has any effect; a push is taken
 * in one transaction, committed, acknowledged, then relayed. The protocol
 * is sync/PROTOCOL.md.
 */
#include "sync/server.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <uv.h>

#define SWEEP_MS 250      /* how often timeouts are looked at */
#define LINGER_MS 1000    /* a closing peer's time to read our last frame */
#define STOP_MS 2000      /* in-flight writes' time to finish at a stop */
#define READ_BUF 65536
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

/* ---- logging ---- */

static int log_min = SLOG_INFO;
static int log_journal = -1;

int
server_log_parse(const char *s)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	int i;

	for (i = 0; s && i < 4; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

void
server_log_level(int level)
{
	log_min = level;
}

void
server_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	char line[1024], *p;
	size_t n = 0;
	va_list ap;

	if (level < log_min)
		return;
	if (log_journal < 0)
		log_journal = getenv("JOURNAL_STREAM") != NULL;
	if (!log_journal) {
		time_format_iso(time(NULL), line);
		n = strlen(line);
		line[n++] = ' ';
	}
	n += (size_t)snprintf(line + n, sizeof line - n, "dutydeskd %s: ",
			      names[level < 0 ? 0 : level > 3 ? 3 : level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof line - n, fmt, ap);
	va_end(ap);
	/* One line per event whatever a peer put in a name or a message. */
	for (p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	n = strlen(line);
	line[n] = '\n';
	fwrite(line, 1, n + 1, stderr);
}

/* ---- realms ---- */

int
server_realm_path(const char *db, const char *realm, char *out, size_t n)
{
	int len = strcmp(realm, "live") == 0 ? snprintf(out, n, "%s", db)
		: snprintf(out, n, "%s.%s", db, realm);

	return len < 0 || (size_t)len >= n ? -1 : 0;
}

int
server_realm_open(const char *path, const char *realm, int create,
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

/* ---- the server's state ---- */

enum cstate { C_HELLO, C_AUTH, C_READY, C_CLOSING };

struct pending;

/* Pushes from every connection share one transaction (group commit),
 * committed in the check phase of the loop's turn. The log is then made
 * durable by one fdatasync() on a worker thread while the loop goes on
 * reading and applying the next pushes into the next transaction, which
 * is committed as soon as that sync is done (so a group is whatever
 * arrived during the previous sync). Only after its sync does a push
 * get its ack and are its operations relayed or served to a catch-up:
 * nothing is said about an operation before it is on disk. */
struct realm {
	struct realm *next;
	struct server *srv;
	char name[40];
	char history[17];
	struct db *db;
	int64_t committed;         /* highest server sequence on disk */
	int sync_fd;               /* the WAL, synced by us; -1: by SQLite */
	int syncing;               /* a sync runs on the worker */
	int sync_err;              /* its errno, 0 when it succeeded */
	int64_t sync_head;         /* the sequence it makes durable */
	uv_work_t sync;
	struct pending *spend;     /* the pushes waiting for that sync */
	int txn;                   /* the turn's transaction is open */
	int txn_rc;                /* a database error in it: roll back */
	struct pending *pend, **pend_tail;
	char path[4096];
	uv_work_t ckpt;            /* the worker's round */
	struct db *ckpt_db;        /* its connection, used only there */
	int ckpt_busy, ckpt_rc;
	int ckpt_copied;           /* WAL frames the round left copied */
	int ckpt_tail;             /* the round runs with the realm held */
	int ckpt_next;             /* no round before the WAL is this long */
	int hold;                  /* no push is taken until it ends */
	char ckpt_err[300];
};

/* What a push waits to say until its transaction is committed. */
struct pending {
	struct pending *next;
	struct conn *c;
	uint64_t conn_id;
	uint64_t frame;
	cJSON *ack;
	char gap[200], gap_field[80];
	struct op *ops;
	int64_t *sseq;
	int n, nops;
	char station[32], inc[17];
	int64_t before;            /* what the server held of them before */
};

struct server;

struct conn {
	uv_tcp_t tcp;              /* first: freed in its close callback */
	uv_shutdown_t shut;
	struct server *srv;
	struct conn *prev, *next;
	struct framer fr;
	enum cstate state;
	unsigned counted : 1;      /* counts against --max-conn */
	unsigned reading : 1;
	unsigned eof : 1;          /* the peer finished sending */
	unsigned shut_started : 1;
	unsigned shut_done : 1;
	unsigned paused : 1;       /* catch-up pending: no reading */
	unsigned held : 1;         /* its realm is held: no reading */
	unsigned live : 1;         /* caught up: gets relays */
	unsigned known : 1;        /* the hello's station has a key */
	uint64_t id;
	uint64_t t_start, t_recv, t_send, t_linger;
	char peer[64];
	char station[32], incarnation[17], realm_name[40];
	char nonce[SYNC_HEX];      /* the station's */
	char snonce[SYNC_HEX];     /* ours */
	unsigned char key[SYNC_KEY_BYTES];
	int role;
	struct realm *realm;
	int64_t cursor;            /* catch-up: last server sequence sent */
};

struct server {
	uv_loop_t loop;
	uv_tcp_t listener;
	uv_timer_t sweep;
	uv_check_t commit;
	uv_signal_t sigterm, sigint;
	const struct server_opts *o;
	struct conn *conns;
	int nconn;                 /* counted connections */
	int nhandles;              /* every connection handle, rejected too */
	struct realm *realms;
	int nrealms;
	int stopping, finished;
	int fatal;                 /* the exit status of a stop on an error */
	int ckpt_rounds;           /* checkpoint rounds on the workers */
	uint64_t stop_at;
	uint64_t next_id;
	char rbuf[READ_BUF];
};

/* A frame to send, shared by every connection it is relayed to. */
struct wbuf {
	unsigned refs;
	size_t len;
	char *data;
};

enum { THEN_NOTHING, THEN_CATCHUP, THEN_RESUME };

struct wreq {
	uv_write_t req;
	struct wbuf *b;
	int then;
};

static void conn_process(struct conn *c);
static void catchup_step(struct conn *c);
static void server_finish(struct server *srv);

static struct wbuf *
wbuf_new(char *data, size_t len)
{
	struct wbuf *b;

	if (!data)
		return NULL;
	if (!(b = malloc(sizeof *b))) {
		free(data);
		return NULL;
	}
	b->refs = 1;
	b->len = len;
	b->data = data;
	return b;
}

static void
wbuf_unref(struct wbuf **b)
{
	if (*b && --(*b)->refs == 0) {
		free((*b)->data);
		free(*b);
	}
	*b = NULL;
}

/* The realm name, open or opened now; NULL on error. A realm whose
 * database does not exist yet is made only when create says so; else
 * NULL with *missing set. */
static struct realm *
realm_get(struct server *srv, const char *name, int create, int *missing)
{
	struct realm *r;
	struct station_info si;
	char path[4096], why[600] = "";

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
	if (!(r = calloc(1, sizeof *r)))
		return NULL;
	if (server_realm_open(path, name, 1, &r->db, why, sizeof why) ||
	    station_identity(r->db, &si)) {
		server_log(SLOG_ERROR, "realm %s: %s", name, why);
		db_close(&r->db);
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

static void pending_list_free(struct pending *p);

/* A drill's realm no station is connected to and nothing is under way
 * in (a commit, a sync, a checkpoint round): closed, so that drills the
 * server has seen over months do not fill SERVER_MAX_REALMS. Opened
 * again by the next station that names it. */
static void
realms_close_idle(struct server *srv)
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
		free(r);
	}
}

static void
realms_close(struct server *srv)
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
		free(r);
	}
	srv->nrealms = 0;
}

static int64_t
wall_ms(void)
{
	return clock_real.now_ms(clock_real.ctx);
}

static const char *
who(const struct conn *c)
{
	static char buf[160];

	if (c->state == C_READY || c->station[0])
		snprintf(buf, sizeof buf, "#%" PRIu64 " %s/%s from %s", c->id,
			 c->station, c->realm_name, c->peer);
	else
		snprintf(buf, sizeof buf, "#%" PRIu64 " from %s", c->id, c->peer);
	return buf;
}

/* ---- closing ---- */

static void
on_close(uv_handle_t *h)
{
	struct conn *c = h->data;
	struct server *srv = c->srv;

	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (c->counted)
		srv->nconn--;
	srv->nhandles--;
	if (c->counted)
		server_log(SLOG_INFO, "disconnect %s", who(c));
	frame_free(&c->fr);
	sodium_memzero(c->key, sizeof c->key);
	free(c);
	if (srv->stopping && !srv->conns)
		server_finish(srv);
}

/* Close now: pending writes are cancelled. */
static void
conn_close(struct conn *c)
{
	uv_handle_t *h = (uv_handle_t *)&c->tcp;

	c->state = C_CLOSING;
	c->live = 0;
	if (uv_is_closing(h))
		return;
	if (c->reading)
		uv_read_stop((uv_stream_t *)&c->tcp);
	c->reading = 0;
	uv_close(h, on_close);
}

static void
on_shutdown(uv_shutdown_t *req, int status)
{
	struct conn *c = req->handle->data;

	c->shut_done = 1;
	/* Our last frame is out. Wait for the peer to close (so what it
	 * still sends does not turn into a reset that eats our frame),
	 * up to LINGER_MS. */
	if (status < 0 || c->eof)
		conn_close(c);
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);
static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf);

static void
conn_read_start(struct conn *c)
{
	if (c->reading || c->eof || uv_is_closing((uv_handle_t *)&c->tcp))
		return;
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
		c->reading = 1;
}

static void
conn_read_stop(struct conn *c)
{
	if (c->reading)
		uv_read_stop((uv_stream_t *)&c->tcp);
	c->reading = 0;
}

/* Close gracefully: what is queued is sent, then a FIN, then we wait
 * briefly for the peer to close; what it sends meanwhile is dropped. */
static void
conn_finish(struct conn *c)
{
	if (c->state == C_CLOSING)
		return;
	c->state = C_CLOSING;
	c->live = 0;
	c->paused = 0;
	c->t_linger = uv_now(&c->srv->loop) + LINGER_MS;
	if (uv_is_closing((uv_handle_t *)&c->tcp))
		return;
	conn_read_start(c);
	c->shut_started = 1;
	if (uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp, on_shutdown) != 0)
		conn_close(c);
}

/* ---- writing ---- */

static void
on_write(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;
	struct conn *c = req->handle->data;
	int then = w->then;

	wbuf_unref(&w->b);
	free(w);
	if (status < 0) {
		if (status != UV_ECANCELED) {
			server_log(SLOG_DEBUG, "write to %s: %s", who(c),
				   uv_strerror(status));
			conn_close(c);
		}
		return;
	}
	if (c->state == C_CLOSING)
		return;
	if (then == THEN_CATCHUP) {
		/* While we do not read, the peer reading counts as life. */
		c->t_recv = uv_now(&c->srv->loop);
		catchup_step(c);
	} else if (then == THEN_RESUME) {
		c->paused = 0;
		c->t_recv = uv_now(&c->srv->loop);
		conn_read_start(c);
		conn_process(c);
	}
}

static void
conn_slow(struct conn *c)
{
	char *e;
	size_t n;

	server_log(SLOG_WARN, "%s does not read: over %u bytes queued, dropped",
		   who(c), SERVER_QUEUE_MAX);
	/* The queue is full, so the error goes only if the socket has room
	 * for it right now. */
	if ((e = msg_error("slow", "too much queued for a reader that does not "
			   "read", 0, NULL, &n))) {
		uv_buf_t b = uv_buf_init(e, (unsigned)n);
		uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
		free(e);
	}
	conn_close(c);
}

/* Queue b for c (b keeps its own reference). -1 when c is gone or was
 * dropped for reading too slowly. */
static int
conn_write(struct conn *c, struct wbuf *b, int then)
{
	uv_stream_t *s = (uv_stream_t *)&c->tcp;
	struct wreq *w;
	uv_buf_t buf;
	int rc;

	if (!b || uv_is_closing((uv_handle_t *)s) || c->shut_started)
		return -1;
	if (uv_stream_get_write_queue_size(s) + b->len > SERVER_QUEUE_MAX) {
		conn_slow(c);
		return -1;
	}
	if (!(w = calloc(1, sizeof *w))) {
		conn_close(c);
		return -1;
	}
	w->b = b;
	b->refs++;
	w->then = then;
	buf = uv_buf_init(b->data, (unsigned)b->len);
	if ((rc = uv_write(&w->req, s, &buf, 1, on_write)) != 0) {
		server_log(SLOG_DEBUG, "write to %s: %s", who(c), uv_strerror(rc));
		wbuf_unref(&w->b);
		free(w);
		conn_close(c);
		return -1;
	}
	c->t_send = uv_now(&c->srv->loop);
	return 0;
}

/* Send a printed frame (taken). */
static int
conn_send_text(struct conn *c, char *text, size_t n, int then)
{
	struct wbuf *b = wbuf_new(text, n);
	int rc;

	if (!b) {
		server_log(SLOG_ERROR, "out of memory answering %s", who(c));
		conn_close(c);
		return -1;
	}
	rc = conn_write(c, b, then);
	wbuf_unref(&b);
	return rc;
}

static int
conn_send(struct conn *c, const cJSON *m, int then)
{
	size_t n = 0;
	char *s = m ? msg_print(m, &n) : NULL;

	return conn_send_text(c, s, n, then);
}

/* Answer an error frame and close (or, for gap and busy, keep going).
 * The message names the frame; the field goes in its own member too. */
static void
conn_error(struct conn *c, const char *code, const char *message,
	   uint64_t frame, const char *field, int close)
{
	char text[400];
	size_t n = 0;
	char *e;

	if (frame)
		snprintf(text, sizeof text, "frame %" PRIu64 ": %s", frame, message);
	else
		snprintf(text, sizeof text, "%s", message);
	e = msg_error(code, text, frame, field, &n);
	server_log(close ? SLOG_WARN : SLOG_INFO, "%s: %s: %s%s", who(c), code,
		   text, close ? "; closing" : "");
	conn_send_text(c, e, n, THEN_NOTHING);
	if (close)
		conn_finish(c);
}

/* A message check's reason "field NAME: ..." names the field. */
static void
conn_bad_frame(struct conn *c, const char *why)
{
	char field[64] = "";

	if (strncmp(why, "field ", 6) == 0)
		sscanf(why + 6, "%63[^:]", field);
	conn_error(c, "bad_frame", why, c->fr.count, field[0] ? field : NULL, 1);
}

static char *
i64s(int64_t v, char buf[24])
{
	snprintf(buf, 24, "%" PRId64, v);
	return buf;
}

/* ---- ops frames: at most SYNC_BATCH operations and FRAME_MAX bytes ---- */

struct opsframe {
	char *buf;
	size_t len, cap;
	int n;
	int oom;
};

static void
of_put(struct opsframe *f, const char *s, size_t n)
{
	if (f->oom)
		return;
	if (f->len + n + 1 > f->cap) {
		size_t cap = f->cap ? f->cap : 4096;
		char *b;
		while (cap < f->len + n + 1)
			cap *= 2;
		if (!(b = realloc(f->buf, cap))) {
			f->oom = 1;
			return;
		}
		f->buf = b;
		f->cap = cap;
	}
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	f->buf[f->len] = 0;
}

static void
of_start(struct opsframe *f)
{
	memset(f, 0, sizeof *f);
	of_put(f, "{\"type\":\"ops\",\"ops\":[", 21);
}

/* Would an operation of n bytes still fit? An empty frame takes one
 * whatever its size. */
static int
of_fits(const struct opsframe *f, size_t n)
{
	return f->n == 0 || (f->n < SYNC_BATCH && f->len + 1 + n + 2 <= FRAME_MAX);
}

static void
of_add(struct opsframe *f, const char *s, size_t n)
{
	if (f->n > 0)
		of_put(f, ",", 1);
	of_put(f, s, n);
	f->n++;
}

/* The finished frame, or NULL (out of memory). */
static struct wbuf *
of_finish(struct opsframe *f)
{
	struct wbuf *b;

	of_put(f, "]}\n", 3);
	if (f->oom) {
		free(f->buf);
		memset(f, 0, sizeof *f);
		return NULL;
	}
	b = wbuf_new(f->buf, f->len);
	memset(f, 0, sizeof *f);
	return b;
}

/* An operation as the ops frames carry it: with its server sequence. */
static char *
op_text(const struct op *op, int64_t sseq, size_t *n)
{
	cJSON *j = op_to_json(op);
	char buf[24], *s = NULL;

	if (j && cJSON_AddStringToObject(j, "sseq", i64s(sseq, buf)))
		s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	*n = s ? strlen(s) : 0;
	return s;
}

/* ---- catch-up ---- */

struct catchup {
	struct opsframe f;
	int64_t bound; /* nothing past what is committed */
	int64_t last;
	int count;   /* rows seen */
	int full;    /* stopped because the frame was full */
	int oom;
};

static int
catchup_row(const struct op *op, int64_t sseq, void *ctx)
{
	struct catchup *cu = ctx;
	size_t n;
	char *s;

	if (sseq > cu->bound)
		return 1;
	if (!(s = op_text(op, sseq, &n))) {
		cu->oom = 1;
		return 1;
	}
	if (!of_fits(&cu->f, n)) {
		free(s);
		cu->full = 1;
		return 1;
	}
	if (n + 24 > FRAME_MAX)
		server_log(SLOG_WARN, "operation %s/%" PRId64 " alone is over the "
			   "frame limit", op->station, op->seq);
	of_add(&cu->f, s, n);
	free(s);
	cu->last = sseq;
	cu->count++;
	return 0;
}

/* Send the next batch of a catch-up; the next one goes when this one is
 * written, so other connections get their turn in between. The last
 * batch is followed by live, and reading resumes once that is out. */
static void
catchup_step(struct conn *c)
{
	struct catchup cu;
	struct wbuf *b;
	cJSON *m;
	char buf[24];
	int64_t head = 0;
	int rc, more;

	if (c->state != C_READY || !c->paused)
		return;
	memset(&cu, 0, sizeof cu);
	of_start(&cu.f);
	cu.last = c->cursor;
	cu.bound = c->realm->committed;
	rc = replica_each_after(c->realm->db, c->cursor, SYNC_BATCH, catchup_row,
				&cu);
	if (rc < 0 || cu.oom || cu.f.oom) {
		free(cu.f.buf);
		server_log(SLOG_ERROR, "catch-up of %s: %s", who(c),
			   rc < 0 ? db_errmsg(c->realm->db) : "out of memory");
		conn_error(c, "busy", "the server cannot read its database now",
			   0, NULL, 1);
		return;
	}
	more = cu.full || cu.count == SYNC_BATCH;
	if (cu.count > 0) {
		c->cursor = cu.last;
		b = of_finish(&cu.f);
		if (!b) {
			conn_error(c, "busy", "out of memory", 0, NULL, 1);
			return;
		}
		rc = conn_write(c, b, more ? THEN_CATCHUP : THEN_NOTHING);
		wbuf_unref(&b);
		if (rc)
			return;
	} else {
		free(cu.f.buf);
	}
	if (more)
		return;
	/* Caught up in this very turn of the loop: everything committed so
	 * far has been queued, and what is committed from now on is
	 * relayed. */
	head = c->realm->committed;
	c->live = 1;
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "type", "live");
	cJSON_AddStringToObject(m, "head", i64s(head, buf));
	conn_send(c, m, THEN_RESUME);
	cJSON_Delete(m);
	server_log(SLOG_DEBUG, "%s caught up to %" PRId64, who(c), head);
}

/* ---- messages ---- */

static int
hex_ok(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static const char *
sget(const cJSON *m, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static void
on_hello(struct conn *c, const cJSON *m)
{
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(m, "version");
	const char *station = sget(m, "station"), *inc = sget(m, "incarnation");
	const char *realm = sget(m, "realm"), *nonce = sget(m, "nonce");
	char proof[SYNC_HEX], why[300], vbuf[40];
	cJSON *r;
	int rc;

	if (c->state != C_HELLO) {
		conn_error(c, "order", "hello was already sent", c->fr.count,
			   "type", 1);
		return;
	}
	if (ver->valuedouble != SYNC_VERSION) {
		snprintf(vbuf, sizeof vbuf, "this server speaks version %d",
			 SYNC_VERSION);
		conn_error(c, "version", vbuf, c->fr.count, "version", 1);
		return;
	}
	if (!station_code_ok(station)) {
		conn_error(c, "bad_frame", "field station: not a station code",
			   c->fr.count, "station", 1);
		return;
	}
	if (!hex_ok(inc, 16)) {
		conn_error(c, "bad_frame", "field incarnation: not 16 hex digits",
			   c->fr.count, "incarnation", 1);
		return;
	}
	if (!realm_name_ok(realm)) {
		conn_error(c, "bad_frame", "field realm: not 1 to 39 of a-z, 0-9 "
			   "and -", c->fr.count, "realm", 1);
		return;
	}
	if (!hex_ok(nonce, SYNC_HEX - 1)) {
		conn_error(c, "bad_frame", "field nonce: not 64 hex digits",
			   c->fr.count, "nonce", 1);
		return;
	}
	snprintf(c->station, sizeof c->station, "%s", station);
	snprintf(c->incarnation, sizeof c->incarnation, "%s", inc);
	snprintf(c->realm_name, sizeof c->realm_name, "%s", realm);
	snprintf(c->nonce, sizeof c->nonce, "%s", nonce);
	why[0] = 0;
	rc = keys_find(c->srv->o->keys, station, &c->role, c->key, why,
		       sizeof why);
	if (rc < 0)
		server_log(SLOG_ERROR, "keys file: %s", why);
	c->known = rc == 1;
	auth_nonce(c->snonce);
	/* An unknown station gets a proof like any other, so codes cannot
	 * be probed; it fails at auth. */
	if (c->known)
		auth_proof(c->key, AUTH_SERVER_LABEL, station, realm, nonce,
			   c->snonce, proof);
	else
		auth_nonce(proof);
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "type", "challenge");
	cJSON_AddNumberToObject(r, "version", SYNC_VERSION);
	cJSON_AddStringToObject(r, "nonce", c->snonce);
	cJSON_AddStringToObject(r, "proof", proof);
	c->state = C_AUTH;
	conn_send(c, r, THEN_NOTHING);
	cJSON_Delete(r);
	server_log(SLOG_DEBUG, "hello %s", who(c));
}

/* What the server holds of a station's incarnation on disk: what its
 * database says, less the pushes still waiting for their sync (a
 * station told it holds more would never send those again). */
static int64_t
durable_have(const struct realm *r, const char *station, const char *inc,
	     int64_t have)
{
	const struct pending *lists[2] = { r->spend, r->pend }, *p;
	int k;

	for (k = 0; k < 2; k++)
		for (p = lists[k]; p; p = p->next)
			if (p->before < have && strcmp(p->station, station) == 0 &&
			    strcmp(p->inc, inc) == 0)
				have = p->before;
	return have;
}

static void
on_auth(struct conn *c, const cJSON *m)
{
	struct server *srv = c->srv;
	struct conn *d;
	char want[SYNC_HEX], have_s[24], head_s[24], now_s[24], last_s[24];
	char last_hex[SYNC_HEX], why[200];
	int64_t have = 0, head = 0, last = 0;
	int ok = 0, missing;
	cJSON *r;

	if (c->state != C_AUTH) {
		conn_error(c, "order", c->state == C_HELLO ? "auth before hello"
			   : "auth was already sent", c->fr.count, "type", 1);
		return;
	}
	if (c->known) {
		auth_proof(c->key, AUTH_STATION_LABEL, c->station, c->realm_name,
			   c->snonce, c->nonce, want);
		ok = auth_equal(want, sget(m, "proof"));
		sodium_memzero(want, sizeof want);
	}
	sodium_memzero(c->key, sizeof c->key);
	if (!ok) {
		conn_error(c, "auth_failed", "authentication failed", c->fr.count,
			   "proof", 1);
		return;
	}
	/* A drill's realm comes into being when its command station first
	 * connects: a town cannot make the server open realms by naming
	 * them (they count against SERVER_MAX_REALMS). */
	if (!(c->realm = realm_get(srv, c->realm_name, c->role == ROLE_COMMAND ||
				   strcmp(c->realm_name, "live") == 0, &missing))) {
		if (missing) {
			snprintf(why, sizeof why, "no drill runs in realm %s on this "
				 "server: its command station has not connected",
				 c->realm_name);
			conn_error(c, "no_realm", why, c->fr.count, "realm", 1);
		} else {
			conn_error(c, "busy", "the server cannot open this realm's "
				   "database now", c->fr.count, "realm", 1);
		}
		return;
	}
	head = c->realm->committed;
	/* What we hold of this incarnation, and which operation is last,
	 * so a diverged copy of the station can tell (PROTOCOL: welcome). */
	if (replica_have(c->realm->db, c->station, c->incarnation, &have) ||
	    replica_last(c->realm->db, c->station, c->incarnation, &last,
			 last_hex) < 0) {
		server_log(SLOG_ERROR, "realm %s: %s", c->realm_name,
			   db_errmsg(c->realm->db));
		conn_error(c, "busy", "the server cannot read its database now",
			   c->fr.count, NULL, 1);
		return;
	}
	have = durable_have(c->realm, c->station, c->incarnation, have);
	/* One connection per station and realm: the newest wins (the old
	 * one is most likely dead without having said so). */
	for (d = srv->conns; d; d = d->next)
		if (d != c && d->state == C_READY && d->realm == c->realm &&
		    strcmp(d->station, c->station) == 0) {
			server_log(SLOG_INFO, "%s replaced by a new connection from %s",
				   who(d), c->peer);
			conn_finish(d);
		}
	c->state = C_READY;
	frame_set_limit(&c->fr, FRAME_MAX);
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "type", "welcome");
	cJSON_AddStringToObject(r, "history", c->realm->history);
	cJSON_AddStringToObject(r, "role", role_name(c->role));
	cJSON_AddStringToObject(r, "have", i64s(have, have_s));
	cJSON_AddStringToObject(r, "head", i64s(head, head_s));
	cJSON_AddStringToObject(r, "now", i64s(wall_ms(), now_s));
	if (last > 0) {
		cJSON_AddStringToObject(r, "last_seq", i64s(last, last_s));
		cJSON_AddStringToObject(r, "last_digest", last_hex);
	}
	conn_send(c, r, THEN_NOTHING);
	cJSON_Delete(r);
	server_log(SLOG_INFO, "auth ok: station %s (%s) incarnation %s realm %s "
		   "from %s; have %" PRId64 ", head %" PRId64, c->station,
		   role_name(c->role), c->incarnation, c->realm_name, c->peer,
		   have, head);
}

/* The members of an operation on the wire, exactly. */
static const char *const op_members[] = { "station", "incarnation", "seq",
	"hlc", "realm", "officer", "kind", "entity", "body", NULL };

/* Check one operation's envelope: an object of exactly the members,
 * each of its type. 0, or -1 with field and why set. */
static int
op_form(const cJSON *o, int i, char *field, size_t fn, char *why, size_t wn)
{
	const cJSON *v;
	unsigned seen = 0;
	int k;

	if (!cJSON_IsObject(o)) {
		snprintf(field, fn, "ops[%d]", i);
		snprintf(why, wn, "field %s: not an object", field);
		return -1;
	}
	cJSON_ArrayForEach(v, o) {
		for (k = 0; op_members[k]; k++)
			if (v->string && strcmp(v->string, op_members[k]) == 0)
				break;
		if (!op_members[k]) {
			snprintf(field, fn, "ops[%d].%.40s", i,
				 v->string ? v->string : "?");
			snprintf(why, wn, "field %s: not a member of an operation",
				 field);
			return -1;
		}
		snprintf(field, fn, "ops[%d].%s", i, op_members[k]);
		if (seen & (1u << k)) {
			snprintf(why, wn, "field %s: given twice", field);
			return -1;
		}
		seen |= 1u << k;
		if (k == 8 ? !cJSON_IsObject(v) : !cJSON_IsString(v)) {
			snprintf(why, wn, "field %s: wrong type", field);
			return -1;
		}
		if ((k == 2 || k == 3) && !msg_digits(v->valuestring)) {
			snprintf(why, wn, "field %s: not a decimal string", field);
			return -1;
		}
	}
	for (k = 0; op_members[k]; k++)
		if (!(seen & (1u << k))) {
			snprintf(field, fn, "ops[%d].%s", i, op_members[k]);
			snprintf(why, wn, "field %s: missing", field);
			return -1;
		}
	return 0;
}

/* Relay committed operations of realm r to its live connections other
 * than from (which may be gone: NULL). */
static void
relay(struct server *srv, struct realm *r, struct conn *from,
      const struct op *ops, const int64_t *sseq, int n)
{
	struct opsframe f;
	struct wbuf *frames[SYNC_BATCH + 1];
	struct conn *d;
	int i, nf = 0, k;

	of_start(&f);
	for (i = 0; i < n; i++) {
		size_t len;
		char *s;
		if (!sseq[i])
			continue;
		if (!(s = op_text(&ops[i], sseq[i], &len))) {
			f.oom = 1;
			break;
		}
		if (!of_fits(&f, len)) {
			frames[nf++] = of_finish(&f);
			of_start(&f);
		}
		of_add(&f, s, len);
		free(s);
	}
	if (f.n > 0 || f.oom)
		frames[nf++] = of_finish(&f);
	else
		free(f.buf);
	for (k = 0; k < nf; k++) {
		if (!frames[k]) {
			/* A live station missing an operation would not know:
			 * make it reconnect and catch up instead. */
			server_log(SLOG_ERROR, "out of memory relaying in realm %s; "
				   "closing its live connections", r->name);
			for (d = srv->conns; d; d = d->next)
				if (d != from && d->realm == r && d->live)
					conn_close(d);
			break;
		}
		for (d = srv->conns; d; d = d->next)
			if (d != from && d->state == C_READY && d->realm == r && d->live)
				conn_write(d, frames[k], THEN_NOTHING);
	}
	for (k = 0; k < nf; k++)
		wbuf_unref(&frames[k]);
}

static void
on_push(struct conn *c, const cJSON *m)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(m, "ops"), *o;
	struct db *db;
	struct realm *r;
	struct pending *p;
	const char *inc, *from;
	struct op *ops = NULL;
	int64_t *sseq = NULL, have = 0, before = 0, expected = 0;
	cJSON *refused = NULL, *ack = NULL;
	char field[80], why[300], buf[24];
	int n, i, rc = 0, gap = -1, taken = 0, skipped = 0, nref = 0, nops = 0;

	if (c->state != C_READY) {
		conn_error(c, "order", "push before authentication", c->fr.count,
			   "type", 1);
		return;
	}
	db = c->realm->db;
	n = cJSON_GetArraySize(arr);
	if (n > SYNC_BATCH) {
		snprintf(why, sizeof why, "field ops: more than %d operations",
			 SYNC_BATCH);
		conn_error(c, "bad_frame", why, c->fr.count, "ops", 1);
		return;
	}
	if (n > 0 && (!(ops = calloc((size_t)n, sizeof *ops)) ||
		      !(sseq = calloc((size_t)n, sizeof *sseq)))) {
		conn_error(c, "busy", "out of memory", c->fr.count, NULL, 0);
		goto out;
	}
	/* The whole frame is checked before anything is written: form
	 * first, then whose the operations are. */
	i = 0;
	cJSON_ArrayForEach(o, arr) {
		if (op_form(o, i, field, sizeof field, why, sizeof why)) {
			conn_error(c, "bad_frame", why, c->fr.count, field, 1);
			goto out;
		}
		if (op_from_json(o, &ops[i])) {
			snprintf(field, sizeof field, "ops[%d]", i);
			snprintf(why, sizeof why, "field %s: a member is too long", field);
			conn_error(c, "bad_frame", why, c->fr.count, field, 1);
			nops = i + 1;
			goto out;
		}
		nops = ++i;
	}
	/* A frame carries operations of one incarnation of this station:
	 * the session's, or an earlier one (made before the station was
	 * restored from a backup) that it still has to deliver. A command
	 * station in a drill's realm also delivers what the drill it runs
	 * makes (the pseudo-station drill): never in the live realm. */
	inc = n > 0 ? ops[0].incarnation : c->incarnation;
	from = n > 0 ? ops[0].station : c->station;
	for (i = 0; i < n; i++) {
		int drill = strcmp(ops[i].station, "drill") == 0 &&
			c->role == ROLE_COMMAND && realm_is_drill(c->realm_name);
		const char *what = strcmp(ops[i].station, c->station) && !drill
			? "station"
			: strcmp(ops[i].realm, c->realm_name) ? "realm" : NULL;
		if (!what && (strcmp(ops[i].incarnation, inc) != 0 ||
			      strcmp(ops[i].station, from) != 0)) {
			int st = strcmp(ops[i].station, from) != 0;
			snprintf(field, sizeof field, "ops[%d].%s", i,
				 st ? "station" : "incarnation");
			snprintf(why, sizeof why, "field %s: one %s per push", field,
				 st ? "station" : "incarnation");
			conn_error(c, "bad_frame", why, c->fr.count, field, 1);
			goto out;
		}
		if (what) {
			snprintf(field, sizeof field, "ops[%d].%s", i, what);
			snprintf(why, sizeof why, "field %s: operation %d is not "
				 "under this session's %s", field, i, what);
			conn_error(c, "forged", why, c->fr.count, field, 1);
			goto out;
		}
	}
	if (!(refused = cJSON_CreateArray()))
		goto busy;
	/* Join the turn's transaction, or open it. */
	r = c->realm;
	if (!r->txn) {
		if ((rc = db_begin(db)))
			goto busy;
		r->txn = 1;
		r->txn_rc = 0;
	}
	if ((rc = r->txn_rc))
		goto busy;
	if ((rc = replica_have(db, from, inc, &have)))
		goto poison;
	before = have;
	for (i = 0; i < n; i++) {
		if (ops[i].seq <= have) {
			skipped++;
			continue;
		}
		if (ops[i].seq > have + 1) {
			gap = i;
			expected = have + 1;
			break;
		}
		rc = replica_take(db, &ops[i], c->role, &sseq[i]);
		if (rc < 0)
			goto poison;
		have = ops[i].seq;
		if (rc == 2) {
			cJSON *rf = cJSON_CreateObject();
			const char *code = replica_refusal(db);
			cJSON_AddStringToObject(rf, "seq", i64s(ops[i].seq, buf));
			cJSON_AddStringToObject(rf, "code", code);
			cJSON_AddStringToObject(rf, "message", db_errmsg(db));
			cJSON_AddItemToArray(refused, rf);
			server_log(SLOG_WARN, "refused %s/%s/%" PRId64 " (%s) from %s: "
				   "%s: %s", ops[i].station, ops[i].incarnation, ops[i].seq,
				   ops[i].kind, c->peer, code, db_errmsg(db));
			nref++;
		} else {
			taken++;
		}
		rc = 0;
	}
	/* The ack, the gap and the relay wait for the commit (on_commit). */
	if (!(p = calloc(1, sizeof *p)) || !(ack = cJSON_CreateObject())) {
		free(p);
		rc = DD_E_NOMEM;
		goto poison;
	}
	cJSON_AddStringToObject(ack, "type", "ack");
	cJSON_AddStringToObject(ack, "incarnation", inc);
	cJSON_AddStringToObject(ack, "upto", i64s(have, buf));
	cJSON_AddItemToObject(ack, "refused", refused);
	refused = NULL;
	p->c = c;
	p->conn_id = c->id;
	p->frame = c->fr.count;
	p->ack = ack;
	ack = NULL;
	if (gap >= 0) {
		snprintf(p->gap_field, sizeof p->gap_field, "ops[%d].seq", gap);
		snprintf(p->gap, sizeof p->gap, "expected seq %" PRId64 ", got %"
			 PRId64 "; the rest of the frame was not looked at",
			 expected, ops[gap].seq);
	}
	p->ops = ops;
	p->sseq = sseq;
	p->n = n;
	p->nops = nops;
	snprintf(p->station, sizeof p->station, "%s", from);
	snprintf(p->inc, sizeof p->inc, "%s", inc);
	p->before = before;
	ops = NULL;
	sseq = NULL;
	nops = 0;
	*r->pend_tail = p;
	r->pend_tail = &p->next;
	server_log(SLOG_DEBUG, "push from %s: %d operations, %d taken, %d "
		   "refused, %d already held%s; upto %" PRId64, who(c), n, taken,
		   nref, skipped, gap >= 0 ? ", then a gap" : "", have);
	goto out;
poison:
	/* A database error spoils the turn's transaction: every push in it
	 * is rolled back at the commit and told to try again. */
	r->txn_rc = rc;
busy:
	server_log(SLOG_ERROR, "push from %s not taken: %s", who(c),
		   rc ? db_why(db, rc)
		   : "out of memory");
	conn_error(c, "busy", rc == DD_E_DISK_FULL ? "the server's disk is full; "
		   "try again later" : "the server cannot take this frame now; try "
		   "again later", c->fr.count, NULL, 0);
out:
	for (i = 0; i < nops; i++)
		op_clear(&ops[i]);
	free(ops);
	free(sseq);
	cJSON_Delete(refused);
	cJSON_Delete(ack);
}

static int
conn_alive(struct server *srv, struct conn *c, uint64_t id)
{
	struct conn *d;

	for (d = srv->conns; d; d = d->next)
		if (d == c && d->id == id)
			return d->state != C_CLOSING;
	return 0;
}

static void
pending_free(struct pending *p)
{
	int i;

	for (i = 0; i < p->nops; i++)
		op_clear(&p->ops[i]);
	free(p->ops);
	free(p->sseq);
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
			relay(srv, r, alive ? p->c : NULL, p->ops, p->sseq, p->n);
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

static void server_stop(struct server *srv);

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
static void
on_commit(uv_check_t *h)
{
	struct server *srv = h->data;
	struct realm *r;

	if (srv->fatal)
		return;
	for (r = srv->realms; r; r = r->next)
		if (r->txn && !r->syncing)
			realm_commit(r);
}

static void
on_pull(struct conn *c, const cJSON *m)
{
	int64_t after = 0;

	if (c->state != C_READY) {
		conn_error(c, "order", "pull before authentication", c->fr.count,
			   "type", 1);
		return;
	}
	msg_i64(m, "after", &after);
	server_log(SLOG_DEBUG, "%s pulls after %" PRId64, who(c), after);
	/* Nothing more is read from this peer until it is caught up. */
	c->cursor = after;
	c->live = 0;
	c->paused = 1;
	conn_read_stop(c);
	catchup_step(c);
}

static void
conn_frame(struct conn *c, const char *frame, size_t n)
{
	char why[300], now_s[24];
	cJSON *m = NULL, *r;
	int t = msg_parse(frame, n, &m, why, sizeof why);

	if (t < 0) {
		conn_bad_frame(c, why);
		return;
	}
	switch (t) {
	case MSG_HELLO:
		on_hello(c, m);
		break;
	case MSG_AUTH:
		on_auth(c, m);
		break;
	case MSG_PUSH:
		on_push(c, m);
		break;
	case MSG_PULL:
		on_pull(c, m);
		break;
	case MSG_PING:
		r = cJSON_CreateObject();
		cJSON_AddStringToObject(r, "type", "pong");
		cJSON_AddStringToObject(r, "now", i64s(wall_ms(), now_s));
		conn_send(c, r, THEN_NOTHING);
		cJSON_Delete(r);
		break;
	case MSG_PONG:
		break;
	case MSG_ERROR:
		server_log(SLOG_WARN, "%s says %.40s: %.200s; closing", who(c),
			   sget(m, "code"), sget(m, "message"));
		conn_finish(c);
		break;
	default:
		snprintf(why, sizeof why, "a station does not send %s",
			 msg_type_name(t));
		conn_error(c, "order", why, c->fr.count, "type", 1);
		break;
	}
	cJSON_Delete(m);
}

/* Cut and handle every whole frame received, unless a catch-up holds
 * the connection. */
static void
conn_process(struct conn *c)
{
	char *frame, why[80];
	size_t n;
	int r;

	while (c->state != C_CLOSING && !c->paused) {
		/* A held realm (its checkpoint's tail): nothing is taken or
		 * read until the round ends (realm_release). */
		if (c->realm && c->realm->hold) {
			c->held = 1;
			conn_read_stop(c);
			break;
		}
		if ((r = frame_next(&c->fr, &frame, &n)) == 0)
			break;
		if (r < 0) {
			snprintf(why, sizeof why, "a frame over %zu bytes", c->fr.limit);
			conn_error(c, "too_large", why, c->fr.count, NULL, 1);
			break;
		}
		conn_frame(c, frame, n);
	}
}

/* ---- reading ---- */

static void
on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
	struct conn *c = h->data;

	(void)size;
	/* One buffer for everyone: each read is copied into its
	 * connection's framer before the next one. */
	*buf = uv_buf_init(c->srv->rbuf, sizeof c->srv->rbuf);
}

static void
on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
	struct conn *c = s->data;
	char why[80];

	if (n == 0)
		return;
	if (n < 0) {
		c->eof = 1;
		conn_read_stop(c);
		if (n != UV_EOF) {
			server_log(SLOG_DEBUG, "read from %s: %s", who(c), uv_strerror(n));
			conn_close(c);
		} else if (c->state == C_CLOSING) {
			if (!c->shut_started || c->shut_done)
				conn_close(c);
		} else {
			server_log(SLOG_DEBUG, "%s closed its side", who(c));
			conn_finish(c);
		}
		return;
	}
	c->t_recv = uv_now(&c->srv->loop);
	if (c->state == C_CLOSING)
		return;
	if (frame_feed(&c->fr, buf->base, (size_t)n) < 0) {
		snprintf(why, sizeof why, "more than %zu bytes without a newline",
			 c->fr.limit);
		conn_error(c, "too_large", why, c->fr.count + 1, NULL, 1);
		return;
	}
	conn_process(c);
}

/* ---- accepting ---- */

static void
peer_name(uv_tcp_t *t, char *out, size_t n)
{
	struct sockaddr_storage ss;
	int len = sizeof ss;
	char host[INET6_ADDRSTRLEN] = "?";
	int port = 0;

	snprintf(out, n, "?");
	if (uv_tcp_getpeername(t, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		uv_ip4_name(a, host, sizeof host);
		port = ntohs(a->sin_port);
		snprintf(out, n, "%s:%d", host, port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		uv_ip6_name(a, host, sizeof host);
		port = ntohs(a->sin6_port);
		snprintf(out, n, "[%s]:%d", host, port);
	}
}

static void
on_connection(uv_stream_t *l, int status)
{
	struct server *srv = l->data;
	struct conn *c;
	uint64_t now = uv_now(&srv->loop);

	if (status < 0) {
		server_log(SLOG_WARN, "accept: %s", uv_strerror(status));
		return;
	}
	if (!(c = calloc(1, sizeof *c))) {
		server_log(SLOG_ERROR, "accept: out of memory");
		return;
	}
	c->srv = srv;
	c->id = ++srv->next_id;
	if (uv_tcp_init(&srv->loop, &c->tcp) != 0) {
		free(c);
		return;
	}
	c->tcp.data = c;
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nhandles++;
	frame_init(&c->fr, FRAME_MAX_HELLO);
	c->t_start = c->t_recv = c->t_send = now;
	if ((status = uv_accept(l, (uv_stream_t *)&c->tcp)) != 0) {
		server_log(SLOG_WARN, "accept: %s", uv_strerror(status));
		conn_close(c);
		return;
	}
	peer_name(&c->tcp, c->peer, sizeof c->peer);
	uv_tcp_nodelay(&c->tcp, 1);
	uv_tcp_keepalive(&c->tcp, 1, 60);
	if (srv->stopping) {
		conn_close(c);
		return;
	}
	if (srv->nconn >= srv->o->max_conn) {
		/* Say why, unless even the rejected are too many. */
		if (srv->nhandles > srv->o->max_conn + 64) {
			conn_close(c);
			return;
		}
		server_log(SLOG_WARN, "connection from %s refused: %d connections "
			   "already", c->peer, srv->nconn);
		conn_error(c, "busy", "too many connections; try again later", 0,
			   NULL, 1);
		return;
	}
	c->counted = 1;
	srv->nconn++;
	c->state = C_HELLO;
	server_log(SLOG_INFO, "connect %s", who(c));
	conn_read_start(c);
}

/* ---- timeouts and stopping ---- */

static void
on_sweep(uv_timer_t *t)
{
	struct server *srv = t->data;
	uint64_t now = uv_now(&srv->loop);
	uint64_t handshake_ms = srv->o->handshake_ms > 0
		? (uint64_t)srv->o->handshake_ms : SYNC_HANDSHAKE_MS;
	uint64_t idle_ms = srv->o->idle_ms > 0 ? (uint64_t)srv->o->idle_ms
		: SYNC_IDLE_MS;
	uint64_t ping_ms = idle_ms / 3 < SYNC_PING_MS ? idle_ms / 3
		: SYNC_PING_MS;
	struct conn *c;
	cJSON *m;

	for (c = srv->conns; c; c = c->next) {
		if (uv_is_closing((uv_handle_t *)&c->tcp))
			continue;
		if (c->state == C_CLOSING) {
			if (now >= c->t_linger || (srv->stopping && now >= srv->stop_at))
				conn_close(c);
		} else if (c->state != C_READY) {
			if (now - c->t_start >= handshake_ms) {
				server_log(SLOG_INFO, "%s: no handshake in %d s; closing",
					   who(c), (int)(handshake_ms / 1000));
				conn_finish(c);
			}
		} else if (now - c->t_recv >= idle_ms) {
			server_log(SLOG_INFO, "%s: nothing received for %d s; closing",
				   who(c), (int)(idle_ms / 1000));
			conn_finish(c);
		} else if (now - c->t_send >= ping_ms) {
			m = cJSON_CreateObject();
			cJSON_AddStringToObject(m, "type", "ping");
			conn_send(c, m, THEN_NOTHING);
			cJSON_Delete(m);
		}
	}
	realms_close_idle(srv);
}

static void
close_handle(uv_handle_t *h)
{
	if (h->type != UV_UNKNOWN_HANDLE && !uv_is_closing(h))
		uv_close(h, NULL);
}

/* Every connection is gone: close what is left so the loop ends. */
static void
server_finish(struct server *srv)
{
	if (srv->finished)
		return;
	srv->finished = 1;
	close_handle((uv_handle_t *)&srv->commit);
	close_handle((uv_handle_t *)&srv->sweep);
	close_handle((uv_handle_t *)&srv->sigterm);
	close_handle((uv_handle_t *)&srv->sigint);
	close_handle((uv_handle_t *)&srv->listener);
}

static void
server_stop(struct server *srv)
{
	struct conn *c;

	srv->stopping = 1;
	srv->stop_at = uv_now(&srv->loop) + STOP_MS;
	close_handle((uv_handle_t *)&srv->listener);
	for (c = srv->conns; c; c = c->next)
		conn_finish(c);
	if (!srv->conns)
		server_finish(srv);
}

static void
on_signal(uv_signal_t *h, int signum)
{
	struct server *srv = h->data;
	struct conn *c;

	if (srv->stopping) {
		/* Asked twice: do not wait for slow peers. */
		for (c = srv->conns; c; c = c->next)
			conn_close(c);
		return;
	}
	server_log(SLOG_INFO, "%s: stopping", strsignal(signum));
	server_stop(srv);
}

/* ---- starting ---- */

/* HOST:PORT or [V6]:PORT to an address; 0, EXIT_USAGE or EXIT_ENV. */
static int
listen_addr(const char *s, struct sockaddr_storage *ss, char *why, size_t w)
{
	char host[256];
	const char *colon, *port;
	struct addrinfo hints, *ai = NULL;
	char *end;
	long p;
	int rc;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof host)
			goto usage;
		memcpy(host, s + 1, (size_t)(close - s - 1));
		host[close - s - 1] = 0;
		port = close + 2;
	} else {
		if (!(colon = strrchr(s, ':')) || (size_t)(colon - s) >= sizeof host)
			goto usage;
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = 0;
		port = colon + 1;
	}
	errno = 0;
	p = strtol(port, &end, 10);
	if (!*port || *end || errno || p < 0 || p > 65535)
		goto usage;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host[0] && strcmp(host, "*") ? host : NULL, port,
			      &hints, &ai)) != 0 || !ai) {
		snprintf(why, w, "cannot listen on %s: %s", s, gai_strerror(rc));
		return EXIT_ENV;
	}
	memset(ss, 0, sizeof *ss);
	memcpy(ss, ai->ai_addr, ai->ai_addrlen < sizeof *ss ? ai->ai_addrlen
							    : sizeof *ss);
	freeaddrinfo(ai);
	return 0;
usage:
	snprintf(why, w, "--listen %s: expected HOST:PORT", s);
	return EXIT_USAGE;
}

/* Room for every connection's socket and the database files. */
static void
raise_nofile(int max_conn)
{
	struct rlimit rl;
	/* A realm holds its database and WAL twice (the loop's connection
	 * and the checkpoints'), the WAL once more for its syncs, and the
	 * shared memory: 8 is room enough. */
	rlim_t want = (rlim_t)max_conn + 64 + 8 * SERVER_MAX_REALMS;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want
		: rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

int
server_run(const struct server_opts *o)
{
	struct sockaddr_storage ss;
	struct server *srv;
	struct realm *live;
	char why[300], name[80] = "?";
	int rc, ex = EXIT_OK, len, missing;

	if (!(srv = calloc(1, sizeof *srv))) {
		server_log(SLOG_ERROR, "out of memory");
		return EXIT_ENV;
	}
	srv->o = o;
	/* The syncs of every realm and one checkpoint round share libuv's
	 * worker threads (read when the first work is queued). */
	setenv("UV_THREADPOOL_SIZE", "8", 0);
	if ((ex = listen_addr(o->listen, &ss, why, sizeof why))) {
		server_log(SLOG_ERROR, "%s", why);
		free(srv);
		return ex;
	}
	raise_nofile(o->max_conn);
	if ((rc = uv_loop_init(&srv->loop))) {
		server_log(SLOG_ERROR, "cannot start the event loop: %s",
			   uv_strerror(rc));
		free(srv);
		return EXIT_ENV;
	}
	if (!(live = realm_get(srv, "live", 1, &missing))) {
		ex = EXIT_ENV;
		goto out;
	}
	uv_tcp_init(&srv->loop, &srv->listener);
	srv->listener.data = srv;
	if ((rc = uv_tcp_bind(&srv->listener, (struct sockaddr *)&ss, 0)) ||
	    (rc = uv_listen((uv_stream_t *)&srv->listener, SERVER_BACKLOG,
			    on_connection))) {
		server_log(SLOG_ERROR, "cannot listen on %s: %s", o->listen,
			   uv_strerror(rc));
		ex = EXIT_ENV;
		goto out;
	}
	len = sizeof ss;
	if (uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&ss, &len) == 0) {
		char host[INET6_ADDRSTRLEN] = "?";
		if (ss.ss_family == AF_INET6) {
			uv_ip6_name((struct sockaddr_in6 *)&ss, host, sizeof host);
			snprintf(name, sizeof name, "[%s]:%d", host,
				 ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
		} else {
			uv_ip4_name((struct sockaddr_in *)&ss, host, sizeof host);
			snprintf(name, sizeof name, "%s:%d", host,
				 ntohs(((struct sockaddr_in *)&ss)->sin_port));
		}
	}
	uv_check_init(&srv->loop, &srv->commit);
	srv->commit.data = srv;
	uv_check_start(&srv->commit, on_commit);
	uv_timer_init(&srv->loop, &srv->sweep);
	srv->sweep.data = srv;
	uv_timer_start(&srv->sweep, on_sweep, SWEEP_MS, SWEEP_MS);
	uv_signal_init(&srv->loop, &srv->sigterm);
	uv_signal_init(&srv->loop, &srv->sigint);
	srv->sigterm.data = srv->sigint.data = srv;
	uv_signal_start(&srv->sigterm, on_signal, SIGTERM);
	uv_signal_start(&srv->sigint, on_signal, SIGINT);
	server_log(SLOG_INFO, "listening on %s: live realm %s (history %s), at "
		   "most %d connections, handshake timeout %d s, idle timeout "
		   "%d s", name, o->db, live->history, o->max_conn,
		   (o->handshake_ms > 0 ? o->handshake_ms : SYNC_HANDSHAKE_MS) / 1000,
		   (o->idle_ms > 0 ? o->idle_ms : SYNC_IDLE_MS) / 1000);
	uv_run(&srv->loop, UV_RUN_DEFAULT);
	server_log(SLOG_INFO, "stopped");
	if (srv->fatal)
		ex = srv->fatal;
out:
	/* Whatever was opened is closed, so the loop can be closed too. */
	server_finish(srv);
	uv_run(&srv->loop, UV_RUN_DEFAULT);
	realms_close(srv);
	if ((rc = uv_loop_close(&srv->loop)) != 0) {
		server_log(SLOG_ERROR, "event loop not closed: %s", uv_strerror(rc));
		if (ex == EXIT_OK)
			ex = EXIT_ENV;
	}
	free(srv);
	return ex;
}
