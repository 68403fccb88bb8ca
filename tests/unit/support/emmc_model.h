/* An eMMC device written from JEDEC JESD84-B51: EXT_CSD (SEND_EXT_CSD),
 * CSD and OCR as the driver shows them, write-protect groups
 * (SEND_WRITE_PROT), the erase sequence CMD35/CMD36/CMD38 with its R1
 * errors (ERASE_SEQ_ERROR, OUT_OF_RANGE) and busy time, and SANITIZE through
 * SWITCH, which purges only the erase groups that are no longer mapped.
 * Failures: sanitize not supported (the driver answers EOPNOTSUPP), busy
 * waits that the host's timeout cuts short, SWITCH_ERROR, a device that
 * disappears mid-erase, an erase that silently misses a group, a card that
 * stops answering after sanitize. */
#ifndef KESU_EMMC_MODEL_H
#define KESU_EMMC_MODEL_H

#include "model_medium.h"
#include "transport.h"

#define EMMC_MODEL_GROUPS_MAX 256

struct emmc_model {
	struct kesu_transport tr;
	struct model_medium med;
	uint8_t ext_csd[512];
	uint32_t csd[4];
	uint32_t ocr;
	bool regs_unreadable;
	bool wp[EMMC_MODEL_GROUPS_MAX];      /* per write-protect group */
	bool mapped[EMMC_MODEL_GROUPS_MAX];  /* per erase group: holds data */
	/* erase sequence */
	bool have_start, have_end;
	uint32_t start, end;
	/* sanitize */
	bool sanitized;
	unsigned mapped_at_sanitize;         /* groups sanitize could not purge */
	uint32_t sanitize_ms;                /* busy time the sanitize needs */
	/* faults */
	bool sanitize_unsupported_by_driver, sanitize_switch_error, mute_after_sanitize;
	int gone_after_erases;               /* < 0: never */
	int skip_group;                      /* erase group that ERASE misses silently, -1 none */
	uint32_t erase_error_bits;           /* R1 errors ERASE reports (nothing erased) */
	/* what kesu sent */
	unsigned n_erase, n_sanitize, n_wp_queries, n_cmds;
	uint32_t last_erase_timeout_ms;
};

/* A sector-addressed eMMC 5.1 of `bytes` (a multiple of 512 KiB) with
 * high-capacity erase groups of 512 KiB, sanitize, ERASED_MEM_CONT 0, no
 * write protection, user data everywhere. */
void emmc_model_init(struct emmc_model *m, uint64_t bytes);
void emmc_model_destroy(struct emmc_model *m);
/* Legacy (CSD) erase groups of `sectors` instead of high-capacity ones. */
void emmc_model_legacy_groups(struct emmc_model *m, uint32_t sectors);
/* CSD bits hi..lo = v (bit 127 is the top of csd[0]). */
void emmc_model_csd_set(uint32_t csd[4], unsigned hi, unsigned lo, uint32_t v);

#endif
