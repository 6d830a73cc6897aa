/*
 * replica.c - what sync needs of a database: on the server, the last
 * sequence held per station, operations taken with a server sequence and
 * refusals recorded; on a station, acknowledgements, the pull cursor,
 * the server history it knows, and the link settings.
 */
#include "private.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

int
replica_have(struct db *db, const char *station, const char *inc,
	     int64_t *seq)
{
	int rc;

	*seq = 0;
	rc = db_int(db, seq, "SELECT max(s) FROM (SELECT seq AS s FROM heads "
		    "WHERE station = ?1 AND incarnation = ?2 UNION ALL SELECT "
		    "max(seq) FROM refused WHERE station = ?1 AND incarnation = ?2)",
		    "ss", station, inc);
	return rc < 0 ? rc : 0;
}

/* ---- the digest of an operation (PROTOCOL.md, "welcome") ---- */

static void
dg_bytes(crypto_hash_sha256_state *h, const char *s, size_t n)
{
	crypto_hash_sha256_update(h, (const unsigned char *)s, n);
}

/* A string as 's' LEN ':' BYTES: nothing a field holds can pass for
 * another field's boundary. */
static void
dg_str(crypto_hash_sha256_state *h, const char *s)
{
	char pre[32];
	size_t n = strlen(s);

	dg_bytes(h, pre, (size_t)snprintf(pre, sizeof pre, "s%zu:", n));
	dg_bytes(h, s, n);
}

/* A body value walked by our own rules rather than hashed as stored
 * text: cJSON's printing is not ours to promise, and a server and a
 * station may run different versions of it. Members in their stored
 * order (parsing keeps it, and both sides store what the station made). */
static void
dg_value(crypto_hash_sha256_state *h, const cJSON *v)
{
	const cJSON *c;
	char num[40];

	if (cJSON_IsObject(v)) {
		dg_bytes(h, "{", 1);
		cJSON_ArrayForEach(c, v) {
			dg_str(h, c->string ? c->string : "");
			dg_value(h, c);
		}
		dg_bytes(h, "}", 1);
	} else if (cJSON_IsArray(v)) {
		dg_bytes(h, "[", 1);
		cJSON_ArrayForEach(c, v)
			dg_value(h, c);
		dg_bytes(h, "]", 1);
	} else if (cJSON_IsString(v)) {
		dg_str(h, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d > -9.2e18 && d < 9.2e18 && d == (double)(long long)d)
			snprintf(num, sizeof num, "n%lld;", (long long)d);
		else
			snprintf(num, sizeof num, "n%.17g;", d);
		dg_bytes(h, num, strlen(num));
	} else {
		dg_bytes(h, cJSON_IsTrue(v) ? "t" : cJSON_IsFalse(v) ? "f" : "z", 1);
	}
}

void
replica_op_digest(const struct op *op, char hex[65])
{
	unsigned char sum[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state h;
	char num[24];

	crypto_hash_sha256_init(&h);
	dg_bytes(&h, "dutydesk-op-v1", 14);
	dg_str(&h, op->station);
	dg_str(&h, op->incarnation);
	snprintf(num, sizeof num, "%" PRId64, op->seq);
	dg_str(&h, num);
	snprintf(num, sizeof num, "%" PRId64, op->hlc);
	dg_str(&h, num);
	dg_str(&h, op->realm);
	dg_str(&h, op->officer);
	dg_str(&h, op->kind);
	dg_str(&h, op->entity);
	dg_value(&h, op->body);
	crypto_hash_sha256_final(&h, sum);
	sodium_bin2hex(hex, 65, sum, sizeof sum);
}

/* The digest of the operation the statement (bound) selects, and its
 * seq; 1 found, 0 none. */
static int
digest_of(struct db *db, sqlite3_stmt *st, int64_t *seq, char hex[65])
{
	struct op op;
	int rc, s;

	*seq = 0;
	hex[0] = 0;
	if ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = op_from_row(st, &op)) == 0) {
			replica_op_digest(&op, hex);
			*seq = op.seq;
			rc = 1;
		}
		op_clear(&op);
	} else {
		rc = s == SQLITE_DONE ? 0 : db_rc(db, s);
	}
	db_reset(st);
	return rc;
}

