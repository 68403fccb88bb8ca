/* Who signed a certificate, for the page: every signer in the detached
 * CMS signature with the subject, issuer, serial and validity of its
 * certificate and the signed signingTime.  Checking against a CA is
 * certs/sign/cms_verify.h's job; here we only read, and check that the
 * signature is over exactly these bytes so a page never shows signers of
 * some other file. */
#ifndef KESU_PRINT_SIGNERS_H
#define KESU_PRINT_SIGNERS_H

#include "lib/error.h"
#include "lib/timefmt.h"

#include <stdbool.h>
#include <stddef.h>

#define KESU_PRINT_MAX_SIGNERS 4

struct kesu_print_signer {
	char subject[256], issuer[256], serial[80];
	char not_before[KESU_TIME_LEN], not_after[KESU_TIME_LEN];
	char signing_time[KESU_TIME_LEN];   /* "" when the signature has none */
};

enum kesu_sig_status {
	KESU_SIG_MATCHES,      /* signature is over these bytes; no CA given */
	KESU_SIG_CA_VERIFIED,  /* and the chain to the CA held at signing time */
};

struct kesu_print_sig {
	size_t n;              /* signers listed (at most KESU_PRINT_MAX_SIGNERS) */
	size_t total;          /* signers in the signature */
	struct kesu_print_signer s[KESU_PRINT_MAX_SIGNERS];
	enum kesu_sig_status status;
	char ca[256];          /* the CA file's base name when CA_VERIFIED */
};

/* Read der (a detached CMS SignedData) and check that its signatures are
 * over data[0..len) with the certificates it embeds (no chain check).
 * KESU_ERR_CRYPTO when it is not a signature of these bytes. */
enum kesu_rc kesu_print_sig_read(const void *data, size_t len, const void *der,
				 size_t derlen, struct kesu_print_sig *out,
				 struct kesu_err *err);

#endif
