/* kesu cert issue | verify | show */
#include "certs/sign/role.h"
#include "certs/document/countersign.h"
#include "certs/document/cert_health.h"
#include "certs/document/certificate.h"
#include "certs/document/destruction.h"
#include "cli/cli.h"
#include "cli/cmd_pdf.h"
#include "cli/code_words.h"
#include "certs/document/cert_verify.h"
#include "certs/document/run_speed.h"
#include "lib/config.h"
#include "lib/fileio.h"
#include "cli/cert_opts.h"
#include "lib/i18n.h"
#include "lib/timefmt.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const struct kesu_opt help_only[] = {KESU_OPT_HELP, KESU_OPT_END};

static void issue_help(FILE *out)
{
	fputs(_("Usage: kesu cert issue RUN-RECORD... [OPTIONS]\n\n"
	      "Issue a signed disposal certificate from each run record and add it to\n"
	      "the register.  See kesu-certificate(5).\n\n"), out);
	kesu_cert_opts_help(out);
	fputs("\n", out);
	kesu_opts_print(out, help_only);
}

static enum kesu_rc issue_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	return kesu_cert_opt_apply(ud, opt, arg);
}

static enum kesu_rc cert_issue(const struct kesu_verb *verb, const char *cmd, int argc,
			       char **argv)
{
	(void)verb;
	static const struct kesu_opt *const tables[] = {kesu_cert_opt_table, help_only, NULL};
	struct kesu_cert_opts o = {0};
	const struct kesu_cmd_opts c = {cmd, tables, issue_opt, &o, issue_help};
	int first;
	bool done;
	enum kesu_rc rc = kesu_opts_parse(&c, argc, argv, &first, &done);
	if (rc != KESU_OK || done)
		return rc;
	if (first >= argc)
		return kesu_usage_error("cert issue: give the run record file(s)");
	struct kesu_err err = {0};
	struct kesu_issuer *is;
	if ((rc = kesu_issuer_prepare(&o, &is, &err))) {
		kesu_report(&err);
		return rc;
	}
	enum kesu_rc worst = KESU_OK;
	for (int i = first; i < argc; i++) {
		char path[PATH_MAX];
		if ((rc = kesu_issuer_issue(is, argv[i], path, sizeof(path), &err))) {
			kesu_report(&err);
			worst = worst && worst != KESU_ERR_UNSTAMPED ? worst : rc;
			if (rc != KESU_ERR_UNSTAMPED)
				continue;
		}
		printf("%s\n", path);
	}
	kesu_issuer_free(is);
	return worst;
}

/* null, or what the token says and whether it was checked. */
static json_t *ts_json(const struct kesu_cert_file_verdict *ov)
{
	if (!ov->ts_present)
		return json_null();
	char gt[KESU_TIME_LEN];
	kesu_time_format(ov->ts.gen_time, gt);
	return json_pack("{s:b s:o s:o s:o}", "checked", ov->ts_checked,
			 "gen_time", ov->ts_checked ? json_string(gt) : json_null(),
			 "tsa", ov->ts_checked ? kesu_json_str(ov->ts.tsa_subject) : json_null(),
			 "serial", ov->ts_checked ? json_string(ov->ts.serial) : json_null());
}

/* What the options of verify, timestamp and show said. */
/* Every signer with its role: the issuer first, then each countersigner. */
static json_t *signers_json(const struct kesu_cert_file_verdict *ov)
{
	json_t *a = json_array();
	char st[KESU_TIME_LEN], roles[64];
	if (!ov->sig.signer_subject[0])
		return a;
	kesu_time_format(ov->sig.signing_time, st);
	kesu_roles_format(ov->sig.roles, roles, sizeof(roles));
	json_array_append_new(a, json_pack("{s:s s:o s:s s:s s:s s:b}", "file", "p7s",
		"subject", kesu_json_str(ov->sig.signer_subject), "role", "issuer",
		"roles", roles, "signing_time", st, "ok", ov->sig.failure == KESU_SIG_OK));
	for (size_t i = 0; i < ov->cs.n; i++) {
		const struct kesu_countersig *c = &ov->cs.cs[i];
		kesu_time_format(c->sig.signing_time, st);
		kesu_roles_format(c->sig.roles, roles, sizeof(roles));
		json_array_append_new(a, json_pack("{s:o s:o s:o s:s s:o s:b s:o s:o}",
			"file", kesu_json_str(c->file),
			"subject", kesu_json_str(c->sig.signer_subject),
			"role", kesu_json_str(c->role), "roles", roles,
			"signing_time", c->sig.signing_time ? json_string(st) : json_null(),
			"ok", c->ok,
			"valid_until", c->sig.signer_not_after[0]
				? json_string(c->sig.signer_not_after) : json_null(),
			"error", c->ok ? json_null() : kesu_json_str(c->error)));
	}
	return a;
}

