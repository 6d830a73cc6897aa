/*
 * client.c - the station's link to the county server, on a libuv loop:
 * resolve, connect, hello/challenge/auth/welcome, push the outbox in
 * order, pull from the cursor and apply what arrives in small
 * transactions, heartbeats, and reconnection with a jittered, growing
 * delay. The protocol is sync/PROTOCOL.md.
 *
 * Lifetimes. The link owns three handles (a one-second timer, a retry
 * timer and an idle handle that does the work in slices) and counts them
 * with every outstanding request in refs; it is freed when link_close()
 * has been called and refs falls to zero. Each connection is a struct
 * conn of its own, freed in its close callback; a conn the link has
 * given up is detached (conn->link = NULL), so a late callback of it
 * finds nobody to talk to.
 */
#include "sync/client.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "sync/sync.h"

enum phase { PH_IDLE, PH_RESOLVE, PH_CONNECT, PH_HELLO, PH_AUTH, PH_SYNC };

/* One TCP connection to the server. */
struct conn {
	uv_tcp_t tcp;
	uv_connect_t creq;
	struct link *link;      /* NULL once detached */
	struct framer fr;
	size_t queued;          /* bytes handed to uv_write, not yet done */
	int reading;
	char rbuf[64 * 1024];
};

struct wreq {
	uv_write_t req;
	struct conn *c;
	size_t n;
	char data[];
};

/* An operation received and not yet applied. */
struct pend {
	struct op op;
	int64_t sseq;
};

/* What link_sync_once() wants back. */
struct once {
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
	struct once *once;      /* link_sync_once: no reconnection */

	/* the settings, read again before each connection */
	char server[256], key_hex[SYNC_HEX];
	unsigned char key[SYNC_KEY_BYTES];
	char host[256], port[8];
	struct station_info si;

	uv_timer_t beat, retry;
	uv_idle_t work;
	int refs;
	int closing;

