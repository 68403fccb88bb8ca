#include "certs/document/issue.h"
#include "certs/document/approval_link.h"
#include "certs/document/policy.h"
#include "lib/digest.h"
#include "lib/fileio.h"
#include "certs/register/backend.h"
#include "lib/timefmt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

struct kesu_issuer {
	struct kesu_cert_info info;
	struct kesu_signer *signer;
	char register_path[PATH_MAX];
	char ca_file[PATH_MAX];
	bool use_register;
	char out_dir[PATH_MAX];
	char tsa_url[PATH_MAX], tsa_ca_file[PATH_MAX];
	struct kesu_tsa tsa;
	bool has_approval;
	struct kesu_policy pol;
	struct kesu_approval_file approval;
	char operator_cert[65];  /* SHA-256 of the signer's certificate */
};

static void fill(char *dst, size_t size, const char *from)
{
	if (!dst[0] && from && from[0])
		kesu_strlcpy(dst, from, size);
}

enum kesu_rc kesu_issuer_load_approval(const struct kesu_cert_opts *o,
				       const struct kesu_config *cfg,
				       struct kesu_approval_file *af, struct kesu_err *err)
{
	const char *ca = o->ca_file ? o->ca_file : cfg->ca_file;
	if (!ca[0])
		return kesu_fail(err, KESU_ERR_USAGE, 0,
				 "--approval: no CA to check the approver "
				 "against; give --ca-file or [trust] ca_file");
	struct kesu_trust t = {.ca_file = ca,
			       .crl_file = o->crl_file ? o->crl_file : cfg->crl_file};
	return kesu_approval_load(o->approval, &t, af, err);
}

const struct kesu_approval_file *kesu_issuer_approval(const struct kesu_issuer *is)
{
	return is && is->has_approval ? &is->approval : NULL;
}

/* The signed approval, verified before anything else can fail later, and
 * the [policy] it answers to.  A resume is certified with what its
 * checkpoint kept, so the policy was applied when it started. */
static enum kesu_rc approval_prepare(struct kesu_issuer *is, const struct kesu_cert_opts *o,
				     const struct kesu_config *cfg, struct kesu_err *err)
{
	enum kesu_rc rc = kesu_policy_from_config(cfg, &is->pol, err);
	if (rc)
		return rc;
	if (o->approval) {
		if ((rc = kesu_issuer_load_approval(o, cfg, &is->approval, err)))
			return rc;
		is->has_approval = true;
		if ((rc = kesu_approval_fill_info(&is->approval, &is->info, err)))
			return rc;
	}
	/* A resume was judged when it started; a document other than an
	 * erasure certificate has no class of its own to judge. */
	if (o->resume || o->document_only)
		return KESU_OK;
	return kesu_policy_check(&is->pol, is->info.confidentiality_class, is->has_approval, err);
}

/* The operator (by name or by the certificate about to sign) is one the
 * approval names, its class and reason are the work's, and it is valid
 * now: checked before any device is opened.  The medium is checked per
 * device (kesu_issuer_check_medium) and again on each certificate. */
static enum kesu_rc approval_names_operator(const struct kesu_issuer *is,
					    struct kesu_err *err)
{
	const json_t *d = is->approval.f.doc;
	json_t *serials = json_object_get(d, "serials"), *assets = json_object_get(d, "assets");
	const char *medium = json_array_size(serials) ? json_string_value(json_array_get(serials, 0))
						      : NULL;
	struct kesu_approval_facts f = {
		.signer_roles = is->approval.f.sig.roles,
		.serial = medium,
		.property_number = medium ? NULL : json_string_value(json_array_get(assets, 0)),
		.operator_name = is->info.operator_name,
		.operator_cert = is->operator_cert,
		.confidentiality_class = is->info.confidentiality_class,
		.reason = is->info.reason[0] ? is->info.reason : NULL,
		.at = time(NULL),
	};
	return kesu_approval_judge(d, &f, err);
}

static enum kesu_rc judge_medium(const struct kesu_issuer *is, const char *serial,
				 const char *property_number, int cls, const char *reason,
				 time_t at, struct kesu_err *err)
{
	if (!is->has_approval)
		return KESU_OK;
	struct kesu_approval_facts f = {
		.signer_roles = is->approval.f.sig.roles,
		.serial = serial,
		.property_number = property_number,
		.operator_name = is->info.operator_name,
		.operator_cert = is->operator_cert,
		.confidentiality_class = cls,
		.reason = reason[0] ? reason : NULL,
		.at = at,
	};
	return kesu_approval_judge(is->approval.f.doc, &f, err);
}

