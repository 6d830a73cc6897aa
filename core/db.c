/*
 * db.c - the small SQLite layer: open with our pragmas, migrate, cache
 * prepared statements, bind by format, map errors, transactions, backup.
 */
#include "private.h"

#include <errno.h>
#include <libintl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/statvfs.h>

#include "schema.h"

struct errdesc {
	int code, exit;
	const char *msg;
};

static const struct errdesc errors[] = {
#define DD_ERR_DESC(name, ex, m) { DD_E_##name, ex, m },
	DD_ERRORS(DD_ERR_DESC)
#undef DD_ERR_DESC
};

const char *
dd_strerror(int err)
{
	size_t i;

	if (err == 0)
		return "ok";
	for (i = 0; i < sizeof errors / sizeof errors[0]; i++)
		if (errors[i].code == err)
			return dgettext("dutydesk", errors[i].msg);
	return "unknown error";
}

int
dd_exitcode(int err)
{
	size_t i;

	if (err == 0)
		return EXIT_OK;
	for (i = 0; i < sizeof errors / sizeof errors[0]; i++)
		if (errors[i].code == err)
			return errors[i].exit;
	return EXIT_ENV;
}

int
db_fail(struct db *db, int err, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (db) {
		/* The detail is shown to the officer: in the station's language. */
		va_start(ap, fmt);
		n = (size_t)vsnprintf(db->err, sizeof db->err,
				      dgettext("dutydesk", fmt), ap);
		va_end(ap);
		/* Cut to the buffer: never inside a character. */
		if (n >= sizeof db->err) {
			n = sizeof db->err - 1;
			while (n > 0 && ((unsigned char)db->err[n] & 0xc0) == 0x80)
				n--;
			db->err[n] = '\0';
		}
	}
	return err;
}

const char *
db_errmsg(const struct db *db)
{
	return db ? db->err : "";
}

const char *
db_why(const struct db *db, int rc)
{
	return db && db->err[0] ? db->err : dd_strerror(rc);
}

/* A failed write whose errno SQLite did not keep: no room is the likely
 * cause when the file-size limit is set or the disk is nearly full. */
static int
no_room(struct db *db, int rc)
{
	struct statvfs vfs;
	struct rlimit lim;

	if (rc != SQLITE_IOERR_WRITE && rc != SQLITE_IOERR_TRUNCATE &&
	    rc != SQLITE_IOERR_FSYNC)
		return 0;
	if (getrlimit(RLIMIT_FSIZE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
		return 1;
	return statvfs(db->path, &vfs) == 0 &&
	       (unsigned long long)vfs.f_bavail * vfs.f_frsize < (1ULL << 20);
}

int
db_rc(struct db *db, int rc)
{
	int err;

	switch (rc & 0xff) {
	case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW:
		return 0;
	case SQLITE_FULL:     err = DD_E_DISK_FULL; break;
	case SQLITE_IOERR:    err = DD_E_IO; break;
	case SQLITE_BUSY: case SQLITE_LOCKED: err = DD_E_DB_BUSY; break;
	case SQLITE_CORRUPT:  err = DD_E_DB_CORRUPT; break;
	case SQLITE_NOTADB:   err = DD_E_DB_NOTOURS; break;
	case SQLITE_NOMEM:    err = DD_E_NOMEM; break;
	case SQLITE_CANTOPEN: case SQLITE_PERM: case SQLITE_READONLY:
		err = DD_E_DB_OPEN; break;
	/* A key already taken (a record id another incarnation used). */
	case SQLITE_CONSTRAINT: err = DD_E_CONFLICT; break;
	default:              err = DD_E_DB; break;
	}
	/* A write past a file-size limit shows up as an I/O error whose
	 * errno says the disk is full; both mean "no room". */
	if (err == DD_E_IO && db && db->h &&
	    (sqlite3_system_errno(db->h) == ENOSPC ||
	     sqlite3_system_errno(db->h) == EFBIG || no_room(db, rc)))
		err = DD_E_DISK_FULL;
	if (db && db->h)
		snprintf(db->err, sizeof db->err, "%s", err == DD_E_DISK_FULL
			 ? dgettext("dutydesk", "disk full: nothing was written; "
				    "free some space and try again")
			 : sqlite3_errmsg(db->h));
	return err;
}

/* A statement's text is hashed on every use: eight bytes at a time, as
 * a byte at a time cost more than running most statements. */
static unsigned
hash_str(const char *s)
{
	size_t n = strlen(s), i;
	uint64_t h = n * 0x9e3779b97f4a7c15ULL, w;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s + i, n - i);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	return (unsigned)h;
}

sqlite3_stmt *
db_prep(struct db *db, const char *sql)
{
	unsigned i, full = hash_str(sql), h = full % STMT_CACHE;
	sqlite3_stmt *st = NULL;
	int rc;

	for (i = 0; i < STMT_CACHE; i++) {
		struct stmt_slot *s = &db->cache[(h + i) % STMT_CACHE];
		if (!s->sql)
			break;
		if (s->hash == full && strcmp(s->sql, sql) == 0)
			return s->st;
	}
	rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
				&st, NULL);
	if (rc != SQLITE_OK) {
		db->prep_err = db_rc(db, rc);
		if (!db->prep_err)
			db->prep_err = DD_E_DB;
		return NULL;
	}
	if (i < STMT_CACHE) {
		struct stmt_slot *s = &db->cache[(h + i) % STMT_CACHE];
		s->sql = strdup(sql);
		if (s->sql) {
			s->hash = full;
			s->st = st;
			return st;
		}
	}
	/* The cache is full: this should not happen with a fixed set of
	 * statements; leak-free fallback is to refuse. */
	sqlite3_finalize(st);
	db->prep_err = db_fail(db, DD_E_NOMEM, "statement cache full");
	return NULL;
}

