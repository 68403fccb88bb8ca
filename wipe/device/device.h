/* One storage target as the inventory sees it: a whole block device, a
 * partition, or a regular image file, with its identity (identity.h), what
 * libblkid finds on it, and the facts the safety gate decides on.
 *
 * Identity comes from sysfs alone (model, serial, firmware, wwid, SCSI VPD
 * pages 0x80/0x83), with the udev database as a fallback, because kesu also
 * runs where there is no udev (the initramfs test bed). */
#ifndef KESU_DEVICE_H
#define KESU_DEVICE_H

#include "lib/error.h"
#include "lib/identity.h"
#include "wipe/device/sysfs.h"

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

struct kesu_device;

/* Probe path (a block device node, a link to one, or a regular file) on the
 * running system.  Errors: KESU_ERR_NOENT (no such path), KESU_ERR_NOTSUP
 * (neither block device nor regular file), KESU_ERR_PERM (not root),
 * KESU_ERR_GONE (the device vanished while being inspected). */
enum kesu_rc kesu_device_probe(const char *path, struct kesu_device **out,
			       struct kesu_err *err);
void kesu_device_free(struct kesu_device *dev);

/* Identity, filled for block devices and image files (kind and transport
 * "file", name the base name, is_file true). */
const struct kesu_identity *kesu_device_identity(const struct kesu_device *dev);

/* What libblkid found, a new reference the caller owns:
 * {"pttype": "gpt"|null, "ptuuid": str|null,
 *  "signature": {"type","usage","label","uuid","version"}|null,
 *  "ambivalent": bool,
 *  "partitions": [{"number","name","start_bytes","size_bytes","part_type",
 *                  "part_uuid","part_label","type","usage","label","uuid"}]}
 * "signature" is a filesystem/RAID/LVM/swap signature on the device itself;
 * "ambivalent" means libblkid found more than one and would not choose.
 * JSON null when the contents were not read (no medium, fixture probes). */
json_t *kesu_device_content_json(const struct kesu_device *dev);

/* ---- the rest is for list/info, the gate and tests ---- */

/* Do not open the device (no libblkid, no BLKROGET, no busy check): for
 * fixture trees, which have no device nodes. */
#define KESU_PROBE_NO_MEDIA 0x1u

enum kesu_rc kesu_device_probe_at(const struct kesu_sysroot *root, const char *path,
				  unsigned flags, struct kesu_device **out,
				  struct kesu_err *err);
/* Probe by kernel name ("sda", "nvme0n1p1"); the path is <dev>/<name>. */
enum kesu_rc kesu_device_probe_name(const struct kesu_sysroot *root,
				    const char *name, unsigned flags,
				    struct kesu_device **out, struct kesu_err *err);

struct kesu_dev_mount {
	char device[64];            /* sda or sda1 */
	char mountpoint[PATH_MAX];
	char fstype[32];
};

struct kesu_dev_holder {
	char device[64];            /* the disk or partition that is held */
	char holder[64];            /* dm-0, md127 */
	char holder_name[128];      /* dm/name or md/array name if any */
};

struct kesu_dev_swap {
	char device[64];            /* disk or partition name; base name for files */
	char path[PATH_MAX];
	uint64_t size_kib, used_kib;
};

/* A system mount point or active swap that lives on this disk, found by
 * following dm/md/LVM slaves down to the physical disks. */
struct kesu_dev_sysuse {
	char what[PATH_MAX];        /* "/", "/var", "swap /dev/dm-1" */
	char via[64];               /* the device it is mounted from: dm-0 */
};

struct kesu_device_facts {
	bool is_block, is_file, is_partition;
	char sysname[64];           /* kernel name; "" for files */
	char parent[64];            /* whole disk of a partition */
	char devpath[PATH_MAX];     /* resolved sysfs path, "/devices/..." */
	unsigned maj, min;
	bool ro;                    /* sysfs ro or BLKROGET */
	bool removable;
	uint64_t discard_max_bytes; /* 0: no discard */
	char loop_backing[PATH_MAX];
	bool media_probed;          /* content was read with libblkid */
	bool no_medium;             /* size 0 or ENOMEDIUM: nothing inserted */
	bool denied;                /* root, yet open() failed EACCES/EPERM
				     * (device cgroup, LSM): unknown content */
	struct kesu_names partitions;
	struct kesu_dev_holder *holders;
	size_t n_holders;
	struct kesu_dev_mount *mounts;
	size_t n_mounts;
	struct kesu_dev_swap *swaps;
	size_t n_swaps;
	struct kesu_dev_sysuse *sysuses;
	size_t n_sysuses;
	struct kesu_names attached; /* loop devices backed by this target */
	struct kesu_names sharing;  /* other loop devices over our backing file */
	bool busy;                  /* O_EXCL open failed with EBUSY */
	bool busy_checked;
	unsigned probe_flags;
};

const struct kesu_device_facts *kesu_device_facts(const struct kesu_device *dev);
/* The gate records the result of its exclusive-open check here. */
void kesu_device_set_busy(struct kesu_device *dev, bool busy);
void kesu_device_set_denied(struct kesu_device *dev);

/* Physical whole disks under the system mount points (/, /boot, /boot/efi,
 * /usr, /var) and active swap, following dm/md/LVM slaves; *out is
 * malloc'd, entries are (what, via) with the disk name in via's place given
 * by disk[].  Exposed for the fixture tests. */
struct kesu_sysdisk {
	char disk[64];
	struct kesu_dev_sysuse use;
};
enum kesu_rc kesu_system_disks(const struct kesu_sysroot *root,
			       struct kesu_sysdisk **out, size_t *n,
			       struct kesu_err *err);

/* Whole disks below block device `name` (itself if it stacks on nothing),
 * following slaves/ and partition parents.  Appends to *disks. */
int kesu_stack_disks(const struct kesu_sysroot *root, const char *name,
		     struct kesu_names *disks);

#endif
