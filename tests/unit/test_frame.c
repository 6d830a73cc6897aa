/*
 * test_frame.c - the wire's first guard: frames cut from a buffer with a
 * hard limit, every message checked whole, an operation's envelope
 * checked whole and printed the one way both ends print it, HOST:PORT
 * read by one rule, proofs that cannot be reflected or replayed. The corpus test uses the public JSONTestSuite
 * files in ../shared/data and skips when they are absent.
 */
#include "testlib.h"

#include <dirent.h>
#include <sys/stat.h>

#include <sodium.h>

#include "sync/internal.h"

static void
frames_split_and_joined(void **state)
{
	struct framer f;
	char *out;
	size_t n;
	const char *all = "{\"type\":\"ping\"}\n{\"type\":\"pong\"}\r\n{\"type\":";
	(void)state;

	frame_init(&f, 64);
	assert_int_equal(frame_next(&f, &out, &n), 0); /* empty */
	/* Many frames in one read, and the start of another. */
	assert_int_equal(frame_feed(&f, all, strlen(all)), 0);
	assert_int_equal(frame_next(&f, &out, &n), 1);
	assert_string_equal(out, "{\"type\":\"ping\"}");
	assert_int_equal(n, 15);
	assert_int_equal(frame_next(&f, &out, &n), 1);
	assert_string_equal(out, "{\"type\":\"pong\"}"); /* \r dropped */
	assert_int_equal(frame_next(&f, &out, &n), 0);
	/* One frame over many reads, a byte at a time. */
	{
		const char *rest = "\"ping\"}\n";
		size_t i;
		for (i = 0; rest[i]; i++) {
			assert_int_equal(frame_feed(&f, rest + i, 1), 0);
			if (rest[i + 1])
				assert_int_equal(frame_next(&f, &out, &n), 0);
		}
	}
	assert_int_equal(frame_next(&f, &out, &n), 1);
	assert_string_equal(out, "{\"type\":\"ping\"}");
	assert_int_equal(f.count, 3);
	frame_free(&f);
}

static void
frames_over_the_limit(void **state)
{
	struct framer f;
	char big[200], *out;
	size_t n;
	(void)state;

	memset(big, 'x', sizeof big);
	frame_init(&f, 64);
	/* The unterminated tail over the limit: refused at once. */
	assert_int_equal(frame_feed(&f, big, 65), -1);
	frame_free(&f);
	/* Exactly the limit waits for its newline. */
	frame_init(&f, 64);
	assert_int_equal(frame_feed(&f, big, 64), 0);
	assert_int_equal(frame_feed(&f, "\n", 1), 0);
	assert_int_equal(frame_next(&f, &out, &n), 1);
	assert_int_equal(n, 64);
	/* A whole frame over the limit arriving with its newline. */
	big[100] = '\n';
	assert_int_equal(frame_feed(&f, big, 101), 0);
	assert_int_equal(frame_next(&f, &out, &n), -1);
	/* The limit rises after authentication. */
	frame_set_limit(&f, 1000);
	assert_int_equal(frame_feed(&f, big, 100), 0);
	frame_free(&f);
}

