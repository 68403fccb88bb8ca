/* kesu-destruction/1: building, strict reading and judging (pure). */
#include "certs/document/destruction.h"
#include "certs/document/approval.h"
#include "lib/jcheck.h"
#include "lib/timefmt.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SP 800-88 Rev. 1 lists shred, disintegrate, pulverize, incinerate and
 * melt as Destroy; the city's procedure also names drilling, crushing and
 * degaussing.  Degaussing leaves the medium whole (and does nothing to
 * flash), so it never counts as physical destruction. */
const struct kesu_destroy_technique kesu_destroy_techniques[] = {
	{"shred", "裁断", true, true},
	{"disintegrate", "細断", true, true},
	{"pulverize", "粉砕", true, true},
	{"incinerate", "焼却", true, true},
	{"melt", "溶解", true, true},
	{"crush", "破砕", false, true},
	{"drill", "穿孔", false, true},
	{"degauss", "消磁", false, false},
	{NULL, NULL, false, false},
};

const char *const kesu_evidence_roles[] = {"label-photo", "destroyed-photo",
					   "vendor-certificate", "other", NULL};

static const char *const SOURCES[] = {"device", "register", "typed", NULL};

const struct kesu_destroy_technique *kesu_destroy_technique_find(const char *s)
{
	for (const struct kesu_destroy_technique *t = kesu_destroy_techniques; s && t->name; t++)
		if (!strcmp(s, t->name) || !strcmp(s, t->term_ja))
			return t;
	return NULL;
}

static json_t *str_or_null(const char *s)
{
	return s && s[0] ? kesu_json_str(s) : json_null();
}

static json_t *build_lists(const struct kesu_destruction_info *in, json_t **evidence)
{
	json_t *w = json_array();
	*evidence = json_array();
	for (size_t i = 0; w && i < in->n_witnesses; i++)
		json_array_append_new(w, json_pack("{s:o s:o}",
			"name", kesu_json_str(in->witnesses[i].name),
			"organization", str_or_null(in->witnesses[i].organization)));
	for (size_t i = 0; *evidence && i < in->n_evidence; i++) {
		const struct kesu_evidence *e = &in->evidence[i];
		json_array_append_new(*evidence, json_pack("{s:s s:s s:I s:s}",
			"file", e->file, "sha256", e->sha256, "size", (json_int_t)e->size,
			"role", e->role));
	}
	return w;
}

enum kesu_rc kesu_destruction_build(const struct kesu_destruction_info *in,
				    const char *id, const char *issued_at,
				    json_t **out, struct kesu_err *err)
{
	*out = NULL;
	const struct kesu_destroy_technique *t = kesu_destroy_technique_find(in->technique);
	if (!t)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "destruction: unknown technique "
				 "'%.64s'; use one of shred, disintegrate, pulverize, "
				 "incinerate, melt, crush (破砕), drill (穿孔), degauss (消磁)",
				 in->technique);
	json_t *evidence, *witnesses = build_lists(in, &evidence);
	json_t *d = json_pack(
		"{s:s s:s s:s s:s"
		" s:{s:o s:o}"
		" s:{s:o s:o s:s}"
		" s:{s:o s:o s:b}"
		" s:o s:o"
		" s:{s:s s:s s:b s:o}"
		" s:s s:o s:{s:o s:o} s:o s:o}",
		"schema", KESU_DESTRUCTION_SCHEMA, "kind", "destruction", "id", id,
		"issued_at", issued_at,
		"operator", "name", kesu_json_str(in->operator_name),
		"organization", kesu_json_str(in->operator_organization),
		"medium", "serial", kesu_json_str(in->serial), "model", str_or_null(in->model),
		"identity_source", in->identity_source,
		"asset", "property_number", str_or_null(in->property_number),
		"department", str_or_null(in->department), "my_number", in->my_number,
		"closes", in->closes[0] ? json_string(in->closes) : json_null(),
		"no_erasure_record", str_or_null(in->no_erasure_record),
		"technique", "name", t->name, "term_ja", t->term_ja,
		"nist_destroy", t->nist_destroy,
		"particle_size_mm", in->particle_size_mm > 0 ? json_real(in->particle_size_mm)
							   : json_null(),
		"destroyed_at", in->destroyed_at, "location", kesu_json_str(in->location),
		"destroyed_by", "company", kesu_json_str(in->company),
		"person", kesu_json_str(in->person),
		"witnesses", witnesses, "evidence", evidence);
	if (!d || (in->approval && json_object_set(d, "approval", in->approval))) {
		json_decref(d);
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "destruction: could not build "
				 "the document (a field is missing or memory ran out)");
	}
	enum kesu_rc rc = kesu_destruction_check(d, err);
	if (!rc) {
		struct kesu_cert_verdict v;
		kesu_destruction_judge(d, NULL, &v);
		if (v.n_errors)
			rc = kesu_fail(err, KESU_ERR_USAGE, 0, "destruction: %s", v.errors[0]);
	}
	if (rc) {
		json_decref(d);
		return rc;
	}
	*out = d;
	return KESU_OK;
}

