/* Every purge method against the device models, including their failure
 * paths, with a fake clock so nothing waits. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "wipe/firmware/ata.h"
#include "ata_model.h"
#include "nvme_model.h"
#include "wipe/firmware/purge.h"
#include "wipe/firmware/scsi.h"
#include "scsi_model.h"

struct fake {
	uint64_t now;
	unsigned sleeps;
};

static uint64_t fake_now(void *ctx) { return ((struct fake *)ctx)->now; }
static void fake_sleep(void *ctx, uint64_t ms)
{
	struct fake *f = ctx;
	f->now += ms;
	f->sleeps++;
}

struct prog {
	unsigned calls;
	double last_sanitize;
	bool monotonic;
	char phases[16][96];      /* distinct phases, in the order first seen */
	unsigned nphases;
	const char *stop_at;      /* raise *stop when a phase starts with this */
	atomic_int *stop;
};

static bool seen_phase(const struct prog *p, const char *phase)
{
	for (unsigned i = 0; i < p->nphases; i++)
		if (!strcmp(p->phases[i], phase))
			return true;
	return false;
}

static int phase_index(const struct prog *p, const char *phase)
{
	for (unsigned i = 0; i < p->nphases; i++)
		if (!strcmp(p->phases[i], phase))
			return (int)i;
	return -1;
}

static void on_progress(void *ctx, const char *phase, double f)
{
	struct prog *p = ctx;
	p->calls++;
	if (!seen_phase(p, phase) && p->nphases < 16)
		snprintf(p->phases[p->nphases++], sizeof(p->phases[0]), "%s", phase);
	if (p->stop_at && !strncmp(phase, p->stop_at, strlen(p->stop_at)))
		atomic_store(p->stop, 15);
	if (!strcmp(phase, "sanitize")) {
		if (f < p->last_sanitize)
			p->monotonic = false;
		p->last_sanitize = f;
	}
}

static struct fake fk;
static struct kesu_clock clk = {fake_now, fake_sleep, &fk};
static struct prog pg;

static struct kesu_purge_opts opts(void)
{
	memset(&fk, 0, sizeof(fk));
	memset(&pg, 0, sizeof(pg));
	pg.monotonic = true;
	return (struct kesu_purge_opts){.seed = 42, .poll_ms = 1000, .clock = &clk,
					.progress = on_progress, .progress_ctx = &pg};
}

static struct kesu_err last_err; /* of the last run() */

static enum kesu_rc run(struct kesu_transport *t, struct model_medium *med, bool usb,
			bool rotational, const char *method, const struct kesu_purge_opts *o,
			struct kesu_purge_result *r)
{
	struct kesu_caps c;
	struct kesu_err err;
	enum kesu_rc rc = kesu_caps_probe(t, usb, rotational, &c, &err);
	assert_int_equal(rc, KESU_OK);
	struct kesu_target *tgt = model_medium_target(med);
	rc = kesu_purge_run(t, tgt, &c, method, o, r, &err);
	last_err = err;
	if (rc != KESU_OK)
		assert_true(err.msg[0] != '\0');
	kesu_target_close(tgt);
	return rc;
}

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

/* ---- NVMe ---- */

