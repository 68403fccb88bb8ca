/* The destruction manifest's CSV reader: what Excel and people write is
 * read, and anything malformed is refused with its line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "certs/document/manifest.h"

static enum kesu_rc parse(const char *text, struct kesu_manifest_row **rows, size_t *n,
			  char *why)
{
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_manifest_parse(text, strlen(text), rows, n, &err);
	strcpy(why, err.msg);
	return rc;
}

static void reads_excel_csv(void **state)
{
	(void)state;
	struct kesu_manifest_row *r;
	size_t n;
	char why[600];
	const char *csv = "\xef\xbb\xbfserial,asset,technique,destroyed_photo,model\r\n"
			  "WD-1,A-1,破砕,photos/wd1.jpg,\"WDC, \"\"blue\"\"\"\r\n"
			  "\r\n"
			  "\"ST-2\",A-2,,\"after 2.jpg\",\r\n"
			  "SN-3,,melt,,";
	assert_int_equal(parse(csv, &r, &n, why), KESU_OK);
	assert_int_equal(n, 3);
	assert_string_equal(r[0].serial, "WD-1");
	assert_string_equal(r[0].technique, "破砕");
	assert_string_equal(r[0].model, "WDC, \"blue\"");
	assert_string_equal(r[0].destroyed_photo, "photos/wd1.jpg");
	assert_int_equal(r[0].line, 2);
	assert_string_equal(r[1].serial, "ST-2");
	assert_string_equal(r[1].technique, "");
	assert_string_equal(r[1].destroyed_photo, "after 2.jpg");
	assert_int_equal(r[1].line, 4);
	assert_string_equal(r[2].serial, "SN-3");
	assert_int_equal(r[2].line, 5);
	free(r);
}

static void refuses_malformed(void **state)
{
	(void)state;
	static const struct { const char *csv, *why; } bad[] = {
		{"asset\nA-1\n", "no serial column"},
		{"serial,colour\nS\n", "unknown column 'colour'"},
		{"serial,serial\nS,S\n", "twice"},
		{"serial\n", "no rows"},
		{"serial,asset\nS-1\n", "line 2: 1 fields where the header names 2"},
		{"serial\nS-1,x\n", "line 2: more fields"},
		{"serial\n\"S-1\n", "never closed"},
		{"serial\n\"S-1\"x\n", "after a closing quote"},
		{"serial,asset\n ,A\n", "line 2: no serial"},
		{"serial\nS-1\nS-1\n", "line 3: serial S-1 again"},
		{"serial\nS-\xe2\x80\xae" "1\n", "U+202E"},
		{"serial\nS-\x01\n", "control characters"},
		{"serial,asset\nS-1,\"two\nlines\"\n", "line 2: asset: control characters"},
		{"serial\nS-\xff\n", "invalid UTF-8"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kesu_manifest_row *r = (void *)1;
		size_t n = 7;
		char why[600];
		assert_int_equal(parse(bad[i].csv, &r, &n, why), KESU_ERR_INVALID);
		if (!strstr(why, bad[i].why))
			fail_msg("case %zu: '%s' does not say '%s'", i, why, bad[i].why);
		assert_null(r);
		assert_int_equal(n, 0);
	}
}

static void bounds(void **state)
{
	(void)state;
	char *big = malloc(KESU_STR_MAX + 64);
	strcpy(big, "serial\n");
	memset(big + 7, 'x', KESU_STR_MAX + 1);
	big[7 + KESU_STR_MAX + 1] = '\0';
	struct kesu_manifest_row *r;
	size_t n;
	char why[600];
	assert_int_equal(parse(big, &r, &n, why), KESU_ERR_INVALID);
	assert_non_null(strstr(why, "longer than"));
	free(big);
	size_t rows = KESU_MANIFEST_MAX_ROWS + 1, len = 8 + rows * 8;
	char *many = malloc(len + 1), *p = many + sprintf(many, "serial\n");
	for (size_t i = 0; i < rows; i++)
		p += sprintf(p, "S%05zu\n", i);
	assert_int_equal(parse(many, &r, &n, why), KESU_ERR_INVALID);
	assert_non_null(strstr(why, "split the manifest"));
	free(many);
	const char nul[] = "serial\nS\0X\n";
	struct kesu_err err = {0};
	assert_int_equal(kesu_manifest_parse(nul, sizeof(nul) - 1, &r, &n, &err),
			 KESU_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(reads_excel_csv),
		cmocka_unit_test(refuses_malformed),
		cmocka_unit_test(bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
