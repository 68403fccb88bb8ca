/* The batch manifest of `kesu destroy --manifest`: a CSV file a vendor
 * fills for a pallet of media destroyed in one session, one row per
 * medium (kesu-destruction(5), MANIFEST).  RFC 4180: a header row naming
 * the columns, fields quoted with "" when they hold commas, quotes or line
 * breaks; UTF-8, with or without the BOM Excel writes; CRLF or LF.
 * Untrusted input: every field is bounded and must be clean text. */
#ifndef KESU_MANIFEST_H
#define KESU_MANIFEST_H

#include "lib/error.h"
#include "lib/strutil.h"

#include <stddef.h>

#define KESU_MANIFEST_MAX_ROWS 2000
#define KESU_MANIFEST_MAX_BYTES (4u << 20)
#define KESU_MANIFEST_PATH_MAX 1024

struct kesu_manifest_row {
	size_t line;                               /* where the row starts */
	char serial[KESU_STR_MAX + 1];             /* required */
	char asset[KESU_STR_MAX + 1];
	char model[KESU_STR_MAX + 1];
	char technique[64];                        /* "" = the command line's */
	char particle_size_mm[16];
	char destroyed_at[40];
	char no_erasure_record[KESU_STR_MAX + 1];
	char label_photo[KESU_MANIFEST_PATH_MAX];  /* relative to the manifest */
	char destroyed_photo[KESU_MANIFEST_PATH_MAX];
	char vendor_certificate[KESU_MANIFEST_PATH_MAX];
};

/* The columns a header may name (serial is required); NULL-terminated. */
extern const char *const kesu_manifest_columns[];

/* Parse buf; *rows (caller frees) gets *n rows.  Errors name the line. */
enum kesu_rc kesu_manifest_parse(const char *buf, size_t len,
				 struct kesu_manifest_row **rows, size_t *n,
				 struct kesu_err *err);

#endif
