/* ATA over SAT.  CDB layout (SAT-4, ATA PASS-THROUGH(16)): byte 1
 * protocol<<1 | EXTEND, byte 2 CK_COND b5 T_DIR b3 BYT_BLOK b2 T_LENGTH
 * b1:0, FEATURES 3-4, COUNT 5-6, LBA 7..12 (high bytes 7/9/11 and low
 * bytes 8/10/12), DEVICE 13, COMMAND 14. */
#include "wipe/firmware/ata.h"
#include "lib/strutil.h"

#include <errno.h>
#include <string.h>

void kesu_ata_pt16(struct kesu_scsi_cmd *c, enum kesu_ata_proto proto, bool ext,
		   const struct kesu_ata_tf *tf, void *data, uint32_t len,
		   uint32_t timeout_ms)
{
	memset(c, 0, sizeof(*c));
	uint8_t *b = c->cdb;
	c->cdb_len = 16;
	b[0] = KESU_ATA_PT16;
	b[1] = (uint8_t)(proto << 1 | (ext ? 1 : 0));
	/* CK_COND (return the registers) only on non-data commands: after a
	 * PIO data-in command libata can read the status with DRQ still set
	 * and turn a good IDENTIFY into ABORTED COMMAND (seen on Linux 6.1
	 * with QEMU's AHCI disk).  Data commands need no registers. */
	uint8_t flags = 0;
	if (proto == KESU_ATA_NONDATA)
		flags = 0x20;
	else if (proto == KESU_ATA_PIO_IN)
		flags = 0x08 | 0x04 | 0x02; /* T_DIR in, BYT_BLOK, length in COUNT */
	else if (proto == KESU_ATA_PIO_OUT)
		flags = 0x04 | 0x02;
	b[2] = flags;
	b[3] = (uint8_t)(tf->feature >> 8);
	b[4] = (uint8_t)tf->feature;
	b[5] = (uint8_t)(tf->count >> 8);
	b[6] = (uint8_t)tf->count;
	b[7] = (uint8_t)(tf->lba >> 24);
	b[8] = (uint8_t)tf->lba;
	b[9] = (uint8_t)(tf->lba >> 32);
	b[10] = (uint8_t)(tf->lba >> 8);
	b[11] = (uint8_t)(tf->lba >> 40);
	b[12] = (uint8_t)(tf->lba >> 16);
	b[13] = tf->device;
	b[14] = tf->command;
	c->dir = proto == KESU_ATA_PIO_IN ? KESU_XFER_FROM_DEV
		 : proto == KESU_ATA_PIO_OUT ? KESU_XFER_TO_DEV : KESU_XFER_NONE;
	c->data = proto == KESU_ATA_NONDATA ? NULL : data;
	c->data_len = proto == KESU_ATA_NONDATA ? 0 : len;
	c->timeout_ms = timeout_ms;
}

bool kesu_ata_parse_sense(const uint8_t *s, size_t len, struct kesu_ata_result *r)
{
	memset(r, 0, sizeof(*r));
	if (len < 8)
		return false;
	uint8_t code = s[0] & 0x7F;
	if (code == 0x72 || code == 0x73) {
		size_t total = 8 + (size_t)s[7];
		if (total > len)
			total = len;
		size_t i = 8;
		while (i + 2 <= total) {
			uint8_t dlen = s[i + 1];
			if (s[i] == 0x09 && dlen >= 12 && i + 14 <= total) {
				const uint8_t *d = s + i;
				bool ext = d[2] & 1;
				r->error = d[3];
				r->count = (uint16_t)(d[5] | (ext ? d[4] << 8 : 0));
				r->lba = (uint64_t)d[7] | (uint64_t)d[9] << 8 |
					 (uint64_t)d[11] << 16;
				if (ext)
					r->lba |= (uint64_t)d[6] << 24 |
						  (uint64_t)d[8] << 32 |
						  (uint64_t)d[10] << 40;
				r->device = d[12];
				r->status = d[13];
				r->have_regs = true;
				return true;
			}
			i += 2 + (size_t)dlen;
		}
		return false;
	}
	if ((code == 0x70 || code == 0x71) && len >= 18) {
		/* SAT fixed format: ASC/ASCQ 00/1D carries the registers in
		 * INFORMATION (error, status, device, count 7:0) and
		 * COMMAND-SPECIFIC INFORMATION (flags, LBA 7:0..23:16).  Upper
		 * bytes are not returned, so an extended LBA is incomplete. */
		if (!(s[12] == 0x00 && s[13] == 0x1D))
			return false;
		r->error = s[3];
		r->status = s[4];
		r->device = s[5];
		r->count = s[6];
		r->lba = (uint64_t)s[9] | (uint64_t)s[10] << 8 | (uint64_t)s[11] << 16;
		r->have_regs = !(s[8] & 0x60); /* upper bytes nonzero: not all known */
		return r->have_regs;
	}
	return false;
}

