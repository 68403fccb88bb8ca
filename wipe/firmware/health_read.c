/* Reading a drive's health log through the pass-through seam: the one
 * effect behind health.h. */
#include "wipe/firmware/health.h"
#include "wipe/firmware/nvme.h"

#include <stdio.h>
#include <string.h>

static json_t *none_because(const char *what, const char *why)
{
	/* kesu_json_str bounds it to KESU_STR_MAX bytes. */
	char reason[sizeof(((struct kesu_err *)0)->msg) + 96];
	snprintf(reason, sizeof(reason), "%s: %s", what, why);
	return kesu_health_none_json(reason);
}

static json_t *read_nvme(struct kesu_transport *t)
{
	uint8_t buf[KESU_NVME_SMART_LOG_LEN];
	struct kesu_nvme_cmd c;
	kesu_nvme_smart_log_cmd(&c, buf);
	c.timeout_ms = 10000;
	int st = kesu_nvme_admin(t, &c);
	if (st < 0)
		return none_because("NVMe SMART log not read", strerror(-st));
	if (st > 0) {
		char d[64];
		kesu_nvme_status_describe(st, d, sizeof(d));
		return none_because("NVMe SMART log not read, the controller answered", d);
	}
	struct kesu_nvme_smart s;
	struct kesu_err err;
	if (kesu_nvme_parse_smart(buf, sizeof(buf), &s, &err) != KESU_OK)
		return kesu_health_none_json(err.msg);
	return kesu_health_nvme_json(&s);
}

/* SMART RETURN STATUS first: a SCSI drive refuses the pass-through, a
 * drive with SMART off aborts it; then the attributes. */
static json_t *read_ata(struct kesu_transport *t)
{
	struct kesu_ata_result r;
	struct kesu_err err;
	enum kesu_rc rc = kesu_ata_run(t, KESU_ATA_NONDATA, false,
				       kesu_ata_tf_smart_return_status(), NULL, 10000, &r, &err);
	if (rc == KESU_ERR_NOTSUP)
		return kesu_health_none_json("not an ATA drive: SCSI health log pages are not "
					     "read by this kesu");
	if (rc != KESU_OK)
		return none_because("ATA SMART not read", err.msg);
	enum kesu_ata_smart_status st = kesu_ata_smart_status_of(&r);
	uint8_t buf[KESU_ATA_SMART_LEN];
	rc = kesu_ata_run(t, KESU_ATA_PIO_IN, false, kesu_ata_tf_smart_read_data(), buf, 10000,
			  &r, &err);
	struct kesu_ata_smart s;
	if (rc == KESU_OK)
		rc = kesu_ata_parse_smart(buf, sizeof(buf), &s, &err);
	if (rc != KESU_OK)
		return none_because("ATA SMART data not read", err.msg);
	return kesu_health_ata_json(&s, true, st);
}

json_t *kesu_health_read_transport(struct kesu_transport *t)
{
	switch (t->kind) {
	case KESU_TRANSPORT_NVME: return read_nvme(t);
	case KESU_TRANSPORT_SCSI: return read_ata(t);
	case KESU_TRANSPORT_MMC: break;
	}
	return kesu_health_none_json("eMMC: no health log this kesu reads");
}

json_t *kesu_health_read(const struct kesu_identity *id)
{
	if (id->is_file || !strcmp(id->kind, "loop") || !strcmp(id->transport, "loop") ||
	    !strcmp(id->transport, "virtio"))
		return kesu_health_none_json("no drive health log: an image file, loop or "
					     "virtio device");
	struct kesu_transport *t = NULL;
	struct kesu_err err;
	if (kesu_transport_open(id->path, &t, &err) != KESU_OK)
		return none_because("health not read", err.msg);
	json_t *h = kesu_health_read_transport(t);
	kesu_transport_close(t);
	return h;
}