	struct conn *conn;
	uv_getaddrinfo_t *gai;
	int reresolve;          /* settings changed while resolving */
	struct addrinfo *ai, *ai_next;
	enum phase phase;
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
	struct pend *pend;
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

static void start_connect(struct link *l);
static void conn_fail(struct link *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void link_stop(struct link *l, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void push_more(struct link *l);
static void check_done(struct link *l);
static void on_work(uv_idle_t *h);

/* ---- small things ---- */

static int64_t
real_ms(void)
{
	return clock_real.now_ms(clock_real.ctx);
}

/* Formatted aside first: callers may pass the old message as an
 * argument. */
static void
set_msg(struct link *l, const char *fmt, va_list ap)
{
	char buf[sizeof l->message];

	vsnprintf(buf, sizeof buf, fmt, ap);
	memcpy(l->message, buf, sizeof buf);
}

static void
note_msg(struct link *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
note_msg(struct link *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_msg(l, fmt, ap);
	va_end(ap);
}

int
link_parse_server(const char *s, char *host, size_t hn, char *port, size_t pn)
{
	const char *colon, *h = s, *p;
	size_t len;
	long n = 0;

	if (!s || !(colon = strrchr(s, ':')))
		return -1;
	len = (size_t)(colon - s);
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		h = s + 1;
		len -= 2;
	}
	if (len == 0 || len >= hn || len > 253)
		return -1;
	for (p = h; p < h + len; p++)
		if (*p <= ' ' || *p == '/' || *p == 0x7f)
			return -1;
	p = colon + 1;
	if (!*p || strlen(p) > 5)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (*p - '0');
	}
	if (n < 1 || n > 65535 || pn < 6)
		return -1;
	memcpy(host, h, len);
	host[len] = 0;
	snprintf(port, pn, "%ld", n);
	return 0;
}

int
link_check_settings(const char *server, const char *key, char *why, size_t w)
{
	char host[256], port[8];
	unsigned char k[SYNC_KEY_BYTES];

	if (server && link_parse_server(server, host, sizeof host, port,
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

/* What a person asks about the link later (dutydesk status): kept in the
 * lock file, which only the holder writes. */
static void
note_write(struct link *l)
{
	char buf[128];
	int n;

	if (!l->locked)
		return;
	n = snprintf(buf, sizeof buf, "last_sync %lld\n",
		     (long long)l->last_sync);
	if (pwrite(l->lockfd, buf, (size_t)n, 0) == n)
		(void)!ftruncate(l->lockfd, n);
}

/* The refusals no officer has acknowledged yet, as the status line
 * counts them: read again whenever the database may have changed (an
 * officer acknowledges them with another connection). */
static void
refused_recount(struct link *l)
{
	int64_t n;

	if (l->db && replica_refusals_unseen(l->db, &n) == 0)
		l->refused = n;
}

/* ---- the settings and the outbox ---- */

/* 1 settings read and valid, 0 none, -1 invalid (message set). */
static int
settings_load(struct link *l)
{
	char server[256], key[128];
	int rc = replica_link(l->db, server, sizeof server, key, sizeof key);

	if (rc < 0) {
		note_msg(l, "cannot read the link settings: %s", db_why(l->db, rc));
		return -1;
	}
	if (rc == 0)
		return 0;
	snprintf(l->server, sizeof l->server, "%s", server);
	memcpy(l->key_hex, key, sizeof l->key_hex - 1);
	l->key_hex[sizeof l->key_hex - 1] = 0;
	if (link_parse_server(server, l->host, sizeof l->host, l->port,
			      sizeof l->port)) {
		note_msg(l, "the server '%.60s' is not HOST:PORT", server);
		return -1;
	}
	if (strlen(key) != SYNC_HEX - 1 || key_parse(key, l->key)) {
		note_msg(l, "the stored key is not 64 hex digits");
		return -1;
	}
	return 1;
}

/* How many of another incarnation wait (made before a restore, or a
 * county-wide drill's setup and injects, which this command station
 * delivers alike; in a drill's realm they grow as injects fire), and
 * where the acknowledged prefix of our own operations ends. */
static int
outbox_count(struct link *l, int64_t *first)
{
	return replica_outbox(l->db, l->si.incarnation, l->si.station, first,
			      &l->stranded, &l->stranded_drill);
}

static int
outbox_scan(struct link *l)
{
	int64_t first;
	int rc;

	if ((rc = station_identity(l->db, &l->si)) ||
	    (rc = outbox_count(l, &first)))
		return rc;
	l->seq = l->si.seq;
	l->acked_upto = first ? first - 1 : l->si.seq;
	return 0;
}

static void
refresh_seq(struct link *l)
{
	struct station_info si;

	if (station_identity(l->db, &si) == 0 &&
	    strcmp(si.incarnation, l->si.incarnation) == 0)
		l->seq = si.seq;
}

/* ---- writing ---- */

static void
on_written(uv_write_t *req, int status)
{
	struct wreq *w = (struct wreq *)req;

	(void)status; /* a failed write shows up as a failed read too */
	w->c->queued -= w->n;
	free(w);
}

static int
send_raw(struct link *l, const char *data, size_t n)
{
	struct conn *c = l->conn;
	struct wreq *w;
	uv_buf_t b;

	if (!c || uv_is_closing((uv_handle_t *)&c->tcp))
		return -1;
	if (c->queued + n > LINK_WRITE_MAX) {
		conn_fail(l, "the server does not read what is sent");
		return -1;
	}
	if (!(w = malloc(sizeof *w + n))) {
		conn_fail(l, "out of memory");
		return -1;
	}
	w->c = c;
	w->n = n;
	memcpy(w->data, data, n);
	b = uv_buf_init(w->data, (unsigned)n);
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &b, 1, on_written)) {
		free(w);
		conn_fail(l, "cannot write to the server");
		return -1;
	}
	c->queued += n;
	l->last_tx = uv_now(l->loop);
	return 0;
}

static int
send_msg(struct link *l, cJSON *m)
{
	size_t n;
	char *s = m ? msg_print(m, &n) : NULL;
	int rc;

	cJSON_Delete(m);
	if (!s) {
		conn_fail(l, "out of memory");
		return -1;
	}
	rc = send_raw(l, s, n);
	free(s);
	return rc;
}

static void
send_error(struct link *l, const char *code, const char *message,
	   const char *field)
{
	size_t n;
	char *s;

	if (!l->conn)
		return;
	s = msg_error(code, message, l->conn->fr.count, field, &n);
	if (s)
		send_raw(l, s, n);
	free(s);
}

static cJSON *
new_msg(const char *type)
{
	cJSON *m = cJSON_CreateObject();

	if (m)
		cJSON_AddStringToObject(m, "type", type);
	return m;
}

static void
add_i64(cJSON *m, const char *k, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof buf, "%" PRId64, v);
	cJSON_AddStringToObject(m, k, buf);
}

/* ---- connections ---- */

static void
on_conn_closed(uv_handle_t *h)
{
	struct conn *c = h->data;

	frame_free(&c->fr);
	free(c);
}

static void
pend_clear(struct link *l)
{
	size_t i;

	for (i = l->pend_head; i < l->npend; i++)
		op_clear(&l->pend[i].op);
	l->npend = l->pend_head = 0;
}

/* Forget the connection and the session's state. */
static void
conn_drop(struct link *l)
{
	struct conn *c = l->conn;

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
	pend_clear(l);
	l->phase = PH_IDLE;
	l->push_inflight = 0;
	l->live = 0;
	if (l->state == LINK_ONLINE || l->state == LINK_CONNECTING)
		l->state = LINK_OFFLINE;
}

static void
went_offline(struct link *l)
{
	if (l->state == LINK_ONLINE || !l->offline_since)
		l->offline_since = (int64_t)time(NULL);
}

static void
on_retry(uv_timer_t *h)
{
	start_connect(h->data);
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

static void
finish(struct link *l, int rc)
{
	if (!l->once || l->once->done)
		return;
	l->once->done = 1;
	l->once->rc = rc;
	snprintf(l->once->msg, sizeof l->once->msg, "%s", l->message);
	uv_idle_stop(&l->work);
	uv_stop(l->loop);
}

/* The connection is lost or given up: say why, try again later. */
static void
conn_fail(struct link *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_msg(l, fmt, ap);
	va_end(ap);
	went_offline(l);
	conn_drop(l);
	if (l->state == LINK_STOPPED)
		return;
	l->state = LINK_OFFLINE;
	if (l->once)
		finish(l, DD_E_SERVER);
	else
		schedule_retry(l);
}

/* Something only a person can fix: no more attempts until the settings
 * change. */
static void
link_stop(struct link *l, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_msg(l, fmt, ap);
	va_end(ap);
	went_offline(l);
	conn_drop(l);
	l->state = LINK_STOPPED;
	snprintf(l->stop_server, sizeof l->stop_server, "%s", l->server);
	snprintf(l->stop_key, sizeof l->stop_key, "%s", l->key_hex);
	uv_timer_stop(&l->retry);
	if (l->once)
		finish(l, rc);
}

static void try_address(struct link *l);

/* This address failed: give its connection up, try the next. */
static void
next_address(struct link *l)
{
	struct conn *c = l->conn;

	c->link = NULL;
	l->conn = NULL;
	uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
	try_address(l);
}

static void
on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	struct conn *c = h->data;

	(void)suggested;
	*buf = uv_buf_init(c->rbuf, sizeof c->rbuf);
}

static void handle_frame(struct link *l, char *f, size_t n);

static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct conn *c = s->data;
	struct link *l = c->link;
	char *f;
	size_t n;
	int r;

	if (!l)
		return;
	if (nread < 0) {
		conn_fail(l, nread == UV_EOF ? "the server closed the connection"
			  : "connection lost: %s", uv_strerror((int)nread));
		return;
	}
	if (nread == 0)
		return;
	l->last_rx = uv_now(l->loop);
	if (frame_feed(&c->fr, buf->base, (size_t)nread)) {
		send_error(l, "too_large", "frame over the limit", NULL);
		conn_fail(l, "the server sent a frame over the limit");
		return;
	}
	/* One read may hold several frames; a handler may drop the
	 * connection, after which nothing more is read from it. */
	while (c->link && (r = frame_next(&c->fr, &f, &n)) != 0) {
		if (r < 0) {
			send_error(l, "too_large", "frame over the limit", NULL);
			conn_fail(l, "the server sent a frame over the limit");
			return;
		}
		handle_frame(l, f, n);
	}
}

static void
on_connect(uv_connect_t *req, int status)
{
	struct conn *c = req->data;
	struct link *l = c->link;
	cJSON *m;

	if (!l)
		return;
	if (status < 0) {
		if (l->ai_next) {
			next_address(l);
			return;
		}
		conn_fail(l, "cannot connect to %s: %s", l->server,
			  uv_strerror(status));
		return;
	}
	uv_freeaddrinfo(l->ai);
	l->ai = l->ai_next = NULL;
	uv_tcp_nodelay(&c->tcp, 1);
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read)) {
		conn_fail(l, "cannot read from the server");
		return;
	}
	c->reading = 1;
	l->phase = PH_HELLO;
	l->phase_ms = l->last_rx = uv_now(l->loop);
	auth_nonce(l->nonce);
	m = new_msg("hello");
	cJSON_AddNumberToObject(m, "version", SYNC_VERSION);
	cJSON_AddStringToObject(m, "station", l->si.station);
	cJSON_AddStringToObject(m, "incarnation", l->si.incarnation);
	cJSON_AddStringToObject(m, "realm", l->si.realm);
	cJSON_AddStringToObject(m, "nonce", l->nonce);
	send_msg(l, m);
}