static void
messages_checked_whole(void **state)
{
	static const char *const bad[] = {
		"", "garbage", "[1,2]", "\"ping\"", "{}", "{\"type\":1}",
		"{\"type\":\"nonsense\"}", "{\"type\":\"ping\",\"extra\":1}",
		"{\"type\":\"pull\"}", "{\"type\":\"pull\",\"after\":5}",
		"{\"type\":\"pull\",\"after\":\"-5\"}",
		"{\"type\":\"pull\",\"after\":\"12345678901234567890\"}",
		"{\"type\":\"hello\",\"version\":1.5,\"station\":\"a\","
		"\"incarnation\":\"b\",\"realm\":\"live\",\"nonce\":\"c\"}",
		"{\"type\":\"push\",\"ops\":{}}", "{\"type\":\"ping\"} {}",
		"{\"type\":\"pins\"}", "{\"type\":\"pins\",\"next\":\"x\"}",
		"{\"type\":\"pins\",\"current\":7}",
		"{\"type\":\"pins\",\"current\":\"x\",\"previous\":\"y\"}",
		NULL,
	};
	char buf[300], why[160];
	cJSON *m;
	int i;
	int64_t v;
	(void)state;

	for (i = 0; bad[i]; i++) {
		snprintf(buf, sizeof buf, "%s", bad[i]);
		if (msg_parse(buf, strlen(buf), &m, why, sizeof why) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_null(m);
		assert_true(strlen(why) > 0);
	}
	/* A NUL inside the frame cannot hide trailing bytes. */
	memcpy(buf, "{\"type\":\"ping\"}\0junk", 20);
	assert_int_equal(msg_parse(buf, 19, &m, why, sizeof why), -1);
	snprintf(buf, sizeof buf, "{\"type\":\"pull\",\"after\":\"42\"}");
	assert_int_equal(msg_parse(buf, strlen(buf), &m, why, sizeof why),
			 MSG_PULL);
	assert_int_equal(msg_i64(m, "after", &v), 1);
	assert_int_equal(v, 42);
	cJSON_Delete(m);
	/* The pins of a change of key: current required, next optional
	 * (their form is the station's check, sync/link_proto.c). */
	snprintf(buf, sizeof buf, "{\"type\":\"pins\",\"current\":\"a\","
		 "\"next\":\"b\"}");
	assert_int_equal(msg_parse(buf, strlen(buf), &m, why, sizeof why),
			 MSG_PINS);
	cJSON_Delete(m);
	snprintf(buf, sizeof buf, "{\"type\":\"error\",\"code\":\"gap\"}");
	assert_int_equal(msg_parse(buf, strlen(buf), &m, why, sizeof why),
			 MSG_ERROR);
	cJSON_Delete(m);
	/* The error names the member at fault. */
	snprintf(buf, sizeof buf, "{\"type\":\"auth\",\"proof\":7}");
	assert_int_equal(msg_parse(buf, strlen(buf), &m, why, sizeof why), -1);
	assert_non_null(strstr(why, "proof"));
}

static void
printed_frames_round_trip(void **state)
{
	cJSON *m = cJSON_CreateObject(), *back;
	char *s, why[100];
	size_t n;
	(void)state;

	cJSON_AddStringToObject(m, "type", "live");
	cJSON_AddStringToObject(m, "head", "9007199254740993"); /* > 2^53 */
	s = msg_print(m, &n);
	assert_int_equal(s[n - 1], '\n');
	s[n - 1] = 0;
	assert_int_equal(msg_parse(s, n - 1, &back, why, sizeof why), MSG_LIVE);
	{
		int64_t head;
		assert_int_equal(msg_i64(back, "head", &head), 1);
		assert_true(head == 9007199254740993LL);
	}
	cJSON_Delete(back);
	cJSON_Delete(m);
	free(s);
	s = msg_error("gap", "expected seq 5", 3, "ops", &n);
	assert_non_null(strstr(s, "\"code\":\"gap\""));
	assert_non_null(strstr(s, "\"frame\":3"));
	free(s);
}

/* An operation's envelope parsed from text: the result of msg_op_parse
 * with field and why. */
static int
op_parse_text(const char *text, int with_sseq, const char *realm,
	      struct op *op, int64_t *sseq, char *field, char *why)
{
	cJSON *o = cJSON_Parse(text);
	int rc;

	assert_non_null(o);
	rc = msg_op_parse(o, 3, with_sseq, realm, op, sseq, field, 80, why, 300);
	cJSON_Delete(o);
	return rc;
}

#define OP_HEAD "{\"station\":\"datian\",\"incarnation\":\"5be0c1f2a9d47e10\"," \
	"\"seq\":\"17\",\"hlc\":\"117693149184000000\",\"realm\":\"live\"," \
	"\"officer\":\"wq\",\"kind\":\"incident.open\",\"entity\":\"datian-17\""
/* The same with an empty body and more members. */
#define WITH_BODY(more) OP_HEAD ",\"body\":{}" more "}"

static void
operations_checked_whole(void **state)
{
	/* Each bad operation with what is said of it: the field named
	 * first. A push carries no server sequence; an ops frame must. */
	static const struct { const char *text; int with_sseq; const char *why;
	} bad[] = {
		{ "[]", 0, "field ops[3]: not an object" },
		{ OP_HEAD "}", 0, "field ops[3].body: missing" },
		{ WITH_BODY(",\"x\":1"), 0,
		  "field ops[3].x: not a member of an operation" },
		{ WITH_BODY(",\"kind\":\"a\""), 0, "field ops[3].kind: given twice" },
		{ OP_HEAD ",\"body\":[]}", 0, "field ops[3].body: wrong type" },
		{ "{\"seq\":17}", 0, "field ops[3].seq: wrong type" },
		{ "{\"hlc\":\"-1\"}", 0, "field ops[3].hlc: not a decimal string" },
		{ WITH_BODY(",\"sseq\":\"4\""), 0,
		  "field ops[3].sseq: not a member of an operation" },
		{ WITH_BODY(""), 1, "field ops[3].sseq: missing" },
		{ WITH_BODY(",\"sseq\":\"0\""), 1,
		  "field ops[3].sseq: not a server sequence" },
		{ "{\"station\":\"a-station-code-longer-than-it-may-be\","
		  "\"incarnation\":\"5be0c1f2a9d47e10\",\"seq\":\"1\",\"hlc\":\"1\","
		  "\"realm\":\"live\",\"officer\":\"o\",\"kind\":\"k\","
		  "\"entity\":\"e\",\"body\":{}}", 0,
		  "field ops[3]: a member is too long" },
	};
	char field[80], why[300];
	int64_t sseq = 0;
	struct op op;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (op_parse_text(bad[i].text, bad[i].with_sseq, NULL, &op, &sseq,
				  field, why) != -1)
			fail_msg("%s: taken", bad[i].text);
		assert_string_equal(why, bad[i].why);
		assert_memory_equal(field, why + 6, strlen(field));
		assert_int_equal(why[6 + strlen(field)], ':');
		assert_null(op.body);
	}
	/* A good one, from a push and from an ops frame. */
	assert_int_equal(op_parse_text(OP_HEAD ",\"body\":{\"n\":1}}", 0, NULL,
				       &op, NULL, field, why), 0);
	assert_string_equal(op.station, "datian");
	assert_int_equal(op.seq, 17);
	assert_int_equal(op.hlc, 117693149184000000LL);
	assert_non_null(cJSON_GetObjectItemCaseSensitive(op.body, "n"));
	op_clear(&op);
	assert_int_equal(op_parse_text(WITH_BODY(",\"sseq\":\"1043\""),
				       1, "live", &op, &sseq, field, why), 0);
	assert_int_equal(sseq, 1043);
	op_clear(&op);
	/* Of another realm than the session's, when asked. */
	assert_int_equal(op_parse_text(WITH_BODY(",\"sseq\":\"9\""), 1,
				       "drill-7", &op, &sseq, field, why), -1);
	assert_string_equal(field, "ops[3].realm");
	assert_string_equal(why, "field ops[3].realm: 'live' in a 'drill-7' "
			    "session");
	assert_null(op.body);
}

