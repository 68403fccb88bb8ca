/* The one pass-through interface every firmware command goes through: an
 * NVMe admin command, a SCSI CDB exchange (SG_IO; ATA commands travel as
 * ATA PASS-THROUGH(16) CDBs) or a sequence of eMMC commands (MMC_IOC_CMD).  The real backend is transport_linux.c; tests
 * put in-process device models (tests/unit/support: nvme_model.c, ata_model.c,
 * scsi_model.c, emmc_model.c) behind the
 * same operations, so every command builder, parser and purge path is
 * proven without touching a real drive. */
#ifndef KESU_TRANSPORT_H
#define KESU_TRANSPORT_H

#include "lib/error.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kesu_xfer_dir {
	KESU_XFER_NONE,
	KESU_XFER_FROM_DEV, /* data-in: the device fills the buffer */
	KESU_XFER_TO_DEV,   /* data-out: the buffer goes to the device */
};

struct kesu_nvme_cmd {
	uint8_t opcode;
	uint32_t nsid;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
	void *data;
	uint32_t data_len;
	enum kesu_xfer_dir dir;
	uint32_t timeout_ms;   /* 0: the driver's default */
	uint32_t result;       /* out: completion queue entry dword 0 */
};

#define KESU_SENSE_MAX 64

struct kesu_scsi_cmd {
	uint8_t cdb[16];
	uint8_t cdb_len;
	enum kesu_xfer_dir dir;
	void *data;
	uint32_t data_len;
	uint32_t timeout_ms;
	/* out */
	uint8_t status;          /* SCSI status: 0 GOOD, 2 CHECK CONDITION */
	uint16_t host_status;    /* nonzero: the HBA or bridge failed it */
	uint16_t driver_status;
	uint8_t sense[KESU_SENSE_MAX];
	uint8_t sense_len;
	int32_t resid;
};

/* One eMMC command (JEDEC JESD84-B51), as MMC_IOC_CMD carries it. */
struct kesu_mmc_cmd {
	uint32_t opcode;
	uint32_t arg;
	uint32_t flags;        /* response type and command class (mmc.h) */
	bool write;            /* data-out, or a command that changes the device */
	void *data;
	uint32_t blksz, blocks;
	uint32_t timeout_ms;   /* busy wait for R1b commands; 0: the driver's */
	uint32_t response[4];  /* out: R1 card status in response[0] */
};

#define KESU_MMC_MAX_SEQ 4

enum kesu_transport_kind {
	KESU_TRANSPORT_NVME, /* NVMe admin commands */
	KESU_TRANSPORT_SCSI, /* SG_IO: SCSI, or ATA through SAT */
	KESU_TRANSPORT_MMC,  /* eMMC through the mmc block driver */
};

struct kesu_transport;

struct kesu_transport_ops {
	/* <0: -errno (the command did not reach the device or the device is
	 * gone); 0: success; >0: the NVMe status field (SCT<<8 | SC, plus
	 * the DNR/More bits the driver passes up). */
	int (*nvme_admin)(struct kesu_transport *t, struct kesu_nvme_cmd *c);
	/* <0: -errno; 0: the exchange happened, c->status / c->sense /
	 * host_status tell how the command ended. */
	int (*scsi)(struct kesu_transport *t, struct kesu_scsi_cmd *c);
	/* n (1..KESU_MMC_MAX_SEQ) eMMC commands sent back to back, with no
	 * other request in between (an erase is CMD35, CMD36, CMD38).  0, or
	 * -errno when the driver or the card failed one of them. */
	int (*mmc)(struct kesu_transport *t, struct kesu_mmc_cmd *c, unsigned n);
	/* The card's CSD register as the driver read it at enumeration (CMD9
	 * is not allowed while the card is selected): csd[0] holds the
	 * register's bits 127..96.  0 or -errno. */
	int (*mmc_csd)(struct kesu_transport *t, uint32_t csd[4]);
	/* TCG Opal PSID revert through the kernel's sed-opal layer (NULL if
	 * the backend has none).  0 or -errno. */
	int (*opal_psid_revert)(struct kesu_transport *t, const char *psid,
				size_t len);
	void (*close)(struct kesu_transport *t);
};

struct kesu_transport {
	const struct kesu_transport_ops *ops;
	enum kesu_transport_kind kind;
	uint32_t nsid;       /* NVMe namespace of the opened block device, 0 if a controller */
	char path[256];
	void *priv;
};

/* Open a whole-disk node for pass-through: /dev/nvmeXnY or /dev/nvmeX
 * (NVMe), /dev/sdX or /dev/sgN (SG_IO), /dev/mmcblkN (eMMC; an SD card is
 * refused: it has no sanitize).  Opened read-only without O_EXCL:
 * pass-through needs CAP_SYS_ADMIN, not write access, and the erase
 * target keeps its own O_EXCL descriptor. */
enum kesu_rc kesu_transport_open(const char *path, struct kesu_transport **out,
				 struct kesu_err *err);

static inline void kesu_transport_close(struct kesu_transport *t)
{
	if (t)
		t->ops->close(t);
}

/* Dispatch, answering -EOPNOTSUPP where a backend has no such path. */
static inline int kesu_nvme_admin(struct kesu_transport *t, struct kesu_nvme_cmd *c)
{
	return t->ops->nvme_admin ? t->ops->nvme_admin(t, c) : -EOPNOTSUPP;
}

static inline int kesu_scsi_exec(struct kesu_transport *t, struct kesu_scsi_cmd *c)
{
	return t->ops->scsi ? t->ops->scsi(t, c) : -EOPNOTSUPP;
}

static inline int kesu_mmc_exec(struct kesu_transport *t, struct kesu_mmc_cmd *c, unsigned n)
{
	return t->ops->mmc ? t->ops->mmc(t, c, n) : -EOPNOTSUPP;
}

#endif
