#include "emmc_model.h"
#include "wipe/firmware/mmc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* R1 status of a card in the transfer state, ready for data. */
#define R1_TRAN ((4u << 9) | (1u << 8))

void emmc_model_csd_set(uint32_t csd[4], unsigned hi, unsigned lo, uint32_t v)
{
	for (unsigned b = lo; b <= hi; b++) {
		uint32_t *w = &csd[3 - b / 32];
		uint32_t bit = 1u << (b % 32);
		if ((v >> (b - lo)) & 1u)
			*w |= bit;
		else
			*w &= ~bit;
	}
}

static uint64_t erase_group(const struct emmc_model *m)
{
	if (m->ext_csd[KESU_EXT_CSD_ERASE_GROUP_DEF] & 1)
		return (uint64_t)m->ext_csd[KESU_EXT_CSD_HC_ERASE_GRP_SIZE] * 1024;
	struct kesu_mmc_csd c;
	kesu_mmc_parse_csd(m->csd, &c);
	return c.erase_grp_sectors;
}

static uint64_t wp_group(const struct emmc_model *m)
{
	if (m->ext_csd[KESU_EXT_CSD_ERASE_GROUP_DEF] & 1)
		return erase_group(m) * m->ext_csd[KESU_EXT_CSD_HC_WP_GRP_SIZE];
	struct kesu_mmc_csd c;
	kesu_mmc_parse_csd(m->csd, &c);
	return (uint64_t)c.erase_grp_sectors * c.wp_grp_groups;
}

/* (Re)size the per-group state for the current group sizes. */
static void layout(struct emmc_model *m)
{
	free(m->erased);
	free(m->wp);
	uint64_t eg = erase_group(m), wg = wp_group(m);
	m->groups = (m->sectors + eg - 1) / eg;
	m->wp_groups = (m->sectors + wg - 1) / wg;
	m->erased = calloc(m->groups, sizeof(bool));
	m->wp = calloc(m->wp_groups, sizeof(bool));
}

static uint32_t erase_ms_per_group(const struct emmc_model *m)
{
	uint8_t mult = m->ext_csd[KESU_EXT_CSD_ERASE_TIMEOUT_MULT];
	return (m->ext_csd[KESU_EXT_CSD_ERASE_GROUP_DEF] & 1) && mult ? 300u * mult : 1000u;
}

static int do_erase(struct emmc_model *m, struct kesu_mmc_cmd *c)
{
	if (!m->have_start || !m->have_end) {
		c->response[0] = R1_TRAN | KESU_R1_ERASE_SEQ_ERROR;
		m->have_start = m->have_end = false;
		return 0;
	}
	if (m->erase_error_bits) {
		c->response[0] = R1_TRAN | m->erase_error_bits;
		m->have_start = m->have_end = false;
		return 0;
	}
	uint64_t eg = erase_group(m), wg = wp_group(m);
	uint64_t g0 = m->start / eg, g1 = m->end / eg;
	/* The card is busy for its own worst case; a host that waits less
	 * gets a timeout, and the card goes on erasing. */
	uint64_t need = (g1 - g0 + 1) * erase_ms_per_group(m);
	bool vanish = m->gone_after_erases >= 0 && (int)m->n_erase >= m->gone_after_erases;
	m->n_erase++;
	if (c->timeout_ms > m->max_erase_timeout_ms)
		m->max_erase_timeout_ms = c->timeout_ms;
	for (uint64_t g = g0; g <= g1 && g < m->groups; g++) {
		if (vanish && g > (g0 + g1) / 2)
			break;
		if (m->wp[g * eg / wg])
			continue; /* WP_ERASE_SKIP: the driver's busy poll swallows it */
		if ((int64_t)g == m->skip_group)
			continue;
		m->groups_erased_twice += m->erased[g];
		m->erased[g] = true;
	}
	m->have_start = m->have_end = false;
	if (vanish) {
		m->gone = true;
		return -ENODEV;
	}
	c->response[0] = R1_TRAN;
	return c->timeout_ms && c->timeout_ms < need ? -ETIMEDOUT : 0;
}

