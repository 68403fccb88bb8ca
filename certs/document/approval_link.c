#include "certs/document/approval_link.h"
#include "certs/sign/role.h"
#include "lib/fileio.h"
#include "lib/timefmt.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

static enum kesu_rc build_approval(const void *req, const char *id, const char *now,
				   json_t **out, struct kesu_err *err)
{
	return kesu_approval_build(req, id, now, out, err);
}

enum kesu_rc kesu_approval_issue(struct kesu_signer *s, const struct kesu_approval_req *r,
				 const char *ca_file, const char *crl_file, const char *dir,
				 char *path, size_t size, struct kesu_err *err)
{
	if (!(kesu_cert_roles(kesu_signer_x509(s)) & KESU_ROLE_APPROVER))
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "approval: the signing certificate was not issued for "
				 "approving (no approver role); the CA issues one with "
				 "certs/ca/issue-role.sh CADIR approver ...");
	return kesu_doc_issue_new(s, "approval", ca_file, crl_file, build_approval, r, dir,
				  KESU_APPROVAL_PREFIX, path, size, err);
}

enum kesu_rc kesu_approval_load(const char *path, const struct kesu_trust *t,
				struct kesu_approval_file *af, struct kesu_err *err)
{
	memset(af, 0, sizeof(*af));
	kesu_strlcpy(af->path, path, sizeof(af->path));
	enum kesu_rc rc = kesu_doc_file_verify(path, kesu_approval_check, t, &af->f, err);
	if (!rc && !(af->f.sig.roles & KESU_ROLE_APPROVER)) {
		af->f.stage = "WRONG ROLE";
		rc = kesu_fail(err, KESU_ERR_REFUSED, 0,
			       "signed by %s, whose certificate was not issued for "
			       "approving (no approver role; certs/ca/issue-role.sh)",
			       af->f.sig.signer_subject);
	}
	if (rc) {
		kesu_approval_file_free(af);
		return kesu_err_prefix(err, "approval %.200s: ", path);
	}
	return KESU_OK;
}

void kesu_approval_file_free(struct kesu_approval_file *af)
{
	kesu_doc_file_free(&af->f);
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

enum kesu_rc kesu_approval_fill_info(const struct kesu_approval_file *af,
				     struct kesu_cert_info *info, struct kesu_err *err)
{
	const char *name = af->f.sig.signer_name, *ref = jstr(af->f.doc, "reference");
	if (!name[0])
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "approval %s: its signer certificate has no common "
				 "name to record as the approver", ref);
	if (info->approver[0] && strcmp(info->approver, name))
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "--approver '%s' contradicts the approval, signed by "
				 "'%s'; leave --approver out", info->approver, name);
	if (info->approval_reference[0] && strcmp(info->approval_reference, ref))
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "--approval-ref '%s' contradicts the approval's "
				 "reference '%s'; leave it out", info->approval_reference, ref);
	kesu_strlcpy(info->approver, name, sizeof(info->approver));
	kesu_strlcpy(info->approval_reference, ref, sizeof(info->approval_reference));
	kesu_time_format(af->f.sig.signing_time, info->approval_date);
	return KESU_OK;
}

static enum kesu_rc allows(const json_t *appr, unsigned roles, const json_t *cert,
			   const char *operator_cert, struct kesu_err *err)
{
	const json_t *asset = json_object_get(cert, "asset"),
		     *dev = json_object_get(cert, "device"),
		     *ex = json_object_get(cert, "execution");
	time_t at = 0;
	const char *start = jstr(ex, "started_at");
	if (!start || !kesu_time_parse(start, &at))
		kesu_time_parse(jstr(cert, "issued_at"), &at);
	struct kesu_approval_facts f = {
		.signer_roles = roles,
		/* an erasure certificate's device, a destruction document's medium */
		.serial = dev ? jstr(dev, "serial")
			      : jstr(json_object_get(cert, "medium"), "serial"),
		.property_number = jstr(asset, "property_number"),
		.operator_name = jstr(json_object_get(cert, "operator"), "name"),
		.operator_cert = operator_cert,
		.confidentiality_class = (int)json_integer_value(
			json_object_get(asset, "confidentiality_class")),
		.reason = jstr(asset, "reason"),
		.at = at,
	};
	return kesu_approval_judge(appr, &f, err);
}

enum kesu_rc kesu_approval_allows_cert(const struct kesu_approval_file *af,
				       const json_t *cert, const char *operator_cert,
				       struct kesu_err *err)
{
	return allows(af->f.doc, af->f.sig.roles, cert, operator_cert, err);
}

static enum kesu_rc copy_file(const char *from, const char *to, struct kesu_err *err)
{
	char *data;
	size_t len;
	enum kesu_rc rc = kesu_read_file(from, KESU_DOC_MAX_BYTES, &data, &len, err);
	if (!rc) {
		rc = kesu_write_atomic(to, data, len, 0644, err);
		free(data);
	}
	return rc;
}

