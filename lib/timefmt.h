/* Times in records are RFC 3339 with the local UTC offset, so a reader in
 * Japan sees local time and a machine can still compare instants. */
#ifndef KESU_TIMEFMT_H
#define KESU_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define KESU_TIME_LEN 40

/* "2026-11-22T19:41:57+09:00" for t in the local zone. */
void kesu_time_format(time_t t, char buf[KESU_TIME_LEN]);

/* The same for the current wall-clock time. */
void kesu_time_now(char buf[KESU_TIME_LEN]);

/* Parse RFC 3339 ("YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm|-hh:mm)"); a plain
 * "YYYY-MM-DD" means midnight UTC.  Returns false on anything else. */
bool kesu_time_parse(const char *s, time_t *out);

#endif
