/*
 * wirelib.h - what test_server.c and test_wirefault.c share to drive the
 * real server binary ($DUTYDESKD_BIN, default ./dutydeskd) over plain
 * blocking sockets on 127.0.0.1: starting and waiting for processes, and
 * a station's side of the wire (connect, send, receive frames, the
 * handshake). Include it after testlib.h. Every wait is a poll with a
 * timeout, so a broken server fails the test, never hangs it.
 *
 * The including file sets bin (the server binary) and log_path (where
 * the server's stderr goes) in its setup, and port once the server is
 * started; cli_open connects to port.
 *
 * Plain or TLS: after wire_tls_setup() (a key made once with `dutydeskd
 * cert --out`, its pin kept), server_start runs the server with --cert
 * and cli_open makes a TLS handshake that checks that pin, after which
 * cli_send and cli_recv go through the session and the proofs of
 * protocol 2 cover its exporter. Without it, or for one server started
 * with server_start_plain, the server runs with --insecure and the
 * connections are plain. cli_send_raw writes bytes on the socket as
 * they are, for a test that speaks broken TLS.
 */
#ifndef DUTYDESK_WIRELIB_H
#define DUTYDESK_WIRELIB_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "sync/sync.h"
#include "sync/tls.h"

/* How long a single wait on the server may take before the test fails. */
#define WAIT_MS 5000

/* The server binary, its keys file, database and stderr log, its pid
 * and port: set by wire_setup() and the including file. */
static const char *bin;
static char log_path[600], keys_path[600], db_path[600];
static int port;
static pid_t srv_pid = -1;
/* A second server a test starts for itself, killed at teardown if the
 * test failed before it stopped it. */
static pid_t srv2_pid = -1;
/* TLS (wire_tls_setup): the server's key file and its pin, the
 * stations' context; wire_tls says whether server_start and cli_open
 * speak it. */
static int wire_tls;
static char cert_path[600], wire_pin[TLS_PIN_SIZE];
static struct tls_ctx *wire_cctx;

/* ---- processes ---- */

/* Monotonic milliseconds, for the deadlines of every wait. */
static __attribute__((unused)) int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep ms milliseconds between polls of a child or the server. */
static __attribute__((unused)) void
nap(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait for a child up to ms: its exit code, -1 on timeout, -2 when it
 * died of a signal. */
static __attribute__((unused)) int
child_wait(pid_t pid, int ms)
{
	int64_t end = now_ms() + ms;
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -2;
		if (r < 0 || now_ms() > end)
			return -1;
		nap(10);
	}
}

/* Run the program prog with args; *out gets its stdout (caller frees),
 * its stderr goes to cmd.err. Returns its exit code. */
