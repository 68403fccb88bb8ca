/* The real pass-through backend: NVME_IOCTL_ADMIN_CMD and SG_IO (plus the
 * sed-opal PSID revert ioctl).  Nothing here decides anything; the command
 * contents come from nvme.c / ata.c / scsi.c / opal.c. */
#include "transport.h"
#include "strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nvme_ioctl.h>
#include <linux/sed-opal.h>
#include <scsi/sg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct linux_priv {
	int fd;
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
				 "%s: not a device node; pass-through needs /dev/nvme*, /dev/sd* or /dev/sg*",
				 path);
	}
	enum kesu_transport_kind kind;
	uint32_t nsid = 0;
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
					 "%s: no NVMe or SCSI pass-through on this device; firmware purge is not possible, use an overwrite method",
					 path);
		}
	}
	struct kesu_transport *t = calloc(1, sizeof(*t));
	struct linux_priv *p = calloc(1, sizeof(*p));
	if (!t || !p) {
		free(t);
		free(p);
		close(fd);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	p->fd = fd;
	t->ops = &linux_ops;
	t->kind = kind;
	t->nsid = nsid;
	t->priv = p;
	kesu_strlcpy(t->path, path, sizeof(t->path));
	*out = t;
	return KESU_OK;
}