static void print_countersigners(const struct kesu_countersigs *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		const struct kesu_countersig *c = &cs->cs[i];
		char st[KESU_TIME_LEN];
		kesu_time_format(c->sig.signing_time, st);
		printf(_("  countersigned as %s by %s at %s (certificate valid until %s)\n"),
		       c->role, c->sig.signer_subject, st, c->sig.signer_not_after);
	}
}

struct cert_args {
	const char *ca, *crl, *config, *tsa, *tsa_ca, *approval;
	time_t at;
	bool json;
};

enum { T_TSA, T_TSA_CA, T_CONFIG };
static const struct kesu_opt timestamp_opts[] = {
	[T_TSA] = {"tsa", 0, "URL", N_("the timestamp authority ([timestamp] url)")},
	[T_TSA_CA] = {"tsa-ca-file", 0, "FILE", N_("the TSA's CA, to check its answer ([trust] tsa_ca_file)")},
	[T_CONFIG] = KESU_OPT_CONFIG,
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void timestamp_help(FILE *out)
{
	kesu_opts_usage(out, "cert timestamp", "FILE...",
			N_("Add a missing RFC 3161 timestamp token (FILE.tsr, over FILE.p7s)\n"
			   "to each certificate.  See kesu-certificate(5)."), timestamp_opts);
}

static enum kesu_rc timestamp_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct cert_args *a = ud;
	switch (KESU_OPT_ID(opt, timestamp_opts)) {
	case T_TSA: a->tsa = arg; break;
	case T_TSA_CA: a->tsa_ca = arg; break;
	case T_CONFIG: a->config = arg; break;
	}
	return KESU_OK;
}

/* Parse a verb of one table; *done when --help has answered. */
static enum kesu_rc parse(const char *cmd, const struct kesu_opt *table, kesu_opt_fn fn,
			  void (*help)(FILE *), struct cert_args *a, int argc, char **argv,
			  int *first, bool *done)
{
	const struct kesu_opt *const tables[] = {table, NULL};
	const struct kesu_cmd_opts c = {cmd, tables, fn, a, help};
	return kesu_opts_parse(&c, argc, argv, first, done);
}

static enum kesu_rc cert_timestamp(const struct kesu_verb *verb, const char *cmd, int argc,
				   char **argv)
{
	(void)verb;
	struct cert_args a = {0};
	int first;
	bool done;
	enum kesu_rc prc = parse(cmd, timestamp_opts, timestamp_opt, timestamp_help, &a, argc,
				 argv, &first, &done);
	if (prc != KESU_OK || done)
		return prc;
	const char *url = a.tsa, *tsa_ca = a.tsa_ca, *config = a.config;
	if (first >= argc)
		return kesu_usage_error("cert timestamp: give the certificate file(s)");
	struct kesu_config cfg;
	struct kesu_err err = {0};
	enum kesu_rc rc = kesu_config_load(config, &cfg, &err);
	if (rc) {
		kesu_report(&err);
		return rc;
	}
	struct kesu_tsa tsa = {url ? url : cfg.tsa_url, tsa_ca ? tsa_ca : cfg.tsa_ca_file,
			       NULL, NULL};
	if (!tsa.url[0])
		return kesu_usage_error("cert timestamp: no timestamp authority; give --tsa "
					"URL or set [timestamp] url in kesu.conf");
	if (!kesu_is_clean(tsa.url))
		return kesu_usage_error("--tsa: contains control characters");
	enum kesu_rc worst = KESU_OK;
	for (int i = first; i < argc; i++) {
		struct kesu_ts_info ts;
		char shown[PATH_MAX], gt[KESU_TIME_LEN];
		kesu_clean(shown, sizeof(shown), argv[i], strlen(argv[i]));
		if ((rc = kesu_timestamp_file(&tsa, argv[i], &ts, &err))) {
			kesu_err_prefix(&err, "%s: ", shown);
			kesu_report(&err);
			/* Whatever the cause, the file is left without a token:
			 * the one documented code for that. */
			worst = worst ? worst : rc == KESU_ERR_USAGE ? rc : KESU_ERR_UNSTAMPED;
			continue;
		}
		kesu_time_format(ts.gen_time, gt);
		printf("%s%s: timestamped %s by %s (serial %s)\n", shown, KESU_TSR_SUFFIX, gt,
		       ts.tsa_subject[0] ? ts.tsa_subject : "(no TSA certificate)", ts.serial);
	}
	return worst;
}

