/*
 * msg.c - every message of the protocol checked whole, in one guard,
 * before anything acts on it: type, members, their types; and the rules
 * both ends share: an operation's envelope, its wire text and the
 * frames that carry it, and a HOST:PORT.
 */
#include "sync/internal.h"

#include <ctype.h>
#include <stdint.h>
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
	struct member m[10];    /* NULL-terminated */
};

static const struct msgdef defs[MSG_N] = {
	[MSG_HELLO] = { "hello", { { "version", 'N' }, { "station", 'S' },
		{ "incarnation", 'S' }, { "realm", 'S' }, { "nonce", 'S' } } },
	[MSG_CHALLENGE] = { "challenge", { { "version", 'N' }, { "nonce", 'S' },
		{ "proof", 'S' } } },
	[MSG_AUTH] = { "auth", { { "proof", 'S' } } },
	[MSG_WELCOME] = { "welcome", { { "history", 'S' }, { "role", 'S' },
		{ "have", 'I' }, { "head", 'I' }, { "now", 'i' },
		{ "last_seq", 'i' }, { "last_digest", 's' },
		{ "kinds", 'a' } } },
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
	[MSG_PINS] = { "pins", { { "current", 'S' }, { "next", 's' } } },
};

const char *
msg_type_name(int t)
{
	return t >= 0 && t < MSG_N ? defs[t].type : "?";
}

int
msg_i64(const cJSON *m, const char *key, int64_t *v)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(m, key);

	return cJSON_IsString(s) && dd_parse_i64(s->valuestring, v) == 0;
}

