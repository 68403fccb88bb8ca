/* lib/plugin: which shared objects kesu (root) agrees to load, from where,
 * and what a missing or refused plugin reports. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/plugin.h"

static struct stat st_of(mode_t type, mode_t perm, uid_t uid)
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	st.st_mode = type | perm;
	st.st_uid = uid;
	return st;
}

static void judge_owner_and_mode(void **state)
{
	(void)state;
	struct stat f = st_of(S_IFREG, 0644, 0), d = st_of(S_IFDIR, 0755, 0);
	assert_null(kesu_plugin_judge(&f, false, 0));
	assert_null(kesu_plugin_judge(&d, true, 0));
	/* kesu's own user (a build tree run as that user) is trusted too. */
	f = st_of(S_IFREG, 0755, 1000);
	assert_null(kesu_plugin_judge(&f, false, 1000));
	assert_string_equal(kesu_plugin_judge(&f, false, 0), "owned by another user");
	f = st_of(S_IFREG, 0664, 0);
	assert_string_equal(kesu_plugin_judge(&f, false, 0), "writable by group or others");
	f = st_of(S_IFREG, 0646, 0);
	assert_string_equal(kesu_plugin_judge(&f, false, 0), "writable by group or others");
	d = st_of(S_IFDIR, 01777, 0);
	assert_string_equal(kesu_plugin_judge(&d, true, 0), "writable by group or others");
	assert_string_equal(kesu_plugin_judge(&d, false, 0), "not a regular file");
	f = st_of(S_IFREG, 0644, 0);
	assert_string_equal(kesu_plugin_judge(&f, true, 0), "not a directory");
}

static void path_beside_or_installed(void **state)
{
	(void)state;
	char out[64];
	struct kesu_err e;
	assert_int_equal(kesu_plugin_path("/b/build", true, "/usr/lib/kesu", "pg", out,
					  sizeof(out), &e), KESU_OK);
	assert_string_equal(out, "/b/build/plugins/kesu-pg.so");
	assert_int_equal(kesu_plugin_path("/b/build", false, "/usr/lib/kesu", "pg", out,
					  sizeof(out), &e), KESU_OK);
	assert_string_equal(out, "/usr/lib/kesu/kesu-pg.so");
	assert_int_equal(kesu_plugin_path("/b/build", false, "/usr/lib/kesu", "pg", out, 16,
					  &e), KESU_ERR_INTERNAL);
}

static char dir[] = "/tmp/kesu-plugin-test.XXXXXX";

static void put(const char *name, const char *text, mode_t mode, char *path)
{
	snprintf(path, PATH_MAX, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void missing_refused_and_broken_fail(void **state)
{
	(void)state;
	char path[PATH_MAX];
	void *fn = &fn;
	struct kesu_err e;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kesu-none.so", dir);
	assert_int_equal(kesu_plugin_file_sym(path, "x", &fn, &e), KESU_ERR_NOENT);
	assert_null(fn);
	assert_non_null(strstr(e.msg, path));
	/* A file anyone may write: refused before it is opened. */
	put("kesu-open.so", "not ELF", 0666, path);
	assert_int_equal(kesu_plugin_file_sym(path, "x", &fn, &e), KESU_ERR_PERM);
	assert_non_null(strstr(e.msg, "writable by group or others"));
	/* Its directory writable by others: refused too. */
	put("kesu-junk.so", "not ELF", 0644, path);
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(kesu_plugin_file_sym(path, "x", &fn, &e), KESU_ERR_PERM);
	assert_int_equal(chmod(dir, 0700), 0);
	/* Trusted but not a shared object: dlopen's reason. */
	assert_int_equal(kesu_plugin_file_sym(path, "x", &fn, &e), KESU_ERR_INTERNAL);
	assert_null(fn);
	assert_non_null(strstr(e.msg, path));
	assert_int_equal(kesu_plugin_file_sym("kesu-rel.so", "x", &fn, &e), KESU_ERR_INTERNAL);
	snprintf(path, sizeof(path), "%s/kesu-open.so", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/kesu-junk.so", dir);
	unlink(path);
	rmdir(dir);
}

/* A real shared object in a root-owned directory: libm, which this test
 * links, found where the loader found it. */
static void loads_a_symbol_or_names_the_missing_one(void **state)
{
	(void)state;
	Dl_info info;
	double (*cosine)(double) = cos;
	assert_int_not_equal(dladdr(*(void **)&cosine, &info), 0);
	char real[PATH_MAX];
	assert_non_null(realpath(info.dli_fname, real));
	void *fn = NULL;
	struct kesu_err e;
	assert_int_equal(kesu_plugin_file_sym(real, "cos", &fn, &e), KESU_OK);
	assert_ptr_equal(fn, *(void **)&cosine);
	assert_int_equal(kesu_plugin_file_sym(real, "kesu_no_such", &fn, &e),
			 KESU_ERR_INTERNAL);
	assert_null(fn);
	assert_non_null(strstr(e.msg, "kesu_no_such"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(judge_owner_and_mode),
		cmocka_unit_test(path_beside_or_installed),
		cmocka_unit_test(missing_refused_and_broken_fail),
		cmocka_unit_test(loads_a_symbol_or_names_the_missing_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
