/* kesu cert pdf | kesu register report */
#include "cli/cmd_pdf.h"
#include "certs/print/cert_pdf.h"
#include "cli/cli.h"
#include "lib/config.h"
#include "lib/fileio.h"
#include "lib/timefmt.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef KESU_VERSION
#define KESU_VERSION "0.0.0"
#endif

/* SOURCE_DATE_EPOCH (reproducible-builds.org) pins the printed-at time and
 * the PDF dates, so the same certificate prints to the same bytes. */
static enum kesu_rc print_time(time_t *now)
{
	const char *e = getenv("SOURCE_DATE_EPOCH");
	if (!e || !e[0]) {
		*now = time(NULL);
		return KESU_OK;
	}
	char *end;
	long long v = strtoll(e, &end, 10);
	if (*end || v < 0)
		return kesu_usage_error("SOURCE_DATE_EPOCH='%s' is not a number of seconds", e);
	*now = (time_t)v;
	return KESU_OK;
}

static void cert_usage(FILE *out)
{
	fputs("Usage: kesu cert pdf CERT... [--out DIR] [--lang ja|en|ja+en] [--ca FILE]\n"
	      "                     [--config FILE]\n\n"
	      "Print each signed certificate (CERT.p7s beside it) as an A4 PDF,\n"
	      "CERT with .json replaced by .pdf, beside it or in --out DIR.  The\n"
	      "signature must be over the file's bytes and, with a CA (--ca or\n"
	      "[trust] ca_file), verify against it; a certificate that contradicts\n"
	      "itself is not printed.  --lang: labels in Japanese, English, or both\n"
	      "(ja+en, the default).  See kesu-certificate(5).\n", out);
}

static const char *ca_from(const char *ca, const char *config, bool *fail)
{
	static struct kesu_config cfg;
	struct kesu_err err = {0};
	*fail = false;
	if (ca)
		return ca;
	if (kesu_config_load(config, &cfg, &err)) {
		kesu_report(&err);
		*fail = true;
		return NULL;
	}
	return cfg.ca_file[0] ? cfg.ca_file : NULL;
}

enum kesu_rc cmd_cert_pdf(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"out", required_argument, NULL, 'o'},
		{"lang", required_argument, NULL, 'l'},
		{"ca", required_argument, NULL, 'c'},
		{"config", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *out = NULL, *ca = NULL, *config = NULL;
	struct kesu_print_opts po = {.lang = KESU_LANG_JA_EN, .creator = "kesu " KESU_VERSION};
	enum kesu_rc rc;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'c': ca = optarg; break;
		case 'C': config = optarg; break;
		case 'l':
			if (!kesu_lang_parse(optarg, &po.lang))
				return kesu_usage_error("--lang: '%s' is not ja, en or ja+en", optarg);
			break;
		case 'h': cert_usage(stdout); return KESU_OK;
		default: return KESU_ERR_USAGE;
		}
	}
	if (optind >= argc)
		return kesu_usage_error("cert pdf: give the certificate file(s)");
	bool fail;
	po.ca_file = ca_from(ca, config, &fail);
	if (fail)
		return KESU_ERR_INVALID;
	if ((rc = print_time(&po.now)))
		return rc;
	struct kesu_err merr = {0};
	if (out && (rc = kesu_mkdir_p(out, 0755, &merr))) {
		kesu_report(&merr);
		return rc;
	}
	enum kesu_rc worst = KESU_OK;
	for (int i = optind; i < argc; i++) {
		char pdf[PATH_MAX];
		struct kesu_err err = {0};
		if (!kesu_cert_pdf_path(argv[i], out, pdf, sizeof(pdf))) {
			rc = kesu_usage_error("%s: path too long", argv[i]);
		} else if ((rc = kesu_cert_pdf_write(argv[i], pdf, &po, &err))) {
			kesu_report(&err);
		} else {
			printf("%s\n", pdf);
		}
		worst = worst ? worst : rc;
	}
	return worst;
}

