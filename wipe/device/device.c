#include "wipe/device/device.h"
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

struct kesu_device {
	struct kesu_identity id;
	struct kesu_device_facts f;
	json_t *content;
};

static enum kesu_rc oom(struct kesu_err *err);

/* Bounded reads of /proc files and udev db entries. */
#define PROC_MAX (4u << 20)

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

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
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

/* A /proc file the gate depends on: failing to read it must never look
 * like "nothing is mounted".  /proc/swaps alone may be absent (a kernel
 * without swap support) when /proc itself is there. */
static enum kesu_rc read_proc(const struct kesu_sysroot *r, const char *rel,
			      char **out, struct kesu_err *err)
{
	char p[PATH_MAX], mi[PATH_MAX];
	size_t len;
	*out = NULL;
	if (!kesu_path_join(p, sizeof(p), r->proc, rel) ||
	    !kesu_path_join(mi, sizeof(mi), r->proc, "self/mountinfo"))
		return kesu_fail(err, KESU_ERR_IO, ENAMETOOLONG, "%s: path too long", r->proc);
	enum kesu_rc rc = kesu_read_file(p, PROC_MAX, out, &len, NULL);
	if (rc == KESU_OK)
		return KESU_OK;
	if (rc == KESU_ERR_NOENT && !strcmp(rel, "swaps") && access(mi, R_OK) == 0) {
		*out = strdup("");
		return *out ? KESU_OK : oom(err);
	}
	return kesu_fail(err, KESU_ERR_IO, errno,
			 "cannot read %s, needed to tell which disks are in use; "
			 "mount /proc and run kesu again", p);
}

/* Read and clean a sysfs string attribute; "" if absent. */
static void sys_str(const struct kesu_sysroot *r, const char *rel, char *out,
		    size_t outsz)
{
	char buf[1024];
	ssize_t n = kesu_sys_read(r, rel, buf, sizeof(buf));
	out[0] = '\0';
	if (n > 0)
		kesu_clean(out, outsz, buf, (size_t)n);
}

static void sys_attr(const struct kesu_sysroot *r, const char *name,
		     const char *attr, char *out, size_t outsz)
{
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "class/block/%s/%s", name, attr);
	sys_str(r, rel, out, outsz);
}

static bool sys_attr_u64(const struct kesu_sysroot *r, const char *name,
			 const char *attr, uint64_t *v)
{
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "class/block/%s/%s", name, attr);
	return kesu_sys_read_u64(r, rel, v) == 0;
}

static bool sys_attr_exists(const struct kesu_sysroot *r, const char *name,
			    const char *attr)
{
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "class/block/%s/%s", name, attr);
	return kesu_sys_exists(r, rel);
}

static bool parse_majmin(const char *s, unsigned *maj, unsigned *min)
{
	return sscanf(s, "%u:%u", maj, min) == 2;
}

/* Kernel name of the block device maj:min, or false. */
static bool name_of_devno(const struct kesu_sysroot *r, unsigned maj, unsigned min,
			  char *out, size_t outsz)
{
	char rel[64], res[PATH_MAX];
	snprintf(rel, sizeof(rel), "dev/block/%u:%u", maj, min);
	if (kesu_sys_resolve(r, rel, res, sizeof(res)) != 0)
		return false;
	return kesu_strlcpy(out, base_name(res), outsz);
}

/* maj:min of the block device a /proc path names ("/dev/dm-1",
 * "/dev/mapper/x"), through the root's /dev, else by kernel name. */
static bool devno_of_path(const struct kesu_sysroot *r, const char *path,
			  unsigned *maj, unsigned *min)
{
	char p[PATH_MAX];
	struct stat st;
	if (strncmp(path, "/dev/", 5) != 0)
		return false;
	if (kesu_path_join(p, sizeof(p), r->dev, path + 5) && stat(p, &st) == 0 &&
	    S_ISBLK(st.st_mode)) {
		*maj = major(st.st_rdev);
		*min = minor(st.st_rdev);
		return true;
	}
	char v[32];
	sys_attr(r, base_name(path), "dev", v, sizeof(v));
	return parse_majmin(v, maj, min);
}

