#include "wipe/device/gate.h"
#include "lib/i18n.h"
#include "lib/strutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Record a reason: fmt is an N_() literal with one %s per argument (at
 * most four; the rest NULL).  Arguments come from the system (mount
 * points, names) and are cleaned one by one, so the translated line is as
 * clean as the English. */
static void add(struct kesu_gate_verdict *v, const char *code, const char *fmt,
		const char *a0, const char *a1, const char *a2, const char *a3)
{
	v->allowed = false;
	if (v->n_reasons == KESU_GATE_MAX_REASONS)
		return;  /* already refused; the first reasons say enough */
	struct kesu_gate_reason *r = &v->reasons[v->n_reasons++];
	kesu_strlcpy(r->code, code, sizeof(r->code));
	r->fmt = fmt;
	const char *in[KESU_GATE_MAX_ARGS] = {a0, a1, a2, a3};
	for (size_t i = 0; i < KESU_GATE_MAX_ARGS; i++)
		kesu_clean(r->args[i], sizeof(r->args[i]), in[i] ? in[i] : "",
			   in[i] ? strlen(in[i]) : 0);
	snprintf(r->text, sizeof(r->text), fmt, r->args[0], r->args[1], r->args[2], r->args[3]);
}

const char *kesu_gate_reason_text(const struct kesu_gate_reason *r, char *buf, size_t size)
{
	if (!r->fmt)  /* a reason not made by add(): only its text is known */
		snprintf(buf, size, "%s", r->text);
	else
		snprintf(buf, size, _(r->fmt), r->args[0], r->args[1], r->args[2], r->args[3]);
	return buf;
}

static void system_uses(const struct kesu_device_facts *f, const char *name,
			struct kesu_gate_verdict *v)
{
	for (size_t i = 0; i < f->n_sysuses; i++) {
		const char *via = f->sysuses[i].via;
		if (!strcmp(via, name))
			add(v, "system-disk", N_("%s holds %s, part of the running system; kesu "
			    "never erases it: boot from other media to erase this disk"),
			    name, f->sysuses[i].what, NULL, NULL);
		else
			add(v, "system-disk", N_("%s holds %s (through %s), part of the running "
			    "system; kesu never erases it: boot from other media to erase "
			    "this disk"), name, f->sysuses[i].what, via, NULL);
	}
}

/* What holds the device open or in use: mounts, swap, dm/md/LVM, loop. */
static void uses(const struct kesu_device_facts *f, const char *name,
		 struct kesu_gate_verdict *v)
{
	for (size_t i = 0; i < f->n_mounts; i++)
		add(v, "mounted", N_("%s is mounted on %s; unmount it first"),
		    f->mounts[i].device, f->mounts[i].mountpoint, NULL, NULL);
	for (size_t i = 0; i < f->n_swaps; i++)
		add(v, "swap", N_("%s is active swap (%s); run swapoff on it first"),
		    f->swaps[i].device, f->swaps[i].path, NULL, NULL);
	for (size_t i = 0; i < f->n_holders; i++) {
		if (f->holders[i].holder_name[0])
			add(v, "holder", N_("%s is held by %s (%s) (dm/md/LVM); close or stop "
			    "that device first"), f->holders[i].device, f->holders[i].holder,
			    f->holders[i].holder_name, NULL);
		else
			add(v, "holder", N_("%s is held by %s (dm/md/LVM); close or stop that "
			    "device first"), f->holders[i].device, f->holders[i].holder, NULL, NULL);
	}
	for (size_t i = 0; i < f->attached.n; i++)
		add(v, "attached", N_("%s is the backing of loop device %s; detach it first "
		    "(losetup -d /dev/%s)"), name, f->attached.v[i], f->attached.v[i], NULL);
	for (size_t i = 0; i < f->sharing.n; i++)
		add(v, "attached", N_("%s shares its backing file with loop device %s; detach "
		    "that one first (losetup -d /dev/%s)"), name, f->sharing.v[i],
		    f->sharing.v[i], NULL);
	if (f->busy && f->n_mounts == 0 && f->n_swaps == 0 && f->n_holders == 0)
		add(v, "busy", N_("%s is open exclusively by another program (an O_EXCL open "
		    "failed); stop that program first"), name, NULL, NULL, NULL);
}

