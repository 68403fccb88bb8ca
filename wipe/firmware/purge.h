/* Firmware purge: run one purge method through a pass-through transport,
 * poll it to the end with progress and a timeout derived from the drive's
 * own estimates, then verify by NIST sampling through a kesu_target.
 *
 * Where things live (wipe/firmware/purge/):
 *   policy.c   which method "purge" picks and why, what each method needs
 *              and is refused for, its check and time limit (pure);
 *   verify.c   sampling the medium before and after;
 *   nvme.c ata.c scsi.c emmc.c opal.c   one driver per command family
 *              (driver.h): what it supports, how it is checked, how it runs;
 *   hidden.c   restoring ATA hidden areas (HPA, DCO) before a purge.
 * This file's purge.c sends a method's commands in order and keeps the
 * record.  A new method is one row in purge_method.c and, for a new family,
 * one driver.
 *
 * Decisions are pure functions; effects go through the transport and the
 * target, so tests run everything against device models with a fake clock. */
#ifndef KESU_PURGE_H
#define KESU_PURGE_H

#include "lib/clock.h"
#include "lib/error.h"
#include "lib/timefmt.h"
#include "wipe/engine/target.h"
#include "wipe/firmware/capabilities.h"
#include "wipe/firmware/purge_method.h"
#include "wipe/firmware/transport.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef void (*kesu_purge_progress_fn)(void *ctx, const char *phase, double fraction);

struct kesu_purge_opts {
	bool allow_usb_bridge;
	bool unlock_hidden;         /* restore HPA/DCO to the native max first */
	const char *psid;           /* opal-psid-revert: from the drive's label */
	uint64_t seed;              /* sampling plan seed */
	uint32_t poll_ms;           /* 0: 2000 */
	const struct kesu_clock *clock;  /* NULL: real clock */
	kesu_purge_progress_fn progress;
	void *progress_ctx;
	/* Non-zero (a signal): stop waiting for the drive.  The drive goes on
	 * with its sanitize; the run ends failed, saying so. */
	atomic_int *stop;
};

/* How the result of a method is checked after it ran. */
enum kesu_purge_check {
	KESU_CHECK_ZEROS,           /* every sampled byte 0x00 */
	KESU_CHECK_ONES,            /* every sampled byte 0xFF */
	KESU_CHECK_UNIFORM,         /* each sampled chunk all 0x00 or all 0xFF */
	KESU_CHECK_CHANGED,         /* crypto erase: every chunk differs from before */
	KESU_CHECK_CHANGED_OR_BLANK,/* no chunk with real data survived unchanged */
};

struct kesu_purge_choice {
	const struct kesu_purge_method *method; /* NULL: nothing suitable */
	char why[256];
};

/* Pure: the strongest purge the capabilities allow.  Crypto erase first,
 * then block erase on flash (overwrite before block erase on spinning
 * media), Opal PSID revert only when a PSID was given; ATA security erase
 * only on spinning media, where SP 800-88 counts it as Purge. */
void kesu_purge_choose(const struct kesu_caps *c, bool have_psid,
		       struct kesu_purge_choice *out);

/* How a method runs on one device, decided before anything is sent. */
struct kesu_purge_plan {
	enum kesu_purge_check check;
	uint64_t estimate_s;        /* the drive's own estimate; 0: none */
	uint64_t timeout_s;         /* give up waiting for the drive after this */
	const char *nist_category;  /* "purge", or "clear" (security erase on flash) */
	bool all_namespaces;        /* reaches every namespace of the controller */
	/* Known before the run: what the method leaves unerased (eMMC general
	 * purpose partitions); a run that otherwise succeeds ends
	 * erased-with-exceptions saying this.  "" when nothing. */
	char unreached[256];
};

/* Pure: the plan for method m (resolved, not "purge") on this device of
 * size_bytes. */
void kesu_purge_plan(const struct kesu_purge_method *m, const struct kesu_caps *c,
		     uint64_t size_bytes, struct kesu_purge_plan *p);

/* Pure: the check a method gets on this device. */
enum kesu_purge_check kesu_purge_check_for(const struct kesu_purge_method *m,
					   const struct kesu_caps *c);
