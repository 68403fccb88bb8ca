/* AES-CTR keystream addressable by medium offset (AES-128 for new runs,
 * AES-256 for checkpoints of earlier versions; see stream.h).
 *
 * Keystream block i is AES_k(IV + i), the counter a 128-bit big-endian
 * integer (NIST SP 800-38A, appendix B; libgcrypt's CTR mode increments the
 * whole 16-byte counter the same way, as OpenSSL's did for earlier versions,
 * so their checkpoints resume onto the same bytes).  Medium byte o is byte
 * o % 16 of block o / 16, so any range can be regenerated on its own: for
 * verification, for a block-by-block retry, and for resuming a pass after an
 * interruption. */
#include "wipe/engine/stream.h"
#include "lib/strutil.h"

#include <errno.h>
#include <gcrypt.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct kesu_stream {
	gcry_cipher_hd_t h; /* keyed once; only the counter changes per fill */
	struct kesu_stream_key key;
};

/* libgcrypt wants its version check before any other call, once per
 * process; generator threads open their streams concurrently.  Nothing here
 * uses its secure memory (the key lives in a root-only checkpoint anyway),
 * so that pool is never set up.  A program that initialised the library
 * itself keeps its own settings. */
static pthread_once_t gcry_once = PTHREAD_ONCE_INIT;
static bool gcry_ready;

static void gcry_init(void)
{
	if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		gcry_ready = true;
		return;
	}
	if (!gcry_check_version(GCRYPT_VERSION))
		return;
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	gcry_ready = true;
}

const char *kesu_stream_cipher_name(enum kesu_stream_cipher c)
{
	return c == KESU_STREAM_AES_256_CTR ? "aes-256-ctr" : "aes-128-ctr";
}

static size_t key_bytes(enum kesu_stream_cipher c)
{
	return c == KESU_STREAM_AES_256_CTR ? 32 : 16;
}

enum kesu_rc kesu_stream_key_new(struct kesu_stream_key *k, struct kesu_err *err)
{
	memset(k, 0, sizeof(*k));
	k->cipher = KESU_STREAM_AES_128_CTR;
	uint8_t raw[32];
	size_t want = key_bytes(k->cipher) + sizeof(k->iv), got = 0;
	while (got < want) {
		ssize_t n = getrandom(raw + got, want - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			explicit_bzero(raw, sizeof(raw));
			return kesu_fail(err, KESU_ERR_INTERNAL, e,
					 "getrandom failed (%s); kesu needs the kernel's random "
					 "source for the random pass", strerror(e));
		}
		got += (size_t)n;
	}
	memcpy(k->key, raw, key_bytes(k->cipher));
	memcpy(k->iv, raw + key_bytes(k->cipher), sizeof(k->iv));
	explicit_bzero(raw, sizeof(raw));
	return KESU_OK;
}

void kesu_stream_key_to_hex(const struct kesu_stream_key *k, char hex[97])
{
	uint8_t raw[48];
	size_t kb = key_bytes(k->cipher);
	memcpy(raw, k->key, kb);
	memcpy(raw + kb, k->iv, sizeof(k->iv));
	kesu_hex_encode(raw, kb + sizeof(k->iv), hex);
	explicit_bzero(raw, sizeof(raw));
}

enum kesu_rc kesu_stream_key_from_hex(const char *hex, struct kesu_stream_key *k,
				      struct kesu_err *err)
{
	size_t digits = hex ? strnlen(hex, 97) : 0;
	if (digits != 64 && digits != 96)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "random stream key is not 64 or 96 hex digits; the checkpoint "
				 "is damaged: start the wipe again without --resume");
	uint8_t tmp[48];
	for (size_t i = 0; i < digits / 2; i++) {
		int hi = kesu_hex_digit((unsigned char)hex[2 * i]);
		int lo = kesu_hex_digit((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			explicit_bzero(tmp, sizeof(tmp));
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "random stream key has a non-hex character; the checkpoint "
					 "is damaged: start the wipe again without --resume");
		}
		tmp[i] = (uint8_t)(hi << 4 | lo);
	}
	memset(k, 0, sizeof(*k));
	k->cipher = digits == 96 ? KESU_STREAM_AES_256_CTR : KESU_STREAM_AES_128_CTR;
	size_t kb = key_bytes(k->cipher);
	memcpy(k->key, tmp, kb);
	memcpy(k->iv, tmp + kb, sizeof(k->iv));
	explicit_bzero(tmp, sizeof(tmp));
	return KESU_OK;
}

