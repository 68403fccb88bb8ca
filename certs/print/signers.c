#include "certs/print/signers.h"
#include "certs/sign/signer.h"
#include "certs/sign/trust.h"
#include "lib/strutil.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <string.h>

static void signing_time(CMS_SignerInfo *si, char out[KESU_TIME_LEN])
{
	out[0] = '\0';
	int idx = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	X509_ATTRIBUTE *a = idx >= 0 ? CMS_signed_get_attr(si, idx) : NULL;
	ASN1_TYPE *t = a ? X509_ATTRIBUTE_get0_type(a, 0) : NULL;
	if (t && (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME))
		kesu_asn1_time_text(t->value.asn1_string, out);
}

enum kesu_rc kesu_print_sig_read(const void *data, size_t len, const void *der,
				 size_t derlen, struct kesu_print_sig *out,
				 struct kesu_err *err)
{
	memset(out, 0, sizeof(*out));
	enum kesu_rc rc = KESU_OK;
	const unsigned char *p = der;
	BIO *content = NULL;
	STACK_OF(X509) *certs = NULL;
	char why[256];
	ERR_clear_error();
	CMS_ContentInfo *cms = derlen < (1u << 24) ? d2i_CMS_ContentInfo(NULL, &p, (long)derlen)
						   : NULL;
	if (!cms || p != (const unsigned char *)der + derlen ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed || !CMS_is_detached(cms)) {
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "the signature file is not a detached DER CMS SignedData");
		goto out;
	}
	content = kesu_bio_bytes(data, len);
	if (!content ||
	    CMS_verify(cms, NULL, NULL, content, NULL,
		       CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		kesu_openssl_error(why, sizeof(why));
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0,
			       "the signature is not over this certificate's bytes (%s): "
			       "the file was changed after signing", why);
		goto out;
	}
	certs = CMS_get1_certs(cms);
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	out->total = (size_t)sk_CMS_SignerInfo_num(sis);
	for (int i = 0; i < sk_CMS_SignerInfo_num(sis) && out->n < KESU_PRINT_MAX_SIGNERS; i++) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, i);
		struct kesu_print_signer *s = &out->s[out->n++];
		signing_time(si, s->signing_time);
		X509 *x = NULL;
		for (int k = 0; certs && k < sk_X509_num(certs); k++)
			if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, k)) == 0) {
				x = sk_X509_value(certs, k);
				break;
			}
		if (!x) {
			snprintf(s->subject, sizeof(s->subject), "(certificate not embedded)");
			continue;
		}
		kesu_cert_subject(x, s->subject, sizeof(s->subject));
		kesu_x509_name_text(X509_get_issuer_name(x), s->issuer, sizeof(s->issuer));
		kesu_asn1_time_text(X509_get0_notBefore(x), s->not_before);
		kesu_asn1_time_text(X509_get0_notAfter(x), s->not_after);
		kesu_asn1_serial_text(X509_get0_serialNumber(x), s->serial, sizeof(s->serial));
	}
out:
	sk_X509_pop_free(certs, X509_free);
	BIO_free(content);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}
