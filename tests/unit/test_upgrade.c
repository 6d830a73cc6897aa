/*
 * test_upgrade.c - upgrades in a safe order (sync/PROTOCOL.md,
 * "Versions"): the county server first, then the stations.
 *
 * The real server ($DUTYDESKD_BIN, default ./dutydeskd) answers a
 * station of protocol 1 exactly as before and tells one of protocol 2
 * the operation kinds it knows. A station upgraded before its server is
 * the real dutydesk binary ($DUTYDESK_BIN, default ./dutydesk) running
 * `dutydesk sync` against a fake server written here with the wire
 * helpers of wirelib.h on 127.0.0.1: one that speaks protocol 2 but
 * does not know log.add (so no test hook goes into the production
 * server), one that lists the kinds badly, and one of protocol 1 that
 * answers error version. The station must hold back, in order, what the
 * server does not know, keep it in its outbox and say so, and send it,
 * without a hole, once a welcome lists every kind.
 *
 * A station database is upgraded in place: a town's database of schema
 * 4, seeded before the directory existed (tests/data/schema4, made with
 * the dutydesk of that schema), gets at its upgrade to schema 5 the
 * seed's people as the very operations a database seeded today holds.
 */
#include "testlib.h"
#include "wirelib.h"

#include <sodium.h>
#include <sqlite3.h>

static const char *stbin;         /* the station binary */
static char key_datian[SYNC_HEX]; /* the real server's key for datian */
static char fake_key[SYNC_HEX];   /* every station's key at the fake */
static int fake_fd = -1;          /* the fake server's listening socket */
static int fake_port;

/* ---- the fake server ---- */

/* A 64-bit member as it travels: a string of digits. */
static void
add_i64(cJSON *m, const char *k, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof buf, "%lld", (long long)v);
	cJSON_AddStringToObject(m, k, buf);
}

static void
fake_listen(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;

	fake_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fake_fd >= 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fake_fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fake_fd, 8), 0);
	assert_int_equal(getsockname(fake_fd, (struct sockaddr *)&a, &len), 0);
	fake_port = ntohs(a.sin_port);
}

/* The station's connection, as the server sees it. */
static void
fake_accept(struct cli *c)
{
	struct pollfd pf = { fake_fd, POLLIN, 0 };

	memset(c, 0, sizeof *c);
	assert_int_equal(poll(&pf, 1, 2 * WAIT_MS), 1);
	c->fd = accept(fake_fd, NULL, NULL);
	assert_true(c->fd >= 0);
	frame_init(&c->fr, 4 * FRAME_MAX);
}

/* The hello of a station of this build: protocol SYNC_VERSION. Its
 * station code, incarnation, realm and nonce are kept for the proofs. */
struct hello {
	char station[32], inc[17], realm[40], nonce[SYNC_HEX];
};

static void
fake_hello(struct cli *c, struct hello *h)
{
	cJSON *m = cli_expect(c, MSG_HELLO);

	assert_int_equal(cJSON_GetObjectItem(m, "version")->valuedouble,
			 SYNC_VERSION);
	snprintf(h->station, sizeof h->station, "%s", str(m, "station"));
	snprintf(h->inc, sizeof h->inc, "%s", str(m, "incarnation"));
	snprintf(h->realm, sizeof h->realm, "%s", str(m, "realm"));
	snprintf(h->nonce, sizeof h->nonce, "%s", str(m, "nonce"));
	cJSON_Delete(m);
}

/* The server's side of the handshake up to the welcome: the challenge
 * (the hello's version echoed), the station's proof checked. */
static void
fake_handshake(struct cli *c, struct hello *h)
{
	unsigned char key[SYNC_KEY_BYTES];
	char snonce[SYNC_HEX], proof[SYNC_HEX];
	cJSON *m;

	fake_hello(c, h);
	assert_int_equal(key_parse(fake_key, key), 0);
	auth_nonce(snonce);
	auth_proof(key, AUTH_SERVER_LABEL_V2, h->station, h->realm, h->nonce,
		   snonce, AUTH_BINDING_PLAIN, proof);
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "type", "challenge");
	cJSON_AddNumberToObject(m, "version", SYNC_VERSION);
	cJSON_AddStringToObject(m, "nonce", snonce);
	cJSON_AddStringToObject(m, "proof", proof);
	cli_sendm(c, m);
	m = cli_expect(c, MSG_AUTH);
	auth_proof(key, AUTH_STATION_LABEL_V2, h->station, h->realm, snonce,
		   h->nonce, AUTH_BINDING_PLAIN, proof);
	assert_true(auth_equal(proof, str(m, "proof")));
	cJSON_Delete(m);
}