int
db_prep_err(const struct db *db)
{
	return db->prep_err ? db->prep_err : DD_E_DB;
}

void
db_reset(sqlite3_stmt *st)
{
	if (st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

int
db_bindv(struct db *db, sqlite3_stmt *st, const char *fmt, va_list ap)
{
	int i, rc = SQLITE_OK;

	for (i = 1; fmt && *fmt; fmt++, i++) {
		switch (*fmt) {
		case 's': {
			/* Not copied: every caller steps and resets the
			 * statement before the text can go. */
			const char *s = va_arg(ap, const char *);
			rc = s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC)
			       : sqlite3_bind_null(st, i);
			break;
		}
		case 'i':
			rc = sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
			break;
		case 'd':
			rc = sqlite3_bind_int(st, i, va_arg(ap, int));
			break;
		default:
			return db_fail(db, DD_E_DB, "bad bind format '%c'", *fmt);
		}
		if (rc != SQLITE_OK)
			return db_rc(db, rc);
	}
	return 0;
}

int
db_exec(struct db *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = db_prep(db, sql);
	va_list ap;
	int rc;

	if (!st)
		return db_prep_err(db);
	va_start(ap, fmt);
	rc = db_bindv(db, st, fmt, ap);
	va_end(ap);
	if (rc == 0) {
		int s = sqlite3_step(st);
		rc = (s == SQLITE_DONE || s == SQLITE_ROW) ? 0 : db_rc(db, s);
	}
	db_reset(st);
	return rc;
}

int
db_int(struct db *db, int64_t *out, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = db_prep(db, sql);
	va_list ap;
	int rc;

	if (!st)
		return db_prep_err(db);
	va_start(ap, fmt);
	rc = db_bindv(db, st, fmt, ap);
	va_end(ap);
	if (rc == 0) {
		int s = sqlite3_step(st);
		if (s == SQLITE_ROW) {
			if (out)
				*out = sqlite3_column_int64(st, 0);
			rc = 1;
		} else {
			rc = s == SQLITE_DONE ? 0 : db_rc(db, s);
		}
	}
	db_reset(st);
	return rc;
}

int
db_text(struct db *db, char *buf, size_t n, const char *sql,
	const char *fmt, ...)
{
	sqlite3_stmt *st = db_prep(db, sql);
	va_list ap;
	int rc;

	if (!st)
		return db_prep_err(db);
	va_start(ap, fmt);
	rc = db_bindv(db, st, fmt, ap);
	va_end(ap);
	if (rc == 0) {
		int s = sqlite3_step(st);
		if (s == SQLITE_ROW) {
			const unsigned char *t = sqlite3_column_text(st, 0);
			snprintf(buf, n, "%s", t ? (const char *)t : "");
			rc = 1;
		} else {
			rc = s == SQLITE_DONE ? 0 : db_rc(db, s);
		}
	}
	db_reset(st);
	return rc;
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

int
db_rows_v(struct db *db, cJSON *arr, const char *sql, const char *fmt,
	  va_list ap)
{
	sqlite3_stmt *st = db_prep(db, sql);
	int rc, s, i, n;

	if (!st)
		return db_prep_err(db);
	rc = db_bindv(db, st, fmt, ap);
	n = sqlite3_column_count(st);
	while (rc == 0 && (s = sqlite3_step(st)) == SQLITE_ROW) {
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			rc = DD_E_NOMEM;
			break;
		}
		for (i = 0; i < n; i++) {
			const char *name = sqlite3_column_name(st, i);
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER: {
				int64_t v = sqlite3_column_int64(st, i);
				if (ends_with(name, "_at") || strcmp(name, "at") == 0)
					jset_time(o, name, v);
				else
					cJSON_AddNumberToObject(o, name, (double)v);
				break;
			}
			case SQLITE_NULL:
				cJSON_AddNullToObject(o, name);
				break;
			default:
				cJSON_AddStringToObject(o, name,
					(const char *)sqlite3_column_text(st, i));
			}
		}
	}
	if (rc == 0 && s != SQLITE_DONE)
		rc = db_rc(db, s);
	db_reset(st);
	return rc;
}

