/*
 * test_wirefault.c - the link cut mid-frame and mid-batch, against the
 * real server binary ($DUTYDESKD_BIN, default ./dutydeskd, run from the
 * top of the tree with DUTYDESK_ASSETS=assets) on 127.0.0.1, spoken to
 * over TLS on blocking sockets. The operations pushed are a real station
 * database's outbox (incident_add, then op_each and op_to_json).
 *
 * A push frame is all or nothing: half of it followed by a close (a FIN
 * or a reset) applies nothing; a whole frame whose connection is cut
 * before the ack is read is either all taken or not at all, and pushing
 * it again completes it without doubling anything.
 *
 * The processes and wire helpers (server_start, run, struct cli,
 * cli_send, cli_expect, login_as, ...) are in wirelib.h, shared with
 * test_server.c. Every wait is a poll with a timeout, so a broken server
 * fails the test, never hangs it.
 */
#include "testlib.h"
#include "wirelib.h"

#include <signal.h>
#include <sys/stat.h>

#include <sqlite3.h>

#define FIRST 300       /* operations of the frame cut in half */
#define SECOND 500      /* of the frame cut after its write (FIN) */
#define THIRD 500       /* of the frame cut after its write (reset) */

static char key_datian[SYNC_HEX];
static struct db *datian;       /* a real station database */
static char inc_datian[17];
static cJSON *outbox;           /* its operations, in seq order */

/* ---- a station's side of the wire (the rest is in wirelib.h) ---- */

/* The link cut hard: a reset instead of a FIN (SO_LINGER 0). */
static void
cli_abort(struct cli *c)
{
	struct linger lg = { 1, 0 };

	if (c->fd >= 0)
		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	cli_close(c);
}

/* ---- what this file adds ---- */

/* Log in as datian on a new connection; its welcome's have and head. */
static void
login_datian(struct cli *c, int64_t *have, int64_t *head)
{
	cJSON *w;

	cli_open(c);
	w = login_as(c, "datian", inc_datian, "live", key_datian, NULL);
	assert_int_equal(msg_i64(w, "have", have), 1);
	if (head)
		assert_int_equal(msg_i64(w, "head", head), 1);
	cJSON_Delete(w);
}

/* have (and head) as a new connection is told them. */
static int64_t
have_now(int64_t *head)
{
	struct cli c;
	int64_t have = -1;

	login_datian(&c, &have, head);
	cli_close(&c);
	return have;
}

/* The push frame of outbox operations [from, to), printed with its
 * newline (caller frees). */
static char *
push_text(int from, int to, size_t *n)
{
	cJSON *m = cJSON_CreateObject(), *ops = cJSON_CreateArray();
	char *s;
	int i;

	for (i = from; i < to; i++)
		cJSON_AddItemToArray(ops, cJSON_Duplicate(
			cJSON_GetArrayItem(outbox, i), 1));
	cJSON_AddStringToObject(m, "type", "push");
	cJSON_AddItemToObject(m, "ops", ops);
	s = msg_print(m, n);
	cJSON_Delete(m);
	assert_non_null(s);
	return s;
}

/* Push the frame and wait for its ack: upto must be want, nothing
 * refused. */
static void
push_expect(struct cli *c, const char *text, size_t n, int64_t want)
{
	cJSON *ack;
	int64_t upto = -1;

	assert_int_equal(cli_send(c, text, n), 0);
	ack = cli_expect(c, MSG_ACK);
	assert_int_equal(msg_i64(ack, "upto", &upto), 1);
	assert_int_equal(upto, want);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ack, "refused")),
			 0);
	cJSON_Delete(ack);
}

/* The server's incidents: how many, and how many distinct titles; its
 * digest into dig. */
static void
server_incidents(int *count, int *titles, char dig[80])
{
	char *text = server_export_text();
	cJSON *x = cJSON_Parse(text), *i, *seen = cJSON_CreateObject();
	const cJSON *d;

	free(text);
	assert_non_null(x);
	*count = *titles = 0;
	cJSON_ArrayForEach(i, cJSON_GetObjectItemCaseSensitive(x, "incidents")) {
		const char *t = str(i, "title");
		(*count)++;
		if (!cJSON_GetObjectItemCaseSensitive(seen, t)) {
			cJSON_AddTrueToObject(seen, t);
			(*titles)++;
		}
	}
	d = cJSON_GetObjectItemCaseSensitive(x, "digest");
	snprintf(dig, 80, "%s", cJSON_IsString(d) ? d->valuestring : "");
	cJSON_Delete(seen);
	cJSON_Delete(x);
}

