#include "emmc_model.h"
#include "mmc.h"

#include <errno.h>
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

static uint64_t sectors(const struct emmc_model *m)
{
	return m->med.capacity / 512;
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
	int rc = 0;
	bool vanish = m->gone_after_erases >= 0 && (int)m->n_erase >= m->gone_after_erases;
	m->n_erase++;
	m->last_erase_timeout_ms = c->timeout_ms;
	uint8_t v = m->ext_csd[KESU_EXT_CSD_ERASED_MEM_CONT] & 1 ? 0xFF : 0x00;
	for (uint64_t g = g0; g <= g1; g++) {
		if (vanish && g > (g0 + g1) / 2)
			break;
		if (wg && m->wp[g * eg / wg])
			continue; /* WP_ERASE_SKIP: the host cannot see it */
		if ((int)g == m->skip_group)
			continue;
		model_medium_fill(&m->med, g * eg * 512, (g + 1) * eg * 512, &v, 1);
		if (g < EMMC_MODEL_GROUPS_MAX)
			m->mapped[g] = false;
	}
	m->have_start = m->have_end = false;
	if (vanish) {
		m->med.gone = true;
		return -ENODEV;
	}
	if (c->timeout_ms && c->timeout_ms < need)
		rc = -ETIMEDOUT;
	c->response[0] = R1_TRAN;
	return rc;
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
	m->mapped_at_sanitize = 0;
	uint64_t groups = (sectors(m) + erase_group(m) - 1) / erase_group(m);
	for (uint64_t g = 0; g < groups && g < EMMC_MODEL_GROUPS_MAX; g++)
		m->mapped_at_sanitize += m->mapped[g];
	if (c->timeout_ms && c->timeout_ms < m->sanitize_ms)
		return -ETIMEDOUT;
	m->sanitized = true;
	c->response[0] = R1_TRAN;
	return 0;
}

static int one(struct emmc_model *m, struct kesu_mmc_cmd *c)
{
	if (m->med.gone)
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
		if (c->arg >= sectors(m)) {
			c->response[0] = R1_TRAN | KESU_R1_OUT_OF_RANGE;
			return 0;
		}
		uint64_t wg = wp_group(m), first = c->arg / wg;
		uint32_t bits = 0;
		for (unsigned i = 0; i < 32; i++)
			if (first + i < EMMC_MODEL_GROUPS_MAX && m->wp[first + i])
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
		m->have_start = c->arg < sectors(m);
		m->start = c->arg;
		c->response[0] = R1_TRAN | (m->have_start ? 0 : KESU_R1_OUT_OF_RANGE);
		return 0;
	case KESU_MMC_ERASE_GROUP_END:
		if (!m->have_start || c->arg < m->start) {
			m->have_start = false;
			c->response[0] = R1_TRAN | KESU_R1_ERASE_SEQ_ERROR;
			return 0;
		}
		m->have_end = c->arg < sectors(m);
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

static int em_regs(struct kesu_transport *t, uint32_t csd[4], uint32_t *ocr)
{
	struct emmc_model *m = t->priv;
	if (m->med.gone)
		return -ENODEV;
	if (m->regs_unreadable)
		return -ENOENT;
	memcpy(csd, m->csd, sizeof(m->csd));
	*ocr = m->ocr;
	return 0;
}

static void em_close(struct kesu_transport *t)
{
	(void)t;
}

static const struct kesu_transport_ops em_ops = {
	.mmc = em_mmc,
	.mmc_regs = em_regs,
	.close = em_close,
};

void emmc_model_init(struct emmc_model *m, uint64_t bytes)
{
	memset(m, 0, sizeof(*m));
	if (!bytes)
		bytes = 4u << 20;
	model_medium_init(&m->med, bytes, 512);
	model_medium_fill_user_data(&m->med, 0xE33C);
	uint8_t *x = m->ext_csd;
	x[KESU_EXT_CSD_REV] = 8;
	x[KESU_EXT_CSD_SEC_FEATURE_SUPPORT] = 0x55;
	x[KESU_EXT_CSD_ERASE_GROUP_DEF] = 1;
	x[KESU_EXT_CSD_HC_ERASE_GRP_SIZE] = 1;
	x[KESU_EXT_CSD_ERASE_TIMEOUT_MULT] = 2;
	x[KESU_EXT_CSD_HC_WP_GRP_SIZE] = 1;
	x[KESU_EXT_CSD_BOOT_SIZE_MULT] = 32;
	x[KESU_EXT_CSD_RPMB_SIZE_MULT] = 4;
	uint64_t s = bytes / 512;
	for (int i = 0; i < 4; i++)
		x[KESU_EXT_CSD_SEC_COUNT + i] = (uint8_t)(s >> (8 * i));
	/* CSD: 512-byte write blocks, legacy groups of 32 x 32 blocks,
	 * group write protection enabled. */
	emmc_model_csd_set(m->csd, 25, 22, 9);
	emmc_model_csd_set(m->csd, 46, 42, 31);
	emmc_model_csd_set(m->csd, 41, 37, 31);
	emmc_model_csd_set(m->csd, 31, 31, 1);
	m->ocr = 0xC0FF8080u;
	for (int g = 0; g < EMMC_MODEL_GROUPS_MAX; g++)
		m->mapped[g] = true;
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
}

void emmc_model_destroy(struct emmc_model *m)
{
	model_medium_free(&m->med);
}