int
db_rows(struct db *db, cJSON *arr, const char *sql, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = db_rows_v(db, arr, sql, fmt, ap);
	va_end(ap);
	return rc;
}

int
db_begin(struct db *db)
{
	int rc;

	if (db->depth++ > 0)
		return 0;
	/* A failure's detail belongs to its transaction: one that fails
	 * later without a detail of its own must not be told the last. */
	db->err[0] = 0;
	rc = db_exec(db, "BEGIN IMMEDIATE", NULL);
	if (rc)
		db->depth = 0;
	return rc;
}

int
db_end(struct db *db, int rc)
{
	int r;

	if (db->depth <= 0)
		return rc;
	if (--db->depth > 0)
		return rc;
	if (rc == 0)
		rc = op_settle(db);
	db->seen_hlc = 0;
	db->nseen = 0;
	db->head_known = 0;
	if (rc == 0) {
		r = db_exec(db, "COMMIT", NULL);
		if (r == 0)
			return 0;
		rc = r;
	}
	/* A failed COMMIT (disk full) may leave the transaction open;
	 * roll it back so nothing half-written stays. */
	if (!sqlite3_get_autocommit(db->h)) {
		char keep[sizeof db->err];
		memcpy(keep, db->err, sizeof keep);
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		memcpy(db->err, keep, sizeof keep);
	}
	return rc;
}

int
meta_get_text(struct db *db, const char *key, char *buf, size_t n)
{
	return db_text(db, buf, n, "SELECT value FROM meta WHERE key = ?", "s",
		       key);
}

int
meta_set_text(struct db *db, const char *key, const char *value)
{
	return db_exec(db, "INSERT INTO meta(key, value) VALUES(?, ?) "
		       "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
		       "ss", key, value);
}

int
meta_get_int(struct db *db, const char *key, int64_t *v)
{
	return db_int(db, v, "SELECT value FROM meta WHERE key = ?", "s", key);
}

int
meta_set_int(struct db *db, const char *key, int64_t v)
{
	return db_exec(db, "INSERT INTO meta(key, value) VALUES(?, ?) "
		       "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
		       "si", key, v);
}

static int
pragma_int(struct db *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->h, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*v = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_OK || rc == SQLITE_DONE ? 0 : db_rc(db, rc);
}

static int
exec_plain(struct db *db, const char *sql)
{
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : db_rc(db, rc);
}

