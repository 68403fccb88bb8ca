/* kesu wipe: options, the plan and its confirmation, the live progress and
 * the summary.  Each device's wipe itself, from probe to register line, is
 * a session (cli/session/session.h), the same one kesu station drives;
 * this file decides only what the operator sees and the exit status. */
#include "cli/cert_opts.h"
#include "cli/cli.h"
#include "cli/cmd_pdf.h"
#include "cli/contents.h"
#include "cli/purge_opts.h"
#include "cli/session/session.h"
#include "lib/config.h"
#include "lib/strutil.h"
#include "wipe/engine/method.h"
#include "wipe/engine/progress.h"
#include "wipe/engine/signals.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum progress_mode { PROGRESS_AUTO, PROGRESS_JSON, PROGRESS_NONE };

struct wipe_opts {
	const char *method;
	const char *passes;
	const char *verify;
	bool yes, dry_run, quiet, resume, json;
	enum progress_mode progress;
	const char *state_dir;
	const char *out_dir;
	struct kesu_cert_opts cert;      /* certificate options (cli/cert_opts.h) */
	struct kesu_issuer *issuer;      /* NULL with --no-cert or --dry-run */
	struct kesu_purge_wipe_opts purge; /* firmware purge (purge_wipe.h) */
	bool pdf;                        /* --pdf: print each certificate */
	enum kesu_lang pdf_lang;
};

/* What this command keeps per device beyond the session. */
struct wipe_dev {
	struct kesu_session_device *s;
	char pdf_path[PATH_MAX];         /* its PDF (--pdf), "" if none */
	enum kesu_rc rc;                 /* this device's outcome */
};

enum { O_METHOD, O_PASSES, O_VERIFY, O_YES, O_DRY_RUN, O_PROGRESS, O_QUIET, O_JSON,
       O_STATE, O_OUT, O_RESUME, O_NO_CERT, O_PDF };
static const struct kesu_opt wipe_opt_table[] = {
	[O_METHOD] = {"method", 'm', "NAME", "erasure method (default nist-clear; see 'kesu methods')"},
	[O_PASSES] = {"passes", 0, "LIST", "custom passes instead, e.g. 00,ff,random"},
	[O_VERIFY] = {"verify", 0, "MODE", "last, all, none or sample (default: the method's)"},
	[O_YES] = {"yes", 'y', NULL, "do not ask for confirmation"},
	[O_DRY_RUN] = {"dry-run", 'n', NULL, "show the plan and exit (with --json: as JSON)"},
	[O_PROGRESS] = {"progress", 0, "MODE", "auto, json (lines on stderr) or none"},
	[O_QUIET] = {"quiet", 'q', NULL, "print only the summary"},
	[O_JSON] = {"json", 0, NULL, "print the summary as JSON on stdout"},
	[O_STATE] = {"state-dir", 0, "DIR", "checkpoints (default: kesu.conf [paths] state_dir, else " KESU_STATE_DIR_DEFAULT ")"},
	[O_OUT] = {"out", 0, "DIR", "run records (default: current directory)"},
	[O_RESUME] = {"resume", 0, NULL, "continue an interrupted wipe from its checkpoint"},
	[O_NO_CERT] = {"no-cert", 0, NULL, "do not issue a signed certificate per device"},
	[O_PDF] = {"pdf", 0, "[=LANG]", "print each certificate as a PDF beside it (LANG ja, en or ja+en, the default)"},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kesu wipe [OPTIONS] DEVICE...\n"
		"       kesu wipe --resume [OPTIONS] DEVICE...\n\n"
		"Overwrite whole devices or image files, verify from the medium, and\n"
		"write one run record per device.\n\n"
		"Options:\n");
	kesu_opts_print(f, wipe_opt_table);
	kesu_opts_print(f, kesu_purge_opt_table);
	fprintf(f, "\nWithout --yes, kesu shows the plan and asks you to type each device's\n"
		   "serial number (its name if it has none).  Exit status 0 only if every\n"
		   "device ended \"erased\"; see kesu(8).\n\n");
	kesu_cert_opts_help(f);
}


