/* ATA commands carried in SCSI ATA PASS-THROUGH(16) CDBs (SAT), their
 * results from descriptor sense (0x72, descriptor 0x09), and the IDENTIFY
 * DEVICE words that tell what a drive can purge (ACS).  Builders and
 * parsers are pure; kesu_ata_exec() is the one call that goes through a
 * transport. */
#ifndef KESU_ATA_H
#define KESU_ATA_H

#include "lib/error.h"
#include "wipe/firmware/transport.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_ATA_PT16 0x85

enum kesu_ata_proto {
	KESU_ATA_NONDATA = 3,
	KESU_ATA_PIO_IN = 4,
	KESU_ATA_PIO_OUT = 5,
};

/* Commands and SANITIZE / DCO feature codes. */
#define KESU_ATA_IDENTIFY         0xEC
#define KESU_ATA_READ_NATIVE_MAX_EXT 0x27
#define KESU_ATA_SET_MAX_EXT      0x37
#define KESU_ATA_SANITIZE         0xB4
#define KESU_ATA_DCO              0xB1
#define KESU_ATA_SEC_SET_PASSWORD 0xF1
#define KESU_ATA_SEC_UNLOCK       0xF2
#define KESU_ATA_SEC_ERASE_PREPARE 0xF3
#define KESU_ATA_SEC_ERASE_UNIT   0xF4
#define KESU_ATA_SEC_DISABLE      0xF6
#define KESU_ATA_SAN_STATUS       0x0000
#define KESU_ATA_SAN_CRYPTO       0x0011
#define KESU_ATA_SAN_BLOCK        0x0012
#define KESU_ATA_SAN_OVERWRITE    0x0014
#define KESU_ATA_SAN_CRYPTO_KEY   0x43727970u  /* "Cryp" */
#define KESU_ATA_SAN_BLOCK_KEY    0x426B4572u  /* "BkEr" */
#define KESU_ATA_SAN_OVERWRITE_KEY 0x4F57u     /* "OW", LBA 47:32 */
#define KESU_ATA_DCO_RESTORE      0xC0
#define KESU_ATA_DCO_IDENTIFY     0xC2

/* Status / error register bits. */
#define KESU_ATA_STATUS_ERR 0x01
#define KESU_ATA_ERROR_ABRT 0x04

/* SANITIZE STATUS EXT output (count field). */
#define KESU_ATA_SAN_COMPLETED   0x8000u
#define KESU_ATA_SAN_IN_PROGRESS 0x4000u
#define KESU_ATA_SAN_FROZEN      0x2000u

#define KESU_ATA_PASSWORD_LEN 32

struct kesu_ata_tf {
	uint16_t feature;
	uint16_t count;
	uint64_t lba;     /* 48 bits */
	uint8_t device;
	uint8_t command;
};

struct kesu_ata_result {
	bool have_regs;   /* the returned registers were found in the sense data */
	uint8_t status;
	uint8_t error;
	uint8_t device;
	uint16_t count;
	uint64_t lba;
};

struct kesu_ata_identify {
	char model[41];
	char serial[21];
	char firmware[9];
	bool checksum_ok;         /* word 255 signature 0xA5 and checksum */
	bool lba48;
	uint64_t sectors;         /* addressable sectors now (current max + 1) */
	uint16_t rotation_rate;   /* word 217: 1 = solid state, 0 = not reported */
	bool sanitize, sanitize_crypto, sanitize_block, sanitize_overwrite;
	bool sec_supported, sec_enabled, sec_locked, sec_frozen,
	     sec_count_expired, sec_enhanced;
	unsigned erase_minutes;          /* 0: not reported */
	unsigned enhanced_erase_minutes; /* 0: not reported */
	bool hpa_supported, dco_supported;
};

/* Build an ATA PASS-THROUGH(16) CDB.  CK_COND is always set so the drive's
 * registers come back; data transfers count 512-byte blocks in COUNT. */
