/*
 * internal.h - what the files of sync/ share and nothing outside reads:
 * the wire rules written once for both ends (msg.c); the county
 * server's state and the functions its files call across (server.c,
 * server_conn.c, server_proto.c, server_realm.c); and the station's
 * link:
 *
 *   link.c        the link: lock, settings, note file, outbox, applying
 *                 what came in, the one-second beat, open/poke/close
 *   link_conn.c   the connection: resolve, connect, read, write, drop,
 *                 retry with a jittered backoff, handshake and idle timers
 *   link_proto.c  the frames: hello, challenge, welcome, push, ack, ops,
 *                 live, ping and error, and their dispatch
 *   link_hold.c   what is held back for the server's upgrade: the kinds
 *                 it knows, and the walk of the outbox that holds
 *   link_once.c   one sync for scripts and tests (link_sync_once)
 */
#ifndef DUTYDESK_SYNC_INTERNAL_H
#define DUTYDESK_SYNC_INTERNAL_H

#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>
#include <uv.h>

#include "sync/sync.h"
#include "sync/tls.h"

/* ---- wire rules, one copy for the station and the server (msg.c) ---- */

/* The wall clock, in milliseconds (core's clock_real). */
static inline int64_t
sync_now_ms(void)
{
	return clock_real.now_ms(clock_real.ctx);
}

/* A 64-bit value as it travels: its decimal digits, in buf. */
static inline char *
msg_i64_text(int64_t v, char buf[24])
{
	snprintf(buf, 24, "%" PRId64, v);
	return buf;
}

/* Add a 64-bit member to a message, as it travels. */
static inline void
msg_add_i64(cJSON *m, const char *k, int64_t v)
{
	char buf[24];

	cJSON_AddStringToObject(m, k, msg_i64_text(v, buf));
}

/* Add a time (seconds since the epoch) as ISO 8601 UTC, or null when
 * there is none (t <= 0): how the administrator's views give times. */
static inline void
msg_add_time(cJSON *m, const char *k, int64_t t)
{
	char iso[21];

	if (t <= 0) {
		cJSON_AddNullToObject(m, k);
		return;
	}
	time_format_iso(t, iso);
	cJSON_AddStringToObject(m, k, iso);
}

/* Check one operation of a frame, whole, before anything uses it, and
 * read it. o is member i of the frame's "ops". It must be an object of
 * exactly the members of an operation (station, incarnation, seq, hlc,
 * realm, officer, kind, entity, body), and "sseq" too when with_sseq
 * (an ops frame from the server; never in a push), each once: body an
 * object, the rest strings, seq, hlc and sseq decimal digit strings,
 * sseq above 0, every string short enough for struct op; and, when
 * realm is not NULL, of that realm.
 * Returns 0 with *op filled (its body a copy: op_clear() it) and, when
 * with_sseq, *sseq set. Else -1 with field set to "ops[I]" or
 * "ops[I].MEMBER" and why to "field FIELD: what is wrong"; *op holds
 * nothing to free. */
int msg_op_parse(const cJSON *o, int i, int with_sseq, const char *realm,
		 struct op *op, int64_t *sseq, char *field, size_t fn,
		 char *why, size_t wn);

/* Whether s is a plausible operation kind name as a welcome lists
 * them: 1 to 31 bytes, dot-separated parts of a-z, 0-9 and '_', each
 * beginning with a letter ("log.add", "supply_kind.put"). */
int msg_kind_ok(const char *s);
/* Check a welcome's kinds whole (protocol 2; kinds is NULL when the
 * member is missing): an array of at most SYNC_KINDS_MAX strings, each
 * msg_kind_ok, none twice. 0, or -1 with field set to "kinds" or
 * "kinds[I]" and why to "field FIELD: what is wrong". */
int msg_kinds_check(const cJSON *kinds, char *field, size_t fn, char *why,
		    size_t wn);

