/* Inside the device probe: the device struct and the helpers its files
 * (device.c, lookup.c, stack.c, uses.c) share.  Not for use elsewhere. */
#ifndef KESU_DEVICE_PRIV_H
#define KESU_DEVICE_PRIV_H

#include "wipe/device/classify.h"
#include "wipe/device/device.h"

#include <sys/stat.h>

struct kesu_device {
	struct kesu_identity id;
	struct kesu_device_facts f;
	json_t *content;
};

/* Bounded reads of /proc files and udev db entries. */
#define PROC_MAX (4u << 20)

const char *kesu_dev_base_name(const char *p);
enum kesu_rc kesu_dev_oom(struct kesu_err *err);

/* A /proc file (rel to the root's proc) the gate depends on, whole. */
enum kesu_rc kesu_dev_read_proc(const struct kesu_sysroot *r, const char *rel,
				char **out, struct kesu_err *err);

/* A sysfs string attribute, cleaned; "" if absent. */
void kesu_dev_sys_str(const struct kesu_sysroot *r, const char *rel, char *out, size_t outsz);
/* Attribute attr of block device name (class/block/<name>/<attr>). */
void kesu_dev_attr(const struct kesu_sysroot *r, const char *name, const char *attr,
		   char *out, size_t outsz);
bool kesu_dev_attr_u64(const struct kesu_sysroot *r, const char *name, const char *attr,
		       uint64_t *v);
bool kesu_dev_attr_exists(const struct kesu_sysroot *r, const char *name, const char *attr);

bool kesu_dev_parse_majmin(const char *s, unsigned *maj, unsigned *min);
/* Kernel name of block device maj:min, or false. */
bool kesu_dev_name_of_devno(const struct kesu_sysroot *r, unsigned maj, unsigned min,
			    char *out, size_t outsz);
/* maj:min of the block device a /proc path names, or false. */
bool kesu_dev_devno_of_path(const struct kesu_sysroot *r, const char *path,
			    unsigned *maj, unsigned *min);
bool kesu_dev_devno_of_name(const struct kesu_sysroot *r, const char *name,
			    unsigned *maj, unsigned *min);

/* uses.c: mounts, swap, holders and system uses of the disk and its
 * partitions, and loop devices attached to it. */
enum kesu_rc kesu_dev_gather_uses(const struct kesu_sysroot *r, struct kesu_device *d,
				  struct kesu_err *err);
/* Loop devices backed by this target (file: by inode; NULL: the block
 * device or a partition of it), added to out. */
enum kesu_rc kesu_dev_gather_attached(const struct kesu_sysroot *r, struct kesu_device *d,
				      const struct stat *file, struct kesu_names *out,
				      struct kesu_err *err);
enum kesu_rc kesu_dev_add_swap(struct kesu_device_facts *f, const char *dev,
			       const struct kesu_swap *s, struct kesu_err *err);

#endif
