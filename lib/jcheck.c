#include "lib/jcheck.h"
#include "lib/i18n.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <stdlib.h>
#include <string.h>

/* what is marked N_() by the callers: the field's path stays as in the
 * file, what is wrong with it is translated for the operator. */
static enum kesu_rc bad(struct kesu_err *err, const char *where, const char *key,
			const char *what)
{
	const char *dot = where[0] ? "." : "";
	kesu_fail(err, KESU_ERR_INVALID, 0, "%s%s%s: %s", where, dot, key, what);
	kesu_err_localize(err, "%s%s%s: %s", where, dot, key, _(what));
	return KESU_ERR_INVALID;
}

enum kesu_rc kj_keys(const json_t *o, const char *where,
		     const char *const *allowed, struct kesu_err *err)
{
	if (!json_is_object(o))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: not a JSON object",
				 where[0] ? where : "document");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v) {
		bool ok = false;
		for (size_t i = 0; allowed[i] && !ok; i++)
			ok = !strcmp(k, allowed[i]);
		if (!ok) {
			char shown[80];
			kesu_clean(shown, sizeof(shown), k, strlen(k));
			return bad(err, where, shown,
				   N_("unknown field (this kesu does not know it; the file "
				      "is from another schema version or was edited)"));
		}
	}
	return KESU_OK;
}

static json_t *need(const json_t *o, const char *where, const char *key,
		    struct kesu_err *err)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	if (!v)
		bad(err, where, key, N_("missing"));
	return v;
}

enum kesu_rc kj_str(const json_t *o, const char *where, const char *key,
		    bool nullable, size_t max, const char **out,
		    struct kesu_err *err)
{
	json_t *v = need(o, where, key, err);
	if (!v)
		return KESU_ERR_INVALID;
	if (json_is_null(v) && nullable) {
		if (out)
			*out = NULL;
		return KESU_OK;
	}
	if (!json_is_string(v))
		return bad(err, where, key, nullable ? N_("not a string or null") : N_("not a string"));
	const char *s = json_string_value(v);
	if (json_string_length(v) != strlen(s) || !kesu_is_clean(s))
		return bad(err, where, key, N_("contains control characters or invalid UTF-8"));
	if (strlen(s) > max)
		return bad(err, where, key, N_("too long"));
	if (out)
		*out = s;
	return KESU_OK;
}

enum kesu_rc kj_enum(const json_t *o, const char *where, const char *key,
		     const char *const *vals, const char **out,
		     struct kesu_err *err)
{
	const char *s;
	enum kesu_rc rc = kj_str(o, where, key, false, 64, &s, err);
	if (rc)
		return rc;
	for (size_t i = 0; vals[i]; i++)
		if (!strcmp(s, vals[i])) {
			if (out)
				*out = vals[i];
			return KESU_OK;
		}
	char what[256];
	size_t n = (size_t)snprintf(what, sizeof(what), "'%s' is not one of", s);
	for (size_t i = 0; vals[i] && n < sizeof(what); i++)
		n += (size_t)snprintf(what + n, sizeof(what) - n, " %s", vals[i]);
	return bad(err, where, key, what);
}

enum kesu_rc kj_int(const json_t *o, const char *where, const char *key,
		    int64_t min, int64_t max, int64_t *out, struct kesu_err *err)
{
	json_t *v = need(o, where, key, err);
	if (!v)
		return KESU_ERR_INVALID;
	if (!json_is_integer(v))
		return bad(err, where, key, N_("not an integer"));
	int64_t x = json_integer_value(v);
	if (x < min || x > max)
		return bad(err, where, key, N_("out of range"));
	if (out)
		*out = x;
	return KESU_OK;
}

enum kesu_rc kj_bool(const json_t *o, const char *where, const char *key,
		     bool *out, struct kesu_err *err)
{
	json_t *v = need(o, where, key, err);
	if (!v)
		return KESU_ERR_INVALID;
	if (!json_is_boolean(v))
		return bad(err, where, key, N_("not true or false"));
	if (out)
		*out = json_is_true(v);
	return KESU_OK;
}

enum kesu_rc kj_obj(const json_t *o, const char *where, const char *key,
		    bool nullable, json_t **out, struct kesu_err *err)
{
	json_t *v = need(o, where, key, err);
	if (!v)
		return KESU_ERR_INVALID;
	if (json_is_null(v) && nullable) {
		*out = NULL;
		return KESU_OK;
	}
	if (!json_is_object(v))
		return bad(err, where, key, nullable ? N_("not an object or null") : N_("not an object"));
	*out = v;
	return KESU_OK;
}

