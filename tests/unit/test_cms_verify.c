/* kesu_cms_verify_trust against an in-memory PKI: a changed file, an
 * untrusted signer and a setup problem are told apart; validity is checked
 * at the signing time; signatures dated in the future and revoked signers
 * are refused (issue #10, item 10). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certs/sign/cms_verify.h"
#include "certs/sign/trust.h"
#include "lib/timefmt.h"

#include <openssl/x509.h>
#include "test_pki.h"

#define DAY 86400L
static const char DATA[] = "{\"schema\": \"kesu-certificate/1\"}\n";

struct fx {
	char dir[64], ca[96], other_ca[96], crl[96], crl_old[96], crl_stale[96],
	     crl_other[96], nocrl[96];
	struct pki_id ca_id, other_id, op, expired, future, revoked, stranger;
	time_t now;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/kesu-cms-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->now = time(NULL);
#define P(field, name) snprintf(f->field, sizeof(f->field), "%s/" name, f->dir)
	P(ca, "ca.pem"); P(other_ca, "other.pem"); P(crl, "crl.pem");
	P(crl_old, "crl-old.pem"); P(crl_stale, "crl-stale.pem");
	P(crl_other, "crl-other.pem"); P(nocrl, "nocrl.pem");
	f->ca_id = pki_ca("Test CA");
	f->other_id = pki_ca("Other CA");
	f->op = pki_operator(&f->ca_id, "op", f->now - 30 * DAY, f->now + 365 * DAY, 10);
	f->expired = pki_operator(&f->ca_id, "expired", f->now - 400 * DAY,
				  f->now - 35 * DAY, 11);
	f->future = pki_operator(&f->ca_id, "future", f->now + 10 * DAY,
				 f->now + 400 * DAY, 12);
	f->revoked = pki_operator(&f->ca_id, "revoked", f->now - 30 * DAY,
				  f->now + 365 * DAY, 13);
	f->stranger = pki_operator(&f->other_id, "stranger", f->now - 30 * DAY,
				   f->now + 365 * DAY, 10);
	pki_write_cert(f->ca, f->ca_id.cert);
	pki_write_cert(f->other_ca, f->other_id.cert);
	long rev[] = {13};
	pki_write_crl(f->crl, &f->ca_id, rev, 1, f->now - DAY, f->now + 30 * DAY);
	pki_write_crl(f->crl_old, &f->ca_id, NULL, 0, f->now - 2 * DAY, f->now + 30 * DAY);
	pki_write_crl(f->crl_stale, &f->ca_id, NULL, 0, f->now - 60 * DAY, f->now - 30 * DAY);
	pki_write_crl(f->crl_other, &f->other_id, rev, 1, f->now - DAY, f->now + 30 * DAY);
	pki_write_cert(f->nocrl, f->ca_id.cert);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	struct pki_id *ids[] = {&f->ca_id, &f->other_id, &f->op, &f->expired, &f->future,
				&f->revoked, &f->stranger};
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		pki_free(ids[i]);
	const char *files[] = {f->ca, f->other_ca, f->crl, f->crl_old, f->crl_stale,
			       f->crl_other, f->nocrl};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		unlink(files[i]);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Sign DATA (or data) as signer at signing_time; verify with ca and crl. */
static enum kesu_rc run(const struct pki_id *signer, time_t signing_time, const char *ca,
			const char *crl, const char *data, struct kesu_sig_info *info,
			struct kesu_err *err)
{
	size_t derlen;
	unsigned char *der = pki_sign(signer, DATA, strlen(DATA), signing_time, &derlen);
	struct kesu_trust t = {.ca_file = ca, .crl_file = crl};
	enum kesu_rc rc = kesu_cms_verify_trust(data, strlen(data), der, derlen, &t, info, err);
	OPENSSL_free(der);
	return rc;
}

static void expect(enum kesu_rc rc, const struct kesu_sig_info *info,
		   const struct kesu_err *err, enum kesu_rc want_rc,
		   enum kesu_sig_failure want, const char *words)
{
	if (rc != want_rc || info->failure != want || (words && !strstr(err->msg, words)))
		fail_msg("rc %d failure %d '%s' (wanted rc %d failure %d '%s')", rc,
			 info->failure, err->msg, want_rc, want, words ? words : "");
}

static void good_signature(void **state)
{
	struct fx *f = *state;
	struct kesu_sig_info info;
	struct kesu_err err = {0};
	expect(run(&f->op, f->now - 60, f->ca, NULL, DATA, &info, &err), &info, &err,
	       KESU_OK, KESU_SIG_OK, NULL);
	assert_int_equal(info.signing_time, f->now - 60);
	assert_non_null(strstr(info.signer_subject, "CN=op"));
	assert_string_equal(info.signer_serial, "0A");
	assert_false(info.revocation_checked);
	expect(run(&f->op, f->now - 60, f->ca, f->crl, DATA, &info, &err), &info, &err,
	       KESU_OK, KESU_SIG_OK, NULL);
	assert_true(info.revocation_checked);
}

