/*
 * check_powerloss.c - the power-loss library checked on itself.
 *
 *	[LD_PRELOAD=powerloss.so] check_powerloss CUT
 *
 * Each case runs in a child (this program again, with the environment
 * it was given, so under the library when it was preloaded) on a fresh
 * directory: the child writes, syncs or not, says "ready" on a pipe and
 * waits; it is killed with SIGKILL, CUT is run on the directory, and
 * what is left on the disk is compared with what a power cut must
 * leave. Without the library the disk keeps what was never synced, and
 * the cases that say so fail: that is the point of running it both ways.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define NAME "pldata"
#define REORDER_PAGES 8
#define REORDER_RUNS 12

extern char **environ;

static int nchecks, nfail;

static void
result(int ok, const char *what, const char *why)
{
	nchecks++;
	if (!ok)
		nfail++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", nchecks, what);
	if (!ok && why && *why)
		printf("#   %s\n", why);
	fflush(stdout);
}

/* ---- the children ---- */

static int report_fd = -1;

static void
say(const char *msg)
{
	char line[256];
	int n = snprintf(line, sizeof line, "%s\n", msg);

	if (write(report_fd, line, (size_t)n) != n)
		_exit(3);
}

static void
fill(int fd, int c, off_t off, size_t len)
{
	char buf[PAGE];

	memset(buf, c, sizeof buf);
	while (len) {
		size_t n = len < sizeof buf ? len : sizeof buf;
		if (pwrite(fd, buf, n, off) != (ssize_t)n)
			_exit(4);
		off += (off_t)n;
		len -= n;
	}
}

static void
sync_dir(const char *dir)
{
	int d = open(dir, O_RDONLY | O_DIRECTORY);

	if (d < 0 || fsync(d) < 0)
		_exit(5);
	close(d);
}

/* A file of n pages of c, synced, its name synced in dir. */
static int
make_synced(const char *dir, int c, int pages)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof path, "%s/" NAME, dir);
	if ((fd = open(path, O_RDWR | O_CREAT, 0644)) < 0)
		_exit(6);
	fill(fd, c, 0, (size_t)pages * PAGE);
	if (fsync(fd) < 0)
		_exit(7);
	sync_dir(dir);
	return fd;
}

static void *
sync_thread(void *arg)
{
	int fd = *(int *)arg;

	*(int *)arg = fdatasync(fd);
	return NULL;
}

/* (d): every way the program looks at its own unsynced changes. */
static const char *
own_writes(const char *dir, int fd)
{
	char path[PATH_MAX], buf[PAGE];
	struct stat st;

	snprintf(path, sizeof path, "%s/" NAME, dir);
	if (pwrite(fd, "DDDDDDDDDD", 10, 100) != 10)
		return "pwrite";
	if (lseek(fd, 2 * PAGE, SEEK_SET) != 2 * PAGE)
		return "lseek SEEK_SET";
	memset(buf, 'E', sizeof buf);
	if (write(fd, buf, PAGE) != PAGE)
		return "write";
	if (pread(fd, buf, 20, 95) != 20 || memcmp(buf, "AAAAADDDDDDDDDDAAAAA", 20))
		return "pread does not see the unsynced pwrite";
	if (pread(fd, buf, PAGE, PAGE) != PAGE || buf[0] || buf[PAGE - 1])
		return "the hole between the old end and the write is not zeros";
	if (pread(fd, buf, PAGE, 2 * PAGE) != PAGE || buf[0] != 'E')
		return "pread does not see the unsynced write";
	if (fstat(fd, &st) < 0 || st.st_size != 3 * PAGE)
		return "fstat does not see the new size";
	if (stat(path, &st) < 0 || st.st_size != 3 * PAGE)
		return "stat does not see the new size";
	if (lseek(fd, 0, SEEK_END) != 3 * PAGE)
		return "lseek SEEK_END does not see the new size";
	if (lseek(fd, 0, SEEK_SET) != 0 || read(fd, buf, 101) != 101 ||
	    buf[100] != 'D' || lseek(fd, 0, SEEK_CUR) != 101)
		return "read does not see the unsynced pwrite or move the offset";
	if (ftruncate(fd, PAGE + 10) < 0)
		return "ftruncate";
	if (fstat(fd, &st) < 0 || st.st_size != PAGE + 10)
		return "fstat does not see the truncate";
	if (pread(fd, buf, PAGE, PAGE) != 10)
		return "a read past the truncated end is not short";
	if (ftruncate(fd, 2 * PAGE) < 0 || pread(fd, buf, PAGE, PAGE) != PAGE ||
	    buf[100] != 0)
		return "a file grown after a truncate does not read zeros";
	return NULL;
}

