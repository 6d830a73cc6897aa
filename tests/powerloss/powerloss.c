/*
 * powerloss.c - a disk with a volatile write cache, for the files a
 * test names, loaded with LD_PRELOAD.
 *
 *	POWERLOSS_MATCH=county.db     the database of this name and its
 *	                              -wal, -journal and -shm files
 *	                              (several: separated by commas); not
 *	                              a server's county.db.lock or
 *	                              county.db.status, which are not data
 *	POWERLOSS_MODE=drop|reorder   what the cut does with unsynced data
 *	POWERLOSS_KILL_AT=N           the process kills itself (SIGKILL)
 *	                              just before its Nth write, truncate or
 *	                              sync of a held file: a cut at a chosen
 *	                              point
 *	POWERLOSS_KILL_AT=N:NAME@OFF:K  the same, counting from the Kth write
 *	                              to NAME at offset OFF (counted as 0),
 *	                              say the second WAL header of a run
 *	POWERLOSS_KILL_AT=sync:NAME@OFF:K  just before the first sync of NAME
 *	                              after that write
 *	POWERLOSS_TRACE=FILE          a line per write, truncate or sync of
 *	                              a held file ("N write NAME OFF LEN",
 *	                              N counting as POWERLOSS_KILL_AT does)
 *
 * Every write, truncate or size change of a matched file is held in
 * memory, per file (not per descriptor), in the order it was made, until
 * an fsync() or fdatasync() of any descriptor of that file; then the held
 * changes go to the real file in that order and the real sync is made.
 * Reads, fstat/stat and lseek(SEEK_END) see the real file overlaid with
 * what is held, so the program sees its own writes. sync_file_range()
 * is not a sync here: it neither orders nor flushes the disk's cache, and
 * SQLite does not rely on it.
 *
 * The power cut is SIGKILL: a killed process runs no code, and what it
 * held in memory is gone, as a disk cache is at a cut. What the cut must
 * do on the disk is left to the companion tool `cut DIR`, run after the
 * kill, from records the library keeps in DIR/.powerloss/ (DIR being the
 * matched file's directory):
 *
 *	journal        one line per event, appended as it happens:
 *	               "create NAME" a matched file was created;
 *	               "dirsync" DIR was fsync'ed (its entries are durable);
 *	               "shm NAME" a -shm file, deleted at the cut;
 *	               "exit" the process ended normally (no cut).
 *	NAME.pending   (reorder mode) the writes held for NAME since its
 *	               last sync, as records (struct pl_rec and the data).
 *
 * A file whose name ends in -shm matches but is never held: shared
 * memory does not survive a power cut, so the cut deletes it.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include "tests/powerloss/powerloss.h"

#define MAX_FD 4096
#define MAX_PAT 8

enum { OP_WRITE = PL_WRITE, OP_TRUNC = PL_TRUNC, OP_GROW = PL_GROW };

struct op {
	int kind;
	off_t off;     /* where a write goes; the size of a truncate or grow */
	size_t len;
	char *data;
};

struct pfile {
	struct pfile *next;
	dev_t dev;
	ino_t ino;
	char path[PATH_MAX];
	struct sdir *sd;
	struct op *ops;
	size_t nops, cap;
	int wfd;      /* our own writable descriptor, for the real writes */
	int pend_fd;  /* NAME.pending in reorder mode, or -1 */
};

/* A directory holding matched files: its journal. */
struct sdir {
	struct sdir *next;
	char path[PATH_MAX];
	int journal;
};

