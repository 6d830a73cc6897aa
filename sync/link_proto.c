/*
 * link_proto.c - the frames the link exchanges with the server
 * (sync/PROTOCOL.md): hello, challenge and welcome, push and its ack,
 * ops and live, ping, pong and error, and the dispatch of a frame by
 * type and phase.
 */
#include "sync/internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small things ---- */

static cJSON *
new_msg(const char *type)
{
	cJSON *m = cJSON_CreateObject();

	if (m)
		cJSON_AddStringToObject(m, "type", type);
	return m;
}

/* ---- the handshake ---- */

void
link_hello(struct link *l)
{
	cJSON *m;

	auth_nonce(l->nonce);
	m = new_msg("hello");
	cJSON_AddNumberToObject(m, "version", SYNC_VERSION);
	cJSON_AddStringToObject(m, "station", l->si.station);
	cJSON_AddStringToObject(m, "incarnation", l->si.incarnation);
	cJSON_AddStringToObject(m, "realm", l->si.realm);
	cJSON_AddStringToObject(m, "nonce", l->nonce);
	link_send(l, m);
}

void
link_ping(struct link *l)
{
	link_send(l, new_msg("ping"));
}

static void
on_challenge(struct link *l, const cJSON *m)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "version");
	const char *nonce = cJSON_GetObjectItemCaseSensitive(m, "nonce")->valuestring;
	const char *proof = cJSON_GetObjectItemCaseSensitive(m, "proof")->valuestring;
	char want[SYNC_HEX], mine[SYNC_HEX];
	cJSON *a;

	if (v->valuedouble != SYNC_VERSION) {
		link_stop(l, DD_E_REFUSED, "the server speaks protocol version %.0f, "
			  "this station %d", v->valuedouble, SYNC_VERSION);
		return;
	}
	if (strlen(nonce) != SYNC_HEX - 1) {
		link_error(l, "bad_frame", "nonce: not 64 hex digits", "nonce");
		link_fail(l, "the server sent a bad challenge");
		return;
	}
	/* The server proves it holds our key over our fresh nonce before we
	 * show anything of ours: a server that cannot is not ours. */
	auth_proof(l->key, AUTH_SERVER_LABEL_V2, l->si.station, l->si.realm,
		   l->nonce, nonce, l->binding, want);
	if (!auth_equal(want, proof)) {
		link_stop(l, DD_E_REFUSED, "authentication failed: the server at %s "
			  "does not hold this station's key (wrong key, or "
			  "station %s unknown to it)", l->server, l->si.station);
		return;
	}
	auth_proof(l->key, AUTH_STATION_LABEL_V2, l->si.station, l->si.realm,
		   nonce, l->nonce, l->binding, mine);
	a = new_msg("auth");
	cJSON_AddStringToObject(a, "proof", mine);
	if (link_send(l, a) == 0)
		l->phase = LINK_PH_AUTH;
}

/* Does the welcome's last operation differ from ours at that seq? 1
 * diverged (l->last_seq says where), 0 the same or nothing to compare
 * (an older server, nothing stored), -1 the connection failed. */
static int
welcome_diverged(struct link *l, const cJSON *m)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(m, "last_digest");
	int has_seq = cJSON_GetObjectItemCaseSensitive(m, "last_seq") != NULL;
	char mine[SYNC_HEX];
	int64_t seq = 0;
	int rc;

	if (!d && !has_seq)
		return 0;
	if (!d || !msg_i64(m, "last_seq", &seq) || seq < 1 ||
	    strlen(d->valuestring) != SYNC_HEX - 1 ||
	    strspn(d->valuestring, "0123456789abcdef") != SYNC_HEX - 1) {
		link_error(l, "bad_frame", "last_seq and last_digest go together: "
			   "a sequence and 64 hex digits", d ? "last_seq"
			   : "last_digest");
		link_fail(l, "the server sent a bad welcome (last_seq, "
			  "last_digest)");
		return -1;
	}
	l->last_seq = seq;
	rc = replica_digest(l->db, l->si.station, l->si.incarnation, seq, mine);
	if (rc < 0) {
		link_fail(l, "cannot read the operation log: %s", db_why(l->db, rc));
		return -1;
	}
	return rc == 0 || strcmp(mine, d->valuestring) != 0;
}

