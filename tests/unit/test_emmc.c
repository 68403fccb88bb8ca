/* eMMC: the command builders and register parsers, capability discovery
 * and emmc-sanitize against the eMMC device model, failures included. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "emmc_model.h"
#include "wipe/firmware/mmc.h"
#include "wipe/firmware/purge.h"

/* ---- pure code ---- */

static void builders(void **state)
{
	(void)state;
	struct kesu_mmc_cmd c, e[3];
	uint8_t buf[512], wp[4];
	kesu_mmc_sanitize_cmd(&c, 123456);
	assert_int_equal(c.opcode, 6);
	/* write byte, EXT_CSD[165] = 1, command set 1 */
	assert_int_equal(c.arg, 0x03A50101u);
	assert_true(c.write);
	assert_int_equal(c.flags & KESU_MMC_RSP_R1B, KESU_MMC_RSP_R1B);
	assert_int_equal(c.timeout_ms, 123456);

	kesu_mmc_send_ext_csd_cmd(&c, buf);
	assert_int_equal(c.opcode, 8);
	assert_int_equal(c.blksz * c.blocks, 512);
	assert_false(c.write);
	assert_int_equal(c.flags & KESU_MMC_CMD_ADTC, KESU_MMC_CMD_ADTC);

	kesu_mmc_erase_cmds(e, 1024, 8191, 9000);
	assert_int_equal(e[0].opcode, 35);
	assert_int_equal(e[0].arg, 1024);
	assert_int_equal(e[1].opcode, 36);
	assert_int_equal(e[1].arg, 8191);
	assert_int_equal(e[2].opcode, 38);
	assert_int_equal(e[2].arg, 0); /* plain erase: defined content afterwards */
	assert_true(e[2].flags & KESU_MMC_RSP_BUSY);
	assert_false(e[0].flags & KESU_MMC_RSP_BUSY);
	assert_int_equal(e[2].timeout_ms, 9000);

	kesu_mmc_send_write_prot_cmd(&c, 4096, wp);
	assert_int_equal(c.opcode, 30);
	assert_int_equal(c.arg, 4096);
	assert_int_equal(c.blksz, 4);
}

static void registers(void **state)
{
	(void)state;
	uint8_t b[512] = {0};
	struct kesu_mmc_ext_csd x;
	struct kesu_err err;
	assert_int_equal(kesu_mmc_parse_ext_csd(b, 100, &x, &err), KESU_ERR_INVALID);
	b[192] = 7;
	b[231] = 0x40;
	b[181] = 1;
	b[175] = 1;
	b[224] = 2;
	b[223] = 3;
	b[221] = 4;
	b[212] = 0x00;
	b[213] = 0x00;
	b[214] = 0xA4;
	b[215] = 0x01; /* 0x01A40000 sectors */
	b[226] = 32;
	b[143 + 3] = 0x01; /* GP2 mult = 0x000201 */
	b[143 + 4] = 0x02;
	assert_int_equal(kesu_mmc_parse_ext_csd(b, sizeof(b), &x, &err), KESU_OK);
	assert_true(x.sanitize);
	assert_int_equal(x.erased_mem_cont, 1);
	assert_int_equal(x.sectors, 0x01A40000u);
	assert_int_equal(x.boot_bytes, 4u << 20);
	assert_int_equal(x.gp_bytes[0], 0);
	assert_int_equal(x.gp_bytes[1], (uint64_t)0x201 * 4 * 2 * 512 * 1024);
	assert_int_equal(kesu_mmc_erase_group_sectors(&x, NULL), 2048);
	assert_int_equal(kesu_mmc_wp_group_sectors(&x, NULL), 8192);
	assert_int_equal(kesu_mmc_erase_timeout_ms(&x, 10), 9000);
	/* Sanitize came with eMMC 4.5: the bit means nothing before it. */
	b[192] = 5;
	kesu_mmc_parse_ext_csd(b, sizeof(b), &x, &err);
	assert_false(x.sanitize);

	uint32_t csd[4] = {0};
	struct kesu_mmc_csd c;
	emmc_model_csd_set(csd, 25, 22, 9);
	emmc_model_csd_set(csd, 46, 42, 15);
	emmc_model_csd_set(csd, 41, 37, 3);
	emmc_model_csd_set(csd, 36, 32, 7);
	emmc_model_csd_set(csd, 31, 31, 1);
	emmc_model_csd_set(csd, 13, 13, 1);
	kesu_mmc_parse_csd(csd, &c);
	assert_int_equal(c.erase_grp_sectors, 16 * 4);
	assert_int_equal(c.wp_grp_groups, 8);
	assert_true(c.wp_grp_enable && c.perm_write_protect && !c.tmp_write_protect);
	/* a 1 KiB write block doubles the sectors per group */
	emmc_model_csd_set(csd, 25, 22, 10);
	kesu_mmc_parse_csd(csd, &c);
	assert_int_equal(c.erase_grp_sectors, 128);
	x.hc_erase_def = false;
	assert_int_equal(kesu_mmc_erase_group_sectors(&x, &c), 128);
	assert_int_equal(kesu_mmc_wp_group_sectors(&x, &c), 128 * 8);
	assert_int_equal(kesu_mmc_erase_group_sectors(&x, NULL), 0);

	const uint8_t w[4] = {0x80, 0x00, 0x00, 0x01};
	assert_int_equal(kesu_mmc_write_prot_bits(w), 0x80000001u);

	char d[128];
	kesu_mmc_r1_describe(KESU_R1_ERASE_PARAM | KESU_R1_WP_ERASE_SKIP | (1u << 8), d, sizeof(d));
	assert_string_equal(d, "ERASE_PARAM, WP_ERASE_SKIP");
	kesu_mmc_r1_describe(1u << 8, d, sizeof(d));
	assert_string_equal(d, "");
}

