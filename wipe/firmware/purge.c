/* Firmware purge methods: refuse what is unsafe, send the command, poll it
 * to its end, verify from the medium, and say exactly what happened. */
#include "wipe/firmware/purge.h"
#include "wipe/firmware/ata.h"
#include "wipe/firmware/mmc.h"
#include "wipe/firmware/nvme.h"
#include "wipe/engine/sampling.h"
#include "wipe/firmware/scsi.h"
#include "lib/strutil.h"

#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- clock ---- */

static uint64_t real_now(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void real_sleep(void *ctx, uint64_t ms)
{
	(void)ctx;
	struct timespec ts = {.tv_sec = (time_t)(ms / 1000),
			      .tv_nsec = (long)(ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static const struct kesu_clock real_clock = {real_now, real_sleep, NULL};

const struct kesu_clock *kesu_clock_real(void)
{
	return &real_clock;
}

/* ---- pure decisions ---- */

static bool sup(const struct kesu_caps *c, const char *name)
{
	char why[256];
	const struct kesu_purge_method *m = kesu_purge_method_find(name);
	return m && kesu_caps_supports(c, m, why, sizeof(why));
}

static bool pick(struct kesu_purge_choice *out, const struct kesu_caps *c,
		 const char *name, const char *why)
{
	if (!sup(c, name))
		return false;
	out->method = kesu_purge_method_find(name);
	snprintf(out->why, sizeof(out->why), "%s", why);
	return true;
}

/* Flash with both crypto and block erase: the key change makes the data
 * unreadable at once, and the block erase that follows resets the cells
 * themselves, so the result does not rest on the key destruction alone
 * (a weak or escrowed key, a drive that left some blocks unencrypted). */
#define CHAIN_WHY(cmd) \
	"flash with " cmd " crypto and block erase: crypto erase makes the data unreadable at once, " \
	"then block erase resets every flash block, spare blocks included, so nothing depends on the key destruction alone"

void kesu_purge_choose(const struct kesu_caps *c, bool have_psid,
		       struct kesu_purge_choice *out)
{
	memset(out, 0, sizeof(*out));
	bool flash = !c->rotational;
	switch (c->kind) {
	case KESU_CAPS_NVME:
		if ((flash && pick(out, c, "nvme-sanitize-crypto-block", CHAIN_WHY("Sanitize"))) ||
		    pick(out, c, "nvme-sanitize-crypto",
			 "crypto erase through Sanitize: replaces the media key for every namespace, spare blocks included") ||
		    pick(out, c, "nvme-sanitize-block",
			 "no crypto erase; Sanitize block erase resets every flash block, spare blocks included") ||
		    pick(out, c, "nvme-format-crypto",
			 "no Sanitize crypto or block erase; Format with crypto erase (FNA) is the strongest left") ||
		    (have_psid && pick(out, c, "opal-psid-revert",
				       "no Sanitize; the Opal PSID revert replaces the media key")) ||
		    pick(out, c, "nvme-sanitize-overwrite",
			 "only Sanitize overwrite is offered; it reaches every namespace") ||
		    pick(out, c, "nvme-format-erase",
			 "only Format with user data erase (SES=1) is offered"))
			return;
		break;
	case KESU_CAPS_ATA:
		if ((flash && pick(out, c, "ata-sanitize-crypto-block", CHAIN_WHY("sanitize"))) ||
		    pick(out, c, "ata-sanitize-crypto",
			 "crypto scramble changes the media key: fastest purge, hidden spare areas included") ||
		    (flash && pick(out, c, "ata-sanitize-block",
				   "flash without crypto scramble: block erase resets every flash block")) ||
		    pick(out, c, "ata-sanitize-overwrite",
			 flash ? "only sanitize overwrite is offered"
			       : "spinning media: sanitize overwrite writes every sector") ||
		    pick(out, c, "ata-sanitize-block", "only sanitize block erase is offered") ||
		    (have_psid && pick(out, c, "opal-psid-revert",
				       "no sanitize; the Opal PSID revert replaces the media key")))
			return;
		if (!flash && (pick(out, c, "ata-secure-erase-enhanced",
				    "spinning media without sanitize: enhanced security erase (SP 800-88 Purge for ATA disks)") ||
			       pick(out, c, "ata-secure-erase",
				    "spinning media without sanitize: security erase (SP 800-88 Purge for ATA disks)")))
			return;
		snprintf(out->why, sizeof(out->why), "%s",
			 flash && c->ata.id.sec_supported
			 ? "this flash drive has no sanitize; security erase is only Clear on flash: use ata-secure-erase explicitly or an overwrite method"
			 : "the drive offers no sanitize or security erase; use an overwrite method");
		return;
	case KESU_CAPS_SCSI:
		if ((flash && pick(out, c, "scsi-sanitize-crypto-block", CHAIN_WHY("SANITIZE"))) ||
		    pick(out, c, "scsi-sanitize-crypto",
			 "cryptographic erase changes the media key: fastest purge") ||
		    (flash && pick(out, c, "scsi-sanitize-block",
				   "flash without crypto erase: block erase resets every flash block")) ||
		    pick(out, c, "scsi-sanitize-overwrite",
			 flash ? "only SANITIZE overwrite is offered"
			       : "spinning media: SANITIZE overwrite writes every block") ||
		    pick(out, c, "scsi-sanitize-block", "only SANITIZE block erase is offered") ||
		    (have_psid && pick(out, c, "opal-psid-revert",
				       "no SANITIZE; the Opal PSID revert replaces the media key")))
			return;
		break;
	case KESU_CAPS_EMMC:
		if (pick(out, c, "emmc-sanitize",
			 "eMMC: erase the whole user area, then sanitize the unmapped blocks (the only purge eMMC offers)"))
			return;
		break;
	case KESU_CAPS_NONE:
		if (have_psid && pick(out, c, "opal-psid-revert",
				      "the Opal PSID revert replaces the media key"))
			return;
		snprintf(out->why, sizeof(out->why),
			 "the device takes no firmware commands (no NVMe or SCSI pass-through); use an overwrite method");
		return;
	}
	snprintf(out->why, sizeof(out->why),
		 "the device supports no firmware purge; use an overwrite method");
}

enum kesu_purge_check kesu_purge_check_for(const struct kesu_purge_method *m,
					   const struct kesu_caps *c)
{
	switch (m->action) {
	case KESU_PA_CRYPTO:
		return KESU_CHECK_CHANGED;
	case KESU_PA_BLOCK:
		/* eMMC ERASE defines the content: ERASED_MEM_CONT. */
		if (m->family == KESU_PF_EMMC)
			return c->emmc.ext.erased_mem_cont ? KESU_CHECK_ONES : KESU_CHECK_ZEROS;
		return KESU_CHECK_CHANGED_OR_BLANK;
	case KESU_PA_ENHANCED:
	case KESU_PA_AUTO:
	case KESU_PA_CRYPTO_BLOCK: /* the final check, after the block erase */
		return KESU_CHECK_CHANGED_OR_BLANK;
	case KESU_PA_OVERWRITE:
		/* Zeros; NVMe may deallocate afterwards when it cannot skip it,
		 * and deallocated blocks read as zeros or ones. */
		if (m->family == KESU_PF_NVME_SANITIZE && (c->nvme.ctrl.sanicap & (1u << 29)))
			return KESU_CHECK_UNIFORM;
		return KESU_CHECK_ZEROS;
	case KESU_PA_ERASE:
		if (m->family == KESU_PF_NVME_FORMAT) {
			unsigned d = c->nvme.ns.dlfeat & 7;
			return d == 1 ? KESU_CHECK_ZEROS : d == 2 ? KESU_CHECK_ONES
			       : KESU_CHECK_CHANGED_OR_BLANK;
		}
		return KESU_CHECK_UNIFORM; /* ATA normal erase writes zeros (or ones) */
	}
	return KESU_CHECK_CHANGED;
}

const char *kesu_purge_check_name(enum kesu_purge_check k)
{
	switch (k) {
	case KESU_CHECK_ZEROS: return "zeros";
	case KESU_CHECK_ONES: return "ones";
	case KESU_CHECK_UNIFORM: return "zeros-or-ones";
	case KESU_CHECK_CHANGED: return "changed";
	case KESU_CHECK_CHANGED_OR_BLANK: return "changed-or-blank";
	}
	return "?";
}

uint64_t kesu_purge_timeout_s(const struct kesu_purge_method *m,
			      const struct kesu_caps *c, uint64_t size_bytes)
{
	const struct kesu_purge_method *st[2];
	if (kesu_purge_method_steps(m, st) == 2 && st[0] && st[1])
		return kesu_purge_timeout_s(st[0], c, size_bytes) +
		       kesu_purge_timeout_s(st[1], c, size_bytes);
	/* Without an estimate: 10 minutes for a key change, otherwise the
	 * time to write the medium at a slow 20 MB/s. */
	uint64_t write_s = size_bytes / (20u * 1000 * 1000);
	uint64_t est = m->action == KESU_PA_CRYPTO ? 600 : 600 + write_s;
	if (m->family == KESU_PF_NVME_SANITIZE && c->nvme.log_ok) {
		uint32_t e = m->action == KESU_PA_CRYPTO ? c->nvme.log.etce :
			     m->action == KESU_PA_BLOCK ? c->nvme.log.etbe : c->nvme.log.eto;
		if (e != KESU_NVME_NO_ESTIMATE && e)
			est = e;
	} else if (m->family == KESU_PF_ATA_SECURITY) {
		unsigned min = m->action == KESU_PA_ENHANCED ? c->ata.id.enhanced_erase_minutes
							     : c->ata.id.erase_minutes;
		if (min)
			est = (uint64_t)min * 60;
	}
	/* Twice the estimate plus ten minutes: drives miss their own
	 * estimates, but a stalled drive must not hang kesu forever. */
	return 2 * est + 600;
}

/* ---- verification ---- */

#define CHUNK (64u * 1024)
#define DIG 16

struct snap {
	uint8_t *dig;     /* DIG bytes per chunk */
	uint8_t *blank;   /* 1 if the chunk was all 00 or all FF before */
	size_t n;
};

static void digest(const uint8_t *p, size_t len, uint8_t out[DIG])
{
	uint8_t full[32];
	unsigned int l = 0;
	EVP_Digest(p, len, full, &l, EVP_sha256(), NULL);
	memcpy(out, full, DIG);
}

static bool uniform(const uint8_t *p, size_t len, uint8_t *val)
{
	if (!len)
		return true;
	uint8_t v = p[0];
	for (size_t i = 1; i < len; i++)
		if (p[i] != v)
			return false;
	if (val)
		*val = v;
	return true;
}

struct vctx {
	struct kesu_target *tgt;
	struct kesu_sample_plan plan;
	uint8_t *buf;
	size_t bufsz;
	uint64_t size;
};

static size_t count_chunks(const struct kesu_sample_plan *p)
{
	size_t n = 0;
	for (size_t i = 0; i < p->count; i++)
		n += (size_t)((p->samples[i].length + CHUNK - 1) / CHUNK);
	return n;
}

/* Walk every chunk of every sample; fn gets (chunk index, offset, data). */
typedef int (*chunk_fn)(void *arg, size_t idx, uint64_t off, const uint8_t *p, size_t len);

static enum kesu_rc walk(struct vctx *v, chunk_fn fn, void *arg, const char *phase,
			 const struct kesu_purge_opts *o, struct kesu_err *err)
{
	int rc = v->tgt->ops->drop_cache(v->tgt);
	if (rc == -ENODEV || rc == -ENXIO)
		return kesu_fail(err, KESU_ERR_GONE, -rc, "the device disappeared before verification");
	size_t idx = 0;
	for (size_t i = 0; i < v->plan.count; i++) {
		uint64_t off = v->plan.samples[i].offset, left = v->plan.samples[i].length;
		while (left) {
			size_t len = left < CHUNK ? (size_t)left : CHUNK;
			ssize_t n = v->tgt->ops->pread(v->tgt, v->buf, len, off);
			if (n == -ENODEV || n == -ENXIO)
				return kesu_fail(err, KESU_ERR_GONE, (int)-n,
						 "the device disappeared while verifying at byte %" PRIu64, off);
			if (n != (ssize_t)len)
				return kesu_fail(err, KESU_ERR_IO, n < 0 ? (int)-n : EIO,
						 "verification could not read byte %" PRIu64 " (%s)", off,
						 strerror(n < 0 ? (int)-n : EIO));
			if (fn(arg, idx, off, v->buf, len))
				return KESU_ERR_FAILED;
			idx++;
			off += len;
			left -= len;
		}
		if (o->progress && (i % 64 == 0 || i + 1 == v->plan.count))
			o->progress(o->progress_ctx, phase, (double)(i + 1) / (double)v->plan.count);
	}
	return KESU_OK;
}

static int snap_chunk(void *arg, size_t idx, uint64_t off, const uint8_t *p, size_t len)
{
	(void)off;
	struct snap *s = arg;
	digest(p, len, s->dig + idx * DIG);
	s->blank[idx] = uniform(p, len, NULL);
	return 0;
}

struct check_arg {
	enum kesu_purge_check check;
	const struct snap *before;
	uint64_t bytes, failed;
	int64_t first;
};

static int check_chunk(void *arg, size_t idx, uint64_t off, const uint8_t *p, size_t len)
{
	struct check_arg *a = arg;
	bool ok = true;
	uint8_t v = 0, d[DIG];
	switch (a->check) {
	case KESU_CHECK_ZEROS: ok = uniform(p, len, &v) && v == 0x00; break;
	case KESU_CHECK_ONES: ok = uniform(p, len, &v) && v == 0xFF; break;
	case KESU_CHECK_UNIFORM: ok = uniform(p, len, &v) && (v == 0x00 || v == 0xFF); break;
	case KESU_CHECK_CHANGED:
		/* A region that held no data (all 00 or FF) has nothing to
		 * change: unmapped and deallocated blocks read the same
		 * whatever the key, so crypto erase is judged on the regions
		 * that held data, like a block erase. */
	case KESU_CHECK_CHANGED_OR_BLANK:
		digest(p, len, d);
		ok = memcmp(d, a->before->dig + idx * DIG, DIG) != 0 || a->before->blank[idx];
		break;
	}
	a->bytes += len;
	if (!ok) {
		if (a->first < 0)
			a->first = (int64_t)off;
		a->failed++;
	}
	return 0;
}

static bool needs_before(enum kesu_purge_check k)
{
	return k == KESU_CHECK_CHANGED || k == KESU_CHECK_CHANGED_OR_BLANK;
}

/* ---- helpers ---- */

static void set_result(struct kesu_purge_result *r, const char *result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_result(struct kesu_purge_result *r, const char *result, const char *fmt, ...)
{
	r->result = result;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
		va_end(ap);
	}
}

static void progress(const struct kesu_purge_opts *o, const char *phase, double f)
{
	if (o->progress)
		o->progress(o->progress_ctx, phase, f);
}

static enum kesu_rc ata(struct kesu_transport *t, enum kesu_ata_proto p, bool ext,
			struct kesu_ata_tf tf, void *buf, uint32_t timeout_ms,
			struct kesu_ata_result *r, struct kesu_err *err)
{
	struct kesu_scsi_cmd c;
	kesu_ata_pt16(&c, p, ext, &tf, buf, buf ? 512 : 0, timeout_ms);
	return kesu_ata_exec(t, &c, r, err);
}

static enum kesu_rc ata_identify(struct kesu_transport *t, struct kesu_ata_identify *id,
				 struct kesu_err *err)
{
	uint8_t buf[512];
	struct kesu_ata_result r;
	enum kesu_rc rc = ata(t, KESU_ATA_PIO_IN, false, kesu_ata_tf_identify(), buf, 30000,
			      &r, err);
	if (rc != KESU_OK)
		return rc;
	return kesu_ata_parse_identify(buf, sizeof(buf), id, err);
}

/* ---- hidden areas ---- */

static enum kesu_rc unlock_hidden(struct kesu_transport *t, const struct kesu_caps *c,
				  struct kesu_err *err)
{
	struct kesu_ata_result r;
	enum kesu_rc rc;
	if (kesu_caps_hpa_sectors(c)) {
		rc = ata(t, KESU_ATA_NONDATA, true, kesu_ata_tf_read_native_max(), NULL, 30000, &r, err);
		if (rc != KESU_OK || !r.have_regs)
			return rc != KESU_OK ? rc : kesu_fail(err, KESU_ERR_FAILED, 0,
				"READ NATIVE MAX ADDRESS returned no address");
		/* SET MAX must follow READ NATIVE MAX immediately (ACS). */
		rc = ata(t, KESU_ATA_NONDATA, true, kesu_ata_tf_set_max(r.lba), NULL, 30000, &r, err);
		if (rc != KESU_OK)
			return kesu_err_prefix(err, "could not remove the HPA: ");
	}
	if (kesu_caps_dco_sectors(c)) {
		rc = ata(t, KESU_ATA_NONDATA, false, kesu_ata_tf_dco(KESU_ATA_DCO_RESTORE), NULL,
			 30000, &r, err);
		if (rc != KESU_OK)
			return kesu_err_prefix(err, "could not restore the DCO (frozen by the BIOS? suspend/resume first): ");
	}
	struct kesu_ata_identify id;
	rc = ata_identify(t, &id, err);
	if (rc != KESU_OK)
		return rc;
	uint64_t want = (c->ata.dco_ok ? c->ata.dco_max : c->ata.native_max) + 1;
	if (id.sectors < want)
		return kesu_fail(err, KESU_ERR_FAILED, 0,
				 "after restoring the native size the drive still shows %" PRIu64
				 " of %" PRIu64 " sectors", id.sectors, want);
	return KESU_OK;
}

/* ---- NVMe ---- */

struct poll_state {
	uint64_t start_ms, deadline_ms;
	const struct kesu_clock *clk;
	uint32_t poll_ms;
};

static bool poll_expired(struct poll_state *p)
{
	return p->clk->now_ms(p->clk->ctx) >= p->deadline_ms;
}

static bool stopped(const struct kesu_purge_opts *o)
{
	return o->stop && atomic_load(o->stop);
}

#define STOPPED_MSG "kesu was stopped by a signal while the drive was still working; the drive goes on with it on its own: leave it powered, let it finish and run the purge again to verify"

static enum kesu_rc run_nvme(struct kesu_transport *t, const struct kesu_caps *c,
			     const struct kesu_purge_method *m, const struct kesu_purge_opts *o,
			     struct poll_state *ps, struct kesu_purge_result *r,
			     struct kesu_err *err)
{
	struct kesu_nvme_cmd cmd;
	char st[48];
	int rc;
	if (m->family == KESU_PF_NVME_FORMAT) {
		unsigned ses = m->action == KESU_PA_CRYPTO ? 2 : 1;
		uint32_t cdw10 = kesu_nvme_format_cdw10(&c->nvme.ns, ses);
		snprintf(r->command, sizeof(r->command), "NVMe Format NVM (SES=%u)", ses);
		snprintf(r->opcode, sizeof(r->opcode), "0x%02x", KESU_NVME_OP_FORMAT);
		uint64_t to = (ps->deadline_ms - ps->start_ms);
		kesu_nvme_format_cmd(&cmd, c->nvme.nsid, cdw10,
				     to > UINT32_MAX ? UINT32_MAX : (uint32_t)to);
		r->started = true;
		progress(o, "format", 0.0);
		rc = kesu_nvme_admin(t, &cmd);
		kesu_nvme_status_describe(rc, st, sizeof(st));
		snprintf(r->status, sizeof(r->status), "%s", st);
		r->completion = json_pack("{s:s, s:i, s:s}", "cdw10", "", "nsid",
					  (json_int_t)c->nvme.nsid, "status", st);
		char hex[16];
		snprintf(hex, sizeof(hex), "0x%08x", cdw10);
		json_object_set_new(r->completion, "cdw10", json_string(hex));
		if (rc == -ENODEV || rc == -ENXIO)
			return kesu_fail(err, KESU_ERR_GONE, -rc,
					 "the device disappeared during Format NVM; reconnect it and rerun the purge");
		if (rc != 0)
			return kesu_fail(err, KESU_ERR_FAILED, rc < 0 ? -rc : 0,
					 "the controller failed Format NVM (%s)", st);
		progress(o, "format", 1.0);
		return KESU_OK;
	}
	struct kesu_nvme_sanitize_args a = {0};
	a.sanact = m->action == KESU_PA_CRYPTO ? KESU_NVME_SANACT_CRYPTO :
		   m->action == KESU_PA_BLOCK ? KESU_NVME_SANACT_BLOCK : KESU_NVME_SANACT_OVERWRITE;
	if (a.sanact == KESU_NVME_SANACT_OVERWRITE) {
		a.owpass = 1;
		a.pattern = 0;
		a.ndas = !(c->nvme.ctrl.sanicap & (1u << 29)); /* keep the pattern readable */
	}
	kesu_nvme_sanitize_cmd(&cmd, &a);
	snprintf(r->command, sizeof(r->command), "NVMe Sanitize (SANACT=%u)", (unsigned)a.sanact);
	snprintf(r->opcode, sizeof(r->opcode), "0x%02x", KESU_NVME_OP_SANITIZE);
	r->started = true;
	rc = kesu_nvme_admin(t, &cmd);
	kesu_nvme_status_describe(rc, st, sizeof(st));
	if (rc == -ENODEV || rc == -ENXIO)
		return kesu_fail(err, KESU_ERR_GONE, -rc, "the device disappeared when Sanitize was sent");
	if (rc != 0) {
		snprintf(r->status, sizeof(r->status), "%s", st);
		r->completion = json_pack("{s:s}", "status", st);
		return kesu_fail(err, KESU_ERR_FAILED, rc < 0 ? -rc : 0,
				 "the controller refused Sanitize (%s)", st);
	}
	uint8_t log[KESU_NVME_SANITIZE_LOG_LEN];
	struct kesu_nvme_sanitize_log l;
	for (;;) {
		ps->clk->sleep_ms(ps->clk->ctx, ps->poll_ms);
		kesu_nvme_sanitize_log_cmd(&cmd, log);
		rc = kesu_nvme_admin(t, &cmd);
		if (rc == -ENODEV || rc == -ENXIO) {
			snprintf(r->status, sizeof(r->status), "device-gone");
			return kesu_fail(err, KESU_ERR_GONE, -rc,
					 "the device disappeared while sanitizing; the drive resumes the sanitize when powered again: reconnect it, let it finish and run the purge again to verify");
		}
		if (rc != 0) {
			kesu_nvme_status_describe(rc, st, sizeof(st));
			snprintf(r->status, sizeof(r->status), "log-unreadable");
			return kesu_fail(err, KESU_ERR_FAILED, 0,
					 "the Sanitize Status log could not be read (%s); the outcome is unknown", st);
		}
		kesu_nvme_parse_sanitize_log(log, &l);
		snprintf(r->status, sizeof(r->status), "%s", kesu_nvme_sstat_name(l.state));
		json_decref(r->completion);
		char hex[16];
		snprintf(hex, sizeof(hex), "0x%08x", l.scdw10);
		r->completion = json_pack("{s:s, s:i, s:i, s:b, s:i, s:s}", "sanitize_status",
					  kesu_nvme_sstat_name(l.state), "sstat", (json_int_t)l.sstat,
					  "sprog", (json_int_t)l.sprog, "global_data_erased",
					  l.global_data_erased, "overwrite_passes", (json_int_t)l.passes_done,
					  "scdw10", hex);
		if (l.state == KESU_NVME_SSTAT_IN_PROGRESS) {
			progress(o, "sanitize", l.sprog / 65536.0);
			if (stopped(o))
				return kesu_fail(err, KESU_ERR_FAILED, 0, STOPPED_MSG);
			if (poll_expired(ps))
				return kesu_fail(err, KESU_ERR_FAILED, 0,
						 "Sanitize did not finish within %" PRIu64 " s (progress %.1f%%); the drive may still be working: leave it powered and check with 'kesu info'",
						 (ps->deadline_ms - ps->start_ms) / 1000, l.sprog / 655.36);
			continue;
		}
		if (l.state == KESU_NVME_SSTAT_SUCCESS || l.state == KESU_NVME_SSTAT_SUCCESS_NO_DEALLOC) {
			if (l.scdw10 && (l.scdw10 & 7) != (uint32_t)a.sanact)
				return kesu_fail(err, KESU_ERR_FAILED, 0,
						 "the Sanitize log describes another sanitize (SCDW10 0x%x); the outcome of ours is unknown",
						 l.scdw10);
			progress(o, "sanitize", 1.0);
			return KESU_OK;
		}
		if (l.state == KESU_NVME_SSTAT_FAILED)
			return kesu_fail(err, KESU_ERR_FAILED, 0,
					 "the controller reports the sanitize failed; the drive stays in sanitize-failed mode until a sanitize succeeds: run the purge again or destroy the drive");
		return kesu_fail(err, KESU_ERR_FAILED, 0,
				 "the Sanitize log shows no sanitize after the command was accepted; the outcome is unknown");
	}
}

/* ---- ATA ---- */

static enum kesu_rc run_ata_sanitize(struct kesu_transport *t, const struct kesu_purge_method *m,
				     const struct kesu_purge_opts *o, struct poll_state *ps,
				     struct kesu_purge_result *r, struct kesu_err *err)
{
	struct kesu_ata_tf tf = m->action == KESU_PA_CRYPTO ? kesu_ata_tf_sanitize_crypto() :
				m->action == KESU_PA_BLOCK ? kesu_ata_tf_sanitize_block() :
				kesu_ata_tf_sanitize_overwrite(1, false, 0);
	snprintf(r->command, sizeof(r->command), "ATA SANITIZE DEVICE (feature 0x%04x)", tf.feature);
	snprintf(r->opcode, sizeof(r->opcode), "0x%02x", KESU_ATA_SANITIZE);
	struct kesu_ata_result reg;
	r->started = true;
	enum kesu_rc rc = ata(t, KESU_ATA_NONDATA, true, tf, NULL, 60000, &reg, err);
	if (rc != KESU_OK) {
		snprintf(r->status, sizeof(r->status), rc == KESU_ERR_GONE ? "device-gone" : "aborted");
		return rc;
	}
	for (;;) {
		ps->clk->sleep_ms(ps->clk->ctx, ps->poll_ms);
		struct kesu_err e2;
		rc = ata(t, KESU_ATA_NONDATA, true, kesu_ata_tf_sanitize_status(), NULL, 30000, &reg, &e2);
		if (rc == KESU_ERR_GONE) {
			*err = e2;
			snprintf(r->status, sizeof(r->status), "device-gone");
			return kesu_fail(err, KESU_ERR_GONE, e2.sys_errno,
					 "the drive disappeared while sanitizing; it resumes the sanitize when powered again: reconnect it, let it finish and run the purge again to verify");
		}
		if (rc != KESU_OK && rc != KESU_ERR_FAILED) {
			*err = e2;
			return rc;
		}
		struct kesu_ata_sanitize_status s;
		kesu_ata_parse_sanitize_status(&reg, &s);
		json_decref(r->completion);
		r->completion = json_pack("{s:b, s:b, s:b, s:i, s:i, s:i}", "completed_without_error",
					  s.completed, "in_progress", s.in_progress, "failed", s.failed,
					  "progress", (json_int_t)s.progress, "status_register",
					  (json_int_t)reg.status, "error_register", (json_int_t)reg.error);
		if (s.failed) {
			snprintf(r->status, sizeof(r->status), "sanitize-failed");
			return kesu_fail(err, KESU_ERR_FAILED, 0,
					 "the drive reports the sanitize failed (reason %u); it stays in sanitize-failed state until a sanitize succeeds: run the purge again",
					 s.reason);
		}
		if (s.in_progress) {
			snprintf(r->status, sizeof(r->status), "in-progress");
			progress(o, "sanitize", s.progress / 65535.0);
			if (stopped(o))
				return kesu_fail(err, KESU_ERR_FAILED, 0, STOPPED_MSG);
			if (poll_expired(ps))
				return kesu_fail(err, KESU_ERR_FAILED, 0,
						 "SANITIZE did not finish within %" PRIu64 " s (progress %.1f%%); the drive may still be working: leave it powered and check with 'kesu info'",
						 (ps->deadline_ms - ps->start_ms) / 1000, s.progress / 655.35);
			continue;
		}
		if (s.completed) {
			snprintf(r->status, sizeof(r->status), "completed-without-error");
			progress(o, "sanitize", 1.0);
			return KESU_OK;
		}
		snprintf(r->status, sizeof(r->status), "unknown");
		return kesu_fail(err, KESU_ERR_FAILED, 0,
				 "SANITIZE STATUS shows neither progress nor completion; the outcome is unknown");
	}
}

/* After a failure with our password set: get the drive back to security
 * disabled, or leave the operator the password. */
static void ata_recover_password(struct kesu_transport *t, const uint8_t pw[32],
				 const char *pwtext, struct kesu_purge_result *r)
{
	struct kesu_ata_identify id;
	struct kesu_err e;
	struct kesu_ata_result reg;
	uint8_t blk[512];
	if (ata_identify(t, &id, &e) == KESU_OK && !id.sec_enabled)
		return; /* nothing of ours is left */
	kesu_ata_security_block(blk, false, false, pw);
	if (ata_identify(t, &id, &e) == KESU_OK && id.sec_locked)
		ata(t, KESU_ATA_PIO_OUT, false, kesu_ata_tf_security(KESU_ATA_SEC_UNLOCK), blk,
		    30000, &reg, &e);
	if (ata(t, KESU_ATA_PIO_OUT, false, kesu_ata_tf_security(KESU_ATA_SEC_DISABLE), blk,
		30000, &reg, &e) == KESU_OK &&
	    ata_identify(t, &id, &e) == KESU_OK && !id.sec_enabled)
		return;
	snprintf(r->recovery_password, sizeof(r->recovery_password), "%s", pwtext);
}

static enum kesu_rc run_ata_security(struct kesu_transport *t, const struct kesu_caps *c,
				     const struct kesu_purge_method *m, const struct kesu_purge_opts *o,
				     struct poll_state *ps, struct kesu_purge_result *r,
				     struct kesu_err *err)
{
	bool enh = m->action == KESU_PA_ENHANCED;
	(void)c;
	snprintf(r->command, sizeof(r->command), "ATA SECURITY ERASE UNIT (%s)",
		 enh ? "enhanced" : "normal");
	snprintf(r->opcode, sizeof(r->opcode), "0x%02x", KESU_ATA_SEC_ERASE_UNIT);
	/* A fresh random temporary password, printable so the operator can
	 * type it into hdparm if it ever has to be recovered. */
	uint8_t rnd[8];
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "no random bytes for the temporary password");
	char pwtext[40];
	snprintf(pwtext, sizeof(pwtext), "kesu-%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
		 rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	uint8_t pw[KESU_ATA_PASSWORD_LEN] = {0};
	memcpy(pw, pwtext, strlen(pwtext));
	uint8_t blk[512];
	struct kesu_ata_result reg;
	kesu_ata_security_block(blk, false, false, pw);
	r->started = true;
	enum kesu_rc rc = ata(t, KESU_ATA_PIO_OUT, false,
			      kesu_ata_tf_security(KESU_ATA_SEC_SET_PASSWORD), blk, 30000, &reg, err);
	if (rc != KESU_OK) {
		snprintf(r->status, sizeof(r->status), "set-password-failed");
		ata_recover_password(t, pw, pwtext, r);
		return kesu_err_prefix(err, "SECURITY SET PASSWORD failed: ");
	}
	progress(o, "secure-erase", 0.0);
	rc = ata(t, KESU_ATA_NONDATA, false, kesu_ata_tf_security(KESU_ATA_SEC_ERASE_PREPARE),
		 NULL, 30000, &reg, err);
	if (rc == KESU_OK) {
		kesu_ata_security_block(blk, false, enh, pw);
		uint64_t to = ps->deadline_ms - ps->start_ms;
		rc = ata(t, KESU_ATA_PIO_OUT, false, kesu_ata_tf_security(KESU_ATA_SEC_ERASE_UNIT),
			 blk, to > UINT32_MAX ? UINT32_MAX : (uint32_t)to, &reg, err);
	}
	r->completion = json_pack("{s:i, s:i}", "status_register", (json_int_t)reg.status,
				  "error_register", (json_int_t)reg.error);
	if (rc != KESU_OK) {
		snprintf(r->status, sizeof(r->status), rc == KESU_ERR_GONE ? "device-gone" : "aborted");
		struct kesu_err keep = *err;
		if (rc != KESU_ERR_GONE)
			ata_recover_password(t, pw, pwtext, r);
		else
			snprintf(r->recovery_password, sizeof(r->recovery_password), "%s", pwtext);
		*err = keep;
		return kesu_err_prefix(err, "security erase failed: ");
	}
	snprintf(r->status, sizeof(r->status), "completed");
	struct kesu_ata_identify id;
	rc = ata_identify(t, &id, err);
	if (rc != KESU_OK || id.sec_enabled || id.sec_locked) {
		struct kesu_err keep;
		if (rc == KESU_OK)
			kesu_fail(&keep, KESU_ERR_FAILED, 0,
				  "ERASE UNIT reported success but security is still %s; the erase is not trusted",
				  id.sec_locked ? "locked" : "enabled");
		else
			keep = *err;
		ata_recover_password(t, pw, pwtext, r);
		*err = keep;
		snprintf(r->status, sizeof(r->status), "completed-security-still-enabled");
		return KESU_ERR_FAILED;
	}
	json_object_set_new(r->completion, "security_disabled_after", json_true());
	progress(o, "secure-erase", 1.0);
	return KESU_OK;
}

/* ---- SCSI ---- */

static enum kesu_rc run_scsi(struct kesu_transport *t, const struct kesu_purge_method *m,
			     const struct kesu_purge_opts *o, struct poll_state *ps,
			     struct kesu_purge_result *r, struct kesu_err *err)
{
	enum kesu_scsi_sanitize_sa sa = m->action == KESU_PA_CRYPTO ? KESU_SCSI_SA_CRYPTO :
					m->action == KESU_PA_BLOCK ? KESU_SCSI_SA_BLOCK :
					KESU_SCSI_SA_OVERWRITE;
	uint8_t param[16];
	uint16_t plen = 0;
	if (sa == KESU_SCSI_SA_OVERWRITE) {
		static const uint8_t zero[4] = {0, 0, 0, 0};
		plen = kesu_scsi_sanitize_overwrite_params(param, sizeof(param), 1, false, zero, 4);
	}
	struct kesu_scsi_cmd cmd;
	struct kesu_sense s;
	kesu_scsi_sanitize_cmd(&cmd, sa, false, plen ? param : NULL, plen);
	snprintf(r->command, sizeof(r->command), "SCSI SANITIZE (service action 0x%02x)", sa);
	snprintf(r->opcode, sizeof(r->opcode), "0x%02x", KESU_SCSI_SANITIZE);
	r->started = true;
	enum kesu_rc rc = kesu_scsi_run(t, &cmd, &s, err);
	if (rc != KESU_OK) {
		snprintf(r->status, sizeof(r->status), rc == KESU_ERR_GONE ? "device-gone" : "rejected");
		return rc;
	}
	for (;;) {
		ps->clk->sleep_ms(ps->clk->ctx, ps->poll_ms);
		uint8_t sb[32] = {0};
		kesu_scsi_request_sense_cmd(&cmd, sb, sizeof(sb));
		rc = kesu_scsi_run(t, &cmd, &s, err);
		if (rc == KESU_ERR_GONE) {
			snprintf(r->status, sizeof(r->status), "device-gone");
			return kesu_fail(err, KESU_ERR_GONE, 0,
					 "the disk disappeared while sanitizing; it resumes the sanitize when powered again: reconnect it, let it finish and run the purge again to verify");
		}
		if (rc != KESU_OK)
			return rc;
		kesu_scsi_parse_sense(sb, sizeof(sb) - (size_t)(cmd.resid > 0 ? cmd.resid : 0), &s);
		json_decref(r->completion);
		r->completion = json_pack("{s:i, s:i, s:i, s:o}", "sense_key", (json_int_t)s.key,
					  "asc", (json_int_t)s.asc, "ascq", (json_int_t)s.ascq,
					  "progress", s.sksv ? json_integer(s.progress) : json_null());
		if (kesu_sense_sanitize_in_progress(&s)) {
			snprintf(r->status, sizeof(r->status), "in-progress");
			progress(o, "sanitize", s.sksv ? s.progress / 65536.0 : 0.0);
			if (stopped(o))
				return kesu_fail(err, KESU_ERR_FAILED, 0, STOPPED_MSG);
			if (poll_expired(ps))
				return kesu_fail(err, KESU_ERR_FAILED, 0,
						 "SANITIZE did not finish within %" PRIu64 " s; the disk may still be working: leave it powered and check with 'kesu info'",
						 (ps->deadline_ms - ps->start_ms) / 1000);
			continue;
		}
		if (kesu_sense_sanitize_failed(&s)) {
			snprintf(r->status, sizeof(r->status), "sanitize-failed");
			return kesu_fail(err, KESU_ERR_FAILED, 0,
					 "the disk reports SANITIZE failed (31/03); it stays in that state until a sanitize succeeds: run the purge again");
		}
		if (!s.valid || s.key == KESU_SK_NO_SENSE) {
			snprintf(r->status, sizeof(r->status), "completed");
			progress(o, "sanitize", 1.0);
			return KESU_OK;
		}
		snprintf(r->status, sizeof(r->status), "sense-%x-%02x-%02x", s.key, s.asc, s.ascq);
		return kesu_fail(err, KESU_ERR_FAILED, 0,
				 "after SANITIZE the disk reports sense %x/%02x/%02x; the outcome is unknown",
				 s.key, s.asc, s.ascq);
	}
}

/* ---- eMMC ---- */

/* Chunks per erase pass: enough for live progress, few enough that the
 * per-command overhead does not matter. */
#define EMMC_ERASE_CHUNKS 64

/* Every write-protected group would be skipped by ERASE without an error
 * the host can see (the driver's busy poll reads and clears WP_ERASE_SKIP),
 * so they are looked for first. */
static enum kesu_rc emmc_scan_wp(struct kesu_transport *t, uint64_t sectors, uint64_t wg,
				 uint64_t *protected_groups, uint64_t *first, struct kesu_err *err)
{
	*protected_groups = 0;
	*first = 0;
	uint64_t groups = (sectors + wg - 1) / wg;
	for (uint64_t g = 0; g < groups; g += 32) {
		uint8_t buf[4] = {0};
		struct kesu_mmc_cmd cmd;
		kesu_mmc_send_write_prot_cmd(&cmd, (uint32_t)(g * wg), buf);
		int rc = kesu_mmc_exec(t, &cmd, 1);
		if (kesu_errno_gone(-rc))
			return kesu_fail(err, KESU_ERR_GONE, -rc, "the device disappeared while its write protection was read");
		if (rc < 0)
			return kesu_fail(err, KESU_ERR_FAILED, -rc,
					 "SEND_WRITE_PROT at sector %" PRIu64 " failed (%s); the write protection is unknown, so nothing was erased",
					 g * wg, strerror(-rc));
		uint32_t bits = kesu_mmc_write_prot_bits(buf);
		for (unsigned i = 0; i < 32 && g + i < groups; i++)
			if (bits & (1u << i)) {
				if (!*protected_groups)
					*first = (g + i) * wg;
				(*protected_groups)++;
			}
	}
	return KESU_OK;
}

static enum kesu_rc run_emmc(struct kesu_transport *t, const struct kesu_caps *c,
			     const struct kesu_purge_opts *o, struct poll_state *ps,
			     struct kesu_purge_result *r, struct kesu_err *err)
{
	const struct kesu_mmc_ext_csd *x = &c->emmc.ext;
	const struct kesu_mmc_csd *csd = &c->emmc.csd;
	uint64_t sectors = x->sectors;
	uint64_t eg = kesu_mmc_erase_group_sectors(x, csd);
	uint64_t wg = kesu_mmc_wp_group_sectors(x, csd);
	snprintf(r->command, sizeof(r->command), "eMMC ERASE (CMD35/36/38) then SANITIZE (CMD6)");
	snprintf(r->opcode, sizeof(r->opcode), "CMD38+CMD6");
	r->completion = json_pack("{s:I, s:o, s:s}", "user_sectors", (json_int_t)sectors,
				  "erase_group_sectors", eg ? json_integer((json_int_t)eg) : json_null(),
				  "erased_value", x->erased_mem_cont ? "0xff" : "0x00");
	/* Write-protect groups exist only where the card enables them. */
	bool wp_possible = x->hc_erase_def ? x->hc_wp_grp_size != 0 : csd->wp_grp_enable;
	if (wp_possible && wg) {
		uint64_t prot, first;
		enum kesu_rc rc = emmc_scan_wp(t, sectors, wg, &prot, &first, err);
		if (rc != KESU_OK)
			return rc;
		json_object_set_new(r->completion, "write_protected_groups", json_integer((json_int_t)prot));
		if (prot)
			return kesu_fail(err, KESU_ERR_REFUSED, 0,
					 "%" PRIu64 " write-protected group(s) of %" PRIu64 " sectors (first at sector %" PRIu64 ") would be skipped by the erase; clear the write protection (mmc-utils) and run kesu again, or destroy the device",
					 prot, wg, first);
	} else {
		json_object_set_new(r->completion, "write_protected_groups",
				    wp_possible ? json_null() : json_integer(0));
	}

	/* Whole erase groups per command, so no group is half covered; with
	 * no known group size, one command for the whole area. */
	uint64_t chunk = sectors;
	if (eg) {
		chunk = (sectors + EMMC_ERASE_CHUNKS - 1) / EMMC_ERASE_CHUNKS;
		chunk = (chunk + eg - 1) / eg * eg;
	}
	r->started = true;
	uint64_t done = 0, commands = 0;
	progress(o, "erase", 0.0);
	while (done < sectors) {
		uint64_t n = sectors - done < chunk ? sectors - done : chunk;
		uint64_t groups = eg ? (n + eg - 1) / eg : 0;
		/* Twice the card's own limit: it is the card's worst case, and
		 * the driver's busy wait must not give up before the card. */
		uint64_t to = 2 * kesu_mmc_erase_timeout_ms(x, groups ? groups : (n + 1023) / 1024) + 10000;
		struct kesu_mmc_cmd cmd[3];
		kesu_mmc_erase_cmds(cmd, (uint32_t)done, (uint32_t)(done + n - 1),
				    to > UINT32_MAX ? UINT32_MAX : (uint32_t)to);
		int rc = kesu_mmc_exec(t, cmd, 3);
		commands++;
		json_object_set_new(r->completion, "erase_commands", json_integer((json_int_t)commands));
		if (kesu_errno_gone(-rc)) {
			snprintf(r->status, sizeof(r->status), "device-gone");
			return kesu_fail(err, KESU_ERR_GONE, -rc,
					 "the device disappeared while erasing at sector %" PRIu64 "; part of it is still unerased: reconnect it and run the purge again",
					 done);
		}
		uint32_t bad = 0;
		for (int i = 0; i < 3; i++)
			bad |= cmd[i].response[0] & KESU_R1_ERRORS;
		if (rc < 0 || bad) {
			char why[160];
			kesu_mmc_r1_describe(bad, why, sizeof(why));
			snprintf(r->status, sizeof(r->status), "erase-failed");
			return kesu_fail(err, KESU_ERR_FAILED, rc < 0 ? -rc : 0,
					 "the card failed ERASE of sectors %" PRIu64 "-%" PRIu64 " (%s); the device is only partly erased: run the purge again or destroy it",
					 done, done + n - 1, rc < 0 ? strerror(-rc) : why);
		}
		done += n;
		json_object_set_new(r->completion, "sectors_erased", json_integer((json_int_t)done));
		progress(o, "erase", (double)done / (double)sectors);
		if (done < sectors && stopped(o)) {
			snprintf(r->status, sizeof(r->status), "stopped");
			return kesu_fail(err, KESU_ERR_FAILED, 0,
					 "kesu was stopped by a signal after erasing %" PRIu64 " of %" PRIu64 " sectors; the rest still holds data: run the purge again",
					 done, sectors);
		}
	}

	/* The sanitize runs inside one R1b busy wait, with no progress to
	 * poll; the whole remaining time limit goes to it. */
	uint64_t now = ps->clk->now_ms(ps->clk->ctx);
	uint64_t left = ps->deadline_ms > now ? ps->deadline_ms - now : 60000;
	struct kesu_mmc_cmd san;
	kesu_mmc_sanitize_cmd(&san, left > UINT32_MAX ? UINT32_MAX : (uint32_t)left);
	progress(o, "sanitize", 0.0);
	int rc = kesu_mmc_exec(t, &san, 1);
	char hex[16];
	snprintf(hex, sizeof(hex), "0x%08x", san.response[0]);
	json_object_set_new(r->completion, "sanitize_r1", json_string(hex));
	if (kesu_errno_gone(-rc)) {
		snprintf(r->status, sizeof(r->status), "device-gone");
		return kesu_fail(err, KESU_ERR_GONE, -rc,
				 "the device disappeared during SANITIZE; reconnect it and run the purge again");
	}
	if (rc == -ETIMEDOUT) {
		snprintf(r->status, sizeof(r->status), "timeout");
		return kesu_fail(err, KESU_ERR_FAILED, ETIMEDOUT,
				 "SANITIZE did not finish within %" PRIu64 " s; the card may still be busy: leave it powered and run the purge again",
				 left / 1000);
	}
	if (rc < 0) {
		snprintf(r->status, sizeof(r->status), "sanitize-rejected");
		return kesu_fail(err, KESU_ERR_FAILED, -rc,
				 "SANITIZE failed (%s)%s; the user area was erased but unmapped blocks were not purged",
				 strerror(-rc), rc == -EOPNOTSUPP ? ": the driver says the card does not support it" : "");
	}
	if (san.response[0] & KESU_R1_ERRORS) {
		char why[160];
		kesu_mmc_r1_describe(san.response[0] & KESU_R1_ERRORS, why, sizeof(why));
		snprintf(r->status, sizeof(r->status), "sanitize-failed");
		return kesu_fail(err, KESU_ERR_FAILED, 0,
				 "the card reports SANITIZE failed (%s); unmapped blocks were not purged", why);
	}
	/* A card that answers again after its busy wait is done; one that
	 * does not has not shown that it finished. */
	uint8_t buf[KESU_EXT_CSD_LEN];
	struct kesu_mmc_cmd rd;
	kesu_mmc_send_ext_csd_cmd(&rd, buf);
	rc = kesu_mmc_exec(t, &rd, 1);
	if (kesu_errno_gone(-rc)) {
		snprintf(r->status, sizeof(r->status), "device-gone");
		return kesu_fail(err, KESU_ERR_GONE, -rc, "the device disappeared right after SANITIZE");
	}
	if (rc < 0) {
		snprintf(r->status, sizeof(r->status), "no-answer");
		return kesu_fail(err, KESU_ERR_FAILED, -rc,
				 "the card does not answer after SANITIZE (%s); its outcome is unknown", strerror(-rc));
	}
	snprintf(r->status, sizeof(r->status), "completed");
	progress(o, "sanitize", 1.0);
	return KESU_OK;
}

/* ---- the run ---- */

static enum kesu_rc refuse_state(const struct kesu_caps *c, const struct kesu_purge_method *m,
				 const struct kesu_purge_opts *o, struct kesu_err *err)
{
	if (c->usb_bridge && !o->allow_usb_bridge)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "%s: the device is behind a USB bridge, which can drop or mangle firmware commands; connect it directly, or pass --allow-usb-bridge if you trust this bridge",
				 m->name);
	if (m->family == KESU_PF_ATA_SECURITY) {
		const struct kesu_ata_identify *id = &c->ata.id;
		if (id->sec_frozen)
			return kesu_fail(err, KESU_ERR_REFUSED, 0,
					 "the drive's security is frozen (the BIOS froze it at boot); suspend and resume the machine (systemctl suspend) or hot-plug the drive, then run kesu again");
		if (id->sec_locked)
			return kesu_fail(err, KESU_ERR_REFUSED, 0,
					 "the drive is locked by a security password; unlock it with its password first (hdparm --security-unlock)");
		if (id->sec_count_expired)
			return kesu_fail(err, KESU_ERR_REFUSED, 0,
					 "the drive's password attempt counter expired; power-cycle the drive and try again");
		if (id->sec_enabled)
			return kesu_fail(err, KESU_ERR_REFUSED, 0,
					 "the drive already has a security password; disable it with that password (hdparm --security-disable) before erasing");
	}
	if (m->family == KESU_PF_NVME_SANITIZE && c->nvme.log_ok &&
	    c->nvme.log.state == KESU_NVME_SSTAT_IN_PROGRESS)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "a sanitize is already running on this controller; wait for it to finish ('kesu info' shows its state)");
	if (m->family == KESU_PF_EMMC && c->emmc.csd_ok && c->emmc.csd.perm_write_protect)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "the card is permanently write protected (CSD PERM_WRITE_PROTECT): it cannot be erased; destroy it physically");
	if (m->family == KESU_PF_EMMC && c->emmc.csd_ok && c->emmc.csd.tmp_write_protect)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "the card is temporarily write protected (CSD TMP_WRITE_PROTECT); clear it (mmc-utils) and run kesu again");
	if (m->family == KESU_PF_OPAL && (!o->psid || !o->psid[0]))
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "opal-psid-revert needs the PSID printed on the drive's label (--psid-file FILE)");
	return KESU_OK;
}