enum kesu_rc kesu_ata_exec(struct kesu_transport *t, struct kesu_scsi_cmd *c,
			   struct kesu_ata_result *r, struct kesu_err *err)
{
	memset(r, 0, sizeof(*r));
	uint8_t cmd = c->cdb[14];
	int rc = kesu_scsi_exec(t, c);
	if (kesu_errno_gone(-rc) || rc == -ENOENT)
		return kesu_fail(err, KESU_ERR_GONE, -rc,
				 "%s: the device disappeared during ATA command 0x%02x; reconnect it and check its state with 'kesu info'",
				 t->path, cmd);
	if (rc < 0)
		return kesu_fail(err, KESU_ERR_IO, -rc,
				 "%s: ATA command 0x%02x could not be sent (%s); check the cable and the controller",
				 t->path, cmd, strerror(-rc));
	if (c->host_status)
		return kesu_fail(err, KESU_ERR_IO, 0,
				 "%s: the host adapter or bridge failed ATA command 0x%02x (host status 0x%x); connect the drive directly to SATA",
				 t->path, cmd, c->host_status);
	bool regs = kesu_ata_parse_sense(c->sense, c->sense_len, r);
	if (c->status == 0 && !regs) {
		/* GOOD without registers: completed; CK_COND was ignored. */
		return KESU_OK;
	}
	if (!regs) {
		uint8_t key = 0, asc = 0;
		if (c->sense_len >= 14) {
			if ((c->sense[0] & 0x7F) >= 0x72) {
				key = c->sense[1] & 0xF;
				asc = c->sense[2];
			} else {
				key = c->sense[2] & 0xF;
				asc = c->sense[12];
			}
		}
		if (key == 0x5 && (asc == 0x20 || asc == 0x24))
			return kesu_fail(err, KESU_ERR_NOTSUP, 0,
					 "%s: the device does not accept ATA PASS-THROUGH; it is not an ATA drive or its bridge hides ATA",
					 t->path);
		if (key == 0xB) {
			/* ABORTED COMMAND without readable registers (fixed
			 * sense; older kernels also misplace them there): the
			 * drive aborted it.  Registers stay unknown. */
			r->status = KESU_ATA_STATUS_ERR;
			r->error = KESU_ATA_ERROR_ABRT;
			return kesu_fail(err, KESU_ERR_FAILED, 0,
					 "%s: the drive aborted ATA command 0x%02x", t->path, cmd);
		}
		return kesu_fail(err, KESU_ERR_IO, 0,
				 "%s: ATA command 0x%02x ended with SCSI status 0x%02x, sense key 0x%x ASC 0x%02x and no ATA registers",
				 t->path, cmd, c->status, key, asc);
	}
	if (r->status & KESU_ATA_STATUS_ERR)
		return kesu_fail(err, KESU_ERR_FAILED, 0,
				 "%s: the drive aborted ATA command 0x%02x (status 0x%02x, error 0x%02x)",
				 t->path, cmd, r->status, r->error);
	return KESU_OK;
}

enum kesu_rc kesu_ata_run(struct kesu_transport *t, enum kesu_ata_proto proto, bool ext,
			  struct kesu_ata_tf tf, void *buf, uint32_t timeout_ms,
			  struct kesu_ata_result *r, struct kesu_err *err)
{
	struct kesu_scsi_cmd c;
	kesu_ata_pt16(&c, proto, ext, &tf, buf, buf ? 512 : 0, timeout_ms);
	return kesu_ata_exec(t, &c, r, err);
}

