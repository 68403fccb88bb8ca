/* The countersignatures and the signed approval beside a document, read
 * and checked for its printed page (cert_pdf.c).  With a CA each is
 * verified as `kesu cert verify` would; without one a countersignature is
 * only checked to be over the document's bytes, and the page says so. */
#ifndef KESU_PRINT_COSIGN_LOAD_H
#define KESU_PRINT_COSIGN_LOAD_H

#include "certs/print/signers.h"
#include "certs/sign/trust.h"

#include <jansson.h>

/* Every countersignature of path (whose bytes are data[0..len)); t NULL
 * when no CA was given. */
void kesu_print_cosigners_load(const char *path, const void *data, size_t len,
			       const struct kesu_trust *t, struct kesu_print_cosigners *out);

/* The approval cert (loaded from path) names in approval.document, from
 * the copy beside it: its SHA-256 must be the recorded one; with t, the
 * approver's signature, role and scope are verified (operator_cert: hex
 * SHA-256 of the certificate's signer). */
void kesu_print_approval_load(const char *path, const json_t *cert,
			      const struct kesu_trust *t, const char *operator_cert,
			      struct kesu_print_approval *out);

#endif
