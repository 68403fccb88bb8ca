#include "certs/sign/trust.h"
#include "certs/sign/signer.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kesu_x509_name_text(void *name, char *buf, size_t size)
{
	if (!size)
		return;
	BIO *b = BIO_new(BIO_s_mem());
	char *text = NULL;
	long n = 0;
	buf[0] = '\0';
	if (b && X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		n = BIO_get_mem_data(b, &text);
	if (n > 0)
		kesu_clean(buf, size, text, (size_t)n);
	BIO_free(b);
}

void kesu_cert_subject(void *x, char *buf, size_t size)
{
	kesu_x509_name_text(X509_get_subject_name(x), buf, size);
}

void kesu_asn1_serial_text(const void *serial, char *buf, size_t size)
{
	BIGNUM *bn = serial ? ASN1_INTEGER_to_BN(serial, NULL) : NULL;
	char *hex = bn ? BN_bn2hex(bn) : NULL;
	if (hex && size)
		kesu_clean(buf, size, hex, strlen(hex));
	OPENSSL_free(hex);
	BN_free(bn);
}

void kesu_asn1_time_text(const void *t, char *out)
{
	struct tm tm;
	out[0] = '\0';
	if (t && ASN1_TIME_to_tm(t, &tm))
		kesu_time_format(timegm(&tm), out);
}

/* For messages: "?" where the certificate has no readable time. */
static void asn1_time_str(const ASN1_TIME *t, char out[KESU_TIME_LEN])
{
	kesu_asn1_time_text(t, out);
	if (!out[0])
		snprintf(out, KESU_TIME_LEN, "?");
}

void *kesu_store_from_pem(const char *file, char *why, size_t size)
{
	X509_STORE *store = X509_STORE_new();
	if (store && X509_STORE_load_file(store, file))
		return store;
	kesu_openssl_error(why, size);
	X509_STORE_free(store);
	return NULL;
}

static enum kesu_rc load_ca(const char *ca_file, X509_STORE **out,
			    struct kesu_err *err)
{
	char why[256];
	X509_STORE *store = kesu_store_from_pem(ca_file, why, sizeof(why));
	if (!store)
		return kesu_fail(err, KESU_ERR_NOENT, 0,
				 "cannot load CA certificates from %s (%s); give the CA's "
				 "PEM file with --ca or [trust] ca_file", ca_file, why);
	*out = store;
	return KESU_OK;
}

/* CRLs only: a CA certificate slipped into the CRL file must not become a
 * trust anchor. */
static enum kesu_rc load_crls(X509_STORE *store, const char *crl_file,
			      STACK_OF(X509_CRL) **crls, struct kesu_err *err)
{
	BIO *b = BIO_new_file(crl_file, "r");
	if (!b) {
		ERR_clear_error();
		return kesu_fail(err, KESU_ERR_NOENT, 0,
				 "cannot read the CRL file %s; give the CA's current CRL "
				 "(certs/ca/gen-crl.sh) with --crl or [trust] crl_file",
				 crl_file);
	}
	*crls = sk_X509_CRL_new_null();
	X509_CRL *crl;
	while (*crls && (crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL))) {
		X509_STORE_add_crl(store, crl);
		sk_X509_CRL_push(*crls, crl);
	}
	BIO_free(b);
	ERR_clear_error(); /* the loop ends on "no start line" */
	if (!*crls || sk_X509_CRL_num(*crls) == 0)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s holds no PEM CRL; give the CA's current CRL "
				 "(certs/ca/gen-crl.sh)", crl_file);
	return KESU_OK;
}

/* Expiry after the time checked before is no reason to doubt revocation
 * status now: only that check is waived here. */
static int ignore_expiry(int ok, X509_STORE_CTX *ctx)
{
	int e = X509_STORE_CTX_get_error(ctx);
	if (!ok && (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID))
		return 1;
	return ok;
}

static enum kesu_rc chain_error(X509 *x, int e, const char *ca_file,
				const char *crl_file, time_t at,
				STACK_OF(X509_CRL) *crls, struct kesu_err *err)
{
	char subj[256], t1[KESU_TIME_LEN], t2[KESU_TIME_LEN], when[KESU_TIME_LEN];
	kesu_cert_subject(x, subj, sizeof(subj));
	switch (e) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "the signer (%s) was not issued by this CA (%s)",
				 subj, ca_file);
	case X509_V_ERR_CERT_HAS_EXPIRED:
	case X509_V_ERR_CERT_NOT_YET_VALID:
		asn1_time_str(X509_get0_notBefore(x), t1);
		asn1_time_str(X509_get0_notAfter(x), t2);
		kesu_time_format(at, when);
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "the signer's certificate (%s) %s at %s: it is valid from "
				 "%s to %s", subj,
				 e == X509_V_ERR_CERT_HAS_EXPIRED ? "had expired"
								  : "was not yet valid",
				 when, t1, t2);
	case X509_V_ERR_CERT_REVOKED: {
		X509_REVOKED *rev = NULL;
		for (int i = 0; crls && i < sk_X509_CRL_num(crls) && !rev; i++)
			X509_CRL_get0_by_cert(sk_X509_CRL_value(crls, i), &rev, x);
		asn1_time_str(rev ? X509_REVOKED_get0_revocationDate(rev) : NULL, t1);
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "the signer's certificate (%s) was revoked on %s (%s); "
				 "nothing it signs is trusted", subj, t1, crl_file);
	}
	case X509_V_ERR_UNABLE_TO_GET_CRL:
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "%s has no CRL from the CA that issued the signer (%s); "
				 "give that CA's CRL", crl_file, subj);
	case X509_V_ERR_CRL_HAS_EXPIRED:
	case X509_V_ERR_CRL_NOT_YET_VALID:
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "the CRL in %s is %s; get the CA's current CRL "
				 "(certs/ca/gen-crl.sh)", crl_file,
				 e == X509_V_ERR_CRL_HAS_EXPIRED ? "out of date (past its next update)"
								 : "not yet valid");
	case X509_V_ERR_CRL_SIGNATURE_FAILURE:
	case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "the CRL in %s is not signed by the signer's CA", crl_file);
	default:
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "the signer's certificate (%s) does not verify against %s: %s",
				 subj, ca_file, X509_verify_cert_error_string(e));
	}
}

