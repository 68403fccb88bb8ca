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

/* ---- the verdict on text against a signed head ---- */

static struct kesu_reg_head head_at(const char *text, const size_t *st, uint64_t seq)
{
	struct kesu_reg_head h = {.state = KESU_REG_HEAD_VERIFIED, .seq = seq};
	if (seq)
		kesu_sha256_hex(text + st[seq - 1], st[seq] - st[seq - 1] - 1, h.line_sha256);
	else
		memcpy(h.line_sha256, KESU_REGISTER_GENESIS, 65);
	return h;
}

static void judge(const char *t, size_t len, const struct kesu_reg_head *h,
		  struct kesu_reg_verdict *v)
{
	struct kesu_reg_check r;
	kesu_register_check_text(t, len, h->state == KESU_REG_HEAD_VERIFIED ? h->seq : 0,
				 &r, NULL, NULL);
	kesu_register_judge(&r, len, h, v);
}

static void verdict_ok_and_new(void **state)
{
	(void)state;
	size_t len, st[NLINES + 1];
	char *t = make_register(&len, st);
	struct kesu_reg_head h = head_at(t, st, NLINES);
	struct kesu_reg_verdict v;
	judge(t, len, &h, &v);
	assert_int_equal(v.state, KESU_REG_OK);
	assert_int_equal(v.keep_bytes, len);
	assert_int_equal(v.keep_seq, NLINES);
	struct kesu_reg_head none = {.state = KESU_REG_HEAD_NONE};
	judge("", 0, &none, &v);
	assert_int_equal(v.state, KESU_REG_NEW);
	free(t);
}

/* Every way the tail can disagree with a verified head is DAMAGED, names
 * the first bad line, and says which signed entries are lost. */
static void verdict_damaged_tails(void **state)
{
	(void)state;
	size_t len, st[NLINES + 1];
	char *t = make_register(&len, st);
	struct kesu_reg_head h = head_at(t, st, NLINES);
	struct kesu_reg_verdict v;
	/* last line deleted */
	judge(t, st[NLINES - 1], &h, &v);
	assert_int_equal(v.state, KESU_REG_DAMAGED);
	assert_int_equal(v.bad_line, NLINES);
	assert_true(v.lost_known);
	assert_int_equal(v.lost_first, NLINES);
	assert_int_equal(v.lost_last, NLINES);
	assert_int_equal(v.keep_bytes, st[NLINES - 1]);
	/* two deleted */
	judge(t, st[NLINES - 2], &h, &v);
	assert_int_equal(v.bad_line, NLINES - 1);
	assert_int_equal(v.lost_first, NLINES - 1);
	/* emptied */
	judge(t, 0, &h, &v);
	assert_int_equal(v.state, KESU_REG_DAMAGED);
	assert_int_equal(v.bad_line, 1);
	assert_int_equal(v.lost_first, 1);
	assert_int_equal(v.keep_bytes, 0);
	/* bytes cut from the covered last line: not a crash's torn line */
	judge(t, len - 40, &h, &v);
	assert_int_equal(v.state, KESU_REG_DAMAGED);
	assert_int_equal(v.bad_line, NLINES);
	/* last line edited consistently (valid JSON, canonical) */
	char *u = malloc(len);
	memcpy(u, t, len);
	char *p = strstr(u + st[NLINES - 1], "\"S-1\"");
	p[3] = '7';
	judge(u, len, &h, &v);
	assert_int_equal(v.state, KESU_REG_DAMAGED);
	assert_int_equal(v.bad_line, NLINES);
	assert_non_null(strstr(v.why, "signed head"));
	assert_int_equal(v.keep_seq, NLINES - 1);
	free(u);
	/* head missing, or not verified, with lines present */
	struct kesu_reg_head none = {.state = KESU_REG_HEAD_NONE};
	judge(t, len, &none, &v);
	assert_int_equal(v.state, KESU_REG_DAMAGED);
	assert_false(v.lost_known);
	assert_int_equal(v.keep_bytes, len);
	struct kesu_reg_head bad = {.state = KESU_REG_HEAD_BAD};
	judge(t, len, &bad, &v);
	assert_int_equal(v.state, KESU_REG_DAMAGED);
	free(t);
}

