/* kesu wipe: plan, confirmation, one engine thread per device, live
 * progress, interruption and resume, one run record per device, one summary.
 * Every device passes the safety gate before anything is written, and every
 * device's end goes through finish_device(), the one place where follow-up
 * steps (certificates, firmware methods) hook in. */
#include "wipe/engine/checkpoint.h"
#include "wipe/engine/fingerprint.h"
#include "wipe/device/medium_binding.h"
#include "lib/config.h"
#include "cli/cli.h"
#include "wipe/device/device.h"
#include "wipe/engine/engine.h"
#include "lib/fileio.h"
#include "wipe/device/gate.h"
#include "cli/cert_opts.h"
#include "cli/purge_opts.h"
#include "certs/document/cert_info.h"
#include "cli/cmd_pdf.h"
#include "wipe/engine/method.h"
#include "wipe/engine/progress.h"
#include "wipe/firmware/purge_wipe.h"
#include "wipe/engine/run_record.h"
#include "wipe/engine/signals.h"
#include "lib/strutil.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
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
	const char *pause_before_verify; /* test hook, from the environment */
	struct kesu_cert_opts cert;      /* certificate options (cli/cert_opts.h) */
	struct kesu_issuer *issuer;      /* NULL with --no-cert or --dry-run */
	struct kesu_purge_wipe_opts purge; /* firmware purge (purge_wipe.h) */
	bool pdf;                        /* --pdf: print each certificate */
	enum kesu_lang pdf_lang;
	const char *queue_depth;         /* --queue-depth, checked with kesu.conf's */
	unsigned qd;
};

/* Workers signal here when they end, so the main thread notices at once
 * instead of at its next progress tick. */
static pthread_mutex_t g_done_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_done_cv = PTHREAD_COND_INITIALIZER;

struct dev_run {
	const char *arg;
	const struct wipe_opts *opts;
	struct kesu_device *dev;
	const struct kesu_identity *id;
	struct kesu_medium_binding binding;
	char name[64];               /* cleaned short name for display */
	json_t *before;
	json_t *cert_json;           /* certificate details kept in the checkpoint */
	struct kesu_cert_info cert_info; /* what this device's certificate says */
	struct kesu_target *t;
	struct kesu_wipe w;
	bool have_wipe;
	char run_id[KESU_RUN_ID_LEN];
	char resumed_from[KESU_RUN_ID_LEN];
	char pause_path[PATH_MAX];
	char cert_path[PATH_MAX];    /* the certificate issued, "" if none */
	char pdf_path[PATH_MAX];     /* its PDF (--pdf), "" if none */
	json_t *firmware;            /* the record's "firmware" object, or NULL */
	atomic_int *stop;

	pthread_t th;
	bool started;
	enum kesu_rc engine_rc;
	struct kesu_err engine_err;

	pthread_mutex_t mu;          /* guards prog, have_prog, done */
	struct kesu_progress prog;
	bool have_prog, done;
	bool ckpt_warned;

	char record_path[PATH_MAX];
	enum kesu_rc rc;             /* this device's outcome as a kesu_rc */
};

enum { O_METHOD, O_PASSES, O_VERIFY, O_YES, O_DRY_RUN, O_PROGRESS, O_QUIET, O_JSON,
       O_STATE, O_OUT, O_RESUME, O_NO_CERT, O_PDF, O_QUEUE_DEPTH };
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
	[O_QUEUE_DEPTH] = {"queue-depth", 0, "N", "requests in flight per device, 1-16 (default 4, or kesu.conf [wipe] queue_depth); buffers per device: 4 MiB x max(6, N+2), 72 MiB at most"},
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

