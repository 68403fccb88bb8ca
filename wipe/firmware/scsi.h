/* SCSI SANITIZE (SBC-4), REPORT SUPPORTED OPERATION CODES (SPC-4) and the
 * sense data kesu reads while a sanitize runs.  Pure builders/parsers plus
 * kesu_scsi_run() that sends one CDB through a transport. */
#ifndef KESU_SCSI_H
#define KESU_SCSI_H

#include "lib/error.h"
#include "wipe/firmware/transport.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_SCSI_SANITIZE 0x48
#define KESU_SCSI_REQUEST_SENSE 0x03
#define KESU_SCSI_MAINT_IN 0xA3
#define KESU_SCSI_RSOC_SA 0x0C
#define KESU_SCSI_SECURITY_IN 0xA2

enum kesu_scsi_sanitize_sa {
	KESU_SCSI_SA_OVERWRITE = 0x01,
	KESU_SCSI_SA_BLOCK = 0x02,
	KESU_SCSI_SA_CRYPTO = 0x03,
	KESU_SCSI_SA_EXIT_FAILURE = 0x1F,
};

/* Sense keys and the ASC/ASCQ pairs that matter here. */
#define KESU_SK_NO_SENSE 0x0
#define KESU_SK_NOT_READY 0x2
#define KESU_SK_MEDIUM_ERROR 0x3
#define KESU_SK_ILLEGAL_REQUEST 0x5
#define KESU_SK_UNIT_ATTENTION 0x6

struct kesu_sense {
	bool valid;
	uint8_t key, asc, ascq;
	bool sksv;           /* sense-key-specific field valid */
	uint16_t progress;   /* progress indication numerator over 65536 */
};

void kesu_scsi_parse_sense(const uint8_t *s, size_t len, struct kesu_sense *out);

/* SANITIZE in progress: 04/1B.  SANITIZE failed: 31/03. */
static inline bool kesu_sense_sanitize_in_progress(const struct kesu_sense *s)
{
	return s->valid && s->key == KESU_SK_NOT_READY && s->asc == 0x04 && s->ascq == 0x1B;
}
static inline bool kesu_sense_sanitize_failed(const struct kesu_sense *s)
{
	return s->valid && s->asc == 0x31 && s->ascq == 0x03;
}

/* REPORT SUPPORTED OPERATION CODES for one opcode + service action
 * (reporting options 010b); alloc bytes of response buffer. */
void kesu_scsi_rsoc_cmd(struct kesu_scsi_cmd *c, uint8_t opcode, uint16_t sa,
			void *buf, uint32_t alloc);
/* SUPPORT field of the one-command response: 3 (or 5) = supported. */
bool kesu_scsi_rsoc_supported(const uint8_t *buf, size_t len);

/* SANITIZE with IMMED set (the command returns at once, progress comes
 * through REQUEST SENSE).  For overwrite, param must hold the parameter
 * list built by kesu_scsi_sanitize_overwrite_params (param_len bytes). */
void kesu_scsi_sanitize_cmd(struct kesu_scsi_cmd *c, enum kesu_scsi_sanitize_sa sa,
			    bool ause, void *param, uint16_t param_len);
/* Overwrite parameter list: passes 1..31, invert, a pattern of 1..
 * plen bytes (at most 64); returns the list length, 0 if invalid. */
uint16_t kesu_scsi_sanitize_overwrite_params(uint8_t *buf, size_t bufsz,
					     unsigned passes, bool invert,
					     const uint8_t *pattern, uint16_t plen);

void kesu_scsi_request_sense_cmd(struct kesu_scsi_cmd *c, void *buf, uint8_t alloc);

/* Send one CDB.  KESU_OK when it completed GOOD; KESU_ERR_FAILED when it
 * ended with CHECK CONDITION (*sense decoded); GONE / IO otherwise. */
enum kesu_rc kesu_scsi_run(struct kesu_transport *t, struct kesu_scsi_cmd *c,
			   struct kesu_sense *sense, struct kesu_err *err);

#endif
