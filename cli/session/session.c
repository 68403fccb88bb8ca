/* One device's wipe up to the end of its thread: probe, gate, plan (or the
 * checkpoint of an interrupted run), exclusive open, first checkpoint, and
 * the thread that erases.  What happens after it, record, certificate and
 * register, is session_finish.c. */
#include "cli/session/session_int.h"
#include "certs/document/cert_info.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "wipe/engine/checkpoint.h"
#include "wipe/engine/fingerprint.h"
#include "wipe/firmware/health.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* One line for the observer, both texts cleaned (a device's words may be
 * in either); the translation is kept only while it is note's. */
void kesu_session_notice(struct kesu_session_device *d, const struct kesu_err *note)
{
	if (!d->obs || !d->obs->notice)
		return;
	struct kesu_err c = {.rc = note->rc};
	char local[sizeof(c.local)];
	bool translated = kesu_err_text(note) != note->msg && note->local[0];
	kesu_clean(c.msg, sizeof(c.msg), note->msg, strlen(note->msg));
	if (translated) {
		kesu_clean(local, sizeof(local), note->local, strlen(note->local));
		kesu_err_localize(&c, "%s", local);
	}
	if (d->holding) {
		struct kesu_err *h = realloc(d->held, (d->n_held + 1) * sizeof(*h));
		/* Out of memory: said now, out of turn, rather than never. */
		if (h) {
			d->held = h;
			d->held[d->n_held++] = c;
			return;
		}
	}
	d->obs->notice(d, &c, d->obs->ud);
}

struct kesu_session_device *kesu_session_device_new(const char *path,
						    const struct kesu_session_opts *opts,
						    const struct kesu_session_observer *obs)
{
	struct kesu_session_device *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->path = path;
	d->opts = opts;
	d->obs = obs;
	d->stop = &d->own_stop;
	pthread_mutex_init(&d->mu, NULL);
	return d;
}

void kesu_session_device_free(struct kesu_session_device *d)
{
	if (!d)
		return;
	if (d->started && !d->joined) {
		kesu_session_interrupt(d);
		kesu_session_join(d);
	}
	kesu_target_close(d->t);
	if (d->have_wipe)
		kesu_wipe_free(&d->w);
	json_decref(d->before);
	json_decref(d->cert_json);
	json_decref(d->firmware);
	json_decref(d->health_before);
	json_decref(d->health_after);
	kesu_device_free(d->dev);
	free(d->held);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

bool kesu_session_same_medium(const struct kesu_session_device *a,
			      const struct kesu_session_device *b)
{
	const struct kesu_medium_binding *x = &a->binding, *y = &b->binding;
	if (x->is_file != y->is_file)
		return false;
	if (x->is_file)
		return x->inode_dev == y->inode_dev && x->inode_ino == y->inode_ino;
	return x->dev_major == y->dev_major && x->dev_minor == y->dev_minor;
}

bool kesu_session_given_twice(struct kesu_session_device *const *ds, size_t n, size_t *first,
			      size_t *second)
{
	struct stat *st = calloc(n ? n : 1, sizeof(*st));
	if (!st)
		return false; /* kesu_session_same_medium still answers after preparing */
	for (size_t i = 0; i < n; i++)
		if (stat(ds[i]->path, &st[i]) != 0 ||
		    !(S_ISBLK(st[i].st_mode) || S_ISREG(st[i].st_mode)))
			st[i].st_mode = 0;
	bool found = false;
	for (size_t j = 1; j < n && !found; j++)
		for (size_t i = 0; i < j && !found; i++) {
			if (!st[i].st_mode || (st[i].st_mode & S_IFMT) != (st[j].st_mode & S_IFMT))
				continue;
			found = S_ISBLK(st[i].st_mode)
					? st[i].st_rdev == st[j].st_rdev
					: st[i].st_dev == st[j].st_dev && st[i].st_ino == st[j].st_ino;
			if (found) {
				*first = i;
				*second = j;
			}
		}
	free(st);
	return found;
}

/* A resume certifies what the interrupted run was started for: the details
 * come from the checkpoint, and the command line may only repeat them. */
static enum kesu_rc resumed_cert_info(struct kesu_session_device *d, struct kesu_err *err)
{
	if (!d->cert_json)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "%s: the interrupted wipe was started without a "
				 "certificate (--no-cert); resume it with --no-cert",
				 d->id->path);
	/* The approval kept beside the details is the resume's to judge
	 * (resume_approval), not a certificate detail. */
	json_t *info = json_copy(d->cert_json);
	if (!info)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	json_object_del(info, "approval");
	enum kesu_rc rc = kesu_cert_info_from_json(info, &d->cert_info, err);
	json_decref(info);
	if (rc == KESU_OK)
		rc = kesu_cert_info_check(&d->cert_info, err);
	if (rc != KESU_OK)
		return rc;
	const char *differs = d->opts->given
		? kesu_cert_info_conflict(&d->cert_info, d->opts->given) : NULL;
	if (differs)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "%s: --%s differs from what the interrupted wipe was "
				 "started with; a resume certifies the same asset: leave --%s "
				 "out or give the same value (kesu-checkpoint(5))",
				 d->id->path, differs, differs);
	return KESU_OK;
}

