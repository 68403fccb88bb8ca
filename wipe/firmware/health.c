#include "wipe/firmware/health.h"
#include "wipe/firmware/nvme.h"
#include "lib/strutil.h"

#include <string.h>

static uint64_t le(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = n; i-- > 0;)
		v = v << 8 | b[i];
	return v;
}

/* A 128-bit little-endian counter, saturated at INT64_MAX. */
static int64_t le128(const uint8_t *b)
{
	uint64_t lo = le(b, 8), hi = le(b + 8, 8);
	return hi || lo > INT64_MAX ? INT64_MAX : (int64_t)lo;
}

void kesu_nvme_smart_log_cmd(struct kesu_nvme_cmd *c, void *buf)
{
	memset(c, 0, sizeof(*c));
	c->opcode = KESU_NVME_OP_GET_LOG;
	c->nsid = KESU_NVME_NSID_ALL;
	/* NUMDL (dwords - 1) in bits 31:16, LID in 7:0. */
	c->cdw10 = (uint32_t)(KESU_NVME_SMART_LOG_LEN / 4 - 1) << 16 | KESU_NVME_LID_SMART;
	c->data = buf;
	c->data_len = KESU_NVME_SMART_LOG_LEN;
	c->dir = KESU_XFER_FROM_DEV;
}

enum kesu_rc kesu_nvme_parse_smart(const uint8_t *buf, size_t len, struct kesu_nvme_smart *out,
				   struct kesu_err *err)
{
	memset(out, 0, sizeof(*out));
	if (len < KESU_NVME_SMART_LOG_LEN)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "NVMe SMART log: %zu bytes, not 512", len);
	out->critical_warning = buf[0];
	out->temperature_k = (uint16_t)le(buf + 1, 2);
	out->available_spare = buf[3];
	out->spare_threshold = buf[4];
	out->percentage_used = buf[5];
	out->data_units_read = le128(buf + 32);
	out->data_units_written = le128(buf + 48);
	out->power_cycles = le128(buf + 112);
	out->power_on_hours = le128(buf + 128);
	out->unsafe_shutdowns = le128(buf + 144);
	out->media_errors = le128(buf + 160);
	out->error_log_entries = le128(buf + 176);
	return KESU_OK;
}

struct kesu_ata_tf kesu_ata_tf_smart_read_data(void)
{
	/* LBA Mid 4Fh, High C2h: the key every SMART subcommand carries. */
	return (struct kesu_ata_tf){.feature = KESU_ATA_SMART_READ_DATA, .count = 1,
				    .lba = 0xC24F00, .command = KESU_ATA_SMART};
}

struct kesu_ata_tf kesu_ata_tf_smart_return_status(void)
{
	return (struct kesu_ata_tf){.feature = KESU_ATA_SMART_RETURN_STATUS, .lba = 0xC24F00,
				    .command = KESU_ATA_SMART};
}

static const uint8_t WANTED[KESU_ATA_SMART_NATTR] = {5, 9, 197, 198};

enum kesu_rc kesu_ata_parse_smart(const uint8_t *buf, size_t len, struct kesu_ata_smart *out,
				  struct kesu_err *err)
{
	memset(out, 0, sizeof(*out));
	for (unsigned k = 0; k < KESU_ATA_SMART_NATTR; k++)
		out->attr[k].id = WANTED[k];
	if (len < KESU_ATA_SMART_LEN)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "ATA SMART data: %zu bytes, not 512", len);
	uint8_t sum = 0;
	for (unsigned i = 0; i < KESU_ATA_SMART_LEN; i++)
		sum = (uint8_t)(sum + buf[i]);
	if (sum)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "ATA SMART data: checksum mismatch");
	out->revision = (uint16_t)le(buf, 2);
	/* 30 entries of 12 bytes from byte 2: id, flags(2), current, worst,
	 * raw(6), reserved.  The first entry of an id counts. */
	for (unsigned e = 0; e < 30; e++) {
		const uint8_t *a = buf + 2 + 12 * e;
		for (unsigned k = 0; a[0] && k < KESU_ATA_SMART_NATTR; k++) {
			struct kesu_ata_smart_attr *t = &out->attr[k];
			if (t->id != a[0] || t->present)
				continue;
			*t = (struct kesu_ata_smart_attr){a[0], true, a[3], a[4], le(a + 5, 6)};
		}
	}
	return KESU_OK;
}

enum kesu_ata_smart_status kesu_ata_smart_status_of(const struct kesu_ata_result *r)
{
	if (!r->have_regs)
		return KESU_SMART_STATUS_UNKNOWN;
	unsigned mid = (unsigned)(r->lba >> 8) & 0xFF, high = (unsigned)(r->lba >> 16) & 0xFF;
	if (mid == 0x4F && high == 0xC2)
		return KESU_SMART_STATUS_PASSED;
	if (mid == 0xF4 && high == 0x2C)
		return KESU_SMART_STATUS_FAILING;
	return KESU_SMART_STATUS_UNKNOWN;
}

json_t *kesu_health_nvme_json(const struct kesu_nvme_smart *s)
{
	return json_pack("{s:s, s:i, s:o, s:i, s:i, s:i, s:I, s:I, s:I, s:I, s:I}",
			 "source", "nvme", "critical_warning", s->critical_warning,
			 "temperature_c", s->temperature_k
				? json_integer((json_int_t)s->temperature_k - 273) : json_null(),
			 "available_spare", s->available_spare,
			 "available_spare_threshold", s->spare_threshold,
			 "percentage_used", s->percentage_used,
			 "data_units_written", (json_int_t)s->data_units_written,
			 "power_on_hours", (json_int_t)s->power_on_hours,
			 "power_cycles", (json_int_t)s->power_cycles,
			 "unsafe_shutdowns", (json_int_t)s->unsafe_shutdowns,
			 "media_errors", (json_int_t)s->media_errors);
}

static const char *const ATTR_NAMES[KESU_ATA_SMART_NATTR] = {
	"reallocated_sectors", "power_on_hours", "pending_sectors", "uncorrectable_sectors",
};

json_t *kesu_health_ata_json(const struct kesu_ata_smart *s, bool have_data,
			     enum kesu_ata_smart_status st)
{
	static const char *const status[] = {"unknown", "passed", "failing"};
	json_t *attrs = json_array();
	for (unsigned k = 0; have_data && k < KESU_ATA_SMART_NATTR; k++) {
		const struct kesu_ata_smart_attr *a = &s->attr[k];
		if (a->present)
			json_array_append_new(attrs, json_pack("{s:i, s:s, s:i, s:i, s:I}",
				"id", a->id, "name", ATTR_NAMES[k], "current", a->current,
				"worst", a->worst, "raw", (json_int_t)a->raw));
	}
	return json_pack("{s:s, s:s, s:o}", "source", "ata", "overall", status[st],
			 "attributes", attrs);
}

json_t *kesu_health_none_json(const char *reason)
{
	return json_pack("{s:s, s:o}", "source", "none", "reason", kesu_json_str(reason));
}
