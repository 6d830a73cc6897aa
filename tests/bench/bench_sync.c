/*
 * bench_sync.c - figures, not pass/fail: the county server (dutydeskd) as
 * stations see it over the wire (sync/PROTOCOL.md). Every scenario gets a
 * server of its own, started here on 127.0.0.1 in a temporary directory
 * and stopped with SIGTERM:
 *   1. durable ingest: 20 stations, one connection each, one operation
 *      (~300 bytes) per push frame and one frame in flight (push, wait
 *      for its ack, push the next), for ~3 s; then redis-server with
 *      appendonly yes / appendfsync always driven by redis-benchmark
 *      with 20 clients and 300-byte values for as long, then
 *      PostgreSQL (Debian's, started here on a socket directory of its
 *      own, defaults otherwise: fsync and synchronous_commit on) driven
 *      by pgbench with 20 clients, each transaction one 300-byte log row
 *      and one upserted state row, for as long; three such rounds in
 *      turn, so a disk whose speed drifts during the run (a
 *      shared machine's does, by 2x within minutes) weighs on both
 *      sides alike. Each round's ratio is printed; the verdict is on
 *      the totals;
 *   2. relay: station A pushes one operation, station B (pulled, live)
 *      reads it on its socket: latency from A's send to B's receipt,
 *      1000 samples on an otherwise idle server;
 *   3. catch-up: 100,000 operations (imported with ./dutydesk, pushed by
 *      this program in batches of 500) pulled by a fresh station from 0
 *      to live: the raw wire time, and the time `./dutydesk sync` takes
 *      to apply them all when the binary has that command;
 *   4. 1,000 stations connected (authenticated, pulled, live) at once:
 *      the server's peak and resident memory;
 *   5. reconnect: one station connects, is welcomed and leaves, 1000
 *      times one after another: connect() to welcome.
 * Ingest, relay, the 1,000 stations and the reconnect run twice in the
 * same run, plain (dutydeskd --insecure) and over TLS (--cert, a key
 * made here with dutydeskd cert; the stations pin it and bind their
 * proofs to the session through sync/tls.h), and the TLS figures are
 * printed beside the plain ones (budgets: ingest and relay p99 within
 * 15 % of plain, under 96 MB with 1,000 stations, reconnect p99 under
 * 10 ms); the catch-up runs plain.
 * Reference figures and budgets are printed beside ours.
 *
 * Run from the top of the tree (make bench does): it runs ./dutydeskd and
 * ./dutydesk, or the binaries named by BENCH_DUTYDESKD and BENCH_DUTYDESK
 * (with DUTYDESK_ASSETS set to ./assets unless already set). Knobs:
 * BENCH_INGEST_SECS (3, a round), BENCH_INGEST_ROUNDS (3),
 * BENCH_INGEST_LIVE=1 (the ingest stations pull
 * and stay live, so every operation is relayed to all 20), BENCH_CONNS
 * (1000), BENCH_PUSH_SECS (45: how long loading the catch-up server may
 * take before the catch-up is measured on what it took), BENCH_ONLY
 * (a comma list of ingest, relay, catchup, conns, reconnect). redis-server and
 * redis-benchmark are looked up in PATH, PostgreSQL in PATH and then
 * /usr/lib/postgresql/VERSION/bin (run as the user postgres through
 * runuser when this program is root, as PostgreSQL refuses root);
 * without them that comparison is skipped (apt-get install redis-server
 * redis-tools postgresql).
 */
#include "core/core.h"
#include "sync/sync.h"
#include "sync/tls.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <pwd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/bench/benchlib.h"

#define INGEST_STATIONS 20
#define INGEST_SECS 3            /* a round of each */
#define INGEST_ROUNDS 3
#define RELAY_SAMPLES 1000
#define BIG_N 100000
#define CONN_N 1000
#define HANDSHAKES_IN_FLIGHT 100
/* Below the server's cap of 64 TLS handshakes at once (PROTOCOL.md),
 * past which it closes new connections at accept. */
#define TLS_HANDSHAKES_IN_FLIGHT 48
#define RECONNECT_SAMPLES 1000
#define REDIS_PROBE_N 5000
/* {"type":"push","ops":[]} and its newline, around one operation. */
#define PUSH_WRAP 26.0
#define PUSH_SECS 45            /* loading the server for catch-up, at most */

/* Reference figures (product owner, this 2-core machine) and budgets. */
#define REF_SQLITE_ROWS_S 100000.0  /* 100-row batches, synchronous=FULL */
#define REF_SQLITE_COMMIT_P99_MS 3.0
#define REF_UV_RTT_US 75.0          /* bare libuv round trip, loopback */
#define REF_UV_RTT_P99_US 125.0
#define REF_REDIS_50_SETS 40000.0   /* appendfsync always, 50 clients */
#define BUDGET_PG_RATIO 4.0         /* at least 4x PostgreSQL, same run */
#define BUDGET_INGEST_RATIO 1.0     /* at least redis in the same run */
#define BUDGET_RELAY_P99_MS 2.0
#define BUDGET_CATCHUP_S 3.0
#define BUDGET_SERVER_MB 64.0
#define BUDGET_TLS_SERVER_MB 96.0   /* 1,000 stations over TLS */
#define BUDGET_TLS_RATIO 1.15       /* TLS p99 within 15 % of plain */
#define BUDGET_RECONNECT_P99_MS 10.0

static const char *bin = "./dutydesk";
static const char *dbin = "./dutydeskd";
static char dir[] = "/tmp/dutydesk-bench-sync-XXXXXX";
static int have_dir;
/* PostgreSQL's directory while one runs there (its server is a daemon of
 * pg_ctl's, stopped by cleanup), and where its programs are. */
static char pg_dir[64], pg_bin[256];
static void pg_stop(const char *mode);
static volatile sig_atomic_t interrupted;
static pid_t srv_pid, redis_pid;  /* running children, or 0 */
static char srv_log[512];
static char srv_db[300];   /* the running server's live database */
static int srv_port;
static int srv_has_max_conn;
/* TLS: whether the next server and stations speak it (else plain
 * frames, --insecure), the server's key made once for the run, its pin,
 * and the stations' context. */
static int tls_mode;
static char cert_path[300];
static char srv_pin[TLS_PIN_SIZE];
static struct tls_ctx *cli_ctx;

static int64_t
wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait up to secs for pid; SIGKILL it after that. Returns the wait
 * status, or -1 when it had to be killed. */
static int
reap_pid(pid_t pid, double secs)
{
	double deadline = now_s() + secs;
	int st = 0;

	while (now_s() < deadline) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return r == pid ? st : 0;
		poll(NULL, 0, 10);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

static void
cleanup(void)
{
	pid_t *pids[] = { &srv_pid, &redis_pid, &bench_child };
	size_t i;

	for (i = 0; i < sizeof pids / sizeof pids[0]; i++) {
		if (*pids[i] > 0) {
			kill(*pids[i], SIGKILL);
			waitpid(*pids[i], NULL, 0);
			*pids[i] = 0;
		}
	}
	if (have_dir) {
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		have_dir = 0;
	}
	pg_stop("immediate");
}

/* The last lines of a log file on stderr, to show why a child failed. */
static void
show_log(const char *path, const char *tag)
{
	char buf[2048];
	FILE *f = fopen(path, "r");
	long size;
	size_t n;

	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > (long)sizeof buf - 1 ? size - (long)sizeof buf + 1 : 0,
	      SEEK_SET);
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = 0;
	fclose(f);
	if (n)
		fprintf(stderr, "--- %s (last %zu bytes of %s) ---\n%s%s", tag, n,
			path, buf, buf[n - 1] == '\n' ? "" : "\n");
}

static void
fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("bench_sync: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (srv_pid > 0 && srv_log[0])
		show_log(srv_log, "dutydeskd log");
	cleanup();
	exit(1);
}

static void
on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void
check_interrupt(void)
{
	if (interrupted)
		fail("interrupted");
}

static long
env_long(const char *name, long def, long lo, long hi)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	return *end || n < lo || n > hi ? def : n;
}

/* ---- processes ---- */

/* path of an executable named name in PATH (into out), 1 found. */
static int
find_in_path(const char *name, char *out, size_t n)
{
	const char *path = getenv("PATH"), *p, *e;

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin";
	for (p = path; *p; p = *e ? e + 1 : e) {
		e = strchr(p, ':');
		if (!e)
			e = p + strlen(p);
		if (e > p) {
			snprintf(out, n, "%.*s/%s", (int)(e - p), p, name);
			if (access(out, X_OK) == 0)
				return 1;
		}
	}
	return 0;
}

/* Start path with argv; stdin from /dev/null, stdout and stderr into log
 * (appended). Returns the pid. */
static pid_t
spawn(const char *path, char *const *argv, const char *log)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		int in = open("/dev/null", O_RDONLY);
		int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		signal(SIGPIPE, SIG_DFL);
		if (in >= 0)
			dup2(in, 0);
		if (out >= 0) {
			dup2(out, 1);
			dup2(out, 2);
		}
		execv(path, argv);
		_exit(127);
	}
	return pid;
}

/* Run path with args (argv[0] is path); stdout into out, stderr into err
 * (both NUL-terminated, cut to size). At most timeout seconds, then it is
 * killed. Returns the exit status, -1 when killed. */
static int
run_prog(const char *path, const char *const *args, char *out, size_t outn,
	 char *err, size_t errn, double timeout, double *secs)
{
	int rc = bench_run(path, args, out, outn, err, errn, timeout, secs, 200,
			   NULL, &interrupted);

	if (rc == -2)
		fail("cannot run %s: %s", path, strerror(errno));
	if (interrupted)
		fail("interrupted");
	return rc;
}

static void
must_run(const char *what, const char *const *args, double *secs)
{
	char out[4096], err[4096];
	int rc = run_prog(bin, args, out, sizeof out, err, sizeof err, 120, secs);

	if (rc != 0)
		fail("%s: exit %d: %s%s", what, rc, err, out);
}

/* Open file descriptors of pid, and its soft limit ("Max open files"). */
static long
proc_fds(pid_t pid, long *limit)
{
	char path[64], line[256];
	struct dirent *e;
	long n = 0;
	FILE *f;
	DIR *d;

	*limit = -1;
	snprintf(path, sizeof path, "/proc/%d/limits", (int)pid);
	if ((f = fopen(path, "r"))) {
		while (fgets(line, sizeof line, f))
			if (strncmp(line, "Max open files", 14) == 0)
				*limit = strtol(line + 14, NULL, 10);
		fclose(f);
	}
	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	if (!(d = opendir(path)))
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* ---- sockets ---- */

/* A TCP port on 127.0.0.1 free right now. */
static int
free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

	if (fd < 0)
		fail("socket: %s", strerror(errno));
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) ||
	    getsockname(fd, (struct sockaddr *)&a, &len))
		fail("bind 127.0.0.1:0: %s", strerror(errno));
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int
tcp_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0),
	    one = 1;

	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* Non-blocking connect to 127.0.0.1:port: 0 connected or in progress. */
static int
tcp_connect(int fd, int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0 ||
	    errno == EINPROGRESS)
		return 0;
	return -1;
}

/* ---- stations and the keys file ---- */

struct station {
	char code[32];
	int role;
	char hex[SYNC_HEX];
	unsigned char key[SYNC_KEY_BYTES];
};

static struct station *stations;
static int nstations, capstations;

static struct station *
station_new(const char *code, int role)
{
	struct station *s;

	if (!station_code_ok(code))
		fail("bad station code %s", code);
	if (nstations == capstations) {
		capstations = capstations ? 2 * capstations : 64;
		stations = realloc(stations, (size_t)capstations * sizeof *stations);
		if (!stations)
			fail("out of memory");
	}
	s = &stations[nstations++];
	memset(s, 0, sizeof *s);
	snprintf(s->code, sizeof s->code, "%s", code);
	s->role = role;
	/* 32 random bytes in hex: a key as keygen makes one. */
	auth_nonce(s->hex);
	if (key_parse(s->hex, s->key))
		fail("key_parse");
	return s;
}