/* The station's own export digest. */
static void
station_digest(char dig[80])
{
	char *s = texport(datian);
	cJSON *x = cJSON_Parse(s);

	free(s);
	assert_non_null(x);
	snprintf(dig, 80, "%s", str(x, "digest"));
	cJSON_Delete(x);
}

/* n incidents more at datian, titled wf-K. */
static void
make_incidents(int n)
{
	static int made;
	char title[32], id[64];
	cJSON *f;
	int i;

	assert_int_equal(db_begin(datian), 0);
	for (i = 0; i < n; i++) {
		f = cJSON_CreateObject();
		snprintf(title, sizeof title, "wf-%d", ++made);
		cJSON_AddStringToObject(f, "title", title);
		cJSON_AddStringToObject(f, "town", "datian");
		cJSON_AddStringToObject(f, "place", "a place long enough to make "
					"the frame a little bigger than it would be");
		cJSON_AddStringToObject(f, "received_at", "2026-11-28T11:50:00Z");
		assert_int_equal(incident_add(datian, f, id), 0);
		cJSON_Delete(f);
	}
	assert_int_equal(db_end(datian, 0), 0);
}

/* The outbox again, all of it (nothing is marked acknowledged here). */
static void
reload_outbox(int want)
{
	cJSON_Delete(outbox);
	outbox = cJSON_CreateArray();
	assert_int_equal(op_each(datian, 1, collect, outbox), 0);
	assert_int_equal(cJSON_GetArraySize(outbox), want);
}

/* have, asked again for up to ms, must always be one of a or b; the
 * last value seen. Polling covers a server still taking the frame. */
static int64_t
have_settles(int64_t a, int64_t b, int ms)
{
	int64_t end = now_ms() + ms, have, head;

	for (;;) {
		have = have_now(&head);
		if (have != a && have != b)
			fprintf(stderr, "have %lld: neither %lld nor %lld\n",
				(long long)have, (long long)a, (long long)b);
		assert_true(have == a || have == b);
		if (have == b || now_ms() > end)
			return have;
		nap(50);
	}
}

/* ---- the tests ---- */

static void
server_starts(void **state)
{
	int64_t have = -1, head = -1;

	(void)state;
	port = free_port();
	srv_pid = server_start(keys_path, db_path, port, NULL, NULL);
	server_listening(srv_pid, port);
	have = have_now(&head);
	assert_int_equal(have, 0);
	assert_int_equal(head, 0);
}

/* Half of a push of 300 operations, then the link goes (a FIN, then a
 * reset): nothing of it is applied. */
static void
cut_mid_frame(void **state)
{
	char *before, *after, *text, dig[80], mine[80];
	struct cli c;
	int64_t have = -1, head = -1;
	size_t n;
	int count, titles;

	(void)state;
	make_incidents(FIRST);
	reload_outbox(FIRST);
	text = push_text(0, FIRST, &n);
	assert_true(n > 50000);
	before = server_export_text();

	/* A FIN after half of the frame. */
	login_datian(&c, &have, NULL);
	assert_int_equal(have, 0);
	assert_int_equal(cli_send(&c, text, n / 2), 0);
	nap(100);
	cli_close(&c);
	nap(100);
	assert_int_equal(have_now(&head), 0);
	assert_int_equal(head, 0);

	/* A reset after all of it but the last bytes (the newline). */
	login_datian(&c, &have, NULL);
	assert_int_equal(cli_send(&c, text, n - 1), 0);
	nap(100);
	cli_abort(&c);
	nap(100);
	assert_int_equal(have_now(&head), 0);
	assert_int_equal(head, 0);
	after = server_export_text();
	assert_string_equal(before, after);
	free(after);
	free(before);

	/* The whole frame: all 300 taken. */
	login_datian(&c, &have, NULL);
	assert_int_equal(have, 0);
	push_expect(&c, text, n, FIRST);
	cli_ping(&c);
	cli_close(&c);
	free(text);
	assert_int_equal(have_now(&head), FIRST);
	assert_int_equal(head, FIRST);
	server_incidents(&count, &titles, dig);
	assert_int_equal(count, FIRST);
	assert_int_equal(titles, FIRST);
	station_digest(mine);
	assert_string_equal(dig, mine);
}

