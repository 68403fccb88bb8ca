/* eMMC command builders and register parsers (JEDEC JESD84-B51: EXT_CSD
 * byte positions, CSD bit positions, R1 card status; command flags as the
 * Linux mmc core defines them for MMC_IOC_CMD).  Pure code: no I/O.
 *
 * eMMC Sanitize removes data only from the unmapped address space, so the
 * purge is ERASE (CMD35/36/38) of the whole user area followed by SANITIZE
 * (SWITCH EXT_CSD[165] = 1). */
#ifndef KESU_MMC_H
#define KESU_MMC_H

#include "lib/error.h"
#include "wipe/firmware/transport.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_MMC_SWITCH            6
#define KESU_MMC_SEND_EXT_CSD      8
#define KESU_MMC_SEND_WRITE_PROT   30
#define KESU_MMC_ERASE_GROUP_START 35
#define KESU_MMC_ERASE_GROUP_END   36
#define KESU_MMC_ERASE             38

/* Response and command-class flags (linux mmc core; the SPI bits let an
 * SPI host take the same command). */
#define KESU_MMC_RSP_PRESENT  (1u << 0)
#define KESU_MMC_RSP_CRC      (1u << 2)
#define KESU_MMC_RSP_BUSY     (1u << 3)
#define KESU_MMC_RSP_OPCODE   (1u << 4)
#define KESU_MMC_CMD_AC       (0u << 5)
#define KESU_MMC_CMD_ADTC     (1u << 5)
#define KESU_MMC_RSP_SPI_S1   (1u << 7)
#define KESU_MMC_RSP_SPI_BUSY (1u << 10)
#define KESU_MMC_RSP_R1  (KESU_MMC_RSP_PRESENT | KESU_MMC_RSP_CRC | KESU_MMC_RSP_OPCODE)
#define KESU_MMC_RSP_R1B (KESU_MMC_RSP_R1 | KESU_MMC_RSP_BUSY)

/* EXT_CSD byte positions. */
#define KESU_EXT_CSD_GP_SIZE_MULT    143 /* 12 bytes: GP1..GP4, 3 bytes each */
#define KESU_EXT_CSD_SANITIZE_START  165
#define KESU_EXT_CSD_RPMB_SIZE_MULT  168
#define KESU_EXT_CSD_USER_WP         171
#define KESU_EXT_CSD_BOOT_WP         173
#define KESU_EXT_CSD_ERASE_GROUP_DEF 175
#define KESU_EXT_CSD_PARTITION_CONFIG 179
#define KESU_EXT_CSD_ERASED_MEM_CONT 181
#define KESU_EXT_CSD_REV             192
#define KESU_EXT_CSD_SEC_COUNT       212 /* 4 bytes, little endian */
#define KESU_EXT_CSD_HC_WP_GRP_SIZE  221
#define KESU_EXT_CSD_ERASE_TIMEOUT_MULT 223
#define KESU_EXT_CSD_HC_ERASE_GRP_SIZE 224
#define KESU_EXT_CSD_BOOT_SIZE_MULT  226
#define KESU_EXT_CSD_SEC_FEATURE_SUPPORT 231
#define KESU_EXT_CSD_LEN             512

#define KESU_MMC_SEC_SANITIZE   (1u << 6)
#define KESU_MMC_SEC_ER_EN      (1u << 0)

/* R1 card status bits that mean a command (or the erase before it) went
 * wrong. */
#define KESU_R1_OUT_OF_RANGE     (1u << 31)
#define KESU_R1_ADDRESS_ERROR    (1u << 30)
#define KESU_R1_ERASE_SEQ_ERROR  (1u << 28)
#define KESU_R1_ERASE_PARAM      (1u << 27)
#define KESU_R1_WP_VIOLATION     (1u << 26)
#define KESU_R1_CARD_IS_LOCKED   (1u << 25)
#define KESU_R1_ILLEGAL_COMMAND  (1u << 22)
#define KESU_R1_CARD_ECC_FAILED  (1u << 21)
#define KESU_R1_CC_ERROR         (1u << 20)
#define KESU_R1_ERROR            (1u << 19)
#define KESU_R1_WP_ERASE_SKIP    (1u << 15)
#define KESU_R1_ERASE_RESET      (1u << 13)
#define KESU_R1_SWITCH_ERROR     (1u << 7)
#define KESU_R1_ERRORS (0xFFF80000u | (1u << 16) | KESU_R1_WP_ERASE_SKIP | \
			KESU_R1_ERASE_RESET | KESU_R1_SWITCH_ERROR)

