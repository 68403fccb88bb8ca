/* Reading through a configurable root: bounded reads, numbers, links that
 * try to leave the tree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wipe/device/sysfs.h"

static char dir[64], sys[96];
static struct kesu_sysroot root;

static void put(const char *rel, const char *data)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", sys, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/kesu-sysfs.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	root = (struct kesu_sysroot){sys, dir, dir, dir};
	char p[256];
	mkdir(sys, 0755);
	snprintf(p, sizeof(p), "%s/d", sys);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/d/z", sys);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/d/a", sys);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/inside", sys);
	if (symlink("d/a", p))
		return -1;
	snprintf(p, sizeof(p), "%s/escape", sys);
	if (symlink("../..", p))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	/* Only what this test made. */
	const char *files[] = {"sys/num", "sys/bad", "sys/big", "sys/neg", "sys/inside",
			       "sys/escape", "sys/d/a", "sys/d/z", "sys/d", "sys"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char p[256];
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		if (unlink(p) != 0)
			rmdir(p);
	}
	return rmdir(dir);
}

static void numbers(void **state)
{
	(void)state;
	uint64_t v = 7;
	put("num", "1953525168\n");
	assert_int_equal(kesu_sys_read_u64(&root, "num", &v), 0);
	assert_int_equal(v, 1953525168ull);
	put("bad", "12abc\n");
	assert_int_equal(kesu_sys_read_u64(&root, "bad", &v), -EINVAL);
	put("neg", "-1\n");
	assert_int_equal(kesu_sys_read_u64(&root, "neg", &v), -EINVAL);
	put("big", "99999999999999999999999\n");
	assert_int_equal(kesu_sys_read_u64(&root, "big", &v), -EINVAL);
	assert_int_equal(kesu_sys_read_u64(&root, "missing", &v), -ENOENT);
}

static void bounded_read(void **state)
{
	(void)state;
	char buf[5];
	put("num", "1953525168\n");
	assert_int_equal(kesu_sys_read(&root, "num", buf, sizeof(buf)), 4);
	assert_string_equal(buf, "1953");
	assert_int_equal(kesu_sys_read(&root, "nope", buf, sizeof(buf)), -ENOENT);
	assert_string_equal(buf, "");
}

static void links_stay_in_the_tree(void **state)
{
	(void)state;
	char out[PATH_MAX];
	assert_int_equal(kesu_sys_resolve(&root, "inside", out, sizeof(out)), 0);
	assert_string_equal(out, "/d/a");
	assert_int_equal(kesu_sys_resolve(&root, "escape", out, sizeof(out)), -EXDEV);
	assert_int_equal(kesu_sys_resolve(&root, "nope", out, sizeof(out)), -ENOENT);
	assert_int_equal(kesu_sys_resolve(&root, "inside", out, 3), -ENAMETOOLONG);
}

static void sorted_listing(void **state)
{
	(void)state;
	struct kesu_names n;
	assert_int_equal(kesu_sys_list(&root, "d", &n), 0);
	assert_int_equal(n.n, 2);
	assert_string_equal(n.v[0], "a");
	assert_string_equal(n.v[1], "z");
	assert_true(kesu_names_has(&n, "z"));
	assert_false(kesu_names_has(&n, "y"));
	kesu_names_free(&n);
	assert_int_equal(kesu_sys_list(&root, "no-such-dir", &n), 0);
	assert_int_equal(n.n, 0);
}

static void joins(void **state)
{
	(void)state;
	char out[16];
	assert_true(kesu_path_join(out, sizeof(out), "/sys", "//block"));
	assert_string_equal(out, "/sys/block");
	assert_false(kesu_path_join(out, sizeof(out), "/sys", "class/block/sda"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(numbers),
		cmocka_unit_test(bounded_read),
		cmocka_unit_test(links_stay_in_the_tree),
		cmocka_unit_test(sorted_listing),
		cmocka_unit_test(joins),
	};
	return cmocka_run_group_tests_name("sysfs", tests, setup, teardown);
}
