/* The printed page as a model: which labels, values, banners, seal boxes
 * and QR payload a certificate and a ledger yield, untrusted text made
 * visible and bounded, codes in words; then that the model renders. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "certs/document/certificate.h"
#include "certs/print/cert_page.h"
#include "certs/document/destruction.h"
#include "certs/document/verification.h"
#include "certs/print/codes.h"
#include "certs/print/image.h"
#include "certs/print/render.h"
#include "certs/print/report_page.h"
#include "certs/print/signers.h"
#include "certs/print/text.h"
#include "lib/fileio.h"

static const char *ID = "0b7e2c1a-1111-4222-8333-444455556666";
static const char *SHA = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

static json_t *cert_from(const char *run, bool my_number)
{
	struct kesu_cert_info i;
	memset(&i, 0, sizeof(i));
	strcpy(i.operator_name, "山田 太郎");
	strcpy(i.operator_organization, "テスト消去株式会社");
	strcpy(i.customer, "総務課");
	strcpy(i.property_number, "A-0001");
	i.confidentiality_class = 3;
	i.my_number = my_number;
	/* My Number media only ever go to destruction. */
	strcpy(i.reason, my_number ? "disposal" : "lease-return");
	strcpy(i.approver, "佐藤 花子");
	strcpy(i.witnesses[0].name, "鈴木 一郎");
	strcpy(i.witnesses[0].organization, "情報政策課");
	i.n_witnesses = 1;
	char path[256];
	snprintf(path, sizeof(path), "tests/fixtures/runs/%s", run);
	json_error_t je;
	json_t *rr = json_load_file(path, JSON_REJECT_DUPLICATES, &je), *c = NULL;
	assert_non_null(rr);
	struct kesu_err err = {0};
	if (kesu_cert_build(rr, run, SHA, &i, ID, "2026-11-22T11:00:00+09:00", &c, &err))
		fail_msg("build: %s", err.msg);
	json_decref(rr);
	return c;
}

static struct kesu_print_sig one_signer(void)
{
	struct kesu_print_sig s;
	memset(&s, 0, sizeof(s));
	s.n = s.total = 1;
	strcpy(s.s[0].subject, "CN=山田 太郎,O=テスト消去株式会社,C=JP");
	strcpy(s.s[0].issuer, "CN=Test CA");
	strcpy(s.s[0].serial, "0A1B");
	strcpy(s.s[0].not_before, "2026-01-01T00:00:00+09:00");
	strcpy(s.s[0].not_after, "2032-01-01T00:00:00+09:00");
	strcpy(s.s[0].signing_time, "2026-11-22T11:00:01+09:00");
	return s;
}

static struct kesu_doc *page(const json_t *cert, enum kesu_lang lang, enum kesu_rc want)
{
	struct kesu_print_sig sig = one_signer();
	struct kesu_cert_page_in in = {cert, "kesu-cert-x.json", SHA, &sig, lang,
				       "2027-01-15T17:00:00+09:00", NULL, 0, NULL, NULL, NULL, false};
	struct kesu_doc *d = NULL;
	struct kesu_err err = {0};
	assert_int_equal(kesu_cert_page_build(&in, &d, &err), want);
	return d;
}

static const char *value(const struct kesu_doc *d, const char *label)
{
	const struct kesu_blk *b = kesu_doc_find(d, label);
	if (!b)
		fail_msg("no field '%s' on the page", label);
	return b->text;
}

static size_t banners(const struct kesu_doc *d, int level, const char *containing)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += d->blk[i].kind == KESU_BLK_BANNER && d->blk[i].level == level &&
		     strstr(d->blk[i].text, containing);
	return n;
}

static const struct kesu_blk *first(const struct kesu_doc *d, enum kesu_blk_kind k)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->blk[i].kind == k)
			return &d->blk[i];
	fail_msg("no block of kind %d", k);
	return NULL;
}

/* The first block whose text holds `containing`. */
static const struct kesu_blk *blk_with(const struct kesu_doc *d, const char *containing)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->blk[i].text && strstr(d->blk[i].text, containing))
			return &d->blk[i];
	fail_msg("no block with '%s'", containing);
	return NULL;
}

/* The k-th table row (0-based) of the page. */
static const struct kesu_blk *nth_row(const struct kesu_doc *d, size_t k)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->blk[i].kind == KESU_BLK_TABLE_ROW && !k--)
			return &d->blk[i];
	fail_msg("no table row %zu", k);
	return NULL;
}

/* ---- text ---- */

static void text_makes_hidden_characters_visible(void **state)
{
	(void)state;
	bool rep;
	char *s = kesu_print_text("A\x01" "B\xe2\x80\xae" "C\x7f\xc2\x85\xef\xbb\xbf", 100, &rep);
	assert_string_equal(s, "A<U+0001>B<U+202E>C<U+007F><U+0085><U+FEFF>");
	assert_true(rep);
	free(s);
	s = kesu_print_text("\xff\xc3(", 100, &rep);
	assert_string_equal(s, "<0xFF><0xC3>(");
	free(s);
	s = kesu_print_text("山田 太郎", 100, &rep);
	assert_string_equal(s, "山田 太郎");
	assert_false(rep);
	free(s);
	s = kesu_print_text(NULL, 100, NULL);
	assert_string_equal(s, "-");
	free(s);
}

static void text_bounds_a_long_name(void **state)
{
	(void)state;
	size_t n = 10000 * 3;
	char *name = malloc(n + 1);
	for (size_t i = 0; i < n; i += 3)
		memcpy(name + i, "名", 3);
	name[n] = '\0';
	char *s = kesu_print_text(name, 20, NULL);
	assert_true(strlen(s) < 20 * 3 + 32);
	assert_non_null(strstr(s, "… [10000 chars]"));
	assert_memory_equal(s, "名名名", 9);
	free(s);
	memset(name, '\x02', 100);
	name[100] = '\0';
	s = kesu_print_text(name, 10, NULL);
	assert_string_equal(s, "<U+0002><U+0002><U+0002><U+0002><U+0002><U+0002><U+0002>"
			       "<U+0002><U+0002><U+0002>… [100 chars]");
	free(s);
	free(name);
}

/* ---- codes ---- */

