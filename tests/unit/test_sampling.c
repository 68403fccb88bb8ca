/* The NIST sampling plan meets its numbers on small, odd and huge media, is
 * deterministic from its seed, and never reads outside the medium. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "wipe/engine/sampling.h"

/* Every rule checked from the plan alone, with the subsection boundaries of
 * the documented rule: subsection i = blocks [i*N/S, (i+1)*N/S). */
static void check_plan(uint64_t size, uint32_t bs, const struct kesu_sample_plan *p)
{
	uint64_t nblocks = size / bs;
	assert_true(p->count > 0);
	uint64_t sum = 0, prev_end = 0;
	for (size_t i = 0; i < p->count; i++) {
		const struct kesu_sample *s = &p->samples[i];
		assert_true(s->length > 0);
		assert_int_equal(s->offset % bs, 0);
		assert_int_equal(s->length % bs, 0);
		if (i > 0 && s->offset < prev_end)
			fail_msg("sample %zu at %llu overlaps the previous one ending at %llu", i,
				 (unsigned long long)s->offset, (unsigned long long)prev_end);
		assert_true(s->offset + s->length <= size);
		assert_true(s->offset + s->length > s->offset);   /* no wrap */
		prev_end = s->offset + s->length;
		sum += s->length;
	}
	assert_int_equal(sum, p->total_bytes);
	/* first and last addressable blocks */
	assert_int_equal(p->samples[0].offset, 0);
	assert_int_equal(p->samples[p->count - 1].offset + p->samples[p->count - 1].length, size);
	/* at least 10% of the medium */
	assert_true((unsigned __int128)p->total_bytes * 10 >= (unsigned __int128)size);

	if (p->count == 1 && p->samples[0].length == size) {
		/* full read: only for media without room for 1,000 subsections */
		assert_true(nblocks < 2000);
		return;
	}
	assert_true(p->subsections >= 1000);
	size_t j = 0;
	for (uint64_t i = 0; i < p->subsections; i++) {
		uint64_t a = (uint64_t)((unsigned __int128)nblocks * i / p->subsections) * bs;
		uint64_t b = (uint64_t)((unsigned __int128)nblocks * (i + 1) / p->subsections) * bs;
		size_t big = 0;
		uint64_t covered = 0;
		for (; j < p->count && p->samples[j].offset < b; j++) {
			const struct kesu_sample *s = &p->samples[j];
			/* a sample never straddles two subsections */
			assert_true(s->offset >= a);
			assert_true(s->offset + s->length <= b);
			covered += s->length;
			/* the pseudorandom samples are each >= 5% of their
			 * subsection; the first/last-block extras may be smaller */
			if (s->length * 20 >= b - a)
				big++;
		}
		if (big < 2)
			fail_msg("subsection %llu has %zu samples of >= 5%%", (unsigned long long)i, big);
		assert_true(covered * 20 >= b - a);   /* >= 5% of the subsection */
	}
	assert_int_equal(j, p->count);
}

static void plan_ok(uint64_t size, uint32_t bs, uint64_t seed, struct kesu_sample_plan *p)
{
	struct kesu_err err = {0};
	assert_int_equal(kesu_sampling_plan(size, bs, seed, p, &err), KESU_OK);
	check_plan(size, bs, p);
}

static void small_media_are_read_in_full(void **state)
{
	(void)state;
	struct kesu_sample_plan p;
	/* 1 MiB at 4096-byte blocks (256 blocks), 512 KiB at 512 (1024), 1999
	 * blocks, one block */
	const uint64_t sizes[] = {1 << 20, 512 << 10, 1999 * 512ull, 512};
	const uint32_t bss[] = {4096, 512, 512, 512};
	for (size_t i = 0; i < 4; i++) {
		plan_ok(sizes[i], bss[i], 42, &p);
		assert_int_equal(p.count, 1);
		assert_int_equal(p.samples[0].offset, 0);
		assert_int_equal(p.samples[0].length, sizes[i]);
		assert_int_equal(p.total_bytes, sizes[i]);
		kesu_sampling_plan_free(&p);
	}
}

