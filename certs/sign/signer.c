#include "certs/sign/signer.h"
#include "lib/fileio.h"
#include "lib/strutil.h"
#include "certs/sign/pkcs11_engine.h"
#include "certs/sign/trust.h"

#include <errno.h>
#include <openssl/cms.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct kesu_signer {
	EVP_PKEY *key;
	X509 *cert;
	STACK_OF(X509) *chain;
};

void *kesu_bio_bytes(const void *data, size_t len)
{
	return len <= INT_MAX ? BIO_new_mem_buf(data, (int)len) : NULL;
}

void kesu_openssl_error(char *buf, size_t size)
{
	unsigned long e, last = 0;
	const char *data = NULL, *d;
	int flags;
	while ((e = ERR_get_error_all(NULL, NULL, NULL, &d, &flags))) {
		last = e;
		data = (flags & ERR_TXT_STRING) && d && d[0] ? d : data;
	}
	if (!last) {
		snprintf(buf, size, "no detail from OpenSSL");
		return;
	}
	const char *r = ERR_reason_error_string(last);
	snprintf(buf, size, "%s%s%s", r ? r : "unknown OpenSSL error",
		 data ? ": " : "", data ? data : "");
}

const char *kesu_signer_cert_unfit(void *cert)
{
	X509 *x = cert;
	if (X509_check_ca(x))
		return "it is a CA certificate; sign with an operator certificate "
		       "the CA issued (certs/ca/issue-operator.sh)";
	if ((X509_get_extension_flags(x) & EXFLAG_KUSAGE) &&
	    !(X509_get_key_usage(x) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION)))
		return "its key usage allows neither digitalSignature nor "
		       "nonRepudiation; have the CA issue an operator certificate";
	return NULL;
}

enum kesu_rc kesu_key_file_check(const char *path, struct kesu_err *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return kesu_fail(err, errno == ENOENT ? KESU_ERR_NOENT : KESU_ERR_IO, errno,
				 "%s: cannot read key file (%s); check the path",
				 path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return kesu_fail(err, KESU_ERR_INVALID, 0, "%s: not a regular file", path);
	if (st.st_uid != 0)
		return kesu_fail(err, KESU_ERR_PERM, 0,
				 "%s: not owned by root (uid %u), so another user could "
				 "have replaced it; run 'chown root:root %s'",
				 path, (unsigned)st.st_uid, path);
	if (st.st_mode & 077)
		return kesu_fail(err, KESU_ERR_PERM, 0,
				 "%s: readable or writable by group or others (mode "
				 "%04o), refusing as ssh does; run 'chmod 600 %s'",
				 path, (unsigned)(st.st_mode & 07777), path);
	return KESU_OK;
}

enum kesu_rc kesu_key_type_check(void *pkey, struct kesu_err *err)
{
	EVP_PKEY *k = pkey;
	switch (EVP_PKEY_get_base_id(k)) {
	case EVP_PKEY_EC: {
		char group[64] = "";
		size_t gl = 0;
		if (!EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
						    group, sizeof(group), &gl) ||
		    strcmp(group, "prime256v1"))
			return kesu_fail(err, KESU_ERR_NOTSUP, 0,
					 "EC key on curve '%s' refused; use ECDSA P-256 "
					 "(prime256v1) or RSA of 2048 bits or more",
					 group[0] ? group : "unknown");
		return KESU_OK;
	}
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(k) < 2048)
			return kesu_fail(err, KESU_ERR_NOTSUP, 0,
					 "RSA key of %d bits refused; use 2048 bits or more",
					 EVP_PKEY_get_bits(k));
		return KESU_OK;
	case EVP_PKEY_ED25519:
	case EVP_PKEY_ED448:
		return kesu_fail(err, KESU_ERR_NOTSUP, 0,
				 "Ed25519/Ed448 key refused: OpenSSL 3.0 cannot make CMS "
				 "signatures with Ed25519; use ECDSA P-256 ('kesu key new "
				 "--type ec') or RSA >= 2048");
	default:
		return kesu_fail(err, KESU_ERR_NOTSUP, 0,
				 "unsupported key type %s; use ECDSA P-256 or RSA >= 2048",
				 EVP_PKEY_get0_type_name(k) ? EVP_PKEY_get0_type_name(k) : "?");
	}
}

static enum kesu_rc load_certs(const char *path, struct kesu_signer *s,
			       struct kesu_err *err)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return kesu_fail(err, errno == ENOENT ? KESU_ERR_NOENT : KESU_ERR_IO, errno,
				 "%s: cannot open signer certificate (%s); give it with "
				 "--cert or [signing] cert", path, strerror(errno));
	s->cert = PEM_read_X509(f, NULL, NULL, NULL);
	s->chain = sk_X509_new_null();
	X509 *x;
	while (s->cert && s->chain && (x = PEM_read_X509(f, NULL, NULL, NULL)))
		sk_X509_push(s->chain, x);
	fclose(f);
	ERR_clear_error(); /* the loop ends on "no start line" */
	if (!s->cert)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s: no PEM certificate in it; give the operator "
				 "certificate the CA issued", path);
	return KESU_OK;
}

