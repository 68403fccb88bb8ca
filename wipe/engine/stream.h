/* The random pass: an AES-256-CTR keystream (OpenSSL EVP) that is
 * addressable by medium offset, so any range can be regenerated to verify it,
 * to retry a single block, or to resume an interrupted pass. */
#ifndef KESU_STREAM_H
#define KESU_STREAM_H

#include "lib/error.h"

#include <stddef.h>
#include <stdint.h>

struct kesu_stream_key {
	uint8_t key[32];
	uint8_t iv[16];
};

/* A fresh key and IV from getrandom(2). */
enum kesu_rc kesu_stream_key_new(struct kesu_stream_key *k, struct kesu_err *err);

/* Hex encoding for checkpoints (96 chars: key then IV) and back. */
void kesu_stream_key_to_hex(const struct kesu_stream_key *k, char hex[97]);
enum kesu_rc kesu_stream_key_from_hex(const char *hex, struct kesu_stream_key *k,
				      struct kesu_err *err);

struct kesu_stream; /* one per thread */

enum kesu_rc kesu_stream_new(const struct kesu_stream_key *k,
			     struct kesu_stream **out, struct kesu_err *err);

/* The keystream bytes [offset, offset+len) of the medium: byte i of the
 * medium always gets the same value for the same key, whatever the chunking. */
enum kesu_rc kesu_stream_fill(struct kesu_stream *s, uint64_t offset, void *buf,
			      size_t len, struct kesu_err *err);

void kesu_stream_free(struct kesu_stream *s);

#endif
