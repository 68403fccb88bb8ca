/* The file register and signed documents other than erasure certificates
 * (reg_kinds.h): appending their lines, checking their files, and reading
 * the documents behind a register's lines back for listings. */
#include "certs/register/register.h"
#include "certs/register/reg_kinds.h"
#include "certs/register/register_store.h"
#include "certs/document/certificate.h"
#include "certs/sign/cms_verify.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/strutil.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *sget(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

enum kesu_rc kesu_register_doc_entry(const char *path, const struct kesu_reg_kind **kind_out,
				     json_t **out, struct kesu_err *err)
{
	char *data, sig_path[PATH_MAX], abs[PATH_MAX], h_doc[65], h_sig[65];
	size_t len;
	enum kesu_rc rc = kesu_read_file(path, KESU_CERT_MAX_BYTES, &data, &len, err);
	if (rc)
		return rc;
	const struct kesu_reg_kind *k = kesu_reg_kind_of_doc(data, len);
	json_t *doc = NULL;
	if (!k)
		rc = kesu_fail(err, KESU_ERR_INVALID, 0, "not a document kind the register "
			       "takes this way");
	else
		rc = k->parse(data, len, &doc, err);
	kesu_sha256_hex(data, len, h_doc);
	free(data);
	if (rc)
		return kesu_err_prefix(err, "%s: ", path);
	json_t *e = k->line_fields(doc);
	json_decref(doc);
	if ((size_t)snprintf(sig_path, sizeof(sig_path), "%s.p7s", path) >= sizeof(sig_path))
		rc = kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", path);
	else if ((rc = kesu_sha256_file(sig_path, h_sig, err)))
		kesu_err_prefix(err, "signature of %s: ", path);
	if (!rc && !realpath(path, abs))
		kesu_strlcpy(abs, path, sizeof(abs));
	if (!rc && !kesu_is_clean(abs))
		rc = kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path is not clean UTF-8; "
			       "rename the file", path);
	if (!rc && (!e || json_object_set_new(e, "cert_file", json_string(abs)) ||
		    json_object_set_new(e, "cert_sha256", json_string(h_doc)) ||
		    json_object_set_new(e, "sig_sha256", json_string(h_sig))))
		rc = kesu_fail(err, KESU_ERR_INTERNAL, 0, "cannot build register entry");
	if (rc) {
		json_decref(e);
		return rc;
	}
	*kind_out = k;
	*out = e;
	return KESU_OK;
}

static void collect_line(const json_t *line, void *arg)
{
	json_array_append((json_t *)arg, (json_t *)line);
}

/* Lines the signed head vouches for; what follows it is cut on append. */
static void keep_within(json_t *lines, uint64_t keep_seq)
{
	size_t n = json_array_size(lines);
	while (n && (uint64_t)json_integer_value(json_object_get(
			json_array_get(lines, n - 1), "seq")) > keep_seq)
		json_array_remove(lines, --n);
}

/* The same document again is not an error; another with its id is. */
static enum kesu_rc same_id(const json_t *entry, const json_t *lines, bool *already,
			    uint64_t *seq, struct kesu_err *err)
{
	size_t i;
	json_t *l;
	json_array_foreach(lines, i, l) {
		if (!sget(l, "cert_id") || strcmp(sget(l, "cert_id"), sget(entry, "cert_id")))
			continue;
		*seq = (uint64_t)json_integer_value(json_object_get(l, "seq"));
		if (!strcmp(sget(l, "kind"), sget(entry, "kind")) &&
		    !strcmp(sget(l, "cert_sha256"), sget(entry, "cert_sha256")) &&
		    !strcmp(sget(l, "sig_sha256"), sget(entry, "sig_sha256"))) {
			*already = true;
			return KESU_OK;
		}
		return kesu_fail(err, KESU_ERR_INVALID, 0, "a different document with id %s "
				 "is already registered as %" PRIu64 "; not registered",
				 sget(entry, "cert_id"), *seq);
	}
	return KESU_OK;
}

/* Append an entry of kind k under the register's lock, after the lines
 * the signed head vouches for: the same id again is not an error
 * (res->already), another document under it is; then the kind's admit(). */
