/* NVMe admin command builders and parsers.  Byte offsets are those of the
 * NVM Express Base Specification (Identify Controller: SN 4, MN 24, FR 64,
 * OACS 256, SANICAP 328, NN 516, FNA 524; Identify Namespace: NSZE 0,
 * NLBAF 25, FLBAS 26, DPS 29, DLFEAT 33, LBAF table 128). */
#include "wipe/firmware/nvme.h"
#include "lib/strutil.h"

#include <stdio.h>
#include <string.h>

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

void kesu_nvme_identify_ctrl_cmd(struct kesu_nvme_cmd *c, void *buf)
{
	memset(c, 0, sizeof(*c));
	c->opcode = KESU_NVME_OP_IDENTIFY;
	c->cdw10 = 1; /* CNS 1: controller */
	c->data = buf;
	c->data_len = KESU_NVME_IDENTIFY_LEN;
	c->dir = KESU_XFER_FROM_DEV;
}

void kesu_nvme_identify_ns_cmd(struct kesu_nvme_cmd *c, uint32_t nsid, void *buf)
{
	memset(c, 0, sizeof(*c));
	c->opcode = KESU_NVME_OP_IDENTIFY;
	c->nsid = nsid;
	c->cdw10 = 0; /* CNS 0: namespace */
	c->data = buf;
	c->data_len = KESU_NVME_IDENTIFY_LEN;
	c->dir = KESU_XFER_FROM_DEV;
}

enum kesu_rc kesu_nvme_parse_ctrl(const uint8_t *buf, size_t len,
				  struct kesu_nvme_ctrl *out, struct kesu_err *err)
{
	memset(out, 0, sizeof(*out));
	if (len < KESU_NVME_IDENTIFY_LEN)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "NVMe Identify Controller data is %zu bytes, not 4096; the controller answered wrongly, do not use firmware purge on it",
				 len);
	kesu_clean(out->serial, sizeof(out->serial), buf + 4, 20);
	kesu_clean(out->model, sizeof(out->model), buf + 24, 40);
	kesu_clean(out->firmware, sizeof(out->firmware), buf + 64, 8);
	out->oacs = le16(buf + 256);
	out->sanicap = le32(buf + 328);
	out->nn = le32(buf + 516);
	out->fna = buf[524];
	return KESU_OK;
}

enum kesu_rc kesu_nvme_parse_ns(const uint8_t *buf, size_t len,
				struct kesu_nvme_ns *out, struct kesu_err *err)
{
	memset(out, 0, sizeof(*out));
	if (len < KESU_NVME_IDENTIFY_LEN)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "NVMe Identify Namespace data is %zu bytes, not 4096", len);
	out->nsze = le64(buf);
	out->nlbaf = buf[25];
	out->flbas = buf[26];
	/* FLBAS bits 3:0 are the low index bits, 6:5 the high ones (more
	 * than 16 formats); bit 4 is metadata-at-end. */
	out->lbaf = (unsigned)(out->flbas & 0x0F) | (unsigned)((out->flbas >> 5) & 0x3) << 4;
	out->mset = out->flbas & 0x10;
	out->pi = buf[29] & 0x7;
	out->pil = buf[29] & 0x8;
	out->dlfeat = buf[33];
	if (out->nsze == 0)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "NVMe namespace reports size 0; it is inactive, pick an attached namespace");
	if (out->lbaf > out->nlbaf || out->lbaf >= 64)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "NVMe namespace uses LBA format %u but lists only %u; refusing to format with a guessed layout",
				 out->lbaf, out->nlbaf + 1u);
	uint8_t lbads = buf[128 + 4 * out->lbaf + 2];
	if (lbads < 9 || lbads > 16)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "NVMe LBA format %u has block size 2^%u; not a valid size",
				 out->lbaf, lbads);
	out->lba_bytes = 1u << lbads;
	return KESU_OK;
}

uint32_t kesu_nvme_format_cdw10(const struct kesu_nvme_ns *ns, unsigned ses)
{
	uint32_t v = ns->lbaf & 0xF;                /* LBAF[3:0] */
	v |= (uint32_t)(ns->mset ? 1 : 0) << 4;     /* MSET */
	v |= (uint32_t)(ns->pi & 0x7) << 5;         /* PI */
	v |= (uint32_t)(ns->pil ? 1 : 0) << 8;      /* PIL */
	v |= (uint32_t)(ses & 0x7) << 9;            /* SES */
	v |= (uint32_t)((ns->lbaf >> 4) & 0x3) << 12; /* LBAFU */
	return v;
}