/* Store the server's pins (the next "" for none) and hold them from now
 * on, the settings compared by link_poke included: a change of key the
 * server tells is no change of settings. 0, or a DD_E_ code. */
static int
pins_store(struct link *l, const char *pin, const char *next)
{
	int rc;

	if (strcmp(pin, l->pin) == 0 && strcmp(next, l->pin_next) == 0)
		return 0;
	if ((rc = replica_set_pins(l->db, pin, next)))
		return rc;
	snprintf(l->pin, sizeof l->pin, "%s", pin);
	snprintf(l->pin_next, sizeof l->pin_next, "%s", next);
	if (l->on_change)
		l->on_change(l->ctx);
	return 0;
}

/* The session was made with the key of our next pin (the server holds
 * our current one no more): that pin is the current one now. */
static int
promote_next(struct link *l)
{
	char pin[TLS_PIN_SIZE];

	if (!l->conn->tls || !l->pin_next[0] ||
	    tls_server_pin(l->conn->tls, pin) ||
	    strcmp(pin, l->pin_next) != 0)
		return 0;
	return pins_store(l, pin, "");
}

/* The pins the server holds (sync/PROTOCOL.md, "pins"): after the
 * welcome, inside the TLS session both proofs covered, so whoever
 * sends them holds the key of a pin of ours and proved it knows our
 * station's key. A plain connection proves neither: refused there. */
static void
on_pins(struct link *l, const cJSON *m)
{
	const char *cur = cJSON_GetObjectItemCaseSensitive(m, "current")->valuestring;
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(m, "next");
	const char *next = n ? n->valuestring : "";
	int rc;

	if (!l->conn->tls) {
		link_error(l, "order", "pins only over TLS", "type");
		link_fail(l, "the server sent pins on a connection without TLS");
		return;
	}
	if (!tls_pin_ok(cur) || (n && (!tls_pin_ok(next) ||
				      strcmp(next, cur) == 0))) {
		const char *field = !tls_pin_ok(cur) ? "current" : "next";
		link_error(l, "bad_frame", "not a pin", field);
		link_fail(l, "the server sent a bad pins frame (field %s)", field);
		return;
	}
	if ((rc = pins_store(l, cur, next)))
		link_fail(l, "cannot store the server's pin: %s", db_why(l->db, rc));
}

