/* The register's hash chain, checked as pure text: any edit, deletion,
 * reordering or truncation is reported with the first bad line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/digest.h"
#include "certs/register/register.h"

#define NLINES 5

/* A valid register of NLINES lines; lines[i] points at each line's start. */
static char *make_register(size_t *len, size_t starts[NLINES + 1])
{
	char *text = calloc(1, 8192);
	char prev[65] = KESU_REGISTER_GENESIS;
	size_t n = 0;
	for (int i = 0; i < NLINES; i++) {
		char id[37], run[37];
		snprintf(id, sizeof(id), "00000000-0000-4000-8000-%012d", i + 1);
		snprintf(run, sizeof(run), "11111111-0000-4000-8000-%012d", i + 1);
		json_t *e = json_pack("{s:s s:s s:s s:s s:s s:s s:s s:s s:s s:s s:I s:s s:s}",
			"kind", "certificate", "cert_id", id, "run_id", run,
			"cert_file", "/nonexistent/c.json",
			"cert_sha256", KESU_REGISTER_GENESIS, "sig_sha256", KESU_REGISTER_GENESIS,
			"serial", "S-1", "model", "M", "result", "erased", "operator", "山田",
			"seq", (json_int_t)(i + 1), "time", "2026-11-22T10:00:00+09:00",
			"prev", prev);
		char *line = kesu_register_line(e);
		json_decref(e);
		starts[i] = n;
		size_t l = strlen(line);
		memcpy(text + n, line, l);
		kesu_sha256_hex(line, l, prev);
		text[n + l] = '\n';
		n += l + 1;
		free(line);
	}
	starts[NLINES] = n;
	*len = n;
	return text;
}

static void valid_chain(void **state)
{
	(void)state;
	size_t len, st[NLINES + 1];
	char *t = make_register(&len, st);
	struct kesu_reg_check r;
	kesu_register_check_text(t, len, 0, &r, NULL, NULL);
	assert_int_equal(r.bad_line, 0);
	assert_int_equal(r.lines, NLINES);
	assert_int_equal(r.last_seq, NLINES);
	assert_int_equal(r.good_bytes, len);
	char h[65];
	kesu_sha256_hex(t + st[NLINES - 1], st[NLINES] - st[NLINES - 1] - 1, h);
	assert_string_equal(r.last_hash, h);
	free(t);
}

static void edit_detected(void **state)
{
	(void)state;
	size_t len, st[NLINES + 1];
	char *t = make_register(&len, st);
	/* Change the serial in line 3 consistently (valid JSON, canonical): the
	 * link in line 4 breaks and line 3 is named. */
	char *p = strstr(t + st[2], "\"S-1\"");
	p[3] = '9';
	struct kesu_reg_check r;
	kesu_register_check_text(t, len, 0, &r, NULL, NULL);
	assert_int_equal(r.bad_line, 3);
	assert_non_null(strstr(r.why, "hash link"));
	/* Whitespace added to line 2: not canonical, reported on line 2. */
	free(t);
	t = make_register(&len, st);
	char *u = malloc(len + 2);
	memcpy(u, t, st[1] + 1);
	u[st[1] + 1] = ' ';
	memcpy(u + st[1] + 2, t + st[1] + 1, len - st[1] - 1);
	kesu_register_check_text(u, len + 1, 0, &r, NULL, NULL);
	assert_int_equal(r.bad_line, 2);
	free(u);
	free(t);
}

static void deletion_and_reorder_detected(void **state)
{
	(void)state;
	size_t len, st[NLINES + 1];
	char *t = make_register(&len, st);
	char *u = malloc(len);
	/* Delete line 2. */
	memcpy(u, t, st[1]);
	memcpy(u + st[1], t + st[2], len - st[2]);
	struct kesu_reg_check r;
	kesu_register_check_text(u, len - (st[2] - st[1]), 0, &r, NULL, NULL);
	assert_int_equal(r.bad_line, 2);
	assert_non_null(strstr(r.why, "sequence"));
	/* Swap lines 3 and 4. */
	size_t l3 = st[3] - st[2], l4 = st[4] - st[3];
	memcpy(u, t, len);
	memcpy(u + st[2], t + st[3], l4);
	memcpy(u + st[2] + l4, t + st[2], l3);
	kesu_register_check_text(u, len, 0, &r, NULL, NULL);
	assert_int_equal(r.bad_line, 3);
	/* Deleting the last line leaves a valid prefix: only the signed head
	 * catches that (tested in tests/integration/register.sh). */
	kesu_register_check_text(t, st[NLINES - 1], 0, &r, NULL, NULL);
	assert_int_equal(r.bad_line, 0);
	assert_int_equal(r.lines, NLINES - 1);
	free(u);
	free(t);
}

static void torn_line_detected(void **state)
{
	(void)state;
	size_t len, st[NLINES + 1];
	char *t = make_register(&len, st);
	struct kesu_reg_check r;
	kesu_register_check_text(t, len - 10, 0, &r, NULL, NULL);
	assert_true(r.torn);
	assert_int_equal(r.bad_line, NLINES);
	assert_int_equal(r.good_bytes, st[NLINES - 1]);
	assert_int_equal(r.lines, NLINES - 1);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_chain),
		cmocka_unit_test(edit_detected),
		cmocka_unit_test(deletion_and_reorder_detected),
		cmocka_unit_test(torn_line_detected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
