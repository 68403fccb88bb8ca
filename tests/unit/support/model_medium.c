#include "model_medium.h"
#include "wipe/firmware/transport.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static uint64_t xs(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

void model_medium_init(struct model_medium *m, uint64_t capacity, uint32_t block)
{
	memset(m, 0, sizeof(*m));
	m->data = calloc(1, capacity);
	m->capacity = capacity;
	m->visible = capacity;
	m->block = block;
	m->key = 0x9E3779B97F4A7C15ull;
}

void model_medium_free(struct model_medium *m)
{
	free(m->data);
	m->data = NULL;
}

void model_medium_fill_user_data(struct model_medium *m, uint64_t seed)
{
	uint64_t s = seed | 1;
	for (uint64_t i = 0; i + 8 <= m->capacity; i += 8) {
		uint64_t v = xs(&s);
		memcpy(m->data + i, &v, 8);
	}
}

void model_medium_fill(struct model_medium *m, uint64_t from, uint64_t to,
		       const uint8_t *pattern, size_t plen)
{
	for (uint64_t i = from; i < to && i < m->capacity; i++)
		m->data[i] = pattern[i % plen];
}

void model_medium_crypto_erase(struct model_medium *m, bool keep_first)
{
	m->key = m->key * 6364136223846793005ull + 1442695040888963407ull;
	uint64_t s = m->key | 1;
	uint64_t start = keep_first ? m->block : 0;
	static const uint8_t zero[4096];
	for (uint64_t i = start; i + 8 <= m->capacity; i += 8) {
		uint64_t v = xs(&s);
		if (m->unmapped_zeros && i % 4096 == 0 && i + 4096 <= m->capacity &&
		    !memcmp(m->data + i, zero, 4096)) {
			i += 4096 - 8;
			continue;
		}
		memcpy(m->data + i, &v, 8);
	}
}

struct mt {
	struct kesu_target t;
	struct model_medium *m;
};

static int check(struct model_medium *m, size_t len, uint64_t off)
{
	if (m->gone)
		return -ENODEV;
	if (m->busy)
		return -EBUSY;
	if (m->locked)
		return -EIO;
	if (off % m->block || len % m->block || off + len > m->visible)
		return -EINVAL;
	return 0;
}

static ssize_t mt_pwrite(struct kesu_target *t, const void *buf, size_t len,
			 uint64_t off)
{
	struct model_medium *m = ((struct mt *)t)->m;
	int r = check(m, len, off);
	if (r)
		return r;
	memcpy(m->data + off, buf, len);
	return (ssize_t)len;
}

static ssize_t mt_pread(struct kesu_target *t, void *buf, size_t len, uint64_t off)
{
	struct model_medium *m = ((struct mt *)t)->m;
	int r = check(m, len, off);
	if (r)
		return r;
	memcpy(buf, m->data + off, len);
	m->reads++;
	return (ssize_t)len;
}

static int mt_sync(struct kesu_target *t)
{
	return ((struct mt *)t)->m->gone ? -ENODEV : 0;
}

static int mt_size_now(struct kesu_target *t, uint64_t *size)
{
	struct model_medium *m = ((struct mt *)t)->m;
	if (m->gone)
		return -ENODEV;
	*size = m->visible;
	return 0;
}

static void mt_close(struct kesu_target *t)
{
	free(t);
}

static const struct kesu_target_ops mt_ops = {
	.pwrite = mt_pwrite,
	.pread = mt_pread,
	.sync = mt_sync,
	.drop_cache = mt_sync,
	.size_now = mt_size_now,
	.close = mt_close,
};

struct kesu_target *model_medium_target(struct model_medium *m)
{
	struct mt *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->t.ops = &mt_ops;
	t->t.size = m->visible;
	t->t.block_size = m->block;
	t->t.priv = m;
	t->m = m;
	return &t->t;
}

void model_set_check(struct kesu_scsi_cmd *c, uint8_t key, uint8_t asc, uint8_t ascq)
{
	c->status = 0x02;
	memset(c->sense, 0, sizeof(c->sense));
	c->sense[0] = 0x72;
	c->sense[1] = key;
	c->sense[2] = asc;
	c->sense[3] = ascq;
	c->sense[7] = 0;
	c->sense_len = 8;
}
