/* kesu station --exit-when-done: the station's end as the live image's init
 * sees it.  Pure over the bays.  Refused disks do not count against the
 * run: on the live image the KESU stick and the boot medium are refused by
 * design (mounted), so only a disk that was tried and not erased does. */
#ifndef KESU_STATION_DONE_H
#define KESU_STATION_DONE_H

#include "lib/error.h"
#include "wipe/station/bay.h"

/* KESU_ERR_INTERRUPTED when a signal stopped any run, KESU_ERR_FAILED when
 * any disk failed (not erased, error, pulled mid-run), KESU_OK otherwise. */
enum kesu_rc kesu_station_done_outcome(const struct kesu_station *st);

#endif
