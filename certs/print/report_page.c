#include "certs/print/report_page.h"
#include "certs/print/codes.h"
#include "lib/timefmt.h"

#include "lib/jcheck.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TALLY 64

static const char *sget(const json_t *o, const char *path)
{
	return json_string_value(kj_at(o, path));
}

bool kesu_report_selects(const struct kesu_report_in *in,
			 const struct kesu_report_entry *e)
{
	time_t t = 0;
	if (!kesu_time_parse(sget(e->line, "time") ? sget(e->line, "time") : "", &t))
		return false;
	if ((in->since && t < in->since) || (in->until && t > in->until))
		return false;
	if (in->department) {
		const char *dep = e->cert ? sget(e->cert, "customer") : NULL;
		return dep && !strcmp(dep, in->department);
	}
	return true;
}

struct tally {
	const char *key[MAX_TALLY];
	size_t count[MAX_TALLY], n, other;
};

static void count(struct tally *t, const char *key)
{
	key = key ? key : "-";
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->key[i], key)) {
			t->count[i]++;
			return;
		}
	if (t->n < MAX_TALLY) {
		t->key[t->n] = key;
		t->count[t->n++] = 1;
	} else {
		t->other++;
	}
}

static const char *L(const struct kesu_report_in *in, const char *ja, const char *en,
		     char *buf, size_t n)
{
	return kesu_lang_pick(in->lang, ja, en, buf, n);
}

/* The date part of an RFC 3339 time as written (the local date of the
 * machine that wrote it). */
static void date_of(const char *t, char out[16])
{
	snprintf(out, 16, "%.10s", t ? t : "-");
}

static void period_text(const struct kesu_report_in *in, char *out, size_t n)
{
	char a[KESU_TIME_LEN] = "", b[KESU_TIME_LEN] = "", x[64], y[64];
	if (in->since)
		kesu_time_format(in->since, a);
	if (in->until)
		kesu_time_format(in->until, b);
	snprintf(out, n, "%s – %s", in->since ? a : L(in, "最初から", "from the start", x, sizeof(x)),
		 in->until ? b : L(in, "最後まで", "to the end", y, sizeof(y)));
}

static void field(struct kesu_doc *d, const struct kesu_report_in *in, const char *ja,
		  const char *en, const char *v, bool half, bool mono)
{
	struct kesu_blk *b = kesu_doc_field(d, in->lang, ja, en, v);
	if (b) {
		b->half = half;
		b->mono = mono;
	}
}


static void tally_table(const struct kesu_report_in *in, struct kesu_doc *d,
			const struct tally *t, const struct kesu_code *codes,
			const char *ja, const char *en)
{
	char h1[96], h2[64], v[300], c[32];
	const char *head[2] = {L(in, ja, en, h1, sizeof(h1)), L(in, "件数", "Media", h2, sizeof(h2))};
	static const double w[2] = {4, 1};
	kesu_doc_table_head(d, head, w, 2);
	for (size_t i = 0; i < t->n; i++) {
		if (codes)
			kesu_code_text(in->lang, codes, t->key[i], v, sizeof(v));
		else
			snprintf(v, sizeof(v), "%s", t->key[i]);
		snprintf(c, sizeof(c), "%zu", t->count[i]);
		const char *r[2] = {v, c};
		kesu_doc_table_row(d, r, 2);
	}
	if (t->other) {
		snprintf(c, sizeof(c), "%zu", t->other);
		const char *r[2] = {"…", c};
		kesu_doc_table_row(d, r, 2);
	}
	if (!t->n) {
		const char *r[2] = {L(in, "なし", "none", v, sizeof(v)), "0"};
		kesu_doc_table_row(d, r, 2);
	}
}

/* Title, PDF metadata, footer, the verification banner, the scope and the
 * manager's seal: everything above the media table. */
