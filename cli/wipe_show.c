/* What kesu wipe shows: the plan the operator confirms, the progress
 * while the sessions erase, and the summary.  Reads the sessions; decides
 * nothing about them. */
#include "cli/wipe_show.h"
#include "cli/code_words.h"
#include "cli/contents.h"
#include "lib/i18n.h"
#include "lib/strutil.h"
#include "wipe/engine/method.h"
#include "wipe/engine/progress.h"
#include "wipe/engine/signals.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* The class, reason and customer a device's certificate will carry: the
 * asset map's for this device where it gives them, else the command
 * line's or kesu.conf's (0 / "" when none). */
static void details(const struct kesu_asset_row *row, const struct wipe_opts *o, int *class_,
		    const char **reason, const char **customer)
{
	const struct kesu_cert_info *info = &o->cert.info;
	*class_ = row->class_ ? row->class_ : info->confidentiality_class;
	*reason = row->reason[0] ? row->reason : info->reason;
	*customer = row->customer[0] ? row->customer : info->customer;
}

static void print_details(const struct kesu_asset_row *row, const struct wipe_opts *o, FILE *f)
{
	int class_;
	const char *reason, *customer;
	details(row, o, &class_, &reason, &customer);
	if (row->asset[0])
		fprintf(f, _("  asset     %s\n"), row->asset);
	if (class_)
		fprintf(f, _("  class     %d\n"), class_);
	if (reason[0])
		fprintf(f, _("  reason    %s\n"), reason);
	if (customer[0])
		fprintf(f, _("  customer  %s\n"), customer);
}

static void print_plan(const struct kesu_session_device *d, const struct kesu_asset_row *row,
		       const struct wipe_opts *o, FILE *f)
{
	const struct kesu_identity *id = d->id;
	const struct kesu_wipe *w = &d->w;
	char size[32], content[512], eta[24];
	kesu_size_human(id->size_bytes, size, sizeof(size));
	kesu_cli_contents_line(d->before, content, sizeof(content));
	fprintf(f, "%s\n", id->path);
	fprintf(f, _("  model     %s\n"), kesu_cli_or_dash(id->model));
	fprintf(f, _("  serial    %s\n"), kesu_cli_or_dash(id->serial));
	print_details(row, o, f);
	fprintf(f, _("  size      %s (%" PRIu64 " bytes, %u-byte blocks)\n"), size,
		id->size_bytes, d->t ? d->t->block_size : id->logical_block_size);
	fprintf(f, _("  contents  %s\n"), content);
	const char *purge = o->purge.method;
	if (purge)
		fprintf(f, _("  method    %s (NIST purge, the drive's own command; "
			   "sampled verification)\n"), purge);
	if (w->method.npasses > 0) {
		fprintf(f, P_("  %s %s (NIST %s), %zu pass:", "  %s %s (NIST %s), %zu passes:",
			       w->method.npasses),
			purge ? _("then     ") : _("method   "),
			w->method.name, kesu_nist_category_name(w->method.category),
			w->method.npasses);
		for (size_t i = 0; i < w->method.npasses; i++) {
			char p[2 * KESU_PATTERN_MAX + 8];
			kesu_pass_describe(&w->method.passes[i], p, sizeof(p));
			fprintf(f, " %s", p);
		}
		fprintf(f, _("; verify %s\n"), kesu_verify_mode_name(w->verify));
	}
	if (w->verify == KESU_VERIFY_NONE)
		fprintf(f, _("  note      without verification the result can at best be "
			   "erased-with-exceptions\n"));
	if (w->resumed)
		fprintf(f, _("  resume    pass %zu/%zu, %s at byte %" PRIu64 " (run %s)\n"),
			w->pass + 1, w->method.npasses, kesu_phase_name(w->phase), w->offset,
			d->resumed_from);
	double rate;
	kesu_progress_hms(kesu_session_estimate_s(d, &rate), eta, sizeof(eta));
	fprintf(f, _("  estimate  %s at about %.0f MB/s\n"), eta, rate / 1e6);
}

