/* The overwrite engine: runs a method's passes over a target in large
 * chunks, verifies from the medium, retries failed chunks block by block,
 * records bad ranges, and classifies the outcome.  All I/O goes through
 * struct kesu_target, so tests can put a memory or fault-injecting backend
 * behind it.  The engine never prints; the caller gets progress through a
 * callback and the final state in struct kesu_wipe. */
#ifndef KESU_ENGINE_H
#define KESU_ENGINE_H

#include "lib/error.h"
#include "wipe/engine/method.h"
#include "wipe/engine/stream.h"
#include "wipe/engine/target.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* 2 MiB: one huge page per request slot.  Against 4 MiB, four devices in
 * one run went from 0.78 to 0.91 of four parallel dd's throughput on tmpfs
 * (paired runs, docs/BENCHMARKS.md) and a device's buffers halve.  A
 * drive still gets whole commands: the block layer splits requests at the
 * queue's max_sectors_kb, which is 1280 KiB on most SATA and SAS disks. */
#define KESU_CHUNK_DEFAULT (2u << 20)
/* Requests in flight per device on the queued path (io_uring).  1 is the
 * synchronous path: one request at a time, pread/pwrite. */
#define KESU_QUEUE_DEPTH_DEFAULT 4
#define KESU_QUEUE_DEPTH_MAX 16
/* Past this many distinct bad ranges the medium is treated as failed: the
 * list has to stay small enough for a record and a certificate. */
#define KESU_BAD_RANGES_MAX 4096

enum kesu_bad_op { KESU_BAD_WRITE, KESU_BAD_READ, KESU_BAD_VERIFY };

struct kesu_bad_range {
	uint64_t first_lba; /* in units of the target's logical block size */
	uint64_t count;
	enum kesu_bad_op op;
};

struct kesu_bad_list {
	struct kesu_bad_range *v; /* sorted by first_lba, then op */
	size_t n, cap;
};

const char *kesu_bad_op_name(enum kesu_bad_op op);
bool kesu_bad_op_parse(const char *s, enum kesu_bad_op *out);

/* Add [lba, lba+count) for op, merging with overlapping or adjacent ranges
 * of the same op.  Fails (KESU_ERR_FAILED) past KESU_BAD_RANGES_MAX. */
enum kesu_rc kesu_bad_add(struct kesu_bad_list *l, uint64_t lba, uint64_t count,
			  enum kesu_bad_op op, struct kesu_err *err);
/* Distinct blocks covered by any range, whatever the operation. */
uint64_t kesu_bad_blocks(const struct kesu_bad_list *l);
void kesu_bad_free(struct kesu_bad_list *l);

enum kesu_result {
	KESU_RESULT_ERASED,
	KESU_RESULT_EXCEPTIONS, /* "erased-with-exceptions" */
	KESU_RESULT_FAILED,
	KESU_RESULT_INTERRUPTED,
};
const char *kesu_result_name(enum kesu_result r);

enum kesu_verify_outcome {
	KESU_VERIFY_PASSED,
	KESU_VERIFY_FAILED,     /* read back, and some blocks did not match */
	KESU_VERIFY_SKIPPED,    /* --verify=none */
	KESU_VERIFY_INCOMPLETE, /* did not run to the end, or blocks unreadable */
};
const char *kesu_verify_outcome_name(enum kesu_verify_outcome o);

/* Everything the verdict depends on, gathered by the engine. */
struct kesu_outcome_facts {
	bool interrupted;
	bool fatal;              /* device gone or resized, flush failed, ... */
	const char *fatal_reason;
	bool all_passes_done;    /* every pass went over the whole medium */
	enum kesu_verify_mode verify_mode;
	enum kesu_verify_outcome verify_outcome;
	uint64_t total_blocks;
	uint64_t bad_blocks;     /* distinct blocks in any bad range */
	uint64_t bytes_expected; /* size x passes */
	uint64_t bytes_written;
};