static void print_plan(const struct kesu_session_device *d, const struct wipe_opts *o,
		       FILE *f)
{
	const struct kesu_identity *id = d->id;
	const struct kesu_wipe *w = &d->w;
	char size[32], content[512], eta[24];
	kesu_size_human(id->size_bytes, size, sizeof(size));
	kesu_cli_contents_line(d->before, content, sizeof(content));
	fprintf(f, "%s\n", id->path);
	fprintf(f, "  model     %s\n", kesu_cli_or_dash(id->model));
	fprintf(f, "  serial    %s\n", kesu_cli_or_dash(id->serial));
	fprintf(f, "  size      %s (%" PRIu64 " bytes, %u-byte blocks)\n", size,
		id->size_bytes, d->t ? d->t->block_size : id->logical_block_size);
	fprintf(f, "  contents  %s\n", content);
	const char *purge = o->purge.method;
	if (purge)
		fprintf(f, "  method    %s (NIST purge, the drive's own command; "
			   "sampled verification)\n", purge);
	if (w->method.npasses > 0) {
		fprintf(f, "  %s %s (NIST %s), %zu pass%s:", purge ? "then     " : "method   ",
			w->method.name, kesu_nist_category_name(w->method.category),
			w->method.npasses, w->method.npasses == 1 ? "" : "es");
		for (size_t i = 0; i < w->method.npasses; i++) {
			char p[2 * KESU_PATTERN_MAX + 8];
			kesu_pass_describe(&w->method.passes[i], p, sizeof(p));
			fprintf(f, " %s", p);
		}
		fprintf(f, "; verify %s\n", kesu_verify_mode_name(w->verify));
	}
	if (w->verify == KESU_VERIFY_NONE)
		fprintf(f, "  note      without verification the result can at best be "
			   "erased-with-exceptions\n");
	if (w->resumed)
		fprintf(f, "  resume    pass %zu/%zu, %s at byte %" PRIu64 " (run %s)\n",
			w->pass + 1, w->method.npasses, kesu_phase_name(w->phase), w->offset,
			d->resumed_from);
	double rate;
	kesu_progress_hms(kesu_session_estimate_s(d, &rate), eta, sizeof(eta));
	fprintf(f, "  estimate  %s at about %.0f MB/s\n", eta, rate / 1e6);
}

/* The same plan for scripts (kesu wipe --dry-run --json; keys in kesu(8)). */
static json_t *plan_json(const struct kesu_session_device *d, const struct wipe_opts *o)
{
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
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:I}", "device",
			 kesu_identity_to_json(d->id), "contents",
			 d->before ? json_incref(d->before) : json_null(), "purge",
			 purge ? json_string(purge) : json_null(), "method", method, "resume",
			 resume, "estimate_s", (json_int_t)est, "assumed_rate_mb_s",
			 (json_int_t)(rate / 1e6));
}

/* Read one line from stdin; false on EOF or error. */
static bool read_answer(char *buf, size_t sz)
{
	if (!fgets(buf, (int)sz, stdin))
		return false;
	buf[strcspn(buf, "\r\n")] = '\0';
	char tmp[KESU_STR_MAX + 1];
	kesu_clean(tmp, sizeof(tmp), buf, strlen(buf));
	kesu_strlcpy(buf, tmp, sz);
	return true;
}

static enum kesu_rc confirm(struct wipe_dev *devs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct kesu_identity *id = devs[i].s->id;
		bool serial = id->serial[0] != '\0';
		const char *want = serial ? id->serial : id->name;
		fprintf(stderr,
			"Everything on %s will be destroyed.  Type its %s (%s) to go on: ",
			id->path, serial ? "serial number" : "name", want);
		fflush(stderr);
		char ans[KESU_STR_MAX + 2];
		bool got = read_answer(ans, sizeof(ans));
		/* Piped answers are not echoed; end the prompt's line ourselves. */
		if (got && !isatty(STDIN_FILENO))
			fprintf(stderr, "\n");
		if (!got) {
			fprintf(stderr, "\n");
			return kesu_usage_error("no confirmation for %s; nothing was written "
						"(type the %s, or use --yes)",
						id->path, serial ? "serial number" : "name");
		}
		if (strcmp(ans, want) != 0) {
			fprintf(stderr, "kesu: '%s' does not match %s's %s; nothing was "
					"written\n",
				ans, id->path, serial ? "serial number" : "name");
			return KESU_ERR_FAILED;
		}
	}
	return KESU_OK;
}

