/* Register lines for documents other than erasure certificates: their
 * syntax in a chain, ids shared with certificates, and the destruction
 * row's rule on what the register must already hold. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs/register/reg_kinds.h"
#include "certs/document/countersign.h"
#include "certs/register/register.h"
#include "lib/digest.h"

#define ERASURE_ID "00000000-0000-4000-8000-000000000001"
#define DESTROY_ID "00000000-0000-4000-8000-000000000002"

static json_t *cert_line(const char *id, const char *serial)
{
	return json_pack("{s:s s:s s:s s:s s:s s:s s:s s:s s:s s:s}",
		"kind", "certificate", "cert_id", id,
		"run_id", "11111111-0000-4000-8000-000000000001",
		"cert_file", "/nonexistent/c.json", "cert_sha256", KESU_REGISTER_GENESIS,
		"sig_sha256", KESU_REGISTER_GENESIS, "serial", serial, "model", "M",
		"result", "erased", "operator", "山田");
}

static json_t *destroy_line(const char *id, const char *serial, const char *closes)
{
	return json_pack("{s:s s:s s:s s:s s:s s:s s:o s:s}",
		"kind", "destruction", "cert_id", id, "cert_file", "/nonexistent/d.json",
		"cert_sha256", KESU_REGISTER_GENESIS, "sig_sha256", KESU_REGISTER_GENESIS,
		"serial", serial, "closes", closes ? json_string(closes) : json_null(),
		"technique", "crush");
}

/* The chained text of entries (stolen). */
static char *chain(json_t **entries, size_t n, size_t *len)
{
	char *text = calloc(1, 16384), prev[65] = KESU_REGISTER_GENESIS;
	size_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		json_object_set_new(entries[i], "seq", json_integer((json_int_t)i + 1));
		json_object_set_new(entries[i], "time", json_string("2026-11-22T10:00:00+09:00"));
		json_object_set_new(entries[i], "prev", json_string(prev));
		char *line = kesu_register_line(entries[i]);
		json_decref(entries[i]);
		size_t l = strlen(line);
		memcpy(text + pos, line, l);
		kesu_sha256_hex(line, l, prev);
		text[pos + l] = '\n';
		pos += l + 1;
		free(line);
	}
	*len = pos;
	return text;
}

static size_t bad_line_of(json_t **entries, size_t n, char *why, size_t size)
{
	size_t len;
	char *t = chain(entries, n, &len);
	struct kesu_reg_check r;
	kesu_register_check_text(t, len, 0, &r, NULL, NULL);
	snprintf(why, size, "%s", r.why);
	free(t);
	return r.bad_line;
}

static void destruction_line_in_chain(void **state)
{
	(void)state;
	char why[400];
	json_t *e[] = {cert_line(ERASURE_ID, "S-1"), destroy_line(DESTROY_ID, "S-1", ERASURE_ID)};
	assert_int_equal(bad_line_of(e, 2, why, sizeof(why)), 0);
	/* One that closes nothing (a serial never erased by kesu). */
	json_t *f[] = {destroy_line(DESTROY_ID, "S-2", NULL)};
	assert_int_equal(bad_line_of(f, 1, why, sizeof(why)), 0);
	assert_non_null(kesu_reg_kind_find("destruction"));
	assert_null(kesu_reg_kind_find("certificate"));
	assert_null(kesu_reg_kind_find("repair"));
}

static void destruction_line_rejected(void **state)
{
	(void)state;
	char why[400];
	json_t *d = destroy_line(DESTROY_ID, "S-1", NULL);
	json_object_set_new(d, "result", json_string("erased"));
	json_t *e1[] = {d};
	assert_int_equal(bad_line_of(e1, 1, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "unknown field"));

	d = destroy_line(DESTROY_ID, "S-1", "not-a-uuid");
	json_t *e2[] = {d};
	assert_int_equal(bad_line_of(e2, 1, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "closes"));

	d = destroy_line(DESTROY_ID, "S-1", NULL);
	json_object_set_new(d, "technique", json_string("破砕"));
	json_t *e3[] = {d};
	assert_int_equal(bad_line_of(e3, 1, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "technique"));

	d = destroy_line(DESTROY_ID, "S-1", NULL);
	json_object_del(d, "sig_sha256");
	json_t *e4[] = {d};
	assert_int_equal(bad_line_of(e4, 1, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "sig_sha256"));

	/* A kind nobody registered is not taken. */
	d = destroy_line(DESTROY_ID, "S-1", NULL);
	json_object_set_new(d, "kind", json_string("approval"));
	json_t *e5[] = {d};
	assert_int_equal(bad_line_of(e5, 1, why, sizeof(why)), 1);
}

static void ids_shared_with_certificates(void **state)
{
	(void)state;
	char why[400];
	json_t *e[] = {cert_line(ERASURE_ID, "S-1"), destroy_line(ERASURE_ID, "S-1", NULL)};
	assert_int_equal(bad_line_of(e, 2, why, sizeof(why)), 2);
	assert_non_null(strstr(why, "registered twice"));
	/* Two destruction documents never make a run certified twice. */
	json_t *f[] = {destroy_line(DESTROY_ID, "S-1", NULL),
		       destroy_line("00000000-0000-4000-8000-000000000003", "S-2", NULL)};
	assert_int_equal(bad_line_of(f, 2, why, sizeof(why)), 0);
}