static void nvme_sanitize_crypto_erases_and_records(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	struct kesu_purge_opts o = opts();
	struct kesu_purge_result r;
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto", &o, &r), KESU_OK);
	assert_string_equal(r.result, "erased");
	assert_string_equal(r.verify.outcome, "passed");
	assert_int_equal(m.n_sanitize, 1);
	assert_int_equal(m.last_sanitize_cdw10, 4);
	assert_true(r.verify.samples >= 1000 || r.verify.bytes_verified == m.med.capacity);
	assert_true(pg.monotonic && pg.last_sanitize == 1.0);
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
	struct kesu_purge_opts o = opts();
	struct kesu_purge_result r;
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.result, "failed");
	assert_string_equal(r.verify.outcome, "failed");
	assert_int_equal(r.verify.first_failure_offset, 0);
	assert_string_equal(r.status, "completed"); /* the drive claimed success */
	kesu_purge_result_free(&r);
	/* Format with crypto erase is checked the same way. */
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-format-crypto", &o, &r),
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
	struct kesu_purge_opts o = opts();
	struct kesu_purge_result r;
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto", &o, &r), KESU_OK);
	assert_string_equal(r.verify.outcome, "passed");
	for (int i = 0; i < 128 * 1024; i++)
		assert_int_equal(m.med.data[i], 0);
	kesu_purge_result_free(&r);
	/* A blank region that comes back with data is fine too; one that
	 * held data and comes back unchanged is not. */
	model_medium_fill_user_data(&m.med, 77);
	m.crypto_stale = true;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto", &o, &r),
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
	struct kesu_purge_opts o = opts();
	struct kesu_purge_result r;
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-format-erase", &o, &r), KESU_OK);
	assert_int_equal(m.last_format_cdw10, 1u | 1u << 9);
	assert_int_equal(m.last_format_nsid, 1);
	assert_int_equal(m.lbaf, 1);
	assert_int_equal(r.verify.check, KESU_CHECK_ZEROS); /* DLFEAT says zeros */
	kesu_purge_result_free(&r);
	/* A format that leaves data (SES ignored, like QEMU) fails verification. */
	m.dlfeat = 0;
	model_medium_fill_user_data(&m.med, 7);
	o = opts();
	m.format_fails = true;
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-format-erase", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.status, "status-0x006");
	kesu_purge_result_free(&r);
	/* FNA without crypto: format-crypto refused before anything is sent. */
	m.fna = 0;
	unsigned before = m.n_format;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-format-crypto", &o, &r),
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
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.status, "failed");
	assert_string_equal(r.result, "failed");
	assert_non_null(strstr(r.reason, "sanitize failed"));
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
	/* Progress stalls: timeout from the estimate (etbe 60 s -> 720 s). */
	nvme_model_init(&m, 0);
	m.stall = true;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_non_null(strstr(r.reason, "did not finish within 720 s"));
	assert_int_equal(fk.sleeps, 720);
	assert_string_equal(r.status, "in-progress");
	kesu_purge_result_free(&r);
	/* Now a sanitize is running: a second run is refused up front. */
	o = opts();
	unsigned n = m.n_sanitize;
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-block", &o, &r),
			 KESU_ERR_REFUSED);
	assert_int_equal(m.n_sanitize, n);
	nvme_model_destroy(&m);
	/* The device disappears mid-sanitize. */
	nvme_model_init(&m, 0);
	m.gone_after_polls = 2;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto", &o, &r),
			 KESU_ERR_GONE);
	assert_string_equal(r.result, "failed");
	assert_string_equal(r.status, "device-gone");
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
	/* Unsupported action. */
	nvme_model_init(&m, 0);
	m.sanicap = KESU_NVME_SANICAP_BLOCK;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-overwrite", &o, &r),
			 KESU_ERR_NOTSUP);
	assert_int_equal(m.n_sanitize, 0);
	nvme_model_destroy(&m);
}

static void nvme_overwrite_checks_pattern_and_purge_explains(void **state)
{
	(void)state;
	struct nvme_model m;
	nvme_model_init(&m, 0);
	struct kesu_purge_opts o = opts();
	struct kesu_purge_result r;
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-overwrite", &o, &r), KESU_OK);
	assert_int_equal(m.last_sanitize_cdw10, 3u | 1u << 4 | 1u << 9); /* 1 pass, NDAS */
	assert_int_equal(m.last_sanitize_cdw11, 0);
	assert_int_equal(r.verify.check, KESU_CHECK_ZEROS);
	kesu_purge_result_free(&r);
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "purge", &o, &r), KESU_OK);
	assert_string_equal(r.method, "nvme-sanitize-crypto-block");
	assert_string_equal(r.requested, "purge");
	assert_non_null(strstr(r.why, "crypto erase"));
	json_t *f = kesu_purge_firmware_json(&r);
	assert_non_null(strstr(json_string_value(json_object_get(f, "chosen_because")), "block erase"));
	json_decref(f);
	kesu_purge_result_free(&r);
	/* The same controller in front of spinning media: one crypto erase. */
	unsigned n = m.n_sanitize;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, true, "purge", &o, &r), KESU_OK);
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
	struct kesu_purge_opts o = opts();
	struct kesu_purge_result r;
	assert_int_equal(run(&m.tr, &m.med, false, false, "opal-psid-revert", &o, &r),
			 KESU_ERR_REFUSED);
	o.psid = "WRONG";
	assert_int_equal(run(&m.tr, &m.med, false, false, "opal-psid-revert", &o, &r),
			 KESU_ERR_FAILED);
	assert_non_null(strstr(r.reason, "PSID"));
	kesu_purge_result_free(&r);
	o = opts();
	o.psid = m.psid;
	assert_int_equal(run(&m.tr, &m.med, false, false, "opal-psid-revert", &o, &r), KESU_OK);
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
	struct kesu_purge_opts o = opts();
	o.stop = &stop;
	struct kesu_purge_result r;
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_int_equal(fk.sleeps, 1);
	assert_string_equal(r.result, "failed");
	assert_non_null(strstr(r.reason, "stopped by a signal"));
	assert_true(m.in_progress); /* the drive goes on */
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
}

