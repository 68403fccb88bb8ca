/* The purge run itself (purge.c): chains of crypto erase then block erase
 * on every model, stopped, failing and refused, with a fake clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ata_model.h"
#include "nvme_model.h"
#include "purge_fixture.h"
#include "scsi_model.h"
#include "wipe/firmware/ata.h"
#include "wipe/firmware/scsi.h"

/* ---- crypto erase followed by block erase ---- */

/* One of the three models behind the same checks. */
struct anymodel {
	enum { M_NVME, M_ATA, M_SCSI } kind;
	struct nvme_model n;
	struct ata_model a;
	struct scsi_model s;
	struct kesu_transport *tr;
	struct model_medium *med;
	const char *chain, *crypto, *block;
	unsigned *n_sanitize;
};

static void any_init(struct anymodel *m, int kind)
{
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	switch (kind) {
	case M_NVME:
		nvme_model_init(&m->n, 0);
		m->tr = &m->n.tr;
		m->med = &m->n.med;
		m->n_sanitize = &m->n.n_sanitize;
		m->chain = "nvme-sanitize-crypto-block";
		m->crypto = "nvme-sanitize-crypto";
		m->block = "nvme-sanitize-block";
		break;
	case M_ATA:
		ata_model_init(&m->a, 0);
		m->tr = &m->a.tr;
		m->med = &m->a.med;
		m->n_sanitize = &m->a.n_sanitize;
		m->chain = "ata-sanitize-crypto-block";
		m->crypto = "ata-sanitize-crypto";
		m->block = "ata-sanitize-block";
		break;
	default:
		scsi_model_init(&m->s, 0);
		m->tr = &m->s.tr;
		m->med = &m->s.med;
		m->n_sanitize = &m->s.n_sanitize;
		m->chain = "scsi-sanitize-crypto-block";
		m->crypto = "scsi-sanitize-crypto";
		m->block = "scsi-sanitize-block";
		break;
	}
}

static void any_destroy(struct anymodel *m)
{
	switch (m->kind) {
	case M_NVME: nvme_model_destroy(&m->n); break;
	case M_ATA: ata_model_destroy(&m->a); break;
	default: scsi_model_destroy(&m->s); break;
	}
}

/* The commands the model received, in order: crypto erase then block. */
static void assert_sent_crypto_then_block(const struct anymodel *m)
{
	switch (m->kind) {
	case M_NVME:
		assert_int_equal(m->n.sanitize_cdw10[0] & 7, KESU_NVME_SANACT_CRYPTO);
		assert_int_equal(m->n.sanitize_cdw10[1] & 7, KESU_NVME_SANACT_BLOCK);
		break;
	case M_ATA:
		assert_int_equal(m->a.sanitize_features[0], KESU_ATA_SAN_CRYPTO);
		assert_int_equal(m->a.sanitize_features[1], KESU_ATA_SAN_BLOCK);
		break;
	default:
		assert_int_equal(m->s.sanitize_sa[0], KESU_SCSI_SA_CRYPTO);
		assert_int_equal(m->s.sanitize_sa[1], KESU_SCSI_SA_BLOCK);
		break;
	}
}

