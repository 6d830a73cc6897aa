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
