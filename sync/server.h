/*
 * server.h - the county sync server (server.c), private to sync/ and to
 * dutydeskd.c. The protocol it speaks is sync/PROTOCOL.md.
 */
#ifndef DUTYDESK_SYNC_SERVER_H
#define DUTYDESK_SYNC_SERVER_H

#include <stddef.h>

#include "sync/sync.h"

#define SERVER_MAX_CONN 256         /* default for --max-conn */
#define SERVER_BACKLOG 1024
#define SERVER_QUEUE_MAX (8u << 20) /* bytes queued for one slow reader */
#define SERVER_MAX_REALMS 64        /* realm databases open at once */
/* Bounds of --handshake-timeout and --idle-timeout, in seconds. */
#define SERVER_HANDSHAKE_MAX_S 600
#define SERVER_IDLE_MAX_S 3600

/* What the command line gives the server. */
struct server_opts {
	const char *listen;  /* HOST:PORT, [V6]:PORT */
	const char *db;      /* the live realm's database */
	const char *keys;    /* the keys file */
	int max_conn;
	/* A connection is closed when its handshake has not finished, or
	 * nothing was received, for this long (0: SYNC_HANDSHAKE_MS,
	 * SYNC_IDLE_MS). The server pings an idle peer after a third of
	 * idle_ms (at most SYNC_PING_MS), so a station that answers is
	 * never dropped, whatever its own ping interval. */
	int handshake_ms, idle_ms;
};

/* Log levels, lowest first. */
enum { SLOG_DEBUG, SLOG_INFO, SLOG_WARN, SLOG_ERROR };

/* "debug", "info", "warn" or "error" to a level, or -1. */
int server_log_parse(const char *s);
void server_log_level(int level);
/* One line on stderr: "[time ]dutydeskd LEVEL: message". Control
 * characters (from peers) are shown as '?'. The time is left out when
 * stderr goes to the journal, which stamps lines itself. */
void server_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The database file of a realm: db itself for "live", "db.REALM" for
 * any other. 0, or -1 when it does not fit in n. */
int server_realm_path(const char *db, const char *realm, char *out, size_t n);
/* Open (create and seed when missing, if create) the server database of
 * a realm. 0 with *out set, or a negative code with why[] saying what
 * went wrong. */
int server_realm_open(const char *path, const char *realm, int create,
		      struct db **out, char *why, size_t w);

/* Serve until SIGTERM or SIGINT. Returns the process exit code: 0 after
 * a clean stop, EXIT_USAGE for a listen address that does not parse,
 * EXIT_ENV when the database cannot be opened or the address cannot be
 * listened on. */
int server_run(const struct server_opts *o);

#endif
