/*
 * server_disk.c - the server's realm databases as files: which drill
 * realms have a database beside the live one, the lock a running server
 * holds on each realm's database it has open (and who holds it), and
 * the removal of one (dutydeskd realm list|remove|status, and the
 * --max-realms count).
 *
 * Nothing here opens a database file itself: SQLite's locks on a file
 * are lost when the same process closes any other descriptor of it, and
 * the server counts its realms while it has them open.
 */
#include "sync/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What SQLite keeps beside a database, as the names of its files end. */
static const char *const side_files[] = { "-wal", "-shm", "-journal" };
#define NSIDE (sizeof side_files / sizeof side_files[0])

/* A realm's lock file: its database's path and ".lock" (a name no realm
 * database can have: a realm has no '.'). 0, or -1 when too long. */
static int
lock_path(const char *path, char *out, size_t n)
{
	int len = snprintf(out, n, "%s.lock", path);

	return len < 0 || (size_t)len >= n ? -1 : 0;
}

int
server_realm_lock(const char *path, const char *realm, int *fd, char *why,
		  size_t w)
{
	char lp[4200];
	struct stat a, b;
	struct flock fl;
	int d, e;

	*fd = -1;
	if (lock_path(path, lp, sizeof lp)) {
		snprintf(why, w, "%s: path too long", path);
		return DD_E_IO;
	}
	for (;;) {
		if ((d = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0) {
			snprintf(why, w, "%s: %s", lp, strerror(errno));
			return DD_E_IO;
		}
		memset(&fl, 0, sizeof fl);
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(d, F_SETLK, &fl) != 0) {
			e = errno;
			close(d);
			if (e == EACCES || e == EAGAIN) {
				snprintf(why, w, "realm %s is in use by a running "
					 "dutydeskd (%s is locked)", realm, lp);
				return DD_E_REFUSED;
			}
			snprintf(why, w, "%s: %s", lp, strerror(e));
			return DD_E_IO;
		}
		/* A remover unlinks the lock file while it holds it: a lock
		 * on a file no longer at lp guards nothing, so try again. */
		if (fstat(d, &a) == 0 && stat(lp, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
			*fd = d;
			return 0;
		}
		close(d);
	}
}

void
server_realm_unlock(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

int
server_realm_holder(const char *path, long *pid)
{
	char lp[4200];
	struct flock fl;
	int d, held;

	*pid = 0;
	if (lock_path(path, lp, sizeof lp))
		return -1;
	if ((d = open(lp, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? 0 : -1;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	held = fcntl(d, F_GETLK, &fl) == 0 ? fl.l_type != F_UNLCK : -1;
	if (held == 1 && fl.l_pid > 0)
		*pid = (long)fl.l_pid;
	close(d);
	return held;
}

int
server_realm_held(const char *path)
{
	long pid;

	return server_realm_holder(path, &pid);
}

/* The directory and the file name of a path, in dir (base points into
 * path). 0, or -1 when the directory's name does not fit. */
static int
split_path(const char *path, char *dir, size_t n, const char **base)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 1;

	if (len + 1 > n)
		return -1;
	if (!slash)
		memcpy(dir, ".", 2);
	else if (len == 0)
		memcpy(dir, "/", 2);
	else {
		memcpy(dir, path, len);
		dir[len] = 0;
	}
	*base = slash ? slash + 1 : path;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Whether name is the -wal, -shm or -journal file of another realm in
 * names (n of them, sorted). */
static int
side_file_of_realm(const char *name, char (*names)[40], size_t n)
{
	size_t k, len = strlen(name), sl;
	char base[40];

	for (k = 0; k < NSIDE; k++) {
		sl = strlen(side_files[k]);
		if (len <= sl || strcmp(name + len - sl, side_files[k]) != 0)
			continue;
		memcpy(base, name, len - sl);
		base[len - sl] = 0;
		if (bsearch(base, names, n, sizeof *names, by_name))
			return 1;
	}
	return 0;
}

int
server_realm_each(const char *db, int (*fn)(const char *realm, void *ctx),
		  void *ctx)
{
	char dir[4096], path[8300], (*names)[40] = NULL, (*more)[40];
	size_t n = 0, cap = 0, blen, i;
	const char *base;
	struct dirent *e;
	struct stat st;
	int count = 0, rc = 0;
	DIR *d;

	if (split_path(db, dir, sizeof dir, &base))
		return DD_E_IO;
	blen = strlen(base);
	if (!(d = opendir(dir)))
		return DD_E_IO;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, base, blen) != 0 || e->d_name[blen] != '.' ||
		    !realm_is_drill(e->d_name + blen + 1))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			if (!(more = realloc(names, cap * sizeof *names))) {
				rc = DD_E_NOMEM;
				goto out;
			}
			names = more;
		}
		snprintf(names[n++], sizeof *names, "%s", e->d_name + blen + 1);
	}
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (i = 0; i < n; i++) {
		if (side_file_of_realm(names[i], names, n))
			continue;
		count++;
		if (fn && (rc = fn(names[i], ctx)) != 0)
			goto out;
	}
	rc = count;
out:
	free(names);
	closedir(d);
	return rc;
}

int
server_realm_remove(const char *db, const char *realm, char *why, size_t w)
{
	char path[4096], side[4200];
	struct stat st;
	size_t k;
	int fd = -1, rc;

	if (!realm_is_drill(realm)) {
		snprintf(why, w, "%s", strcmp(realm, "live") == 0
			 ? "the live realm is never removed"
			 : "not a drill's realm name");
		return strcmp(realm, "live") == 0 ? DD_E_REFUSED : DD_E_INVALID;
	}
	if (server_realm_path(db, realm, path, sizeof path)) {
		snprintf(why, w, "%s: path too long", db);
		return DD_E_IO;
	}
	if (stat(path, &st) != 0) {
		snprintf(why, w, "no realm %s beside %s (%s)", realm, db,
			 strerror(errno));
		return errno == ENOENT ? DD_E_REFUSED : DD_E_IO;
	}
	if ((rc = server_realm_lock(path, realm, &fd, why, w)))
		return rc;
	/* Its side files first: a removal cut short leaves the database,
	 * which is listed and removed again, never a stray log. */
	for (k = 0; k <= NSIDE && rc == 0; k++) {
		if (k < NSIDE)
			snprintf(side, sizeof side, "%s%s", path, side_files[k]);
		else
			snprintf(side, sizeof side, "%s", path);
		if (unlink(side) != 0 && errno != ENOENT) {
			snprintf(why, w, "%s: %s", side, strerror(errno));
			rc = DD_E_IO;
		}
	}
	/* The lock file goes while it is held (a server waiting on it finds
	 * its lock stale and takes a new one, on a realm no longer there). */
	if (rc == 0 && lock_path(path, side, sizeof side) == 0)
		unlink(side);
	server_realm_unlock(&fd);
	return rc;
}
