#include "certs/print/cosign_page.h"

#include <stdio.h>
#include <string.h>

static void field(struct kesu_doc *d, enum kesu_lang lang, const char *ja, const char *en,
		  const char *value, bool half, bool mono)
{
	struct kesu_blk *b = kesu_doc_field(d, lang, ja, en, value[0] ? value : "-");
	if (b) {
		b->half = half;
		b->mono = mono;
	}
}

static void danger(struct kesu_doc *d, const char *text, const char *detail)
{
	struct kesu_blk *b = kesu_doc_add(d, KESU_BLK_BANNER, NULL, detail, text);
	if (b)
		b->level = 2;
}

static const char *role_ja(const char *role)
{
	return !strcmp(role, "witness") ? "立会者" : !strcmp(role, "city") ? "市（受領）"
	       : !strcmp(role, "receiver") ? "受領者" : "?";
}

static void cosigner(struct kesu_doc *d, enum kesu_lang lang, size_t i,
		     const struct kesu_print_cosigner *c)
{
	char ja[48], en[48], v[700], w[1300], b1[900], b2[900];
	const struct kesu_print_signer *g = &c->who;
	snprintf(ja, sizeof(ja), "副署 %zu", i + 1);
	snprintf(en, sizeof(en), "Countersignature %zu", i + 1);
	snprintf(b1, sizeof(b1), "%s（%s）", role_ja(c->role), c->role);
	snprintf(v, sizeof(v), "%s: %s", kesu_lang_pick(lang, b1, c->role, b2, sizeof(b2)),
		 g->subject[0] ? g->subject : "?");
	field(d, lang, ja, en, v, false, false);
	field(d, lang, "署名日時", "Signing time", g->signing_time, false, false);
	snprintf(v, sizeof(v), "%s – %s", g->not_before[0] ? g->not_before : "?",
		 g->not_after[0] ? g->not_after : "?");
	field(d, lang, "証明書の有効期間", "Certificate validity", v, false, false);
	switch (c->check) {
	case KESU_CHECK_OK:
		snprintf(v, sizeof(v), "%s", kesu_lang_pick(lang,
			 "印刷時にCA証明書で検証済み（署名・役割）",
			 "verified against the CA when printed (signature and role)", b1, sizeof(b1)));
		break;
	case KESU_CHECK_NOT_DONE:
		snprintf(v, sizeof(v), "%s", kesu_lang_pick(lang,
			 "このファイルのバイト列への署名。CA証明書と役割は印刷時に確認していません",
			 "over this file's bytes; the CA and the role were NOT checked when printed",
			 b1, sizeof(b1)));
		break;
	case KESU_CHECK_FAILED:
		snprintf(v, sizeof(v), "%s: %s", kesu_lang_pick(lang,
			 "検証できません（有効な副署ではありません）",
			 "DOES NOT VERIFY (not a valid countersignature)", b1, sizeof(b1)), c->why);
		snprintf(w, sizeof(w), "%s %s", kesu_lang_pick(lang, "副署を検証できません:",
			 "A countersignature does not verify:", b2, sizeof(b2)), c->file);
		danger(d, w, c->why);
		break;
	}
	field(d, lang, "副署の確認", "Countersignature check", v, false, false);
}

void kesu_page_cosigners(struct kesu_doc *d, enum kesu_lang lang,
			 const struct kesu_print_cosigners *cs)
{
	char b[200];
	if (cs->error[0]) {
		danger(d, kesu_lang_pick(lang, "副署を確認できません", "The countersignatures "
					 "could not be checked", b, sizeof(b)), cs->error);
		return;
	}
	if (!cs->n)
		field(d, lang, "副署", "Countersignatures", kesu_lang_pick(lang, "なし", "none", b,
									 sizeof(b)), false, false);
	for (size_t i = 0; i < cs->n; i++)
		cosigner(d, lang, i, &cs->c[i]);
}

void kesu_page_approval(struct kesu_doc *d, enum kesu_lang lang,
			const struct kesu_print_approval *a)
{
	char v[700], b[900];
	if (!a->linked) {
		field(d, lang, "署名付き承認書", "Signed approval", kesu_lang_pick(lang,
		      "なし（承認者・承認番号は入力されたもの）",
		      "none (the approver and reference were typed)", b, sizeof(b)), false, false);
		return;
	}
	field(d, lang, "承認書", "Approval file", a->file, false, true);
	field(d, lang, "承認ID", "Approval ID", a->id, true, true);
	field(d, lang, "承認書の署名者", "Approval signed by", a->signer, true, false);
	snprintf(v, sizeof(v), "%s – %s", a->valid_from[0] ? a->valid_from : "?",
		 a->valid_until[0] ? a->valid_until : "?");
	field(d, lang, "承認の有効期間", "Approval valid", v, false, false);
	switch (a->check) {
	case KESU_CHECK_OK:
		snprintf(v, sizeof(v), "%s", kesu_lang_pick(lang,
			 "印刷時にCA証明書で検証済み（承認者の署名・役割・対象と期間）",
			 "verified against the CA when printed (approver's signature and role, "
			 "what it allows and when)", b, sizeof(b)));
		break;
	case KESU_CHECK_NOT_DONE:
		snprintf(v, sizeof(v), "%s", kesu_lang_pick(lang,
			 "写しのSHA-256は一致。CA証明書による検証は印刷時に行っていません",
			 "the copy's SHA-256 matches; it was NOT checked against a CA when printed",
			 b, sizeof(b)));
		break;
	case KESU_CHECK_FAILED:
		snprintf(v, sizeof(v), "%s: %s", kesu_lang_pick(lang, "検証できません",
			 "DOES NOT VERIFY", b, sizeof(b)), a->why);
		danger(d, kesu_lang_pick(lang, "承認書を検証できません",
					 "The approval does not verify", b, sizeof(b)), a->why);
		break;
	}
	field(d, lang, "承認の確認", "Approval check", v, false, false);
}
