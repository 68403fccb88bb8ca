#include "wipe/firmware/capabilities.h"
#include "lib/i18n.h"
#include "wipe/device/device.h"
#include "wipe/firmware/scsi.h"
#include "lib/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum kesu_rc probe_nvme(struct kesu_transport *t, struct kesu_caps *c,
			       struct kesu_err *err)
{
	uint8_t buf[KESU_NVME_IDENTIFY_LEN];
	struct kesu_nvme_cmd cmd;
	kesu_nvme_identify_ctrl_cmd(&cmd, buf);
	int rc = kesu_nvme_admin(t, &cmd);
	if (kesu_errno_gone(-rc))
		return kesu_fail(err, KESU_ERR_GONE, -rc, "%s: the device disappeared", t->path);
	if (rc != 0)
		return KESU_OK; /* no admin pass-through: kind stays NONE */
	if (kesu_nvme_parse_ctrl(buf, sizeof(buf), &c->nvme.ctrl, err) != KESU_OK)
		return KESU_OK;
	c->kind = KESU_CAPS_NVME;
	c->nvme.nsid = t->nsid;
	if (t->nsid) {
		kesu_nvme_identify_ns_cmd(&cmd, t->nsid, buf);
		struct kesu_err e2;
		if (kesu_nvme_admin(t, &cmd) == 0 &&
		    kesu_nvme_parse_ns(buf, sizeof(buf), &c->nvme.ns, &e2) == KESU_OK)
			c->nvme.ns_ok = true;
	}
	if (c->nvme.ctrl.sanicap & 7) {
		kesu_nvme_sanitize_log_cmd(&cmd, buf);
		if (kesu_nvme_admin(t, &cmd) == 0) {
			kesu_nvme_parse_sanitize_log(buf, &c->nvme.log);
			c->nvme.log_ok = true;
		}
	}
	if (c->nvme.ctrl.oacs & KESU_NVME_OACS_SECURITY) {
		uint8_t *d = calloc(1, KESU_OPAL_DISCOVERY_LEN);
		struct kesu_err e2;
		if (d) {
			kesu_opal_nvme_discovery_cmd(&cmd, d, KESU_OPAL_DISCOVERY_LEN);
			if (kesu_nvme_admin(t, &cmd) == 0)
				kesu_opal_parse_level0(d, KESU_OPAL_DISCOVERY_LEN, &c->opal, &e2);
			free(d);
		}
	}
	return KESU_OK;
}

/* IDENTIFY DEVICE through SAT: true (c filled, kind ATA) when an ATA drive
 * answers; then its hidden areas too. */
static enum kesu_rc probe_ata(struct kesu_transport *t, struct kesu_caps *c, bool *found,
			      struct kesu_err *err)
{
	uint8_t buf[512];
	struct kesu_ata_result r;
	struct kesu_err e2;
	*found = false;
	enum kesu_rc rc = kesu_ata_run(t, KESU_ATA_PIO_IN, false, kesu_ata_tf_identify(), buf,
				       30000, &r, &e2);
	if (rc == KESU_ERR_GONE) {
		*err = e2;
		return rc;
	}
	if (rc != KESU_OK || kesu_ata_parse_identify(buf, sizeof(buf), &c->ata.id, &e2) != KESU_OK ||
	    !(c->ata.id.sectors || c->ata.id.model[0]))
		return KESU_OK;
	*found = true;
	c->kind = KESU_CAPS_ATA;
	if (c->ata.id.rotation_rate == 1)
		c->rotational = false;
	else if (c->ata.id.rotation_rate >= 0x401 && c->ata.id.rotation_rate < 0xFFFF)
		c->rotational = true;
	if (c->ata.id.hpa_supported) {
		rc = kesu_ata_run(t, KESU_ATA_NONDATA, true, kesu_ata_tf_read_native_max(),
				  NULL, 30000, &r, &e2);
		if (rc == KESU_ERR_GONE) {
			*err = e2;
			return rc;
		}
		if (rc == KESU_OK && r.have_regs) {
			c->ata.native_ok = true;
			c->ata.native_max = r.lba;
		}
	}
	if (c->ata.id.dco_supported) {
		rc = kesu_ata_run(t, KESU_ATA_PIO_IN, false, kesu_ata_tf_dco(KESU_ATA_DCO_IDENTIFY),
				  buf, 30000, &r, &e2);
		if (rc == KESU_ERR_GONE) {
			*err = e2;
			return rc;
		}
		uint64_t m = rc == KESU_OK ? kesu_ata_parse_dco_max(buf, sizeof(buf)) : 0;
		if (m) {
			c->ata.dco_ok = true;
			c->ata.dco_max = m;
		}
	}
	return KESU_OK;
}