/* ---- strict reading ---- */

static enum kesu_rc check_evidence(const json_t *arr, struct kesu_err *err)
{
	static const char *const ev_keys[] = {"file", "sha256", "size", "role", NULL};
	size_t i;
	json_t *e;
	enum kesu_rc rc;
	json_array_foreach(arr, i, e) {
		char where[32];
		const char *file;
		snprintf(where, sizeof(where), "evidence[%zu]", i);
		if ((rc = kj_keys(e, where, ev_keys, err)) ||
		    (rc = kj_str(e, where, "file", false, KESU_EVIDENCE_NAME_MAX, &file, err)) ||
		    (rc = kj_hex(e, where, "sha256", 64, NULL, err)) ||
		    (rc = kj_int(e, where, "size", 0, INT64_MAX, NULL, err)) ||
		    (rc = kj_enum(e, where, "role", kesu_evidence_roles, NULL, err)))
			return rc;
		/* The verifier opens it beside the document: nothing else. */
		if (!file[0] || file[0] == '.' || strchr(file, '/') || strchr(file, '\\'))
			return kesu_fail(err, KESU_ERR_INVALID, 0, "%s.file: not a plain "
					 "file name beside the document", where);
	}
	return KESU_OK;
}

static enum kesu_rc check_technique(const json_t *t, struct kesu_err *err)
{
	static const char *const keys[] = {"name", "term_ja", "nist_destroy",
					   "particle_size_mm", NULL};
	static const char *names[16];
	for (size_t i = 0; kesu_destroy_techniques[i].name && i < 15; i++)
		names[i] = kesu_destroy_techniques[i].name;
	enum kesu_rc rc;
	bool b;
	if ((rc = kj_keys(t, "technique", keys, err)) ||
	    (rc = kj_enum(t, "technique", "name", names, NULL, err)) ||
	    (rc = kj_str(t, "technique", "term_ja", false, 64, NULL, err)) ||
	    (rc = kj_bool(t, "technique", "nist_destroy", &b, err)))
		return rc;
	const json_t *ps = json_object_get(t, "particle_size_mm");
	if (!ps)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "technique.particle_size_mm: missing");
	if (!json_is_null(ps) && (!json_is_number(ps) || !(json_number_value(ps) > 0) ||
				  json_number_value(ps) > 10000))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "technique.particle_size_mm: "
				 "not a size in millimetres (0 < size <= 10000) or null");
	return KESU_OK;
}

/* Optional: only documents recorded on a signed approval name it, and
 * then with the link to its copy (kesu_approval_check_link, as an erasure
 * certificate's approval.document). */
static enum kesu_rc check_approval(const json_t *d, struct kesu_err *err)
{
	static const char *const keys[] = {"id", "approver", "reference", "date", "document",
					   NULL};
	json_t *a;
	const char *id;
	time_t t;
	enum kesu_rc rc;
	if (!json_object_get(d, "approval"))
		return KESU_OK;
	if ((rc = kj_obj(d, "", "approval", false, &a, err)) ||
	    (rc = kj_keys(a, "approval", keys, err)) ||
	    (rc = kj_str(a, "approval", "id", false, 36, &id, err)) ||
	    (rc = kj_str(a, "approval", "approver", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(a, "approval", "reference", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_time(a, "approval", "date", false, &t, NULL, err)))
		return rc;
	if (!kj_is_uuid(id))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "approval.id: not a lowercase UUID");
	if (!json_object_get(a, "document"))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "approval.document: missing");
	return kesu_approval_check_link(a, err);
}

