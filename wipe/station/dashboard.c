#include "wipe/station/dashboard.h"
#include "lib/termtext.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Column widths; the header and every line use the same table. */
enum { W_BAY = 3, W_DEV = 9, W_MODEL = 20, W_SERIAL = 16, W_SIZE = 6, W_STATE = 10,
       W_PASS = 5, W_PCT = 5, W_RATE = 9, W_ETA = 8, W_RESULT = 58 };

void kesu_dash_field(char *out, size_t w, const char *s)
{
	size_t n = s ? strlen(s) : 0, i;
	for (i = 0; i < w; i++) {
		if (i >= n) {
			out[i] = ' ';
			continue;
		}
		unsigned char c = (unsigned char)s[i];
		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	if (n > w && w > 0)
		out[w - 1] = '~';
	out[w] = '\0';
}

void kesu_dash_eta(int64_t s, char *out, size_t outsz)
{
	if (s < 0)
		snprintf(out, outsz, "-");
	else if (s >= 100 * 3600)
		snprintf(out, outsz, ">99h");
	else if (s >= 3600)
		snprintf(out, outsz, "%d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60),
			 (int)(s % 60));
	else
		snprintf(out, outsz, "%d:%02d", (int)(s / 60), (int)(s % 60));
}

static void rate_text(double bps, char *out, size_t outsz)
{
	if (bps <= 0) {
		snprintf(out, outsz, "-");
		return;
	}
	char h[16];
	kesu_size_human((uint64_t)bps, h, sizeof(h));
	snprintf(out, outsz, "%s/s", h);
}

/* The result column, the one that carries text in the operator's
 * language: laid out in display columns (lib/termtext: a Japanese
 * character takes two, controls and bidirectional overrides become '?'),
 * cut with a trailing '~' when longer. */
static void result_field(char *out, size_t outsz, size_t w, const char *s)
{
	if (!s || !s[0]) {
		out[0] = '\0';
		return;
	}
	if (kesu_term_width(s) <= w) {
		kesu_term_cell(out, outsz, s, w, false);
		return;
	}
	size_t n = kesu_term_cell(out, outsz - 1, s, w - 1, false);
	out[n] = '~';
	out[n + 1] = '\0';
}

/* Appends the fields, each cut to its width, separated by one space; the
 * last one is the result column. */
static void join(char *out, size_t outsz, const char *const *v, const int *w, size_t n)
{
	size_t pos = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char col[W_RESULT * 4 + 2];
		if (i + 1 == n)
			result_field(col, sizeof(col), (size_t)w[i], v[i]);
		else
			kesu_dash_field(col, (size_t)w[i], v[i]);
		int k = snprintf(out + pos, outsz - pos, "%s%s", i ? " " : "", col);
		if (k < 0 || (size_t)k >= outsz - pos)
			break;
		pos += (size_t)k;
	}
	while (pos > 0 && out[pos - 1] == ' ')
		out[--pos] = '\0';
}

static const int WIDTHS[] = {W_BAY, W_DEV, W_MODEL, W_SERIAL, W_SIZE, W_STATE,
			     W_PASS, W_PCT, W_RATE, W_ETA, W_RESULT};
#define NCOLS (sizeof(WIDTHS) / sizeof(WIDTHS[0]))

void kesu_dash_header(char *out, size_t outsz)
{
	static const char *const titles[NCOLS] = {"BAY", "DEVICE", "MODEL", "SERIAL", "SIZE",
		"STATE", "PASS", "PCT", "RATE", "ETA", "RESULT"};
	join(out, outsz, titles, WIDTHS, NCOLS);
}

