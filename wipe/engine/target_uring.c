/* Several requests in flight on one device through io_uring.  A drive
 * with its own command queue (NVMe, SAS, SATA NCQ) only reaches its speed
 * when it has more than one request to work on; pread and pwrite give it
 * one at a time.  The engine's slots are registered with the ring once,
 * so the kernel does not pin and unpin a chunk's pages per request. */
#include "wipe/engine/target_uring.h"

#include <errno.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

struct kesu_uring {
	struct io_uring ring;
	int fd;
	bool registered;
};

int kesu_uring_setup(int fd, unsigned depth, void *const *bufs, unsigned nbufs,
		     size_t buf_len, bool *registered, char *why, size_t whysz,
		     struct kesu_uring **out)
{
	*out = NULL;
	*registered = false;
	/* For the tests only (kesu(8) ENVIRONMENT): proves the fallback on a
	 * kernel that has io_uring. */
	if (getenv("KESU_TEST_NO_URING")) {
		snprintf(why, whysz, "io_uring disabled by KESU_TEST_NO_URING");
		return -ENOSYS;
	}
	struct kesu_uring *u = calloc(1, sizeof(*u));
	if (!u) {
		snprintf(why, whysz, "out of memory");
		return -ENOMEM;
	}
	/* One entry more than the depth: a checkpoint's flush goes into the
	 * queue beside the requests in flight. */
	int r = io_uring_queue_init(depth + 1, &u->ring, 0);
	if (r < 0) {
		/* ENOSYS: no io_uring in this kernel; EPERM: disabled by
		 * kernel.io_uring_disabled or a seccomp policy. */
		snprintf(why, whysz, "io_uring unavailable: %s", strerror(-r));
		free(u);
		return r;
	}
	u->fd = fd;
	struct iovec *iov = calloc(nbufs ? nbufs : 1, sizeof(*iov));
	if (iov) {
		for (unsigned i = 0; i < nbufs; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = buf_len;
		}
		/* Registration pins the slots for the ring's life; refused
		 * under a small RLIMIT_MEMLOCK, which only costs speed. */
		u->registered = io_uring_register_buffers(&u->ring, iov, nbufs) == 0;
		free(iov);
	}
	*registered = u->registered;
	*out = u;
	return 0;
}

int kesu_uring_submit(struct kesu_uring *u, struct kesu_io_req *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
	if (!sqe)
		return -EBUSY; /* more in flight than the ring was set up for */
	if (r->flush)
		io_uring_prep_fsync(sqe, u->fd, IORING_FSYNC_DATASYNC);
	else if (u->registered && r->write)
		io_uring_prep_write_fixed(sqe, u->fd, r->buf, (unsigned)r->len, r->off,
					  (int)r->buf_index);
	else if (u->registered)
		io_uring_prep_read_fixed(sqe, u->fd, r->buf, (unsigned)r->len, r->off,
					 (int)r->buf_index);
	else if (r->write)
		io_uring_prep_write(sqe, u->fd, r->buf, (unsigned)r->len, r->off);
	else
		io_uring_prep_read(sqe, u->fd, r->buf, (unsigned)r->len, r->off);
	io_uring_sqe_set_data(sqe, r);
	/* Straight to the ring's workers, without a non-blocking attempt
	 * first: a block cgroup's throttle charges a non-blocking write it
	 * then turns away, and charged the retry again, halving kesu's rate
	 * on a throttled device (measured: 128 MiB charged for 64 written). */
	io_uring_sqe_set_flags(sqe, IOSQE_ASYNC);
	int n;
	do
		n = io_uring_submit(&u->ring);
	while (n == -EINTR);
	return n < 0 ? n : 0;
}

int kesu_uring_wait(struct kesu_uring *u, struct kesu_io_req **done)
{
	struct io_uring_cqe *cqe = NULL;
	int e;
	do
		e = io_uring_wait_cqe(&u->ring, &cqe);
	while (e == -EINTR || e == -EAGAIN);
	if (e < 0)
		return e;
	struct kesu_io_req *r = io_uring_cqe_get_data(cqe);
	/* The same contract as pwrite/pread: a short transfer is an error
	 * the engine retries block by block, never a partial success. */
	r->res = cqe->res < 0 ? cqe->res : (size_t)cqe->res == r->len ? cqe->res : -EIO;
	io_uring_cqe_seen(&u->ring, cqe);
	*done = r;
	return 0;
}

void kesu_uring_free(struct kesu_uring *u)
{
	if (!u)
		return;
	io_uring_queue_exit(&u->ring);
	free(u);
}
