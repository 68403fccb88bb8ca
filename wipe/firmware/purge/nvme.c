/* NVMe purge driver: Sanitize (crypto, block, overwrite) and Format NVM
 * (crypto erase, user data erase). */
#include "wipe/firmware/purge/driver.h"
#include "wipe/firmware/nvme.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

/* SANICAP NDI: the controller cannot skip deallocating after an overwrite,
 * so the pattern may read back as zeros or ones. */
#define SANICAP_NO_DEALLOC_INHIBIT (1u << 29)

static bool supports(const struct kesu_caps *c, const struct kesu_purge_method *m,
		     char *why, size_t whysz)
{
	if (c->kind != KESU_CAPS_NVME) {
		snprintf(why, whysz, "%s needs an NVMe device, this one is %s", m->name,
			 kesu_purge_interface_name(c));
		return false;
	}
	if (m->family == KESU_PF_NVME_SANITIZE) {
		uint32_t bit = m->action == KESU_PA_CRYPTO ? KESU_NVME_SANICAP_CRYPTO :
			       m->action == KESU_PA_BLOCK ? KESU_NVME_SANICAP_BLOCK :
			       KESU_NVME_SANICAP_OVERWRITE;
		if (!(c->nvme.ctrl.sanicap & bit)) {
			snprintf(why, whysz, "the controller's SANICAP (0x%x) does not offer %s",
				 c->nvme.ctrl.sanicap, m->name);
			return false;
		}
		return true;
	}
	const char *no = !(c->nvme.ctrl.oacs & KESU_NVME_OACS_FORMAT)
		? "the controller does not support Format NVM (OACS bit 1 clear)"
		: !c->nvme.ns_ok ? "no usable namespace; open the namespace device (/dev/nvmeXnY)"
		: NULL;
	if (no) {
		snprintf(why, whysz, "%s", no);
		return false;
	}
	if (m->action == KESU_PA_CRYPTO && !(c->nvme.ctrl.fna & KESU_NVME_FNA_CRYPTO)) {
		snprintf(why, whysz, "the controller's FNA (0x%x) does not offer crypto erase in Format",
			 c->nvme.ctrl.fna);
		return false;
	}
	return true;
}

static enum kesu_rc refuses(const struct kesu_caps *c, const struct kesu_purge_method *m,
			    const struct kesu_purge_opts *o, struct kesu_err *err)
{
	(void)o;
	if (m->family == KESU_PF_NVME_SANITIZE && c->nvme.log_ok &&
	    c->nvme.log.state == KESU_NVME_SSTAT_IN_PROGRESS)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "a sanitize is already running on this controller; wait for it to finish ('kesu info' shows its state)");
	return KESU_OK;
}

static void plan(const struct kesu_caps *c, const struct kesu_purge_method *m,
		 struct kesu_purge_plan *p)
{
	if (m->family == KESU_PF_NVME_FORMAT) {
		p->all_namespaces = (c->nvme.ctrl.fna &
				     (KESU_NVME_FNA_FORMAT_ALL | KESU_NVME_FNA_ERASE_ALL)) != 0;
		if (m->action == KESU_PA_CRYPTO) {
			p->check = KESU_CHECK_CHANGED;
		} else {
			/* DLFEAT says what deallocated blocks read as. */
			unsigned d = c->nvme.ns.dlfeat & 7;
			p->check = d == 1 ? KESU_CHECK_ZEROS : d == 2 ? KESU_CHECK_ONES
				   : KESU_CHECK_CHANGED_OR_BLANK;
		}
		return;
	}
	p->all_namespaces = true;
	p->check = m->action == KESU_PA_CRYPTO ? KESU_CHECK_CHANGED
		   : m->action == KESU_PA_BLOCK ? KESU_CHECK_CHANGED_OR_BLANK
		   : (c->nvme.ctrl.sanicap & SANICAP_NO_DEALLOC_INHIBIT) ? KESU_CHECK_UNIFORM
		   : KESU_CHECK_ZEROS;
	if (c->nvme.log_ok) {
		uint32_t e = m->action == KESU_PA_CRYPTO ? c->nvme.log.etce :
			     m->action == KESU_PA_BLOCK ? c->nvme.log.etbe : c->nvme.log.eto;
		if (e != KESU_NVME_NO_ESTIMATE)
			p->estimate_s = e;
	}
}