/* The verdict, a pure function.  `erased` only when every byte of every
 * pass was written, the required verification ran to the end and passed,
 * and there is no bad range and no interruption.  reason gets one line for
 * anything but erased (empty for erased). */
enum kesu_result kesu_wipe_classify(const struct kesu_outcome_facts *f, char *reason,
			       size_t reasonsz);

enum kesu_phase { KESU_PHASE_WRITE, KESU_PHASE_VERIFY, KESU_PHASE_DONE };
const char *kesu_phase_name(enum kesu_phase p);

struct kesu_pass_state {
	time_t started_at, ended_at; /* 0: not started / not ended */
	uint64_t bytes_written;
	uint64_t bytes_verified;     /* read back and found equal */
	uint64_t verify_bad;         /* blocks mismatched or unreadable */
	int verified;                /* -1 not verified, 0 failed, 1 passed */
	/* This pass's share of the wipe's mismatched_blocks and
	 * unreadable_blocks, so a verification started over after a resume
	 * does not count the same blocks twice. */
	uint64_t mismatched, unreadable;
	/* Measured by this process only (a resumed pass counts what it did
	 * after the resume): monotonic time spent writing (including the
	 * flush that ends the pass) and verifying (including the cache drop),
	 * and the bytes moved in that time.  The run record's per-pass rates
	 * come from these, so a phase's speed is kesu's own measurement. */
	uint64_t write_ns, write_timed_bytes;
	uint64_t verify_ns, verify_timed_bytes;
};

/* How this process did its I/O, for the run record: the path, the depth
 * asked for and used, and the memory the I/O buffers took. */
struct kesu_io_info {
	bool queued;               /* io_uring; false: pread/pwrite */
	unsigned queue_depth;      /* requests in flight at most (1: synchronous) */
	unsigned queue_depth_asked;
	bool registered_buffers;
	uint64_t buffer_bytes;     /* I/O buffers of this device */
	char fallback[128];        /* why the queued path was not used, or "" */
	/* The library that made the random stream (kesu_stream_engine_name),
	 * or NULL where this invocation wrote and read no random pass. */
	const char *stream_library;
};

/* One device's erasure: the input (method, key), the position (so an
 * interrupted run can be checkpointed and resumed) and the outcome. */
struct kesu_wipe {
	struct kesu_method method;
	enum kesu_verify_mode verify;
	struct kesu_stream_key key;   /* random pass i uses this key with
					 iv[0] ^= i (kesu_wipe_pass_key) */
	uint64_t sample_seed;

	size_t pass;                  /* 0-based pass in progress */
	enum kesu_phase phase;
	uint64_t offset;              /* medium bytes done in this phase */

	struct kesu_pass_state passes[KESU_PASSES_MAX];
	struct kesu_bad_list bad;
	uint64_t bytes_written, bytes_verified;
	uint64_t verify_planned;      /* bytes the verification was to read */
	uint64_t mismatched_blocks;
	uint64_t unreadable_blocks;   /* read errors during verification */
	bool verify_done;             /* every planned verification finished */

	time_t started_at, ended_at;
	bool resumed;
	bool interrupted, fatal;
	bool device_gone;             /* the fatal cause: the device went away (exit 7) */
	char reason[256];
	enum kesu_result result;
	enum kesu_verify_outcome verify_outcome;
	struct kesu_io_info io;       /* of the last kesu_engine_run */
};

/* A fresh wipe: method copied, verify mode, new key and sampling seed. */
enum kesu_rc kesu_wipe_init(struct kesu_wipe *w, const struct kesu_method *m,
			    enum kesu_verify_mode verify, struct kesu_err *err);
void kesu_wipe_free(struct kesu_wipe *w);
/* Make a wipe loaded from a checkpoint (or stopped) ready to continue.
 * Whatever the checkpoint says, the last pass's verification is started
 * over from the first byte: between the interruption and the resume
 * anything may have written to the part already verified, and the verdict
 * must rest on one read of the whole medium made after the last write. */