enum { V_CA, V_CRL, V_AT, V_JSON, V_CONFIG, V_TSA_CA, V_APPROVAL };
static const struct kesu_opt verify_opts[] = {
	[V_CA] = {"ca", 0, "FILE", N_("trusted CA ([trust] ca_file)")},
	[V_CRL] = {"crl", 0, "FILE", N_("the CA's CRL ([trust] crl_file, with the configured CA only)")},
	[V_AT] = {"at", 0, "TIME", N_("check the chain at TIME, not at signing (RFC 3339 or YYYY-MM-DD)")},
	[V_JSON] = KESU_OPT_JSON,
	[V_CONFIG] = KESU_OPT_CONFIG,
	[V_TSA_CA] = {"tsa-ca-file", 0, "FILE", N_("the TSA's CA, to check timestamp tokens ([trust] tsa_ca_file)")},
	[V_APPROVAL] = {"approval", 0, "FILE", N_("the signed approval the certificate names (default: the copy beside it)")},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void verify_help(FILE *out)
{
	kesu_opts_usage(out, "cert verify", "FILE...",
			N_("Verify certificates: signature, CA chain at signing time or at the\n"
			   "timestamp's time, revocation, internal consistency, the run record\n"
			   "beside it.  See kesu-certificate(5)."), verify_opts);
}

static enum kesu_rc verify_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct cert_args *a = ud;
	switch (KESU_OPT_ID(opt, verify_opts)) {
	case V_CA: a->ca = arg; break;
	case V_CRL: a->crl = arg; break;
	case V_AT: return kesu_opt_time(opt, arg, &a->at);
	case V_JSON: a->json = true; break;
	case V_CONFIG: a->config = arg; break;
	case V_TSA_CA: a->tsa_ca = arg; break;
	case V_APPROVAL: a->approval = arg; break;
	}
	return KESU_OK;
}

/* The CA, CRL and TSA CA to verify with: the options', else kesu.conf's
 * (cfg keeps the strings). */
static enum kesu_rc verify_trust(const struct cert_args *a, struct kesu_config *cfg,
				 struct kesu_trust *trust)
{
	const char *ca = a->ca, *crl = a->crl, *tsa_ca = a->tsa_ca;
	struct kesu_err err = {0};
	if (!ca || !tsa_ca) {
		enum kesu_rc rc = kesu_config_load(a->config, cfg, &err);
		if (rc) {
			kesu_report(&err);
			return rc;
		}
		tsa_ca = tsa_ca ? tsa_ca : cfg->tsa_ca_file;
	}
	if (!ca) {
		ca = cfg->ca_file;
		if (!ca[0])
			return kesu_usage_error("cert verify: no trusted CA; give --ca FILE "
						"or set [trust] ca_file in kesu.conf");
		/* The configured CRL belongs to the configured CA; with --ca
		 * another CA's CRL is given with --crl. */
		if (!crl && cfg->crl_file[0])
			crl = cfg->crl_file;
	}
	*trust = (struct kesu_trust){.ca_file = ca, .crl_file = crl, .at = a->at,
				     .tsa_ca_file = tsa_ca};
	return KESU_OK;
}

static json_t *verdict_json(const char *file, const struct kesu_cert_file_verdict *ov)
{
	json_t *w = json_array();
	for (size_t k = 0; k < ov->v.n_warnings; k++)
		json_array_append_new(w, json_string(ov->v.warnings[k]));
	char st[KESU_TIME_LEN] = "";
	if (ov->sig.signing_time)
		kesu_time_format(ov->sig.signing_time, st);
	return json_pack("{s:o s:b s:s s:o s:o s:o s:o s:o s:b s:b s:b s:o s:o s:o s:o s:o}",
		"file", kesu_json_str(file), "ok", ov->ok, "verdict", ov->stage,
		"error", ov->ok ? json_null() : kesu_json_str(ov->error),
		"id", ov->id[0] ? json_string(ov->id) : json_null(),
		"result", ov->result[0] ? json_string(ov->result) : json_null(),
		"signer", ov->ok ? kesu_json_str(ov->sig.signer_subject) : json_null(),
		"signing_time", ov->ok ? json_string(st) : json_null(),
		"physical_destruction_required", ov->v.physical_destruction_required,
		"revocation_checked", ov->ok && ov->sig.revocation_checked,
		"run_record_checked", ov->ok && ov->run_record_checked,
		"warnings", w, "timestamp", ts_json(ov),
		"evidence_checked", ov->destruction ? json_integer((json_int_t)ov->evidence_checked)
						    : json_null(),
		"signers", signers_json(ov),
		"approval_checked", json_boolean(ov->ok && ov->approval_checked));
}