static enum kesu_rc run_format(struct kesu_purge_cmd *x, struct kesu_err *err)
{
	struct kesu_purge_step *st = x->step;
	const struct kesu_caps *c = x->c;
	struct kesu_nvme_cmd cmd;
	char st_text[48], hex[16];
	unsigned ses = x->m->action == KESU_PA_CRYPTO ? 2 : 1;
	uint32_t cdw10 = kesu_nvme_format_cdw10(&c->nvme.ns, ses);
	snprintf(st->command, sizeof(st->command), "NVMe Format NVM (SES=%u)", ses);
	snprintf(st->opcode, sizeof(st->opcode), "0x%02x", KESU_NVME_OP_FORMAT);
	kesu_nvme_format_cmd(&cmd, c->nvme.nsid, cdw10, kesu_purge_cmd_timeout_ms(x));
	x->started = true;
	kesu_purge_progress(x, "format", 0.0);
	int rc = kesu_nvme_admin(x->t, &cmd);
	kesu_nvme_status_describe(rc, st_text, sizeof(st_text));
	snprintf(st->status, sizeof(st->status), "%s", st_text);
	snprintf(hex, sizeof(hex), "0x%08x", cdw10);
	st->completion = json_pack("{s:s, s:i, s:s}", "cdw10", hex, "nsid",
				   (json_int_t)c->nvme.nsid, "status", st_text);
	if (kesu_errno_gone(-rc))
		return kesu_fail(err, KESU_ERR_GONE, -rc,
				 "the device disappeared during Format NVM; reconnect it and rerun the purge");
	if (rc != 0)
		return kesu_fail(err, KESU_ERR_FAILED, rc < 0 ? -rc : 0,
				 "the controller failed Format NVM (%s)", st_text);
	kesu_purge_progress(x, "format", 1.0);
	return KESU_OK;
}

static void log_completion(struct kesu_purge_step *st, const struct kesu_nvme_sanitize_log *l)
{
	char hex[16];
	snprintf(st->status, sizeof(st->status), "%s", kesu_nvme_sstat_name(l->state));
	json_decref(st->completion);
	snprintf(hex, sizeof(hex), "0x%08x", l->scdw10);
	st->completion = json_pack("{s:s, s:i, s:i, s:b, s:i, s:s}", "sanitize_status",
				   kesu_nvme_sstat_name(l->state), "sstat", (json_int_t)l->sstat,
				   "sprog", (json_int_t)l->sprog, "global_data_erased",
				   l->global_data_erased, "overwrite_passes", (json_int_t)l->passes_done,
				   "scdw10", hex);
}