enum kesu_rc kesu_issuer_check_medium(const struct kesu_issuer *is, const char *serial,
				      const char *property_number, time_t at,
				      struct kesu_err *err)
{
	return judge_medium(is, serial, property_number, is->info.confidentiality_class,
			    is->info.reason, at, err);
}

enum kesu_rc kesu_issuer_check_device(const struct kesu_issuer *is, const char *serial,
				      const struct kesu_cert_info *info, time_t at,
				      struct kesu_err *err)
{
	enum kesu_rc rc = kesu_policy_check(&is->pol, info->confidentiality_class,
					    is->has_approval, err);
	if (rc)
		return rc;
	return judge_medium(is, serial, info->property_number, info->confidentiality_class,
			    info->reason, at, err);
}

/* Everything but an asset number that comes per device: checked with a
 * stand-in, so a missing operator still stops the run before any probe. */
static enum kesu_rc check_info(const struct kesu_cert_info *i, const struct kesu_cert_opts *o,
			       struct kesu_err *err)
{
	struct kesu_cert_info probe = *i;
	if (o->asset_per_device && !probe.property_number[0])
		kesu_strlcpy(probe.property_number, "-", sizeof(probe.property_number));
	if (o->details_per_device) {
		if (!probe.confidentiality_class)
			probe.confidentiality_class = 1;
		if (!probe.reason[0])
			kesu_strlcpy(probe.reason, "reuse", sizeof(probe.reason));
		if (!probe.customer[0])
			kesu_strlcpy(probe.customer, "-", sizeof(probe.customer));
	}
	return kesu_cert_info_check(&probe, err);
}

enum kesu_rc kesu_issuer_prepare(const struct kesu_cert_opts *o,
				 struct kesu_issuer **out, struct kesu_err *err)
{
	*out = NULL;
	struct kesu_config cfg;
	enum kesu_rc rc = kesu_config_load(o->config_path, &cfg, err);
	if (rc)
		return rc;
	struct kesu_issuer *is = calloc(1, sizeof(*is));
	if (!is)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	is->info = o->info;
	struct kesu_cert_info *i = &is->info;
	fill(i->operator_name, sizeof(i->operator_name), cfg.operator_name);
	fill(i->operator_title, sizeof(i->operator_title), cfg.operator_title);
	fill(i->operator_organization, sizeof(i->operator_organization), cfg.operator_organization);
	fill(i->operator_contact, sizeof(i->operator_contact), cfg.operator_contact);
	fill(i->location, sizeof(i->location), cfg.operator_location);
	fill(i->customer, sizeof(i->customer), cfg.customer);
	if ((rc = approval_prepare(is, o, &cfg, err)))
		goto fail;
	if (!o->resume && !o->document_only && (rc = check_info(i, o, err)))
		goto fail;
	kesu_strlcpy(is->register_path, o->register_path ? o->register_path
						       : kesu_config_register(&cfg),
		     sizeof(is->register_path));
	is->use_register = !o->no_register;
	kesu_strlcpy(is->ca_file, o->ca_file ? o->ca_file : cfg.ca_file, sizeof(is->ca_file));
	/* A register that cannot take the certificate (a file register that
	 * does not verify, a database that does not answer) must stop a wipe
	 * before it starts, not after the disk is gone. */
	if (is->use_register && (rc = kesu_reg_check_writable(is->register_path,
							      is->ca_file, err)))
		goto fail;
	if (o->out_dir)
		kesu_strlcpy(is->out_dir, o->out_dir, sizeof(is->out_dir));
	kesu_strlcpy(is->tsa_url, o->tsa_url ? o->tsa_url : cfg.tsa_url, sizeof(is->tsa_url));
	kesu_strlcpy(is->tsa_ca_file, o->tsa_ca_file ? o->tsa_ca_file : cfg.tsa_ca_file,
		     sizeof(is->tsa_ca_file));
	is->tsa = (struct kesu_tsa){is->tsa_url, is->tsa_ca_file, o->tsa_post, NULL};
	char now[KESU_TIME_LEN];
	kesu_time_now(now);
	if (kesu_cert_approval_after(i->approval_date, now)) {
		rc = kesu_fail(err, KESU_ERR_USAGE, 0,
			       "certificate: the approval date %s is after now: the "
			       "erasure must be approved before it starts; fix "
			       "--approval-date", i->approval_date);
		goto fail;
	}
	if ((rc = kesu_signer_open(o->key ? o->key : cfg.key, o->cert ? o->cert : cfg.cert,
				   cfg.pin_file, cfg.pkcs11_module, &is->signer, err)))
		goto fail;
	kesu_signer_cert_sha256(is->signer, is->operator_cert);
	if (is->has_approval && (rc = approval_names_operator(is, err)))
		goto fail;
	/* A signer the verifiers will not trust would leave an erased device
	 * with a certificate nobody accepts and a register that no longer
	 * verifies: refuse it now, before any device is opened. */
	const char *ca = o->ca_file ? o->ca_file : cfg.ca_file;
	const char *crl = o->crl_file ? o->crl_file : cfg.crl_file;
	if (crl[0] && !ca[0]) {
		rc = kesu_fail(err, KESU_ERR_USAGE, 0,
			       "a CRL is given but no CA to check the signer against; "
			       "give --ca-file or [trust] ca_file");
		goto fail;
	}
	if (ca[0] && (rc = kesu_signer_check_trust(is->signer, ca, crl, err))) {
		kesu_err_prefix(err, "signer not trusted, nothing erased or signed: ");
		goto fail;
	}
	*out = is;
	return KESU_OK;
fail:
	kesu_issuer_free(is);
	return rc;
}