static void one_mib_at_512_is_sampled(void **state)
{
	(void)state;
	struct kesu_sample_plan p;
	plan_ok(1 << 20, 512, 7, &p);   /* 2048 blocks: subsections of 2-3 */
	assert_int_equal(p.subsections, 1000);
	assert_true(p.count >= 2000 && p.count <= 2002);
	kesu_sampling_plan_free(&p);
	plan_ok(2000 * 512, 512, 7, &p); /* exactly 2 blocks per subsection */
	assert_int_equal(p.total_bytes, 2000 * 512);
	kesu_sampling_plan_free(&p);
}

static void odd_sizes_hold_the_numbers(void **state)
{
	(void)state;
	struct kesu_sample_plan p;
	/* prime block counts, sizes not divisible by 1000, 4Kn and 512e */
	const uint64_t nblocks[] = {2003, 4001, 19997, 123457, 999983, 7777777, 32000001};
	const uint32_t bss[] = {512, 4096};
	for (size_t a = 0; a < sizeof(nblocks) / sizeof(nblocks[0]); a++)
		for (size_t b = 0; b < 2; b++)
			for (uint64_t seed = 0; seed < 3; seed++) {
				plan_ok(nblocks[a] * bss[b], bss[b], seed * 0x12345, &p);
				assert_int_equal(p.subsections, 1000);
				kesu_sampling_plan_free(&p);
			}
}

static void huge_device_stays_small(void **state)
{
	(void)state;
	struct kesu_sample_plan p;
	uint64_t size = 20000000000000ull / 4096 * 4096;   /* 20 TB at 4096 */
	plan_ok(size, 4096, 99, &p);
	assert_true(p.count >= 2000 && p.count <= 2002);
	/* about 10%, not much more: a sample plan that reads half the disk
	 * would defeat its purpose */
	assert_true(p.total_bytes < size / 9);
	kesu_sampling_plan_free(&p);
	/* the largest size a 64-bit offset allows still works */
	size = UINT64_MAX / 512 * 512;
	plan_ok(size, 512, 1, &p);
	kesu_sampling_plan_free(&p);
}

static void plan_is_deterministic_from_its_seed(void **state)
{
	(void)state;
	struct kesu_sample_plan a, b, c;
	uint64_t size = 500107862016ull;   /* a 500 GB disk, 512-byte sectors */
	plan_ok(size, 512, 0xdeadbeef, &a);
	plan_ok(size, 512, 0xdeadbeef, &b);
	plan_ok(size, 512, 0xdeadbef0, &c);
	assert_int_equal(a.count, b.count);
	assert_memory_equal(a.samples, b.samples, a.count * sizeof(*a.samples));
	size_t differ = 0;
	for (size_t i = 0; i < a.count && i < c.count; i++)
		differ += a.samples[i].offset != c.samples[i].offset;
	assert_true(differ > a.count / 2);   /* pseudorandom, not fixed */
	kesu_sampling_plan_free(&a);
	kesu_sampling_plan_free(&b);
	kesu_sampling_plan_free(&c);
	kesu_sampling_plan_free(&c);   /* freeing twice is harmless */
}

static void bad_geometry_is_refused(void **state)
{
	(void)state;
	struct kesu_sample_plan p;
	struct kesu_err err = {0};
	assert_int_equal(kesu_sampling_plan(1 << 20, 0, 1, &p, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "block size is 0"));
	assert_null(p.samples);
	assert_int_equal(kesu_sampling_plan(1000, 4096, 1, &p, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "less than one"));
	assert_int_equal(kesu_sampling_plan((1 << 20) + 100, 512, 1, &p, &err),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "not a multiple"));
	assert_non_null(strstr(err.msg, "--verify=last"));
	assert_int_equal(p.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(small_media_are_read_in_full),
		cmocka_unit_test(one_mib_at_512_is_sampled),
		cmocka_unit_test(odd_sizes_hold_the_numbers),
		cmocka_unit_test(huge_device_stays_small),
		cmocka_unit_test(plan_is_deterministic_from_its_seed),
		cmocka_unit_test(bad_geometry_is_refused),
	};
	return cmocka_run_group_tests_name("sampling", tests, NULL, NULL);
}
