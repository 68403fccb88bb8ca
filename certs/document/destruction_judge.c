/* The consistency verdict on a destruction document (kesu-destruction(5),
 * Consistency): pure, over a document kesu_destruction_check accepted. */
#include "certs/document/destruction.h"
#include "certs/document/verdict.h"
#include "lib/timefmt.h"

#include <stdio.h>
#include <string.h>

#define ERR KESU_VERDICT_ERR
#define WARN KESU_VERDICT_WARN

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void judge_blank(const json_t *d, struct kesu_cert_verdict *v)
{
	static const char *const paths[][2] = {
		{"operator", "name"}, {"operator", "organization"}, {"medium", "serial"},
		{NULL, "location"}, {"destroyed_by", "company"}, {"destroyed_by", "person"},
		{NULL, "no_erasure_record"}, {"approval", "approver"}, {"approval", "reference"},
	};
	kesu_verdict_blank(d, paths, sizeof(paths) / sizeof(paths[0]), v);
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
	/* The approval must come before the work it approves, as on an
	 * erasure certificate (kesu_cert_approval_after). */
	const char *approved = sget(json_object_get(d, "approval"), "date");
	if (kesu_cert_approval_after(approved, sget(d, "destroyed_at")))
		ERR(v, "approval.date %s is after the medium was destroyed (%s): the "
		       "destruction was not approved when it was done", approved,
		    sget(d, "destroyed_at"));
	if (clock)
		kesu_verdict_clock(clock, t_issued, sget(d, "issued_at"), "document", v);
	judge_blank(d, v);
	/* Hidden characters make the shown text differ from the signed bytes.  A
	 * serial or model read from the device is evidence of what the medium
	 * says, so there it is only a warning. */
	const char *src = sget(json_object_get(d, "medium"), "identity_source");
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)d, k, x)
		kesu_verdict_hidden(x, k, !strcmp(k, "medium") && src && !strcmp(src, "device"),
				    NULL, v);
	if (none)
		WARN(v, "no erasure certificate for this medium in the register: %s", none);
}