void kesu_issuer_free(struct kesu_issuer *is)
{
	if (!is)
		return;
	kesu_signer_free(is->signer);
	kesu_approval_file_free(&is->approval);
	free(is);
}

enum kesu_rc kesu_issuer_approval_record(const struct kesu_issuer *is, const char *dir,
					 json_t **out, struct kesu_err *err)
{
	*out = NULL;
	return is->has_approval ? kesu_approval_record(&is->approval, dir, out, err) : KESU_OK;
}

const struct kesu_cert_info *kesu_issuer_info(const struct kesu_issuer *is)
{
	return &is->info;
}

typedef enum kesu_rc (*append_fn)(const char *where, const char *path,
				  struct kesu_signer *signer, const char *ca_file,
				  const struct kesu_tsa *tsa, struct kesu_reg_append *res,
				  struct kesu_err *err);

/* Write, sign, timestamp and register one document. */
static enum kesu_rc sign_and_register(struct kesu_issuer *is, const char *path,
				      const char *text, size_t n, append_fn append,
				      struct kesu_err *err)
{
	enum kesu_rc rc = kesu_write_atomic(path, text, n, 0644, err);
	if (!rc)
		rc = kesu_signer_sign_file(is->signer, path, err);
	if (rc)
		return rc;
	/* A TSA that is down must not cost the erasure its certificate or its
	 * register line: both are written, and the missing token is reported
	 * after them. */
	struct kesu_err ts_err = {0};
	struct kesu_ts_info ts;
	const struct kesu_tsa *tsa = is->tsa_url[0] ? &is->tsa : NULL;
	bool unstamped = tsa && kesu_timestamp_file(tsa, path, &ts, &ts_err);
	if (is->use_register) {
		rc = append(is->register_path, path, is->signer, is->ca_file, tsa, NULL, err);
		if (rc && rc != KESU_ERR_UNSTAMPED)
			return rc;
		if (rc && !unstamped)
			return rc;
	}
	if (unstamped) {
		*err = ts_err;
		kesu_err_prefix(err, "%s: signed but not timestamped: ", path);
		size_t k = strlen(err->msg);
		snprintf(err->msg + k, sizeof(err->msg) - k,
			 "; add the token later with 'kesu cert timestamp %.200s'", path);
		return err->rc = KESU_ERR_UNSTAMPED;
	}
	return KESU_OK;
}

enum kesu_rc kesu_issuer_publish(struct kesu_issuer *is, const char *path,
				 const char *text, size_t n, struct kesu_err *err)
{
	if (!is->use_register)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: this document must be "
				 "registered; do not give --no-register", path);
	return sign_and_register(is, path, text, n, kesu_reg_append_doc_ts, err);
}

const char *kesu_issuer_out_dir(const struct kesu_issuer *is)
{
	return is->out_dir;
}

enum kesu_rc kesu_issuer_register_lines(const struct kesu_issuer *is, json_t **lines,
					struct kesu_err *err)
{
	if (!is->use_register)
		return kesu_fail(err, KESU_ERR_USAGE, 0, "a register is needed to look the "
				 "medium up; do not give --no-register");
	return kesu_reg_lines(is->register_path, is->ca_file, lines, err);
}

