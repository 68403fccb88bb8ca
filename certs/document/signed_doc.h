/* What every signed kesu document other than the erasure certificate
 * shares (approval, custody): deterministic bytes, a strict reader's
 * hidden-character rule, and the file pair X.json + X.json.p7s written and
 * checked the way certificates are. */
#ifndef KESU_SIGNED_DOC_H
#define KESU_SIGNED_DOC_H

#include "certs/sign/cms_verify.h"
#include "certs/sign/signer.h"
#include "lib/digest.h"
#include "lib/error.h"

#include <jansson.h>

#define KESU_DOC_MAX_BYTES (1u << 20)

/* Strict structural check of one document kind (parse callback). */
typedef enum kesu_rc (*kesu_doc_check_fn)(const json_t *doc, struct kesu_err *err);

/* Parse exact bytes strictly (duplicate keys refused, the whole input one
 * JSON object), then check: every string free of invisible and
 * direction-changing characters, then the kind's own check. */
enum kesu_rc kesu_doc_parse(const char *buf, size_t len, kesu_doc_check_fn check,
			    json_t **out, struct kesu_err *err);

/* Every string in doc free of invisible and direction-changing
 * characters (strutil.h), named by its path when not. */
enum kesu_rc kesu_doc_check_hidden(const json_t *doc, struct kesu_err *err);

/* Serialise (sorted keys, two-space indent, trailing newline), write
 * dir/<prefix><id>.json and sign it into .p7s.  path receives the path. */
enum kesu_rc kesu_doc_write_signed(struct kesu_signer *s, const json_t *doc,
				   const char *dir, const char *prefix, const char *id,
				   char *path, size_t size, struct kesu_err *err);

/* A new signed document from a signer already checked for its role: the
 * signer chains to ca_file (with crl_file) when one is given, the document
 * gets a fresh id and the time now from build, and is written by
 * kesu_doc_write_signed.  what ("approval", "custody") prefixes a trust
 * failure. */
typedef enum kesu_rc (*kesu_doc_build_fn)(const void *req, const char *id, const char *now,
					  json_t **out, struct kesu_err *err);
enum kesu_rc kesu_doc_issue_new(struct kesu_signer *s, const char *what, const char *ca_file,
				const char *crl_file, kesu_doc_build_fn build, const void *req,
				const char *dir, const char *prefix, char *path, size_t size,
				struct kesu_err *err);

/* The end of building a document: d (NULL when json_pack ran out of
 * memory) must pass check and carry no hidden characters; then it is
 * *out, else it is freed and the error is prefixed with "what: ". */
enum kesu_rc kesu_doc_built(json_t *d, enum kesu_rc (*check)(const json_t *, struct kesu_err *),
			    const char *what, json_t **out, struct kesu_err *err);

struct kesu_doc_file {
	json_t *doc;                  /* parsed, owned: kesu_doc_file_free */
	char sha256[KESU_SHA256_HEX]; /* of the exact bytes */
	struct kesu_sig_info sig;
	const char *stage;            /* INVALID, BAD SIGNATURE, UNTRUSTED, OK */
};

/* Read and parse path, then verify path.p7s over its bytes against t. */
enum kesu_rc kesu_doc_file_verify(const char *path, kesu_doc_check_fn check,
				  const struct kesu_trust *t, struct kesu_doc_file *f,
				  struct kesu_err *err);
void kesu_doc_file_free(struct kesu_doc_file *f);

#endif