static enum kesu_rc append_entry(const char *reg_path, const char *doc_path,
				 const struct kesu_reg_kind *k, json_t *entry,
				 struct kesu_signer *signer, const char *ca_file,
				 const struct kesu_tsa *tsa, struct kesu_reg_append *res,
				 struct kesu_err *err)
{
	json_t *lines = json_array();
	if (!lines)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	struct reg r;
	enum kesu_rc rc = kesu_regf_open(&r, reg_path, ca_file, true, false, collect_line,
					 lines, err);
	if (rc)
		goto out_lines;
	if (r.verdict.state == KESU_REG_DAMAGED) {
		rc = kesu_regf_refuse_damaged(&r, err);
		goto out;
	}
	keep_within(lines, r.verdict.keep_seq);
	if ((rc = same_id(entry, lines, &res->already, &res->seq, err)) || res->already)
		goto out;
	res->seq = 0;
	if (k->admit && (rc = k->admit(entry, lines, err))) {
		kesu_err_prefix(err, "%s: not registered: ", doc_path);
		goto out;
	}
	rc = kesu_regf_append_entry(&r, entry, signer, tsa, res, err);
out:
	kesu_regf_close(&r);
out_lines:
	json_decref(lines);
	return rc;
}

enum kesu_rc kesu_register_append_doc_ts(const char *reg_path, const char *doc_path,
					 struct kesu_signer *signer, const char *ca_file,
					 const struct kesu_tsa *tsa,
					 struct kesu_reg_append *res, struct kesu_err *err)
{
	struct kesu_reg_append dummy;
	if (!res)
		res = &dummy;
	memset(res, 0, sizeof(*res));
	const struct kesu_reg_kind *k = NULL;
	json_t *entry = NULL;
	enum kesu_rc rc = kesu_register_doc_entry(doc_path, &k, &entry, err);
	if (!rc)
		rc = append_entry(reg_path, doc_path, k, entry, signer, ca_file, tsa, res, err);
	json_decref(entry);
	return rc;
}

/* A UUID for a countersignature, which has no id of its own: the first
 * 128 bits of its SHA-256, marked as a version 8 (custom) UUID. */
static void uuid_of(const char *h, char out[37])
{
	char x[33];
	memcpy(x, h, 32);
	x[32] = '\0';
	static const char hex[] = "0123456789abcdef";
	const char *v = strchr(hex, x[16]);
	x[12] = '8';
	x[16] = "89ab"[v ? (v - hex) & 3 : 0];
	snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", x, x + 8, x + 12, x + 16, x + 20);
}

enum kesu_rc kesu_register_countersig_entry(const char *doc_path, const char *sig_path_,
					    const char *role, const char *signer,
					    json_t **out, struct kesu_err *err)
{
	char *data, abs[PATH_MAX], sabs[PATH_MAX], h_doc[65], h_sig[65], id[37];
	size_t len;
	const struct kesu_reg_kind *k = kesu_reg_kind_find("countersignature");
	json_t *doc = NULL;
	enum kesu_rc rc = kesu_read_file(doc_path, KESU_CERT_MAX_BYTES, &data, &len, err);
	if (rc)
		return rc;
	rc = k->parse(data, len, &doc, err);
	kesu_sha256_hex(data, len, h_doc);
	free(data);
	if (rc || (rc = kesu_sha256_file(sig_path_, h_sig, err)))
		return kesu_err_prefix(err, "%s: ", rc == KESU_OK ? sig_path_ : doc_path);
	json_t *e = k->line_fields(doc);
	json_decref(doc);
	if (!realpath(doc_path, abs))
		kesu_strlcpy(abs, doc_path, sizeof(abs));
	if (!realpath(sig_path_, sabs))
		kesu_strlcpy(sabs, sig_path_, sizeof(sabs));
	uuid_of(h_sig, id);
	if (!kesu_is_clean(abs) || !kesu_is_clean(sabs))
		rc = kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path is not clean UTF-8; rename "
			       "the file", doc_path);
	else if (!e || json_object_set_new(e, "cert_id", json_string(id)) ||
		 json_object_set_new(e, "cert_file", json_string(abs)) ||
		 json_object_set_new(e, "sig_file", json_string(sabs)) ||
		 json_object_set_new(e, "cert_sha256", json_string(h_doc)) ||
		 json_object_set_new(e, "sig_sha256", json_string(h_sig)) ||
		 json_object_set_new(e, "role", json_string(role)) ||
		 json_object_set_new(e, "signer", json_string(signer)))
		rc = kesu_fail(err, KESU_ERR_INTERNAL, 0, "cannot build register entry");
	if (rc) {
		json_decref(e);
		return rc;
	}
	*out = e;
	return KESU_OK;
}

enum kesu_rc kesu_register_append_countersig(const char *reg_path, const char *doc_path,
					     const char *sig_file, const char *role,
					     const char *signer_name, struct kesu_signer *signer,
					     const char *ca_file, struct kesu_reg_append *res,
					     struct kesu_err *err)
{
	memset(res, 0, sizeof(*res));
	json_t *entry = NULL;
	enum kesu_rc rc = kesu_register_countersig_entry(doc_path, sig_file, role, signer_name,
						       &entry, err);
	if (!rc)
		rc = append_entry(reg_path, sig_file, kesu_reg_kind_find("countersignature"),
				  entry, signer, ca_file, NULL, res, err);
	json_decref(entry);
	return rc;
}

