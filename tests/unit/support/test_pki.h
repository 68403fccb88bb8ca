/* A throwaway PKI made in memory for the signature tests: CA and operator
 * certificates with chosen validity, CRLs, and CMS signatures with a chosen
 * signingTime (what a signer with a wrong clock, or a forger, produces). */
#ifndef KESU_TEST_PKI_H
#define KESU_TEST_PKI_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>

struct pki_id {
	EVP_PKEY *key;
	X509 *cert;
};

/* A self-signed CA valid for 20 years around now. */
struct pki_id pki_ca(const char *cn);
/* An operator certificate from ca, valid [from, until], with serial. */
struct pki_id pki_operator(const struct pki_id *ca, const char *cn, time_t from,
			   time_t until, long serial);
void pki_free(struct pki_id *id);

/* Write a PEM file: the certificate, or a CRL of ca listing the serials,
 * valid from last_update to next_update. */
void pki_write_cert(const char *path, X509 *x);
void pki_write_crl(const char *path, const struct pki_id *ca, const long *serials,
		   size_t n, time_t last_update, time_t next_update);

/* Detached CMS SignedData, SHA-256, over data, with signingTime. Caller
 * frees *der with OPENSSL_free. */
unsigned char *pki_sign(const struct pki_id *signer, const void *data, size_t len,
			time_t signing_time, size_t *derlen);

#endif
