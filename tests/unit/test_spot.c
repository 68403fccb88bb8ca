/* Spot checks: what is read (a NIST sample plus both edges, or all), the
 * confidence statement, the verdict over what was found, and the reader
 * against memory and fault-injecting media: unreadable blocks are listed
 * exactly and never counted as blank. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "test_targets.h"
#include "wipe/engine/stream.h"
#include "wipe/inspect/spot.h"

#define MIB (1ull << 20)

static void aes_fill(void *buf, size_t len, uint64_t off)
{
	struct kesu_stream_key k;
	memset(&k, 0x42, sizeof(k));
	k.cipher = KESU_STREAM_AES_128_CTR;
	struct kesu_stream *s;
	struct kesu_err err = {0};
	assert_int_equal(kesu_stream_new(&k, &s, &err), KESU_OK);
	assert_int_equal(kesu_stream_fill(s, off, buf, len, &err), KESU_OK);
	kesu_stream_free(s);
}

static void sample_plan_reads_both_edges(void **state)
{
	(void)state;
	struct kesu_spot_plan p;
	struct kesu_err err = {0};
	uint64_t size = 256 * MIB;
	assert_int_equal(kesu_spot_plan_sample(size, 512, 99, &p, &err), KESU_OK);
	assert_false(p.full);
	assert_int_equal(p.seed, 99);
	assert_true(p.locations >= 2000);
	assert_int_equal(p.ranges[0].offset, 0);
	assert_true(p.ranges[0].length >= MIB);
	const struct kesu_spot_range *last = &p.ranges[p.count - 1];
	assert_int_equal(last->offset + last->length, size);
	assert_true(last->length >= MIB);
	uint64_t sum = 0, prev_end = 0;
	for (size_t i = 0; i < p.count; i++) {
		if (i)
			assert_true(p.ranges[i].offset > prev_end); /* merged: gaps */
		assert_int_equal(p.ranges[i].offset % 512, 0);
		assert_int_equal(p.ranges[i].length % 512, 0);
		prev_end = p.ranges[i].offset + p.ranges[i].length;
		sum += p.ranges[i].length;
	}
	assert_int_equal(sum, p.total_bytes);
	assert_true(p.total_bytes * 10 >= size);   /* NIST: >= 10% */
	assert_true(p.total_bytes < size / 2);
	/* the same seed, the same plan; another seed, another */
	struct kesu_spot_plan q;
	assert_int_equal(kesu_spot_plan_sample(size, 512, 99, &q, &err), KESU_OK);
	assert_int_equal(q.count, p.count);
	assert_memory_equal(q.ranges, p.ranges, p.count * sizeof(*p.ranges));
	kesu_spot_plan_free(&q);
	assert_int_equal(kesu_spot_plan_sample(size, 512, 100, &q, &err), KESU_OK);
	assert_true(q.count != p.count ||
		    memcmp(q.ranges, p.ranges, p.count * sizeof(*p.ranges)));
	kesu_spot_plan_free(&q);
	kesu_spot_plan_free(&p);

	/* too small for the NIST plan: read in full */
	assert_int_equal(kesu_spot_plan_sample(512 * 1000, 512, 1, &p, &err), KESU_OK);
	assert_true(p.full);
	assert_int_equal(p.count, 1);
	assert_int_equal(p.total_bytes, 512 * 1000);
	assert_int_equal(p.locations, 0);
	kesu_spot_plan_free(&p);
	assert_int_equal(kesu_spot_plan_full(4 * MIB, 4096, &p, &err), KESU_OK);
	assert_true(p.full);
	assert_int_equal(p.ranges[0].length, 4 * MIB);
	kesu_spot_plan_free(&p);

	/* geometry errors */
	assert_int_equal(kesu_spot_plan_full(4 * MIB + 100, 512, &p, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "whole number"));
	assert_int_equal(kesu_spot_plan_sample(4 * MIB, 0, 1, &p, &err), KESU_ERR_INVALID);
	assert_int_equal(kesu_spot_plan_sample(4 * MIB, 1000, 1, &p, &err), KESU_ERR_INVALID);
	assert_int_equal(kesu_spot_plan_full(0, 512, &p, &err), KESU_ERR_INVALID);
}