/* Connect to the next address the name resolved to. */
static void
try_address(struct link *l)
{
	struct addrinfo *ai = l->ai_next;
	struct conn *c;
	int rc;

	if (!ai) {
		conn_fail(l, "cannot connect to %s", l->server);
		return;
	}
	l->ai_next = ai->ai_next;
	if (!(c = calloc(1, sizeof *c))) {
		conn_fail(l, "out of memory");
		return;
	}
	frame_init(&c->fr, FRAME_MAX_HELLO);
	c->link = l;
	c->tcp.data = c;
	c->creq.data = c;
	if ((rc = uv_tcp_init(l->loop, &c->tcp))) {
		frame_free(&c->fr);
		free(c);
		conn_fail(l, "cannot make a socket: %s", uv_strerror(rc));
		return;
	}
	l->conn = c;
	l->phase = PH_CONNECT;
	l->phase_ms = uv_now(l->loop);
	if ((rc = uv_tcp_connect(&c->creq, &c->tcp, ai->ai_addr, on_connect))) {
		if (l->ai_next) {
			next_address(l);
			return;
		}
		conn_fail(l, "cannot connect to %s: %s", l->server, uv_strerror(rc));
	}
}

static void
maybe_free(struct link *l)
{
	if (l->closing && l->refs == 0)
		free(l);
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
			start_connect(l);
			return;
		}
		maybe_free(l);
		return;
	}
	if (status < 0) {
		conn_fail(l, "cannot find the server %s: %s", l->host,
			  uv_strerror(status));
		return;
	}
	l->ai = l->ai_next = res;
	try_address(l);
}

static void
start_connect(struct link *l)
{
	struct addrinfo hints;
	int rc;

	if (l->closing || l->conn || l->gai || (l->once && l->once->done))
		return;
	if (!l->locked)
		return;
	if ((rc = outbox_scan(l))) {
		conn_fail(l, "cannot read the outbox: %s", db_why(l->db, rc));
		return;
	}
	rc = settings_load(l);
	if (rc <= 0) {
		if (rc == 0)
			note_msg(l, "no server is set for this station");
		link_stop(l, DD_E_REFUSED, "%s", l->message);
		return;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (!(l->gai = malloc(sizeof *l->gai))) {
		conn_fail(l, "out of memory");
		return;
	}
	l->gai->data = l;
	l->state = LINK_CONNECTING;
	l->phase = PH_RESOLVE;
	l->phase_ms = uv_now(l->loop);
	l->refs++;
	if ((rc = uv_getaddrinfo(l->loop, l->gai, on_resolved, l->host, l->port,
				 &hints))) {
		free(l->gai);
		l->gai = NULL;
		l->refs--;
		conn_fail(l, "cannot find the server %s: %s", l->host,
			  uv_strerror(rc));
	}
}

/* ---- the handshake ---- */

static void
on_challenge(struct link *l, const cJSON *m)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "version");
	const char *nonce = cJSON_GetObjectItemCaseSensitive(m, "nonce")->valuestring;
	const char *proof = cJSON_GetObjectItemCaseSensitive(m, "proof")->valuestring;
	char want[SYNC_HEX], mine[SYNC_HEX];
	cJSON *a;

	if (v->valuedouble != SYNC_VERSION) {
		link_stop(l, DD_E_REFUSED, "the server speaks protocol version %.0f, "
			  "this station %d", v->valuedouble, SYNC_VERSION);
		return;
	}
	if (strlen(nonce) != SYNC_HEX - 1) {
		send_error(l, "bad_frame", "nonce: not 64 hex digits", "nonce");
		conn_fail(l, "the server sent a bad challenge");
		return;
	}
	/* The server proves it holds our key over our fresh nonce before we
	 * show anything of ours: a server that cannot is not ours. */
	auth_proof(l->key, AUTH_SERVER_LABEL, l->si.station, l->si.realm,
		   l->nonce, nonce, want);
	if (!auth_equal(want, proof)) {
		link_stop(l, DD_E_REFUSED, "authentication failed: the server at %s "
			  "does not hold this station's key (wrong key, or "
			  "station %s unknown to it)", l->server, l->si.station);
		return;
	}
	auth_proof(l->key, AUTH_STATION_LABEL, l->si.station, l->si.realm, nonce,
		   l->nonce, mine);
	a = new_msg("auth");
	cJSON_AddStringToObject(a, "proof", mine);
	if (send_msg(l, a) == 0)
		l->phase = PH_AUTH;
}

