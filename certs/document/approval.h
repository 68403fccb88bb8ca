/* The information security manager's permission, schema kesu-approval/1
 * (man/kesu-approval.5): which media (property numbers or serials), why,
 * which class, who may do the work (operator names or the SHA-256 of their
 * certificates), from when until when, under which reference.  Signed like
 * a certificate, by a certificate the CA issued for the approver role.
 *
 * Pure code: build, strict check, and the verdict "may this operator erase
 * this medium now under this approval". */
#ifndef KESU_APPROVAL_H
#define KESU_APPROVAL_H

#include "lib/error.h"
#include "lib/strutil.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define KESU_APPROVAL_SCHEMA "kesu-approval/1"
#define KESU_APPROVAL_MAX_ITEMS 256
#define KESU_APPROVAL_PREFIX "kesu-approval-"

struct kesu_approval_req {
	const char *reference, *reason, *customer;  /* customer may be NULL */
	int confidentiality_class;
	const char *const *assets, *const *serials, *const *operators,
		   *const *operator_certs;               /* hex SHA-256 */
	size_t n_assets, n_serials, n_operators, n_operator_certs;
	time_t valid_from, valid_until;
};

/* Build a document (new reference) and check it with kesu_approval_check:
 * blank or hidden-character text, an empty window and a request that
 * names no medium or no operator are refused here, before anyone signs. */
enum kesu_rc kesu_approval_build(const struct kesu_approval_req *r, const char *id,
				 const char *issued_at, json_t **out,
				 struct kesu_err *err);

/* Strict structure: unknown keys, wrong types, bad times, an empty list
 * of media or operators, valid_until not after valid_from. */
enum kesu_rc kesu_approval_check(const json_t *doc, struct kesu_err *err);

/* Parse exact bytes strictly (signed_doc.h rules, kesu_approval_check):
 * the register's reader of approval documents. */
enum kesu_rc kesu_approval_parse(const char *buf, size_t len, json_t **out,
				 struct kesu_err *err);

/* The facts an approval is judged against. */
struct kesu_approval_facts {
	unsigned signer_roles;       /* of the approval's signer (role.h) */
	const char *serial;          /* the medium's serial, may be NULL */
	const char *property_number; /* may be NULL */
	const char *operator_name;
	const char *operator_cert;   /* hex SHA-256 of the operator's certificate */
	int confidentiality_class;   /* 0: not stated */
	const char *reason;          /* NULL: not stated */
	time_t at;                   /* when the work starts (or started) */
};

/* KESU_OK, or KESU_ERR_REFUSED saying the first reason the approval does
 * not allow this: its signer is not an approver, the time is outside its
 * window, it covers neither the serial nor the property number, the
 * operator is neither named nor listed by certificate, the class or the
 * reason differs.  Pure. */
enum kesu_rc kesu_approval_judge(const json_t *doc, const struct kesu_approval_facts *f,
				 struct kesu_err *err);

/* A certificate's approval.document, when present: {file (a bare name),
 * sha256, signer}.  For kesu_cert_check; absent is fine. */
enum kesu_rc kesu_approval_check_link(const json_t *approval, struct kesu_err *err);

/* The approval a wipe was started under, as its checkpoint keeps it
 * inside the certificate details: {"file": its path, "sha256": of its
 * bytes}.  New reference; NULL when out of memory. */
json_t *kesu_approval_kept_json(const char *file, const char *sha256);

/* At a resume: work started under an approval (kept, NULL when it was
 * not) continues only under the same approval (given_sha256 of the one the
 * resume works under, NULL for none), which is then judged again at the
 * resume as at any start.  KESU_ERR_REFUSED naming the file to give;
 * KESU_ERR_INVALID for a malformed kept.  Pure. */
enum kesu_rc kesu_approval_resume_check(const json_t *kept, const char *given_sha256,
					struct kesu_err *err);

#endif
