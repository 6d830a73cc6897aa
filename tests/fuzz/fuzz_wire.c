/*
 * fuzz_wire.c - libFuzzer target for everything that reads bytes from a
 * peer before anything acts on them: the framer (in reads of every size
 * the input suggests), the message check, and, for push and ops frames,
 * each operation's envelope (msg_op_parse, as both ends check it); and
 * each frame read as a HOST:PORT (msg_hostport), the other text both
 * ends take from outside. Beyond not crashing, two rules of
 * sync/PROTOCOL.md must hold: no frame handed out is over the limit
 * (its newline and a '\r' before it not counted), and a 64-bit value
 * that is taken is in its one written form (digits of 0 to INT64_MAX,
 * no sign, no leading zero), so it prints back the same. Build and run
 * with `make fuzz` (bounded by FUZZ_SECONDS).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct framer f;
	size_t at = 0, step;
	char *frame, why[300], field[80], host[256], port[8];
	size_t n;
	int authed = 0;

	frame_init(&f, FRAME_MAX_HELLO);
	/* The first byte picks the read size, so frames split anywhere. */
	step = size ? (size_t)(data[0] % 64) + 1 : 1;
	while (at < size) {
		size_t k = size - at < step ? size - at : step;
		if (frame_feed(&f, (const char *)data + at, k) < 0)
			break;
		at += k;
		while (frame_next(&f, &frame, &n) == 1) {
			cJSON *m = NULL, *o;
			int t;
			if (n > f.limit)
				abort();
			t = msg_parse(frame, n, &m, why, sizeof why);
			cJSON_ArrayForEach(o, m) {
				char buf[24];
				int64_t v;
				if (o->string && cJSON_GetObjectItemCaseSensitive(m,
				    o->string) == o && msg_i64(m, o->string, &v) &&
				    strcmp(msg_i64_text(v, buf), o->valuestring) != 0)
					abort();
			}
			if (t == MSG_AUTH && !authed) {
				authed = 1;
				frame_set_limit(&f, FRAME_MAX);
			}
			if (t == MSG_PUSH || t == MSG_OPS) {
				int i = 0;
				cJSON_ArrayForEach(o, cJSON_GetObjectItem(m, "ops")) {
					struct op op;
					int64_t sseq;
					/* Every other one for a realm. */
					const char *realm = i % 2 ? "live" : NULL;
					if (msg_op_parse(o, i, t == MSG_OPS, realm, &op,
							 &sseq, field, sizeof field, why,
							 sizeof why) == 0)
						op_clear(&op);
					i++;
				}
			}
			msg_hostport(frame, host, sizeof host, port, sizeof port);
			cJSON_Delete(m);
		}
	}
	frame_free(&f);
	return 0;
}
