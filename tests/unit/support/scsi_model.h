/* A SAS/SCSI disk written from SBC-4/SPC-4: REPORT SUPPORTED OPERATION
 * CODES for SANITIZE, SANITIZE (overwrite with its parameter list, block
 * erase, cryptographic erase) with IMMED, progress through REQUEST SENSE
 * (NOT READY 04/1B with the progress indication), failure 31/03. */
#ifndef KESU_SCSI_MODEL_H
#define KESU_SCSI_MODEL_H

#include "model_medium.h"
#include "wipe/firmware/transport.h"

struct scsi_model {
	struct kesu_transport tr;
	struct model_medium med;
	bool sa_overwrite, sa_block, sa_crypto;
	bool rsoc_unsupported;   /* an old disk without REPORT SUPPORTED OPCODES */
	/* sanitize state */
	bool running, failed;
	uint8_t sa;
	uint8_t pattern[64];
	uint16_t plen;
	unsigned passes;
	unsigned polls_to_finish, polls_done;
	/* faults */
	bool sanitize_fails, stall, crypto_stale;
	unsigned faults_from;    /* sanitize_fails and stall hit only the Nth sanitize
				  * and later (1-based; 0 = every one) */
	int gone_after_polls;    /* < 0: never */
	/* what kesu sent */
	unsigned n_sanitize, n_sense;
	uint8_t last_cdb1;
	uint8_t sanitize_sa[4];  /* of the first four sanitizes, in order */
};

/* 1 MiB disk supporting all three SANITIZE service actions. */
void scsi_model_init(struct scsi_model *m, uint64_t bytes);
void scsi_model_destroy(struct scsi_model *m);

#endif
