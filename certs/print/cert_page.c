#include "certs/print/cert_page.h"
#include "certs/print/codes.h"
#include "certs/print/cosign_page.h"
#include "certs/print/page_int.h"
#include "certs/print/text.h"
#include "certs/document/cert_health.h"
#include "certs/document/certificate.h"
#include "certs/document/destruction.h"
#include "certs/document/run_speed.h"

#include "lib/jcheck.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows of a long list shown before the rest is summarised: a certificate
 * may list 100,000 bad ranges, the page keeps room for the signature. */
#define MAX_BAD_ROWS 16
#define MAX_LIST_ROWS 16
#define MEMBER_CHARS 64

const json_t *pg_at(const json_t *o, const char *path)
{
	return kj_at(o, path);
}

const char *pg_pick(const struct ctx *c, const char *ja, const char *en,
			char *buf, size_t n)
{
	return kesu_lang_pick(c->lang, ja, en, buf, n);
}

void pg_group_digits(int64_t v, char *out, size_t n)
{
	char raw[32], g[48];
	snprintf(raw, sizeof(raw), "%" PRId64, v);
	size_t len = strlen(raw), o = 0;
	for (size_t i = 0; i < len && o + 2 < sizeof(g); i++) {
		if (i && raw[i - 1] != '-' && (len - i) % 3 == 0)
			g[o++] = ',';
		g[o++] = raw[i];
	}
	g[o] = '\0';
	snprintf(out, n, "%s", g);
}

static void bytes_text(const struct ctx *c, int64_t v, char *out, size_t n)
{
	static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
	char g[48], u[24] = "";
	pg_group_digits(v, g, sizeof(g));
	double x = (double)v;
	size_t k = 0;
	while (x >= 1024 && k + 1 < sizeof(unit) / sizeof(unit[0])) {
		x /= 1024;
		k++;
	}
	if (k)
		snprintf(u, sizeof(u), " (%.1f %s)", x, unit[k]);
	char w[32];
	snprintf(out, n, "%s %s%s", g, pg_pick(c, "バイト", "bytes", w, sizeof(w)), u);
}

static const char *yes_no(const struct ctx *c, bool b)
{
	static const char *const t[2][4] = {
		{"", "いいえ", "no", "いいえ / no"},
		{"", "はい", "yes", "はい / yes"},
	};
	return t[b][c->lang];
}

static void value_text(const struct ctx *c, const struct field *f, const json_t *v,
		       char *out, size_t n)
{
	if (!v || json_is_null(v)) {
		snprintf(out, n, "-");
		return;
	}
	switch (f->fmt) {
	case F_STR:
	case F_MONO:
	case F_LATER:
		snprintf(out, n, "%s", json_is_string(v) ? json_string_value(v) : "?");
		return;
	case F_INT:
		pg_group_digits(json_integer_value(v), out, n);
		return;
	case F_BYTES:
		bytes_text(c, json_integer_value(v), out, n);
		return;
	case F_REAL:
		snprintf(out, n, "%g", json_number_value(v));
		return;
	case F_BOOL:
		snprintf(out, n, "%s", yes_no(c, json_is_true(v)));
		return;
	case F_CODE:
		kesu_code_text(c->lang, f->codes, json_string_value(v), out, n);
		return;
	case F_CLASS: {
		char k[8];
		snprintf(k, sizeof(k), "%" PRId64, (int64_t)json_integer_value(v));
		kesu_code_text(c->lang, KESU_CODES_CLASS, k, out, n);
		return;
	}
	case F_LIST: {
		size_t i, o = 0;
		json_t *e;
		out[0] = '\0';
		json_array_foreach(v, i, e)
			if (o < n)
				o += (size_t)snprintf(out + o, n - o, "%s%s", i ? ", " : "",
						      json_is_string(e) ? json_string_value(e) : "?");
		if (!i)
			snprintf(out, n, "-");
		return;
	}
	}
}

void pg_field(struct ctx *c, const char *ja, const char *en,
		      const char *value, bool half, bool mono)
{
	struct kesu_blk *b = kesu_doc_field(c->d, c->lang, ja, en, value);
	if (b) {
		b->half = half;
		b->mono = mono;
	}
}

/* An object the certificate carries as the run record gave it ("before",
 * "firmware"): every member shown as key and value, nested values as
 * compact JSON, so nothing is left off and nothing is invented. */
static void object_rows(struct ctx *c, const json_t *o, const char *prefix)
{
	const char *k;
	json_t *v;
	char label[96], buf[1024];
	json_object_foreach((json_t *)o, k, v) {
		snprintf(label, sizeof(label), "%s%s", prefix, k);
		if (json_is_array(v) && json_array_size(v) && json_is_object(json_array_get(v, 0))) {
			size_t i;
			json_t *e;
			json_array_foreach(v, i, e) {
				if (i == MAX_LIST_ROWS) {
					snprintf(buf, sizeof(buf), "… %zu / %zu", json_array_size(v) - i,
						 json_array_size(v));
					pg_field(c, label, label, buf, false, false);
					break;
				}
				char l2[112];
				snprintf(l2, sizeof(l2), "%s[%zu]", label, i + 1);
				size_t o2 = 0;
				const char *k2;
				json_t *v2;
				buf[0] = '\0';
				json_object_foreach(e, k2, v2) {
					/* Each member bounded on its own, so one long
					 * label does not push the others off the row. */
					char *raw = json_is_string(v2) ? strdup(json_string_value(v2))
						    : json_dumps(v2, JSON_COMPACT | JSON_ENCODE_ANY);
					bool rep;
					char *s = kesu_print_text(raw, MEMBER_CHARS, &rep);
					c->d->replaced |= rep;
					if (o2 < sizeof(buf))
						o2 += (size_t)snprintf(buf + o2, sizeof(buf) - o2, "%s%s=%s",
								       o2 ? ", " : "", k2, s ? s : "?");
					free(s);
					free(raw);
				}
				pg_field(c, l2, l2, buf, false, false);
			}
			continue;
		}
		char *s = json_is_string(v) ? strdup(json_string_value(v))
			  : json_is_null(v) ? strdup("-")
			  : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
		pg_field(c, label, label, s ? s : "?", false, false);
		free(s);
	}
}

