/*
 * bench_console.c - figures, not pass/fail: the full-screen console as an
 * officer's terminal sees it, with 100,000 incidents loaded through the
 * real binary. The console runs on a pseudo-terminal (80x24); this
 * program reads everything it writes and reports:
 *   - the import time of the 100,000-row ledger,
 *   - the first paint (time of the last byte of the first burst, bytes),
 *   - the bytes written when one visible field (an incident title) is
 *     changed by another program, net of the status-line clock,
 *   - the peak memory (VmHWM) and the CPU used per idle minute,
 *   - whether 'q' ends it with status 0.
 * The same change is measured again with TERM=vt100 (monochrome), on a
 * copy of the database so it cannot disturb the idle figure it runs
 * beside. Reference figures and budgets are printed beside ours.
 *
 * Run from the top of the tree (make bench does): it runs ./dutydesk, or
 * the binary named by BENCH_DUTYDESK (with DUTYDESK_ASSETS set to
 * ./assets unless already set), and warns when that binary is a
 * sanitizer build. BENCH_IDLE_SECS sets the idle
 * interval (60 by default). BENCH_DUMP=DIR keeps the raw terminal output
 * of every measured change window in DIR, to look at with cat -v.
 */
#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdarg.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/bench/benchlib.h"

#define BIG_N 100000
#define SPAN_SECS (7 * 86400)   /* received_at spread over a week... */
#define NEWEST_AGO (2 * 3600)   /* ...the newest 2 h old: late, on top */
#define QUIET_PAINT 0.200       /* the first paint ends after this gap */
#define QUIET_BURST 0.050       /* a tick's burst ends after this gap */
#define IDLE_BYTES_SECS 5.0     /* window for the idle clock bytes */
#define CHANGE_SECS 2.0         /* window after an outside change */
#define REPEATS 3

/* Reference figures (product owner, this machine) and budgets. */
#define REF_ROW 64.0
#define REF_ROW_COLOUR 116.0
#define REF_ROW_SCROLL 150.0
#define REF_START_MS 1.3
#define REF_PEAK_MB 2.2
#define REF_HTOP_PEAK_MB 3.8
#define REF_HTOP_CPU_MIN 0.12
#define BUDGET_ROW_FACTOR 1.5
#define BUDGET_PAINT_MS 50.0
#define BUDGET_PEAK_MB 8.0
#define BUDGET_IDLE_CPU 0.1

static const char *bin = "./dutydesk";
static char dir[] = "/tmp/dutydesk-bench-console-XXXXXX";
static int have_dir;
static volatile sig_atomic_t interrupted;

/* One console on its pseudo-terminal. */
struct sess {
	const char *name;       /* "xterm-256color", "vt100" */
	pid_t pid;              /* 0 once reaped */
	int fd;                 /* master side, -1 once closed */
	int status;             /* wait status once reaped */
	double t0;              /* just before forkpty */
	long long bytes;        /* all bytes read so far */
	double first_at, last_at; /* time of the first and last byte read */
	FILE *dump;             /* raw copy of the output, or NULL */
};

#define NSESS 2
static struct sess *sessions[NSESS];

/* Seconds into the current wall-clock minute (the console's ages move
 * on the minute of time(NULL)). */
static double
minute_phase(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)(ts.tv_sec % 60) + ts.tv_nsec / 1e9;
}

static void
reap(struct sess *s, int sig)
{
	if (s->pid > 0) {
		if (sig)
			kill(s->pid, sig);
		if (waitpid(s->pid, &s->status, 0) == s->pid)
			s->pid = 0;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->dump)
		fclose(s->dump);
	s->dump = NULL;
}

static void
cleanup(void)
{
	int i;

	for (i = 0; i < NSESS; i++)
		if (sessions[i])
			reap(sessions[i], SIGKILL);
	if (bench_child > 0) {
		kill(bench_child, SIGKILL);
		waitpid(bench_child, NULL, 0);
		bench_child = 0;
	}
	if (have_dir) {
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		have_dir = 0;
	}
}

