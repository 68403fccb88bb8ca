/* The evidence photo loader (certs/print/image.h): real JPEG and PNG files
 * become bounded thumbnails; truncated, damaged, oversized and non-image
 * input is refused with the right code and never decoded into a page. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "certs/print/image.h"
#include "lib/fileio.h"

#define FX "tests/fixtures/images/"

static char *load(const char *name, size_t *len)
{
	char *data;
	struct kesu_err err = {0};
	if (kesu_read_file(name, 1 << 20, &data, len, &err))
		fail_msg("%s: %s", name, err.msg);
	return data;
}

static enum kesu_rc thumb(const void *data, size_t len, uint32_t side, struct kesu_image *img,
			  struct kesu_err *err)
{
	memset(err, 0, sizeof(*err));
	return kesu_image_thumb(data, len, side, img, err);
}

static void jpeg_becomes_a_thumbnail_keeping_its_aspect(void **state)
{
	(void)state;
	size_t len;
	char *data = load(FX "red-640x480.jpg", &len);
	struct kesu_image img;
	struct kesu_err err;
	assert_int_equal(kesu_image_sniff(data, len), KESU_IMAGE_JPEG);
	assert_int_equal(thumb(data, len, 100, &img, &err), KESU_OK);
	assert_int_equal(img.w, 100);
	assert_int_equal(img.h, 75);
	uint32_t p = img.px[37 * 100 + 50];
	/* #c81e1e, give or take the JPEG's rounding */
	assert_in_range(p >> 16 & 0xff, 0xc0, 0xd0);
	assert_in_range(p >> 8 & 0xff, 0x16, 0x26);
	assert_in_range(p & 0xff, 0x16, 0x26);
	kesu_image_free(&img);
	/* Never enlarged. */
	assert_int_equal(thumb(data, len, 4000, &img, &err), KESU_OK);
	assert_int_equal(img.w, 640);
	assert_int_equal(img.h, 480);
	kesu_image_free(&img);
	free(data);
}

static void progressive_grey_jpeg_decodes(void **state)
{
	(void)state;
	size_t len;
	char *data = load(FX "grey-progressive.jpg", &len);
	struct kesu_image img;
	struct kesu_err err;
	assert_int_equal(thumb(data, len, 48, &img, &err), KESU_OK);
	assert_int_equal(img.w, 48);
	assert_int_equal(img.h, 32);
	/* grey: the three channels equal; top white, bottom black */
	uint32_t top = img.px[0], bottom = img.px[31 * 48];
	assert_int_equal(top >> 16 & 0xff, top & 0xff);
	assert_true((top & 0xff) > 0xe0 && (bottom & 0xff) < 0x20);
	kesu_image_free(&img);
	free(data);
}

static void png_transparency_is_drawn_over_white(void **state)
{
	(void)state;
	size_t len;
	char *data = load(FX "half-alpha-40x20.png", &len);
	struct kesu_image img;
	struct kesu_err err;
	assert_int_equal(kesu_image_sniff(data, len), KESU_IMAGE_PNG);
	assert_int_equal(thumb(data, len, 480, &img, &err), KESU_OK);
	assert_int_equal(img.w, 40);
	assert_int_equal(img.h, 20);
	assert_int_equal(img.px[5 * 40 + 5], 0x0000ff);   /* blue half */
	assert_int_equal(img.px[5 * 40 + 35], 0xffffff);  /* transparent half */
	kesu_image_free(&img);
	free(data);
}

static void truncated_images_are_invalid(void **state)
{
	(void)state;
	const char *files[] = {FX "red-640x480.jpg", FX "grey-progressive.jpg",
			       FX "half-alpha-40x20.png"};
	for (size_t i = 0; i < 3; i++) {
		size_t len;
		char *data = load(files[i], &len);
		struct kesu_image img;
		struct kesu_err err;
		assert_int_equal(thumb(data, len / 2, 480, &img, &err), KESU_ERR_INVALID);
		assert_null(img.px);
		assert_int_equal(thumb(data, 12, 480, &img, &err), KESU_ERR_INVALID);
		free(data);
	}
}

