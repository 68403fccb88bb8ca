#include "wipe/station/dashboard.h"
#include "lib/i18n.h"
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

/* A column in the operator's language (a title, a state, the result):
 * laid out in display columns (lib/termtext: a Japanese character takes
 * two, controls and bidirectional overrides become '?'), cut with a
 * trailing '~' when longer, padded to w columns. */
static void local_field(char *out, size_t outsz, size_t w, const char *s)
{
	if (!s || !s[0]) {
		snprintf(out, outsz, "%*s", (int)w, "");
		return;
	}
	if (kesu_term_width(s) <= w) {
		kesu_term_cell(out, outsz, s, w, false);
		return;
	}
	size_t n = kesu_term_cell(out, outsz - 1, s, w - 1, false);
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '~';
	out[n + 1] = '\0';
	/* A wide character that did not fit left the cell a column short. */
	size_t have = kesu_term_width(out);
	for (n++; have < w && n + 1 < outsz; have++)
		out[n++] = ' ';
	out[n] = '\0';
}

/* Appends the fields, each cut to its width, separated by one space; the
 * columns in `local` (a bit per column) are the operator's language, the
 * others a device's ASCII. */
static void join(char *out, size_t outsz, const char *const *v, const int *w, size_t n,
		 unsigned local)
{
	size_t pos = 0;
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char col[W_RESULT * 4 + 2];
		if (local & (1u << i))
			local_field(col, sizeof(col), (size_t)w[i], v[i]);
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

/* Columns whose text is the operator's language on a bay's line. */
#define LOCAL_COLS ((1u << 5) | (1u << 10))

void kesu_dash_header(char *out, size_t outsz)
{
	/* TRANSLATORS: the station dashboard's column titles; each must fit
	 * its column (BAY 3, DEVICE 9, SERIAL 16, SIZE 6, STATE 10, PASS 5,
	 * PCT 5, RATE 9, ETA 8 display columns; a Japanese character takes
	 * two). */
	static const char *const titles[NCOLS] = {N_("BAY"), N_("DEVICE"), N_("MODEL"),
		N_("SERIAL"), N_("SIZE"), N_("STATE"), N_("PASS"), N_("PCT"), N_("RATE"),
		N_("ETA"), N_("RESULT")};
	const char *v[NCOLS];
	for (size_t i = 0; i < NCOLS; i++)
		v[i] = _(titles[i]);
	join(out, outsz, v, WIDTHS, NCOLS, ~0u);
}

const char *kesu_dash_state_text(enum kesu_bay_state s)
{
	/* TRANSLATORS: a bay's state on the station dashboard, at most 10
	 * display columns. */
	static const char *const names[] = {
		[KESU_BAY_EMPTY] = N_("empty"), [KESU_BAY_IDENTIFIED] = N_("identified"),
		[KESU_BAY_REFUSED] = N_("refused"), [KESU_BAY_WAITING] = N_("waiting"),
		[KESU_BAY_RUNNING] = N_("running"), [KESU_BAY_DONE] = N_("done"),
		[KESU_BAY_FAILED] = N_("failed"), [KESU_BAY_PULLED] = N_("pulled"),
	};
	if ((size_t)s >= sizeof(names) / sizeof(names[0]) || !names[s])
		return kesu_bay_state_name(s);
	return _(names[s]);
}

const char *kesu_dash_result_text(const char *result)
{
	/* TRANSLATORS: how a bay's run ended, on the station dashboard before
	 * its cause ("refused: ..."). */
	static const char *const words[] = {N_("erased"), N_("not-erased"),
		N_("interrupted"), N_("error"), N_("refused"), N_("removed")};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(result, words[i]))
			return _(words[i]);
	return result;
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
		const char *v[NCOLS] = {num, "-", "", "", "", kesu_dash_state_text(b->state),
					"", "", "", "", ""};
		join(out, outsz, v, WIDTHS, NCOLS, LOCAL_COLS);
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
		snprintf(result, sizeof(result), _("%s: %s"), kesu_dash_result_text(b->result),
			 cause);
	else if (b->state == KESU_BAY_WAITING && reason[0])
		snprintf(result, sizeof(result), "%s", reason);
	else if (b->state == KESU_BAY_WAITING && b->decision.need_asset)
		snprintf(result, sizeof(result), _("%s; type %zu ASSET-NUMBER to start"),
			 b->decision.method, bay + 1);
	else if (b->state == KESU_BAY_WAITING)
		snprintf(result, sizeof(result), _("%s; type %zu to start"), b->decision.method,
			 bay + 1);
	else
		snprintf(result, sizeof(result), "%s", b->result[0]
			 ? kesu_dash_result_text(b->result) : b->decision.method);
	kesu_utf8_cut(result);
	const char *v[NCOLS] = {num, b->disk.name, b->disk.model, b->disk.serial, size,
				kesu_dash_state_text(b->state), pass, pct, rate, eta, result};
	join(out, outsz, v, WIDTHS, NCOLS, LOCAL_COLS);
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