static void witnesses(struct ctx *c)
{
	const json_t *w = pg_at(c->in->cert, "witnesses");
	size_t i;
	json_t *e;
	char ja[32], en[32], buf[600];
	json_array_foreach(w, i, e) {
		const char *org = json_string_value(json_object_get(e, "organization"));
		snprintf(buf, sizeof(buf), "%s%s%s%s",
			 json_string_value(json_object_get(e, "name")), org ? "（" : "",
			 org ? org : "", org ? "）" : "");
		snprintf(ja, sizeof(ja), "立会者 %zu", i + 1);
		snprintf(en, sizeof(en), "Witness %zu", i + 1);
		pg_field(c, ja, en, buf, true, false);
	}
	if (!json_array_size(w))
		pg_field(c, "立会者", "Witnesses", pg_pick(c, "なし", "none", buf, sizeof(buf)),
			  false, false);
}

static void before(struct ctx *c)
{
	const json_t *b = pg_at(c->in->cert, "before");
	char buf[64];
	if (!json_is_object(b) || !json_object_size(b))
		pg_field(c, "消去前の内容", "Contents before",
			  pg_pick(c, "記録なし（読み取られていません）", "not recorded (not read)",
			       buf, sizeof(buf)), false, false);
	else
		object_rows(c, b, "");
}

static void firmware(struct ctx *c)
{
	const json_t *f = pg_at(c->in->cert, "method.firmware");
	if (json_is_object(f))
		object_rows(c, f, "firmware.");
}

/* The drive's health log before and after (cert_health.h), one line each,
 * under the medium; certificates from before health readings have none. */
static void health(struct ctx *c)
{
	const json_t *h = pg_at(c->in->cert, "health");
	char buf[700];
	if (!h)
		return;
	kesu_cert_health_summary(json_object_get(h, "before"), buf, sizeof(buf));
	pg_field(c, "消去前のドライブ状態", "Drive health before", buf, false, false);
	kesu_cert_health_summary(json_object_get(h, "after"), buf, sizeof(buf));
	pg_field(c, "消去後のドライブ状態", "Drive health after", buf, false, false);
}

static void bad_ranges(struct ctx *c)
{
	const json_t *br = pg_at(c->in->cert, "execution.bad_ranges");
	char buf[160], h1[64], h2[64], h3[64];
	if (!json_array_size(br)) {
		pg_field(c, "不良範囲", "Bad ranges", pg_pick(c, "なし", "none", buf, sizeof(buf)),
			  false, false);
		return;
	}
	const char *head[3] = {
		pg_pick(c, "先頭LBA", "First LBA", h1, sizeof(h1)),
		pg_pick(c, "ブロック数", "Blocks", h2, sizeof(h2)),
		pg_pick(c, "操作", "Operation", h3, sizeof(h3)),
	};
	kesu_doc_table_head(c->d, head, (const double[]){2, 2, 2}, 3);
	size_t i;
	json_t *e;
	int64_t blocks = 0;
	json_array_foreach(br, i, e) {
		blocks += json_integer_value(json_object_get(e, "count"));
		if (i >= MAX_BAD_ROWS)
			continue;
		char lba[32], cnt[32], op[96];
		pg_group_digits(json_integer_value(json_object_get(e, "first_lba")), lba, sizeof(lba));
		pg_group_digits(json_integer_value(json_object_get(e, "count")), cnt, sizeof(cnt));
		kesu_code_text(c->lang, KESU_CODES_BAD_OP,
			       json_string_value(json_object_get(e, "operation")), op, sizeof(op));
		const char *row[3] = {lba, cnt, op};
		kesu_doc_table_row(c->d, row, 3);
	}
	char total[32];
	pg_group_digits(blocks, total, sizeof(total));
	if (json_array_size(br) > MAX_BAD_ROWS)
		snprintf(buf, sizeof(buf), "%zu / %zu; %s: %s", (size_t)MAX_BAD_ROWS,
			 json_array_size(br), c->lang == KESU_LANG_EN ? "blocks" : "ブロック計", total);
	else
		snprintf(buf, sizeof(buf), "%zu; %s: %s", json_array_size(br),
			 c->lang == KESU_LANG_EN ? "blocks" : "ブロック計", total);
	pg_field(c, "不良範囲の数", "Bad ranges shown", buf, false, false);
}

/* The computer the disk was in, as its firmware names it: rows only when
 * the certificate has a "host" (kesu-certificate(5)). */