static int
kind_ok(const cJSON *v, char kind)
{
	switch (kind | 0x20) {
	case 's': return cJSON_IsString(v) && strlen(v->valuestring) <= 4096;
	case 'n': return cJSON_IsNumber(v) && v->valuedouble >= 0 &&
			 v->valuedouble <= 1e9 &&
			 v->valuedouble == (double)(int64_t)v->valuedouble;
	case 'i': return cJSON_IsString(v) && dd_parse_i64(v->valuestring, NULL) == 0;
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

/* ---- the welcome's kinds ---- */

int
msg_kind_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 31)
		return 0;
	/* Each part, the first and every one after a '.', begins with a
	 * letter: no empty part, no leading or trailing dot. */
	for (i = 0; i < n; i++) {
		if (i == 0 || s[i - 1] == '.') {
			if (s[i] < 'a' || s[i] > 'z')
				return 0;
		} else if (!((s[i] >= 'a' && s[i] <= 'z') ||
			     (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
			     s[i] == '.')) {
			return 0;
		}
	}
	return s[n - 1] != '.';
}

int
msg_kinds_check(const cJSON *kinds, char *field, size_t fn, char *why,
		size_t wn)
{
	const cJSON *k, *e;
	int i = 0, j;

	snprintf(field, fn, "kinds");
	if (!kinds) {
		snprintf(why, wn, "field kinds: missing");
		return -1;
	}
	if (!cJSON_IsArray(kinds)) {
		snprintf(why, wn, "field kinds: not an array");
		return -1;
	}
	if (cJSON_GetArraySize(kinds) > SYNC_KINDS_MAX) {
		snprintf(why, wn, "field kinds: more than %d kinds",
			 SYNC_KINDS_MAX);
		return -1;
	}
	cJSON_ArrayForEach(k, kinds) {
		snprintf(field, fn, "kinds[%d]", i);
		if (!cJSON_IsString(k) || !msg_kind_ok(k->valuestring)) {
			snprintf(why, wn, "field %s: not a kind name (1 to 31 of "
				 "a-z, 0-9, _ and .)", field);
			return -1;
		}
		j = 0;
		cJSON_ArrayForEach(e, kinds) {
			if (j++ == i)
				break;
			if (strcmp(e->valuestring, k->valuestring) == 0) {
				snprintf(why, wn, "field %s: '%s' given twice", field,
					 k->valuestring);
				return -1;
			}
		}
		i++;
	}
	return 0;
}

/* ---- operations ---- */

/* The members of an operation on the wire, in the order op_to_json
 * prints them; "sseq" comes last and only in the server's ops frames.
 * Kinds: S string, I 64-bit as digit string, O object. */
static const struct member op_members[] = {
	{ "station", 'S' }, { "incarnation", 'S' }, { "seq", 'I' },
	{ "hlc", 'I' }, { "realm", 'S' }, { "officer", 'S' }, { "kind", 'S' },
	{ "entity", 'S' }, { "body", 'O' }, { "sseq", 'I' },
};
#define OP_MEMBERS 9 /* without sseq */

int
msg_op_parse(const cJSON *o, int i, int with_sseq, const char *realm,
	     struct op *op, int64_t *sseq, char *field, size_t fn,
	     char *why, size_t wn)
{
	int k, nm = with_sseq ? OP_MEMBERS + 1 : OP_MEMBERS;
	unsigned seen = 0;
	const cJSON *v;

	memset(op, 0, sizeof *op);
	snprintf(field, fn, "ops[%d]", i);
	if (!cJSON_IsObject(o)) {
		snprintf(why, wn, "field %s: not an object", field);
		return -1;
	}
	cJSON_ArrayForEach(v, o) {
		for (k = 0; k < nm; k++)
			if (v->string && strcmp(v->string, op_members[k].name) == 0)
				break;
		if (k == nm) {
			snprintf(field, fn, "ops[%d].%.40s", i,
				 v->string ? v->string : "?");
			snprintf(why, wn, "field %s: not a member of an operation",
				 field);
			return -1;
		}
		snprintf(field, fn, "ops[%d].%s", i, op_members[k].name);
		if (seen & (1u << k)) {
			snprintf(why, wn, "field %s: given twice", field);
			return -1;
		}
		seen |= 1u << k;
		if (op_members[k].kind == 'O' ? !cJSON_IsObject(v)
		    : !cJSON_IsString(v)) {
			snprintf(why, wn, "field %s: wrong type", field);
			return -1;
		}
		if (op_members[k].kind == 'I' &&
		    !dd_parse_i64(v->valuestring, NULL) == 0) {
			snprintf(why, wn, "field %s: not a decimal string", field);
			return -1;
		}
	}
	for (k = 0; k < nm; k++)
		if (!(seen & (1u << k))) {
			snprintf(field, fn, "ops[%d].%s", i, op_members[k].name);
			snprintf(why, wn, "field %s: missing", field);
			return -1;
		}
	if (with_sseq && (!msg_i64(o, "sseq", sseq) || *sseq <= 0)) {
		snprintf(field, fn, "ops[%d].sseq", i);
		snprintf(why, wn, "field %s: not a server sequence", field);
		return -1;
	}
	if (op_from_json(o, op)) {
		snprintf(field, fn, "ops[%d]", i);
		snprintf(why, wn, "field %s: a member is too long", field);
		return -1;
	}
	if (realm && strcmp(op->realm, realm) != 0) {
		snprintf(field, fn, "ops[%d].realm", i);
		snprintf(why, wn, "field %s: '%.40s' in a '%.40s' session", field,
			 op->realm, realm);
		op_clear(op);
		return -1;
	}
	return 0;
}

char *
msg_op_text(const struct op *op, int64_t sseq, size_t *n)
{
	cJSON *j = op_to_json(op);
	char buf[24], *s = NULL;

	if (j && (sseq <= 0 ||
		  cJSON_AddStringToObject(j, "sseq", msg_i64_text(sseq, buf))))
		s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	*n = s ? strlen(s) : 0;
	return s;
}

/* Room in f for n more bytes and a NUL: 0, or -1 (f->oom set). */
static int
ops_room(struct msg_ops *f, size_t n)
{
	size_t cap = f->cap ? f->cap : 4096;
	char *b;

	if (f->oom)
		return -1;
	if (f->len + n < f->cap)
		return 0;
	while (cap <= f->len + n)
		cap *= 2;
	if (!(b = realloc(f->buf, cap))) {
		f->oom = 1;
		return -1;
	}
	f->buf = b;
	f->cap = cap;
	return 0;
}

static void
ops_put(struct msg_ops *f, const char *s, size_t n)
{
	if (ops_room(f, n))
		return;
	memcpy(f->buf + f->len, s, n);
	f->len += n;
	f->buf[f->len] = 0;
}

void
msg_ops_start(struct msg_ops *f, const char *type)
{
	memset(f, 0, sizeof *f);
	ops_put(f, "{\"type\":\"", 9);
	ops_put(f, type, strlen(type));
	ops_put(f, "\",\"ops\":[", 9);
}

void
msg_ops_add(struct msg_ops *f, const char *s, size_t n)
{
	if (f->n > 0)
		ops_put(f, ",", 1);
	ops_put(f, s, n);
	f->n++;
}

char *
msg_ops_finish(struct msg_ops *f, size_t *n)
{
	char *frame = NULL;

	ops_put(f, "]}\n", 3);
	*n = 0;
	if (f->oom) {
		free(f->buf);
	} else {
		frame = f->buf;
		*n = f->len;
	}
	memset(f, 0, sizeof *f);
	return frame;
}

/* ---- addresses ---- */

int
msg_hostport(const char *s, char *host, size_t hn, char *port, size_t pn)
{
	const char *h = s, *end, *d;
	size_t len;
	long num = 0;

	if (!s)
		return -1;
	if (*s == '[') {
		/* An IPv6 address: the one host with ':' in it. */
		h = s + 1;
		if (!(end = strchr(h, ']')) || end[1] != ':')
			return -1;
		d = end + 2;
	} else {
		if (!(end = strchr(h, ':')))
			return -1;
		d = end + 1;
	}
	len = (size_t)(end - h);
	if (len == 0 || len > 253 || len >= hn || pn < 6 || strlen(d) > 5 ||
	    !*d)
		return -1;
	for (; h < end; h++)
		if ((unsigned char)*h <= ' ' || *h == 0x7f || *h == '/' ||
		    *h == '[' || *h == ']')
			return -1;
	for (; *d; d++) {
		if (!isdigit((unsigned char)*d))
			return -1;
		num = num * 10 + (*d - '0');
	}
	if (num < 1 || num > 65535)
		return -1;
	memcpy(host, end - len, len);
	host[len] = 0;
	snprintf(port, pn, "%ld", num);
	return 0;
}
