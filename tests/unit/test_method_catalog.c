/* The certificate side's list of method names (certs/document/
 * method_catalog.c) must be exactly what the wipe engine and the firmware
 * purge can write: a method added there and not here would make every
 * certificate of it "inconsistent"; a name here that no engine has would
 * let a forged certificate name an erasure that never existed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "certs/document/method_catalog.h"
#include "wipe/engine/method.h"
#include "wipe/firmware/purge_method.h"

static void every_engine_method_is_in_the_catalog(void **state)
{
	(void)state;
	size_t n;
	const struct kesu_method *m = kesu_methods(&n);
	for (size_t i = 0; i < n; i++) {
		const struct kesu_catalog_method *c = kesu_catalog_find(m[i].name);
		if (!c || c->kind != KESU_CATALOG_OVERWRITE ||
		    strcmp(c->technique, m[i].technique))
			fail_msg("overwrite method %s missing or different in the catalog",
				 m[i].name);
		assert_null(kesu_catalog_check(m[i].name, m[i].technique, "clear", true));
	}
	struct kesu_method custom;
	assert_int_equal(kesu_method_custom("00,ff", &custom, NULL), KESU_OK);
	assert_non_null(kesu_catalog_find(custom.name));
	const struct kesu_purge_method *p = kesu_purge_methods(&n);
	for (size_t i = 0; i < n; i++) {
		const struct kesu_catalog_method *c = kesu_catalog_find(p[i].name);
		if (!c || c->kind != KESU_CATALOG_PURGE || strcmp(c->technique, p[i].technique))
			fail_msg("purge method %s missing or different in the catalog",
				 p[i].name);
	}
}

static void the_catalog_names_nothing_else(void **state)
{
	(void)state;
	size_t n, nm, np;
	const struct kesu_catalog_method *c = kesu_catalog_methods(&n);
	kesu_methods(&nm);
	kesu_purge_methods(&np);
	/* "custom" is made by --passes, not listed in the table. */
	assert_int_equal(n, nm + np + 1);
	for (size_t i = 0; i < n; i++)
		assert_true(kesu_method_find(c[i].name) || kesu_purge_method_find(c[i].name) ||
			    !strcmp(c[i].name, "custom"));
}

static void combinations(void **state)
{
	(void)state;
	assert_null(kesu_catalog_check("scsi-sanitize-block+dod-3", "block-erase", "purge", true));
	assert_null(kesu_catalog_check("ata-secure-erase", "secure-erase", "clear", true));
	assert_non_null(kesu_catalog_check("nist-clear+zero", "overwrite", "clear", true));
	assert_non_null(kesu_catalog_check("scsi-sanitize-block+", "block-erase", "purge", true));
	assert_non_null(kesu_catalog_check("emmc-sanitize", "block-erase", "destroy", true));
	assert_non_null(kesu_catalog_check("purge", "auto", "purge", true));
	assert_null(kesu_catalog_check("purge", "auto", "purge", false));
	assert_non_null(kesu_catalog_check("purge", "crypto-erase", "purge", true));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_engine_method_is_in_the_catalog),
		cmocka_unit_test(the_catalog_names_nothing_else),
		cmocka_unit_test(combinations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
