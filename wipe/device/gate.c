#include "wipe/device/gate.h"
#include "lib/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void add(struct kesu_gate_verdict *v, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(struct kesu_gate_verdict *v, const char *code, const char *fmt, ...)
{
	v->allowed = false;
	if (v->n_reasons == KESU_GATE_MAX_REASONS)
		return;  /* already refused; the first reasons say enough */
	struct kesu_gate_reason *r = &v->reasons[v->n_reasons++];
	kesu_strlcpy(r->code, code, sizeof(r->code));
	va_list ap;
	va_start(ap, fmt);
	char raw[1024];
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* Mount points and names come from the system: keep the line clean. */
	kesu_clean(r->text, sizeof(r->text), raw, strlen(raw));
}

void kesu_gate_decide(const struct kesu_device_facts *f, const char *name,
		      struct kesu_gate_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->allowed = true;
	if (!f->is_block && !f->is_file) {
		add(v, "not-block-device",
		    "%s is not a block device or regular image file; give a whole "
		    "disk such as /dev/sdX (see 'kesu list')", name);
		return;
	}
	for (size_t i = 0; i < f->n_sysuses; i++) {
		const char *via = f->sysuses[i].via;
		bool direct = !strcmp(via, name);
		add(v, "system-disk",
		    "%s holds %s%s%s%s, part of the running system; kesu never "
		    "erases it: boot from other media to erase this disk",
		    name, f->sysuses[i].what, direct ? "" : " (through ",
		    direct ? "" : via, direct ? "" : ")");
	}
	if (f->is_partition)
		add(v, "partition",
		    "%s is a partition; disposal certificates are about whole "
		    "media, so erase the whole disk (/dev/%s)", name, f->parent);
	for (size_t i = 0; i < f->n_mounts; i++)
		add(v, "mounted", "%s is mounted on %s; unmount it first",
		    f->mounts[i].device, f->mounts[i].mountpoint);
	for (size_t i = 0; i < f->n_swaps; i++)
		add(v, "swap", "%s is active swap (%s); run swapoff on it first",
		    f->swaps[i].device, f->swaps[i].path);
	for (size_t i = 0; i < f->n_holders; i++)
		add(v, "holder",
		    "%s is held by %s%s%s%s (dm/md/LVM); close or stop that device first",
		    f->holders[i].device, f->holders[i].holder,
		    f->holders[i].holder_name[0] ? " (" : "",
		    f->holders[i].holder_name, f->holders[i].holder_name[0] ? ")" : "");
	for (size_t i = 0; i < f->attached.n; i++)
		add(v, "attached",
		    "%s is the backing of loop device %s; detach it first "
		    "(losetup -d /dev/%s)", name, f->attached.v[i], f->attached.v[i]);
	for (size_t i = 0; i < f->sharing.n; i++)
		add(v, "attached",
		    "%s shares its backing file with loop device %s; detach that "
		    "one first (losetup -d /dev/%s)", name, f->sharing.v[i],
		    f->sharing.v[i]);
	if (f->busy && f->n_mounts == 0 && f->n_swaps == 0 && f->n_holders == 0)
		add(v, "busy",
		    "%s is open exclusively by another program (an O_EXCL open "
		    "failed); stop that program first", name);
	if (f->is_block && f->no_medium)
		add(v, "no-medium",
		    "%s has no medium (size 0); insert the medium, or for zram/loop "
		    "devices set them up, then run kesu again", name);
	if (f->denied)
		add(v, "no-access",
		    "%s cannot be opened even by root (a device cgroup or security "
		    "policy forbids it); kesu cannot check or erase it here", name);
	if (f->ro)
		add(v, "read-only",
		    "%s is read-only; clear the write protection (blockdev --setrw, "
		    "or the lock switch on the medium) first", name);
}

enum kesu_rc kesu_gate_check(struct kesu_device *dev, struct kesu_gate_verdict *v,
			     struct kesu_err *err)
{
	const struct kesu_device_facts *f = kesu_device_facts(dev);
	const struct kesu_identity *id = kesu_device_identity(dev);
	if (f->is_block && !(f->probe_flags & KESU_PROBE_NO_MEDIA)) {
		int fd = open(id->path, O_RDONLY | O_EXCL | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			kesu_device_set_busy(dev, false);
		} else if (errno == EBUSY) {
			kesu_device_set_busy(dev, true);
		} else if ((errno == EACCES || errno == EPERM) && geteuid() == 0) {
			kesu_device_set_denied(dev);
		} else if (errno == EACCES || errno == EPERM) {
			return kesu_fail(err, KESU_ERR_PERM, errno,
					 "%s: permission denied; run kesu as root", id->path);
		} else if (errno == ENOMEDIUM) {
			kesu_device_set_busy(dev, false);
		} else {
			return kesu_fail(err, KESU_ERR_GONE, errno,
					 "%s disappeared while being inspected (%s); check "
					 "it is still attached and run kesu again",
					 id->path, strerror(errno));
		}
	}
	kesu_gate_decide(f, id->name, v);
	return KESU_OK;
}

void kesu_gate_check_passive(const struct kesu_device *dev,
			     struct kesu_gate_verdict *v)
{
	kesu_gate_decide(kesu_device_facts(dev), kesu_device_identity(dev)->name, v);
}

enum kesu_rc kesu_gate_refusal(const struct kesu_gate_verdict *v, const char *path,
			       struct kesu_err *err)
{
	if (v->allowed)
		return KESU_OK;
	if (v->n_reasons == 0)  /* cannot happen: add() always records one */
		return kesu_fail(err, KESU_ERR_REFUSED, 0, "%s: refused by the safety gate", path);
	if (v->n_reasons == 1)
		return kesu_fail(err, KESU_ERR_REFUSED, 0, "refused: %s", v->reasons[0].text);
	return kesu_fail(err, KESU_ERR_REFUSED, 0,
			 "refused: %s (and %zu more reasons: see 'kesu info %s')",
			 v->reasons[0].text, v->n_reasons - 1, path);
}

json_t *kesu_gate_reasons_json(const struct kesu_gate_verdict *v)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < v->n_reasons; i++) {
		json_t *o = json_pack("{s:s s:o}", "code", v->reasons[i].code, "text",
				      kesu_json_str(v->reasons[i].text));
		if (!o || json_array_append_new(a, o)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}
