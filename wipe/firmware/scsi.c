/* SCSI sanitize support.  Sense layouts (SPC-4): fixed 0x70/0x71 (key
 * byte 2, ASC/ASCQ 12/13, sense-key-specific bytes 15..17 with SKSV in
 * byte 15 bit 7) and descriptor 0x72/0x73 (key byte 1, ASC/ASCQ 2/3,
 * descriptor 0x02 sense-key-specific, 0x0A progress indication). */
#include "wipe/firmware/scsi.h"

#include <errno.h>
#include <string.h>

void kesu_scsi_parse_sense(const uint8_t *s, size_t len, struct kesu_sense *out)
{
	memset(out, 0, sizeof(*out));
	if (len < 8)
		return;
	uint8_t code = s[0] & 0x7F;
	if (code == 0x70 || code == 0x71) {
		out->valid = true;
		out->key = s[2] & 0xF;
		if (len >= 14) {
			out->asc = s[12];
			out->ascq = s[13];
		}
		if (len >= 18 && (s[15] & 0x80)) {
			out->sksv = true;
			out->progress = (uint16_t)(s[16] << 8 | s[17]);
		}
	} else if (code == 0x72 || code == 0x73) {
		out->valid = true;
		out->key = s[1] & 0xF;
		out->asc = s[2];
		out->ascq = s[3];
		size_t total = 8 + (size_t)s[7];
		if (total > len)
			total = len;
		for (size_t i = 8; i + 2 <= total; i += 2 + (size_t)s[i + 1]) {
			const uint8_t *d = s + i;
			if (d[0] == 0x02 && i + 8 <= total && (d[4] & 0x80)) {
				out->sksv = true;
				out->progress = (uint16_t)(d[5] << 8 | d[6]);
			} else if (d[0] == 0x0A && i + 8 <= total && !out->sksv) {
				/* progress indication descriptor: bytes 6..7 */
				out->sksv = true;
				out->progress = (uint16_t)(d[6] << 8 | d[7]);
			}
		}
	}
}

void kesu_scsi_rsoc_cmd(struct kesu_scsi_cmd *c, uint8_t opcode, uint16_t sa,
			void *buf, uint32_t alloc)
{
	memset(c, 0, sizeof(*c));
	c->cdb_len = 12;
	c->cdb[0] = KESU_SCSI_MAINT_IN;
	c->cdb[1] = KESU_SCSI_RSOC_SA;
	c->cdb[2] = 0x02; /* one command, requested opcode and service action */
	c->cdb[3] = opcode;
	c->cdb[4] = (uint8_t)(sa >> 8);
	c->cdb[5] = (uint8_t)sa;
	c->cdb[6] = (uint8_t)(alloc >> 24);
	c->cdb[7] = (uint8_t)(alloc >> 16);
	c->cdb[8] = (uint8_t)(alloc >> 8);
	c->cdb[9] = (uint8_t)alloc;
	c->dir = KESU_XFER_FROM_DEV;
	c->data = buf;
	c->data_len = alloc;
	c->timeout_ms = 30000;
}

bool kesu_scsi_rsoc_supported(const uint8_t *buf, size_t len)
{
	if (len < 4)
		return false;
	uint8_t support = buf[1] & 0x7;
	return support == 3 || support == 5;
}

void kesu_scsi_sanitize_cmd(struct kesu_scsi_cmd *c, enum kesu_scsi_sanitize_sa sa,
			    bool ause, void *param, uint16_t param_len)
{
	memset(c, 0, sizeof(*c));
	c->cdb_len = 10;
	c->cdb[0] = KESU_SCSI_SANITIZE;
	c->cdb[1] = (uint8_t)(0x80 | (ause ? 0x20 : 0) | (sa & 0x1F)); /* IMMED */
	c->cdb[7] = (uint8_t)(param_len >> 8);
	c->cdb[8] = (uint8_t)param_len;
	c->dir = param_len ? KESU_XFER_TO_DEV : KESU_XFER_NONE;
	c->data = param_len ? param : NULL;
	c->data_len = param_len;
	c->timeout_ms = 60000;
}

uint16_t kesu_scsi_sanitize_overwrite_params(uint8_t *buf, size_t bufsz,
					     unsigned passes, bool invert,
					     const uint8_t *pattern, uint16_t plen)
{
	if (passes < 1 || passes > 31 || plen < 1 || plen > 64 ||
	    bufsz < (size_t)4 + plen)
		return 0;
	memset(buf, 0, 4u + plen);
	buf[0] = (uint8_t)((invert ? 0x80 : 0) | passes);
	buf[2] = (uint8_t)(plen >> 8);
	buf[3] = (uint8_t)plen;
	memcpy(buf + 4, pattern, plen);
	return (uint16_t)(4 + plen);
}

void kesu_scsi_request_sense_cmd(struct kesu_scsi_cmd *c, void *buf, uint8_t alloc)
{
	memset(c, 0, sizeof(*c));
	c->cdb_len = 6;
	c->cdb[0] = KESU_SCSI_REQUEST_SENSE;
	c->cdb[4] = alloc;
	c->dir = KESU_XFER_FROM_DEV;
	c->data = buf;
	c->data_len = alloc;
	c->timeout_ms = 30000;
}

enum kesu_rc kesu_scsi_run(struct kesu_transport *t, struct kesu_scsi_cmd *c,
			   struct kesu_sense *sense, struct kesu_err *err)
{
	memset(sense, 0, sizeof(*sense));
	uint8_t op = c->cdb[0];
	int rc = kesu_scsi_exec(t, c);
	if (kesu_errno_gone(-rc) || rc == -ENOENT)
		return kesu_fail(err, KESU_ERR_GONE, -rc,
				 "%s: the device disappeared during SCSI command 0x%02x; reconnect it and check its state with 'kesu info'",
				 t->path, op);
	if (rc < 0)
		return kesu_fail(err, KESU_ERR_IO, -rc,
				 "%s: SCSI command 0x%02x could not be sent (%s)", t->path,
				 op, strerror(-rc));
	if (c->host_status)
		return kesu_fail(err, KESU_ERR_IO, 0,
				 "%s: the host adapter failed SCSI command 0x%02x (host status 0x%x); check the connection",
				 t->path, op, c->host_status);
	if (c->status == 0)
		return KESU_OK;
	kesu_scsi_parse_sense(c->sense, c->sense_len, sense);
	return kesu_fail(err, KESU_ERR_FAILED, 0,
			 "%s: SCSI command 0x%02x failed (status 0x%02x, sense %x/%02x/%02x)",
			 t->path, op, c->status, sense->key, sense->asc, sense->ascq);
}
