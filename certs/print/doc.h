/* What a printed page says, apart from how it is drawn: a list of blocks
 * (title, banners, labelled fields, tables, seal boxes, a QR code) that the
 * certificate and report builders fill from signed data, and that the
 * Cairo renderer (render.h) lays out on A4.  Pure data, so tests can ask
 * which labels, values and banners a document yields without drawing. */
#ifndef KESU_PRINT_DOC_H
#define KESU_PRINT_DOC_H

#include "certs/print/image.h"

#include <stdbool.h>
#include <stddef.h>

/* Which labels a page carries: Japanese, English, or Japanese with the
 * English beside it (the default). */
enum kesu_lang { KESU_LANG_JA = 1, KESU_LANG_EN = 2, KESU_LANG_JA_EN = 3 };

/* "ja", "en", "ja+en"; false for anything else. */
bool kesu_lang_parse(const char *s, enum kesu_lang *out);

enum kesu_blk_kind {
	KESU_BLK_TITLE,      /* text; label2 a subtitle */
	KESU_BLK_BANNER,     /* text, level 1 caution, 2 danger */
	KESU_BLK_SECTION,    /* label (label2) */
	KESU_BLK_FIELD,      /* label (label2): text */
	KESU_BLK_NOTE,       /* text, small */
	KESU_BLK_TABLE_HEAD, /* cells, widths; repeated on every page it spans */
	KESU_BLK_TABLE_ROW,  /* cells */
	KESU_BLK_SEALS,      /* cells: the caption of each empty box */
	KESU_BLK_QR,         /* text: the payload; cells: lines printed beside */
	KESU_BLK_IMAGE,      /* img: a thumbnail in a fixed box; cells: captions under it */
};

#define KESU_DOC_MAX_COLS 12

struct kesu_blk {
	enum kesu_blk_kind kind;
	char *label, *label2, *text;
	int level;
	bool half;     /* FIELD: may share its line with the next half field */
	bool mono;     /* hashes and identifiers: never broken into words */
	char **cells;
	size_t ncells;
	double widths[KESU_DOC_MAX_COLS]; /* TABLE_HEAD: relative column widths */
	struct kesu_image img;            /* IMAGE: the block's own copy */
};

struct kesu_doc {
	char *title;     /* PDF metadata title */
	char *subject;   /* PDF metadata subject */
	char *footer;    /* on every page, with "n / N" */
	bool landscape;
	bool replaced;   /* some value had hidden characters made visible */
	bool oom;        /* an allocation failed: the document is incomplete */
	struct kesu_blk *blk;
	size_t n, cap;
};

struct kesu_doc *kesu_doc_new(void);
void kesu_doc_free(struct kesu_doc *d);

/* Append a block.  Every string is copied through kesu_print_text, so
 * values from devices, people and files are shown safely; NULL text
 * prints "-".  The returned block (NULL on out of memory, also recorded in
 * d->oom) stays valid until the next append. */
struct kesu_blk *kesu_doc_add(struct kesu_doc *d, enum kesu_blk_kind kind,
			      const char *label, const char *label2,
			      const char *text);

/* A labelled field in the document's language: ja and en are the two
 * labels; with KESU_LANG_JA_EN both are kept. */
struct kesu_blk *kesu_doc_field(struct kesu_doc *d, enum kesu_lang lang,
				const char *ja, const char *en,
				const char *value);
struct kesu_blk *kesu_doc_section(struct kesu_doc *d, enum kesu_lang lang,
				  const char *ja, const char *en);

/* Set a block's cells (copied and made safe). */
void kesu_doc_cells(struct kesu_doc *d, struct kesu_blk *b,
		    const char *const *cells, size_t n);

/* A table's head row, each column's width relative to the others (a head
 * of more than KESU_DOC_MAX_COLS cells keeps the first ones), and a row
 * under it. */
struct kesu_blk *kesu_doc_table_head(struct kesu_doc *d, const char *const *cells,
				     const double *widths, size_t n);
void kesu_doc_table_row(struct kesu_doc *d, const char *const *cells, size_t n);

/* An IMAGE block holding a copy of img's pixels, captioned by cells. */
struct kesu_blk *kesu_doc_image(struct kesu_doc *d, const struct kesu_image *img,
				const char *const *cells, size_t n);

/* "ja / en", "ja" or "en" for a text in the document's language (the
 * result is static storage for two-part labels: callers copy it). */
const char *kesu_lang_pick(enum kesu_lang lang, const char *ja, const char *en,
			   char *buf, size_t bufsz)
	__attribute__((warn_unused_result));

/* The first FIELD whose label or label2 is `label`, or NULL (tests). */
const struct kesu_blk *kesu_doc_find(const struct kesu_doc *d, const char *label);
/* Number of blocks of a kind (tests). */
size_t kesu_doc_count(const struct kesu_doc *d, enum kesu_blk_kind kind);

#endif
