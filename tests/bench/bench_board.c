/*
 * bench_board.c - figures, not pass/fail: the town board (board_rows) on
 * a county that holds 100,000 incidents, 2,000 of them from each of five
 * town stations (so that their last-heard comes from the log), the rest
 * taken at the command station, a tenth of them open, and 200 warnings
 * to every town. The console loads the board once a minute and at every
 * change: its time is set beside duty_counts' (the status line's counts,
 * loaded as often) and a budget.
 *
 * Run from the top of the tree (make bench does); BENCH_BOARD_N sets the
 * number of incidents.
 */
#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/bench/benchlib.h"

#define TOWN_STATIONS 5
#define PER_TOWN 2000
#define WARNINGS 200
#define REPEATS 20
#define BUDGET_MS 100.0

static const char *const towns[] = { "gucheng", "dayang", "jiangnan",
	"datian", "shaojiadu", "xunqiao", "dongcheng", "huixi", "xiaozhi",
	"hetou", "baishuiyang", "kuocang", "yongfeng", "shangpan", "taozhu",
	"duqiao", "yongquan", "youxi", "yanjiang" };
#define NTOWNS (sizeof towns / sizeof towns[0])

static int64_t fake_ms;

static int64_t
fake_now(void *ctx)
{
	(void)ctx;
	return fake_ms;
}

static const struct dd_clock fake_clock = { fake_now, NULL };

static struct db *
station(const char *dir, const char *code, int role)
{
	char path[512];
	struct db *db = NULL;

	snprintf(path, sizeof path, "%s/%s.db", dir, code);
	if (db_open(path, DB_CREATE, &db) ||
	    (db_set_clock(db, &fake_clock), db_set_officer(db, "bench"),
	     station_init(db, code, role, "live", 1))) {
		fprintf(stderr, "bench_board: %s: %s\n", code, db_errmsg(db));
		exit(1);
	}
	return db;
}

/* n incidents at db, in one transaction, a tenth left open. */
static void
incidents(struct db *db, const char *town, int n, int spread)
{
	cJSON *f;
	char id[64];
	int i;

	if (db_begin(db))
		exit(1);
	for (i = 0; i < n; i++) {
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "town", spread ? towns[i % NTOWNS] : town);
		cJSON_AddStringToObject(f, "title", "bench");
		cJSON_AddNumberToObject(f, "dead", i % 3);
		cJSON_AddNumberToObject(f, "evacuated", i % 50);
		fake_ms += 1000;
		if (incident_add(db, f, id) ||
		    (i % 10 && incident_set_status(db, id, "closed"))) {
			fprintf(stderr, "bench_board: %s\n", db_errmsg(db));
			exit(1);
		}
		cJSON_Delete(f);
	}
	if (db_end(db, 0))
		exit(1);
}

static int
send_one(const struct op *op, void *ctx)
{
	return op_apply(ctx, op) < 0;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(void)
{
	char dir[] = "/tmp/dutydesk-bench-board-XXXXXX";
	const char *nv = getenv("BENCH_BOARD_N");
	int n = nv ? atoi(nv) : 100000, i, k;
	double t0, board_ms[REPEATS], counts_ms[REPEATS], load;
	struct duty_counts c;
	struct db *county, *town;
	cJSON *rows = NULL, *all;

	if (!getenv("DUTYDESK_ASSETS"))
		setenv("DUTYDESK_ASSETS", "assets", 1);
	assets_set_dir(getenv("DUTYDESK_ASSETS"));
	if (!mkdtemp(dir))
		return 1;
	fake_ms = (int64_t)time(NULL) * 1000 - (int64_t)n * 1000 - 3600000;
	t0 = now_s();
	county = station(dir, "linhai", ROLE_COMMAND);
	for (k = 0; k < TOWN_STATIONS && k * PER_TOWN < n; k++) {
		town = station(dir, towns[k], ROLE_TOWN);
		incidents(town, towns[k], PER_TOWN, 0);
		db_begin(county);
		if (op_each(town, 0, send_one, county)) {
			fprintf(stderr, "bench_board: %s\n", db_errmsg(county));
			return 1;
		}
		db_end(county, 0);
		db_close(&town);
	}
	incidents(county, NULL, n - k * PER_TOWN, 1);
	all = cJSON_CreateArray();
	for (i = 0; i < (int)NTOWNS; i++)
		cJSON_AddItemToArray(all, cJSON_CreateString(towns[i]));
	db_begin(county);
	for (i = 0; i < WARNINGS; i++) {
		char id[64], ans[64];
		fake_ms += 1000;
		warning_issue(county, "typhoon", "blue", "bench", all, id);
		warning_answer(county, id, towns[i % NTOWNS], NULL, ans);
	}
	db_end(county, 0);
	load = now_s() - t0;
	db_set_clock(county, &clock_real);

	for (i = 0; i < REPEATS; i++) {
		t0 = now_s();
		if (board_rows(county, &rows))
			return 1;
		board_ms[i] = (now_s() - t0) * 1000;
		cJSON_Delete(rows);
		t0 = now_s();
		if (duty_counts(county, clock_now(&clock_real), &c))
			return 1;
		counts_ms[i] = (now_s() - t0) * 1000;
	}
	qsort(board_ms, REPEATS, sizeof board_ms[0], cmp);
	qsort(counts_ms, REPEATS, sizeof counts_ms[0], cmp);
	printf("bench_board: %d incidents (%lld open), %d town stations, "
	       "%d warnings to %zu towns, made in %.1f s\n", n,
	       (long long)c.open, k, WARNINGS, NTOWNS, load);
	printf("  board_rows:  median %.1f ms, worst %.1f ms (budget %.0f ms)%s\n",
	       board_ms[REPEATS / 2], board_ms[REPEATS - 1], BUDGET_MS,
	       board_ms[REPEATS / 2] > BUDGET_MS ? "  OVER BUDGET" : "");
	printf("  duty_counts: median %.1f ms, worst %.1f ms (the status line)\n",
	       counts_ms[REPEATS / 2], counts_ms[REPEATS - 1]);
	db_close(&county);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
