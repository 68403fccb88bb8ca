/* AES-CTR keystream addressable by medium offset (AES-128 for new runs,
 * AES-256 for checkpoints of earlier versions; see stream.h).
 *
 * Keystream block i is AES_k(IV + i), the counter a 128-bit big-endian
 * integer (NIST SP 800-38A, appendix B; libgcrypt's CTR mode increments the
 * whole 16-byte counter the same way, as OpenSSL's did for earlier versions,
 * so their checkpoints resume onto the same bytes; ipsec-mb's counts only
 * the low 32 bits, so mb_fill restarts it wherever they would wrap).  Medium byte o is byte
 * o % 16 of block o / 16, so any range can be regenerated on its own: for
 * verification, for a block-by-block retry, and for resuming a pass after an
 * interruption. */
#include "wipe/engine/stream.h"
#include "lib/strutil.h"

#include <errno.h>
#include <gcrypt.h>
#ifdef KESU_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#endif
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

struct kesu_stream {
	struct kesu_stream_key key;
	enum kesu_stream_engine engine;
	gcry_cipher_hd_t h; /* keyed once; only the counter changes per fill */
#ifdef KESU_HAVE_IPSEC_MB
	IMB_MGR *mb;
	/* AES-256's 15 round keys at most; the library wants them 16-aligned
	 * (calloc's alignment on every target that has the library). */
	uint32_t enc[60] __attribute__((aligned(16)));
	uint32_t dec[60] __attribute__((aligned(16)));
#endif
};

/* CTR output is the keystream XOR the input: both engines encrypt zeros.  A
 * small zero block that stays in the CPU cache is the input, piece by piece,
 * so the output buffer is written once and never cleared first. */
static const uint8_t zeros[16384] __attribute__((aligned(64)));

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

const char *kesu_stream_engine_name(enum kesu_stream_engine e)
{
	switch (e) {
	case KESU_STREAM_ENGINE_IPSEC_MB:
		return "intel-ipsec-mb";
	case KESU_STREAM_ENGINE_LIBGCRYPT:
		return "libgcrypt";
	default:
		return "auto";
	}
}

enum kesu_stream_engine kesu_stream_auto_choice(const struct kesu_stream_cpu *cpu)
{
	return cpu->mb_runs && cpu->mb_avx512 && cpu->mb_vaes ? KESU_STREAM_ENGINE_IPSEC_MB
							      : KESU_STREAM_ENGINE_LIBGCRYPT;
}

static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static struct kesu_stream_cpu cpu_found;

static void cpu_probe_once(void)
{
#ifdef KESU_HAVE_IPSEC_MB
	/* A manager of its own, freed again: streams are opened by several
	 * threads, and the answer is the same for all of them. */
	IMB_MGR *m = alloc_mb_mgr(0);
	if (!m)
		return; /* libgcrypt then, which needs no such memory */
	IMB_ARCH arch = IMB_ARCH_NONE;
	init_mb_mgr_auto(m, &arch);
	if (arch != IMB_ARCH_NONE && imb_get_errno(m) == 0) {
		cpu_found.mb_runs = true;
		cpu_found.mb_avx512 = arch == IMB_ARCH_AVX512;
		cpu_found.mb_vaes = (m->features & IMB_FEATURE_VAES) != 0;
	}
	free_mb_mgr(m);
#endif
}

void kesu_stream_cpu_probe(struct kesu_stream_cpu *out)
{
	(void)pthread_once(&cpu_once, cpu_probe_once);
	*out = cpu_found;
}

enum kesu_stream_engine kesu_stream_auto_engine(void)
{
	struct kesu_stream_cpu cpu;
	kesu_stream_cpu_probe(&cpu);
	return kesu_stream_auto_choice(&cpu);
}

static enum kesu_rc gcry_open(struct kesu_stream *s, struct kesu_err *err)
{
	(void)pthread_once(&gcry_once, gcry_init);
	if (!gcry_ready)
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "libgcrypt %s is older than the %s kesu was built with; "
				 "install kesu's libgcrypt20 package",
				 gcry_check_version(NULL), GCRYPT_VERSION);
	int algo = s->key.cipher == KESU_STREAM_AES_256_CTR ? GCRY_CIPHER_AES256
							    : GCRY_CIPHER_AES128;
	gcry_error_t e = gcry_cipher_open(&s->h, algo, GCRY_CIPHER_MODE_CTR, 0);
	if (!e)
		e = gcry_cipher_setkey(s->h, s->key.key, key_bytes(s->key.cipher));
	if (e)
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "libgcrypt could not set up %s (%s); check the "
				 "libgcrypt20 installation",
				 kesu_stream_cipher_name(s->key.cipher), gcry_strerror(e));
	s->engine = KESU_STREAM_ENGINE_LIBGCRYPT;
	return KESU_OK;
}

