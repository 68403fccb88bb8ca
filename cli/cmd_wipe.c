/* kesu wipe: options, the confirmation, and N devices driven through
 * their sessions (cli/session/session.h: probe to register line, the same
 * one kesu station drives); cli/wipe_show.c draws the plan, the progress
 * and the summary.  This file decides the order of things and the exit
 * status. */
#include "cli/cert_opts.h"
#include "cli/cli.h"
#include "cli/cmd_pdf.h"
#include "cli/purge_opts.h"
#include "cli/wipe_show.h"
#include "lib/config.h"
#include "lib/i18n.h"
#include "lib/fileio.h"
#include "lib/plugin.h"
#include "lib/strutil.h"
#include "wipe/engine/method.h"
#include "wipe/engine/signals.h"
#include "wipe/station/asset_resolve.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { O_METHOD, O_PASSES, O_VERIFY, O_YES, O_DRY_RUN, O_PROGRESS, O_QUIET, O_JSON,
       O_STATE, O_OUT, O_RESUME, O_NO_CERT, O_PDF, O_QUEUE_DEPTH, O_ASSET_MAP,
       O_SAME_ASSET };
static const struct kesu_opt wipe_opt_table[] = {
	[O_METHOD] = {"method", 'm', "NAME", N_("erasure method (default nist-clear; see 'kesu methods')")},
	[O_PASSES] = {"passes", 0, "LIST", N_("custom passes instead, e.g. 00,ff,random")},
	[O_VERIFY] = {"verify", 0, "MODE", N_("last, all, none or sample (default: the method's)")},
	[O_YES] = {"yes", 'y', NULL, N_("do not ask for confirmation")},
	[O_DRY_RUN] = {"dry-run", 'n', NULL, N_("show the plan and exit (with --json: as JSON)")},
	[O_PROGRESS] = {"progress", 0, "MODE", N_("auto, json (lines on stderr) or none")},
	[O_QUIET] = {"quiet", 'q', NULL, N_("print only the summary")},
	[O_JSON] = {"json", 0, NULL, N_("print the summary as JSON on stdout")},
	/* The default written out, so xgettext sees one literal; i18n.sh
	 * checks it is KESU_STATE_DIR_DEFAULT (lib/config.h) in every locale. */
	[O_STATE] = {"state-dir", 0, "DIR", N_("checkpoints (default: kesu.conf [paths] state_dir, else /var/lib/kesu)")},
	[O_OUT] = {"out", 0, "DIR", N_("run records (default: current directory)")},
	[O_RESUME] = {"resume", 0, NULL, N_("continue an interrupted wipe from its checkpoint")},
	[O_NO_CERT] = {"no-cert", 0, NULL, N_("do not issue a signed certificate per device")},
	[O_PDF] = {"pdf", 0, "[=LANG]", N_("print each certificate as a PDF beside it (LANG ja, en or ja+en, the default)")},
	[O_QUEUE_DEPTH] = {"queue-depth", 0, "N", N_("requests in flight per device, 1-16 (default 2 x CPUs / devices, from 2 to 4, or kesu.conf [wipe] queue_depth); buffers per device: 2 MiB x max(6, N+2), 36 MiB at most")},
	[O_ASSET_MAP] = {"asset-map", 0, "FILE", N_("asset numbers by serial, one 'serial,asset' line each (as kesu station's); a 'serial,asset,class,reason,customer' header gives each device those too")},
	[O_SAME_ASSET] = {"same-asset", 0, NULL, N_("the one --asset NUMBER is every device's (one machine's disks)")},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void usage(FILE *f)
{
	fprintf(f,
		_("Usage: kesu wipe [OPTIONS] DEVICE...\n"
		"       kesu wipe --resume [OPTIONS] DEVICE...\n\n"
		"Overwrite whole devices or image files, verify from the medium, and\n"
		"write one run record per device.\n\n"
		"Options:\n"));
	kesu_opts_print(f, wipe_opt_table);
	kesu_opts_print(f, kesu_purge_opt_table);
	fprintf(f, _("\nWithout --yes, kesu shows the plan and asks you to type each device's\n"
		   "serial number (its name if it has none).  Exit status 0 only if every\n"
		   "device ended \"erased\"; see kesu(8).\n\n"));
	kesu_cert_opts_help(f);
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
			_("Everything on %s will be destroyed.  Type its %s (%s) to go on: "),
			id->path, serial ? _("serial number") : _("name"), want);
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
						id->path, serial ? _("serial number") : _("name"));
		}
		if (strcmp(ans, want) != 0) {
			fprintf(stderr, _("kesu: '%s' does not match %s's %s; nothing was "
					"written\n"),
				ans, id->path, serial ? _("serial number") : _("name"));
			return KESU_ERR_FAILED;
		}
	}
	return KESU_OK;
}

