/* What a wipe's facts add up to: the result (erased, erased-with-exceptions,
 * failed, interrupted) and the words for it.  Pure code: every fault
 * combination the engine can meet is judged here and tested without a
 * device (tests/unit/test_engine.c, classification_table). */
#include "wipe/engine/engine.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *kesu_result_name(enum kesu_result r)
{
	switch (r) {
	case KESU_RESULT_ERASED: return "erased";
	case KESU_RESULT_EXCEPTIONS: return "erased-with-exceptions";
	case KESU_RESULT_FAILED: return "failed";
	case KESU_RESULT_INTERRUPTED: return "interrupted";
	}
	return "failed";
}

const char *kesu_verify_outcome_name(enum kesu_verify_outcome o)
{
	switch (o) {
	case KESU_VERIFY_PASSED: return "passed";
	case KESU_VERIFY_FAILED: return "failed";
	case KESU_VERIFY_SKIPPED: return "skipped";
	case KESU_VERIFY_INCOMPLETE: return "incomplete";
	}
	return "incomplete";
}

const char *kesu_phase_name(enum kesu_phase p)
{
	switch (p) {
	case KESU_PHASE_WRITE: return "write";
	case KESU_PHASE_VERIFY: return "verify";
	case KESU_PHASE_DONE: return "done";
	}
	return "?";
}

enum kesu_result kesu_wipe_classify(const struct kesu_outcome_facts *f, char *reason,
			       size_t reasonsz)
{
	/* Order matters: the first rule that matches wins, and every path but
	 * the last one returns something other than erased. */
	if (f->interrupted) {
		snprintf(reason, reasonsz,
			 "interrupted before the erasure finished; run 'kesu wipe --resume'");
		return KESU_RESULT_INTERRUPTED;
	}
	if (f->fatal) {
		snprintf(reason, reasonsz, "%s",
			 f->fatal_reason && f->fatal_reason[0] ? f->fatal_reason
							       : "the erasure could not run to the end");
		return KESU_RESULT_FAILED;
	}
	if (!f->all_passes_done) {
		snprintf(reason, reasonsz, "not every pass covered the whole medium");
		return KESU_RESULT_FAILED;
	}
	if (f->total_blocks == 0) {
		snprintf(reason, reasonsz, "the medium has no blocks");
		return KESU_RESULT_FAILED;
	}
	if (f->bad_blocks > f->total_blocks / 2) {
		snprintf(reason, reasonsz,
			 "%" PRIu64 " of %" PRIu64
			 " blocks could not be written or verified; destroy the medium physically",
			 f->bad_blocks, f->total_blocks);
		return KESU_RESULT_FAILED;
	}
	if (f->bytes_written > f->bytes_expected ||
	    (f->bytes_written < f->bytes_expected && f->bad_blocks == 0)) {
		snprintf(reason, reasonsz,
			 "bytes written (%" PRIu64 ") do not match the plan (%" PRIu64 ")",
			 f->bytes_written, f->bytes_expected);
		return KESU_RESULT_FAILED;
	}
	if (f->verify_mode != KESU_VERIFY_NONE &&
	    (f->verify_outcome == KESU_VERIFY_SKIPPED ||
	     (f->verify_outcome != KESU_VERIFY_PASSED && f->bad_blocks == 0))) {
		snprintf(reason, reasonsz, "verification did not run to the end");
		return KESU_RESULT_FAILED;
	}
	if (f->bad_blocks > 0) {
		snprintf(reason, reasonsz,
			 "%" PRIu64 " of %" PRIu64
			 " blocks could not be written or verified (see bad_ranges)",
			 f->bad_blocks, f->total_blocks);
		return KESU_RESULT_EXCEPTIONS;
	}
	if (f->verify_mode == KESU_VERIFY_NONE) {
		snprintf(reason, reasonsz,
			 "not verified (--verify=none): every block was written but none was read back");
		return KESU_RESULT_EXCEPTIONS;
	}
	if (f->verify_outcome != KESU_VERIFY_PASSED) {
		snprintf(reason, reasonsz, "verification did not pass");
		return KESU_RESULT_FAILED;
	}
	if (reasonsz)
		reason[0] = '\0';
	return KESU_RESULT_ERASED;
}
