/*
 * fuzz_wire.c - libFuzzer target for everything that reads bytes from a
 * peer before anything acts on them: the framer (in reads of every size
 * the input suggests), the message check, and, for push and ops frames,
 * each operation's envelope (op_from_json). Build and run with
 * `make fuzz` (bounded by FUZZ_SECONDS).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct framer f;
	size_t at = 0, step;
	char *frame, why[160];
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
			int t = msg_parse(frame, n, &m, why, sizeof why);
			if (t == MSG_AUTH && !authed) {
				authed = 1;
				frame_set_limit(&f, FRAME_MAX);
			}
			if (t == MSG_PUSH || t == MSG_OPS) {
				cJSON_ArrayForEach(o, cJSON_GetObjectItem(m, "ops")) {
					struct op op;
					if (op_from_json(o, &op) == 0)
						op_clear(&op);
				}
			}
			cJSON_Delete(m);
		}
	}
	frame_free(&f);
	return 0;
}
