#include "cli/station_run.h"
#include "lib/i18n.h"
#include "cli/cmd_pdf.h"
#include "cli/session/session.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "lib/termtext.h"
#include "wipe/engine/progress.h"
#include "wipe/station/marker.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum msg_kind { MSG_PROGRESS, MSG_FINISHED, MSG_NOTICE };

struct msg {
	enum msg_kind kind;
	size_t bay;
	uint64_t run_id;
	struct kesu_bay_progress progress;
	enum kesu_bay_outcome outcome;
	char text[512];                   /* cause or notice, English */
	char text_local[512];             /* its translation, or "" */
	char certificate[256];
};

struct bay_run {
	struct station *s;
	size_t bay;
	uint64_t run_id;
	atomic_int stop;
	bool thread;                      /* th was started and not yet joined */
	pthread_t th;
	double last_progress;             /* monotonic seconds of the last post */
	/* Copies: the bay table belongs to the loop thread. */
	char name[64], transport[16], path[PATH_MAX], asset[KESU_STR_MAX + 1];
	struct kesu_station_decision dec;
	struct kesu_cert_opts co;
	struct kesu_purge_wipe_opts purge;
	struct kesu_session_opts so;
};

static struct bay_run runs[KESU_STATION_BAYS];
static int sock[2] = {-1, -1};
static char records[PATH_MAX];
/* Certificates go into one register one at a time. */
static pthread_mutex_t finish_mu = PTHREAD_MUTEX_INITIALIZER;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Progress may be dropped when the loop is behind; a run's end never is. */
static void post(const struct msg *m, bool may_drop)
{
	while (send(sock[1], m, sizeof(*m), may_drop ? MSG_DONTWAIT : 0) < 0 &&
	       errno == EINTR && !may_drop)
		;
}

/* cause: both texts, the English for the event JSON, kesu_err_text's for
 * the dashboard. */
static void post_end(struct bay_run *r, enum kesu_bay_outcome o,
		     const struct kesu_err *cause, const char *cert)
{
	struct msg m = {.kind = MSG_FINISHED, .bay = r->bay, .run_id = r->run_id, .outcome = o};
	kesu_strlcpy(m.text, cause ? cause->msg : "", sizeof(m.text));
	kesu_strlcpy(m.text_local, cause ? kesu_err_text(cause) : "", sizeof(m.text_local));
	kesu_strlcpy(m.certificate, cert ? cert : "", sizeof(m.certificate));
	post(&m, false);
}

static void on_progress(struct kesu_session_device *d, const struct kesu_progress *p, void *ud)
{
	struct bay_run *r = ud;
	double t = now_s();
	(void)d;
	if (t - r->last_progress < 0.5 && p->done < p->total)
		return;
	r->last_progress = t;
	struct kesu_progress_snap snap = {
		.device = d->name, .phase = kesu_phase_name(p->phase), .pass = p->pass,
		.npasses = p->npasses, .phase_done = p->phase_done, .phase_total = p->phase_total,
		.done = p->done, .total = p->total, .elapsed_s = p->elapsed_s,
		.run_done = p->run_done,
	};
	struct msg m = {.kind = MSG_PROGRESS, .bay = r->bay, .run_id = r->run_id};
	m.progress.pass = (unsigned)p->pass;
	m.progress.passes = (unsigned)p->npasses;
	m.progress.percent = kesu_progress_percent(p->done, p->total);
	m.progress.rate_bps = kesu_progress_rate_mbps(&snap) * 1e6;
	double eta = kesu_progress_eta_s(&snap);
	m.progress.eta_s = eta < 0 ? -1 : (int64_t)eta;
	kesu_strlcpy(m.progress.phase, snap.phase, sizeof(m.progress.phase));
	post(&m, true);
}

