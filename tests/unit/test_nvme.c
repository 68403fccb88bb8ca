/* NVMe command builders and parsers, against raw bytes and the controller
 * model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "wipe/firmware/nvme.h"
#include "nvme_model.h"

static void identify_controller_from_model(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	m.fna = KESU_NVME_FNA_CRYPTO | KESU_NVME_FNA_ERASE_ALL;
	m.nn = 4;
	strcpy(m.mn, "Model\x1b[2J");
	uint8_t buf[4096];
	struct kesu_nvme_cmd c;
	kesu_nvme_identify_ctrl_cmd(&c, buf);
	assert_int_equal(c.opcode, 0x06);
	assert_int_equal(c.cdw10, 1);
	assert_int_equal(kesu_nvme_admin(&m.tr, &c), 0);
	struct kesu_nvme_ctrl ctrl;
	struct kesu_err err;
	assert_int_equal(kesu_nvme_parse_ctrl(buf, sizeof(buf), &ctrl, &err), KESU_OK);
	assert_string_equal(ctrl.model, "Model?[2J"); /* escape neutralised */
	assert_string_equal(ctrl.serial, "NVM0001");
	assert_int_equal(ctrl.oacs & KESU_NVME_OACS_FORMAT, KESU_NVME_OACS_FORMAT);
	assert_int_equal(ctrl.sanicap, 7);
	assert_int_equal(ctrl.fna, 6);
	assert_int_equal(ctrl.nn, 4);
	assert_int_equal(kesu_nvme_parse_ctrl(buf, 100, &ctrl, &err), KESU_ERR_INVALID);
	nvme_model_destroy(&m);
}

static void identify_namespace_and_format_keeps_layout(void **state)
{
	(void)state;
	uint8_t buf[4096] = {0};
	buf[0] = 0x00; buf[1] = 0x10; /* nsze 4096 */
	buf[25] = 3;                  /* four formats */
	buf[26] = 0x12;               /* lbaf 2, metadata at end */
	buf[29] = 0x09;               /* PI type 1, first bytes */
	buf[33] = 1;
	buf[128 + 8 + 2] = 12;
	struct kesu_nvme_ns ns;
	struct kesu_err err;
	assert_int_equal(kesu_nvme_parse_ns(buf, sizeof(buf), &ns, &err), KESU_OK);
	assert_int_equal(ns.lbaf, 2);
	assert_true(ns.mset);
	assert_int_equal(ns.pi, 1);
	assert_true(ns.pil);
	assert_int_equal(ns.lba_bytes, 4096);
	/* LBAF 2, MSET, PI 1, PIL, SES 1: 0x2 | 0x10 | 0x20 | 0x100 | 0x200 */
	assert_int_equal(kesu_nvme_format_cdw10(&ns, 1), 0x332);
	assert_int_equal(kesu_nvme_format_cdw10(&ns, 2) >> 9 & 7, 2);
	/* A format index the namespace does not list is refused. */
	buf[26] = 0x05;
	assert_int_equal(kesu_nvme_parse_ns(buf, sizeof(buf), &ns, &err), KESU_ERR_INVALID);
	buf[26] = 0x00;
	buf[128 + 2] = 3; /* block size 2^3: nonsense */
	assert_int_equal(kesu_nvme_parse_ns(buf, sizeof(buf), &ns, &err), KESU_ERR_INVALID);
	memset(buf, 0, 8);
	assert_int_equal(kesu_nvme_parse_ns(buf, sizeof(buf), &ns, &err), KESU_ERR_INVALID);
}

static void sanitize_cdw10_bits(void **state)
{
	(void)state;
	struct kesu_nvme_sanitize_args a = {.sanact = KESU_NVME_SANACT_CRYPTO, .ause = true};
	assert_int_equal(kesu_nvme_sanitize_cdw10(&a), 0x0C);
	a = (struct kesu_nvme_sanitize_args){.sanact = KESU_NVME_SANACT_OVERWRITE,
					     .owpass = 3, .oipbp = true, .ndas = true,
					     .pattern = 0xDEADBEEF};
	assert_int_equal(kesu_nvme_sanitize_cdw10(&a), 0x333);
	struct kesu_nvme_cmd c;
	kesu_nvme_sanitize_cmd(&c, &a);
	assert_int_equal(c.opcode, 0x84);
	assert_int_equal(c.nsid, 0);
	assert_int_equal(c.cdw11, 0xDEADBEEF);
	/* OWPASS / OIPBP only mean something for overwrite. */
	a.sanact = KESU_NVME_SANACT_BLOCK;
	assert_int_equal(kesu_nvme_sanitize_cdw10(&a), 0x202);
	kesu_nvme_sanitize_cmd(&c, &a);
	assert_int_equal(c.cdw11, 0);
}

