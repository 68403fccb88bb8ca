#include "lib/fileio.h"
#include "lib/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static enum kesu_rc write_all(int fd, const void *data, size_t len,
			      const char *path, struct kesu_err *err)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return kesu_fail(err, KESU_ERR_IO, errno, "%s: write failed: %s",
					 path, strerror(errno));
		}
		p += n;
		len -= (size_t)n;
	}
	return KESU_OK;
}

enum kesu_rc kesu_fsync_parent(const char *path, struct kesu_err *err)
{
	char dir[PATH_MAX];
	if (!kesu_path_dirname(path, dir, sizeof(dir)))
		return kesu_fail(err, KESU_ERR_INVALID, ENAMETOOLONG,
				 "%s: path too long", path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return kesu_fail(err, KESU_ERR_IO, errno, "%s: cannot open directory: %s",
				 dir, strerror(errno));
	int rc = fsync(fd);
	int e = errno;
	close(fd);
	if (rc < 0)
		return kesu_fail(err, KESU_ERR_IO, e, "%s: fsync failed: %s", dir,
				 strerror(e));
	return KESU_OK;
}

bool kesu_path_dirname(const char *path, char *dir, size_t dirsz)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return snprintf(dir, dirsz, ".") < (int)dirsz;
	size_t n = (size_t)(slash - path);
	if (n == 0)
		n = 1;
	if (n >= dirsz)
		return false;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return true;
}

enum kesu_rc kesu_write_atomic(const char *path, const void *data, size_t len,
			       mode_t mode, struct kesu_err *err)
{
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(tmp))
		return kesu_fail(err, KESU_ERR_INVALID, ENAMETOOLONG,
				 "%s: path too long", path);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return kesu_fail(err, errno == EACCES ? KESU_ERR_PERM : KESU_ERR_IO,
				 errno, "%s: cannot create file: %s", path,
				 strerror(errno));
	enum kesu_rc rc = KESU_OK;
	if (fchmod(fd, mode) < 0)
		rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: chmod failed: %s", tmp,
			       strerror(errno));
	if (rc == KESU_OK)
		rc = write_all(fd, data, len, tmp, err);
	if (rc == KESU_OK && fsync(fd) < 0)
		rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: fsync failed: %s", tmp,
			       strerror(errno));
	if (close(fd) < 0 && rc == KESU_OK)
		rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: close failed: %s", tmp,
			       strerror(errno));
	if (rc == KESU_OK && rename(tmp, path) < 0)
		rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: rename failed: %s", path,
			       strerror(errno));
	if (rc != KESU_OK) {
		unlink(tmp);
		return rc;
	}
	return kesu_fsync_parent(path, err);
}

enum kesu_rc kesu_read_file(const char *path, size_t max, char **out,
			    size_t *len, struct kesu_err *err)
{
	*out = NULL;
	if (len)
		*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		enum kesu_rc rc = errno == ENOENT ? KESU_ERR_NOENT
				  : errno == EACCES ? KESU_ERR_PERM
						    : KESU_ERR_IO;
		return kesu_fail(err, rc, errno, "%s: cannot open: %s", path,
				 strerror(errno));
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf) {
		close(fd);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	for (;;) {
		if (n == cap) {
			if (cap > max) {
				free(buf);
				close(fd);
				return kesu_fail(err, KESU_ERR_INVALID, EFBIG,
						 "%s: larger than %zu bytes", path, max);
			}
			cap *= 2;
			char *nb = realloc(buf, cap + 1);
			if (!nb) {
				free(buf);
				close(fd);
				return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM,
						 "out of memory");
			}
			buf = nb;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			return kesu_fail(err, KESU_ERR_IO, e, "%s: read failed: %s", path,
					 strerror(e));
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > max) {
		free(buf);
		return kesu_fail(err, KESU_ERR_INVALID, EFBIG,
				 "%s: larger than %zu bytes", path, max);
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return KESU_OK;
}

enum kesu_rc kesu_mkdir_p(const char *dir, mode_t mode, struct kesu_err *err)
{
	char buf[PATH_MAX];
	if (!kesu_strlcpy(buf, dir, sizeof(buf)))
		return kesu_fail(err, KESU_ERR_INVALID, ENAMETOOLONG,
				 "%s: path too long", dir);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return kesu_fail(err,
						 errno == EACCES ? KESU_ERR_PERM : KESU_ERR_IO,
						 errno, "%s: cannot create directory: %s",
						 buf, strerror(errno));
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return kesu_fail(err, KESU_ERR_IO, ENOTDIR, "%s: not a directory", dir);
	return KESU_OK;
}

bool kesu_exe_dir_has(const char *name, char *exe_dir, size_t size)
{
	char exe[PATH_MAX], beside[PATH_MAX + 64];
	exe_dir[0] = '\0';
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	if (!kesu_strlcpy(exe_dir, exe, size))
		return exe_dir[0] = '\0', false;
	struct stat st;
	/* A directory: /usr/bin/locale is a program. */
	return (size_t)snprintf(beside, sizeof(beside), "%s/%s", exe, name) < sizeof(beside) &&
	       stat(beside, &st) == 0 && S_ISDIR(st.st_mode);
}
