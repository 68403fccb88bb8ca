#include "wipe/station/assets.h"
#include "lib/disposal.h"

#include <string.h>
#include <strings.h>

enum col { C_SERIAL, C_ASSET, C_CLASS, C_REASON, C_CUSTOMER, C_N };
static const char *const COLS[C_N] = {"serial", "asset", "class", "reason", "customer"};
#define MAX_CELLS 8

/* Which cell holds each column (-1: none), and how many cells a row has.
 * Without a header: serial,asset. */
struct layout {
	int at[C_N];
	size_t n;
	bool decided;
};

static void trim(char **s, char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
	**e = '\0';
}

/* Splits a line at its commas into trimmed cells; MAX_CELLS + 1 when it
 * has more than any map may. */
static size_t cells(char *line, char **cell)
{
	size_t n = 0;
	for (char *p = line;; n++) {
		if (n == MAX_CELLS)
			return MAX_CELLS + 1;
		char *comma = strchr(p, ','), *e = comma ? comma : p + strlen(p);
		char *s = p;
		trim(&s, &e);
		cell[n] = s;
		if (!comma)
			return n + 1;
		p = comma + 1;
	}
}

static enum kesu_rc header(struct layout *l, char **cell, size_t n, const char *name,
			   size_t lineno, struct kesu_err *err)
{
	for (size_t k = 0; k < C_N; k++)
		l->at[k] = -1;
	if (n > MAX_CELLS)
		n = MAX_CELLS;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < C_N && strcasecmp(cell[i], COLS[k]))
			k++;
		const char *shown = kesu_is_clean(cell[i]) ? cell[i] : "?";
		if (k == C_N)
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s:%zu: column '%s' is unknown; the columns are "
					 "serial, asset, class, reason and customer", name,
					 lineno, shown);
		if (l->at[k] >= 0)
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s:%zu: column '%s' is named twice", name, lineno,
					 shown);
		l->at[k] = (int)i;
	}
	if (l->at[C_ASSET] < 0)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: the header names no 'asset' column", name, lineno);
	l->n = n;
	return KESU_OK;
}

static const char *at(const struct layout *l, char **cell, enum col c)
{
	return l->at[c] >= 0 ? cell[l->at[c]] : "";
}

/* One row's cells, checked whichever serial it is for. */
static enum kesu_rc check_row(const struct layout *l, char **cell, size_t n, const char *name,
			      size_t lineno, struct kesu_err *err)
{
	if (n != l->n && l->at[C_CLASS] < 0 && l->at[C_REASON] < 0 && l->at[C_CUSTOMER] < 0)
		return kesu_fail(err, KESU_ERR_INVALID, 0, n == 1
				 ? "%s:%zu: expected 'serial,asset'"
				 : "%s:%zu: expected one serial and one asset number",
				 name, lineno);
	if (n != l->n)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: expected %zu cells, as the header names", name,
				 lineno, l->n);
	for (size_t i = 0; i < n; i++)
		if (!kesu_is_clean(cell[i]) || kesu_text_hidden_char(cell[i]))
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s:%zu: control, invisible or reordering characters; "
					 "save the map as plain UTF-8 text", name, lineno);
	const char *cls = at(l, cell, C_CLASS), *why = at(l, cell, C_REASON);
	if (!*at(l, cell, C_SERIAL) || !*at(l, cell, C_ASSET))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: expected one serial and one asset number", name, lineno);
	if (*cls && (cls[1] || cls[0] < '1' || cls[0] > '3'))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: class '%s' is not 1, 2 or 3", name, lineno, cls);
	if (*why && !kesu_disposal_reason_ok(why))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: reason '%s' is not disposal, lease-return, repair "
				 "or reuse", name, lineno, why);
	if (strlen(at(l, cell, C_ASSET)) > KESU_STR_MAX ||
	    strlen(at(l, cell, C_CUSTOMER)) > KESU_STR_MAX)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: asset number or customer too long", name, lineno);
	return KESU_OK;
}

static void fill_row(const struct layout *l, char **cell, struct kesu_asset_row *row)
{
	const char *cls = at(l, cell, C_CLASS);
	kesu_strlcpy(row->asset, at(l, cell, C_ASSET), sizeof(row->asset));
	row->class_ = *cls ? cls[0] - '0' : 0;
	kesu_strlcpy(row->reason, at(l, cell, C_REASON), sizeof(row->reason));
	kesu_strlcpy(row->customer, at(l, cell, C_CUSTOMER), sizeof(row->customer));
}

/* One non-comment line: the header, or a row (filled in when it is the
 * serial's). */
static enum kesu_rc line_of(struct layout *l, char *p, const char *name, size_t lineno,
			    const char *serial, struct kesu_asset_row *row, bool *found,
			    struct kesu_err *err)
{
	char *cell[MAX_CELLS];
	size_t n = cells(p, cell);
	if (!l->decided) {
		l->decided = true;
		if (!strcasecmp(cell[0], "serial"))
			return header(l, cell, n, name, lineno, err);
	}
	enum kesu_rc rc = check_row(l, cell, n, name, lineno, err);
	if (rc || strcmp(at(l, cell, C_SERIAL), serial))
		return rc;
	if (*found)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: serial %s is listed twice; keep one line", name,
				 lineno, serial);
	fill_row(l, cell, row);
	*found = true;
	return KESU_OK;
}

enum kesu_rc kesu_asset_lookup_row(const char *text, size_t len, const char *name,
				   const char *serial, struct kesu_asset_row *row,
				   bool *found, struct kesu_err *err)
{
	struct layout l = {{0, 1, -1, -1, -1}, 2, false};
	size_t pos = 0, lineno = 0;
	*found = false;
	memset(row, 0, sizeof(*row));
	while (pos < len) {
		lineno++;
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char line[1024];
		if (n >= sizeof(line) || memchr(text + pos, '\0', n))
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s:%zu: line too long or holding a NUL byte", name, lineno);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#' || !strcmp(p, "\r"))
			continue;
		enum kesu_rc rc = line_of(&l, p, name, lineno, serial, row, found, err);
		if (rc) {
			*found = false;
			memset(row, 0, sizeof(*row));
			return rc;
		}
	}
	return KESU_OK;
}

enum kesu_rc kesu_asset_lookup(const char *text, size_t len, const char *name,
			       const char *serial, char *asset, size_t assetsz,
			       bool *found, struct kesu_err *err)
{
	struct kesu_asset_row row;
	asset[0] = '\0';
	enum kesu_rc rc = kesu_asset_lookup_row(text, len, name, serial, &row, found, err);
	if (rc || !*found)
		return rc;
	*found = false;
	if (row.class_ || row.reason[0] || row.customer[0])
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s: serial %s has a class, reason or customer of its own, "
				 "which the station does not take from the map (it takes "
				 "them from [station] and kesu.conf); leave those cells "
				 "empty", name, serial);
	if (!kesu_strlcpy(asset, row.asset, assetsz))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: asset number too long", name);
	*found = true;
	return KESU_OK;
}

bool kesu_asset_ok(const char *asset)
{
	return strlen(asset) <= KESU_STR_MAX && !kesu_text_is_blank(asset) &&
	       kesu_is_clean(asset) && !kesu_text_hidden_char(asset) && !strchr(asset, ',');
}