/* After the signed line, anything (a torn line, whole unsigned lines,
 * garbage) is what a crash leaves: recoverable, cut at the signed line. */
static void verdict_residue(void **state)
{
	(void)state;
	size_t len, st[NLINES + 1];
	char *t = make_register(&len, st);
	struct kesu_reg_verdict v;
	struct kesu_reg_head h = head_at(t, st, NLINES - 2);
	judge(t, len, &h, &v);
	assert_int_equal(v.state, KESU_REG_RESIDUE);
	assert_int_equal(v.bad_line, NLINES - 1);
	assert_int_equal(v.keep_bytes, st[NLINES - 2]);
	assert_int_equal(v.keep_seq, NLINES - 2);
	h = head_at(t, st, NLINES - 1);
	judge(t, len - 10, &h, &v);
	assert_int_equal(v.state, KESU_REG_RESIDUE);
	assert_int_equal(v.keep_bytes, st[NLINES - 1]);
	char *u = malloc(len + 4);
	memcpy(u, t, len);
	memcpy(u + len, "\0x\n", 3);
	h = head_at(t, st, NLINES);
	judge(u, len + 3, &h, &v);
	assert_int_equal(v.state, KESU_REG_RESIDUE);
	free(u);
	free(t);
}

/* ---- run ids, certificate ids, repair lines ---- */

static char *chain(const char *const *objs, size_t n, size_t *len)
{
	char prev[65] = KESU_REGISTER_GENESIS;
	char *text = calloc(1, 16384);
	size_t pos = 0;
	for (size_t i = 0; i < n; i++) {
		json_error_t je;
		json_t *e = json_loads(objs[i], 0, &je);
		assert_non_null(e);
		json_object_set_new(e, "prev", json_string(prev));
		json_object_set_new(e, "time", json_string("2026-11-22T10:00:00+09:00"));
		char *line = kesu_register_line(e);
		json_decref(e);
		size_t l = strlen(line);
		memcpy(text + pos, line, l);
		text[pos + l] = '\n';
		kesu_sha256_hex(line, l, prev);
		pos += l + 1;
		free(line);
	}
	*len = pos;
	return text;
}

#define CERTLINE(seq, id, run) \
	"{\"seq\":" #seq ",\"kind\":\"certificate\",\"cert_id\":\"" id "\",\"run_id\":\"" run \
	"\",\"cert_file\":\"/x\",\"cert_sha256\":\"" KESU_REGISTER_GENESIS "\",\"sig_sha256\":\"" \
	KESU_REGISTER_GENESIS "\",\"serial\":null,\"model\":null,\"result\":\"erased\",\"operator\":\"o\"}"
#define ID1 "00000000-0000-4000-8000-000000000001"
#define ID2 "00000000-0000-4000-8000-000000000002"
#define RUN1 "11111111-0000-4000-8000-000000000001"
#define RUN2 "11111111-0000-4000-8000-000000000002"

static void run_certified_once(void **state)
{
	(void)state;
	const char *same_run[] = {CERTLINE(1, ID1, RUN1), CERTLINE(2, ID2, RUN1)};
	const char *same_id[] = {CERTLINE(1, ID1, RUN1), CERTLINE(2, ID1, RUN2)};
	const char *fine[] = {CERTLINE(1, ID1, RUN1), CERTLINE(2, ID2, RUN2)};
	struct kesu_reg_check r;
	size_t len;
	char *t = chain(same_run, 2, &len);
	kesu_register_check_text(t, len, 0, &r, NULL, NULL);
	assert_int_equal(r.bad_line, 2);
	assert_non_null(strstr(r.why, "certified twice"));
	free(t);
	t = chain(same_id, 2, &len);
	kesu_register_check_text(t, len, 0, &r, NULL, NULL);
	assert_int_equal(r.bad_line, 2);
	assert_non_null(strstr(r.why, "registered twice"));
	free(t);
	t = chain(fine, 2, &len);
	kesu_register_check_text(t, len, 0, &r, NULL, NULL);
	assert_int_equal(r.bad_line, 0);
	free(t);
}

