/* Verification of a firmware purge from the medium: the NIST sampling plan
 * is read before the first command (when the check compares) and after
 * each, in 64 KiB chunks, through a kesu_target. */
#ifndef KESU_PURGE_VERIFY_H
#define KESU_PURGE_VERIFY_H

#include "wipe/engine/sampling.h"
#include "wipe/firmware/purge.h"

struct kesu_purge_sampler {
	struct kesu_target *tgt;
	struct kesu_sample_plan plan;
	uint8_t *buf;
	/* Before the purge, per chunk: a digest, and whether it was blank
	 * (all 00 or all FF).  NULL when the check needs no "before". */
	uint8_t *dig, *blank;
	size_t nchunks;
};

/* The plan for a device of size bytes; nothing is read yet. */
enum kesu_rc kesu_purge_sampler_init(struct kesu_purge_sampler *s, struct kesu_target *tgt,
				     uint64_t size, uint64_t seed, struct kesu_err *err);
void kesu_purge_sampler_free(struct kesu_purge_sampler *s);

/* Does check compare with the medium as it was before? */
bool kesu_purge_check_needs_before(enum kesu_purge_check k);

/* Read the samples as they are before the purge. */
enum kesu_rc kesu_purge_sample_before(struct kesu_purge_sampler *s,
				      const struct kesu_purge_opts *o, struct kesu_err *err);

/* Read the samples again and judge them by v->check, filling the rest of
 * v; v->outcome is set only when every sample could be read. */
enum kesu_rc kesu_purge_sample_check(struct kesu_purge_sampler *s,
				     const struct kesu_purge_opts *o,
				     struct kesu_purge_verification *v, struct kesu_err *err);

#endif
