/*
 * server_proto.c - what the server does with each frame of the
 * protocol (sync/PROTOCOL.md): hello and auth, push (checked whole,
 * taken into its realm's group or waiting for the next one, answered
 * once its group is on disk),
 * pull and the catch-up that ends live, the relay of what is committed,
 * and ping.
 */
#include "sync/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* An ops frame to relay or serve, or NULL (out of memory). */
static struct wbuf *
ops_frame(struct msg_ops *f)
{
	size_t n;
	char *s = msg_ops_finish(f, &n);

	return wbuf_new(s, n);
}

/* ---- catch-up ---- */

struct catchup {
	struct msg_ops f;
	int64_t bound; /* nothing past what is committed */
	int64_t last;
	int count;   /* rows seen */
	int full;    /* stopped because the frame was full */
	int oom;
};

static int
catchup_row(const struct op *op, int64_t sseq, void *ctx)
{
	struct catchup *cu = ctx;
	size_t n;
	char *s;
	int fits;

	if (sseq > cu->bound)
		return 1;
	if (!(s = msg_op_text(op, sseq, &n))) {
		cu->oom = 1;
		return 1;
	}
	if (!(fits = msg_ops_fits(&cu->f, n))) {
		free(s);
		cu->full = 1;
		return 1;
	}
	if (fits < 0)
		server_log(SLOG_WARN, "operation %s/%" PRId64 " alone is over the "
			   "frame limit", op->station, op->seq);
	msg_ops_add(&cu->f, s, n);
	free(s);
	cu->last = sseq;
	cu->count++;
	return 0;
}

/* Send the next batch of a catch-up; the next one goes when this one is
 * written, so other connections get their turn in between. The last
 * batch is followed by live, and reading resumes once that is out. */
void
proto_catchup(struct conn *c)
{
	struct catchup cu;
	struct wbuf *b;
	cJSON *m;
	int64_t head = 0;
	int rc, more;

	if (c->state != C_READY || !c->paused)
		return;
	memset(&cu, 0, sizeof cu);
	msg_ops_start(&cu.f, "ops");
	cu.last = c->cursor;
	cu.bound = c->realm->committed;
	/* Through the realm's reading connection: the write connection may
	 * be committing on a worker. */
	rc = replica_each_after(c->realm->rdb, c->cursor, SYNC_BATCH,
				catchup_row, &cu);
	if (rc < 0 || cu.oom || cu.f.oom) {
		free(cu.f.buf);
		server_log(SLOG_ERROR, "catch-up of %s: %s", conn_who(c),
			   rc < 0 ? db_errmsg(c->realm->rdb) : "out of memory");
		conn_error(c, "busy", "the server cannot read its database now",
			   0, NULL, 1);
		return;
	}
	more = cu.full || cu.count == SYNC_BATCH;
	if (cu.count > 0) {
		c->cursor = cu.last;
		b = ops_frame(&cu.f);
		if (!b) {
			conn_error(c, "busy", "out of memory", 0, NULL, 1);
			return;
		}
		rc = conn_write(c, b, more ? THEN_CATCHUP : THEN_NOTHING);
		wbuf_unref(&b);
		if (rc)
			return;
	} else {
		free(cu.f.buf);
	}
	if (more)
		return;
	/* Caught up in this very turn of the loop: everything committed so
	 * far has been queued, and what is committed from now on is
	 * relayed. */
	head = c->realm->committed;
	c->live = 1;
	c->live_ms = sync_now_ms();
	m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "type", "live");
	msg_add_i64(m, "head", head);
	conn_send(c, m, THEN_RESUME);
	cJSON_Delete(m);
	server_log(SLOG_DEBUG, "%s caught up to %" PRId64, conn_who(c), head);
}

/* ---- hello and auth ---- */