/* The SOF0 marker's height and width, patched in place. */
static void jpeg_declare(unsigned char *d, size_t len, unsigned w, unsigned h)
{
	for (size_t i = 2; i + 9 < len; i++)
		if (d[i] == 0xff && (d[i + 1] == 0xc0 || d[i + 1] == 0xc2)) {
			d[i + 5] = h >> 8; d[i + 6] = h & 0xff;
			d[i + 7] = w >> 8; d[i + 8] = w & 0xff;
			return;
		}
	fail_msg("no SOF marker");
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return ~c;
}

/* IHDR is the first chunk: its width, height and a CRC that still holds,
 * so the size limit, not the checksum, is what refuses it. */
static void png_declare(unsigned char *d, uint32_t w, uint32_t h)
{
	unsigned char *ihdr = d + 8 + 4;   /* "IHDR" + 13 bytes of data */
	for (int k = 0; k < 4; k++) {
		ihdr[4 + k] = (unsigned char)(w >> (24 - 8 * k));
		ihdr[8 + k] = (unsigned char)(h >> (24 - 8 * k));
	}
	uint32_t c = crc32_of(ihdr, 17);
	for (int k = 0; k < 4; k++)
		ihdr[17 + k] = (unsigned char)(c >> (24 - 8 * k));
}

static long peak_rss_kib(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/* The fuzzer took the old loader, which decoded a whole PNG into memory
 * before shrinking it (120 MB for 40 megapixels, and libpng's buffers for
 * chunks it did not need), past 2 GiB.  A 40-megapixel picture now costs a
 * few rows; this runs first so the process's peak is still low. */
static void a_40_megapixel_png_decodes_in_a_few_rows_of_memory(void **state)
{
	(void)state;
	size_t len;
	char *data = load(FX "halves-16384x2441-1bit.png", &len);
	struct kesu_image img;
	struct kesu_err err;
	long before = peak_rss_kib();
	assert_int_equal(thumb(data, len, 480, &img, &err), KESU_OK);
	long grew = peak_rss_kib() - before;
	assert_int_equal(img.w, 480);
	assert_int_equal(img.h, 71);
	assert_int_equal(img.px[35 * 480 + 100], 0x000000);
	assert_int_equal(img.px[35 * 480 + 380], 0xffffff);
	kesu_image_free(&img);
	free(data);
	if (grew > 16 * 1024)
		fail_msg("decoding grew the peak RSS by %ld KiB", grew);
}

static void interlaced_png_decodes(void **state)
{
	(void)state;
	size_t len;
	char *data = load(FX "red-blue-33x17-interlaced.png", &len);
	struct kesu_image img;
	struct kesu_err err;
	assert_int_equal(thumb(data, len, 480, &img, &err), KESU_OK);
	assert_int_equal(img.w, 33);
	assert_int_equal(img.h, 17);
	for (uint32_t y = 0; y < 17; y++) {
		assert_int_equal(img.px[y * 33 + 3], 0xff0000);
		assert_int_equal(img.px[y * 33 + 30], 0x0000ff);
	}
	kesu_image_free(&img);
	free(data);
}

/* Insert a chunk of type t with len bytes of data (all 'x') after IHDR;
 * the data may be cut short (have < len) to make a chunk whose declared
 * length outruns the file. */
static unsigned char *with_chunk(const unsigned char *png, size_t plen, const char *t,
				 uint32_t len, uint32_t have, size_t *out_len)
{
	size_t at = 8 + 25, n = plen + 12 + have;
	unsigned char *o = malloc(n);
	assert_non_null(o);
	memcpy(o, png, at);
	unsigned char *c = o + at;
	for (int k = 0; k < 4; k++)
		c[k] = (unsigned char)(len >> (24 - 8 * k));
	memcpy(c + 4, t, 4);
	memset(c + 8, 'x', have);
	uint32_t crc = crc32_of(c + 4, 4 + (size_t)have);
	for (int k = 0; k < 4; k++)
		c[8 + have + k] = (unsigned char)(crc >> (24 - 8 * k));
	memcpy(c + 12 + have, png + at, plen - at);
	*out_len = have < len ? at + 8 + have : n;
	return o;
}

/* Text, profiles and private chunks are not needed for a thumbnail: a
 * large one is skipped unread, and one whose declared length runs past
 * the end of the file is a damaged file, not a reason to allocate it. */
static void chunks_a_thumbnail_does_not_need_are_skipped(void **state)
{
	(void)state;
	size_t len, n;
	char *data = load(FX "half-alpha-40x20.png", &len);
	struct kesu_image img;
	struct kesu_err err;
	const char *types[] = {"tEXt", "zTXt", "iCCP", "kePR"};
	for (size_t i = 0; i < 4; i++) {
		unsigned char *p = with_chunk((unsigned char *)data, len, types[i], 3u << 20,
					      3u << 20, &n);
		assert_int_equal(thumb(p, n, 480, &img, &err), KESU_OK);
		assert_int_equal(img.px[5 * 40 + 5], 0x0000ff);
		kesu_image_free(&img);
		free(p);
		p = with_chunk((unsigned char *)data, len, types[i], 0x7ffffff0u, 100, &n);
		assert_int_equal(thumb(p, n, 480, &img, &err), KESU_ERR_INVALID);
		assert_null(img.px);
		free(p);
	}
	free(data);
}

static void huge_declared_dimensions_are_refused(void **state)
{
	(void)state;
	size_t len;
	struct kesu_image img;
	struct kesu_err err;
	unsigned char *j = (unsigned char *)load(FX "red-640x480.jpg", &len);
	jpeg_declare(j, len, 65000, 65000);
	assert_int_equal(thumb(j, len, 480, &img, &err), KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "65000 x 65000"));
	jpeg_declare(j, len, 8000, 6000);   /* 48 megapixels, each side allowed */
	assert_int_equal(thumb(j, len, 480, &img, &err), KESU_ERR_REFUSED);
	free(j);
	unsigned char *p = (unsigned char *)load(FX "half-alpha-40x20.png", &len);
	png_declare(p, 30000, 30000);
	assert_int_equal(thumb(p, len, 480, &img, &err), KESU_ERR_REFUSED);
	png_declare(p, 40, 20);   /* the same file declared honestly decodes */
	assert_int_equal(thumb(p, len, 480, &img, &err), KESU_OK);
	kesu_image_free(&img);
	free(p);
	/* 20 megapixels is allowed a row at a time, not as an interlaced PNG,
	 * which is decoded whole. */
	p = (unsigned char *)load(FX "red-blue-33x17-interlaced.png", &len);
	png_declare(p, 5000, 4000);
	assert_int_equal(thumb(p, len, 480, &img, &err), KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "5000 x 4000"));
	free(p);
	/* More bytes than an evidence photo may have: refused before reading. */
	static const unsigned char head[4] = {0xff, 0xd8, 0xff, 0xe0};
	assert_int_equal(thumb(head, KESU_IMAGE_MAX_BYTES + 1, 480, &img, &err), KESU_ERR_REFUSED);
}

