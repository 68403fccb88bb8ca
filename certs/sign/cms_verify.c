#include "certs/sign/cms_verify.h"
#include "certs/sign/role.h"
#include "certs/sign/signer.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

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

static enum kesu_rc fail_as(struct kesu_sig_info *info, enum kesu_sig_failure f,
			    enum kesu_rc rc)
{
	info->failure = f;
	return rc;
}

enum kesu_rc kesu_cms_verify(const void *data, size_t len,
			     const void *der, size_t derlen,
			     const char *ca_file, time_t at,
			     struct kesu_sig_info *info, struct kesu_err *err)
{
	struct kesu_trust t = {.ca_file = ca_file, .at = at};
	return kesu_cms_verify_trust(data, len, der, derlen, &t, info, err);
}

/* The signature's shape: one DER detached SignedData with one SHA-256
 * signer and a signed signingTime (which --at may stand in for).  *cmsp is
 * set as soon as it is parsed, for the caller to free. */
static enum kesu_rc check_shape(const void *der, size_t derlen, const struct kesu_trust *t,
				CMS_ContentInfo **cmsp, struct kesu_sig_info *info,
				struct kesu_err *err)
{
	const unsigned char *p = der;
	*cmsp = derlen < (1u << 24) ? d2i_CMS_ContentInfo(NULL, &p, (long)derlen) : NULL;
	if (!*cmsp || p != (const unsigned char *)der + derlen)
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "signature is not a DER CMS structure (damaged or not a .p7s)");
	if (OBJ_obj2nid(CMS_get0_type(*cmsp)) != NID_pkcs7_signed || !CMS_is_detached(*cmsp))
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "signature is not a detached CMS SignedData");
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(*cmsp);
	if (sk_CMS_SignerInfo_num(sis) != 1)
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "signature has %d signers; a kesu signature has exactly one",
				 sk_CMS_SignerInfo_num(sis));
	CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
	X509_ALGOR *dig = NULL;
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	if (!dig || OBJ_obj2nid(dig->algorithm) != NID_sha256)
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "signature does not use SHA-256; not made by kesu");
	if (!signing_time(si, &info->signing_time)) {
		enum kesu_rc rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
					    "signature has no signed signingTime; cannot check the "
					    "signer's certificate at signing time (use --at TIME)");
		if (!t->at)
			return rc;
		kesu_err_clear(err);
	}
	return KESU_OK;
}

/* What the report says of the signer: its names, roles, fingerprint,
 * expiry and serial number. */
static void signer_facts(X509 *x, struct kesu_sig_info *info)
{
	kesu_cert_subject(x, info->signer_subject, sizeof(info->signer_subject));
	kesu_cert_common_name(x, info->signer_name, sizeof(info->signer_name));
	info->roles = kesu_cert_roles(x);
	unsigned char md[32];
	unsigned int mdlen = 0;
	if (X509_digest(x, EVP_sha256(), md, &mdlen) && mdlen == sizeof(md))
		kesu_hex_encode(md, mdlen, info->signer_sha256);
	kesu_asn1_time_text(X509_get0_notAfter(x), info->signer_not_after);
	kesu_asn1_serial_text(X509_get0_serialNumber(x), info->signer_serial,
			      sizeof(info->signer_serial));
}

/* The signature over exactly these bytes, whoever made it: an empty store
 * and no signer check, which come after. */
static enum kesu_rc check_bytes(CMS_ContentInfo *cms, const void *data, size_t len,
				struct kesu_err *err)
{
	enum kesu_rc rc = KESU_OK;
	X509_STORE *empty = X509_STORE_new();
	BIO *content = kesu_bio_bytes(data, len);
	if (!empty || !content ||
	    CMS_verify(cms, NULL, empty, content, NULL,
		       CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		char why[256];
		kesu_openssl_error(why, sizeof(why));
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "signature does not verify: %s (the file or its "
			       ".p7s was changed after signing)", why);
	}
	BIO_free(content);
	X509_STORE_free(empty);
	return rc;
}

enum kesu_rc kesu_cms_verify_trust(const void *data, size_t len,
				   const void *der, size_t derlen,
				   const struct kesu_trust *t,
				   struct kesu_sig_info *info, struct kesu_err *err)
{
	memset(info, 0, sizeof(*info));
	enum kesu_rc rc = KESU_OK;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(X509) *signers = NULL, *certs = NULL;
	time_t now = t->now ? t->now : time(NULL);
	ERR_clear_error();
	if (!t->ca_file || !t->ca_file[0])
		return fail_as(info, KESU_SIG_SETUP,
			       kesu_fail(err, KESU_ERR_USAGE, 0, "no trusted CA; give --ca "
					 "FILE or [trust] ca_file in kesu.conf"));
	info->failure = KESU_SIG_MALFORMED;
	if ((rc = check_shape(der, derlen, t, &cms, info, err)))
		goto out;
	/* First the bytes, then the signer: "the file was changed" and "the
	 * signer is not trusted" call for different actions. */
	info->failure = KESU_SIG_BAD;
	if ((rc = check_bytes(cms, data, len, err)))
		goto out;
	info->failure = KESU_SIG_UNTRUSTED;
	signers = CMS_get0_signers(cms);
	X509 *x = signers ? sk_X509_value(signers, 0) : NULL;
	if (!x) {
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0, "signature holds no signer certificate");
		goto out;
	}
	signer_facts(x, info);
	/* A signer whose certificate is not valid yet can only make its
	 * signature look valid by dating it ahead; the future is never signed. */
	if (info->signing_time > now + KESU_SIG_CLOCK_SKEW) {
		char st[KESU_TIME_LEN];
		kesu_time_format(info->signing_time, st);
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "the signature claims to be made at %s, in the future "
			       "(forward-dated, or the signer's clock is wrong)", st);
		goto out;
	}
	certs = CMS_get1_certs(cms);
	rc = kesu_trust_check_store(t->store, x, certs, t->ca_file, t->crl_file,
			      t->at ? t->at : info->signing_time, now,
			      &info->revocation_checked, err);
	if (rc == KESU_ERR_NOENT || rc == KESU_ERR_INVALID || rc == KESU_ERR_USAGE) {
		info->failure = KESU_SIG_SETUP;
		goto out;
	}
	if (rc)
		goto out;
	/* Stricter than "openssl cms -purpose any": a certificate the CA
	 * issued for something else (a TLS server, the CA itself) does not
	 * sign disposal records. */
	const char *unfit = kesu_signer_cert_unfit(x);
	if (unfit) {
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "signer certificate is not for signing documents: %s", unfit);
		goto out;
	}
	info->failure = KESU_SIG_OK;
out:
	sk_X509_pop_free(certs, X509_free);
	sk_X509_free(signers);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}
