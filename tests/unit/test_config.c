/* kesu.conf: strict parsing with line-numbered errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/config.h"

static void parses_sections_and_defaults(void **state)
{
	(void)state;
	const char *t = "# kesu\n[operator]\nname = 山田 太郎\n  organization=テスト消去株式会社  \n"
			"location = 本庁舎 地下1階 作業室\n"
			"\n; comment\n[signing]\nkey = pkcs11:token=kesu;object=op\r\n"
			"cert = /etc/kesu/op.pem\n[trust]\nca_file = /etc/kesu/ca.pem\n";
	struct kesu_config c;
	struct kesu_err err = {0};
	assert_int_equal(kesu_config_parse(t, strlen(t), "k.conf", &c, &err), KESU_OK);
	assert_string_equal(c.operator_name, "山田 太郎");
	assert_string_equal(c.operator_organization, "テスト消去株式会社");
	assert_string_equal(c.operator_location, "本庁舎 地下1階 作業室");
	assert_string_equal(c.key, "pkcs11:token=kesu;object=op");
	assert_string_equal(c.ca_file, "/etc/kesu/ca.pem");
	assert_string_equal(c.register_path, KESU_REGISTER_DEFAULT);
	assert_string_equal(c.state_dir, KESU_STATE_DIR_DEFAULT);
	assert_string_equal(c.customer, "");
	assert_string_equal(c.tsa_url, "");
}

static void timestamp_settings(void **state)
{
	(void)state;
	const char *t = "[timestamp]\nurl = http://tsa.example.jp/tsa\n"
			"[trust]\ntsa_ca_file = /etc/kesu/tsa-ca.pem\n";
	struct kesu_config c;
	struct kesu_err err = {0};
	assert_int_equal(kesu_config_parse(t, strlen(t), "k.conf", &c, &err), KESU_OK);
	assert_string_equal(c.tsa_url, "http://tsa.example.jp/tsa");
	assert_string_equal(c.tsa_ca_file, "/etc/kesu/tsa-ca.pem");
	const char *bad = "[timestamp]\nuri = http://x/\n";
	assert_int_equal(kesu_config_parse(bad, strlen(bad), "k.conf", &c, &err),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "k.conf:2: unknown key 'uri' in [timestamp]"));
}

static void open_max_days(void **state)
{
	(void)state;
	const char *t = "[register]\nopen_max_days = 30\n";
	struct kesu_config c;
	struct kesu_err err = {0};
	assert_int_equal(kesu_config_parse(t, strlen(t), "k.conf", &c, &err), KESU_OK);
	assert_string_equal(c.open_max_days, "30");
	static const char *const bad[] = {"[register]\nopen_max_days = soon\n",
		"[register]\nopen_max_days = -1\n", "[register]\nopen_max_days = 123456789\n"};
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(kesu_config_parse(bad[i], strlen(bad[i]), "k.conf", &c, &err),
				 KESU_ERR_INVALID);
		assert_non_null(strstr(err.msg, "k.conf:2:"));
	}
}

static void errors_name_the_line(void **state)
{
	(void)state;
	struct { const char *text, *expect; } cases[] = {
		{"[operator]\nname = a\nnmae = b\n", "k.conf:3: unknown key 'nmae'"},
		{"name = a\n", "k.conf:1: 'name' outside any section"},
		{"[operatr]\n", "k.conf:1: unknown section [operatr]"},
		{"[operator\n", "k.conf:1: malformed section header"},
		{"[operator]\n\nname\n", "k.conf:3: expected 'key = value'"},
		{"[operator]\nname = a\nname = b\n", "k.conf:3: 'name' set twice"},
		{"[signing]\nkey =\n", "k.conf:2: 'key' has an empty value"},
		{"[operator]\nname = a\x1b[31m\n", "k.conf:2: control characters"},
		{"[operator]\nlocation = 作業室\x1b[2J\n", "k.conf:2: control characters"},
		{"[operator]\nname = \xff\n", "k.conf:2: control characters or invalid UTF-8"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kesu_config c;
		struct kesu_err err = {0};
		enum kesu_rc rc = kesu_config_parse(cases[i].text, strlen(cases[i].text),
						    "k.conf", &c, &err);
		if (rc != KESU_ERR_INVALID || !strstr(err.msg, cases[i].expect))
			fail_msg("case %zu: rc %d '%s' (wanted '%s')", i, rc, err.msg,
				 cases[i].expect);
	}
}

static void explicit_file_must_exist(void **state)
{
	(void)state;
	struct kesu_config c;
	struct kesu_err err = {0};
	assert_int_equal(kesu_config_load("/nonexistent/kesu.conf", &c, &err), KESU_ERR_NOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/kesu.conf"));
}

static void station_settings(void **state)
{
	(void)state;
	const char *t = "[station]\nmethod_nvme = nvme-crypto-erase\nmethod_usb = dod-3pass\n"
			"verify = sample\nstart = auto\nasset_map = /etc/kesu/assets.csv\n"
			"approval_ref = 総務-2026-114\napproval_date = 2026-11-30\npdf = yes\n";
	struct kesu_config c;
	struct kesu_err err = {0};
	assert_int_equal(kesu_config_parse(t, strlen(t), "k.conf", &c, &err), KESU_OK);
	assert_string_equal(c.station.method_nvme, "nvme-crypto-erase");
	assert_string_equal(c.station.method_usb, "dod-3pass");
	assert_string_equal(c.station.method, "");
	assert_string_equal(c.station.start, "auto");
	assert_string_equal(c.station.approval_ref, "総務-2026-114");
	assert_string_equal(c.station.asset_map, "/etc/kesu/assets.csv");
	const char *bad = "[station]\nmethod_floppy = purge\n";
	assert_int_equal(kesu_config_parse(bad, strlen(bad), "k.conf", &c, &err),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "k.conf:2: unknown key 'method_floppy' in [station]"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_sections_and_defaults),
		cmocka_unit_test(errors_name_the_line),
		cmocka_unit_test(timestamp_settings),
		cmocka_unit_test(open_max_days),
		cmocka_unit_test(explicit_file_must_exist),
		cmocka_unit_test(station_settings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
