/* kesu cert issue | verify | show */
#include "certs/document/certificate.h"
#include "cli/cli.h"
#include "cli/cmd_pdf.h"
#include "certs/document/cert_verify.h"
#include "lib/config.h"
#include "lib/fileio.h"
#include "cli/cert_opts.h"
#include "lib/timefmt.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      "  kesu cert issue RUN-RECORD... [certificate options]\n"
	      "  kesu cert verify FILE... [--ca FILE] [--crl FILE] [--tsa-ca-file FILE]\n"
	      "                   [--at TIME] [--json] [--config FILE]\n"
	      "  kesu cert timestamp FILE... [--tsa URL] [--tsa-ca-file FILE] [--config FILE]\n"
	      "  kesu cert show FILE [--json]\n"
	      "  kesu cert pdf FILE... [--out DIR] [--lang ja|en|ja+en] [--ca FILE]\n\n"
	      "Issue signed disposal certificates from run records, verify them\n"
	      "(signature, CA chain at signing time or at the timestamp's time,\n"
	      "revocation, internal consistency, the run record beside it), add a\n"
	      "missing RFC 3161 timestamp token (FILE.tsr, over FILE.p7s), or show\n"
	      "one for people.  See kesu-certificate(5).\n\n", out);
	kesu_cert_opts_help(out);
}

static enum kesu_rc issue_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	return kesu_cert_opt_apply(ud, opt, arg);
}

static enum kesu_rc cert_issue(int argc, char **argv)
{
	static const struct kesu_opt help_table[] = {KESU_OPT_HELP, KESU_OPT_END};
	static const struct kesu_opt *const tables[] = {kesu_cert_opt_table, help_table, NULL};
	struct kesu_cert_opts o = {0};
	const struct kesu_cmd_opts c = {"cert issue", tables, issue_opt, &o, usage};
	int optind;
	bool done;
	enum kesu_rc rc = kesu_opts_parse(&c, argc, argv, &optind, &done);
	if (rc != KESU_OK || done)
		return rc;
	if (optind >= argc)
		return kesu_usage_error("cert issue: give the run record file(s)");
	struct kesu_err err = {0};
	struct kesu_issuer *is;
	if ((rc = kesu_issuer_prepare(&o, &is, &err))) {
		kesu_report(&err);
		return rc;
	}
	enum kesu_rc worst = KESU_OK;
	for (int i = optind; i < argc; i++) {
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

static enum kesu_rc cert_timestamp(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"tsa", required_argument, NULL, 't'},
		{"tsa-ca-file", required_argument, NULL, 'T'},
		{"config", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *url = NULL, *tsa_ca = NULL, *config = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 't': url = optarg; break;
		case 'T': tsa_ca = optarg; break;
		case 'C': config = optarg; break;
		case 'h': usage(stdout); return KESU_OK;
		default: return KESU_ERR_USAGE;
		}
	}
	if (optind >= argc)
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
	for (int i = optind; i < argc; i++) {
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

static enum kesu_rc cert_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"ca", required_argument, NULL, 'c'},
		{"crl", required_argument, NULL, 'r'},
		{"at", required_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},
		{"config", required_argument, NULL, 'C'},
		{"tsa-ca-file", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *ca = NULL, *crl = NULL, *config = NULL, *tsa_ca = NULL;
	time_t at = 0;
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': ca = optarg; break;
		case 'r': crl = optarg; break;
		case 'a':
			if (!kesu_time_parse(optarg, &at))
				return kesu_usage_error("--at: '%s' is not RFC 3339 or YYYY-MM-DD",
							optarg);
			break;
		case 'j': json = true; break;
		case 'C': config = optarg; break;
		case 'T': tsa_ca = optarg; break;
		case 'h': usage(stdout); return KESU_OK;
		default: return KESU_ERR_USAGE;
		}
	}
	if (optind >= argc)
		return kesu_usage_error("cert verify: give the certificate file(s)");
	struct kesu_config cfg;
	struct kesu_err err = {0};
	if (!ca || !tsa_ca) {
		enum kesu_rc rc = kesu_config_load(config, &cfg, &err);
		if (rc) {
			kesu_report(&err);
			return rc;
		}
		tsa_ca = tsa_ca ? tsa_ca : cfg.tsa_ca_file;
	}
	if (!ca) {
		ca = cfg.ca_file;
		if (!ca[0])
			return kesu_usage_error("cert verify: no trusted CA; give --ca FILE "
						"or set [trust] ca_file in kesu.conf");
		/* The configured CRL belongs to the configured CA; with --ca
		 * another CA's CRL is given with --crl. */
		if (!crl && cfg.crl_file[0])
			crl = cfg.crl_file;
	}
	struct kesu_trust trust = {.ca_file = ca, .crl_file = crl, .at = at,
				   .tsa_ca_file = tsa_ca};
	/* Many files, one reading of the CA and CRL; without memory for the
	 * store each check reads the files itself, as before. */
	struct kesu_err ignored;
	kesu_trust_store_new(&trust.store, &ignored);
	enum kesu_rc worst = KESU_OK;
	json_t *arr = json ? json_array() : NULL;
	for (int i = optind; i < argc; i++) {
		struct kesu_cert_file_verdict ov;
		enum kesu_rc rc = kesu_cert_verify(argv[i], &trust, &ov);
		if (rc && !worst)
			worst = rc;
		if (json) {
			json_t *w = json_array();
			for (size_t k = 0; k < ov.v.n_warnings; k++)
				json_array_append_new(w, json_string(ov.v.warnings[k]));
			char st[KESU_TIME_LEN] = "";
			if (ov.sig.signing_time)
				kesu_time_format(ov.sig.signing_time, st);
			json_array_append_new(arr, json_pack(
				"{s:o s:b s:s s:o s:o s:o s:o s:o s:b s:b s:b s:o s:o}",
				"file", kesu_json_str(argv[i]), "ok", ov.ok, "verdict", ov.stage,
				"error", ov.ok ? json_null() : kesu_json_str(ov.error),
				"id", ov.id[0] ? json_string(ov.id) : json_null(),
				"result", ov.result[0] ? json_string(ov.result) : json_null(),
				"signer", ov.ok ? kesu_json_str(ov.sig.signer_subject) : json_null(),
				"signing_time", ov.ok ? json_string(st) : json_null(),
				"physical_destruction_required", ov.v.physical_destruction_required,
				"revocation_checked", ov.ok && ov.sig.revocation_checked,
				"run_record_checked", ov.ok && ov.run_record_checked,
				"warnings", w, "timestamp", ts_json(&ov)));
			continue;
		}
		char shown[PATH_MAX];
		kesu_clean(shown, sizeof(shown), argv[i], strlen(argv[i]));
		if (!ov.ok) {
			printf("%s: %s: %s\n", shown, ov.stage, ov.error);
			continue;
		}
		char st[KESU_TIME_LEN];
		kesu_time_format(ov.sig.signing_time, st);
		printf("%s: OK: result %s, signed by %s at %s%s%s", shown, ov.result,
		       ov.sig.signer_subject, st,
		       ov.sig.revocation_checked ? ", not revoked" : "",
		       ov.run_record_checked ? ", run record matches" : "");
		if (ov.ts_checked) {
			kesu_time_format(ov.ts.gen_time, st);
			printf(", timestamped %s by %s", st, ov.ts.tsa_subject);
		} else if (ov.ts_present) {
			printf("; timestamp token NOT checked (give --tsa-ca-file)");
		}
		for (size_t k = 0; k < ov.v.n_warnings; k++)
			printf("; WARNING: %s", ov.v.warnings[k]);
		printf("\n");
	}
	if (json) {
		char *s = json_dumps(arr, JSON_INDENT(2));
		if (s)
			printf("%s\n", s);
		free(s);
		json_decref(arr);
	}
	kesu_trust_store_free(trust.store);
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

