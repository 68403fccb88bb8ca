#include "cli/cert_opts.h"
#include "cli/cli.h"
#include "lib/i18n.h"
#include "lib/strutil.h"

#include <limits.h>
#include <string.h>

static enum kesu_rc set(char *dst, size_t size, const char *arg, const char *opt)
{
	if (!kesu_is_clean(arg) || !kesu_strlcpy(dst, arg, size))
		return kesu_usage_error("--%s: too long or contains control characters",
					opt);
	return KESU_OK;
}

enum {
	OPT_CONFIG, OPT_KEY, OPT_CERT, OPT_CA_FILE, OPT_CRL, OPT_OPERATOR, OPT_TITLE, OPT_ORG,
	OPT_CONTACT, OPT_LOCATION, OPT_CUSTOMER, OPT_ASSET, OPT_CLASS, OPT_MY_NUMBER, OPT_REASON, OPT_DEST,
	OPT_APPROVER, OPT_APPROVAL_REF, OPT_APPROVAL_DATE, OPT_WITNESS, OPT_CERT_DIR,
	OPT_REGISTER, OPT_NO_REGISTER, OPT_TSA, OPT_TSA_CA, OPT_APPROVAL,
};

const struct kesu_opt kesu_cert_opt_table[] = {
	[OPT_CONFIG] = {"config", 0, "FILE", N_("configuration (default /etc/kesu/kesu.conf)")},
	[OPT_KEY] = {"key", 0, "FILE|URI", N_("signing key file or pkcs11: URI")},
	[OPT_CERT] = {"cert", 0, "FILE", N_("signer certificate (PEM)")},
	[OPT_CA_FILE] = {"ca-file", 0, "FILE", N_("CA the signer must chain to, checked before anything is erased ([trust] ca_file)")},
	[OPT_CRL] = {"crl", 0, "FILE", N_("the CA's CRL: a revoked signer is refused ([trust] crl_file)")},
	[OPT_OPERATOR] = {"operator", 0, "NAME", N_("operator (person in charge)")},
	[OPT_TITLE] = {"title", 0, "TITLE", N_("operator's title")},
	[OPT_ORG] = {"organization", 0, "ORG", N_("operator's organization")},
	[OPT_CONTACT] = {"contact", 0, "TEXT", N_("operator's contact")},
	[OPT_LOCATION] = {"location", 0, "TEXT", N_("where the work is done (site, room)")},
	[OPT_CUSTOMER] = {"customer", 0, "NAME", N_("customer or owning department")},
	[OPT_ASSET] = {"asset", 0, "NUMBER", N_("property (asset) number")},
	[OPT_CLASS] = {"class", 0, "1|2|3", N_("confidentiality class")},
	[OPT_MY_NUMBER] = {"my-number", 0, NULL, N_("the medium held My Number data")},
	[OPT_REASON] = {"reason", 0, "R", N_("disposal, lease-return, repair or reuse")},
	[OPT_DEST] = {"destination", 0, "TEXT", N_("where the medium goes next")},
	[OPT_APPROVER] = {"approver", 0, "NAME", N_("approving information security manager (typed; see [policy])")},
	[OPT_APPROVAL_REF] = {"approval-ref", 0, "REF", N_("approval document reference")},
	[OPT_APPROVAL_DATE] = {"approval-date", 0, "DATE", N_("approval date (YYYY-MM-DD)")},
	[OPT_WITNESS] = {"witness", 0, "NAME[/ORG]", N_("a witness (repeatable)")},
	[OPT_CERT_DIR] = {"cert-dir", 0, "DIR", N_("where certificates go (default: beside the run record)")},
	[OPT_REGISTER] = {"register", 0, "FILE", N_("register (default /var/lib/kesu/register.jsonl)")},
	[OPT_NO_REGISTER] = {"no-register", 0, NULL, N_("do not add to the register")},
	[OPT_TSA] = {"tsa", 0, "URL", N_("RFC 3161 timestamp authority for each certificate and register head ([timestamp] url)")},
	[OPT_TSA_CA] = {"tsa-ca-file", 0, "FILE", N_("the TSA's CA, to check its answers ([trust] tsa_ca_file)")},
	[OPT_APPROVAL] = {"approval", 0, "FILE", N_("the signed approval (kesu approval new): approver, reference and date come from it")},
	KESU_OPT_END,
};