static void report_front(const struct kesu_report_in *in, struct kesu_doc *d)
{
	char buf[900], b2[300], b3[300];
	kesu_doc_add(d, KESU_BLK_TITLE, NULL,
		     in->lang == KESU_LANG_JA_EN ? "Media disposal ledger" : NULL,
		     in->lang == KESU_LANG_EN ? "Media disposal ledger" : "媒体廃棄記録簿");
	d->title = strdup(in->lang == KESU_LANG_EN ? "Media disposal ledger" : "媒体廃棄記録簿 / Media disposal ledger");
	period_text(in, b2, sizeof(b2));
	snprintf(buf, sizeof(buf), "register %s, period %s", in->register_path, b2);
	d->subject = strdup(buf);
	snprintf(buf, sizeof(buf), "%s  %s  %s %s", L(in, "媒体廃棄記録簿", "Media disposal ledger", b3, sizeof(b3)),
		 in->register_path, in->lang == KESU_LANG_EN ? "printed" : "印刷", in->printed_at);
	d->footer = strdup(buf);

	struct kesu_blk *ban = NULL;
	if (in->head_checked && !in->head_ok)
		ban = kesu_doc_add(d, KESU_BLK_BANNER, NULL, in->head_problem,
				   L(in, "台帳の検証に失敗しました。この記録簿は台帳の内容を保証しません",
				     "THE REGISTER DID NOT VERIFY: this ledger does not vouch for "
				     "its contents", buf, sizeof(buf)));
	else if (!in->head_checked)
		ban = kesu_doc_add(d, KESU_BLK_BANNER, NULL, NULL,
				   L(in, "注意：台帳の署名は確認していません（CA証明書の指定なし）",
				     "CAUTION: the register's signature was not checked (no CA "
				     "certificate given)", buf, sizeof(buf)));
	if (ban)
		ban->level = in->head_checked ? 2 : 1;
	kesu_doc_section(d, in->lang, "対象", "Scope");
	field(d, in, "期間（登録日時）", "Period (registered)", b2, true, false);
	field(d, in, "所管部署", "Department",
	      in->department ? in->department : L(in, "全部署", "all", b3, sizeof(b3)), true, false);
	field(d, in, "台帳", "Register", in->register_path, false, false);
	/* The manager's seal at the top, where a ledger's approval boxes are
	 * looked for, and never alone on a last page. */
	const char *seal[1] = {L(in, "情報セキュリティ管理者", "Security manager", b3, sizeof(b3))};
	kesu_doc_cells(d, kesu_doc_add(d, KESU_BLK_SEALS, NULL, NULL, ""), seal, 1);
}

/* Why a row has no certificate, in the page's language. */
static const char *problem_text(const struct kesu_report_in *in, enum kesu_report_problem p,
				char *buf, size_t size)
{
	static const char *const text[][2] = {
		[KESU_REPORT_CERT_OK] = {"?", "?"},
		[KESU_REPORT_NO_ERASURE] = {"消去記録のない物理破壊",
					    "physical destruction without an erasure record"},
		[KESU_REPORT_NOT_CERT_LINE] = {"証明書の行ではない", "not a certificate line"},
		[KESU_REPORT_NOT_HERE] = {"証明書なし", "not here"},
		[KESU_REPORT_CHANGED] = {"登録後に変更あり", "CHANGED since registered"},
		[KESU_REPORT_INVALID] = {"証明書が不正", "not a valid certificate"},
	};
	unsigned i = (unsigned)p < sizeof(text) / sizeof(text[0]) ? (unsigned)p : 0;
	return L(in, text[i][0], text[i][1], buf, size);
}