enum kesu_rc kesu_stream_new(const struct kesu_stream_key *k,
			     struct kesu_stream **out, struct kesu_err *err)
{
	*out = NULL;
	struct kesu_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	if (k->cipher != KESU_STREAM_AES_128_CTR && k->cipher != KESU_STREAM_AES_256_CTR) {
		free(s);
		return kesu_fail(err, KESU_ERR_INVALID, 0, "unknown random stream cipher %d",
				 (int)k->cipher);
	}
	s->key = *k;
	(void)pthread_once(&gcry_once, gcry_init);
	int algo = k->cipher == KESU_STREAM_AES_256_CTR ? GCRY_CIPHER_AES256 : GCRY_CIPHER_AES128;
	if (!gcry_ready) {
		kesu_stream_free(s); /* wipes the key copied above */
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "libgcrypt %s is older than the %s kesu was built with; "
				 "install kesu's libgcrypt20 package",
				 gcry_check_version(NULL), GCRYPT_VERSION);
	}
	gcry_error_t e = gcry_cipher_open(&s->h, algo, GCRY_CIPHER_MODE_CTR, 0);
	if (!e)
		e = gcry_cipher_setkey(s->h, k->key, key_bytes(k->cipher));
	if (e) {
		enum kesu_rc rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
					    "libgcrypt could not set up %s (%s); check the "
					    "libgcrypt20 installation",
					    kesu_stream_cipher_name(k->cipher), gcry_strerror(e));
		kesu_stream_free(s);
		return rc;
	}
	*out = s;
	return KESU_OK;
}

/* IV + block as a 128-bit big-endian sum, carrying across all 16 bytes. */
static void counter_at(const uint8_t iv[16], uint64_t block, uint8_t out[16])
{
	unsigned carry = 0;
	for (int i = 15; i >= 0; i--) {
		unsigned add = i >= 8 ? (unsigned)((block >> (8 * (15 - i))) & 0xff) : 0;
		unsigned v = iv[i] + add + carry;
		out[i] = (uint8_t)v;
		carry = v >> 8;
	}
}

enum kesu_rc kesu_stream_fill(struct kesu_stream *s, uint64_t offset, void *buf,
			      size_t len, struct kesu_err *err)
{
	uint8_t ctr[16];
	counter_at(s->key.iv, offset / 16, ctr);
	/* Re-setting only the counter keeps the expanded key: no per-call
	 * setup.  A fill that starts inside a block throws away the block's
	 * first bytes; libgcrypt keeps the rest for the next call. */
	gcry_error_t e = gcry_cipher_setctr(s->h, ctr, sizeof(ctr));
	size_t skip = (size_t)(offset % 16);
	if (!e && skip) {
		uint8_t scratch[16] = {0};
		e = gcry_cipher_encrypt(s->h, scratch, skip, NULL, 0);
	}
	if (e)
		goto fail;
	/* CTR output is the keystream XOR the input: encrypt zeros.  A small
	 * zero block that stays in the CPU cache is the input, piece by piece,
	 * so the output buffer is written once and never cleared first. */
	static const uint8_t zeros[16384];
	uint8_t *p = buf;
	while (len > 0) {
		size_t n = len > sizeof(zeros) ? sizeof(zeros) : len;
		e = gcry_cipher_encrypt(s->h, p, n, zeros, n);
		if (e)
			goto fail;
		p += n;
		len -= n;
	}
	return KESU_OK;
fail:
	return kesu_fail(err, KESU_ERR_CRYPTO, 0,
			 "libgcrypt %s failed while generating the random pass (%s); check "
			 "the libgcrypt20 installation",
			 kesu_stream_cipher_name(s->key.cipher), gcry_strerror(e));
}

void kesu_stream_free(struct kesu_stream *s)
{
	if (!s)
		return;
	gcry_cipher_close(s->h); /* wipes the expanded key */
	explicit_bzero(&s->key, sizeof(s->key));
	free(s);
}