/* "before" is what the first run found, not the half-erased state of now. */
static enum kesu_rc plan_resume(struct kesu_session_device *d, struct kesu_err *err)
{
	const struct kesu_session_opts *o = d->opts;
	struct kesu_checkpoint_loaded cl;
	enum kesu_rc rc = kesu_checkpoint_load(o->state_dir, d->id, &d->binding, &d->w, &cl,
					       err);
	if (rc != KESU_OK)
		return rc;
	memcpy(d->resumed_from, cl.run_id, sizeof(d->resumed_from));
	d->before = json_is_null(cl.before) ? NULL : json_incref(cl.before);
	d->cert_json = json_is_null(cl.certificate) ? NULL : json_incref(cl.certificate);
	kesu_checkpoint_loaded_free(&cl);
	d->have_wipe = true;
	kesu_wipe_prepare_resume(&d->w);
	if (!o->issuer)
		return KESU_OK;
	const struct kesu_approval_file *af = kesu_issuer_approval(o->issuer);
	rc = kesu_approval_resume_check(json_object_get(d->cert_json, "approval"),
					af ? af->f.sha256 : NULL, err);
	if (rc != KESU_OK)
		return kesu_err_prefix(err, "%s: nothing written: ", d->id->path);
	return resumed_cert_info(d, err);
}

/* The checkpoint keeps the approval the work starts under, so a resume
 * can be held to the same one and judge it again. */
static enum kesu_rc keep_approval(struct kesu_session_device *d, struct kesu_err *err)
{
	const struct kesu_approval_file *af = kesu_issuer_approval(d->opts->issuer);
	char abs[PATH_MAX];
	if (!af)
		return KESU_OK;
	json_t *kept = kesu_approval_kept_json(realpath(af->path, abs) ? abs : af->path,
					       af->f.sha256);
	if (!kept || json_object_set_new(d->cert_json, "approval", kept))
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	return KESU_OK;
}

static enum kesu_rc plan_new(struct kesu_session_device *d, struct kesu_err *err)
{
	const struct kesu_session_opts *o = d->opts;
	char cp[PATH_MAX];
	if (kesu_checkpoint_path(o->state_dir, d->id, cp, sizeof(cp)) && access(cp, F_OK) == 0) {
		struct kesu_err n;
		kesu_fail(&n, KESU_OK, 0, "note: %s has an interrupted wipe; this new wipe "
			  "replaces it (use --resume to continue it instead)", d->id->path);
		kesu_session_notice(d, &n);
	}
	d->before = kesu_device_content_json(d->dev);
	enum kesu_rc rc;
	if (o->purge && o->purge->method) {
		/* Refuse what the drive cannot do before the plan. */
		rc = kesu_purge_wipe_precheck(d->id, o->purge, err);
		if (rc == KESU_OK)
			rc = kesu_purge_wipe_init(&d->w, o->purge, o->method, err);
	} else if (!o->method) {
		rc = kesu_fail(err, KESU_ERR_USAGE, 0, "no erasure method given");
	} else {
		rc = kesu_wipe_init(&d->w, o->method,
				    o->verify_given ? o->verify : o->method->verify, err);
	}
	if (rc != KESU_OK)
		return rc;
	d->have_wipe = true;
	/* Kept in the checkpoint, so a resume certifies this asset. */
	if (o->issuer) {
		d->cert_info = *kesu_issuer_info(o->issuer);
		d->cert_json = kesu_cert_info_to_json(&d->cert_info);
		if (!d->cert_json)
			return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
		return keep_approval(d, err);
	}
	return KESU_OK;
}