/* Which SANITIZE service actions REPORT SUPPORTED OPERATION CODES lists. */
static enum kesu_rc probe_scsi_sanitize(struct kesu_transport *t, struct kesu_caps *c,
					struct kesu_err *err)
{
	static const uint8_t sas[3] = {KESU_SCSI_SA_OVERWRITE, KESU_SCSI_SA_BLOCK,
				       KESU_SCSI_SA_CRYPTO};
	bool *dst[3] = {&c->scsi.overwrite, &c->scsi.block, &c->scsi.crypto};
	struct kesu_scsi_cmd cmd;
	struct kesu_sense s;
	struct kesu_err e2;
	memset(&c->ata, 0, sizeof(c->ata));
	c->kind = KESU_CAPS_SCSI;
	c->scsi.rsoc_ok = true;
	for (int i = 0; i < 3; i++) {
		uint8_t rs[64];
		memset(rs, 0, sizeof(rs));
		kesu_scsi_rsoc_cmd(&cmd, KESU_SCSI_SANITIZE, sas[i], rs, sizeof(rs));
		enum kesu_rc rc = kesu_scsi_run(t, &cmd, &s, &e2);
		if (rc == KESU_ERR_GONE) {
			*err = e2;
			return rc;
		}
		if (rc != KESU_OK) {
			c->scsi.rsoc_ok = false;
			break;
		}
		*dst[i] = kesu_scsi_rsoc_supported(rs, sizeof(rs));
	}
	return KESU_OK;
}

static enum kesu_rc probe_scsi(struct kesu_transport *t, struct kesu_caps *c,
			       struct kesu_err *err)
{
	bool ata;
	enum kesu_rc rc = probe_ata(t, c, &ata, err);
	if (rc == KESU_OK && !ata)
		rc = probe_scsi_sanitize(t, c, err);
	if (rc != KESU_OK)
		return rc;
	uint8_t *d = calloc(1, KESU_OPAL_DISCOVERY_LEN);
	struct kesu_scsi_cmd cmd;
	struct kesu_sense s;
	struct kesu_err e2;
	if (!d)
		return KESU_OK;
	kesu_opal_scsi_discovery_cmd(&cmd, d, KESU_OPAL_DISCOVERY_LEN);
	rc = kesu_scsi_run(t, &cmd, &s, &e2);
	if (rc == KESU_OK)
		kesu_opal_parse_level0(d, KESU_OPAL_DISCOVERY_LEN, &c->opal, &e2);
	free(d);
	if (rc == KESU_ERR_GONE) {
		*err = e2;
		return rc;
	}
	return KESU_OK;
}

static enum kesu_rc probe_mmc(struct kesu_transport *t, struct kesu_caps *c,
			      struct kesu_err *err)
{
	uint8_t buf[KESU_EXT_CSD_LEN];
	struct kesu_mmc_cmd cmd;
	kesu_mmc_send_ext_csd_cmd(&cmd, buf);
	int rc = kesu_mmc_exec(t, &cmd, 1);
	if (kesu_errno_gone(-rc))
		return kesu_fail(err, KESU_ERR_GONE, -rc, "%s: the device disappeared", t->path);
	struct kesu_err e2;
	if (rc != 0 || kesu_mmc_parse_ext_csd(buf, sizeof(buf), &c->emmc.ext, &e2) != KESU_OK)
		return KESU_OK; /* kind stays NONE */
	c->kind = KESU_CAPS_EMMC;
	c->rotational = false;
	uint32_t csd[4];
	if (t->ops->mmc_csd && t->ops->mmc_csd(t, csd) == 0) {
		kesu_mmc_parse_csd(csd, &c->emmc.csd);
		c->emmc.csd_ok = true;
	}
	return KESU_OK;
}

