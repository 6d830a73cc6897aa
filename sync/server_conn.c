/*
 * server_conn.c - the server's connections: reading into each one's
 * framer and cutting frames out, writing shared buffers with a bound on
 * what a slow reader may have queued, and closing, gracefully or not.
 * On the TLS listener each connection has a TLS session (sync/tls.h):
 * what is read goes through it before the framer, what is written is
 * encrypted into the buffers handed to libuv, so the bound on what is
 * queued counts ciphertext. A connection's first byte says what it
 * speaks; a plain frame on the TLS port and a TLS record on a plain one
 * are turned away at once. What a frame means is server_proto.c's.
 */
#include "sync/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <uv.h>

/* One write in flight: the buffer it holds a reference to, and what
 * follows once it is out. */
struct wreq {
	uv_write_t req;
	struct wbuf *b;
	int then;
};

const char *
conn_who(const struct conn *c)
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
	if (c->hs_counted)
		srv->handshakes--;
	if (c->counted)
		server_log(SLOG_INFO, "disconnect %s", conn_who(c));
	tls_conn_free(&c->tls);
	frame_free(&c->fr);
	sodium_memzero(c->key, sizeof c->key);
	free(c);
	if (srv->stopping && !srv->conns)
		server_finish(srv);
}

/* Close now: pending writes are cancelled. */
void
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
	 * up to SERVER_LINGER_MS. */
	if (status < 0 || c->eof)
		conn_close(c);
}

static int conn_tls_flush(struct conn *c, int then);
static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf);
static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf);

void
conn_read_start(struct conn *c)
{
	if (c->reading || c->eof || uv_is_closing((uv_handle_t *)&c->tcp))
		return;
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0)
		c->reading = 1;
}

void
conn_read_stop(struct conn *c)
{
	if (c->reading)
		uv_read_stop((uv_stream_t *)&c->tcp);
	c->reading = 0;
}

/* Close gracefully: what is queued is sent, then a FIN, then we wait
 * briefly for the peer to close; what it sends meanwhile is dropped. */
void
conn_finish(struct conn *c)
{
	if (c->state == C_CLOSING)
		return;
	c->state = C_CLOSING;
	c->live = 0;
	c->paused = 0;
	c->t_linger = uv_now(&c->srv->loop) + SERVER_LINGER_MS;
	if (uv_is_closing((uv_handle_t *)&c->tcp))
		return;
	conn_read_start(c);
	/* A TLS session ends with close_notify, then the FIN. */
	if (c->tls && tls_handshake_done(c->tls) && tls_shutdown(c->tls) == 0)
		conn_tls_flush(c, THEN_NOTHING);
	c->shut_started = 1;
	if (uv_shutdown(&c->shut, (uv_stream_t *)&c->tcp, on_shutdown) != 0)
		conn_close(c);
}


/* All the TLS session has to send, in a buffer of its own (freed by
 * the caller), *n its length; NULL when out of memory. */
static char *
tls_take_all(struct tls_conn *t, size_t *n)
{
	size_t k = tls_out_pending(t);
	char *r = malloc(k ? k : 1);

	*n = r ? tls_out_take(t, r, k) : 0;
	return r;
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
			server_log(SLOG_DEBUG, "write to %s: %s", conn_who(c),
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
		proto_catchup(c);
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
		   conn_who(c), SERVER_QUEUE_MAX);
	/* The queue is full, so the error goes only if the socket has room
	 * for it right now. */
	if ((e = msg_error("slow", "too much queued for a reader that does not "
			   "read", 0, NULL, &n))) {
		/* Over TLS, the frame goes as a record of its own. */
		if (c->tls && tls_handshake_done(c->tls) &&
		    tls_write(c->tls, e, n) == 0) {
			free(e);
			e = tls_take_all(c->tls, &n);
		}
		if (e) {
			uv_buf_t b = uv_buf_init(e, (unsigned)n);
			uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
		}
		free(e);
	}
	conn_close(c);
}

/* Queue b as it is on the socket (b keeps its own reference). -1 when c
 * is gone or was dropped for reading too slowly. */
static int
conn_write_raw(struct conn *c, struct wbuf *b, int then)
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
		server_log(SLOG_DEBUG, "write to %s: %s", conn_who(c),
			   uv_strerror(rc));
		wbuf_unref(&w->b);
		free(w);
		conn_close(c);
		return -1;
	}
	c->t_send = uv_now(&c->srv->loop);
	return 0;
}