/* ---- against the model ---- */

struct fake {
	uint64_t now;
};
static uint64_t fake_now(void *ctx) { return ((struct fake *)ctx)->now; }
static void fake_sleep(void *ctx, uint64_t ms) { ((struct fake *)ctx)->now += ms; }
static struct fake fk;
static struct kesu_clock clk = {fake_now, fake_sleep, &fk};

struct prog {
	unsigned erase_calls, sanitize_calls;
	double last_erase;
	atomic_int *stop;
};
static struct prog pg;

static void on_progress(void *ctx, const char *phase, double f)
{
	struct prog *p = ctx;
	if (!strcmp(phase, "erase")) {
		p->erase_calls++;
		p->last_erase = f;
		if (p->stop && f > 0.0)
			atomic_store(p->stop, 1);
	} else if (!strcmp(phase, "sanitize")) {
		p->sanitize_calls++;
	}
}

static struct kesu_purge_opts opts(void)
{
	memset(&fk, 0, sizeof(fk));
	memset(&pg, 0, sizeof(pg));
	return (struct kesu_purge_opts){.seed = 7, .poll_ms = 1000, .clock = &clk,
					.progress = on_progress, .progress_ctx = &pg};
}

static enum kesu_rc run(struct emmc_model *m, const char *method, const struct kesu_purge_opts *o,
			struct kesu_purge_result *r, struct kesu_err *err)
{
	struct kesu_caps c;
	assert_int_equal(kesu_caps_probe(&m->tr, false, true, &c, err), KESU_OK);
	assert_int_equal(c.kind, KESU_CAPS_EMMC);
	assert_false(c.rotational);
	struct kesu_target *tgt = emmc_model_target(m);
	enum kesu_rc rc = kesu_purge_run(&m->tr, tgt, &c, method, o, r, err);
	if (rc != KESU_OK)
		assert_true(err->msg[0] != '\0');
	kesu_target_close(tgt);
	return rc;
}

/* Commands the whole user area takes in about 64 chunks of whole groups. */
static unsigned chunks(uint64_t sectors, uint64_t group)
{
	uint64_t c = (sectors + 63) / 64;
	c = (c + group - 1) / group * group;
	return (unsigned)((sectors + c - 1) / c);
}