static void
on_welcome(struct link *l, const cJSON *m)
{
	const char *history = cJSON_GetObjectItemCaseSensitive(m, "history")->valuestring;
	const cJSON *kinds = cJSON_GetObjectItemCaseSensitive(m, "kinds");
	int64_t have = 0, head = 0, now = 0, after = 0;
	int changed = 0, rewound = 0, rc;
	char field[32], why[120];
	cJSON *p;

	/* Protocol 2: the kinds the server knows, checked whole before
	 * anything of the welcome is noted. */
	if (msg_kinds_check(kinds, field, sizeof field, why, sizeof why)) {
		link_error(l, "bad_frame", why, field);
		link_fail(l, "the server sent a bad welcome (%s)", why);
		return;
	}
	/* The server proved it holds our key over a session with the next
	 * pin it announced: it has moved to that key, and so do we. */
	if ((rc = promote_next(l))) {
		link_fail(l, "cannot store the server's pin: %s", db_why(l->db, rc));
		return;
	}
	msg_i64(m, "have", &have);
	msg_i64(m, "head", &head);
	if (msg_i64(m, "now", &now)) {
		l->skew_ms = now - sync_now_ms();
		l->skew_known = 1;
	}
	if ((rc = link_outbox_scan(l))) {
		link_fail(l, "cannot read the outbox: %s", db_why(l->db, rc));
		return;
	}
	if (have > l->si.seq) {
		/* The server holds operations of ours we do not: pushing would
		 * offer other operations under the same numbers. */
		link_stop(l, DD_E_REFUSED, "server ahead of this station: it holds "
			  "%" PRId64 " operations of this incarnation, this station "
			  "made %" PRId64 " (was the database copied without "
			  "'dutydesk restore'?)", have, l->si.seq);
		return;
	}
	/* As many or fewer, but not the same ones: a copy that went on on
	 * its own. Its next pushes would be skipped as held, or taken after
	 * another's history. */
	if ((rc = welcome_diverged(l, m))) {
		if (rc > 0)
			link_stop(l, DD_E_REFUSED, "diverged from the server: its "
				  "operation %" PRId64 " of this incarnation is not "
				  "the one this station made (was the database "
				  "copied without 'dutydesk restore'?)", l->last_seq);
		return;
	}
	if ((rc = replica_history(l->db, history, &changed)) ||
	    (rc = replica_cursor(l->db, &after))) {
		link_fail(l, "cannot note the server's history: %s", db_why(l->db, rc));
		return;
	}
	/* Same history, but the server holds less than it once said: it was
	 * put back without a new history id (a copied file). Treated as a
	 * new history, or what it numbers anew below our cursor would never
	 * be pulled and what it lost of ours never offered again. */
	if (!changed && (have < l->acked_upto || head < after)) {
		if ((rc = replica_reset(l->db))) {
			link_fail(l, "cannot note the server's history: %s",
				  db_why(l->db, rc));
			return;
		}
		changed = 1;
		rewound = 1;
	}
	if (changed && (rc = link_outbox_scan(l))) {
		link_fail(l, "cannot read the outbox: %s", db_why(l->db, rc));
		return;
	}
	/* What the server holds is acknowledged, whatever we thought. */
	if (have > l->acked_upto) {
		if ((rc = replica_ack(l->db, have, NULL, 0))) {
			link_fail(l, "cannot store the acknowledgement: %s",
				  db_why(l->db, rc));
			return;
		}
		l->acked_upto = have;
	}
	/* What the server knows, noted for dutydesk status; what it does
	 * not know waits in the outbox for its upgrade. */
	kindset_set(&l->kinds, kinds);
	link_note_write(l);
	if ((rc = link_held_scan(l))) {
		link_fail(l, "cannot read the outbox: %s", db_why(l->db, rc));
		return;
	}
	l->message[0] = 0;
	if (rewound)
		link_note(l, "the server went back in its history without a new id; "
			  "everything is offered and pulled again");
	else if (l->held)
		link_note(l, "%" PRId64 " operation(s) held until the county server "
			  "is upgraded (it does not know %s)", l->held,
			  l->held_kind);
	else if (l->stranded > l->stranded_drill)
		link_note(l, "%" PRId64 " operation(s) from before a restore "
			  "to deliver", l->stranded - l->stranded_drill);
	l->pushed_upto = l->acked_upto;
	l->phase = LINK_PH_SYNC;
	l->old_stuck = 0;
	l->state = LINK_ONLINE;
	l->backoff_ms = LINK_BACKOFF_MIN_MS;
	frame_set_limit(&l->conn->fr, FRAME_MAX);
	link_push(l);
	if (!l->conn)
		return;
	if ((rc = replica_cursor(l->db, &after))) {
		link_fail(l, "cannot read the pull cursor: %s", db_why(l->db, rc));
		return;
	}
	p = new_msg("pull");
	msg_add_i64(p, "after", after);
	link_send(l, p);
}

/* ---- push ---- */

struct batch {
	const char *inc;
	const struct kindset *ks;
	int64_t after, first, last;
	int more;
	struct msg_ops f;
};