static int
migrate(struct db *db)
{
	int64_t version = 0, appid = 0, tables = 0;
	char sql[64];
	int rc, i;

	if ((rc = pragma_int(db, "PRAGMA user_version", &version)) ||
	    (rc = pragma_int(db, "PRAGMA application_id", &appid)) ||
	    (rc = pragma_int(db, "SELECT count(*) FROM sqlite_master", &tables)))
		return rc;
	/* Ours, or a brand-new empty file; anything else is not ours. */
	if (appid != APP_ID && (version != 0 || tables != 0 || appid != 0))
		return db_fail(db, DD_E_DB_NOTOURS,
			       "the file is not a dutydesk station database");
	if (version > MIGRATIONS)
		return db_fail(db, DD_E_DB_NEWER,
			       "database was written by a newer dutydesk (schema %lld, "
			       "this one knows up to %d); upgrade dutydesk",
			       (long long)version, MIGRATIONS);
	if (version == MIGRATIONS)
		return 0;
	if (db->rdonly) {
		/* A command that only reads, on a database an older dutydesk
		 * wrote: upgraded first on a connection of its own, as after
		 * any upgrade of the program; this one then reads the new
		 * schema. */
		struct db *rw = NULL;
		if ((rc = db_open(db->path, 0, &rw)))
			db_fail(db, rc, "database needs an upgrade to schema %d, "
				"which needs write access: %s", MIGRATIONS,
				db_errmsg(rw));
		db_close(&rw);
		return rc;
	}
	for (i = (int)version; i < MIGRATIONS; i++) {
		if ((rc = exec_plain(db, "BEGIN IMMEDIATE")))
			return rc;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", i + 1);
		rc = exec_plain(db, migrations[i]);
		if (!rc)
			rc = exec_plain(db, sql);
		if (!rc && i == 0) {
			snprintf(sql, sizeof sql, "PRAGMA application_id = %d",
				 APP_ID);
			rc = exec_plain(db, sql);
		}
		if (!rc && i == 4) {
			/* Joined by the operations it applies. */
			db->depth++;
			rc = seed_upgrade_people(db);
			if (!rc)
				rc = op_settle(db);
			db->depth--;
			db->seen_hlc = 0;
			db->nseen = 0;
			db->head_known = 0;
		}
		if (!rc)
			rc = exec_plain(db, "COMMIT");
		if (rc) {
			char keep[sizeof db->err];
			memcpy(keep, db->err, sizeof keep);
			sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
			memcpy(db->err, keep, sizeof keep);
			return rc;
		}
	}
	return 0;
}

/* The first use of SQLite in the process, before it initializes: no
 * count of memory in use, which costs a global mutex around every
 * allocation (a no-op if something initialized it before). */
