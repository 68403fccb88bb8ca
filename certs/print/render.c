#include "certs/print/render.h"
#include "lib/timefmt.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

/* A4 in points. */
#define A4_W 595.276
#define A4_H 841.890
#define MARGIN 34.0
#define FOOT 26.0
#define PAD 1.8
#define GAP 6.0

struct buf {
	unsigned char *p;
	size_t n, cap;
	bool oom, discard;
};

static cairo_status_t write_buf(void *arg, const unsigned char *data, unsigned int len)
{
	struct buf *b = arg;
	if (b->discard)
		return CAIRO_STATUS_SUCCESS;
	if (b->n + len > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->n + len)
			cap *= 2;
		unsigned char *np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return CAIRO_STATUS_WRITE_ERROR;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->n, data, len);
	b->n += len;
	return CAIRO_STATUS_SUCCESS;
}

struct pen {
	cairo_t *cr;
	PangoContext *pc;    /* on a font map of our own, freed with the page */
	bool draw;           /* false: only measure (the first pass counts pages) */
	double w, h, x0, x1, y, bottom;
	int page, pages;
	const struct kesu_doc *d;
	const struct kesu_blk *head;   /* the table head to repeat */
};

/* A plain-text layout: width in points, at most max_lines lines (then
 * "…"), wrapping at words and, inside long words such as serials and
 * hashes, at characters. */
static PangoLayout *text(struct pen *p, const char *s, double size, double width,
			 int max_lines)
{
	PangoLayout *l = pango_layout_new(p->pc);
	PangoFontDescription *fd = pango_font_description_new();
	pango_font_description_set_family(fd, KESU_PDF_FONT);
	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	if (max_lines > 0) {
		pango_layout_set_height(l, -max_lines);
		pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
	}
	pango_layout_set_text(l, s ? s : "", -1);
	return l;
}

