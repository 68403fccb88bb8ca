/* Writes the binary seeds of the fuzz corpus from kesu's own code and the
 * device models: what a drive answers to IDENTIFY / SEND_EXT_CSD.  Run by
 * tests/fuzz/make-corpus.sh. */
#include "ata_model.h"
#include "emmc_model.h"
#include "nvme_model.h"
#include "wipe/firmware/ata.h"
#include "wipe/firmware/nvme.h"
#include "wipe/firmware/health.h"
#include "certs/document/verification.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put(const char *dir, const char *name, const void *buf, size_t len);

/* Spot-check reports (kesu-verification/1): a clean sample and a full read
 * that found a partition table, with unreadable blocks and a certificate
 * whose serial is not the medium's. */
static int verification_seeds(const char *corpus)
{
	static struct kesu_identity dev;
	strcpy(dev.path, "/dev/sdb");
	strcpy(dev.name, "sdb");
	strcpy(dev.kind, "hdd");
	strcpy(dev.serial, "KESU-B");
	dev.size_bytes = 1ull << 30;
	dev.logical_block_size = 512;
	dev.physical_block_size = 4096;
	struct kesu_verif_input in = {
		.id = "0b7c9a43-5f1e-4c1a-9a57-3d2c1b0a9f8e",
		.issued_at = "2026-12-02T10:00:05+09:00",
		.started_at = "2026-12-02T09:58:00+09:00",
		.ended_at = "2026-12-02T10:00:00+09:00",
		.operator_name = "山田 太郎",
		.operator_organization = "Example City",
		.device = &dev,
		.seed = 0x0123456789abcdefull,
		.sample_locations = 2002,
		.ranges_read = 1500,
		.bytes_planned = 120 << 20,
		.bytes_read = 120 << 20,
		.confidence = 0.99,
		.detectable_fraction = 0.0022975,
		.cell_bytes = 65536,
		.size_after = 1ull << 30,
		.verdict = "no-data-found",
	};
	in.cells[4] = 1920, in.bytes[4] = 120 << 20;
	char dir[512];
	snprintf(dir, sizeof(dir), "%s/verification", corpus);
	struct kesu_err err;
	json_t *doc;
	if (kesu_verif_build(&in, &doc, &err)) {
		fprintf(stderr, "verification seed: %s\n", err.msg);
		return 1;
	}
	size_t n;
	char *text = kesu_verif_serialize(doc, &n);
	put(dir, "sample-no-data.json", text, n);
	free(text);
	json_decref(doc);

	static const struct kesu_verif_finding f = {1024, 92, "gpt", "GPT header at LBA 1"};
	static const struct kesu_verif_range bad = {2002, 9};
	static const struct kesu_verif_mismatch mm = {"serial", "KESU-A", "KESU-B"};
	in.full = true;
	in.sample_locations = 0;
	in.confidence = 0;
	in.detectable_fraction = 0;
	in.bytes_planned = 1ull << 30;
	in.bytes_read = (1ull << 30) - 9 * 512;
	in.unreadable = &bad, in.n_unreadable = 1, in.unreadable_total = 1;
	in.unreadable_bytes = 9 * 512;
	in.findings = &f, in.n_findings = 1, in.findings_total = 1;
	memset(in.cells, 0, sizeof(in.cells));
	memset(in.bytes, 0, sizeof(in.bytes));
	in.cells[0] = 16383, in.bytes[0] = (1ull << 30) - 65536;
	in.cells[4] = 1, in.bytes[4] = 65536 - 9 * 512;
	in.verdict = "data-found";
	in.cert_id = "5cbb18d0-4548-43e4-94e1-e3a0ff85b12e";
	in.cert_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	in.cert_file = "/var/lib/kesu/certs/kesu-cert-5cbb18d0-4548-43e4-94e1-e3a0ff85b12e.json";
	in.mismatches = &mm, in.n_mismatches = 1;
	if (kesu_verif_build(&in, &doc, &err)) {
		fprintf(stderr, "verification seed: %s\n", err.msg);
		return 1;
	}
	text = kesu_verif_serialize(doc, &n);
	put(dir, "full-data-found.json", text, n);
	free(text);
	json_decref(doc);
	return 0;
}

static void put(const char *dir, const char *name, const void *buf, size_t len)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(p);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_seeds CORPUS-DIR\n");
		return 2;
	}
	const char *d = argv[1];
	char p[512];
	struct kesu_err err;

	struct ata_model a;
	ata_model_init(&a, 1 << 20);
	uint8_t id[512];
	struct kesu_scsi_cmd c;
	struct kesu_ata_result r;
	struct kesu_ata_tf tf = kesu_ata_tf_identify();
	kesu_ata_pt16(&c, KESU_ATA_PIO_IN, false, &tf, id, sizeof(id), 30000);
	if (kesu_ata_exec(&a.tr, &c, &r, &err))
		return 1;
	snprintf(p, sizeof(p), "%s/ata", d);
	put(p, "identify-ssd", id, sizeof(id));
	tf = kesu_ata_tf_smart_read_data();
	kesu_ata_pt16(&c, KESU_ATA_PIO_IN, false, &tf, id, sizeof(id), 30000);
	if (kesu_ata_exec(&a.tr, &c, &r, &err))
		return 1;
	snprintf(p, sizeof(p), "%s/health", d);
	put(p, "ata-smart-data", id, sizeof(id));
	a.smart_failing = true;
	tf = kesu_ata_tf_smart_return_status();
	kesu_ata_pt16(&c, KESU_ATA_NONDATA, false, &tf, NULL, 0, 30000);
	if (kesu_ata_exec(&a.tr, &c, &r, &err))
		return 1;
	put(p, "ata-smart-status-sense", c.sense, c.sense_len);
	ata_model_destroy(&a);

	struct nvme_model n;
	nvme_model_init(&n, 1 << 20);
	uint8_t buf[4096];
	struct kesu_nvme_cmd nc;
	kesu_nvme_identify_ctrl_cmd(&nc, buf);
	if (kesu_nvme_admin(&n.tr, &nc))
		return 1;
	snprintf(p, sizeof(p), "%s/nvme", d);
	put(p, "identify-ctrl", buf, sizeof(buf));
	kesu_nvme_identify_ns_cmd(&nc, 1, buf);
	if (kesu_nvme_admin(&n.tr, &nc))
		return 1;
	put(p, "identify-ns", buf, sizeof(buf));
	kesu_nvme_smart_log_cmd(&nc, buf);
	if (kesu_nvme_admin(&n.tr, &nc))
		return 1;
	snprintf(p, sizeof(p), "%s/health", d);
	put(p, "nvme-smart-log", buf, KESU_NVME_SMART_LOG_LEN);
	nvme_model_destroy(&n);

	struct emmc_model e;
	emmc_model_init(&e);
	snprintf(p, sizeof(p), "%s/mmc", d);
	put(p, "ext-csd-5.1", e.ext_csd, sizeof(e.ext_csd));
	uint8_t csd[512];
	memcpy(csd, e.csd, 16);
	memcpy(csd + 16, e.ext_csd + 16, sizeof(csd) - 16);
	put(p, "csd-first", csd, sizeof(csd));
	emmc_model_destroy(&e);

	return verification_seeds(d);
}
