/* Which firmware purge commands a device supports and what state it is in,
 * found with read-only commands only (Identify, Get Log Page, IDENTIFY
 * DEVICE, READ NATIVE MAX ADDRESS, DCO IDENTIFY, REPORT SUPPORTED OPERATION
 * CODES, TCG Level 0 discovery, SEND_EXT_CSD).  JSON keys are documented in kesu(8). */
#ifndef KESU_CAPABILITIES_H
#define KESU_CAPABILITIES_H

#include "wipe/firmware/ata.h"
#include "wipe/firmware/mmc.h"
#include "lib/error.h"
#include "wipe/firmware/nvme.h"
#include "wipe/firmware/opal.h"
#include "wipe/firmware/purge_method.h"
#include "wipe/firmware/transport.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

enum kesu_caps_kind {
	KESU_CAPS_NONE,
	KESU_CAPS_NVME,
	KESU_CAPS_ATA,
	KESU_CAPS_SCSI,
	KESU_CAPS_EMMC,
};

struct kesu_caps {
	enum kesu_caps_kind kind;
	bool usb_bridge;      /* behind a USB bridge: firmware commands refused by default */
	bool rotational;      /* spinning media (ATA word 217 overrides the caller's guess) */
	struct {
		struct kesu_nvme_ctrl ctrl;
		bool ns_ok;
		struct kesu_nvme_ns ns;
		uint32_t nsid;
		bool log_ok;
		struct kesu_nvme_sanitize_log log;
	} nvme;
	struct {
		struct kesu_ata_identify id;
		bool native_ok;
		uint64_t native_max;   /* last LBA without HPA */
		bool dco_ok;
		uint64_t dco_max;      /* last LBA without DCO */
	} ata;
	struct {
		bool rsoc_ok;
		bool overwrite, block, crypto;
	} scsi;
	struct {
		struct kesu_mmc_ext_csd ext;
		bool csd_ok;           /* the CSD, read from the driver */
		struct kesu_mmc_csd csd;
	} emmc;
	struct kesu_opal_info opal;
};

/* Probe through t.  rotational is the caller's view (sysfs); usb_bridge
 * whether the device sits behind USB.  Only GONE is an error for the
 * caller: a device that answers nothing gets kind NONE. */
enum kesu_rc kesu_caps_probe(struct kesu_transport *t, bool usb_bridge,
			     bool rotational, struct kesu_caps *c,
			     struct kesu_err *err);

/* Sectors hidden by a Host Protected Area and by a DCO (0 if none or not
 * known). */
uint64_t kesu_caps_hpa_sectors(const struct kesu_caps *c);
uint64_t kesu_caps_dco_sectors(const struct kesu_caps *c);

/* Does the device support this purge method at all (feature bits only;
 * state such as "frozen" is judged when the method runs)?  why gets the
 * reason when it does not. */
bool kesu_caps_supports(const struct kesu_caps *c, const struct kesu_purge_method *m,
			char *why, size_t whysz);

json_t *kesu_caps_to_json(const struct kesu_caps *c);

/* For kesu info / list: open path's pass-through, probe, and return the
 * "purge" object (or {"interface":null,"error":...} when it cannot). */
json_t *kesu_caps_json_for_path(const char *path, bool usb_bridge, bool rotational);

/* The "purge" object kesu info / list --json add per device: JSON null for
 * image files, partitions and fixture probes (nothing is opened then).
 * Only read-only commands are sent. */
struct kesu_device;
json_t *kesu_caps_device_json(const struct kesu_device *d);

/* One of the JSON's "notes" (English, locale-independent) as the operator
 * reads it: the catalogue's translation, with the counts of a note that
 * has them carried over. */
void kesu_caps_note_text(const char *note, char *out, size_t size);

#endif