static enum kesu_rc verify_once(X509_STORE *store, X509 *x, STACK_OF(X509) *chain,
				time_t t, unsigned long flags, int *e)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	if (!ctx || !X509_STORE_CTX_init(ctx, store, x, chain)) {
		X509_STORE_CTX_free(ctx);
		return KESU_ERR_INTERNAL;
	}
	X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
	X509_STORE_CTX_set_time(ctx, 0, t);
	if (flags)
		X509_STORE_CTX_set_flags(ctx, flags);
	int ok = X509_verify_cert(ctx);
	*e = ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	ERR_clear_error();
	return ok == 1 ? KESU_OK : KESU_ERR_CRYPTO;
}

struct kesu_trust_store {
	char *ca_file, *crl_file;  /* the files the stores were read from */
	X509_STORE *ca;            /* chain checks */
	X509_STORE *rca;           /* revocation checks: the CAs and the CRLs */
	STACK_OF(X509_CRL) *crls;
};

enum kesu_rc kesu_trust_store_new(struct kesu_trust_store **out, struct kesu_err *err)
{
	*out = calloc(1, sizeof(**out));
	return *out ? KESU_OK : kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
}

static void drop_crls(struct kesu_trust_store *s)
{
	sk_X509_CRL_pop_free(s->crls, X509_CRL_free);
	X509_STORE_free(s->rca);
	free(s->crl_file);
	s->crls = NULL;
	s->rca = NULL;
	s->crl_file = NULL;
}

static void drop_all(struct kesu_trust_store *s)
{
	drop_crls(s);
	X509_STORE_free(s->ca);
	free(s->ca_file);
	s->ca = NULL;
	s->ca_file = NULL;
}

void kesu_trust_store_free(struct kesu_trust_store *s)
{
	if (!s)
		return;
	drop_all(s);
	free(s);
}

/* The CA store for ca_file, read now unless it was read before. */
static enum kesu_rc want_ca(struct kesu_trust_store *s, const char *ca_file,
			    struct kesu_err *err)
{
	if (s->ca && !strcmp(s->ca_file, ca_file))
		return KESU_OK;
	drop_all(s);
	enum kesu_rc rc = load_ca(ca_file, &s->ca, err);
	if (!rc && !(s->ca_file = strdup(ca_file)))
		rc = kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
	if (rc)
		drop_all(s);
	return rc;
}

/* Read only once the chain is good, so that a chain error is reported as
 * such even when the CRL file is unusable too. */
static enum kesu_rc want_crls(struct kesu_trust_store *s, const char *ca_file,
			      const char *crl_file, struct kesu_err *err)
{
	if (s->rca && !strcmp(s->crl_file, crl_file))
		return KESU_OK;
	drop_crls(s);
	enum kesu_rc rc;
	if (!(rc = load_ca(ca_file, &s->rca, err)) &&
	    !(rc = load_crls(s->rca, crl_file, &s->crls, err)) &&
	    !(s->crl_file = strdup(crl_file)))
		rc = kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
	if (rc)
		drop_crls(s);
	else
		X509_STORE_set_verify_cb(s->rca, ignore_expiry);
	return rc;
}

enum kesu_rc kesu_trust_check(void *cert, void *chain, const char *ca_file,
			      const char *crl_file, time_t at, time_t now,
			      bool *revocation_checked, struct kesu_err *err)
{
	return kesu_trust_check_store(NULL, cert, chain, ca_file, crl_file, at, now,
				      revocation_checked, err);
}

enum kesu_rc kesu_trust_check_store(struct kesu_trust_store *store, void *cert,
				    void *chain, const char *ca_file,
				    const char *crl_file, time_t at, time_t now,
				    bool *revocation_checked, struct kesu_err *err)
{
	X509 *x = cert;
	struct kesu_trust_store once = {0}, *s = store ? store : &once;
	int e = X509_V_OK;
	enum kesu_rc rc;
	if (revocation_checked)
		*revocation_checked = false;
	if (!ca_file || !ca_file[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "no trusted CA; give --ca FILE or [trust] ca_file in kesu.conf");
	if ((rc = want_ca(s, ca_file, err)))
		goto out;
	rc = verify_once(s->ca, x, chain, at, 0, &e);
	if (rc == KESU_ERR_INTERNAL) {
		rc = kesu_fail(err, rc, 0, "out of memory checking the signer's chain");
		goto out;
	}
	if (rc) {
		rc = chain_error(x, e, ca_file, crl_file, at, NULL, err);
		goto out;
	}
	if (!crl_file || !crl_file[0])
		goto out;
	if ((rc = want_crls(s, ca_file, crl_file, err)))
		goto out;
	rc = verify_once(s->rca, x, chain, now ? now : time(NULL), X509_V_FLAG_CRL_CHECK, &e);
	if (rc == KESU_ERR_INTERNAL)
		rc = kesu_fail(err, rc, 0, "out of memory checking revocation");
	else if (rc)
		rc = chain_error(x, e, ca_file, crl_file, now, s->crls, err);
	else if (revocation_checked)
		*revocation_checked = true;
out:
	if (!store)
		drop_all(&once);
	return rc;
}