static int do_switch(struct emmc_model *m, struct kesu_mmc_cmd *c)
{
	unsigned access = (c->arg >> 24) & 3, index = (c->arg >> 16) & 0xFF,
		 value = (c->arg >> 8) & 0xFF;
	if (access != 3 || index != KESU_EXT_CSD_SANITIZE_START || value != 1) {
		c->response[0] = R1_TRAN | KESU_R1_SWITCH_ERROR;
		return 0;
	}
	/* The driver itself refuses a card without SEC_SANITIZE. */
	if (!(m->ext_csd[KESU_EXT_CSD_SEC_FEATURE_SUPPORT] & KESU_MMC_SEC_SANITIZE) ||
	    m->sanitize_unsupported_by_driver)
		return -EOPNOTSUPP;
	if (m->sanitize_switch_error) {
		c->response[0] = R1_TRAN | KESU_R1_SWITCH_ERROR;
		return 0;
	}
	m->n_sanitize++;
	/* Sanitize purges what is unmapped; what is still mapped stays. */
	m->mapped_at_sanitize = emmc_model_groups_with_data(m);
	if (c->timeout_ms && c->timeout_ms < m->sanitize_ms)
		return -ETIMEDOUT;
	m->sanitized = true;
	c->response[0] = R1_TRAN;
	return 0;
}

static int one(struct emmc_model *m, struct kesu_mmc_cmd *c)
{
	if (m->gone)
		return -ENODEV;
	m->n_cmds++;
	memset(c->response, 0, sizeof(c->response));
	switch (c->opcode) {
	case KESU_MMC_SEND_EXT_CSD:
		if (m->mute_after_sanitize && m->sanitized)
			return -ETIMEDOUT;
		if (!c->data || c->blksz != 512 || c->blocks != 1 || c->write)
			return -EINVAL;
		memcpy(c->data, m->ext_csd, 512);
		c->response[0] = R1_TRAN;
		return 0;
	case KESU_MMC_SEND_WRITE_PROT: {
		if (!c->data || c->blksz != 4 || c->blocks != 1)
			return -EINVAL;
		m->n_wp_queries++;
		if (c->arg >= m->sectors) {
			c->response[0] = R1_TRAN | KESU_R1_OUT_OF_RANGE;
			return 0;
		}
		uint64_t first = c->arg / wp_group(m);
		uint32_t bits = 0;
		for (unsigned i = 0; i < 32; i++)
			if (first + i < m->wp_groups && m->wp[first + i])
				bits |= 1u << i;
		uint8_t *b = c->data;
		b[0] = (uint8_t)(bits >> 24);
		b[1] = (uint8_t)(bits >> 16);
		b[2] = (uint8_t)(bits >> 8);
		b[3] = (uint8_t)bits;
		c->response[0] = R1_TRAN;
		return 0;
	}
	case KESU_MMC_ERASE_GROUP_START:
		m->have_end = false;
		m->have_start = c->arg < m->sectors;
		m->start = c->arg;
		c->response[0] = R1_TRAN | (m->have_start ? 0 : KESU_R1_OUT_OF_RANGE);
		return 0;
	case KESU_MMC_ERASE_GROUP_END:
		if (!m->have_start || c->arg < m->start) {
			m->have_start = false;
			c->response[0] = R1_TRAN | KESU_R1_ERASE_SEQ_ERROR;
			return 0;
		}
		m->have_end = c->arg < m->sectors;
		m->end = c->arg;
		c->response[0] = R1_TRAN | (m->have_end ? 0 : KESU_R1_OUT_OF_RANGE);
		if (!m->have_end)
			m->have_start = false;
		return 0;
	case KESU_MMC_ERASE:
		if (!(c->flags & KESU_MMC_RSP_BUSY))
			return -EINVAL; /* R1b: without the busy wait the host races the card */
		return do_erase(m, c);
	case KESU_MMC_SWITCH:
		if (!(c->flags & KESU_MMC_RSP_BUSY))
			return -EINVAL;
		return do_switch(m, c);
	}
	c->response[0] = R1_TRAN | KESU_R1_ILLEGAL_COMMAND;
	return 0;
}