#ifdef KESU_HAVE_IPSEC_MB
/* KESU_OK, or KESU_ERR_NOTSUP where the library finds no code path for
 * this CPU (the caller may then fall back to libgcrypt). */
static enum kesu_rc mb_open(struct kesu_stream *s, struct kesu_err *err)
{
	s->mb = alloc_mb_mgr(0);
	if (!s->mb)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	IMB_ARCH arch = IMB_ARCH_NONE;
	init_mb_mgr_auto(s->mb, &arch);
	int e = imb_get_errno(s->mb);
	if (arch == IMB_ARCH_NONE || e != 0)
		return kesu_fail(err, KESU_ERR_NOTSUP, 0,
				 "intel-ipsec-mb %s has no code path for this CPU (%s)",
				 imb_get_version_str(), e ? imb_get_strerror(e) : "no architecture");
	if (s->key.cipher == KESU_STREAM_AES_256_CTR)
		IMB_AES_KEYEXP_256(s->mb, s->key.key, s->enc, s->dec);
	else
		IMB_AES_KEYEXP_128(s->mb, s->key.key, s->enc, s->dec);
	s->engine = KESU_STREAM_ENGINE_IPSEC_MB;
	return KESU_OK;
}
#endif

enum kesu_rc kesu_stream_new_engine(const struct kesu_stream_key *k,
				    enum kesu_stream_engine engine,
				    struct kesu_stream **out, struct kesu_err *err)
{
	*out = NULL;
	if (k->cipher != KESU_STREAM_AES_128_CTR && k->cipher != KESU_STREAM_AES_256_CTR)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "unknown random stream cipher %d",
				 (int)k->cipher);
	struct kesu_stream *s = calloc(1, sizeof(*s));
	if (!s)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	s->key = *k;
	bool auto_pick = engine == KESU_STREAM_ENGINE_AUTO;
	if (auto_pick)
		engine = kesu_stream_auto_engine();
	enum kesu_rc rc;
	if (engine == KESU_STREAM_ENGINE_IPSEC_MB) {
#ifdef KESU_HAVE_IPSEC_MB
		rc = mb_open(s, err);
#else
		rc = kesu_fail(err, KESU_ERR_NOTSUP, 0,
			       "this kesu was built without intel-ipsec-mb");
#endif
		/* The probe said the library runs here; should this manager
		 * still find no code path, libgcrypt makes the same bytes. */
		if (rc == KESU_ERR_NOTSUP && auto_pick) {
#ifdef KESU_HAVE_IPSEC_MB
			free_mb_mgr(s->mb);
			s->mb = NULL;
#endif
			rc = gcry_open(s, err);
		}
	} else if (engine == KESU_STREAM_ENGINE_LIBGCRYPT) {
		rc = gcry_open(s, err);
	} else {
		rc = kesu_fail(err, KESU_ERR_INVALID, 0, "unknown random stream engine %d",
			       (int)engine);
	}
	if (rc != KESU_OK) {
		kesu_stream_free(s); /* wipes the key copied above */
		return rc;
	}
	*out = s;
	return KESU_OK;
}

enum kesu_rc kesu_stream_new(const struct kesu_stream_key *k,
			     struct kesu_stream **out, struct kesu_err *err)
{
	return kesu_stream_new_engine(k, KESU_STREAM_ENGINE_AUTO, out, err);
}

enum kesu_stream_engine kesu_stream_engine(const struct kesu_stream *s)
{
	return s->engine;
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

static enum kesu_rc gcry_fill(struct kesu_stream *s, uint64_t offset, uint8_t *p,
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
	while (!e && len > 0) {
		size_t n = len > sizeof(zeros) ? sizeof(zeros) : len;
		e = gcry_cipher_encrypt(s->h, p, n, zeros, n);
		p += n;
		len -= n;
	}
	if (e)
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "libgcrypt %s failed while generating the random pass (%s); "
				 "check the libgcrypt20 installation",
				 kesu_stream_cipher_name(s->key.cipher), gcry_strerror(e));
	return KESU_OK;
}