/* ---- what the sessions report ------------------------------------------ */

static void on_notice(struct kesu_session_device *d, const struct kesu_err *note, void *ud)
{
	(void)d;
	(void)ud;
	fprintf(stderr, "kesu: %s\n", kesu_err_text(note));
}

static void on_ended(struct kesu_session_device *d, void *ud)
{
	(void)d;
	struct wipe_watch *w = ud;
	pthread_mutex_lock(&w->mu);
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* One device's end: the session's chain, then this command's own --pdf.
 * *printed: something was said on stderr. */
static enum kesu_rc finish_device(struct wipe_dev *wd, const struct wipe_opts *o,
				  bool *printed)
{
	struct kesu_session_device *d = wd->s;
	struct kesu_err err;
	kesu_session_join(d);
	enum kesu_rc rc = kesu_session_finish(d, &err);
	if (err.msg[0]) {
		kesu_report(&err);
		*printed = true;
	}
	if (o->pdf && d->cert_issued && d->cert_path[0]) {
		enum kesu_rc prc = kesu_cli_pdf_beside(d->cert_path, o->pdf_lang,
						       o->cert.config_path, wd->pdf_path,
						       sizeof(wd->pdf_path));
		if (prc != KESU_OK) {
			*printed = true;
			return prc;
		}
	}
	return rc;
}

/* Each device's record, certificate and register line as soon as it ends,
 * not after the slowest disk of the batch: what is done is on file, and
 * signed, hours earlier, and stays so if the machine then goes down.  A
 * device whose thread never started ends as an internal error. */
static bool on_device_end(struct wipe_dev *wd, void *ud)
{
	bool printed = false;
	wd->rc = wd->s->started ? finish_device(wd, ud, &printed) : KESU_ERR_INTERNAL;
	return printed;
}

static enum kesu_rc run_all(struct wipe_dev *devs, struct kesu_session_device **ds, size_t n,
			    const struct wipe_opts *o, struct wipe_watch *wt)
{
	struct kesu_err err;
	size_t bad;
	/* Every device armed before any is started: a records or state
	 * directory that cannot be written stops them all, unwritten. */
	if (kesu_session_arm_all(ds, n, &bad, &err) != KESU_OK) {
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
	kesu_wipe_watch(wt, devs, n, o, on_device_end, (void *)o);
	enum kesu_rc rc = KESU_OK;
	for (size_t i = 0; i < n; i++)
		rc = kesu_session_worst(rc, devs[i].ended ? devs[i].rc : KESU_ERR_INTERNAL);
	kesu_signals_restore();
	kesu_wipe_summary(devs, n, o);
	return rc;
}

/* ---- the command ------------------------------------------------------- */

static enum kesu_rc wipe_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct wipe_opts *o = ud;
	/* --asset is per device here (asset_resolve.h), repeatable. */
	if (kesu_opt_in(opt, kesu_cert_opt_table) && !strcmp(opt->name, "asset")) {
		if (o->n_assets >= KESU_WIPE_MAX_ASSET_ARGS)
			return kesu_usage_error("wipe: at most %d --asset; use --asset-map FILE",
						KESU_WIPE_MAX_ASSET_ARGS);
		o->assets[o->n_assets++] = arg;
		return KESU_OK;
	}
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
	case O_ASSET_MAP: o->asset_map = arg; break;
	case O_SAME_ASSET: o->same_asset = true; break;
	case O_PDF:
		o->pdf = true;
		o->pdf_lang = KESU_LANG_JA_EN;
		if (arg && !kesu_lang_parse(arg, &o->pdf_lang))
			return kesu_usage_error("wipe: --pdf=LANG takes ja, en or ja+en");
		break;
	case O_PROGRESS: return kesu_progress_mode_parse("wipe", arg, &o->progress);
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
	/* Its name is in every message about its lines. */
	if (o->asset_map && (!kesu_is_clean(o->asset_map) || kesu_text_hidden_char(o->asset_map)))
		return kesu_usage_error("wipe: --asset-map: the file name holds control or "
					"invisible characters; rename the file");
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

/* Probe, gate and plan every device, all at once; nothing is opened or
 * written here. */
static enum kesu_rc prepare_all(struct wipe_dev *devs, struct kesu_session_device **ds, size_t n)
{
	struct kesu_err err;
	size_t bad, first;
	if (kesu_session_given_twice(ds, n, &first, &bad))
		return kesu_usage_error("wipe: given twice: %s and %s are the same device",
					ds[first]->path, ds[bad]->path);
	enum kesu_rc rc = kesu_session_prepare_all(ds, n, &bad, &err);
	if (rc == KESU_ERR_REFUSED && bad < n && devs[bad].s->id && !devs[bad].s->gate.allowed) {
		const struct kesu_session_device *d = devs[bad].s;
		char line[512];
		for (size_t k = 0; k < d->gate.n_reasons; k++)
			fprintf(stderr, _("kesu: %s: refused (%s): %s\n"), d->id->path,
				d->gate.reasons[k].code,
				kesu_gate_reason_text(&d->gate.reasons[k], line, sizeof(line)));
		return rc;
	}
	if (rc != KESU_OK) {
		kesu_report(&err);
		return rc;
	}
	/* The same disk under two names (/dev/loop3 and a symlink to it) is
	 * one device: wiping it "twice" in parallel would certify twice.
	 * kesu_session_given_twice found it before preparing unless a name
	 * changed meanwhile. */
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (kesu_session_same_medium(devs[i].s, devs[j].s))
				return kesu_usage_error("wipe: given twice: %s and %s are the "
							"same device",
							devs[j].s->path, devs[i].s->path);
	return KESU_OK;
}

/* Exclusive opens, held from here to the end. */
static enum kesu_rc open_all(struct wipe_dev *devs, size_t n, const struct wipe_opts *o)
{
	struct kesu_err err;
	for (size_t i = 0; i < n && !o->dry_run; i++)
		if (kesu_session_open(devs[i].s, &err) != KESU_OK) {
			kesu_report(&err);
			return err.rc;
		}
	return KESU_OK;
}

/* Each device's asset number from --asset, --asset-map and --same-asset,
 * decided over all the devices found before any is opened: a run where one
 * disk would be certified as no asset, or as another's, does not start. */
static enum kesu_rc resolve_assets(struct wipe_dev *devs, size_t n, const struct wipe_opts *o,
				   const char *map, size_t map_len, struct kesu_err *err)
{
	struct kesu_asset_arg args[KESU_WIPE_MAX_ASSET_ARGS];
	static char bufs[KESU_WIPE_MAX_ASSET_ARGS][2 * KESU_STR_MAX + 2];
	for (size_t k = 0; k < o->n_assets; k++)
		if (!kesu_asset_arg_split(o->assets[k], bufs[k], sizeof(bufs[k]), &args[k]))
			return kesu_fail(err, KESU_ERR_USAGE, 0,
					 "wipe: --asset takes NUMBER or DEVICE=NUMBER in plain "
					 "text (--asset %zu is empty, too long or holds control "
					 "or invisible characters)", k + 1);
	struct kesu_asset_dev *ad = calloc(n, sizeof(*ad));
	struct kesu_asset_row *out = calloc(n, sizeof(*out));
	/* What the command line gives every device; the map may not say
	 * otherwise for one (asset_resolve.h). */
	struct kesu_asset_row given = {.class_ = o->cert.info.confidentiality_class};
	kesu_strlcpy(given.reason, o->cert.info.reason, sizeof(given.reason));
	kesu_strlcpy(given.customer, o->cert.info.customer, sizeof(given.customer));
	enum kesu_rc rc = KESU_ERR_INTERNAL;
	if (!ad || !out) {
		kesu_fail(err, rc, 0, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		ad[i] = (struct kesu_asset_dev){devs[i].s->path, devs[i].s->id->path,
						devs[i].s->id->serial};
	/* A plan shows what it can; a resume certifies the checkpoint's. */
	const struct kesu_asset_req req = {args, o->n_assets, map, o->asset_map, map_len,
					   o->same_asset,
					   !o->cert.no_cert && !o->resume && !o->dry_run};
	rc = kesu_assets_resolve(&req, &given, ad, n, out, err);
	for (size_t i = 0; rc == KESU_OK && i < n; i++)
		devs[i].asset = out[i];
done:
	free(ad);
	free(out);
	return rc;
}

static enum kesu_rc assign_assets(struct wipe_dev *devs, size_t n, const struct wipe_opts *o)
{
	struct kesu_err err;
	char *map = NULL;
	size_t map_len = 0;
	enum kesu_rc rc = KESU_OK;
	if (o->asset_map && (rc = kesu_read_file(o->asset_map, 16 << 20, &map, &map_len, &err)))
		kesu_err_prefix(&err, "wipe: --asset-map: ");
	if (rc == KESU_OK)
		rc = resolve_assets(devs, n, o, map, map_len, &err);
	for (size_t i = 0; rc == KESU_OK && i < n; i++)
		rc = kesu_session_set_asset(devs[i].s, &devs[i].asset, &err);
	free(map);
	if (rc != KESU_OK)
		kesu_report(&err);
	return rc;
}

/* The CPUs this process may run on (taskset, a cpuset), over which the
 * default queue depth is shared out. */
static unsigned usable_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
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
		.queue_depth = o->qd,
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
	struct wipe_watch wt = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};
	const struct kesu_session_observer obs = {.notice = on_notice, .ended = on_ended,
						  .ud = &wt};
	struct wipe_dev *devs = calloc(n, sizeof(*devs));
	/* The same sessions as one array, for the steps taken at once. */
	struct kesu_session_device **ds = calloc(n, sizeof(*ds));
	enum kesu_rc rc = devs && ds ? KESU_OK : KESU_ERR_INTERNAL;
	for (size_t i = 0; i < n && rc == KESU_OK; i++)
		if (!(ds[i] = devs[i].s = kesu_session_device_new(paths[i], so, &obs)))
			rc = KESU_ERR_INTERNAL;
	if (rc != KESU_OK) {
		fprintf(stderr, _("kesu: out of memory\n"));
		goto out;
	}
	rc = prepare_all(devs, ds, n);
	if (rc == KESU_OK)
		rc = assign_assets(devs, n, o);
	if (rc == KESU_OK)
		rc = open_all(devs, n, o);
	if (rc == KESU_OK)
		kesu_wipe_show_plan(devs, n, o);
	if (rc == KESU_OK && !o->dry_run && !o->yes)
		rc = confirm(devs, n);
	if (rc == KESU_OK && !o->dry_run)
		rc = run_all(devs, ds, n, o, &wt);
out:
	for (size_t i = 0; devs && i < n; i++)
		kesu_session_device_free(devs[i].s);
	free(devs);
	free(ds);
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
	if (!o.state_dir || !o.queue_depth || o.dry_run) {
		if (kesu_config_load(o.cert.config_path, &cfg, &err) != KESU_OK) {
			kesu_report(&err);
			return err.rc;
		}
		if (!o.state_dir)
			o.state_dir = cfg.state_dir;
	}
	/* The plan shows the department a certificate will carry; without a
	 * dry run the issuer takes it from kesu.conf the same way. */
	if (o.dry_run && !o.cert.info.customer[0])
		kesu_strlcpy(o.cert.info.customer, cfg.customer, sizeof(o.cert.info.customer));
	o.qd = kesu_queue_depth_for((size_t)(argc - optind), usable_cpus());
	if (o.queue_depth && !kesu_queue_depth_parse(o.queue_depth, &o.qd))
		return kesu_usage_error("wipe: --queue-depth must be 1 to %d, not '%s'",
					KESU_QUEUE_DEPTH_MAX, o.queue_depth);
	if (!o.queue_depth && cfg.queue_depth[0] &&
	    !kesu_queue_depth_parse(cfg.queue_depth, &o.qd))
		return kesu_usage_error("kesu.conf: [wipe] queue_depth must be 1 to %d, not '%s'",
					KESU_QUEUE_DEPTH_MAX, cfg.queue_depth);
	struct kesu_method custom;
	const struct kesu_method *m;
	if ((rc = pick_method(&o, &custom, &m)) != KESU_OK)
		return rc;
	struct kesu_session_opts so;
	if ((rc = session_opts(&o, m, &so)) != KESU_OK)
		return rc;
	size_t n = (size_t)(argc - optind);
	/* Certificate details and the signing key are checked before any
	 * device is touched, so no erasure ends without its certificate. */
	o.cert.resume = o.resume;
	o.cert.asset_per_device = true;
	/* The map may give each device its class, reason and customer. */
	o.cert.details_per_device = o.asset_map != NULL;
	so.asset_per_device = true;
	/* --pdf's plugin too: if it cannot be loaded, say so now, not after
	 * the erasure (lib/plugin.h). */
	void *render;
	if (o.pdf && !o.dry_run &&
	    kesu_plugin_sym("print", "kesu_pdf_render", &render, &err) != KESU_OK) {
		kesu_report(&err);
		return err.rc;
	}
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
