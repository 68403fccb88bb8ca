/* What holds a device now: mounts, swap, holders (dm, md), system uses
 * found through stacking, and loop devices over it or over its backing
 * file. */
#include "wipe/device/device_priv.h"
#include "lib/array.h"
#include "lib/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static enum kesu_rc add_mount(struct kesu_device_facts *f, const char *dev,
			      const struct kesu_mount *m, struct kesu_err *err)
{
	struct kesu_dev_mount *v = KESU_APPEND(f->mounts, f->n_mounts);
	if (!v)
		return kesu_dev_oom(err);
	kesu_strlcpy(v->device, dev, sizeof(v->device));
	kesu_clean(v->mountpoint, sizeof(v->mountpoint), m->mountpoint,
		   strlen(m->mountpoint));
	kesu_clean(v->fstype, sizeof(v->fstype), m->fstype, strlen(m->fstype));
	return KESU_OK;
}

enum kesu_rc kesu_dev_add_swap(struct kesu_device_facts *f, const char *dev,
			     const struct kesu_swap *s, struct kesu_err *err)
{
	struct kesu_dev_swap *v = KESU_APPEND(f->swaps, f->n_swaps);
	if (!v)
		return kesu_dev_oom(err);
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
enum kesu_rc kesu_dev_gather_attached(const struct kesu_sysroot *r, struct kesu_device *d,
				    const struct stat *file, struct kesu_names *out,
				    struct kesu_err *err)
{
	if (r != kesu_sysroot_default())
		return KESU_OK;
	struct kesu_names loops;
	if (kesu_sys_list(r, "block", &loops))
		return kesu_dev_oom(err);
	enum kesu_rc rc = KESU_OK;
	for (size_t i = 0; i < loops.n && rc == KESU_OK; i++) {
		if (strncmp(loops.v[i], "loop", 4) != 0 || !strcmp(loops.v[i], d->f.sysname))
			continue;
		char back[PATH_MAX];
		kesu_dev_attr(r, loops.v[i], "loop/backing_file", back, sizeof(back));
		struct stat st;
		if (!back[0] || stat(back, &st) != 0)
			continue;
		bool hit = false;
		if (file)
			hit = S_ISREG(st.st_mode) && st.st_dev == file->st_dev &&
			      st.st_ino == file->st_ino;
		else if (S_ISBLK(st.st_mode)) {
			char bname[256];
			hit = kesu_dev_name_of_devno(r, major(st.st_rdev), minor(st.st_rdev),
					    bname, sizeof(bname)) &&
			      (!strcmp(bname, d->f.sysname) ||
			       kesu_names_has(&d->f.partitions, bname));
		}
		if (hit && kesu_names_add(out, loops.v[i]))
			rc = kesu_dev_oom(err);
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
	    !kesu_dev_name_of_devno(r, major(st.st_rdev), minor(st.st_rdev), bname, sizeof(bname)))
		return KESU_OK;
	struct kesu_names below = {0};
	if (kesu_stack_disks(r, bname, &below) || kesu_names_add(&below, bname)) {
		kesu_names_free(&below);
		return kesu_dev_oom(err);
	}
	enum kesu_rc rc = KESU_OK;
	for (size_t i = 0; i < nsd && rc == KESU_OK; i++) {
		if (!kesu_names_has(&below, sd[i].disk))
			continue;
		struct kesu_dev_sysuse *v = KESU_APPEND(d->f.sysuses, d->f.n_sysuses);
		if (!v) {
			rc = kesu_dev_oom(err);
			break;
		}
		*v = sd[i].use;
		kesu_strlcpy(v->via, bname, sizeof(v->via));
	}
	kesu_names_free(&below);
	return rc;
}

/* The disk and its partitions, by name and by device number. */
struct devset {
	struct kesu_names names;
	unsigned (*devs)[2];       /* ~0u: number unknown */
};

static void devset_free(struct devset *s)
{
	kesu_names_free(&s->names);
	free(s->devs);
}

static enum kesu_rc devset_init(const struct kesu_sysroot *r, const struct kesu_device_facts *f,
				struct devset *s, struct kesu_err *err)
{
	memset(s, 0, sizeof(*s));
	bool ok = kesu_names_add(&s->names, f->sysname) == 0;
	for (size_t i = 0; ok && i < f->partitions.n; i++)
		ok = kesu_names_add(&s->names, f->partitions.v[i]) == 0;
	if (ok)
		s->devs = calloc(s->names.n, sizeof(*s->devs));
	if (!ok || !s->devs) {
		devset_free(s);
		return kesu_dev_oom(err);
	}
	for (size_t i = 0; i < s->names.n; i++)
		if (!kesu_dev_devno_of_name(r, s->names.v[i], &s->devs[i][0], &s->devs[i][1]))
			s->devs[i][0] = s->devs[i][1] = ~0u;
	return KESU_OK;
}

/* The member with number maj:min, or NULL. */
static const char *devset_find(const struct devset *s, unsigned maj, unsigned min)
{
	for (size_t j = 0; j < s->names.n; j++)
		if (s->devs[j][0] == maj && s->devs[j][1] == min)
			return s->names.v[j];
	return NULL;
}

static enum kesu_rc gather_holders(const struct kesu_sysroot *r, struct kesu_device_facts *f,
				   const struct devset *set, struct kesu_err *err)
{
	enum kesu_rc rc = KESU_OK;
	for (size_t i = 0; rc == KESU_OK && i < set->names.n; i++) {
		char rel[PATH_MAX];
		struct kesu_names h;
		snprintf(rel, sizeof(rel), "class/block/%s/holders", set->names.v[i]);
		if (kesu_sys_list(r, rel, &h))
			return kesu_dev_oom(err);
		for (size_t j = 0; j < h.n; j++) {
			struct kesu_dev_holder *v = KESU_APPEND(f->holders, f->n_holders);
			if (!v) {
				rc = kesu_dev_oom(err);
				break;
			}
			kesu_strlcpy(v->device, set->names.v[i], sizeof(v->device));
			kesu_clean(v->holder, sizeof(v->holder), h.v[j], strlen(h.v[j]));
			kesu_dev_attr(r, h.v[j], "dm/name", v->holder_name, sizeof(v->holder_name));
		}
		kesu_names_free(&h);
	}
	return rc;
}

static enum kesu_rc gather_mounts(const struct kesu_sysroot *r, struct kesu_device_facts *f,
				  const struct devset *set, struct kesu_err *err)
{
	char *mi = NULL;
	enum kesu_rc rc = kesu_dev_read_proc(r, "self/mountinfo", &mi, err);
	if (rc != KESU_OK)
		return rc;
	struct kesu_mount *m;
	size_t nm;
	if (kesu_mountinfo_parse(mi, &m, &nm))
		rc = kesu_dev_oom(err);
	free(mi);
	for (size_t i = 0; rc == KESU_OK && i < nm; i++) {
		unsigned maj = m[i].maj, min = m[i].min;
		if (maj == 0 && !kesu_dev_devno_of_path(r, m[i].source, &maj, &min))
			continue;
		const char *dev = devset_find(set, maj, min);
		if (dev)
			rc = add_mount(f, dev, &m[i], err);
	}
	free(m);
	return rc;
}

static enum kesu_rc gather_swaps(const struct kesu_sysroot *r, struct kesu_device_facts *f,
				 const struct devset *set, struct kesu_err *err)
{
	char *sw = NULL;
	enum kesu_rc rc = kesu_dev_read_proc(r, "swaps", &sw, err);
	if (rc != KESU_OK)
		return rc;
	struct kesu_swap *s;
	size_t ns;
	if (kesu_swaps_parse(sw, &s, &ns))
		rc = kesu_dev_oom(err);
	free(sw);
	for (size_t i = 0; rc == KESU_OK && i < ns; i++) {
		unsigned maj, min;
		if (!kesu_dev_devno_of_path(r, s[i].path, &maj, &min))
			continue;
		const char *dev = devset_find(set, maj, min);
		if (dev)
			rc = kesu_dev_add_swap(f, dev, &s[i], err);
	}
	free(s);
	return rc;
}

/* The system mount points and swap that live on this disk, directly or
 * through the device a loop device sits on. */
static enum kesu_rc gather_sysuses(const struct kesu_sysroot *r, struct kesu_device *d,
				   struct kesu_err *err)
{
	struct kesu_device_facts *f = &d->f;
	struct kesu_sysdisk *sd;
	size_t nsd;
	enum kesu_rc rc = kesu_system_disks(r, &sd, &nsd, err);
	if (rc != KESU_OK)
		return rc;
	const char *disk = f->is_partition ? f->parent : f->sysname;
	for (size_t i = 0; i < nsd; i++) {
		if (strcmp(sd[i].disk, disk))
			continue;
		struct kesu_dev_sysuse *v = KESU_APPEND(f->sysuses, f->n_sysuses);
		if (!v) {
			free(sd);
			return kesu_dev_oom(err);
		}
		*v = sd[i].use;
	}
	rc = loop_over_system(r, d, sd, nsd, err);
	free(sd);
	return rc;
}

/* Mounts, swap, holders and system uses of the disk and its partitions. */
enum kesu_rc kesu_dev_gather_uses(const struct kesu_sysroot *r, struct kesu_device *d,
				  struct kesu_err *err)
{
	struct kesu_device_facts *f = &d->f;
	struct devset set;
	enum kesu_rc rc = devset_init(r, f, &set, err);
	if (rc != KESU_OK)
		return rc;
	rc = gather_holders(r, f, &set, err);
	if (rc == KESU_OK)
		rc = gather_mounts(r, f, &set, err);
	if (rc == KESU_OK)
		rc = gather_swaps(r, f, &set, err);
	devset_free(&set);
	if (rc == KESU_OK)
		rc = gather_sysuses(r, d, err);
	if (rc == KESU_OK)
		rc = kesu_dev_gather_attached(r, d, NULL, &f->attached, err);
	if (rc != KESU_OK)
		return rc;
	/* Another loop device over the same file shares this medium; its
	 * cache (or a filesystem mounted on it) could write old data back
	 * after the erase. */
	struct stat bst;
	if (f->loop_backing[0] && r == kesu_sysroot_default() &&
	    stat(f->loop_backing, &bst) == 0 && S_ISREG(bst.st_mode))
		return kesu_dev_gather_attached(r, d, &bst, &f->sharing, err);
	return KESU_OK;
}