/* Every kind core knows, less except (NULL: none), as a welcome lists
 * them. */
static cJSON *
kinds_but(const char *except)
{
	cJSON *a = cJSON_CreateArray();
	const char *k;
	size_t i;

	for (i = 0; (k = op_kind_name(i, NULL)); i++)
		if (!except || strcmp(k, except) != 0)
			cJSON_AddItemToArray(a, cJSON_CreateString(k));
	return a;
}

/* A welcome saying the server holds have of the station's incarnation,
 * with kinds (taken; NULL: no kinds member). */
static void
fake_welcome(struct cli *c, int64_t have, cJSON *kinds)
{
	cJSON *m = cJSON_CreateObject();

	cJSON_AddStringToObject(m, "type", "welcome");
	cJSON_AddStringToObject(m, "history", "0d41e7aa93b2c5f8");
	cJSON_AddStringToObject(m, "role", "town");
	add_i64(m, "have", have);
	add_i64(m, "head", 0);
	if (kinds)
		cJSON_AddItemToObject(m, "kinds", kinds);
	cli_sendm(c, m);
}

/* Serve the session to its end: each push is checked (one incarnation,
 * sequences following on from what the server holds of it, in held: an
 * object of incarnation to last sequence, updated) and acknowledged,
 * each operation noted in pushed as "INC/SEQ/KIND"; a pull gets live at
 * once. Anything else from the station fails the test. */
static void
fake_serve(struct cli *c, cJSON *held, cJSON *pushed)
{
	char note[80];
	cJSON *m, *o, *ack;
	int t;

	while ((t = cli_recv(c, 3 * WAIT_MS, &m)) != -1) {
		if (t == MSG_PUSH) {
			const char *inc = NULL;
			cJSON *h;
			int64_t last = 0, seq;
			cJSON_ArrayForEach(o, cJSON_GetObjectItem(m, "ops")) {
				if (!inc) {
					inc = str(o, "incarnation");
					h = cJSON_GetObjectItem(held, inc);
					last = h ? (int64_t)h->valuedouble : 0;
				}
				assert_string_equal(str(o, "incarnation"), inc);
				assert_int_equal(msg_i64(o, "seq", &seq), 1);
				/* No hole, nothing twice: the ack is "up to". */
				assert_int_equal(seq, last + 1);
				last = seq;
				snprintf(note, sizeof note, "%.16s/%lld/%s", inc,
					 (long long)seq, str(o, "kind"));
				cJSON_AddItemToArray(pushed, cJSON_CreateString(note));
			}
			assert_non_null(inc);
			cJSON_DeleteItemFromObject(held, inc);
			cJSON_AddNumberToObject(held, inc, (double)last);
			ack = cJSON_CreateObject();
			cJSON_AddStringToObject(ack, "type", "ack");
			cJSON_AddStringToObject(ack, "incarnation", inc);
			add_i64(ack, "upto", last);
			cJSON_AddItemToObject(ack, "refused", cJSON_CreateArray());
			cli_sendm(c, ack);
		} else if (t == MSG_PULL) {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "type", "live");
			add_i64(o, "head", 0);
			cli_sendm(c, o);
		} else if (t == MSG_PING) {
			o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "type", "pong");
			cli_sendm(c, o);
		} else {
			char *s = m ? cJSON_PrintUnformatted(m) : NULL;
			fprintf(stderr, "the station sent %d: %s\n", t, s ? s : "");
			free(s);
			fail();
		}
		cJSON_Delete(m);
	}
	cli_close(c);
}

/* ---- the station ---- */