static int
hex_ok(const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static const char *
sget(const cJSON *m, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static void
on_hello(struct conn *c, const cJSON *m)
{
	const cJSON *ver = cJSON_GetObjectItemCaseSensitive(m, "version");
	const char *station = sget(m, "station"), *inc = sget(m, "incarnation");
	const char *realm = sget(m, "realm"), *nonce = sget(m, "nonce");
	char proof[SYNC_HEX], why[300], vbuf[40];
	cJSON *r;
	int rc;

	if (c->state != C_HELLO) {
		conn_error(c, "order", "hello was already sent", c->fr.count,
			   "type", 1);
		return;
	}
	/* Every version from SYNC_VERSION_MIN on is answered in its own
	 * terms, so stations need not be upgraded at once. */
	if (ver->valuedouble < SYNC_VERSION_MIN ||
	    ver->valuedouble > SYNC_VERSION) {
		snprintf(vbuf, sizeof vbuf, "this server speaks versions %d to %d",
			 SYNC_VERSION_MIN, SYNC_VERSION);
		conn_error(c, "version", vbuf, c->fr.count, "version", 1);
		return;
	}
	c->version = (int)ver->valuedouble;
	/* Protocol 1 has no binding to the session: a station that speaks
	 * it can use the plain listener until it is upgraded. */
	if (c->tls && c->version < 2) {
		conn_error(c, "version", "this server speaks versions 2 to 2 over "
			   "TLS: upgrade the station", c->fr.count, "version", 1);
		return;
	}
	if (!station_code_ok(station)) {
		conn_error(c, "bad_frame", "field station: not a station code",
			   c->fr.count, "station", 1);
		return;
	}
	if (!hex_ok(inc, 16)) {
		conn_error(c, "bad_frame", "field incarnation: not 16 hex digits",
			   c->fr.count, "incarnation", 1);
		return;
	}
	if (!realm_name_ok(realm)) {
		conn_error(c, "bad_frame", "field realm: not live, nor drill- and "
			   "1 to 33 of a-z, 0-9 and -", c->fr.count, "realm", 1);
		return;
	}
	if (!hex_ok(nonce, SYNC_HEX - 1)) {
		conn_error(c, "bad_frame", "field nonce: not 64 hex digits",
			   c->fr.count, "nonce", 1);
		return;
	}
	snprintf(c->station, sizeof c->station, "%s", station);
	snprintf(c->incarnation, sizeof c->incarnation, "%s", inc);
	snprintf(c->realm_name, sizeof c->realm_name, "%s", realm);
	snprintf(c->nonce, sizeof c->nonce, "%s", nonce);
	why[0] = 0;
	rc = keys_find(c->srv->o->keys, station, &c->role, c->key, why,
		       sizeof why);
	if (rc < 0)
		server_log(SLOG_ERROR, "keys file: %s", why);
	c->known = rc == 1;
	auth_nonce(c->snonce);
	/* An unknown station gets a proof like any other, so codes cannot
	 * be probed; it fails at auth. */
	if (c->known)
		auth_proof(c->key, c->version >= 2 ? AUTH_SERVER_LABEL_V2
			   : AUTH_SERVER_LABEL, station, realm, nonce, c->snonce,
			   c->version >= 2 ? c->binding : NULL, proof);
	else
		auth_nonce(proof);
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "type", "challenge");
	cJSON_AddNumberToObject(r, "version", c->version);
	cJSON_AddStringToObject(r, "nonce", c->snonce);
	cJSON_AddStringToObject(r, "proof", proof);
	c->state = C_AUTH;
	conn_send(c, r, THEN_NOTHING);
	cJSON_Delete(r);
	server_log(SLOG_DEBUG, "hello %s", conn_who(c));
}

/* Inside the session both proofs bound, after the welcome: the pins a
 * station is to hold, so that a change of key needs no flag day
 * (sync/PROTOCOL.md, "Changing the server's key"). Only over TLS: on a
 * plain connection anyone on the path could change them. */
static void
send_pins(struct conn *c)
{
	const char *next;
	char tls_pin[TLS_PIN_SIZE] = "";
	cJSON *r;

	if (!c->tls || !c->srv->tls || c->state != C_READY)
		return;
	next = tls_ctx_pin(c->srv->tls, 1);
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "type", "pins");
	cJSON_AddStringToObject(r, "current", tls_ctx_pin(c->srv->tls, 0));
	if (next)
		cJSON_AddStringToObject(r, "next", next);
	conn_send(c, r, THEN_NOTHING);
	cJSON_Delete(r);
	tls_server_pin(c->tls, tls_pin);
	if (next || strcmp(tls_pin, tls_ctx_pin(c->srv->tls, 0)) != 0)
		server_log(SLOG_INFO, "%s got key %s; told current %s%s%s",
			   conn_who(c), tls_pin, tls_ctx_pin(c->srv->tls, 0),
			   next ? ", next " : "", next ? next : "");
}

