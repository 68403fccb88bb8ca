#include "tsa_model.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct priv {
	EVP_PKEY *ca_key, *tsa_key;
	X509 *ca, *tsa;
};

static X509 *make_cert(EVP_PKEY *key, EVP_PKEY *signer_key, X509 *issuer,
		       const char *cn, const char *const *exts)
{
	X509 *x = X509_new();
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(random() & 0xffffff) + 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME *n = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509V3_CTX ctx;
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	for (size_t i = 0; exts[i]; i += 2) {
		X509_EXTENSION *e = X509V3_EXT_conf(NULL, &ctx, exts[i], exts[i + 1]);
		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	X509_sign(x, signer_key, EVP_sha256());
	return x;
}

void tsa_model_init(struct tsa_model *m)
{
	memset(m, 0, sizeof(*m));
	struct priv *p = calloc(1, sizeof(*p));
	p->ca_key = EVP_EC_gen("P-256");
	p->tsa_key = EVP_EC_gen("P-256");
	static const char *const ca_ext[] = {"basicConstraints", "critical,CA:TRUE",
		"keyUsage", "critical,keyCertSign", NULL};
	static const char *const tsa_ext[] = {"basicConstraints", "critical,CA:FALSE",
		"keyUsage", "critical,digitalSignature", "extendedKeyUsage",
		"critical,timeStamping", NULL};
	p->ca = make_cert(p->ca_key, p->ca_key, NULL, "model TSA CA", ca_ext);
	p->tsa = make_cert(p->tsa_key, p->ca_key, p->ca, "model TSA", tsa_ext);
	strcpy(m->ca_file, "/tmp/kesu-tsa-model.XXXXXX");
	int fd = mkstemp(m->ca_file);
	FILE *f = fdopen(fd, "w");
	PEM_write_X509(f, p->ca);
	fclose(f);
	m->priv = p;
}

void tsa_model_free(struct tsa_model *m)
{
	struct priv *p = m->priv;
	unlink(m->ca_file);
	X509_free(p->ca);
	X509_free(p->tsa);
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->tsa_key);
	free(p);
}

static ASN1_INTEGER *next_serial(struct TS_resp_ctx *ctx, void *data)
{
	(void)ctx;
	struct tsa_model *m = data;
	ASN1_INTEGER *s = ASN1_INTEGER_new();
	ASN1_INTEGER_set(s, m->requests);
	return s;
}

static int claimed_time(TS_RESP_CTX *rc, void *data, long *sec, long *usec)
{
	(void)rc;
	*sec = (long)((const struct tsa_model *)data)->gen_time;
	*usec = 0;
	return 1;
}

enum kesu_rc tsa_model_post(void *ctx, const char *url, const unsigned char *req,
			    size_t len, unsigned char **resp, size_t *resplen,
			    struct kesu_err *err)
{
	struct tsa_model *m = ctx;
	struct priv *p = m->priv;
	m->requests++;
	if (m->mode == TSA_DOWN)
		return kesu_fail(err, KESU_ERR_IO, 0, "timestamp authority %s: "
				 "Connection refused", url);
	if (m->mode == TSA_GARBAGE) {
		*resp = (unsigned char *)strdup("<html>no</html>");
		*resplen = strlen((char *)*resp);
		return KESU_OK;
	}
	const unsigned char *q = req;
	TS_REQ *r = d2i_TS_REQ(NULL, &q, (long)len);
	if (m->mode == TSA_WRONG_NONCE) {
		ASN1_INTEGER *n = ASN1_INTEGER_new();
		ASN1_INTEGER_set(n, 42);
		TS_REQ_set_nonce(r, n);
		ASN1_INTEGER_free(n);
	}
	if (m->mode == TSA_OTHER_DATA) {
		unsigned char other[32] = {1};
		TS_MSG_IMPRINT_set_msg(TS_REQ_get_msg_imprint(r), other, 32);
	}
	unsigned char *der = NULL;
	int dl = i2d_TS_REQ(r, &der);
	TS_REQ_free(r);
	BIO *in = BIO_new_mem_buf(der, dl);
	TS_RESP_CTX *rc = TS_RESP_CTX_new();
	ASN1_OBJECT *policy = OBJ_txt2obj("1.3.6.1.4.1.99999.1", 1);
	TS_RESP_CTX_set_signer_cert(rc, p->tsa);
	TS_RESP_CTX_set_signer_key(rc, p->tsa_key);
	TS_RESP_CTX_set_signer_digest(rc, EVP_sha256());
	TS_RESP_CTX_set_def_policy(rc, policy);
	TS_RESP_CTX_add_md(rc, EVP_sha256());
	TS_RESP_CTX_set_serial_cb(rc, next_serial, m);
	if (m->gen_time)
		TS_RESP_CTX_set_time_cb(rc, claimed_time, m);
	TS_RESP *out = TS_RESP_create_response(rc, in);
	if (m->mode == TSA_REJECT) {
		TS_STATUS_INFO *si = TS_STATUS_INFO_new();
		TS_STATUS_INFO_set_status(si, TS_STATUS_REJECTION);
		TS_RESP_free(out);
		out = TS_RESP_new();
		TS_RESP_set_status_info(out, si);
		TS_STATUS_INFO_free(si);
	}
	unsigned char *enc = NULL;
	int n = i2d_TS_RESP(out, &enc);
	*resplen = n > 0 ? (size_t)n : 0;
	*resp = malloc(*resplen + 1);
	memcpy(*resp, enc, *resplen);
	OPENSSL_free(enc);
	TS_RESP_free(out);
	TS_RESP_CTX_free(rc);
	ASN1_OBJECT_free(policy);
	BIO_free(in);
	OPENSSL_free(der);
	return KESU_OK;
}