int
replica_last(struct db *db, const char *station, const char *inc,
	     int64_t *seq, char hex[65])
{
	sqlite3_stmt *st = db_prep(db, "SELECT station, incarnation, seq, hlc, "
				   "realm, officer, kind, entity, body FROM ops "
				   "WHERE n = (SELECT n FROM heads WHERE station = ? "
				   "AND incarnation = ?)");

	*seq = 0;
	hex[0] = 0;
	if (!st)
		return db_prep_err(db);
	sqlite3_bind_text(st, 1, station, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, inc, -1, SQLITE_TRANSIENT);
	return digest_of(db, st, seq, hex);
}

int
replica_digest(struct db *db, const char *station, const char *inc,
	       int64_t seq, char hex[65])
{
	sqlite3_stmt *st = db_prep(db, "SELECT station, incarnation, seq, hlc, "
				   "realm, officer, kind, entity, body FROM ops "
				   "WHERE local = 1 AND station = ? AND "
				   "incarnation = ? AND seq = ?");
	int64_t got = 0;

	hex[0] = 0;
	if (!st)
		return db_prep_err(db);
	sqlite3_bind_text(st, 1, station, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, inc, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, seq);
	return digest_of(db, st, &got, hex);
}

int
replica_head(struct db *db, int64_t *head)
{
	int rc;

	*head = 0;
	rc = db_int(db, head, "SELECT max(server_seq) FROM ops WHERE "
		    "server_seq IS NOT NULL", NULL);
	return rc < 0 ? rc : 0;
}

int
replica_take(struct db *db, const struct op *op, int role, int64_t *sseq)
{
	int64_t head = 0, now;
	int rc;

	*sseq = 0;
	if (db->depth == 0)
		return db_fail(db, DD_E_DB, "replica_take outside a transaction");
	/* A drill's stations run on the drill's clock, speed times faster
	 * than the wall clock from its start: so does the server's, for that
	 * realm, once the drill's setup is held. */
	now = db->clock.now_ms(db->clock.ctx);
	if (realm_is_drill(op->realm))
		now = drill_time_ms(db, now);
	/* A stamp far ahead of the server's clock would win every field it
	 * writes for as long as it is ahead: refused at the one intake
	 * every replica shares, so the station's officer is told. */
	if ((op->hlc >> 16) > now + HLC_SKEW_MAX_MS)
		rc = db_fail(db, DD_E_CLOCK, "operation stamped %lld s ahead of "
			     "the server's clock; set the station's clock",
			     (long long)(((op->hlc >> 16) - now) / 1000));
	else if (!op_kind_allowed(op->kind, role))
		rc = db_fail(db, DD_E_ROLE, "a %s station may not %s (%s)",
			     word(W_ROLE, role_name(role)),
			     word(W_OP_KIND, op->kind), op->kind);
	else if ((rc = db_exec(db, "SAVEPOINT take", NULL)) == 0) {
		/* One operation that cannot be stored (a record id taken by
		 * another incarnation's) must not spoil the others taken in
		 * the same transaction: it alone is rolled back and refused. */
		rc = op_take(db, op);
		if (rc == DD_E_CONFLICT) {
			char why[sizeof db->err];
			memcpy(why, db->err, sizeof why);
			/* If the savepoint itself cannot be undone, the turn's
			 * transaction is spoilt: a database error, not a refusal. */
			if ((rc = db_exec(db, "ROLLBACK TO take", NULL)) ||
			    (rc = db_exec(db, "RELEASE take", NULL)))
				return rc;
			rc = db_fail(db, DD_E_CONFLICT, "cannot be stored: %s", why);
		} else {
			int r = db_exec(db, "RELEASE take", NULL);
			if (r)
				rc = r;
		}
	}
	if (rc == 1) {
		/* The server sequence is given inside the transaction, from
		 * what is stored. */
		if ((rc = replica_head(db, &head)) ||
		    (rc = db_exec(db, "UPDATE ops SET server_seq = ? WHERE n = ?",
				  "ii", head + 1, db->last_op)))
			return rc;
		*sseq = head + 1;
		return 1;
	}
	if (rc == 0)
		return 0;
	/* Refused on a fixed ground: its sequence number is used up. */
	if (rc == DD_E_SCHEMA || rc == DD_E_ROLE || rc == DD_E_REALM ||
	    rc == DD_E_CLOCK || rc == DD_E_CONFLICT) {
		char why[sizeof db->err];
		memcpy(why, db->err, sizeof why);
		snprintf(db->refusal, sizeof db->refusal, "%s", rc == DD_E_ROLE
			 ? "role" : rc == DD_E_REALM ? "realm" : rc == DD_E_CLOCK
			 ? "clock" : rc == DD_E_CONFLICT ? "conflict" : "schema");
		rc = db_exec(db, "INSERT OR IGNORE INTO refused(station, incarnation, "
			     "seq, code, message) VALUES(?, ?, ?, ?, ?)", "ssiss",
			     op->station, op->incarnation, op->seq, db->refusal, why);
		memcpy(db->err, why, sizeof why);
		return rc ? rc : 2;
	}
	return rc;
}

