/*
 * test_tlswire.c - hostile TLS peers against the real dutydeskd
 * ($DUTYDESKD_BIN, default ./dutydeskd) on 127.0.0.1 with --cert and
 * --handshake-timeout 2: garbage after a ClientHello (whole or half) and
 * after a finished TLS handshake; a truncated record, then silence; a
 * peer that sends its handshake one byte at a time, fast enough and too
 * slow; one that completes TLS and the HMAC handshake, pulls and never
 * reads; more handshakes at once than the cap (64). After each, an
 * honest station (the real dutydesk, $DUTYDESK_BIN, default ./dutydesk,
 * with the server's pin) still syncs, and the server's export is what
 * it was before the hostile peer came.
 *
 * The tests run in order and share one server.
 */
#include "testlib.h"
#include "wirelib.h"

#include <sys/stat.h>

/* The server's handshake timeout in these tests, in seconds. */
#define HS_S 2

static const char *station_bin;
static char key_datian[SYNC_HEX], key_gucheng[SYNC_HEX], key_xian[SYNC_HEX];
static char honest_db[600];
static int notes;               /* what the honest station has logged */

/* ---- helpers ---- */

/* The export must still be was (taken, freed). */
static void
export_unchanged(char *was)
{
	char *now = server_export_text();

	if (strcmp(was, now) != 0)
		fail_msg("the hostile peer changed the server's export");
	free(now);
	free(was);
}