/* Send what the TLS session has to send (handshake records, an alert,
 * ciphertext), then do what then says. 0 (also with nothing to send),
 * or -1 when c is gone. */
static int
conn_tls_flush(struct conn *c, int then)
{
	struct wbuf *b;
	char *data;
	size_t n;
	int rc;

	if (tls_out_pending(c->tls) == 0)
		return 0;
	if (!(data = tls_take_all(c->tls, &n))) {
		server_log(SLOG_ERROR, "out of memory writing to %s", conn_who(c));
		conn_close(c);
		return -1;
	}
	if (!(b = wbuf_new(data, n))) {
		server_log(SLOG_ERROR, "out of memory writing to %s", conn_who(c));
		conn_close(c);
		return -1;
	}
	rc = conn_write_raw(c, b, then);
	wbuf_unref(&b);
	return rc;
}

/* Queue b for c (b keeps its own reference): as it is, or encrypted in
 * c's TLS session (a buffer relayed to many is encrypted once for each).
 * -1 when c is gone or was dropped for reading too slowly; over TLS also
 * before the handshake is done (nothing can be said then). */
int
conn_write(struct conn *c, struct wbuf *b, int then)
{
	if (!c->tls)
		return conn_write_raw(c, b, then);
	if (!b || uv_is_closing((uv_handle_t *)&c->tcp) || c->shut_started ||
	    !tls_handshake_done(c->tls))
		return -1;
	if (tls_write(c->tls, b->data, b->len) < 0) {
		server_log(SLOG_INFO, "%s: TLS: %s; closing", conn_who(c),
			   tls_error(c->tls));
		conn_close(c);
		return -1;
	}
	return conn_tls_flush(c, then);
}

/* Send a printed frame (taken). */
static int
conn_send_text(struct conn *c, char *text, size_t n, int then)
{
	struct wbuf *b = wbuf_new(text, n);
	int rc;

	if (!b) {
		server_log(SLOG_ERROR, "out of memory answering %s",
			   conn_who(c));
		conn_close(c);
		return -1;
	}
	rc = conn_write(c, b, then);
	wbuf_unref(&b);
	return rc;
}

int
conn_send(struct conn *c, const cJSON *m, int then)
{
	size_t n = 0;
	char *s = m ? msg_print(m, &n) : NULL;

	return conn_send_text(c, s, n, then);
}

/* Answer an error frame and close (or, for gap and busy, keep going).
 * The message names the frame; the field goes in its own member too. */
void
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
	server_log(close ? SLOG_WARN : SLOG_INFO, "%s: %s: %s%s", conn_who(c),
		   code, text, close ? "; closing" : "");
	conn_send_text(c, e, n, THEN_NOTHING);
	if (close)
		conn_finish(c);
}

/* A message check's reason "field NAME: ..." names the field. */
void
conn_bad_frame(struct conn *c, const char *why)
{
	char field[64] = "";

	if (strncmp(why, "field ", 6) == 0)
		sscanf(why + 6, "%63[^:]", field);
	conn_error(c, "bad_frame", why, c->fr.count, field[0] ? field : NULL, 1);
}

/* Cut and handle every whole frame received, unless a catch-up or a
 * waiting push holds the connection. */