struct fdent {
	struct pfile *pf;
	int append;
	int writable;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct fdent fds[MAX_FD];
static struct pfile *files;
static struct sdir *sdirs;
static char pats[MAX_PAT][128];
static int npats;
static int reorder;
static int ready;
static pid_t owner;
static long kill_at, events;
static char kill_name[NAME_MAX + 1];
static long long kill_off;
static long kill_k, kill_seen, kill_since = -1;
static int kill_at_sync;
static int trace_fd = -1;

#define REAL(ret, name, args) static ret(*real_##name) args
REAL(int, open, (const char *, int, ...));
REAL(int, openat, (int, const char *, int, ...));
REAL(int, close, (int));
REAL(int, dup, (int));
REAL(int, dup2, (int, int));
REAL(int, dup3, (int, int, int));
REAL(int, fcntl, (int, int, ...));
REAL(ssize_t, read, (int, void *, size_t));
REAL(ssize_t, pread, (int, void *, size_t, off_t));
REAL(ssize_t, write, (int, const void *, size_t));
REAL(ssize_t, pwrite, (int, const void *, size_t, off_t));
REAL(ssize_t, writev, (int, const struct iovec *, int));
REAL(ssize_t, pwritev, (int, const struct iovec *, int, off_t));
REAL(int, ftruncate, (int, off_t));
REAL(int, fallocate, (int, int, off_t, off_t));
REAL(int, fsync, (int));
REAL(int, fdatasync, (int));
REAL(off_t, lseek, (int, off_t, int));
REAL(int, fstat, (int, struct stat *));
REAL(int, stat, (const char *, struct stat *));
REAL(int, lstat, (const char *, struct stat *));
REAL(int, fstatat, (int, const char *, struct stat *, int));
REAL(int, __fxstat, (int, int, struct stat *));
REAL(int, __xstat, (int, const char *, struct stat *));
REAL(int, __lxstat, (int, const char *, struct stat *));
REAL(int, __fxstatat, (int, int, const char *, struct stat *, int));
REAL(int, unlink, (const char *));
REAL(int, unlinkat, (int, const char *, int));

static void
die(const char *what)
{
	char msg[256];
	int n = snprintf(msg, sizeof msg, "powerloss: %s\n", what);

	if (real_write && n > 0)
		real_write(2, msg, (size_t)n);
	abort();
}

static void *
sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);

	if (!p)
		die(name);
	return p;
}

static void atfork_child(void);
static void at_exit(void);

/* Resolved on first use: other libraries' constructors may open files
 * before ours runs. */
static void
init_once(void)
{
	const char *m, *mode;

	real_open = sym("open");
	real_openat = sym("openat");
	real_close = sym("close");
	real_dup = sym("dup");
	real_dup2 = sym("dup2");
	real_dup3 = sym("dup3");
	real_fcntl = sym("fcntl");
	real_read = sym("read");
	real_pread = sym("pread");
	real_write = sym("write");
	real_pwrite = sym("pwrite");
	real_writev = sym("writev");
	real_pwritev = sym("pwritev");
	real_ftruncate = sym("ftruncate");
	real_fallocate = sym("fallocate");
	real_fsync = sym("fsync");
	real_fdatasync = sym("fdatasync");
	real_lseek = sym("lseek");
	real_fstat = sym("fstat");
	real_stat = sym("stat");
	real_lstat = sym("lstat");
	real_fstatat = sym("fstatat");
	real___fxstat = sym("__fxstat");
	real___xstat = sym("__xstat");
	real___lxstat = sym("__lxstat");
	real___fxstatat = sym("__fxstatat");
	real_unlink = sym("unlink");
	real_unlinkat = sym("unlinkat");

	if ((m = getenv("POWERLOSS_MATCH")) && *m) {
		while (*m && npats < MAX_PAT) {
			size_t n = strcspn(m, ",");
			if (n && n < sizeof pats[0]) {
				memcpy(pats[npats], m, n);
				pats[npats++][n] = '\0';
			}
			m += n + (m[n] == ',');
		}
	}
	if ((mode = getenv("POWERLOSS_TRACE")) && *mode)
		trace_fd = real_open(mode, O_WRONLY | O_CREAT | O_APPEND |
				     O_CLOEXEC, 0644);
	if ((mode = getenv("POWERLOSS_KILL_AT"))) {
		char *at;
		if (strncmp(mode, "sync:", 5) == 0) {
			kill_at_sync = 1;
			kill_at = 1;
			at = (char *)mode + 4;
		} else {
			kill_at = strtol(mode, &at, 10);
		}
		if (*at == ':' && (mode = strchr(at + 1, '@')) &&
		    (size_t)(mode - at - 1) < sizeof kill_name) {
			memcpy(kill_name, at + 1, (size_t)(mode - at - 1));
			kill_name[mode - at - 1] = '\0';
			kill_off = strtoll(mode + 1, &at, 10);
			kill_k = *at == ':' ? strtol(at + 1, NULL, 10) : 1;
		}
	}
	mode = getenv("POWERLOSS_MODE");
	reorder = mode && strcmp(mode, "reorder") == 0;
	owner = getpid();
	pthread_atfork(NULL, NULL, atfork_child);
	atexit(at_exit);
}

static void
init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	if (!ready) {
		pthread_once(&once, init_once);
		ready = 1;
	}
}

static int
name_matches(const char *path)
{
	const char *base = strrchr(path, '/');
	int i;

	base = base ? base + 1 : path;
	for (i = 0; i < npats; i++) {
		size_t n = strlen(pats[i]);
		if (strncmp(base, pats[i], n) == 0 &&
		    (!base[n] || !strcmp(base + n, "-wal") ||
		     !strcmp(base + n, "-journal") || !strcmp(base + n, "-shm")))
			return 1;
	}
	return 0;
}

