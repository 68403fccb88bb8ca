/* Disks arriving and leaving: a libudev monitor on block devices, reduced
 * to the few facts a station acts on.  What a uevent says is untrusted
 * (another program can send uevents), so it is parsed here into a bounded,
 * validated event by one pure function that the tests and the fuzzer feed
 * directly; the monitor only collects the properties. */
#ifndef KESU_HOTPLUG_H
#define KESU_HOTPLUG_H

#include "lib/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum kesu_hp_action { KESU_HP_ADD, KESU_HP_REMOVE, KESU_HP_CHANGE };

struct kesu_hp_event {
	enum kesu_hp_action action;
	char name[64];             /* kernel name: sdb, nvme1n1 (validated) */
	uint64_t seqnum;
	bool media_change;         /* DISK_MEDIA_CHANGE=1: a card went in or out */
};

/* Parse one uevent's properties: NUL-separated KEY=VALUE records, as the
 * kernel sends them and as kesu_hotplug_read collects them from libudev.
 * Returns true and fills ev for a whole-disk block device event with a
 * well-formed name; false for anything else (partitions, other
 * subsystems, unknown actions, malformed or oversized records). */
bool kesu_hp_parse(const char *buf, size_t len, struct kesu_hp_event *ev);

/* True if name can be a kernel block device name: 1..63 bytes of
 * [A-Za-z0-9_.:+-], not "." or "..". */
bool kesu_hp_name_ok(const char *name);

struct kesu_hotplug;

/* A monitor on block devices: udevd's events when udevd runs (so the
 * device's udev rules, links and tags are in place before kesu looks),
 * the kernel's otherwise (an initramfs without udev). */
enum kesu_rc kesu_hotplug_open(struct kesu_hotplug **out, struct kesu_err *err);
void kesu_hotplug_close(struct kesu_hotplug *h);
/* For poll(): readable when an event is waiting. */
int kesu_hotplug_fd(const struct kesu_hotplug *h);
/* One event: *got false when what was waiting was not a disk event. */
enum kesu_rc kesu_hotplug_read(struct kesu_hotplug *h, struct kesu_hp_event *ev,
			       bool *got, struct kesu_err *err);
/* True if the monitor listens to udevd rather than the kernel. */
bool kesu_hotplug_via_udev(const struct kesu_hotplug *h);

/* The whole disks present now, as "add" events, by kernel name. */
typedef void (*kesu_hp_fn)(void *ud, const struct kesu_hp_event *ev);
enum kesu_rc kesu_hotplug_existing(struct kesu_hotplug *h, kesu_hp_fn fn, void *ud,
				   struct kesu_err *err);

#endif