static void
on_auth(struct conn *c, const cJSON *m)
{
	struct server *srv = c->srv;
	struct conn *d;
	char want[SYNC_HEX], last_s[24];
	char last_hex[SYNC_HEX], why[200];
	int64_t have = 0, head = 0, last = 0;
	int ok = 0, missing;
	const char *kind;
	cJSON *r, *kinds;
	size_t i;

	if (c->state != C_AUTH) {
		conn_error(c, "order", c->state == C_HELLO ? "auth before hello"
			   : "auth was already sent", c->fr.count, "type", 1);
		return;
	}
	if (c->known) {
		auth_proof(c->key, c->version >= 2 ? AUTH_STATION_LABEL_V2
			   : AUTH_STATION_LABEL, c->station, c->realm_name,
			   c->snonce, c->nonce, c->version >= 2 ? c->binding
			   : NULL, want);
		ok = auth_equal(want, sget(m, "proof"));
		sodium_memzero(want, sizeof want);
	}
	sodium_memzero(c->key, sizeof c->key);
	if (!ok) {
		conn_error(c, "auth_failed", "authentication failed", c->fr.count,
			   "proof", 1);
		return;
	}
	/* A drill's realm comes into being when its command station first
	 * connects: a town cannot make the server open realms by naming
	 * them (they count against SERVER_MAX_REALMS). */
	if (!(c->realm = realm_get(srv, c->realm_name, c->role == ROLE_COMMAND ||
				   strcmp(c->realm_name, "live") == 0, &missing))) {
		if (missing == 2) {
			server_log(SLOG_WARN, "realm %s not made: the server holds "
				   "--max-realms %d drill realms already", c->realm_name,
				   srv->o->max_realms);
			conn_error(c, "no_realm", "realm limit", c->fr.count, "realm",
				   1);
		} else if (missing) {
			snprintf(why, sizeof why, "no drill runs in realm %s on this "
				 "server: its command station has not connected",
				 c->realm_name);
			conn_error(c, "no_realm", why, c->fr.count, "realm", 1);
		} else {
			conn_error(c, "busy", "the server cannot open this realm's "
				   "database now", c->fr.count, "realm", 1);
		}
		return;
	}
	head = c->realm->committed;
	/* What we hold of this incarnation, and which operation is last,
	 * so a diverged copy of the station can tell (sync/PROTOCOL.md,
	 * welcome). Read through the realm's reading connection, which sees
	 * only committed transactions, and a commit returns only once its
	 * log is synced: never a push of a group still open or committing,
	 * nor what a group that fails will roll back (a station told it
	 * holds more would never send those again). */
	if (replica_have(c->realm->rdb, c->station, c->incarnation, &have) ||
	    replica_last(c->realm->rdb, c->station, c->incarnation, &last,
			 last_hex) < 0) {
		server_log(SLOG_ERROR, "realm %s: %s", c->realm_name,
			   db_errmsg(c->realm->rdb));
		conn_error(c, "busy", "the server cannot read its database now",
			   c->fr.count, NULL, 1);
		return;
	}
	/* One connection per station and realm: the newest wins (the old
	 * one is most likely dead without having said so). */
	for (d = srv->conns; d; d = d->next)
		if (d != c && d->state == C_READY && d->realm == c->realm &&
		    strcmp(d->station, c->station) == 0) {
			server_log(SLOG_INFO, "%s replaced by a new connection from %s",
				   conn_who(d), c->peer);
			conn_finish(d);
		}
	c->state = C_READY;
	frame_set_limit(&c->fr, FRAME_MAX);
	r = cJSON_CreateObject();
	cJSON_AddStringToObject(r, "type", "welcome");
	cJSON_AddStringToObject(r, "history", c->realm->history);
	cJSON_AddStringToObject(r, "role", role_name(c->role));
	msg_add_i64(r, "have", have);
	msg_add_i64(r, "head", head);
	msg_add_i64(r, "now", sync_now_ms());
	if (last > 0) {
		cJSON_AddStringToObject(r, "last_seq",
					msg_i64_text(last, last_s));
		cJSON_AddStringToObject(r, "last_digest", last_hex);
	}
	/* From protocol 2 on, the kinds this server takes, so a station
	 * upgraded before it holds back what it would refuse; a station of
	 * protocol 1 would refuse the member (sync/PROTOCOL.md). */
	if (c->version >= 2) {
		kinds = cJSON_AddArrayToObject(r, "kinds");
		for (i = 0; (kind = op_kind_name(i, NULL)); i++)
			cJSON_AddItemToArray(kinds, cJSON_CreateString(kind));
	}
	conn_send(c, r, THEN_NOTHING);
	cJSON_Delete(r);
	server_log(SLOG_INFO, "auth ok: station %s (%s) incarnation %s realm %s "
		   "from %s, protocol %d; have %" PRId64 ", head %" PRId64,
		   c->station, role_name(c->role), c->incarnation, c->realm_name,
		   c->peer, c->version, have, head);
	send_pins(c);
}

