/*
 * sync.h - the door of the wire: framing, message checks, authentication
 * and keys (frame.c, msg.c, auth.c), the county server that dutydeskd
 * runs (server*.c), and the station's link to it (link*.c). What the
 * files share and nobody else reads is in sync/internal.h. The protocol
 * is sync/PROTOCOL.md; dutydeskd's command line is dutydeskd(8).
 * Depends on core.
 */
#ifndef DUTYDESK_SYNC_H
#define DUTYDESK_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/core.h"

/* The wire protocol this build speaks, and the oldest the server still
 * answers (sync/PROTOCOL.md, "Versions"): a station of version 1 gets
 * what it always got; one of version 2 learns in the welcome which
 * operation kinds the server knows (kinds). */
#define SYNC_VERSION 2
#define SYNC_VERSION_MIN 1
/* The most kind names a welcome lists (each 1 to 31 bytes). */
#define SYNC_KINDS_MAX 128
/* The most bytes a frame may hold, counting neither its newline nor a
 * '\r' just before it. */
#define FRAME_MAX_HELLO 4096          /* before authentication */
#define FRAME_MAX (1024 * 1024)       /* after it */
#define SYNC_BATCH 500                /* operations per push or ops frame */
#define SYNC_PING_MS 15000
#define SYNC_IDLE_MS 45000
#define SYNC_HANDSHAKE_MS 10000

/* ---- framing: one JSON object per line ---- */

/* A per-connection buffer that grows only as needed, up to the limit
 * plus what one read brings. */
struct framer {
	char *buf;
	size_t start;    /* where the frames not yet handed out begin */
	size_t len, cap, limit;
	uint64_t count;  /* frames cut so far (for error messages) */
};

void frame_init(struct framer *f, size_t limit);
void frame_free(struct framer *f);
/* Raise (or lower) the limit, e.g. after authentication. */
void frame_set_limit(struct framer *f, size_t limit);
/* Add received bytes. Returns 0, or -1 when the unterminated tail cannot
 * be a frame within the limit any more (the peer must get too_large and
 * be closed). */
int frame_feed(struct framer *f, const char *data, size_t n);
/* Cut the next whole frame: 1 with *out (NUL-terminated, in the framer's
 * buffer, valid until the next feed or next call) and *n (without its
 * "\n" or "\r\n"), 0 when none is complete, -1 when a complete frame is
 * over the limit. */
int frame_next(struct framer *f, char **out, size_t *n);

/* ---- messages ---- */

enum msg_type { MSG_HELLO, MSG_CHALLENGE, MSG_AUTH, MSG_WELCOME, MSG_PUSH,
		MSG_ACK, MSG_PULL, MSG_OPS, MSG_LIVE, MSG_PING, MSG_PONG,
		MSG_ERROR, MSG_PINS, MSG_N };

/* Parse one frame and check it whole, before any side effect: valid
 * JSON, an object, a known type, every member known, present when
 * required and of its type; 64-bit values as digit strings. Returns the
 * type (>= 0) with *out set, or -1 with why[] naming the member. */
int msg_parse(const char *frame, size_t n, cJSON **out, char *why, size_t w);
const char *msg_type_name(int t);
/* A frame to send: the object printed unformatted with its '\n'
 * (caller frees), or NULL. */
char *msg_print(const cJSON *m, size_t *n);
/* An error frame. */
char *msg_error(const char *code, const char *message, uint64_t frame,
		const char *field, size_t *n);
/* A 64-bit string member: 1 with *v set when it is there and holds the
 * digits of 0 to INT64_MAX (no sign, no leading zero), else 0. */
int msg_i64(const cJSON *m, const char *key, int64_t *v);

/* ---- authentication ---- */

#define SYNC_KEY_BYTES 32
#define SYNC_HEX 65    /* 64 hex digits and a NUL */

/* A fresh random nonce as 64 hex digits. */
void auth_nonce(char out[SYNC_HEX]);
/* HMAC-SHA-256 under key of label|station|realm|a|b, and |binding
 * unless binding is NULL (protocol 1), as 64 hex digits. From protocol
 * 2 on the binding is the session's TLS exporter value as 64 hex digits
 * (AUTH_BINDING_PLAIN on a connection both ends run without TLS). */
void auth_proof(const unsigned char key[SYNC_KEY_BYTES], const char *label,
		const char *station, const char *realm, const char *a,
		const char *b, const char *binding, char out[SYNC_HEX]);
/* Constant-time comparison of two proofs: 1 equal, 0 not. */
int auth_equal(const char *a, const char *b);
#define AUTH_SERVER_LABEL "dutydesk-v1-server"
#define AUTH_STATION_LABEL "dutydesk-v1-station"
#define AUTH_SERVER_LABEL_V2 "dutydesk-v2-server"
#define AUTH_STATION_LABEL_V2 "dutydesk-v2-station"
#define AUTH_BINDING_PLAIN "insecure"