static void capabilities(void **state)
{
	(void)state;
	struct emmc_model m;
	emmc_model_init(&m);
	m.ext_csd[KESU_EXT_CSD_GP_SIZE_MULT] = 1; /* GP1: one WP group */
	struct kesu_caps c;
	struct kesu_err err;
	assert_int_equal(kesu_caps_probe(&m.tr, false, true, &c, &err), KESU_OK);
	json_t *j = kesu_caps_to_json(&c);
	assert_string_equal(json_string_value(json_object_get(j, "interface")), "emmc");
	json_t *methods = json_object_get(j, "methods");
	assert_int_equal(json_array_size(methods), 1);
	assert_string_equal(json_string_value(json_array_get(methods, 0)), "emmc-sanitize");
	json_t *e = json_object_get(j, "emmc");
	assert_true(json_is_true(json_object_get(e, "sanitize")));
	assert_int_equal(json_integer_value(json_object_get(e, "ext_csd_rev")), 8);
	assert_int_equal(json_integer_value(json_object_get(e, "erase_group_bytes")), 512 * 1024);
	assert_int_equal(json_integer_value(json_object_get(e, "user_sectors")), m.sectors);
	assert_string_equal(json_string_value(json_object_get(e, "erased_value")), "0x00");
	assert_true(json_is_true(json_object_get(e, "sector_addressed")));
	assert_int_equal(json_integer_value(json_array_get(json_object_get(e, "gp_partition_bytes"), 0)),
			 512 * 1024);
	char *dump = json_dumps(json_object_get(j, "notes"), 0);
	assert_non_null(strstr(dump, "general purpose partitions"));
	assert_non_null(strstr(dump, "boot partitions"));
	free(dump);
	json_decref(j);
	struct kesu_purge_choice ch;
	kesu_purge_choose(&c, false, &ch);
	assert_string_equal(ch.method->name, "emmc-sanitize");

	/* What the device lacks is refused, with the reason. */
	const struct kesu_purge_method *pm = kesu_purge_method_find("emmc-sanitize");
	char why[256];
	c.emmc.ext.sanitize = false;
	assert_false(kesu_caps_supports(&c, pm, why, sizeof(why)));
	assert_non_null(strstr(why, "SEC_FEATURE_SUPPORT"));
	kesu_purge_choose(&c, false, &ch);
	assert_null(ch.method);
	c.emmc.ext.sanitize = true;
	/* 2 GiB exactly is still byte addressed (the driver's rule). */
	c.emmc.ext.sectors = 4194304;
	assert_false(kesu_caps_supports(&c, pm, why, sizeof(why)));
	assert_non_null(strstr(why, "byte addressed"));
	c.emmc.ext.sectors = 4194305;
	assert_true(kesu_caps_supports(&c, pm, why, sizeof(why)));
	c.emmc.csd_ok = false;
	assert_false(kesu_caps_supports(&c, pm, why, sizeof(why)));
	assert_non_null(strstr(why, "CSD"));
	assert_false(kesu_caps_supports(&c, kesu_purge_method_find("nvme-sanitize-block"), why,
					 sizeof(why)));
	assert_non_null(strstr(why, "eMMC"));

	/* An old card: rev 5 has no sanitize whatever bit 6 says. */
	m.ext_csd[KESU_EXT_CSD_REV] = 5;
	assert_int_equal(kesu_caps_probe(&m.tr, false, true, &c, &err), KESU_OK);
	c.emmc.csd_ok = true;
	assert_false(kesu_caps_supports(&c, pm, why, sizeof(why)));
	assert_non_null(strstr(why, "4.5"));

	/* No EXT_CSD answer: no pass-through, and the device is gone. */
	m.gone = true;
	assert_int_equal(kesu_caps_probe(&m.tr, false, true, &c, &err), KESU_ERR_GONE);
	emmc_model_destroy(&m);
}

