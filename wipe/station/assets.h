/* The asset map of a station ([station] asset_map, kesu-station(8)): which
 * asset number a disk's serial belongs to, so a certificate names the asset
 * without anyone typing it at the dock.  One "serial,asset" pair a line;
 * '#' starts a comment line.  Pure parsing of the file's text. */
#ifndef KESU_STATION_ASSETS_H
#define KESU_STATION_ASSETS_H

#include "lib/error.h"

#include <stdbool.h>
#include <stddef.h>

/* Look serial up in the map's text.  KESU_OK with *found; KESU_ERR_INVALID
 * (line number in err) for a malformed map: a line without a comma, an
 * empty field, control characters, invalid UTF-8, characters that hide or
 * reorder text, or a serial listed twice — a map that could give one disk
 * two asset numbers is refused as a whole. */
enum kesu_rc kesu_asset_lookup(const char *text, size_t len, const char *name,
			       const char *serial, char *asset, size_t assetsz,
			       bool *found, struct kesu_err *err);

/* Whether a typed asset number can go into a certificate: not blank, at
 * most KESU_STR_MAX bytes, clean UTF-8 without hidden characters. */
bool kesu_asset_ok(const char *asset);

#endif
