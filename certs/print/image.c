#include "certs/print/image.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

/* libjpeg's own memory for one image (a progressive 40-megapixel JPEG
 * keeps its coefficients), and the scans a real photo needs: thousands of
 * tiny progressive scans are a known way to make a decoder spin. */
#define JPEG_MAX_MEMORY (320L << 20)
#define JPEG_MAX_SCANS 200

/* libpng allocates a chunk's declared length, and zeroes it, before it
 * has read a byte of the chunk, and keeps up to 1,000 ancillary chunks; a
 * 64 KiB file under the fuzzer took the old loader past 2 GiB.  A
 * thumbnail needs no text, profile or private chunk: those are skipped
 * unread (libpng streams past them through a small buffer). */
#define PNG_CHUNK_CACHE 16

static enum kesu_rc limits(uint64_t w, uint64_t h, uint64_t max_pixels, struct kesu_err *err)
{
	if (!w || !h)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "the image has no pixels");
	if (w > KESU_IMAGE_MAX_SIDE || h > KESU_IMAGE_MAX_SIDE || w * h > max_pixels)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "the image declares %llu x %llu pixels, more than kesu draws "
				 "(%llu megapixels, %u per side)", (unsigned long long)w,
				 (unsigned long long)h, (unsigned long long)max_pixels / 1000000,
				 KESU_IMAGE_MAX_SIDE);
	return KESU_OK;
}

/* A box filter fed one source row at a time, so that decoding needs a row
 * of the source, never the whole picture: target row ty averages the
 * source rows whose y * th / h is ty, and likewise for columns. */
struct shrinker {
	uint32_t w, h, tw, th, y, ty, rows;
	uint64_t *sum;    /* tw * 3 */
	uint32_t *cols;   /* source columns in each target column */
	uint32_t *to;     /* each source column's target column */
	struct kesu_image *out;
};

static enum kesu_rc shrink_begin(struct shrinker *s, uint32_t w, uint32_t h, uint32_t max_side,
				 struct kesu_image *out, struct kesu_err *err)
{
	uint32_t big = w > h ? w : h, tw = w, th = h;
	if (big > max_side) {
		tw = (uint32_t)((uint64_t)w * max_side / big);
		th = (uint32_t)((uint64_t)h * max_side / big);
	}
	*s = (struct shrinker){.w = w, .h = h, .tw = tw ? tw : 1, .th = th ? th : 1, .out = out};
	s->sum = calloc((size_t)s->tw * 3, sizeof(*s->sum));
	s->cols = calloc(s->tw, sizeof(*s->cols));
	s->to = malloc((size_t)w * sizeof(*s->to));
	out->px = malloc((size_t)s->tw * s->th * sizeof(*out->px));
	if (!s->sum || !s->cols || !s->to || !out->px)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	for (uint32_t x = 0; x < w; x++) {
		s->to[x] = (uint32_t)((uint64_t)x * s->tw / w);
		s->cols[s->to[x]]++;
	}
	out->w = s->tw;
	out->h = s->th;
	return KESU_OK;
}

static void shrink_emit(struct shrinker *s)
{
	uint32_t *dst = s->out->px + (size_t)s->ty * s->tw;
	for (uint32_t x = 0; x < s->tw; x++) {
		uint64_t n = (uint64_t)s->cols[x] * s->rows, *v = s->sum + (size_t)x * 3;
		dst[x] = (uint32_t)(v[0] / n) << 16 | (uint32_t)(v[1] / n) << 8 | (uint32_t)(v[2] / n);
	}
	memset(s->sum, 0, (size_t)s->tw * 3 * sizeof(*s->sum));
	s->rows = 0;
}

/* One source row of RGB (channels 3) or RGBA (4), the alpha drawn over
 * white as the page is. */
static void shrink_row(struct shrinker *s, const unsigned char *row, unsigned channels)
{
	uint32_t ty = (uint32_t)((uint64_t)s->y * s->th / s->h);
	if (ty != s->ty && s->rows) {
		shrink_emit(s);
		s->ty = ty;
	}
	for (uint32_t x = 0; x < s->w; x++, row += channels) {
		uint64_t *v = s->sum + (size_t)s->to[x] * 3;
		unsigned a = channels == 4 ? row[3] : 255;
		for (int c = 0; c < 3; c++)
			v[c] += a == 255 ? row[c] : (row[c] * a + 255u * (255 - a) + 127) / 255;
	}
	s->rows++;
	if (++s->y == s->h)
		shrink_emit(s);
}

