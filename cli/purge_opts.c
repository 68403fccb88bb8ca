#include "cli/purge_opts.h"

enum { OPT_USB, OPT_HIDDEN, OPT_PSID, OPT_THEN };

const struct kesu_opt kesu_purge_opt_table[] = {
	[OPT_USB] = {"allow-usb-bridge", 0, NULL, N_("send firmware purge commands through a USB bridge")},
	[OPT_HIDDEN] = {"unlock-hidden", 0, NULL, N_("restore HPA/DCO hidden sectors before a purge")},
	[OPT_PSID] = {"psid-file", 0, "FILE", N_("PSID from the drive label (opal-psid-revert)")},
	[OPT_THEN] = {"then", 0, "METHOD", N_("an overwrite method to run after a purge")},
	KESU_OPT_END,
};

void kesu_purge_opt_apply(struct kesu_purge_wipe_opts *p, const struct kesu_opt *opt,
			  const char *arg)
{
	switch (KESU_OPT_ID(opt, kesu_purge_opt_table)) {
	case OPT_USB: p->allow_usb_bridge = true; break;
	case OPT_HIDDEN: p->unlock_hidden = true; break;
	case OPT_PSID: p->psid_file = arg; break;
	case OPT_THEN: p->then = arg; break;
	}
}