static int
child(const char *c, const char *dir)
{
	char path[PATH_MAX], buf[64];
	const char *bad;
	pthread_t t;
	int fd, fd2, i;

	snprintf(path, sizeof path, "%s/" NAME, dir);
	switch (c[0]) {
	case 'a':
		make_synced(dir, 'A', 1);
		break;
	case 'b':
		fd = make_synced(dir, 'A', 1);
		fill(fd, 'B', 0, 2 * PAGE);
		break;
	case 'c':
		fd = make_synced(dir, 'A', 1);
		fill(fd, 'C', 0, 2 * PAGE);
		if ((fd2 = dup(fd)) < 0)
			return 8;
		i = fd2;
		if (pthread_create(&t, NULL, sync_thread, &i) ||
		    pthread_join(t, NULL) || i != 0)
			return 9;
		break;
	case 'd':
		fd = make_synced(dir, 'A', 1);
		bad = own_writes(dir, fd);
		snprintf(buf, sizeof buf, "ready %s", bad ? bad : "ok");
		say(buf);
		pause();
		return 0;
	case 'e':
		/* Synced itself, never its name. And a shared-memory file. */
		if ((fd = open(path, O_RDWR | O_CREAT, 0644)) < 0)
			return 10;
		fill(fd, 'A', 0, PAGE);
		if (fsync(fd) < 0)
			return 11;
		snprintf(path, sizeof path, "%s/" NAME "-shm", dir);
		if ((fd2 = open(path, O_RDWR | O_CREAT, 0644)) < 0)
			return 12;
		fill(fd2, 'S', 0, PAGE);
		break;
	case 'f':
		fd = make_synced(dir, 'o', REORDER_PAGES);
		for (i = 0; i < REORDER_PAGES; i++)
			fill(fd, 'n', (off_t)i * PAGE, PAGE);
		break;
	default:
		return 2;
	}
	say("ready");
	pause();
	return 0;
}

/* ---- the parent ---- */

static const char *cut_tool;