/* `dutydesk --db DB sync` started against the fake server. */
static pid_t
station_sync_start(const char *db)
{
	char err[600];
	pid_t pid;

	snprintf(err, sizeof err, "%s", tpath("sync.err"));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int n = open("/dev/null", O_WRONLY);
		if (e >= 0)
			dup2(e, 2);
		if (n >= 0)
			dup2(n, 1);
		execl(stbin, stbin, "--db", db, "sync", "--timeout", "10",
		      (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Its exit code, with what it said on stderr in msg. */
static int
station_sync_end(pid_t pid, char *msg, size_t n)
{
	int rc = child_wait(pid, 20000);
	FILE *f = fopen(tpath("sync.err"), "r");
	size_t got = 0;

	if (f) {
		got = fread(msg, 1, n - 1, f);
		fclose(f);
	}
	msg[got] = 0;
	fprintf(stderr, "# sync: exit %d: %s", rc, msg);
	return rc;
}

/* `dutydesk --db DB status --json` (caller frees). */
static cJSON *
station_status(const char *db)
{
	const char *args[] = { "--db", db, "status", "--json", NULL };
	char *out = NULL;
	cJSON *j;

	assert_int_equal(run_prog(stbin, &out, args), 0);
	j = cJSON_Parse(out);
	free(out);
	assert_non_null(j);
	return j;
}

/* What status says is held for the upgrade: the count, and the first
 * kind is want (NULL: null). */
static void
status_held(const char *db, int64_t count, const char *want, int64_t queued)
{
	cJSON *j = station_status(db);
	const cJSON *h = cJSON_GetObjectItem(j, "held_for_upgrade");
	const cJSON *k = cJSON_GetObjectItem(h, "first_kind");

	assert_true(cJSON_IsObject(h));
	assert_int_equal(cJSON_GetObjectItem(h, "count")->valuedouble, count);
	if (want)
		assert_string_equal(cJSON_IsString(k) ? k->valuestring : "", want);
	else
		assert_true(cJSON_IsNull(k));
	assert_int_equal(cJSON_GetObjectItem(j, "queued")->valuedouble, queued);
	cJSON_Delete(j);
}

static void
add_incident(struct db *db, const char *title)
{
	cJSON *f = cJSON_CreateObject();
	char id[64];

	cJSON_AddStringToObject(f, "title", title);
	cJSON_AddStringToObject(f, "town", "datian");
	cJSON_AddStringToObject(f, "received_at", "2026-11-28T11:50:00Z");
	assert_int_equal(incident_add(db, f, id), 0);
	cJSON_Delete(f);
}

static void
add_log(struct db *db, const char *text)
{
	char id[64];

	assert_int_equal(log_add(db, "note", text, id), 0);
}

/* The station is linked to the fake server. */
static void
link_to_fake(struct db *db)
{
	char server[64];

	snprintf(server, sizeof server, "127.0.0.1:%d", fake_port);
	assert_int_equal(replica_set_link(db, server, fake_key), 0);
	/* The fake server speaks plain frames: the station runs without
	 * TLS on purpose (the proofs cover "insecure"). */
	assert_int_equal(replica_set_pin(db, LINK_PIN_INSECURE), 0);
}

/* pushed must be exactly the notes of want (NULL-terminated), in
 * order; "I" stands for inc, "O" for old. */
static void
pushed_are(const cJSON *pushed, const char *inc, const char *old,
	   const char *const *want)
{
	char note[80];
	int i;

	for (i = 0; want[i]; i++) {
		const cJSON *p = cJSON_GetArrayItem(pushed, i);
		snprintf(note, sizeof note, "%s/%s", want[i][0] == 'O' ? old : inc,
			 want[i] + 2);
		if (!p || strcmp(p->valuestring, note) != 0)
			fprintf(stderr, "push %d: %s, wanted %s\n", i,
				p ? p->valuestring : "(none)", note);
		assert_non_null(p);
		assert_string_equal(p->valuestring, note);
	}
	assert_int_equal(cJSON_GetArraySize(pushed), i);
}

/* ---- the real server ---- */

static void
server_starts(void **state)
{
	(void)state;
	port = free_port();
	srv_pid = server_start(keys_path, db_path, port, NULL, NULL);
	server_listening(srv_pid, port);
}

/* A station of protocol 1 gets what it always got: the challenge says
 * version 1 and the welcome has no kinds (its strict reader would
 * refuse the member). One of protocol 2 gets version 2 and every kind
 * core knows, in core's order. Any other version: error version,
 * naming those spoken. */
static void
server_answers_each_version(void **state)
{
	const char *k;
	struct cli c;
	cJSON *w, *kinds, *e;
	char nonce[SYNC_HEX];
	size_t i;
	int bad[] = { 0, SYNC_VERSION + 1 }, j;

	(void)state;
	cli_open(&c);
	w = login_reply_v(&c, 1, "datian", "0123456789abcdef", "live",
			  key_datian, NULL, MSG_WELCOME);
	assert_null(cJSON_GetObjectItem(w, "kinds"));
	cJSON_Delete(w);
	cli_ping(&c);
	cli_close(&c);

	cli_open(&c);
	w = login_reply_v(&c, 2, "datian", "0123456789abcdef", "live",
			  key_datian, NULL, MSG_WELCOME);
	kinds = cJSON_GetObjectItem(w, "kinds");
	assert_true(cJSON_IsArray(kinds));
	for (i = 0; (k = op_kind_name(i, NULL)); i++) {
		const cJSON *s = cJSON_GetArrayItem(kinds, (int)i);
		assert_true(cJSON_IsString(s));
		assert_string_equal(s->valuestring, k);
	}
	assert_int_equal(cJSON_GetArraySize(kinds), (int)i);
	assert_true(i > 10);
	cJSON_Delete(w);
	cli_ping(&c);
	cli_close(&c);

	for (j = 0; j < 2; j++) {
		cli_open(&c);
		auth_nonce(nonce);
		send_hello_v(&c, bad[j], "datian", "0123456789abcdef", "live", nonce);
		e = cli_expect(&c, MSG_ERROR);
		assert_string_equal(str(e, "code"), "version");
		assert_string_equal(str(e, "field"), "version");
		assert_non_null(strstr(str(e, "message"), "1 to 2"));
		cJSON_Delete(e);
		cli_close(&c);
	}
}

static void
server_stops(void **state)
{
	(void)state;
	assert_int_equal(kill(srv_pid, SIGTERM), 0);
	assert_int_equal(child_wait(srv_pid, 10000), 0);
	srv_pid = -1;
}

/* ---- a station upgraded before its server ---- */

/* The server does not know log.add: the station pushes what comes
 * before its first log.add and nothing after it, keeps the rest in its
 * outbox and says so (exit 1, status); the next welcome lists every
 * kind and the rest goes, in order, without a hole. */
static void
station_holds_unknown_kind(void **state)
{
	static const char *const first[] = { "I/1/incident.open",
		"I/2/incident.open", NULL };
	static const char *const second[] = { "I/3/log.add",
		"I/4/incident.open", "I/5/log.add", "I/6/incident.open", NULL };
	struct db *db = tdb_new("datian", ROLE_TOWN, 1);
	char dbp[600], msg[600];
	struct station_info si;
	struct hello h;
	struct cli c;
	cJSON *held = cJSON_CreateObject(), *pushed = cJSON_CreateArray();
	pid_t pid;

	(void)state;
	snprintf(dbp, sizeof dbp, "%s", tpath("datian.db"));
	link_to_fake(db);
	add_incident(db, "one");
	add_incident(db, "two");
	add_log(db, "a note the server cannot take yet");
	add_incident(db, "three, after the note");
	add_log(db, "another note");
	add_incident(db, "four");
	assert_int_equal(station_identity(db, &si), 0);
	db_close(&db);

	/* An old server, of protocol 2 but without log.add. */
	pid = station_sync_start(dbp);
	fake_accept(&c);
	fake_handshake(&c, &h);
	assert_string_equal(h.inc, si.incarnation);
	fake_welcome(&c, 0, kinds_but("log.add"));
	fake_serve(&c, held, pushed);
	assert_int_equal(station_sync_end(pid, msg, sizeof msg), 1);
	assert_non_null(strstr(msg, "4 held until the county server is upgraded"));
	assert_non_null(strstr(msg, "log.add"));
	pushed_are(pushed, si.incarnation, NULL, first);
	status_held(dbp, 4, "log.add", 4);
	{
		const char *args[] = { "--db", dbp, "status", NULL };
		char *out = NULL;
		assert_int_equal(run_prog(stbin, &out, args), 0);
		assert_non_null(strstr(out, "4 operation(s) wait for the county "
				       "server's upgrade (it does not know log.add)"));
		free(out);
	}

	/* The server upgraded: the rest goes, from 3 on, in order. */
	cJSON_Delete(pushed);
	pushed = cJSON_CreateArray();
	pid = station_sync_start(dbp);
	fake_accept(&c);
	fake_handshake(&c, &h);
	fake_welcome(&c, 2, kinds_but(NULL));
	fake_serve(&c, held, pushed);
	assert_int_equal(station_sync_end(pid, msg, sizeof msg), 0);
	pushed_are(pushed, si.incarnation, NULL, second);
	status_held(dbp, 0, NULL, 0);
	cJSON_Delete(held);
	cJSON_Delete(pushed);
}

/* A station restored from a backup has operations of its old
 * incarnation waiting: they follow the same rule, each incarnation on
 * its own. The old one goes up to its log.add, then the new one up to
 * its own; after the upgrade, the rest of each. */
static void
restored_station_holds_each_incarnation(void **state)
{
	static const char *const first[] = { "O/1/incident.open",
		"I/1/incident.open", "I/2/incident.open", NULL };
	static const char *const second[] = { "O/2/log.add",
		"O/3/incident.open", "I/3/log.add", "I/4/incident.open", NULL };
	struct db *db = tdb_new("gucheng", ROLE_TOWN, 1);
	char dbp[600], old[17], msg[600];
	struct station_info si;
	struct hello h;
	struct cli c;
	cJSON *held = cJSON_CreateObject(), *pushed = cJSON_CreateArray();
	pid_t pid;

	(void)state;
	add_incident(db, "old one");
	add_log(db, "old note");
	add_incident(db, "old two");
	assert_int_equal(station_identity(db, &si), 0);
	snprintf(old, sizeof old, "%s", si.incarnation);
	snprintf(dbp, sizeof dbp, "%s", tpath("gucheng-restored.db"));
	unlink(dbp);
	assert_int_equal(db_backup(db, dbp), 0);
	db_close(&db);
	assert_int_equal(db_open(dbp, 0, &db), 0);
	db_set_clock(db, &test_clock);
	db_set_officer(db, "tester");
	assert_int_equal(db_restore_mark(db), 0);
	link_to_fake(db);
	add_incident(db, "new one");
	add_incident(db, "new two");
	add_log(db, "new note");
	add_incident(db, "new three");
	assert_int_equal(station_identity(db, &si), 0);
	assert_string_not_equal(si.incarnation, old);
	db_close(&db);

	pid = station_sync_start(dbp);
	fake_accept(&c);
	fake_handshake(&c, &h);
	fake_welcome(&c, 0, kinds_but("log.add"));
	fake_serve(&c, held, pushed);
	assert_int_equal(station_sync_end(pid, msg, sizeof msg), 1);
	assert_non_null(strstr(msg, "4 held"));
	pushed_are(pushed, si.incarnation, old, first);
	status_held(dbp, 4, "log.add", 4);

	cJSON_Delete(pushed);
	pushed = cJSON_CreateArray();
	pid = station_sync_start(dbp);
	fake_accept(&c);
	fake_handshake(&c, &h);
	fake_welcome(&c, 2, kinds_but(NULL));
	fake_serve(&c, held, pushed);
	assert_int_equal(station_sync_end(pid, msg, sizeof msg), 0);
	pushed_are(pushed, si.incarnation, old, second);
	status_held(dbp, 0, NULL, 0);
	cJSON_Delete(held);
	cJSON_Delete(pushed);
}

/* A welcome whose kinds are not a list of kind names is bad_frame, with
 * the field named, before the station pushes or notes anything. */
static void
bad_kinds_are_bad_frame(void **state)
{
	static const struct {
		const char *kinds;   /* the member as sent, "" for none */
		const char *field;
	} cases[] = {
		{ "", "kinds" },
		{ ",\"kinds\":\"log.add\"", "kinds" },
		{ ",\"kinds\":{}", "kinds" },
		{ ",\"kinds\":[1]", "kinds[0]" },
		{ ",\"kinds\":[\"incident.open\",null]", "kinds[1]" },
		{ ",\"kinds\":[\"incident.open\",\"Log.add\"]", "kinds[1]" },
		{ ",\"kinds\":[\"\"]", "kinds[0]" },
		{ ",\"kinds\":[\".log\"]", "kinds[0]" },
		{ ",\"kinds\":[\"log..add\"]", "kinds[0]" },
		{ ",\"kinds\":[\"log.add.\"]", "kinds[0]" },
		{ ",\"kinds\":[\"log.9add\"]", "kinds[0]" },
		{ ",\"kinds\":[\"log add\"]", "kinds[0]" },
		{ ",\"kinds\":[\"log.add\",\"abcdefghijklmnopqrstuvwxyz.abcde\"]",
		  "kinds[1]" },
		{ ",\"kinds\":[\"log.add\",\"incident.open\",\"log.add\"]",
		  "kinds[2]" },
		{ NULL, "kinds" },   /* SYNC_KINDS_MAX + 1 of them */
	};
	struct db *db = tdb_new("xiaozhi", ROLE_TOWN, 1);
	char dbp[600], msg[600], text[4096], why[120];
	struct hello h;
	struct cli c;
	cJSON *e = NULL;
	size_t i, n;
	pid_t pid;
	int t, k;

	(void)state;
	snprintf(dbp, sizeof dbp, "%s", tpath("xiaozhi.db"));
	link_to_fake(db);
	add_incident(db, "waits");
	db_close(&db);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		n = (size_t)snprintf(text, sizeof text, "{\"type\":\"welcome\","
				     "\"history\":\"0d41e7aa93b2c5f8\",\"role\":"
				     "\"town\",\"have\":\"0\",\"head\":\"0\"");
		if (cases[i].kinds) {
			n += (size_t)snprintf(text + n, sizeof text - n, "%s",
					      cases[i].kinds);
		} else {
			n += (size_t)snprintf(text + n, sizeof text - n,
					      ",\"kinds\":[");
			for (k = 0; k <= SYNC_KINDS_MAX; k++)
				n += (size_t)snprintf(text + n, sizeof text - n,
						      "%s\"k%d.x\"", k ? "," : "", k);
			n += (size_t)snprintf(text + n, sizeof text - n, "]");
		}
		n += (size_t)snprintf(text + n, sizeof text - n, "}\n");
		assert_true(n < FRAME_MAX_HELLO);
		pid = station_sync_start(dbp);
		fake_accept(&c);
		fake_handshake(&c, &h);
		assert_int_equal(cli_send(&c, text, n), 0);
		/* Its answer: bad_frame naming the field, then it closes;
		 * nothing pushed, nothing pulled. */
		t = cli_recv(&c, WAIT_MS, &e);
		if (t != MSG_ERROR)
			fprintf(stderr, "case %zu: got %d\n", i, t);
		assert_int_equal(t, MSG_ERROR);
		snprintf(why, sizeof why, "%s", str(e, "message"));
		fprintf(stderr, "# %s: %s\n", cases[i].field, why);
		assert_string_equal(str(e, "code"), "bad_frame");
		assert_string_equal(str(e, "field"), cases[i].field);
		cJSON_Delete(e);
		assert_int_equal(cli_recv(&c, WAIT_MS, &e), -1);
		cli_close(&c);
		assert_int_equal(station_sync_end(pid, msg, sizeof msg), 5);
		assert_non_null(strstr(msg, "the server sent a bad"));
		assert_non_null(strstr(msg, cases[i].field));
	}
	/* The welcome was refused whole: nothing is held, all waits. */
	status_held(dbp, 0, NULL, 1);
}

/* A server of protocol 1 answers a station of protocol 2 with error
 * version: the station stops and says the county server must be
 * upgraded first; its operations wait. A server that speaks only newer
 * versions is told apart: this station needs the upgrade. */
static void
old_server_says_version(void **state)
{
	static const struct {
		const char *message;  /* the server's */
		const char *says;     /* the station's */
	} cases[] = {
		/* What every server before protocol 2 answers. */
		{ "this server speaks version 1", "upgrade the server first" },
		{ "this server speaks versions 3 to 4", "upgrade this station" },
	};
	char dbp[600], msg[600];
	struct hello h;
	struct cli c;
	cJSON *e;
	size_t i;
	pid_t pid;

	(void)state;
	snprintf(dbp, sizeof dbp, "%s", tpath("xiaozhi.db"));
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		pid = station_sync_start(dbp);
		fake_accept(&c);
		fake_hello(&c, &h);
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "type", "error");
		cJSON_AddStringToObject(e, "code", "version");
		cJSON_AddStringToObject(e, "message", cases[i].message);
		cJSON_AddNumberToObject(e, "frame", 1);
		cJSON_AddStringToObject(e, "field", "version");
		cli_sendm(&c, e);
		cli_close(&c);
		assert_int_equal(station_sync_end(pid, msg, sizeof msg), 1);
		assert_non_null(strstr(msg, cases[i].says));
		if (i == 0) {
			assert_non_null(strstr(msg, "county server is older"));
			assert_non_null(strstr(msg, "operations wait"));
		}
	}
	status_held(dbp, 0, NULL, 1);
}