static void host_rows(struct ctx *c)
{
	static const struct field rows[] = {
		{"本体の製造者", "Host computer vendor", "host.vendor", F_STR, NULL, true},
		{"本体の型番", "Host computer product", "host.product", F_STR, NULL, true},
		{"本体のシリアル番号", "Host computer serial", "host.serial", F_MONO, NULL, true},
		{"本体の資産タグ", "Host computer asset tag", "host.asset_tag", F_MONO, NULL, true},
	};
	if (!pg_at(c->in->cert, "host"))
		return;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const json_t *v = pg_at(c->in->cert, rows[i].path);
		pg_field(c, rows[i].ja, rows[i].en, json_is_string(v) ? json_string_value(v) : "-",
			  rows[i].half, rows[i].fmt == F_MONO);
	}
}

/* Under the medium: the computer it was in, then the drive's health. */
static void medium_rows(struct ctx *c)
{
	host_rows(c);
	health(c);
}

void pg_notes(struct ctx *c)
{
	const json_t *n = pg_at(c->in->cert, "notes");
	size_t i;
	json_t *e;
	char buf[64];
	json_array_foreach(n, i, e)
		pg_field(c, "注記", "Note", json_string_value(e), false, false);
	if (!json_array_size(n))
		pg_field(c, "注記", "Notes", pg_pick(c, "なし", "none", buf, sizeof(buf)), false, false);
}

void pg_signers(struct ctx *c)
{
	const struct kesu_print_sig *s = c->in->sig;
	char buf[1300], ja[32], en[32];
	for (size_t i = 0; i < s->n; i++) {
		const struct kesu_print_signer *g = &s->s[i];
		snprintf(ja, sizeof(ja), "署名者 %zu", i + 1);
		snprintf(en, sizeof(en), "Signer %zu", i + 1);
		pg_field(c, ja, en, g->subject, false, false);
		pg_field(c, "発行者", "Issuer", g->issuer[0] ? g->issuer : "-", false, false);
		pg_field(c, "証明書シリアル", "Certificate serial", g->serial[0] ? g->serial : "-",
			  true, true);
		pg_field(c, "署名日時", "Signing time",
			  g->signing_time[0] ? g->signing_time : "-", true, false);
		snprintf(buf, sizeof(buf), "%s – %s", g->not_before[0] ? g->not_before : "?",
			 g->not_after[0] ? g->not_after : "?");
		pg_field(c, "証明書の有効期間", "Certificate validity", buf, false, false);
	}
	if (s->total > s->n) {
		snprintf(buf, sizeof(buf), "%zu / %zu", s->n, s->total);
		pg_field(c, "表示した署名者", "Signers shown", buf, false, false);
	}
	char w1[600], w2[600];
	if (s->status == KESU_SIG_CA_VERIFIED) {
		snprintf(w1, sizeof(w1), "印刷時にCA証明書 %s で検証済み（署名時点の証明書チェーン）", s->ca);
		snprintf(w2, sizeof(w2), "verified when printed against the CA certificate %s "
			 "(chain at signing time)", s->ca);
	} else {
		snprintf(w1, sizeof(w1), "署名はこのファイルのバイト列に対するもの。CA証明書による"
			 "検証は印刷時に行っていません（下記のコマンドで確認してください）");
		snprintf(w2, sizeof(w2), "the signature is over this file's bytes; it was NOT "
			 "checked against a CA when printed (check it with the command below)");
	}
	pg_field(c, "署名の確認", "Signature check", pg_pick(c, w1, w2, buf, sizeof(buf)),
		  false, false);
}

void pg_cosigners(struct ctx *c)
{
	static const struct kesu_print_cosigners none;
	kesu_page_cosigners(c->d, c->lang, c->in->cosigners ? c->in->cosigners : &none);
}

static void approval(struct ctx *c)
{
	if (c->in->approval)
		kesu_page_approval(c->d, c->lang, c->in->approval);
}

void pg_check_box(struct ctx *c)
{
	const char *id = json_string_value(pg_at(c->in->cert, "id"));
	char payload[200], l[4][600], t[600];
	snprintf(payload, sizeof(payload), KESU_QR_PREFIX " id=%s sha256=%s", id, c->in->sha256);
	snprintf(l[0], sizeof(l[0]), "%s: %s",
		 pg_pick(c, "証明書ID", "Certificate ID", t, sizeof(t)), id);
	snprintf(l[1], sizeof(l[1]), "SHA-256 (%s):", c->in->file_name);
	snprintf(l[2], sizeof(l[2]), "%s", c->in->sha256);
	snprintf(l[3], sizeof(l[3]), "%s",
		 pg_pick(c, "署名付きファイルの確認（CA証明書 ca.pem を用いて）:",
		      "To check the signed file (with the CA certificate ca.pem):", t, sizeof(t)));
	const char *cells[4] = {l[0], l[1], l[2], l[3]};
	struct kesu_blk *b = kesu_doc_add(c->d, KESU_BLK_QR, NULL, NULL, payload);
	kesu_doc_cells(c->d, b, cells, 4);
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "openssl cms -verify -binary -inform DER -in %s.p7s "
		 "-content %s -CAfile ca.pem -purpose any", c->in->file_name, c->in->file_name);
	struct kesu_blk *n = kesu_doc_add(c->d, KESU_BLK_NOTE, NULL, NULL, cmd);
	if (n)
		n->mono = true;
}

static void seals(struct ctx *c)
{
	char a[64], b[64], d[64];
	const char *cells[3] = {
		pg_pick(c, "担当者印", "Person in charge", a, sizeof(a)),
		pg_pick(c, "立会者印", "Witness", b, sizeof(b)),
		pg_pick(c, "承認者印", "Approver", d, sizeof(d)),
	};
	kesu_doc_cells(c->d, kesu_doc_add(c->d, KESU_BLK_SEALS, NULL, NULL, ""), cells, 3);
}

