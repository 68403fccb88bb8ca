/* kesu-destruction/1: what kesu builds passes its own strict reader, and
 * every contradiction a document could carry is an error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs/document/destruction.h"
#include "lib/timefmt.h"
#include "certs/document/destruction_issue.h"
#include "certs/register/register_pg.h"

#define ID "5f0c2a4e-1b7d-4c3e-9a11-2b3c4d5e6f70"
#define ERASURE "00000000-0000-4000-8000-000000000001"
#define ISSUED "2026-11-22T15:00:00+09:00"

static void fill(struct kesu_destruction_info *in)
{
	memset(in, 0, sizeof(*in));
	strcpy(in->operator_name, "山田 太郎");
	strcpy(in->operator_organization, "情報政策課");
	strcpy(in->serial, "WD-WCC4E1234567");
	strcpy(in->model, "WDC WD10EZEX");
	strcpy(in->identity_source, "register");
	strcpy(in->property_number, "A-2026-0042");
	strcpy(in->department, "市民課");
	in->my_number = true;
	strcpy(in->closes, ERASURE);
	strcpy(in->technique, "破砕");
	in->particle_size_mm = 20;
	strcpy(in->destroyed_at, "2026-11-22T14:00:00+09:00");
	strcpy(in->location, "株式会社クラッシュ 第二工場");
	strcpy(in->company, "株式会社クラッシュ");
	strcpy(in->person, "佐藤 花子");
	strcpy(in->witnesses[0].name, "鈴木 一郎");
	strcpy(in->witnesses[0].organization, "情報政策課");
	in->n_witnesses = 1;
	strcpy(in->evidence[0].file, "kesu-destruction-" ID "-1-label.jpg");
	memset(in->evidence[0].sha256, 'a', 64);
	in->evidence[0].size = 1234;
	strcpy(in->evidence[0].role, "label-photo");
	in->n_evidence = 1;
}

static json_t *built(const struct kesu_destruction_info *in)
{
	json_t *d = NULL;
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_destruction_build(in, ID, ISSUED, &d, &err);
	if (rc)
		print_message("# %s\n", err.msg);
	assert_int_equal(rc, KESU_OK);
	return d;
}

static const char *first_error(const json_t *d)
{
	static struct kesu_cert_verdict v;
	kesu_destruction_judge(d, NULL, &v);
	return v.n_errors ? v.errors[0] : NULL;
}

static void builds_and_reads_back(void **state)
{
	(void)state;
	struct kesu_destruction_info in;
	fill(&in);
	json_t *d = built(&in);
	const json_t *t = json_object_get(d, "technique");
	assert_string_equal(json_string_value(json_object_get(t, "name")), "crush");
	assert_string_equal(json_string_value(json_object_get(t, "term_ja")), "破砕");
	assert_false(json_is_true(json_object_get(t, "nist_destroy")));
	size_t n;
	char *text = kesu_cert_serialize(d, &n);
	assert_true(kesu_destruction_is(text, n));
	json_t *back;
	struct kesu_err err = {0};
	assert_int_equal(kesu_destruction_parse(text, n, &back, &err), KESU_OK);
	assert_true(json_equal(back, d));
	assert_null(first_error(back));
	/* Same bytes again: the document is deterministic. */
	size_t n2;
	char *again = kesu_cert_serialize(back, &n2);
	assert_int_equal(n, n2);
	assert_memory_equal(text, again, n);
	free(again);
	free(text);
	json_decref(back);
	json_decref(d);
}

static void strict_reader(void **state)
{
	(void)state;
	struct kesu_destruction_info in;
	fill(&in);
	json_t *d = built(&in);
	struct kesu_err err = {0};
	json_t *c = json_deep_copy(d);
	json_object_set_new(c, "result", json_string("destroyed"));
	assert_int_equal(kesu_destruction_check(c, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "unknown field"));
	json_decref(c);
	/* An evidence file outside the document's folder. */
	c = json_deep_copy(d);
	json_object_set_new(json_array_get(json_object_get(c, "evidence"), 0), "file",
			    json_string("../../etc/shadow"));
	assert_int_equal(kesu_destruction_check(c, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "plain file name"));
	json_decref(c);
	c = json_deep_copy(d);
	json_object_set_new(json_array_get(json_object_get(c, "evidence"), 0), "role",
			    json_string("selfie"));
	assert_int_equal(kesu_destruction_check(c, &err), KESU_ERR_INVALID);
	json_decref(c);
	c = json_deep_copy(d);
	json_object_set_new(json_object_get(c, "technique"), "particle_size_mm",
			    json_integer(-3));
	assert_int_equal(kesu_destruction_check(c, &err), KESU_ERR_INVALID);
	json_decref(c);
	const char dup[] = "{\"schema\":\"kesu-destruction/1\",\"schema\":\"x\"}";
	json_t *out;
	assert_int_equal(kesu_destruction_parse(dup, sizeof(dup) - 1, &out, &err),
			 KESU_ERR_INVALID);
	json_decref(d);
}

