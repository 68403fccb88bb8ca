/* ATA purge driver: SANITIZE (crypto scramble, block erase, overwrite) and
 * SECURITY ERASE UNIT (normal, enhanced) with a temporary password. */
#include "wipe/firmware/purge/driver.h"
#include "wipe/firmware/ata.h"

#include <inttypes.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

static bool supports(const struct kesu_caps *c, const struct kesu_purge_method *m,
		     char *why, size_t whysz)
{
	const struct kesu_ata_identify *id = &c->ata.id;
	if (c->kind != KESU_CAPS_ATA) {
		snprintf(why, whysz, "%s needs an ATA device, this one is %s", m->name,
			 kesu_purge_interface_name(c));
		return false;
	}
	if (m->family == KESU_PF_ATA_SANITIZE) {
		bool ok = m->action == KESU_PA_CRYPTO ? id->sanitize_crypto :
			  m->action == KESU_PA_BLOCK ? id->sanitize_block : id->sanitize_overwrite;
		if (!ok)
			snprintf(why, whysz, id->sanitize ? "the drive's sanitize feature set lacks %s"
				 : "the drive has no sanitize feature set (IDENTIFY word 59); %s impossible",
				 m->name);
		return ok;
	}
	const char *no = !id->sec_supported
		? "the drive has no security feature set (IDENTIFY word 128)"
		: m->action == KESU_PA_ENHANCED && !id->sec_enhanced
		? "the drive does not support enhanced security erase" : NULL;
	if (no)
		snprintf(why, whysz, "%s", no);
	return !no;
}

static enum kesu_rc refuses(const struct kesu_caps *c, const struct kesu_purge_method *m,
			    const struct kesu_purge_opts *o, struct kesu_err *err)
{
	(void)o;
	if (m->family != KESU_PF_ATA_SECURITY)
		return KESU_OK;
	const struct kesu_ata_identify *id = &c->ata.id;
	const char *why =
		id->sec_frozen ? "the drive's security is frozen (the BIOS froze it at boot); suspend and resume the machine (systemctl suspend) or hot-plug the drive, then run kesu again"
		: id->sec_locked ? "the drive is locked by a security password; unlock it with its password first (hdparm --security-unlock)"
		: id->sec_count_expired ? "the drive's password attempt counter expired; power-cycle the drive and try again"
		: id->sec_enabled ? "the drive already has a security password; disable it with that password (hdparm --security-disable) before erasing"
		: NULL;
	return why ? kesu_fail(err, KESU_ERR_REFUSED, 0, "%s", why) : KESU_OK;
}

static void plan(const struct kesu_caps *c, const struct kesu_purge_method *m,
		 struct kesu_purge_plan *p)
{
	if (m->family == KESU_PF_ATA_SANITIZE) {
		p->check = m->action == KESU_PA_CRYPTO ? KESU_CHECK_CHANGED
			   : m->action == KESU_PA_OVERWRITE ? KESU_CHECK_ZEROS
			   : KESU_CHECK_CHANGED_OR_BLANK;
		return;
	}
	/* Normal erase writes zeros (or ones); enhanced writes a pattern of
	 * the vendor's choosing. */
	p->check = m->action == KESU_PA_ENHANCED ? KESU_CHECK_CHANGED_OR_BLANK : KESU_CHECK_UNIFORM;
	unsigned min = m->action == KESU_PA_ENHANCED ? c->ata.id.enhanced_erase_minutes
						     : c->ata.id.erase_minutes;
	p->estimate_s = (uint64_t)min * 60;
	/* SP 800-88 counts security erase as Purge only on spinning media. */
	if (!c->rotational)
		p->nist_category = "clear";
}

static void sanitize_completion(struct kesu_purge_step *st, const struct kesu_ata_sanitize_status *s,
				const struct kesu_ata_result *reg)
{
	json_decref(st->completion);
	st->completion = json_pack("{s:b, s:b, s:b, s:i, s:i, s:i}", "completed_without_error",
				   s->completed, "in_progress", s->in_progress, "failed", s->failed,
				   "progress", (json_int_t)s->progress, "status_register",
				   (json_int_t)reg->status, "error_register", (json_int_t)reg->error);
}

