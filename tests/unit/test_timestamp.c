/* RFC 3161 timestamps: request, answer checks and token verification
 * against an in-process TSA that can misbehave (support/tsa_model.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "certs/sign/timestamp.h"
#include "lib/fileio.h"
#include "tsa_model.h"

struct fx {
	struct tsa_model m;
	char dir[64], file[96], p7s[100], tsr[100];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	tsa_model_init(&f->m);
	strcpy(f->dir, "/tmp/kesu-ts-test.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->file, sizeof(f->file), "%s/doc.json", f->dir);
	snprintf(f->p7s, sizeof(f->p7s), "%s.p7s", f->file);
	snprintf(f->tsr, sizeof(f->tsr), "%s.tsr", f->file);
	struct kesu_err err;
	/* Any bytes do as "the signature": the token is over its hash. */
	if (kesu_write_atomic(f->p7s, "signature bytes", 15, 0644, &err))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	unlink(f->p7s);
	unlink(f->tsr);
	rmdir(f->dir);
	tsa_model_free(&f->m);
	free(f);
	return 0;
}

static enum kesu_rc stamp(struct fx *f, enum tsa_model_mode mode, const char *ca,
			  struct kesu_err *err)
{
	f->m.mode = mode;
	struct kesu_tsa tsa = {"http://tsa.test/", ca, tsa_model_post, &f->m};
	struct kesu_ts_info info;
	return kesu_timestamp_file(&tsa, f->file, &info, err);
}

static void good_token_round_trip(void **state)
{
	struct fx *f = *state;
	struct kesu_err err = {0};
	time_t before = time(NULL);
	assert_int_equal(stamp(f, TSA_OK, f->m.ca_file, &err), KESU_OK);
	assert_int_equal(access(f->tsr, F_OK), 0);
	bool present;
	struct kesu_ts_info info;
	assert_int_equal(kesu_timestamp_verify_file(f->file, f->m.ca_file, &present, &info,
						    &err), KESU_OK);
	assert_true(present);
	assert_true(info.gen_time >= before - 1 && info.gen_time <= time(NULL) + 1);
	assert_non_null(strstr(info.tsa_subject, "model TSA"));
	assert_string_equal(info.serial, "01");
}

static void no_token_is_not_an_error(void **state)
{
	struct fx *f = *state;
	struct kesu_err err = {0};
	bool present = true;
	struct kesu_ts_info info;
	assert_int_equal(kesu_timestamp_verify_file(f->file, f->m.ca_file, &present, &info,
						    &err), KESU_OK);
	assert_false(present);
}

/* Every bad answer is refused and named, writes no token, and leaves the
 * good token from before as it was. */
static void bad_answers_are_refused(void **state)
{
	struct fx *f = *state;
	struct { enum tsa_model_mode mode; enum kesu_rc rc; const char *msg; } cases[] = {
		{TSA_GARBAGE, KESU_ERR_CRYPTO, "not a DER RFC 3161 timestamp response"},
		{TSA_WRONG_NONCE, KESU_ERR_CRYPTO, "nonce mismatch"},
		{TSA_OTHER_DATA, KESU_ERR_CRYPTO, "message imprint mismatch"},
		{TSA_REJECT, KESU_ERR_CRYPTO, "refused the request (status 2"},
		{TSA_DOWN, KESU_ERR_IO, "http://tsa.test/: Connection refused"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kesu_err err = {0};
		assert_int_equal(stamp(f, TSA_OK, f->m.ca_file, &err), KESU_OK);
		assert_int_equal(stamp(f, cases[i].mode, f->m.ca_file, &err), cases[i].rc);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
		bool present;
		struct kesu_ts_info info;
		assert_int_equal(kesu_timestamp_verify_file(f->file, f->m.ca_file, &present,
							    &info, &err), KESU_OK);
		assert_true(present);
	}
	unlink(f->tsr);
	struct kesu_err err = {0};
	assert_int_equal(stamp(f, TSA_GARBAGE, f->m.ca_file, &err), KESU_ERR_CRYPTO);
	assert_int_not_equal(access(f->tsr, F_OK), 0);
}

static void untrusted_tsa_is_refused(void **state)
{
	struct fx *f = *state;
	struct tsa_model other;
	tsa_model_init(&other);
	struct kesu_err err = {0};
	assert_int_equal(stamp(f, TSA_OK, other.ca_file, &err), KESU_ERR_CRYPTO);
	assert_non_null(strstr(err.msg, "does not verify"));
	assert_int_equal(stamp(f, TSA_OK, f->m.ca_file, &err), KESU_OK);
	bool present;
	struct kesu_ts_info info;
	assert_int_equal(kesu_timestamp_verify_file(f->file, other.ca_file, &present, &info,
						    &err), KESU_ERR_CRYPTO);
	tsa_model_free(&other);
	/* A TSA CA file that cannot be read is a setup problem, named. */
	assert_int_equal(kesu_timestamp_verify_file(f->file, "/nonexistent/tsa-ca.pem", &present,
						    &info, &err), KESU_ERR_NOENT);
	assert_non_null(strstr(err.msg, "cannot load TSA CA certificates from "
				       "/nonexistent/tsa-ca.pem"));
}

static void token_for_other_bytes_is_refused(void **state)
{
	struct fx *f = *state;
	struct kesu_err err = {0};
	assert_int_equal(stamp(f, TSA_OK, f->m.ca_file, &err), KESU_OK);
	assert_int_equal(kesu_write_atomic(f->p7s, "signature bytez", 15, 0644, &err), KESU_OK);
	bool present;
	struct kesu_ts_info info;
	assert_int_equal(kesu_timestamp_verify_file(f->file, f->m.ca_file, &present, &info,
						    &err), KESU_ERR_CRYPTO);
	assert_non_null(strstr(err.msg, "imprint"));
	kesu_write_atomic(f->p7s, "signature bytes", 15, 0644, &err);
}

static void request_carries_nonce_and_cert_req(void **state)
{
	(void)state;
	unsigned char d[32] = {0};
	struct kesu_ts_req *a, *b;
	struct kesu_err err;
	assert_int_equal(kesu_ts_req_new(d, &a, &err), KESU_OK);
	assert_int_equal(kesu_ts_req_new(d, &b, &err), KESU_OK);
	size_t la, lb;
	const unsigned char *da = kesu_ts_req_der(a, &la), *db = kesu_ts_req_der(b, &lb);
	/* Same digest, yet different requests: only the nonce differs. */
	assert_true(la != lb || memcmp(da, db, la));
	/* certReq TRUE is the last element: BOOLEAN 0xff. */
	assert_memory_equal(da + la - 3, "\x01\x01\xff", 3);
	kesu_ts_req_free(a);
	kesu_ts_req_free(b);
}

static void parse_rejects_trailing_bytes_and_empty(void **state)
{
	(void)state;
	struct kesu_ts_info info;
	struct kesu_err err;
	assert_int_equal(kesu_ts_resp_parse("", 0, &info, &err), KESU_ERR_CRYPTO);
	assert_int_equal(kesu_ts_resp_parse("\x30\x03\x02\x01\x00", 5, &info, &err),
			 KESU_ERR_CRYPTO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(good_token_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(no_token_is_not_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_answers_are_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(untrusted_tsa_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(token_for_other_bytes_is_refused, setup, teardown),
		cmocka_unit_test(request_carries_nonce_and_cert_req),
		cmocka_unit_test(parse_rejects_trailing_bytes_and_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