static void on_notice(struct kesu_session_device *d, const struct kesu_err *note, void *ud)
{
	struct bay_run *r = ud;
	struct msg m = {.kind = MSG_NOTICE, .bay = r->bay, .run_id = r->run_id};
	/* A long note is cut; a cut Japanese one loses its broken last
	 * character. */
	if (snprintf(m.text, sizeof(m.text), "%s: %s", d->name, note->msg) >=
	    (int)sizeof(m.text))
		kesu_utf8_cut(m.text);
	if (snprintf(m.text_local, sizeof(m.text_local), "%s: %s", d->name,
		     kesu_err_text(note)) >= (int)sizeof(m.text_local))
		kesu_utf8_cut(m.text_local);
	post(&m, false);
}

/* The session's options for this bay: its method, the policy's
 * verification, a certificate with the bay's asset and the batch's
 * approval. */
static enum kesu_rc configure(struct bay_run *r, struct kesu_issuer **issuer,
			      struct kesu_err *err)
{
	struct station *s = r->s;
	const struct kesu_method *then = NULL;
	bool is_purge = false;
	enum kesu_rc rc;
	memset(&r->purge, 0, sizeof(r->purge));
	r->purge.allow_usb_bridge = !strcmp(r->transport, "usb");
	if ((rc = kesu_purge_wipe_select(&r->purge, r->dec.method, &then, &is_purge, err)))
		return rc;
	memset(&r->co, 0, sizeof(r->co));
	r->co.config_path = s->o.config_path;
	kesu_strlcpy(r->co.info.property_number, r->asset, sizeof(r->co.info.property_number));
	kesu_strlcpy(r->co.info.approval_reference, s->pol.approval_ref,
		     sizeof(r->co.info.approval_reference));
	kesu_strlcpy(r->co.info.approval_date, s->pol.approval_date,
		     sizeof(r->co.info.approval_date));
	kesu_strlcpy(r->co.info.approver, s->pol.approver, sizeof(r->co.info.approver));
	kesu_strlcpy(r->co.info.reason, s->pol.reason, sizeof(r->co.info.reason));
	r->co.info.confidentiality_class = s->pol.class_;
	/* Loaded and judged again for every wipe, as `kesu wipe --approval`
	 * does: it may have expired (or its signer been revoked) since the
	 * station started. */
	r->co.approval = s->pol.approval[0] ? s->pol.approval : NULL;
	/* A resume certifies what its checkpoint kept (session.c). */
	r->co.resume = r->dec.resume;
	if ((rc = kesu_issuer_prepare(&r->co, issuer, err)))
		return rc;
	r->so = (struct kesu_session_opts){
		.state_dir = s->cfg.state_dir, .out_dir = records,
		.method = is_purge ? then : kesu_method_find(r->dec.method),
		.verify = s->pol.verify, .verify_given = s->pol.verify_set,
		.purge = &r->purge, .issuer = *issuer, .given = &r->co.info,
		.resume = r->dec.resume,
		.pause_before_verify = getenv("KESU_TEST_PAUSE_BEFORE_VERIFY"),
		.queue_depth = KESU_QUEUE_DEPTH_DEFAULT,
	};
	/* kesu.conf's [wipe] queue_depth, as kesu wipe takes it; a bad value
	 * refuses the bay rather than guessing. */
	if (s->cfg.queue_depth[0] && !kesu_queue_depth_parse(s->cfg.queue_depth,
							      &r->so.queue_depth))
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "kesu.conf: [wipe] queue_depth must be 1 to %d, not '%s'",
				 KESU_QUEUE_DEPTH_MAX, s->cfg.queue_depth);
	return KESU_OK;
}

/* What a finished session's rc means for the bay.  "erased" only with a
 * certificate that is really in the register. */