enum kesu_rc kesu_destruction_check(const json_t *d, struct kesu_err *err)
{
	static const char *const top[] = {"schema", "kind", "id", "issued_at", "operator",
		"medium", "asset", "closes", "no_erasure_record", "technique",
		"destroyed_at", "location", "destroyed_by", "witnesses", "evidence",
		"approval", NULL};
	static const char *const op_keys[] = {"name", "organization", NULL};
	static const char *const med_keys[] = {"serial", "model", "identity_source", NULL};
	static const char *const asset_keys[] = {"property_number", "department",
						 "my_number", NULL};
	static const char *const by_keys[] = {"company", "person", NULL};
	json_t *op, *med, *asset, *tech, *by, *wits, *ev;
	const char *closes;
	time_t t;
	bool b;
	enum kesu_rc rc;
	if ((rc = kj_doc_head(d, top, KESU_DESTRUCTION_SCHEMA, "destruction", err)) ||
	    (rc = kj_obj(d, "", "operator", false, &op, err)) ||
	    (rc = kj_keys(op, "operator", op_keys, err)) ||
	    (rc = kj_str(op, "operator", "name", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(op, "operator", "organization", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_obj(d, "", "medium", false, &med, err)) ||
	    (rc = kj_keys(med, "medium", med_keys, err)) ||
	    (rc = kj_str(med, "medium", "serial", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(med, "medium", "model", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_enum(med, "medium", "identity_source", SOURCES, NULL, err)) ||
	    (rc = kj_obj(d, "", "asset", false, &asset, err)) ||
	    (rc = kj_keys(asset, "asset", asset_keys, err)) ||
	    (rc = kj_str(asset, "asset", "property_number", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(asset, "asset", "department", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_bool(asset, "asset", "my_number", &b, err)) ||
	    (rc = kj_str(d, "", "closes", true, 36, &closes, err)) ||
	    (rc = kj_str(d, "", "no_erasure_record", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_obj(d, "", "technique", false, &tech, err)) ||
	    (rc = check_technique(tech, err)) ||
	    (rc = kj_time(d, "", "destroyed_at", false, &t, NULL, err)) ||
	    (rc = kj_str(d, "", "location", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_obj(d, "", "destroyed_by", false, &by, err)) ||
	    (rc = kj_keys(by, "destroyed_by", by_keys, err)) ||
	    (rc = kj_str(by, "destroyed_by", "company", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_str(by, "destroyed_by", "person", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_arr(d, "", "witnesses", KESU_CERT_MAX_WITNESSES, &wits, err)) ||
	    (rc = kesu_cert_check_witnesses(wits, err)) ||
	    (rc = kj_arr(d, "", "evidence", KESU_DESTRUCTION_MAX_EVIDENCE, &ev, err)) ||
	    (rc = check_evidence(ev, err)) || (rc = check_approval(d, err)))
		return rc;
	if (closes && !kj_is_uuid(closes))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "closes: not a lowercase UUID");
	return KESU_OK;
}

enum kesu_rc kesu_destruction_parse(const char *buf, size_t len, json_t **out,
				    struct kesu_err *err)
{
	*out = NULL;
	if (len > KESU_CERT_MAX_BYTES)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "destruction: larger than %u bytes",
				 KESU_CERT_MAX_BYTES);
	json_error_t je;
	json_t *d = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!d)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "not valid JSON at line %d: %s",
				 je.line, je.text);
	enum kesu_rc rc = kesu_destruction_check(d, err);
	if (rc) {
		json_decref(d);
		return rc;
	}
	*out = d;
	return KESU_OK;
}

bool kesu_destruction_is(const char *buf, size_t len)
{
	return kj_has_schema(buf, len, KESU_DESTRUCTION_SCHEMA);
}
