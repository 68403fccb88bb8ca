/* An eMMC device written from JEDEC JESD84-B51: EXT_CSD (SEND_EXT_CSD),
 * the CSD as the driver shows it, write-protect groups (SEND_WRITE_PROT),
 * the erase sequence CMD35/CMD36/CMD38 with its R1 errors (ERASE_SEQ_ERROR,
 * OUT_OF_RANGE) and busy time, and SANITIZE through SWITCH, which purges
 * only the erase groups that are no longer mapped.
 *
 * Only cards above 2 GiB are sector addressed, so the medium is virtual:
 * each erase group holds either its user data (bytes computed from the
 * offset) or the erased value, and nothing is stored.
 *
 * Failures: sanitize not supported (the driver answers EOPNOTSUPP), busy
 * waits that the host's timeout cuts short, SWITCH_ERROR, R1 errors on
 * ERASE, a device that disappears mid-erase, an erase that silently misses
 * a group, a card that stops answering after sanitize. */
#ifndef KESU_EMMC_MODEL_H
#define KESU_EMMC_MODEL_H

#include "wipe/engine/target.h"
#include "wipe/firmware/transport.h"

#include <stdbool.h>

struct emmc_model {
	struct kesu_transport tr;
	uint64_t sectors;
	uint8_t ext_csd[512];
	uint32_t csd[4];
	bool csd_unreadable;
	bool gone;
	uint64_t groups;                     /* erase groups over the user area */
	bool *erased;                        /* per erase group: unmapped, erased value */
	bool *wp;                            /* per write-protect group */
	uint64_t wp_groups;
	/* erase sequence */
	bool have_start, have_end;
	uint32_t start, end;
	/* sanitize */
	bool sanitized;
	uint64_t mapped_at_sanitize;         /* groups sanitize could not purge */
	uint32_t sanitize_ms;                /* busy time the sanitize needs */
	/* faults */
	bool sanitize_unsupported_by_driver, sanitize_switch_error, mute_after_sanitize;
	int gone_after_erases;               /* < 0: never */
	int64_t skip_group;                  /* erase group that ERASE misses silently, -1 none */
	uint32_t erase_error_bits;           /* R1 errors ERASE reports (nothing erased) */
	/* what kesu sent */
	unsigned n_erase, n_sanitize, n_wp_queries, n_cmds;
	uint64_t groups_erased_twice;        /* wear and time spent for nothing */
	uint32_t max_erase_timeout_ms;       /* the longest busy wait kesu allowed */
};

/* A 2 GiB + 4 MiB eMMC 5.1 with high-capacity erase and write-protect
 * groups of 512 KiB, sanitize, ERASED_MEM_CONT 0, no write protection,
 * user data everywhere. */
void emmc_model_init(struct emmc_model *m);
void emmc_model_destroy(struct emmc_model *m);
/* Legacy (CSD) erase groups of `sectors` instead of high-capacity ones. */
void emmc_model_legacy_groups(struct emmc_model *m, uint32_t sectors);
/* CSD bits hi..lo = v (bit 127 is the top of csd[0]). */
void emmc_model_csd_set(uint32_t csd[4], unsigned hi, unsigned lo, uint32_t v);
/* Erase groups still holding user data. */
uint64_t emmc_model_groups_with_data(const struct emmc_model *m);
/* A target over the user area (reads only). */
struct kesu_target *emmc_model_target(struct emmc_model *m);

#endif
