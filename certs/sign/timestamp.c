#include "certs/sign/timestamp.h"
#include "certs/sign/signer.h"
#include "certs/sign/trust.h"
#include "lib/fileio.h"
#include "lib/http.h"
#include "lib/strutil.h"

#include <errno.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A TSA that takes longer than this is treated as down: a wipe must not
 * hang on it after the erasure is done. */
#define TSA_TIMEOUT_S 30L

static void sha256(const void *data, size_t len, unsigned char out[32])
{
	unsigned int n = 32;
	EVP_Digest(data, len, out, &n, EVP_sha256(), NULL);
}

struct kesu_ts_req {
	TS_REQ *req;
	unsigned char *der;
	size_t len;
};

void kesu_ts_req_free(struct kesu_ts_req *r)
{
	if (!r)
		return;
	TS_REQ_free(r->req);
	OPENSSL_free(r->der);
	free(r);
}

const unsigned char *kesu_ts_req_der(const struct kesu_ts_req *r, size_t *len)
{
	*len = r->len;
	return r->der;
}

enum kesu_rc kesu_ts_req_new(const unsigned char digest[32],
			     struct kesu_ts_req **out, struct kesu_err *err)
{
	*out = NULL;
	struct kesu_ts_req *r = calloc(1, sizeof(*r));
	TS_MSG_IMPRINT *mi = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_INTEGER *nonce = NULL;
	BIGNUM *bn = NULL;
	unsigned char rnd[8];
	bool ok = r && mi && alg && (r->req = TS_REQ_new()) &&
		  TS_REQ_set_version(r->req, 1) &&
		  X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) &&
		  TS_MSG_IMPRINT_set_algo(mi, alg) &&
		  TS_MSG_IMPRINT_set_msg(mi, (unsigned char *)digest, 32) &&
		  TS_REQ_set_msg_imprint(r->req, mi) &&
		  /* The nonce ties the answer to this request: a replayed or
		   * cached token for the same bytes is refused. */
		  RAND_bytes(rnd, sizeof(rnd)) == 1 &&
		  (bn = BN_bin2bn(rnd, sizeof(rnd), NULL)) &&
		  (nonce = BN_to_ASN1_INTEGER(bn, NULL)) &&
		  TS_REQ_set_nonce(r->req, nonce) &&
		  TS_REQ_set_cert_req(r->req, 1);
	int n = ok ? i2d_TS_REQ(r->req, &r->der) : -1;
	BN_free(bn);
	ASN1_INTEGER_free(nonce);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(mi);
	if (n <= 0) {
		kesu_ts_req_free(r);
		ERR_clear_error();
		return kesu_fail(err, KESU_ERR_INTERNAL, 0,
				 "cannot build a timestamp request (OpenSSL)");
	}
	r->len = (size_t)n;
	*out = r;
	return KESU_OK;
}

static TS_RESP *decode(const void *der, size_t len, struct kesu_err *err)
{
	const unsigned char *p = der;
	TS_RESP *resp = len && len <= KESU_TSR_MAX_BYTES
				? d2i_TS_RESP(NULL, &p, (long)len) : NULL;
	if (!resp || p != (const unsigned char *)der + len) {
		TS_RESP_free(resp);
		ERR_clear_error();
		kesu_fail(err, KESU_ERR_CRYPTO, 0,
			  "not a DER RFC 3161 timestamp response (damaged, or not "
			  "from a timestamp authority)");
		return NULL;
	}
	return resp;
}

static void tsa_subject(TS_RESP *resp, char *out, size_t size)
{
	PKCS7 *p7 = TS_RESP_get_token(resp);
	STACK_OF(X509) *signers = p7 && PKCS7_type_is_signed(p7)
					  ? PKCS7_get0_signers(p7, NULL, 0) : NULL;
	if (sk_X509_num(signers) == 1)
		kesu_cert_subject(sk_X509_value(signers, 0), out, size);
	sk_X509_free(signers);
	ERR_clear_error();
}