/* ---- relay ---- */

void
proto_relay(struct server *srv, struct realm *r, struct conn *from,
	    const struct opbatch *b)
{
	struct msg_ops f;
	struct wbuf *frames[SYNC_BATCH + 1];
	struct conn *d;
	int i, nf = 0, k;

	msg_ops_start(&f, "ops");
	for (i = 0; i < b->n; i++) {
		size_t len;
		char *s;
		if (!b->sseq[i])
			continue;
		if (!(s = msg_op_text(&b->ops[i], b->sseq[i], &len))) {
			f.oom = 1;
			break;
		}
		if (!msg_ops_fits(&f, len)) {
			frames[nf++] = ops_frame(&f);
			msg_ops_start(&f, "ops");
		}
		msg_ops_add(&f, s, len);
		free(s);
	}
	if (f.n > 0 || f.oom)
		frames[nf++] = ops_frame(&f);
	else
		free(f.buf);
	for (k = 0; k < nf; k++) {
		if (!frames[k]) {
			/* A live station missing an operation would not know:
			 * make it reconnect and catch up instead. */
			server_log(SLOG_ERROR, "out of memory relaying in realm %s; "
				   "closing its live connections", r->name);
			for (d = srv->conns; d; d = d->next)
				if (d != from && d->realm == r && d->live)
					conn_close(d);
			break;
		}
		for (d = srv->conns; d; d = d->next)
			if (d != from && d->state == C_READY && d->realm == r && d->live)
				conn_write(d, frames[k], THEN_NOTHING);
	}
	for (k = 0; k < nf; k++)
		wbuf_unref(&frames[k]);
}

/* ---- push ---- */

/* A push on its way: checked, then taken, then queued. */
struct push {
	struct opbatch b;
	const char *inc, *from;    /* the frame's incarnation and station */
	int64_t have;              /* held of them now */
	int gap;                   /* the operation after a gap, or -1 */
	int64_t expected;          /* the seq the gap skipped */
	int taken, skipped, nref;
	cJSON *refused;
};

/* Read every operation of the frame: its form, whole. 0, or -1 once c
 * is answered. */