/* A station reconnects while its old connection, cut mid-frame, is not
 * yet known dead; the rest of the frame then arrives on the old one. The
 * new connection replaced it: nothing of it is applied. */
static void
replaced_mid_frame(void **state)
{
	char *before, *after, *text;
	struct cli old, c;
	int64_t have = -1, head = -1;
	size_t n;

	(void)state;
	make_incidents(10);
	reload_outbox(FIRST + 10);
	text = push_text(FIRST, FIRST + 10, &n);
	before = server_export_text();
	login_datian(&old, &have, NULL);
	assert_int_equal(have, FIRST);
	assert_int_equal(cli_send(&old, text, n / 2), 0);
	nap(50);
	login_datian(&c, &have, NULL);
	assert_int_equal(have, FIRST);
	/* The rest, on the replaced connection (it may be refused). */
	cli_send(&old, text + n / 2, n - n / 2);
	nap(200);
	cli_ping(&c);
	assert_int_equal(have_now(&head), FIRST);
	assert_int_equal(head, FIRST);
	after = server_export_text();
	assert_string_equal(before, after);
	free(before);
	free(after);
	cli_close(&old);
	cli_close(&c);
	free(text);
	/* The ten go later with the next frames: the outbox keeps them. */
}

/* A whole frame written, then the link cut before the ack is read:
 * have is the old or the new value, never in between; pushing again
 * completes it, and nothing is doubled. */
static void
cut_after_write(int first, int count, int hard)
{
	char *text, dig[80], mine[80];
	struct cli c;
	int64_t have = -1, head = -1, h, total = first + count;
	size_t n;
	int inc, titles;

	make_incidents(count - (hard ? 0 : 10));
	reload_outbox(first + count);
	text = push_text(first, first + count, &n);
	assert_true(n < FRAME_MAX);
	login_datian(&c, &have, &head);
	assert_int_equal(have, first);
	assert_int_equal(cli_send(&c, text, n), 0);
	if (hard)
		cli_abort(&c);
	else
		cli_close(&c);
	h = have_settles(first, total, 1500);
	fprintf(stderr, "# cut after the write (%s): have %lld of %lld..%lld\n",
		hard ? "reset" : "FIN", (long long)h, (long long)first,
		(long long)total);
	/* Pushed again, whatever happened: all of it is held once. */
	login_datian(&c, &have, &head);
	assert_true(have == first || have == total);
	push_expect(&c, text, n, total);
	cli_ping(&c);
	cli_close(&c);
	free(text);
	assert_int_equal(have_now(&head), total);
	assert_int_equal(head, total);
	server_incidents(&inc, &titles, dig);
	assert_int_equal(inc, total);
	assert_int_equal(titles, total);
	station_digest(mine);
	assert_string_equal(dig, mine);
}

static void
cut_after_write_fin(void **state)
{
	(void)state;
	/* The ten of replaced_mid_frame and 490 more: 500 in one frame. */
	cut_after_write(FIRST, SECOND, 0);
}

static void
cut_after_write_reset(void **state)
{
	(void)state;
	cut_after_write(FIRST + SECOND, THIRD, 1);
}

/* Half a frame, then silence: the server (a second one, with a one-
 * second idle timeout) drops the connection and applies nothing of it. */
static void
partial_then_silent(void **state)
{
	char silent_db[600], *text;
	struct cli c;
	int64_t have = -1, head = -1, t0;
	int main_port = port, t;
	cJSON *m = NULL;
	size_t n;

	(void)state;
	snprintf(silent_db, sizeof silent_db, "%s", tpath("silent.db"));
	port = free_port();
	srv2_pid = server_start(keys_path, silent_db, port, "--idle-timeout", "1");
	server_listening(srv2_pid, port);
	text = push_text(0, 100, &n);
	login_datian(&c, &have, NULL);
	assert_int_equal(have, 0);
	assert_int_equal(cli_send(&c, text, n / 2), 0);
	free(text);
	/* Its pings go unanswered; then the connection is closed. */
	t0 = now_ms();
	while ((t = cli_recv(&c, 5000, &m)) >= 0) {
		cJSON_Delete(m);
		m = NULL;
	}
	assert_int_equal(t, -1);
	assert_true(now_ms() - t0 < 5000);
	cli_close(&c);
	assert_int_equal(have_now(&head), 0);
	assert_int_equal(head, 0);
	assert_int_equal(kill(srv2_pid, SIGTERM), 0);
	assert_int_equal(child_wait(srv2_pid, 10000), 0);
	srv2_pid = -1;
	port = main_port;
}

