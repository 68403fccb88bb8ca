/* The printed spot-check verification report (kesu-verification(5)),
 * 検証報告書: who read which medium and how, what the regions read held,
 * what was found and what could not be read, the verdict, and the erasure
 * certificate it checks.  A layout for cert_page.c (page_int.h). */
#include "certs/document/verification.h"
#include "certs/print/page_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Rows of findings and unreadable ranges shown before the count. */
#define MAX_ROWS 16

static const struct kesu_code V_VERDICT[] = {
	{"no-data-found", "データなし", "no data found"},
	{"data-found", "データあり", "DATA FOUND"},
	{"incomplete", "判定不能（不完全）", "incomplete"},
	{NULL, NULL, NULL},
};
static const struct kesu_code V_MODE[] = {
	{"full", "全域読取り", "every byte read"},
	{"sample", "抽出検査（NIST SP 800-88）", "sample (NIST SP 800-88)"},
	{NULL, NULL, NULL},
};
static const struct kesu_code V_REGION[] = {
	{"zero", "ゼロ", "zero"},
	{"one", "全ビット1", "all ones"},
	{"constant", "一定値", "constant"},
	{"pattern", "繰り返しパターン", "pattern"},
	{"random", "乱数様（暗号化・圧縮と区別不能）", "random-looking"},
	{"data", "データ", "data"},
	{NULL, NULL, NULL},
};

static const struct field V_REPORT[] = {
	{"報告書ID", "Report ID", "id", F_MONO, NULL, false},
	{"発行日時", "Issued at", "issued_at", F_STR, NULL, true},
	{"判定", "Verdict", "verdict", F_CODE, V_VERDICT, true},
	{"開始", "Started", "started_at", F_STR, NULL, true},
	{"終了", "Ended", "ended_at", F_STR, NULL, true},
	{NULL, NULL, NULL, 0, NULL, false},
};
static const struct field V_OPERATOR[] = {
	{"検証者", "Verified by", "operator.name", F_STR, NULL, true},
	{"役職", "Title", "operator.title", F_STR, NULL, true},
	{"所属", "Organization", "operator.organization", F_STR, NULL, true},
	{"連絡先", "Contact", "operator.contact", F_STR, NULL, true},
	{NULL, NULL, NULL, 0, NULL, false},
};
static const struct field V_METHOD[] = {
	{"方式", "Mode", "method.mode", F_CODE, V_MODE, true},
	{"乱数の種", "Seed", "method.seed", F_MONO, NULL, true},
	{"抽出箇所数", "Sample locations", "method.sample_locations", F_INT, NULL, true},
	{"読取り範囲数", "Ranges read", "method.ranges_read", F_INT, NULL, true},
	{"予定バイト数", "Bytes planned", "method.bytes_planned", F_BYTES, NULL, true},
	{"読取りバイト数", "Bytes read", "method.bytes_read", F_BYTES, NULL, true},
	{"判定単位", "Cell size", "method.cell_bytes", F_INT, NULL, true},
	{"信頼度", "Confidence", "method.confidence", F_REAL, NULL, true},
	{"検出できる割合", "Detectable fraction", "method.detectable_fraction", F_REAL, NULL,
	 true},
	{"検証後の容量", "Size after", "size_after", F_BYTES, NULL, true},
	{"検出の保証", "Statement", "method.statement", F_STR, NULL, false},
	{NULL, NULL, NULL, 0, NULL, false},
};

static void table_head(struct ctx *c, const char *const *ja, const char *const *en, size_t n)
{
	char buf[4][128];
	const char *cells[4];
	for (size_t i = 0; i < n; i++)
		cells[i] = pg_pick(c, ja[i], en[i], buf[i], sizeof(buf[i]));
	const double wide_last[4] = {2, 2, 2, 4}, even[4] = {2, 2, 2, 2};
	kesu_doc_table_head(c->d, cells, n == 4 ? wide_last : even, n);
}

static void row(struct ctx *c, const char *const *cells, size_t n)
{
	kesu_doc_table_row(c->d, cells, n);
}