static void
fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("bench_console: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cleanup();
	exit(1);
}

static void
on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* ---- reading the terminals ---- */

/* Read what a session has written; returns bytes read (0 when nothing
 * is waiting), marks the session gone at end of file / EIO. */
static long
drain_one(struct sess *s)
{
	char buf[65536];
	long got = 0;

	while (s->fd >= 0) {
		ssize_t n = read(s->fd, buf, sizeof buf);
		if (n > 0) {
			double t = now_s();
			if (s->bytes == 0)
				s->first_at = t;
			s->last_at = t;
			s->bytes += n;
			got += n;
			if (s->dump)
				fwrite(buf, 1, (size_t)n, s->dump);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		/* 0 or EIO: the slave side is closed, the console is gone. */
		close(s->fd);
		s->fd = -1;
	}
	return got;
}

/* Wait at most timeout seconds for output of any session, read it all. */
static void
pump_once(double timeout)
{
	struct pollfd pf[NSESS];
	struct sess *who[NSESS];
	int n = 0, i, ms;

	if (interrupted)
		fail("interrupted");
	for (i = 0; i < NSESS; i++) {
		if (sessions[i] && sessions[i]->fd >= 0) {
			pf[n].fd = sessions[i]->fd;
			pf[n].events = POLLIN;
			pf[n].revents = 0;
			who[n++] = sessions[i];
		}
	}
	if (timeout < 0)
		timeout = 0;
	ms = (int)(timeout * 1000 + 0.999);
	if (n == 0) {
		if (ms > 0)
			poll(NULL, 0, ms);
		return;
	}
	if (poll(pf, (nfds_t)n, ms) <= 0)
		return;
	for (i = 0; i < n; i++)
		if (pf[i].revents)
			drain_one(who[i]);
}

/* Keep reading every session until the monotonic time until. */
static void
pump_until(double until)
{
	double t;

	while ((t = now_s()) < until)
		pump_once(until - t);
}

/* The next burst of s: wait up to max_wait for a first byte, then read
 * until quiet seconds pass without output. Returns the bytes (0 when
 * nothing came); *first and *last get the times of its first and last
 * byte. */
static long long
next_burst(struct sess *s, double max_wait, double quiet, double *first,
	   double *last)
{
	long long b0 = s->bytes;
	double deadline = now_s() + max_wait, start = 0, t;

	while (s->bytes == b0) {
		if (s->fd < 0 || (t = now_s()) >= deadline)
			return 0;
		pump_once(deadline - t);
	}
	start = s->last_at;
	/* Our first read of the burst: the time of its first byte. */
	for (;;) {
		t = now_s();
		if (s->fd < 0 || t - s->last_at >= quiet)
			break;
		pump_once(quiet - (t - s->last_at));
	}
	if (first)
		*first = start;
	if (last)
		*last = s->last_at;
	return s->bytes - b0;
}

/*
 * Put s at mid-phase of its one-second tick, so a window that starts now
 * holds whole ticks with half a second of margin at both ends; and make
 * sure no minute boundary (when every age on screen moves) falls within
 * the next len seconds. Returns the time the window may start.
 */
static double
align_tick(struct sess *s, double len)
{
	double first = 0, mid;
	int tries;

	for (tries = 0; tries < 4; tries++) {
		double ph;
		if (!next_burst(s, 1.6, QUIET_BURST, &first, NULL))
			fail("%s console: no clock tick for 1.6 s", s->name);
		mid = first + 0.5;
		ph = minute_phase() + (mid - now_s());
		/* The minute redraw comes with the first tick after :00, so
		 * up to a second later; keep the window clear of both. */
		if (ph >= 1.6 && ph + len <= 59.6) {
			pump_until(mid);
			return mid;
		}
		/* Let the minute pass (and its redraw), then align again. */
		pump_until(now_s() + (60.0 - ph) + 1.6);
	}
	fail("%s console: could not align to its clock", s->name);
}

/* Bytes of s during [start, start + len), and the bursts in it. */
struct window {
	long long bytes;
	int nburst;
	long long burst[8];
};

static void
window_run(struct sess *s, double start, double len, struct window *w)
{
	long long b, seen;
	double prev, end = start + len, t;

	memset(w, 0, sizeof *w);
	pump_until(start);
	/* What came before the start (there should be nothing) is not ours. */
	b = seen = s->bytes;
	prev = s->last_at;
	while ((t = now_s()) < end) {
		pump_once(end - t);
		if (s->bytes > seen) {
			if (w->nburst == 0 || s->last_at - prev > 0.2) {
				if (w->nburst < 8)
					w->nburst++;
			}
			w->burst[w->nburst - 1] += s->bytes - seen;
			seen = s->bytes;
			prev = s->last_at;
		}
	}
	w->bytes = s->bytes - b;
}

/* ---- processes ---- */

/* Run the binary with args; stdout into out (NUL-terminated), stderr
 * into err. Returns the exit status (-1 if killed). */
/* The consoles keep writing while a command runs (their clock). */
static void
pump_now(void)
{
	pump_once(0);
}

static int
run_cmd(const char *const *args, char *out, size_t outn, char *err,
	size_t errn, double *secs)
{
	int rc = bench_run(bin, args, out, outn, err, errn, 1e9, secs, 1000,
			   pump_now, &interrupted);

	if (rc == -2)
		fail("cannot run %s: %s", bin, strerror(errno));
	if (interrupted)
		fail("interrupted");
	return rc;
}

static void
must_run(const char *what, const char *const *args, char *out, size_t outn,
	 double *secs)
{
	char err[2048];
	int rc = run_cmd(args, out, outn, err, sizeof err, secs);

	if (rc != 0)
		fail("%s: exit %d: %s", what, rc, err);
}

static void
sess_start(struct sess *s, const char *term, const char *db)
{
	struct winsize ws;
	int fl;

	memset(&ws, 0, sizeof ws);
	ws.ws_row = 24;
	ws.ws_col = 80;
	s->fd = -1;
	s->name = term;
	fflush(stdout);
	s->t0 = now_s();
	s->pid = forkpty(&s->fd, NULL, NULL, &ws);
	if (s->pid < 0)
		fail("forkpty: %s", strerror(errno));
	if (s->pid == 0) {
		ioctl(0, TIOCSWINSZ, &ws);
		signal(SIGPIPE, SIG_DFL);
		setenv("TERM", term, 1);
		setenv("LANG", "C.UTF-8", 1);
		setenv("DUTYDESK_BELL", "off", 1);
		/* Nothing may override LANG or the window size. */
		unsetenv("LC_ALL");
		unsetenv("LC_CTYPE");
		unsetenv("LC_MESSAGES");
		unsetenv("LANGUAGE");
		unsetenv("LINES");
		unsetenv("COLUMNS");
		execl(bin, bin, "--db", db, "--officer", "bench", (char *)NULL);
		_exit(127);
	}
	fl = fcntl(s->fd, F_GETFL);
	fcntl(s->fd, F_SETFL, fl | O_NONBLOCK);
	fcntl(s->fd, F_SETFD, FD_CLOEXEC);
}

/* 'q', then wait (reading) up to 5 s; 1 when it exited with 0. */
static int
sess_quit(struct sess *s, double *secs)
{
	double t0 = now_s(), deadline = t0 + 5;

	if (s->fd >= 0 && write(s->fd, "q", 1) != 1)
		fprintf(stderr, "bench_console: write q: %s\n", strerror(errno));
	while (s->pid > 0 && now_s() < deadline) {
		pid_t r = waitpid(s->pid, &s->status, WNOHANG);
		if (r == s->pid) {
			s->pid = 0;
			break;
		}
		pump_once(0.02);
	}
	*secs = now_s() - t0;
	if (s->pid > 0) {
		reap(s, SIGKILL);
		return 0;
	}
	reap(s, 0);
	return WIFEXITED(s->status) && WEXITSTATUS(s->status) == 0;
}

/* utime + stime of pid in seconds (clock ticks), or -1. */
static double
proc_cpu(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;
	size_t n;
	int i;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "r")))
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	/* Fields after the command name: state is field 3, utime 14. */
	if (!(p = strrchr(buf, ')')))
		return -1;
	p++;
	for (i = 3; i < 14 && p; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* ---- the data ---- */

static void
write_csv(const char *path)
{
	if (bench_ledger(path, BIG_N, NEWEST_AGO, SPAN_SECS))
		fail("cannot write %s: %s", path, strerror(errno));
}

/* Same display width, every letter and digit different. */
static void
flip_title(const char *in, char *out, size_t n)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < n; i++) {
		char c = in[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		else if (c >= '0' && c <= '9')
			c = (char)('0' + (c - '0' + 1) % 10);
		out[i] = c;
	}
	out[i] = 0;
}