/* Read "HOST:PORT" as typed on a command line or in the link settings,
 * by the strictest rules either end had: a host of 1 to 253 bytes
 * without spaces, control characters, '/', '[' or ']'; an IPv6 address
 * (a host with ':') only between brackets, "[::1]:7441"; a port of 1
 * to 5 decimal digits, 1..65535. What the host means ("*" for every
 * address when listening) is the caller's. 0 with host (without its
 * brackets) and port (its digits, without leading zeros) set, or -1
 * when s does not read so or the host does not fit in hn (port needs
 * 6 bytes). */
int msg_hostport(const char *s, char *host, size_t hn, char *port, size_t pn);

/* An operation as it travels, printed unformatted: its members in the
 * order msg_op_parse names them, then "sseq" when sseq > 0 (the server's
 * ops frames; a push carries none). Allocated (caller frees) with *n
 * its length, or NULL when out of memory. */
char *msg_op_text(const struct op *op, int64_t sseq, size_t *n);

/* A push or ops frame built from operations' texts, at most SYNC_BATCH
 * operations and FRAME_MAX bytes. */
struct msg_ops {
	char *buf;
	size_t len, cap;
	int n;            /* operations in it */
	int oom;          /* an allocation failed: finish says NULL */
};

/* Start a frame of type "push" or "ops". */
void msg_ops_start(struct msg_ops *f, const char *type);
/* Add an operation's text (msg_op_text) after a check with
 * msg_ops_fits. */
void msg_ops_add(struct msg_ops *f, const char *s, size_t n);
/* The finished frame with its '\n' (caller frees) and its length, or
 * NULL when out of memory. f is empty again either way. */
char *msg_ops_finish(struct msg_ops *f, size_t *n);
/* Whether an operation text of n bytes goes in f: 1 it fits; 0 f is
 * full (SYNC_BATCH operations, or FRAME_MAX bytes with it): finish f
 * and start another. An empty frame takes any operation, and says -1
 * when it alone is over FRAME_MAX: a peer will refuse that frame
 * (too_large), so a station does not send it; the server sends what it
 * holds and logs it. */
static inline int
msg_ops_fits(const struct msg_ops *f, size_t n)
{
	if (f->n == 0)
		return f->len + n + 2 <= FRAME_MAX ? 1 : -1;
	return f->n < SYNC_BATCH && f->len + 1 + n + 2 <= FRAME_MAX;
}

/* ---- the county server ---- */

#define SERVER_BACKLOG 1024
#define SERVER_QUEUE_MAX (8u << 20) /* bytes queued for one slow reader */
#define SERVER_MAX_REALMS 64        /* realm databases open at once */
#define SERVER_READ_BUF 65536
#define SERVER_LINGER_MS 1000       /* a closing peer's time to read our
				     * last frame */
#define SERVER_TLS_HANDSHAKES 64    /* TLS handshakes in progress at once;
				     * more are closed at accept */

/* Log levels, lowest first. */
enum { SLOG_DEBUG, SLOG_INFO, SLOG_WARN, SLOG_ERROR };

/* One line on stderr: "[time ]dutydeskd LEVEL: message". Control
 * characters (from peers) are shown as '?'. The time is left out when
 * stderr goes to the journal, which stamps lines itself. */
void server_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

enum cstate { C_HELLO, C_AUTH, C_READY, C_CLOSING };

struct server;
struct conn;

/* The operations of a push as read from its frame, with the server
 * sequence each was given (0: none: held already, or past a gap). */
struct opbatch {
	struct op *ops;
	int64_t *sseq;
	int n, nops;               /* operations in the frame, read so far */
};

static inline void
opbatch_clear(struct opbatch *b)
{
	int i;

	for (i = 0; i < b->nops; i++)
		op_clear(&b->ops[i]);
	free(b->ops);
	free(b->sseq);
	b->ops = NULL;
	b->sseq = NULL;
	b->n = b->nops = 0;
}

/* What a push waits to say until its transaction is committed. */
struct pending {
	struct pending *next;
	struct conn *c;
	uint64_t conn_id;
	uint64_t frame;
	cJSON *ack;
	char gap[200], gap_field[80];
	struct opbatch b;          /* relayed once committed */
	char station[32], inc[17];
};

/* A push checked whole that waits for its realm's write connection
 * (a commit runs on it, a checkpoint's tail holds it, a database error
 * spoilt the open group, or other pushes wait before it). Its
 * connection reads nothing more until it is taken. */
