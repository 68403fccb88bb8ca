#include "wipe/device/device_priv.h"
#include "wipe/device/blkid_probe.h"
#include "wipe/device/classify.h"
#include "lib/fileio.h"
#include "lib/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const struct kesu_identity *kesu_device_identity(const struct kesu_device *dev)
{
	return &dev->id;
}

const struct kesu_device_facts *kesu_device_facts(const struct kesu_device *dev)
{
	return &dev->f;
}

void kesu_device_set_busy(struct kesu_device *dev, bool busy)
{
	dev->f.busy = busy;
	dev->f.busy_checked = true;
}

void kesu_device_set_denied(struct kesu_device *dev)
{
	dev->f.denied = true;
}

json_t *kesu_device_content_json(const struct kesu_device *dev)
{
	return dev->content ? json_deep_copy(dev->content) : json_null();
}

void kesu_device_free(struct kesu_device *dev)
{
	if (!dev)
		return;
	kesu_names_free(&dev->f.partitions);
	kesu_names_free(&dev->f.attached);
	kesu_names_free(&dev->f.sharing);
	free(dev->f.holders);
	free(dev->f.mounts);
	free(dev->f.swaps);
	free(dev->f.sysuses);
	json_decref(dev->content);
	free(dev);
}

/* Read a file under an arbitrary root part (proc, run). */
static char *read_text(const char *base, const char *rel)
{
	char p[PATH_MAX];
	char *buf = NULL;
	size_t len;
	if (!kesu_path_join(p, sizeof(p), base, rel))
		return NULL;
	if (kesu_read_file(p, PROC_MAX, &buf, &len, NULL) != KESU_OK)
		return NULL;
	return buf;
}

/* A SCSI VPD page of disk as sysfs has it (vpd_pg80, vpd_pg83). */
static ssize_t read_vpd(const struct kesu_sysroot *r, const char *disk, const char *page,
			unsigned char *buf, size_t size)
{
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "class/block/%s/device/%s", disk, page);
	return kesu_sys_read(r, rel, (char *)buf, size);
}

/* A USB stick's iSerial: the USB device (the one with idVendor) above the
 * SCSI host of devpath carries it. */
static void usb_serial(const struct kesu_sysroot *r, const char *devpath, char *out,
		       size_t size)
{
	char p[PATH_MAX];
	kesu_strlcpy(p, devpath, sizeof(p));
	for (char *s = strrchr(p, '/'); s && s > p; s = strrchr(p, '/')) {
		*s = '\0';
		char rel[PATH_MAX + 16];
		snprintf(rel, sizeof(rel), "%s/idVendor", p);
		if (kesu_sys_exists(r, rel)) {
			snprintf(rel, sizeof(rel), "%s/serial", p);
			kesu_dev_sys_str(r, rel, out, size);
			return;
		}
	}
}

/* Identity strings of a whole disk from sysfs, then the udev database. */
static void read_identity(const struct kesu_sysroot *r, const char *disk,
			  const char *devpath, struct kesu_identity *id,
			  unsigned maj, unsigned min)
{
	char buf[KESU_STR_MAX + 1];
	bool mmc = !strcmp(id->transport, "mmc");
	kesu_dev_attr(r, disk, mmc ? "device/name" : "device/model", id->model,
		 sizeof(id->model));
	/* Only SCSI-like devices have a vendor string; virtio's device/vendor
	 * is a PCI id. */
	bool scsi = !strcmp(id->transport, "sata") || !strcmp(id->transport, "sas") ||
		    !strcmp(id->transport, "usb") || !strcmp(id->transport, "scsi");
	if (scsi)
		kesu_dev_attr(r, disk, "device/vendor", id->vendor, sizeof(id->vendor));
	/* libata presents every SATA disk with the SCSI vendor "ATA": a
	 * protocol name, not who made the disk. */
	if (!strcmp(id->vendor, "ATA"))
		id->vendor[0] = '\0';
	kesu_dev_attr(r, disk, "device/firmware_rev", id->firmware, sizeof(id->firmware));
	if (!id->firmware[0])
		kesu_dev_attr(r, disk, mmc ? "device/fwrev" : "device/rev", id->firmware,
			 sizeof(id->firmware));

	kesu_dev_attr(r, disk, "device/serial", id->serial, sizeof(id->serial));
	if (!id->serial[0])
		kesu_dev_attr(r, disk, "serial", id->serial, sizeof(id->serial));  /* virtio-blk */
	if (!id->serial[0]) {
		unsigned char page[1024];
		ssize_t n = read_vpd(r, disk, "vpd_pg80", page, sizeof(page));
		if (n > 0)
			kesu_vpd80_serial(page, (size_t)n, id->serial, sizeof(id->serial));
	}
	if (!id->serial[0] && !strcmp(id->transport, "usb"))
		usb_serial(r, devpath, id->serial, sizeof(id->serial));

	kesu_dev_attr(r, disk, "wwid", buf, sizeof(buf));        /* NVMe namespace */
	if (!buf[0] || !kesu_wwid_to_wwn(buf, id->wwn, sizeof(id->wwn))) {
		kesu_dev_attr(r, disk, "device/wwid", buf, sizeof(buf));  /* SCSI */
		if (buf[0])
			kesu_wwid_to_wwn(buf, id->wwn, sizeof(id->wwn));
	}
	if (!id->wwn[0]) {
		unsigned char page[4096];
		ssize_t n = read_vpd(r, disk, "vpd_pg83", page, sizeof(page));
		if (n > 0)
			kesu_vpd83_wwn(page, (size_t)n, id->wwn, sizeof(id->wwn));
	}

	if (!id->serial[0] || !id->wwn[0]) {
		char rel[64];
		snprintf(rel, sizeof(rel), "udev/data/b%u:%u", maj, min);
		char *db = read_text(r->run, rel);
		if (db) {
			if (!id->serial[0])
				kesu_udev_db_get(db, "ID_SERIAL_SHORT", id->serial,
						 sizeof(id->serial));
			if (!id->wwn[0])
				kesu_udev_db_get(db, "ID_WWN", id->wwn, sizeof(id->wwn));
			free(db);
		}
	}
}

