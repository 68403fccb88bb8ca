/* kesu cert countersign: a witness's or the city's signature over the same
 * certificate bytes, in a file of its own (countersign.h). */
#include "certs/document/countersign.h"
#include "certs/register/backend.h"
#include "certs/sign/role.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "lib/config.h"
#include "lib/i18n.h"

#include <limits.h>
#include <string.h>

enum { OPT_KEY, OPT_CERT, OPT_ROLE, OPT_CA, OPT_CRL, OPT_CONFIG, OPT_REGISTER };
static const struct kesu_opt cs_opts[] = {
	[OPT_KEY] = {"key", 0, "FILE|URI", N_("the countersigner's key ([signing] key)")},
	[OPT_CERT] = {"cert", 0, "FILE", N_("the countersigner's certificate ([signing] cert)")},
	[OPT_ROLE] = {"role", 0, "witness|city", N_("which role (default: the one the certificate holds)")},
	[OPT_CA] = {"ca", 0, "FILE", N_("the CA the document's own signer must chain to ([trust] ca_file)")},
	[OPT_CRL] = {"crl", 0, "FILE", N_("the CA's CRL ([trust] crl_file)")},
	[OPT_CONFIG] = {"config", 0, "FILE", N_("configuration (default /etc/kesu/kesu.conf)")},
	[OPT_REGISTER] = {"register", 0, "FILE|URL", N_("also register each countersignature there (kesu-register(5))")},
	KESU_OPT_HELP,
	KESU_OPT_END,
};

static void usage(FILE *out)
{
	fputs(_("Usage: kesu cert countersign FILE... --key K --cert C [--role witness|city] [--ca FILE]\n"
	      "                              [--register FILE|URL]\n\n"
	      "Sign the exact bytes of a signed certificate again, as a witness or as\n"
	      "the city (its receipt of a contractor's certificate).  Each signature\n"
	      "goes to its own file,\n"
	      "FILE.<role>-<n>.p7s, which stock 'openssl cms -verify' checks alone.\n"
	      "The document's own signature must verify first.  With --register\n"
	      "each countersignature is registered too; the register must hold the\n"
	      "document.  See kesu-certificate(5), COUNTERSIGNATURES.\n\n"), out);
	kesu_opts_print(out, cs_opts);
}

struct cs_args {
	const char *key, *cert, *role, *ca, *crl, *config, *reg;
};

static enum kesu_rc cs_opt(void *ud, const struct kesu_opt *opt, const char *arg)
{
	struct cs_args *a = ud;
	switch (KESU_OPT_ID(opt, cs_opts)) {
	case OPT_KEY: a->key = arg; break;
	case OPT_CERT: a->cert = arg; break;
	case OPT_ROLE: a->role = arg; break;
	case OPT_CA: a->ca = arg; break;
	case OPT_CRL: a->crl = arg; break;
	case OPT_CONFIG: a->config = arg; break;
	case OPT_REGISTER: a->reg = arg; break;
	}
	return KESU_OK;
}

/* The one countersigning role the certificate holds, when --role is left
 * out; a certificate holding both must be told which it signs as. */
static const char *default_role(struct kesu_signer *s)
{
	unsigned r = kesu_cert_roles(kesu_signer_x509(s)) & (KESU_ROLE_WITNESS | KESU_ROLE_CITY);
	return r == KESU_ROLE_WITNESS ? "witness" : r == KESU_ROLE_CITY ? "city" : NULL;
}

enum kesu_rc cmd_countersign(int argc, char **argv)
{
	const char *cmd = "cert countersign";
	static const struct kesu_opt *const tables[] = {cs_opts, NULL};
	struct cs_args a = {0};
	const struct kesu_cmd_opts c = {cmd, tables, cs_opt, &a, usage};
	int first;
	bool done;
	enum kesu_rc rc = kesu_opts_parse(&c, argc, argv, &first, &done);
	if (rc || done)
		return rc;
	if (first >= argc)
		return kesu_usage_error("%s: give the signed file(s)", cmd);
	if (a.role && strcmp(a.role, "witness") && strcmp(a.role, "city"))
		return kesu_usage_error("--role: use witness or city");
	struct kesu_err err = {0};
	struct kesu_config cfg;
	struct kesu_signer *s = NULL;
	if ((rc = kesu_config_load(a.config, &cfg, &err)) ||
	    (rc = kesu_signer_open(a.key ? a.key : cfg.key, a.cert ? a.cert : cfg.cert,
				   cfg.pin_file, cfg.pkcs11_module, &s, &err))) {
		kesu_report(&err);
		return rc;
	}
	const char *ca = a.ca ? a.ca : cfg.ca_file;
	const char *as = a.role ? a.role : default_role(s);
	if (!ca[0])
		rc = kesu_usage_error("%s: no trusted CA; give --ca FILE or [trust] ca_file", cmd);
	else if (!as)
		rc = kesu_usage_error("%s: the certificate holds neither the witness nor "
				      "the city role (certs/ca/issue-role.sh), or both: "
				      "give --role", cmd);
	struct kesu_trust t = {.ca_file = ca, .crl_file = a.crl ? a.crl : cfg.crl_file};
	/* The countersigner vouches as they are now: a lapsed or revoked
	 * witness certificate must not add a signature nobody will accept. */
	if (!rc && (rc = kesu_signer_check_trust(s, ca, t.crl_file, &err))) {
		kesu_err_prefix(&err, "%s: countersigner not trusted: ", cmd);
		kesu_report(&err);
	}
	if (!rc && a.reg && (rc = kesu_reg_check_writable(a.reg, ca, &err)))
		kesu_report(&err);
	enum kesu_rc worst = rc;
	char name[257];
	kesu_cert_common_name(kesu_signer_x509(s), name, sizeof(name));
	for (int i = first; !rc && i < argc; i++) {
		char out[PATH_MAX];
		struct kesu_reg_append res;
		enum kesu_rc r = kesu_countersign_file(s, argv[i], as, &t, out, sizeof(out), &err);
		/* The signature file stays when the register refuses it: it is
		 * valid, and registering it again later is not an error. */
		if (!r && a.reg)
			r = kesu_reg_append_countersig(a.reg, argv[i], out, as, name, s, ca, &res,
						       &err);
		if (r) {
			kesu_report(&err);
			worst = worst ? worst : r;
			continue;
		}
		printf("%s\n", out);
	}
	kesu_signer_free(s);
	return worst;
}