/* Start the honest station's `dutydesk --db honest_db sync`; its pid. */
static pid_t
honest_sync_start(void)
{
	const char *argv[] = { station_bin, "--db", honest_db, "sync",
		"--timeout", "10", NULL };
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int e = open(tpath("station.err"), O_WRONLY | O_CREAT | O_APPEND,
			     0600);
		int o = open("/dev/null", O_WRONLY);
		if (e >= 0)
			dup2(e, 2);
		if (o >= 0)
			dup2(o, 1);
		execv(station_bin, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static void
honest_sync_wait(pid_t pid)
{
	int rc = child_wait(pid, 20000);

	if (rc != 0)
		fprintf(stderr, "the honest station's sync: exit %d (see %s)\n",
			rc, tpath("station.err"));
	assert_int_equal(rc, 0);
}

/* The honest station logs a note and syncs it: the server serves. */
static void
honest_syncs(void)
{
	const char *add[] = { "--db", honest_db, "log", "add", NULL, NULL };
	char text[64];

	snprintf(text, sizeof text, "honest note %d", ++notes);
	add[4] = text;
	assert_int_equal(run_prog(station_bin, NULL, add), 0);
	honest_sync_wait(honest_sync_start());
}

/* Wait up to ms for the server to close c (an alert before is fine):
 * the milliseconds it took, or -1 if it did not. */
static int64_t
closed_within(struct cli *c, int ms)
{
	int64_t t0 = now_ms(), end = t0 + ms;
	char buf[4096];

	for (;;) {
		struct pollfd pf = { c->fd, POLLIN, 0 };
		int64_t left = end - now_ms();
		ssize_t n;
		if (left <= 0 || poll(&pf, 1, (int)left) <= 0)
			return -1;
		n = recv(c->fd, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return now_ms() - t0;
	}
}

/* A station's ClientHello for the server's pin, whole, in buf; its
 * length. */
static size_t
client_hello(char *buf, size_t cap)
{
	struct tls_conn *t = tls_conn_new(wire_cctx, 0, wire_pin);
	size_t got, n;
	char none[1];

	assert_non_null(t);
	assert_int_equal(tls_read(t, none, 0, &got), 0);
	n = tls_out_take(t, buf, cap);
	assert_true(n > 5 && n < cap && (unsigned char)buf[0] == 0x16);
	tls_conn_free(&t);
	return n;
}

static void
garbage(char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)(i * 131 + 7);
}

/* ---- the server and the honest station ---- */

static void
server_starts(void **state)
{
	char listen[64], *out = NULL;
	const char *init[] = { "--db", honest_db, "init", "--station", "datian",
		"--server", listen, "--key", key_datian, "--pin", wire_pin, NULL };
	char hs[16];

	(void)state;
	keygen("datian", "town", key_datian);
	keygen("gucheng", "town", key_gucheng);
	keygen("xian", "command", key_xian);
	snprintf(hs, sizeof hs, "%d", HS_S);
	port = free_port();
	srv_pid = server_start(keys_path, db_path, port, "--handshake-timeout",
			       hs);
	server_listening(srv_pid, port);
	snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
	assert_int_equal(run_prog(station_bin, &out, init), 0);
	free(out);
	honest_syncs();
	assert_true(log_has("TLS handshake done"));
}

/* Garbage where records should be: after a whole ClientHello, inside a
 * half one, after a finished TLS handshake. The server ends the session
 * at once (an alert at most), and writes nothing. */
static void
garbage_after_client_hello(void **state)
{
	char hello[4096], junk[1500], *was;
	struct cli c;
	size_t n;
	int i;

	(void)state;
	was = server_export_text();
	n = client_hello(hello, sizeof hello);
	garbage(junk, sizeof junk);
	for (i = 0; i < 3; i++) {
		truncate(log_path, 0);
		if (i < 2) {
			assert_int_equal(cli_connect_raw(&c, port, 0), 0);
			assert_int_equal(cli_send_raw(&c, hello, i == 0 ? n : n / 2),
					 0);
		} else {
			/* TLS done; then bytes that are not its records. */
			cli_open(&c);
		}
		cli_send_raw(&c, junk, sizeof junk);
		if (closed_within(&c, 1000) < 0)
			fail_msg("case %d: not closed within 1 s", i);
		cli_close(&c);
		nap(50);
		assert_true(log_has("TLS: "));
	}
	export_unchanged(was);
	honest_syncs();
}

/* A record cut short, then silence: before the handshake (a ClientHello
 * whose record says more than comes) and after it (an application data
 * record cut short). Closed by the handshake timeout, not before. */
static void
truncated_record_then_silence(void **state)
{
	char hello[4096], rec[40], *was, want[64];
	struct cli c;
	int64_t t;
	int i;

	(void)state;
	was = server_export_text();
	client_hello(hello, sizeof hello);
	snprintf(want, sizeof want, "no handshake in %d s", HS_S);
	for (i = 0; i < 2; i++) {
		truncate(log_path, 0);
		if (i == 0) {
			assert_int_equal(cli_connect_raw(&c, port, 0), 0);
			assert_int_equal(cli_send_raw(&c, hello, 60), 0);
		} else {
			cli_open(&c);
			/* application data, TLS 1.2 on the wire, 200 bytes
			 * said, 30 sent */
			rec[0] = 0x17, rec[1] = 3, rec[2] = 3, rec[3] = 0;
			rec[4] = (char)200;
			garbage(rec + 5, 30);
			assert_int_equal(cli_send_raw(&c, rec, 35), 0);
		}
		t = closed_within(&c, HS_S * 1000 + 3000);
		if (t < 0 || t < HS_S * 1000 - 700)
			fail_msg("case %d: closed after %lld ms, the timeout is %d s",
				 i, (long long)t, HS_S);
		cli_close(&c);
		assert_true(log_has(want));
	}
	export_unchanged(was);
	honest_syncs();
}

/* A peer that sends one byte at a time: fast enough, it completes TLS
 * and the HMAC handshake within the timeout, while the honest station
 * syncs meanwhile; too slow, it is cut at the handshake timeout. */
static void
one_byte_at_a_time(void **state)
{
	char *was, want[64];
	struct cli c;
	cJSON *w;
	pid_t honest;
	int64_t t0, t;

	(void)state;
	was = server_export_text();
	/* Fast enough: a byte every millisecond through TLS and hello. */
	honest = honest_sync_start();
	cli_trickle_ms = 1;
	t0 = now_ms();
	assert_int_equal(cli_try_open(&c, port), 0);
	w = login_as(&c, "gucheng", "00000000000000bb", "live", key_gucheng,
		     NULL);
	cli_trickle_ms = 0;
	cJSON_Delete(w);
	fprintf(stderr, "# a byte a millisecond: TLS and HMAC in %lld ms\n",
		(long long)(now_ms() - t0));
	honest_sync_wait(honest);
	cli_ping(&c);
	cli_close(&c);
	/* Too slow: a byte every 25 ms. */
	truncate(log_path, 0);
	honest = honest_sync_start();
	cli_trickle_ms = 25;
	t0 = now_ms();
	t = cli_try_open(&c, port);
	cli_trickle_ms = 0;
	assert_int_equal(t, -1);
	t = now_ms() - t0;
	if (t < HS_S * 1000 - 700 || t > HS_S * 1000 + 3000)
		fail_msg("the slow peer was cut after %lld ms, the timeout is "
			 "%d s", (long long)t, HS_S);
	snprintf(want, sizeof want, "no handshake in %d s", HS_S);
	assert_true(log_has(want));
	honest_sync_wait(honest);
	export_unchanged(was);
	honest_syncs();
}

/* n log entries of size bytes each made at a station gucheng (its
 * incarnation in inc): its outbox, as it pushes it. */
static cJSON *
notes_of_gucheng(int n, size_t size, char inc[17])
{
	struct station_info si;
	struct db *g = tstation("gucheng", ROLE_TOWN, 1);
	char id[64], *text = malloc(size + 1);
	cJSON *ops = cJSON_CreateArray();
	int i;

	assert_int_equal(station_identity(g, &si), 0);
	snprintf(inc, 17, "%s", si.incarnation);
	assert_non_null(text);
	memset(text, 'n', size);
	text[size] = 0;
	assert_int_equal(db_begin(g), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(log_add(g, "note", text, id), 0);
	assert_int_equal(db_end(g, 0), 0);
	free(text);
	assert_int_equal(op_each(g, 1, collect, ops), 0);
	return ops;
}

/* Push ops in frames of per operations, each acknowledged. */
static void
push_chunked(struct cli *c, const cJSON *ops, int per)
{
	int i, k, n = cJSON_GetArraySize(ops), t;
	cJSON *m, *chunk;

	for (i = 0; i < n; i += per) {
		chunk = cJSON_CreateArray();
		for (k = i; k < n && k < i + per; k++)
			cJSON_AddItemToArray(chunk, cJSON_Duplicate(
				cJSON_GetArrayItem(ops, k), 1));
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "type", "push");
		cJSON_AddItemToObject(m, "ops", chunk);
		cli_sendm(c, m);
		while ((t = cli_recv(c, 20000, &m)) == MSG_PING) {
			cJSON *p = cJSON_CreateObject();
			cJSON_AddStringToObject(p, "type", "pong");
			cli_sendm(c, p);
			cJSON_Delete(m);
		}
		if (t == MSG_ERROR)
			fprintf(stderr, "push: %s\n", str(m, "message"));
		assert_int_equal(t, MSG_ACK);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(m,
							"refused")), 0);
		cJSON_Delete(m);
	}
}