static enum kesu_rc gone(struct kesu_err *err, const char *what)
{
	return kesu_fail(err, KESU_ERR_GONE, ENODEV,
			 "%s disappeared while being inspected; check it is still "
			 "attached and run kesu again", what);
}

/* Everything sysfs knows about block device `name`. */
static enum kesu_rc gather_block(const struct kesu_sysroot *r, const char *name,
				 struct kesu_device *d, struct kesu_err *err)
{
	struct kesu_device_facts *f = &d->f;
	struct kesu_identity *id = &d->id;
	char rel[PATH_MAX], v[64];
	if (strchr(name, '/') || !name[0] || name[0] == '.')
		return kesu_fail(err, KESU_ERR_NOENT, 0,
				 "'%s' is not a block device name; see 'kesu list'", name);
	f->is_block = true;
	kesu_strlcpy(f->sysname, name, sizeof(f->sysname));
	kesu_strlcpy(id->name, name, sizeof(id->name));
	snprintf(rel, sizeof(rel), "class/block/%s", name);
	if (kesu_sys_resolve(r, rel, f->devpath, sizeof(f->devpath)) != 0)
		return gone(err, name);
	f->is_partition = kesu_dev_attr_exists(r, name, "partition");
	const char *disk = name;
	if (f->is_partition) {
		char p[PATH_MAX];
		kesu_strlcpy(p, f->devpath, sizeof(p));
		char *s = strrchr(p, '/');
		if (!s)
			return gone(err, name);
		*s = '\0';
		kesu_strlcpy(f->parent, kesu_dev_base_name(p), sizeof(f->parent));
		disk = f->parent;
	}
	kesu_dev_attr(r, name, "dev", v, sizeof(v));
	uint64_t sectors;
	if (!kesu_dev_parse_majmin(v, &f->maj, &f->min) || !kesu_dev_attr_u64(r, name, "size", &sectors))
		return gone(err, name);
	id->size_bytes = sectors * 512;   /* sysfs counts 512-byte sectors */
	f->no_medium = sectors == 0;       /* card reader, CD drive, zram unset */
	uint64_t x;
	f->ro = kesu_dev_attr_u64(r, name, "ro", &x) && x;
	f->removable = kesu_dev_attr_u64(r, disk, "removable", &x) && x;
	id->rotational = kesu_dev_attr_u64(r, disk, "queue/rotational", &x) && x;
	id->logical_block_size = kesu_dev_attr_u64(r, disk, "queue/logical_block_size", &x) &&
				 x <= (1u << 20) ? (uint32_t)x : 512;
	id->physical_block_size = kesu_dev_attr_u64(r, disk, "queue/physical_block_size", &x) &&
				  x <= (1u << 20) ? (uint32_t)x : id->logical_block_size;
	if (!kesu_dev_attr_u64(r, disk, "queue/discard_max_bytes", &f->discard_max_bytes))
		f->discard_max_bytes = 0;
	char ddisk[PATH_MAX];
	snprintf(rel, sizeof(rel), "class/block/%s", disk);
	if (kesu_sys_resolve(r, rel, ddisk, sizeof(ddisk)) != 0)
		return gone(err, disk);
	kesu_classify(ddisk, disk, id->rotational, id->kind, sizeof(id->kind),
		      id->transport, sizeof(id->transport));
	unsigned dmaj = f->maj, dmin = f->min;
	if (f->is_partition && !kesu_dev_devno_of_name(r, disk, &dmaj, &dmin))
		return gone(err, disk);
	read_identity(r, disk, ddisk, id, dmaj, dmin);
	snprintf(rel, sizeof(rel), "class/block/%s/loop/backing_file", disk);
	{
		char buf[PATH_MAX];
		ssize_t n = kesu_sys_read(r, rel, buf, sizeof(buf));
		if (n > 0)
			kesu_clean(f->loop_backing, sizeof(f->loop_backing), buf, (size_t)n);
	}
	if (!f->is_partition) {
		struct kesu_names all;
		snprintf(rel, sizeof(rel), "class/block/%s", name);
		if (kesu_sys_list(r, rel, &all))
			return kesu_dev_oom(err);
		for (size_t i = 0; i < all.n; i++)
			if (kesu_dev_attr_exists(r, all.v[i], "partition") &&
			    !strncmp(all.v[i], name, strlen(name)) &&
			    kesu_names_add(&f->partitions, all.v[i])) {
				kesu_names_free(&all);
				return kesu_dev_oom(err);
			}
		kesu_names_free(&all);
	}
	return kesu_dev_gather_uses(r, d, err);
}

