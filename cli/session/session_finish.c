/* Everything that happens once a device's erasure has ended, whatever its
 * result: the checkpoint (kept only for an interrupted run), the run
 * record, the certificate and its register line.  An erasure without its
 * record, or its certificate, is not proven: those failures are the
 * device's outcome, never a footnote. */
#include "cli/session/session_int.h"
#include "wipe/engine/checkpoint.h"
#include "wipe/firmware/health.h"

#include <string.h>
#include <unistd.h>

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

enum kesu_rc kesu_session_worst(enum kesu_rc a, enum kesu_rc b)
{
	/* Interruption wins over failure so the operator knows to resume. */
	if (a == KESU_ERR_INTERRUPTED || b == KESU_ERR_INTERRUPTED)
		return KESU_ERR_INTERRUPTED;
	/* A missing timestamp token is the mildest failure (exit 11). */
	if (a == KESU_ERR_UNSTAMPED && b != KESU_OK)
		return b;
	return a != KESU_OK ? a : b;
}

/* An interrupted run can still be resumed, so it stays "interrupted" even
 * when its record or certificate could not be made. */
static enum kesu_rc step_failed(const struct kesu_session_device *d, enum kesu_rc rc)
{
	return d->w.result == KESU_RESULT_INTERRUPTED ? KESU_ERR_INTERRUPTED : rc;
}

/* An interrupted run's checkpoint is saved before its record is written,
 * so it can be resumed whatever happens to the record.  Any other run's
 * is removed only after its record is on disk: until then the checkpoint
 * is the only trace of the erasure, and with it `kesu wipe --resume`
 * can still finish and record the run. */
static void save_checkpoint(struct kesu_session_device *d)
{
	struct kesu_err e;
	kesu_err_clear(&e);
	if (kesu_session_save_checkpoint(d, &d->w, &e) != KESU_OK)
		kesu_session_notice(d, &e);
}

static void drop_checkpoint(struct kesu_session_device *d)
{
	struct kesu_err e;
	kesu_err_clear(&e);
	if (kesu_checkpoint_remove(d->opts->state_dir, d->id, &e) != KESU_OK)
		kesu_session_notice(d, &e);
}

/* Before and after; the after reading only when the drive is still there
 * (a SMART log read is cheap, a vanished drive would only time out). */
static json_t *health_json(struct kesu_session_device *d)
{
	if (!d->health_before)
		return NULL;
	if (!d->health_after && !d->w.device_gone && d->engine_rc != KESU_ERR_GONE)
		d->health_after = kesu_health_read(d->id);
	return json_pack("{s:O, s:O}", "before", d->health_before, "after",
			 d->health_after ? d->health_after : json_null());
}

static enum kesu_rc write_record(struct kesu_session_device *d, struct kesu_err *err)
{
	struct kesu_run_record r = {0};
	memcpy(r.run_id, d->run_id, sizeof(r.run_id));
	memcpy(r.resumed_from, d->resumed_from, sizeof(r.resumed_from));
	r.host = d->host;
	r.device = d->id;
	r.before = d->before;
	r.wipe = &d->w;
	r.block_size = d->t->block_size;
	r.firmware = d->firmware;
	r.health = health_json(d);
	enum kesu_rc rc = kesu_run_record_write(d->opts->out_dir, &r, d->record_path,
						sizeof(d->record_path), err);
	json_decref(r.health);
	if (rc != KESU_OK)
		d->record_path[0] = '\0';
	return rc;
}

static enum kesu_rc finish(struct kesu_session_device *d, struct kesu_err *err)
{
	if (d->engine_rc != KESU_OK) {
		struct kesu_err n = d->engine_err;
		kesu_err_prefix(&n, "%s: ", d->name);
		kesu_session_notice(d, &n);
	}
	bool interrupted = d->w.result == KESU_RESULT_INTERRUPTED;
	if (interrupted)
		save_checkpoint(d);
	enum kesu_rc rc = write_record(d, err);
	if (rc != KESU_OK) {
		if (!interrupted) {
			struct kesu_err n;
			kesu_fail(&n, rc, 0, "%s: the checkpoint is kept: once the run record "
				  "can be written, 'kesu wipe --resume' finishes and records "
				  "this run", d->name);
			kesu_session_notice(d, &n);
		}
		return step_failed(d, rc);
	}
	if (!interrupted)
		drop_checkpoint(d);
	/* A certificate for every result, failures included, signed and
	 * registered. */
	bool unstamped = false;
	if (d->opts->issuer) {
		rc = kesu_issuer_issue_as(d->opts->issuer, &d->cert_info, d->record_path,
					  d->cert_path, sizeof(d->cert_path), err);
		unstamped = rc == KESU_ERR_UNSTAMPED;
		if (rc != KESU_OK && !unstamped) {
			/* Signed but not registered, or not even written: the
			 * path stays only while a file is there to look at. */
			if (d->cert_path[0] && access(d->cert_path, F_OK) != 0)
				d->cert_path[0] = '\0';
			return step_failed(d, rc);
		}
		d->cert_issued = true;
	}
	/* A device that went away failed for a reason the operator fixes by
	 * reconnecting it: exit 7, not 1. */
	if (d->w.result == KESU_RESULT_FAILED &&
	    (d->w.device_gone || d->engine_rc == KESU_ERR_GONE))
		return KESU_ERR_GONE;
	/* A result that is not clean says more than a missing token. */
	rc = result_rc(d->w.result);
	return rc == KESU_OK && unstamped ? KESU_ERR_UNSTAMPED : rc;
}

enum kesu_rc kesu_session_finish(struct kesu_session_device *d, struct kesu_err *err)
{
	kesu_err_clear(err);
	enum kesu_rc rc;
	if (!d->joined || !d->t)
		rc = kesu_fail(err, KESU_ERR_INTERNAL, 0, "%s: finished before its erasure ended",
			       d->path);
	else
		rc = finish(d, err);
	if (d->obs && d->obs->device_done)
		d->obs->device_done(d, rc, d->obs->ud);
	return rc;
}
