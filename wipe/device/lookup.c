/* Looking block devices up in sysfs by name, number and path, and reading
 * the /proc files the gate depends on: shared by the device probe
 * (device.c), its system-disk detection (stack.c) and its uses (uses.c). */
#include "wipe/device/device_priv.h"
#include "lib/fileio.h"
#include "lib/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const char *kesu_dev_base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* A /proc file the gate depends on: failing to read it must never look
 * like "nothing is mounted".  /proc/swaps alone may be absent (a kernel
 * without swap support) when /proc itself is there. */
enum kesu_rc kesu_dev_read_proc(const struct kesu_sysroot *r, const char *rel,
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
		return *out ? KESU_OK : kesu_dev_oom(err);
	}
	return kesu_fail(err, KESU_ERR_IO, errno,
			 "cannot read %s, needed to tell which disks are in use; "
			 "mount /proc and run kesu again", p);
}

/* Read and clean a sysfs string attribute; "" if absent. */
void kesu_dev_sys_str(const struct kesu_sysroot *r, const char *rel, char *out,
		    size_t outsz)
{
	char buf[1024];
	ssize_t n = kesu_sys_read(r, rel, buf, sizeof(buf));
	out[0] = '\0';
	if (n > 0)
		kesu_clean(out, outsz, buf, (size_t)n);
}

void kesu_dev_attr(const struct kesu_sysroot *r, const char *name,
		     const char *attr, char *out, size_t outsz)
{
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "class/block/%s/%s", name, attr);
	kesu_dev_sys_str(r, rel, out, outsz);
}

bool kesu_dev_attr_u64(const struct kesu_sysroot *r, const char *name,
			 const char *attr, uint64_t *v)
{
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "class/block/%s/%s", name, attr);
	return kesu_sys_read_u64(r, rel, v) == 0;
}

bool kesu_dev_attr_exists(const struct kesu_sysroot *r, const char *name,
			    const char *attr)
{
	char rel[PATH_MAX];
	snprintf(rel, sizeof(rel), "class/block/%s/%s", name, attr);
	return kesu_sys_exists(r, rel);
}

bool kesu_dev_parse_majmin(const char *s, unsigned *maj, unsigned *min)
{
	return sscanf(s, "%u:%u", maj, min) == 2;
}

/* Kernel name of the block device maj:min, or false. */
bool kesu_dev_name_of_devno(const struct kesu_sysroot *r, unsigned maj, unsigned min,
			  char *out, size_t outsz)
{
	char rel[64], res[PATH_MAX];
	snprintf(rel, sizeof(rel), "dev/block/%u:%u", maj, min);
	if (kesu_sys_resolve(r, rel, res, sizeof(res)) != 0)
		return false;
	return kesu_strlcpy(out, kesu_dev_base_name(res), outsz);
}

/* maj:min of the block device a /proc path names ("/dev/dm-1",
 * "/dev/mapper/x"), through the root's /dev, else by kernel name. */
bool kesu_dev_devno_of_path(const struct kesu_sysroot *r, const char *path,
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
	kesu_dev_attr(r, kesu_dev_base_name(path), "dev", v, sizeof(v));
	return kesu_dev_parse_majmin(v, maj, min);
}

enum kesu_rc kesu_dev_oom(struct kesu_err *err)
{
	return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
}

bool kesu_dev_devno_of_name(const struct kesu_sysroot *r, const char *name,
			  unsigned *maj, unsigned *min)
{
	char v[32];
	kesu_dev_attr(r, name, "dev", v, sizeof(v));
	return kesu_dev_parse_majmin(v, maj, min);
}
