/* The kesu-verification/1 report: built from plain facts it parses back
 * byte for byte; its verdict must follow from its contents (a report that
 * says no-data-found next to a finding is refused, built or read); the
 * certificate check is confirmed only for the same medium; and the parser
 * refuses unknown, missing and mistyped fields. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "certs/document/verification.h"

static struct kesu_identity dev;
static struct kesu_verif_finding finding = {1024, 92, "gpt", "GPT header at LBA 1"};
static struct kesu_verif_range bad = {2002, 9};
static struct kesu_verif_mismatch mm = {"serial", "KESU-A", "KESU-B"};

static struct kesu_verif_input base(void)
{
	memset(&dev, 0, sizeof(dev));
	strcpy(dev.path, "/dev/sdb");
	strcpy(dev.name, "sdb");
	strcpy(dev.kind, "hdd");
	strcpy(dev.serial, "KESU-B");
	dev.size_bytes = 1ull << 30;
	dev.logical_block_size = 512;
	dev.physical_block_size = 4096;
	struct kesu_verif_input in = {
		.id = "0b7c9a43-5f1e-4c1a-9a57-3d2c1b0a9f8e",
		.issued_at = "2026-12-02T10:00:05+09:00",
		.started_at = "2026-12-02T09:58:00+09:00",
		.ended_at = "2026-12-02T10:00:00+09:00",
		.operator_name = "山田 太郎",
		.operator_organization = "Example City",
		.device = &dev,
		.seed = 0x0123456789abcdefull,
		.sample_locations = 2002,
		.ranges_read = 1500,
		.bytes_planned = 120 << 20,
		.bytes_read = 120 << 20,
		.confidence = 0.99,
		.detectable_fraction = 0.0022975,
		.cell_bytes = 65536,
		.size_after = 1ull << 30,
		.verdict = "no-data-found",
	};
	in.cells[4] = 1920, in.bytes[4] = 120 << 20; /* all random-looking */
	return in;
}

static json_t *build_ok(const struct kesu_verif_input *in)
{
	json_t *d;
	struct kesu_err err = {0};
	if (kesu_verif_build(in, &d, &err))
		fail_msg("build: %s", err.msg);
	return d;
}

static enum kesu_rc build_rc(const struct kesu_verif_input *in, struct kesu_err *err)
{
	json_t *d = NULL;
	enum kesu_rc rc = kesu_verif_build(in, &d, err);
	json_decref(d);
	return rc;
}

static void round_trip(void **state)
{
	(void)state;
	struct kesu_verif_input in = base();
	json_t *d = build_ok(&in);
	size_t n;
	char *text = kesu_verif_serialize(d, &n);
	assert_non_null(strstr(text, "\"schema\": \"kesu-verification/1\""));
	assert_non_null(strstr(text, "\"kind\": \"verification\""));
	assert_non_null(strstr(text, "\"confidence\": 0.99,"));
	assert_non_null(strstr(text, "\"seed\": \"0123456789abcdef\""));
	assert_non_null(strstr(text, "0.23% of the medium or more"));
	assert_non_null(strstr(text, "with 99% confidence"));
	assert_non_null(strstr(text, "山田 太郎"));
	assert_non_null(strstr(text, "In the disposal register only when"));
	assert_non_null(strstr(text, "encrypted"));
	json_t *back;
	struct kesu_err err = {0};
	assert_int_equal(kesu_verif_parse(text, n, &back, &err), KESU_OK);
	size_t n2;
	char *again = kesu_verif_serialize(back, &n2);
	assert_int_equal(n, n2);
	assert_memory_equal(text, again, n);
	free(again);
	json_decref(back);
	free(text);
	json_decref(d);

	/* a full read has no seed, confidence or fraction */
	in.full = true;
	in.bytes_planned = in.bytes_read = in.bytes[4] = 1ull << 30;
	d = build_ok(&in);
	text = kesu_verif_serialize(d, &n);
	assert_non_null(strstr(text, "\"seed\": null"));
	assert_non_null(strstr(text, "every byte of the medium was read"));
	free(text);
	json_decref(d);
}

static void verdict_follows_contents(void **state)
{
	(void)state;
	struct kesu_err err = {0};
	struct kesu_verif_input in = base();
	/* a finding with no-data-found: refused */
	in.findings = &finding, in.n_findings = 1, in.findings_total = 1;
	assert_int_equal(build_rc(&in, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "contradicts"));
	in.verdict = "data-found";
	json_decref(build_ok(&in));
	/* "data" cells without any finding stored are still data-found */
	in = base();
	in.cells[5] = 1, in.bytes[5] = 65536, in.bytes[4] -= 65536;
	assert_int_equal(build_rc(&in, &err), KESU_ERR_INVALID);
	in.verdict = "data-found";
	json_decref(build_ok(&in));
	/* unreadable blocks: incomplete, and bytes must add up */
	in = base();
	in.unreadable = &bad, in.n_unreadable = 1, in.unreadable_total = 1;
	in.unreadable_bytes = 9 * 512;
	assert_int_equal(build_rc(&in, &err), KESU_ERR_INVALID); /* bytes don't add up */
	in.bytes_read -= 9 * 512, in.bytes[4] -= 9 * 512;
	assert_int_equal(build_rc(&in, &err), KESU_ERR_INVALID); /* verdict */
	in.verdict = "incomplete";
	json_decref(build_ok(&in));
	/* the size changed */
	in = base();
	in.size_after = 1ull << 29;
	assert_int_equal(build_rc(&in, &err), KESU_ERR_INVALID);
	in.verdict = "incomplete";
	json_decref(build_ok(&in));
	/* regions that do not add up to what was read */
	in = base();
	in.bytes[0] = 512;
	assert_int_equal(build_rc(&in, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "regions"));
	/* a full read that did not plan the whole medium */
	in = base();
	in.full = true;
	assert_int_equal(build_rc(&in, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "whole medium"));
	/* confidence outside (0, 1) */
	in = base();
	in.confidence = 1.0;
	assert_int_equal(build_rc(&in, &err), KESU_ERR_INVALID);
	in.confidence = 0;
	assert_int_equal(build_rc(&in, &err), KESU_ERR_INVALID);
	/* times out of order, no operator */
	in = base();
	in.ended_at = "2026-12-02T09:00:00+09:00";
	assert_int_equal(build_rc(&in, &err), KESU_ERR_INVALID);
	in = base();
	in.operator_name = NULL;
	assert_int_equal(build_rc(&in, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "operator.name"));
}

