/* TCG Opal purge driver: PSID revert, which on a self-encrypting drive
 * replaces the media key.  The kernel's sed-opal code sends it, over NVMe
 * or SCSI alike. */
#include "wipe/firmware/purge/driver.h"
#include "wipe/firmware/opal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool supports(const struct kesu_caps *c, const struct kesu_purge_method *m,
		     char *why, size_t whysz)
{
	(void)m;
	if (!c->opal.queried) {
		snprintf(why, whysz, "the device did not answer TCG Level 0 discovery: not a self-encrypting drive");
		return false;
	}
	if (!kesu_opal_revert_is_crypto_erase(&c->opal)) {
		snprintf(why, whysz, "the drive's TCG SSC (%s) has no media encryption, so a PSID revert erases nothing",
			 kesu_opal_ssc_name(&c->opal) ? kesu_opal_ssc_name(&c->opal) : "none");
		return false;
	}
	return true;
}

static enum kesu_rc refuses(const struct kesu_caps *c, const struct kesu_purge_method *m,
			    const struct kesu_purge_opts *o, struct kesu_err *err)
{
	(void)c;
	(void)m;
	if (!o->psid || !o->psid[0])
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "opal-psid-revert needs the PSID printed on the drive's label (--psid-file FILE)");
	return KESU_OK;
}

static void plan(const struct kesu_caps *c, const struct kesu_purge_method *m,
		 struct kesu_purge_plan *p)
{
	(void)c;
	(void)m;
	p->check = KESU_CHECK_CHANGED;
}

static enum kesu_rc run(struct kesu_purge_cmd *x, struct kesu_err *err)
{
	struct kesu_purge_step *st = x->step;
	struct kesu_transport *t = x->t;
	const char *psid = x->o->psid;
	snprintf(st->command, sizeof(st->command), "TCG Opal PSID revert (IOC_OPAL_PSID_REVERT_TPR)");
	snprintf(st->opcode, sizeof(st->opcode), "ioctl");
	x->started = true;
	int rc = t->ops->opal_psid_revert ? t->ops->opal_psid_revert(t, psid, strlen(psid))
					  : -EOPNOTSUPP;
	snprintf(st->status, sizeof(st->status), "%s", rc == 0 ? "reverted" : strerror(-rc));
	st->completion = json_pack("{s:i}", "errno", (json_int_t)(rc < 0 ? -rc : 0));
	if (rc == 0)
		return KESU_OK;
	return kesu_fail(err, kesu_errno_gone(-rc) ? KESU_ERR_GONE : KESU_ERR_FAILED, -rc,
			 "PSID revert failed (%s)%s", strerror(-rc),
			 rc == -EACCES || rc == -EPERM ? "; check the PSID on the drive label" : "");
}

const struct kesu_purge_driver kesu_purge_opal = {supports, refuses, plan, run};