/* Push outbox operations [from, to) one per frame, each acknowledged. */
static void
push_each(struct cli *c, int from, int to)
{
	int i;

	for (i = from; i < to; i++) {
		size_t n;
		char *text = push_text(i, i + 1, &n);
		push_expect(c, text, n, i + 1);
		free(text);
	}
}

/* A long stream of pushes, one operation each (a commit each) against
 * a server of its own: the checkpoints keep up and the write-ahead log
 * starts over, so its file stays about CKPT_FRAMES (4000) frames long
 * where the stream writes over four times that. Before, rounds never
 * caught up with the commits made meanwhile and the file grew to 32768
 * frames, every sync growing it. Everything acknowledged is held. Then
 * a reader keeps an old snapshot open (an export running) so no round
 * can finish: the pushes are still taken, none waits on it. */
static void
wal_starts_over(void **state)
{
	char db[600], wal[620];
	int main_port = port, before = cJSON_GetArraySize(outbox), total;
	int64_t have = -1;
	sqlite3 *reader = NULL;
	struct stat st;
	struct cli c;

	(void)state;
	make_incidents(3500);
	total = before + 3500;
	reload_outbox(total);
	snprintf(db, sizeof db, "%s", tpath("long.db"));
	snprintf(wal, sizeof wal, "%s-wal", db);
	port = free_port();
	srv2_pid = server_start(keys_path, db, port, NULL, NULL);
	server_listening(srv2_pid, port);
	login_datian(&c, &have, NULL);
	assert_int_equal(have, 0);
	push_each(&c, 0, total - 1000);
	assert_int_equal(stat(wal, &st), 0);
	if (st.st_size > 6000 * (4096 + 24))
		fprintf(stderr, "write-ahead log of %lld bytes\n",
			(long long)st.st_size);
	assert_true(st.st_size <= 6000 * (4096 + 24));
	assert_int_equal(sqlite3_open_v2(db, &reader, SQLITE_OPEN_READONLY,
					 NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM ops",
				      NULL, NULL, NULL), SQLITE_OK);
	push_each(&c, total - 1000, total);
	assert_int_equal(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(reader);
	cli_close(&c);
	assert_int_equal(have_now(NULL), total);
	assert_int_equal(kill(srv2_pid, SIGTERM), 0);
	assert_int_equal(child_wait(srv2_pid, 10000), 0);
	srv2_pid = -1;
	port = main_port;
}

static void
sigterm_stops_cleanly(void **state)
{
	(void)state;
	assert_int_equal(kill(srv_pid, SIGTERM), 0);
	assert_int_equal(child_wait(srv_pid, 10000), 0);
	srv_pid = -1;
}

static int
setup(void **state)
{
	const char *args[] = { "keygen", "datian", "--role", "town", "--keys",
		NULL, NULL };
	struct station_info si;
	struct timespec ts;
	char *out = NULL;

	(void)state;
	wire_setup();
	/* Over TLS, as stations speak: the cuts below land inside TLS
	 * records, and the server must still take a frame whole or not. */
	wire_tls_setup();
	/* The station's clock is the real one, an hour back: the server
	 * refuses stamps ahead of its own. */
	clock_gettime(CLOCK_REALTIME, &ts);
	tclock_ms = (int64_t)ts.tv_sec * 1000 - 3600 * 1000;
	args[5] = keys_path;
	if (run(&out, args) != 0 || !out || strlen(out) < 64) {
		fprintf(stderr, "keygen failed (is %s built?)\n", bin);
		free(out);
		return -1;
	}
	memcpy(key_datian, out, 64);
	key_datian[64] = 0;
	free(out);
	datian = tdb_new("datian", ROLE_TOWN, 1);
	if (station_identity(datian, &si) != 0)
		return -1;
	snprintf(inc_datian, sizeof inc_datian, "%s", si.incarnation);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cJSON_Delete(outbox);
	db_close(&datian);
	wire_teardown();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(server_starts),
		cmocka_unit_test(cut_mid_frame),
		cmocka_unit_test(replaced_mid_frame),
		cmocka_unit_test(cut_after_write_fin),
		cmocka_unit_test(cut_after_write_reset),
		cmocka_unit_test(partial_then_silent),
		cmocka_unit_test(wal_starts_over),
		cmocka_unit_test(sigterm_stops_cleanly),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
