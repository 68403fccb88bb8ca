/* One device's wipe from probe to register line, for every front end:
 * `kesu wipe` drives N devices through it at once, `kesu station` starts
 * and finishes each one as disks are plugged and pulled.  This is where
 * wipe/ and certs/ meet, and it prints nothing and parses no argv: what the
 * operator should see goes to the observer, failures come back as a kesu_rc
 * with a struct kesu_err, and the front end decides what to show.
 *
 * One device's life, each step for that device alone:
 *   kesu_session_device_new   nothing touched yet
 *   kesu_session_prepare      probe, gate, method or checkpoint; nothing written
 *                             (kesu_session_prepare_all: many devices at once)
 *   kesu_session_set_asset    (opts->asset_per_device) this device's asset number
 *   kesu_session_open         the exclusive open (and a resume's fingerprint)
 *   kesu_session_arm          records directory checked, health log read,
 *                             first checkpoint (kesu_session_arm_all: many)
 *   kesu_session_start        the device's own thread erases
 *   kesu_session_interrupt    (any time) stop at the next chunk, checkpointed
 *   kesu_session_join         wait for the thread
 *   kesu_session_finish       checkpoint kept or removed, run record,
 *                             certificate, register line
 *   kesu_session_device_free
 * A step called out of order is KESU_ERR_INTERNAL and touches nothing.
 * The I/O is the target that `open` returns (struct kesu_session_opts), so
 * tests run whole sessions on a memory or fault-injecting target. */
#ifndef KESU_SESSION_H
#define KESU_SESSION_H

#include "certs/document/issue.h"
#include "lib/error.h"
#include "lib/identity.h"
#include "wipe/device/device.h"
#include "wipe/device/gate.h"
#include "wipe/device/medium_binding.h"
#include "wipe/engine/engine.h"
#include "wipe/engine/progress.h"
#include "wipe/engine/run_record.h"
#include "wipe/engine/target.h"
#include "wipe/station/assets.h"
#include "wipe/firmware/purge_wipe.h"

#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct kesu_session_device;

/* Opens the device at path for erasure (kesu_target_open_path unless a
 * test puts a model there). */
typedef enum kesu_rc (*kesu_session_open_fn)(const char *path, void *ud,
					     struct kesu_target **out,
					     struct kesu_err *err);

/* What every device of one session shares; the caller keeps it alive
 * until the last device is freed. */
struct kesu_session_opts {
	const char *state_dir;            /* checkpoints */
	const char *out_dir;              /* run records */
	bool resume;                      /* continue from the checkpoint */
	const struct kesu_method *method; /* a new wipe's overwrite (NULL: a purge alone) */
	enum kesu_verify_mode verify;
	bool verify_given;                /* else the method's own mode */
	const struct kesu_purge_wipe_opts *purge; /* NULL or method NULL: no purge */
	struct kesu_issuer *issuer;       /* NULL: no certificate */
	/* What the command line said about the certificate: a resume may only
	 * repeat what the interrupted run was started with. */
	const struct kesu_cert_info *given;
	/* Test hook (the engine's): "<this>.<device name>" per device. */
	const char *pause_before_verify;
	kesu_session_open_fn open;        /* NULL: kesu_target_open_path */
	void *open_ud;
	double checkpoint_every_s;        /* 0: every 5 s */
	unsigned queue_depth;             /* engine requests in flight; 0: 1 */
	/* Each device's asset number comes from kesu_session_set_asset after
	 * prepare (and the approval is checked against it there): open
	 * refuses a device that was given none. */
	bool asset_per_device;
};

/* What a front end hears.  Any member may be NULL.  progress, phase and
 * ended come from the device's thread: they must be quick and thread-safe.
 * d is the device being reported on; only its documented fields may be
 * read while its thread runs (id, name, run_id). */