static void changed_file_is_not_an_untrusted_signer(void **state)
{
	struct fx *f = *state;
	struct kesu_sig_info info;
	struct kesu_err err = {0};
	expect(run(&f->op, f->now, f->ca, NULL, "{\"schema\": \"kesu-certificate/2\"}\n",
		   &info, &err), &info, &err, KESU_ERR_CRYPTO, KESU_SIG_BAD, "changed");
	/* Intact file, signer from another CA: not "changed". */
	expect(run(&f->stranger, f->now, f->ca, NULL, DATA, &info, &err), &info, &err,
	       KESU_ERR_CRYPTO, KESU_SIG_UNTRUSTED, "not issued by this CA");
	assert_null(strstr(err.msg, "changed"));
	expect(run(&f->op, f->now, f->other_ca, NULL, DATA, &info, &err), &info, &err,
	       KESU_ERR_CRYPTO, KESU_SIG_UNTRUSTED, "not issued by this CA");
}

/* A length past INT_MAX must not reach OpenSSL's int: 2^32 + n bytes cast
 * to int is n, and the signature over the first n bytes verified for the
 * whole.  Refused before any byte past the real n is read. */
static void length_past_int_is_refused_not_truncated(void **state)
{
	struct fx *f = *state;
	struct kesu_sig_info info;
	struct kesu_err err = {0};
	size_t derlen;
	unsigned char *der = pki_sign(&f->op, DATA, strlen(DATA), f->now - 60, &derlen);
	struct kesu_trust t = {.ca_file = f->ca};
	size_t wrapped = ((size_t)1 << 32) + strlen(DATA);
	assert_int_equal(kesu_cms_verify_trust(DATA, wrapped, der, derlen, &t, &info, &err),
			 KESU_ERR_CRYPTO);
	assert_int_equal(kesu_cms_verify_trust(DATA, strlen(DATA), der, derlen, &t, &info, &err),
			 KESU_OK);
	OPENSSL_free(der);
}

static void validity_at_signing_time(void **state)
{
	struct fx *f = *state;
	struct kesu_sig_info info;
	struct kesu_err err = {0};
	/* An expired certificate signing today. */
	expect(run(&f->expired, f->now, f->ca, NULL, DATA, &info, &err), &info, &err,
	       KESU_ERR_CRYPTO, KESU_SIG_UNTRUSTED, "had expired");
	/* A certificate not valid yet, signing today. */
	expect(run(&f->future, f->now, f->ca, NULL, DATA, &info, &err), &info, &err,
	       KESU_ERR_CRYPTO, KESU_SIG_UNTRUSTED, "not yet valid");
	/* ...and forward-dating its signature into its validity. */
	expect(run(&f->future, f->now + 20 * DAY, f->ca, NULL, DATA, &info, &err), &info,
	       &err, KESU_ERR_CRYPTO, KESU_SIG_UNTRUSTED, "in the future");
	/* A few seconds ahead is a clock difference, not a forgery. */
	expect(run(&f->op, f->now + 60, f->ca, NULL, DATA, &info, &err), &info, &err,
	       KESU_OK, KESU_SIG_OK, NULL);
	/* An expired certificate backdating into its validity passes here:
	 * only the document's own times can catch it (test_cert_verify). */
	expect(run(&f->expired, f->now - 100 * DAY, f->ca, NULL, DATA, &info, &err),
	       &info, &err, KESU_OK, KESU_SIG_OK, NULL);
}

static void revocation(void **state)
{
	struct fx *f = *state;
	struct kesu_sig_info info;
	struct kesu_err err = {0};
	expect(run(&f->revoked, f->now - 3 * DAY, f->ca, f->crl, DATA, &info, &err), &info,
	       &err, KESU_ERR_CRYPTO, KESU_SIG_UNTRUSTED, "revoked");
	/* Without a CRL, or with one older than the revocation, it passes. */
	expect(run(&f->revoked, f->now - 3 * DAY, f->ca, NULL, DATA, &info, &err), &info,
	       &err, KESU_OK, KESU_SIG_OK, NULL);
	expect(run(&f->revoked, f->now - 3 * DAY, f->ca, f->crl_old, DATA, &info, &err),
	       &info, &err, KESU_OK, KESU_SIG_OK, NULL);
	/* An old signature by a since-expired certificate is still checked
	 * for revocation today, not refused for having expired since. */
	expect(run(&f->expired, f->now - 100 * DAY, f->ca, f->crl, DATA, &info, &err),
	       &info, &err, KESU_OK, KESU_SIG_OK, NULL);
	assert_true(info.revocation_checked);
	expect(run(&f->op, f->now, f->ca, f->crl_stale, DATA, &info, &err), &info, &err,
	       KESU_ERR_CRYPTO, KESU_SIG_UNTRUSTED, "out of date");
	expect(run(&f->op, f->now, f->ca, f->crl_other, DATA, &info, &err), &info, &err,
	       KESU_ERR_CRYPTO, KESU_SIG_UNTRUSTED, "no CRL from the CA");
}

