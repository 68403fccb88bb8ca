/* Everything `kesu cert verify` checks for one certificate file and its
 * .p7s, in this order, each a stage of its own:
 *   1. INVALID        strict parse of the certificate
 *   2. BAD SIGNATURE  the signature covers these exact bytes
 *      UNTRUSTED      its signer chains to the CA at signing time (or at),
 *                     is not revoked (with a CRL), did not sign in the future
 *   3. INCONSISTENT   the consistency verdict, with the signing time and now
 *   4. INCONSISTENT   the run record beside it, when there is one: same bytes
 *                     (SHA-256) and the same facts, field by field; for a
 *                     destruction document (kesu-destruction(5)) instead,
 *                     every evidence file beside it, with its size and hash
 *   5. BAD COUNTERSIGNATURE  every X.json.<role>-<n>.p7s beside it verifies
 *                     and its signer holds the role (countersign.h)
 *   6. APPROVAL       the signed approval the certificate records (beside
 *                     it, or given): same bytes, a trusted approver, and
 *                     it allows this erasure (approval_link.h)
 * A later check (a trusted timestamp) goes after 2 as a stage of its own. */
#ifndef KESU_CERT_VERIFY_H
#define KESU_CERT_VERIFY_H

#include "certs/document/certificate.h"
#include "certs/document/countersign.h"
#include "certs/sign/cms_verify.h"
#include "certs/sign/timestamp.h"
#include "lib/error.h"

#include <stdbool.h>
#include <time.h>

struct kesu_cert_file_verdict {
	bool ok;
	char error[600];
	const char *stage;   /* OK, INVALID, BAD TIMESTAMP, BAD SIGNATURE, UNTRUSTED,
			      * INCONSISTENT */
	struct kesu_sig_info sig;
	struct kesu_cert_verdict v;
	char result[32], id[40];
	bool run_record_checked;  /* the run record beside it matched */
	bool destruction;         /* a kesu-destruction/1 document */
	size_t evidence_checked;  /* its evidence files, all present and matching */
	bool ts_present;          /* a .tsr beside it */
	bool ts_checked;          /* ... verified against t->tsa_ca_file */
	struct kesu_ts_info ts;
	struct kesu_countersigs cs;
	bool approval_checked;    /* a signed approval was recorded and checked */
};

enum kesu_rc kesu_cert_verify(const char *path, const struct kesu_trust *t,
			      struct kesu_cert_file_verdict *ov);

/* The run record certificate c names, read from beside the certificate at
 * path into *run (new reference), its path into rr_path.  *run is NULL and
 * the result KESU_OK when there is none there; KESU_ERR_INVALID when the
 * file there is not the one the certificate names (SHA-256) or not JSON. */
enum kesu_rc kesu_cert_run_record_beside(const char *path, const json_t *c, json_t **run,
					 char *rr_path, size_t rr_path_sz, struct kesu_err *err);

/* The same, with the approval at approval_file instead of the copy beside
 * the certificate (NULL: beside it). */
enum kesu_rc kesu_cert_verify_with(const char *path, const struct kesu_trust *t,
				   const char *approval_file,
				   struct kesu_cert_file_verdict *ov);

/* kesu_cert_verify without a CRL, at `at` (0 = signing time). */
enum kesu_rc kesu_cert_verify_file(const char *path, const char *ca, time_t at,
				   struct kesu_cert_file_verdict *ov);

#endif
