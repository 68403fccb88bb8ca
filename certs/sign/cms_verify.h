/* Checking a detached CMS signature the way the city does with
 * `openssl cms -verify -binary -purpose any`, plus validity of the signer's
 * certificate at the time it signed and, with a CRL, its revocation. */
#ifndef KESU_CMS_VERIFY_H
#define KESU_CMS_VERIFY_H

#include "certs/sign/trust.h"
#include "lib/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Which check failed: a reader must not be told "the file was changed"
 * when the file is intact but its signer is not trusted. */
enum kesu_sig_failure {
	KESU_SIG_OK,
	KESU_SIG_MALFORMED,  /* not a kesu signature (DER, type, digest, signers) */
	KESU_SIG_BAD,        /* the signed bytes are not these bytes */
	KESU_SIG_UNTRUSTED,  /* intact, but the signer is not trusted: another
			      * CA, not valid at signing time, revoked, not a
			      * signing certificate, or signed in the future */
	KESU_SIG_SETUP,      /* the verifier's CA or CRL file is unusable */
};

struct kesu_sig_info {
	char signer_subject[256];
	char signer_serial[80];  /* hex */
	time_t signing_time;     /* from the signed signingTime attribute */
	enum kesu_sig_failure failure;
	bool revocation_checked; /* a CRL was consulted and the signer is not on it */
	char signer_name[257];   /* the subject's common name, cleaned */
	unsigned roles;          /* kesu roles of the signer (certs/sign/role.h) */
	char signer_not_after[40]; /* RFC 3339: the signer certificate's end */
	char signer_sha256[65];  /* hex SHA-256 of the signer certificate (DER) */
};

/* Verify der (detached SignedData) over exactly data[0..len) against the CA
 * certificates in t->ca_file (and t->crl_file).  The chain is checked at
 * t->at, or at the signed signingTime when it is 0; a signingTime later
 * than now plus KESU_SIG_CLOCK_SKEW is refused.  KESU_ERR_CRYPTO on any
 * failure, with info->failure saying which. */
enum kesu_rc kesu_cms_verify_trust(const void *data, size_t len,
				   const void *der, size_t derlen,
				   const struct kesu_trust *t,
				   struct kesu_sig_info *info, struct kesu_err *err);

/* The same without a CRL: kesu_cms_verify_trust with {ca_file, NULL, at}. */
enum kesu_rc kesu_cms_verify(const void *data, size_t len,
			     const void *der, size_t derlen,
			     const char *ca_file, time_t at,
			     struct kesu_sig_info *info, struct kesu_err *err);

/* Seconds a signingTime may be ahead of the verifier's clock. */
#define KESU_SIG_CLOCK_SKEW 300

#endif