enum kesu_rc kesu_purge_precheck(const struct kesu_caps *c, const char *method,
				 const struct kesu_purge_opts *o,
				 const struct kesu_purge_method **out, char *why, size_t whysz,
				 struct kesu_err *err)
{
	const struct kesu_purge_method *m = kesu_purge_method_find(method);
	if (!m)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "unknown purge method '%s'; see 'kesu methods'", method);
	if (why && whysz)
		why[0] = '\0';
	if (m->family == KESU_PF_AUTO) {
		struct kesu_purge_choice ch;
		kesu_purge_choose(c, o->psid && o->psid[0], &ch);
		if (!ch.method)
			return kesu_fail(err, KESU_ERR_NOTSUP, 0, "purge: %s", ch.why);
		m = ch.method;
		if (why)
			kesu_strlcpy(why, ch.why, whysz);
	}
	char w[256];
	if (!kesu_caps_supports(c, m, w, sizeof(w)))
		return kesu_fail(err, KESU_ERR_NOTSUP, 0, "%s: %s; see 'kesu info' for what the device supports",
				 m->name, w);
	enum kesu_rc rc = refuse_state(c, m, o, err);
	if (rc == KESU_OK && out)
		*out = m;
	return rc;
}

/* Send one command (a single method, or one step of a chain) and poll it
 * to its end. */