static void
operations_printed_in_frames(void **state)
{
	struct msg_ops f;
	struct op op, back;
	char field[80], why[300], *s, *frame, *big;
	const cJSON *ops, *o;
	int64_t sseq = 0;
	size_t n, len;
	cJSON *m;
	int i;
	(void)state;

	tmkop(&op, "datian", "5be0c1f2a9d47e10", 17, 117693149184000000LL,
	      "王强", "incident.open", "datian-17", "{\"title\":\"滑坡\"}");
	/* A push: the operation as stored, read back the same. */
	msg_ops_start(&f, "push");
	assert_int_equal(msg_ops_fits(&f, 10), 1);
	assert_non_null(s = msg_op_text(&op, 0, &n));
	assert_int_equal(n, strlen(s));
	msg_ops_add(&f, s, n);
	msg_ops_add(&f, s, n);
	free(s);
	assert_non_null(frame = msg_ops_finish(&f, &len));
	assert_null(f.buf);
	assert_int_equal(frame[len - 1], '\n');
	frame[len - 1] = 0; /* as the framer hands it out */
	assert_int_equal(msg_parse(frame, len - 1, &m, why, sizeof why),
			 MSG_PUSH);
	ops = cJSON_GetObjectItemCaseSensitive(m, "ops");
	assert_int_equal(cJSON_GetArraySize(ops), 2);
	i = 0;
	cJSON_ArrayForEach(o, ops) {
		assert_int_equal(msg_op_parse(o, i++, 0, "live", &back, NULL, field,
					      sizeof field, why, sizeof why), 0);
		assert_string_equal(back.officer, "王强");
		assert_int_equal(back.hlc, op.hlc);
		assert_true(cJSON_Compare(back.body, op.body, 1));
		op_clear(&back);
	}
	cJSON_Delete(m);
	free(frame);
	/* An ops frame: with the server sequence. */
	msg_ops_start(&f, "ops");
	assert_non_null(s = msg_op_text(&op, 1043, &n));
	msg_ops_add(&f, s, n);
	free(s);
	assert_non_null(frame = msg_ops_finish(&f, &len));
	frame[len - 1] = 0;
	assert_int_equal(msg_parse(frame, len - 1, &m, why, sizeof why), MSG_OPS);
	o = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(m, "ops"), 0);
	assert_int_equal(msg_op_parse(o, 0, 1, "live", &back, &sseq, field,
				      sizeof field, why, sizeof why), 0);
	assert_int_equal(sseq, 1043);
	op_clear(&back);
	cJSON_Delete(m);
	free(frame);
	/* Full at SYNC_BATCH operations, or at FRAME_MAX bytes; an empty
	 * frame takes one over the limit and says so. */
	msg_ops_start(&f, "ops");
	for (i = 0; i < SYNC_BATCH; i++) {
		assert_int_equal(msg_ops_fits(&f, 2), 1);
		msg_ops_add(&f, "{}", 2);
	}
	assert_int_equal(msg_ops_fits(&f, 2), 0);
	free(msg_ops_finish(&f, &len));
	msg_ops_start(&f, "ops");
	assert_int_equal(msg_ops_fits(&f, FRAME_MAX - 23), 1);
	assert_int_equal(msg_ops_fits(&f, FRAME_MAX - 22), -1);
	assert_non_null(big = malloc(FRAME_MAX / 2));
	memset(big, ' ', FRAME_MAX / 2);
	msg_ops_add(&f, big, FRAME_MAX / 2);
	/* 21 bytes of head, a comma, "]}": the newline is not counted. */
	assert_int_equal(msg_ops_fits(&f, FRAME_MAX / 2 - 23), 0);
	assert_int_equal(msg_ops_fits(&f, FRAME_MAX / 2 - 24), 1);
	free(big);
	assert_non_null(frame = msg_ops_finish(&f, &len));
	assert_int_equal(len, 21 + FRAME_MAX / 2 + 3);
	free(frame);
	op_clear(&op);
}

