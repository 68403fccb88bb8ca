/* The effectful half of a spot check: reading the plan through a target. */
#include "wipe/inspect/spot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Large enough to stream at the medium's speed, small enough that a stop
 * request or a progress line is never far away. */
#define CHUNK (1u << 20)

static enum kesu_rc gone(struct kesu_err *err, int e)
{
	return kesu_fail(err, KESU_ERR_GONE, e,
			 "the medium disappeared while it was being read (%s); "
			 "nothing is reported for it",
			 strerror(e));
}

/* A chunk that failed as a whole: block by block, inspecting the runs of
 * blocks that read and recording those that did not.  Each block is read
 * into blk (page-aligned, as targets may demand) and copied into place. */
static enum kesu_rc read_blocks(struct kesu_target *t, uint8_t *buf, uint8_t *blk,
				size_t len, uint64_t off, struct kesu_spot_result *r,
				struct kesu_err *err)
{
	uint32_t bs = t->block_size;
	size_t good = 0; /* start of the pending run of readable blocks */
	for (size_t at = 0; at < len; at += bs) {
		ssize_t n = t->ops->pread(t, blk, bs, off + at);
		if (n < 0 && kesu_errno_gone((int)-n))
			return gone(err, (int)-n);
		if (n == (ssize_t)bs) {
			memcpy(buf + at, blk, bs);
			continue;
		}
		if (at > good)
			kesu_spot_inspect(r, t->size, buf + good, at - good, off + good);
		kesu_spot_unreadable(r, off + at, bs);
		good = at + bs;
	}
	if (len > good)
		kesu_spot_inspect(r, t->size, buf + good, len - good, off + good);
	return KESU_OK;
}

enum kesu_rc kesu_spot_read(struct kesu_target *t, const struct kesu_spot_plan *p,
			    const struct kesu_spot_io *io, struct kesu_spot_result *r,
			    struct kesu_err *err)
{
	int e = t->ops->drop_cache(t);
	if (e < 0)
		return kesu_fail(err, KESU_ERR_IO, -e,
				 "cannot drop the medium's cache (%s), so a read could "
				 "return cached data instead of what is on the medium; "
				 "run kesu as root",
				 strerror(-e));
	/* the chunk, then one block for re-reads (block sizes are <= 1 MiB) */
	void *mem;
	if (posix_memalign(&mem, 4096, 2 * (size_t)CHUNK))
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	uint8_t *buf = mem, *blk = buf + CHUNK;
	enum kesu_rc rc = KESU_OK;
	uint64_t done = 0;
	for (size_t i = 0; i < p->count && !rc; i++) {
		const struct kesu_spot_range *g = &p->ranges[i];
		for (uint64_t at = 0; at < g->length && !rc; at += CHUNK) {
			if (io && io->stop && atomic_load(io->stop)) {
				rc = kesu_fail(err, KESU_ERR_INTERRUPTED, 0,
					       "interrupted; no report was written");
				break;
			}
			size_t len = g->length - at < CHUNK ? (size_t)(g->length - at) : CHUNK;
			uint64_t off = g->offset + at;
			ssize_t n = t->ops->pread(t, buf, len, off);
			if (n < 0 && kesu_errno_gone((int)-n))
				rc = gone(err, (int)-n);
			else if (n == (ssize_t)len)
				kesu_spot_inspect(r, t->size, buf, len, off);
			else
				rc = read_blocks(t, buf, blk, len, off, r, err);
			done += len;
			if (!rc && io && io->progress)
				io->progress(io->ud, done, p->total_bytes);
		}
	}
	free(mem);
	if (rc)
		return rc;
	uint64_t now;
	if ((e = t->ops->size_now(t, &now)) < 0) {
		if (kesu_errno_gone(-e))
			return gone(err, -e);
		return kesu_fail(err, KESU_ERR_IO, -e, "cannot read the medium's size: %s",
				 strerror(-e));
	}
	r->size_after = now;
	r->size_changed = now != t->size;
	return KESU_OK;
}