/* Does the welcome's last operation differ from ours at that seq? 1
 * diverged (l->last_seq says where), 0 the same or nothing to compare
 * (an older server, nothing stored), -1 the connection failed. */
static int
welcome_diverged(struct link *l, const cJSON *m)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(m, "last_digest");
	int has_seq = cJSON_GetObjectItemCaseSensitive(m, "last_seq") != NULL;
	char mine[SYNC_HEX];
	int64_t seq = 0;
	int rc;

	if (!d && !has_seq)
		return 0;
	if (!d || !msg_i64(m, "last_seq", &seq) || seq < 1 ||
	    strlen(d->valuestring) != SYNC_HEX - 1 ||
	    strspn(d->valuestring, "0123456789abcdef") != SYNC_HEX - 1) {
		send_error(l, "bad_frame", "last_seq and last_digest go together: "
			   "a sequence and 64 hex digits", d ? "last_seq"
			   : "last_digest");
		conn_fail(l, "the server sent a bad welcome (last_seq, "
			  "last_digest)");
		return -1;
	}
	l->last_seq = seq;
	rc = replica_digest(l->db, l->si.station, l->si.incarnation, seq, mine);
	if (rc < 0) {
		conn_fail(l, "cannot read the operation log: %s", db_why(l->db, rc));
		return -1;
	}
	return rc == 0 || strcmp(mine, d->valuestring) != 0;
}

static void
on_welcome(struct link *l, const cJSON *m)
{
	const char *history = cJSON_GetObjectItemCaseSensitive(m, "history")->valuestring;
	int64_t have = 0, head = 0, now = 0, after = 0;
	int changed = 0, rewound = 0, rc;
	cJSON *p;

	msg_i64(m, "have", &have);
	msg_i64(m, "head", &head);
	if (msg_i64(m, "now", &now)) {
		l->skew_ms = now - real_ms();
		l->skew_known = 1;
	}
	if ((rc = outbox_scan(l))) {
		conn_fail(l, "cannot read the outbox: %s", db_why(l->db, rc));
		return;
	}
	if (have > l->si.seq) {
		/* The server holds operations of ours we do not: pushing would
		 * offer other operations under the same numbers. */
		link_stop(l, DD_E_REFUSED, "server ahead of this station: it holds "
			  "%" PRId64 " operations of this incarnation, this station "
			  "made %" PRId64 " (was the database copied without "
			  "'dutydesk restore'?)", have, l->si.seq);
		return;
	}
	/* As many or fewer, but not the same ones: a copy that went on on
	 * its own. Its next pushes would be skipped as held, or taken after
	 * another's history. */
	if ((rc = welcome_diverged(l, m))) {
		if (rc > 0)
			link_stop(l, DD_E_REFUSED, "diverged from the server: its "
				  "operation %" PRId64 " of this incarnation is not "
				  "the one this station made (was the database "
				  "copied without 'dutydesk restore'?)", l->last_seq);
		return;
	}
	if ((rc = replica_history(l->db, history, &changed)) ||
	    (rc = replica_cursor(l->db, &after))) {
		conn_fail(l, "cannot note the server's history: %s", db_why(l->db, rc));
		return;
	}
	/* Same history, but the server holds less than it once said: it was
	 * put back without a new history id (a copied file). Treated as a
	 * new history, or what it numbers anew below our cursor would never
	 * be pulled and what it lost of ours never offered again. */
	if (!changed && (have < l->acked_upto || head < after)) {
		if ((rc = replica_reset(l->db))) {
			conn_fail(l, "cannot note the server's history: %s",
				  db_why(l->db, rc));
			return;
		}
		changed = 1;
		rewound = 1;
	}
	if (changed && (rc = outbox_scan(l))) {
		conn_fail(l, "cannot read the outbox: %s", db_why(l->db, rc));
		return;
	}
	/* What the server holds is acknowledged, whatever we thought. */
	if (have > l->acked_upto) {
		if ((rc = replica_ack(l->db, have, NULL, 0))) {
			conn_fail(l, "cannot store the acknowledgement: %s",
				  db_why(l->db, rc));
			return;
		}
		l->acked_upto = have;
	}
	l->message[0] = 0;
	if (rewound)
		note_msg(l, "the server went back in its history without a new id; "
			 "everything is offered and pulled again");
	else if (l->stranded > l->stranded_drill)
		note_msg(l, "%" PRId64 " operation(s) from before a restore to "
			 "deliver", l->stranded - l->stranded_drill);
	l->pushed_upto = l->acked_upto;
	l->phase = PH_SYNC;
	l->old_stuck = 0;
	l->state = LINK_ONLINE;
	l->backoff_ms = LINK_BACKOFF_MIN_MS;
	frame_set_limit(&l->conn->fr, FRAME_MAX);
	push_more(l);
	if (!l->conn)
		return;
	if ((rc = replica_cursor(l->db, &after))) {
		conn_fail(l, "cannot read the pull cursor: %s", db_why(l->db, rc));
		return;
	}
	p = new_msg("pull");
	add_i64(p, "after", after);
	send_msg(l, p);
}

/* ---- push ---- */

struct batch {
	const char *inc;
	int64_t after, first, last;
	int count, more;
	char *buf;
	size_t len, cap;
};