#define REPAIR(seq, first, last) \
	"{\"seq\":" #seq ",\"kind\":\"repair\",\"reason\":\"r\",\"by\":\"b\",\"signer\":\"CN=s\"," \
	"\"head\":\"verified\",\"head_seq\":3,\"head_line_sha256\":\"" KESU_REGISTER_GENESIS "\"," \
	"\"lost_first_seq\":" #first ",\"lost_last_seq\":" #last ",\"cut_bytes\":0," \
	"\"cut_sha256\":\"" KESU_REGISTER_GENESIS "\"}"

/* A repair line skips exactly the sequence numbers it declares lost. */
static void repair_line_skips_lost(void **state)
{
	(void)state;
	struct kesu_reg_check r;
	size_t len;
	const char *ok[] = {CERTLINE(1, ID1, RUN1), REPAIR(4, 2, 3), CERTLINE(5, ID2, RUN2)};
	char *t = chain(ok, 3, &len);
	kesu_register_check_text(t, len, 0, &r, NULL, NULL);
	assert_int_equal(r.bad_line, 0);
	assert_int_equal(r.repairs, 1);
	assert_int_equal(r.last_seq, 5);
	free(t);
	const char *wrong_seq[] = {CERTLINE(1, ID1, RUN1), REPAIR(3, 2, 3)};
	t = chain(wrong_seq, 2, &len);
	kesu_register_check_text(t, len, 0, &r, NULL, NULL);
	assert_int_equal(r.bad_line, 2);
	free(t);
	const char *wrong_first[] = {CERTLINE(1, ID1, RUN1), REPAIR(4, 3, 3)};
	t = chain(wrong_first, 2, &len);
	kesu_register_check_text(t, len, 0, &r, NULL, NULL);
	assert_int_equal(r.bad_line, 2);
	free(t);
	/* lost numbers without a verified head are not evidence */
	const char *unverified[] = {CERTLINE(1, ID1, RUN1),
		"{\"seq\":4,\"kind\":\"repair\",\"reason\":\"r\",\"by\":\"b\",\"signer\":\"s\","
		"\"head\":\"missing\",\"head_seq\":null,\"head_line_sha256\":null,"
		"\"lost_first_seq\":2,\"lost_last_seq\":3,\"cut_bytes\":0,\"cut_sha256\":\""
		KESU_REGISTER_GENESIS "\"}"};
	t = chain(unverified, 2, &len);
	kesu_register_check_text(t, len, 0, &r, NULL, NULL);
	assert_int_equal(r.bad_line, 2);
	free(t);
}

static void line_matches_certificate(void **state)
{
	(void)state;
	json_t *cert = json_pack("{s:s s:{s:s} s:{s:s s:s} s:s s:{s:s}}", "id", ID1,
				 "run_record", "run_id", RUN1, "device", "serial", "S",
				 "model", "M", "result", "erased", "operator", "name", "山田");
	json_t *line = kesu_register_cert_fields(cert);
	struct kesu_err why = {0};
	assert_int_equal(kesu_register_line_contradicts(line, cert, &why), KESU_OK);
	const char *keys[] = {"cert_id", "run_id", "serial", "model", "result", "operator"};
	for (size_t i = 0; i < 6; i++) {
		json_t *l2 = json_deep_copy(line);
		json_object_set_new(l2, keys[i], json_string("other"));
		assert_int_equal(kesu_register_line_contradicts(l2, cert, &why), KESU_ERR_INVALID);
		assert_non_null(strstr(why.msg, keys[i]));
		assert_non_null(strstr(why.msg, "does not match the certificate it points to"));
		json_decref(l2);
	}
	/* A certificate without a field the line repeats. */
	json_object_del(cert, "result");
	assert_int_equal(kesu_register_line_contradicts(line, cert, &why), KESU_ERR_INVALID);
	assert_string_equal(why.msg, "the certificate lacks a field the line repeats");
	json_decref(line);
	json_decref(cert);
}

/* ---- exhaustive tampering (counts printed for the record) ---- */

/* Flip every bit of every byte of a register whose signed head names its
 * last line: each flip must leave the register not OK (a flip that still
 * reads as OK would be a silent edit). */