void
conn_process(struct conn *c)
{
	char *frame, why[80];
	size_t n;
	int r;

	while (c->state != C_CLOSING && !c->paused) {
		/* A push of c waits for its realm's next group: nothing more
		 * is read until it is taken (server_realm.c). */
		if (c->waiting) {
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
		proto_frame(c, frame, n);
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

/* The first byte of a connection: what it speaks must be what its
 * listener speaks. 0 go on, -1 it was turned away (one log line). */
static int
conn_sniff(struct conn *c, unsigned char first)
{
	int t = tls_sniff(first);

	c->sniffed = 1;
	if (!c->tls_port) {
		if (t != 1)
			return 0;
		server_log(SLOG_WARN, "%s: a TLS client on the plain listener "
			   "(give the station the pin of the TLS port); closing",
			   conn_who(c));
		conn_close(c);
		return -1;
	}
	if (t == 1) {
		if (!(c->tls = tls_conn_new(c->srv->tls, 1, NULL))) {
			server_log(SLOG_ERROR, "out of memory for a TLS session "
				   "with %s", conn_who(c));
			conn_close(c);
			return -1;
		}
		return 0;
	}
	if (t == 0) {
		/* In plain text, so a station of the plain protocol can say
		 * why: this port wants TLS and the server's pin. */
		conn_error(c, "tls_required", "this port speaks TLS only (ALPN "
			   TLS_ALPN "): the station needs the server's pin "
			   "(dutydesk link --pin PIN)", 0, NULL, 1);
		return -1;
	}
	server_log(SLOG_INFO, "%s: neither TLS nor a frame; closing",
		   conn_who(c));
	conn_close(c);
	return -1;
}

/* The handshake is done: it no longer counts against the cap, and the
 * exporter is what the proofs cover. 0, or -1 without one. */
static int
conn_tls_ready(struct conn *c)
{
	char pin[TLS_PIN_SIZE];

	if (c->hs_counted) {
		c->hs_counted = 0;
		c->srv->handshakes--;
	}
	if (tls_binding(c->tls, c->binding)) {
		/* Never bound as a plain connection is: closed. */
		server_log(SLOG_WARN, "%s: TLS without a channel binding; closing",
			   conn_who(c));
		return -1;
	}
	if (tls_server_pin(c->tls, pin) == 0)
		server_log(SLOG_DEBUG, "%s: TLS handshake done (key %s)",
			   conn_who(c), pin);
	return 0;
}

/* n bytes read on a TLS connection: through the session into the
 * framer, every record's plaintext at once (as a plain read goes in
 * whole), then what the session has to send. 0; 1 when the session
 * ended or failed after what was fed (the frames before it are still
 * to be handled); -1 when c is closing. */
static int
conn_tls_read(struct conn *c, const char *data, size_t n)
{
	struct server *srv = c->srv;
	char why[80];
	size_t got;
	int rc, was_done = tls_handshake_done(c->tls);

	/* data is srv->rbuf: fed first, then the buffer is free again. */
	rc = tls_feed(c->tls, data, n);
	while (rc == 0) {
		if ((rc = tls_read(c->tls, srv->rbuf, sizeof srv->rbuf, &got)) ||
		    got == 0)
			break;
		if (frame_feed(&c->fr, srv->rbuf, got) < 0) {
			snprintf(why, sizeof why, "more than %zu bytes without a "
				 "newline", c->fr.limit);
			conn_error(c, "too_large", why, c->fr.count + 1, NULL, 1);
			return -1;
		}
	}
	/* A session that failed in this read (its error is logged by
	 * conn_tls_end) has no binding to take. */
	if (rc == 0 && !was_done && tls_handshake_done(c->tls) &&
	    conn_tls_ready(c) < 0) {
		conn_close(c);
		return -1;
	}
	if (conn_tls_flush(c, THEN_NOTHING) < 0)
		return -1;
	return rc != 0;
}

/* After the frames: a session that failed or ended is closed. */
static void
conn_tls_end(struct conn *c)
{
	if (c->state == C_CLOSING)
		return;
	if (tls_error(c->tls)[0])
		server_log(SLOG_INFO, "%s: TLS: %s; closing", conn_who(c),
			   tls_error(c->tls));
	else
		server_log(SLOG_DEBUG, "%s ended its TLS session", conn_who(c));
	conn_finish(c);
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
			server_log(SLOG_DEBUG, "read from %s: %s", conn_who(c),
				   uv_strerror(n));
			conn_close(c);
		} else if (c->state == C_CLOSING) {
			if (!c->shut_started || c->shut_done)
				conn_close(c);
		} else {
			server_log(SLOG_DEBUG, "%s closed its side", conn_who(c));
			conn_finish(c);
		}
		return;
	}
	c->t_recv = uv_now(&c->srv->loop);
	if (c->state == C_CLOSING)
		return;
	if (!c->sniffed && conn_sniff(c, (unsigned char)buf->base[0]) < 0)
		return;
	if (c->tls) {
		int r = conn_tls_read(c, buf->base, (size_t)n);
		if (r >= 0)
			conn_process(c);
		if (r == 1)
			conn_tls_end(c);
		return;
	}
	if (frame_feed(&c->fr, buf->base, (size_t)n) < 0) {
		snprintf(why, sizeof why, "more than %zu bytes without a newline",
			 c->fr.limit);
		conn_error(c, "too_large", why, c->fr.count + 1, NULL, 1);
		return;
	}
	conn_process(c);
}