static enum kesu_rc run_sanitize(struct kesu_purge_cmd *x, struct kesu_err *err)
{
	struct kesu_purge_step *st = x->step;
	enum kesu_purge_action a = x->m->action;
	struct kesu_ata_tf tf = a == KESU_PA_CRYPTO ? kesu_ata_tf_sanitize_crypto() :
				a == KESU_PA_BLOCK ? kesu_ata_tf_sanitize_block() :
				kesu_ata_tf_sanitize_overwrite(1, false, 0);
	snprintf(st->command, sizeof(st->command), "ATA SANITIZE DEVICE (feature 0x%04x)", tf.feature);
	snprintf(st->opcode, sizeof(st->opcode), "0x%02x", KESU_ATA_SANITIZE);
	struct kesu_ata_result reg;
	x->started = true;
	enum kesu_rc rc = kesu_ata_run(x->t, KESU_ATA_NONDATA, true, tf, NULL, 60000, &reg, err);
	if (rc != KESU_OK) {
		snprintf(st->status, sizeof(st->status), rc == KESU_ERR_GONE ? "device-gone" : "aborted");
		return rc;
	}
	for (;;) {
		kesu_purge_sleep(x);
		struct kesu_err e2;
		rc = kesu_ata_run(x->t, KESU_ATA_NONDATA, true, kesu_ata_tf_sanitize_status(), NULL,
				  30000, &reg, &e2);
		if (rc == KESU_ERR_GONE) {
			snprintf(st->status, sizeof(st->status), "device-gone");
			return kesu_fail(err, KESU_ERR_GONE, e2.sys_errno,
					 "the drive disappeared while sanitizing; it resumes the sanitize when powered again: reconnect it, let it finish and run the purge again to verify");
		}
		if (rc != KESU_OK && rc != KESU_ERR_FAILED) {
			*err = e2;
			return rc;
		}
		struct kesu_ata_sanitize_status s;
		kesu_ata_parse_sanitize_status(&reg, &s);
		sanitize_completion(st, &s, &reg);
		if (s.failed) {
			snprintf(st->status, sizeof(st->status), "sanitize-failed");
			return kesu_fail(err, KESU_ERR_FAILED, 0,
					 "the drive reports the sanitize failed (reason %u); it stays in sanitize-failed state until a sanitize succeeds: run the purge again",
					 s.reason);
		}
		if (s.in_progress) {
			snprintf(st->status, sizeof(st->status), "in-progress");
			rc = kesu_purge_still_running(x, "sanitize", s.progress / 65535.0, true,
						      "SANITIZE", "drive", err);
			if (rc != KESU_OK)
				return rc;
			continue;
		}
		if (s.completed) {
			snprintf(st->status, sizeof(st->status), "completed-without-error");
			kesu_purge_progress(x, "sanitize", 1.0);
			return KESU_OK;
		}
		snprintf(st->status, sizeof(st->status), "unknown");
		return kesu_fail(err, KESU_ERR_FAILED, 0,
				 "SANITIZE STATUS shows neither progress nor completion; the outcome is unknown");
	}
}

/* The temporary password security erase needs: fresh and random, printable
 * so the operator can type it into hdparm if it ever has to be recovered. */
struct password {
	char text[KESU_PURGE_PASSWORD_LEN];
	uint8_t bytes[KESU_ATA_PASSWORD_LEN];
};

