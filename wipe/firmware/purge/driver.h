/* A purge driver: everything kesu knows about one family of firmware
 * commands (NVMe, ATA, SCSI, eMMC, Opal), behind one struct, so the policy
 * and the chain loop in purge.c never switch on the family.  A method row in
 * purge_method.c names its driver; the driver tells the methods of its
 * family apart by their action (and, where one driver carries two command
 * sets, their family). */
#ifndef KESU_PURGE_DRIVER_H
#define KESU_PURGE_DRIVER_H

#include "wipe/firmware/purge.h"

#include <stdatomic.h>

/* One command (a single method, or one step of a chain) on its way to the
 * drive: what the driver gets, and what it reports back. */
struct kesu_purge_cmd {
	struct kesu_transport *t;
	const struct kesu_caps *c;
	const struct kesu_purge_method *m;
	const struct kesu_purge_opts *o;   /* in a chain, progress names the step */
	const struct kesu_clock *clk;
	uint64_t start_ms, deadline_ms;
	uint32_t poll_ms;
	/* Reported: command, opcode, status and completion go to step. */
	struct kesu_purge_step *step;
	bool started;                      /* a command that changes the drive was sent */
	char recovery_password[KESU_PURGE_PASSWORD_LEN];
};

struct kesu_purge_driver {
	/* Feature bits only: can the device run m at all?  why gets the
	 * reason when it cannot. */
	bool (*supports)(const struct kesu_caps *c, const struct kesu_purge_method *m,
			 char *why, size_t whysz);
	/* Does the device's present state forbid m (frozen, locked, a sanitize
	 * already running)?  KESU_ERR_REFUSED with the remedy, else KESU_OK. */
	enum kesu_rc (*refuses)(const struct kesu_caps *c, const struct kesu_purge_method *m,
				const struct kesu_purge_opts *o, struct kesu_err *err);
	/* What the family knows of m's plan: the check (the caller's default
	 * is changed-or-blank), the drive's estimate, NIST category, reach,
	 * what it leaves unerased.  The caller derives the timeout. */
	void (*plan)(const struct kesu_caps *c, const struct kesu_purge_method *m,
		     struct kesu_purge_plan *p);
	/* Send m and poll it to its end. */
	enum kesu_rc (*run)(struct kesu_purge_cmd *x, struct kesu_err *err);
};

extern const struct kesu_purge_driver kesu_purge_nvme, kesu_purge_ata, kesu_purge_scsi,
	kesu_purge_emmc, kesu_purge_opal;

/* The names drivers use in "needs an X device, this one is Y". */
const char *kesu_purge_interface_name(const struct kesu_caps *c);

/* ---- for the drivers' polling loops ---- */

#define KESU_PURGE_STOPPED_MSG "kesu was stopped by a signal while the drive was still working; the drive goes on with it on its own: leave it powered, let it finish and run the purge again to verify"

static inline void kesu_purge_progress(const struct kesu_purge_cmd *x, const char *phase,
				       double f)
{
	if (x->o->progress)
		x->o->progress(x->o->progress_ctx, phase, f);
}

static inline bool kesu_purge_stopped(const struct kesu_purge_opts *o)
{
	return o->stop && atomic_load(o->stop);
}

static inline void kesu_purge_sleep(const struct kesu_purge_cmd *x)
{
	x->clk->sleep_ms(x->clk->ctx, x->poll_ms);
}

/* The drive is still at it: report progress (f, or no percentage when
 * f < 0), then KESU_OK to poll again, or a failure when kesu was stopped
 * or the time limit passed ("<what> did not finish within N s; the <noun>
 * may still be working..."). */
enum kesu_rc kesu_purge_still_running(struct kesu_purge_cmd *x, const char *phase, double f,
				      bool show_percent, const char *what, const char *noun,
				      struct kesu_err *err);

/* The whole time limit for one blocking command, in ms, as an ioctl timeout. */
uint32_t kesu_purge_cmd_timeout_ms(const struct kesu_purge_cmd *x);

#endif
