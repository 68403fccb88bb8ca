/* Drawing a document model (doc.h) as an A4 PDF with Cairo and Pango:
 * plain-text layouts only (no Pango markup, so nothing in a value is ever
 * read as markup), IPAexGothic embedded, the QR code from libqrencode.
 * The bytes depend only on the model, the creation time and the fonts, so
 * a page can be compared against a reference image. */
#ifndef KESU_PRINT_RENDER_H
#define KESU_PRINT_RENDER_H

#include "certs/print/doc.h"
#include "lib/error.h"

#include <stddef.h>
#include <time.h>

/* The font every page uses (fonts-ipaexfont). */
#define KESU_PDF_FONT "IPAexGothic"

/* Render d into a new buffer (*pdf, freed with free()).  created is the
 * PDF's creation and modification date; creator names the program. */
enum kesu_rc kesu_pdf_render(const struct kesu_doc *d, time_t created,
			     const char *creator, unsigned char **pdf,
			     size_t *len, struct kesu_err *err);

#endif
