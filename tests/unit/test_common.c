/* Shared foundations: untrusted strings, sizes, RFC 3339 times, atomic
 * files, device identity round trips. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/array.h"
#include "lib/error.h"
#include "lib/fileio.h"
#include "lib/identity.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

static void clean_trims_padding_and_nuls(void **state)
{
	(void)state;
	char out[64];
	const char raw[22] = "  WDC WD10EZEX  \0junk";
	assert_int_equal(kesu_clean(out, sizeof(out), raw, sizeof(raw)), 12);
	assert_string_equal(out, "WDC WD10EZEX");
}

static void clean_replaces_controls_and_bad_utf8(void **state)
{
	(void)state;
	char out[64];
	/* ESC sequence, an invalid byte, an overlong '/', a C1 control, a
	 * surrogate: each becomes '?', valid Japanese text survives. */
	const char raw[] = "a\x1b[31mb\xff" "c\xc0\xaf" "d\xc2\x85" "e\xed\xa0\x80" "日本";
	kesu_clean(out, sizeof(out), raw, strlen(raw));
	assert_string_equal(out, "a?[31mb?c??d?e???日本");
	assert_true(kesu_is_clean(out));
	assert_false(kesu_is_clean("x\ny"));
	/* A right-to-left override, a zero-width space and a byte-order mark
	 * from a drive's model field: each is one '?', so the model reads as
	 * its bytes do and a certificate can carry it. */
	const char bidi[] = "SSD \xe2\x80\xae" "DCBA\xe2\x80\x8b" "X\xef\xbb\xbf";
	kesu_clean(out, sizeof(out), bidi, strlen(bidi));
	assert_string_equal(out, "SSD ?DCBA?X?");
	assert_int_equal(kesu_text_hidden_char(out), 0);
}

static void clean_bounds_at_character_boundary(void **state)
{
	(void)state;
	char out[6];
	/* "日本" is 6 bytes; only one character fits in 5 + NUL. */
	assert_int_equal(kesu_clean(out, sizeof(out), "日本", 6), 3);
	assert_string_equal(out, "日");
	char big[5000];
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	json_t *j = kesu_json_str(big);
	assert_int_equal(json_string_length(j), KESU_STR_MAX);
	json_decref(j);
}