static void closes_xor_reason(void **state)
{
	(void)state;
	struct kesu_destruction_info in;
	fill(&in);
	json_t *d = built(&in);
	json_object_set_new(d, "no_erasure_record", json_string("leased"));
	assert_non_null(strstr(first_error(d), "also says there is no erasure record"));
	json_object_set_new(d, "closes", json_null());
	json_object_set_new(d, "no_erasure_record", json_null());
	assert_non_null(strstr(first_error(d), "gives no reason"));
	json_decref(d);
	/* build refuses the same. */
	in.closes[0] = '\0';
	struct kesu_err err = {0};
	assert_int_equal(kesu_destruction_build(&in, ID, ISSUED, &d, &err), KESU_ERR_USAGE);
	assert_null(d);
	strcpy(in.no_erasure_record, "leased; never erased by kesu");
	d = built(&in);
	struct kesu_cert_verdict v;
	kesu_destruction_judge(d, NULL, &v);
	assert_int_equal(v.n_errors, 0);
	assert_true(v.n_warnings >= 1);
	json_decref(d);
}

static void my_number_rules(void **state)
{
	(void)state;
	struct kesu_destruction_info in;
	fill(&in);
	strcpy(in.technique, "消磁");
	json_t *d = NULL;
	struct kesu_err err = {0};
	assert_int_equal(kesu_destruction_build(&in, ID, ISSUED, &d, &err), KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "physical destruction"));
	in.my_number = false;
	d = built(&in);
	json_decref(d);
	/* No one watched and no photo of the result. */
	fill(&in);
	in.n_witnesses = 0;
	assert_int_equal(kesu_destruction_build(&in, ID, ISSUED, &d, &err), KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "no witness"));
	strcpy(in.evidence[1].file, "after.jpg");
	memset(in.evidence[1].sha256, 'b', 64);
	strcpy(in.evidence[1].role, "destroyed-photo");
	in.n_evidence = 2;
	d = built(&in);
	json_decref(d);
}

static void contradictions(void **state)
{
	(void)state;
	struct kesu_destruction_info in;
	fill(&in);
	json_t *d = built(&in);
	json_t *c = json_deep_copy(d);
	json_object_set_new(json_object_get(c, "technique"), "term_ja", json_string("溶解"));
	assert_non_null(strstr(first_error(c), "Japanese term"));
	json_decref(c);
	c = json_deep_copy(d);
	json_object_set_new(json_object_get(c, "technique"), "nist_destroy", json_true());
	assert_non_null(first_error(c));
	json_decref(c);
	c = json_deep_copy(d);
	json_object_set_new(c, "destroyed_at", json_string("2026-11-23T09:00:00+09:00"));
	assert_non_null(strstr(first_error(c), "after the document was issued"));
	json_decref(c);
	c = json_deep_copy(d);
	json_object_set_new(c, "location", json_string("第二工場\u202e"));
	assert_non_null(strstr(first_error(c), "U+202E"));
	json_decref(c);
	c = json_deep_copy(d);
	json_object_set_new(json_object_get(c, "destroyed_by"), "person", json_string("\u3000"));
	assert_non_null(strstr(first_error(c), "blank"));
	json_decref(c);
	c = json_deep_copy(d);
	json_array_append(json_object_get(c, "evidence"),
			  json_array_get(json_object_get(c, "evidence"), 0));
	assert_non_null(strstr(first_error(c), "same file"));
	json_decref(c);
	/* Clock rules. */
	struct kesu_cert_clock clock = {.now = 1700000000};
	struct kesu_cert_verdict v;
	kesu_destruction_judge(d, &clock, &v);
	assert_true(v.n_errors > 0);
	assert_non_null(strstr(v.errors[0], "future"));
	/* A signature made before the document was issued, or after now. */
	time_t issued;
	assert_true(kesu_time_parse(json_string_value(json_object_get(d, "issued_at")), &issued));
	struct kesu_cert_clock back = {.now = issued + 86400, .signed_at = issued - 1};
	kesu_destruction_judge(d, &back, &v);
	assert_int_equal(v.n_errors, 1);
	assert_string_equal(v.errors[0], "the signature's signing time is before the document "
			    "was issued (backdated signature?)");
	struct kesu_cert_clock fwd = {.now = issued + 60,
				      .signed_at = issued + 60 + KESU_CERT_CLOCK_SKEW + 1};
	kesu_destruction_judge(d, &fwd, &v);
	assert_int_equal(v.n_errors, 1);
	assert_non_null(strstr(v.errors[0], "forward-dated"));
	struct kesu_cert_clock fine = {.now = issued + 60, .signed_at = issued};
	kesu_destruction_judge(d, &fine, &v);
	assert_int_equal(v.n_errors, 0);
	json_decref(d);
}

