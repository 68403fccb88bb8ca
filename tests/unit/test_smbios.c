/* lib/smbios: the firmware's names for the computer, from untrusted bytes
 * to the values a certificate may carry, and their JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/smbios.h"

static const char *value(const char *raw, size_t len)
{
	static char out[KESU_SMBIOS_MAX + 1];
	kesu_smbios_value(raw, len, out, sizeof(out));
	return out;
}
#define V(s) value(s, sizeof(s) - 1)

static void values_are_cleaned_and_trimmed(void **state)
{
	(void)state;
	assert_string_equal(V("LENOVO\n"), "LENOVO");
	assert_string_equal(V("  ThinkPad X1 Carbon Gen 9  \n"), "ThinkPad X1 Carbon Gen 9");
	assert_string_equal(V("PF2ABCDE\0garbage"), "PF2ABCDE");
	/* Terminal escapes cannot reach a screen or a PDF as such. */
	const char *e = V("EVIL\x1b[2J\x07SN");
	assert_null(strchr(e, '\x1b'));
	assert_null(strchr(e, '\x07'));
	assert_non_null(strstr(e, "EVIL"));
	/* Invalid UTF-8 is replaced, never passed on. */
	assert_string_equal(V("A\xff\xfe" "B"), "A??B");
}

static void placeholders_and_blanks_are_absent(void **state)
{
	(void)state;
	const char *absent[] = {"To Be Filled By O.E.M.", "to be filled by o.e.m.", "Default string",
		"DEFAULT STRING", "Not Specified", "System Serial Number", "System Product Name",
		"System manufacturer", "Chassis Serial Number", "No Asset Tag", "N/A", "None",
		"0000000000", "FFFFFFFF", "        ", "\t\n", "", ".", "XXXXXXXX", "0123456789"};
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		const char *v = value(absent[i], strlen(absent[i]));
		if (v[0])
			fail_msg("'%s' should count as absent, got '%s'", absent[i], v);
	}
	const char *kept[] = {"Dell Inc.", "OptiPlex 7090", "7XYZ123", "TKY-PC-00042", "QEMU", "A1"};
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		assert_string_equal(value(kept[i], strlen(kept[i])), kept[i]);
	/* A value a reader cannot see as it is (a bidi override) is not kept. */
	assert_string_equal(V("SN-\xe2\x80\xae" "123"), "");
}

static void long_values_are_bounded(void **state)
{
	(void)state;
	char big[4096];
	memset(big, 'a', sizeof(big));
	memcpy(big + 100, "\xe6\x97\xa5\xe6\x9c\xac", 6);   /* 日本 across the cut */
	const char *v = value(big, sizeof(big));
	assert_true(strlen(v) <= KESU_SMBIOS_MAX);
	assert_true(strlen(v) > 0);
	assert_true(kesu_is_clean(v));
}

struct fake { const char *field[4], *val[4]; };

static ssize_t fake_read(void *ud, const char *field, char *buf, size_t cap)
{
	const struct fake *f = ud;
	for (size_t i = 0; i < 4 && f->field[i]; i++)
		if (!strcmp(f->field[i], field)) {
			size_t n = strlen(f->val[i]);
			n = n < cap ? n : cap;
			memcpy(buf, f->val[i], n);
			return (ssize_t)n;
		}
	return -1;
}

static void read_through_the_reader(void **state)
{
	(void)state;
	struct fake f = {{"sys_vendor", "product_name", "product_serial", "chassis_asset_tag"},
			 {"QEMU\n", "Standard PC (i440FX + PIIX, 1996)\n",
			  "To Be Filled By O.E.M.\n", "TKY-PC-00042\n"}};
	struct kesu_smbios_reader r = {fake_read, &f};
	struct kesu_smbios h;
	memset(&h, 'x', sizeof(h));
	kesu_smbios_read(&r, &h);
	assert_string_equal(h.vendor, "QEMU");
	assert_string_equal(h.product, "Standard PC (i440FX + PIIX, 1996)");
	assert_string_equal(h.serial, "");
	assert_string_equal(h.asset_tag, "TKY-PC-00042");
	assert_true(kesu_smbios_present(&h));
	struct fake none = {{NULL}, {NULL}};
	r.ud = &none;
	kesu_smbios_read(&r, &h);
	assert_false(kesu_smbios_present(&h));
	assert_null(kesu_smbios_to_json(&h));
}

static void read_from_a_directory(void **state)
{
	(void)state;
	char dir[] = "/tmp/kesu-smbios.XXXXXX", p[128];
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/sys_vendor", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("Dell Inc.\n", f);
	fclose(f);
	struct kesu_smbios_reader r = {kesu_smbios_read_dir, dir};
	struct kesu_smbios h;
	kesu_smbios_read(&r, &h);
	assert_string_equal(h.vendor, "Dell Inc.");
	assert_string_equal(h.serial, "");   /* no such file: absent */
	unlink(p);
	rmdir(dir);
	/* No directory at all (a machine without DMI): nothing, no error. */
	kesu_smbios_read(&r, &h);
	assert_false(kesu_smbios_present(&h));
}

static void json_round_trip_and_strictness(void **state)
{
	(void)state;
	struct kesu_smbios h = {.vendor = "Dell Inc.", .asset_tag = "TKY-PC-00042"};
	struct kesu_err err = {0};
	json_t *j = kesu_smbios_to_json(&h);
	assert_non_null(j);
	assert_int_equal(json_object_size(j), 2);
	assert_string_equal(json_string_value(json_object_get(j, "vendor")), "Dell Inc.");
	assert_int_equal(kesu_smbios_check_json(j, "host", &err), KESU_OK);
	json_decref(j);
	const char *bad[] = {"{}", "{\"vendor\": null}", "{\"vendor\": 3}", "{\"uuid\": \"x\"}",
			     "[]", "{\"serial\": \"a\\u001bb\"}"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *b = json_loads(bad[i], JSON_DECODE_ANY, NULL);
		assert_non_null(b);
		if (kesu_smbios_check_json(b, "host", &err) != KESU_ERR_INVALID)
			fail_msg("'%s' accepted", bad[i]);
		assert_non_null(strstr(err.msg, "host"));
		json_decref(b);
	}
	char big[KESU_SMBIOS_MAX + 10];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	json_t *b = json_pack("{s:s}", "serial", big);
	assert_int_equal(kesu_smbios_check_json(b, "host", &err), KESU_ERR_INVALID);
	json_decref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values_are_cleaned_and_trimmed),
		cmocka_unit_test(placeholders_and_blanks_are_absent),
		cmocka_unit_test(long_values_are_bounded),
		cmocka_unit_test(read_through_the_reader),
		cmocka_unit_test(read_from_a_directory),
		cmocka_unit_test(json_round_trip_and_strictness),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
