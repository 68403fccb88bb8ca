/* The asset map of a station ([station] asset_map, kesu-station(8)) and of
 * kesu wipe --asset-map (kesu(8)): which asset number a disk's serial
 * belongs to, so a certificate names the asset without anyone typing it at
 * the dock.  One "serial,asset" pair a line, or, after a header line whose
 * first column is "serial", the columns it names: serial and asset, and
 * optionally class, reason and customer (an empty cell gives none).  '#'
 * starts a comment line; a cell holds no comma (no quoting).  Pure parsing
 * of the file's text. */
#ifndef KESU_STATION_ASSETS_H
#define KESU_STATION_ASSETS_H

#include "lib/error.h"
#include "lib/strutil.h"

#include <stdbool.h>
#include <stddef.h>

/* What the map says of one disk: its asset number and, where the map has
 * the column and the cell is filled, its confidentiality class (0: none),
 * reason and customer ("": none). */
struct kesu_asset_row {
	char asset[KESU_STR_MAX + 1];
	int class_;
	char reason[16];
	char customer[KESU_STR_MAX + 1];
};

/* Look serial up in the map's text.  KESU_OK with *found; KESU_ERR_INVALID
 * (line number in err) for a malformed map: a line with the wrong number
 * of cells, an empty serial or asset, a header naming an unknown column or
 * one twice or lacking asset, a class other than 1-3, an unknown reason,
 * control characters, invalid UTF-8, characters that hide or reorder text,
 * or a serial listed twice — a map that could give one disk two asset
 * numbers is refused as a whole, whichever line is bad. */
enum kesu_rc kesu_asset_lookup_row(const char *text, size_t len, const char *name,
				   const char *serial, struct kesu_asset_row *row,
				   bool *found, struct kesu_err *err);

/* The asset number only, for the station, which takes class, reason and
 * customer from [station] and kesu.conf: a map row giving any of them is
 * refused (KESU_ERR_INVALID) rather than silently not applied. */
enum kesu_rc kesu_asset_lookup(const char *text, size_t len, const char *name,
			       const char *serial, char *asset, size_t assetsz,
			       bool *found, struct kesu_err *err);

/* Whether a typed asset number can go into a certificate: not blank, at
 * most KESU_STR_MAX bytes, clean UTF-8 without hidden characters. */
bool kesu_asset_ok(const char *asset);

#endif