struct waiting {
	struct waiting *next;
	struct conn *c;
	uint64_t conn_id;
	struct opbatch b;
	char station[32], inc[17];
};

/* Pushes from every connection share one transaction (group commit) on
 * the realm's write connection, written by the loop as they come and
 * committed in the check phase of the loop's turn. The COMMIT, which
 * makes SQLite write and sync the log (synchronous=FULL), runs on a
 * worker thread, and until it returns the loop leaves that connection
 * alone: pushes arriving meanwhile are checked and wait, in order, for
 * the next group, which they start when the commit returns. Only then
 * does a push get its ack and are its operations relayed or served to
 * a catch-up: nothing is said about an operation before it is on disk.
 * The welcome and the catch-ups read through a connection of their own,
 * which sees only what is committed, hence synced. */
struct realm {
	struct realm *next;
	struct server *srv;
	char name[40];
	char history[17];
	struct db *db;             /* the write connection */
	struct db *rdb;            /* the loop's reads: committed data only */
	int lockfd;                /* a drill's: held while open, or -1 */
	int64_t committed;         /* highest server sequence on disk */
	int txn;                   /* the group's transaction is open */
	int txn_rc;                /* a database error in it: roll back */
	struct pending *pend, **pend_tail;  /* its pushes */
	struct waiting *wait, **wait_tail;  /* pushes for the next group */
	uv_work_t commit;          /* the group's commit on a worker */
	int committing;            /* it runs: the loop keeps off db */
	int commit_rc;             /* its outcome, read once it returns */
	int64_t commit_head;       /* the sequence it makes durable */
	int commit_ckpt_rc;        /* a checkpoint it had to run (CKPT_HARD) */
	int commit_frames;         /* the log's frames after it (the worker's) */
	int frames;                /* ...as the loop last learned them */
	struct pending *cpend;     /* the pushes waiting for that commit */
	char path[4096];
	uv_work_t ckpt;            /* the worker's round */
	struct db *ckpt_db;        /* its connection, used only there */
	int ckpt_busy, ckpt_rc;
	int ckpt_copied;           /* WAL frames the round left copied */
	int ckpt_tail;             /* the round runs with the realm held */
	int ckpt_next;             /* no round before the WAL is this long */
	int hold;                  /* no push is taken until it ends */
	char ckpt_err[300];
	/* The projection (realm_project): the state tables brought up to
	 * the log on a worker, in transactions of their own. */
	uv_work_t proj;
	int projecting;            /* it runs: the loop keeps off db */
	int proj_rc, proj_frames;  /* its outcome (the worker's) */
	int proj_limit;
	int64_t proj_upto;
	int64_t projected;         /* the last server sequence in the state */
	uint64_t lag_since;        /* uv_now when it fell behind, or 0 */
	uint64_t active_at;        /* uv_now of the last group or push */
	uint64_t proj_retry_at;    /* after a failed projection */
	int lag_warned;            /* more than PROJ_WARN_MS behind, said */
	/* What the status file (server_status.c) last saw of the realm:
	 * its head, and when (wall clock, ms) the log last grew while the
	 * server had it open (0: not yet). */
	int st_seen;
	int64_t st_head, st_commit_ms;
};

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
	unsigned waiting : 1;      /* a push waits for its realm: no reading */
	unsigned live : 1;         /* caught up: gets relays */
	unsigned known : 1;        /* the hello's station has a key */
	unsigned tls_port : 1;     /* accepted on the TLS listener */
	unsigned sniffed : 1;      /* its first byte was looked at */
	unsigned hs_counted : 1;   /* counts as a TLS handshake in progress */
	uint64_t id;
	struct tls_conn *tls;      /* the TLS session (NULL: plain) */
	/* What the proofs of protocol 2 cover: the TLS exporter as 64 hex
	 * digits, or AUTH_BINDING_PLAIN on a plain connection. */
	char binding[SYNC_HEX];
	int version;               /* the protocol the hello asked for */
	uint64_t t_start, t_recv, t_send, t_linger;
	char peer[64];
	char station[32], incarnation[17], realm_name[40];
	char nonce[SYNC_HEX];      /* the station's */
	char snonce[SYNC_HEX];     /* ours */
	unsigned char key[SYNC_KEY_BYTES];
	int role;
	struct realm *realm;
	int64_t cursor;            /* catch-up: last server sequence sent */
	/* For the status file, wall clock in ms (0: never): the last push
	 * taken into a group and the upto its ack says, the last pull, and
	 * when the catch-up that followed it ended (live). */
	int64_t push_ms, push_upto, pull_ms, live_ms;
};

