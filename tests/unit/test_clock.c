/*
 * test_clock.c - time formats (ISO UTC, station-local in Asia/Shanghai)
 * and the hybrid logical clock: monotonic whatever the wall clock does,
 * adopting bigger remote stamps, setting aside ones too far ahead.
 */
#include "testlib.h"

#include <time.h>

#define MS(t) ((int64_t)(t) * 1000)

/* ---- ISO UTC ---- */

static void
iso_bad_strings(void **state)
{
	static const char *const bad[] = {
		"",
		"2026-11-28T21:35:56",       /* no Z */
		"2026-11-28T21:35:56ZZ",     /* too long */
		"2026-11-28T21:35:5Z",       /* too short */
		"2026-11-28T21:35:56+08:00", /* an offset, not UTC */
		"2026-11-28 21:35:56Z",      /* space for T */
		"2026-11-28t21:35:56z",
		"2026-13-01T00:00:00Z",      /* month 13 */
		"2026-00-10T00:00:00Z",
		"2026-11-00T00:00:00Z",
		"2026-11-32T00:00:00Z",
		"2026-11-28T24:00:00Z",
		"2026-11-28T23:60:00Z",
		"2026-11-28T23:59:61Z",
		"1969-12-31T23:59:59Z",      /* before the epoch */
		"20261128T213556Z-----",
		"yesterday at noon, UTC!",
	};
	int64_t t = 42;
	size_t i;
	(void)state;

	assert_int_equal(time_parse_iso(NULL, &t), DD_E_INVALID);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (time_parse_iso(bad[i], &t) != DD_E_INVALID)
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
		assert_int_equal(time_parse_iso(bad[i], &t), DD_E_INVALID);
	}
	/* A refusal leaves the output alone. */
	assert_int_equal(t, 42);
}

/* Fields that fit the pattern but name no real moment: a negative hour
 * or minute, the 30th of February. Accepting them would turn a typo into
 * a different, valid-looking time. */
static void
iso_impossible_fields(void **state)
{
	static const char *const bad[] = {
		"2026-11-28T-1:00:00Z",
		"2026-11-28T12:-1:00Z",
		"2026-11-28T12:00:-1Z",
		"2026-02-30T00:00:00Z",
		"2026-04-31T00:00:00Z",
		"2025-02-29T00:00:00Z",
	};
	int rc[sizeof bad / sizeof bad[0]];
	int64_t t = 42;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rc[i] = time_parse_iso(bad[i], &t);
		if (rc[i] != DD_E_INVALID)
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(rc[i], DD_E_INVALID);
}

static void
iso_round_trip(void **state)
{
	static const struct { int64_t t; const char *s; } cases[] = {
		{ 0, "1970-01-01T00:00:00Z" },
		{ 946684800, "2000-01-01T00:00:00Z" },
		{ 1709251199, "2024-02-29T23:59:59Z" },
		{ T0, "2026-11-28T12:00:00Z" },
		{ 1795901756, "2026-11-28T21:35:56Z" },
		{ 253402300799LL, "9999-12-31T23:59:59Z" },
	};
	char buf[21];
	int64_t t;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		time_format_iso(cases[i].t, buf);
		assert_string_equal(buf, cases[i].s);
		t = -1;
		assert_int_equal(time_parse_iso(cases[i].s, &t), 0);
		assert_int_equal(t, cases[i].t);
	}
}

/* time_parse_iso of the time of these fields, written with all their
 * digits, against timegm(): accepted exactly when timegm() gives the
 * same fields back, and then the same time. */
static void
iso_agrees(int y, int mo, int d, int h, int mi, int sec)
{
	struct tm tm, back;
	char s[40];
	time_t tt;
	int64_t t = -7;
	int ok, rc;

	snprintf(s, sizeof s, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi,
		 sec);
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tt = timegm(&tm);
	ok = y >= 1970 && gmtime_r(&tt, &back) && back.tm_year == y - 1900 &&
	     back.tm_mon == mo - 1 && back.tm_mday == d && back.tm_hour == h &&
	     back.tm_min == mi && back.tm_sec == sec;
	rc = time_parse_iso(s, &t);
	if (rc != (ok ? 0 : DD_E_INVALID) || (ok && t != (int64_t)tt))
		fprintf(stderr, "%s: %d, %lld\n", s, rc, (long long)t);
	assert_int_equal(rc, ok ? 0 : DD_E_INVALID);
	if (ok)
		assert_int_equal(t, (int64_t)tt);
}

/* Every time written with all its digits is read as timegm() reads its
 * fields: the century rules of 29 February, the 31st of short months,
 * hour 24, minute and second 60, the first and last years. */
