/* kesu_cert_verify end to end on files: each stage reports what it found
 * (INVALID, BAD SIGNATURE, UNTRUSTED, INCONSISTENT), the run record beside
 * a certificate is compared fact by fact, and a signature dated before the
 * certificate it signs is refused (issue #10, items 8-10). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "certs/document/cert_verify.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "lib/timefmt.h"
#include "test_pki.h"
#include "tsa_model.h"

#define DAY 86400L
static const char *ID = "0b7e2c1a-1111-4222-8333-444455556666";
static const char *ISSUED = "2026-11-22T11:00:00+09:00";

struct fx {
	char dir[64], ca[96], other_ca[96], crl[96];
	struct pki_id ca_id, other_id, op, revoked;
	time_t issued;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/kesu-cv-XXXXXX");
	if (!mkdtemp(f->dir) || !kesu_time_parse(ISSUED, &f->issued))
		return -1;
	time_t now = time(NULL);
	snprintf(f->ca, sizeof(f->ca), "%s/ca.pem", f->dir);
	snprintf(f->other_ca, sizeof(f->other_ca), "%s/other.pem", f->dir);
	snprintf(f->crl, sizeof(f->crl), "%s/crl.pem", f->dir);
	f->ca_id = pki_ca("Test CA");
	f->other_id = pki_ca("Other CA");
	f->op = pki_operator(&f->ca_id, "op", f->issued - 30 * DAY, now + 365 * DAY, 20);
	f->revoked = pki_operator(&f->ca_id, "gone", f->issued - 30 * DAY, now + 365 * DAY, 21);
	pki_write_cert(f->ca, f->ca_id.cert);
	pki_write_cert(f->other_ca, f->other_id.cert);
	long rev[] = {21};
	pki_write_crl(f->crl, &f->ca_id, rev, 1, now - DAY, now + 30 * DAY);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	pki_free(&f->ca_id);
	pki_free(&f->other_id);
	pki_free(&f->op);
	pki_free(&f->revoked);
	/* The directory is flat: only the files the tests wrote. */
	DIR *d = opendir(f->dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void write_file(const char *path, const void *data, size_t len)
{
	struct kesu_err err = {0};
	if (kesu_write_atomic(path, data, len, 0644, &err))
		fail_msg("%s", err.msg);
}

static char *slurp(const char *path, size_t *len)
{
	char *d;
	struct kesu_err err = {0};
	if (kesu_read_file(path, 1u << 20, &d, len, &err))
		fail_msg("%s", err.msg);
	return d;
}

/* A certificate NAME.json in the fixture directory, from the fixture run
 * record `cert_run` (copied beside it as kesu-run.json when `beside` is
 * given: that file is what the certificate names, with its real hash),
 * signed by signer at signing_time. */
static void make_cert(struct fx *f, const char *name, const char *cert_run,
		      const char *beside, const struct pki_id *signer,
		      time_t signing_time, char *path, size_t size)
{
	char src[128], rr_path[128], hash[KESU_SHA256_HEX];
	size_t len;
	snprintf(src, sizeof(src), "tests/fixtures/runs/%s", beside ? beside : cert_run);
	char *rr_bytes = slurp(src, &len);
	snprintf(rr_path, sizeof(rr_path), "%s/kesu-run.json", f->dir);
	if (beside)
		write_file(rr_path, rr_bytes, len);
	else
		unlink(rr_path);
	kesu_sha256_hex(rr_bytes, len, hash);
	free(rr_bytes);
	snprintf(src, sizeof(src), "tests/fixtures/runs/%s", cert_run);
	json_error_t je;
	json_t *rr = json_load_file(src, JSON_REJECT_DUPLICATES, &je), *c;
	struct kesu_cert_info info = {0};
	strcpy(info.operator_name, "山田 太郎");
	strcpy(info.operator_organization, "テスト消去株式会社");
	strcpy(info.customer, "総務課");
	strcpy(info.property_number, "A-0001");
	info.confidentiality_class = 3;
	strcpy(info.reason, "disposal");
	strcpy(info.approver, "佐藤 花子");
	struct kesu_err err = {0};
	if (kesu_cert_build(rr, "kesu-run.json", hash, &info, ID, ISSUED, &c, &err))
		fail_msg("%s", err.msg);
	json_decref(rr);
	char *text = kesu_cert_serialize(c, &len);
	json_decref(c);
	snprintf(path, size, "%s/%s.json", f->dir, name);
	write_file(path, text, len);
	size_t derlen;
	unsigned char *der = pki_sign(signer, text, len, signing_time, &derlen);
	char sig[160];
	snprintf(sig, sizeof(sig), "%s.p7s", path);
	write_file(sig, der, derlen);
	OPENSSL_free(der);
	free(text);
}

static void verdict(const char *path, const char *ca, const char *crl,
		    const char *stage, const char *words,
		    struct kesu_cert_file_verdict *ov)
{
	struct kesu_trust t = {.ca_file = ca, .crl_file = crl};
	enum kesu_rc rc = kesu_cert_verify(path, &t, ov);
	if (strcmp(ov->stage, stage) || (words && !strstr(ov->error, words)) ||
	    (rc == KESU_OK) != !strcmp(stage, "OK"))
		fail_msg("%s: rc %d stage %s '%s' (wanted %s '%s')", path, rc, ov->stage,
			 ov->error, stage, words ? words : "");
}

static void genuine_with_run_record(void **state)
{
	struct fx *f = *state;
	char p[160];
	struct kesu_cert_file_verdict ov;
	make_cert(f, "good", "erased.json", "erased.json", &f->op, f->issued + 5, p, sizeof(p));
	verdict(p, f->ca, NULL, "OK", NULL, &ov);
	assert_true(ov.run_record_checked);
	assert_string_equal(ov.result, "erased");
	verdict(p, f->ca, f->crl, "OK", NULL, &ov);
	assert_true(ov.sig.revocation_checked);
}

/* Item 8: the hash matches (the run record is genuine), the certificate
 * was built from another run and says "erased". */
static void erased_beside_an_interrupted_run(void **state)
{
	struct fx *f = *state;
	char p[160];
	struct kesu_cert_file_verdict ov;
	make_cert(f, "liar", "erased.json", "interrupted.json", &f->op, f->issued + 5, p,
		  sizeof(p));
	verdict(p, f->ca, NULL, "INCONSISTENT", "contradicts the certificate", &ov);
	assert_false(ov.run_record_checked);
}

static void backdated_signature(void **state)
{
	struct fx *f = *state;
	char p[160];
	struct kesu_cert_file_verdict ov;
	make_cert(f, "backdated", "erased.json", NULL, &f->op, f->issued - DAY, p, sizeof(p));
	verdict(p, f->ca, NULL, "INCONSISTENT", "before the certificate was issued", &ov);
}

static void stages_are_named(void **state)
{
	struct fx *f = *state;
	char p[160];
	struct kesu_cert_file_verdict ov;
	make_cert(f, "plain", "erased.json", NULL, &f->op, f->issued + 5, p, sizeof(p));
	verdict(p, f->ca, NULL, "OK", NULL, &ov);
	assert_false(ov.run_record_checked);
	verdict(p, f->other_ca, NULL, "UNTRUSTED", "not issued by this CA", &ov);
	make_cert(f, "revoked", "erased.json", NULL, &f->revoked, f->issued + 5, p, sizeof(p));
	verdict(p, f->ca, f->crl, "UNTRUSTED", "revoked", &ov);
	/* One byte changed after signing. */
	make_cert(f, "changed", "erased.json", NULL, &f->op, f->issued + 5, p, sizeof(p));
	size_t len;
	char *d = slurp(p, &len);
	char *at = strstr(d, "A-0001");
	at[5] = '2';
	write_file(p, d, len);
	free(d);
	verdict(p, f->ca, NULL, "BAD SIGNATURE", "changed", &ov);
	/* A run record handed over as a certificate. */
	verdict("tests/fixtures/runs/erased.json", f->ca, NULL, "INVALID",
		"this is a run record, not a certificate", &ov);
}

/* A token whose genTime is before the signature's signingTime: the signer
 * dated its signature later than the moment the TSA saw it, so one of the
 * two clocks lies and the certificate cannot be trusted for either time.
 * The same certificate stamped after its signing time verifies. */
static void signed_after_the_timestamp(void **state)
{
	struct fx *f = *state;
	char p[160];
	struct kesu_cert_file_verdict ov;
	struct tsa_model m;
	tsa_model_init(&m);
	struct kesu_tsa tsa = {"http://tsa.test/", m.ca_file, tsa_model_post, &m};
	struct kesu_ts_info info;
	struct kesu_err err = {0};
	struct kesu_trust t = {.ca_file = f->ca, .tsa_ca_file = m.ca_file};

	make_cert(f, "stamped", "erased.json", NULL, &f->op, f->issued + 5, p, sizeof(p));
	m.gen_time = f->issued + 60;
	if (kesu_timestamp_file(&tsa, p, &info, &err))
		fail_msg("stamp: %s", err.msg);
	if (kesu_cert_verify(p, &t, &ov))
		fail_msg("%s: %s", ov.stage, ov.error);
	assert_true(ov.ts_checked);

	/* Clocks a minute apart are within KESU_TS_SKEW_S. */
	make_cert(f, "stamped-skew", "erased.json", NULL, &f->op, f->issued + 5, p, sizeof(p));
	m.gen_time = f->issued - 60;
	if (kesu_timestamp_file(&tsa, p, &info, &err))
		fail_msg("stamp: %s", err.msg);
	if (kesu_cert_verify(p, &t, &ov))
		fail_msg("%s: %s", ov.stage, ov.error);

	make_cert(f, "stamped-before", "erased.json", NULL, &f->op, f->issued + 5, p, sizeof(p));
	m.gen_time = f->issued - 3600;
	if (kesu_timestamp_file(&tsa, p, &info, &err))
		fail_msg("stamp: %s", err.msg);
	assert_int_not_equal(kesu_cert_verify(p, &t, &ov), KESU_OK);
	assert_string_equal(ov.stage, "INCONSISTENT");
	assert_non_null(strstr(ov.error, "signingTime later than genTime"));

	char tsr[170];
	snprintf(tsr, sizeof(tsr), "%s.tsr", p);
	unlink(tsr);
	snprintf(tsr, sizeof(tsr), "%s/stamped.json.tsr", f->dir);
	unlink(tsr);
	snprintf(tsr, sizeof(tsr), "%s/stamped-skew.json.tsr", f->dir);
	unlink(tsr);
	tsa_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(genuine_with_run_record),
		cmocka_unit_test(erased_beside_an_interrupted_run),
		cmocka_unit_test(backdated_signature),
		cmocka_unit_test(stages_are_named),
		cmocka_unit_test(signed_after_the_timestamp),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
