/* A medium in memory: what the engine writes is exactly what it reads. */
#include "test_targets.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct mem {
	uint8_t *data;
};

static ssize_t mem_pwrite(struct kesu_target *t, const void *buf, size_t len,
			  uint64_t off)
{
	struct mem *m = t->priv;
	if (off > t->size || len > t->size - off || len % t->block_size ||
	    off % t->block_size || ((uintptr_t)buf & 4095))
		return -EINVAL;
	memcpy(m->data + off, buf, len);
	return (ssize_t)len;
}

static ssize_t mem_pread(struct kesu_target *t, void *buf, size_t len, uint64_t off)
{
	struct mem *m = t->priv;
	if (off > t->size || len > t->size - off || len % t->block_size ||
	    off % t->block_size || ((uintptr_t)buf & 4095))
		return -EINVAL;
	memcpy(buf, m->data + off, len);
	return (ssize_t)len;
}

static int mem_sync(struct kesu_target *t)
{
	(void)t;
	return 0;
}

static int mem_size_now(struct kesu_target *t, uint64_t *size)
{
	*size = t->size;
	return 0;
}

static void mem_close(struct kesu_target *t)
{
	struct mem *m = t->priv;
	free(m->data);
	free(m);
	free(t);
}

static const struct kesu_target_ops mem_ops = {
	.pwrite = mem_pwrite,
	.pread = mem_pread,
	.sync = mem_sync,
	.drop_cache = mem_sync,
	.size_now = mem_size_now,
	.close = mem_close,
};

struct kesu_target *mem_target_new(uint64_t size, uint32_t block_size)
{
	struct kesu_target *t = calloc(1, sizeof(*t));
	struct mem *m = calloc(1, sizeof(*m));
	if (!t || !m || !(m->data = calloc(1, size ? size : 1))) {
		free(m);
		free(t);
		return NULL;
	}
	t->ops = &mem_ops;
	t->size = size;
	t->block_size = block_size;
	t->priv = m;
	return t;
}

uint8_t *mem_target_data(struct kesu_target *t)
{
	return ((struct mem *)t->priv)->data;
}
