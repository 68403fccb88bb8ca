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

static enum kesu_rc limits(uint64_t w, uint64_t h, struct kesu_err *err)
{
	if (!w || !h)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "the image has no pixels");
	if (w > KESU_IMAGE_MAX_SIDE || h > KESU_IMAGE_MAX_SIDE || w * h > KESU_IMAGE_MAX_PIXELS)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "the image declares %llu x %llu pixels, more than kesu draws "
				 "(%u megapixels, %u per side)", (unsigned long long)w,
				 (unsigned long long)h, KESU_IMAGE_MAX_PIXELS / 1000000,
				 KESU_IMAGE_MAX_SIDE);
	return KESU_OK;
}

/* Box-filter rgb (3 bytes a pixel) down to fit max_side: every source
 * pixel is read once, so the cost is the image's size. */
static enum kesu_rc shrink(const unsigned char *rgb, uint32_t w, uint32_t h, size_t stride,
			   uint32_t max_side, struct kesu_image *out, struct kesu_err *err)
{
	uint32_t big = w > h ? w : h, tw = w, th = h;
	if (big > max_side) {
		tw = (uint32_t)((uint64_t)w * max_side / big);
		th = (uint32_t)((uint64_t)h * max_side / big);
	}
	tw = tw ? tw : 1;
	th = th ? th : 1;
	out->px = malloc((size_t)tw * th * sizeof(*out->px));
	if (!out->px)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	for (uint32_t y = 0; y < th; y++) {
		uint32_t y0 = (uint32_t)((uint64_t)y * h / th), y1 = (uint32_t)((uint64_t)(y + 1) * h / th);
		y1 = y1 > y0 ? y1 : y0 + 1;
		for (uint32_t x = 0; x < tw; x++) {
			uint32_t x0 = (uint32_t)((uint64_t)x * w / tw), x1 = (uint32_t)((uint64_t)(x + 1) * w / tw);
			x1 = x1 > x0 ? x1 : x0 + 1;
			uint64_t s[3] = {0, 0, 0}, n = (uint64_t)(x1 - x0) * (y1 - y0);
			for (uint32_t yy = y0; yy < y1; yy++) {
				const unsigned char *p = rgb + yy * stride + (size_t)x0 * 3;
				for (uint32_t xx = x0; xx < x1; xx++, p += 3) {
					s[0] += p[0];
					s[1] += p[1];
					s[2] += p[2];
				}
			}
			out->px[(size_t)y * tw + x] = (uint32_t)(s[0] / n) << 16 |
						      (uint32_t)(s[1] / n) << 8 | (uint32_t)(s[2] / n);
		}
	}
	out->w = tw;
	out->h = th;
	return KESU_OK;
}

static enum kesu_rc png_thumb(const void *data, size_t len, uint32_t max_side,
			      struct kesu_image *out, struct kesu_err *err)
{
	png_image img;
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_memory(&img, data, len))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "PNG: %s", img.message);
	enum kesu_rc rc = limits(img.width, img.height, err);
	if (rc) {
		png_image_free(&img);
		return rc;
	}
	img.format = PNG_FORMAT_RGB;
	size_t stride = PNG_IMAGE_ROW_STRIDE(img);
	unsigned char *rgb = malloc(stride * img.height);
	png_color white = {255, 255, 255};
	if (!rgb)
		rc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	else if (!png_image_finish_read(&img, &white, rgb, (png_int_32)stride, NULL))
		rc = kesu_fail(err, KESU_ERR_INVALID, 0, "PNG: %s", img.message);
	else
		rc = shrink(rgb, img.width, img.height, stride, max_side, out, err);
	png_image_free(&img);
	free(rgb);
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

/* Read the scanlines of a started decompression into rgb. */
static void jpeg_rows(j_decompress_ptr d, unsigned char *rgb, size_t stride)
{
	while (d->output_scanline < d->output_height) {
		JSAMPROW row = rgb + stride * d->output_scanline;
		jpeg_read_scanlines(d, &row, 1);
	}
	jpeg_finish_decompress(d);
}

static enum kesu_rc jpeg_thumb(const void *data, size_t len, uint32_t max_side,
			       struct kesu_image *out, struct kesu_err *err)
{
	struct jpeg_decompress_struct d;
	struct jerr je = {.refused = false};
	struct jpeg_progress_mgr prog = {.progress_monitor = j_progress};
	unsigned char *volatile rgb = NULL;
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
	if ((rc = limits(d.image_width, d.image_height, err)))
		goto out;
	uint32_t big = d.image_width > d.image_height ? d.image_width : d.image_height;
	d.out_color_space = JCS_RGB;
	d.scale_num = 1;
	d.scale_denom = 1;
	/* libjpeg scales by 1/2, 1/4, 1/8 while decoding: far less to keep. */
	while (d.scale_denom < 8 && big / (d.scale_denom * 2) >= max_side)
		d.scale_denom *= 2;
	jpeg_start_decompress(&d);
	size_t stride = (size_t)d.output_width * 3;
	rgb = malloc(stride * d.output_height);
	if (!rgb) {
		rc = kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
		goto out;
	}
	jpeg_rows(&d, rgb, stride);
	rc = shrink(rgb, d.output_width, d.output_height, stride, max_side, out, err);
out:
	jpeg_destroy_decompress(&d);
	free(rgb);
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