static json_t *approval_record(const char *date)
{
	json_error_t je;
	char text[600];
	snprintf(text, sizeof(text),
		 "{\"id\": \"5d1e2f30-aaaa-4bbb-8ccc-111122223333\", \"approver\": \"高橋 一郎\","
		 " \"reference\": \"R8-破砕-3\", \"date\": \"%s\", \"document\":"
		 " {\"file\": \"kesu-approval-5d1e2f30.json\", \"sha256\": \"%064d\","
		 " \"signer\": \"CN=高橋 一郎\"}}", date, 0);
	json_t *a = json_loads(text, 0, &je);
	assert_non_null(a);
	return a;
}

/* The signed approval a destruction was recorded on: kept whole, read
 * strictly, and it must come before the destruction. */
static void records_its_approval(void **state)
{
	(void)state;
	struct kesu_destruction_info in;
	fill(&in);
	in.approval = approval_record("2026-11-20T09:00:00+09:00");
	json_t *d = built(&in);
	assert_true(json_equal(json_object_get(d, "approval"), in.approval));
	assert_null(first_error(d));
	struct kesu_err err = {0};
	static const struct { const char *key, *json, *expect; } bad[] = {
		{"id", "\"not-a-uuid\"", "approval.id"},
		{"approver", "null", "approval.approver"},
		{"date", "\"yesterday\"", "approval.date"},
		{"document", "{\"file\": \"../x.json\", \"sha256\": \"00\", \"signer\": \"s\"}",
		 "approval.document"},
		{"extra", "1", "approval"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *c = json_deep_copy(d);
		json_object_set_new(json_object_get(c, "approval"), bad[i].key,
				    json_loads(bad[i].json, JSON_DECODE_ANY, NULL));
		enum kesu_rc rc = kesu_destruction_check(c, &err);
		if (rc != KESU_ERR_INVALID || !strstr(err.msg, bad[i].expect))
			fail_msg("case %zu (%s): rc %d '%s'", i, bad[i].key, rc, err.msg);
		json_decref(c);
	}
	json_t *c = json_deep_copy(d);
	json_object_del(json_object_get(c, "approval"), "document");
	assert_int_equal(kesu_destruction_check(c, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "approval.document: missing"));
	json_decref(c);
	c = json_deep_copy(d);
	json_object_set_new(json_object_get(c, "approval"), "approver", json_string(" "));
	assert_non_null(strstr(first_error(c), "approval.approver is blank"));
	json_decref(c);
	json_decref(d);
	json_decref(in.approval);
	/* approved after the medium was destroyed: refused when built */
	in.approval = approval_record("2026-11-23T09:00:00+09:00");
	assert_int_equal(kesu_destruction_build(&in, ID, ISSUED, &d, &err), KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "is after the medium was destroyed"));
	json_decref(in.approval);
}

static void techniques(void **state)
{
	(void)state;
	assert_string_equal(kesu_destroy_technique_find("溶解")->name, "melt");
	assert_string_equal(kesu_destroy_technique_find("穿孔")->name, "drill");
	assert_string_equal(kesu_destroy_technique_find("消磁")->name, "degauss");
	assert_true(kesu_destroy_technique_find("shred")->nist_destroy);
	assert_null(kesu_destroy_technique_find("format"));
	assert_null(kesu_destroy_technique_find(NULL));
	struct kesu_destruction_info in;
	fill(&in);
	strcpy(in.technique, "format");
	json_t *d;
	struct kesu_err err = {0};
	assert_int_equal(kesu_destruction_build(&in, ID, ISSUED, &d, &err), KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "unknown technique"));
}

