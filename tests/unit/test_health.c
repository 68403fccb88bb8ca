/* Drive health for the certificate: the NVMe SMART / Health Information
 * log and ATA SMART, parsed from buffers laid out per the specs, and read
 * from the device models, failures included. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ata_model.h"
#include "nvme_model.h"
#include "wipe/firmware/health.h"

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void nvme_log_fields(void **state)
{
	(void)state;
	uint8_t b[512] = {0};
	b[0] = 0x05;                 /* spare below threshold, reliability degraded */
	put_le(b + 1, 0x0143, 2);    /* 323 K */
	b[3] = 90;
	b[4] = 10;
	b[5] = 117;                  /* percentage used may pass 100 */
	put_le(b + 32, 11, 8);
	put_le(b + 48, 0x0123456789ull, 8);
	put_le(b + 112, 55, 8);
	put_le(b + 128, 26280, 8);
	put_le(b + 144, 9, 8);
	put_le(b + 160, 2, 8);
	put_le(b + 176, 300, 8);
	struct kesu_nvme_smart s;
	struct kesu_err err;
	assert_int_equal(kesu_nvme_parse_smart(b, sizeof(b), &s, &err), KESU_OK);
	assert_int_equal(s.critical_warning, 5);
	assert_int_equal(s.temperature_k, 323);
	assert_int_equal(s.available_spare, 90);
	assert_int_equal(s.percentage_used, 117);
	assert_int_equal(s.data_units_read, 11);
	assert_int_equal(s.data_units_written, 0x0123456789ll);
	assert_int_equal(s.power_cycles, 55);
	assert_int_equal(s.power_on_hours, 26280);
	assert_int_equal(s.unsafe_shutdowns, 9);
	assert_int_equal(s.media_errors, 2);
	assert_int_equal(s.error_log_entries, 300);
	/* 128-bit counters beyond int64 saturate rather than wrap */
	b[128 + 8] = 1;
	put_le(b + 144, UINT64_MAX, 8);
	assert_int_equal(kesu_nvme_parse_smart(b, sizeof(b), &s, &err), KESU_OK);
	assert_int_equal(s.power_on_hours, INT64_MAX);
	assert_int_equal(s.unsafe_shutdowns, INT64_MAX);
	json_t *j = kesu_health_nvme_json(&s);
	assert_string_equal(json_string_value(json_object_get(j, "source")), "nvme");
	assert_int_equal(json_integer_value(json_object_get(j, "temperature_c")), 50);
	assert_int_equal(json_integer_value(json_object_get(j, "power_on_hours")), INT64_MAX);
	json_decref(j);
	b[1] = b[2] = 0;
	assert_int_equal(kesu_nvme_parse_smart(b, sizeof(b), &s, &err), KESU_OK);
	j = kesu_health_nvme_json(&s);
	assert_true(json_is_null(json_object_get(j, "temperature_c")));
	json_decref(j);
	assert_int_equal(kesu_nvme_parse_smart(b, 511, &s, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "511 bytes"));
}

static void nvme_command(void **state)
{
	(void)state;
	uint8_t buf[512];
	struct kesu_nvme_cmd c;
	kesu_nvme_smart_log_cmd(&c, buf);
	assert_int_equal(c.opcode, 0x02);
	assert_int_equal(c.nsid, 0xFFFFFFFFu);
	assert_int_equal(c.cdw10 & 0xFF, 0x02);
	assert_int_equal(c.cdw10 >> 16, 127); /* 128 dwords, zero-based */
	assert_int_equal(c.data_len, 512);
	assert_int_equal(c.dir, KESU_XFER_FROM_DEV);
}

/* ATA8-ACS SMART data: 30 attribute entries of 12 bytes from byte 2,
 * checksum in byte 511. */
static void ata_entry(uint8_t *b, unsigned slot, uint8_t id, uint8_t cur, uint8_t worst,
		      uint64_t raw)
{
	uint8_t *a = b + 2 + 12 * slot;
	a[0] = id;
	a[3] = cur;
	a[4] = worst;
	put_le(a + 5, raw, 6);
}

static void seal(uint8_t *b)
{
	uint8_t sum = 0;
	for (unsigned i = 0; i < 511; i++)
		sum = (uint8_t)(sum + b[i]);
	b[511] = (uint8_t)(0 - sum);
}

static void ata_data_fields(void **state)
{
	(void)state;
	uint8_t b[512] = {0};
	b[0] = 0x10;
	ata_entry(b, 0, 9, 98, 98, 0x0000BEEF);
	ata_entry(b, 7, 5, 100, 100, 8);
	ata_entry(b, 8, 5, 1, 1, 999);         /* a second entry of an id is ignored */
	ata_entry(b, 29, 198, 100, 97, 0xFFFFFFFFFFFFull);
	seal(b);
	struct kesu_ata_smart s;
	struct kesu_err err;
	assert_int_equal(kesu_ata_parse_smart(b, sizeof(b), &s, &err), KESU_OK);
	assert_int_equal(s.revision, 0x10);
	assert_true(s.attr[0].present);
	assert_int_equal(s.attr[0].raw, 8);
	assert_int_equal(s.attr[1].raw, 0xBEEF);
	assert_int_equal(s.attr[1].current, 98);
	assert_false(s.attr[2].present);       /* 197 not reported */
	assert_true(s.attr[3].present);
	assert_int_equal(s.attr[3].raw, 0xFFFFFFFFFFFFull);
	assert_int_equal(s.attr[3].worst, 97);
	json_t *j = kesu_health_ata_json(&s, true, KESU_SMART_STATUS_FAILING);
	assert_string_equal(json_string_value(json_object_get(j, "overall")), "failing");
	json_t *attrs = json_object_get(j, "attributes");
	assert_int_equal(json_array_size(attrs), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(attrs, 1), "name")),
			    "power_on_hours");
	json_decref(j);
	b[100] ^= 1;
	assert_int_equal(kesu_ata_parse_smart(b, sizeof(b), &s, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "checksum"));
	assert_int_equal(kesu_ata_parse_smart(b, 100, &s, &err), KESU_ERR_INVALID);
}

