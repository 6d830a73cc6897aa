/*
 * msg.c - every message of the protocol checked whole, in one guard,
 * before anything acts on it: type, members, their types.
 */
#include "sync/sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Member kinds: S string, N small number, I 64-bit as digit string,
 * A array, O object. Upper case: required. */
struct member {
	const char *name;
	char kind;
};

struct msgdef {
	const char *type;
	struct member m[8];     /* NULL-terminated */
};

static const struct msgdef defs[MSG_N] = {
	[MSG_HELLO] = { "hello", { { "version", 'N' }, { "station", 'S' },
		{ "incarnation", 'S' }, { "realm", 'S' }, { "nonce", 'S' } } },
	[MSG_CHALLENGE] = { "challenge", { { "version", 'N' }, { "nonce", 'S' },
		{ "proof", 'S' } } },
	[MSG_AUTH] = { "auth", { { "proof", 'S' } } },
	[MSG_WELCOME] = { "welcome", { { "history", 'S' }, { "role", 'S' },
		{ "have", 'I' }, { "head", 'I' }, { "now", 'i' },
		{ "last_seq", 'i' }, { "last_digest", 's' } } },
	[MSG_PUSH] = { "push", { { "ops", 'A' } } },
	[MSG_ACK] = { "ack", { { "upto", 'I' }, { "refused", 'A' },
		{ "incarnation", 's' } } },
	[MSG_PULL] = { "pull", { { "after", 'I' } } },
	[MSG_OPS] = { "ops", { { "ops", 'A' } } },
	[MSG_LIVE] = { "live", { { "head", 'I' } } },
	[MSG_PING] = { "ping", { { NULL, 0 } } },
	[MSG_PONG] = { "pong", { { "now", 'i' } } },
	[MSG_ERROR] = { "error", { { "code", 'S' }, { "message", 's' },
		{ "frame", 'n' }, { "field", 's' } } },
};

const char *
msg_type_name(int t)
{
	return t >= 0 && t < MSG_N ? defs[t].type : "?";
}

int
msg_digits(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 18)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
msg_i64(const cJSON *m, const char *key, int64_t *v)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(m, key);

	if (!cJSON_IsString(s) || !msg_digits(s->valuestring))
		return 0;
	*v = strtoll(s->valuestring, NULL, 10);
	return 1;
}

static int
kind_ok(const cJSON *v, char kind)
{
	switch (kind | 0x20) {
	case 's': return cJSON_IsString(v) && strlen(v->valuestring) <= 4096;
	case 'n': return cJSON_IsNumber(v) && v->valuedouble >= 0 &&
			 v->valuedouble <= 1e9 &&
			 v->valuedouble == (double)(int64_t)v->valuedouble;
	case 'i': return cJSON_IsString(v) && msg_digits(v->valuestring);
	case 'a': return cJSON_IsArray(v);
	case 'o': return cJSON_IsObject(v);
	}
	return 0;
}

int
msg_parse(const char *frame, size_t n, cJSON **out, char *why, size_t w)
{
	const cJSON *type, *v;
	const char *end = NULL;
	cJSON *m;
	int t, i;

	*out = NULL;
	if (memchr(frame, 0, n)) {
		snprintf(why, w, "a NUL byte inside the frame");
		return -1;
	}
	/* The frame is NUL-terminated at n; the length given counts it, as
	 * cJSON wants when it must check that nothing follows the object. */
	m = cJSON_ParseWithLengthOpts(frame, n + 1, &end, 1);
	if (!m) {
		snprintf(why, w, "not JSON (near byte %ld)", end ? (long)(end - frame)
			 : 0L);
		return -1;
	}
	if (!cJSON_IsObject(m)) {
		snprintf(why, w, "not a JSON object");
		goto bad;
	}
	type = cJSON_GetObjectItemCaseSensitive(m, "type");
	if (!cJSON_IsString(type)) {
		snprintf(why, w, "field type: missing");
		goto bad;
	}
	for (t = 0; t < MSG_N; t++)
		if (strcmp(defs[t].type, type->valuestring) == 0)
			break;
	if (t == MSG_N) {
		snprintf(why, w, "field type: unknown message '%.40s'",
			 type->valuestring);
		goto bad;
	}
	cJSON_ArrayForEach(v, m) {
		if (!v->string) {
			snprintf(why, w, "member without a name");
			goto bad;
		}
		if (strcmp(v->string, "type") == 0)
			continue;
		for (i = 0; defs[t].m[i].name; i++)
			if (strcmp(defs[t].m[i].name, v->string) == 0)
				break;
		if (!defs[t].m[i].name) {
			snprintf(why, w, "field %.40s: not a member of %s", v->string,
				 defs[t].type);
			goto bad;
		}
		if (!kind_ok(v, defs[t].m[i].kind)) {
			snprintf(why, w, "field %s: wrong type", v->string);
			goto bad;
		}
	}
	for (i = 0; defs[t].m[i].name; i++) {
		if (defs[t].m[i].kind >= 'a')
			continue;
		if (!cJSON_GetObjectItemCaseSensitive(m, defs[t].m[i].name)) {
			snprintf(why, w, "field %s: missing", defs[t].m[i].name);
			goto bad;
		}
	}
	*out = m;
	return t;
bad:
	cJSON_Delete(m);
	return -1;
}

char *
msg_print(const cJSON *m, size_t *n)
{
	char *s = cJSON_PrintUnformatted(m), *r;
	size_t len;

	if (!s)
		return NULL;
	len = strlen(s);
	if (!(r = realloc(s, len + 2))) {
		free(s);
		return NULL;
	}
	r[len] = '\n';
	r[len + 1] = 0;
	*n = len + 1;
	return r;
}

char *
msg_error(const char *code, const char *message, uint64_t frame,
	  const char *field, size_t *n)
{
	cJSON *m = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(m, "type", "error");
	cJSON_AddStringToObject(m, "code", code);
	if (message)
		cJSON_AddStringToObject(m, "message", message);
	if (frame)
		cJSON_AddNumberToObject(m, "frame", (double)frame);
	if (field)
		cJSON_AddStringToObject(m, "field", field);
	s = msg_print(m, n);
	cJSON_Delete(m);
	return s;
}
