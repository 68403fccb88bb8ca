/* What needs no decoder: recognising a photo's type and freeing a
 * thumbnail.  The decoders (image.c, libjpeg and libpng) are in
 * kesu-print.so (lib/plugin.h). */
#include "certs/print/image.h"

#include <stdlib.h>
#include <string.h>

enum kesu_image_type kesu_image_sniff(const void *data, size_t len)
{
	static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	const unsigned char *p = data;
	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return KESU_IMAGE_JPEG;
	if (len >= sizeof(png_sig) && !memcmp(p, png_sig, sizeof(png_sig)))
		return KESU_IMAGE_PNG;
	return KESU_IMAGE_NONE;
}

void kesu_image_free(struct kesu_image *img)
{
	if (!img)
		return;
	free(img->px);
	memset(img, 0, sizeof(*img));
}