static enum kesu_rc send_command(struct kesu_transport *t, const struct kesu_caps *c,
				 const struct kesu_purge_method *m,
				 const struct kesu_purge_opts *o, struct poll_state *ps,
				 struct kesu_purge_result *r, struct kesu_err *err)
{
	enum kesu_rc rc = KESU_ERR_INTERNAL;
	switch (m->family) {
	case KESU_PF_NVME_SANITIZE:
	case KESU_PF_NVME_FORMAT:
		rc = run_nvme(t, c, m, o, ps, r, err);
		break;
	case KESU_PF_ATA_SANITIZE:
		rc = run_ata_sanitize(t, m, o, ps, r, err);
		break;
	case KESU_PF_ATA_SECURITY:
		rc = run_ata_security(t, c, m, o, ps, r, err);
		break;
	case KESU_PF_SCSI_SANITIZE:
		rc = run_scsi(t, m, o, ps, r, err);
		break;
	case KESU_PF_EMMC:
		rc = run_emmc(t, c, o, ps, r, err);
		break;
	case KESU_PF_OPAL: {
		snprintf(r->command, sizeof(r->command), "TCG Opal PSID revert (IOC_OPAL_PSID_REVERT_TPR)");
		snprintf(r->opcode, sizeof(r->opcode), "ioctl");
		r->started = true;
		int x = t->ops->opal_psid_revert ?
			t->ops->opal_psid_revert(t, o->psid, strlen(o->psid)) : -EOPNOTSUPP;
		snprintf(r->status, sizeof(r->status), "%s", x == 0 ? "reverted" : strerror(-x));
		r->completion = json_pack("{s:i}", "errno", (json_int_t)(x < 0 ? -x : 0));
		rc = x == 0 ? KESU_OK
		     : kesu_fail(err, x == -ENODEV ? KESU_ERR_GONE : KESU_ERR_FAILED, -x,
				 "PSID revert failed (%s)%s", strerror(-x),
				 x == -EACCES || x == -EPERM ? "; check the PSID on the drive label" : "");
		break;
	}
	case KESU_PF_AUTO:
		rc = kesu_fail(err, KESU_ERR_INTERNAL, 0, "purge method not resolved");
		break;
	}
	return rc;
}