enum kesu_rc kj_arr(const json_t *o, const char *where, const char *key,
		    size_t max_items, json_t **out, struct kesu_err *err)
{
	json_t *v = need(o, where, key, err);
	if (!v)
		return KESU_ERR_INVALID;
	if (!json_is_array(v))
		return bad(err, where, key, N_("not an array"));
	if (json_array_size(v) > max_items)
		return bad(err, where, key, N_("too many items"));
	*out = v;
	return KESU_OK;
}

enum kesu_rc kj_time(const json_t *o, const char *where, const char *key,
		     bool nullable, time_t *out, const char **s,
		     struct kesu_err *err)
{
	const char *str;
	enum kesu_rc rc = kj_str(o, where, key, nullable, KESU_TIME_LEN, &str, err);
	if (rc)
		return rc;
	if (s)
		*s = str;
	if (!str) {
		*out = 0;
		return KESU_OK;
	}
	if (!kesu_time_parse(str, out))
		return bad(err, where, key, N_("not an RFC 3339 time"));
	return KESU_OK;
}

enum kesu_rc kj_hex(const json_t *o, const char *where, const char *key,
		    size_t len, const char **out, struct kesu_err *err)
{
	const char *s;
	enum kesu_rc rc = kj_str(o, where, key, false, len, &s, err);
	if (rc)
		return rc;
	if (strlen(s) != len || strspn(s, "0123456789abcdef") != len)
		return bad(err, where, key, N_("not lowercase hex of the right length"));
	if (out)
		*out = s;
	return KESU_OK;
}

bool kj_is_uuid(const char *s)
{
	if (!s || strlen(s) != 36)
		return false;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!strchr("0123456789abcdef", s[i]) || !s[i]) {
			return false;
		}
	}
	return true;
}

enum kesu_rc kj_doc_head(const json_t *o, const char *const *allowed, const char *schema,
			 const char *kind, struct kesu_err *err)
{
	const char *const schemas[] = {schema, NULL}, *const kinds[] = {kind, NULL};
	const char *s;
	time_t t;
	enum kesu_rc rc;
	if ((rc = kj_keys(o, "", allowed, err)) ||
	    (rc = kj_enum(o, "", "schema", schemas, NULL, err)) ||
	    (rc = kj_enum(o, "", "kind", kinds, NULL, err)) ||
	    (rc = kj_str(o, "", "id", false, 36, &s, err)) ||
	    (rc = kj_time(o, "", "issued_at", false, &t, NULL, err)))
		return rc;
	if (!kj_is_uuid(s))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "id: not a lowercase UUID");
	return KESU_OK;
}

enum kesu_rc kj_load(const char *buf, size_t len, size_t max, const char *what,
		     const char *kind, enum kesu_rc (*check)(const json_t *, struct kesu_err *),
		     json_t **out, struct kesu_err *err)
{
	*out = NULL;
	if (len > max)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s larger than %zu bytes; not a kesu %s",
				 what, max, kind);
	json_error_t je;
	json_t *d = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!d)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "not valid JSON at line %d column %d: %s", je.line,
				 je.column, je.text);
	enum kesu_rc rc = check(d, err);
	if (rc) {
		json_decref(d);
		return rc;
	}
	*out = d;
	return KESU_OK;
}

char *kj_dumps_line(const json_t *doc, size_t flags, size_t *len)
{
	char *s = doc ? json_dumps(doc, flags) : NULL;
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *t = realloc(s, n + 2);
	if (!t) {
		free(s);
		return NULL;
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	if (len)
		*len = n + 1;
	return t;
}

const json_t *kj_at(const json_t *o, const char *path)
{
	char key[64];
	while (o && *path) {
		size_t l = strcspn(path, ".");
		snprintf(key, sizeof(key), "%.*s", (int)(l < 63 ? l : 63), path);
		o = json_object_get(o, key);
		path += l + (path[l] == '.');
	}
	return o;
}

bool kj_has_schema(const char *buf, size_t len, const char *schema)
{
	json_t *d = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL);
	const char *s = json_string_value(json_object_get(d, "schema"));
	bool is = s && !strcmp(s, schema);
	json_decref(d);
	return is;
}