static void
host_and_port(void **state)
{
	static const struct { const char *s, *host, *port; } good[] = {
		{ "127.0.0.1:7441", "127.0.0.1", "7441" },
		{ "[::1]:7441", "::1", "7441" },
		{ "[::]:1", "::", "1" },
		{ "county.example.org:65535", "county.example.org", "65535" },
		{ "*:07441", "*", "7441" },
	};
	static const char *const bad[] = {
		"", "7441", ":7441", "host:", "host:0", "host:65536", "host:123456",
		"host:74a1", "host:-1", "host:+1", "::1:7441", "[::1]7441",
		"[::1:7441", "[]:7441", "::1]:7441", "ho st:1", "host/x:1",
		"ho\tst:1", "host:1:2", "[a[b]:1",
	};
	char host[256], port[8], tiny[4];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (msg_hostport(good[i].s, host, sizeof host, port, sizeof port))
			fail_msg("'%s' refused", good[i].s);
		assert_string_equal(host, good[i].host);
		assert_string_equal(port, good[i].port);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (msg_hostport(bad[i], host, sizeof host, port, sizeof port) == 0)
			fail_msg("'%s' taken as %s and %s", bad[i], host, port);
	assert_int_equal(msg_hostport(NULL, host, sizeof host, port,
				      sizeof port), -1);
	/* Too long for the buffers, or for a host name. */
	assert_int_equal(msg_hostport("abcd:1", tiny, sizeof tiny, port,
				      sizeof port), -1);
	assert_int_equal(msg_hostport("abc:1", tiny, sizeof tiny, port,
				      sizeof port), 0);
	assert_int_equal(msg_hostport("abc:1", host, sizeof host, tiny,
				      sizeof tiny), -1);
	{
		char name[300];
		memset(name, 'a', 254);
		strcpy(name + 254, ":1");
		assert_int_equal(msg_hostport(name, host, sizeof host, port,
					      sizeof port), -1);
		strcpy(name + 253, ":1");
		assert_int_equal(msg_hostport(name, host, sizeof host, port,
					      sizeof port), 0);
	}
}