/* Progress of one step of a chain: the phase names the step. */
struct step_prog {
	const struct kesu_purge_opts *o;
	size_t i, n;
	const char *name;
};

static void step_progress(void *ctx, const char *phase, double f)
{
	struct step_prog *s = ctx;
	char p[128];
	snprintf(p, sizeof(p), "step %zu/%zu %s: %s", s->i + 1, s->n, s->name, phase);
	s->o->progress(s->o->progress_ctx, p, f);
}

/* The drive says it is done; now the medium has to agree. */
static enum kesu_rc verify_step(struct vctx *v, struct kesu_purge_step *st,
				const struct snap *before, const struct kesu_purge_opts *o,
				uint64_t *now_size, struct kesu_err *err)
{
	int e = v->tgt->ops->size_now(v->tgt, now_size);
	if (e < 0)
		return kesu_fail(err, e == -ENODEV ? KESU_ERR_GONE : KESU_ERR_IO, -e,
				 "cannot read the device size after the purge");
	struct check_arg ca = {.check = st->check, .before = before, .first = -1};
	enum kesu_rc rc = walk(v, check_chunk, &ca, "verify", o, err);
	st->bytes_verified = ca.bytes;
	st->samples = v->plan.count;
	st->chunks_failed = ca.failed;
	st->first_failure_offset = ca.first;
	if (rc == KESU_OK)
		st->verify_outcome = ca.failed ? "failed" : "passed";
	return rc;
}