int
replica_projected(struct db *db, int64_t *upto)
{
	int rc = meta_get_int(db, "projected", upto);

	if (rc <= 0)
		*upto = 0;
	return rc < 0 ? rc : 0;
}

/* The projection: one operation at a time, in server order. */
struct project {
	struct db *db;
	int64_t last;
};

static int
project_one(const struct op *op, int64_t sseq, void *ctx)
{
	struct project *p = ctx;
	int rc = op_project(p->db, op);

	if (rc == 0)
		p->last = sseq;
	return rc;
}

int
replica_project(struct db *db, int limit, int64_t *upto)
{
	struct project p = { db, 0 };
	sqlite3_stmt *st;
	int rc, own = db->depth == 0, full;

	*upto = 0;
	/* What the projection writes is made again from the log whenever it
	 * is lost, so its own transaction commits as SQLite's WAL does with
	 * synchronous=NORMAL: atomic (the state and its cursor together, or
	 * neither), made durable by the next commit of the log, which syncs
	 * the log's earlier frames with its own (FULL), or by a checkpoint,
	 * which syncs the log first. Nothing acknowledged is in it. */
	if (own && (rc = db_exec(db, "PRAGMA synchronous = NORMAL", NULL)))
		return rc;
	if ((rc = db_begin(db)))
		goto restore;
	if ((rc = replica_projected(db, &p.last)))
		goto out;
	*upto = p.last;
	if (!(st = db_prep(db, "SELECT station, incarnation, seq, hlc, realm, "
			   "officer, kind, entity, body, server_seq FROM ops WHERE "
			   "server_seq > ? ORDER BY server_seq LIMIT ?"))) {
		rc = db_prep_err(db);
		goto out;
	}
	sqlite3_bind_int64(st, 1, p.last);
	sqlite3_bind_int(st, 2, limit);
	if ((rc = op_rows(db, st, 9, project_one, &p)) == 0 && p.last > *upto &&
	    (rc = meta_set_int(db, "projected", p.last)) == 0)
		*upto = p.last;
out:
	rc = db_end(db, rc);
restore:
	if (own && (full = db_exec(db, "PRAGMA synchronous = FULL", NULL)) &&
	    !rc)
		rc = full;
	return rc;
}

int
replica_project_all(struct db *db)
{
	int64_t head = 0, upto = 0, was;
	int rc;

	if ((rc = replica_head(db, &head)))
		return rc;
	do {
		was = upto;
		rc = replica_project(db, 20000, &upto);
	} while (!rc && upto < head && upto > was);
	return rc;
}

const char *
replica_refusal(const struct db *db)
{
	return db->refusal;
}

int
replica_each_after(struct db *db, int64_t after, int limit,
		   int (*fn)(const struct op *op, int64_t sseq, void *ctx),
		   void *ctx)
{
	sqlite3_stmt *st = db_prep(db, "SELECT station, incarnation, seq, hlc, "
				   "realm, officer, kind, entity, body, server_seq "
				   "FROM ops WHERE server_seq > ? ORDER BY server_seq "
				   "LIMIT ?");

	if (!st)
		return db_prep_err(db);
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, limit);
	return op_rows(db, st, 9, fn, ctx);
}

/* ---- the station side ---- */

int
replica_ack(struct db *db, int64_t upto, const struct refusal *r, size_t n)
{
	return replica_ack_inc(db, NULL, upto, r, n);
}