enum kesu_rc kesu_caps_probe(struct kesu_transport *t, bool usb_bridge,
			     bool rotational, struct kesu_caps *c,
			     struct kesu_err *err)
{
	memset(c, 0, sizeof(*c));
	c->usb_bridge = usb_bridge;
	c->rotational = rotational;
	if (t->kind == KESU_TRANSPORT_NVME)
		return probe_nvme(t, c, err);
	if (t->kind == KESU_TRANSPORT_MMC)
		return probe_mmc(t, c, err);
	return probe_scsi(t, c, err);
}

uint64_t kesu_caps_hpa_sectors(const struct kesu_caps *c)
{
	if (c->kind != KESU_CAPS_ATA || !c->ata.native_ok || !c->ata.id.sectors)
		return 0;
	uint64_t cur = c->ata.id.sectors - 1;
	return c->ata.native_max > cur ? c->ata.native_max - cur : 0;
}

uint64_t kesu_caps_dco_sectors(const struct kesu_caps *c)
{
	if (c->kind != KESU_CAPS_ATA || !c->ata.dco_ok)
		return 0;
	uint64_t native = c->ata.native_ok ? c->ata.native_max : c->ata.id.sectors - 1;
	return c->ata.dco_max > native ? c->ata.dco_max - native : 0;
}

static json_t *est(uint32_t v)
{
	return v == KESU_NVME_NO_ESTIMATE ? json_null() : json_integer(v);
}

static json_t *nvme_json(const struct kesu_caps *c)
{
	const struct kesu_nvme_ctrl *k = &c->nvme.ctrl;
	json_t *o = json_pack("{s:i, s:b, s:i, s:{s:b, s:b, s:b}, s:i, s:b, s:b, s:b, s:i, s:b}",
			      "oacs", (json_int_t)k->oacs,
			      "format", (k->oacs & KESU_NVME_OACS_FORMAT) != 0,
			      "sanicap", (json_int_t)k->sanicap,
			      "sanitize", "crypto", (k->sanicap & 1) != 0,
			      "block", (k->sanicap & 2) != 0, "overwrite", (k->sanicap & 4) != 0,
			      "fna", (json_int_t)k->fna,
			      "format_crypto", (k->fna & KESU_NVME_FNA_CRYPTO) != 0,
			      "format_all_namespaces", (k->fna & KESU_NVME_FNA_FORMAT_ALL) != 0,
			      "secure_erase_all_namespaces", (k->fna & KESU_NVME_FNA_ERASE_ALL) != 0,
			      "namespaces", (json_int_t)k->nn,
			      "sanitize_all_namespaces", (k->sanicap & 7) != 0);
	json_object_set_new(o, "nsid", c->nvme.nsid ? json_integer(c->nvme.nsid) : json_null());
	json_object_set_new(o, "lba_format", c->nvme.ns_ok ? json_integer(c->nvme.ns.lbaf) : json_null());
	json_object_set_new(o, "lba_bytes", c->nvme.ns_ok ? json_integer(c->nvme.ns.lba_bytes) : json_null());
	if (c->nvme.log_ok) {
		const struct kesu_nvme_sanitize_log *l = &c->nvme.log;
		json_object_set_new(o, "sanitize_status", json_string(kesu_nvme_sstat_name(l->state)));
		json_object_set_new(o, "sanitize_estimates_s",
				    json_pack("{s:o, s:o, s:o}", "crypto", est(l->etce),
					      "block", est(l->etbe), "overwrite", est(l->eto)));
	} else {
		json_object_set_new(o, "sanitize_status", json_null());
		json_object_set_new(o, "sanitize_estimates_s", json_null());
	}
	return o;
}

static json_t *opt_u64(bool ok, uint64_t v)
{
	return ok ? json_integer((json_int_t)v) : json_null();
}

