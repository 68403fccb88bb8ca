#include "wipe/engine/fingerprint.h"
#include "wipe/engine/stream.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static bool in_bad(const struct kesu_bad_list *l, uint64_t lba)
{
	for (size_t i = 0; i < l->n; i++)
		if (lba >= l->v[i].first_lba && lba - l->v[i].first_lba < l->v[i].count)
			return true;
	return false;
}

static int by_lba(const void *a, const void *b)
{
	const struct kesu_fingerprint_block *x = a, *y = b;
	return x->lba < y->lba ? -1 : x->lba > y->lba;
}

size_t kesu_fingerprint_plan(const struct kesu_wipe *w, uint64_t size, uint32_t block_size,
			     struct kesu_fingerprint_block out[KESU_FINGERPRINT_BLOCKS])
{
	if (!block_size || size < block_size || w->pass >= w->method.npasses)
		return 0;
	uint64_t nblocks = size / block_size;
	uint64_t below = w->phase == KESU_PHASE_VERIFY ? nblocks : w->offset / block_size;
	if (below > nblocks)
		below = nblocks;
	/* Blocks [0, below) hold this pass; [below, nblocks) this pass or the
	 * previous one, which in the first pass is the old content. */
	uint64_t candidates = w->pass > 0 ? nblocks : below;
	if (candidates == 0)
		return 0;
	/* Not the sampling plan's own sequence: the blocks checked here should
	 * not be exactly those the verification samples. */
	uint64_t state = w->sample_seed ^ 0x66696e6765727072ull;
	size_t n = 0;
	for (unsigned tries = 0; n < KESU_FINGERPRINT_BLOCKS && tries < 8 * KESU_FINGERPRINT_BLOCKS;
	     tries++) {
		uint64_t lba = (uint64_t)(((unsigned __int128)splitmix64(&state) * candidates) >> 64);
		if (in_bad(&w->bad, lba))
			continue;
		bool dup = false;
		for (size_t i = 0; i < n && !dup; i++)
			dup = out[i].lba == lba;
		if (dup)
			continue;
		out[n].lba = lba;
		out[n].pass = w->pass;
		out[n].or_prev = lba >= below;
		n++;
	}
	qsort(out, n, sizeof(*out), by_lba);
	return n;
}

/* The bytes pass i wrote at [off, off+len): a pattern, or the pass's
 * stream (created on first use in *s). */
static enum kesu_rc expected(const struct kesu_wipe *w, size_t i, struct kesu_stream **s,
			     uint64_t off, uint8_t *buf, size_t len, struct kesu_err *err)
{
	const struct kesu_pass *p = &w->method.passes[i];
	if (p->kind == KESU_PASS_PATTERN) {
		kesu_pass_fill_pattern(p, off, buf, len);
		return KESU_OK;
	}
	if (!*s) {
		struct kesu_stream_key k;
		kesu_wipe_pass_key(w, i, &k);
		enum kesu_rc rc = kesu_stream_new(&k, s, err);
		explicit_bzero(&k, sizeof(k));
		if (rc != KESU_OK)
			return rc;
	}
	return kesu_stream_fill(*s, off, buf, len, err);
}

enum kesu_rc kesu_fingerprint_check(struct kesu_target *t, const struct kesu_wipe *w,
				    size_t *checked, struct kesu_err *err)
{
	*checked = 0;
	struct kesu_fingerprint_block plan[KESU_FINGERPRINT_BLOCKS];
	size_t n = kesu_fingerprint_plan(w, t->size, t->block_size, plan);
	if (n == 0)
		return KESU_OK;
	uint32_t bs = t->block_size;
	size_t align = bs > 4096 ? bs : 4096;
	uint8_t *got = aligned_alloc(align, align);
	uint8_t *exp = malloc(bs);
	if (!got || !exp) {
		free(got);
		free(exp);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	struct kesu_stream *streams[2] = {NULL, NULL}; /* this pass, the previous one */
	enum kesu_rc rc = KESU_OK;
	/* Read the medium, not what a cache kept of another one. */
	t->ops->drop_cache(t);
	for (size_t i = 0; i < n && rc == KESU_OK; i++) {
		uint64_t off = plan[i].lba * bs;
		ssize_t r = t->ops->pread(t, got, bs, off);
		if (r != (ssize_t)bs) {
			rc = kesu_fail(err, KESU_ERR_REFUSED, r < 0 ? (int)-r : EIO,
				       "block %" PRIu64 " (one of those the interrupted wipe "
				       "wrote) cannot be read back; resuming is refused: start "
				       "a new wipe without --resume",
				       plan[i].lba);
			break;
		}
		rc = expected(w, plan[i].pass, &streams[0], off, exp, bs, err);
		if (rc != KESU_OK)
			break;
		bool same = memcmp(got, exp, bs) == 0;
		if (!same && plan[i].or_prev) {
			rc = expected(w, plan[i].pass - 1, &streams[1], off, exp, bs, err);
			if (rc != KESU_OK)
				break;
			same = memcmp(got, exp, bs) == 0;
		}
		if (!same) {
			rc = kesu_fail(err, KESU_ERR_REFUSED, 0,
				       "block %" PRIu64 " does not hold what the interrupted wipe "
				       "wrote there: this is not the medium the checkpoint was "
				       "made for, or something wrote to it since; resuming is "
				       "refused, start a new wipe without --resume",
				       plan[i].lba);
			break;
		}
		(*checked)++;
	}
	kesu_stream_free(streams[0]);
	kesu_stream_free(streams[1]);
	explicit_bzero(exp, bs);
	free(got);
	free(exp);
	return rc;
}