enum kesu_rc kesu_issuer_issue(struct kesu_issuer *is, const char *run_record,
			       char *cert_path, size_t cert_path_size,
			       struct kesu_err *err)
{
	return kesu_issuer_issue_as(is, &is->info, run_record, cert_path, cert_path_size, err);
}

/* The run record's bytes, hashed as they are on disk, and parsed. */
static enum kesu_rc load_run_record(const char *run_record, char hash[65], json_t **rr,
				    struct kesu_err *err)
{
	char *data;
	size_t len;
	enum kesu_rc rc = kesu_read_file(run_record, 16u << 20, &data, &len, err);
	if (rc)
		return rc;
	kesu_sha256_hex(data, len, hash);
	json_error_t je;
	*rr = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	free(data);
	if (!*rr)
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s: not valid JSON at line %d: %s", run_record,
				 je.line, je.text);
	return KESU_OK;
}

/* The certificate as dir/kesu-cert-ID.json, signed and registered. */
static enum kesu_rc write_cert(struct kesu_issuer *is, const json_t *cert, const char *dir,
			       const char *id, char *cert_path, size_t cert_path_size,
			       struct kesu_err *err)
{
	size_t n;
	char *text = kesu_cert_serialize(cert, &n);
	if (!text)
		return kesu_fail(err, KESU_ERR_INTERNAL, ENOMEM, "out of memory");
	if ((size_t)snprintf(cert_path, cert_path_size, "%s/kesu-cert-%s.json", dir, id) >=
	    cert_path_size) {
		free(text);
		return kesu_fail(err, KESU_ERR_USAGE, 0, "%s: path too long", dir);
	}
	enum kesu_rc rc;
	if (!(rc = kesu_mkdir_p(dir, 0755, err)))
		rc = sign_and_register(is, cert_path, text, n, kesu_reg_append_cert_ts, err);
	free(text);
	return rc;
}

enum kesu_rc kesu_issuer_issue_as(struct kesu_issuer *is, const struct kesu_cert_info *info,
				  const char *run_record, char *cert_path,
				  size_t cert_path_size, struct kesu_err *err)
{
	char hash[65];
	json_t *rr;
	enum kesu_rc rc = load_run_record(run_record, hash, &rr, err);
	if (rc)
		return rc;
	/* A run record is certified once: ask the register before anything is
	 * signed, so a second certificate for the same run never exists. */
	const char *run_id = json_string_value(json_object_get(rr, "run_id"));
	if (is->use_register && run_id &&
	    (rc = kesu_reg_check_run(is->register_path, is->ca_file, run_id, err))) {
		json_decref(rr);
		return kesu_err_prefix(err, "%s: ", run_record);
	}
	uuid_t u;
	char id[37], now[KESU_TIME_LEN], dir[PATH_MAX];
	uuid_generate_random(u);
	uuid_unparse_lower(u, id);
	kesu_time_now(now);
	const char *base = strrchr(run_record, '/') ? strrchr(run_record, '/') + 1
						    : run_record;
	json_t *cert;
	rc = kesu_cert_build(rr, base, hash, info, id, now, &cert, err);
	json_decref(rr);
	if (rc)
		return kesu_err_prefix(err, "%s: ", run_record);
	/* Never sign a certificate whose own evidence contradicts it: a run
	 * record claiming "erased" next to bad ranges is a bug, not an erasure. */
	struct kesu_cert_verdict v;
	struct kesu_cert_clock clock = {.now = time(NULL)};
	kesu_cert_judge_at(cert, &clock, &v);
	if (v.n_errors) {
		json_decref(cert);
		return kesu_fail(err, KESU_ERR_INVALID, 0,
				 "%s: the run record contradicts itself (%s); no "
				 "certificate issued: keep the record and report it",
				 run_record, v.errors[0]);
	}
	if (is->out_dir[0])
		kesu_strlcpy(dir, is->out_dir, sizeof(dir));
	else
		kesu_path_dirname(run_record, dir, sizeof(dir));
	/* The approval must allow what the run record says was done, not only
	 * what was planned: a medium swapped in the meantime is caught here. */
	if (is->has_approval &&
	    ((rc = kesu_approval_allows_cert(&is->approval, cert, is->operator_cert, err)) ||
	     (rc = kesu_approval_link(&is->approval, cert, dir, err)))) {
		json_decref(cert);
		return kesu_err_prefix(err, "%s: no certificate issued: ", run_record);
	}
	rc = write_cert(is, cert, dir, id, cert_path, cert_path_size, err);
	json_decref(cert);
	return rc;
}