/* ---- the erasure certificate (kesu-certificate(5)) ---- */

static const struct field ERASURE_CERT[] = {
	{"証明書ID", "Certificate ID", "id", F_MONO, NULL, false},
	{"発行日時", "Issued at", "issued_at", F_STR, NULL, true},
	{"結果", "Result", "result", F_CODE, KESU_CODES_RESULT, true},
	{NULL, NULL, NULL, 0, NULL, false},
};
static const struct field ERASURE_OPERATOR[] = {
	{"担当者", "Person in charge", "operator.name", F_STR, NULL, true},
	{"役職", "Title", "operator.title", F_STR, NULL, true},
	{"所属", "Organization", "operator.organization", F_STR, NULL, true},
	{"連絡先", "Contact", "operator.contact", F_STR, NULL, true},
	{"作業場所", "Work location", "operator.location", F_LATER, NULL, false},
	{NULL, NULL, NULL, 0, NULL, false},
};
static const struct field ERASURE_ASSET[] = {
	{"所管部署", "Owning department", "customer", F_STR, NULL, true},
	{"資産番号", "Property number", "asset.property_number", F_STR, NULL, true},
	{"機密性分類", "Confidentiality class", "asset.confidentiality_class", F_CLASS, NULL, true},
	{"理由", "Reason", "asset.reason", F_CODE, KESU_CODES_REASON, true},
	{"マイナンバー", "My Number data", "asset.my_number", F_BOOL, NULL, true},
	{"物理破壊の要否", "Physical destruction required", "physical_destruction_required",
	 F_BOOL, NULL, true},
	{"引渡先", "Destination", "asset.destination", F_STR, NULL, false},
	{NULL, NULL, NULL, 0, NULL, false},
};
static const struct field ERASURE_APPROVAL[] = {
	{"承認者（情報セキュリティ管理者）", "Approver (information security manager)",
	 "approval.approver", F_STR, NULL, false},
	{"承認番号", "Approval reference", "approval.reference", F_STR, NULL, true},
	{"承認日", "Approval date", "approval.date", F_STR, NULL, true},
	{NULL, NULL, NULL, 0, NULL, false},
};
const struct field PG_DEVICE[] = {
	{"型番", "Model", "device.model", F_STR, NULL, true},
	{"製造者", "Vendor", "device.vendor", F_STR, NULL, true},
	{"シリアル番号", "Serial number", "device.serial", F_MONO, NULL, true},
	{"WWN", "WWN", "device.wwn", F_MONO, NULL, true},
	{"種類", "Kind", "device.kind", F_CODE, KESU_CODES_DEVICE_KIND, true},
	{"接続", "Transport", "device.transport", F_STR, NULL, true},
	{"容量", "Size", "device.size_bytes", F_BYTES, NULL, true},
	{"ファームウェア", "Firmware", "device.firmware", F_STR, NULL, true},
	{"論理ブロック長", "Logical block size", "device.logical_block_size", F_INT, NULL, true},
	{"物理ブロック長", "Physical block size", "device.physical_block_size", F_INT, NULL, true},
	{"デバイス", "Device path", "device.path", F_STR, NULL, true},
	{"名前", "Name", "device.name", F_STR, NULL, true},
	{"回転型", "Rotational", "device.rotational", F_BOOL, NULL, true},
	{"イメージファイル", "Image file", "device.is_file", F_BOOL, NULL, true},
	{NULL, NULL, NULL, 0, NULL, false},
};
static const struct field ERASURE_METHOD[] = {
	{"消去方式", "Method", "method.name", F_STR, NULL, true},
	{"NIST区分", "NIST category", "method.nist_category", F_CODE, KESU_CODES_NIST, true},
	{"消去技術", "Technique", "method.technique", F_CODE, KESU_CODES_TECHNIQUE, true},
	{"パス", "Passes", "method.passes", F_LIST, NULL, true},
	{"検証方式", "Verification", "method.verification.mode", F_CODE, KESU_CODES_VERIFY_MODE, true},
	{"検証結果", "Verification outcome", "method.verification.outcome", F_CODE,
	 KESU_CODES_OUTCOME, true},
	{"不一致ブロック", "Mismatched blocks", "method.verification.mismatched_blocks", F_INT,
	 NULL, true},
	{NULL, NULL, NULL, 0, NULL, false},
};
static const struct field ERASURE_EXECUTION[] = {
	{"開始", "Started", "execution.started_at", F_STR, NULL, true},
	{"終了", "Ended", "execution.ended_at", F_STR, NULL, true},
	{"書込みバイト数", "Bytes written", "execution.bytes_written", F_BYTES, NULL, true},
	{"検証バイト数", "Bytes verified", "execution.bytes_verified", F_BYTES, NULL, true},
	{"作業結果", "Run result", "execution.run_result", F_CODE, KESU_CODES_RUN_RESULT, true},
	{"作業端末", "Host", "execution.host", F_STR, NULL, true},
	{"再開", "Resumed", "execution.resumed", F_BOOL, NULL, true},
	{"時刻同期", "Clock synchronised", "execution.clock_synchronized", F_BOOL, NULL, true},
	{"理由", "Reason", "execution.reason", F_STR, NULL, false},
	{NULL, NULL, NULL, 0, NULL, false},
};
static const struct field ERASURE_TOOL[] = {
	{"ソフトウェア", "Software", "tool.name", F_STR, NULL, true},
	{"バージョン", "Version", "tool.version", F_STR, NULL, true},
	{"作業記録", "Run record", "run_record.file", F_STR, NULL, false},
	{"作業記録のSHA-256", "Run record SHA-256", "run_record.sha256", F_MONO, NULL, false},
	{"作業ID", "Run ID", "run_record.run_id", F_MONO, NULL, false},
	{NULL, NULL, NULL, 0, NULL, false},
};