/* The same plan for scripts (kesu wipe --dry-run --json; keys in kesu(8)). */
static json_t *plan_json(const struct kesu_session_device *d, const struct kesu_asset_row *row,
			 const struct wipe_opts *o)
{
	int class_;
	const char *reason, *customer;
	details(row, o, &class_, &reason, &customer);
	const struct kesu_wipe *w = &d->w;
	json_t *passes = json_array();
	for (size_t i = 0; i < w->method.npasses; i++) {
		char p[2 * KESU_PATTERN_MAX + 8];
		kesu_pass_describe(&w->method.passes[i], p, sizeof(p));
		json_array_append_new(passes, json_string(p));
	}
	json_t *method = w->method.npasses
		? json_pack("{s:s, s:s, s:o, s:s}", "name", w->method.name, "nist_category",
			    kesu_nist_category_name(w->method.category), "passes", passes,
			    "verify", kesu_verify_mode_name(w->verify))
		: (json_decref(passes), json_null());
	json_t *resume = w->resumed
		? json_pack("{s:I, s:s, s:I, s:s}", "pass", (json_int_t)(w->pass + 1), "phase",
			    kesu_phase_name(w->phase), "offset", (json_int_t)w->offset,
			    "run_id", d->resumed_from)
		: json_null();
	double rate;
	double est = kesu_session_estimate_s(d, &rate);
	const char *purge = o->purge.method;
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:I}", "asset",
			 row->asset[0] ? kesu_json_str(row->asset) : json_null(), "class",
			 class_ ? json_integer(class_) : json_null(), "reason",
			 reason[0] ? json_string(reason) : json_null(), "customer",
			 customer[0] ? kesu_json_str(customer) : json_null(), "device",
			 kesu_identity_to_json(d->id), "contents",
			 d->before ? json_incref(d->before) : json_null(), "purge",
			 purge ? json_string(purge) : json_null(), "method", method, "resume",
			 resume, "estimate_s", (json_int_t)est, "assumed_rate_mb_s",
			 (json_int_t)(rate / 1e6));
}

void kesu_wipe_show_plan(struct wipe_dev *devs, size_t n, const struct wipe_opts *o)
{
	if (o->dry_run && o->json) {
		json_t *plan = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(plan, plan_json(devs[i].s, &devs[i].asset, o));
		json_t *doc = json_pack("{s:o}", "plan", plan);
		char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
		json_decref(doc);
		if (text)
			printf("%s\n", text);
		free(text);
	} else if (!o->quiet || !o->yes || o->dry_run) {
		FILE *pf = o->dry_run ? stdout : stderr;
		fprintf(pf, P_("kesu wipe plan (%zu device):\n", "kesu wipe plan (%zu devices):\n", n), n);
		for (size_t i = 0; i < n; i++)
			print_plan(devs[i].s, &devs[i].asset, o, pf);
		fflush(pf);
	}
}

static void print_status(struct wipe_dev *devs, size_t n, FILE *f)
{
	for (size_t i = 0; i < n; i++) {
		struct kesu_progress_snap s;
		char line[256];
		if (!kesu_session_snapshot(devs[i].s, &s)) {
			fprintf(f, _("%s  starting\n"), devs[i].s->name);
			continue;
		}
		kesu_progress_line(&s, line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	fflush(f);
}

struct display {
	enum kesu_progress_mode mode; /* resolved: AUTO means a live terminal */
	bool live;
	size_t drawn;            /* lines on screen from the last draw */
	struct timespec last_json;
};

static void draw(struct display *ds, struct wipe_dev *devs, size_t n, bool final)
{
	if (ds->live) {
		if (ds->drawn)
			fprintf(stderr, "\033[%zuA", ds->drawn);
		for (size_t i = 0; i < n; i++) {
			struct kesu_progress_snap s;
			char line[256];
			if (kesu_session_snapshot(devs[i].s, &s))
				kesu_progress_line(&s, line, sizeof(line));
			else
				snprintf(line, sizeof(line), _("%s  starting"), devs[i].s->name);
			fprintf(stderr, "\r\033[2K%s\n", line);
		}
		ds->drawn = n;
		fflush(stderr);
		return;
	}
	if (ds->mode != KESU_PROGRESS_JSON)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!final && now.tv_sec - ds->last_json.tv_sec < 1)
		return;
	for (size_t i = 0; i < n; i++) {
		struct kesu_progress_snap s;
		if (!kesu_session_snapshot(devs[i].s, &s))
			continue;
		char *line = kesu_progress_json_line(&s);
		if (line) {
			fprintf(stderr, "%s\n", line);
			free(line);
			/* The clock starts with the first line actually written. */
			ds->last_json = now;
		}
	}
	fflush(stderr);
}

static bool all_ended(struct wipe_dev *devs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!kesu_session_ended(devs[i].s))
			return false;
	return true;
}

/* Redraw until every started device has ended: at each tick, as a device
 * ends, and on a signal (the kernel delivers them to this thread: the
 * device threads block them). */