static void take_verification(struct kesu_purge_result *r, const struct kesu_purge_step *st)
{
	r->check = st->check;
	r->verify_outcome = st->verify_outcome;
	r->bytes_verified = st->bytes_verified;
	r->samples = st->samples;
	r->chunks_failed = st->chunks_failed;
	r->first_failure_offset = st->first_failure_offset;
}

enum kesu_rc kesu_purge_run(struct kesu_transport *t, struct kesu_target *tgt,
			    const struct kesu_caps *c, const char *method,
			    const struct kesu_purge_opts *o, struct kesu_purge_result *r,
			    struct kesu_err *err)
{
	memset(r, 0, sizeof(*r));
	r->first_failure_offset = -1;
	r->result = "failed";
	r->verify_outcome = "incomplete";
	kesu_strlcpy(r->requested, method, sizeof(r->requested));
	const struct kesu_purge_method *m;
	enum kesu_rc rc = kesu_purge_precheck(c, method, o, &m, r->why, sizeof(r->why), err);
	if (rc != KESU_OK)
		return rc;
	kesu_strlcpy(r->method, m->name, sizeof(r->method));
	r->technique = m->technique;
	r->interface = c->kind == KESU_CAPS_NVME ? "nvme" : c->kind == KESU_CAPS_ATA ? "ata" :
		       c->kind == KESU_CAPS_EMMC ? "emmc" : "scsi";
	r->nist_category = (m->family == KESU_PF_ATA_SECURITY && !c->rotational) ? "clear" : "purge";
	r->check = kesu_purge_check_for(m, c);
	r->hpa_sectors = kesu_caps_hpa_sectors(c);
	r->dco_sectors = kesu_caps_dco_sectors(c);
	const struct kesu_clock *clk = o->clock ? o->clock : kesu_clock_real();

