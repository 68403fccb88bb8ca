/* Level 0 Discovery: a 48-byte header (length of parameter data, BE32 at
 * 0) followed by feature descriptors (code BE16, version, length byte 3).
 * Feature codes from the TCG Storage Architecture Core and SSC specs. */
#include "wipe/firmware/opal.h"

#include <string.h>

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void kesu_opal_nvme_discovery_cmd(struct kesu_nvme_cmd *c, void *buf, uint32_t len)
{
	memset(c, 0, sizeof(*c));
	c->opcode = 0x82; /* Security Receive */
	/* SECP in bits 31:24, SPSP (ComID 1) in bits 23:8. */
	c->cdw10 = 0x01u << 24 | 0x0001u << 8;
	c->cdw11 = len;
	c->data = buf;
	c->data_len = len;
	c->dir = KESU_XFER_FROM_DEV;
}

void kesu_opal_scsi_discovery_cmd(struct kesu_scsi_cmd *c, void *buf, uint32_t len)
{
	memset(c, 0, sizeof(*c));
	c->cdb_len = 12;
	c->cdb[0] = 0xA2; /* SECURITY PROTOCOL IN */
	c->cdb[1] = 0x01;
	c->cdb[2] = 0x00;
	c->cdb[3] = 0x01;
	c->cdb[6] = (uint8_t)(len >> 24);
	c->cdb[7] = (uint8_t)(len >> 16);
	c->cdb[8] = (uint8_t)(len >> 8);
	c->cdb[9] = (uint8_t)len;
	c->dir = KESU_XFER_FROM_DEV;
	c->data = buf;
	c->data_len = len;
	c->timeout_ms = 30000;
}

enum kesu_rc kesu_opal_parse_level0(const uint8_t *buf, size_t len,
				    struct kesu_opal_info *o, struct kesu_err *err)
{
	memset(o, 0, sizeof(*o));
	if (len < 48)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "TCG Level 0 discovery answer is %zu bytes, shorter than its header", len);
	size_t total = (size_t)be32(buf) + 4;
	if (total < 48)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "TCG Level 0 discovery length %zu is shorter than its header", total);
	if (total > len)
		total = len;
	o->queried = true;
	for (size_t i = 48; i + 4 <= total;) {
		const uint8_t *d = buf + i;
		uint16_t code = be16(d);
		size_t dlen = (size_t)d[3] + 4;
		if (i + dlen > total)
			break;
		switch (code) {
		case 0x0001: o->tper = true; break;
		case 0x0002:
			if (dlen > 4) {
				o->locking_supported = d[4] & 0x01;
				o->locking_enabled = d[4] & 0x02;
				o->locked = d[4] & 0x04;
				o->media_encryption = d[4] & 0x08;
			}
			break;
		case 0x0100: o->enterprise = true; break;
		case 0x0200: o->opal1 = true; break;
		case 0x0203: o->opal2 = true; break;
		case 0x0301: o->opalite = true; break;
		case 0x0302: o->pyrite1 = true; break;
		case 0x0303: o->pyrite2 = true; break;
		case 0x0304: o->ruby = true; break;
		}
		if ((code == 0x0100 || code == 0x0200 || code == 0x0203 ||
		     code == 0x0301 || code == 0x0302 || code == 0x0303 ||
		     code == 0x0304) && dlen >= 6 && !o->base_comid)
			o->base_comid = be16(d + 4);
		i += dlen;
	}
	return KESU_OK;
}

bool kesu_opal_revert_is_crypto_erase(const struct kesu_opal_info *o)
{
	return o->queried && o->media_encryption &&
	       (o->opal1 || o->opal2 || o->enterprise || o->ruby);
}

const char *kesu_opal_ssc_name(const struct kesu_opal_info *o)
{
	if (o->opal2) return "opal2";
	if (o->opal1) return "opal1";
	if (o->enterprise) return "enterprise";
	if (o->ruby) return "ruby";
	if (o->opalite) return "opalite";
	if (o->pyrite2) return "pyrite2";
	if (o->pyrite1) return "pyrite1";
	return NULL;
}