/* Run CUT on dir, outside the library. */
static int
run_cut(const char *dir, unsigned seed)
{
	char s[32], *argv[] = { (char *)cut_tool, "-q", "-s", s,
				(char *)dir, NULL };
	char *env[256];
	size_t n = 0, i;
	pid_t pid;
	int st;

	snprintf(s, sizeof s, "%u", seed);
	for (i = 0; environ[i] && n < 255; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11))
			env[n++] = environ[i];
	env[n] = NULL;
	if ((pid = fork()) == 0) {
		execve(cut_tool, argv, env);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Case c in a fresh directory under root, killed once it is ready and
 * the cut made; its "ready" line in reply. */
static int
crash(const char *root, const char *c, const char *mode, unsigned seed,
      char *dir, size_t dirlen, char *reply, size_t rlen)
{
	static int seq;
	char fdbuf[16];
	int p[2], st;
	size_t got = 0;
	pid_t pid;

	snprintf(dir, dirlen, "%s/%s%d", root, c, ++seq);
	if (mkdir(dir, 0755) < 0 || pipe(p) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		close(p[0]);
		snprintf(fdbuf, sizeof fdbuf, "%d", p[1]);
		setenv("POWERLOSS_MATCH", NAME, 1);
		setenv("POWERLOSS_MODE", mode, 1);
		execl("/proc/self/exe", "check_powerloss", "child", c, dir,
		      fdbuf, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (got + 1 < rlen) {
		ssize_t r = read(p[0], reply + got, 1);
		if (r <= 0 || reply[got] == '\n')
			break;
		got++;
	}
	reply[got] = '\0';
	close(p[0]);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	if (strncmp(reply, "ready", 5))
		return -1;
	return run_cut(dir, seed);
}

/* The file is exactly the pattern: pages of one byte each. */
static int
holds(const char *dir, const char *name, const char *pages, char *why,
      size_t wlen)
{
	char path[PATH_MAX], buf[PAGE];
	size_t i, n = strlen(pages);
	struct stat st;
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) < 0) {
		snprintf(why, wlen, "%s: %s", name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 0;
	}
	if (st.st_size != (off_t)(n * PAGE)) {
		snprintf(why, wlen, "%s is %lld bytes, wanted %zu", name,
			 (long long)st.st_size, n * PAGE);
		close(fd);
		return 0;
	}
	for (i = 0; i < n; i++) {
		size_t b = 0;
		if (pread(fd, buf, PAGE, (off_t)(i * PAGE)) == PAGE)
			while (b < PAGE && buf[b] == pages[i])
				b++;
		if (b < PAGE) {
			snprintf(why, wlen, "%s page %zu is '%c', wanted '%c'",
				 name, i, buf[0], pages[i]);
			close(fd);
			return 0;
		}
	}
	close(fd);
	return 1;
}

static int
gone(const char *dir, const char *name, char *why, size_t wlen)
{
	char path[PATH_MAX];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (access(path, F_OK) == 0) {
		snprintf(why, wlen, "%s is still there", name);
		return 0;
	}
	return 1;
}

/* The new pages of case f: a suffix ("ooonnnn"), or something else. */
static int
reorder_runs(const char *root, char *why, size_t wlen)
{
	char dir[PATH_MAX], reply[128], path[PATH_MAX + 16];
	char got[REORDER_PAGES + 1];
	int run, i, partial = 0, fd;

	for (run = 0; run < REORDER_RUNS; run++) {
		if (crash(root, "f", "reorder", (unsigned)run + 1, dir,
			  sizeof dir, reply, sizeof reply) < 0) {
			snprintf(why, wlen, "the child or the cut failed");
			return 0;
		}
		snprintf(path, sizeof path, "%s/" NAME, dir);
		if ((fd = open(path, O_RDONLY)) < 0)
			return 0;
		for (i = 0; i < REORDER_PAGES; i++) {
			char c = '?';
			if (pread(fd, &c, 1, (off_t)i * PAGE) != 1)
				c = '-';
			got[i] = c;
		}
		got[i] = '\0';
		close(fd);
		printf("#   seed %d: pages %s (o old, n new)\n", run + 1, got);
		for (i = 1; i < REORDER_PAGES; i++)
			if (got[i - 1] == 'n' && got[i] == 'o') {
				snprintf(why, wlen, "seed %d: an earlier page "
					 "persisted but a later one not: %s",
					 run + 1, got);
				return 0;
			}
		if (got[0] == 'o' && got[REORDER_PAGES - 1] == 'n')
			partial++;
	}
	if (!partial)
		snprintf(why, wlen, "in %d cuts, never a later page without "
			 "the earlier ones", REORDER_RUNS);
	return partial > 0;
}

int
main(int argc, char **argv)
{
	char root[] = "/tmp/check_powerloss.XXXXXX", dir[PATH_MAX];
	char reply[128], why[256], cmd[PATH_MAX + 16];
	const char *preload = getenv("LD_PRELOAD");
	int ok;

	if (argc == 5 && strcmp(argv[1], "child") == 0) {
		report_fd = atoi(argv[4]);
		return child(argv[2], argv[3]);
	}
	if (argc != 2) {
		fprintf(stderr, "usage: check_powerloss CUT\n");
		return 2;
	}
	cut_tool = argv[1];
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 2;
	}
	printf("# library: %s\n", preload && *preload ? preload : "none");

#define CASE(c, mode, desc, test) do { \
	why[0] = '\0'; \
	ok = crash(root, c, mode, 1, dir, sizeof dir, reply, sizeof reply) == 0; \
	if (!ok) \
		snprintf(why, sizeof why, "the child or the cut failed (%s)", reply); \
	result(ok && (test), desc, why); \
} while (0)

	CASE("a", "drop", "(a) data written and fsync'ed survives the cut",
	     holds(dir, NAME, "A", why, sizeof why));
	CASE("b", "drop", "(b) data written and not synced is lost at the cut",
	     holds(dir, NAME, "A", why, sizeof why));
	CASE("c", "drop", "(c) an fdatasync of a dup'ed descriptor from "
	     "another thread makes the data durable",
	     holds(dir, NAME, "CC", why, sizeof why));
	CASE("d", "drop", "(d) reads, fstat, stat and lseek see the "
	     "program's own unsynced changes",
	     strcmp(reply, "ready ok") == 0 ||
	     (snprintf(why, sizeof why, "%s", reply + 6), 0));
	result(holds(dir, NAME, "A", why, sizeof why),
	       "(d) ... and none of them is on the disk after the cut", why);
	CASE("e", "drop", "(e) a new file whose directory was never synced "
	     "is gone after the cut", gone(dir, NAME, why, sizeof why));
	result(gone(dir, NAME "-shm", why, sizeof why),
	       "(e) a -shm file is gone after the cut", why);
	why[0] = '\0';
	result(reorder_runs(root, why, sizeof why),
	       "(f) reorder: later pages can persist while earlier ones do "
	       "not, never the reverse", why);

	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	printf("# %d checks, %d failed\n", nchecks, nfail);
	return nfail ? 1 : 0;
}
