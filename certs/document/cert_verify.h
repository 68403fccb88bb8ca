/* Everything `kesu cert verify` checks for one certificate file and its
 * .p7s: strict parse, signature over the exact bytes, CA chain at signing
 * time (or at), and the internal-consistency verdict. */
#ifndef KESU_CERT_VERIFY_H
#define KESU_CERT_VERIFY_H

#include "certs/document/certificate.h"
#include "certs/sign/cms_verify.h"
#include "certs/sign/timestamp.h"
#include "lib/error.h"

#include <stdbool.h>
#include <time.h>

struct kesu_cert_file_verdict {
	bool ok;
	char error[600];
	const char *stage;   /* OK, INVALID, BAD TIMESTAMP, BAD SIGNATURE, INCONSISTENT */
	struct kesu_sig_info sig;
	struct kesu_cert_verdict v;
	char result[32], id[40];
	bool run_record_checked;  /* the run record beside it matched */
	bool ts_present;          /* a .tsr beside it */
	bool ts_checked;          /* ... verified against the TSA CA */
	struct kesu_ts_info ts;
};

/* tsa_ca: the timestamp authority's CA; NULL or "" leaves a token
 * unchecked (ts_checked false).  A checked token moves the signer check
 * from the signer's own signingTime to the token's genTime (unless at). */
enum kesu_rc kesu_cert_verify_file(const char *path, const char *ca,
				   const char *tsa_ca, time_t at,
				   struct kesu_cert_file_verdict *ov);

#endif
