#include "scsi_model.h"
#include "wipe/firmware/scsi.h"

#include <errno.h>
#include <string.h>

static bool faulty(const struct scsi_model *m)
{
	return m->n_sanitize >= m->faults_from;
}

static void finish(struct scsi_model *m)
{
	struct model_medium *md = &m->med;
	bool fails = m->sanitize_fails && faulty(m);
	uint64_t end = fails ? md->capacity / 2 : md->capacity;
	if (m->sa == KESU_SCSI_SA_CRYPTO) {
		if (!fails)
			model_medium_crypto_erase(md, m->crypto_stale);
	} else if (m->sa == KESU_SCSI_SA_BLOCK) {
		uint8_t z = 0;
		model_medium_fill(md, 0, end, &z, 1);
	} else {
		model_medium_fill(md, 0, end, m->pattern, m->plen);
	}
	m->running = false;
	md->busy = false;
	m->failed = fails;
}

static void fixed_sense(uint8_t *b, uint8_t key, uint8_t asc, uint8_t ascq,
			bool sksv, uint16_t progress)
{
	memset(b, 0, 18);
	b[0] = 0x70;
	b[2] = key;
	b[7] = 10;
	b[12] = asc;
	b[13] = ascq;
	if (sksv) {
		b[15] = 0x80;
		b[16] = (uint8_t)(progress >> 8);
		b[17] = (uint8_t)progress;
	}
}

static bool sa_supported(struct scsi_model *m, unsigned sa)
{
	return (sa == KESU_SCSI_SA_OVERWRITE && m->sa_overwrite) ||
	       (sa == KESU_SCSI_SA_BLOCK && m->sa_block) ||
	       (sa == KESU_SCSI_SA_CRYPTO && m->sa_crypto) ||
	       sa == KESU_SCSI_SA_EXIT_FAILURE;
}

static int sm_scsi(struct kesu_transport *t, struct kesu_scsi_cmd *c)
{
	struct scsi_model *m = t->priv;
	if (m->med.gone)
		return -ENODEV;
	c->status = 0;
	c->sense_len = 0;
	c->host_status = 0;
	const uint8_t *b = c->cdb;
	switch (b[0]) {
	case KESU_SCSI_MAINT_IN: {
		if (m->rsoc_unsupported || (b[1] & 0x1F) != KESU_SCSI_RSOC_SA ||
		    (b[2] & 7) != 2 || !c->data || c->data_len < 4) {
			model_set_check(c, KESU_SK_ILLEGAL_REQUEST, 0x24, 0);
			return 0;
		}
		uint8_t *d = c->data;
		memset(d, 0, c->data_len);
		unsigned sa = (unsigned)(b[4] << 8 | b[5]);
		bool sup = b[3] == KESU_SCSI_SANITIZE && sa_supported(m, sa);
		d[1] = sup ? 3 : 1;
		if (sup) {
			d[3] = 10;
			if (c->data_len >= 5)
				d[4] = KESU_SCSI_SANITIZE;
		}
		return 0;
	}
	case KESU_SCSI_SANITIZE: {
		unsigned sa = b[1] & 0x1F;
		m->last_cdb1 = b[1];
		if (m->running) {
			model_set_check(c, KESU_SK_NOT_READY, 0x04, 0x1B);
			return 0;
		}
		if (!sa_supported(m, sa)) {
			model_set_check(c, KESU_SK_ILLEGAL_REQUEST, 0x24, 0);
			return 0;
		}
		if (sa == KESU_SCSI_SA_EXIT_FAILURE) {
			m->failed = false;
			return 0;
		}
		if (sa == KESU_SCSI_SA_OVERWRITE) {
			uint16_t plist = (uint16_t)(b[7] << 8 | b[8]);
			const uint8_t *p = c->data;
			if (plist < 5 || !p || c->data_len < plist) {
				model_set_check(c, KESU_SK_ILLEGAL_REQUEST, 0x24, 0);
				return 0;
			}
			uint16_t plen = (uint16_t)(p[2] << 8 | p[3]);
			unsigned passes = p[0] & 0x1F;
			if (plen == 0 || plen > 64 || plen + 4u != plist || passes == 0) {
				model_set_check(c, KESU_SK_ILLEGAL_REQUEST, 0x26, 0);
				return 0;
			}
			memcpy(m->pattern, p + 4, plen);
			m->plen = plen;
			m->passes = passes;
		} else if (b[7] || b[8]) {
			model_set_check(c, KESU_SK_ILLEGAL_REQUEST, 0x24, 0);
			return 0;
		}
		if (m->n_sanitize < 4)
			m->sanitize_sa[m->n_sanitize] = (uint8_t)sa;
		m->n_sanitize++;
		m->sa = (uint8_t)sa;
		m->running = true;
		m->failed = false;
		m->med.busy = true;
		m->polls_done = 0;
		if (!(b[1] & 0x80)) /* without IMMED: complete before returning */
			finish(m);
		return 0;
	}
	case KESU_SCSI_REQUEST_SENSE: {
		m->n_sense++;
		if (m->gone_after_polls >= 0 && (int)m->n_sense > m->gone_after_polls &&
		    m->running) {
			m->med.gone = true;
			return -ENODEV;
		}
		if (m->running && !(m->stall && faulty(m))) {
			m->polls_done++;
			if (m->polls_done >= m->polls_to_finish)
				finish(m);
		}
		uint8_t s[18];
		if (m->running)
			fixed_sense(s, KESU_SK_NOT_READY, 0x04, 0x1B, true,
				    (uint16_t)(65536ull * m->polls_done / m->polls_to_finish));
		else if (m->failed)
			fixed_sense(s, KESU_SK_MEDIUM_ERROR, 0x31, 0x03, false, 0);
		else
			fixed_sense(s, KESU_SK_NO_SENSE, 0, 0, false, 0);
		uint32_t n = c->data_len < 18 ? c->data_len : 18;
		if (c->data)
			memcpy(c->data, s, n);
		c->resid = (int32_t)(c->data_len - n);
		return 0;
	}
	}
	model_set_check(c, KESU_SK_ILLEGAL_REQUEST, 0x20, 0);
	return 0;
}

static void sm_close(struct kesu_transport *t)
{
	(void)t;
}

static const struct kesu_transport_ops sm_ops = {
	.scsi = sm_scsi,
	.close = sm_close,
};

void scsi_model_init(struct scsi_model *m, uint64_t bytes)
{
	memset(m, 0, sizeof(*m));
	model_medium_init(&m->med, bytes ? bytes : 1u << 20, 512);
	model_medium_fill_user_data(&m->med, 0x5C5);
	m->sa_overwrite = m->sa_block = m->sa_crypto = true;
	m->polls_to_finish = 3;
	m->gone_after_polls = -1;
	m->tr.ops = &sm_ops;
	m->tr.kind = KESU_TRANSPORT_SCSI;
	m->tr.priv = m;
	strcpy(m->tr.path, "/dev/model-sdb");
}

void scsi_model_destroy(struct scsi_model *m)
{
	model_medium_free(&m->med);
}
