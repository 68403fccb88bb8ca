#include "certs/sign/cms_unanchored.h"
#include "certs/sign/signer.h"
#include "certs/sign/trust.h"
#include "lib/strutil.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

enum kesu_rc kesu_cms_verify_unanchored(const void *data, size_t len,
					const void *der, size_t derlen,
					char *signer, size_t size,
					struct kesu_err *err)
{
	char why[256];
	enum kesu_rc rc = KESU_OK;
	const unsigned char *p = der;
	BIO *content = NULL;
	STACK_OF(X509) *signers = NULL;
	if (size)
		signer[0] = '\0';
	ERR_clear_error();
	CMS_ContentInfo *cms = derlen < (1u << 24) && len < (1u << 30)
			       ? d2i_CMS_ContentInfo(NULL, &p, (long)derlen) : NULL;
	if (!cms || p != (const unsigned char *)der + derlen ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed || !CMS_is_detached(cms) ||
	    sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)) != 1) {
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0, "signature is not a detached CMS "
			       "SignedData with one signer (damaged or not a .p7s)");
		goto out;
	}
	content = kesu_bio_bytes(data, len);
	if (!content || CMS_verify(cms, NULL, NULL, content, NULL,
				   CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY) != 1) {
		kesu_openssl_error(why, sizeof(why));
		rc = kesu_fail(err, KESU_ERR_CRYPTO, 0, "signature does not verify: %s "
			       "(the file was changed after signing)", why);
		goto out;
	}
	signers = CMS_get0_signers(cms);
	X509 *x = signers ? sk_X509_value(signers, 0) : NULL;
	if (x)
		kesu_cert_subject(x, signer, size);
out:
	sk_X509_free(signers);
	BIO_free(content);
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	return rc;
}
