/* kesu wipe with a firmware purge method: the glue between cmd_wipe.c
 * (plan, gate, exclusive open, threads, run record) and purge.c.  A purge
 * run is a kesu_wipe without passes (or with the passes of --then METHOD,
 * run by the engine after a purge that ended erased) plus the run record's
 * "firmware" object. */
#ifndef KESU_PURGE_WIPE_H
#define KESU_PURGE_WIPE_H

#include "wipe/engine/engine.h"
#include "lib/identity.h"
#include "wipe/firmware/purge.h"
#include "wipe/firmware/transport.h"

#include <getopt.h>
#include <jansson.h>

struct kesu_purge_wipe_opts {
	const char *method;      /* a purge method name; NULL: not a purge run */
	bool allow_usb_bridge;
	bool unlock_hidden;
	const char *psid_file;
	const char *then;        /* overwrite method to run after the purge */
	char psid[256];
};

/* True if name is a firmware purge method ("purge", "nvme-sanitize-crypto",
 * ...): then p->method is set, the purge options are checked (a readable
 * PSID file, --then naming an overwrite method) and *then gets that method
 * or NULL.  Purge options without a purge method are a usage error. */
enum kesu_rc kesu_purge_wipe_select(struct kesu_purge_wipe_opts *p, const char *name,
				    const struct kesu_method **then, bool *is_purge,
				    struct kesu_err *err);

/* A wipe for a purge run: the --then method's passes, or none. */
enum kesu_rc kesu_purge_wipe_init(struct kesu_wipe *w, const struct kesu_purge_wipe_opts *p,
				  const struct kesu_method *then, struct kesu_err *err);

/* Before the plan is shown: open the device's pass-through, discover what
 * it supports and refuse (NOTSUP / REFUSED, with the reason and the fix)
 * what cannot run.  Only read-only commands are sent. */
enum kesu_rc kesu_purge_wipe_precheck(const struct kesu_identity *id,
				      const struct kesu_purge_wipe_opts *p,
				      struct kesu_err *err);

/* Other namespaces of the NVMe controller that `name` (nvme0n1) belongs to,
 * found in block_dir (/sys/block): "nvme0n2 nvme0n3" into out, or "".
 * Sanitize, and Format where FNA says so, erase those too. */
void kesu_nvme_sibling_namespaces(const char *block_dir, const char *name, char *out,
				  size_t outsz);

/* kesu_purge_wipe_run on an already opened transport (tests use models). */
enum kesu_rc kesu_purge_wipe_run_on(struct kesu_transport *tr, const struct kesu_identity *id,
				    struct kesu_target *t, const struct kesu_purge_wipe_opts *p,
				    struct kesu_wipe *w, json_t **firmware, kesu_progress_fn fn,
				    void *ud, atomic_int *stop, struct kesu_err *err);

/* Open the device's pass-through, discover, run the purge and its
 * verification on t; fill w (result, reason, times, verification) and
 * *firmware (new reference).  Progress goes to fn like the engine's.  When
 * --then was given and the purge erased, the caller runs the engine next. */
enum kesu_rc kesu_purge_wipe_run(const struct kesu_identity *id, struct kesu_target *t,
				 const struct kesu_purge_wipe_opts *p, struct kesu_wipe *w,
				 json_t **firmware, kesu_progress_fn fn, void *ud,
				 atomic_int *stop, struct kesu_err *err);

#endif
