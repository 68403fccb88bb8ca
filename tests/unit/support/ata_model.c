#include "ata_model.h"
#include "wipe/firmware/ata.h"
#include "wipe/firmware/health.h"

#include <errno.h>
#include <string.h>

struct regs {
	uint8_t status, error;
	uint16_t count;
	uint64_t lba;
};

static void put_word(uint8_t *b, unsigned i, uint16_t v)
{
	b[2 * i] = (uint8_t)v;
	b[2 * i + 1] = (uint8_t)(v >> 8);
}

static void put_str(uint8_t *b, unsigned first, const char *s, unsigned words)
{
	char tmp[80];
	memset(tmp, ' ', sizeof(tmp));
	memcpy(tmp, s, strnlen(s, 2 * words));
	for (unsigned i = 0; i < words; i++)
		put_word(b, first + i, (uint16_t)((uint8_t)tmp[2 * i] << 8 | (uint8_t)tmp[2 * i + 1]));
}

static void sync_visible(struct ata_model *m)
{
	m->med.visible = (m->current_max + 1) * 512;
	m->med.locked = m->locked;
}

static void identify(struct ata_model *m, uint8_t *b)
{
	memset(b, 0, 512);
	put_str(b, 10, m->serial, 10);
	put_str(b, 23, "1.0", 4);
	put_str(b, 27, m->model, 20);
	uint64_t n = m->current_max + 1;
	put_word(b, 60, (uint16_t)(n > 0x0FFFFFFF ? 0xFFFF : n));
	put_word(b, 61, (uint16_t)(n > 0x0FFFFFFF ? 0x0FFF : n >> 16));
	put_word(b, 59, (uint16_t)((m->san ? 1u << 12 : 0) | (m->san_crypto ? 1u << 13 : 0) |
				   (m->san_overwrite ? 1u << 14 : 0) |
				   (m->san_block ? 1u << 15 : 0)));
	put_word(b, 82, (uint16_t)((m->sec_supported ? 2 : 0) | (m->hpa_supported ? 1u << 10 : 0)));
	put_word(b, 83, (uint16_t)(0x4000 | 1u << 10 | (m->dco_supported ? 1u << 11 : 0)));
	put_word(b, 89, m->w89);
	put_word(b, 90, m->w90);
	for (unsigned i = 0; i < 4; i++)
		put_word(b, 100 + i, (uint16_t)(n >> (16 * i)));
	uint16_t w128 = 0;
	if (m->sec_supported) {
		w128 = (uint16_t)(1 | (m->sec_enabled ? 2 : 0) | (m->locked ? 4 : 0) |
				  (m->frozen ? 8 : 0) | (m->attempts_left ? 0 : 0x10) |
				  (m->sec_enhanced ? 0x20 : 0));
	}
	put_word(b, 128, w128);
	put_word(b, 217, m->rotation);
	b[510] = 0xA5;
	uint8_t sum = 0;
	for (unsigned i = 0; i < 511; i++)
		sum = (uint8_t)(sum + b[i]);
	b[511] = (uint8_t)(0 - sum);
}

static bool pw_ok(struct ata_model *m, const uint8_t *data)
{
	if (!m->attempts_left)
		return false;
	if (data[0] & 1) /* master password: this model has none */
		return false;
	if (memcmp(data + 2, m->user_pw, 32)) {
		m->attempts_left--;
		return false;
	}
	return true;
}

static bool faulty(const struct ata_model *m)
{
	return m->n_sanitize >= m->faults_from;
}

static void sanitize_effect(struct ata_model *m)
{
	struct model_medium *md = &m->med;
	bool fails = m->sanitize_fails && faulty(m);
	uint64_t end = fails ? md->capacity / 2 : md->capacity;
	if (m->san_feature == KESU_ATA_SAN_CRYPTO) {
		if (!fails)
			model_medium_crypto_erase(md, m->crypto_stale);
	} else if (m->san_feature == KESU_ATA_SAN_BLOCK) {
		uint8_t z = 0;
		model_medium_fill(md, 0, end, &z, 1);
	} else {
		uint8_t p[4] = {(uint8_t)(m->san_lba >> 24), (uint8_t)(m->san_lba >> 16),
				(uint8_t)(m->san_lba >> 8), (uint8_t)m->san_lba};
		model_medium_fill(md, 0, end, p, 4);
	}
	m->san_running = false;
	md->busy = false;
	m->san_failed = fails;
}