static void confidence_formula(void **state)
{
	(void)state;
	/* 1 - 0.01^(1/2002) = 0.0022975... : "0.23% or more" */
	double p = kesu_spot_detectable_fraction(2002, 0.99);
	assert_true(p > 0.002297 && p < 0.002298);
	assert_true(kesu_spot_detectable_fraction(1, 0.5) == 0.5);
	/* two locations at 75%: 1 - 0.25^(1/2) = 0.5 */
	p = kesu_spot_detectable_fraction(2, 0.75);
	assert_true(p > 0.4999999 && p < 0.5000001);
	/* more confidence, larger fraction; more samples, smaller */
	assert_true(kesu_spot_detectable_fraction(2002, 0.999) >
		    kesu_spot_detectable_fraction(2002, 0.99));
	assert_true(kesu_spot_detectable_fraction(4000, 0.99) <
		    kesu_spot_detectable_fraction(2002, 0.99));
	/* (1-p)^k == 1-C: the definition, checked back */
	p = kesu_spot_detectable_fraction(2002, 0.99);
	double miss = 1;
	for (int i = 0; i < 2002; i++)
		miss *= 1 - p;
	assert_true(miss > 0.0099999 && miss < 0.0100001);
	/* nonsense gives "no statement": everything */
	assert_true(kesu_spot_detectable_fraction(0, 0.99) == 1.0);
	assert_true(kesu_spot_detectable_fraction(10, 1.0) == 1.0);
	assert_true(kesu_spot_detectable_fraction(10, 0.0) == 1.0);
	assert_true(kesu_spot_detectable_fraction(10, -3) == 1.0);
}

static void verdicts(void **state)
{
	(void)state;
	struct kesu_spot_result r;
	kesu_spot_result_init(&r);
	/* nothing read is not "no data found" */
	assert_int_equal(kesu_spot_verdict(&r), KESU_SPOT_INCOMPLETE);
	uint8_t *b = aligned_alloc(4096, 2 * MIB);
	assert_non_null(b);
	memset(b, 0, 2 * MIB);
	kesu_spot_inspect(&r, 64 * MIB, b, 2 * MIB, 0);
	aes_fill(b, 2 * MIB, 2 * MIB);
	kesu_spot_inspect(&r, 64 * MIB, b, 2 * MIB, 2 * MIB);
	memset(b, 0xFF, MIB);
	kesu_spot_inspect(&r, 64 * MIB, b, MIB, 4 * MIB);
	assert_int_equal(r.bytes_read, 5 * MIB);
	assert_int_equal(r.bytes[KESU_REGION_ZERO], 2 * MIB);
	assert_int_equal(r.bytes[KESU_REGION_RANDOM], 2 * MIB);
	assert_int_equal(r.bytes[KESU_REGION_ONE], MIB);
	assert_int_equal(r.n_findings, 0);
	assert_int_equal(kesu_spot_verdict(&r), KESU_SPOT_NO_DATA_FOUND);
	assert_string_equal(kesu_spot_verdict_name(kesu_spot_verdict(&r)), "no-data-found");

	/* unreadable blocks: incomplete, merged, exact */
	struct kesu_spot_result u = r;
	kesu_spot_unreadable(&u, 10 * 512, 512);
	kesu_spot_unreadable(&u, 11 * 512, 512);
	kesu_spot_unreadable(&u, 20 * 512, 512);
	assert_int_equal(kesu_spot_verdict(&u), KESU_SPOT_INCOMPLETE);
	assert_int_equal(u.n_unreadable, 2);
	assert_int_equal(u.unreadable[0].offset, 5120);
	assert_int_equal(u.unreadable[0].length, 1024);
	assert_int_equal(u.unreadable_bytes, 1536);
	struct kesu_spot_result z = r;
	z.size_changed = true;
	assert_int_equal(kesu_spot_verdict(&z), KESU_SPOT_INCOMPLETE);

	/* two zero-padded fragments next to each other: one "data" finding */
	memset(b, 0, 2 * MIB);
	memset(b + 100000, 'A', 10);
	memset(b + 140000, 'B', 10);
	kesu_spot_inspect(&u, 64 * MIB, b, 2 * MIB, 8 * MIB);
	assert_int_equal(kesu_spot_verdict(&u), KESU_SPOT_DATA_FOUND);
	assert_int_equal(u.n_findings, 1);
	assert_string_equal(u.findings[0].what, "data");
	assert_true(u.findings[0].offset <= 8 * MIB + 100000);
	assert_true(u.findings[0].offset + u.findings[0].length >= 8 * MIB + 140010);
	assert_true(u.findings[0].length <= 3 * KESU_SPOT_CELL);

	/* text hidden in random-looking bytes: the cell stays random, the
	 * text is still found */
	kesu_spot_result_init(&r);
	aes_fill(b, MIB, 0);
	memcpy(b + 300000, "Resident register extract: name, address, My Number.",
	       52);
	kesu_spot_inspect(&r, 64 * MIB, b, MIB, 16 * MIB);
	assert_int_equal(r.cells[KESU_REGION_DATA], 0);
	assert_int_equal(kesu_spot_verdict(&r), KESU_SPOT_DATA_FOUND);
	assert_string_equal(r.findings[0].what, "text");
	/* a run of printable bytes in a constant cell is a pattern, not text */
	kesu_spot_result_init(&r);
	memset(b, 'A', MIB);
	kesu_spot_inspect(&r, 64 * MIB, b, MIB, 0);
	assert_int_equal(r.n_findings, 0);
	assert_int_equal(kesu_spot_verdict(&r), KESU_SPOT_NO_DATA_FOUND);

	/* more findings than are kept: counted, first ones stored */
	kesu_spot_result_init(&r);
	for (int i = 0; i < 200; i++) {
		memset(b, 0, MIB);
		b[i] = 1;
		kesu_spot_inspect(&r, 1024 * MIB, b, MIB, (uint64_t)(2 * i) * MIB);
	}
	assert_int_equal(r.n_findings, KESU_SPOT_MAX_FINDINGS);
	assert_int_equal(r.total_findings, 200);
	free(b);
}