static const char *rate_cell(const struct ctx *c, const json_t *t, char *buf, size_t n)
{
	double r;
	switch (kesu_run_phase_rate(t, &r)) {
	case KESU_TIMING_NONE:
		return pg_pick(c, "計測なし", "not timed", buf, n);
	case KESU_TIMING_BAD:
		return pg_pick(c, "記録が不正", "not recorded", buf, n);
	case KESU_TIMING_OK:
		break;
	}
	snprintf(buf, n, "%.1f MB/s", r);
	return buf;
}

/* Each pass's write and verify speed from the run record beside the
 * certificate, as nwipe users read its speed graph.  Not signed: the run
 * record is matched by the SHA-256 the certificate gives, and without
 * that match nothing is shown. */
static void speeds(struct ctx *c)
{
	char buf[200], h[4][48];
	if (c->in->run_mismatch || (!c->in->run && pg_at(c->in->cert, "run_record.file"))) {
		pg_field(c, "速度", "Speeds",
			 c->in->run_mismatch
				 ? pg_pick(c, "表示しません: 横の作業記録が証明書と一致しません",
					   "not shown: the run record beside it does not match "
					   "the certificate", buf, sizeof(buf))
				 : pg_pick(c, "表示しません: 作業記録が証明書の横にありません",
					   "not shown: the run record is not beside the certificate",
					   buf, sizeof(buf)),
			 false, false);
		return;
	}
	const json_t *passes = json_object_get(c->in->run, "passes");
	if (!json_array_size(passes)) {
		pg_field(c, "速度", "Speeds",
			 pg_pick(c, "記録なし", "none recorded", buf, sizeof(buf)), false, false);
		return;
	}
	const char *head[4] = {
		pg_pick(c, "パス", "Pass", h[0], sizeof(h[0])),
		pg_pick(c, "パターン", "Pattern", h[1], sizeof(h[1])),
		pg_pick(c, "書込み", "Write", h[2], sizeof(h[2])),
		pg_pick(c, "検証", "Verify", h[3], sizeof(h[3])),
	};
	kesu_doc_table_head(c->d, head, (const double[]){1, 2, 2, 2}, 4);
	size_t i;
	json_t *p;
	json_array_foreach(passes, i, p) {
		if (i >= MAX_LIST_ROWS)
			break;
		char no[24], w[96], v[96];
		snprintf(no, sizeof(no), "%zu", i + 1);
		const json_t *t = json_object_get(p, "timing");
		const char *row[4] = {
			no, kesu_run_pass_pattern(p),
			rate_cell(c, json_object_get(t, "write"), w, sizeof(w)),
			rate_cell(c, json_object_get(t, "verify"), v, sizeof(v)),
		};
		kesu_doc_table_row(c->d, row, 4);
	}
	if (json_array_size(passes) > MAX_LIST_ROWS) {
		snprintf(buf, sizeof(buf), "%zu / %zu", (size_t)MAX_LIST_ROWS, json_array_size(passes));
		pg_field(c, "表示したパス", "Passes shown", buf, false, false);
	}
}

static const struct section ERASURE[] = {
	{"証明書", "Certificate", ERASURE_CERT, NULL},
	{"担当者", "Person in charge", ERASURE_OPERATOR, NULL},
	{"資産", "Asset", ERASURE_ASSET, NULL},
	{"承認", "Approval", ERASURE_APPROVAL, approval},
	{"立会者", "Witnesses", NULL, witnesses},
	{"媒体", "Medium", PG_DEVICE, medium_rows},
	{"消去前の内容", "Contents before erasure", NULL, before},
	{"消去方式と検証", "Method and verification", ERASURE_METHOD, firmware},
	{"実施記録", "Execution", ERASURE_EXECUTION, NULL},
	{"不良範囲（消去できなかった範囲）", "Bad ranges (not erased)", NULL, bad_ranges},
	{"注記", "Notes", NULL, pg_notes},
	{"ソフトウェアと作業記録", "Software and run record", ERASURE_TOOL, NULL},
	{"作業記録の速度（署名の対象外）", "Speeds from the run record (not signed)", NULL, speeds},
	{"電子署名", "Electronic signature", NULL, pg_signers},
	{"副署（立会者・市）", "Countersignatures (witness, city)", NULL, pg_cosigners},
	{"確認方法", "How to check", NULL, pg_check_box},
	{NULL, NULL, NULL, NULL},
};

/* ---- the destruction document (kesu-destruction(5)) ---- */

