/*
 * vfs.c - the operating-system layer under SQLite: the platform's own,
 * with the writes to a write-ahead log gathered into one.
 *
 * A commit writes every page it changed to the WAL as a frame: a 24-byte
 * header and the page, two writes per page, in one run of increasing
 * offsets, then one sync. A group commit on the county server changes
 * some eighty pages, so it paid some 160 system calls before its sync.
 * Here the writes to a WAL file that continue the run are kept in a
 * buffer and go to the file in one write when SQLite next syncs, reads,
 * truncates, sizes or closes that file, or when the run breaks or fills
 * the buffer. Nothing else changes: what SQLite has synced is on disk
 * exactly as before, and a failed write reports its own error (a full
 * disk stays SQLITE_FULL), only at the sync instead of the write.
 *
 * Nothing gathered outlives the connection's hold on the write lock:
 * the run is written out before the lock is let go (each WAL is paired
 * with its database file, whose lock calls we see). So frames another
 * connection writes later are never overwritten by a late run (say the
 * frames of a transaction that spilled pages and then rolled back), and
 * SQLite's own order of writes, publication and unlock holds as ever:
 * with PRAGMA synchronous = FULL (which db_open sets) each commit's
 * frames are written at its sync, before it is published. A write that
 * fails when the run is written out is reported by the next sync too.
 * Database, journal and other files are passed through untouched.
 */
#include "private.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#define VFS_NAME "dutydesk"
/* One write at most this long: the platform layer writes at most
 * 128 KiB - 1 bytes per call (it masks the length with 0x1ffff). */
#define WAL_BUF_MAX (120 * 1024)

struct vfile {
	sqlite3_file base;   /* our methods; must come first */
	sqlite3_file *real;  /* the platform's file, just after us */
	int wal;             /* a write-ahead log: writes gathered */
	char *buf;           /* the gathered run */
	size_t len, cap;
	sqlite3_int64 off;   /* where the run starts in the file */
	int err;             /* a failed write of a run, for the next sync */
	struct vfile *pair;  /* a WAL's database file, a database's WAL */
	const char *name;    /* SQLite keeps it while the file is open */
};

static sqlite3_vfs *real_vfs;

/* Write the gathered run; whatever the outcome, it is no longer held
 * (a failure is also kept for the next sync). */
static int
vf_flush(struct vfile *f)
{
	int rc = SQLITE_OK;

	if (f->len) {
		rc = f->real->pMethods->xWrite(f->real, f->buf, (int)f->len,
					       f->off);
		f->len = 0;
		if (rc != SQLITE_OK)
			f->err = rc;
	}
	return rc;
}

static int
vf_close(sqlite3_file *file)
{
	struct vfile *f = (struct vfile *)file;
	int rc = vf_flush(f), rc2 = f->real->pMethods->xClose(f->real);

	if (f->pair && f->pair->pair == f) {
		if (!f->wal)
			vf_flush(f->pair); /* its WAL outlives it: nothing held */
		f->pair->pair = NULL;
	}
	f->pair = NULL;
	free(f->buf);
	f->buf = NULL;
	f->cap = 0;
	return rc != SQLITE_OK ? rc : rc2;
}

static int
vf_read(sqlite3_file *file, void *p, int n, sqlite3_int64 off)
{
	struct vfile *f = (struct vfile *)file;
	int rc = vf_flush(f);

	return rc != SQLITE_OK ? rc : f->real->pMethods->xRead(f->real, p, n, off);
}