void kesu_wipe_prepare_resume(struct kesu_wipe *w);
/* The key for pass index i (0-based). */
void kesu_wipe_pass_key(const struct kesu_wipe *w, size_t i,
			struct kesu_stream_key *out);
/* True if pass i (0-based) is read back under the wipe's verify mode. */
bool kesu_wipe_verifies_pass(const struct kesu_wipe *w, size_t i);

struct kesu_progress {
	size_t pass, npasses;      /* 1-based pass */
	enum kesu_phase phase;
	uint64_t phase_done, phase_total; /* bytes */
	uint64_t done, total;             /* bytes over the whole run */
	double elapsed_s;                 /* of this invocation */
	uint64_t run_done;                /* bytes done by this invocation */
};

typedef void (*kesu_progress_fn)(const struct kesu_progress *p, void *ud);
/* Save the wipe's state; called at a chunk boundary after a sync. */
typedef enum kesu_rc (*kesu_checkpoint_fn)(const struct kesu_wipe *w, void *ud,
					   struct kesu_err *err);

struct kesu_engine_opts {
	size_t chunk_bytes;            /* 0: KESU_CHUNK_DEFAULT */
	atomic_int *stop;              /* non-zero: stop at the next chunk */
	kesu_progress_fn progress;
	void *progress_ud;
	kesu_checkpoint_fn checkpoint;
	void *checkpoint_ud;
	double checkpoint_every_s;     /* 0: only when stopping */
	/* Requests in flight (0 or 1: synchronous).  Above 1 the target's
	 * queued path is used when it has one and it can be set up;
	 * otherwise the synchronous path, and w->io says why. */
	unsigned queue_depth;
	/* Test hook: before reading back the final pass, create this file and
	 * wait until it is removed. */
	const char *pause_before_verify;
	/* Test hook: non-zero makes filling the chunk that holds this offset
	 * fail, as a failure of the crypto library would. */
	uint64_t fail_fill_at;
};

/* Parse a queue depth, 1..KESU_QUEUE_DEPTH_MAX. */
bool kesu_queue_depth_parse(const char *s, unsigned *out);

/* The depth per device when the operator names none: requests in flight
 * across the run about twice the CPUs, but never past
 * KESU_QUEUE_DEPTH_DEFAULT nor below 2 (the next chunk ready while one is
 * written).  Depth buys overlap while a CPU is free; once the devices keep
 * every CPU busy, more requests in flight only add workers and buffers
 * that fall out of the cache: on two CPUs two tmpfs devices' random pass
 * took 0.87x two dd's time at depth 4 and 0.99x at depth 2, four devices
 * 1.07x and 1.15x, while one device was faster at 4 (1.28x against 1.18x).
 * A real drive gets many commands in flight from one request anyway: the
 * block layer splits a 2 MiB chunk at the drive's max_sectors_kb. */
unsigned kesu_queue_depth_for(size_t ndevices, unsigned ncpus);
/* The I/O buffers one device needs at this depth and chunk size: the
 * synchronous path's six chunks (three filled ahead, three read ahead),
 * or depth + 2 chunks on the queued path, whichever is more. */
uint64_t kesu_engine_buffer_bytes(unsigned queue_depth, size_t chunk_bytes);

/* Run (or continue, from w->pass/phase/offset) the wipe on t and classify
 * it into w->result/w->reason.  Faults on the medium are not errors here:
 * they end up in w.  Returns an error only if the engine itself could not
 * work (out of memory, crypto library failure); w->result is then failed. */
enum kesu_rc kesu_engine_run(struct kesu_target *t, struct kesu_wipe *w,
			     const struct kesu_engine_opts *o, struct kesu_err *err);

/* The facts kesu_wipe_classify needs, from a finished (or stopped) wipe. */
void kesu_wipe_facts(const struct kesu_wipe *w, uint64_t size, uint32_t block_size,
		     struct kesu_outcome_facts *f);
/* Compute verify_outcome, result and reason from the wipe's state. */
void kesu_wipe_finish(struct kesu_wipe *w, uint64_t size, uint32_t block_size);

#endif
