/* The per-pass speeds 'kesu cert show' prints from a run record
 * (certs/document/run_speed.c): numbers only, in English or Japanese, and
 * nothing printed as a fact that is not a well-formed timing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "certs/document/run_speed.h"

#include <string.h>

static void speed_of(const char *pass_json, bool ja, char *buf, size_t n)
{
	json_error_t je;
	json_t *p = json_loads(pass_json, 0, &je);
	assert_non_null(p);
	kesu_run_pass_speed(p, ja, buf, n);
	json_decref(p);
}

static void timed_phases(void **state)
{
	(void)state;
	char b[300];
	const char *both = "{\"index\":1,\"timing\":{\"write\":{\"ms\":156,\"bytes\":1073741824,"
			   "\"mb_per_s\":6882.8},\"verify\":{\"ms\":209,\"bytes\":1073741824,"
			   "\"mb_per_s\":5137.5}}}";
	speed_of(both, false, b, sizeof(b));
	assert_string_equal(b, "write 6882.8 MB/s (1073741824 bytes in 156 ms); "
			       "verify 5137.5 MB/s (1073741824 bytes in 209 ms)");
	speed_of(both, true, b, sizeof(b));
	assert_string_equal(b, "書き込み 6882.8 MB/s (1073741824 バイト、156 ミリ秒)、"
			       "検証 5137.5 MB/s (1073741824 バイト、209 ミリ秒)");
	/* A pass that was not verified, or whose write ran before a resume. */
	speed_of("{\"timing\":{\"write\":{\"ms\":0,\"bytes\":4096,\"mb_per_s\":0},"
		 "\"verify\":null}}", false, b, sizeof(b));
	assert_string_equal(b, "write 0.0 MB/s (4096 bytes in 0 ms); verify not timed");
	speed_of("{\"timing\":{\"write\":null,\"verify\":null}}", true, b, sizeof(b));
	assert_string_equal(b, "書き込み 計測なし、検証 計測なし");
}

/* Records from before the timings, and values no engine writes. */
static void missing_or_malformed(void **state)
{
	(void)state;
	char b[300];
	speed_of("{\"index\":1}", false, b, sizeof(b));
	assert_string_equal(b, "no timings recorded");
	speed_of("{\"timing\":\"fast\"}", true, b, sizeof(b));
	assert_string_equal(b, "速度の記録なし");
	const char *bad[] = {
		"{\"ms\":\"156\",\"bytes\":1,\"mb_per_s\":1}",
		"{\"ms\":-1,\"bytes\":1,\"mb_per_s\":1}",
		"{\"ms\":1,\"bytes\":-5,\"mb_per_s\":1}",
		"{\"ms\":1,\"bytes\":1,\"mb_per_s\":-0.5}",
		"{\"ms\":1,\"bytes\":1,\"mb_per_s\":1e300}",
		"{\"ms\":1099511627777,\"bytes\":1,\"mb_per_s\":1}",
		"{\"ms\":1,\"bytes\":1}",
		"[1,2,3]",
		"7",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char pass[200];
		snprintf(pass, sizeof(pass), "{\"timing\":{\"write\":%s,\"verify\":null}}", bad[i]);
		speed_of(pass, false, b, sizeof(b));
		assert_string_equal(b, "write not recorded; verify not timed");
	}
	/* An integer rate is a number too. */
	speed_of("{\"timing\":{\"write\":{\"ms\":2,\"bytes\":2000000,\"mb_per_s\":1000},"
		 "\"verify\":null}}", false, b, sizeof(b));
	assert_string_equal(b, "write 1000.0 MB/s (2000000 bytes in 2 ms); verify not timed");
}

static void small_buffer_is_cut_not_overrun(void **state)
{
	(void)state;
	char b[16];
	memset(b, 'x', sizeof(b));
	speed_of("{\"timing\":{\"write\":{\"ms\":156,\"bytes\":1073741824,\"mb_per_s\":6882.8},"
		 "\"verify\":null}}", false, b, 12);
	assert_int_equal(strlen(b), 11);
	assert_int_equal(b[12], 'x');
}

/* Only patterns kesu writes are passed on to a page; anything else in an
 * untrusted record is '?'. */
static void patterns_only_as_kesu_writes_them(void **state)
{
	(void)state;
	static const struct {
		const char *json, *want;
	} t[] = {
		{"{\"pattern\": \"random\"}", "random"},
		{"{\"pattern\": \"00\"}", "00"},
		{"{\"pattern\": \"924924\"}", "924924"},
		{"{\"pattern\": \"00112233445566778899aabbccddeeff\"}", "00112233445566778899aabbccddeeff"},
		{"{\"pattern\": \"00112233445566778899aabbccddeeff00\"}", "?"}, /* 17 bytes */
		{"{\"pattern\": \"0\"}", "?"},
		{"{\"pattern\": \"\"}", "?"},
		{"{\"pattern\": \"FF\"}", "?"},
		{"{\"pattern\": \"Random\"}", "?"},
		{"{\"pattern\": \"0g\"}", "?"},
		{"{\"pattern\": \"\\u001b[2J\"}", "?"},
		{"{\"pattern\": 0}", "?"},
		{"{}", "?"},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		json_t *p = json_loads(t[i].json, 0, NULL);
		assert_non_null(p);
		assert_string_equal(kesu_run_pass_pattern(p), t[i].want);
		json_decref(p);
	}
	assert_string_equal(kesu_run_pass_pattern(NULL), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timed_phases),
		cmocka_unit_test(missing_or_malformed),
		cmocka_unit_test(small_buffer_is_cut_not_overrun),
		cmocka_unit_test(patterns_only_as_kesu_writes_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