#ifdef KESU_HAVE_IPSEC_MB
/* One CTR job from counter ctr: n bytes of keystream into dst.  Jobs are
 * drained before returning, so ctr may live on the caller's stack. */
static bool mb_job(struct kesu_stream *s, const uint8_t ctr[16], uint8_t *dst, size_t n)
{
	IMB_JOB *j = IMB_GET_NEXT_JOB(s->mb);
	memset(j, 0, sizeof(*j));
	j->cipher_mode = IMB_CIPHER_CNTR;
	j->cipher_direction = IMB_DIR_ENCRYPT;
	j->chain_order = IMB_ORDER_CIPHER_HASH;
	j->hash_alg = IMB_AUTH_NULL;
	j->enc_keys = s->enc;
	j->dec_keys = s->dec;
	j->key_len_in_bytes = key_bytes(s->key.cipher);
	j->src = zeros;
	j->dst = dst;
	j->msg_len_to_cipher_in_bytes = n;
	j->iv = ctr;
	j->iv_len_in_bytes = 16;
	/* CTR jobs come back from the submission itself; a job the library
	 * held back instead comes out of the flush. */
	unsigned done = 0;
	bool ok = true;
	IMB_JOB *d = IMB_SUBMIT_JOB(s->mb);
	do {
		if (d) {
			ok = ok && d->status == IMB_STATUS_COMPLETED;
			done++;
		}
	} while ((d = IMB_FLUSH_JOB(s->mb)) != NULL);
	return ok && done == 1;
}

/* The library counts only the low 32 bits of a 16-byte counter (RFC 3686's
 * block counter) and wraps them without carry; kesu's stream carries across
 * all 128 (libgcrypt's, and earlier versions' records).  So a job never
 * crosses a point where the low word wraps: each starts from a counter
 * computed with the full carry. */
static enum kesu_rc mb_fill(struct kesu_stream *s, uint64_t offset, uint8_t *p,
			    size_t len, struct kesu_err *err)
{
	uint64_t block = offset / 16;
	uint8_t ctr[16];
	size_t skip = (size_t)(offset % 16);
	bool ok = true;
	if (skip && len > 0) {
		uint8_t whole[16];
		counter_at(s->key.iv, block, ctr);
		ok = mb_job(s, ctr, whole, sizeof(whole));
		size_t n = 16 - skip < len ? 16 - skip : len;
		memcpy(p, whole + skip, n);
		p += n;
		len -= n;
		block++;
	}
	while (ok && len > 0) {
		counter_at(s->key.iv, block, ctr);
		uint32_t low = (uint32_t)ctr[12] << 24 | (uint32_t)ctr[13] << 16 |
			       (uint32_t)ctr[14] << 8 | ctr[15];
		uint64_t room = ((uint64_t)UINT32_MAX - low + 1) * 16; /* bytes to the wrap */
		size_t n = len > sizeof(zeros) ? sizeof(zeros) : len;
		if (n > room)
			n = (size_t)room;
		ok = mb_job(s, ctr, p, n);
		p += n;
		len -= n;
		block += n / 16;
	}
	if (!ok)
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "intel-ipsec-mb %s failed while generating the random pass "
				 "(%s); check the libipsec-mb1 installation",
				 kesu_stream_cipher_name(s->key.cipher),
				 imb_get_strerror(imb_get_errno(s->mb)));
	return KESU_OK;
}
#endif

enum kesu_rc kesu_stream_fill(struct kesu_stream *s, uint64_t offset, void *buf,
			      size_t len, struct kesu_err *err)
{
#ifdef KESU_HAVE_IPSEC_MB
	if (s->engine == KESU_STREAM_ENGINE_IPSEC_MB)
		return mb_fill(s, offset, buf, len, err);
#endif
	return gcry_fill(s, offset, buf, len, err);
}

void kesu_stream_free(struct kesu_stream *s)
{
	if (!s)
		return;
	if (s->h)
		gcry_cipher_close(s->h); /* wipes the expanded key */
#ifdef KESU_HAVE_IPSEC_MB
	free_mb_mgr(s->mb);
	explicit_bzero(s->enc, sizeof(s->enc));
	explicit_bzero(s->dec, sizeof(s->dec));
#endif
	explicit_bzero(&s->key, sizeof(s->key));
	free(s);
}
