/* A spot check of a medium someone else erased: what to read (all of it,
 * or a NIST SP 800-88 sample plus the first and last MiB), what the bytes
 * read hold (region.h, signatures.h), and the verdict.  Everything here but
 * kesu_spot_read is pure; kesu_spot_read does its I/O through target.h so
 * tests can put a memory or fault-injecting medium behind it. */
#ifndef KESU_SPOT_H
#define KESU_SPOT_H

#include "lib/error.h"
#include "wipe/engine/target.h"
#include "wipe/inspect/region.h"
#include "wipe/inspect/signatures.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_SPOT_MAX_FINDINGS 64
#define KESU_SPOT_MAX_UNREADABLE 64
/* Regions are classified in cells of about this size (see spot.c). */
#define KESU_SPOT_CELL (64u << 10)
/* Always read: partition tables at the start, the GPT backup at the end. */
#define KESU_SPOT_EDGE (1u << 20)

struct kesu_spot_range {
	uint64_t offset, length; /* bytes */
};

struct kesu_spot_plan {
	struct kesu_spot_range *ranges; /* sorted, merged, block-aligned */
	size_t count;
	uint64_t total_bytes;
	size_t locations; /* pseudorandom sample locations; 0 for a full read */
	bool full;        /* every byte is read */
	uint64_t seed;
};

/* Every byte, as one range. */
enum kesu_rc kesu_spot_plan_full(uint64_t size, uint32_t block_size,
				 struct kesu_spot_plan *p, struct kesu_err *err);

/* The NIST SP 800-88 sampling plan (wipe/engine/sampling.h) for seed, plus
 * the first and last KESU_SPOT_EDGE bytes.  A medium too small for the
 * plan is read in full (p->full). */
enum kesu_rc kesu_spot_plan_sample(uint64_t size, uint32_t block_size, uint64_t seed,
				   struct kesu_spot_plan *p, struct kesu_err *err);

void kesu_spot_plan_free(struct kesu_spot_plan *p);

/* The smallest fraction of the medium that data must cover to be hit by
 * at least one of k independent uniformly placed sample locations with
 * probability >= confidence: 1 - (1 - confidence)^(1/k).  1.0 for k == 0
 * or a confidence outside (0, 1). */
double kesu_spot_detectable_fraction(size_t k, double confidence);

struct kesu_spot_result {
	uint64_t cells[KESU_REGION_KINDS]; /* cells classified as each kind */
	uint64_t bytes[KESU_REGION_KINDS]; /* and their bytes */
	/* The first findings in reading order ("data" findings are neighbouring
	 * cells of other data, merged); total counts all of them. */
	struct kesu_finding findings[KESU_SPOT_MAX_FINDINGS];
	size_t n_findings;
	uint64_t total_findings;
	/* Unreadable blocks, merged into ranges (bytes, multiples of the block
	 * size); total counts all ranges, unreadable_bytes all bytes. */
	struct kesu_spot_range unreadable[KESU_SPOT_MAX_UNREADABLE];
	size_t n_unreadable;
	uint64_t total_unreadable, unreadable_bytes;
	uint64_t bytes_read;   /* read and inspected */
	bool size_changed;     /* the medium's size differs after the read */
	uint64_t size_after;
	/* the last unreadable and "data" ranges, for merging */
	uint64_t unreadable_end;
	bool have_unreadable;
	uint64_t data_end;
	size_t data_index;     /* KESU_SPOT_MAX_FINDINGS: not stored */
	bool have_data;
};

void kesu_spot_result_init(struct kesu_spot_result *r);

/* Classify and scan buf, the medium's bytes [off, off + len), into r.
 * medium_size places the GPT backup header.  This is what a fuzz target
 * should call: it is every parser of device bytes in one entry point. */
void kesu_spot_inspect(struct kesu_spot_result *r, uint64_t medium_size,
		       const uint8_t *buf, size_t len, uint64_t off);

/* Record [off, off + len) as unreadable (merged with the previous range
 * when they touch). */
void kesu_spot_unreadable(struct kesu_spot_result *r, uint64_t off, uint64_t len);

enum kesu_spot_verdict {
	KESU_SPOT_NO_DATA_FOUND,
	KESU_SPOT_DATA_FOUND,
	KESU_SPOT_INCOMPLETE,
};

/* data-found when anything was found (a finding outranks an incomplete
 * read: it is the stronger statement); otherwise incomplete when blocks
 * were unreadable or the size changed; otherwise no-data-found. */
enum kesu_spot_verdict kesu_spot_verdict(const struct kesu_spot_result *r);
const char *kesu_spot_verdict_name(enum kesu_spot_verdict v);

struct kesu_spot_io {
	/* After each chunk: bytes of the plan done so far, of total. */
	void (*progress)(void *ud, uint64_t done, uint64_t total);
	void *ud;
	const atomic_int *stop; /* non-zero: stop at the next chunk */
};

/* Drop the medium's cache, then read the plan chunk by chunk, inspecting
 * as it goes.  A failed chunk is re-read block by block: the blocks that
 * fail again are recorded as unreadable, never inspected (so never counted
 * as blank).  Errors: KESU_ERR_IO (the cache could not be dropped),
 * KESU_ERR_GONE (the medium disappeared), KESU_ERR_INTERRUPTED (*stop),
 * KESU_ERR_INTERNAL (no memory).  A size change is not an error:
 * r->size_changed. */
enum kesu_rc kesu_spot_read(struct kesu_target *t, const struct kesu_spot_plan *p,
			    const struct kesu_spot_io *io, struct kesu_spot_result *r,
			    struct kesu_err *err);

#endif
