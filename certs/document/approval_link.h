/* An approval put to use: loaded and verified once before any device is
 * touched, checked against each certificate before it is signed, linked
 * from the certificate (approval.document: file, SHA-256, signer), and
 * checked again by `kesu cert verify` from the copy kept beside it. */
#ifndef KESU_APPROVAL_LINK_H
#define KESU_APPROVAL_LINK_H

#include "certs/document/approval.h"
#include "certs/document/certificate.h"
#include "certs/document/signed_doc.h"
#include "certs/sign/trust.h"

struct kesu_approval_file {
	struct kesu_doc_file f;
	char path[4096];
};

/* Sign a new approval for r with s, whose certificate must hold the
 * approver role (and chain to t->ca_file when one is given): writes
 * dir/kesu-approval-<id>.json and .p7s; path receives the first. */
enum kesu_rc kesu_approval_issue(struct kesu_signer *s, const struct kesu_approval_req *r,
				 const char *ca_file, const char *crl_file, const char *dir,
				 char *path, size_t size, struct kesu_err *err);

/* Verify path (and path.p7s) against t; its signer must hold the
 * approver role.  The stage in af->f.stage. */
enum kesu_rc kesu_approval_load(const char *path, const struct kesu_trust *t,
				struct kesu_approval_file *af, struct kesu_err *err);
void kesu_approval_file_free(struct kesu_approval_file *af);

/* The certificate's approval fields from the signed approval: approver =
 * the signer certificate's common name, reference, date = its signing
 * time.  A typed --approver or --approval-ref that says otherwise is a
 * contradiction and refused. */
enum kesu_rc kesu_approval_fill_info(const struct kesu_approval_file *af,
				     struct kesu_cert_info *info, struct kesu_err *err);

/* The approval allows this certificate: medium, operator (by name or by
 * operator_cert, hex SHA-256, may be NULL), class, reason, and the
 * erasure's start inside the window.  KESU_ERR_REFUSED otherwise. */
enum kesu_rc kesu_approval_allows_cert(const struct kesu_approval_file *af,
				       const json_t *cert, const char *operator_cert,
				       struct kesu_err *err);

/* Copy the approval (and .p7s) into dir unless it is there already, and
 * give the link a document keeps to it: {file, sha256, signer}. */
enum kesu_rc kesu_approval_keep(const struct kesu_approval_file *af, const char *dir,
				json_t **doc, struct kesu_err *err);

/* The approval as a destruction document records it (kesu-destruction(5)):
 * {id, approver, reference, date, document}, the last from
 * kesu_approval_keep, the approver and date from its signature as on an
 * erasure certificate. */
enum kesu_rc kesu_approval_record(const struct kesu_approval_file *af, const char *dir,
				  json_t **out, struct kesu_err *err);

/* Add approval.document to cert and copy the approval (and .p7s) into dir
 * unless it is there already. */
enum kesu_rc kesu_approval_link(const struct kesu_approval_file *af, json_t *cert,
				const char *dir, struct kesu_err *err);

/* For a verifier: a certificate whose approval.document names a file
 * checks that file (beside the certificate, or `given` when not NULL):
 * same SHA-256, a trusted approver's signature, the approver's name as the
 * certificate gives it, and an approval that allows what the certificate
 * records (operator_cert: the SHA-256 of the certificate's signer).  *checked says whether there was an approval to check. */
enum kesu_rc kesu_approval_verify_cert(const char *cert_path, const json_t *cert,
				       const char *given, const char *operator_cert,
				       const struct kesu_trust *t, bool *checked, struct kesu_err *err);

#endif
