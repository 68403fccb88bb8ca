/* Integrity of checkpoints: an HMAC-SHA-256 under a random key kept in the
 * state directory.  A checkpoint decides how much of a medium kesu believes
 * erased; without the MAC anyone able to edit the file could declare the
 * last verification finished and get an "erased" for a disk that was never
 * read back.  The key file is created on first use (mode 0600, owned by
 * the user running kesu) and refused when anyone else could read or
 * replace it. */
#ifndef KESU_CHECKPOINT_MAC_H
#define KESU_CHECKPOINT_MAC_H

#include "lib/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KESU_CHECKPOINT_KEY_FILE "checkpoint.key"
#define KESU_CHECKPOINT_KEY_LEN 32
#define KESU_CHECKPOINT_MAC_HEX (2 * 32 + 1)

/* <state_dir>/checkpoint.key: 32 random bytes.  With `create`, a missing
 * file is made (atomically: two kesu processes agree on one key).
 * KESU_ERR_NOENT if missing and not created; KESU_ERR_PERM if it is not a
 * regular file owned by the effective user with mode 0600 or stricter;
 * KESU_ERR_INVALID if it is not 32 bytes. */
enum kesu_rc kesu_checkpoint_key(const char *state_dir, bool create,
				 uint8_t key[KESU_CHECKPOINT_KEY_LEN], struct kesu_err *err);

/* HMAC-SHA-256 of text under key, as 64 lowercase hex digits. */
enum kesu_rc kesu_checkpoint_mac(const uint8_t key[KESU_CHECKPOINT_KEY_LEN], const char *text,
				 size_t len, char hex[KESU_CHECKPOINT_MAC_HEX],
				 struct kesu_err *err);

/* Constant-time comparison of two hex MACs. */
bool kesu_checkpoint_mac_equal(const char *a, const char *b);

#endif