static int
batch_cb(const struct op *op, void *ctx)
{
	struct batch *b = ctx;
	cJSON *j;
	char *s;
	size_t n;

	if (strcmp(op->incarnation, b->inc) != 0 || op->seq <= b->after)
		return 0;
	if (b->count == SYNC_BATCH) {
		b->more = 1;
		return 1;
	}
	if (b->count > 0 && op->seq != b->last + 1)
		return 1; /* a hole: send up to it, the ack tells the rest */
	if (!(j = op_to_json(op)) || !(s = cJSON_PrintUnformatted(j))) {
		cJSON_Delete(j);
		return DD_E_NOMEM;
	}
	cJSON_Delete(j);
	n = strlen(s);
	/* A frame stays under the limit the server reads with. */
	if (b->len + n + 64 > FRAME_MAX) {
		free(s);
		if (b->count == 0)
			return DD_E_INVALID;
		b->more = 1;
		return 1;
	}
	if (b->len + n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap : 16384;
		char *nb;
		while (cap < b->len + n + 2)
			cap *= 2;
		if (!(nb = realloc(b->buf, cap))) {
			free(s);
			return DD_E_NOMEM;
		}
		b->buf = nb;
		b->cap = cap;
	}
	if (b->count)
		b->buf[b->len++] = ',';
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	free(s);
	if (!b->count)
		b->first = op->seq;
	b->last = op->seq;
	b->count++;
	return 0;
}

/* The first waiting operation of another incarnation than ours names
 * the incarnation to deliver next. */
struct oldest {
	const char *cur;
	char *out;
};

static int
oldest_cb(const struct op *op, void *ctx)
{
	struct oldest *o = ctx;

	if (strcmp(op->incarnation, o->cur) == 0)
		return 0;
	snprintf(o->out, 17, "%s", op->incarnation);
	return 1;
}

/* Send the next batch of the outbox, one push in flight at a time. */
static void
push_more(struct link *l)
{
	static const char head[] = "{\"type\":\"push\",\"ops\":[";
	struct batch b;
	int64_t first;
	char *frame;
	int rc;

	if (l->phase != PH_SYNC || l->push_inflight || !l->conn)
		return;
	if (realm_is_drill(l->si.realm) && (rc = outbox_count(l, &first)) < 0) {
		conn_fail(l, "cannot read the outbox: %s", db_why(l->db, rc));
		return;
	}
	memset(&b, 0, sizeof b);
	b.inc = l->si.incarnation;
	b.after = l->pushed_upto;
	/* Operations of an earlier incarnation (from before a restore) go
	 * first, one incarnation per push; the server skips what it has. */
	l->old_inc[0] = 0;
	if (l->stranded > 0 && !l->old_stuck) {
		struct oldest o = { l->si.incarnation, l->old_inc };
		if ((rc = op_each(l->db, 1, oldest_cb, &o)) < 0) {
			conn_fail(l, "cannot read the outbox: %s", db_why(l->db, rc));
			return;
		}
	}
	if (l->old_inc[0]) {
		b.inc = l->old_inc;
		b.after = 0;
	}
	rc = op_each(l->db, 1, batch_cb, &b);
	if (rc < 0) {
		free(b.buf);
		if (rc == DD_E_INVALID)
			link_stop(l, DD_E_REFUSED, "operation %" PRId64 " is too large "
				  "to send", l->pushed_upto + 1);
		else
			conn_fail(l, "cannot read the outbox: %s", db_why(l->db, rc));
		return;
	}
	l->outbox_more = b.count > 0;
	if (b.count == 0) {
		free(b.buf);
		check_done(l);
		return;
	}
	if (!(frame = malloc(sizeof head + b.len + 4))) {
		free(b.buf);
		conn_fail(l, "out of memory");
		return;
	}
	memcpy(frame, head, sizeof head - 1);
	memcpy(frame + sizeof head - 1, b.buf, b.len);
	memcpy(frame + sizeof head - 1 + b.len, "]}\n", 3);
	free(b.buf);
	if (send_raw(l, frame, sizeof head - 1 + b.len + 3) == 0) {
		l->push_inflight = 1;
		l->old_inflight = b.inc == l->old_inc;
		l->old_first = b.first;
		if (!l->old_inflight)
			l->pushed_upto = b.last;
	}
	free(frame);
}

/* The ack's refusals as core stores them, checked whole first: *out
 * (caller frees; its strings are the frame's) and *n, or -1 after the
 * connection was given up. */
static int
ack_refusals(struct link *l, const cJSON *refused, int64_t upto,
	     struct refusal **out, size_t *n)
{
	size_t cnt = (size_t)cJSON_GetArraySize(refused), k = 0;
	const cJSON *r;
	struct refusal *v;

	*out = NULL;
	*n = 0;
	if (cnt == 0)
		return 0;
	if (!(v = calloc(cnt, sizeof *v))) {
		conn_fail(l, "out of memory");
		return -1;
	}
	cJSON_ArrayForEach(r, refused) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(r, "message");
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(r, "code");
		if (!cJSON_IsObject(r) || !msg_i64(r, "seq", &v[k].seq) ||
		    (code && !cJSON_IsString(code)) || (msg && !cJSON_IsString(msg)) ||
		    v[k].seq > upto) {
			free(v);
			send_error(l, "bad_frame", "refused: not {seq, code, message}",
				   "refused");
			conn_fail(l, "the server sent a bad ack (frame %" PRIu64 ")",
				  l->conn ? l->conn->fr.count : 0);
			return -1;
		}
		v[k].code = code ? code->valuestring : NULL;
		v[k].message = msg ? msg->valuestring : NULL;
		k++;
	}
	*out = v;
	*n = k;
	return 0;
}

/* What an earlier incarnation's push delivered: marked as delivered,
 * and what still waits is counted again. */
