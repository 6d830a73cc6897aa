/*
 * bench_ops.c - figures, not pass/fail: operations applied per second
 * (one officer action per transaction, and received batches) beside raw
 * SQLite inserts of the same rows in the same run, and the first page
 * of open incidents with 100,000 incidents loaded.
 */
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "tests/bench/benchlib.h"

#define LOCAL_N 2000
#define BATCH_N 20000
#define BATCH 500
#define BIG_N 100000

static void
die(struct db *db, const char *what, int rc)
{
	fprintf(stderr, "bench: %s: %s (%s)\n", what, dd_strerror(rc),
		db ? db_errmsg(db) : "");
	exit(1);
}

static struct db *
fresh(const char *dir, const char *station)
{
	char path[512];
	struct db *db = NULL;
	int rc;

	snprintf(path, sizeof path, "%s/%s.db", dir, station);
	if ((rc = db_open(path, DB_CREATE, &db)) ||
	    (rc = station_init(db, station, ROLE_COMMAND, "live", 1)))
		die(db, "init", rc);
	return db;
}

/* Operations made elsewhere, as they arrive over the wire. */
static struct op *
make_ops(int n, const char *station)
{
	static const char *const towns[] = { "datian", "gucheng", "duqiao",
		"shangpan", "taozhu" };
	struct op *ops = calloc((size_t)n, sizeof *ops);
	char at[21];
	int i;

	for (i = 0; i < n; i++) {
		struct op *o = &ops[i];
		snprintf(o->station, sizeof o->station, "%s", station);
		snprintf(o->incarnation, sizeof o->incarnation, "00000000000000aa");
		o->seq = i + 1;
		o->hlc = ((int64_t)1795867200000 + i * 1000LL) << 16;
		snprintf(o->realm, sizeof o->realm, "live");
		snprintf(o->officer, sizeof o->officer, "bench");
		snprintf(o->kind, sizeof o->kind, "incident.open");
		snprintf(o->entity, sizeof o->entity, "%s-%d", station, i + 1);
		o->body = cJSON_CreateObject();
		cJSON_AddStringToObject(o->body, "title", "道路积水，车辆被困");
		cJSON_AddStringToObject(o->body, "town", towns[i % 5]);
		cJSON_AddStringToObject(o->body, "place", "环城东路与大洋路口");
		cJSON_AddNumberToObject(o->body, "trapped", i % 4);
		time_format_iso(1795867200LL - BIG_N + i, at);
		cJSON_AddStringToObject(o->body, "received_at", at);
	}
	return ops;
}

static void
free_ops(struct op *ops, int n)
{
	int i;

	for (i = 0; i < n; i++)
		op_clear(&ops[i]);
	free(ops);
}

static double
apply_batches(struct db *db, struct op *ops, int n)
{
	double t0 = now_s();
	int i, rc;

	for (i = 0; i < n; i += BATCH) {
		int j;
		if ((rc = db_begin(db)))
			die(db, "begin", rc);
		for (j = i; j < n && j < i + BATCH; j++)
			if ((rc = op_apply(db, &ops[j])) != 1)
				die(db, "apply", rc);
		if ((rc = db_end(db, 0)))
			die(db, "commit", rc);
	}
	return now_s() - t0;
}

/* The same rows into one plain table, same pragmas, same batches. */
static double
raw_inserts(const char *dir, struct op *ops, int n)
{
	char path[512];
	sqlite3 *h;
	sqlite3_stmt *st;
	double t0;
	int i;

	snprintf(path, sizeof path, "%s/raw.db", dir);
	sqlite3_open(path, &h);
	sqlite3_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
		     "CREATE TABLE ops(station, incarnation, seq, hlc, realm, "
		     "officer, kind, entity, body, PRIMARY KEY(station, "
		     "incarnation, seq)) WITHOUT ROWID", NULL, NULL, NULL);
	sqlite3_prepare_v2(h, "INSERT INTO ops VALUES(?,?,?,?,?,?,?,?,?)", -1,
			   &st, NULL);
	t0 = now_s();
	for (i = 0; i < n; i += BATCH) {
		int j;
		sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
		for (j = i; j < n && j < i + BATCH; j++) {
			char *body = cJSON_PrintUnformatted(ops[j].body);
			sqlite3_bind_text(st, 1, ops[j].station, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, ops[j].incarnation, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 3, ops[j].seq);
			sqlite3_bind_int64(st, 4, ops[j].hlc);
			sqlite3_bind_text(st, 5, ops[j].realm, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 6, ops[j].officer, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 7, ops[j].kind, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 8, ops[j].entity, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 9, body, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(st) != SQLITE_DONE)
				exit(1);
			sqlite3_reset(st);
			free(body);
		}
		sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	}
	t0 = now_s() - t0;
	sqlite3_finalize(st);
	sqlite3_close(h);
	return t0;
}