static void smart_attr(uint8_t *b, unsigned slot, uint8_t id, uint64_t raw)
{
	uint8_t *a = b + 2 + 12 * slot;
	a[0] = id;
	a[1] = 0x33; /* flags: pre-fail, online */
	a[3] = 100;
	a[4] = 99;
	for (unsigned i = 0; i < 6; i++)
		a[5 + i] = (uint8_t)(raw >> (8 * i));
}

/* SMART READ DATA's 512 bytes: revision, 30 attribute slots from byte 2
 * (one unused slot between, as drives leave them), checksum at 511. */
static void smart_data(const struct ata_model *m, uint8_t *b)
{
	memset(b, 0, 512);
	b[0] = 0x10;
	smart_attr(b, 0, 1, 0);
	smart_attr(b, 1, 5, m->smart_realloc);
	smart_attr(b, 3, 9, m->smart_poh);
	smart_attr(b, 4, 197, m->smart_pending);
	smart_attr(b, 5, 198, m->smart_uncorrectable);
	uint8_t sum = 0;
	for (unsigned i = 0; i < 511; i++)
		sum = (uint8_t)(sum + b[i]);
	b[511] = (uint8_t)(0 - sum + (m->smart_bad_checksum ? 1 : 0));
}

static bool smart(struct ata_model *m, uint16_t feature, uint64_t lba, uint8_t *data,
		  const struct kesu_scsi_cmd *c, struct regs *r)
{
	if (m->smart_off || (lba & 0xFFFF00) != 0xC24F00)
		return false;
	m->n_smart++;
	if (feature == KESU_ATA_SMART_RETURN_STATUS) {
		r->lba = m->smart_failing ? 0x2CF400 : 0xC24F00;
		return true;
	}
	if (feature != KESU_ATA_SMART_READ_DATA || !data || c->data_len < 512)
		return false;
	smart_data(m, data);
	return true;
}