static void shrink_end(struct shrinker *s)
{
	free(s->sum);
	free(s->cols);
	free(s->to);
	s->sum = NULL;
	s->cols = NULL;
	s->to = NULL;
}

/* libpng reports errors by longjmp to the png_jmpbuf; its message is kept
 * for the caller. */
struct png_src {
	const unsigned char *data;
	size_t len, off;
	char msg[160];
};

static void png_fail(png_structp png, png_const_charp msg)
{
	struct png_src *src = png_get_error_ptr(png);
	snprintf(src->msg, sizeof(src->msg), "%s", msg);
	png_longjmp(png, 1);
}

static void png_warn(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void png_feed(png_structp png, png_bytep out, size_t n)
{
	struct png_src *src = png_get_io_ptr(png);
	if (n > src->len - src->off)
		png_error(png, "the file ends inside the image");
	memcpy(out, src->data + src->off, n);
	src->off += n;
}

static void png_limit_chunks(png_structp png)
{
	static const png_byte skipped[] = "iCCP\0sPLT\0tEXt\0zTXt\0iTXt\0eXIf\0pCAL\0sCAL\0hIST";
	png_set_chunk_cache_max(png, PNG_CHUNK_CACHE);
	png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
	png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, skipped, 9);
}

/* Everything that reaches shrink_row is 8-bit RGBA, whatever the file's
 * depth, palette or transparency.  Returns the number of passes. */
static int png_transforms(png_structp png, png_infop info)
{
	png_set_expand(png);
	png_set_strip_16(png);
	png_set_gray_to_rgb(png);
	png_set_filler(png, 0xff, PNG_FILLER_AFTER);
	int passes = png_set_interlace_handling(png);
	png_read_update_info(png, info);
	return passes;
}

/* Interlaced rows arrive in seven passes over the whole picture, so that
 * form keeps all of it (4 bytes a pixel) and has a smaller ceiling. */
static void png_rows(png_structp png, png_infop info, struct shrinker *s, int passes,
		     unsigned char *volatile *buf)
{
	uint32_t w = png_get_image_width(png, info), h = png_get_image_height(png, info);
	size_t stride = (size_t)w * 4;
	if (png_get_rowbytes(png, info) != stride)
		png_error(png, "unexpected row layout");
	if (passes == 1) {
		*buf = malloc(stride);
		if (!*buf)
			png_error(png, "out of memory");
		for (uint32_t y = 0; y < h; y++) {
			png_read_row(png, *buf, NULL);
			shrink_row(s, *buf, 4);
		}
	} else {
		*buf = calloc(h, stride);
		if (!*buf)
			png_error(png, "out of memory");
		for (int pass = 0; pass < passes; pass++)
			for (uint32_t y = 0; y < h; y++)
				png_read_row(png, *buf + y * stride, NULL);
		for (uint32_t y = 0; y < h; y++)
			shrink_row(s, *buf + y * stride, 4);
	}
	png_read_end(png, NULL);
}

static enum kesu_rc png_thumb(const void *data, size_t len, uint32_t max_side,
			      struct kesu_image *out, struct kesu_err *err)
{
	struct png_src src = {.data = data, .len = len};
	struct shrinker s = {0};
	unsigned char *volatile buf = NULL;
	volatile enum kesu_rc rc = KESU_OK;
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_fail, png_warn);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_read_struct(&png, NULL, NULL);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	if (setjmp(png_jmpbuf(png))) {
		if (!rc)
			rc = kesu_fail(err, strcmp(src.msg, "out of memory") ? KESU_ERR_INVALID
									  : KESU_ERR_INTERNAL,
				       0, "PNG: %s", src.msg);
		goto out;
	}
	png_set_read_fn(png, &src, png_feed);
	png_limit_chunks(png);
	png_read_info(png, info);
	uint32_t w = png_get_image_width(png, info), h = png_get_image_height(png, info);
	int interlaced = png_get_interlace_type(png, info) != PNG_INTERLACE_NONE;
	if ((rc = limits(w, h, interlaced ? KESU_IMAGE_MAX_INTERLACED : KESU_IMAGE_MAX_PIXELS, err)))
		goto out;
	int passes = png_transforms(png, info);
	if ((rc = shrink_begin(&s, w, h, max_side, out, err)))
		goto out;
	png_rows(png, info, &s, passes, &buf);
out:
	png_destroy_read_struct(&png, &info, NULL);
	shrink_end(&s);
	free(buf);
	return rc;
}