static int
vf_write(sqlite3_file *file, const void *p, int n, sqlite3_int64 off)
{
	struct vfile *f = (struct vfile *)file;
	size_t want;
	int rc;

	if (!f->wal || !f->pair || n <= 0) {
		if ((rc = vf_flush(f)) != SQLITE_OK)
			return rc;
		return f->real->pMethods->xWrite(f->real, p, n, off);
	}
	if (f->len && (off != f->off + (sqlite3_int64)f->len ||
		       f->len + (size_t)n > WAL_BUF_MAX) &&
	    (rc = vf_flush(f)) != SQLITE_OK)
		return rc;
	if ((size_t)n >= WAL_BUF_MAX)
		return f->real->pMethods->xWrite(f->real, p, n, off);
	want = f->len + (size_t)n;
	if (want > f->cap) {
		size_t cap = f->cap ? f->cap : 32 * 1024;
		char *nb;
		while (cap < want)
			cap *= 2;
		if (cap > WAL_BUF_MAX)
			cap = WAL_BUF_MAX;
		if (!(nb = realloc(f->buf, cap))) {
			/* No room to gather: write through, in order. */
			if ((rc = vf_flush(f)) != SQLITE_OK)
				return rc;
			return f->real->pMethods->xWrite(f->real, p, n, off);
		}
		f->buf = nb;
		f->cap = cap;
	}
	if (!f->len)
		f->off = off;
	memcpy(f->buf + f->len, p, (size_t)n);
	f->len += (size_t)n;
	return SQLITE_OK;
}

static int
vf_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct vfile *f = (struct vfile *)file;
	int rc = vf_flush(f);

	return rc != SQLITE_OK ? rc
		: f->real->pMethods->xTruncate(f->real, size);
}

static int
vf_sync(sqlite3_file *file, int flags)
{
	struct vfile *f = (struct vfile *)file;
	int rc = vf_flush(f);

	/* A run written out earlier that failed fails this sync: what SQLite
	 * is about to publish may be missing from the file. */
	if (rc == SQLITE_OK && f->err)
		rc = f->err;
	f->err = 0;
	if (rc != SQLITE_OK)
		return rc;
	return f->real->pMethods->xSync(f->real, flags);
}

static int
vf_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct vfile *f = (struct vfile *)file;
	int rc = vf_flush(f);

	return rc != SQLITE_OK ? rc
		: f->real->pMethods->xFileSize(f->real, size);
}

/* The rest pass through. */
#define REAL(file) (((struct vfile *)(file))->real)

static int
vf_lock(sqlite3_file *file, int l)
{
	return REAL(file)->pMethods->xLock(REAL(file), l);
}

static int
vf_unlock(sqlite3_file *file, int l)
{
	return REAL(file)->pMethods->xUnlock(REAL(file), l);
}

static int
vf_reserved(sqlite3_file *file, int *out)
{
	return REAL(file)->pMethods->xCheckReservedLock(REAL(file), out);
}

static int
vf_control(sqlite3_file *file, int op, void *arg)
{
	return REAL(file)->pMethods->xFileControl(REAL(file), op, arg);
}

static int
vf_sector(sqlite3_file *file)
{
	return REAL(file)->pMethods->xSectorSize(REAL(file));
}

static int
vf_device(sqlite3_file *file)
{
	return REAL(file)->pMethods->xDeviceCharacteristics(REAL(file));
}

static int
vf_shm_map(sqlite3_file *file, int pg, int pgsz, int extend, void volatile **p)
{
	return REAL(file)->pMethods->xShmMap(REAL(file), pg, pgsz, extend, p);
}

/* The WAL's write lock is slot 0 of the shared-memory locks: before it
 * is let go, the run gathered under it is written out. */
static int
vf_shm_lock(sqlite3_file *file, int off, int n, int flags)
{
	struct vfile *f = (struct vfile *)file;

	if (off == 0 && (flags & SQLITE_SHM_UNLOCK) &&
	    (flags & SQLITE_SHM_EXCLUSIVE) && f->pair)
		vf_flush(f->pair);
	return REAL(file)->pMethods->xShmLock(REAL(file), off, n, flags);
}

static void
vf_shm_barrier(sqlite3_file *file)
{
	REAL(file)->pMethods->xShmBarrier(REAL(file));
}

static int
vf_shm_unmap(sqlite3_file *file, int del)
{
	return REAL(file)->pMethods->xShmUnmap(REAL(file), del);
}