static void
ack_old(struct link *l, const cJSON *m, int64_t upto,
	const struct refusal *ref, size_t nr)
{
	const cJSON *inc = cJSON_GetObjectItemCaseSensitive(m, "incarnation");
	int rc;

	if (!cJSON_IsString(inc) || strcmp(inc->valuestring, l->old_inc)) {
		send_error(l, "bad_frame", "incarnation: not the one pushed",
			   "incarnation");
		conn_fail(l, "the server acknowledged another incarnation");
		return;
	}
	if ((rc = replica_ack_inc(l->db, l->old_inc, upto, ref, nr)) ||
	    (rc = outbox_scan(l))) {
		conn_fail(l, "cannot store the acknowledgement: %s",
			  db_why(l->db, rc));
		return;
	}
	/* Nothing delivered (the server lacks what comes before them):
	 * not offered again on this connection, and said. Counted by
	 * what the ack covers, not by what waits: a drill's injects may
	 * have joined the outbox meanwhile. */
	if (upto < l->old_first) {
		l->old_stuck = 1;
		note_msg(l, "%" PRId64 " operation(s) from before a restore "
			 "cannot be delivered", l->stranded);
	}
	l->push_inflight = l->old_inflight = 0;
	refused_recount(l);
	push_more(l);
	check_done(l);
}

static void
on_ack(struct link *l, const cJSON *m)
{
	const cJSON *refused = cJSON_GetObjectItemCaseSensitive(m, "refused");
	struct refusal *ref = NULL;
	const char *first = NULL;
	int64_t upto = 0, nref;
	size_t nr;
	int rc;

	msg_i64(m, "upto", &upto);
	if (!l->push_inflight) {
		send_error(l, "order", "ack without a push", NULL);
		conn_fail(l, "the server acknowledged a push never sent");
		return;
	}
	/* The whole frame is checked before anything is stored. */
	if (ack_refusals(l, refused, upto, &ref, &nr))
		return;
	nref = (int64_t)nr;
	if (nr)
		first = ref[0].message ? ref[0].message
			: ref[0].code ? ref[0].code : "refused";
	if (l->old_inflight) {
		ack_old(l, m, upto, ref, nr);
		goto out;
	}
	if (upto > l->seq) {
		refresh_seq(l);
		if (upto > l->seq) {
			link_stop(l, DD_E_REFUSED, "server ahead of this station: it "
				  "acknowledged %" PRId64 ", this station made %" PRId64,
				  upto, l->seq);
			goto out;
		}
	}
	if (upto < l->acked_upto) {
		send_error(l, "bad_frame", "upto: below an earlier ack", "upto");
		conn_fail(l, "the server acknowledged less than before");
		goto out;
	}
	if ((rc = replica_ack(l->db, upto, ref, nr))) {
		conn_fail(l, "cannot store the acknowledgement: %s", db_why(l->db, rc));
		goto out;
	}
	l->push_inflight = 0;
	if (upto > l->acked_upto) {
		l->pushed += upto - l->acked_upto - nref;
		l->acked_upto = upto;
	}
	/* Not all taken (a gap the server reported): offer the rest again. */
	if (upto < l->pushed_upto)
		l->pushed_upto = upto;
	if (nref) {
		refused_recount(l);
		note_msg(l, "the server refused %" PRId64 " operation(s): %.100s",
			 nref, first ? first : "refused");
		if (!l->refused_now)
			snprintf(l->first_refusal, sizeof l->first_refusal, "%s", first);
		l->refused_now += nref;
		l->change_due = 1;
		uv_idle_start(&l->work, on_work);
	}
	push_more(l);
	check_done(l);
out:
	free(ref);
}

/* ---- pull ---- */

static const char *const op_members[] = { "station", "incarnation", "seq",
	"hlc", "realm", "officer", "kind", "entity", "body", "sseq", NULL };

static int
check_op(const cJSON *o, const char *realm, struct pend *p, char *why,
	 size_t w)
{
	const cJSON *v;
	int i, n = 0;

	if (!cJSON_IsObject(o)) {
		snprintf(why, w, "not an object");
		return -1;
	}
	cJSON_ArrayForEach(v, o) {
		for (i = 0; op_members[i]; i++)
			if (v->string && strcmp(v->string, op_members[i]) == 0)
				break;
		if (!op_members[i]) {
			snprintf(why, w, "%.40s: not a member of an operation",
				 v->string ? v->string : "?");
			return -1;
		}
		n++;
	}
	if (n != 10) {
		snprintf(why, w, "not exactly the members of an operation");
		return -1;
	}
	if (!msg_i64(o, "sseq", &p->sseq) || p->sseq <= 0) {
		snprintf(why, w, "sseq: not a server sequence");
		return -1;
	}
	if (op_from_json(o, &p->op)) {
		snprintf(why, w, "a member missing or mistyped");
		return -1;
	}
	if (strcmp(p->op.realm, realm) != 0) {
		op_clear(&p->op);
		snprintf(why, w, "realm: '%.40s' in a '%.40s' session", p->op.realm,
			 realm);
		return -1;
	}
	return 0;
}