struct kesu_session_observer {
	/* About every chunk, and as each phase ends. */
	void (*progress)(struct kesu_session_device *d, const struct kesu_progress *p,
			 void *ud);
	/* A new pass or phase (write, verify, done) has begun. */
	void (*phase)(struct kesu_session_device *d, const struct kesu_progress *p,
		      void *ud);
	/* Something the operator should know that does not stop this device
	 * (a checkpoint that could not be saved, an engine error, a replaced
	 * interrupted wipe), one line, already cleaned: note->msg in English
	 * (event JSON, logs), kesu_err_text(note) for a person. */
	void (*notice)(struct kesu_session_device *d, const struct kesu_err *note, void *ud);
	/* The device's thread is about to return: kesu_session_join will not
	 * wait. */
	void (*ended)(struct kesu_session_device *d, void *ud);
	/* kesu_session_finish is done; rc is what it returns. */
	void (*device_done)(struct kesu_session_device *d, enum kesu_rc rc, void *ud);
	void *ud;
};

struct kesu_session_device {
	/* From kesu_session_prepare (read-only for callers). */
	const char *path;                 /* as given; borrowed */
	struct kesu_device *dev;
	const struct kesu_identity *id;   /* NULL until probed */
	char name[64];                    /* cleaned short name, for display */
	struct kesu_gate_verdict gate;    /* why a KESU_ERR_REFUSED prepare refused */
	struct kesu_medium_binding binding;
	json_t *before;                   /* contents before the first write, or NULL */
	struct kesu_wipe w;               /* the plan, then (after join) the outcome */
	bool have_wipe;
	char run_id[KESU_RUN_ID_LEN];
	char resumed_from[KESU_RUN_ID_LEN]; /* "" unless a resume */
	struct kesu_target *t;            /* from kesu_session_open */

	/* From kesu_session_join / finish. */
	enum kesu_rc engine_rc;           /* the engine itself could not work */
	struct kesu_err engine_err;
	char record_path[PATH_MAX];       /* "" if none was written */
	char cert_path[PATH_MAX];         /* "" if no certificate was written */
	/* The certificate was signed and registered as asked (a missing
	 * timestamp token aside).  A cert_path without it is a file that
	 * is not in the register: never to be shown as proof. */
	bool cert_issued;
	json_t *firmware;                 /* the record's "firmware" object, or NULL */
	/* The drive's health log before the first write and after the run
	 * (wipe/firmware/health.h), or NULL when not read. */
	json_t *health_before, *health_after;

	/* The rest is the session's own. */
	const struct kesu_session_opts *opts;
	const struct kesu_session_observer *obs;
	struct kesu_host host;            /* probed when armed, as the run starts */
	struct kesu_cert_info cert_info;  /* what this device's certificate says */
	json_t *cert_json;                /* the same, kept in the checkpoint */
	char pause_path[PATH_MAX];
	atomic_int own_stop, *stop;
	pthread_t th;
	bool started, joined, ckpt_warned, asset_set;
	pthread_mutex_t mu;               /* guards prog, have_prog, done */
	struct kesu_progress prog;
	bool have_prog, done;
	/* Notices held while kesu_session_prepare_all runs. */
	bool holding;
	struct kesu_err *held;
	size_t n_held;
};

/* A device to erase at path; opts and obs are borrowed.  NULL when out of
 * memory. */
struct kesu_session_device *kesu_session_device_new(const char *path,
						    const struct kesu_session_opts *opts,
						    const struct kesu_session_observer *obs);
/* Joins a started thread first (after interrupting it). */
void kesu_session_device_free(struct kesu_session_device *d);

/* Probe, gate and plan (a new wipe's method, or the checkpoint of an
 * interrupted one and the certificate details it was started with).
 * Nothing is opened for writing.  KESU_ERR_REFUSED: the gate said no, and
 * d->gate says why. */
enum kesu_rc kesu_session_prepare(struct kesu_session_device *d, struct kesu_err *err);

/* kesu_session_prepare for n devices at once, each in a thread of its own
 * (16 at most run together): probing is mostly waiting on the medium
 * (libblkid's reads, a disk's seeks to its end, a drive's identify),
 * which one device after another adds up over a shelf of disks.  The
 * observer hears each device's notices afterwards, in the order of ds and
 * only up to the first device that failed, as if they had been prepared
 * one by one; that device's index goes to *failed (n when none failed, or
 * when no memory was left to start) and its error to err. */