/* A peer that completes TLS and the HMAC handshake, pulls, and never
 * reads: the server drops it as slow, as on a plain connection, and
 * keeps serving. It writes nothing. */
static void
never_reads(void **state)
{
	struct cli x, g;
	cJSON *m, *ops;
	char *was, inc[17];
	int t;

	(void)state;
	/* xian is live with a tiny receive buffer and stops reading. */
	assert_int_equal(cli_try_open_buf(&x, port, 4096), 0);
	cJSON_Delete(login_as(&x, "xian", "00000000000000cc", "live", key_xian,
			      NULL));
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "type", "pull");
	cJSON_AddStringToObject(m, "after", "0");
	cli_sendm(&x, m);
	while ((t = cli_recv(&x, WAIT_MS, &m)) == MSG_OPS)
		cJSON_Delete(m);
	assert_int_equal(t, MSG_LIVE);
	cJSON_Delete(m);
	/* Over 8 MiB of ciphertext relayed to it, and what the kernel
	 * buffers. */
	ops = notes_of_gucheng(4000, 3000, inc);
	cli_open(&g);
	cJSON_Delete(login_as(&g, "gucheng", inc, "live", key_gucheng, NULL));
	push_chunked(&g, ops, 250);
	cJSON_Delete(ops);
	cli_ping(&g);
	cli_close(&g);
	/* What the server holds now; dropping the reader changes none. */
	was = server_export_text();
	assert_true(log_has("does not read"));
	while ((t = cli_recv(&x, WAIT_MS, &m)) >= 0)
		cJSON_Delete(m);
	assert_int_equal(t, -1);
	cli_close(&x);
	export_unchanged(was);
	honest_syncs();
}

