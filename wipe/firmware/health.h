/* A drive's health as its own logs report it, recorded on the erasure
 * certificate as evidence of the medium's state (kesu-certificate(5),
 * "health"): the NVMe SMART / Health Information log (Get Log Page 02h)
 * and ATA SMART (SMART READ DATA, SMART RETURN STATUS) through SAT.
 * Parsers and builders are pure and bounded; kesu_health_read is the one
 * call that goes through a transport.  A reading never changes a verdict:
 * a drive that cannot answer is recorded as unavailable, with the reason. */
#ifndef KESU_HEALTH_H
#define KESU_HEALTH_H

#include "lib/error.h"
#include "lib/identity.h"
#include "wipe/firmware/ata.h"
#include "wipe/firmware/transport.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_NVME_LID_SMART     0x02
#define KESU_NVME_SMART_LOG_LEN 512
#define KESU_ATA_SMART          0xB0
#define KESU_ATA_SMART_READ_DATA 0xD0
#define KESU_ATA_SMART_RETURN_STATUS 0xDA
#define KESU_ATA_SMART_LEN      512

/* Counters the spec makes 128 bits wide are kept saturated at INT64_MAX,
 * the largest a JSON integer here carries. */
struct kesu_nvme_smart {
	uint8_t critical_warning;   /* bits: spare, temperature, reliability,
				     * read-only, volatile backup, PMR read-only */
	uint16_t temperature_k;     /* composite, kelvin; 0: not reported */
	uint8_t available_spare, spare_threshold, percentage_used;
	int64_t data_units_read, data_units_written; /* units of 1000 x 512 bytes */
	int64_t power_cycles, power_on_hours, unsafe_shutdowns, media_errors,
		error_log_entries;
};

/* The ATA attributes a disposal record names: 5 reallocated sectors,
 * 9 power-on hours, 197 current pending, 198 offline uncorrectable. */
#define KESU_ATA_SMART_NATTR 4
struct kesu_ata_smart_attr {
	uint8_t id;
	bool present;
	uint8_t current, worst;  /* normalised values */
	uint64_t raw;            /* 48 bits, encoding vendor-specific */
};

struct kesu_ata_smart {
	uint16_t revision;
	struct kesu_ata_smart_attr attr[KESU_ATA_SMART_NATTR]; /* in the order above */
};

enum kesu_ata_smart_status {
	KESU_SMART_STATUS_UNKNOWN,  /* not read, or registers not returned */
	KESU_SMART_STATUS_PASSED,   /* LBA Mid/High 4Fh/C2h */
	KESU_SMART_STATUS_FAILING,  /* F4h/2Ch: a threshold is exceeded */
};

/* Get Log Page, SMART / Health Information, the controller's (global) log. */
void kesu_nvme_smart_log_cmd(struct kesu_nvme_cmd *c, void *buf);
/* KESU_ERR_INVALID when shorter than the 512-byte log. */
enum kesu_rc kesu_nvme_parse_smart(const uint8_t *buf, size_t len, struct kesu_nvme_smart *out,
				   struct kesu_err *err);

struct kesu_ata_tf kesu_ata_tf_smart_read_data(void);
struct kesu_ata_tf kesu_ata_tf_smart_return_status(void);
/* KESU_ERR_INVALID when short or the checksum (byte 511) does not make
 * the 512 bytes sum to zero. */
enum kesu_rc kesu_ata_parse_smart(const uint8_t *buf, size_t len, struct kesu_ata_smart *out,
				  struct kesu_err *err);
/* From the registers SMART RETURN STATUS returned. */
enum kesu_ata_smart_status kesu_ata_smart_status_of(const struct kesu_ata_result *r);

/* One reading as JSON (new references), the keys kesu-certificate(5)
 * lists: source "nvme", "ata" or "none" (with the reason). */
json_t *kesu_health_nvme_json(const struct kesu_nvme_smart *s);
json_t *kesu_health_ata_json(const struct kesu_ata_smart *s, bool have_data,
			     enum kesu_ata_smart_status st);
json_t *kesu_health_none_json(const char *reason);

/* Read the device's health through a transport of its own (opened and
 * closed here, read-only).  Never fails: a drive or device that cannot
 * answer gives a "none" reading saying why.  NULL only when out of
 * memory. */
json_t *kesu_health_read(const struct kesu_identity *id);
/* The same on a transport already open (tests put device models here). */
json_t *kesu_health_read_transport(struct kesu_transport *t);

#endif