static void codes_in_each_language(void **state)
{
	(void)state;
	char b[200];
	assert_string_equal(kesu_code_text(KESU_LANG_JA, KESU_CODES_RESULT, "erased", b, sizeof(b)),
			    "消去完了 (erased)");
	assert_string_equal(kesu_code_text(KESU_LANG_EN, KESU_CODES_RESULT, "erased", b, sizeof(b)),
			    "erased");
	assert_string_equal(kesu_code_text(KESU_LANG_EN, KESU_CODES_REASON, "lease-return", b,
					   sizeof(b)), "lease-return (lease return)");
	assert_string_equal(kesu_code_text(KESU_LANG_JA_EN, KESU_CODES_RESULT, "not-erased", b,
					   sizeof(b)), "未消去 / not-erased");
	assert_string_equal(kesu_code_text(KESU_LANG_JA_EN, KESU_CODES_TECHNIQUE,
					   "crypto-erase+block-erase", b, sizeof(b)),
			    "暗号化消去 / crypto-erase → ブロック消去 / block-erase");
	/* A code this kesu does not know is shown as it is, never guessed. */
	assert_string_equal(kesu_code_text(KESU_LANG_JA, KESU_CODES_TECHNIQUE, "melt", b, sizeof(b)),
			    "melt");
	enum kesu_lang l;
	assert_true(kesu_lang_parse("ja+en", &l) && l == KESU_LANG_JA_EN);
	assert_false(kesu_lang_parse("jp", &l));
}

/* ---- the certificate page ---- */