static void
iso_digits_agree_with_timegm(void **state)
{
	static const int years[] = { 1969, 1970, 1971, 1999, 2000, 2023, 2024,
		2100, 2400, 9999 };
	unsigned r = 12345;
	size_t y;
	int mo, d;
	(void)state;

	for (y = 0; y < sizeof years / sizeof years[0]; y++)
		for (mo = 0; mo <= 13; mo++)
			for (d = 0; d <= 32; d++) {
				r = r * 1103515245u + 12345u;
				iso_agrees(years[y], mo, d, 0, 0, 0);
				iso_agrees(years[y], mo, d, 23, 59, 59);
				iso_agrees(years[y], mo, d, 24, 0, 0);
				iso_agrees(years[y], mo, d, 12, 60, 0);
				iso_agrees(years[y], mo, d, 12, 0, 60);
				iso_agrees(years[y], mo, d, (int)((r >> 16) % 24),
					   (int)((r >> 8) % 60), (int)(r % 60));
			}
}

/* ---- station-local time ---- */

static void
local_formats(void **state)
{
	char buf[20];
	int64_t t;
	(void)state;

	time_set_zone("Asia/Shanghai");
	time_format_local(T0, buf);
	assert_string_equal(buf, "2026-11-28 20:00");
	time_format_local(1795901756, buf);
	assert_string_equal(buf, "2026-11-29 05:35");

	assert_int_equal(time_parse_local("2026-11-29 05:35", T0, &t), 0);
	assert_int_equal(t, 1795901700);
	assert_int_equal(time_parse_local("2026-11-29 05:35:56", T0, &t), 0);
	assert_int_equal(t, 1795901756);
	/* ISO UTC passes through. */
	assert_int_equal(time_parse_local("2026-11-28T21:35:56Z", T0, &t), 0);
	assert_int_equal(t, 1795901756);
	/* "HH:MM" is today in the station's zone: at 20:00 on the 28th,
	 * 08:15 is 00:15 UTC the same day. */
	assert_int_equal(time_parse_local("08:15", T0, &t), 0);
	assert_int_equal(t, T0 - (11 * 3600 + 45 * 60));
	/* At 17:00 UTC it is already the 29th in Shanghai. */
	assert_int_equal(time_parse_local("23:30", T0 + 5 * 3600, &t), 0);
	assert_int_equal(t, 1795966200);

	/* Another zone, then the default again. */
	time_set_zone("UTC");
	assert_int_equal(time_parse_local("2026-11-29 05:35", T0, &t), 0);
	assert_int_equal(t, 1795901700 + 8 * 3600);
	time_format_local(T0, buf);
	assert_string_equal(buf, "2026-11-28 12:00");
	time_set_zone(NULL);
	time_format_local(T0, buf);
	assert_string_equal(buf, "2026-11-28 20:00");
	time_set_zone("Asia/Shanghai");
}

static void
local_bad_strings(void **state)
{
	static const char *const bad[] = {
		"", "noon", "8", "24:00", "12:60", "-1:30", "2026-11-29",
		"2026-13-01 00:00", "2026-11-32 00:00", "2026-11-29 25:00",
		"1969-12-31 23:00", "08:15 tomorrow", "2026-11-28T21:35:56",
	};
	int64_t t = 42;
	size_t i;
	(void)state;

	time_set_zone("Asia/Shanghai");
	assert_int_equal(time_parse_local(NULL, T0, &t), DD_E_INVALID);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (time_parse_local(bad[i], T0, &t) != DD_E_INVALID)
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
		assert_int_equal(time_parse_local(bad[i], T0, &t), DD_E_INVALID);
	}
	assert_int_equal(t, 42);
}

/* Trailing words after a full date and time, and a day the month does
 * not have, are typos: the officer must be asked again, not be given
 * another time. */
static void
local_junk_and_impossible_dates(void **state)
{
	static const char *const bad[] = {
		"2026-11-29 05:35 tomorrow",
		"2026-11-29 05:35:",
		"2026-02-30 10:00",
	};
	int rc[sizeof bad / sizeof bad[0]];
	int64_t t = 42;
	size_t i;
	(void)state;

	time_set_zone("Asia/Shanghai");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		rc[i] = time_parse_local(bad[i], T0, &t);
		if (rc[i] != DD_E_INVALID)
			fprintf(stderr, "accepted: '%s'\n", bad[i]);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(rc[i], DD_E_INVALID);
}

/* ---- hybrid logical clock ---- */

static void
hlc_next_monotonic(void **state)
{
	int64_t now = MS(T0), a, b, c, d, e, prev;
	uint32_t r = 12345;
	int i;
	(void)state;

	a = hlc_next(0, now);
	assert_int_equal(a, now << 16);
	/* The wall clock stands still: the counter moves. */
	b = hlc_next(a, now);
	assert_int_equal(b, a + 1);
	c = hlc_next(b, now);
	assert_int_equal(c, a + 2);
	/* The wall clock goes back (NTP step, a fixed BIOS clock). */
	d = hlc_next(c, now - 60000);
	assert_int_equal(d, c + 1);
	/* It moves on: the stamp is wall time again, counter 0. */
	e = hlc_next(d, now + 1);
	assert_int_equal(e, (now + 1) << 16);

	/* Whatever the wall clock does, every stamp is above the last and
	 * never below the wall time. */
	prev = e;
	for (i = 0; i < 10000; i++) {
		int64_t t, s;
		r = r * 1103515245u + 12345u;
		t = now + (int64_t)(r >> 16) % 2000 - 1000;
		s = hlc_next(prev, t);
		assert_true(s > prev);
		assert_true((s >> 16) >= t);
		prev = s;
	}
}