void kesu_wipe_watch(struct wipe_watch *wt, struct wipe_dev *devs, size_t n,
		     const struct wipe_opts *o, bool (*on_end)(struct wipe_dev *wd, void *ud),
		     void *ud)
{
	struct display ds = {0};
	ds.mode = o->quiet ? KESU_PROGRESS_NONE : o->progress;
	ds.live = ds.mode == KESU_PROGRESS_AUTO && isatty(STDERR_FILENO);
	/* A first frame at once, so the operator sees every device listed
	 * even when the wipe is over before the first tick. */
	draw(&ds, devs, n, false);
	for (;;) {
		pthread_mutex_lock(&wt->mu);
		if (!all_ended(devs, n)) {
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += 200 * 1000 * 1000;
			if (until.tv_nsec >= 1000000000) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&wt->cv, &wt->mu, &until);
		}
		pthread_mutex_unlock(&wt->mu);
		bool done = all_ended(devs, n);
		for (size_t i = 0; i < n; i++)
			if (!devs[i].ended && kesu_session_ended(devs[i].s)) {
				devs[i].ended = true;
				if (on_end(&devs[i], ud) && ds.live)
					ds.drawn = 0;
			}
		if (kesu_signals_take_usr1()) {
			if (ds.live)
				ds.drawn = 0;
			print_status(devs, n, stderr);
		}
		draw(&ds, devs, n, done);
		if (done)
			break;
	}
}

static void print_summary_json(struct wipe_dev *devs, size_t n, const struct wipe_opts *o)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct kesu_session_device *d = devs[i].s;
		const struct kesu_wipe *w = &d->w;
		json_t *j = json_pack(
			"{s:o, s:s, s:o, s:o, s:I, s:I, s:b, s:o, s:b}", "device",
			kesu_json_str(d->id->path), "result", kesu_result_name(w->result),
			"reason", w->result == KESU_RESULT_ERASED ? json_null() : kesu_json_str(w->reason),
			"record", d->record_path[0] ? kesu_json_str(d->record_path) : json_null(),
			"bytes_written", (json_int_t)w->bytes_written, "bytes_verified",
			(json_int_t)w->bytes_verified, "resumed", w->resumed, "certificate",
			d->cert_path[0] ? kesu_json_str(d->cert_path) : json_null(),
			"certificate_issued", d->cert_issued);
		if (o->pdf)
			json_object_set_new(j, "pdf", devs[i].pdf_path[0]
							      ? kesu_json_str(devs[i].pdf_path)
							      : json_null());
		json_array_append_new(a, j);
	}
	char *s = json_dumps(a, JSON_INDENT(2));
	if (s)
		printf("%s\n", s);
	free(s);
	json_decref(a);
}

void kesu_wipe_summary(struct wipe_dev *devs, size_t n, const struct wipe_opts *o)
{
	if (o->json) {
		print_summary_json(devs, n, o);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct kesu_session_device *d = devs[i].s;
		const struct kesu_wipe *w = &d->w;
		char wr[32], ve[32], el[24], res[96], op[64];
		kesu_size_human(w->bytes_written, wr, sizeof(wr));
		kesu_size_human(w->bytes_verified, ve, sizeof(ve));
		kesu_progress_hms(difftime(w->ended_at, w->started_at), el, sizeof(el));
		printf(_("%s: %s  (written %s, verified %s, %s%s)\n"), d->id->path,
		       kesu_cli_code(KESU_CODES_RUN_RESULT, kesu_result_name(w->result), res,
				     sizeof(res)),
		       wr, ve, el, w->resumed ? _(", resumed") : "");
		if (w->result != KESU_RESULT_ERASED && w->reason[0])
			printf(_("  reason: %s\n"), w->reason);
		for (size_t k = 0; k < w->bad.n && k < 10; k++)
			printf(_("  bad: LBA %" PRIu64 " +%" PRIu64 " (%s)\n"), w->bad.v[k].first_lba,
			       w->bad.v[k].count, kesu_cli_code(KESU_CODES_BAD_OP,
					kesu_bad_op_name(w->bad.v[k].op), op, sizeof(op)));
		if (w->bad.n > 10)
			printf(_("  bad: ... %zu ranges in all, see the record\n"), w->bad.n);
		if (d->record_path[0])
			printf(_("  record: %s\n"), d->record_path);
		if (d->cert_path[0])
			printf(_("  certificate: %s%s\n"), d->cert_path,
			       d->cert_issued ? "" : _(" (NOT in the register: see the error above)"));
		if (devs[i].pdf_path[0])
			printf(_("  pdf: %s\n"), devs[i].pdf_path);
		if (o->cert.info.my_number)
			printf(_("  PHYSICAL DESTRUCTION REQUIRED: the medium held My Number "
			       "data; software erasure alone is not a complete disposal\n"));
	}
	fflush(stdout);
}