static void
proofs(void **state)
{
	unsigned char key[SYNC_KEY_BYTES], other[SYNC_KEY_BYTES];
	char a[SYNC_HEX], b[SYNC_HEX], n1[SYNC_HEX], n2[SYNC_HEX];
	(void)state;

	memset(key, 7, sizeof key);
	memset(other, 8, sizeof other);
	auth_nonce(n1);
	auth_nonce(n2);
	assert_int_equal(strlen(n1), 64);
	assert_string_not_equal(n1, n2);
	auth_proof(key, AUTH_SERVER_LABEL, "datian", "live", n1, n2, NULL, a);
	auth_proof(key, AUTH_SERVER_LABEL, "datian", "live", n1, n2, NULL, b);
	assert_true(auth_equal(a, b));
	/* The other direction's label, swapped nonces, another key, another
	 * station or realm: all different proofs. */
	auth_proof(key, AUTH_STATION_LABEL, "datian", "live", n1, n2, NULL, b);
	assert_false(auth_equal(a, b));
	auth_proof(key, AUTH_SERVER_LABEL, "datian", "live", n2, n1, NULL, b);
	assert_false(auth_equal(a, b));
	auth_proof(other, AUTH_SERVER_LABEL, "datian", "live", n1, n2, NULL, b);
	assert_false(auth_equal(a, b));
	auth_proof(key, AUTH_SERVER_LABEL, "gucheng", "live", n1, n2, NULL, b);
	assert_false(auth_equal(a, b));
	auth_proof(key, AUTH_SERVER_LABEL, "datian", "drill-1", n1, n2, NULL, b);
	assert_false(auth_equal(a, b));
	/* Bound to a session (protocol 2): the binding is covered, so a
	 * proof made in one TLS session is worth nothing in another, and
	 * none equals the unbound proof. */
	auth_proof(key, AUTH_SERVER_LABEL, "datian", "live", n1, n2, n1, b);
	assert_false(auth_equal(a, b));
	auth_proof(key, AUTH_SERVER_LABEL, "datian", "live", n1, n2, n2, a);
	assert_false(auth_equal(a, b));
	auth_proof(key, AUTH_SERVER_LABEL, "datian", "live", n1, n2, n2, b);
	assert_true(auth_equal(a, b));
	auth_proof(key, AUTH_SERVER_LABEL, "datian", "live", n1, n2,
		   AUTH_BINDING_PLAIN, b);
	assert_false(auth_equal(a, b));
	auth_proof(key, AUTH_SERVER_LABEL, "datian", "live", n1, n2, NULL, a);
	assert_false(auth_equal(a, "short"));
	assert_false(auth_equal(NULL, a));
	assert_int_equal(key_parse("zz", key), -1);
	assert_int_equal(key_parse(n1, key), 0);
}

