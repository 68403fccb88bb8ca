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

/* Whether a check of a countersignature or an approval was made when
 * printing, and held. */
enum kesu_print_check {
	KESU_CHECK_NOT_DONE,  /* over these bytes, but no CA was given */
	KESU_CHECK_OK,        /* verified against the CA */
	KESU_CHECK_FAILED,    /* does not verify: never shown as valid */
};

#define KESU_PRINT_MAX_COSIGNERS 16

/* A countersignature beside the document (X.json.<role>-<n>.p7s,
 * certs/document/countersign.h), for the page. */
struct kesu_print_cosigner {
	char file[256], role[16];
	struct kesu_print_signer who;  /* "" where its signature cannot be read */
	enum kesu_print_check check;
	char why[512];                 /* FAILED: what did not hold */
};

struct kesu_print_cosigners {
	size_t n;
	struct kesu_print_cosigner c[KESU_PRINT_MAX_COSIGNERS];
	char error[512];  /* they could not be listed or checked at all */
};

/* The signed approval a certificate names (approval.document), for the
 * page. */
struct kesu_print_approval {
	bool linked;      /* false: approver and reference were typed */
	char file[256], id[40], signer[257];
	char valid_from[KESU_TIME_LEN], valid_until[KESU_TIME_LEN];
	enum kesu_print_check check;
	char why[512];
};

/* Read der (a detached CMS SignedData) and check that its signatures are
 * over data[0..len) with the certificates it embeds (no chain check).
 * KESU_ERR_CRYPTO when it is not a signature of these bytes. */
enum kesu_rc kesu_print_sig_read(const void *data, size_t len, const void *der,
				 size_t derlen, struct kesu_print_sig *out,
				 struct kesu_err *err);

#endif