int
replica_ack_inc(struct db *db, const char *incarnation, int64_t upto,
		const struct refusal *r, size_t n)
{
	char station[32], inc[17];
	size_t i;
	int rc, lost = 0;

	if ((rc = db_begin(db)))
		return rc;
	if ((rc = meta_get_text(db, "station", station, sizeof station)) < 0 ||
	    (rc = meta_get_text(db, "incarnation", inc, sizeof inc)) < 0)
		goto out;
	if (incarnation)
		snprintf(inc, sizeof inc, "%s", incarnation);
	/* Our outbox also holds the operations of a county-wide drill this
	 * station runs (station "drill", an incarnation of their own), which
	 * the server acknowledges by that incarnation. Only the outbox is
	 * looked at (its index), not the whole log. */
	if (incarnation && (rc = db_text(db, station, sizeof station, "SELECT "
					 "station FROM ops WHERE local = 1 AND "
					 "acked = 0 AND incarnation = ? LIMIT 1",
					 "s", inc)) < 0)
		goto out;
	rc = db_exec(db, "UPDATE ops SET acked = 1 WHERE local = 1 AND station = ? "
		     "AND incarnation = ? AND seq <= ? AND acked = 0", "ssi",
		     station, inc, upto);
	for (i = 0; i < n && !rc; i++) {
		rc = db_exec(db, "UPDATE ops SET refused = ?, acked = 1 WHERE "
			     "local = 1 AND station = ? AND incarnation = ? AND "
			     "seq = ?", "sssi", r[i].message ? r[i].message
			     : "refused", station, inc, r[i].seq);
		/* The refusal itself, with its code, for the officer to read
		 * (dutydesk link refused); only for an operation we hold. Its
		 * rowid orders refusals as they came, which is what an
		 * acknowledgement marks up to. */
		if (!rc)
			rc = db_exec(db, "INSERT OR IGNORE INTO refused(station, "
				     "incarnation, seq, code, message) SELECT station, "
				     "incarnation, seq, ?, refused FROM ops WHERE "
				     "local = 1 AND station = ? AND incarnation = ? AND "
				     "seq = ?", "sssi", r[i].code, station, inc,
				     r[i].seq);
		/* A creation of ours the server refused as conflict: another
		 * operation owns its record id, first in server order. Ours
		 * gives the id up (unless a pulled one has taken it already)
		 * and leaves the state, as it never entered anyone else's. */
		if (!rc && r[i].code && strcmp(r[i].code, "conflict") == 0 &&
		    !(rc = db_exec(db, "DELETE FROM creators WHERE id = (SELECT "
				   "entity FROM ops WHERE local = 1 AND station = ?1 "
				   "AND incarnation = ?2 AND seq = ?3) AND station = "
				   "?1 AND incarnation = ?2 AND seq = ?3", "ssi",
				   station, inc, r[i].seq)))
			lost += sqlite3_changes(db->h) > 0;
	}
	if (!rc && lost)
		rc = state_rebuild(db);
out:
	return db_end(db, rc);
}

/* Refusals are this station's rows of the table the server keeps its
 * own in; an officer's acknowledgement is the rowid of the last one
 * seen, kept in meta with who and when: the list stays whole. */
static int
refusals_seen(struct db *db, char station[32], int64_t *seen)
{
	int rc;

	*seen = 0;
	if ((rc = meta_get_text(db, "station", station, 32)) < 0)
		return rc;
	if (rc == 0)
		station[0] = 0;
	rc = meta_get_int(db, "refused_seen", seen);
	return rc < 0 ? rc : 0;
}

