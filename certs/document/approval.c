#include "certs/document/approval.h"
#include "certs/document/signed_doc.h"
#include "certs/sign/role.h"
#include "lib/disposal.h"
#include "lib/jcheck.h"
#include "lib/timefmt.h"

#include <stdio.h>
#include <string.h>


static json_t *str_list(const char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, kesu_json_str(v[i]));
	return a;
}

enum kesu_rc kesu_approval_build(const struct kesu_approval_req *r, const char *id,
				 const char *issued_at, json_t **out,
				 struct kesu_err *err)
{
	*out = NULL;
	char from[KESU_TIME_LEN], until[KESU_TIME_LEN];
	kesu_time_format(r->valid_from, from);
	kesu_time_format(r->valid_until, until);
	json_t *d = json_pack("{s:s s:s s:s s:s s:o s:o s:i s:o s:o s:o s:o s:o s:s s:s}",
		"schema", KESU_APPROVAL_SCHEMA, "kind", "approval", "id", id,
		"issued_at", issued_at,
		"reference", kesu_json_str(r->reference ? r->reference : ""),
		"reason", kesu_json_str(r->reason ? r->reason : ""),
		"confidentiality_class", r->confidentiality_class,
		"customer", r->customer && r->customer[0] ? kesu_json_str(r->customer) : json_null(),
		"assets", str_list(r->assets, r->n_assets),
		"serials", str_list(r->serials, r->n_serials),
		"operators", str_list(r->operators, r->n_operators),
		"operator_certificates", str_list(r->operator_certs, r->n_operator_certs),
		"valid_from", from, "valid_until", until);
	return kesu_doc_built(d, kesu_approval_check, "approval", out, err);
}

/* Each item a clean, non-blank string; operator certificates hex SHA-256. */
static enum kesu_rc check_list(const json_t *d, const char *key, bool hex,
			       size_t *count, struct kesu_err *err)
{
	json_t *a, *s;
	size_t i;
	enum kesu_rc rc = kj_arr(d, "", key, KESU_APPROVAL_MAX_ITEMS, &a, err);
	if (rc)
		return rc;
	json_array_foreach(a, i, s) {
		const char *v = json_string_value(s);
		bool ok = v && kesu_is_clean(v) && strlen(v) == json_string_length(s) &&
			  strlen(v) <= KESU_STR_MAX && !kesu_text_is_blank(v);
		for (size_t k = 0; ok && hex && k < 65; k++)
			ok = k == 64 ? v[k] == '\0' : (v[k] >= '0' && v[k] <= '9') ||
						      (v[k] >= 'a' && v[k] <= 'f');
		if (!ok)
			return kesu_fail(err, KESU_ERR_INVALID, 0, "%s[%zu]: %s", key, i,
					 hex ? "not a lowercase hex SHA-256"
					     : "not a clean, non-blank string");
	}
	*count = json_array_size(a);
	return KESU_OK;
}

enum kesu_rc kesu_approval_check(const json_t *d, struct kesu_err *err)
{
	static const char *const keys[] = {"schema", "kind", "id", "issued_at",
		"reference", "reason", "confidentiality_class", "customer", "assets",
		"serials", "operators", "operator_certificates", "valid_from",
		"valid_until", NULL};
	const char *ref;
	time_t from, until;
	size_t na, ns, no, nc;
	enum kesu_rc rc;
	if ((rc = kj_doc_head(d, keys, KESU_APPROVAL_SCHEMA, "approval", err)) ||
	    (rc = kj_str(d, "", "reference", false, KESU_STR_MAX, &ref, err)) ||
	    (rc = kj_enum(d, "", "reason", KESU_DISPOSAL_REASONS, NULL, err)) ||
	    (rc = kj_int(d, "", "confidentiality_class", 1, 3, NULL, err)) ||
	    (rc = kj_str(d, "", "customer", true, KESU_STR_MAX, NULL, err)) ||
	    (rc = check_list(d, "assets", false, &na, err)) ||
	    (rc = check_list(d, "serials", false, &ns, err)) ||
	    (rc = check_list(d, "operators", false, &no, err)) ||
	    (rc = check_list(d, "operator_certificates", true, &nc, err)) ||
	    (rc = kj_time(d, "", "valid_from", false, &from, NULL, err)) ||
	    (rc = kj_time(d, "", "valid_until", false, &until, NULL, err)))
		return rc;
	if (kesu_text_is_blank(ref))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "reference is blank");
	if (!na && !ns)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "it names no medium: give assets or serials");
	if (!no && !nc)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "it names nobody to do the work: give operators or "
				 "operator certificates");
	if (until <= from)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "valid_until is not after valid_from: the approval is "
				 "never valid");
	return KESU_OK;
}