/* A front end calling the steps out of order is a bug in it, never a
 * reason to touch a device. */
static enum kesu_rc out_of_order(const struct kesu_session_device *d, const char *step,
				 struct kesu_err *err)
{
	return kesu_fail(err, KESU_ERR_INTERNAL, 0, "%s: %s out of order", d->path, step);
}

enum kesu_rc kesu_session_prepare(struct kesu_session_device *d, struct kesu_err *err)
{
	kesu_err_clear(err);
	if (d->dev)
		return out_of_order(d, "prepare", err);
	enum kesu_rc rc = kesu_device_probe(d->path, &d->dev, err);
	if (rc != KESU_OK)
		return rc;
	d->id = kesu_device_identity(d->dev);
	kesu_clean(d->name, sizeof(d->name), d->id->name, strlen(d->id->name));
	if ((rc = kesu_gate_check(d->dev, &d->gate, err)) != KESU_OK)
		return rc;
	if (!d->gate.allowed)
		return kesu_gate_refusal(&d->gate, d->id->path, err);
	if ((rc = kesu_medium_binding_of(d->dev, &d->binding, err)) != KESU_OK)
		return rc;
	rc = d->opts->resume ? plan_resume(d, err) : plan_new(d, err);
	if (rc != KESU_OK)
		return rc;
	/* A signed approval must cover this medium before anything is written
	 * to it, not only its certificate afterwards; a resume's too, now:
	 * the approval may have expired since the work started. */
	if (d->opts->issuer && !d->opts->asset_per_device &&
	    (rc = kesu_issuer_check_medium(d->opts->issuer, d->id->serial,
					   d->cert_info.property_number, time(NULL), err)))
		return kesu_err_prefix(err, "%s: nothing written: ", d->id->path);
	if (d->opts->pause_before_verify)
		snprintf(d->pause_path, sizeof(d->pause_path), "%s.%s",
			 d->opts->pause_before_verify, d->name);
	kesu_run_id_new(d->run_id);
	return KESU_OK;
}

/* Devices taken through a step at once: a shelf of disks probed and armed
 * together, and no more threads than that however many names are given. */
#define STEP_THREADS 16

struct step_job {
	struct kesu_session_device **ds;
	size_t n;
	enum kesu_rc (*step)(struct kesu_session_device *d, struct kesu_err *err);
	enum kesu_rc *rc;
	struct kesu_err *err;
	atomic_size_t next;
};

static void *step_worker(void *arg)
{
	struct step_job *j = arg;
	for (size_t i; (i = atomic_fetch_add(&j->next, 1)) < j->n;)
		j->rc[i] = j->step(j->ds[i], &j->err[i]);
	return NULL;
}

