/* kesu's side of kesu-print.so (render.c and image.c with Cairo, Pango,
 * libqrencode, libjpeg and libpng): the same functions, loaded on first
 * use (lib/plugin.h).  Only the kesu executable links this file; tests
 * link render.c and image.c themselves. */
#include "certs/print/image.h"
#include "certs/print/render.h"
#include "lib/plugin.h"

enum kesu_rc kesu_pdf_render(const struct kesu_doc *d, time_t created,
			     const char *creator, unsigned char **pdf,
			     size_t *len, struct kesu_err *err)
{
	void *f;
	enum kesu_rc rc = kesu_plugin_sym("print", "kesu_pdf_render", &f, err);
	if (rc != KESU_OK)
		return rc;
	enum kesu_rc (*fn)(const struct kesu_doc *, time_t, const char *,
			   unsigned char **, size_t *, struct kesu_err *) = f;
	return fn(d, created, creator, pdf, len, err);
}

enum kesu_rc kesu_image_thumb(const void *data, size_t len, uint32_t max_side,
			      struct kesu_image *out, struct kesu_err *err)
{
	void *f;
	enum kesu_rc rc = kesu_plugin_sym("print", "kesu_image_thumb", &f, err);
	if (rc != KESU_OK) {
		*out = (struct kesu_image){0};
		return rc;
	}
	enum kesu_rc (*fn)(const void *, size_t, uint32_t, struct kesu_image *,
			   struct kesu_err *) = f;
	return fn(data, len, max_side, out, err);
}