static json_t *ata_json(const struct kesu_caps *c)
{
	const struct kesu_ata_identify *id = &c->ata.id;
	uint64_t hpa = kesu_caps_hpa_sectors(c), dco = kesu_caps_dco_sectors(c);
	json_t *o = json_pack(
		"{s:{s:b, s:b, s:b, s:b}, s:{s:b, s:b, s:b, s:b, s:b, s:b, s:o, s:o},"
		" s:{s:b, s:I, s:o, s:o}, s:{s:b, s:o, s:o}, s:i}",
		"sanitize", "supported", id->sanitize, "crypto", id->sanitize_crypto,
		"block", id->sanitize_block, "overwrite", id->sanitize_overwrite,
		"security", "supported", id->sec_supported, "enabled", id->sec_enabled,
		"locked", id->sec_locked, "frozen", id->sec_frozen,
		"count_expired", id->sec_count_expired, "enhanced_erase", id->sec_enhanced,
		"erase_minutes", id->erase_minutes ? json_integer(id->erase_minutes) : json_null(),
		"enhanced_erase_minutes",
		id->enhanced_erase_minutes ? json_integer(id->enhanced_erase_minutes) : json_null(),
		"hpa", "supported", id->hpa_supported, "current_sectors", (json_int_t)id->sectors,
		"native_sectors", opt_u64(c->ata.native_ok, c->ata.native_max + 1),
		"hidden_sectors", opt_u64(c->ata.native_ok, hpa),
		"dco", "supported", id->dco_supported,
		"max_sectors", opt_u64(c->ata.dco_ok, c->ata.dco_max + 1),
		"hidden_sectors", opt_u64(c->ata.dco_ok, dco),
		"rotation_rate", (json_int_t)id->rotation_rate);
	return o;
}

static json_t *emmc_json(const struct kesu_caps *c)
{
	const struct kesu_mmc_ext_csd *x = &c->emmc.ext;
	const struct kesu_mmc_csd *csd = c->emmc.csd_ok ? &c->emmc.csd : NULL;
	uint64_t eg = kesu_mmc_erase_group_sectors(x, csd), wg = kesu_mmc_wp_group_sectors(x, csd);
	json_t *gp = json_array();
	for (int i = 0; i < 4; i++)
		json_array_append_new(gp, json_integer((json_int_t)x->gp_bytes[i]));
	json_t *o = json_pack("{s:i, s:b, s:b, s:s, s:b, s:I, s:o, s:o, s:o, s:I, s:I, s:o}",
			      "ext_csd_rev", (json_int_t)x->rev, "sanitize", x->sanitize,
			      "secure_erase", (x->sec_feature & KESU_MMC_SEC_ER_EN) != 0,
			      "erased_value", x->erased_mem_cont ? "0xff" : "0x00",
			      "high_capacity_erase_groups", x->hc_erase_def,
			      "user_sectors", (json_int_t)x->sectors,
			      "erase_group_bytes", eg ? json_integer((json_int_t)(eg * 512)) : json_null(),
			      "write_protect_group_bytes",
			      wg ? json_integer((json_int_t)(wg * 512)) : json_null(),
			      "erase_timeout_ms_per_group",
			      x->hc_erase_def && x->erase_timeout_mult
			      ? json_integer(300 * x->erase_timeout_mult) : json_null(),
			      "boot_partition_bytes", (json_int_t)x->boot_bytes,
			      "rpmb_bytes", (json_int_t)x->rpmb_bytes,
			      "gp_partition_bytes", gp);
	json_object_set_new(o, "sector_addressed",
			    json_boolean(x->sectors > KESU_MMC_BYTE_ADDRESSED_MAX_SECTORS));
	json_object_set_new(o, "write_protect", json_pack(
		"{s:i, s:o, s:o}", "user_wp", (json_int_t)x->user_wp,
		"card_permanent", csd ? json_boolean(csd->perm_write_protect) : json_null(),
		"card_temporary", csd ? json_boolean(csd->tmp_write_protect) : json_null()));
	return o;
}

/* The notes that carry a count: their English (with the count) goes into
 * the JSON; kesu_caps_note_text finds the count again to say the same in
 * the operator's language.  Every number is an unsigned long long. */
enum { NOTE_NAMESPACES, NOTE_HIDDEN, NOTE_GP, NOTE_BOOT, NOTE_COUNTED };
static const char *const COUNTED[NOTE_COUNTED] = {
	[NOTE_NAMESPACES] = N_("NVMe Sanitize erases the whole NVM subsystem: all %llu namespace(s)"),
	[NOTE_HIDDEN] = N_("hidden area: %llu sector(s) behind HPA, %llu behind DCO; use --unlock-hidden to erase them"),
	[NOTE_GP] = N_("%llu bytes in general purpose partitions (mmcblkNgpM) lie outside the user area: emmc-sanitize does not erase them"),
	[NOTE_BOOT] = N_("two boot partitions of %llu bytes each (mmcblkNboot0/1) hold firmware and are not erased"),
};

