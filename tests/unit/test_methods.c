/* Erasure methods as data: every built-in method's passes byte for byte,
 * the --passes parser and its errors, pattern fill aligned to the medium. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wipe/engine/method.h"

/* The expected tables, written out independently of method.c from the
 * sources cited there. */
static const struct {
	const char *name;
	const char *passes;
} expected[] = {
	{"nist-clear", "00"},
	{"nist-clear-flash", "55,aa"},
	{"zero", "00"},
	{"one", "ff"},
	{"random", "random"},
	{"dod-3", "00,ff,random"},
	{"dod-7", "00,ff,random,55,00,ff,random"},
	{"gutmann",
	 "random,random,random,random,"
	 "55,aa,924924,492492,249249,"
	 "00,11,22,33,44,55,66,77,88,99,aa,bb,cc,dd,ee,ff,"
	 "924924,492492,249249,6db6db,b6db6d,db6db6,"
	 "random,random,random,random"},
	{"hmg-is5-baseline", "00"},
	{"hmg-is5-enhanced", "00,ff,random"},
	{"rcmp-ops2", "00,ff,00,ff,00,ff,random"},
	{"vsitr", "00,ff,00,ff,00,ff,aa"},
	{"schneier", "ff,00,random,random,random,random,random"},
};

static void joined(const struct kesu_method *m, char *out, size_t outsz)
{
	out[0] = '\0';
	for (size_t i = 0; i < m->npasses; i++) {
		char d[2 * KESU_PATTERN_MAX + 1];
		kesu_pass_describe(&m->passes[i], d, sizeof(d));
		if (i)
			strncat(out, ",", outsz - strlen(out) - 1);
		strncat(out, d, outsz - strlen(out) - 1);
	}
}

static void builtin_table_matches_sources(void **state)
{
	(void)state;
	size_t n;
	const struct kesu_method *all = kesu_methods(&n);
	assert_int_equal(n, sizeof(expected) / sizeof(expected[0]));
	for (size_t i = 0; i < n; i++) {
		char got[1024];
		assert_string_equal(all[i].name, expected[i].name);
		joined(&all[i], got, sizeof(got));
		assert_string_equal(got, expected[i].passes);
		assert_int_equal(all[i].category, KESU_NIST_CLEAR);
		assert_string_equal(all[i].technique, "overwrite");
		assert_int_equal(all[i].verify, KESU_VERIFY_LAST);
		assert_non_null(all[i].description);
		assert_true(strlen(all[i].description) > 10);
		assert_ptr_equal(kesu_method_find(expected[i].name), &all[i]);
	}
	assert_null(kesu_method_find("gutman"));
	assert_null(kesu_method_find(""));
	assert_null(kesu_method_find(NULL));
}

static void gutmann_has_35_passes_and_exact_bytes(void **state)
{
	(void)state;
	const struct kesu_method *g = kesu_method_find("gutmann");
	assert_int_equal(g->npasses, 35);
	size_t nrandom = 0;
	for (size_t i = 0; i < 35; i++)
		if (g->passes[i].kind == KESU_PASS_RANDOM) {
			nrandom++;
			assert_true(i < 4 || i >= 31);
		}
	assert_int_equal(nrandom, 8);
	/* Pass 7 (index 6) is the 3-byte 0x92 0x49 0x24; pass 29 is 6D B6 DB. */
	const uint8_t p7[] = {0x92, 0x49, 0x24}, p29[] = {0x6d, 0xb6, 0xdb};
	assert_int_equal(g->passes[6].pattern_len, 3);
	assert_memory_equal(g->passes[6].pattern, p7, 3);
	assert_int_equal(g->passes[28].pattern_len, 3);
	assert_memory_equal(g->passes[28].pattern, p29, 3);
	/* Unused pattern bytes stay zero so records and comparisons are exact. */
	for (size_t i = 0; i < 35; i++)
		for (size_t b = g->passes[i].pattern_len; b < KESU_PATTERN_MAX; b++)
			assert_int_equal(g->passes[i].pattern[b], 0);
}

