/* The drive's health on an erasure certificate (kesu-certificate(5),
 * "health"): what its SMART / Health log said before the erasure and
 * after it, copied from the run record.  Evidence of the medium's state
 * only: no verdict depends on it. */
#ifndef KESU_CERT_HEALTH_H
#define KESU_CERT_HEALTH_H

#include "lib/error.h"

#include <jansson.h>
#include <stddef.h>

/* {"before": reading, "after": reading or null}; each reading's keys by
 * its source (nvme, ata, none), every number in its range.
 * KESU_ERR_INVALID naming the first wrong field under `where`. */
enum kesu_rc kesu_cert_check_health(const json_t *h, const char *where, struct kesu_err *err);

/* One reading (or NULL / JSON null) in a line for people, in English:
 * "NVMe SMART: critical warning 0x00, 37 C, ...", "ATA SMART passed: ...",
 * "not read: REASON".  Reads only what kesu_cert_check_health accepted. */
void kesu_cert_health_summary(const json_t *reading, char *buf, size_t n);

#endif
