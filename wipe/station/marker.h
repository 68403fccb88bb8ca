/* The erasing marker 60-kesu.rules looks for: /run/kesu/erasing/NAME exists
 * while kesu erases disk NAME.  Setting or clearing it asks the kernel for
 * a "change" uevent on the disk, so udev re-applies the rules at once
 * (UDISKS_IGNORE=1 on the disk and on every partition that shows up while
 * the partition table is overwritten) rather than at the next event. */
#ifndef KESU_STATION_MARKER_H
#define KESU_STATION_MARKER_H

#include "lib/error.h"

#include <stdbool.h>

#define KESU_ERASING_DIR "/run/kesu/erasing"

/* dir: KESU_ERASING_DIR; sysblock: "/sys/class/block" (tests give their
 * own).  name must pass kesu_hp_name_ok.  A missing uevent file (a disk
 * already gone) is not an error: the marker is still set or cleared. */
enum kesu_rc kesu_erasing_mark(const char *dir, const char *sysblock, const char *name,
			       bool on, struct kesu_err *err);

#endif
