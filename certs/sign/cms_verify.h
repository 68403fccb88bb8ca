/* Checking a detached CMS signature the way the city does with
 * `openssl cms -verify -binary -purpose any`, plus validity of the signer's
 * certificate at the time it signed. */
#ifndef KESU_CMS_VERIFY_H
#define KESU_CMS_VERIFY_H

#include "lib/error.h"

#include <stddef.h>
#include <time.h>

struct kesu_sig_info {
	char signer_subject[256];
	char signer_serial[80];  /* hex */
	time_t signing_time;     /* from the signed signingTime attribute */
};

/* Verify der (detached SignedData) over exactly data[0..len) against the CA
 * certificates in ca_file.  The chain is checked at `at`, or at the signed
 * signingTime when at is 0.  KESU_ERR_CRYPTO on any failure. */
enum kesu_rc kesu_cms_verify(const void *data, size_t len,
			     const void *der, size_t derlen,
			     const char *ca_file, time_t at,
			     struct kesu_sig_info *info, struct kesu_err *err);

#endif
