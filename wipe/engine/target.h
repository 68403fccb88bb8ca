/* What the erase engine writes to and reads from.  The real backend is a
 * block device or image file opened O_DIRECT and O_EXCL (target_fd.c); tests
 * put a memory, fault-injecting or device-model backend behind the same
 * interface. */
#ifndef KESU_TARGET_H
#define KESU_TARGET_H

#include "lib/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kesu_target;

/* One request of the queued path: several are in flight at once and may
 * complete in any order, so each carries its own result. */
struct kesu_io_req {
	void *buf;          /* one of the buffers given to setup */
	unsigned buf_index; /* its index there (a registered buffer) */
	size_t len;
	uint64_t off;
	bool write;
	/* A flush (fdatasync) of every write completed before it was
	 * started; buf and len are unused (len 0). */
	bool flush;
	ssize_t res;        /* on completion: len, or -errno; short is -EIO */
};

/* The queued path, where a backend has one (io_uring on a real device).
 * Requests follow the contract of pwrite/pread above. */
struct kesu_target_queue_ops {
	/* Prepare for `depth` requests in flight over bufs[0..nbufs), each
	 * buf_len bytes.  0, or -errno when the backend cannot queue here
	 * (no io_uring in the kernel, forbidden by policy): the caller then
	 * uses the synchronous ops, and `why` says what failed. */
	int (*setup)(struct kesu_target *t, unsigned depth, void *const *bufs,
		     unsigned nbufs, size_t buf_len, bool *registered, char *why,
		     size_t whysz);
	/* Start r; 0 or -errno (r was not started). */
	int (*submit)(struct kesu_target *t, struct kesu_io_req *r);
	/* Wait for one started request to complete; *done gets it with res
	 * set.  0, or -errno when the queue itself failed. */
	int (*wait)(struct kesu_target *t, struct kesu_io_req **done);
	/* Every request must have completed before this. */
	void (*teardown)(struct kesu_target *t);
};

struct kesu_target_ops {
	/* Write/read exactly len bytes at off (multiples of block_size, buffer
	 * aligned to 4096).  Return len, or -errno.  A short transfer is
	 * reported as -EIO by the backend, never as a partial count. */
	ssize_t (*pwrite)(struct kesu_target *t, const void *buf, size_t len,
			  uint64_t off);
	ssize_t (*pread)(struct kesu_target *t, void *buf, size_t len, uint64_t off);
	/* Make written data durable (fdatasync).  0 or -errno. */
	int (*sync)(struct kesu_target *t);
	/* Drop every cached copy so the next read comes from the medium
	 * (BLKFLSBUF on a block device, POSIX_FADV_DONTNEED on a file). */
	int (*drop_cache)(struct kesu_target *t);
	/* Current size in bytes, read afresh: the engine fails a run whose
	 * device changes size or disappears.  0 or -errno. */
	int (*size_now)(struct kesu_target *t, uint64_t *size);
	void (*close)(struct kesu_target *t);
};

struct kesu_target {
	const struct kesu_target_ops *ops;
	const struct kesu_target_queue_ops *queue; /* NULL: synchronous only */
	uint64_t size;        /* bytes at open */
	uint32_t block_size;  /* logical block size: the unit of bad ranges */
	void *priv;
};

/* Open a whole block device or regular file for erasure: O_RDWR | O_DIRECT |
 * O_EXCL (block devices), held until close. */
enum kesu_rc kesu_target_open_path(const char *path, struct kesu_target **out,
				   struct kesu_err *err);

/* Open for reading only (a spot check): O_RDONLY | O_DIRECT, no exclusive
 * claim and no lock.  Its ops have pwrite and sync NULL. */
enum kesu_rc kesu_target_open_readonly(const char *path, struct kesu_target **out,
				       struct kesu_err *err);

static inline void kesu_target_close(struct kesu_target *t)
{
	if (t)
		t->ops->close(t);
}

#endif