static void
keys_file(void **state)
{
	const char *p = tpath("keys");
	char hex[SYNC_HEX], hex2[SYNC_HEX], why[200], khex[SYNC_HEX];
	unsigned char key[SYNC_KEY_BYTES];
	int role = 0;
	(void)state;

	unlink(p);
	assert_int_equal(keys_find(p, "datian", &role, key, why, sizeof why),
			 DD_E_REFUSED);
	assert_int_equal(keys_add(p, "datian", ROLE_TOWN, 0, hex, why, sizeof why), 0);
	assert_int_equal(keys_add(p, "linhai", ROLE_COMMAND, 0, hex2, why,
				  sizeof why), 0);
	assert_int_equal(keys_add(p, "Bad", ROLE_TOWN, 0, hex2, why, sizeof why),
			 DD_E_INVALID);
	assert_int_equal(keys_find(p, "datian", &role, key, why, sizeof why), 1);
	assert_int_equal(role, ROLE_TOWN);
	sodium_bin2hex(khex, sizeof khex, key, sizeof key);
	assert_string_equal(khex, hex);
	assert_int_equal(keys_find(p, "nobody", &role, key, why, sizeof why), 0);
	/* A station already there keeps its key unless told to replace it. */
	assert_int_equal(keys_add(p, "datian", ROLE_TOWN, 0, hex2, why,
				  sizeof why), DD_E_REFUSED);
	assert_non_null(strstr(why, "--replace"));
	assert_int_equal(keys_find(p, "datian", &role, key, why, sizeof why), 1);
	sodium_bin2hex(khex, sizeof khex, key, sizeof key);
	assert_string_equal(khex, hex);
	assert_int_equal(keys_add(p, "datian", ROLE_TOWN, 1, hex2, why,
				  sizeof why), 1);
	assert_int_equal(keys_find(p, "datian", &role, key, why, sizeof why), 1);
	sodium_bin2hex(khex, sizeof khex, key, sizeof key);
	assert_string_equal(khex, hex2);
	/* Readable by others: refused, and the message says why. */
	chmod(p, 0644);
	assert_int_equal(keys_find(p, "datian", &role, key, why, sizeof why),
			 DD_E_REFUSED);
	assert_non_null(strstr(why, "chmod 600"));
}

/* Every file of the public JSON parser corpus as a frame: nothing
 * crashes, and only well-formed protocol messages get through. */
static void
corpus(void **state)
{
	const char *dir = getenv("DUTYDESK_JSON_SUITE") ? getenv(
		"DUTYDESK_JSON_SUITE") : "../shared/data/JSONTestSuite/test_parsing";
	struct dirent *e;
	DIR *d = opendir(dir);
	int files = 0;
	(void)state;

	if (!d) {
		skip();
		return;
	}
	while ((e = readdir(d))) {
		char path[1024], buf[70000], why[160];
		struct framer f;
		FILE *fp;
		size_t n;
		char *out;
		cJSON *m;
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (!(fp = fopen(path, "rb")))
			continue;
		n = fread(buf, 1, sizeof buf - 2, fp);
		fclose(fp);
		files++;
		frame_init(&f, FRAME_MAX_HELLO);
		buf[n++] = '\n';
		if (frame_feed(&f, buf, n) == 0) {
			size_t len;
			while (frame_next(&f, &out, &len) == 1) {
				int t = msg_parse(out, len, &m, why, sizeof why);
				/* None of the corpus is a protocol message. */
				assert_int_equal(t, -1);
				assert_null(m);
			}
		}
		frame_free(&f);
	}
	closedir(d);
	assert_true(files > 300);
}

/* The limits count a frame's own bytes (sync/PROTOCOL.md, "Framing"):
 * not its newline, nor a '\r' just before it. At both limits, ended by
 * "\n" or "\r\n", arriving whole or with its end in a later read: the
 * limit is taken, one byte more is refused. */