/* The status file beside the live database, FILE.status: what only
 * the running server knows (its stations, each realm's projection and
 * last commit), for `dutydeskd status` (server_status.c). */
struct server_status {
	char path[4200];           /* "": none (a path too long) */
	uint64_t tried_at;         /* uv_now of the last write, 0: none */
	int64_t offset;            /* wall clock less uv_now, in ms */
	char *last;                /* what it said then, less its time */
	int wrote;                 /* the file is ours: removed at a stop */
	int failing;               /* a write failed: said once */
};

struct server {
	uv_loop_t loop;
	uv_tcp_t listener;         /* TLS when tls is set, else plain */
	uv_tcp_t listener_plain;   /* --listen-insecure beside it */
	struct tls_ctx *tls;       /* NULL: the listener is plain */
	int handshakes;            /* TLS handshakes in progress */
	int hs_refused;            /* closed at accept over the cap since
				    * the last sweep said so */
	uv_timer_t sweep;
	uv_timer_t project;        /* wakes realm_project_turn */
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
	int64_t started_ms;        /* wall clock at the start */
	char listen_name[80];      /* the address listened on, as bound */
	struct server_status status;
	char rbuf[SERVER_READ_BUF];
};

/* The sweep's part for the status file: note each realm's last
 * commit, and rewrite the file when it changed (at most once a second)
 * or has not been written for a while. Small: the loop runs it. */
void status_sweep(struct server *srv);
/* The server stops: its status file goes. */
void status_remove(struct server *srv);

/* Stop: no more connections, every one finished (server.c). */
void server_stop(struct server *srv);
/* Every connection is gone: close what is left so the loop ends. */
void server_finish(struct server *srv);

/* ---- connections (server_conn.c) ---- */

/* A frame to send, shared by every connection it is relayed to. */
struct wbuf {
	unsigned refs;
	size_t len;
	char *data;
};

/* What to do once a write is out. */
enum { THEN_NOTHING, THEN_CATCHUP, THEN_RESUME };

/* A buffer of one reference around data (taken), or NULL (data freed)
 * when data is NULL or memory is short. */
static inline struct wbuf *
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

static inline void
wbuf_unref(struct wbuf **b)
{
	if (*b && --(*b)->refs == 0) {
		free((*b)->data);
		free(*b);
	}
	*b = NULL;
}

/* Who c is, for the log: "#ID STATION/REALM from PEER" (a static
 * buffer, valid until the next call). */
const char *conn_who(const struct conn *c);
/* Start reading from c (and its framer's frames), or stop. */
void conn_read_start(struct conn *c);
void conn_read_stop(struct conn *c);
/* Cut and handle every whole frame received, unless a catch-up or a
 * push waiting for its realm's next group keeps the connection
 * waiting. */
void conn_process(struct conn *c);
/* Queue b for c (b keeps its own reference), then do what then says.
 * -1 when c is gone or was dropped for reading too slowly. */
int conn_write(struct conn *c, struct wbuf *b, int then);
/* Send a message. */
int conn_send(struct conn *c, const cJSON *m, int then);
/* Answer an error frame and close gracefully (close), or go on (gap,
 * busy). The message names the frame; the field goes in its own member
 * too. */
void conn_error(struct conn *c, const char *code, const char *message,
		uint64_t frame, const char *field, int close);
/* Answer bad_frame for a frame msg_parse refused, and close: why
 * "field NAME: ..." names the field. */
void conn_bad_frame(struct conn *c, const char *why);
/* Close gracefully: what is queued is sent, then a FIN, then we wait
 * briefly for the peer to close. */
