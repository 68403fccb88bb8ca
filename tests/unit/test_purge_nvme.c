/* The NVMe and Opal purge drivers against the NVMe model, including their
 * failure paths, with a fake clock so nothing waits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "nvme_model.h"
#include "purge_fixture.h"

/* ---- NVMe ---- */

static void nvme_sanitize_crypto_erases_and_records(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	struct kesu_purge_opts o = purge_opts();
	struct kesu_purge_result r;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto", &o, &r), KESU_OK);
	assert_string_equal(r.result, "erased");
	assert_string_equal(r.verify.outcome, "passed");
	assert_int_equal(m.n_sanitize, 1);
	assert_int_equal(m.last_sanitize_cdw10, 4);
	assert_true(r.verify.samples >= 1000 || r.verify.bytes_verified == m.med.capacity);
	assert_true(purge_pg.monotonic && purge_pg.last_sanitize == 1.0);
	json_t *f = kesu_purge_firmware_json(&r);
	assert_string_equal(json_string_value(json_object_get(f, "command")), "nvme-sanitize-crypto");
	assert_string_equal(json_string_value(json_object_get(f, "opcode")), "0x84");
	assert_string_equal(json_string_value(json_object_get(f, "status")), "completed");
	assert_string_equal(json_string_value(json_object_get(f, "technique")), "crypto-erase");
	assert_true(json_is_true(json_object_get(json_object_get(f, "completion"),
						 "global_data_erased")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(f, "verification"),
							       "outcome")), "passed");
	assert_true(json_is_number(json_object_get(f, "duration_s")));
	json_decref(f);
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
}

static void nvme_crypto_erase_with_unchanged_sample_fails(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	m.crypto_stale = true;
	struct kesu_purge_opts o = purge_opts();
	struct kesu_purge_result r;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.result, "failed");
	assert_string_equal(r.verify.outcome, "failed");
	assert_int_equal(r.verify.first_failure_offset, 0);
	assert_string_equal(r.status, "completed"); /* the drive claimed success */
	kesu_purge_result_free(&r);
	/* Format with crypto erase is checked the same way. */
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-format-crypto", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.verify.outcome, "failed");
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
}

/* Unmapped blocks read zeros before and after a crypto erase: no data, so
 * nothing to prove there; the regions that held data still must change. */
static void crypto_erase_leaves_blank_regions_blank(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	m.med.unmapped_zeros = true;
	uint8_t z = 0;
	model_medium_fill(&m.med, 0, 128 * 1024, &z, 1); /* the first block is always sampled */
	struct kesu_purge_opts o = purge_opts();
	struct kesu_purge_result r;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto", &o, &r), KESU_OK);
	assert_string_equal(r.verify.outcome, "passed");
	for (int i = 0; i < 128 * 1024; i++)
		assert_int_equal(m.med.data[i], 0);
	kesu_purge_result_free(&r);
	/* A blank region that comes back with data is fine too; one that
	 * held data and comes back unchanged is not. */
	model_medium_fill_user_data(&m.med, 77);
	m.crypto_stale = true;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto", &o, &r),
			 KESU_ERR_FAILED);
	assert_int_equal(r.verify.first_failure_offset, 0);
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
}

static void nvme_format_keeps_lba_format(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	m.lbaf = 1;
	m.med.block = 4096;
	struct kesu_purge_opts o = purge_opts();
	struct kesu_purge_result r;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-format-erase", &o, &r), KESU_OK);
	assert_int_equal(m.last_format_cdw10, 1u | 1u << 9);
	assert_int_equal(m.last_format_nsid, 1);
	assert_int_equal(m.lbaf, 1);
	assert_int_equal(r.verify.check, KESU_CHECK_ZEROS); /* DLFEAT says zeros */
	kesu_purge_result_free(&r);
	/* A format that leaves data (SES ignored, like QEMU) fails verification. */
	m.dlfeat = 0;
	model_medium_fill_user_data(&m.med, 7);
	o = purge_opts();
	m.format_fails = true;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-format-erase", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.status, "status-0x006");
	kesu_purge_result_free(&r);
	/* FNA without crypto: format-crypto refused before anything is sent. */
	m.fna = 0;
	unsigned before = m.n_format;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-format-crypto", &o, &r),
			 KESU_ERR_NOTSUP);
	assert_false(r.started);
	assert_int_equal(m.n_format, before);
	nvme_model_destroy(&m);
}

