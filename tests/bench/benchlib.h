/*
 * benchlib.h - what the benchmarks share: the clock, removing their
 * scratch directory, what /proc says of a process they started, and
 * whether the binary measured is a sanitizer build.
 */
#ifndef DUTYDESK_BENCHLIB_H
#define DUTYDESK_BENCHLIB_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_UNUSED __attribute__((unused))

static BENCH_UNUSED double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* For nftw(.., FTW_DEPTH | FTW_PHYS): remove everything below a dir. */
static BENCH_UNUSED int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* A field of /proc/PID/status in kB ("VmHWM"), or -1. */
static BENCH_UNUSED long
proc_status_kb(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t k = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, key, k) == 0 && line[k] == ':') {
			v = strtol(line + k + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Time on the CPU from the scheduler, in seconds (ns resolution), or -1. */
static BENCH_UNUSED double
proc_sched(pid_t pid)
{
	char path[64];
	unsigned long long ns;
	FILE *f;
	int ok;

	snprintf(path, sizeof path, "/proc/%d/schedstat", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	ok = fscanf(f, "%llu", &ns) == 1;
	fclose(f);
	return ok ? ns / 1e9 : -1;
}

/* 1 when the binary is a sanitizer build (make SANITIZE=1 copies one to
 * ./dutydesk): its time and memory figures mean nothing here. */
static BENCH_UNUSED int
sanitized(const char *path)
{
	static const char *const marks[] = { "libasan.so", "libtsan.so",
		"__asan_init", NULL };
	char buf[65536 + 64];
	size_t keep = 0, n;
	int i, found = 0;
	FILE *f = fopen(path, "rb");

	if (!f)
		return 0;
	while (!found && (n = fread(buf + keep, 1, sizeof buf - 64 - keep, f)) > 0) {
		n += keep;
		for (i = 0; marks[i] && !found; i++)
			found = memmem(buf, n, marks[i], strlen(marks[i])) != NULL;
		/* Keep a tail so a mark across two reads is still seen. */
		keep = n < 32 ? n : 32;
		memmove(buf, buf + n - keep, keep);
	}
	fclose(f);
	return found;
}

/* An incident ledger of n rows for `dutydesk import incidents`: the
 * newest received newest_ago seconds ago, the oldest span seconds
 * before it; five towns and five titles in turn. 0, or -1 (errno). */
static BENCH_UNUSED int
bench_ledger(const char *path, int n, int64_t newest_ago, int64_t span)
{
	static const char *const towns[] = { "datian", "gucheng", "duqiao",
		"shangpan", "taozhu" };
	/* At most 23 columns: the whole title shows in an 80-column list. */
	static const char *const titles[] = { "Road flooded car %05d",
		"Landslide on road %05d", "Tree down on wire %05d",
		"Basement flooding %05d", "Bridge closed %05d" };
	FILE *f = fopen(path, "w");
	int64_t now = (int64_t)time(NULL);
	char at[32], title[64];
	int i;

	if (!f)
		return -1;
	fputs("title,town,place,received_at,trapped\n", f);
	for (i = 0; i < n; i++) {
		time_t t = (time_t)(now - newest_ago -
				    (int64_t)(n - 1 - i) * span / n);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(title, sizeof title, titles[i % 5], i % 100000);
		fprintf(f, "%s,%s,km %d east ring road,%s,%d\n", title,
			towns[(i / 5) % 5], i % 97, at, i % 4);
	}
	return fclose(f) ? -1 : 0;
}

/* What every bench does first: the seed beside us for `init` (when the
 * binary is elsewhere), handler for the signals that end a run early,
 * no SIGPIPE, stdout by line. */
static BENCH_UNUSED void
bench_begin(void (*on_signal)(int))
{
	struct sigaction sa;

	if (!getenv("DUTYDESK_ASSETS") && access("assets/seed", R_OK) == 0) {
		char *abs = realpath("assets", NULL);
		if (abs)
			setenv("DUTYDESK_ASSETS", abs, 0);
		free(abs);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

/* A child run by bench_run(), for the bench's cleanup to kill, or 0. */
static pid_t bench_child;

/* Run path with args (argv[0] is path); stdout into out, stderr into err
 * (both NUL-terminated, cut to size, the rest read and dropped). After
 * timeout seconds it is killed. While it runs, idle (if any) is called
 * at least every poll_ms, and *stop set (a signal) ends the wait.
 * Returns the exit status, -1 when killed or stopped, -2 when it could
 * not be started (errno set). */
static BENCH_UNUSED int
bench_run(const char *path, const char *const *args, char *out, size_t outn,
	  char *err, size_t errn, double timeout, double *secs, int poll_ms,
	  void (*idle)(void), volatile sig_atomic_t *stop)
{
	int po[2], pe[2], st = 0, i, open_fds = 2, killed = 0;
	size_t no = 0, ne = 0;
	double t0 = now_s();
	const char *argv[40];

	argv[0] = path;
	for (i = 0; args[i] && i < 38; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	if (pipe2(po, O_CLOEXEC))
		return -2;
	if (pipe2(pe, O_CLOEXEC)) {
		close(po[0]);
		close(po[1]);
		return -2;
	}
	fflush(stdout);
	fflush(stderr);
	if ((bench_child = fork()) < 0) {
		for (i = 0; i < 2; i++) {
			close(po[i]);
			close(pe[i]);
		}
		bench_child = 0;
		return -2;
	}
	if (bench_child == 0) {
		signal(SIGPIPE, SIG_DFL);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	while (open_fds > 0) {
		struct pollfd pf[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
		char junk[4096];
		if (!killed && ((stop && *stop) || now_s() - t0 > timeout)) {
			kill(bench_child, SIGKILL);
			killed = 1;
		}
		if (poll(pf, 2, poll_ms) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			int fd = i == 0 ? po[0] : pe[0];
			char *buf = i == 0 ? out : err;
			size_t *len = i == 0 ? &no : &ne, cap = i == 0 ? outn : errn;
			ssize_t n;
			if (fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (*len + 1 < cap)
				n = read(fd, buf + *len, cap - 1 - *len);
			else
				n = read(fd, junk, sizeof junk);
			if (n > 0) {
				if (*len + 1 < cap)
					*len += (size_t)n;
			} else if (n == 0 || errno != EINTR) {
				close(fd);
				if (i == 0)
					po[0] = -1;
				else
					pe[0] = -1;
				open_fds--;
			}
		}
		if (idle)
			idle();
	}
	out[no] = 0;
	err[ne] = 0;
	waitpid(bench_child, &st, 0);
	bench_child = 0;
	if (secs)
		*secs = now_s() - t0;
	return !killed && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