void conn_finish(struct conn *c);
/* Close now: pending writes are cancelled. */
void conn_close(struct conn *c);
/* Whether connection c of id is still there and not closing. */
static inline int
conn_alive(const struct server *srv, const struct conn *c, uint64_t id)
{
	const struct conn *d;

	for (d = srv->conns; d; d = d->next)
		if (d == c && d->id == id)
			return d->state != C_CLOSING;
	return 0;
}

/* ---- the protocol (server_proto.c) ---- */

/* Handle one whole frame from c. */
void proto_frame(struct conn *c, const char *frame, size_t n);
/* Send c the next batch of its catch-up (after the last one is out). */
void proto_catchup(struct conn *c);
/* Relay committed operations of realm r to its live connections other
 * than from (which may be gone: NULL). */
void proto_relay(struct server *srv, struct realm *r, struct conn *from,
		 const struct opbatch *b);
/* Take a waiting push of c (b, taken over) into its realm's open
 * group, as on_push takes one that need not wait. */
void proto_push_take(struct conn *c, struct opbatch *b);

/* ---- realms (server_realm.c) ---- */

/* The realm name, open or opened now; NULL on error. A realm whose
 * database does not exist yet is made only when create says so; else
 * NULL with *missing 1. A new drill realm past --max-realms is not
 * made: NULL with *missing 2. */
struct realm *realm_get(struct server *srv, const char *name, int create,
			int *missing);
/* While the server has a realm's database (at path) open it holds a
 * lock on PATH.lock, so that no one removes a drill's from under it and
 * no second server or export writes one it serves (server_disk.c).
 * Take it: 0 with *fd the lock, DD_E_REFUSED when another process holds
 * it, DD_E_IO when the file cannot be made; why says which.
 * server_realm_unlock releases it and sets *fd to -1. */
int server_realm_lock(const char *path, const char *realm, int *fd,
		      char *why, size_t w);
void server_realm_unlock(int *fd);
/* Close the drill realms nobody uses now, or every realm at the end. */
void realm_close_idle(struct server *srv);
void realm_close_all(struct server *srv);
/* The loop's check phase: commit each realm's open transaction. */
void realm_commit_turn(struct server *srv);
/* Whether a push may be taken into the realm's group now; if not, it
 * waits (realm_wait). */
static inline int
realm_can_take(const struct realm *r)
{
	return !r->committing && !r->projecting && !r->hold && !r->txn_rc &&
	       !r->wait;
}
/* Queue a push's answer until its transaction is on disk. */
static inline void
realm_pend(struct realm *r, struct pending *p)
{
	*r->pend_tail = p;
	r->pend_tail = &p->next;
}
/* Let c's push (b, taken over) wait for the next group; c reads
 * nothing more until it is taken. 0, or -1 when out of memory. */
int realm_wait(struct realm *r, struct conn *c, struct opbatch *b,
	       const char *station, const char *inc);

/* ---- the station's link (link.c, link_conn.c, link_proto.c,
 *      link_once.c) ---- */

/* The link owns three handles (a one-second timer, a retry timer and an
 * idle handle that does the work in slices) and counts them with every
 * outstanding request in refs; it is freed when link_close() has been
 * called and refs falls to zero. Each connection is a struct link_conn
 * of its own, freed in its close callback; a connection the link has
 * given up is detached (conn->link = NULL), so a late callback of it
 * finds nobody to talk to. */

enum link_phase { LINK_PH_IDLE, LINK_PH_RESOLVE, LINK_PH_CONNECT,
		  LINK_PH_TLS, LINK_PH_HELLO, LINK_PH_AUTH, LINK_PH_SYNC };

/* One TCP connection to the server. */
struct link_conn {
	uv_tcp_t tcp;
	uv_connect_t creq;
	struct link *link;      /* NULL once detached */
	struct framer fr;
	size_t queued;          /* bytes handed to uv_write, not yet done */
	int reading;
	struct tls_conn *tls;   /* the TLS session (NULL: plain) */
	char rbuf[64 * 1024];
	char pbuf[16 * 1024];   /* plaintext out of the TLS session */
};

