#include "certs/document/signed_doc.h"
#include "certs/document/certificate.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

enum kesu_rc kesu_doc_built(json_t *d, enum kesu_rc (*check)(const json_t *, struct kesu_err *),
			    const char *what, json_t **out, struct kesu_err *err)
{
	if (!d)
		return kesu_fail(err, KESU_ERR_INTERNAL, 0, "%s: out of memory", what);
	enum kesu_rc rc = check(d, err);
	if (!rc)
		rc = kesu_doc_check_hidden(d, err);
	if (rc) {
		json_decref(d);
		return kesu_err_prefix(err, "%s: ", what);
	}
	*out = d;
	return KESU_OK;
}

enum kesu_rc kesu_doc_issue_new(struct kesu_signer *s, const char *what, const char *ca_file,
				const char *crl_file, kesu_doc_build_fn build, const void *req,
				const char *dir, const char *prefix, char *path, size_t size,
				struct kesu_err *err)
{
	enum kesu_rc rc;
	if (ca_file && ca_file[0] && (rc = kesu_signer_check_trust(s, ca_file, crl_file, err)))
		return kesu_err_prefix(err, "%s: signer not trusted: ", what);
	uuid_t u;
	char id[37], now[KESU_TIME_LEN];
	uuid_generate_random(u);
	uuid_unparse_lower(u, id);
	kesu_time_now(now);
	json_t *doc;
	if ((rc = build(req, id, now, &doc, err)))
		return rc;
	rc = kesu_doc_write_signed(s, doc, dir, prefix, id, path, size, err);
	json_decref(doc);
	return rc;
}

/* A name on screen and another in the signed bytes is a forgery even with
 * a valid signature, wherever the string sits in the document. */
static enum kesu_rc hidden_walk(const json_t *j, char *where, size_t size,
				int depth, struct kesu_err *err)
{
	if (depth > 8)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: nested too deeply", where);
	size_t n = strlen(where), i;
	const char *k;
	json_t *v;
	enum kesu_rc rc;
	if (json_is_string(j)) {
		unsigned cp = kesu_text_hidden_char(json_string_value(j));
		if (cp)
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s holds the invisible or direction-changing "
					 "character U+%04X", where[0] ? where : "document", cp);
	} else if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v) {
			snprintf(where + n, size - n, "%s%s", n ? "." : "", k);
			if ((rc = hidden_walk(v, where, size, depth + 1, err)))
				return rc;
			where[n] = '\0';
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			snprintf(where + n, size - n, "[%zu]", i);
			if ((rc = hidden_walk(v, where, size, depth + 1, err)))
				return rc;
			where[n] = '\0';
		}
	}
	return KESU_OK;
}

enum kesu_rc kesu_doc_check_hidden(const json_t *doc, struct kesu_err *err)
{
	char where[512] = "";
	return hidden_walk(doc, where, sizeof(where), 0, err);
}

enum kesu_rc kesu_doc_parse(const char *buf, size_t len, kesu_doc_check_fn check,
			    json_t **out, struct kesu_err *err)
{
	*out = NULL;
	if (len > KESU_DOC_MAX_BYTES)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "document larger than %u bytes",
				 KESU_DOC_MAX_BYTES);
	json_error_t je;
	json_t *d = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!d)
		return kesu_fail(err, KESU_ERR_INVALID, 0, "not valid JSON (line %d: %s)",
				 je.line, je.text);
	enum kesu_rc rc;
	if (!json_is_object(d))
		rc = kesu_fail(err, KESU_ERR_INVALID, 0, "not a JSON object");
	else if (!(rc = check(d, err)))
		rc = kesu_doc_check_hidden(d, err);
	if (rc) {
		json_decref(d);
		return rc;
	}
	*out = d;
	return KESU_OK;
}

enum kesu_rc kesu_doc_write_signed(struct kesu_signer *s, const json_t *doc,
				   const char *dir, const char *prefix, const char *id,
				   char *path, size_t size, struct kesu_err *err)
{
	size_t n;
	char *text = kesu_cert_serialize(doc, &n);
	if (!text)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	enum kesu_rc rc;
	if ((size_t)snprintf(path, size, "%s/%s%s.json", dir, prefix, id) >= size)
		rc = kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", dir);
	else if (!(rc = kesu_mkdir_p(dir, 0755, err)) &&
		 !(rc = kesu_write_atomic(path, text, n, 0644, err)))
		rc = kesu_signer_sign_file(s, path, err);
	free(text);
	return rc;
}

enum kesu_rc kesu_doc_file_verify(const char *path, kesu_doc_check_fn check,
				  const struct kesu_trust *t, struct kesu_doc_file *f,
				  struct kesu_err *err)
{
	memset(f, 0, sizeof(*f));
	f->stage = "INVALID";
	char *data = NULL, *sig = NULL, sigpath[PATH_MAX];
	size_t len, slen;
	enum kesu_rc rc = kesu_read_file(path, KESU_DOC_MAX_BYTES, &data, &len, err);
	if (rc)
		return rc;
	kesu_sha256_hex(data, len, f->sha256);
	if ((rc = kesu_doc_parse(data, len, check, &f->doc, err)))
		goto out;
	f->stage = "BAD SIGNATURE";
	if ((size_t)snprintf(sigpath, sizeof(sigpath), "%s.p7s", path) >= sizeof(sigpath)) {
		rc = kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", path);
		goto out;
	}
	if ((rc = kesu_read_file(sigpath, 1u << 20, &sig, &slen, err)))
		goto out;
	rc = kesu_cms_verify_trust(data, len, sig, slen, t, &f->sig, err);
	if (f->sig.failure == KESU_SIG_UNTRUSTED || f->sig.failure == KESU_SIG_SETUP)
		f->stage = "UNTRUSTED";
	if (!rc)
		f->stage = "OK";
out:
	free(sig);
	free(data);
	return rc;
}

void kesu_doc_file_free(struct kesu_doc_file *f)
{
	json_decref(f->doc);
	f->doc = NULL;
}