static int
is_shm(const char *path)
{
	size_t n = strlen(path);

	return n >= 4 && strcmp(path + n - 4, "-shm") == 0;
}

static int
fd_path(int fd, char *out, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	if ((n = readlink(link, out, size - 1)) <= 0)
		return -1;
	out[n] = '\0';
	return 0;
}

static void
full_write(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = real_write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		c += w;
		n -= (size_t)w;
	}
}

/* ---- the journal (under mu) ---- */

static struct sdir *
sdir_get(const char *dir)
{
	struct sdir *s;
	char p[PATH_MAX + 32];

	for (s = sdirs; s; s = s->next)
		if (strcmp(s->path, dir) == 0)
			return s;
	if (!(s = calloc(1, sizeof *s)))
		die("out of memory");
	snprintf(s->path, sizeof s->path, "%s", dir);
	snprintf(p, sizeof p, "%s/" PL_STATE, dir);
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		die("cannot make the state directory");
	snprintf(p, sizeof p, "%s/" PL_STATE "/journal", dir);
	s->journal = real_open(p, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
			       0644);
	if (s->journal < 0)
		die("cannot open the journal");
	s->next = sdirs;
	sdirs = s;
	return s;
}

static void
journal(struct sdir *s, const char *what, const char *name)
{
	char line[PATH_MAX + 32];
	int n = snprintf(line, sizeof line, name ? "%s %s\n" : "%s\n", what,
			 name);

	if (n > 0 && (size_t)n < sizeof line)
		full_write(s->journal, line, (size_t)n);
}

static void
split_path(const char *path, char *dir, const char **base)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	memcpy(dir, path, n);
	dir[n] = '\0';
	if (!n)
		strcpy(dir, "/");
	*base = slash ? slash + 1 : path;
}

/* ---- held changes (under mu) ---- */

static struct pfile *
file_find(dev_t dev, ino_t ino)
{
	struct pfile *f;

	for (f = files; f; f = f->next)
		if (f->dev == dev && f->ino == ino)
			return f;
	return NULL;
}

static void
ops_clear(struct pfile *f)
{
	size_t i;

	for (i = 0; i < f->nops; i++)
		free(f->ops[i].data);
	f->nops = 0;
}

static void
pending_reset(struct pfile *f)
{
	if (f->pend_fd >= 0)
		real_ftruncate(f->pend_fd, 0);
}

static struct pfile *
file_get(const char *path, const struct stat *st)
{
	struct pfile *f = file_find(st->st_dev, st->st_ino);
	char dir[PATH_MAX], p[PATH_MAX + 64];
	const char *base;

	if (f)
		return f;
	if (!(f = calloc(1, sizeof *f)))
		die("out of memory");
	f->dev = st->st_dev;
	f->ino = st->st_ino;
	snprintf(f->path, sizeof f->path, "%s", path);
	split_path(f->path, dir, &base);
	f->sd = sdir_get(dir);
	f->wfd = -1;
	f->pend_fd = -1;
	if (reorder) {
		snprintf(p, sizeof p, "%s/" PL_STATE "/%s.pending", dir, base);
		f->pend_fd = real_open(p, O_WRONLY | O_CREAT | O_TRUNC |
				       O_APPEND | O_CLOEXEC, 0644);
		if (f->pend_fd < 0)
			die("cannot open a pending file");
	}
	f->next = files;
	files = f;
	return f;
}

