/*
 * link_conn.c - the link's connection to the server: resolve the name,
 * try its addresses in turn, read (cutting frames for link_proto.c) and
 * write with a bound on what waits, drop, and connect again after a
 * growing, jittered delay; the handshake and idle timeouts and the
 * heartbeat. With a pin the connection is TLS (sync/tls.h), its
 * handshake (and the pin check) before the hello; what is read goes
 * through the session into the framer, what is sent is encrypted, and
 * the bound on what waits counts ciphertext. "insecure" is plain.
 */
#include "sync/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing ---- */

/* One write in flight, with its bytes. */
struct link_wreq {
	uv_write_t req;
	struct link_conn *c;
	size_t n;
	char data[];
};

static void
on_written(uv_write_t *req, int status)
{
	struct link_wreq *w = (struct link_wreq *)req;

	(void)status; /* a failed write shows up as a failed read too */
	w->c->queued -= w->n;
	free(w);
}

/* Queue n bytes for the socket: data, or (data NULL) what the TLS
 * session has to send. 0, or -1 with the connection given up. */
static int
write_out(struct link *l, const char *data, size_t n)
{
	struct link_conn *c = l->conn;
	struct link_wreq *w;
	uv_buf_t b;

	if (n == 0)
		return 0;
	if (c->queued + n > LINK_WRITE_MAX) {
		link_fail(l, "the server does not read what is sent");
		return -1;
	}
	if (!(w = malloc(sizeof *w + n))) {
		link_fail(l, "out of memory");
		return -1;
	}
	w->c = c;
	if (data)
		memcpy(w->data, data, n);
	else
		n = tls_out_take(c->tls, w->data, n);
	w->n = n;
	b = uv_buf_init(w->data, (unsigned)n);
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_written)) {
		free(w);
		link_fail(l, "cannot write to the server");
		return -1;
	}
	c->queued += n;
	l->last_tx = uv_now(l->loop);
	return 0;
}

/* Send what the TLS session has to send. */
static int
tls_flush(struct link *l)
{
	return write_out(l, NULL, tls_out_pending(l->conn->tls));
}

int
link_send_raw(struct link *l, const char *data, size_t n)
{
	struct link_conn *c = l->conn;

	if (!c || uv_is_closing((uv_handle_t *)&c->tcp))
		return -1;
	if (!c->tls)
		return write_out(l, data, n);
	/* Nothing is said before the handshake (and the pin) is done. */
	if (!tls_handshake_done(c->tls))
		return -1;
	if (tls_write(c->tls, data, n) < 0) {
		link_fail(l, "TLS with %s failed: %s", l->server, tls_error(c->tls));
		return -1;
	}
	return tls_flush(l);
}

int
link_send(struct link *l, cJSON *m)
{
	size_t n;
	char *s = m ? msg_print(m, &n) : NULL;
	int rc;

	cJSON_Delete(m);
	if (!s) {
		link_fail(l, "out of memory");
		return -1;
	}
	rc = link_send_raw(l, s, n);
	free(s);
	return rc;
}

void
link_error(struct link *l, const char *code, const char *message,
	   const char *field)
{
	size_t n;
	char *s;

	if (!l->conn)
		return;
	s = msg_error(code, message, l->conn->fr.count, field, &n);
	if (s)
		link_send_raw(l, s, n);
	free(s);
}

/* ---- connections ---- */

static void
on_conn_closed(uv_handle_t *h)
{
	struct link_conn *c = h->data;

	tls_conn_free(&c->tls);
	frame_free(&c->fr);
	free(c);
}

/* Forget the connection and the session's state. */
void
link_drop(struct link *l)
{
	struct link_conn *c = l->conn;

	if (c) {
		c->link = NULL;
		l->conn = NULL;
		if (!uv_is_closing((uv_handle_t *)&c->tcp))
			uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
	}
	if (l->ai) {
		uv_freeaddrinfo(l->ai);
		l->ai = l->ai_next = NULL;
	}
	link_pend_clear(l);
	l->phase = LINK_PH_IDLE;
	l->push_inflight = 0;
	l->live = 0;
	if (l->state == LINK_ONLINE || l->state == LINK_CONNECTING)
		l->state = LINK_OFFLINE;
}

