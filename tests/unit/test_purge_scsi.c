/* The SCSI purge driver against the SCSI model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "purge_fixture.h"
#include "scsi_model.h"
#include "wipe/firmware/scsi.h"

/* ---- SCSI ---- */

static void scsi_sanitize_methods(void **state)
{
	(void)state;
	const char *methods[] = {"scsi-sanitize-crypto", "scsi-sanitize-block",
				 "scsi-sanitize-overwrite"};
	for (int i = 0; i < 3; i++) {
		struct scsi_model m;
		scsi_model_init(&m, 0);
		struct kesu_purge_opts o = purge_opts();
		struct kesu_purge_result r;
		assert_int_equal(purge_run(&m.tr, &m.med, false, true, methods[i], &o, &r), KESU_OK);
		assert_string_equal(r.status, "completed");
		assert_true(m.last_cdb1 & 0x80); /* IMMED */
		assert_true(purge_pg.last_sanitize == 1.0 && purge_pg.monotonic);
		kesu_purge_result_free(&r);
		scsi_model_destroy(&m);
	}
	struct scsi_model m;
	struct kesu_purge_opts o;
	struct kesu_purge_result r;
	scsi_model_init(&m, 0);
	m.sa_crypto = false;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, true, "scsi-sanitize-crypto", &o, &r),
			 KESU_ERR_NOTSUP);
	m.sanitize_fails = true;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, true, "scsi-sanitize-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.status, "sanitize-failed");
	kesu_purge_result_free(&r);
	scsi_model_destroy(&m);
	scsi_model_init(&m, 0);
	m.stall = true;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, true, "scsi-sanitize-overwrite", &o, &r),
			 KESU_ERR_FAILED);
	assert_non_null(strstr(r.reason, "did not finish"));
	kesu_purge_result_free(&r);
	scsi_model_destroy(&m);
	scsi_model_init(&m, 0);
	m.gone_after_polls = 1;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, true, "scsi-sanitize-block", &o, &r),
			 KESU_ERR_GONE);
	kesu_purge_result_free(&r);
	scsi_model_destroy(&m);
	scsi_model_init(&m, 0);
	m.crypto_stale = true;
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, true, "scsi-sanitize-crypto", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.verify.outcome, "failed");
	kesu_purge_result_free(&r);
	scsi_model_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scsi_sanitize_methods),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
