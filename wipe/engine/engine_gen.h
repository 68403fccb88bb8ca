/* What goes into a chunk before it is written (a pattern, or the random
 * stream), and the synchronous path's helper thread: while the engine
 * writes chunk N it fills chunk N+1, and while it compares chunk N it reads
 * chunk N+1 from the medium.  NSLOT slots turn between them.  The queued
 * path needs no thread: the kernel does its I/O while the engine fills the
 * next slot (engine_queue.c).  Internal to wipe/engine/. */
#ifndef KESU_ENGINE_GEN_H
#define KESU_ENGINE_GEN_H

#include "wipe/engine/engine.h"
#include "wipe/engine/sampling.h"
#include "wipe/engine/stream.h"
#include "wipe/engine/target.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define NSLOT 3
#define TILE (64 * 1024)
/* The queued path's slots: queue_depth in flight, one being filled and one
 * spare, so the generator never waits for the oldest write to finish. */
#define GEN_SLOTS_MAX (KESU_QUEUE_DEPTH_MAX + 2)

struct gen_slot {
	uint8_t *buf;
	uint64_t off;
	size_t len;
	ssize_t r;      /* a reader's pread result */
	/* What a pattern fill left in buf: that pass at that phase and length.
	 * Refilling 4 MiB before every write was a fifth of nist-clear's CPU;
	 * with the chunk a multiple of the period a slot is filled once. */
	const struct kesu_pass *filled_pass;
	size_t filled_phase, filled_len;
};

/* The bytes of one pass, slot by slot. */
struct gen_fill {
	const struct kesu_pass *pass;
	struct kesu_stream *stream;
	uint64_t fail_at; /* kesu_engine_opts.fail_fill_at (tests) */
};

struct gen {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct gen_slot s[GEN_SLOTS_MAX];
	size_t nslot;
	uint64_t prod, cons;
	bool finished, quit;
	struct gen_fill fill;
	/* Set for a read-ahead thread: it reads the medium into the slots
	 * instead of generating data, so comparing chunk N overlaps reading
	 * chunk N+1. */
	struct kesu_target *reader;
	const struct kesu_sample *ranges;
	size_t nranges;
	size_t chunk;
	enum kesu_rc rc;
	struct kesu_err err;
};

/* Set up f for pass `pass` of w (its stream, for a random pass); fail_at
 * is kesu_engine_opts.fail_fill_at. */
enum kesu_rc gen_fill_begin(struct gen_fill *f, const struct kesu_wipe *w, size_t pass,
			    uint64_t fail_at, struct kesu_err *err);
/* Put the pass's bytes for [off, off+len) into s (a pattern slot that holds
 * them already is left alone) and note off and len in it. */
enum kesu_rc gen_fill_slot(struct gen_fill *f, struct gen_slot *s, uint64_t off, size_t len,
			   struct kesu_err *err);
void gen_fill_end(struct gen_fill *f);
/* Walking `ranges` a chunk at a time, from range *ri at *off: false when
 * they are done, else the next chunk's offset (*off) and length (*len);
 * gen_chunk_done moves past it. */
bool gen_next_chunk(const struct kesu_sample *ranges, size_t nranges, size_t chunk,
		    size_t *ri, uint64_t *off, size_t *len);
void gen_chunk_done(const struct kesu_sample *ranges, size_t nranges, size_t *ri,
		    uint64_t *off, size_t len);
/* Start the thread over `ranges` with nslot slots bufs[0..nslot): with
 * `reader` it reads the medium into the slots, otherwise it fills them from
 * `fill` (begun by the caller; the thread owns it from here, also when
 * starting fails). */
enum kesu_rc gen_start(struct gen *g, uint8_t *const *bufs, size_t nslot,
		       struct kesu_target *reader, const struct gen_fill *fill,
		       const struct kesu_sample *ranges, size_t nranges, size_t chunk,
		       struct kesu_err *err);
/* The next filled slot in order, or NULL when the thread has finished. */
struct gen_slot *gen_next(struct gen *g);
/* Hand the oldest slot back to the thread. */
void gen_release(struct gen *g);
/* Stop and join; returns the thread's own failure, if any. */
enum kesu_rc gen_stop(struct gen *g, struct kesu_err *err);

#endif
