/*
 * client.h - the station's side of sync: the link to the county server
 * on a libuv loop (sync/link*.c). The protocol is sync/PROTOCOL.md.
 *
 * The link keeps its own database connection, so its transactions never
 * interleave with the console's; it pushes the station's outbox in
 * order, pulls from its cursor, applies what arrives in small
 * transactions and yields to the loop between them, and reconnects with
 * a growing, jittered delay whenever the connection drops.
 */
#ifndef DUTYDESK_SYNC_CLIENT_H
#define DUTYDESK_SYNC_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <uv.h>

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

struct link_status {
	int state;              /* enum link_state */
	int64_t offline_since;  /* seconds; when the link was last lost */
	int64_t queued;         /* local operations not acknowledged */
	int64_t refused;        /* refusals by the server no officer has
				 * acknowledged yet (dutydesk link refused) */
	int64_t pushed;         /* operations the server took this process */
	int64_t pulled;         /* operations applied from the server */
	int64_t last_sync;      /* seconds; last time fully caught up, or 0 */
	int skew_known;
	int64_t skew_ms;        /* server clock minus ours */
	char server[256];       /* HOST:PORT */
	char message[160];      /* why offline or stopped, or "" */
};

/* Open the link of the station database dbpath on loop. No link
 * settings: returns 0 with *out NULL (an offline station). Otherwise
 * *out is a link that connects at once and keeps itself connected;
 * on_change(ctx) is called after operations from elsewhere were applied
 * (or refusals stored). Only one link runs per database (a lock on
 * DBPATH.link): a second one stays stopped and says why, and takes over
 * when the first goes. Returns a DD_E_ code when the database cannot
 * be opened. */
int link_open(uv_loop_t *loop, const char *dbpath, const char *officer,
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
 * when the server cannot be reached or the exchange failed (exit 5), DD_E_REFUSED when the server or the station refused (wrong
 * key, server ahead, operations refused), another DD_E_ code for the
 * database. msg gets a one-line summary or the reason. */
int link_sync_once(const char *dbpath, int timeout_ms, char *msg, size_t n);

/* The link settings as typed: "HOST:PORT" with port 1..65535 (an IPv6
 * host in brackets), and a key of 64 hex digits. 0 or -1 with why. */
int link_check_settings(const char *server, const char *key, char *why,
			size_t w);

/* What the last link of dbpath noted beside the database (the last time
 * it caught up): 1 found, 0 none. */
int link_note_read(const char *dbpath, int64_t *last_sync);

#endif
