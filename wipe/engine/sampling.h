/* NIST SP 800-88 sampling verification plan: at least 1,000 subsections,
 * in each at least two non-overlapping pseudorandom locations, plus the first
 * and last addressable blocks; each subsection's samples cover at least 5% of
 * it and all samples together at least 10% of the medium.  Pure code: the
 * same (size, block size, seed) always gives the same plan. */
#ifndef KESU_SAMPLING_H
#define KESU_SAMPLING_H

#include "lib/error.h"

#include <stddef.h>
#include <stdint.h>

struct kesu_sample {
	uint64_t offset; /* bytes, a multiple of the block size */
	uint64_t length; /* bytes, a multiple of the block size */
};

struct kesu_sample_plan {
	struct kesu_sample *samples; /* sorted by offset, non-overlapping */
	size_t count;
	size_t subsections;
	uint64_t total_bytes;        /* sum of lengths */
};

/* A device too small for 1,000 subsections of at least 2 blocks each is
 * planned as a full read (one sample covering everything).  Otherwise
 * subsection i of N blocks is blocks [i*N/1000, (i+1)*N/1000), and the plan
 * holds two samples per subsection plus, when not already covered, the first
 * and last blocks.  size_bytes must be a multiple of block_size
 * (KESU_ERR_INVALID otherwise). */
enum kesu_rc kesu_sampling_plan(uint64_t size_bytes, uint32_t block_size,
				uint64_t seed, struct kesu_sample_plan *plan,
				struct kesu_err *err);

void kesu_sampling_plan_free(struct kesu_sample_plan *plan);

#endif