/* Fill each content partition's kernel name from its number. */
static void name_partitions(const struct kesu_sysroot *r, struct kesu_device *d)
{
	json_t *parts = json_object_get(d->content, "partitions");
	size_t i;
	json_t *p;
	json_array_foreach(parts, i, p) {
		json_int_t num = json_integer_value(json_object_get(p, "number"));
		for (size_t j = 0; j < d->f.partitions.n; j++) {
			uint64_t x;
			if (kesu_dev_attr_u64(r, d->f.partitions.v[j], "partition", &x) &&
			    (json_int_t)x == num) {
				json_object_set_new(p, "name",
						    kesu_json_str(d->f.partitions.v[j]));
				break;
			}
		}
	}
}

static enum kesu_rc open_error(const char *path, int e, struct kesu_err *err)
{
	if (e == EACCES || e == EPERM)
		return kesu_fail(err, KESU_ERR_PERM, e,
				 "%s: permission denied; run kesu as root", path);
	if (e == ENOENT || e == ENXIO || e == ENODEV)
		return kesu_fail(err, KESU_ERR_GONE, e,
				 "%s disappeared while being inspected; check it is "
				 "still attached and run kesu again", path);
	return kesu_fail(err, KESU_ERR_IO, e, "%s: cannot open: %s; check dmesg",
			 path, strerror(e));
}

/* Read-only flag and contents from the device itself. */
static enum kesu_rc read_media(const struct kesu_sysroot *r, struct kesu_device *d,
			       struct kesu_err *err)
{
	const char *path = d->id.path;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOMEDIUM) {
			d->f.no_medium = true;
			return KESU_OK;
		}
		/* Refused to root: a policy, not a missing privilege.  The
		 * device is still listed; the gate refuses it. */
		if ((errno == EACCES || errno == EPERM) && geteuid() == 0) {
			d->f.denied = true;
			return KESU_OK;
		}
		return open_error(path, errno, err);
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || (d->f.is_block && (!S_ISBLK(st.st_mode) ||
	    major(st.st_rdev) != d->f.maj || minor(st.st_rdev) != d->f.min))) {
		close(fd);
		return kesu_fail(err, KESU_ERR_GONE, 0,
				 "%s changed while being inspected (another device "
				 "now has this name); run kesu again", path);
	}
	uint64_t size = d->id.size_bytes;
	if (d->f.is_block) {
		int ro = 0;
		if (ioctl(fd, BLKROGET, &ro) == 0 && ro)
			d->f.ro = true;
		uint64_t bytes;
		if (ioctl(fd, BLKGETSIZE64, &bytes) == 0)
			size = d->id.size_bytes = bytes;
	}
	/* A failing medium still gets listed: its content is "unknown". */
	if (size > 0 && kesu_blkid_content(fd, size, &d->content, NULL) == KESU_OK) {
		d->f.media_probed = true;
		if (d->f.is_block)
			name_partitions(r, d);
	}
	close(fd);
	return KESU_OK;
}

static struct kesu_device *dev_new(unsigned flags)
{
	struct kesu_device *d = calloc(1, sizeof(*d));
	if (d)
		d->f.probe_flags = flags;
	return d;
}

/* The end of every probe: read the medium unless the flags say not to,
 * then hand d over, or free it on failure. */
static enum kesu_rc finish_probe(const struct kesu_sysroot *root, struct kesu_device *d,
				 enum kesu_rc rc, struct kesu_device **out, struct kesu_err *err)
{
	if (!rc && !(d->f.probe_flags & KESU_PROBE_NO_MEDIA))
		rc = read_media(root, d, err);
	if (rc) {
		kesu_device_free(d);
		return rc;
	}
	*out = d;
	return KESU_OK;
}

