/* The engine's helper thread: while the engine writes chunk N it fills
 * chunk N+1 (a pattern, or the random stream), and while it compares chunk
 * N it reads chunk N+1 from the medium.  NSLOT slots turn between them.
 * Internal to wipe/engine/. */
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

struct gen {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct gen_slot s[GEN_SLOTS_MAX];
	size_t nslot;
	uint64_t prod, cons;
	bool finished, quit;
	const struct kesu_pass *pass;
	struct kesu_stream *stream;
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

/* Start the thread over `ranges` with nslot slots bufs[0..nslot): with
 * `reader` it reads the medium into the slots, otherwise it generates pass
 * `pass` of w. */
enum kesu_rc gen_start(struct gen *g, uint8_t *const *bufs, size_t nslot,
		       struct kesu_target *reader,
		       const struct kesu_wipe *w, size_t pass, const struct kesu_sample *ranges,
		       size_t nranges, size_t chunk, struct kesu_err *err);
/* The next filled slot in order, or NULL when the thread has finished. */
struct gen_slot *gen_next(struct gen *g);
/* The slot of the idx-th chunk (counted from 0 over the whole phase),
 * which must not have been released: NULL when the thread finished before
 * filling it, or, with block false, when it is not filled yet.  The queued
 * path submits several slots before it releases the oldest. */
struct gen_slot *gen_peek(struct gen *g, uint64_t idx, bool block);
/* Hand the oldest slot back to the thread. */
void gen_release(struct gen *g);
/* Stop and join; returns the thread's own failure, if any. */
enum kesu_rc gen_stop(struct gen *g, struct kesu_err *err);

#endif