static enum kesu_rc read_all(struct kesu_target *t, bool full, struct kesu_spot_result *r,
			     struct kesu_err *err)
{
	struct kesu_spot_plan p;
	enum kesu_rc rc = full ? kesu_spot_plan_full(t->size, t->block_size, &p, err)
			       : kesu_spot_plan_sample(t->size, t->block_size, 7, &p, err);
	assert_int_equal(rc, KESU_OK);
	kesu_spot_result_init(r);
	rc = kesu_spot_read(t, &p, NULL, r, err);
	kesu_spot_plan_free(&p);
	return rc;
}

static void reads_memory_media(void **state)
{
	(void)state;
	struct kesu_err err = {0};
	struct kesu_spot_result r;
	uint64_t size = 32 * MIB;
	struct kesu_target *t = mem_target_new(size, 512);
	assert_non_null(t);
	assert_int_equal(read_all(t, true, &r, &err), KESU_OK);
	assert_int_equal(r.bytes_read, size);
	assert_int_equal(r.bytes[KESU_REGION_ZERO], size);
	assert_int_equal(kesu_spot_verdict(&r), KESU_SPOT_NO_DATA_FOUND);
	assert_false(r.size_changed);

	/* erased with the AES-CTR stream: random-looking, sample and full */
	aes_fill(mem_target_data(t), size, 0);
	assert_int_equal(read_all(t, false, &r, &err), KESU_OK);
	assert_int_equal(kesu_spot_verdict(&r), KESU_SPOT_NO_DATA_FOUND);
	assert_true(r.bytes_read < size);
	assert_int_equal(read_all(t, true, &r, &err), KESU_OK);
	assert_int_equal(kesu_spot_verdict(&r), KESU_SPOT_NO_DATA_FOUND);
	assert_int_equal(r.bytes[KESU_REGION_RANDOM], size);

	/* one text file's worth in the middle: the full read finds it */
	uint8_t *d = mem_target_data(t);
	memset(d, 0, size);
	for (int i = 0; i < 100; i++)
		memcpy(d + size / 2 + 100 + 40 * i, "Taro Yamada, 1-1 Kasumigaseki, Tokyo\n", 37);
	assert_int_equal(read_all(t, true, &r, &err), KESU_OK);
	assert_int_equal(kesu_spot_verdict(&r), KESU_SPOT_DATA_FOUND);
	bool text = false;
	for (size_t i = 0; i < r.n_findings; i++)
		text = text || (!strcmp(r.findings[i].what, "text") &&
				r.findings[i].offset >= size / 2);
	assert_true(text);
	kesu_target_close(t);
}

static void unreadable_blocks_are_never_blank(void **state)
{
	(void)state;
	struct kesu_err err = {0};
	struct kesu_spot_result r;
	/* blocks 1001..3009 and, in the last MiB, 65530..65532 fail; the rest
	 * is zero */
	struct fault_spec spec = {.rerr_lba = 1001, .rerr_count = 9};
	struct kesu_target *t = fault_target_new(32 * MIB, 512, &spec);
	assert_non_null(t);
	assert_int_equal(read_all(t, true, &r, &err), KESU_OK);
	assert_int_equal(kesu_spot_verdict(&r), KESU_SPOT_INCOMPLETE);
	assert_int_equal(r.n_unreadable, 1);
	assert_int_equal(r.unreadable[0].offset, 1001 * 512);
	assert_int_equal(r.unreadable[0].length, 9 * 512);
	assert_int_equal(r.unreadable_bytes, 9 * 512);
	/* every other byte was read and classified */
	assert_int_equal(r.bytes_read, 32 * MIB - 9 * 512);
	assert_int_equal(r.bytes[KESU_REGION_ZERO], 32 * MIB - 9 * 512);
	/* the sample always reads the first MiB, so it hits them too */
	assert_int_equal(read_all(t, false, &r, &err), KESU_OK);
	assert_int_equal(kesu_spot_verdict(&r), KESU_SPOT_INCOMPLETE);
	assert_int_equal(r.unreadable[0].offset, 1001 * 512);
	/* data next to the bad blocks is still found: data-found wins */
	fault_target_data(t)[1000 * 512 + 7] = 0x42;
	assert_int_equal(read_all(t, true, &r, &err), KESU_OK);
	assert_int_equal(kesu_spot_verdict(&r), KESU_SPOT_DATA_FOUND);
	assert_int_equal(r.n_unreadable, 1);
	kesu_target_close(t);
}