static void sanitize_log_parse(void **state)
{
	(void)state;
	uint8_t b[512] = {0};
	b[0] = 0x00; b[1] = 0x80;       /* sprog 0x8000: half */
	b[2] = 0x1A; b[3] = 0x01;       /* sstat 0x11A: in progress, 3 passes, erased */
	b[16] = 30;                     /* etce 30 s */
	memset(b + 8, 0xFF, 4);         /* eto: no estimate */
	struct kesu_nvme_sanitize_log l;
	kesu_nvme_parse_sanitize_log(b, &l);
	assert_int_equal(l.sprog, 0x8000);
	assert_int_equal(l.state, KESU_NVME_SSTAT_IN_PROGRESS);
	assert_int_equal(l.passes_done, 3);
	assert_true(l.global_data_erased);
	assert_int_equal(l.etce, 30);
	assert_int_equal(l.eto, KESU_NVME_NO_ESTIMATE);
	struct kesu_nvme_cmd c;
	kesu_nvme_sanitize_log_cmd(&c, b);
	assert_int_equal(c.cdw10, 0x007F0081);
	assert_int_equal(c.nsid, 0xFFFFFFFF);
	assert_string_equal(kesu_nvme_sstat_name(KESU_NVME_SSTAT_FAILED), "failed");
}

static void model_sanitize_progress_and_refusals(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	m.sanicap = KESU_NVME_SANICAP_BLOCK;
	struct kesu_nvme_cmd c;
	struct kesu_nvme_sanitize_args a = {.sanact = KESU_NVME_SANACT_CRYPTO};
	kesu_nvme_sanitize_cmd(&c, &a);
	assert_int_equal(kesu_nvme_admin(&m.tr, &c) & KESU_NVME_STATUS_MASK,
			 KESU_NVME_SC_INVALID_FIELD);
	a.sanact = KESU_NVME_SANACT_BLOCK;
	kesu_nvme_sanitize_cmd(&c, &a);
	assert_int_equal(kesu_nvme_admin(&m.tr, &c), 0);
	/* A second sanitize while one runs: Sanitize In Progress. */
	assert_int_equal(kesu_nvme_admin(&m.tr, &c), KESU_NVME_SC_SANITIZE_IN_PROGRESS);
	uint8_t log[512];
	struct kesu_nvme_sanitize_log l;
	unsigned polls = 0;
	do {
		kesu_nvme_sanitize_log_cmd(&c, log);
		assert_int_equal(kesu_nvme_admin(&m.tr, &c), 0);
		kesu_nvme_parse_sanitize_log(log, &l);
		polls++;
	} while (l.state == KESU_NVME_SSTAT_IN_PROGRESS && polls < 10);
	assert_int_equal(l.state, KESU_NVME_SSTAT_SUCCESS);
	assert_int_equal(l.sprog, 0xFFFF);
	assert_int_equal(polls, 4);
	assert_int_equal(m.med.data[100], 0);
	/* Format with SES=2 on a controller without FNA crypto is refused. */
	m.fna = 0;
	kesu_nvme_format_cmd(&c, 1, 2u << 9, 0);
	assert_int_equal(kesu_nvme_admin(&m.tr, &c) & KESU_NVME_STATUS_MASK,
			 KESU_NVME_SC_INVALID_FIELD);
	char d[32];
	kesu_nvme_status_describe(KESU_NVME_SC_SANITIZE_IN_PROGRESS | 0x4000, d, sizeof(d));
	assert_string_equal(d, "sanitize-in-progress");
	kesu_nvme_status_describe(0x1C2, d, sizeof(d));
	assert_string_equal(d, "status-0x1c2");
	nvme_model_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identify_controller_from_model),
		cmocka_unit_test(identify_namespace_and_format_keeps_layout),
		cmocka_unit_test(sanitize_cdw10_bits),
		cmocka_unit_test(sanitize_log_parse),
		cmocka_unit_test(model_sanitize_progress_and_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