static void
file_drop(struct pfile *f)
{
	struct pfile **pp;
	int i;

	for (pp = &files; *pp && *pp != f; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = f->next;
	for (i = 0; i < MAX_FD; i++)
		if (fds[i].pf == f)
			fds[i].pf = NULL;
	ops_clear(f);
	free(f->ops);
	if (f->wfd >= 0)
		real_close(f->wfd);
	if (f->pend_fd >= 0) {
		char dir[PATH_MAX], p[PATH_MAX + 64];
		const char *base;
		real_close(f->pend_fd);
		split_path(f->path, dir, &base);
		snprintf(p, sizeof p, "%s/" PL_STATE "/%s.pending", dir, base);
		real_unlink(p);
	}
	free(f);
}

static void
hold(struct pfile *f, int fd, int kind, off_t off, const void *data,
     size_t len)
{
	struct op *o;

	if (f->wfd < 0) {
		/* A description of our own: without O_APPEND, whose pwrite
		 * would go to the end whatever the offset. */
		char link[64];
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		if ((f->wfd = real_open(link, O_RDWR | O_CLOEXEC)) < 0)
			die("cannot reopen a held file for writing");
	}
	if (f->nops == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 64;
		struct op *n = realloc(f->ops, cap * sizeof *n);
		if (!n)
			die("out of memory");
		f->ops = n;
		f->cap = cap;
	}
	o = &f->ops[f->nops];
	o->kind = kind;
	o->off = off;
	o->len = len;
	o->data = NULL;
	if (len) {
		if (!(o->data = malloc(len)))
			die("out of memory");
		memcpy(o->data, data, len);
	}
	f->nops++;
	if (f->pend_fd >= 0) {
		struct pl_rec r = { (uint32_t)kind, (uint32_t)len, (int64_t)off };
		struct iovec iov[2] = {
			{ &r, sizeof r }, { (void *)data, len }
		};
		ssize_t want = (ssize_t)(sizeof r + len), w;
		if ((w = real_writev(f->pend_fd, iov, len ? 2 : 1)) != want)
			die("cannot write a pending record");
	}
}

/* The size the program sees: the real one, then each held change. */
static off_t
size_of(struct pfile *f, int fd)
{
	struct stat st;
	off_t real;
	size_t i;

	if (real_fstat(fd, &st) < 0)
		return -1;
	real = st.st_size;
	for (i = 0; i < f->nops; i++) {
		struct op *o = &f->ops[i];
		if (o->kind == OP_WRITE && o->off + (off_t)o->len > real)
			real = o->off + (off_t)o->len;
		else if (o->kind == OP_TRUNC)
			real = o->off;
		else if (o->kind == OP_GROW && o->off > real)
			real = o->off;
	}
	return real;
}

static ssize_t
overlay_pread(struct pfile *f, int fd, void *buf, size_t n, off_t off)
{
	off_t size = size_of(f, fd), end;
	size_t got = 0, i;
	char *b = buf;

	if (size < 0)
		return -1;
	if (off >= size || !n)
		return 0;
	if ((off_t)n > size - off)
		n = (size_t)(size - off);
	end = off + (off_t)n;
	while (got < n) {
		ssize_t r = real_pread(fd, b + got, n - got, off + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	memset(b + got, 0, n - got);
	for (i = 0; i < f->nops; i++) {
		struct op *o = &f->ops[i];
		if (o->kind == OP_WRITE) {
			off_t lo = o->off > off ? o->off : off;
			off_t hi = o->off + (off_t)o->len < end
				? o->off + (off_t)o->len : end;
			if (lo < hi)
				memcpy(b + (lo - off), o->data + (lo - o->off),
				       (size_t)(hi - lo));
		} else if (o->kind == OP_TRUNC && o->off < end) {
			off_t lo = o->off > off ? o->off : off;
			memset(b + (lo - off), 0, (size_t)(end - lo));
		}
	}
	return (ssize_t)n;
}

/* Write the held changes to the real file, in order. */
static int
apply(struct pfile *f)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < f->nops && rc == 0; i++) {
		struct op *o = &f->ops[i];
		struct stat st;
		size_t done = 0;
		switch (o->kind) {
		case OP_WRITE:
			while (done < o->len) {
				ssize_t w = real_pwrite(f->wfd, o->data + done,
							o->len - done,
							o->off + (off_t)done);
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0) {
					rc = -1;
					break;
				}
				done += (size_t)w;
			}
			break;
		case OP_TRUNC:
			rc = real_ftruncate(f->wfd, o->off);
			break;
		case OP_GROW:
			if (real_fstat(f->wfd, &st) == 0 && st.st_size < o->off)
				rc = real_ftruncate(f->wfd, o->off);
			break;
		}
	}
	if (rc == 0) {
		ops_clear(f);
		pending_reset(f);
	}
	return rc;
}

/* Is the event about to be made the one to die at? */
static int
kill_now(struct pfile *f, const char *what, long long off)
{
	const char *base = strrchr(f->path, '/');

	if (kill_at <= 0)
		return 0;
	if (!kill_name[0])
		return events >= kill_at;
	if (kill_since >= 0 && kill_at_sync)
		return strcmp(what, "sync") == 0 &&
			strcmp(base ? base + 1 : f->path, kill_name) == 0;
	if (kill_since >= 0)
		return ++kill_since >= kill_at;
	if (strcmp(what, "write") == 0 && off == kill_off &&
	    strcmp(base ? base + 1 : f->path, kill_name) == 0 &&
	    ++kill_seen == kill_k)
		kill_since = 0;
	return 0;
}

