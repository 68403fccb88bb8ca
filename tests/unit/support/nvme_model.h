/* An NVMe controller with one namespace, written from the NVM Express Base
 * Specification: Identify, Format NVM (SES and FNA rules), Sanitize with
 * progress through the Sanitize Status log, Security Receive Level 0
 * discovery, and the failures kesu must survive. */
#ifndef KESU_NVME_MODEL_H
#define KESU_NVME_MODEL_H

#include "model_medium.h"
#include "wipe/firmware/transport.h"

struct nvme_model {
	struct kesu_transport tr;
	struct model_medium med;
	/* identity and capabilities */
	char mn[41], sn[21], fr[9];
	uint16_t oacs;
	uint32_t sanicap;
	uint8_t fna;
	uint32_t nn;
	unsigned lbaf;          /* current LBA format: 0 = 512 B, 1 = 4096 B */
	uint8_t dlfeat;         /* 1: deallocated reads zeros */
	uint32_t est_crypto, est_block, est_overwrite; /* seconds, or ~0 */
	bool opal;              /* answers Level 0 discovery, PSID revert */
	char psid[33];
	/* sanitize state */
	uint16_t sstat, sprog;
	uint32_t scdw10, ovrpat;
	bool in_progress;
	unsigned polls_to_finish, polls_done;
	/* faults */
	bool sanitize_fails;    /* completes with SSTAT failed, half the media untouched */
	bool stall;             /* progress never advances */
	int gone_after_polls;   /* < 0: never */
	bool crypto_stale;      /* crypto erase leaves the first block unchanged */
	bool format_fails;      /* Format NVM returns internal error */
	bool busy_at_start;     /* a sanitize is already running when kesu arrives */
	unsigned faults_from;   /* sanitize_fails and stall hit only the Nth sanitize
				 * and later (1-based; 0 = every one) */
	/* SMART / Health Information log (LID 02h) */
	uint8_t smart_warning, smart_used;
	uint16_t smart_temp_k;
	uint64_t smart_poh, smart_units_written, smart_unsafe, smart_media_errors;
	bool smart_high_bits;   /* a counter's upper 64 bits set: saturates */
	bool smart_fails;       /* the log is refused (invalid log page) */
	unsigned n_smart;
	/* what kesu sent */
	unsigned n_format, n_sanitize, n_log, n_psid;
	uint32_t sanitize_cdw10[4];  /* of the first four sanitizes, in order */
	uint32_t last_format_cdw10, last_format_nsid, last_sanitize_cdw10,
		 last_sanitize_cdw11;
};

/* A 1 MiB (by default) controller: Format supported, SANICAP crypto+block+
 * overwrite, FNA crypto, one namespace, user data everywhere. */
void nvme_model_init(struct nvme_model *m, uint64_t bytes);
void nvme_model_destroy(struct nvme_model *m);

#endif
