/* kesu approval new | verify | show: the information security manager's
 * signed permission to erase (kesu-approval(5)). */
#include "certs/document/approval_link.h"
#include "certs/register/backend.h"
#include "certs/sign/role.h"
#include "cli/cli.h"
#include "cli/code_words.h"
#include "cli/opts.h"
#include "lib/config.h"
#include "lib/fileio.h"
#include "lib/i18n.h"
#include "lib/termtext.h"
#include "lib/timefmt.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS KESU_APPROVAL_MAX_ITEMS

enum {
	OPT_KEY, OPT_CERT, OPT_CONFIG, OPT_CA, OPT_CRL, OPT_REF, OPT_REASON, OPT_CLASS,
	OPT_CUSTOMER, OPT_ASSET, OPT_SERIAL, OPT_OPERATOR, OPT_OPERATOR_CERT, OPT_FROM,
	OPT_UNTIL, OPT_OUT, OPT_JSON, OPT_REGISTER,
};
static const struct kesu_opt approval_opts[] = {
	[OPT_KEY] = {"key", 0, "FILE|URI", N_("the approver's signing key ([signing] key)")},
	[OPT_CERT] = {"cert", 0, "FILE", N_("the approver's certificate, approver role ([signing] cert)")},
	[OPT_CONFIG] = {"config", 0, "FILE", N_("configuration (default /etc/kesu/kesu.conf)")},
	[OPT_CA] = {"ca", 0, "FILE", N_("trusted CA ([trust] ca_file)")},
	[OPT_CRL] = {"crl", 0, "FILE", N_("the CA's CRL ([trust] crl_file)")},
	[OPT_REF] = {"reference", 0, "REF", N_("new: the work order's reference number")},
	[OPT_REASON] = {"reason", 0, "R", N_("new: disposal, lease-return, repair or reuse")},
	[OPT_CLASS] = {"class", 0, "1|2|3", N_("new: confidentiality class of the media")},
	[OPT_CUSTOMER] = {"customer", 0, "NAME", N_("new: owning department")},
	[OPT_ASSET] = {"asset", 0, "NUMBER", N_("new: a property number it covers (repeatable)")},
	[OPT_SERIAL] = {"serial", 0, "SERIAL", N_("new: a medium serial it covers (repeatable)")},
	[OPT_OPERATOR] = {"operator", 0, "NAME", N_("new: who may do the work (repeatable)")},
	[OPT_OPERATOR_CERT] = {"operator-cert", 0, "PEM", N_("new: ... or their certificate (repeatable)")},
	[OPT_FROM] = {"valid-from", 0, "TIME", N_("new: RFC 3339 or YYYY-MM-DD (default now)")},
	[OPT_UNTIL] = {"valid-until", 0, "TIME", N_("new: RFC 3339 or YYYY-MM-DD (required)")},
	[OPT_OUT] = {"out", 0, "DIR", N_("new: where it goes (default .)")},
	[OPT_JSON] = {"json", 0, NULL, N_("verify, show: JSON output")},
	[OPT_REGISTER] = {"register", 0, "FILE", N_("new: also add it to this register (kesu-register(5))")},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void usage(FILE *out)
{
	fputs(_("Usage:\n"
	      "  kesu approval new --reference REF --reason R --class N\n"
	      "                    (--asset A | --serial S)... (--operator NAME | --operator-cert PEM)...\n"
	      "                    --valid-until TIME [--valid-from TIME] [--key K --cert C] [--out DIR]\n"
	      "                    [--register FILE]\n"
	      "  kesu approval verify FILE... [--ca FILE] [--crl FILE] [--json]\n"
	      "  kesu approval show FILE [--json]\n\n"
	      "Sign a work order as the information security manager, check one, or\n"
	      "show it.  kesu wipe and kesu cert issue take it with --approval FILE\n"
	      "and refuse media, operators or times it does not cover.  See\n"
	      "kesu-approval(5).\n\n"), out);
	kesu_opts_print(out, approval_opts);
}

struct args {
	const char *key, *cert, *config, *ca, *crl, *out, *reg;
	bool json, from_given;
	struct kesu_approval_req r;
	const char *assets[MAX_ITEMS], *serials[MAX_ITEMS], *operators[MAX_ITEMS];
	const char *op_cert_paths[MAX_ITEMS];
	size_t n_op_cert_paths;
	char (*op_certs)[65];
};

static enum kesu_rc push(const char **list, size_t *n, const char *arg, const char *opt)
{
	if (*n >= MAX_ITEMS)
		return kesu_usage_error("--%s: at most %d", opt, MAX_ITEMS);
	if (!kesu_is_clean(arg) || strlen(arg) > KESU_STR_MAX)
		return kesu_usage_error("--%s: too long or contains control characters", opt);
	list[(*n)++] = arg;
	return KESU_OK;
}

static enum kesu_rc when(const char *arg, time_t *t, const char *opt)
{
	if (!kesu_time_parse(arg, t))
		return kesu_usage_error("--%s: '%s' is not RFC 3339 or YYYY-MM-DD", opt, arg);
	return KESU_OK;
}

static enum kesu_rc opt_fn(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct args *a = ud;
	struct kesu_approval_req *r = &a->r;
	switch (KESU_OPT_ID(opt, approval_opts)) {
	case OPT_KEY: a->key = arg; break;
	case OPT_CERT: a->cert = arg; break;
	case OPT_CONFIG: a->config = arg; break;
	case OPT_CA: a->ca = arg; break;
	case OPT_CRL: a->crl = arg; break;
	case OPT_OUT: a->out = arg; break;
	case OPT_JSON: a->json = true; break;
	case OPT_REGISTER: a->reg = arg; break;
	case OPT_REF: r->reference = arg; break;
	case OPT_REASON: r->reason = arg; break;
	case OPT_CUSTOMER: r->customer = arg; break;
	case OPT_CLASS:
		if (strlen(arg) != 1 || arg[0] < '1' || arg[0] > '3')
			return kesu_usage_error("--class: must be 1, 2 or 3");
		r->confidentiality_class = arg[0] - '0';
		break;
	case OPT_ASSET: return push(a->assets, &r->n_assets, arg, "asset");
	case OPT_SERIAL: return push(a->serials, &r->n_serials, arg, "serial");
	case OPT_OPERATOR: return push(a->operators, &r->n_operators, arg, "operator");
	case OPT_OPERATOR_CERT:
		return push(a->op_cert_paths, &a->n_op_cert_paths, arg, "operator-cert");
	case OPT_FROM: a->from_given = true; return when(arg, &r->valid_from, "valid-from");
	case OPT_UNTIL: return when(arg, &r->valid_until, "valid-until");
	}
	return KESU_OK;
}

static enum kesu_rc approval_new(struct args *a, int nargs)
{
	if (nargs)
		return kesu_usage_error("approval new: takes no file operands");
	struct kesu_approval_req *r = &a->r;
	if (!r->reference || !r->reason || !r->confidentiality_class || !r->valid_until)
		return kesu_usage_error("approval new: give --reference, --reason, --class "
					"and --valid-until");
	if (!a->from_given)
		r->valid_from = time(NULL);
	struct kesu_err err = {0};
	struct kesu_config cfg;
	enum kesu_rc rc = kesu_config_load(a->config, &cfg, &err);
	char(*fprs)[65] = calloc(MAX_ITEMS, 65);
	const char *fpr_ptrs[MAX_ITEMS];
	if (!rc && !fprs)
		rc = kesu_fail(&err, KESU_ERR_INTERNAL, 0, "out of memory");
	for (size_t i = 0; !rc && i < a->n_op_cert_paths; i++) {
		rc = kesu_cert_pem_sha256(a->op_cert_paths[i], fprs[i], &err);
		fpr_ptrs[i] = fprs[i];
	}
	r->assets = a->assets;
	r->serials = a->serials;
	r->operators = a->operators;
	r->operator_certs = fpr_ptrs;
	r->n_operator_certs = a->n_op_cert_paths;
	struct kesu_signer *s = NULL;
	char path[PATH_MAX];
	if (!rc)
		rc = kesu_signer_open(a->key ? a->key : cfg.key, a->cert ? a->cert : cfg.cert,
				      cfg.pin_file, cfg.pkcs11_module, &s, &err);
	const char *ca = a->ca ? a->ca : cfg.ca_file;
	/* The register is checked first: an approval it cannot take is not
	 * left signed and unregistered. */
	if (!rc && a->reg)
		rc = kesu_reg_check_writable(a->reg, ca, &err);
	if (!rc)
		rc = kesu_approval_issue(s, r, ca, a->crl ? a->crl : cfg.crl_file,
					 a->out ? a->out : ".", path, sizeof(path), &err);
	if (!rc && a->reg)
		rc = kesu_reg_append_doc_ts(a->reg, path, s, ca, NULL, NULL, &err);
	kesu_signer_free(s);
	free(fprs);
	if (rc) {
		kesu_report(&err);
		return rc;
	}
	printf("%s\n", path);
	return KESU_OK;
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "-";
}

/* Whether it allows work now: a verified approval past its window is still
 * a true record of what was approved, but no longer permission. */
static const char *state_now(const json_t *d)
{
	time_t from = 0, until = 0, now = time(NULL);
	kesu_time_parse(jstr(d, "valid_from"), &from);
	kesu_time_parse(jstr(d, "valid_until"), &until);
	return now < from ? "not-yet-valid" : now >= until ? "expired" : "valid";
}

/* "  label" padded to 22 terminal columns: a translated label is wider on a
 * terminal than its bytes. */
static void label(const char *text)
{
	char cell[128];
	kesu_term_cell(cell, sizeof(cell), text, 22, false);
	printf("  %s", cell);
}

static void list_line(const char *text, const json_t *arr)
{
	size_t i;
	json_t *v;
	label(text);
	json_array_foreach(arr, i, v)
		printf("%s%s", i ? ", " : "", json_string_value(v));
	printf("%s\n", json_array_size(arr) ? "" : "-");
}

static void print_doc(const json_t *d)
{
	label(_("reference"));
	printf("%s\n", jstr(d, "reference"));
	char buf[256], cls[24];
	label(_("reason"));
	printf("%s\n", kesu_cli_code(KESU_CODES_REASON, jstr(d, "reason"), buf, sizeof(buf)));
	label(_("class"));
	snprintf(cls, sizeof(cls), "%lld",
		 (long long)json_integer_value(json_object_get(d, "confidentiality_class")));
	printf("%s\n", kesu_cli_code(KESU_CODES_CLASS, cls, buf, sizeof(buf)));
	label(_("customer"));
	printf("%s\n", jstr(d, "customer"));
	list_line(_("assets"), json_object_get(d, "assets"));
	list_line(_("serials"), json_object_get(d, "serials"));
	list_line(_("operators"), json_object_get(d, "operators"));
	list_line(_("operator certificates"), json_object_get(d, "operator_certificates"));
	label(_("valid from"));
	printf("%s\n", jstr(d, "valid_from"));
	label(_("valid until"));
	printf(_("%s (%s now)\n"), jstr(d, "valid_until"), state_now(d));
}

static json_t *verdict_json(const char *file, const struct kesu_approval_file *af,
			    enum kesu_rc rc, const struct kesu_err *err)
{
	char st[KESU_TIME_LEN] = "", roles[64];
	if (!rc)
		kesu_time_format(af->f.sig.signing_time, st);
	kesu_roles_format(af->f.sig.roles, roles, sizeof(roles));
	return json_pack("{s:o s:b s:s s:o s:o s:o s:o s:o s:o s:o s:o}",
		"file", kesu_json_str(file), "ok", !rc, "verdict", af->f.stage,
		"error", rc ? kesu_json_str(err->msg) : json_null(),
		"reference", rc ? json_null() : kesu_json_str(jstr(af->f.doc, "reference")),
		"approver", rc ? json_null() : kesu_json_str(af->f.sig.signer_name),
		"signer", rc ? json_null() : kesu_json_str(af->f.sig.signer_subject),
		"roles", rc ? json_null() : json_string(roles),
		"signing_time", rc ? json_null() : json_string(st),
		"sha256", rc ? json_null() : json_string(af->f.sha256),
		"state", rc ? json_null() : json_string(state_now(af->f.doc)));
}

static enum kesu_rc approval_verify(struct args *a, int argc, char **argv, int first)
{
	if (first >= argc)
		return kesu_usage_error("approval verify: give the approval file(s)");
	struct kesu_err err = {0};
	struct kesu_config cfg;
	enum kesu_rc rc = kesu_config_load(a->config, &cfg, &err);
	if (rc) {
		kesu_report(&err);
		return rc;
	}
	const char *ca = a->ca ? a->ca : cfg.ca_file;
	if (!ca[0])
		return kesu_usage_error("approval verify: no trusted CA; give --ca FILE or "
					"set [trust] ca_file in kesu.conf");
	struct kesu_trust t = {.ca_file = ca,
			       .crl_file = a->crl ? a->crl : a->ca ? NULL : cfg.crl_file};
	enum kesu_rc worst = KESU_OK;
	json_t *arr = a->json ? json_array() : NULL;
	for (int i = first; i < argc; i++) {
		struct kesu_approval_file af;
		kesu_err_clear(&err);
		rc = kesu_approval_load(argv[i], &t, &af, &err);
		worst = worst ? worst : rc;
		char shown[PATH_MAX];
		kesu_clean(shown, sizeof(shown), argv[i], strlen(argv[i]));
		if (arr) {
			json_array_append_new(arr, verdict_json(argv[i], &af, rc, &err));
		} else if (rc) {
			printf("%s: %s: %s\n", shown, af.f.stage, kesu_err_text(&err));
		} else {
			char st[KESU_TIME_LEN];
			kesu_time_format(af.f.sig.signing_time, st);
			printf(_("%s: OK: approval %s by %s (approver), signed %s, %s now\n"),
			       shown, jstr(af.f.doc, "reference"), af.f.sig.signer_subject, st,
			       state_now(af.f.doc));
		}
		kesu_approval_file_free(&af);
	}
	if (arr) {
		char *s = json_dumps(arr, JSON_INDENT(2));
		printf("%s\n", s ? s : "[]");
		free(s);
		json_decref(arr);
	}
	return worst;
}

static enum kesu_rc approval_show(struct args *a, int argc, char **argv, int first)
{
	if (first + 1 != argc)
		return kesu_usage_error("approval show: give exactly one approval file");
	struct kesu_err err = {0};
	char *data;
	size_t len;
	json_t *d;
	enum kesu_rc rc;
	if ((rc = kesu_read_file(argv[first], KESU_DOC_MAX_BYTES, &data, &len, &err)) ||
	    (rc = kesu_doc_parse(data, len, kesu_approval_check, &d, &err))) {
		if (!rc)
			free(data);
		kesu_err_prefix(&err, "%s: ", argv[first]);
		kesu_report(&err);
		return rc;
	}
	free(data);
	if (a->json) {
		char *s = json_dumps(d, JSON_SORT_KEYS | JSON_INDENT(2));
		printf("%s\n", s ? s : "{}");
		free(s);
	} else {
		printf(_("消去承認 / Erasure approval  (signature not checked here: use "
		       "'kesu approval verify')\n"));
		print_doc(d);
	}
	json_decref(d);
	return KESU_OK;
}

enum kesu_rc cmd_approval(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? KESU_ERR_USAGE : KESU_OK;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "new") && strcmp(sub, "verify") && strcmp(sub, "show"))
		return kesu_usage_error("approval: unknown subcommand '%s'; use new, "
					"verify or show", sub);
	static const struct kesu_opt *const tables[] = {approval_opts, NULL};
	struct args *a = calloc(1, sizeof(*a));
	if (!a)
		return KESU_ERR_INTERNAL;
	char name[32];
	snprintf(name, sizeof(name), "approval %s", sub);
	const struct kesu_cmd_opts c = {name, tables, opt_fn, a, usage};
	int first;
	bool done;
	enum kesu_rc rc = kesu_opts_parse(&c, argc - 1, argv + 1, &first, &done);
	if (!rc && !done) {
		if (!strcmp(sub, "new"))
			rc = approval_new(a, argc - 1 - first);
		else if (!strcmp(sub, "verify"))
			rc = approval_verify(a, argc - 1, argv + 1, first);
		else
			rc = approval_show(a, argc - 1, argv + 1, first);
	}
	free(a);
	return rc;
}
