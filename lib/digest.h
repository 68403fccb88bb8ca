/* SHA-256 in lowercase hex, the form every kesu record uses for hashes. */
#ifndef KESU_DIGEST_H
#define KESU_DIGEST_H

#include "lib/error.h"

#include <stddef.h>

#define KESU_SHA256_HEX 65

void kesu_sha256_hex(const void *data, size_t len, char out[KESU_SHA256_HEX]);

/* Hash of a whole file (bounded to 64 MiB). */
enum kesu_rc kesu_sha256_file(const char *path, char out[KESU_SHA256_HEX],
			      struct kesu_err *err);

#endif