static void sanitize_erases_then_purges(void **state)
{
	(void)state;
	struct emmc_model m;
	emmc_model_init(&m);
	struct kesu_purge_opts o = opts();
	struct kesu_purge_result r;
	struct kesu_err err;
	assert_int_equal(run(&m, "purge", &o, &r, &err), KESU_OK);
	assert_string_equal(r.result, "erased");
	assert_string_equal(r.method, "emmc-sanitize");
	assert_string_equal(r.interface, "emmc");
	assert_string_equal(r.status, "completed");
	assert_int_equal(r.verify.check, KESU_CHECK_ZEROS);
	assert_string_equal(r.verify.outcome, "passed");
	assert_true(r.verify.samples >= 1000);
	/* Every group unmapped before the sanitize, so nothing escaped it. */
	assert_true(m.sanitized);
	assert_int_equal(m.n_sanitize, 1);
	assert_int_equal(m.mapped_at_sanitize, 0);
	assert_int_equal(emmc_model_groups_with_data(&m), 0);
	/* Whole 512 KiB groups per command, each given at least the card's
	 * own busy time; every write-protect group looked at, 32 a query. */
	assert_int_equal(m.n_erase, chunks(m.sectors, 1024));
	assert_int_equal(m.groups_erased_twice, 0);
	assert_true(m.max_erase_timeout_ms >= 65 * 600);
	assert_int_equal(m.n_wp_queries, (m.wp_groups + 31) / 32);
	assert_true(pg.erase_calls >= 64 && pg.last_erase == 1.0 && pg.sanitize_calls == 2);
	json_t *fw = kesu_purge_firmware_json(&r);
	json_t *comp = json_object_get(fw, "completion");
	assert_int_equal(json_integer_value(json_object_get(comp, "sectors_erased")), m.sectors);
	assert_int_equal(json_integer_value(json_object_get(comp, "write_protected_groups")), 0);
	assert_string_equal(json_string_value(json_object_get(fw, "technique")), "block-erase");
	json_decref(fw);
	kesu_purge_result_free(&r);
	emmc_model_destroy(&m);

	/* ERASED_MEM_CONT 1: erased blocks read 0xFF and that is checked. */
	emmc_model_init(&m);
	m.ext_csd[KESU_EXT_CSD_ERASED_MEM_CONT] = 1;
	o = opts();
	assert_int_equal(run(&m, "emmc-sanitize", &o, &r, &err), KESU_OK);
	assert_int_equal(r.verify.check, KESU_CHECK_ONES);
	assert_string_equal(r.verify.outcome, "passed");
	assert_int_equal(emmc_model_groups_with_data(&m), 0);
	kesu_purge_result_free(&r);
	emmc_model_destroy(&m);

	/* A slow card: each command waits at least its worst case. */
	emmc_model_init(&m);
	m.ext_csd[KESU_EXT_CSD_ERASE_TIMEOUT_MULT] = 200;
	o = opts();
	assert_int_equal(run(&m, "emmc-sanitize", &o, &r, &err), KESU_OK);
	assert_true(m.max_erase_timeout_ms >= 65 * 60000);
	kesu_purge_result_free(&r);
	emmc_model_destroy(&m);

	/* Legacy erase groups from the CSD (ERASE_GROUP_DEF clear). */
	emmc_model_init(&m);
	emmc_model_legacy_groups(&m, 256);
	o = opts();
	assert_int_equal(run(&m, "emmc-sanitize", &o, &r, &err), KESU_OK);
	assert_int_equal(m.mapped_at_sanitize, 0);
	assert_int_equal(m.n_erase, chunks(m.sectors, 256));
	assert_int_equal(m.groups_erased_twice, 0);
	assert_int_equal(m.n_wp_queries, (m.wp_groups + 31) / 32);
	kesu_purge_result_free(&r);
	emmc_model_destroy(&m);
}

/* emmc-sanitize on a model broken by the caller fails with want, the
 * drive status and a reason naming why ("" for any); the model is freed. */
static void expect_failure(struct emmc_model *m, enum kesu_rc want, const char *status,
			   const char *why)
{
	struct kesu_purge_opts o = opts();
	struct kesu_purge_result r;
	struct kesu_err err;
	assert_int_equal(run(m, "emmc-sanitize", &o, &r, &err), want);
	assert_true(r.started);
	assert_string_equal(r.result, "failed");
	assert_string_equal(r.status, status);
	assert_non_null(strstr(r.reason, why));
	kesu_purge_result_free(&r);
	emmc_model_destroy(m);
}

