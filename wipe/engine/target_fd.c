/* The real target: a whole block device or an image file, opened O_DIRECT so
 * writes and verification reads go to the medium, not the page cache, and
 * held exclusively for the whole run.  A spot check opens the same way but
 * read-only and without the exclusive claim (kesu_target_open_readonly). */
#include "wipe/engine/target.h"
#include "wipe/engine/target_uring.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

struct fd_priv {
	int fd;
	bool blk;
	struct kesu_uring *ring; /* while the engine runs queued */
};

static int fd_of(struct kesu_target *t)
{
	return ((struct fd_priv *)t->priv)->fd;
}

static ssize_t fd_pwrite(struct kesu_target *t, const void *buf, size_t len,
			 uint64_t off)
{
	ssize_t n;
	do
		n = pwrite(fd_of(t), buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? n : -EIO;
}

static ssize_t fd_pread(struct kesu_target *t, void *buf, size_t len, uint64_t off)
{
	ssize_t n;
	do
		n = pread(fd_of(t), buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? n : -EIO;
}

static int fd_sync(struct kesu_target *t)
{
	return fdatasync(fd_of(t)) < 0 ? -errno : 0;
}

static int fd_drop_cache(struct kesu_target *t)
{
	struct fd_priv *p = t->priv;
	if (p->blk)
		return ioctl(p->fd, BLKFLSBUF, 0) < 0 ? -errno : 0;
	int e = posix_fadvise(p->fd, 0, 0, POSIX_FADV_DONTNEED);
	return e ? -e : 0;
}

static int fd_size_now(struct kesu_target *t, uint64_t *size)
{
	struct fd_priv *p = t->priv;
	if (p->blk)
		return ioctl(p->fd, BLKGETSIZE64, size) < 0 ? -errno : 0;
	struct stat st;
	if (fstat(p->fd, &st) < 0)
		return -errno;
	if (st.st_nlink == 0)
		return -ENODEV; /* the image file was deleted under us */
	*size = (uint64_t)st.st_size;
	return 0;
}

static int q_setup(struct kesu_target *t, unsigned depth, void *const *bufs,
		   unsigned nbufs, size_t buf_len, bool *registered, char *why, size_t whysz)
{
	struct fd_priv *p = t->priv;
	kesu_uring_free(p->ring);
	p->ring = NULL;
	return kesu_uring_setup(p->fd, depth, bufs, nbufs, buf_len, registered, why, whysz,
				&p->ring);
}

static int q_submit(struct kesu_target *t, struct kesu_io_req *r)
{
	return kesu_uring_submit(((struct fd_priv *)t->priv)->ring, r);
}

static int q_wait(struct kesu_target *t, struct kesu_io_req **done)
{
	return kesu_uring_wait(((struct fd_priv *)t->priv)->ring, done);
}

static void q_teardown(struct kesu_target *t)
{
	struct fd_priv *p = t->priv;
	kesu_uring_free(p->ring);
	p->ring = NULL;
}

static const struct kesu_target_queue_ops fd_queue_ops = {
	.setup = q_setup,
	.submit = q_submit,
	.wait = q_wait,
	.teardown = q_teardown,
};

static void fd_close(struct kesu_target *t)
{
	struct fd_priv *p = t->priv;
	kesu_uring_free(p->ring);
	close(p->fd);
	free(p);
	free(t);
}

static const struct kesu_target_ops fd_ops = {
	.pwrite = fd_pwrite,
	.pread = fd_pread,
	.sync = fd_sync,
	.drop_cache = fd_drop_cache,
	.size_now = fd_size_now,
	.close = fd_close,
};

/* Reading needs no write op at all: a read-only target cannot write even
 * through a bug in its caller (and its descriptor is O_RDONLY as well). */
static const struct kesu_target_ops fd_ro_ops = {
	.pread = fd_pread,
	.drop_cache = fd_drop_cache,
	.size_now = fd_size_now,
	.close = fd_close,
};

static enum kesu_rc open_blk(const char *path, bool ro, int *fd, uint64_t *size,
			     uint32_t *bs, struct kesu_err *err)
{
	/* O_EXCL on a block device fails with EBUSY while anything holds it:
	 * a mounted file system, a RAID or LVM member, another kesu.  Reading
	 * claims nothing, so a check never stands in anyone's way. */
	*fd = open(path, ro ? O_RDONLY | O_DIRECT | O_CLOEXEC
			    : O_RDWR | O_DIRECT | O_EXCL | O_CLOEXEC);
	if (*fd < 0) {
		int e = errno;
		if (e == EBUSY)
			return kesu_fail(err, KESU_ERR_REFUSED, e,
					 "%s is in use (mounted, part of a RAID/LVM, or open by "
					 "another program); unmount or release it first",
					 path);
		if (ro && (e == EACCES || e == EPERM))
			return kesu_fail(err, KESU_ERR_PERM, e,
					 "%s: cannot open for reading (%s); run kesu as root",
					 path, strerror(e));
		if (e == EACCES || e == EPERM || e == EROFS)
			return kesu_fail(err, KESU_ERR_PERM, e,
					 "%s: cannot open for writing (%s); run kesu as root "
					 "and check the device is not write-protected",
					 path, strerror(e));
		if (e == ENOENT || e == ENXIO || e == ENODEV || e == ENOMEDIUM)
			return kesu_fail(err, KESU_ERR_NOENT, e,
					 "%s: no such device (%s); check the name with 'kesu list'",
					 path, strerror(e));
		return kesu_fail(err, KESU_ERR_IO, e, "%s: cannot open: %s", path,
				 strerror(e));
	}
	int lbs = 0;
	if (ioctl(*fd, BLKGETSIZE64, size) < 0 || ioctl(*fd, BLKSSZGET, &lbs) < 0 ||
	    lbs <= 0) {
		int e = errno;
		close(*fd);
		return kesu_fail(err, KESU_ERR_IO, e,
				 "%s: cannot read the device's size and block size: %s", path,
				 strerror(e));
	}
	*bs = (uint32_t)lbs;
	return KESU_OK;
}

static enum kesu_rc open_file(const char *path, bool ro, int *fd, uint64_t *size,
			      uint32_t *bs, struct kesu_err *err)
{
	int mode = ro ? O_RDONLY : O_RDWR;
	*fd = open(path, mode | O_DIRECT | O_CLOEXEC | O_NOFOLLOW);
	if (*fd < 0 && errno == EINVAL) {
		/* tmpfs has no O_DIRECT; there the page cache is the medium,
		 * so buffered I/O reads back what is really stored. */
		int tfd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		struct statfs sf;
		bool tmpfs = tfd >= 0 && fstatfs(tfd, &sf) == 0 &&
			     (sf.f_type == TMPFS_MAGIC || sf.f_type == RAMFS_MAGIC);
		if (tfd >= 0)
			close(tfd);
		if (!tmpfs)
			return kesu_fail(err, KESU_ERR_NOTSUP, EINVAL,
					 "%s: the file system does not support direct I/O, so "
					 "verification could read a cache; move the image",
					 path);
		*fd = open(path, mode | O_CLOEXEC | O_NOFOLLOW);
	}
	if (*fd < 0) {
		int e = errno;
		return kesu_fail(err, e == EACCES || e == EPERM ? KESU_ERR_PERM : KESU_ERR_IO,
				 e, "%s: cannot open for %s: %s", path,
				 ro ? "reading" : "writing", strerror(e));
	}
	if (!ro && flock(*fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(*fd);
		return kesu_fail(err, KESU_ERR_REFUSED, e,
				 "%s is locked by another program (another kesu?); wait for "
				 "it to finish",
				 path);
	}
	struct stat st;
	if (fstat(*fd, &st) < 0) {
		int e = errno;
		close(*fd);
		return kesu_fail(err, KESU_ERR_IO, e, "%s: %s", path, strerror(e));
	}
	*size = (uint64_t)st.st_size;
	*bs = 512;
	if (*size % 512) {
		close(*fd);
		return kesu_fail(err, KESU_ERR_NOTSUP, 0,
				 "%s: size %llu is not a multiple of 512 bytes; it is not a "
				 "disk image",
				 path, (unsigned long long)*size);
	}
	return KESU_OK;
}

static enum kesu_rc open_target(const char *path, bool ro, struct kesu_target **out,
				struct kesu_err *err)
{
	*out = NULL;
	struct stat st;
	if (stat(path, &st) < 0)
		return kesu_fail(err, KESU_ERR_NOENT, errno,
				 "%s: no such device or file; check the name with 'kesu list'",
				 path);
	int fd = -1;
	uint64_t size = 0;
	uint32_t bs = 0;
	enum kesu_rc rc;
	bool blk = S_ISBLK(st.st_mode);
	if (blk)
		rc = open_blk(path, ro, &fd, &size, &bs, err);
	else if (S_ISREG(st.st_mode))
		rc = open_file(path, ro, &fd, &size, &bs, err);
	else
		return kesu_fail(err, KESU_ERR_NOTSUP, 0,
				 "%s is neither a block device nor an image file", path);
	if (rc != KESU_OK)
		return rc;
	if (size == 0) {
		close(fd);
		return kesu_fail(err, KESU_ERR_NOTSUP, 0,
				 "%s is empty (0 bytes); nothing to %s", path,
				 ro ? "read" : "erase");
	}
	struct kesu_target *t = calloc(1, sizeof(*t));
	struct fd_priv *p = calloc(1, sizeof(*p));
	if (!t || !p) {
		free(t);
		free(p);
		close(fd);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	p->fd = fd;
	p->blk = blk;
	t->ops = ro ? &fd_ro_ops : &fd_ops;
	t->queue = ro ? NULL : &fd_queue_ops;
	t->size = size;
	t->block_size = bs;
	t->priv = p;
	*out = t;
	return KESU_OK;
}

enum kesu_rc kesu_target_open_path(const char *path, struct kesu_target **out,
				   struct kesu_err *err)
{
	return open_target(path, false, out, err);
}

enum kesu_rc kesu_target_open_readonly(const char *path, struct kesu_target **out,
				       struct kesu_err *err)
{
	return open_target(path, true, out, err);
}
