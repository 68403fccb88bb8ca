/* NIST SP 800-88 Rev.1 sampling verification plan (section 4.7,
 * verification of sanitization results: at least 1,000 subsections, at least two
 * non-overlapping pseudorandom locations in each, the first and last
 * addressable locations, samples of at least 5% of each subsection and at
 * least 10% of the medium).
 *
 * The plan, for N blocks of the given size:
 * - 1,000 subsections; subsection i is blocks [i*N/1000, (i+1)*N/1000)
 *   (integer division), so sizes differ by at most one block;
 * - in each subsection of B blocks two samples of m = max(1, ceil(B/20))
 *   blocks each: every single sample is at least 5% of its subsection and the
 *   two together at least 10%, so the medium as a whole gets at least 10%;
 * - the samples sit at pseudorandom non-overlapping places in the
 *   subsection (splitmix64 from the seed: same inputs, same plan);
 * - the first and last blocks get a sample of their own unless one of the
 *   pseudorandom samples already covers them.
 * A device with fewer than 2,000 blocks cannot hold 1,000 subsections of two
 * blocks; it is planned as one sample covering everything (a full read). */
#include "wipe/engine/sampling.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SUBSECTIONS 1000u

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [0, bound] (bound < 2^64 - 1), by multiply-and-shift. */
static uint64_t below_or_equal(uint64_t *state, uint64_t bound)
{
	return (uint64_t)(((unsigned __int128)splitmix64(state) * (bound + 1)) >> 64);
}

static uint64_t subsection_start(uint64_t nblocks, uint64_t i)
{
	return (uint64_t)((unsigned __int128)nblocks * i / SUBSECTIONS);
}

/* Two random samples in each subsection from slot 1 on, never
 * overlapping; returns the next free slot and adds their blocks to
 * *total_blocks. */
static size_t sample_subsections(struct kesu_sample *s, uint64_t nblocks,
				 uint32_t block_size, uint64_t seed, uint64_t *total_blocks)
{
	uint64_t state = seed;
	size_t n = 1; /* slot 0 is kept for the first block if it is needed */
	for (uint64_t i = 0; i < SUBSECTIONS; i++) {
		uint64_t start = subsection_start(nblocks, i);
		uint64_t len = subsection_start(nblocks, i + 1) - start;
		uint64_t m = (len + 19) / 20;
		if (m == 0)
			m = 1;
		uint64_t free_blocks = len - 2 * m;
		/* Two cut points in the free space: the gaps before, between and
		 * after the samples, so they never overlap and stay inside. */
		uint64_t x = below_or_equal(&state, free_blocks);
		uint64_t y = below_or_equal(&state, free_blocks);
		if (x > y) {
			uint64_t t = x;
			x = y;
			y = t;
		}
		s[n].offset = (start + x) * block_size;
		s[n].length = m * block_size;
		s[n + 1].offset = (start + m + y) * block_size;
		s[n + 1].length = m * block_size;
		n += 2;
		*total_blocks += 2 * m;
	}
	return n;
}

enum kesu_rc kesu_sampling_plan(uint64_t size_bytes, uint32_t block_size,
				uint64_t seed, struct kesu_sample_plan *plan,
				struct kesu_err *err)
{
	memset(plan, 0, sizeof(*plan));
	if (block_size == 0)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "sampling: block size is 0; the device did not report a "
				 "logical block size, use --verify=last");
	if (size_bytes < block_size)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "sampling: %llu bytes is less than one %u-byte block; "
				 "nothing to verify on this target",
				 (unsigned long long)size_bytes, block_size);
	if (size_bytes % block_size)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "sampling: size %llu is not a multiple of the %u-byte block; "
				 "use --verify=last for this target",
				 (unsigned long long)size_bytes, block_size);
	uint64_t nblocks = size_bytes / block_size;

	if (nblocks < 2 * SUBSECTIONS) {
		plan->samples = malloc(sizeof(*plan->samples));
		if (!plan->samples)
			return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
		plan->samples[0].offset = 0;
		plan->samples[0].length = size_bytes;
		plan->count = 1;
		plan->subsections = 1;
		plan->total_bytes = size_bytes;
		return KESU_OK;
	}

	/* two per subsection plus the first and last blocks */
	struct kesu_sample *s = calloc(2 * SUBSECTIONS + 2, sizeof(*s));
	if (!s)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	uint64_t total_blocks = 0;
	/* slot 0 is kept for the first block if it is needed */
	size_t n = sample_subsections(s, nblocks, block_size, seed, &total_blocks);
	size_t first = 1;
	if (s[1].offset != 0) {
		s[0].offset = 0;
		s[0].length = block_size;
		first = 0;
		total_blocks++;
	}
	const struct kesu_sample *last = &s[n - 1];
	if (last->offset + last->length != size_bytes) {
		s[n].offset = size_bytes - block_size;
		s[n].length = block_size;
		n++;
		total_blocks++;
	}
	if (first)
		memmove(s, s + 1, (n - 1) * sizeof(*s));
	plan->samples = s;
	plan->count = n - first;
	plan->subsections = SUBSECTIONS;
	plan->total_bytes = total_blocks * block_size;
	return KESU_OK;
}

void kesu_sampling_plan_free(struct kesu_sample_plan *plan)
{
	if (!plan)
		return;
	free(plan->samples);
	memset(plan, 0, sizeof(*plan));
}