static const struct field DESTR_CERT[] = {
	{"証明書ID", "Certificate ID", "id", F_MONO, NULL, false},
	{"発行日時", "Issued at", "issued_at", F_STR, NULL, true},
	{"記録者", "Recorded by", "operator.name", F_STR, NULL, true},
	{"記録者の所属", "Organization", "operator.organization", F_STR, NULL, false},
	{"完了させる消去証明書", "Erasure certificate closed", "closes", F_MONO, NULL, false},
	{"消去記録がない理由", "Why there is no erasure record", "no_erasure_record", F_STR,
	 NULL, false},
	{NULL, NULL, NULL, 0, NULL, false},
};
static const struct field DESTR_MEDIUM[] = {
	{"シリアル番号", "Serial number", "medium.serial", F_MONO, NULL, true},
	{"型番", "Model", "medium.model", F_STR, NULL, true},
	{"識別の根拠", "Identified from", "medium.identity_source", F_STR, NULL, true},
	{"資産番号", "Property number", "asset.property_number", F_STR, NULL, true},
	{"所管部署", "Owning department", "asset.department", F_STR, NULL, true},
	{"マイナンバー", "My Number data", "asset.my_number", F_BOOL, NULL, true},
	{NULL, NULL, NULL, 0, NULL, false},
};
static const struct field DESTR_WORK[] = {
	{"破壊方法", "Technique", "technique.name", F_STR, NULL, true},
	{"方法（和名）", "Technique (Japanese)", "technique.term_ja", F_STR, NULL, true},
	{"NIST SP 800-88 Destroy", "NIST SP 800-88 Destroy", "technique.nist_destroy", F_BOOL,
	 NULL, true},
	{"破壊日時", "Destroyed at", "destroyed_at", F_STR, NULL, true},
	{"場所", "Location", "location", F_STR, NULL, false},
	{"破壊業者", "Company", "destroyed_by.company", F_STR, NULL, true},
	{"作業者", "Person", "destroyed_by.person", F_STR, NULL, true},
	{NULL, NULL, NULL, 0, NULL, false},
};

static void particle_size(struct ctx *c)
{
	const json_t *p = pg_at(c->in->cert, "technique.particle_size_mm");
	char buf[64];
	const char *v = buf;
	/* pg_pick fills buf only for a two-language page: its result is
	 * the text (a Japanese page printed stack garbage here). */
	if (json_is_number(p))
		snprintf(buf, sizeof(buf), "%g mm", json_number_value(p));
	else
		v = pg_pick(c, "記録なし", "not recorded", buf, sizeof(buf));
	pg_field(c, "破片の最大寸法", "Largest particle", v, true, false);
}

enum kesu_photo_cause kesu_photo_cause_of(const struct kesu_err *e)
{
	switch (e->rc) {
	case KESU_ERR_REFUSED:
		return KESU_PHOTO_CAUSE_TOO_LARGE;
	case KESU_ERR_INVALID:
		/* kesu_read_file's size limit; the rest is the decoder's. */
		return e->sys_errno == EFBIG ? KESU_PHOTO_CAUSE_TOO_LARGE
					     : KESU_PHOTO_CAUSE_DAMAGED;
	case KESU_ERR_NOTSUP:
		return KESU_PHOTO_CAUSE_FORMAT;
	case KESU_ERR_INTERNAL:
		return KESU_PHOTO_CAUSE_MEMORY;
	default:
		return KESU_PHOTO_CAUSE_UNREADABLE;
	}
}

/* "file (why)" in the page's language; the decoder's or reader's own
 * English words only where the page has English. */
static void photo_cause(const struct ctx *c, const char *file,
			const struct kesu_print_photo *ph, char *out, size_t size)
{
	static const char *const why[][2] = {
		[KESU_PHOTO_CAUSE_UNREADABLE] = {"ファイルを読み取れません", "the file cannot be read"},
		[KESU_PHOTO_CAUSE_TOO_LARGE] = {"画像が大きすぎます（kesu が描画する上限を超えています）",
						"the image is larger than kesu draws"},
		[KESU_PHOTO_CAUSE_DAMAGED] = {"画像データが壊れています", "the image data is damaged"},
		[KESU_PHOTO_CAUSE_FORMAT] = {"JPEG でも PNG でもありません", "not a JPEG or PNG image"},
		[KESU_PHOTO_CAUSE_MEMORY] = {"メモリ不足です", "out of memory"},
	};
	unsigned k = (unsigned)ph->cause < sizeof(why) / sizeof(why[0]) ? (unsigned)ph->cause : 0;
	if (c->lang == KESU_LANG_JA)
		snprintf(out, size, "%s（%s）", file, why[k][0]);
	else if (c->lang == KESU_LANG_EN)
		snprintf(out, size, "%s (%s: %s)", file, why[k][1], ph->why);
	else
		snprintf(out, size, "%s（%s / %s: %s）", file, why[k][0], why[k][1], ph->why);
}

/* A photo's thumbnail, or the box saying why it is not drawn: one whose
 * hash is not the document's is never shown as if it were the evidence. */
static void photo(struct ctx *c, const json_t *e, const struct kesu_print_photo *ph)
{
	const char *file = json_string_value(json_object_get(e, "file"));
	const char *sha = json_string_value(json_object_get(e, "sha256"));
	char ja[800], en[400], buf[800], l1[300];
	switch (ph->state) {
	case KESU_PHOTO_NOT_IMAGE:
		return;
	case KESU_PHOTO_SHOWN:
		snprintf(l1, sizeof(l1), "%s (%s)", file,
			 json_string_value(json_object_get(e, "role")));
		snprintf(ja, sizeof(ja), "SHA-256 %s（文書と一致）", sha);
		snprintf(en, sizeof(en), "SHA-256 %s (matches the document)", sha);
		kesu_doc_image(c->d, &ph->img,
			       (const char *const[]){l1, c->lang == KESU_LANG_EN ? en : ja}, 2);
		return;
	case KESU_PHOTO_MISMATCH:
		/* The name goes under the words, so a long one never pushes
		 * the warning itself off the box. */
		pg_banner(c, 2, pg_pick(c, "証拠ファイルのSHA-256が文書の記載と一致しません（変更された"
				  "ファイルです）。表示しません",
				  "An evidence file's SHA-256 does not match the document (the "
				  "file was changed); it is not shown", buf, sizeof(buf)), file);
		return;
	case KESU_PHOTO_MISSING:
		pg_banner(c, 1, pg_pick(c, "証拠ファイルが文書の横にありません",
				  "An evidence file is not beside the document", buf, sizeof(buf)),
		       file);
		return;
	case KESU_PHOTO_UNUSABLE:
		photo_cause(c, file, ph, buf, sizeof(buf));
		pg_banner(c, 1, pg_pick(c, "証拠写真を表示できません", "An evidence photo cannot be shown",
				  ja, sizeof(ja)), buf);
		return;
	}
}

