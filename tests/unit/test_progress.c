/* Progress math and formatting: percent, rate, ETA, the live line and the
 * JSON-lines object, including the edges (nothing done, no time elapsed,
 * finished, sizes near 2^64). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "wipe/engine/progress.h"

static void percent_rounds_down(void **state)
{
	(void)state;
	assert_true(kesu_progress_percent(0, 1000) == 0.0);
	assert_true(kesu_progress_percent(452, 1000) == 45.2);
	assert_true(kesu_progress_percent(9999, 10000) == 99.9);   /* never 100.0 early */
	assert_true(kesu_progress_percent(1000, 1000) == 100.0);
	assert_true(kesu_progress_percent(0, 0) == 100.0);         /* nothing to do */
	assert_true(kesu_progress_percent(2000, 1000) == 100.0);
	/* huge: no overflow in done * 1000 */
	assert_true(kesu_progress_percent(UINT64_MAX / 2, UINT64_MAX) == 49.9);
	assert_true(kesu_progress_percent(UINT64_MAX - 1, UINT64_MAX) == 99.9);
}

static struct kesu_progress_snap snap(void)
{
	struct kesu_progress_snap s = {
		.device = "sdb", .phase = "write", .pass = 2, .npasses = 3,
		.phase_done = 452000000, .phase_total = 1000000000,
		.done = 1452000000, .total = 3000000000ull,
		.elapsed_s = 62.0, .run_done = 31762600000ull,
	};
	return s;
}

static void rate_and_eta(void **state)
{
	(void)state;
	struct kesu_progress_snap s = snap();
	/* 31,762,600,000 bytes in 62 s = 512.3 MB/s (decimal) */
	double r = kesu_progress_rate_mbps(&s);
	assert_true(r > 512.29 && r < 512.31);
	/* 1,548,000,000 bytes left at 512.3 MB/s = 3.02 s */
	double eta = kesu_progress_eta_s(&s);
	assert_true(eta > 3.0 && eta < 3.1);

	s.elapsed_s = 0;   /* just started: no rate, no ETA */
	assert_true(kesu_progress_rate_mbps(&s) == 0.0);
	assert_true(kesu_progress_eta_s(&s) == -1.0);
	s.elapsed_s = -5;  /* a clock that went backwards is no rate either */
	assert_true(kesu_progress_rate_mbps(&s) == 0.0);

	s = snap();
	s.run_done = 0;    /* time passed but nothing moved yet (resumed run) */
	assert_true(kesu_progress_rate_mbps(&s) == 0.0);
	assert_true(kesu_progress_eta_s(&s) == -1.0);

	s = snap();
	s.done = s.total;  /* finished */
	assert_true(kesu_progress_eta_s(&s) == 0.0);

	/* a 2^64-byte job at 1 byte/s: ETA is unknown, not garbage */
	s = snap();
	s.total = UINT64_MAX;
	s.done = 0;
	s.run_done = 1;
	s.elapsed_s = 1;
	assert_true(kesu_progress_eta_s(&s) == -1.0);
}

static void hms_formatting(void **state)
{
	(void)state;
	char b[24];
	kesu_progress_hms(0, b, sizeof(b));
	assert_string_equal(b, "00:00:00");
	kesu_progress_hms(62.9, b, sizeof(b));
	assert_string_equal(b, "00:01:02");
	kesu_progress_hms(75, b, sizeof(b));
	assert_string_equal(b, "00:01:15");
	kesu_progress_hms(100 * 3600 + 61, b, sizeof(b));
	assert_string_equal(b, "100:01:01");
	kesu_progress_hms(-1, b, sizeof(b));
	assert_string_equal(b, "--:--:--");
	kesu_progress_hms(1e300, b, sizeof(b));
	assert_string_equal(b, "--:--:--");
}

static void live_line(void **state)
{
	(void)state;
	struct kesu_progress_snap s = snap();
	s.done = s.total - 1537300000ull;   /* 1,537.3 MB left: 3 s at 512.3 MB/s */
	char line[160];
	kesu_progress_line(&s, line, sizeof(line));
	assert_string_equal(line,
		"sdb  pass 2/3  write  45.2%  512.3 MB/s  00:01:02 elapsed  ETA 00:00:03");

	s = snap();
	s.elapsed_s = 0;
	s.phase = "verify";
	s.device = "evil\x1b[2Jname";   /* terminal escapes are neutralised */
	kesu_progress_line(&s, line, sizeof(line));
	assert_string_equal(line,
		"evil?[2Jname  pass 2/3  verify  45.2%  0.0 MB/s  00:00:00 elapsed  ETA --:--:--");

	/* the engine zeroes the phase counters when it finishes */
	s = snap();
	s.phase = "done";
	s.phase_done = 0;
	s.done = s.total;
	kesu_progress_line(&s, line, sizeof(line));
	assert_non_null(strstr(line, "  done  100.0%  "));
	assert_non_null(strstr(line, "ETA 00:00:00"));

	char tiny[8];
	s.device = "evil\x1b[2Jname";
	kesu_progress_line(&s, tiny, sizeof(tiny));
	assert_string_equal(tiny, "evil?[2");
	s.device = NULL;
	kesu_progress_line(&s, line, sizeof(line));
	assert_memory_equal(line, "?  pass", 7);
}

static void json_line(void **state)
{
	(void)state;
	struct kesu_progress_snap s = snap();
	char *txt = kesu_progress_json_line(&s);
	assert_non_null(txt);
	assert_string_equal(txt,
		"{\"device\":\"sdb\",\"pass\":2,\"passes\":3,\"phase\":\"write\","
		"\"bytes_done\":452000000,\"bytes_total\":1000000000,\"percent\":45.2,"
		"\"rate_mbps\":512.3,\"elapsed_s\":62.0,\"eta_s\":4,"
		"\"run_bytes_done\":1452000000,\"run_bytes_total\":3000000000,"
		"\"run_percent\":48.4}");
	free(txt);

	s.elapsed_s = 0;
	s.phase_total = UINT64_MAX;   /* beyond jansson's int64: clamped, not negative */
	s.phase_done = UINT64_MAX - 1;
	json_t *j = kesu_progress_json(&s);
	assert_true(json_is_null(json_object_get(j, "eta_s")));
	assert_int_equal(json_integer_value(json_object_get(j, "bytes_total")), INT64_MAX);
	assert_true(json_integer_value(json_object_get(j, "bytes_done")) > 0);
	assert_true(json_real_value(json_object_get(j, "rate_mbps")) == 0.0);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(percent_rounds_down),
		cmocka_unit_test(rate_and_eta),
		cmocka_unit_test(hms_formatting),
		cmocka_unit_test(live_line),
		cmocka_unit_test(json_line),
	};
	return cmocka_run_group_tests_name("progress", tests, NULL, NULL);
}