static void erased_certificate_page(void **state)
{
	(void)state;
	json_t *c = cert_from("erased.json", false);
	struct kesu_doc *d = page(c, KESU_LANG_JA_EN, KESU_OK);
	const struct kesu_blk *t = first(d, KESU_BLK_TITLE);
	assert_string_equal(t->text, "データ消去証明書");
	assert_string_equal(t->label2, "Certificate of Data Erasure");
	assert_int_equal(kesu_doc_count(d, KESU_BLK_BANNER), 0);
	assert_string_equal(value(d, "担当者"), "山田 太郎");
	assert_string_equal(kesu_doc_find(d, "担当者")->label2, "Person in charge");
	assert_string_equal(value(d, "所属"), "テスト消去株式会社");
	assert_string_equal(value(d, "所管部署"), "総務課");
	assert_string_equal(value(d, "資産番号"), "A-0001");
	assert_string_equal(value(d, "機密性分類"), "機密性3（秘密文書相当） / 3");
	assert_string_equal(value(d, "理由"), "リース返却 / lease-return");
	assert_string_equal(value(d, "結果"), "消去完了 / erased");
	assert_string_equal(value(d, "承認者（情報セキュリティ管理者）"), "佐藤 花子");
	assert_string_equal(value(d, "立会者 1"), "鈴木 一郎（情報政策課）");
	assert_string_equal(value(d, "シリアル番号"), "WD-WCC6Y0ABCDEF");
	assert_true(kesu_doc_find(d, "シリアル番号")->mono);
	assert_string_equal(value(d, "容量"), "1,048,576 バイト / bytes (1.0 MiB)");
	assert_string_equal(value(d, "消去技術"), "上書き / overwrite");
	assert_string_equal(value(d, "検証結果"), "合格 / passed");
	assert_string_equal(value(d, "不良範囲"), "なし / none");
	assert_string_equal(value(d, "署名者 1"), "CN=山田 太郎,O=テスト消去株式会社,C=JP");
	assert_string_equal(value(d, "証明書の有効期間"),
			    "2026-01-01T00:00:00+09:00 – 2032-01-01T00:00:00+09:00");
	assert_non_null(strstr(value(d, "署名の確認"), "NOT checked against a CA"));
	const struct kesu_blk *q = first(d, KESU_BLK_QR);
	assert_string_equal(q->text, "kesu-certificate id=0b7e2c1a-1111-4222-8333-444455556666 "
				     "sha256=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
	assert_string_equal(q->cells[2], SHA);
	const struct kesu_blk *s = first(d, KESU_BLK_SEALS);
	assert_int_equal(s->ncells, 3);
	assert_string_equal(s->cells[0], "担当者印 / Person in charge");
	assert_string_equal(s->cells[1], "立会者印 / Witness");
	assert_string_equal(s->cells[2], "承認者印 / Approver");
	assert_non_null(strstr(first(d, KESU_BLK_NOTE)->text,
			       "openssl cms -verify -binary -inform DER -in kesu-cert-x.json.p7s "
			       "-content kesu-cert-x.json -CAfile ca.pem -purpose any"));
	kesu_doc_free(d);
	json_decref(c);
}

/* The work location (issue #12): its row in the operator section when
 * given, "-" when null, and no row on the page of a certificate issued
 * before kesu had the field (its page stays as it was). */
static void work_location_row(void **state)
{
	(void)state;
	json_t *c = cert_from("erased.json", false);
	json_t *op = json_object_get(c, "operator");
	struct kesu_doc *d = page(c, KESU_LANG_JA_EN, KESU_OK);
	assert_string_equal(value(d, "作業場所"), "-");
	assert_string_equal(kesu_doc_find(d, "作業場所")->label2, "Work location");
	kesu_doc_free(d);
	json_object_set_new(op, "location", json_string("本庁舎 地下1階 作業室"));
	d = page(c, KESU_LANG_JA_EN, KESU_OK);
	assert_string_equal(value(d, "作業場所"), "本庁舎 地下1階 作業室");
	kesu_doc_free(d);
	json_object_del(op, "location");
	d = page(c, KESU_LANG_JA_EN, KESU_OK);
	assert_null(kesu_doc_find(d, "作業場所"));
	assert_string_equal(value(d, "連絡先"), "-");
	kesu_doc_free(d);
	json_decref(c);
}

static void labels_follow_the_language(void **state)
{
	(void)state;
	json_t *c = cert_from("erased.json", false);
	struct kesu_doc *d = page(c, KESU_LANG_EN, KESU_OK);
	assert_string_equal(first(d, KESU_BLK_TITLE)->text, "Certificate of Data Erasure");
	assert_string_equal(value(d, "Person in charge"), "山田 太郎");
	assert_null(kesu_doc_find(d, "担当者"));
	assert_null(kesu_doc_find(d, "Person in charge")->label2);
	assert_string_equal(value(d, "Result"), "erased");
	assert_string_equal(first(d, KESU_BLK_SEALS)->cells[0], "Person in charge");
	kesu_doc_free(d);
	d = page(c, KESU_LANG_JA, KESU_OK);
	assert_null(kesu_doc_find(d, "Person in charge"));
	assert_string_equal(value(d, "結果"), "消去完了 (erased)");
	assert_string_equal(first(d, KESU_BLK_SEALS)->cells[2], "承認者印");
	kesu_doc_free(d);
	json_decref(c);
}

static void results_other_than_erased_get_banners(void **state)
{
	(void)state;
	json_t *c = cert_from("interrupted.json", false);
	struct kesu_doc *d = page(c, KESU_LANG_JA_EN, KESU_OK);
	assert_int_equal(banners(d, 2, "NOT ERASED"), 1);
	assert_int_equal(banners(d, 2, "未消去"), 1);
	/* The run result in the banner is in words too, as its field is. */
	assert_int_equal(banners(d, 2, "（作業結果 中断）"), 1);
	assert_int_equal(banners(d, 2, "(run result interrupted)"), 1);
	assert_string_equal(first(d, KESU_BLK_BANNER)->label2, "interrupted by SIGINT during pass 1");
	assert_string_equal(value(d, "結果"), "未消去 / not-erased");
	kesu_doc_free(d);
	json_decref(c);

	c = cert_from("exceptions.json", true);
	d = page(c, KESU_LANG_JA_EN, KESU_OK);
	assert_int_equal(banners(d, 2, "ERASED WITH EXCEPTIONS: 1 bad range"), 1);
	assert_int_equal(banners(d, 2, "PHYSICAL DESTRUCTION REQUIRED"), 1);
	assert_int_equal(banners(d, 2, "破壊待ち"), 1);
	assert_int_equal(kesu_doc_count(d, KESU_BLK_TABLE_ROW), 1);
	const struct kesu_blk *r = NULL;
	for (size_t i = 0; i < d->n; i++)
		if (d->blk[i].kind == KESU_BLK_TABLE_ROW)
			r = &d->blk[i];
	assert_string_equal(r->cells[0], "2,048");
	assert_string_equal(r->cells[2], "書込み / write");
	assert_string_equal(value(d, "マイナンバー"), "はい / yes");
	assert_string_equal(value(d, "注記"), KESU_CERT_MY_NUMBER_NOTE);
	kesu_doc_free(d);
	json_decref(c);
}

static void a_contradiction_or_unknown_kind_is_not_printed(void **state)
{
	(void)state;
	json_t *c = cert_from("exceptions.json", false);
	json_object_set_new(c, "result", json_string("erased"));
	assert_null(page(c, KESU_LANG_JA_EN, KESU_ERR_INVALID));
	json_decref(c);
	c = cert_from("erased.json", false);
	json_object_set_new(c, "kind", json_string("custody"));
	assert_null(page(c, KESU_LANG_JA_EN, KESU_ERR_NOTSUP));
	/* An erasure certificate's fields under the verification and the
	 * destruction kinds. */
	json_object_set_new(c, "kind", json_string("verification"));
	assert_null(page(c, KESU_LANG_JA_EN, KESU_ERR_INVALID));
	json_object_set_new(c, "kind", json_string("destruction"));
	assert_null(page(c, KESU_LANG_JA_EN, KESU_ERR_INVALID));
	json_decref(c);
}

static void hostile_values_are_bounded_and_visible(void **state)
{
	(void)state;
	json_t *c = cert_from("erased.json", false);
	char *longname = malloc(10001);
	memset(longname, 'N', 10000);
	longname[10000] = '\0';
	json_object_set_new(json_object_get(c, "operator"), "name", json_string(longname));
	/* What the medium held is evidence, hostile or not: it is printed. */
	json_t *part = json_array_get(json_object_get(json_object_get(c, "before"), "partitions"), 0);
	json_object_set_new(part, "label", json_string("\x01\x02\x1b[2J\xe2\x80\xae" "321"));
	struct kesu_doc *d = page(c, KESU_LANG_JA_EN, KESU_OK);
	assert_true(strlen(value(d, "担当者")) < KESU_PRINT_MAX_CHARS + 32);
	assert_non_null(strstr(value(d, "担当者"), "[10000 chars]"));
	assert_non_null(strstr(value(d, "partitions[1]"), "label=<U+0001><U+0002><U+001B>[2J<U+202E>321"));
	assert_true(d->replaced);
	/* The reader is told what <U+XXXX> means. */
	assert_non_null(strstr(d->blk[d->n - 1].text, "<U+XXXX>"));
	unsigned char *pdf;
	size_t len;
	struct kesu_err err = {0};
	assert_int_equal(kesu_pdf_render(d, 1800000000, "kesu test", &pdf, &len, &err), KESU_OK);
	assert_true(len > 1000);
	assert_memory_equal(pdf, "%PDF-", 5);
	free(pdf);
	kesu_doc_free(d);
	/* In a claim (here the serial) the same characters make the
	 * certificate contradict what it shows: not printed at all. */
	json_object_set_new(json_object_get(c, "device"), "serial", json_string("SER\xe2\x80\xae" "1"));
	assert_null(page(c, KESU_LANG_JA_EN, KESU_ERR_INVALID));
	free(longname);
	json_decref(c);
}

static void render_refuses_an_incomplete_document(void **state)
{
	(void)state;
	struct kesu_doc *d = kesu_doc_new();
	kesu_doc_add(d, KESU_BLK_TITLE, NULL, NULL, "x");
	d->oom = true;
	unsigned char *pdf = (unsigned char *)"";
	size_t len = 1;
	struct kesu_err err = {0};
	assert_int_equal(kesu_pdf_render(d, 0, "kesu", &pdf, &len, &err), KESU_ERR_INTERNAL);
	assert_null(pdf);
	assert_int_equal(len, 0);
	kesu_doc_free(d);
}

/* ---- signers ---- */

static void signers_are_read_only_from_a_signature_of_these_bytes(void **state)
{
	(void)state;
	glob_t g;
	assert_int_equal(glob("tests/fixtures/pdf/kesu-cert-*.json", 0, NULL, &g), 0);
	char *data, *der, sig[512];
	size_t len, derlen;
	struct kesu_err err = {0};
	snprintf(sig, sizeof(sig), "%s.p7s", g.gl_pathv[0]);
	assert_int_equal(kesu_read_file(g.gl_pathv[0], 1 << 20, &data, &len, &err), KESU_OK);
	assert_int_equal(kesu_read_file(sig, 1 << 20, &der, &derlen, &err), KESU_OK);
	globfree(&g);
	struct kesu_print_sig s;
	assert_int_equal(kesu_print_sig_read(data, len, der, derlen, &s, &err), KESU_OK);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.status, KESU_SIG_MATCHES);
	assert_string_equal(s.s[0].subject, "CN=山田 太郎,O=テスト消去株式会社,C=JP");
	assert_non_null(strstr(s.s[0].issuer, "Example City kesu test CA"));
	assert_true(s.s[0].not_before[0] && s.s[0].not_after[0] && s.s[0].signing_time[0]);
	data[len / 2] ^= 1;
	assert_int_equal(kesu_print_sig_read(data, len, der, derlen, &s, &err), KESU_ERR_CRYPTO);
	assert_int_equal(kesu_print_sig_read(data, len, "junk", 4, &s, &err), KESU_ERR_CRYPTO);
	free(data);
	free(der);
}