/* Each evidence file by name, role, size and hash (the copies beside the
 * document are what kesu cert verify re-hashes), and each photo's
 * thumbnail under it. */
static void evidence(struct ctx *c)
{
	const json_t *ev = pg_at(c->in->cert, "evidence");
	size_t i;
	json_t *e;
	char ja[48], en[48], buf[600];
	json_array_foreach(ev, i, e) {
		snprintf(ja, sizeof(ja), "証拠 %zu", i + 1);
		snprintf(en, sizeof(en), "Evidence %zu", i + 1);
		snprintf(buf, sizeof(buf), "%s (%s, %" JSON_INTEGER_FORMAT " bytes) SHA-256 %s",
			 json_string_value(json_object_get(e, "file")),
			 json_string_value(json_object_get(e, "role")),
			 json_integer_value(json_object_get(e, "size")),
			 json_string_value(json_object_get(e, "sha256")));
		pg_field(c, ja, en, buf, false, true);
		if (i < c->in->n_photos)
			photo(c, e, &c->in->photos[i]);
	}
	if (!json_array_size(ev))
		pg_field(c, "証拠ファイル", "Evidence files", pg_pick(c, "なし", "none", buf,
								    sizeof(buf)), false, false);
}

static const struct section DESTRUCTION[] = {
	{"証明書", "Certificate", DESTR_CERT, NULL},
	{"媒体", "Medium", DESTR_MEDIUM, NULL},
	{"承認", "Approval", ERASURE_APPROVAL, approval},
	{"物理破壊", "Physical destruction", DESTR_WORK, particle_size},
	{"立会者", "Witnesses", NULL, witnesses},
	{"証拠ファイル", "Evidence", NULL, evidence},
	{"電子署名", "Electronic signature", NULL, pg_signers},
	{"副署（立会者・市）", "Countersignatures (witness, city)", NULL, pg_cosigners},
	{"確認方法", "How to check", NULL, pg_check_box},
	{NULL, NULL, NULL, NULL},
};

/* Kinds with a printed layout: their sections, their consistency verdict,
 * and where the medium's serial is. */
/* The destruction verdict assumes a document its reader accepted: one
 * that is not (another kind's fields under this kind) is an error, not a
 * crash. */
static void not_this_kind(const struct kesu_err *err, struct kesu_cert_verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->n_errors = 1;
	snprintf(v->errors[0], sizeof(v->errors[0]), "%.200s", err->msg);
}

static void judge_erasure(const json_t *d, struct kesu_cert_verdict *v)
{
	/* Robust to what it is given: hostile text is printed, visibly. */
	kesu_cert_judge(d, v);
}

static void judge_destruction(const json_t *d, struct kesu_cert_verdict *v)
{
	struct kesu_err err = {0};
	if (kesu_destruction_check(d, &err))
		not_this_kind(&err, v);
	else
		kesu_destruction_judge(d, NULL, v);
}

static const struct layout {
	const char *kind;
	const struct section *sections;
	void (*judge)(const json_t *doc, struct kesu_cert_verdict *v);
	const char *serial, *path;
} LAYOUTS[] = {
	{"erasure", ERASURE, judge_erasure, "device.serial", "device.path"},
	{"destruction", DESTRUCTION, judge_destruction, "medium.serial", "medium.serial"},
	{"verification", PG_VERIFICATION, pg_verif_judge, "device.serial", "device.path"},
	{NULL, NULL, NULL, NULL, NULL},
};

void pg_banner(struct ctx *c, int level, const char *text, const char *detail)
{
	struct kesu_blk *b = kesu_doc_add(c->d, KESU_BLK_BANNER, NULL, detail, text);
	if (b)
		b->level = level;
}

static void destruction_banners(struct ctx *c)
{
	char buf[800];
	if (json_is_string(pg_at(c->in->cert, "no_erasure_record")))
		pg_banner(c, 1, pg_pick(c, "注意：この媒体の消去証明書は台帳にありません（理由は下記）",
				  "CAUTION: the register holds no erasure certificate for this "
				  "medium (the reason is below)", buf, sizeof(buf)), NULL);
}