/* ---- the measurements ---- */

struct result {
	int ok;
	double paint_ms, first_byte_ms;
	long long paint_bytes;
	double idle_bps;        /* bytes per idle second (the clock) */
	double change[REPEATS], median;
	double update_ms[REPEATS];
	double change_cpu_ms[REPEATS]; /* the console's CPU for each change */
	long paint_hwm_kb, paint_anon_kb;
};

static double
median3(const double *v)
{
	double a = v[0], b = v[1], c = v[2];

	if ((a <= b && b <= c) || (c <= b && b <= a))
		return b;
	if ((b <= a && a <= c) || (c <= a && a <= b))
		return a;
	return c;
}

static void
open_dump(struct sess *s, const char *what)
{
	const char *d = getenv("BENCH_DUMP");
	char path[4200];

	if (!d || !*d)
		return;
	if (s->dump)
		fclose(s->dump);
	snprintf(path, sizeof path, "%s/%s-%s.raw", d, s->name, what);
	s->dump = fopen(path, "w");
}

static void
close_dump(struct sess *s)
{
	if (s->dump)
		fclose(s->dump);
	s->dump = NULL;
}

/* First paint, idle clock bytes, and REPEATS outside title changes. */
static void
measure(struct sess *s, const char *db, const char *id, char *title,
	size_t titlen, struct result *r, const char *tag)
{
	struct window w;
	double first = 0, last = 0, start;
	int k;

	memset(r, 0, sizeof *r);
	open_dump(s, "paint");
	r->paint_bytes = next_burst(s, 10.0, QUIET_PAINT, &first, &last);
	close_dump(s);
	if (r->paint_bytes == 0)
		fail("%s console wrote nothing in 10 s (exit? %s)", tag,
		     s->fd < 0 ? "yes" : "no");
	r->paint_ms = 1000 * (last - s->t0);
	r->first_byte_ms = 1000 * (first - s->t0);
	printf("%s first paint: %.1f ms (last byte of the first burst; first "
	       "byte at %.1f ms), %lld bytes\n", tag, r->paint_ms,
	       r->first_byte_ms, r->paint_bytes);
	r->paint_hwm_kb = proc_status_kb(s->pid, "VmHWM");
	r->paint_anon_kb = proc_status_kb(s->pid, "RssAnon");
	printf("%s memory after the first paint: VmHWM %.1f MB, RssAnon %.1f "
	       "MB\n", tag, r->paint_hwm_kb / 1024.0, r->paint_anon_kb / 1024.0);

	/* The clock on the status line, every second. */
	start = align_tick(s, IDLE_BYTES_SECS);
	window_run(s, start, IDLE_BYTES_SECS, &w);
	r->idle_bps = w.bytes / IDLE_BYTES_SECS;
	printf("%s idle output: %.1f bytes/s over %.0f s (%d bursts; the "
	       "status-line clock)\n", tag, r->idle_bps, IDLE_BYTES_SECS,
	       w.nburst);

	for (k = 0; k < REPEATS; k++) {
		char out[256], newt[256], name[32];
		const char *args[] = { "--db", db, "--officer", "outside",
			"incident", "update", id, "--title", newt, NULL };
		double secs = 0, cpu0;
		int i;

		flip_title(title, newt, sizeof newt);
		start = align_tick(s, CHANGE_SECS);
		snprintf(name, sizeof name, "change%d", k + 1);
		open_dump(s, name);
		cpu0 = proc_sched(s->pid);
		/* The update runs inside the window: the console sees it on
		 * its next tick, half a second later. */
		must_run("incident update", args, out, sizeof out, &secs);
		r->update_ms[k] = 1000 * secs;
		window_run(s, start, CHANGE_SECS, &w);
		r->change_cpu_ms[k] = 1000 * (proc_sched(s->pid) - cpu0);
		close_dump(s);
		r->change[k] = w.bytes - r->idle_bps * CHANGE_SECS;
		snprintf(title, titlen, "%s", newt);
		printf("%s outside title change %d: %.0f bytes for the change "
		       "(%lld in %.0f s minus %.0f of clock; bursts:", tag, k + 1,
		       r->change[k], w.bytes, CHANGE_SECS,
		       r->idle_bps * CHANGE_SECS);
		for (i = 0; i < w.nburst; i++)
			printf(" %lld", w.burst[i]);
		printf("; update command %.0f ms; console CPU in the window "
		       "%.0f ms)\n", r->update_ms[k], r->change_cpu_ms[k]);
		if (r->change[k] <= 0)
			printf("%s   (the change did not show within %.0f s)\n", tag,
			       CHANGE_SECS);
	}
	r->median = median3(r->change);
	printf("%s outside title change: median %.0f bytes (reference: one "
	       "changed row %.0f, %.0f in colour, %.0f when the list scrolls)\n",
	       tag, r->median, REF_ROW, REF_ROW_COLOUR, REF_ROW_SCROLL);
	r->ok = 1;
}

