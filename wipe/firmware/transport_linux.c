/* The real pass-through backend: NVME_IOCTL_ADMIN_CMD, SG_IO and
 * MMC_IOC_CMD / MMC_IOC_MULTI_CMD (plus the sed-opal PSID revert ioctl).
 * Nothing here decides anything; the command contents come from nvme.c /
 * ata.c / scsi.c / mmc.c / opal.c. */
#include "wipe/firmware/transport.h"
#include "lib/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/major.h>
#include <linux/mmc/ioctl.h>
#include <linux/nvme_ioctl.h>
#include <linux/sed-opal.h>
#include <scsi/sg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct linux_priv {
	int fd;
	dev_t rdev;
};

static int fd_of(struct kesu_transport *t)
{
	return ((struct linux_priv *)t->priv)->fd;
}

static int linux_nvme_admin(struct kesu_transport *t, struct kesu_nvme_cmd *c)
{
	if (t->kind != KESU_TRANSPORT_NVME)
		return -EOPNOTSUPP;
	struct nvme_passthru_cmd p;
	memset(&p, 0, sizeof(p));
	p.opcode = c->opcode;
	p.nsid = c->nsid;
	p.cdw10 = c->cdw10;
	p.cdw11 = c->cdw11;
	p.cdw12 = c->cdw12;
	p.cdw13 = c->cdw13;
	p.cdw14 = c->cdw14;
	p.cdw15 = c->cdw15;
	p.addr = (uint64_t)(uintptr_t)c->data;
	p.data_len = c->data ? c->data_len : 0;
	p.timeout_ms = c->timeout_ms;
	int r = ioctl(fd_of(t), NVME_IOCTL_ADMIN_CMD, &p);
	if (r < 0)
		return -errno;
	c->result = p.result;
	return r; /* 0 or the NVMe status */
}

static int linux_scsi(struct kesu_transport *t, struct kesu_scsi_cmd *c)
{
	if (t->kind != KESU_TRANSPORT_SCSI)
		return -EOPNOTSUPP;
	sg_io_hdr_t h;
	memset(&h, 0, sizeof(h));
	h.interface_id = 'S';
	switch (c->dir) {
	case KESU_XFER_NONE: h.dxfer_direction = SG_DXFER_NONE; break;
	case KESU_XFER_FROM_DEV: h.dxfer_direction = SG_DXFER_FROM_DEV; break;
	case KESU_XFER_TO_DEV: h.dxfer_direction = SG_DXFER_TO_DEV; break;
	}
	h.cmd_len = c->cdb_len;
	h.cmdp = c->cdb;
	h.mx_sb_len = sizeof(c->sense);
	h.sbp = c->sense;
	h.dxfer_len = c->dir == KESU_XFER_NONE ? 0 : c->data_len;
	h.dxferp = c->dir == KESU_XFER_NONE ? NULL : c->data;
	h.timeout = c->timeout_ms ? c->timeout_ms : 60000;
	if (ioctl(fd_of(t), SG_IO, &h) < 0)
		return -errno;
	c->status = h.status;
	c->host_status = h.host_status;
	c->driver_status = h.driver_status;
	c->sense_len = h.sb_len_wr;
	c->resid = h.resid;
	return 0;
}

static void to_ioc(struct mmc_ioc_cmd *ic, const struct kesu_mmc_cmd *c)
{
	memset(ic, 0, sizeof(*ic));
	ic->write_flag = c->write ? 1 : 0;
	ic->opcode = c->opcode;
	ic->arg = c->arg;
	ic->flags = c->flags;
	ic->blksz = c->data ? c->blksz : 0;
	ic->blocks = c->data ? c->blocks : 0;
	ic->cmd_timeout_ms = c->timeout_ms;
	mmc_ioc_cmd_set_data((*ic), c->data);
}

static int linux_mmc(struct kesu_transport *t, struct kesu_mmc_cmd *c, unsigned n)
{
	if (t->kind != KESU_TRANSPORT_MMC)
		return -EOPNOTSUPP;
	if (n == 0 || n > KESU_MMC_MAX_SEQ)
		return -EINVAL;
	int r;
	if (n == 1) {
		struct mmc_ioc_cmd ic;
		to_ioc(&ic, c);
		r = ioctl(fd_of(t), MMC_IOC_CMD, &ic);
		if (r == 0)
			memcpy(c->response, ic.response, sizeof(c->response));
		return r < 0 ? -errno : 0;
	}
	struct mmc_ioc_multi_cmd *m = calloc(1, sizeof(*m) + n * sizeof(struct mmc_ioc_cmd));
	if (!m)
		return -ENOMEM;
	m->num_of_cmds = n;
	for (unsigned i = 0; i < n; i++)
		to_ioc(&m->cmds[i], &c[i]);
	r = ioctl(fd_of(t), MMC_IOC_MULTI_CMD, m);
	int e = errno;
	for (unsigned i = 0; r == 0 && i < n; i++)
		memcpy(c[i].response, m->cmds[i].response, sizeof(c[i].response));
	free(m);
	return r < 0 ? -e : 0;
}