static enum kesu_rc admit(json_t *entry, json_t *lines, char *why)
{
	const struct kesu_reg_kind *k = kesu_reg_kind_find("destruction");
	struct kesu_err err = {0};
	enum kesu_rc rc = k->admit(entry, lines, &err);
	snprintf(why, 512, "%s", err.msg);
	json_decref(entry);
	return rc;
}

static void destruction_admit_rules(void **state)
{
	(void)state;
	char why[512];
	json_t *lines = json_pack("[o]", cert_line(ERASURE_ID, "S-1"));
	assert_int_equal(admit(destroy_line(DESTROY_ID, "S-1", ERASURE_ID), lines, why), KESU_OK);
	assert_int_equal(admit(destroy_line(DESTROY_ID, "S-9", NULL), lines, why), KESU_OK);
	/* Closing what the register does not hold. */
	assert_int_equal(admit(destroy_line(DESTROY_ID, "S-1",
					    "00000000-0000-4000-8000-00000000dead"), lines, why),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(why, "not in the register"));
	/* Closing another medium's certificate. */
	assert_int_equal(admit(destroy_line(DESTROY_ID, "S-2", ERASURE_ID), lines, why),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(why, "another serial"));
	/* A serial the register has a certificate for must be closed by it. */
	assert_int_equal(admit(destroy_line(DESTROY_ID, "S-1", NULL), lines, why),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(why, "must close it"));
	/* Closed once only. */
	json_array_append_new(lines, destroy_line(DESTROY_ID, "S-1", ERASURE_ID));
	json_object_set_new(json_array_get(lines, 1), "seq", json_integer(2));
	assert_int_equal(admit(destroy_line("00000000-0000-4000-8000-000000000003", "S-1",
					    ERASURE_ID), lines, why), KESU_ERR_INVALID);
	assert_non_null(strstr(why, "already closed"));
	json_decref(lines);
}

static void line_against_document(void **state)
{
	(void)state;
	const struct kesu_reg_kind *k = kesu_reg_kind_find("destruction");
	json_t *doc = json_pack("{s:s s:s s:{s:s} s:s s:{s:s}}", "kind", "destruction",
				"id", DESTROY_ID, "medium", "serial", "S-1",
				"closes", ERASURE_ID, "technique", "name", "crush");
	json_t *line = destroy_line(DESTROY_ID, "S-1", ERASURE_ID);
	struct kesu_err why = {0};
	assert_int_equal(kesu_reg_kind_contradicts(k, line, doc, &why), KESU_OK);
	json_object_set_new(line, "technique", json_string("melt"));
	assert_int_equal(kesu_reg_kind_contradicts(k, line, doc, &why), KESU_ERR_INVALID);
	assert_string_equal(why.msg, "its technique does not match the document it points "
			    "to (the line or the document was forged)");
	json_object_set_new(line, "technique", json_string("crush"));
	json_object_set_new(line, "closes", json_null());
	assert_int_equal(kesu_reg_kind_contradicts(k, line, doc, &why), KESU_ERR_INVALID);
	assert_non_null(strstr(why.msg, "closes"));
	json_decref(line);
	json_decref(doc);
}

/* Approvals and hand-overs: the line repeats its document, and one that
 * does not is a forgery. */
static void approval_and_custody_lines(void **state)
{
	(void)state;
	static const char custody[] =
		"{\"schema\":\"kesu-custody/1\",\"kind\":\"custody\",\"id\":\"" DESTROY_ID "\","
		"\"issued_at\":\"2026-12-01T09:00:00Z\",\"serials\":[\"S-1\",\"S-2\"],"
		"\"from\":{\"name\":\"a\",\"organization\":\"City\"},"
		"\"to\":{\"name\":\"b\",\"organization\":\"Vendor\"},"
		"\"at\":\"2026-12-01T09:00:00Z\",\"place\":\"p\",\"seal\":null,"
		"\"purpose\":\"destruction\",\"reference\":null}";
	const struct kesu_reg_kind *k = kesu_reg_kind_find("custody");
	assert_non_null(k);
	assert_ptr_equal(kesu_reg_kind_of_doc(custody, strlen(custody)), k);
	json_t *doc;
	struct kesu_err err;
	assert_int_equal(k->parse(custody, strlen(custody), &doc, &err), KESU_OK);
	json_t *line = k->line_fields(doc);
	assert_non_null(line);
	assert_true(json_is_null(json_object_get(line, "serial")));
	json_object_set_new(line, "cert_file", json_string("c.json"));
	json_object_set_new(line, "cert_sha256", json_string(KESU_REGISTER_GENESIS));
	json_object_set_new(line, "sig_sha256", json_string(KESU_REGISTER_GENESIS));
	assert_int_equal(kesu_reg_kind_check_line(k, line, &err), KESU_OK);
	struct kesu_err why = {0};
	assert_int_equal(kesu_reg_kind_contradicts(k, line, doc, &why), KESU_OK);
	json_object_set_new(line, "to", json_string("Someone else"));
	assert_int_equal(kesu_reg_kind_contradicts(k, line, doc, &why), KESU_ERR_INVALID);
	json_object_set_new(line, "purpose", json_string("lost"));
	assert_int_equal(kesu_reg_kind_check_line(k, line, &err), KESU_ERR_INVALID);
	json_decref(line);
	json_decref(doc);
	assert_non_null(kesu_reg_kind_find("approval"));
}