static void regions(struct ctx *c)
{
	static const char *const ja[] = {"区分", "判定単位数", "バイト数"};
	static const char *const en[] = {"Kind", "Cells", "Bytes"};
	table_head(c, ja, en, 3);
	for (size_t k = 0; k < KESU_VERIF_KINDS; k++) {
		const json_t *r = json_object_get(pg_at(c->in->cert, "regions"),
						  kesu_verif_kind_names[k]);
		char kind[160], cells[32], bytes[32];
		kesu_code_text(c->lang, V_REGION, kesu_verif_kind_names[k], kind, sizeof(kind));
		pg_group_digits(json_integer_value(json_object_get(r, "cells")), cells, sizeof(cells));
		pg_group_digits(json_integer_value(json_object_get(r, "bytes")), bytes, sizeof(bytes));
		row(c, (const char *const[]){kind, cells, bytes}, 3);
	}
}

/* "n / total" when the list on the page is shorter than the count. */
static void shown(struct ctx *c, const char *ja, const char *en, size_t n, int64_t total)
{
	char buf[64], t[32];
	pg_group_digits(total, t, sizeof(t));
	snprintf(buf, sizeof(buf), "%zu / %s", n, t);
	pg_field(c, ja, en, buf, false, false);
}

static void findings(struct ctx *c)
{
	static const char *const ja[] = {"位置（バイト）", "長さ", "種類", "内容"};
	static const char *const en[] = {"Offset", "Length", "What", "Detail"};
	const json_t *f = pg_at(c->in->cert, "findings");
	char buf[64];
	if (!json_array_size(f)) {
		pg_field(c, "所見", "Findings", pg_pick(c, "なし", "none", buf, sizeof(buf)), false,
			 false);
		return;
	}
	table_head(c, ja, en, 4);
	size_t i;
	json_t *e;
	json_array_foreach(f, i, e) {
		if (i == MAX_ROWS)
			break;
		char off[32], len[32];
		pg_group_digits(json_integer_value(json_object_get(e, "offset")), off, sizeof(off));
		pg_group_digits(json_integer_value(json_object_get(e, "length")), len, sizeof(len));
		row(c, (const char *const[]){off, len, json_string_value(json_object_get(e, "what")),
					     json_string_value(json_object_get(e, "detail"))}, 4);
	}
	shown(c, "表示した所見", "Findings shown", json_array_size(f) < MAX_ROWS ?
	      json_array_size(f) : MAX_ROWS, json_integer_value(pg_at(c->in->cert, "findings_total")));
}

static void unreadable(struct ctx *c)
{
	static const char *const ja[] = {"先頭LBA", "ブロック数"};
	static const char *const en[] = {"First LBA", "Blocks"};
	const json_t *u = pg_at(c->in->cert, "unreadable");
	char buf[64], a[32], b[32];
	if (!json_array_size(u)) {
		pg_field(c, "読み取れなかった範囲", "Unreadable ranges",
			 pg_pick(c, "なし", "none", buf, sizeof(buf)), false, false);
		return;
	}
	table_head(c, ja, en, 2);
	size_t i;
	json_t *e;
	json_array_foreach(u, i, e) {
		if (i == MAX_ROWS)
			break;
		pg_group_digits(json_integer_value(json_object_get(e, "first_lba")), a, sizeof(a));
		pg_group_digits(json_integer_value(json_object_get(e, "count")), b, sizeof(b));
		row(c, (const char *const[]){a, b}, 2);
	}
	shown(c, "表示した範囲", "Ranges shown", json_array_size(u) < MAX_ROWS ?
	      json_array_size(u) : MAX_ROWS,
	      json_integer_value(pg_at(c->in->cert, "unreadable_ranges_total")));
	pg_group_digits(json_integer_value(pg_at(c->in->cert, "unreadable_bytes")), a, sizeof(a));
	pg_field(c, "読み取れなかったバイト数", "Unreadable bytes", a, false, false);
}

