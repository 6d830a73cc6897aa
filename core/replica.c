/*
 * replica.c - what sync needs of a database: on the server, the last
 * sequence held per station, operations taken with a server sequence and
 * refusals recorded; on a station, acknowledgements, the pull cursor,
 * the server history it knows, and the link settings.
 */
#include "private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
replica_have(struct db *db, const char *station, const char *inc,
	     int64_t *seq)
{
	int rc;

	*seq = 0;
	rc = db_int(db, seq, "SELECT max(s) FROM (SELECT max(seq) AS s FROM ops "
		    "WHERE station = ?1 AND incarnation = ?2 UNION ALL SELECT "
		    "max(seq) FROM refused WHERE station = ?1 AND incarnation = ?2)",
		    "ss", station, inc);
	return rc < 0 ? rc : 0;
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
		rc = db_fail(db, DD_E_ROLE, "a %s station may not %s",
			     role_name(role), op->kind);
	else if ((rc = db_exec(db, "SAVEPOINT take", NULL)) == 0) {
		/* One operation that cannot be stored (a record id taken by
		 * another incarnation's) must not spoil the others taken in
		 * the same transaction: it alone is rolled back and refused. */
		rc = op_apply(db, op);
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
		    (rc = db_exec(db, "UPDATE ops SET server_seq = ? WHERE "
				  "station = ? AND incarnation = ? AND seq = ?",
				  "issi", head + 1, op->station, op->incarnation,
				  op->seq)))
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
	int rc = 0, s;

	if (!st)
		return db_prep_err(db);
	sqlite3_bind_int64(st, 1, after);
	sqlite3_bind_int(st, 2, limit);
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		struct op op;
		if ((rc = op_from_row(st, &op)))
			break;
		rc = fn(&op, sqlite3_column_int64(st, 9), ctx);
		op_clear(&op);
		if (rc)
			break;
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = db_rc(db, s);
	db_reset(st);
	return rc;
}

/* ---- the station side ---- */

int
replica_ack(struct db *db, int64_t upto, const cJSON *refused)
{
	return replica_ack_inc(db, NULL, upto, refused);
}

int
replica_ack_inc(struct db *db, const char *incarnation, int64_t upto,
		const cJSON *refused)
{
	const cJSON *r;
	char station[32], inc[17];
	int rc;

	if ((rc = db_begin(db)))
		return rc;
	if ((rc = meta_get_text(db, "station", station, sizeof station)) < 0 ||
	    (rc = meta_get_text(db, "incarnation", inc, sizeof inc)) < 0)
		goto out;
	if (incarnation)
		snprintf(inc, sizeof inc, "%s", incarnation);
	/* Our outbox also holds the operations of a county-wide drill this
	 * station runs (station "drill", an incarnation of their own), which
	 * the server acknowledges by that incarnation. */
	if (incarnation && (rc = db_text(db, station, sizeof station, "SELECT "
					 "station FROM ops WHERE local = 1 AND "
					 "incarnation = ? LIMIT 1", "s", inc)) < 0)
		goto out;
	rc = db_exec(db, "UPDATE ops SET acked = 1 WHERE local = 1 AND station = ? "
		     "AND incarnation = ? AND seq <= ? AND acked = 0", "ssi",
		     station, inc, upto);
	cJSON_ArrayForEach(r, refused) {
		const cJSON *seq = cJSON_GetObjectItemCaseSensitive(r, "seq");
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(r, "message");
		if (rc)
			break;
		if (!cJSON_IsString(seq))
			continue;
		rc = db_exec(db, "UPDATE ops SET refused = ?, acked = 1 WHERE "
			     "local = 1 AND station = ? AND incarnation = ? AND "
			     "seq = ?", "sssi", cJSON_IsString(msg) ? msg->valuestring
			     : "refused", station, inc,
			     (int64_t)strtoll(seq->valuestring, NULL, 10));
	}
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