enum kesu_rc kesu_device_probe_name(const struct kesu_sysroot *root,
				    const char *name, unsigned flags,
				    struct kesu_device **out, struct kesu_err *err)
{
	*out = NULL;
	struct kesu_device *d = dev_new(flags);
	if (!d)
		return kesu_dev_oom(err);
	enum kesu_rc rc = gather_block(root, name, d, err);
	if (!rc && !kesu_path_join(d->id.path, sizeof(d->id.path), root->dev, name))
		rc = kesu_fail(err, KESU_ERR_NOENT, 0, "%s: path too long", name);
	return finish_probe(root, d, rc, out, err);
}

/* A regular image file; refused only while it is active swap. */
static enum kesu_rc probe_file(const struct kesu_sysroot *r, const char *real,
			       const struct stat *st, struct kesu_device *d,
			       struct kesu_err *err)
{
	struct kesu_identity *id = &d->id;
	d->f.is_file = true;
	kesu_strlcpy(id->path, real, sizeof(id->path));
	kesu_clean(id->name, sizeof(id->name), kesu_dev_base_name(real), strlen(kesu_dev_base_name(real)));
	kesu_strlcpy(id->kind, "file", sizeof(id->kind));
	kesu_strlcpy(id->transport, "file", sizeof(id->transport));
	id->is_file = true;
	id->size_bytes = (uint64_t)st->st_size;
	id->logical_block_size = 512;
	id->physical_block_size = st->st_blksize > 0 && st->st_blksize <= 65536 ?
				  (uint32_t)st->st_blksize : 4096;
	char *sw;
	enum kesu_rc rrc = kesu_dev_read_proc(r, "swaps", &sw, err);
	if (rrc)
		return rrc;
	{
		struct kesu_swap *s;
		size_t ns;
		int prc = kesu_swaps_parse(sw, &s, &ns);
		free(sw);
		if (prc)
			return kesu_dev_oom(err);
		for (size_t i = 0; i < ns; i++) {
			struct stat ss;
			if (stat(s[i].path, &ss) == 0 && S_ISREG(ss.st_mode) &&
			    ss.st_dev == st->st_dev && ss.st_ino == st->st_ino &&
			    kesu_dev_add_swap(&d->f, id->name, &s[i], err)) {
				free(s);
				return KESU_ERR_INTERNAL;
			}
		}
		free(s);
	}
	return kesu_dev_gather_attached(r, d, st, &d->f.attached, err);
}

enum kesu_rc kesu_device_probe_at(const struct kesu_sysroot *root, const char *path,
				  unsigned flags, struct kesu_device **out,
				  struct kesu_err *err)
{
	*out = NULL;
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == EACCES || errno == EPERM)
			return kesu_fail(err, KESU_ERR_PERM, errno,
					 "%s: permission denied; run kesu as root", path);
		return kesu_fail(err, KESU_ERR_NOENT, errno,
				 "%s: no such device or file; run 'kesu list' to see "
				 "the devices", path);
	}
	if (S_ISBLK(st.st_mode)) {
		char name[256];
		if (!kesu_dev_name_of_devno(root, major(st.st_rdev), minor(st.st_rdev), name,
				   sizeof(name)))
			return kesu_fail(err, KESU_ERR_GONE, ENODEV,
					 "%s: no device %u:%u behind this node (it "
					 "disappeared); check it is attached and run kesu again",
					 path, major(st.st_rdev), minor(st.st_rdev));
		struct kesu_device *d = dev_new(flags);
		if (!d)
			return kesu_dev_oom(err);
		enum kesu_rc rc = gather_block(root, name, d, err);
		if (!rc && !realpath(path, d->id.path))
			rc = kesu_fail(err, KESU_ERR_GONE, errno,
				       "%s disappeared while being inspected; check it "
				       "is still attached and run kesu again", path);
		return finish_probe(root, d, rc, out, err);
	}
	if (!S_ISREG(st.st_mode))
		return kesu_fail(err, KESU_ERR_NOTSUP, 0,
				 "%s: not a block device or regular image file; give a "
				 "whole disk such as /dev/sdX (see 'kesu list')", path);
	struct kesu_device *d = dev_new(flags);
	if (!d)
		return kesu_dev_oom(err);
	char real[PATH_MAX];
	enum kesu_rc rc = KESU_OK;
	if (!realpath(path, real))
		rc = kesu_fail(err, KESU_ERR_GONE, errno,
			       "%s disappeared while being inspected; run kesu again", path);
	if (!rc)
		rc = probe_file(root, real, &st, d, err);
	return finish_probe(root, d, rc, out, err);
}

enum kesu_rc kesu_device_probe(const char *path, struct kesu_device **out,
			       struct kesu_err *err)
{
	return kesu_device_probe_at(kesu_sysroot_default(), path, 0, out, err);
}