/* ---- ATA ---- */

static void ata_sanitize_methods(void **state)
{
	(void)state;
	const char *methods[] = {"ata-sanitize-crypto", "ata-sanitize-block", "ata-sanitize-overwrite"};
	for (int i = 0; i < 3; i++) {
		struct ata_model m;
		ata_model_init(&m, 0);
		struct kesu_purge_opts o = opts();
		struct kesu_purge_result r;
		assert_int_equal(run(&m.tr, &m.med, false, false, methods[i], &o, &r), KESU_OK);
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
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "ata-sanitize-crypto", &o, &r),
			 KESU_ERR_NOTSUP);
	m.sanitize_fails = true;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "ata-sanitize-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.status, "sanitize-failed");
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
	ata_model_init(&m, 0);
	m.stall = true;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "ata-sanitize-crypto", &o, &r),
			 KESU_ERR_FAILED);
	assert_non_null(strstr(r.reason, "did not finish"));
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
	ata_model_init(&m, 0);
	m.crypto_stale = true;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "ata-sanitize-crypto", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.verify.outcome, "failed");
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
	ata_model_init(&m, 0);
	m.gone_after_cmds = 6; /* identify, native max, dco, opal, sanitize, one status */
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "ata-sanitize-block", &o, &r),
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
	struct kesu_purge_opts o = opts();
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
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, true, true, "ata-sanitize-block", &o, &r),
			 KESU_ERR_REFUSED);
	assert_int_equal(m.n_sanitize, 0);
	o.allow_usb_bridge = true;
	assert_int_equal(run(&m.tr, &m.med, true, true, "ata-sanitize-block", &o, &r), KESU_OK);
	kesu_purge_result_free(&r);
	ata_model_destroy(&m);
}

static void ata_secure_erase_success_disables_security(void **state)
{
	(void)state;
	struct ata_model m;
	ata_model_init(&m, 0);
	m.rotation = 7200;
	struct kesu_purge_opts o = opts();
	struct kesu_purge_result r;
	assert_int_equal(run(&m.tr, &m.med, false, true, "ata-secure-erase-enhanced", &o, &r),
			 KESU_OK);
	assert_true(m.last_erase_enhanced);
	assert_false(m.sec_enabled);
	assert_string_equal(r.nist_category, "purge");
	assert_int_equal(r.recovery_password[0], '\0');
	kesu_purge_result_free(&r);
	/* On flash the same command is only Clear. */
	m.rotation = 1;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "ata-secure-erase", &o, &r), KESU_OK);
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
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, true, "ata-secure-erase", &o, &r),
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
	o = opts();
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
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, true, "ata-secure-erase", &o, &r),
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
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "ata-sanitize-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.result, "erased-with-exceptions");
	assert_string_equal(r.verify.outcome, "passed");
	assert_non_null(strstr(r.reason, "--unlock-hidden"));
	assert_int_equal(m.n_set_max, 0);
	kesu_purge_result_free(&r);
	o = opts();
	o.unlock_hidden = true;
	assert_int_equal(run(&m.tr, &m.med, false, false, "ata-sanitize-block", &o, &r), KESU_OK);
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
	o = opts();
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

/* ---- SCSI ---- */