/* A write or sync of a held file is about to be made (under mu): the
 * cut comes before it, or it goes to the trace. */
static void
tick(struct pfile *f, const char *what, long long off, size_t len)
{
	events++;
	if (kill_now(f, what, off))
		kill(getpid(), SIGKILL);
	if (trace_fd >= 0) {
		char line[PATH_MAX + 96];
		const char *base = strrchr(f->path, '/');
		int n = snprintf(line, sizeof line, "%ld %s %s %lld %zu\n",
				 events, what, base ? base + 1 : f->path, off,
				 len);
		if (n > 0 && (size_t)n < sizeof line)
			full_write(trace_fd, line, (size_t)n);
	}
}

static struct pfile *
held(int fd)
{
	return fd >= 0 && fd < MAX_FD ? fds[fd].pf : NULL;
}

/* ---- descriptors ---- */

static void
fd_forget(int fd)
{
	if (fd >= 0 && fd < MAX_FD)
		fds[fd].pf = NULL;
}

static void
fd_copy(int from, int to)
{
	if (to < 0 || to >= MAX_FD)
		return;
	if (from >= 0 && from < MAX_FD)
		fds[to] = fds[from];
	else
		fds[to].pf = NULL;
}

/* After a successful open: is it a file we hold? 1 if so. */
static int
opened(int fd, int flags, int created)
{
	char path[PATH_MAX], dir[PATH_MAX];
	const char *base;
	struct stat st;
	struct pfile *f = NULL;

	if (fd < 0 || !npats)
		return 0;
	pthread_mutex_lock(&mu);
	fd_forget(fd);
	if (fd_path(fd, path, sizeof path) < 0 || !name_matches(path) ||
	    real_fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		goto out;
	split_path(path, dir, &base);
	if (strstr(path, "/" PL_STATE "/"))
		goto out;
	if (is_shm(path)) {
		journal(sdir_get(dir), "shm", base);
		goto out;
	}
	if (fd >= MAX_FD)
		die("a held file's descriptor is too high");
	if (created && (f = file_find(st.st_dev, st.st_ino)))
		file_drop(f); /* a new file on a reused inode */
	f = file_get(path, &st);
	if (created)
		journal(f->sd, "create", base);
	fds[fd].pf = f;
	fds[fd].append = !!(flags & O_APPEND);
	fds[fd].writable = (flags & O_ACCMODE) != O_RDONLY;
	if ((flags & O_TRUNC) && fds[fd].writable)
		hold(f, fd, OP_TRUNC, 0, NULL, 0);
out:
	pthread_mutex_unlock(&mu);
	return f != NULL;
}

static int
do_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	int fd, created = 0, trunc = 0;

	init();
	if (npats && path && name_matches(path)) {
		if ((flags & O_CREAT) &&
		    faccessat(dirfd, path, F_OK, 0) < 0 && errno == ENOENT)
			created = 1;
		/* A truncate at open is held like any other. */
		trunc = flags & O_TRUNC;
		flags &= ~O_TRUNC;
	}
	fd = real_openat(dirfd, path, flags, mode);
	/* A file we turn out not to hold is truncated at once. */
	if (fd >= 0 && !opened(fd, flags | trunc, created) && trunc &&
	    (flags & O_ACCMODE) != O_RDONLY)
		real_ftruncate(fd, 0);
	return fd;
}

#define OPEN_MODE(flags, mode) do { \
	if ((flags) & (O_CREAT | O_TMPFILE)) { \
		va_list ap; \
		va_start(ap, flags); \
		mode = (mode_t)va_arg(ap, int); \
		va_end(ap); \
	} \
} while (0)

