/*
 * fuzz_tls.c - libFuzzer target for the frames as they come out of the
 * TLS layer: a server session of sync/tls.c (the server's own code, a
 * key made once at the start) is fed bytes, and whatever plaintext
 * tls_read yields goes to the framer, the message check and, for push
 * and ops frames, each operation's envelope, as the server reads them
 * (sync/server_conn.c). The first byte of the input says how:
 *
 *   bit 0 clear: a station's session completes the handshake with the
 *     server, then encrypts the rest of the input as application data,
 *     in writes of 1 to 64 bytes (bits 1 to 6), so the parser gets the
 *     fuzzer's frames split across records anywhere;
 *   bit 0 set: the rest goes to a fresh server session as it is, and
 *     bit 1 set puts it after a finished handshake instead: records
 *     that are not TLS, cut short or forged, before and after it.
 *
 * Beyond not crashing: no frame handed out is over the limit, and no
 * plaintext comes out of a session whose handshake is not done. Build
 * and run with `make fuzz` (bounded by FUZZ_SECONDS).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync/internal.h"
#include "sync/tls.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct tls_ctx *sctx, *cctx;
static char pin[TLS_PIN_SIZE];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/fuzz_tls.XXXXXX", path[64], why[300];

	(void)argc;
	(void)argv;
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof path, "%s/key.pem", dir);
	if (tls_cert_make(path, pin, why, sizeof why) != 0 ||
	    tls_server_ctx(&sctx, path, NULL, NULL, why, sizeof why) != 0 ||
	    tls_client_ctx(&cctx, why, sizeof why) != 0) {
		fprintf(stderr, "fuzz_tls: %s\n", why);
		abort();
	}
	unlink(path);
	rmdir(dir);
	return 0;
}

/* Move what from has to send into to. */
static void
pass(struct tls_conn *from, struct tls_conn *to)
{
	char buf[16384];
	size_t n;

	while ((n = tls_out_take(from, buf, sizeof buf)) > 0)
		if (tls_feed(to, buf, n) != 0)
			return;
}

/* Every whole frame in f, checked as the server checks it. */
static void
frames(struct framer *f, int *authed)
{
	char *frame, why[300], field[80];
	size_t n;

	while (frame_next(f, &frame, &n) == 1) {
		cJSON *m = NULL, *o;
		int t, i = 0;
		if (n > f->limit)
			abort();
		t = msg_parse(frame, n, &m, why, sizeof why);
		if (t == MSG_AUTH && !*authed) {
			*authed = 1;
			frame_set_limit(f, FRAME_MAX);
		}
		if (t == MSG_PUSH || t == MSG_OPS)
			cJSON_ArrayForEach(o, cJSON_GetObjectItem(m, "ops")) {
				struct op op;
				int64_t sseq;
				if (msg_op_parse(o, i, t == MSG_OPS, i % 2 ? "live"
						 : NULL, &op, &sseq, field,
						 sizeof field, why, sizeof why) == 0)
					op_clear(&op);
				i++;
			}
		cJSON_Delete(m);
	}
}

/* The server reads what was fed to s: plaintext into the framer until
 * the session has none, ends or fails. -1 once it is over. */
static int
server_reads(struct tls_conn *s, struct framer *f, int *authed)
{
	char buf[16384];
	size_t got;
	int r;

	for (;;) {
		r = tls_read(s, buf, sizeof buf, &got);
		if (r != 0)
			return -1;
		if (got == 0)
			return 0;
		if (!tls_handshake_done(s))
			abort();
		if (frame_feed(f, buf, got) < 0)
			return -1;
		frames(f, authed);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tls_conn *s = NULL, *c = NULL;
	struct framer f;
	int authed = 0, i;
	size_t at, step;
	char none[1];

	if (size < 1)
		return 0;
	frame_init(&f, FRAME_MAX_HELLO);
	if (!(s = tls_conn_new(sctx, 1, NULL)))
		goto out;
	if (!(data[0] & 1) || (data[0] & 2)) {
		/* A station's handshake with the server, in memory. */
		size_t got;
		if (!(c = tls_conn_new(cctx, 0, pin)))
			goto out;
		for (i = 0; i < 4 && !tls_handshake_done(c); i++) {
			if (tls_read(c, none, 0, &got) < 0)
				break;
			pass(c, s);
			if (server_reads(s, &f, &authed) < 0)
				break;
			pass(s, c);
		}
		if (!tls_handshake_done(c) || tls_read(c, none, 0, &got) < 0)
			abort(); /* an honest handshake must succeed */
		pass(c, s);
		server_reads(s, &f, &authed);
	}
	if (data[0] & 1) {
		/* The bytes as they are, as records. */
		if (tls_feed(s, data + 1, size - 1) == 0)
			server_reads(s, &f, &authed);
		goto out;
	}
	step = (size_t)((data[0] >> 1) & 63) + 1;
	for (at = 1; at < size; at += step) {
		size_t k = size - at < step ? size - at : step;
		if (tls_write(c, data + at, k) != 0)
			abort();
		pass(c, s);
		if (server_reads(s, &f, &authed) < 0)
			break;
	}
out:
	tls_conn_free(&c);
	tls_conn_free(&s);
	frame_free(&f);
	return 0;
}