static void add_counted(json_t *notes, int which, unsigned long long a, unsigned long long b)
{
	char buf[256];
	snprintf(buf, sizeof(buf), COUNTED[which], a, b);
	json_array_append_new(notes, json_string(buf));
}

void kesu_caps_note_text(const char *note, char *out, size_t size)
{
	for (int i = 0; i < NOTE_COUNTED; i++) {
		char pattern[256];
		unsigned long long a = 0, b = 0;
		int end = -1;
		snprintf(pattern, sizeof(pattern), "%s%%n", COUNTED[i]);
		/* Only a whole match: the format's own text around the counts,
		 * %n reached at the note's end. */
		if (i == NOTE_HIDDEN)
			sscanf(note, pattern, &a, &b, &end);
		else
			sscanf(note, pattern, &a, &end);
		if (end >= 0 && note[end] == '\0') {
			snprintf(out, size, _(COUNTED[i]), a, b);
			return;
		}
	}
	/* The other notes are fixed texts, catalogue keys themselves. */
	snprintf(out, size, "%s", _(note));
}

/* What the operator should know before a purge, as sentences. */
static json_t *caps_notes(const struct kesu_caps *c)
{
	json_t *notes = json_array();
	if (c->usb_bridge)
		json_array_append_new(notes, json_string(
			N_("behind a USB bridge: firmware commands are refused unless --allow-usb-bridge")));
	if (c->kind == KESU_CAPS_NVME && (c->nvme.ctrl.sanicap & 7))
		add_counted(notes, NOTE_NAMESPACES, c->nvme.ctrl.nn, 0);
	if (c->kind == KESU_CAPS_NVME && (c->nvme.ctrl.fna & (KESU_NVME_FNA_FORMAT_ALL | KESU_NVME_FNA_ERASE_ALL)))
		json_array_append_new(notes, json_string(
			N_("NVMe Format with secure erase reaches every namespace of this controller (FNA)")));
	if (c->kind == KESU_CAPS_NVME && c->nvme.log_ok &&
	    c->nvme.log.state == KESU_NVME_SSTAT_IN_PROGRESS)
		json_array_append_new(notes, json_string(N_("a sanitize is running now; wait for it to finish")));
	if (c->kind == KESU_CAPS_ATA && c->ata.id.sec_frozen)
		json_array_append_new(notes, json_string(
			N_("security is frozen (set by the BIOS at boot): suspend and resume the machine, or hot-plug the drive, before a security erase")));
	if (c->kind == KESU_CAPS_ATA && c->ata.id.sec_locked)
		json_array_append_new(notes, json_string(
			N_("the drive is locked by a security password: unlock it (hdparm --security-unlock) before erasing")));
	uint64_t hpa = kesu_caps_hpa_sectors(c), dco = kesu_caps_dco_sectors(c);
	if (hpa || dco)
		add_counted(notes, NOTE_HIDDEN, hpa, dco);
	if (c->kind == KESU_CAPS_ATA && !c->rotational &&
	    c->ata.id.sec_supported && !c->ata.id.sanitize)
		json_array_append_new(notes, json_string(
			N_("security erase only counts as NIST Clear on flash; this drive has no sanitize")));
	if (c->kind == KESU_CAPS_EMMC) {
		const struct kesu_mmc_ext_csd *x = &c->emmc.ext;
		if (x->sanitize)
			json_array_append_new(notes, json_string(
				N_("eMMC sanitize purges only unmapped blocks: emmc-sanitize erases the whole user area first, then sanitizes")));
		uint64_t gp = x->gp_bytes[0] + x->gp_bytes[1] + x->gp_bytes[2] + x->gp_bytes[3];
		if (gp)
			add_counted(notes, NOTE_GP, gp, 0);
		if (x->boot_bytes)
			add_counted(notes, NOTE_BOOT, x->boot_bytes, 0);
		if (c->emmc.csd_ok &&
		    (c->emmc.csd.perm_write_protect || c->emmc.csd.tmp_write_protect))
			json_array_append_new(notes, json_string(
				c->emmc.csd.perm_write_protect
				? N_("the card is permanently write protected (CSD): it cannot be erased; destroy it physically")
				: N_("the card is temporarily write protected (CSD TMP_WRITE_PROTECT): clear it before erasing")));
	}
	return notes;
}

