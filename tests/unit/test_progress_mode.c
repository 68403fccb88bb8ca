/* cli/progress_mode.c: --progress, spelled the same for wipe and verify. */
#include "cli/progress_mode.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void the_three_modes(void **state)
{
	(void)state;
	enum kesu_progress_mode m = KESU_PROGRESS_NONE;
	assert_int_equal(kesu_progress_mode_parse("wipe", "auto", &m), KESU_OK);
	assert_int_equal(m, KESU_PROGRESS_AUTO);
	assert_int_equal(kesu_progress_mode_parse("wipe", "json", &m), KESU_OK);
	assert_int_equal(m, KESU_PROGRESS_JSON);
	assert_int_equal(kesu_progress_mode_parse("verify", "none", &m), KESU_OK);
	assert_int_equal(m, KESU_PROGRESS_NONE);
}

static void anything_else_is_a_usage_error(void **state)
{
	(void)state;
	enum kesu_progress_mode m = KESU_PROGRESS_JSON;
	assert_int_equal(kesu_progress_mode_parse("wipe", "JSON", &m), KESU_ERR_USAGE);
	assert_int_equal(kesu_progress_mode_parse("wipe", "", &m), KESU_ERR_USAGE);
	assert_int_equal(kesu_progress_mode_parse("verify", "autox", &m), KESU_ERR_USAGE);
	assert_int_equal(m, KESU_PROGRESS_JSON);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_three_modes),
		cmocka_unit_test(anything_else_is_a_usage_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
