/* Progress of one device's wipe: rate, ETA and percent, the live terminal
 * line and the --progress=json object.  Pure: the caller fills a snapshot
 * from the engine's progress callback (struct kesu_progress in engine.h has
 * the same field names) and prints the result where it wants. */
#ifndef KESU_PROGRESS_H
#define KESU_PROGRESS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct kesu_progress_snap {
	const char *device;   /* short name ("sdb"); untrusted, cleaned on output */
	const char *phase;    /* "write", "verify" or "done" (kesu_phase_name) */
	size_t pass, npasses; /* 1-based pass of npasses */
	uint64_t phase_done, phase_total; /* bytes of this pass's phase */
	uint64_t done, total; /* bytes over the whole run (writes + reads) */
	double elapsed_s;     /* since this invocation started */
	uint64_t run_done;    /* bytes moved by this invocation (not counting
			       * what a resumed run had done before) */
};

/* Percent of done/total rounded down to 0.1 so 100.0 means finished;
 * total 0 is 100 (nothing to do), done > total is 100. */
double kesu_progress_percent(uint64_t done, uint64_t total);

/* Average rate of this invocation in decimal MB/s (10^6 bytes); 0 when
 * nothing can be said yet (no time elapsed). */
double kesu_progress_rate_mbps(const struct kesu_progress_snap *s);

/* Seconds until the whole run is done at the current rate; 0 when done,
 * -1 when unknown (no rate yet). */
double kesu_progress_eta_s(const struct kesu_progress_snap *s);

/* "HH:MM:SS" (hours grow past 99 as needed); "--:--:--" for negative or
 * absurd values.  buf of at least 24 bytes. */
void kesu_progress_hms(double seconds, char *buf, size_t bufsz);

/* The live line, without a newline:
 * "sdb  pass 2/3  write  45.2%  512.3 MB/s  00:01:02 elapsed  ETA 00:01:15"
 * The percent is of the current pass's phase (100 in phase "done"); the
 * ETA is for the whole run.  Truncated to bufsz (always terminated). */
void kesu_progress_line(const struct kesu_progress_snap *s, char *buf, size_t bufsz);

/* {"device", "pass", "passes", "phase", "bytes_done", "bytes_total",
 *  "percent", "rate_mbps", "elapsed_s", "eta_s", "run_bytes_done",
 *  "run_bytes_total", "run_percent"}: bytes_* and percent are of the current
 * phase, run_* of the whole run; eta_s is null while unknown.  NULL only on
 * out-of-memory. */
json_t *kesu_progress_json(const struct kesu_progress_snap *s);

/* That object as one compact line (no newline), numbers printed short
 * ("45.2", not "45.200000000000003").  malloc'd; NULL on out-of-memory. */
char *kesu_progress_json_line(const struct kesu_progress_snap *s);

#endif
