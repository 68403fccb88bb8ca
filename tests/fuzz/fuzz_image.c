/* Evidence photos: the JPEG (libjpeg-turbo) and PNG (libpng) thumbnail
 * loader with its limits, as kesu cert pdf uses it on the files beside a
 * destruction document. */
#include "certs/print/image.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kesu_image img;
	struct kesu_err err;
	if (kesu_image_thumb(data, size, KESU_THUMB_SIDE, &img, &err) == KESU_OK) {
		/* Every pixel of the thumbnail is defined and inside it. */
		uint32_t acc = 0;
		for (size_t i = 0; i < (size_t)img.w * img.h; i++)
			acc |= img.px[i];
		if (img.w > KESU_THUMB_SIDE || img.h > KESU_THUMB_SIDE || (acc >> 24))
			abort();
		kesu_image_free(&img);
	}
	return 0;
}