int
main(void)
{
	char dir[] = "/tmp/dutydesk-bench-XXXXXX", cmd[600], id[64];
	struct db *db;
	struct op *ops;
	double t, raw, batch, worst = 0;
	cJSON *f, *list;
	int i, rc;

	if (!mkdtemp(dir))
		return 1;
	if (!getenv("DUTYDESK_ASSETS"))
		assets_set_dir("assets");
	time_set_zone("Asia/Shanghai");

	/* One officer action per transaction, committed to disk. */
	db = fresh(dir, "local");
	t = now_s();
	for (i = 0; i < LOCAL_N; i++) {
		double t1 = now_s();
		cJSON *in = cJSON_CreateObject();
		cJSON_AddStringToObject(in, "town", "大田街道");
		cJSON_AddStringToObject(in, "title", "山体滑坡");
		cJSON_AddNumberToObject(in, "trapped", 2);
		if ((rc = incident_add(db, in, id)))
			die(db, "incident_add", rc);
		cJSON_Delete(in);
		t1 = now_s() - t1;
		if (t1 > worst)
			worst = t1;
	}
	t = now_s() - t;
	printf("local actions (incident add, own transaction, synchronous=FULL): "
	       "%d in %.3f s = %.0f ops/s, %.3f ms each (worst %.3f ms)\n",
	       LOCAL_N, t, LOCAL_N / t, 1000 * t / LOCAL_N, 1000 * worst);
	db_close(&db);

	/* Received batches against raw inserts of the same rows. */
	ops = make_ops(BATCH_N, "remote");
	db = fresh(dir, "batch");
	batch = apply_batches(db, ops, BATCH_N);
	db_close(&db);
	raw = raw_inserts(dir, ops, BATCH_N);
	printf("received batches of %d: %d ops in %.3f s = %.0f ops/s\n", BATCH,
	       BATCH_N, batch, BATCH_N / batch);
	printf("raw SQLite inserts, same rows, same batches: %.3f s = %.0f rows/s\n",
	       raw, BATCH_N / raw);
	printf("ratio batches/raw: %.2fx (aim: at least 0.3x)\n", raw / batch);
	free_ops(ops, BATCH_N);

	/* The first page of open incidents with 100,000 loaded. */
	ops = make_ops(BIG_N, "big");
	db = fresh(dir, "page");
	t = apply_batches(db, ops, BIG_N);
	printf("loaded %d incidents in %.1f s\n", BIG_N, t);
	free_ops(ops, BIG_N);
	db_close(&db);
	{
		char path[600];
		snprintf(path, sizeof path, "%s/page.db", dir);
		db_open(path, DB_RDONLY, &db);
	}
	f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "open", 1);
	cJSON_AddNumberToObject(f, "limit", 50);
	worst = 1e9;
	for (i = 0; i < 20; i++) {
		t = now_s();
		if ((rc = state_list(db, LIST_INCIDENTS, f, &list)))
			die(db, "list", rc);
		t = now_s() - t;
		if (i == 0)
			printf("first page (50 open incidents of %d), cold: %.2f ms\n",
			       BIG_N, 1000 * t);
		if (t < worst)
			worst = t;
		if (cJSON_GetArraySize(list) != 50)
			die(db, "page size", DD_E_DB);
		cJSON_Delete(list);
	}
	printf("first page, warm (best of 20): %.2f ms (aim: within 10 ms)\n",
	       1000 * worst);
	cJSON_Delete(f);
	db_close(&db);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : 1;
}