void kesu_nvme_format_cmd(struct kesu_nvme_cmd *c, uint32_t nsid, uint32_t cdw10,
			  uint32_t timeout_ms)
{
	memset(c, 0, sizeof(*c));
	c->opcode = KESU_NVME_OP_FORMAT;
	c->nsid = nsid;
	c->cdw10 = cdw10;
	c->dir = KESU_XFER_NONE;
	c->timeout_ms = timeout_ms;
}

uint32_t kesu_nvme_sanitize_cdw10(const struct kesu_nvme_sanitize_args *a)
{
	uint32_t v = (uint32_t)a->sanact & 0x7;
	v |= (uint32_t)(a->ause ? 1 : 0) << 3;
	if (a->sanact == KESU_NVME_SANACT_OVERWRITE) {
		v |= (uint32_t)(a->owpass & 0xF) << 4; /* 16 passes encode as 0 */
		v |= (uint32_t)(a->oipbp ? 1 : 0) << 8;
	}
	v |= (uint32_t)(a->ndas ? 1 : 0) << 9;
	return v;
}

void kesu_nvme_sanitize_cmd(struct kesu_nvme_cmd *c,
			    const struct kesu_nvme_sanitize_args *a)
{
	memset(c, 0, sizeof(*c));
	c->opcode = KESU_NVME_OP_SANITIZE;
	c->nsid = 0; /* sanitize acts on the whole NVM subsystem */
	c->cdw10 = kesu_nvme_sanitize_cdw10(a);
	c->cdw11 = a->sanact == KESU_NVME_SANACT_OVERWRITE ? a->pattern : 0;
	c->dir = KESU_XFER_NONE;
}

void kesu_nvme_sanitize_log_cmd(struct kesu_nvme_cmd *c, void *buf)
{
	memset(c, 0, sizeof(*c));
	c->opcode = KESU_NVME_OP_GET_LOG;
	c->nsid = KESU_NVME_NSID_ALL;
	/* NUMDL (dwords - 1) in bits 31:16, LID in 7:0. */
	c->cdw10 = (uint32_t)(KESU_NVME_SANITIZE_LOG_LEN / 4 - 1) << 16 |
		   KESU_NVME_LID_SANITIZE;
	c->data = buf;
	c->data_len = KESU_NVME_SANITIZE_LOG_LEN;
	c->dir = KESU_XFER_FROM_DEV;
}

void kesu_nvme_parse_sanitize_log(const uint8_t *buf,
				  struct kesu_nvme_sanitize_log *out)
{
	memset(out, 0, sizeof(*out));
	out->sprog = le16(buf);
	out->sstat = le16(buf + 2);
	out->scdw10 = le32(buf + 4);
	out->eto = le32(buf + 8);
	out->etbe = le32(buf + 12);
	out->etce = le32(buf + 16);
	out->etond = le32(buf + 20);
	out->etbend = le32(buf + 24);
	out->etcend = le32(buf + 28);
	out->state = (enum kesu_nvme_sstat)(out->sstat & 0x7);
	out->passes_done = (out->sstat >> 3) & 0x1F;
	out->global_data_erased = out->sstat & 0x100;
}

const char *kesu_nvme_sstat_name(enum kesu_nvme_sstat s)
{
	switch (s) {
	case KESU_NVME_SSTAT_NEVER: return "never-sanitized";
	case KESU_NVME_SSTAT_SUCCESS: return "completed";
	case KESU_NVME_SSTAT_IN_PROGRESS: return "in-progress";
	case KESU_NVME_SSTAT_FAILED: return "failed";
	case KESU_NVME_SSTAT_SUCCESS_NO_DEALLOC: return "completed-no-deallocate";
	}
	return "unknown";
}

void kesu_nvme_status_describe(int status, char *buf, size_t bufsz)
{
	const char *n = NULL;
	if (status < 0) {
		snprintf(buf, bufsz, "errno-%d", -status);
		return;
	}
	switch (status & KESU_NVME_STATUS_MASK) {
	case 0: n = "success"; break;
	case KESU_NVME_SC_INVALID_OPCODE: n = "invalid-opcode"; break;
	case KESU_NVME_SC_INVALID_FIELD: n = "invalid-field"; break;
	case KESU_NVME_SC_SANITIZE_FAILED: n = "sanitize-failed"; break;
	case KESU_NVME_SC_SANITIZE_IN_PROGRESS: n = "sanitize-in-progress"; break;
	case KESU_NVME_SC_INVALID_FORMAT: n = "invalid-format"; break;
	}
	if (n)
		snprintf(buf, bufsz, "%s", n);
	else
		snprintf(buf, bufsz, "status-0x%03x", (unsigned)status & KESU_NVME_STATUS_MASK);
}
