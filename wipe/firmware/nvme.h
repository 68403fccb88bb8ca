/* NVMe admin command builders and response parsers (NVM Express Base
 * Specification; field positions cross-checked with linux/nvme_ioctl.h and
 * nvme-cli).  Pure code: no I/O. */
#ifndef KESU_NVME_H
#define KESU_NVME_H

#include "lib/error.h"
#include "wipe/firmware/transport.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_NVME_OP_GET_LOG      0x02
#define KESU_NVME_OP_IDENTIFY     0x06
#define KESU_NVME_OP_FORMAT       0x80
#define KESU_NVME_OP_SECURITY_RECV 0x82
#define KESU_NVME_OP_SANITIZE     0x84

#define KESU_NVME_IDENTIFY_LEN    4096
#define KESU_NVME_LID_SANITIZE    0x81
#define KESU_NVME_SANITIZE_LOG_LEN 512
#define KESU_NVME_NSID_ALL        0xFFFFFFFFu

/* Status field values (SCT << 8 | SC) kesu reacts to. */
#define KESU_NVME_SC_INVALID_OPCODE   0x001
#define KESU_NVME_SC_INVALID_FIELD    0x002
#define KESU_NVME_SC_SANITIZE_FAILED  0x01C
#define KESU_NVME_SC_SANITIZE_IN_PROGRESS 0x01D
#define KESU_NVME_SC_INVALID_FORMAT   0x10A
#define KESU_NVME_STATUS_MASK         0x7FF /* without DNR/More */

/* Identify Controller fields kesu uses. */
#define KESU_NVME_OACS_SECURITY  0x0001u
#define KESU_NVME_OACS_FORMAT    0x0002u
#define KESU_NVME_SANICAP_CRYPTO 0x1u
#define KESU_NVME_SANICAP_BLOCK  0x2u
#define KESU_NVME_SANICAP_OVERWRITE 0x4u
#define KESU_NVME_FNA_FORMAT_ALL 0x1u  /* Format applies to every namespace */
#define KESU_NVME_FNA_ERASE_ALL  0x2u  /* secure erase applies to every namespace */
#define KESU_NVME_FNA_CRYPTO     0x4u  /* Format supports SES=2 */

struct kesu_nvme_ctrl {
	char model[41];
	char serial[21];
	char firmware[9];
	uint16_t oacs;
	uint32_t sanicap;
	uint8_t fna;
	uint32_t nn;          /* number of namespaces the controller supports */
};

struct kesu_nvme_ns {
	uint64_t nsze;        /* size in logical blocks */
	uint8_t flbas;
	uint8_t nlbaf;        /* zero-based count of LBA formats */
	unsigned lbaf;        /* index of the format in use */
	bool mset;            /* metadata at the end of each LBA */
	uint8_t pi;           /* protection information type 0..3 */
	bool pil;             /* PI in the first bytes of metadata */
	uint32_t lba_bytes;
	uint8_t dlfeat;       /* bits 2:0: deallocated blocks read 1 zeros, 2 ones */
};

enum kesu_nvme_sanact {
	KESU_NVME_SANACT_EXIT_FAILURE = 1,
	KESU_NVME_SANACT_BLOCK = 2,
	KESU_NVME_SANACT_OVERWRITE = 3,
	KESU_NVME_SANACT_CRYPTO = 4,
};

struct kesu_nvme_sanitize_args {
	enum kesu_nvme_sanact sanact;
	bool ause;            /* allow unrestricted sanitize exit after failure */
	unsigned owpass;      /* overwrite passes 1..16 (16 encodes as 0) */
	bool oipbp;           /* invert the pattern between passes */
	bool ndas;            /* no deallocate after sanitize */
	uint32_t pattern;     /* cdw11: the 32-bit overwrite pattern */
};

enum kesu_nvme_sstat {
	KESU_NVME_SSTAT_NEVER = 0,
	KESU_NVME_SSTAT_SUCCESS = 1,
	KESU_NVME_SSTAT_IN_PROGRESS = 2,
	KESU_NVME_SSTAT_FAILED = 3,
	KESU_NVME_SSTAT_SUCCESS_NO_DEALLOC = 4,
};

#define KESU_NVME_NO_ESTIMATE 0xFFFFFFFFu

struct kesu_nvme_sanitize_log {
	uint16_t sprog;       /* progress numerator over 65536; 0xFFFF when done */
	uint16_t sstat;
	uint32_t scdw10;      /* cdw10 of the last sanitize */
	uint32_t eto, etbe, etce;       /* estimated seconds, or NO_ESTIMATE */
	uint32_t etond, etbend, etcend; /* same with no-deallocate */
	enum kesu_nvme_sstat state;     /* sstat bits 2:0 */
	unsigned passes_done;           /* sstat bits 7:3 */
	bool global_data_erased;        /* sstat bit 8 */
};

void kesu_nvme_identify_ctrl_cmd(struct kesu_nvme_cmd *c, void *buf);
void kesu_nvme_identify_ns_cmd(struct kesu_nvme_cmd *c, uint32_t nsid, void *buf);
enum kesu_rc kesu_nvme_parse_ctrl(const uint8_t *buf, size_t len,
				  struct kesu_nvme_ctrl *out, struct kesu_err *err);
enum kesu_rc kesu_nvme_parse_ns(const uint8_t *buf, size_t len,
				struct kesu_nvme_ns *out, struct kesu_err *err);

/* Format NVM cdw10 that keeps the namespace's current LBA format,
 * metadata and protection settings and only sets SES. */
uint32_t kesu_nvme_format_cdw10(const struct kesu_nvme_ns *ns, unsigned ses);
void kesu_nvme_format_cmd(struct kesu_nvme_cmd *c, uint32_t nsid, uint32_t cdw10,
			  uint32_t timeout_ms);

uint32_t kesu_nvme_sanitize_cdw10(const struct kesu_nvme_sanitize_args *a);
void kesu_nvme_sanitize_cmd(struct kesu_nvme_cmd *c,
			    const struct kesu_nvme_sanitize_args *a);

void kesu_nvme_sanitize_log_cmd(struct kesu_nvme_cmd *c, void *buf);
void kesu_nvme_parse_sanitize_log(const uint8_t *buf,
				  struct kesu_nvme_sanitize_log *out);

const char *kesu_nvme_sstat_name(enum kesu_nvme_sstat s);
/* "invalid-opcode", "sanitize-in-progress", ... or "status-0x1c2". */
void kesu_nvme_status_describe(int status, char *buf, size_t bufsz);

#endif
