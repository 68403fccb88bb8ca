/* ATA PASS-THROUGH building, sense decoding, IDENTIFY words and the ATA
 * drive model's state machines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/strutil.h"
#include "wipe/firmware/ata.h"
#include "ata_model.h"

static void pt16_layout_for_sanitize_overwrite(void **state)
{
	(void)state;
	struct kesu_scsi_cmd c;
	struct kesu_ata_tf tf = kesu_ata_tf_sanitize_overwrite(2, true, 0x11223344);
	kesu_ata_pt16(&c, KESU_ATA_NONDATA, true, &tf, NULL, 0, 1000);
	const uint8_t want[16] = {0x85, 0x07, 0x20, 0x00, 0x14, 0x00, 0x82,
				  0x11, 0x44, 0x57, 0x33, 0x4F, 0x22, 0x40, 0xB4, 0x00};
	/* LBA 0x4F57_11223344: bits 31:24 in byte 7, 7:0 in 8, 39:32 in 9 ... */
	assert_memory_equal(c.cdb, want, 16);
	assert_int_equal(c.dir, KESU_XFER_NONE);
	tf = kesu_ata_tf_identify();
	uint8_t buf[512];
	kesu_ata_pt16(&c, KESU_ATA_PIO_IN, false, &tf, buf, 512, 1000);
	assert_int_equal(c.cdb[1], 0x08);
	assert_int_equal(c.cdb[2], 0x0E); /* T_DIR in, BYT_BLOK, T_LENGTH=2; no CK_COND */
	assert_int_equal(c.cdb[6], 1);
	assert_int_equal(c.cdb[14], 0xEC);
	tf = kesu_ata_tf_sanitize_crypto();
	assert_int_equal(tf.lba, 0x43727970);
	assert_int_equal(tf.feature, 0x11);
	tf = kesu_ata_tf_sanitize_block();
	assert_int_equal(tf.lba, 0x426B4572);
}

static void sense_descriptor_and_fixed(void **state)
{
	(void)state;
	uint8_t s[22] = {0x72, 0x01, 0x00, 0x1D, 0, 0, 0, 14,
			 0x09, 0x0C, 0x01, 0x00, 0x40, 0x00, 0x12, 0x34, 0x56, 0x78,
			 0x9A, 0xBC, 0x40, 0x50};
	struct kesu_ata_result r;
	assert_true(kesu_ata_parse_sense(s, sizeof(s), &r));
	assert_int_equal(r.status, 0x50);
	assert_int_equal(r.count, 0x4000);
	assert_int_equal(r.lba, 0x9A5612BC7834ull);
	/* Truncated descriptor: no registers. */
	assert_false(kesu_ata_parse_sense(s, 16, &r));
	uint8_t f[18] = {0x70, 0, 0x01, 0x04, 0x51, 0x40, 0x07, 10,
			 0x00, 0xAA, 0xBB, 0xCC, 0x00, 0x1D, 0, 0, 0, 0};
	assert_true(kesu_ata_parse_sense(f, sizeof(f), &r));
	assert_int_equal(r.error, 0x04);
	assert_int_equal(r.status, 0x51);
	assert_int_equal(r.lba, 0xCCBBAA);
	f[8] = 0x20; /* upper LBA bytes not returned */
	assert_false(kesu_ata_parse_sense(f, sizeof(f), &r));
	f[13] = 0x00; /* not ATA information */
	assert_false(kesu_ata_parse_sense(f, sizeof(f), &r));
}

static enum kesu_rc send(struct ata_model *m, enum kesu_ata_proto p, bool ext,
			 struct kesu_ata_tf tf, void *buf, struct kesu_ata_result *r)
{
	struct kesu_scsi_cmd c;
	struct kesu_err err;
	kesu_ata_pt16(&c, p, ext, &tf, buf, buf ? 512 : 0, 1000);
	return kesu_ata_exec(&m->tr, &c, r, &err);
}

