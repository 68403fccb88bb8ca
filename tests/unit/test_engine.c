/* The overwrite engine against memory and fault-injecting targets: data
 * written byte for byte, faults recorded exactly, never "erased" after a
 * fault, interruption and resume, the verdict table, checkpoints and run
 * records. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <unistd.h>

#include "wipe/engine/checkpoint.h"
#include "wipe/engine/engine.h"
#include "lib/fileio.h"
#include "wipe/engine/method.h"
#include "wipe/engine/run_record.h"
#include "wipe/engine/stream.h"
#include "test_targets.h"

#define SIZE (1u << 20) /* 1 MiB: 2048 blocks of 512 */
#define BS 512u
#define CHUNK (64u << 10)

static struct kesu_engine_opts opts(void)
{
	struct kesu_engine_opts o = {0};
	o.chunk_bytes = CHUNK;
	return o;
}

static void wipe_with(struct kesu_wipe *w, const char *method, enum kesu_verify_mode v)
{
	struct kesu_err err;
	const struct kesu_method *m = kesu_method_find(method);
	struct kesu_method custom;
	if (!m) {
		assert_int_equal(kesu_method_custom(method, &custom, &err), KESU_OK);
		m = &custom;
	}
	assert_int_equal(kesu_wipe_init(w, m, v, &err), KESU_OK);
}

static enum kesu_result run(struct kesu_target *t, struct kesu_wipe *w,
			    const struct kesu_engine_opts *o)
{
	struct kesu_err err;
	assert_int_equal(kesu_engine_run(t, w, o, &err), KESU_OK);
	return w->result;
}

static bool all_bytes(const uint8_t *d, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (d[i] != v)
			return false;
	return true;
}

/* The medium holds pass i's random stream exactly. */
static void assert_stream(const struct kesu_wipe *w, size_t pass, const uint8_t *d)
{
	struct kesu_stream_key k;
	kesu_wipe_pass_key(w, pass, &k);
	struct kesu_stream *s;
	struct kesu_err err;
	assert_int_equal(kesu_stream_new(&k, &s, &err), KESU_OK);
	uint8_t *exp = malloc(SIZE);
	assert_int_equal(kesu_stream_fill(s, 0, exp, SIZE, &err), KESU_OK);
	assert_memory_equal(d, exp, SIZE);
	free(exp);
	kesu_stream_free(s);
}