static void verdict_print(const char *file, const struct kesu_cert_file_verdict *ov)
{
	char shown[PATH_MAX];
	kesu_clean(shown, sizeof(shown), file, strlen(file));
	if (!ov->ok) {
		printf("%s: %s: %s\n", shown, ov->stage, ov->error);
		return;
	}
	char st[KESU_TIME_LEN];
	kesu_time_format(ov->sig.signing_time, st);
	printf(_("%s: OK: result %s, signed by %s at %s%s%s"), shown, ov->result,
	       ov->sig.signer_subject, st,
	       ov->sig.revocation_checked ? _(", not revoked") : "",
	       ov->run_record_checked ? _(", run record matches") : "");
	if (ov->destruction)
		printf(_(", %zu evidence file(s) match"), ov->evidence_checked);
	if (ov->ts_checked) {
		kesu_time_format(ov->ts.gen_time, st);
		printf(_(", timestamped %s by %s"), st, ov->ts.tsa_subject);
	} else if (ov->ts_present) {
		printf(_("; timestamp token NOT checked (give --tsa-ca-file)"));
	}
	if (ov->approval_checked)
		printf(_(", signed approval checked"));
	for (size_t k = 0; k < ov->v.n_warnings; k++)
		printf(_("; WARNING: %s"), ov->v.warnings[k]);
	printf("\n");
	print_countersigners(&ov->cs);
}

static enum kesu_rc cert_verify(const struct kesu_verb *verb, const char *cmd, int argc,
				char **argv)
{
	(void)verb;
	struct cert_args a = {0};
	int first;
	bool done;
	enum kesu_rc prc = parse(cmd, verify_opts, verify_opt, verify_help, &a, argc, argv,
				 &first, &done);
	if (prc != KESU_OK || done)
		return prc;
	if (first >= argc)
		return kesu_usage_error("cert verify: give the certificate file(s)");
	struct kesu_config cfg;
	struct kesu_trust trust;
	if ((prc = verify_trust(&a, &cfg, &trust)))
		return prc;
	/* Many files, one reading of the CA and CRL; without memory for the
	 * store each check reads the files itself, as before. */
	if (a.approval && first + 1 != argc)
		return kesu_usage_error("cert verify: --approval goes with one certificate");
	struct kesu_err ignored;
	kesu_trust_store_new(&trust.store, &ignored);
	kesu_cosign_listing_new(&trust.listing, &ignored);
	enum kesu_rc worst = KESU_OK;
	json_t *arr = a.json ? json_array() : NULL;
	for (int i = first; i < argc; i++) {
		/* static: the verdict holds every countersignature's details */
		static struct kesu_cert_file_verdict ov;
		enum kesu_rc rc = kesu_cert_verify_with(argv[i], &trust, a.approval, &ov);
		if (rc && !worst)
			worst = rc;
		if (a.json)
			json_array_append_new(arr, verdict_json(argv[i], &ov));
		else
			verdict_print(argv[i], &ov);
	}
	if (a.json) {
		char *s = json_dumps(arr, JSON_INDENT(2));
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(arr);
	}
	kesu_trust_store_free(trust.store);
	kesu_cosign_listing_free(trust.listing);
	return worst;
}

static const char *s_or(const json_t *o, const char *k, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : dflt;
}

/* Columns a label takes on a terminal: CJK characters are two wide. */
static int display_width(const char *s)
{
	int w = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		w += *p >= 0xE3 ? 2 : 1; /* U+3000 and up: kana, kanji, full width */
	}
	return w;
}

static void line(const char *label, const char *value)
{
	int pad = 44 - display_width(label);
	printf("  %s%*s %s\n", label, pad > 0 ? pad : 0, "", value);
}
#define LINE(label, value) line(label, value)

/* The signed approval a document records (an erasure certificate's
 * approval.document, a destruction document's approval). */