static int
push_read(struct conn *c, const cJSON *arr, struct push *pu)
{
	struct opbatch *b = &pu->b;
	const cJSON *o;
	char field[80], why[300];
	int i = 0;

	b->n = cJSON_GetArraySize(arr);
	if (b->n > SYNC_BATCH) {
		snprintf(why, sizeof why, "field ops: more than %d operations",
			 SYNC_BATCH);
		conn_error(c, "bad_frame", why, c->fr.count, "ops", 1);
		return -1;
	}
	if (b->n > 0 && (!(b->ops = calloc((size_t)b->n, sizeof *b->ops)) ||
			 !(b->sseq = calloc((size_t)b->n, sizeof *b->sseq)))) {
		conn_error(c, "busy", "out of memory", c->fr.count, NULL, 0);
		return -1;
	}
	cJSON_ArrayForEach(o, arr) {
		if (msg_op_parse(o, i, 0, NULL, &b->ops[i], NULL, field,
				 sizeof field, why, sizeof why)) {
			conn_error(c, "bad_frame", why, c->fr.count, field, 1);
			return -1;
		}
		b->nops = ++i;
	}
	return 0;
}

/* Whose operations the push carries: its first one's station and
 * incarnation (the session's when it carries none). */
static void
push_owner(const struct conn *c, struct push *pu)
{
	pu->inc = pu->b.n > 0 ? pu->b.ops[0].incarnation : c->incarnation;
	pu->from = pu->b.n > 0 ? pu->b.ops[0].station : c->station;
}

/* A frame carries operations of one incarnation of this station: the
 * session's, or an earlier one (made before the station was restored
 * from a backup) that it still has to deliver. A command station in a
 * drill's realm also delivers what the drill it runs makes (the
 * pseudo-station drill): never in the live realm. 0, or -1 once c is
 * answered. */
static int
push_whose(struct conn *c, struct push *pu)
{
	const struct op *ops = pu->b.ops;
	char field[80], why[300];
	int i;

	push_owner(c, pu);
	for (i = 0; i < pu->b.n; i++) {
		int drill = strcmp(ops[i].station, "drill") == 0 &&
			c->role == ROLE_COMMAND && realm_is_drill(c->realm_name);
		const char *what = strcmp(ops[i].station, c->station) && !drill
			? "station"
			: strcmp(ops[i].realm, c->realm_name) ? "realm" : NULL;
		if (!what && (strcmp(ops[i].incarnation, pu->inc) != 0 ||
			      strcmp(ops[i].station, pu->from) != 0)) {
			int st = strcmp(ops[i].station, pu->from) != 0;
			snprintf(field, sizeof field, "ops[%d].%s", i,
				 st ? "station" : "incarnation");
			snprintf(why, sizeof why, "field %s: one %s per push", field,
				 st ? "station" : "incarnation");
			conn_error(c, "bad_frame", why, c->fr.count, field, 1);
			return -1;
		}
		if (what) {
			snprintf(field, sizeof field, "ops[%d].%s", i, what);
			snprintf(why, sizeof why, "field %s: operation %d is not "
				 "under this session's %s", field, i, what);
			conn_error(c, "forged", why, c->fr.count, field, 1);
			return -1;
		}
	}
	return 0;
}

/* The push is not taken; c is told to try again. A database error (rc)
 * that spoils the group's transaction poisons it: every push in it is
 * rolled back at the commit and told the same, and the pushes that come
 * meanwhile wait for the next group. rc 0: out of memory before
 * anything was written. */
static void
push_busy(struct conn *c, int rc, int poison)
{
	struct db *db = c->realm->db;

	if (poison)
		c->realm->txn_rc = rc;
	server_log(SLOG_ERROR, "push from %s not taken: %s", conn_who(c),
		   rc ? db_why(db, rc) : "out of memory");
	conn_error(c, "busy", rc == DD_E_DISK_FULL ? "the server's disk is full; "
		   "try again later" : "the server cannot take this frame now; try "
		   "again later", c->fr.count, NULL, 0);
}