static void checks(struct ctx *c)
{
	const json_t *k = pg_at(c->in->cert, "checks");
	char buf[64], yn[2][32];
	if (!json_is_object(k)) {
		pg_field(c, "照合した証明書", "Certificate checked",
			 pg_pick(c, "なし", "none", buf, sizeof(buf)), false, false);
		return;
	}
	pg_field(c, "証明書ID", "Certificate ID",
		 json_string_value(json_object_get(k, "certificate_id")), false, true);
	pg_field(c, "証明書ファイル", "Certificate file",
		 json_string_value(json_object_get(k, "certificate_file")), false, true);
	pg_field(c, "証明書のSHA-256", "Certificate SHA-256",
		 json_string_value(json_object_get(k, "certificate_sha256")), false, true);
	/* pg_pick writes its buffer only on a two-language page. */
	const char *word[2] = {pg_pick(c, "いいえ", "no", yn[0], sizeof(yn[0])),
			       pg_pick(c, "はい", "yes", yn[1], sizeof(yn[1]))};
	pg_field(c, "同じ媒体", "Same medium",
		 word[json_is_true(json_object_get(k, "same_medium"))], true, false);
	pg_field(c, "消去を確認", "Erasure confirmed",
		 word[json_is_true(json_object_get(k, "confirmed"))], true, false);
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(k, "mismatches"), i, m) {
		char ja[32], en[32], v[800];
		snprintf(ja, sizeof(ja), "相違 %zu", i + 1);
		snprintf(en, sizeof(en), "Mismatch %zu", i + 1);
		snprintf(v, sizeof(v), "%s: %s '%s' / %s '%s'",
			 json_string_value(json_object_get(m, "field")),
			 pg_pick(c, "証明書", "certificate", buf, sizeof(buf)),
			 json_string_value(json_object_get(m, "certificate")),
			 c->lang == KESU_LANG_EN ? "medium" : c->lang == KESU_LANG_JA ? "媒体"
										: "媒体 / medium",
			 json_string_value(json_object_get(m, "medium")));
		pg_field(c, ja, en, v, false, false);
	}
}

const struct section PG_VERIFICATION[] = {
	{"報告書", "Report", V_REPORT, NULL},
	{"検証者", "Verified by", V_OPERATOR, NULL},
	{"媒体", "Medium", PG_DEVICE, NULL},
	{"検証方法", "Method", V_METHOD, NULL},
	{"読み取った領域の内訳", "What the regions read held", NULL, regions},
	{"所見（見つかったデータ）", "Findings (data found)", NULL, findings},
	{"読み取れなかった範囲", "Unreadable ranges", NULL, unreadable},
	{"照合した消去証明書", "Erasure certificate checked", NULL, checks},
	{"注記", "Notes", NULL, pg_notes},
	{"電子署名", "Electronic signature", NULL, pg_signers},
	{"副署（立会者・市）", "Countersignatures (witness, city)", NULL, pg_cosigners},
	{"確認方法", "How to check", NULL, pg_check_box},
	{NULL, NULL, NULL, NULL},
};

void pg_verif_judge(const json_t *doc, struct kesu_cert_verdict *v)
{
	struct kesu_err err = {0};
	memset(v, 0, sizeof(*v));
	if (kesu_verif_check(doc, &err)) {
		v->n_errors = 1;
		snprintf(v->errors[0], sizeof(v->errors[0]), "%.200s", err.msg);
	}
}

void pg_verif_banners(struct ctx *c)
{
	const char *verdict = json_string_value(pg_at(c->in->cert, "verdict"));
	const json_t *same = pg_at(c->in->cert, "checks.same_medium");
	char buf[800];
	if (verdict && !strcmp(verdict, "data-found"))
		pg_banner(c, 2, pg_pick(c, "データあり：この媒体には読み取れるデータが残っています",
					"DATA FOUND: readable data remains on this medium", buf,
					sizeof(buf)), NULL);
	else if (verdict && !strcmp(verdict, "incomplete"))
		pg_banner(c, 1, pg_pick(c, "判定不能：読み取れない範囲があるか容量が変わったため、"
					"データがないとは言えません",
					"INCOMPLETE: ranges could not be read or the size changed, "
					"so it cannot be said that no data remains", buf, sizeof(buf)),
			  NULL);
	if (json_is_false(same))
		pg_banner(c, 2, pg_pick(c, "照合した消去証明書とは別の媒体です（相違は下記）",
					"NOT THE SAME MEDIUM as the erasure certificate checked "
					"(the differences are below)", buf, sizeof(buf)), NULL);
}