static void
sqlite_config_once(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int
db_open(const char *path, int flags, struct db **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct db *db;
	int rc, oflags;

	pthread_once(&once, sqlite_config_once);
	*out = NULL;
	db = calloc(1, sizeof *db);
	if (!db)
		return DD_E_NOMEM;
	db->rdonly = !!(flags & DB_RDONLY);
	snprintf(db->path, sizeof db->path, "%s", path);
	db->clock = clock_real;
	snprintf(db->officer, sizeof db->officer, "duty");
	oflags = db->rdonly ? SQLITE_OPEN_READONLY
			    : SQLITE_OPEN_READWRITE |
			      ((flags & DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	/* NOMUTEX: a connection is used by one thread at a time (the
	 * county server hands its write connection to a worker for each
	 * commit, and takes it back when the commit returns). SQLite makes
	 * every sync itself, with synchronous=FULL: none is deferred,
	 * skipped or reordered. */
	rc = sqlite3_open_v2(path, &db->h, oflags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(db->err, sizeof db->err, "cannot open %s: %s", path,
			 sqlite3_errmsg(db->h));
		rc = DD_E_DB_OPEN;
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, 5000);
	if (!db->rdonly) {
		if ((rc = exec_plain(db, "PRAGMA journal_mode = WAL")))
			goto fail;
	}
	/* Statement journals (a savepoint per received operation) and
	 * temporary tables stay in memory: a spill to a temporary file
	 * cost a write per page. */
	if ((rc = exec_plain(db, "PRAGMA synchronous = FULL")) ||
	    (rc = exec_plain(db, "PRAGMA temp_store = MEMORY")) ||
	    (rc = exec_plain(db, "PRAGMA foreign_keys = OFF")) ||
	    (rc = migrate(db)))
		goto fail;
	*out = db;
	return 0;
fail:
	/* Like sqlite3_open(): the handle stays, without its connection,
	 * so the caller can read the detail and then close it. */
	{
		int i;
		for (i = 0; i < STMT_CACHE; i++) {
			if (db->cache[i].st)
				sqlite3_finalize(db->cache[i].st);
			free(db->cache[i].sql);
			db->cache[i].st = NULL;
			db->cache[i].sql = NULL;
		}
		sqlite3_close(db->h);
		db->h = NULL;
	}
	*out = db;
	return rc;
}

void
db_close(struct db **pdb)
{
	struct db *db = *pdb;
	int i;

	if (!db)
		return;
	for (i = 0; i < STMT_CACHE; i++) {
		if (db->cache[i].st)
			sqlite3_finalize(db->cache[i].st);
		free(db->cache[i].sql);
	}
	if (db->h)
		sqlite3_close(db->h);
	free(db);
	*pdb = NULL;
}

void
db_set_clock(struct db *db, const struct dd_clock *c)
{
	db->clock = *c;
}

int64_t
db_now(struct db *db)
{
	return clock_now(&db->clock);
}

void
db_cache_kb(struct db *db, int kb)
{
	char sql[48];

	snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", kb);
	sqlite3_exec(db->h, sql, NULL, NULL, NULL);
}

int
db_data_version(struct db *db, int64_t *v)
{
	return db_int(db, v, "PRAGMA data_version", NULL) < 0 ? DD_E_DB : 0;
}

static int
wal_count(void *ctx, sqlite3 *h, const char *name, int frames)
{
	(void)h;
	(void)name;
	((struct db *)ctx)->wal_frames = frames;
	return SQLITE_OK;
}

void
db_wal_manual(struct db *db)
{
	sqlite3_wal_hook(db->h, wal_count, db);
}

int
db_wal_frames(const struct db *db)
{
	return db->wal_frames;
}

int
db_checkpoint(struct db *db, int *frames, int *copied)
{
	int rc;

	*frames = *copied = 0;
	rc = sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE,
				       frames, copied);
	return rc == SQLITE_BUSY ? 0 : db_rc(db, rc);
}

void
db_set_officer(struct db *db, const char *officer)
{
	snprintf(db->officer, sizeof db->officer, "%s", officer);
}

const char *
db_officer(const struct db *db)
{
	return db->officer;
}

int
db_backup(struct db *db, const char *path)
{
	sqlite3 *to = NULL;
	sqlite3_backup *b;
	int rc;

	rc = sqlite3_open_v2(path, &to,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_close(to);
		return db_fail(db, DD_E_DB_OPEN, "cannot create %s", path);
	}
	b = sqlite3_backup_init(to, "main", db->h, "main");
	if (!b) {
		rc = sqlite3_errcode(to);
		snprintf(db->err, sizeof db->err, "%s", sqlite3_errmsg(to));
		sqlite3_close(to);
		remove(path);
		return rc == SQLITE_FULL ? DD_E_DISK_FULL : DD_E_DB;
	}
	/* Every page in one step, in one read transaction of the source: a
	 * copy in steps starts over whenever another process writes to the
	 * source, which a running server does all the time. */
	do {
		rc = sqlite3_backup_step(b, -1);
		if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		int e = sqlite3_errcode(to), sys = sqlite3_system_errno(to);
		int full = (e & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_FULL ||
			   sys == ENOSPC || sys == EFBIG;
		snprintf(db->err, sizeof db->err, "backup to %s: %s", path, full
			 ? dgettext("dutydesk", "disk full") : sqlite3_errmsg(to));
		sqlite3_close(to);
		remove(path);
		return full ? DD_E_DISK_FULL : DD_E_IO;
	}
	rc = sqlite3_close(to);
	return rc == SQLITE_OK ? 0 : DD_E_IO;
}
