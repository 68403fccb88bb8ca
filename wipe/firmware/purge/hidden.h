/* ATA hidden areas: sectors a Host Protected Area or a Device Configuration
 * Overlay keep out of the kernel's (and a purge verification's) sight. */
#ifndef KESU_PURGE_HIDDEN_H
#define KESU_PURGE_HIDDEN_H

#include "wipe/firmware/purge.h"

/* Restore the native size (SET MAX to READ NATIVE MAX, DCO RESTORE) and
 * check with IDENTIFY that the drive shows it.  Changes the drive. */
enum kesu_rc kesu_purge_unlock_hidden(struct kesu_transport *t, const struct kesu_caps *c,
				      struct kesu_err *err);

/* Sectors the drive has once its hidden areas are restored. */
uint64_t kesu_purge_native_sectors(const struct kesu_caps *c);

#endif
