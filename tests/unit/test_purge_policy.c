/* The pure purge policy: which method "purge" picks, and time limits from
 * the drive's own estimates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "wipe/firmware/purge.h"

/* ---- the pure choice ---- */

static const char *choose(struct kesu_caps *c, bool psid)
{
	struct kesu_purge_choice ch;
	kesu_purge_choose(c, psid, &ch);
	assert_true(ch.why[0] != '\0');
	return ch.method ? ch.method->name : "none";
}

static void choice_table(void **state)
{
	(void)state;
	struct kesu_caps c;
	memset(&c, 0, sizeof(c));
	c.kind = KESU_CAPS_NVME;
	c.nvme.ns_ok = true;
	c.nvme.ctrl.oacs = KESU_NVME_OACS_FORMAT;
	struct { uint32_t sanicap; uint8_t fna; const char *want; } nv[] = {
		{7, 4, "nvme-sanitize-crypto-block"},   /* flash with both: the chain */
		{5, 4, "nvme-sanitize-crypto"},
		{6, 4, "nvme-sanitize-block"},
		{4, 4, "nvme-format-crypto"},
		{4, 0, "nvme-sanitize-overwrite"},
		{0, 0, "nvme-format-erase"},
	};
	for (size_t i = 0; i < sizeof(nv) / sizeof(nv[0]); i++) {
		c.nvme.ctrl.sanicap = nv[i].sanicap;
		c.nvme.ctrl.fna = nv[i].fna;
		assert_string_equal(choose(&c, false), nv[i].want);
	}
	struct kesu_purge_choice ch;
	c.nvme.ctrl.sanicap = 7;
	kesu_purge_choose(&c, false, &ch);
	assert_non_null(strstr(ch.why, "nothing depends on the key destruction alone"));
	c.rotational = true; /* an NVMe disk drive: one key change is the purge */
	assert_string_equal(choose(&c, false), "nvme-sanitize-crypto");
	c.rotational = false;
	c.nvme.ctrl.sanicap = 0;
	c.nvme.ctrl.oacs = 0;
	assert_string_equal(choose(&c, false), "none");
	c.opal = (struct kesu_opal_info){.queried = true, .opal2 = true, .media_encryption = true};
	assert_string_equal(choose(&c, true), "opal-psid-revert");
	assert_string_equal(choose(&c, false), "none");

	memset(&c, 0, sizeof(c));
	c.kind = KESU_CAPS_ATA;
	c.ata.id.sanitize = c.ata.id.sanitize_block = c.ata.id.sanitize_overwrite = true;
	assert_string_equal(choose(&c, false), "ata-sanitize-block");       /* flash */
	c.rotational = true;
	assert_string_equal(choose(&c, false), "ata-sanitize-overwrite");   /* disk */
	c.ata.id.sanitize_crypto = true;
	assert_string_equal(choose(&c, false), "ata-sanitize-crypto");      /* disk */
	c.rotational = false;
	assert_string_equal(choose(&c, false), "ata-sanitize-crypto-block"); /* flash */
	c.ata.id.sanitize_block = false;
	assert_string_equal(choose(&c, false), "ata-sanitize-crypto");
	c.rotational = true;
	c.ata.id = (struct kesu_ata_identify){.sec_supported = true, .sec_enhanced = true};
	assert_string_equal(choose(&c, false), "ata-secure-erase-enhanced");
	c.ata.id.sec_enhanced = false;
	assert_string_equal(choose(&c, false), "ata-secure-erase");
	c.rotational = false; /* security erase is only Clear on flash */
	assert_string_equal(choose(&c, false), "none");

	memset(&c, 0, sizeof(c));
	c.kind = KESU_CAPS_SCSI;
	c.scsi.rsoc_ok = true;
	c.scsi.block = c.scsi.overwrite = true;
	assert_string_equal(choose(&c, false), "scsi-sanitize-block");
	c.rotational = true;
	assert_string_equal(choose(&c, false), "scsi-sanitize-overwrite");
	c.scsi.crypto = true;
	assert_string_equal(choose(&c, false), "scsi-sanitize-crypto");
	c.rotational = false;
	assert_string_equal(choose(&c, false), "scsi-sanitize-crypto-block");
	c.scsi.rsoc_ok = false;
	assert_string_equal(choose(&c, false), "none");
	memset(&c, 0, sizeof(c));
	assert_string_equal(choose(&c, false), "none");
}

static void timeouts_follow_estimates(void **state)
{
	(void)state;
	struct kesu_caps c;
	memset(&c, 0, sizeof(c));
	c.kind = KESU_CAPS_NVME;
	c.nvme.log_ok = true;
	c.nvme.log.etce = 30;
	c.nvme.log.etbe = KESU_NVME_NO_ESTIMATE;
	assert_int_equal(kesu_purge_timeout_s(kesu_purge_method_find("nvme-sanitize-crypto"), &c, 0),
			 660);
	/* No estimate: derived from the size at 20 MB/s. */
	assert_int_equal(kesu_purge_timeout_s(kesu_purge_method_find("nvme-sanitize-block"), &c,
					      20000000000ull), 2 * (600 + 1000) + 600);
	c.kind = KESU_CAPS_ATA;
	c.ata.id.enhanced_erase_minutes = 90;
	assert_int_equal(kesu_purge_timeout_s(kesu_purge_method_find("ata-secure-erase-enhanced"),
					      &c, 0), 2 * 5400 + 600);
	/* A chain waits as long as its two commands together. */
	c.kind = KESU_CAPS_NVME;
	c.nvme.log.etbe = 60;
	assert_int_equal(kesu_purge_timeout_s(kesu_purge_method_find("nvme-sanitize-crypto-block"),
					      &c, 0), 660 + 720);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(choice_table),
		cmocka_unit_test(timeouts_follow_estimates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