/* One row of the media table for a selected register line. */
static void media_row(const struct kesu_report_in *in, struct kesu_doc *d,
		      const struct kesu_report_entry *e)
{
	char b3[300];
	struct kesu_doc_tmp { char seq[24], date[16], result[200], destr[200], method[120]; } t;
	const json_t *c = e->cert;
	snprintf(t.seq, sizeof(t.seq), "%" PRId64,
		 (int64_t)json_integer_value(json_object_get(e->line, "seq")));
	date_of(c && sget(c, "execution.ended_at") ? sget(c, "execution.ended_at")
						  : sget(e->line, "time"), t.date);
	kesu_code_text(in->lang, KESU_CODES_RESULT,
		       c ? sget(c, "result") : sget(e->line, "result"), t.result,
		       sizeof(t.result));
	bool pdr = c && json_is_true(json_object_get(c, "physical_destruction_required"));
	if (e->closed_by)
		snprintf(t.destr, sizeof(t.destr), "%s (%s)",
			 L(in, "破壊済み", "destroyed", b3, sizeof(b3)),
			 sget(e->closed_by, "technique"));
	else
		snprintf(t.destr, sizeof(t.destr), "%s",
			 pdr ? L(in, "要破壊・未記録", "required, not recorded", b3, sizeof(b3))
			     : L(in, "記録なし", "not recorded", b3, sizeof(b3)));
	if (c)
		snprintf(t.method, sizeof(t.method), "%s", sget(c, "method.name"));
	else
		snprintf(t.method, sizeof(t.method), "(%s)", problem_text(in, e->problem, b3,
									 sizeof(b3)));
	const char *r[11] = {
		t.seq, t.date, c ? sget(c, "asset.property_number") : "-",
		c ? sget(c, "customer") : "-", sget(e->line, "serial"),
		sget(e->line, "model"), t.method, t.result, sget(e->line, "operator"),
		c ? sget(c, "approval.approver") : "-", t.destr,
	};
	kesu_doc_table_row(d, r, 11);
}

/* The media table, with its notes for an empty period and for lines whose
 * department could not be known. */
static void media_table(const struct kesu_report_in *in, struct kesu_doc *d,
			size_t n_sel, size_t unassigned)
{
	char buf[900], b2[300], b3[300];
	kesu_doc_section(d, in->lang, "媒体一覧", "Media");
	char h[11][80];
	const char *head[11] = {
		"No.", L(in, "作業日", "Date", h[1], 80), L(in, "資産番号", "Asset", h[2], 80),
		L(in, "所管部署", "Department", h[3], 80), L(in, "シリアル番号", "Serial", h[4], 80),
		L(in, "型番", "Model", h[5], 80), L(in, "消去方式", "Method", h[6], 80),
		L(in, "結果", "Result", h[7], 80), L(in, "担当者", "Operator", h[8], 80),
		L(in, "承認者", "Approver", h[9], 80), L(in, "破壊状況", "Destruction", h[10], 80),
	};
	static const double widths[11] = {0.45, 1.05, 1.1, 1.2, 1.5, 1.6, 1.2, 1.4, 1.0, 1.0, 1.5};
	kesu_doc_table_head(d, head, widths, 11);
	for (size_t i = 0; i < in->n; i++)
		if (kesu_report_selects(in, &in->e[i]))
			media_row(in, d, &in->e[i]);
	if (!n_sel)
		kesu_doc_add(d, KESU_BLK_NOTE, NULL, NULL,
			     L(in, "この期間に記録された媒体はありません。",
			       "No media were recorded in this period.", buf, sizeof(buf)));
	if (unassigned) {
		snprintf(b2, sizeof(b2), "%zu", unassigned);
		snprintf(buf, sizeof(buf), "%s: %s",
			 L(in, "証明書ファイルがなく所管部署を確認できない媒体（上の表に含まれていません）",
			   "Media whose certificate file is not here, so their department is "
			   "unknown (not in the table above)", b3, sizeof(b3)), b2);
		kesu_doc_add(d, KESU_BLK_NOTE, NULL, NULL, buf);
	}
}

/* The My Number media that must be physically destroyed and have no
 * destruction record yet. */
static void open_media_table(const struct kesu_report_in *in, struct kesu_doc *d)
{
	char buf[900], b2[300], b3[300], h[3][80], seq[24];
	kesu_doc_section(d, in->lang, "未完了のマイナンバー媒体（物理破壊待ち）",
			 "Open My Number media (awaiting physical destruction)");
	size_t open = 0;
	for (size_t i = 0; i < in->n; i++) {
		const struct kesu_report_entry *e = &in->e[i];
		if (!kesu_report_selects(in, e) || !e->cert || e->closed_by ||
		    !json_is_true(json_object_get(e->cert, "physical_destruction_required")))
			continue;
		if (!open++) {
			const char *hh[5] = {"No.", L(in, "資産番号", "Asset", h[0], 80),
					     L(in, "所管部署", "Department", h[1], 80),
					     L(in, "シリアル番号", "Serial", h[2], 80),
					     L(in, "状況", "Status", b2, sizeof(b2))};
			static const double w[5] = {0.5, 1.5, 1.5, 2, 3};
			kesu_doc_table_head(d, hh, w, 5);
		}
		snprintf(seq, sizeof(seq), "%" PRId64,
			 (int64_t)json_integer_value(json_object_get(e->line, "seq")));
		const char *r[5] = {seq, sget(e->cert, "asset.property_number"),
				    sget(e->cert, "customer"), sget(e->line, "serial"),
				    L(in, "物理破壊の記録なし（破壊待ち）",
				      "no destruction recorded (awaiting destruction)", b3, sizeof(b3))};
		kesu_doc_table_row(d, r, 5);
	}
	if (!open)
		field(d, in, "件数", "Count", L(in, "なし", "none", buf, sizeof(buf)), false, false);
}