int
replica_refusals(struct db *db, cJSON **out, int64_t *upto)
{
	char station[32];
	int64_t seen;
	cJSON *rows, *o;
	int rc;

	*out = NULL;
	if ((rc = refusals_seen(db, station, &seen)))
		return rc;
	if (upto && (rc = db_int(db, upto, "SELECT coalesce(max(rowid), 0) FROM "
				 "refused WHERE station IN (?, 'drill')", "s",
				 station)) < 0)
		return rc;
	if (!(rows = cJSON_CreateArray()))
		return DD_E_NOMEM;
	rc = db_rows(db, rows, "SELECT r.seq, r.incarnation, o.kind, o.entity, "
		     "o.officer, (o.hlc >> 16) / 1000 AS at, r.code, r.message, "
		     "r.rowid <= ?2 AS seen FROM refused r LEFT JOIN ops o ON "
		     "o.local = 1 AND o.station = r.station AND o.incarnation = "
		     "r.incarnation AND o.seq = r.seq WHERE r.station IN (?1, "
		     "'drill') AND r.rowid <= ?3 ORDER BY r.rowid", "sii",
		     station, seen, upto ? *upto : INT64_MAX);
	if (rc) {
		cJSON_Delete(rows);
		return rc;
	}
	cJSON_ArrayForEach(o, rows) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "seen");
		cJSON_ReplaceItemInObjectCaseSensitive(o, "seen", cJSON_CreateBool(
			cJSON_IsNumber(v) && v->valuedouble != 0));
	}
	*out = rows;
	return 0;
}

int
replica_outbox(struct db *db, const char *inc, const char *station,
	       int64_t *first, int64_t *others, int64_t *drill)
{
	int rc;

	*first = *others = *drill = 0;
	if ((rc = db_int(db, first, "SELECT coalesce(min(seq), 0) FROM ops WHERE "
			 "local = 1 AND acked = 0 AND incarnation = ?", "s",
			 inc)) < 0 ||
	    (rc = db_int(db, others, "SELECT count(*) FROM ops WHERE local = 1 "
			 "AND acked = 0 AND incarnation != ?", "s", inc)) < 0 ||
	    (rc = db_int(db, drill, "SELECT count(*) FROM ops WHERE local = 1 "
			 "AND acked = 0 AND incarnation != ? AND station != ?",
			 "ss", inc, station)) < 0)
		return rc;
	return 0;
}

int
replica_outbox_kinds(struct db *db, int (*fn)(const char *inc, int64_t seq,
					      const char *kind, void *ctx),
		     void *ctx)
{
	/* The outbox's own index, and no body read: cheap enough to walk
	 * after every acknowledgement while a server holds kinds back. */
	sqlite3_stmt *st = db_prep(db, "SELECT incarnation, seq, kind FROM ops "
				   "WHERE local = 1 AND acked = 0 ORDER BY seq");
	int rc = 0, s;

	if (!st)
		return db_prep_err(db);
	while ((s = sqlite3_step(st)) == SQLITE_ROW &&
	       !(rc = fn((const char *)sqlite3_column_text(st, 0),
			 sqlite3_column_int64(st, 1),
			 (const char *)sqlite3_column_text(st, 2), ctx)))
		;
	if (rc == 0 && s != SQLITE_DONE)
		rc = db_rc(db, s);
	db_reset(st);
	return rc;
}

