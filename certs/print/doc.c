#include "certs/print/doc.h"
#include "certs/print/text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool kesu_lang_parse(const char *s, enum kesu_lang *out)
{
	if (!strcmp(s, "ja"))
		*out = KESU_LANG_JA;
	else if (!strcmp(s, "en"))
		*out = KESU_LANG_EN;
	else if (!strcmp(s, "ja+en"))
		*out = KESU_LANG_JA_EN;
	else
		return false;
	return true;
}

struct kesu_doc *kesu_doc_new(void)
{
	return calloc(1, sizeof(struct kesu_doc));
}

static void blk_free(struct kesu_blk *b)
{
	free(b->label);
	free(b->label2);
	free(b->text);
	for (size_t i = 0; i < b->ncells; i++)
		free(b->cells[i]);
	free(b->cells);
	kesu_image_free(&b->img);
}

void kesu_doc_free(struct kesu_doc *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		blk_free(&d->blk[i]);
	free(d->blk);
	free(d->title);
	free(d->subject);
	free(d->footer);
	free(d);
}

static char *safe(struct kesu_doc *d, const char *s, size_t max)
{
	bool rep;
	char *r = kesu_print_text(s, max, &rep);
	if (!r)
		d->oom = true;
	d->replaced |= rep;
	return r;
}

struct kesu_blk *kesu_doc_add(struct kesu_doc *d, enum kesu_blk_kind kind,
			      const char *label, const char *label2,
			      const char *text)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct kesu_blk *nb = realloc(d->blk, cap * sizeof(*nb));
		if (!nb) {
			d->oom = true;
			return NULL;
		}
		d->blk = nb;
		d->cap = cap;
	}
	struct kesu_blk *b = &d->blk[d->n++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->label = label ? safe(d, label, KESU_PRINT_MAX_CHARS) : NULL;
	b->label2 = label2 ? safe(d, label2, KESU_PRINT_MAX_CHARS) : NULL;
	/* A QR payload is ours and short; other text is bounded for the page. */
	b->text = safe(d, text, kind == KESU_BLK_NOTE ? 4 * KESU_PRINT_MAX_CHARS
						      : KESU_PRINT_MAX_CHARS);
	return b;
}

const char *kesu_lang_pick(enum kesu_lang lang, const char *ja, const char *en,
			   char *buf, size_t bufsz)
{
	if (lang == KESU_LANG_JA)
		return ja;
	if (lang == KESU_LANG_EN)
		return en;
	snprintf(buf, bufsz, "%s / %s", ja, en);
	return buf;
}

struct kesu_blk *kesu_doc_field(struct kesu_doc *d, enum kesu_lang lang,
				const char *ja, const char *en,
				const char *value)
{
	return kesu_doc_add(d, KESU_BLK_FIELD, lang == KESU_LANG_EN ? en : ja,
			    lang == KESU_LANG_JA_EN ? en : NULL, value);
}

struct kesu_blk *kesu_doc_section(struct kesu_doc *d, enum kesu_lang lang,
				  const char *ja, const char *en)
{
	return kesu_doc_add(d, KESU_BLK_SECTION, lang == KESU_LANG_EN ? en : ja,
			    lang == KESU_LANG_JA_EN ? en : NULL, "");
}

void kesu_doc_cells(struct kesu_doc *d, struct kesu_blk *b,
		    const char *const *cells, size_t n)
{
	if (!b)
		return;
	b->cells = calloc(n ? n : 1, sizeof(char *));
	if (!b->cells) {
		d->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++)
		b->cells[i] = safe(d, cells[i], KESU_PRINT_MAX_CHARS);
	b->ncells = n;
}

struct kesu_blk *kesu_doc_table_head(struct kesu_doc *d, const char *const *cells,
				     const double *widths, size_t n)
{
	if (n > KESU_DOC_MAX_COLS)
		n = KESU_DOC_MAX_COLS;
	struct kesu_blk *b = kesu_doc_add(d, KESU_BLK_TABLE_HEAD, NULL, NULL, "");
	kesu_doc_cells(d, b, cells, n);
	for (size_t i = 0; b && i < n; i++)
		b->widths[i] = widths[i];
	return b;
}

void kesu_doc_table_row(struct kesu_doc *d, const char *const *cells, size_t n)
{
	kesu_doc_cells(d, kesu_doc_add(d, KESU_BLK_TABLE_ROW, NULL, NULL, ""), cells, n);
}

struct kesu_blk *kesu_doc_image(struct kesu_doc *d, const struct kesu_image *img,
				const char *const *cells, size_t n)
{
	size_t bytes = (size_t)img->w * img->h * sizeof(*img->px);
	uint32_t *px = bytes ? malloc(bytes) : NULL;
	struct kesu_blk *b = px ? kesu_doc_add(d, KESU_BLK_IMAGE, NULL, NULL, "") : NULL;
	if (!b) {
		free(px);
		d->oom = true;
		return NULL;
	}
	memcpy(px, img->px, bytes);
	b->img = (struct kesu_image){img->w, img->h, px};
	kesu_doc_cells(d, b, cells, n);
	return b;
}

const struct kesu_blk *kesu_doc_find(const struct kesu_doc *d, const char *label)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct kesu_blk *b = &d->blk[i];
		if (b->kind == KESU_BLK_FIELD &&
		    ((b->label && !strcmp(b->label, label)) ||
		     (b->label2 && !strcmp(b->label2, label))))
			return b;
	}
	return NULL;
}

size_t kesu_doc_count(const struct kesu_doc *d, enum kesu_blk_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += d->blk[i].kind == kind;
	return n;
}
