/* Whether a signer's certificate is one the verifier trusts: issued (through
 * any intermediates) by a CA in a PEM bundle, valid at a given time, and,
 * when a CRL file is given, not revoked.  Used before signing (the operator
 * certificate kesu is about to sign with) and when verifying (the
 * certificate embedded in a signature). */
#ifndef KESU_TRUST_H
#define KESU_TRUST_H

#include "lib/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct kesu_trust_store;
struct kesu_cosign_listing;

struct kesu_trust {
	const char *ca_file;   /* PEM bundle of trusted CA certificates */
	const char *crl_file;  /* PEM CRLs of those CAs; NULL or "" = no check */
	time_t at;             /* verifying: check the chain at this time instead
				* of the signature's signingTime (0) */
	time_t now;            /* the verifier's clock; 0 = time(NULL) */
	const char *tsa_ca_file; /* the timestamp authority's CAs (RFC 3161
				  * tokens, certs/sign/timestamp.h); NULL or
				  * "" = tokens are not checked */
	struct kesu_trust_store *store; /* NULL: ca_file and crl_file are read
					 * for every check */
	/* Countersignature names by directory, kept for many documents in one
	 * (certs/document/countersign.h); NULL: each document's directory is
	 * listed when it is checked. */
	struct kesu_cosign_listing *listing;
};

/* The CA and CRL files parsed once for many checks: verifying a register
 * of 100,000 documents spent most of its time reading the same CA file
 * again for each.  The store is filled on first use from the files that
 * check names and kept while later checks name the same files, so a whole
 * run is judged against one reading of its trust anchors: a CA or CRL file
 * replaced mid-run is not seen until the next run, and a check naming other
 * files reloads rather than use the wrong anchors.  Not for concurrent
 * use by several threads. */
enum kesu_rc kesu_trust_store_new(struct kesu_trust_store **out, struct kesu_err *err);
void kesu_trust_store_free(struct kesu_trust_store *s);

/* Check cert (X509 *) with untrusted intermediates chain (STACK_OF(X509) *,
 * may be NULL): the chain to a CA in ca_file at time `at`; then, with a
 * crl_file, revocation against its CRLs as of `now` (a revocation voids
 * every signature of the certificate, whatever time the signer claims: the
 * claimed time is the signer's word).  KESU_ERR_CRYPTO says which check
 * failed ("not issued by", "not valid at", "revoked"); KESU_ERR_NOENT or
 * KESU_ERR_INVALID for unreadable CA or CRL files.  *revocation_checked (may
 * be NULL) tells whether a CRL was consulted. */
enum kesu_rc kesu_trust_check(void *cert, void *chain, const char *ca_file,
			      const char *crl_file, time_t at, time_t now,
			      bool *revocation_checked, struct kesu_err *err);

/* The same with the files parsed once into store (NULL: as above). */
enum kesu_rc kesu_trust_check_store(struct kesu_trust_store *store, void *cert,
				    void *chain, const char *ca_file,
				    const char *crl_file, time_t at, time_t now,
				    bool *revocation_checked, struct kesu_err *err);

/* A new X509_STORE * holding the certificates of the PEM file; NULL with
 * OpenSSL's reason in why when it cannot be read. */
void *kesu_store_from_pem(const char *file, char *why, size_t size);

/* name (X509_NAME *) in RFC 2253 order with UTF-8 kept, so Japanese names
 * read as names, cleaned (strutil.h); "" when it cannot be printed. */
void kesu_x509_name_text(void *name, char *buf, size_t size);

/* The subject of x (X509 *), as kesu_x509_name_text writes it. */
void kesu_cert_subject(void *x, char *buf, size_t size);

/* serial (const ASN1_INTEGER *, may be NULL) in upper-case hex, cleaned;
 * buf is left as it was when there is none. */
void kesu_asn1_serial_text(const void *serial, char *buf, size_t size);

/* t (const ASN1_TIME *, may be NULL) as RFC 3339 UTC in out (at least
 * KESU_TIME_LEN bytes, lib/timefmt.h); "" when it is not a time. */
void kesu_asn1_time_text(const void *t, char *out);

#endif
