/* io_uring under the real target (target_fd.c): several requests in flight
 * on one descriptor.  Internal to wipe/engine/. */
#ifndef KESU_TARGET_URING_H
#define KESU_TARGET_URING_H

#include "wipe/engine/target.h"

struct kesu_uring;

/* 0 and *out, or -errno with `why` filled (the caller falls back to the
 * synchronous ops).  The buffers are registered when the kernel allows it
 * (*registered); otherwise requests name them by address. */
int kesu_uring_setup(int fd, unsigned depth, void *const *bufs, unsigned nbufs,
		     size_t buf_len, bool *registered, char *why, size_t whysz,
		     struct kesu_uring **out);
int kesu_uring_submit(struct kesu_uring *u, struct kesu_io_req *r);
int kesu_uring_wait(struct kesu_uring *u, struct kesu_io_req **done);
void kesu_uring_free(struct kesu_uring *u);

#endif