static void erase_failures(void **state)
{
	(void)state;
	struct emmc_model m;
	struct kesu_purge_opts o;
	struct kesu_purge_result r;
	struct kesu_err err;

	/* A write-protected group would be skipped silently: refused before
	 * anything is erased. */
	emmc_model_init(&m);
	m.wp[5] = true;
	o = opts();
	assert_int_equal(run(&m, "emmc-sanitize", &o, &r, &err), KESU_ERR_REFUSED);
	assert_false(r.started);
	assert_int_equal(m.n_erase, 0);
	assert_non_null(strstr(err.msg, "write-protected"));
	assert_non_null(strstr(err.msg, "sector 5120"));
	kesu_purge_result_free(&r);
	emmc_model_destroy(&m);

	/* An erase that misses a group without saying so: verification
	 * catches it where it samples (the first block always is). */
	emmc_model_init(&m);
	m.skip_group = 0;
	o = opts();
	assert_int_equal(run(&m, "emmc-sanitize", &o, &r, &err), KESU_ERR_FAILED);
	assert_string_equal(r.result, "failed");
	assert_string_equal(r.verify.outcome, "failed");
	assert_true(r.verify.chunks_failed > 0);
	assert_int_equal(r.verify.first_failure_offset, 0);
	kesu_purge_result_free(&r);
	emmc_model_destroy(&m);

	/* The card rejects the erase in its R1 status. */
	emmc_model_init(&m);
	m.erase_error_bits = KESU_R1_ERASE_PARAM;
	expect_failure(&m, KESU_ERR_FAILED, "erase-failed", "ERASE_PARAM");

	/* The device disappears in the middle of the erase. */
	emmc_model_init(&m);
	m.gone_after_erases = 2;
	expect_failure(&m, KESU_ERR_GONE, "device-gone", "still unerased");

	/* A signal between erase commands: failed, the rest named. */
	emmc_model_init(&m);
	atomic_int stop = 0;
	o = opts();
	o.stop = &stop;
	pg.stop = &stop;
	assert_int_equal(run(&m, "emmc-sanitize", &o, &r, &err), KESU_ERR_FAILED);
	assert_string_equal(r.status, "stopped");
	assert_non_null(strstr(r.reason, "still holds data"));
	assert_int_equal(m.n_erase, 1);
	assert_int_equal(m.n_sanitize, 0);
	kesu_purge_result_free(&r);
	emmc_model_destroy(&m);

	/* Permanently write-protected card: refused up front. */
	emmc_model_init(&m);
	emmc_model_csd_set(m.csd, 13, 13, 1);
	o = opts();
	assert_int_equal(run(&m, "emmc-sanitize", &o, &r, &err), KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "destroy it physically"));
	assert_int_equal(m.n_cmds, 1); /* only the EXT_CSD read of the probe */
	kesu_purge_result_free(&r);
	emmc_model_destroy(&m);

	/* GP partitions lie outside the erase: never plain "erased". */
	emmc_model_init(&m);
	m.ext_csd[KESU_EXT_CSD_GP_SIZE_MULT + 3] = 2;
	o = opts();
	assert_int_equal(run(&m, "emmc-sanitize", &o, &r, &err), KESU_ERR_FAILED);
	assert_string_equal(r.result, "erased-with-exceptions");
	assert_non_null(strstr(r.reason, "general purpose partitions"));
	kesu_purge_result_free(&r);
	emmc_model_destroy(&m);
}

static void sanitize_failures(void **state)
{
	(void)state;
	struct emmc_model m;

	/* The driver refuses sanitize after the erase. */
	emmc_model_init(&m);
	m.sanitize_unsupported_by_driver = true;
	expect_failure(&m, KESU_ERR_FAILED, "sanitize-rejected", "not purged");

	/* SWITCH_ERROR in the R1 response. */
	emmc_model_init(&m);
	m.sanitize_switch_error = true;
	expect_failure(&m, KESU_ERR_FAILED, "sanitize-failed", "SWITCH_ERROR");

	/* Longer than kesu's time limit. */
	emmc_model_init(&m);
	m.sanitize_ms = UINT32_MAX;
	expect_failure(&m, KESU_ERR_FAILED, "timeout", "did not finish");

	/* Silent after its busy wait: outcome unknown. */
	emmc_model_init(&m);
	m.mute_after_sanitize = true;
	expect_failure(&m, KESU_ERR_FAILED, "no-answer", "outcome is unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builders),
		cmocka_unit_test(registers),
		cmocka_unit_test(capabilities),
		cmocka_unit_test(sanitize_erases_then_purges),
		cmocka_unit_test(erase_failures),
		cmocka_unit_test(sanitize_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