void kesu_gate_decide(const struct kesu_device_facts *f, const char *name,
		      struct kesu_gate_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->allowed = true;
	if (!f->is_block && !f->is_file) {
		add(v, "not-block-device", N_("%s is not a block device or regular image "
		    "file; give a whole disk such as /dev/sdX (see 'kesu list')"),
		    name, NULL, NULL, NULL);
		return;
	}
	system_uses(f, name, v);
	if (f->is_partition)
		add(v, "partition", N_("%s is a partition; disposal certificates are about "
		    "whole media, so erase the whole disk (/dev/%s)"), name, f->parent, NULL, NULL);
	uses(f, name, v);
	if (f->is_block && f->no_medium)
		add(v, "no-medium", N_("%s has no medium (size 0); insert the medium, or for "
		    "zram/loop devices set them up, then run kesu again"), name, NULL, NULL, NULL);
	if (f->denied)
		add(v, "no-access", N_("%s cannot be opened even by root (a device cgroup or "
		    "security policy forbids it); kesu cannot check or erase it here"),
		    name, NULL, NULL, NULL);
	if (f->ro)
		add(v, "read-only", N_("%s is read-only; clear the write protection (blockdev "
		    "--setrw, or the lock switch on the medium) first"), name, NULL, NULL, NULL);
}

/* An exclusive claim that nothing visible explains (no mount, swap or
 * holder) is asked again for up to BUSY_SETTLE_MS before it counts: a claim
 * can outlive the process that made it by a moment.  Seen on a --resume
 * started straight after a wipe aborted by a second signal with requests in
 * flight: "busy" in 4 of 80 runs under load, with no process holding the
 * device a moment later.  A device that is really in use is refused a
 * second later than it would be, and is never written meanwhile. */
#define BUSY_SETTLE_MS 1000
#define BUSY_STEP_MS 20

static int open_exclusive(const char *path, bool explained)
{
	for (int waited = 0;; waited += BUSY_STEP_MS) {
		int fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC);
		if (fd >= 0 || errno != EBUSY || explained || waited >= BUSY_SETTLE_MS)
			return fd;
		struct timespec step = {0, BUSY_STEP_MS * 1000000L};
		nanosleep(&step, NULL);
	}
}

enum kesu_rc kesu_gate_check(struct kesu_device *dev, struct kesu_gate_verdict *v,
			     struct kesu_err *err)
{
	const struct kesu_device_facts *f = kesu_device_facts(dev);
	const struct kesu_identity *id = kesu_device_identity(dev);
	if (f->is_block && !(f->probe_flags & KESU_PROBE_NO_MEDIA)) {
		int fd = open_exclusive(id->path, f->n_mounts || f->n_swaps || f->n_holders);
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
	char local[512];
	kesu_gate_reason_text(&v->reasons[0], local, sizeof(local));
	if (v->n_reasons == 1) {
		kesu_fail(err, KESU_ERR_REFUSED, 0, "refused: %s", v->reasons[0].text);
		kesu_err_localize(err, _("refused: %s"), local);
		return KESU_ERR_REFUSED;
	}
	kesu_fail(err, KESU_ERR_REFUSED, 0, "refused: %s (and %zu more reasons: see 'kesu info %s')",
		  v->reasons[0].text, v->n_reasons - 1, path);
	kesu_err_localize(err, _("refused: %s (and %zu more reasons: see 'kesu info %s')"), local,
			  v->n_reasons - 1, path);
	return KESU_ERR_REFUSED;
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