static void every_bit_flip_caught(void **state)
{
	(void)state;
	size_t len, st[NLINES + 1];
	char *t = make_register(&len, st);
	struct kesu_reg_head h = head_at(t, st, NLINES);
	struct kesu_reg_verdict v;
	size_t tried = 0, missed = 0;
	for (size_t i = 0; i < len; i++)
		for (int b = 0; b < 8; b++) {
			t[i] ^= (char)(1 << b);
			judge(t, len, &h, &v);
			tried++;
			if (v.state == KESU_REG_OK || v.state == KESU_REG_RESIDUE) {
				missed++;
				print_message("missed: byte %zu bit %d\n", i, b);
			}
			t[i] ^= (char)(1 << b);
		}
	print_message("# bit flips in the register: tried %zu, caught %zu, missed %zu\n",
		      tried, tried - missed, missed);
	assert_int_equal(missed, 0);
	free(t);
}

/* Every truncation of a register is damage an append must refuse, never a
 * crash's leftovers it may cut: the head covers every byte. */
static void every_truncation_caught(void **state)
{
	(void)state;
	size_t len, st[NLINES + 1];
	char *t = make_register(&len, st);
	struct kesu_reg_head h = head_at(t, st, NLINES);
	struct kesu_reg_verdict v;
	size_t missed = 0;
	for (size_t n = 0; n < len; n++) {
		judge(t, n, &h, &v);
		if (v.state != KESU_REG_DAMAGED) {
			missed++;
			print_message("missed: truncation to %zu\n", n);
		}
	}
	print_message("# truncations: tried %zu, caught %zu, missed %zu\n", len,
		      len - missed, missed);
	assert_int_equal(missed, 0);
	free(t);
}

/* Every proper selection and every reordering of the lines (order kept or
 * not) other than the register itself. */
static void every_deletion_and_reorder_caught(void **state)
{
	(void)state;
	size_t len, st[NLINES + 1];
	char *t = make_register(&len, st);
	struct kesu_reg_head h = head_at(t, st, NLINES);
	struct kesu_reg_verdict v;
	char *u = malloc(len);
	size_t tried = 0, missed = 0;
	/* sequences of distinct lines of length 1..NLINES, in any order */
	int idx[NLINES];
	size_t total = 1;
	for (int i = 0; i < NLINES; i++)
		total *= NLINES + 1;
	for (size_t code = 0; code < total; code++) {
		size_t c = code, k = 0;
		unsigned used = 0;
		bool ok = true, ended = false;
		for (int i = 0; i < NLINES; i++, c /= NLINES + 1) {
			int d = (int)(c % (NLINES + 1));
			if (d == 0) {
				ended = true;
				continue;
			}
			if (ended || used & (1u << (d - 1))) {
				ok = false;
				break;
			}
			used |= 1u << (d - 1);
			idx[k++] = d - 1;
		}
		if (!ok || k == 0)
			continue;
		bool identity = k == NLINES;
		for (size_t i = 0; i < k && identity; i++)
			identity = idx[i] == (int)i;
		if (identity)
			continue;
		size_t n = 0;
		for (size_t i = 0; i < k; i++) {
			size_t l = st[idx[i] + 1] - st[idx[i]];
			memcpy(u + n, t + st[idx[i]], l);
			n += l;
		}
		judge(u, n, &h, &v);
		tried++;
		if (v.state != KESU_REG_DAMAGED)
			missed++;
	}
	print_message("# line deletions and reorders: tried %zu, caught %zu, missed %zu\n",
		      tried, tried - missed, missed);
	assert_true(tried > 300);
	assert_int_equal(missed, 0);
	free(u);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(valid_chain),
		cmocka_unit_test(edit_detected),
		cmocka_unit_test(deletion_and_reorder_detected),
		cmocka_unit_test(torn_line_detected),
		cmocka_unit_test(verdict_ok_and_new),
		cmocka_unit_test(verdict_damaged_tails),
		cmocka_unit_test(verdict_residue),
		cmocka_unit_test(run_certified_once),
		cmocka_unit_test(repair_line_skips_lost),
		cmocka_unit_test(line_matches_certificate),
		cmocka_unit_test(every_bit_flip_caught),
		cmocka_unit_test(every_truncation_caught),
		cmocka_unit_test(every_deletion_and_reorder_caught),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