static void checks_confirm_only_the_same_medium(void **state)
{
	(void)state;
	struct kesu_verif_input in = base();
	in.cert_id = "4f1c2b3a-0d9e-4c8b-a7f6-e5d4c3b2a190";
	in.cert_sha256 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	in.cert_file = "kesu-cert-4f1c2b3a-0d9e-4c8b-a7f6-e5d4c3b2a190.json";
	json_t *d = build_ok(&in);
	json_t *c = json_object_get(d, "checks");
	assert_true(json_is_true(json_object_get(c, "same_medium")));
	assert_true(json_is_true(json_object_get(c, "confirmed")));
	json_decref(d);
	in.mismatches = &mm, in.n_mismatches = 1;
	d = build_ok(&in);
	c = json_object_get(d, "checks");
	assert_true(json_is_false(json_object_get(c, "same_medium")));
	assert_true(json_is_false(json_object_get(c, "confirmed")));
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(c, "mismatches"), 0), "medium")),
			    "KESU-B");
	/* flipping "confirmed" in the file is found */
	json_object_set_new(c, "confirmed", json_true());
	struct kesu_err err = {0};
	assert_int_equal(kesu_verif_check(d, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "confirmed"));
	json_decref(d);
	/* the same medium but data found: not confirmed */
	in = base();
	in.cert_id = "4f1c2b3a-0d9e-4c8b-a7f6-e5d4c3b2a190";
	in.cert_sha256 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	in.cert_file = "c.json";
	in.findings = &finding, in.n_findings = 1, in.findings_total = 1;
	in.verdict = "data-found";
	d = build_ok(&in);
	assert_true(json_is_false(json_object_get(json_object_get(d, "checks"), "confirmed")));
	json_decref(d);
	/* a certificate id that is not a UUID */
	in.cert_id = "not-a-uuid";
	assert_int_equal(build_rc(&in, &err), KESU_ERR_INVALID);
}

static void parser_is_strict(void **state)
{
	(void)state;
	struct kesu_verif_input in = base();
	json_t *d = build_ok(&in);
	size_t n;
	char *text = kesu_verif_serialize(d, &n);
	json_t *x;
	struct kesu_err err = {0};
	/* an edited verdict */
	char *edit = strdup(text);
	char *v = strstr(edit, "\"no-data-found\"");
	assert_non_null(v);
	memcpy(v, "\"data-found\"   ", 15);
	assert_int_equal(kesu_verif_parse(edit, n, &x, &err), KESU_ERR_INVALID);
	assert_null(x);
	free(edit);
	/* unknown, missing, mistyped fields; another schema; duplicates */
	json_t *e = json_deep_copy(d);
	json_object_set_new(e, "extra", json_true());
	assert_int_equal(kesu_verif_check(e, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "extra"));
	json_decref(e);
	e = json_deep_copy(d);
	json_object_del(e, "findings");
	assert_int_equal(kesu_verif_check(e, &err), KESU_ERR_INVALID);
	json_decref(e);
	e = json_deep_copy(d);
	json_object_set_new(json_object_get(e, "method"), "bytes_read", json_string("1"));
	assert_int_equal(kesu_verif_check(e, &err), KESU_ERR_INVALID);
	json_decref(e);
	e = json_deep_copy(d);
	json_object_set_new(e, "schema", json_string("kesu-verification/2"));
	assert_int_equal(kesu_verif_check(e, &err), KESU_ERR_INVALID);
	json_decref(e);
	e = json_deep_copy(d);
	json_object_set_new(json_object_get(e, "operator"), "name", json_string("a\x01z"));
	assert_int_equal(kesu_verif_check(e, &err), KESU_ERR_INVALID);
	json_decref(e);
	const char dup[] = "{\"schema\": \"kesu-verification/1\", \"schema\": \"x\"}";
	assert_int_equal(kesu_verif_parse(dup, sizeof(dup) - 1, &x, &err), KESU_ERR_INVALID);
	assert_int_equal(kesu_verif_parse("[]", 2, &x, &err), KESU_ERR_INVALID);
	assert_int_equal(kesu_verif_parse("{", 1, &x, &err), KESU_ERR_INVALID);
	assert_int_equal(kesu_verif_parse(text, KESU_VERIF_MAX_BYTES + 1, &x, &err),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "report larger than "));
	assert_non_null(strstr(err.msg, " bytes; not a kesu verification report"));
	free(text);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(verdict_follows_contents),
		cmocka_unit_test(checks_confirm_only_the_same_medium),
		cmocka_unit_test(parser_is_strict),
	};
	return cmocka_run_group_tests_name("verification", tests, NULL, NULL);
}