static struct station *
station_find(const char *code)
{
	int i;

	for (i = 0; i < nstations; i++)
		if (strcmp(stations[i].code, code) == 0)
			return &stations[i];
	fail("station %s not in the keys file", code);
}

/* All the stations in one go (keys_add rewrites the file each time),
 * readable by the owner only. */
static void
keys_write(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), i;
	FILE *f;

	if (fd < 0 || fchmod(fd, 0600) || !(f = fdopen(fd, "w")))
		fail("cannot write %s: %s", path, strerror(errno));
	fputs("# dutydeskd keys: CODE ROLE KEY (bench_sync)\n", f);
	for (i = 0; i < nstations; i++)
		fprintf(f, "%s %s %s\n", stations[i].code,
			role_name(stations[i].role), stations[i].hex);
	if (fclose(f))
		fail("cannot write %s: %s", path, strerror(errno));
}

/* ---- the server ---- */

static char keys_path[300];

/* Start dutydeskd on a fresh database name in the temp dir; wait until
 * it accepts connections. */
static void
server_start(const char *name, int max_conn)
{
	char db[300], listen_at[64], mc[16];
	char *argv[16];
	int n = 0;
	double deadline;
	const char *tls = tls_mode ? "-tls" : "";

	/* The TLS run of a scenario has a database of its own. */
	snprintf(db, sizeof db, "%s/%s%s.db", dir, name, tls);
	snprintf(srv_db, sizeof srv_db, "%s", db);
	snprintf(srv_log, sizeof srv_log, "%s/%s%s.log", dir, name, tls);
	srv_port = free_port();
	snprintf(listen_at, sizeof listen_at, "127.0.0.1:%d", srv_port);
	argv[n++] = (char *)dbin;
	argv[n++] = "--listen";
	argv[n++] = listen_at;
	argv[n++] = "--db";
	argv[n++] = db;
	argv[n++] = "--keys";
	argv[n++] = keys_path;
	/* Each scenario runs over TLS or plain, as tls_mode says. */
	if (tls_mode) {
		argv[n++] = "--cert";
		argv[n++] = cert_path;
	} else {
		argv[n++] = "--insecure";
	}
	if (max_conn > 0 && srv_has_max_conn) {
		snprintf(mc, sizeof mc, "%d", max_conn);
		argv[n++] = "--max-conn";
		argv[n++] = mc;
	}
	argv[n] = NULL;
	srv_pid = spawn(dbin, argv, srv_log);
	deadline = now_s() + 15;
	for (;;) {
		int fd, st, r;
		struct pollfd pf;
		check_interrupt();
		if (waitpid(srv_pid, &st, WNOHANG) == srv_pid) {
			srv_pid = 0;
			show_log(srv_log, "dutydeskd log");
			fail("dutydeskd (%s) exited at start with status %d", name,
			     WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		}
		if (now_s() > deadline)
			fail("dutydeskd (%s) does not accept on %s after 15 s", name,
			     listen_at);
		fd = tcp_socket();
		if (fd < 0)
			fail("socket: %s", strerror(errno));
		if (tcp_connect(fd, srv_port) == 0) {
			int e = 0;
			socklen_t el = sizeof e;
			pf.fd = fd;
			pf.events = POLLOUT;
			r = poll(&pf, 1, 200);
			if (r == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 &&
			    e == 0) {
				close(fd);
				break;
			}
		}
		close(fd);
		poll(NULL, 0, 20);
	}
}

/* SIGTERM, and wait; says so when it did not stop cleanly. */
static void
server_stop(const char *name)
{
	double t0 = now_s();
	int st;

	if (srv_pid <= 0)
		return;
	kill(srv_pid, SIGTERM);
	st = reap_pid(srv_pid, 10);
	srv_pid = 0;
	if (st == -1)
		printf("  (dutydeskd %s did not stop within 10 s of SIGTERM: "
		       "killed)\n", name);
	else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		printf("  (dutydeskd %s stopped with %s %d after SIGTERM, in %.0f "
		       "ms)\n", name, WIFEXITED(st) ? "status" : "signal",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
		       1000 * (now_s() - t0));
}

/* ---- a station's connection ---- */

enum { CS_CONNECTING, CS_TLS, CS_HELLO, CS_AUTH, CS_READY, CS_PULLING, CS_LIVE,
       CS_DEAD };

struct conn {
	int fd;
	int state;
	struct tls_conn *tls;   /* NULL on a plain connection */
	struct framer fr;
	const struct station *st;
	char inc[17];
	char snonce[SYNC_HEX];
	int64_t have, head;
	int64_t seq;            /* last sequence made */
	int64_t ids;            /* record ids made start above this */
	int64_t hlc;
	double t;               /* when the frame in flight was sent */
	double t_start;         /* when connecting began */
	int64_t ops_in;         /* operations received in ops frames */
	int64_t frames_in;
	long long bytes_in;
	int64_t last_sseq;
	int in_flight;
	char why[200];          /* why dead */
};

static void
conn_init(struct conn *c, const struct station *st)
{
	char n[SYNC_HEX];

	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->st = st;
	/* A new database's incarnation: 16 random hex digits. */
	auth_nonce(n);
	memcpy(c->inc, n, 16);
	c->inc[16] = 0;
	frame_init(&c->fr, FRAME_MAX);
}

static int conn_flush(struct conn *c);

/* Close, with close_notify first over TLS (as a station ends a
 * session). */
static void
conn_close(struct conn *c)
{
	if (c->tls && c->fd >= 0 && c->state != CS_DEAD &&
	    tls_shutdown(c->tls) == 0)
		conn_flush(c);
	tls_conn_free(&c->tls);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	frame_free(&c->fr);
	c->state = CS_DEAD;
}

static void
conn_dead(struct conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
conn_dead(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof c->why, fmt, ap);
	va_end(ap);
	tls_conn_free(&c->tls);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = CS_DEAD;
}

/* Write all of buf to the socket (waiting for it when full). 0 or -1. */
static int
raw_write(struct conn *c, const char *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		ssize_t w = write(c->fd, buf + off, n - off);
		if (w > 0) {
			off += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pf = { c->fd, POLLOUT, 0 };
			if (poll(&pf, 1, 10000) <= 0) {
				conn_dead(c, "write: blocked for 10 s");
				return -1;
			}
			continue;
		}
		conn_dead(c, "write: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Send whatever the TLS session has to send (handshake records,
 * alerts, ciphertext). 0 or -1. */
static int
conn_flush(struct conn *c)
{
	char buf[64 * 1024];

	while (c->tls && tls_out_pending(c->tls) > 0) {
		size_t n = tls_out_take(c->tls, buf, sizeof buf);
		if (raw_write(c, buf, n))
			return -1;
	}
	return 0;
}

/* Write all of a frame's bytes: as they are, or through TLS. */
static int
conn_write(struct conn *c, const char *buf, size_t n)
{
	if (!c->tls)
		return raw_write(c, buf, n);
	if (tls_write(c->tls, buf, n)) {
		conn_dead(c, "TLS write: %s", tls_error(c->tls));
		return -1;
	}
	return conn_flush(c);
}

/* Print and send a message (deleted here). */
static int
conn_send(struct conn *c, cJSON *m)
{
	size_t n = 0;
	char *s = msg_print(m, &n);
	int rc;

	cJSON_Delete(m);
	if (!s)
		fail("msg_print: out of memory");
	rc = conn_write(c, s, n);
	free(s);
	return rc;
}

static void send_hello(struct conn *c);

/* Feed bytes read from the socket to the TLS session and the plaintext
 * it gives to the framer; the hello goes once the handshake is done.
 * 0 or -1. */
static int
tls_take(struct conn *c, const char *data, size_t n)
{
	static char plain[256 * 1024];
	size_t got;
	int r;

	if (tls_feed(c->tls, data, n)) {
		conn_dead(c, "TLS: %s", tls_error(c->tls));
		return -1;
	}
	do {
		r = tls_read(c->tls, plain, sizeof plain, &got);
		if (conn_flush(c))
			return -1;
		if (r < 0) {
			conn_dead(c, "TLS: %s", tls_error(c->tls));
			return -1;
		}
		if (r == 1) {
			conn_dead(c, "closed by the server (close_notify)");
			return -1;
		}
		if (got && frame_feed(&c->fr, plain, got)) {
			conn_dead(c, "a frame from the server over %d bytes",
				  FRAME_MAX);
			return -1;
		}
	} while (got > 0);
	if (c->state == CS_TLS && tls_handshake_done(c->tls))
		send_hello(c);
	return c->state == CS_DEAD ? -1 : 0;
}

/* Read what is waiting (once). >0 bytes, 0 nothing now, -1 closed. */
static long
conn_fill(struct conn *c)
{
	static char buf[256 * 1024];

	for (;;) {
		ssize_t n = read(c->fd, buf, sizeof buf);
		if (n > 0) {
			c->bytes_in += n;
			if (c->tls)
				return tls_take(c, buf, (size_t)n) ? -1 : n;
			if (frame_feed(&c->fr, buf, (size_t)n)) {
				conn_dead(c, "a frame from the server over %d bytes",
					  FRAME_MAX);
				return -1;
			}
			return n;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		conn_dead(c, "%s", n == 0 ? "closed by the server"
			  : strerror(errno));
		return -1;
	}
}

static void
send_hello(struct conn *c)
{
	cJSON *m = cJSON_CreateObject();

	auth_nonce(c->snonce);
	cJSON_AddStringToObject(m, "type", "hello");
	cJSON_AddNumberToObject(m, "version", SYNC_VERSION);
	cJSON_AddStringToObject(m, "station", c->st->code);
	cJSON_AddStringToObject(m, "incarnation", c->inc);
	cJSON_AddStringToObject(m, "realm", "live");
	cJSON_AddStringToObject(m, "nonce", c->snonce);
	if (conn_send(c, m) == 0)
		c->state = CS_HELLO;
}

static void
send_pull(struct conn *c, int64_t after)
{
	cJSON *m = cJSON_CreateObject();
	char buf[24];

	snprintf(buf, sizeof buf, "%lld", (long long)after);
	cJSON_AddStringToObject(m, "type", "pull");
	cJSON_AddStringToObject(m, "after", buf);
	if (conn_send(c, m) == 0)
		c->state = CS_PULLING;
}

/* The connect finished (the socket is writable): send hello, or over
 * TLS the ClientHello (the hello follows the handshake, in tls_take). */
static void
conn_connected(struct conn *c)
{
	int e = 0;
	socklen_t el = sizeof e;
	size_t got;

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &el) || e) {
		conn_dead(c, "connect: %s", strerror(e ? e : errno));
		return;
	}
	if (!tls_mode) {
		send_hello(c);
		return;
	}
	if (!(c->tls = tls_conn_new(cli_ctx, 0, srv_pin))) {
		conn_dead(c, "tls_conn_new: out of memory");
		return;
	}
	c->state = CS_TLS;
	if (tls_read(c->tls, NULL, 0, &got) < 0) {
		conn_dead(c, "TLS: %s", tls_error(c->tls));
		return;
	}
	conn_flush(c);
}

static void
conn_start(struct conn *c, int port)
{
	c->t_start = now_s();
	c->fd = tcp_socket();
	if (c->fd < 0) {
		conn_dead(c, "socket: %s", strerror(errno));
		return;
	}
	c->state = CS_CONNECTING;
	if (tcp_connect(c->fd, port))
		conn_dead(c, "connect: %s", strerror(errno));
}

static const char *
jget(const cJSON *m, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

/*
 * The next message of c, with the handshake, pings and the pull's
 * progress handled here. Returns its type (the message in *out, caller
 * deletes) for what the caller must see (ack, ops, live, error, and
 * welcome), -2 when no whole frame is waiting, -1 when the connection
 * died (c->why).
 */
static int
conn_next(struct conn *c, cJSON **out)
{
	char *frame, why[160];
	size_t n;
	int t, r;

	*out = NULL;
	for (;;) {
		cJSON *m;
		if (c->state == CS_DEAD)
			return -1;
		r = frame_next(&c->fr, &frame, &n);
		if (r == 0)
			return -2;
		if (r < 0) {
			conn_dead(c, "frame %llu over the limit",
				  (unsigned long long)c->fr.count);
			return -1;
		}
		t = msg_parse(frame, n, &m, why, sizeof why);
		if (t < 0) {
			conn_dead(c, "server frame %llu: %s (%.80s)",
				  (unsigned long long)c->fr.count, why, frame);
			return -1;
		}
		switch (t) {
		case MSG_PING: {
			cJSON *p = cJSON_CreateObject();
			cJSON_AddStringToObject(p, "type", "pong");
			cJSON_Delete(m);
			if (conn_send(c, p))
				return -1;
			continue;
		}
		case MSG_PONG:
			cJSON_Delete(m);
			continue;
		case MSG_CHALLENGE: {
			char want[SYNC_HEX], proof[SYNC_HEX], binding[SYNC_HEX];
			unsigned char ekm[TLS_EXPORTER_BYTES];
			cJSON *a;
			if (c->state != CS_HELLO) {
				cJSON_Delete(m);
				conn_dead(c, "challenge out of order");
				return -1;
			}
			/* The session's binding: its exporter in hex over TLS. */
			snprintf(binding, sizeof binding, "%s", AUTH_BINDING_PLAIN);
			if (c->tls) {
				int i;
				if (tls_exporter(c->tls, ekm))
					fail("tls_exporter after the handshake");
				for (i = 0; i < TLS_EXPORTER_BYTES; i++)
					snprintf(binding + 2 * i, 3, "%02x", ekm[i]);
			}
			auth_proof(c->st->key, AUTH_SERVER_LABEL_V2, c->st->code,
				   "live", c->snonce, jget(m, "nonce"),
				   binding, want);
			if (!auth_equal(want, jget(m, "proof"))) {
				cJSON_Delete(m);
				conn_dead(c, "the server's proof is wrong (it does not "
					  "hold our key)");
				return -1;
			}
			auth_proof(c->st->key, AUTH_STATION_LABEL_V2, c->st->code,
				   "live", jget(m, "nonce"), c->snonce,
				   binding, proof);
			cJSON_Delete(m);
			a = cJSON_CreateObject();
			cJSON_AddStringToObject(a, "type", "auth");
			cJSON_AddStringToObject(a, "proof", proof);
			if (conn_send(c, a))
				return -1;
			c->state = CS_AUTH;
			continue;
		}
		case MSG_WELCOME:
			if (c->state != CS_AUTH) {
				cJSON_Delete(m);
				conn_dead(c, "welcome out of order");
				return -1;
			}
			msg_i64(m, "have", &c->have);
			msg_i64(m, "head", &c->head);
			c->state = CS_READY;
			*out = m;
			return t;
		case MSG_OPS: {
			const cJSON *ops = cJSON_GetObjectItemCaseSensitive(m, "ops");
			int k = cJSON_GetArraySize(ops);
			int64_t s;
			c->frames_in++;
			c->ops_in += k;
			if (k > 0 && msg_i64(cJSON_GetArrayItem(ops, k - 1), "sseq", &s))
				c->last_sseq = s;
			*out = m;
			return t;
		}
		case MSG_LIVE:
			if (c->state == CS_PULLING)
				c->state = CS_LIVE;
			*out = m;
			return t;
		case MSG_ERROR:
			/* busy is the caller's to retry; anything else ends it. */
			if (strcmp(jget(m, "code"), "busy") != 0) {
				snprintf(why, sizeof why, "error %s: %s", jget(m, "code"),
					 jget(m, "message"));
				cJSON_Delete(m);
				conn_dead(c, "%s", why);
				return -1;
			}
			*out = m;
			return t;
		default:
			*out = m;
			return t;
		}
	}
}

/* Wait up to timeout seconds for the next message c's caller must see. */
static int
conn_wait(struct conn *c, double timeout, cJSON **out)
{
	double deadline = now_s() + timeout;

	for (;;) {
		int t = conn_next(c, out);
		struct pollfd pf;
		double left;
		if (t != -2)
			return t;
		check_interrupt();
		left = deadline - now_s();
		if (left <= 0) {
			snprintf(c->why, sizeof c->why, "nothing from the server for "
				 "%.0f s", timeout);
			return -1;
		}
		pf.fd = c->fd;
		pf.events = POLLIN;
		pf.revents = 0;
		if (poll(&pf, 1, (int)(left * 1000) + 1) > 0 && conn_fill(c) < 0)
			return -1;
	}
}

/* Connect and authenticate, blocking (10 s at most), as the database
 * of incarnation inc (NULL: a new random one). */
static void
conn_open(struct conn *c, const struct station *st, int port, const char *inc)
{
	struct pollfd pf;
	cJSON *m;

	conn_init(c, st);
	if (inc)
		snprintf(c->inc, sizeof c->inc, "%s", inc);
	conn_start(c, port);
	if (c->state == CS_CONNECTING) {
		pf.fd = c->fd;
		pf.events = POLLOUT;
		pf.revents = 0;
		if (poll(&pf, 1, 10000) != 1)
			conn_dead(c, "connect: no answer in 10 s");
		else
			conn_connected(c);
	}
	if (c->state == CS_DEAD)
		fail("station %s: %s", st->code, c->why);
	if (conn_wait(c, 10, &m) != MSG_WELCOME)
		fail("station %s: handshake: %s", st->code, c->why[0] ? c->why
		     : "unexpected frame");
	cJSON_Delete(m);
}

/* Pull from after and wait for live; the ops frames are counted. */
static void
conn_pull_live(struct conn *c, int64_t after, double timeout)
{
	double deadline = now_s() + timeout;
	cJSON *m;
	int t;

	send_pull(c, after);
	while (c->state == CS_PULLING) {
		t = conn_wait(c, deadline - now_s(), &m);
		cJSON_Delete(m);
		if (t < 0)
			fail("station %s: pull: %s", c->st->code, c->why);
	}
}

/* One incident.open of about 300 bytes, as the station would make it. */
static cJSON *
make_op(struct conn *c)
{
	static const char *const towns[] = { "datian", "gucheng", "duqiao",
		"shangpan", "taozhu" };
	struct op op;
	char at[21], buf[96];
	cJSON *j;

	memset(&op, 0, sizeof op);
	c->seq++;
	c->hlc = hlc_next(c->hlc, wall_ms());
	snprintf(op.station, sizeof op.station, "%s", c->st->code);
	snprintf(op.incarnation, sizeof op.incarnation, "%s", c->inc);
	op.seq = c->seq;
	op.hlc = c->hlc;
	snprintf(op.realm, sizeof op.realm, "live");
	snprintf(op.officer, sizeof op.officer, "bench");
	snprintf(op.kind, sizeof op.kind, "incident.open");
	snprintf(op.entity, sizeof op.entity, "%s-%lld", c->st->code,
		 (long long)(c->ids + c->seq));
	op.body = cJSON_CreateObject();
	snprintf(buf, sizeof buf, "Road flooded, car trapped %06lld",
		 (long long)c->seq);
	cJSON_AddStringToObject(op.body, "title", buf);
	cJSON_AddStringToObject(op.body, "town", towns[c->seq % 5]);
	snprintf(buf, sizeof buf, "km %d east ring road", (int)(c->seq % 97));
	cJSON_AddStringToObject(op.body, "place", buf);
	time_format_iso(wall_ms() / 1000, at);
	cJSON_AddStringToObject(op.body, "received_at", at);
	cJSON_AddNumberToObject(op.body, "trapped", (double)(c->seq % 4));
	j = op_to_json(&op);
	cJSON_Delete(op.body);
	if (!j)
		fail("op_to_json: out of memory");
	return j;
}

/* A push frame of the given operations (taken). */
static char *
push_frame(cJSON *ops, size_t *n)
{
	cJSON *m = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(m, "type", "push");
	cJSON_AddItemToObject(m, "ops", ops);
	s = msg_print(m, n);
	cJSON_Delete(m);
	if (!s)
		fail("msg_print: out of memory");
	return s;
}

/* Push one new operation; the time it was sent in c->t. */
static size_t
push_one(struct conn *c)
{
	cJSON *ops = cJSON_CreateArray();
	size_t n = 0;
	char *s;

	cJSON_AddItemToArray(ops, make_op(c));
	s = push_frame(ops, &n);
	c->t = now_s();
	conn_write(c, s, n);
	free(s);
	c->in_flight = 1;
	return n;
}

/* Check an ack for the operation in flight; returns the refusals. */
static int
ack_check(struct conn *c, const cJSON *m, int64_t want)
{
	int64_t upto = -1;
	int nref = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m,
								      "refused"));

	if (!msg_i64(m, "upto", &upto) || upto != want)
		fail("station %s: ack upto %lld, expected %lld", c->st->code,
		     (long long)upto, (long long)want);
	if (nref > 0) {
		const cJSON *r = cJSON_GetArrayItem(
			cJSON_GetObjectItemCaseSensitive(m, "refused"), 0);
		static int shown;
		if (!shown++)
			printf("  WARNING: the server refused operations (first: seq %s "
			       "%s: %s): they are counted but were not applied\n",
			       jget(r, "seq"), jget(r, "code"), jget(r, "message"));
	}
	return nref;
}

