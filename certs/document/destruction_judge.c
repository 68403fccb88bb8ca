/* The consistency verdict on a destruction document (kesu-destruction(5),
 * Consistency): pure, over a document kesu_destruction_check accepted. */
#include "certs/document/destruction.h"
#include "lib/timefmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void add(char (*list)[256], size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add(char (*list)[256], size_t *n, const char *fmt, ...)
{
	if (*n >= KESU_VERDICT_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(list[(*n)++], 256, fmt, ap);
	va_end(ap);
}

#define ERR(v, ...) add((v)->errors, &(v)->n_errors, __VA_ARGS__)
#define WARN(v, ...) add((v)->warnings, &(v)->n_warnings, __VA_ARGS__)

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Hidden characters make the shown text differ from the signed bytes.  A
 * serial or model read from the device is evidence of what the medium
 * says, so there it is only a warning. */
static void judge_text(const json_t *j, const char *path, bool from_medium,
		       struct kesu_cert_verdict *v)
{
	char sub[160];
	if (json_is_string(j)) {
		unsigned cp = kesu_text_hidden_char(json_string_value(j));
		if (cp && from_medium)
			WARN(v, "%s read from the medium contains the invisible or "
			     "direction-changing character U+%04X", path, cp);
		else if (cp)
			ERR(v, "%s contains the invisible or direction-changing character "
			    "U+%04X: what is shown is not what was signed", path, cp);
	} else if (json_is_object(j)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)j, k, x) {
			snprintf(sub, sizeof(sub), "%s%s%s", path, path[0] ? "." : "", k);
			judge_text(x, sub, from_medium, v);
		}
	} else if (json_is_array(j)) {
		for (size_t i = 0; i < json_array_size(j); i++) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			judge_text(json_array_get(j, i), sub, from_medium, v);
		}
	}
}

static void judge_blank(const json_t *d, struct kesu_cert_verdict *v)
{
	static const char *const paths[][2] = {
		{"operator", "name"}, {"operator", "organization"}, {"medium", "serial"},
		{NULL, "location"}, {"destroyed_by", "company"}, {"destroyed_by", "person"},
		{NULL, "no_erasure_record"},
	};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		const json_t *o = paths[i][0] ? json_object_get(d, paths[i][0]) : d;
		const char *s = sget(o, paths[i][1]);
		if (s && kesu_text_is_blank(s))
			ERR(v, "%s%s%s is blank", paths[i][0] ? paths[i][0] : "",
			    paths[i][0] ? "." : "", paths[i][1]);
	}
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(d, "witnesses"), i, w)
		if (kesu_text_is_blank(sget(w, "name")))
			ERR(v, "witnesses[%zu].name is blank", i);
}

/* What the evidence shows, and that each file is named once. */
static void judge_evidence(const json_t *d, bool my_number, struct kesu_cert_verdict *v)
{
	const json_t *ev = json_object_get(d, "evidence");
	bool destroyed_photo = false;
	for (size_t i = 0; i < json_array_size(ev); i++) {
		const json_t *e = json_array_get(ev, i);
		destroyed_photo |= !strcmp(sget(e, "role"), "destroyed-photo");
		for (size_t k = 0; k < i; k++)
			if (!strcmp(sget(e, "file"), sget(json_array_get(ev, k), "file")))
				ERR(v, "evidence[%zu] names the same file as evidence[%zu]", i, k);
	}
	bool witnessed = json_array_size(json_object_get(d, "witnesses")) > 0;
	/* The 2019 case: disks "destroyed" with no one watching and no photo.
	 * For My Number media the city accepts neither gap. */
	if (!witnessed && !destroyed_photo) {
		if (my_number)
			ERR(v, "My Number medium destroyed with no witness and no photo of "
			       "the destroyed medium: the city requires one or the other");
		else
			WARN(v, "no witness and no photo of the destroyed medium");
	}
}

static void judge_clock(const json_t *d, const struct kesu_cert_clock *clock,
			time_t t_issued, struct kesu_cert_verdict *v)
{
	time_t limit = clock->now + KESU_CERT_CLOCK_SKEW;
	if (t_issued > limit)
		ERR(v, "issued_at %s is in the future", sget(d, "issued_at"));
	if (clock->signed_at && clock->signed_at < t_issued)
		ERR(v, "the signature's signing time is before the document was issued "
		       "(backdated signature?)");
	if (clock->signed_at > limit)
		ERR(v, "the signature's signing time is in the future (forward-dated "
		       "signature?)");
}

void kesu_destruction_judge(const json_t *d, const struct kesu_cert_clock *clock,
			    struct kesu_cert_verdict *v)
{
	memset(v, 0, sizeof(*v));
	const json_t *tech = json_object_get(d, "technique");
	const json_t *asset = json_object_get(d, "asset");
	const char *name = sget(tech, "name");
	const struct kesu_destroy_technique *t = kesu_destroy_technique_find(name);
	bool my_number = json_is_true(json_object_get(asset, "my_number"));
	const char *closes = sget(d, "closes"), *none = sget(d, "no_erasure_record");
	time_t t_issued = 0, t_destroyed = 0;
	kesu_time_parse(sget(d, "issued_at"), &t_issued);
	kesu_time_parse(sget(d, "destroyed_at"), &t_destroyed);

	if (closes && none)
		ERR(v, "closes an erasure certificate and also says there is no erasure "
		       "record");
	if (!closes && !none)
		ERR(v, "names no erasure certificate and gives no reason why there is "
		       "none (no_erasure_record)");
	if (!t || strcmp(sget(tech, "term_ja"), t->term_ja) ||
	    json_is_true(json_object_get(tech, "nist_destroy")) != t->nist_destroy)
		ERR(v, "technique '%s': its Japanese term or NIST category is not the "
		       "one kesu gives it", name);
	else if (!t->physical && my_number)
		ERR(v, "My Number medium only %s (%s): the city requires physical "
		       "destruction (shredding, crushing, melting, incineration)",
		    "degaussed", t->term_ja);
	else if (!t->physical)
		WARN(v, "degaussing works only on magnetic media and leaves the "
			"medium whole");
	if (t_destroyed > t_issued + KESU_CERT_CLOCK_SKEW)
		ERR(v, "destroyed_at %s is after the document was issued",
		    sget(d, "destroyed_at"));
	judge_evidence(d, my_number, v);
	if (clock)
		judge_clock(d, clock, t_issued, v);
	judge_blank(d, v);
	const char *src = sget(json_object_get(d, "medium"), "identity_source");
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)d, k, x)
		judge_text(x, k, !strcmp(k, "medium") && src && !strcmp(src, "device"), v);
	if (none)
		WARN(v, "no erasure certificate for this medium in the register: %s", none);
}