static void damaged_png_is_invalid(void **state)
{
	(void)state;
	size_t len;
	struct kesu_image img;
	struct kesu_err err;
	unsigned char *p = (unsigned char *)load(FX "half-alpha-40x20.png", &len);
	p[8 + 4 + 6] ^= 0x40;   /* a bit of IHDR: its CRC no longer holds */
	assert_int_equal(thumb(p, len, 480, &img, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "PNG"));
	free(p);
}

static void non_images_are_not_decoded(void **state)
{
	(void)state;
	struct kesu_image img;
	struct kesu_err err;
	static const char pdf[] = "%PDF-1.4 vendor certificate";
	assert_int_equal(kesu_image_sniff(pdf, sizeof(pdf)), KESU_IMAGE_NONE);
	assert_int_equal(thumb(pdf, sizeof(pdf), 480, &img, &err), KESU_ERR_NOTSUP);
	assert_int_equal(thumb("", 0, 480, &img, &err), KESU_ERR_NOTSUP);
	assert_int_equal(thumb("\xff\xd8", 2, 480, &img, &err), KESU_ERR_NOTSUP);
	assert_null(img.px);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_40_megapixel_png_decodes_in_a_few_rows_of_memory),
		cmocka_unit_test(jpeg_becomes_a_thumbnail_keeping_its_aspect),
		cmocka_unit_test(interlaced_png_decodes),
		cmocka_unit_test(chunks_a_thumbnail_does_not_need_are_skipped),
		cmocka_unit_test(progressive_grey_jpeg_decodes),
		cmocka_unit_test(png_transparency_is_drawn_over_white),
		cmocka_unit_test(truncated_images_are_invalid),
		cmocka_unit_test(huge_declared_dimensions_are_refused),
		cmocka_unit_test(damaged_png_is_invalid),
		cmocka_unit_test(non_images_are_not_decoded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