/* The facts of a decoded response, before any trust decision. */
static enum kesu_rc facts(TS_RESP *resp, struct kesu_ts_info *info,
			  struct kesu_err *err)
{
	memset(info, 0, sizeof(*info));
	TS_STATUS_INFO *si = TS_RESP_get_status_info(resp);
	const ASN1_INTEGER *st = si ? TS_STATUS_INFO_get0_status(si) : NULL;
	long status = st ? ASN1_INTEGER_get(st) : -1;
	if (status != 0 && status != 1) {
		char text[128] = "";
		const STACK_OF(ASN1_UTF8STRING) *t = si ? TS_STATUS_INFO_get0_text(si) : NULL;
		ASN1_UTF8STRING *s0 = sk_ASN1_UTF8STRING_num(t) > 0
					      ? sk_ASN1_UTF8STRING_value(t, 0) : NULL;
		if (s0)
			kesu_clean(text, sizeof(text), ASN1_STRING_get0_data(s0),
				   (size_t)ASN1_STRING_length(s0));
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "the timestamp authority refused the request "
				 "(status %ld%s%s)", status, text[0] ? ": " : "", text);
	}
	TS_TST_INFO *tst = TS_RESP_get_tst_info(resp);
	if (!tst || !TS_RESP_get_token(resp))
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "timestamp response granted but holds no token");
	TS_MSG_IMPRINT *mi = TS_TST_INFO_get_msg_imprint(tst);
	X509_ALGOR *alg = mi ? TS_MSG_IMPRINT_get_algo(mi) : NULL;
	ASN1_OCTET_STRING *msg = mi ? TS_MSG_IMPRINT_get_msg(mi) : NULL;
	if (!alg || OBJ_obj2nid(alg->algorithm) != NID_sha256 || !msg ||
	    ASN1_STRING_length(msg) != 32)
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "timestamp token is not over a SHA-256 digest; kesu "
				 "asks for SHA-256 only");
	const ASN1_GENERALIZEDTIME *gt = TS_TST_INFO_get_time(tst);
	struct tm tm;
	if (!gt || !ASN1_TIME_to_tm(gt, &tm))
		return kesu_fail(err, KESU_ERR_CRYPTO, 0,
				 "timestamp token has no valid genTime");
	info->gen_time = timegm(&tm);
	kesu_asn1_serial_text(TS_TST_INFO_get_serial(tst), info->serial, sizeof(info->serial));
	tsa_subject(resp, info->tsa_subject, sizeof(info->tsa_subject));
	ERR_clear_error();
	return KESU_OK;
}

/* The response decoded (*resp, NULL when it does not decode; the caller
 * frees it) and its facts read into info. */
static enum kesu_rc open_resp(const void *der, size_t len, TS_RESP **resp,
			      struct kesu_ts_info *info, struct kesu_err *err)
{
	memset(info, 0, sizeof(*info));
	*resp = decode(der, len, err);
	if (!*resp)
		return KESU_ERR_CRYPTO;
	return facts(*resp, info, err);
}

enum kesu_rc kesu_ts_resp_parse(const void *der, size_t len,
				struct kesu_ts_info *info, struct kesu_err *err)
{
	TS_RESP *resp;
	enum kesu_rc rc = open_resp(der, len, &resp, info, err);
	TS_RESP_free(resp);
	return rc;
}

/* ctx checks the token's signer against the TSA CA certificates in
 * ca_file (the store is ctx's from here on). */
static enum kesu_rc trust_tsa(TS_VERIFY_CTX *ctx, const char *ca_file, struct kesu_err *err)
{
	char why[256];
	X509_STORE *store = kesu_store_from_pem(ca_file, why, sizeof(why));
	if (!store)
		return kesu_fail(err, KESU_ERR_NOENT, 0,
				 "cannot load TSA CA certificates from %s (%s); give the "
				 "timestamp authority's CA with --tsa-ca-file", ca_file, why);
	TS_VERIFY_CTX_set_store(ctx, store);
	return KESU_OK;
}

