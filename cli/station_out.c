/* kesu station's output: JSON event lines for a supervisor (--json), or the
 * dashboard — redrawn in place on a terminal, one line per change
 * otherwise.  Every line comes from wipe/station/dashboard.c, which bounds
 * and escapes what the disks say about themselves. */
#include "cli/station.h"
#include "lib/i18n.h"
#include "lib/termtext.h"
#include "lib/timefmt.h"
#include "wipe/station/dashboard.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

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

void station_note_text(struct station *s, const char *en, const char *local)
{
	char clean[600], shown[600];
	/* Notes can carry a device's words (an error naming its model). */
	kesu_clean(clean, sizeof(clean), en, strlen(en));
	if (local && local[0])
		kesu_clean(shown, sizeof(shown), local, strlen(local));
	else
		kesu_strlcpy(shown, clean, sizeof(shown));
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
	/* On the dashboard's terminal the note is its last line. */
	if (s->tty && isatty(STDERR_FILENO)) {
		kesu_strlcpy(s->note, shown, sizeof(s->note));
		kesu_utf8_cut(s->note);
		s->dirty = true;
	} else if (!s->o.json) {
		fprintf(stderr, _("kesu station: %s\n"), shown);
	}
}

void station_note(struct station *s, const char *fmt, ...)
{
	char en[600], local[600];
	va_list ap, aq;
	va_start(ap, fmt);
	va_copy(aq, ap);
	vsnprintf(en, sizeof(en), fmt, ap);
	vsnprintf(local, sizeof(local), _(fmt), aq);
	va_end(aq);
	va_end(ap);
	kesu_utf8_cut(local);
	station_note_text(s, en, local);
}

/* The terminal's columns; 80 when it does not say. */
static unsigned term_cols(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* One line over the old one, cut to the terminal: a line that wrapped
 * would push the table down, and the next redraw would leave its old top
 * line behind.  The last column stays free, where a cursor would wait to
 * wrap. */
static void put_line(struct station *s, const char *text)
{
	char cut[2048];
	fputs("\r\033[2K", s->out);
	if (text[0]) {
		size_t n = kesu_term_cell(cut, sizeof(cut), text, s->cols > 1 ? s->cols - 1 : 1,
					  false);
		while (n > 0 && cut[n - 1] == ' ')
			cut[--n] = '\0';
		fputs(cut, s->out);
	}
	fputc('\n', s->out);
	s->drawn++;
}

void station_redraw(struct station *s)
{
	char l[KESU_DASH_WIDTH + 1], title[512];
	if (!s->tty || s->o.json)
		return;
	unsigned cols = term_cols();
	bool resized = s->cols && cols != s->cols;
	if (!s->dirty && !resized)
		return;
	s->dirty = false;
	/* Lines typed since the last read were echoed below the drawing. */
	station_input_pull(s);
	/* In place: back up over the last drawing (and what was typed below
	 * it) and write each line over its old self.  After a resize the old
	 * lines may have wrapped anew: the screen is cleared instead. */
	if (resized)
		fputs("\033[H\033[2J", s->out);
	else if (s->drawn + s->typed_lines)
		fprintf(s->out, "\033[%uA", s->drawn + s->typed_lines);
	s->cols = cols;
	s->drawn = s->typed_lines = 0;
	snprintf(title, sizeof(title), _("kesu station — %s; type a bay number and Enter to "
		 "start a waiting disk; Ctrl-C stops%s"),
		 s->pol.start == KESU_STATION_AUTO ? _("starts automatically")
						   : _("confirm each disk"),
		 s->o.dry_run ? _(" (dry run: nothing is erased)") : "");
	kesu_utf8_cut(title);
	put_line(s, title);
	put_line(s, "");
	kesu_dash_header(l, sizeof(l));
	put_line(s, l);
	for (size_t i = 0; i < s->st.nbays; i++) {
		kesu_dash_line(&s->st, i, l, sizeof(l));
		put_line(s, l);
	}
	put_line(s, s->note);
	/* Whatever an operator's typing left below the table. */
	fputs("\033[J", s->out);
	fflush(s->out);
}