static int
batch_cb(const struct op *op, void *ctx)
{
	struct batch *b = ctx;
	char *s;
	size_t n;
	int fits;

	if (strcmp(op->incarnation, b->inc) != 0 || op->seq <= b->after)
		return 0;
	if (b->f.n > 0 && op->seq != b->last + 1)
		return 1; /* a hole: send up to it, the ack tells the rest */
	/* A kind the server does not know: refused, its number would be
	 * spent and the work lost. It and all after it wait for the
	 * server's upgrade. */
	if (!kindset_has(b->ks, op->kind))
		return 1;
	if (!(s = msg_op_text(op, 0, &n)))
		return DD_E_NOMEM;
	if ((fits = msg_ops_fits(&b->f, n)) <= 0) {
		free(s);
		if (fits < 0)
			return DD_E_INVALID;
		b->more = 1;
		return 1;
	}
	msg_ops_add(&b->f, s, n);
	free(s);
	if (b->f.n == 1)
		b->first = op->seq;
	b->last = op->seq;
	return 0;
}

/* The first waiting operation of another incarnation than ours that is
 * not held back for the server's upgrade names the incarnation to
 * deliver next: one whose next operation is held waits whole, and the
 * others (ours last) go meanwhile. */
struct oldest {
	const char *cur;
	char *out;
	struct hold h;
};

static int
oldest_cb(const char *inc, int64_t seq, const char *kind, void *ctx)
{
	struct oldest *o = ctx;

	(void)seq;
	if (strcmp(inc, o->cur) == 0 || hold_op(&o->h, inc, kind))
		return 0;
	snprintf(o->out, 17, "%s", inc);
	return 1;
}

/* Send the next batch of the outbox, one push in flight at a time. */
void
link_push(struct link *l)
{
	struct batch b;
	int64_t first;
	char *frame;
	size_t len;
	int rc;

	/* What is held back is counted again whenever the outbox may have
	 * changed, online or not (only while the server lacks a kind). */
	if (l->kinds.missing && (rc = link_held_scan(l))) {
		if (l->conn)
			link_fail(l, "cannot read the outbox: %s",
				  db_why(l->db, rc));
		return;
	}
	if (l->phase != LINK_PH_SYNC || l->push_inflight || !l->conn)
		return;
	if (realm_is_drill(l->si.realm) &&
	    (rc = link_outbox_count(l, &first)) < 0) {
		link_fail(l, "cannot read the outbox: %s", db_why(l->db, rc));
		return;
	}
	memset(&b, 0, sizeof b);
	b.inc = l->si.incarnation;
	b.ks = &l->kinds;
	b.after = l->pushed_upto;
	/* Operations of an earlier incarnation (from before a restore) go
	 * first, one incarnation per push; the server skips what it has. */
	l->old_inc[0] = 0;
	if (l->stranded > 0 && !l->old_stuck) {
		struct oldest o;
		o.cur = l->si.incarnation;
		o.out = l->old_inc;
		hold_start(&o.h, &l->kinds);
		if ((rc = replica_outbox_kinds(l->db, oldest_cb, &o)) < 0) {
			link_fail(l, "cannot read the outbox: %s", db_why(l->db, rc));
			return;
		}
	}
	msg_ops_start(&b.f, "push");
	if (l->old_inc[0]) {
		b.inc = l->old_inc;
		b.after = 0;
	}
	rc = op_each(l->db, 1, batch_cb, &b);
	if (rc < 0) {
		free(b.f.buf);
		if (rc == DD_E_INVALID)
			link_stop(l, DD_E_REFUSED, "operation %" PRId64 " is too large "
				  "to send", l->pushed_upto + 1);
		else
			link_fail(l, "cannot read the outbox: %s", db_why(l->db, rc));
		return;
	}
	l->outbox_more = b.f.n > 0;
	if (b.f.n == 0) {
		free(b.f.buf);
		link_done(l);
		return;
	}
	if (!(frame = msg_ops_finish(&b.f, &len))) {
		link_fail(l, "out of memory");
		return;
	}
	if (link_send_raw(l, frame, len) == 0) {
		l->push_inflight = 1;
		l->old_inflight = b.inc == l->old_inc;
		l->old_first = b.first;
		if (!l->old_inflight)
			l->pushed_upto = b.last;
	}
	free(frame);
}