int
replica_acked(struct db *db, cJSON **out)
{
	char station[32], inc[17];
	int rc;

	*out = NULL;
	if ((rc = meta_get_text(db, "station", station, sizeof station)) < 0 ||
	    (rc = meta_get_text(db, "incarnation", inc, sizeof inc)) < 0)
		return rc;
	if (!(*out = cJSON_CreateArray()))
		return DD_E_NOMEM;
	/* Each incarnation's operations are read through their index; the
	 * acknowledged ones are those marked acked (a refusal marks too). */
	rc = db_rows(db, *out, "SELECT incarnation, coalesce(max(CASE WHEN "
		     "acked = 1 THEN seq END), 0) AS upto FROM ops WHERE local "
		     "= 1 AND station = ?1 GROUP BY incarnation ORDER BY "
		     "incarnation <> ?2, incarnation", "ss", station, inc);
	if (rc < 0) {
		cJSON_Delete(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

int
replica_refusals_unseen(struct db *db, int64_t *n)
{
	char station[32];
	int64_t seen;
	int rc;

	*n = 0;
	if ((rc = refusals_seen(db, station, &seen)))
		return rc;
	rc = db_int(db, n, "SELECT count(*) FROM refused WHERE station IN (?, "
		    "'drill') AND rowid > ?", "si", station, seen);
	return rc < 0 ? rc : 0;
}

int
replica_refusals_ack(struct db *db, int64_t upto, int64_t *n)
{
	char station[32];
	int64_t seen, last = 0;
	int rc;

	*n = 0;
	if ((rc = db_begin(db)))
		return rc;
	if ((rc = refusals_seen(db, station, &seen)) ||
	    (rc = db_int(db, &last, "SELECT coalesce(max(rowid), 0) FROM "
			 "refused WHERE station IN (?, 'drill') AND rowid <= ?",
			 "si", station, upto > 0 ? upto : INT64_MAX)) < 0 ||
	    (rc = db_int(db, n, "SELECT count(*) FROM refused WHERE station IN "
			 "(?, 'drill') AND rowid > ? AND rowid <= ?", "sii",
			 station, seen, last)) < 0)
		goto out;
	rc = 0;
	if (*n > 0 && !(rc = meta_set_int(db, "refused_seen", last)) &&
	    !(rc = meta_set_text(db, "refused_seen_by", db->officer)))
		rc = meta_set_int(db, "refused_seen_at",
				  db->clock.now_ms(db->clock.ctx) / 1000);
out:
	return db_end(db, rc);
}

int
replica_cursor(struct db *db, int64_t *after)
{
	int rc = meta_get_int(db, "pull_cursor", after);

	if (rc <= 0)
		*after = 0;
	return rc < 0 ? rc : 0;
}

int
replica_set_cursor(struct db *db, int64_t after)
{
	return meta_set_int(db, "pull_cursor", after);
}

int
replica_history(struct db *db, const char *history, int *changed)
{
	char known[40] = "";
	int rc;

	*changed = 0;
	if ((rc = db_begin(db)))
		return rc;
	if ((rc = meta_get_text(db, "server_history", known, sizeof known)) < 0)
		goto out;
	rc = 0;
	if (strcmp(known, history) != 0) {
		*changed = known[0] != 0;
		if ((rc = meta_set_text(db, "server_history", history)) == 0)
			rc = *changed ? replica_reset(db)
				      : meta_set_int(db, "pull_cursor", 0);
	}
out:
	return db_end(db, rc);
}

int
replica_reset(struct db *db)
{
	int rc;

	/* Another server history, or one put back: pull everything again
	 * and offer every operation of ours; replicas skip what they hold. */
	if ((rc = db_begin(db)))
		return rc;
	if (!(rc = meta_set_int(db, "pull_cursor", 0)))
		rc = db_exec(db, "UPDATE ops SET acked = 0 WHERE local = 1 AND "
			     "refused IS NULL", NULL);
	return db_end(db, rc);
}

int
replica_set_link(struct db *db, const char *server, const char *key)
{
	int rc;

	if ((rc = db_begin(db)))
		return rc;
	if (!(rc = meta_set_text(db, "server", server)))
		rc = meta_set_text(db, "server_key", key);
	return db_end(db, rc);
}

int
replica_set_pin(struct db *db, const char *pin)
{
	return replica_set_pins(db, pin, "");
}

int
replica_set_pins(struct db *db, const char *pin, const char *next)
{
	int rc;

	/* Together: a station never holds a next pin of one rotation
	 * beside the current pin of another. */
	if ((rc = db_begin(db)))
		return rc;
	if (!(rc = meta_set_text(db, "server_pin", pin)))
		rc = meta_set_text(db, "server_pin_next", next ? next : "");
	return db_end(db, rc);
}

int
replica_pin_next(struct db *db, char *pin, size_t n)
{
	int rc;

	pin[0] = 0;
	rc = meta_get_text(db, "server_pin_next", pin, n);
	return rc < 0 ? rc : pin[0] ? 1 : 0;
}

int
replica_pin(struct db *db, char *pin, size_t n)
{
	int rc;

	pin[0] = 0;
	rc = meta_get_text(db, "server_pin", pin, n);
	return rc < 0 ? rc : pin[0] ? 1 : 0;
}

int
replica_link(struct db *db, char *server, size_t n, char *key, size_t kn)
{
	int rc;

	server[0] = key[0] = 0;
	if ((rc = meta_get_text(db, "server", server, n)) <= 0)
		return rc;
	if ((rc = meta_get_text(db, "server_key", key, kn)) < 0)
		return rc;
	return server[0] && key[0] ? 1 : 0;
}
