/* SCSI SANITIZE building, sense progress decoding and the SCSI disk model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "wipe/firmware/scsi.h"
#include "scsi_model.h"

static void sanitize_cdb_and_parameters(void **state)
{
	(void)state;
	struct kesu_scsi_cmd c;
	kesu_scsi_sanitize_cmd(&c, KESU_SCSI_SA_CRYPTO, false, NULL, 0);
	assert_int_equal(c.cdb_len, 10);
	assert_int_equal(c.cdb[0], 0x48);
	assert_int_equal(c.cdb[1], 0x83); /* IMMED | crypto erase */
	assert_int_equal(c.dir, KESU_XFER_NONE);
	kesu_scsi_sanitize_cmd(&c, KESU_SCSI_SA_BLOCK, true, NULL, 0);
	assert_int_equal(c.cdb[1], 0xA2);
	uint8_t p[16];
	uint8_t pat[4] = {0, 0, 0, 0};
	uint16_t n = kesu_scsi_sanitize_overwrite_params(p, sizeof(p), 1, false, pat, 4);
	assert_int_equal(n, 8);
	assert_int_equal(p[0], 1);
	assert_int_equal(p[3], 4);
	assert_int_equal(kesu_scsi_sanitize_overwrite_params(p, sizeof(p), 0, false, pat, 4), 0);
	assert_int_equal(kesu_scsi_sanitize_overwrite_params(p, sizeof(p), 1, false, pat, 0), 0);
	assert_int_equal(kesu_scsi_sanitize_overwrite_params(p, 6, 1, false, pat, 4), 0);
	kesu_scsi_sanitize_cmd(&c, KESU_SCSI_SA_OVERWRITE, false, p, n);
	assert_int_equal(c.cdb[8], 8);
	assert_int_equal(c.dir, KESU_XFER_TO_DEV);
	kesu_scsi_rsoc_cmd(&c, 0x48, 3, p, 16);
	assert_int_equal(c.cdb[0], 0xA3);
	assert_int_equal(c.cdb[1], 0x0C);
	assert_int_equal(c.cdb[2], 0x02);
	assert_int_equal(c.cdb[3], 0x48);
	assert_int_equal(c.cdb[5], 3);
	assert_int_equal(c.cdb[9], 16);
}

static void sense_progress_fixed_and_descriptor(void **state)
{
	(void)state;
	uint8_t f[18] = {0x70, 0, 0x02, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x04, 0x1B, 0,
			 0x80, 0x40, 0x00};
	struct kesu_sense s;
	kesu_scsi_parse_sense(f, sizeof(f), &s);
	assert_true(kesu_sense_sanitize_in_progress(&s));
	assert_true(s.sksv);
	assert_int_equal(s.progress, 0x4000);
	f[15] = 0; /* SKSV clear: the progress bytes mean nothing */
	kesu_scsi_parse_sense(f, sizeof(f), &s);
	assert_false(s.sksv);
	uint8_t d[16] = {0x72, 0x03, 0x31, 0x03, 0, 0, 0, 8,
			 0x02, 0x06, 0, 0, 0x80, 0x12, 0x34, 0};
	kesu_scsi_parse_sense(d, sizeof(d), &s);
	assert_true(kesu_sense_sanitize_failed(&s));
	assert_int_equal(s.progress, 0x1234);
	kesu_scsi_parse_sense(d, 4, &s);
	assert_false(s.valid);
}

static void model_sanitize_with_progress(void **state)
{
	(void)state;
	struct scsi_model m;
	scsi_model_init(&m, 0);
	m.sa_crypto = false;
	struct kesu_scsi_cmd c;
	struct kesu_sense s;
	struct kesu_err err;
	uint8_t buf[32];
	kesu_scsi_rsoc_cmd(&c, 0x48, KESU_SCSI_SA_CRYPTO, buf, sizeof(buf));
	assert_int_equal(kesu_scsi_run(&m.tr, &c, &s, &err), KESU_OK);
	assert_false(kesu_scsi_rsoc_supported(buf, sizeof(buf)));
	kesu_scsi_rsoc_cmd(&c, 0x48, KESU_SCSI_SA_BLOCK, buf, sizeof(buf));
	assert_int_equal(kesu_scsi_run(&m.tr, &c, &s, &err), KESU_OK);
	assert_true(kesu_scsi_rsoc_supported(buf, sizeof(buf)));
	/* Unsupported service action: ILLEGAL REQUEST. */
	kesu_scsi_sanitize_cmd(&c, KESU_SCSI_SA_CRYPTO, false, NULL, 0);
	assert_int_equal(kesu_scsi_run(&m.tr, &c, &s, &err), KESU_ERR_FAILED);
	assert_int_equal(s.key, KESU_SK_ILLEGAL_REQUEST);
	kesu_scsi_sanitize_cmd(&c, KESU_SCSI_SA_BLOCK, false, NULL, 0);
	assert_int_equal(kesu_scsi_run(&m.tr, &c, &s, &err), KESU_OK);
	uint16_t last = 0;
	int polls = 0;
	for (;;) {
		kesu_scsi_request_sense_cmd(&c, buf, 18);
		assert_int_equal(kesu_scsi_run(&m.tr, &c, &s, &err), KESU_OK);
		kesu_scsi_parse_sense(buf, 18, &s);
		polls++;
		if (!kesu_sense_sanitize_in_progress(&s))
			break;
		assert_true(s.progress > last);
		last = s.progress;
	}
	assert_int_equal(polls, 3);
	assert_int_equal(s.key, KESU_SK_NO_SENSE);
	assert_int_equal(m.med.data[4000], 0);
	/* A failing sanitize reports 31/03. */
	m.sanitize_fails = true;
	kesu_scsi_sanitize_cmd(&c, KESU_SCSI_SA_BLOCK, false, NULL, 0);
	kesu_scsi_run(&m.tr, &c, &s, &err);
	for (int i = 0; i < 3; i++) {
		kesu_scsi_request_sense_cmd(&c, buf, 18);
		kesu_scsi_run(&m.tr, &c, &s, &err);
	}
	kesu_scsi_parse_sense(buf, 18, &s);
	assert_true(kesu_sense_sanitize_failed(&s));
	/* An ATA command to a SAS disk: invalid opcode. */
	memset(&c, 0, sizeof(c));
	c.cdb[0] = 0x85;
	c.cdb_len = 16;
	assert_int_equal(kesu_scsi_run(&m.tr, &c, &s, &err), KESU_ERR_FAILED);
	assert_int_equal(s.asc, 0x20);
	scsi_model_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sanitize_cdb_and_parameters),
		cmocka_unit_test(sense_progress_fixed_and_descriptor),
		cmocka_unit_test(model_sanitize_with_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