/* Whether the register vouches for the rows: its size, its last line and
 * the state of the head's signature. */
static void integrity_section(const struct kesu_report_in *in, struct kesu_doc *d)
{
	char buf[900], b3[300];
	kesu_doc_section(d, in->lang, "台帳の完全性", "Register integrity");
	snprintf(buf, sizeof(buf), "%zu", in->lines);
	field(d, in, "行数", "Lines", buf, true, false);
	snprintf(buf, sizeof(buf), "%" PRIu64, in->head_seq);
	field(d, in, "最終行の番号", "Last sequence number", buf, true, false);
	field(d, in, "最終行のSHA-256", "Last line SHA-256", in->lines ? in->last_hash : "-",
	      false, true);
	if (!in->head_checked)
		snprintf(buf, sizeof(buf), "%s", L(in, "未確認（CA証明書が指定されていません。kesu register verify で確認してください）",
			 "NOT CHECKED (no CA certificate given; check with kesu register verify)", b3, sizeof(b3)));
	else if (in->head_ok)
		snprintf(buf, sizeof(buf), "%s (CA: %s)", L(in, "署名・ハッシュ連鎖とも検証済み",
			 "signature and hash chain verified", b3, sizeof(b3)), in->ca_name);
	else
		snprintf(buf, sizeof(buf), "%s: %s", L(in, "検証失敗", "VERIFICATION FAILED", b3, sizeof(b3)),
			 in->head_problem ? in->head_problem : "?");
	field(d, in, "署名の状態", "Signature status", buf, false, false);
	if (in->recoveries) {
		snprintf(buf, sizeof(buf), "%zu", in->recoveries);
		field(d, in, "復旧行（途中で切れた追記の記録）", "Recovery lines (torn appends cut)",
		      buf, false, false);
	}
}

enum kesu_rc kesu_report_page_build(const struct kesu_report_in *in,
				    struct kesu_doc **out, size_t *rows,
				    struct kesu_err *err)
{
	*out = NULL;
	*rows = 0;
	struct kesu_doc *d = kesu_doc_new();
	if (!d)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	d->landscape = true;
	report_front(in, d);

	/* Which register lines the rows come from, and whether the register
	 * vouches for them: the head's signature and the hash chain. */
	size_t n_sel = 0, unassigned = 0;
	struct tally by_result = {0}, by_method = {0};
	for (size_t i = 0; i < in->n; i++) {
		if (!kesu_report_selects(in, &in->e[i])) {
			unassigned += in->department && !in->e[i].cert;
			continue;
		}
		n_sel++;
		const json_t *c = in->e[i].cert;
		count(&by_result, c ? sget(c, "result") : sget(in->e[i].line, "result"));
		count(&by_method, c ? sget(c, "method.name") : NULL);
	}
	media_table(in, d, n_sel, unassigned);

	char buf[32];
	kesu_doc_section(d, in->lang, "集計", "Totals");
	snprintf(buf, sizeof(buf), "%zu", n_sel);
	field(d, in, "媒体数", "Media", buf, false, false);
	tally_table(in, d, &by_result, KESU_CODES_RESULT, "結果", "Result");
	tally_table(in, d, &by_method, NULL, "消去方式", "Method");

	open_media_table(in, d);
	integrity_section(in, d);
	if (d->oom || !d->title || !d->subject || !d->footer) {
		kesu_doc_free(d);
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	}
	*rows = n_sel;
	*out = d;
	return KESU_OK;
}