static void flash_method_is_pattern_then_complement(void **state)
{
	(void)state;
	const struct kesu_method *m = kesu_method_find("nist-clear-flash");
	assert_int_equal(m->npasses, 2);
	assert_int_equal(m->passes[0].pattern_len, 1);
	assert_int_equal(m->passes[1].pattern_len, 1);
	assert_int_equal(m->passes[0].pattern[0] ^ m->passes[1].pattern[0], 0xff);
}

static void custom_list_parses(void **state)
{
	(void)state;
	struct kesu_method m;
	struct kesu_err err = {0};
	assert_int_equal(kesu_method_custom("00,FF,random,924924,0123456789abcdef0123456789ABCDEF",
					    &m, &err), KESU_OK);
	assert_string_equal(m.name, "custom");
	assert_int_equal(m.npasses, 5);
	assert_int_equal(m.category, KESU_NIST_CLEAR);
	assert_int_equal(m.verify, KESU_VERIFY_LAST);
	char got[256];
	joined(&m, got, sizeof(got));
	assert_string_equal(got, "00,ff,random,924924,0123456789abcdef0123456789abcdef");
	assert_int_equal(m.passes[4].pattern_len, 16);
	assert_int_equal(kesu_method_custom("RANDOM", &m, &err), KESU_OK);
	assert_int_equal(m.passes[0].kind, KESU_PASS_RANDOM);
}

static void expect_custom_error(const char *list, const char *needle)
{
	struct kesu_method m;
	struct kesu_err err = {0};
	assert_int_equal(kesu_method_custom(list, &m, &err), KESU_ERR_USAGE);
	assert_int_equal(err.rc, KESU_ERR_USAGE);
	if (!strstr(err.msg, needle))
		fail_msg("'%s': message '%s' lacks '%s'", list ? list : "(null)", err.msg, needle);
	assert_non_null(strstr(err.msg, "; "));   /* problem; fix */
	assert_int_equal(m.npasses, 0);           /* nothing half-parsed */
}

static void custom_list_errors(void **state)
{
	(void)state;
	expect_custom_error("", "the list is empty");
	expect_custom_error(NULL, "the list is empty");
	expect_custom_error("00,,ff", "item 2 is empty");
	expect_custom_error("00,", "item 2 is empty");
	expect_custom_error(",00", "item 1 is empty");
	expect_custom_error("zz", "item 1 'zz' is neither 'random' nor hex");
	expect_custom_error("00,0x55", "item 2 '0x55' is neither");
	expect_custom_error("00, ff", "item 2");
	expect_custom_error("f", "odd number of hex digits");
	expect_custom_error("randomly", "item 1");
	expect_custom_error("0123456789abcdef0123456789abcdef00", "17-byte pattern; use at most 16");

	char many[4 * (KESU_PASSES_MAX + 1) + 1] = "";
	for (int i = 0; i < KESU_PASSES_MAX; i++)
		strcat(many, i ? ",00" : "00");
	struct kesu_method m;
	struct kesu_err err = {0};
	assert_int_equal(kesu_method_custom(many, &m, &err), KESU_OK);
	assert_int_equal(m.npasses, KESU_PASSES_MAX);
	strcat(many, ",ff");
	expect_custom_error(many, "more than 40 passes");
}

/* Reference: byte at medium offset o is pattern[o % len]. */
static void check_fill(const struct kesu_pass *p, uint64_t off, size_t len)
{
	uint8_t *buf = malloc(len + 1);
	assert_non_null(buf);
	buf[len] = 0x5a;   /* canary: nothing past len is touched */
	kesu_pass_fill_pattern(p, off, buf, len);
	for (size_t i = 0; i < len; i++)
		if (buf[i] != p->pattern[(off + i) % p->pattern_len])
			fail_msg("len %u off %llu: byte %zu is %02x", p->pattern_len,
				 (unsigned long long)off, i, buf[i]);
	assert_int_equal(buf[len], 0x5a);
	free(buf);
}

