/* A memory medium with faults at chosen places, so engine tests can prove
 * that every fault is recorded and none ends as "erased". */
#include "test_targets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEND_MAX 64

struct fault {
	struct kesu_target *mem;
	struct fault_spec spec;
	struct fault_stats st;
	bool gone;
	bool resized;
	struct kesu_io_req *pend[PEND_MAX]; /* oldest first */
	unsigned npend;
	uint32_t rng;
	void *const *bufs; /* the buffers given to setup, as a ring registers them */
};

static bool overlaps(uint64_t off, size_t len, uint32_t bs, uint64_t lba, uint64_t count)
{
	if (!count)
		return false;
	uint64_t a = off / bs, b = (off + len) / bs;
	return a < lba + count && lba < b;
}

static void after_write(struct kesu_target *t, struct fault *f)
{
	f->st.writes++;
	if (f->spec.disappear_after_writes && f->st.writes >= f->spec.disappear_after_writes)
		f->gone = true;
	if (f->spec.resize_after_writes && f->st.writes >= f->spec.resize_after_writes)
		f->resized = true;
	if (f->spec.stop && f->spec.stop_after_writes &&
	    f->st.writes >= f->spec.stop_after_writes)
		atomic_store(f->spec.stop, 1);
	(void)t;
}

static ssize_t f_pwrite(struct kesu_target *t, const void *buf, size_t len, uint64_t off)
{
	struct fault *f = t->priv;
	if (f->gone)
		return -ENODEV;
	if (overlaps(off, len, t->block_size, f->spec.werr_lba, f->spec.werr_count))
		return -EIO;
	ssize_t r = f->mem->ops->pwrite(f->mem, buf, len, off);
	if (r < 0)
		return r;
	uint8_t *d = mem_target_data(f->mem);
	for (size_t i = 0; i < f->spec.nflip; i++)
		if (f->spec.flip_off[i] >= off && f->spec.flip_off[i] < off + len)
			d[f->spec.flip_off[i]] ^= 1;
	if (len > f->st.max_write_len)
		f->st.max_write_len = len;
	after_write(t, f);
	return r;
}

static ssize_t f_pread(struct kesu_target *t, void *buf, size_t len, uint64_t off)
{
	struct fault *f = t->priv;
	f->st.reads++;
	if (f->gone)
		return -ENODEV;
	if (overlaps(off, len, t->block_size, f->spec.rerr_lba, f->spec.rerr_count))
		return -EIO;
	return f->mem->ops->pread(f->mem, buf, len, off);
}

static int f_sync(struct kesu_target *t)
{
	struct fault *f = t->priv;
	f->st.syncs++;
	if (f->spec.fail_sync_at && f->st.syncs == f->spec.fail_sync_at)
		return -EIO;
	if (f->gone)
		return -ENODEV;
	if (f->spec.vanish_at_sync) {
		f->gone = true;
		return -EIO;
	}
	return f->spec.fail_sync ? -EIO : 0;
}

static int f_drop(struct kesu_target *t)
{
	struct fault *f = t->priv;
	f->st.drops++;
	return f->spec.fail_drop_cache ? -EPERM : 0;
}

static int f_size_now(struct kesu_target *t, uint64_t *size)
{
	struct fault *f = t->priv;
	if (f->gone)
		return -ENODEV;
	*size = f->resized ? t->size / 2 : t->size;
	return 0;
}

static void f_close(struct kesu_target *t)
{
	struct fault *f = t->priv;
	kesu_target_close(f->mem);
	free(f);
	free(t);
}

static int q_setup(struct kesu_target *t, unsigned depth, void *const *bufs,
		   unsigned nbufs, size_t buf_len, bool *registered, char *why, size_t whysz)
{
	struct fault *f = t->priv;
	(void)buf_len;
	*registered = false;
	f->bufs = bufs;
	f->st.buffers_given = nbufs;
	if (f->spec.async_setup_fails || depth > PEND_MAX) {
		snprintf(why, whysz, "io_uring unavailable: %s", strerror(ENOSYS));
		return -ENOSYS;
	}
	f->spec.async_depth = depth < f->spec.async_depth ? depth : f->spec.async_depth;
	f->rng = 0x2545f491u;
	return 0;
}

