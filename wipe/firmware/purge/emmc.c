/* eMMC purge driver: ERASE of the whole user area in whole erase groups,
 * then SANITIZE, which purges only the unmapped blocks the erase left. */
#include "wipe/firmware/purge/driver.h"
#include "wipe/firmware/mmc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Chunks per erase pass: enough for live progress, few enough that the
 * per-command overhead does not matter. */
#define EMMC_ERASE_CHUNKS 64

static bool supports(const struct kesu_caps *c, const struct kesu_purge_method *m,
		     char *why, size_t whysz)
{
	const struct kesu_mmc_ext_csd *x = &c->emmc.ext;
	if (c->kind != KESU_CAPS_EMMC)
		snprintf(why, whysz, "%s needs an eMMC device, this one is %s", m->name,
			 kesu_purge_interface_name(c));
	else if (x->rev < 6)
		snprintf(why, whysz, "the device is older than eMMC 4.5 (EXT_CSD_REV %u); sanitize needs 4.5 or later",
			 x->rev);
	else if (!x->sanitize)
		snprintf(why, whysz, "the device does not offer sanitize (EXT_CSD SEC_FEATURE_SUPPORT bit 6 clear)");
	else if (!c->emmc.csd_ok)
		snprintf(why, whysz, "the driver does not show the card's CSD register, so its write protection and erase groups are unknown");
	else if (x->sectors <= KESU_MMC_BYTE_ADDRESSED_MAX_SECTORS)
		snprintf(why, whysz, "the device is byte addressed (2 GB or less); kesu erases only sector-addressed eMMC: use an overwrite method");
	else
		return true;
	return false;
}

static enum kesu_rc refuses(const struct kesu_caps *c, const struct kesu_purge_method *m,
			    const struct kesu_purge_opts *o, struct kesu_err *err)
{
	(void)m;
	(void)o;
	if (c->emmc.csd_ok && c->emmc.csd.perm_write_protect)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "the card is permanently write protected (CSD PERM_WRITE_PROTECT): it cannot be erased; destroy it physically");
	if (c->emmc.csd_ok && c->emmc.csd.tmp_write_protect)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "the card is temporarily write protected (CSD TMP_WRITE_PROTECT); clear it (mmc-utils) and run kesu again");
	return KESU_OK;
}

static void plan(const struct kesu_caps *c, const struct kesu_purge_method *m,
		 struct kesu_purge_plan *p)
{
	(void)m;
	/* ERASE defines what erased blocks read as: ERASED_MEM_CONT. */
	p->check = c->emmc.ext.erased_mem_cont ? KESU_CHECK_ONES : KESU_CHECK_ZEROS;
	const uint64_t *gp = c->emmc.ext.gp_bytes;
	uint64_t gp_total = gp[0] + gp[1] + gp[2] + gp[3];
	if (gp_total)
		snprintf(p->unreached, sizeof(p->unreached),
			 "the user area was purged, but %" PRIu64 " bytes in general purpose partitions (mmcblkNgp0-3) were not erased; wipe them with an overwrite method",
			 gp_total);
}

/* Every write-protected group would be skipped by ERASE without an error
 * the host can see (the driver's busy poll reads and clears WP_ERASE_SKIP),
 * so they are looked for first. */
static enum kesu_rc scan_wp(struct kesu_transport *t, uint64_t sectors, uint64_t wg,
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

/* Refuse before erasing anything when write protection would make the
 * erase skip groups silently. */
static enum kesu_rc check_wp(struct kesu_purge_cmd *x, struct kesu_err *err)
{
	const struct kesu_mmc_ext_csd *e = &x->c->emmc.ext;
	const struct kesu_mmc_csd *csd = &x->c->emmc.csd;
	uint64_t wg = kesu_mmc_wp_group_sectors(e, csd);
	json_t *comp = x->step->completion;
	/* Write-protect groups exist only where the card enables them. */
	bool wp_possible = e->hc_erase_def ? e->hc_wp_grp_size != 0 : csd->wp_grp_enable;
	if (!wp_possible || !wg) {
		json_object_set_new(comp, "write_protected_groups",
				    wp_possible ? json_null() : json_integer(0));
		return KESU_OK;
	}
	uint64_t prot, first;
	enum kesu_rc rc = scan_wp(x->t, e->sectors, wg, &prot, &first, err);
	if (rc != KESU_OK)
		return rc;
	json_object_set_new(comp, "write_protected_groups", json_integer((json_int_t)prot));
	if (prot)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "%" PRIu64 " write-protected group(s) of %" PRIu64 " sectors (first at sector %" PRIu64 ") would be skipped by the erase; clear the write protection (mmc-utils) and run kesu again, or destroy the device",
				 prot, wg, first);
	return KESU_OK;
}