static bool make_password(struct password *pw)
{
	uint8_t rnd[8];
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return false;
	snprintf(pw->text, sizeof(pw->text), "kesu-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0],
		 rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	memset(pw->bytes, 0, sizeof(pw->bytes));
	memcpy(pw->bytes, pw->text, strlen(pw->text));
	return true;
}

/* After a failure with our password set: get the drive back to security
 * disabled, or leave the operator the password. */
static void recover_password(struct kesu_purge_cmd *x, const struct password *pw)
{
	struct kesu_transport *t = x->t;
	struct kesu_ata_identify id;
	struct kesu_err e;
	struct kesu_ata_result reg;
	uint8_t blk[512];
	if (kesu_ata_identify(t, &id, &e) == KESU_OK && !id.sec_enabled)
		return; /* nothing of ours is left */
	kesu_ata_security_block(blk, false, false, pw->bytes);
	if (kesu_ata_identify(t, &id, &e) == KESU_OK && id.sec_locked)
		kesu_ata_run(t, KESU_ATA_PIO_OUT, false, kesu_ata_tf_security(KESU_ATA_SEC_UNLOCK),
			     blk, 30000, &reg, &e);
	if (kesu_ata_run(t, KESU_ATA_PIO_OUT, false, kesu_ata_tf_security(KESU_ATA_SEC_DISABLE),
			 blk, 30000, &reg, &e) == KESU_OK &&
	    kesu_ata_identify(t, &id, &e) == KESU_OK && !id.sec_enabled)
		return;
	snprintf(x->recovery_password, sizeof(x->recovery_password), "%s", pw->text);
}

/* ERASE UNIT reported success: the drive must also have dropped our
 * password, or the erase is not trusted. */
static enum kesu_rc security_after(struct kesu_purge_cmd *x, const struct password *pw,
				   struct kesu_err *err)
{
	struct kesu_ata_identify id;
	enum kesu_rc rc = kesu_ata_identify(x->t, &id, err);
	if (rc == KESU_OK && !id.sec_enabled && !id.sec_locked) {
		json_object_set_new(x->step->completion, "security_disabled_after", json_true());
		kesu_purge_progress(x, "secure-erase", 1.0);
		return KESU_OK;
	}
	struct kesu_err keep;
	if (rc == KESU_OK)
		kesu_fail(&keep, KESU_ERR_FAILED, 0,
			  "ERASE UNIT reported success but security is still %s; the erase is not trusted",
			  id.sec_locked ? "locked" : "enabled");
	else
		keep = *err;
	recover_password(x, pw);
	*err = keep;
	snprintf(x->step->status, sizeof(x->step->status), "completed-security-still-enabled");
	return KESU_ERR_FAILED;
}

static enum kesu_rc run_security(struct kesu_purge_cmd *x, struct kesu_err *err)
{
	struct kesu_purge_step *st = x->step;
	bool enh = x->m->action == KESU_PA_ENHANCED;
	snprintf(st->command, sizeof(st->command), "ATA SECURITY ERASE UNIT (%s)",
		 enh ? "enhanced" : "normal");
	snprintf(st->opcode, sizeof(st->opcode), "0x%02x", KESU_ATA_SEC_ERASE_UNIT);
	struct password pw;
	if (!make_password(&pw))
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "no random bytes for the temporary password");
	uint8_t blk[512];
	struct kesu_ata_result reg;
	kesu_ata_security_block(blk, false, false, pw.bytes);
	x->started = true;
	enum kesu_rc rc = kesu_ata_run(x->t, KESU_ATA_PIO_OUT, false,
				       kesu_ata_tf_security(KESU_ATA_SEC_SET_PASSWORD), blk, 30000,
				       &reg, err);
	if (rc != KESU_OK) {
		snprintf(st->status, sizeof(st->status), "set-password-failed");
		recover_password(x, &pw);
		return kesu_err_prefix(err, "SECURITY SET PASSWORD failed: ");
	}
	kesu_purge_progress(x, "secure-erase", 0.0);
	rc = kesu_ata_run(x->t, KESU_ATA_NONDATA, false,
			  kesu_ata_tf_security(KESU_ATA_SEC_ERASE_PREPARE), NULL, 30000, &reg, err);
	if (rc == KESU_OK) {
		kesu_ata_security_block(blk, false, enh, pw.bytes);
		rc = kesu_ata_run(x->t, KESU_ATA_PIO_OUT, false,
				  kesu_ata_tf_security(KESU_ATA_SEC_ERASE_UNIT), blk,
				  kesu_purge_cmd_timeout_ms(x), &reg, err);
	}
	st->completion = json_pack("{s:i, s:i}", "status_register", (json_int_t)reg.status,
				   "error_register", (json_int_t)reg.error);
	if (rc != KESU_OK) {
		snprintf(st->status, sizeof(st->status), rc == KESU_ERR_GONE ? "device-gone" : "aborted");
		struct kesu_err keep = *err;
		if (rc != KESU_ERR_GONE)
			recover_password(x, &pw);
		else
			snprintf(x->recovery_password, sizeof(x->recovery_password), "%s", pw.text);
		*err = keep;
		return kesu_err_prefix(err, "security erase failed: ");
	}
	snprintf(st->status, sizeof(st->status), "completed");
	return security_after(x, &pw, err);
}

static enum kesu_rc run(struct kesu_purge_cmd *x, struct kesu_err *err)
{
	return x->m->family == KESU_PF_ATA_SANITIZE ? run_sanitize(x, err) : run_security(x, err);
}

const struct kesu_purge_driver kesu_purge_ata = {supports, refuses, plan, run};
