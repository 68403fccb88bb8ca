/* Capability discovery against the device models, and its JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ata_model.h"
#include "wipe/firmware/capabilities.h"
#include "wipe/device/device.h"
#include "wipe/device/sysfs.h"
#include "nvme_model.h"
#include "scsi_model.h"

static bool has_method(json_t *o, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(o, "methods"), i, v)
		if (!strcmp(json_string_value(v), name))
			return true;
	return false;
}

static bool has_note(json_t *o, const char *part)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(o, "notes"), i, v)
		if (strstr(json_string_value(v), part))
			return true;
	return false;
}

static void nvme_capabilities(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	m.nn = 3;
	m.fna = KESU_NVME_FNA_ERASE_ALL; /* no crypto format */
	m.oacs |= KESU_NVME_OACS_SECURITY;
	m.opal = true;
	struct kesu_caps c;
	struct kesu_err err;
	assert_int_equal(kesu_caps_probe(&m.tr, false, false, &c, &err), KESU_OK);
	assert_int_equal(c.kind, KESU_CAPS_NVME);
	json_t *o = kesu_caps_to_json(&c);
	assert_string_equal(json_string_value(json_object_get(o, "interface")), "nvme");
	assert_true(has_method(o, "nvme-sanitize-crypto"));
	assert_true(has_method(o, "nvme-sanitize-crypto-block"));
	assert_true(has_method(o, "nvme-format-erase"));
	assert_false(has_method(o, "nvme-format-crypto"));
	assert_false(has_method(o, "ata-secure-erase"));
	assert_true(has_method(o, "opal-psid-revert"));
	json_t *n = json_object_get(o, "nvme");
	assert_int_equal(json_integer_value(json_object_get(n, "namespaces")), 3);
	assert_true(json_is_true(json_object_get(n, "secure_erase_all_namespaces")));
	assert_string_equal(json_string_value(json_object_get(n, "sanitize_status")),
			    "never-sanitized");
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(n, "sanitize_estimates_s"), "crypto")), 10);
	assert_true(has_note(o, "all 3 namespace"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "opal"), "ssc")),
			    "opal2");
	char why[256];
	assert_false(kesu_caps_supports(&c, kesu_purge_method_find("nvme-format-crypto"),
					why, sizeof(why)));
	assert_non_null(strstr(why, "FNA"));
	json_decref(o);
	/* A sanitize already running is reported. */
	m.in_progress = true;
	m.sstat = KESU_NVME_SSTAT_IN_PROGRESS;
	m.stall = true;
	kesu_caps_probe(&m.tr, false, false, &c, &err);
	o = kesu_caps_to_json(&c);
	assert_true(has_note(o, "sanitize is running"));
	json_decref(o);
	/* A controller without sanitize or format offers nothing. */
	nvme_model_destroy(&m);
	nvme_model_init(&m, 0);
	m.sanicap = 0;
	m.oacs = 0;
	kesu_caps_probe(&m.tr, false, false, &c, &err);
	o = kesu_caps_to_json(&c);
	assert_int_equal(json_array_size(json_object_get(o, "methods")), 0);
	assert_true(json_is_null(json_object_get(json_object_get(o, "nvme"), "sanitize_status")));
	json_decref(o);
	nvme_model_destroy(&m);
}

static void ata_capabilities_hidden_and_frozen(void **state)
{
	(void)state;
	struct ata_model m;
	ata_model_init(&m, 0);
	ata_model_hide(&m, 48, 16);
	m.frozen = true;
	m.rotation = 7200;
	m.san = m.san_crypto = m.san_block = m.san_overwrite = false;
	struct kesu_caps c;
	struct kesu_err err;
	assert_int_equal(kesu_caps_probe(&m.tr, true, false, &c, &err), KESU_OK);
	assert_int_equal(c.kind, KESU_CAPS_ATA);
	assert_true(c.rotational); /* word 217 wins over the caller's guess */
	assert_int_equal(kesu_caps_hpa_sectors(&c), 48);
	assert_int_equal(kesu_caps_dco_sectors(&c), 16);
	json_t *o = kesu_caps_to_json(&c);
	json_t *a = json_object_get(o, "ata");
	assert_true(json_is_true(json_object_get(json_object_get(a, "security"), "frozen")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "hpa"),
							    "native_sectors")), 2032);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "hpa"),
							    "current_sectors")), 1984);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "dco"),
							    "hidden_sectors")), 16);
	assert_true(has_method(o, "ata-secure-erase-enhanced"));
	assert_false(has_method(o, "ata-sanitize-block"));
	assert_false(has_method(o, "ata-sanitize-crypto-block"));
	char why[256];
	assert_false(kesu_caps_supports(&c, kesu_purge_method_find("ata-sanitize-crypto-block"),
					why, sizeof(why)));
	assert_non_null(strstr(why, "neither"));
	assert_true(has_note(o, "suspend and resume"));
	assert_true(has_note(o, "USB bridge"));
	assert_true(has_note(o, "--unlock-hidden"));
	json_decref(o);
	/* Gone during discovery is an error, not an empty answer. */
	m.gone_after_cmds = 1;
	m.med.gone = false;
	m.n_cmds = 0;
	assert_int_equal(kesu_caps_probe(&m.tr, false, false, &c, &err), KESU_ERR_GONE);
	ata_model_destroy(&m);
}

