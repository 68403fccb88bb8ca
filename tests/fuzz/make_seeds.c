/* Writes the binary seeds of the fuzz corpus from kesu's own code and the
 * device models: what a drive answers to IDENTIFY / SEND_EXT_CSD.  Run by
 * tests/fuzz/make-corpus.sh. */
#include "ata_model.h"
#include "emmc_model.h"
#include "nvme_model.h"
#include "wipe/firmware/ata.h"
#include "wipe/firmware/nvme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

	return 0;
}