static void show_approval_link(const json_t *appr)
{
	const json_t *doc = json_object_get(appr, "document");
	char buf[600];
	if (!doc)
		return;
	snprintf(buf, sizeof(buf), "%s (sha256 %s)", s_or(doc, "file", "-"),
		 s_or(doc, "sha256", "-"));
	LINE("承認文書 / Signed approval", buf);
	LINE("承認文書の署名者 / Approval signed by", s_or(doc, "signer", "-"));
}

/* Who, for whom, why: the certificate's people and paperwork. */
static void show_parties(const json_t *cert)
{
	const json_t *op = json_object_get(cert, "operator"),
		     *asset = json_object_get(cert, "asset"),
		     *appr = json_object_get(cert, "approval");
	char buf[600];
	size_t i;
	json_t *w;
	LINE("証明書ID / Certificate ID", s_or(cert, "id", "-"));
	LINE("発行日時 / Issued at", s_or(cert, "issued_at", "-"));
	kesu_cli_code(KESU_CODES_RESULT, s_or(cert, "result", NULL), buf, sizeof(buf));
	if (!strcmp(buf, "not-erased"))
		snprintf(buf, sizeof(buf), "not-erased (消去されていません / NOT ERASED)");
	LINE("結果 / Result", buf);
	LINE("作業者 / Operator", s_or(op, "name", "-"));
	LINE("役職 / Title", s_or(op, "title", "-"));
	LINE("所属 / Organization", s_or(op, "organization", "-"));
	LINE("連絡先 / Contact", s_or(op, "contact", "-"));
	LINE("作業場所 / Work location", s_or(op, "location", "-"));
	LINE("所管部署 / Customer (owning department)", s_or(cert, "customer", "-"));
	LINE("資産番号 / Property number", s_or(asset, "property_number", "-"));
	char cls[24];
	snprintf(cls, sizeof(cls), "%lld",
		 (long long)json_integer_value(json_object_get(asset, "confidentiality_class")));
	LINE("機密性 / Confidentiality class", kesu_cli_code(KESU_CODES_CLASS, cls, buf, sizeof(buf)));
	LINE("マイナンバー / My Number data",
	     json_is_true(json_object_get(asset, "my_number")) ? "はい / yes" : "いいえ / no");
	LINE("理由 / Reason",
	     kesu_cli_code(KESU_CODES_REASON, s_or(asset, "reason", NULL), buf, sizeof(buf)));
	LINE("行先 / Destination", s_or(asset, "destination", "-"));
	LINE("承認者 / Approver", s_or(appr, "approver", "-"));
	LINE("承認番号 / Approval reference", s_or(appr, "reference", "-"));
	LINE("承認日 / Approval date", s_or(appr, "date", "-"));
	show_approval_link(appr);
	json_array_foreach(json_object_get(cert, "witnesses"), i, w) {
		snprintf(buf, sizeof(buf), "%s (%s)", s_or(w, "name", "-"),
			 s_or(w, "organization", "-"));
		LINE("立会者 / Witness", buf);
	}
	if (!json_array_size(json_object_get(cert, "witnesses")))
		LINE("立会者 / Witness", "なし / none");
}

/* What was erased and how. */
static void show_medium(const json_t *cert)
{
	const json_t *dev = json_object_get(cert, "device"),
		     *m = json_object_get(cert, "method"),
		     *ver = json_object_get(m, "verification");
	char buf[600];
	size_t i;
	json_t *w;
	snprintf(buf, sizeof(buf), "%s%s%s (%s)", s_or(dev, "vendor", ""),
		 json_is_string(json_object_get(dev, "vendor")) ? " " : "",
		 s_or(dev, "model", "-"), s_or(dev, "path", "-"));
	LINE("装置 / Device", buf);
	LINE("シリアル番号 / Serial", s_or(dev, "serial", "-"));
	snprintf(buf, sizeof(buf), "%lld bytes",
		 (long long)json_integer_value(json_object_get(dev, "size_bytes")));
	LINE("容量 / Size", buf);
	char tech[256];
	kesu_cli_code(KESU_CODES_TECHNIQUE, s_or(m, "technique", NULL), tech, sizeof(tech));
	if (kesu_cli_ja()) {
		char nist[128];
		snprintf(buf, sizeof(buf), "%s: %s、%s", s_or(m, "name", "-"),
			 kesu_cli_code(KESU_CODES_NIST, s_or(m, "nist_category", NULL), nist,
				       sizeof(nist)), tech);
	} else {
		snprintf(buf, sizeof(buf), "%s (NIST SP 800-88 %s, %s)", s_or(m, "name", "-"),
			 s_or(m, "nist_category", "-"), tech);
	}
	LINE("消去方式 / Method", buf);
	buf[0] = '\0';
	json_array_foreach(json_object_get(m, "passes"), i, w) {
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : "", json_string_value(w));
	}
	LINE("パス / Passes", buf[0] ? buf : "-");
	char mode[128], outcome[128];
	snprintf(buf, sizeof(buf), "%s: %s",
		 kesu_cli_code(KESU_CODES_VERIFY_MODE, s_or(ver, "mode", NULL), mode, sizeof(mode)),
		 kesu_cli_code(KESU_CODES_OUTCOME, s_or(ver, "outcome", NULL), outcome,
			       sizeof(outcome)));
	LINE("検証 / Verification", buf);
}