static enum kesu_bay_outcome judge(const struct kesu_session_device *d, enum kesu_rc rc,
				   struct kesu_err *err)
{
	switch (rc) {
	case KESU_OK:
	case KESU_ERR_UNSTAMPED:
		if (d->cert_issued)
			return KESU_BAY_ERASED;
		kesu_fail(err, KESU_ERR_FAILED, 0, "the certificate is not in the register");
		return KESU_BAY_ERROR;
	case KESU_ERR_INTERRUPTED:
		if (!err->msg[0])
			kesu_fail(err, rc, 0, "stopped; checkpoint kept");
		return KESU_BAY_INTERRUPTED;
	case KESU_ERR_FAILED:
		if (!err->msg[0])
			kesu_fail(err, rc, 0, "not verified erased; see the run record");
		return KESU_BAY_NOT_ERASED;
	default:
		if (!err->msg[0])
			kesu_fail(err, rc, 0, "%s", kesu_rc_name(rc));
		return KESU_BAY_ERROR;
	}
}

static void pdf(struct bay_run *r, const struct kesu_session_device *d)
{
	char path[PATH_MAX];
	if (r->s->pol.pdf && d->cert_path[0] &&
	    kesu_cli_pdf_beside(d->cert_path, KESU_LANG_JA_EN, r->s->o.config_path, path,
				sizeof(path)) != KESU_OK) {
		static const char fmt[] = N_("%s: the PDF could not be made");
		struct msg m = {.kind = MSG_NOTICE, .bay = r->bay, .run_id = r->run_id};
		snprintf(m.text, sizeof(m.text), fmt, d->name);
		snprintf(m.text_local, sizeof(m.text_local), _(fmt), d->name);
		post(&m, false);
	}
}

/* A run that could not start: refused when a rule said no (the gate, the
 * [policy], the approval, a checkpoint of another medium), nothing
 * written either way. */
static enum kesu_bay_outcome not_started(enum kesu_rc rc)
{
	return rc == KESU_ERR_REFUSED ? KESU_BAY_DENIED : KESU_BAY_ERROR;
}

static void erase(struct bay_run *r, struct kesu_session_device *d)
{
	struct kesu_err err = {0};
	const char *name = r->name;
	enum kesu_rc rc;
	if ((rc = kesu_session_prepare(d, &err)) || (rc = kesu_session_open(d, &err)) ||
	    (rc = kesu_session_arm(d, &err))) {
		post_end(r, not_started(rc), &err, NULL);
		return;
	}
	if (atomic_load(&r->stop)) {
		kesu_fail(&err, KESU_ERR_INTERRUPTED, 0, "stopped before the first write");
		post_end(r, KESU_BAY_INTERRUPTED, &err, NULL);
		return;
	}
	kesu_erasing_mark(KESU_ERASING_DIR, "/sys/class/block", name, true, NULL);
	if ((rc = kesu_session_start(d, &r->stop, &err))) {
		kesu_erasing_mark(KESU_ERASING_DIR, "/sys/class/block", name, false, NULL);
		post_end(r, KESU_BAY_ERROR, &err, NULL);
		return;
	}
	kesu_session_join(d);
	pthread_mutex_lock(&finish_mu);
	rc = kesu_session_finish(d, &err);
	pthread_mutex_unlock(&finish_mu);
	kesu_erasing_mark(KESU_ERASING_DIR, "/sys/class/block", name, false, NULL);
	enum kesu_bay_outcome o = judge(d, rc, &err);
	if (o == KESU_BAY_ERASED)
		pdf(r, d);
	post_end(r, o, &err, o == KESU_BAY_ERASED ? d->cert_path : NULL);
}

static void *run_thread(void *arg)
{
	struct bay_run *r = arg;
	struct kesu_issuer *issuer = NULL;
	struct kesu_err err = {0};
	const struct kesu_session_observer obs = {.progress = on_progress, .phase = on_progress,
						  .notice = on_notice, .ud = r};
	enum kesu_rc rc = configure(r, &issuer, &err);
	if (rc) {
		post_end(r, not_started(rc), &err, NULL);
		kesu_issuer_free(issuer);
		return NULL;
	}
	struct kesu_session_device *d =
		kesu_session_device_new(r->path, &r->so, &obs);
	if (!d) {
		kesu_fail(&err, KESU_ERR_INTERNAL, 0, "out of memory");
		post_end(r, KESU_BAY_ERROR, &err, NULL);
	} else {
		erase(r, d);
	}
	kesu_session_device_free(d);
	kesu_issuer_free(issuer);
	return NULL;
}