static void scsi_sanitize_methods(void **state)
{
	(void)state;
	const char *methods[] = {"scsi-sanitize-crypto", "scsi-sanitize-block",
				 "scsi-sanitize-overwrite"};
	for (int i = 0; i < 3; i++) {
		struct scsi_model m;
		scsi_model_init(&m, 0);
		struct kesu_purge_opts o = opts();
		struct kesu_purge_result r;
		assert_int_equal(run(&m.tr, &m.med, false, true, methods[i], &o, &r), KESU_OK);
		assert_string_equal(r.status, "completed");
		assert_true(m.last_cdb1 & 0x80); /* IMMED */
		assert_true(pg.last_sanitize == 1.0 && pg.monotonic);
		kesu_purge_result_free(&r);
		scsi_model_destroy(&m);
	}
	struct scsi_model m;
	struct kesu_purge_opts o;
	struct kesu_purge_result r;
	scsi_model_init(&m, 0);
	m.sa_crypto = false;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, true, "scsi-sanitize-crypto", &o, &r),
			 KESU_ERR_NOTSUP);
	m.sanitize_fails = true;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, true, "scsi-sanitize-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.status, "sanitize-failed");
	kesu_purge_result_free(&r);
	scsi_model_destroy(&m);
	scsi_model_init(&m, 0);
	m.stall = true;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, true, "scsi-sanitize-overwrite", &o, &r),
			 KESU_ERR_FAILED);
	assert_non_null(strstr(r.reason, "did not finish"));
	kesu_purge_result_free(&r);
	scsi_model_destroy(&m);
	scsi_model_init(&m, 0);
	m.gone_after_polls = 1;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, true, "scsi-sanitize-block", &o, &r),
			 KESU_ERR_GONE);
	kesu_purge_result_free(&r);
	scsi_model_destroy(&m);
	scsi_model_init(&m, 0);
	m.crypto_stale = true;
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, true, "scsi-sanitize-crypto", &o, &r),
			 KESU_ERR_FAILED);
	assert_string_equal(r.verify.outcome, "failed");
	kesu_purge_result_free(&r);
	scsi_model_destroy(&m);
}

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
		struct kesu_purge_opts o = opts();
		struct kesu_purge_result r;
		assert_int_equal(run(m.tr, m.med, false, false, m.chain, &o, &r), KESU_OK);
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
		assert_true(phase_index(&pg, "sample-before") >= 0);
		assert_true(phase_index(&pg, "sample-before") < phase_index(&pg, p1));
		assert_true(phase_index(&pg, p1) < phase_index(&pg, v1));
		assert_true(phase_index(&pg, v1) < phase_index(&pg, p2));
		assert_true(phase_index(&pg, p2) < phase_index(&pg, v2));

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
		o = opts();
		assert_int_equal(run(m.tr, m.med, false, false, m.crypto, &o, &r), KESU_OK);
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
		struct kesu_purge_opts o = opts();
		struct kesu_purge_result r;
		assert_int_equal(run(m.tr, m.med, false, false, m.chain, &o, &r), KESU_ERR_FAILED);
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
		struct kesu_purge_opts o = opts();
		struct kesu_purge_result r;
		assert_int_equal(run(m.tr, m.med, false, false, m.chain, &o, &r), KESU_ERR_FAILED);
		assert_string_equal(r.result, "failed");
		assert_int_equal(*m.n_sanitize, 2);
		assert_int_equal(r.nsteps, 2);
		assert_string_equal(r.steps[0].verify.outcome, "passed");
		assert_string_equal(r.steps[1].verify.outcome, "incomplete");
		assert_non_null(strstr(r.steps[1].status, "failed"));
		char want[128];
		snprintf(want, sizeof(want), "step 2 of %s (%s): ", m.chain, m.block);
		assert_non_null(strstr(r.reason, want));
		assert_non_null(strstr(last_err.msg, want));
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
	struct kesu_purge_opts o = opts();
	struct kesu_purge_result r;
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto-block", &o, &r),
			 KESU_ERR_FAILED);
	assert_non_null(strstr(r.reason, "step 2 of nvme-sanitize-crypto-block (nvme-sanitize-block)"));
	assert_non_null(strstr(r.reason, "did not finish within 720 s"));
	assert_int_equal(fk.sleeps, 4 + 720); /* step 1 took four polls */
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
	struct kesu_purge_opts o = opts();
	struct kesu_purge_result r;
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto-block", &o, &r),
			 KESU_ERR_GONE);
	assert_int_equal(m.n_sanitize, 2);
	assert_int_equal(r.nsteps, 2);
	assert_string_equal(r.steps[0].verify.outcome, "passed");
	assert_string_equal(r.steps[1].status, "device-gone");
	assert_string_equal(r.status, "device-gone");
	assert_string_equal(r.result, "failed");
	assert_non_null(strstr(r.reason, "step 2 of nvme-sanitize-crypto-block"));
	assert_int_equal(last_err.rc, KESU_ERR_GONE);
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);

	struct scsi_model s;
	scsi_model_init(&s, 0);
	s.gone_after_polls = 3; /* step 1 polls three times */
	o = opts();
	assert_int_equal(run(&s.tr, &s.med, false, false, "scsi-sanitize-crypto-block", &o, &r),
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
	o = opts();
	o.stop = &stop;
	pg.stop = &stop;
	pg.stop_at = "step 2/2";
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto-block", &o, &r),
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
	o = opts();
	o.stop = &stop;
	pg.stop = &stop;
	pg.stop_at = "step 1/2 nvme-sanitize-crypto: verify";
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto-block", &o, &r),
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
	struct kesu_purge_opts o = opts();
	struct kesu_purge_result r;
	assert_int_equal(run(&m.tr, &m.med, false, false, "nvme-sanitize-crypto-block", &o, &r),
			 KESU_ERR_NOTSUP);
	assert_false(r.started);
	assert_int_equal(r.nsteps, 0);
	assert_int_equal(m.n_sanitize, 0);
	assert_int_equal(m.med.reads, 0); /* not even the samples were taken */
	assert_non_null(strstr(last_err.msg, "lacks nvme-sanitize-block"));
	/* "purge" on the same controller falls back to the crypto erase alone. */
	o = opts();
	assert_int_equal(run(&m.tr, &m.med, false, false, "purge", &o, &r), KESU_OK);
	assert_string_equal(r.method, "nvme-sanitize-crypto");
	assert_int_equal(m.n_sanitize, 1);
	kesu_purge_result_free(&r);
	nvme_model_destroy(&m);
	/* The other families check both halves too. */
	struct scsi_model s;
	scsi_model_init(&s, 0);
	s.sa_crypto = false;
	o = opts();
	assert_int_equal(run(&s.tr, &s.med, false, false, "scsi-sanitize-crypto-block", &o, &r),
			 KESU_ERR_NOTSUP);
	assert_int_equal(s.n_sanitize, 0);
	assert_non_null(strstr(last_err.msg, "lacks scsi-sanitize-crypto"));
	scsi_model_destroy(&s);
	struct ata_model a;
	ata_model_init(&a, 0);
	a.san_block = false;
	o = opts();
	assert_int_equal(run(&a.tr, &a.med, false, false, "ata-sanitize-crypto-block", &o, &r),
			 KESU_ERR_NOTSUP);
	assert_int_equal(a.n_sanitize, 0);
	ata_model_destroy(&a);
}

