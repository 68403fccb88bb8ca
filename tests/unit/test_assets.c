/* The station's asset map: serial to asset number, strict. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "wipe/station/assets.h"

static enum kesu_rc look(const char *text, const char *serial, char *asset, bool *found,
			 struct kesu_err *err)
{
	return kesu_asset_lookup(text, strlen(text), "a.csv", serial, asset, 64, found, err);
}

static void finds_the_serial(void **state)
{
	(void)state;
	const char *map = "# serial,asset\nS1,TKY-001\n  WD-2 , 総務-0042 \r\n\nS3,X\n";
	char asset[64];
	bool found;
	struct kesu_err err = {0};
	assert_int_equal(look(map, "WD-2", asset, &found, &err), KESU_OK);
	assert_true(found);
	assert_string_equal(asset, "総務-0042");
	assert_int_equal(look(map, "S4", asset, &found, &err), KESU_OK);
	assert_false(found);
	assert_string_equal(asset, "");
}

static void malformed_maps_are_refused(void **state)
{
	(void)state;
	struct { const char *map, *expect; } cases[] = {
		{"S1 TKY-001\n", "a.csv:1: expected 'serial,asset'"},
		{"S1,\n", "a.csv:1: expected one serial and one asset"},
		{"S0,A\nS1,A,B\n", "a.csv:2: expected one serial and one asset"},
		{"S1,A\x1b[2J\n", "a.csv:1: control, invisible"},
		{"S1,A\xe2\x80\xae" "B\n", "a.csv:1: control, invisible"},
		{"S1,A\nS1,B\n", "a.csv:2: serial S1 is listed twice"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char asset[64];
		bool found;
		struct kesu_err err = {0};
		assert_int_equal(look(cases[i].map, "S1", asset, &found, &err), KESU_ERR_INVALID);
		if (!strstr(err.msg, cases[i].expect))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].expect);
	}
	char asset[64];
	bool found;
	struct kesu_err err = {0};
	const char nul[] = "S1,A\0B\n";
	assert_int_equal(kesu_asset_lookup(nul, sizeof(nul) - 1, "a.csv", "S1", asset, 64,
					   &found, &err), KESU_ERR_INVALID);
}

static void typed_asset_numbers(void **state)
{
	(void)state;
	assert_true(kesu_asset_ok("TKY-PC-00123"));
	assert_true(kesu_asset_ok("総務-0042"));
	assert_false(kesu_asset_ok(""));
	assert_false(kesu_asset_ok("\xe3\x80\x80 "));
	assert_false(kesu_asset_ok("A\x1b[2J"));
	assert_false(kesu_asset_ok("A\xe2\x80\x8b" "B"));
	assert_false(kesu_asset_ok("A,B"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(finds_the_serial),
		cmocka_unit_test(malformed_maps_are_refused),
		cmocka_unit_test(typed_asset_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
