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
	json_t *entry = NULL, *lines = json_array();
	if (!lines)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	enum kesu_rc rc = kesu_register_doc_entry(doc_path, &k, &entry, err);
	if (rc) {
		json_decref(lines);
		return rc;
	}
	struct reg r;
	if ((rc = kesu_regf_open(&r, reg_path, ca_file, true, false, collect_line, lines, err)))
		goto out_entry;
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
out_entry:
	json_decref(entry);
	json_decref(lines);
	return rc;
}

const char *kesu_regf_check_hashes(const json_t *line, size_t *checked, size_t *missing,
				   char *why, size_t size)
{
	const char *file = sget(line, "cert_file");
	char sig[PATH_MAX], h[65];
	snprintf(sig, sizeof(sig), "%s.p7s", file);
	const char *paths[2] = {file, sig};
	const char *keys[2] = {"cert_sha256", "sig_sha256"};
	for (int i = 0; i < 2; i++) {
		struct kesu_err e = {0};
		if (access(paths[i], F_OK) != 0) {
			(*missing)++;
			continue;
		}
		if (kesu_sha256_file(paths[i], h, &e) || strcmp(h, sget(line, keys[i]))) {
			snprintf(why, size, "%.200s does not match the hash recorded for it "
				 "(the file was changed or replaced)", paths[i]);
			return why;
		}
		(*checked)++;
	}
	return NULL;
}

/* The document's own signature, where its .p7s is here. */
static const char *doc_sig_problem(const char *file, const char *data, size_t len,
				   const struct kesu_trust *t, char *why, size_t size)
{
	char sp[PATH_MAX], *sig;
	size_t sl;
	struct kesu_err e = {0};
	struct kesu_sig_info si;
	snprintf(sp, sizeof(sp), "%s.p7s", file);
	if (!t || access(sp, F_OK) != 0 || kesu_read_file(sp, 1u << 20, &sig, &sl, &e))
		return NULL;
	const char *bad = NULL;
	if (kesu_cms_verify_trust(data, len, sig, sl, t, &si, &e)) {
		snprintf(why, size, "%.200s: signature: %.160s", file, e.msg);
		bad = why;
	}
	free(sig);
	return bad;
}

const char *kesu_regf_doc_check_file(const struct kesu_reg_kind *k, const json_t *line,
				     const struct kesu_trust *t, size_t *checked,
				     size_t *missing, char *why, size_t size)
{
	const char *file = sget(line, "cert_file");
	if (kesu_regf_check_hashes(line, checked, missing, why, size))
		return why;
	char *data;
	size_t len;
	json_t *doc;
	struct kesu_err e = {0};
	if (access(file, F_OK) != 0 ||
	    kesu_read_file(file, KESU_CERT_MAX_BYTES, &data, &len, &e))
		return NULL;
	const char *bad = NULL;
	char sub[256];
	if (k->parse(data, len, &doc, &e)) {
		snprintf(why, size, "%.200s: %.160s", file, e.msg);
		bad = why;
	} else {
		if (kesu_reg_kind_contradicts(k, line, doc, sub, sizeof(sub))) {
			snprintf(why, size, "%.250s", sub);
			bad = why;
		} else {
			bad = doc_sig_problem(file, data, len, t, why, size);
		}
		json_decref(doc);
	}
	free(data);
	return bad;
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