/* Take the operations into the realm's group, its open transaction
 * (opened by its first push; the loop holds the write connection, see
 * realm_can_take): each one already held is skipped, the next is taken
 * or refused (its refusal recorded), up to a gap. 0, or -1 once c is
 * answered. */
static int
push_take(struct conn *c, struct push *pu)
{
	struct realm *r = c->realm;
	struct db *db = r->db;
	struct op *ops = pu->b.ops;
	char buf[24];
	int i, rc;

	if (!(pu->refused = cJSON_CreateArray())) {
		push_busy(c, 0, 0);
		return -1;
	}
	if (!r->txn) {
		if ((rc = db_begin(db))) {
			push_busy(c, rc, 0);
			return -1;
		}
		r->txn = 1;
		r->txn_rc = 0;
	}
	if ((rc = r->txn_rc)) {
		push_busy(c, rc, 0);
		return -1;
	}
	if ((rc = replica_have(db, pu->from, pu->inc, &pu->have))) {
		push_busy(c, rc, 1);
		return -1;
	}
	pu->gap = -1;
	for (i = 0; i < pu->b.n; i++) {
		if (ops[i].seq <= pu->have) {
			pu->skipped++;
			continue;
		}
		if (ops[i].seq > pu->have + 1) {
			pu->gap = i;
			pu->expected = pu->have + 1;
			break;
		}
		rc = replica_take(db, &ops[i], c->role, &pu->b.sseq[i]);
		if (rc < 0) {
			push_busy(c, rc, 1);
			return -1;
		}
		pu->have = ops[i].seq;
		if (rc == 2) {
			cJSON *rf = cJSON_CreateObject();
			const char *code = replica_refusal(db);
			cJSON_AddStringToObject(rf, "seq",
						msg_i64_text(ops[i].seq, buf));
			cJSON_AddStringToObject(rf, "code", code);
			cJSON_AddStringToObject(rf, "message", db_errmsg(db));
			cJSON_AddItemToArray(pu->refused, rf);
			server_log(SLOG_WARN, "refused %s/%s/%" PRId64 " (%s) from %s: "
				   "%s: %s", ops[i].station, ops[i].incarnation, ops[i].seq,
				   ops[i].kind, c->peer, code, db_errmsg(db));
			pu->nref++;
		} else {
			pu->taken++;
		}
	}
	return 0;
}

/* Queue what the push is to say, its ack and a gap's error, and the
 * operations to relay: all wait for the group's commit (realm_answer).
 * The pending answer takes the operations. */
static void
push_queue(struct conn *c, struct push *pu)
{
	struct pending *p;
	cJSON *ack = NULL;

	if (!(p = calloc(1, sizeof *p)) || !(ack = cJSON_CreateObject())) {
		free(p);
		push_busy(c, DD_E_NOMEM, 1);
		return;
	}
	cJSON_AddStringToObject(ack, "type", "ack");
	cJSON_AddStringToObject(ack, "incarnation", pu->inc);
	msg_add_i64(ack, "upto", pu->have);
	cJSON_AddItemToObject(ack, "refused", pu->refused);
	pu->refused = NULL;
	p->c = c;
	p->conn_id = c->id;
	p->frame = c->fr.count;
	p->ack = ack;
	if (pu->gap >= 0) {
		snprintf(p->gap_field, sizeof p->gap_field, "ops[%d].seq", pu->gap);
		snprintf(p->gap, sizeof p->gap, "expected seq %" PRId64 ", got %"
			 PRId64 "; the rest of the frame was not looked at",
			 pu->expected, pu->b.ops[pu->gap].seq);
	}
	snprintf(p->station, sizeof p->station, "%s", pu->from);
	snprintf(p->inc, sizeof p->inc, "%s", pu->inc);
	p->b = pu->b;
	memset(&pu->b, 0, sizeof pu->b);
	realm_pend(c->realm, p);
	c->push_ms = sync_now_ms();
	c->push_upto = pu->have;
	server_log(SLOG_DEBUG, "push from %s: %d operations, %d taken, %d "
		   "refused, %d already held%s; upto %" PRId64, conn_who(c), p->b.n,
		   pu->taken, pu->nref, pu->skipped,
		   pu->gap >= 0 ? ", then a gap" : "", pu->have);
}