static enum kesu_rc cert_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool json = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': usage(stdout); return KESU_OK;
		default: return KESU_ERR_USAGE;
		}
	}
	if (optind + 1 != argc)
		return kesu_usage_error("cert show: give exactly one certificate file");
	struct kesu_err err = {0};
	char *data;
	size_t len;
	json_t *cert;
	enum kesu_rc rc;
	if ((rc = kesu_read_file(argv[optind], KESU_CERT_MAX_BYTES, &data, &len, &err)) ||
	    (rc = kesu_cert_parse(data, len, &cert, &err))) {
		kesu_report(&err);
		return rc;
	}
	free(data);
	if (json) {
		char *s = kesu_cert_serialize(cert, NULL);
		fputs(s ? s : "", stdout);
		free(s);
		json_decref(cert);
		return KESU_OK;
	}
	struct kesu_cert_verdict v;
	struct kesu_cert_clock clock = {.now = time(NULL)};
	kesu_cert_judge_at(cert, &clock, &v);
	const json_t *op = json_object_get(cert, "operator"),
		     *asset = json_object_get(cert, "asset"),
		     *appr = json_object_get(cert, "approval"),
		     *dev = json_object_get(cert, "device"),
		     *m = json_object_get(cert, "method"),
		     *ver = json_object_get(m, "verification"),
		     *ex = json_object_get(cert, "execution"),
		     *tool = json_object_get(cert, "tool"),
		     *rr = json_object_get(cert, "run_record");
	char buf[600];
	printf("データ消去証明書 / Erasure certificate  (signature not checked here: "
	       "use 'kesu cert verify')\n");
	if (v.physical_destruction_required)
		printf("\n  !!! 物理的破壊が必要 / PHYSICAL DESTRUCTION REQUIRED !!!\n"
		       "  %s\n\n", KESU_CERT_MY_NUMBER_NOTE);
	LINE("証明書ID / Certificate ID", s_or(cert, "id", "-"));
	LINE("発行日時 / Issued at", s_or(cert, "issued_at", "-"));
	snprintf(buf, sizeof(buf), "%s", s_or(cert, "result", "-"));
	if (!strcmp(buf, "not-erased"))
		snprintf(buf, sizeof(buf), "not-erased (消去されていません / NOT ERASED)");
	LINE("結果 / Result", buf);
	LINE("作業者 / Operator", s_or(op, "name", "-"));
	LINE("役職 / Title", s_or(op, "title", "-"));
	LINE("所属 / Organization", s_or(op, "organization", "-"));
	LINE("連絡先 / Contact", s_or(op, "contact", "-"));
	LINE("所管部署 / Customer (owning department)", s_or(cert, "customer", "-"));
	LINE("資産番号 / Property number", s_or(asset, "property_number", "-"));
	snprintf(buf, sizeof(buf), "%lld",
		 (long long)json_integer_value(json_object_get(asset, "confidentiality_class")));
	LINE("機密性 / Confidentiality class", buf);
	LINE("マイナンバー / My Number data",
	     json_is_true(json_object_get(asset, "my_number")) ? "はい / yes" : "いいえ / no");
	LINE("理由 / Reason", s_or(asset, "reason", "-"));
	LINE("行先 / Destination", s_or(asset, "destination", "-"));
	LINE("承認者 / Approver", s_or(appr, "approver", "-"));
	LINE("承認番号 / Approval reference", s_or(appr, "reference", "-"));
	LINE("承認日 / Approval date", s_or(appr, "date", "-"));
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(cert, "witnesses"), i, w) {
		snprintf(buf, sizeof(buf), "%s (%s)", s_or(w, "name", "-"),
			 s_or(w, "organization", "-"));
		LINE("立会者 / Witness", buf);
	}
	if (!json_array_size(json_object_get(cert, "witnesses")))
		LINE("立会者 / Witness", "なし / none");
	snprintf(buf, sizeof(buf), "%s%s%s (%s)", s_or(dev, "vendor", ""),
		 json_is_string(json_object_get(dev, "vendor")) ? " " : "",
		 s_or(dev, "model", "-"), s_or(dev, "path", "-"));
	LINE("装置 / Device", buf);
	LINE("シリアル番号 / Serial", s_or(dev, "serial", "-"));
	snprintf(buf, sizeof(buf), "%lld bytes",
		 (long long)json_integer_value(json_object_get(dev, "size_bytes")));
	LINE("容量 / Size", buf);
	snprintf(buf, sizeof(buf), "%s (NIST SP 800-88 %s, %s)", s_or(m, "name", "-"),
		 s_or(m, "nist_category", "-"), s_or(m, "technique", "-"));
	LINE("消去方式 / Method", buf);
	buf[0] = '\0';
	json_array_foreach(json_object_get(m, "passes"), i, w) {
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : "", json_string_value(w));
	}
	LINE("パス / Passes", buf[0] ? buf : "-");
	snprintf(buf, sizeof(buf), "%s: %s", s_or(ver, "mode", "-"), s_or(ver, "outcome", "-"));
	LINE("検証 / Verification", buf);
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
	LINE("作業結果 / Run result", s_or(ex, "run_result", "-"));
	LINE("理由 / Run reason", s_or(ex, "reason", "-"));
	snprintf(buf, sizeof(buf), "%s %s", s_or(tool, "name", "-"), s_or(tool, "version", "-"));
	LINE("ツール / Tool", buf);
	snprintf(buf, sizeof(buf), "%s (sha256 %s)", s_or(rr, "file", "-"), s_or(rr, "sha256", "-"));
	LINE("作業記録 / Run record", buf);
	for (size_t k = 0; k < v.n_errors; k++)
		printf("  矛盾 / INCONSISTENT: %s\n", v.errors[k]);
	for (size_t k = 0; k < v.n_warnings; k++)
		printf("  注意 / WARNING: %s\n", v.warnings[k]);
	json_decref(cert);
	return v.n_errors ? KESU_ERR_INVALID : KESU_OK;
}

enum kesu_rc cmd_cert(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? KESU_ERR_USAGE : KESU_OK;
	}
	if (!strcmp(argv[1], "issue"))
		return cert_issue(argc - 1, argv + 1);
	if (!strcmp(argv[1], "verify"))
		return cert_verify(argc - 1, argv + 1);
	if (!strcmp(argv[1], "show"))
		return cert_show(argc - 1, argv + 1);
	if (!strcmp(argv[1], "timestamp"))
		return cert_timestamp(argc - 1, argv + 1);
	if (!strcmp(argv[1], "pdf"))
		return cmd_cert_pdf(argc - 1, argv + 1);
	return kesu_usage_error("cert: unknown subcommand '%s'; use issue, verify, "
				"timestamp, show or pdf",
				argv[1]);
}
