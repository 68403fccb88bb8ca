/* The engine's queued path against a fault-injecting target whose requests
 * complete out of order: faults, bad ranges, counts and verdicts exactly as
 * on the synchronous path; a checkpoint never claims a chunk whose request
 * has not completed; short completions, device removal and interruption
 * with requests in flight; the synchronous fallback; the memory bound. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "wipe/engine/engine.h"
#include "wipe/engine/method.h"
#include "test_targets.h"

#define SIZE (2u << 20) /* 4096 blocks of 512 */
#define BS 512u
#define CHUNK (64u << 10)

static void wipe_with(struct kesu_wipe *w, const char *passes, enum kesu_verify_mode v)
{
	struct kesu_err err;
	struct kesu_method m;
	assert_int_equal(kesu_method_custom(passes, &m, &err), KESU_OK);
	assert_int_equal(kesu_wipe_init(w, &m, v, &err), KESU_OK);
}

static void run_qd(struct kesu_target *t, struct kesu_wipe *w, unsigned qd)
{
	struct kesu_engine_opts o = {0};
	o.chunk_bytes = CHUNK;
	o.queue_depth = qd;
	struct kesu_err err;
	assert_int_equal(kesu_engine_run(t, w, &o, &err), KESU_OK);
}

static bool all_bytes(const uint8_t *d, size_t n, uint8_t v)
{
	for (size_t i = 0; i < n; i++)
		if (d[i] != v)
			return false;
	return true;
}

/* Everything a record and a certificate say about the outcome. */
static void assert_same_outcome(const struct kesu_wipe *a, const struct kesu_wipe *b)
{
	assert_int_equal(a->result, b->result);
	assert_string_equal(a->reason, b->reason);
	assert_int_equal(a->verify_outcome, b->verify_outcome);
	assert_int_equal(a->bytes_written, b->bytes_written);
	assert_int_equal(a->bytes_verified, b->bytes_verified);
	assert_int_equal(a->mismatched_blocks, b->mismatched_blocks);
	assert_int_equal(a->unreadable_blocks, b->unreadable_blocks);
	assert_int_equal(a->bad.n, b->bad.n);
	for (size_t i = 0; i < a->bad.n; i++) {
		assert_int_equal(a->bad.v[i].first_lba, b->bad.v[i].first_lba);
		assert_int_equal(a->bad.v[i].count, b->bad.v[i].count);
		assert_int_equal(a->bad.v[i].op, b->bad.v[i].op);
	}
	for (size_t i = 0; i < a->method.npasses; i++) {
		assert_int_equal(a->passes[i].bytes_written, b->passes[i].bytes_written);
		assert_int_equal(a->passes[i].bytes_verified, b->passes[i].bytes_verified);
		assert_int_equal(a->passes[i].verified, b->passes[i].verified);
	}
}

/* Write errors in two chunks, unreadable blocks and a silent flip in a
 * third: the same bad ranges, counts and verdict at depth 1 and at depths
 * 4 and 8 with completions reversed and shuffled. */
static void faults_recorded_as_on_the_synchronous_path(void **state)
{
	(void)state;
	const struct fault_spec base = {
		.werr_lba = 700, .werr_count = 260, /* across a chunk boundary */
		.rerr_lba = 3000, .rerr_count = 3,
		.flip_off = {1500 * BS + 7}, .nflip = 1,
	};
	const char *methods[] = {"ff,00", "random,random"};
	for (size_t m = 0; m < 2; m++) {
		struct kesu_target *ts = fault_target_new(SIZE, BS, &base);
		struct kesu_wipe ws;
		wipe_with(&ws, methods[m], KESU_VERIFY_ALL);
		run_qd(ts, &ws, 1);
		assert_int_equal(ws.result, KESU_RESULT_EXCEPTIONS);
		assert_false(ws.io.queued);
		const struct { unsigned qd; int order; } runs[] = {
			{4, ASYNC_LIFO}, {8, ASYNC_SHUFFLE}, {4, ASYNC_FIFO}};
		for (size_t r = 0; r < 3; r++) {
			struct fault_spec f = base;
			f.async_depth = runs[r].qd;
			f.async_order = runs[r].order;
			struct kesu_target *tq = fault_target_new(SIZE, BS, &f);
			struct kesu_wipe wq;
			wipe_with(&wq, methods[m], KESU_VERIFY_ALL);
			/* Same key, so the random passes write the same bytes. */
			wq.key = ws.key;
			run_qd(tq, &wq, runs[r].qd);
			assert_true(wq.io.queued);
			assert_int_equal(wq.io.queue_depth, runs[r].qd);
			assert_same_outcome(&ws, &wq);
			assert_memory_equal(fault_target_data(ts), fault_target_data(tq), SIZE);
			const struct fault_stats *st = fault_target_stats(tq);
			assert_int_equal(st->max_in_flight, runs[r].qd);
			if (runs[r].order != ASYNC_FIFO)
				assert_true(st->out_of_order > 0);
			kesu_wipe_free(&wq);
			kesu_target_close(tq);
		}
		kesu_wipe_free(&ws);
		kesu_target_close(ts);
	}
}