static void
on_ops(struct link *l, const cJSON *m)
{
	const cJSON *ops = cJSON_GetObjectItemCaseSensitive(m, "ops"), *o;
	size_t n = (size_t)cJSON_GetArraySize(ops), k = 0, i;
	char why[160], field[32];

	if (n > SYNC_BATCH) {
		send_error(l, "bad_frame", "more operations than a batch", "ops");
		conn_fail(l, "the server sent more than %d operations in a frame",
			  SYNC_BATCH);
		return;
	}
	if (l->npend + n > l->pend_cap) {
		size_t cap = l->pend_cap ? l->pend_cap : 512;
		struct pend *np;
		while (cap < l->npend + n)
			cap *= 2;
		if (!(np = realloc(l->pend, cap * sizeof *np))) {
			conn_fail(l, "out of memory");
			return;
		}
		l->pend = np;
		l->pend_cap = cap;
	}
	/* Every operation is checked before any is queued. */
	cJSON_ArrayForEach(o, ops) {
		if (check_op(o, l->si.realm, &l->pend[l->npend + k], why,
			     sizeof why)) {
			for (i = 0; i < k; i++)
				op_clear(&l->pend[l->npend + i].op);
			snprintf(field, sizeof field, "ops[%zu]", k);
			send_error(l, "bad_frame", why, field);
			conn_fail(l, "the server sent a bad operation (frame %" PRIu64
				  ", %s: %s)", l->conn ? l->conn->fr.count : 0,
				  field, why);
			return;
		}
		k++;
	}
	l->npend += k;
	if (l->npend - l->pend_head > LINK_PENDING_MAX && l->conn &&
	    l->conn->reading) {
		/* Stop reading while the work waits: TCP holds the rest. */
		uv_read_stop((uv_stream_t *)&l->conn->tcp);
		l->conn->reading = 0;
	}
	uv_idle_start(&l->work, on_work);
}

static void
caught_up(struct link *l)
{
	l->last_sync = (int64_t)time(NULL);
	note_write(l);
	check_done(l);
}

static void
on_live(struct link *l)
{
	l->live = 1;
	if (l->pend_head == l->npend)
		caught_up(l);
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
		struct pend *p = &l->pend[i];
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
		conn_fail(l, "cannot apply what the server sent: %s", db_why(l->db, rc));
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
		note_msg(l, "%" PRId64 " operation(s) from the server could not be "
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
		if (l->conn && !l->conn->reading) {
			uv_read_start((uv_stream_t *)&l->conn->tcp, on_alloc, on_read);
			l->conn->reading = 1;
		}
		if (l->live)
			caught_up(l);
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
		refresh_seq(l);
		push_more(l);
	}
	if (l->npend == 0 && !l->push_wanted && !l->change_due)
		uv_idle_stop(h);
}

/* ---- frames ---- */

static void
on_error_frame(struct link *l, const cJSON *m)
{
	const char *code = cJSON_GetObjectItemCaseSensitive(m, "code")->valuestring;
	const cJSON *mm = cJSON_GetObjectItemCaseSensitive(m, "message");
	const char *text = cJSON_IsString(mm) ? mm->valuestring : "";

	if (strcmp(code, "auth_failed") == 0 || strcmp(code, "version") == 0 ||
	    strcmp(code, "forged") == 0 || strcmp(code, "no_realm") == 0)
		link_stop(l, DD_E_REFUSED, "server: %.20s: %.120s", code, text);
	else if (strcmp(code, "gap") == 0)
		/* The server keeps the connection: the ack before this error
		 * said what it holds, and the outbox is offered from there. */
		note_msg(l, "server: gap: %.120s", text);
	else
		conn_fail(l, "server: %.20s: %.120s", code, text);
}

static void
handle_frame(struct link *l, char *f, size_t n)
{
	char why[160];
	cJSON *m = NULL;
	int t = msg_parse(f, n, &m, why, sizeof why);
	uint64_t no = l->conn->fr.count;

	if (t < 0) {
		send_error(l, "bad_frame", why, NULL);
		conn_fail(l, "the server sent a bad frame %" PRIu64 ": %s", no, why);
		return;
	}
	switch (t) {
	case MSG_ERROR:
		on_error_frame(l, m);
		break;
	case MSG_PING: {
		cJSON *p = new_msg("pong");
		add_i64(p, "now", real_ms());
		send_msg(l, p);
		break;
	}
	case MSG_PONG: {
		int64_t now;
		if (msg_i64(m, "now", &now)) {
			l->skew_ms = now - real_ms();
			l->skew_known = 1;
		}
		break;
	}
	case MSG_CHALLENGE:
		if (l->phase != PH_HELLO)
			goto order;
		on_challenge(l, m);
		break;
	case MSG_WELCOME:
		if (l->phase != PH_AUTH)
			goto order;
		on_welcome(l, m);
		break;
	case MSG_ACK:
		if (l->phase != PH_SYNC)
			goto order;
		on_ack(l, m);
		break;
	case MSG_OPS:
		if (l->phase != PH_SYNC)
			goto order;
		on_ops(l, m);
		break;
	case MSG_LIVE:
		if (l->phase != PH_SYNC)
			goto order;
		on_live(l);
		break;
	default:
	order:
		send_error(l, "order", "not expected here", NULL);
		conn_fail(l, "the server sent '%s' out of order (frame %" PRIu64 ")",
			  msg_type_name(t), no);
	}
	cJSON_Delete(m);
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
			start_connect(l);
		}
	}
	/* Another program made an operation: count it and send it. */
	if (db_data_version(l->db, &v) == 0 && v != l->data_version) {
		l->data_version = v;
		refused_recount(l);
		l->push_wanted = 1;
		uv_idle_start(&l->work, on_work);
	}
	switch (l->phase) {
	case PH_CONNECT:
	case PH_HELLO:
	case PH_AUTH:
		if (now - l->phase_ms >= SYNC_HANDSHAKE_MS)
			conn_fail(l, "no answer from %s (handshake timed out)",
				  l->server);
		break;
	case PH_SYNC:
		if (now - l->last_rx >= SYNC_IDLE_MS) {
			conn_fail(l, "nothing heard from the server for %d s",
				  SYNC_IDLE_MS / 1000);
			break;
		}
		if (now - l->last_tx >= SYNC_PING_MS)
			send_msg(l, new_msg("ping"));
		break;
	default:
		break;
	}
}

static void
on_handle_closed(uv_handle_t *h)
{
	struct link *l = h->data;

	l->refs--;
	maybe_free(l);
}

/* ---- done? (link_sync_once) ---- */

