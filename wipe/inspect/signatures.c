/* Table-driven recognisers.  Each signature is a magic string at a fixed
 * place plus a few sanity checks of fields beside it, so that random bytes
 * (an erased disk) almost never match: every entry below needs at least 6
 * fixed bytes or 4 bytes and range checks, i.e. fewer than one false match
 * in 2^40 tries.  Offsets and lengths read from the device are only ever
 * compared against the buffer, never used to index past it. */
#include "wipe/inspect/signatures.h"

#include "lib/strutil.h"

#include <stdbool.h>
#include <string.h>

#define MIB (1u << 20)

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static bool pow2_in(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

static void report(const struct kesu_scan *s, uint64_t off, uint64_t len,
		   const char *what, const char *detail)
{
	struct kesu_finding f = {.offset = off, .length = len};
	kesu_strlcpy(f.what, what, sizeof(f.what));
	kesu_strlcpy(f.detail, detail, sizeof(f.detail));
	s->fn(s->ud, &f);
}

/* ---- volume signatures, relative to where a volume would start ---- */

/* b is the volume's first byte in the buffer and n the bytes from there to
 * the buffer's end; *what may be refined (ext2 -> ext4). */
typedef bool (*vcheck_fn)(const uint8_t *b, size_t n, uint32_t magic_off,
			  const char **what, const char **detail);

struct vsig {
	const char *what;
	uint32_t off;
	const char *magic;
	uint8_t mlen;
	uint32_t need;      /* bytes from the volume start the check reads */
	bool boot_sector;   /* a boot sector, whose 0x55AA is not an MBR's */
	vcheck_fn check;
	const char *detail;
};

static bool boot_sector_ok(const uint8_t *b)
{
	return b[510] == 0x55 && b[511] == 0xAA && pow2_in(le16(b + 11), 512, 4096);
}

static bool chk_ext(const uint8_t *b, size_t n, uint32_t mo, const char **what,
		    const char **detail)
{
	(void)n, (void)mo, (void)detail;
	const uint8_t *sb = b + 1024;
	if (le32(sb) == 0 || le32(sb + 24) > 6 || le32(sb + 32) == 0 || le32(sb + 76) > 1)
		return false;
	uint32_t compat = le32(sb + 0x5C), incompat = le32(sb + 0x60),
		 ro = le32(sb + 0x64);
	/* extents, 64bit, flex_bg; huge_file, gdt_csum, dir_nlink, extra_isize */
	if ((incompat & 0x2C0) || (ro & 0x78))
		*what = "ext4";
	else if (compat & 0x4) /* has_journal */
		*what = "ext3";
	return true;
}

static bool chk_xfs(const uint8_t *b, size_t n, uint32_t mo, const char **what,
		    const char **detail)
{
	(void)n, (void)mo, (void)what, (void)detail;
	return pow2_in(be32(b + 4), 512, 65536);
}

static bool chk_boot(const uint8_t *b, size_t n, uint32_t mo, const char **what,
		     const char **detail)
{
	(void)n, (void)mo, (void)what, (void)detail;
	return boot_sector_ok(b);
}

static bool chk_fat(const uint8_t *b, size_t n, uint32_t mo, const char **what,
		    const char **detail)
{
	(void)n, (void)detail;
	if (!boot_sector_ok(b) || !pow2_in(b[13], 1, 128))
		return false;
	if (mo == 54 && b[57] == '1' && b[58] == '2')
		*what = "fat12";
	else if (mo == 54 && b[57] == '1' && b[58] == '6')
		*what = "fat16";
	return true;
}

static bool chk_luks(const uint8_t *b, size_t n, uint32_t mo, const char **what,
		     const char **detail)
{
	(void)n, (void)mo, (void)detail;
	unsigned v = (unsigned)b[6] << 8 | b[7];
	if (v == 1)
		*what = "luks1";
	else if (v == 2)
		*what = "luks2";
	return v == 1 || v == 2;
}

static bool chk_iso(const uint8_t *b, size_t n, uint32_t mo, const char **what,
		    const char **detail)
{
	(void)n, (void)mo, (void)what, (void)detail;
	uint8_t type = b[32768];
	return (type <= 3 || type == 255) && b[32774] == 1;
}

static bool chk_lvm(const uint8_t *b, size_t n, uint32_t mo, const char **what,
		    const char **detail)
{
	(void)n, (void)what, (void)detail;
	return memcmp(b + mo + 24, "LVM2 001", 8) == 0;
}

static const struct vsig vsigs[] = {
	{"ext2", 1080, "\x53\xEF", 2, 1024 + 0x68, false, chk_ext, "ext2/3/4 superblock"},
	{"xfs", 0, "XFSB", 4, 8, false, chk_xfs, "XFS superblock"},
	{"btrfs", 0x10040, "_BHRfS_M", 8, 0x10048, false, NULL, "Btrfs superblock"},
	{"ntfs", 3, "NTFS    ", 8, 512, true, chk_boot, "NTFS boot sector"},
	{"exfat", 3, "EXFAT   ", 8, 512, true, chk_boot, "exFAT boot sector"},
	{"fat32", 82, "FAT32   ", 8, 512, true, chk_fat, "FAT boot sector"},
	{"fat", 54, "FAT12   ", 8, 512, true, chk_fat, "FAT boot sector"},
	{"fat", 54, "FAT16   ", 8, 512, true, chk_fat, "FAT boot sector"},
	{"fat", 54, "FAT     ", 8, 512, true, chk_fat, "FAT boot sector"},
	{"luks", 0, "LUKS\xba\xbe", 6, 8, false, chk_luks,
	 "LUKS header: an encrypted volume (its data looks random)"},
	{"swap", 4086, "SWAPSPACE2", 10, 4096, false, NULL, "Linux swap (4 KiB pages)"},
	{"swap", 8182, "SWAPSPACE2", 10, 8192, false, NULL, "Linux swap (8 KiB pages)"},
	{"swap", 16374, "SWAPSPACE2", 10, 16384, false, NULL, "Linux swap (16 KiB pages)"},
	{"swap", 65526, "SWAPSPACE2", 10, 65536, false, NULL, "Linux swap (64 KiB pages)"},
	{"iso9660", 32769, "CD001", 5, 32775, false, chk_iso, "ISO 9660 volume descriptor"},
	{"lvm2", 0, "LABELONE", 8, 32, false, chk_lvm, "LVM2 physical volume label"},
	{"lvm2", 512, "LABELONE", 8, 512 + 32, false, chk_lvm, "LVM2 physical volume label"},
	{"lvm2", 1024, "LABELONE", 8, 1024 + 32, false, chk_lvm, "LVM2 physical volume label"},
	{"lvm2", 1536, "LABELONE", 8, 1536 + 32, false, chk_lvm, "LVM2 physical volume label"},
};

/* Volumes at the medium's start and at 1 MiB boundaries. b points at the
 * buffer's byte for medium offset base; n bytes follow it in the buffer.
 * Returns whether the sector at base is a file system's boot sector (then
 * its 0x55AA is not an MBR's). */
static bool scan_volume(const struct kesu_scan *s, const uint8_t *b, size_t n,
			uint64_t base)
{
	bool boot = false;
	for (size_t i = 0; i < sizeof(vsigs) / sizeof(vsigs[0]); i++) {
		const struct vsig *v = &vsigs[i];
		if (n < v->need || n < (size_t)v->off + v->mlen ||
		    memcmp(b + v->off, v->magic, v->mlen))
			continue;
		const char *what = v->what, *detail = v->detail;
		if (v->check && !v->check(b, n, v->off, &what, &detail))
			continue;
		boot = boot || v->boot_sector;
		report(s, base, v->need, what, detail);
	}
	return boot;
}

/* ---- partition tables (at fixed places on the medium) ---- */

static bool gpt_header(const uint8_t *h)
{
	uint32_t hsize = le32(h + 12);
	return memcmp(h, "EFI PART", 8) == 0 && le32(h + 8) == 0x00010000u &&
	       hsize >= 92 && hsize <= 4096;
}

/* The buffer's bytes for [abs, abs + need) of the medium, or NULL. */
static const uint8_t *at(const uint8_t *buf, size_t len, uint64_t off, uint64_t abs,
			 size_t need)
{
	if (abs < off || abs - off > len || len - (abs - off) < need)
		return NULL;
	return buf + (abs - off);
}

static void scan_tables(const struct kesu_scan *s, const uint8_t *buf, size_t len,
			uint64_t off, bool boot_sector_at_0)
{
	const uint8_t *p = at(buf, len, off, 0, 512);
	if (p && !boot_sector_at_0 && p[510] == 0x55 && p[511] == 0xAA) {
		bool ok = true, protective = false;
		int used = 0;
		for (int i = 0; i < 4; i++) {
			const uint8_t *e = p + 446 + 16 * i;
			ok = ok && (e[0] == 0x00 || e[0] == 0x80);
			used += e[4] != 0;
			protective = protective || e[4] == 0xEE;
		}
		if (ok)
			report(s, 0, 512, "mbr",
			       protective ? "protective MBR (the disk has a GPT)"
			       : used     ? "MBR partition table"
					  : "MBR boot sector with no partitions");
	}
	static const uint32_t sector[] = {512, 4096};
	for (size_t i = 0; i < 2; i++) {
		if ((p = at(buf, len, off, sector[i], 92)) && gpt_header(p))
			report(s, sector[i], 92, "gpt", "GPT header at LBA 1");
		if (s->medium_size >= 2 * (uint64_t)sector[i] &&
		    (p = at(buf, len, off, s->medium_size - sector[i], 92)) && gpt_header(p))
			report(s, s->medium_size - sector[i], 92, "gpt",
			       "GPT backup header at the last LBA");
	}
}

/* ---- file magic at 512-byte boundaries ---- */

static bool zip_name_ok(const uint8_t *b, size_t n, const char **detail)
{
	uint16_t method = le16(b + 8), nlen = le16(b + 26);
	static const uint16_t methods[] = {0, 8, 9, 12, 14, 93, 95, 98, 99};
	bool known = false;
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		known = known || method == methods[i];
	if (!known || le16(b + 4) > 63 || nlen == 0 || nlen > 1024 || n < 30u + nlen)
		return false;
	for (size_t i = 0; i < nlen; i++)
		if (b[30 + i] < 0x20 || b[30 + i] == 0x7F)
			return false;
	if ((nlen == 19 && !memcmp(b + 30, "[Content_Types].xml", 19)) ||
	    (nlen > 5 && (!memcmp(b + 30, "word/", 5) || !memcmp(b + 30, "xl/", 3) ||
			  !memcmp(b + 30, "ppt/", 4))))
		*detail = "Office Open XML document (docx, xlsx, pptx)";
	else if (nlen == 8 && !memcmp(b + 30, "mimetype", 8))
		*detail = "OpenDocument file (odt, ods, odp)";
	return true;
}

static void scan_file(const struct kesu_scan *s, const uint8_t *b, size_t n, uint64_t pos)
{
	const char *detail;
	if (n >= 11 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF &&
	    ((b[3] == 0xE0 && !memcmp(b + 6, "JFIF", 5)) ||
	     (b[3] == 0xE1 && !memcmp(b + 6, "Exif\0", 6)) ||
	     (b[3] == 0xDB && b[4] == 0x00 && (b[5] == 0x43 || b[5] == 0x84) &&
	      b[6] <= 0x03)))
		report(s, pos, 11, "jpeg", "JPEG image");
	else if (n >= 16 && !memcmp(b, "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR", 16))
		report(s, pos, 16, "png", "PNG image");
	else if (n >= 8 && !memcmp(b, "%PDF-", 5) && b[5] >= '1' && b[5] <= '2' &&
		 b[6] == '.' && b[7] >= '0' && b[7] <= '9')
		report(s, pos, 8, "pdf", "PDF document");
	else if (n >= 30 && !memcmp(b, "PK\3\4", 4) &&
		 (detail = "ZIP archive", zip_name_ok(b, n, &detail)))
		report(s, pos, 30, "zip", detail);
	else if (n >= 8 && !memcmp(b, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		report(s, pos, 8, "ole2", "legacy Office document (doc, xls, ppt) or other OLE2 file");
	else if (n >= 16 && !memcmp(b, "SQLite format 3", 16))
		report(s, pos, 16, "sqlite", "SQLite database");
}

/* ---- text runs ---- */

/* Bytes of one text character at b (n available): printable ASCII, tab,
 * LF, CR, or a well-formed UTF-8 sequence for U+00A0 and above (no C1
 * controls, overlong forms or surrogates).  0 if not text.  *wide is set for
 * non-ASCII. */
static size_t text_char(const uint8_t *b, size_t n, bool *wide)
{
	uint8_t c = b[0];
	if ((c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r')
		return 1;
	size_t k;
	uint32_t cp, min;
	if (c >= 0xC2 && c <= 0xDF)
		k = 2, cp = c & 0x1F, min = 0xA0;
	else if (c >= 0xE0 && c <= 0xEF)
		k = 3, cp = c & 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		k = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((b[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (b[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	*wide = true;
	return k;
}

static void text_report(const struct kesu_scan *s, uint64_t start, size_t bytes,
			size_t chars, bool wide)
{
	if (chars >= KESU_TEXT_MIN_CHARS)
		report(s, start, bytes, "text",
		       wide ? "text (UTF-8, not only ASCII)" : "text (ASCII)");
}

static void scan_text(const struct kesu_scan *s, const uint8_t *buf, size_t len,
		      uint64_t off)
{
	size_t i = 0, start = 0, chars = 0;
	bool wide = false;
	while (i < len) {
		bool w = false;
		size_t k = text_char(buf + i, len - i, &w);
		if (k) {
			if (!chars)
				start = i, wide = false;
			chars++;
			wide = wide || w;
			i += k;
			continue;
		}
		if (chars)
			text_report(s, off + start, i - start, chars, wide);
		chars = 0;
		i++;
	}
	if (chars)
		text_report(s, off + start, i - start, chars, wide);
}

void kesu_sig_scan(const struct kesu_scan *s, const uint8_t *buf, size_t len,
		   uint64_t off)
{
	if (!len || off > (UINT64_C(1) << 62) || len > (UINT64_C(1) << 62) - off)
		return;
	bool boot0 = false;
	/* volume starts: the medium's first byte and every 1 MiB boundary */
	uint64_t base = off == 0 ? 0 : ((off + MIB - 1) / MIB) * MIB;
	for (; base >= off && base - off < len; base += MIB) {
		bool boot = scan_volume(s, buf + (base - off), len - (base - off), base);
		if (base == 0)
			boot0 = boot;
		if (base > UINT64_MAX - MIB)
			break;
	}
	scan_tables(s, buf, len, off, boot0);
	uint64_t pos = ((off + 511) / 512) * 512;
	for (; pos - off < len; pos += 512)
		scan_file(s, buf + (pos - off), len - (pos - off), pos);
	scan_text(s, buf, len, off);
}