enum kesu_rc kesu_cert_opt_apply(struct kesu_cert_opts *o, const struct kesu_opt *opt,
				 const char *arg)
{
	struct kesu_cert_info *i = &o->info;
	enum kesu_rc rc = KESU_OK;
	switch (KESU_OPT_ID(opt, kesu_cert_opt_table)) {
	case OPT_CONFIG: o->config_path = arg; break;
	case OPT_KEY: o->key = arg; break;
	case OPT_CERT: o->cert = arg; break;
	case OPT_OPERATOR: rc = set(i->operator_name, sizeof(i->operator_name), arg, "operator"); break;
	case OPT_TITLE: rc = set(i->operator_title, sizeof(i->operator_title), arg, "title"); break;
	case OPT_ORG: rc = set(i->operator_organization, sizeof(i->operator_organization), arg, "organization"); break;
	case OPT_CONTACT: rc = set(i->operator_contact, sizeof(i->operator_contact), arg, "contact"); break;
	case OPT_LOCATION: rc = set(i->location, sizeof(i->location), arg, "location"); break;
	case OPT_CUSTOMER: rc = set(i->customer, sizeof(i->customer), arg, "customer"); break;
	case OPT_ASSET: rc = set(i->property_number, sizeof(i->property_number), arg, "asset"); break;
	case OPT_CLASS:
		if (strlen(arg) != 1 || arg[0] < '1' || arg[0] > '3')
			rc = kesu_usage_error("--class: must be 1, 2 or 3");
		else
			i->confidentiality_class = arg[0] - '0';
		break;
	case OPT_MY_NUMBER: i->my_number = true; break;
	case OPT_REASON: rc = set(i->reason, sizeof(i->reason), arg, "reason"); break;
	case OPT_DEST: rc = set(i->destination, sizeof(i->destination), arg, "destination"); break;
	case OPT_APPROVER: rc = set(i->approver, sizeof(i->approver), arg, "approver"); break;
	case OPT_APPROVAL_REF: rc = set(i->approval_reference, sizeof(i->approval_reference), arg, "approval-ref"); break;
	case OPT_APPROVAL_DATE: rc = set(i->approval_date, sizeof(i->approval_date), arg, "approval-date"); break;
	case OPT_WITNESS: {
		if (i->n_witnesses >= KESU_CERT_MAX_WITNESSES) {
			rc = kesu_usage_error("--witness: at most %d witnesses",
					       KESU_CERT_MAX_WITNESSES);
			break;
		}
		struct kesu_cert_party *w = &i->witnesses[i->n_witnesses];
		const char *slash = strchr(arg, '/');
		size_t n = slash ? (size_t)(slash - arg) : strlen(arg);
		if (!n || n > KESU_STR_MAX) {
			rc = kesu_usage_error("--witness: give 'NAME' or 'NAME/ORGANIZATION'");
			break;
		}
		memcpy(w->name, arg, n);
		w->name[n] = '\0';
		if ((rc = set(w->name, sizeof(w->name), w->name, "witness")))
			break;
		if (slash && (rc = set(w->organization, sizeof(w->organization),
					slash + 1, "witness")))
			break;
		i->n_witnesses++;
		break;
	}
	case OPT_REGISTER: o->register_path = arg; break;
	case OPT_NO_REGISTER: o->no_register = true; break;
	case OPT_CERT_DIR: o->out_dir = arg; break;
	case OPT_TSA:
		if (!kesu_is_clean(arg) || strlen(arg) >= PATH_MAX)
			rc = kesu_usage_error("--tsa: too long or contains control characters");
		o->tsa_url = arg;
		break;
	case OPT_TSA_CA: o->tsa_ca_file = arg; break;
	case OPT_CA_FILE: o->ca_file = arg; break;
	case OPT_APPROVAL: o->approval = arg; break;
	case OPT_CRL: o->crl_file = arg; break;
	}
	return rc;
}

void kesu_cert_opts_help(FILE *out)
{
	fputs(_("Certificate options (defaults from kesu.conf, see kesu.conf(5)):\n"), out);
	kesu_opts_print(out, kesu_cert_opt_table);
}
