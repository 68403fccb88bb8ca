/* The safety gate's decision from collected facts: every reason, and no
 * way around the system disk. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "wipe/device/gate.h"

static bool has(const struct kesu_gate_verdict *v, const char *code)
{
	for (size_t i = 0; i < v->n_reasons; i++)
		if (!strcmp(v->reasons[i].code, code))
			return true;
	return false;
}

static void idle_whole_disk_is_allowed(void **state)
{
	(void)state;
	struct kesu_device_facts f = {.is_block = true, .busy_checked = true};
	struct kesu_gate_verdict v;
	kesu_gate_decide(&f, "sdb", &v);
	assert_true(v.allowed);
	assert_int_equal(v.n_reasons, 0);
}

static void image_file_is_allowed(void **state)
{
	(void)state;
	struct kesu_device_facts f = {.is_file = true};
	struct kesu_gate_verdict v;
	kesu_gate_decide(&f, "disk.img", &v);
	assert_true(v.allowed);
}

static void neither_block_nor_file_is_refused(void **state)
{
	(void)state;
	struct kesu_device_facts f = {0};
	struct kesu_gate_verdict v;
	kesu_gate_decide(&f, "null", &v);
	assert_false(v.allowed);
	assert_true(has(&v, "not-block-device"));
}

static void every_reason_is_reported(void **state)
{
	(void)state;
	struct kesu_dev_sysuse su = {.what = "/", .via = "dm-0"};
	struct kesu_dev_mount m = {.device = "sda1", .mountpoint = "/mnt/x", .fstype = "ext4"};
	struct kesu_dev_swap s = {.device = "sda2", .path = "/dev/sda2"};
	struct kesu_dev_holder h = {.device = "sda3", .holder = "dm-1", .holder_name = "luks-x"};
	struct kesu_device_facts f = {
		.is_block = true, .ro = true,
		.sysuses = &su, .n_sysuses = 1, .mounts = &m, .n_mounts = 1,
		.swaps = &s, .n_swaps = 1, .holders = &h, .n_holders = 1,
		.busy = true, .busy_checked = true,
	};
	struct kesu_gate_verdict v;
	kesu_gate_decide(&f, "sda", &v);
	assert_false(v.allowed);
	assert_true(has(&v, "system-disk"));
	assert_true(has(&v, "mounted"));
	assert_true(has(&v, "swap"));
	assert_true(has(&v, "holder"));
	assert_true(has(&v, "read-only"));
	/* busy is explained by the mount, swap and holder: not repeated */
	assert_false(has(&v, "busy"));
	assert_non_null(strstr(v.reasons[0].text, "through dm-0"));
	assert_non_null(strstr(v.reasons[0].text, "never"));
	/* Each reason is its format and arguments; the English text is that
	 * format filled in, word for word what JSON and run records carry. */
	assert_string_equal(v.reasons[0].text, "sda holds / (through dm-0), part of the running "
			    "system; kesu never erases it: boot from other media to erase this disk");
	assert_string_equal(v.reasons[1].fmt, "%s is mounted on %s; unmount it first");
	assert_string_equal(v.reasons[1].args[0], "sda1");
	assert_string_equal(v.reasons[1].args[1], "/mnt/x");
	assert_string_equal(v.reasons[1].args[2], "");
	assert_string_equal(v.reasons[1].text, "sda1 is mounted on /mnt/x; unmount it first");
	assert_string_equal(v.reasons[3].text,
			    "sda3 is held by dm-1 (luks-x) (dm/md/LVM); close or stop that device first");
}

/* A mount point with a terminal escape in it is cleaned in the argument,
 * so the translated line cannot carry it either. */
static void reason_arguments_are_cleaned(void **state)
{
	(void)state;
	struct kesu_dev_mount m = {.device = "sdb1", .mountpoint = "/mnt/\x1b[2Jx", .fstype = "ext4"};
	struct kesu_device_facts f = {.is_block = true, .mounts = &m, .n_mounts = 1};
	struct kesu_gate_verdict v;
	kesu_gate_decide(&f, "sdb", &v);
	assert_int_equal(v.n_reasons, 1);
	assert_null(strchr(v.reasons[0].args[1], '\x1b'));
	assert_null(strchr(v.reasons[0].text, '\x1b'));
	char line[512];
	assert_null(strchr(kesu_gate_reason_text(&v.reasons[0], line, sizeof(line)), '\x1b'));
}