static void
check_done(struct link *l)
{
	if (!l->once || l->once->done || l->phase != PH_SYNC || !l->live ||
	    l->pend_head != l->npend || l->push_inflight || l->outbox_more)
		return;
	if (l->refused_now)
		snprintf(l->message, sizeof l->message, "pushed %" PRId64 ", pulled %"
			 PRId64 ", refused %" PRId64 " (%.100s)", l->pushed, l->pulled,
			 l->refused_now, l->first_refusal);
	else
		snprintf(l->message, sizeof l->message, "pushed %" PRId64 ", pulled %"
			 PRId64 ", refused 0", l->pushed, l->pulled);
	finish(l, l->refused_now ? DD_E_REFUSED : 0);
}

/* ---- the door ---- */

static int
link_new(uv_loop_t *loop, const char *dbpath, const char *officer,
	 struct once *once, void (*on_change)(void *), void *ctx,
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
	rc = settings_load(l);
	if (rc == 0)
		goto fail; /* an offline station */
	rc = 0;
	if (l->message[0]) {
		/* Bad settings: said at once, tried again when changed. */
		l->state = LINK_STOPPED;
		snprintf(l->stop_server, sizeof l->stop_server, "%s", l->server);
		snprintf(l->stop_key, sizeof l->stop_key, "%s", l->key_hex);
	}
	if ((rc = outbox_scan(l))) {
		if (once)
			snprintf(once->msg, sizeof once->msg, "%s", db_why(l->db, rc));
		goto fail;
	}
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
		note_msg(l, "link held by another console");
	} else {
		if (held < 0)
			l->locked = 1; /* no lock can be made: run without */
		if (l->state != LINK_STOPPED) {
			l->state = LINK_CONNECTING;
			start_connect(l);
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
	st->skew_known = l->skew_known;
	st->skew_ms = l->skew_ms;
	snprintf(st->server, sizeof st->server, "%s", l->server);
	snprintf(st->message, sizeof st->message, "%s", l->message);
}

void
link_poke(struct link *l)
{
	char server[256], key[128];
	int changed;

	if (!l || l->closing)
		return;
	refresh_seq(l);
	refused_recount(l);
	if (!l->locked)
		return; /* another console's link: the beat takes over later */
	/* Settings changed since (dutydesk link): a stopped link starts
	 * again, a running one goes to the new server now. One meta read. */
	changed = replica_link(l->db, server, sizeof server, key, sizeof key) == 1 &&
		(strcmp(server, l->state == LINK_STOPPED ? l->stop_server
			: l->server) ||
		 strcmp(key, l->state == LINK_STOPPED ? l->stop_key : l->key_hex));
	if (changed) {
		went_offline(l);
		conn_drop(l);
		if (l->gai) {
			/* Resolving the old name: start over when it is done. */
			l->reresolve = 1;
			return;
		}
		uv_timer_stop(&l->retry);
		l->state = LINK_OFFLINE;
		l->message[0] = 0;
		l->backoff_ms = LINK_BACKOFF_MIN_MS;
		start_connect(l);
		return;
	}
	if (l->state == LINK_STOPPED)
		return;
	l->push_wanted = 1;
	uv_idle_start(&l->work, on_work);
}

void
link_close(struct link *l)
{
	if (!l || l->closing)
		return;
	l->closing = 1;
	conn_drop(l);
	pend_clear(l);
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

static void
on_deadline(uv_timer_t *h)
{
	struct link *l = h->data;
	char why[160];

	snprintf(why, sizeof why, "%s", l->message);
	note_msg(l, "no sync within the time allowed%s%.120s", why[0] ? ": " : "",
		 why);
	conn_drop(l);
	finish(l, DD_E_SERVER);
}

static void
on_deadline_closed(uv_handle_t *h)
{
	(void)h;
}

int
link_sync_once(const char *dbpath, int timeout_ms, char *msg, size_t n)
{
	struct once once;
	struct link *l = NULL;
	uv_loop_t loop;
	uv_timer_t deadline;
	int rc;

	memset(&once, 0, sizeof once);
	if (uv_loop_init(&loop)) {
		snprintf(msg, n, "cannot make an event loop");
		return DD_E_NOMEM;
	}
	rc = link_new(&loop, dbpath, NULL, &once, NULL, NULL, &l);
	if (rc || !l) {
		if (!rc) {
			snprintf(once.msg, sizeof once.msg, "no server is set for this "
				 "station (dutydesk link --server HOST:PORT --key KEY)");
			rc = DD_E_REFUSED;
		}
		goto out;
	}
	if (!l->locked) {
		snprintf(once.msg, sizeof once.msg, "the link of this database is "
			 "held by a running console, which syncs it already");
		rc = DD_E_DB_BUSY;
		goto close;
	}
	if (l->state == LINK_STOPPED) {
		snprintf(once.msg, sizeof once.msg, "%s", l->message);
		rc = DD_E_REFUSED;
		goto close;
	}
	uv_timer_init(&loop, &deadline);
	deadline.data = l;
	uv_timer_start(&deadline, on_deadline, (uint64_t)timeout_ms, 0);
	if (!once.done)
		uv_run(&loop, UV_RUN_DEFAULT);
	uv_close((uv_handle_t *)&deadline, on_deadline_closed);
	if (!once.done) {
		/* The loop ran dry without an answer (cannot happen while the
		 * beat timer runs; kept for safety). */
		snprintf(once.msg, sizeof once.msg, "sync ended without an answer");
		once.rc = DD_E_SERVER;
	}
	rc = once.rc;
close:
	link_close(l);
out:
	/* Run until every handle and request of the link has closed (a
	 * uv_stop() left from the exchange ends the first run early). */
	while (uv_run(&loop, UV_RUN_DEFAULT) != 0)
		;
	if (uv_loop_close(&loop) != 0 && !rc) {
		snprintf(once.msg, sizeof once.msg, "the sync left a handle open");
		rc = DD_E_IO;
	}
	snprintf(msg, n, "%s", once.msg);
	return rc;
}
