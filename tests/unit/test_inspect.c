/* Content inspection: the region classifier tells blank, constant, pattern,
 * random-looking and other data apart (calibrated on kesu's own AES-CTR
 * stream one way and on text, metadata and zero-padded data the other), and
 * the signature scanner finds partition tables, file systems, file magic
 * and text made in memory, and nothing in random bytes or hostile buffers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/strutil.h"
#include "wipe/engine/stream.h"
#include "wipe/inspect/region.h"
#include "wipe/inspect/signatures.h"

/* ---- helpers ---- */

static void aes_fill(uint64_t seed, void *buf, size_t len, uint64_t off)
{
	struct kesu_stream_key k;
	memset(&k, 0, sizeof(k));
	memcpy(k.key, &seed, sizeof(seed));
	struct kesu_stream *s;
	struct kesu_err err = {0};
	assert_int_equal(kesu_stream_new(&k, &s, &err), KESU_OK);
	assert_int_equal(kesu_stream_fill(s, off, buf, len, &err), KESU_OK);
	kesu_stream_free(s);
}

static enum kesu_region_kind kind_of(const void *buf, size_t len)
{
	struct kesu_region_class c;
	kesu_region_classify(buf, len, &c);
	return c.kind;
}

static const char lorem[] =
	"The quick brown fox jumps over the lazy dog. Resident record 1024: "
	"name, address, date of birth, telephone number and tax category.\n";
/* 住民記録 (resident records), UTF-8 */
static const char japanese[] =
	"\xe4\xbd\x8f\xe6\xb0\x91\xe8\xa8\x98\xe9\x8c\xb2\xe3\x81\xae\xe5\x86\x85"
	"\xe5\xae\xb9\xe3\x81\xaf\xe6\xb6\x88\xe5\x8e\xbb\xe3\x81\x95\xe3\x82\x8c"
	"\xe3\x81\xbe\xe3\x81\x97\xe3\x81\x9f\xe3\x80\x82\xe6\x9d\xb1\xe4\xba\xac"
	"\xe9\x83\xbd\xe5\x8d\x83\xe4\xbb\xa3\xe7\x94\xb0\xe5\x8c\xba\n";

static void fill_text(uint8_t *b, size_t len, const char *t)
{
	size_t n = strlen(t);
	for (size_t i = 0; i < len; i += n)
		memcpy(b + i, t, len - i < n ? len - i : n);
}

/* ---- region ---- */

static void blank_constant_and_patterns(void **state)
{
	(void)state;
	uint8_t b[8192];
	memset(b, 0, sizeof(b));
	assert_int_equal(kind_of(b, sizeof(b)), KESU_REGION_ZERO);
	memset(b, 0xFF, sizeof(b));
	assert_int_equal(kind_of(b, sizeof(b)), KESU_REGION_ONE);
	memset(b, 0x55, sizeof(b));
	struct kesu_region_class c;
	kesu_region_classify(b, sizeof(b), &c);
	assert_int_equal(c.kind, KESU_REGION_CONSTANT);
	assert_int_equal(c.byte, 0x55);
	for (unsigned p = 2; p <= KESU_REGION_MAX_PERIOD; p++) {
		for (size_t i = 0; i < sizeof(b); i++)
			b[i] = (uint8_t)(0x10 + i % p);
		kesu_region_classify(b, sizeof(b), &c);
		assert_int_equal(c.kind, KESU_REGION_PATTERN);
		assert_int_equal(c.period, p);
	}
	/* period 17 is no longer a pattern: it is data */
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(0x10 + i % 17);
	assert_int_equal(kind_of(b, sizeof(b)), KESU_REGION_DATA);
	/* one stray byte in a blank buffer is data, wherever it is */
	size_t where[] = {0, 1, 4095, 8191};
	for (size_t i = 0; i < 4; i++) {
		memset(b, 0, sizeof(b));
		b[where[i]] = 1;
		assert_int_equal(kind_of(b, sizeof(b)), KESU_REGION_DATA);
	}
	assert_string_equal(kesu_region_kind_name(KESU_REGION_RANDOM), "random");
	assert_string_equal(kesu_region_kind_name(KESU_REGION_KINDS), "?");
}