static void
frames_at_the_limit(void **state)
{
	static const size_t limits[] = { FRAME_MAX_HELLO, FRAME_MAX };
	static const char *const ends[] = { "\n", "\r\n" };
	struct framer f;
	char *buf, *out;
	size_t i, e, n;
	(void)state;

	assert_non_null(buf = malloc(FRAME_MAX + 3));
	for (i = 0; i < 2; i++) {
		for (e = 0; e < 2; e++) {
			size_t lim = limits[i], el = strlen(ends[e]);

			/* The limit, whole; then its tail waiting for the newline
			 * (with the '\r' already there). */
			memset(buf, 'x', lim);
			memcpy(buf + lim, ends[e], el);
			frame_init(&f, lim);
			assert_int_equal(frame_feed(&f, buf, lim + el), 0);
			assert_int_equal(frame_next(&f, &out, &n), 1);
			assert_int_equal(n, lim);
			assert_int_equal(out[lim - 1], 'x');
			assert_int_equal(frame_feed(&f, buf, lim + el - 1), 0);
			assert_int_equal(frame_next(&f, &out, &n), 0);
			assert_int_equal(frame_feed(&f, "\n", 1), 0);
			assert_int_equal(frame_next(&f, &out, &n), 1);
			assert_int_equal(n, lim);
			frame_free(&f);

			/* One byte more, whole: refused when it is cut. */
			memset(buf, 'x', lim + 1);
			memcpy(buf + lim + 1, ends[e], el);
			frame_init(&f, lim);
			assert_int_equal(frame_feed(&f, buf, lim + 1 + el), 0);
			assert_int_equal(frame_next(&f, &out, &n), -1);
			frame_free(&f);
			/* ...and as a tail without its newline: refused at once. */
			frame_init(&f, lim);
			assert_int_equal(frame_feed(&f, buf, lim + el), -1);
			frame_free(&f);
		}
	}
	/* Only one '\r' goes with the newline: a second one is the frame's. */
	memset(buf, 'x', 8);
	memcpy(buf + 8, "\r\r\n", 3);
	frame_init(&f, 8);
	assert_int_equal(frame_feed(&f, buf, 11), 0);
	assert_int_equal(frame_next(&f, &out, &n), -1);
	/* A '\r' past the limit that is not followed by '\n' is over it. */
	assert_int_equal(frame_feed(&f, buf, 9), 0);
	assert_int_equal(frame_feed(&f, "y", 1), -1);
	frame_free(&f);
	free(buf);
}

/* 64-bit values travel as the digits of 0 to 9223372036854775807, with
 * no sign and no leading zero; each is read whole, never clamped. */