static void
on_retry(uv_timer_t *h)
{
	link_connect(h->data);
}

static void
schedule_retry(struct link *l)
{
	double j;
	uint64_t delay;

	if (l->closing)
		return;
	/* Jitter of +-20 %, so stations cut off together do not all come
	 * back in the same second. */
	j = 0.8 + 0.4 * ((double)rand_r(&l->rnd) / RAND_MAX);
	delay = (uint64_t)(l->backoff_ms * j);
	l->backoff_ms = l->backoff_ms * 2 > LINK_BACKOFF_MAX_MS
		? LINK_BACKOFF_MAX_MS : l->backoff_ms * 2;
	uv_timer_start(&l->retry, on_retry, delay, 0);
}

/* Say why, note the time and forget the connection. */
static void
go_down(struct link *l, const char *fmt, va_list ap)
{
	link_vnote(l, fmt, ap);
	link_offline(l);
	link_drop(l);
}

/* The connection is lost or given up: say why, try again later. */
void
link_fail(struct link *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	go_down(l, fmt, ap);
	va_end(ap);
	if (l->state == LINK_STOPPED)
		return;
	l->state = LINK_OFFLINE;
	if (l->once)
		link_finish(l, DD_E_SERVER);
	else
		schedule_retry(l);
}

/* Something only a person can fix: no more attempts until the settings
 * change. */
void
link_stop(struct link *l, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	go_down(l, fmt, ap);
	va_end(ap);
	l->state = LINK_STOPPED;
	l->server_old = 0;
	snprintf(l->stop_server, sizeof l->stop_server, "%s", l->server);
	snprintf(l->stop_key, sizeof l->stop_key, "%s", l->key_hex);
	snprintf(l->stop_pin, sizeof l->stop_pin, "%s", l->pin);
	uv_timer_stop(&l->retry);
	if (l->once)
		link_finish(l, rc);
}

static void try_address(struct link *l);

/* This address failed: give its connection up, try the next. */
static void
next_address(struct link *l)
{
	struct link_conn *c = l->conn;

	c->link = NULL;
	l->conn = NULL;
	uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
	try_address(l);
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct link_conn *c = h->data;

	(void)suggested;
	*buf = uv_buf_init(c->rbuf, sizeof c->rbuf);
}

/* n bytes from the server (n 0: start the handshake) through the TLS
 * session into the framer; at the end of the handshake, the hello. 0;
 * 1 when the session ended or failed after what was fed (the frames
 * before it are still to be read: an error frame is often the last);
 * -1 with the connection given up or stopped. */