int
open(const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return do_openat(AT_FDCWD, path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return do_openat(AT_FDCWD, path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return do_openat(dirfd, path, flags, mode);
}

int
openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;

	OPEN_MODE(flags, mode);
	return do_openat(dirfd, path, flags, mode);
}

int
__open_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

int
__open64_2(const char *path, int flags)
{
	return do_openat(AT_FDCWD, path, flags, 0);
}

int
creat(const char *path, mode_t mode)
{
	return do_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int
creat64(const char *path, mode_t mode)
{
	return do_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int
close(int fd)
{
	init();
	pthread_mutex_lock(&mu);
	fd_forget(fd);
	pthread_mutex_unlock(&mu);
	return real_close(fd);
}

int
dup(int fd)
{
	int n;

	init();
	pthread_mutex_lock(&mu);
	if ((n = real_dup(fd)) >= 0)
		fd_copy(fd, n);
	pthread_mutex_unlock(&mu);
	return n;
}

int
dup2(int fd, int to)
{
	int n;

	init();
	pthread_mutex_lock(&mu);
	if ((n = real_dup2(fd, to)) >= 0 && n != fd)
		fd_copy(fd, n);
	pthread_mutex_unlock(&mu);
	return n;
}

int
dup3(int fd, int to, int flags)
{
	int n;

	init();
	pthread_mutex_lock(&mu);
	if ((n = real_dup3(fd, to, flags)) >= 0)
		fd_copy(fd, n);
	pthread_mutex_unlock(&mu);
	return n;
}

static int
do_fcntl(int fd, int cmd, void *arg)
{
	int n;

	init();
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC) {
		pthread_mutex_lock(&mu);
		if ((n = real_fcntl(fd, cmd, arg)) >= 0)
			fd_copy(fd, n);
		pthread_mutex_unlock(&mu);
		return n;
	}
	n = real_fcntl(fd, cmd, arg);
	if (cmd == F_SETFL && n == 0) {
		pthread_mutex_lock(&mu);
		if (held(fd))
			fds[fd].append = !!((long)arg & O_APPEND);
		pthread_mutex_unlock(&mu);
	}
	return n;
}

int
fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

int
fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return do_fcntl(fd, cmd, arg);
}

/* ---- data ---- */

static ssize_t
do_pwrite(int fd, const void *buf, size_t n, off_t off, int positional)
{
	struct pfile *f;
	ssize_t rc;

	init();
	pthread_mutex_lock(&mu);
	if (!(f = held(fd))) {
		pthread_mutex_unlock(&mu);
		return positional ? real_pwrite(fd, buf, n, off)
			: real_write(fd, buf, n);
	}
	if (!fds[fd].writable) {
		errno = EBADF;
		rc = -1;
	} else if (positional && off < 0) {
		errno = EINVAL;
		rc = -1;
	} else {
		if (!positional) {
			off = fds[fd].append ? size_of(f, fd)
				: real_lseek(fd, 0, SEEK_CUR);
		}
		tick(f, "write", off, n);
		if (n)
			hold(f, fd, OP_WRITE, off, buf, n);
		if (!positional)
			real_lseek(fd, off + (off_t)n, SEEK_SET);
		rc = (ssize_t)n;
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

ssize_t
write(int fd, const void *buf, size_t n)
{
	return do_pwrite(fd, buf, n, 0, 0);
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return do_pwrite(fd, buf, n, off, 1);
}

ssize_t
pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	return do_pwrite(fd, buf, n, (off_t)off, 1);
}

/* A vector is gathered into one buffer and held as one write. */
static ssize_t
do_pwritev(int fd, const struct iovec *iov, int cnt, off_t off,
	   int positional)
{
	size_t total = 0, at = 0;
	ssize_t rc;
	char *buf;
	int i;

	init();
	pthread_mutex_lock(&mu);
	i = held(fd) != NULL;
	pthread_mutex_unlock(&mu);
	if (!i)
		return positional ? real_pwritev(fd, iov, cnt, off)
			: real_writev(fd, iov, cnt);
	for (i = 0; i < cnt; i++)
		total += iov[i].iov_len;
	if (!(buf = malloc(total ? total : 1))) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < cnt; i++) {
		memcpy(buf + at, iov[i].iov_base, iov[i].iov_len);
		at += iov[i].iov_len;
	}
	rc = do_pwrite(fd, buf, total, off, positional);
	free(buf);
	return rc;
}

ssize_t
writev(int fd, const struct iovec *iov, int cnt)
{
	return do_pwritev(fd, iov, cnt, 0, 0);
}

ssize_t
pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	return do_pwritev(fd, iov, cnt, off, 1);
}

ssize_t
pwritev64(int fd, const struct iovec *iov, int cnt, off64_t off)
{
	return do_pwritev(fd, iov, cnt, (off_t)off, 1);
}

static ssize_t
do_pread(int fd, void *buf, size_t n, off_t off, int positional)
{
	struct pfile *f;
	ssize_t rc;

	init();
	pthread_mutex_lock(&mu);
	if (!(f = held(fd))) {
		pthread_mutex_unlock(&mu);
		return positional ? real_pread(fd, buf, n, off)
			: real_read(fd, buf, n);
	}
	if (!positional)
		off = real_lseek(fd, 0, SEEK_CUR);
	rc = overlay_pread(f, fd, buf, n, off);
	if (!positional && rc > 0)
		real_lseek(fd, off + rc, SEEK_SET);
	pthread_mutex_unlock(&mu);
	return rc;
}

