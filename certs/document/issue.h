/* Issuing certificates: the step that turns a run record file into a signed
 * certificate and a register entry.  The command-line options that fill
 * struct kesu_cert_opts live in cli/cert_opts.h. */
#ifndef KESU_ISSUE_H
#define KESU_ISSUE_H

#include "certs/document/approval_link.h"
#include "certs/document/certificate.h"
#include "lib/config.h"
#include "lib/error.h"
#include "certs/sign/signer.h"
#include "certs/sign/timestamp.h"

#include <stdbool.h>

struct kesu_cert_opts {
	struct kesu_cert_info info;  /* command-line values; config fills gaps */
	const char *config_path;
	const char *key, *cert;
	const char *ca_file;         /* NULL: [trust] ca_file; "" neither: signer unchecked */
	const char *crl_file;        /* NULL: [trust] crl_file */
	const char *register_path;
	const char *out_dir;         /* NULL: beside the run record */
	const char *tsa_url;         /* NULL: [timestamp] url, if any */
	const char *tsa_ca_file;     /* NULL: [trust] tsa_ca_file, if any */
	const char *approval;        /* a signed approval (kesu-approval(5)) or NULL */
	kesu_tsa_post_fn tsa_post;   /* NULL: HTTP (tests answer in-process) */
	bool no_register;
	bool no_cert;
	/* A resume: the details come from the checkpoint, so the command
	 * line's are not checked as complete here (kesu_cert_info_conflict
	 * and kesu_cert_info_check judge them per device). */
	bool resume;
	/* Not an erasure certificate (a destruction document...): its own
	 * builder checks its fields, so the certificate's are not required. */
	bool document_only;
	/* Each device gets its own asset number later (kesu wipe's
	 * --asset-map...): the details are checked here without one, and
	 * each device's in full when it is given (kesu_cert_info_check). */
	bool asset_per_device;
	/* The class, reason and customer may come per device too (kesu wipe
	 * --asset-map with those columns): none of them is required here;
	 * each device's are checked, with the [policy] for its class, by
	 * kesu_issuer_check_device. */
	bool details_per_device;
};

struct kesu_issuer;

/* Load the config, merge it under the options, check the certificate
 * fields, open the signing key and, when a CA is configured, check that the
 * signer's certificate chains to it, is valid now and is not revoked:
 * everything that can fail before a device is touched. */
enum kesu_rc kesu_issuer_prepare(const struct kesu_cert_opts *o,
				 struct kesu_issuer **out, struct kesu_err *err);
void kesu_issuer_free(struct kesu_issuer *is);

/* Before a medium is written: the signed approval, if any, covers it
 * (serial or property number), this operator, and the time `at` (the
 * start of the work).  KESU_OK when the issuer has no approval: the policy
 * was already satisfied in kesu_issuer_prepare. */
enum kesu_rc kesu_issuer_check_medium(const struct kesu_issuer *is, const char *serial,
				      const char *property_number, time_t at,
				      struct kesu_err *err);

/* The same for one device whose details were settled per device (its own
 * asset number, class, reason): the [policy] for its class first
 * (KESU_ERR_REFUSED, e.g. class 3 without a signed approval), then the
 * approval against its class and reason. */
enum kesu_rc kesu_issuer_check_device(const struct kesu_issuer *is, const char *serial,
				      const struct kesu_cert_info *info, time_t at,
				      struct kesu_err *err);

/* Load and verify o->approval (signature, the signer's chain to the CA of
 * o or cfg and its revocation, the approver role) as kesu_issuer_prepare
 * does: for a front end that takes one approval for many later wipes and
 * refuses a bad one before it waits for any disk.  Free af with
 * kesu_approval_file_free. */
enum kesu_rc kesu_issuer_load_approval(const struct kesu_cert_opts *o,
				       const struct kesu_config *cfg,
				       struct kesu_approval_file *af, struct kesu_err *err);

/* The signed approval the issuer works under, NULL when none. */
const struct kesu_approval_file *kesu_issuer_approval(const struct kesu_issuer *is);

/* The details the issuer certifies with: the options with kesu.conf filling
 * the gaps. */
const struct kesu_cert_info *kesu_issuer_info(const struct kesu_issuer *is);

/* Certificate for one run record: writes kesu-cert-<id>.json and .p7s,
 * timestamps it (.tsr) when a TSA is configured, and registers it.
 * cert_path receives the certificate's path.  KESU_ERR_UNSTAMPED when all
 * of that was done except a timestamp token (the TSA was down or its answer
 * refused): the certificate stands, `kesu cert timestamp` adds the token. */
enum kesu_rc kesu_issuer_issue(struct kesu_issuer *is, const char *run_record,
			       char *cert_path, size_t cert_path_size,
			       struct kesu_err *err);

/* The same with other details than the issuer's: a resumed run certifies
 * with the details its checkpoint kept. */
enum kesu_rc kesu_issuer_issue_as(struct kesu_issuer *is, const struct kesu_cert_info *info,
				  const char *run_record, char *cert_path,
				  size_t cert_path_size, struct kesu_err *err);

/* Another kind of signed document (reg_kinds.h), text of n bytes: written
 * to path, signed (path.p7s), timestamped when a TSA is configured, and
 * registered, as kesu_issuer_issue does a certificate, with the same
 * KESU_ERR_UNSTAMPED.  Registering needs the issuer's register. */
enum kesu_rc kesu_issuer_publish(struct kesu_issuer *is, const char *path,
				 const char *text, size_t n, struct kesu_err *err);

/* The signed approval as a document other than a certificate records it
 * (kesu_approval_record), its copy kept in dir; *out NULL when the
 * issuer has none. */
enum kesu_rc kesu_issuer_approval_record(const struct kesu_issuer *is, const char *dir,
					 json_t **out, struct kesu_err *err);

/* Where documents go (--cert-dir; "" when not given), and the register's
 * lines (kesu_reg_lines) for documents that depend on what it holds. */
const char *kesu_issuer_out_dir(const struct kesu_issuer *is);
enum kesu_rc kesu_issuer_register_lines(const struct kesu_issuer *is, json_t **lines,
					struct kesu_err *err);

#endif
