/* Who signs: a private key (file or pkcs11: token URI) and its certificate.
 * Produces detached CMS SignedData over exact bytes, which stock
 * `openssl cms -verify -binary` checks. */
#ifndef KESU_SIGNER_H
#define KESU_SIGNER_H

#include "lib/error.h"

#include <stddef.h>

struct kesu_signer;

/* key: a PEM key file (must be a root-owned regular file not readable by
 * group or others) or a pkcs11: URI; cert: the signer's certificate in PEM,
 * optionally followed by intermediate CA certificates; pin_file and module
 * only matter for pkcs11: (pin_file NULL or "" = ask on the terminal). */
enum kesu_rc kesu_signer_open(const char *key, const char *cert,
			      const char *pin_file, const char *pkcs11_module,
			      struct kesu_signer **out, struct kesu_err *err);
void kesu_signer_free(struct kesu_signer *s);

/* The signer certificate's subject (RFC 2253, UTF-8 kept), for records
 * that name who signed. */
void kesu_signer_subject(const struct kesu_signer *s, char *buf, size_t size);

/* The signer's certificate (X509 *, owned by s): for its roles and name. */
void *kesu_signer_x509(const struct kesu_signer *s);

/* Lowercase hex SHA-256 of the signer certificate's DER: how an approval
 * names an operator by certificate. */
void kesu_signer_cert_sha256(const struct kesu_signer *s, char out[65]);

/* Detached CMS SignedData (DER) over data: SHA-256, signer certificate
 * embedded, signingTime signed.  *der is freed with free(). */
enum kesu_rc kesu_signer_sign(struct kesu_signer *s, const void *data,
			      size_t len, unsigned char **der, size_t *derlen,
			      struct kesu_err *err);

/* Sign the exact bytes of path into path + ".p7s" (written atomically). */
enum kesu_rc kesu_signer_sign_file(struct kesu_signer *s, const char *path,
				   struct kesu_err *err);

/* The signer's certificate chains to a CA in ca_file, is valid now and,
 * with a crl_file, is not revoked (kesu_trust_check). */
enum kesu_rc kesu_signer_check_trust(struct kesu_signer *s, const char *ca_file,
				     const char *crl_file, struct kesu_err *err);

/* Refuse a key file that others could read or that root does not own. */
enum kesu_rc kesu_key_file_check(const char *path, struct kesu_err *err);

/* Refuse keys OpenSSL 3.0 cannot use for CMS here or that are too weak:
 * only ECDSA P-256 and RSA >= 2048 bits are accepted.  (EVP_PKEY *) */
enum kesu_rc kesu_key_type_check(void *pkey, struct kesu_err *err);

/* NULL if x (X509 *) may sign documents: not a CA, and a key usage (when
 * present) that includes digitalSignature or nonRepudiation; otherwise why
 * not. */
const char *kesu_signer_cert_unfit(void *x);

/* A read-only memory BIO (BIO *) over exactly len bytes, or NULL when
 * len does not fit the int OpenSSL takes: a cast would sign or verify
 * len mod 2^32 bytes, or, negative, strlen(data) of them. */
void *kesu_bio_bytes(const void *data, size_t len);

/* The most specific OpenSSL error queued, for messages; clears the queue. */
void kesu_openssl_error(char *buf, size_t size);

#endif