static bool listed(const json_t *d, const char *key, const char *v)
{
	size_t i;
	json_t *s;
	if (!v || !v[0])
		return false;
	json_array_foreach(json_object_get(d, key), i, s)
		if (!strcmp(json_string_value(s), v))
			return true;
	return false;
}

enum kesu_rc kesu_approval_judge(const json_t *d, const struct kesu_approval_facts *f,
				 struct kesu_err *err)
{
	const char *ref = json_string_value(json_object_get(d, "reference"));
	time_t from = 0, until = 0;
	kesu_time_parse(json_string_value(json_object_get(d, "valid_from")), &from);
	kesu_time_parse(json_string_value(json_object_get(d, "valid_until")), &until);
	int cls = (int)json_integer_value(json_object_get(d, "confidentiality_class"));
	const char *reason = json_string_value(json_object_get(d, "reason"));
	char at[KESU_TIME_LEN], edge[KESU_TIME_LEN];
	kesu_time_format(f->at, at);
	if (!(f->signer_roles & KESU_ROLE_APPROVER))
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "approval %s: its signer's certificate was not issued "
				 "for approving (no approver role); only the information "
				 "security manager's approver certificate may sign it", ref);
	if (f->at < from || f->at >= until) {
		kesu_time_format(f->at < from ? from : until, edge);
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "approval %s: %s is %s its validity (%s %s)", ref, at,
				 f->at < from ? "before" : "after",
				 f->at < from ? "valid from" : "valid until", edge);
	}
	if (!listed(d, "serials", f->serial) && !listed(d, "assets", f->property_number))
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "approval %s does not cover this medium: neither serial "
				 "'%s' nor property number '%s' is listed", ref,
				 f->serial ? f->serial : "", f->property_number ? f->property_number : "");
	if (!listed(d, "operators", f->operator_name) &&
	    !listed(d, "operator_certificates", f->operator_cert))
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "approval %s does not name operator '%s' (by name or "
				 "certificate)", ref, f->operator_name ? f->operator_name : "");
	if (f->confidentiality_class && f->confidentiality_class != cls)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "approval %s is for class %d media, not class %d", ref,
				 cls, f->confidentiality_class);
	if (f->reason && strcmp(f->reason, reason))
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "approval %s is for %s, not %s", ref, reason, f->reason);
	return KESU_OK;
}

/* Optional (kesu-certificate(5)): only certificates issued on a signed
 * approval (kesu-approval(5)) name it. */
enum kesu_rc kesu_approval_check_link(const json_t *appr, struct kesu_err *err)
{
	static const char *const keys[] = {"file", "sha256", "signer", NULL};
	json_t *d = json_object_get(appr, "document");
	enum kesu_rc rc;
	if (!d)
		return KESU_OK;
	if ((rc = kj_obj(appr, "approval", "document", false, &d, err)) ||
	    (rc = kj_keys(d, "approval.document", keys, err)) ||
	    (rc = kj_str(d, "approval.document", "file", false, KESU_STR_MAX, NULL, err)) ||
	    (rc = kj_hex(d, "approval.document", "sha256", 64, NULL, err)) ||
	    (rc = kj_str(d, "approval.document", "signer", false, KESU_STR_MAX, NULL, err)))
		return rc;
	const char *f = json_string_value(json_object_get(d, "file"));
	if (strchr(f, '/') || !strcmp(f, "..") || !strcmp(f, "."))
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "approval.document.file: a file name, not a path");
	return KESU_OK;
}

enum kesu_rc kesu_approval_parse(const char *buf, size_t len, json_t **out,
				 struct kesu_err *err)
{
	return kesu_doc_parse(buf, len, kesu_approval_check, out, err);
}

json_t *kesu_approval_kept_json(const char *file, const char *sha256)
{
	return json_pack("{s:o s:s}", "file", kesu_json_str(file), "sha256", sha256);
}

enum kesu_rc kesu_approval_resume_check(const json_t *kept, const char *given_sha256,
					struct kesu_err *err)
{
	static const char *const keys[] = {"file", "sha256", NULL};
	const char *file, *sha;
	enum kesu_rc rc;
	if (!kept)
		return KESU_OK;
	if ((rc = kj_keys(kept, "checkpoint approval", keys, err)) ||
	    (rc = kj_str(kept, "checkpoint approval", "file", false, 4096, &file, err)) ||
	    (rc = kj_hex(kept, "checkpoint approval", "sha256", 64, &sha, err)))
		return rc;
	if (!given_sha256)
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "the interrupted wipe was started under the signed "
				 "approval %s; a resume is judged against it again: "
				 "resume with --approval %s", file, file);
	if (strcmp(given_sha256, sha))
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "the approval given is not the one the interrupted wipe "
				 "was started under (%s, SHA-256 %.12s...); resume with "
				 "--approval %s", file, sha, file);
	return KESU_OK;
}