static int em_mmc(struct kesu_transport *t, struct kesu_mmc_cmd *c, unsigned n)
{
	struct emmc_model *m = t->priv;
	if (n == 0 || n > KESU_MMC_MAX_SEQ)
		return -EINVAL;
	/* The driver stops a sequence at the first command that fails. */
	for (unsigned i = 0; i < n; i++) {
		int rc = one(m, &c[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int em_csd(struct kesu_transport *t, uint32_t csd[4])
{
	struct emmc_model *m = t->priv;
	if (m->gone)
		return -ENODEV;
	if (m->csd_unreadable)
		return -ENOENT;
	memcpy(csd, m->csd, sizeof(m->csd));
	return 0;
}

static void em_close(struct kesu_transport *t)
{
	(void)t;
}

static const struct kesu_transport_ops em_ops = {
	.mmc = em_mmc,
	.mmc_csd = em_csd,
	.close = em_close,
};

/* ---- the user area as a target ---- */

static uint64_t mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static ssize_t et_pread(struct kesu_target *t, void *buf, size_t len, uint64_t off)
{
	struct emmc_model *m = t->priv;
	if (m->gone)
		return -ENODEV;
	if (off % 512 || len % 512 || off + len > m->sectors * 512)
		return -EINVAL;
	uint64_t eg = erase_group(m) * 512;
	uint8_t v = m->ext_csd[KESU_EXT_CSD_ERASED_MEM_CONT] & 1 ? 0xFF : 0x00;
	uint8_t *p = buf;
	for (size_t i = 0; i < len; i += 8) {
		uint64_t at = off + i;
		uint64_t w;
		if (m->erased[at / eg])
			memset(&w, v, 8);
		else
			w = mix(at);
		memcpy(p + i, &w, 8);
	}
	return (ssize_t)len;
}

static ssize_t et_pwrite(struct kesu_target *t, const void *buf, size_t len, uint64_t off)
{
	(void)t, (void)buf, (void)len, (void)off;
	return -EROFS; /* the purge never writes through the block device */
}

static int et_ok(struct kesu_target *t)
{
	return ((struct emmc_model *)t->priv)->gone ? -ENODEV : 0;
}

static int et_size_now(struct kesu_target *t, uint64_t *size)
{
	struct emmc_model *m = t->priv;
	if (m->gone)
		return -ENODEV;
	*size = m->sectors * 512;
	return 0;
}

static void et_close(struct kesu_target *t)
{
	free(t);
}

static const struct kesu_target_ops et_ops = {
	.pwrite = et_pwrite,
	.pread = et_pread,
	.sync = et_ok,
	.drop_cache = et_ok,
	.size_now = et_size_now,
	.close = et_close,
};

struct kesu_target *emmc_model_target(struct emmc_model *m)
{
	struct kesu_target *t = calloc(1, sizeof(*t));
	t->ops = &et_ops;
	t->size = m->sectors * 512;
	t->block_size = 512;
	t->priv = m;
	return t;
}

uint64_t emmc_model_groups_with_data(const struct emmc_model *m)
{
	uint64_t n = 0;
	for (uint64_t g = 0; g < m->groups; g++)
		n += !m->erased[g];
	return n;
}

void emmc_model_init(struct emmc_model *m)
{
	memset(m, 0, sizeof(*m));
	m->sectors = 2ull * 1024 * 1024 * 2 + 8192; /* 2 GiB + 4 MiB */
	uint8_t *x = m->ext_csd;
	x[KESU_EXT_CSD_REV] = 8;
	x[KESU_EXT_CSD_SEC_FEATURE_SUPPORT] = 0x55;
	x[KESU_EXT_CSD_ERASE_GROUP_DEF] = 1;
	x[KESU_EXT_CSD_HC_ERASE_GRP_SIZE] = 1;
	x[KESU_EXT_CSD_ERASE_TIMEOUT_MULT] = 2;
	x[KESU_EXT_CSD_HC_WP_GRP_SIZE] = 1;
	x[KESU_EXT_CSD_BOOT_SIZE_MULT] = 32;
	x[KESU_EXT_CSD_RPMB_SIZE_MULT] = 4;
	for (int i = 0; i < 4; i++)
		x[KESU_EXT_CSD_SEC_COUNT + i] = (uint8_t)(m->sectors >> (8 * i));
	/* CSD: 512-byte write blocks, legacy groups of 32 x 32 blocks,
	 * group write protection enabled. */
	emmc_model_csd_set(m->csd, 25, 22, 9);
	emmc_model_csd_set(m->csd, 46, 42, 31);
	emmc_model_csd_set(m->csd, 41, 37, 31);
	emmc_model_csd_set(m->csd, 31, 31, 1);
	layout(m);
	m->sanitize_ms = 5000;
	m->gone_after_erases = -1;
	m->skip_group = -1;
	m->tr.ops = &em_ops;
	m->tr.kind = KESU_TRANSPORT_MMC;
	m->tr.priv = m;
	strcpy(m->tr.path, "/dev/model-mmcblk0");
}

void emmc_model_legacy_groups(struct emmc_model *m, uint32_t sectors)
{
	m->ext_csd[KESU_EXT_CSD_ERASE_GROUP_DEF] = 0;
	/* sectors = (size + 1) * (mult + 1) with size + 1 <= 32 */
	uint32_t size = sectors < 32 ? sectors : 32;
	emmc_model_csd_set(m->csd, 46, 42, size - 1);
	emmc_model_csd_set(m->csd, 41, 37, sectors / size - 1);
	layout(m);
}

void emmc_model_destroy(struct emmc_model *m)
{
	free(m->erased);
	free(m->wp);
	m->erased = m->wp = NULL;
}
