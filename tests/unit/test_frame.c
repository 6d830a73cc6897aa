/*
 * test_frame.c - the wire's first guard: frames cut from a buffer with a
 * hard limit, every message checked whole, proofs that cannot be
 * reflected or replayed. The corpus test uses the public JSONTestSuite
 * files in ../shared/data and skips when they are absent.
 */
#include "testlib.h"

#include <dirent.h>
#include <sys/stat.h>

#include <sodium.h>

#include "sync/sync.h"

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
	auth_proof(key, AUTH_SERVER_LABEL, "datian", "live", n1, n2, a);
	auth_proof(key, AUTH_SERVER_LABEL, "datian", "live", n1, n2, b);
	assert_true(auth_equal(a, b));
	/* The other direction's label, swapped nonces, another key, another
	 * station or realm: all different proofs. */
	auth_proof(key, AUTH_STATION_LABEL, "datian", "live", n1, n2, b);
	assert_false(auth_equal(a, b));
	auth_proof(key, AUTH_SERVER_LABEL, "datian", "live", n2, n1, b);
	assert_false(auth_equal(a, b));
	auth_proof(other, AUTH_SERVER_LABEL, "datian", "live", n1, n2, b);
	assert_false(auth_equal(a, b));
	auth_proof(key, AUTH_SERVER_LABEL, "gucheng", "live", n1, n2, b);
	assert_false(auth_equal(a, b));
	auth_proof(key, AUTH_SERVER_LABEL, "datian", "drill-1", n1, n2, b);
	assert_false(auth_equal(a, b));
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(frames_split_and_joined),
		cmocka_unit_test(frames_over_the_limit),
		cmocka_unit_test(messages_checked_whole),
		cmocka_unit_test(printed_frames_round_trip),
		cmocka_unit_test(proofs),
		cmocka_unit_test(keys_file),
		cmocka_unit_test(corpus),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