static void scsi_capabilities(void **state)
{
	(void)state;
	struct scsi_model m;
	scsi_model_init(&m, 0);
	m.sa_crypto = false;
	struct kesu_caps c;
	struct kesu_err err;
	assert_int_equal(kesu_caps_probe(&m.tr, false, true, &c, &err), KESU_OK);
	assert_int_equal(c.kind, KESU_CAPS_SCSI);
	json_t *o = kesu_caps_to_json(&c);
	assert_true(has_method(o, "scsi-sanitize-block"));
	assert_true(has_method(o, "scsi-sanitize-overwrite"));
	assert_false(has_method(o, "scsi-sanitize-crypto"));
	assert_false(has_method(o, "scsi-sanitize-crypto-block"));
	assert_true(json_is_null(json_object_get(o, "opal")));
	json_decref(o);
	char cwhy[256];
	assert_false(kesu_caps_supports(&c, kesu_purge_method_find("scsi-sanitize-crypto-block"),
					cwhy, sizeof(cwhy)));
	assert_non_null(strstr(cwhy, "lacks scsi-sanitize-crypto"));
	m.rsoc_unsupported = true;
	kesu_caps_probe(&m.tr, false, true, &c, &err);
	char why[256];
	assert_false(kesu_caps_supports(&c, kesu_purge_method_find("scsi-sanitize-block"),
					why, sizeof(why)));
	assert_non_null(strstr(why, "unknown"));
	scsi_model_destroy(&m);
}

static void opal_level0_pyrite_is_not_crypto(void **state)
{
	(void)state;
	uint8_t b[128] = {0};
	b[3] = 48 + 16 + 16 - 4;
	uint8_t *d = b + 48;
	d[1] = 0x02; d[3] = 12; d[4] = 0x01;            /* locking, no encryption */
	d += 16;
	d[0] = 0x03; d[1] = 0x03; d[3] = 12; d[5] = 0x07; /* Pyrite 2 */
	struct kesu_opal_info o;
	struct kesu_err err;
	assert_int_equal(kesu_opal_parse_level0(b, sizeof(b), &o, &err), KESU_OK);
	assert_true(o.pyrite2);
	assert_false(kesu_opal_revert_is_crypto_erase(&o));
	assert_string_equal(kesu_opal_ssc_name(&o), "pyrite2");
	assert_int_equal(o.base_comid, 7);
	assert_int_equal(kesu_opal_parse_level0(b, 20, &o, &err), KESU_ERR_INVALID);
	/* A descriptor running past the end is ignored, not read. */
	b[3] = 200;
	b[48 + 3] = 250;
	assert_int_equal(kesu_opal_parse_level0(b, sizeof(b), &o, &err), KESU_OK);
	assert_false(o.pyrite2);
}

/* A fixture probe (no media access) must never reach a real device node:
 * the purge object is null. */
static void fixture_probe_opens_nothing(void **state)
{
	(void)state;
	const char *base = getenv("KESU_FIXTURES");
	if (!base)
		base = "tests/fixtures/sysfs";
	char sys[PATH_MAX], dev[PATH_MAX], proc[PATH_MAX], run[PATH_MAX];
	snprintf(sys, sizeof(sys), "%s/nvme/sys", base);
	snprintf(dev, sizeof(dev), "%s/nvme/dev", base);
	snprintf(proc, sizeof(proc), "%s/nvme/proc", base);
	snprintf(run, sizeof(run), "%s/nvme/run", base);
	struct kesu_sysroot root = {sys, dev, proc, run};
	struct kesu_device *d = NULL;
	struct kesu_err err = {0};
	assert_int_equal(kesu_device_probe_name(&root, "nvme0n1", KESU_PROBE_NO_MEDIA, &d, &err),
			 KESU_OK);
	json_t *p = kesu_caps_device_json(d);
	assert_true(json_is_null(p));
	json_decref(p);
	kesu_device_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nvme_capabilities),
		cmocka_unit_test(ata_capabilities_hidden_and_frozen),
		cmocka_unit_test(scsi_capabilities),
		cmocka_unit_test(opal_level0_pyrite_is_not_crypto),
		cmocka_unit_test(fixture_probe_opens_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
