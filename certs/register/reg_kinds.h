/* Register lines for signed documents other than erasure certificates
 * (kesu-register(5), Document lines).  Every such line carries kind,
 * cert_id, cert_file, cert_sha256, sig_sha256 and serial, plus the few
 * fields its kind repeats from its document.  Adding a kind is one row in
 * the table in reg_kinds.c: its name, its own keys and their check, how to
 * read its document, the fields the line repeats from it, and what the
 * register must already hold before it may be appended.  Pure. */
#ifndef KESU_REG_KINDS_H
#define KESU_REG_KINDS_H

#include "lib/error.h"

#include <jansson.h>
#include <stddef.h>

struct kesu_reg_kind {
	const char *kind;              /* the line's and the document's "kind" */
	const char *const *keys;       /* its own keys, NULL-terminated */
	/* Check the kind's own keys of a line (the common ones are checked). */
	enum kesu_rc (*check_line)(const json_t *line, struct kesu_err *err);
	/* Read a document of this kind strictly (untrusted bytes). */
	enum kesu_rc (*parse)(const char *buf, size_t len, json_t **doc,
			      struct kesu_err *err);
	/* The line's fields from its document: kind, cert_id, serial and the
	 * kind's own (new reference; NULL when the document lacks one). */
	json_t *(*line_fields)(const json_t *doc);
	/* May entry join a register whose valid lines are `lines`?  NULL: yes. */
	enum kesu_rc (*admit)(const json_t *entry, const json_t *lines,
			      struct kesu_err *err);
};

/* The row for a line or document kind; NULL for "certificate", "repair",
 * "recovery" and anything unknown. */
const struct kesu_reg_kind *kesu_reg_kind_find(const char *kind);

/* Check a document line: common keys, then the kind's. */
enum kesu_rc kesu_reg_kind_check_line(const struct kesu_reg_kind *k, const json_t *line,
				      struct kesu_err *err);

/* Which of the two a line points to, for the finding's words. */
enum kesu_reg_doc_noun { KESU_REG_CERTIFICATE, KESU_REG_DOCUMENT };

/* KESU_OK if every field of want (taken: freed here; NULL when the
 * document lacked one) stands the same in line, otherwise
 * KESU_ERR_INVALID and why (English, and in the operator's language as
 * kesu_fail makes it), naming the field and what the line points to. */
enum kesu_rc kesu_reg_fields_contradict(const json_t *line, json_t *want,
					enum kesu_reg_doc_noun what, struct kesu_err *why);

/* KESU_OK if a document line repeats what its document says, otherwise
 * KESU_ERR_INVALID and why. */
enum kesu_rc kesu_reg_kind_contradicts(const struct kesu_reg_kind *k, const json_t *line,
				       const json_t *doc, struct kesu_err *why);

/* A countersignature line (kind countersignature: a witness's, the
 * city's or a receiver's signature over a registered document, in the
 * file its sig_file names) against the signature as verified: its signer
 * holds the line's role and is the signer the line names.  KESU_OK, else
 * KESU_ERR_INVALID and why. */
struct kesu_sig_info;
enum kesu_rc kesu_reg_countersig_signer(const json_t *line, const struct kesu_sig_info *si,
					struct kesu_err *why);

/* Which kind a document's bytes are (its "kind" member), or NULL. */
const struct kesu_reg_kind *kesu_reg_kind_of_doc(const char *buf, size_t len);

#endif
