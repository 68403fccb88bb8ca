/* Classifying a buffer.  Blank, constant and pattern are exact tests.
 * "Random-looking" is statistical: two chi-square tests that an AES-CTR
 * keystream (kesu's random pass) passes and that text, file-system metadata,
 * zero-padded or otherwise structured data fail:
 *
 * - symbol frequencies: every byte value (or, for buffers under 2 KiB, every
 *   4-bit nibble, so each of the 16 bins still expects >= 16 hits) should be
 *   about equally common.  Text uses ~60 byte values, metadata is mostly
 *   zeros: both are thousands of standard deviations off.
 * - differences of neighbouring bytes (mod 256; under 2 KiB their low and
 *   high nibbles, each in 16 bins): catches sequences with flat frequencies
 *   but obvious order, such as a counter 0,1,2,...,255 repeated, whose
 *   differences are all 1.
 *
 * Each statistic is turned into a standard score z = (chi2 - df) /
 * sqrt(2 df).  Random data stays within a few units; we accept -6 < z < 8.
 * The upper bound sits where a true random buffer of 64 KiB fails about once
 * in 10^11 (Wilson-Hilferty approximation for df = 255): a false "data" on
 * an erased disk is a false alarm, but one per disk would make the check
 * useless.  The lower bound rejects data that is too even to be chance.
 *
 * What this cannot do: encrypted data (a LUKS or BitLocker volume whose
 * header is gone) and well-compressed data (the inside of a ZIP, JPEG or
 * video) are random-looking too.  A random-looking region is not proof
 * that nothing is there, only that nothing readable is; kesu-verification(5)
 * says so. */
#include "wipe/inspect/region.h"

#include <string.h>

#define Z_LOW (-6.0)
#define Z_HIGH 8.0
/* Below this many bytes the byte histogram (256 bins) expects fewer than 8
 * hits per bin and chi-square stops being a fair test; use nibbles. */
#define BYTE_MODE_MIN 2048u

/* sqrt(2 df) for 256 and 16 bins, so that kesu needs no libm. */
#define SD_256 22.58317958127243
#define SD_16 5.477225575051661

static double zscore(const uint32_t *hist, unsigned bins, uint64_t total)
{
	double expect = (double)total / bins, chi2 = 0;
	for (unsigned i = 0; i < bins; i++) {
		double d = hist[i] - expect;
		chi2 += d * d / expect;
	}
	return (chi2 - (bins - 1)) / (bins == 256 ? SD_256 : SD_16);
}

static void random_scores(const uint8_t *b, size_t n, double *zf, double *zd)
{
	uint32_t freq[256] = {0}, diff[256] = {0};
	if (n >= BYTE_MODE_MIN) {
		freq[b[0]]++;
		for (size_t i = 1; i < n; i++) {
			freq[b[i]]++;
			diff[(uint8_t)(b[i] - b[i - 1])]++;
		}
		*zf = zscore(freq, 256, n);
		*zd = zscore(diff, 256, n - 1);
		return;
	}
	/* nibbles; and the differences of neighbouring bytes folded into 16
	 * bins twice (low and high nibble of the difference), so that a
	 * counter, whose nibbles are perfectly even, still fails */
	uint32_t dhi[16] = {0};
	for (size_t i = 0; i < n; i++) {
		freq[b[i] >> 4]++;
		freq[b[i] & 15]++;
		if (i) {
			uint8_t d = (uint8_t)(b[i] - b[i - 1]);
			diff[d & 15]++;
			dhi[d >> 4]++;
		}
	}
	*zf = zscore(freq, 16, 2 * n);
	double lo = zscore(diff, 16, n - 1), hi = zscore(dhi, 16, n - 1);
	*zd = (lo < 0 ? -lo : lo) > (hi < 0 ? -hi : hi) ? lo : hi;
}

static unsigned smallest_period(const uint8_t *b, size_t n)
{
	for (unsigned p = 1; p <= KESU_REGION_MAX_PERIOD && p < n; p++)
		if (memcmp(b, b + p, n - p) == 0)
			return p;
	return 0;
}

void kesu_region_classify(const uint8_t *buf, size_t len, struct kesu_region_class *out)
{
	memset(out, 0, sizeof(*out));
	if (len == 0) {
		out->kind = KESU_REGION_ZERO; /* nothing read, nothing found */
		return;
	}
	unsigned p = len == 1 ? 1 : smallest_period(buf, len);
	if (p == 1) {
		out->byte = buf[0];
		out->kind = buf[0] == 0x00   ? KESU_REGION_ZERO
			    : buf[0] == 0xFF ? KESU_REGION_ONE
					     : KESU_REGION_CONSTANT;
		return;
	}
	/* A period must repeat at least twice to be a pattern rather than a
	 * short buffer that happens to end where it began. */
	if (p && len >= 2 * (size_t)p) {
		out->kind = KESU_REGION_PATTERN;
		out->period = p;
		return;
	}
	out->kind = KESU_REGION_DATA;
	if (len < KESU_REGION_MIN_RANDOM)
		return;
	random_scores(buf, len, &out->z_freq, &out->z_diff);
	if (out->z_freq > Z_LOW && out->z_freq < Z_HIGH && out->z_diff > Z_LOW &&
	    out->z_diff < Z_HIGH)
		out->kind = KESU_REGION_RANDOM;
}

const char *kesu_region_kind_name(enum kesu_region_kind k)
{
	static const char *const names[KESU_REGION_KINDS] = {
		"zero", "one", "constant", "pattern", "random", "data",
	};
	return (unsigned)k < KESU_REGION_KINDS ? names[k] : "?";
}
