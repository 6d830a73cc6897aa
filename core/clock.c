/*
 * clock.c - the clocks core is handed, time formats, and the hybrid
 * logical clock that orders concurrent edits.
 */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t
real_now_ms(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const struct dd_clock clock_real = { real_now_ms, NULL };

int64_t
clock_now(const struct dd_clock *c)
{
	int64_t ms = c->now_ms(c->ctx);
	return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
}

/* Days from 1970-01-01 to the date y-m-d (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* The n digits of s from i as a number; -1 if one is not a digit. */
static int
digits(const char *s, int i, int n)
{
	int v = 0;

	for (; n > 0; n--, i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* time_parse_iso of a time written with all its digits (as every time
 * we write is): the answer of the general way below, which asks timegm()
 * whether the fields name a real moment, from the same checks made on
 * the fields, without sscanf() and two conversions per time read.
 * 1 answered (*rc), 0 not such a time. */
static int
iso_digits(const char *s, int64_t *t, int *rc)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2),
	    h = digits(s, 11, 2), mi = digits(s, 14, 2), sec = digits(s, 17, 2);
	int leap;

	if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 ||
	    s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[19] != 'Z')
		return 0;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap) || h > 23 || mi > 59 ||
	    sec > 59) {
		*rc = DD_E_INVALID;
		return 1;
	}
	*t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	*rc = 0;
	return 1;
}

int
time_parse_iso(const char *s, int64_t *t)
{
	struct tm tm, want, back;
	time_t tt;
	char tail;
	int n;

	memset(&tm, 0, sizeof tm);
	if (!s || strlen(s) != 20)
		return DD_E_INVALID;
	if (iso_digits(s, t, &n))
		return n;
	n = sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &tail);
	if (n != 7 || tail != 'Z' || s[4] != '-' || s[7] != '-' || s[13] != ':' ||
	    s[16] != ':')
		return DD_E_INVALID;
	if (tm.tm_year < 1970 || tm.tm_year > 9999)
		return DD_E_INVALID;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	want = tm;
	tt = timegm(&tm);
	/* timegm() folds 30 February into March: what comes back must be
	 * what was written. */
	if (!gmtime_r(&tt, &back) || back.tm_year != want.tm_year ||
	    back.tm_mon != want.tm_mon || back.tm_mday != want.tm_mday ||
	    back.tm_hour != want.tm_hour || back.tm_min != want.tm_min ||
	    back.tm_sec != want.tm_sec)
		return DD_E_INVALID;
	*t = (int64_t)tt;
	return 0;
}

void
time_format_iso(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "1970-01-01T00:00:00Z");
}

void
time_set_zone(const char *tz)
{
	setenv("TZ", tz && *tz ? tz : "Asia/Shanghai", 1);
	tzset();
}

void
time_format_local(int64_t t, char out[20])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!localtime_r(&tt, &tm) ||
	    strftime(out, 20, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, 20, "?");
}

int
time_parse_local(const char *s, int64_t today, int64_t *t)
{
	struct tm tm, want;
	time_t tt = (time_t)today, r;
	int y, mo, d, h, mi, sec = 0, used = 0;

	if (!s)
		return DD_E_INVALID;
	if (time_parse_iso(s, t) == 0)
		return 0;
	if (!localtime_r(&tt, &tm))
		return DD_E_INVALID;
	/* The whole text must be the time: %n says where parsing stopped. */
	if ((sscanf(s, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec,
		    &used) == 6 && !s[used]) ||
	    (sec = 0, used = 0, sscanf(s, "%4d-%2d-%2d %2d:%2d%n", &y, &mo, &d, &h,
				       &mi, &used) == 5 && !s[used])) {
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
	} else if (used = 0, sscanf(s, "%2d:%2d%n", &h, &mi, &used) == 2 &&
		   !s[used]) {
		sec = 0;
	} else {
		return DD_E_INVALID;
	}
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	want = tm;
	r = mktime(&tm);
	if (r == (time_t)-1 || tm.tm_year != want.tm_year ||
	    tm.tm_mon != want.tm_mon || tm.tm_mday != want.tm_mday ||
	    tm.tm_hour != want.tm_hour || tm.tm_min != want.tm_min ||
	    tm.tm_sec != want.tm_sec || tm.tm_year < 70)
		return DD_E_INVALID;
	*t = (int64_t)r;
	return 0;
}

/* A stamp keeps milliseconds in its high bits and a counter in the low
 * 16, so stamps compare as integers and still carry wall time. */
int64_t
hlc_next(int64_t last, int64_t now_ms)
{
	int64_t phys = now_ms << 16;

	return phys > last ? phys : last + 1;
}

int64_t
hlc_observe(int64_t last, int64_t remote, int64_t now_ms, int *alarm)
{
	if (alarm)
		*alarm = 0;
	if ((remote >> 16) > now_ms + HLC_SKEW_MAX_MS) {
		if (alarm)
			*alarm = 1;
		return last;
	}
	return remote > last ? remote : last;
}
