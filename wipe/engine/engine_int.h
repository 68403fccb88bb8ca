/* The engine's state during one run, shared by its synchronous loop
 * (engine.c) and its queued one (engine_queue.c).  Internal to
 * wipe/engine/. */
#ifndef KESU_ENGINE_INT_H
#define KESU_ENGINE_INT_H

#include "wipe/engine/engine.h"
#include "wipe/engine/engine_gen.h"
#include "wipe/engine/sampling.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Consecutive chunks in which not one block could be written or read before
 * the device is declared dead instead of retrying it block by block. */
#define DEAD_CHUNKS 8

struct ctx {
	struct kesu_target *t;
	struct kesu_wipe *w;
	const struct kesu_engine_opts *o;
	size_t chunk;
	uint8_t *bufs[NSLOT];
	uint8_t *rbufs[NSLOT]; /* read-ahead slots for verification */
	/* The queued path's slots (nqslot of them), over the same region:
	 * writes and reads never run at once, so they share it. */
	uint8_t *qbufs[GEN_SLOTS_MAX];
	size_t nqslot;
	unsigned qd;           /* > 1: the queued path is set up */
	uint8_t *region;       /* every slot, one allocation */
	/* A queue that failed with requests in flight: the kernel may still
	 * write into the region, so it is never given back. */
	bool region_in_use;
	uint8_t *bounce; /* one block, aligned: the contract wants 4096-aligned buffers */
	/* A pattern pass's bytes from medium offset 0, TILE + KESU_PATTERN_MAX
	 * long: verifying a pattern compares what was read against this small,
	 * cache-resident copy instead of a generated chunk. */
	uint8_t tile[TILE + KESU_PATTERN_MAX];
	uint8_t piece[TILE];            /* a random pass's expected bytes, piecewise */
	struct kesu_stream *vstream;    /* the random pass being verified */
	struct timespec t0, last_ckpt;
	uint64_t run_done;
	uint64_t phase_done, phase_total;
	bool dead_run;           /* the last reads or writes all failed */
	uint64_t dead_from;      /* medium offset where they began to */
	uint64_t pass_failed_bytes;
	struct kesu_sample_plan plan;
	bool have_plan;
	bool ckpt_due;           /* queued path: a periodic checkpoint is due */
};

bool eng_stop_requested(const struct ctx *c);
void eng_set_fatal(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* False (and the wipe marked fatal) if the device is gone or resized. */
bool eng_device_still_there(struct ctx *c);
/* buf went to [off, off+len) with result r: count it, or retry it block
 * by block and record what fails. */
void eng_write_result(struct ctx *c, const uint8_t *buf, uint64_t off, size_t len, ssize_t r);
/* got/r: what was read for [off, off+len); scratch: a free chunk. */
void eng_verify_chunk(struct ctx *c, uint8_t *scratch, const uint8_t *got, ssize_t r,
		      uint64_t off, size_t len);
enum kesu_rc eng_verify_begin(struct ctx *c, struct kesu_err *err);
/* The run record names the library of a stream this invocation used. */
void eng_note_stream(struct ctx *c, const struct kesu_stream *s);
void eng_verify_end(struct ctx *c);
/* A flush ended with r (0 or -errno) `after` something: false, and the
 * run fatal with the cause named, when it failed. */
bool eng_flush_result(struct ctx *c, int r, const char *after);
/* [off, off+len) is finished, and so is everything of the phase before it:
 * the offset, progress and (when due) a checkpoint move past it; on the
 * queued path a periodic checkpoint of a write phase only sets ckpt_due. */
void eng_chunk_done(struct ctx *c, uint64_t off, size_t len);

/* One phase on the queued path: up to c->qd requests in flight. */
enum kesu_rc eng_run_phase_queued(struct ctx *c, const struct kesu_sample *ranges,
				  size_t nranges, struct kesu_err *err);

#endif
