/* One device's wipe as state: set up from a method (a fresh key and
 * sampling seed), prepared for a resume, and finished into its verdict.
 * The engine moves it forward; the checkpoint saves and restores it. */
#include "wipe/engine/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

enum kesu_rc kesu_wipe_init(struct kesu_wipe *w, const struct kesu_method *m,
			    enum kesu_verify_mode verify, struct kesu_err *err)
{
	memset(w, 0, sizeof(*w));
	if (m->npasses == 0 || m->npasses > KESU_PASSES_MAX)
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "method %s has no passes; pick one from 'kesu methods'",
				 m->name);
	w->method = *m;
	w->verify = verify;
	enum kesu_rc rc = kesu_stream_key_new(&w->key, err);
	if (rc != KESU_OK)
		return rc;
	if (getrandom(&w->sample_seed, sizeof(w->sample_seed), 0) !=
	    (ssize_t)sizeof(w->sample_seed))
		return kesu_fail(err, KESU_ERR_INTERNAL, errno,
				 "getrandom failed: %s", strerror(errno));
	for (size_t i = 0; i < KESU_PASSES_MAX; i++)
		w->passes[i].verified = -1;
	w->phase = KESU_PHASE_WRITE;
	w->result = KESU_RESULT_FAILED;
	w->verify_outcome = KESU_VERIFY_INCOMPLETE;
	return KESU_OK;
}

void kesu_wipe_free(struct kesu_wipe *w)
{
	kesu_bad_free(&w->bad);
	explicit_bzero(&w->key, sizeof(w->key));
}

void kesu_wipe_prepare_resume(struct kesu_wipe *w)
{
	size_t last = w->method.npasses ? w->method.npasses - 1 : 0;
	if (w->phase == KESU_PHASE_VERIFY && w->pass == last && w->offset > 0) {
		/* Forget what this verification had counted; the ranges it
		 * found stay listed, so a resume can never make a bad block
		 * good. */
		struct kesu_pass_state *ps = &w->passes[last];
		w->bytes_verified -= ps->bytes_verified < w->bytes_verified ? ps->bytes_verified
									: w->bytes_verified;
		w->mismatched_blocks -= ps->mismatched < w->mismatched_blocks
						? ps->mismatched
						: w->mismatched_blocks;
		w->unreadable_blocks -= ps->unreadable < w->unreadable_blocks
						? ps->unreadable
						: w->unreadable_blocks;
		ps->bytes_verified = ps->verify_bad = ps->mismatched = ps->unreadable = 0;
		ps->verified = -1;
		w->offset = 0;
	}
	w->verify_done = false;
	w->interrupted = false;
	w->fatal = false;
	w->reason[0] = '\0';
	w->resumed = true;
	w->result = KESU_RESULT_FAILED;
	w->verify_outcome = KESU_VERIFY_INCOMPLETE;
}

void kesu_wipe_pass_key(const struct kesu_wipe *w, size_t i, struct kesu_stream_key *out)
{
	/* Distinct passes must not write the same stream; flipping the top
	 * byte of the counter block puts each pass 2^120 blocks apart. */
	*out = w->key;
	out->iv[0] ^= (uint8_t)i;
}

bool kesu_wipe_verifies_pass(const struct kesu_wipe *w, size_t i)
{
	switch (w->verify) {
	case KESU_VERIFY_NONE: return false;
	case KESU_VERIFY_ALL: return true;
	case KESU_VERIFY_LAST:
	case KESU_VERIFY_SAMPLE: return i + 1 == w->method.npasses;
	}
	return false;
}

void kesu_wipe_facts(const struct kesu_wipe *w, uint64_t size, uint32_t block_size,
		     struct kesu_outcome_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->interrupted = w->interrupted;
	f->fatal = w->fatal;
	f->fatal_reason = w->reason;
	f->all_passes_done = w->phase == KESU_PHASE_DONE;
	f->verify_mode = w->verify;
	f->verify_outcome = w->verify_outcome;
	f->total_blocks = block_size ? size / block_size : 0;
	f->bad_blocks = kesu_bad_blocks(&w->bad);
	f->bytes_expected = size * w->method.npasses;
	f->bytes_written = w->bytes_written;
}

void kesu_wipe_finish(struct kesu_wipe *w, uint64_t size, uint32_t block_size)
{
	if (w->verify == KESU_VERIFY_NONE)
		w->verify_outcome = KESU_VERIFY_SKIPPED;
	else if (!w->verify_done)
		w->verify_outcome = KESU_VERIFY_INCOMPLETE;
	else if (w->mismatched_blocks > 0)
		w->verify_outcome = KESU_VERIFY_FAILED;
	else if (w->unreadable_blocks > 0)
		w->verify_outcome = KESU_VERIFY_INCOMPLETE;
	else
		w->verify_outcome = KESU_VERIFY_PASSED;
	struct kesu_outcome_facts f;
	kesu_wipe_facts(w, size, block_size, &f);
	char reason[sizeof(w->reason)];
	w->result = kesu_wipe_classify(&f, reason, sizeof(reason));
	memcpy(w->reason, reason, sizeof(reason));
}
