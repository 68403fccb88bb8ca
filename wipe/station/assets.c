#include "wipe/station/assets.h"
#include "lib/strutil.h"

#include <string.h>

static void trim(char **s, char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r'))
		(*e)--;
	**e = '\0';
}

/* Splits one line into serial and asset, both trimmed and checked. */
static enum kesu_rc split(char *line, const char *name, size_t lineno, char **serial,
			  char **asset, struct kesu_err *err)
{
	char *comma = strchr(line, ',');
	if (!comma)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: expected 'serial,asset'", name, lineno);
	char *s = line, *se = comma, *a = comma + 1, *ae = line + strlen(line);
	trim(&s, &se);
	trim(&a, &ae);
	if (!*s || !*a || strchr(a, ','))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: expected one serial and one asset number", name, lineno);
	if (!kesu_is_clean(s) || !kesu_is_clean(a) || kesu_text_hidden_char(s) ||
	    kesu_text_hidden_char(a))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s:%zu: control, invisible or reordering characters; "
				 "save the map as plain UTF-8 text", name, lineno);
	*serial = s;
	*asset = a;
	return KESU_OK;
}

enum kesu_rc kesu_asset_lookup(const char *text, size_t len, const char *name,
			       const char *serial, char *asset, size_t assetsz,
			       bool *found, struct kesu_err *err)
{
	size_t pos = 0, lineno = 0;
	*found = false;
	asset[0] = '\0';
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
		char *s = NULL, *a = NULL;
		enum kesu_rc rc = split(p, name, lineno, &s, &a, err);
		if (rc)
			return rc;
		if (strcmp(s, serial))
			continue;
		if (*found)
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s:%zu: serial %s is listed twice; keep one line",
					 name, lineno, s);
		if (!kesu_strlcpy(asset, a, assetsz))
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s:%zu: asset number too long", name, lineno);
		*found = true;
	}
	return KESU_OK;
}

bool kesu_asset_ok(const char *asset)
{
	return strlen(asset) <= KESU_STR_MAX && !kesu_text_is_blank(asset) &&
	       kesu_is_clean(asset) && !kesu_text_hidden_char(asset) && !strchr(asset, ',');
}