static __attribute__((unused)) int
run_prog(const char *prog, char **out, const char *const *args)
{
	const char *argv[16];
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int p[2], i, rc;
	pid_t pid;

	argv[0] = prog;
	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int e = open(tpath("cmd.err"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(p[1], 1);
		if (e >= 0)
			dup2(e, 2);
		close(p[0]);
		execv(prog, (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pf = { p[0], POLLIN, 0 };
		ssize_t n;
		if (poll(&pf, 1, 10000) <= 0)
			break;
		if (len + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 131072;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		if ((n = read(p[0], buf + len, 65536)) <= 0)
			break;
		len += (size_t)n;
	}
	close(p[0]);
	rc = child_wait(pid, 10000);
	if (out) {
		if (!buf)
			buf = calloc(1, 1);
		buf[len] = 0;
		*out = buf;
	} else {
		free(buf);
	}
	return rc;
}

/* Run dutydeskd with args, as run_prog does. */
static __attribute__((unused)) int
run(char **out, const char *const *args)
{
	return run_prog(bin, out, args);
}

/* A loopback port free right now, so runs in parallel do not clash. */
static __attribute__((unused)) int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), p;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	p = ntohs(a.sin_port);
	close(fd);
	return p;
}

/* Start the server, with TLS (tls, the key of wire_tls_setup) or plain
 * (--insecure); its stderr is appended to the log. extra1 and extra2,
 * when not NULL, are added to its arguments. */
static __attribute__((unused)) pid_t
server_start_as(int tls, const char *keys, const char *db, int at_port,
		const char *extra1, const char *extra2)
{
	char listen[64];
	const char *argv[16];
	int n = 0;
	pid_t pid;

	snprintf(listen, sizeof listen, "127.0.0.1:%d", at_port);
	argv[n++] = bin;
	argv[n++] = "--listen";
	argv[n++] = listen;
	argv[n++] = "--db";
	argv[n++] = db;
	argv[n++] = "--keys";
	argv[n++] = keys;
	argv[n++] = "--log-level";
	argv[n++] = "debug";
	if (tls) {
		argv[n++] = "--cert";
		argv[n++] = cert_path;
	} else {
		argv[n++] = "--insecure";
	}
	if (extra1)
		argv[n++] = extra1;
	if (extra2)
		argv[n++] = extra2;
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int e = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (e >= 0)
			dup2(e, 2);
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Start the server as the test program speaks (wire_tls). */
static __attribute__((unused)) pid_t
server_start(const char *keys, const char *db, int at_port, const char *extra1,
	     const char *extra2)
{
	return server_start_as(wire_tls, keys, db, at_port, extra1, extra2);
}

/* Start a plain server (--insecure) whatever the program speaks: for the
 * cases about plain mode or protocol 1. */
static __attribute__((unused)) pid_t
server_start_plain(const char *keys, const char *db, int at_port,
		   const char *extra1, const char *extra2)
{
	return server_start_as(0, keys, db, at_port, extra1, extra2);
}

/* ---- a station's side of the wire ---- */

/* One station connection: its socket and the frames read from it. */
struct cli {
	int fd;
	struct framer fr;
	size_t last_len;   /* bytes of the last frame received */
	struct tls_conn *tls;  /* the session, on a TLS connection */
	int ended;         /* the session ended (close_notify or failed) */
	char binding[SYNC_HEX]; /* what the proofs cover: the exporter in
				 * hex, or AUTH_BINDING_PLAIN */
};

/* A slow peer: when > 0, cli_send_raw sends one byte, then naps this
 * many milliseconds, and so on. */
static int cli_trickle_ms;

/* Write n bytes on the socket as they are; -1 if the server has gone. */
static __attribute__((unused)) int
cli_send_raw(struct cli *c, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		struct pollfd pf = { c->fd, POLLOUT, 0 };
		ssize_t w;
		if (poll(&pf, 1, WAIT_MS) <= 0)
			return -1;
		if (cli_trickle_ms > 0)
			nap(cli_trickle_ms);
		w = send(c->fd, s, cli_trickle_ms > 0 ? 1 : n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Send what the session has to send. */
static __attribute__((unused)) int
cli_tls_flush(struct cli *c)
{
	char buf[16384];
	size_t n;

	while ((n = tls_out_take(c->tls, buf, sizeof buf)) > 0)
		if (cli_send_raw(c, buf, n) < 0)
			return -1;
	return 0;
}

/* n bytes read from the socket: through the session into the framer.
 * 0, or -1 when the session failed, ended, or the framer overflowed
 * (c->ended says the session ended; frames before it stay readable). */
static __attribute__((unused)) int
cli_tls_in(struct cli *c, const void *data, size_t n)
{
	char buf[16384];
	size_t got;
	int r = tls_feed(c->tls, data, n);

	while (r == 0) {
		if ((r = tls_read(c->tls, buf, sizeof buf, &got)) != 0 || got == 0)
			break;
		if (frame_feed(&c->fr, buf, got) < 0)
			return -1;
	}
	if (cli_tls_flush(c) < 0 || r != 0)
		c->ended = 1;
	return c->ended ? -1 : 0;
}

/* The TLS handshake on c's socket, checking the server's key against
 * wire_pin; then c->binding is the session's exporter. 0 or -1. */
static __attribute__((unused)) int
cli_tls_handshake(struct cli *c)
{
	int64_t end = now_ms() + WAIT_MS;
	char buf[16384];

	if (!(c->tls = tls_conn_new(wire_cctx, 0, wire_pin)))
		return -1;
	(void)cli_tls_in(c, NULL, 0);
	while (!c->ended && !tls_handshake_done(c->tls)) {
		struct pollfd pf = { c->fd, POLLIN, 0 };
		int64_t left = end - now_ms();
		ssize_t got;
		if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
			return -1;
		got = recv(c->fd, buf, sizeof buf, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		(void)cli_tls_in(c, buf, (size_t)got);
	}
	if (c->ended || tls_binding(c->tls, c->binding) != 0) {
		if (tls_error(c->tls)[0])
			fprintf(stderr, "TLS handshake: %s\n", tls_error(c->tls));
		return -1;
	}
	return 0;
}

/* Connect to at_port with nothing more said, TLS or not: for a test
 * that speaks broken TLS through cli_send_raw. rcvbuf > 0 makes the
 * socket's receive buffer that small. 0, or -1 if the server does not
 * answer. */
static __attribute__((unused)) int
cli_connect_raw(struct cli *c, int at_port, int rcvbuf)
{
	struct sockaddr_in a;
	int one = 1;

	memset(c, 0, sizeof *c);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)at_port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0)
		return -1;
	if (rcvbuf > 0)
		setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
	if (connect(c->fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	frame_init(&c->fr, 4 * FRAME_MAX);
	snprintf(c->binding, sizeof c->binding, "%s", AUTH_BINDING_PLAIN);
	return 0;
}

/* Connect, and over TLS make the handshake; rcvbuf as above. */
static __attribute__((unused)) int
cli_try_open_buf(struct cli *c, int at_port, int rcvbuf)
{
	if (cli_connect_raw(c, at_port, rcvbuf) != 0)
		return -1;
	if (wire_tls && cli_tls_handshake(c) != 0) {
		tls_conn_free(&c->tls);
		frame_free(&c->fr);
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

/* Connect to the server at at_port; -1 if it does not answer. */
static __attribute__((unused)) int
cli_try_open(struct cli *c, int at_port)
{
	return cli_try_open_buf(c, at_port, 0);
}

/* Connect to the server under test; it must answer. */
static __attribute__((unused)) void
cli_open(struct cli *c)
{
	assert_int_equal(cli_try_open(c, port), 0);
}

/* Close the connection (close_notify over TLS, then a FIN) and free
 * its framer and session. */
static __attribute__((unused)) void
cli_close(struct cli *c)
{
	if (c->tls && c->fd >= 0 && !c->ended && tls_shutdown(c->tls) == 0) {
		char buf[1024];
		size_t n = tls_out_take(c->tls, buf, sizeof buf);
		if (n > 0)
			(void)send(c->fd, buf, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	}
	tls_conn_free(&c->tls);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	frame_free(&c->fr);
}

/* Send bytes (through the session over TLS); -1 if the server has
 * gone. */
static __attribute__((unused)) int
cli_send(struct cli *c, const void *p, size_t n)
{
	if (!c->tls)
		return cli_send_raw(c, p, n);
	if (c->ended || tls_write(c->tls, p, n) != 0)
		return -1;
	return cli_tls_flush(c);
}

/* Send a message (taken). */
static __attribute__((unused)) void
cli_sendm(struct cli *c, cJSON *m)
{
	size_t n;
	char *s = msg_print(m, &n);

	assert_non_null(s);
	assert_int_equal(cli_send(c, s, n), 0);
	free(s);
	cJSON_Delete(m);
}

/* The next frame: its type with *out, -1 closed, -2 timeout, -3 bad. */
static __attribute__((unused)) int
cli_recv(struct cli *c, int ms, cJSON **out)
{
	int64_t end = now_ms() + ms;
	char why[200], buf[65536], *f;
	size_t n;
	int r;

	*out = NULL;
	for (;;) {
		struct pollfd pf = { c->fd, POLLIN, 0 };
		ssize_t got;
		int64_t left;
		if ((r = frame_next(&c->fr, &f, &n)) == 1) {
			c->last_len = n;
			r = msg_parse(f, n, out, why, sizeof why);
			if (r < 0)
				fprintf(stderr, "bad frame from server: %s\n", why);
			return r < 0 ? -3 : r;
		}
		if (r < 0)
			return -3;
		if (c->ended)
			return -1;
		left = end - now_ms();
		if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
			return -2;
		got = recv(c->fd, buf, sizeof buf, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		if (c->tls) {
			/* A session that ended still gives the frames before
			 * its end; a framer overflow is a bad frame. */
			if (cli_tls_in(c, buf, (size_t)got) < 0 && !c->ended)
				return -3;
		} else if (frame_feed(&c->fr, buf, (size_t)got) < 0) {
			return -3;
		}
	}
}

/* The string member k of o, which must be there and be a string. */
static __attribute__((unused)) const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

/* The next message, which must be of type within the wait (caller
 * frees); anything else is printed and fails the test. */
static __attribute__((unused)) cJSON *
cli_expect(struct cli *c, int type)
{
	cJSON *m = NULL;
	int t = cli_recv(c, WAIT_MS, &m);

	if (t != type) {
		char *s = m ? cJSON_PrintUnformatted(m) : NULL;
		fprintf(stderr, "expected %s, got %d %s\n", msg_type_name(type), t,
			s ? s : "");
		free(s);
	}
	assert_int_equal(t, type);
	return m;
}

/* A ping must be answered by a pong carrying the server's time. */
static __attribute__((unused)) void
cli_ping(struct cli *c)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "type", "ping");
	cli_sendm(c, m);
	m = cli_expect(c, MSG_PONG);
	assert_true(strlen(str(m, "now")) >= 13);
	cJSON_Delete(m);
}

/* The station's first message in protocol version: who it is and its
 * nonce. */
static __attribute__((unused)) void
send_hello_v(struct cli *c, int version, const char *station,
	     const char *inc, const char *realm, const char *nonce)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "type", "hello");
	cJSON_AddNumberToObject(m, "version", version);
	cJSON_AddStringToObject(m, "station", station);
	cJSON_AddStringToObject(m, "incarnation", inc);
	cJSON_AddStringToObject(m, "realm", realm);
	cJSON_AddStringToObject(m, "nonce", nonce);
	cli_sendm(c, m);
}

/* The version a connection speaks by default: 2 over TLS (the only
 * one spoken there), 1 on a plain one, as the stations before protocol
 * 2 say it. */
static __attribute__((unused)) int
cli_version(const struct cli *c)
{
	return c->tls ? 2 : 1;
}

/* The same in the connection's version. */
static __attribute__((unused)) void
send_hello(struct cli *c, const char *station, const char *inc,
	   const char *realm, const char *nonce)
{
	send_hello_v(c, cli_version(c), station, inc, realm, nonce);
}

/* The station's proof (a the server's nonce, b its own) and the
 * server's (a the station's nonce, b the server's) as c's version
 * makes them: protocol 2's labels and c's binding over TLS, protocol
 * 1's on a plain connection. */
static __attribute__((unused)) void
cli_station_proof(const struct cli *c, const unsigned char *key,
		  const char *station, const char *realm, const char *a,
		  const char *b, char out[SYNC_HEX])
{
	int v2 = cli_version(c) >= 2;

	auth_proof(key, v2 ? AUTH_STATION_LABEL_V2 : AUTH_STATION_LABEL,
		   station, realm, a, b, v2 ? c->binding : NULL, out);
}

static __attribute__((unused)) void
cli_server_proof(const struct cli *c, const unsigned char *key,
		 const char *station, const char *realm, const char *a,
		 const char *b, char out[SYNC_HEX])
{
	int v2 = cli_version(c) >= 2;

	auth_proof(key, v2 ? AUTH_SERVER_LABEL_V2 : AUTH_SERVER_LABEL,
		   station, realm, a, b, v2 ? c->binding : NULL, out);
}

/* The auth frame carrying proof, printed (caller frees): kept as bytes
 * so a test can send it again. */
static __attribute__((unused)) char *
auth_frame(const char *proof, size_t *n)
{
	cJSON *m = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(m, "type", "auth");
	cJSON_AddStringToObject(m, "proof", proof);
	s = msg_print(m, n);
	cJSON_Delete(m);
	return s;
}

/* The server's export of the live realm, as text (caller frees). */
static __attribute__((unused)) char *
server_export_text(void)
{
	const char *args[] = { "--db", db_path, "export", "--json", NULL };
	char *out = NULL;

	assert_int_equal(run(&out, args), 0);
	return out;
}

/* A key as keygen prints it: 64 lowercase hex digits and a newline. */
static __attribute__((unused)) int
hex64(const char *s)
{
	size_t i;

	if (strlen(s) != 65 || s[64] != '\n')
		return 0;
	for (i = 0; i < 64; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

/* A key for station (role) in the keys file, printed as it must be. */
static __attribute__((unused)) void
keygen(const char *station, const char *role, char out[SYNC_HEX])
{
	const char *args[] = { "keygen", station, "--role", role, "--keys",
		keys_path, NULL };
	char *s = NULL;

	assert_int_equal(run(&s, args), 0);
	assert_true(hex64(s));
	memcpy(out, s, 64);
	out[64] = 0;
	free(s);
}

/* op_each's function gathering operations as the wire carries them
 * into the JSON array ctx. */
static __attribute__((unused)) int
collect(const struct op *op, void *ctx)
{
	cJSON_AddItemToArray(ctx, op_to_json(op));
	return 0;
}

/* Whether the server's log (log_path) has a line holding what. */
static __attribute__((unused)) int
log_has(const char *what)
{
	char line[2000];
	FILE *f = fopen(log_path, "r");
	int found = 0;

	assert_non_null(f);
	while (!found && fgets(line, sizeof line, f))
		found = strstr(line, what) != NULL;
	fclose(f);
	return found;
}

/* Over TLS the welcome is followed by the server's pins frame: its
 * current pin must be the one the test pinned. Nothing on plain. */
static __attribute__((unused)) void
cli_pins(struct cli *c)
{
	cJSON *m;

	if (!c->tls)
		return;
	m = cli_expect(c, MSG_PINS);
	assert_string_equal(str(m, "current"), wire_pin);
	cJSON_Delete(m);
}

/* The whole handshake in protocol version, checking the server's proof
 * and version (the hello's, echoed) on the way; the server's answer to
 * auth, which must be of type (caller frees). auth_out, if given, gets
 * the auth frame. */
static __attribute__((unused)) cJSON *
login_reply_v(struct cli *c, int version, const char *station,
	      const char *inc, const char *realm, const char *keyhex,
	      char **auth_out, int type)
{
	unsigned char key[SYNC_KEY_BYTES];
	char nonce[SYNC_HEX], want[SYNC_HEX], proof[SYNC_HEX], *a;
	cJSON *ch;
	size_t n;

	assert_int_equal(key_parse(keyhex, key), 0);
	auth_nonce(nonce);
	send_hello_v(c, version, station, inc, realm, nonce);
	ch = cli_expect(c, MSG_CHALLENGE);
	assert_int_equal(cJSON_GetObjectItem(ch, "version")->valuedouble,
			 version);
	/* Mutual: the server holds the key too. */
	/* From protocol 2 the proofs cover the session: its exporter over
	 * TLS, AUTH_BINDING_PLAIN on a plain connection. */
	auth_proof(key, version >= 2 ? AUTH_SERVER_LABEL_V2 : AUTH_SERVER_LABEL,
		   station, realm, nonce, str(ch, "nonce"),
		   version >= 2 ? c->binding : NULL, want);
	assert_true(auth_equal(want, str(ch, "proof")));
	auth_proof(key, version >= 2 ? AUTH_STATION_LABEL_V2
		   : AUTH_STATION_LABEL, station, realm, str(ch, "nonce"),
		   nonce, version >= 2 ? c->binding : NULL, proof);
	cJSON_Delete(ch);
	a = auth_frame(proof, &n);
	assert_non_null(a);
	assert_int_equal(cli_send(c, a, n), 0);
	if (auth_out)
		*auth_out = a;
	else
		free(a);
	ch = cli_expect(c, type);
	if (type == MSG_WELCOME)
		cli_pins(c);
	return ch;
}

/* The handshake in the connection's version (cli_version). */
static __attribute__((unused)) cJSON *
login_reply(struct cli *c, const char *station, const char *inc,
	    const char *realm, const char *keyhex, char **auth_out, int type)
{
	return login_reply_v(c, cli_version(c), station, inc, realm, keyhex,
			     auth_out, type);
}

/* The handshake of an honest station: the welcome. */
static __attribute__((unused)) cJSON *
login_as(struct cli *c, const char *station, const char *inc,
	 const char *realm, const char *keyhex, char **auth_out)
{
	return login_reply(c, station, inc, realm, keyhex, auth_out, MSG_WELCOME);
}

/* Wait (up to 20 s) until the server pid listens on at_port; it must
 * not exit meanwhile. */
static __attribute__((unused)) void
server_listening(pid_t pid, int at_port)
{
	int64_t end = now_ms() + 20000;
	struct cli c;

	while (cli_try_open(&c, at_port) != 0) {
		assert_int_equal(child_wait(pid, 0), -1); /* still running */
		assert_true(now_ms() < end);
		nap(20);
	}
	cli_close(&c);
}

/* What every wire test sets up first: the server binary ($DUTYDESKD_BIN,
 * default ./dutydeskd), the assets, no SIGPIPE, and where the server's
 * keys, database and log go. */
static __attribute__((unused)) void
wire_setup(void)
{
	bin = getenv("DUTYDESKD_BIN") ? getenv("DUTYDESKD_BIN") : "./dutydeskd";
	setenv("DUTYDESK_ASSETS", getenv("DUTYDESK_ASSETS") ?
	       getenv("DUTYDESK_ASSETS") : "assets", 1);
	signal(SIGPIPE, SIG_IGN);
	snprintf(keys_path, sizeof keys_path, "%s", tpath("keys"));
	snprintf(db_path, sizeof db_path, "%s", tpath("server.db"));
	snprintf(log_path, sizeof log_path, "%s", tpath("server.log"));
}

/* Make the server's key for this program (`dutydeskd cert --out`) and
 * keep its pin: from now on server_start and cli_open speak TLS. */
static __attribute__((unused)) void
wire_tls_setup(void)
{
	char why[300], *out = NULL;
	const char *args[] = { "cert", "--out", cert_path, NULL };

	snprintf(cert_path, sizeof cert_path, "%s", tpath("server.pem"));
	assert_int_equal(run(&out, args), 0);
	assert_true(strlen(out) >= TLS_PIN_LEN);
	memcpy(wire_pin, out, TLS_PIN_LEN);
	wire_pin[TLS_PIN_LEN] = 0;
	free(out);
	assert_true(tls_pin_ok(wire_pin));
	if (tls_client_ctx(&wire_cctx, why, sizeof why) != 0)
		fail_msg("tls_client_ctx: %s", why);
	wire_tls = 1;
}

/* And last: a server still running is killed (its log named), and the
 * test's directory goes unless DUTYDESK_KEEP is set. */
static __attribute__((unused)) void
wire_teardown(void)
{
	if (srv2_pid > 0) {
		kill(srv2_pid, SIGKILL);
		child_wait(srv2_pid, 5000);
	}
	if (srv_pid > 0) {
		kill(srv_pid, SIGKILL);
		child_wait(srv_pid, 5000);
		fprintf(stderr, "server log: %s\n", log_path);
	}
	tls_ctx_free(&wire_cctx);
	if (getenv("DUTYDESK_KEEP"))
		fprintf(stderr, "kept %s\n", tpath(""));
	tcleanup();
}

#endif /* DUTYDESK_WIRELIB_H */
