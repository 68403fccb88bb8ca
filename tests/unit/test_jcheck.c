/* lib/jcheck's dotted-path lookup: what the printed pages read their
 * fields with, so a missing step or a non-object on the way gives NULL
 * rather than a neighbouring field, and an over-long key never matches a
 * truncated one by accident of its first 63 bytes alone.  And the head
 * check the approval, custody and destruction readers share: each of its
 * four fields and the key list refused on its own. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/jcheck.h"

static void dotted_paths(void **state)
{
	(void)state;
	json_t *o = json_pack("{s:{s:s, s:{s:i}}, s:s}", "device", "serial", "WD-1",
			      "size", "bytes", 512, "top", "x");
	assert_non_null(o);
	assert_string_equal(json_string_value(kj_at(o, "device.serial")), "WD-1");
	assert_int_equal(json_integer_value(kj_at(o, "device.size.bytes")), 512);
	assert_string_equal(json_string_value(kj_at(o, "top")), "x");
	assert_ptr_equal(kj_at(o, ""), o);
	assert_null(kj_at(o, "device.model"));
	assert_null(kj_at(o, "top.more"));       /* a string has no members */
	assert_null(kj_at(o, "device.serial.x"));
	assert_null(kj_at(NULL, "device"));
	char longkey[100];
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	assert_null(kj_at(o, longkey));
	json_decref(o);
}

static const char *const head_keys[] = {"schema", "kind", "id", "issued_at", "x", NULL};

/* The head of a good document with key set to v (NULL: key removed). */
static enum kesu_rc head_with(const char *key, json_t *v, struct kesu_err *err)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "schema", "kesu-test/1", "kind", "test",
			      "id", "0d5e7f0c-1b2a-4c3d-8e9f-a0b1c2d3e4f5",
			      "issued_at", "2026-04-01T09:00:00Z");
	assert_non_null(o);
	if (key && v)
		json_object_set_new(o, key, v);
	else if (key)
		json_object_del(o, key);
	memset(err, 0, sizeof(*err));
	enum kesu_rc rc = kj_doc_head(o, head_keys, "kesu-test/1", "test", err);
	json_decref(o);
	return rc;
}

static void doc_head(void **state)
{
	(void)state;
	struct kesu_err err;
	assert_int_equal(head_with(NULL, NULL, &err), KESU_OK);
	assert_int_equal(head_with("x", json_true(), &err), KESU_OK); /* an allowed extra */
	assert_int_equal(head_with("y", json_true(), &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "y"));
	assert_int_equal(head_with("schema", json_string("kesu-test/2"), &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "schema"));
	assert_int_equal(head_with("kind", json_string("approval"), &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "kind"));
	assert_int_equal(head_with("id", NULL, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "id"));
	assert_int_equal(head_with("id", json_string("0D5E7F0C-1B2A-4C3D-8E9F-A0B1C2D3E4F5"),
				   &err), KESU_ERR_INVALID);
	assert_string_equal(err.msg, "id: not a lowercase UUID");
	assert_int_equal(head_with("issued_at", json_string("yesterday"), &err),
			 KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "issued_at"));
	assert_int_equal(head_with("issued_at", NULL, &err), KESU_ERR_INVALID);
}

/* Which kind a file holds is read from its schema alone; anything that is
 * not one JSON object with that exact schema string is not that kind. */
static void has_schema(void **state)
{
	(void)state;
	static const char *const S = "kesu-destruction/1";
	const char *yes = "{\"schema\": \"kesu-destruction/1\", \"id\": 1}";
	const char *cases[] = {
		"{\"schema\": \"kesu-destruction/2\"}",
		"{\"schema\": \"kesu-destruction/1\", \"schema\": \"kesu-destruction/1\"}",
		"{\"schema\": 1}",
		"[\"kesu-destruction/1\"]",
		"{\"schema\": \"kesu-destruction/1\"",
		"",
	};
	assert_true(kj_has_schema(yes, strlen(yes), S));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_false(kj_has_schema(cases[i], strlen(cases[i]), S));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dotted_paths),
		cmocka_unit_test(doc_head),
		cmocka_unit_test(has_schema),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