static void zero_pass_writes_and_verifies_everything(void **state)
{
	(void)state;
	struct kesu_target *t = fault_target_new(SIZE, BS, NULL);
	memset(fault_target_data(t), 0xa5, SIZE);
	struct kesu_wipe w;
	wipe_with(&w, "zero", KESU_VERIFY_LAST);
	struct kesu_engine_opts o = opts();
	assert_int_equal(run(t, &w, &o), KESU_RESULT_ERASED);
	assert_true(all_bytes(fault_target_data(t), SIZE, 0));
	assert_int_equal(w.bytes_written, SIZE);
	assert_int_equal(w.bytes_verified, SIZE);
	assert_int_equal(w.passes[0].verified, 1);
	assert_int_equal(w.verify_outcome, KESU_VERIFY_PASSED);
	assert_int_equal(w.bad.n, 0);
	assert_string_equal(w.reason, "");
	struct fault_stats *st = fault_target_stats(t);
	assert_int_equal(st->max_write_len, CHUNK);  /* large chunks, not blocks */
	assert_true(st->syncs >= 1);
	assert_true(st->drops >= 1);                  /* cache dropped before reading */
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void random_pass_is_the_regenerable_stream(void **state)
{
	(void)state;
	struct kesu_target *t = fault_target_new(SIZE, BS, NULL);
	struct kesu_wipe w;
	wipe_with(&w, "random", KESU_VERIFY_LAST);
	struct kesu_engine_opts o = opts();
	assert_int_equal(run(t, &w, &o), KESU_RESULT_ERASED);
	assert_stream(&w, 0, fault_target_data(t));
	assert_false(all_bytes(fault_target_data(t), SIZE, 0));
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void multi_pass_verify_all(void **state)
{
	(void)state;
	struct kesu_target *t = fault_target_new(SIZE, BS, NULL);
	struct kesu_wipe w;
	wipe_with(&w, "ff,random,924924", KESU_VERIFY_ALL);
	struct kesu_engine_opts o = opts();
	assert_int_equal(run(t, &w, &o), KESU_RESULT_ERASED);
	assert_int_equal(w.bytes_written, 3 * SIZE);
	assert_int_equal(w.bytes_verified, 3 * SIZE);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(w.passes[i].verified, 1);
		assert_true(w.passes[i].started_at > 0 && w.passes[i].ended_at > 0);
		/* Every phase was timed over exactly the bytes it moved. */
		assert_int_equal(w.passes[i].write_timed_bytes, SIZE);
		assert_int_equal(w.passes[i].verify_timed_bytes, SIZE);
		assert_true(w.passes[i].write_ns > 0 && w.passes[i].verify_ns > 0);
	}
	/* The last pattern stays aligned to the medium across chunks. */
	const uint8_t *d = fault_target_data(t);
	static const uint8_t pat[3] = {0x92, 0x49, 0x24};
	for (size_t i = 0; i < SIZE; i++)
		if (d[i] != pat[i % 3])
			fail_msg("byte %zu is %02x", i, d[i]);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void patterns_of_every_period_stay_aligned(void **state)
{
	(void)state;
	/* The write slots keep a pattern between chunks and refill only when
	 * a chunk starts at another phase: every period from 1 to the maximum
	 * (some divide the chunk, most do not, and not all come back to a slot
	 * at the same phase) must land on the medium at its offsets. */
	for (size_t period = 1; period <= KESU_PATTERN_MAX; period++) {
		char spec[2 * KESU_PATTERN_MAX + 1];
		for (size_t i = 0; i < period; i++)
			snprintf(spec + 2 * i, 3, "%02x", (unsigned)(0x11 * (i + 1)) & 0xff);
		struct kesu_target *t = fault_target_new(SIZE, BS, NULL);
		struct kesu_wipe w;
		wipe_with(&w, spec, KESU_VERIFY_LAST);
		struct kesu_engine_opts o = opts();
		assert_int_equal(run(t, &w, &o), KESU_RESULT_ERASED);
		const uint8_t *d = fault_target_data(t);
		for (size_t i = 0; i < SIZE; i++)
			if (d[i] != w.method.passes[0].pattern[i % period])
				fail_msg("period %zu: byte %zu is %02x", period, i, d[i]);
		kesu_wipe_free(&w);
		kesu_target_close(t);
	}
}

static void verify_last_reads_only_the_last_pass(void **state)
{
	(void)state;
	struct kesu_target *t = fault_target_new(SIZE, BS, NULL);
	struct kesu_wipe w;
	wipe_with(&w, "00,ff", KESU_VERIFY_LAST);
	struct kesu_engine_opts o = opts();
	assert_int_equal(run(t, &w, &o), KESU_RESULT_ERASED);
	assert_int_equal(w.passes[0].verified, -1);
	assert_int_equal(w.passes[1].verified, 1);
	assert_int_equal(w.bytes_verified, SIZE);
	assert_true(all_bytes(fault_target_data(t), SIZE, 0xff));
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void write_error_recorded_exactly(void **state)
{
	(void)state;
	struct fault_spec f = {.werr_lba = 700, .werr_count = 5};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	struct kesu_wipe w;
	wipe_with(&w, "zero", KESU_VERIFY_NONE);
	struct kesu_engine_opts o = opts();
	memset(fault_target_data(t), 0x11, SIZE);
	assert_int_equal(run(t, &w, &o), KESU_RESULT_EXCEPTIONS);
	assert_int_equal(w.bad.n, 1);
	assert_int_equal(w.bad.v[0].first_lba, 700);
	assert_int_equal(w.bad.v[0].count, 5);
	assert_int_equal(w.bad.v[0].op, KESU_BAD_WRITE);
	assert_int_equal(w.bytes_written, SIZE - 5 * BS);
	/* Every block around the bad ones was still written. */
	const uint8_t *d = fault_target_data(t);
	assert_true(all_bytes(d, 700 * BS, 0));
	assert_true(all_bytes(d + 705 * BS, SIZE - 705 * BS, 0));
	assert_true(all_bytes(d + 700 * BS, 5 * BS, 0x11));
	assert_non_null(strstr(w.reason, "5 of 2048 blocks"));
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void write_error_with_verification_never_erased(void **state)
{
	(void)state;
	struct fault_spec f = {.werr_lba = 0, .werr_count = 1};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	memset(fault_target_data(t), 0x11, SIZE);
	struct kesu_wipe w;
	wipe_with(&w, "zero", KESU_VERIFY_LAST);
	struct kesu_engine_opts o = opts();
	assert_int_equal(run(t, &w, &o), KESU_RESULT_EXCEPTIONS);
	/* The unwritten block also fails verification: two ranges, two ops. */
	assert_int_equal(w.bad.n, 2);
	assert_int_equal(w.bad.v[0].first_lba, 0);
	assert_int_equal(w.bad.v[0].op, KESU_BAD_WRITE);
	assert_int_equal(w.bad.v[1].first_lba, 0);
	assert_int_equal(w.bad.v[1].op, KESU_BAD_VERIFY);
	assert_int_equal(kesu_bad_blocks(&w.bad), 1);
	assert_int_equal(w.verify_outcome, KESU_VERIFY_FAILED);
	assert_int_equal(w.passes[0].verified, 0);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void read_error_during_verify_recorded(void **state)
{
	(void)state;
	struct fault_spec f = {.rerr_lba = 2047, .rerr_count = 1};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	struct kesu_wipe w;
	wipe_with(&w, "random", KESU_VERIFY_LAST);
	struct kesu_engine_opts o = opts();
	assert_int_equal(run(t, &w, &o), KESU_RESULT_EXCEPTIONS);
	assert_int_equal(w.bad.n, 1);
	assert_int_equal(w.bad.v[0].first_lba, 2047);
	assert_int_equal(w.bad.v[0].count, 1);
	assert_int_equal(w.bad.v[0].op, KESU_BAD_READ);
	assert_int_equal(w.unreadable_blocks, 1);
	assert_int_equal(w.verify_outcome, KESU_VERIFY_INCOMPLETE);
	assert_int_equal(w.bytes_verified, SIZE - BS);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void silent_bit_flips_caught(void **state)
{
	(void)state;
	/* Two flips in one block, one in another far away. */
	struct fault_spec f = {.flip_off = {100 * BS + 3, 100 * BS + 511, 1500 * BS},
			       .nflip = 3};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	struct kesu_wipe w;
	wipe_with(&w, "random", KESU_VERIFY_LAST);
	struct kesu_engine_opts o = opts();
	assert_int_equal(run(t, &w, &o), KESU_RESULT_EXCEPTIONS);
	assert_int_equal(w.bad.n, 2);
	assert_int_equal(w.bad.v[0].first_lba, 100);
	assert_int_equal(w.bad.v[0].count, 1);
	assert_int_equal(w.bad.v[0].op, KESU_BAD_VERIFY);
	assert_int_equal(w.bad.v[1].first_lba, 1500);
	assert_int_equal(w.mismatched_blocks, 2);
	assert_int_equal(w.verify_outcome, KESU_VERIFY_FAILED);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void pattern_verify_follows_medium_offsets(void **state)
{
	(void)state;
	/* A 3-byte period never divides a chunk, so each chunk starts at a
	 * different phase of the pattern: a clean run must verify, and flips
	 * and unreadable blocks must land on exactly their blocks. */
	struct kesu_target *t = fault_target_new(SIZE, BS, &(struct fault_spec){0});
	struct kesu_wipe w;
	wipe_with(&w, "924924", KESU_VERIFY_LAST);
	struct kesu_engine_opts o = opts();
	assert_int_equal(run(t, &w, &o), KESU_RESULT_ERASED);
	assert_int_equal(w.bytes_verified, SIZE);
	const uint8_t *d = fault_target_data(t);
	static const uint8_t pat[3] = {0x92, 0x49, 0x24};
	for (uint64_t i = 0; i < SIZE; i += 4093)
		assert_int_equal(d[i], pat[i % 3]);
	kesu_wipe_free(&w);
	kesu_target_close(t);

	struct fault_spec f = {.flip_off = {BS + 7, 1500 * BS + 1}, .nflip = 2,
			       .rerr_lba = 300, .rerr_count = 2};
	t = fault_target_new(SIZE, BS, &f);
	wipe_with(&w, "924924", KESU_VERIFY_LAST);
	assert_int_equal(run(t, &w, &o), KESU_RESULT_EXCEPTIONS);
	assert_int_equal(w.bad.n, 3);
	assert_int_equal(w.bad.v[0].first_lba, 1);
	assert_int_equal(w.bad.v[0].count, 1);
	assert_int_equal(w.bad.v[0].op, KESU_BAD_VERIFY);
	assert_int_equal(w.bad.v[1].first_lba, 300);
	assert_int_equal(w.bad.v[1].count, 2);
	assert_int_equal(w.bad.v[1].op, KESU_BAD_READ);
	assert_int_equal(w.bad.v[2].first_lba, 1500);
	assert_int_equal(w.mismatched_blocks, 2);
	assert_int_equal(w.unreadable_blocks, 2);
	assert_int_equal(w.bytes_verified, SIZE - 4 * BS);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void unverified_run_is_not_erased(void **state)
{
	(void)state;
	struct fault_spec f = {.flip_off = {5}, .nflip = 1};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	struct kesu_wipe w;
	wipe_with(&w, "zero", KESU_VERIFY_NONE);
	struct kesu_engine_opts o = opts();
	assert_int_equal(run(t, &w, &o), KESU_RESULT_EXCEPTIONS);
	assert_int_equal(w.verify_outcome, KESU_VERIFY_SKIPPED);
	assert_non_null(strstr(w.reason, "not verified"));
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void device_disappears(void **state)
{
	(void)state;
	struct fault_spec f = {.disappear_after_writes = 5};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	struct kesu_wipe w;
	wipe_with(&w, "zero", KESU_VERIFY_LAST);
	struct kesu_engine_opts o = opts();
	assert_int_equal(run(t, &w, &o), KESU_RESULT_FAILED);
	assert_non_null(strstr(w.reason, "disappeared"));
	assert_true(w.device_gone);
	assert_int_equal(w.bytes_written, 5 * CHUNK);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

/* A verified zero wipe over a target with fault f ends failed, saying why,
 * and blaming the device's disappearance only when it disappeared. */
static void assert_zero_wipe_fails(struct fault_spec f, const char *why, bool gone)
{
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	struct kesu_wipe w;
	wipe_with(&w, "zero", KESU_VERIFY_LAST);
	struct kesu_engine_opts o = opts();
	assert_int_equal(run(t, &w, &o), KESU_RESULT_FAILED);
	assert_non_null(strstr(w.reason, why));
	assert_int_equal(w.device_gone, gone);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void device_gone_when_the_flush_fails(void **state)
{
	(void)state;
	/* The flush's EIO is a symptom; the operator must hear the cause. */
	assert_zero_wipe_fails((struct fault_spec){.vanish_at_sync = true}, "disappeared", true);
}

static void device_changes_size(void **state)
{
	(void)state;
	assert_zero_wipe_fails((struct fault_spec){.resize_after_writes = 3}, "changed size", false);
}

static void failed_flush_or_cache_drop_fails(void **state)
{
	(void)state;
	assert_zero_wipe_fails((struct fault_spec){.fail_sync = true}, "flush", false);

	struct fault_spec f2 = {.fail_drop_cache = true};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f2);
	struct kesu_wipe w;
	struct kesu_engine_opts o = opts();
	wipe_with(&w, "zero", KESU_VERIFY_LAST);
	assert_int_equal(run(t, &w, &o), KESU_RESULT_FAILED);
	assert_non_null(strstr(w.reason, "verification could not run"));
	assert_int_equal(fault_target_stats(t)->reads, 0);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void dead_device_gives_up(void **state)
{
	(void)state;
	struct fault_spec f = {.werr_lba = 0, .werr_count = SIZE / BS};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	struct kesu_wipe w;
	wipe_with(&w, "zero", KESU_VERIFY_LAST);
	struct kesu_engine_opts o = opts();
	assert_int_equal(run(t, &w, &o), KESU_RESULT_FAILED);
	assert_int_equal(w.bytes_written, 0);
	assert_int_equal(w.bad.n, 1);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void interrupt_then_resume(void **state)
{
	(void)state;
	atomic_int stop = 0;
	struct fault_spec f = {.stop = &stop, .stop_after_writes = 20};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	memset(fault_target_data(t), 0x77, SIZE);
	struct kesu_wipe w;
	wipe_with(&w, "00,random", KESU_VERIFY_ALL);
	struct kesu_engine_opts o = opts();
	o.stop = &stop;
	/* 16 chunks per pass: the stop lands in pass 2's write phase. */
	assert_int_equal(run(t, &w, &o), KESU_RESULT_INTERRUPTED);
	assert_int_equal(w.pass, 1);
	assert_int_equal(w.phase, KESU_PHASE_WRITE);
	assert_int_equal(w.offset, 4 * CHUNK);
	assert_int_equal(w.passes[0].verified, 1);
	assert_non_null(strstr(w.reason, "interrupted"));

	/* Through a checkpoint, as after a restart. */
	struct kesu_identity id = {0};
	strcpy(id.path, "/dev/loop9");
	strcpy(id.name, "loop9");
	id.size_bytes = SIZE;
	id.logical_block_size = BS;
	struct kesu_medium_binding mb = {.size_bytes = SIZE, .logical_block_size = BS,
					 .dev_major = 7, .dev_minor = 9};
	const struct kesu_checkpoint_meta meta = {&id, &mb,
						  "0b4ad6b2-1e4f-4bd5-9d7f-3f1a3f5a9c11", NULL,
						  NULL};
	json_t *j = kesu_checkpoint_to_json(&meta, &w);
	struct kesu_wipe w2;
	struct kesu_checkpoint_loaded cl;
	struct kesu_err err;
	assert_int_equal(kesu_checkpoint_from_json(j, &w2, &cl, &err), KESU_OK);
	json_decref(j);
	assert_true(json_is_null(cl.before));
	assert_string_equal(cl.run_id, "0b4ad6b2-1e4f-4bd5-9d7f-3f1a3f5a9c11");
	assert_true(kesu_identity_same_medium(&id, &cl.id));
	assert_true(kesu_medium_binding_same(&mb, &cl.binding, NULL, 0));
	kesu_checkpoint_loaded_free(&cl);
	assert_memory_equal(&w2.key, &w.key, sizeof(w.key));

	atomic_store(&stop, 0);
	f.stop = NULL;
	kesu_wipe_prepare_resume(&w2);
	o.stop = &stop;
	/* A fresh target over the same bytes, without the stop trigger. */
	struct kesu_target *t2 = fault_target_new(SIZE, BS, NULL);
	memcpy(fault_target_data(t2), fault_target_data(t), SIZE);
	assert_int_equal(run(t2, &w2, &o), KESU_RESULT_ERASED);
	assert_true(w2.resumed);
	assert_int_equal(w2.bytes_written, 2 * SIZE);
	assert_int_equal(w2.bytes_verified, 2 * SIZE);
	assert_stream(&w2, 1, fault_target_data(t2));
	kesu_wipe_free(&w);
	kesu_wipe_free(&w2);
	kesu_target_close(t);
	kesu_target_close(t2);
}

static void interrupt_during_verify_resumes_verify(void **state)
{
	(void)state;
	atomic_int stop = 0;
	struct kesu_wipe w;
	struct kesu_engine_opts o = opts();
	o.stop = &stop;
	wipe_with(&w, "random", KESU_VERIFY_LAST);
	struct kesu_target *t2 = fault_target_new(SIZE, BS, NULL);
	assert_int_equal(run(t2, &w, &o), KESU_RESULT_ERASED);
	/* Now pretend verification was interrupted halfway and resume it. */
	w.phase = KESU_PHASE_VERIFY;
	w.pass = 0;
	w.offset = SIZE / 2;
	w.bytes_verified = SIZE / 2;
	w.passes[0].bytes_verified = SIZE / 2;
	w.verify_done = false;
	kesu_wipe_prepare_resume(&w);
	long reads = fault_target_stats(t2)->reads;
	long drops = fault_target_stats(t2)->drops;
	assert_int_equal(run(t2, &w, &o), KESU_RESULT_ERASED);
	/* A new process reads the medium, not a cache, and the last pass's
	 * verification starts over: the half read before the interruption
	 * proves nothing about now. */
	assert_int_equal(fault_target_stats(t2)->drops, drops + 1);
	assert_int_equal(fault_target_stats(t2)->reads - reads, SIZE / CHUNK);
	assert_int_equal(w.bytes_verified, SIZE);
	kesu_wipe_free(&w);
	kesu_target_close(t2);
}

struct ckpt_log {
	struct kesu_target *t;
	int calls;
	long syncs_before_last;
	uint64_t last_offset;
	bool misaligned;
};

static enum kesu_rc log_checkpoint(const struct kesu_wipe *w, void *ud, struct kesu_err *err)
{
	(void)err;
	struct ckpt_log *l = ud;
	l->calls++;
	l->syncs_before_last = fault_target_stats(l->t)->syncs;
	l->last_offset = w->offset;
	if (w->offset % CHUNK && w->offset != SIZE)
		l->misaligned = true;
	return KESU_OK;
}

static void periodic_checkpoints_follow_a_flush(void **state)
{
	(void)state;
	struct kesu_target *t = fault_target_new(SIZE, BS, NULL);
	struct kesu_wipe w;
	wipe_with(&w, "zero", KESU_VERIFY_LAST);
	struct ckpt_log log = {.t = t};
	struct kesu_engine_opts o = opts();
	o.checkpoint = log_checkpoint;
	o.checkpoint_ud = &log;
	o.checkpoint_every_s = 1e-9; /* at every chunk */
	assert_int_equal(run(t, &w, &o), KESU_RESULT_ERASED);
	/* One at the start of each phase and one per chunk in both, each at
	 * a chunk boundary, and every write-phase one after a flush, so a
	 * hard kill resumes from a true position. */
	assert_int_equal(log.calls, 2 + 2 * (SIZE / CHUNK));
	assert_false(log.misaligned);
	assert_true(log.syncs_before_last >= SIZE / CHUNK);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void sample_verification(void **state)
{
	(void)state;
	/* A device big enough for a real sampling plan (1,000 subsections). */
	const uint64_t size = 64ull << 20;
	struct kesu_target *t = fault_target_new(size, BS, NULL);
	struct kesu_wipe w;
	wipe_with(&w, "zero", KESU_VERIFY_SAMPLE);
	struct kesu_engine_opts o = {.chunk_bytes = 1 << 20};
	assert_int_equal(run(t, &w, &o), KESU_RESULT_ERASED);
	assert_true(w.bytes_verified >= size / 10);
	assert_true(w.bytes_verified < size);
	assert_int_equal(w.bytes_verified, w.verify_planned);
	kesu_wipe_free(&w);
	kesu_target_close(t);

	/* The first block is always sampled: corruption there is caught. */
	struct fault_spec f = {.flip_off = {0}, .nflip = 1};
	t = fault_target_new(size, BS, &f);
	wipe_with(&w, "zero", KESU_VERIFY_SAMPLE);
	assert_int_equal(run(t, &w, &o), KESU_RESULT_EXCEPTIONS);
	assert_int_equal(w.bad.v[0].first_lba, 0);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void bad_ranges_merge(void **state)
{
	(void)state;
	struct kesu_bad_list l = {0};
	struct kesu_err err;
	assert_int_equal(kesu_bad_add(&l, 10, 1, KESU_BAD_WRITE, &err), KESU_OK);
	assert_int_equal(kesu_bad_add(&l, 11, 1, KESU_BAD_WRITE, &err), KESU_OK);
	assert_int_equal(kesu_bad_add(&l, 9, 1, KESU_BAD_WRITE, &err), KESU_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].first_lba, 9);
	assert_int_equal(l.v[0].count, 3);
	/* Same blocks again (a later pass): no double counting. */
	assert_int_equal(kesu_bad_add(&l, 10, 2, KESU_BAD_WRITE, &err), KESU_OK);
	assert_int_equal(l.n, 1);
	/* Another op over the same blocks stays separate, sorted by LBA. */
	assert_int_equal(kesu_bad_add(&l, 10, 5, KESU_BAD_VERIFY, &err), KESU_OK);
	assert_int_equal(kesu_bad_add(&l, 1, 1, KESU_BAD_READ, &err), KESU_OK);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].first_lba, 1);
	assert_int_equal(l.v[1].first_lba, 9);
	assert_int_equal(l.v[2].op, KESU_BAD_VERIFY);
	assert_int_equal(kesu_bad_blocks(&l), 1 + 6);
	/* A range bridging two others merges all three. */
	assert_int_equal(kesu_bad_add(&l, 100, 1, KESU_BAD_WRITE, &err), KESU_OK);
	assert_int_equal(kesu_bad_add(&l, 12, 88, KESU_BAD_WRITE, &err), KESU_OK);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[1].count, 92);
	kesu_bad_free(&l);
	/* Bounded: a medium failing everywhere is not listed block by block. */
	for (uint64_t i = 0; i < KESU_BAD_RANGES_MAX; i++)
		assert_int_equal(kesu_bad_add(&l, i * 2, 1, KESU_BAD_WRITE, &err), KESU_OK);
	assert_int_equal(kesu_bad_add(&l, 1ull << 40, 1, KESU_BAD_WRITE, &err),
			 KESU_ERR_FAILED);
	kesu_bad_free(&l);
}

static void classification_table(void **state)
{
	(void)state;
	const struct kesu_outcome_facts clean = {
		.all_passes_done = true, .verify_mode = KESU_VERIFY_LAST,
		.verify_outcome = KESU_VERIFY_PASSED, .total_blocks = 100,
		.bad_blocks = 0, .bytes_expected = 51200, .bytes_written = 51200};
	struct row {
		const char *name;
		enum kesu_result want;
	} rows[] = {
		{"clean", KESU_RESULT_ERASED},
		{"sampled", KESU_RESULT_ERASED},
		{"interrupted", KESU_RESULT_INTERRUPTED},
		{"interrupted+fatal", KESU_RESULT_INTERRUPTED},
		{"fatal", KESU_RESULT_FAILED},
		{"passes not done", KESU_RESULT_FAILED},
		{"one bad block", KESU_RESULT_EXCEPTIONS},
		{"verify mismatch", KESU_RESULT_EXCEPTIONS},
		{"half bad", KESU_RESULT_EXCEPTIONS},
		{"most bad", KESU_RESULT_FAILED},
		{"verify none", KESU_RESULT_EXCEPTIONS},
		{"verify skipped", KESU_RESULT_FAILED},
		{"verify incomplete, no bad", KESU_RESULT_FAILED},
		{"verify failed, no bad", KESU_RESULT_FAILED},
		{"short write, no bad", KESU_RESULT_FAILED},
		{"overcount", KESU_RESULT_FAILED},
		{"empty", KESU_RESULT_FAILED},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct kesu_outcome_facts f = clean;
		switch (i) {
		case 1: f.verify_mode = KESU_VERIFY_SAMPLE; break;
		case 2: f.interrupted = true; break;
		case 3: f.interrupted = f.fatal = true; break;
		case 4: f.fatal = true; break;
		case 5: f.all_passes_done = false; break;
		case 6: f.bad_blocks = 1; f.bytes_written -= 512; break;
		case 7: f.bad_blocks = 2; f.verify_outcome = KESU_VERIFY_FAILED; break;
		case 8: f.bad_blocks = 50; break;
		case 9: f.bad_blocks = 51; break;
		case 10: f.verify_mode = KESU_VERIFY_NONE;
			f.verify_outcome = KESU_VERIFY_SKIPPED; break;
		case 11: f.verify_outcome = KESU_VERIFY_SKIPPED; break;
		case 12: f.verify_outcome = KESU_VERIFY_INCOMPLETE; break;
		case 13: f.verify_outcome = KESU_VERIFY_FAILED; break;
		case 14: f.bytes_written -= 512; break;
		case 15: f.bytes_written += 512; break;
		case 16: f.total_blocks = 0; f.bytes_expected = f.bytes_written = 0; break;
		}
		char reason[256];
		enum kesu_result r = kesu_wipe_classify(&f, reason, sizeof(reason));
		if (r != rows[i].want)
			fail_msg("%s: got %s, want %s", rows[i].name, kesu_result_name(r),
				 kesu_result_name(rows[i].want));
		if (r == KESU_RESULT_ERASED)
			assert_string_equal(reason, "");
		else
			assert_true(strlen(reason) > 10);
	}
	/* Exhaustively: nothing with a fault, an interruption or a missing
	 * verification is ever erased. */
	for (int m = 0; m < 64; m++) {
		struct kesu_outcome_facts f = clean;
		f.interrupted = m & 1;
		f.fatal = m & 2;
		f.all_passes_done = !(m & 4);
		if (m & 8)
			f.bad_blocks = 1;
		if (m & 16)
			f.verify_outcome = KESU_VERIFY_INCOMPLETE;
		if (m & 32)
			f.verify_mode = KESU_VERIFY_NONE;
		char reason[256];
		if (m && kesu_wipe_classify(&f, reason, sizeof(reason)) == KESU_RESULT_ERASED)
			fail_msg("combination %d classified erased", m);
	}
}

static char tmpdir[64];

/* The record names the cipher a verifier would regenerate the random passes
 * with: AES-128-CTR for a new run, AES-256-CTR for one resumed from a
 * checkpoint of an earlier version. */
static void run_record_names_the_random_stream(void **state)
{
	(void)state;
	struct kesu_identity id = {0};
	strcpy(id.path, "/dev/sdb");
	id.size_bytes = SIZE;
	id.logical_block_size = BS;
	struct kesu_wipe w;
	wipe_with(&w, "00,random", KESU_VERIFY_LAST);
	struct kesu_run_record r = {0};
	strcpy(r.run_id, "0b4ad6b2-1e4f-4bd5-9d7f-3f1a3f5a9c11");
	r.device = &id;
	r.wipe = &w;
	r.block_size = BS;
	for (int old = 0; old < 2; old++) {
		if (old)
			w.key.cipher = KESU_STREAM_AES_256_CTR;
		json_t *j = kesu_run_record_to_json(&r);
		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(
					    json_object_get(j, "method"), "random_stream")),
				    old ? "aes-256-ctr" : "aes-128-ctr");
		json_decref(j);
	}
	kesu_wipe_free(&w);
}

static void run_record_json(void **state)
{
	(void)state;
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	struct kesu_identity id = {0};
	strcpy(id.path, "/dev/sdb");
	strcpy(id.name, "sdb");
	strcpy(id.kind, "hdd");
	strcpy(id.serial, "S3R\x1b[1m");
	id.size_bytes = SIZE;
	id.logical_block_size = BS;
	struct kesu_wipe w;
	wipe_with(&w, "00,ff", KESU_VERIFY_LAST);
	struct kesu_err err;
	w.started_at = 1795341600;
	w.ended_at = 1795341660;
	w.passes[0] = (struct kesu_pass_state){.started_at = 1795341600,
					       .ended_at = 1795341630, .bytes_written = SIZE,
					       .verified = -1, .write_ns = 250000000,
					       .write_timed_bytes = SIZE};
	w.passes[1] = (struct kesu_pass_state){.started_at = 1795341630,
					       .ended_at = 1795341660,
					       .bytes_written = SIZE - BS,
					       .bytes_verified = SIZE - BS, .verify_bad = 1, .mismatched = 1,
					       .verified = 0};
	w.phase = KESU_PHASE_DONE;
	w.pass = 2;
	w.verify_done = true;
	w.bytes_written = 2 * SIZE - BS;
	w.bytes_verified = SIZE - BS;
	w.mismatched_blocks = 1;
	assert_int_equal(kesu_bad_add(&w.bad, 5, 1, KESU_BAD_WRITE, &err), KESU_OK);
	assert_int_equal(kesu_bad_add(&w.bad, 5, 1, KESU_BAD_VERIFY, &err), KESU_OK);
	kesu_wipe_finish(&w, SIZE, BS);
	assert_int_equal(w.result, KESU_RESULT_EXCEPTIONS);

	struct kesu_run_record r = {0};
	strcpy(r.run_id, "0b4ad6b2-1e4f-4bd5-9d7f-3f1a3f5a9c11");
	strcpy(r.host.hostname, "kesu-host");
	strcpy(r.host.kernel, "6.1.0-28-amd64");
	r.host.clock_synchronized = true;
	r.device = &id;
	r.wipe = &w;
	r.block_size = BS;
	json_t *before = json_pack("{s:s}", "pttype", "gpt");
	r.before = before;
	json_t *j = kesu_run_record_to_json(&r);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "schema")),
			    "kesu-run-record/1");
	assert_string_equal(json_string_value(json_object_get(j, "result")),
			    "erased-with-exceptions");
	assert_true(json_is_string(json_object_get(j, "reason")));
	assert_true(json_is_null(json_object_get(j, "firmware")));
	json_t *host = json_object_get(j, "host");
	assert_true(json_is_null(json_object_get(host, "machine_id")));
	assert_true(json_is_true(json_object_get(host, "clock_synchronized")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "tool"), "name")),
			    "kesu");
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "before"),
							      "pttype")), "gpt");
	/* The device serial is cleaned of its escape sequence. */
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "device"),
							      "serial")), "S3R?[1m");
	json_t *m = json_object_get(j, "method");
	assert_string_equal(json_string_value(json_object_get(m, "nist_category")), "clear");
	assert_string_equal(json_string_value(json_object_get(m, "technique")), "overwrite");
	assert_string_equal(json_string_value(json_object_get(m, "verify")), "last");
	assert_string_equal(json_string_value(json_array_get(json_object_get(m, "passes"), 1)),
			    "ff");
	/* No random pass, no cipher to name. */
	assert_true(json_is_null(json_object_get(m, "random_stream")));
	json_t *p = json_object_get(j, "passes");
	assert_int_equal(json_array_size(p), 2);
	json_t *p0 = json_array_get(p, 0), *p1 = json_array_get(p, 1);
	assert_int_equal(json_integer_value(json_object_get(p0, "index")), 1);
	assert_string_equal(json_string_value(json_object_get(p0, "pattern")), "00");
	assert_string_equal(json_string_value(json_object_get(p0, "started_at")),
			    "2026-11-22T19:00:00+09:00");
	assert_true(json_is_null(json_object_get(p0, "verified")));
	assert_true(json_is_false(json_object_get(p1, "verified")));
	/* Phase timings as measured: 1 MiB in 250 ms is 4.2 MB/s; a phase
	 * this process did not run is null, not a rate of zero. */
	json_t *tw = json_object_get(json_object_get(p0, "timing"), "write");
	assert_int_equal(json_integer_value(json_object_get(tw, "ms")), 250);
	assert_int_equal(json_integer_value(json_object_get(tw, "bytes")), SIZE);
	assert_true(json_real_value(json_object_get(tw, "mb_per_s")) > 4.15 &&
		    json_real_value(json_object_get(tw, "mb_per_s")) < 4.25);
	assert_true(json_is_null(json_object_get(json_object_get(p0, "timing"), "verify")));
	assert_true(json_is_null(json_object_get(json_object_get(p1, "timing"), "write")));
	json_t *v = json_object_get(j, "verification");
	assert_string_equal(json_string_value(json_object_get(v, "outcome")), "failed");
	assert_int_equal(json_integer_value(json_object_get(v, "mismatched_blocks")), 1);
	json_t *bad = json_object_get(j, "bad_ranges");
	assert_int_equal(json_array_size(bad), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(bad, 1),
							      "operation")), "verify");
	assert_int_equal(json_integer_value(json_object_get(j, "bytes_written")), 2 * SIZE - BS);
	assert_true(json_is_false(json_object_get(j, "resumed")));
	assert_string_equal(json_string_value(json_object_get(j, "ended_at")),
			    "2026-11-22T19:01:00+09:00");
	json_decref(j);

	/* erased: reason is null; written to a file with the right name. */
	kesu_bad_free(&w.bad);
	w.mismatched_blocks = 0;
	w.bytes_written = 2 * SIZE;
	w.bytes_verified = SIZE;
	w.resumed = true;
	strcpy(r.resumed_from, "aaaaaaaa-2222-4333-8444-555555555555");
	kesu_wipe_finish(&w, SIZE, BS);
	assert_int_equal(w.result, KESU_RESULT_ERASED);
	strcpy(tmpdir, "/tmp/kesu-rec.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	char path[256];
	assert_int_equal(kesu_run_record_write(tmpdir, &r, path, sizeof(path), &err), KESU_OK);
	char want[256];
	snprintf(want, sizeof(want), "%s/kesu-run-%s.json", tmpdir, r.run_id);
	assert_string_equal(path, want);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	json_error_t je;
	j = json_load_file(path, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "result")), "erased");
	assert_true(json_is_null(json_object_get(j, "reason")));
	assert_true(json_is_true(json_object_get(j, "resumed")));
	json_decref(j);
	unlink(path);
	rmdir(tmpdir);
	/* An unwritable directory is an error, not silence. */
	assert_int_equal(kesu_run_record_write("/nonexistent/dir", &r, path, sizeof(path), &err),
			 KESU_ERR_IO);
	json_decref(before);
	kesu_wipe_free(&w);
}