/* kesu's random pass must look random at every size a spot check uses:
 * one cell of a sample (512 B .. 64 KiB), many seeds and offsets.  A single
 * miss here is a false "data-found" on a correctly erased disk. */
static void aes_ctr_is_random(void **state)
{
	(void)state;
	static const size_t sizes[] = {512, 1024, 1536, 2048, 3584, 4096, 32768, 65536};
	uint8_t *b = malloc(65536);
	assert_non_null(b);
	double worst = 0;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		int trials = sizes[s] <= 4096 ? 4000 : 600;
		for (int t = 0; t < trials; t++) {
			aes_fill(0x1234 + s, b, sizes[s], (uint64_t)t * 1048576);
			struct kesu_region_class c;
			kesu_region_classify(b, sizes[s], &c);
			if (c.kind != KESU_REGION_RANDOM)
				fail_msg("AES-CTR, %zu bytes, trial %d: %s (z %.2f, %.2f)",
					 sizes[s], t, kesu_region_kind_name(c.kind), c.z_freq,
					 c.z_diff);
			if (c.z_freq > worst)
				worst = c.z_freq;
			if (c.z_diff > worst)
				worst = c.z_diff;
		}
	}
	/* the margin to the threshold (8) stays wide */
	assert_true(worst < 6.5);
	free(b);
}

static void structured_data_is_not_random(void **state)
{
	(void)state;
	static const size_t sizes[] = {512, 2048, 4096, 65536};
	uint8_t *b = malloc(65536);
	assert_non_null(b);
	for (size_t s = 0; s < 4; s++) {
		size_t n = sizes[s];
		fill_text(b, n, lorem);
		assert_int_equal(kind_of(b, n), KESU_REGION_DATA);
		fill_text(b, n, japanese);
		assert_int_equal(kind_of(b, n), KESU_REGION_DATA);
		/* random, zero-padded: the end of a file in its last block */
		aes_fill(7, b, n, 0);
		memset(b + n / 2, 0, n - n / 2);
		assert_int_equal(kind_of(b, n), KESU_REGION_DATA);
		/* three quarters random, a quarter of text */
		aes_fill(8, b, n, 0);
		fill_text(b + 3 * n / 4, n / 4, lorem);
		assert_int_equal(kind_of(b, n), KESU_REGION_DATA);
		/* flat byte frequencies but plain order: a counter */
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)i;
		assert_int_equal(kind_of(b, n), KESU_REGION_DATA);
		/* a permutation of 0..255 repeated: flat, differences flat-ish,
		 * but far too even for chance */
		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)((i % 256) * 167 + 13);
		assert_int_equal(kind_of(b, n), KESU_REGION_DATA);
	}
	/* file-system metadata: an inode table is mostly zeros with small
	 * numbers */
	memset(b, 0, 4096);
	for (size_t i = 0; i < 4096; i += 256) {
		b[i] = 0xA4, b[i + 1] = 0x81, b[i + 4] = (uint8_t)i, b[i + 26] = 1;
		memcpy(b + i + 40, "\x0a\xf3\x01\x00\x04\x00", 6);
	}
	assert_int_equal(kind_of(b, 4096), KESU_REGION_DATA);
	/* 7-bit data: random bytes with the top bit cleared (base64-ish) */
	aes_fill(9, b, 65536, 0);
	for (size_t i = 0; i < 65536; i++)
		b[i] &= 0x7F;
	assert_int_equal(kind_of(b, 65536), KESU_REGION_DATA);
	free(b);
}

static void tiny_buffers(void **state)
{
	(void)state;
	uint8_t b[300];
	aes_fill(3, b, sizeof(b), 0);
	/* too short to judge randomness: data, not random */
	assert_int_equal(kind_of(b, 100), KESU_REGION_DATA);
	assert_int_equal(kind_of(b, 1), KESU_REGION_CONSTANT - (b[0] == 0 ? 2 : b[0] == 0xFF ? 1 : 0));
	assert_int_equal(kind_of(b, 0), KESU_REGION_ZERO);
	/* "ab" repeated once is not a pattern of period 2 */
	assert_int_equal(kind_of("abc", 3), KESU_REGION_DATA);
	assert_int_equal(kind_of("abab", 4), KESU_REGION_PATTERN);
}

/* ---- signatures ---- */

struct found {
	struct kesu_finding f[256];
	size_t n;
};