static int
tls_in(struct link *l, const char *data, size_t n)
{
	struct link_conn *c = l->conn;
	size_t got;
	int rc = n ? tls_feed(c->tls, data, n) : 0;

	while (rc == 0) {
		if ((rc = tls_read(c->tls, c->pbuf, sizeof c->pbuf, &got)) ||
		    got == 0)
			break;
		if (frame_feed(&c->fr, c->pbuf, got)) {
			link_error(l, "too_large", "frame over the limit", NULL);
			link_fail(l, "the server sent a frame over the limit");
			return -1;
		}
	}
	/* Even a failed session may have an alert to send. */
	if (tls_flush(l) < 0)
		return -1;
	if (rc == TLS_E_REFUSED) {
		/* Our own check said no (the pin differs, no ALPN): only a
		 * person can fix that, and nothing of ours was sent. */
		link_stop(l, DD_E_REFUSED, "%s", tls_error(c->tls));
		return -1;
	}
	if (rc != 0)
		return 1;
	if (l->phase == LINK_PH_TLS && tls_handshake_done(c->tls)) {
		if (tls_binding(c->tls, l->binding)) {
			link_fail(l, "TLS with %s: no channel binding", l->server);
			return -1;
		}
		l->phase = LINK_PH_HELLO;
		l->phase_ms = uv_now(l->loop);
		link_hello(l);
	}
	return 0;
}

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct link_conn *c = s->data;
	struct link *l = c->link;
	char *f;
	size_t n;
	int r, ended = 0;

	if (!l)
		return;
	if (nread < 0) {
		link_fail(l, nread == UV_EOF ? "the server closed the connection"
			  : "connection lost: %s", uv_strerror((int)nread));
		return;
	}
	if (nread == 0)
		return;
	l->last_rx = uv_now(l->loop);
	if (c->tls) {
		if ((ended = tls_in(l, buf->base, (size_t)nread)) < 0)
			return;
	} else if (frame_feed(&c->fr, buf->base, (size_t)nread)) {
		link_error(l, "too_large", "frame over the limit", NULL);
		link_fail(l, "the server sent a frame over the limit");
		return;
	}
	/* One read may hold several frames; a handler may drop the
	 * connection, after which nothing more is read from it. */
	while (c->link && (r = frame_next(&c->fr, &f, &n)) != 0) {
		if (r < 0) {
			link_error(l, "too_large", "frame over the limit", NULL);
			link_fail(l, "the server sent a frame over the limit");
			return;
		}
		link_frame(l, f, n);
	}
	/* The session ended after its last frames: say how. */
	if (ended && c->link) {
		if (tls_error(c->tls)[0])
			link_fail(l, "TLS with %s failed: %s", l->server,
				  tls_error(c->tls));
		else
			link_fail(l, "the server ended the TLS session");
	}
}

void
link_pause(struct link *l)
{
	if (l->conn && l->conn->reading) {
		uv_read_stop((uv_stream_t *)&l->conn->tcp);
		l->conn->reading = 0;
	}
}

void
link_resume(struct link *l)
{
	if (l->conn && !l->conn->reading) {
		uv_read_start((uv_stream_t *)&l->conn->tcp, on_alloc, on_read);
		l->conn->reading = 1;
	}
}

static void
on_connect(uv_connect_t *req, int status)
{
	struct link_conn *c = req->data;
	struct link *l = c->link;
	char why[300];

	if (!l)
		return;
	if (status < 0) {
		if (l->ai_next) {
			next_address(l);
			return;
		}
		link_fail(l, "cannot connect to %s: %s", l->server,
			  uv_strerror(status));
		return;
	}
	uv_freeaddrinfo(l->ai);
	l->ai = l->ai_next = NULL;
	uv_tcp_nodelay(&c->tcp, 1);
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read)) {
		link_fail(l, "cannot read from the server");
		return;
	}
	c->reading = 1;
	l->phase_ms = l->last_rx = uv_now(l->loop);
	if (strcmp(l->pin, LINK_PIN_INSECURE) == 0) {
		snprintf(l->binding, sizeof l->binding, "%s", AUTH_BINDING_PLAIN);
		l->phase = LINK_PH_HELLO;
		link_hello(l);
		return;
	}
	/* One context for the link's life; one session per connection,
	 * which expects the pin and names it in the server name. */
	if (!l->tls && tls_client_ctx(&l->tls, why, sizeof why) < 0) {
		link_fail(l, "TLS: %s", why);
		return;
	}
	/* During a change of key the server may have moved to the next
	 * pin it announced, and no longer hold ours: that one will do too. */
	if (!(c->tls = tls_conn_new(l->tls, 0, l->pin)) ||
	    tls_conn_also_pin(c->tls, l->pin_next)) {
		link_fail(l, "out of memory");
		return;
	}
	l->phase = LINK_PH_TLS;
	tls_in(l, NULL, 0);
}

