/* lib/jcheck's dotted-path lookup: what the printed pages read their
 * fields with, so a missing step or a non-object on the way gives NULL
 * rather than a neighbouring field, and an over-long key never matches a
 * truncated one by accident of its first 63 bytes alone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/jcheck.h"

static void dotted_paths(void **state)
{
	(void)state;
	json_t *o = json_pack("{s:{s:s, s:{s:i}}, s:s}", "device", "serial", "WD-1",
			      "size", "bytes", 512, "top", "x");
	assert_non_null(o);
	assert_string_equal(json_string_value(kj_at(o, "device.serial")), "WD-1");
	assert_int_equal(json_integer_value(kj_at(o, "device.size.bytes")), 512);
	assert_string_equal(json_string_value(kj_at(o, "top")), "x");
	assert_ptr_equal(kj_at(o, ""), o);
	assert_null(kj_at(o, "device.model"));
	assert_null(kj_at(o, "top.more"));       /* a string has no members */
	assert_null(kj_at(o, "device.serial.x"));
	assert_null(kj_at(NULL, "device"));
	char longkey[100];
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	assert_null(kj_at(o, longkey));
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dotted_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
