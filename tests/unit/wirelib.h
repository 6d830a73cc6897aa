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

/* Start the server; its stderr is appended to the log. extra1 and
 * extra2, when not NULL, are added to its arguments. */
static __attribute__((unused)) pid_t
server_start(const char *keys, const char *db, int at_port, const char *extra1,
	     const char *extra2)
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
	/* These tests speak raw plain frames (moving them onto TLS is a
	 * later step); tests/shell/tls.sh and the shell tests run the
	 * server with a key. */
	argv[n++] = "--insecure";
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

/* ---- a station's side of the wire ---- */

/* One station connection: its socket and the frames read from it. */
struct cli {
	int fd;
	struct framer fr;
	size_t last_len;   /* bytes of the last frame received */
};

/* rcvbuf > 0 makes the socket's receive buffer that small. */
static __attribute__((unused)) int
cli_try_open_buf(struct cli *c, int at_port, int rcvbuf)
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

/* Close the connection (a FIN) and free its framer. */
static __attribute__((unused)) void
cli_close(struct cli *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	frame_free(&c->fr);
}

/* Send bytes; -1 if the server has gone. */
static __attribute__((unused)) int
cli_send(struct cli *c, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		struct pollfd pf = { c->fd, POLLOUT, 0 };
		ssize_t w;
		if (poll(&pf, 1, WAIT_MS) <= 0)
			return -1;
		w = send(c->fd, s, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		n -= (size_t)w;
	}
	return 0;
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
		left = end - now_ms();
		if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
			return -2;
		got = recv(c->fd, buf, sizeof buf, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		if (frame_feed(&c->fr, buf, (size_t)got) < 0)
			return -3;
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

/* The same in protocol 1, as the stations before protocol 2 say it. */
static __attribute__((unused)) void
send_hello(struct cli *c, const char *station, const char *inc,
	   const char *realm, const char *nonce)
{
	send_hello_v(c, 1, station, inc, realm, nonce);
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
	/* From protocol 2 the proofs cover the session; on a plain
	 * connection that is AUTH_BINDING_PLAIN. */
	auth_proof(key, version >= 2 ? AUTH_SERVER_LABEL_V2 : AUTH_SERVER_LABEL,
		   station, realm, nonce, str(ch, "nonce"),
		   version >= 2 ? AUTH_BINDING_PLAIN : NULL, want);
	assert_true(auth_equal(want, str(ch, "proof")));
	auth_proof(key, version >= 2 ? AUTH_STATION_LABEL_V2
		   : AUTH_STATION_LABEL, station, realm, str(ch, "nonce"),
		   nonce, version >= 2 ? AUTH_BINDING_PLAIN : NULL, proof);
	cJSON_Delete(ch);
	a = auth_frame(proof, &n);
	assert_non_null(a);
	assert_int_equal(cli_send(c, a, n), 0);
	if (auth_out)
		*auth_out = a;
	else
		free(a);
	return cli_expect(c, type);
}

/* The handshake in protocol 1, as the stations before protocol 2. */
static __attribute__((unused)) cJSON *
login_reply(struct cli *c, const char *station, const char *inc,
	    const char *realm, const char *keyhex, char **auth_out, int type)
{
	return login_reply_v(c, 1, station, inc, realm, keyhex, auth_out, type);
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
	if (getenv("DUTYDESK_KEEP"))
		fprintf(stderr, "kept %s\n", tpath(""));
	tcleanup();
}

#endif /* DUTYDESK_WIRELIB_H */