/* ---- the destruction document ---- */

static const char *DESTRUCTION_DOC =
		"{\"schema\":\"kesu-destruction/1\",\"kind\":\"destruction\","
		"\"id\":\"5f0c2a4e-1b7d-4c3e-9a11-2b3c4d5e6f70\","
		"\"issued_at\":\"2026-11-22T15:00:00+09:00\","
		"\"operator\":{\"name\":\"山田 太郎\",\"organization\":\"情報政策課\"},"
		"\"medium\":{\"serial\":\"WD-1\",\"model\":null,\"identity_source\":\"typed\"},"
		"\"asset\":{\"property_number\":null,\"department\":null,\"my_number\":true},"
		"\"closes\":null,\"no_erasure_record\":\"leased\","
		"\"technique\":{\"name\":\"crush\",\"term_ja\":\"破砕\",\"nist_destroy\":false,"
		"\"particle_size_mm\":20},"
		"\"destroyed_at\":\"2026-11-22T14:00:00+09:00\",\"location\":\"第二工場\","
		"\"destroyed_by\":{\"company\":\"株式会社クラッシュ\",\"person\":\"佐藤 花子\"},"
		"\"witnesses\":[{\"name\":\"鈴木 一郎\",\"organization\":null}],"
		"\"evidence\":[{\"file\":\"after.jpg\",\"sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"size\":9,"
		"\"role\":\"destroyed-photo\"},"
	"{\"file\":\"label.png\",\"sha256\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"size\":9,"
	"\"role\":\"label-photo\"}]}";

static void destruction_page(void **state)
{
	(void)state;
	const char *text = DESTRUCTION_DOC;
	json_t *doc;
	struct kesu_err err = {0};
	assert_int_equal(kesu_destruction_parse(text, strlen(text), &doc, &err), KESU_OK);
	struct kesu_doc *d = page(doc, KESU_LANG_JA_EN, KESU_OK);
	assert_string_equal(first(d, KESU_BLK_TITLE)->text, "物理破壊証明書");
	assert_string_equal(value(d, "方法（和名）"), "破砕");
	assert_string_equal(value(d, "破片の最大寸法"), "20 mm");
	assert_non_null(strstr(value(d, "証拠 1"), "after.jpg (destroyed-photo, 9 bytes)"));
	assert_int_equal(banners(d, 1, "消去証明書は台帳にありません"), 1);
	assert_non_null(strstr(d->subject, "serial: WD-1"));
	kesu_doc_free(d);
	/* Without a particle size, on a one-language page: the words, not
	 * the buffer the two-language page would have filled (stack garbage
	 * showed on the printed page under make asan). */
	json_object_set_new(json_object_get(doc, "technique"), "particle_size_mm", json_null());
	d = page(doc, KESU_LANG_JA, KESU_OK);
	assert_string_equal(value(d, "破片の最大寸法"), "記録なし");
	kesu_doc_free(d);
	d = page(doc, KESU_LANG_EN, KESU_OK);
	assert_string_equal(value(d, "Largest particle"), "not recorded");
	kesu_doc_free(d);
	d = page(doc, KESU_LANG_JA_EN, KESU_OK);
	assert_string_equal(value(d, "破片の最大寸法"), "記録なし / not recorded");
	kesu_doc_free(d);
	/* A document that contradicts itself is not printed. */
	json_object_set_new(doc, "closes", json_string("00000000-0000-4000-8000-000000000001"));
	d = page(doc, KESU_LANG_JA_EN, KESU_ERR_INVALID);
	assert_null(d);
	json_decref(doc);
}

/* Countersignatures and the signed approval: a failed check is a red box
 * and "does not verify", never a verified row. */