/* The ack's refusals as core stores them, checked whole first: *out
 * (caller frees; its strings are the frame's) and *n, or -1 after the
 * connection was given up. */
static int
ack_refusals(struct link *l, const cJSON *refused, int64_t upto,
	     struct refusal **out, size_t *n)
{
	size_t cnt = (size_t)cJSON_GetArraySize(refused), k = 0;
	const cJSON *r;
	struct refusal *v;

	*out = NULL;
	*n = 0;
	if (cnt == 0)
		return 0;
	if (!(v = calloc(cnt, sizeof *v))) {
		link_fail(l, "out of memory");
		return -1;
	}
	cJSON_ArrayForEach(r, refused) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(r, "message");
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(r, "code");
		if (!cJSON_IsObject(r) || !msg_i64(r, "seq", &v[k].seq) ||
		    (code && !cJSON_IsString(code)) || (msg && !cJSON_IsString(msg)) ||
		    v[k].seq > upto) {
			free(v);
			link_error(l, "bad_frame", "refused: not {seq, code, message}",
				   "refused");
			link_fail(l, "the server sent a bad ack (frame %" PRIu64 ")",
				  l->conn ? l->conn->fr.count : 0);
			return -1;
		}
		v[k].code = code ? code->valuestring : NULL;
		v[k].message = msg ? msg->valuestring : NULL;
		k++;
	}
	*out = v;
	*n = k;
	return 0;
}

/* What an earlier incarnation's push delivered: marked as delivered,
 * and what still waits is counted again. */
static void
ack_old(struct link *l, const cJSON *m, int64_t upto,
	const struct refusal *ref, size_t nr)
{
	const cJSON *inc = cJSON_GetObjectItemCaseSensitive(m, "incarnation");
	int rc;

	if (!cJSON_IsString(inc) || strcmp(inc->valuestring, l->old_inc)) {
		link_error(l, "bad_frame", "incarnation: not the one pushed",
			   "incarnation");
		link_fail(l, "the server acknowledged another incarnation");
		return;
	}
	if ((rc = replica_ack_inc(l->db, l->old_inc, upto, ref, nr)) ||
	    (rc = link_outbox_scan(l))) {
		link_fail(l, "cannot store the acknowledgement: %s",
			  db_why(l->db, rc));
		return;
	}
	/* Nothing delivered (the server lacks what comes before them):
	 * not offered again on this connection, and said. Counted by
	 * what the ack covers, not by what waits: a drill's injects may
	 * have joined the outbox meanwhile. */
	if (upto < l->old_first) {
		l->old_stuck = 1;
		link_note(l, "%" PRId64 " operation(s) from before a restore "
			  "cannot be delivered", l->stranded);
	}
	l->push_inflight = l->old_inflight = 0;
	link_refused_recount(l);
	link_push(l);
	link_done(l);
}

