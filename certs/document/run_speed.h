/* The run record's per-pass timings (kesu-run-record(5), passes[].timing)
 * in words for people, as nwipe shows its speed: 'kesu cert show' and the
 * printed certificate show them when the run record the certificate names
 * is beside it.  Shown,
 * never signed: the certificate does not carry them and no verdict depends
 * on them. */
#ifndef KESU_RUN_SPEED_H
#define KESU_RUN_SPEED_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* One element of the record's "passes" in a line, English or Japanese:
 *   "write 6882.8 MB/s (1073741824 bytes in 156 ms); verify not timed"
 * A phase is "not timed" when its timing is null (this process did not run
 * it: not part of the method, or done before a resume) and "not recorded"
 * when the value is not a well-formed timing.  The record is untrusted
 * input; only numbers are printed from it. */
void kesu_run_pass_speed(const json_t *pass, bool ja, char *buf, size_t n);

/* One phase of passes[].timing ("write" or "verify"): KESU_TIMING_NONE
 * when absent or null (not timed), KESU_TIMING_BAD when not a well-formed
 * timing within sane bounds, else KESU_TIMING_OK with its rate in MB/s. */
enum kesu_phase_timing { KESU_TIMING_NONE, KESU_TIMING_OK, KESU_TIMING_BAD };
enum kesu_phase_timing kesu_run_phase_rate(const json_t *t, double *mb_per_s);

/* A pass's "pattern" when it is one kesu writes ("random", or 1 to 16
 * bytes in lower-case hex), else "?": the record is not what the signature
 * covers, so nothing else from it is printed. */
const char *kesu_run_pass_pattern(const json_t *pass);

#endif
