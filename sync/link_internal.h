/*
 * link_internal.h - what the files of the station's link share, and
 * nobody else: the link and its connection, and the functions one file
 * calls in another. The door is sync/client.h; the protocol is
 * sync/PROTOCOL.md.
 *
 *   link.c        the link: lock, settings, note file, outbox, applying
 *                 what came in, the one-second beat, open/poke/close
 *   link_conn.c   the connection: resolve, connect, read, write, drop,
 *                 retry with a jittered backoff, handshake and idle timers
 *   link_proto.c  the frames: hello, challenge, welcome, push, ack, ops,
 *                 live, ping and error, and their dispatch
 *   link_once.c   one sync for scripts and tests (link_sync_once)
 *
 * Lifetimes. The link owns three handles (a one-second timer, a retry
 * timer and an idle handle that does the work in slices) and counts them
 * with every outstanding request in refs; it is freed when link_close()
 * has been called and refs falls to zero. Each connection is a struct
 * link_conn of its own, freed in its close callback; a connection the
 * link has given up is detached (conn->link = NULL), so a late callback
 * of it finds nobody to talk to.
 */
#ifndef DUTYDESK_SYNC_LINK_INTERNAL_H
#define DUTYDESK_SYNC_LINK_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "sync/client.h"
#include "sync/sync.h"

enum link_phase { LINK_PH_IDLE, LINK_PH_RESOLVE, LINK_PH_CONNECT,
		  LINK_PH_HELLO, LINK_PH_AUTH, LINK_PH_SYNC };

/* One TCP connection to the server. */
struct link_conn {
	uv_tcp_t tcp;
	uv_connect_t creq;
	struct link *link;      /* NULL once detached */
	struct framer fr;
	size_t queued;          /* bytes handed to uv_write, not yet done */
	int reading;
	char rbuf[64 * 1024];
};

/* An operation received and not yet applied. */
struct link_pend {
	struct op op;
	int64_t sseq;
};

/* What link_sync_once() wants back. */
struct link_once {
	int done, rc;
	char msg[256];
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
	unsigned char key[SYNC_KEY_BYTES];
	char host[256], port[8];
	struct station_info si;

	uv_timer_t beat, retry;
	uv_idle_t work;
	int refs;
	int closing;

	struct link_conn *conn;
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
	char message[160];
	char stop_server[256], stop_key[SYNC_HEX]; /* settings that stopped */

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