static void
on_ack(struct link *l, const cJSON *m)
{
	const cJSON *refused = cJSON_GetObjectItemCaseSensitive(m, "refused");
	struct refusal *ref = NULL;
	const char *first = NULL;
	int64_t upto = 0, nref;
	size_t nr;
	int rc;

	msg_i64(m, "upto", &upto);
	if (!l->push_inflight) {
		link_error(l, "order", "ack without a push", NULL);
		link_fail(l, "the server acknowledged a push never sent");
		return;
	}
	/* The whole frame is checked before anything is stored. */
	if (ack_refusals(l, refused, upto, &ref, &nr))
		return;
	nref = (int64_t)nr;
	if (nr)
		first = ref[0].message ? ref[0].message
			: ref[0].code ? ref[0].code : "refused";
	if (l->old_inflight) {
		ack_old(l, m, upto, ref, nr);
		goto out;
	}
	if (upto > l->seq) {
		link_refresh_seq(l);
		if (upto > l->seq) {
			link_stop(l, DD_E_REFUSED, "server ahead of this station: it "
				  "acknowledged %" PRId64 ", this station made %" PRId64,
				  upto, l->seq);
			goto out;
		}
	}
	if (upto < l->acked_upto) {
		link_error(l, "bad_frame", "upto: below an earlier ack", "upto");
		link_fail(l, "the server acknowledged less than before");
		goto out;
	}
	if ((rc = replica_ack(l->db, upto, ref, nr))) {
		link_fail(l, "cannot store the acknowledgement: %s", db_why(l->db, rc));
		goto out;
	}
	l->push_inflight = 0;
	if (upto > l->acked_upto) {
		l->pushed += upto - l->acked_upto - nref;
		l->acked_upto = upto;
	}
	/* Not all taken (a gap the server reported): offer the rest again. */
	if (upto < l->pushed_upto)
		l->pushed_upto = upto;
	if (nref) {
		link_refused_recount(l);
		link_note(l, "the server refused %" PRId64 " operation(s): %.100s",
			  nref, first ? first : "refused");
		if (!l->refused_now)
			snprintf(l->first_refusal, sizeof l->first_refusal, "%s", first);
		l->refused_now += nref;
		l->change_due = 1;
		link_work(l);
	}
	link_push(l);
	link_done(l);
out:
	free(ref);
}

/* ---- pull ---- */

static void
on_ops(struct link *l, const cJSON *m)
{
	const cJSON *ops = cJSON_GetObjectItemCaseSensitive(m, "ops"), *o;
	size_t n = (size_t)cJSON_GetArraySize(ops), k = 0, i;
	char why[160], field[48];

	if (n > SYNC_BATCH) {
		link_error(l, "bad_frame", "more operations than a batch", "ops");
		link_fail(l, "the server sent more than %d operations in a frame",
			  SYNC_BATCH);
		return;
	}
	if (l->npend + n > l->pend_cap) {
		size_t cap = l->pend_cap ? l->pend_cap : 512;
		struct link_pend *np;
		while (cap < l->npend + n)
			cap *= 2;
		if (!(np = realloc(l->pend, cap * sizeof *np))) {
			link_fail(l, "out of memory");
			return;
		}
		l->pend = np;
		l->pend_cap = cap;
	}
	/* Every operation is checked before any is queued. */
	cJSON_ArrayForEach(o, ops) {
		struct link_pend *p = &l->pend[l->npend + k];
		if (msg_op_parse(o, (int)k, 1, l->si.realm, &p->op, &p->sseq,
				 field, sizeof field, why, sizeof why)) {
			for (i = 0; i < k; i++)
				op_clear(&l->pend[l->npend + i].op);
			link_error(l, "bad_frame", why, field);
			link_fail(l, "the server sent a bad operation (frame %" PRIu64
				  ", %s)", l->conn ? l->conn->fr.count : 0, why);
			return;
		}
		k++;
	}
	l->npend += k;
	/* Stop reading while the work waits: TCP holds the rest. */
	if (l->npend - l->pend_head > LINK_PENDING_MAX)
		link_pause(l);
	link_work(l);
}

static void
on_live(struct link *l, const cJSON *m)
{
	(void)m;
	l->live = 1;
	if (l->pend_head == l->npend)
		link_caught_up(l);
}

/* ---- frames ---- */

/* The server does not speak our protocol. Stations are upgraded after
 * the server, so it is most likely older: it must be upgraded first,
 * and nothing is lost meanwhile (the operations wait in the outbox).
 * Its message lists the versions it speaks; one that speaks only newer
 * ones needs this station upgraded instead. */