static void busy_alone_is_a_reason(void **state)
{
	(void)state;
	struct kesu_device_facts f = {.is_block = true, .busy = true, .busy_checked = true};
	struct kesu_gate_verdict v;
	kesu_gate_decide(&f, "sdc", &v);
	assert_false(v.allowed);
	assert_int_equal(v.n_reasons, 1);
	assert_string_equal(v.reasons[0].code, "busy");
}

static void partition_names_the_whole_disk(void **state)
{
	(void)state;
	struct kesu_device_facts f = {.is_block = true, .is_partition = true,
				      .parent = "sdb"};
	struct kesu_gate_verdict v;
	kesu_gate_decide(&f, "sdb1", &v);
	assert_false(v.allowed);
	assert_string_equal(v.reasons[0].code, "partition");
	assert_non_null(strstr(v.reasons[0].text, "whole"));
	assert_non_null(strstr(v.reasons[0].text, "/dev/sdb"));
}

static void hostile_mountpoint_is_cleaned(void **state)
{
	(void)state;
	struct kesu_dev_mount m = {.device = "sdb1", .mountpoint = "/mnt/\x1b[2Jx",
				   .fstype = "ext4"};
	struct kesu_device_facts f = {.is_block = true, .mounts = &m, .n_mounts = 1};
	struct kesu_gate_verdict v;
	kesu_gate_decide(&f, "sdb", &v);
	assert_true(kesu_is_clean(v.reasons[0].text));
	assert_null(strchr(v.reasons[0].text, '\x1b'));
}

static void reasons_are_bounded(void **state)
{
	(void)state;
	struct kesu_dev_mount m[40];
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 40; i++)
		strcpy(m[i].mountpoint, "/m");
	struct kesu_device_facts f = {.is_block = true, .mounts = m, .n_mounts = 40};
	struct kesu_gate_verdict v;
	kesu_gate_decide(&f, "sdb", &v);
	assert_false(v.allowed);
	assert_int_equal(v.n_reasons, KESU_GATE_MAX_REASONS);
}

static void no_medium_is_refused(void **state)
{
	(void)state;
	struct kesu_device_facts f = {.is_block = true, .no_medium = true};
	struct kesu_gate_verdict v;
	kesu_gate_decide(&f, "sr0", &v);
	assert_false(v.allowed);
	assert_string_equal(v.reasons[0].code, "no-medium");
}

static void refusal_is_one_line_for_the_engine(void **state)
{
	(void)state;
	struct kesu_err err = {0};
	struct kesu_device_facts f = {.is_block = true};
	struct kesu_gate_verdict v;
	kesu_gate_decide(&f, "sdb", &v);
	assert_int_equal(kesu_gate_refusal(&v, "/dev/sdb", &err), KESU_OK);
	f.ro = true;
	kesu_gate_decide(&f, "sdb", &v);
	assert_int_equal(kesu_gate_refusal(&v, "/dev/sdb", &err), KESU_ERR_REFUSED);
	assert_int_equal(err.rc, KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "read-only"));
	assert_null(strstr(err.msg, "more"));
	f.is_partition = true;
	kesu_strlcpy(f.parent, "sdb", sizeof(f.parent));
	kesu_gate_decide(&f, "sdb1", &v);
	assert_int_equal(kesu_gate_refusal(&v, "/dev/sdb1", &err), KESU_ERR_REFUSED);
	assert_non_null(strstr(err.msg, "partition"));
	assert_non_null(strstr(err.msg, "1 more"));
	assert_non_null(strstr(err.msg, "kesu info /dev/sdb1"));
	assert_null(strchr(err.msg, '\n'));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(idle_whole_disk_is_allowed),
		cmocka_unit_test(image_file_is_allowed),
		cmocka_unit_test(neither_block_nor_file_is_refused),
		cmocka_unit_test(every_reason_is_reported),
		cmocka_unit_test(reason_arguments_are_cleaned),
		cmocka_unit_test(busy_alone_is_a_reason),
		cmocka_unit_test(partition_names_the_whole_disk),
		cmocka_unit_test(hostile_mountpoint_is_cleaned),
		cmocka_unit_test(reasons_are_bounded),
		cmocka_unit_test(refusal_is_one_line_for_the_engine),
		cmocka_unit_test(no_medium_is_refused),
	};
	return cmocka_run_group_tests_name("gate", tests, NULL, NULL);
}
