#include "cli/cert_opts.h"
#include "cli/cli.h"

#include <string.h>

static enum kesu_rc set(char *dst, size_t size, const char *arg, const char *opt)
{
	if (!kesu_is_clean(arg) || !kesu_strlcpy(dst, arg, size))
		return kesu_usage_error("--%s: too long or contains control characters",
					opt);
	return KESU_OK;
}

bool kesu_cert_opt(struct kesu_cert_opts *o, int c, const char *arg,
		   enum kesu_rc *rc)
{
	struct kesu_cert_info *i = &o->info;
	*rc = KESU_OK;
	switch (c) {
	case KESU_OPT_CONFIG: o->config_path = arg; break;
	case KESU_OPT_KEY: o->key = arg; break;
	case KESU_OPT_CERT: o->cert = arg; break;
	case KESU_OPT_OPERATOR: *rc = set(i->operator_name, sizeof(i->operator_name), arg, "operator"); break;
	case KESU_OPT_TITLE: *rc = set(i->operator_title, sizeof(i->operator_title), arg, "title"); break;
	case KESU_OPT_ORG: *rc = set(i->operator_organization, sizeof(i->operator_organization), arg, "organization"); break;
	case KESU_OPT_CONTACT: *rc = set(i->operator_contact, sizeof(i->operator_contact), arg, "contact"); break;
	case KESU_OPT_CUSTOMER: *rc = set(i->customer, sizeof(i->customer), arg, "customer"); break;
	case KESU_OPT_ASSET: *rc = set(i->property_number, sizeof(i->property_number), arg, "asset"); break;
	case KESU_OPT_CLASS:
		if (strlen(arg) != 1 || arg[0] < '1' || arg[0] > '3')
			*rc = kesu_usage_error("--class: must be 1, 2 or 3");
		else
			i->confidentiality_class = arg[0] - '0';
		break;
	case KESU_OPT_MY_NUMBER: i->my_number = true; break;
	case KESU_OPT_REASON: *rc = set(i->reason, sizeof(i->reason), arg, "reason"); break;
	case KESU_OPT_DEST: *rc = set(i->destination, sizeof(i->destination), arg, "destination"); break;
	case KESU_OPT_APPROVER: *rc = set(i->approver, sizeof(i->approver), arg, "approver"); break;
	case KESU_OPT_APPROVAL_REF: *rc = set(i->approval_reference, sizeof(i->approval_reference), arg, "approval-ref"); break;
	case KESU_OPT_APPROVAL_DATE: *rc = set(i->approval_date, sizeof(i->approval_date), arg, "approval-date"); break;
	case KESU_OPT_WITNESS: {
		if (i->n_witnesses >= KESU_CERT_MAX_WITNESSES) {
			*rc = kesu_usage_error("--witness: at most %d witnesses",
					       KESU_CERT_MAX_WITNESSES);
			break;
		}
		struct kesu_cert_party *w = &i->witnesses[i->n_witnesses];
		const char *slash = strchr(arg, '/');
		size_t n = slash ? (size_t)(slash - arg) : strlen(arg);
		if (!n || n > KESU_STR_MAX) {
			*rc = kesu_usage_error("--witness: give 'NAME' or 'NAME/ORGANIZATION'");
			break;
		}
		memcpy(w->name, arg, n);
		w->name[n] = '\0';
		if ((*rc = set(w->name, sizeof(w->name), w->name, "witness")))
			break;
		if (slash && (*rc = set(w->organization, sizeof(w->organization),
					slash + 1, "witness")))
			break;
		i->n_witnesses++;
		break;
	}
	case KESU_OPT_REGISTER: o->register_path = arg; break;
	case KESU_OPT_NO_REGISTER: o->no_register = true; break;
	case KESU_OPT_NO_CERT: o->no_cert = true; break;
	case KESU_OPT_CERT_DIR: o->out_dir = arg; break;
	case KESU_OPT_CA_FILE: o->ca_file = arg; break;
	case KESU_OPT_CRL: o->crl_file = arg; break;
	default: return false;
	}
	return true;
}

void kesu_cert_opts_help(FILE *out)
{
	fputs("Certificate options (defaults from kesu.conf, see kesu.conf(5)):\n"
	      "      --config FILE        configuration (default /etc/kesu/kesu.conf)\n"
	      "      --key FILE|URI       signing key file or pkcs11: URI\n"
	      "      --cert FILE          signer certificate (PEM)\n"
	      "      --ca-file FILE       CA the signer must chain to, checked before\n"
	      "                           anything is erased ([trust] ca_file)\n"
	      "      --crl FILE           the CA's CRL: a revoked signer is refused\n"
	      "                           ([trust] crl_file)\n"
	      "      --operator NAME      operator (person in charge)\n"
	      "      --title TITLE        operator's title\n"
	      "      --organization ORG   operator's organization\n"
	      "      --contact TEXT       operator's contact\n"
	      "      --customer NAME      customer or owning department\n"
	      "      --asset NUMBER       property (asset) number\n"
	      "      --class 1|2|3        confidentiality class\n"
	      "      --my-number          the medium held My Number data\n"
	      "      --reason R           disposal, lease-return, repair or reuse\n"
	      "      --destination TEXT   where the medium goes next\n"
	      "      --approver NAME      approving information security manager\n"
	      "      --approval-ref REF   approval document reference\n"
	      "      --approval-date DATE approval date (YYYY-MM-DD)\n"
	      "      --witness NAME[/ORG] a witness (repeatable)\n"
	      "      --cert-dir DIR       where certificates go (default: beside the run record)\n"
	      "      --register FILE      register (default /var/lib/kesu/register.jsonl)\n"
	      "      --no-register        do not add to the register\n", out);
}