struct prefix_log {
	struct kesu_target *t;
	int calls, in_flight_seen;
	bool claimed_unwritten, unflushed;
	long syncs_at_last;
};

/* At every checkpoint: every byte below the offset it claims is on the
 * medium already, though later requests are still in flight. */
static enum kesu_rc check_prefix(const struct kesu_wipe *w, void *ud, struct kesu_err *err)
{
	(void)err;
	struct prefix_log *l = ud;
	l->calls++;
	if (w->phase != KESU_PHASE_WRITE)
		return KESU_OK;
	/* A flush between any two write-phase checkpoints. */
	long syncs = fault_target_stats(l->t)->syncs;
	if (syncs <= l->syncs_at_last)
		l->unflushed = true;
	l->syncs_at_last = syncs;
	if (fault_target_stats(l->t)->in_flight)
		l->in_flight_seen++;
	uint8_t v = w->method.passes[w->pass].pattern[0];
	if (!all_bytes(fault_target_data(l->t), w->offset, v))
		l->claimed_unwritten = true;
	return KESU_OK;
}

static void checkpoint_claims_only_the_completed_prefix(void **state)
{
	(void)state;
	struct fault_spec f = {.async_depth = 8, .async_order = ASYNC_SHUFFLE};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	struct kesu_wipe w;
	wipe_with(&w, "aa,55", KESU_VERIFY_LAST);
	struct prefix_log log = {.t = t};
	struct kesu_engine_opts o = {0};
	o.chunk_bytes = CHUNK;
	o.queue_depth = 8;
	o.checkpoint = check_prefix;
	o.checkpoint_ud = &log;
	o.checkpoint_every_s = 1e-9; /* at every chunk */
	struct kesu_err err;
	assert_int_equal(kesu_engine_run(t, &w, &o, &err), KESU_OK);
	assert_int_equal(w.result, KESU_RESULT_ERASED);
	assert_false(log.claimed_unwritten);
	assert_false(log.unflushed);
	/* The test means something only if checkpoints were taken with
	 * requests beyond the offset still in flight... */
	assert_true(log.in_flight_seen > 3);
	/* ...and the queue went on while a checkpoint's flush was pending. */
	assert_true(fault_target_stats(t)->submits_behind_flush > 10);
	assert_int_equal(fault_target_stats(t)->max_in_flight, 8);
	/* A checkpoint at each phase's start, and the periodic ones: in the
	 * write phases one per flush, fewer than one per chunk since a new
	 * flush waits for the one in flight. */
	assert_true(log.calls > 3 + (int)(SIZE / CHUNK));
	assert_true(log.calls <= 3 + 3 * (int)(SIZE / CHUNK));
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

/* The flush of a periodic checkpoint fails while writes are in flight: the
 * run fails for that reason, as on the synchronous path, and no checkpoint
 * is saved for the flush that failed. */
static void failed_checkpoint_flush_fails_the_run(void **state)
{
	(void)state;
	for (unsigned qd = 1; qd <= 8; qd += 7) {
		struct fault_spec f = {.async_depth = qd > 1 ? qd : 0,
				       .async_order = ASYNC_SHUFFLE, .fail_sync_at = 3};
		struct kesu_target *t = fault_target_new(SIZE, BS, &f);
		struct kesu_wipe w;
		wipe_with(&w, "00", KESU_VERIFY_LAST);
		struct prefix_log log = {.t = t};
		struct kesu_engine_opts o = {0};
		o.chunk_bytes = CHUNK;
		o.queue_depth = qd;
		o.checkpoint = check_prefix;
		o.checkpoint_ud = &log;
		o.checkpoint_every_s = 1e-9;
		struct kesu_err err;
		assert_int_equal(kesu_engine_run(t, &w, &o, &err), KESU_OK);
		assert_int_equal(w.result, KESU_RESULT_FAILED);
		assert_non_null(strstr(w.reason, "flushing the device's write cache before a "
						 "checkpoint failed"));
		assert_false(w.device_gone);
		/* Phase start (flush 1) and one periodic (flush 2) saved. */
		assert_int_equal(log.calls, 2);
		assert_false(log.claimed_unwritten);
		assert_int_equal(fault_target_stats(t)->in_flight, 0);
		kesu_wipe_free(&w);
		kesu_target_close(t);
	}
}

/* A request that moves half its bytes is not counted as done: the chunk is
 * written again block by block, and nothing is lost or counted twice. */
static void short_completion_is_retried(void **state)
{
	(void)state;
	struct fault_spec f = {.async_depth = 4, .async_order = ASYNC_SHUFFLE,
			       .short_on = true, .short_off = 5 * CHUNK};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	memset(fault_target_data(t), 0x11, SIZE);
	struct kesu_wipe w;
	wipe_with(&w, "00", KESU_VERIFY_LAST);
	run_qd(t, &w, 4);
	assert_int_equal(fault_target_stats(t)->shorts, 2); /* the write and the read */
	assert_int_equal(w.result, KESU_RESULT_ERASED);
	assert_int_equal(w.bad.n, 0);
	assert_int_equal(w.bytes_written, SIZE);
	assert_int_equal(w.bytes_verified, SIZE);
	assert_true(all_bytes(fault_target_data(t), SIZE, 0));
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

/* The device goes away with requests in flight: failed, the cause named,
 * and only chunks whose writes completed, in order, counted. */
static void removal_with_requests_in_flight(void **state)
{
	(void)state;
	struct fault_spec f = {.async_depth = 4, .async_order = ASYNC_LIFO,
			       .disappear_after_writes = 5};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	memset(fault_target_data(t), 0x11, SIZE);
	struct kesu_wipe w;
	wipe_with(&w, "00", KESU_VERIFY_LAST);
	run_qd(t, &w, 4);
	assert_int_equal(w.result, KESU_RESULT_FAILED);
	assert_true(w.device_gone);
	assert_non_null(strstr(w.reason, "disappeared"));
	assert_int_equal(w.bytes_written % CHUNK, 0);
	assert_true(w.bytes_written <= 5 * CHUNK);
	assert_true(all_bytes(fault_target_data(t), w.bytes_written, 0));
	assert_int_equal(fault_target_stats(t)->in_flight, 0); /* all waited for */
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

/* Stopped with requests in flight: the offset is a chunk boundary below
 * which everything is written, and a resume at another depth finishes. */
static void interrupt_with_requests_in_flight_then_resume(void **state)
{
	(void)state;
	atomic_int stop = 0;
	struct fault_spec f = {.async_depth = 8, .async_order = ASYNC_SHUFFLE,
			       .stop = &stop, .stop_after_writes = 9};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	struct kesu_wipe w;
	wipe_with(&w, "ee", KESU_VERIFY_LAST);
	struct kesu_engine_opts o = {0};
	o.chunk_bytes = CHUNK;
	o.queue_depth = 8;
	o.stop = &stop;
	struct kesu_err err;
	assert_int_equal(kesu_engine_run(t, &w, &o, &err), KESU_OK);
	assert_int_equal(w.result, KESU_RESULT_INTERRUPTED);
	assert_int_equal(w.offset % CHUNK, 0);
	assert_true(w.offset > 0 && w.offset < SIZE);
	assert_int_equal(w.bytes_written, w.offset);
	assert_true(all_bytes(fault_target_data(t), w.offset, 0xee));
	assert_int_equal(fault_target_stats(t)->in_flight, 0);
	atomic_store(&stop, 0);
	fault_target_stats(t)->writes = -1000000; /* no second stop */
	kesu_wipe_prepare_resume(&w);
	o.queue_depth = 3;
	assert_int_equal(kesu_engine_run(t, &w, &o, &err), KESU_OK);
	assert_int_equal(w.result, KESU_RESULT_ERASED);
	assert_int_equal(w.bytes_written, SIZE);
	assert_true(all_bytes(fault_target_data(t), SIZE, 0xee));
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

/* Generating a chunk fails (as a broken crypto library would) with
 * requests in flight: the run fails with the cause, every chunk started
 * before it is written and counted in order, nothing is left in flight,
 * and the queued path ends exactly where the synchronous one does. */
static void failed_fill_ends_the_run_after_the_chunks_in_flight(void **state)
{
	(void)state;
	const uint64_t at = 10 * CHUNK + 4096; /* inside chunk 10 */
	for (unsigned qd = 1; qd <= 4; qd += 3) {
		struct fault_spec f = {.async_depth = qd > 1 ? qd : 0,
				       .async_order = ASYNC_SHUFFLE};
		struct kesu_target *t = fault_target_new(SIZE, BS, &f);
		memset(fault_target_data(t), 0x11, SIZE);
		struct kesu_wipe w;
		wipe_with(&w, "random", KESU_VERIFY_LAST);
		struct kesu_engine_opts o = {0};
		o.chunk_bytes = CHUNK;
		o.queue_depth = qd;
		o.fail_fill_at = at;
		struct kesu_err err;
		assert_int_not_equal(kesu_engine_run(t, &w, &o, &err), KESU_OK);
		assert_non_null(strstr(err.msg, "injected generator failure"));
		assert_int_equal(w.io.queued, qd > 1);
		assert_int_equal(w.result, KESU_RESULT_FAILED);
		assert_non_null(strstr(w.reason, "injected generator failure"));
		assert_int_equal(w.bytes_written, 10 * CHUNK);
		assert_int_equal(w.offset, 10 * CHUNK);
		assert_int_equal(w.bytes_verified, 0);
		/* The chunk that failed was never written. */
		assert_true(all_bytes(fault_target_data(t) + 10 * CHUNK, CHUNK, 0x11));
		assert_false(all_bytes(fault_target_data(t), CHUNK, 0x11));
		assert_int_equal(fault_target_stats(t)->in_flight, 0);
		kesu_wipe_free(&w);
		kesu_target_close(t);
	}
}

/* A read that fails while later reads are in flight and earlier chunks are
 * being compared: the unreadable blocks are a bad range, the pass is not
 * verified and the run is not erased; the chunks around it verify. */
static void failed_read_in_pipelined_verification(void **state)
{
	(void)state;
	struct fault_spec f = {.async_depth = 4, .async_order = ASYNC_LIFO,
			       .rerr_lba = 20 * (CHUNK / BS) + 5, .rerr_count = 2};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	struct kesu_wipe w;
	wipe_with(&w, "random", KESU_VERIFY_LAST);
	run_qd(t, &w, 4);
	assert_true(w.io.queued);
	assert_true(fault_target_stats(t)->out_of_order > 0);
	assert_int_equal(w.result, KESU_RESULT_EXCEPTIONS);
	assert_int_equal(w.passes[0].verified, 0);
	assert_int_equal(w.unreadable_blocks, 2);
	assert_int_equal(w.bad.n, 1);
	assert_int_equal(w.bad.v[0].first_lba, 20 * (CHUNK / BS) + 5);
	assert_int_equal(w.bad.v[0].count, 2);
	assert_int_equal(w.bad.v[0].op, KESU_BAD_READ);
	assert_int_equal(w.bytes_verified, SIZE - 2 * BS);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

/* At depth n the queued path gives the ring only n buffers and every
 * request uses the one at its index, writing and reading back: the other
 * slots of the region are never touched, so never faulted in (at depth 4,
 * 16 MiB of buffers instead of 24). */
static void only_the_depths_buffers_are_used(void **state)
{
	(void)state;
	const char *methods[] = {"random", "55,aa"};
	for (unsigned qd = 2; qd <= 8; qd *= 2) {
		for (size_t m = 0; m < 2; m++) {
			struct fault_spec f = {.async_depth = qd, .async_order = ASYNC_SHUFFLE};
			struct kesu_target *t = fault_target_new(SIZE, BS, &f);
			struct kesu_wipe w;
			wipe_with(&w, methods[m], KESU_VERIFY_ALL);
			run_qd(t, &w, qd);
			assert_int_equal(w.result, KESU_RESULT_ERASED);
			const struct fault_stats *st = fault_target_stats(t);
			assert_int_equal(st->buffers_given, qd);
			assert_int_equal(st->unregistered_bufs, 0);
			assert_int_equal(st->max_in_flight, qd);
			kesu_wipe_free(&w);
			kesu_target_close(t);
		}
	}
}

/* No queued path (a memory target), or one that refuses (no io_uring):
 * the synchronous path, the same result, and the reason kept. */
static void falls_back_to_synchronous(void **state)
{
	(void)state;
	struct kesu_target *m = mem_target_new(SIZE, BS);
	struct kesu_wipe w;
	wipe_with(&w, "random", KESU_VERIFY_ALL);
	run_qd(m, &w, 8);
	assert_int_equal(w.result, KESU_RESULT_ERASED);
	assert_false(w.io.queued);
	assert_int_equal(w.io.queue_depth, 1);
	assert_int_equal(w.io.queue_depth_asked, 8);
	assert_non_null(strstr(w.io.fallback, "no queued I/O path"));
	kesu_wipe_free(&w);
	kesu_target_close(m);

	struct fault_spec f = {.async_depth = 8, .async_setup_fails = true,
			       .werr_lba = 10, .werr_count = 1};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	wipe_with(&w, "00", KESU_VERIFY_ALL);
	run_qd(t, &w, 8);
	assert_false(w.io.queued);
	assert_non_null(strstr(w.io.fallback, "io_uring unavailable"));
	assert_int_equal(fault_target_stats(t)->max_in_flight, 0);
	assert_int_equal(w.result, KESU_RESULT_EXCEPTIONS);
	assert_int_equal(w.bad.n, 1);
	assert_int_equal(w.bad.v[0].first_lba, 10);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

static void queue_depth_parse_and_memory_bound(void **state)
{
	(void)state;
	unsigned qd = 0;
	assert_true(kesu_queue_depth_parse("1", &qd) && qd == 1);
	assert_true(kesu_queue_depth_parse("16", &qd) && qd == 16);
	const char *bad[] = {"0", "17", "", "x", "4x", "-1", " 4", "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(kesu_queue_depth_parse(bad[i], &qd));
	const uint64_t MiB = 1u << 20;
	/* The numbers kesu(8) and --help state. */
	assert_int_equal(kesu_engine_buffer_bytes(1, 0), 12 * MiB);
	assert_int_equal(kesu_engine_buffer_bytes(4, 0), 12 * MiB);
	assert_int_equal(kesu_engine_buffer_bytes(8, 0), 20 * MiB);
	assert_int_equal(kesu_engine_buffer_bytes(KESU_QUEUE_DEPTH_MAX, 0), 36 * MiB);
	/* And what a run really allocates. */
	struct fault_spec f = {.async_depth = 16};
	struct kesu_target *t = fault_target_new(SIZE, BS, &f);
	struct kesu_wipe w;
	wipe_with(&w, "00", KESU_VERIFY_NONE);
	run_qd(t, &w, 16);
	assert_int_equal(w.io.buffer_bytes, kesu_engine_buffer_bytes(16, CHUNK));
	assert_int_equal(w.io.buffer_bytes, 18 * CHUNK);
	kesu_wipe_free(&w);
	kesu_target_close(t);
}

/* The default depth shares about two requests per CPU among the devices,
 * between 2 and 4 a device. */
static void default_depth_by_devices_and_cpus(void **state)
{
	(void)state;
	static const struct {
		size_t devices;
		unsigned cpus, depth;
	} cases[] = {
		{1, 2, 4},  {2, 2, 2}, {3, 2, 2},  {4, 2, 2},  {8, 2, 2},   {1, 1, 2},
		{2, 1, 2},  {1, 8, 4}, {4, 8, 4},  {5, 8, 3},  {6, 8, 2},   {16, 8, 2},
		{64, 64, 2}, {32, 64, 4}, {0, 2, 4}, {1, 0, 2}, {1000, 1, 2},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned got = kesu_queue_depth_for(cases[i].devices, cases[i].cpus);
		if (got != cases[i].depth)
			fail_msg("%zu devices on %u CPUs: depth %u, want %u", cases[i].devices,
				 cases[i].cpus, got, cases[i].depth);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(faults_recorded_as_on_the_synchronous_path),
		cmocka_unit_test(checkpoint_claims_only_the_completed_prefix),
		cmocka_unit_test(failed_checkpoint_flush_fails_the_run),
		cmocka_unit_test(short_completion_is_retried),
		cmocka_unit_test(removal_with_requests_in_flight),
		cmocka_unit_test(interrupt_with_requests_in_flight_then_resume),
		cmocka_unit_test(failed_fill_ends_the_run_after_the_chunks_in_flight),
		cmocka_unit_test(failed_read_in_pipelined_verification),
		cmocka_unit_test(only_the_depths_buffers_are_used),
		cmocka_unit_test(falls_back_to_synchronous),
		cmocka_unit_test(queue_depth_parse_and_memory_bound),
		cmocka_unit_test(default_depth_by_devices_and_cpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