/* A spot-check report's line: the medium, the certificate it checks
 * (null when none), the verdict and who checked, each as the report says. */
static void verification_lines(void **state)
{
	(void)state;
	const struct kesu_reg_kind *k = kesu_reg_kind_find("verification");
	assert_non_null(k);
	json_t *doc = json_pack("{s:s s:s s:{s:s} s:s s:{s:s} s:{s:s}}", "kind", "verification",
				"id", DESTROY_ID, "device", "serial", "S-1",
				"verdict", "no-data-found", "operator", "name", "佐藤 花子",
				"checks", "certificate_id", ERASURE_ID);
	json_t *line = k->line_fields(doc);
	assert_non_null(line);
	assert_string_equal(json_string_value(json_object_get(line, "refers_to")), ERASURE_ID);
	assert_string_equal(json_string_value(json_object_get(line, "signer")), "佐藤 花子");
	json_object_set_new(line, "cert_file", json_string("v.json"));
	json_object_set_new(line, "cert_sha256", json_string(KESU_REGISTER_GENESIS));
	json_object_set_new(line, "sig_sha256", json_string(KESU_REGISTER_GENESIS));
	struct kesu_err err, why = {0};
	assert_int_equal(kesu_reg_kind_check_line(k, line, &err), KESU_OK);
	assert_int_equal(kesu_reg_kind_contradicts(k, line, doc, &why), KESU_OK);
	/* A report that checks nothing names no certificate. */
	json_object_set_new(doc, "checks", json_null());
	json_t *none = k->line_fields(doc);
	assert_true(json_is_null(json_object_get(none, "refers_to")));
	json_decref(none);
	assert_int_equal(kesu_reg_kind_contradicts(k, line, doc, &why), KESU_ERR_INVALID);
	json_object_set_new(line, "verdict", json_string("clean"));
	assert_int_equal(kesu_reg_kind_check_line(k, line, &err), KESU_ERR_INVALID);
	json_object_set_new(line, "verdict", json_string("data-found"));
	json_object_set_new(line, "refers_to", json_string("NOT-A-UUID"));
	assert_int_equal(kesu_reg_kind_check_line(k, line, &err), KESU_ERR_INVALID);
	json_decref(line);
	json_decref(doc);
}

/* A countersignature line against the signature as verified: the
 * signer must hold the line's role and be the signer it names. */
static void countersig_signer(void **state)
{
	(void)state;
	json_t *line = json_pack("{s:s s:s s:s}", "kind", "countersignature", "role", "witness",
				 "signer", "鈴木 一郎");
	struct kesu_sig_info si = {0};
	struct kesu_err why = {0};
	snprintf(si.signer_name, sizeof(si.signer_name), "鈴木 一郎");
	si.roles = (unsigned)kesu_countersign_role_bits("witness");
	assert_int_equal(kesu_reg_countersig_signer(line, &si, &why), KESU_OK);
	si.roles = (unsigned)kesu_countersign_role_bits("city");
	assert_int_equal(kesu_reg_countersig_signer(line, &si, &why), KESU_ERR_INVALID);
	assert_non_null(strstr(why.msg, "does not hold the witness role"));
	si.roles = (unsigned)kesu_countersign_role_bits("witness");
	snprintf(si.signer_name, sizeof(si.signer_name), "Other");
	assert_int_equal(kesu_reg_countersig_signer(line, &si, &why), KESU_ERR_INVALID);
	assert_non_null(strstr(why.msg, "not 鈴木 一郎 as its line says"));
	/* A receiver is whoever the hand-over names: no role bit. */
	json_object_set_new(line, "role", json_string("receiver"));
	json_object_set_new(line, "signer", json_string("Other"));
	si.roles = 0;
	assert_int_equal(kesu_reg_countersig_signer(line, &si, &why), KESU_OK);
	json_object_set_new(line, "role", json_string("notary"));
	assert_int_equal(kesu_reg_countersig_signer(line, &si, &why), KESU_ERR_INVALID);
	json_decref(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(destruction_line_in_chain),
		cmocka_unit_test(destruction_line_rejected),
		cmocka_unit_test(ids_shared_with_certificates),
		cmocka_unit_test(destruction_admit_rules),
		cmocka_unit_test(verification_lines),
		cmocka_unit_test(countersig_signer),
		cmocka_unit_test(line_against_document),
		cmocka_unit_test(approval_and_custody_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
