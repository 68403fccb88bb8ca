#include "test_pki.h"

#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>

static void die(const char *what)
{
	fprintf(stderr, "test_pki: %s failed\n", what);
	abort();
}

static EVP_PKEY *p256(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	if (!k)
		die("EVP_EC_gen");
	return k;
}

static void ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!e || !X509_add_ext(x, e, -1))
		die("extension");
	X509_EXTENSION_free(e);
}

static X509 *make(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
		  time_t from, time_t until, long serial, int is_ca)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_time_adj_ex(X509_getm_notBefore(x), 0, 0, &from);
	X509_time_adj_ex(X509_getm_notAfter(x), 0, 0, &until);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)"Test", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_set_pubkey(x, key);
	ext(x, issuer ? issuer : x, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	ext(x, issuer ? issuer : x, NID_key_usage,
	    is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature,nonRepudiation");
	if (!X509_sign(x, issuer_key, EVP_sha256()))
		die("X509_sign");
	return x;
}

struct pki_id pki_ca(const char *cn)
{
	struct pki_id id = {.key = p256()};
	time_t now = time(NULL);
	id.cert = make(cn, id.key, NULL, id.key, now - 10L * 365 * 86400,
		       now + 10L * 365 * 86400, 1, 1);
	return id;
}

struct pki_id pki_operator(const struct pki_id *ca, const char *cn, time_t from,
			   time_t until, long serial)
{
	struct pki_id id = {.key = p256()};
	id.cert = make(cn, id.key, ca->cert, ca->key, from, until, serial, 0);
	return id;
}

void pki_free(struct pki_id *id)
{
	EVP_PKEY_free(id->key);
	X509_free(id->cert);
	id->key = NULL;
	id->cert = NULL;
}

void pki_write_cert(const char *path, X509 *x)
{
	FILE *f = fopen(path, "w");
	if (!f || !PEM_write_X509(f, x))
		die("write cert");
	fclose(f);
}

void pki_write_crl(const char *path, const struct pki_id *ca, const long *serials,
		   size_t n, time_t last_update, time_t next_update)
{
	X509_CRL *crl = X509_CRL_new();
	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert));
	ASN1_TIME *t = ASN1_TIME_set(NULL, last_update);
	X509_CRL_set1_lastUpdate(crl, t);
	ASN1_TIME_set(t, next_update);
	X509_CRL_set1_nextUpdate(crl, t);
	for (size_t i = 0; i < n; i++) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *s = ASN1_INTEGER_new();
		ASN1_INTEGER_set(s, serials[i]);
		X509_REVOKED_set_serialNumber(r, s);
		ASN1_TIME_set(t, last_update);
		X509_REVOKED_set_revocationDate(r, t);
		X509_CRL_add0_revoked(crl, r);
		ASN1_INTEGER_free(s);
	}
	ASN1_TIME_free(t);
	X509_CRL_sort(crl);
	if (!X509_CRL_sign(crl, ca->key, EVP_sha256()))
		die("X509_CRL_sign");
	FILE *f = fopen(path, "w");
	if (!f || !PEM_write_X509_CRL(f, crl))
		die("write crl");
	fclose(f);
	X509_CRL_free(crl);
}

unsigned char *pki_sign(const struct pki_id *signer, const void *data, size_t len,
			time_t signing_time, size_t *derlen)
{
	const unsigned flags = CMS_DETACHED | CMS_BINARY | CMS_PARTIAL;
	BIO *in = BIO_new_mem_buf(data, (int)len);
	CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	CMS_SignerInfo *si = cms ? CMS_add1_signer(cms, signer->cert, signer->key,
						   EVP_sha256(), flags) : NULL;
	ASN1_TIME *t = ASN1_TIME_set(NULL, signing_time);
	/* Present before signing, so CMS keeps this one instead of the clock's. */
	if (!si || !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, t->type, t, -1) ||
	    !CMS_final(cms, in, NULL, flags))
		die("CMS sign");
	ASN1_TIME_free(t);
	unsigned char *der = NULL;
	int n = i2d_CMS_ContentInfo(cms, &der);
	if (n <= 0)
		die("i2d_CMS_ContentInfo");
	*derlen = (size_t)n;
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	return der;
}