/* ---- statistics ---- */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of a sorted array. */
static double
pct(const double *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)n);
	if ((double)i < p * (double)n)
		i++;            /* the ceiling */
	if (i < 1)
		i = 1;
	if (i > n)
		i = n;
	return v[i - 1];
}

struct samples {
	double *v;
	size_t n, cap;
};

static void
sample_add(struct samples *s, double x)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 4096;
		if (!(s->v = realloc(s->v, s->cap * sizeof *s->v)))
			fail("out of memory");
	}
	s->v[s->n++] = x;
}

/* Is the scenario named in BENCH_ONLY (a comma list; unset: all)? */
static int
wanted(const char *name)
{
	const char *only = getenv("BENCH_ONLY"), *p;
	size_t n = strlen(name);

	if (!only || !*only)
		return 1;
	for (p = only; (p = strstr(p, name)); p += n)
		if ((p == only || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return 1;
	return 0;
}

static const char *
verdict(int within)
{
	return within ? "within" : "OVER";
}

/* ---- 1. durable ingest ---- */

struct ingest {
	int ok;
	double ops_s, secs, p50_ms, p99_ms, max_ms;
	long long ops, refused, busy;
	double frame_bytes;     /* average push frame */
	double srv_cpu, my_cpu; /* seconds, until the state held the log */
	long srv_hwm_kb;
	/* The server's state behind its log: at most, in operations and in
	 * seconds (sampled every 250 ms), and how long after the last ack
	 * it held the whole log. */
	long long lag_max_ops;
	double lag_max_s, catchup_s;
};

/* The server's log head and its state's cursor, read from its database
 * (read only, as an administrator would). */
static void
server_lag(struct db *db, int64_t *head, int64_t *projected)
{
	if (replica_head(db, head) || replica_projected(db, projected))
		fail("cannot read the server's database: %s", db_errmsg(db));
}

/* Samples of the log's head over time: how long ago the head stood
 * where the state's cursor stands now. */
struct lagclock {
	double t[4096];
	int64_t head[4096];
	int n;
};

static void
lag_sample(struct lagclock *lc, struct db *db, double now, struct ingest *r)
{
	int64_t head, projected;
	int i;

	server_lag(db, &head, &projected);
	if (head - projected > r->lag_max_ops)
		r->lag_max_ops = head - projected;
	if (lc->n < 4096) {
		lc->t[lc->n] = now;
		lc->head[lc->n++] = head;
	}
	/* The first sample whose head the state had not reached yet: it
	 * has been behind at least since then. */
	for (i = 0; i < lc->n && lc->head[i] <= projected; i++)
		;
	if (i < lc->n && head > projected && now - lc->t[i] > r->lag_max_s)
		r->lag_max_s = now - lc->t[i];
}

static double
self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int rounds_made;  /* ingest rounds so far */

static void
bench_ingest(double secs, int live, struct ingest *r)
{
	struct conn cs[INGEST_STATIONS];
	struct pollfd pf[INGEST_STATIONS];
	struct samples lat = { 0 };
	static struct lagclock lc;
	double t0, end, last = 0, cpu0, my0, deadline, sampled = 0;
	long long bytes = 0, frames = 0;
	int64_t head, projected;
	struct db *sdb = NULL;
	int i, active;
	char code[32];

	memset(r, 0, sizeof *r);
	lc.n = 0;
	server_start("ingest", 0);
	if (db_open(srv_db, DB_RDONLY, &sdb))
		fail("cannot open %s: %s", srv_db, db_errmsg(sdb));
	/* Each round's stations are new incarnations of the same codes on
	 * the same server: their record ids go on from the last round's, as
	 * a restored station's do, or the server refuses them (conflict). */
	rounds_made++;
	for (i = 0; i < INGEST_STATIONS; i++) {
		snprintf(code, sizeof code, "ingest%02d", i + 1);
		conn_open(&cs[i], station_find(code), srv_port, NULL);
		cs[i].ids = 1000000LL * rounds_made;
		if (cs[i].have != 0)
			fail("station %s: the fresh server says it holds %lld",
			     code, (long long)cs[i].have);
		if (live)
			conn_pull_live(&cs[i], 0, 30);
	}
	cpu0 = proc_sched(srv_pid);
	my0 = self_cpu();
	t0 = now_s();
	end = t0 + secs;
	for (i = 0; i < INGEST_STATIONS; i++) {
		bytes += (long long)push_one(&cs[i]);
		frames++;
		if (cs[i].state == CS_DEAD)
			fail("station %s: %s", cs[i].st->code, cs[i].why);
	}
	active = INGEST_STATIONS;
	deadline = end + 30;
	while (active > 0) {
		int n;
		check_interrupt();
		if (now_s() > deadline)
			fail("ingest: %d acks missing 30 s after the end", active);
		if (now_s() - sampled >= 0.25) {
			sampled = now_s();
			lag_sample(&lc, sdb, sampled, r);
		}
		for (i = 0; i < INGEST_STATIONS; i++) {
			pf[i].fd = cs[i].in_flight ? cs[i].fd : -1;
			pf[i].events = POLLIN;
			pf[i].revents = 0;
		}
		n = poll(pf, INGEST_STATIONS, 1000);
		if (n < 0 && errno != EINTR)
			fail("poll: %s", strerror(errno));
		for (i = 0; n > 0 && i < INGEST_STATIONS; i++) {
			struct conn *c = &cs[i];
			cJSON *m;
			int t;
			if (!pf[i].revents)
				continue;
			if (conn_fill(c) < 0)
				fail("ingest station %s: %s", c->st->code, c->why);
			while ((t = conn_next(c, &m)) != -2) {
				double now;
				if (t < 0)
					fail("ingest station %s: %s", c->st->code, c->why);
				now = now_s();
				if (t == MSG_ACK && c->in_flight) {
					r->refused += ack_check(c, m, c->seq);
					sample_add(&lat, 1000 * (now - c->t));
					r->ops++;
					last = now;
					c->in_flight = 0;
					if (now < end) {
						bytes += (long long)push_one(c);
						frames++;
						if (c->state == CS_DEAD)
							fail("station %s: %s", c->st->code, c->why);
					} else {
						active--;
					}
				} else if (t == MSG_ERROR && c->in_flight) {
					/* busy: offer the same operation again. */
					cJSON *ops = cJSON_CreateArray();
					size_t fn = 0;
					char *s;
					r->busy++;
					c->seq--;
					cJSON_AddItemToArray(ops, make_op(c));
					s = push_frame(ops, &fn);
					poll(NULL, 0, 1);
					conn_write(c, s, fn);
					free(s);
				}
				cJSON_Delete(m);
			}
		}
	}
	r->secs = last - t0;
	r->ops_s = r->ops / r->secs;
	/* The server's work on these operations ends when its state holds
	 * them: its CPU is counted until then. */
	for (;;) {
		server_lag(sdb, &head, &projected);
		if (projected >= head)
			break;
		if (now_s() - last > 60)
			fail("ingest: the server's state is %lld operations behind "
			     "its log 60 s after the last ack",
			     (long long)(head - projected));
		poll(NULL, 0, 5);
	}
	r->catchup_s = now_s() - last;
	db_close(&sdb);
	r->srv_cpu = proc_sched(srv_pid) - cpu0;
	r->my_cpu = self_cpu() - my0;
	r->srv_hwm_kb = proc_status_kb(srv_pid, "VmHWM");
	r->frame_bytes = frames ? (double)bytes / (double)frames : 0;
	qsort(lat.v, lat.n, sizeof *lat.v, cmp_double);
	r->p50_ms = pct(lat.v, lat.n, 0.50);
	r->p99_ms = pct(lat.v, lat.n, 0.99);
	r->max_ms = lat.n ? lat.v[lat.n - 1] : 0;
	free(lat.v);
	for (i = 0; i < INGEST_STATIONS; i++)
		conn_close(&cs[i]);
	server_stop("ingest");
	r->ok = 1;
}

/* ---- redis for comparison ---- */

/* "SET: 9575.79 requests per second" in redis-benchmark -q output. */
static double
redis_rps(const char *out)
{
	const char *p = out, *hit = NULL;

	while ((p = strstr(p, "requests per second"))) {
		hit = p;
		p++;
	}
	if (!hit)
		return -1;
	/* Back up over the space and the number. */
	p = hit;
	while (p > out && p[-1] == ' ')
		p--;
	while (p > out && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.'))
		p--;
	return strtod(p, NULL);
}

struct redis {
	int ran;
	char why[300];
	double rps;
	long n;
	char version[64];
};

static int redis_runs;

static void
bench_redis(double secs, struct redis *r)
{
	char srv[512], cli[512], port[16], rdir[300], log[300], nbuf[24],
	     out[65536], err[4096];
	char *sargv[24];
	double deadline, probe;
	int p, k = 0, rc;

	memset(r, 0, sizeof *r);
	if (!find_in_path("redis-server", srv, sizeof srv) ||
	    !find_in_path("redis-benchmark", cli, sizeof cli)) {
		snprintf(r->why, sizeof r->why, "redis-server or redis-benchmark "
			 "not found; install them with: apt-get install "
			 "redis-server redis-tools");
		return;
	}
	{
		const char *a[] = { "--version", NULL };
		if (run_prog(srv, a, out, sizeof out, err, sizeof err, 10, NULL) == 0) {
			const char *v = strstr(out, "v=");
			if (v)
				snprintf(r->version, sizeof r->version, "%.*s",
					 (int)strcspn(v + 2, " \n"), v + 2);
		}
	}
	p = free_port();
	snprintf(port, sizeof port, "%d", p);
	/* A directory and log of its own each time (one run has rounds). */
	snprintf(rdir, sizeof rdir, "%s/redis%d", dir, ++redis_runs);
	snprintf(log, sizeof log, "%s/redis%d.log", dir, redis_runs);
	if (mkdir(rdir, 0700))
		fail("mkdir %s: %s", rdir, strerror(errno));
	sargv[k++] = srv;
	sargv[k++] = "--port";
	sargv[k++] = port;
	sargv[k++] = "--bind";
	sargv[k++] = "127.0.0.1";
	sargv[k++] = "--appendonly";
	sargv[k++] = "yes";
	sargv[k++] = "--appendfsync";
	sargv[k++] = "always";
	sargv[k++] = "--save";
	sargv[k++] = "";
	sargv[k++] = "--dir";
	sargv[k++] = rdir;
	sargv[k++] = "--daemonize";
	sargv[k++] = "no";
	sargv[k] = NULL;
	redis_pid = spawn(srv, sargv, log);
	/* Wait until it answers (redis-cli may be missing: a connect will do,
	 * and the benchmark itself retries nothing, so be sure first). */
	deadline = now_s() + 10;
	for (;;) {
		int fd = tcp_socket(), st;
		struct pollfd pf;
		check_interrupt();
		if (waitpid(redis_pid, &st, WNOHANG) == redis_pid) {
			redis_pid = 0;
			show_log(log, "redis-server log");
			snprintf(r->why, sizeof r->why, "redis-server exited at start");
			return;
		}
		if (now_s() > deadline) {
			snprintf(r->why, sizeof r->why, "redis-server does not accept");
			goto stop;
		}
		if (fd >= 0 && tcp_connect(fd, p) == 0) {
			int e = 0;
			socklen_t el = sizeof e;
			pf.fd = fd;
			pf.events = POLLOUT;
			pf.revents = 0;
			if (poll(&pf, 1, 200) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && !e) {
				close(fd);
				break;
			}
		}
		if (fd >= 0)
			close(fd);
		poll(NULL, 0, 20);
	}
	/* A short probe sizes the run to about secs seconds. */
	snprintf(nbuf, sizeof nbuf, "%d", REDIS_PROBE_N);
	{
		const char *a[] = { "-h", "127.0.0.1", "-p", port, "-c", "20", "-P",
			"1", "-d", "300", "-t", "set", "-n", nbuf, "-q", NULL };
		rc = run_prog(cli, a, out, sizeof out, err, sizeof err, 60, NULL);
		probe = redis_rps(out);
		if (rc != 0 || probe <= 0) {
			snprintf(r->why, sizeof r->why, "redis-benchmark probe failed "
				 "(exit %d): %.200s", rc, err[0] ? err : out);
			goto stop;
		}
	}
	r->n = (long)(probe * secs);
	if (r->n < REDIS_PROBE_N)
		r->n = REDIS_PROBE_N;
	if (r->n > 2000000)
		r->n = 2000000;
	snprintf(nbuf, sizeof nbuf, "%ld", r->n);
	{
		const char *a[] = { "-h", "127.0.0.1", "-p", port, "-c", "20", "-P",
			"1", "-d", "300", "-t", "set", "-n", nbuf, "-q", NULL };
		rc = run_prog(cli, a, out, sizeof out, err, sizeof err, 120, NULL);
		r->rps = redis_rps(out);
		if (rc != 0 || r->rps <= 0) {
			snprintf(r->why, sizeof r->why, "redis-benchmark failed (exit "
				 "%d): %.200s", rc, err[0] ? err : out);
			goto stop;
		}
	}
	r->ran = 1;
stop:
	kill(redis_pid, SIGTERM);
	reap_pid(redis_pid, 10);
	redis_pid = 0;
}

/* ---- PostgreSQL for comparison ---- */

/* Run one of PostgreSQL's programs (name, in pg_bin) with args, as the
 * user postgres when we are root. Its exit status; -3 without runuser. */
static int
pg_run(const char *name, const char *const *args, char *out, size_t outn,
       char *err, size_t errn, double timeout)
{
	const char *a[32];
	char prog[320], runuser[256];
	int k = 0, i;

	snprintf(prog, sizeof prog, "%s/%s", pg_bin, name);
	if (geteuid() == 0) {
		if (!find_in_path("runuser", runuser, sizeof runuser))
			return -3;
		a[k++] = "-u";
		a[k++] = "postgres";
		a[k++] = "--";
	}
	a[k++] = prog;
	for (i = 0; args[i] && k < 31; i++)
		a[k++] = args[i];
	a[k] = NULL;
	return run_prog(geteuid() == 0 ? runuser : prog,
			geteuid() == 0 ? a : a + 1, out, outn, err, errn,
			timeout, NULL);
}

/* Stop the PostgreSQL this program started, if any (mode: fast, or
 * immediate on the way out), and remove its directory. */
static void
pg_stop(const char *mode)
{
	char data[128], out[2048], err[2048];
	const char *a[] = { "-D", data, "-m", mode, "-w", "stop", NULL };

	if (!pg_dir[0])
		return;
	snprintf(data, sizeof data, "%s/data", pg_dir);
	pg_run("pg_ctl", a, out, sizeof out, err, sizeof err, 60);
	nftw(pg_dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	pg_dir[0] = 0;
}

/* Where PostgreSQL's programs are: Debian's newest
 * /usr/lib/postgresql/VERSION/bin, else beside pg_ctl in PATH. 1 found,
 * 0 not. */
static int
pg_find(void)
{
	char p[sizeof pg_bin + 16];
	glob_t g;
	int ok = 0;

	if (glob("/usr/lib/postgresql/*/bin/pgbench", 0, NULL, &g) == 0 &&
	    g.gl_pathc > 0) {
		/* Sorted: the last is the newest of equal digit counts. */
		snprintf(pg_bin, sizeof pg_bin, "%s", g.gl_pathv[g.gl_pathc - 1]);
		*strrchr(pg_bin, '/') = 0;
		ok = 1;
	}
	globfree(&g);
	if (ok)
		return 1;
	/* Elsewhere: every program it needs beside pg_ctl in PATH. */
	if (!find_in_path("pg_ctl", pg_bin, sizeof pg_bin))
		return 0;
	*strrchr(pg_bin, '/') = 0;
	snprintf(p, sizeof p, "%s/pgbench", pg_bin);
	ok = access(p, X_OK) == 0;
	snprintf(p, sizeof p, "%s/initdb", pg_bin);
	ok = ok && access(p, X_OK) == 0;
	snprintf(p, sizeof p, "%s/psql", pg_bin);
	return ok && access(p, X_OK) == 0;
}

struct pg {
	int ran;
	char why[300];
	double tps;
	long n;
	char version[64];
};

/* pgbench's "tps = 5408.065899 (without initial connection time)". */
static double
pg_tps(const char *out)
{
	const char *p = strstr(out, "tps = ");
	return p ? strtod(p + 6, NULL) : -1;
}

/* One round: a fresh cluster in a directory of its own (owned by the
 * user postgres when we are root), on a socket there and no TCP, the
 * two tables, pgbench with 20 clients for secs, then stopped. */
static void
bench_pg(double secs, struct pg *r)
{
	char data[128], sock[80], log[128], script[128], port[16], tsecs[16],
	     opts[256], out[65536], err[4096];
	struct passwd *pw = NULL;
	FILE *f;
	int rc;

	memset(r, 0, sizeof *r);
	if (!pg_find()) {
		snprintf(r->why, sizeof r->why, "PostgreSQL not found; install "
			 "it with: apt-get install postgresql");
		return;
	}
	if (geteuid() == 0 && !(pw = getpwnam("postgres"))) {
		snprintf(r->why, sizeof r->why, "no user postgres to run "
			 "PostgreSQL as (it refuses root)");
		return;
	}
	snprintf(pg_dir, sizeof pg_dir, "/tmp/dutydesk-bench-pg-XXXXXX");
	if (!mkdtemp(pg_dir)) {
		pg_dir[0] = 0;
		snprintf(r->why, sizeof r->why, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(data, sizeof data, "%s/data", pg_dir);
	snprintf(log, sizeof log, "%s/log", pg_dir);
	snprintf(script, sizeof script, "%s/tx.sql", pg_dir);
	snprintf(sock, sizeof sock, "%s", pg_dir);
	snprintf(port, sizeof port, "%d", free_port());
	snprintf(tsecs, sizeof tsecs, "%.0f", secs < 1 ? 1 : secs);
	/* Each transaction: one 300-byte log row, one upserted state row. */
	if (!(f = fopen(script, "w")) ||
	    fputs("\\set sid random(1, 20)\n"
		  "BEGIN;\n"
		  "INSERT INTO log(station, body) VALUES (:sid, repeat('x', 300));\n"
		  "INSERT INTO state(station, n) VALUES (:sid, 1) ON CONFLICT "
		  "(station) DO UPDATE SET n = state.n + 1;\n"
		  "COMMIT;\n", f) < 0 || fclose(f) != 0) {
		snprintf(r->why, sizeof r->why, "cannot write %s", script);
		goto out;
	}
	if (pw && (chown(pg_dir, pw->pw_uid, pw->pw_gid) ||
		   chown(script, pw->pw_uid, pw->pw_gid))) {
		snprintf(r->why, sizeof r->why, "chown: %s", strerror(errno));
		goto out;
	}
	{
		const char *a[] = { "--version", NULL };
		if (pg_run("postgres", a, out, sizeof out, err, sizeof err, 10) == 0)
			snprintf(r->version, sizeof r->version, "%.*s",
				 (int)strcspn(out, "\n"), out);
	}
	{
		/* -N: initdb's own files need no sync to be measured after. */
		const char *a[] = { "-D", data, "-A", "trust", "-U", "bench", "-N",
			NULL };
		if ((rc = pg_run("initdb", a, out, sizeof out, err, sizeof err,
				 120))) {
			snprintf(r->why, sizeof r->why, "initdb failed (exit %d): "
				 "%.200s", rc, err);
			goto out;
		}
	}
	snprintf(opts, sizeof opts, "-k %s -c listen_addresses= -p %s", sock,
		 port);
	{
		const char *a[] = { "-D", data, "-o", opts, "-l", log, "-w", "start",
			NULL };
		if ((rc = pg_run("pg_ctl", a, out, sizeof out, err, sizeof err,
				 60))) {
			show_log(log, "postgresql log");
			snprintf(r->why, sizeof r->why, "pg_ctl start failed (exit "
				 "%d)", rc);
			goto out;
		}
	}
	{
		const char *a[] = { "-h", sock, "-p", port, "-U", "bench", "-d",
			"postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c",
			"CREATE TABLE log(id bigserial PRIMARY KEY, station int, "
			"body text); CREATE TABLE state(station int PRIMARY KEY, n "
			"bigint);", NULL };
		if ((rc = pg_run("psql", a, out, sizeof out, err, sizeof err, 60))) {
			snprintf(r->why, sizeof r->why, "psql failed (exit %d): "
				 "%.200s", rc, err);
			goto out;
		}
	}
	{
		const char *a[] = { "-h", sock, "-p", port, "-U", "bench", "-n",
			"-c", "20", "-j", "2", "-T", tsecs, "-f", script, "postgres",
			NULL };
		rc = pg_run("pgbench", a, out, sizeof out, err, sizeof err,
			    secs + 60);
		r->tps = pg_tps(out);
		if (rc != 0 || r->tps <= 0) {
			snprintf(r->why, sizeof r->why, "pgbench failed (exit %d): "
				 "%.200s", rc, err[0] ? err : out);
			goto out;
		}
		r->n = (long)(r->tps * secs);
	}
	r->ran = 1;
out:
	pg_stop("fast");
}

/* ---- 2. relay ---- */

struct relay {
	int ok;
	double p50_ms, p99_ms, max_ms, mean_ms, ack_p50_ms, ack_p99_ms;
	int n;
};

static void
bench_relay(struct relay *r)
{
	struct conn a, b;
	double *lat = calloc(RELAY_SAMPLES, sizeof *lat),
	       *ack = calloc(RELAY_SAMPLES, sizeof *ack), sum = 0;
	int k;

	memset(r, 0, sizeof *r);
	if (!lat || !ack)
		fail("out of memory");
	server_start("relay", 0);
	conn_open(&a, station_find("relaya"), srv_port, NULL);
	conn_open(&b, station_find("relayb"), srv_port, NULL);
	/* Both are stations as they run: pulled and live. */
	conn_pull_live(&a, 0, 30);
	conn_pull_live(&b, 0, 30);
	for (k = 0; k < RELAY_SAMPLES; k++) {
		double deadline;
		int got_b = 0, got_ack = 0;
		int64_t want;
		check_interrupt();
		push_one(&a);
		want = a.seq;
		deadline = a.t + 10;
		while (!got_b || !got_ack) {
			struct pollfd pf[2] = { { a.fd, POLLIN, 0 }, { b.fd, POLLIN, 0 } };
			int i;
			if (now_s() > deadline)
				fail("relay sample %d: %s within 10 s", k + 1, !got_b
				     ? "B did not receive the operation" : "A got no ack");
			if (poll(pf, 2, 1000) <= 0)
				continue;
			for (i = 0; i < 2; i++) {
				struct conn *c = i ? &b : &a;
				cJSON *m;
				int t;
				if (!pf[i].revents)
					continue;
				if (conn_fill(c) < 0)
					fail("relay station %s: %s", c->st->code, c->why);
				while ((t = conn_next(c, &m)) != -2) {
					double now = now_s();
					if (t < 0)
						fail("relay station %s: %s", c->st->code, c->why);
					if (t == MSG_ACK && c == &a) {
						ack_check(&a, m, want);
						ack[k] = 1000 * (now - a.t);
						got_ack = 1;
					} else if (t == MSG_OPS && c == &b) {
						const cJSON *op;
						cJSON_ArrayForEach(op,
							cJSON_GetObjectItemCaseSensitive(m, "ops")) {
							int64_t s = 0;
							if (strcmp(jget(op, "station"), "relaya") == 0 &&
							    msg_i64(op, "seq", &s) && s == want) {
								lat[k] = 1000 * (now - a.t);
								got_b = 1;
							}
						}
					} else if (t == MSG_ERROR) {
						fail("relay: the server answered busy");
					}
					cJSON_Delete(m);
				}
			}
		}
		sum += lat[k];
	}
	qsort(lat, RELAY_SAMPLES, sizeof *lat, cmp_double);
	qsort(ack, RELAY_SAMPLES, sizeof *ack, cmp_double);
	r->n = RELAY_SAMPLES;
	r->p50_ms = pct(lat, RELAY_SAMPLES, 0.50);
	r->p99_ms = pct(lat, RELAY_SAMPLES, 0.99);
	r->max_ms = lat[RELAY_SAMPLES - 1];
	r->mean_ms = sum / RELAY_SAMPLES;
	r->ack_p50_ms = pct(ack, RELAY_SAMPLES, 0.50);
	r->ack_p99_ms = pct(ack, RELAY_SAMPLES, 0.99);
	free(lat);
	free(ack);
	conn_close(&a);
	conn_close(&b);
	server_stop("relay");
	r->ok = 1;
}

/* ---- 3. catch-up ---- */

static void
write_csv(const char *path)
{
	if (bench_ledger(path, BIG_N, 2 * 3600, 7 * 86400))
		fail("cannot write %s: %s", path, strerror(errno));
}

struct pusher {
	struct conn *c;
	cJSON *ops;
	int nops;
	long long pushed, refused, frames;
	double bytes;
	double deadline;        /* stop pushing after this */
	double first_ms, last_ms; /* the first and the last frame's ack */
	int stopped;
};

static void
pusher_flush(struct pusher *p)
{
	size_t n = 0;
	char *s;
	cJSON *m;
	int64_t last;
	double t0;
	int t, tries;

	if (p->nops == 0)
		return;
	last = p->c->seq;
	s = push_frame(p->ops, &n);
	p->ops = cJSON_CreateArray();
	t0 = now_s();
	for (tries = 0;; tries++) {
		if (conn_write(p->c, s, n))
			fail("push: %s", p->c->why);
		t = conn_wait(p->c, 60, &m);
		if (t == MSG_ERROR && tries < 100) {
			cJSON_Delete(m);
			poll(NULL, 0, 10);
			continue;   /* busy: the same frame again */
		}
		break;
	}
	free(s);
	if (t != MSG_ACK)
		fail("push of %d operations: %s", p->nops, t < 0 ? p->c->why
		     : msg_type_name(t));
	p->refused += ack_check(p->c, m, last);
	cJSON_Delete(m);
	p->pushed += p->nops;
	p->frames++;
	p->bytes += (double)n;
	p->nops = 0;
	p->last_ms = 1000 * (now_s() - t0);
	if (p->frames == 1)
		p->first_ms = p->last_ms;
}

static int
pusher_op(const struct op *op, void *ctx)
{
	struct pusher *p = ctx;

	check_interrupt();
	if (op->seq <= p->c->have)
		return 0;
	cJSON_AddItemToArray(p->ops, op_to_json(op));
	p->c->seq = op->seq;
	if (++p->nops == SYNC_BATCH) {
		pusher_flush(p);
		if (now_s() > p->deadline) {
			p->stopped = 1;
			return 1;
		}
	}
	return 0;
}

/* Does ./dutydesk have a sync command yet (2: with --timeout)? *link
 * says whether it has the link command to set the server and key. */
static int
has_sync_command(int *link)
{
	char out[16384], err[16384];
	const char *a[] = { "--help", NULL }, *p;

	run_prog(bin, a, out, sizeof out, err, sizeof err, 20, NULL);
	*link = strstr(out, "\n  link --server") || strstr(err,
							  "\n  link --server");
	if (!(p = strstr(out, "\n  sync")) && !(p = strstr(err, "\n  sync")))
		return 0;
	return strncmp(p, "\n  sync [--timeout", 19) == 0 ? 2 : 1;
}

struct catchup {
	int ok;
	double import_s, push_s, push_ops_s;
	long long pushed, refused;
	double wire_s, wire_total_s, wire_mb;
	long long wire_ops, wire_frames;
	int64_t head;
	int sync_ran;
	char sync_why[300];
	double sync_s;
	int sync_rc;
	long long sync_applied;
	int64_t sync_cursor;
	char sync_out[300];
	long srv_hwm_kb;
};

static void
bench_catchup(double push_secs, struct catchup *r)
{
	char big[300], csv[300], fresh[300], out[4096], err[4096], server[64];
	struct conn lin, fr;
	struct pusher p;
	struct station_info si;
	struct db *db = NULL;
	double t0, t_pull;
	int rc, has_sync, has_link;

	memset(r, 0, sizeof *r);
	snprintf(big, sizeof big, "%s/big.db", dir);
	snprintf(csv, sizeof csv, "%s/big.csv", dir);
	snprintf(fresh, sizeof fresh, "%s/fresh.db", dir);
	{
		const char *a[] = { "--db", big, "init", "--station", "linhai",
			"--role", "command", NULL };
		must_run("dutydesk init", a, NULL);
	}
	write_csv(csv);
	{
		const char *a[] = { "--db", big, "import", "incidents", csv, NULL };
		must_run("dutydesk import", a, &r->import_s);
	}
	printf("catch-up setup: %d incidents imported with %s in %.2f s\n", BIG_N,
	       bin, r->import_s);

	server_start("catchup", 0);
	/* Load the server: the station's outbox in pushes of 500, each
	 * waiting for its ack, as the station's link does. */
	if ((rc = db_open(big, DB_RDONLY, &db)) ||
	    (rc = station_identity(db, &si)))
		fail("open %s: %s (%s)", big, dd_strerror(rc), db_errmsg(db));
	conn_open(&lin, station_find(si.station), srv_port, si.incarnation);
	memset(&p, 0, sizeof p);
	p.c = &lin;
	p.ops = cJSON_CreateArray();
	t0 = now_s();
	p.deadline = t0 + push_secs;
	rc = op_each(db, 1, pusher_op, &p);
	if (rc && !p.stopped)
		fail("reading the outbox of %s: %s (%s)", big, dd_strerror(rc),
		     db_errmsg(db));
	pusher_flush(&p);
	cJSON_Delete(p.ops);
	r->push_s = now_s() - t0;
	r->pushed = p.pushed;
	r->refused = p.refused;
	r->push_ops_s = r->pushed / r->push_s;
	db_close(&db);
	conn_close(&lin);
	printf("catch-up setup: %lld operations pushed in %lld frames of up to "
	       "%d (%.0f KB each on average) in %.2f s (%.0f ops/s; the first "
	       "frame acked in %.0f ms, the last in %.0f ms)%s\n",
	       r->pushed, p.frames, SYNC_BATCH, p.frames ? p.bytes / p.frames
	       / 1024 : 0, r->push_s, r->push_ops_s, p.first_ms, p.last_ms,
	       r->refused ? " (some refused, see above)" : "");
	if (p.stopped)
		printf("  WARNING: pushing stopped after %.0f s (BENCH_PUSH_SECS): "
		       "the server took only %lld of %d operations; the catch-up "
		       "below covers those %lld only\n", push_secs, r->pushed,
		       BIG_N, r->pushed);

	/* A fresh station, from 0 to live, on the wire. */
	t0 = now_s();
	conn_open(&fr, station_find("fresha"), srv_port, NULL);
	r->head = fr.head;
	t_pull = now_s();
	conn_pull_live(&fr, 0, 120);
	r->wire_s = now_s() - t_pull;
	r->wire_total_s = now_s() - t0;
	r->wire_ops = fr.ops_in;
	r->wire_frames = fr.frames_in;
	r->wire_mb = fr.bytes_in / 1048576.0;
	conn_close(&fr);
	printf("catch-up on the wire: %lld operations in %lld ops frames "
	       "(%.1f MB) from pull to live in %.3f s (%.0f ops/s, %.1f MB/s; "
	       "%.3f s with connect and handshake); head %lld\n", r->wire_ops,
	       r->wire_frames, r->wire_mb, r->wire_s, r->wire_ops / r->wire_s,
	       r->wire_mb / r->wire_s, r->wire_total_s, (long long)r->head);
	if (r->wire_ops < BIG_N)
		printf("  WARNING: fewer than %d operations came\n", BIG_N);

	/* The same through the station binary, into its database. */
	if (!(has_sync = has_sync_command(&has_link))) {
		snprintf(r->sync_why, sizeof r->sync_why, "%s has no sync command "
			 "yet", bin);
	} else {
		struct station_info fi;
		int64_t before;
		const char *st = "freshb";
		{
			const char *a[] = { "--db", fresh, "init", "--station", st,
				"--role", "town", NULL };
			must_run("dutydesk init", a, NULL);
		}
		snprintf(server, sizeof server, "127.0.0.1:%d", srv_port);
		if (has_link) {
			const char *a[] = { "--db", fresh, "link", "--server", server,
				"--key", station_find(st)->hex, "--insecure", NULL };
			must_run("dutydesk link", a, NULL);
		}
		if ((rc = db_open(fresh, has_link ? DB_RDONLY : 0, &db)) ||
		    (!has_link && ((rc = replica_set_link(db, server,
							  station_find(st)->hex)) ||
				   (rc = replica_set_pin(db, LINK_PIN_INSECURE)))) ||
		    (rc = station_info(db, &fi)))
			fail("link settings of %s: %s (%s)", fresh, dd_strerror(rc),
			     db_errmsg(db));
		before = fi.ops;
		db_close(&db);
		{
			const char *a[] = { "--db", fresh, "sync", has_sync == 2
				? "--timeout" : NULL, "100", NULL };
			r->sync_rc = run_prog(bin, a, out, sizeof out, err, sizeof err,
					      120, &r->sync_s);
		}
		snprintf(r->sync_out, sizeof r->sync_out, "%.200s",
			 out[0] ? out : err);
		r->sync_out[strcspn(r->sync_out, "\n")] = 0;
		if ((rc = db_open(fresh, DB_RDONLY, &db)) ||
		    (rc = station_info(db, &fi)) ||
		    (rc = replica_cursor(db, &r->sync_cursor)))
			fail("reading %s: %s (%s)", fresh, dd_strerror(rc),
			     db_errmsg(db));
		db_close(&db);
		r->sync_applied = fi.ops - before;
		r->sync_ran = 1;
		printf("catch-up with %s --db FRESH sync: exit %d in %.3f s; %lld "
		       "operations applied, cursor %lld of head %lld (\"%s\")\n",
		       bin, r->sync_rc, r->sync_s, r->sync_applied,
		       (long long)r->sync_cursor, (long long)r->head, r->sync_out);
		if (r->sync_rc != 0 && err[0])
			printf("  stderr: %.300s\n", err);
	}
	r->srv_hwm_kb = proc_status_kb(srv_pid, "VmHWM");
	server_stop("catchup");
	r->ok = 1;
}

/* ---- 4. many connected stations ---- */

struct conns {
	int ok;
	int want, established, dropped, failed;
	double open_s, hs_p50_ms, hs_p99_ms;
	long base_hwm_kb, base_rss_kb, hwm_kb, rss_kb, fds, fd_limit;
	char first_why[200];
};

static void
bench_conns(int want, struct conns *r)
{
	struct conn *cs = calloc((size_t)want, sizeof *cs);
	struct pollfd *pf = calloc((size_t)want, sizeof *pf);
	int *idx = calloc((size_t)want, sizeof *idx);
	struct samples hs = { 0 };
	double t0, deadline;
	int next = 0, busy = 0, i, done = 0;
	char code[32];

	memset(r, 0, sizeof *r);
	r->want = want;
	if (!cs || !pf || !idx)
		fail("out of memory");
	server_start("conns", want + 64);
	poll(NULL, 0, 300);
	r->base_hwm_kb = proc_status_kb(srv_pid, "VmHWM");
	r->base_rss_kb = proc_status_kb(srv_pid, "VmRSS");
	for (i = 0; i < want; i++) {
		snprintf(code, sizeof code, "c%04d", i + 1);
		conn_init(&cs[i], station_find(code));
		cs[i].state = -1;   /* not started */
	}
	t0 = now_s();
	deadline = t0 + 60;
	while (done < want) {
		int n = 0, k;
		check_interrupt();
		if (now_s() > deadline)
			break;
		while (busy < (tls_mode ? TLS_HANDSHAKES_IN_FLIGHT
			       : HANDSHAKES_IN_FLIGHT) && next < want) {
			conn_start(&cs[next], srv_port);
			if (cs[next].state == CS_DEAD) {
				r->failed++;
				done++;
				if (!r->first_why[0])
					snprintf(r->first_why, sizeof r->first_why,
						 "%.30s: %.160s", cs[next].st->code,
						 cs[next].why);
			} else {
				busy++;
			}
			next++;
		}
		for (i = 0; i < next; i++) {
			struct conn *c = &cs[i];
			if (c->state < CS_CONNECTING || c->state == CS_LIVE ||
			    c->state == CS_DEAD)
				continue;
			pf[n].fd = c->fd;
			pf[n].events = c->state == CS_CONNECTING ? POLLOUT : POLLIN;
			pf[n].revents = 0;
			idx[n++] = i;
		}
		if (n == 0)
			continue;
		if (poll(pf, (nfds_t)n, 1000) <= 0)
			continue;
		for (k = 0; k < n; k++) {
			struct conn *c = &cs[idx[k]];
			cJSON *m;
			int t;
			if (!pf[k].revents)
				continue;
			if (c->state == CS_CONNECTING) {
				conn_connected(c);
			} else if (conn_fill(c) >= 0) {
				while ((t = conn_next(c, &m)) >= 0) {
					if (t == MSG_WELCOME) {
						sample_add(&hs, 1000 * (now_s() - c->t_start));
						send_pull(c, 0);
					} else if (t == MSG_ERROR) {
						char e[160];
						snprintf(e, sizeof e, "error %.20s: %.120s",
							 jget(m, "code"), jget(m, "message"));
						conn_dead(c, "%s", e);
					}
					cJSON_Delete(m);
					if (c->state == CS_LIVE)
						break;
				}
			}
			if (c->state == CS_LIVE || c->state == CS_DEAD) {
				busy--;
				done++;
				if (c->state == CS_LIVE) {
					r->established++;
				} else {
					r->failed++;
					if (!r->first_why[0])
						snprintf(r->first_why, sizeof r->first_why,
							 "%.30s: %.160s", c->st->code, c->why);
				}
			}
		}
	}
	r->open_s = now_s() - t0;
	/* Keep them open a moment, answering anything, then look. */
	{
		double until = now_s() + 1.0;
		while (now_s() < until) {
			int n = 0, k;
			for (i = 0; i < want; i++)
				if (cs[i].state == CS_LIVE) {
					pf[n].fd = cs[i].fd;
					pf[n].events = POLLIN;
					pf[n].revents = 0;
					idx[n++] = i;
				}
			if (poll(pf, (nfds_t)n, 100) <= 0)
				continue;
			for (k = 0; k < n; k++) {
				struct conn *c = &cs[idx[k]];
				cJSON *m;
				if (!pf[k].revents)
					continue;
				if (conn_fill(c) >= 0)
					while (conn_next(c, &m) >= 0)
						cJSON_Delete(m);
				if (c->state == CS_DEAD) {
					r->dropped++;
					if (!r->first_why[0])
						snprintf(r->first_why, sizeof r->first_why,
							 "%.30s: %.160s", c->st->code, c->why);
				}
			}
		}
	}
	r->hwm_kb = proc_status_kb(srv_pid, "VmHWM");
	r->rss_kb = proc_status_kb(srv_pid, "VmRSS");
	r->fds = proc_fds(srv_pid, &r->fd_limit);
	qsort(hs.v, hs.n, sizeof *hs.v, cmp_double);
	r->hs_p50_ms = pct(hs.v, hs.n, 0.50);
	r->hs_p99_ms = pct(hs.v, hs.n, 0.99);
	free(hs.v);
	for (i = 0; i < want; i++)
		conn_close(&cs[i]);
	free(cs);
	free(pf);
	free(idx);
	server_stop("conns");
	r->ok = 1;
}

/* ---- 5. a station's reconnect ---- */

struct reconnect {
	int ok, n;
	double p50_ms, p99_ms, max_ms;
};

/* One station connects, is welcomed and leaves, n times over: the time
 * from its connect() to the welcome (TCP, TLS in tls_mode, the HMAC
 * handshake), as when its link comes back after a cut. */
static void
bench_reconnect(int n, struct reconnect *r)
{
	struct samples t = { 0 };
	const struct station *st = station_find("relaya");
	char inc[17];
	struct conn c;
	int k;

	memset(r, 0, sizeof *r);
	server_start("reconnect", 0);
	for (k = 0; k < n; k++) {
		check_interrupt();
		conn_open(&c, st, srv_port, k ? inc : NULL);
		sample_add(&t, 1000 * (now_s() - c.t_start));
		/* The same database each time: one incarnation. */
		snprintf(inc, sizeof inc, "%s", c.inc);
		conn_close(&c);
	}
	qsort(t.v, t.n, sizeof *t.v, cmp_double);
	r->n = (int)t.n;
	r->p50_ms = pct(t.v, t.n, 0.50);
	r->p99_ms = pct(t.v, t.n, 0.99);
	r->max_ms = t.n ? t.v[t.n - 1] : 0;
	free(t.v);
	server_stop("reconnect");
	r->ok = 1;
}

/* The server's key for the TLS runs, made once as an administrator
 * would (dutydeskd cert), and the stations' context that pins it. */
static void
tls_setup(void)
{
	const char *a[] = { "cert", "--out", cert_path, NULL };
	char out[512], err[1024], why[256];
	int rc;

	snprintf(cert_path, sizeof cert_path, "%s/server.pem", dir);
	rc = run_prog(dbin, a, out, sizeof out, err, sizeof err, 30, NULL);
	out[strcspn(out, "\n")] = 0;
	if (rc != 0 || !tls_pin_ok(out))
		fail("%s cert --out %s: exit %d: %s", dbin, cert_path, rc, err);
	memcpy(srv_pin, out, TLS_PIN_SIZE);  /* tls_pin_ok: 71 characters */
	if (tls_client_ctx(&cli_ctx, why, sizeof why))
		fail("tls_client_ctx: %s", why);
}

/* TLS against plain: the ratio and whether it is within the budget. */
static const char *
tls_verdict(double tls, double plain)
{
	return verdict(plain > 0 && tls <= BUDGET_TLS_RATIO * plain);
}

int
main(void)
{
	struct ingest ing, ing_tls;
	struct redis red;
	struct pg pgr;
	struct relay rel, rel_tls;
	struct catchup cu;
	struct conns cn, cn_tls;
	struct reconnect rc_plain, rc_tls;
	struct rlimit rl;
	char out[16384], err[4096], code[32], partial[160] = "";
	double ingest_secs = (double)env_long("BENCH_INGEST_SECS", INGEST_SECS,
					      1, 600);
	int ingest_live = (int)env_long("BENCH_INGEST_LIVE", 0, 0, 1);
	int rounds = (int)env_long("BENCH_INGEST_ROUNDS", INGEST_ROUNDS, 1, 100);
	int nconn = (int)env_long("BENCH_CONNS", CONN_N, 1, 100000);
	double push_secs = (double)env_long("BENCH_PUSH_SECS", PUSH_SECS, 1,
					    100000);
	int san, i, nconn_asked = nconn;
	double t_all = now_s();

	if (getenv("BENCH_DUTYDESK") && *getenv("BENCH_DUTYDESK"))
		bin = getenv("BENCH_DUTYDESK");
	if (getenv("BENCH_DUTYDESKD") && *getenv("BENCH_DUTYDESKD"))
		dbin = getenv("BENCH_DUTYDESKD");
	if (access(bin, X_OK) != 0 || access(dbin, X_OK) != 0) {
		fprintf(stderr, "bench_sync: %s or %s not found; build them (make "
			"all) and run from the top of the tree\n", bin, dbin);
		return 1;
	}
	bench_begin(on_interrupt);

	/* The server and this program each hold one descriptor per
	 * station; the server inherits our limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rlim_t need = (rlim_t)nconn + 256;
		if (rl.rlim_cur < need) {
			rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need
				? need : rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
		}
		if (rl.rlim_cur < (rlim_t)nconn + 64) {
			printf("WARNING: open files limited to %ld (hard limit): only "
			       "%ld stations can connect\n", (long)rl.rlim_cur,
			       (long)rl.rlim_cur - 64);
			nconn = (int)rl.rlim_cur - 64;
		}
	}

	/* Does the server run, and what does it take? */
	{
		const char *a[] = { "--help", NULL };
		int rc = run_prog(dbin, a, out, sizeof out, err, sizeof err, 10, NULL);
		if (rc != 0 && !strstr(out, "--listen") && !strstr(err, "--listen")) {
			fprintf(stderr, "bench_sync: %s --help: exit %d: %s%s\n", dbin,
				rc, out, err);
			fprintf(stderr, "bench_sync: the server is not built yet; "
				"nothing to measure\n");
			return 1;
		}
		srv_has_max_conn = strstr(out, "--max-conn") || strstr(err,
								"--max-conn");
	}
	san = sanitized(bin) || sanitized(dbin);

	if (!mkdtemp(dir))
		fail("mkdtemp: %s", strerror(errno));
	have_dir = 1;
	snprintf(keys_path, sizeof keys_path, "%s/keys", dir);
	for (i = 0; i < INGEST_STATIONS; i++) {
		snprintf(code, sizeof code, "ingest%02d", i + 1);
		station_new(code, ROLE_TOWN);
	}
	station_new("relaya", ROLE_TOWN);
	station_new("relayb", ROLE_TOWN);
	station_new("linhai", ROLE_COMMAND);
	station_new("fresha", ROLE_TOWN);
	station_new("freshb", ROLE_TOWN);
	for (i = 0; i < nconn; i++) {
		snprintf(code, sizeof code, "c%04d", i + 1);
		station_new(code, ROLE_TOWN);
	}
	keys_write(keys_path);
	tls_setup();

	printf("== sync benchmark (%s, %s; 127.0.0.1; %d stations in the keys "
	       "file) ==\n", dbin, bin, nstations);
	if (san)
		printf("WARNING: a sanitizer build is measured (make SANITIZE=1 "
		       "puts one there): time and memory figures are not the "
		       "product's; run make all first\n");

	memset(&ing, 0, sizeof ing);
	memset(&red, 0, sizeof red);
	memset(&pgr, 0, sizeof pgr);
	memset(&rel, 0, sizeof rel);
	memset(&cu, 0, sizeof cu);
	memset(&cn, 0, sizeof cn);
	memset(&ing_tls, 0, sizeof ing_tls);
	memset(&rel_tls, 0, sizeof rel_tls);
	memset(&cn_tls, 0, sizeof cn_tls);
	memset(&rc_plain, 0, sizeof rc_plain);
	memset(&rc_tls, 0, sizeof rc_tls);

	/* 1. Durable ingest, and redis in the same run: rounds in turn. */
	if (wanted("ingest")) {
		double ops = 0, secs = 0, sets = 0, set_secs = 0, txs = 0,
		       tx_secs = 0, tops = 0, tsecs = 0;
		int k, m;
		for (k = 0; k < rounds; k++) {
			struct ingest one, two;
			struct redis r1;
			struct pg p1;
			/* Plain and TLS in turn, the first of them alternating
			 * from round to round, each on a server of its own. */
			for (m = 0; m < 2; m++) {
				tls_mode = (k + m) % 2;
				bench_ingest(ingest_secs, ingest_live,
					     tls_mode ? &two : &one);
			}
			tls_mode = 0;
			printf("durable ingest, round %d: %lld operations from %d "
			       "stations (1 op per push, 1 push in flight each%s) in "
			       "%.2f s = %.0f ops/s; ack latency p50 %.2f ms, p99 %.2f "
			       "ms, max %.1f ms; push frame %.0f bytes (the operation "
			       "%.0f); server CPU %.2f s (%.0f us/op), bench CPU %.2f "
			       "s\n", k + 1, one.ops, INGEST_STATIONS, ingest_live
			       ? ", all live" : "", one.secs, one.ops_s, one.p50_ms,
			       one.p99_ms, one.max_ms, one.frame_bytes,
			       one.frame_bytes - PUSH_WRAP, one.srv_cpu, one.ops
			       ? 1e6 * one.srv_cpu / one.ops : 0, one.my_cpu);
			printf("  the server's state behind its log: at most %lld "
			       "operations, %.2f s (sampled every 250 ms); it held "
			       "the whole log %.3f s after the last ack\n",
			       one.lag_max_ops, one.lag_max_s, one.catchup_s);
			if (one.refused || one.busy)
				printf("  (%lld refused, %lld busy answers retried)\n",
				       one.refused, one.busy);
			printf("durable ingest over TLS, round %d: %lld operations "
			       "in %.2f s = %.0f ops/s; ack latency p50 %.2f ms, p99 "
			       "%.2f ms, max %.1f ms; server CPU %.2f s (%.0f us/op); "
			       "TLS/plain: throughput %.2f, p99 %.2f\n", k + 1,
			       two.ops, two.secs, two.ops_s, two.p50_ms, two.p99_ms,
			       two.max_ms, two.srv_cpu, two.ops ? 1e6 * two.srv_cpu /
			       two.ops : 0, one.ops_s > 0 ? two.ops_s / one.ops_s : 0,
			       one.p99_ms > 0 ? two.p99_ms / one.p99_ms : 0);
			if (two.refused || two.busy)
				printf("  (%lld refused, %lld busy answers retried)\n",
				       two.refused, two.busy);
			ops += (double)one.ops;
			secs += one.secs;
			tops += (double)two.ops;
			tsecs += two.secs;
			if (k == 0 || one.p99_ms > ing.p99_ms)
				ing = one;
			if (k == 0 || two.p99_ms > ing_tls.p99_ms)
				ing_tls = two;
			bench_redis(ingest_secs, &r1);
			red = r1;
			if (!r1.ran) {
				printf("redis comparison skipped: %s\n", r1.why);
			} else {
				printf("redis %s, round %d, appendonly yes, appendfsync "
				       "always: redis-benchmark -c 20 -P 1 -d 300 -t set "
				       "-n %ld: %.0f SET/s (reference: %.0f SET/s from 50 "
				       "clients); ratio in this round %.2f\n",
				       r1.version, k + 1, r1.n, r1.rps,
				       REF_REDIS_50_SETS, one.ops_s / r1.rps);
				sets += (double)r1.n;
				set_secs += (double)r1.n / r1.rps;
			}
			bench_pg(ingest_secs, &p1);
			if (!p1.ran) {
				pgr = p1;
				printf("PostgreSQL comparison skipped: %s\n", p1.why);
				continue;
			}
			printf("%s, round %d, defaults (fsync, synchronous_commit "
			       "on): pgbench -c 20 -j 2 -T %.0f, each transaction "
			       "one 300-byte log row and one upserted state row: "
			       "%.0f tps; ratio in this round %.2f\n", p1.version,
			       k + 1, ingest_secs, p1.tps, one.ops_s / p1.tps);
			txs += (double)p1.n;
			tx_secs += (double)p1.n / p1.tps;
			pgr = p1;
		}
		/* The totals; the latencies shown are the worst round's. */
		ing.ops_s = secs > 0 ? ops / secs : 0;
		ing_tls.ops_s = tsecs > 0 ? tops / tsecs : 0;
		if (red.ran)
			red.rps = set_secs > 0 ? sets / set_secs : 0;
		if (pgr.ran)
			pgr.tps = tx_secs > 0 ? txs / tx_secs : 0;
	}

	/* 2. Relay, plain then over TLS. */
	if (wanted("relay")) {
		bench_relay(&rel);
		printf("relay A -> B (both live, idle server): %d samples: p50 %.3f "
		       "ms, p99 %.3f ms, max %.3f ms, mean %.3f ms; A's ack p50 %.3f "
		       "ms, p99 %.3f ms (reference: bare libuv round trip %.0f us, "
		       "p99 %.0f us; SQLite 100-row commit p99 %.0f ms)\n", rel.n,
		       rel.p50_ms, rel.p99_ms, rel.max_ms, rel.mean_ms,
		       rel.ack_p50_ms, rel.ack_p99_ms, REF_UV_RTT_US,
		       REF_UV_RTT_P99_US, REF_SQLITE_COMMIT_P99_MS);
		tls_mode = 1;
		bench_relay(&rel_tls);
		tls_mode = 0;
		printf("relay A -> B over TLS: %d samples: p50 %.3f ms, p99 %.3f "
		       "ms, max %.3f ms, mean %.3f ms; A's ack p50 %.3f ms, p99 "
		       "%.3f ms; TLS/plain p99 %.2f\n", rel_tls.n, rel_tls.p50_ms,
		       rel_tls.p99_ms, rel_tls.max_ms, rel_tls.mean_ms,
		       rel_tls.ack_p50_ms, rel_tls.ack_p99_ms, rel.p99_ms > 0
		       ? rel_tls.p99_ms / rel.p99_ms : 0);
	}

	/* 3. Catch-up. */
	if (wanted("catchup"))
		bench_catchup(push_secs, &cu);

	/* 4. Many stations, plain then over TLS. */
	if (wanted("conns")) {
		for (i = 0; i < 2; i++) {
			struct conns *c = i ? &cn_tls : &cn;
			const char *how = i ? " over TLS" : "";
			tls_mode = i;
			bench_conns(nconn, c);
			printf("connected stations%s: %d of %d established "
			       "(authenticated, pulled, live) in %.2f s; handshake+pull "
			       "p50 %.1f ms, p99 %.1f ms; %d failed, %d dropped while "
			       "held%s%s\n", how, c->established, c->want, c->open_s,
			       c->hs_p50_ms, c->hs_p99_ms, c->failed, c->dropped,
			       c->first_why[0] ? "; first: " : "", c->first_why);
			printf("server with %d stations connected%s: VmHWM %.1f MB, "
			       "VmRSS %.1f MB (idle before: VmHWM %.1f MB, VmRSS %.1f "
			       "MB; %.1f KB per connection); %ld descriptors open, limit "
			       "%ld%s\n", c->established, how, c->hwm_kb / 1024.0,
			       c->rss_kb / 1024.0, c->base_hwm_kb / 1024.0,
			       c->base_rss_kb / 1024.0, c->established
			       ? (double)(c->rss_kb - c->base_rss_kb) / c->established
			       : 0, c->fds, c->fd_limit, srv_has_max_conn ? ""
			       : " (the server has no --max-conn option)");
		}
		tls_mode = 0;
	}

	/* 5. A station's reconnect, plain then over TLS. */
	if (wanted("reconnect")) {
		for (i = 0; i < 2; i++) {
			struct reconnect *r = i ? &rc_tls : &rc_plain;
			tls_mode = i;
			bench_reconnect(RECONNECT_SAMPLES, r);
			printf("a station's reconnect%s (TCP, %sHMAC, welcome), one "
			       "after another: %d samples: p50 %.2f ms, p99 %.2f ms, max "
			       "%.2f ms\n", i ? " over TLS" : " plain", i ? "TLS, " : "",
			       r->n, r->p50_ms, r->p99_ms, r->max_ms);
		}
		tls_mode = 0;
	}

	printf("\n== summary: figure | reference | budget | verdict ==\n");
	if (san)
		printf("(WARNING: sanitizer build measured; see above)\n");
	if (ing.ok && red.ran)
		printf("durable ingest, %d stations, 1 op/frame, 1 in flight, %d "
		       "rounds: %.0f ops/s | redis AOF always, 20 clients, rounds "
		       "in turn: %.0f SET/s | >= redis (ratio %.2f) | %s\n",
		       INGEST_STATIONS, rounds, ing.ops_s, red.rps,
		       ing.ops_s / red.rps,
		       verdict(ing.ops_s >= BUDGET_INGEST_RATIO * red.rps));
	else if (ing.ok)
		printf("durable ingest, %d stations, 1 op/frame, 1 in flight: %.0f "
		       "ops/s | redis: skipped (apt-get install redis-server "
		       "redis-tools) | >= redis | no verdict\n", INGEST_STATIONS,
		       ing.ops_s);
	if (ing.ok && pgr.ran)
		printf("durable ingest against PostgreSQL, %d rounds: %.0f ops/s | "
		       "%s, pgbench 20 clients, one log row and one upserted state "
		       "row per transaction, rounds in turn: %.0f tps | >= %.0fx "
		       "PostgreSQL (ratio %.2f) | %s\n", rounds, ing.ops_s,
		       pgr.version, pgr.tps, BUDGET_PG_RATIO, ing.ops_s / pgr.tps,
		       verdict(ing.ops_s >= BUDGET_PG_RATIO * pgr.tps));
	else if (ing.ok)
		printf("durable ingest against PostgreSQL: skipped (%s) | - | >= "
		       "%.0fx PostgreSQL | no verdict\n", pgr.why, BUDGET_PG_RATIO);
	if (ing.ok && ing_tls.ok)
		printf("durable ingest over TLS, ack p99 (worst round): %.2f ms, "
		       "%.0f ops/s | plain in the same run: %.2f ms, %.0f ops/s | "
		       "p99 within 15 %% of plain (ratio %.2f; throughput %.2f) | "
		       "%s\n", ing_tls.p99_ms, ing_tls.ops_s, ing.p99_ms, ing.ops_s,
		       ing.p99_ms > 0 ? ing_tls.p99_ms / ing.p99_ms : 0,
		       ing.ops_s > 0 ? ing_tls.ops_s / ing.ops_s : 0,
		       tls_verdict(ing_tls.p99_ms, ing.p99_ms));
	if (rel.ok)
		printf("relay A -> B latency: p99 %.3f ms (p50 %.3f, max %.3f) | "
		       "libuv round trip p99 %.3f ms | p99 <= %.0f ms | %s\n",
		       rel.p99_ms, rel.p50_ms, rel.max_ms, REF_UV_RTT_P99_US / 1000,
		       BUDGET_RELAY_P99_MS, verdict(rel.p99_ms <= BUDGET_RELAY_P99_MS));
	if (rel.ok && rel_tls.ok)
		printf("relay A -> B latency over TLS: p99 %.3f ms (p50 %.3f, max "
		       "%.3f) | plain in the same run: p99 %.3f ms | within 15 %% of "
		       "plain (ratio %.2f) | %s\n", rel_tls.p99_ms, rel_tls.p50_ms,
		       rel_tls.max_ms, rel.p99_ms, rel.p99_ms > 0 ? rel_tls.p99_ms /
		       rel.p99_ms : 0, tls_verdict(rel_tls.p99_ms, rel.p99_ms));
	if (cu.ok && cu.pushed < BIG_N)
		snprintf(partial, sizeof partial, "INCOMPLETE: the server took "
			 "only %lld of %d operations in %.0f s", cu.pushed, BIG_N,
			 push_secs);
	if (cu.ok)
		printf("catch-up of %lld ops on the wire (pull to live): %.2f s | "
		       "SQLite %.0f rows/s | %d ops <= %.0f s | %s\n", cu.wire_ops,
		       cu.wire_s, REF_SQLITE_ROWS_S, BIG_N, BUDGET_CATCHUP_S,
		       partial[0] ? partial : verdict(cu.wire_ops >= BIG_N &&
						      cu.wire_s <= BUDGET_CATCHUP_S));
	if (cu.ok && cu.sync_ran)
		printf("catch-up applied by %s sync: %.2f s (%lld applied%s) | "
		       "SQLite %.0f rows/s | %d ops <= %.0f s | %s\n", bin,
		       cu.sync_s, cu.sync_applied, cu.sync_rc ? ", FAILED" : "",
		       REF_SQLITE_ROWS_S, BIG_N, BUDGET_CATCHUP_S, partial[0]
		       ? partial : verdict(cu.sync_rc == 0 && cu.sync_applied >=
					   BIG_N && cu.sync_s <= BUDGET_CATCHUP_S));
	else if (cu.ok)
		printf("catch-up applied by dutydesk sync: skipped (%s) | - | %d "
		       "ops <= %.0f s | no verdict\n", cu.sync_why, BIG_N,
		       BUDGET_CATCHUP_S);
	if (cn.ok) {
		printf("stations connected at once: %d | - | %d | %s\n",
		       cn.established, nconn_asked, nconn < nconn_asked
		       ? "OVER (this program's open-file limit)"
		       : verdict(cn.established == cn.want && cn.dropped == 0));
		printf("server memory with %d connected (VmHWM): %.1f MB | - | < "
		       "%.0f MB | %s\n", cn.established, cn.hwm_kb / 1024.0,
		       BUDGET_SERVER_MB, verdict(cn.hwm_kb >= 0 &&
						 cn.hwm_kb / 1024.0 < BUDGET_SERVER_MB));
	}
	if (cn_tls.ok) {
		printf("stations connected at once over TLS: %d | plain: %d | %d "
		       "| %s\n", cn_tls.established, cn.established, nconn_asked,
		       nconn < nconn_asked ? "OVER (this program's open-file limit)"
		       : verdict(cn_tls.established == cn_tls.want &&
				 cn_tls.dropped == 0));
		printf("server memory with %d connected over TLS (VmHWM): %.1f MB "
		       "| plain, %d connected: %.1f MB | < %.0f MB | %s\n",
		       cn_tls.established, cn_tls.hwm_kb / 1024.0, cn.established,
		       cn.hwm_kb / 1024.0, BUDGET_TLS_SERVER_MB,
		       verdict(cn_tls.hwm_kb >= 0 && cn_tls.hwm_kb / 1024.0 <
			       BUDGET_TLS_SERVER_MB));
	}
	if (rc_tls.ok)
		printf("a station's reconnect over TLS (TCP, TLS, HMAC, welcome): "
		       "p99 %.2f ms (p50 %.2f, max %.2f) | plain: p99 %.2f ms | p99 "
		       "< %.0f ms | %s\n", rc_tls.p99_ms, rc_tls.p50_ms,
		       rc_tls.max_ms, rc_plain.p99_ms, BUDGET_RECONNECT_P99_MS,
		       verdict(rc_tls.p99_ms < BUDGET_RECONNECT_P99_MS));
	printf("(whole run %.0f s)\n", now_s() - t_all);

	cleanup();
	tls_ctx_free(&cli_ctx);
	free(stations);
	return 0;
}