/* A push: the whole frame is checked before anything is written, form
 * first, then whose the operations are; then they are taken, and the
 * answer queued, or, while the realm's write connection is not the
 * loop's to use, they wait for the next group. */
static void
on_push(struct conn *c, const cJSON *m)
{
	struct push pu;

	if (c->state != C_READY) {
		conn_error(c, "order", "push before authentication", c->fr.count,
			   "type", 1);
		return;
	}
	memset(&pu, 0, sizeof pu);
	if (push_read(c, cJSON_GetObjectItemCaseSensitive(m, "ops"), &pu) == 0 &&
	    push_whose(c, &pu) == 0) {
		if (realm_can_take(c->realm)) {
			proto_push_take(c, &pu.b);
		} else if (realm_wait(c->realm, c, &pu.b, pu.from, pu.inc)) {
			push_busy(c, 0, 0);
		}
	}
	opbatch_clear(&pu.b);
}

void
proto_push_take(struct conn *c, struct opbatch *b)
{
	struct push pu;

	memset(&pu, 0, sizeof pu);
	pu.b = *b;
	memset(b, 0, sizeof *b);
	push_owner(c, &pu);
	if (push_take(c, &pu) == 0)
		push_queue(c, &pu);
	opbatch_clear(&pu.b);
	cJSON_Delete(pu.refused);
}

/* ---- pull, and the frame dispatch ---- */



static void
on_pull(struct conn *c, const cJSON *m)
{
	int64_t after = 0;

	if (c->state != C_READY) {
		conn_error(c, "order", "pull before authentication", c->fr.count,
			   "type", 1);
		return;
	}
	msg_i64(m, "after", &after);
	server_log(SLOG_DEBUG, "%s pulls after %" PRId64, conn_who(c), after);
	/* Nothing more is read from this peer until it is caught up. */
	c->cursor = after;
	c->live = 0;
	c->pull_ms = sync_now_ms();
	c->paused = 1;
	conn_read_stop(c);
	proto_catchup(c);
}

static void
on_ping(struct conn *c, const cJSON *m)
{
	cJSON *r = cJSON_CreateObject();

	(void)m;
	cJSON_AddStringToObject(r, "type", "pong");
	msg_add_i64(r, "now", sync_now_ms());
	conn_send(c, r, THEN_NOTHING);
	cJSON_Delete(r);
}

static void
on_pong(struct conn *c, const cJSON *m)
{
	(void)c;
	(void)m;
}

/* The peer gave up on us: it says why, we close. */
static void
on_error(struct conn *c, const cJSON *m)
{
	server_log(SLOG_WARN, "%s says %.40s: %.200s; closing", conn_who(c),
		   sget(m, "code"), sget(m, "message"));
	conn_finish(c);
}

/* What a station may send, each with its handler; the other types are
 * the server's own. */
static void (*const handlers[MSG_N])(struct conn *, const cJSON *) = {
	[MSG_HELLO] = on_hello, [MSG_AUTH] = on_auth, [MSG_PUSH] = on_push,
	[MSG_PULL] = on_pull, [MSG_PING] = on_ping, [MSG_PONG] = on_pong,
	[MSG_ERROR] = on_error,
};

void
proto_frame(struct conn *c, const char *frame, size_t n)
{
	char why[300];
	cJSON *m = NULL;
	int t = msg_parse(frame, n, &m, why, sizeof why);

	if (t < 0) {
		conn_bad_frame(c, why);
		return;
	}
	if (handlers[t]) {
		handlers[t](c, m);
	} else {
		snprintf(why, sizeof why, "a station does not send %s",
			 msg_type_name(t));
		conn_error(c, "order", why, c->fr.count, "type", 1);
	}
	cJSON_Delete(m);
}
