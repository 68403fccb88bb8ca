/* Signed approvals (certs/document/approval.c), the roles that may sign
 * them (certs/sign/role.c) and the [policy] that asks for them
 * (certs/document/policy.c): each refusal on its own, and the one way
 * through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "certs/document/approval.h"
#include "certs/document/policy.h"
#include "certs/sign/role.h"
#include "lib/timefmt.h"

#include <string.h>

#define ID "0b7e2c1a-1111-4222-8333-444455556666"
#define FROM 1790000000
#define UNTIL (FROM + 86400)

static const char *const assets[] = {"A-0042"}, *const serials[] = {"SN-1"},
		  *const ops[] = {"山田 太郎"},
		  *const certs[] = {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};

static struct kesu_approval_req req(void)
{
	struct kesu_approval_req r = {
		.reference = "R8-17", .reason = "disposal", .customer = "総務課",
		.confidentiality_class = 3, .assets = assets, .n_assets = 1,
		.serials = serials, .n_serials = 1, .operators = ops, .n_operators = 1,
		.operator_certs = certs, .n_operator_certs = 1,
		.valid_from = FROM, .valid_until = UNTIL,
	};
	return r;
}

static json_t *doc(void)
{
	struct kesu_approval_req r = req();
	json_t *d;
	struct kesu_err err;
	assert_int_equal(kesu_approval_build(&r, ID, "2026-12-01T09:00:00+09:00", &d, &err), KESU_OK);
	return d;
}

static struct kesu_approval_facts facts(void)
{
	struct kesu_approval_facts f = {
		.signer_roles = KESU_ROLE_APPROVER, .serial = "SN-1", .property_number = "X",
		.operator_name = "山田 太郎", .operator_cert = NULL,
		.confidentiality_class = 3, .reason = "disposal", .at = FROM + 60,
	};
	return f;
}

static void judge_expect(const struct kesu_approval_facts *f, enum kesu_rc want,
			 const char *needle)
{
	json_t *d = doc();
	struct kesu_err err = {0};
	assert_int_equal(kesu_approval_judge(d, f, &err), want);
	if (needle && !strstr(err.msg, needle))
		fail_msg("'%s' not in '%s'", needle, err.msg);
	json_decref(d);
}

static void allows_covered_work(void **state)
{
	(void)state;
	struct kesu_approval_facts f = facts();
	judge_expect(&f, KESU_OK, NULL);
	f.serial = NULL, f.property_number = "A-0042";
	judge_expect(&f, KESU_OK, NULL);
	f.operator_name = "別人", f.operator_cert = certs[0];
	judge_expect(&f, KESU_OK, NULL);
	f = facts(), f.confidentiality_class = 0, f.reason = NULL;
	judge_expect(&f, KESU_OK, NULL);
}

static void refuses_each_mismatch(void **state)
{
	(void)state;
	struct kesu_approval_facts f = facts();
	f.signer_roles = KESU_ROLE_WITNESS | KESU_ROLE_CITY;
	judge_expect(&f, KESU_ERR_REFUSED, "no approver role");
	f = facts(), f.at = FROM - 1;
	judge_expect(&f, KESU_ERR_REFUSED, "before its validity");
	f = facts(), f.at = UNTIL;
	judge_expect(&f, KESU_ERR_REFUSED, "after its validity");
	f = facts(), f.serial = "SN-2", f.property_number = "A-0043";
	judge_expect(&f, KESU_ERR_REFUSED, "does not cover this medium");
	f = facts(), f.serial = NULL, f.property_number = NULL;
	judge_expect(&f, KESU_ERR_REFUSED, "does not cover this medium");
	f = facts(), f.operator_name = "田中 次郎";
	judge_expect(&f, KESU_ERR_REFUSED, "does not name operator");
	f.operator_cert = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
	judge_expect(&f, KESU_ERR_REFUSED, "does not name operator");
	f = facts(), f.confidentiality_class = 2;
	judge_expect(&f, KESU_ERR_REFUSED, "class 3 media, not class 2");
	f = facts(), f.reason = "repair";
	judge_expect(&f, KESU_ERR_REFUSED, "for disposal, not repair");
}

static void build_refuses_bad_requests(void **state)
{
	(void)state;
	static const char *const blank[] = {"　"}, *const bidi[] = {"A-\u202e42"},
			  *const badhex[] = {"ABC"};
	struct kesu_approval_req r;
	json_t *d;
	struct kesu_err err;
#define REFUSE(mutate, needle)                                                        \
	do {                                                                          \
		r = req();                                                            \
		mutate;                                                               \
		assert_int_not_equal(kesu_approval_build(&r, ID, "2026-12-01T09:00:00Z", \
							 &d, &err), KESU_OK);         \
		if (!strstr(err.msg, needle))                                         \
			fail_msg("'%s' not in '%s'", needle, err.msg);                 \
	} while (0)
	REFUSE(r.n_assets = 0; r.n_serials = 0, "names no medium");
	REFUSE(r.n_operators = 0; r.n_operator_certs = 0, "names nobody");
	REFUSE(r.valid_until = r.valid_from, "never valid");
	REFUSE(r.assets = blank, "assets[0]");
	REFUSE(r.assets = bidi, "U+202E");
	REFUSE(r.operator_certs = badhex, "operator_certificates[0]");
	REFUSE(r.reason = "lost", "reason");
	REFUSE(r.reference = "", "reference");
#undef REFUSE
}

static void check_is_strict(void **state)
{
	(void)state;
	struct kesu_err err;
	json_t *d = doc();
	assert_int_equal(kesu_approval_check(d, &err), KESU_OK);
	json_object_set_new(d, "approver", json_string("佐藤 花子"));
	assert_int_equal(kesu_approval_check(d, &err), KESU_ERR_INVALID);
	json_decref(d);
	d = doc();
	json_object_set_new(d, "schema", json_string("kesu-approval/2"));
	assert_int_equal(kesu_approval_check(d, &err), KESU_ERR_INVALID);
	json_decref(d);
	d = doc();
	json_object_set_new(d, "valid_until", json_string("tomorrow"));
	assert_int_equal(kesu_approval_check(d, &err), KESU_ERR_INVALID);
	json_decref(d);
}

static void roles_from_oids_exact(void **state)
{
	(void)state;
	const char *oids[] = {"1.3.6.1.5.5.7.3.4", KESU_ROLE_ARC ".1", KESU_ROLE_ARC ".3"};
	assert_int_equal(kesu_roles_from_oids(oids, 3), KESU_ROLE_APPROVER | KESU_ROLE_CITY);
	const char *near[] = {KESU_ROLE_ARC ".10", KESU_ROLE_ARC ".1.5", KESU_ROLE_ARC,
			      "2.25.1.1", NULL};
	assert_int_equal(kesu_roles_from_oids(near, 5), 0);
	char buf[64];
	kesu_roles_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "operator");
	kesu_roles_format(KESU_ROLE_APPROVER | KESU_ROLE_WITNESS, buf, sizeof(buf));
	assert_string_equal(buf, "approver+witness");
	assert_int_equal(kesu_role_parse("city"), KESU_ROLE_CITY);
	assert_int_equal(kesu_role_parse("operator"), 0);
}

static void policy_defaults_and_refusals(void **state)
{
	(void)state;
	struct kesu_config cfg;
	struct kesu_policy p;
	struct kesu_err err;
	assert_int_equal(kesu_config_parse("", 0, "t", &cfg, &err), KESU_OK);
	assert_int_equal(kesu_policy_from_config(&cfg, &p, &err), KESU_OK);
	assert_int_equal(kesu_policy_check(&p, 3, false, &err), KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "class 3"));
	assert_int_equal(kesu_policy_check(&p, 3, true, &err), KESU_OK);
	assert_int_equal(kesu_policy_check(&p, 2, false, &err), KESU_OK);
	static const char conf[] = "[policy]\nsigned_approval_classes = 2, 3\ntyped_approvers = no\n";
	assert_int_equal(kesu_config_parse(conf, strlen(conf), "t", &cfg, &err), KESU_OK);
	assert_int_equal(kesu_policy_from_config(&cfg, &p, &err), KESU_OK);
	assert_int_equal(kesu_policy_check(&p, 2, false, &err), KESU_ERR_REFUSED);
	assert_int_equal(kesu_policy_check(&p, 1, false, &err), KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "typed approvers are not accepted"));
	static const char none[] = "[policy]\nsigned_approval_classes = none\n";
	assert_int_equal(kesu_config_parse(none, strlen(none), "t", &cfg, &err), KESU_OK);
	assert_int_equal(kesu_policy_from_config(&cfg, &p, &err), KESU_OK);
	assert_int_equal(kesu_policy_check(&p, 3, false, &err), KESU_OK);
	static const char *const bad[] = {"[policy]\nsigned_approval_classes = 4\n",
		"[policy]\nsigned_approval_classes = 2,\n", "[policy]\nsigned_approval_classes = 23\n",
		"[policy]\ntyped_approvers = maybe\n", NULL};
	for (size_t i = 0; bad[i]; i++) {
		assert_int_equal(kesu_config_parse(bad[i], strlen(bad[i]), "t", &cfg, &err), KESU_OK);
		assert_int_equal(kesu_policy_from_config(&cfg, &p, &err), KESU_ERR_INVALID);
		assert_non_null(strstr(err.msg, "[policy]"));
	}
}

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* A resume of approved work: only under the same approval, by hash. */
static void resume_under_the_same_approval(void **state)
{
	(void)state;
	struct kesu_err err = {0};
	json_t *kept = kesu_approval_kept_json("/etc/kesu/work-order.json", SHA_A);
	assert_non_null(kept);
	assert_int_equal(kesu_approval_resume_check(NULL, NULL, &err), KESU_OK);
	assert_int_equal(kesu_approval_resume_check(NULL, SHA_B, &err), KESU_OK);
	assert_int_equal(kesu_approval_resume_check(kept, SHA_A, &err), KESU_OK);
	assert_int_equal(kesu_approval_resume_check(kept, NULL, &err), KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "resume with --approval /etc/kesu/work-order.json"));
	assert_int_equal(kesu_approval_resume_check(kept, SHA_B, &err), KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "not the one the interrupted wipe was started under"));
	/* A malformed record of it (the checkpoint's MAC aside). */
	json_object_set_new(kept, "sha256", json_string("ABC"));
	assert_int_equal(kesu_approval_resume_check(kept, SHA_A, &err), KESU_ERR_INVALID);
	json_object_set_new(kept, "sha256", json_string(SHA_A));
	json_object_set_new(kept, "extra", json_true());
	assert_int_equal(kesu_approval_resume_check(kept, SHA_A, &err), KESU_ERR_INVALID);
	json_decref(kept);
	json_t *notobj = json_string("x");
	assert_int_not_equal(kesu_approval_resume_check(notobj, SHA_A, &err), KESU_OK);
	json_decref(notobj);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(allows_covered_work),
		cmocka_unit_test(refuses_each_mismatch),
		cmocka_unit_test(build_refuses_bad_requests),
		cmocka_unit_test(check_is_strict),
		cmocka_unit_test(roles_from_oids_exact),
		cmocka_unit_test(policy_defaults_and_refusals),
		cmocka_unit_test(resume_under_the_same_approval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