static void setup_problems(void **state)
{
	struct fx *f = *state;
	struct kesu_sig_info info;
	struct kesu_err err = {0};
	char missing[128];
	snprintf(missing, sizeof(missing), "%s/none.pem", f->dir);
	expect(run(&f->op, f->now, missing, NULL, DATA, &info, &err), &info, &err,
	       KESU_ERR_NOENT, KESU_SIG_SETUP, "cannot load CA");
	expect(run(&f->op, f->now, f->ca, missing, DATA, &info, &err), &info, &err,
	       KESU_ERR_NOENT, KESU_SIG_SETUP, "CRL");
	expect(run(&f->op, f->now, f->ca, f->nocrl, DATA, &info, &err), &info, &err,
	       KESU_ERR_INVALID, KESU_SIG_SETUP, "no PEM CRL");
	struct kesu_trust t = {.ca_file = f->ca};
	const unsigned char junk[] = {0x30, 0x03, 0x02, 0x01, 0x01};
	assert_int_equal(kesu_cms_verify_trust(DATA, strlen(DATA), junk, sizeof(junk), &t,
					       &info, &err), KESU_ERR_CRYPTO);
	assert_int_equal(info.failure, KESU_SIG_MALFORMED);
}

/* One verification with a shared store. */
static enum kesu_rc run_store(struct kesu_trust_store *store, const struct pki_id *signer,
			      time_t signing_time, const char *ca, const char *crl,
			      struct kesu_sig_info *info, struct kesu_err *err)
{
	size_t derlen;
	unsigned char *der = pki_sign(signer, DATA, strlen(DATA), signing_time, &derlen);
	struct kesu_trust t = {.ca_file = ca, .crl_file = crl, .store = store};
	enum kesu_rc rc = kesu_cms_verify_trust(DATA, strlen(DATA), der, derlen, &t, info, err);
	OPENSSL_free(der);
	return rc;
}

/* The store read once gives the same verdicts as reading the files each
 * time: once it is warm with good signatures, another CA's signer, a
 * revoked signer and an expired one still fail, and a check naming other
 * files is judged by those files, not by what was cached. */
static void store_keeps_every_check(void **state)
{
	struct fx *f = *state;
	struct kesu_sig_info info;
	struct kesu_err err = {0};
	struct kesu_trust_store *st;
	assert_int_equal(kesu_trust_store_new(&st, &err), KESU_OK);
	for (int i = 0; i < 3; i++)
		expect(run_store(st, &f->op, f->now - 60, f->ca, f->crl, &info, &err), &info,
		       &err, KESU_OK, KESU_SIG_OK, NULL);
	assert_true(info.revocation_checked);
	expect(run_store(st, &f->stranger, f->now - 60, f->ca, f->crl, &info, &err), &info,
	       &err, KESU_ERR_CRYPTO, KESU_SIG_UNTRUSTED, "not issued by this CA");
	expect(run_store(st, &f->revoked, f->now - 60, f->ca, f->crl, &info, &err), &info,
	       &err, KESU_ERR_CRYPTO, KESU_SIG_UNTRUSTED, "revoked");
	expect(run_store(st, &f->expired, f->now - 60, f->ca, f->crl, &info, &err), &info,
	       &err, KESU_ERR_CRYPTO, KESU_SIG_UNTRUSTED, "had expired");
	expect(run_store(st, &f->op, f->now - 60, f->ca, f->crl, &info, &err), &info,
	       &err, KESU_OK, KESU_SIG_OK, NULL);
	/* Other files: the stranger is good under its own CA, op is not. */
	expect(run_store(st, &f->stranger, f->now - 60, f->other_ca, NULL, &info, &err),
	       &info, &err, KESU_OK, KESU_SIG_OK, NULL);
	expect(run_store(st, &f->op, f->now - 60, f->other_ca, NULL, &info, &err), &info,
	       &err, KESU_ERR_CRYPTO, KESU_SIG_UNTRUSTED, "not issued by this CA");
	/* Without the CRL that revokes it the revoked signer passes; with it
	 * again, after the store held none, it fails again. */
	expect(run_store(st, &f->revoked, f->now - 60, f->ca, f->crl_old, &info, &err),
	       &info, &err, KESU_OK, KESU_SIG_OK, NULL);
	expect(run_store(st, &f->revoked, f->now - 60, f->ca, f->crl, &info, &err), &info,
	       &err, KESU_ERR_CRYPTO, KESU_SIG_UNTRUSTED, "revoked");
	kesu_trust_store_free(st);
}