static void countersigners_and_approval(void **state)
{
	(void)state;
	json_t *c = cert_from("erased.json", false);
	struct kesu_print_cosigners cs;
	memset(&cs, 0, sizeof(cs));
	cs.n = 3;
	const char *roles[3] = {"witness", "city", "witness"};
	const enum kesu_print_check chk[3] = {KESU_CHECK_OK, KESU_CHECK_NOT_DONE, KESU_CHECK_FAILED};
	for (int i = 0; i < 3; i++) {
		snprintf(cs.c[i].file, sizeof(cs.c[i].file), "kesu-cert-x.json.%s-%d.p7s", roles[i], i + 1);
		strcpy(cs.c[i].role, roles[i]);
		strcpy(cs.c[i].who.subject, i ? "CN=市 受領係" : "CN=鈴木 一郎");
		strcpy(cs.c[i].who.not_before, "2026-11-01T00:00:00+09:00");
		strcpy(cs.c[i].who.not_after, "2027-11-01T00:00:00+09:00");
		cs.c[i].check = chk[i];
	}
	strcpy(cs.c[2].why, "signature verify error");
	struct kesu_print_approval a = {.linked = true, .check = KESU_CHECK_FAILED};
	strcpy(a.file, "kesu-approval-1.json");
	strcpy(a.id, "11111111-2222-4333-8444-555555555555");
	strcpy(a.valid_from, "2026-11-01T00:00:00+09:00");
	strcpy(a.valid_until, "2026-12-01T00:00:00+09:00");
	strcpy(a.why, "SHA-256 differs");
	struct kesu_print_sig sig = one_signer();
	struct kesu_cert_page_in in = {c, "kesu-cert-x.json", SHA, &sig, KESU_LANG_JA_EN,
				       "2027-01-15T17:00:00+09:00", NULL, 0, &cs, &a, NULL, false};
	struct kesu_doc *d = NULL;
	struct kesu_err err = {0};
	assert_int_equal(kesu_cert_page_build(&in, &d, &err), KESU_OK);
	assert_string_equal(value(d, "副署 1"), "立会者（witness） / witness: CN=鈴木 一郎");
	assert_string_equal(value(d, "Countersignature 2"), "市（受領）（city） / city: CN=市 受領係");
	size_t verified = 0, unchecked = 0, failed = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct kesu_blk *b = &d->blk[i];
		if (b->kind != KESU_BLK_FIELD || strcmp(b->label, "副署の確認"))
			continue;
		verified += strstr(b->text, "検証済み") != NULL;
		unchecked += strstr(b->text, "NOT checked") != NULL;
		failed += strstr(b->text, "DOES NOT VERIFY") && strstr(b->text, "signature verify error");
	}
	assert_int_equal(verified, 1);
	assert_int_equal(unchecked, 1);
	assert_int_equal(failed, 1);
	assert_int_equal(banners(d, 2, "kesu-cert-x.json.witness-3.p7s"), 1);
	assert_string_equal(value(d, "承認ID"), a.id);
	assert_string_equal(value(d, "承認の有効期間"),
			    "2026-11-01T00:00:00+09:00 – 2026-12-01T00:00:00+09:00");
	assert_non_null(strstr(value(d, "承認の確認"), "DOES NOT VERIFY: SHA-256 differs"));
	assert_int_equal(banners(d, 2, "The approval does not verify"), 1);
	kesu_doc_free(d);
	/* A typed approval, no countersignatures. */
	cs.n = 0;
	a = (struct kesu_print_approval){.linked = false};
	in.lang = KESU_LANG_EN;
	assert_int_equal(kesu_cert_page_build(&in, &d, &err), KESU_OK);
	assert_string_equal(value(d, "Countersignatures"), "none");
	assert_string_equal(value(d, "Signed approval"),
			    "none (the approver and reference were typed)");
	assert_int_equal(banners(d, 2, "verify"), 0);
	kesu_doc_free(d);
	json_decref(c);
}

/* The run record's speeds, printed only when the record beside the
 * certificate is the one it names: a table of each pass's write and
 * verify rate, hostile values never printed as facts, a long method cut
 * at MAX_LIST_ROWS, and a line saying why when there is nothing to show. */
static const struct kesu_blk *speed_head(const struct kesu_doc *d, size_t *at)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->blk[i].kind == KESU_BLK_TABLE_HEAD && d->blk[i].ncells == 4 &&
		    !strcmp(d->blk[i].cells[0], "Pass")) {
			*at = i;
			return &d->blk[i];
		}
	return NULL;
}

static void speeds_from_the_run_record(void **state)
{
	(void)state;
	json_t *c = cert_from("erased.json", false);
	json_error_t je;
	json_t *run = json_loads(
		"{\"passes\": ["
		" {\"pattern\": \"random\", \"timing\": {"
		"   \"write\": {\"ms\": 156, \"bytes\": 1073741824, \"mb_per_s\": 6882.8},"
		"   \"verify\": {\"ms\": 200, \"bytes\": 1073741824, \"mb_per_s\": 5368.7}}},"
		" {\"pattern\": \"924924\", \"timing\": {"
		"   \"write\": {\"ms\": 10, \"bytes\": 1, \"mb_per_s\": 1e300}, \"verify\": null}},"
		" {\"pattern\": \"zz\\u0001\", \"timing\": null}]}", 0, &je);
	assert_non_null(run);
	struct kesu_print_sig sig = one_signer();
	struct kesu_cert_page_in in = {c, "kesu-cert-x.json", SHA, &sig, KESU_LANG_EN,
				       "2027-01-15T17:00:00+09:00", NULL, 0, NULL, NULL, NULL, false};
	in.run = run;
	struct kesu_doc *d = NULL;
	struct kesu_err err = {0};
	assert_int_equal(kesu_cert_page_build(&in, &d, &err), KESU_OK);
	size_t at;
	const struct kesu_blk *h = speed_head(d, &at);
	assert_non_null(h);
	assert_string_equal(h->cells[2], "Write");
	const char *want[3][4] = {
		{"1", "random", "6882.8 MB/s", "5368.7 MB/s"},
		{"2", "924924", "not recorded", "not timed"},
		{"3", "?", "not timed", "not timed"},
	};
	for (size_t r = 0; r < 3; r++) {
		const struct kesu_blk *b = &d->blk[at + 1 + r];
		assert_int_equal(b->kind, KESU_BLK_TABLE_ROW);
		for (size_t k = 0; k < 4; k++)
			assert_string_equal(b->cells[k], want[r][k]);
	}
	assert_int_not_equal(d->blk[at + 4].kind, KESU_BLK_TABLE_ROW);
	assert_null(kesu_doc_find(d, "Passes shown"));
	kesu_doc_free(d);

	/* Gutmann's 35 passes: 16 rows and how many there were. */
	json_t *passes = json_object_get(run, "passes");
	while (json_array_size(passes) < 35)
		json_array_append(passes, json_array_get(passes, 0));
	in.lang = KESU_LANG_JA_EN;
	assert_int_equal(kesu_cert_page_build(&in, &d, &err), KESU_OK);
	h = NULL;
	for (size_t i = 0; i < d->n && !h; i++)
		if (d->blk[i].kind == KESU_BLK_TABLE_HEAD && d->blk[i].ncells == 4 &&
		    !strcmp(d->blk[i].cells[0], "パス / Pass"))
			h = &d->blk[at = i];
	assert_non_null(h);
	size_t rows = 0;
	while (d->blk[at + 1 + rows].kind == KESU_BLK_TABLE_ROW)
		rows++;
	assert_int_equal(rows, 16);
	assert_string_equal(value(d, "表示したパス"), "16 / 35");
	kesu_doc_free(d);

	/* A record there that is not the one the certificate names. */
	in.run = NULL;
	in.run_mismatch = true;
	in.lang = KESU_LANG_JA;
	assert_int_equal(kesu_cert_page_build(&in, &d, &err), KESU_OK);
	assert_null(speed_head(d, &at));
	assert_string_equal(value(d, "速度"),
			    "表示しません: 横の作業記録が証明書と一致しません");
	kesu_doc_free(d);
	/* None beside it. */
	in.run_mismatch = false;
	in.lang = KESU_LANG_EN;
	assert_int_equal(kesu_cert_page_build(&in, &d, &err), KESU_OK);
	assert_string_equal(value(d, "Speeds"),
			    "not shown: the run record is not beside the certificate");
	kesu_doc_free(d);
	json_decref(run);
	json_decref(c);
}