	if ((r->hpa_sectors || r->dco_sectors) && o->unlock_hidden) {
		r->started = true;
		rc = unlock_hidden(t, c, err);
		if (rc != KESU_OK) {
			set_result(r, "failed", "%s", err->msg);
			return rc == KESU_ERR_GONE ? rc : KESU_ERR_FAILED;
		}
		r->hidden_unlocked = true;
	}

	uint64_t size = 0;
	int e = tgt->ops->size_now(tgt, &size);
	if (e < 0)
		return kesu_fail(err, e == -ENODEV ? KESU_ERR_GONE : KESU_ERR_IO, -e,
				 "cannot read the device size before the purge");
	struct vctx v = {.tgt = tgt, .size = size, .bufsz = CHUNK};
	rc = kesu_sampling_plan(size, tgt->block_size, o->seed, &v.plan, err);
	if (rc != KESU_OK)
		return rc;
	if (posix_memalign((void **)&v.buf, 4096, v.bufsz)) {
		kesu_sampling_plan_free(&v.plan);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	struct snap before = {0};
	if (needs_before(r->check)) {
		before.n = count_chunks(&v.plan);
		before.dig = calloc(before.n, DIG);
		before.blank = calloc(before.n, 1);
		if (!before.dig || !before.blank) {
			rc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
			goto out;
		}
		rc = walk(&v, snap_chunk, &before, "sample-before", o, err);
		if (rc != KESU_OK) {
			kesu_err_prefix(err, "before the purge: ");
			if (r->started)
				set_result(r, "failed", "%s", err->msg);
			goto out;
		}
	}

	const struct kesu_purge_method *steps[KESU_PURGE_STEPS_MAX];
	size_t nsteps = kesu_purge_method_steps(m, steps);
	uint64_t now_size = 0, run_start_ms = clk->now_ms(clk->ctx);
	kesu_time_now(r->started_at);
	for (size_t i = 0; i < nsteps; i++) {
		const struct kesu_purge_method *sm = steps[i];
		struct kesu_purge_step *st = &r->steps[i];
		bool last = i + 1 == nsteps;
		struct step_prog sp = {o, i, nsteps, sm->name};
		struct kesu_purge_opts so = *o;
		if (nsteps > 1 && o->progress) {
			so.progress = step_progress;
			so.progress_ctx = &sp;
		}
		if (i > 0 && stopped(o)) {
			rc = kesu_fail(err, KESU_ERR_FAILED, 0,
				       "kesu was stopped by a signal after step %zu of %s; %s was not sent: run the purge again",
				       i, m->name, sm->name);
			set_result(r, "failed", "%s", err->msg);
			goto out;
		}
		/* Each step reports its own status and completion. */
		json_decref(r->completion);
		r->completion = NULL;
		r->status[0] = '\0';
		st->method = sm;
		st->check = last ? r->check : kesu_purge_check_for(sm, c);
		st->verify_outcome = "incomplete";
		st->first_failure_offset = -1;
		bool started_before = r->started;
		r->started = false;
		kesu_time_now(st->started_at);
		struct poll_state ps = {.clk = clk, .poll_ms = o->poll_ms ? o->poll_ms : 2000};
		ps.start_ms = clk->now_ms(clk->ctx);
		ps.deadline_ms = ps.start_ms + 1000 * kesu_purge_timeout_s(sm, c, size);
		rc = send_command(t, c, sm, &so, &ps, r, err);
		uint64_t end_ms = clk->now_ms(clk->ctx);
		kesu_time_now(st->ended_at);
		st->duration_s = (double)(end_ms - ps.start_ms) / 1000.0;
		if (!r->completion)
			r->completion = json_object();
		if (r->started) {
			/* A command went to the drive: it is part of the record. */
			r->nsteps = i + 1;
			kesu_strlcpy(st->command, r->command, sizeof(st->command));
			kesu_strlcpy(st->opcode, r->opcode, sizeof(st->opcode));
			kesu_strlcpy(st->status, r->status, sizeof(st->status));
			st->completion = json_incref(r->completion);
			kesu_strlcpy(r->ended_at, st->ended_at, sizeof(r->ended_at));
			r->duration_s = (double)(end_ms - run_start_ms) / 1000.0;
		}
		r->started = r->started || started_before;
		if (nsteps > 1) {
			size_t at = 0;
			for (size_t k = 0; k < r->nsteps && at < sizeof(r->command); k++) {
				int w = snprintf(r->command + at, sizeof(r->command) - at, "%s%s",
						 k ? ", then " : "", r->steps[k].command);
				at += w > 0 ? (size_t)w : 0;
			}
		}
		if (rc != KESU_OK) {
			if (nsteps > 1)
				kesu_err_prefix(err, "step %zu of %s (%s): ", i + 1, m->name, sm->name);
			set_result(r, "failed", "%s", err->msg);
			goto out;
		}
		rc = verify_step(&v, st, &before, &so, &now_size, err);
		if (last || rc != KESU_OK || st->chunks_failed)
			take_verification(r, st);
		if (rc != KESU_OK) {
			kesu_err_prefix(err, "verification after %s: ", sm->name);
			if (nsteps > 1)
				kesu_err_prefix(err, "step %zu of %s: ", i + 1, m->name);
			set_result(r, "failed", "%s", err->msg);
			goto out;
		}
		if (st->chunks_failed) {
			/* A later erase would overwrite the evidence that this
			 * one failed, so the chain stops here. */
			char stop_note[96] = "";
			if (!last)
				snprintf(stop_note, sizeof(stop_note), "%s was not sent so as not to hide this; ",
					 steps[i + 1]->name);
			rc = kesu_fail(err, KESU_ERR_FAILED, 0,
				       "%s: the drive reported success but %" PRIu64 " sampled region(s) fail the '%s' check (first at byte %" PRId64 "); %sthe data may still be readable: do not release this drive",
				       sm->name, st->chunks_failed, kesu_purge_check_name(st->check),
				       st->first_failure_offset, stop_note);
			if (nsteps > 1)
				kesu_err_prefix(err, "step %zu of %s: ", i + 1, m->name);
			set_result(r, "failed", "%s", err->msg);
			goto out;
		}
	}
	if ((r->hpa_sectors || r->dco_sectors) && !r->hidden_unlocked) {
		rc = kesu_fail(err, KESU_ERR_FAILED, 0,
			       "%" PRIu64 " hidden sector(s) (HPA %" PRIu64 ", DCO %" PRIu64 ") were not addressed or verified; rerun with --unlock-hidden",
			       r->hpa_sectors + r->dco_sectors, r->hpa_sectors, r->dco_sectors);
		set_result(r, "erased-with-exceptions", "%s", err->msg);
		goto out;
	}
	if (m->family == KESU_PF_EMMC) {
		const uint64_t *gp = c->emmc.ext.gp_bytes;
		uint64_t gp_total = gp[0] + gp[1] + gp[2] + gp[3];
		if (gp_total) {
			rc = kesu_fail(err, KESU_ERR_FAILED, 0,
				       "the user area was purged, but %" PRIu64 " bytes in general purpose partitions (mmcblkNgp0-3) were not erased; wipe them with an overwrite method",
				       gp_total);
			set_result(r, "erased-with-exceptions", "%s", err->msg);
			goto out;
		}
	}
	if (r->hidden_unlocked && now_size < ((c->ata.dco_ok ? c->ata.dco_max : c->ata.native_max) + 1) *
						     (uint64_t)tgt->block_size) {
		rc = kesu_fail(err, KESU_ERR_FAILED, 0,
			       "the hidden area was restored but the kernel still sees %" PRIu64 " bytes, so the restored sectors were not verified; rescan the disk (echo 1 > /sys/block/NAME/device/rescan) and run kesu again",
			       now_size);
		set_result(r, "erased-with-exceptions", "%s", err->msg);
		goto out;
	}
	set_result(r, "erased", NULL);
	r->reason[0] = '\0';
	rc = KESU_OK;
out:
	if (r->started && !r->ended_at[0])
		kesu_time_now(r->ended_at);
	if (r->started && !r->started_at[0])
		kesu_strlcpy(r->started_at, r->ended_at, sizeof(r->started_at));
	if (r->recovery_password[0]) {
		/* The password goes first so no truncation can ever drop it. */
		char msg[1024];
		snprintf(msg, sizeof(msg),
			 "THE DRIVE STILL HAS THE TEMPORARY USER PASSWORD '%s': unlock and disable it with hdparm --user-master u --security-unlock %s, then --security-disable %s; %s",
			 r->recovery_password, r->recovery_password, r->recovery_password, r->reason);
		kesu_strlcpy(r->reason, msg, sizeof(r->reason));
		kesu_strlcpy(err->msg, msg, sizeof(err->msg));
	}
	free(before.dig);
	free(before.blank);
	free(v.buf);
	kesu_sampling_plan_free(&v.plan);
	if (rc != KESU_OK && rc != KESU_ERR_GONE && r->started)
		rc = KESU_ERR_FAILED;
	if (rc != KESU_OK && r->started)
		err->rc = rc;
	return rc;
}

static json_t *verification_json(enum kesu_purge_check check, const char *outcome,
				 uint64_t samples, uint64_t bytes, uint64_t failed, int64_t first)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:o}",
			 "check", kesu_purge_check_name(check),
			 "outcome", outcome ? outcome : "incomplete",
			 "samples", (json_int_t)samples,
			 "bytes_verified", (json_int_t)bytes,
			 "failed_regions", (json_int_t)failed,
			 "first_failure_offset", first >= 0 ? json_integer(first) : json_null());
}