enum kesu_rc kesu_session_prepare_all(struct kesu_session_device **ds, size_t n,
				      size_t *failed, struct kesu_err *err);

/* After prepare, before open (with opts->asset_per_device): the asset
 * number this device's certificate names ("" for none) and the class,
 * reason and customer an asset map gives it (0 or "" for none: the
 * command line's stand).  A new wipe's details are checked in full with
 * them, with the [policy] for this device's class, and the signed
 * approval, if any, must cover it; a resume's must equal the
 * checkpoint's. */
enum kesu_rc kesu_session_set_asset(struct kesu_session_device *d,
				    const struct kesu_asset_row *a, struct kesu_err *err);

/* The same medium under two names (a device and a link to it)? */
bool kesu_session_same_medium(const struct kesu_session_device *a,
			      const struct kesu_session_device *b);

/* The same block device or image file given twice, found by stat(2) before
 * anything is probed: true with the first such pair's indices, *first <
 * *second.  Paths that cannot be stat'ed or are neither are left to
 * kesu_session_prepare to report.  Preparing both names at once, each
 * one's exclusive-open check would find the other holding the device and
 * refuse it as busy. */
bool kesu_session_given_twice(struct kesu_session_device *const *ds, size_t n, size_t *first,
			      size_t *second);

/* The exclusive open, held until the device is freed; for a resume, also
 * the check that the medium still holds what the interrupted run wrote. */
enum kesu_rc kesu_session_open(struct kesu_session_device *d, struct kesu_err *err);

/* Check that run records can be kept, then save a first checkpoint, so
 * nothing is written that could neither be proven nor resumed. */
enum kesu_rc kesu_session_arm(struct kesu_session_device *d, struct kesu_err *err);

/* kesu_session_arm for n devices at once, as kesu_session_prepare_all:
 * each drive's health log is read and each first checkpoint saved beside
 * the others', and what is said comes in the order of ds up to the first
 * failure. */
enum kesu_rc kesu_session_arm_all(struct kesu_session_device **ds, size_t n, size_t *failed,
				  struct kesu_err *err);

/* Erase on the device's own thread.  stop: the flag that interrupts it
 * (shared, when one signal stops every device), NULL for the device's own.
 * The thread blocks every signal: they stay with the caller's threads. */
enum kesu_rc kesu_session_start(struct kesu_session_device *d, atomic_int *stop,
				struct kesu_err *err);

/* Ask the erasure to stop at its next chunk boundary; it is checkpointed
 * and ends "interrupted".  From any thread, but not while
 * kesu_session_start runs (start picks the flag). */
void kesu_session_interrupt(struct kesu_session_device *d);

/* Has the thread ended (or never started)? */
bool kesu_session_ended(struct kesu_session_device *d);

/* The latest progress, for a display that polls; false before the first. */
bool kesu_session_snapshot(struct kesu_session_device *d, struct kesu_progress_snap *s);

/* Wait for the device's thread. */
void kesu_session_join(struct kesu_session_device *d);

/* After the join: keep the checkpoint of an interrupted run (remove it
 * otherwise), write the run record, issue, sign and register the
 * certificate.  Returns this device's outcome: KESU_OK only for "erased"
 * with every step done; KESU_ERR_INTERRUPTED, KESU_ERR_FAILED,
 * KESU_ERR_GONE for the result; the step's error when the record or the
 * certificate could not be made (err says which); KESU_ERR_UNSTAMPED when
 * all is done but a timestamp token.  err->msg is "" when there is nothing
 * to report beyond the result. */
enum kesu_rc kesu_session_finish(struct kesu_session_device *d, struct kesu_err *err);

/* Which of two device outcomes a run of several reports. */
enum kesu_rc kesu_session_worst(enum kesu_rc a, enum kesu_rc b);

/* The plain estimate of the whole erasure in seconds, and the rate it
 * assumes (rotating disks ~150 MB/s, others ~400). */
double kesu_session_estimate_s(const struct kesu_session_device *d, double *rate);

#endif