/* The spot-check report: its own title and sections, the verdict in a
 * banner, every finding and unreadable range, the certificate it checks;
 * a report whose verdict its contents contradict is not printed. */
static void verification_page(void **state)
{
	(void)state;
	char *data;
	size_t len;
	struct kesu_err err = {0};
	json_t *doc;
	assert_int_equal(kesu_read_file("tests/fuzz/corpus/verification/full-data-found.json",
					1 << 20, &data, &len, &err), KESU_OK);
	assert_true(kesu_verif_is(data, len));
	assert_false(kesu_destruction_is(data, len));
	assert_int_equal(kesu_verif_parse(data, len, &doc, &err), KESU_OK);
	struct kesu_doc *d = page(doc, KESU_LANG_JA_EN, KESU_OK);
	assert_string_equal(first(d, KESU_BLK_TITLE)->text, "検証報告書");
	assert_string_equal(first(d, KESU_BLK_TITLE)->label2, "Verification Report");
	assert_string_equal(value(d, "判定"), "データあり / data-found");
	assert_string_equal(value(d, "方式"), "全域読取り / full");
	assert_string_equal(value(d, "シリアル番号"), "KESU-B");
	assert_string_equal(value(d, "Findings shown"), "1 / 1");
	assert_string_equal(value(d, "読み取れなかったバイト数"), "4,608");
	assert_string_equal(value(d, "証明書ID"), "5cbb18d0-4548-43e4-94e1-e3a0ff85b12e");
	assert_int_equal(banners(d, 2, "DATA FOUND"), 1);
	assert_int_equal(banners(d, 2, "NOT THE SAME MEDIUM"), 1);
	/* six region kinds, one finding, one unreadable range */
	assert_int_equal(kesu_doc_count(d, KESU_BLK_TABLE_ROW), 6 + 1 + 1);
	assert_non_null(strstr(d->subject, "Verification Report / serial: KESU-B"));
	kesu_doc_free(d);
	/* Yes and no in one language: the words themselves (they were read
	 * from buffers only a two-language page fills). */
	d = page(doc, KESU_LANG_JA, KESU_OK);
	assert_string_equal(value(d, "同じ媒体"), "いいえ");
	assert_string_equal(value(d, "消去を確認"), "いいえ");
	kesu_doc_free(d);
	d = page(doc, KESU_LANG_EN, KESU_OK);
	assert_string_equal(value(d, "Same medium"), "no");
	kesu_doc_free(d);
	/* The verdict contradicting the findings: refused, nothing printed. */
	json_object_set_new(doc, "verdict", json_string("no-data-found"));
	assert_null(page(doc, KESU_LANG_JA_EN, KESU_ERR_INVALID));
	json_decref(doc);
	free(data);
	assert_int_equal(kesu_read_file("tests/fuzz/corpus/verification/sample-no-data.json",
					1 << 20, &data, &len, &err), KESU_OK);
	assert_int_equal(kesu_verif_parse(data, len, &doc, &err), KESU_OK);
	d = page(doc, KESU_LANG_EN, KESU_OK);
	assert_string_equal(value(d, "Verdict"), "no-data-found (no data found)");
	assert_string_equal(value(d, "Confidence"), "0.99");
	assert_string_equal(value(d, "Findings"), "none");
	assert_string_equal(value(d, "Certificate checked"), "none");
	assert_int_equal(kesu_doc_count(d, KESU_BLK_BANNER), 0);
	kesu_doc_free(d);
	json_decref(doc);
	free(data);
}

/* The evidence photos: a thumbnail under the photo whose hash matched,
 * and a box, never a picture, for one that did not, was missing or could
 * not be decoded. */