static void clock_sync_rule(void **state)
{
	(void)state;
	assert_true(kesu_clock_synced(TIME_OK, 0));
	assert_false(kesu_clock_synced(TIME_OK, STA_UNSYNC));
	assert_false(kesu_clock_synced(TIME_ERROR, 0));
	assert_false(kesu_clock_synced(-1, 0));
	char a[KESU_RUN_ID_LEN], b[KESU_RUN_ID_LEN];
	kesu_run_id_new(a);
	kesu_run_id_new(b);
	assert_int_equal(strlen(a), 36);
	assert_string_not_equal(a, b);
	for (const char *p = a; *p; p++)
		assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || *p == '-');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(zero_pass_writes_and_verifies_everything),
		cmocka_unit_test(random_pass_is_the_regenerable_stream),
		cmocka_unit_test(multi_pass_verify_all),
		cmocka_unit_test(verify_last_reads_only_the_last_pass),
		cmocka_unit_test(write_error_recorded_exactly),
		cmocka_unit_test(write_error_with_verification_never_erased),
		cmocka_unit_test(read_error_during_verify_recorded),
		cmocka_unit_test(silent_bit_flips_caught),
		cmocka_unit_test(pattern_verify_follows_medium_offsets),
		cmocka_unit_test(patterns_of_every_period_stay_aligned),
		cmocka_unit_test(unverified_run_is_not_erased),
		cmocka_unit_test(device_disappears),
		cmocka_unit_test(device_gone_when_the_flush_fails),
		cmocka_unit_test(device_changes_size),
		cmocka_unit_test(failed_flush_or_cache_drop_fails),
		cmocka_unit_test(dead_device_gives_up),
		cmocka_unit_test(interrupt_then_resume),
		cmocka_unit_test(interrupt_during_verify_resumes_verify),
		cmocka_unit_test(periodic_checkpoints_follow_a_flush),
		cmocka_unit_test(sample_verification),
		cmocka_unit_test(bad_ranges_merge),
		cmocka_unit_test(classification_table),
		cmocka_unit_test(run_record_json),
		cmocka_unit_test(run_record_names_the_random_stream),
		cmocka_unit_test(clock_sync_rule),
	};
	return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