void kesu_dash_line(const struct kesu_station *st, size_t bay, char *out, size_t outsz)
{
	const struct kesu_bay *b = &st->bays[bay];
	char num[8], size[16] = "", pass[16] = "", pct[8] = "", rate[24] = "", eta[16] = "";
	char result[sizeof(b->cause_local) + 32];
	const char *cause = b->cause_local[0] ? b->cause_local : b->cause;
	const char *reason = b->decision.reason_local[0] ? b->decision.reason_local
							 : b->decision.reason;
	snprintf(num, sizeof(num), "%zu", bay + 1);
	if (b->state == KESU_BAY_EMPTY) {
		const char *v[NCOLS] = {num, "-", "", "", "", "empty", "", "", "", "", ""};
		join(out, outsz, v, WIDTHS, NCOLS);
		return;
	}
	const struct kesu_bay_progress *p = &b->progress;
	kesu_size_human(b->disk.size_bytes, size, sizeof(size));
	bool ran = b->run_id != 0;
	if (ran && p->passes)
		snprintf(pass, sizeof(pass), "%u/%u", p->pass, p->passes);
	if (ran)
		snprintf(pct, sizeof(pct), "%3.0f%%", p->percent < 0 ? 0
					    : p->percent > 100 ? 100 : p->percent);
	if (b->state == KESU_BAY_RUNNING) {
		rate_text(p->rate_bps, rate, sizeof(rate));
		kesu_dash_eta(p->eta_s, eta, sizeof(eta));
	}
	/* The result and its cause as the operator reads them; the event JSON
	 * keeps the English. */
	if (b->result[0] && cause[0])
		snprintf(result, sizeof(result), "%s: %s", b->result, cause);
	else if (b->state == KESU_BAY_WAITING && reason[0])
		snprintf(result, sizeof(result), "%s", reason);
	else if (b->state == KESU_BAY_WAITING)
		snprintf(result, sizeof(result), "%s; type %zu%s to start", b->decision.method,
			 bay + 1, b->decision.need_asset ? " ASSET-NUMBER" : "");
	else
		snprintf(result, sizeof(result), "%s", b->result[0] ? b->result
					       : b->decision.method);
	const char *v[NCOLS] = {num, b->disk.name, b->disk.model, b->disk.serial, size,
				kesu_bay_state_name(b->state), pass, pct, rate, eta, result};
	join(out, outsz, v, WIDTHS, NCOLS);
}

json_t *kesu_station_event_json(const struct kesu_station *st, size_t bay,
				const char *event, const char *time)
{
	const struct kesu_bay *b = &st->bays[bay];
	const struct kesu_bay_progress *p = &b->progress;
	bool decided = b->state != KESU_BAY_IDENTIFIED && b->state != KESU_BAY_EMPTY;
	return json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:I, s:s, s:b, s:o, s:o, s:o, "
			 "s:I, s:I, s:f, s:f, s:o, s:o, s:o, s:o}",
			 "event", event, "time", time, "bay", (json_int_t)bay + 1,
			 "device", kesu_json_str(b->disk.name),
			 "model", kesu_json_str(b->disk.model),
			 "serial", kesu_json_str(b->disk.serial),
			 "transport", kesu_json_str(b->disk.transport),
			 "size_bytes", (json_int_t)b->disk.size_bytes,
			 "state", kesu_bay_state_name(b->state),
			 "present", b->present,
			 "method", b->decision.method[0] ? kesu_json_str(b->decision.method)
							 : json_null(),
			 "action", decided ? json_string(kesu_station_action_name(b->decision.action))
					   : json_null(),
			 "reason", decided && b->decision.reason[0]
					   ? kesu_json_str(b->decision.reason) : json_null(),
			 "pass", (json_int_t)p->pass, "passes", (json_int_t)p->passes,
			 "percent", p->percent, "rate_bytes_per_s", p->rate_bps,
			 "eta_s", p->eta_s >= 0 ? json_integer(p->eta_s) : json_null(),
			 "result", b->result[0] ? kesu_json_str(b->result) : json_null(),
			 "cause", b->cause[0] ? kesu_json_str(b->cause) : json_null(),
			 "certificate", b->certificate[0] ? kesu_json_str(b->certificate)
							  : json_null());
}
