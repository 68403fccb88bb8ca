#include "lib/timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void kesu_time_format(time_t t, char buf[KESU_TIME_LEN])
{
	struct tm tm;
	localtime_r(&t, &tm);
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	/* Real offsets are within +-26 h; the bound keeps the width provable. */
	unsigned oh = (unsigned)(off / 3600) % 100, om = (unsigned)(off % 3600) / 60;
	int year = tm.tm_year + 1900;
	if (year < 0 || year > 9999)
		year = 0;
	snprintf(buf, KESU_TIME_LEN, "%04d-%02d-%02dT%02d:%02d:%02d%c%02u:%02u",
		 year, (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100,
		 tm.tm_min % 100, tm.tm_sec % 100, sign, oh, om % 100);
}

void kesu_time_now(char buf[KESU_TIME_LEN])
{
	kesu_time_format(time(NULL), buf);
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool kesu_time_parse(const char *s, time_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0;
	long off = 0;
	size_t n = strlen(s);
	if (n < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	const char *p = s + 10;
	if (*p != '\0') {
		if ((*p != 'T' && *p != 't' && *p != ' ') || strlen(p) < 9 ||
		    !digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) ||
		    p[6] != ':' || !digits(p + 7, 2, &sec))
			return false;
		p += 9;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return false;
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om;
			if (strlen(p) != 6 || !digits(p + 1, 2, &oh) || p[3] != ':' ||
			    !digits(p + 4, 2, &om) || oh > 23 || om > 59)
				return false;
			off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
			p += 6;
		} else {
			return false;
		}
		if (*p != '\0')
			return false;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return false;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			.tm_hour = h, .tm_min = mi, .tm_sec = sec};
	time_t t = timegm(&tm);
	struct tm check;
	gmtime_r(&t, &check);
	if (check.tm_mday != d) /* 2026-02-31 and the like */
		return false;
	*out = t - off;
	return true;
}