const char *kesu_purge_check_name(enum kesu_purge_check k);

/* Pure: how long to wait for the method before giving up, in seconds. */
uint64_t kesu_purge_timeout_s(const struct kesu_purge_method *m,
			      const struct kesu_caps *c, uint64_t size_bytes);

/* What the sampling after one command found; a run's result repeats the
 * one that decided it. */
struct kesu_purge_verification {
	enum kesu_purge_check check;
	const char *outcome;        /* "passed" "failed" "incomplete" */
	uint64_t bytes_verified, samples, chunks_failed;
	int64_t first_failure_offset;   /* -1: none */
};

/* One command sent to the drive and the verification after it. */
struct kesu_purge_step {
	const struct kesu_purge_method *method;
	char command[64], opcode[16], status[64];
	json_t *completion;         /* owned */
	char started_at[KESU_TIME_LEN], ended_at[KESU_TIME_LEN];
	double duration_s;
	struct kesu_purge_verification verify;
};

#define KESU_PURGE_STEPS_MAX 2
#define KESU_PURGE_PASSWORD_LEN 40

struct kesu_purge_result {
	bool started;               /* a command that changes the drive was sent */
	char method[48];            /* what ran ("purge" resolved) */
	char requested[48];
	char why[256];              /* why "purge" chose it */
	const char *technique;
	const char *nist_category;  /* "purge", or "clear" (security erase on flash) */
	const char *interface;      /* "nvme" "ata" "scsi" */
	char command[160];          /* "NVMe Sanitize (SANACT=4)"; a chain joins its steps' */
	char opcode[16];
	char status[64];            /* the drive's own completion status */
	json_t *completion;         /* drive-specific details (sanitize log, registers) */
	char started_at[KESU_TIME_LEN], ended_at[KESU_TIME_LEN];
	double duration_s;
	struct kesu_purge_verification verify;
	/* hidden areas */
	uint64_t hpa_sectors, dco_sectors;
	bool hidden_unlocked;
	/* ATA security: the temporary password if it is still set */
	char recovery_password[KESU_PURGE_PASSWORD_LEN];
	/* Every command actually sent, in order: one for a single method, two
	 * for a chain (one if it stopped after the first). */
	size_t nsteps;
	struct kesu_purge_step steps[KESU_PURGE_STEPS_MAX];
	const char *result;         /* "erased" "erased-with-exceptions" "failed" */
	char reason[512];
};

/* Everything kesu_purge_run checks before it sends anything: the method
 * exists and is supported ("purge" resolved into *out, with why), and the
 * device's state allows it (USB bridge, frozen or locked security, running
 * sanitize, PSID present).  No command is sent. */
enum kesu_rc kesu_purge_precheck(const struct kesu_caps *c, const char *method,
				 const struct kesu_purge_opts *o,
				 const struct kesu_purge_method **out, char *why, size_t whysz,
				 struct kesu_err *err);

/* Run `method` ("purge" or a name from purge_method.h) on the device behind
 * t (capabilities c, from kesu_caps_probe) and verify through tgt.
 * A crypto+block chain sends the crypto erase, verifies that every sampled
 * region changed (stopping there if not), then sends the block erase and
 * verifies against the samples taken before the first command; any failure
 * in either step fails the run, the reason naming the step.
 *
 * Before anything is sent: KESU_ERR_NOTSUP (method not supported, with the
 * reason), KESU_ERR_REFUSED (USB bridge, frozen/locked drive, sanitize
 * already running, missing PSID), r->started false.
 * Once started r is always complete: KESU_OK only for result "erased";
 * KESU_ERR_GONE if the device vanished; KESU_ERR_FAILED otherwise, err
 * carrying r->reason. */
enum kesu_rc kesu_purge_run(struct kesu_transport *t, struct kesu_target *tgt,
			    const struct kesu_caps *c, const char *method,
			    const struct kesu_purge_opts *o, struct kesu_purge_result *r,
			    struct kesu_err *err);

/* The run record's "firmware" object (kesu-run-record(5)). */
json_t *kesu_purge_firmware_json(const struct kesu_purge_result *r);

void kesu_purge_result_free(struct kesu_purge_result *r);

#endif
