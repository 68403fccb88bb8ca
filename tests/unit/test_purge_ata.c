/* The ATA purge driver (sanitize, security erase, hidden areas) against
 * the ATA model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ata_model.h"
#include "purge_fixture.h"
#include "wipe/firmware/ata.h"

/* ---- ATA ---- */

static void ata_sanitize_methods(void **state)
{
	(void)state;
	const char *methods[] = {"ata-sanitize-crypto", "ata-sanitize-block", "ata-sanitize-overwrite"};
	for (int i = 0; i < 3; i++) {
		struct ata_model m;
		ata_model_init(&m, 0);
		struct kesu_purge_opts o = purge_opts();
		struct kesu_purge_result r;
		assert_int_equal(purge_run(&m.tr, &m.med, false, false, methods[i], &o, &r), KESU_OK);
		assert_string_equal(r.result, "erased");
		assert_string_equal(r.status, "completed-without-error");
		assert_int_equal(m.n_sanitize, 1);
		kesu_purge_result_free(&r);
		ata_model_destroy(&m);
	}
	struct ata_model m;
	struct kesu_purge_opts o;
	struct kesu_purge_result r;
	ata_model_init(&m, 0);
	m.san_crypto = false;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "ata-sanitize-crypto", &o, &r),
			 KESU_ERR_NOTSUP);
	m.sanitize_fails = true;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "ata-sanitize-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.status, "sanitize-failed");
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
	ata_model_init(&m, 0);
	m.stall = true;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "ata-sanitize-crypto", &o, &r),
			 KESU_ERR_FAILED);
	assert_non_null(strstr(r.reason, "did not finish"));
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
	ata_model_init(&m, 0);
	m.crypto_stale = true;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "ata-sanitize-crypto", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.verify.outcome, "failed");
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
	ata_model_init(&m, 0);
	m.gone_after_cmds = 6; /* identify, native max, dco, opal, sanitize, one status */
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "ata-sanitize-block", &o, &r),
			 KESU_ERR_GONE);
	assert_string_equal(r.status, "device-gone");
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
}

static void ata_secure_erase_frozen_and_usb_refused(void **state)
{
	(void)state;
	struct ata_model m;
	ata_model_init(&m, 0);
	m.frozen = true;
	struct kesu_purge_opts o = purge_opts();
	struct kesu_purge_result r;
	struct kesu_caps c;
	struct kesu_err err;
	kesu_caps_probe(&m.tr, false, true, &c, &err);
	struct kesu_target *tgt = model_medium_target(&m.med);
	assert_int_equal(kesu_purge_run(&m.tr, tgt, &c, "ata-secure-erase", &o, &r, &err),
			 KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "suspend and resume"));
	assert_int_equal(m.n_set_pw, 0);
	kesu_target_close(tgt);
	m.frozen = false;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, true, true, "ata-sanitize-block", &o, &r),
			 KESU_ERR_REFUSED);
	assert_int_equal(m.n_sanitize, 0);
	o.allow_usb_bridge = true;
	assert_int_equal(purge_run(&m.tr, &m.med, true, true, "ata-sanitize-block", &o, &r), KESU_OK);
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
}

static void ata_secure_erase_success_disables_security(void **state)
{
	(void)state;
	struct ata_model m;
	ata_model_init(&m, 0);
	m.rotation = 7200;
	struct kesu_purge_opts o = purge_opts();
	struct kesu_purge_result r;
	assert_int_equal(purge_run(&m.tr, &m.med, false, true, "ata-secure-erase-enhanced", &o, &r),
			 KESU_OK);
	assert_true(m.last_erase_enhanced);
	assert_false(m.sec_enabled);
	assert_string_equal(r.nist_category, "purge");
	assert_int_equal(r.recovery_password[0], '\0');
	kesu_purge_result_free(&r);
	/* On flash the same command is only Clear. */
	m.rotation = 1;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "ata-secure-erase", &o, &r), KESU_OK);
	assert_string_equal(r.nist_category, "clear");
	assert_int_equal(r.verify.check, KESU_CHECK_UNIFORM);
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
}

