/* One line about what is on a medium now, for a plan the operator confirms
 * and for kesu info: the same words in both, so what the confirmation
 * shows is what info showed. */
#include "cli/contents.h"
#include "lib/i18n.h"
#include "lib/strutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *kesu_cli_or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

struct line {
	char *buf;
	size_t size, n;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct line *l, const char *fmt, ...)
{
	if (l->n >= l->size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(l->buf + l->n, l->size - l->n, fmt, ap);
	va_end(ap);
	if (w > 0)
		l->n += (size_t)w;
}

/* A type and an optional quoted label, both cleaned of device bytes. */
static void add_named(struct line *l, const char *sep, const json_t *o, const char *none)
{
	const char *ty = json_string_value(json_object_get(o, "type"));
	const char *lb = json_string_value(json_object_get(o, "label"));
	char t[64], b[64];
	ty = ty ? ty : none;
	kesu_clean(t, sizeof(t), ty, strlen(ty));
	kesu_clean(b, sizeof(b), lb ? lb : "", lb ? strlen(lb) : 0);
	add(l, "%s%s%s%s%s", sep, t, b[0] ? " \"" : "", b, b[0] ? "\"" : "");
}

void kesu_cli_contents_line(const json_t *c, char *buf, size_t size)
{
	struct line l = {buf, size, 0};
	if (size)
		buf[0] = '\0';
	if (!json_is_object(c)) {
		add(&l, "%s", _("unknown (not read)"));
		return;
	}
	const char *pt = json_string_value(json_object_get(c, "pttype"));
	if (pt) {
		char t[64];
		kesu_clean(t, sizeof(t), pt, strlen(pt));
		add(&l, _("%s partition table"), t);
	}
	json_t *sig = json_object_get(c, "signature");
	if (json_is_object(sig))
		add_named(&l, l.n ? ", " : "", sig, "?");
	else if (json_is_true(json_object_get(c, "ambivalent")))
		add(&l, _("%sseveral signatures (libblkid will not choose)"), l.n ? ", " : "");
	json_t *parts = json_object_get(c, "partitions");
	size_t np = json_array_size(parts);
	if (np)
		add(&l, P_("%s%zu partition:", "%s%zu partitions:", np), l.n ? ", " : "", np);
	for (size_t i = 0; i < np && i < 8; i++) {
		add_named(&l, " ", json_array_get(parts, i), _("no file system"));
		if (i + 1 < np)
			add(&l, ",");
	}
	if (np > 8)
		add(&l, " ...");
	if (!l.n)
		add(&l, "%s", _("no partition table or file system found"));
}