static void fmt_size(uint64_t b, char *buf, size_t sz)
{
	static const char *const u[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	double v = (double)b;
	size_t i = 0;
	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	snprintf(buf, sz, i ? "%.1f %s" : "%.0f %s", v, u[i]);
}

static const char *or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

/* One line about what is on the device now, from kesu_device_content_json. */
static void describe_content(const json_t *c, char *buf, size_t sz)
{
	if (!c || json_is_null(c)) {
		snprintf(buf, sz, "unknown (not read)");
		return;
	}
	size_t n = 0;
	buf[0] = '\0';
#define ADD(...) \
	do { \
		if (n < sz) \
			n += (size_t)snprintf(buf + n, sz - n, __VA_ARGS__); \
	} while (0)
	char t1[64], t2[64];
	const char *pt = json_string_value(json_object_get(c, "pttype"));
	if (pt) {
		kesu_clean(t1, sizeof(t1), pt, strlen(pt));
		ADD("%s partition table", t1);
	}
	json_t *sig = json_object_get(c, "signature");
	if (json_is_object(sig)) {
		const char *ty = json_string_value(json_object_get(sig, "type"));
		const char *lb = json_string_value(json_object_get(sig, "label"));
		kesu_clean(t1, sizeof(t1), ty ? ty : "?", ty ? strlen(ty) : 1);
		kesu_clean(t2, sizeof(t2), lb ? lb : "", lb ? strlen(lb) : 0);
		ADD("%s%s%s%s%s", n ? ", " : "", t1, t2[0] ? " \"" : "", t2, t2[0] ? "\"" : "");
	}
	json_t *parts = json_object_get(c, "partitions");
	size_t np = json_array_size(parts);
	if (np)
		ADD("%s%zu partition%s:", n ? ", " : "", np, np == 1 ? "" : "s");
	for (size_t i = 0; i < np && i < 8; i++) {
		json_t *p = json_array_get(parts, i);
		const char *ty = json_string_value(json_object_get(p, "type"));
		const char *lb = json_string_value(json_object_get(p, "label"));
		kesu_clean(t1, sizeof(t1), ty ? ty : "no file system",
			   strlen(ty ? ty : "no file system"));
		kesu_clean(t2, sizeof(t2), lb ? lb : "", lb ? strlen(lb) : 0);
		ADD(" %s%s%s%s%s", t1, t2[0] ? " \"" : "", t2, t2[0] ? "\"" : "",
		    i + 1 < np ? "," : "");
	}
	if (np > 8)
		ADD(" ...");
	if (!n)
		ADD("no partition table or file system found");
#undef ADD
}

static void print_plan(const struct dev_run *d, FILE *f)
{
	const struct kesu_identity *id = d->id;
	const struct kesu_wipe *w = &d->w;
	char size[32], content[512], eta[24];
	fmt_size(id->size_bytes, size, sizeof(size));
	describe_content(d->before, content, sizeof(content));
	fprintf(f, "%s\n", id->path);
	fprintf(f, "  model     %s\n", or_dash(id->model));
	fprintf(f, "  serial    %s\n", or_dash(id->serial));
	fprintf(f, "  size      %s (%" PRIu64 " bytes, %u-byte blocks)\n", size,
		id->size_bytes, d->t ? d->t->block_size : id->logical_block_size);
	fprintf(f, "  contents  %s\n", content);
	const char *purge = d->opts->purge.method;
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
	/* A deliberately plain estimate: rotating disks ~150 MB/s, others ~400. */
	double rate = (id->rotational ? 150e6 : 400e6);
	uint64_t bytes = 0;
	for (size_t i = 0; i < w->method.npasses; i++)
		bytes += id->size_bytes * (kesu_wipe_verifies_pass(w, i) ? 2 : 1);
	kesu_progress_hms((double)bytes / rate, eta, sizeof(eta));
	fprintf(f, "  estimate  %s at about %.0f MB/s\n", eta, rate / 1e6);
}

/* The same plan for scripts (kesu wipe --dry-run --json; keys in kesu(8)). */
static json_t *plan_json(const struct dev_run *d)
{
	const struct kesu_identity *id = d->id;
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
	double rate = (id->rotational ? 150e6 : 400e6);
	uint64_t bytes = 0;
	for (size_t i = 0; i < w->method.npasses; i++)
		bytes += id->size_bytes * (kesu_wipe_verifies_pass(w, i) ? 2 : 1);
	const char *purge = d->opts->purge.method;
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:I}", "device",
			 kesu_identity_to_json(id), "contents",
			 d->before ? json_incref(d->before) : json_null(), "purge",
			 purge ? json_string(purge) : json_null(), "method", method, "resume",
			 resume, "estimate_s", (json_int_t)((double)bytes / rate), "assumed_rate_mb_s",
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

static enum kesu_rc confirm(struct dev_run *devs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct kesu_identity *id = devs[i].id;
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

/* ---- progress ---------------------------------------------------------- */

static void on_progress(const struct kesu_progress *p, void *ud)
{
	struct dev_run *d = ud;
	pthread_mutex_lock(&d->mu);
	d->prog = *p;
	d->have_prog = true;
	pthread_mutex_unlock(&d->mu);
}

static enum kesu_rc save_checkpoint(const struct dev_run *d, const struct kesu_wipe *w,
				    struct kesu_err *err)
{
	const struct kesu_checkpoint_meta m = {d->id, &d->binding, d->run_id, d->before,
					       d->cert_json};
	return kesu_checkpoint_save(d->opts->state_dir, &m, w, err);
}

static enum kesu_rc on_checkpoint(const struct kesu_wipe *w, void *ud, struct kesu_err *err)
{
	struct dev_run *d = ud;
	enum kesu_rc rc = save_checkpoint(d, w, err);
	if (rc != KESU_OK && !d->ckpt_warned) {
		d->ckpt_warned = true;
		fprintf(stderr, "kesu: %s: %s (the wipe goes on, but cannot be resumed "
				"after a crash)\n",
			d->name, err->msg);
	}
	return rc;
}

static bool snapshot(struct dev_run *d, struct kesu_progress_snap *s)
{
	pthread_mutex_lock(&d->mu);
	bool have = d->have_prog;
	struct kesu_progress p = d->prog;
	pthread_mutex_unlock(&d->mu);
	if (!have)
		return false;
	s->device = d->name;
	s->phase = kesu_phase_name(p.phase);
	s->pass = p.pass;
	s->npasses = p.npasses;
	s->phase_done = p.phase_done;
	s->phase_total = p.phase_total;
	s->done = p.done;
	s->total = p.total;
	s->elapsed_s = p.elapsed_s;
	s->run_done = p.run_done;
	return true;
}

static void print_status(struct dev_run *devs, size_t n, FILE *f)
{
	for (size_t i = 0; i < n; i++) {
		struct kesu_progress_snap s;
		char line[256];
		if (!snapshot(&devs[i], &s)) {
			fprintf(f, "%s  starting\n", devs[i].name);
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

static void draw(struct display *ds, struct dev_run *devs, size_t n, bool final)
{
	if (ds->live) {
		if (ds->drawn)
			fprintf(stderr, "\033[%zuA", ds->drawn);
		for (size_t i = 0; i < n; i++) {
			struct kesu_progress_snap s;
			char line[256];
			if (snapshot(&devs[i], &s))
				kesu_progress_line(&s, line, sizeof(line));
			else
				snprintf(line, sizeof(line), "%s  starting", devs[i].name);
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
		if (!snapshot(&devs[i], &s))
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

/* ---- per device -------------------------------------------------------- */

static void *dev_thread(void *arg)
{
	struct dev_run *d = arg;
	struct kesu_engine_opts o = {0};
	o.stop = d->stop;
	o.progress = on_progress;
	o.progress_ud = d;
	o.checkpoint = on_checkpoint;
	o.checkpoint_ud = d;
	o.checkpoint_every_s = 5;
	o.queue_depth = d->opts->qd;
	o.pause_before_verify = d->pause_path[0] ? d->pause_path : NULL;
	kesu_err_clear(&d->engine_err);
	if (d->opts->purge.method) {
		/* Firmware purge; a --then overwrite only after it erased. */
		d->engine_rc = kesu_purge_wipe_run(d->id, d->t, &d->opts->purge, &d->w,
						   &d->firmware, on_progress, d, d->stop,
						   &d->engine_err);
		if (d->engine_rc == KESU_OK && d->w.method.npasses)
			d->engine_rc = kesu_engine_run(d->t, &d->w, &o, &d->engine_err);
	} else {
		d->engine_rc = kesu_engine_run(d->t, &d->w, &o, &d->engine_err);
	}
	pthread_mutex_lock(&d->mu);
	d->done = true;
	pthread_mutex_unlock(&d->mu);
	pthread_mutex_lock(&g_done_mu);
	pthread_cond_broadcast(&g_done_cv);
	pthread_mutex_unlock(&g_done_mu);
	return NULL;
}

static enum kesu_rc result_rc(enum kesu_result r)
{
	switch (r) {
	case KESU_RESULT_ERASED: return KESU_OK;
	case KESU_RESULT_INTERRUPTED: return KESU_ERR_INTERRUPTED;
	case KESU_RESULT_EXCEPTIONS:
	case KESU_RESULT_FAILED: return KESU_ERR_FAILED;
	}
	return KESU_ERR_FAILED;
}

/* Everything that happens once a device's erasure has ended, whatever its
 * result: the checkpoint (kept only for an interrupted run), the run
 * record, and the summary line.  Certificates and firmware methods hook in
 * here. */
static enum kesu_rc finish_device(struct dev_run *d, const struct kesu_host *host)
{
	const struct wipe_opts *o = d->opts;
	struct kesu_err err;
	if (d->engine_rc != KESU_OK)
		fprintf(stderr, "kesu: %s: %s\n", d->name, d->engine_err.msg);
	if (d->w.result == KESU_RESULT_INTERRUPTED) {
		if (save_checkpoint(d, &d->w, &err) != KESU_OK)
			kesu_report(&err);
	} else if (kesu_checkpoint_remove(o->state_dir, d->id, &err) != KESU_OK) {
		kesu_report(&err);
	}

	struct kesu_run_record r = {0};
	memcpy(r.run_id, d->run_id, sizeof(r.run_id));
	memcpy(r.resumed_from, d->resumed_from, sizeof(r.resumed_from));
	r.host = *host;
	r.device = d->id;
	r.before = d->before;
	r.wipe = &d->w;
	r.block_size = d->t->block_size;
	r.firmware = d->firmware;
	enum kesu_rc rc = kesu_run_record_write(o->out_dir, &r, d->record_path,
						sizeof(d->record_path), &err);
	if (rc != KESU_OK) {
		d->record_path[0] = '\0';
		kesu_report(&err);
		/* Without its record an erasure cannot be proven. */
		return d->w.result == KESU_RESULT_INTERRUPTED ? KESU_ERR_INTERRUPTED : rc;
	}
	/* A certificate for every result, failures included, signed and
	 * registered; without it an erasure is not proven either. */
	bool unstamped = false;
	if (o->issuer &&
	    (rc = kesu_issuer_issue_as(o->issuer, &d->cert_info, d->record_path, d->cert_path,
				       sizeof(d->cert_path), &err)) != KESU_OK) {
		kesu_report(&err);
		unstamped = rc == KESU_ERR_UNSTAMPED;
		if (!unstamped)
			return d->w.result == KESU_RESULT_INTERRUPTED ? KESU_ERR_INTERRUPTED : rc;
	}
	if (o->pdf && d->cert_path[0] &&
	    (rc = kesu_cli_pdf_beside(d->cert_path, o->pdf_lang, o->cert.config_path,
				      d->pdf_path, sizeof(d->pdf_path))) != KESU_OK)
		return rc;
	/* A device that went away failed for a reason the operator fixes by
	 * reconnecting it: exit 7, not 1. */
	if (d->w.result == KESU_RESULT_FAILED &&
	    (d->w.device_gone || d->engine_rc == KESU_ERR_GONE))
		return KESU_ERR_GONE;
	/* A result that is not clean says more than a missing token. */
	rc = result_rc(d->w.result);
	return rc == KESU_OK && unstamped ? KESU_ERR_UNSTAMPED : rc;
}

static void print_summary(struct dev_run *devs, size_t n, const struct wipe_opts *o)
{
	if (o->json) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++) {
			struct dev_run *d = &devs[i];
			json_array_append_new(
				a, json_pack("{s:o, s:s, s:o, s:o, s:I, s:I, s:b}", "device",
					     kesu_json_str(d->id->path), "result",
					     kesu_result_name(d->w.result), "reason",
					     d->w.result == KESU_RESULT_ERASED
						     ? json_null()
						     : kesu_json_str(d->w.reason),
					     "record",
					     d->record_path[0] ? kesu_json_str(d->record_path)
							       : json_null(),
					     "bytes_written", (json_int_t)d->w.bytes_written,
					     "bytes_verified", (json_int_t)d->w.bytes_verified,
					     "resumed", d->w.resumed));
		}
		for (size_t i = 0; i < n; i++)
			json_object_set_new(json_array_get(a, i), "certificate",
					    devs[i].cert_path[0] ? kesu_json_str(devs[i].cert_path)
								 : json_null());
		for (size_t i = 0; o->pdf && i < n; i++)
			json_object_set_new(json_array_get(a, i), "pdf",
					    devs[i].pdf_path[0] ? kesu_json_str(devs[i].pdf_path)
								: json_null());
		char *s = json_dumps(a, JSON_INDENT(2));
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(a);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct dev_run *d = &devs[i];
		char w[32], v[32], el[24];
		fmt_size(d->w.bytes_written, w, sizeof(w));
		fmt_size(d->w.bytes_verified, v, sizeof(v));
		kesu_progress_hms(difftime(d->w.ended_at, d->w.started_at), el, sizeof(el));
		printf("%s: %s  (written %s, verified %s, %s%s)\n", d->id->path,
		       kesu_result_name(d->w.result), w, v, el, d->w.resumed ? ", resumed" : "");
		if (d->w.result != KESU_RESULT_ERASED && d->w.reason[0])
			printf("  reason: %s\n", d->w.reason);
		for (size_t k = 0; k < d->w.bad.n && k < 10; k++)
			printf("  bad: LBA %" PRIu64 " +%" PRIu64 " (%s)\n", d->w.bad.v[k].first_lba,
			       d->w.bad.v[k].count, kesu_bad_op_name(d->w.bad.v[k].op));
		if (d->w.bad.n > 10)
			printf("  bad: ... %zu ranges in all, see the record\n", d->w.bad.n);
		if (d->record_path[0])
			printf("  record: %s\n", d->record_path);
		if (d->cert_path[0])
			printf("  certificate: %s\n", d->cert_path);
		if (d->pdf_path[0])
			printf("  pdf: %s\n", d->pdf_path);
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
	case O_QUEUE_DEPTH: o->queue_depth = arg; break;
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

static bool same_device(const struct kesu_medium_binding *a,
			const struct kesu_medium_binding *b)
{
	if (a->is_file != b->is_file)
		return false;
	if (a->is_file)
		return a->inode_dev == b->inode_dev && a->inode_ino == b->inode_ino;
	return a->dev_major == b->dev_major && a->dev_minor == b->dev_minor;
}

/* A resume certifies what the interrupted run was started for: the details
 * come from the checkpoint, and the command line may only repeat them. */
static enum kesu_rc resumed_cert_info(struct dev_run *d)
{
	struct kesu_err err;
	if (!d->cert_json) {
		fprintf(stderr, "kesu: %s: the interrupted wipe was started without a "
				"certificate (--no-cert); resume it with --no-cert\n",
			d->id->path);
		return KESU_ERR_USAGE;
	}
	enum kesu_rc rc = kesu_cert_info_from_json(d->cert_json, &d->cert_info, &err);
	if (rc == KESU_OK)
		rc = kesu_cert_info_check(&d->cert_info, &err);
	if (rc != KESU_OK) {
		kesu_report(&err);
		return rc;
	}
	const char *differs = kesu_cert_info_conflict(&d->cert_info, &d->opts->cert.info);
	if (differs) {
		fprintf(stderr, "kesu: %s: --%s differs from what the interrupted wipe was "
				"started with; a resume certifies the same asset: leave --%s "
				"out or give the same value (kesu-checkpoint(5))\n",
			d->id->path, differs, differs);
		return KESU_ERR_USAGE;
	}
	return KESU_OK;
}

/* Probe, gate and plan every device; nothing is written here. */
static enum kesu_rc prepare(struct dev_run *d, const struct kesu_method *m,
			    enum kesu_verify_mode verify, bool verify_given)
{
	const struct wipe_opts *o = d->opts;
	struct kesu_err err;
	enum kesu_rc rc = kesu_device_probe(d->arg, &d->dev, &err);
	if (rc != KESU_OK) {
		kesu_report(&err);
		return rc;
	}
	d->id = kesu_device_identity(d->dev);
	kesu_clean(d->name, sizeof(d->name), d->id->name, strlen(d->id->name));
	struct kesu_gate_verdict v;
	rc = kesu_gate_check(d->dev, &v, &err);
	if (rc != KESU_OK) {
		kesu_report(&err);
		return rc;
	}
	if (!v.allowed) {
		for (size_t i = 0; i < v.n_reasons; i++)
			fprintf(stderr, "kesu: %s: refused (%s): %s\n", d->id->path,
				v.reasons[i].code, v.reasons[i].text);
		return KESU_ERR_REFUSED;
	}
	rc = kesu_medium_binding_of(d->dev, &d->binding, &err);
	if (rc != KESU_OK) {
		kesu_report(&err);
		return rc;
	}
	if (o->resume) {
		/* "before" is what the first run found, not the half-erased
		 * state of now. */
		struct kesu_checkpoint_loaded cl;
		rc = kesu_checkpoint_load(o->state_dir, d->id, &d->binding, &d->w, &cl, &err);
		if (rc != KESU_OK) {
			kesu_report(&err);
			return rc;
		}
		memcpy(d->resumed_from, cl.run_id, sizeof(d->resumed_from));
		d->before = json_is_null(cl.before) ? NULL : json_incref(cl.before);
		d->cert_json = json_is_null(cl.certificate) ? NULL : json_incref(cl.certificate);
		kesu_checkpoint_loaded_free(&cl);
		d->have_wipe = true;
		kesu_wipe_prepare_resume(&d->w);
		if (o->issuer && (rc = resumed_cert_info(d)) != KESU_OK)
			return rc;
	} else {
		char cp[PATH_MAX];
		if (kesu_checkpoint_path(o->state_dir, d->id, cp, sizeof(cp)) &&
		    access(cp, F_OK) == 0)
			fprintf(stderr, "kesu: note: %s has an interrupted wipe; this new wipe "
					"replaces it (use --resume to continue it instead)\n",
				d->id->path);
		d->before = kesu_device_content_json(d->dev);
		if (o->purge.method) {
			/* Refuse what the drive cannot do before the plan. */
			rc = kesu_purge_wipe_precheck(d->id, &o->purge, &err);
			if (rc == KESU_OK)
				rc = kesu_purge_wipe_init(&d->w, &o->purge, m, &err);
		} else {
			rc = kesu_wipe_init(&d->w, m, verify_given ? verify : m->verify, &err);
		}
		if (rc != KESU_OK) {
			kesu_report(&err);
			return rc;
		}
		d->have_wipe = true;
		/* Kept in the checkpoint, so a resume certifies this asset. */
		if (o->issuer) {
			d->cert_info = *kesu_issuer_info(o->issuer);
			d->cert_json = kesu_cert_info_to_json(&d->cert_info);
		}
	}
	kesu_run_id_new(d->run_id);
	return KESU_OK;
}

static enum kesu_rc open_target(struct dev_run *d)
{
	struct kesu_err err;
	enum kesu_rc rc = kesu_target_open_path(d->id->path, &d->t, &err);
	if (rc != KESU_OK) {
		kesu_report(&err);
		return rc;
	}
	if (d->t->size != d->id->size_bytes) {
		fprintf(stderr, "kesu: %s changed size since it was inspected (%" PRIu64
				" bytes, was %" PRIu64 "); run the command again\n",
			d->id->path, d->t->size, d->id->size_bytes);
		return KESU_ERR_GONE;
	}
	return KESU_OK;
}

/* Before a resume writes anything: the medium must still hold what the
 * interrupted run wrote (fingerprint.h). */
static enum kesu_rc check_fingerprint(struct dev_run *d)
{
	struct kesu_err err;
	size_t checked = 0;
	enum kesu_rc rc = kesu_fingerprint_check(d->t, &d->w, &checked, &err);
	if (rc != KESU_OK) {
		kesu_err_prefix(&err, "%s: ", d->id->path);
		kesu_report(&err);
	}
	return rc;
}

static enum kesu_rc worst(enum kesu_rc a, enum kesu_rc b)
{
	/* Interruption wins over failure so the operator knows to resume. */
	if (a == KESU_ERR_INTERRUPTED || b == KESU_ERR_INTERRUPTED)
		return KESU_ERR_INTERRUPTED;
	/* A missing timestamp token is the mildest failure (exit 11). */
	if (a == KESU_ERR_UNSTAMPED && b != KESU_OK)
		return b;
	return a != KESU_OK ? a : b;
}


/* True when every device whose thread started has finished. */
static bool all_started_done(struct dev_run *devs, size_t n)
{
	bool all = true;
	for (size_t i = 0; i < n; i++) {
		if (!devs[i].started)
			continue;
		pthread_mutex_lock(&devs[i].mu);
		all = all && devs[i].done;
		pthread_mutex_unlock(&devs[i].mu);
	}
	return all;
}
static enum kesu_rc run_all(struct dev_run *devs, size_t n, const struct wipe_opts *o)
{
	atomic_int stop = 0;
	struct kesu_host host;
	kesu_host_probe(&host);
	struct kesu_err err;
	enum kesu_rc rc = kesu_mkdir_p(o->out_dir, 0755, &err);
	if (rc != KESU_OK) {
		kesu_report(&err);
		fprintf(stderr, "kesu: nothing was written; give a writable --out\n");
		return rc;
	}
	/* Find out now, not after hours of writing, that the records cannot
	 * be kept: an erasure without its record proves nothing. */
	if (access(o->out_dir, W_OK | X_OK) != 0) {
		int e = errno;
		fprintf(stderr, "kesu: %s: cannot write run records there (%s); nothing was "
				"written, give a writable --out\n",
			o->out_dir, strerror(e));
		return e == EACCES || e == EPERM ? KESU_ERR_PERM : KESU_ERR_IO;
	}
	/* A first checkpoint before any write, so even a hard kill in the first
	 * seconds leaves something to resume from. */
	for (size_t i = 0; i < n; i++) {
		rc = save_checkpoint(&devs[i], &devs[i].w, &err);
		if (rc != KESU_OK) {
			kesu_report(&err);
			fprintf(stderr, "kesu: nothing was written; give a writable "
					"--state-dir\n");
			return rc;
		}
	}
	kesu_signals_install(&stop);
	kesu_signals_block(true);
	for (size_t i = 0; i < n; i++) {
		devs[i].stop = &stop;
		int e = pthread_create(&devs[i].th, NULL, dev_thread, &devs[i]);
		if (e) {
			atomic_store(&stop, SIGTERM);
			fprintf(stderr, "kesu: cannot start a thread: %s\n", strerror(e));
			break;
		}
		devs[i].started = true;
	}
	kesu_signals_block(false);

	struct display ds = {0};
	ds.mode = o->quiet ? PROGRESS_NONE : o->progress;
	ds.live = ds.mode == PROGRESS_AUTO && isatty(STDERR_FILENO);
	/* A first frame at once, so the operator sees every device listed
	 * even when the wipe is over before the first tick. */
	draw(&ds, devs, n, false);
	for (;;) {
		pthread_mutex_lock(&g_done_mu);
		if (!all_started_done(devs, n)) {
			/* Wake at the next tick, a finished device, or a signal
			 * (which the kernel delivers to this thread: the workers
			 * block them). */
			struct timespec until;
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += 200 * 1000 * 1000;
			if (until.tv_nsec >= 1000000000) {
				until.tv_sec++;
				until.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&g_done_cv, &g_done_mu, &until);
		}
		pthread_mutex_unlock(&g_done_mu);
		bool all_done = all_started_done(devs, n);
		if (kesu_signals_take_usr1()) {
			if (ds.live)
				ds.drawn = 0;
			print_status(devs, n, stderr);
		}
		draw(&ds, devs, n, all_done);
		if (all_done)
			break;
	}
	rc = KESU_OK;
	for (size_t i = 0; i < n; i++) {
		if (devs[i].started) {
			pthread_join(devs[i].th, NULL);
			devs[i].rc = finish_device(&devs[i], &host);
		} else {
			devs[i].rc = KESU_ERR_INTERNAL;
		}
		rc = worst(rc, devs[i].rc);
	}
	kesu_signals_restore();
	print_summary(devs, n, o);
	return rc;
}

enum kesu_rc cmd_wipe(int argc, char **argv)
{
	struct wipe_opts o = {0};
	o.out_dir = ".";
	o.pause_before_verify = getenv("KESU_TEST_PAUSE_BEFORE_VERIFY");
	bool help = false;
	int optind;
	enum kesu_rc rc = parse(argc, argv, &o, &optind, &help);
	if (rc != KESU_OK || help)
		return rc;

	struct kesu_method custom;
	const struct kesu_method *m = NULL;
	struct kesu_err err;
	/* --state-dir wins; otherwise kesu.conf's [paths] state_dir, so a
	 * station's checkpoints (and their stream keys) stay where its
	 * administrator put them, and --resume finds them there. */
	static struct kesu_config cfg;
	if (!o.state_dir || !o.queue_depth) {
		if (kesu_config_load(o.cert.config_path, &cfg, &err) != KESU_OK) {
			kesu_report(&err);
			return err.rc;
		}
		if (!o.state_dir)
			o.state_dir = cfg.state_dir;
	}
	o.qd = KESU_QUEUE_DEPTH_DEFAULT;
	if (o.queue_depth && !kesu_queue_depth_parse(o.queue_depth, &o.qd))
		return kesu_usage_error("wipe: --queue-depth must be 1 to %d, not '%s'",
					KESU_QUEUE_DEPTH_MAX, o.queue_depth);
	if (!o.queue_depth && cfg.queue_depth[0] &&
	    !kesu_queue_depth_parse(cfg.queue_depth, &o.qd))
		return kesu_usage_error("kesu.conf: [wipe] queue_depth must be 1 to %d, not '%s'",
					KESU_QUEUE_DEPTH_MAX, cfg.queue_depth);
	if (o.passes) {
		if (kesu_method_custom(o.passes, &custom, &err) != KESU_OK) {
			kesu_report(&err);
			return KESU_ERR_USAGE;
		}
		m = &custom;
	} else if (!o.resume) {
		const char *name = o.method ? o.method : "nist-clear";
		bool is_purge;
		const struct kesu_method *then;
		if (kesu_purge_wipe_select(&o.purge, name, &then, &is_purge, &err) != KESU_OK) {
			kesu_report(&err);
			return err.rc;
		}
		m = is_purge ? then : kesu_method_find(name);
		if (!m && !is_purge)
			return kesu_usage_error("wipe: no method '%s'; 'kesu methods' lists them",
						name);
	}
	enum kesu_verify_mode verify = KESU_VERIFY_LAST;
	if (o.verify && !kesu_verify_mode_parse(o.verify, &verify))
		return kesu_usage_error("--verify must be last, all, none or sample, not '%s'",
					o.verify);

	size_t n = (size_t)(argc - optind);
	/* One asset number on several devices would certify each disk as the
	 * same asset: a register could then never tell which one left. */
	if (n > 1 && o.cert.info.property_number[0] && !o.cert.no_cert)
		return kesu_usage_error("wipe: --asset names one asset, but %zu devices are given; "
					"wipe each asset's disk in its own run", n);
	struct dev_run *devs = calloc(n, sizeof(*devs));
	if (!devs) {
		kesu_fail(&err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
		kesu_report(&err);
		return KESU_ERR_INTERNAL;
	}
	for (size_t i = 0; i < n; i++) {
		devs[i].arg = argv[optind + (int)i];
		devs[i].opts = &o;
		pthread_mutex_init(&devs[i].mu, NULL);
	}

	/* Certificate details and the signing key are checked before any
	 * device is touched, so no erasure ends without its certificate. */
	o.cert.resume = o.resume;
	if (!o.cert.no_cert && !o.dry_run &&
	    (rc = kesu_issuer_prepare(&o.cert, &o.issuer, &err)) != KESU_OK)
		kesu_report(&err);
	/* Gate and plan everything before touching anything. */
	for (size_t i = 0; i < n && rc == KESU_OK; i++)
		rc = prepare(&devs[i], m, verify, o.verify != NULL);
	/* The same disk under two names (/dev/loop3 and a symlink to it) is
	 * one device: wiping it "twice" in parallel would certify twice. */
	for (size_t i = 0; i < n && rc == KESU_OK; i++)
		for (size_t j = 0; j < i; j++)
			if (same_device(&devs[i].binding, &devs[j].binding)) {
				rc = kesu_usage_error("wipe: given twice: %s and %s are the same "
						      "device",
						      devs[j].arg, devs[i].arg);
				break;
			}
	/* Exclusive opens, held from here to the end. */
	for (size_t i = 0; i < n && rc == KESU_OK && !o.dry_run; i++) {
		rc = open_target(&devs[i]);
		if (rc == KESU_OK && o.resume)
			rc = check_fingerprint(&devs[i]);
	}
	if (rc == KESU_OK && o.dry_run && o.json) {
		json_t *plan = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(plan, plan_json(&devs[i]));
		json_t *doc = json_pack("{s:o}", "plan", plan);
		char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
		json_decref(doc);
		if (text)
			printf("%s\n", text);
		free(text);
	} else if (rc == KESU_OK && (!o.quiet || !o.yes || o.dry_run)) {
		FILE *pf = o.dry_run ? stdout : stderr;
		fprintf(pf, "kesu wipe plan (%zu device%s):\n", n, n == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++)
			print_plan(&devs[i], pf);
		fflush(pf);
	}
	if (rc == KESU_OK && !o.dry_run && !o.yes)
		rc = confirm(devs, n);
	if (rc == KESU_OK && !o.dry_run) {
		if (o.pause_before_verify)
			for (size_t i = 0; i < n; i++)
				snprintf(devs[i].pause_path, sizeof(devs[i].pause_path), "%s.%s",
					 o.pause_before_verify, devs[i].name);
		rc = run_all(devs, n, &o);
	}

	for (size_t i = 0; i < n; i++) {
		kesu_target_close(devs[i].t);
		if (devs[i].have_wipe)
			kesu_wipe_free(&devs[i].w);
		json_decref(devs[i].before);
		json_decref(devs[i].cert_json);
		json_decref(devs[i].firmware);
		kesu_device_free(devs[i].dev);
		pthread_mutex_destroy(&devs[i].mu);
	}
	free(devs);
	kesu_issuer_free(o.issuer);
	return rc;
}
