#include "certs/sign/cms_verify.h"
#include "certs/sign/signer.h"
#include "lib/strutil.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

static bool signing_time(CMS_SignerInfo *si, time_t *out)
{
	int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	if (idx < 0)
		return false;
	X509_ATTRIBUTE *a = CMS_signed_get_attr(si, idx);
	ASN1_TYPE *t = a ? X509_ATTRIBUTE_get0_type(a, 0) : NULL;
	if (!t || (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME))
		return false;
	struct tm tm;
	if (!ASN1_TIME_to_tm((const ASN1_TIME *)t->value.asn1_string, &tm))
		return false;
	*out = timegm(&tm);
	return true;
}

enum kesu_rc kesu_cms_verify(const void *data, size_t len,
			     const void *der, size_t derlen,
			     const char *ca_file, time_t at,
			     struct kesu_sig_info *info, struct kesu_err *err)
{
	memset(info, 0, sizeof(*info));
	char why[256];
	enum kesu_rc rc = KESU_OK;
	const unsigned char *p = der;
	CMS_ContentInfo *cms = NULL;
	X509_STORE *store = NULL;
	BIO *content = NULL;
	STACK_OF(X509) *signers = NULL;
	ERR_clear_error();
	if (!ca_file || !ca_file[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "no trusted CA; give --ca FILE or [trust] ca_file in kesu.conf");
	cms = derlen < (1u << 24) ? d2i_CMS_ContentInfo(NULL, &p, (long)derlen) : NULL;
	if (!cms || p != (const unsigned char *)der + derlen) {
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "signature is not a DER CMS structure (damaged or not a .p7s)");
		goto out;
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed || !CMS_is_detached(cms)) {
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "signature is not a detached CMS SignedData");
		goto out;
	}
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	if (sk_CMS_SignerInfo_num(sis) != 1) {
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "signature has %d signers; a kesu signature has exactly one",
			       sk_CMS_SignerInfo_num(sis));
		goto out;
	}
	CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
	X509_ALGOR *dig = NULL;
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	if (!dig || OBJ_obj2nid(dig->algorithm) != NID_sha256) {
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "signature does not use SHA-256; not made by kesu");
		goto out;
	}
	if (!signing_time(si, &info->signing_time)) {
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "signature has no signed signingTime; cannot check the "
			       "signer's certificate at signing time (use --at TIME)");
		if (!at)
			goto out;
		kesu_err_clear(err);
		rc = KESU_OK;
	}
	store = X509_STORE_new();
	if (!store || !X509_STORE_load_file(store, ca_file)) {
		kesu_openssl_error(why, sizeof(why));
		rc = kesu_fail(err, KESU_ERR_NOENT, 0,
			       "cannot load CA certificates from %s (%s); give the CA's "
			       "PEM file with --ca", ca_file, why);
		goto out;
	}
	X509_STORE_set_purpose(store, X509_PURPOSE_ANY);
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store),
				   at ? at : info->signing_time);
	content = BIO_new_mem_buf(data, (int)len);
	if (!content || CMS_verify(cms, NULL, store, content, NULL, CMS_BINARY) != 1) {
		kesu_openssl_error(why, sizeof(why));
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "signature does not verify: %s (the file was changed "
			       "after signing, or the signer is not certified by %s "
			       "at that time)", why, ca_file);
		goto out;
	}
	signers = CMS_get0_signers(cms);
	X509 *x = signers ? sk_X509_value(signers, 0) : NULL;
	/* Stricter than "openssl cms -purpose any": a certificate the CA
	 * issued for something else (a TLS server, the CA itself) does not
	 * sign disposal records. */
	const char *unfit = x ? kesu_signer_cert_unfit(x) : "no signer certificate";
	if (unfit) {
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "signer certificate is not for signing documents: %s", unfit);
		goto out;
	}
	if (x) {
		/* RFC 2253 order and UTF-8 kept, so Japanese names read as names. */
		BIO *b = BIO_new(BIO_s_mem());
		char *subj = NULL;
		long n = 0;
		if (b && X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
					    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
			n = BIO_get_mem_data(b, &subj);
		if (n > 0)
			kesu_clean(info->signer_subject, sizeof(info->signer_subject),
				   subj, (size_t)n);
		BIO_free(b);
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
		char *hex = bn ? BN_bn2hex(bn) : NULL;
		if (hex)
			kesu_clean(info->signer_serial, sizeof(info->signer_serial),
				   hex, strlen(hex));
		OPENSSL_free(hex);
		BN_free(bn);
	}
out:
	sk_X509_free(signers);
	BIO_free(content);
	X509_STORE_free(store);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}