json_t *kesu_caps_to_json(const struct kesu_caps *c)
{
	static const char *const names[] = {NULL, "nvme", "ata", "scsi", "emmc"};
	json_t *o = json_object();
	json_object_set_new(o, "interface", names[c->kind] ? json_string(names[c->kind]) : json_null());
	json_object_set_new(o, "usb_bridge", json_boolean(c->usb_bridge));
	json_t *methods = json_array();
	size_t n;
	const struct kesu_purge_method *t = kesu_purge_methods(&n);
	char why[256];
	for (size_t i = 0; i < n; i++)
		if (t[i].family != KESU_PF_AUTO && c->kind != KESU_CAPS_NONE &&
		    kesu_caps_supports(c, &t[i], why, sizeof(why)))
			json_array_append_new(methods, json_string(t[i].name));
	json_object_set_new(o, "methods", methods);
	json_object_set_new(o, "nvme", c->kind == KESU_CAPS_NVME ? nvme_json(c) : json_null());
	json_object_set_new(o, "ata", c->kind == KESU_CAPS_ATA ? ata_json(c) : json_null());
	json_object_set_new(o, "scsi", c->kind == KESU_CAPS_SCSI ?
			    json_pack("{s:b, s:{s:b, s:b, s:b}}", "report_supported_opcodes",
				      c->scsi.rsoc_ok, "sanitize", "overwrite", c->scsi.overwrite,
				      "block", c->scsi.block, "crypto", c->scsi.crypto)
			    : json_null());
	json_object_set_new(o, "opal", c->opal.queried ?
			    json_pack("{s:o, s:b, s:b, s:b, s:b}",
				      "ssc", kesu_json_str(kesu_opal_ssc_name(&c->opal)),
				      "locking_enabled", c->opal.locking_enabled,
				      "locked", c->opal.locked,
				      "media_encryption", c->opal.media_encryption,
				      "psid_revert_erases", kesu_opal_revert_is_crypto_erase(&c->opal))
			    : json_null());
	json_object_set_new(o, "notes", caps_notes(c));
	json_object_set_new(o, "emmc", c->kind == KESU_CAPS_EMMC ? emmc_json(c) : json_null());
	return o;
}

json_t *kesu_caps_json_for_path(const char *path, bool usb_bridge, bool rotational)
{
	struct kesu_transport *t = NULL;
	struct kesu_err err;
	kesu_err_clear(&err);
	json_t *o = NULL;
	if (kesu_transport_open(path, &t, &err) == KESU_OK) {
		struct kesu_caps c;
		if (kesu_caps_probe(t, usb_bridge, rotational, &c, &err) == KESU_OK)
			o = kesu_caps_to_json(&c);
		kesu_transport_close(t);
	}
	if (!o) {
		o = json_pack("{s:n, s:b, s:[], s:n, s:n, s:n, s:n, s:n, s:[], s:s}",
			      "interface", "usb_bridge", usb_bridge, "methods", "nvme", "ata",
			      "scsi", "opal", "emmc", "notes", "error", err.msg);
	}
	return o;
}

json_t *kesu_caps_device_json(const struct kesu_device *d)
{
	const struct kesu_device_facts *f = kesu_device_facts(d);
	const struct kesu_identity *id = kesu_device_identity(d);
	if (!f->is_block || f->is_partition || (f->probe_flags & KESU_PROBE_NO_MEDIA))
		return json_null();
	if (!strcmp(id->kind, "loop") || !strcmp(id->transport, "loop") ||
	    !strcmp(id->transport, "virtio"))
		return json_pack("{s:n, s:b, s:[], s:n, s:n, s:n, s:n, s:n, s:[s]}",
				 "interface", "usb_bridge", 0, "methods", "nvme", "ata", "scsi",
				 "opal", "emmc", "notes",
				 N_("no firmware purge on loop or virtio devices: use an overwrite method"));
	return kesu_caps_json_for_path(id->path, !strcmp(id->transport, "usb"), id->rotational);
}