static void ata_status_registers(void **state)
{
	(void)state;
	struct kesu_ata_result r = {.have_regs = true, .lba = 0xC24F00};
	assert_int_equal(kesu_ata_smart_status_of(&r), KESU_SMART_STATUS_PASSED);
	r.lba = 0x2CF400;
	assert_int_equal(kesu_ata_smart_status_of(&r), KESU_SMART_STATUS_FAILING);
	r.lba = 0x000000;
	assert_int_equal(kesu_ata_smart_status_of(&r), KESU_SMART_STATUS_UNKNOWN);
	r = (struct kesu_ata_result){.have_regs = false, .lba = 0xC24F00};
	assert_int_equal(kesu_ata_smart_status_of(&r), KESU_SMART_STATUS_UNKNOWN);
	struct kesu_ata_tf t = kesu_ata_tf_smart_read_data();
	assert_int_equal(t.command, 0xB0);
	assert_int_equal(t.feature, 0xD0);
	assert_int_equal(t.lba, 0xC24F00);
	t = kesu_ata_tf_smart_return_status();
	assert_int_equal(t.feature, 0xDA);
}

static const char *src(const json_t *h)
{
	return json_string_value(json_object_get(h, "source"));
}

static void read_from_models(void **state)
{
	(void)state;
	struct nvme_model n;
	nvme_model_init(&n, 0);
	n.smart_warning = 0x08;
	json_t *h = kesu_health_read_transport(&n.tr);
	assert_string_equal(src(h), "nvme");
	assert_int_equal(json_integer_value(json_object_get(h, "critical_warning")), 8);
	assert_int_equal(json_integer_value(json_object_get(h, "power_on_hours")), 1234);
	assert_int_equal(json_integer_value(json_object_get(h, "unsafe_shutdowns")), 7);
	assert_int_equal(n.n_smart, 1);
	assert_int_equal(n.n_log, 0);  /* the sanitize log's poll count is untouched */
	json_decref(h);
	n.smart_fails = true;
	h = kesu_health_read_transport(&n.tr);
	assert_string_equal(src(h), "none");
	assert_non_null(strstr(json_string_value(json_object_get(h, "reason")),
			       "NVMe SMART log not read"));
	json_decref(h);
	nvme_model_destroy(&n);

	struct ata_model a;
	ata_model_init(&a, 0);
	a.smart_pending = 3;
	h = kesu_health_read_transport(&a.tr);
	assert_string_equal(src(h), "ata");
	assert_string_equal(json_string_value(json_object_get(h, "overall")), "passed");
	json_t *attrs = json_object_get(h, "attributes");
	assert_int_equal(json_array_size(attrs), 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(attrs, 1), "raw")), 4321);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(attrs, 2), "raw")), 3);
	json_decref(h);
	a.smart_failing = true;
	h = kesu_health_read_transport(&a.tr);
	assert_string_equal(json_string_value(json_object_get(h, "overall")), "failing");
	json_decref(h);
	a.smart_bad_checksum = true;
	h = kesu_health_read_transport(&a.tr);
	assert_string_equal(src(h), "none");
	assert_non_null(strstr(json_string_value(json_object_get(h, "reason")), "checksum"));
	json_decref(h);
	a.smart_off = true;
	h = kesu_health_read_transport(&a.tr);
	assert_string_equal(src(h), "none");
	assert_non_null(strstr(json_string_value(json_object_get(h, "reason")), "aborted"));
	json_decref(h);
	a.smart_off = false;
	a.gone_after_cmds = (int)a.n_cmds;
	h = kesu_health_read_transport(&a.tr);
	assert_string_equal(src(h), "none");
	json_decref(h);
	ata_model_destroy(&a);
}

/* Not a drive with a log: said, without opening anything. */
static void no_log_devices(void **state)
{
	(void)state;
	struct kesu_identity id = {0};
	strcpy(id.path, "/nonexistent/kesu-test");
	strcpy(id.kind, "loop");
	strcpy(id.transport, "loop");
	json_t *h = kesu_health_read(&id);
	assert_string_equal(src(h), "none");
	assert_non_null(strstr(json_string_value(json_object_get(h, "reason")), "loop"));
	json_decref(h);
	strcpy(id.kind, "ssd");
	strcpy(id.transport, "sata");
	h = kesu_health_read(&id);
	assert_string_equal(src(h), "none");
	assert_non_null(strstr(json_string_value(json_object_get(h, "reason")), "health not read"));
	json_decref(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nvme_log_fields),
		cmocka_unit_test(nvme_command),
		cmocka_unit_test(ata_data_fields),
		cmocka_unit_test(ata_status_registers),
		cmocka_unit_test(read_from_models),
		cmocka_unit_test(no_log_devices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
