/* The station's terminal lines and JSON event lines, built from the bay
 * table alone (pure; cli/cmd_station.c writes them).  Dashboard lines have
 * fixed columns: device strings are cut to their column and reduced to
 * printable ASCII, so a model or serial can carry no escape sequence, no
 * bidirectional override and no wide character that shifts the columns.
 * The titles, the state and the result (a refusal's reason translated
 * where it was decided, a run's cause where it was made) are in the
 * operator's language and laid out in display columns; the event JSON
 * carries the English. */
#ifndef KESU_STATION_DASHBOARD_H
#define KESU_STATION_DASHBOARD_H

#include "wipe/station/bay.h"

#include <jansson.h>
#include <stddef.h>

/* Longest line the renderer writes, in bytes (without the NUL): 160
 * columns, the result's in UTF-8 (up to three bytes a column). */
#define KESU_DASH_WIDTH 320

/* The column titles, in the operator's language, each padded to its
 * column's display width. */
void kesu_dash_header(char *out, size_t outsz);

/* One bay's line: BAY DEVICE MODEL SERIAL SIZE STATE PASS PCT RATE ETA
 * RESULT, the result column carrying the cause of a refusal or failure. */
void kesu_dash_line(const struct kesu_station *st, size_t bay, char *out, size_t outsz);

/* A bay's state and a run's result word ("refused", "erased"...) in the
 * operator's language, for the dashboard only: the event JSON and files
 * keep kesu_bay_state_name's and the bay's English. */
const char *kesu_dash_state_text(enum kesu_bay_state s);
const char *kesu_dash_result_text(const char *result);

/* Copy s into a column of width w: printable ASCII only (anything else
 * becomes '?'), cut with a trailing '~' when longer, padded with spaces. */
void kesu_dash_field(char *out, size_t w, const char *s);

/* "1:02:03", "12:05", "-" for an unknown time. */
void kesu_dash_eta(int64_t s, char *out, size_t outsz);

/* One event line for a supervisor: {"event": EVENT, "time": RFC 3339,
 * "bay": n, "device", "model", "serial", "transport", "size_bytes",
 * "state", "present", "method", "action" (the decision: refuse wait
 * start), "reason" (why, for a refusal or a dry run), "pass", "passes", "percent", "rate_bytes_per_s",
 * "eta_s", "result", "cause", "certificate"}; strings from the disk pass
 * kesu_json_str.  EVENT: arrived decided started progress finished removed
 * stopping. */
json_t *kesu_station_event_json(const struct kesu_station *st, size_t bay,
				const char *event, const char *time);

#endif