enum kesu_rc kesu_signer_open(const char *key, const char *cert,
			      const char *pin_file, const char *pkcs11_module,
			      struct kesu_signer **out, struct kesu_err *err)
{
	*out = NULL;
	if (!key || !key[0] || !cert || !cert[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "no signing key or certificate; give --key and --cert "
				 "or set them in [signing] of kesu.conf (or use --no-cert)");
	struct kesu_signer *s = calloc(1, sizeof(*s));
	if (!s)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	enum kesu_rc rc;
	char why[256];
	if (!strncmp(key, "pkcs11:", 7)) {
		rc = kesu_pkcs11_load_key(key, pin_file, pkcs11_module, &s->key, err);
		if (rc)
			goto fail;
	} else {
		if ((rc = kesu_key_file_check(key, err)))
			goto fail;
		FILE *f = fopen(key, "re");
		if (!f) {
			rc = kesu_fail(err, KESU_ERR_IO, errno, "%s: %s", key, strerror(errno));
			goto fail;
		}
		s->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
		fclose(f);
		if (!s->key) {
			kesu_openssl_error(why, sizeof(why));
			rc = kesu_fail(err, KESU_ERR_INVALID, 0,
				       "%s: not a readable PEM private key (%s); "
				       "encrypted keys are not supported", key, why);
			goto fail;
		}
	}
	if ((rc = kesu_key_type_check(s->key, err)) ||
	    (rc = load_certs(cert, s, err)))
		goto fail;
	if (X509_cmp_current_time(X509_get0_notAfter(s->cert)) < 0 ||
	    X509_cmp_current_time(X509_get0_notBefore(s->cert)) > 0) {
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "%s: the signer certificate is not valid now (expired or "
			       "not yet valid); ask the CA for a new one", cert);
		goto fail;
	}
	const char *unfit = kesu_signer_cert_unfit(s->cert);
	if (unfit) {
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0, "%s: not a signing certificate: %s",
			       cert, unfit);
		goto fail;
	}
	if (!X509_check_private_key(s->cert, s->key)) {
		ERR_clear_error();
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "%s does not belong to the signing key; give the "
			       "certificate issued for this key", cert);
		goto fail;
	}
	*out = s;
	return KESU_OK;
fail:
	kesu_signer_free(s);
	return rc;
}

enum kesu_rc kesu_signer_check_trust(struct kesu_signer *s, const char *ca_file,
				     const char *crl_file, struct kesu_err *err)
{
	time_t now = time(NULL);
	return kesu_trust_check(s->cert, s->chain, ca_file, crl_file, now, now, NULL, err);
}

void kesu_signer_free(struct kesu_signer *s)
{
	if (!s)
		return;
	EVP_PKEY_free(s->key);
	X509_free(s->cert);
	sk_X509_pop_free(s->chain, X509_free);
	free(s);
}

void *kesu_signer_x509(const struct kesu_signer *s)
{
	return s->cert;
}

void kesu_signer_cert_sha256(const struct kesu_signer *s, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	out[0] = '\0';
	if (X509_digest(s->cert, EVP_sha256(), md, &n) && n == sizeof(md))
		kesu_hex_encode(md, n, out);
}

void kesu_signer_subject(const struct kesu_signer *s, char *buf, size_t size)
{
	kesu_cert_subject(s->cert, buf, size);
}

enum kesu_rc kesu_signer_sign(struct kesu_signer *s, const void *data,
			      size_t len, unsigned char **der, size_t *derlen,
			      struct kesu_err *err)
{
	*der = NULL;
	const unsigned flags = CMS_DETACHED | CMS_BINARY;
	char why[256];
	BIO *in = kesu_bio_bytes(data, len);
	/* CMS_PARTIAL + add1_signer lets us pick SHA-256 explicitly instead of
	 * the key's default digest; CMS adds the signingTime attribute when the
	 * signer info is signed, and verifiers check validity at that time. */
	CMS_ContentInfo *cms = in ? CMS_sign(NULL, NULL, s->chain, NULL,
					      flags | CMS_PARTIAL) : NULL;
	bool ok = cms && CMS_add1_signer(cms, s->cert, s->key, EVP_sha256(), flags) &&
		  CMS_final(cms, in, NULL, flags);
	unsigned char *buf = NULL;
	int n = ok ? i2d_CMS_ContentInfo(cms, &buf) : -1;
	if (n <= 0)
		kesu_openssl_error(why, sizeof(why));
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	if (n <= 0)
		return kesu_fail(err, KESU_ERR_CRYPTO, 0, "signing failed: %s", why);
	*der = malloc((size_t)n);
	if (*der)
		memcpy(*der, buf, (size_t)n);
	OPENSSL_free(buf);
	if (!*der)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	*derlen = (size_t)n;
	return KESU_OK;
}

enum kesu_rc kesu_signer_sign_file(struct kesu_signer *s, const char *path,
				   struct kesu_err *err)
{
	char *data;
	size_t len;
	enum kesu_rc rc = kesu_read_file(path, 64u << 20, &data, &len, err);
	if (rc)
		return rc;
	unsigned char *der;
	size_t derlen = 0;
	rc = kesu_signer_sign(s, data, len, &der, &derlen, err);
	free(data);
	if (rc)
		return kesu_err_prefix(err, "%s: ", path);
	char sig[PATH_MAX];
	if ((size_t)snprintf(sig, sizeof(sig), "%s.p7s", path) >= sizeof(sig)) {
		free(der);
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", path);
	}
	rc = kesu_write_atomic(sig, der, derlen, 0644, err);
	free(der);
	return rc;
}