static json_t *opt_str(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static json_t *step_json(const struct kesu_purge_step *st)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:O, s:o, s:o, s:f, s:o}",
			      "method", st->method ? st->method->name : "",
			      "description", st->command, "opcode", st->opcode,
			      "status", st->status,
			      "completion", st->completion ? st->completion : json_null(),
			      "started_at", opt_str(st->started_at),
			      "ended_at", opt_str(st->ended_at),
			      "duration_s", st->duration_s,
			      "verification",
			      verification_json(st->check, st->verify_outcome, st->samples,
						st->bytes_verified, st->chunks_failed,
						st->first_failure_offset));
	return o ? o : json_null();
}

json_t *kesu_purge_firmware_json(const struct kesu_purge_result *r)
{
	json_t *v = verification_json(r->check, r->verify_outcome, r->samples, r->bytes_verified,
				      r->chunks_failed, r->first_failure_offset);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:O, s:o, s:{s:I, s:I, s:b}}",
			      "command", r->method, "requested", r->requested,
			      "description", r->command, "interface", r->interface ? r->interface : "",
			      "technique", r->technique ? r->technique : "",
			      "nist_category", r->nist_category ? r->nist_category : "",
			      "opcode", r->opcode, "status", r->status,
			      "duration_s", r->duration_s,
			      "completion", r->completion ? r->completion : json_null(),
			      "verification", v,
			      "hidden_area", "hpa_sectors", (json_int_t)r->hpa_sectors,
			      "dco_sectors", (json_int_t)r->dco_sectors, "unlocked", r->hidden_unlocked);
	if (!o)
		return NULL;
	json_object_set_new(o, "chosen_because", r->why[0] ? json_string(r->why) : json_null());
	json_object_set_new(o, "started_at", r->started_at[0] ? json_string(r->started_at) : json_null());
	json_object_set_new(o, "ended_at", r->ended_at[0] ? json_string(r->ended_at) : json_null());
	json_object_set_new(o, "recovery_password",
			    r->recovery_password[0] ? json_string(r->recovery_password) : json_null());
	json_t *steps = json_array();
	for (size_t i = 0; i < r->nsteps && i < KESU_PURGE_STEPS_MAX; i++)
		json_array_append_new(steps, step_json(&r->steps[i]));
	json_object_set_new(o, "steps", steps);
	return o;
}

void kesu_purge_result_free(struct kesu_purge_result *r)
{
	json_decref(r->completion);
	r->completion = NULL;
	for (size_t i = 0; i < KESU_PURGE_STEPS_MAX; i++) {
		json_decref(r->steps[i].completion);
		r->steps[i].completion = NULL;
	}
}