static void banners(struct ctx *c)
{
	const json_t *cert = c->in->cert;
	if (!strcmp(json_string_value(json_object_get(cert, "kind")), "destruction")) {
		destruction_banners(c);
		return;
	}
	if (!strcmp(json_string_value(json_object_get(cert, "kind")), "verification")) {
		pg_verif_banners(c);
		return;
	}
	const char *result = json_string_value(pg_at(cert, "result"));
	size_t nbad = json_array_size(pg_at(cert, "execution.bad_ranges"));
	char ja[400], en[400], buf[800];
	if (!strcmp(result, "not-erased")) {
		const char *reason = json_string_value(pg_at(cert, "execution.reason"));
		const char *rr = json_string_value(pg_at(cert, "execution.run_result"));
		const struct kesu_code *rrc = kesu_code_find(KESU_CODES_RUN_RESULT, rr);
		/* The run result in words, as the field below gives it. */
		snprintf(ja, sizeof(ja), "未消去：この媒体は消去されていません（作業結果 %s）",
			 rrc ? rrc->ja : rr);
		snprintf(en, sizeof(en), "NOT ERASED: this medium was not erased (run result %s)",
			 rr);
		pg_banner(c, 2, pg_pick(c, ja, en, buf, sizeof(buf)), reason);
	} else if (!strcmp(result, "erased-with-exceptions")) {
		snprintf(ja, sizeof(ja), "一部消去不能：%zu か所の不良範囲は消去できていません", nbad);
		snprintf(en, sizeof(en), "ERASED WITH EXCEPTIONS: %zu bad range(s) could not be erased",
			 nbad);
		pg_banner(c, 2, pg_pick(c, ja, en, buf, sizeof(buf)), NULL);
	}
	if (json_is_true(pg_at(cert, "physical_destruction_required")))
		pg_banner(c, 2, pg_pick(c, "物理破壊が必要（マイナンバー利用事務系）：破壊待ち。"
				  "ソフトウェア消去だけでは廃棄は完了しません",
				  "PHYSICAL DESTRUCTION REQUIRED (My Number): awaiting "
				  "destruction; software erasure alone is not a complete disposal",
				  buf, sizeof(buf)), NULL);
	if (!strcmp(json_string_value(pg_at(cert, "method.verification.mode")), "none"))
		pg_banner(c, 1, pg_pick(c, "注意：消去は検証されていません（検証なし）",
				  "CAUTION: the erasure was not verified (verification none)",
				  buf, sizeof(buf)), NULL);
	if (!json_is_true(pg_at(cert, "execution.clock_synchronized")))
		pg_banner(c, 1, pg_pick(c, "注意：作業中、時刻は同期されていませんでした（NTP）",
				  "CAUTION: the clock was not synchronised (NTP) during the run",
				  buf, sizeof(buf)), NULL);
}

enum kesu_rc kesu_cert_page_build(const struct kesu_cert_page_in *in,
				  struct kesu_doc **out, struct kesu_err *err)
{
	*out = NULL;
	const char *kind = json_string_value(json_object_get(in->cert, "kind"));
	const struct layout *lay = LAYOUTS;
	while (lay->kind && (!kind || strcmp(lay->kind, kind)))
		lay++;
	if (!lay->kind)
		return kesu_fail(err, KESU_ERR_NOTSUP, 0,
				 "certificate kind '%s' has no printed layout in this kesu",
				 kind ? kind : "?");
	struct kesu_cert_verdict v;
	lay->judge(in->cert, &v);
	if (v.n_errors)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "the certificate contradicts itself (%s); it is not printed",
				 v.errors[0]);
	struct kesu_doc *d = kesu_doc_new();
	if (!d)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	struct ctx c = {in, d, in->lang};
	const struct kesu_code *k = kesu_code_find(KESU_CODES_KIND, kind);
	char buf[600];
	kesu_doc_add(d, KESU_BLK_TITLE, NULL, in->lang == KESU_LANG_JA_EN ? k->en : NULL,
		     in->lang == KESU_LANG_EN ? k->en : k->ja);
	snprintf(buf, sizeof(buf), "%s %s", k->ja, json_string_value(json_object_get(in->cert, "id")));
	d->title = strdup(in->lang == KESU_LANG_EN ? k->en : buf);
	const char *serial = json_string_value(pg_at(in->cert, lay->serial));
	snprintf(buf, sizeof(buf), "%s / %s: %s", k->en, serial ? "serial" : "device",
		 serial ? serial : json_string_value(pg_at(in->cert, lay->path)));
	d->subject = strdup(buf);
	snprintf(buf, sizeof(buf), "%s  %s  %s %s", in->file_name, in->sha256,
		 in->lang == KESU_LANG_EN ? "printed" : "印刷", in->printed_at);
	d->footer = strdup(buf);
	banners(&c);
	for (const struct section *s = lay->sections; s->ja; s++) {
		kesu_doc_section(d, in->lang, s->ja, s->en);
		for (const struct field *f = s->fields; f && f->ja; f++) {
			const json_t *v = pg_at(in->cert, f->path);
			if (f->fmt == F_LATER && !v)
				continue;
			/* Text goes to the page whole, so the cut and its note
			 * of the full length are the page's, not a buffer's. */
			if ((f->fmt == F_STR || f->fmt == F_MONO || f->fmt == F_LATER) &&
			    json_is_string(v)) {
				pg_field(&c, f->ja, f->en, json_string_value(v), f->half,
					  f->fmt == F_MONO);
				continue;
			}
			value_text(&c, f, v, buf, sizeof(buf));
			pg_field(&c, f->ja, f->en, buf, f->half, f->fmt == F_MONO);
		}
		if (s->extra)
			s->extra(&c);
	}
	seals(&c);
	if (d->replaced)
		kesu_doc_add(d, KESU_BLK_NOTE, NULL, NULL,
			     pg_pick(&c, "<U+XXXX> は表示できない文字（制御文字など）をその符号で示したものです。",
				  "<U+XXXX> shows a character that cannot be shown (a control "
				  "character or similar) by its code point.", buf, sizeof(buf)));
	if (d->oom || !d->title || !d->subject || !d->footer) {
		kesu_doc_free(d);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	*out = d;
	return KESU_OK;
}