/* 64 hex digits to a key: 0 or -1. */
int key_parse(const char *hex, unsigned char key[SYNC_KEY_BYTES]);
/* Look a station up in a keys file ("CODE ROLE KEYHEX" lines): 1 found
 * (role and key set), 0 not, negative on error (unreadable, readable by
 * group or others: DD_E_REFUSED with a message in why). */
int keys_find(const char *path, const char *station, int *role,
	      unsigned char key[SYNC_KEY_BYTES], char *why, size_t w);
/* Check a keys file can be used by the server (exists or can be made,
 * not readable by others). */
int keys_check(const char *path, char *why, size_t w);
/* Add a station with a new random key; hex gets the key. 0 added, 1 its
 * old key replaced (only with replace: otherwise a station already in
 * the file is DD_E_REFUSED, so a typo cannot cut a town off), or a
 * negative code with why set. */
int keys_add(const char *path, const char *station, int role, int replace,
	     char hex[SYNC_HEX], char *why, size_t w);

/* ---- the county server (server*.c) ---- */

#define SERVER_MAX_CONN 256         /* default for --max-conn */
#define SERVER_MAX_DRILLS 8         /* default for --max-realms */
/* Bounds of --handshake-timeout and --idle-timeout, in seconds. */
#define SERVER_HANDSHAKE_MAX_S 600
#define SERVER_IDLE_MAX_S 3600

/* What the command line gives the server. */
struct server_opts {
	const char *listen;  /* HOST:PORT, [V6]:PORT; host * for any */
	const char *db;      /* the live realm's database */
	const char *keys;    /* the keys file */
	int max_conn;
	/* A connection is closed when its handshake has not finished, or
	 * nothing was received, for this long (0: SYNC_HANDSHAKE_MS,
	 * SYNC_IDLE_MS). The server pings an idle peer after a third of
	 * idle_ms (at most SYNC_PING_MS), so a station that answers is
	 * never dropped, whatever its own ping interval. */
	int handshake_ms, idle_ms;
	/* Drill realms with a database beside db (live not counted): a
	 * station naming a new one past this many gets no_realm. */
	int max_realms;
	/* TLS (sync/tls.h): the key and certificate files the listener
	 * presents (next and previous: NULL, or the keys of a rotation);
	 * insecure: the listener speaks plain frames (--insecure, no cert);
	 * listen_insecure: a plain listener beside the TLS one (NULL: none). */
	const char *cert, *cert_next, *cert_prev;
	int insecure;
	const char *listen_insecure;
};

/* A log level's name ("debug", "info", "warn" or "error") to the level
 * server_log_level takes, or -1. */
int server_log_parse(const char *s);
/* Log only lines of this level and above (default: info). */
void server_log_level(int level);

/* The database file of a realm: db itself for "live", "db.REALM" for
 * any other. 0, or -1 when it does not fit in n. */
int server_realm_path(const char *db, const char *realm, char *out, size_t n);

/* The drill realms with a database beside the live one db (FILE.REALM,
 * less SQLite's -wal, -shm and -journal files of another), in name
 * order: each given to fn (when not NULL), which returns 0 to go on or
 * a value that stops the walk and is returned. Else the number of them,
 * or a negative code when the directory cannot be read (errno says
 * why). Opens no database, so a server may count its own. */
int server_realm_each(const char *db, int (*fn)(const char *realm, void *ctx),
		      void *ctx);
/* Whether a running server holds the drill's database at path open (it
 * holds a lock on PATH.lock meanwhile): 1 yes, 0 no, -1 cannot tell.
 * Takes nothing. */
int server_realm_held(const char *path);
/* The same, and the process that holds it in *pid (0 when none holds it
 * or the system does not say). */
int server_realm_holder(const char *path, long *pid);
/* Remove a drill realm's database beside db, with its side files and
 * its lock file, under its lock. 0; DD_E_REFUSED for live, a realm not
 * there or one a running server holds; DD_E_INVALID for a name that is
 * not a drill's; DD_E_IO when a file cannot be removed. why says which. */
int server_realm_remove(const char *db, const char *realm, char *why,
			size_t w);

/* dutydeskd --db FILE status [--json] (server_view.c): each realm's
 * log head, projection and write-ahead log, read from its database
 * (read only), and, when a running server holds the live realm, what
 * it publishes in FILE.status (its stations, with their last push and
 * pull; each open realm's lag and last commit), as a table or, with
 * json, one object (dutydeskd(8)). Returns the exit code: 0, or
 * EXIT_ENV when a database cannot be read (said on stderr). */
int server_view(const char *db, int json);

/* Serve until SIGTERM or SIGINT. Returns the process exit code: 0 after
 * a clean stop, EXIT_USAGE for a listen address that does not parse,
 * EXIT_ENV when the database cannot be opened or the address cannot be
 * listened on, EXIT_DISK when the log could not be synced to disk. */
int server_run(const struct server_opts *o);

/* ---- the station's link (link*.c) ----
 *
 * The link keeps its own database connection, so its transactions never
 * interleave with the console's; it pushes the station's outbox in
 * order, pulls from its cursor, applies what arrives in small
 * transactions and yields to the loop between them, and reconnects with
 * a growing, jittered delay whenever the connection drops.
 */

