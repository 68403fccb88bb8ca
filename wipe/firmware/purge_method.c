#include "wipe/firmware/purge_method.h"
#include "wipe/firmware/purge/driver.h"
#include "lib/i18n.h"

#include <string.h>

/* Descriptions are marked for the catalogue: `kesu methods` translates
 * them for people, the JSON keeps them in English. */
static const struct kesu_purge_method table[] = {
	{"purge", KESU_PF_AUTO, KESU_PA_AUTO, "auto",
	 N_("strongest firmware purge the device supports (on flash: crypto erase, then block erase)"), NULL},
	{"nvme-sanitize-crypto", KESU_PF_NVME_SANITIZE, KESU_PA_CRYPTO, "crypto-erase",
	 N_("NVMe Sanitize, crypto erase: every namespace, media key replaced"), &kesu_purge_nvme},
	{"nvme-sanitize-block", KESU_PF_NVME_SANITIZE, KESU_PA_BLOCK, "block-erase",
	 N_("NVMe Sanitize, block erase: every namespace, all flash blocks erased"), &kesu_purge_nvme},
	{"nvme-sanitize-crypto-block", KESU_PF_NVME_SANITIZE, KESU_PA_CRYPTO_BLOCK,
	 "crypto-erase+block-erase",
	 N_("NVMe Sanitize crypto erase, verified, then Sanitize block erase: every namespace"), &kesu_purge_nvme},
	{"nvme-sanitize-overwrite", KESU_PF_NVME_SANITIZE, KESU_PA_OVERWRITE, "sanitize-overwrite",
	 N_("NVMe Sanitize, overwrite with zeros: every namespace"), &kesu_purge_nvme},
	{"nvme-format-crypto", KESU_PF_NVME_FORMAT, KESU_PA_CRYPTO, "crypto-erase",
	 N_("NVMe Format NVM with SES=2 (only when FNA advertises crypto erase)"), &kesu_purge_nvme},
	{"nvme-format-erase", KESU_PF_NVME_FORMAT, KESU_PA_ERASE, "user-data-erase",
	 N_("NVMe Format NVM with SES=1, keeping the current LBA format"), &kesu_purge_nvme},
	{"ata-sanitize-crypto", KESU_PF_ATA_SANITIZE, KESU_PA_CRYPTO, "crypto-erase",
	 N_("ATA SANITIZE CRYPTO SCRAMBLE EXT"), &kesu_purge_ata},
	{"ata-sanitize-block", KESU_PF_ATA_SANITIZE, KESU_PA_BLOCK, "block-erase",
	 N_("ATA SANITIZE BLOCK ERASE EXT"), &kesu_purge_ata},
	{"ata-sanitize-crypto-block", KESU_PF_ATA_SANITIZE, KESU_PA_CRYPTO_BLOCK,
	 "crypto-erase+block-erase",
	 N_("ATA SANITIZE CRYPTO SCRAMBLE EXT, verified, then BLOCK ERASE EXT"), &kesu_purge_ata},
	{"ata-sanitize-overwrite", KESU_PF_ATA_SANITIZE, KESU_PA_OVERWRITE, "sanitize-overwrite",
	 N_("ATA SANITIZE OVERWRITE EXT with zeros, one pass"), &kesu_purge_ata},
	{"ata-secure-erase", KESU_PF_ATA_SECURITY, KESU_PA_ERASE, "secure-erase",
	 N_("ATA SECURITY ERASE UNIT (normal), temporary password; only Clear on flash"), &kesu_purge_ata},
	{"ata-secure-erase-enhanced", KESU_PF_ATA_SECURITY, KESU_PA_ENHANCED,
	 "enhanced-secure-erase",
	 N_("ATA SECURITY ERASE UNIT (enhanced), temporary password; only Clear on flash"), &kesu_purge_ata},
	{"scsi-sanitize-crypto", KESU_PF_SCSI_SANITIZE, KESU_PA_CRYPTO, "crypto-erase",
	 N_("SCSI SANITIZE CRYPTOGRAPHIC ERASE"), &kesu_purge_scsi},
	{"scsi-sanitize-block", KESU_PF_SCSI_SANITIZE, KESU_PA_BLOCK, "block-erase",
	 N_("SCSI SANITIZE BLOCK ERASE"), &kesu_purge_scsi},
	{"scsi-sanitize-crypto-block", KESU_PF_SCSI_SANITIZE, KESU_PA_CRYPTO_BLOCK,
	 "crypto-erase+block-erase",
	 N_("SCSI SANITIZE CRYPTOGRAPHIC ERASE, verified, then BLOCK ERASE"), &kesu_purge_scsi},
	{"scsi-sanitize-overwrite", KESU_PF_SCSI_SANITIZE, KESU_PA_OVERWRITE, "sanitize-overwrite",
	 N_("SCSI SANITIZE OVERWRITE with zeros, one pass"), &kesu_purge_scsi},
	{"emmc-sanitize", KESU_PF_EMMC, KESU_PA_BLOCK, "block-erase",
	 N_("eMMC ERASE of the whole user area, then SANITIZE (purges the unmapped blocks)"), &kesu_purge_emmc},
	{"opal-psid-revert", KESU_PF_OPAL, KESU_PA_CRYPTO, "crypto-erase",
	 N_("TCG Opal PSID revert (PSID from the drive label, --psid-file)"), &kesu_purge_opal},
};

const struct kesu_purge_method *kesu_purge_methods(size_t *count)
{
	*count = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct kesu_purge_method *kesu_purge_method_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

static const struct kesu_purge_method *by_action(enum kesu_purge_family f,
						 enum kesu_purge_action a)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].family == f && table[i].action == a)
			return &table[i];
	return NULL;
}

size_t kesu_purge_method_steps(const struct kesu_purge_method *m,
			       const struct kesu_purge_method *out[2])
{
	out[0] = m;
	out[1] = NULL;
	if (m->action != KESU_PA_CRYPTO_BLOCK)
		return 1;
	out[0] = by_action(m->family, KESU_PA_CRYPTO);
	out[1] = by_action(m->family, KESU_PA_BLOCK);
	return 2;
}

json_t *kesu_purge_method_to_json(const struct kesu_purge_method *m)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:[], s:b}", "name", m->name,
			 "nist_category", "purge", "technique", m->technique,
			 "verify", "sample", "description", m->description,
			 "passes", "firmware", 1);
}
