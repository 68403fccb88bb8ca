/* Certificate details kept in a checkpoint (certs/document/cert_info.c):
 * the JSON round trip is exact and strict, and a resume may only repeat
 * what the interrupted run was started with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "certs/document/cert_info.h"

#include <string.h>

static struct kesu_cert_info sample(void)
{
	struct kesu_cert_info i;
	memset(&i, 0, sizeof(i));
	strcpy(i.operator_name, "山田 太郎");
	strcpy(i.customer, "総務課");
	strcpy(i.location, "本庁舎 地下1階 作業室");
	strcpy(i.property_number, "A-1001");
	strcpy(i.reason, "disposal");
	strcpy(i.approver, "佐藤 花子");
	strcpy(i.approval_date, "2026-12-01");
	i.confidentiality_class = 3;
	i.my_number = true;
	strcpy(i.witnesses[0].name, "鈴木 一郎");
	strcpy(i.witnesses[0].organization, "情報政策課");
	i.n_witnesses = 1;
	return i;
}

static void round_trip_is_exact(void **state)
{
	(void)state;
	struct kesu_cert_info a = sample(), b;
	struct kesu_err err;
	json_t *j = kesu_cert_info_to_json(&a);
	assert_int_equal(kesu_cert_info_from_json(j, &b, &err), KESU_OK);
	json_decref(j);
	assert_memory_equal(&a, &b, sizeof(a));
}

static void strict_parse(void **state)
{
	(void)state;
	struct kesu_cert_info a = sample(), b;
	struct kesu_err err;
	static const char *const breaks[] = {"extra", "asset-type", "class-range", "class-type",
					     "witness-type", "control", "missing", NULL};
	for (size_t k = 0; breaks[k]; k++) {
		json_t *j = kesu_cert_info_to_json(&a);
		const char *what = breaks[k];
		if (!strcmp(what, "extra"))
			json_object_set_new(j, "asset_type", json_string("x"));
		else if (!strcmp(what, "asset-type"))
			json_object_set_new(j, "asset", json_integer(1001));
		else if (!strcmp(what, "class-range"))
			json_object_set_new(j, "class", json_integer(4));
		else if (!strcmp(what, "class-type"))
			json_object_set_new(j, "class", json_string("3"));
		else if (!strcmp(what, "witness-type"))
			json_object_set_new(j, "witnesses", json_string("鈴木"));
		else if (!strcmp(what, "control"))
			json_object_set_new(j, "asset", json_string("A-1\x1b[2J"));
		else
			json_object_del(j, "reason");
		if (kesu_cert_info_from_json(j, &b, &err) != KESU_ERR_INVALID)
			fail_msg("accepted a checkpoint with %s", what);
		json_decref(j);
	}
}

/* A checkpoint written before the work location existed has no
 * "location" key: the run resumes without one; a bad location is refused. */
static void location_optional_in_older_checkpoints(void **state)
{
	(void)state;
	struct kesu_cert_info a = sample(), b;
	struct kesu_err err;
	json_t *j = kesu_cert_info_to_json(&a);
	json_object_del(j, "location");
	assert_int_equal(kesu_cert_info_from_json(j, &b, &err), KESU_OK);
	assert_string_equal(b.location, "");
	assert_string_equal(b.property_number, "A-1001");
	json_object_set_new(j, "location", json_string("作業室\x1b[2J"));
	assert_int_equal(kesu_cert_info_from_json(j, &b, &err), KESU_ERR_INVALID);
	json_object_set_new(j, "location", json_integer(1));
	assert_int_equal(kesu_cert_info_from_json(j, &b, &err), KESU_ERR_INVALID);
	/* One key less is only allowed when that key is the location. */
	json_object_set_new(j, "location", json_string("作業室"));
	json_object_del(j, "reason");
	assert_int_equal(kesu_cert_info_from_json(j, &b, &err), KESU_ERR_INVALID);
	json_decref(j);
}

static void resume_may_only_repeat(void **state)
{
	(void)state;
	struct kesu_cert_info saved = sample(), given;
	memset(&given, 0, sizeof(given));
	/* Nothing given, or the same values given: no conflict. */
	assert_null(kesu_cert_info_conflict(&saved, &given));
	given = saved;
	assert_null(kesu_cert_info_conflict(&saved, &given));
	/* Each field given differently is named by its option. */
	memset(&given, 0, sizeof(given));
	strcpy(given.property_number, "B-2002");
	assert_string_equal(kesu_cert_info_conflict(&saved, &given), "asset");
	memset(&given, 0, sizeof(given));
	strcpy(given.reason, "lease-return");
	assert_string_equal(kesu_cert_info_conflict(&saved, &given), "reason");
	memset(&given, 0, sizeof(given));
	strcpy(given.approver, "誰か");
	assert_string_equal(kesu_cert_info_conflict(&saved, &given), "approver");
	memset(&given, 0, sizeof(given));
	strcpy(given.location, "別館");
	assert_string_equal(kesu_cert_info_conflict(&saved, &given), "location");
	memset(&given, 0, sizeof(given));
	given.confidentiality_class = 1;
	assert_string_equal(kesu_cert_info_conflict(&saved, &given), "class");
	memset(&given, 0, sizeof(given));
	strcpy(given.witnesses[0].name, "他人");
	given.n_witnesses = 1;
	assert_string_equal(kesu_cert_info_conflict(&saved, &given), "witness");
	struct kesu_cert_info plain = sample();
	plain.my_number = false;
	memset(&given, 0, sizeof(given));
	given.my_number = true;
	assert_string_equal(kesu_cert_info_conflict(&plain, &given), "my-number");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_is_exact),
		cmocka_unit_test(strict_parse),
		cmocka_unit_test(location_optional_in_older_checkpoints),
		cmocka_unit_test(resume_may_only_repeat),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
