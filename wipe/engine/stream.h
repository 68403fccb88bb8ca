/* The random pass: an AES-CTR keystream that is addressable by medium offset,
 * so any range can be regenerated to verify it, to retry a single block, or
 * to resume an interrupted pass.
 *
 * New runs use AES-128-CTR.  What the stream must be is data the drive cannot
 * predict, compress or deduplicate, regenerable from a key that the
 * checkpoint keeps in a root-only file; a 128-bit key is far past that, and
 * its 10 rounds against AES-256's 14 cost 0.028 against 0.040 CPU s/GiB here
 * (ipsec-mb), most of the random pass's budget on a fast device
 * (docs/BENCHMARKS.md).
 * Checkpoints written before hold AES-256 keys and resume with AES-256-CTR.
 *
 * Two libraries make the same bytes.  Intel's ipsec-mb (x86-64 builds) is
 * taken where it has its VAES/AVX-512 CTR code: 0.028 CPU s/GiB there,
 * against 0.058 for libgcrypt 1.10's VAES/AVX2 and 0.107 for OpenSSL 3.0,
 * which has no VAES path for CTR (docs/BENCHMARKS.md); on two CPUs erasing
 * two devices that difference is the random pass's margin over dd.
 * libgcrypt serves everything else: other builds, and CPUs without AVX-512,
 * where ipsec-mb 1.3's AVX2 code is the slower of the two (0.140 against
 * libgcrypt's 0.066 CPU s/GiB on an AMD EPYC with VAES and no AVX-512).
 * test_stream checks every fill against OpenSSL's AES block by block. */
#ifndef KESU_STREAM_H
#define KESU_STREAM_H

#include "lib/error.h"

#include <stddef.h>
#include <stdint.h>

enum kesu_stream_cipher {
	KESU_STREAM_AES_128_CTR, /* key[0..16) */
	KESU_STREAM_AES_256_CTR, /* key[0..32): checkpoints of earlier versions */
};

struct kesu_stream_key {
	uint8_t key[32];
	uint8_t iv[16];
	enum kesu_stream_cipher cipher;
};

/* "aes-128-ctr" or "aes-256-ctr", as the run record names it. */
const char *kesu_stream_cipher_name(enum kesu_stream_cipher c);

/* A fresh AES-128 key and IV from getrandom(2). */
enum kesu_rc kesu_stream_key_new(struct kesu_stream_key *k, struct kesu_err *err);

/* Hex encoding for checkpoints, key then IV: 64 digits for AES-128, 96 for
 * AES-256.  The length names the cipher, so checkpoints written before
 * AES-128 resume unchanged. */
void kesu_stream_key_to_hex(const struct kesu_stream_key *k, char hex[97]);
enum kesu_rc kesu_stream_key_from_hex(const char *hex, struct kesu_stream_key *k,
				      struct kesu_err *err);

struct kesu_stream; /* one per thread */

enum kesu_stream_engine {
	KESU_STREAM_ENGINE_AUTO, /* kesu_stream_auto_choice for this CPU */
	KESU_STREAM_ENGINE_LIBGCRYPT,
	KESU_STREAM_ENGINE_IPSEC_MB, /* KESU_ERR_NOTSUP without it */
};

const char *kesu_stream_engine_name(enum kesu_stream_engine e);

/* What intel-ipsec-mb finds on a CPU, as far as the choice of engine goes. */
struct kesu_stream_cpu {
	bool mb_runs;   /* the library has a code path for it */
	bool mb_avx512; /* ... and that path is its AVX-512 one */
	bool mb_vaes;   /* the CPU has VAES, which that path's CTR is built on */
};

/* The engine AUTO takes on such a CPU: ipsec-mb only for its VAES/AVX-512
 * CTR, which makes the stream in half libgcrypt's CPU time.  Its other
 * paths are no faster than libgcrypt's, and its AVX2 one (ipsec-mb 1.3,
 * on processors with VAES but no AVX-512) takes twice libgcrypt's time,
 * which has VAES/AVX2 code. */
enum kesu_stream_engine kesu_stream_auto_choice(const struct kesu_stream_cpu *cpu);

/* This machine's CPU as ipsec-mb sees it (probed once per process; all
 * false in a build without ipsec-mb), and the engine AUTO takes here. */
void kesu_stream_cpu_probe(struct kesu_stream_cpu *out);
enum kesu_stream_engine kesu_stream_auto_engine(void);

/* kesu_stream_new_engine(k, KESU_STREAM_ENGINE_AUTO, ...). */
enum kesu_rc kesu_stream_new(const struct kesu_stream_key *k,
			     struct kesu_stream **out, struct kesu_err *err);
enum kesu_rc kesu_stream_new_engine(const struct kesu_stream_key *k,
				    enum kesu_stream_engine engine,
				    struct kesu_stream **out, struct kesu_err *err);

/* The engine an open stream uses: never AUTO. */
enum kesu_stream_engine kesu_stream_engine(const struct kesu_stream *s);

/* The keystream bytes [offset, offset+len) of the medium: byte i of the
 * medium always gets the same value for the same key, whatever the chunking. */
enum kesu_rc kesu_stream_fill(struct kesu_stream *s, uint64_t offset, void *buf,
			      size_t len, struct kesu_err *err);

void kesu_stream_free(struct kesu_stream *s);

#endif