/* A file that cannot be read is reported on every check, not cached as
 * an empty store that then trusts nothing silently or everything. */
static void store_setup_problems(void **state)
{
	struct fx *f = *state;
	struct kesu_sig_info info;
	struct kesu_err err = {0};
	struct kesu_trust_store *st;
	char missing[128];
	snprintf(missing, sizeof(missing), "%s/absent.pem", f->dir);
	assert_int_equal(kesu_trust_store_new(&st, &err), KESU_OK);
	for (int i = 0; i < 2; i++)
		expect(run_store(st, &f->op, f->now - 60, missing, NULL, &info, &err), &info,
		       &err, KESU_ERR_NOENT, KESU_SIG_SETUP, "cannot load CA");
	expect(run_store(st, &f->op, f->now - 60, f->ca, f->nocrl, &info, &err), &info,
	       &err, KESU_ERR_INVALID, KESU_SIG_SETUP, "holds no PEM CRL");
	expect(run_store(st, &f->op, f->now - 60, f->ca, f->nocrl, &info, &err), &info,
	       &err, KESU_ERR_INVALID, KESU_SIG_SETUP, "holds no PEM CRL");
	expect(run_store(st, &f->op, f->now - 60, f->ca, NULL, &info, &err), &info,
	       &err, KESU_OK, KESU_SIG_OK, NULL);
	kesu_trust_store_free(st);
}

/* The one printer of certificate names (subjects and issuers on the
 * terminal, in reports and on the PDF): RFC 2253 order, UTF-8 kept, control
 * characters from the certificate cleaned, the buffer's size respected. */
static void name_text(void **state)
{
	(void)state;
	X509_NAME *n = X509_NAME_new();
	assert_non_null(n);
	assert_true(X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8,
					       (const unsigned char *)"Kesu City", -1, -1, 0));
	assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
					       (const unsigned char *)"\xe5\xb1\xb1\xe7\x94\xb0\x1b[2J",
					       -1, -1, 0));
	char buf[128];
	kesu_x509_name_text(n, buf, sizeof(buf));
	assert_non_null(strstr(buf, "CN=\xe5\xb1\xb1\xe7\x94\xb0"));
	assert_non_null(strstr(buf, "O=Kesu City"));
	assert_true(strstr(buf, "CN=") < strstr(buf, "O="));   /* RFC 2253: last first */
	assert_null(strchr(buf, '\x1b'));
	char small[6];
	kesu_x509_name_text(n, small, sizeof(small));
	assert_true(strlen(small) < sizeof(small));
	char untouched = 'x';
	kesu_x509_name_text(n, &untouched, 0);
	assert_int_equal(untouched, 'x');
	X509_NAME_free(n);
}

/* Certificate serials and times as the terminal, reports and PDF show
 * them: hex of the serial, nothing for none; RFC 3339 for a time, "" for
 * none. */
static void serial_and_time_text(void **state)
{
	(void)state;
	ASN1_INTEGER *i = ASN1_INTEGER_new();
	assert_non_null(i);
	assert_true(ASN1_INTEGER_set(i, 0x1a2b3c));
	char buf[64] = "";
	kesu_asn1_serial_text(i, buf, sizeof(buf));
	assert_string_equal(buf, "1A2B3C");
	char small[4] = "";
	kesu_asn1_serial_text(i, small, sizeof(small));
	assert_string_equal(small, "1A2");
	strcpy(buf, "kept");
	kesu_asn1_serial_text(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "kept");
	ASN1_INTEGER_free(i);

	ASN1_TIME *t = ASN1_TIME_set(NULL, 1700000000);
	assert_non_null(t);
	char got[KESU_TIME_LEN], want[KESU_TIME_LEN];
	kesu_asn1_time_text(t, got);
	kesu_time_format(1700000000, want);
	assert_string_equal(got, want);
	kesu_asn1_time_text(NULL, got);
	assert_string_equal(got, "");
	ASN1_TIME_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_signature),
		cmocka_unit_test(length_past_int_is_refused_not_truncated),
		cmocka_unit_test(changed_file_is_not_an_untrusted_signer),
		cmocka_unit_test(validity_at_signing_time),
		cmocka_unit_test(revocation),
		cmocka_unit_test(setup_problems),
		cmocka_unit_test(store_keeps_every_check),
		cmocka_unit_test(store_setup_problems),
		cmocka_unit_test(name_text),
		cmocka_unit_test(serial_and_time_text),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