static json_t *step_at(json_t *fw, size_t i)
{
	return json_array_get(json_object_get(fw, "steps"), i);
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void chain_erases_on_every_model(void **state)
{
	(void)state;
	for (int k = M_NVME; k <= M_SCSI; k++) {
		struct anymodel m;
		any_init(&m, k);
		struct kesu_purge_opts o = purge_opts();
		struct kesu_purge_result r;
		assert_int_equal(purge_run(m.tr, m.med, false, false, m.chain, &o, &r), KESU_OK);
		assert_string_equal(r.result, "erased");
		assert_int_equal(*m.n_sanitize, 2);
		assert_sent_crypto_then_block(&m);
		assert_int_equal(r.nsteps, 2);
		assert_string_equal(r.technique, "crypto-erase+block-erase");
		/* The block erase is what the medium shows last. */
		for (size_t i = 0; i < 4096; i++)
			assert_int_equal(m.med->data[i], 0);
		/* Progress names the step that runs, steps in order. */
		char p1[96], p2[96], v1[96], v2[96];
		snprintf(p1, sizeof(p1), "step 1/2 %s: sanitize", m.crypto);
		snprintf(v1, sizeof(v1), "step 1/2 %s: verify", m.crypto);
		snprintf(p2, sizeof(p2), "step 2/2 %s: sanitize", m.block);
		snprintf(v2, sizeof(v2), "step 2/2 %s: verify", m.block);
		assert_true(purge_phase_index(&purge_pg, "sample-before") >= 0);
		assert_true(purge_phase_index(&purge_pg, "sample-before") < purge_phase_index(&purge_pg, p1));
		assert_true(purge_phase_index(&purge_pg, p1) < purge_phase_index(&purge_pg, v1));
		assert_true(purge_phase_index(&purge_pg, v1) < purge_phase_index(&purge_pg, p2));
		assert_true(purge_phase_index(&purge_pg, p2) < purge_phase_index(&purge_pg, v2));

		json_t *f = kesu_purge_firmware_json(&r);
		assert_string_equal(jstr(f, "command"), m.chain);
		assert_string_equal(jstr(f, "technique"), "crypto-erase+block-erase");
		assert_string_equal(jstr(f, "status"), r.steps[1].status);
		assert_non_null(strstr(jstr(f, "description"), ", then "));
		json_t *ver = json_object_get(f, "verification");
		assert_string_equal(jstr(ver, "check"), "changed-or-blank");
		assert_string_equal(jstr(ver, "outcome"), "passed");
		assert_int_equal(json_array_size(json_object_get(f, "steps")), 2);
		const char *want_method[2] = {m.crypto, m.block};
		const char *want_check[2] = {"changed", "changed-or-blank"};
		for (size_t i = 0; i < 2; i++) {
			json_t *s = step_at(f, i);
			assert_string_equal(jstr(s, "method"), want_method[i]);
			assert_true(json_is_string(json_object_get(s, "description")));
			assert_true(json_is_string(json_object_get(s, "opcode")));
			assert_true(json_is_object(json_object_get(s, "completion")));
			assert_true(json_is_string(json_object_get(s, "started_at")));
			assert_true(json_is_string(json_object_get(s, "ended_at")));
			assert_true(json_is_number(json_object_get(s, "duration_s")));
			json_t *sv = json_object_get(s, "verification");
			assert_string_equal(jstr(sv, "check"), want_check[i]);
			assert_string_equal(jstr(sv, "outcome"), "passed");
			assert_true(json_integer_value(json_object_get(sv, "samples")) > 0);
			assert_true(json_integer_value(json_object_get(sv, "bytes_verified")) > 0);
			assert_int_equal(json_integer_value(json_object_get(sv, "failed_regions")), 0);
			assert_true(json_is_null(json_object_get(sv, "first_failure_offset")));
		}
		assert_string_equal(jstr(step_at(f, 1), "status"), jstr(f, "status"));
		json_decref(f);
		kesu_purge_result_free(&r);
		/* A single method records its one command as a step. */
		o = purge_opts();
		assert_int_equal(purge_run(m.tr, m.med, false, false, m.crypto, &o, &r), KESU_OK);
		f = kesu_purge_firmware_json(&r);
		assert_int_equal(json_array_size(json_object_get(f, "steps")), 1);
		assert_string_equal(jstr(step_at(f, 0), "method"), m.crypto);
		assert_string_equal(jstr(step_at(f, 0), "status"), jstr(f, "status"));
		json_decref(f);
		kesu_purge_result_free(&r);
		any_destroy(&m);
	}
}

static void chain_stops_when_crypto_erase_leaves_a_sample(void **state)
{
	(void)state;
	for (int k = M_NVME; k <= M_SCSI; k++) {
		struct anymodel m;
		any_init(&m, k);
		if (k == M_NVME) m.n.crypto_stale = true;
		if (k == M_ATA) m.a.crypto_stale = true;
		if (k == M_SCSI) m.s.crypto_stale = true;
		struct kesu_purge_opts o = purge_opts();
		struct kesu_purge_result r;
		assert_int_equal(purge_run(m.tr, m.med, false, false, m.chain, &o, &r), KESU_ERR_FAILED);
		assert_string_equal(r.result, "failed");
		/* The block erase would have hidden the stale block: not sent. */
		assert_int_equal(*m.n_sanitize, 1);
		assert_int_equal(r.nsteps, 1);
		assert_string_equal(r.verify.outcome, "failed");
		assert_int_equal(r.verify.check, KESU_CHECK_CHANGED);
		assert_int_equal(r.verify.first_failure_offset, 0);
		assert_non_null(strstr(r.reason, "step 1 of"));
		assert_non_null(strstr(r.reason, m.block));
		assert_non_null(strstr(r.reason, "was not sent"));
		json_t *f = kesu_purge_firmware_json(&r);
		assert_int_equal(json_array_size(json_object_get(f, "steps")), 1);
		assert_string_equal(jstr(json_object_get(step_at(f, 0), "verification"), "outcome"),
				    "failed");
		assert_string_equal(jstr(json_object_get(f, "verification"), "outcome"), "failed");
		json_decref(f);
		kesu_purge_result_free(&r);
		any_destroy(&m);
	}
}

static void chain_fails_when_block_erase_fails(void **state)
{
	(void)state;
	for (int k = M_NVME; k <= M_SCSI; k++) {
		struct anymodel m;
		any_init(&m, k);
		/* The crypto erase succeeds; the second sanitize fails. */
		if (k == M_NVME) { m.n.sanitize_fails = true; m.n.faults_from = 2; }
		if (k == M_ATA) { m.a.sanitize_fails = true; m.a.faults_from = 2; }
		if (k == M_SCSI) { m.s.sanitize_fails = true; m.s.faults_from = 2; }
		struct kesu_purge_opts o = purge_opts();
		struct kesu_purge_result r;
		assert_int_equal(purge_run(m.tr, m.med, false, false, m.chain, &o, &r), KESU_ERR_FAILED);
		assert_string_equal(r.result, "failed");
		assert_int_equal(*m.n_sanitize, 2);
		assert_int_equal(r.nsteps, 2);
		assert_string_equal(r.steps[0].verify.outcome, "passed");
		assert_string_equal(r.steps[1].verify.outcome, "incomplete");
		assert_non_null(strstr(r.steps[1].status, "failed"));
		char want[128];
		snprintf(want, sizeof(want), "step 2 of %s (%s): ", m.chain, m.block);
		assert_non_null(strstr(r.reason, want));
		assert_non_null(strstr(purge_last_err.msg, want));
		assert_non_null(strstr(r.reason, "failed"));
		/* The final verification never ran. */
		assert_string_equal(r.verify.outcome, "incomplete");
		kesu_purge_result_free(&r);
		any_destroy(&m);
	}
	/* Stalled in step 2: the timeout is the block erase's own (etbe 60 s). */
	struct nvme_model m;
	nvme_model_init(&m, 0);
	m.stall = true;
	m.faults_from = 2;
	struct kesu_purge_opts o = purge_opts();
	struct kesu_purge_result r;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_non_null(strstr(r.reason, "step 2 of nvme-sanitize-crypto-block (nvme-sanitize-block)"));
	assert_non_null(strstr(r.reason, "did not finish within 720 s"));
	assert_int_equal(purge_fk.sleeps, 4 + 720); /* step 1 took four polls */
	assert_string_equal(r.result, "failed");
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
}

static void chain_device_gone_in_step_two(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	m.gone_after_polls = 6; /* discovery and step 1 read the log 5 times */
	struct kesu_purge_opts o = purge_opts();
	struct kesu_purge_result r;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto-block", &o, &r),
			 KESU_ERR_GONE);
	assert_int_equal(m.n_sanitize, 2);
	assert_int_equal(r.nsteps, 2);
	assert_string_equal(r.steps[0].verify.outcome, "passed");
	assert_string_equal(r.steps[1].status, "device-gone");
	assert_string_equal(r.status, "device-gone");
	assert_string_equal(r.result, "failed");
	assert_non_null(strstr(r.reason, "step 2 of nvme-sanitize-crypto-block"));
	assert_int_equal(purge_last_err.rc, KESU_ERR_GONE);
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);

	struct scsi_model s;
	scsi_model_init(&s, 0);
	s.gone_after_polls = 3; /* step 1 polls three times */
	o = purge_opts();
	assert_int_equal(purge_run(&s.tr, &s.med, false, false, "scsi-sanitize-crypto-block", &o, &r),
			 KESU_ERR_GONE);
	assert_int_equal(s.n_sanitize, 2);
	assert_string_equal(r.result, "failed");
	assert_non_null(strstr(r.reason, "step 2 of scsi-sanitize-crypto-block"));
	kesu_purge_result_free(&r);
	scsi_model_destroy(&s);
}

