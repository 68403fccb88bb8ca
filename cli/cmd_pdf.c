/* kesu cert pdf | kesu register report */
#include "cli/cmd_pdf.h"
#include "certs/print/cert_pdf.h"
#include "cli/cli.h"
#include "cli/register_opts.h"
#include "lib/config.h"
#include "lib/fileio.h"
#include "lib/i18n.h"
#include "lib/strutil.h"
#include "lib/timefmt.h"

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

/* --lang, for both PDFs. */
#define OPT_LANG {"lang", 0, "LANG", N_("labels in ja, en or ja+en (the default)")}

static enum kesu_rc lang_opt(const char *arg, enum kesu_lang *lang)
{
	if (kesu_lang_parse(arg, lang))
		return KESU_OK;
	char shown[32];
	kesu_clean(shown, sizeof(shown), arg, strlen(arg));
	return kesu_usage_error("--lang: '%s' is not ja, en or ja+en", shown);
}

enum { CP_OUT, CP_LANG, CP_CA, CP_CONFIG };
static const struct kesu_opt cert_pdf_opts[] = {
	[CP_OUT] = {"out", 0, "DIR", N_("write the PDFs here, not beside each certificate")},
	[CP_LANG] = OPT_LANG,
	[CP_CA] = {"ca", 0, "FILE", N_("the CA the signature must verify against ([trust] ca_file)")},
	[CP_CONFIG] = KESU_OPT_CONFIG,
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void cert_usage(FILE *out)
{
	fputs(_("Usage: kesu cert pdf CERT... [OPTIONS]\n\n"
	      "Print each signed certificate, destruction document or verification\n"
	      "report (CERT.p7s beside it) as an A4 PDF, CERT with .json replaced\n"
	      "by .pdf, beside it or in --out DIR.  The signature must be over the\n"
	      "file's bytes and, with a CA (--ca or [trust] ca_file), verify against\n"
	      "it; a document that contradicts itself is not printed.  See\n"
	      "kesu-certificate(5), kesu-destruction(5), kesu-verification(5).\n\n"), out);
	kesu_opts_print(out, cert_pdf_opts);
}

struct cert_pdf_args {
	const char *out, *ca, *config;
	struct kesu_print_opts po;
};

static enum kesu_rc cert_pdf_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct cert_pdf_args *a = ud;
	switch (KESU_OPT_ID(opt, cert_pdf_opts)) {
	case CP_OUT: a->out = arg; break;
	case CP_LANG: return lang_opt(arg, &a->po.lang);
	case CP_CA: a->ca = arg; break;
	case CP_CONFIG: a->config = arg; break;
	}
	return KESU_OK;
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

enum kesu_rc cmd_cert_pdf(const struct kesu_verb *v, const char *cmd, int argc, char **argv)
{
	(void)v;
	static const struct kesu_opt *const tables[] = {cert_pdf_opts, NULL};
	struct cert_pdf_args a = {
		.po = {.lang = KESU_LANG_JA_EN, .creator = "kesu " KESU_VERSION},
	};
	const struct kesu_cmd_opts c = {cmd, tables, cert_pdf_opt, &a, cert_usage};
	int first;
	bool done;
	enum kesu_rc rc = kesu_opts_parse(&c, argc, argv, &first, &done);
	if (rc != KESU_OK || done)
		return rc;
	struct kesu_print_opts po = a.po;
	const char *out = a.out, *ca = a.ca, *config = a.config;
	if (first >= argc)
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
	for (int i = first; i < argc; i++) {
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

enum { RP_PDF, RP_OUT, RP_SINCE, RP_UNTIL, RP_DEPT, RP_LANG, RP_CERT_DIR, RP_REGISTER, RP_CA,
       RP_CONFIG };
static const struct kesu_opt report_opts[] = {
	[RP_PDF] = {"pdf", 0, NULL, N_("a PDF (the only format)")},
	[RP_OUT] = {"out", 0, "FILE", N_("the PDF to write")},
	[RP_SINCE] = KESU_REG_OPT_SINCE,
	[RP_UNTIL] = KESU_REG_OPT_UNTIL,
	[RP_DEPT] = {"department", 0, "NAME", N_("only media whose certificate names this department")},
	[RP_LANG] = OPT_LANG,
	[RP_CERT_DIR] = {"cert-dir", 0, "DIR", N_("find certificates here by name when the register's paths are not on this machine")},
	[RP_REGISTER] = {"register", 0, "FILE", N_("the register file ([register] path)")},
	[RP_CA] = {"ca", 0, "FILE", N_("trusted CA for the signatures ([trust] ca_file)")},
	[RP_CONFIG] = KESU_OPT_CONFIG,
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void report_usage(FILE *out)
{
	fputs(_("Usage: kesu register report --pdf --out FILE [OPTIONS]\n\n"
	      "The disposal ledger for a period as an A4 landscape PDF: one row per\n"
	      "medium, totals by result and method, open My Number media, the\n"
	      "register head and its signature status, a box for the security\n"
	      "manager's seal.  See kesu-register(5).\n\n"), out);
	kesu_opts_print(out, report_opts);
}

struct report_args {
	struct kesu_report_opts ro;
	struct kesu_print_opts po;
	const char *out, *ca, *config;
	bool pdf;
};

static enum kesu_rc report_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct report_args *a = ud;
	switch (KESU_OPT_ID(opt, report_opts)) {
	case RP_PDF: a->pdf = true; break;
	case RP_OUT: a->out = arg; break;
	case RP_SINCE: return kesu_opt_time(opt, arg, &a->ro.since);
	case RP_UNTIL: return kesu_opt_time(opt, arg, &a->ro.until);
	case RP_DEPT: a->ro.department = arg; break;
	case RP_LANG: return lang_opt(arg, &a->po.lang);
	case RP_CERT_DIR: a->ro.cert_dir = arg; break;
	case RP_REGISTER: a->ro.register_path = arg; break;
	case RP_CA: a->ca = arg; break;
	case RP_CONFIG: a->config = arg; break;
	}
	return KESU_OK;
}

enum kesu_rc cmd_register_report(const struct kesu_verb *v, const char *cmd, int argc,
				 char **argv)
{
	(void)v;
	static const struct kesu_opt *const tables[] = {report_opts, NULL};
	struct report_args a = {
		.po = {.lang = KESU_LANG_JA_EN, .creator = "kesu " KESU_VERSION},
	};
	const struct kesu_cmd_opts c = {cmd, tables, report_opt, &a, report_usage};
	int first;
	bool done;
	enum kesu_rc rc = kesu_opts_parse(&c, argc, argv, &first, &done);
	if (rc != KESU_OK || done)
		return rc;
	struct kesu_report_opts ro = a.ro;
	struct kesu_print_opts po = a.po;
	const char *out = a.out, *ca = a.ca, *config = a.config;
	bool pdf = a.pdf;
	if (first < argc)
		return kesu_usage_error("register report: unexpected argument '%s'", argv[first]);
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
	printf(_("%s: %zu media\n"), out, rows);
	return KESU_OK;
}