enum kesu_rc kesu_approval_keep(const struct kesu_approval_file *af, const char *dir,
				json_t **doc, struct kesu_err *err)
{
	*doc = NULL;
	const char *base = strrchr(af->path, '/') ? strrchr(af->path, '/') + 1 : af->path;
	char to[PATH_MAX], from_sig[PATH_MAX], to_sig[PATH_MAX], sum[KESU_SHA256_HEX];
	if ((size_t)snprintf(to, sizeof(to), "%s/%s", dir, base) >= sizeof(to) ||
	    (size_t)snprintf(to_sig, sizeof(to_sig), "%s.p7s", to) >= sizeof(to_sig) ||
	    (size_t)snprintf(from_sig, sizeof(from_sig), "%s.p7s", af->path) >= sizeof(from_sig))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", dir);
	/* The copy beside the certificate is what a verifier checks; one
	 * already there must be the same approval, never overwritten. */
	enum kesu_rc rc;
	if (access(to, F_OK) == 0) {
		if ((rc = kesu_sha256_file(to, sum, err)))
			return rc;
		if (strcmp(sum, af->f.sha256))
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s already holds another approval under the "
					 "same name; not overwritten", to);
	} else if ((rc = kesu_mkdir_p(dir, 0755, err)) ||
		   (rc = copy_file(af->path, to, err)) ||
		   (rc = copy_file(from_sig, to_sig, err))) {
		return rc;
	}
	*doc = json_pack("{s:o s:s s:o}", "file", kesu_json_str(base),
			 "sha256", af->f.sha256,
			 "signer", kesu_json_str(af->f.sig.signer_subject));
	return *doc ? KESU_OK : kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
}

enum kesu_rc kesu_approval_link(const struct kesu_approval_file *af, json_t *cert,
				const char *dir, struct kesu_err *err)
{
	json_t *doc;
	enum kesu_rc rc = kesu_approval_keep(af, dir, &doc, err);
	if (rc)
		return rc;
	if (json_object_set_new(json_object_get(cert, "approval"), "document", doc))
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
	return KESU_OK;
}

enum kesu_rc kesu_approval_record(const struct kesu_approval_file *af, const char *dir,
				  json_t **out, struct kesu_err *err)
{
	json_t *doc;
	char date[KESU_TIME_LEN];
	*out = NULL;
	enum kesu_rc rc = kesu_approval_keep(af, dir, &doc, err);
	if (rc)
		return rc;
	kesu_time_format(af->f.sig.signing_time, date);
	*out = json_pack("{s:o s:o s:o s:s s:o}", "id", kesu_json_str(jstr(af->f.doc, "id")),
			 "approver", kesu_json_str(af->f.sig.signer_name),
			 "reference", kesu_json_str(jstr(af->f.doc, "reference")),
			 "date", date, "document", doc);
	return *out ? KESU_OK : kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
}

enum kesu_rc kesu_approval_verify_cert(const char *cert_path, const json_t *cert,
				       const char *given, const char *operator_cert,
				       const struct kesu_trust *t, bool *checked, struct kesu_err *err)
{
	*checked = false;
	const json_t *appr = json_object_get(cert, "approval"),
		     *doc = json_object_get(appr, "document");
	if (!doc)
		return given ? kesu_fail(err, KESU_ERR_INVALID, 0,
					 "an approval was given but the certificate "
					 "records none") : KESU_OK;
	char path[PATH_MAX], dir[PATH_MAX];
	if (given)
		kesu_strlcpy(path, given, sizeof(path));
	else if (!kesu_path_dirname(cert_path, dir, sizeof(dir)) ||
		 (size_t)snprintf(path, sizeof(path), "%s/%s", dir, jstr(doc, "file")) >=
			 sizeof(path))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", cert_path);
	if (access(path, F_OK) != 0)
		return kesu_fail(err, KESU_ERR_NOENT, 0,
				 "the approval %s the certificate names is not beside "
				 "it; give it with --approval FILE", jstr(doc, "file"));
	struct kesu_approval_file af;
	/* The approval is checked at its own signing time, as the erasure
	 * relied on it then. */
	struct kesu_trust at = *t;
	at.at = 0;
	enum kesu_rc rc = kesu_approval_load(path, &at, &af, err);
	if (rc)
		return rc;
	if (strcmp(af.f.sha256, jstr(doc, "sha256")))
		rc = kesu_fail(err, KESU_ERR_INVALID, 0,
			       "approval %s is not the one the certificate records "
			       "(SHA-256 differs)", path);
	else if (strcmp(af.f.sig.signer_name, jstr(appr, "approver") ? jstr(appr, "approver") : ""))
		rc = kesu_fail(err, KESU_ERR_INVALID, 0,
			       "the certificate names approver '%s' but the approval "
			       "is signed by '%s'", jstr(appr, "approver"),
			       af.f.sig.signer_name);
	else if (!(rc = allows(af.f.doc, af.f.sig.roles, cert, operator_cert, err)))
		*checked = true;
	kesu_approval_file_free(&af);
	return rc;
}