/* The register's side: which erasure a destruction closes, what it takes
 * from it, and what is refused. */
static json_t *cert_line(int seq, const char *id, const char *serial, const char *model)
{
	return json_pack("{s:i s:s s:s s:s s:s}", "seq", seq, "kind", "certificate",
			 "cert_id", id, "serial", serial, "model", model);
}

static enum kesu_rc resolve(json_t *lines, json_t *docs, struct kesu_destruction_info *in,
			    char *why)
{
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_destroy_resolve(lines, docs, false, in, &err);
	strcpy(why, err.msg);
	return rc;
}

static void resolve_against_register(void **state)
{
	(void)state;
	char why[600];
	json_t *cert = json_pack("{s:{s:b s:s} s:s}", "asset", "my_number", true,
				 "property_number", "A-7", "customer", "市民課");
	json_t *lines = json_pack("[o o o]", cert_line(1, ERASURE, "S-1", "M1"),
				  cert_line(2, "00000000-0000-4000-8000-000000000002", "S-2", "M2"),
				  json_pack("{s:i s:s s:s s:s}", "seq", 3, "kind", "destruction",
					    "serial", "S-2", "closes",
					    "00000000-0000-4000-8000-000000000002"));
	json_t *docs = json_pack("[o n n]", cert);
	struct kesu_destruction_info in;
	fill(&in);
	in.closes[0] = in.property_number[0] = in.department[0] = in.model[0] = '\0';
	in.my_number = false;
	strcpy(in.serial, "S-1");
	assert_int_equal(resolve(lines, docs, &in, why), KESU_OK);
	assert_string_equal(in.closes, ERASURE);
	assert_string_equal(in.property_number, "A-7");
	assert_string_equal(in.department, "市民課");
	assert_string_equal(in.model, "M1");
	assert_true(in.my_number);
	assert_string_equal(in.identity_source, "register");
	/* A typed model or asset the certificate contradicts. */
	fill(&in);
	strcpy(in.serial, "S-1");
	strcpy(in.model, "M9");
	assert_int_equal(resolve(lines, docs, &in, why), KESU_ERR_REFUSED);
	assert_non_null(strstr(why, "model"));
	fill(&in);
	strcpy(in.serial, "S-1");
	strcpy(in.model, "M1");
	strcpy(in.property_number, "A-8");
	assert_int_equal(resolve(lines, docs, &in, why), KESU_ERR_REFUSED);
	assert_non_null(strstr(why, "asset number"));
	/* Already closed. */
	fill(&in);
	strcpy(in.serial, "S-2");
	in.model[0] = '\0';
	assert_int_equal(resolve(lines, docs, &in, why), KESU_ERR_REFUSED);
	assert_non_null(strstr(why, "closed by a destruction already"));
	/* Never erased: refused, naming the fix, unless the reason is given. */
	fill(&in);
	strcpy(in.serial, "S-9");
	assert_int_equal(resolve(lines, docs, &in, why), KESU_ERR_REFUSED);
	assert_non_null(strstr(why, "--no-erasure-record REASON"));
	strcpy(in.no_erasure_record, "leased");
	assert_int_equal(resolve(lines, docs, &in, why), KESU_OK);
	assert_string_equal(in.closes, "");
	assert_string_equal(in.identity_source, "typed");
	/* ... and the reason is refused where there is a record. */
	fill(&in);
	strcpy(in.serial, "S-1");
	in.model[0] = '\0';
	strcpy(in.no_erasure_record, "leased");
	assert_int_equal(resolve(lines, docs, &in, why), KESU_ERR_USAGE);
	json_decref(lines);
	json_decref(docs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builds_and_reads_back),
		cmocka_unit_test(strict_reader),
		cmocka_unit_test(closes_xor_reason),
		cmocka_unit_test(my_number_rules),
		cmocka_unit_test(contradictions),
		cmocka_unit_test(records_its_approval),
		cmocka_unit_test(techniques),
		cmocka_unit_test(resolve_against_register),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