/* The drive's own health log, before and after; certificates from before
 * health readings have none. */
static void show_health(const json_t *cert)
{
	const json_t *h = json_object_get(cert, "health");
	char buf[700];
	if (!h)
		return;
	kesu_cert_health_summary(json_object_get(h, "before"), buf, sizeof(buf));
	LINE("消去前の状態 / Drive health before", buf);
	kesu_cert_health_summary(json_object_get(h, "after"), buf, sizeof(buf));
	LINE("消去後の状態 / Drive health after", buf);
}

/* The computer the disk was erased in, as its firmware names it (only
 * when the certificate says). */
static void show_host(const json_t *cert)
{
	const json_t *h = json_object_get(cert, "host");
	char buf[600];
	if (!h)
		return;
	snprintf(buf, sizeof(buf), "%s%s%s", s_or(h, "vendor", ""),
		 json_object_get(h, "vendor") && json_object_get(h, "product") ? " " : "",
		 s_or(h, "product", ""));
	LINE("本体 / Host computer (SMBIOS)", buf[0] ? buf : "-");
	LINE("本体シリアル番号 / Host serial", s_or(h, "serial", "-"));
	LINE("本体資産タグ / Host asset tag", s_or(h, "asset_tag", "-"));
}

/* When, with what, and what the run recorded. */
static void show_execution(const json_t *cert)
{
	const json_t *ex = json_object_get(cert, "execution"),
		     *tool = json_object_get(cert, "tool"),
		     *rr = json_object_get(cert, "run_record");
	char buf[600];
	LINE("開始 / Started", s_or(ex, "started_at", "-"));
	LINE("終了 / Ended", s_or(ex, "ended_at", "-"));
	snprintf(buf, sizeof(buf), "%lld / %lld",
		 (long long)json_integer_value(json_object_get(ex, "bytes_written")),
		 (long long)json_integer_value(json_object_get(ex, "bytes_verified")));
	LINE("書込/検証バイト / Bytes written/verified", buf);
	snprintf(buf, sizeof(buf), "%zu", json_array_size(json_object_get(ex, "bad_ranges")));
	LINE("不良範囲 / Bad ranges", buf);
	LINE("再開 / Resumed", json_is_true(json_object_get(ex, "resumed")) ? "はい / yes" : "いいえ / no");
	LINE("時刻同期 / Clock synchronised",
	     json_is_true(json_object_get(ex, "clock_synchronized")) ? "はい / yes" : "いいえ / no");
	LINE("作業結果 / Run result",
	     kesu_cli_code(KESU_CODES_RUN_RESULT, s_or(ex, "run_result", NULL), buf, sizeof(buf)));
	LINE("理由 / Run reason", s_or(ex, "reason", "-"));
	snprintf(buf, sizeof(buf), "%s %s", s_or(tool, "name", "-"), s_or(tool, "version", "-"));
	LINE("ツール / Tool", buf);
	snprintf(buf, sizeof(buf), "%s (sha256 %s)", s_or(rr, "file", "-"), s_or(rr, "sha256", "-"));
	LINE("作業記録 / Run record", buf);
}

/* Each pass's speed, from the run record beside the certificate when it is
 * the one the certificate names (SHA-256): shown for people, not part of
 * what is signed, so a record that does not match shows nothing. */
