/*
 * server.c - the county sync server: one libuv loop, one thread. This
 * file runs it: the log, listening and accepting, the sweep of timeouts,
 * signals and stopping. Each connection (server_conn.c) has a framer, a
 * state (hello, auth, ready, closing) and, once authenticated, a station,
 * a realm and a place in that realm's relay. Every frame is checked
 * whole before it has any effect (server_proto.c); a push is taken in
 * its realm's group transaction, committed (and so synced) on a worker
 * thread, acknowledged, then relayed (server_realm.c). The protocol is
 * sync/PROTOCOL.md.
 */
#include "sync/internal.h"

#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <uv.h>

#define SWEEP_MS 250      /* how often timeouts are looked at */
#define STOP_MS 2000      /* in-flight writes' time to finish at a stop */

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


/* The check phase of each turn: the realms commit their groups. */
static void
on_commit(uv_check_t *h)
{
	realm_commit_turn(h->data);
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
		/* On the TLS port nothing can be said before a handshake (a
		 * plain frame would read as a broken record): closed at once,
		 * and the station tries again later. */
		if (l == (uv_stream_t *)&srv->listener && srv->tls) {
			conn_close(c);
			return;
		}
		conn_error(c, "busy", "too many connections; try again later", 0,
			   NULL, 1);
		return;
	}
	snprintf(c->binding, sizeof c->binding, "%s", AUTH_BINDING_PLAIN);
	if (l == (uv_stream_t *)&srv->listener && srv->tls) {
		/* A handshake costs the server more than it costs a client:
		 * only so many at once; the sweep says how many were shut. */
		if (srv->handshakes >= SERVER_TLS_HANDSHAKES) {
			srv->hs_refused++;
			conn_close(c);
			return;
		}
		c->tls_port = 1;
		c->hs_counted = 1;
		srv->handshakes++;
	}
	c->counted = 1;
	srv->nconn++;
	c->state = C_HELLO;
	server_log(SLOG_INFO, "connect %s", conn_who(c));
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
					   conn_who(c), (int)(handshake_ms / 1000));
				conn_finish(c);
			}
		} else if (now - c->t_recv >= idle_ms) {
			server_log(SLOG_INFO, "%s: nothing received for %d s; closing",
				   conn_who(c), (int)(idle_ms / 1000));
			conn_finish(c);
		} else if (now - c->t_send >= ping_ms) {
			m = cJSON_CreateObject();
			cJSON_AddStringToObject(m, "type", "ping");
			conn_send(c, m, THEN_NOTHING);
			cJSON_Delete(m);
		}
	}
	if (srv->hs_refused) {
		server_log(SLOG_WARN, "%d connection(s) closed at accept: %d TLS "
			   "handshakes in progress already", srv->hs_refused,
			   SERVER_TLS_HANDSHAKES);
		srv->hs_refused = 0;
	}
	realm_close_idle(srv);
	status_sweep(srv);
}

static void
close_handle(uv_handle_t *h)
{
	if (h->type != UV_UNKNOWN_HANDLE && !uv_is_closing(h))
		uv_close(h, NULL);
}

void
server_finish(struct server *srv)
{
	if (srv->finished)
		return;
	srv->finished = 1;
	close_handle((uv_handle_t *)&srv->commit);
	close_handle((uv_handle_t *)&srv->sweep);
	close_handle((uv_handle_t *)&srv->project);
	close_handle((uv_handle_t *)&srv->sigterm);
	close_handle((uv_handle_t *)&srv->sigint);
	close_handle((uv_handle_t *)&srv->listener);
	close_handle((uv_handle_t *)&srv->listener_plain);
}

void
server_stop(struct server *srv)
{
	struct conn *c;

	srv->stopping = 1;
	srv->stop_at = uv_now(&srv->loop) + STOP_MS;
	close_handle((uv_handle_t *)&srv->listener);
	close_handle((uv_handle_t *)&srv->listener_plain);
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

/* HOST:PORT or [V6]:PORT (msg_hostport; host * for every address) to
 * an address; 0, EXIT_USAGE or EXIT_ENV. */
static int
listen_addr(const char *opt, const char *s, struct sockaddr_storage *ss,
	    char *why, size_t w)
{
	char host[256], port[8];
	struct addrinfo hints, *ai = NULL;
	int rc;

	if (msg_hostport(s, host, sizeof host, port, sizeof port)) {
		snprintf(why, w, "%s %s: expected HOST:PORT with a port "
			 "1..65535", opt, s);
		return EXIT_USAGE;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(strcmp(host, "*") ? host : NULL, port, &hints,
			      &ai)) != 0 || !ai) {
		snprintf(why, w, "cannot listen on %s: %s", s, gai_strerror(rc));
		return EXIT_ENV;
	}
	memset(ss, 0, sizeof *ss);
	memcpy(ss, ai->ai_addr, ai->ai_addrlen < sizeof *ss ? ai->ai_addrlen
							    : sizeof *ss);
	freeaddrinfo(ai);
	return 0;
}