/* Returns false for ABORT. */
static bool run(struct ata_model *m, const struct kesu_scsi_cmd *c, struct regs *r)
{
	const uint8_t *b = c->cdb;
	uint16_t feature = (uint16_t)(b[3] << 8 | b[4]);
	uint16_t count = (uint16_t)(b[5] << 8 | b[6]);
	uint64_t lba = (uint64_t)b[8] | (uint64_t)b[10] << 8 | (uint64_t)b[12] << 16 |
		       (uint64_t)b[7] << 24 | (uint64_t)b[9] << 32 | (uint64_t)b[11] << 40;
	uint8_t cmd = b[14];
	uint8_t *data = c->data;
	bool native_read = m->native_read;
	m->native_read = false;
	if (m->san_running && cmd != KESU_ATA_SANITIZE && cmd != KESU_ATA_IDENTIFY)
		return false;
	switch (cmd) {
	case KESU_ATA_IDENTIFY:
		if (!data || c->data_len < 512)
			return false;
		identify(m, data);
		return true;
	case KESU_ATA_SEC_SET_PASSWORD:
		if (!m->sec_supported || m->frozen || m->locked || !data)
			return false;
		m->n_set_pw++;
		if (data[0] & 1)
			return true; /* master password: accepted, not modelled */
		memcpy(m->user_pw, data + 2, 32);
		m->sec_enabled = true;
		return true;
	case KESU_ATA_SEC_ERASE_PREPARE:
		if (!m->sec_supported || m->frozen)
			return false;
		m->prepared = true;
		return true;
	case KESU_ATA_SEC_ERASE_UNIT: {
		bool prepared = m->prepared;
		m->prepared = false;
		if (!m->sec_supported || m->frozen || !prepared || !m->sec_enabled || !data)
			return false;
		bool enh = data[0] & 2;
		if (enh && !m->sec_enhanced)
			return false;
		if (!pw_ok(m, data))
			return false;
		m->n_erase++;
		m->last_erase_enhanced = enh;
		if (m->erase_fails) {
			uint8_t z = 0;
			model_medium_fill(&m->med, 0, m->med.capacity / 4, &z, 1);
			return false;
		}
		uint8_t p = enh ? 0xA5 : 0x00;
		model_medium_fill(&m->med, 0, m->med.capacity, &p, 1);
		if (!m->stays_enabled) {
			m->sec_enabled = false;
			m->locked = false;
			memset(m->user_pw, 0, 32);
		}
		return true;
	}
	case KESU_ATA_SEC_DISABLE:
		if (!m->sec_supported || m->frozen || m->locked || !data)
			return false;
		m->n_disable++;
		if (m->disable_fails || !pw_ok(m, data))
			return false;
		m->sec_enabled = false;
		memset(m->user_pw, 0, 32);
		return true;
	case KESU_ATA_SEC_UNLOCK:
		if (!m->sec_supported || m->frozen || !data || !pw_ok(m, data))
			return false;
		m->locked = false;
		return true;
	case KESU_ATA_SANITIZE:
		if (!m->san || m->locked)
			return false;
		if (feature == KESU_ATA_SAN_STATUS) {
			if (m->san_running && !(m->stall && faulty(m))) {
				m->polls_done++;
				if (m->polls_done >= m->polls_to_finish)
					sanitize_effect(m);
			}
			if (m->san_failed) {
				r->lba = 1; /* reason: sanitize command unsuccessful */
				if (count & 1)
					m->san_failed = false;
				return false;
			}
			r->count = m->san_running ? KESU_ATA_SAN_IN_PROGRESS
						  : (m->n_sanitize ? KESU_ATA_SAN_COMPLETED : 0);
			r->lba = m->san_running ?
				 (uint16_t)(65535ull * m->polls_done / m->polls_to_finish) : 0xFFFF;
			return true;
		}
		/* ACS processes sanitize operation commands in SD0 (idle), SD3
		 * (failed) and SD4 (succeeded, where a completed one leaves the
		 * device): only SD2, a sanitize in progress, aborts them.  SD1
		 * (frozen) is not modelled. */
		if (m->san_running)
			return false;
		if (feature == KESU_ATA_SAN_CRYPTO) {
			if (!m->san_crypto || lba != KESU_ATA_SAN_CRYPTO_KEY)
				return false;
		} else if (feature == KESU_ATA_SAN_BLOCK) {
			if (!m->san_block || lba != KESU_ATA_SAN_BLOCK_KEY)
				return false;
		} else if (feature == KESU_ATA_SAN_OVERWRITE) {
			if (!m->san_overwrite || (lba >> 32) != KESU_ATA_SAN_OVERWRITE_KEY)
				return false;
		} else {
			return false;
		}
		if (m->n_sanitize < 4)
			m->sanitize_features[m->n_sanitize] = feature;
		m->n_sanitize++;
		m->san_feature = feature;
		m->san_count = count;
		m->san_lba = lba;
		m->san_running = true;
		m->san_failed = false;
		m->med.busy = true;
		m->polls_done = 0;
		return true;
	case KESU_ATA_SMART:
		return smart(m, feature, lba, data, c, r);
	case KESU_ATA_READ_NATIVE_MAX_EXT:
		if (!m->hpa_supported)
			return false;
		r->lba = m->native_max;
		m->native_read = true;
		return true;
	case KESU_ATA_SET_MAX_EXT:
		if (!m->hpa_supported || !native_read || lba > m->native_max)
			return false;
		m->n_set_max++;
		m->current_max = lba;
		return true;
	case KESU_ATA_DCO:
		if (!m->dco_supported)
			return false;
		if (feature == KESU_ATA_DCO_IDENTIFY) {
			if (!data || c->data_len < 512)
				return false;
			memset(data, 0, 512);
			put_word(data, 0, 2);
			for (unsigned i = 0; i < 4; i++)
				put_word(data, 3 + i, (uint16_t)(m->dco_max >> (16 * i)));
			return true;
		}
		if (feature == KESU_ATA_DCO_RESTORE) {
			if (m->current_max != m->native_max)
				return false; /* an HPA is set: ACS requires aborting */
			m->n_dco_restore++;
			m->native_max = m->current_max = m->dco_max;
			return true;
		}
		return false;
	}
	return false;
}

