#include "wipe/firmware/mmc.h"

#include <stdio.h>
#include <string.h>

static void cmd_init(struct kesu_mmc_cmd *c, uint32_t opcode, uint32_t arg, uint32_t flags,
		     bool write)
{
	memset(c, 0, sizeof(*c));
	c->opcode = opcode;
	c->arg = arg;
	c->flags = flags;
	c->write = write;
}

void kesu_mmc_send_ext_csd_cmd(struct kesu_mmc_cmd *c, uint8_t buf[KESU_EXT_CSD_LEN])
{
	cmd_init(c, KESU_MMC_SEND_EXT_CSD, 0,
		 KESU_MMC_RSP_SPI_S1 | KESU_MMC_RSP_R1 | KESU_MMC_CMD_ADTC, false);
	c->data = buf;
	c->blksz = KESU_EXT_CSD_LEN;
	c->blocks = 1;
}

void kesu_mmc_sanitize_cmd(struct kesu_mmc_cmd *c, uint32_t timeout_ms)
{
	/* Access mode 3 (write byte), index, value 1, command set 1. */
	uint32_t arg = (3u << 24) | ((uint32_t)KESU_EXT_CSD_SANITIZE_START << 16) | (1u << 8) | 1u;
	cmd_init(c, KESU_MMC_SWITCH, arg,
		 KESU_MMC_RSP_SPI_S1 | KESU_MMC_RSP_SPI_BUSY | KESU_MMC_RSP_R1B | KESU_MMC_CMD_AC,
		 true);
	c->timeout_ms = timeout_ms;
}

void kesu_mmc_erase_cmds(struct kesu_mmc_cmd c[3], uint32_t first, uint32_t last,
			 uint32_t timeout_ms)
{
	uint32_t r1 = KESU_MMC_RSP_SPI_S1 | KESU_MMC_RSP_R1 | KESU_MMC_CMD_AC;
	cmd_init(&c[0], KESU_MMC_ERASE_GROUP_START, first, r1, true);
	cmd_init(&c[1], KESU_MMC_ERASE_GROUP_END, last, r1, true);
	cmd_init(&c[2], KESU_MMC_ERASE, 0,
		 KESU_MMC_RSP_SPI_S1 | KESU_MMC_RSP_SPI_BUSY | KESU_MMC_RSP_R1B | KESU_MMC_CMD_AC,
		 true);
	c[2].timeout_ms = timeout_ms;
}

void kesu_mmc_send_write_prot_cmd(struct kesu_mmc_cmd *c, uint32_t sector, uint8_t buf[4])
{
	cmd_init(c, KESU_MMC_SEND_WRITE_PROT, sector,
		 KESU_MMC_RSP_SPI_S1 | KESU_MMC_RSP_R1 | KESU_MMC_CMD_ADTC, false);
	c->data = buf;
	c->blksz = 4;
	c->blocks = 1;
}

enum kesu_rc kesu_mmc_parse_ext_csd(const uint8_t *b, size_t len,
				    struct kesu_mmc_ext_csd *x, struct kesu_err *err)
{
	memset(x, 0, sizeof(*x));
	if (len < KESU_EXT_CSD_LEN)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "EXT_CSD: %zu bytes, need 512", len);
	x->rev = b[KESU_EXT_CSD_REV];
	x->sec_feature = b[KESU_EXT_CSD_SEC_FEATURE_SUPPORT];
	/* SANITIZE_START exists from eMMC 4.5 (EXT_CSD_REV 6) on. */
	x->sanitize = x->rev >= 6 && (x->sec_feature & KESU_MMC_SEC_SANITIZE);
	x->erased_mem_cont = b[KESU_EXT_CSD_ERASED_MEM_CONT] & 1;
	x->hc_erase_def = b[KESU_EXT_CSD_ERASE_GROUP_DEF] & 1;
	x->hc_erase_grp_size = b[KESU_EXT_CSD_HC_ERASE_GRP_SIZE];
	x->erase_timeout_mult = b[KESU_EXT_CSD_ERASE_TIMEOUT_MULT];
	x->hc_wp_grp_size = b[KESU_EXT_CSD_HC_WP_GRP_SIZE];
	x->sectors = (uint64_t)b[KESU_EXT_CSD_SEC_COUNT] |
		     (uint64_t)b[KESU_EXT_CSD_SEC_COUNT + 1] << 8 |
		     (uint64_t)b[KESU_EXT_CSD_SEC_COUNT + 2] << 16 |
		     (uint64_t)b[KESU_EXT_CSD_SEC_COUNT + 3] << 24;
	x->boot_bytes = (uint64_t)b[KESU_EXT_CSD_BOOT_SIZE_MULT] * 128 * 1024;
	x->rpmb_bytes = (uint64_t)b[KESU_EXT_CSD_RPMB_SIZE_MULT] * 128 * 1024;
	uint64_t hc_wp = (uint64_t)x->hc_wp_grp_size * x->hc_erase_grp_size * 512 * 1024;
	for (int i = 0; i < 4; i++) {
		const uint8_t *g = b + KESU_EXT_CSD_GP_SIZE_MULT + 3 * i;
		uint64_t mult = (uint64_t)g[0] | (uint64_t)g[1] << 8 | (uint64_t)g[2] << 16;
		x->gp_bytes[i] = mult * hc_wp;
	}
	x->user_wp = b[KESU_EXT_CSD_USER_WP];
	x->boot_wp = b[KESU_EXT_CSD_BOOT_WP];
	x->partition_config = b[KESU_EXT_CSD_PARTITION_CONFIG];
	return KESU_OK;
}

