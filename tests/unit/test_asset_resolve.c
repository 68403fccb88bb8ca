/* kesu wipe's asset number per device: --asset, --asset-map, --same-asset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "wipe/station/asset_resolve.h"

static const struct kesu_asset_dev three[] = {
	{"/dev/sda", "/dev/sda", "S1"},
	{"/dev/disk/by-id/x", "/dev/sdb", "S2"},
	{"/dev/sdc", "/dev/sdc", ""},
};

static struct kesu_asset_row out[3];

static enum kesu_rc run(const struct kesu_asset_req *req, size_t n, struct kesu_err *err)
{
	memset(out, 'x', sizeof(out));
	return kesu_assets_resolve(req, NULL, three, n, out, err);
}

static void expect_refusal(const struct kesu_asset_req *req, size_t n, const char *want)
{
	struct kesu_err err = {0};
	enum kesu_rc rc = run(req, n, &err);
	if (rc == KESU_OK || !strstr(err.msg, want))
		fail_msg("rc %d, '%s' lacks '%s'", rc, err.msg, want);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(out[i].asset, "");
}

static void split_forms(void **state)
{
	(void)state;
	char buf[64];
	struct kesu_asset_arg a;
	assert_true(kesu_asset_arg_split("TKY-1", buf, sizeof(buf), &a));
	assert_null(a.device);
	assert_string_equal(a.number, "TKY-1");
	assert_true(kesu_asset_arg_split("/dev/sda=A=1", buf, sizeof(buf), &a));
	assert_string_equal(a.device, "/dev/sda");
	assert_string_equal(a.number, "A=1");
	assert_false(kesu_asset_arg_split("=A", buf, sizeof(buf), &a));
	assert_false(kesu_asset_arg_split("/dev/sda=", buf, sizeof(buf), &a));
	assert_false(kesu_asset_arg_split("", buf, sizeof(buf), &a));
	assert_false(kesu_asset_arg_split("/dev/sda\x1b[2J=A", buf, sizeof(buf), &a));
	assert_false(kesu_asset_arg_split("A\xe2\x80\xae" "1", buf, sizeof(buf), &a));
	char big[80];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(kesu_asset_arg_split(big, buf, sizeof(buf), &a));
}

static void per_device_from_args_and_map(void **state)
{
	(void)state;
	const struct kesu_asset_arg args[] = {{"/dev/sdc", "C-3"}, {"S2", "B-2"}};
	const char *map = "S1,A-1\nS2,B-2\nS9,Z\n";
	struct kesu_asset_req req = {args, 2, map, "m.csv", strlen(map), false, true};
	struct kesu_err err = {0};
	assert_int_equal(run(&req, 3, &err), KESU_OK);
	assert_string_equal(out[0].asset, "A-1");
	assert_string_equal(out[1].asset, "B-2");
	assert_string_equal(out[2].asset, "C-3");
	/* By the name given or the path it resolved to. */
	const struct kesu_asset_arg byname[] = {{"/dev/disk/by-id/x", "B"}, {"/dev/sda", "A"}};
	struct kesu_asset_req r2 = {byname, 2, NULL, NULL, 0, false, true};
	assert_int_equal(run(&r2, 2, &err), KESU_OK);
	assert_string_equal(out[0].asset, "A");
	assert_string_equal(out[1].asset, "B");
	const struct kesu_asset_arg bypath[] = {{"/dev/sdb", "B"}};
	struct kesu_asset_req r3 = {bypath, 1, NULL, NULL, 0, false, true};
	assert_int_equal(run(&r3, 2, &err), KESU_ERR_USAGE);
	assert_int_equal(run(&r3, 2, &err), KESU_ERR_USAGE);
	r3.required = false;
	assert_int_equal(run(&r3, 2, &err), KESU_OK);
	assert_string_equal(out[0].asset, "");
	assert_string_equal(out[1].asset, "B");
}