static void medium_faults(void **state)
{
	(void)state;
	struct kesu_err err = {0};
	struct kesu_spot_result r;
	uint8_t *blk = aligned_alloc(4096, 4096);
	assert_non_null(blk);
	memset(blk, 0, 4096);

	/* the size changes during the read */
	struct fault_spec spec = {.resize_after_writes = 1};
	struct kesu_target *t = fault_target_new(8 * MIB, 512, &spec);
	assert_int_equal(t->ops->pwrite(t, blk, 512, 0), 512);
	assert_int_equal(read_all(t, true, &r, &err), KESU_OK);
	assert_true(r.size_changed);
	assert_int_equal(r.size_after, 4 * MIB);
	assert_int_equal(kesu_spot_verdict(&r), KESU_SPOT_INCOMPLETE);
	kesu_target_close(t);

	/* the medium disappears: an error, no verdict */
	spec = (struct fault_spec){.disappear_after_writes = 1};
	t = fault_target_new(8 * MIB, 512, &spec);
	assert_int_equal(t->ops->pwrite(t, blk, 512, 0), 512);
	assert_int_equal(read_all(t, true, &r, &err), KESU_ERR_GONE);
	assert_non_null(strstr(err.msg, "disappeared"));
	kesu_target_close(t);

	/* the cache cannot be dropped: nothing is read */
	spec = (struct fault_spec){.fail_drop_cache = true};
	t = fault_target_new(8 * MIB, 512, &spec);
	assert_int_equal(read_all(t, true, &r, &err), KESU_ERR_IO);
	assert_non_null(strstr(err.msg, "cache"));
	assert_int_equal(fault_target_stats(t)->reads, 0);
	kesu_target_close(t);

	/* a stop request ends the read between chunks */
	atomic_int stop = SIGINT;
	t = mem_target_new(8 * MIB, 512);
	struct kesu_spot_plan p;
	assert_int_equal(kesu_spot_plan_full(t->size, 512, &p, &err), KESU_OK);
	struct kesu_spot_io io = {.stop = &stop};
	kesu_spot_result_init(&r);
	assert_int_equal(kesu_spot_read(t, &p, &io, &r, &err), KESU_ERR_INTERRUPTED);
	assert_int_equal(r.bytes_read, 0);
	kesu_spot_plan_free(&p);
	kesu_target_close(t);
	free(blk);
}

static void cb(void *ud, uint64_t done, uint64_t total)
{
	uint64_t *last = ud;
	assert_true(done > last[0] && done <= total);
	last[0] = done;
	last[1] = total;
}

static void progress_counts_to_the_total(void **state)
{
	(void)state;
	uint64_t last[2] = {0, 0};
	struct kesu_target *t = mem_target_new(5 * MIB + 512, 512);
	struct kesu_spot_plan p;
	struct kesu_err err = {0};
	struct kesu_spot_result r;
	assert_int_equal(kesu_spot_plan_full(t->size, 512, &p, &err), KESU_OK);
	struct kesu_spot_io io = {.progress = cb, .ud = last};
	kesu_spot_result_init(&r);
	assert_int_equal(kesu_spot_read(t, &p, &io, &r, &err), KESU_OK);
	assert_int_equal(last[0], 5 * MIB + 512);
	assert_int_equal(last[1], 5 * MIB + 512);
	kesu_spot_plan_free(&p);
	kesu_target_close(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sample_plan_reads_both_edges),
		cmocka_unit_test(confidence_formula),
		cmocka_unit_test(verdicts),
		cmocka_unit_test(reads_memory_media),
		cmocka_unit_test(unreadable_blocks_are_never_blank),
		cmocka_unit_test(medium_faults),
		cmocka_unit_test(progress_counts_to_the_total),
	};
	return cmocka_run_group_tests_name("spot", tests, NULL, NULL);
}