static uint32_t csd_bits(const uint32_t csd[4], unsigned hi, unsigned lo)
{
	uint32_t v = 0;
	for (unsigned b = hi + 1; b-- > lo;) {
		uint32_t word = csd[3 - b / 32];
		v = (v << 1) | ((word >> (b % 32)) & 1u);
	}
	return v;
}

void kesu_mmc_parse_csd(const uint32_t csd[4], struct kesu_mmc_csd *c)
{
	memset(c, 0, sizeof(*c));
	uint32_t size = csd_bits(csd, 46, 42), mult = csd_bits(csd, 41, 37);
	uint32_t bl_len = csd_bits(csd, 25, 22);
	uint32_t sectors = (size + 1) * (mult + 1);
	/* The group counts write blocks; WRITE_BL_LEN is their log2 size. */
	if (bl_len > 9 && bl_len < 16)
		sectors <<= bl_len - 9;
	c->erase_grp_sectors = sectors;
	c->wp_grp_groups = csd_bits(csd, 36, 32) + 1;
	c->wp_grp_enable = csd_bits(csd, 31, 31);
	c->perm_write_protect = csd_bits(csd, 13, 13);
	c->tmp_write_protect = csd_bits(csd, 12, 12);
}

uint32_t kesu_mmc_write_prot_bits(const uint8_t buf[4])
{
	/* The card sends the word most significant bit first; its least
	 * significant bit is the first addressed group. */
	return (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
}

uint64_t kesu_mmc_erase_group_sectors(const struct kesu_mmc_ext_csd *x,
				      const struct kesu_mmc_csd *csd)
{
	if (x->hc_erase_def)
		return (uint64_t)x->hc_erase_grp_size * 1024;
	return csd ? csd->erase_grp_sectors : 0;
}

uint64_t kesu_mmc_wp_group_sectors(const struct kesu_mmc_ext_csd *x,
				   const struct kesu_mmc_csd *csd)
{
	if (x->hc_erase_def)
		return (uint64_t)x->hc_wp_grp_size * x->hc_erase_grp_size * 1024;
	return csd ? (uint64_t)csd->erase_grp_sectors * csd->wp_grp_groups : 0;
}

uint64_t kesu_mmc_erase_timeout_ms(const struct kesu_mmc_ext_csd *x, uint64_t groups)
{
	uint64_t per = x->hc_erase_def && x->erase_timeout_mult ? 300u * x->erase_timeout_mult
								: 1000u;
	return per * (groups ? groups : 1);
}

void kesu_mmc_r1_describe(uint32_t s, char *out, size_t outsz)
{
	static const struct {
		uint32_t bit;
		const char *name;
	} names[] = {
		{KESU_R1_OUT_OF_RANGE, "OUT_OF_RANGE"}, {KESU_R1_ADDRESS_ERROR, "ADDRESS_MISALIGN"},
		{1u << 29, "BLOCK_LEN_ERROR"}, {KESU_R1_ERASE_SEQ_ERROR, "ERASE_SEQ_ERROR"},
		{KESU_R1_ERASE_PARAM, "ERASE_PARAM"}, {KESU_R1_WP_VIOLATION, "WP_VIOLATION"},
		{KESU_R1_CARD_IS_LOCKED, "CARD_IS_LOCKED"}, {1u << 24, "LOCK_UNLOCK_FAILED"},
		{1u << 23, "COM_CRC_ERROR"}, {KESU_R1_ILLEGAL_COMMAND, "ILLEGAL_COMMAND"},
		{KESU_R1_CARD_ECC_FAILED, "CARD_ECC_FAILED"}, {KESU_R1_CC_ERROR, "CC_ERROR"},
		{KESU_R1_ERROR, "ERROR"}, {1u << 16, "CID/CSD_OVERWRITE"},
		{KESU_R1_WP_ERASE_SKIP, "WP_ERASE_SKIP"}, {KESU_R1_ERASE_RESET, "ERASE_RESET"},
		{KESU_R1_SWITCH_ERROR, "SWITCH_ERROR"},
	};
	size_t o = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(s & names[i].bit))
			continue;
		int w = snprintf(out + o, outsz - o, "%s%s", o ? ", " : "", names[i].name);
		if (w < 0 || (size_t)w >= outsz - o)
			break;
		o += (size_t)w;
	}
}