static void one_asset_for_several(void **state)
{
	(void)state;
	const struct kesu_asset_arg one[] = {{NULL, "SRV-9"}};
	struct kesu_asset_req req = {one, 1, NULL, NULL, 0, true, true};
	struct kesu_err err = {0};
	assert_int_equal(run(&req, 3, &err), KESU_OK);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(out[i].asset, "SRV-9");
	/* Without --same-asset a plain number with several devices is not
	 * guessed at; with one device it is that device's. */
	req.same = false;
	expect_refusal(&req, 3, "add --same-asset");
	assert_int_equal(run(&req, 1, &err), KESU_OK);
	assert_string_equal(out[0].asset, "SRV-9");
}

static void refusals(void **state)
{
	(void)state;
	const struct kesu_asset_arg stranger[] = {{"/dev/sdz", "Z"}};
	const struct kesu_asset_req r1 = {stranger, 1, NULL, NULL, 0, false, false};
	expect_refusal(&r1, 3, "no device of this run is '/dev/sdz'");

	const struct kesu_asset_arg twice[] = {{"/dev/sda", "A"}, {"S1", "B"}};
	const struct kesu_asset_req r2 = {twice, 2, NULL, NULL, 0, false, true};
	expect_refusal(&r2, 1, "two asset numbers, A and B");

	const char *map = "S1,A\n";
	const struct kesu_asset_arg clash[] = {{"/dev/sda", "B"}};
	const struct kesu_asset_req r3 = {clash, 1, map, "m.csv", strlen(map), false, true};
	expect_refusal(&r3, 1, "fix the asset map or drop one --asset");

	const struct kesu_asset_req r4 = {NULL, 0, map, "m.csv", strlen(map), false, true};
	expect_refusal(&r4, 3, "/dev/sdb (serial S2) has no asset number");
	expect_refusal(&r4, 3, "--asset /dev/disk/by-id/x=NUMBER");

	const struct kesu_asset_arg same_mixed[] = {{"/dev/sda", "A"}};
	const struct kesu_asset_req r5 = {same_mixed, 1, NULL, NULL, 0, true, true};
	expect_refusal(&r5, 2, "--same-asset takes the one number");
	const struct kesu_asset_req r6 = {NULL, 0, map, "m.csv", strlen(map), true, true};
	expect_refusal(&r6, 1, "--same-asset takes the one number");

	const struct kesu_asset_arg mixed[] = {{NULL, "P"}, {"/dev/sda", "A"}};
	const struct kesu_asset_req r7 = {mixed, 2, NULL, NULL, 0, false, true};
	expect_refusal(&r7, 1, "write it as --asset DEVICE=P");

	const struct kesu_asset_arg bad[] = {{"/dev/sda", "A\x1b[2J"}};
	const struct kesu_asset_req r8 = {bad, 1, NULL, NULL, 0, false, true};
	expect_refusal(&r8, 1, "retype it");
}

/* Two disks reporting one serial (cheap USB bridges do): the map cannot
 * say which is which, nor can --asset SERIAL=. */
static void shared_serial(void **state)
{
	(void)state;
	static const struct kesu_asset_dev twins[] = {
		{"/dev/sda", "/dev/sda", "SAME"}, {"/dev/sdb", "/dev/sdb", "SAME"},
	};
	struct kesu_asset_row o[2];
	struct kesu_err err = {0};
	const char *map = "SAME,A\n";
	const struct kesu_asset_req r1 = {NULL, 0, map, "m.csv", strlen(map), false, true};
	assert_int_equal(kesu_assets_resolve(&r1, NULL, twins, 2, o, &err), KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "serial SAME is both /dev/sda and /dev/sdb"));
	const struct kesu_asset_arg by_serial[] = {{"SAME", "A"}};
	const struct kesu_asset_req r2 = {by_serial, 1, NULL, NULL, 0, false, true};
	assert_int_equal(kesu_assets_resolve(&r2, NULL, twins, 2, o, &err), KESU_ERR_USAGE);
	assert_non_null(strstr(err.msg, "name each device by its path"));
	const struct kesu_asset_arg by_path[] = {{"/dev/sda", "A"}, {"/dev/sdb", "B"}};
	const struct kesu_asset_req r3 = {by_path, 2, NULL, NULL, 0, false, true};
	assert_int_equal(kesu_assets_resolve(&r3, NULL, twins, 2, o, &err), KESU_OK);
	assert_string_equal(o[1].asset, "B");
}