enum kesu_rc kesu_cli_pdf_beside(const char *cert_path, enum kesu_lang lang,
				 const char *config_path, char *pdf_path,
				 size_t pdf_path_size)
{
	struct kesu_print_opts po = {.lang = lang, .creator = "kesu " KESU_VERSION};
	struct kesu_err err = {0};
	bool fail;
	enum kesu_rc rc;
	pdf_path[0] = '\0';
	po.ca_file = ca_from(NULL, config_path, &fail);
	if (fail)
		return KESU_ERR_INVALID;
	if ((rc = print_time(&po.now)))
		return rc;
	if (!kesu_cert_pdf_path(cert_path, NULL, pdf_path, pdf_path_size)) {
		pdf_path[0] = '\0';
		return kesu_usage_error("%s: path too long for its PDF", cert_path);
	}
	if ((rc = kesu_cert_pdf_write(cert_path, pdf_path, &po, &err))) {
		pdf_path[0] = '\0';
		kesu_report(&err);
	}
	return rc;
}

static void report_usage(FILE *out)
{
	fputs("Usage: kesu register report --pdf --out FILE [--since TIME] [--until TIME]\n"
	      "                            [--department NAME] [--lang ja|en|ja+en]\n"
	      "                            [--cert-dir DIR] [--register FILE] [--ca FILE]\n"
	      "                            [--config FILE]\n\n"
	      "The disposal ledger for a period as an A4 landscape PDF: one row per\n"
	      "medium, totals by result and method, open My Number media, the\n"
	      "register head and its signature status, a box for the security\n"
	      "manager's seal.  --cert-dir: where to find certificates by name when\n"
	      "the register's paths are not on this machine.  See kesu-register(5).\n",
	      out);
}

enum kesu_rc cmd_register_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"pdf", no_argument, NULL, 'p'},
		{"out", required_argument, NULL, 'o'},
		{"since", required_argument, NULL, 's'},
		{"until", required_argument, NULL, 'u'},
		{"department", required_argument, NULL, 'd'},
		{"lang", required_argument, NULL, 'l'},
		{"cert-dir", required_argument, NULL, 'D'},
		{"register", required_argument, NULL, 'r'},
		{"ca", required_argument, NULL, 'c'},
		{"config", required_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct kesu_report_opts ro = {0};
	struct kesu_print_opts po = {.lang = KESU_LANG_JA_EN, .creator = "kesu " KESU_VERSION};
	const char *out = NULL, *ca = NULL, *config = NULL;
	bool pdf = false;
	enum kesu_rc rc;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': pdf = true; break;
		case 'o': out = optarg; break;
		case 'd': ro.department = optarg; break;
		case 'D': ro.cert_dir = optarg; break;
		case 'r': ro.register_path = optarg; break;
		case 'c': ca = optarg; break;
		case 'C': config = optarg; break;
		case 's': case 'u':
			if (!kesu_time_parse(optarg, c == 's' ? &ro.since : &ro.until))
				return kesu_usage_error("--%s: '%s' is not RFC 3339 or YYYY-MM-DD",
							c == 's' ? "since" : "until", optarg);
			break;
		case 'l':
			if (!kesu_lang_parse(optarg, &po.lang))
				return kesu_usage_error("--lang: '%s' is not ja, en or ja+en", optarg);
			break;
		case 'h': report_usage(stdout); return KESU_OK;
		default: return KESU_ERR_USAGE;
		}
	}
	if (optind < argc)
		return kesu_usage_error("register report: unexpected argument '%s'", argv[optind]);
	if (!pdf)
		return kesu_usage_error("register report: give --pdf (the only format)");
	if (!out)
		return kesu_usage_error("register report: give --out FILE for the PDF");
	struct kesu_config cfg;
	struct kesu_err err = {0};
	if ((rc = kesu_config_load(config, &cfg, &err))) {
		kesu_report(&err);
		return rc;
	}
	if (!ro.register_path)
		ro.register_path = cfg.register_path;
	po.ca_file = ca ? ca : cfg.ca_file[0] ? cfg.ca_file : NULL;
	if ((rc = print_time(&po.now)))
		return rc;
	size_t rows;
	if ((rc = kesu_report_pdf_write(&ro, &po, out, &rows, &err))) {
		kesu_report(&err);
		return rc;
	}
	printf("%s: %zu media\n", out, rows);
	return KESU_OK;
}