static void purge_on_flash_runs_the_chain(void **state)
{
	(void)state;
	struct ata_model a;
	ata_model_init(&a, 0);
	struct kesu_purge_opts o = opts();
	struct kesu_purge_result r;
	assert_int_equal(run(&a.tr, &a.med, false, false, "purge", &o, &r), KESU_OK);
	assert_string_equal(r.method, "ata-sanitize-crypto-block");
	assert_int_equal(a.n_sanitize, 2);
	assert_non_null(strstr(r.why, "block erase"));
	kesu_purge_result_free(&r);
	ata_model_destroy(&a);
	/* Spinning media (IDENTIFY word 217): one crypto scramble. */
	ata_model_init(&a, 0);
	a.rotation = 7200;
	o = opts();
	assert_int_equal(run(&a.tr, &a.med, false, true, "purge", &o, &r), KESU_OK);
	assert_string_equal(r.method, "ata-sanitize-crypto");
	assert_int_equal(a.n_sanitize, 1);
	kesu_purge_result_free(&r);
	ata_model_destroy(&a);
	struct scsi_model s;
	scsi_model_init(&s, 0);
	o = opts();
	assert_int_equal(run(&s.tr, &s.med, false, false, "purge", &o, &r), KESU_OK);
	assert_string_equal(r.method, "scsi-sanitize-crypto-block");
	assert_int_equal(s.n_sanitize, 2);
	kesu_purge_result_free(&r);
	o = opts();
	assert_int_equal(run(&s.tr, &s.med, false, true, "purge", &o, &r), KESU_OK);
	assert_string_equal(r.method, "scsi-sanitize-crypto");
	assert_int_equal(s.n_sanitize, 3);
	kesu_purge_result_free(&r);
	scsi_model_destroy(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(choice_table),
		cmocka_unit_test(timeouts_follow_estimates),
		cmocka_unit_test(nvme_sanitize_crypto_erases_and_records),
		cmocka_unit_test(nvme_crypto_erase_with_unchanged_sample_fails),
		cmocka_unit_test(crypto_erase_leaves_blank_regions_blank),
		cmocka_unit_test(nvme_format_keeps_lba_format),
		cmocka_unit_test(nvme_sanitize_failures),
		cmocka_unit_test(nvme_overwrite_checks_pattern_and_purge_explains),
		cmocka_unit_test(opal_psid_revert),
		cmocka_unit_test(signal_stops_waiting_not_the_drive),
		cmocka_unit_test(ata_sanitize_methods),
		cmocka_unit_test(ata_secure_erase_frozen_and_usb_refused),
		cmocka_unit_test(ata_secure_erase_success_disables_security),
		cmocka_unit_test(ata_secure_erase_failure_recovers_password),
		cmocka_unit_test(ata_hidden_areas),
		cmocka_unit_test(scsi_sanitize_methods),
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
