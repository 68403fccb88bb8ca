/* In-memory medium shared by the device models: the bytes a drive holds,
 * how much of it the host can address, and a struct kesu_target over the
 * addressable part.  The models change the bytes the way their firmware
 * commands would (zeros, a pattern, fresh ciphertext). */
#ifndef KESU_MODEL_MEDIUM_H
#define KESU_MODEL_MEDIUM_H

#include "wipe/engine/target.h"

#include <stdbool.h>
#include <stdint.h>

struct model_medium {
	uint8_t *data;
	uint64_t capacity;  /* bytes the drive really has (native / DCO max) */
	uint64_t visible;   /* bytes the host may address (current max) */
	uint32_t block;
	bool gone;          /* device removed: every access fails -ENODEV */
	bool busy;          /* sanitize running: media access fails -EBUSY */
	bool locked;        /* ATA security locked: media access aborts */
	uint64_t key;       /* "media encryption key": crypto erase changes it */
	bool unmapped_zeros; /* all-zero 4 KiB pages are unmapped LBAs: they read
				zeros whatever the key (deallocated, RZAT) */
	unsigned reads;
};

void model_medium_init(struct model_medium *m, uint64_t capacity, uint32_t block);
void model_medium_free(struct model_medium *m);
/* Pseudo-random "user data" so erasure is visible. */
void model_medium_fill_user_data(struct model_medium *m, uint64_t seed);
void model_medium_fill(struct model_medium *m, uint64_t from, uint64_t to,
		       const uint8_t *pattern, size_t plen);
/* New key: every byte becomes fresh pseudo-random data.  With keep_first
 * the first block keeps its old bytes (a faulty drive that missed it). */
void model_medium_crypto_erase(struct model_medium *m, bool keep_first);

/* A target over [0, visible).  Closing it frees only the handle. */
struct kesu_target *model_medium_target(struct model_medium *m);

/* Fill c->sense with descriptor sense data (0x72) key/asc/ascq. */
struct kesu_scsi_cmd;
void model_set_check(struct kesu_scsi_cmd *c, uint8_t key, uint8_t asc, uint8_t ascq);

#endif