void station_run_start(struct station *s, size_t bay)
{
	struct bay_run *r = &runs[bay];
	const struct kesu_bay *b = &s->st.bays[bay];
	/* The previous run of this bay ended (the core frees a bay only then);
	 * its thread is reaped here. */
	if (r->thread)
		pthread_join(r->th, NULL);
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->bay = bay;
	r->run_id = b->run_id;
	r->dec = b->decision;
	kesu_strlcpy(r->name, b->disk.name, sizeof(r->name));
	kesu_strlcpy(r->transport, b->disk.transport, sizeof(r->transport));
	kesu_strlcpy(r->path, s->slots[bay].path, sizeof(r->path));
	kesu_strlcpy(r->asset, s->slots[bay].asset, sizeof(r->asset));
	atomic_init(&r->stop, 0);
	station_event(s, bay, "started");
	int e = pthread_create(&r->th, NULL, run_thread, r);
	if (e) {
		static const char why[] = N_("cannot start a thread for the run");
		kesu_station_finished(&s->st, bay, r->run_id, KESU_BAY_ERROR, why, _(why), NULL);
		station_event(s, bay, "finished");
		return;
	}
	r->thread = true;
}

void station_run_stop(struct station *s, size_t bay)
{
	(void)s;
	atomic_store(&runs[bay].stop, 1);
}

int station_run_fd(const struct station *s)
{
	(void)s;
	return sock[0];
}

void station_run_events(struct station *s)
{
	struct msg m;
	while (recv(sock[0], &m, sizeof(m), MSG_DONTWAIT) == (ssize_t)sizeof(m)) {
		m.text[sizeof(m.text) - 1] = '\0';
		m.text_local[sizeof(m.text_local) - 1] = '\0';
		m.certificate[sizeof(m.certificate) - 1] = '\0';
		if (m.bay >= s->st.nbays)
			continue;
		switch (m.kind) {
		case MSG_PROGRESS:
			if (kesu_station_progress(&s->st, m.bay, m.run_id, &m.progress))
				station_event(s, m.bay, "progress");
			break;
		case MSG_NOTICE:
			station_note_text(s, m.text, m.text_local);
			break;
		case MSG_FINISHED:
			if (kesu_station_finished(&s->st, m.bay, m.run_id, m.outcome, m.text,
						  m.text_local, m.certificate))
				station_event(s, m.bay, "finished");
			break;
		}
	}
}

enum kesu_rc station_approval_check(struct station *s, struct kesu_err *err)
{
	if (!s->pol.approval[0])
		return KESU_OK;
	const struct kesu_cert_opts co = {.config_path = s->o.config_path,
					  .approval = s->pol.approval};
	struct kesu_approval_file af;
	enum kesu_rc rc = kesu_issuer_load_approval(&co, &s->cfg, &af, err);
	if (rc == KESU_OK)
		kesu_approval_file_free(&af);
	return rc;
}

enum kesu_rc station_run_init(struct station *s, struct kesu_err *err)
{
	if (snprintf(records, sizeof(records), "%s/station", s->cfg.state_dir) >=
	    (int)sizeof(records))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "[paths] state_dir is too long");
	if (!s->o.dry_run && kesu_mkdir_p(records, 0700, err))
		return kesu_err_prefix(err, "station records: ");
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sock))
		return kesu_fail(err, KESU_ERR_INTERNAL, errno, "socketpair: %s", strerror(errno));
	return KESU_OK;
}

void station_run_fini(struct station *s)
{
	for (size_t i = 0; i < KESU_STATION_BAYS; i++) {
		if (!runs[i].thread)
			continue;
		atomic_store(&runs[i].stop, 1);
		pthread_join(runs[i].th, NULL);
		runs[i].thread = false;
	}
	station_run_events(s);
	for (int i = 0; i < 2; i++)
		if (sock[i] >= 0)
			close(sock[i]);
	sock[0] = sock[1] = -1;
}