/* Runs ctx over resp; the flags in ctx decide what is checked. */
static enum kesu_rc run_verify(TS_VERIFY_CTX *ctx, TS_RESP *resp, struct kesu_err *err)
{
	char why[256];
	ERR_clear_error();
	if (TS_RESP_verify_response(ctx, resp) == 1)
		return KESU_OK;
	kesu_openssl_error(why, sizeof(why));
	return kesu_fail(err, KESU_ERR_CRYPTO, 0, "timestamp token does not verify: %s",
			 why);
}

enum kesu_rc kesu_ts_resp_check(const struct kesu_ts_req *req,
				const void *der, size_t len, const char *ca_file,
				struct kesu_ts_info *info, struct kesu_err *err)
{
	TS_RESP *resp;
	enum kesu_rc rc = open_resp(der, len, &resp, info, err);
	if (!resp)
		return rc;
	TS_VERIFY_CTX *ctx = NULL;
	if (!rc && !(ctx = TS_REQ_to_TS_VERIFY_CTX(req->req, NULL)))
		rc = kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
	if (!rc) {
		/* Version, imprint and nonce always; the signature only against
		 * a configured TSA CA (the signer-name check needs the signer). */
		int flags = TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE;
		if (ca_file && ca_file[0]) {
			rc = trust_tsa(ctx, ca_file, err);
			flags |= TS_VFY_SIGNATURE | TS_VFY_SIGNER;
		}
		TS_VERIFY_CTX_set_flags(ctx, flags);
	}
	if (!rc)
		rc = run_verify(ctx, resp, err);
	TS_VERIFY_CTX_free(ctx);
	TS_RESP_free(resp);
	ERR_clear_error();
	return rc;
}

enum kesu_rc kesu_ts_token_verify(const void *data, size_t len,
				  const void *der, size_t dlen,
				  const char *ca_file, struct kesu_ts_info *info,
				  struct kesu_err *err)
{
	memset(info, 0, sizeof(*info));
	if (!ca_file || !ca_file[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "a timestamp token but no trusted TSA CA; give "
				 "--tsa-ca-file or [trust] tsa_ca_file in kesu.conf");
	TS_RESP *resp;
	enum kesu_rc rc = open_resp(der, dlen, &resp, info, err);
	if (!resp)
		return rc;
	TS_VERIFY_CTX *ctx = NULL;
	unsigned char *imprint = NULL;
	if (!rc && (!(ctx = TS_VERIFY_CTX_new()) ||
		    !(imprint = OPENSSL_malloc(32))))
		rc = kesu_fail(err, KESU_ERR_INTERNAL, 0, "out of memory");
	if (!rc) {
		sha256(data, len, imprint);
		TS_VERIFY_CTX_set_imprint(ctx, imprint, 32);
		imprint = NULL; /* owned by ctx now */
		rc = trust_tsa(ctx, ca_file, err);
		TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_IMPRINT |
					TS_VFY_SIGNATURE | TS_VFY_SIGNER);
	}
	if (!rc)
		rc = run_verify(ctx, resp, err);
	OPENSSL_free(imprint);
	TS_VERIFY_CTX_free(ctx);
	TS_RESP_free(resp);
	ERR_clear_error();
	return rc;
}

static enum kesu_rc http_post(void *ctx, const char *url, const unsigned char *req,
			      size_t len, unsigned char **resp, size_t *resplen,
			      struct kesu_err *err)
{
	(void)ctx;
	return kesu_http_post(url, "application/timestamp-query", req, len,
			      KESU_TSR_MAX_BYTES, TSA_TIMEOUT_S, resp, resplen, err);
}

