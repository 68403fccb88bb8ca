/* Which asset number each device of one `kesu wipe` run is certified as
 * (kesu(8), --asset, --asset-map, --same-asset): the command line and the
 * asset map (assets.h) against the devices actually found.  Pure: the
 * caller reads the map and probes the devices. */
#ifndef KESU_STATION_ASSET_RESOLVE_H
#define KESU_STATION_ASSET_RESOLVE_H

#include "lib/error.h"
#include "lib/strutil.h"
#include "wipe/station/assets.h"

#include <stdbool.h>
#include <stddef.h>

/* One device: the name it was given as, the path it resolved to, its
 * serial ("" if the drive reports none). */
struct kesu_asset_dev {
	const char *given, *path, *serial;
};

/* One --asset: device NULL for a plain "--asset NUMBER", else the DEVICE
 * of "--asset DEVICE=NUMBER" (a path or a serial). */
struct kesu_asset_arg {
	const char *device, *number;
};

struct kesu_asset_req {
	const struct kesu_asset_arg *args;
	size_t n_args;
	const char *map, *map_name;  /* the --asset-map's text, or NULL */
	size_t map_len;
	bool same;                   /* --same-asset: one number for every device */
	bool required;               /* a certificate is issued: none may lack one */
};

/* Split "DEVICE=NUMBER" (at the first '=': a device path or serial holds
 * none, an asset number may) or take a plain NUMBER.  The pointers point
 * into buf, a copy of arg.  False when DEVICE or NUMBER would be empty, or
 * arg is too long or holds control, invisible or reordering characters. */
bool kesu_asset_arg_split(const char *arg, char *buf, size_t bufsz,
			  struct kesu_asset_arg *out);

/* out[i] receives device i's asset number ("" if none and none is
 * required) and what the map gives it of class, reason and customer
 * (assets.h).  given holds the class, reason and customer of the command
 * line (0 and "" where not given), or is NULL: one the map gives a device
 * otherwise is refused (KESU_ERR_USAGE naming both), not overridden.  KESU_ERR_USAGE, with a message naming the fix, when a
 * device would get none (and one is required) or two different ones,
 * when --asset names a device not in the run or one that two devices
 * match, when a map serial matches two devices, when a plain --asset is
 * given for several devices without --same-asset, or when --same-asset
 * is mixed with per-device numbers; KESU_ERR_INVALID for a malformed map
 * (assets.h).  Nothing is decided half: on error out is all "". */
enum kesu_rc kesu_assets_resolve(const struct kesu_asset_req *req,
				 const struct kesu_asset_row *given,
				 const struct kesu_asset_dev *devs, size_t n,
				 struct kesu_asset_row *out, struct kesu_err *err);

#endif