/* More TLS handshakes at once than the cap: the first 64 are carried,
 * the rest closed at accept (an honest station among them); the honest
 * station syncs once some finish, and those never finished go at the
 * handshake timeout. */
static void
handshakes_over_the_cap(void **state)
{
	enum { CAP = 64, OVER = 6 };
	struct cli held[CAP], over[OVER];
	char hello[4096], *was;
	pid_t honest;
	int i, closed = 0;

	(void)state;
	was = server_export_text();
	client_hello(hello, sizeof hello);
	truncate(log_path, 0);
	for (i = 0; i < CAP; i++) {
		assert_int_equal(cli_connect_raw(&held[i], port, 0), 0);
		assert_int_equal(cli_send_raw(&held[i], hello, 40), 0);
	}
	/* Every one accepted before the next come. */
	for (i = 0; i < 200 && !log_has("connect #"); i++)
		nap(10);
	nap(300);
	for (i = 0; i < OVER; i++) {
		assert_int_equal(cli_connect_raw(&over[i], port, 0), 0);
		cli_send_raw(&over[i], hello, 40);
	}
	for (i = 0; i < OVER; i++) {
		if (closed_within(&over[i], 1000) >= 0)
			closed++;
		cli_close(&over[i]);
	}
	assert_int_equal(closed, OVER);
	/* None of the first was closed meanwhile. */
	for (i = 0; i < CAP; i++) {
		struct pollfd pf = { held[i].fd, POLLIN, 0 };
		assert_int_equal(poll(&pf, 1, 0), 0);
	}
	/* The honest station that comes while the cap is full is closed at
	 * accept too (its sync says the server closed the connection);
	 * once some finish (they go), it syncs. */
	honest = honest_sync_start();
	assert_int_not_equal(child_wait(honest, 10000), 0);
	for (i = 0; i < 8; i++)
		cli_close(&held[i]);
	honest_sync_wait(honest_sync_start());
	nap(1100); /* the sweep says it once a second */
	assert_true(log_has("TLS handshakes in progress already"));
	for (i = 8; i < CAP; i++) {
		if (closed_within(&held[i], HS_S * 1000 + 3000) < 0)
			fail_msg("held %d: not closed by the handshake timeout", i);
		cli_close(&held[i]);
	}
	export_unchanged(was);
	honest_syncs();
}

static void
server_stops(void **state)
{
	(void)state;
	assert_int_equal(kill(srv_pid, SIGTERM), 0);
	assert_int_equal(child_wait(srv_pid, 10000), 0);
	srv_pid = -1;
}

static int
setup(void **state)
{
	(void)state;
	wire_setup();
	wire_tls_setup();
	station_bin = getenv("DUTYDESK_BIN") ? getenv("DUTYDESK_BIN")
		: "./dutydesk";
	setenv("DUTYDESK_OFFICER", "tester", 1);
	setenv("DUTYDESK_TZ", "Asia/Shanghai", 1);
	unsetenv("DUTYDESK_DB");
	snprintf(honest_db, sizeof honest_db, "%s", tpath("honest.db"));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	wire_teardown();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(server_starts),
		cmocka_unit_test(garbage_after_client_hello),
		cmocka_unit_test(truncated_record_then_silence),
		cmocka_unit_test(one_byte_at_a_time),
		cmocka_unit_test(never_reads),
		cmocka_unit_test(handshakes_over_the_cap),
		cmocka_unit_test(server_stops),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