/* ---- a station database of schema 4, upgraded ---- */

/* Make path from the gzipped SQL of fixture (under tests/data). */
static void
load_fixture(const char *fixture, const char *path)
{
	char cmd[600], *sql = NULL;
	size_t n = 0, cap = 0, got;
	sqlite3 *h = NULL;
	FILE *p;

	unlink(path);
	snprintf(cmd, sizeof cmd, "gzip -dc 'tests/data/%s'", fixture);
	assert_non_null(p = popen(cmd, "r"));
	do {
		if (n + 65536 + 1 > cap) {
			cap = (n + 65536 + 1) * 2;
			assert_non_null(sql = realloc(sql, cap));
		}
		got = fread(sql + n, 1, 65536, p);
		n += got;
	} while (got > 0);
	assert_int_equal(pclose(p), 0);
	sql[n] = 0;
	assert_true(n > 1000);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	free(sql);
}

/* PRAGMA user_version of path, read without dutydesk. */
static int
schema_of(const char *path)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int v = -1;

	assert_int_equal(sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* The operations of the seed a database holds, each as JSON text, one a
 * line, in the order held. */
static int
seed_line(const struct op *op, void *ctx)
{
	cJSON *j;
	char *t;

	if (strcmp(op->station, "seed") != 0)
		return 0;
	j = op_to_json(op);
	t = cJSON_PrintUnformatted(j);
	cJSON_AddItemToArray(ctx, cJSON_CreateString(t));
	free(t);
	cJSON_Delete(j);
	return 0;
}

static cJSON *
seed_ops(struct db *db)
{
	cJSON *a = tkeep(cJSON_CreateArray());

	assert_int_equal(op_each(db, 0, seed_line, a), 0);
	return a;
}

/* The member name of db's export, as JSON text. */
static const char *
export_part(struct db *db, const char *name)
{
	cJSON *x = NULL;
	char *t;

	assert_int_equal(state_export(db, &x), 0);
	t = cJSON_PrintUnformatted(cJSON_GetObjectItem(x, name));
	cJSON_Delete(x);
	return tkeep_str(t);
}

static void
schema4_gets_seed_people(void **state)
{
	const char *path = tpath("datian4.db");
	struct db *old, *fresh;
	cJSON *want, *have, *o;
	int64_t people = 0, n = 0;
	char id[64];
	int i;
	(void)state;

	load_fixture("schema4/datian.sql.gz", path);
	assert_int_equal(schema_of(path), 4);
	/* Opened by today's dutydesk: upgraded, even for reading. */
	old = NULL;
	assert_int_equal(db_open(path, DB_RDONLY, &old), 0);
	db_close(&old);
	assert_int_equal(schema_of(path), 6);
	assert_int_equal(db_open(path, 0, &old), 0);
	theld_db[0] = old;
	fresh = tstation("fresh4", ROLE_TOWN, 1);
	/* The seed's operations are those of a database seeded today, one
	 * for one: the same ids, numbers, bodies and clock. */
	want = seed_ops(fresh);
	have = seed_ops(old);
	cJSON_ArrayForEach(o, want)
		people += strstr(o->valuestring, "\"contact.add\"") != NULL;
	assert_true(people >= 20);
	assert_int_equal(cJSON_GetArraySize(have), cJSON_GetArraySize(want));
	for (i = 0; i < cJSON_GetArraySize(want); i++)
		assert_string_equal(cJSON_GetArrayItem(have, i)->valuestring,
				    cJSON_GetArrayItem(want, i)->valuestring);
	assert_string_equal(export_part(old, "contacts"),
			    export_part(fresh, "contacts"));
	/* The station's own records are as they were, and its next id
	 * follows them. */
	assert_int_equal(tnops(old), 856 + people);
	assert_int_equal(cJSON_GetArraySize(tlist(old, LIST_INCIDENTS)), 1);
	assert_string_equal(tstr(cJSON_GetArrayItem(tlist(old, LIST_INCIDENTS),
						    0), "title"), "大田村道路塌方");
	assert_int_equal(log_add(old, "note", "升级后", id), 0);
	assert_string_equal(id, "datian-3");
	/* A shelter's manager is found by name and phone. */
	assert_int_equal(contact_find(old, "吴文斌", id), 1);
	{
		cJSON *c = NULL;
		assert_int_equal(contact_by_phone(old, "18992023272", &c), 1);
		assert_string_equal(tstr(tkeep(c), "id"), id);
		assert_string_equal(tstr(c, "for"), "s001");
	}
	/* Opening it again adds nothing. */
	n = tnops(old);
	tdrop(old);
	assert_int_equal(db_open(path, 0, &old), 0);
	theld_db[0] = old;
	assert_int_equal(tnops(old), n);
	assert_string_equal(export_part(old, "contacts"),
			    export_part(fresh, "contacts"));
}

static int
setup(void **state)
{
	const char *args[] = { "keygen", "datian", "--role", "town", "--keys",
		NULL, NULL };
	unsigned char k[SYNC_KEY_BYTES];
	char *out = NULL;
	size_t i;

	(void)state;
	wire_setup();
	stbin = getenv("DUTYDESK_BIN") ? getenv("DUTYDESK_BIN") : "./dutydesk";
	setenv("DUTYDESK_OFFICER", "tester", 1);
	args[5] = keys_path;
	if (run(&out, args) != 0 || !out || strlen(out) < 64) {
		fprintf(stderr, "keygen failed (is %s built?)\n", bin);
		free(out);
		return -1;
	}
	memcpy(key_datian, out, 64);
	key_datian[64] = 0;
	free(out);
	randombytes_buf(k, sizeof k);
	for (i = 0; i < sizeof k; i++)
		snprintf(fake_key + 2 * i, 3, "%02x", k[i]);
	fake_listen();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (fake_fd >= 0)
		close(fake_fd);
	wire_teardown();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(server_starts),
		cmocka_unit_test(server_answers_each_version),
		cmocka_unit_test(server_stops),
		cmocka_unit_test(station_holds_unknown_kind),
		cmocka_unit_test(restored_station_holds_each_incarnation),
		cmocka_unit_test(bad_kinds_are_bad_frame),
		cmocka_unit_test(old_server_says_version),
	};
	/* Without a server or a binary: a database opened in place. */
	const struct CMUnitTest local[] = {
		cmocka_unit_test_setup_teardown(schema4_gets_seed_people, tfresh,
						trelease),
	};
	int rc = cmocka_run_group_tests(local, NULL, NULL);

	rc += cmocka_run_group_tests(tests, setup, teardown);
	tcleanup();
	return rc;
}
