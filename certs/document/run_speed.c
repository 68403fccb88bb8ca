#include "certs/document/run_speed.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Bounds a real run stays within: a day of milliseconds per phase would be
 * 8.64e7; these only keep absurd values from being printed as facts. */
#define MS_MAX ((json_int_t)1 << 40)
#define BYTES_MAX ((json_int_t)1 << 60)
#define RATE_MAX 1e7 /* MB/s: ten TB/s */
/* kesu-run-record(5): a pattern pass repeats at most 16 bytes. */
#define PATTERN_HEX_MAX 32

enum kesu_phase_timing kesu_run_phase_rate(const json_t *t, double *mb_per_s)
{
	*mb_per_s = 0;
	if (!t || json_is_null(t))
		return KESU_TIMING_NONE;
	const json_t *ms = json_object_get(t, "ms"), *bytes = json_object_get(t, "bytes"),
		     *rate = json_object_get(t, "mb_per_s");
	double r = json_is_number(rate) ? json_number_value(rate) : -1;
	if (!json_is_object(t) || !json_is_integer(ms) || !json_is_integer(bytes) ||
	    json_integer_value(ms) < 0 || json_integer_value(ms) > MS_MAX ||
	    json_integer_value(bytes) < 0 || json_integer_value(bytes) > BYTES_MAX ||
	    !isfinite(r) || r < 0 || r > RATE_MAX)
		return KESU_TIMING_BAD;
	*mb_per_s = r;
	return KESU_TIMING_OK;
}

static void phase(const json_t *t, bool ja, const char *name, char *buf, size_t n)
{
	double r;
	switch (kesu_run_phase_rate(t, &r)) {
	case KESU_TIMING_NONE:
		snprintf(buf, n, ja ? "%s 計測なし" : "%s not timed", name);
		return;
	case KESU_TIMING_BAD:
		snprintf(buf, n, ja ? "%s 記録が不正" : "%s not recorded", name);
		return;
	case KESU_TIMING_OK:
		break;
	}
	snprintf(buf, n, ja ? "%s %.1f MB/s (%" PRId64 " バイト、%" PRId64 " ミリ秒)"
			    : "%s %.1f MB/s (%" PRId64 " bytes in %" PRId64 " ms)",
		 name, r, (int64_t)json_integer_value(json_object_get(t, "bytes")),
		 (int64_t)json_integer_value(json_object_get(t, "ms")));
}

void kesu_run_pass_speed(const json_t *pass, bool ja, char *buf, size_t n)
{
	const json_t *timing = json_object_get(pass, "timing");
	char w[160], v[160];
	if (!json_is_object(timing)) {
		snprintf(buf, n, ja ? "速度の記録なし" : "no timings recorded");
		return;
	}
	phase(json_object_get(timing, "write"), ja, ja ? "書き込み" : "write", w, sizeof(w));
	phase(json_object_get(timing, "verify"), ja, ja ? "検証" : "verify", v, sizeof(v));
	snprintf(buf, n, ja ? "%s、%s" : "%s; %s", w, v);
}

const char *kesu_run_pass_pattern(const json_t *pass)
{
	const char *p = json_string_value(json_object_get(pass, "pattern"));
	if (!p)
		return "?";
	if (!strcmp(p, "random"))
		return p;
	size_t n = strlen(p);
	if (n == 0 || n % 2 || n > PATTERN_HEX_MAX)
		return "?";
	for (size_t i = 0; i < n; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return "?";
	return p;
}