static long
env_secs(const char *name, long def)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	return *end || n < 1 ? def : n;
}

static const char *
verdict(int within)
{
	return within ? "within" : "OVER";
}

int
main(void)
{
	char db[256], vdb[256], csv[256], out[8192], id[64],
	     title[256], vtitle[256];
	static struct sess xs, vs;
	struct result rx, rv;
	double secs, import_s, t, cpu0, cpu1, sch0, sch1, idle_t0, idle_len, quit_s = 0,
	       per_min, sched_per_min, colour_budget, mono_budget;
	long idle_secs = env_secs("BENCH_IDLE_SECS", 60), hwm_kb, rss_kb,
	     rollovers;
	time_t idle_w0;
	long long idle_b0, idle_bytes;
	int vt_ok = 0, exit_ok, vquit_ok = 0, san;
	cJSON *list, *row;

	if (getenv("BENCH_DUTYDESK") && *getenv("BENCH_DUTYDESK"))
		bin = getenv("BENCH_DUTYDESK");
	if (access(bin, X_OK) != 0) {
		fprintf(stderr, "bench_console: %s not found; build it (make all) "
			"and run from the top of the tree\n", bin);
		return 1;
	}
	san = sanitized(bin);
	bench_begin(on_interrupt);
	xs.fd = vs.fd = -1;

	if (!mkdtemp(dir))
		fail("mkdtemp: %s", strerror(errno));
	have_dir = 1;
	snprintf(db, sizeof db, "%s/s.db", dir);
	snprintf(vdb, sizeof vdb, "%s/v.db", dir);
	snprintf(csv, sizeof csv, "%s/big.csv", dir);

	/* 1. A station, and 100,000 incidents through the real binary. */
	printf("== console benchmark (%s, 80x24, %d incidents) ==\n", bin, BIG_N);
	if (san)
		printf("WARNING: %s is a sanitizer build (make SANITIZE=1 puts one "
		       "there): time, CPU and memory figures are not the "
		       "product's; run make all first, or set BENCH_DUTYDESK\n", bin);
	{
		const char *a[] = { "--db", db, "init", "--station", "linhai",
			"--role", "command", NULL };
		must_run("init", a, out, sizeof out, &secs);
		printf("setup: init %.0f ms\n", 1000 * secs);
	}
	t = now_s();
	write_csv(csv);
	printf("setup: %d-row CSV written in %.0f ms\n", BIG_N, 1000 * (now_s() - t));
	{
		const char *a[] = { "--db", db, "import", "incidents", csv, NULL };
		must_run("import", a, out, sizeof out, &import_s);
		printf("import of %d incidents: %.2f s (%.0f rows/s)\n", BIG_N,
		       import_s, BIG_N / import_s);
	}
	{
		const char *a[] = { "--db", db, "incident", "list", "--limit", "1",
			"--json", NULL };
		must_run("incident list", a, out, sizeof out, NULL);
		list = cJSON_Parse(out);
		row = cJSON_GetArrayItem(list, 0);
		if (!row || !cJSON_IsString(cJSON_GetObjectItem(row, "id")) ||
		    !cJSON_IsString(cJSON_GetObjectItem(row, "title")))
			fail("incident list --json: unexpected output: %.200s", out);
		snprintf(id, sizeof id, "%s", cJSON_GetObjectItem(row, "id")->valuestring);
		snprintf(title, sizeof title, "%s",
			 cJSON_GetObjectItem(row, "title")->valuestring);
		snprintf(vtitle, sizeof vtitle, "%s", title);
		cJSON_Delete(list);
		printf("setup: newest incident %s \"%s\" (top row of the list)\n",
		       id, title);
	}
	{
		/* The vt100 console gets its own copy: its changes must not
		 * reach the console whose idle CPU is being measured. */
		const char *a[] = { "--db", db, "backup", vdb, NULL };
		must_run("backup", a, out, sizeof out, NULL);
	}

	/* 2-3. The colour console: first paint, outside changes. */
	sessions[0] = &xs;
	sess_start(&xs, "xterm-256color", db);
	measure(&xs, db, id, title, sizeof title, &rx, "[xterm-256color]");

	/* 5. Idle CPU of that console; the vt100 comparison runs on the
	 * copy meanwhile (the first console sees none of it). */
	idle_t0 = now_s();
	idle_w0 = time(NULL);
	idle_b0 = xs.bytes;
	cpu0 = proc_cpu(xs.pid);
	sch0 = proc_sched(xs.pid);
	printf("idle interval of %ld s starts (the vt100 comparison runs "
	       "meanwhile, on a copy of the database)\n", idle_secs);
	sessions[1] = &vs;
	sess_start(&vs, "vt100", vdb);
	measure(&vs, vdb, id, vtitle, sizeof vtitle, &rv, "[vt100]");
	vt_ok = rv.ok;
	vquit_ok = sess_quit(&vs, &secs);
	pump_until(idle_t0 + (double)idle_secs);
	idle_len = now_s() - idle_t0;
	rollovers = (long)(time(NULL) / 60 - idle_w0 / 60);
	cpu1 = proc_cpu(xs.pid);
	sch1 = proc_sched(xs.pid);
	idle_bytes = xs.bytes - idle_b0;
	per_min = (cpu1 - cpu0) * 60.0 / idle_len;
	sched_per_min = (sch1 - sch0) * 60.0 / idle_len;
	printf("idle CPU: %.3f s utime+stime over %.1f s = %.3f s per idle "
	       "minute (scheduler: %.4f s per minute); %lld bytes written "
	       "(reference: htop %.2f s per idle minute)\n", cpu1 - cpu0,
	       idle_len, per_min, sched_per_min, idle_bytes, REF_HTOP_CPU_MIN);
	printf("  (the interval held %ld minute rollover(s), when the console "
	       "redraws ages and recounts alerts%s)\n", rollovers, idle_len < 59
	       ? "; shorter than a minute, so that work is missed or over-"
	       "weighted: use 60 s for the figure" : "");

	/* 4. Peak memory, after all of the above. */
	hwm_kb = proc_status_kb(xs.pid, "VmHWM");
	rss_kb = proc_status_kb(xs.pid, "VmRSS");
	printf("peak memory (VmHWM): %.1f MB (after the first paint %.1f MB; "
	       "now VmRSS %.1f MB = anon %.1f + file %.1f; reference: minimal "
	       "ncurses %.1f MB, htop %.1f MB)\n", hwm_kb / 1024.0,
	       rx.paint_hwm_kb / 1024.0, rss_kb / 1024.0,
	       proc_status_kb(xs.pid, "RssAnon") / 1024.0,
	       proc_status_kb(xs.pid, "RssFile") / 1024.0, REF_PEAK_MB,
	       REF_HTOP_PEAK_MB);

	/* 6. q ends it. */
	exit_ok = sess_quit(&xs, &quit_s);
	printf("quit with 'q': %s (%.0f ms)\n", exit_ok ? "exited 0"
	       : "did NOT exit 0", 1000 * quit_s);
	if (vt_ok)
		printf("[vt100] quit with 'q': %s\n", vquit_ok ? "exited 0"
		       : "did NOT exit 0");

	colour_budget = BUDGET_ROW_FACTOR * REF_ROW_COLOUR;
	mono_budget = BUDGET_ROW_FACTOR * REF_ROW;
	printf("\n== summary: figure | reference | budget | verdict ==\n");
	if (san)
		printf("(WARNING: sanitizer build measured; see above)\n");
	printf("one visible field changed from outside, colour (median): "
	       "%.0f B | %.0f B | <= %.0f B (%.1fx) | %s\n", rx.median,
	       REF_ROW_COLOUR, colour_budget, BUDGET_ROW_FACTOR,
	       verdict(rx.median <= colour_budget));
	if (vt_ok)
		printf("one visible field changed from outside, vt100 (median): "
		       "%.0f B | %.0f B | <= %.0f B (%.1fx) | %s\n", rv.median,
		       REF_ROW, mono_budget, BUDGET_ROW_FACTOR,
		       verdict(rv.median <= mono_budget));
	printf("first paint: %.1f ms | %.1f ms | <= %.0f ms | %s\n", rx.paint_ms,
	       REF_START_MS, BUDGET_PAINT_MS, verdict(rx.paint_ms <= BUDGET_PAINT_MS));
	printf("peak memory: %.1f MB | %.1f MB | <= %.0f MB | %s\n",
	       hwm_kb / 1024.0, REF_PEAK_MB, BUDGET_PEAK_MB,
	       verdict(hwm_kb >= 0 && hwm_kb / 1024.0 <= BUDGET_PEAK_MB));
	printf("idle CPU per minute: %.3f s | htop %.2f s | < %.1f s | %s\n",
	       per_min, REF_HTOP_CPU_MIN, BUDGET_IDLE_CPU,
	       verdict(cpu0 >= 0 && per_min < BUDGET_IDLE_CPU));
	printf("quit with q: %s\n", exit_ok ? "exit 0" : "NOT exit 0");
	printf("import of %d incidents: %.2f s | - | (no budget)\n", BIG_N,
	       import_s);

	cleanup();
	return 0;
}