static int
vf_fetch(sqlite3_file *file, sqlite3_int64 off, int n, void **p)
{
	struct vfile *f = (struct vfile *)file;
	int rc = vf_flush(f);

	return rc != SQLITE_OK ? rc
		: f->real->pMethods->xFetch(f->real, off, n, p);
}

static int
vf_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
	return REAL(file)->pMethods->xUnfetch(REAL(file), off, p);
}

static const sqlite3_io_methods vf_methods = {
	3, vf_close, vf_read, vf_write, vf_truncate, vf_sync, vf_size,
	vf_lock, vf_unlock, vf_reserved, vf_control, vf_sector, vf_device,
	vf_shm_map, vf_shm_lock, vf_shm_barrier, vf_shm_unmap, vf_fetch,
	vf_unfetch,
};

static int
vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags,
	 int *out_flags)
{
	struct vfile *f = (struct vfile *)file;
	int rc;

	(void)vfs;
	memset(f, 0, sizeof *f);
	f->real = (sqlite3_file *)(f + 1);
	f->wal = !!(flags & SQLITE_OPEN_WAL);
	f->name = name;
	rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
	/* Our methods only over an open file: SQLite calls xClose exactly
	 * when pMethods is set. The platform's methods are version 3. */
	f->base.pMethods = f->real->pMethods && f->real->pMethods->iVersion >= 3
		? &vf_methods : NULL;
	if (!f->base.pMethods && f->real->pMethods) {
		f->real->pMethods->xClose(f->real);
		if (rc == SQLITE_OK)
			rc = SQLITE_CANTOPEN;
	}
	/* A WAL is paired with its database file (opened through us before
	 * it), whose write lock bounds what may stay gathered. Without its
	 * pair a WAL gathers nothing. */
	if (rc == SQLITE_OK && f->base.pMethods && f->wal) {
		sqlite3_file *db = sqlite3_database_file_object(name);
		if (db && db->pMethods == &vf_methods) {
			f->pair = (struct vfile *)db;
			f->pair->pair = f;
		} else {
			f->wal = 0;
		}
	}
	return rc;
}

static int
vfs_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
	(void)vfs;
	return real_vfs->xDelete(real_vfs, name, sync_dir);
}

static int
vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
	(void)vfs;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}

static int
vfs_full(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
	(void)vfs;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}

static int
vfs_random(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xRandomness(real_vfs, n, out);
}

static int
vfs_sleep(sqlite3_vfs *vfs, int us)
{
	(void)vfs;
	return real_vfs->xSleep(real_vfs, us);
}

static int
vfs_time(sqlite3_vfs *vfs, double *out)
{
	(void)vfs;
	return real_vfs->xCurrentTime(real_vfs, out);
}

static int
vfs_error(sqlite3_vfs *vfs, int n, char *out)
{
	(void)vfs;
	return real_vfs->xGetLastError(real_vfs, n, out);
}

static int
vfs_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
	(void)vfs;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static sqlite3_vfs vfs = {
	2, 0, 0, NULL, VFS_NAME, NULL, vfs_open, vfs_delete, vfs_access,
	vfs_full, NULL, NULL, NULL, NULL, vfs_random, vfs_sleep, vfs_time,
	vfs_error, vfs_time64, NULL, NULL, NULL,
};

static int vfs_rc = SQLITE_OK;

static void
vfs_register_once(void)
{
	/* The first use of SQLite in the process, before it initializes:
	 * no count of memory in use, which costs a global mutex around
	 * every allocation (a no-op if something initialized it before). */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (!(real_vfs = sqlite3_vfs_find(NULL)) || real_vfs->iVersion < 2) {
		vfs_rc = SQLITE_ERROR;
		return;
	}
	vfs.szOsFile = (int)sizeof(struct vfile) + real_vfs->szOsFile;
	vfs.mxPathname = real_vfs->mxPathname;
	vfs_rc = sqlite3_vfs_register(&vfs, 0);
}

const char *
vfs_name(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, vfs_register_once);
	return vfs_rc == SQLITE_OK ? VFS_NAME : NULL;
}