static void collect(void *ud, const struct kesu_finding *f)
{
	struct found *x = ud;
	assert_true(kesu_is_clean(f->what));
	assert_true(kesu_is_clean(f->detail));
	if (x->n < 256)
		x->f[x->n++] = *f;
}

static struct found *scan(const uint8_t *b, size_t len, uint64_t off, uint64_t size)
{
	static struct found x;
	memset(&x, 0, sizeof(x));
	const struct kesu_scan s = {size, collect, &x};
	kesu_sig_scan(&s, b, len, off);
	return &x;
}

static const struct kesu_finding *has(const struct found *x, const char *what)
{
	for (size_t i = 0; i < x->n; i++)
		if (!strcmp(x->f[i].what, what))
			return &x->f[i];
	return NULL;
}

static void le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
	p[3] = (uint8_t)(v >> 24);
}

#define MIB (1u << 20)

static void ext_superblock(uint8_t *v, uint32_t compat, uint32_t incompat)
{
	uint8_t *sb = v + 1024;
	le32(sb, 65536);           /* inodes */
	le32(sb + 4, 262144);      /* blocks */
	le32(sb + 24, 2);          /* 4 KiB blocks */
	le32(sb + 32, 32768);      /* blocks per group */
	sb[56] = 0x53, sb[57] = 0xEF;
	le32(sb + 76, 1);
	le32(sb + 0x5C, compat);
	le32(sb + 0x60, incompat);
}

static void file_systems_in_memory(void **state)
{
	(void)state;
	size_t len = 2 * MIB;
	uint8_t *b = calloc(1, len);
	assert_non_null(b);
	struct found *x;

	ext_superblock(b, 0x3c, 0x2c2);
	x = scan(b, len, 0, 64 * MIB);
	assert_non_null(has(x, "ext4"));
	assert_int_equal(has(x, "ext4")->offset, 0);
	assert_null(has(x, "mbr")); /* no 0x55AA */
	memset(b, 0, len);
	ext_superblock(b, 0x4, 0);
	assert_non_null(has(scan(b, len, 0, 64 * MIB), "ext3"));
	memset(b, 0, len);
	ext_superblock(b, 0, 0);
	assert_non_null(has(scan(b, len, 0, 64 * MIB), "ext2"));
	/* the same superblock with an impossible block size is not ext */
	le32(b + 1024 + 24, 40);
	assert_null(has(scan(b, len, 0, 64 * MIB), "ext2"));

	/* a partition at 1 MiB holding ext4, behind a protective MBR and GPT */
	memset(b, 0, len);
	b[446 + 4] = 0xEE, b[510] = 0x55, b[511] = 0xAA;
	memcpy(b + 512, "EFI PART\0\0\1\0\x5c\0\0\0", 16);
	ext_superblock(b + MIB, 0x3c, 0x2c2);
	x = scan(b, len, 0, 64 * MIB);
	assert_non_null(has(x, "mbr"));
	assert_non_null(strstr(has(x, "mbr")->detail, "protective"));
	assert_non_null(has(x, "gpt"));
	assert_int_equal(has(x, "gpt")->offset, 512);
	assert_non_null(has(x, "ext4"));
	assert_int_equal(has(x, "ext4")->offset, MIB);
	/* the GPT backup at the last LBA, read in the last MiB */
	memset(b, 0, len);
	memcpy(b + MIB - 512, "EFI PART\0\0\1\0\x5c\0\0\0", 16);
	x = scan(b, MIB, 63 * MIB, 64 * MIB);
	assert_non_null(has(x, "gpt"));
	assert_int_equal(has(x, "gpt")->offset, 64 * MIB - 512);
	assert_non_null(strstr(has(x, "gpt")->detail, "backup"));
	/* ... but the same bytes elsewhere are not a GPT */
	assert_null(has(scan(b, MIB, 10 * MIB, 64 * MIB), "gpt"));

	/* FAT32, FAT16, NTFS, exFAT boot sectors: not mistaken for an MBR */
	static const struct { const char *what; size_t at; const char *magic; } boots[] = {
		{"fat32", 82, "FAT32   "}, {"fat16", 54, "FAT16   "},
		{"fat12", 54, "FAT12   "}, {"ntfs", 3, "NTFS    "}, {"exfat", 3, "EXFAT   "},
	};
	for (size_t i = 0; i < 5; i++) {
		memset(b, 0, len);
		b[11] = 0x00, b[12] = 0x02, b[13] = 8; /* 512 B sectors, 8 per cluster */
		memcpy(b + boots[i].at, boots[i].magic, 8);
		b[510] = 0x55, b[511] = 0xAA;
		x = scan(b, len, 0, 64 * MIB);
		if (!has(x, boots[i].what))
			fail_msg("%s not found", boots[i].what);
		assert_null(has(x, "mbr"));
		/* without the boot signature it is not a file system */
		b[510] = 0;
		assert_null(has(scan(b, len, 0, 64 * MIB), boots[i].what));
	}
	/* an MBR with a partition */
	memset(b, 0, len);
	b[446] = 0x80, b[446 + 4] = 0x83, b[510] = 0x55, b[511] = 0xAA;
	assert_non_null(has(scan(b, len, 0, 64 * MIB), "mbr"));
	b[446] = 0x12; /* not a valid status byte */
	assert_null(has(scan(b, len, 0, 64 * MIB), "mbr"));

	static const struct { const char *what; size_t at; const char *magic; size_t n; } vols[] = {
		{"xfs", 0, "XFSB\0\0\x10\0", 8},
		{"btrfs", 0x10040, "_BHRfS_M", 8},
		{"luks2", 0, "LUKS\xba\xbe\0\2", 8},
		{"luks1", 0, "LUKS\xba\xbe\0\1", 8},
		{"swap", 4086, "SWAPSPACE2", 10},
		{"iso9660", 32768, "\1CD001\1", 7},
		{"lvm2", 512, "LABELONE\1\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0LVM2 001", 32},
	};
	for (size_t i = 0; i < sizeof(vols) / sizeof(vols[0]); i++) {
		memset(b, 0, len);
		memcpy(b + MIB + vols[i].at, vols[i].magic, vols[i].n);
		x = scan(b, len, 0, 64 * MIB);
		if (!has(x, vols[i].what))
			fail_msg("%s at 1 MiB not found", vols[i].what);
		assert_int_equal(has(x, vols[i].what)->offset, MIB);
		/* not at an arbitrary place */
		memset(b, 0, len);
		memcpy(b + MIB + 1000 + vols[i].at, vols[i].magic, vols[i].n);
		if (has(scan(b, len, 0, 64 * MIB), vols[i].what))
			fail_msg("%s found off a 1 MiB boundary", vols[i].what);
	}
	free(b);
}