/* An operation received and not yet applied. */
struct link_pend {
	struct op op;
	int64_t sseq;
};

/* The operation kinds a server knows, as its last welcome listed them
 * (link_hold.c). */
struct kindset {
	int known;              /* a welcome (or the note) gave them */
	int missing;            /* a kind this build makes is not among them */
	int n;
	char name[SYNC_KINDS_MAX][32];
};

/* A walk of the outbox in sequence order that holds back, in each
 * incarnation, the first operation of a kind the server does not know
 * and every one after it (sequence numbers arrive in order). */
#define HOLD_INCS 64
struct hold {
	const struct kindset *ks;
	int n;
	char inc[HOLD_INCS][17]; /* the incarnations held from here on */
	int64_t count;           /* operations held so far */
	char first[32];          /* the kind of the first held */
};

/* What link_sync_once() wants back. */
struct link_once {
	int done, rc;
	char msg[400];
};

struct link {
	uv_loop_t *loop;
	struct db *db;
	char dbpath[4096];
	int lockfd;             /* DBPATH.link, or -1 */
	int locked;             /* we hold the lock */
	void (*on_change)(void *ctx);
	void *ctx;
	struct link_once *once; /* link_sync_once: no reconnection */

	/* the settings, read again before each connection */
	char server[256], key_hex[SYNC_HEX];
	char pin[LINK_PIN_MAX];           /* the server's pin, or LINK_PIN_INSECURE */
	char pin_next[LINK_PIN_MAX];      /* the next one it announced, or "" */
	int no_pin;             /* the settings hold no pin */
	unsigned char key[SYNC_KEY_BYTES];
	char host[256], port[8];
	struct station_info si;

	uv_timer_t beat, retry;
	uv_idle_t work;
	int refs;
	int closing;

	struct link_conn *conn;
	struct tls_ctx *tls;    /* made at the first TLS connection */
	/* What the proofs cover: this session's TLS exporter as 64 hex
	 * digits, or AUTH_BINDING_PLAIN. */
	char binding[SYNC_HEX];
	uv_getaddrinfo_t *gai;
	int reresolve;          /* settings changed while resolving */
	struct addrinfo *ai, *ai_next;
	enum link_phase phase;
	char nonce[SYNC_HEX];
	uint64_t phase_ms, last_rx, last_tx, lock_try_ms;
	int backoff_ms;
	unsigned rnd;

	int state;
	int64_t offline_since;
	char message[400];
	char stop_server[256], stop_key[SYNC_HEX]; /* settings that stopped */
	char stop_pin[LINK_PIN_MAX];

	/* the outbox */
	int64_t seq;            /* our last local sequence */
	int64_t acked_upto;     /* every operation up to here acknowledged */
	int64_t pushed_upto;    /* sent in this session */
	int64_t stranded;       /* unacknowledged, of an earlier incarnation */
	int64_t stranded_drill; /* ...of them, a county-wide drill's */
	int old_inflight;       /* the push in flight is of one of those */
	int64_t old_first;      /* ...its first sequence */
	char old_inc[17];       /* ...and this is its incarnation */
	int old_stuck;          /* the server would not take them: stop */
	struct kindset kinds;   /* what the server knows (welcome, note) */
	int64_t held;           /* held back for its upgrade (link_hold.c) */
	char held_kind[32];     /* ...the kind of the first of them */
	int server_old;         /* stopped: it does not speak our protocol */
	int push_inflight, push_wanted, outbox_more;
	int64_t data_version;

	/* what came in */
	struct link_pend *pend;
	size_t npend, pend_head, pend_cap;
	int live;
	int change_due;
	uint64_t last_change_ms;

	int64_t refused, pushed, pulled, last_sync, skew_ms;
	int skew_known;
	int64_t rejected;       /* from the server, refused by our checks */
	int64_t last_seq;       /* the welcome's last operation of ours */
	int64_t refused_now;    /* refusals seen by this process */
	char first_refusal[120];
};

/* ---- link.c ---- */

/* Make a link (link_open, or link_sync_once with once set). */
int link_new(uv_loop_t *loop, const char *dbpath, const char *officer,
	     struct link_once *once, void (*on_change)(void *), void *ctx,
	     struct link **out);