static void show_speeds(const json_t *cert, const char *path)
{
	char rr_path[PATH_MAX], label[96], buf[400];
	json_t *run = NULL, *p;
	struct kesu_err err = {0};
	bool ja = kesu_cli_ja();
	if (kesu_cert_run_record_beside(path, cert, &run, rr_path, sizeof(rr_path), &err)) {
		LINE("速度 / Speed", ja ? "表示しません: 横の作業記録が証明書と一致しません"
					: "not shown: the run record beside it does not match "
					  "the certificate ('kesu cert verify' tells how)");
		return;
	}
	if (!run) {
		LINE("速度 / Speed", ja ? "表示しません: 作業記録が証明書の横にありません"
					: "not shown: the run record is not beside the certificate");
		return;
	}
	size_t i;
	json_array_foreach(json_object_get(run, "passes"), i, p) {
		snprintf(label, sizeof(label), "速度 パス %zu / Speed, pass %zu", i + 1, i + 1);
		kesu_run_pass_speed(p, ja, buf, sizeof(buf));
		LINE(label, buf);
	}
	json_decref(run);
}

/* A destruction document (kesu-destruction(5)): the medium, the work, who
 * did and saw it, and the approval it was recorded on. */
static void show_destruction(const json_t *d)
{
	const json_t *med = json_object_get(d, "medium"), *asset = json_object_get(d, "asset"),
		     *tech = json_object_get(d, "technique"),
		     *by = json_object_get(d, "destroyed_by"),
		     *appr = json_object_get(d, "approval");
	char buf[600];
	size_t i;
	json_t *w;
	LINE("証明書ID / Document ID", s_or(d, "id", "-"));
	LINE("発行日時 / Issued at", s_or(d, "issued_at", "-"));
	LINE("記録者 / Recorded by", s_or(json_object_get(d, "operator"), "name", "-"));
	LINE("シリアル番号 / Serial", s_or(med, "serial", "-"));
	LINE("型番 / Model", s_or(med, "model", "-"));
	LINE("資産番号 / Property number", s_or(asset, "property_number", "-"));
	LINE("所管部署 / Department", s_or(asset, "department", "-"));
	LINE("完了させる消去証明書 / Erasure certificate closed", s_or(d, "closes", "-"));
	LINE("消去記録がない理由 / No erasure record", s_or(d, "no_erasure_record", "-"));
	snprintf(buf, sizeof(buf), "%s (%s)", s_or(tech, "name", "-"), s_or(tech, "term_ja", "-"));
	LINE("破壊方法 / Technique", buf);
	LINE("破壊日時 / Destroyed at", s_or(d, "destroyed_at", "-"));
	LINE("場所 / Location", s_or(d, "location", "-"));
	snprintf(buf, sizeof(buf), "%s / %s", s_or(by, "company", "-"), s_or(by, "person", "-"));
	LINE("破壊業者 / Destroyed by", buf);
	json_array_foreach(json_object_get(d, "witnesses"), i, w) {
		snprintf(buf, sizeof(buf), "%s (%s)", s_or(w, "name", "-"),
			 s_or(w, "organization", "-"));
		LINE("立会者 / Witness", buf);
	}
	snprintf(buf, sizeof(buf), "%zu", json_array_size(json_object_get(d, "evidence")));
	LINE("証拠ファイル / Evidence files", buf);
	if (!appr) {
		LINE("承認 / Approval", "署名済み承認なし / no signed approval");
		return;
	}
	LINE("承認ID / Approval ID", s_or(appr, "id", "-"));
	LINE("承認者 / Approver", s_or(appr, "approver", "-"));
	LINE("承認番号 / Approval reference", s_or(appr, "reference", "-"));
	LINE("承認日時 / Approved at", s_or(appr, "date", "-"));
	show_approval_link(appr);
}

/* Who else signed: named from each file, not checked against a CA. */
static void show_countersigners(const char *path)
{
	static struct kesu_countersigs cs;
	struct kesu_err err = {0};
	char *data;
	size_t len;
	if (kesu_read_file(path, KESU_CERT_MAX_BYTES, &data, &len, &err))
		return;
	kesu_countersigs_verify(path, data, len, NULL, &cs, &err);
	free(data);
	for (size_t i = 0; i < cs.n; i++) {
		char label[64], val[700];
		snprintf(label, sizeof(label), "%s (%s)",
			 !strcmp(cs.cs[i].role, "witness") ? "立会者署名 / Countersigned"
			 : !strcmp(cs.cs[i].role, "city") ? "受領署名 / Countersigned"
							  : "副署 / Countersigned",
			 cs.cs[i].role);
		snprintf(val, sizeof(val), "%s", cs.cs[i].ok ? cs.cs[i].sig.signer_subject
			 : _("DOES NOT MATCH THESE BYTES"));
		line(label, val);
	}
}

static void show_verdict(const struct kesu_cert_verdict *v)
{
	for (size_t k = 0; k < v->n_errors; k++)
		printf("  矛盾 / INCONSISTENT: %s\n", v->errors[k]);
	for (size_t k = 0; k < v->n_warnings; k++)
		printf("  注意 / WARNING: %s\n", v->warnings[k]);
}

