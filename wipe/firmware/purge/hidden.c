#include "wipe/firmware/purge/hidden.h"
#include "wipe/firmware/ata.h"

#include <inttypes.h>

uint64_t kesu_purge_native_sectors(const struct kesu_caps *c)
{
	return (c->ata.dco_ok ? c->ata.dco_max : c->ata.native_max) + 1;
}

enum kesu_rc kesu_purge_unlock_hidden(struct kesu_transport *t, const struct kesu_caps *c,
				      struct kesu_err *err)
{
	struct kesu_ata_result r;
	enum kesu_rc rc;
	if (kesu_caps_hpa_sectors(c)) {
		rc = kesu_ata_run(t, KESU_ATA_NONDATA, true, kesu_ata_tf_read_native_max(), NULL,
				  30000, &r, err);
		if (rc != KESU_OK || !r.have_regs)
			return rc != KESU_OK ? rc : kesu_fail(err, KESU_ERR_FAILED, 0,
				"READ NATIVE MAX ADDRESS returned no address");
		/* SET MAX must follow READ NATIVE MAX immediately (ACS). */
		rc = kesu_ata_run(t, KESU_ATA_NONDATA, true, kesu_ata_tf_set_max(r.lba), NULL, 30000,
				  &r, err);
		if (rc != KESU_OK)
			return kesu_err_prefix(err, "could not remove the HPA: ");
	}
	if (kesu_caps_dco_sectors(c)) {
		rc = kesu_ata_run(t, KESU_ATA_NONDATA, false, kesu_ata_tf_dco(KESU_ATA_DCO_RESTORE),
				  NULL, 30000, &r, err);
		if (rc != KESU_OK)
			return kesu_err_prefix(err, "could not restore the DCO (frozen by the BIOS? suspend/resume first): ");
	}
	struct kesu_ata_identify id;
	rc = kesu_ata_identify(t, &id, err);
	if (rc != KESU_OK)
		return rc;
	uint64_t want = kesu_purge_native_sectors(c);
	if (id.sectors < want)
		return kesu_fail(err, KESU_ERR_FAILED, 0,
				 "after restoring the native size the drive still shows %" PRIu64
				 " of %" PRIu64 " sectors", id.sectors, want);
	return KESU_OK;
}
