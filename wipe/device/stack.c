/* Which physical disks the running system lives on: the disks under the
 * system mount points and active swap, following dm/md/LVM slaves and
 * partition parents down. */
#include "wipe/device/device_priv.h"
#include "lib/array.h"
#include "lib/strutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

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
		if (kesu_dev_attr_exists(root, cur, "partition")) {
			snprintf(rel, sizeof(rel), "class/block/%s", cur);
			if (kesu_sys_resolve(root, rel, res, sizeof(res)) == 0) {
				char *slash = strrchr(res, '/');
				if (slash) {
					*slash = '\0';
					kesu_strlcpy(parent, kesu_dev_base_name(res), sizeof(parent));
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
		struct kesu_sysdisk *v = KESU_APPEND(*out, *n);
		if (!v) {
			rc = -ENOMEM;
			break;
		}
		kesu_strlcpy(v->disk, disks.v[i], sizeof(v->disk));
		kesu_strlcpy(v->use.what, what, sizeof(v->use.what));
		kesu_strlcpy(v->use.via, via, sizeof(v->use.via));
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
	enum kesu_rc prc = kesu_dev_read_proc(root, "self/mountinfo", &mi, err);
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
		if (maj == 0 && !kesu_dev_devno_of_path(root, m[i].source, &maj, &min))
			continue;
		if (!kesu_dev_name_of_devno(root, maj, min, name, sizeof(name)))
			continue;
		rc = add_sysdisks(root, name, m[i].mountpoint, out, n);
	}
	free(m);
	if (rc == 0 && (prc = kesu_dev_read_proc(root, "swaps", &sw, err))) {
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
			if (kesu_dev_devno_of_path(root, s[i].path, &maj, &min)) {
				/* swap partition or volume */
			} else if (kesu_path_join(p, sizeof(p), "/", s[i].path) &&
				   root == kesu_sysroot_default() && stat(p, &st) == 0) {
				/* swap file: the disk of its filesystem */
				maj = major(st.st_dev);
				min = minor(st.st_dev);
			} else {
				continue;
			}
			if (!kesu_dev_name_of_devno(root, maj, min, name, sizeof(name)))
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