int kesu_stack_disks(const struct kesu_sysroot *root, const char *name,
		     struct kesu_names *disks)
{
	/* Iterative walk with a bound: sysfs is a DAG, but a hostile or
	 * broken fixture must not loop forever. */
	struct kesu_names todo = {0}, seen = {0};
	int rc = kesu_names_add(&todo, name);
	while (rc == 0 && todo.n > 0 && seen.n < 1024) {
		char cur[256];
		kesu_strlcpy(cur, todo.v[todo.n - 1], sizeof(cur));
		free(todo.v[--todo.n]);
		if (kesu_names_has(&seen, cur))
			continue;
		if ((rc = kesu_names_add(&seen, cur)))
			break;
		char rel[PATH_MAX];
		struct kesu_names sl;
		snprintf(rel, sizeof(rel), "class/block/%s/slaves", cur);
		if ((rc = kesu_sys_list(root, rel, &sl)))
			break;
		if (sl.n > 0) {
			for (size_t i = 0; i < sl.n && rc == 0; i++)
				rc = kesu_names_add(&todo, sl.v[i]);
			kesu_names_free(&sl);
			continue;
		}
		kesu_names_free(&sl);
		const char *disk = cur;
		char res[PATH_MAX], parent[256];
		if (sys_attr_exists(root, cur, "partition")) {
			snprintf(rel, sizeof(rel), "class/block/%s", cur);
			if (kesu_sys_resolve(root, rel, res, sizeof(res)) == 0) {
				char *slash = strrchr(res, '/');
				if (slash) {
					*slash = '\0';
					kesu_strlcpy(parent, base_name(res), sizeof(parent));
					disk = parent;
				}
			}
		}
		if (!kesu_names_has(disks, disk))
			rc = kesu_names_add(disks, disk);
	}
	kesu_names_free(&todo);
	kesu_names_free(&seen);
	return rc;
}

static int add_sysdisks(const struct kesu_sysroot *root, const char *via,
			const char *what, struct kesu_sysdisk **out, size_t *n)
{
	struct kesu_names disks = {0}, sl = {0};
	int rc = kesu_stack_disks(root, via, &disks);
	/* The stacked device itself (dm-0 under /var) is as much the running
	 * system as the disks below it. */
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "class/block/%s/slaves", via);
	if (rc == 0 && (rc = kesu_sys_list(root, rel, &sl)) == 0 && sl.n > 0 &&
	    !kesu_names_has(&disks, via))
		rc = kesu_names_add(&disks, via);
	kesu_names_free(&sl);
	for (size_t i = 0; rc == 0 && i < disks.n; i++) {
		struct kesu_sysdisk *v = realloc(*out, (*n + 1) * sizeof(*v));
		if (!v) {
			rc = -ENOMEM;
			break;
		}
		*out = v;
		memset(&v[*n], 0, sizeof(v[*n]));
		kesu_strlcpy(v[*n].disk, disks.v[i], sizeof(v[*n].disk));
		kesu_strlcpy(v[*n].use.what, what, sizeof(v[*n].use.what));
		kesu_strlcpy(v[*n].use.via, via, sizeof(v[*n].use.via));
		(*n)++;
	}
	kesu_names_free(&disks);
	return rc;
}

enum kesu_rc kesu_system_disks(const struct kesu_sysroot *root,
			       struct kesu_sysdisk **out, size_t *n,
			       struct kesu_err *err)
{
	*out = NULL;
	*n = 0;
	char *mi, *sw = NULL;
	enum kesu_rc prc = read_proc(root, "self/mountinfo", &mi, err);
	if (prc)
		return prc;
	struct kesu_mount *m;
	size_t nm;
	int rc = kesu_mountinfo_parse(mi, &m, &nm);
	free(mi);
	for (size_t i = 0; rc == 0 && i < nm; i++) {
		if (!kesu_is_system_mountpoint(m[i].mountpoint))
			continue;
		unsigned maj = m[i].maj, min = m[i].min;
		char name[256];
		/* btrfs and friends report an anonymous 0:N device; the
		 * source names the real one. */
		if (maj == 0 && !devno_of_path(root, m[i].source, &maj, &min))
			continue;
		if (!name_of_devno(root, maj, min, name, sizeof(name)))
			continue;
		rc = add_sysdisks(root, name, m[i].mountpoint, out, n);
	}
	free(m);
	if (rc == 0 && (prc = read_proc(root, "swaps", &sw, err))) {
		free(*out);
		*out = NULL;
		*n = 0;
		return prc;
	}
	if (sw) {
		struct kesu_swap *s;
		size_t ns;
		rc = kesu_swaps_parse(sw, &s, &ns);
		free(sw);
		for (size_t i = 0; rc == 0 && i < ns; i++) {
			unsigned maj, min;
			char name[256], what[PATH_MAX + 8];
			struct stat st;
			char p[PATH_MAX];
			if (devno_of_path(root, s[i].path, &maj, &min)) {
				/* swap partition or volume */
			} else if (kesu_path_join(p, sizeof(p), "/", s[i].path) &&
				   root == kesu_sysroot_default() && stat(p, &st) == 0) {
				/* swap file: the disk of its filesystem */
				maj = major(st.st_dev);
				min = minor(st.st_dev);
			} else {
				continue;
			}
			if (!name_of_devno(root, maj, min, name, sizeof(name)))
				continue;
			snprintf(what, sizeof(what), "swap %s", s[i].path);
			rc = add_sysdisks(root, name, what, out, n);
		}
		free(s);
	}
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
		return kesu_fail(err, KESU_ERR_INTERNAL, -rc, "out of memory");
	}
	return KESU_OK;
}

