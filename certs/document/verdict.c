#include "certs/document/verdict.h"
#include "lib/strutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void kesu_verdict_add(char (*list)[256], size_t *n, const char *fmt, ...)
{
	if (*n >= KESU_VERDICT_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(list[*n], 256, fmt, ap);
	va_end(ap);
	(*n)++;
}

void kesu_verdict_hidden(const json_t *j, const char *path, bool evidence,
			 const char *evidence_path, struct kesu_cert_verdict *v)
{
	char sub[160];
	if (json_is_string(j)) {
		unsigned cp = kesu_text_hidden_char(json_string_value(j));
		if (cp && evidence)
			KESU_VERDICT_WARN(v, "%s read from the medium contains the invisible or "
					  "direction-changing character U+%04X", path, cp);
		else if (cp)
			KESU_VERDICT_ERR(v, "%s contains the invisible or direction-changing "
					 "character U+%04X: what is shown is not what was signed",
					 path, cp);
	} else if (json_is_object(j)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)j, k, x) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", k);
			kesu_verdict_hidden(x, sub,
					    evidence || (evidence_path && !strcmp(sub, evidence_path)),
					    evidence_path, v);
		}
	} else if (json_is_array(j)) {
		for (size_t i = 0; i < json_array_size(j); i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			kesu_verdict_hidden(json_array_get(j, i), sub, evidence, evidence_path, v);
		}
	}
}

void kesu_verdict_blank(const json_t *doc, const char *const (*paths)[2], size_t n,
			struct kesu_cert_verdict *v)
{
	for (size_t i = 0; i < n; i++) {
		const json_t *o = paths[i][0] ? json_object_get(doc, paths[i][0]) : doc;
		const char *s = json_string_value(json_object_get(o, paths[i][1]));
		if (s && kesu_text_is_blank(s))
			KESU_VERDICT_ERR(v, "%s%s%s is blank", paths[i][0] ? paths[i][0] : "",
					 paths[i][0] ? "." : "", paths[i][1]);
	}
}

void kesu_verdict_clock(const struct kesu_cert_clock *clock, time_t t_issued,
			const char *s_issued, const char *what, struct kesu_cert_verdict *v)
{
	time_t limit = clock->now + KESU_CERT_CLOCK_SKEW;
	if (t_issued > limit)
		KESU_VERDICT_ERR(v, "issued_at %s is in the future", s_issued);
	if (clock->signed_at && clock->signed_at < t_issued)
		KESU_VERDICT_ERR(v, "the signature's signing time is before the %s was "
				 "issued (backdated signature?)", what);
	if (clock->signed_at > limit)
		KESU_VERDICT_ERR(v, "the signature's signing time is in the future "
				 "(forward-dated signature?)");
}
