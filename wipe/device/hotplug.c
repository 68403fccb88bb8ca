#include "wipe/device/hotplug.h"
#include "lib/strutil.h"

#include <errno.h>
#include <libudev.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A uevent is at most a few KiB (UEVENT_BUFFER_SIZE is 2048 in the
 * kernel); anything longer is not one. */
#define HP_MAX 8192

bool kesu_hp_name_ok(const char *name)
{
	size_t n = strnlen(name, 64);
	if (n == 0 || n > 63 || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || strchr("_.:+-", c)))
			return false;
	}
	return true;
}

struct hp_props {
	const char *action, *subsystem, *devtype, *devname, *seqnum, *media;
};

static void take(struct hp_props *p, const char *rec, size_t n)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{"ACTION=", offsetof(struct hp_props, action)},
		{"SUBSYSTEM=", offsetof(struct hp_props, subsystem)},
		{"DEVTYPE=", offsetof(struct hp_props, devtype)},
		{"DEVNAME=", offsetof(struct hp_props, devname)},
		{"SEQNUM=", offsetof(struct hp_props, seqnum)},
		{"DISK_MEDIA_CHANGE=", offsetof(struct hp_props, media)},
	};
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t k = strlen(keys[i].key);
		if (n >= k && !memcmp(rec, keys[i].key, k))
			*(const char **)((char *)p + keys[i].off) = rec + k;
	}
}

bool kesu_hp_parse(const char *buf, size_t len, struct kesu_hp_event *ev)
{
	struct hp_props p = {0};
	memset(ev, 0, sizeof(*ev));
	if (len == 0 || len > HP_MAX || buf[len - 1] != '\0')
		return false;
	for (size_t pos = 0; pos < len;) {
		size_t n = strlen(buf + pos);
		take(&p, buf + pos, n);
		pos += n + 1;
	}
	if (!p.action || !p.subsystem || !p.devtype || !p.devname ||
	    strcmp(p.subsystem, "block") || strcmp(p.devtype, "disk"))
		return false;
	if (!strcmp(p.action, "add"))
		ev->action = KESU_HP_ADD;
	else if (!strcmp(p.action, "remove"))
		ev->action = KESU_HP_REMOVE;
	else if (!strcmp(p.action, "change"))
		ev->action = KESU_HP_CHANGE;
	else
		return false;
	/* The kernel sends the name alone, udev the node path. */
	const char *name = strncmp(p.devname, "/dev/", 5) ? p.devname : p.devname + 5;
	if (!kesu_hp_name_ok(name))
		return false;
	kesu_strlcpy(ev->name, name, sizeof(ev->name));
	if (p.seqnum) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(p.seqnum, &end, 10);
		if (!errno && *end == '\0' && end != p.seqnum && *p.seqnum != '-')
			ev->seqnum = v;
	}
	ev->media_change = p.media && !strcmp(p.media, "1");
	return true;
}

struct kesu_hotplug {
	struct udev *udev;
	struct udev_monitor *mon;
	bool via_udev;
};

/* udevd announces itself with its control socket; without it, udev-sourced
 * monitors would never hear anything. */
static bool udevd_running(void)
{
	return access("/run/udev/control", F_OK) == 0;
}

enum kesu_rc kesu_hotplug_open(struct kesu_hotplug **out, struct kesu_err *err)
{
	struct kesu_hotplug *h = calloc(1, sizeof(*h));
	if (!h || !(h->udev = udev_new()))
		goto fail;
	h->via_udev = udevd_running();
	h->mon = udev_monitor_new_from_netlink(h->udev, h->via_udev ? "udev" : "kernel");
	if (!h->mon ||
	    udev_monitor_filter_add_match_subsystem_devtype(h->mon, "block", "disk") < 0 ||
	    udev_monitor_enable_receiving(h->mon) < 0)
		goto fail;
	*out = h;
	return KESU_OK;
fail:;
	int e = errno;
	kesu_hotplug_close(h);
	return kesu_fail(err, e == EPERM || e == EACCES ? KESU_ERR_PERM : KESU_ERR_INTERNAL,
			 e, "cannot listen for disk events (uevent netlink socket): %s; "
			 "run as root", strerror(e ? e : ENOMEM));
}

void kesu_hotplug_close(struct kesu_hotplug *h)
{
	if (!h)
		return;
	if (h->mon)
		udev_monitor_unref(h->mon);
	if (h->udev)
		udev_unref(h->udev);
	free(h);
}

int kesu_hotplug_fd(const struct kesu_hotplug *h)
{
	return udev_monitor_get_fd(h->mon);
}

bool kesu_hotplug_via_udev(const struct kesu_hotplug *h)
{
	return h->via_udev;
}

/* The device's properties in the kernel's wire form, for kesu_hp_parse. */
static bool from_device(struct udev_device *d, const char *action, struct kesu_hp_event *ev)
{
	char buf[HP_MAX];
	size_t pos = 0;
	struct udev_list_entry *e;
	int k = snprintf(buf, sizeof(buf), "ACTION=%s", action ? action : "add");
	if (k < 0 || (size_t)k >= sizeof(buf))
		return false;
	pos = (size_t)k + 1;
	udev_list_entry_foreach(e, udev_device_get_properties_list_entry(d)) {
		const char *n = udev_list_entry_get_name(e);
		const char *v = udev_list_entry_get_value(e);
		if (!n || !v || !strcmp(n, "ACTION"))
			continue;
		k = snprintf(buf + pos, sizeof(buf) - pos, "%s=%s", n, v);
		if (k < 0 || (size_t)k >= sizeof(buf) - pos)
			return false;
		pos += (size_t)k + 1;
	}
	return kesu_hp_parse(buf, pos, ev);
}

enum kesu_rc kesu_hotplug_read(struct kesu_hotplug *h, struct kesu_hp_event *ev,
			       bool *got, struct kesu_err *err)
{
	*got = false;
	errno = 0;
	struct udev_device *d = udev_monitor_receive_device(h->mon);
	if (!d) {
		/* A message from an unauthorized sender or a truncated one is
		 * dropped by libudev; that is not a failure of the station. */
		if (errno == EAGAIN || errno == EINTR || errno == 0 || errno == EPERM)
			return KESU_OK;
		return kesu_fail(err, KESU_ERR_IO, errno, "reading disk events: %s",
				 strerror(errno));
	}
	*got = from_device(d, udev_device_get_action(d), ev);
	udev_device_unref(d);
	return KESU_OK;
}

enum kesu_rc kesu_hotplug_existing(struct kesu_hotplug *h, kesu_hp_fn fn, void *ud,
				   struct kesu_err *err)
{
	struct udev_enumerate *en = udev_enumerate_new(h->udev);
	struct udev_list_entry *e;
	if (!en || udev_enumerate_add_match_subsystem(en, "block") < 0 ||
	    udev_enumerate_add_match_property(en, "DEVTYPE", "disk") < 0 ||
	    udev_enumerate_scan_devices(en) < 0) {
		if (en)
			udev_enumerate_unref(en);
		return kesu_fail(err, KESU_ERR_IO, errno, "listing block devices: %s",
				 strerror(errno ? errno : ENOMEM));
	}
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		struct udev_device *d =
			udev_device_new_from_syspath(h->udev, udev_list_entry_get_name(e));
		struct kesu_hp_event ev;
		if (d && from_device(d, "add", &ev))
			fn(ud, &ev);
		if (d)
			udev_device_unref(d);
	}
	udev_enumerate_unref(en);
	return KESU_OK;
}
