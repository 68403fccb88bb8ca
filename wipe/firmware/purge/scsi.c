/* SCSI purge driver: SANITIZE (cryptographic erase, block erase,
 * overwrite), polled with REQUEST SENSE. */
#include "wipe/firmware/purge/driver.h"
#include "wipe/firmware/scsi.h"

#include <inttypes.h>
#include <stdio.h>

static bool supports(const struct kesu_caps *c, const struct kesu_purge_method *m,
		     char *why, size_t whysz)
{
	if (c->kind != KESU_CAPS_SCSI) {
		snprintf(why, whysz, "%s needs a SCSI/SAS device, this one is %s", m->name,
			 kesu_purge_interface_name(c));
		return false;
	}
	if (!c->scsi.rsoc_ok) {
		snprintf(why, whysz, "the device does not report its supported commands; its SANITIZE support is unknown");
		return false;
	}
	bool ok = m->action == KESU_PA_CRYPTO ? c->scsi.crypto :
		  m->action == KESU_PA_BLOCK ? c->scsi.block : c->scsi.overwrite;
	if (!ok)
		snprintf(why, whysz, "the device does not support %s", m->name);
	return ok;
}

static void plan(const struct kesu_caps *c, const struct kesu_purge_method *m,
		 struct kesu_purge_plan *p)
{
	(void)c;
	p->check = m->action == KESU_PA_CRYPTO ? KESU_CHECK_CHANGED
		   : m->action == KESU_PA_OVERWRITE ? KESU_CHECK_ZEROS
		   : KESU_CHECK_CHANGED_OR_BLANK;
}

static void sense_completion(struct kesu_purge_step *st, const struct kesu_sense *s)
{
	json_decref(st->completion);
	st->completion = json_pack("{s:i, s:i, s:i, s:o}", "sense_key", (json_int_t)s->key,
				   "asc", (json_int_t)s->asc, "ascq", (json_int_t)s->ascq,
				   "progress", s->sksv ? json_integer(s->progress) : json_null());
}

/* REQUEST SENSE until the sanitize is no longer in progress. */
static enum kesu_rc poll_sanitize(struct kesu_purge_cmd *x, struct kesu_err *err)
{
	struct kesu_purge_step *st = x->step;
	struct kesu_scsi_cmd cmd;
	struct kesu_sense s;
	for (;;) {
		kesu_purge_sleep(x);
		uint8_t sb[32] = {0};
		kesu_scsi_request_sense_cmd(&cmd, sb, sizeof(sb));
		enum kesu_rc rc = kesu_scsi_run(x->t, &cmd, &s, err);
		if (rc == KESU_ERR_GONE) {
			snprintf(st->status, sizeof(st->status), "device-gone");
			return kesu_fail(err, KESU_ERR_GONE, 0,
					 "the disk disappeared while sanitizing; it resumes the sanitize when powered again: reconnect it, let it finish and run the purge again to verify");
		}
		if (rc != KESU_OK)
			return rc;
		kesu_scsi_parse_sense(sb, sizeof(sb) - (size_t)(cmd.resid > 0 ? cmd.resid : 0), &s);
		sense_completion(st, &s);
		if (kesu_sense_sanitize_in_progress(&s)) {
			snprintf(st->status, sizeof(st->status), "in-progress");
			rc = kesu_purge_still_running(x, "sanitize", s.sksv ? s.progress / 65536.0 : 0.0,
						      false, "SANITIZE", "disk", err);
			if (rc != KESU_OK)
				return rc;
			continue;
		}
		if (kesu_sense_sanitize_failed(&s)) {
			snprintf(st->status, sizeof(st->status), "sanitize-failed");
			return kesu_fail(err, KESU_ERR_FAILED, 0,
					 "the disk reports SANITIZE failed (31/03); it stays in that state until a sanitize succeeds: run the purge again");
		}
		if (!s.valid || s.key == KESU_SK_NO_SENSE) {
			snprintf(st->status, sizeof(st->status), "completed");
			kesu_purge_progress(x, "sanitize", 1.0);
			return KESU_OK;
		}
		snprintf(st->status, sizeof(st->status), "sense-%x-%02x-%02x", s.key, s.asc, s.ascq);
		return kesu_fail(err, KESU_ERR_FAILED, 0,
				 "after SANITIZE the disk reports sense %x/%02x/%02x; the outcome is unknown",
				 s.key, s.asc, s.ascq);
	}
}

static enum kesu_rc run(struct kesu_purge_cmd *x, struct kesu_err *err)
{
	struct kesu_purge_step *st = x->step;
	enum kesu_scsi_sanitize_sa sa = x->m->action == KESU_PA_CRYPTO ? KESU_SCSI_SA_CRYPTO :
					x->m->action == KESU_PA_BLOCK ? KESU_SCSI_SA_BLOCK :
					KESU_SCSI_SA_OVERWRITE;
	uint8_t param[16];
	uint16_t plen = 0;
	if (sa == KESU_SCSI_SA_OVERWRITE) {
		static const uint8_t zero[4] = {0, 0, 0, 0};
		plen = kesu_scsi_sanitize_overwrite_params(param, sizeof(param), 1, false, zero, 4);
	}
	struct kesu_scsi_cmd cmd;
	struct kesu_sense s;
	kesu_scsi_sanitize_cmd(&cmd, sa, false, plen ? param : NULL, plen);
	snprintf(st->command, sizeof(st->command), "SCSI SANITIZE (service action 0x%02x)", sa);
	snprintf(st->opcode, sizeof(st->opcode), "0x%02x", KESU_SCSI_SANITIZE);
	x->started = true;
	enum kesu_rc rc = kesu_scsi_run(x->t, &cmd, &s, err);
	if (rc != KESU_OK) {
		snprintf(st->status, sizeof(st->status), rc == KESU_ERR_GONE ? "device-gone" : "rejected");
		return rc;
	}
	return poll_sanitize(x, err);
}

const struct kesu_purge_driver kesu_purge_scsi = {supports, NULL, plan, run};