static void chain_signal_in_either_step(void **state)
{
	(void)state;
	struct nvme_model m;
	struct kesu_purge_opts o;
	struct kesu_purge_result r;
	atomic_int stop = 0;
	/* While the block erase runs: kesu stops waiting, the run fails. */
	nvme_model_init(&m, 0);
	o = purge_opts();
	o.stop = &stop;
	purge_pg.stop = &stop;
	purge_pg.stop_at = "step 2/2";
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_int_equal(m.n_sanitize, 2);
	assert_string_equal(r.result, "failed");
	assert_non_null(strstr(r.reason, "step 2 of"));
	assert_non_null(strstr(r.reason, "stopped by a signal"));
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
	/* During the check after the crypto erase: the block erase is not sent. */
	nvme_model_init(&m, 0);
	atomic_store(&stop, 0);
	o = purge_opts();
	o.stop = &stop;
	purge_pg.stop = &stop;
	purge_pg.stop_at = "step 1/2 nvme-sanitize-crypto: verify";
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_int_equal(m.n_sanitize, 1);
	assert_int_equal(r.nsteps, 1);
	assert_string_equal(r.result, "failed");
	assert_non_null(strstr(r.reason, "stopped by a signal"));
	assert_non_null(strstr(r.reason, "nvme-sanitize-block was not sent"));
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
}