static void
sixty_four_bit_values(void **state)
{
	static const struct { const char *s; int64_t v; } good[] = {
		{ "0", 0 }, { "1", 1 }, { "42", 42 },
		{ "9007199254740993", 9007199254740993LL },
		{ "1000000000000000000", 1000000000000000000LL },
		{ "9223372036854775806", INT64_MAX - 1 },
		{ "9223372036854775807", INT64_MAX },
	};
	static const char *const bad[] = {
		"", "01", "00", "007", "-1", "+1", "-0", " 1", "1 ", "1e3", "0x1",
		"1.0", "9223372036854775808", "9223372036854775809",
		"9999999999999999999", "10000000000000000000",
		"18446744073709551616", "99999999999999999999999999",
	};
	char buf[200], why[160];
	cJSON *m;
	int64_t v;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		snprintf(buf, sizeof buf, "{\"type\":\"live\",\"head\":\"%s\"}",
			 good[i].s);
		if (msg_parse(buf, strlen(buf), &m, why, sizeof why) != MSG_LIVE)
			fail_msg("'%s' refused: %s", good[i].s, why);
		v = -1;
		assert_int_equal(msg_i64(m, "head", &v), 1);
		assert_true(v == good[i].v);
		cJSON_Delete(m);
		/* An optional member is held to the same rule. */
		snprintf(buf, sizeof buf, "{\"type\":\"pong\",\"now\":\"%s\"}",
			 good[i].s);
		assert_int_equal(msg_parse(buf, strlen(buf), &m, why, sizeof why),
				 MSG_PONG);
		cJSON_Delete(m);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(buf, sizeof buf, "{\"type\":\"pull\",\"after\":\"%s\"}",
			 bad[i]);
		if (msg_parse(buf, strlen(buf), &m, why, sizeof why) != -1)
			fail_msg("'%s' taken", bad[i]);
		assert_null(m);
		assert_string_equal(why, "field after: wrong type");
		snprintf(buf, sizeof buf, "{\"type\":\"pong\",\"now\":\"%s\"}",
			 bad[i]);
		assert_int_equal(msg_parse(buf, strlen(buf), &m, why, sizeof why),
				 -1);
		/* msg_i64 says no, and leaves the value alone. */
		m = cJSON_CreateObject();
		cJSON_AddStringToObject(m, "after", bad[i]);
		v = 7;
		assert_int_equal(msg_i64(m, "after", &v), 0);
		assert_int_equal(v, 7);
		cJSON_Delete(m);
	}
	/* In an operation's envelope: no sign, no leading zero. */
	{
		static const char *const ops[] = {
			"{\"seq\":\"017\"}", "{\"seq\":\"+17\"}", "{\"hlc\":\"\"}",
			"{\"hlc\":\"9223372036854775808\"}",
		};
		char field[80];
		struct op op;
		for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
			cJSON *o = cJSON_Parse(ops[i]);
			assert_int_equal(msg_op_parse(o, 0, 0, NULL, &op, NULL, field,
						      sizeof field, why, sizeof why),
					 -1);
			assert_non_null(strstr(why, "not a decimal string"));
			cJSON_Delete(o);
		}
	}
}

/* A realm is "live", or a drill's: "drill-" and 1 to 33 of [a-z0-9-]
 * (sync/PROTOCOL.md, "Realms"); the hello is refused otherwise. */
static void
realm_names(void **state)
{
	static const char *const good[] = {
		"live", "drill-1", "drill--", "drill-20261128120000",
		"drill-wal", "drill-x-walk", "drill-shm-1",
		"drill-abcdefghijabcdefghijabcdefghij012", /* 33 after drill- */
	};
	static const char *const bad[] = {
		"", "Live", "live2", "drill", "drill-", "Drill-7", "drill_7",
		"drill-A1", "drill-7 ", "drill-\xe6\xbc\x94", "county-1", "x",
		"drill-abcdefghijabcdefghijabcdefghij0123", /* 34 */
		/* realm drill-x's files: its log, its shared memory */
		"drill-x-wal", "drill-x-shm", "drill-x-journal",
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof good / sizeof good[0]; i++)
		if (!realm_name_ok(good[i]))
			fail_msg("'%s' refused", good[i]);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (realm_name_ok(bad[i]) || realm_is_drill(bad[i]))
			fail_msg("'%s' taken", bad[i]);
	assert_false(realm_name_ok(NULL));
	assert_false(realm_is_drill(NULL));
	assert_false(realm_is_drill("live"));
	assert_true(realm_is_drill("drill-abcdefghijabcdefghijabcdefghij012"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frames_split_and_joined),
		cmocka_unit_test(frames_over_the_limit),
		cmocka_unit_test(messages_checked_whole),
		cmocka_unit_test(printed_frames_round_trip),
		cmocka_unit_test(operations_checked_whole),
		cmocka_unit_test(operations_printed_in_frames),
		cmocka_unit_test(host_and_port),
		cmocka_unit_test(proofs),
		cmocka_unit_test(keys_file),
		cmocka_unit_test(corpus),
		cmocka_unit_test(frames_at_the_limit),
		cmocka_unit_test(sixty_four_bit_values),
		cmocka_unit_test(realm_names),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