static enum kesu_rc each_at_once(struct kesu_session_device **ds, size_t n,
				 enum kesu_rc (*step)(struct kesu_session_device *,
						      struct kesu_err *),
				 size_t *failed, struct kesu_err *err)
{
	kesu_err_clear(err);
	*failed = n;
	struct step_job j = {.ds = ds, .n = n, .step = step,
			     .rc = calloc(n + 1, sizeof(*j.rc)),
			     .err = calloc(n + 1, sizeof(*j.err))};
	if (!j.rc || !j.err) {
		free(j.rc);
		free(j.err);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	atomic_init(&j.next, 0);
	for (size_t i = 0; i < n; i++)
		ds[i]->holding = true;
	/* The calling thread works too: where no thread can be started,
	 * every device still takes the step, one after another. */
	pthread_t th[STEP_THREADS];
	size_t want = n < STEP_THREADS ? n : STEP_THREADS, started = 0;
	while (started + 1 < want && pthread_create(&th[started], NULL, step_worker, &j) == 0)
		started++;
	step_worker(&j);
	for (size_t k = 0; k < started; k++)
		pthread_join(th[k], NULL);
	/* What taking the devices one by one would have said: each device's
	 * notices in the order given, up to the first failure, which is the
	 * one reported. */
	enum kesu_rc rc = KESU_OK;
	for (size_t i = 0; i < n; i++) {
		struct kesu_session_device *d = ds[i];
		d->holding = false;
		for (size_t k = 0; *failed == n && k < d->n_held; k++)
			d->obs->notice(d, &d->held[k], d->obs->ud);
		free(d->held);
		d->held = NULL;
		d->n_held = 0;
		if (*failed == n && j.rc[i] != KESU_OK) {
			*failed = i;
			rc = j.rc[i];
			*err = j.err[i];
		}
	}
	free(j.rc);
	free(j.err);
	return rc;
}

enum kesu_rc kesu_session_prepare_all(struct kesu_session_device **ds, size_t n,
				      size_t *failed, struct kesu_err *err)
{
	return each_at_once(ds, n, kesu_session_prepare, failed, err);
}

enum kesu_rc kesu_session_arm_all(struct kesu_session_device **ds, size_t n, size_t *failed,
				  struct kesu_err *err)
{
	return each_at_once(ds, n, kesu_session_arm, failed, err);
}

/* A resume certifies what the interrupted wipe was started with: an asset
 * number, class, reason or customer given now must be the same. */
static enum kesu_rc resume_same(const struct kesu_session_device *d,
				const struct kesu_asset_row *a, struct kesu_err *err)
{
	const struct kesu_cert_info *i = &d->cert_info;
	char had[16] = "", now[16] = "";
	const char *what = NULL, *h = NULL, *g = NULL;
	if (a->asset[0] && strcmp(a->asset, i->property_number))
		what = "asset", h = i->property_number, g = a->asset;
	else if (a->class_ && a->class_ != i->confidentiality_class) {
		snprintf(had, sizeof(had), "%d", i->confidentiality_class);
		snprintf(now, sizeof(now), "%d", a->class_);
		what = "class", h = had, g = now;
	} else if (a->reason[0] && strcmp(a->reason, i->reason))
		what = "reason", h = i->reason, g = a->reason;
	else if (a->customer[0] && strcmp(a->customer, i->customer))
		what = "customer", h = i->customer, g = a->customer;
	if (!what)
		return KESU_OK;
	return kesu_fail(err, KESU_ERR_USAGE, 0,
			 "%s: --%s differs (%s, not %s; given or from the asset map) from "
			 "what the interrupted wipe was started with; a resume certifies "
			 "the same asset: leave it out or give the same value "
			 "(kesu-checkpoint(5))", d->id->path, what, g, h);
}

/* A new wipe: this device's details settled and checked in full. */
static enum kesu_rc settle(struct kesu_session_device *d, const struct kesu_asset_row *a,
			   struct kesu_err *err)
{
	struct kesu_cert_info *i = &d->cert_info;
	kesu_strlcpy(i->property_number, a->asset, sizeof(i->property_number));
	if (a->class_)
		i->confidentiality_class = a->class_;
	if (a->reason[0])
		kesu_strlcpy(i->reason, a->reason, sizeof(i->reason));
	if (a->customer[0])
		kesu_strlcpy(i->customer, a->customer, sizeof(i->customer));
	enum kesu_rc rc = kesu_cert_info_check(i, err);
	if (rc)
		return kesu_err_prefix(err, "%s: ", d->id->path);
	json_decref(d->cert_json);
	if (!(d->cert_json = kesu_cert_info_to_json(i)))
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	return keep_approval(d, err);
}

enum kesu_rc kesu_session_set_asset(struct kesu_session_device *d,
				    const struct kesu_asset_row *a, struct kesu_err *err)
{
	kesu_err_clear(err);
	if (!d->have_wipe || !d->run_id[0] || d->t || d->asset_set)
		return out_of_order(d, "set_asset", err);
	const struct kesu_session_opts *o = d->opts;
	if (!o->issuer) {
		d->asset_set = true;
		return KESU_OK;
	}
	enum kesu_rc rc = o->resume ? resume_same(d, a, err) : settle(d, a, err);
	if (rc)
		return rc;
	/* The [policy] for this device's own class, and the approval against
	 * it; a resume is judged against the approval again too: it may have
	 * expired since the work started (its policy was judged then). */
	rc = o->resume ? kesu_issuer_check_medium(o->issuer, d->id->serial,
						  d->cert_info.property_number, time(NULL), err)
		       : kesu_issuer_check_device(o->issuer, d->id->serial, &d->cert_info,
						  time(NULL), err);
	if (rc)
		return kesu_err_prefix(err, "%s: nothing written: ", d->id->path);
	d->asset_set = true;
	return KESU_OK;
}

enum kesu_rc kesu_session_open(struct kesu_session_device *d, struct kesu_err *err)
{
	kesu_err_clear(err);
	if (!d->have_wipe || !d->run_id[0] || d->t)
		return out_of_order(d, "open", err);
	const struct kesu_session_opts *o = d->opts;
	if (o->asset_per_device && !d->asset_set)
		return out_of_order(d, "open before set_asset", err);
	enum kesu_rc rc = o->open ? o->open(d->id->path, o->open_ud, &d->t, err)
				  : kesu_target_open_path(d->id->path, &d->t, err);
	if (rc != KESU_OK)
		return rc;
	if (d->t->size != d->id->size_bytes)
		return kesu_fail(err, KESU_ERR_GONE, 0,
				 "%s changed size since it was inspected (%" PRIu64
				 " bytes, was %" PRIu64 "); run the command again",
				 d->id->path, d->t->size, d->id->size_bytes);
	if (!o->resume)
		return KESU_OK;
	/* Before a resume writes anything: the medium must still hold what
	 * the interrupted run wrote (fingerprint.h). */
	size_t checked = 0;
	rc = kesu_fingerprint_check(d->t, &d->w, &checked, err);
	return rc != KESU_OK ? kesu_err_prefix(err, "%s: ", d->id->path) : KESU_OK;
}

enum kesu_rc kesu_session_save_checkpoint(const struct kesu_session_device *d,
					  const struct kesu_wipe *w, struct kesu_err *err)
{
	const struct kesu_checkpoint_meta m = {d->id, &d->binding, d->run_id, d->before,
					       d->cert_json};
	return kesu_checkpoint_save(d->opts->state_dir, &m, w, err);
}

enum kesu_rc kesu_session_arm(struct kesu_session_device *d, struct kesu_err *err)
{
	kesu_err_clear(err);
	if (!d->t || d->started)
		return out_of_order(d, "arm", err);
	const char *out = d->opts->out_dir;
	enum kesu_rc rc = kesu_mkdir_p(out, 0755, err);
	if (rc != KESU_OK)
		return kesu_err_prefix(err, "nothing was written, give a writable --out: ");
	/* Find out now, not after hours of writing, that the records cannot be
	 * kept: an erasure without its record proves nothing. */
	if (access(out, W_OK | X_OK) != 0) {
		int e = errno;
		return kesu_fail(err, e == EACCES || e == EPERM ? KESU_ERR_PERM : KESU_ERR_IO, e,
				 "%s: cannot write run records there (%s); nothing was "
				 "written, give a writable --out",
				 out, strerror(e));
	}
	kesu_host_probe(&d->host);
	/* The drive's own account of its state, before anything changes it. */
	if (!d->health_before)
		d->health_before = kesu_health_read(d->id);
	/* Before any write, so even a hard kill in the first seconds leaves
	 * something to resume from. */
	rc = kesu_session_save_checkpoint(d, &d->w, err);
	if (rc != KESU_OK)
		kesu_err_prefix(err, "nothing was written, give a writable --state-dir: ");
	return rc;
}

/* ---- the device's thread ----------------------------------------------- */

static void on_progress(const struct kesu_progress *p, void *ud)
{
	struct kesu_session_device *d = ud;
	pthread_mutex_lock(&d->mu);
	bool new_phase = !d->have_prog || d->prog.phase != p->phase || d->prog.pass != p->pass;
	d->prog = *p;
	d->have_prog = true;
	pthread_mutex_unlock(&d->mu);
	if (!d->obs)
		return;
	if (new_phase && d->obs->phase)
		d->obs->phase(d, p, d->obs->ud);
	if (d->obs->progress)
		d->obs->progress(d, p, d->obs->ud);
}

static enum kesu_rc on_checkpoint(const struct kesu_wipe *w, void *ud, struct kesu_err *err)
{
	struct kesu_session_device *d = ud;
	enum kesu_rc rc = kesu_session_save_checkpoint(d, w, err);
	if (rc != KESU_OK && !d->ckpt_warned) {
		d->ckpt_warned = true;
		struct kesu_err n = *err;
		kesu_err_prefix(&n, "%s: the wipe goes on, but cannot be resumed after a "
				"crash: ", d->name);
		kesu_session_notice(d, &n);
	}
	return rc;
}

static void *device_thread(void *arg)
{
	struct kesu_session_device *d = arg;
	const struct kesu_session_opts *so = d->opts;
	struct kesu_engine_opts o = {0};
	o.stop = d->stop;
	o.progress = on_progress;
	o.progress_ud = d;
	o.checkpoint = on_checkpoint;
	o.checkpoint_ud = d;
	o.checkpoint_every_s = so->checkpoint_every_s > 0 ? so->checkpoint_every_s : 5;
	o.queue_depth = so->queue_depth;
	o.pause_before_verify = d->pause_path[0] ? d->pause_path : NULL;
	kesu_err_clear(&d->engine_err);
	if (so->purge && so->purge->method) {
		/* Firmware purge; a --then overwrite only after it erased. */
		d->engine_rc = kesu_purge_wipe_run(d->id, d->t, so->purge, &d->w, &d->firmware,
						   on_progress, d, d->stop, &d->engine_err);
		if (d->engine_rc == KESU_OK && d->w.method.npasses)
			d->engine_rc = kesu_engine_run(d->t, &d->w, &o, &d->engine_err);
	} else {
		d->engine_rc = kesu_engine_run(d->t, &d->w, &o, &d->engine_err);
	}
	pthread_mutex_lock(&d->mu);
	d->done = true;
	pthread_mutex_unlock(&d->mu);
	if (d->obs && d->obs->ended)
		d->obs->ended(d, d->obs->ud);
	return NULL;
}

enum kesu_rc kesu_session_start(struct kesu_session_device *d, atomic_int *stop,
				struct kesu_err *err)
{
	kesu_err_clear(err);
	if (d->started || !d->t)
		return out_of_order(d, "start", err);
	d->stop = stop ? stop : &d->own_stop;
	/* The thread inherits a mask that blocks every signal, so they reach
	 * the caller's threads, which turn them into *stop; the caller's own
	 * mask is left as it was (a station may wait on a signalfd). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int e = pthread_create(&d->th, NULL, device_thread, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e)
		return kesu_fail(err, KESU_ERR_INTERNAL, e, "cannot start a thread: %s",
				 strerror(e));
	d->started = true;
	return KESU_OK;
}

void kesu_session_interrupt(struct kesu_session_device *d)
{
	atomic_store(d->stop, SIGTERM);
}

bool kesu_session_ended(struct kesu_session_device *d)
{
	if (!d->started)
		return true;
	pthread_mutex_lock(&d->mu);
	bool done = d->done;
	pthread_mutex_unlock(&d->mu);
	return done;
}

bool kesu_session_snapshot(struct kesu_session_device *d, struct kesu_progress_snap *s)
{
	pthread_mutex_lock(&d->mu);
	bool have = d->have_prog;
	struct kesu_progress p = d->prog;
	pthread_mutex_unlock(&d->mu);
	if (!have)
		return false;
	*s = (struct kesu_progress_snap){
		.device = d->name, .phase = kesu_phase_name(p.phase), .pass = p.pass,
		.npasses = p.npasses, .phase_done = p.phase_done, .phase_total = p.phase_total,
		.done = p.done, .total = p.total, .elapsed_s = p.elapsed_s,
		.run_done = p.run_done,
	};
	return true;
}

void kesu_session_join(struct kesu_session_device *d)
{
	if (d->started && !d->joined) {
		pthread_join(d->th, NULL);
		d->joined = true;
	}
}

double kesu_session_estimate_s(const struct kesu_session_device *d, double *rate)
{
	/* A deliberately plain estimate. */
	double r = d->id->rotational ? 150e6 : 400e6;
	uint64_t bytes = 0;
	for (size_t i = 0; i < d->w.method.npasses; i++)
		bytes += d->id->size_bytes * (kesu_wipe_verifies_pass(&d->w, i) ? 2 : 1);
	if (rate)
		*rate = r;
	return (double)bytes / r;
}
