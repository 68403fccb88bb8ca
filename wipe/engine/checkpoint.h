/* Checkpoints: the state of an unfinished wipe, saved at a chunk boundary
 * (on a signal, and every few seconds) so `kesu wipe --resume` can continue
 * it, on the same medium only.  The file holds the random stream's key, so
 * it is mode 0600 in a 0700 directory. */
#ifndef KESU_CHECKPOINT_H
#define KESU_CHECKPOINT_H

#include "wipe/engine/engine.h"
#include "lib/error.h"
#include "lib/config.h"
#include "lib/identity.h"
#include "wipe/engine/run_record.h"

#include <jansson.h>

#define KESU_CHECKPOINT_SCHEMA "kesu-checkpoint/1"

/* Pure: the checkpoint as JSON, and its strict inverse (w gets a fresh
 * state: bad list owned by w, resumed not set).  `before` is what was on
 * the device before the first write (kesu_device_content_json, or NULL),
 * kept so a resumed run's record still says what was erased; *before_out
 * is a new reference (JSON null if unknown). */
json_t *kesu_checkpoint_to_json(const struct kesu_identity *id, const struct kesu_wipe *w,
				const char *run_id, const json_t *before);
enum kesu_rc kesu_checkpoint_from_json(const json_t *j, struct kesu_identity *id,
				       struct kesu_wipe *w, char run_id[KESU_RUN_ID_LEN],
				       json_t **before_out, struct kesu_err *err);

/* <state_dir>/checkpoint-<serial, WWN or path, made file-name safe>.json */
bool kesu_checkpoint_path(const char *state_dir, const struct kesu_identity *id,
			  char *buf, size_t bufsz);

enum kesu_rc kesu_checkpoint_save(const char *state_dir, const struct kesu_identity *id,
				  const struct kesu_wipe *w, const char *run_id,
				  const json_t *before, struct kesu_err *err);

/* Load the checkpoint for `current`.  KESU_ERR_NOENT if there is none;
 * KESU_ERR_REFUSED if it belongs to a different medium
 * (kesu_identity_same_medium); KESU_ERR_INVALID if it is malformed. */
enum kesu_rc kesu_checkpoint_load(const char *state_dir,
				  const struct kesu_identity *current, struct kesu_wipe *w,
				  char run_id[KESU_RUN_ID_LEN], json_t **before_out,
				  struct kesu_err *err);

/* Remove it (no error if absent). */
enum kesu_rc kesu_checkpoint_remove(const char *state_dir, const struct kesu_identity *id,
				    struct kesu_err *err);

#endif
