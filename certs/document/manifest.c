/* The destruction manifest's CSV reader (manifest.h). */
#include "certs/document/manifest.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const kesu_manifest_columns[] = {"serial", "asset", "model", "technique",
	"particle_size_mm", "destroyed_at", "no_erasure_record", "label_photo",
	"destroyed_photo", "vendor_certificate", NULL};

#define MAX_COLS 10
#define FIELD_MAX KESU_MANIFEST_PATH_MAX

/* Where each column's text goes in a row. */
static char *slot(struct kesu_manifest_row *r, size_t col, size_t *size)
{
	struct { char *p; size_t n; } s[] = {
		{r->serial, sizeof(r->serial)}, {r->asset, sizeof(r->asset)},
		{r->model, sizeof(r->model)}, {r->technique, sizeof(r->technique)},
		{r->particle_size_mm, sizeof(r->particle_size_mm)},
		{r->destroyed_at, sizeof(r->destroyed_at)},
		{r->no_erasure_record, sizeof(r->no_erasure_record)},
		{r->label_photo, sizeof(r->label_photo)},
		{r->destroyed_photo, sizeof(r->destroyed_photo)},
		{r->vendor_certificate, sizeof(r->vendor_certificate)},
	};
	*size = s[col].n;
	return s[col].p;
}

struct reader {
	const char *buf;
	size_t len, pos, line;
};

/* One field into out (NUL-terminated); *end_of_row when it ended a row
 * (or the text).  Quotes only count at the start of a field. */
static enum kesu_rc field(struct reader *rd, char *out, size_t size, bool *end_of_row,
			  struct kesu_err *err)
{
	size_t n = 0, start_line = rd->line;
	bool quoted = rd->pos < rd->len && rd->buf[rd->pos] == '"';
	rd->pos += quoted;
	*end_of_row = false;
	for (;;) {
		if (rd->pos >= rd->len) {
			if (quoted)
				return kesu_fail(err, KESU_ERR_INVALID, 0, "line %zu: a quoted "
						 "field is never closed", start_line);
			*end_of_row = true;
			break;
		}
		char c = rd->buf[rd->pos++];
		if (quoted && c == '"') {
			if (rd->pos < rd->len && rd->buf[rd->pos] == '"') {
				rd->pos++;
			} else {
				quoted = false;
				if (rd->pos < rd->len && !strchr(",\r\n", rd->buf[rd->pos]))
					return kesu_fail(err, KESU_ERR_INVALID, 0, "line %zu: text "
							 "after a closing quote", rd->line);
				continue;
			}
		} else if (!quoted && c == ',') {
			break;
		} else if (!quoted && (c == '\n' || c == '\r')) {
			if (c == '\r' && rd->pos < rd->len && rd->buf[rd->pos] == '\n')
				rd->pos++;
			rd->line++;
			*end_of_row = true;
			break;
		} else if (c == '\n') {
			rd->line++;
		} else if (c == '\0') {
			return kesu_fail(err, KESU_ERR_INVALID, 0, "line %zu: a NUL byte", rd->line);
		}
		if (n + 1 >= size)
			return kesu_fail(err, KESU_ERR_INVALID, 0, "line %zu: a field longer "
					 "than %zu bytes", start_line, size - 1);
		out[n++] = c;
	}
	out[n] = '\0';
	return KESU_OK;
}

/* A field a person or a vendor typed: clean, nothing hidden, and short
 * enough for where it goes. */
static enum kesu_rc check_text(const char *s, size_t size, const char *col, size_t line,
			       struct kesu_err *err)
{
	if (!kesu_is_clean(s))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "line %zu: %s: control characters "
				 "or invalid UTF-8", line, col);
	unsigned cp = kesu_text_hidden_char(s);
	if (cp)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "line %zu: %s: the invisible or "
				 "direction-changing character U+%04X", line, col, cp);
	if (strlen(s) >= size)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "line %zu: %s: longer than %zu bytes",
				 line, col, size - 1);
	return KESU_OK;
}