/* The address a listener is bound to, for the log. */
static void
bound_name(uv_tcp_t *t, char *name, size_t n)
{
	struct sockaddr_storage ss;
	char host[INET6_ADDRSTRLEN] = "?";
	int len = sizeof ss;

	if (uv_tcp_getsockname(t, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET6) {
		uv_ip6_name((struct sockaddr_in6 *)&ss, host, sizeof host);
		snprintf(name, n, "[%s]:%d", host,
			 ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
	} else {
		uv_ip4_name((struct sockaddr_in *)&ss, host, sizeof host);
		snprintf(name, n, "%s:%d", host,
			 ntohs(((struct sockaddr_in *)&ss)->sin_port));
	}
}

/* Room for every connection's socket and the database files. */
static void
raise_nofile(int max_conn)
{
	struct rlimit rl;
	/* A realm holds its database and WAL three times (the write
	 * connection, the loop's reading one and the checkpoints') and the
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
	struct sockaddr_storage ss, ss2;
	struct server *srv;
	struct realm *live;
	char why[300], tlswhy[600], *name, plain_name[80] = "";
	int rc, ex = EXIT_OK, len, missing;

	if (!(srv = calloc(1, sizeof *srv))) {
		server_log(SLOG_ERROR, "out of memory");
		return EXIT_ENV;
	}
	srv->o = o;
	srv->started_ms = sync_now_ms();
	name = srv->listen_name;
	snprintf(name, sizeof srv->listen_name, "?");
	len = snprintf(srv->status.path, sizeof srv->status.path, "%s.status",
		       o->db);
	if (len < 0 || (size_t)len >= sizeof srv->status.path)
		srv->status.path[0] = 0;
	/* The commits of every realm and one checkpoint round share libuv's
	 * worker threads (read when the first work is queued). */
	setenv("UV_THREADPOOL_SIZE", "8", 0);
	if ((ex = listen_addr("--listen", o->listen, &ss, why, sizeof why)) ||
	    (o->listen_insecure &&
	     (ex = listen_addr("--listen-insecure", o->listen_insecure, &ss2,
			       why, sizeof why)))) {
		server_log(SLOG_ERROR, "%s", why);
		free(srv);
		return ex;
	}
	/* The key file others can read is a key others may have: refused
	 * (tls_server_ctx checks), as the keys file is. */
	if (o->cert && (rc = tls_server_ctx(&srv->tls, o->cert, o->cert_next,
					    o->cert_prev, tlswhy,
					    sizeof tlswhy)) < 0) {
		server_log(SLOG_ERROR, "%s", tlswhy);
		free(srv);
		return EXIT_ENV;
	}
	raise_nofile(o->max_conn);
	if ((rc = uv_loop_init(&srv->loop))) {
		server_log(SLOG_ERROR, "cannot start the event loop: %s",
			   uv_strerror(rc));
		tls_ctx_free(&srv->tls);
		free(srv);
		return EXIT_ENV;
	}
	uv_timer_init(&srv->loop, &srv->project);
	srv->project.data = srv;
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
	bound_name(&srv->listener, name, sizeof srv->listen_name);
	if (o->listen_insecure) {
		uv_tcp_init(&srv->loop, &srv->listener_plain);
		srv->listener_plain.data = srv;
		if ((rc = uv_tcp_bind(&srv->listener_plain,
				      (struct sockaddr *)&ss2, 0)) ||
		    (rc = uv_listen((uv_stream_t *)&srv->listener_plain,
				    SERVER_BACKLOG, on_connection))) {
			server_log(SLOG_ERROR, "cannot listen on %s: %s",
				   o->listen_insecure, uv_strerror(rc));
			ex = EXIT_ENV;
			goto out;
		}
		bound_name(&srv->listener_plain, plain_name, sizeof plain_name);
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
	/* Published before the line that says the server listens. */
	status_sweep(srv);
	if (srv->tls)
		server_log(SLOG_INFO, "TLS key %s from %s%s%s%s%s", tls_ctx_pin(
			   srv->tls, 0), o->cert, tls_ctx_pin(srv->tls, 1)
			   ? ", next " : "", tls_ctx_pin(srv->tls, 1) ? tls_ctx_pin(
			   srv->tls, 1) : "", tls_ctx_pin(srv->tls, 2)
			   ? ", previous " : "", tls_ctx_pin(srv->tls, 2)
			   ? tls_ctx_pin(srv->tls, 2) : "");
	if (plain_name[0])
		server_log(SLOG_WARN, "also without TLS on %s (--listen-insecure): "
			   "stations there are neither private nor bound to a "
			   "session", plain_name);
	server_log(SLOG_INFO, "listening on %s%s: live realm %s (history %s), at "
		   "most %d connections, handshake timeout %d s, idle timeout "
		   "%d s", name, srv->tls ? " (TLS)" : " without TLS", o->db,
		   live->history, o->max_conn,
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
	realm_close_all(srv);
	/* After the locks are let go: a reader that finds the file meanwhile
	 * finds no server holding the lock, and ignores it. */
	status_remove(srv);
	if ((rc = uv_loop_close(&srv->loop)) != 0) {
		server_log(SLOG_ERROR, "event loop not closed: %s", uv_strerror(rc));
		if (ex == EXIT_OK)
			ex = EXIT_ENV;
	}
	tls_ctx_free(&srv->tls);
	free(srv);
	return ex;
}