/* libjpeg reports errors by calling error_exit, which must not return:
 * we jump back to jpeg_thumb.  Its warnings (corrupt data, a premature
 * end of file filled with grey) end the decoding too: a damaged photo is
 * shown as damaged, not as a half-grey picture. */
struct jerr {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	bool refused;
	char msg[JMSG_LENGTH_MAX];
};

static void j_exit(j_common_ptr c)
{
	struct jerr *e = (struct jerr *)c->err;
	c->err->format_message(c, e->msg);
	longjmp(e->jb, 1);
}

static void j_emit(j_common_ptr c, int level)
{
	if (level < 0)
		j_exit(c);
}

static void j_progress(j_common_ptr c)
{
	struct jerr *e = (struct jerr *)c->err;
	if (c->is_decompressor && ((j_decompress_ptr)c)->input_scan_number > JPEG_MAX_SCANS) {
		e->refused = true;
		snprintf(e->msg, sizeof(e->msg), "more than %d scans", JPEG_MAX_SCANS);
		longjmp(e->jb, 1);
	}
}

/* Read the scanlines of a started decompression, one at a time, into the
 * shrinker. */
static void jpeg_rows(j_decompress_ptr d, unsigned char *row, struct shrinker *s)
{
	while (d->output_scanline < d->output_height) {
		JSAMPROW r = row;
		jpeg_read_scanlines(d, &r, 1);
		shrink_row(s, row, 3);
	}
	jpeg_finish_decompress(d);
}

static enum kesu_rc jpeg_thumb(const void *data, size_t len, uint32_t max_side,
			       struct kesu_image *out, struct kesu_err *err)
{
	struct jpeg_decompress_struct d;
	struct jerr je = {.refused = false};
	struct jpeg_progress_mgr prog = {.progress_monitor = j_progress};
	struct shrinker s = {0};
	unsigned char *volatile row = NULL;
	volatile enum kesu_rc rc = KESU_OK;
	memset(&d, 0, sizeof(d));
	d.err = jpeg_std_error(&je.pub);
	je.pub.error_exit = j_exit;
	je.pub.emit_message = j_emit;
	if (setjmp(je.jb)) {
		rc = kesu_fail(err, je.refused ? KESU_ERR_REFUSED : KESU_ERR_INVALID, 0,
			       "JPEG: %s", je.msg);
		goto out;
	}
	jpeg_create_decompress(&d);
	d.mem->max_memory_to_use = JPEG_MAX_MEMORY;
	d.progress = &prog;
	jpeg_mem_src(&d, data, (unsigned long)len);
	jpeg_read_header(&d, TRUE);
	if ((rc = limits(d.image_width, d.image_height, KESU_IMAGE_MAX_PIXELS, err)))
		goto out;
	uint32_t big = d.image_width > d.image_height ? d.image_width : d.image_height;
	d.out_color_space = JCS_RGB;
	d.scale_num = 1;
	d.scale_denom = 1;
	/* libjpeg scales by 1/2, 1/4, 1/8 while decoding: far less to filter. */
	while (d.scale_denom < 8 && big / (d.scale_denom * 2) >= max_side)
		d.scale_denom *= 2;
	jpeg_start_decompress(&d);
	if ((rc = shrink_begin(&s, d.output_width, d.output_height, max_side, out, err)))
		goto out;
	if (!(row = malloc((size_t)d.output_width * 3))) {
		rc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
		goto out;
	}
	jpeg_rows(&d, row, &s);
out:
	jpeg_destroy_decompress(&d);
	shrink_end(&s);
	free(row);
	return rc;
}

enum kesu_rc kesu_image_thumb(const void *data, size_t len, uint32_t max_side,
			      struct kesu_image *out, struct kesu_err *err)
{
	memset(out, 0, sizeof(*out));
	if (len > KESU_IMAGE_MAX_BYTES)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "the image file is larger than %u MiB", KESU_IMAGE_MAX_BYTES >> 20);
	max_side = max_side ? max_side : 1;
	enum kesu_rc rc;
	switch (kesu_image_sniff(data, len)) {
	case KESU_IMAGE_JPEG:
		rc = jpeg_thumb(data, len, max_side, out, err);
		break;
	case KESU_IMAGE_PNG:
		rc = png_thumb(data, len, max_side, out, err);
		break;
	default:
		return kesu_fail(err, KESU_ERR_NOTSUP, 0, "not a JPEG or PNG image");
	}
	if (rc)
		kesu_image_free(out);
	return rc;
}
