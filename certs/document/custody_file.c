#include "certs/document/custody_file.h"
#include "certs/sign/role.h"
#include "lib/fileio.h"
#include "lib/timefmt.h"

#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

static const char *party_name(const json_t *d, const char *which)
{
	return json_string_value(json_object_get(json_object_get(d, which), "name"));
}

static enum kesu_rc build_custody(const void *req, const char *id, const char *now,
				  json_t **out, struct kesu_err *err)
{
	return kesu_custody_build(req, id, now, out, err);
}

enum kesu_rc kesu_custody_issue(struct kesu_signer *s, const struct kesu_custody_req *r,
				const char *ca_file, const char *crl_file, const char *dir,
				char *path, size_t size, struct kesu_err *err)
{
	char cn[KESU_STR_MAX + 1];
	kesu_cert_common_name(kesu_signer_x509(s), cn, sizeof(cn));
	if (!r->from.name || strcmp(cn, r->from.name))
		return kesu_fail(err, KESU_ERR_REFUSED, 0,
				 "custody: the giving party signs the hand-over, but the "
				 "signing certificate is %s's, not %s's", cn,
				 r->from.name ? r->from.name : "");
	return kesu_doc_issue_new(s, "custody", ca_file, crl_file, build_custody, r, dir,
				  KESU_CUSTODY_PREFIX, path, size, err);
}

enum kesu_rc kesu_custody_receive(struct kesu_signer *s, const char *path,
				  const struct kesu_trust *t, char *out, size_t size,
				  struct kesu_err *err)
{
	char *data, cn[KESU_STR_MAX + 1];
	size_t len;
	json_t *d;
	enum kesu_rc rc = kesu_read_file(path, KESU_DOC_MAX_BYTES, &data, &len, err);
	if (rc)
		return rc;
	rc = kesu_doc_parse(data, len, kesu_custody_check, &d, err);
	free(data);
	if (rc)
		return kesu_err_prefix(err, "%s: ", path);
	kesu_cert_common_name(kesu_signer_x509(s), cn, sizeof(cn));
	if (strcmp(cn, party_name(d, "to")))
		rc = kesu_fail(err, KESU_ERR_REFUSED, 0,
			       "%s: the hand-over is to %s; %s cannot acknowledge it",
			       path, party_name(d, "to"), cn);
	json_decref(d);
	return rc ? rc : kesu_countersign_file(s, path, "receiver", t, out, size, err);
}

enum kesu_rc kesu_custody_verify(const char *path, const struct kesu_trust *t,
				 struct kesu_custody_file *cf, struct kesu_err *err)
{
	memset(cf, 0, sizeof(*cf));
	enum kesu_rc rc = kesu_doc_file_verify(path, kesu_custody_check, t, &cf->f, err);
	if (rc)
		return kesu_err_prefix(err, "%s: ", path);
	if (strcmp(cf->f.sig.signer_name, party_name(cf->f.doc, "from"))) {
		cf->f.stage = "WRONG SIGNER";
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s: signed by %s, not by the giving party %s", path,
				 cf->f.sig.signer_name, party_name(cf->f.doc, "from"));
	}
	char *data;
	size_t len;
	if ((rc = kesu_read_file(path, KESU_DOC_MAX_BYTES, &data, &len, err)))
		return rc;
	rc = kesu_countersigs_verify(path, data, len, t, &cf->cs, err);
	free(data);
	if (rc) {
		cf->f.stage = "BAD COUNTERSIGNATURE";
		return rc;
	}
	for (size_t i = 0; i < cf->cs.n; i++) {
		const struct kesu_countersig *c = &cf->cs.cs[i];
		if (!strcmp(c->role, "receiver") &&
		    !strcmp(c->sig.signer_name, party_name(cf->f.doc, "to")))
			cf->received = true;
		else if (!strcmp(c->role, "receiver")) {
			cf->f.stage = "WRONG SIGNER";
			return kesu_fail(err, KESU_ERR_INVALID, 0,
					 "%s: %s is countersigned as received by %s, not "
					 "by the receiving party %s", path, c->file,
					 c->sig.signer_name, party_name(cf->f.doc, "to"));
		}
	}
	return KESU_OK;
}

void kesu_custody_file_free(struct kesu_custody_file *cf)
{
	kesu_doc_file_free(&cf->f);
}