static void
hlc_observe_adopts_bigger(void **state)
{
	int64_t now = MS(T0), last = hlc_next(0, now), remote;
	int alarm = 7;
	(void)state;

	remote = (now + 1000) << 16;
	assert_int_equal(hlc_observe(last, remote, now, &alarm), remote);
	assert_int_equal(alarm, 0);
	/* The next local stamp follows the adopted one. */
	assert_int_equal(hlc_next(remote, now), remote + 1);

	/* A smaller or equal remote stamp changes nothing. */
	alarm = 7;
	assert_int_equal(hlc_observe(last, last - 5, now, &alarm), last);
	assert_int_equal(alarm, 0);
	assert_int_equal(hlc_observe(last, last, now, &alarm), last);
	assert_int_equal(alarm, 0);
	assert_int_equal(hlc_observe(last, 0, now, NULL), last);
}

static void
hlc_observe_sets_aside_far_ahead(void **state)
{
	int64_t now = MS(T0), last = hlc_next(0, now), edge, over;
	int64_t y2037 = MS(2114380800LL) << 16; /* 2037-01-01 */
	int alarm = 7;
	(void)state;

	/* Exactly HLC_SKEW_MAX_MS ahead (any counter) is still adopted. */
	edge = ((now + HLC_SKEW_MAX_MS) << 16) | 0xffff;
	assert_int_equal(hlc_observe(last, edge, now, &alarm), edge);
	assert_int_equal(alarm, 0);
	/* One millisecond more is set aside, with the alarm up. */
	over = (now + HLC_SKEW_MAX_MS + 1) << 16;
	assert_int_equal(hlc_observe(last, over, now, &alarm), last);
	assert_int_equal(alarm, 1);
	alarm = 0;
	assert_int_equal(hlc_observe(last, y2037, now, &alarm), last);
	assert_int_equal(alarm, 1);
	assert_int_equal(hlc_observe(last, y2037, now, NULL), last);
	/* The alarm is about this stamp, not a memory of the last one. */
	assert_int_equal(hlc_observe(last, last + 1, now, &alarm), last + 1);
	assert_int_equal(alarm, 0);
}

/* A station receiving an operation stamped in 2037 still applies it
 * (the clock is no ground to refuse) but keeps its own clock; one within
 * the allowed skew moves it. */
static void
station_sets_aside_far_future_stamp(void **state)
{
	struct db *db = tdb_new("datian", ROLE_TOWN, 0);
	struct station_info si;
	struct op op;
	int64_t mine, near;
	char id[64] = "", *x;
	(void)state;

	tclock_ms = MS(T0);
	assert_int_equal(log_add(db, "note", "local", id), 0);
	assert_int_equal(station_info(db, &si), 0);
	mine = si.hlc;
	assert_int_equal(mine, MS(T0) << 16);

	tmkop(&op, "gucheng", "0123456789abcdef", 1, MS(2114380800LL) << 16,
	      "bios", "log.add", "gucheng-1", "{\"kind\":\"note\",\"text\":"
	      "\"from 2037\",\"at\":\"2037-01-01T00:00:00Z\"}");
	assert_int_equal(op_apply(db, &op), 1);
	op_clear(&op);
	assert_int_equal(station_info(db, &si), 0);
	assert_int_equal(si.hlc, mine);
	assert_int_equal(si.ops, 2);
	x = texport(db);
	assert_non_null(strstr(x, "from 2037"));
	free(x);

	/* A stamp 4 minutes ahead is adopted; the next local one follows. */
	near = (MS(T0) + 4 * 60 * 1000) << 16;
	tmkop(&op, "gucheng", "0123456789abcdef", 2, near, "fast", "log.add",
	      "gucheng-2", "{\"kind\":\"note\",\"text\":\"a bit fast\","
	      "\"at\":\"2026-11-28T12:04:00Z\"}");
	assert_int_equal(op_apply(db, &op), 1);
	op_clear(&op);
	assert_int_equal(station_info(db, &si), 0);
	assert_int_equal(si.hlc, near);
	assert_int_equal(log_add(db, "note", "after", id), 0);
	assert_int_equal(station_info(db, &si), 0);
	assert_int_equal(si.hlc, near + 1);
	db_close(&db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(iso_bad_strings),
		cmocka_unit_test(iso_impossible_fields),
		cmocka_unit_test(iso_round_trip),
		cmocka_unit_test(iso_digits_agree_with_timegm),
		cmocka_unit_test(local_formats),
		cmocka_unit_test(local_bad_strings),
		cmocka_unit_test(local_junk_and_impossible_dates),
		cmocka_unit_test(hlc_next_monotonic),
		cmocka_unit_test(hlc_observe_adopts_bigger),
		cmocka_unit_test(hlc_observe_sets_aside_far_ahead),
		cmocka_unit_test(station_sets_aside_far_future_stamp),
	};
	int rc;

	time_set_zone("Asia/Shanghai");
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	tcleanup();
	return rc;
}
