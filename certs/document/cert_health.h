/* The drive's health on an erasure certificate (kesu-certificate(5),
 * "health"): what its SMART / Health log said before the erasure and
 * after it, copied from the run record.  Evidence of the medium's state
 * only: no verdict depends on it. */
#ifndef KESU_CERT_HEALTH_H
#define KESU_CERT_HEALTH_H

#include "lib/error.h"

#include <jansson.h>

/* {"before": reading, "after": reading or null}; each reading's keys by
 * its source (nvme, ata, none), every number in its range.
 * KESU_ERR_INVALID naming the first wrong field under `where`. */
enum kesu_rc kesu_cert_check_health(const json_t *h, const char *where, struct kesu_err *err);

#endif