static void destruction_photos(void **state)
{
	(void)state;
	json_t *doc;
	struct kesu_err err = {0};
	assert_int_equal(kesu_destruction_parse(DESTRUCTION_DOC, strlen(DESTRUCTION_DOC), &doc, &err),
			 KESU_OK);
	uint32_t px[6] = {0xff0000, 0x00ff00, 0x0000ff, 0, 0xffffff, 0x808080};
	struct kesu_print_photo ph[2];
	memset(ph, 0, sizeof(ph));
	ph[0].state = KESU_PHOTO_SHOWN;
	ph[0].img = (struct kesu_image){3, 2, px};
	ph[1].state = KESU_PHOTO_MISMATCH;
	struct kesu_print_sig sig = one_signer();
	struct kesu_cert_page_in in = {doc, "kesu-destruction-x.json", SHA, &sig, KESU_LANG_JA_EN,
				       "2027-01-15T17:00:00+09:00", ph, 2, NULL, NULL, NULL, false};
	struct kesu_doc *d = NULL;
	assert_int_equal(kesu_cert_page_build(&in, &d, &err), KESU_OK);
	assert_int_equal(kesu_doc_count(d, KESU_BLK_IMAGE), 1);
	const struct kesu_blk *im = first(d, KESU_BLK_IMAGE);
	assert_int_equal(im->img.w, 3);
	assert_int_equal(im->img.px[2], 0x0000ff);
	assert_ptr_not_equal(im->img.px, px);   /* the page's own copy */
	assert_int_equal(im->ncells, 2);
	assert_string_equal(im->cells[0], "after.jpg (destroyed-photo)");
	assert_non_null(strstr(im->cells[1], "aaaaaaaa"));
	assert_non_null(strstr(im->cells[1], "（文書と一致）"));
	assert_int_equal(banners(d, 2, "証拠ファイルのSHA-256が文書の記載と一致しません"), 1);
	assert_string_equal(blk_with(d, "一致しません")->label2, "label.png");
	unsigned char *pdf;
	size_t len;
	assert_int_equal(kesu_pdf_render(d, 1800000000, "kesu test", &pdf, &len, &err), KESU_OK);
	free(pdf);
	kesu_doc_free(d);
	/* Missing and undecodable photos: boxes, no image. */
	ph[0].state = KESU_PHOTO_MISSING;
	ph[1].state = KESU_PHOTO_UNUSABLE;
	ph[1].cause = KESU_PHOTO_CAUSE_DAMAGED;
	strcpy(ph[1].why, "JPEG: Premature end of JPEG file");
	in.lang = KESU_LANG_EN;
	assert_int_equal(kesu_cert_page_build(&in, &d, &err), KESU_OK);
	assert_int_equal(kesu_doc_count(d, KESU_BLK_IMAGE), 0);
	assert_int_equal(banners(d, 1, "An evidence file is not beside the document"), 1);
	assert_string_equal(blk_with(d, "not beside")->label2, "after.jpg");
	assert_int_equal(banners(d, 1, "An evidence photo cannot be shown"), 1);
	assert_string_equal(blk_with(d, "cannot be shown")->label2,
			    "label.png (the image data is damaged: JPEG: Premature end of JPEG file)");
	assert_int_equal(banners(d, 2, "does not match"), 0);
	kesu_doc_free(d);
	/* The Japanese page says why in Japanese, without the decoder's
	 * English. */
	in.lang = KESU_LANG_JA;
	ph[1].cause = KESU_PHOTO_CAUSE_TOO_LARGE;
	assert_int_equal(kesu_cert_page_build(&in, &d, &err), KESU_OK);
	assert_int_equal(banners(d, 1, "証拠写真を表示できません"), 1);
	assert_string_equal(blk_with(d, "証拠写真を表示できません")->label2,
			    "label.png（画像が大きすぎます（kesu が描画する上限を超えています））");
	kesu_doc_free(d);
	in.lang = KESU_LANG_JA_EN;
	ph[1].cause = KESU_PHOTO_CAUSE_FORMAT;
	assert_int_equal(kesu_cert_page_build(&in, &d, &err), KESU_OK);
	assert_string_equal(blk_with(d, "証拠写真を表示できません")->label2,
			    "label.png（JPEG でも PNG でもありません / not a JPEG or PNG image: "
			    "JPEG: Premature end of JPEG file）");
	kesu_doc_free(d);
	json_decref(doc);
}

/* Why a photo could not be drawn, from the reader's or decoder's error. */
static void photo_causes(void **state)
{
	(void)state;
	struct kesu_err e = {0};
	kesu_fail(&e, KESU_ERR_IO, EIO, "read failed");
	assert_int_equal(kesu_photo_cause_of(&e), KESU_PHOTO_CAUSE_UNREADABLE);
	kesu_fail(&e, KESU_ERR_PERM, EACCES, "cannot open");
	assert_int_equal(kesu_photo_cause_of(&e), KESU_PHOTO_CAUSE_UNREADABLE);
	kesu_fail(&e, KESU_ERR_INVALID, EFBIG, "larger than");
	assert_int_equal(kesu_photo_cause_of(&e), KESU_PHOTO_CAUSE_TOO_LARGE);
	/* The decoders themselves, on real bytes. */
	struct kesu_image img;
	assert_int_equal(kesu_image_thumb("not an image at all", 19, 64, &img, &e), KESU_ERR_NOTSUP);
	assert_int_equal(kesu_photo_cause_of(&e), KESU_PHOTO_CAUSE_FORMAT);
	static const unsigned char torn_png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0};
	assert_int_not_equal(kesu_image_thumb(torn_png, sizeof(torn_png), 64, &img, &e), KESU_OK);
	assert_int_equal(kesu_photo_cause_of(&e), KESU_PHOTO_CAUSE_DAMAGED);
	kesu_fail(&e, KESU_ERR_REFUSED, 0, "declares too many pixels");
	assert_int_equal(kesu_photo_cause_of(&e), KESU_PHOTO_CAUSE_TOO_LARGE);
	kesu_fail(&e, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	assert_int_equal(kesu_photo_cause_of(&e), KESU_PHOTO_CAUSE_MEMORY);
}

/* ---- the ledger ---- */

static json_t *line(int seq, const char *time, const char *result)
{
	return json_pack("{s:i s:s s:s s:s s:s s:s s:s}", "seq", seq, "time", time,
			 "kind", "certificate", "serial", "SER", "model", "MODEL",
			 "result", result, "operator", "山田 太郎");
}