/* A malformed map is refused even when no device's serial is on the bad
 * line. */
static void malformed_map(void **state)
{
	(void)state;
	const char *map = "S1,A\nbroken line\n";
	const struct kesu_asset_req r = {NULL, 0, map, "m.csv", strlen(map), false, false};
	struct kesu_err err = {0};
	assert_int_equal(run(&r, 3, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "m.csv:2"));
	assert_string_equal(out[0].asset, "");
}

/* Issue #12: the map's class, reason and customer go to each device; one
 * the command line gives otherwise is refused naming both, an equal one
 * is no conflict. */
static void details_from_the_map(void **state)
{
	(void)state;
	const char *map = "serial,asset,class,reason,customer\n"
			  "S1,A-1,3,disposal,総務課\nS2,B-2,,,\n";
	const struct kesu_asset_req req = {NULL, 0, map, "m.csv", strlen(map), false, true};
	struct kesu_err err = {0};
	memset(out, 'x', sizeof(out));
	assert_int_equal(kesu_assets_resolve(&req, NULL, three, 2, out, &err), KESU_OK);
	assert_string_equal(out[0].asset, "A-1");
	assert_int_equal(out[0].class_, 3);
	assert_string_equal(out[0].reason, "disposal");
	assert_string_equal(out[0].customer, "総務課");
	assert_string_equal(out[1].asset, "B-2");
	assert_int_equal(out[1].class_, 0);
	assert_string_equal(out[1].reason, "");
	assert_string_equal(out[1].customer, "");
	/* the command line's equal values, or values for the rows without */
	struct kesu_asset_row given = {"", 3, "disposal", "総務課"};
	assert_int_equal(kesu_assets_resolve(&req, &given, three, 2, out, &err), KESU_OK);
	assert_int_equal(out[1].class_, 0);
	static const struct { struct kesu_asset_row given; const char *want; } clash[] = {
		{{"", 2, "", ""}, "m.csv gives class 3, --class gives 2"},
		{{"", 0, "reuse", ""}, "m.csv gives reason disposal, --reason gives reuse"},
		{{"", 0, "", "情報政策課"}, "m.csv gives customer 総務課, --customer gives 情報政策課"},
	};
	for (size_t k = 0; k < sizeof(clash) / sizeof(clash[0]); k++) {
		memset(out, 'x', sizeof(out));
		enum kesu_rc rc = kesu_assets_resolve(&req, &clash[k].given, three, 2, out, &err);
		if (rc != KESU_ERR_USAGE || !strstr(err.msg, clash[k].want) ||
		    !strstr(err.msg, "/dev/sda"))
			fail_msg("clash %zu: rc %d '%s'", k, rc, err.msg);
		assert_string_equal(out[0].asset, "");
		assert_int_equal(out[0].class_, 0);
	}
	/* A bad class on a line no device of the run has still refuses the map. */
	const char *bad = "serial,asset,class\nS1,A-1,2\nS9,Z,5\n";
	const struct kesu_asset_req r2 = {NULL, 0, bad, "m.csv", strlen(bad), false, true};
	assert_int_equal(kesu_assets_resolve(&r2, NULL, three, 1, out, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "m.csv:3: class '5'"));
	assert_string_equal(out[0].asset, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(split_forms),
		cmocka_unit_test(per_device_from_args_and_map),
		cmocka_unit_test(one_asset_for_several),
		cmocka_unit_test(refusals),
		cmocka_unit_test(shared_serial),
		cmocka_unit_test(malformed_map),
		cmocka_unit_test(details_from_the_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
