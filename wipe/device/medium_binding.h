/* What ties a checkpoint to the medium it was made on.  A serial number or
 * WWN names a disk wherever it is plugged in; a medium without either (loop
 * devices, image files, many USB bridges and virtual disks) is named only by
 * where it sits: its device number, the inode of a loop device's backing
 * file or of an image file, a device-mapper UUID.  Any of them changing
 * means another medium may be at the same path, and resuming would finish
 * the erasure of one disk and certify another. */
#ifndef KESU_MEDIUM_BINDING_H
#define KESU_MEDIUM_BINDING_H

#include "lib/error.h"
#include "lib/strutil.h"
#include "wipe/device/device.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct kesu_medium_binding {
	char serial[KESU_STR_MAX + 1];
	char wwn[KESU_STR_MAX + 1];
	uint64_t size_bytes;
	uint32_t logical_block_size;
	bool is_file;
	uint32_t dev_major, dev_minor;   /* st_rdev of a block device; 0:0 for files */
	bool have_inode;                 /* the image file, or a loop device's backing file */
	uint64_t inode_dev, inode_ino;
	char dm_uuid[KESU_STR_MAX + 1];  /* "" when not a device-mapper device */
};

/* Gather the binding of a probed device (stat, LOOP_GET_STATUS64, sysfs). */
enum kesu_rc kesu_medium_binding_of(const struct kesu_device *dev,
				    struct kesu_medium_binding *b, struct kesu_err *err);

/* {"serial", "wwn", "size_bytes", "logical_block_size", "is_file",
 *  "dev": "MAJ:MIN", "inode": {"dev", "ino"} | null, "dm_uuid"}; empty
 * strings are null.  from_json is its strict inverse. */
json_t *kesu_medium_binding_to_json(const struct kesu_medium_binding *b);
enum kesu_rc kesu_medium_binding_from_json(const json_t *j, struct kesu_medium_binding *b,
					   struct kesu_err *err);

/* Pure: is `now` the medium `saved` was made on?  Size, block size and
 * kind always; serial and WWN always (a disk that gained or lost one is
 * not the same); and, when the medium has neither, its device number,
 * inode and device-mapper UUID too.  On false, `why` names the first
 * property that differs, with both values. */
bool kesu_medium_binding_same(const struct kesu_medium_binding *saved,
			      const struct kesu_medium_binding *now, char *why, size_t whysz);

#endif