struct uv_loop_s;

/* Milliseconds of applying per transaction of a catch-up, in a console
 * (a one-shot sync takes 100): the keyboard never waits longer. */
#define LINK_APPLY_MS 8
/* Reconnection delay: from 1 s, doubling, at most 60 s, +-20 %. */
#define LINK_BACKOFF_MIN_MS 1000
#define LINK_BACKOFF_MAX_MS 60000
/* Operations received and not yet applied before reading pauses. */
#define LINK_PENDING_MAX 2000
/* Bytes queued for writing before the connection is given up. */
#define LINK_WRITE_MAX (4 * 1024 * 1024)

struct link;

enum link_state { LINK_OFFLINE, LINK_CONNECTING, LINK_ONLINE, LINK_STOPPED };

/* Room for a pin ("sha256:" and 64 hex digits, or LINK_PIN_INSECURE). */
#define LINK_PIN_MAX 80

struct link_status {
	int state;              /* enum link_state */
	int64_t offline_since;  /* seconds; when the link was last lost */
	int64_t queued;         /* local operations not acknowledged */
	int64_t refused;        /* refusals by the server no officer has
				 * acknowledged yet (dutydesk link refused) */
	int64_t pushed;         /* operations the server took this process */
	int64_t pulled;         /* operations applied from the server */
	int64_t last_sync;      /* seconds; last time fully caught up, or 0 */
	/* Operations held back, in order, for the county server's upgrade:
	 * of a kind the server's last welcome did not list, or after one
	 * such in their incarnation. They wait in the outbox, unsent. */
	int64_t held;
	char held_kind[32];     /* the kind of the first held, or "" */
	int server_old;         /* stopped: the server does not speak this
				 * station's protocol (upgrade it first) */
	int skew_known;
	int64_t skew_ms;        /* server clock minus ours */
	char server[256];       /* HOST:PORT */
	char message[400];      /* why offline or stopped, or "" */
	char pin[LINK_PIN_MAX];           /* the server's pin, LINK_PIN_INSECURE, or "" */
	char pin_next[LINK_PIN_MAX];      /* the next pin the server announced, or "" */
	int insecure;           /* the link runs without TLS, on purpose */
	int no_pin;             /* stopped: the station has no pin for the
				 * server (dutydesk link --pin PIN) */
};

/* Open the link of the station database dbpath on loop. No link
 * settings: returns 0 with *out NULL (an offline station). Otherwise
 * *out is a link that connects at once and keeps itself connected;
 * on_change(ctx) is called after operations from elsewhere were applied
 * (or refusals stored). Only one link runs per database (a lock on
 * DBPATH.link): a second one stays stopped and says why, and takes over
 * when the first goes. Returns a DD_E_ code when the database cannot
 * be opened. */
int link_open(struct uv_loop_s *loop, const char *dbpath, const char *officer,
	      struct link **out, void (*on_change)(void *ctx), void *ctx);
/* The state to show. Reads fields only: cheap enough for every draw. */
void link_status(const struct link *l, struct link_status *st);
/* A local operation was made: push it now. A stopped link whose settings
 * were changed since (dutydesk link) starts again. */
void link_poke(struct link *l);
/* Close every handle (freed in their close callbacks), release the lock
 * and close the database. The loop must run on for the callbacks. */
void link_close(struct link *l);

/* One sync for scripts and tests, on a loop of its own: connect, push
 * everything, pull until caught up, close. Returns 0, or DD_E_SERVER
 * when the server cannot be reached or the exchange failed (exit 5),
 * DD_E_REFUSED when the server or the station refused (wrong key,
 * server ahead, operations refused, a server too old for this
 * station's protocol) or operations are held back for the server's
 * upgrade, another DD_E_ code for the database. msg gets a one-line
 * summary or the reason. */
int link_sync_once(const char *dbpath, int timeout_ms, char *msg, size_t n);

/* The link settings as typed: "HOST:PORT" with port 1..65535 (an IPv6
 * host in brackets), and a key of 64 hex digits. 0 or -1 with why. */
int link_check_settings(const char *server, const char *key, char *why,
			size_t w);
/* The pin the link stores for a server with no TLS (both ends run with
 * --insecure). */
#define LINK_PIN_INSECURE "insecure"
/* A server's pin as typed (dutydesk init/link --pin): "sha256:" and 64
 * lowercase hex digits, as dutydeskd cert and dutydeskd pin print it.
 * 0 or -1 with why. */
int link_check_pin(const char *pin, char *why, size_t w);

/* What the last link of dbpath noted beside the database (the last time
 * it caught up): 1 found, 0 none. */
int link_note_read(const char *dbpath, int64_t *last_sync);

/* What the station of dbpath (open as db) holds back for the county
 * server's upgrade, as of the server's last welcome (the link notes its
 * kinds beside the database): *count operations, the first of kind
 * kind ("" when none; nothing is held before a welcome of protocol 2
 * was ever noted). 0, or a DD_E_ code when the outbox cannot be read. */
int link_held_read(struct db *db, const char *dbpath, int64_t *count,
		   char kind[32]);

#endif