/* Poll the Sanitize Status log until the sanitize with action sanact ends. */
static enum kesu_rc poll_sanitize(struct kesu_purge_cmd *x, unsigned sanact, struct kesu_err *err)
{
	uint8_t log[KESU_NVME_SANITIZE_LOG_LEN];
	struct kesu_nvme_sanitize_log l;
	struct kesu_nvme_cmd cmd;
	char st_text[48];
	for (;;) {
		kesu_purge_sleep(x);
		kesu_nvme_sanitize_log_cmd(&cmd, log);
		int rc = kesu_nvme_admin(x->t, &cmd);
		if (kesu_errno_gone(-rc)) {
			snprintf(x->step->status, sizeof(x->step->status), "device-gone");
			return kesu_fail(err, KESU_ERR_GONE, -rc,
					 "the device disappeared while sanitizing; the drive resumes the sanitize when powered again: reconnect it, let it finish and run the purge again to verify");
		}
		if (rc != 0) {
			kesu_nvme_status_describe(rc, st_text, sizeof(st_text));
			snprintf(x->step->status, sizeof(x->step->status), "log-unreadable");
			return kesu_fail(err, KESU_ERR_FAILED, 0,
					 "the Sanitize Status log could not be read (%s); the outcome is unknown", st_text);
		}
		kesu_nvme_parse_sanitize_log(log, &l);
		log_completion(x->step, &l);
		if (l.state == KESU_NVME_SSTAT_IN_PROGRESS) {
			enum kesu_rc w = kesu_purge_still_running(x, "sanitize", l.sprog / 65536.0, true,
								  "Sanitize", "drive", err);
			if (w != KESU_OK)
				return w;
			continue;
		}
		if (l.state == KESU_NVME_SSTAT_SUCCESS || l.state == KESU_NVME_SSTAT_SUCCESS_NO_DEALLOC) {
			if (l.scdw10 && (l.scdw10 & 7) != sanact)
				return kesu_fail(err, KESU_ERR_FAILED, 0,
						 "the Sanitize log describes another sanitize (SCDW10 0x%x); the outcome of ours is unknown",
						 l.scdw10);
			kesu_purge_progress(x, "sanitize", 1.0);
			return KESU_OK;
		}
		if (l.state == KESU_NVME_SSTAT_FAILED)
			return kesu_fail(err, KESU_ERR_FAILED, 0,
					 "the controller reports the sanitize failed; the drive stays in sanitize-failed mode until a sanitize succeeds: run the purge again or destroy the drive");
		return kesu_fail(err, KESU_ERR_FAILED, 0,
				 "the Sanitize log shows no sanitize after the command was accepted; the outcome is unknown");
	}
}

static enum kesu_rc run(struct kesu_purge_cmd *x, struct kesu_err *err)
{
	if (x->m->family == KESU_PF_NVME_FORMAT)
		return run_format(x, err);
	struct kesu_purge_step *st = x->step;
	struct kesu_nvme_sanitize_args a = {0};
	a.sanact = x->m->action == KESU_PA_CRYPTO ? KESU_NVME_SANACT_CRYPTO :
		   x->m->action == KESU_PA_BLOCK ? KESU_NVME_SANACT_BLOCK : KESU_NVME_SANACT_OVERWRITE;
	if (a.sanact == KESU_NVME_SANACT_OVERWRITE) {
		a.owpass = 1;
		a.pattern = 0;
		/* Keep the pattern readable where the controller allows it. */
		a.ndas = !(x->c->nvme.ctrl.sanicap & SANICAP_NO_DEALLOC_INHIBIT);
	}
	struct kesu_nvme_cmd cmd;
	char st_text[48];
	kesu_nvme_sanitize_cmd(&cmd, &a);
	snprintf(st->command, sizeof(st->command), "NVMe Sanitize (SANACT=%u)", (unsigned)a.sanact);
	snprintf(st->opcode, sizeof(st->opcode), "0x%02x", KESU_NVME_OP_SANITIZE);
	x->started = true;
	int rc = kesu_nvme_admin(x->t, &cmd);
	kesu_nvme_status_describe(rc, st_text, sizeof(st_text));
	if (kesu_errno_gone(-rc))
		return kesu_fail(err, KESU_ERR_GONE, -rc, "the device disappeared when Sanitize was sent");
	if (rc != 0) {
		snprintf(st->status, sizeof(st->status), "%s", st_text);
		st->completion = json_pack("{s:s}", "status", st_text);
		return kesu_fail(err, KESU_ERR_FAILED, rc < 0 ? -rc : 0,
				 "the controller refused Sanitize (%s)", st_text);
	}
	return poll_sanitize(x, (unsigned)a.sanact, err);
}

const struct kesu_purge_driver kesu_purge_nvme = {supports, refuses, plan, run};