static void ata_secure_erase_failure_recovers_password(void **state)
{
	(void)state;
	struct ata_model m;
	struct kesu_purge_opts o;
	struct kesu_purge_result r;
	/* ERASE UNIT fails: kesu removes its password again. */
	ata_model_init(&m, 0);
	m.erase_fails = true;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, true, "ata-secure-erase", &o, &r),
			 KESU_ERR_FAILED);
	assert_false(m.sec_enabled);
	assert_int_equal(m.n_disable, 1);
	assert_int_equal(r.recovery_password[0], '\0');
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
	/* ... and when it cannot, it reports the password, which works. */
	ata_model_init(&m, 0);
	m.erase_fails = true;
	m.disable_fails = true;
	o = purge_opts();
	struct kesu_caps c;
	struct kesu_err err;
	kesu_caps_probe(&m.tr, false, true, &c, &err);
	struct kesu_target *tgt = model_medium_target(&m.med);
	assert_int_equal(kesu_purge_run(&m.tr, tgt, &c, "ata-secure-erase", &o, &r, &err),
			 KESU_ERR_FAILED);
	kesu_target_close(tgt);
	assert_true(m.sec_enabled);
	assert_true(r.recovery_password[0] != '\0');
	assert_non_null(strstr(err.msg, r.recovery_password));
	assert_non_null(strstr(r.reason, "TEMPORARY USER PASSWORD"));
	json_t *f = kesu_purge_firmware_json(&r);
	assert_string_equal(json_string_value(json_object_get(f, "recovery_password")),
			    r.recovery_password);
	json_decref(f);
	m.disable_fails = false;
	uint8_t pw[32] = {0}, blk[512];
	memcpy(pw, r.recovery_password, strlen(r.recovery_password));
	kesu_ata_security_block(blk, false, false, pw);
	struct kesu_scsi_cmd cmd;
	struct kesu_ata_tf tf = kesu_ata_tf_security(KESU_ATA_SEC_DISABLE);
	struct kesu_ata_result reg;
	kesu_ata_pt16(&cmd, KESU_ATA_PIO_OUT, false, &tf, blk, 512, 1000);
	assert_int_equal(kesu_ata_exec(&m.tr, &cmd, &reg, &err), KESU_OK);
	assert_false(m.sec_enabled);
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
	/* Success claimed but security still enabled: not trusted. */
	ata_model_init(&m, 0);
	m.stays_enabled = true;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, true, "ata-secure-erase", &o, &r),
			 KESU_ERR_FAILED);
	assert_non_null(strstr(r.reason, "still enabled"));
	assert_false(m.sec_enabled); /* kesu disabled its password */
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
}

static void ata_hidden_areas(void **state)
{
	(void)state;
	struct ata_model m;
	struct kesu_purge_opts o;
	struct kesu_purge_result r;
	ata_model_init(&m, 0);
	ata_model_hide(&m, 48, 16);
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "ata-sanitize-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.result, "erased-with-exceptions");
	assert_string_equal(r.verify.outcome, "passed");
	assert_non_null(strstr(r.reason, "--unlock-hidden"));
	assert_int_equal(m.n_set_max, 0);
	kesu_purge_result_free(&r);
	o = purge_opts();
	o.unlock_hidden = true;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "ata-sanitize-block", &o, &r), KESU_OK);
	assert_string_equal(r.result, "erased");
	assert_true(r.hidden_unlocked);
	assert_int_equal(m.n_set_max, 1);
	assert_int_equal(m.n_dco_restore, 1);
	assert_int_equal(m.current_max, 2047);
	kesu_purge_result_free(&r);
	/* A DCO restore the drive refuses stops the run before any erase. */
	ata_model_destroy(&m);
	ata_model_init(&m, 0);
	ata_model_hide(&m, 0, 16);
	m.hpa_supported = false;
	o = purge_opts();
	o.unlock_hidden = true;
	m.dco_supported = true;
	struct kesu_caps c;
	struct kesu_err err;
	kesu_caps_probe(&m.tr, false, false, &c, &err);
	m.current_max = m.native_max - 1; /* an HPA appeared: ACS aborts DCO RESTORE */
	struct kesu_target *tgt = model_medium_target(&m.med);
	assert_int_equal(kesu_purge_run(&m.tr, tgt, &c, "ata-sanitize-block", &o, &r, &err),
			 KESU_ERR_FAILED);
	kesu_target_close(tgt);
	assert_int_equal(m.n_sanitize, 0);
	assert_non_null(strstr(r.reason, "DCO"));
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ata_sanitize_methods),
		cmocka_unit_test(ata_secure_erase_frozen_and_usb_refused),
		cmocka_unit_test(ata_secure_erase_success_disables_security),
		cmocka_unit_test(ata_secure_erase_failure_recovers_password),
		cmocka_unit_test(ata_hidden_areas),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