/* Connect to the next address the name resolved to. */
static void
try_address(struct link *l)
{
	struct addrinfo *ai = l->ai_next;
	struct link_conn *c;
	int rc;

	if (!ai) {
		link_fail(l, "cannot connect to %s", l->server);
		return;
	}
	l->ai_next = ai->ai_next;
	if (!(c = calloc(1, sizeof *c))) {
		link_fail(l, "out of memory");
		return;
	}
	frame_init(&c->fr, FRAME_MAX_HELLO);
	c->link = l;
	c->tcp.data = c;
	c->creq.data = c;
	if ((rc = uv_tcp_init(l->loop, &c->tcp))) {
		frame_free(&c->fr);
		free(c);
		link_fail(l, "cannot make a socket: %s", uv_strerror(rc));
		return;
	}
	l->conn = c;
	l->phase = LINK_PH_CONNECT;
	l->phase_ms = uv_now(l->loop);
	if ((rc = uv_tcp_connect(&c->creq, &c->tcp, ai->ai_addr, on_connect))) {
		if (l->ai_next) {
			next_address(l);
			return;
		}
		link_fail(l, "cannot connect to %s: %s", l->server, uv_strerror(rc));
	}
}

static void
on_resolved(uv_getaddrinfo_t *req, int status, struct addrinfo *res)
{
	struct link *l = req->data;

	free(req);
	l->gai = NULL;
	l->refs--;
	if (l->closing || (l->once && l->once->done) || l->reresolve) {
		if (res)
			uv_freeaddrinfo(res);
		if (l->reresolve && !l->closing) {
			l->reresolve = 0;
			uv_timer_stop(&l->retry);
			l->state = LINK_OFFLINE;
			l->message[0] = 0;
			l->backoff_ms = LINK_BACKOFF_MIN_MS;
			link_connect(l);
			return;
		}
		link_maybe_free(l);
		return;
	}
	if (status < 0) {
		link_fail(l, "cannot find the server %s: %s", l->host,
			  uv_strerror(status));
		return;
	}
	l->ai = l->ai_next = res;
	try_address(l);
}

void
link_connect(struct link *l)
{
	struct addrinfo hints;
	int rc;

	if (l->closing || l->conn || l->gai || (l->once && l->once->done))
		return;
	if (!l->locked)
		return;
	if ((rc = link_outbox_scan(l))) {
		link_fail(l, "cannot read the outbox: %s", db_why(l->db, rc));
		return;
	}
	rc = link_settings_load(l);
	if (rc <= 0) {
		if (rc == 0)
			link_note(l, "no server is set for this station");
		link_stop(l, DD_E_REFUSED, "%s", l->message);
		return;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (!(l->gai = malloc(sizeof *l->gai))) {
		link_fail(l, "out of memory");
		return;
	}
	l->gai->data = l;
	l->state = LINK_CONNECTING;
	l->phase = LINK_PH_RESOLVE;
	l->phase_ms = uv_now(l->loop);
	l->refs++;
	if ((rc = uv_getaddrinfo(l->loop, l->gai, on_resolved, l->host, l->port,
				 &hints))) {
		free(l->gai);
		l->gai = NULL;
		l->refs--;
		link_fail(l, "cannot find the server %s: %s", l->host,
			  uv_strerror(rc));
	}
}

/* ---- the heartbeat ---- */

void
link_timeouts(struct link *l, uint64_t now)
{
	switch (l->phase) {
	case LINK_PH_CONNECT:
	case LINK_PH_TLS:
	case LINK_PH_HELLO:
	case LINK_PH_AUTH:
		if (now - l->phase_ms >= SYNC_HANDSHAKE_MS)
			link_fail(l, "no answer from %s (handshake timed out)",
				  l->server);
		break;
	case LINK_PH_SYNC:
		if (now - l->last_rx >= SYNC_IDLE_MS) {
			link_fail(l, "nothing heard from the server for %d s",
				  SYNC_IDLE_MS / 1000);
			break;
		}
		if (now - l->last_tx >= SYNC_PING_MS)
			link_ping(l);
		break;
	default:
		break;
	}
}
