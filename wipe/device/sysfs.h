/* Reading the kernel's view of block devices (sysfs, /proc, /dev, the udev
 * database) through a configurable root, so unit tests can run the same code
 * against fixture trees under tests/fixtures/sysfs/<case>/. */
#ifndef KESU_SYSFS_H
#define KESU_SYSFS_H

#include "lib/error.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kesu_sysroot {
	const char *sys;   /* "/sys" */
	const char *dev;   /* "/dev" */
	const char *proc;  /* "/proc" */
	const char *run;   /* "/run" */
};

/* The running system's tree. */
const struct kesu_sysroot *kesu_sysroot_default(void);

/* Build "<base>/<rel...>" into out (PATH_MAX); false if it does not fit. */
bool kesu_path_join(char *out, size_t outsz, const char *base, const char *rel);

/* Read a sysfs attribute (at most bufsz-1 bytes, NUL-terminated, raw bytes,
 * trailing newline kept).  Returns the byte count, or -errno. */
ssize_t kesu_sys_read(const struct kesu_sysroot *r, const char *rel, char *buf,
		      size_t bufsz);

/* Read an attribute holding one unsigned decimal number.  -errno, -EINVAL if
 * it is not a number, else 0. */
int kesu_sys_read_u64(const struct kesu_sysroot *r, const char *rel, uint64_t *out);

/* True if "<sys>/<rel>" exists. */
bool kesu_sys_exists(const struct kesu_sysroot *r, const char *rel);

/* Resolve "<sys>/<rel>" (following links) and give the result relative to
 * the sys root, e.g. "/devices/pci0000:00/.../block/sda".  0 or -errno. */
int kesu_sys_resolve(const struct kesu_sysroot *r, const char *rel, char *out,
		     size_t outsz);

/* Names in directory "<sys>/<rel>" (no dot entries), sorted; the caller frees
 * with kesu_names_free.  A missing directory gives an empty list. */
struct kesu_names {
	char **v;
	size_t n;
};
int kesu_sys_list(const struct kesu_sysroot *r, const char *rel,
		  struct kesu_names *out);
void kesu_names_free(struct kesu_names *n);
int kesu_names_add(struct kesu_names *n, const char *s);
bool kesu_names_has(const struct kesu_names *n, const char *s);

#endif