/* ERASE of sectors [done, done + n): the card's R1 errors count as much as
 * the driver's. */
static enum kesu_rc erase_range(struct kesu_purge_cmd *x, uint64_t done, uint64_t n,
				uint64_t eg, struct kesu_err *err)
{
	uint64_t groups = eg ? (n + eg - 1) / eg : 0;
	/* Twice the card's own limit: it is the card's worst case, and the
	 * driver's busy wait must not give up before the card. */
	uint64_t to = 2 * kesu_mmc_erase_timeout_ms(&x->c->emmc.ext,
						    groups ? groups : (n + 1023) / 1024) + 10000;
	struct kesu_mmc_cmd cmd[3];
	kesu_mmc_erase_cmds(cmd, (uint32_t)done, (uint32_t)(done + n - 1),
			    to > UINT32_MAX ? UINT32_MAX : (uint32_t)to);
	int rc = kesu_mmc_exec(x->t, cmd, 3);
	if (kesu_errno_gone(-rc)) {
		snprintf(x->step->status, sizeof(x->step->status), "device-gone");
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
		snprintf(x->step->status, sizeof(x->step->status), "erase-failed");
		return kesu_fail(err, KESU_ERR_FAILED, rc < 0 ? -rc : 0,
				 "the card failed ERASE of sectors %" PRIu64 "-%" PRIu64 " (%s); the device is only partly erased: run the purge again or destroy it",
				 done, done + n - 1, rc < 0 ? strerror(-rc) : why);
	}
	return KESU_OK;
}

static enum kesu_rc erase_user_area(struct kesu_purge_cmd *x, uint64_t eg, struct kesu_err *err)
{
	json_t *comp = x->step->completion;
	uint64_t sectors = x->c->emmc.ext.sectors;
	/* Whole erase groups per command, so no group is half covered; with
	 * no known group size, one command for the whole area. */
	uint64_t chunk = sectors;
	if (eg) {
		chunk = (sectors + EMMC_ERASE_CHUNKS - 1) / EMMC_ERASE_CHUNKS;
		chunk = (chunk + eg - 1) / eg * eg;
	}
	uint64_t done = 0, commands = 0;
	kesu_purge_progress(x, "erase", 0.0);
	while (done < sectors) {
		uint64_t n = sectors - done < chunk ? sectors - done : chunk;
		enum kesu_rc rc = erase_range(x, done, n, eg, err);
		json_object_set_new(comp, "erase_commands", json_integer((json_int_t)++commands));
		if (rc != KESU_OK)
			return rc;
		done += n;
		json_object_set_new(comp, "sectors_erased", json_integer((json_int_t)done));
		kesu_purge_progress(x, "erase", (double)done / (double)sectors);
		if (done < sectors && kesu_purge_stopped(x->o)) {
			snprintf(x->step->status, sizeof(x->step->status), "stopped");
			return kesu_fail(err, KESU_ERR_FAILED, 0,
					 "kesu was stopped by a signal after erasing %" PRIu64 " of %" PRIu64 " sectors; the rest still holds data: run the purge again",
					 done, sectors);
		}
	}
	return KESU_OK;
}

/* A card that answers again after its busy wait is done; one that does not
 * has not shown that it finished. */
static enum kesu_rc answers_after(struct kesu_purge_cmd *x, struct kesu_err *err)
{
	uint8_t buf[KESU_EXT_CSD_LEN];
	struct kesu_mmc_cmd rd;
	kesu_mmc_send_ext_csd_cmd(&rd, buf);
	int rc = kesu_mmc_exec(x->t, &rd, 1);
	if (kesu_errno_gone(-rc)) {
		snprintf(x->step->status, sizeof(x->step->status), "device-gone");
		return kesu_fail(err, KESU_ERR_GONE, -rc, "the device disappeared right after SANITIZE");
	}
	if (rc < 0) {
		snprintf(x->step->status, sizeof(x->step->status), "no-answer");
		return kesu_fail(err, KESU_ERR_FAILED, -rc,
				 "the card does not answer after SANITIZE (%s); its outcome is unknown", strerror(-rc));
	}
	return KESU_OK;
}