static void nvme_sanitize_failures(void **state)
{
	(void)state;
	struct nvme_model m;
	struct kesu_purge_opts o;
	struct kesu_purge_result r;
	/* The controller reports the sanitize failed. */
	nvme_model_init(&m, 0);
	m.sanitize_fails = true;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.status, "failed");
	assert_string_equal(r.result, "failed");
	assert_non_null(strstr(r.reason, "sanitize failed"));
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
	/* Progress stalls: timeout from the estimate (etbe 60 s -> 720 s). */
	nvme_model_init(&m, 0);
	m.stall = true;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_non_null(strstr(r.reason, "did not finish within 720 s"));
	assert_int_equal(purge_fk.sleeps, 720);
	assert_string_equal(r.status, "in-progress");
	kesu_purge_result_free(&r);
	/* Now a sanitize is running: a second run is refused up front. */
	o = purge_opts();
	unsigned n = m.n_sanitize;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-block", &o, &r),
			 KESU_ERR_REFUSED);
	assert_int_equal(m.n_sanitize, n);
	nvme_model_destroy(&m);
	/* The device disappears mid-sanitize. */
	nvme_model_init(&m, 0);
	m.gone_after_polls = 2;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto", &o, &r),
			 KESU_ERR_GONE);
	assert_string_equal(r.result, "failed");
	assert_string_equal(r.status, "device-gone");
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
	/* Unsupported action. */
	nvme_model_init(&m, 0);
	m.sanicap = KESU_NVME_SANICAP_BLOCK;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-overwrite", &o, &r),
			 KESU_ERR_NOTSUP);
	assert_int_equal(m.n_sanitize, 0);
	nvme_model_destroy(&m);
}

static void nvme_overwrite_checks_pattern_and_purge_explains(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	struct kesu_purge_opts o = purge_opts();
	struct kesu_purge_result r;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-overwrite", &o, &r), KESU_OK);
	assert_int_equal(m.last_sanitize_cdw10, 3u | 1u << 4 | 1u << 9); /* 1 pass, NDAS */
	assert_int_equal(m.last_sanitize_cdw11, 0);
	assert_int_equal(r.verify.check, KESU_CHECK_ZEROS);
	kesu_purge_result_free(&r);
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "purge", &o, &r), KESU_OK);
	assert_string_equal(r.method, "nvme-sanitize-crypto-block");
	assert_string_equal(r.requested, "purge");
	assert_non_null(strstr(r.why, "crypto erase"));
	json_t *f = kesu_purge_firmware_json(&r);
	assert_non_null(strstr(json_string_value(json_object_get(f, "chosen_because")), "block erase"));
	json_decref(f);
	kesu_purge_result_free(&r);
	/* The same controller in front of spinning media: one crypto erase. */
	unsigned n = m.n_sanitize;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, true, "purge", &o, &r), KESU_OK);
	assert_string_equal(r.method, "nvme-sanitize-crypto");
	assert_int_equal(m.n_sanitize, n + 1);
	assert_int_equal(r.nsteps, 1);
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
}

static void opal_psid_revert(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	m.oacs |= KESU_NVME_OACS_SECURITY;
	m.opal = true;
	struct kesu_purge_opts o = purge_opts();
	struct kesu_purge_result r;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "opal-psid-revert", &o, &r),
			 KESU_ERR_REFUSED);
	o.psid = "WRONG";
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "opal-psid-revert", &o, &r),
			 KESU_ERR_FAILED);
	assert_non_null(strstr(r.reason, "PSID"));
	kesu_purge_result_free(&r);
	o = purge_opts();
	o.psid = m.psid;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "opal-psid-revert", &o, &r), KESU_OK);
	assert_int_equal(m.n_psid, 2);
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
}

static void signal_stops_waiting_not_the_drive(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	m.stall = true;
	atomic_int stop = 15;
	struct kesu_purge_opts o = purge_opts();
	o.stop = &stop;
	struct kesu_purge_result r;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_int_equal(purge_fk.sleeps, 1);
	assert_string_equal(r.result, "failed");
	assert_non_null(strstr(r.reason, "stopped by a signal"));
	assert_true(m.in_progress); /* the drive goes on */
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nvme_sanitize_crypto_erases_and_records),
		cmocka_unit_test(nvme_crypto_erase_with_unchanged_sample_fails),
		cmocka_unit_test(crypto_erase_leaves_blank_regions_blank),
		cmocka_unit_test(nvme_format_keeps_lba_format),
		cmocka_unit_test(nvme_sanitize_failures),
		cmocka_unit_test(nvme_overwrite_checks_pattern_and_purge_explains),
		cmocka_unit_test(opal_psid_revert),
		cmocka_unit_test(signal_stops_waiting_not_the_drive),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
