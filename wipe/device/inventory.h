/* Shared by `kesu list` and `kesu info`: which devices to show and their
 * JSON form (keys documented in kesu(8)). */
#ifndef KESU_INVENTORY_H
#define KESU_INVENTORY_H

#include "wipe/device/device.h"
#include "wipe/device/gate.h"

#include <jansson.h>
#include <stdbool.h>

/* Kernel names to list: whole disks, skipping loop, ram, zram, dm and md
 * devices unless `all` (which adds them and every partition).  Loop devices
 * with no backing file are never listed. */
int kesu_inventory_names(const struct kesu_sysroot *root, bool all,
			 struct kesu_names *out);

/* The device object of `list --json`; with detail also partitions,
 * holders, mounts, swap, system uses, loop backing file and discard. */
json_t *kesu_device_json(const struct kesu_device *d,
			 const struct kesu_gate_verdict *v, bool detail);

#endif