/* The card's registers as the driver read them at enumeration. */
static int read_mmc_attr(dev_t rdev, const char *attr, char *out, size_t outsz)
{
	char path[128];
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/device/%s", major(rdev),
		 minor(rdev), attr);
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	bool ok = fgets(out, (int)outsz, f) != NULL;
	fclose(f);
	if (!ok)
		return -EIO;
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

static int parse_hex_words(const char *hex, uint32_t *w, unsigned n)
{
	if (strlen(hex) != 8 * n)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		char part[9], *end;
		memcpy(part, hex + 8 * i, 8);
		part[8] = '\0';
		w[i] = (uint32_t)strtoul(part, &end, 16);
		if (*end)
			return -EINVAL;
	}
	return 0;
}

static int linux_mmc_csd(struct kesu_transport *t, uint32_t csd[4])
{
	char hex[64];
	int r = read_mmc_attr(((struct linux_priv *)t->priv)->rdev, "csd", hex, sizeof(hex));
	return r < 0 ? r : parse_hex_words(hex, csd, 4);
}

static int linux_opal_psid_revert(struct kesu_transport *t, const char *psid,
				  size_t len)
{
	struct opal_key k;
	if (len == 0 || len > sizeof(k.key))
		return -EINVAL;
	memset(&k, 0, sizeof(k));
	k.lr = 0;
	k.key_len = (uint8_t)len;
	memcpy(k.key, psid, len);
	int r = ioctl(fd_of(t), IOC_OPAL_PSID_REVERT_TPR, &k);
	int e = errno;
	explicit_bzero(&k, sizeof(k));
	return r < 0 ? -e : 0;
}

static void linux_close(struct kesu_transport *t)
{
	struct linux_priv *p = t->priv;
	if (p->fd >= 0)
		close(p->fd);
	free(p);
	free(t);
}

static const struct kesu_transport_ops linux_ops = {
	.nvme_admin = linux_nvme_admin,
	.scsi = linux_scsi,
	.mmc = linux_mmc,
	.mmc_csd = linux_mmc_csd,
	.opal_psid_revert = linux_opal_psid_revert,
	.close = linux_close,
};

enum kesu_rc kesu_transport_open(const char *path, struct kesu_transport **out,
				 struct kesu_err *err)
{
	*out = NULL;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT || e == ENXIO || e == ENODEV)
			return kesu_fail(err, KESU_ERR_NOENT, e,
					 "%s: no such device; check the path with 'kesu list'", path);
		if (e == EACCES || e == EPERM)
			return kesu_fail(err, KESU_ERR_PERM, e,
					 "%s: permission denied; firmware commands need root", path);
		return kesu_fail(err, KESU_ERR_IO, e, "%s: cannot open: %s", path,
				 strerror(e));
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !(S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode))) {
		close(fd);
		return kesu_fail(err, KESU_ERR_NOTSUP, 0,
				 "%s: not a device node; pass-through needs /dev/nvme*, /dev/sd*, /dev/sg* or /dev/mmcblk*",
				 path);
	}
	enum kesu_transport_kind kind;
	uint32_t nsid = 0;
	if (S_ISBLK(st.st_mode) && major(st.st_rdev) == MMC_BLOCK_MAJOR) {
		/* SD cards share the mmc block driver but have no EXT_CSD and
		 * no sanitize; their CMD8 means something else, so nothing is
		 * sent to them. */
		char type[16] = "";
		read_mmc_attr(st.st_rdev, "type", type, sizeof(type));
		if (strcmp(type, "MMC")) {
			close(fd);
			return kesu_fail(err, KESU_ERR_NOTSUP, 0,
					 "%s: %s card, not eMMC: it has no sanitize command; use an overwrite method",
					 path, type[0] && kesu_is_clean(type) ? type : "an unknown");
		}
		kind = KESU_TRANSPORT_MMC;
		goto found;
	}
	/* NVME_IOCTL_ID answers on an NVMe namespace; a controller char
	 * device answers ENOTTY there but takes admin commands. */
	int id = ioctl(fd, NVME_IOCTL_ID);
	if (id > 0) {
		kind = KESU_TRANSPORT_NVME;
		nsid = (uint32_t)id;
	} else {
		int v = 0;
		if (ioctl(fd, SG_GET_VERSION_NUM, &v) == 0 && v >= 30000) {
			kind = KESU_TRANSPORT_SCSI;
		} else if (S_ISCHR(st.st_mode)) {
			/* /dev/nvmeX: admin commands, no namespace. */
			kind = KESU_TRANSPORT_NVME;
		} else {
			close(fd);
			return kesu_fail(err, KESU_ERR_NOTSUP, 0,
					 "%s: no NVMe, SCSI or eMMC pass-through on this device; firmware purge is not possible, use an overwrite method",
					 path);
		}
	}
found:;
	struct kesu_transport *t = calloc(1, sizeof(*t));
	struct linux_priv *p = calloc(1, sizeof(*p));
	if (!t || !p) {
		free(t);
		free(p);
		close(fd);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	p->fd = fd;
	p->rdev = st.st_rdev;
	t->ops = &linux_ops;
	t->kind = kind;
	t->nsid = nsid;
	t->priv = p;
	kesu_strlcpy(t->path, path, sizeof(t->path));
	*out = t;
	return KESU_OK;
}