static enum kesu_rc oom(struct kesu_err *err)
{
	return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
}

static bool devno_of_name(const struct kesu_sysroot *r, const char *name,
			  unsigned *maj, unsigned *min)
{
	char v[32];
	sys_attr(r, name, "dev", v, sizeof(v));
	return parse_majmin(v, maj, min);
}

/* Identity strings of a whole disk from sysfs, then the udev database. */
static void read_identity(const struct kesu_sysroot *r, const char *disk,
			  const char *devpath, struct kesu_identity *id,
			  unsigned maj, unsigned min)
{
	char buf[KESU_STR_MAX + 1];
	bool mmc = !strcmp(id->transport, "mmc");
	sys_attr(r, disk, mmc ? "device/name" : "device/model", id->model,
		 sizeof(id->model));
	/* Only SCSI-like devices have a vendor string; virtio's device/vendor
	 * is a PCI id. */
	bool scsi = !strcmp(id->transport, "sata") || !strcmp(id->transport, "sas") ||
		    !strcmp(id->transport, "usb") || !strcmp(id->transport, "scsi");
	if (scsi)
		sys_attr(r, disk, "device/vendor", id->vendor, sizeof(id->vendor));
	/* libata presents every SATA disk with the SCSI vendor "ATA": a
	 * protocol name, not who made the disk. */
	if (!strcmp(id->vendor, "ATA"))
		id->vendor[0] = '\0';
	sys_attr(r, disk, "device/firmware_rev", id->firmware, sizeof(id->firmware));
	if (!id->firmware[0])
		sys_attr(r, disk, mmc ? "device/fwrev" : "device/rev", id->firmware,
			 sizeof(id->firmware));

	sys_attr(r, disk, "device/serial", id->serial, sizeof(id->serial));
	if (!id->serial[0])
		sys_attr(r, disk, "serial", id->serial, sizeof(id->serial));  /* virtio-blk */
	if (!id->serial[0]) {
		unsigned char page[1024];
		char rel[PATH_MAX];
		snprintf(rel, sizeof(rel), "class/block/%s/device/vpd_pg80", disk);
		ssize_t n = kesu_sys_read(r, rel, (char *)page, sizeof(page));
		if (n > 0)
			kesu_vpd80_serial(page, (size_t)n, id->serial, sizeof(id->serial));
	}
	if (!id->serial[0] && !strcmp(id->transport, "usb")) {
		/* The USB device (the one with idVendor) above the SCSI host
		 * carries the stick's iSerial. */
		char p[PATH_MAX];
		kesu_strlcpy(p, devpath, sizeof(p));
		for (char *s = strrchr(p, '/'); s && s > p; s = strrchr(p, '/')) {
			*s = '\0';
			char rel[PATH_MAX + 16];
			snprintf(rel, sizeof(rel), "%s/idVendor", p);
			if (kesu_sys_exists(r, rel)) {
				snprintf(rel, sizeof(rel), "%s/serial", p);
				sys_str(r, rel, id->serial, sizeof(id->serial));
				break;
			}
		}
	}

	sys_attr(r, disk, "wwid", buf, sizeof(buf));        /* NVMe namespace */
	if (!buf[0] || !kesu_wwid_to_wwn(buf, id->wwn, sizeof(id->wwn))) {
		sys_attr(r, disk, "device/wwid", buf, sizeof(buf));  /* SCSI */
		if (buf[0])
			kesu_wwid_to_wwn(buf, id->wwn, sizeof(id->wwn));
	}
	if (!id->wwn[0]) {
		unsigned char page[4096];
		char rel[PATH_MAX];
		snprintf(rel, sizeof(rel), "class/block/%s/device/vpd_pg83", disk);
		ssize_t n = kesu_sys_read(r, rel, (char *)page, sizeof(page));
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

static enum kesu_rc add_mount(struct kesu_device_facts *f, const char *dev,
			      const struct kesu_mount *m, struct kesu_err *err)
{
	struct kesu_dev_mount *v = realloc(f->mounts, (f->n_mounts + 1) * sizeof(*v));
	if (!v)
		return oom(err);
	f->mounts = v;
	v += f->n_mounts++;
	memset(v, 0, sizeof(*v));
	kesu_strlcpy(v->device, dev, sizeof(v->device));
	kesu_clean(v->mountpoint, sizeof(v->mountpoint), m->mountpoint,
		   strlen(m->mountpoint));
	kesu_clean(v->fstype, sizeof(v->fstype), m->fstype, strlen(m->fstype));
	return KESU_OK;
}

static enum kesu_rc add_swap(struct kesu_device_facts *f, const char *dev,
			     const struct kesu_swap *s, struct kesu_err *err)
{
	struct kesu_dev_swap *v = realloc(f->swaps, (f->n_swaps + 1) * sizeof(*v));
	if (!v)
		return oom(err);
	f->swaps = v;
	v += f->n_swaps++;
	memset(v, 0, sizeof(*v));
	kesu_strlcpy(v->device, dev, sizeof(v->device));
	kesu_clean(v->path, sizeof(v->path), s->path, strlen(s->path));
	v->size_kib = s->size_kib;
	v->used_kib = s->used_kib;
	return KESU_OK;
}

/* Loop devices whose backing file is this target: a regular file by inode,
 * a block device (or one of its partitions) by number.  Writing under an
 * attached loop device races that device's cache.  Needs the real /dev and
 * files, so only on the running system. */
static enum kesu_rc gather_attached(const struct kesu_sysroot *r, struct kesu_device *d,
				    const struct stat *file, struct kesu_names *out,
				    struct kesu_err *err)
{
	if (r != kesu_sysroot_default())
		return KESU_OK;
	struct kesu_names loops;
	if (kesu_sys_list(r, "block", &loops))
		return oom(err);
	enum kesu_rc rc = KESU_OK;
	for (size_t i = 0; i < loops.n && rc == KESU_OK; i++) {
		if (strncmp(loops.v[i], "loop", 4) != 0 || !strcmp(loops.v[i], d->f.sysname))
			continue;
		char back[PATH_MAX];
		sys_attr(r, loops.v[i], "loop/backing_file", back, sizeof(back));
		struct stat st;
		if (!back[0] || stat(back, &st) != 0)
			continue;
		bool hit = false;
		if (file)
			hit = S_ISREG(st.st_mode) && st.st_dev == file->st_dev &&
			      st.st_ino == file->st_ino;
		else if (S_ISBLK(st.st_mode)) {
			char bname[256];
			hit = name_of_devno(r, major(st.st_rdev), minor(st.st_rdev),
					    bname, sizeof(bname)) &&
			      (!strcmp(bname, d->f.sysname) ||
			       kesu_names_has(&d->f.partitions, bname));
		}
		if (hit && kesu_names_add(out, loops.v[i]))
			rc = oom(err);
	}
	kesu_names_free(&loops);
	return rc;
}

/* A loop device over a block device is that device: if the device under it
 * belongs to the running system, so does the loop device. */
static enum kesu_rc loop_over_system(const struct kesu_sysroot *r,
				     struct kesu_device *d,
				     const struct kesu_sysdisk *sd, size_t nsd,
				     struct kesu_err *err)
{
	struct stat st;
	char bname[256];
	if (!d->f.loop_backing[0] || r != kesu_sysroot_default() ||
	    stat(d->f.loop_backing, &st) != 0 || !S_ISBLK(st.st_mode) ||
	    !name_of_devno(r, major(st.st_rdev), minor(st.st_rdev), bname, sizeof(bname)))
		return KESU_OK;
	struct kesu_names below = {0};
	if (kesu_stack_disks(r, bname, &below) || kesu_names_add(&below, bname)) {
		kesu_names_free(&below);
		return oom(err);
	}
	enum kesu_rc rc = KESU_OK;
	for (size_t i = 0; i < nsd && rc == KESU_OK; i++) {
		if (!kesu_names_has(&below, sd[i].disk))
			continue;
		struct kesu_dev_sysuse *v =
			realloc(d->f.sysuses, (d->f.n_sysuses + 1) * sizeof(*v));
		if (!v) {
			rc = oom(err);
			break;
		}
		d->f.sysuses = v;
		v += d->f.n_sysuses++;
		*v = sd[i].use;
		kesu_strlcpy(v->via, bname, sizeof(v->via));
	}
	kesu_names_free(&below);
	return rc;
}

/* Mounts, swap, holders and system uses of the disk and its partitions. */
static enum kesu_rc gather_uses(const struct kesu_sysroot *r, struct kesu_device *d,
				struct kesu_err *err)
{
	struct kesu_device_facts *f = &d->f;
	struct kesu_names set = {0};
	enum kesu_rc rc = KESU_OK;
	if (kesu_names_add(&set, f->sysname))
		return oom(err);
	for (size_t i = 0; i < f->partitions.n; i++)
		if (kesu_names_add(&set, f->partitions.v[i])) {
			kesu_names_free(&set);
			return oom(err);
		}
	unsigned (*devs)[2] = calloc(set.n, sizeof(*devs));
	if (!devs) {
		kesu_names_free(&set);
		return oom(err);
	}
	for (size_t i = 0; i < set.n; i++)
		if (!devno_of_name(r, set.v[i], &devs[i][0], &devs[i][1]))
			devs[i][0] = devs[i][1] = ~0u;

	for (size_t i = 0; rc == KESU_OK && i < set.n; i++) {
		char rel[PATH_MAX];
		struct kesu_names h;
		snprintf(rel, sizeof(rel), "class/block/%s/holders", set.v[i]);
		if (kesu_sys_list(r, rel, &h)) {
			rc = oom(err);
			break;
		}
		for (size_t j = 0; j < h.n; j++) {
			struct kesu_dev_holder *v =
				realloc(f->holders, (f->n_holders + 1) * sizeof(*v));
			if (!v) {
				rc = oom(err);
				break;
			}
			f->holders = v;
			v += f->n_holders++;
			memset(v, 0, sizeof(*v));
			kesu_strlcpy(v->device, set.v[i], sizeof(v->device));
			kesu_clean(v->holder, sizeof(v->holder), h.v[j], strlen(h.v[j]));
			sys_attr(r, h.v[j], "dm/name", v->holder_name, sizeof(v->holder_name));
		}
		kesu_names_free(&h);
	}

	char *mi = NULL, *sw = NULL;
	if (rc == KESU_OK)
		rc = read_proc(r, "self/mountinfo", &mi, err);
	if (mi) {
		struct kesu_mount *m;
		size_t nm;
		if (kesu_mountinfo_parse(mi, &m, &nm))
			rc = oom(err);
		free(mi);
		for (size_t i = 0; rc == KESU_OK && i < nm; i++) {
			unsigned maj = m[i].maj, min = m[i].min;
			if (maj == 0 && !devno_of_path(r, m[i].source, &maj, &min))
				continue;
			for (size_t j = 0; j < set.n; j++)
				if (devs[j][0] == maj && devs[j][1] == min) {
					rc = add_mount(f, set.v[j], &m[i], err);
					break;
				}
		}
		free(m);
	}
	if (rc == KESU_OK)
		rc = read_proc(r, "swaps", &sw, err);
	if (sw) {
		struct kesu_swap *s;
		size_t ns;
		if (kesu_swaps_parse(sw, &s, &ns))
			rc = oom(err);
		free(sw);
		for (size_t i = 0; rc == KESU_OK && i < ns; i++) {
			unsigned maj, min;
			if (!devno_of_path(r, s[i].path, &maj, &min))
				continue;
			for (size_t j = 0; j < set.n; j++)
				if (devs[j][0] == maj && devs[j][1] == min) {
					rc = add_swap(f, set.v[j], &s[i], err);
					break;
				}
		}
		free(s);
	}
	free(devs);
	kesu_names_free(&set);
	if (rc)
		return rc;

	struct kesu_sysdisk *sd;
	size_t nsd;
	if ((rc = kesu_system_disks(r, &sd, &nsd, err)))
		return rc;
	const char *disk = f->is_partition ? f->parent : f->sysname;
	for (size_t i = 0; i < nsd; i++) {
		if (strcmp(sd[i].disk, disk))
			continue;
		struct kesu_dev_sysuse *v =
			realloc(f->sysuses, (f->n_sysuses + 1) * sizeof(*v));
		if (!v) {
			free(sd);
			return oom(err);
		}
		f->sysuses = v;
		v[f->n_sysuses++] = sd[i].use;
	}
	rc = loop_over_system(r, d, sd, nsd, err);
	free(sd);
	if (rc)
		return rc;
	if ((rc = gather_attached(r, d, NULL, &f->attached, err)))
		return rc;
	/* Another loop device over the same file shares this medium; its
	 * cache (or a filesystem mounted on it) could write old data back
	 * after the erase. */
	struct stat bst;
	if (f->loop_backing[0] && r == kesu_sysroot_default() &&
	    stat(f->loop_backing, &bst) == 0 && S_ISREG(bst.st_mode))
		return gather_attached(r, d, &bst, &f->sharing, err);
	return KESU_OK;
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
	f->is_partition = sys_attr_exists(r, name, "partition");
	const char *disk = name;
	if (f->is_partition) {
		char p[PATH_MAX];
		kesu_strlcpy(p, f->devpath, sizeof(p));
		char *s = strrchr(p, '/');
		if (!s)
			return gone(err, name);
		*s = '\0';
		kesu_strlcpy(f->parent, base_name(p), sizeof(f->parent));
		disk = f->parent;
	}
	sys_attr(r, name, "dev", v, sizeof(v));
	uint64_t sectors;
	if (!parse_majmin(v, &f->maj, &f->min) || !sys_attr_u64(r, name, "size", &sectors))
		return gone(err, name);
	id->size_bytes = sectors * 512;   /* sysfs counts 512-byte sectors */
	f->no_medium = sectors == 0;       /* card reader, CD drive, zram unset */
	uint64_t x;
	f->ro = sys_attr_u64(r, name, "ro", &x) && x;
	f->removable = sys_attr_u64(r, disk, "removable", &x) && x;
	id->rotational = sys_attr_u64(r, disk, "queue/rotational", &x) && x;
	id->logical_block_size = sys_attr_u64(r, disk, "queue/logical_block_size", &x) &&
				 x <= (1u << 20) ? (uint32_t)x : 512;
	id->physical_block_size = sys_attr_u64(r, disk, "queue/physical_block_size", &x) &&
				  x <= (1u << 20) ? (uint32_t)x : id->logical_block_size;
	if (!sys_attr_u64(r, disk, "queue/discard_max_bytes", &f->discard_max_bytes))
		f->discard_max_bytes = 0;
	char ddisk[PATH_MAX];
	snprintf(rel, sizeof(rel), "class/block/%s", disk);
	if (kesu_sys_resolve(r, rel, ddisk, sizeof(ddisk)) != 0)
		return gone(err, disk);
	kesu_classify(ddisk, disk, id->rotational, id->kind, sizeof(id->kind),
		      id->transport, sizeof(id->transport));
	unsigned dmaj = f->maj, dmin = f->min;
	if (f->is_partition && !devno_of_name(r, disk, &dmaj, &dmin))
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
			return oom(err);
		for (size_t i = 0; i < all.n; i++)
			if (sys_attr_exists(r, all.v[i], "partition") &&
			    !strncmp(all.v[i], name, strlen(name)) &&
			    kesu_names_add(&f->partitions, all.v[i])) {
				kesu_names_free(&all);
				return oom(err);
			}
		kesu_names_free(&all);
	}
	return gather_uses(r, d, err);
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
			if (sys_attr_u64(r, d->f.partitions.v[j], "partition", &x) &&
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

enum kesu_rc kesu_device_probe_name(const struct kesu_sysroot *root,
				    const char *name, unsigned flags,
				    struct kesu_device **out, struct kesu_err *err)
{
	*out = NULL;
	struct kesu_device *d = dev_new(flags);
	if (!d)
		return oom(err);
	enum kesu_rc rc = gather_block(root, name, d, err);
	if (!rc && !kesu_path_join(d->id.path, sizeof(d->id.path), root->dev, name))
		rc = kesu_fail(err, KESU_ERR_NOENT, 0, "%s: path too long", name);
	if (!rc && !(flags & KESU_PROBE_NO_MEDIA))
		rc = read_media(root, d, err);
	if (rc) {
		kesu_device_free(d);
		return rc;
	}
	*out = d;
	return KESU_OK;
}

/* A regular image file; refused only while it is active swap. */
static enum kesu_rc probe_file(const struct kesu_sysroot *r, const char *real,
			       const struct stat *st, struct kesu_device *d,
			       struct kesu_err *err)
{
	struct kesu_identity *id = &d->id;
	d->f.is_file = true;
	kesu_strlcpy(id->path, real, sizeof(id->path));
	kesu_clean(id->name, sizeof(id->name), base_name(real), strlen(base_name(real)));
	kesu_strlcpy(id->kind, "file", sizeof(id->kind));
	kesu_strlcpy(id->transport, "file", sizeof(id->transport));
	id->is_file = true;
	id->size_bytes = (uint64_t)st->st_size;
	id->logical_block_size = 512;
	id->physical_block_size = st->st_blksize > 0 && st->st_blksize <= 65536 ?
				  (uint32_t)st->st_blksize : 4096;
	char *sw;
	enum kesu_rc rrc = read_proc(r, "swaps", &sw, err);
	if (rrc)
		return rrc;
	{
		struct kesu_swap *s;
		size_t ns;
		int prc = kesu_swaps_parse(sw, &s, &ns);
		free(sw);
		if (prc)
			return oom(err);
		for (size_t i = 0; i < ns; i++) {
			struct stat ss;
			if (stat(s[i].path, &ss) == 0 && S_ISREG(ss.st_mode) &&
			    ss.st_dev == st->st_dev && ss.st_ino == st->st_ino &&
			    add_swap(&d->f, id->name, &s[i], err)) {
				free(s);
				return KESU_ERR_INTERNAL;
			}
		}
		free(s);
	}
	return gather_attached(r, d, st, &d->f.attached, err);
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
		if (!name_of_devno(root, major(st.st_rdev), minor(st.st_rdev), name,
				   sizeof(name)))
			return kesu_fail(err, KESU_ERR_GONE, ENODEV,
					 "%s: no device %u:%u behind this node (it "
					 "disappeared); check it is attached and run kesu again",
					 path, major(st.st_rdev), minor(st.st_rdev));
		struct kesu_device *d = dev_new(flags);
		if (!d)
			return oom(err);
		enum kesu_rc rc = gather_block(root, name, d, err);
		if (!rc && !realpath(path, d->id.path))
			rc = kesu_fail(err, KESU_ERR_GONE, errno,
				       "%s disappeared while being inspected; check it "
				       "is still attached and run kesu again", path);
		if (!rc && !(flags & KESU_PROBE_NO_MEDIA))
			rc = read_media(root, d, err);
		if (rc) {
			kesu_device_free(d);
			return rc;
		}
		*out = d;
		return KESU_OK;
	}
	if (!S_ISREG(st.st_mode))
		return kesu_fail(err, KESU_ERR_NOTSUP, 0,
				 "%s: not a block device or regular image file; give a "
				 "whole disk such as /dev/sdX (see 'kesu list')", path);
	struct kesu_device *d = dev_new(flags);
	if (!d)
		return oom(err);
	char real[PATH_MAX];
	enum kesu_rc rc = KESU_OK;
	if (!realpath(path, real))
		rc = kesu_fail(err, KESU_ERR_GONE, errno,
			       "%s disappeared while being inspected; run kesu again", path);
	if (!rc)
		rc = probe_file(root, real, &st, d, err);
	if (!rc && !(flags & KESU_PROBE_NO_MEDIA))
		rc = read_media(root, d, err);
	if (rc) {
		kesu_device_free(d);
		return rc;
	}
	*out = d;
	return KESU_OK;
}

enum kesu_rc kesu_device_probe(const char *path, struct kesu_device **out,
			       struct kesu_err *err)
{
	return kesu_device_probe_at(kesu_sysroot_default(), path, 0, out, err);
}
