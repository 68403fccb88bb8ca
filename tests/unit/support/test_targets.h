/* Test backends for struct kesu_target: a memory medium, and the same with
 * faults injected at chosen places (write and read errors, silent bit
 * flips, a device that disappears or changes size, failing flushes). */
#ifndef KESU_TEST_TARGETS_H
#define KESU_TEST_TARGETS_H

#include "wipe/engine/target.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* A zero-filled memory medium of size bytes (a multiple of block_size). */
struct kesu_target *mem_target_new(uint64_t size, uint32_t block_size);
uint8_t *mem_target_data(struct kesu_target *t);

struct fault_spec {
	/* Every write / read touching [lba, lba+count) fails with -EIO. */
	uint64_t werr_lba, werr_count;
	uint64_t rerr_lba, rerr_count;
	/* Writes covering these byte offsets store bit 0 flipped there. */
	uint64_t flip_off[8];
	size_t nflip;
	/* After this many successful writes (0: never): I/O fails -ENODEV and
	 * size_now reports the device gone; or size_now reports a new size. */
	long disappear_after_writes;
	long resize_after_writes;
	bool fail_sync, fail_drop_cache;
	long fail_sync_at; /* only this flush (1-based) fails, with -EIO */
	/* The first flush fails with -EIO and the device is gone from then on:
	 * a hot removal that only the flush notices (seen on scsi_debug). */
	bool vanish_at_sync;
	/* Set *stop after this many writes (interruption tests). */
	atomic_int *stop;
	long stop_after_writes;
	/* A queued path (async_depth 0: none, as a plain memory target): up
	 * to async_depth requests held, each doing its I/O -- with the faults
	 * above -- only when it completes, in async_order. */
	unsigned async_depth;
	enum { ASYNC_FIFO, ASYNC_LIFO, ASYNC_SHUFFLE } async_order;
	bool async_setup_fails;          /* setup answers -ENOSYS */
	/* The request starting at this offset moves only half its bytes. */
	bool short_on;
	uint64_t short_off;
};

struct fault_stats {
	long writes, reads, syncs, drops;
	uint64_t max_write_len;
	/* Queued path: most requests held at once; completions that were not
	 * of the oldest request held; short completions made. */
	unsigned max_in_flight;
	long out_of_order, shorts;
	long submits_behind_flush; /* requests started while a flush was held */
	unsigned in_flight; /* now */
	/* Queued path: buffers given to setup; requests whose buffer was not
	 * the one given at their index, or whose index was past them. */
	unsigned buffers_given;
	long unregistered_bufs;
};

struct kesu_target *fault_target_new(uint64_t size, uint32_t block_size,
				     const struct fault_spec *spec);
uint8_t *fault_target_data(struct kesu_target *t);
struct fault_stats *fault_target_stats(struct kesu_target *t);

#endif