ssize_t
read(int fd, void *buf, size_t n)
{
	return do_pread(fd, buf, n, 0, 0);
}

ssize_t
pread(int fd, void *buf, size_t n, off_t off)
{
	return do_pread(fd, buf, n, off, 1);
}

ssize_t
pread64(int fd, void *buf, size_t n, off64_t off)
{
	return do_pread(fd, buf, n, (off_t)off, 1);
}

static int
do_ftruncate(int fd, off_t size)
{
	struct pfile *f;
	int rc = 0;

	init();
	pthread_mutex_lock(&mu);
	if (!(f = held(fd))) {
		pthread_mutex_unlock(&mu);
		return real_ftruncate(fd, size);
	}
	if (size < 0) {
		errno = EINVAL;
		rc = -1;
	} else if (!fds[fd].writable) {
		errno = EINVAL;
		rc = -1;
	} else {
		tick(f, "truncate", size, 0);
		hold(f, fd, OP_TRUNC, size, NULL, 0);
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

int
ftruncate(int fd, off_t size)
{
	return do_ftruncate(fd, size);
}

int
ftruncate64(int fd, off64_t size)
{
	return do_ftruncate(fd, (off_t)size);
}

/* Plain allocation grows the size (held); with FALLOC_FL_KEEP_SIZE it
 * changes nothing the program can see and goes through. Other modes
 * (punching holes, collapsing ranges) are refused on held files. */
static int
do_fallocate(int fd, int mode, off_t off, off_t len)
{
	struct pfile *f;
	int rc = 0;

	init();
	pthread_mutex_lock(&mu);
	if (!(f = held(fd)) || mode == 1 /* FALLOC_FL_KEEP_SIZE */) {
		pthread_mutex_unlock(&mu);
		return real_fallocate(fd, mode, off, len);
	}
	if (mode != 0) {
		errno = EOPNOTSUPP;
		rc = -1;
	} else if (off < 0 || len <= 0) {
		errno = EINVAL;
		rc = -1;
	} else {
		hold(f, fd, OP_GROW, off + len, NULL, 0);
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

int
fallocate(int fd, int mode, off_t off, off_t len)
{
	return do_fallocate(fd, mode, off, len);
}

int
fallocate64(int fd, int mode, off64_t off, off64_t len)
{
	return do_fallocate(fd, mode, (off_t)off, (off64_t)len);
}

static int
do_sync(int fd, int data_only)
{
	struct pfile *f;
	struct stat st;
	int rc = 0;

	init();
	pthread_mutex_lock(&mu);
	if ((f = held(fd))) {
		tick(f, "sync", 0, f->nops);
		rc = apply(f);
	} else if (npats && real_fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		char path[PATH_MAX];
		struct sdir *s;
		if (fd_path(fd, path, sizeof path) == 0)
			for (s = sdirs; s; s = s->next)
				if (strcmp(s->path, path) == 0)
					journal(s, "dirsync", NULL);
	}
	pthread_mutex_unlock(&mu);
	if (rc < 0)
		return rc;
	return data_only ? real_fdatasync(fd) : real_fsync(fd);
}

int
fsync(int fd)
{
	return do_sync(fd, 0);
}

int
fdatasync(int fd)
{
	return do_sync(fd, 1);
}

static off_t
do_lseek(int fd, off_t off, int whence)
{
	struct pfile *f;
	off_t rc;

	init();
	pthread_mutex_lock(&mu);
	if (!(f = held(fd)) || whence != SEEK_END) {
		pthread_mutex_unlock(&mu);
		return real_lseek(fd, off, whence);
	}
	rc = size_of(f, fd);
	if (rc >= 0) {
		if (rc + off < 0) {
			errno = EINVAL;
			rc = -1;
		} else {
			rc = real_lseek(fd, rc + off, SEEK_SET);
		}
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

off_t
lseek(int fd, off_t off, int whence)
{
	return do_lseek(fd, off, whence);
}

off64_t
lseek64(int fd, off64_t off, int whence)
{
	return (off64_t)do_lseek(fd, (off_t)off, whence);
}

/* ---- sizes: a stat of a held file says the size the program sees ---- */

static void
fix_size(int fd, struct stat *st)
{
	struct pfile *f;
	off_t size;

	pthread_mutex_lock(&mu);
	f = fd >= 0 ? held(fd) : file_find(st->st_dev, st->st_ino);
	if (f && f->nops && (size = size_of(f, fd >= 0 ? fd : f->wfd)) >= 0)
		st->st_size = size;
	pthread_mutex_unlock(&mu);
}

/* On x86-64 struct stat and struct stat64 are one layout. */
_Static_assert(sizeof(struct stat) == sizeof(struct stat64),
	       "struct stat and stat64 differ");

int
fstat(int fd, struct stat *st)
{
	int rc;

	init();
	if ((rc = real_fstat(fd, st)) == 0 && npats)
		fix_size(fd, st);
	return rc;
}

int
fstat64(int fd, struct stat64 *st)
{
	return fstat(fd, (struct stat *)st);
}

int
__fxstat(int ver, int fd, struct stat *st)
{
	int rc;

	init();
	if ((rc = real___fxstat(ver, fd, st)) == 0 && npats)
		fix_size(fd, st);
	return rc;
}

int
__fxstat64(int ver, int fd, struct stat64 *st)
{
	return __fxstat(ver, fd, (struct stat *)st);
}

int
stat(const char *path, struct stat *st)
{
	int rc;

	init();
	if ((rc = real_stat(path, st)) == 0 && npats)
		fix_size(-1, st);
	return rc;
}

int
stat64(const char *path, struct stat64 *st)
{
	return stat(path, (struct stat *)st);
}

int
lstat(const char *path, struct stat *st)
{
	int rc;

	init();
	if ((rc = real_lstat(path, st)) == 0 && npats)
		fix_size(-1, st);
	return rc;
}

int
lstat64(const char *path, struct stat64 *st)
{
	return lstat(path, (struct stat *)st);
}

int
fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	int rc;

	init();
	if ((rc = real_fstatat(dirfd, path, st, flags)) == 0 && npats)
		fix_size(-1, st);
	return rc;
}

int
fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	return fstatat(dirfd, path, (struct stat *)st, flags);
}

int
__xstat(int ver, const char *path, struct stat *st)
{
	int rc;

	init();
	if ((rc = real___xstat(ver, path, st)) == 0 && npats)
		fix_size(-1, st);
	return rc;
}

int
__xstat64(int ver, const char *path, struct stat64 *st)
{
	return __xstat(ver, path, (struct stat *)st);
}

int
__lxstat(int ver, const char *path, struct stat *st)
{
	int rc;

	init();
	if ((rc = real___lxstat(ver, path, st)) == 0 && npats)
		fix_size(-1, st);
	return rc;
}

int
__lxstat64(int ver, const char *path, struct stat64 *st)
{
	return __lxstat(ver, path, (struct stat *)st);
}

int
__fxstatat(int ver, int dirfd, const char *path, struct stat *st, int flags)
{
	int rc;

	init();
	if ((rc = real___fxstatat(ver, dirfd, path, st, flags)) == 0 && npats)
		fix_size(-1, st);
	return rc;
}

int
__fxstatat64(int ver, int dirfd, const char *path, struct stat64 *st,
	     int flags)
{
	return __fxstatat(ver, dirfd, path, (struct stat *)st, flags);
}

/* ---- names ---- */

/* An unlink is taken as durable at once (see the limits in the
 * README): what was held for the file goes with it. */
static void
unlinking(int dirfd, const char *path)
{
	struct stat st;
	struct pfile *f;

	if (!npats || !name_matches(path) ||
	    real_fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return;
	pthread_mutex_lock(&mu);
	if ((f = file_find(st.st_dev, st.st_ino)))
		file_drop(f);
	pthread_mutex_unlock(&mu);
}

int
unlink(const char *path)
{
	init();
	unlinking(AT_FDCWD, path);
	return real_unlink(path);
}

int
unlinkat(int dirfd, const char *path, int flags)
{
	init();
	if (!(flags & AT_REMOVEDIR))
		unlinking(dirfd, path);
	return real_unlinkat(dirfd, path, flags);
}

/* ---- the process's end ---- */

/* A forked child holds a copy of its parent's changes: they are not its
 * own to write, and it writes nothing at its exit. */
static void
atfork_child(void)
{
	pthread_mutex_init(&mu, NULL);
	owner = 0;
}

/* A process that ends normally had no power cut: the kernel would write
 * what it held back in time, so it goes to the real files now. */
static void
at_exit(void)
{
	struct pfile *f;
	struct sdir *s;

	if (owner != getpid())
		return;
	pthread_mutex_lock(&mu);
	for (f = files; f; f = f->next)
		if (f->nops && f->wfd >= 0)
			apply(f);
	for (s = sdirs; s; s = s->next)
		journal(s, "exit", NULL);
	pthread_mutex_unlock(&mu);
}
