#include "nvme_model.h"
#include "wipe/firmware/nvme.h"
#include "wipe/firmware/health.h"

#include <errno.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static void padcpy(uint8_t *dst, const char *s, size_t n)
{
	memset(dst, ' ', n);
	memcpy(dst, s, strnlen(s, n));
}

static bool faulty(const struct nvme_model *m)
{
	return m->n_sanitize >= m->faults_from;
}

static void finish_sanitize(struct nvme_model *m)
{
	unsigned act = m->scdw10 & 7;
	struct model_medium *md = &m->med;
	bool fails = m->sanitize_fails && faulty(m);
	uint64_t end = fails ? md->capacity / 2 : md->capacity;
	if (act == KESU_NVME_SANACT_CRYPTO) {
		if (!fails)
			model_medium_crypto_erase(md, m->crypto_stale);
	} else if (act == KESU_NVME_SANACT_BLOCK) {
		uint8_t z = 0;
		model_medium_fill(md, 0, end, &z, 1);
	} else if (act == KESU_NVME_SANACT_OVERWRITE) {
		uint8_t p[4];
		put32(p, m->ovrpat);
		model_medium_fill(md, 0, end, p, 4);
	}
	m->in_progress = false;
	md->busy = false;
	m->sprog = 0xFFFF;
	if (fails) {
		m->sstat = KESU_NVME_SSTAT_FAILED;
	} else {
		bool ndas = m->scdw10 & (1u << 9);
		unsigned passes = act == KESU_NVME_SANACT_OVERWRITE ?
				  (((m->scdw10 >> 4) & 0xF) ?: 16) : 0;
		m->sstat = (uint16_t)((ndas ? KESU_NVME_SSTAT_SUCCESS_NO_DEALLOC
				       : KESU_NVME_SSTAT_SUCCESS) |
				      (passes & 0x1F) << 3 | 0x100);
	}
}

static int identify(struct nvme_model *m, struct kesu_nvme_cmd *c)
{
	if (!c->data || c->data_len < 4096)
		return KESU_NVME_SC_INVALID_FIELD;
	uint8_t *b = c->data;
	memset(b, 0, 4096);
	if ((c->cdw10 & 0xFF) == 1) {
		padcpy(b + 4, m->sn, 20);
		padcpy(b + 24, m->mn, 40);
		padcpy(b + 64, m->fr, 8);
		put16(b + 256, m->oacs);
		put32(b + 328, m->sanicap);
		put32(b + 516, m->nn);
		b[524] = m->fna;
		return 0;
	}
	if ((c->cdw10 & 0xFF) == 0) {
		if (c->nsid != 1)
			return KESU_NVME_SC_INVALID_FIELD | 0x4000; /* invalid namespace, DNR */
		put64(b, m->med.capacity / m->med.block);
		put64(b + 8, m->med.capacity / m->med.block);
		b[25] = 1; /* two formats */
		b[26] = (uint8_t)m->lbaf;
		b[33] = m->dlfeat;
		b[128 + 2] = 9;      /* LBAF0: 512 B */
		b[128 + 4 + 2] = 12; /* LBAF1: 4096 B */
		return 0;
	}
	return KESU_NVME_SC_INVALID_FIELD;
}

/* NVMe Base spec, SMART / Health Information log: 128-bit counters
 * little-endian from byte 32. */
static int smart_log(struct nvme_model *m, struct kesu_nvme_cmd *c)
{
	if (!c->data || c->data_len < 512 || ((c->cdw10 >> 16) + 1) * 4 < 512 ||
	    c->nsid != KESU_NVME_NSID_ALL)
		return KESU_NVME_SC_INVALID_FIELD;
	if (m->smart_fails)
		return 0x109; /* invalid log page */
	m->n_smart++;
	uint8_t *b = c->data;
	memset(b, 0, 512);
	b[0] = m->smart_warning;
	put16(b + 1, m->smart_temp_k);
	b[3] = 100;
	b[4] = 10;
	b[5] = m->smart_used;
	put64(b + 48, m->smart_units_written);
	if (m->smart_high_bits)
		b[48 + 8] = 1;
	put64(b + 112, 42);
	put64(b + 128, m->smart_poh);
	put64(b + 144, m->smart_unsafe);
	put64(b + 160, m->smart_media_errors);
	return 0;
}

