/* TCG Storage Level 0 Discovery (Opal / Enterprise / Pyrite / Ruby SSCs),
 * read with NVMe Security Receive or SCSI SECURITY PROTOCOL IN (protocol
 * 0x01, ComID 0x0001).  PSID revert itself goes through the kernel's
 * sed-opal layer (transport op opal_psid_revert). */
#ifndef KESU_OPAL_H
#define KESU_OPAL_H

#include "lib/error.h"
#include "wipe/firmware/transport.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_OPAL_DISCOVERY_LEN 2048

struct kesu_opal_info {
	bool queried;            /* discovery answered */
	bool tper;
	bool opal1, opal2, enterprise, opalite, pyrite1, pyrite2, ruby;
	bool locking_supported, locking_enabled, locked, media_encryption;
	uint16_t base_comid;     /* of the SSC that matched */
};

void kesu_opal_nvme_discovery_cmd(struct kesu_nvme_cmd *c, void *buf, uint32_t len);
void kesu_opal_scsi_discovery_cmd(struct kesu_scsi_cmd *c, void *buf, uint32_t len);
enum kesu_rc kesu_opal_parse_level0(const uint8_t *buf, size_t len,
				    struct kesu_opal_info *out, struct kesu_err *err);

/* True when a PSID revert changes the media encryption key (a crypto
 * erase): an Opal / Enterprise / Ruby SSC with media encryption.  Pyrite
 * drives revert without encryption and erase nothing that way. */
bool kesu_opal_revert_is_crypto_erase(const struct kesu_opal_info *o);
/* "opal2", "enterprise", "pyrite2", ... or NULL. */
const char *kesu_opal_ssc_name(const struct kesu_opal_info *o);

#endif