/* Where a line's signature is: a countersignature's own file, else the
 * document's .p7s. */
static void sig_path(const json_t *line, char *out, size_t size)
{
	if (sget(line, "sig_file"))
		snprintf(out, size, "%s", sget(line, "sig_file"));
	else
		snprintf(out, size, "%s.p7s", sget(line, "cert_file"));
}

enum kesu_rc kesu_regf_check_hashes(const json_t *line, size_t *checked, size_t *missing,
				    struct kesu_err *why)
{
	const char *file = sget(line, "cert_file");
	char sig[PATH_MAX], h[65];
	sig_path(line, sig, sizeof(sig));
	const char *paths[2] = {file, sig};
	const char *keys[2] = {"cert_sha256", "sig_sha256"};
	for (int i = 0; i < 2; i++) {
		struct kesu_err e = {0};
		if (access(paths[i], F_OK) != 0) {
			(*missing)++;
			continue;
		}
		if (kesu_sha256_file(paths[i], h, &e) || strcmp(h, sget(line, keys[i])))
			return kesu_fail(why, KESU_ERR_INVALID, 0, "%.200s does not match the "
					 "hash recorded for it (the file was changed or replaced)",
					 paths[i]);
		(*checked)++;
	}
	return KESU_OK;
}

/* The line's signature over the document, where it is here; a
 * countersignature's signer must hold its role. */
static enum kesu_rc doc_sig_problem(const json_t *line, const char *data, size_t len,
				    const struct kesu_trust *t, struct kesu_err *why)
{
	char sp[PATH_MAX], *sig;
	size_t sl;
	struct kesu_err e = {0};
	struct kesu_sig_info si;
	sig_path(line, sp, sizeof(sp));
	if (!t || access(sp, F_OK) != 0 || kesu_read_file(sp, 1u << 20, &sig, &sl, &e))
		return KESU_OK;
	enum kesu_rc rc = KESU_OK;
	struct kesu_trust own = *t;
	own.at = 0;
	if (kesu_cms_verify_trust(data, len, sig, sl, &own, &si, why)) {
		rc = KESU_ERR_INVALID;
		kesu_err_prefix(why, "%.200s: signature: ", sp);
	} else if (sget(line, "sig_file")) {
		rc = kesu_reg_countersig_signer(line, &si, why);
	}
	free(sig);
	return rc;
}

enum kesu_rc kesu_regf_doc_check_file(const struct kesu_reg_kind *k, const json_t *line,
				      const struct kesu_trust *t, size_t *checked,
				      size_t *missing, struct kesu_err *why)
{
	const char *file = sget(line, "cert_file");
	if (kesu_regf_check_hashes(line, checked, missing, why))
		return KESU_ERR_INVALID;
	char *data;
	size_t len;
	json_t *doc;
	struct kesu_err e = {0};
	if (access(file, F_OK) != 0 ||
	    kesu_read_file(file, KESU_CERT_MAX_BYTES, &data, &len, &e))
		return KESU_OK;
	enum kesu_rc rc;
	if (k->parse(data, len, &doc, why)) {
		rc = KESU_ERR_INVALID;
		kesu_err_prefix(why, "%.200s: ", file);
	} else {
		rc = kesu_reg_kind_contradicts(k, line, doc, why);
		if (!rc)
			rc = doc_sig_problem(line, data, len, t, why);
		json_decref(doc);
	}
	free(data);
	return rc;
}

/* The document a line points to, if its file still has the bytes the
 * line recorded; anything else is null (the listing says "unknown"). */
static json_t *read_doc(const json_t *line)
{
	const char *kind = sget(line, "kind"), *file = sget(line, "cert_file");
	const struct kesu_reg_kind *k = kesu_reg_kind_find(kind);
	if (!file || (!k && strcmp(kind, "certificate")))
		return json_null();
	char *data, h[65];
	size_t len;
	struct kesu_err e = {0};
	if (kesu_read_file(file, KESU_CERT_MAX_BYTES, &data, &len, &e))
		return json_null();
	kesu_sha256_hex(data, len, h);
	json_t *doc = NULL;
	if (!strcmp(h, sget(line, "cert_sha256"))) {
		if (k)
			k->parse(data, len, &doc, &e);
		else
			kesu_cert_parse(data, len, &doc, &e);
	}
	free(data);
	return doc ? doc : json_null();
}

json_t *kesu_register_docs(const json_t *lines)
{
	json_t *docs = json_array();
	size_t i;
	json_t *l;
	json_array_foreach(lines, i, l)
		if (!docs || json_array_append_new(docs, read_doc(l))) {
			json_decref(docs);
			return NULL;
		}
	return docs;
}
