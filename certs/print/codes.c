#include "certs/print/codes.h"

#include <stdio.h>
#include <string.h>

const struct kesu_code KESU_CODES_RESULT[] = {
	{"erased", "消去完了", "erased"},
	{"erased-with-exceptions", "一部消去不能（例外あり）", "erased with exceptions"},
	{"not-erased", "未消去", "NOT ERASED"},
	{NULL, NULL, NULL},
};
const struct kesu_code KESU_CODES_RUN_RESULT[] = {
	{"erased", "消去完了", "erased"},
	{"erased-with-exceptions", "例外あり", "erased with exceptions"},
	{"failed", "失敗", "failed"},
	{"interrupted", "中断", "interrupted"},
	{NULL, NULL, NULL},
};
const struct kesu_code KESU_CODES_REASON[] = {
	{"disposal", "廃棄", "disposal"},
	{"lease-return", "リース返却", "lease return"},
	{"repair", "修理", "repair"},
	{"reuse", "再利用", "reuse"},
	{NULL, NULL, NULL},
};
const struct kesu_code KESU_CODES_CLASS[] = {
	{"1", "機密性1", "confidentiality 1"},
	{"2", "機密性2（公表を前提としない）", "confidentiality 2 (not for publication)"},
	{"3", "機密性3（秘密文書相当）", "confidentiality 3 (secret)"},
	{NULL, NULL, NULL},
};
const struct kesu_code KESU_CODES_NIST[] = {
	{"clear", "クリア（NIST SP 800-88 Clear）", "NIST SP 800-88 Clear"},
	{"purge", "パージ（NIST SP 800-88 Purge）", "NIST SP 800-88 Purge"},
	{"destroy", "破壊（NIST SP 800-88 Destroy）", "NIST SP 800-88 Destroy"},
	{NULL, NULL, NULL},
};
const struct kesu_code KESU_CODES_TECHNIQUE[] = {
	{"overwrite", "上書き", "overwrite"},
	{"block-erase", "ブロック消去", "block erase"},
	{"crypto-erase", "暗号化消去", "cryptographic erase"},
	{"secure-erase", "セキュアイレース", "secure erase"},
	{NULL, NULL, NULL},
};
const struct kesu_code KESU_CODES_VERIFY_MODE[] = {
	{"last", "最終パスを全数検証", "last pass, every byte"},
	{"all", "全パスを全数検証", "every pass, every byte"},
	{"sample", "抽出検証", "sampled"},
	{"none", "検証なし", "not verified"},
	{NULL, NULL, NULL},
};
const struct kesu_code KESU_CODES_OUTCOME[] = {
	{"passed", "合格", "passed"},
	{"failed", "不合格", "FAILED"},
	{"skipped", "省略", "skipped"},
	{"incomplete", "未完了", "incomplete"},
	{NULL, NULL, NULL},
};
const struct kesu_code KESU_CODES_BAD_OP[] = {
	{"write", "書込み", "write"},
	{"verify", "検証", "verify"},
	{"read", "読取り", "read"},
	{NULL, NULL, NULL},
};
const struct kesu_code KESU_CODES_DEVICE_KIND[] = {
	{"hdd", "ハードディスク", "hard disk"},
	{"ssd", "SSD", "SSD"},
	{"nvme", "NVMe SSD", "NVMe SSD"},
	{"usb", "USB記憶装置", "USB storage"},
	{"mmc", "メモリカード・eMMC", "memory card or eMMC"},
	{"loop", "ループデバイス", "loop device"},
	{"virtual", "仮想ディスク", "virtual disk"},
	{"file", "イメージファイル", "image file"},
	{NULL, NULL, NULL},
};
/* Titles per certificate kind (issue #12 brings the other two). */
const struct kesu_code KESU_CODES_KIND[] = {
	{"erasure", "データ消去証明書", "Certificate of Data Erasure"},
	{"destruction", "物理破壊証明書", "Certificate of Physical Destruction"},
	{"verification", "検証報告書", "Verification Report"},
	{NULL, NULL, NULL},
};

const struct kesu_code *kesu_code_find(const struct kesu_code *t, const char *code)
{
	for (; code && t->code; t++)
		if (!strcmp(t->code, code))
			return t;
	return NULL;
}

static void one(enum kesu_lang lang, const struct kesu_code *e, const char *code,
		char *buf, size_t n)
{
	if (!e) {
		snprintf(buf, n, "%s", code);
	} else if (lang == KESU_LANG_JA) {
		snprintf(buf, n, "%s (%s)", e->ja, code);
	} else if (lang == KESU_LANG_EN) {
		if (!strcmp(e->en, code))
			snprintf(buf, n, "%s", code);
		else
			snprintf(buf, n, "%s (%s)", code, e->en);
	} else {
		snprintf(buf, n, "%s / %s", e->ja, code);
	}
}

const char *kesu_code_text(enum kesu_lang lang, const struct kesu_code *table,
			   const char *code, char *buf, size_t bufsz)
{
	if (!code) {
		snprintf(buf, bufsz, "-");
		return buf;
	}
	if (!strchr(code, '+') || kesu_code_find(table, code)) {
		one(lang, kesu_code_find(table, code), code, buf, bufsz);
		return buf;
	}
	/* "crypto-erase+block-erase": each step in turn. */
	buf[0] = '\0';
	char part[64], piece[256];
	const char *p = code;
	while (*p) {
		size_t l = strcspn(p, "+");
		snprintf(part, sizeof(part), "%.*s", (int)(l < 63 ? l : 63), p);
		one(lang, kesu_code_find(table, part), part, piece, sizeof(piece));
		size_t u = strlen(buf);
		snprintf(buf + u, bufsz - u, "%s%s", u ? " → " : "", piece);
		p += l + (p[l] == '+');
	}
	return buf;
}