/* Set the message to show (formatted aside first: the old message may
 * be an argument). */
void link_vnote(struct link *l, const char *fmt, va_list ap);
void link_note(struct link *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Note when the link went offline (once, until it is online again). */
void link_offline(struct link *l);
/* Note what a person asks later (dutydesk status) beside the database:
 * the last sync and the server's kinds. Only the lock's holder writes. */
void link_note_write(struct link *l);
/* The kinds the last link of dbpath noted: ks->known 0 when none. */
void link_note_kinds(const char *dbpath, struct kindset *ks);
/* The settings: 1 read and valid, 0 none, -1 invalid (message set). */
int link_settings_load(struct link *l);
/* The outbox: what waits of other incarnations, and *first, the lowest
 * sequence of ours waiting (link_outbox_count); with our identity and
 * where the acknowledged prefix ends (link_outbox_scan). */
int link_outbox_count(struct link *l, int64_t *first);
int link_outbox_scan(struct link *l);
/* Our last local sequence read again (another program may have made
 * operations). */
void link_refresh_seq(struct link *l);
/* The refusals no officer has acknowledged yet, counted again. */
void link_refused_recount(struct link *l);
/* Forget the operations received and not yet applied. */
void link_pend_clear(struct link *l);
/* Everything the server has was applied: note it, maybe done. */
void link_caught_up(struct link *l);
/* Have the work (applying, pushing, telling the console) run. */
void link_work(struct link *l);
/* Free a closed link whose last handle or request has ended. */
void link_maybe_free(struct link *l);

/* ---- link_hold.c ---- */

/* The kinds of a welcome, checked whole before (msg_kinds_check). */
void kindset_set(struct kindset *ks, const cJSON *kinds);
/* ks->name[0..n) are the server's kinds: known from now on. */
void kindset_finish(struct kindset *ks);
/* Whether the server knows kind: 1, or 0. Before any welcome listed
 * kinds, every kind is known (nothing is held). */
int kindset_has(const struct kindset *ks, const char *kind);
/* Start a walk that holds back what ks does not know. */
void hold_start(struct hold *h, const struct kindset *ks);
/* The next waiting operation of incarnation inc, of kind, in sequence
 * order: 1 it is held back (counted), 0 it may go. */
int hold_op(struct hold *h, const char *inc, const char *kind);
/* Count again what the link holds back (l->held, l->held_kind): 0, or a
 * DD_E_ code reading the outbox. */
int link_held_scan(struct link *l);

/* ---- link_conn.c ---- */

/* Resolve the server and connect, unless already under way. */
void link_connect(struct link *l);
/* The connection is lost or given up: say why, try again later (a
 * one-shot sync ends). */
void link_fail(struct link *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Forget the connection and the session's state. */
void link_drop(struct link *l);
/* Something only a person can fix: no more attempts until the settings
 * change; a one-shot sync ends with rc. */
void link_stop(struct link *l, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Queue bytes, or a message (freed here), for the server: 0, or -1 with
 * the connection given up. */
int link_send_raw(struct link *l, const char *data, size_t n);
int link_send(struct link *l, cJSON *m);
/* Tell the server what was wrong with its last frame. */
void link_error(struct link *l, const char *code, const char *message,
		const char *field);
/* Stop reading while received work waits; read again when it is done. */
void link_pause(struct link *l);
void link_resume(struct link *l);
/* The beat's part for the connection: handshake and idle timeouts, and
 * a ping when nothing was sent for a while. */
void link_timeouts(struct link *l, uint64_t now);

/* ---- link_proto.c ---- */

/* The connection is up: say hello. */
void link_hello(struct link *l);
void link_ping(struct link *l);
/* One frame from the server, checked whole, then handled. */
void link_frame(struct link *l, char *f, size_t n);
/* Send the next batch of the outbox, one push in flight at a time. */
void link_push(struct link *l);

/* ---- link_once.c ---- */

/* End a one-shot sync with rc (nothing for a console's link). */
void link_finish(struct link *l, int rc);
/* End a one-shot sync when everything is pushed and pulled. */
void link_done(struct link *l);

#endif
