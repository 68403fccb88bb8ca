/* A SATA drive behind SAT (ATA PASS-THROUGH(16) with descriptor sense),
 * written from ACS: IDENTIFY, the Security feature set state machine
 * (frozen, locked, enabled, password attempt counter), the Sanitize feature
 * set with SANITIZE STATUS EXT polling, HPA (READ NATIVE MAX / SET MAX)
 * and DCO (IDENTIFY / RESTORE). */
#ifndef KESU_ATA_MODEL_H
#define KESU_ATA_MODEL_H

#include "model_medium.h"
#include "wipe/firmware/transport.h"

struct ata_model {
	struct kesu_transport tr;
	struct model_medium med;
	char model[41], serial[21];
	uint16_t rotation;        /* word 217: 1 = SSD */
	bool san, san_crypto, san_block, san_overwrite;
	bool sec_supported, sec_enhanced;
	uint16_t w89, w90;        /* erase time words */
	bool hpa_supported, dco_supported;
	/* security state */
	bool sec_enabled, locked, frozen;
	uint8_t user_pw[32];
	unsigned attempts_left;
	bool prepared;
	/* sanitize state */
	bool san_running, san_failed;
	uint16_t san_feature, san_count;
	uint64_t san_lba;
	unsigned polls_to_finish, polls_done;
	/* HPA / DCO: last LBAs */
	uint64_t dco_max, native_max, current_max;
	bool native_read;
	/* faults */
	bool erase_fails;         /* ERASE UNIT aborts, password stays set */
	bool disable_fails;       /* DISABLE PASSWORD aborts */
	bool stays_enabled;       /* ERASE UNIT "succeeds" but security stays enabled */
	bool sanitize_fails;
	bool stall;
	unsigned faults_from;     /* sanitize_fails and stall hit only the Nth sanitize
				   * and later (1-based; 0 = every one) */
	bool crypto_stale;
	int gone_after_cmds;      /* < 0: never */
	bool no_regs;             /* a bridge that drops the returned registers */
	/* SMART (ATA8-ACS): attributes 5, 9, 197, 198 as raw values */
	bool smart_off;           /* SMART disabled: every SMART command aborts */
	bool smart_failing;       /* RETURN STATUS reports a threshold exceeded */
	bool smart_bad_checksum;  /* READ DATA returns a wrong checksum byte */
	uint64_t smart_realloc, smart_poh, smart_pending, smart_uncorrectable;
	unsigned n_smart;
	/* what kesu sent */
	unsigned n_cmds, n_set_pw, n_erase, n_disable, n_sanitize, n_set_max, n_dco_restore;
	bool last_erase_enhanced;
	uint16_t sanitize_features[4];  /* of the first four sanitizes, in order */
};

/* 1 MiB SSD with sanitize (all three), security supported and not frozen,
 * HPA and DCO supported but no hidden area. */
void ata_model_init(struct ata_model *m, uint64_t bytes);
void ata_model_destroy(struct ata_model *m);
/* Hide the last `sectors` sectors behind an HPA (and `dco` more behind a
 * DCO) without touching the medium. */
void ata_model_hide(struct ata_model *m, uint64_t hpa_sectors, uint64_t dco_sectors);

#endif
