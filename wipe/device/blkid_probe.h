/* What is on a medium now, read with libblkid: partition table, each
 * partition's filesystem, and signatures on the whole device.  Shown by
 * list/info and stored as "before" in run records. */
#ifndef KESU_BLKID_PROBE_H
#define KESU_BLKID_PROBE_H

#include "lib/error.h"

#include <jansson.h>
#include <stdint.h>

/* Probe the open fd (a block device or image file of `size` bytes); the
 * JSON layout is documented at kesu_device_content_json (device.h). */
enum kesu_rc kesu_blkid_content(int fd, uint64_t size, json_t **out,
				struct kesu_err *err);

#endif