static int get_log(struct nvme_model *m, struct kesu_nvme_cmd *c)
{
	if ((c->cdw10 & 0xFF) == KESU_NVME_LID_SMART)
		return smart_log(m, c);
	if ((c->cdw10 & 0xFF) != KESU_NVME_LID_SANITIZE || !c->data ||
	    c->data_len < 512 || ((c->cdw10 >> 16) + 1) * 4 < 512)
		return KESU_NVME_SC_INVALID_FIELD;
	m->n_log++;
	if (m->in_progress && !(m->stall && faulty(m))) {
		m->polls_done++;
		if (m->polls_done >= m->polls_to_finish)
			finish_sanitize(m);
		else
			m->sprog = (uint16_t)(65536ull * m->polls_done / m->polls_to_finish);
	}
	uint8_t *b = c->data;
	memset(b, 0, 512);
	put16(b, m->sprog);
	put16(b + 2, m->sstat);
	put32(b + 4, m->scdw10);
	put32(b + 8, m->est_overwrite);
	put32(b + 12, m->est_block);
	put32(b + 16, m->est_crypto);
	put32(b + 20, m->est_overwrite);
	put32(b + 24, m->est_block);
	put32(b + 28, m->est_crypto);
	return 0;
}

static int format(struct nvme_model *m, struct kesu_nvme_cmd *c)
{
	if (!(m->oacs & KESU_NVME_OACS_FORMAT))
		return KESU_NVME_SC_INVALID_OPCODE;
	if (m->in_progress)
		return KESU_NVME_SC_SANITIZE_IN_PROGRESS;
	m->n_format++;
	m->last_format_cdw10 = c->cdw10;
	m->last_format_nsid = c->nsid;
	unsigned ses = (c->cdw10 >> 9) & 7;
	unsigned lbaf = (c->cdw10 & 0xF) | ((c->cdw10 >> 12) & 3) << 4;
	if (ses > 2 || (ses == 2 && !(m->fna & KESU_NVME_FNA_CRYPTO)))
		return KESU_NVME_SC_INVALID_FIELD | 0x4000;
	if (lbaf > 1)
		return KESU_NVME_SC_INVALID_FORMAT | 0x4000;
	if ((c->cdw10 >> 4) & 0x1F) /* metadata / PI: this namespace has none */
		return KESU_NVME_SC_INVALID_FORMAT | 0x4000;
	if (m->format_fails)
		return 0x006; /* internal error */
	m->lbaf = lbaf;
	m->med.block = lbaf ? 4096 : 512;
	if (ses == 1) {
		uint8_t z = 0;
		model_medium_fill(&m->med, 0, m->med.capacity, &z, 1);
	} else if (ses == 2) {
		model_medium_crypto_erase(&m->med, m->crypto_stale);
	}
	return 0;
}

static int sanitize(struct nvme_model *m, struct kesu_nvme_cmd *c)
{
	if (!m->sanicap)
		return KESU_NVME_SC_INVALID_OPCODE | 0x4000;
	if (m->in_progress)
		return KESU_NVME_SC_SANITIZE_IN_PROGRESS;
	unsigned act = c->cdw10 & 7;
	uint32_t need = act == KESU_NVME_SANACT_CRYPTO ? KESU_NVME_SANICAP_CRYPTO
		      : act == KESU_NVME_SANACT_BLOCK ? KESU_NVME_SANICAP_BLOCK
		      : act == KESU_NVME_SANACT_OVERWRITE ? KESU_NVME_SANICAP_OVERWRITE : 0;
	if (act == KESU_NVME_SANACT_EXIT_FAILURE) {
		if (m->sstat == KESU_NVME_SSTAT_FAILED)
			m->sstat = KESU_NVME_SSTAT_NEVER;
		return 0;
	}
	if (!need || !(m->sanicap & need))
		return KESU_NVME_SC_INVALID_FIELD | 0x4000;
	if (c->nsid != 0)
		return KESU_NVME_SC_INVALID_FIELD | 0x4000;
	if (m->n_sanitize < 4)
		m->sanitize_cdw10[m->n_sanitize] = c->cdw10;
	m->n_sanitize++;
	m->last_sanitize_cdw10 = c->cdw10;
	m->last_sanitize_cdw11 = c->cdw11;
	m->scdw10 = c->cdw10;
	m->ovrpat = c->cdw11;
	m->in_progress = true;
	m->med.busy = true;
	m->polls_done = 0;
	m->sprog = 0;
	m->sstat = KESU_NVME_SSTAT_IN_PROGRESS;
	return 0;
}