static void identify_words_from_model(void **state)
{
	(void)state;
	struct ata_model m;
	ata_model_init(&m, 0);
	m.frozen = true;
	m.w89 = 0x8000 | 45; /* extended format: 90 minutes */
	uint8_t buf[512];
	struct kesu_ata_result r;
	assert_int_equal(send(&m, KESU_ATA_PIO_IN, false, kesu_ata_tf_identify(), buf, &r), KESU_OK);
	struct kesu_ata_identify id;
	struct kesu_err err;
	assert_int_equal(kesu_ata_parse_identify(buf, 512, &id, &err), KESU_OK);
	assert_string_equal(id.model, "KESU MODEL SATA SSD");
	assert_string_equal(id.serial, "ATA0001");
	assert_true(id.checksum_ok);
	assert_true(id.sanitize && id.sanitize_crypto && id.sanitize_block && id.sanitize_overwrite);
	assert_true(id.sec_supported && id.sec_frozen && id.sec_enhanced);
	assert_false(id.sec_enabled || id.sec_locked);
	assert_int_equal(id.erase_minutes, 90);
	assert_int_equal(id.enhanced_erase_minutes, 4);
	assert_true(id.hpa_supported && id.dco_supported);
	assert_int_equal(id.sectors, 2048);
	assert_int_equal(id.rotation_rate, 1);
	/* A model field holding a right-to-left override (UTF-8 in the ASCII
	 * field): read as '?', so the certificate of the erasure that follows
	 * can be signed instead of being refused after the drive is wiped. */
	strcpy(m.model, "SSD \xe2\x80\xae" "TSET");
	assert_int_equal(send(&m, KESU_ATA_PIO_IN, false, kesu_ata_tf_identify(), buf, &r), KESU_OK);
	assert_int_equal(kesu_ata_parse_identify(buf, 512, &id, &err), KESU_OK);
	assert_string_equal(id.model, "SSD ?TSET");
	assert_int_equal(kesu_text_hidden_char(id.model), 0);
	buf[54] ^= 1; /* damage the model string: checksum fails */
	assert_int_equal(kesu_ata_parse_identify(buf, 512, &id, &err), KESU_ERR_INVALID);
	assert_int_equal(kesu_ata_erase_minutes(0), 0);
	assert_int_equal(kesu_ata_erase_minutes(255), 510);
	ata_model_destroy(&m);
}

static void security_state_machine(void **state)
{
	(void)state;
	struct ata_model m;
	ata_model_init(&m, 0);
	uint8_t pw[32] = "kesu-temp", bad[32] = "wrong";
	uint8_t blk[512];
	struct kesu_ata_result r;
	/* Frozen: SET PASSWORD aborts. */
	m.frozen = true;
	kesu_ata_security_block(blk, false, false, pw);
	assert_int_equal(send(&m, KESU_ATA_PIO_OUT, false,
			      kesu_ata_tf_security(KESU_ATA_SEC_SET_PASSWORD), blk, &r),
			 KESU_ERR_FAILED);
	assert_int_equal(r.error & KESU_ATA_ERROR_ABRT, KESU_ATA_ERROR_ABRT);
	m.frozen = false;
	assert_int_equal(send(&m, KESU_ATA_PIO_OUT, false,
			      kesu_ata_tf_security(KESU_ATA_SEC_SET_PASSWORD), blk, &r), KESU_OK);
	assert_true(m.sec_enabled);
	/* ERASE UNIT without ERASE PREPARE aborts. */
	assert_int_equal(send(&m, KESU_ATA_PIO_OUT, false,
			      kesu_ata_tf_security(KESU_ATA_SEC_ERASE_UNIT), blk, &r),
			 KESU_ERR_FAILED);
	/* Five wrong passwords expire the counter; then even the right one fails. */
	kesu_ata_security_block(blk, false, false, bad);
	for (int i = 0; i < 5; i++)
		assert_int_equal(send(&m, KESU_ATA_PIO_OUT, false,
				      kesu_ata_tf_security(KESU_ATA_SEC_DISABLE), blk, &r),
				 KESU_ERR_FAILED);
	kesu_ata_security_block(blk, false, false, pw);
	assert_int_equal(send(&m, KESU_ATA_PIO_OUT, false,
			      kesu_ata_tf_security(KESU_ATA_SEC_DISABLE), blk, &r),
			 KESU_ERR_FAILED);
	uint8_t id[512];
	send(&m, KESU_ATA_PIO_IN, false, kesu_ata_tf_identify(), id, &r);
	struct kesu_ata_identify ident;
	struct kesu_err err;
	kesu_ata_parse_identify(id, 512, &ident, &err);
	assert_true(ident.sec_enabled && ident.sec_count_expired);
	ata_model_destroy(&m);
}