static enum kesu_rc show_destruction_verdict(json_t *d, const char *path,
					     const struct kesu_cert_clock *clock)
{
	struct kesu_cert_verdict v;
	kesu_destruction_judge(d, clock, &v);
	printf("破壊証明書 / Destruction document  (signature not checked here: "
	       "use 'kesu cert verify')\n");
	show_destruction(d);
	show_countersigners(path);
	show_verdict(&v);
	json_decref(d);
	return v.n_errors ? KESU_ERR_INVALID : KESU_OK;
}

static const struct kesu_opt show_opts[] = {
	{"json", 0, NULL, N_("the certificate's JSON as stored (canonical form)")},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void show_help(FILE *out)
{
	kesu_opts_usage(out, "cert show", "FILE",
			N_("Show one certificate for people, with its consistency checked (its\n"
			   "signature is not: use 'kesu cert verify')."), show_opts);
}

static enum kesu_rc show_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	(void)opt, (void)arg;
	((struct cert_args *)ud)->json = true;
	return KESU_OK;
}

static enum kesu_rc cert_show(const struct kesu_verb *verb, const char *cmd, int argc,
			      char **argv)
{
	(void)verb;
	struct cert_args a = {0};
	int first;
	bool done;
	enum kesu_rc prc = parse(cmd, show_opts, show_opt, show_help, &a, argc, argv, &first,
				 &done);
	if (prc != KESU_OK || done)
		return prc;
	bool json = a.json;
	if (first + 1 != argc)
		return kesu_usage_error("cert show: give exactly one certificate file");
	struct kesu_err err = {0};
	char *data;
	size_t len;
	json_t *cert;
	enum kesu_rc rc;
	if ((rc = kesu_read_file(argv[first], KESU_CERT_MAX_BYTES, &data, &len, &err))) {
		kesu_report(&err);
		return rc;
	}
	bool destruction = kesu_destruction_is(data, len);
	rc = destruction ? kesu_destruction_parse(data, len, &cert, &err)
			 : kesu_cert_parse(data, len, &cert, &err);
	free(data);
	if (rc) {
		kesu_report(&err);
		return rc;
	}
	if (json) {
		char *s = kesu_cert_serialize(cert, NULL);
		fputs(s ? s : "", stdout);
		free(s);
		json_decref(cert);
		return KESU_OK;
	}
	struct kesu_cert_verdict v;
	struct kesu_cert_clock clock = {.now = time(NULL)};
	if (destruction)
		return show_destruction_verdict(cert, argv[first], &clock);
	kesu_cert_judge_at(cert, &clock, &v);
	printf("データ消去証明書 / Erasure certificate  (signature not checked here: "
	       "use 'kesu cert verify')\n");
	if (v.physical_destruction_required)
		printf("\n  !!! 物理的破壊が必要 / PHYSICAL DESTRUCTION REQUIRED !!!\n"
		       "  %s\n\n", KESU_CERT_MY_NUMBER_NOTE);
	show_parties(cert);
	show_medium(cert);
	show_health(cert);
	show_host(cert);
	show_execution(cert);
	show_speeds(cert, argv[first]);
	show_countersigners(argv[first]);
	show_verdict(&v);
	json_decref(cert);
	return v.n_errors ? KESU_ERR_INVALID : KESU_OK;
}

static enum kesu_rc cert_countersign(const struct kesu_verb *verb, const char *cmd,
				    int argc, char **argv)
{
	(void)verb, (void)cmd;
	return cmd_countersign(argc, argv);
}

static const struct kesu_verb VERBS[] = {
	{"issue", N_("sign certificates from run records and register them"), cert_issue, NULL},
	{"verify", N_("verify certificates: signature, chain, revocation, consistency"), cert_verify, NULL},
	{"timestamp", N_("add a missing RFC 3161 timestamp token"), cert_timestamp, NULL},
	{"show", N_("show one certificate for people"), cert_show, NULL},
	{"countersign", N_("add a witness's or the city's signature over the same bytes"),
	 cert_countersign, NULL},
	{"pdf", N_("print certificates as A4 PDFs"), cmd_cert_pdf, NULL},
	{NULL, NULL, NULL, NULL},
};

enum kesu_rc cmd_cert(int argc, char **argv)
{
	return kesu_verb_dispatch("cert", VERBS, N_("See kesu-certificate(5).\n"), argc, argv);
}
