/* Checkpoints: the state of an unfinished wipe, saved at a chunk boundary
 * (on a signal, and every few seconds) so `kesu wipe --resume` can continue
 * it, on the same medium only.  The file holds the random stream's key, so
 * it is mode 0600 in a 0700 directory.  It is bound to its medium
 * (medium_binding.h) and carries an HMAC (checkpoint_mac.h): a resume
 * trusts only what kesu itself wrote, for the disk it wrote it about. */
#ifndef KESU_CHECKPOINT_H
#define KESU_CHECKPOINT_H

#include "wipe/engine/engine.h"
#include "lib/error.h"
#include "lib/config.h"
#include "lib/identity.h"
#include "wipe/engine/run_record.h"
#include "wipe/device/medium_binding.h"

#include <jansson.h>

#define KESU_CHECKPOINT_SCHEMA "kesu-checkpoint/2"
/* Written by kesu before checkpoints were bound to their medium and
 * MAC-protected: refused, never resumed (it could be anybody's). */
#define KESU_CHECKPOINT_SCHEMA_V1 "kesu-checkpoint/1"

/* What a checkpoint keeps beside the wipe's own state. */
struct kesu_checkpoint_meta {
	const struct kesu_identity *id;
	const struct kesu_medium_binding *binding;
	const char *run_id;
	/* What was on the device before the first write
	 * (kesu_device_content_json), or NULL: a resumed run's record still
	 * says what was erased. */
	const json_t *before;
	/* The certificate details the run was started with, as the caller
	 * keeps them (an object), or NULL when no certificate is issued: a
	 * resumed run certifies the asset the interrupted one was for. */
	const json_t *certificate;
};

/* A checkpoint read back. */
struct kesu_checkpoint_loaded {
	struct kesu_identity id;
	struct kesu_medium_binding binding;
	char run_id[KESU_RUN_ID_LEN];
	json_t *before;      /* new reference, JSON null if unknown */
	json_t *certificate; /* new reference, JSON null if none */
};
void kesu_checkpoint_loaded_free(struct kesu_checkpoint_loaded *l);

/* Pure: the checkpoint as JSON without its MAC, and the strict inverse
 * (w gets a fresh state: bad list owned by w, resumed not set; on success
 * *out's references are the caller's to free). */
json_t *kesu_checkpoint_to_json(const struct kesu_checkpoint_meta *m,
				const struct kesu_wipe *w);
enum kesu_rc kesu_checkpoint_from_json(const json_t *j, struct kesu_wipe *w,
				       struct kesu_checkpoint_loaded *out,
				       struct kesu_err *err);

/* Pure: the bytes the MAC covers, the compact sorted-key serialisation of
 * the checkpoint without its "mac" member.  malloc'd; NULL on OOM. */
char *kesu_checkpoint_mac_text(const json_t *j, size_t *len);

/* <state_dir>/checkpoint-<serial, WWN or path, made file-name safe>.json */
bool kesu_checkpoint_path(const char *state_dir, const struct kesu_identity *id,
			  char *buf, size_t bufsz);

/* Write it atomically, mode 0600, with its MAC under the state
 * directory's key (created on first use, checkpoint_mac.h). */
enum kesu_rc kesu_checkpoint_save(const char *state_dir, const struct kesu_checkpoint_meta *m,
				  const struct kesu_wipe *w, struct kesu_err *err);

/* Load the checkpoint for the medium `current` (identity and binding).
 * KESU_ERR_NOENT if there is none; KESU_ERR_INVALID if it is malformed,
 * of schema kesu-checkpoint/1, or its MAC does not match (edited, or made
 * under another key); KESU_ERR_PERM for an unsafe key file;
 * KESU_ERR_REFUSED if it belongs to another medium
 * (kesu_medium_binding_same).  The caller then checks the medium's content
 * (fingerprint.h) before resuming. */
enum kesu_rc kesu_checkpoint_load(const char *state_dir, const struct kesu_identity *current,
				  const struct kesu_medium_binding *binding,
				  struct kesu_wipe *w, struct kesu_checkpoint_loaded *out,
				  struct kesu_err *err);

/* Remove it (no error if absent). */
enum kesu_rc kesu_checkpoint_remove(const char *state_dir, const struct kesu_identity *id,
				    struct kesu_err *err);

#endif