static void
version_refused(struct link *l, const char *text)
{
	long newest = 0, v;
	const char *p;

	for (p = text; *p; p++)
		if (isdigit((unsigned char)*p) &&
		    (p == text || !isdigit((unsigned char)p[-1])) &&
		    (v = strtol(p, NULL, 10)) > newest)
			newest = v;
	if (newest > SYNC_VERSION) {
		link_stop(l, DD_E_REFUSED, "the county server speaks only a newer "
			  "protocol than this station's (%d): upgrade this station",
			  SYNC_VERSION);
		return;
	}
	link_stop(l, DD_E_REFUSED, "the county server is older than this "
		  "station (no protocol %d): upgrade the server first; the "
		  "operations wait here", SYNC_VERSION);
	l->server_old = 1;
}

static void
on_error_frame(struct link *l, const cJSON *m)
{
	const char *code = cJSON_GetObjectItemCaseSensitive(m, "code")->valuestring;
	const cJSON *mm = cJSON_GetObjectItemCaseSensitive(m, "message");
	const char *text = cJSON_IsString(mm) ? mm->valuestring : "";

	if (strcmp(code, "version") == 0)
		version_refused(l, text);
	else if (strcmp(code, "auth_failed") == 0 ||
	    strcmp(code, "forged") == 0 || strcmp(code, "no_realm") == 0)
		link_stop(l, DD_E_REFUSED, "server: %.20s: %.120s", code, text);
	else if (strcmp(code, "gap") == 0)
		/* The server keeps the connection: the ack before this error
		 * said what it holds, and the outbox is offered from there. */
		link_note(l, "server: gap: %.120s", text);
	else
		link_fail(l, "server: %.20s: %.120s", code, text);
}

static void
on_ping(struct link *l, const cJSON *m)
{
	cJSON *p = new_msg("pong");

	(void)m;
	msg_add_i64(p, "now", sync_now_ms());
	link_send(l, p);
}

static void
on_pong(struct link *l, const cJSON *m)
{
	int64_t now;

	if (msg_i64(m, "now", &now)) {
		l->skew_ms = now - sync_now_ms();
		l->skew_known = 1;
	}
}

/* Who handles each frame from the server, and in which phase of the
 * session it may come (-1: in any); any other frame is out of order. */
struct frame_handler {
	int phase;
	void (*fn)(struct link *l, const cJSON *m);
};

static const struct frame_handler frame_handlers[MSG_N] = {
	[MSG_ERROR] = { -1, on_error_frame },
	[MSG_PING] = { -1, on_ping },
	[MSG_PONG] = { -1, on_pong },
	[MSG_CHALLENGE] = { LINK_PH_HELLO, on_challenge },
	[MSG_WELCOME] = { LINK_PH_AUTH, on_welcome },
	[MSG_ACK] = { LINK_PH_SYNC, on_ack },
	[MSG_OPS] = { LINK_PH_SYNC, on_ops },
	[MSG_LIVE] = { LINK_PH_SYNC, on_live },
	[MSG_PINS] = { LINK_PH_SYNC, on_pins },
};

void
link_frame(struct link *l, char *f, size_t n)
{
	const struct frame_handler *h;
	char why[160];
	cJSON *m = NULL;
	int t = msg_parse(f, n, &m, why, sizeof why);
	uint64_t no = l->conn->fr.count;

	if (t < 0) {
		char field[64] = "";
		/* As the server does: why "field NAME: ..." names it. */
		if (strncmp(why, "field ", 6) == 0)
			sscanf(why + 6, "%63[^:]", field);
		link_error(l, "bad_frame", why, field[0] ? field : NULL);
		link_fail(l, "the server sent a bad frame %" PRIu64 ": %s", no, why);
		return;
	}
	h = t < MSG_N ? &frame_handlers[t] : NULL;
	if (!h || !h->fn || (h->phase >= 0 && (int)l->phase != h->phase)) {
		link_error(l, "order", "not expected here", NULL);
		link_fail(l, "the server sent '%s' out of order (frame %" PRIu64 ")",
			  msg_type_name(t), no);
	} else {
		h->fn(l, m);
	}
	cJSON_Delete(m);
}
