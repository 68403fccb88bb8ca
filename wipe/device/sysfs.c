#include "wipe/device/sysfs.h"
#include "lib/array.h"
#include "lib/strutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct kesu_sysroot default_root = {
	.sys = "/sys", .dev = "/dev", .proc = "/proc", .run = "/run",
};

const struct kesu_sysroot *kesu_sysroot_default(void)
{
	return &default_root;
}

bool kesu_path_join(char *out, size_t outsz, const char *base, const char *rel)
{
	while (*rel == '/')
		rel++;
	int n = snprintf(out, outsz, "%s/%s", base, rel);
	return n >= 0 && (size_t)n < outsz;
}

ssize_t kesu_sys_read(const struct kesu_sysroot *r, const char *rel, char *buf,
		      size_t bufsz)
{
	char p[PATH_MAX];
	if (bufsz == 0)
		return -EINVAL;
	buf[0] = '\0';
	if (!kesu_path_join(p, sizeof(p), r->sys, rel))
		return -ENAMETOOLONG;
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	while (got < bufsz - 1) {
		ssize_t n = read(fd, buf + got, bufsz - 1 - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

int kesu_sys_read_u64(const struct kesu_sysroot *r, const char *rel, uint64_t *out)
{
	char buf[64];
	ssize_t n = kesu_sys_read(r, rel, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	char *end;
	errno = 0;
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	unsigned long long v = strtoull(buf, &end, 10);
	if (errno || (*end && *end != '\n'))
		return -EINVAL;
	*out = v;
	return 0;
}

bool kesu_sys_exists(const struct kesu_sysroot *r, const char *rel)
{
	char p[PATH_MAX];
	return kesu_path_join(p, sizeof(p), r->sys, rel) && access(p, F_OK) == 0;
}

int kesu_sys_resolve(const struct kesu_sysroot *r, const char *rel, char *out,
		     size_t outsz)
{
	char p[PATH_MAX], rootabs[PATH_MAX], full[PATH_MAX];
	if (!kesu_path_join(p, sizeof(p), r->sys, rel))
		return -ENAMETOOLONG;
	if (!realpath(r->sys, rootabs) || !realpath(p, full))
		return -errno;
	size_t rl = strlen(rootabs);
	if (!strcmp(rootabs, "/"))
		rl = 0;
	if (strncmp(full, rootabs, rl) != 0 || (full[rl] != '/' && full[rl] != '\0'))
		return -EXDEV;  /* a link that leaves the tree: not sysfs */
	if (!kesu_strlcpy(out, full[rl] ? full + rl : "/", outsz))
		return -ENAMETOOLONG;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

int kesu_names_add(struct kesu_names *n, const char *s)
{
	char *copy = strdup(s);
	char **v = copy ? KESU_APPEND(n->v, n->n) : NULL;
	if (!v) {
		free(copy);
		return -ENOMEM;
	}
	*v = copy;
	return 0;
}

bool kesu_names_has(const struct kesu_names *n, const char *s)
{
	for (size_t i = 0; i < n->n; i++)
		if (!strcmp(n->v[i], s))
			return true;
	return false;
}

void kesu_names_free(struct kesu_names *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->v[i]);
	free(n->v);
	n->v = NULL;
	n->n = 0;
}

int kesu_sys_list(const struct kesu_sysroot *r, const char *rel,
		  struct kesu_names *out)
{
	char p[PATH_MAX];
	out->v = NULL;
	out->n = 0;
	if (!kesu_path_join(p, sizeof(p), r->sys, rel))
		return -ENAMETOOLONG;
	DIR *d = opendir(p);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (kesu_names_add(out, e->d_name) < 0) {
			closedir(d);
			kesu_names_free(out);
			return -ENOMEM;
		}
	}
	closedir(d);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	return 0;
}