static enum kesu_rc sanitize(struct kesu_purge_cmd *x, struct kesu_err *err)
{
	struct kesu_purge_step *st = x->step;
	/* The sanitize runs inside one R1b busy wait, with no progress to
	 * poll; the whole remaining time limit goes to it. */
	uint64_t now = x->clk->now_ms(x->clk->ctx);
	uint64_t left = x->deadline_ms > now ? x->deadline_ms - now : 60000;
	struct kesu_mmc_cmd san;
	kesu_mmc_sanitize_cmd(&san, left > UINT32_MAX ? UINT32_MAX : (uint32_t)left);
	kesu_purge_progress(x, "sanitize", 0.0);
	int rc = kesu_mmc_exec(x->t, &san, 1);
	char hex[16], why[160];
	snprintf(hex, sizeof(hex), "0x%08x", san.response[0]);
	json_object_set_new(st->completion, "sanitize_r1", json_string(hex));
	if (kesu_errno_gone(-rc)) {
		snprintf(st->status, sizeof(st->status), "device-gone");
		return kesu_fail(err, KESU_ERR_GONE, -rc,
				 "the device disappeared during SANITIZE; reconnect it and run the purge again");
	}
	if (rc == -ETIMEDOUT) {
		snprintf(st->status, sizeof(st->status), "timeout");
		return kesu_fail(err, KESU_ERR_FAILED, ETIMEDOUT,
				 "SANITIZE did not finish within %" PRIu64 " s; the card may still be busy: leave it powered and run the purge again",
				 left / 1000);
	}
	if (rc < 0) {
		snprintf(st->status, sizeof(st->status), "sanitize-rejected");
		return kesu_fail(err, KESU_ERR_FAILED, -rc,
				 "SANITIZE failed (%s)%s; the user area was erased but unmapped blocks were not purged",
				 strerror(-rc), rc == -EOPNOTSUPP ? ": the driver says the card does not support it" : "");
	}
	if (san.response[0] & KESU_R1_ERRORS) {
		kesu_mmc_r1_describe(san.response[0] & KESU_R1_ERRORS, why, sizeof(why));
		snprintf(st->status, sizeof(st->status), "sanitize-failed");
		return kesu_fail(err, KESU_ERR_FAILED, 0,
				 "the card reports SANITIZE failed (%s); unmapped blocks were not purged", why);
	}
	enum kesu_rc r = answers_after(x, err);
	if (r != KESU_OK)
		return r;
	snprintf(st->status, sizeof(st->status), "completed");
	kesu_purge_progress(x, "sanitize", 1.0);
	return KESU_OK;
}

static enum kesu_rc run(struct kesu_purge_cmd *x, struct kesu_err *err)
{
	const struct kesu_mmc_ext_csd *e = &x->c->emmc.ext;
	uint64_t eg = kesu_mmc_erase_group_sectors(e, &x->c->emmc.csd);
	snprintf(x->step->command, sizeof(x->step->command),
		 "eMMC ERASE (CMD35/36/38) then SANITIZE (CMD6)");
	snprintf(x->step->opcode, sizeof(x->step->opcode), "CMD38+CMD6");
	x->step->completion = json_pack("{s:I, s:o, s:s}", "user_sectors", (json_int_t)e->sectors,
					"erase_group_sectors",
					eg ? json_integer((json_int_t)eg) : json_null(),
					"erased_value", e->erased_mem_cont ? "0xff" : "0x00");
	enum kesu_rc rc = check_wp(x, err);
	if (rc != KESU_OK)
		return rc;
	x->started = true;
	rc = erase_user_area(x, eg, err);
	return rc != KESU_OK ? rc : sanitize(x, err);
}

const struct kesu_purge_driver kesu_purge_emmc = {supports, refuses, plan, run};