/* The one UTF-8 decoder the terminal cleaner and the PDF text share. */
static void utf8_seq_takes_only_rfc3629(void **state)
{
	(void)state;
	unsigned cp = 0;
	assert_int_equal(kesu_utf8_seq("A", 1, &cp), 1);
	assert_int_equal(cp, 'A');
	assert_int_equal(kesu_utf8_seq("\xe6\xb6\x88", 3, &cp), 3); /* 消 */
	assert_int_equal(cp, 0x6D88);
	assert_int_equal(kesu_utf8_seq("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1F600);
	/* Cut short, overlong, a surrogate, past U+10FFFF, a lone continuation. */
	assert_int_equal(kesu_utf8_seq("\xe6\xb6", 2, &cp), 0);
	assert_int_equal(kesu_utf8_seq("\xc0\xaf", 2, &cp), 0);
	assert_int_equal(kesu_utf8_seq("\xe0\x80\xaf", 3, &cp), 0);
	assert_int_equal(kesu_utf8_seq("\xed\xa0\x80", 3, &cp), 0);
	assert_int_equal(kesu_utf8_seq("\xf4\x90\x80\x80", 4, &cp), 0);
	assert_int_equal(kesu_utf8_seq("\x80", 1, &cp), 0);
	assert_int_equal(kesu_utf8_seq("\xe6" "A" "\x88", 3, &cp), 0);
}

static void hex_encode_and_digits(void **state)
{
	(void)state;
	char out[9];
	kesu_hex_encode("\x00\x9f\xa0\xff", 4, out);
	assert_string_equal(out, "009fa0ff");
	kesu_hex_encode("", 0, out);
	assert_string_equal(out, "");
	assert_int_equal(kesu_hex_digit('7'), 7);
	assert_int_equal(kesu_hex_digit('b'), 11);
	assert_int_equal(kesu_hex_digit('F'), 15);
	assert_int_equal(kesu_hex_digit('g'), -1);
	assert_int_equal(kesu_hex_digit('/'), -1);
}

static void time_round_trip(void **state)
{
	(void)state;
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	char buf[KESU_TIME_LEN];
	kesu_time_format(0, buf);
	assert_string_equal(buf, "1970-01-01T09:00:00+09:00");
	time_t t;
	assert_true(kesu_time_parse(buf, &t));
	assert_int_equal(t, 0);
	assert_true(kesu_time_parse("2026-11-22T10:00:00Z", &t));
	assert_true(kesu_time_parse("2026-11-22T19:00:00.5+09:00", &t));
	assert_int_equal(t, 1795341600);
	assert_true(kesu_time_parse("2026-11-22", &t));
	assert_false(kesu_time_parse("2026-02-31", &t));
	assert_false(kesu_time_parse("2026-11-22T10:00:00", &t));
	assert_false(kesu_time_parse("2026-11-22T10:00:00+0900", &t));
	assert_false(kesu_time_parse("yesterday", &t));
}

static void atomic_write_replaces_whole_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/kesu-unit.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/sub/dir/rec.json", dir);
	struct kesu_err err = {0};
	char sub[256];
	snprintf(sub, sizeof(sub), "%s/sub/dir", dir);
	assert_int_equal(kesu_mkdir_p(sub, 0700, &err), KESU_OK);
	assert_int_equal(kesu_write_atomic(path, "first", 5, 0600, &err), KESU_OK);
	assert_int_equal(kesu_write_atomic(path, "second", 6, 0600, &err), KESU_OK);
	char *data;
	size_t len;
	assert_int_equal(kesu_read_file(path, 100, &data, &len, &err), KESU_OK);
	assert_int_equal(len, 6);
	assert_string_equal(data, "second");
	free(data);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Bounded reads refuse a larger file instead of allocating for it. */
	assert_int_equal(kesu_read_file(path, 3, &data, &len, &err), KESU_ERR_INVALID);
	assert_null(data);
	assert_int_equal(kesu_read_file("/nonexistent/x", 3, &data, &len, &err),
			 KESU_ERR_NOENT);
	/* A directory that cannot be created is an error, not a crash. */
	char bad[300];
	snprintf(bad, sizeof(bad), "%s/x", path);
	assert_int_not_equal(kesu_write_atomic(bad, "a", 1, 0600, &err), KESU_OK);
	unlink(path);
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/sub", dir);
	rmdir(sub);
	rmdir(dir);
}

static void identity_json_round_trip_and_strictness(void **state)
{
	(void)state;
	struct kesu_identity a = {0}, b;
	strcpy(a.path, "/dev/sda");
	strcpy(a.name, "sda");
	strcpy(a.kind, "hdd");
	strcpy(a.transport, "sata");
	strcpy(a.model, "WDC WD10EZEX");
	strcpy(a.serial, "WD-123");
	a.size_bytes = 1000204886016ULL;
	a.logical_block_size = 512;
	a.physical_block_size = 4096;
	a.rotational = true;
	json_t *j = kesu_identity_to_json(&a);
	struct kesu_err err = {0};
	assert_int_equal(kesu_identity_from_json(j, &b, &err), KESU_OK);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_true(kesu_identity_same_medium(&a, &b));
	b.size_bytes--;
	assert_false(kesu_identity_same_medium(&a, &b));
	json_object_set_new(j, "size_bytes", json_string("1"));
	assert_int_equal(kesu_identity_from_json(j, &b, &err), KESU_ERR_INVALID);
	assert_non_null(strstr(err.msg, "size_bytes"));
	json_object_set_new(j, "size_bytes", json_integer(1));
	json_object_set_new(j, "serial", json_string("a\x01" "b"));
	assert_int_equal(kesu_identity_from_json(j, &b, &err), KESU_ERR_INVALID);
	json_decref(j);
}

static void exit_codes_are_stable(void **state)
{
	(void)state;
	assert_int_equal(kesu_exit_code(KESU_OK), 0);
	assert_int_equal(kesu_exit_code(KESU_ERR_FAILED), 1);
	assert_int_equal(kesu_exit_code(KESU_ERR_USAGE), 2);
	assert_int_equal(kesu_exit_code(KESU_ERR_REFUSED), 6);
	assert_int_equal(kesu_exit_code(KESU_ERR_UNSTAMPED), 11);
	struct kesu_err err;
	assert_int_equal(kesu_fail(&err, KESU_ERR_NOENT, 2, "%s: gone", "sdz"),
			 KESU_ERR_NOENT);
	kesu_err_prefix(&err, "wipe: ");
	assert_string_equal(err.msg, "wipe: sdz: gone");
}

static void human_sizes(void **state)
{
	(void)state;
	char b[16];
	kesu_size_human(512, b, sizeof(b));
	assert_string_equal(b, "512B");
	kesu_size_human(64ull << 20, b, sizeof(b));
	assert_string_equal(b, "64M");
	kesu_size_human(1953525168ull * 512, b, sizeof(b));
	assert_string_equal(b, "932G");
	kesu_size_human(3ull << 39, b, sizeof(b));
	assert_string_equal(b, "1.5T");
	kesu_size_human(UINT64_MAX, b, sizeof(b));
	assert_string_equal(b, "16E");
}

/* Appends keep every element, zero the new one, and survive removals from
 * the end (the stack walk pops its to-do list). */
static void array_appends_and_grows(void **state)
{
	(void)state;
	struct item { int a; char pad[13]; } *v = NULL;
	size_t n = 0;
	for (int i = 0; i < 100; i++) {
		struct item *e = KESU_APPEND(v, n);
		assert_non_null(e);
		assert_int_equal(e->a, 0);
		assert_ptr_equal(e, &v[n - 1]);
		e->a = i;
		if (i % 7 == 6)
			n -= 3;  /* pop three */
	}
	size_t want = 100 - 3 * (100 / 7);
	assert_int_equal(n, want);
	/* Every element still holds what was stored last at its index. */
	for (size_t i = 0; i + 1 < n; i++)
		assert_true(v[i].a < v[i + 1].a);
	free(v);
	assert_null(kesu_array_grow(NULL, 1u << 20, SIZE_MAX / 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(clean_trims_padding_and_nuls),
		cmocka_unit_test(clean_replaces_controls_and_bad_utf8),
		cmocka_unit_test(clean_bounds_at_character_boundary),
		cmocka_unit_test(utf8_seq_takes_only_rfc3629),
		cmocka_unit_test(hex_encode_and_digits),
		cmocka_unit_test(human_sizes),
		cmocka_unit_test(array_appends_and_grows),
		cmocka_unit_test(time_round_trip),
		cmocka_unit_test(atomic_write_replaces_whole_file),
		cmocka_unit_test(identity_json_round_trip_and_strictness),
		cmocka_unit_test(exit_codes_are_stable),
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
