#include "wipe/engine/progress.h"

#include "lib/i18n.h"
#include "lib/strutil.h"
#include "lib/termtext.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Longer than any real run (about 31 years): beyond it an ETA means
 * nothing and would only make the line jump. */
#define ETA_MAX_S 1e9

double kesu_progress_percent(uint64_t done, uint64_t total)
{
	if (total == 0 || done >= total)
		return 100.0;
	/* Integer tenths so that 99.96% never prints as 100.0%. */
	unsigned __int128 tenths = (unsigned __int128)done * 1000 / total;
	return (double)tenths / 10.0;
}

double kesu_progress_rate_mbps(const struct kesu_progress_snap *s)
{
	if (!(s->elapsed_s > 0) || !isfinite(s->elapsed_s))
		return 0.0;
	return (double)s->run_done / s->elapsed_s / 1e6;
}

double kesu_progress_eta_s(const struct kesu_progress_snap *s)
{
	if (s->done >= s->total)
		return 0.0;
	double rate = kesu_progress_rate_mbps(s) * 1e6;
	if (!(rate > 0))
		return -1.0;
	double eta = (double)(s->total - s->done) / rate;
	if (!isfinite(eta) || eta > ETA_MAX_S)
		return -1.0;
	return eta;
}

void kesu_progress_hms(double seconds, char *buf, size_t bufsz)
{
	if (!(seconds >= 0) || !isfinite(seconds) || seconds > ETA_MAX_S) {
		snprintf(buf, bufsz, "--:--:--");
		return;
	}
	unsigned long long t = (unsigned long long)seconds;
	snprintf(buf, bufsz, "%02llu:%02llu:%02llu", t / 3600, t / 60 % 60, t % 60);
}

/* The current phase's percent; a finished run shows 100 whatever the
 * engine left in the phase counters. */
static double phase_percent(const struct kesu_progress_snap *s)
{
	if (s->phase && !strcmp(s->phase, "done"))
		return 100.0;
	return kesu_progress_percent(s->phase_done, s->phase_total);
}

static void clean_device(const char *dev, char *out, size_t outsz)
{
	kesu_clean(out, outsz, dev ? dev : "?", dev ? strnlen(dev, KESU_STR_MAX) : 1);
	if (!out[0])
		kesu_strlcpy(out, "?", outsz);
}

/* The engine's phases in the operator's language; any other phase (a
 * purge step) is shown as the driver named it.  The JSON keeps the names. */
static const char *phase_text(const char *phase)
{
	static const char *const known[] = {N_("write"), N_("verify"), N_("done"), NULL};
	const char *p = phase ? phase : "write";
	for (size_t i = 0; known[i]; i++)
		if (!strcmp(p, known[i]))
			return _(known[i]);
	return p;
}

void kesu_progress_line(const struct kesu_progress_snap *s, char *buf, size_t bufsz)
{
	if (bufsz == 0)
		return;
	char dev[48], el[24], eta[24];
	clean_device(s->device, dev, sizeof(dev));
	kesu_progress_hms(s->elapsed_s, el, sizeof(el));
	kesu_progress_hms(kesu_progress_eta_s(s), eta, sizeof(eta));
	/* TRANSLATORS: device, pass, passes, phase, percent, MB/s, elapsed
	 * time, time left. */
	snprintf(buf, bufsz, _("%s  pass %zu/%zu  %s  %.1f%%  %.1f MB/s  %s elapsed  ETA %s"),
		 dev, s->pass, s->npasses, phase_text(s->phase),
		 phase_percent(s),
		 kesu_progress_rate_mbps(s), el, eta);
	/* A short buffer may have cut a translated character in half. */
	kesu_utf8_cut(buf);
}

/* Rounded to 0.1 for people reading the JSON; values here are never
 * negative.  (Plain casts keep libm out of the link.) */
static double round1(double v)
{
	if (!(v > 0) || !isfinite(v))
		return 0.0;
	if (v > 1e15)
		return v;
	return (double)(uint64_t)(v * 10.0 + 0.5) / 10.0;
}

/* jansson integers are signed 64-bit; clamp rather than wrap negative. */
static json_int_t jint(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v;
}

json_t *kesu_progress_json(const struct kesu_progress_snap *s)
{
	char dev[48];
	clean_device(s->device, dev, sizeof(dev));
	double eta = kesu_progress_eta_s(s);
	/* whole seconds, rounded up: an ETA of 0 means finished */
	json_int_t eta_whole = eta < 0 ? 0 : (json_int_t)eta + ((double)(json_int_t)eta < eta);
	return json_pack("{s:s, s:I, s:I, s:s, s:I, s:I, s:f, s:f, s:f, s:o, s:I, s:I, s:f}",
			 "device", dev,
			 "pass", jint(s->pass),
			 "passes", jint(s->npasses),
			 "phase", s->phase ? s->phase : "write",
			 "bytes_done", jint(s->phase_done),
			 "bytes_total", jint(s->phase_total),
			 "percent", phase_percent(s),
			 "rate_mbps", round1(kesu_progress_rate_mbps(s)),
			 "elapsed_s", round1(s->elapsed_s),
			 "eta_s", eta < 0 ? json_null() : json_integer(eta_whole),
			 "run_bytes_done", jint(s->done),
			 "run_bytes_total", jint(s->total),
			 "run_percent", kesu_progress_percent(s->done, s->total));
}

char *kesu_progress_json_line(const struct kesu_progress_snap *s)
{
	json_t *j = kesu_progress_json(s);
	if (!j)
		return NULL;
	char *line = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(j);
	return line;
}