void kesu_ata_pt16(struct kesu_scsi_cmd *c, enum kesu_ata_proto proto, bool ext,
		   const struct kesu_ata_tf *tf, void *data, uint32_t len,
		   uint32_t timeout_ms);

/* Decode the ATA registers from sense data (descriptor 0x72 with an ATA
 * Status Return descriptor, or fixed 0x70 with SAT information fields).
 * False if the sense holds no ATA registers. */
bool kesu_ata_parse_sense(const uint8_t *sense, size_t len,
			  struct kesu_ata_result *r);

/* Run a PASS-THROUGH CDB: KESU_OK when the drive completed it without ERR;
 * KESU_ERR_FAILED when the drive aborted it (r tells the registers);
 * KESU_ERR_GONE, KESU_ERR_IO, KESU_ERR_NOTSUP otherwise. */
enum kesu_rc kesu_ata_exec(struct kesu_transport *t, struct kesu_scsi_cmd *c,
			   struct kesu_ata_result *r, struct kesu_err *err);

/* Build and run one command from a task file: buf (512 bytes) is the data
 * block for PIO in/out, NULL for non-data. */
enum kesu_rc kesu_ata_run(struct kesu_transport *t, enum kesu_ata_proto proto, bool ext,
			  struct kesu_ata_tf tf, void *buf, uint32_t timeout_ms,
			  struct kesu_ata_result *r, struct kesu_err *err);

/* IDENTIFY DEVICE, sent and parsed. */
enum kesu_rc kesu_ata_identify(struct kesu_transport *t, struct kesu_ata_identify *id,
			       struct kesu_err *err);

enum kesu_rc kesu_ata_parse_identify(const uint8_t *buf, size_t len,
				     struct kesu_ata_identify *id,
				     struct kesu_err *err);
/* Minutes from word 89/90 (0 when not reported). */
unsigned kesu_ata_erase_minutes(uint16_t word);

/* 512-byte data block for SET PASSWORD / ERASE UNIT / DISABLE / UNLOCK:
 * word 0 bit 0 user(0)/master(1), bit 1 enhanced erase; words 1..16 the
 * password bytes as given (the drive compares them byte for byte). */
void kesu_ata_security_block(uint8_t buf[512], bool master, bool enhanced,
			     const uint8_t pw[KESU_ATA_PASSWORD_LEN]);

/* Task files for the commands kesu sends. */
struct kesu_ata_tf kesu_ata_tf_identify(void);
struct kesu_ata_tf kesu_ata_tf_security(uint8_t command);
struct kesu_ata_tf kesu_ata_tf_sanitize_crypto(void);
struct kesu_ata_tf kesu_ata_tf_sanitize_block(void);
/* passes 1..16, invert between passes, 32-bit pattern */
struct kesu_ata_tf kesu_ata_tf_sanitize_overwrite(unsigned passes, bool invert,
						 uint32_t pattern);
struct kesu_ata_tf kesu_ata_tf_sanitize_status(void);
struct kesu_ata_tf kesu_ata_tf_read_native_max(void);
/* Permanent (non-volatile) new max address, the last addressable LBA. */
struct kesu_ata_tf kesu_ata_tf_set_max(uint64_t max_lba);
struct kesu_ata_tf kesu_ata_tf_dco(uint8_t feature);

/* The last LBA in DCO IDENTIFY data (words 3..6); 0 if malformed. */
uint64_t kesu_ata_parse_dco_max(const uint8_t *buf, size_t len);

struct kesu_ata_sanitize_status {
	bool completed;     /* completed without error */
	bool in_progress;
	bool frozen;
	bool failed;        /* the status command itself ended with ERR */
	uint16_t progress;  /* numerator over 65535 */
	uint8_t reason;     /* failure reason (LBA 7:0) when failed */
};
void kesu_ata_parse_sanitize_status(const struct kesu_ata_result *r,
				    struct kesu_ata_sanitize_status *s);

#endif