static void chain_refused_without_block_erase(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	m.sanicap = KESU_NVME_SANICAP_CRYPTO | KESU_NVME_SANICAP_OVERWRITE;
	struct kesu_purge_opts o = purge_opts();
	struct kesu_purge_result r;
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto-block", &o, &r),
			 KESU_ERR_NOTSUP);
	assert_false(r.started);
	assert_int_equal(r.nsteps, 0);
	assert_int_equal(m.n_sanitize, 0);
	assert_int_equal(m.med.reads, 0); /* not even the samples were taken */
	assert_non_null(strstr(purge_last_err.msg, "lacks nvme-sanitize-block"));
	/* "purge" on the same controller falls back to the crypto erase alone. */
	o = purge_opts();
	assert_int_equal(purge_run(&m.tr, &m.med, false, false, "purge", &o, &r), KESU_OK);
	assert_string_equal(r.method, "nvme-sanitize-crypto");
	assert_int_equal(m.n_sanitize, 1);
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
	/* The other families check both halves too. */
	struct scsi_model s;
	scsi_model_init(&s, 0);
	s.sa_crypto = false;
	o = purge_opts();
	assert_int_equal(purge_run(&s.tr, &s.med, false, false, "scsi-sanitize-crypto-block", &o, &r),
			 KESU_ERR_NOTSUP);
	assert_int_equal(s.n_sanitize, 0);
	assert_non_null(strstr(purge_last_err.msg, "lacks scsi-sanitize-crypto"));
	scsi_model_destroy(&s);
	struct ata_model a;
	ata_model_init(&a, 0);
	a.san_block = false;
	o = purge_opts();
	assert_int_equal(purge_run(&a.tr, &a.med, false, false, "ata-sanitize-crypto-block", &o, &r),
			 KESU_ERR_NOTSUP);
	assert_int_equal(a.n_sanitize, 0);
	ata_model_destroy(&a);
}

static void purge_on_flash_runs_the_chain(void **state)
{
	(void)state;
	struct ata_model a;
	ata_model_init(&a, 0);
	struct kesu_purge_opts o = purge_opts();
	struct kesu_purge_result r;
	assert_int_equal(purge_run(&a.tr, &a.med, false, false, "purge", &o, &r), KESU_OK);
	assert_string_equal(r.method, "ata-sanitize-crypto-block");
	assert_int_equal(a.n_sanitize, 2);
	assert_non_null(strstr(r.why, "block erase"));
	kesu_purge_result_free(&r);
	ata_model_destroy(&a);
	/* Spinning media (IDENTIFY word 217): one crypto scramble. */
	ata_model_init(&a, 0);
	a.rotation = 7200;
	o = purge_opts();
	assert_int_equal(purge_run(&a.tr, &a.med, false, true, "purge", &o, &r), KESU_OK);
	assert_string_equal(r.method, "ata-sanitize-crypto");
	assert_int_equal(a.n_sanitize, 1);
	kesu_purge_result_free(&r);
	ata_model_destroy(&a);
	struct scsi_model s;
	scsi_model_init(&s, 0);
	o = purge_opts();
	assert_int_equal(purge_run(&s.tr, &s.med, false, false, "purge", &o, &r), KESU_OK);
	assert_string_equal(r.method, "scsi-sanitize-crypto-block");
	assert_int_equal(s.n_sanitize, 2);
	kesu_purge_result_free(&r);
	o = purge_opts();
	assert_int_equal(purge_run(&s.tr, &s.med, false, true, "purge", &o, &r), KESU_OK);
	assert_string_equal(r.method, "scsi-sanitize-crypto");
	assert_int_equal(s.n_sanitize, 3);
	kesu_purge_result_free(&r);
	scsi_model_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(chain_erases_on_every_model),
		cmocka_unit_test(chain_stops_when_crypto_erase_leaves_a_sample),
		cmocka_unit_test(chain_fails_when_block_erase_fails),
		cmocka_unit_test(chain_device_gone_in_step_two),
		cmocka_unit_test(chain_signal_in_either_step),
		cmocka_unit_test(chain_refused_without_block_erase),
		cmocka_unit_test(purge_on_flash_runs_the_chain),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