static void ledger_rows_totals_and_open_my_number(void **state)
{
	(void)state;
	json_t *c1 = cert_from("erased.json", false), *c2 = cert_from("exceptions.json", true);
	json_object_set_new(c2, "customer", json_string("税務課"));
	json_t *l1 = line(1, "2026-11-22T12:00:00+09:00", "erased"),
	       *l2 = line(2, "2026-11-23T12:00:00+09:00", "erased-with-exceptions"),
	       *l3 = line(3, "2026-12-05T12:00:00+09:00", "erased");
	struct kesu_report_entry e[3] = {{l1, c1, KESU_REPORT_CERT_OK, NULL},
					 {l2, c2, KESU_REPORT_CERT_OK, NULL},
					 {l3, NULL, KESU_REPORT_NOT_HERE, NULL}};
	struct kesu_report_in in = {
		.e = e, .n = 3, .register_path = "register.jsonl", .lines = 3, .head_seq = 3,
		.last_hash = SHA, .head_checked = true, .head_ok = true, .ca_name = "ca.pem",
		.lang = KESU_LANG_JA_EN, .printed_at = "2027-01-15T17:00:00+09:00",
	};
	struct kesu_doc *d;
	size_t rows;
	struct kesu_err err = {0};
	assert_int_equal(kesu_report_page_build(&in, &d, &rows, &err), KESU_OK);
	assert_int_equal(rows, 3);
	assert_true(d->landscape);
	assert_int_equal(kesu_doc_count(d, KESU_BLK_BANNER), 0);
	/* 3 media rows, 2 result rows, 2 method rows, 1 open My Number row. */
	assert_int_equal(kesu_doc_count(d, KESU_BLK_TABLE_ROW), 3 + 2 + 2 + 1);
	const struct kesu_blk *b = NULL;
	size_t k = 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->blk[i].kind == KESU_BLK_TABLE_ROW && k++ == 2)
			b = &d->blk[i];
	assert_string_equal(b->cells[0], "3");
	/* Why the certificate is missing, in the page's languages. */
	assert_string_equal(b->cells[6], "(証明書なし / not here)");
	assert_string_equal(b->cells[10], "記録なし / not recorded");
	assert_string_equal(value(d, "最終行のSHA-256"), SHA);
	assert_string_equal(value(d, "署名の状態"),
			    "署名・ハッシュ連鎖とも検証済み / signature and hash chain verified (CA: ca.pem)");
	assert_string_equal(first(d, KESU_BLK_SEALS)->cells[0],
			    "情報セキュリティ管理者 / Security manager");
	kesu_doc_free(d);

	/* A department and a period narrow the rows; an entry without its
	 * certificate cannot be placed in a department and is counted. */
	in.department = "税務課";
	assert_int_equal(kesu_report_page_build(&in, &d, &rows, &err), KESU_OK);
	assert_int_equal(rows, 1);
	bool noted = false;
	for (size_t i = 0; i < d->n; i++)
		noted |= d->blk[i].kind == KESU_BLK_NOTE && strstr(d->blk[i].text, "unknown") &&
			 strstr(d->blk[i].text, ": 1");
	assert_true(noted);
	kesu_doc_free(d);
	in.department = NULL;
	kesu_time_parse("2026-11-23", &in.since);
	kesu_time_parse("2026-11-30", &in.until);
	assert_int_equal(kesu_report_page_build(&in, &d, &rows, &err), KESU_OK);
	assert_int_equal(rows, 1);
	kesu_doc_free(d);

	/* A register that did not verify is said first, in a banner. */
	in.head_ok = false;
	in.head_problem = "line 2: prev does not match";
	assert_int_equal(kesu_report_page_build(&in, &d, &rows, &err), KESU_OK);
	assert_int_equal(banners(d, 2, "THE REGISTER DID NOT VERIFY"), 1);
	assert_non_null(strstr(value(d, "署名の状態"), "line 2: prev does not match"));
	kesu_doc_free(d);
	in.head_checked = false;
	assert_int_equal(kesu_report_page_build(&in, &d, &rows, &err), KESU_OK);
	assert_int_equal(banners(d, 1, "not checked"), 1);
	kesu_doc_free(d);

	/* A destruction line closing the My Number erasure: the row says
	 * destroyed, and nothing is awaiting destruction any more. */
	json_t *dl = json_pack("{s:i s:s s:s s:s}", "seq", 4, "kind", "destruction",
			       "technique", "crush", "closes", "x");
	e[1].closed_by = dl;
	in.since = in.until = 0;
	assert_int_equal(kesu_report_page_build(&in, &d, &rows, &err), KESU_OK);
	assert_int_equal(kesu_doc_count(d, KESU_BLK_TABLE_ROW), 3 + 2 + 2);
	k = 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->blk[i].kind == KESU_BLK_TABLE_ROW && k++ == 1)
			b = &d->blk[i];
	assert_string_equal(b->cells[10], "破壊済み / destroyed (crush)");
	kesu_doc_free(d);
	json_decref(dl);
	json_decref(l1);
	json_decref(l2);
	json_decref(l3);
	json_decref(c1);
	json_decref(c2);
}

/* Under make asan (see tests/lsan-fontconfig.supp): full stacks, so the
 * suppression can see fontconfig's parser; unused in other builds. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:XML_ParseBuffer\n";
}

/* Why a ledger row has no certificate, in the page's language. */
static void ledger_problem_in_page_language(void **state)
{
	(void)state;
	json_t *l = line(1, "2026-11-22T12:00:00+09:00", "erased");
	struct kesu_report_entry e[1] = {{l, NULL, KESU_REPORT_CHANGED, NULL}};
	struct kesu_report_in in = {
		.e = e, .n = 1, .register_path = "register.jsonl", .lines = 1, .head_seq = 1,
		.last_hash = SHA, .head_checked = true, .head_ok = true, .ca_name = "ca.pem",
		.lang = KESU_LANG_JA, .printed_at = "2027-01-15T17:00:00+09:00",
	};
	struct kesu_doc *d;
	size_t rows;
	struct kesu_err err = {0};
	assert_int_equal(kesu_report_page_build(&in, &d, &rows, &err), KESU_OK);
	assert_string_equal(nth_row(d, 0)->cells[6], "(登録後に変更あり)");
	kesu_doc_free(d);
	in.lang = KESU_LANG_EN;
	assert_int_equal(kesu_report_page_build(&in, &d, &rows, &err), KESU_OK);
	assert_string_equal(nth_row(d, 0)->cells[6], "(CHANGED since registered)");
	kesu_doc_free(d);
	e[0].problem = KESU_REPORT_NO_ERASURE;
	in.lang = KESU_LANG_JA_EN;
	assert_int_equal(kesu_report_page_build(&in, &d, &rows, &err), KESU_OK);
	assert_string_equal(nth_row(d, 0)->cells[6], "(消去記録のない物理破壊 / physical "
			    "destruction without an erasure record)");
	kesu_doc_free(d);
	json_decref(l);
}

int main(void)
{
	setenv("TZ", "Asia/Tokyo", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_makes_hidden_characters_visible),
		cmocka_unit_test(text_bounds_a_long_name),
		cmocka_unit_test(codes_in_each_language),
		cmocka_unit_test(erased_certificate_page),
		cmocka_unit_test(work_location_row),
		cmocka_unit_test(labels_follow_the_language),
		cmocka_unit_test(results_other_than_erased_get_banners),
		cmocka_unit_test(a_contradiction_or_unknown_kind_is_not_printed),
		cmocka_unit_test(hostile_values_are_bounded_and_visible),
		cmocka_unit_test(render_refuses_an_incomplete_document),
		cmocka_unit_test(signers_are_read_only_from_a_signature_of_these_bytes),
		cmocka_unit_test(ledger_rows_totals_and_open_my_number),
		cmocka_unit_test(destruction_page),
		cmocka_unit_test(destruction_photos),
		cmocka_unit_test(photo_causes),
		cmocka_unit_test(ledger_problem_in_page_language),
		cmocka_unit_test(countersigners_and_approval),
		cmocka_unit_test(speeds_from_the_run_record),
		cmocka_unit_test(verification_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