static void file_magic_and_text(void **state)
{
	(void)state;
	uint8_t b[65536];
	aes_fill(11, b, sizeof(b), 0);
	struct found *x = scan(b, sizeof(b), 3 * MIB, 64 * MIB);
	assert_int_equal(x->n, 0);

	static const struct { const char *what; const char *magic; size_t n; } files[] = {
		{"jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF\0", 11},
		{"jpeg", "\xff\xd8\xff\xe1\x00\x10" "Exif\0\0", 12},
		{"png", "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16},
		{"pdf", "%PDF-1.7", 8},
		{"sqlite", "SQLite format 3", 16},
		{"ole2", "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8},
		{"zip", "PK\3\4\x14\0\6\0\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x13\0\0\0[Content_Types].xml", 49},
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		aes_fill(12, b, sizeof(b), 0);
		memcpy(b + 8192, files[i].magic, files[i].n);
		x = scan(b, sizeof(b), 3 * MIB, 64 * MIB);
		if (!has(x, files[i].what))
			fail_msg("%s not found", files[i].what);
		assert_int_equal(has(x, files[i].what)->offset, 3 * MIB + 8192);
		/* off a 512-byte boundary it is not a file's start */
		aes_fill(12, b, sizeof(b), 0);
		memcpy(b + 8193, files[i].magic, files[i].n);
		assert_null(has(scan(b, sizeof(b), 3 * MIB, 64 * MIB), files[i].what));
	}
	memcpy(b + 8192, files[6].magic, files[6].n);
	assert_non_null(strstr(has(scan(b, sizeof(b), 0, 64 * MIB), "zip")->detail, "Office"));

	/* text: ASCII and Japanese UTF-8 in random bytes, exact offsets */
	aes_fill(13, b, sizeof(b), 0);
	memcpy(b + 1000, lorem, strlen(lorem));
	memcpy(b + 30000, japanese, strlen(japanese));
	memcpy(b + 30000 + strlen(japanese), japanese, strlen(japanese));
	x = scan(b, sizeof(b), 0, 64 * MIB);
	size_t nt = 0;
	for (size_t i = 0; i < x->n; i++) {
		if (strcmp(x->f[i].what, "text"))
			continue;
		nt++;
		/* a random byte next to the text may extend it by a character */
		if (x->f[i].offset >= 990 && x->f[i].offset <= 1000) {
			assert_true(x->f[i].length >= strlen(lorem));
			assert_non_null(strstr(x->f[i].detail, "ASCII"));
		} else {
			assert_true(x->f[i].offset >= 29990 && x->f[i].offset <= 30000);
			assert_non_null(strstr(x->f[i].detail, "UTF-8"));
		}
	}
	assert_int_equal(nt, 2);
	/* 31 characters are not a run; 32 are */
	memset(b, 0, 100);
	memset(b + 10, 'x', 31);
	assert_null(has(scan(b, 100, 0, 64 * MIB), "text"));
	b[41] = 'y';
	assert_non_null(has(scan(b, 100, 0, 64 * MIB), "text"));
	/* overlong and surrogate UTF-8 break a run */
	memset(b, 'a', 100);
	memcpy(b + 20, "\xc0\xaf", 2);       /* overlong '/' */
	memcpy(b + 60, "\xed\xa0\x80", 3);  /* U+D800 */
	x = scan(b, 100, 0, 64 * MIB);
	for (size_t i = 0; i < x->n; i++)
		assert_true(x->f[i].length < 40);
}

/* Headers cut by the end of the buffer, lengths that point outside it,
 * truncated UTF-8: nothing is read past the buffer (ASan checks) and a cut
 * header is not reported. */
static void hostile_buffers(void **state)
{
	(void)state;
	static const char *const magics[] = {
		"PK\3\4\x14\0\0\0\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\xff\xff\0\0",
		"\xff\xd8\xff\xe0", "\x89PNG", "%PDF-1", "SQLite form", "XFSB\0\0",
		"LUKS\xba\xbe", "LABELONE", "EFI PART", "\xe6\x9d",
	};
	for (size_t m = 0; m < sizeof(magics) / sizeof(magics[0]); m++) {
		size_t n = strlen(magics[m]);
		if (m == 0)
			n = 30;
		for (size_t len = 1; len <= n; len++) {
			uint8_t *b = malloc(len); /* exact size: ASan sees any overrun */
			assert_non_null(b);
			memcpy(b, magics[m], len);
			struct found *x = scan(b, len, 0, 64 * MIB);
			for (size_t i = 0; i < x->n; i++)
				assert_string_equal(x->f[i].what, "text");
			x = scan(b, len, 512, 64 * MIB);
			scan(b, len, 64 * MIB - 512, 64 * MIB);
			scan(b, len, UINT64_MAX - len, UINT64_MAX);
			free(b);
		}
	}
	/* random buffers of every small size with magic planted at the end */
	uint8_t *r = malloc(70000);
	assert_non_null(r);
	for (size_t len = 1; len < 70000; len = len * 3 / 2 + 1) {
		uint8_t *b = malloc(len);
		assert_non_null(b);
		aes_fill(len, r, 70000, 0);
		memcpy(b, r, len);
		for (size_t m = 0; m < sizeof(magics) / sizeof(magics[0]); m++) {
			size_t n = strlen(magics[m]);
			if (n <= len)
				memcpy(b + len - n, magics[m], n);
			scan(b, len, 0, len);
			struct kesu_region_class c;
			kesu_region_classify(b, len, &c);
		}
		free(b);
	}
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(blank_constant_and_patterns),
		cmocka_unit_test(aes_ctr_is_random),
		cmocka_unit_test(structured_data_is_not_random),
		cmocka_unit_test(tiny_buffers),
		cmocka_unit_test(file_systems_in_memory),
		cmocka_unit_test(file_magic_and_text),
		cmocka_unit_test(hostile_buffers),
	};
	return cmocka_run_group_tests_name("inspect", tests, NULL, NULL);
}