static double height(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

static void show(struct pen *p, PangoLayout *l, double x, double y, double grey)
{
	if (p->draw) {
		cairo_set_source_rgb(p->cr, grey, grey, grey);
		cairo_move_to(p->cr, x, y);
		pango_cairo_show_layout(p->cr, l);
	}
}

static void rect(struct pen *p, double x, double y, double w, double h,
		 double fr, double fg, double fb, double sr, double sg, double sb,
		 double lw)
{
	if (!p->draw)
		return;
	cairo_rectangle(p->cr, x, y, w, h);
	if (fr >= 0) {
		cairo_set_source_rgb(p->cr, fr, fg, fb);
		cairo_fill_preserve(p->cr);
	}
	if (lw > 0) {
		cairo_set_source_rgb(p->cr, sr, sg, sb);
		cairo_set_line_width(p->cr, lw);
		cairo_stroke(p->cr);
	} else {
		cairo_new_path(p->cr);
	}
}

static void footer(struct pen *p)
{
	char n[32];
	snprintf(n, sizeof(n), "%d / %d", p->page, p->pages);
	PangoLayout *l = text(p, p->d->footer, 6.5, p->x1 - p->x0 - 50, 2);
	show(p, l, p->x0, p->h - FOOT + 6, 0.35);
	g_object_unref(l);
	l = text(p, n, 7, 50, 1);
	pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
	show(p, l, p->x1 - 50, p->h - FOOT + 6, 0.35);
	g_object_unref(l);
}

static void new_page(struct pen *p)
{
	footer(p);
	if (p->draw)
		cairo_show_page(p->cr);
	p->page++;
	p->y = MARGIN;
}

/* ---- blocks: each measures itself, and draws when p->draw ---- */

static double field_h(struct pen *p, const struct kesu_blk *b, double w, double *lw)
{
	/* One label width for full and half rows, so values line up. */
	*lw = 100;
	PangoLayout *a = text(p, b->label, 7.6, *lw - 2 * PAD, 3);
	double h = height(a);
	g_object_unref(a);
	if (b->label2) {
		a = text(p, b->label2, 6.2, *lw - 2 * PAD, 2);
		h += height(a);
		g_object_unref(a);
	}
	PangoLayout *v = text(p, b->text, 8.4, w - *lw - 2 * PAD, 6);
	double hv = height(v);
	g_object_unref(v);
	return (h > hv ? h : hv) + 2 * PAD;
}

static void field_draw(struct pen *p, const struct kesu_blk *b, double x, double w, double h)
{
	double lw;
	field_h(p, b, w, &lw);
	rect(p, x, p->y, lw, h, 0.95, 0.95, 0.95, 0, 0, 0, 0);
	PangoLayout *a = text(p, b->label, 7.6, lw - 2 * PAD, 3);
	show(p, a, x + PAD, p->y + PAD, 0.1);
	double ha = height(a);
	g_object_unref(a);
	if (b->label2) {
		a = text(p, b->label2, 6.2, lw - 2 * PAD, 2);
		show(p, a, x + PAD, p->y + PAD + ha, 0.4);
		g_object_unref(a);
	}
	PangoLayout *v = text(p, b->text, 8.4, w - lw - 2 * PAD, 6);
	show(p, v, x + lw + PAD, p->y + PAD, 0);
	g_object_unref(v);
	if (p->draw) {
		cairo_set_source_rgb(p->cr, 0.75, 0.75, 0.75);
		cairo_set_line_width(p->cr, 0.4);
		cairo_move_to(p->cr, x, p->y + h);
		cairo_line_to(p->cr, x + w, p->y + h);
		cairo_stroke(p->cr);
	}
}

static void cols(const struct kesu_blk *head, double w, double *cw, size_t n)
{
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += head && head->widths[i] > 0 ? head->widths[i] : 1;
	for (size_t i = 0; i < n; i++)
		cw[i] = w * (head && head->widths[i] > 0 ? head->widths[i] : 1) / sum;
}

static double row(struct pen *p, const struct kesu_blk *b, bool is_head, bool draw)
{
	size_t n = b->ncells < KESU_DOC_MAX_COLS ? b->ncells : KESU_DOC_MAX_COLS;
	double cw[KESU_DOC_MAX_COLS], w = p->x1 - p->x0, h = 0;
	double size = p->d->landscape ? 7.0 : 8.0;
	cols(p->head, w, cw, n);
	for (size_t i = 0; i < n; i++) {
		PangoLayout *l = text(p, b->cells[i], size, cw[i] - 2 * PAD, is_head ? 3 : 4);
		double hh = height(l);
		g_object_unref(l);
		h = hh > h ? hh : h;
	}
	h += 2 * PAD;
	if (!draw)
		return h;
	double x = p->x0;
	for (size_t i = 0; i < n; i++) {
		if (is_head)
			rect(p, x, p->y, cw[i], h, 0.85, 0.85, 0.85, 0.4, 0.4, 0.4, 0.5);
		else
			rect(p, x, p->y, cw[i], h, -1, 0, 0, 0.6, 0.6, 0.6, 0.4);
		PangoLayout *l = text(p, b->cells[i], size, cw[i] - 2 * PAD, is_head ? 3 : 4);
		show(p, l, x + PAD, p->y + PAD, 0);
		g_object_unref(l);
		x += cw[i];
	}
	return h;
}

static double seals(struct pen *p, const struct kesu_blk *b, bool draw)
{
	double bw = 118, bh = 96, cap = 22;
	if (!draw)
		return bh + GAP;
	double x = p->x1 - (double)b->ncells * bw;
	for (size_t i = 0; i < b->ncells; i++, x += bw) {
		rect(p, x, p->y, bw, bh, -1, 0, 0, 0.2, 0.2, 0.2, 0.8);
		rect(p, x, p->y, bw, cap, 0.92, 0.92, 0.92, 0.2, 0.2, 0.2, 0.8);
		PangoLayout *l = text(p, b->cells[i], 7.2, bw - 2 * PAD, 2);
		pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
		show(p, l, x + PAD, p->y + 1.5, 0);
		g_object_unref(l);
	}
	return bh + GAP;
}

static double qr(struct pen *p, const struct kesu_blk *b, bool draw)
{
	QRcode *q = QRcode_encodeString(b->text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	double side = 96, tx = p->x0 + side + 12, h = side;
	double tw = p->x1 - tx, y = p->y;
	for (size_t i = 0; i < b->ncells; i++) {
		PangoLayout *l = text(p, b->cells[i], 8, tw, 3);
		double hh = height(l);
		show(p, l, tx, y, 0);
		g_object_unref(l);
		y += hh + 2;
	}
	h = y - p->y > h ? y - p->y : h;
	if (draw && q) {
		/* Four modules of quiet zone, as the standard asks, so scanners
		 * find it next to text. */
		int n = q->width + 8;
		double m = side / n;
		cairo_set_source_rgb(p->cr, 1, 1, 1);
		cairo_rectangle(p->cr, p->x0, p->y, side, side);
		cairo_fill(p->cr);
		cairo_set_source_rgb(p->cr, 0, 0, 0);
		for (int yy = 0; yy < q->width; yy++)
			for (int xx = 0; xx < q->width; xx++)
				if (q->data[yy * q->width + xx] & 1)
					cairo_rectangle(p->cr, p->x0 + (xx + 4) * m,
							p->y + (yy + 4) * m, m, m);
		cairo_fill(p->cr);
	}
	QRcode_free(q);
	return h + GAP;
}

/* A photo scaled into a fixed box (60 x 45 mm), aspect ratio kept, on a
 * light frame, with its captions (file name, hash) under it. */
#define IMG_W 170.0
#define IMG_H 128.0

static double image(struct pen *p, const struct kesu_blk *b, bool draw)
{
	double y = p->y + IMG_H + 2, w = p->x1 - p->x0;
	for (size_t i = 0; i < b->ncells; i++) {
		PangoLayout *l = text(p, b->cells[i], 7, w, 2);
		if (draw)
			show(p, l, p->x0, y, 0.15);
		y += height(l);
		g_object_unref(l);
	}
	if (draw && b->img.w && b->img.h) {
		const struct kesu_image *im = &b->img;
		double k = IMG_W / im->w < IMG_H / im->h ? IMG_W / im->w : IMG_H / im->h;
		double dw = im->w * k, dh = im->h * k;
		double x = p->x0 + (IMG_W - dw) / 2, yy = p->y + (IMG_H - dh) / 2;
		rect(p, p->x0, p->y, IMG_W, IMG_H, 0.96, 0.96, 0.96, 0.6, 0.6, 0.6, 0.5);
		cairo_surface_t *s = cairo_image_surface_create_for_data(
			(unsigned char *)im->px, CAIRO_FORMAT_RGB24, (int)im->w, (int)im->h,
			(int)im->w * 4);
		cairo_save(p->cr);
		cairo_translate(p->cr, x, yy);
		cairo_scale(p->cr, k, k);
		cairo_set_source_surface(p->cr, s, 0, 0);
		cairo_rectangle(p->cr, 0, 0, im->w, im->h);
		cairo_fill(p->cr);
		cairo_restore(p->cr);
		cairo_surface_destroy(s);
	}
	return y - p->y + GAP;
}

/* Height of block i (with a half field's partner when they pair). */
static double measure(struct pen *p, size_t i, bool *paired)
{
	const struct kesu_blk *b = &p->d->blk[i];
	double w = p->x1 - p->x0, lw, h = 0;
	PangoLayout *l;
	*paired = false;
	switch (b->kind) {
	case KESU_BLK_TITLE:
		l = text(p, b->text, 19, w, 2);
		h = height(l);
		g_object_unref(l);
		if (b->label2) {
			l = text(p, b->label2, 10.5, w, 2);
			h += height(l);
			g_object_unref(l);
		}
		return h + GAP;
	case KESU_BLK_BANNER:
		l = text(p, b->text, b->level > 1 ? 11 : 8.8, w - 16, 4);
		h = height(l) + 10;
		g_object_unref(l);
		if (b->label2) {
			l = text(p, b->label2, 8, w - 16, 3);
			h += height(l);
			g_object_unref(l);
		}
		return h + 4;
	case KESU_BLK_SECTION:
		return 15 + 2;
	case KESU_BLK_FIELD:
		if (b->half && i + 1 < p->d->n && p->d->blk[i + 1].kind == KESU_BLK_FIELD &&
		    p->d->blk[i + 1].half) {
			double a = field_h(p, b, w / 2, &lw), c = field_h(p, &p->d->blk[i + 1], w / 2, &lw);
			*paired = true;
			return a > c ? a : c;
		}
		return field_h(p, b, w, &lw);
	case KESU_BLK_NOTE:
		l = text(p, b->text, 7.5, w, 8);
		h = height(l);
		g_object_unref(l);
		return h + 3;
	case KESU_BLK_TABLE_HEAD:
		p->head = b;
		return row(p, b, true, false);
	case KESU_BLK_TABLE_ROW:
		return row(p, b, false, false);
	case KESU_BLK_SEALS:
		return seals(p, b, false) + GAP;
	case KESU_BLK_QR: {
		bool d = p->draw;
		p->draw = false;
		h = qr(p, b, false);
		p->draw = d;
		return h;
	}
	case KESU_BLK_IMAGE:
		return image(p, b, false);
	}
	return 0;
}

static void draw_title(struct pen *p, const struct kesu_blk *b, double w)
{
	PangoLayout *l = text(p, b->text, 19, w, 2);
	pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
	show(p, l, p->x0, p->y, 0);
	double ht = height(l);
	g_object_unref(l);
	if (b->label2) {
		l = text(p, b->label2, 10.5, w, 2);
		pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
		show(p, l, p->x0, p->y + ht, 0.25);
		g_object_unref(l);
	}
}

/* Level 2 and up (a result other than erased) in red, heavier. */
static void draw_banner(struct pen *p, const struct kesu_blk *b, double w, double h)
{
	bool danger = b->level > 1;
	rect(p, p->x0, p->y, w, h - 4, 1, danger ? 0.88 : 0.96, danger ? 0.88 : 0.82,
	     danger ? 0.75 : 0.7, danger ? 0 : 0.45, 0, danger ? 2.2 : 1.2);
	PangoLayout *l = text(p, b->text, danger ? 11 : 8.8, w - 16, 4);
	show(p, l, p->x0 + 8, p->y + 5, 0);
	double hb = height(l);
	g_object_unref(l);
	if (b->label2) {
		l = text(p, b->label2, 8, w - 16, 3);
		show(p, l, p->x0 + 8, p->y + 5 + hb, 0.15);
		g_object_unref(l);
	}
}

static void draw_section(struct pen *p, const struct kesu_blk *b, double w)
{
	char s[600];
	snprintf(s, sizeof(s), "%s%s%s", b->label ? b->label : "",
		 b->label2 ? "  " : "", b->label2 ? b->label2 : "");
	rect(p, p->x0, p->y + 2, w, 14, 0.22, 0.3, 0.42, 0, 0, 0, 0);
	PangoLayout *l = text(p, s, 8.6, w - 8, 1);
	if (p->draw) {
		cairo_set_source_rgb(p->cr, 1, 1, 1);
		cairo_move_to(p->cr, p->x0 + 4, p->y + 3.5);
		pango_cairo_show_layout(p->cr, l);
	}
	g_object_unref(l);
}

static void draw_block(struct pen *p, size_t i, double h, bool paired)
{
	const struct kesu_blk *b = &p->d->blk[i];
	double w = p->x1 - p->x0;
	PangoLayout *l;
	switch (b->kind) {
	case KESU_BLK_TITLE:
		draw_title(p, b, w);
		break;
	case KESU_BLK_BANNER:
		draw_banner(p, b, w, h);
		break;
	case KESU_BLK_SECTION:
		draw_section(p, b, w);
		break;
	case KESU_BLK_FIELD:
		if (paired) {
			field_draw(p, b, p->x0, w / 2 - 3, h);
			field_draw(p, &p->d->blk[i + 1], p->x0 + w / 2 + 3, w / 2 - 3, h);
		} else {
			field_draw(p, b, p->x0, w, h);
		}
		break;
	case KESU_BLK_NOTE:
		l = text(p, b->text, 7.5, w, 8);
		show(p, l, p->x0, p->y + 1, 0.15);
		g_object_unref(l);
		break;
	case KESU_BLK_TABLE_HEAD:
		row(p, b, true, true);
		break;
	case KESU_BLK_TABLE_ROW:
		row(p, b, false, true);
		break;
	case KESU_BLK_SEALS:
		p->y += GAP;
		seals(p, b, true);
		p->y -= GAP;
		break;
	case KESU_BLK_QR:
		qr(p, b, true);
		break;
	case KESU_BLK_IMAGE:
		image(p, b, true);
		break;
	}
}

/* Lay out every block top to bottom, breaking pages where the next one
 * does not fit; a section heading moves with its first row, and a table
 * continued on a new page gets its head again. */
static void flow(struct pen *p)
{
	p->page = 1;
	p->y = MARGIN;
	p->head = NULL;
	for (size_t i = 0; i < p->d->n; i++) {
		const struct kesu_blk *b = &p->d->blk[i];
		bool paired, pn;
		double h = measure(p, i, &paired);
		double need = h;
		if (b->kind == KESU_BLK_SECTION && i + 1 < p->d->n)
			need += measure(p, i + 1, &pn);
		if (b->kind == KESU_BLK_TABLE_HEAD && i + 1 < p->d->n)
			need += measure(p, i + 1, &pn);
		if (b->kind != KESU_BLK_TABLE_HEAD && b->kind != KESU_BLK_TABLE_ROW)
			p->head = NULL;
		if (p->y + need > p->bottom && p->y > MARGIN) {
			new_page(p);
			if (b->kind == KESU_BLK_TABLE_ROW && p->head) {
				if (p->draw)
					row(p, p->head, true, true);
				p->y += row(p, p->head, true, false);
			}
		}
		if (b->kind == KESU_BLK_TABLE_HEAD)
			p->head = b;
		if (p->draw)
			draw_block(p, i, h, paired);
		p->y += h;
		if (paired)
			i++;
	}
	footer(p);
	if (p->draw)
		cairo_show_page(p->cr);
}

static void set_meta(cairo_surface_t *s, const struct kesu_doc *d, time_t created,
		     const char *creator)
{
	char t[KESU_TIME_LEN];
	kesu_time_format(created, t);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, d->title ? d->title : "");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_SUBJECT,
				       d->subject ? d->subject : "");
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, creator);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, t);
	cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, t);
}