enum kesu_rc kesu_ata_identify(struct kesu_transport *t, struct kesu_ata_identify *id,
			       struct kesu_err *err)
{
	uint8_t buf[512];
	struct kesu_ata_result r;
	enum kesu_rc rc = kesu_ata_run(t, KESU_ATA_PIO_IN, false, kesu_ata_tf_identify(), buf,
				       30000, &r, err);
	if (rc != KESU_OK)
		return rc;
	return kesu_ata_parse_identify(buf, sizeof(buf), id, err);
}

static uint16_t w(const uint8_t *buf, unsigned i)
{
	return (uint16_t)(buf[2 * i] | buf[2 * i + 1] << 8);
}

/* ATA strings hold two characters per word, the first in the high byte. */
static void ata_string(char *dst, size_t dstsz, const uint8_t *buf, unsigned first,
		       unsigned words)
{
	char tmp[96];
	for (unsigned i = 0; i < words && 2 * i + 1 < sizeof(tmp); i++) {
		uint16_t v = w(buf, first + i);
		tmp[2 * i] = (char)(v >> 8);
		tmp[2 * i + 1] = (char)(v & 0xFF);
	}
	kesu_clean(dst, dstsz, tmp, 2 * (size_t)words);
}

unsigned kesu_ata_erase_minutes(uint16_t v)
{
	/* Bit 15 set: bits 14:0 in units of 2 minutes; else bits 7:0. */
	unsigned units = (v & 0x8000) ? (v & 0x7FFF) : (v & 0xFF);
	return units * 2;
}

enum kesu_rc kesu_ata_parse_identify(const uint8_t *buf, size_t len,
				     struct kesu_ata_identify *id,
				     struct kesu_err *err)
{
	memset(id, 0, sizeof(*id));
	if (len < 512)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "ATA IDENTIFY data is %zu bytes, not 512", len);
	ata_string(id->serial, sizeof(id->serial), buf, 10, 10);
	ata_string(id->firmware, sizeof(id->firmware), buf, 23, 4);
	ata_string(id->model, sizeof(id->model), buf, 27, 20);
	uint16_t w255 = w(buf, 255);
	if ((w255 & 0xFF) == 0xA5) {
		uint8_t sum = 0;
		for (unsigned i = 0; i < 512; i++)
			sum = (uint8_t)(sum + buf[i]);
		id->checksum_ok = sum == 0;
		if (!id->checksum_ok)
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "ATA IDENTIFY checksum is wrong; the data was damaged on the way, do not trust it (check the cable or bridge)");
	}
	id->lba48 = w(buf, 83) & (1u << 10);
	uint64_t s28 = (uint64_t)w(buf, 60) | (uint64_t)w(buf, 61) << 16;
	uint64_t s48 = (uint64_t)w(buf, 100) | (uint64_t)w(buf, 101) << 16 |
		       (uint64_t)w(buf, 102) << 32 | (uint64_t)w(buf, 103) << 48;
	id->sectors = id->lba48 && s48 ? s48 : s28;
	id->rotation_rate = w(buf, 217);
	uint16_t w59 = w(buf, 59);
	id->sanitize = w59 & (1u << 12);
	id->sanitize_crypto = id->sanitize && (w59 & (1u << 13));
	id->sanitize_overwrite = id->sanitize && (w59 & (1u << 14));
	id->sanitize_block = id->sanitize && (w59 & (1u << 15));
	uint16_t w82 = w(buf, 82), w83 = w(buf, 83), w128 = w(buf, 128);
	id->sec_supported = (w82 & (1u << 1)) || (w128 & 1);
	if (id->sec_supported) {
		id->sec_enabled = w128 & (1u << 1);
		id->sec_locked = w128 & (1u << 2);
		id->sec_frozen = w128 & (1u << 3);
		id->sec_count_expired = w128 & (1u << 4);
		id->sec_enhanced = w128 & (1u << 5);
		id->erase_minutes = kesu_ata_erase_minutes(w(buf, 89));
		id->enhanced_erase_minutes = kesu_ata_erase_minutes(w(buf, 90));
	}
	/* Words 82/83 are valid only when bits 15:14 of 83 read 01. */
	if ((w83 & 0xC000) == 0x4000) {
		id->hpa_supported = w82 & (1u << 10);
		id->dco_supported = w83 & (1u << 11);
	}
	return KESU_OK;
}

