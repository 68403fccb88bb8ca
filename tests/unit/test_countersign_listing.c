/* Which files are a document's countersignatures
 * (certs/document/countersign.c): the same names whether the directory is
 * listed for each document or once for many (struct kesu_cosign_listing,
 * what 'kesu cert verify' of a whole archive uses), and a listing that
 * follows the directory when it changes or another one is asked for.
 * The files here are not signatures, so each is listed with an error:
 * what is checked is which files were found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "certs/document/countersign.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64], dir2[64], dir3[64];

static void touch(const char *d, const char *name)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", d, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("not a signature", f);
	fclose(f);
}

/* The countersignature files found for d/doc, comma-separated. */
static void found(const char *d, const char *doc, struct kesu_cosign_listing *l, char *out,
		  size_t n)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", d, doc);
	struct kesu_trust t = {.ca_file = "/nonexistent/ca.pem", .listing = l};
	static struct kesu_countersigs cs;
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_countersigs_verify(p, "x", 1, &t, &cs, &err);
	out[0] = '\0';
	for (size_t i = 0; i < cs.n; i++) {
		assert_false(cs.cs[i].ok);
		snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? "," : "", cs.cs[i].file);
	}
	assert_int_equal(rc, cs.n ? KESU_ERR_CRYPTO : KESU_OK);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/kesu-cosign.XXXXXX");
	snprintf(dir2, sizeof(dir2), "/tmp/kesu-cosign2.XXXXXX");
	snprintf(dir3, sizeof(dir3), "/tmp/kesu-cosign3.XXXXXX");
	if (!mkdtemp(dir) || !mkdtemp(dir2) || !mkdtemp(dir3))
		return -1;
	static const char *const names[] = {
		"a.json", "a.json.p7s", "a.json.witness-1.p7s", "a.json.city-2.p7s",
		"a.json.witness-1.p7s.bak", "a.json.witness-x.p7s", "a.json.witness-.p7s",
		"ab.json", "ab.json.witness-1.p7s", "b.json", "b.json.receiver-1.p7s",
		"a.jsonwitness-1.p7s",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		touch(dir, names[i]);
	touch(dir2, "a.json");
	touch(dir2, "a.json.city-1.p7s");
	touch(dir3, "c.json");
	touch(dir3, "c.json.p7s");
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static int teardown(void **state)
{
	(void)state;
	/* Our own temporary directories, by the names mkdtemp made. */
	return nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS) | nftw(dir2, rm_one, 8, FTW_DEPTH | FTW_PHYS) |
	       nftw(dir3, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void listed_once_or_each_time_the_same_names(void **state)
{
	(void)state;
	struct kesu_cosign_listing *l = NULL;
	struct kesu_err err = {0};
	assert_int_equal(kesu_cosign_listing_new(&l, &err), KESU_OK);
	char each[512], once[512];
	static const char *const docs[] = {"a.json", "ab.json", "b.json", "a.jso", "c.json"};
	static const char *const want[] = {
		"a.json.city-2.p7s,a.json.witness-1.p7s", "ab.json.witness-1.p7s",
		"b.json.receiver-1.p7s", "", "",
	};
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		found(dir, docs[i], NULL, each, sizeof(each));
		found(dir, docs[i], l, once, sizeof(once));
		assert_string_equal(each, want[i]);
		assert_string_equal(once, want[i]);
	}
	/* Another directory, then back: each listed anew. */
	found(dir2, "a.json", l, once, sizeof(once));
	assert_string_equal(once, "a.json.city-1.p7s");
	found(dir, "a.json", l, once, sizeof(once));
	assert_string_equal(once, "a.json.city-2.p7s,a.json.witness-1.p7s");
	kesu_cosign_listing_free(l);
}

/* The common case, a certificate nobody has countersigned yet: a
 * directory with no countersignature in it lists none, and says so again
 * from the kept listing.  (Under make asan, UBSan caught the sort being
 * handed no array here.) */
static void a_directory_without_countersignatures(void **state)
{
	(void)state;
	struct kesu_cosign_listing *l = NULL;
	struct kesu_err err = {0};
	assert_int_equal(kesu_cosign_listing_new(&l, &err), KESU_OK);
	char once[512];
	for (int i = 0; i < 2; i++) {
		found(dir3, "c.json", l, once, sizeof(once));
		assert_string_equal(once, "");
	}
	kesu_cosign_listing_free(l);
}

/* A countersignature added while a command runs is seen by the documents
 * checked after it: the directory's mtime moved, so it is listed again. */
static void a_changed_directory_is_listed_again(void **state)
{
	(void)state;
	struct kesu_cosign_listing *l = NULL;
	struct kesu_err err = {0};
	assert_int_equal(kesu_cosign_listing_new(&l, &err), KESU_OK);
	char once[512];
	found(dir, "b.json", l, once, sizeof(once));
	assert_string_equal(once, "b.json.receiver-1.p7s");
	touch(dir, "b.json.witness-7.p7s");
	/* A later mtime than any the listing saw, even within one clock tick. */
	struct timespec ts[2] = {{0, UTIME_OMIT}, {4000000000, 0}};
	assert_int_equal(utimensat(AT_FDCWD, dir, ts, 0), 0);
	found(dir, "b.json", l, once, sizeof(once));
	assert_string_equal(once, "b.json.receiver-1.p7s,b.json.witness-7.p7s");
	/* A directory that is gone: an error, not the old listing. */
	struct kesu_trust t = {.ca_file = "/nonexistent/ca.pem", .listing = l};
	static struct kesu_countersigs cs;
	assert_int_equal(kesu_countersigs_verify("/nonexistent-kesu-dir/b.json", "x", 1, &t, &cs,
						 &err),
			 KESU_ERR_IO);
	kesu_cosign_listing_free(l);
	kesu_cosign_listing_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(listed_once_or_each_time_the_same_names),
		cmocka_unit_test(a_changed_directory_is_listed_again),
		cmocka_unit_test(a_directory_without_countersignatures),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