static bool sibling(char *out, size_t size, const char *path, const char *suffix)
{
	return (size_t)snprintf(out, size, "%s%s", path, suffix) < size;
}

enum kesu_rc kesu_timestamp_data(const struct kesu_tsa *tsa, const void *data,
				 size_t len, unsigned char **token, size_t *toklen,
				 struct kesu_ts_info *info, struct kesu_err *err)
{
	memset(info, 0, sizeof(*info));
	*token = NULL;
	*toklen = 0;
	if (!tsa || !tsa->url || !tsa->url[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "no timestamp authority; give --tsa URL or [timestamp] "
				 "url in kesu.conf");
	unsigned char digest[32];
	sha256(data, len, digest);
	struct kesu_ts_req *req;
	enum kesu_rc rc = kesu_ts_req_new(digest, &req, err);
	if (rc)
		return rc;
	size_t qlen, alen = 0;
	const unsigned char *q = kesu_ts_req_der(req, &qlen);
	unsigned char *answer = NULL;
	rc = (tsa->post ? tsa->post : http_post)(tsa->post_ctx, tsa->url, q, qlen,
						 &answer, &alen, err);
	if (!rc) {
		rc = kesu_ts_resp_check(req, answer, alen, tsa->ca_file, info, err);
		if (rc) {
			char shown[200];
			kesu_clean(shown, sizeof(shown), tsa->url, strlen(tsa->url));
			kesu_err_prefix(err, "timestamp authority %s: ", shown);
		}
	}
	kesu_ts_req_free(req);
	if (rc) {
		free(answer);
		return rc;
	}
	*token = answer;
	*toklen = alen;
	return KESU_OK;
}

enum kesu_rc kesu_timestamp_file(const struct kesu_tsa *tsa, const char *path,
				 struct kesu_ts_info *info, struct kesu_err *err)
{
	memset(info, 0, sizeof(*info));
	char p7s[PATH_MAX], tsr[PATH_MAX];
	if (!sibling(p7s, sizeof(p7s), path, ".p7s") ||
	    !sibling(tsr, sizeof(tsr), path, KESU_TSR_SUFFIX))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", path);
	if (!tsa || !tsa->url || !tsa->url[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "no timestamp authority; give --tsa URL or [timestamp] "
				 "url in kesu.conf");
	char *sig;
	size_t slen;
	enum kesu_rc rc = kesu_read_file(p7s, 1u << 20, &sig, &slen, err);
	if (rc)
		return rc;
	unsigned char *answer;
	size_t alen;
	rc = kesu_timestamp_data(tsa, sig, slen, &answer, &alen, info, err);
	free(sig);
	if (!rc)
		rc = kesu_write_atomic(tsr, answer, alen, 0644, err);
	free(answer);
	return rc;
}

enum kesu_rc kesu_timestamp_verify_file(const char *path, const char *ca_file,
					bool *present, struct kesu_ts_info *info,
					struct kesu_err *err)
{
	memset(info, 0, sizeof(*info));
	*present = false;
	char p7s[PATH_MAX], tsr[PATH_MAX];
	if (!sibling(p7s, sizeof(p7s), path, ".p7s") ||
	    !sibling(tsr, sizeof(tsr), path, KESU_TSR_SUFFIX))
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", path);
	if (access(tsr, F_OK) != 0 && errno == ENOENT)
		return KESU_OK;
	*present = true;
	char *sig = NULL, *tok = NULL;
	size_t slen, tlen;
	enum kesu_rc rc;
	if (!(rc = kesu_read_file(p7s, 1u << 20, &sig, &slen, err)) &&
	    !(rc = kesu_read_file(tsr, KESU_TSR_MAX_BYTES, &tok, &tlen, err)))
		rc = kesu_ts_token_verify(sig, slen, tok, tlen, ca_file, info, err);
	if (rc)
		kesu_err_prefix(err, "%s: ", tsr);
	free(sig);
	free(tok);
	return rc;
}