static int security_recv(struct nvme_model *m, struct kesu_nvme_cmd *c)
{
	if (!(m->oacs & KESU_NVME_OACS_SECURITY))
		return KESU_NVME_SC_INVALID_OPCODE | 0x4000;
	uint8_t secp = (uint8_t)(c->cdw10 >> 24);
	uint16_t spsp = (uint16_t)((c->cdw10 >> 8) & 0xFFFF);
	if (secp != 1 || spsp != 1 || !c->data || c->data_len < 256)
		return KESU_NVME_SC_INVALID_FIELD;
	uint8_t *b = c->data;
	memset(b, 0, c->data_len);
	/* Level 0 discovery: header, TPer, Locking, Opal SSC V2. */
	size_t o = 48;
	if (!m->opal)
		goto header;
	b[o + 1] = 0x01; b[o + 2] = 0x10; b[o + 3] = 12; b[o + 4] = 0x11; o += 16;
	b[o + 1] = 0x02; b[o + 2] = 0x10; b[o + 3] = 12; b[o + 4] = 0x09; o += 16; /* supported, media encryption */
	b[o] = 0x02; b[o + 1] = 0x03; b[o + 2] = 0x10; b[o + 3] = 16;
	b[o + 4] = 0x10; b[o + 5] = 0x01; o += 20;
header:;
	uint32_t len = (uint32_t)(o - 4);
	b[0] = (uint8_t)(len >> 24); b[1] = (uint8_t)(len >> 16);
	b[2] = (uint8_t)(len >> 8); b[3] = (uint8_t)len;
	b[7] = 1; /* minor version */
	return 0;
}

static int nm_admin(struct kesu_transport *t, struct kesu_nvme_cmd *c)
{
	struct nvme_model *m = t->priv;
	if (m->med.gone)
		return -ENODEV;
	if (m->gone_after_polls >= 0 && c->opcode == KESU_NVME_OP_GET_LOG &&
	    (int)m->n_log >= m->gone_after_polls && m->in_progress) {
		m->med.gone = true;
		return -ENODEV;
	}
	c->result = 0;
	switch (c->opcode) {
	case KESU_NVME_OP_IDENTIFY: return identify(m, c);
	case KESU_NVME_OP_GET_LOG: return get_log(m, c);
	case KESU_NVME_OP_FORMAT: return format(m, c);
	case KESU_NVME_OP_SANITIZE: return sanitize(m, c);
	case KESU_NVME_OP_SECURITY_RECV: return security_recv(m, c);
	}
	return KESU_NVME_SC_INVALID_OPCODE | 0x4000;
}

static int nm_psid(struct kesu_transport *t, const char *psid, size_t len)
{
	struct nvme_model *m = t->priv;
	if (m->med.gone)
		return -ENODEV;
	if (!m->opal)
		return -EOPNOTSUPP;
	m->n_psid++;
	if (len != strlen(m->psid) || memcmp(psid, m->psid, len))
		return -EACCES;
	model_medium_crypto_erase(&m->med, m->crypto_stale);
	return 0;
}

static void nm_close(struct kesu_transport *t)
{
	(void)t; /* the test owns the model */
}

static const struct kesu_transport_ops nm_ops = {
	.nvme_admin = nm_admin,
	.opal_psid_revert = nm_psid,
	.close = nm_close,
};

void nvme_model_init(struct nvme_model *m, uint64_t bytes)
{
	memset(m, 0, sizeof(*m));
	model_medium_init(&m->med, bytes ? bytes : 1u << 20, 512);
	model_medium_fill_user_data(&m->med, 0x5EED);
	strcpy(m->mn, "KESU MODEL NVME");
	strcpy(m->sn, "NVM0001");
	strcpy(m->fr, "1.0");
	strcpy(m->psid, "0123456789ABCDEF0123456789ABCDEF");
	m->oacs = KESU_NVME_OACS_FORMAT;
	m->sanicap = KESU_NVME_SANICAP_CRYPTO | KESU_NVME_SANICAP_BLOCK |
		     KESU_NVME_SANICAP_OVERWRITE;
	m->fna = KESU_NVME_FNA_CRYPTO;
	m->nn = 1;
	m->dlfeat = 1;
	m->est_crypto = 10;
	m->est_block = 60;
	m->est_overwrite = 600;
	m->polls_to_finish = 4;
	m->gone_after_polls = -1;
	m->smart_temp_k = 310;
	m->smart_used = 3;
	m->smart_poh = 1234;
	m->smart_units_written = 987654;
	m->smart_unsafe = 7;
	m->tr.ops = &nm_ops;
	m->tr.kind = KESU_TRANSPORT_NVME;
	m->tr.nsid = 1;
	m->tr.priv = m;
	strcpy(m->tr.path, "/dev/model-nvme0n1");
}

void nvme_model_destroy(struct nvme_model *m)
{
	model_medium_free(&m->med);
}
