/* Evidence photos on paper: a JPEG (libjpeg-turbo) or PNG (libpng) file,
 * which is untrusted input, decoded into a small thumbnail.  Bounded before
 * anything large is allocated: the file's bytes, each side and the pixel
 * count from the header, libjpeg's memory and its number of scans, and
 * PNG chunks a thumbnail does not need, which are skipped unread.  The
 * caller checks the file's SHA-256 against the document first; this only
 * decodes. */
#ifndef KESU_PRINT_IMAGE_H
#define KESU_PRINT_IMAGE_H

#include "lib/error.h"

#include <stddef.h>
#include <stdint.h>

#define KESU_IMAGE_MAX_BYTES (32u << 20)
#define KESU_IMAGE_MAX_SIDE 16384u
/* 40 megapixels: a phone's full-resolution photo fits, a decompression
 * bomb declaring 60000 x 60000 does not. */
#define KESU_IMAGE_MAX_PIXELS (40u * 1000 * 1000)
/* An interlaced PNG arrives in seven passes over the whole picture, so it
 * is the one form decoded whole (4 bytes a pixel): 16 megapixels, 64 MB.
 * Every other image is decoded a row at a time into the thumbnail. */
#define KESU_IMAGE_MAX_INTERLACED (16u * 1000 * 1000)
/* The longest side of a thumbnail, in pixels: about 200 dpi in the page's
 * 60 mm box. */
#define KESU_THUMB_SIDE 480u

enum kesu_image_type { KESU_IMAGE_NONE, KESU_IMAGE_JPEG, KESU_IMAGE_PNG };

/* Opaque pixels, 0x00RRGGBB each, row after row (Cairo's RGB24 with a
 * stride of 4 * w). */
struct kesu_image {
	uint32_t w, h;
	uint32_t *px;
};

/* By the file's signature bytes, not its name. */
enum kesu_image_type kesu_image_sniff(const void *data, size_t len);

/* Decode data into a thumbnail whose longest side is at most max_side
 * (aspect ratio kept, never enlarged; transparent pixels over white).
 * KESU_ERR_NOTSUP: not a JPEG or PNG; KESU_ERR_REFUSED: over a limit;
 * KESU_ERR_INVALID: damaged or truncated.  out is zeroed on failure. */
enum kesu_rc kesu_image_thumb(const void *data, size_t len, uint32_t max_side,
			      struct kesu_image *out, struct kesu_err *err);

void kesu_image_free(struct kesu_image *img);

#endif
