/*
 * sqlite_crash.c - SQLite in WAL mode on the power-loss model's disk.
 *
 *	sqlite_crash LIB CUT MODE KILLS [full|normal|off]
 *
 * A writer (this program again, under LD_PRELOAD=LIB with
 * POWERLOSS_MODE=MODE) commits transactions of a few rows into one
 * database (journal_mode=WAL, the synchronous level given, FULL by
 * default, mmap_size=0, a checkpoint every 50 pages so the log restarts
 * often) and, once COMMIT has returned, appends the rows' ids to a list
 * outside the model. It is killed with SIGKILL at a random point: every
 * other run after a random while (5 to 150 ms), the others just before
 * a random write or sync of the database or its log (POWERLOSS_KILL_AT,
 * 1 to 3000), where the disk always holds something unsynced. CUT is run, and the database is opened without the library: PRAGMA
 * integrity_check must say ok and every listed id must be there. KILLS
 * times, on the same database. The figures are printed; the exit status
 * is 1 if a listed row was lost or the database was damaged.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define ID_RUN 1000000LL /* ids are run * ID_RUN + n: never reused */

extern char **environ;

static int
exec_sql(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* ---- the writer, under the library ---- */

static int
writer(const char *path, const char *ids, long run, const char *sync_level)
{
	char sql[128], line[64];
	sqlite3_stmt *ins = NULL;
	sqlite3 *db = NULL;
	long n = 0;
	int fd, rc;

	srand((unsigned)run * 7919u);
	if ((fd = open(ids, O_WRONLY | O_APPEND | O_CREAT, 0644)) < 0)
		return 3;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		return 3;
	sqlite3_busy_timeout(db, 5000);
	snprintf(sql, sizeof sql, "PRAGMA synchronous=%s", sync_level);
	if (exec_sql(db, "PRAGMA journal_mode=WAL") ||
	    exec_sql(db, sql) || exec_sql(db, "PRAGMA mmap_size=0") ||
	    exec_sql(db, "PRAGMA wal_autocheckpoint=50") ||
	    exec_sql(db, "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY "
		     "KEY, pad BLOB)") ||
	    sqlite3_prepare_v2(db, "INSERT INTO t VALUES(?, randomblob(?))",
			       -1, &ins, NULL))
		return 4;
	for (;;) {
		int rows = 1 + rand() % 12, i;
		long first = n + 1;
		if (exec_sql(db, "BEGIN IMMEDIATE"))
			return 5;
		for (i = 0; i < rows; i++) {
			sqlite3_bind_int64(ins, 1, run * ID_RUN + ++n);
			sqlite3_bind_int(ins, 2, rand() % 3000);
			rc = sqlite3_step(ins);
			sqlite3_reset(ins);
			if (rc != SQLITE_DONE)
				return 6;
		}
		/* Now and then rows go, so that pages are reused too. */
		if (rand() % 4 == 0 &&
		    exec_sql(db, "DELETE FROM t WHERE id IN (SELECT id FROM t "
			     "ORDER BY random() LIMIT 3) AND id % 7 = 0"))
			return 7;
		if (exec_sql(db, "COMMIT"))
			return 8;
		/* Committed: what is listed must survive any cut from now on
		 * (but the rows deleted by id % 7 are never listed). */
		for (; first <= n; first++) {
			long long id = run * ID_RUN + first;
			int len;
			if (id % 7 == 0)
				continue;
			len = snprintf(line, sizeof line, "%lld\n", id);
			if (write(fd, line, (size_t)len) != len)
				return 9;
		}
	}
}

/* ---- the driver, outside it ---- */

/* Run CUT on dir; what it says of the pending pages is added up: kills
 * that left unsynced pages, and those cut partly (some later pages kept,
 * earlier ones not). */
static long cut_pending, cut_partial;

static int
spawn_cut(const char *cut, const char *dir, unsigned seed)
{
	char s[32], line[512], name[256], *argv[] = { (char *)cut, "-s", s,
						    (char *)dir, NULL };
	int p[2], st, pending = 0, partial = 0;
	unsigned long kept, of;
	FILE *fp;
	pid_t pid;

	snprintf(s, sizeof s, "%u", seed);
	if (pipe(p) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execv(cut, argv);
		_exit(127);
	}
	close(p[1]);
	if ((fp = fdopen(p[0], "r"))) {
		while (fgets(line, sizeof line, fp))
			if (sscanf(line, "cut: %255[^:]: %lu of %lu", name, &kept,
				   &of) == 3 && of) {
				pending = 1;
				partial |= kept > 0 && kept < of;
			}
		fclose(fp);
	} else {
		close(p[0]);
	}
	cut_pending += pending;
	cut_partial += partial;
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
		WEXITSTATUS(st) == 0 ? 0 : -1;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* The database as it is after the cut: 0 if sound, its rows in *rows. */
static int
inspect(const char *path, long long **rows, size_t *nrows, char *ic,
	size_t iclen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc = -1;

	*rows = NULL;
	*nrows = 0;
	snprintf(ic, iclen, "cannot open");
	if (sqlite3_open(path, &db) != SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto out;
	snprintf(ic, iclen, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	st = NULL;
	if (strcmp(ic, "ok"))
		goto out;
	if (sqlite3_prepare_v2(db, "SELECT id FROM t", -1, &st, NULL)) {
		/* Killed before the table was ever committed. */
		rc = 0;
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (*nrows == cap) {
			cap = cap ? cap * 2 : 1024;
			*rows = realloc(*rows, cap * sizeof **rows);
			if (!*rows)
				goto out;
		}
		(*rows)[(*nrows)++] = sqlite3_column_int64(st, 0);
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

int
main(int argc, char **argv)
{
	char root[] = "/tmp/sqlite_crash.XXXXXX", path[256], ids[256];
	char ic[256], cmd[300], run_s[32], at[32];
	const char *lib, *cut, *mode, *level = "full";
	long kills, k, lost_total = 0, damaged = 0, acked = 0;
	long unacked_kept = 0, done = 0;
	unsigned seed0 = (unsigned)time(NULL);
	struct timespec ts;

	if (argc == 6 && strcmp(argv[1], "writer") == 0)
		return writer(argv[2], argv[3], atol(argv[4]), argv[5]);
	if (argc < 5 || argc > 6) {
		fprintf(stderr, "usage: sqlite_crash LIB CUT drop|reorder KILLS "
			"[full|normal|off]\n");
		return 2;
	}
	lib = argv[1];
	cut = argv[2];
	mode = argv[3];
	kills = atol(argv[4]);
	if (argc == 6)
		level = argv[5];
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof path, "%s/crash.db", root);
	snprintf(ids, sizeof ids, "%s/ids", root);
	srand(seed0);
	printf("# sqlite_crash: mode %s, synchronous=%s, %ld kills, seed %u\n",
	       mode, level, kills, seed0);
	for (k = 1; k <= kills; k++) {
		long long *rows = NULL, id;
		size_t nrows = 0;
		long lost = 0, listed = 0;
		FILE *fp;
		pid_t pid;
		int st, reaped;

		snprintf(run_s, sizeof run_s, "%ld", k);
		snprintf(at, sizeof at, "%d", 1 + rand() % 3000);
		if ((pid = fork()) == 0) {
			if (k % 2 == 0)
				setenv("POWERLOSS_KILL_AT", at, 1);
			setenv("LD_PRELOAD", lib, 1);
			setenv("POWERLOSS_MATCH", "crash.db", 1);
			setenv("POWERLOSS_MODE", mode, 1);
			execl("/proc/self/exe", "sqlite_crash", "writer", path, ids,
			      run_s, level, (char *)NULL);
			_exit(127);
		}
		/* A random point: 5 to 150 ms into the run, or the write or
		 * sync chosen (which comes well within 5 s). */
		reaped = 0;
		if (k % 2) {
			ts.tv_sec = 0;
			ts.tv_nsec = (5 + rand() % 146) * 1000000L;
			nanosleep(&ts, NULL);
		} else {
			int tries;
			ts.tv_sec = 0;
			ts.tv_nsec = 10000000L;
			for (tries = 0; tries < 500 && !reaped; tries++) {
				reaped = waitpid(pid, &st, WNOHANG) == pid;
				if (!reaped)
					nanosleep(&ts, NULL);
			}
		}
		if (!reaped) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		if (!WIFSIGNALED(st)) {
			printf("not ok - the writer of run %ld ended by itself "
			       "(status %d)\n", k, WEXITSTATUS(st));
			return 1;
		}
		if (spawn_cut(cut, root, seed0 + (unsigned)k) < 0) {
			printf("not ok - the cut of run %ld failed\n", k);
			return 1;
		}
		done++;
		if (inspect(path, &rows, &nrows, ic, sizeof ic) < 0) {
			damaged++;
			printf("# kill %ld (cut seed %u): integrity_check: %.70s\n",
			       k, seed0 + (unsigned)k, strtok(ic, "\n"));
			free(rows);
			/* Nothing more can be learnt from this database. */
			break;
		}
		qsort(rows, nrows, sizeof *rows, cmp_ll);
		if ((fp = fopen(ids, "r"))) {
			while (fscanf(fp, "%lld", &id) == 1) {
				listed++;
				if (!bsearch(&id, rows, nrows, sizeof *rows, cmp_ll))
					lost++;
			}
			fclose(fp);
		}
		/* Rows of this run that were never listed: commits made durable
		 * whose COMMIT had not returned (or not been listed) yet. */
		{
			size_t i;
			long mine = 0;
			for (i = 0; i < nrows; i++)
				if (rows[i] / ID_RUN == k && rows[i] % 7)
					mine++;
			fp = fopen(ids, "r");
			while (fp && fscanf(fp, "%lld", &id) == 1)
				if (id / ID_RUN == k)
					mine--;
			if (fp)
				fclose(fp);
			if (mine > 0)
				unacked_kept += mine;
		}
		if (lost > lost_total) {
			printf("# kill %ld (cut seed %u): %ld listed rows missing\n",
			       k, seed0 + (unsigned)k, lost - lost_total);
			lost_total = lost;
		}
		acked = listed;
		free(rows);
	}
	printf("# %ld kills, %ld rows acknowledged (COMMIT returned), %ld of "
	       "them lost, %ld databases failing integrity_check, %ld rows "
	       "kept whose COMMIT had not returned\n", done, acked, lost_total,
	       damaged, unacked_kept);
	if (strcmp(mode, "reorder") == 0)
		printf("# %ld cuts found unsynced pages; %ld of them kept some "
		       "later pages but not the earlier ones\n", cut_pending,
		       cut_partial);
	printf("%s - %s mode, synchronous=%s: every acknowledged row survives, "
	       "integrity ok\n", lost_total || damaged ? "not ok" : "ok", mode,
	       level);
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
	return lost_total || damaged ? 1 : 0;
}