static int q_submit(struct kesu_target *t, struct kesu_io_req *r)
{
	struct fault *f = t->priv;
	/* Data requests up to the depth, and one flush beside them. */
	unsigned data = 0, flushes = 0;
	for (unsigned i = 0; i < f->npend; i++)
		f->pend[i]->flush ? flushes++ : data++;
	if (r->flush ? flushes > 0 : data >= f->spec.async_depth)
		return -EBUSY;
	/* A ring with registered buffers would refuse a request whose buffer
	 * is not the one given at its index. */
	if (!r->flush && (r->buf_index >= f->st.buffers_given || r->buf != f->bufs[r->buf_index]))
		f->st.unregistered_bufs++;
	f->pend[f->npend++] = r;
	if (flushes && !r->flush)
		f->st.submits_behind_flush++;
	if (!r->flush && ++data > f->st.max_in_flight)
		f->st.max_in_flight = data;
	f->st.in_flight = f->npend;
	return 0;
}

static unsigned pick(struct fault *f)
{
	switch (f->spec.async_order) {
	case ASYNC_LIFO: return f->npend - 1;
	case ASYNC_SHUFFLE:
		f->rng ^= f->rng << 13;
		f->rng ^= f->rng >> 17;
		f->rng ^= f->rng << 5;
		return f->rng % f->npend;
	default: return 0;
	}
}

static int q_wait(struct kesu_target *t, struct kesu_io_req **done)
{
	struct fault *f = t->priv;
	if (!f->npend)
		return -EINVAL; /* the engine waited with nothing in flight */
	unsigned i = pick(f);
	struct kesu_io_req *r = f->pend[i];
	memmove(&f->pend[i], &f->pend[i + 1], (f->npend - i - 1) * sizeof(f->pend[0]));
	f->npend--;
	f->st.in_flight = f->npend;
	if (i != 0)
		f->st.out_of_order++;
	if (r->flush) {
		r->res = f_sync(t);
		*done = r;
		return 0;
	}
	size_t len = r->len;
	bool shrt = f->spec.short_on && r->off == f->spec.short_off && len > t->block_size;
	if (shrt) {
		len = (len / 2) - (len / 2) % t->block_size;
		f->st.shorts++;
	}
	ssize_t n = r->write ? f_pwrite(t, r->buf, len, r->off) : f_pread(t, r->buf, len, r->off);
	/* Raw, as a completion queue entry has it: the engine must not take
	 * a short count for the whole request. */
	r->res = n;
	*done = r;
	return 0;
}

static void q_teardown(struct kesu_target *t)
{
	struct fault *f = t->priv;
	f->npend = 0;
}

static const struct kesu_target_queue_ops fault_queue_ops = {
	.setup = q_setup,
	.submit = q_submit,
	.wait = q_wait,
	.teardown = q_teardown,
};

static const struct kesu_target_ops fault_ops = {
	.pwrite = f_pwrite,
	.pread = f_pread,
	.sync = f_sync,
	.drop_cache = f_drop,
	.size_now = f_size_now,
	.close = f_close,
};

struct kesu_target *fault_target_new(uint64_t size, uint32_t block_size,
				     const struct fault_spec *spec)
{
	struct kesu_target *t = calloc(1, sizeof(*t));
	struct fault *f = calloc(1, sizeof(*f));
	if (!t || !f || !(f->mem = mem_target_new(size, block_size))) {
		free(f);
		free(t);
		return NULL;
	}
	if (spec)
		f->spec = *spec;
	t->ops = &fault_ops;
	t->queue = f->spec.async_depth ? &fault_queue_ops : NULL;
	t->size = size;
	t->block_size = block_size;
	t->priv = f;
	return t;
}

uint8_t *fault_target_data(struct kesu_target *t)
{
	return mem_target_data(((struct fault *)t->priv)->mem);
}

struct fault_stats *fault_target_stats(struct kesu_target *t)
{
	return &((struct fault *)t->priv)->st;
}