void kesu_ata_security_block(uint8_t buf[512], bool master, bool enhanced,
			     const uint8_t pw[KESU_ATA_PASSWORD_LEN])
{
	memset(buf, 0, 512);
	buf[0] = (uint8_t)((master ? 1 : 0) | (enhanced ? 2 : 0));
	memcpy(buf + 2, pw, KESU_ATA_PASSWORD_LEN);
}

struct kesu_ata_tf kesu_ata_tf_identify(void)
{
	return (struct kesu_ata_tf){.count = 1, .command = KESU_ATA_IDENTIFY};
}

struct kesu_ata_tf kesu_ata_tf_security(uint8_t command)
{
	/* The data-out security commands move one 512-byte block. */
	uint16_t count = command == KESU_ATA_SEC_ERASE_PREPARE ? 0 : 1;
	return (struct kesu_ata_tf){.count = count, .command = command};
}

struct kesu_ata_tf kesu_ata_tf_sanitize_crypto(void)
{
	return (struct kesu_ata_tf){.feature = KESU_ATA_SAN_CRYPTO,
				    .lba = KESU_ATA_SAN_CRYPTO_KEY,
				    .device = 0x40, .command = KESU_ATA_SANITIZE};
}

struct kesu_ata_tf kesu_ata_tf_sanitize_block(void)
{
	return (struct kesu_ata_tf){.feature = KESU_ATA_SAN_BLOCK,
				    .lba = KESU_ATA_SAN_BLOCK_KEY,
				    .device = 0x40, .command = KESU_ATA_SANITIZE};
}

struct kesu_ata_tf kesu_ata_tf_sanitize_overwrite(unsigned passes, bool invert,
						 uint32_t pattern)
{
	/* COUNT bits 3:0 = passes (0 means 16), bit 7 INVERT. */
	uint16_t count = (uint16_t)(passes & 0xF) | (invert ? 0x80 : 0);
	return (struct kesu_ata_tf){
		.feature = KESU_ATA_SAN_OVERWRITE, .count = count,
		.lba = (uint64_t)KESU_ATA_SAN_OVERWRITE_KEY << 32 | pattern,
		.device = 0x40, .command = KESU_ATA_SANITIZE};
}

struct kesu_ata_tf kesu_ata_tf_sanitize_status(void)
{
	return (struct kesu_ata_tf){.feature = KESU_ATA_SAN_STATUS,
				    .device = 0x40, .command = KESU_ATA_SANITIZE};
}

struct kesu_ata_tf kesu_ata_tf_read_native_max(void)
{
	return (struct kesu_ata_tf){.device = 0x40, .command = KESU_ATA_READ_NATIVE_MAX_EXT};
}

struct kesu_ata_tf kesu_ata_tf_set_max(uint64_t max_lba)
{
	/* COUNT bit 0 (value volatile) clear: the restored size persists. */
	return (struct kesu_ata_tf){.lba = max_lba & 0xFFFFFFFFFFFFull,
				    .device = 0x40, .command = KESU_ATA_SET_MAX_EXT};
}

struct kesu_ata_tf kesu_ata_tf_dco(uint8_t feature)
{
	return (struct kesu_ata_tf){.feature = feature,
				    .count = feature == KESU_ATA_DCO_IDENTIFY ? 1 : 0,
				    .command = KESU_ATA_DCO};
}

uint64_t kesu_ata_parse_dco_max(const uint8_t *buf, size_t len)
{
	if (len < 512)
		return 0;
	return (uint64_t)w(buf, 3) | (uint64_t)w(buf, 4) << 16 |
	       (uint64_t)w(buf, 5) << 32 | (uint64_t)w(buf, 6) << 48;
}

void kesu_ata_parse_sanitize_status(const struct kesu_ata_result *r,
				    struct kesu_ata_sanitize_status *s)
{
	memset(s, 0, sizeof(*s));
	s->failed = r->status & KESU_ATA_STATUS_ERR;
	s->completed = !s->failed && (r->count & KESU_ATA_SAN_COMPLETED);
	s->in_progress = r->count & KESU_ATA_SAN_IN_PROGRESS;
	s->frozen = r->count & KESU_ATA_SAN_FROZEN;
	s->progress = (uint16_t)(r->lba & 0xFFFF);
	if (s->failed)
		s->reason = (uint8_t)(r->lba & 0xFF);
}
