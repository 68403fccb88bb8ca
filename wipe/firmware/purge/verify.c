#include "wipe/firmware/purge/verify.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (64u * 1024)
#define DIG 16

const char *kesu_purge_check_name(enum kesu_purge_check k)
{
	switch (k) {
	case KESU_CHECK_ZEROS: return "zeros";
	case KESU_CHECK_ONES: return "ones";
	case KESU_CHECK_UNIFORM: return "zeros-or-ones";
	case KESU_CHECK_CHANGED: return "changed";
	case KESU_CHECK_CHANGED_OR_BLANK: return "changed-or-blank";
	}
	return "?";
}

bool kesu_purge_check_needs_before(enum kesu_purge_check k)
{
	return k == KESU_CHECK_CHANGED || k == KESU_CHECK_CHANGED_OR_BLANK;
}

static void digest(const uint8_t *p, size_t len, uint8_t out[DIG])
{
	uint8_t full[32];
	unsigned int l = 0;
	EVP_Digest(p, len, full, &l, EVP_sha256(), NULL);
	memcpy(out, full, DIG);
}

static bool uniform(const uint8_t *p, size_t len, uint8_t *val)
{
	if (!len)
		return true;
	uint8_t v = p[0];
	for (size_t i = 1; i < len; i++)
		if (p[i] != v)
			return false;
	if (val)
		*val = v;
	return true;
}

static size_t count_chunks(const struct kesu_sample_plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->count; i++)
		n += (size_t)((p->samples[i].length + CHUNK - 1) / CHUNK);
	return n;
}

enum kesu_rc kesu_purge_sampler_init(struct kesu_purge_sampler *s, struct kesu_target *tgt,
				     uint64_t size, uint64_t seed, struct kesu_err *err)
{
	memset(s, 0, sizeof(*s));
	s->tgt = tgt;
	enum kesu_rc rc = kesu_sampling_plan(size, tgt->block_size, seed, &s->plan, err);
	if (rc != KESU_OK)
		return rc;
	if (posix_memalign((void **)&s->buf, 4096, CHUNK)) {
		s->buf = NULL;
		kesu_sampling_plan_free(&s->plan);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	return KESU_OK;
}

void kesu_purge_sampler_free(struct kesu_purge_sampler *s)
{
	free(s->dig);
	free(s->blank);
	free(s->buf);
	kesu_sampling_plan_free(&s->plan);
	memset(s, 0, sizeof(*s));
}

/* Walk every chunk of every sample; fn gets (chunk index, offset, data). */
typedef void (*chunk_fn)(void *arg, size_t idx, uint64_t off, const uint8_t *p, size_t len);

static enum kesu_rc walk(struct kesu_purge_sampler *s, chunk_fn fn, void *arg,
			 const char *phase, const struct kesu_purge_opts *o,
			 struct kesu_err *err)
{
	struct kesu_target *t = s->tgt;
	int rc = t->ops->drop_cache(t);
	if (kesu_errno_gone(-rc))
		return kesu_fail(err, KESU_ERR_GONE, -rc, "the device disappeared before verification");
	size_t idx = 0;
	for (size_t i = 0; i < s->plan.count; i++) {
		uint64_t off = s->plan.samples[i].offset, left = s->plan.samples[i].length;
		while (left) {
			size_t len = left < CHUNK ? (size_t)left : CHUNK;
			ssize_t n = t->ops->pread(t, s->buf, len, off);
			if (n < 0 && kesu_errno_gone((int)-n))
				return kesu_fail(err, KESU_ERR_GONE, (int)-n,
						 "the device disappeared while verifying at byte %" PRIu64, off);
			if (n != (ssize_t)len)
				return kesu_fail(err, KESU_ERR_IO, n < 0 ? (int)-n : EIO,
						 "verification could not read byte %" PRIu64 " (%s)", off,
						 strerror(n < 0 ? (int)-n : EIO));
			fn(arg, idx, off, s->buf, len);
			idx++;
			off += len;
			left -= len;
		}
		if (o->progress && (i % 64 == 0 || i + 1 == s->plan.count))
			o->progress(o->progress_ctx, phase, (double)(i + 1) / (double)s->plan.count);
	}
	return KESU_OK;
}

static void snap_chunk(void *arg, size_t idx, uint64_t off, const uint8_t *p, size_t len)
{
	(void)off;
	struct kesu_purge_sampler *s = arg;
	digest(p, len, s->dig + idx * DIG);
	s->blank[idx] = uniform(p, len, NULL);
}

enum kesu_rc kesu_purge_sample_before(struct kesu_purge_sampler *s,
				      const struct kesu_purge_opts *o, struct kesu_err *err)
{
	s->nchunks = count_chunks(&s->plan);
	s->dig = calloc(s->nchunks, DIG);
	s->blank = calloc(s->nchunks, 1);
	if (!s->dig || !s->blank)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	return walk(s, snap_chunk, s, "sample-before", o, err);
}

struct check_arg {
	const struct kesu_purge_sampler *s;
	struct kesu_purge_verification *v;
};

static void check_chunk(void *arg, size_t idx, uint64_t off, const uint8_t *p, size_t len)
{
	struct check_arg *a = arg;
	bool ok = true;
	uint8_t v = 0, d[DIG];
	switch (a->v->check) {
	case KESU_CHECK_ZEROS: ok = uniform(p, len, &v) && v == 0x00; break;
	case KESU_CHECK_ONES: ok = uniform(p, len, &v) && v == 0xFF; break;
	case KESU_CHECK_UNIFORM: ok = uniform(p, len, &v) && (v == 0x00 || v == 0xFF); break;
	case KESU_CHECK_CHANGED:
		/* A region that held no data (all 00 or FF) has nothing to
		 * change: unmapped and deallocated blocks read the same
		 * whatever the key, so crypto erase is judged on the regions
		 * that held data, like a block erase. */
	case KESU_CHECK_CHANGED_OR_BLANK:
		digest(p, len, d);
		ok = memcmp(d, a->s->dig + idx * DIG, DIG) != 0 || a->s->blank[idx];
		break;
	}
	a->v->bytes_verified += len;
	if (!ok) {
		if (a->v->first_failure_offset < 0)
			a->v->first_failure_offset = (int64_t)off;
		a->v->chunks_failed++;
	}
}

enum kesu_rc kesu_purge_sample_check(struct kesu_purge_sampler *s,
				     const struct kesu_purge_opts *o,
				     struct kesu_purge_verification *v, struct kesu_err *err)
{
	v->bytes_verified = 0;
	v->chunks_failed = 0;
	v->first_failure_offset = -1;
	struct check_arg a = {s, v};
	enum kesu_rc rc = walk(s, check_chunk, &a, "verify", o, err);
	v->samples = s->plan.count;
	if (rc == KESU_OK)
		v->outcome = v->chunks_failed ? "failed" : "passed";
	return rc;
}
