#include "certs/print/cosign_load.h"
#include "certs/document/approval.h"
#include "certs/document/approval_link.h"
#include "certs/document/countersign.h"
#include "certs/document/certificate.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/jcheck.h"
#include "lib/strutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIG_BYTES (1u << 20)

/* The signer's name and validity from the countersignature itself, so the
 * page names whoever signed even when the check failed. */
static void who(const char *dir, const void *data, size_t len, struct kesu_print_cosigner *c)
{
	char p[PATH_MAX], *der;
	size_t derlen;
	struct kesu_err err = {0};
	struct kesu_print_sig s;
	if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, c->file) >= sizeof(p) ||
	    kesu_read_file(p, MAX_SIG_BYTES, &der, &derlen, &err))
		return;
	if (!kesu_print_sig_read(data, len, der, derlen, &s, &err) && s.n)
		c->who = s.s[0];
	free(der);
}

static void copy_checked(const char *path, const void *data, size_t len,
			 const struct kesu_trust *t, const struct kesu_countersigs *cs,
			 struct kesu_print_cosigners *out)
{
	char dir[PATH_MAX];
	if (!kesu_path_dirname(path, dir, sizeof(dir)))
		dir[0] = '\0';
	for (size_t i = 0; i < cs->n && i < KESU_PRINT_MAX_COSIGNERS; i++) {
		struct kesu_print_cosigner *c = &out->c[out->n++];
		kesu_strlcpy(c->file, cs->cs[i].file, sizeof(c->file));
		kesu_strlcpy(c->role, cs->cs[i].role, sizeof(c->role));
		c->check = !cs->cs[i].ok ? KESU_CHECK_FAILED : t ? KESU_CHECK_OK : KESU_CHECK_NOT_DONE;
		kesu_strlcpy(c->why, cs->cs[i].error, sizeof(c->why));
		kesu_strlcpy(c->who.subject, cs->cs[i].sig.signer_subject, sizeof(c->who.subject));
		who(dir, data, len, c);
	}
}

void kesu_print_cosigners_load(const char *path, const void *data, size_t len,
			       const struct kesu_trust *t, struct kesu_print_cosigners *out)
{
	struct kesu_countersigs *cs = malloc(sizeof(*cs));
	struct kesu_err err = {0};
	memset(out, 0, sizeof(*out));
	if (!cs) {
		kesu_strlcpy(out->error, "out of memory", sizeof(out->error));
		return;
	}
	enum kesu_rc rc = kesu_countersigs_verify(path, data, len, t, cs, &err);
	bool checked = false;
	for (size_t i = 0; i < cs->n; i++)
		checked |= cs->cs[i].ok || cs->cs[i].error[0];
	/* A failure before any was checked (too many, an unreadable
	 * directory) is said once, not as N unchecked rows. */
	if (rc && !checked)
		kesu_strlcpy(out->error, err.msg, sizeof(out->error));
	else
		copy_checked(path, data, len, t, cs, out);
	free(cs);
}

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The copy beside the certificate: recorded SHA-256, then its fields. */
static bool approval_copy(const char *path, const json_t *link, struct kesu_print_approval *a,
			  struct kesu_err *err)
{
	char dir[PATH_MAX], p[PATH_MAX], sha[KESU_SHA256_HEX], *data;
	size_t len;
	json_t *doc;
	if (!kesu_path_dirname(path, dir, sizeof(dir)) ||
	    (size_t)snprintf(p, sizeof(p), "%s/%s", dir, a->file) >= sizeof(p)) {
		kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", path);
		return false;
	}
	if (kesu_read_file(p, KESU_CERT_MAX_BYTES, &data, &len, err))
		return false;
	kesu_sha256_hex(data, len, sha);
	bool ok = false;
	if (strcmp(sha, jstr(link, "sha256") ? jstr(link, "sha256") : ""))
		kesu_fail(err, KESU_ERR_INVALID, 0,
			  "approval %s is not the one the certificate records (SHA-256 differs)",
			  a->file);
	else if (!kesu_approval_parse(data, len, &doc, err)) {
		kesu_strlcpy(a->id, jstr(doc, "id"), sizeof(a->id));
		kesu_strlcpy(a->valid_from, jstr(doc, "valid_from"), sizeof(a->valid_from));
		kesu_strlcpy(a->valid_until, jstr(doc, "valid_until"), sizeof(a->valid_until));
		json_decref(doc);
		ok = true;
	}
	free(data);
	return ok;
}

void kesu_print_approval_load(const char *path, const json_t *cert,
			      const struct kesu_trust *t, const char *operator_cert,
			      struct kesu_print_approval *out)
{
	const json_t *link = kj_at(cert, "approval.document");
	struct kesu_err err = {0};
	bool checked;
	memset(out, 0, sizeof(*out));
	if (!json_is_object(link))
		return;
	out->linked = true;
	kesu_strlcpy(out->file, jstr(link, "file") ? jstr(link, "file") : "", sizeof(out->file));
	kesu_strlcpy(out->signer, jstr(link, "signer") ? jstr(link, "signer") : "",
		     sizeof(out->signer));
	if (!approval_copy(path, link, out, &err) ||
	    (t && kesu_approval_verify_cert(path, cert, NULL, operator_cert, t, &checked, &err))) {
		out->check = KESU_CHECK_FAILED;
		kesu_strlcpy(out->why, err.msg, sizeof(out->why));
		return;
	}
	out->check = t ? KESU_CHECK_OK : KESU_CHECK_NOT_DONE;
}
