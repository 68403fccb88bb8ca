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

static enum kesu_rc row_of(const char *text, const char *serial, struct kesu_asset_row *row,
			   bool *found, struct kesu_err *err)
{
	return kesu_asset_lookup_row(text, strlen(text), "a.csv", serial, row, found, err);
}

/* Issue #12: serial → asset, class, reason, customer, the columns named by
 * a header in any order; an empty cell gives nothing. */
static void header_names_the_columns(void **state)
{
	(void)state;
	const char *map = "# from the ledger\nSerial, customer ,asset,CLASS,reason\n"
			  "S1,総務課,TKY-001,3,disposal\nS2,,TKY-002,,\n";
	struct kesu_asset_row row;
	bool found;
	struct kesu_err err = {0};
	assert_int_equal(row_of(map, "S1", &row, &found, &err), KESU_OK);
	assert_true(found);
	assert_string_equal(row.asset, "TKY-001");
	assert_int_equal(row.class_, 3);
	assert_string_equal(row.reason, "disposal");
	assert_string_equal(row.customer, "総務課");
	assert_int_equal(row_of(map, "S2", &row, &found, &err), KESU_OK);
	assert_true(found);
	assert_string_equal(row.asset, "TKY-002");
	assert_int_equal(row.class_, 0);
	assert_string_equal(row.reason, "");
	assert_string_equal(row.customer, "");
	/* A header of serial,asset only is today's map with a header. */
	assert_int_equal(row_of("serial,asset\nS1,A\n", "S1", &row, &found, &err), KESU_OK);
	assert_string_equal(row.asset, "A");
	/* The station takes the asset number only: a row with more is refused
	 * rather than applied in part; one without is read as ever. */
	char asset[64];
	assert_int_equal(look(map, "S1", asset, &found, &err), KESU_ERR_INVALID);
	assert_false(found);
	assert_non_null(strstr(err.msg, "station does not take"));
	assert_int_equal(look(map, "S2", asset, &found, &err), KESU_OK);
	assert_string_equal(asset, "TKY-002");
}

static void bad_columns_are_refused(void **state)
{
	(void)state;
	struct { const char *map, *expect; } cases[] = {
		{"serial,asset,colour\nS1,A,red\n", "a.csv:1: column 'colour' is unknown"},
		{"serial,asset,class,class\n", "a.csv:1: column 'class' is named twice"},
		{"serial,class\nS1,3\n", "a.csv:1: the header names no 'asset' column"},
		{"serial,asset,class\nS1,A\n", "a.csv:2: expected 3 cells"},
		{"serial,asset,class\nS1,A,4\n", "a.csv:2: class '4' is not 1, 2 or 3"},
		{"serial,asset,class\nS1,A,33\n", "a.csv:2: class '33'"},
		{"serial,asset,reason\nS9,A,sold\n", "a.csv:2: reason 'sold' is not disposal"},
		{"serial,asset,customer\nS9,A,総務\x1b[2J\n", "a.csv:2: control, invisible"},
		{"serial,asset,customer\nS9,A,総務\xe2\x80\xae課\n", "a.csv:2: control, invisible"},
		{"serial,asset,customer\nS9,,総務課\n", "a.csv:2: expected one serial and one asset"},
		{"serial,asset,a,b,c,d,e,f,g\n", "a.csv:1: column 'a' is unknown"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kesu_asset_row row;
		bool found = true;
		struct kesu_err err = {0};
		/* Refused whichever serial is looked up: S1 or one not listed. */
		enum kesu_rc rc = row_of(cases[i].map, "S1", &row, &found, &err);
		if (rc != KESU_ERR_INVALID || !strstr(err.msg, cases[i].expect))
			fail_msg("case %zu: rc %d '%s' lacks '%s'", i, rc, err.msg,
				 cases[i].expect);
		assert_false(found);
		assert_string_equal(row.asset, "");
	}
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
		cmocka_unit_test(header_names_the_columns),
		cmocka_unit_test(bad_columns_are_refused),
		cmocka_unit_test(typed_asset_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
