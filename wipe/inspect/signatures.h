/* Recognisable content in bytes read from a medium: partition tables, file
 * systems, volume headers, common file formats and runs of text.  Pure and
 * bounded: every length and offset read from the device is checked against
 * the buffer before it is used, and nothing read is copied into a finding
 * (a spot check's report must not carry the data it found; see
 * kesu-verification(5)). */
#ifndef KESU_SIGNATURES_H
#define KESU_SIGNATURES_H

#include <stddef.h>
#include <stdint.h>

/* A text run is at least this many characters in a row. */
#define KESU_TEXT_MIN_CHARS 32u

struct kesu_finding {
	uint64_t offset;   /* byte offset on the medium */
	uint64_t length;   /* bytes covered; for signatures, the header's size */
	char what[16];     /* "gpt", "ext4", "jpeg", "text", "data", ... */
	char detail[96];   /* fixed text chosen by kesu, never device bytes */
};

typedef void (*kesu_finding_fn)(void *ud, const struct kesu_finding *f);

struct kesu_scan {
	uint64_t medium_size;   /* bytes; for the GPT backup at the last LBA */
	kesu_finding_fn fn;
	void *ud;
};

/* Report everything recognisable in buf, which holds the medium's bytes
 * [off, off + len):
 * - partition tables at the medium's start (MBR, GPT at LBA 1 for 512- and
 *   4096-byte sectors) and the GPT backup header at its last LBA;
 * - volume signatures (ext2/3/4, XFS, Btrfs, NTFS, FAT12/16/32, exFAT,
 *   LUKS, swap, ISO 9660, LVM2) at offset 0 and at every 1 MiB boundary,
 *   where partitions usually start;
 * - file magic (JPEG, PNG, PDF, ZIP and Office, legacy Office, SQLite) at
 *   every 512-byte boundary, where files start on every file system;
 * - text runs: at least KESU_TEXT_MIN_CHARS printable ASCII characters (tab,
 *   CR and LF included) or valid UTF-8 characters in a row.
 * A header that crosses the end of buf is not reported; a text run that does
 * is reported for its part inside buf.  off + len must not exceed 2^62. */
void kesu_sig_scan(const struct kesu_scan *s, const uint8_t *buf, size_t len,
		   uint64_t off);

#endif
