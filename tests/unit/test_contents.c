/* cli/contents.c: the one line about a medium's contents that kesu wipe's
 * plan and kesu info show. */
#include "cli/contents.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

static void line_of(const char *json, char *buf, size_t size)
{
	json_error_t je;
	json_t *c = json ? json_loads(json, JSON_DECODE_ANY, &je) : NULL;
	if (json && !c)
		fail_msg("%s", je.text);
	kesu_cli_contents_line(c, buf, size);
	json_decref(c);
}

static void table_signature_and_partitions(void **state)
{
	(void)state;
	char b[256];
	line_of("{\"pttype\":\"gpt\",\"signature\":null,\"partitions\":["
		"{\"type\":\"ext4\",\"label\":\"root\"},{\"type\":null,\"label\":null}]}",
		b, sizeof(b));
	assert_string_equal(b, "gpt partition table, 2 partitions: ext4 \"root\", no file system");
	line_of("{\"pttype\":null,\"signature\":{\"type\":\"vfat\",\"label\":\"USB\"},"
		"\"partitions\":[]}", b, sizeof(b));
	assert_string_equal(b, "vfat \"USB\"");
	line_of("{\"pttype\":null,\"signature\":null,\"ambivalent\":true,\"partitions\":[]}", b,
		sizeof(b));
	assert_string_equal(b, "several signatures (libblkid will not choose)");
}

static void nothing_found_or_not_read(void **state)
{
	(void)state;
	char b[64];
	line_of("{\"pttype\":null,\"signature\":null,\"partitions\":[]}", b, sizeof(b));
	assert_string_equal(b, "no partition table or file system found");
	line_of(NULL, b, sizeof(b));
	assert_string_equal(b, "unknown (not read)");
	line_of("null", b, sizeof(b));
	assert_string_equal(b, "unknown (not read)");
}

/* Labels come from the medium: escapes and control bytes never reach the
 * terminal, and a long list is cut, not overflowed. */
static void device_text_is_cleaned_and_bounded(void **state)
{
	(void)state;
	char b[256];
	line_of("{\"pttype\":\"dos\",\"partitions\":[{\"type\":\"ext4\","
		"\"label\":\"a\\u001b[2Jb\\n\"}]}", b, sizeof(b));
	assert_null(strchr(b, 0x1b));
	assert_null(strchr(b, '\n'));
	char many[2048] = "{\"pttype\":\"gpt\",\"partitions\":[";
	for (int i = 0; i < 12; i++)
		strcat(many, i ? ",{\"type\":\"xfs\"}" : "{\"type\":\"xfs\"}");
	strcat(many, "]}");
	line_of(many, b, sizeof(b));
	assert_non_null(strstr(b, "12 partitions:"));
	assert_non_null(strstr(b, " ..."));
	char tiny[16];
	line_of(many, tiny, sizeof(tiny));
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

static void or_dash(void **state)
{
	(void)state;
	assert_string_equal(kesu_cli_or_dash(NULL), "-");
	assert_string_equal(kesu_cli_or_dash(""), "-");
	assert_string_equal(kesu_cli_or_dash("x"), "x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_signature_and_partitions),
		cmocka_unit_test(nothing_found_or_not_read),
		cmocka_unit_test(device_text_is_cleaned_and_bounded),
		cmocka_unit_test(or_dash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
