/* kesu station's output: JSON event lines for a supervisor (--json), or the
 * dashboard — redrawn in place on a terminal, one line per change
 * otherwise.  Every line comes from wipe/station/dashboard.c, which bounds
 * and escapes what the disks say about themselves. */
#include "cli/station.h"
#include "lib/i18n.h"
#include "lib/timefmt.h"
#include "wipe/station/dashboard.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void json_line(FILE *f, json_t *j)
{
	char *line = j ? json_dumps(j, JSON_COMPACT) : NULL;
	if (line) {
		fprintf(f, "%s\n", line);
		fflush(f);
	}
	free(line);
}

void station_event(struct station *s, size_t bay, const char *event)
{
	if (s->o.json || s->events) {
		char now[KESU_TIME_LEN];
		kesu_time_now(now);
		json_t *j = kesu_station_event_json(&s->st, bay, event, now);
		if (s->events)
			json_line(s->events, j);
		if (s->o.json)
			json_line(s->out, j);
		json_decref(j);
		if (s->o.json)
			return;
	}
	if (!s->tty && strcmp(event, "progress")) {
		char l[KESU_DASH_WIDTH + 1];
		kesu_dash_line(&s->st, bay, l, sizeof(l));
		fprintf(s->out, "%s\n", l);
		fflush(s->out);
		return;
	}
	s->dirty = true;
}

void station_note(struct station *s, const char *fmt, ...)
{
	char msg[600], clean[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Notes can carry a device's words (an error naming its model). */
	kesu_clean(clean, sizeof(clean), msg, strlen(msg));
	if (s->o.json || s->events) {
		char now[KESU_TIME_LEN];
		kesu_time_now(now);
		json_t *j = json_pack("{s:s, s:s, s:o}", "event", "note", "time", now,
				      "text", kesu_json_str(clean));
		if (s->events)
			json_line(s->events, j);
		if (s->o.json)
			json_line(s->out, j);
		json_decref(j);
	}
	if (!s->o.json)
		fprintf(stderr, _("kesu station: %s\n"), clean);
}

void station_redraw(struct station *s)
{
	char l[KESU_DASH_WIDTH + 1];
	if (!s->tty || s->o.json || !s->dirty)
		return;
	s->dirty = false;
	/* Home and clear, then the whole table: a handful of lines once a
	 * second at most, so no diffing is worth its code. */
	fputs("\033[H\033[2J", s->out);
	fprintf(s->out, _("kesu station — %s; type a bay number and Enter to start a "
		"waiting disk; Ctrl-C stops%s\n\n"),
		s->pol.start == KESU_STATION_AUTO ? _("starts automatically") : _("confirm each disk"),
		s->o.dry_run ? _(" (dry run: nothing is erased)") : "");
	kesu_dash_header(l, sizeof(l));
	fprintf(s->out, "%s\n", l);
	for (size_t i = 0; i < s->st.nbays; i++) {
		kesu_dash_line(&s->st, i, l, sizeof(l));
		fprintf(s->out, "%s\n", l);
	}
	fflush(s->out);
}
