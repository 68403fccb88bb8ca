/* What identifies a storage medium across kesu: the inventory fills it, the
 * engine checks it before resuming, and run records and certificates carry it.
 * All strings are cleaned (strutil.h) before they are stored here. */
#ifndef KESU_IDENTITY_H
#define KESU_IDENTITY_H

#include "lib/error.h"
#include "lib/strutil.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

struct kesu_identity {
	char path[PATH_MAX];     /* /dev/sda or /path/to/image.img */
	char name[64];           /* sda, nvme0n1, loop3; file base name for images */
	char kind[16];           /* hdd ssd nvme usb mmc loop virtual file */
	char transport[16];      /* sata sas nvme usb mmc virtio loop file, "" unknown */
	char model[KESU_STR_MAX + 1];
	char vendor[KESU_STR_MAX + 1];
	char serial[KESU_STR_MAX + 1];
	char wwn[KESU_STR_MAX + 1];
	char firmware[KESU_STR_MAX + 1];
	uint64_t size_bytes;
	uint32_t logical_block_size;
	uint32_t physical_block_size;
	bool rotational;
	bool is_file;            /* a regular image file, not a block device */
};

/* JSON object with stable keys (documented in man/kesu-run-record.5):
 * path name kind transport model vendor serial wwn firmware size_bytes
 * logical_block_size physical_block_size rotational is_file.  Empty strings
 * become null. */
json_t *kesu_identity_to_json(const struct kesu_identity *id);

/* Strict inverse of kesu_identity_to_json. */
enum kesu_rc kesu_identity_from_json(const json_t *obj, struct kesu_identity *id,
				     struct kesu_err *err);

/* True if b is the same medium as a: same serial and WWN (when known) and
 * same size.  Used before resuming and before issuing follow-up commands. */
bool kesu_identity_same_medium(const struct kesu_identity *a,
			       const struct kesu_identity *b);

#endif