/* Above 2 GiB a card is sector addressed; the Linux driver decides it from
 * SEC_COUNT the same way.  kesu only addresses sectors. */
#define KESU_MMC_BYTE_ADDRESSED_MAX_SECTORS (2u * 1024 * 1024 * 1024 / 512)

struct kesu_mmc_ext_csd {
	uint8_t rev;              /* EXT_CSD_REV: 6 = eMMC 4.5, 7 = 5.0, 8 = 5.1 */
	uint8_t sec_feature;
	bool sanitize;            /* SEC_FEATURE_SUPPORT bit 6 (and rev >= 6) */
	uint8_t erased_mem_cont;  /* 0: erased blocks read 0x00, 1: 0xFF */
	bool hc_erase_def;        /* ERASE_GROUP_DEF bit 0: high-capacity groups */
	uint8_t hc_erase_grp_size, erase_timeout_mult, hc_wp_grp_size;
	uint64_t sectors;         /* SEC_COUNT, 512-byte sectors of the user area */
	uint64_t boot_bytes;      /* each of the two boot partitions */
	uint64_t rpmb_bytes;
	uint64_t gp_bytes[4];     /* general purpose partitions */
	uint8_t user_wp, boot_wp, partition_config;
};

struct kesu_mmc_csd {
	uint32_t erase_grp_sectors;  /* legacy erase group, 512-byte sectors */
	uint32_t wp_grp_groups;      /* erase groups per write-protect group */
	bool wp_grp_enable;
	bool perm_write_protect, tmp_write_protect;
};

void kesu_mmc_send_ext_csd_cmd(struct kesu_mmc_cmd *c, uint8_t buf[KESU_EXT_CSD_LEN]);
/* SWITCH, write byte: EXT_CSD[165] = 1.  R1b; the busy wait is the
 * sanitize itself, so timeout_ms must cover it. */
void kesu_mmc_sanitize_cmd(struct kesu_mmc_cmd *c, uint32_t timeout_ms);
/* ERASE_GROUP_START, ERASE_GROUP_END, ERASE (arg 0: erase, so the range
 * reads as ERASED_MEM_CONT afterwards) over sectors [first, last]. */
void kesu_mmc_erase_cmds(struct kesu_mmc_cmd c[3], uint32_t first, uint32_t last,
			 uint32_t timeout_ms);
/* SEND_WRITE_PROT: 32 bits for the 32 write-protect groups from sector. */
void kesu_mmc_send_write_prot_cmd(struct kesu_mmc_cmd *c, uint32_t sector, uint8_t buf[4]);

enum kesu_rc kesu_mmc_parse_ext_csd(const uint8_t *buf, size_t len,
				    struct kesu_mmc_ext_csd *x, struct kesu_err *err);
/* csd[0] holds bits 127..96 (as sysfs and the driver show it). */
void kesu_mmc_parse_csd(const uint32_t csd[4], struct kesu_mmc_csd *c);
/* Bit i set: the i-th group from the addressed one is write protected. */
uint32_t kesu_mmc_write_prot_bits(const uint8_t buf[4]);

/* Erase group and write-protect group in sectors (the high-capacity ones
 * when ERASE_GROUP_DEF is set, else the CSD's); 0 when not known. */
uint64_t kesu_mmc_erase_group_sectors(const struct kesu_mmc_ext_csd *x,
				      const struct kesu_mmc_csd *csd);
uint64_t kesu_mmc_wp_group_sectors(const struct kesu_mmc_ext_csd *x,
				   const struct kesu_mmc_csd *csd);
/* Time the card may take to erase n erase groups (ERASE_TIMEOUT_MULT x
 * 300 ms each; a generous 1 s per group when the card gives none). */
uint64_t kesu_mmc_erase_timeout_ms(const struct kesu_mmc_ext_csd *x, uint64_t groups);

/* "ERASE_PARAM, WP_ERASE_SKIP" for the error bits of an R1 status ("" if
 * none). */
void kesu_mmc_r1_describe(uint32_t status, char *out, size_t outsz);

#endif