static void hpa_dco_and_sanitize_status(void **state)
{
	(void)state;
	struct ata_model m;
	ata_model_init(&m, 0);
	ata_model_hide(&m, 48, 16);
	struct kesu_ata_result r;
	/* SET MAX without READ NATIVE MAX first aborts (ACS ordering). */
	assert_int_equal(send(&m, KESU_ATA_NONDATA, true, kesu_ata_tf_set_max(2031), NULL, &r),
			 KESU_ERR_FAILED);
	assert_int_equal(send(&m, KESU_ATA_NONDATA, true, kesu_ata_tf_read_native_max(), NULL, &r),
			 KESU_OK);
	assert_int_equal(r.lba, 2031);
	uint8_t dco[512];
	/* DCO RESTORE with an HPA set aborts. */
	assert_int_equal(send(&m, KESU_ATA_NONDATA, false, kesu_ata_tf_dco(KESU_ATA_DCO_RESTORE),
			      NULL, &r), KESU_ERR_FAILED);
	assert_int_equal(send(&m, KESU_ATA_PIO_IN, false, kesu_ata_tf_dco(KESU_ATA_DCO_IDENTIFY),
			      dco, &r), KESU_OK);
	assert_int_equal(kesu_ata_parse_dco_max(dco, 512), 2047);
	/* Sanitize: status polling until complete. */
	assert_int_equal(send(&m, KESU_ATA_NONDATA, true, kesu_ata_tf_sanitize_block(), NULL, &r),
			 KESU_OK);
	struct kesu_ata_sanitize_status s;
	int polls = 0;
	do {
		assert_int_equal(send(&m, KESU_ATA_NONDATA, true, kesu_ata_tf_sanitize_status(),
				      NULL, &r), KESU_OK);
		kesu_ata_parse_sanitize_status(&r, &s);
		polls++;
	} while (s.in_progress && polls < 10);
	assert_true(s.completed);
	assert_int_equal(polls, 3);
	/* A wrong magic LBA aborts. */
	struct kesu_ata_tf tf = kesu_ata_tf_sanitize_crypto();
	tf.lba = 0;
	assert_int_equal(send(&m, KESU_ATA_NONDATA, true, tf, NULL, &r), KESU_ERR_FAILED);
	/* Gone mid-way, and a bridge that drops registers. */
	m.no_regs = true;
	struct kesu_scsi_cmd c;
	struct kesu_err err;
	tf = kesu_ata_tf_read_native_max();
	kesu_ata_pt16(&c, KESU_ATA_NONDATA, true, &tf, NULL, 0, 1000);
	assert_int_equal(kesu_ata_exec(&m.tr, &c, &r, &err), KESU_OK);
	assert_false(r.have_regs);
	m.gone_after_cmds = 0;
	assert_int_equal(kesu_ata_exec(&m.tr, &c, &r, &err), KESU_ERR_GONE);
	ata_model_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pt16_layout_for_sanitize_overwrite),
		cmocka_unit_test(sense_descriptor_and_fixed),
		cmocka_unit_test(identify_words_from_model),
		cmocka_unit_test(security_state_machine),
		cmocka_unit_test(hpa_dco_and_sanitize_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