static bool pass(const struct kesu_doc *d, struct buf *out, bool draw, int *pages,
		 time_t created, const char *creator)
{
	double w = d->landscape ? A4_H : A4_W, h = d->landscape ? A4_W : A4_H;
	cairo_surface_t *s = cairo_pdf_surface_create_for_stream(write_buf, out, w, h);
	cairo_t *cr = cairo_create(s);
	/* Hinting off: layout must not depend on the surface or the screen. */
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_set_font_options(cr, fo);
	/* A font map of our own rather than Pango's process-wide default:
	 * its font caches go when the document is done, not at exit. */
	PangoFontMap *fm = pango_cairo_font_map_new();
	PangoContext *pc = pango_font_map_create_context(fm);
	pango_cairo_context_set_font_options(pc, fo);
	pango_cairo_update_context(cr, pc);
	cairo_font_options_destroy(fo);
	set_meta(s, d, created, creator);
	struct pen p = {.cr = cr, .pc = pc, .draw = draw, .w = w, .h = h, .x0 = MARGIN,
			.x1 = w - MARGIN, .bottom = h - FOOT - 4, .d = d, .pages = *pages};
	flow(&p);
	*pages = p.page;
	g_object_unref(pc);
	g_object_unref(fm);
	cairo_destroy(cr);
	cairo_surface_finish(s);
	bool ok = cairo_surface_status(s) == CAIRO_STATUS_SUCCESS && !out->oom;
	cairo_surface_destroy(s);
	return ok;
}

enum kesu_rc kesu_pdf_render(const struct kesu_doc *d, time_t created,
			     const char *creator, unsigned char **pdf,
			     size_t *len, struct kesu_err *err)
{
	*pdf = NULL;
	*len = 0;
	if (d->oom)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	struct buf sink = {.discard = true}, out = {0};
	int pages = 0;
	/* The first pass only counts pages, for "n / N" in every footer. */
	if (!pass(d, &sink, false, &pages, created, creator) ||
	    !pass(d, &out, true, &pages, created, creator)) {
		free(out.p);
		return kesu_fail(err, KESU_ERR_INTERNAL, out.oom ? ENOMEM : 0,
				 "could not render the PDF (cairo failed; is the font %s "
				 "installed? make deps)", KESU_PDF_FONT);
	}
	*pdf = out.p;
	*len = out.n;
	return KESU_OK;
}