static void pattern_fill_is_aligned_to_the_medium(void **state)
{
	(void)state;
	struct kesu_pass p = {.kind = KESU_PASS_PATTERN};
	for (uint8_t plen = 1; plen <= KESU_PATTERN_MAX; plen++) {
		p.pattern_len = plen;
		for (uint8_t i = 0; i < plen; i++)
			p.pattern[i] = (uint8_t)(0x10 * i + plen);
		const uint64_t offs[] = {0, 1, 4095, 4096, 1000003, UINT64_MAX - 100000};
		const size_t lens[] = {0, 1, 2, 7, 15, 16, 17, 4096, 65536 + 13};
		for (size_t a = 0; a < sizeof(offs) / sizeof(offs[0]); a++)
			for (size_t b = 0; b < sizeof(lens) / sizeof(lens[0]); b++)
				check_fill(&p, offs[a], lens[b]);
	}
	/* Chunking independence: two halves equal the whole. */
	p.pattern_len = 3;
	memcpy(p.pattern, "\x92\x49\x24", 3);
	uint8_t whole[10000], parts[10000];
	kesu_pass_fill_pattern(&p, 12345, whole, sizeof(whole));
	kesu_pass_fill_pattern(&p, 12345, parts, 4097);
	kesu_pass_fill_pattern(&p, 12345 + 4097, parts + 4097, sizeof(parts) - 4097);
	assert_memory_equal(whole, parts, sizeof(whole));
}

static void describe_and_names(void **state)
{
	(void)state;
	struct kesu_pass p = {.kind = KESU_PASS_PATTERN, .pattern = {0xde, 0xad}, .pattern_len = 2};
	char d[33];
	kesu_pass_describe(&p, d, sizeof(d));
	assert_string_equal(d, "dead");
	char small[4];
	kesu_pass_describe(&p, small, sizeof(small));   /* truncates, stays terminated */
	assert_string_equal(small, "de");
	p.kind = KESU_PASS_RANDOM;
	kesu_pass_describe(&p, d, sizeof(d));
	assert_string_equal(d, "random");

	enum kesu_verify_mode v;
	const char *names[] = {"last", "all", "none", "sample"};
	for (size_t i = 0; i < 4; i++) {
		assert_true(kesu_verify_mode_parse(names[i], &v));
		assert_string_equal(kesu_verify_mode_name(v), names[i]);
	}
	assert_false(kesu_verify_mode_parse("LAST", &v));
	assert_false(kesu_verify_mode_parse("", &v));
	assert_false(kesu_verify_mode_parse(NULL, &v));
	assert_string_equal(kesu_nist_category_name(KESU_NIST_CLEAR), "clear");
	assert_string_equal(kesu_nist_category_name(KESU_NIST_PURGE), "purge");
}

static void method_json(void **state)
{
	(void)state;
	json_t *j = kesu_method_to_json(kesu_method_find("dod-3"));
	assert_non_null(j);
	char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(s,
		"{\"description\":\"DoD 5220.22-M (E): 0x00, its complement 0xFF, random\","
		"\"name\":\"dod-3\",\"nist_category\":\"clear\","
		"\"passes\":[\"00\",\"ff\",\"random\"],\"technique\":\"overwrite\","
		"\"verify\":\"last\"}");
	free(s);
	json_decref(j);

	struct kesu_method m;
	assert_int_equal(kesu_method_custom("924924,random", &m, NULL), KESU_OK);
	j = kesu_method_to_json(&m);
	json_t *passes = json_object_get(j, "passes");
	assert_int_equal(json_array_size(passes), 2);
	assert_string_equal(json_string_value(json_array_get(passes, 0)), "924924");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtin_table_matches_sources),
		cmocka_unit_test(gutmann_has_35_passes_and_exact_bytes),
		cmocka_unit_test(flash_method_is_pattern_then_complement),
		cmocka_unit_test(custom_list_parses),
		cmocka_unit_test(custom_list_errors),
		cmocka_unit_test(pattern_fill_is_aligned_to_the_medium),
		cmocka_unit_test(describe_and_names),
		cmocka_unit_test(method_json),
	};
	return cmocka_run_group_tests_name("methods", tests, NULL, NULL);
}
