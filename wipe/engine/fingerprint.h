/* Before a resume: does the medium still hold what the interrupted wipe
 * wrote?  A few blocks of the part already written are read back and
 * compared with the pass data regenerated from the checkpoint's key and
 * patterns.  A medium swapped for another one at the same path (a disk
 * without serial number, a loop device re-attached to another image) or
 * written to since the interruption fails this before kesu writes a byte.
 * It is a quick test, not the proof: the resumed run still reads the whole
 * medium back in its last verification (kesu_wipe_prepare_resume). */
#ifndef KESU_FINGERPRINT_H
#define KESU_FINGERPRINT_H

#include "lib/error.h"
#include "wipe/engine/engine.h"
#include "wipe/engine/target.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_FINGERPRINT_BLOCKS 32

struct kesu_fingerprint_block {
	uint64_t lba;
	size_t pass;   /* 0-based pass whose data the block holds */
	bool or_prev;  /* or pass - 1's: above the checkpoint's offset the
			* interrupted run may or may not have written already */
};

/* Pure: up to KESU_FINGERPRINT_BLOCKS blocks whose content the wipe's
 * state determines, sorted by LBA, chosen pseudorandomly from the wipe's
 * sampling seed (the same state gives the same blocks), none in a bad
 * range.  Below the offset of the pass in progress a block holds that
 * pass's data; above it, the previous pass's or (when a run was killed
 * after its last checkpoint) this pass's; in the first pass above the
 * offset nothing is known, and before any write nothing is planned (0). */
size_t kesu_fingerprint_plan(const struct kesu_wipe *w, uint64_t size, uint32_t block_size,
			     struct kesu_fingerprint_block out[KESU_FINGERPRINT_BLOCKS]);

/* Read the planned blocks through t and compare.  KESU_OK when each holds
 * what it should (*checked: how many were compared); KESU_ERR_REFUSED,
 * naming the first block that differs or cannot be read, otherwise. */
enum kesu_rc kesu_fingerprint_check(struct kesu_target *t, const struct kesu_wipe *w,
				    size_t *checked, struct kesu_err *err);

#endif