static int am_scsi(struct kesu_transport *t, struct kesu_scsi_cmd *c)
{
	struct ata_model *m = t->priv;
	if (m->med.gone)
		return -ENODEV;
	if (m->gone_after_cmds >= 0 && (int)m->n_cmds >= m->gone_after_cmds) {
		m->med.gone = true;
		return -ENODEV;
	}
	m->n_cmds++;
	c->status = 0;
	c->sense_len = 0;
	c->host_status = 0;
	if (c->cdb[0] != KESU_ATA_PT16) {
		model_set_check(c, 0x5, 0x20, 0x00); /* invalid command operation code */
		return 0;
	}
	struct regs r = {.status = 0x50};
	bool ok = run(m, c, &r);
	sync_visible(m);
	if (!ok) {
		r.status = 0x51;
		r.error = KESU_ATA_ERROR_ABRT;
	}
	if (ok && !(c->cdb[2] & 0x20))
		return 0; /* GOOD, and without CK_COND no registers */
	if (m->no_regs || !ok) {
		if (!ok) {
			/* Failures come in fixed format with the registers
			 * where Linux before 6.10 put them: not parseable. */
			model_set_check(c, 0xB, 0, 0);
			c->sense[0] = 0x70;
			c->sense[2] = 0xB;
			c->sense[7] = 10;
			c->sense[8] = r.error;
			c->sense[9] = r.status;
			c->sense_len = 18;
		}
		return 0;
	}
	model_set_check(c, ok ? 0x1 : 0xB, 0x00, ok ? 0x1D : 0x00);
	uint8_t *d = c->sense + 8;
	d[0] = 0x09;
	d[1] = 0x0C;
	d[2] = 1;
	d[3] = r.error;
	d[4] = (uint8_t)(r.count >> 8);
	d[5] = (uint8_t)r.count;
	d[6] = (uint8_t)(r.lba >> 24);
	d[7] = (uint8_t)r.lba;
	d[8] = (uint8_t)(r.lba >> 32);
	d[9] = (uint8_t)(r.lba >> 8);
	d[10] = (uint8_t)(r.lba >> 40);
	d[11] = (uint8_t)(r.lba >> 16);
	d[12] = 0x40;
	d[13] = r.status;
	c->sense[7] = 14;
	c->sense_len = 22;
	return 0;
}

static void am_close(struct kesu_transport *t)
{
	(void)t;
}

static const struct kesu_transport_ops am_ops = {
	.scsi = am_scsi,
	.close = am_close,
};

void ata_model_init(struct ata_model *m, uint64_t bytes)
{
	memset(m, 0, sizeof(*m));
	model_medium_init(&m->med, bytes ? bytes : 1u << 20, 512);
	model_medium_fill_user_data(&m->med, 0xA7A);
	strcpy(m->model, "KESU MODEL SATA SSD");
	strcpy(m->serial, "ATA0001");
	m->rotation = 1;
	m->san = m->san_crypto = m->san_block = m->san_overwrite = true;
	m->sec_supported = m->sec_enhanced = true;
	m->w89 = 1;  /* 2 minutes */
	m->w90 = 2;  /* 4 minutes */
	m->hpa_supported = m->dco_supported = true;
	m->attempts_left = 5;
	m->polls_to_finish = 3;
	m->gone_after_cmds = -1;
	m->smart_poh = 4321;
	m->dco_max = m->native_max = m->current_max = m->med.capacity / 512 - 1;
	m->tr.ops = &am_ops;
	m->tr.kind = KESU_TRANSPORT_SCSI;
	m->tr.priv = m;
	strcpy(m->tr.path, "/dev/model-sda");
	sync_visible(m);
}

void ata_model_hide(struct ata_model *m, uint64_t hpa_sectors, uint64_t dco_sectors)
{
	m->native_max = m->dco_max - dco_sectors;
	m->current_max = m->native_max - hpa_sectors;
	sync_visible(m);
}

void ata_model_destroy(struct ata_model *m)
{
	model_medium_free(&m->med);
}