/* ---- what the sessions report ------------------------------------------ */

/* Device threads signal here when they end, so the display notices at once
 * instead of at its next tick. */
struct watch {
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void on_notice(struct kesu_session_device *d, const char *msg, void *ud)
{
	(void)d;
	(void)ud;
	fprintf(stderr, "kesu: %s\n", msg);
}

static void on_ended(struct kesu_session_device *d, void *ud)
{
	(void)d;
	struct watch *w = ud;
	pthread_mutex_lock(&w->mu);
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void print_status(struct wipe_dev *devs, size_t n, FILE *f)
{
	for (size_t i = 0; i < n; i++) {
		struct kesu_progress_snap s;
		char line[256];
		if (!kesu_session_snapshot(devs[i].s, &s)) {
			fprintf(f, "%s  starting\n", devs[i].s->name);
			continue;
		}
		kesu_progress_line(&s, line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
	fflush(f);
}

struct display {
	enum progress_mode mode; /* resolved: AUTO means a live terminal */
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
				snprintf(line, sizeof(line), "%s  starting", devs[i].s->name);
			fprintf(stderr, "\r\033[2K%s\n", line);
		}
		ds->drawn = n;
		fflush(stderr);
		return;
	}
	if (ds->mode != PROGRESS_JSON)
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
static void watch_until_done(struct watch *wt, struct wipe_dev *devs, size_t n,
			     const struct wipe_opts *o)
{
	struct display ds = {0};
	ds.mode = o->quiet ? PROGRESS_NONE : o->progress;
	ds.live = ds.mode == PROGRESS_AUTO && isatty(STDERR_FILENO);
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

/* One device's end: the session's chain, then this command's own --pdf. */
static enum kesu_rc finish_device(struct wipe_dev *wd, const struct wipe_opts *o)
{
	struct kesu_session_device *d = wd->s;
	struct kesu_err err;
	kesu_session_join(d);
	enum kesu_rc rc = kesu_session_finish(d, &err);
	if (err.msg[0])
		kesu_report(&err);
	if (o->pdf && d->cert_issued && d->cert_path[0]) {
		enum kesu_rc prc = kesu_cli_pdf_beside(d->cert_path, o->pdf_lang,
						       o->cert.config_path, wd->pdf_path,
						       sizeof(wd->pdf_path));
		if (prc != KESU_OK)
			return prc;
	}
	return rc;
}

static void print_summary(struct wipe_dev *devs, size_t n, const struct wipe_opts *o);

static enum kesu_rc run_all(struct wipe_dev *devs, size_t n, const struct wipe_opts *o,
			    struct watch *wt)
{
	struct kesu_err err;
	/* Every device armed before any is started: a records or state
	 * directory that cannot be written stops them all, unwritten. */
	for (size_t i = 0; i < n; i++)
		if (kesu_session_arm(devs[i].s, &err) != KESU_OK) {
			kesu_report(&err);
			return err.rc;
		}
	atomic_int stop = 0;
	kesu_signals_install(&stop);
	size_t started = 0;
	for (; started < n; started++)
		if (kesu_session_start(devs[started].s, &stop, &err) != KESU_OK) {
			atomic_store(&stop, SIGTERM);
			kesu_report(&err);
			break;
		}
	watch_until_done(wt, devs, n, o);
	enum kesu_rc rc = KESU_OK;
	for (size_t i = 0; i < n; i++) {
		devs[i].rc = i < started ? finish_device(&devs[i], o) : KESU_ERR_INTERNAL;
		rc = kesu_session_worst(rc, devs[i].rc);
	}
	kesu_signals_restore();
	print_summary(devs, n, o);
	return rc;
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

static void print_summary(struct wipe_dev *devs, size_t n, const struct wipe_opts *o)
{
	if (o->json) {
		print_summary_json(devs, n, o);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct kesu_session_device *d = devs[i].s;
		const struct kesu_wipe *w = &d->w;
		char wr[32], ve[32], el[24];
		kesu_size_human(w->bytes_written, wr, sizeof(wr));
		kesu_size_human(w->bytes_verified, ve, sizeof(ve));
		kesu_progress_hms(difftime(w->ended_at, w->started_at), el, sizeof(el));
		printf("%s: %s  (written %s, verified %s, %s%s)\n", d->id->path,
		       kesu_result_name(w->result), wr, ve, el, w->resumed ? ", resumed" : "");
		if (w->result != KESU_RESULT_ERASED && w->reason[0])
			printf("  reason: %s\n", w->reason);
		for (size_t k = 0; k < w->bad.n && k < 10; k++)
			printf("  bad: LBA %" PRIu64 " +%" PRIu64 " (%s)\n", w->bad.v[k].first_lba,
			       w->bad.v[k].count, kesu_bad_op_name(w->bad.v[k].op));
		if (w->bad.n > 10)
			printf("  bad: ... %zu ranges in all, see the record\n", w->bad.n);
		if (d->record_path[0])
			printf("  record: %s\n", d->record_path);
		if (d->cert_path[0])
			printf("  certificate: %s%s\n", d->cert_path,
			       d->cert_issued ? "" : " (NOT in the register: see the error above)");
		if (devs[i].pdf_path[0])
			printf("  pdf: %s\n", devs[i].pdf_path);
		if (o->cert.info.my_number)
			printf("  PHYSICAL DESTRUCTION REQUIRED: the medium held My Number "
			       "data; software erasure alone is not a complete disposal\n");
	}
	fflush(stdout);
}

/* ---- the command ------------------------------------------------------- */

static enum kesu_rc wipe_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct wipe_opts *o = ud;
	if (kesu_opt_in(opt, kesu_cert_opt_table))
		return kesu_cert_opt_apply(&o->cert, opt, arg);
	if (kesu_opt_in(opt, kesu_purge_opt_table)) {
		kesu_purge_opt_apply(&o->purge, opt, arg);
		return KESU_OK;
	}
	switch (KESU_OPT_ID(opt, wipe_opt_table)) {
	case O_METHOD: o->method = arg; break;
	case O_PASSES: o->passes = arg; break;
	case O_VERIFY: o->verify = arg; break;
	case O_YES: o->yes = true; break;
	case O_DRY_RUN: o->dry_run = true; break;
	case O_QUIET: o->quiet = true; break;
	case O_JSON: o->json = true; break;
	case O_STATE: o->state_dir = arg; break;
	case O_OUT: o->out_dir = arg; break;
	case O_RESUME: o->resume = true; break;
	case O_NO_CERT: o->cert.no_cert = true; break;
	case O_PDF:
		o->pdf = true;
		o->pdf_lang = KESU_LANG_JA_EN;
		if (arg && !kesu_lang_parse(arg, &o->pdf_lang))
			return kesu_usage_error("wipe: --pdf=LANG takes ja, en or ja+en");
		break;
	case O_PROGRESS:
		if (!strcmp(arg, "auto"))
			o->progress = PROGRESS_AUTO;
		else if (!strcmp(arg, "json"))
			o->progress = PROGRESS_JSON;
		else if (!strcmp(arg, "none"))
			o->progress = PROGRESS_NONE;
		else
			return kesu_usage_error("wipe: --progress must be auto, json or none");
		break;
	}
	return KESU_OK;
}

/* Options into o; *first is the first device.  *done after --help. */
static enum kesu_rc parse(int argc, char **argv, struct wipe_opts *o, int *first, bool *done)
{
	static const struct kesu_opt *const tables[] = {wipe_opt_table, kesu_purge_opt_table,
						       kesu_cert_opt_table, NULL};
	const struct kesu_cmd_opts c = {"wipe", tables, wipe_opt, o, usage};
	enum kesu_rc rc = kesu_opts_parse(&c, argc, argv, first, done);
	if (rc != KESU_OK || *done)
		return rc;
	int optind = *first;
	if (o->method && o->passes)
		return kesu_usage_error("wipe: give --method or --passes, not both");
	if (o->pdf && o->cert.no_cert)
		return kesu_usage_error("wipe: --pdf prints the certificates; drop --no-cert");
	if (o->resume && (o->method || o->passes || o->verify))
		return kesu_usage_error("wipe: --resume continues with the checkpoint's "
					"method; drop --method, --passes and --verify");
	if (optind >= argc)
		return kesu_usage_error("wipe: no device given; see 'kesu list' for the "
					"devices and 'kesu wipe --help'");
	return KESU_OK;
}


/* The method a new wipe uses, from --passes or --method; NULL for a
 * resume (the checkpoint's) or a purge without --then. */
static enum kesu_rc pick_method(struct wipe_opts *o, struct kesu_method *custom,
				const struct kesu_method **m)
{
	struct kesu_err err;
	*m = NULL;
	if (o->passes) {
		if (kesu_method_custom(o->passes, custom, &err) != KESU_OK) {
			kesu_report(&err);
			return KESU_ERR_USAGE;
		}
		*m = custom;
		return KESU_OK;
	}
	if (o->resume)
		return KESU_OK;
	const char *name = o->method ? o->method : "nist-clear";
	bool is_purge;
	const struct kesu_method *then;
	if (kesu_purge_wipe_select(&o->purge, name, &then, &is_purge, &err) != KESU_OK) {
		kesu_report(&err);
		return err.rc;
	}
	*m = is_purge ? then : kesu_method_find(name);
	if (!*m && !is_purge)
		return kesu_usage_error("wipe: no method '%s'; 'kesu methods' lists them", name);
	return KESU_OK;
}

/* Gate, plan and open every device; nothing is written here. */
static enum kesu_rc prepare_all(struct wipe_dev *devs, size_t n, const struct wipe_opts *o)
{
	struct kesu_err err;
	for (size_t i = 0; i < n; i++) {
		struct kesu_session_device *d = devs[i].s;
		enum kesu_rc rc = kesu_session_prepare(d, &err);
		if (rc == KESU_ERR_REFUSED && d->id && !d->gate.allowed) {
			for (size_t k = 0; k < d->gate.n_reasons; k++)
				fprintf(stderr, "kesu: %s: refused (%s): %s\n", d->id->path,
					d->gate.reasons[k].code, d->gate.reasons[k].text);
			return rc;
		}
		if (rc != KESU_OK) {
			kesu_report(&err);
			return rc;
		}
	}
	/* The same disk under two names (/dev/loop3 and a symlink to it) is
	 * one device: wiping it "twice" in parallel would certify twice. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (kesu_session_same_medium(devs[i].s, devs[j].s))
				return kesu_usage_error("wipe: given twice: %s and %s are the "
							"same device",
							devs[j].s->path, devs[i].s->path);
	/* Exclusive opens, held from here to the end. */
	for (size_t i = 0; i < n && !o->dry_run; i++)
		if (kesu_session_open(devs[i].s, &err) != KESU_OK) {
			kesu_report(&err);
			return err.rc;
		}
	return KESU_OK;
}

static void show_plan(struct wipe_dev *devs, size_t n, const struct wipe_opts *o)
{
	if (o->dry_run && o->json) {
		json_t *plan = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(plan, plan_json(devs[i].s, o));
		json_t *doc = json_pack("{s:o}", "plan", plan);
		char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
		json_decref(doc);
		if (text)
			printf("%s\n", text);
		free(text);
	} else if (!o->quiet || !o->yes || o->dry_run) {
		FILE *pf = o->dry_run ? stdout : stderr;
		fprintf(pf, "kesu wipe plan (%zu device%s):\n", n, n == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++)
			print_plan(devs[i].s, o, pf);
		fflush(pf);
	}
}

/* The session's options from the command's, for every device alike. */
static enum kesu_rc session_opts(struct wipe_opts *o, const struct kesu_method *m,
				 struct kesu_session_opts *so)
{
	*so = (struct kesu_session_opts){
		.state_dir = o->state_dir, .out_dir = o->out_dir, .resume = o->resume,
		.method = m, .purge = &o->purge, .issuer = o->issuer,
		.given = &o->cert.info,
		.pause_before_verify = getenv("KESU_TEST_PAUSE_BEFORE_VERIFY"),
	};
	so->verify_given = o->verify != NULL;
	if (o->verify && !kesu_verify_mode_parse(o->verify, &so->verify))
		return kesu_usage_error("--verify must be last, all, none or sample, not '%s'",
					o->verify);
	return KESU_OK;
}

static enum kesu_rc wipe_devices(struct wipe_opts *o, const struct kesu_session_opts *so,
				 char **paths, size_t n)
{
	struct watch wt = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};
	const struct kesu_session_observer obs = {.notice = on_notice, .ended = on_ended,
						  .ud = &wt};
	struct wipe_dev *devs = calloc(n, sizeof(*devs));
	enum kesu_rc rc = devs ? KESU_OK : KESU_ERR_INTERNAL;
	for (size_t i = 0; i < n && rc == KESU_OK; i++)
		if (!(devs[i].s = kesu_session_device_new(paths[i], so, &obs)))
			rc = KESU_ERR_INTERNAL;
	if (rc != KESU_OK) {
		fprintf(stderr, "kesu: out of memory\n");
		goto out;
	}
	rc = prepare_all(devs, n, o);
	if (rc == KESU_OK)
		show_plan(devs, n, o);
	if (rc == KESU_OK && !o->dry_run && !o->yes)
		rc = confirm(devs, n);
	if (rc == KESU_OK && !o->dry_run)
		rc = run_all(devs, n, o, &wt);
out:
	for (size_t i = 0; devs && i < n; i++)
		kesu_session_device_free(devs[i].s);
	free(devs);
	return rc;
}

enum kesu_rc cmd_wipe(int argc, char **argv)
{
	struct wipe_opts o = {0};
	o.out_dir = ".";
	bool help = false;
	int optind;
	enum kesu_rc rc = parse(argc, argv, &o, &optind, &help);
	if (rc != KESU_OK || help)
		return rc;
	struct kesu_err err;
	/* --state-dir wins; otherwise kesu.conf's [paths] state_dir, so a
	 * station's checkpoints (and their stream keys) stay where its
	 * administrator put them, and --resume finds them there. */
	static struct kesu_config cfg;
	if (!o.state_dir) {
		if (kesu_config_load(o.cert.config_path, &cfg, &err) != KESU_OK) {
			kesu_report(&err);
			return err.rc;
		}
		o.state_dir = cfg.state_dir;
	}
	struct kesu_method custom;
	const struct kesu_method *m;
	if ((rc = pick_method(&o, &custom, &m)) != KESU_OK)
		return rc;
	struct kesu_session_opts so;
	if ((rc = session_opts(&o, m, &so)) != KESU_OK)
		return rc;
	size_t n = (size_t)(argc - optind);
	/* One asset number on several devices would certify each disk as the
	 * same asset: a register could then never tell which one left. */
	if (n > 1 && o.cert.info.property_number[0] && !o.cert.no_cert)
		return kesu_usage_error("wipe: --asset names one asset, but %zu devices are given; "
					"wipe each asset's disk in its own run", n);
	/* Certificate details and the signing key are checked before any
	 * device is touched, so no erasure ends without its certificate. */
	o.cert.resume = o.resume;
	if (!o.cert.no_cert && !o.dry_run &&
	    (rc = kesu_issuer_prepare(&o.cert, &o.issuer, &err)) != KESU_OK) {
		kesu_report(&err);
		return rc;
	}
	so.issuer = o.issuer;
	rc = wipe_devices(&o, &so, argv + optind, n);
	kesu_issuer_free(o.issuer);
	return rc;
}