static enum kesu_rc header(struct reader *rd, int cols[MAX_COLS], size_t *ncols,
			   struct kesu_err *err)
{
	char name[64];
	bool end = false, serial = false;
	*ncols = 0;
	while (!end) {
		enum kesu_rc rc = field(rd, name, sizeof(name), &end, err);
		if (rc)
			return kesu_err_prefix(err, "header: ");
		int col = -1;
		for (int i = 0; kesu_manifest_columns[i]; i++)
			if (!strcmp(name, kesu_manifest_columns[i]))
				col = i;
		for (size_t i = 0; col >= 0 && i < *ncols; i++)
			if (cols[i] == col)
				return kesu_fail(err, KESU_ERR_INVALID, 0, "header: column %s "
						 "twice", name);
		if (col < 0 || *ncols >= MAX_COLS) {
			char shown[64];
			kesu_clean(shown, sizeof(shown), name, strlen(name));
			return kesu_fail(err, KESU_ERR_INVALID, 0, "header: unknown column '%s' "
					 "(columns: serial, asset, model, technique, "
					 "particle_size_mm, destroyed_at, no_erasure_record, "
					 "label_photo, destroyed_photo, vendor_certificate)", shown);
		}
		serial |= col == 0;
		cols[(*ncols)++] = col;
	}
	if (!serial)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "header: no serial column");
	return KESU_OK;
}

static enum kesu_rc row(struct reader *rd, const int cols[MAX_COLS], size_t ncols,
			struct kesu_manifest_row *r, struct kesu_err *err)
{
	char text[FIELD_MAX];
	bool end = false;
	size_t i = 0;
	memset(r, 0, sizeof(*r));
	r->line = rd->line;
	for (; !end; i++) {
		enum kesu_rc rc = field(rd, text, sizeof(text), &end, err);
		if (rc)
			return rc;
		if (i >= ncols)
			return kesu_fail(err, KESU_ERR_INVALID, 0, "line %zu: more fields than "
					 "the header names", r->line);
		size_t size;
		char *dst = slot(r, (size_t)cols[i], &size);
		if ((rc = check_text(text, size, kesu_manifest_columns[cols[i]], r->line, err)))
			return rc;
		memcpy(dst, text, strlen(text) + 1);
	}
	if (i != ncols)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "line %zu: %zu fields where the "
				 "header names %zu", r->line, i, ncols);
	if (kesu_text_is_blank(r->serial))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "line %zu: no serial", r->line);
	return KESU_OK;
}

static bool blank_line(const struct reader *rd)
{
	return rd->pos < rd->len && (rd->buf[rd->pos] == '\n' || rd->buf[rd->pos] == '\r');
}

enum kesu_rc kesu_manifest_parse(const char *buf, size_t len,
				 struct kesu_manifest_row **rows, size_t *n,
				 struct kesu_err *err)
{
	*rows = NULL;
	*n = 0;
	if (len > KESU_MANIFEST_MAX_BYTES)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "manifest larger than %u MiB",
				 KESU_MANIFEST_MAX_BYTES >> 20);
	struct reader rd = {buf, len, 0, 1};
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3))
		rd.pos = 3;
	int cols[MAX_COLS];
	size_t ncols;
	enum kesu_rc rc = header(&rd, cols, &ncols, err);
	if (rc)
		return rc;
	struct kesu_manifest_row *out = NULL;
	size_t count = 0;
	while (rd.pos < rd.len) {
		if (blank_line(&rd)) {
			bool end;
			char skip[2];
			field(&rd, skip, sizeof(skip), &end, err);
			continue;
		}
		if (count >= KESU_MANIFEST_MAX_ROWS) {
			rc = kesu_fail(err, KESU_ERR_INVALID, 0, "more than %d rows; split the "
				       "manifest", KESU_MANIFEST_MAX_ROWS);
			break;
		}
		struct kesu_manifest_row *grown = realloc(out, (count + 1) * sizeof(*out));
		if (!grown) {
			rc = kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
			break;
		}
		out = grown;
		if ((rc = row(&rd, cols, ncols, &out[count], err)))
			break;
		for (size_t k = 0; k < count; k++)
			if (!strcmp(out[k].serial, out[count].serial)) {
				rc = kesu_fail(err, KESU_ERR_INVALID, 0, "line %zu: serial %s "
					       "again (first on line %zu)", out[count].line,
					       out[count].serial, out[k].line);
				break;
			}
		if (rc)
			break;
		count++;
	}
	if (!rc && !count)
		rc = kesu_fail(err, KESU_ERR_INVALID, 0, "no rows after the header");
	if (rc) {
		free(out);
		return rc;
	}
	*rows = out;
	*n = count;
	return KESU_OK;
}
